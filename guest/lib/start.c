/* SPDX-License-Identifier: MIT */
/* Guest start-up, scheduling, time and shutdown (hypercall.h, shared.h, start_info.h). */
#include <xenia/guest.h>

static const struct xenia_start_info *g_start_info;

const struct xenia_start_info *xenia_start_info(void)
{
    return g_start_info;
}

volatile struct xenia_shared_page *xenia_shared(void)
{
    return (volatile struct xenia_shared_page *)(uintptr_t)XENIA_SHARED_PAGE_GPA;
}

const char *xenia_cmdline(void)
{
    return g_start_info != NULL ? g_start_info->cmdline : "";
}

void xenia_c_start(const struct xenia_start_info *si)
{
    int rc;

    g_start_info = si;
    if (memcmp(si->magic, XENIA_START_INFO_MAGIC, sizeof(si->magic)) != 0 ||
        si->version != XENIA_START_INFO_VERSION)
        xenia_panic("start-info page at %p has a bad magic or version %u", (const void *)si,
                    si->version);
    if (si->heap_end > si->heap_start)
        xenia_heap_init((void *)(uintptr_t)si->heap_start,
                        (size_t)(si->heap_end - si->heap_start));
    rc = main();
    xenia_shutdown(rc == 0 ? XENIA_SHUTDOWN_poweroff : XENIA_SHUTDOWN_crash);
}

long xenia_yield(void)
{
    return xenia_sched_op(XENIA_SCHEDOP_yield, 0);
}

long xenia_block(uint64_t deadline_ns)
{
    struct xenia_sched_block b = { .deadline_ns = deadline_ns, .flags = 0, .pad = 0 };

    return xenia_sched_op(XENIA_SCHEDOP_block, XENIA_GVA(&b));
}

/* rdtsc ordered after earlier loads (lfence; AMD needs lfence to be
 * dispatch-serialising, which Linux arranges at boot: treat as best effort). */
static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

uint64_t xenia_now_ns(void)
{
    volatile struct xenia_vcpu_time *t = &xenia_shared()->time;
    uint32_t version, mul;
    uint64_t tsc_ts, sys, tsc, delta;
    int8_t shift;

    do {
        version = t->version;
        __asm__ volatile("" ::: "memory");
        tsc_ts = t->tsc_timestamp;
        sys = t->system_time_ns;
        mul = t->tsc_to_system_mul;
        shift = t->tsc_shift;
        tsc = rdtsc_ordered();
        __asm__ volatile("" ::: "memory");
    } while ((version & 1) != 0 || version != t->version);

    delta = tsc > tsc_ts ? tsc - tsc_ts : 0;
    if (shift < 0)
        delta >>= -shift;
    else
        delta <<= shift;
    return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

long xenia_shutdown_op(uint32_t reason)
{
    struct xenia_sched_shutdown s = { .reason = reason, .pad = 0 };

    return xenia_sched_op(XENIA_SCHEDOP_shutdown, XENIA_GVA(&s));
}

void xenia_shutdown(uint32_t reason)
{
    xenia_console_flush();
    (void)xenia_shutdown_op(reason);
    (void)xenia_shutdown_op(XENIA_SHUTDOWN_crash);
    for (;;)
        __asm__ volatile("ud2");
}

void xenia_panic(const char *fmt, ...)
{
    va_list ap;

    printf("PANIC: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    xenia_shutdown(XENIA_SHUTDOWN_crash);
}
