/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for guest/include/xenia/guest.h, so that the guest frontends
 * (guest/lib/blkfront.c, consfront.c, built with -DXENIA_IOFRONT_HOST_TEST
 * and this directory ahead of guest/include) run in a host test against the
 * real device model: tests/unit/test_dm_process.c implements these with a
 * fake start-info and shared page, eventfds and poll.
 */
#ifndef XENIA_GUEST_H
#define XENIA_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xenia/abi.h>
#include <xenia/layout.h>
#include <xenia/shared.h>
#include <xenia/start_info.h>

const struct xenia_start_info *xenia_start_info(void);
volatile struct xenia_shared_page *xenia_shared(void);
uint64_t xenia_now_ns(void);
long xenia_block(uint64_t deadline_ns);   /* 0 on an event, -XENIA_ETIME */

static inline void *xenia_gva_ptr(uint64_t gva)
{
    return (void *)(uintptr_t)gva;
}

static inline int xenia_evtchn_test_and_clear(unsigned port)
{
    uint64_t bit = 1ull << (port % 64);

    return (__atomic_fetch_and(&xenia_shared()->evtchn_pending[port / 64], ~bit,
                               __ATOMIC_SEQ_CST) & bit) != 0;
}

static inline void xenia_evtchn_unmask(unsigned port)
{
    (void)port;
}

#endif /* XENIA_GUEST_H */
