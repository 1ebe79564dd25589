/* SPDX-License-Identifier: MIT */
/* The attestation agent's host side. See attestd.h and include/xenia/attest.h. */
#include "attestd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xenia/abi.h>
#include <xenia/attest.h>

#include "attest/items.h"
#include "domain.h"
#include "log.h"
#include "measure.h"
#include "stubdom.h"

#define AGENT_BURST     20          /* restarts allowed ... */
#define AGENT_BURST_NS  10000000000ull  /* ... per 10 s */

static struct {
    struct hv *hv;
    int listen_fd, ipc_fd;
    int running;
    struct stubdom_proc proc;
    struct xsm_label label;
    uint32_t generation;
    uint64_t burst_start_ns;
    unsigned burst;
} ad = { .listen_fd = -1, .ipc_fd = -1 };

static uint8_t req_buf[XENIA_AGENT_MSG_MAX], rep_buf[XENIA_AGENT_MSG_MAX];

int attestd_ipc_fd(void)
{
    return ad.running ? ad.ipc_fd : -1;
}

int attestd_pid_fd(void)
{
    return ad.running ? ad.proc.pidfd : -1;
}

static int open_listener(const char *spec, char *err, size_t errlen)
{
    char host[64];
    const char *colon = strrchr(spec, ':');
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t sl = sizeof(sa);
    char *end;
    unsigned long port;
    int fd, one = 1;

    if (colon == NULL || (size_t)(colon - spec) >= sizeof(host)) {
        snprintf(err, errlen, "--attest-listen %s: expected HOST:PORT", spec);
        return -EINVAL;
    }
    memcpy(host, spec, (size_t)(colon - spec));
    host[colon - spec] = 0;
    port = strtoul(colon + 1, &end, 10);
    if (colon[1] == 0 || *end || port > 65535 || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "--attest-listen %s: expected an IPv4 address and a port", spec);
        return -EINVAL;
    }
    sa.sin_port = htons((uint16_t)port);
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* Inherited by accepted sockets: the agent answers in small TLS records. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        int e = errno;
        snprintf(err, errlen, "attestation agent: cannot listen on %s: %s", spec, strerror(e));
        close(fd);
        return -e;
    }
    return fd;
}

static int spawn_agent(void)
{
    struct stubdom_spec spec;
    int ipc[2], rc;
    char err[256] = "";

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ipc) < 0)
        return -errno;
    memset(&spec, 0, sizeof(spec));
    spec.role = STUBDOM_ATTEST;
    char name[32];
    snprintf(name, sizeof(name), "attest-%d", (int)getpid());   /* cgroup: one per hv */
    spec.name = name;
    spec.uid = stubdom_uid(STUBDOM_ATTEST, 0);
    spec.fds[spec.nfds++] = ipc[1];          /* XENIA_AGENT_FD_IPC */
    spec.fds[spec.nfds++] = ad.listen_fd;    /* XENIA_AGENT_FD_LISTEN */
    rc = stubdom_spawn(&spec, &ad.proc, err, sizeof(err));
    close(ipc[1]);
    if (rc < 0) {
        close(ipc[0]);
        log_err("attestation agent: %s", err);
        return rc;
    }
    ad.ipc_fd = ipc[0];
    fcntl(ad.ipc_fd, F_SETFL, O_NONBLOCK);
    ad.running = 1;
    ad.generation++;
    log_info("attestation agent pid %d generation %u (uid %u)", (int)ad.proc.pid, ad.generation,
             (unsigned)ad.proc.uid);
    return 0;
}

