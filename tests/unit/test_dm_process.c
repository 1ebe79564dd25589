/* SPDX-License-Identifier: MIT */
/*
 * The real device model as a process: runs $XENIA_BIN_DIR/xenia-dm (default:
 * the build's bin directory) and xenia-dm-test unconfined, with the fds of
 * include/xenia/dm.h made here (memfd window and disk, eventfds, socket
 * pairs), and plays hv and the guest: sends the configuration, waits for
 * READY, writes requests into the window, kicks, waits for the irq eventfd,
 * checks responses and disk content. Covers refused configurations, the
 * console, hostile requests, NEEDS_RESET, SIGKILL in the middle of a batch
 * and resumption by generation 2, hv closing the socket, the test-only
 * system-call hook; prints the dm's VmRSS and its block throughput.
 * Also unit tests dm_config_check (stubdoms/dm/dmconfig.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenia/dm.h>
#include <xenia/io.h>

#define XENIA_IOFRONT_HOST_TEST 1
#include <xenia/iofront.h>   /* the guest frontends, built for the host */

#include "../../stubdoms/dm/dmconfig.h"

#ifndef DM_TEST_BIN_DIR
#define DM_TEST_BIN_DIR "build/bin"
#endif

#define DISK_BYTES (16u << 20)
#define MASK       (XENIA_BLK_RING_SIZE - 1u)
#define DATA       XENIA_IOWIN_DATA_OFF
#define TIMEOUT_MS 5000

/* fds shared by every dm generation (hv keeps them across restarts). */
static struct {
    int iowin, disk;
    int cons_kick, cons_irq, blk_kick, blk_irq;
    uint8_t *win;
    struct xenia_blk_sring *sr;
    struct xenia_cons_ring *cr;
} g;

struct dm {
    pid_t pid;
    int ipc;    /* our end */
    int cons;   /* our end of the console socket */
};

static char bin_dir[512];
static int dm_stderr = -1;   /* >= 0: the next dm_start gives the dm this as fd 2 */

static char *bin_path(const char *name)
{
    static char path[600];

    snprintf(path, sizeof(path), "%s/%s", bin_dir, name);
    return path;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------- */
/* Starting and talking to a dm                                               */
/* ------------------------------------------------------------------------- */

/* fork + exec `binary` with dm.h fds 3..10 (disk_fd may be -1: fd 10 absent). */
static struct dm dm_start(const char *binary, int disk_fd)
{
    struct dm d = { .pid = -1, .ipc = -1, .cons = -1 };
    int ipc[2], cons[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ipc), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cons), 0);
    d.pid = fork();
    assert_true(d.pid >= 0);
    if (d.pid == 0) {
        int src[8] = { g.iowin, ipc[1], cons[1], g.cons_kick, g.cons_irq, g.blk_kick, g.blk_irq,
                       disk_fd };
        int tmp[8];
        char *argv[] = { (char *)binary, NULL };

        int err = dm_stderr >= 0 ? fcntl(dm_stderr, F_DUPFD, 64) : -1;

        for (int i = 0; i < 8; i++)
            tmp[i] = src[i] < 0 ? -1 : fcntl(src[i], F_DUPFD, 64);
        for (int i = 0; i < 8; i++) {
            if (tmp[i] >= 0 && dup2(tmp[i], 3 + i) < 0)
                _exit(120);
            if (tmp[i] < 0)
                close(3 + i);
        }
        if (err >= 0 && dup2(err, 2) < 0)
            _exit(120);
        close_range(11, ~0u, 0);
        if (err < 0 && getenv("XENIA_DM_TEST_VERBOSE") == NULL) {
            int null = open("/dev/null", O_WRONLY);
            if (null >= 0)
                dup2(null, 2);
        }
        execv(binary, argv);
        _exit(127);
    }
    close(ipc[1]);
    close(cons[1]);
    d.ipc = ipc[0];
    d.cons = cons[0];
    return d;
}

static void dm_close(struct dm *d)
{
    if (d->ipc >= 0)
        close(d->ipc);
    if (d->cons >= 0)
        close(d->cons);
    d->ipc = d->cons = -1;
}

/* Wait for the dm to exit; returns its wait status, or -1 on timeout. */
static int dm_wait_exit(struct dm *d, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    int st;

    for (;;) {
        pid_t p = waitpid(d->pid, &st, WNOHANG);
        if (p == d->pid) {
            d->pid = -1;
            return st;
        }
        if (now_ms() > end)
            return -1;
        usleep(1000);
    }
}

static void dm_kill(struct dm *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGKILL);
        (void)dm_wait_exit(d, TIMEOUT_MS);
    }
    dm_close(d);
}

static struct xenia_dm_config good_config(uint32_t generation)
{
    struct xenia_dm_config c;

    memset(&c, 0, sizeof(c));
    c.magic = XENIA_DM_MAGIC;
    c.version = XENIA_DM_VERSION;
    c.domid = 7;
    c.generation = generation;
    c.iowin_bytes = XENIA_IOWIN_BYTES;
    c.disk_bytes = DISK_BYTES;
    return c;
}

/* Receive one status message; returns its length (0: closed, -1: timeout). */
static ssize_t dm_recv_status(struct dm *d, struct xenia_dm_status *st)
{
    struct pollfd p = { .fd = d->ipc, .events = POLLIN };
    char buf[sizeof(*st) + 8];
    ssize_t n;

    if (poll(&p, 1, TIMEOUT_MS) != 1)
        return -1;
    n = recv(d->ipc, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == (ssize_t)sizeof(*st))
        memcpy(st, buf, sizeof(*st));
    return n;
}

/* Start a dm with config c and expect READY. */
static struct dm dm_ready(const char *binary, const struct xenia_dm_config *c)
{
    struct dm d = dm_start(binary, c->disk_bytes ? g.disk : -1);
    struct xenia_dm_status st;

    assert_int_equal(send(d.ipc, c, sizeof(*c), MSG_NOSIGNAL), sizeof(*c));
    assert_int_equal(dm_recv_status(&d, &st), sizeof(st));
    assert_int_equal(st.magic, XENIA_DM_MAGIC);
    assert_int_equal(st.version, XENIA_DM_VERSION);
    assert_int_equal(st.state, XENIA_DM_READY);
    assert_int_equal(st.error, 0);
    assert_int_equal(st.pad[0] | st.pad[1], 0);
    return d;
}

