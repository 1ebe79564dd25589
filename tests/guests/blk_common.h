/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the block and console ring guest tests (blk_*.c,
 * cons_ring.c): not a test itself. These tests need a device model serving
 * the domain's I/O window and, for blk_*, a disk (see each file's header).
 */
#ifndef XENIA_TESTS_BLK_COMMON_H
#define XENIA_TESTS_BLK_COMMON_H

#include <xenia/iofront.h>
#include <xenia/xtf.h>

#define MS 1000000ull

/* Deterministic byte pattern of (tag, byte offset). */
static inline uint8_t pat_byte(uint64_t tag, uint64_t off)
{
    uint64_t x = tag * 0x9e3779b97f4a7c15ull + off * 0xbf58476d1ce4e5b9ull;

    x ^= x >> 29;
    return (uint8_t)(x ^ (x >> 17));
}

static inline void pat_fill(void *buf, size_t len, uint64_t tag)
{
    uint8_t *p = buf;

    for (size_t i = 0; i < len; i++)
        p[i] = pat_byte(tag, i);
}

/* Offset of the first byte that differs from the pattern, or -1. */
static inline long pat_check(const void *buf, size_t len, uint64_t tag)
{
    const uint8_t *p = buf;

    for (size_t i = 0; i < len; i++)
        if (p[i] != pat_byte(tag, i))
            return (long)i;
    return -1;
}

/* Value of "key=N" on the command line, or dflt. */
static inline uint64_t cmdline_num(const char *key, uint64_t dflt)
{
    const char *s = xenia_cmdline();
    size_t n = strlen(key);

    while (*s) {
        if (strncmp(s, key, n) == 0 && s[n] == '=') {
            uint64_t v = 0;
            for (s += n + 1; *s >= '0' && *s <= '9'; s++)
                v = v * 10 + (uint64_t)(*s - '0');
            return v;
        }
        while (*s && *s != ' ')
            s++;
        while (*s == ' ')
            s++;
    }
    return dflt;
}

/* blk_init, or report why not and fail the test. */
static inline int blk_test_init(void)
{
    int rc = blk_init();

    xt_check(rc == 0, "blk_init: %d (is a dm serving a disk for this domain?)", rc);
    if (rc == 0)
        printf("disk: %llu sectors (%llu MiB), features %#x, dm generation %u\n",
               (unsigned long long)blk_sectors(), (unsigned long long)(blk_sectors() >> 11),
               blk_features(), xenia_shared()->dm_generation);
    return rc;
}

static inline void blk_print_stats(const char *who)
{
    struct blk_stats s;

    blk_get_stats(&s);
    printf("%s: stats requests %llu kicks %llu blocks %llu rekicks %llu generations %llu "
           "resets %llu resubmits %llu bad_rsp %llu\n", who,
           (unsigned long long)s.requests, (unsigned long long)s.kicks,
           (unsigned long long)s.blocks, (unsigned long long)s.rekicks,
           (unsigned long long)s.generations, (unsigned long long)s.resets,
           (unsigned long long)s.resubmits, (unsigned long long)s.bad_rsp);
}

#endif /* XENIA_TESTS_BLK_COMMON_H */
