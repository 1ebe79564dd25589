/* SPDX-License-Identifier: MIT */
/*
 * The attestation agent (stubdoms/attest) as a process: runs the real
 * $XENIA_BIN_DIR/xenia-attest (default: this build's bin directory) first
 * unconfined (fork + exec with fds 3 = IPC, 4 = listening socket), then
 * under the real confinement (stubdom_spawn, role STUBDOM_ATTEST). The test
 * plays hv on the IPC socketpair (a thread answering with fixed fake but
 * well-formed items: no TPM needed) and the verifier through attest/tlschan.c.
 *
 * Checks: the EVIDENCE items and their order; that hv was asked to quote
 * SHA-256(nonce || the client's own channel binding), i.e. both ends derive
 * the same RFC 5705 exporter; the ACTIVATE round trip; OP_STATIC asked once;
 * garbage, stalled, vanishing and protocol-breaking clients end only their
 * own connection (the next client is served); every kind of malformed or
 * refusing hv reply gives the client an ERROR and the agent survives; hv
 * closing the IPC socket makes the agent exit 0; under confinement
 * /proc/PID/status shows Seccomp 2 and the whole flow works under the filter.
 * Prints the agent's VmRSS when idle and the median HELLO -> EVIDENCE time.
 * Also unit tests the pure half (stubdoms/attest/agentproto.c).
 * The confined part needs root and namespaces; it skips with a message
 * otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/sha256.h>

#include "attest/items.h"
#include "attest/tlschan.h"
#include "hv/log.h"
#include "hv/stubdom.h"
#include "hv/stubdom_seccomp.h"
#include "stubdoms/attest/agentproto.h"

#ifndef AGENT_TEST_BIN_DIR
#define AGENT_TEST_BIN_DIR "build/bin"
#endif

#define CLIENT_MS   20000u      /* a test client waits at most this */
#define F_LOG_TOTAL 100000u     /* the fake event log's size ... */
#define F_LOG_LEN   90000u      /* ... and the part the fake quote covers */
#define F_POL_LEN   70000u
#define EV_CAP      XENIA_ATT_MSG_MAX

/* ------------------------------------------------------------------------- */
/* Fake evidence                                                             */
/* ------------------------------------------------------------------------- */

static struct {
    uint8_t ek[300], chain1[200], chain2[150], akpub[90], quote[145], sig[72];
    uint8_t pcrs[4 + 3 * 36], log[F_LOG_TOTAL], policy[F_POL_LEN], secret[32];
    struct xenia_att_domain doms[2];
} F;

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 131u + i * 7u + (i >> 8) + 1u);
}

static void fake_init(void)
{
    uint32_t v;

    fill(F.ek, sizeof(F.ek), 1);
    fill(F.chain1, sizeof(F.chain1), 2);
    fill(F.chain2, sizeof(F.chain2), 3);
    fill(F.akpub, sizeof(F.akpub), 4);
    fill(F.quote, sizeof(F.quote), 5);
    fill(F.sig, sizeof(F.sig), 6);
    v = 3;
    memcpy(F.pcrs, &v, 4);
    for (uint32_t i = 0; i < 3; i++) {
        v = 8 + i;
        memcpy(F.pcrs + 4 + i * 36, &v, 4);
        fill(F.pcrs + 8 + i * 36, 32, 7 + i);
    }
    fill(F.log, sizeof(F.log), 11);
    fill(F.policy, sizeof(F.policy), 12);
    fill(F.secret, sizeof(F.secret), 13);
    memset(F.doms, 0, sizeof(F.doms));
    F.doms[0].domid = 3;
    F.doms[0].state = 2;
    snprintf(F.doms[0].name, sizeof(F.doms[0].name), "web");
    snprintf(F.doms[0].label, sizeof(F.doms[0].label), "tenant_u:tenant_r:domU_t:s0:c1");
    F.doms[1].domid = 5;
    F.doms[1].state = 2;
    snprintf(F.doms[1].name, sizeof(F.doms[1].name), "db");
    snprintf(F.doms[1].label, sizeof(F.doms[1].label), "tenant_u:tenant_r:domU_t:s0:c1");
}

/* ------------------------------------------------------------------------- */
/* The fake hv: a thread answering the agent's IPC requests                  */
/* ------------------------------------------------------------------------- */

enum bad {
    BAD_NONE = 0,
    BAD_ERROR,      /* error reply -XENIA_EACCES */
    BAD_MAGIC,      /* header magic wrong */
    BAD_OP,         /* reply for another op */
    BAD_LEN,        /* header len != bytes sent */
    BAD_SHORT,      /* 10 bytes: shorter than the header */
    BAD_ITEMS,      /* malformed body (non-zero item pad; domains: 199 bytes) */
    BAD_BIG,        /* a 70000-byte message */
    BAD_TOTAL,      /* total wrong for the op */
    BAD_CHUNK,      /* one byte less than asked for */
    BAD_PCRS,       /* quote: PCRS count 25 */
    BAD_TWICE,      /* answers twice (the agent must drop the stale copy) */
    BAD_CLOSE,      /* closes the IPC socket instead of answering */
};

struct hv {
    int fd;                       /* our end of the IPC socketpair */
    int stop[2];
    pthread_t th;
    pthread_mutex_t mu;
    uint16_t bad_op;
    enum bad bad;
    unsigned nreq[XENIA_AGENT_OP_ACTIVATE + 1];
    unsigned bad_requests;        /* requests that broke the IPC contract */
    uint8_t qd[32];
    uint8_t level[64];
    uint8_t act[AP_ACTIVATE_MAX];
    size_t act_len;
    uint8_t rx[XENIA_AGENT_MSG_MAX + 16];
    uint8_t tx[XENIA_AGENT_MSG_MAX + 8192];
};

static void hv_send(struct hv *h, const void *p, size_t n)
{
    if (send(h->fd, p, n, MSG_NOSIGNAL) != (ssize_t)n)
        h->bad_requests += 1000;     /* flagged: the test cannot send */
}

/* Send a reply (header + body), misbehaving as configured for this op. */
static void hv_reply(struct hv *h, uint16_t op, int32_t error, uint64_t total, const void *body,
                     uint32_t len)
{
    struct xenia_agent_rep r = {
        .magic = XENIA_AGENT_MAGIC, .version = XENIA_AGENT_VERSION, .op = op,
        .error = error, .len = len, .total = total,
    };
    enum bad bad = op == h->bad_op ? h->bad : BAD_NONE;
    size_t n;

    switch (bad) {
    case BAD_ERROR:  r.error = -XENIA_EACCES; r.len = len = 0; r.total = 0; break;
    case BAD_MAGIC:  r.magic ^= 0x100; break;
    case BAD_OP:     r.op = op == XENIA_AGENT_OP_ACTIVATE ? 1 : op + 1; break;
    case BAD_LEN:    r.len = len + 8; break;
    case BAD_TOTAL:
        r.total = op == XENIA_AGENT_OP_LOG ? F_LOG_LEN - 1 :
                  op == XENIA_AGENT_OP_POLICY ? AP_POLICY_MAX + 1ull : 5;
        break;
    case BAD_CHUNK:  r.len = len = len - 1; break;
    case BAD_ITEMS:
        if (op == XENIA_AGENT_OP_DOMAINS)
            r.len = len = len - 1;
        break;
    default: break;
    }
    memcpy(h->tx, &r, sizeof(r));
    if (len)
        memcpy(h->tx + sizeof(r), body, len);
    n = sizeof(r) + len;
    if (bad == BAD_ITEMS && op != XENIA_AGENT_OP_DOMAINS && len >= 8)
        h->tx[sizeof(r) + 2] = 1;                      /* first item's pad */
    if (bad == BAD_SHORT)
        n = 10;
    if (bad == BAD_BIG) {
        memset(h->tx + n, 0, 70000 - n);
        r.len = 70000 - sizeof(r);
        memcpy(h->tx, &r, sizeof(r));
        n = 70000;
    }
    if (bad == BAD_CLOSE) {
        shutdown(h->fd, SHUT_RDWR);
        return;
    }
    hv_send(h, h->tx, n);
    if (bad == BAD_TWICE)
        hv_send(h, h->tx, n);
}

