/* SPDX-License-Identifier: MIT */
/*
 * Control socket server (protocol: include/xenia/ctl.h). Each message is
 * received whole (SOCK_SEQPACKET), validated by ctl_decode() in one place,
 * access-checked by the XSM hooks (xsm/hooks.def) with the caller's label — its
 * SO_PEERCRED uid mapped through the policy's `login` entries — then acted on.
 * A domain the caller may not see (domain: getinfo) does not exist for it: ESRCH.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_decode.h"
#include "domain.h"
#include "log.h"
#include "measure.h"
#include "xsm/xsm.h"

#define CTL_MAX_FDS 4

static void reply_init(struct xenia_ctl_reply *r, const struct xenia_ctl_hdr *req, uint32_t len)
{
    memset(r, 0, len);
    r->hdr.magic = XENIA_CTL_MAGIC;
    r->hdr.version = XENIA_CTL_VERSION;
    r->hdr.op = req ? req->op : 0;
    r->hdr.seq = req ? req->seq : 0;
    r->hdr.len = len;
    r->domid = XENIA_DOMID_INVALID;
}

static void send_reply(struct ctl_client *c, const void *msg, size_t len, int fd)
{
    struct msghdr mh;
    struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
    char cbuf[CMSG_SPACE(sizeof(int))];

    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (fd >= 0) {
        struct cmsghdr *cm;
        memset(cbuf, 0, sizeof(cbuf));
        mh.msg_control = cbuf;
        mh.msg_controllen = sizeof(cbuf);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    }
    if (sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        log_debug("ctl: reply to pid %d failed: %s", (int)c->pid, strerror(errno));
}

static void reply_status(struct ctl_client *c, const struct xenia_ctl_hdr *req, int status,
                         uint32_t domid, const char *msg)
{
    struct xenia_ctl_reply r;

    reply_init(&r, req, sizeof(r));
    r.status = status;
    r.domid = domid;
    if (msg)
        snprintf(r.errmsg, sizeof(r.errmsg), "%s", msg);
    send_reply(c, &r, sizeof(r), -1);
}

/* May the caller see d at all (silent check, used to hide domains)? */
static int visible(const struct xsm_label *subj, const struct domain *d)
{
    return xsm_domain_list(XSM_TARGET, subj, &d->label) == 0;
}

/*
 * Domain named by a request, with the operation's hook already passed; NULL after
 * replying. A denial is audited by the hook; the caller learns ESRCH when it may
 * not even see the domain, EACCES otherwise.
 */
static struct domain *target(struct hv *hv, struct ctl_client *c, const union ctl_req *q,
                             const struct xsm_label *subj, uint32_t domid,
                             int (*hook)(const struct xsm_label *, const struct xsm_label *))
{
    struct domain *d = domain_find(hv, domid);
    char msg[XENIA_ERRMSG_MAX];

    if (d != NULL && hook(subj, &d->label) == 0)
        return d;
    if (d == NULL || !visible(subj, d)) {
        snprintf(msg, sizeof(msg), "no domain with id %u (see `xenia list`)", domid);
        reply_status(c, &q->hdr, -XENIA_ESRCH, domid, msg);
    } else {
        snprintf(msg, sizeof(msg), "permission denied: %s of domain %u (see `xenia audit`)",
                 ctl_op_name(q->hdr.op), domid);
        reply_status(c, &q->hdr, -XENIA_EACCES, domid, msg);
    }
    return NULL;
}

/* The hooks of the per-domain operations, with their defaults stated here. */
static int h_getinfo(const struct xsm_label *s, const struct xsm_label *o)
{
    return xsm_domain_getinfo(XSM_TARGET, s, o);
}
static int h_pause(const struct xsm_label *s, const struct xsm_label *o)
{
    return xsm_domain_pause(XSM_TARGET, s, o);
}
static int h_unpause(const struct xsm_label *s, const struct xsm_label *o)
{
    return xsm_domain_unpause(XSM_TARGET, s, o);
}
static int h_shutdown(const struct xsm_label *s, const struct xsm_label *o)
{
    return xsm_domain_shutdown(XSM_TARGET, s, o);
}
static int h_destroy(const struct xsm_label *s, const struct xsm_label *o)
{
    return xsm_domain_destroy(XSM_TARGET, s, o);
}
static int h_console(const struct xsm_label *s, const struct xsm_label *o)
{
    return xsm_console_attach(XSM_TARGET, s, o);
}

