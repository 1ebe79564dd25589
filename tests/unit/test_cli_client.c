/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CLI's socket side (tools/ctl_client.c, tools/console.c)
 * against an in-process fake xenia-hv: a thread serving ctl.sock in a temporary
 * run directory, speaking include/xenia/ctl.h. Checks fd passing both ways
 * (CREATE image and disk fds, CONSOLE socket), LIST paging, INFO with stub
 * domains, hv errors, and that malformed replies, unexpected fds, silence and
 * hang-ups are reported, not trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
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
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
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
#define DOM_BAD_STUB  671   /* INFO reply with too many stub domains */

static char run_dir[64];
static int listen_fd = -1;
static pthread_t server;
static volatile int stop_server;
static char last_image_magic[5];
static char last_create_name[XENIA_NAME_MAX];
static uint8_t last_create_flags;
static int creates;                 /* CREATE requests received */
static int last_create_nfds;
static int last_disk_accmode = -1;  /* O_RDONLY / O_RDWR of the second fd */
static char last_disk_head[5];
static char console_got[64];
static size_t console_got_len;
static int quiet_console_peer = -1;

/* XSM state of the fake */
#define NBOOLS        3
#define AUDIT_LINES   100   /* lines 1..100 */
#define AUDIT_PER     7     /* lines per AUDIT reply: forces `more` */
#define AUDIT_STUCK   5000  /* after == this: a reply that does not advance */
static int last_policy_nfds;
static int last_policy_rdonly;
static uint32_t last_policy_size;
static char last_policy_head[8];
static uint32_t fake_enforcing;
static const char *const bool_names[NBOOLS] = { "allow_net", "debug_console", "strict_mcs" };
static uint32_t bool_cur[NBOOLS] = { 1, 0, 1 };
static const uint32_t bool_dflt[NBOOLS] = { 1, 1, 1 };
static int audit_requests;
static char fake_label[XENIA_SECLABEL_MAX] = "system_u:system_r:domU_t:s0:c1";

static void fill_info(struct xenia_dominfo *d, uint32_t domid)
{
    memset(d, 0, sizeof(*d));
    d->domid = domid;
    d->state = domid % 2 ? XENIA_DOMSTATE_RUNNING : XENIA_DOMSTATE_SHUTDOWN;
    d->vcpus = 1;
    d->memory_mib = 16;
    snprintf(d->name, sizeof(d->name), "vm%u", domid);
    if (domid == 3)
        snprintf(d->seclabel, sizeof(d->seclabel), "%s", fake_label);
}

