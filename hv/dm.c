/* SPDX-License-Identifier: MIT */
/* Device-model stub domain lifecycle (see dm.h; IPC: include/xenia/dm.h). */
#include "dm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <xenia/dm.h>
#include <xenia/io.h>
#include <xenia/layout.h>
#include <xenia/start_info.h>

#include "domain.h"
#include "log.h"
#include "measure.h"

#define DM_READY_TIMEOUT_MS 3000

static const uint32_t ring_port[2] = { XENIA_PORT_CONS_RING, XENIA_PORT_BLK };

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void dm_init_fds(struct dm *m, int disk_fd, uint64_t disk_bytes, int readonly)
{
    memset(m, 0, sizeof(*m));
    m->kick_fd[0] = m->kick_fd[1] = m->irq_fd[0] = m->irq_fd[1] = -1;
    m->ipc_fd = m->cons_fd = -1;
    m->proc.pid = 0;
    m->proc.pidfd = -1;
    m->disk_fd = disk_fd;
    m->disk_bytes = disk_bytes;
    m->disk_ro = readonly;
}

int dm_kick_fd(struct domain *d, uint32_t port)
{
    for (int i = 0; i < 2; i++)
        if (port == ring_port[i])
            return d->dm.kick_fd[i];
    return -1;
}

int dm_drain_irqs(struct domain *d)
{
    int n = 0;

    for (int i = 0; i < 2; i++) {
        uint64_t x;
        if (d->dm.irq_fd[i] >= 0 && read(d->dm.irq_fd[i], &x, sizeof(x)) == sizeof(x)) {
            domain_raise_event(d, ring_port[i]);
            n++;
        }
    }
    return n;
}

/* Guest kicks on the notify port with eax = ring port wake the dm in the kernel. */
static int register_ioeventfds(struct domain *d, int assign)
{
    for (int i = 0; i < 2; i++) {
        struct kvm_ioeventfd io = {
            .datamatch = ring_port[i], .addr = XENIA_EVTCHN_NOTIFY_PORT, .len = 4,
            .fd = d->dm.kick_fd[i],
            .flags = KVM_IOEVENTFD_FLAG_PIO | KVM_IOEVENTFD_FLAG_DATAMATCH |
                     (assign ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN) };
        if (ioctl(d->vm_fd, KVM_IOEVENTFD, &io) < 0 && assign)
            return -errno;
    }
    d->dm.ioeventfds = assign;
    return 0;
}

#define FAIL(code, ...) do { snprintf(err, errlen, __VA_ARGS__); rc = (code); goto fail; } while (0)