/* Check one request against the IPC contract and answer it. */
static void hv_handle(struct hv *h, size_t n)
{
    uint8_t body[4096];
    struct xenia_agent_req q;
    struct xenia_agent_range rg;
    size_t blen = 0;
    uint32_t u;

    if (n < sizeof(q)) {
        h->bad_requests++;
        return;
    }
    memcpy(&q, h->rx, sizeof(q));
    if (q.magic != XENIA_AGENT_MAGIC || q.version != XENIA_AGENT_VERSION || q.pad != 0 ||
        q.len != n - sizeof(q) || q.op < 1 || q.op > XENIA_AGENT_OP_ACTIVATE) {
        h->bad_requests++;
        return;
    }
    pthread_mutex_lock(&h->mu);
    h->nreq[q.op]++;
    pthread_mutex_unlock(&h->mu);
    const uint8_t *in = h->rx + sizeof(q);
    switch (q.op) {
    case XENIA_AGENT_OP_STATIC:
        if (q.len != 0)
            h->bad_requests++;
        if (att_item_put(body, sizeof(body), &blen, XENIA_ATT_EK_CERT, F.ek, sizeof(F.ek)) ||
            att_item_put(body, sizeof(body), &blen, XENIA_ATT_EK_CHAIN, F.chain1, sizeof(F.chain1)) ||
            att_item_put(body, sizeof(body), &blen, XENIA_ATT_EK_CHAIN, F.chain2, sizeof(F.chain2)) ||
            att_item_put(body, sizeof(body), &blen, XENIA_ATT_AK_PUB, F.akpub, sizeof(F.akpub)))
            h->bad_requests += 1000;
        hv_reply(h, q.op, 0, 0, body, (uint32_t)blen);
        break;
    case XENIA_AGENT_OP_QUOTE: {
        uint64_t ll = F_LOG_LEN;
        uint8_t pcrs[sizeof(F.pcrs)];

        if (q.len != 32) {
            h->bad_requests++;
            hv_reply(h, q.op, -XENIA_EINVAL, 0, NULL, 0);
            break;
        }
        pthread_mutex_lock(&h->mu);
        memcpy(h->qd, in, 32);
        pthread_mutex_unlock(&h->mu);
        memcpy(pcrs, F.pcrs, sizeof(pcrs));
        if (h->bad_op == q.op && h->bad == BAD_PCRS) {
            u = 25;
            memcpy(pcrs, &u, 4);
        }
        if (att_item_put(body, sizeof(body), &blen, XENIA_ATT_QUOTE, F.quote, sizeof(F.quote)) ||
            att_item_put(body, sizeof(body), &blen, XENIA_ATT_SIG, F.sig, sizeof(F.sig)) ||
            att_item_put(body, sizeof(body), &blen, XENIA_ATT_PCRS, pcrs, sizeof(pcrs)) ||
            att_item_put(body, sizeof(body), &blen, XENIA_ATT_LOG_LEN, &ll, 8))
            h->bad_requests += 1000;
        hv_reply(h, q.op, 0, 0, body, (uint32_t)blen);
        break;
    }
    case XENIA_AGENT_OP_LOG:
    case XENIA_AGENT_OP_POLICY: {
        const uint8_t *obj = q.op == XENIA_AGENT_OP_LOG ? F.log : F.policy;
        uint64_t total = q.op == XENIA_AGENT_OP_LOG ? F_LOG_TOTAL : F_POL_LEN;
        uint64_t take;

        memcpy(&rg, in, sizeof(rg));
        if (q.len != sizeof(rg) || rg.pad != 0 || rg.len == 0 || rg.len > XENIA_AGENT_CHUNK ||
            rg.offset > total) {
            h->bad_requests++;
            hv_reply(h, q.op, -XENIA_EINVAL, 0, NULL, 0);
            break;
        }
        /* The agent may only ask for the part the quote covers. */
        if (q.op == XENIA_AGENT_OP_LOG && rg.offset + rg.len > F_LOG_LEN)
            h->bad_requests++;
        take = total - rg.offset < rg.len ? total - rg.offset : rg.len;
        hv_reply(h, q.op, 0, total, obj + rg.offset, (uint32_t)take);
        break;
    }
    case XENIA_AGENT_OP_DOMAINS:
        if (q.len != 64) {
            h->bad_requests++;
            hv_reply(h, q.op, -XENIA_EINVAL, 0, NULL, 0);
            break;
        }
        pthread_mutex_lock(&h->mu);
        memcpy(h->level, in, 64);
        pthread_mutex_unlock(&h->mu);
        hv_reply(h, q.op, 0, 0, F.doms, sizeof(F.doms));
        break;
    case XENIA_AGENT_OP_ACTIVATE:
        pthread_mutex_lock(&h->mu);
        h->act_len = q.len <= sizeof(h->act) ? q.len : 0;
        memcpy(h->act, in, h->act_len);
        pthread_mutex_unlock(&h->mu);
        if (att_item_put(body, sizeof(body), &blen, XENIA_ATT_SECRET, F.secret, sizeof(F.secret)))
            h->bad_requests += 1000;
        hv_reply(h, q.op, 0, 0, body, (uint32_t)blen);
        break;
    }
}

static void *hv_main(void *arg)
{
    struct hv *h = arg;

    for (;;) {
        struct pollfd p[2] = { { .fd = h->fd, .events = POLLIN }, { .fd = h->stop[0], .events = POLLIN } };
        ssize_t n;

        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (!p[0].revents)
            continue;
        n = recv(h->fd, h->rx, sizeof(h->rx), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        hv_handle(h, (size_t)n);
    }
    return NULL;
}

static void hv_set(struct hv *h, uint16_t op, enum bad bad)
{
    pthread_mutex_lock(&h->mu);
    h->bad_op = op;
    h->bad = bad;
    pthread_mutex_unlock(&h->mu);
}

/* ------------------------------------------------------------------------- */
/* Starting the agent                                                        */
/* ------------------------------------------------------------------------- */

struct agent {
    int confined;
    pid_t pid;
    struct stubdom_proc proc;     /* confined */
    uint16_t port;
    struct hv *hv;
};

static char bin_path[600];
static int skip_confined;
static char skip_why[128];
static char tmpdir[64];

static uint64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int make_listener(uint16_t *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    assert_true(fd >= 0);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void agent_start(struct agent *a, int confined)
{
    int ipc[2], lfd;

    memset(a, 0, sizeof(*a));
    a->confined = confined;
    a->pid = -1;
    a->proc.pidfd = -1;
    lfd = make_listener(&a->port);
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ipc), 0);
    a->hv = calloc(1, sizeof(*a->hv));
    assert_non_null(a->hv);
    a->hv->fd = ipc[0];
    pthread_mutex_init(&a->hv->mu, NULL);
    assert_int_equal(pipe2(a->hv->stop, O_CLOEXEC), 0);
    assert_int_equal(pthread_create(&a->hv->th, NULL, hv_main, a->hv), 0);
    if (confined) {
        struct stubdom_spec spec;
        char err[256] = "", name[32];

        memset(&spec, 0, sizeof(spec));
        spec.role = STUBDOM_ATTEST;
        snprintf(name, sizeof(name), "t-attest-%d", (int)getpid());
        spec.name = name;
        spec.fds[0] = ipc[1];
        spec.fds[1] = lfd;
        spec.nfds = 2;
        spec.uid = stubdom_uid(STUBDOM_ATTEST, 0);
        if (stubdom_spawn(&spec, &a->proc, err, sizeof(err)) < 0)
            fail_msg("stubdom_spawn: %s", err);
        a->pid = a->proc.pid;
    } else {
        a->pid = fork();
        assert_true(a->pid >= 0);
        if (a->pid == 0) {
            int t0 = fcntl(ipc[1], F_DUPFD, 64), t1 = fcntl(lfd, F_DUPFD, 64);
            char *argv[] = { bin_path, NULL };

            if (t0 < 0 || t1 < 0 || dup2(t0, XENIA_AGENT_FD_IPC) < 0 ||
                dup2(t1, XENIA_AGENT_FD_LISTEN) < 0)
                _exit(120);
            close_range(5, ~0u, 0);
            if (getenv("XENIA_AGENT_TEST_VERBOSE") == NULL) {
                int null = open("/dev/null", O_WRONLY);
                if (null >= 0)
                    dup2(null, 2);
            }
            execv(bin_path, argv);
            _exit(127);
        }
    }
    close(ipc[1]);
    close(lfd);
}

static int agent_alive(struct agent *a)
{
    if (a->confined) {
        struct pollfd p = { .fd = a->proc.pidfd, .events = POLLIN };
        return poll(&p, 1, 0) == 0;
    }
    int st;
    return waitpid(a->pid, &st, WNOHANG) == 0;
}