/* INFO extras: domid 3 has a disk and a dm that was restarted; 5 a dm that is down. */
static void fill_status(struct xenia_ctl_info_reply *r, uint32_t domid)
{
    struct xenia_stubdom_info *s = &r->stubdom[0];

    if (domid != 3 && domid != 5)
        return;
    r->nr_stubdoms = 1;
    s->role = XENIA_STUBDOM_DM;
    s->uid = 640000 + domid;
    snprintf(s->seclabel, sizeof(s->seclabel), "system_u:system_r:dm_t:s0:c1");
    s->generation = 1;
    if (domid == 3) {
        r->disk_bytes = 64u << 20;
        s->pid = 4242;
        s->restarts = 2;
        s->generation = 3;
        s->confined = 0xff;
        snprintf(s->last_exit, sizeof(s->last_exit), "killed by SIGSYS");
    }
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
        struct xenia_ctl_loadpolicy lp;
        struct xenia_ctl_setenforce se;
        struct xenia_ctl_getbool gb;
        struct xenia_ctl_setbool sb;
        struct xenia_ctl_audit au;
        struct xenia_ctl_hdr h;
        char b[2048];
    } q;
    static union {
        struct xenia_ctl_reply r;
        struct xenia_ctl_info_reply i;
        struct xenia_ctl_list_reply l;
        struct xenia_ctl_getenforce_reply g;
        struct xenia_ctl_bool_reply bo;
        struct xenia_ctl_audit_reply au;
    } a;
    union {
        struct cmsghdr al;
        char b[CMSG_SPACE(4 * sizeof(int))];
    } cb;
    struct iovec iov = { &q, sizeof(q) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b,
                         .msg_controllen = sizeof(cb.b) };
    struct cmsghdr *cm;
    int in_fds[4], in_fd = -1, out_fd = -1, sp[2], nfds = 0, k;
    size_t alen = sizeof(a.r);
    ssize_t n;
    uint32_t i;

    n = recvmsg(c, &mh, MSG_CMSG_CLOEXEC);
    if (n < (ssize_t)sizeof(q.h))
        return;
    /* every fd, in the order sent */
    for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm))
        if (cm->cmsg_type == SCM_RIGHTS) {
            int nk = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));

            for (k = 0; k < nk && nfds < 4; k++)
                memcpy(&in_fds[nfds++], CMSG_DATA(cm) + (size_t)k * sizeof(int), sizeof(int));
        }
    if (nfds > 0)
        in_fd = in_fds[0];
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
        creates++;
        last_create_nfds = nfds;
        /* as hv's ctl_decode: the image, and the disk with XENIA_CREATE_F_DISK */
        if (n != sizeof(q.cr) || nfds != ((q.cr.flags & XENIA_CREATE_F_DISK) ? 2 : 1) ||
            q.cr.pad[0] || q.cr.pad[3]) {
            a.r.status = -XENIA_EINVAL;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg), "bad create");
            break;
        }
        memset(last_image_magic, 0, sizeof(last_image_magic));
        (void)!pread(in_fd, last_image_magic, 4, 0);
        memset(last_disk_head, 0, sizeof(last_disk_head));
        last_disk_accmode = -1;
        if (nfds == 2) {
            (void)!pread(in_fds[1], last_disk_head, 4, 0);
            last_disk_accmode = fcntl(in_fds[1], F_GETFL) & O_ACCMODE;
        }
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
        } else if (q.d.domid == DOM_BAD_STUB) {
            a.i.nr_stubdoms = XENIA_STUBDOM_MAX + 1;
        } else if (q.d.domid >= NDOMS) {
            a.r.status = -XENIA_ESRCH;      /* short error reply */
            break;
        }
        alen = sizeof(a.i);
        a.r.hdr.len = (uint32_t)alen;
        fill_info(&a.i.info, q.d.domid);
        fill_status(&a.i, q.d.domid);
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
    case XENIA_CTL_LOADPOLICY:
        last_policy_nfds = nfds;
        last_policy_size = q.lp.size;
        last_policy_rdonly = in_fd >= 0 && (fcntl(in_fd, F_GETFL) & O_ACCMODE) == O_RDONLY;
        memset(last_policy_head, 0, sizeof(last_policy_head));
        if (in_fd >= 0)
            (void)!pread(in_fd, last_policy_head, 4, 0);
        if (n != sizeof(q.lp) || nfds != 1 || q.lp.pad) {
            a.r.status = -XENIA_EINVAL;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg), "bad loadpolicy");
        } else if (memcmp(last_policy_head, "XPOL", 4) != 0) {
            a.r.status = -XENIA_EINVAL;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg), "policy: bad magic\tat offset 0");
        }
        break;
    case XENIA_CTL_GETENFORCE:
        if (n != sizeof(q.h))
            break;      /* the short reply: a malformed one for GETENFORCE */
        alen = sizeof(a.g);
        a.g.st.module = XENIA_XSM_FLASK;
        a.g.st.enforcing = fake_enforcing;
        a.g.st.policy_loads = 2;
        a.g.st.nbools = NBOOLS;
        a.g.st.avc_lookups = 200;
        a.g.st.avc_hits = 150;
        a.g.st.avc_misses = 50;
        a.g.st.denials = 4;
        a.g.st.audit_seq = AUDIT_LINES;
        for (i = 0; i < 32; i++)
            a.g.st.policy_sha256[i] = (uint8_t)(0xa0 + i);
        snprintf(a.g.st.context, sizeof(a.g.st.context), "system_u:system_r:dom0_t");
        break;
    case XENIA_CTL_SETENFORCE:
        if (n != sizeof(q.se) || q.se.enforcing > 1 || q.se.pad) {
            a.r.status = -XENIA_EINVAL;
        } else if (q.se.enforcing == 0 && fake_enforcing == 1) {
            a.r.status = -XENIA_EACCES;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg),
                     "avc: denied { setenforce } for scontext=user_u:user_r:user_t");
        } else {
            fake_enforcing = q.se.enforcing;
        }
        break;
    case XENIA_CTL_GETBOOL:
        if (n != sizeof(q.gb) || q.gb.index >= NBOOLS) {
            a.r.status = -XENIA_ENOENT;
            snprintf(a.r.errmsg, sizeof(a.r.errmsg), "no boolean %u", q.gb.index);
            break;
        }
        alen = sizeof(a.bo);
        snprintf(a.bo.name, sizeof(a.bo.name), "%s", bool_names[q.gb.index]);
        a.bo.cur = bool_cur[q.gb.index];
        a.bo.dflt = bool_dflt[q.gb.index];
        a.bo.nbools = NBOOLS;
        break;
    case XENIA_CTL_SETBOOL:
        a.r.status = -XENIA_ENOENT;
        snprintf(a.r.errmsg, sizeof(a.r.errmsg), "no boolean named %.100s", q.sb.name);
        for (i = 0; i < NBOOLS; i++)
            if (n == sizeof(q.sb) && q.sb.value <= 1 && strcmp(q.sb.name, bool_names[i]) == 0) {
                bool_cur[i] = q.sb.value;
                a.r.status = 0;
                a.r.errmsg[0] = '\0';
            }
        break;
    case XENIA_CTL_AUDIT: {
        uint64_t sq;
        size_t used = 0;

        audit_requests++;
        alen = sizeof(a.au);
        if (q.au.after == AUDIT_STUCK) {     /* claims more, but repeats an old line */
            a.au.len = (uint32_t)snprintf(a.au.text, sizeof(a.au.text), "3 old\n");
            a.au.last = 3;
            a.au.more = 1;
            break;
        }
        for (sq = q.au.after + 1; sq <= AUDIT_LINES && sq <= q.au.after + AUDIT_PER; sq++) {
            used += (size_t)snprintf(a.au.text + used, sizeof(a.au.text) - used,
                                     "%llu avc: denied { pause } for n=%llu%s\n",
                                     (unsigned long long)sq, (unsigned long long)sq,
                                     sq == 2 ? " \x1b[31m" : "");
            a.au.last = sq;
        }
        a.au.len = (uint32_t)used;
        a.au.more = sq <= AUDIT_LINES;
        break;
    }
    default:
        break;
    }
