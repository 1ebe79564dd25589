/* SPDX-License-Identifier: MIT */
/*
 * Control socket client (see ctl_client.h). Messages are built and checked by
 * ctl_msg.c; this file only moves them, with their fds, over the socket.
 */
#include "ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl_msg.h"

#define MAX_RECV_FDS 4

static void cerr(struct xenia_ctl *c, int hv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cerr(struct xenia_ctl *c, int hv, const char *fmt, ...)
{
    va_list ap;

    c->hv_error = hv;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
}

int xenia_ctl_init(struct xenia_ctl *c, const char *run_dir)
{
    int n;

    if (!c)
        return -XENIA_EINVAL;
    memset(c, 0, sizeof(*c));
    c->seq = 1;
    c->timeout_ms = XENIA_CTL_TIMEOUT_MS;
    if (!run_dir)
        run_dir = getenv("XENIA_RUN_DIR");
    if (!run_dir || !*run_dir)
        run_dir = XENIA_RUN_DIR_DEFAULT;
    n = snprintf(c->sock_path, sizeof(c->sock_path), "%s/%s", run_dir, XENIA_CTL_SOCK);
    if (n < 0 || (size_t)n >= sizeof(c->sock_path) ||
        strlen(run_dir) >= sizeof(c->run_dir)) {
        cerr(c, 0, "run directory %.200s is too long: the socket path must fit in %zu bytes",
             run_dir, sizeof(c->sock_path) - 1);
        return -XENIA_EINVAL;
    }
    memcpy(c->run_dir, run_dir, strlen(run_dir) + 1);
    return 0;
}

static int connect_hv(struct xenia_ctl *c, int *out)
{
    struct sockaddr_un sa;
    int fd, e;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, c->sock_path, strlen(c->sock_path) + 1);
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        e = errno;
        cerr(c, 0, "cannot create a socket: %s", strerror(e));
        return -e;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        e = errno;
        close(fd);
        if (e == ENOENT || e == ECONNREFUSED || e == ENOTDIR)
            cerr(c, 0, "cannot reach xenia-hv at %s: %s \u2014 is xenia-hv running? "
                 "(start it with: xenia-hv --run-dir %s)", c->sock_path, strerror(e),
                 c->run_dir);
        else if (e == EACCES || e == EPERM)
            cerr(c, 0, "cannot reach xenia-hv at %s: %s \u2014 your user may not use "
                 "this socket (ask the administrator, or use --run-dir)", c->sock_path,
                 strerror(e));
        else if (e == EPROTOTYPE)
            cerr(c, 0, "cannot reach xenia-hv at %s: %s \u2014 that is not a xenia-hv "
                 "control socket", c->sock_path, strerror(e));
        else
            cerr(c, 0, "cannot reach xenia-hv at %s: %s", c->sock_path, strerror(e));
        return -e;
    }
    *out = fd;
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int xenia_ctl_transact_fds(struct xenia_ctl *c, const void *req, size_t req_len,
                           const int *send_fds, size_t nsend, void *reply, size_t cap,
                           size_t *reply_len, int *recv_fd)
{
    const struct xenia_ctl_hdr *h = req;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE((MAX_RECV_FDS > XENIA_CTL_MAX_SEND_FDS ? MAX_RECV_FDS :
                             XENIA_CTL_MAX_SEND_FDS) * sizeof(int))];
    } cbuf;
    int fds[MAX_RECV_FDS], nfds = 0, fd = -1, rc, i;
    struct msghdr mh;
    struct iovec iov;
    struct cmsghdr *cm;
    char why[160];
    ssize_t n;
    int64_t deadline;

    if (recv_fd)
        *recv_fd = -1;
    if (reply_len)
        *reply_len = 0;
    if (!c || !req || req_len < sizeof(*h) || !reply || !reply_len ||
        nsend > XENIA_CTL_MAX_SEND_FDS || (nsend && !send_fds)) {
        if (c)
            cerr(c, 0, "internal error: bad arguments to xenia_ctl_transact");
        return -XENIA_EINVAL;
    }
    for (i = 0; i < (int)nsend; i++) {
        if (send_fds[i] < 0) {
            cerr(c, 0, "internal error: bad file descriptor for xenia_ctl_transact");
            return -XENIA_EINVAL;
        }
    }
    c->hv_error = 0;
    c->err[0] = '\0';
    if (cap < xenia_ctl_reply_size(h->op)) {
        cerr(c, 0, "internal error: reply buffer too small");
        return -XENIA_EINVAL;
    }
    if ((rc = connect_hv(c, &fd)) < 0)
        return rc;

    /* Send the request, with its fds (one SCM_RIGHTS message, in order) if any. */
    memset(&mh, 0, sizeof(mh));
    memset(&cbuf, 0, sizeof(cbuf));
    iov.iov_base = (void *)req;
    iov.iov_len = req_len;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (nsend) {
        mh.msg_control = cbuf.buf;
        mh.msg_controllen = CMSG_SPACE(nsend * sizeof(int));
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(nsend * sizeof(int));
        memcpy(CMSG_DATA(cm), send_fds, nsend * sizeof(int));
    }
    do {
        n = sendmsg(fd, &mh, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        rc = -errno;
        cerr(c, 0, "cannot send the request to xenia-hv at %s: %s", c->sock_path,
             strerror(-rc));
        goto out;
    }
    if ((size_t)n != req_len) {
        rc = -XENIA_EPROTO;
        cerr(c, 0, "short send to xenia-hv (%zd of %zu bytes)", n, req_len);
        goto out;
    }

    /* Wait for the reply. */
    deadline = c->timeout_ms > 0 ? now_ms() + c->timeout_ms : -1;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int left = -1, pr;

        if (deadline >= 0) {
            int64_t l = deadline - now_ms();

            left = l < 0 ? 0 : (int)l;
        }
        pr = poll(&p, 1, left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr < 0) {
            rc = -errno;
            cerr(c, 0, "waiting for xenia-hv: %s", strerror(-rc));
            goto out;
        }
        if (pr == 0) {
            rc = -XENIA_ETIMEDOUT;
            cerr(c, 0, "xenia-hv did not answer within %d s", c->timeout_ms / 1000);
            goto out;
        }
        break;
    }
    memset(&mh, 0, sizeof(mh));
    memset(&cbuf, 0, sizeof(cbuf));
    iov.iov_base = reply;
    iov.iov_len = cap;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = cbuf.buf;
    mh.msg_controllen = sizeof(cbuf.buf);
    do {
        n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        rc = -errno;
        cerr(c, 0, "cannot receive the reply from xenia-hv: %s", strerror(-rc));
        goto out;
    }
    for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
        if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
            cm->cmsg_len >= CMSG_LEN(0)) {
            size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int), j;

            for (j = 0; j < k && nfds < MAX_RECV_FDS; j++)
                memcpy(&fds[nfds++], CMSG_DATA(cm) + j * sizeof(int), sizeof(int));
        }
    }
    rc = -XENIA_EPROTO;
    if (n == 0) {
        cerr(c, 0, "xenia-hv closed the connection without replying");
        goto out;
    }
    if (mh.msg_flags & MSG_TRUNC) {
        cerr(c, 0, "malformed reply from xenia-hv: longer than %zu bytes", cap);
        goto out;
    }
    if (mh.msg_flags & MSG_CTRUNC) {
        cerr(c, 0, "malformed reply from xenia-hv: too many file descriptors");
        goto out;
    }
    if (xenia_ctl_check_reply(reply, (size_t)n, h->op, h->seq, why, sizeof(why)) < 0) {
        cerr(c, 0, "malformed reply from xenia-hv: %s", why);
        goto out;
    }
    if (nfds > 1 || (nfds == 1 && !recv_fd)) {
        cerr(c, 0, "malformed reply from xenia-hv: unexpected file descriptors");
        goto out;
    }
    *reply_len = (size_t)n;
    if (nfds == 1) {
        *recv_fd = fds[0];
        nfds = 0;
    }
    rc = 0;
