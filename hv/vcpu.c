/* SPDX-License-Identifier: MIT */
/*
 * vCPU threads: the exit loop, hypercall traps, exception reports, blocking,
 * pause/kill requests and the CPU cap (cf. xl cap: percent of one CPU).
 *
 * A hypercall costs one return from KVM_RUN: registers arrive in kvm_run's
 * sync area (KVM_CAP_SYNC_REGS, KVM API §4.x "kvm_valid_regs") and the result
 * goes back by marking them dirty, with no register ioctls.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <xenia/layout.h>

#include "domain.h"
#include "log.h"
#include "measure.h"

#define CAP_PERIOD_NS 100000000ull   /* most credit a vCPU can save: cap% of 100 ms */
#define CAP_TICK_NS    10000000ull   /* kick a capped vCPU every 10 ms */

static void sigusr1_handler(int sig)
{
    (void)sig;   /* only interrupts KVM_RUN / ppoll */
}

void vcpu_signal_init(void)
{
    struct sigaction sa;
    sigset_t set;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = sigusr1_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    /* Blocked everywhere except in vCPU threads. */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t sys_time_ns(struct domain *d)
{
    return hv_now_ns() - d->t0_ns;
}

void vcpu_kick(struct domain *d)
{
    struct vcpu *v = &d->vcpu;
    uint64_t one = 1;

    if (v->run)
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (write(v->wake_fd, &one, sizeof(one)) < 0) { /* counter cannot overflow here */ }
    if (v->thread_started)
        pthread_kill(v->thread, SIGUSR1);
}

/* Stop the domain from its own vCPU thread. */
static void stop(struct domain *d, uint32_t state, uint32_t reason)
{
    pthread_mutex_lock(&d->lock);
    d->state = state;
    d->shutdown_reason = reason;
    d->stopped_ns = hv_now_ns();
    pthread_mutex_unlock(&d->lock);
}

static void crash(struct domain *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void crash(struct domain *d, const char *fmt, ...)
{
    va_list ap;
    char why[200];

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&d->lock);
    snprintf(d->crash_info, sizeof(d->crash_info), "%s", why);
    pthread_mutex_unlock(&d->lock);
    console_note(&d->con, "domain %u crashed: %s", d->domid, why);
    log_warn("domain %u (%s) crashed: %s", d->domid, d->name, why);
    stop(d, XENIA_DOMSTATE_CRASHED, XENIA_SHUTDOWN_fault);
}

static void dump_regs(struct domain *d)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (ioctl(d->vcpu.fd, KVM_GET_REGS, &r) < 0 || ioctl(d->vcpu.fd, KVM_GET_SREGS, &s) < 0)
        return;
    console_note(&d->con, "rax %016llx rbx %016llx rcx %016llx rdx %016llx",
                 r.rax, r.rbx, r.rcx, r.rdx);
    console_note(&d->con, "rsi %016llx rdi %016llx rbp %016llx rsp %016llx",
                 r.rsi, r.rdi, r.rbp, r.rsp);
    console_note(&d->con, "r8  %016llx r9  %016llx r10 %016llx r11 %016llx",
                 r.r8, r.r9, r.r10, r.r11);
    console_note(&d->con, "r12 %016llx r13 %016llx r14 %016llx r15 %016llx",
                 r.r12, r.r13, r.r14, r.r15);
    console_note(&d->con, "rip %016llx rflags %08llx cs %04x ss %04x cr2 %016llx cr3 %016llx",
                 r.rip, r.rflags, s.cs.selector, s.ss.selector, s.cr2, s.cr3);
}

static const char *const exc_names[XENIA_EXC_VECTORS] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor overrun", "#TS invalid TSS", "#NP segment not present", "#SS stack fault",
    "#GP general protection", "#PF page fault", "reserved 15", "#MF x87 error",
    "#AC alignment check", "#MC machine check", "#XM SIMD error", "#VE virtualization",
    "#CP control protection", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "#HV", "#VC", "#SX security", "reserved 31",
};