reply:
    a.r.hdr.len = (uint32_t)alen;
reply_len_set:
    send_reply(c, &a, alen, out_fd);
    if (out_fd >= 0)
        close(out_fd);
    for (k = 0; k < nfds; k++)
        close(in_fds[k]);
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

/* A temporary file holding `head`, sized `size` bytes; returns its path in path. */
static void mkfile(char *path, const char *head, off_t size)
{
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
    if (size)
        assert_int_equal(ftruncate(fd, size), 0);
    close(fd);
}

static void test_create_passes_disk_fd(void **state)
{
    struct xenia_domcfg cfg;
    char img[] = "/tmp/xenia-test-img-XXXXXX", disk[] = "/tmp/xenia-test-disk-XXXXXX";
    uint32_t domid = 0;
    int ifd, dfd, before;

    (void)state;
    init_client();
    mkfile(img, "\177ELF\002", 0);
    mkfile(disk, "DISK", 1 << 20);
    ifd = open(img, O_RDONLY | O_CLOEXEC);
    dfd = open(disk, O_RDWR | O_CLOEXEC);
    assert_true(ifd >= 0 && dfd >= 0);
    memset(&cfg, 0, sizeof(cfg));
    strcpy(cfg.name, "diskvm");
    cfg.memory_mib = 16;
    cfg.vcpus = 1;
    cfg.has_disk = 1;
    snprintf(cfg.disk, sizeof(cfg.disk), "%s", disk);

    /* read-write: two fds, image first, the disk as opened (O_RDWR) */
    assert_int_equal(xenia_ctl_create_disk(&cl, &cfg, XENIA_CREATE_F_PAUSED, ifd, dfd, &domid), 0);
    assert_int_equal(domid, 7);
    assert_int_equal(last_create_nfds, 2);
    assert_int_equal(last_create_flags, XENIA_CREATE_F_PAUSED | XENIA_CREATE_F_DISK);
    assert_memory_equal(last_image_magic, "\177ELF", 4);
    assert_memory_equal(last_disk_head, "DISK", 4);
    assert_int_equal(last_disk_accmode, O_RDWR);
    assert_true(fcntl(ifd, F_GETFD) >= 0 && fcntl(dfd, F_GETFD) >= 0);   /* still ours */
    close(dfd);

    /* read-only */
    cfg.disk_ro = 1;
    dfd = open(disk, O_RDONLY | O_CLOEXEC);
    assert_true(dfd >= 0);
    assert_int_equal(xenia_ctl_create_disk(&cl, &cfg, 0, ifd, dfd, &domid), 0);
    assert_int_equal(last_create_nfds, 2);
    assert_int_equal(last_create_flags, XENIA_CREATE_F_DISK | XENIA_CREATE_F_DISK_RO);
    assert_memory_equal(last_disk_head, "DISK", 4);
    assert_int_equal(last_disk_accmode, O_RDONLY);

    /* fds and config must agree; refused before anything is sent */
    before = creates;
    assert_int_equal(xenia_ctl_create_disk(&cl, &cfg, 0, ifd, -1, &domid), -XENIA_EINVAL);
    assert_non_null(strstr(cl.err, "names a disk but no disk file descriptor"));
    assert_int_equal(xenia_ctl_create(&cl, &cfg, 0, ifd, &domid), -XENIA_EINVAL);
    cfg.has_disk = 0;
    cfg.disk_ro = 0;
    assert_int_equal(xenia_ctl_create_disk(&cl, &cfg, 0, ifd, dfd, &domid), -XENIA_EINVAL);
    assert_non_null(strstr(cl.err, "without a disk in the configuration"));
    assert_int_equal(creates, before);

    /* without a disk: one fd, as before */
    assert_int_equal(xenia_ctl_create_disk(&cl, &cfg, 0, ifd, -1, &domid), 0);
    assert_int_equal(last_create_nfds, 1);
    assert_int_equal(last_create_flags, 0);
    assert_int_equal(last_disk_accmode, -1);
    close(dfd);
    close(ifd);
    unlink(img);
    unlink(disk);
}