/* Wait up to 5 s for the agent to exit; its wait status, or -1. */
static int agent_wait(struct agent *a)
{
    if (a->confined) {
        struct pollfd p = { .fd = a->proc.pidfd, .events = POLLIN };
        char why[64];

        if (poll(&p, 1, 5000) != 1)
            return -1;
        int st = stubdom_reap(&a->proc, why, sizeof(why));
        print_message("  agent: %s\n", why);
        return st;
    }
    for (int i = 0; i < 5000; i++) {
        int st;
        if (waitpid(a->pid, &st, WNOHANG) == a->pid) {
            a->pid = -1;
            return st;
        }
        usleep(1000);
    }
    return -1;
}

static void hv_stop(struct hv *h)
{
    assert_int_equal(write(h->stop[1], "x", 1), 1);
    pthread_join(h->th, NULL);
}

/* hv closes the IPC socket: the agent must exit with status 0. */
static void agent_stop(struct agent *a)
{
    int st;

    hv_stop(a->hv);
    close(a->hv->fd);
    st = agent_wait(a);
    if (st < 0) {
        if (a->confined)
            stubdom_kill(&a->proc);
        else
            kill(a->pid, SIGKILL), waitpid(a->pid, &st, 0);
        fail_msg("the agent did not exit when hv closed the IPC socket");
    }
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_int_equal(a->hv->bad_requests, 0);
    close(a->hv->stop[0]);
    close(a->hv->stop[1]);
    pthread_mutex_destroy(&a->hv->mu);
    free(a->hv);
    a->hv = NULL;
}

/* ------------------------------------------------------------------------- */
/* The verifier side                                                         */
/* ------------------------------------------------------------------------- */

struct result {
    int rc;                       /* 0 or the first failing call's code */
    uint16_t type;                /* type of the reply to HELLO */
    uint8_t *ev;                  /* its items (EV_CAP buffer) */
    size_t evlen;
    int32_t err_code;             /* when type == ERROR */
    char reason[256];
    uint8_t binding[32];
    uint8_t nonce[32];
    uint16_t act_type;            /* reply to ACTIVATE (0 when not sent) */
    uint8_t act[512];
    size_t act_len;
    uint64_t hello_us;            /* HELLO sent -> reply received */
};

static void get_error(struct result *r, const uint8_t *items, size_t len)
{
    struct att_item it[4];
    unsigned n;

    r->err_code = 0;
    if (att_items_parse(items, len, it, 4, &n, NULL, 0) == 0 && n == 1)
        (void)!att_error_get(&it[0], &r->err_code, r->reason, sizeof(r->reason));
}

static void hello_items(uint8_t *buf, size_t cap, size_t *len, const uint8_t *nonce,
                        const char *level)
{
    uint8_t lv[64] = { 0 };

    memcpy(lv, level, strnlen(level, sizeof(lv) - 1));
    *len = 0;
    assert_int_equal(att_item_put(buf, cap, len, XENIA_ATT_NONCE, nonce, 32), 0);
    assert_int_equal(att_item_put(buf, cap, len, XENIA_ATT_LEVEL, lv, 64), 0);
}

static int connect_client(struct agent *a, struct tlschan **c)
{
    char err[256] = "";
    int rc = tlschan_connect("127.0.0.1", a->port, CLIENT_MS, c, err, sizeof(err));

    if (rc < 0)
        print_error("client: %s\n", err);
    return rc;
}

/* One verifier session: HELLO (level), then ACTIVATE when activate is set. */
static void session(struct agent *a, const char *level, int activate, struct result *r)
{
    uint8_t hello[256], act[256];
    struct tlschan *c = NULL;
    size_t hlen, alen = 0;
    uint64_t t0;

    memset(r, 0, sizeof(*r));
    r->ev = malloc(EV_CAP);
    assert_non_null(r->ev);
    for (int i = 0; i < 32; i++)
        r->nonce[i] = (uint8_t)rand();
    if ((r->rc = connect_client(a, &c)) < 0)
        return;
    memcpy(r->binding, tlschan_binding(c), 32);
    hello_items(hello, sizeof(hello), &hlen, r->nonce, level);
    t0 = now_us();
    if ((r->rc = tlschan_send(c, XENIA_ATT_MSG_HELLO, hello, (uint32_t)hlen)) < 0)
        goto out;
    r->rc = tlschan_recv(c, &r->type, r->ev, EV_CAP, &r->evlen, CLIENT_MS);
    r->hello_us = now_us() - t0;
    if (r->rc < 0)
        goto out;
    if (r->type == XENIA_ATT_MSG_ERROR) {
        get_error(r, r->ev, r->evlen);
        goto out;
    }
    if (!activate || r->type != XENIA_ATT_MSG_EVIDENCE)
        goto out;
    uint8_t idobj[50], encsec[60];
    fill(idobj, sizeof(idobj), 21);
    fill(encsec, sizeof(encsec), 22);
    assert_int_equal(att_item_put(act, sizeof(act), &alen, XENIA_ATT_IDOBJ, idobj, sizeof(idobj)), 0);
    assert_int_equal(att_item_put(act, sizeof(act), &alen, XENIA_ATT_ENCSECRET, encsec,
                                  sizeof(encsec)), 0);
    if ((r->rc = tlschan_send(c, XENIA_ATT_MSG_ACTIVATE, act, (uint32_t)alen)) < 0)
        goto out;
    r->rc = tlschan_recv(c, &r->act_type, r->act, sizeof(r->act), &r->act_len, CLIENT_MS);
    if (r->rc == 0 && r->act_type == XENIA_ATT_MSG_ERROR)
        get_error(r, r->act, r->act_len);
out:
    tlschan_close(c);
}

static void result_free(struct result *r)
{
    free(r->ev);
    r->ev = NULL;
}

/* Check an EVIDENCE against the fake hv's data and the client's own values. */
static void check_evidence(struct agent *a, const struct result *r, const char *level)
{
    static const uint16_t order[] = {
        XENIA_ATT_EK_CERT, XENIA_ATT_EK_CHAIN, XENIA_ATT_EK_CHAIN, XENIA_ATT_AK_PUB,
        XENIA_ATT_QUOTE, XENIA_ATT_SIG, XENIA_ATT_PCRS, XENIA_ATT_EVLOG, XENIA_ATT_POLICY,
        XENIA_ATT_DOMAINS, XENIA_ATT_NONCE, XENIA_ATT_BINDING,
    };
    const struct { const void *p; size_t n; } want[] = {
        { F.ek, sizeof(F.ek) }, { F.chain1, sizeof(F.chain1) }, { F.chain2, sizeof(F.chain2) },
        { F.akpub, sizeof(F.akpub) }, { F.quote, sizeof(F.quote) }, { F.sig, sizeof(F.sig) },
        { F.pcrs, sizeof(F.pcrs) }, { F.log, F_LOG_LEN }, { F.policy, F_POL_LEN },
        { F.doms, sizeof(F.doms) }, { r->nonce, 32 }, { r->binding, 32 },
    };
    struct att_item it[32];
    uint8_t qd[32], lv[64] = { 0 };
    unsigned n;
    char err[128];

    assert_int_equal(r->rc, 0);
    assert_int_equal(r->type, XENIA_ATT_MSG_EVIDENCE);
    assert_int_equal(att_items_parse(r->ev, r->evlen, it, 32, &n, err, sizeof(err)), 0);
    assert_int_equal(n, sizeof(order) / sizeof(order[0]));
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(it[i].tag, order[i]);
        assert_int_equal(it[i].len, want[i].n);
        assert_memory_equal(it[i].data, want[i].p, want[i].n);
    }
    /* hv was asked to quote SHA-256(nonce || the client's binding): both ends
     * computed the same exporter value. */
    ap_qualifying_data(r->nonce, r->binding, qd);
    pthread_mutex_lock(&a->hv->mu);
    assert_memory_equal(a->hv->qd, qd, 32);
    memcpy(lv, level, strnlen(level, sizeof(lv) - 1));
    assert_memory_equal(a->hv->level, lv, 64);
    pthread_mutex_unlock(&a->hv->mu);
}