/* Vectors whose hardware frame carries an error code (Intel SDM Vol. 3A Table 6-1). */
static int has_error_code(unsigned v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

/* The CPL0 stub for @vec reported an exception: read the frame, crash with a dump. */
static void exception(struct domain *d, unsigned vec)
{
    struct kvm_sregs s;
    uint64_t frame[6] = { 0 };
    unsigned ec = has_error_code(vec);

    if (ioctl(d->vcpu.fd, KVM_GET_SREGS, &s) < 0) {
        crash(d, "exception vector %u (cannot read registers: %s)", vec, strerror(errno));
        return;
    }
    if ((s.cs.selector & 3) != 0) {
        crash(d, "I/O to exception port 0x%x from CPL%u (only the CPL0 stubs may use it)",
              XENIA_EXC_PORT_BASE + vec, s.cs.selector & 3);
        dump_regs(d);
        return;
    }
    if (gmem_read_super(&d->hc.mem, frame, d->vcpu.run->s.regs.regs.rsp,
                        (5 + ec) * sizeof(uint64_t)) < 0) {
        crash(d, "%s: exception frame at rsp %#llx unreadable", exc_names[vec],
              (unsigned long long)d->vcpu.run->s.regs.regs.rsp);
        dump_regs(d);
        return;
    }
    if (vec == 14)
        crash(d, "%s at rip %#" PRIx64 " (cs %#" PRIx64 "), address %#llx, error %#" PRIx64,
              exc_names[vec], frame[ec], frame[ec + 1], (unsigned long long)s.cr2, frame[0]);
    else if (ec)
        crash(d, "%s at rip %#" PRIx64 " (cs %#" PRIx64 "), error %#" PRIx64,
              exc_names[vec], frame[ec], frame[ec + 1], frame[0]);
    else
        crash(d, "%s at rip %#" PRIx64 " (cs %#" PRIx64 ")", exc_names[vec], frame[0], frame[1]);
    console_note(&d->con, "frame: rip %016" PRIx64 " cs %04" PRIx64 " rflags %08" PRIx64
                 " rsp %016" PRIx64 " ss %04" PRIx64, frame[ec], frame[ec + 1],
                 frame[ec + 2], frame[ec + 3], frame[ec + 4]);
    dump_regs(d);
}

/* Park while a pause is requested; called with nothing locked. */
static void park(struct domain *d)
{
    struct vcpu *v = &d->vcpu;
    uint32_t prev;

    pthread_mutex_lock(&d->lock);
    prev = d->state;
    d->state = XENIA_DOMSTATE_PAUSED;
    v->paused_ack = 1;
    pthread_cond_broadcast(&v->cond);
    while ((__atomic_load_n(&v->req, __ATOMIC_SEQ_CST) & (VREQ_PAUSE | VREQ_KILL)) == VREQ_PAUSE)
        pthread_cond_wait(&v->cond, &d->lock);
    v->paused_ack = 0;
    if (d->state == XENIA_DOMSTATE_PAUSED)
        d->state = prev == XENIA_DOMSTATE_PAUSED ? XENIA_DOMSTATE_RUNNING : prev;
    pthread_mutex_unlock(&d->lock);
}

static void drain_wake(struct vcpu *v)
{
    uint64_t x;
    if (read(v->wake_fd, &x, sizeof(x)) < 0) { /* EAGAIN: nothing queued */ }
}

/* Sleep up to @ns (0 = forever) or until woken: by hv (wake_fd) or by the
 * device model signalling a ring port (its irq eventfds). */
static void wait_wake(struct domain *d, uint64_t ns)
{
    struct vcpu *v = &d->vcpu;
    struct pollfd p[3] = { { .fd = v->wake_fd, .events = POLLIN },
                           { .fd = d->dm.irq_fd[0], .events = POLLIN },
                           { .fd = d->dm.irq_fd[1], .events = POLLIN } };
    struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000ull),
                           .tv_nsec = (long)(ns % 1000000000ull) };
    sigset_t none;

    sigemptyset(&none);
    if (ppoll(p, 3, ns ? &ts : NULL, &none) > 0) {
        if (p[0].revents)
            drain_wake(v);
        if (p[1].revents | p[2].revents)
            dm_drain_irqs(d);
    }
}

static int events_pending(struct domain *d)
{
    struct xenia_shared_page *sp = d->shared;

    dm_drain_irqs(d);
    for (unsigned i = 0; i < XENIA_EVTCHN_WORDS; i++)
        if (__atomic_load_n(&sp->evtchn_pending[i], __ATOMIC_ACQUIRE) &
            ~__atomic_load_n(&sp->evtchn_mask[i], __ATOMIC_RELAXED))
            return 1;
    return 0;
}

void domain_raise_event(struct domain *d, uint32_t port)
{
    uint64_t one = 1;

    if (port == 0 || port >= XENIA_NR_EVENT_PORTS || d->shared == NULL)
        return;
    __atomic_fetch_or(&d->shared->evtchn_pending[port / 64], 1ull << (port % 64),
                      __ATOMIC_RELEASE);
    __atomic_store_n(&d->shared->upcall_pending, 1, __ATOMIC_RELEASE);
    if (write(d->vcpu.wake_fd, &one, sizeof(one)) < 0) { /* counter */ }
}