static void test_transact_fds_bounds(void **state)
{
    struct xenia_ctl_domid m;
    union {
        struct xenia_ctl_info_reply i;
        char b[XENIA_CTL_REPLY_MAX];
    } *r = calloc(1, sizeof(*r));
    int fds[XENIA_CTL_MAX_SEND_FDS + 1] = { 0, 1, 2, 0, 1 }, bad[2] = { 0, -1 };
    size_t n = 0;

    (void)state;
    assert_non_null(r);
    init_client();
    assert_int_equal(xenia_ctl_build_domid(&m, XENIA_CTL_INFO, cl.seq, 5), 0);
    assert_int_equal(xenia_ctl_transact_fds(&cl, &m, sizeof(m), fds, XENIA_CTL_MAX_SEND_FDS + 1,
                                            r, sizeof(*r), &n, NULL), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_transact_fds(&cl, &m, sizeof(m), bad, 2, r, sizeof(*r), &n, NULL),
                     -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_transact_fds(&cl, &m, sizeof(m), NULL, 1, r, sizeof(*r), &n, NULL),
                     -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_transact_fds(&cl, &m, sizeof(m), NULL, 0, r, sizeof(*r), &n, NULL),
                     0);
    assert_int_equal(n, sizeof(struct xenia_ctl_info_reply));
    free(r);
}

static void test_info_stubdoms(void **state)
{
    struct xenia_ctl_domstatus st;

    (void)state;
    init_client();
    memset(&st, 0x55, sizeof(st));
    assert_int_equal(xenia_ctl_info_ext(&cl, 3, &st), 0);
    assert_string_equal(st.info.name, "vm3");
    assert_int_equal(st.disk_bytes, 64u << 20);
    assert_int_equal(st.nr_stubdoms, 1);
    assert_int_equal(st.stubdom[0].role, XENIA_STUBDOM_DM);
    assert_int_equal(st.stubdom[0].pid, 4242);
    assert_int_equal(st.stubdom[0].uid, 640003);
    assert_int_equal(st.stubdom[0].restarts, 2);
    assert_int_equal(st.stubdom[0].generation, 3);
    assert_int_equal(st.stubdom[0].confined, 0xff);
    assert_string_equal(st.stubdom[0].last_exit, "killed by SIGSYS");
    assert_int_equal(st.stubdom[1].role, 0);             /* zeroed past nr_stubdoms */
    assert_int_equal(xenia_ctl_info_ext(&cl, 4, &st), 0);
    assert_int_equal(st.nr_stubdoms, 0);
    assert_int_equal(st.disk_bytes, 0);
    assert_int_equal(xenia_ctl_info_ext(&cl, DOM_BAD_STUB, &st), -XENIA_EPROTO);
    assert_int_equal(cl.hv_error, 0);
    assert_non_null(strstr(cl.err, "3 stub domains"));
    assert_int_equal(xenia_ctl_info_ext(&cl, 100, &st), -XENIA_ESRCH);
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

/* ---- XSM operations ----------------------------------------------------- */

static void test_loadpolicy_sends_fd(void **state)
{
    char path[] = "/tmp/xenia-test-pol-XXXXXX";
    int fd;

    (void)state;
    init_client();
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "XPOL-and-more", 13), 13);
    close(fd);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(xenia_ctl_loadpolicy(&cl, fd, 13), 0);
    assert_int_equal(last_policy_nfds, 1);
    assert_int_equal(last_policy_rdonly, 1);
    assert_int_equal(last_policy_size, 13);
    assert_memory_equal(last_policy_head, "XPOL", 4);
    /* refused locally: nothing sent */
    last_policy_nfds = -1;
    assert_int_equal(xenia_ctl_loadpolicy(&cl, fd, 0), -XENIA_EINVAL);
    assert_int_equal(xenia_ctl_loadpolicy(&cl, fd, XENIA_POLICY_MAX + 1ull), -XENIA_E2BIG);
    assert_non_null(strstr(cl.err, "at most"));
    assert_int_equal(xenia_ctl_loadpolicy(&cl, -1, 13), -XENIA_EINVAL);
    assert_int_equal(last_policy_nfds, -1);
    close(fd);
    /* hv's refusal comes back with its message (control bytes masked) */
    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_int_equal(xenia_ctl_loadpolicy(&cl, fd, 13), -XENIA_EINVAL);
    assert_int_equal(cl.hv_error, 1);
    assert_string_equal(cl.err, "policy: bad magic?at offset 0");
    close(fd);
    unlink(path);
}