static void check_activated(struct agent *a, const struct result *r)
{
    struct att_item it[4];
    uint8_t want[256];
    size_t wlen = 0;
    uint8_t idobj[50], encsec[60];
    unsigned n;

    assert_int_equal(r->rc, 0);
    assert_int_equal(r->act_type, XENIA_ATT_MSG_ACTIVATED);
    assert_int_equal(att_items_parse(r->act, r->act_len, it, 4, &n, NULL, 0), 0);
    assert_int_equal(n, 1);
    assert_int_equal(it[0].tag, XENIA_ATT_SECRET);
    assert_int_equal(it[0].len, sizeof(F.secret));
    assert_memory_equal(it[0].data, F.secret, sizeof(F.secret));
    /* hv got the verifier's credential blob and secret unchanged. */
    fill(idobj, sizeof(idobj), 21);
    fill(encsec, sizeof(encsec), 22);
    assert_int_equal(att_item_put(want, sizeof(want), &wlen, XENIA_ATT_IDOBJ, idobj, sizeof(idobj)), 0);
    assert_int_equal(att_item_put(want, sizeof(want), &wlen, XENIA_ATT_ENCSECRET, encsec,
                                  sizeof(encsec)), 0);
    pthread_mutex_lock(&a->hv->mu);
    assert_int_equal(a->hv->act_len, wlen);
    assert_memory_equal(a->hv->act, want, wlen);
    pthread_mutex_unlock(&a->hv->mu);
}

/* A full good session (HELLO, EVIDENCE, ACTIVATE, ACTIVATED), checked. */
static void good_session(struct agent *a)
{
    struct result r;

    session(a, "s0:c1", 1, &r);
    check_evidence(a, &r, "s0:c1");
    check_activated(a, &r);
    result_free(&r);
}

/* ------------------------------------------------------------------------- */
/* Hostile clients                                                           */
/* ------------------------------------------------------------------------- */

static int raw_connect(struct agent *a)
{
    struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(a->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&s, sizeof(s)), 0);
    return fd;
}

/* Wait until the agent closes fd (reads 0 or ECONNRESET); ms taken, or -1. */
static long wait_closed(int fd, int timeout_ms)
{
    uint64_t t0 = now_us();
    char buf[4096];

    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        long left = timeout_ms - (long)((now_us() - t0) / 1000);

        if (left <= 0 || poll(&p, 1, (int)left) != 1)
            return -1;
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return (long)((now_us() - t0) / 1000);
    }
}

static void garbage_client(struct agent *a)
{
    static const char http[] = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
    uint8_t junk[3000];
    int fd;

    fd = raw_connect(a);
    assert_int_equal(send(fd, http, sizeof(http) - 1, MSG_NOSIGNAL), (ssize_t)sizeof(http) - 1);
    assert_true(wait_closed(fd, 7000) >= 0);
    close(fd);
    fd = raw_connect(a);
    fill(junk, sizeof(junk), 99);
    (void)!send(fd, junk, sizeof(junk), MSG_NOSIGNAL);
    assert_true(wait_closed(fd, 7000) >= 0);
    close(fd);
    assert_true(agent_alive(a));
}

/* A TLS record header announcing a ClientHello, a few bytes of it, then gone. */
static void vanishing_client(struct agent *a)
{
    static const uint8_t part[] = { 0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03,
                                    0x03, 0xaa, 0xbb };
    int fd = raw_connect(a);
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };

    assert_int_equal(send(fd, part, sizeof(part), MSG_NOSIGNAL), (ssize_t)sizeof(part));
    usleep(50000);
    close(fd);
    /* And one that resets the connection (RST) right after connecting. */
    fd = raw_connect(a);
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    close(fd);
    usleep(50000);
    assert_true(agent_alive(a));
}

/* After the handshake: messages that break the protocol get an ERROR (or a
 * closed connection), never a dead agent. */
static void bad_messages(struct agent *a)
{
    uint8_t items[512], nonce[32] = { 1 }, lv[64] = { 0 }, rbuf[1024];
    struct tlschan *c;
    struct result r;
    size_t len, rlen;
    uint16_t type;
    int rc;

    /* 1. ACTIVATE first. 2. HELLO without LEVEL. 3. HELLO with a bad level.
     * 4. HELLO with an unknown extra item. 5. HELLO with duplicate NONCE. */
    for (int k = 1; k <= 5; k++) {
        assert_int_equal(connect_client(a, &c), 0);
        len = 0;
        memcpy(lv, k == 3 ? "s0 c1" : "s0:c1", 6);
        assert_int_equal(att_item_put(items, sizeof(items), &len, XENIA_ATT_NONCE, nonce, 32), 0);
        if (k != 2)
            assert_int_equal(att_item_put(items, sizeof(items), &len, XENIA_ATT_LEVEL, lv, 64), 0);
        if (k == 4)
            assert_int_equal(att_item_put(items, sizeof(items), &len, XENIA_ATT_QUOTE, "x", 1), 0);
        if (k == 5)
            assert_int_equal(att_item_put(items, sizeof(items), &len, XENIA_ATT_NONCE, nonce, 32), 0);
        assert_int_equal(tlschan_send(c, k == 1 ? XENIA_ATT_MSG_ACTIVATE : XENIA_ATT_MSG_HELLO,
                                      items, (uint32_t)len), 0);
        rc = tlschan_recv(c, &type, rbuf, sizeof(rbuf), &rlen, CLIENT_MS);
        assert_int_equal(rc, 0);
        assert_int_equal(type, XENIA_ATT_MSG_ERROR);
        memset(&r, 0, sizeof(r));
        get_error(&r, rbuf, rlen);
        assert_int_equal(r.err_code, -XENIA_EPROTO);
        assert_true(strlen(r.reason) > 0);
        tlschan_close(c);
    }
    /* 6. A HELLO of 1 MiB, far over the agent's HELLO buffer: refused after
     * the header (ERROR, or a reset while we are still sending), unread. */
    assert_int_equal(connect_client(a, &c), 0);
    uint8_t *big = calloc(1, 1u << 20);
    assert_non_null(big);
    rc = tlschan_send(c, XENIA_ATT_MSG_HELLO, big, 1u << 20);
    free(big);
    if (rc == 0) {
        rc = tlschan_recv(c, &type, rbuf, sizeof(rbuf), &rlen, CLIENT_MS);
        assert_true(rc == 0 || rc == -XENIA_ENOTCONN);
        if (rc == 0)
            assert_int_equal(type, XENIA_ATT_MSG_ERROR);
    } else {
        assert_int_equal(rc, -XENIA_ENOTCONN);
    }
    tlschan_close(c);
    assert_true(agent_alive(a));
}

/* A client that connects and never speaks, and one that stops after the
 * handshake: each holds the agent at most ~5 s, then the next client is served. */
static void stalled_clients(struct agent *a)
{
    struct tlschan *c;
    uint8_t rbuf[64];
    size_t rlen;
    uint16_t type;
    long ms;
    int fd;

    fd = raw_connect(a);
    ms = wait_closed(fd, 8000);
    close(fd);
    print_message("  silent client dropped after %ld ms\n", ms);
    assert_true(ms >= 4000 && ms <= 7000);
    good_session(a);

    assert_int_equal(connect_client(a, &c), 0);
    uint64_t t0 = now_us();
    int rc = tlschan_recv(c, &type, rbuf, sizeof(rbuf), &rlen, 8000);
    ms = (long)((now_us() - t0) / 1000);
    print_message("  client silent after the handshake dropped after %ld ms (%d)\n", ms, rc);
    assert_int_equal(rc, -XENIA_ENOTCONN);
    assert_true(ms >= 3500 && ms <= 7000);
    tlschan_close(c);
    good_session(a);
}

/* ------------------------------------------------------------------------- */
/* Misbehaving hv                                                            */
/* ------------------------------------------------------------------------- */