static void do_list(struct hv *hv, struct ctl_client *c, const union ctl_req *q,
                    const struct xsm_label *subj)
{
    static struct xenia_ctl_list_reply r;   /* main thread only; 21 KiB */
    uint32_t next = q->list.start_domid;

    reply_init(&r.r, &q->hdr, sizeof(r));
    r.r.status = 0;
    for (;;) {
        struct domain *best = NULL;
        for (int i = 0; i < HV_MAX_DOMAINS; i++) {
            struct domain *d = hv->doms[i];
            if (d && d->domid >= next && (!best || d->domid < best->domid) && visible(subj, d))
                best = d;
        }
        if (best == NULL)
            break;
        if (r.nr == XENIA_LIST_MAX) {
            r.more = 1;
            break;
        }
        domain_info(best, &r.dom[r.nr++]);
        next = best->domid + 1;
    }
    send_reply(c, &r, sizeof(r), -1);
}

/* Read a whole policy binary of `size` bytes from fd (a file the client opened). */
static int read_policy(int fd, uint32_t size, uint8_t **out, char *err, size_t errlen)
{
    struct stat st;
    uint8_t *buf;
    size_t off = 0;

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size != size) {
        snprintf(err, errlen, "the policy must be a regular file of exactly %u bytes", size);
        return -XENIA_EINVAL;
    }
    buf = malloc(size);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -XENIA_ENOMEM;
    }
    while (off < size) {
        ssize_t n = pread(fd, buf + off, size - off, (off_t)off);
        if (n <= 0) {
            snprintf(err, errlen, "cannot read the policy file: %s", n < 0 ? strerror(errno) : "short");
            free(buf);
            return -XENIA_EIO;
        }
        off += (size_t)n;
    }
    *out = buf;
    return 0;
}

