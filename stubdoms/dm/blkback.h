/* SPDX-License-Identifier: MIT */
/*
 * Block backend of the device-model stub domain (pure: no system calls).
 *
 * Serves the block ring of one guest's I/O window (include/xenia/io.h) with
 * Xen blkback semantics (public/io/blkif.h operations and status codes,
 * public/io/ring.h indices and event suppression). The disk is reached only
 * through a small ops table, so the same code runs under the dm's system-call
 * shell (stubdoms/dm/main.c), the unit tests and the fuzzer.
 *
 * Everything in the window is guest-controlled and may change at any moment:
 *  - req_prod is read once per pass (acquire) and checked against the
 *    backend's private response index before any entry is read;
 *  - each request is copied to a local struct, then validated, then used
 *    (no double fetch);
 *  - the backend's own indices (rsp_prod, req_event) are kept privately and
 *    read from the window only once, when the backend starts (restart);
 *  - at most XENIA_BLK_RING_SIZE requests are served per call.
 */
#ifndef XENIA_DM_BLKBACK_H
#define XENIA_DM_BLKBACK_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/io.h>

/*
 * Disk access. Offsets and lengths are in bytes, already validated to lie
 * inside the disk; buffers lie inside the window's data area. Each returns 0
 * when the whole length was transferred (or the flush reached stable
 * storage), else a negative XENIA_E* value (the request is answered
 * XENIA_BLK_RSP_ERROR). notify raises the guest's block port; it may be NULL.
 */
struct blkback_ops {
    int (*read)(void *ctx, uint64_t off, void *buf, uint32_t len);
    int (*write)(void *ctx, uint64_t off, const void *buf, uint32_t len);
    int (*flush)(void *ctx);
    void (*notify)(void *ctx);
#ifdef XENIA_DM_TEST_HOOKS
    /* Test builds of the dm only: attempt forbidden call `which`
     * (XENIA_DM_TEST_*); 0 if it was refused with an errno, else negative. */
    int (*test_syscall)(void *ctx, uint64_t which);
#endif
};

struct blkback {
    struct xenia_blk_sring *sr;   /* in the window */
    uint8_t *win;                 /* the whole window */
    size_t win_bytes;
    uint64_t sectors;             /* disk size in XENIA_BLK_SECTOR units */
    uint32_t features;            /* XENIA_BLK_F_* */
    const struct blkback_ops *ops;
    void *ctx;
    uint32_t state;               /* XENIA_DEV_CONNECTED or XENIA_DEV_NEEDS_RESET */
    uint32_t req_cons;            /* next request to serve (== rsp_prod_pvt) */
    uint32_t rsp_prod_pvt;        /* responses written */
    uint32_t rsp_pushed;          /* last rsp_prod published */
    uint64_t requests, errors;    /* statistics, mirrored into the ring */
    uint64_t resets;              /* times the ring was found corrupt */
};

/* blkback_run() result bits. */
#define BLKBACK_MORE  0x1u   /* the per-call budget ran out with requests left:
                              * call again (after serving other event sources) */
#define BLKBACK_RESET 0x2u   /* the backend is in NEEDS_RESET (ignoring the ring) */

/*
 * blkback_init - connect to the block ring at win + XENIA_IOWIN_BLK_OFF.
 * @win, @win_bytes: the window (win_bytes >= XENIA_IOWIN_DATA_OFF, win 8-byte
 * aligned); @disk_bytes: disk size, a multiple of XENIA_BLK_SECTOR; @features:
 * XENIA_BLK_F_*; @ops: read, write and flush must be set.
 * Resumes a ring left by a previous backend (restart): starts serving at the
 * ring's rsp_prod if req_prod - rsp_prod <= XENIA_BLK_RING_SIZE, else (or if
 * the ring's backend_state is already NEEDS_RESET) enters NEEDS_RESET. Writes
 * sectors, features, req_event and backend_state.
 * Returns 0 or -XENIA_EINVAL for bad arguments (nothing written).
 */
int blkback_init(struct blkback *b, uint8_t *win, size_t win_bytes, uint64_t disk_bytes,
                 uint32_t features, const struct blkback_ops *ops, void *ctx)
    __attribute__((warn_unused_result));

/*
 * blkback_run - serve requests in [req_cons, req_prod): at most
 * XENIA_BLK_RING_SIZE per call. Answers each with OKAY, ERROR (bad pad,
 * length, sector range, buffer, read-only disk, I/O error) or EOPNOTSUPP
 * (unknown operation), publishes rsp_prod after each response (release) and
 * calls ops->notify when the guest asked for it (RING_PUSH_RESPONSES_AND_-
 * CHECK_NOTIFY); re-arms req_event before returning idle
 * (RING_FINAL_CHECK_FOR_REQUESTS). A req_prod more than a ring ahead of the
 * responses sets NEEDS_RESET (and notifies). In NEEDS_RESET, or while the
 * frontend is INITIALISING, the ring is left alone until the frontend has
 * zeroed its indices; then the backend reconnects at index 0.
 * Returns BLKBACK_* bits.
 */
unsigned blkback_run(struct blkback *b);

#endif /* XENIA_DM_BLKBACK_H */
