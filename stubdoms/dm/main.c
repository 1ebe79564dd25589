/* SPDX-License-Identifier: MIT */
/*
 * xenia-dm: the device-model stub domain's system-call shell (one per guest).
 *
 * Started by hv with exactly the fds of include/xenia/dm.h. Receives one
 * struct xenia_dm_config on the IPC socket, checks it (dmconfig.c) and the fds
 * it describes, maps the I/O window, connects the console backend
 * (consback.c) and, with a disk, the block backend (blkback.c), replies one
 * struct xenia_dm_status READY and serves until hv closes the IPC socket:
 *   - a block kick (or anything pending at start: a restarted dm resumes the
 *     requests in flight) runs blkback, which raises the block irq eventfd
 *     when the guest asked for it;
 *   - a console kick moves guest output to the console socket (non-blocking:
 *     what the socket cannot take now is dropped and counted), console socket
 *     input goes into the ring's in[] while it has room.
 * Exit status: 0 when hv closed the IPC socket; 1 for a refused configuration
 * (after an error status, no READY) or a fatal system-call failure.
 *
 * System calls after start-up (the seccomp allowlist of the dm role is built
 * from this list): read, write, pread64, pwrite64, fdatasync, fstat, mmap of
 * fd 3, munmap, ppoll, recvmsg/recvfrom, sendmsg/sendto, exit_group. No
 * malloc: every buffer is static. Nothing a guest writes can make this
 * process exit: the pure backends answer bad input with error responses or
 * NEEDS_RESET.
 *
 * Test builds (xenia-dm-test, -DXENIA_DM_TEST_HOOKS) also answer
 * XENIA_BLKOP_TEST_SYSCALL by attempting a forbidden system call; the normal
 * binary contains none of that code.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef XENIA_DM_TEST_HOOKS
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#endif

#include <xenia/dm.h>
#include <xenia/io.h>

#include "blkback.h"
#include "consback.h"
#include "dmconfig.h"

/* ------------------------------------------------------------------------- */
/* Logging to stderr without stdio (no allocation, one write per line).      */
/* ------------------------------------------------------------------------- */
static uint32_t g_domid;