/* Policy operations: LOADPOLICY, GETENFORCE, SETENFORCE, GETBOOL, SETBOOL, AUDIT. */
static void handle_xsm(struct hv *hv, struct ctl_client *c, const union ctl_req *q, int fd,
                       const struct xsm_label *subj)
{
    char err[XENIA_ERRMSG_MAX] = "";
    int rc;

    switch (q->hdr.op) {
    case XENIA_CTL_LOADPOLICY: {
        uint8_t *buf = NULL;
        char why[XENIA_ERRMSG_MAX - 32];
        if (xsm_load_policy(XSM_PRIV, subj, &hv->security_label) < 0) {
            reply_status(c, &q->hdr, -XENIA_EACCES, XENIA_DOMID_INVALID,
                         "permission denied: load_policy (see `xenia audit`)");
            break;
        }
        rc = read_policy(fd, q->loadpolicy.size, &buf, err, sizeof(err));
        if (rc == 0) {
            rc = xsm_policy_load(buf, q->loadpolicy.size, why, sizeof(why));
            if (rc < 0) {
                snprintf(err, sizeof(err), "policy rejected, the old one stays in force: %.140s", why);
                rc = rc == -EOPNOTSUPP ? -XENIA_EOPNOTSUPP : -XENIA_EINVAL;
            }
        }
        if (rc == 0)
            measure_policy(buf, q->loadpolicy.size, "xenia:loadpolicy");
        free(buf);
        if (rc == 0) {
            xsm_audit_note("policy loaded: %u bytes by uid %u pid %d", q->loadpolicy.size,
                           c->uid, (int)c->pid);
            log_info("xsm: policy loaded (%u bytes) by uid %u", q->loadpolicy.size, c->uid);
        }
        reply_status(c, &q->hdr, rc, XENIA_DOMID_INVALID, rc < 0 ? err : NULL);
        break;
    }
    case XENIA_CTL_GETENFORCE: {
        struct xenia_ctl_getenforce_reply r;
        struct xsm_status st;

        reply_init(&r.r, &q->hdr, sizeof(r));
        xsm_get_status(&st);
        r.st.module = st.module == XSM_MODULE_FLASK ? XENIA_XSM_FLASK : XENIA_XSM_DUMMY;
        r.st.enforcing = st.enforcing;
        r.st.policy_loads = st.policy_loads;
        r.st.nbools = st.nbools;
        r.st.avc_lookups = st.avc_lookups;
        r.st.avc_hits = st.avc_hits;
        r.st.avc_misses = st.avc_misses;
        r.st.avc_reclaims = st.avc_reclaims;
        r.st.avc_flushes = st.avc_flushes;
        r.st.denials = st.denials;
        r.st.audit_seq = st.audit_seq;
        r.st.audit_dropped = st.audit_dropped;
        memcpy(r.st.policy_sha256, st.policy_sha256, sizeof(r.st.policy_sha256));
        if (xsm_label_string(subj, r.st.context, sizeof(r.st.context)) < 0)
            r.st.context[0] = '\0';
        send_reply(c, &r, sizeof(r), -1);
        break;
    }
    case XENIA_CTL_SETENFORCE:
        if (xsm_module() != XSM_MODULE_FLASK) {
            reply_status(c, &q->hdr, -XENIA_EOPNOTSUPP, XENIA_DOMID_INVALID,
                         "the dummy module has no permissive mode (start xenia-hv with --policy)");
            break;
        }
        if (xsm_setenforce(XSM_PRIV, subj, &hv->security_label) < 0) {
            reply_status(c, &q->hdr, -XENIA_EACCES, XENIA_DOMID_INVALID,
                         "permission denied: setenforce (see `xenia audit`)");
            break;
        }
        xsm_set_enforcing(q->setenforce.enforcing != 0);
        measure_state("xenia:enforce %u", q->setenforce.enforcing != 0);
        xsm_audit_note("setenforce: enforcing=%u by uid %u pid %d", q->setenforce.enforcing,
                       c->uid, (int)c->pid);
        log_info("xsm: %s (uid %u)", q->setenforce.enforcing ? "enforcing" : "permissive", c->uid);
        reply_status(c, &q->hdr, 0, XENIA_DOMID_INVALID, NULL);
        break;
    case XENIA_CTL_GETBOOL: {
        struct xenia_ctl_bool_reply r;
        bool cur, dflt;

        reply_init(&r.r, &q->hdr, sizeof(r));
        r.nbools = xsm_nbools();
        rc = xsm_bool_at(q->getbool.index, r.name, sizeof(r.name), &cur, &dflt);
        if (rc < 0) {
            snprintf(err, sizeof(err), rc == -EOPNOTSUPP ? "the dummy module has no booleans"
                     : "no boolean at index %u (the policy has %u)", q->getbool.index, r.nbools);
            reply_status(c, &q->hdr, rc == -EOPNOTSUPP ? -XENIA_EOPNOTSUPP : -XENIA_ENOENT,
                         XENIA_DOMID_INVALID, err);
            break;
        }
        r.cur = cur;
        r.dflt = dflt;
        send_reply(c, &r, sizeof(r), -1);
        break;
    }
    case XENIA_CTL_SETBOOL:
        if (xsm_setbool(XSM_PRIV, subj, &hv->security_label) < 0) {
            reply_status(c, &q->hdr, -XENIA_EACCES, XENIA_DOMID_INVALID,
                         "permission denied: setbool (see `xenia audit`)");
            break;
        }
        rc = xsm_bool_set(q->setbool.name, q->setbool.value != 0);
        if (rc < 0) {
            snprintf(err, sizeof(err), rc == -EOPNOTSUPP ? "the dummy module has no booleans"
                     : "no boolean named '%s' (see `xenia getbool -a`)", q->setbool.name);
            reply_status(c, &q->hdr, rc == -EOPNOTSUPP ? -XENIA_EOPNOTSUPP : -XENIA_ENOENT,
                         XENIA_DOMID_INVALID, err);
            break;
        }
        measure_state("xenia:bool %.64s=%u", q->setbool.name, q->setbool.value != 0);
        xsm_audit_note("setbool: %s=%u by uid %u pid %d", q->setbool.name, q->setbool.value,
                       c->uid, (int)c->pid);
        reply_status(c, &q->hdr, 0, XENIA_DOMID_INVALID, NULL);
        break;
    case XENIA_CTL_AUDIT: {
        static struct xenia_ctl_audit_reply r;   /* main thread only; 16 KiB */
        size_t n;

        if (xsm_read_audit(XSM_PRIV, subj, &hv->security_label) < 0) {
            reply_status(c, &q->hdr, -XENIA_EACCES, XENIA_DOMID_INVALID,
                         "permission denied: read_audit");
            break;
        }
        reply_init(&r.r, &q->hdr, sizeof(r));
        n = xsm_audit_read(q->audit.after, r.text, sizeof(r.text), &r.last);
        r.len = (uint32_t)n;
        r.more = xsm_audit_last() > r.last;
        send_reply(c, &r, sizeof(r), -1);
        break;
    }
    }
}