int attestd_start(struct hv *hv, const char *listen, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    char path[600];
    FILE *f;
    int rc;

    ad.hv = hv;
    if (strcmp(listen, "none") == 0)
        return 0;
    if (stubdom_binary_fd(STUBDOM_ATTEST) < 0) {
        snprintf(err, errlen, "attestation agent binary xenia-attest not found");
        return -ENOENT;
    }
    if (!measure_have_tpm()) {
        log_warn("attestation agent not started: no TPM (--tpm none)");
        return 0;
    }
    if (xsm_label_isid("attest", &ad.label) < 0) {
        snprintf(err, errlen, "the policy has no 'attest' initial SID");
        return -EINVAL;
    }
    ad.listen_fd = open_listener(listen, err, errlen);
    if (ad.listen_fd < 0)
        return ad.listen_fd;
    getsockname(ad.listen_fd, (struct sockaddr *)&sa, &sl);
    snprintf(path, sizeof(path), "%s/attest.port", hv->run_dir);
    f = fopen(path, "we");
    if (f) {
        fprintf(f, "%u\n", ntohs(sa.sin_port));
        fclose(f);
    }
    rc = spawn_agent();
    if (rc < 0) {
        snprintf(err, errlen, "cannot start the attestation agent (%d)", rc);
        return rc;
    }
    log_info("attestation agent listening on %s (port %u)", listen, ntohs(sa.sin_port));
    return 0;
}

void attestd_stop(void)
{
    if (ad.running) {
        stubdom_kill(&ad.proc);
        ad.running = 0;
    }
    if (ad.ipc_fd >= 0)
        close(ad.ipc_fd);
    if (ad.listen_fd >= 0)
        close(ad.listen_fd);
    ad.ipc_fd = ad.listen_fd = -1;
}

void attestd_exited(void)
{
    char why[128] = "";
    uint64_t now = hv_now_ns();
    uint8_t d[32];

    if (!ad.running)
        return;
    stubdom_reap(&ad.proc, why, sizeof(why));
    ad.running = 0;
    close(ad.ipc_fd);
    ad.ipc_fd = -1;
    log_warn("attestation agent (generation %u) ended: %s", ad.generation, why);
    if (now - ad.burst_start_ns > AGENT_BURST_NS) {
        ad.burst_start_ns = now;
        ad.burst = 0;
    }
    if (++ad.burst > AGENT_BURST) {
        log_err("attestation agent: %u restarts within 10 s; not restarting", ad.burst - 1);
        return;
    }
    if (measure_sha256_fd(stubdom_binary_fd(STUBDOM_ATTEST), d) < 0 ||
        measure_event(XENIA_PCR_CODE, d, "xenia:restart attest domid=0 generation=%u",
                      ad.generation + 1) < 0) {
        log_err("attestation agent: cannot measure its restart; not restarting");
        return;
    }
    spawn_agent();
}

/* Kill a misbehaving agent; the pidfd then reports its exit and it restarts. */
static void agent_bad(const char *why)
{
    log_warn("attestation agent pid %d: %s; killing it", (int)ad.proc.pid, why);
    kill(ad.proc.pid, SIGKILL);
}

/* The level ("s0:c1") of a context user:role:type:level. */
static const char *ctx_level(const char *ctx)
{
    const char *p = ctx;

    for (int i = 0; i < 3; i++) {
        p = strchr(p, ':');
        if (p == NULL)
            return "";
        p++;
    }
    return p;
}