static void test_enforce_and_bools(void **state)
{
    struct xenia_xsm_status st;
    struct xenia_ctl_boolval b;

    (void)state;
    init_client();
    fake_enforcing = 0;
    assert_int_equal(xenia_ctl_getenforce(&cl, &st), 0);
    assert_int_equal(st.module, XENIA_XSM_FLASK);
    assert_int_equal(st.enforcing, 0);
    assert_int_equal(st.nbools, NBOOLS);
    assert_string_equal(st.context, "system_u:system_r:dom0_t");
    assert_int_equal(xenia_ctl_setenforce(&cl, 1), 0);
    assert_int_equal(fake_enforcing, 1);
    assert_int_equal(xenia_ctl_setenforce(&cl, 0), -XENIA_EACCES);
    assert_int_equal(cl.hv_error, 1);
    assert_non_null(strstr(cl.err, "avc: denied { setenforce }"));
    assert_int_equal(xenia_ctl_setenforce(&cl, 2), -XENIA_EINVAL);

    assert_int_equal(xenia_ctl_getbool(&cl, 1, &b), 0);
    assert_string_equal(b.name, "debug_console");
    assert_int_equal(b.nbools, NBOOLS);
    assert_int_equal(xenia_ctl_getbool(&cl, NBOOLS, &b), -XENIA_ENOENT);
    assert_int_equal(xenia_ctl_findbool(&cl, "strict_mcs", &b), 0);
    assert_int_equal(b.cur, 1);
    assert_int_equal(xenia_ctl_findbool(&cl, "nosuch", &b), -XENIA_ENOENT);
    assert_int_equal(cl.hv_error, 1);
    assert_string_equal(cl.err, "no boolean named nosuch");
    assert_int_equal(xenia_ctl_setbool(&cl, "strict_mcs", 0), 0);
    assert_int_equal(bool_cur[2], 0);
    assert_int_equal(xenia_ctl_findbool(&cl, "strict_mcs", &b), 0);
    assert_int_equal(b.cur, 0);
    assert_int_equal(b.dflt, 1);
    assert_int_equal(xenia_ctl_setbool(&cl, "nosuch", 1), -XENIA_ENOENT);
    assert_string_equal(cl.err, "no boolean named nosuch");
    assert_int_equal(xenia_ctl_setbool(&cl, "bad name", 1), -XENIA_EINVAL);
    assert_int_equal(cl.hv_error, 0);
    bool_cur[2] = 1;
}

struct audit_seen {
    uint64_t seqs[AUDIT_LINES + 8];
    size_t n;
    size_t stop_at;
};

static int collect(void *arg, uint64_t seq, const char *text, size_t len)
{
    struct audit_seen *a = arg;

    assert_true(len > 0);
    assert_null(memchr(text, '\n', len));
    if (a->n < sizeof(a->seqs) / sizeof(a->seqs[0]))
        a->seqs[a->n++] = seq;
    return a->stop_at && a->n == a->stop_at ? 42 : 0;
}

static void test_audit_follows_more(void **state)
{
    struct audit_seen seen;
    uint64_t last = 0;
    int more = -1;
    size_t i;

    (void)state;
    init_client();
    memset(&seen, 0, sizeof(seen));
    audit_requests = 0;
    assert_int_equal(xenia_ctl_audit(&cl, 0, collect, &seen, &last, &more), 0);
    assert_int_equal(seen.n, AUDIT_LINES);
    for (i = 0; i < seen.n; i++)
        assert_int_equal(seen.seqs[i], i + 1);
    assert_int_equal(last, AUDIT_LINES);
    assert_int_equal(more, 0);
    assert_int_equal(audit_requests, (AUDIT_LINES + AUDIT_PER - 1) / AUDIT_PER);

    /* from the middle; nothing new at the end */
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(xenia_ctl_audit(&cl, 95, collect, &seen, &last, &more), 0);
    assert_int_equal(seen.n, 5);
    assert_int_equal(seen.seqs[0], 96);
    memset(&seen, 0, sizeof(seen));
    assert_int_equal(xenia_ctl_audit(&cl, AUDIT_LINES, collect, &seen, &last, &more), 0);
    assert_int_equal(seen.n, 0);
    assert_int_equal(last, AUDIT_LINES);

    /* the callback may stop the walk */
    memset(&seen, 0, sizeof(seen));
    seen.stop_at = 10;
    assert_int_equal(xenia_ctl_audit(&cl, 0, collect, &seen, &last, &more), 42);
    assert_int_equal(last, 9);      /* the line that stopped it was not consumed */

    /* a reply that does not advance is refused, not looped on */
    memset(&seen, 0, sizeof(seen));
    audit_requests = 0;
    assert_int_equal(xenia_ctl_audit(&cl, AUDIT_STUCK, collect, &seen, &last, &more),
                     -XENIA_EPROTO);
    assert_int_equal(audit_requests, 1);
    assert_int_equal(seen.n, 0);
    assert_non_null(strstr(cl.err, "not after"));
}