out:
    for (i = 0; i < nfds; i++)
        close(fds[i]);
    if (fd >= 0)
        close(fd);
    return rc;
}

int xenia_ctl_transact(struct xenia_ctl *c, const void *req, size_t req_len, int send_fd,
                       void *reply, size_t cap, size_t *reply_len, int *recv_fd)
{
    return xenia_ctl_transact_fds(c, req, req_len, &send_fd, send_fd >= 0 ? 1 : 0, reply, cap,
                                  reply_len, recv_fd);
}

/* Reply buffer big and aligned enough for any reply. */
union reply_buf {
    struct xenia_ctl_reply            r;
    struct xenia_ctl_info_reply       info;
    struct xenia_ctl_list_reply       list;
    struct xenia_ctl_getenforce_reply st;
    struct xenia_ctl_bool_reply       b;
    struct xenia_ctl_audit_reply      audit;
};

/* Send req with nsend fds, then map a reply with status < 0 to (status, c->err = errmsg). */
static int call_fds(struct xenia_ctl *c, const void *req, size_t len, const int *send_fds,
                    size_t nsend, union reply_buf *rb, int *recv_fd)
{
    size_t n = 0;
    int rc;

    rc = xenia_ctl_transact_fds(c, req, len, send_fds, nsend, rb, sizeof(*rb), &n, recv_fd);
    c->seq++;
    if (rc < 0)
        return rc;
    if (rb->r.status < 0) {
        if (recv_fd && *recv_fd >= 0) {
            close(*recv_fd);
            *recv_fd = -1;
        }
        /* errmsg is NUL-terminated (checked); shown as text, control bytes masked. */
        cerr(c, 1, "%s", rb->r.errmsg);
        for (char *p = c->err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                *p = '?';
        return rb->r.status;
    }
    return 0;
}

/* call_fds() with one fd (send_fd >= 0) or none. */
static int call(struct xenia_ctl *c, const void *req, size_t len, int send_fd,
                union reply_buf *rb, int *recv_fd)
{
    return call_fds(c, req, len, &send_fd, send_fd >= 0 ? 1 : 0, rb, recv_fd);
}

int xenia_ctl_create_disk(struct xenia_ctl *c, const struct xenia_domcfg *cfg, uint8_t flags,
                          int image_fd, int disk_fd, uint32_t *domid)
{
    struct xenia_ctl_create m;
    union reply_buf *rb;
    int fds[2] = { image_fd, disk_fd }, rc;

    if (!c)
        return -XENIA_EINVAL;
    if (!cfg || !domid || image_fd < 0 || (cfg->has_disk != 0) != (disk_fd >= 0)) {
        cerr(c, 0, "internal error: bad arguments to xenia_ctl_create (%s)",
             cfg && cfg->has_disk && disk_fd < 0 ? "the configuration names a disk but "
             "no disk file descriptor was given" : cfg && !cfg->has_disk && disk_fd >= 0 ?
             "a disk file descriptor without a disk in the configuration" : "missing argument");
        return -XENIA_EINVAL;
    }
    if (xenia_ctl_build_create(&m, c->seq, cfg, flags) < 0) {
        cerr(c, 0, "internal error: the configuration cannot be encoded");
        return -XENIA_EINVAL;
    }
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call_fds(c, &m, sizeof(m), fds, disk_fd >= 0 ? 2 : 1, rb, NULL);
    if (rc == 0)
        *domid = rb->r.domid;
    free(rb);
    return rc;
}

int xenia_ctl_create(struct xenia_ctl *c, const struct xenia_domcfg *cfg, uint8_t flags,
                     int image_fd, uint32_t *domid)
{
    return xenia_ctl_create_disk(c, cfg, flags, image_fd, -1, domid);
}

int xenia_ctl_lookup(struct xenia_ctl *c, const char *name, uint32_t *domid)
{
    struct xenia_ctl_lookup m;
    union reply_buf *rb;
    int rc;

    if (!c || !domid)
        return -XENIA_EINVAL;
    if (xenia_ctl_build_lookup(&m, c->seq, name) < 0) {
        cerr(c, 0, "\"%.80s\" is neither a domid nor a valid domain name "
             "([A-Za-z0-9_.-], 1 to 63 characters)", name ? name : "");
        return -XENIA_EINVAL;
    }
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    if (rc == 0)
        *domid = rb->r.domid;
    free(rb);
    return rc;
}

int xenia_ctl_info(struct xenia_ctl *c, uint32_t domid, struct xenia_dominfo *info)
{
    struct xenia_ctl_domid m;
    union reply_buf *rb;
    int rc;

    if (!c || !info || xenia_ctl_build_domid(&m, XENIA_CTL_INFO, c->seq, domid) < 0)
        return -XENIA_EINVAL;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    if (rc == 0)
        *info = rb->info.info;
    free(rb);
    return rc;
}

int xenia_ctl_info_ext(struct xenia_ctl *c, uint32_t domid, struct xenia_ctl_domstatus *st)
{
    struct xenia_ctl_domid m;
    union reply_buf *rb;
    int rc;

    if (!c || !st || xenia_ctl_build_domid(&m, XENIA_CTL_INFO, c->seq, domid) < 0)
        return -XENIA_EINVAL;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    if (rc == 0) {
        /* nr_stubdoms <= XENIA_STUBDOM_MAX and those entries are well-formed: checked */
        memset(st, 0, sizeof(*st));
        st->info = rb->info.info;
        st->disk_bytes = rb->info.disk_bytes;
        st->nr_stubdoms = rb->info.nr_stubdoms;
        memcpy(st->stubdom, rb->info.stubdom, st->nr_stubdoms * sizeof(st->stubdom[0]));
    }
    free(rb);
    return rc;
}

int xenia_ctl_domid_op(struct xenia_ctl *c, unsigned op, uint32_t domid)
{
    struct xenia_ctl_domid m;
    union reply_buf *rb;
    int rc;

    if (!c || (op != XENIA_CTL_PAUSE && op != XENIA_CTL_UNPAUSE && op != XENIA_CTL_DESTROY) ||
        xenia_ctl_build_domid(&m, (uint16_t)op, c->seq, domid) < 0)
        return -XENIA_EINVAL;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    free(rb);
    return rc;
}

int xenia_ctl_shutdown(struct xenia_ctl *c, uint32_t domid, uint32_t reason)
{
    struct xenia_ctl_shutdown m;
    union reply_buf *rb;
    int rc;

    if (!c || xenia_ctl_build_shutdown(&m, c->seq, domid, reason) < 0)
        return -XENIA_EINVAL;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    free(rb);
    return rc;
}

int xenia_ctl_console(struct xenia_ctl *c, uint32_t domid, int *fd)
{
    struct xenia_ctl_domid m;
    union reply_buf *rb;
    int rc, got = -1;

    if (!c || !fd || xenia_ctl_build_domid(&m, XENIA_CTL_CONSOLE, c->seq, domid) < 0)
        return -XENIA_EINVAL;
    *fd = -1;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, &got);
    free(rb);
    if (rc < 0)
        return rc;
    if (got < 0) {
        cerr(c, 0, "malformed reply from xenia-hv: the console reply carries no socket");
        return -XENIA_EPROTO;
    }
    {
        int type = 0;
        socklen_t tl = sizeof(type);

        if (getsockopt(got, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM) {
            close(got);
            cerr(c, 0, "malformed reply from xenia-hv: the console fd is not a "
                 "SOCK_STREAM socket");
            return -XENIA_EPROTO;
        }
    }
    *fd = got;
    return 0;
}

int xenia_ctl_list(struct xenia_ctl *c, struct xenia_dominfo **out, size_t *n)
{
    struct xenia_ctl_list m;
    union reply_buf *rb;
    struct xenia_dominfo *v = NULL, *nv;
    size_t cnt = 0, capn = 0;
    uint32_t start = 0, i;
    int rc;

    if (!c || !out || !n)
        return -XENIA_EINVAL;
    *out = NULL;
    *n = 0;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    for (;;) {
        if ((rc = xenia_ctl_build_list(&m, c->seq, start)) < 0)
            goto fail;
        if ((rc = call(c, &m, sizeof(m), -1, rb, NULL)) < 0)
            goto fail;
        if (rb->list.nr && rb->list.dom[0].domid < start) {
            rc = -XENIA_EPROTO;
            cerr(c, 0, "malformed reply from xenia-hv: list entry below the start domid");
            goto fail;
        }
        if (cnt + rb->list.nr > XENIA_CTL_LIST_LIMIT) {
            rc = -XENIA_E2BIG;
            cerr(c, 0, "more than %u domains", XENIA_CTL_LIST_LIMIT);
            goto fail;
        }
        if (cnt + rb->list.nr > capn) {
            size_t nc = capn ? capn * 2 : XENIA_LIST_MAX;

            while (nc < cnt + rb->list.nr)
                nc *= 2;
            nv = realloc(v, nc * sizeof(*v));
            if (!nv) {
                rc = -XENIA_ENOMEM;
                cerr(c, 0, "out of memory");
                goto fail;
            }
            v = nv;
            capn = nc;
        }
        for (i = 0; i < rb->list.nr; i++)
            v[cnt++] = rb->list.dom[i];
        if (!rb->list.more)
            break;
        /* Entries are strictly increasing (checked) and more => nr > 0. */
        start = rb->list.dom[rb->list.nr - 1].domid + 1;
        if (start == XENIA_DOMID_INVALID)
            break;
    }
    free(rb);
    *out = v;
    *n = cnt;
    return 0;
fail:
    free(rb);
    free(v);
    return rc;
}

int xenia_ctl_resolve(struct xenia_ctl *c, const char *dom, uint32_t *domid)
{
    int rc;

    if (!c || !dom || !domid)
        return -XENIA_EINVAL;
    rc = xenia_ctl_parse_domid(dom, domid);
    if (rc == 0)
        return 0;
    if (rc == -XENIA_ERANGE) {
        cerr(c, 0, "domid %.40s is too large", dom);
        return rc;
    }
    rc = xenia_ctl_lookup(c, dom, domid);
    if (rc < 0 && c->hv_error && !c->err[0] && (rc == -XENIA_ENOENT || rc == -XENIA_ESRCH))
        cerr(c, 1, "no domain named %s", dom);
    return rc;
}

/* ---- XSM / FLASK --------------------------------------------------------- */

/* Send a request whose successful reply is the short one. */
static int simple_call(struct xenia_ctl *c, const void *req, size_t len, int send_fd)
{
    union reply_buf *rb = calloc(1, sizeof(*rb));
    int rc;

    if (!rb) {
        cerr(c, 0, "out of memory");
        return -XENIA_ENOMEM;
    }
    rc = call(c, req, len, send_fd, rb, NULL);
    free(rb);
    return rc;
}

int xenia_ctl_loadpolicy(struct xenia_ctl *c, int policy_fd, uint64_t size)
{
    struct xenia_ctl_loadpolicy m;
    int rc;

    if (!c || policy_fd < 0)
        return -XENIA_EINVAL;
    if ((rc = xenia_ctl_build_loadpolicy(&m, c->seq, size)) < 0) {
        if (rc == -XENIA_E2BIG)
            cerr(c, 0, "the policy is %llu bytes; xenia-hv accepts at most %u bytes",
                 (unsigned long long)size, XENIA_POLICY_MAX);
        else
            cerr(c, 0, "the policy file is empty");
        return rc;
    }
    return simple_call(c, &m, sizeof(m), policy_fd);
}

int xenia_ctl_getenforce(struct xenia_ctl *c, struct xenia_xsm_status *st)
{
    struct xenia_ctl_hdr m;
    union reply_buf *rb;
    int rc;

    if (!c || !st || xenia_ctl_build_getenforce(&m, c->seq) < 0)
        return -XENIA_EINVAL;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    if (rc == 0)
        *st = rb->st.st;
    free(rb);
    return rc;
}

int xenia_ctl_setenforce(struct xenia_ctl *c, uint32_t enforcing)
{
    struct xenia_ctl_setenforce m;

    if (!c || xenia_ctl_build_setenforce(&m, c->seq, enforcing) < 0)
        return -XENIA_EINVAL;
    return simple_call(c, &m, sizeof(m), -1);
}

int xenia_ctl_getbool(struct xenia_ctl *c, uint32_t index, struct xenia_ctl_boolval *b)
{
    struct xenia_ctl_getbool m;
    union reply_buf *rb;
    int rc;

    if (!c || !b || xenia_ctl_build_getbool(&m, c->seq, index) < 0)
        return -XENIA_EINVAL;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    rc = call(c, &m, sizeof(m), -1, rb, NULL);
    if (rc == 0 && index >= rb->b.nbools) {
        cerr(c, 0, "malformed reply from xenia-hv: boolean %u of %u", index, rb->b.nbools);
        rc = -XENIA_EPROTO;
    }
    if (rc == 0) {
        memcpy(b->name, rb->b.name, sizeof(b->name));   /* NUL-terminated: checked */
        b->cur = rb->b.cur;
        b->dflt = rb->b.dflt;
        b->nbools = rb->b.nbools;
    }
    free(rb);
    return rc;
}

int xenia_ctl_findbool(struct xenia_ctl *c, const char *name, struct xenia_ctl_boolval *b)
{
    uint32_t i, n = 1;
    int rc;

    if (!c || !name || !b)
        return -XENIA_EINVAL;
    for (i = 0; i < n && i < XENIA_CTL_BOOL_LIMIT; i++) {
        if ((rc = xenia_ctl_getbool(c, i, b)) < 0)
            return rc;
        n = b->nbools;
        if (strcmp(b->name, name) == 0)
            return 0;
    }
    cerr(c, 1, "no boolean named %.*s", (int)XENIA_BOOLNAME_MAX, name);
    return -XENIA_ENOENT;
}

int xenia_ctl_setbool(struct xenia_ctl *c, const char *name, uint32_t value)
{
    struct xenia_ctl_setbool m;

    if (!c)
        return -XENIA_EINVAL;
    if (xenia_ctl_build_setbool(&m, c->seq, name, value) < 0) {
        cerr(c, 0, "\"%.80s\" is not a boolean name (1 to %u printable characters, no "
             "spaces)", name ? name : "", XENIA_BOOLNAME_MAX - 1);
        return -XENIA_EINVAL;
    }
    return simple_call(c, &m, sizeof(m), -1);
}

int xenia_ctl_audit(struct xenia_ctl *c, uint64_t after,
                    int (*line)(void *arg, uint64_t seq, const char *text, size_t len),
                    void *arg, uint64_t *last, int *more)
{
    struct xenia_ctl_audit m;
    union reply_buf *rb;
    unsigned chunk;
    int rc = 0;

    if (!c || !line || !last || !more)
        return -XENIA_EINVAL;
    *last = after;
    *more = 0;
    rb = calloc(1, sizeof(*rb));
    if (!rb)
        return -XENIA_ENOMEM;
    for (chunk = 0; chunk < XENIA_CTL_AUDIT_CHUNKS; chunk++) {
        const struct xenia_ctl_audit_reply *a = &rb->audit;
        size_t pos = 0, ll;
        uint64_t seq;
        const char *text;

        if ((rc = xenia_ctl_build_audit(&m, c->seq, after)) < 0 ||
            (rc = call(c, &m, sizeof(m), -1, rb, NULL)) < 0)
            goto out;
        /* Lines are well-formed and increasing (checked); they must also be new. */
        if (a->len && xenia_ctl_audit_next(a->text, a->len, &pos, &seq, &text, &ll) == 1 &&
            seq <= after) {
            cerr(c, 0, "malformed reply from xenia-hv: audit line %llu is not after %llu",
                 (unsigned long long)seq, (unsigned long long)after);
            rc = -XENIA_EPROTO;
            goto out;
        }
        pos = 0;
        while (xenia_ctl_audit_next(a->text, a->len, &pos, &seq, &text, &ll) == 1) {
            if ((rc = line(arg, seq, text, ll)) != 0)
                goto out;
            *last = seq;
        }
        if (!a->more)
            goto out;
        after = a->last;    /* > the previous after: more => len > 0 => a new line */
    }
    *more = 1;
out:
    free(rb);
    return rc;
}
