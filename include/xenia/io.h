/* SPDX-License-Identifier: MIT */
/*
 * The I/O window: a separate memfd per domain, mapped into the guest at
 * XENIA_IOWIN_GPA (layout.h) and into that domain's device-model stub domain
 * (stubdoms/dm) only. It holds the console ring, the block request ring and the
 * block data buffers, so the device model never sees the guest's private RAM.
 * Both sides treat everything in the window as hostile: the guest may write any
 * byte at any time, and so may a compromised device model.
 *
 *   offset 0x00000  struct xenia_cons_ring   (Xen public/io/console.h layout)
 *   offset 0x01000  struct xenia_blk_sring   (Xen public/io/blkif.h style ring)
 *   offset 0x10000  data area: request buffers, [XENIA_IOWIN_DATA_OFF, window end)
 *
 * Ring protocol (Xen public/io/ring.h): producer and consumer indices are free
 * running uint32_t counters; entry i lives in slot (i % size). The producer
 * writes the entry, then (release) the index. A consumer checks that
 * prod - cons <= size before reading any entry; otherwise the ring is corrupt.
 *
 * Notifications are event channels: the guest kicks its backend with
 * `outl %eax, $XENIA_EVTCHN_NOTIFY_PORT` with eax = the port (a KVM ioeventfd:
 * it wakes the device model without an exit to hv's user space); the backend
 * answers with an event on the same port (pending bit in the shared page).
 *
 * Restart: when the device model dies, hv starts a new one and increments
 * shared->dm_generation (shared.h) and raises the device ports. The window,
 * the rings and their indices survive. The new backend resumes at rsp_prod: it
 * answers every request in [rsp_prod, req_prod) again; a frontend re-kicks its
 * ports when it sees a new generation. Requests are idempotent (read, write of
 * a whole range, flush), so a retried request is harmless.
 *
 * Reset (both rings): a backend that finds an index out of range sets its
 * backend_state to NEEDS_RESET, raises the port and ignores the ring. The
 * frontend then zeroes every index (and backend_state), sets frontend_state =
 * INITIALISING and kicks; a backend that sees INITIALISING with zero indices
 * starts again at index 0 and sets backend_state = CONNECTED (it does so for
 * a frontend that re-initialises on its own, too); the frontend sets
 * CONNECTED and resubmits what was outstanding. A backend started on a ring
 * whose backend_state is NEEDS_RESET keeps it until the frontend resets.
 * The backend keeps its own indices (rsp_prod, req_event; out_cons, in_prod)
 * privately and only reads them from the window when it starts.
 */
#ifndef XENIA_IO_H
#define XENIA_IO_H

#include "abi.h"

#define XENIA_IOWIN_BYTES      (1u << 20)     /* window size of every domain */
#define XENIA_IOWIN_CONS_OFF   0x0000u
#define XENIA_IOWIN_BLK_OFF    0x1000u
#define XENIA_IOWIN_DATA_OFF   0x10000u       /* first byte of the data area */

/* Device states, written by each side for itself (cf. Xen XenbusState). */
#define XENIA_DEV_UNKNOWN      0u  /* never initialised */
#define XENIA_DEV_INITIALISING 1u  /* frontend: setting up; backend: starting */
#define XENIA_DEV_CONNECTED    4u  /* ring in use */
#define XENIA_DEV_NEEDS_RESET  7u  /* backend: ring corrupt beyond repair; the frontend must
                                    * zero the ring, set INITIALISING then CONNECTED again */

/* ------------------------------------------------------------------------- */
/* Console ring (Xen public/io/console.h xencons_interface, plus states).    */
/* out: guest -> backend (guest produces out_prod); in: backend -> guest.    */
/* ------------------------------------------------------------------------- */
#define XENIA_CONS_IN_SIZE  1024u
#define XENIA_CONS_OUT_SIZE 2048u

struct xenia_cons_ring {
    char     in[XENIA_CONS_IN_SIZE];
    char     out[XENIA_CONS_OUT_SIZE];
    uint32_t in_cons, in_prod;           /* guest consumes, backend produces */
    uint32_t out_cons, out_prod;         /* backend consumes, guest produces */
    uint32_t frontend_state;             /* XENIA_DEV_* (guest) */
    uint32_t backend_state;              /* XENIA_DEV_* (backend) */
    uint8_t  pad[4096 - 1024 - 2048 - 24];
};
XENIA_ABI_ASSERT(sizeof(struct xenia_cons_ring) == 4096, "cons ring size");

