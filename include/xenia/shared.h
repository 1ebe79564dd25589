/* SPDX-License-Identifier: MIT */
/*
 * Shared page: one page per domain at XENIA_SHARED_PAGE_GPA, written by hv and
 * the guest concurrently (cf. Xen public/xen.h shared_info and vcpu_time_info).
 *
 * Events: hv sets bit P of evtchn_pending with an atomic OR, then sets
 * upcall_pending. The guest clears bits it has handled with atomic AND (x86
 * `lock btr`). A set bit in evtchn_mask keeps the port from waking SCHEDOP_block.
 *
 * Device model: dm_generation and dm_state tell frontends about restarts (io.h).
 *
 * Time (pvclock): system time is nanoseconds since the domain was built, on a
 * monotonic clock. Read with the version protocol: read version (retry while
 * odd), read fields, re-read version (retry if changed); then
 *   now_ns = system_time_ns + (((rdtsc() - tsc_timestamp) * tsc_to_system_mul) >> 32)
 * after shifting the TSC delta left by tsc_shift (right if negative), exactly as
 * Xen's pvclock (Linux arch/x86/include/asm/pvclock.h).
 */
#ifndef XENIA_SHARED_H
#define XENIA_SHARED_H

#include "abi.h"

#define XENIA_SHARED_MAGIC   0x5853484du   /* "XSHM" */
#define XENIA_SHARED_VERSION 2u
#define XENIA_NR_EVENT_PORTS 4096u
#define XENIA_EVTCHN_WORDS   (XENIA_NR_EVENT_PORTS / 64u)

struct xenia_vcpu_time {
    uint32_t version;           /* seqlock: odd while hv updates */
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* guest TSC at system_time_ns */
    uint64_t system_time_ns;    /* ns since domain build */
    uint32_t tsc_to_system_mul; /* 32.32 fixed point multiplier */
    int8_t   tsc_shift;
    uint8_t  pad1[3];
    uint64_t wc_sec;            /* wall clock (UTC) at system time 0: seconds */
    uint32_t wc_nsec;           /*   and nanoseconds */
    uint32_t pad2;
};
XENIA_ABI_ASSERT(sizeof(struct xenia_vcpu_time) == 48, "vcpu_time size");

struct xenia_shared_page {
    uint32_t magic;             /* XENIA_SHARED_MAGIC (hv) */
    uint32_t version;           /* XENIA_SHARED_VERSION (hv) */
    uint32_t upcall_pending;    /* hv sets 1 with any pending bit; guest clears */
    uint32_t shutdown_request;  /* hv: 0 none, else XENIA_SHUTDOWN_* + 1 requested */
    uint64_t evtchn_pending[XENIA_EVTCHN_WORDS]; /* hv sets, guest clears */
    uint64_t evtchn_mask[XENIA_EVTCHN_WORDS];    /* guest owned */
    struct xenia_vcpu_time time;                 /* hv (vCPU 0) */
    uint32_t dm_generation;   /* hv: +1 each time a device model (re)starts; a frontend
                               * that sees it change re-kicks its ports (io.h) */
    uint32_t dm_state;        /* hv: 1 while a device model serves the window, else 0 */
    uint8_t  pad[4096 - 16 - 2 * 8 * 64 - 48 - 8];   /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_shared_page) == 4096, "shared page size");

#endif /* XENIA_SHARED_H */