/* ---- CPU cap ---------------------------------------------------------------- */
/*
 * Credit scheduler in miniature (cf. Xen sched_credit's cap): the vCPU earns
 * cap% of wall time as credit and spends its CPU time; when credit goes
 * negative it sleeps until the debt is repaid. Debt carries over, so the cap
 * holds on average whatever the kick granularity (overshoot is paid back).
 */
static void cap_account(struct domain *d)
{
    struct vcpu *v = &d->vcpu;
    uint64_t now, cpu, max_credit;
    int64_t earned;

    if (d->cfg.cap == 0)
        return;
    now = hv_now_ns();
    cpu = thread_cpu_ns();
    earned = (int64_t)((now - v->cap_last_ns) * d->cfg.cap / 100u);
    v->cap_credit_ns += earned - (int64_t)(cpu - v->cap_last_cpu_ns);
    max_credit = CAP_PERIOD_NS * d->cfg.cap / 100u;
    if (v->cap_credit_ns > (int64_t)max_credit)
        v->cap_credit_ns = (int64_t)max_credit;
    v->cap_last_ns = now;
    v->cap_last_cpu_ns = cpu;
    if (v->cap_credit_ns < 0) {
        uint64_t end = now + (uint64_t)(-v->cap_credit_ns) * 100u / d->cfg.cap;

        v->nr_throttled++;
        /* The cap timer's signals interrupt the wait: sleep until the debt is repaid. */
        while (now < end && !(__atomic_load_n(&v->req, __ATOMIC_SEQ_CST) & (VREQ_KILL | VREQ_PAUSE))) {
            wait_wake(d, end - now);
            now = hv_now_ns();
        }
    }
}

static int cap_timer_start(struct domain *d)
{
    struct vcpu *v = &d->vcpu;
    struct sigevent sev;
    struct itimerspec its = { .it_interval = { 0, (long)CAP_TICK_NS },
                              .it_value = { 0, (long)CAP_TICK_NS } };

    memset(&sev, 0, sizeof(sev));
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGUSR1;
    sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
    if (timer_create(CLOCK_MONOTONIC, &sev, &v->cap_timer) < 0)
        return -errno;
    v->cap_timer_armed = 1;
    if (timer_settime(v->cap_timer, 0, &its, NULL) < 0)
        return -errno;
    v->cap_last_ns = hv_now_ns();
    v->cap_last_cpu_ns = thread_cpu_ns();
    v->cap_credit_ns = 0;
    return 0;
}

/* ---- hypercall effects ------------------------------------------------------ */
struct vctx {
    struct domain *d;
    int stopped;
};

static void op_console_write(void *ctx, const char *buf, uint32_t len)
{
    struct vctx *c = ctx;
    console_output(&c->d->con, buf, len);
}

static uint32_t op_console_read(void *ctx, char *buf, uint32_t len)
{
    struct vctx *c = ctx;
    return console_take_input(&c->d->con, buf, len);
}

static void op_yield(void *ctx)
{
    (void)ctx;
    sched_yield();
}

static int64_t op_block(void *ctx, uint64_t deadline)
{
    struct vctx *c = ctx;
    struct domain *d = c->d;
    struct vcpu *v = &d->vcpu;

    for (;;) {
        unsigned req;
        uint64_t now;

        if (events_pending(d))
            return 0;
        req = __atomic_load_n(&v->req, __ATOMIC_SEQ_CST);
        if (req & VREQ_KILL)
            return -XENIA_EINTR;
        if (req & VREQ_PAUSE) {
            park(d);
            continue;
        }
        now = sys_time_ns(d);
        if (deadline && now >= deadline)
            return -XENIA_ETIME;
        pthread_mutex_lock(&d->lock);
        d->state = XENIA_DOMSTATE_BLOCKED;
        pthread_mutex_unlock(&d->lock);
        wait_wake(d, deadline ? deadline - now : 0);
        pthread_mutex_lock(&d->lock);
        if (d->state == XENIA_DOMSTATE_BLOCKED)
            d->state = XENIA_DOMSTATE_RUNNING;
        pthread_mutex_unlock(&d->lock);
    }
}

static void op_shutdown(void *ctx, uint32_t reason)
{
    struct vctx *c = ctx;
    static const char *names[] = { "poweroff", "reboot", "suspend", "crash" };

    console_note(&c->d->con, "domain %u shut down: %s", c->d->domid, names[reason & 3]);
    log_info("domain %u (%s) shut down: %s", c->d->domid, c->d->name, names[reason & 3]);
    stop(c->d, reason == XENIA_SHUTDOWN_crash ? XENIA_DOMSTATE_CRASHED : XENIA_DOMSTATE_SHUTDOWN,
         reason);
    c->stopped = 1;
}

