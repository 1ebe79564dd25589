/* SPDX-License-Identifier: MIT */
/* Command-line helpers for the two-domain guests (peer_*.c): not a test itself. */
#ifndef XENIA_TESTS_PEER_COMMON_H
#define XENIA_TESTS_PEER_COMMON_H

#include <xenia/evtchn.h>
#include <xenia/xtf.h>

/* Command-line words (guest SDK, guest/lib/cmdline.c). */
static inline uint64_t peer_arg(const char *key, uint64_t dflt)
{
    return xenia_cmdline_num(key, dflt);
}

static inline int peer_flag(const char *w)
{
    return xenia_cmdline_flag(w);
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
