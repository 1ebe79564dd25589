/* SPDX-License-Identifier: MIT */
/*
 * xenia-attest: the attestation agent stub domain's system-call shell (one
 * per host, domid 0 for its uid).
 *
 * Started by hv with exactly two fds (include/xenia/attest.h):
 *   3 XENIA_AGENT_FD_IPC     AF_UNIX SOCK_SEQPACKET to hv
 *   4 XENIA_AGENT_FD_LISTEN  a listening TCP socket made by hv
 * At start it makes an ephemeral TLS identity (attest/tlschan.c), then serves
 * verifiers one connection at a time:
 *   TLS 1.2 handshake; HELLO {NONCE, LEVEL};
 *   hv OP_STATIC (first time only, cached), OP_QUOTE with qualifying data
 *   SHA-256(nonce || channel binding), OP_LOG in chunks up to the quote's
 *   LOG_LEN, OP_POLICY in chunks, OP_DOMAINS for the level;
 *   EVIDENCE; then ACTIVATE {IDOBJ, ENCSECRET} -> hv OP_ACTIVATE -> ACTIVATED
 *   {SECRET}; close. (A verifier may close after EVIDENCE instead.)
 * Every hv reply is checked (agentproto.c) before use; an error or malformed
 * reply from hv becomes an ERROR message to the verifier. A client gets
 * AGENT_CLIENT_MS of the agent's time in all (the clock stops while hv works);
 * a stalled, slow, garbled or vanished client only ends its own connection.
 * Exit status: 0 when hv closes the IPC socket; 1 when start-up fails or an
 * inherited fd is unusable. Nothing a verifier sends can make it exit.
 *
 * System calls after start-up (stubdoms/attest/seccomp.def): accept4 on fd 4,
 * sendto/recvfrom (TLS and IPC; MSG_NOSIGNAL, MSG_DONTWAIT), poll, close of
 * accepted connections, getrandom, brk/mmap/munmap (malloc), write to fd 2
 * (log lines; /dev/null under hv), exit_group.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mbedtls/platform_util.h>

#include <xenia/attest.h>

#include "agentproto.h"
#include "attest/items.h"
#include "attest/tlschan.h"

#define AGENT_CLIENT_MS 5000u   /* a verifier's share of the agent per connection */
#define AGENT_HV_MS     10000u  /* hv must answer each request within this */

/* ------------------------------------------------------------------------- */
/* Logging to stderr, one write per line.                                     */
/* ------------------------------------------------------------------------- */
static void agent_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void agent_log(const char *fmt, ...)
{
    char line[400];
    va_list ap;
    int n = snprintf(line, sizeof(line), "xenia-attest: ");

    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    (void)!write(STDERR_FILENO, line, (size_t)n);
}

/* ------------------------------------------------------------------------- */
/* IPC with hv                                                               */
/* ------------------------------------------------------------------------- */

static struct {
    struct tlschan_server *tls;
    int hv_gone;                        /* hv closed the IPC socket: exit */
    uint8_t *static_body;               /* cached OP_STATIC reply body */
    struct ap_static st;
    uint8_t tx[XENIA_AGENT_MSG_MAX];
    uint8_t rx[XENIA_AGENT_MSG_MAX];
} ag;

/* Per-connection state. */
struct session {
    struct tlschan *chan;
    uint64_t deadline;                  /* the client's budget, extended by hv time */
};

/* Wait for events on fd until deadline (ms clock): 1 ready, 0 timed out, -errno. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        uint64_t now = tlschan_now_ms();
        struct pollfd p = { .fd = fd, .events = events };
        int r;

        if (now >= deadline)
            return 0;
        r = poll(&p, 1, (int)(deadline - now));
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -errno;
    }
}

/* Drop replies that arrived after an earlier request timed out. */
static void ipc_drain(void)
{
    for (;;) {
        ssize_t n = recv(XENIA_AGENT_FD_IPC, ag.rx, sizeof(ag.rx), MSG_DONTWAIT);

        if (n > 0) {
            agent_log("dropped a late or unexpected message from hv (%zd bytes)", n);
            continue;
        }
        if (n == 0)
            ag.hv_gone = 1;
        return;
    }
}

