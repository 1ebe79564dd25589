/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CLI's socket side (tools/ctl_client.c, tools/console.c)
 * against an in-process fake xenia-hv: a thread serving ctl.sock in a temporary
 * run directory, speaking include/xenia/ctl.h. Checks fd passing both ways
 * (CREATE image fd, CONSOLE socket), LIST paging, hv errors, and that malformed
 * replies, unexpected fds, silence and hang-ups are reported, not trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../tools/console.h"
#include "../../tools/ctl_client.h"
#include "../../tools/ctl_msg.h"

/* ---- fake xenia-hv ----------------------------------------------------- */

#define NDOMS 40            /* more than one LIST page */
#define DOM_BAD_SEQ   666
#define DOM_EXTRA_FD  667
#define DOM_HANGUP    668
#define DOM_SILENT    669
#define DOM_QUIET_CON 670   /* console that never speaks nor closes */

static char run_dir[64];
static int listen_fd = -1;
static pthread_t server;
static volatile int stop_server;
static char last_image_magic[5];
static char last_create_name[XENIA_NAME_MAX];
static uint8_t last_create_flags;
static char console_got[64];
static size_t console_got_len;
static int quiet_console_peer = -1;

static void fill_info(struct xenia_dominfo *d, uint32_t domid)
{
    memset(d, 0, sizeof(*d));
    d->domid = domid;
    d->state = domid % 2 ? XENIA_DOMSTATE_RUNNING : XENIA_DOMSTATE_SHUTDOWN;
    d->vcpus = 1;
    d->memory_mib = 16;
    snprintf(d->name, sizeof(d->name), "vm%u", domid);
}

/* Console server side: greet, read until "ping\n" or EOF, answer, close. */
static void *console_peer(void *arg)
{
    int fd = (int)(intptr_t)arg;
    ssize_t r;

    memset(console_got, 0, sizeof(console_got));
    console_got_len = 0;
    (void)!send(fd, "hello\n", 6, MSG_NOSIGNAL);
    while (console_got_len < sizeof(console_got) - 1 &&
           (r = read(fd, console_got + console_got_len,
                     sizeof(console_got) - 1 - console_got_len)) > 0) {
        console_got_len += (size_t)r;
        console_got[console_got_len] = '\0';
        if (strstr(console_got, "ping\n"))
            break;
    }
    if (strstr(console_got, "ping\n"))
        (void)!send(fd, "pong\n", 5, MSG_NOSIGNAL);
    close(fd);
    return NULL;
}

static void send_reply(int c, void *rep, size_t n, int fd)
{
    union {
        struct cmsghdr a;
        char b[CMSG_SPACE(sizeof(int))];
    } cb;
    struct iovec iov = { rep, n };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

    if (fd >= 0) {
        struct cmsghdr *cm;

        memset(&cb, 0, sizeof(cb));
        mh.msg_control = cb.b;
        mh.msg_controllen = sizeof(cb.b);
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    }
    (void)!sendmsg(c, &mh, MSG_NOSIGNAL);
}

