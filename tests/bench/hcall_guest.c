/* SPDX-License-Identifier: MIT */
/*
 * Benchmark guest: round trip of the null hypercall, xen_version(XENVER_version),
 * timed by the guest itself with lfence;rdtsc around each call, exactly as
 * bare_exit's cpl3-guest mode times a bare `out` (so the two are comparable).
 *
 * Command line: "n=COUNT" (default 20000). After 1/10 of COUNT warm-up calls it
 * times COUNT calls, converts cycles to ns with the shared page's pvclock
 * tsc_to_system_mul / tsc_shift (shared.h), prints one parseable line
 *   BENCH hcall n=... min_ns=... med_ns=... mean_ns=... p90_ns=... ...
 * and powers off. A wrong return value crashes the domain (PANIC line).
 */
#include <xenia/guest.h>

static inline uint64_t rdtsc_lf(void)
{
    uint32_t lo, hi;

    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

/* Heapsort: no qsort in the guest runtime. */
static void sift(uint64_t *a, size_t i, size_t n)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && a[l] > a[m])
            m = l;
        if (l + 1 < n && a[l + 1] > a[m])
            m = l + 1;
        if (m == i)
            return;
        uint64_t t = a[i];
        a[i] = a[m];
        a[m] = t;
        i = m;
    }
}

static void sort_u64(uint64_t *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(a, i, n);
    for (size_t e = n; e-- > 1;) {
        uint64_t t = a[0];
        a[0] = a[e];
        a[e] = t;
        sift(a, 0, e);
    }
}

static uint32_t g_mul;
static int8_t g_shift;

/* pvclock scaling of a TSC delta to ns (shared.h). */
static uint64_t cyc_to_ns(uint64_t d)
{
    if (g_shift < 0)
        d >>= -g_shift;
    else
        d <<= g_shift;
    return (uint64_t)(((unsigned __int128)d * g_mul) >> 32);
}

static uint64_t parse_n(const char *s)
{
    uint64_t n = 0;

    for (; *s; s++) {
        if ((s == xenia_cmdline() || s[-1] == ' ') && strncmp(s, "n=", 2) == 0) {
            for (s += 2; *s >= '0' && *s <= '9'; s++)
                n = n * 10 + (uint64_t)(*s - '0');
            break;
        }
    }
    return n ? n : 20000;
}

int main(void)
{
    volatile struct xenia_shared_page *sp = xenia_shared();
    uint64_t n = parse_n(xenia_cmdline()), warm = n / 10 + 10, *d, sum = 0, t_all0, t_all1;
    long rc;

    g_mul = sp->time.tsc_to_system_mul;
    g_shift = sp->time.tsc_shift;
    d = malloc(n * sizeof(*d));
    if (d == NULL)
        xenia_panic("cannot allocate %llu samples", (unsigned long long)n);
    for (uint64_t i = 0; i < warm; i++)
        if ((rc = xenia_xen_version(XENIA_XENVER_version, 0)) != XENIA_INTERFACE_VERSION)
            xenia_panic("xen_version returned %ld", rc);
    t_all0 = rdtsc_lf();
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t0 = rdtsc_lf();
        rc = xenia_xen_version(XENIA_XENVER_version, 0);
        uint64_t t1 = rdtsc_lf();
        if (rc != XENIA_INTERFACE_VERSION)
            xenia_panic("xen_version returned %ld", rc);
        d[i] = t1 - t0;
    }
    t_all1 = rdtsc_lf();
    for (uint64_t i = 0; i < n; i++)
        sum += d[i];
    sort_u64(d, n);
    printf("BENCH hcall n=%llu min_ns=%llu med_ns=%llu mean_ns=%llu p90_ns=%llu "
           "loop_mean_ns=%llu min_cyc=%llu med_cyc=%llu tsc_mul=%u tsc_shift=%d\n",
           (unsigned long long)n, (unsigned long long)cyc_to_ns(d[0]),
           (unsigned long long)cyc_to_ns(d[n / 2]), (unsigned long long)cyc_to_ns(sum / n),
           (unsigned long long)cyc_to_ns(d[n * 9 / 10]),
           (unsigned long long)cyc_to_ns((t_all1 - t_all0) / n), (unsigned long long)d[0],
           (unsigned long long)d[n / 2], g_mul, g_shift);
    free(d);
    return 0;
}