/*
 * One request to hv and its checked reply (body in ag.rx). Returns 0 with
 * rep->error possibly < 0 (hv refused), or -XENIA_EPROTO (malformed reply),
 * -XENIA_ETIMEDOUT, -XENIA_EIO / -XENIA_ESHUTDOWN (hv gone), with a reason.
 * The time hv takes is added to the client's deadline.
 */
static int hv_call(struct session *s, uint16_t op, const void *body, uint32_t blen,
                   struct ap_rep *rep, char *err, size_t errlen)
{
    uint64_t start = tlschan_now_ms(), deadline = start + AGENT_HV_MS;
    size_t len;
    ssize_t n;
    int rc;

    ipc_drain();
    if (ag.hv_gone) {
        snprintf(err, errlen, "hv closed the IPC socket");
        return -XENIA_ESHUTDOWN;
    }
    if ((rc = ap_req_encode(ag.tx, sizeof(ag.tx), op, body, blen, &len)) < 0) {
        snprintf(err, errlen, "encoding the %s request failed", ap_op_name(op));
        return rc;
    }
    for (;;) {
        n = send(XENIA_AGENT_FD_IPC, ag.tx, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n == (ssize_t)len)
            break;
        if (n >= 0 || (errno != EAGAIN && errno != EINTR)) {
            snprintf(err, errlen, "sending the %s request to hv: %s", ap_op_name(op),
                     n >= 0 ? "short send" : strerror(errno));
            if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
                ag.hv_gone = 1;
            return ag.hv_gone ? -XENIA_ESHUTDOWN : -XENIA_EIO;
        }
        if (errno == EAGAIN && wait_fd(XENIA_AGENT_FD_IPC, POLLOUT, deadline) <= 0) {
            snprintf(err, errlen, "hv does not take the %s request", ap_op_name(op));
            return -XENIA_ETIMEDOUT;
        }
    }
    for (;;) {
        rc = wait_fd(XENIA_AGENT_FD_IPC, POLLIN, deadline);
        if (rc <= 0) {
            snprintf(err, errlen, "no reply from hv to %s within %u ms", ap_op_name(op),
                     AGENT_HV_MS);
            return -XENIA_ETIMEDOUT;
        }
        /* MSG_TRUNC: n is the message's real length even when it did not fit. */
        n = recv(XENIA_AGENT_FD_IPC, ag.rx, sizeof(ag.rx), MSG_DONTWAIT | MSG_TRUNC);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        break;
    }
    if (n <= 0) {
        if (n == 0)
            ag.hv_gone = 1;
        snprintf(err, errlen, "receiving the %s reply: %s", ap_op_name(op),
                 n == 0 ? "hv closed the IPC socket" : strerror(errno));
        return n == 0 ? -XENIA_ESHUTDOWN : -XENIA_EIO;
    }
    s->deadline += tlschan_now_ms() - start;
    tlschan_set_deadline(s->chan, s->deadline);
    if ((size_t)n > sizeof(ag.rx)) {
        snprintf(err, errlen, "hv reply to %s: %zd bytes, over %zu", ap_op_name(op), n,
                 sizeof(ag.rx));
        return -XENIA_EPROTO;
    }
    if ((rc = ap_rep_decode(ag.rx, (size_t)n, op, rep, err, errlen)) < 0)
        return rc;
    if (rep->error < 0)
        snprintf(err, errlen, "hv refused %s: error %d", ap_op_name(op), rep->error);
    return 0;
}

/* hv_call that also turns hv's refusal into the return value. */
static int hv_ok(struct session *s, uint16_t op, const void *body, uint32_t blen,
                 struct ap_rep *rep, char *err, size_t errlen)
{
    int rc = hv_call(s, op, body, blen, rep, err, errlen);

    return rc < 0 ? rc : rep->error;
}

/* ------------------------------------------------------------------------- */
/* Evidence                                                                  */
/* ------------------------------------------------------------------------- */