int dm_start(struct domain *d, char *err, size_t errlen)
{
    struct dm *m = &d->dm;
    struct stubdom_spec spec;
    struct xenia_dm_config cfg;
    struct xenia_dm_status st;
    int ipc[2] = { -1, -1 }, con[2] = { -1, -1 }, rc;
    char name[32];
    struct pollfd p;
    ssize_t n;

    for (int i = 0; i < 2; i++) {
        if (m->kick_fd[i] < 0)
            m->kick_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m->irq_fd[i] < 0)
            m->irq_fd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (m->kick_fd[i] < 0 || m->irq_fd[i] < 0)
            FAIL(-XENIA_ENOMEM, "eventfd: %s", strerror(errno));
    }
    if (!m->ioeventfds && (rc = register_ioeventfds(d, 1)) < 0)
        FAIL(-XENIA_EIO, "KVM_IOEVENTFD: %s", strerror(-rc));

    if (xsm_label_stubdom("dm", &d->label, stubdom_uid(STUBDOM_DM, d->domid), &m->label) < 0)
        FAIL(-XENIA_EACCES, "no security context for the device model of domain %u", d->domid);
    if (xsm_dm_serve(XSM_DM_PRIV, &m->label, &d->label) < 0 ||
        xsm_map_io(XSM_DM_PRIV, &m->label, &d->label) < 0)
        FAIL(-XENIA_EACCES, "permission denied: the device model may not serve domain %u",
             d->domid);

    if (m->generation > 0) {
        /* A restart runs the measured binary again: record it (PCR 8), or refuse. */
        uint8_t dg[32];
        if ((rc = measure_sha256_fd(stubdom_binary_fd(STUBDOM_DM), dg)) < 0 ||
            (rc = measure_event(XENIA_PCR_CODE, dg, "xenia:restart dm domid=%u generation=%u",
                                d->domid, m->generation + 1)) < 0)
            FAIL(-XENIA_EIO, "cannot measure the device model's restart (%d)", rc);
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ipc) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, con) < 0)
        FAIL(-XENIA_ENOMEM, "socketpair: %s", strerror(errno));
    fcntl(con[0], F_SETFL, O_NONBLOCK);

    memset(&spec, 0, sizeof(spec));
    snprintf(name, sizeof(name), "dm-%u", d->domid);
    spec.role = STUBDOM_DM;
    spec.name = name;
    spec.uid = stubdom_uid(STUBDOM_DM, d->domid);
    spec.fds[spec.nfds++] = d->iowin_fd;        /* XENIA_DM_FD_IOWIN */
    spec.fds[spec.nfds++] = ipc[1];             /* XENIA_DM_FD_IPC */
    spec.fds[spec.nfds++] = con[1];             /* XENIA_DM_FD_CONS */
    spec.fds[spec.nfds++] = m->kick_fd[0];      /* XENIA_DM_FD_CONS_KICK */
    spec.fds[spec.nfds++] = m->irq_fd[0];       /* XENIA_DM_FD_CONS_IRQ */
    spec.fds[spec.nfds++] = m->kick_fd[1];      /* XENIA_DM_FD_BLK_KICK */
    spec.fds[spec.nfds++] = m->irq_fd[1];       /* XENIA_DM_FD_BLK_IRQ */
    if (m->disk_fd >= 0)
        spec.fds[spec.nfds++] = m->disk_fd;     /* XENIA_DM_FD_DISK */
    rc = stubdom_spawn(&spec, &m->proc, err, errlen);
    if (rc < 0) {
        rc = -XENIA_EIO;
        goto fail;
    }
    m->running = 1;
    close_fd(&ipc[1]);
    close_fd(&con[1]);

    memset(&cfg, 0, sizeof(cfg));
    cfg.magic = XENIA_DM_MAGIC;
    cfg.version = XENIA_DM_VERSION;
    cfg.domid = d->domid;
    cfg.generation = m->generation + 1;
    cfg.iowin_bytes = d->iowin_bytes;
    cfg.disk_bytes = m->disk_fd >= 0 ? m->disk_bytes : 0;
    cfg.flags = m->disk_ro ? XENIA_DM_CFG_F_DISK_RO : 0;
    if (send(ipc[0], &cfg, sizeof(cfg), MSG_NOSIGNAL) != (ssize_t)sizeof(cfg))
        FAIL(-XENIA_EIO, "the device model did not take its configuration: %s", strerror(errno));
    p = (struct pollfd){ .fd = ipc[0], .events = POLLIN };
    if (poll(&p, 1, DM_READY_TIMEOUT_MS) <= 0)
        FAIL(-XENIA_ETIMEDOUT, "the device model was not ready within %d ms", DM_READY_TIMEOUT_MS);
    memset(&st, 0, sizeof(st));
    n = recv(ipc[0], &st, sizeof(st), MSG_TRUNC | MSG_DONTWAIT);
    if (n != (ssize_t)sizeof(st) || st.magic != XENIA_DM_MAGIC || st.version != XENIA_DM_VERSION ||
        st.pad[0] || st.pad[1])
        FAIL(-XENIA_EPROTO, "the device model sent a malformed status (%zd bytes)", n);
    if (st.state != XENIA_DM_READY || st.error != 0)
        FAIL(-XENIA_EIO, "the device model cannot serve: error %d", st.error);

    m->ipc_fd = ipc[0];
    m->ipc_hup = 0;
    m->cons_fd = con[0];
    m->generation++;
    if (d->shared) {
        __atomic_store_n(&d->shared->dm_state, 1, __ATOMIC_RELEASE);
        __atomic_store_n(&d->shared->dm_generation, m->generation, __ATOMIC_RELEASE);
        domain_raise_event(d, XENIA_PORT_CONS_RING);
        domain_raise_event(d, XENIA_PORT_BLK);
    }
    log_info("domain %u: device model pid %d generation %u (uid %u)", d->domid,
             (int)m->proc.pid, m->generation, (unsigned)m->proc.uid);
    return 0;
fail:
    if (m->running) {
        stubdom_kill(&m->proc);
        m->running = 0;
    }
    close_fd(&ipc[0]);
    close_fd(&ipc[1]);
    close_fd(&con[0]);
    close_fd(&con[1]);
    return rc;
}

static void log_refused(struct domain *d);

void dm_stop(struct domain *d)
{
    struct dm *m = &d->dm;

    log_refused(d);
    if (m->running) {
        stubdom_kill(&m->proc);
        m->running = 0;
    }
    close_fd(&m->ipc_fd);
    close_fd(&m->cons_fd);
    if (m->ioeventfds && d->vm_fd >= 0)
        register_ioeventfds(d, 0);
    m->ioeventfds = 0;
    if (d->shared)
        __atomic_store_n(&d->shared->dm_state, 0, __ATOMIC_RELEASE);
}

void dm_fini(struct domain *d)
{
    dm_stop(d);
    for (int i = 0; i < 2; i++) {
        close_fd(&d->dm.kick_fd[i]);
        close_fd(&d->dm.irq_fd[i]);
    }
    close_fd(&d->dm.disk_fd);
}

#define DM_AUDIT_WINDOW_NS 1000000000ull
#define DM_AUDIT_LINES     4u   /* per window: the dm itself sends at most ~2 */