static void handle(struct hv *hv, struct ctl_client *c, const union ctl_req *q, int fd, int fd2)
{
    struct domain *d;
    struct xsm_label subj;
    char err[XENIA_ERRMSG_MAX] = "";
    uint32_t domid = XENIA_DOMID_INVALID;
    int rc;

    if (xsm_label_client(c->uid, (uint32_t)c->pid, &subj) < 0) {
        snprintf(err, sizeof(err), "permission denied: the policy maps no security context to "
                 "uid %u (add a `login` line)", c->uid);
        reply_status(c, &q->hdr, -XENIA_EACCES, XENIA_DOMID_INVALID, err);
        if (fd >= 0)
            close(fd);
        if (fd2 >= 0)
            close(fd2);
        return;
    }
    switch (q->hdr.op) {
    case XENIA_CTL_CREATE:
        rc = domain_create(hv, &q->create, fd, fd2, &subj, &domid, err, sizeof(err));
        reply_status(c, &q->hdr, rc, domid, rc < 0 ? err : NULL);
        return;
    case XENIA_CTL_LIST:
        do_list(hv, c, q, &subj);
        return;
    case XENIA_CTL_LOOKUP:
        d = domain_lookup(hv, q->lookup.name);
        if (d == NULL || !visible(&subj, d)) {
            snprintf(err, sizeof(err), "no domain named '%s' (see `xenia list`)", q->lookup.name);
            reply_status(c, &q->hdr, -XENIA_ESRCH, XENIA_DOMID_INVALID, err);
        } else {
            reply_status(c, &q->hdr, 0, d->domid, NULL);
        }
        return;
    case XENIA_CTL_INFO: {
        struct xenia_ctl_info_reply r;
        if ((d = target(hv, c, q, &subj, q->dom.domid, h_getinfo)) == NULL)
            return;
        memset(&r, 0, sizeof(r));
        reply_init(&r.r, &q->hdr, sizeof(r));
        r.r.domid = d->domid;
        domain_info(d, &r.info);
        r.nr_stubdoms = domain_stubdoms(d, r.stubdom, &r.disk_bytes);
        send_reply(c, &r, sizeof(r), -1);
        return;
    }
    case XENIA_CTL_PAUSE:
    case XENIA_CTL_UNPAUSE:
        if ((d = target(hv, c, q, &subj, q->dom.domid,
                        q->hdr.op == XENIA_CTL_PAUSE ? h_pause : h_unpause)) == NULL)
            return;
        rc = q->hdr.op == XENIA_CTL_PAUSE ? domain_pause(d) : domain_unpause(d);
        if (rc == -XENIA_EBUSY)
            snprintf(err, sizeof(err), "domain %u is already %s", d->domid,
                     q->hdr.op == XENIA_CTL_PAUSE ? "paused" : "running");
        else if (rc == -XENIA_ESHUTDOWN)
            snprintf(err, sizeof(err), "domain %u has stopped; destroy it", d->domid);
        reply_status(c, &q->hdr, rc, d->domid, rc < 0 ? err : NULL);
        return;
    case XENIA_CTL_SHUTDOWN:
        if ((d = target(hv, c, q, &subj, q->shutdown.domid, h_shutdown)) == NULL)
            return;
        rc = domain_request_shutdown(d, q->shutdown.reason);
        if (rc < 0)
            snprintf(err, sizeof(err), "domain %u has already stopped", d->domid);
        reply_status(c, &q->hdr, rc, d->domid, rc < 0 ? err : NULL);
        return;
    case XENIA_CTL_DESTROY:
        if ((d = target(hv, c, q, &subj, q->dom.domid, h_destroy)) == NULL)
            return;
        domid = d->domid;
        domain_destroy(hv, d);
        reply_status(c, &q->hdr, 0, domid, NULL);
        return;
    case XENIA_CTL_CONSOLE: {
        int cfd;
        if ((d = target(hv, c, q, &subj, q->dom.domid, h_console)) == NULL)
            return;
        cfd = console_attach(&d->con);
        if (cfd < 0) {
            snprintf(err, sizeof(err), cfd == -EBUSY ? "too many consoles attached to domain %u"
                     : "cannot attach to the console of domain %u", d->domid);
            reply_status(c, &q->hdr, cfd == -EBUSY ? -XENIA_EBUSY : -XENIA_EIO, d->domid, err);
            return;
        }
        {
            struct xenia_ctl_reply r;
            reply_init(&r, &q->hdr, sizeof(r));
            r.domid = d->domid;
            send_reply(c, &r, sizeof(r), cfd);
        }
        close(cfd);
        /* A stopped domain has nothing more to say: the client gets the backlog, then EOF. */
        if (d->state == XENIA_DOMSTATE_SHUTDOWN || d->state == XENIA_DOMSTATE_CRASHED)
            console_detach_all(&d->con);
        return;
    }
    case XENIA_CTL_LOADPOLICY:
    case XENIA_CTL_GETENFORCE:
    case XENIA_CTL_SETENFORCE:
    case XENIA_CTL_GETBOOL:
    case XENIA_CTL_SETBOOL:
    case XENIA_CTL_AUDIT:
        handle_xsm(hv, c, q, fd, &subj);
        if (fd >= 0)
            close(fd);
        return;
    default:
        reply_status(c, &q->hdr, -XENIA_ENOSYS, XENIA_DOMID_INVALID, "unknown operation");
        if (fd >= 0)
            close(fd);
        return;
    }
}

