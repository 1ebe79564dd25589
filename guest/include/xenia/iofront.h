/* SPDX-License-Identifier: MIT */
/*
 * Xenia PV guest SDK: frontends of the devices in the I/O window
 * (include/xenia/io.h), served by the domain's device-model stub domain.
 *
 *   console ring  consfront.c: cons_init, cons_write, cons_read, cons_read_wait
 *   block ring    blkfront.c:  blk_init, blk_read, blk_write, blk_flush,
 *                              blk_rw_many (several requests in flight), and a
 *                              raw interface for hostile tests
 *
 * Waiting: the frontends unmask their port, clear its pending bit, check the
 * ring, arm the ring's event index and SCHEDOP_block with a deadline (any
 * other unmasked pending port also ends the block; the loop then just checks
 * again). When a wait times out or shared->dm_generation changed (a new
 * device model, io.h "Restart"), they kick the port again; when the backend
 * reports NEEDS_RESET they reset the ring (io.h "Reset") and resubmit what
 * was outstanding. Every wait is bounded by a timeout (blk_set_timeout).
 */
#ifndef XENIA_IOFRONT_H
#define XENIA_IOFRONT_H

#include <xenia/guest.h>
#include <xenia/io.h>

/*
 * Send an event on `port` (layout.h): `outl %eax, $XENIA_EVTCHN_NOTIFY_PORT`
 * with eax = port. For a port served by a stub domain this is a KVM ioeventfd
 * that wakes the device model without an exit to hv's user space.
 */
#ifdef XENIA_IOFRONT_HOST_TEST
/* Host builds of the frontends (tests/unit/test_dm_process.c) provide it. */
void xenia_evtchn_notify(uint32_t port);
#else
static inline void xenia_evtchn_notify(uint32_t port)
{
    __asm__ volatile("outl %%eax, %[p]" : : "a"(port), [p] "N"(XENIA_EVTCHN_NOTIFY_PORT)
                     : "memory");
}
#endif

/* ------------------------------------------------------------------------- */
/* Console ring (consfront.c)                                                 */
/* ------------------------------------------------------------------------- */

/*
 * cons_init - find the console ring (start-info iowin_gpa, cons_ring_port),
 * unmask the port and, if the backend reported NEEDS_RESET, reset the ring.
 * Returns 0, -XENIA_ENOENT (no I/O window or port) or -XENIA_ETIMEDOUT.
 */
int cons_init(void);

/*
 * cons_write - copy len bytes into out[], kicking the backend after each
 * chunk and waiting (bounded) for room when the ring is full. Returns len or
 * -XENIA_ETIMEDOUT (some bytes may have been written), -XENIA_ENOENT.
 */
long cons_write(const void *buf, size_t len);

/* cons_read - take up to len bytes of pending input from in[] without
 * waiting; kicks the backend when it consumed anything. Returns the count. */
long cons_read(void *buf, size_t len);

/* cons_read_wait - like cons_read, but waits until some input arrives or the
 * absolute deadline (xenia_now_ns clock) passes (returns 0 then). */
long cons_read_wait(void *buf, size_t len, uint64_t deadline_ns);

/* ------------------------------------------------------------------------- */
/* Block ring (blkfront.c)                                                    */
/* ------------------------------------------------------------------------- */

/* One request for blk_rw_many. buf points into the window's data area
 * (blk_buf_alloc); status is filled with XENIA_BLK_RSP_*. */
struct blk_io {
    uint8_t  op;          /* XENIA_BLKOP_READ, _WRITE or _FLUSH */
    uint32_t len;         /* bytes (0 for flush) */
    uint64_t sector;
    void    *buf;
    int32_t  status;      /* OUT */
};

struct blk_stats {
    uint64_t requests;    /* submitted (resubmissions not counted) */
    uint64_t kicks;       /* notifications sent */
    uint64_t blocks;      /* SCHEDOP_block calls while waiting */
    uint64_t rekicks;     /* kicks after a wait slice timed out */
    uint64_t generations; /* dm_generation changes seen */
    uint64_t resets;      /* ring resets (NEEDS_RESET or bad backend output) */
    uint64_t resubmits;   /* requests resubmitted after a reset */
    uint64_t bad_rsp;     /* responses whose id did not match */
};

/*
 * blk_init - connect to the block ring: reset it to a clean state (io.h
 * reset handshake, which also waits for a device model that is still
 * starting), read the disk size and features. Returns 0, -XENIA_ENOENT (no
 * window, no port, or no disk) or -XENIA_ETIMEDOUT.
 */
int blk_init(void);

uint64_t blk_sectors(void);     /* disk size in XENIA_BLK_SECTOR units (after blk_init) */
uint32_t blk_features(void);    /* XENIA_BLK_F_* */

/* Overall bound of one wait for responses (default 30 s); 0 restores it.
 * Set before blk_init, it also bounds blk_init's wait for the backend. */
void blk_set_timeout(uint64_t ns);

/*
 * blk_read / blk_write - synchronous I/O of len bytes (a multiple of
 * XENIA_BLK_SECTOR, any size: split into XENIA_BLK_MAX_LEN requests) between
 * the disk at `sector` and buf (any guest memory; copied through a bounce
 * buffer in the window). Return 0, -XENIA_EINVAL (bad len), -XENIA_EIO (the
 * backend answered an error: range, read-only, I/O), -XENIA_EOPNOTSUPP or
 * -XENIA_ETIMEDOUT.
 */
int blk_read(uint64_t sector, void *buf, size_t len);
int blk_write(uint64_t sector, const void *buf, size_t len);

/* blk_flush - XENIA_BLKOP_FLUSH (fdatasync on the host). 0 or as above. */
int blk_flush(void);

/*
 * blk_rw_many - submit n requests keeping up to `depth` (<= ring size) in
 * flight, wait for all; fills each status. Returns 0 if all were OKAY, else
 * -XENIA_EIO (some failed: see the statuses) or -XENIA_ETIMEDOUT.
 */
int blk_rw_many(struct blk_io *ios, unsigned n, unsigned depth);

/* Data buffers in the window's data area (past the bounce buffer), 4 KiB
 * aligned; NULL when it is exhausted. blk_buf_free_all releases them all. */
void *blk_buf_alloc(size_t len);
void blk_buf_free_all(void);

/* ------------------------------------------------------------------------- */
/* Raw access for tests: requests exactly as given (any buf_off, pads, ops). */
/* ------------------------------------------------------------------------- */
struct xenia_blk_sring *blk_sring(void);   /* the shared ring itself */
uint8_t *blk_window(void);                 /* the window (buf_off 0) */

/* Queue one request (its id as given) and push it; -XENIA_EAGAIN when a
 * ring's worth is outstanding. */
int blk_submit_raw(const struct xenia_blk_request *req);

/* Wait for the next response and copy it out. 0 or -XENIA_ETIMEDOUT. */
int blk_wait_raw(struct xenia_blk_response *rsp);

/* Number of requests submitted and not yet answered. */
unsigned blk_outstanding(void);

/* Reset the ring (io.h reset handshake) and resubmit what was outstanding.
 * 0 or -XENIA_ETIMEDOUT. */
int blk_reset(void);

/* Reset the ring and drop what was outstanding. 0 or -XENIA_ETIMEDOUT. */
int blk_reset_drop(void);

void blk_get_stats(struct blk_stats *out);

#endif /* XENIA_IOFRONT_H */