static void test_list_and_info_seclabel(void **state)
{
    struct xenia_dominfo d;

    (void)state;
    init_client();
    assert_int_equal(xenia_ctl_info(&cl, 3, &d), 0);
    assert_string_equal(d.seclabel, fake_label);
}

/* ---- the xenia binary against the fake ----------------------------------- */

static char xenia_bin[512];

/* Run `PREFIX xenia --run-dir RUN ARGS 2>&1`; out gets the output. Returns the exit status. */
static int run_xenia_pre(const char *prefix, const char *args, char *out, size_t n)
{
    char cmd[1024];
    size_t got = 0;
    FILE *p;
    int st;

    snprintf(cmd, sizeof(cmd), "%s %s --run-dir %s %s 2>&1", prefix, xenia_bin, run_dir, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    got = fread(out, 1, n - 1, p);
    out[got] = '\0';
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int run_xenia(const char *args, char *out, size_t n)
{
    return run_xenia_pre("", args, out, n);
}

static void test_cli_verbs(void **state)
{
    static char out[65536];
    char path[] = "/tmp/xenia-test-pol-XXXXXX", args[128];
    int fd;

    (void)state;
    if (access(xenia_bin, X_OK) != 0) {
        printf("skipped: %s not built\n", xenia_bin);
        skip();
    }
    fake_enforcing = 1;
    assert_int_equal(run_xenia("getenforce", out, sizeof(out)), 0);
    assert_string_equal(out, "Enforcing\n");
    assert_int_equal(run_xenia("getenforce -v", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "module:           flask\n"));
    assert_non_null(strstr(out, "policy sha256:    a0a1a2a3"));
    assert_non_null(strstr(out, "bebf\n"));
    assert_non_null(strstr(out, "avc hits:         150 (75.0%)\n"));
    assert_non_null(strstr(out, "your context:     system_u:system_r:dom0_t\n"));

    /* hv's error message reaches the user, exit 1 */
    assert_int_equal(run_xenia("setenforce permissive", out, sizeof(out)), 1);
    assert_non_null(strstr(out, "xenia: setenforce: Access denied by policy: "
                                "avc: denied { setenforce }"));
    assert_int_equal(run_xenia("setenforce maybe", out, sizeof(out)), 2);

    bool_cur[1] = 0;
    assert_int_equal(run_xenia("getbool -a", out, sizeof(out)), 0);
    assert_string_equal(out, "allow_net --> on\ndebug_console --> off (default: on)\n"
                             "strict_mcs --> on\n");
    assert_int_equal(run_xenia("setbool debug_console true", out, sizeof(out)), 0);
    assert_int_equal(run_xenia("getbool debug_console", out, sizeof(out)), 0);
    assert_string_equal(out, "debug_console --> on\n");
    assert_int_equal(run_xenia("getbool nosuch", out, sizeof(out)), 1);
    assert_non_null(strstr(out, "no boolean named nosuch"));
    assert_int_equal(run_xenia("setbool debug_console maybe", out, sizeof(out)), 2);

    assert_int_equal(run_xenia("audit --after 97", out, sizeof(out)), 0);
    assert_string_equal(out, "avc: denied { pause } for n=98\navc: denied { pause } for n=99\n"
                             "avc: denied { pause } for n=100\n");
    assert_int_equal(run_xenia("audit -v --after 1", out, sizeof(out)), 0);
    assert_true(strncmp(out, "2 avc: denied { pause } for n=2 ?[31m\n3 avc", 43) == 0);
    assert_int_equal(run_xenia("audit", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "n=1\n"));
    assert_non_null(strstr(out, "n=100\n"));

    assert_int_equal(run_xenia("list -Z vm3 4", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "Security Label"));
    assert_non_null(strstr(out, fake_label));
    assert_int_equal(run_xenia("info vm3", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "seclabel:         system_u:system_r:domU_t:s0:c1\n"));
    /* after the domain's fields: the disk, then each stub domain */
    assert_non_null(strstr(out, "crash info:       -\n"
                                "disk:             67108864 bytes (64.0 MiB)\n"
                                "stubdom dm: pid 4242, uid 640003, restarts 2, generation 3\n"
                                "  seclabel system_u:system_r:dm_t:s0:c1\n"
                                "  confined namespaces,root,rlimits,cgroup,uid,nnp,landlock,"
                                "seccomp\n"
                                "  last exit: killed by SIGSYS\n"));
    assert_int_equal(run_xenia("info 5", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "disk:             -\n"
                                "stubdom dm: not running, uid 640005, restarts 0, generation 1\n"
                                "  seclabel system_u:system_r:dm_t:s0:c1\n"
                                "  confined none\n"));
    assert_null(strstr(out, "last exit"));
    assert_int_equal(run_xenia("info 4", out, sizeof(out)), 0);
    assert_null(strstr(out, "stubdom"));
    assert_int_equal(run_xenia("info 671", out, sizeof(out)), 1);
    assert_non_null(strstr(out, "malformed reply"));
    /* list -l shows what info shows, for each domain */
    assert_int_equal(run_xenia("list -l vm3 5", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "stubdom dm: pid 4242,"));
    assert_non_null(strstr(out, "stubdom dm: not running,"));
    assert_int_equal(run_xenia("list -l", out, sizeof(out)), 0);
    assert_non_null(strstr(out, "disk:             67108864 bytes"));

    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "XPOL1234", 8), 8);
    close(fd);
    snprintf(args, sizeof(args), "loadpolicy %s", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 0);
    assert_string_equal(out, "policy loaded (8 bytes)\n");
    assert_int_equal(last_policy_size, 8);
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "\x8c\xff\x7c\xf9", 4), 4);
    close(fd);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "checkpolicy"));
    unlink(path);
}