static const struct {
    uint16_t op;
    enum bad bad;
    int32_t want;                 /* ERROR code the client must get; 0 = success */
} hv_cases[] = {
    { XENIA_AGENT_OP_STATIC, BAD_ERROR, -XENIA_EACCES },
    { XENIA_AGENT_OP_STATIC, BAD_MAGIC, -XENIA_EPROTO },
    { XENIA_AGENT_OP_STATIC, BAD_OP, -XENIA_EPROTO },
    { XENIA_AGENT_OP_STATIC, BAD_LEN, -XENIA_EPROTO },
    { XENIA_AGENT_OP_STATIC, BAD_SHORT, -XENIA_EPROTO },
    { XENIA_AGENT_OP_STATIC, BAD_ITEMS, -XENIA_EPROTO },
    { XENIA_AGENT_OP_STATIC, BAD_BIG, -XENIA_EPROTO },
    { XENIA_AGENT_OP_STATIC, BAD_TOTAL, -XENIA_EPROTO },
    { XENIA_AGENT_OP_QUOTE, BAD_ERROR, -XENIA_EACCES },
    { XENIA_AGENT_OP_QUOTE, BAD_ITEMS, -XENIA_EPROTO },
    { XENIA_AGENT_OP_QUOTE, BAD_PCRS, -XENIA_EPROTO },
    { XENIA_AGENT_OP_QUOTE, BAD_OP, -XENIA_EPROTO },
    { XENIA_AGENT_OP_LOG, BAD_ERROR, -XENIA_EACCES },
    { XENIA_AGENT_OP_LOG, BAD_TOTAL, -XENIA_EPROTO },
    { XENIA_AGENT_OP_LOG, BAD_CHUNK, -XENIA_EPROTO },
    { XENIA_AGENT_OP_LOG, BAD_LEN, -XENIA_EPROTO },
    { XENIA_AGENT_OP_POLICY, BAD_ERROR, -XENIA_EACCES },
    { XENIA_AGENT_OP_POLICY, BAD_TOTAL, -XENIA_EPROTO },
    { XENIA_AGENT_OP_POLICY, BAD_CHUNK, -XENIA_EPROTO },
    { XENIA_AGENT_OP_DOMAINS, BAD_ERROR, -XENIA_EACCES },
    { XENIA_AGENT_OP_DOMAINS, BAD_ITEMS, -XENIA_EPROTO },
    { XENIA_AGENT_OP_DOMAINS, BAD_TWICE, 0 },
    { XENIA_AGENT_OP_ACTIVATE, BAD_ERROR, -XENIA_EACCES },
    { XENIA_AGENT_OP_ACTIVATE, BAD_ITEMS, -XENIA_EPROTO },
    { XENIA_AGENT_OP_ACTIVATE, BAD_MAGIC, -XENIA_EPROTO },
};

static void bad_hv(struct agent *a, unsigned first, unsigned last)
{
    for (unsigned i = first; i < last; i++) {
        struct result r;
        int32_t got;

        hv_set(a->hv, hv_cases[i].op, hv_cases[i].bad);
        session(a, "s0:c1", 1, &r);
        hv_set(a->hv, 0, BAD_NONE);
        assert_int_equal(r.rc, 0);
        if (hv_cases[i].op == XENIA_AGENT_OP_ACTIVATE) {
            assert_int_equal(r.type, XENIA_ATT_MSG_EVIDENCE);
            got = r.act_type == XENIA_ATT_MSG_ERROR ? r.err_code : 0;
        } else {
            got = r.type == XENIA_ATT_MSG_ERROR ? r.err_code : 0;
        }
        if (got != hv_cases[i].want)
            fail_msg("hv case %u (op %s, bad %d): client got %d, want %d (%s)", i,
                     ap_op_name(hv_cases[i].op), hv_cases[i].bad, got, hv_cases[i].want, r.reason);
        if (hv_cases[i].want == 0)
            check_evidence(a, &r, "s0:c1");
        result_free(&r);
        assert_true(agent_alive(a));
    }
    good_session(a);
}

/* ------------------------------------------------------------------------- */
/* Figures                                                                   */
/* ------------------------------------------------------------------------- */

static long status_kib(pid_t pid, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            v = strtol(line + klen + 1, NULL, 10);
    fclose(f);
    return v;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static void figures(struct agent *a, const char *what)
{
    uint64_t t[21];
    struct result r;

    for (int i = 0; i < 21; i++) {
        session(a, "s0:c1", 0, &r);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.type, XENIA_ATT_MSG_EVIDENCE);
        t[i] = r.hello_us;
        result_free(&r);
    }
    if (getenv("XENIA_AGENT_TEST_VERBOSE"))
        for (int i = 0; i < 21; i++)
            print_message("    %d: %.2f ms\n", i, t[i] / 1000.0);
    qsort(t, 21, sizeof(t[0]), cmp_u64);
    usleep(100000);
    print_message("  %s: HELLO->EVIDENCE (%u KiB of items) median %.2f ms (min %.2f, max %.2f); "
                  "idle VmRSS %ld KiB (VmHWM %ld KiB)\n", what,
                  (unsigned)((F_LOG_LEN + F_POL_LEN + 2000) / 1024), t[10] / 1000.0,
                  t[0] / 1000.0, t[20] / 1000.0, status_kib(a->pid, "VmRSS"),
                  status_kib(a->pid, "VmHWM"));
}

/* ------------------------------------------------------------------------- */
/* Tests: the pure half                                                      */
/* ------------------------------------------------------------------------- */

static size_t mkrep(uint8_t *buf, uint16_t op, int32_t error, uint64_t total, const void *body,
                    uint32_t len)
{
    struct xenia_agent_rep r = {
        .magic = XENIA_AGENT_MAGIC, .version = XENIA_AGENT_VERSION, .op = op,
        .error = error, .len = len, .total = total,
    };

    memcpy(buf, &r, sizeof(r));
    if (len)
        memcpy(buf + sizeof(r), body, len);
    return sizeof(r) + len;
}

static void test_proto_req_rep(void **state)
{
    static uint8_t buf[XENIA_AGENT_MSG_MAX + 64];
    struct xenia_agent_req q;
    struct ap_rep rep;
    char err[160];
    size_t len, n;

    (void)state;
    assert_int_equal(ap_req_encode(buf, sizeof(buf), XENIA_AGENT_OP_QUOTE, "0123456789abcdef0123456789abcdef",
                                   32, &len), 0);
    assert_int_equal(len, 48);
    memcpy(&q, buf, sizeof(q));
    assert_int_equal(q.magic, XENIA_AGENT_MAGIC);
    assert_int_equal(q.op, XENIA_AGENT_OP_QUOTE);
    assert_int_equal(q.len, 32);
    assert_int_equal(q.pad, 0);
    assert_int_equal(ap_req_encode(buf, sizeof(buf), 0, NULL, 0, &len), -XENIA_EINVAL);
    assert_int_equal(ap_req_encode(buf, sizeof(buf), 7, NULL, 0, &len), -XENIA_EINVAL);
    assert_int_equal(ap_req_encode(buf, sizeof(buf), 1, NULL, 4, &len), -XENIA_EINVAL);
    assert_int_equal(ap_req_encode(buf, 20, 2, buf + 100, 8, &len), -XENIA_E2BIG);
    assert_int_equal(ap_req_encode(buf, sizeof(buf), 2, buf + 100, XENIA_AGENT_MSG_MAX, &len),
                     -XENIA_E2BIG);

    n = mkrep(buf, XENIA_AGENT_OP_LOG, 0, 77, "abcdefgh", 8);
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_LOG, &rep, err, sizeof(err)), 0);
    assert_int_equal(rep.error, 0);
    assert_int_equal(rep.total, 77);
    assert_int_equal(rep.len, 8);
    assert_ptr_equal(rep.body, buf + 24);
    /* Every header rejection. */
    assert_int_equal(ap_rep_decode(buf, 23, XENIA_AGENT_OP_LOG, &rep, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_POLICY, &rep, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_rep_decode(buf, n - 1, XENIA_AGENT_OP_LOG, &rep, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_rep_decode(buf, XENIA_AGENT_MSG_MAX + 1, XENIA_AGENT_OP_LOG, &rep, err,
                                   sizeof(err)), -XENIA_EPROTO);
    buf[0] ^= 1;
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_LOG, &rep, err, sizeof(err)), -XENIA_EPROTO);
    buf[0] ^= 1;
    buf[4] = 2;   /* version */
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_LOG, &rep, err, sizeof(err)), -XENIA_EPROTO);
    n = mkrep(buf, XENIA_AGENT_OP_QUOTE, 0, 1, NULL, 0);       /* total on a non-chunk op */
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_QUOTE, &rep, err, sizeof(err)), -XENIA_EPROTO);
    n = mkrep(buf, XENIA_AGENT_OP_QUOTE, 5, 0, NULL, 0);       /* positive error */
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_QUOTE, &rep, err, sizeof(err)), -XENIA_EPROTO);
    n = mkrep(buf, XENIA_AGENT_OP_QUOTE, -5000, 0, NULL, 0);
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_QUOTE, &rep, err, sizeof(err)), -XENIA_EPROTO);
    n = mkrep(buf, XENIA_AGENT_OP_QUOTE, -XENIA_EACCES, 0, "why", 3);
    assert_int_equal(ap_rep_decode(buf, n, XENIA_AGENT_OP_QUOTE, &rep, err, sizeof(err)), 0);
    assert_int_equal(rep.error, -XENIA_EACCES);
}