static void log_refused(struct domain *d)
{
    struct dm *m = &d->dm;

    if (m->refused_unlogged == 0)
        return;
    log_warn("domain %u: block: refused %llu requests from the guest (range, window, length "
             "or pad; %llu so far)", d->domid, (unsigned long long)m->refused_unlogged,
             (unsigned long long)m->refused);
    m->refused_unlogged = 0;
}

/* a + b, or UINT64_MAX when it would wrap (counts from an untrusted dm). */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

void dm_ipc_readable(struct domain *d)
{
    struct dm *m = &d->dm;
    struct xenia_dm_report r;
    uint64_t now = hv_now_ns();
    ssize_t n;

    if (m->ipc_fd < 0)
        return;
    memset(&r, 0, sizeof(r));
    n = recv(m->ipc_fd, &r, sizeof(r), MSG_TRUNC | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        m->ipc_hup = 1;   /* the dm is exiting: its pidfd tells us when */
        return;
    }
    if (n != (ssize_t)sizeof(r) || r.magic != XENIA_DM_MAGIC || r.version != XENIA_DM_VERSION ||
        r.kind != XENIA_DM_REPORT_REFUSED || r.pad0 != 0 || r.count == 0) {
        log_warn("domain %u: device model (pid %d) sent a malformed %zd-byte report; killing it",
                 d->domid, (int)m->proc.pid, n);
        if (m->running && m->proc.pid > 0)
            kill(m->proc.pid, SIGKILL);   /* reaped and restarted by dm_exited */
        m->ipc_hup = 1;
        return;
    }
    m->refused = sat_add(m->refused, r.count);
    m->refused_unlogged = sat_add(m->refused_unlogged, r.count);
    if (now - m->refused_win_ns >= DM_AUDIT_WINDOW_NS) {
        m->refused_win_ns = now;
        m->refused_lines = 0;
    }
    if (m->refused_lines < DM_AUDIT_LINES) {
        m->refused_lines++;
        log_refused(d);
    }
}

void dm_exited(struct domain *d)
{
    struct dm *m = &d->dm;
    char why[64] = "", err[XENIA_ERRMSG_MAX];
    uint64_t now = hv_now_ns();

    if (!m->running)
        return;
    stubdom_reap(&m->proc, why, sizeof(why));
    m->running = 0;
    log_refused(d);
    snprintf(m->last_exit, sizeof(m->last_exit), "%s", why);
    close_fd(&m->ipc_fd);
    close_fd(&m->cons_fd);
    if (d->shared)
        __atomic_store_n(&d->shared->dm_state, 0, __ATOMIC_RELEASE);
    log_warn("domain %u: device model (pid %d) %s", d->domid, (int)m->proc.pid, why);
    console_note(&d->con, "device model %s; restarting it", why);

    if (now - m->burst_start_ns > DM_RESTART_WINDOW_NS) {
        m->burst_start_ns = now;
        m->burst = 0;
    }
    if (++m->burst > DM_RESTART_BURST) {
        m->failed = 1;
        log_err("domain %u: device model died %u times within %llu s; not restarting it",
                d->domid, m->burst, (unsigned long long)(DM_RESTART_WINDOW_NS / 1000000000ull));
        console_note(&d->con, "device model keeps dying: given up");
        return;
    }
    m->restarts++;
    if (d->vm_fd < 0 || d->iowin_fd < 0)
        return;   /* the domain is stopped; the next instance starts its own dm */
    if (dm_start(d, err, sizeof(err)) < 0) {
        log_err("domain %u: device model restart failed: %s", d->domid, err);
        console_note(&d->con, "device model restart failed: %s", err);
    }
}

void dm_console_readable(struct domain *d)
{
    char buf[4096];
    ssize_t n;

    for (int i = 0; i < 16; i++) {   /* bounded: the guest cannot starve the main loop */
        n = read(d->dm.cons_fd, buf, sizeof(buf));
        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EINTR))
                close_fd(&d->dm.cons_fd);   /* the dm closed it: its exit is handled by pidfd */
            return;
        }
        console_output(&d->con, buf, (size_t)n);
    }
}

int dm_console_input(struct domain *d)
{
    const struct xenia_cons_ring *r;
    char buf[CON_INPUT_MAX];
    uint32_t n;

    if (d->dm.cons_fd < 0 || d->iowin == NULL)
        return 0;
    r = (const struct xenia_cons_ring *)(const void *)(d->iowin + XENIA_IOWIN_CONS_OFF);
    if (__atomic_load_n(&r->frontend_state, __ATOMIC_ACQUIRE) != XENIA_DEV_CONNECTED)
        return 0;
    n = console_take_input(&d->con, buf, sizeof(buf));
    if (n && write(d->dm.cons_fd, buf, n) < 0)
        log_debug("domain %u: console input dropped: %s", d->domid, strerror(errno));
    return 1;
}