/* ------------------------------------------------------------------------- */
/* Block ring (Xen public/io/blkif.h operations and status codes; the data   */
/* lives in the window's data area instead of granted pages).                */
/* ------------------------------------------------------------------------- */
#define XENIA_BLK_SECTOR       512u
#define XENIA_BLK_RING_SIZE    64u            /* entries; a power of two */
#define XENIA_BLK_MAX_LEN      (128u << 10)   /* largest request (bytes) */

#define XENIA_BLKOP_READ       0u   /* BLKIF_OP_READ */
#define XENIA_BLKOP_WRITE      1u   /* BLKIF_OP_WRITE: answered once pwrite reached the image */
#define XENIA_BLKOP_FLUSH      3u   /* BLKIF_OP_FLUSH_DISKCACHE: fdatasync; sector, len,
                                     * buf_off 0 */
#define XENIA_BLKOP_TEST_SYSCALL 0xf0u /* test builds of the dm only: sector = which forbidden
                                        * system call to attempt (XENIA_DM_TEST_*) */

#define XENIA_BLK_RSP_OKAY        0   /* BLKIF_RSP_OKAY */
#define XENIA_BLK_RSP_ERROR      -1   /* BLKIF_RSP_ERROR: bad sector/offset/length, I/O error */
#define XENIA_BLK_RSP_EOPNOTSUPP -2   /* BLKIF_RSP_EOPNOTSUPP: unknown operation */

#define XENIA_BLK_F_FLUSH      0x1u   /* backend supports XENIA_BLKOP_FLUSH */
#define XENIA_BLK_F_READONLY   0x2u   /* the disk is read-only: writes get RSP_ERROR */

struct xenia_blk_request {
    uint8_t  operation;       /* XENIA_BLKOP_* */
    uint8_t  pad0[3];         /* 0 */
    uint32_t len;             /* bytes, a multiple of XENIA_BLK_SECTOR, <= XENIA_BLK_MAX_LEN */
    uint64_t id;              /* echoed in the response */
    uint64_t sector;          /* first sector (512 bytes) on the disk */
    uint64_t buf_off;         /* data buffer: window offset, >= XENIA_IOWIN_DATA_OFF,
                               * buf_off + len <= window size */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_blk_request) == 32, "blk request size");

struct xenia_blk_response {
    uint64_t id;              /* the request's id */
    uint8_t  operation;       /* the request's operation */
    uint8_t  pad0[3];         /* 0 */
    int32_t  status;          /* XENIA_BLK_RSP_* */
    uint64_t pad1[2];         /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_blk_response) == 32, "blk response size");

struct xenia_blk_sring {
    uint32_t req_prod, req_event;   /* frontend produces requests (Xen sring header) */
    uint32_t rsp_prod, rsp_event;   /* backend produces responses */
    /* Device description, written by the backend at connect: */
    uint64_t sectors;               /* disk size in 512-byte sectors */
    uint32_t features;              /* XENIA_BLK_F_* */
    uint32_t backend_state;         /* XENIA_DEV_* (backend) */
    uint32_t frontend_state;        /* XENIA_DEV_* (guest) */
    uint32_t pad0;                  /* 0 */
    uint64_t requests, errors;      /* backend statistics (informational) */
    uint8_t  pad1[128 - 56];        /* 0 */
    /*
     * Requests and responses have separate slots (Xen shares one union slot
     * per index): a device model killed after writing response i but before
     * publishing rsp_prod must leave request i intact for its successor, which
     * serves [rsp_prod, req_prod) again. Request i is in req[i % size], its
     * response in rsp[i % size].
     */
    struct xenia_blk_request  req[XENIA_BLK_RING_SIZE];   /* frontend writes */
    struct xenia_blk_response rsp[XENIA_BLK_RING_SIZE];   /* backend writes */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_blk_sring) == 128 + 2 * 32 * XENIA_BLK_RING_SIZE,
                 "blk sring size");
XENIA_ABI_ASSERT(XENIA_IOWIN_BLK_OFF + sizeof(struct xenia_blk_sring) <= XENIA_IOWIN_DATA_OFF,
                 "blk sring fits below the data area");

#endif /* XENIA_IO_H */