/* `xenia create` with a disk: opened with the caller's rights, sent as the second fd. */
static void test_cli_create_disk(void **state)
{
    static char out[16384];
    char dir[] = "/tmp/xenia-test-cdisk-XXXXXX", path[256], args[512], want[512];
    FILE *f;
    int fd, before;

    (void)state;
    if (access(xenia_bin, X_OK) != 0)
        skip();
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/hello.elf", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "\177ELF\002\001\001", 7), 7);
    close(fd);
    snprintf(path, sizeof(path), "%s/disk.img", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "DISK", 4), 4);
    assert_int_equal(ftruncate(fd, 1 << 20), 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/odd.img", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, 1000), 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/vm.cfg", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("name = \"dvm\"\nkernel = \"hello.elf\"\ndisk = [ \"disk.img,ro\" ]\n", f);
    fclose(f);
    assert_int_equal(chmod(path, 0644), 0);

    /* read-only, relative to the config's directory */
    snprintf(args, sizeof(args), "create %s", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 0);
    assert_string_equal(out, "Created domain dvm (domid 7)\n");
    assert_int_equal(last_create_nfds, 2);
    assert_int_equal(last_create_flags, XENIA_CREATE_F_DISK | XENIA_CREATE_F_DISK_RO);
    assert_memory_equal(last_image_magic, "\177ELF", 4);
    assert_memory_equal(last_disk_head, "DISK", 4);
    assert_int_equal(last_disk_accmode, O_RDONLY);

    /* read-write through an override in the xl positional form */
    snprintf(args, sizeof(args), "create -p %s disk=disk.img,raw,xvda,rw", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 0);
    assert_int_equal(last_create_flags, XENIA_CREATE_F_PAUSED | XENIA_CREATE_F_DISK);
    assert_int_equal(last_disk_accmode, O_RDWR);

    /* --dry-run shows the disk in its resolved form and sends nothing */
    before = creates;
    snprintf(args, sizeof(args), "create -n %s", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 0);
    snprintf(want, sizeof(want), "disk        = [ \"format=raw, vdev=xvda, access=ro, "
             "target=%s/disk.img\" ]\n", dir);
    assert_non_null(strstr(out, want));
    assert_int_equal(creates, before);

    /* a disk that cannot be opened: the config line, the file and the reason */
    snprintf(args, sizeof(args), "create %s disk=nope.img", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 1);
    snprintf(want, sizeof(want), "%s: override \"disk=nope.img\": cannot open the disk "
             "read-write: %s/nope.img: No such file or directory", path, dir);
    assert_non_null(strstr(out, want));
    snprintf(args, sizeof(args), "create %s disk=.,ro", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "is not a regular file"));
    snprintf(args, sizeof(args), "create %s disk=odd.img", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "is 1000 bytes"));
    assert_non_null(strstr(out, "multiple of 512"));
    snprintf(args, sizeof(args), "create %s disk=a.img,qcow2", path);
    assert_int_equal(run_xenia(args, out, sizeof(out)), 1);
    assert_non_null(strstr(out, "format qcow2 is not supported"));
    assert_int_equal(creates, before);

    /* the caller's own rights: a disk they may only read cannot be given read-write */
    snprintf(path, sizeof(path), "%s/disk.img", dir);
    assert_int_equal(chmod(path, 0444), 0);
    snprintf(path, sizeof(path), "%s/vm.cfg", dir);
    snprintf(args, sizeof(args), "create %s disk=disk.img,rw", path);
    if (geteuid() != 0 ||
        run_xenia_pre("setpriv --reuid=65534 --regid=65534 --clear-groups", "--version", out,
                      sizeof(out)) == 0) {
        const char *pre = geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups"
                                         : "";

        assert_int_equal(run_xenia_pre(pre, args, out, sizeof(out)), 1);
        assert_non_null(strstr(out, "override \"disk=disk.img,rw\": cannot open the disk "
                                    "read-write: "));
        assert_non_null(strstr(out, "disk.img: Permission denied"));
        assert_non_null(strstr(out, "mark it read-only"));
        assert_int_equal(creates, before);
        /* the same user may give it read-only */
        snprintf(args, sizeof(args), "create -n %s", path);
        assert_int_equal(run_xenia_pre(pre, args, out, sizeof(out)), 0);
    } else {
        printf("skipped: cannot run xenia as an unprivileged user here\n");
    }

    snprintf(path, sizeof(path), "rm -rf %s", dir);
    assert_int_equal(system(path), 0);
}