static void test_proto_items(void **state)
{
    uint8_t b[8192], pcrs[4 + 2 * 36] = { 0 };
    struct ap_static st;
    struct ap_quote q;
    struct att_item sec;
    uint64_t ll = 1000;
    size_t len = 0;
    uint32_t v;
    char err[160];

    (void)state;
    /* OP_STATIC */
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CERT, "cert", 4), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CHAIN, "ca", 2), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_AK_PUB, "ak", 2), 0);
    assert_int_equal(ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err)), 0);
    assert_int_equal(st.nchain, 8);
    assert_int_equal(st.ek_cert.len, 4);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CHAIN, "ca", 2), 0);
    assert_int_equal(ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err)), -XENIA_EPROTO);
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_AK_PUB, "ak", 2), 0);
    assert_int_equal(ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err)), -XENIA_EPROTO);   /* no EK */
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CERT, "c", 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CERT, "c", 1), 0);
    assert_int_equal(ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err)), -XENIA_EPROTO);   /* two */
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CERT, "c", 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_AK_PUB, NULL, 0), 0);
    assert_int_equal(ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err)), -XENIA_EPROTO);   /* empty */
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_EK_CERT, "c", 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_AK_PUB, "a", 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_NONCE, "n", 1), 0);
    assert_int_equal(ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err)), -XENIA_EPROTO);   /* extra */

    /* PCRS */
    v = 2;
    memcpy(pcrs, &v, 4);
    v = 8;
    memcpy(pcrs + 4, &v, 4);
    v = 10;
    memcpy(pcrs + 40, &v, 4);
    assert_int_equal(ap_pcrs_check(pcrs, sizeof(pcrs), err, sizeof(err)), 0);
    assert_int_equal(ap_pcrs_check(pcrs, sizeof(pcrs) - 1, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_pcrs_check(pcrs, 3, err, sizeof(err)), -XENIA_EPROTO);
    v = 8;
    memcpy(pcrs + 40, &v, 4);       /* not increasing */
    assert_int_equal(ap_pcrs_check(pcrs, sizeof(pcrs), err, sizeof(err)), -XENIA_EPROTO);
    v = 24;
    memcpy(pcrs + 40, &v, 4);
    assert_int_equal(ap_pcrs_check(pcrs, sizeof(pcrs), err, sizeof(err)), -XENIA_EPROTO);
    v = 10;
    memcpy(pcrs + 40, &v, 4);
    v = 0;
    memcpy(pcrs, &v, 4);
    assert_int_equal(ap_pcrs_check(pcrs, 4, err, sizeof(err)), -XENIA_EPROTO);
    v = 2;
    memcpy(pcrs, &v, 4);

    /* OP_QUOTE */
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_QUOTE, "q", 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_SIG, "s", 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_PCRS, pcrs, sizeof(pcrs)), 0);
    size_t before_ll = len;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_LOG_LEN, &ll, 8), 0);
    assert_int_equal(ap_quote_parse(b, (uint32_t)len, &q, err, sizeof(err)), 0);
    assert_int_equal(q.log_len, 1000);
    ll = XENIA_EVLOG_MAX + 1ull;
    len = before_ll;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_LOG_LEN, &ll, 8), 0);
    assert_int_equal(ap_quote_parse(b, (uint32_t)len, &q, err, sizeof(err)), -XENIA_EPROTO);
    len = before_ll;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_LOG_LEN, &ll, 4), 0);
    assert_int_equal(ap_quote_parse(b, (uint32_t)len, &q, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_quote_parse(b, (uint32_t)before_ll, &q, err, sizeof(err)), -XENIA_EPROTO);

    /* OP_ACTIVATE reply */
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_SECRET, "0123456789abcdef", 16), 0);
    assert_int_equal(ap_secret_parse(b, (uint32_t)len, &sec, err, sizeof(err)), 0);
    assert_int_equal(sec.len, 16);
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_SECRET, b + 4000, 65), 0);
    assert_int_equal(ap_secret_parse(b, (uint32_t)len, &sec, err, sizeof(err)), -XENIA_EPROTO);
}

static void test_proto_chunks(void **state)
{
    struct ap_rep r = { 0 };
    struct xenia_agent_range rg;
    char err[160];
    struct xenia_att_domain d[2];

    (void)state;
    assert_int_equal(ap_range_encode(5, 0, &rg), -XENIA_EINVAL);
    assert_int_equal(ap_range_encode(5, XENIA_AGENT_CHUNK + 1, &rg), -XENIA_EINVAL);
    assert_int_equal(ap_range_encode(5, 9, &rg), 0);
    assert_int_equal(rg.offset, 5);
    assert_int_equal(rg.len, 9);
    assert_int_equal(rg.pad, 0);
    assert_int_equal(ap_chunk_len(0, 100000), XENIA_AGENT_CHUNK);
    assert_int_equal(ap_chunk_len(98000, 100000), 2000);
    assert_int_equal(ap_chunk_len(100000, 100000), 0);
    assert_int_equal(ap_chunk_len(100001, 100000), 0);

    /* Log: full chunks of the quoted part; total may be larger (log grew). */
    r.total = 5000; r.len = 100;
    assert_int_equal(ap_log_chunk_check(&r, 0, 100, 4000, err, sizeof(err)), 0);
    assert_int_equal(ap_log_chunk_check(&r, 0, 101, 4000, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_log_chunk_check(&r, 3950, 100, 4000, err, sizeof(err)), -XENIA_EPROTO);
    r.total = 3999;
    assert_int_equal(ap_log_chunk_check(&r, 0, 100, 4000, err, sizeof(err)), -XENIA_EPROTO);
    r.total = XENIA_EVLOG_MAX + 1ull;
    assert_int_equal(ap_log_chunk_check(&r, 0, 100, 4000, err, sizeof(err)), -XENIA_EPROTO);

    /* Policy: the first reply gives total; later ones must agree. */
    r.total = 100; r.len = 100;
    assert_int_equal(ap_policy_chunk_check(&r, 0, XENIA_AGENT_CHUNK, 0, err, sizeof(err)), 0);
    r.len = 99;
    assert_int_equal(ap_policy_chunk_check(&r, 0, XENIA_AGENT_CHUNK, 0, err, sizeof(err)), -XENIA_EPROTO);
    r.total = 0; r.len = 0;
    assert_int_equal(ap_policy_chunk_check(&r, 0, XENIA_AGENT_CHUNK, 0, err, sizeof(err)), 0);
    r.total = 40000; r.len = 7232;
    assert_int_equal(ap_policy_chunk_check(&r, 32768, 7232, 40000, err, sizeof(err)), 0);
    assert_int_equal(ap_policy_chunk_check(&r, 32768, 7232, 40001, err, sizeof(err)), -XENIA_EPROTO);
    r.total = AP_POLICY_MAX + 1ull;
    assert_int_equal(ap_policy_chunk_check(&r, 0, 100, 0, err, sizeof(err)), -XENIA_EPROTO);

    /* Domains */
    memset(d, 0, sizeof(d));
    assert_int_equal(ap_domains_check((uint8_t *)d, sizeof(d), err, sizeof(err)), 0);
    assert_int_equal(ap_domains_check((uint8_t *)d, 0, err, sizeof(err)), 0);
    assert_int_equal(ap_domains_check((uint8_t *)d, sizeof(d) - 1, err, sizeof(err)), -XENIA_EPROTO);
    memset(d[1].label, 'a', sizeof(d[1].label));
    assert_int_equal(ap_domains_check((uint8_t *)d, sizeof(d), err, sizeof(err)), -XENIA_EPROTO);
    memset(d[1].label, 0, sizeof(d[1].label));
    memset(d[0].name, 'a', sizeof(d[0].name));
    assert_int_equal(ap_domains_check((uint8_t *)d, sizeof(d), err, sizeof(err)), -XENIA_EPROTO);
}

static void test_proto_hello_activate(void **state)
{
    uint8_t b[4096], nonce[32], lv[64], out_n[32], out_l[64];
    struct att_item id, es;
    size_t len;
    char err[160];

    (void)state;
    fill(nonce, 32, 1);
    hello_items(b, sizeof(b), &len, nonce, "s0:c1,c2");
    assert_int_equal(ap_hello_parse(b, len, out_n, out_l, err, sizeof(err)), 0);
    assert_memory_equal(out_n, nonce, 32);
    assert_string_equal((char *)out_l, "s0:c1,c2");
    /* Truncated at every length: refused. */
    for (size_t cut = 0; cut < len; cut++)
        assert_int_equal(ap_hello_parse(b, cut, out_n, out_l, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(ap_hello_parse(b, AP_HELLO_MAX + 8, out_n, out_l, err, sizeof(err)), -XENIA_EPROTO);
    /* Levels */
    memset(lv, 0, sizeof(lv));
    assert_int_equal(ap_level_check(lv, err, sizeof(err)), -XENIA_EPROTO);          /* empty */
    memcpy(lv, "s0-s0:c0.c1023", 14);
    assert_int_equal(ap_level_check(lv, err, sizeof(err)), 0);
    lv[20] = 'x';                                                                   /* after NUL */
    assert_int_equal(ap_level_check(lv, err, sizeof(err)), -XENIA_EPROTO);
    memset(lv, 'a', sizeof(lv));                                                    /* no NUL */
    assert_int_equal(ap_level_check(lv, err, sizeof(err)), -XENIA_EPROTO);
    memset(lv, 0, sizeof(lv));
    memcpy(lv, "s0\n", 3);
    assert_int_equal(ap_level_check(lv, err, sizeof(err)), -XENIA_EPROTO);
    /* A nonce of the wrong size. */
    len = 0;
    memset(lv, 0, sizeof(lv));
    memcpy(lv, "s0", 2);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_NONCE, nonce, 31), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_LEVEL, lv, 64), 0);
    assert_int_equal(ap_hello_parse(b, len, out_n, out_l, err, sizeof(err)), -XENIA_EPROTO);

    /* ACTIVATE */
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_ENCSECRET, "es", 2), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_IDOBJ, "idobj", 5), 0);
    assert_int_equal(ap_activate_parse(b, len, &id, &es, err, sizeof(err)), 0);
    assert_int_equal(id.len, 5);
    assert_int_equal(es.len, 2);
    uint8_t body[AP_ACTIVATE_MAX];
    size_t blen;
    assert_int_equal(ap_activate_body(body, sizeof(body), &id, &es, &blen), 0);
    assert_int_equal(blen, 32);
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_IDOBJ, b + 2000, XENIA_TPM_IDOBJ_MAX + 1), 0);
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_ENCSECRET, "es", 2), 0);
    assert_int_equal(ap_activate_parse(b, len, &id, &es, err, sizeof(err)), -XENIA_EPROTO);
    len = 0;
    assert_int_equal(att_item_put(b, sizeof(b), &len, XENIA_ATT_IDOBJ, "i", 1), 0);
    assert_int_equal(ap_activate_parse(b, len, &id, &es, err, sizeof(err)), -XENIA_EPROTO);
}