int ctl_client_readable(struct hv *hv, struct ctl_client *c)
{
    union ctl_req q;
    char buf[sizeof(union ctl_req) + 16];
    char cbuf[CMSG_SPACE(CTL_MAX_FDS * sizeof(int))];
    struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
    struct msghdr mh;
    struct cmsghdr *cm;
    int fds[CTL_MAX_FDS], nfds = 0, rc;
    char err[XENIA_ERRMSG_MAX];
    ssize_t n;

    memset(&mh, 0, sizeof(mh));
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n == 0)
        return -1;
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
            size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < k; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
                if (nfds < CTL_MAX_FDS)
                    fds[nfds++] = fd;
                else
                    close(fd);
            }
        }
    }
    if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        rc = -XENIA_EPROTO;
        snprintf(err, sizeof(err), "message too large or too many file descriptors");
    } else {
        rc = ctl_decode(buf, (size_t)n, nfds, &q, err, sizeof(err));
    }
    if (rc < 0) {
        struct xenia_ctl_hdr h;
        memset(&h, 0, sizeof(h));
        if ((size_t)n >= sizeof(h))
            memcpy(&h, buf, sizeof(h));
        log_info("ctl: rejected request from pid %d uid %u: %s", (int)c->pid, c->uid, err);
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        reply_status(c, &h, rc, XENIA_DOMID_INVALID, err);
        return 0;
    }
    log_debug("ctl: %s from pid %d uid %u", ctl_op_name(q.hdr.op), (int)c->pid, c->uid);
    handle(hv, c, &q, nfds ? fds[0] : -1, nfds > 1 ? fds[1] : -1);
    return 0;
}