/* ------------------------------------------------------------------------- */
/* The guest's side of the block ring                                         */
/* ------------------------------------------------------------------------- */
static void put_req(uint32_t idx, uint8_t op, uint32_t len, uint64_t id, uint64_t sector,
                    uint64_t buf_off)
{
    struct xenia_blk_request *r = &g.sr->req[idx & MASK];

    memset(r, 0, sizeof(*r));
    r->operation = op;
    r->len = len;
    r->id = id;
    r->sector = sector;
    r->buf_off = buf_off;
}

static void kick(int fd)
{
    uint64_t one = 1;

    assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
}

/* Wait for an irq eventfd; returns 1 if it fired (and clears it), 0 on timeout. */
static int wait_irq(int fd, int timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    uint64_t v;

    if (poll(&p, 1, timeout_ms) != 1)
        return 0;
    assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
    return 1;
}

/* Wait until *state == want, expecting the irq eventfd to fire on the way
 * (stale notifications from earlier responses are tolerated). */
static void wait_state(uint32_t *state, uint32_t want, int irq_fd)
{
    uint64_t end = now_ms() + TIMEOUT_MS;
    int fired = 0;

    while (__atomic_load_n(state, __ATOMIC_ACQUIRE) != want) {
        if (now_ms() > end)
            fail_msg("state %u, want %u", *state, want);
        fired |= wait_irq(irq_fd, 50);
    }
    /* The notification for this change may come just after the store. */
    if (!fired)
        fired = wait_irq(irq_fd, TIMEOUT_MS);
    assert_true(fired);
}

static uint32_t rsp_prod(void)
{
    return __atomic_load_n(&g.sr->rsp_prod, __ATOMIC_ACQUIRE);
}

/* Publish requests up to `prod`, kick, and wait until every one is answered
 * (the frontend asks to be notified at the last one). */
static void submit_and_wait(uint32_t prod)
{
    uint64_t end = now_ms() + TIMEOUT_MS;

    g.sr->rsp_event = prod;
    __atomic_store_n(&g.sr->req_prod, prod, __ATOMIC_RELEASE);
    kick(g.blk_kick);
    while (rsp_prod() != prod) {
        assert_true(now_ms() < end);
        (void)wait_irq(g.blk_irq, 100);
    }
}

/* One request, answered; returns its status. */
static int32_t blk1(uint8_t op, uint32_t len, uint64_t id, uint64_t sector, uint64_t buf_off)
{
    uint32_t i = g.sr->req_prod;

    put_req(i, op, len, id, sector, buf_off);
    submit_and_wait(i + 1);
    assert_int_equal(g.sr->rsp[i & MASK].id, id);
    return g.sr->rsp[i & MASK].status;
}

static void disk_pread(void *buf, size_t len, uint64_t off)
{
    assert_int_equal(pread(g.disk, buf, len, (off_t)off), (ssize_t)len);
}