static void serve_one(int c)
{
    static union {
        struct xenia_ctl_create cr;
        struct xenia_ctl_domid d;
        struct xenia_ctl_lookup l;
        struct xenia_ctl_list li;
        struct xenia_ctl_shutdown s;
        struct xenia_ctl_hdr h;
        char b[2048];
    } q;
    static union {
        struct xenia_ctl_reply r;
        struct xenia_ctl_info_reply i;
        struct xenia_ctl_list_reply l;
    } a;
    union {
        struct cmsghdr al;
        char b[CMSG_SPACE(4 * sizeof(int))];
    } cb;
    struct iovec iov = { &q, sizeof(q) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
                         .msg_controllen = sizeof(cb.b) };
    struct cmsghdr *cm;
    int in_fd = -1, out_fd = -1, sp[2];
    size_t alen = sizeof(a.r);
    ssize_t n;
    uint32_t i;

    n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
    if (n < (ssize_t)sizeof(q.h))
        return;
    for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
        if (cm->cmsg_type == SCM_RIGHTS)
            memcpy(&in_fd, CMSG_DATA(cm), sizeof(int));
    memset(&a, 0, sizeof(a));
    a.r.hdr = q.h;
    a.r.domid = XENIA_DOMID_INVALID;
    /* requests must be exact (the real hv refuses anything else) */
    if (q.h.magic != XENIA_CTL_MAGIC || q.h.version != XENIA_CTL_VERSION ||
        q.h.len != (uint32_t)n) {
        a.r.status = -XENIA_EPROTO;
        goto reply;
    }
    switch (q.h.op) {
    case XENIA_CTL_CREATE:
        if (n != sizeof(q.cr) || in_fd < 0 || q.cr.pad[0] || q.cr.pad[3]) {
            a.r.status = -XENIA_EINVAL;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg), "bad create");
            break;
        }
        memset(last_image_magic, 0, sizeof(last_image_magic));
        (void)!pread(in_fd, last_image_magic, 4, 0);
        memcpy(last_create_name, q.cr.name, sizeof(last_create_name));
        last_create_flags = q.cr.flags;
        a.r.domid = 7;
        break;
    case XENIA_CTL_LOOKUP:
        if (strcmp(q.l.name, "vm3") == 0) {
            a.r.domid = 3;
        } else {
            a.r.status = -XENIA_ENOENT;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg), "no domain named %s", q.l.name);
        }
        break;
    case XENIA_CTL_LIST:
        alen = sizeof(a.l);
        for (i = q.li.start_domid; i < NDOMS && a.l.nr < XENIA_LIST_MAX; i++)
            fill_info(&a.l.dom[a.l.nr++], i);
        a.l.more = i < NDOMS;
        break;
    case XENIA_CTL_INFO:
        if (q.d.domid == DOM_BAD_SEQ) {
            a.r.hdr.seq++;
        } else if (q.d.domid == DOM_EXTRA_FD) {
            out_fd = dup(c);
        } else if (q.d.domid == DOM_HANGUP) {
            return;
        } else if (q.d.domid == DOM_SILENT) {
            usleep(500 * 1000);
            return;
        } else if (q.d.domid >= NDOMS) {
            a.r.status = -XENIA_ESRCH;      /* short error reply */
            break;
        }
        alen = sizeof(a.i);
        a.r.hdr.len = (uint32_t)alen;
        fill_info(&a.i.info, q.d.domid);
        goto reply_len_set;
    case XENIA_CTL_PAUSE:
        a.r.status = -XENIA_EBUSY;
        snprintf(a.r.errmsg, sizeof(a.r.errmsg), "domain %u is already paused", q.d.domid);
        break;
    case XENIA_CTL_CONSOLE:
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
            a.r.status = -XENIA_ENOMEM;
            break;
        }
        out_fd = sp[0];
        if (q.d.domid == DOM_QUIET_CON) {
            quiet_console_peer = sp[1];
        } else {
            pthread_t t;

            pthread_create(&t, NULL, console_peer, (void *)(intptr_t)sp[1]);
            pthread_detach(t);
        }
        break;
    default:
        break;
    }
reply:
    a.r.hdr.len = (uint32_t)alen;
reply_len_set:
    send_reply(c, &a, alen, out_fd);
    if (out_fd >= 0)
        close(out_fd);
    if (in_fd >= 0)
        close(in_fd);
}

static void *server_main(void *arg)
{
    (void)arg;
    while (!stop_server) {
        int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

        if (c < 0)
            break;
        serve_one(c);
        close(c);
    }
    return NULL;
}

static int setup(void **state)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    (void)state;
    strcpy(run_dir, "/tmp/xenia-test-cli-XXXXXX");
    if (!mkdtemp(run_dir))
        return -1;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/ctl.sock", run_dir);
    listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (listen_fd < 0 || bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(listen_fd, 8) < 0)
        return -1;
    return pthread_create(&server, NULL, server_main, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char p[128];

    (void)state;
    stop_server = 1;
    shutdown(listen_fd, SHUT_RDWR);
    pthread_join(server, NULL);
    close(listen_fd);
    snprintf(p, sizeof(p), "%s/ctl.sock", run_dir);
    unlink(p);
    rmdir(run_dir);
    return 0;
}

static struct xenia_ctl cl;

static void init_client(void)
{
    assert_int_equal(xenia_ctl_init(&cl, run_dir), 0);
    cl.timeout_ms = 5000;
}

/* ---- tests -------------------------------------------------------------- */

static void test_no_daemon(void **state)
{
    struct xenia_dominfo d;

    (void)state;
    assert_int_equal(xenia_ctl_init(&cl, "/nonexistent/xenia"), 0);
    assert_int_equal(xenia_ctl_info(&cl, 1, &d), -ENOENT);
    assert_int_equal(cl.hv_error, 0);
    assert_non_null(strstr(cl.err, "cannot reach xenia-hv at /nonexistent/xenia/ctl.sock"));
    assert_non_null(strstr(cl.err, "is xenia-hv running?"));
    assert_non_null(strstr(cl.err, "xenia-hv --run-dir /nonexistent/xenia"));
}