static int op_domains(const uint8_t *in, uint32_t len, uint8_t *out, size_t cap, size_t *olen)
{
    char level[64];
    struct hv *hv = ad.hv;
    size_t n = 0;

    if (len != sizeof(level))
        return -XENIA_EINVAL;
    memcpy(level, in, sizeof(level));
    size_t l = strnlen(level, sizeof(level));
    if (l == 0 || l == sizeof(level))
        return -XENIA_EINVAL;
    for (size_t i = 0; i < sizeof(level); i++) {
        if (i < l && (level[i] < 0x21 || level[i] > 0x7e))
            return -XENIA_EINVAL;
        if (i >= l && level[i] != 0)
            return -XENIA_EINVAL;
    }
    pthread_mutex_lock(&hv->table_lock);
    for (int s = 0; s < HV_MAX_DOMAINS; s++) {
        struct domain *d = hv->doms[s];
        struct xenia_att_domain ent;
        char ctx[sizeof(ent.label)];

        if (d == NULL || xsm_label_string(&d->label, ctx, sizeof(ctx)) < 0 ||
            strcmp(ctx_level(ctx), level) != 0)
            continue;
        if (xsm_domain_list(XSM_TARGET, &ad.label, &d->label) < 0)
            continue;
        if (n + sizeof(ent) > cap)
            break;
        memset(&ent, 0, sizeof(ent));
        ent.domid = d->domid;
        ent.state = d->state;
        snprintf(ent.name, sizeof(ent.name), "%s", d->name);
        memcpy(ent.label, ctx, sizeof(ent.label));
        memcpy(out + n, &ent, sizeof(ent));
        n += sizeof(ent);
    }
    pthread_mutex_unlock(&hv->table_lock);
    *olen = n;
    return 0;
}

/* Serve one request: in = its bytes after the header. */
static int serve(uint16_t op, const uint8_t *in, uint32_t len, uint8_t *out, size_t cap,
                 size_t *olen, uint64_t *total)
{
    static uint8_t ek[XENIA_CERT_MAX], issuer[XENIA_CERT_MAX], akpub[XENIA_TPM_PUB_MAX];
    uint8_t attest[XENIA_TPM_ATTEST_MAX], sig[XENIA_TPM_SIG_MAX], pcrs[XENIA_NR_PCRS][32];
    size_t ekl, il, akl, al, sl;
    uint64_t log_len;
    int rc;

    *olen = 0;
    switch (op) {
    case XENIA_AGENT_OP_STATIC:
        if (len != 0)
            return -XENIA_EINVAL;
        if (xsm_attest_quote(XSM_PRIV, &ad.label, &ad.hv->xen_label) < 0)
            return -XENIA_EACCES;
        rc = measure_static(ek, sizeof(ek), &ekl, issuer, sizeof(issuer), &il, akpub, sizeof(akpub),
                            &akl);
        if (rc < 0)
            return rc;
        if ((rc = att_item_put(out, cap, olen, XENIA_ATT_EK_CERT, ek, (uint32_t)ekl)) < 0 ||
            (il && (rc = att_item_put(out, cap, olen, XENIA_ATT_EK_CHAIN, issuer, (uint32_t)il)) < 0) ||
            (rc = att_item_put(out, cap, olen, XENIA_ATT_AK_PUB, akpub, (uint32_t)akl)) < 0)
            return rc;
        return 0;
    case XENIA_AGENT_OP_QUOTE: {
        uint8_t pv[4 + 3 * 36];
        uint32_t cnt = 0;
        if (len != XENIA_SHA256_LEN)
            return -XENIA_EINVAL;
        if (xsm_attest_quote(XSM_PRIV, &ad.label, &ad.hv->xen_label) < 0)
            return -XENIA_EACCES;
        rc = measure_quote(in, len, attest, sizeof(attest), &al, sig, sizeof(sig), &sl, pcrs,
                           &log_len);
        if (rc < 0)
            return rc;
        for (uint32_t i = 0; i < XENIA_NR_PCRS; i++) {
            if (!(XENIA_PCR_MASK & (1u << i)))
                continue;
            memcpy(pv + 4 + cnt * 36, &i, 4);
            memcpy(pv + 8 + cnt * 36, pcrs[i], 32);
            cnt++;
        }
        memcpy(pv, &cnt, 4);
        if ((rc = att_item_put(out, cap, olen, XENIA_ATT_QUOTE, attest, (uint32_t)al)) < 0 ||
            (rc = att_item_put(out, cap, olen, XENIA_ATT_SIG, sig, (uint32_t)sl)) < 0 ||
            (rc = att_item_put(out, cap, olen, XENIA_ATT_PCRS, pv, 4 + cnt * 36)) < 0 ||
            (rc = att_item_put(out, cap, olen, XENIA_ATT_LOG_LEN, &log_len, 8)) < 0)
            return rc;
        return 0;
    }
    case XENIA_AGENT_OP_LOG:
    case XENIA_AGENT_OP_POLICY: {
        struct xenia_agent_range r;
        if (len != sizeof(r))
            return -XENIA_EINVAL;
        memcpy(&r, in, sizeof(r));
        if (r.pad != 0 || r.len > XENIA_AGENT_CHUNK || r.len > cap)
            return -XENIA_EINVAL;
        if (xsm_attest_read_log(XSM_PRIV, &ad.label, &ad.hv->xen_label) < 0)
            return -XENIA_EACCES;
        *olen = op == XENIA_AGENT_OP_LOG ? measure_log_read(r.offset, out, r.len, total)
                                         : measure_policy_read(r.offset, out, r.len, total);
        return 0;
    }
    case XENIA_AGENT_OP_DOMAINS:
        return op_domains(in, len, out, cap, olen);
    case XENIA_AGENT_OP_ACTIVATE: {
        struct att_item it[4];
        const struct att_item *id, *es;
        unsigned n;
        uint8_t secret[64];
        size_t slen;
        char why[128];
        if (att_items_parse(in, len, it, 4, &n, why, sizeof(why)) < 0)
            return -XENIA_EPROTO;
        id = att_item_find(it, n, XENIA_ATT_IDOBJ, 0);
        es = att_item_find(it, n, XENIA_ATT_ENCSECRET, 0);
        if (id == NULL || es == NULL || id->len > XENIA_TPM_IDOBJ_MAX ||
            es->len > XENIA_TPM_ENCSEC_MAX)
            return -XENIA_EINVAL;
        if (xsm_attest_quote(XSM_PRIV, &ad.label, &ad.hv->xen_label) < 0)
            return -XENIA_EACCES;
        rc = measure_activate(id->data, id->len, es->data, es->len, secret, sizeof(secret), &slen);
        if (rc < 0)
            return rc;
        return att_item_put(out, cap, olen, XENIA_ATT_SECRET, secret, (uint32_t)slen);
    }
    default:
        return -XENIA_ENOSYS;
    }
}