static void test_proto_evidence(void **state)
{
    struct ap_static st = { 0 };
    struct ap_quote q = { 0 };
    struct ap_evidence e;
    uint8_t nonce[32], binding[32], qd[32], m[64], want[32];
    struct att_item it[16];
    static uint8_t buf[1 << 16];
    size_t len;
    unsigned n;

    (void)state;
    fill(nonce, 32, 3);
    fill(binding, 32, 4);
    st.ek_cert = (struct att_item){ XENIA_ATT_EK_CERT, 5, (const uint8_t *)"ekcrt" };
    st.chain[0] = (struct att_item){ XENIA_ATT_EK_CHAIN, 2, (const uint8_t *)"c0" };
    st.nchain = 1;
    st.ak_pub = (struct att_item){ XENIA_ATT_AK_PUB, 3, (const uint8_t *)"akp" };
    q.quote = (struct att_item){ XENIA_ATT_QUOTE, 1, (const uint8_t *)"q" };
    q.sig = (struct att_item){ XENIA_ATT_SIG, 1, (const uint8_t *)"s" };
    q.pcrs = (struct att_item){ XENIA_ATT_PCRS, 4, (const uint8_t *)"\0\0\0\0" };
    q.log_len = 3;
    e = (struct ap_evidence){ .st = &st, .q = &q, .log = (const uint8_t *)"log",
                              .policy = (const uint8_t *)"pol!", .policy_len = 4,
                              .domains = NULL, .domains_len = 0, .nonce = nonce,
                              .binding = binding };
    assert_int_equal(ap_evidence_size(&e), 11 * 8 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 0 + 32 + 32);
    assert_int_equal(ap_evidence_build(buf, sizeof(buf), &e, &len), 0);
    assert_int_equal(len, ap_evidence_size(&e));
    assert_int_equal(att_items_parse(buf, len, it, 16, &n, NULL, 0), 0);
    assert_int_equal(n, 11);
    assert_int_equal(it[10].tag, XENIA_ATT_BINDING);
    assert_memory_equal(it[9].data, nonce, 32);
    assert_int_equal(ap_evidence_build(buf, len - 1, &e, &len), -XENIA_E2BIG);
    assert_int_equal(len, 0);
    q.log_len = XENIA_ATT_MSG_MAX;                       /* over the message maximum */
    assert_int_equal(ap_evidence_size(&e), 0);
    /* Qualifying data = SHA-256(nonce || binding). */
    ap_qualifying_data(nonce, binding, qd);
    memcpy(m, nonce, 32);
    memcpy(m + 32, binding, 32);
    assert_int_equal(mbedtls_sha256_ret(m, 64, want, 0), 0);
    assert_memory_equal(qd, want, 32);
}

/* ------------------------------------------------------------------------- */
/* Tests: the TLS channel alone (socketpair, both ends in this process)       */
/* ------------------------------------------------------------------------- */

struct srv_arg {
    struct tlschan_server *s;
    int fd;
    int rc;
    uint8_t binding[32];
    uint16_t type;
    size_t len;
    uint8_t *buf;
};

static void *srv_thread(void *p)
{
    struct srv_arg *a = p;
    struct tlschan *c;
    char err[256];

    a->rc = tlschan_accept(a->s, a->fd, tlschan_now_ms() + 5000, &c, err, sizeof(err));
    if (a->rc < 0)
        return NULL;
    memcpy(a->binding, tlschan_binding(c), 32);
    a->rc = tlschan_recv(c, &a->type, a->buf, EV_CAP, &a->len, 5000);
    if (a->rc == 0)
        a->rc = tlschan_send(c, XENIA_ATT_MSG_EVIDENCE, a->buf, (uint32_t)a->len);
    tlschan_close(c);
    return NULL;
}

/* Both ends derive the same binding; a 1 MiB message round trip; a frame
 * larger than the receiver's buffer is E2BIG; a stalled peer times out. */