static void test_init(void **state)
{
    char longdir[200];

    (void)state;
    memset(longdir, 'a', sizeof(longdir) - 1);
    longdir[0] = '/';
    longdir[sizeof(longdir) - 1] = '\0';
    assert_int_equal(xenia_ctl_init(&cl, longdir), -XENIA_EINVAL);
    assert_non_null(strstr(cl.err, "too long"));
    setenv("XENIA_RUN_DIR", "/some/where", 1);
    assert_int_equal(xenia_ctl_init(&cl, NULL), 0);
    assert_string_equal(cl.sock_path, "/some/where/ctl.sock");
    unsetenv("XENIA_RUN_DIR");
    assert_int_equal(xenia_ctl_init(&cl, NULL), 0);
    assert_string_equal(cl.sock_path, "/run/xenia/ctl.sock");
}

static void test_create_passes_image_fd(void **state)
{
    struct xenia_domcfg cfg;
    char img[] = "/tmp/xenia-test-img-XXXXXX";
    uint32_t domid = 0;
    int fd;

    (void)state;
    init_client();
    fd = mkstemp(img);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\177ELF\002", 5), 5);
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.name, "newvm");
    cfg.memory_mib = 16;
    cfg.vcpus = 1;
    assert_int_equal(xenia_ctl_create(&cl, &cfg, XENIA_CREATE_F_PAUSED, fd, &domid), 0);
    assert_int_equal(domid, 7);
    assert_memory_equal(last_image_magic, "\177ELF", 4);
    assert_string_equal(last_create_name, "newvm");
    assert_int_equal(last_create_flags, XENIA_CREATE_F_PAUSED);
    close(fd);
    unlink(img);
}

static void test_lookup_and_resolve(void **state)
{
    uint32_t domid = 0;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_resolve(&cl, "vm3", &domid), 0);
    assert_int_equal(domid, 3);
    assert_int_equal(xenia_ctl_resolve(&cl, "12", &domid), 0);   /* no request needed */
    assert_int_equal(domid, 12);
    assert_int_equal(xenia_ctl_resolve(&cl, "nosuch", &domid), -XENIA_ENOENT);
    assert_int_equal(cl.hv_error, 1);
    assert_string_equal(cl.err, "no domain named nosuch");
    assert_int_equal(xenia_ctl_resolve(&cl, "bad name!", &domid), -XENIA_EINVAL);
    assert_int_equal(cl.hv_error, 0);
    assert_non_null(strstr(cl.err, "neither a domid nor a valid domain name"));
    assert_int_equal(xenia_ctl_resolve(&cl, "99999999999", &domid), -XENIA_ERANGE);
}

static void test_list_pages(void **state)
{
    struct xenia_dominfo *d = NULL;
    size_t n = 0, i;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_list(&cl, &d, &n), 0);
    assert_int_equal(n, NDOMS);
    for (i = 0; i < n; i++) {
        char want[32];

        assert_int_equal(d[i].domid, i);
        snprintf(want, sizeof(want), "vm%zu", i);
        assert_string_equal(d[i].name, want);
    }
    free(d);
}

static void test_info_and_hv_errors(void **state)
{
    struct xenia_dominfo d;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_info(&cl, 5, &d), 0);
    assert_string_equal(d.name, "vm5");
    assert_int_equal(d.state, XENIA_DOMSTATE_RUNNING);
    assert_int_equal(xenia_ctl_info(&cl, 100, &d), -XENIA_ESRCH);  /* short error reply */
    assert_int_equal(cl.hv_error, 1);
    assert_string_equal(cl.err, "");
    assert_int_equal(xenia_ctl_domid_op(&cl, XENIA_CTL_PAUSE, 4), -XENIA_EBUSY);
    assert_int_equal(cl.hv_error, 1);
    assert_string_equal(cl.err, "domain 4 is already paused");
    assert_int_equal(xenia_ctl_domid_op(&cl, XENIA_CTL_INFO, 4), -XENIA_EINVAL);
}

