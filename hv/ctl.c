/* SPDX-License-Identifier: MIT */
/*
 * Control socket server (protocol: include/xenia/ctl.h). Each message is
 * received whole (SOCK_SEQPACKET), validated by ctl_decode() in one place,
 * access-checked against the caller's SO_PEERCRED uid, then acted on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_decode.h"
#include "domain.h"
#include "log.h"

#define CTL_MAX_FDS 4

/*
 * Access rule until the XSM layer takes over: root may act on every domain,
 * any other uid only on the domains it created (the `dummy` privileged-caller
 * rule). Every control operation on a domain goes through here.
 */
static int may_access(const struct ctl_client *c, const struct domain *d)
{
    return c->uid == 0 || d->owner_uid == c->uid;
}

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

/* Domain named by a request, checked against the caller; NULL after replying. */
static struct domain *target(struct hv *hv, struct ctl_client *c, const union ctl_req *q,
                             uint32_t domid)
{
    struct domain *d = domain_find(hv, domid);
    char msg[96];

    /* A domain the caller may not see does not exist for it (no existence leak). */
    if (d == NULL || !may_access(c, d)) {
        snprintf(msg, sizeof(msg), "no domain with id %u (see `xenia list`)", domid);
        reply_status(c, &q->hdr, -XENIA_ESRCH, domid, msg);
        return NULL;
    }
    return d;
}

static void do_list(struct hv *hv, struct ctl_client *c, const union ctl_req *q)
{
    static struct xenia_ctl_list_reply r;   /* main thread only; 13 KiB */
    uint32_t next = q->list.start_domid;

    reply_init(&r.r, &q->hdr, sizeof(r));
    r.r.status = 0;
    for (;;) {
        struct domain *best = NULL;
        for (int i = 0; i < HV_MAX_DOMAINS; i++) {
            struct domain *d = hv->doms[i];
            if (d && d->domid >= next && may_access(c, d) && (!best || d->domid < best->domid))
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

static void handle(struct hv *hv, struct ctl_client *c, const union ctl_req *q, int fd)
{
    struct domain *d;
    char err[XENIA_ERRMSG_MAX] = "";
    uint32_t domid = XENIA_DOMID_INVALID;
    int rc;

    switch (q->hdr.op) {
    case XENIA_CTL_CREATE:
        rc = domain_create(hv, &q->create, fd, c->uid, &domid, err, sizeof(err));
        reply_status(c, &q->hdr, rc, domid, rc < 0 ? err : NULL);
        return;
    case XENIA_CTL_LIST:
        do_list(hv, c, q);
        return;
    case XENIA_CTL_LOOKUP:
        d = domain_lookup(hv, q->lookup.name);
        if (d == NULL || !may_access(c, d)) {
            snprintf(err, sizeof(err), "no domain named '%s' (see `xenia list`)", q->lookup.name);
            reply_status(c, &q->hdr, -XENIA_ESRCH, XENIA_DOMID_INVALID, err);
        } else {
            reply_status(c, &q->hdr, 0, d->domid, NULL);
        }
        return;
    case XENIA_CTL_INFO: {
        struct xenia_ctl_info_reply r;
        if ((d = target(hv, c, q, q->dom.domid)) == NULL)
            return;
        reply_init(&r.r, &q->hdr, sizeof(r));
        r.r.domid = d->domid;
        domain_info(d, &r.info);
        send_reply(c, &r, sizeof(r), -1);
        return;
    }
    case XENIA_CTL_PAUSE:
    case XENIA_CTL_UNPAUSE:
        if ((d = target(hv, c, q, q->dom.domid)) == NULL)
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
        if ((d = target(hv, c, q, q->shutdown.domid)) == NULL)
            return;
        rc = domain_request_shutdown(d, q->shutdown.reason);
        if (rc < 0)
            snprintf(err, sizeof(err), "domain %u has already stopped", d->domid);
        reply_status(c, &q->hdr, rc, d->domid, rc < 0 ? err : NULL);
        return;
    case XENIA_CTL_DESTROY:
        if ((d = target(hv, c, q, q->dom.domid)) == NULL)
            return;
        domid = d->domid;
        domain_destroy(hv, d);
        reply_status(c, &q->hdr, 0, domid, NULL);
        return;
    case XENIA_CTL_CONSOLE: {
        int cfd;
        if ((d = target(hv, c, q, q->dom.domid)) == NULL)
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
    default:
        reply_status(c, &q->hdr, -XENIA_ENOSYS, XENIA_DOMID_INVALID, "unknown operation");
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
    handle(hv, c, &q, nfds ? fds[0] : -1);
    return 0;
}