/* The domain's label is fixed at create; the object of hypercall hooks is hv (`xen`). */
static int op_xsm(void *ctx, enum xsm_hook h)
{
    struct vctx *c = ctx;

    if ((unsigned)h >= XSM_NHOOKS)
        return -EACCES;
    return xsm_check(h, xsm_hooks[h].dflt, &c->d->label, &c->d->hv->xen_label);
}

static int64_t op_evtchn(void *ctx, uint32_t cmd, void *arg)
{
    struct vctx *c = ctx;
    return evtchn_op(c->d, cmd, arg);
}

static int64_t op_gnttab(void *ctx, uint32_t cmd, void *arg)
{
    struct vctx *c = ctx;
    return gnttab_op(c->d, cmd, arg);
}

/*
 * attest_op: guest-initiated evidence (include/xenia/attest.h). A token bucket
 * (XENIA_ATTEST_RATE per second, burst XENIA_ATTEST_BURST) keeps one guest from
 * monopolising the TPM; the quote's qualifyingData binds the caller's domid:
 * SHA-256(XENIA_ATTEST_GUEST_TAG || domid (le32) || nonce).
 */
static int64_t op_attest(void *ctx, uint32_t cmd, const uint8_t nonce[32], uint8_t *out,
                         uint32_t cap, uint32_t *alen, uint32_t *slen)
{
    struct vctx *c = ctx;
    struct domain *d = c->d;
    const uint64_t cost = 1000000000ull / XENIA_ATTEST_RATE;
    const uint64_t full = cost * XENIA_ATTEST_BURST;
    uint64_t now = hv_now_ns();
    size_t a = 0, sl = 0, el, il;
    int rc;

    if (cmd == XENIA_ATTESTOP_ak_pub) {
        static __thread uint8_t e1[XENIA_CERT_MAX], e2[XENIA_CERT_MAX];   /* not returned */
        rc = measure_static(e1, sizeof(e1), &el, e2, sizeof(e2), &il, out, cap, &a);
        *alen = (uint32_t)a;
        *slen = 0;
        return rc;
    }
    d->att_budget_ns = d->att_last_ns == 0 ? full : d->att_budget_ns + (now - d->att_last_ns);
    if (d->att_budget_ns > full)
        d->att_budget_ns = full;
    d->att_last_ns = now;
    if (d->att_budget_ns < cost)
        return -XENIA_EAGAIN;
    d->att_budget_ns -= cost;
    {
        uint8_t msg[sizeof(XENIA_ATTEST_GUEST_TAG) - 1 + 4 + XENIA_NONCE_LEN], qd[32];
        uint32_t le = d->domid;   /* x86-64: little-endian */
        memcpy(msg, XENIA_ATTEST_GUEST_TAG, sizeof(XENIA_ATTEST_GUEST_TAG) - 1);
        memcpy(msg + sizeof(XENIA_ATTEST_GUEST_TAG) - 1, &le, 4);
        memcpy(msg + sizeof(XENIA_ATTEST_GUEST_TAG) - 1 + 4, nonce, XENIA_NONCE_LEN);
        measure_sha256(msg, sizeof(msg), qd);
        if (cap < 2 * 512)
            return -XENIA_E2BIG;
        rc = measure_quote(qd, sizeof(qd), out, cap / 2, &a, out + cap / 2, cap - cap / 2, &sl,
                           NULL, NULL);
        if (rc < 0)
            return rc;
        memmove(out + a, out + cap / 2, sl);
    }
    *alen = (uint32_t)a;
    *slen = (uint32_t)sl;
    return 0;
}

static const struct hc_ops vcpu_hc_ops = {
    .evtchn = op_evtchn,
    .attest = op_attest,
    .gnttab = op_gnttab,
    .xsm = op_xsm,
    .console_write = op_console_write,
    .console_read = op_console_read,
    .yield = op_yield,
    .block = op_block,
    .shutdown = op_shutdown,
};