static void test_malformed_replies(void **state)
{
    struct xenia_dominfo d;
    int fd;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_info(&cl, DOM_BAD_SEQ, &d), -XENIA_EPROTO);
    assert_int_equal(cl.hv_error, 0);
    assert_non_null(strstr(cl.err, "seq"));

    assert_int_equal(xenia_ctl_info(&cl, DOM_EXTRA_FD, &d), -XENIA_EPROTO);
    assert_non_null(strstr(cl.err, "unexpected file descriptors"));

    assert_int_equal(xenia_ctl_info(&cl, DOM_HANGUP, &d), -XENIA_EPROTO);
    assert_non_null(strstr(cl.err, "closed the connection"));

    cl.timeout_ms = 100;
    assert_int_equal(xenia_ctl_info(&cl, DOM_SILENT, &d), -XENIA_ETIMEDOUT);
    assert_non_null(strstr(cl.err, "did not answer"));
    usleep(600 * 1000);     /* let the fake finish with that connection */

    /* a CONSOLE reply must carry a socket */
    cl.timeout_ms = 5000;
    assert_int_equal(xenia_ctl_console(&cl, 3, &fd), 0);
    close(fd);
}

static void test_console_pipe(void **state)
{
    struct xenia_console_opts o;
    int fd = -1, in[2], out[2];
    char buf[64];
    ssize_t r;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_console(&cl, 3, &fd), 0);
    assert_true(fd >= 0);
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    assert_int_equal(write(in[1], "ping\n", 5), 5);
    close(in[1]);           /* stdin at EOF: output still copied until the console closes */
    memset(&o, 0, sizeof(o));
    o.in_fd = in[0];
    o.out_fd = out[1];
    o.timeout_ms = 5000;
    assert_int_equal(xenia_console_pump(fd, &o), XENIA_CONSOLE_EOF);
    close(out[1]);
    r = read(out[0], buf, sizeof(buf) - 1);
    assert_true(r > 0);
    buf[r] = '\0';
    assert_string_equal(buf, "hello\npong\n");
    close(out[0]);
    close(in[0]);
    close(fd);
}

static void test_console_escape(void **state)
{
    struct xenia_console_opts o;
    int fd = -1, in[2], out[2], i;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_console(&cl, 3, &fd), 0);
    assert_int_equal(pipe(in), 0);
    assert_int_equal(pipe(out), 0);
    assert_int_equal(write(in[1], "ab\x1d" "cd", 5), 5);
    memset(&o, 0, sizeof(o));
    o.in_fd = in[0];
    o.out_fd = out[1];
    o.escape = 1;
    o.timeout_ms = 5000;
    assert_int_equal(xenia_console_pump(fd, &o), XENIA_CONSOLE_DETACHED);
    close(fd);              /* the peer now sees EOF */
    for (i = 0; i < 100 && !strstr(console_got, "ab"); i++)
        usleep(10 * 1000);
    assert_string_equal(console_got, "ab");
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
}

static void test_console_timeout_and_readonly(void **state)
{
    struct xenia_console_opts o;
    volatile sig_atomic_t stop = 0;
    int fd = -1, out[2];

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_console(&cl, DOM_QUIET_CON, &fd), 0);
    assert_int_equal(pipe(out), 0);
    memset(&o, 0, sizeof(o));
    o.in_fd = -1;           /* read-only */
    o.out_fd = out[1];
    o.timeout_ms = 100;
    assert_int_equal(xenia_console_pump(fd, &o), -XENIA_ETIMEDOUT);
    stop = 1;
    o.timeout_ms = 0;
    o.stop = &stop;
    assert_int_equal(xenia_console_pump(fd, &o), -XENIA_EINTR);
    /* output arriving, then EOF */
    assert_int_equal(write(quiet_console_peer, "late\n", 5), 5);
    close(quiet_console_peer);
    o.stop = NULL;
    assert_int_equal(xenia_console_pump(fd, &o), XENIA_CONSOLE_EOF);
    {
        char buf[16];
        ssize_t r = read(out[0], buf, sizeof(buf));

        assert_int_equal(r, 5);
        assert_memory_equal(buf, "late\n", 5);
    }
    assert_int_equal(xenia_console_pump(-1, &o), -XENIA_EINVAL);
    close(fd);
    close(out[0]);
    close(out[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_daemon),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_create_passes_image_fd),
        cmocka_unit_test(test_lookup_and_resolve),
        cmocka_unit_test(test_list_pages),
        cmocka_unit_test(test_info_and_hv_errors),
        cmocka_unit_test(test_malformed_replies),
        cmocka_unit_test(test_console_pipe),
        cmocka_unit_test(test_console_escape),
        cmocka_unit_test(test_console_timeout_and_readonly),
    };

    signal(SIGPIPE, SIG_IGN);   /* a peer that went away must give EPIPE, not kill us */
    return cmocka_run_group_tests(tests, setup, teardown);
}