static void dm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void dm_log(const char *fmt, ...)
{
    static char line[320];
    va_list ap;
    int n, m;

    n = snprintf(line, sizeof(line), "xenia-dm[%u]: ", g_domid);
    if (n < 0 || (size_t)n >= sizeof(line))
        return;
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
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

/*
 * Receive the configuration: exactly one message of exactly sizeof(*cfg)
 * bytes and no ancillary data. Returns 0, 1 when hv closed the socket, or
 * -XENIA_EPROTO / -XENIA_EIO.
 */
static int recv_config(struct xenia_dm_config *cfg)
{
    static union {
        struct xenia_dm_config cfg;
        char bytes[sizeof(struct xenia_dm_config) + 1];
    } buf;
    struct iovec iov = { .iov_base = &buf, .iov_len = sizeof(buf) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;

    do {
        n = recvmsg(XENIA_DM_FD_IPC, &mh, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        dm_log("receiving the configuration: errno %d", errno);
        return -XENIA_EIO;
    }
    if (n == 0)
        return 1;
    if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 || (size_t)n != sizeof(*cfg)) {
        dm_log("configuration message of %zd bytes%s; expected exactly %zu", n,
               (mh.msg_flags & MSG_CTRUNC) ? " with ancillary data" : "", sizeof(*cfg));
        return -XENIA_EPROTO;
    }
    memcpy(cfg, &buf.cfg, sizeof(*cfg));
    return 0;
}

/* Send the status reply (state READY when error == 0). 0 or -1. */
static int send_status(int error)
{
    struct xenia_dm_status st;
    ssize_t n;

    memset(&st, 0, sizeof(st));
    st.magic = XENIA_DM_MAGIC;
    st.version = XENIA_DM_VERSION;
    st.state = error == 0 ? XENIA_DM_READY : 0;
    st.error = error;
    do {
        n = send(XENIA_DM_FD_IPC, &st, sizeof(st), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(st)) {
        dm_log("sending the status: errno %d", n < 0 ? errno : EMSGSIZE);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Disk and notification ops (blkback_ops)                                   */
/* ------------------------------------------------------------------------- */
struct dm_disk {
    int fd;
    uint64_t io_errors;
};

static int disk_read(void *ctx, uint64_t off, void *buf, uint32_t len)
{
    struct dm_disk *d = ctx;
    uint32_t done = 0;

    while (done < len) {
        ssize_t n = pread(d->fd, (char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            d->io_errors++;
            return -XENIA_EIO;
        }
        done += (uint32_t)n;
    }
    return 0;
}

/* Answered OKAY only once the whole length reached the image. */
static int disk_write(void *ctx, uint64_t off, const void *buf, uint32_t len)
{
    struct dm_disk *d = ctx;
    uint32_t done = 0;

    while (done < len) {
        ssize_t n = pwrite(d->fd, (const char *)buf + done, len - done, (off_t)(off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            d->io_errors++;
            return -XENIA_EIO;
        }
        done += (uint32_t)n;
    }
    return 0;
}

static int disk_flush(void *ctx)
{
    struct dm_disk *d = ctx;
    int rc;

    do {
        rc = fdatasync(d->fd);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        d->io_errors++;
        return -XENIA_EIO;
    }
    return 0;
}

/* Raise a guest port: add 1 to its irq eventfd (hv sets the pending bit). */
static void raise_irq(int fd)
{
    static const uint64_t one = 1;
    ssize_t n;

    do {
        n = write(fd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
    /* EAGAIN: the counter is saturated, so the event is pending anyway. */
}

static void blk_notify(void *ctx)
{
    (void)ctx;
    raise_irq(XENIA_DM_FD_BLK_IRQ);
}

#ifdef XENIA_DM_TEST_HOOKS
/*
 * Test builds only: attempt the forbidden call `which` (dm.h XENIA_DM_TEST_*)
 * through raw syscall(2). Returns 0 if it was refused with an errno (under
 * the dm's seccomp filter the process dies by SIGSYS instead); -1 if it
 * succeeded (what it created is released again) or `which` is unknown.
 */
static int test_syscall(void *ctx, uint64_t which)
{
    static char *const sh_argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)"exit 97", NULL };
    static char *const sh_envp[] = { NULL };
    long rc;

    (void)ctx;
    switch (which) {
    case XENIA_DM_TEST_OPEN:
        rc = syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY | O_CLOEXEC);
        break;
    case XENIA_DM_TEST_SOCKET:
        rc = syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        break;
    case XENIA_DM_TEST_EXECVE:
        rc = syscall(SYS_execve, "/bin/sh", sh_argv, sh_envp);
        break;
    case XENIA_DM_TEST_PTRACE:
        rc = syscall(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0);
        if (rc == 0)
            (void)syscall(SYS_ptrace, PTRACE_DETACH, 1, 0, 0);
        break;
    case XENIA_DM_TEST_KVM:
        rc = syscall(SYS_ioctl, XENIA_DM_FD_IOWIN, KVM_CREATE_VM, 0);
        break;
    default:
        return -1;
    }
    dm_log("test syscall %llu: %s (rc %ld, errno %d)", (unsigned long long)which,
           rc < 0 ? "refused" : "ALLOWED", rc, rc < 0 ? errno : 0);
    if (rc < 0)
        return 0;
    if (which == XENIA_DM_TEST_OPEN || which == XENIA_DM_TEST_SOCKET ||
        which == XENIA_DM_TEST_KVM)
        (void)close((int)rc);
    return -1;
}
#endif

static const struct blkback_ops g_blk_ops = {
    .read = disk_read,
    .write = disk_write,
    .flush = disk_flush,
    .notify = blk_notify,
#ifdef XENIA_DM_TEST_HOOKS
    .test_syscall = test_syscall,
#endif
};

/* ------------------------------------------------------------------------- */
/* Console                                                                   */
/* ------------------------------------------------------------------------- */
struct dm_cons {
    struct consback back;
    int sock_dead;               /* the console service hung up */
    uint64_t dropped;            /* output bytes the socket could not take */
    uint64_t dropped_reported;
};

static char g_cons_buf[XENIA_CONS_OUT_SIZE];

/* Send guest output; drop (and count) what the socket cannot take now. */
static void cons_emit(struct dm_cons *c, const char *buf, size_t len)
{
    size_t done = 0;

    while (!c->sock_dead && done < len) {
        ssize_t n = send(XENIA_DM_FD_CONS, buf + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            dm_log("console socket: errno %d; dropping console output from now on",
                   n < 0 ? errno : 0);
            c->sock_dead = 1;
            break;
        }
        done += (size_t)n;
    }
    c->dropped += len - done;
    if (c->dropped != c->dropped_reported && (c->dropped - c->dropped_reported) >= 4096) {
        dm_log("console: %llu output bytes dropped so far", (unsigned long long)c->dropped);
        c->dropped_reported = c->dropped;
    }
}

/* Move guest output to the socket (two rounds: the guest may refill). */
static unsigned cons_output(struct dm_cons *c)
{
    unsigned bits = 0;

    for (int round = 0; round < 2; round++) {
        size_t n;

        bits |= consback_output(&c->back, g_cons_buf, sizeof(g_cons_buf), &n);
        if (n == 0)
            break;
        cons_emit(c, g_cons_buf, n);
    }
    return bits;
}

/* Console socket input into in[] (called when the socket is readable). */
static unsigned cons_input(struct dm_cons *c)
{
    unsigned bits = 0;
    size_t room = consback_input_room(&c->back, &bits), queued;
    ssize_t n;

    if (room == 0 || c->sock_dead)
        return bits;
    if (room > sizeof(g_cons_buf))
        room = sizeof(g_cons_buf);
    do {
        n = recv(XENIA_DM_FD_CONS, g_cons_buf, room, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return bits;
    if (n <= 0) {
        dm_log("console socket closed (errno %d)", n < 0 ? errno : 0);
        c->sock_dead = 1;
        return bits;
    }
    bits |= consback_input(&c->back, g_cons_buf, (size_t)n, &queued);
    /* room was measured just before, and only the guest frees space. */
    c->dropped += (size_t)n - queued;
    return bits;
}

/* Drain a kick eventfd (only called when it is readable). */
static void drain_eventfd(int fd)
{
    uint64_t v;
    ssize_t n;

    do {
        n = read(fd, &v, sizeof(v));
    } while (n < 0 && errno == EINTR);
}

/* ------------------------------------------------------------------------- */
/* Start-up                                                                  */
/* ------------------------------------------------------------------------- */

/* Check the window and disk fds against the configuration. 0 or -XENIA_E*. */
static int check_fds(const struct xenia_dm_config *cfg)
{
    struct stat st;

    if (fstat(XENIA_DM_FD_IOWIN, &st) < 0) {
        dm_log("I/O window fd %d: errno %d", XENIA_DM_FD_IOWIN, errno);
        return -XENIA_EBADF;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != cfg->iowin_bytes) {
        dm_log("I/O window is %lld bytes, the configuration says %llu", (long long)st.st_size,
               (unsigned long long)cfg->iowin_bytes);
        return -XENIA_EINVAL;
    }
    if (cfg->disk_bytes == 0)
        return 0;
    if (fstat(XENIA_DM_FD_DISK, &st) < 0) {
        dm_log("disk fd %d: errno %d", XENIA_DM_FD_DISK, errno);
        return -XENIA_EBADF;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != cfg->disk_bytes) {
        dm_log("disk is %lld bytes (mode %o), the configuration says %llu",
               (long long)st.st_size, (unsigned)st.st_mode,
               (unsigned long long)cfg->disk_bytes);
        return -XENIA_EINVAL;
    }
    return 0;
}

/* Refuse to serve: error status to hv (no READY), exit 1. */
static int refuse(int rc)
{
    (void)send_status(rc);
    return 1;
}

/*
 * Audit of refused block requests: a tenant's hostile requests (bad sector
 * range, buffer outside the window, bad length or pad) become at most one
 * struct xenia_dm_report per second per dm (include/xenia/dm.h), with the count
 * since the last report; hv writes the audit line (the dm's own fd 2 is
 * /dev/null under hv). The same line goes to dm_log for a dm run by hand.
 * @errors is blkback's error count (continued from the ring's statistics after
 * a restart, so it is guest-written at first: only its growth since
 * *@logged is reported, modulo 2^64). Returns 1 while a count is still
 * unreported (the caller wakes within a second to report it), else 0.
 * CLOCK_MONOTONIC_COARSE is served by the vDSO whatever the clock source: no
 * system call (seccomp.def allows none for time).
 */
static int log_refused(uint64_t errors, uint64_t *logged, int64_t *last_s)
{
    struct xenia_dm_report r;
    struct timespec ts;
    ssize_t n;

    if (errors == *logged)
        return 0;
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0 || (int64_t)ts.tv_sec == *last_s)
        return 1;
    memset(&r, 0, sizeof(r));
    r.magic = XENIA_DM_MAGIC;
    r.version = XENIA_DM_VERSION;
    r.kind = XENIA_DM_REPORT_REFUSED;
    r.count = errors - *logged;
    r.total = errors;
    do {
        n = send(XENIA_DM_FD_IPC, &r, sizeof(r), MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    dm_log("block: refused %llu requests (range, window, length or pad) (%llu so far)",
           (unsigned long long)r.count, (unsigned long long)errors);
    *logged = errors;
    *last_s = (int64_t)ts.tv_sec;
    return 0;
}

enum { P_IPC, P_BLK_KICK, P_CONS_KICK, P_CONS, P_N };

int main(void)
{
    static struct xenia_dm_config cfg;
    static struct dm_disk disk;
    static struct blkback blk;
    static struct dm_cons cons;
    static char err[160];
    struct pollfd pfd[P_N];
    uint8_t *win;
    int have_blk, rc, refused_pending = 0;
    uint64_t refused_logged = 0;
    int64_t refused_last_s = -1;

    rc = recv_config(&cfg);
    if (rc == 1) {
        dm_log("hv closed the IPC socket before sending a configuration");
        return 1;
    }
    if (rc < 0)
        return refuse(rc);
    g_domid = cfg.domid;
    rc = dm_config_check(&cfg, err, sizeof(err));
    if (rc < 0) {
        dm_log("configuration refused: %s", err);
        return refuse(rc);
    }
    rc = check_fds(&cfg);
    if (rc < 0)
        return refuse(rc);
    win = mmap(NULL, cfg.iowin_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, XENIA_DM_FD_IOWIN, 0);
    if (win == MAP_FAILED) {
        dm_log("mapping the I/O window: errno %d", errno);
        return refuse(-XENIA_ENOMEM);
    }
    if (consback_init(&cons.back, win, cfg.iowin_bytes) < 0)
        return refuse(-XENIA_EINVAL);
    have_blk = cfg.disk_bytes > 0;
    if (have_blk) {
        uint32_t features = XENIA_BLK_F_FLUSH;

        if (cfg.flags & XENIA_DM_CFG_F_DISK_RO)
            features |= XENIA_BLK_F_READONLY;
        disk.fd = XENIA_DM_FD_DISK;
        if (blkback_init(&blk, win, cfg.iowin_bytes, cfg.disk_bytes, features, &g_blk_ops,
                         &disk) < 0)
            return refuse(-XENIA_EINVAL);
    }
    if (send_status(0) < 0)
        return 1;
    refused_logged = blk.errors;   /* a predecessor's (or the guest's) count: not ours */
    dm_log("generation %u serving: console%s%s", cfg.generation,
           have_blk ? ", block" : "", blk.state == XENIA_DEV_NEEDS_RESET ? " (needs reset)" : "");

    for (;;) {
        static const struct timespec now = { 0, 0 }, one_s = { 1, 0 };
        unsigned more = 0, cbits, rbits;
        unsigned blk_state_before = blk.state;
        size_t room;

        /* Serve first: a restarted dm resumes the requests in flight. */
        if (have_blk) {
            unsigned bits = blkback_run(&blk);
            if (bits & BLKBACK_MORE)
                more = 1;
            if (blk.state != blk_state_before && blk.state == XENIA_DEV_NEEDS_RESET)
                dm_log("block ring corrupt: needs reset (%llu so far)",
                       (unsigned long long)blk.resets);
            refused_pending = log_refused(blk.errors, &refused_logged, &refused_last_s);
        }
        cbits = cons_output(&cons);
        room = consback_input_room(&cons.back, &rbits);
        if ((cbits | rbits) & CONSBACK_NOTIFY)
            raise_irq(XENIA_DM_FD_CONS_IRQ);

        pfd[P_IPC] = (struct pollfd){ .fd = XENIA_DM_FD_IPC, .events = POLLIN };
        pfd[P_BLK_KICK] = (struct pollfd){ .fd = XENIA_DM_FD_BLK_KICK, .events = POLLIN };
        pfd[P_CONS_KICK] = (struct pollfd){ .fd = XENIA_DM_FD_CONS_KICK, .events = POLLIN };
        pfd[P_CONS] = (struct pollfd){ .fd = (room > 0 && !cons.sock_dead) ? XENIA_DM_FD_CONS : -1,
                                       .events = POLLIN };
        rc = ppoll(pfd, P_N, more ? &now : refused_pending ? &one_s : NULL, NULL);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            dm_log("ppoll: errno %d", errno);
            _exit(1);
        }
        if (pfd[P_IPC].revents != 0) {
            static char msg[64];
            ssize_t n;

            do {
                n = recv(XENIA_DM_FD_IPC, msg, sizeof(msg), MSG_DONTWAIT);
            } while (n < 0 && errno == EINTR);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                dm_log("hv closed the IPC socket: exiting (%llu block requests, %llu errors)",
                       (unsigned long long)blk.requests, (unsigned long long)blk.errors);
                _exit(0);
            }
            if (n > 0)
                dm_log("ignoring an unexpected %zd-byte message from hv", n);
        }
        for (int i = P_BLK_KICK; i <= P_CONS_KICK; i++) {
            if (pfd[i].revents & (POLLERR | POLLNVAL)) {
                dm_log("kick eventfd %d failed (revents %#x)", pfd[i].fd, pfd[i].revents);
                _exit(1);
            }
            if (pfd[i].revents & POLLIN)
                drain_eventfd(pfd[i].fd);
        }
        if (pfd[P_CONS].revents != 0) {
            cbits = cons_input(&cons);
            if (cbits & CONSBACK_NOTIFY)
                raise_irq(XENIA_DM_FD_CONS_IRQ);
        }
    }
}
