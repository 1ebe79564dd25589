/* SPDX-License-Identifier: MIT */
/* Command-line helpers for the two-domain guests (peer_*.c): not a test itself. */
#ifndef XENIA_TESTS_PEER_COMMON_H
#define XENIA_TESTS_PEER_COMMON_H

#include <xenia/evtchn.h>
#include <xenia/xtf.h>

/* Value of "key=" in the command line as an unsigned decimal, or @dflt. */
static inline uint64_t peer_arg(const char *key, uint64_t dflt)
{
    const char *c = xenia_cmdline();
    size_t k = strlen(key);

    for (const char *p = c; *p; p++) {
        if ((p == c || p[-1] == ' ') && strncmp(p, key, k) == 0 && p[k] == '=') {
            uint64_t v = 0;
            for (p += k + 1; *p >= '0' && *p <= '9'; p++)
                v = v * 10 + (uint64_t)(*p - '0');
            return v;
        }
    }
    return dflt;
}

/* 1 if the command line contains the word @w. */
static inline int peer_flag(const char *w)
{
    const char *c = xenia_cmdline();
    size_t n = strlen(w);

    for (const char *p = c; *p; p++)
        if ((p == c || p[-1] == ' ') && strncmp(p, w, n) == 0 && (p[n] == ' ' || p[n] == 0))
            return 1;
    return 0;
}

/* Sleep @ns of system time (blocking; events may end a block early). */
static inline void peer_sleep(uint64_t ns)
{
    uint64_t end = xenia_now_ns() + ns;

    while (xenia_now_ns() < end)
        xenia_block(end);
}

#define SEC 1000000000ull

#endif /* XENIA_TESTS_PEER_COMMON_H */