/* audit -f keeps polling until SIGINT, then exits 0 with every line printed once. */
static void test_cli_audit_follow(void **state)
{
    static char out[65536];
    char rd[64];
    int pfd[2], st, polls;
    size_t got = 0;
    ssize_t r;
    pid_t pid;

    (void)state;
    if (access(xenia_bin, X_OK) != 0)
        skip();
    assert_int_equal(pipe(pfd), 0);
    audit_requests = 0;
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        snprintf(rd, sizeof(rd), "%s", run_dir);
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execl(xenia_bin, "xenia", "--run-dir", rd, "audit", "-f", "--after", "90", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    usleep(700 * 1000);             /* 1-2 requests for the backlog, then ~3 polls */
    polls = audit_requests;
    kill(pid, SIGINT);
    while (got < sizeof(out) - 1 && (r = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0)
        got += (size_t)r;
    out[got] = '\0';
    close(pfd[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
    assert_true(polls >= 3);
    assert_true(polls <= 8);        /* polled about every 200 ms, not spinning */
    assert_true(strncmp(out, "avc: denied { pause } for n=91\n", 31) == 0);
    assert_non_null(strstr(out, "n=100\n"));
    assert_null(strstr(strstr(out, "n=100\n") + 1, "n=100\n"));  /* once */
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_daemon),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_create_passes_image_fd),
        cmocka_unit_test(test_create_passes_disk_fd),
        cmocka_unit_test(test_transact_fds_bounds),
        cmocka_unit_test(test_info_stubdoms),
        cmocka_unit_test(test_lookup_and_resolve),
        cmocka_unit_test(test_list_pages),
        cmocka_unit_test(test_info_and_hv_errors),
        cmocka_unit_test(test_malformed_replies),
        cmocka_unit_test(test_console_pipe),
        cmocka_unit_test(test_console_escape),
        cmocka_unit_test(test_console_timeout_and_readonly),
        cmocka_unit_test(test_loadpolicy_sends_fd),
        cmocka_unit_test(test_enforce_and_bools),
        cmocka_unit_test(test_audit_follows_more),
        cmocka_unit_test(test_list_and_info_seclabel),
        cmocka_unit_test(test_cli_verbs),
        cmocka_unit_test(test_cli_create_disk),
        cmocka_unit_test(test_cli_audit_follow),
    };
    char self[512];

    /* the CLI is <B>/bin/xenia next to this <B>/tests/test_cli_client */
    (void)argc;
    snprintf(self, sizeof(self), "%s", argv[0]);
    snprintf(xenia_bin, sizeof(xenia_bin), "%s/../bin/xenia", dirname(self));

    signal(SIGPIPE, SIG_IGN);   /* a peer that went away must give EPIPE, not kill us */
    return cmocka_run_group_tests(tests, setup, teardown);
}