static int get_static(struct session *s, char *err, size_t errlen)
{
    struct ap_rep rep;
    uint8_t *copy;
    int rc;

    if (ag.static_body)
        return 0;
    if ((rc = hv_ok(s, XENIA_AGENT_OP_STATIC, NULL, 0, &rep, err, errlen)) < 0)
        return rc;
    copy = malloc(rep.len ? rep.len : 1);
    if (copy == NULL) {
        snprintf(err, errlen, "no memory for the EK and AK");
        return -XENIA_ENOMEM;
    }
    memcpy(copy, rep.body, rep.len);
    if ((rc = ap_static_parse(copy, rep.len, &ag.st, err, errlen)) < 0) {
        free(copy);
        return rc;
    }
    ag.static_body = copy;
    return 0;
}

/* Read bytes [0, size) of the log (op LOG, size known) or the policy (op
 * POLICY, *size learnt from the first reply) into a new buffer *out. */
static int read_object(struct session *s, uint16_t op, uint64_t *size, uint8_t **out, char *err,
                       size_t errlen)
{
    uint64_t off = 0, total = 0;
    uint8_t *buf = NULL;
    int rc = 0;

    *out = NULL;
    if (op == XENIA_AGENT_OP_LOG && (buf = malloc(*size ? *size : 1)) == NULL)
        goto nomem;
    for (;;) {
        struct xenia_agent_range r;
        struct ap_rep rep;
        uint32_t want;

        if (op == XENIA_AGENT_OP_LOG) {
            want = ap_chunk_len(off, *size);
            if (want == 0)
                break;
        } else {
            want = off == 0 ? XENIA_AGENT_CHUNK : ap_chunk_len(off, total);
            if (want == 0)
                break;
        }
        if (ap_range_encode(off, want, &r) < 0) {
            rc = -XENIA_EINVAL;
            snprintf(err, errlen, "bad %s range", ap_op_name(op));
            goto fail;
        }
        if ((rc = hv_ok(s, op, &r, sizeof(r), &rep, err, errlen)) < 0)
            goto fail;
        if (op == XENIA_AGENT_OP_LOG) {
            if ((rc = ap_log_chunk_check(&rep, off, want, *size, err, errlen)) < 0)
                goto fail;
        } else {
            if ((rc = ap_policy_chunk_check(&rep, off, want, total, err, errlen)) < 0)
                goto fail;
            if (off == 0) {
                total = rep.total;
                if ((buf = malloc(total ? total : 1)) == NULL)
                    goto nomem;
            }
        }
        memcpy(buf + off, rep.body, rep.len);
        off += rep.len;
        if (op == XENIA_AGENT_OP_POLICY && off == total)
            break;
    }
    if (op == XENIA_AGENT_OP_POLICY)
        *size = total;
    *out = buf;
    return 0;
nomem:
    rc = -XENIA_ENOMEM;
    snprintf(err, errlen, "no memory for the %s", ap_op_name(op));
fail:
    free(buf);
    return rc;
}