void attestd_ipc_readable(void)
{
    struct xenia_agent_req q;
    struct xenia_agent_rep *r = (struct xenia_agent_rep *)rep_buf;
    size_t olen = 0;
    uint64_t total = 0;
    ssize_t n;
    int rc;

    n = recv(ad.ipc_fd, req_buf, sizeof(req_buf), MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0) {
        if (errno != EAGAIN && errno != EINTR)
            agent_bad("IPC receive error");
        return;
    }
    if (n == 0)
        return;   /* the pidfd reports the exit */
    if ((size_t)n < sizeof(q) || (size_t)n > sizeof(req_buf)) {
        agent_bad("malformed request (size)");
        return;
    }
    memcpy(&q, req_buf, sizeof(q));
    if (q.magic != XENIA_AGENT_MAGIC || q.version != XENIA_AGENT_VERSION || q.pad != 0 ||
        q.len != (size_t)n - sizeof(q)) {
        agent_bad("malformed request (header)");
        return;
    }
    rc = serve(q.op, req_buf + sizeof(q), q.len, rep_buf + sizeof(*r), sizeof(rep_buf) - sizeof(*r),
               &olen, &total);
    if (rc == -XENIA_EACCES)
        log_warn("attestation agent: op %u denied by policy", q.op);
    memset(r, 0, sizeof(*r));
    r->magic = XENIA_AGENT_MAGIC;
    r->version = XENIA_AGENT_VERSION;
    r->op = q.op;
    r->error = rc < 0 ? rc : 0;
    r->len = rc < 0 ? 0 : (uint32_t)olen;
    r->total = total;
    if (send(ad.ipc_fd, rep_buf, sizeof(*r) + r->len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        log_warn("attestation agent: cannot reply: %s", strerror(errno));
}