/* ---- exit handling ---------------------------------------------------------- */
/* Returns 1 when the domain has stopped. */
static int handle_io(struct domain *d, struct vctx *c)
{
    struct kvm_run *run = d->vcpu.run;
    struct kvm_regs *r = &run->s.regs.regs;
    unsigned port = run->io.port;

    if (port == XENIA_HCALL_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
        run->io.size == 1 && run->io.count == 1) {
        struct hc_regs hr = { r->rax, r->rdi, r->rsi, r->rdx, r->r10, r->r8 };
        int64_t rc;

        if (d->vcpu.nr_hypercalls++ == 0)
            d->first_hcall_ns = hv_now_ns();
        rc = hc_dispatch(&d->hc, &hr);
        if (c->stopped)
            return 1;
        r->rax = (uint64_t)rc;
        run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        return 0;
    }
    if (port == XENIA_EVTCHN_NOTIFY_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
        run->io.size == 4 && run->io.count == 1) {
        uint32_t evport;
        /* A kick no ioeventfd caught: an interdomain port, or a ring port while the
         * dm is down. Same as EVTCHNOP_send; errors are the guest's own business. */
        memcpy(&evport, (uint8_t *)run + run->io.data_offset, sizeof(evport));
        evtchn_notify(d, evport);
        return 0;
    }
    if (port >= XENIA_EXC_PORT_BASE && port < XENIA_EXC_PORT_BASE + XENIA_EXC_VECTORS &&
        run->io.direction == KVM_EXIT_IO_OUT) {
        exception(d, port - XENIA_EXC_PORT_BASE);
        return 1;
    }
    crash(d, "%s of %u byte(s) at I/O port %#x (only port %#x, the hypercall port, is allowed)",
          run->io.direction == KVM_EXIT_IO_OUT ? "write" : "read", run->io.size, port,
          XENIA_HCALL_PORT);
    dump_regs(d);
    return 1;
}

static int handle_exit(struct domain *d, struct vctx *c)
{
    struct kvm_run *run = d->vcpu.run;

    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        return handle_io(d, c);
    case KVM_EXIT_MMIO:
        crash(d, "%s of %u bytes at guest-physical %#llx, which is neither RAM nor I/O window",
              run->mmio.is_write ? "write" : "read", run->mmio.len,
              (unsigned long long)run->mmio.phys_addr);
        break;
    case KVM_EXIT_HLT:
        crash(d, "hlt executed at CPL0 outside an exception stub");
        break;
    case KVM_EXIT_SHUTDOWN:
        crash(d, "triple fault");
        break;
    case KVM_EXIT_FAIL_ENTRY:
        crash(d, "VM entry failed (hardware reason %#llx)",
              (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR:
        crash(d, "KVM internal error (suberror %u): instruction could not be emulated",
              run->internal.suberror);
        break;
    default:
        crash(d, "unexpected KVM exit reason %u", run->exit_reason);
        break;
    }
    dump_regs(d);
    return 1;
}

static void *vcpu_thread(void *arg)
{
    struct domain *d = arg;
    struct vcpu *v = &d->vcpu;
    struct vctx c = { .d = d, .stopped = 0 };
    sigset_t set;
    char tname[16];

    snprintf(tname, sizeof(tname), "vcpu-d%u", d->domid);
    pthread_setname_np(pthread_self(), tname);
    d->hc.ops = &vcpu_hc_ops;
    d->hc.ctx = &c;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    if (d->cfg.cap && cap_timer_start(d) < 0)
        log_warn("domain %u: cannot start cap timer: %s", d->domid, strerror(errno));

    for (;;) {
        unsigned req = __atomic_load_n(&v->req, __ATOMIC_SEQ_CST);
        int rc;

        if (req & VREQ_KILL)
            break;
        if (req & VREQ_PAUSE) {
            park(d);
            continue;
        }
        rc = ioctl(v->fd, KVM_RUN, 0);
        v->nr_exits++;
        if (rc < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
                cap_account(d);
                continue;
            }
            crash(d, "KVM_RUN failed: %s", strerror(errno));
            break;
        }
        if (handle_exit(d, &c))
            break;
        cap_account(d);
    }
    if (v->cap_timer_armed) {
        timer_delete(v->cap_timer);
        v->cap_timer_armed = 0;
    }
    pthread_mutex_lock(&d->lock);
    d->cpu_done_ns += thread_cpu_ns();
    v->cpu_final = 1;
    if (!(__atomic_load_n(&v->req, __ATOMIC_SEQ_CST) & VREQ_KILL)) {
        uint64_t one = 1;
        d->needs_reap = 1;
        if (write(d->hv->reap_fd, &one, sizeof(one)) < 0) { /* counter */ }
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

int vcpu_start(struct domain *d)
{
    pthread_attr_t attr;
    int rc;

    d->vcpu.cpu_final = 0;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    rc = pthread_create(&d->vcpu.thread, &attr, vcpu_thread, d);
    pthread_attr_destroy(&attr);
    if (rc != 0)
        return -rc;
    d->vcpu.thread_started = 1;
    return 0;
}