/* Fresh window and disk for each test. */
static int setup(void **state)
{
    (void)state;
    g.iowin = memfd_create("test-iowin", MFD_CLOEXEC);
    g.disk = memfd_create("test-disk", MFD_CLOEXEC);
    assert_true(g.iowin >= 0 && g.disk >= 0);
    assert_int_equal(ftruncate(g.iowin, XENIA_IOWIN_BYTES), 0);
    assert_int_equal(ftruncate(g.disk, DISK_BYTES), 0);
    g.win = mmap(NULL, XENIA_IOWIN_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, g.iowin, 0);
    assert_true(g.win != MAP_FAILED);
    g.sr = (struct xenia_blk_sring *)(g.win + XENIA_IOWIN_BLK_OFF);
    g.cr = (struct xenia_cons_ring *)(g.win + XENIA_IOWIN_CONS_OFF);
    g.cons_kick = eventfd(0, EFD_CLOEXEC);
    g.cons_irq = eventfd(0, EFD_CLOEXEC);
    g.blk_kick = eventfd(0, EFD_CLOEXEC);
    g.blk_irq = eventfd(0, EFD_CLOEXEC);
    assert_true(g.cons_kick >= 0 && g.cons_irq >= 0 && g.blk_kick >= 0 && g.blk_irq >= 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    munmap(g.win, XENIA_IOWIN_BYTES);
    close(g.iowin);
    close(g.disk);
    close(g.cons_kick);
    close(g.cons_irq);
    close(g.blk_kick);
    close(g.blk_irq);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Tests                                                                      */
/* ------------------------------------------------------------------------- */
static void config_check_pure(void **state)
{
    struct xenia_dm_config c = good_config(1);
    char err[128];

    (void)state;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), 0);
    c.disk_bytes = 0;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), 0);
    c.flags = XENIA_DM_CFG_F_DISK_RO;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    assert_non_null(strstr(err, "read-only"));
    c = good_config(1);
    c.flags = XENIA_DM_CFG_F_DISK_RO;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), 0);
    c.magic ^= 1;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EPROTO);
    c = good_config(1);
    c.version = 2;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EPROTO);
    for (int i = 0; i < 5; i++) {
        c = good_config(1);
        c.pad[i] = 1u << (i * 7);
        assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
        assert_non_null(strstr(err, "pad"));
    }
    c = good_config(1);
    c.flags = 2;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    c = good_config(0);
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    c = good_config(1);
    c.iowin_bytes = XENIA_IOWIN_BYTES * 2;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    c.iowin_bytes = 0;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    c = good_config(1);
    c.disk_bytes = DISK_BYTES + 1;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    c.disk_bytes = ~0ull - 511;
    assert_int_equal(dm_config_check(&c, err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(dm_config_check(&c, NULL, 0), -XENIA_EINVAL);
}

/* A garbage configuration (or message): an error status or none, never
 * READY, and exit status 1. */
static void expect_refusal(const void *msg, size_t len, int disk_fd, const char *what)
{
    struct dm d = dm_start(bin_path("xenia-dm"), disk_fd);
    struct xenia_dm_status st;
    ssize_t n;
    int ws;

    assert_int_equal(send(d.ipc, msg, len, MSG_NOSIGNAL), (ssize_t)len);
    n = dm_recv_status(&d, &st);
    if (n == (ssize_t)sizeof(st) && (st.state == XENIA_DM_READY || st.error >= 0))
        fail_msg("%s: state %u error %d", what, st.state, st.error);
    if (n == (ssize_t)sizeof(st))
        assert_true(st.error < 0);
    ws = dm_wait_exit(&d, TIMEOUT_MS);
    if (!(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 1))
        fail_msg("%s: wait status %#x", what, ws);
    dm_close(&d);
}

static void garbage_configs_refused(void **state)
{
    struct xenia_dm_config c;
    char big[sizeof(c) + 8];
    int ws;

    (void)state;
    c = good_config(1); c.magic = 0x12345678;
    expect_refusal(&c, sizeof(c), g.disk, "bad magic");
    c = good_config(1); c.version = 0;
    expect_refusal(&c, sizeof(c), g.disk, "version 0");
    c = good_config(1); c.pad[4] = 1;
    expect_refusal(&c, sizeof(c), g.disk, "pad[4]");
    c = good_config(1); c.iowin_bytes = 4096;
    expect_refusal(&c, sizeof(c), g.disk, "window size");
    c = good_config(1); c.disk_bytes = 1000;
    expect_refusal(&c, sizeof(c), g.disk, "disk not a sector multiple");
    c = good_config(1); c.disk_bytes = DISK_BYTES / 2;
    expect_refusal(&c, sizeof(c), g.disk, "disk size disagrees with fstat");
    c = good_config(1);
    expect_refusal(&c, sizeof(c), -1, "disk fd missing");
    c = good_config(1); c.flags = 0x80;
    expect_refusal(&c, sizeof(c), g.disk, "unknown flag");
    expect_refusal(&c, 10, g.disk, "short message");
    memset(big, 0, sizeof(big));
    c = good_config(1);
    memcpy(big, &c, sizeof(c));
    expect_refusal(big, sizeof(big), g.disk, "long message");

    /* A window fd of the wrong size. */
    assert_int_equal(ftruncate(g.iowin, XENIA_IOWIN_BYTES / 2), 0);
    c = good_config(1);
    expect_refusal(&c, sizeof(c), g.disk, "window memfd too small");
    assert_int_equal(ftruncate(g.iowin, XENIA_IOWIN_BYTES), 0);

    /* hv closing the socket without a configuration. */
    {
        struct dm d = dm_start(bin_path("xenia-dm"), g.disk);
        close(d.ipc);
        d.ipc = -1;
        ws = dm_wait_exit(&d, TIMEOUT_MS);
        assert_true(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 1);
        dm_close(&d);
    }
    /* Nothing was connected by any of them. */
    assert_int_equal(g.sr->backend_state, 0);
    assert_int_equal(g.cr->backend_state, 0);
}

/* VmRSS etc. of a process, in KiB, from /proc/PID/status (-1 if absent). */
static long proc_status_kib(pid_t pid, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            v = strtol(line + klen + 1, NULL, 10);
    fclose(f);
    return v;
}

static void block_io_and_exit(void **state)
{
    struct xenia_dm_config c = good_config(1);
    struct dm d;
    uint8_t *buf = malloc(65536);
    int ws;

    (void)state;
    assert_non_null(buf);
    d = dm_ready(bin_path("xenia-dm"), &c);
    assert_int_equal(g.sr->backend_state, XENIA_DEV_CONNECTED);
    assert_int_equal(g.sr->sectors, DISK_BYTES / 512);
    assert_int_equal(g.sr->features, XENIA_BLK_F_FLUSH);
    assert_int_equal(g.cr->backend_state, XENIA_DEV_CONNECTED);

    /* 4 KiB and 64 KiB writes, read back through the ring and from the disk. */
    for (unsigned i = 0; i < 65536; i++)
        g.win[DATA + i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(blk1(XENIA_BLKOP_WRITE, 4096, 1, 16, DATA), XENIA_BLK_RSP_OKAY);
    assert_int_equal(blk1(XENIA_BLKOP_WRITE, 65536, 2, 1000, DATA), XENIA_BLK_RSP_OKAY);
    assert_int_equal(blk1(XENIA_BLKOP_FLUSH, 0, 3, 0, 0), XENIA_BLK_RSP_OKAY);
    disk_pread(buf, 4096, 16 * 512);
    assert_memory_equal(buf, g.win + DATA, 4096);
    disk_pread(buf, 65536, 1000 * 512);
    assert_memory_equal(buf, g.win + DATA, 65536);
    memset(g.win + DATA + 0x40000, 0, 65536);
    assert_int_equal(blk1(XENIA_BLKOP_READ, 65536, 4, 1000, DATA + 0x40000), XENIA_BLK_RSP_OKAY);
    assert_memory_equal(g.win + DATA + 0x40000, g.win + DATA, 65536);
    /* The last sector; out of range; bad buffers; unknown and test ops. */
    assert_int_equal(blk1(XENIA_BLKOP_READ, 512, 5, DISK_BYTES / 512 - 1, DATA + 0x60000),
                     XENIA_BLK_RSP_OKAY);
    assert_int_equal(blk1(XENIA_BLKOP_READ, 1024, 6, DISK_BYTES / 512 - 1, DATA), XENIA_BLK_RSP_ERROR);
    assert_int_equal(blk1(XENIA_BLKOP_WRITE, 512, 7, 0, 0x1000), XENIA_BLK_RSP_ERROR);
    assert_int_equal(blk1(XENIA_BLKOP_WRITE, 1024, 8, 0, XENIA_IOWIN_BYTES - 512), XENIA_BLK_RSP_ERROR);
    assert_int_equal(blk1(XENIA_BLKOP_READ, 0xfffffe00u, 9, 0, DATA), XENIA_BLK_RSP_ERROR);
    assert_int_equal(blk1(0x77, 512, 10, 0, DATA), XENIA_BLK_RSP_EOPNOTSUPP);
    assert_int_equal(blk1(XENIA_BLKOP_TEST_SYSCALL, 0, 11, XENIA_DM_TEST_OPEN, 0),
                     XENIA_BLK_RSP_EOPNOTSUPP);   /* the normal dm has no test hook */
    assert_int_equal(g.sr->errors, 6);

    /* Runaway req_prod: NEEDS_RESET and a notification, then the handshake. */
    g.sr->rsp_event = g.sr->rsp_prod + 1;
    g.sr->req_prod += 1000;
    kick(g.blk_kick);
    wait_state(&g.sr->backend_state, XENIA_DEV_NEEDS_RESET, g.blk_irq);
    g.sr->req_prod = g.sr->rsp_prod = g.sr->req_event = g.sr->rsp_event = 0;
    g.sr->backend_state = 0;
    g.sr->frontend_state = XENIA_DEV_INITIALISING;
    kick(g.blk_kick);
    wait_state(&g.sr->backend_state, XENIA_DEV_CONNECTED, g.blk_irq);
    g.sr->frontend_state = XENIA_DEV_CONNECTED;
    assert_int_equal(blk1(XENIA_BLKOP_READ, 4096, 12, 16, DATA + 0x80000), XENIA_BLK_RSP_OKAY);
    assert_memory_equal(g.win + DATA + 0x80000, g.win + DATA, 4096);

    printf("xenia-dm VmRSS %ld KiB (RssAnon %ld, RssFile %ld, RssShmem %ld), VmSize %ld KiB\n",
           proc_status_kib(d.pid, "VmRSS"), proc_status_kib(d.pid, "RssAnon"),
           proc_status_kib(d.pid, "RssFile"), proc_status_kib(d.pid, "RssShmem"),
           proc_status_kib(d.pid, "VmSize"));
    assert_true(proc_status_kib(d.pid, "VmRSS") < 8 * 1024);

    /* hv closes the IPC socket: the dm exits 0. */
    close(d.ipc);
    d.ipc = -1;
    ws = dm_wait_exit(&d, TIMEOUT_MS);
    assert_true(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    dm_close(&d);
    free(buf);
}

/*
 * Refused requests are reported to hv (main.c log_refused; struct
 * xenia_dm_report, include/xenia/dm.h): at most one report a second, each with
 * the count since the last one, the rest reported within a second after the
 * burst; a count already in the ring (a predecessor's, or written by the guest)
 * is not reported as refused by this dm. The same line goes to the dm's fd 2.
 */
static void refused_requests_logged(void **state)
{
    struct xenia_dm_config c = good_config(1);
    static char text[8192];
    size_t len = 0;
    unsigned reports = 0, lines = 0;
    uint64_t refused = 0, last_total = 0, logged = 0;
    uint64_t end;
    struct dm d;
    int p[2];

    (void)state;
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    g.sr->errors = 1000;
    dm_stderr = p[1];
    d = dm_ready(bin_path("xenia-dm"), &c);
    dm_stderr = -1;
    close(p[1]);
    assert_int_equal(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(blk1(XENIA_BLKOP_READ, 512, 1, 0, DATA), XENIA_BLK_RSP_OKAY);
    /* 150 refused requests in ten batches 20 ms apart (well under a second in
     * all): range, window, length, pad. */
    for (unsigned b = 0; b < 10; b++) {
        uint32_t i0 = g.sr->req_prod;
        if (b > 0)
            usleep(20000);
        for (uint32_t i = i0; i < i0 + 15; i++) {
            switch (i % 4) {
            case 0: put_req(i, XENIA_BLKOP_READ, 512, i, DISK_BYTES / 512, DATA); break;
            case 1: put_req(i, XENIA_BLKOP_WRITE, 512, i, 0, XENIA_IOWIN_BLK_OFF); break;
            case 2: put_req(i, XENIA_BLKOP_READ, 700, i, 0, DATA); break;
            default:
                put_req(i, XENIA_BLKOP_READ, 512, i, 0, DATA);
                g.sr->req[i & MASK].pad0[1] = 1;
                break;
            }
        }
        submit_and_wait(i0 + 15);
    }
    assert_int_equal(g.sr->errors, 1150);
    /* Every refused request is reported within ~1 s; the burst took well under a
     * second, so it spans at most two second boundaries: at most 3 reports. */
    end = now_ms() + 3000;
    while (refused < 150 && now_ms() < end) {
        struct pollfd q = { .fd = d.ipc, .events = POLLIN };
        struct xenia_dm_report r;
        ssize_t n;

        if (poll(&q, 1, 100) <= 0)
            continue;
        n = recv(d.ipc, &r, sizeof(r), MSG_DONTWAIT | MSG_TRUNC);
        assert_int_equal(n, sizeof(r));
        assert_int_equal(r.magic, XENIA_DM_MAGIC);
        assert_int_equal(r.version, XENIA_DM_VERSION);
        assert_int_equal(r.kind, XENIA_DM_REPORT_REFUSED);
        assert_int_equal(r.pad0, 0);
        assert_true(r.count >= 1);
        refused += r.count;
        last_total = r.total;
        reports++;
    }
    assert_int_equal(refused, 150);
    assert_int_equal(last_total, 1150);
    assert_in_range(reports, 1, 3);
    /* The dm's own log (fd 2) says the same. */
    for (;;) {
        ssize_t n = read(p[0], text + len, sizeof(text) - 1 - len);
        char *nl, *line;
        if (n <= 0)
            break;
        len += (size_t)n;
        text[len] = 0;
        while ((nl = strchr(text, '\n')) != NULL) {
            unsigned k;
            unsigned long long so_far;
            *nl = 0;
            line = strstr(text, "block: refused");
            if (line != NULL) {
                assert_int_equal(strncmp(text, "xenia-dm[7]: block: refused ", 28), 0);
                assert_int_equal(sscanf(line, "block: refused %u requests (range, window, length "
                                        "or pad) (%llu so far)", &k, &so_far), 2);
                logged += k;
                lines++;
            }
            len -= (size_t)(nl + 1 - text);
            memmove(text, nl + 1, len + 1);
        }
    }
    assert_int_equal(logged, 150);
    assert_int_equal(lines, reports);
    /* Nothing more without new refusals. */
    usleep(1200000);
    {
        struct xenia_dm_report r;
        assert_true(recv(d.ipc, &r, sizeof(r), MSG_DONTWAIT) < 0 && errno == EAGAIN);
    }
    close(p[0]);
    dm_kill(&d);
}

static void readonly_disk(void **state)
{
    struct xenia_dm_config c = good_config(1);
    struct dm d;
    uint8_t before[512], after[512];

    (void)state;
    c.flags = XENIA_DM_CFG_F_DISK_RO;
    disk_pread(before, sizeof(before), 0);
    d = dm_ready(bin_path("xenia-dm"), &c);
    assert_int_equal(g.sr->features, XENIA_BLK_F_FLUSH | XENIA_BLK_F_READONLY);
    memset(g.win + DATA, 0xab, 512);
    assert_int_equal(blk1(XENIA_BLKOP_WRITE, 512, 1, 0, DATA), XENIA_BLK_RSP_ERROR);
    assert_int_equal(blk1(XENIA_BLKOP_READ, 512, 2, 0, DATA), XENIA_BLK_RSP_OKAY);
    disk_pread(after, sizeof(after), 0);
    assert_memory_equal(before, after, sizeof(after));
    dm_kill(&d);
}

static void console(void **state)
{
    struct xenia_dm_config c = good_config(1);
    struct dm d;
    const char *msg = "hello from the guest\n";
    char buf[4096];
    size_t got = 0, len = strlen(msg);
    struct pollfd p;

    (void)state;
    c.disk_bytes = 0;   /* a console-only dm (no fd 10) */
    d = dm_ready(bin_path("xenia-dm"), &c);
    assert_int_equal(g.sr->backend_state, 0);   /* no disk: block ring untouched */

    /* Output: guest writes out[], kicks; the bytes come out of the socket. */
    for (size_t i = 0; i < len; i++)
        g.cr->out[(g.cr->out_prod + i) % XENIA_CONS_OUT_SIZE] = msg[i];
    __atomic_store_n(&g.cr->out_prod, g.cr->out_prod + (uint32_t)len, __ATOMIC_RELEASE);
    kick(g.cons_kick);
    while (got < len) {
        p = (struct pollfd){ .fd = d.cons, .events = POLLIN };
        assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
        ssize_t n = recv(d.cons, buf + got, sizeof(buf) - got, 0);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_int_equal(got, len);
    assert_memory_equal(buf, msg, len);
    assert_int_equal(g.cr->out_cons, g.cr->out_prod);

    /* Input: socket bytes land in in[] and raise the console irq. */
    assert_int_equal(send(d.cons, "ls -l\n", 6, MSG_NOSIGNAL), 6);
    assert_true(wait_irq(g.cons_irq, TIMEOUT_MS));
    assert_int_equal(g.cr->in_prod - g.cr->in_cons, 6);
    assert_memory_equal(g.cr->in + g.cr->in_cons % XENIA_CONS_IN_SIZE, "ls -l\n", 6);
    g.cr->in_cons = g.cr->in_prod;

    /* More input than in[] holds: the rest waits in the socket until the
     * guest consumes and kicks. */
    memset(buf, 'q', sizeof(buf));
    assert_int_equal(send(d.cons, buf, 3000, MSG_NOSIGNAL), 3000);
    got = 0;
    for (int rounds = 0; got < 3000 && rounds < 50; rounds++) {
        (void)wait_irq(g.cons_irq, 200);
        uint32_t avail = g.cr->in_prod - g.cr->in_cons;
        assert_true(avail <= XENIA_CONS_IN_SIZE);
        for (uint32_t i = 0; i < avail; i++)
            assert_int_equal(g.cr->in[(g.cr->in_cons + i) % XENIA_CONS_IN_SIZE], 'q');
        got += avail;
        g.cr->in_cons += avail;
        kick(g.cons_kick);
    }
    assert_int_equal(got, 3000);

    /* A corrupt out_prod: NEEDS_RESET, the guest is told, then the reset. */
    g.cr->out_prod = g.cr->out_cons + XENIA_CONS_OUT_SIZE + 5;
    kick(g.cons_kick);
    wait_state(&g.cr->backend_state, XENIA_DEV_NEEDS_RESET, g.cons_irq);
    g.cr->out_prod = g.cr->out_cons = g.cr->in_prod = g.cr->in_cons = 0;
    g.cr->frontend_state = XENIA_DEV_INITIALISING;
    kick(g.cons_kick);
    wait_state(&g.cr->backend_state, XENIA_DEV_CONNECTED, g.cons_irq);
    g.cr->frontend_state = XENIA_DEV_CONNECTED;
    memcpy(g.cr->out, "again", 5);
    __atomic_store_n(&g.cr->out_prod, 5, __ATOMIC_RELEASE);
    kick(g.cons_kick);
    p = (struct pollfd){ .fd = d.cons, .events = POLLIN };
    assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
    assert_int_equal(recv(d.cons, buf, sizeof(buf), 0), 5);
    assert_memory_equal(buf, "again", 5);

    /* The console service going away does not stop the dm. */
    close(d.cons);
    d.cons = -1;
    memcpy(g.cr->out + 5, "lost", 4);
    __atomic_store_n(&g.cr->out_prod, 9, __ATOMIC_RELEASE);
    kick(g.cons_kick);
    for (int i = 0; i < 100 && g.cr->out_cons != 9; i++)
        usleep(2000);
    assert_int_equal(g.cr->out_cons, 9);   /* consumed and dropped */
    assert_int_equal(waitpid(d.pid, NULL, WNOHANG), 0);
    dm_kill(&d);
}

/* Disk content expected for request i of the kill test (pattern buffer i % 7). */
#define KILL_REQS  XENIA_BLK_RING_SIZE
#define KILL_LEN   XENIA_BLK_MAX_LEN
#define KILL_BUFS  7u

static void check_kill_request(uint32_t i, uint8_t *buf)
{
    disk_pread(buf, KILL_LEN, (uint64_t)i * KILL_LEN);
    if (memcmp(buf, g.win + DATA + (i % KILL_BUFS) * KILL_LEN, KILL_LEN) != 0)
        fail_msg("request %u was answered but its data is not on the disk", i);
}

static void sigkill_mid_batch_and_resume(void **state)
{
    uint8_t *buf = malloc(KILL_LEN);
    unsigned mid_batch = 0;

    (void)state;
    assert_non_null(buf);
    for (uint32_t b = 0; b < KILL_BUFS; b++)
        for (uint32_t j = 0; j < KILL_LEN; j++)
            g.win[DATA + b * KILL_LEN + j] = (uint8_t)(b * 37 + j * 3 + 1);

    /* Three rounds, and more (up to 12) until a kill lands inside a batch. */
    for (uint32_t round = 0; round < 12 && (round < 3 || mid_batch == 0); round++) {
        struct xenia_dm_config c = good_config(1 + 2 * round);
        uint32_t base = g.sr->req_prod, published;
        uint64_t end;
        struct dm d;

        assert_int_equal(ftruncate(g.disk, 0), 0);   /* zero the disk */
        assert_int_equal(ftruncate(g.disk, DISK_BYTES), 0);
        d = dm_ready(bin_path("xenia-dm"), &c);
        for (uint32_t i = 0; i < KILL_REQS; i++)
            put_req(base + i, XENIA_BLKOP_WRITE, KILL_LEN, 500 + i, (uint64_t)i * (KILL_LEN / 512),
                    DATA + (i % KILL_BUFS) * KILL_LEN);
        g.sr->rsp_event = base + KILL_REQS;
        __atomic_store_n(&g.sr->req_prod, base + KILL_REQS, __ATOMIC_RELEASE);
        kick(g.blk_kick);
        end = now_ms() + TIMEOUT_MS;
        while (rsp_prod() == base)
            assert_true(now_ms() < end);
        kill(d.pid, SIGKILL);
        assert_true(dm_wait_exit(&d, TIMEOUT_MS) >= 0);
        dm_close(&d);

        /* Everything answered is on the disk, with the right status and id. */
        published = rsp_prod() - base;
        assert_true(published >= 1 && published <= KILL_REQS);
        if (published < KILL_REQS)
            mid_batch++;
        for (uint32_t i = 0; i < published; i++) {
            assert_int_equal(g.sr->rsp[(base + i) & MASK].status, XENIA_BLK_RSP_OKAY);
            assert_int_equal(g.sr->rsp[(base + i) & MASK].id, 500 + i);
            check_kill_request(i, buf);
        }

        /* Generation 2 serves the rest without a kick. */
        (void)wait_irq(g.blk_irq, 0);   /* clear */
        g.sr->rsp_event = base + published + 1;
        c = good_config(2 + 2 * round);
        d = dm_ready(bin_path("xenia-dm"), &c);
        end = now_ms() + TIMEOUT_MS;
        while (rsp_prod() != base + KILL_REQS) {
            assert_true(now_ms() < end);
            usleep(500);
        }
        if (published < KILL_REQS)
            assert_true(wait_irq(g.blk_irq, TIMEOUT_MS));   /* it notified */
        for (uint32_t i = 0; i < KILL_REQS; i++) {
            assert_int_equal(g.sr->rsp[(base + i) & MASK].status, XENIA_BLK_RSP_OKAY);
            assert_int_equal(g.sr->rsp[(base + i) & MASK].id, 500 + i);
            check_kill_request(i, buf);
        }
        printf("kill round %u: %u of %u writes answered before SIGKILL, the rest by the next dm\n",
               round, published, KILL_REQS);
        dm_kill(&d);
    }
    /* At least one kill must have landed inside the batch to test anything. */
    assert_true(mid_batch >= 1);
    free(buf);
}

static void test_hook_binary(void **state)
{
    struct xenia_dm_config c = good_config(1);
    struct dm d;
    FILE *f;
    static char bin[4 << 20];
    size_t n;

    (void)state;
    d = dm_ready(bin_path("xenia-dm-test"), &c);
    /* The test request is answered before the attempt (the attempt kills a confined
     * dm, and its successor must not replay it). Unconfined, every attempt returns
     * and the dm goes on serving. Under seccomp each kills the process (stubdom.sh). */
    assert_int_equal(blk1(XENIA_BLKOP_TEST_SYSCALL, 0, 1, XENIA_DM_TEST_KVM, 0), XENIA_BLK_RSP_OKAY);
    assert_int_equal(blk1(XENIA_BLKOP_TEST_SYSCALL, 0, 2, XENIA_DM_TEST_OPEN, 0), XENIA_BLK_RSP_OKAY);
    assert_int_equal(blk1(XENIA_BLKOP_TEST_SYSCALL, 0, 3, 99, 0), XENIA_BLK_RSP_OKAY);
    assert_int_equal(blk1(XENIA_BLKOP_TEST_SYSCALL, 1, 4, XENIA_DM_TEST_KVM, 0),
                     XENIA_BLK_RSP_OKAY);   /* len is not looked at */
    assert_int_equal(blk1(XENIA_BLKOP_READ, 512, 5, 0, DATA), XENIA_BLK_RSP_OKAY);
    dm_kill(&d);

    /* The normal binary does not contain the hook at all. */
    f = fopen(bin_path("xenia-dm"), "rb");
    assert_non_null(f);
    n = fread(bin, 1, sizeof(bin), f);
    fclose(f);
    assert_true(n > 0 && n < sizeof(bin));
    assert_null(memmem(bin, n, "/etc/passwd", 11));
    f = fopen(bin_path("xenia-dm-test"), "rb");
    assert_non_null(f);
    n = fread(bin, 1, sizeof(bin), f);
    fclose(f);
    assert_non_null(memmem(bin, n, "/etc/passwd", 11));
}

/* Figures: the real dm over eventfds, batches of 16 requests. */
static void throughput(void **state)
{
    struct xenia_dm_config c = good_config(1);
    static const uint32_t lens[2] = { 4096, 65536 };
    const uint32_t total = 16u << 20, depth = 16;
    struct dm d;

    (void)state;
    d = dm_ready(bin_path("xenia-dm"), &c);
    for (unsigned k = 0; k < 2; k++) {
        for (uint8_t op = XENIA_BLKOP_READ; op <= XENIA_BLKOP_WRITE; op++) {
            uint32_t len = lens[k], n = total / len, done = 0;
            uint64_t t0 = now_ms();
            struct timespec a, b;
            double s;

            clock_gettime(CLOCK_MONOTONIC, &a);
            while (done < n) {
                uint32_t base = g.sr->req_prod, batch = n - done < depth ? n - done : depth;
                for (uint32_t i = 0; i < batch; i++)
                    put_req(base + i, op, len, done + i, (uint64_t)(done + i) * (len / 512),
                            DATA + (i % 14) * 65536);
                submit_and_wait(base + batch);
                done += batch;
            }
            clock_gettime(CLOCK_MONOTONIC, &b);
            s = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
            (void)t0;
            printf("xenia-dm process: %s %u KiB x %u (16 MiB, %u deep): %.0f MB/s\n",
                   op == XENIA_BLKOP_READ ? "read " : "write", len >> 10, n, depth,
                   (double)total / s / 1e6);
        }
    }
    assert_int_equal(g.sr->errors, 0);
    printf("xenia-dm VmRSS after 64 MiB of I/O: %ld KiB\n", proc_status_kib(d.pid, "VmRSS"));
    dm_kill(&d);
}

/* ------------------------------------------------------------------------- */
/* The guest frontends (guest/lib/blkfront.c, consfront.c) against the real  */
/* dm: tests/unit/shim/xenia/guest.h is implemented here.                     */
/* ------------------------------------------------------------------------- */
static struct xenia_start_info fake_si;
static struct xenia_shared_page fake_shared;
static void (*on_block)(void);   /* runs at each xenia_block (plays hv) */

const struct xenia_start_info *xenia_start_info(void)
{
    return &fake_si;
}

volatile struct xenia_shared_page *xenia_shared(void)
{
    return &fake_shared;
}

uint64_t xenia_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void xenia_evtchn_notify(uint32_t port)
{
    if (port == XENIA_PORT_CONS_RING)
        kick(g.cons_kick);
    else if (port == XENIA_PORT_BLK)
        kick(g.blk_kick);
    else
        fail_msg("notify on port %u", port);
}

/* SCHEDOP_block: the irq eventfds set the ports' pending bits, as hv does. */
long xenia_block(uint64_t deadline_ns)
{
    const uint64_t ports = (1ull << XENIA_PORT_CONS_RING) | (1ull << XENIA_PORT_BLK);
    struct pollfd p[2] = { { .fd = g.cons_irq, .events = POLLIN },
                           { .fd = g.blk_irq, .events = POLLIN } };
    uint64_t now = xenia_now_ns(), v;
    int ms, n;

    if (on_block != NULL)
        on_block();
    if (__atomic_load_n(&fake_shared.evtchn_pending[0], __ATOMIC_SEQ_CST) & ports)
        return 0;
    ms = deadline_ns == 0 ? -1 : deadline_ns <= now ? 0
                                : (int)((deadline_ns - now + 999999) / 1000000);
    n = poll(p, 2, ms);
    if (n <= 0)
        return -XENIA_ETIME;
    for (int i = 0; i < 2; i++) {
        if (p[i].revents & POLLIN) {
            assert_int_equal(read(p[i].fd, &v, sizeof(v)), sizeof(v));
            __atomic_fetch_or(&fake_shared.evtchn_pending[0],
                              1ull << (i == 0 ? XENIA_PORT_CONS_RING : XENIA_PORT_BLK),
                              __ATOMIC_SEQ_CST);
        }
    }
    return 0;
}

static void fake_guest(void)
{
    memset(&fake_si, 0, sizeof(fake_si));
    memset(&fake_shared, 0, sizeof(fake_shared));
    fake_si.iowin_gpa = (uint64_t)(uintptr_t)g.win;
    fake_si.iowin_bytes = XENIA_IOWIN_BYTES;
    fake_si.cons_ring_port = XENIA_PORT_CONS_RING;
    fake_si.blk_port = XENIA_PORT_BLK;
    fake_shared.dm_generation = 1;
    on_block = NULL;
}

static void blk_print_stats_host(void)
{
    struct blk_stats s;

    blk_get_stats(&s);
    printf("blkfront (host build) vs xenia-dm: requests %llu kicks %llu blocks %llu rekicks %llu "
           "generations %llu resets %llu resubmits %llu bad_rsp %llu\n",
           (unsigned long long)s.requests, (unsigned long long)s.kicks,
           (unsigned long long)s.blocks, (unsigned long long)s.rekicks,
           (unsigned long long)s.generations, (unsigned long long)s.resets,
           (unsigned long long)s.resubmits, (unsigned long long)s.bad_rsp);
}

/* hv's part in the restart test: start generation 2 once the guest waits. */
static struct dm restart_dm;
static int restart_pending;

static void restart_on_block(void)
{
    if (restart_pending) {
        struct xenia_dm_config c = good_config(2);

        restart_pending = 0;
        restart_dm = dm_ready(bin_path("xenia-dm"), &c);
        fake_shared.dm_generation++;
    }
}

static void frontend_block(void **state)
{
    static uint8_t buf[256 << 10], back[256 << 10];
    struct xenia_dm_config c = good_config(1);
    struct blk_io io[16];
    struct blk_stats st;
    uint8_t *bufs[16];
    struct dm d;

    (void)state;
    fake_guest();
    d = dm_ready(bin_path("xenia-dm"), &c);
    assert_int_equal(blk_init(), 0);
    assert_int_equal(blk_sectors(), DISK_BYTES / 512);
    assert_int_equal(blk_features(), XENIA_BLK_F_FLUSH);
    assert_int_equal(g.sr->frontend_state, XENIA_DEV_CONNECTED);

    /* Synchronous I/O, split into XENIA_BLK_MAX_LEN requests. */
    for (unsigned i = 0; i < sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 31 + 7);
    assert_int_equal(blk_write(8, buf, sizeof(buf)), 0);
    assert_int_equal(blk_flush(), 0);
    assert_int_equal(blk_read(8, back, sizeof(back)), 0);
    assert_memory_equal(buf, back, sizeof(buf));
    disk_pread(back, sizeof(back), 8 * 512);
    assert_memory_equal(buf, back, sizeof(buf));
    assert_int_equal(blk_read(DISK_BYTES / 512, back, 512), -XENIA_EIO);
    assert_int_equal(blk_read(0, back, 100), -XENIA_EINVAL);

    /* 16 in flight. */
    for (unsigned i = 0; i < 16; i++) {
        bufs[i] = blk_buf_alloc(32768);
        assert_non_null(bufs[i]);
        memset(bufs[i], 0x40 + (int)i, 32768);
        io[i] = (struct blk_io){ .op = XENIA_BLKOP_WRITE, .len = 32768, .sector = 4096 + 64 * i,
                                 .buf = bufs[i] };
    }
    assert_null(blk_buf_alloc(512 << 10));   /* the data area is 832 KiB past the bounce */
    assert_int_equal(blk_rw_many(io, 16, 16), 0);
    for (unsigned i = 0; i < 16; i++) {
        disk_pread(back, 32768, (4096 + 64 * i) * 512ull);
        assert_int_equal(back[0], 0x40 + i);
        assert_int_equal(back[32767], 0x40 + i);
    }

    /* NEEDS_RESET (runaway req_prod): the frontend resets and goes on. */
    g.sr->req_prod += 1000;
    kick(g.blk_kick);
    for (int i = 0; i < 2000 && g.sr->backend_state != XENIA_DEV_NEEDS_RESET; i++)
        usleep(1000);
    assert_int_equal(g.sr->backend_state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(blk_read(8, back, 4096), 0);
    assert_memory_equal(buf, back, 4096);
    blk_get_stats(&st);
    assert_int_equal(st.resets, 2);   /* init + NEEDS_RESET */
    /* Scribbled backend index: harmless (the dm may overwrite it first, or
     * the frontend notices and resets). */
    g.sr->rsp_prod = 0xdeadbeef;
    assert_int_equal(blk_read(8, back, 4096), 0);
    assert_memory_equal(buf, back, 4096);

    /* The dm dies with requests on the ring; hv starts generation 2 when the
     * guest waits; the frontend re-kicks on the new generation. */
    dm_kill(&d);
    for (unsigned i = 0; i < 16; i++) {
        memset(bufs[i], 0x60 + (int)i, 32768);
        io[i].status = 99;
    }
    restart_pending = 1;
    on_block = restart_on_block;
    assert_int_equal(blk_rw_many(io, 16, 16), 0);
    on_block = NULL;
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(io[i].status, XENIA_BLK_RSP_OKAY);
        disk_pread(back, 32768, (4096 + 64 * i) * 512ull);
        assert_int_equal(back[0], 0x60 + i);
        assert_int_equal(back[32767], 0x60 + i);
    }
    /* (The frontend may or may not have seen the new generation before the
     * responses arrived: generation 2 serves what is pending without a kick.) */
    /* Raw: a same-id loop and a bad buffer. */
    {
        struct xenia_blk_request r = { .operation = XENIA_BLKOP_READ, .len = 512, .id = 9,
                                       .buf_off = 0x1000 };
        struct xenia_blk_response rsp;

        assert_int_equal(blk_submit_raw(&r), 0);
        assert_int_equal(blk_wait_raw(&rsp), 0);
        assert_int_equal(rsp.id, 9);
        assert_int_equal(rsp.status, XENIA_BLK_RSP_ERROR);
        r.buf_off = DATA;
        for (unsigned i = 0; i < 1000; i++) {
            if (blk_submit_raw(&r) == -XENIA_EAGAIN) {
                while (blk_outstanding() > 0) {
                    assert_int_equal(blk_wait_raw(&rsp), 0);
                    assert_int_equal(rsp.status, XENIA_BLK_RSP_OKAY);
                }
                assert_int_equal(blk_submit_raw(&r), 0);
            }
        }
        while (blk_outstanding() > 0)
            assert_int_equal(blk_wait_raw(&rsp), 0);
    }
    blk_print_stats_host();
    dm_kill(&restart_dm);
}

static void frontend_console(void **state)
{
    struct xenia_dm_config c = good_config(1);
    static char big[12288], got[12288 + 64];
    size_t have = 0;
    char in[64];
    struct dm d;
    long n;

    (void)state;
    fake_guest();
    c.disk_bytes = 0;
    d = dm_ready(bin_path("xenia-dm"), &c);
    assert_int_equal(cons_init(), 0);
    for (unsigned i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    /* Six rings' worth: the frontend waits for the dm to drain. */
    assert_int_equal(cons_write(big, sizeof(big)), sizeof(big));
    while (have < sizeof(big)) {
        struct pollfd p = { .fd = d.cons, .events = POLLIN };
        assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
        ssize_t r = recv(d.cons, got + have, sizeof(got) - have, 0);
        assert_true(r > 0);
        have += (size_t)r;
    }
    assert_int_equal(have, sizeof(big));
    assert_memory_equal(got, big, sizeof(big));

    /* Input. */
    assert_int_equal(send(d.cons, "echo me\n", 8, MSG_NOSIGNAL), 8);
    n = cons_read_wait(in, sizeof(in), xenia_now_ns() + 5000000000ull);
    assert_int_equal(n, 8);
    assert_memory_equal(in, "echo me\n", 8);
    assert_int_equal(cons_read(in, sizeof(in)), 0);

    /* The backend finds a corrupt in_cons: NEEDS_RESET; the next write resets. */
    g.cr->in_cons += 5000;
    kick(g.cons_kick);
    for (int i = 0; i < 200 && g.cr->backend_state != XENIA_DEV_NEEDS_RESET; i++)
        usleep(1000);
    assert_int_equal(g.cr->backend_state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(cons_write("after reset\n", 12), 12);
    assert_int_equal(g.cr->backend_state, XENIA_DEV_CONNECTED);
    {
        struct pollfd p = { .fd = d.cons, .events = POLLIN };
        assert_int_equal(poll(&p, 1, TIMEOUT_MS), 1);
        assert_int_equal(recv(d.cons, got, sizeof(got), 0), 12);
        assert_memory_equal(got, "after reset\n", 12);
    }
    dm_kill(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(config_check_pure),
        cmocka_unit_test_setup_teardown(garbage_configs_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(block_io_and_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_requests_logged, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_disk, setup, teardown),
        cmocka_unit_test_setup_teardown(console, setup, teardown),
        cmocka_unit_test_setup_teardown(sigkill_mid_batch_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hook_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(throughput, setup, teardown),
        cmocka_unit_test_setup_teardown(frontend_block, setup, teardown),
        cmocka_unit_test_setup_teardown(frontend_console, setup, teardown),
    };
    const char *dir = getenv("XENIA_BIN_DIR");
    struct stat st;

    snprintf(bin_dir, sizeof(bin_dir), "%s", dir != NULL && *dir ? dir : DM_TEST_BIN_DIR);
    if (stat(bin_path("xenia-dm"), &st) != 0 || stat(bin_path("xenia-dm-test"), &st) != 0) {
        fprintf(stderr, "test_dm_process: %s/xenia-dm or xenia-dm-test missing (set XENIA_BIN_DIR)\n",
                bin_dir);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