/* Ask hv for everything and assemble EVIDENCE into *ev (malloc'd). */
static int collect(struct session *s, const uint8_t nonce[XENIA_NONCE_LEN],
                   const uint8_t level[AP_LEVEL_LEN], uint8_t **ev, size_t *evlen, char *err,
                   size_t errlen)
{
    uint8_t qd[32], *qbody = NULL, *log = NULL, *policy = NULL, *doms = NULL;
    const uint8_t *binding = tlschan_binding(s->chan);
    struct ap_quote q;
    struct ap_rep rep;
    struct ap_evidence e;
    uint64_t policy_len = 0, log_len;
    uint32_t doms_len;
    size_t cap;
    int rc;

    *ev = NULL;
    if ((rc = get_static(s, err, errlen)) < 0)
        return rc;
    ap_qualifying_data(nonce, binding, qd);
    if ((rc = hv_ok(s, XENIA_AGENT_OP_QUOTE, qd, sizeof(qd), &rep, err, errlen)) < 0)
        return rc;
    if ((qbody = malloc(rep.len ? rep.len : 1)) == NULL)
        goto nomem;
    memcpy(qbody, rep.body, rep.len);
    if ((rc = ap_quote_parse(qbody, rep.len, &q, err, errlen)) < 0)
        goto out;
    log_len = q.log_len;
    if ((rc = read_object(s, XENIA_AGENT_OP_LOG, &log_len, &log, err, errlen)) < 0 ||
        (rc = read_object(s, XENIA_AGENT_OP_POLICY, &policy_len, &policy, err, errlen)) < 0)
        goto out;
    if ((rc = hv_ok(s, XENIA_AGENT_OP_DOMAINS, level, AP_LEVEL_LEN, &rep, err, errlen)) < 0 ||
        (rc = ap_domains_check(rep.body, rep.len, err, errlen)) < 0)
        goto out;
    doms_len = rep.len;
    if ((doms = malloc(doms_len ? doms_len : 1)) == NULL)
        goto nomem;
    memcpy(doms, rep.body, doms_len);

    e = (struct ap_evidence){
        .st = &ag.st, .q = &q, .log = log, .policy = policy, .policy_len = policy_len,
        .domains = doms, .domains_len = doms_len, .nonce = nonce, .binding = binding,
    };
    cap = ap_evidence_size(&e);
    if (cap == 0) {
        rc = -XENIA_E2BIG;
        snprintf(err, errlen, "evidence over %u bytes", XENIA_ATT_MSG_MAX);
        goto out;
    }
    if ((*ev = malloc(cap)) == NULL)
        goto nomem;
    if ((rc = ap_evidence_build(*ev, cap, &e, evlen)) < 0) {
        snprintf(err, errlen, "assembling the evidence failed");
        free(*ev);
        *ev = NULL;
    }
    goto out;
nomem:
    rc = -XENIA_ENOMEM;
    snprintf(err, errlen, "no memory for the evidence");
out:
    free(qbody);
    free(log);
    free(policy);
    free(doms);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* One verifier connection                                                   */
/* ------------------------------------------------------------------------- */

/* Tell the verifier why (best effort) and log it. */
static void refuse(struct session *s, int code, const char *why)
{
    agent_log("client refused: %s", why);
    if (code >= 0)
        code = -XENIA_EPROTO;
    if (tlschan_send_error(s->chan, code, why) < 0)
        agent_log("could not send ERROR to the client");
}

static void activate(struct session *s)
{
    uint8_t in[AP_ACTIVATE_MAX], body[AP_ACTIVATE_MAX], out[64];
    struct att_item idobj, encsec, secret;
    struct ap_rep rep;
    char err[256];
    size_t len, blen, olen = 0;
    uint16_t type;
    int rc;

    rc = tlschan_recv(s->chan, &type, in, sizeof(in), &len, AGENT_CLIENT_MS);
    if (rc == -XENIA_ENOTCONN)
        return;                       /* the verifier wanted evidence only */
    if (rc < 0) {
        agent_log("waiting for ACTIVATE: error %d", rc);
        if (rc == -XENIA_EPROTO || rc == -XENIA_E2BIG)
            refuse(s, rc, "bad message where ACTIVATE was expected");
        return;
    }
    if (type == XENIA_ATT_MSG_ERROR) {
        agent_log("the verifier sent ERROR after the evidence");
        return;
    }
    if (type != XENIA_ATT_MSG_ACTIVATE) {
        refuse(s, -XENIA_EPROTO, "expected ACTIVATE");
        return;
    }
    if ((rc = ap_activate_parse(in, len, &idobj, &encsec, err, sizeof(err))) < 0) {
        refuse(s, rc, err);
        return;
    }
    if ((rc = ap_activate_body(body, sizeof(body), &idobj, &encsec, &blen)) < 0) {
        refuse(s, rc, "ACTIVATE items do not fit the request");
        return;
    }
    if ((rc = hv_ok(s, XENIA_AGENT_OP_ACTIVATE, body, (uint32_t)blen, &rep, err, sizeof(err))) < 0 ||
        (rc = ap_secret_parse(rep.body, rep.len, &secret, err, sizeof(err))) < 0) {
        refuse(s, rc, err);
        return;
    }
    if (att_item_put(out, sizeof(out), &olen, XENIA_ATT_SECRET, secret.data,
                     secret.len) < 0 ||
        (rc = tlschan_send(s->chan, XENIA_ATT_MSG_ACTIVATED, out, (uint32_t)olen)) < 0)
        agent_log("sending ACTIVATED failed (%d)", rc);
    mbedtls_platform_zeroize(out, sizeof(out));
    mbedtls_platform_zeroize(ag.rx, sizeof(struct xenia_agent_rep) + rep.len);
}

static void serve(int fd)
{
    uint8_t hello[AP_HELLO_MAX], nonce[XENIA_NONCE_LEN], level[AP_LEVEL_LEN], *ev = NULL;
    struct session s = { .chan = NULL };
    char err[256] = "";
    size_t len, evlen = 0;
    uint16_t type;
    uint64_t t0 = tlschan_now_ms();
    int rc;

    s.deadline = t0 + AGENT_CLIENT_MS;
    rc = tlschan_accept(ag.tls, fd, s.deadline, &s.chan, err, sizeof(err));
    if (rc < 0) {
        agent_log("handshake failed: %s", err);
        return;
    }
    rc = tlschan_recv(s.chan, &type, hello, sizeof(hello), &len, AGENT_CLIENT_MS);
    if (rc < 0) {
        agent_log("waiting for HELLO: error %d", rc);
        if (rc == -XENIA_EPROTO || rc == -XENIA_E2BIG)
            refuse(&s, rc, "bad message where HELLO was expected");
        goto out;
    }
    if (type != XENIA_ATT_MSG_HELLO) {
        refuse(&s, -XENIA_EPROTO, "expected HELLO");
        goto out;
    }
    if ((rc = ap_hello_parse(hello, len, nonce, level, err, sizeof(err))) < 0) {
        refuse(&s, rc, err);
        goto out;
    }
    if ((rc = collect(&s, nonce, level, &ev, &evlen, err, sizeof(err))) < 0) {
        refuse(&s, rc, err);
        goto out;
    }
    if ((rc = tlschan_send(s.chan, XENIA_ATT_MSG_EVIDENCE, ev, (uint32_t)evlen)) < 0) {
        agent_log("sending EVIDENCE failed (%d)", rc);
        goto out;
    }
    free(ev);
    ev = NULL;
    activate(&s);
out:
    free(ev);
    tlschan_close(s.chan);
}

/* ------------------------------------------------------------------------- */
/* Main loop                                                                 */
/* ------------------------------------------------------------------------- */

int main(void)
{
    char err[256];
    int rc;

    if ((rc = tlschan_server_new(&ag.tls, err, sizeof(err))) < 0) {
        agent_log("cannot make the TLS identity: %s", err);
        return 1;
    }
    agent_log("ready");
    while (!ag.hv_gone) {
        struct pollfd p[2] = {
            { .fd = XENIA_AGENT_FD_IPC, .events = POLLIN },
            { .fd = XENIA_AGENT_FD_LISTEN, .events = POLLIN },
        };
        int fd;

        rc = poll(p, 2, -1);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0 || ((p[0].revents | p[1].revents) & POLLNVAL)) {
            agent_log("poll: %s", rc < 0 ? strerror(errno) : "fd 3 or 4 is not open");
            return 1;
        }
        if (p[0].revents)
            ipc_drain();               /* hv never speaks first: drop it (or see EOF) */
        if (p[1].revents & POLLERR) {
            agent_log("the listening socket failed");
            return 1;
        }
        if (!(p[1].revents & POLLIN) || ag.hv_gone)
            continue;
        fd = accept4(XENIA_AGENT_FD_LISTEN, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EBADF || errno == EINVAL || errno == ENOTSOCK || errno == EOPNOTSUPP) {
                agent_log("accept: %s", strerror(errno));
                return 1;
            }
            continue;                  /* EAGAIN, ECONNABORTED, EMFILE, ...: try again */
        }
        serve(fd);
    }
    agent_log("hv closed the IPC socket; exiting");
    tlschan_server_free(ag.tls);
    return 0;
}