static void test_tlschan(void **state)
{
    struct tlschan_server *s;
    struct srv_arg a = { 0 };
    struct tlschan *c;
    pthread_t th;
    uint8_t *msg, *back, small[64];
    size_t len;
    uint16_t type;
    int sv[2];
    char err[256];

    (void)state;
    assert_int_equal(tlschan_server_new(&s, err, sizeof(err)), 0);
    msg = malloc(1u << 20);
    back = malloc(1u << 20);
    a.buf = malloc(EV_CAP);
    assert_true(msg && back && a.buf);
    fill(msg, 1u << 20, 5);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    a.s = s;
    a.fd = sv[0];
    assert_int_equal(pthread_create(&th, NULL, srv_thread, &a), 0);
    assert_int_equal(tlschan_client(sv[1], 5000, &c, err, sizeof(err)), 0);
    print_message("  suite %s\n", tlschan_suite(c));
    assert_int_equal(tlschan_send(c, XENIA_ATT_MSG_HELLO, msg, 1u << 20), 0);
    assert_int_equal(tlschan_recv(c, &type, back, 1u << 20, &len, 5000), 0);
    pthread_join(th, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(a.type, XENIA_ATT_MSG_HELLO);
    assert_int_equal(type, XENIA_ATT_MSG_EVIDENCE);
    assert_int_equal(len, 1u << 20);
    assert_memory_equal(back, msg, 1u << 20);
    assert_memory_equal(a.binding, tlschan_binding(c), 32);
    tlschan_close(c);

    /* Different sessions, different bindings; a frame over the buffer; a stall. */
    uint8_t first[32];
    memcpy(first, a.binding, 32);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    a.fd = sv[0];
    assert_int_equal(pthread_create(&th, NULL, srv_thread, &a), 0);
    assert_int_equal(tlschan_client(sv[1], 5000, &c, err, sizeof(err)), 0);
    assert_memory_not_equal(tlschan_binding(c), first, 32);
    assert_int_equal(tlschan_send(c, XENIA_ATT_MSG_HELLO, msg, 128), 0);
    assert_int_equal(tlschan_recv(c, &type, small, sizeof(small), &len, 5000), -XENIA_E2BIG);
    tlschan_close(c);
    pthread_join(th, NULL);

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    uint64_t t0 = tlschan_now_ms();
    assert_int_equal(tlschan_client(sv[1], 300, &c, err, sizeof(err)), -XENIA_ETIMEDOUT);
    assert_true(tlschan_now_ms() - t0 >= 290 && tlschan_now_ms() - t0 < 2000);
    close(sv[0]);
    /* A peer that hangs up mid-handshake. */
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    close(sv[0]);
    assert_int_equal(tlschan_client(sv[1], 1000, &c, err, sizeof(err)), -XENIA_ENOTCONN);
    /* Nothing listening. */
    uint16_t port;
    int lfd = make_listener(&port);
    close(lfd);
    assert_int_equal(tlschan_connect("127.0.0.1", port, 1000, &c, err, sizeof(err)), -XENIA_EIO);
    assert_int_equal(tlschan_connect("", port, 1000, &c, err, sizeof(err)), -XENIA_EINVAL);
    tlschan_server_free(s);
    free(msg);
    free(back);
    free(a.buf);
}

/* The attest role's allowlist: only the calls main.c and tlschan.c make
 * (strace), accept4 tied to fd 4, and it compiles. */
static void test_filter(void **state)
{
    static const int used[] = {
        SCMP_SYS(accept4), SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(poll),
        SCMP_SYS(close), SCMP_SYS(write),
    };
    struct sock_fprog prog;
    char err[256];
    size_t n, ns;
    const struct stubdom_rule *r = stubdom_rules(STUBDOM_ATTEST, &n);

    (void)state;
    (void)stubdom_rules(STUBDOM_RULES_STARTUP, &ns);
    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        while (k < sizeof(used) / sizeof(used[0]) && used[k] != r[i].nr)
            k++;
        if (k == sizeof(used) / sizeof(used[0]))
            fail_msg("attest rule %s is not a call the agent makes", r[i].sys);
        if (r[i].nr == SCMP_SYS(accept4)) {
            assert_true(r[i].ncmp >= 1);
            assert_int_equal(r[i].cmp[0].arg, 0);
            assert_int_equal(r[i].cmp[0].datum_a, XENIA_AGENT_FD_LISTEN);
        }
        if (r[i].nr == SCMP_SYS(write))
            assert_true(r[i].ncmp == 1 && r[i].cmp[0].datum_a == STDERR_FILENO);
    }
    assert_int_equal(stubdom_filter_compile(STUBDOM_ATTEST, &prog, err, sizeof(err)), 0);
    print_message("  attest allowlist: %zu role rules + %zu start-up rules, %u BPF instructions\n",
                  n, ns, prog.len);
    free(prog.filter);
}

/* ------------------------------------------------------------------------- */
/* Tests: the real agent                                                     */
/* ------------------------------------------------------------------------- */

static void test_unconfined_flow(void **state)
{
    struct agent a;
    struct result r;

    (void)state;
    agent_start(&a, 0);
    good_session(&a);
    /* A verifier that only wants evidence and closes. */
    session(&a, "s0:c2", 0, &r);
    check_evidence(&a, &r, "s0:c2");
    result_free(&r);
    good_session(&a);
    pthread_mutex_lock(&a.hv->mu);
    assert_int_equal(a.hv->nreq[XENIA_AGENT_OP_STATIC], 1);          /* cached */
    assert_int_equal(a.hv->nreq[XENIA_AGENT_OP_QUOTE], 3);
    /* 90000 quoted log bytes in 32 KiB chunks: 3 per session. */
    assert_int_equal(a.hv->nreq[XENIA_AGENT_OP_LOG], 9);
    assert_int_equal(a.hv->nreq[XENIA_AGENT_OP_POLICY], 9);
    assert_int_equal(a.hv->nreq[XENIA_AGENT_OP_ACTIVATE], 2);
    pthread_mutex_unlock(&a.hv->mu);
    figures(&a, "unconfined");
    agent_stop(&a);
}

static void test_unconfined_hostile_clients(void **state)
{
    struct agent a;

    (void)state;
    agent_start(&a, 0);
    garbage_client(&a);
    good_session(&a);
    vanishing_client(&a);
    good_session(&a);
    bad_messages(&a);
    good_session(&a);
    stalled_clients(&a);
    agent_stop(&a);
}

static void test_unconfined_bad_hv(void **state)
{
    struct agent a;

    (void)state;
    agent_start(&a, 0);
    bad_hv(&a, 0, sizeof(hv_cases) / sizeof(hv_cases[0]));
    agent_stop(&a);
}

/* hv vanishes while a client waits: the client gets an ERROR, the agent exits 0. */
static void test_unconfined_hv_closes(void **state)
{
    struct agent a;
    struct result r;
    int st;

    (void)state;
    agent_start(&a, 0);
    hv_set(a.hv, XENIA_AGENT_OP_QUOTE, BAD_CLOSE);
    session(&a, "s0:c1", 0, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.type, XENIA_ATT_MSG_ERROR);
    assert_int_equal(r.err_code, -XENIA_ESHUTDOWN);
    result_free(&r);
    st = agent_wait(&a);
    assert_true(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    hv_stop(a.hv);
    close(a.hv->fd);
    free(a.hv);
}

static void status_field(pid_t pid, const char *key, char *out, size_t outlen)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    FILE *f;

    out[0] = 0;
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            const char *s = line + klen + 1;
            while (*s == ' ' || *s == '\t')
                s++;
            snprintf(out, outlen, "%s", s);
            out[strcspn(out, "\n")] = 0;
        }
    fclose(f);
}

static void test_confined(void **state)
{
    struct agent a;
    char v[64];

    (void)state;
    if (skip_confined) {
        print_message("skipped: %s\n", skip_why);
        skip();
    }
    agent_start(&a, 1);
    print_message("  confined agent: pid %d uid %u layers %#x\n", (int)a.pid, (unsigned)a.proc.uid,
                  a.proc.confined);
    status_field(a.pid, "Seccomp", v, sizeof(v));
    assert_string_equal(v, "2");
    status_field(a.pid, "NoNewPrivs", v, sizeof(v));
    assert_string_equal(v, "1");
    bad_hv(&a, 0, sizeof(hv_cases) / sizeof(hv_cases[0]));   /* first: OP_STATIC not cached yet */
    good_session(&a);
    garbage_client(&a);
    vanishing_client(&a);
    bad_messages(&a);
    stalled_clients(&a);
    figures(&a, "confined");
    assert_true(agent_alive(&a));
    status_field(a.pid, "Seccomp", v, sizeof(v));
    assert_string_equal(v, "2");
    agent_stop(&a);             /* exit status 0: not killed by the filter */
}

/* ------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    const char *dir = getenv("XENIA_BIN_DIR");
    char link[128], err[256] = "", real[PATH_MAX];
    pid_t pid;
    int st = 0;

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    srand((unsigned)time(NULL));
    fake_init();
    log_open(NULL, LOG_WARN);
    snprintf(bin_path, sizeof(bin_path), "%s/xenia-attest", dir ? dir : AGENT_TEST_BIN_DIR);
    if (access(bin_path, X_OK) < 0) {
        print_error("%s: %s\n", bin_path, strerror(errno));
        return -1;
    }
    if (geteuid() != 0) {
        snprintf(skip_why, sizeof(skip_why), "needs root (stub domains get their own uid)");
        skip_confined = 1;
        return 0;
    }
    pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0
              ? errno : 0);
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(skip_why, sizeof(skip_why), "cannot create namespaces here");
        skip_confined = 1;
        return 0;
    }
    /* A bin dir holding only the agent, so no other role is loaded. */
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xenia-agent-test-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    assert_non_null(realpath(bin_path, real));
    snprintf(link, sizeof(link), "%s/xenia-attest", tmpdir);
    assert_int_equal(symlink(real, link), 0);
    if (stubdom_init(tmpdir, NULL, err, sizeof(err)) < 0) {
        print_error("stubdom_init: %s\n", err);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    char p[128];

    (void)state;
    if (tmpdir[0]) {
        snprintf(p, sizeof(p), "%s/xenia-attest", tmpdir);
        unlink(p);
        rmdir(tmpdir);
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proto_req_rep),
        cmocka_unit_test(test_proto_items),
        cmocka_unit_test(test_proto_chunks),
        cmocka_unit_test(test_proto_hello_activate),
        cmocka_unit_test(test_proto_evidence),
        cmocka_unit_test(test_tlschan),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_unconfined_flow),
        cmocka_unit_test(test_unconfined_hostile_clients),
        cmocka_unit_test(test_unconfined_bad_hv),
        cmocka_unit_test(test_unconfined_hv_closes),
        cmocka_unit_test(test_confined),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
