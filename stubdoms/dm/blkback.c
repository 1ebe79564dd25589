/* SPDX-License-Identifier: MIT */
/*
 * Block backend (blkback.h): Xen public/io/blkif.h semantics over the ring
 * of include/xenia/io.h, with public/io/ring.h indices and event suppression.
 * Pure C: no system calls; the disk and the notification are ops callbacks.
 */
#include <string.h>

#include "blkback.h"
#include "ring_access.h"

#define RING_MASK (XENIA_BLK_RING_SIZE - 1u)
/* Passes of blkback_run that served nothing although the final check saw a
 * new request: bounds the loop when the guest moves req_prod back and forth. */
#define MAX_EMPTY_PASSES 4u

_Static_assert((XENIA_BLK_RING_SIZE & RING_MASK) == 0, "ring size is a power of two");

/* load_acquire, load_once, store_release: ring_access.h. */

/*@ requires \valid(p);
  @ assigns *p;
  @ ensures *p == v;
  @*/
static inline void store_once(uint32_t *p, uint32_t v)
{
#ifdef __FRAMAC__
    *p = v;
#else
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
#endif
}

/*@ assigns \nothing; */
static inline void full_barrier(void)
{
#ifndef __FRAMAC__
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/*@ // The backend, its ring and the window's data area (proofs/rings). The data
  @ // area lies past the ring (io.h layout); the disk has at most 2^64 bytes.
  @ predicate blk_mem(struct blkback *b) =
  @   \valid(b) && \valid(b->sr) && \valid_read(b->ops) &&
  @   \separated(b, b->sr, b->ops) && \separated(b->sr, b->ops) &&
  @   XENIA_IOWIN_DATA_OFF <= b->win_bytes &&
  @   \valid(b->win + (XENIA_IOWIN_DATA_OFF .. b->win_bytes - 1)) &&
  @   \separated(b->win + (XENIA_IOWIN_DATA_OFF .. b->win_bytes - 1), b, b->sr, b->ops) &&
  @   b->sectors * XENIA_BLK_SECTOR <= 0xffffffffffffffff;
  @ // ... between two requests
  @ predicate blk_ok(struct blkback *b) =
  @   blk_mem(b) &&
  @   (b->state == XENIA_DEV_CONNECTED || b->state == XENIA_DEV_NEEDS_RESET) &&
  @   b->req_cons == b->rsp_prod_pvt;
  @*/

/* The callbacks (blkback_ops) are outside the proof: their contracts say what
 * the callers must pass (a range inside the disk, a buffer inside the data
 * area) and assume that a callback touches nothing of the backend or ring. */
/*@ requires blk_mem(b);
  @ assigns \nothing;
  @*/
static void notify(struct blkback *b)
{
    if (b->ops->notify != NULL)
        b->ops->notify(b->ctx);
}

/*@ requires blk_mem(b);
  @ requires disk: off + len <= b->sectors * XENIA_BLK_SECTOR;
  @ requires window: XENIA_IOWIN_DATA_OFF <= buf_off && buf_off + len <= b->win_bytes;
  @ assigns b->win[buf_off .. buf_off + len - 1];
  @*/
static int disk_read(struct blkback *b, uint64_t off, uint64_t buf_off, uint32_t len)
{
    return b->ops->read(b->ctx, off, b->win + buf_off, len);
}

/*@ requires blk_mem(b);
  @ requires disk: off + len <= b->sectors * XENIA_BLK_SECTOR;
  @ requires window: XENIA_IOWIN_DATA_OFF <= buf_off && buf_off + len <= b->win_bytes;
  @ assigns \nothing;
  @*/
static int disk_write(struct blkback *b, uint64_t off, uint64_t buf_off, uint32_t len)
{
    return b->ops->write(b->ctx, off, b->win + buf_off, len);
}

/*@ requires blk_mem(b);
  @ assigns \nothing;
  @*/
static int disk_flush(struct blkback *b)
{
    return b->ops->flush(b->ctx);
}

/* Enter NEEDS_RESET: stop serving until the frontend re-initialises (io.h). */
/*@ requires blk_ok(b);
  @ assigns b->resets, b->state, b->sr->backend_state;
  @ ensures blk_ok(b) && b->state == XENIA_DEV_NEEDS_RESET;
  @ ensures b->sr->backend_state == XENIA_DEV_NEEDS_RESET;
  @*/
static void enter_reset(struct blkback *b)
{
    if (b->state != XENIA_DEV_NEEDS_RESET)
        b->resets++;
    b->state = XENIA_DEV_NEEDS_RESET;
    store_release(&b->sr->backend_state, XENIA_DEV_NEEDS_RESET);
    notify(b);
}

/* Serve from index `start` (the ring's indices agree with it). */
/*@ requires blk_ok(b);
  @ assigns b->req_cons, b->rsp_prod_pvt, b->rsp_pushed, b->state, b->sr->sectors,
  @         b->sr->features, b->sr->req_event, b->sr->backend_state;
  @ ensures blk_ok(b) && b->state == XENIA_DEV_CONNECTED;
  @ ensures b->req_cons == start && b->rsp_prod_pvt == start && b->rsp_pushed == start;
  @ ensures b->sr->req_event == (uint32_t)(start + 1);
  @ ensures b->sr->backend_state == XENIA_DEV_CONNECTED;
  @*/
static void connect_at(struct blkback *b, uint32_t start)
{
    struct xenia_blk_sring *sr = b->sr;

    b->req_cons = b->rsp_prod_pvt = b->rsp_pushed = start;
    b->state = XENIA_DEV_CONNECTED;
    sr->sectors = b->sectors;
    sr->features = b->features;
    store_once(&sr->req_event, start + 1);
    store_release(&sr->backend_state, XENIA_DEV_CONNECTED);
}

int blkback_init(struct blkback *b, uint8_t *win, size_t win_bytes, uint64_t disk_bytes,
                 uint32_t features, const struct blkback_ops *ops, void *ctx)
{
    struct xenia_blk_sring *sr;
    uint32_t req_prod, rsp_prod;

    if (b == NULL || win == NULL || ((uintptr_t)win & 7u) != 0 ||
        win_bytes < XENIA_IOWIN_DATA_OFF || disk_bytes % XENIA_BLK_SECTOR != 0 ||
        ops == NULL || ops->read == NULL || ops->write == NULL || ops->flush == NULL ||
        (features & ~(XENIA_BLK_F_FLUSH | XENIA_BLK_F_READONLY)) != 0)
        return -XENIA_EINVAL;
    memset(b, 0, sizeof(*b));
    sr = (struct xenia_blk_sring *)(void *)(win + XENIA_IOWIN_BLK_OFF);
    b->sr = sr;
    b->win = win;
    b->win_bytes = win_bytes;
    b->sectors = disk_bytes / XENIA_BLK_SECTOR;
    b->features = features;
    b->ops = ops;
    b->ctx = ctx;
    /* Continue the statistics of a previous backend (informational only). */
    b->requests = sr->requests;
    b->errors = sr->errors;

    req_prod = load_acquire(&sr->req_prod);
    rsp_prod = load_once(&sr->rsp_prod);
    if (load_once(&sr->backend_state) == XENIA_DEV_NEEDS_RESET ||
        req_prod - rsp_prod > XENIA_BLK_RING_SIZE) {
        sr->sectors = b->sectors;
        sr->features = b->features;
        enter_reset(b);
        return 0;
    }
    /* Restart: answer [rsp_prod, req_prod) again (io.h). */
    connect_at(b, rsp_prod);
    return 0;
}

/* Copy request slot `src` into *r, reading each field exactly once. */
/*@ requires \valid(r) && \valid_read(slot) && \separated(r, slot);
  @ assigns *r;
  @*/
static void fetch_request(struct xenia_blk_request *r, const struct xenia_blk_request *slot)
{
    const volatile struct xenia_blk_request *src = slot;

    r->operation = src->operation;
    r->pad0[0] = src->pad0[0];
    r->pad0[1] = src->pad0[1];
    r->pad0[2] = src->pad0[2];
    r->len = src->len;
    r->id = src->id;
    r->sector = src->sector;
    r->buf_off = src->buf_off;
}

/* Read/write request: length, sector range and buffer (io.h). 0 or -1. */
/*@ requires \valid_read(b) && \valid_read(r);
  @ assigns \nothing;
  @ ensures \result == 0 || \result == -1;
  @ ensures accept: \result == 0 <==>
  @   (r->len != 0 && r->len % XENIA_BLK_SECTOR == 0 && r->len <= XENIA_BLK_MAX_LEN &&
  @    r->sector * XENIA_BLK_SECTOR + r->len <= b->sectors * XENIA_BLK_SECTOR &&
  @    XENIA_IOWIN_DATA_OFF <= r->buf_off && r->buf_off + r->len <= b->win_bytes);
  @*/
static int check_rw(const struct blkback *b, const struct xenia_blk_request *r)
{
    uint64_t nsec;

    if (r->len == 0 || r->len % XENIA_BLK_SECTOR != 0 || r->len > XENIA_BLK_MAX_LEN)
        return -1;
    nsec = r->len / XENIA_BLK_SECTOR;
    if (r->sector > b->sectors || nsec > b->sectors - r->sector)
        return -1;
    if (r->buf_off < XENIA_IOWIN_DATA_OFF || r->buf_off > b->win_bytes ||
        r->len > b->win_bytes - r->buf_off)
        return -1;
    return 0;
}

/* Decide and carry out one request (a local copy); returns XENIA_BLK_RSP_*. */
/*@ requires blk_mem(b) && \valid_read(r) && \separated(r, b, b->sr);
  @ requires \separated(r, b->win + (XENIA_IOWIN_DATA_OFF .. b->win_bytes - 1));
  @ assigns b->win[XENIA_IOWIN_DATA_OFF .. b->win_bytes - 1];
  @ ensures \result == XENIA_BLK_RSP_OKAY || \result == XENIA_BLK_RSP_ERROR ||
  @         \result == XENIA_BLK_RSP_EOPNOTSUPP;
  @*/
static int32_t handle(struct blkback *b, const struct xenia_blk_request *r)
{
    int rc;

    switch (r->operation) {
    case XENIA_BLKOP_READ:
    case XENIA_BLKOP_WRITE:
    case XENIA_BLKOP_FLUSH:
#ifdef XENIA_DM_TEST_HOOKS
    case XENIA_BLKOP_TEST_SYSCALL:
#endif
        break;
    default:
        return XENIA_BLK_RSP_EOPNOTSUPP;
    }
    if ((r->pad0[0] | r->pad0[1] | r->pad0[2]) != 0)
        return XENIA_BLK_RSP_ERROR;

    switch (r->operation) {
    case XENIA_BLKOP_READ:
        if (check_rw(b, r) < 0)
            return XENIA_BLK_RSP_ERROR;
        rc = disk_read(b, r->sector * XENIA_BLK_SECTOR, r->buf_off, r->len);
        return rc == 0 ? XENIA_BLK_RSP_OKAY : XENIA_BLK_RSP_ERROR;
    case XENIA_BLKOP_WRITE:
        if (check_rw(b, r) < 0 || (b->features & XENIA_BLK_F_READONLY) != 0)
            return XENIA_BLK_RSP_ERROR;
        rc = disk_write(b, r->sector * XENIA_BLK_SECTOR, r->buf_off, r->len);
        return rc == 0 ? XENIA_BLK_RSP_OKAY : XENIA_BLK_RSP_ERROR;
    case XENIA_BLKOP_FLUSH:
        if ((b->features & XENIA_BLK_F_FLUSH) == 0)
            return XENIA_BLK_RSP_EOPNOTSUPP;
        if (r->len != 0 || r->sector != 0 || r->buf_off != 0)
            return XENIA_BLK_RSP_ERROR;
        return disk_flush(b) == 0 ? XENIA_BLK_RSP_OKAY : XENIA_BLK_RSP_ERROR;
#ifdef XENIA_DM_TEST_HOOKS
    case XENIA_BLKOP_TEST_SYSCALL:
        if (b->ops->test_syscall == NULL)
            return XENIA_BLK_RSP_EOPNOTSUPP;
        return b->ops->test_syscall(b->ctx, r->sector) == 0 ? XENIA_BLK_RSP_OKAY
                                                             : XENIA_BLK_RSP_ERROR;
#endif
    default:
        return XENIA_BLK_RSP_EOPNOTSUPP;
    }
}

/* RING_PUSH_RESPONSES_AND_CHECK_NOTIFY (public/io/ring.h), with the previous
 * rsp_prod taken from our own record, not from the guest-writable ring. */
/*@ requires blk_ok(b);
  @ assigns b->rsp_pushed, b->sr->rsp_prod;
  @ ensures blk_ok(b);
  @ ensures b->sr->rsp_prod == b->rsp_prod_pvt && b->rsp_pushed == b->rsp_prod_pvt;
  @ ensures b->state == \old(b->state);
  @*/
static void push_responses(struct blkback *b)
{
    struct xenia_blk_sring *sr = b->sr;
    uint32_t old = b->rsp_pushed, new = b->rsp_prod_pvt;

    store_release(&sr->rsp_prod, new);
    full_barrier();
    b->rsp_pushed = new;
    if ((uint32_t)(new - load_once(&sr->rsp_event)) < (uint32_t)(new - old))
        notify(b);
}

/* Serve the request at req_cons and publish its response. */
/*@ requires blk_ok(b) && b->state == XENIA_DEV_CONNECTED;
  @ assigns b->req_cons, b->rsp_prod_pvt, b->rsp_pushed, b->requests, b->errors,
  @         b->sr->rsp[0 .. XENIA_BLK_RING_SIZE - 1], b->sr->requests, b->sr->errors,
  @         b->sr->rsp_prod, b->win[XENIA_IOWIN_DATA_OFF .. b->win_bytes - 1];
  @ ensures blk_ok(b);
  @ ensures b->state == XENIA_DEV_CONNECTED;
  @ ensures b->win == \old(b->win) && b->win_bytes == \old(b->win_bytes);
  @ ensures b->req_cons == (uint32_t)(\old(b->req_cons) + 1);
  @ ensures b->sr->rsp_prod == b->rsp_prod_pvt;
  @*/
static void serve_one(struct blkback *b)
{
    struct xenia_blk_sring *sr = b->sr;
    struct xenia_blk_request r;
    struct xenia_blk_response *rsp;
    int32_t status;

    fetch_request(&r, &sr->req[b->req_cons % XENIA_BLK_RING_SIZE]);   /* & RING_MASK */
    b->req_cons++;
#ifdef XENIA_DM_TEST_HOOKS
    /* Test builds: answer the test request before the attempt, which kills this dm
     * (SIGSYS); its successor resumes after it instead of replaying it forever. */
    if (r.operation == XENIA_BLKOP_TEST_SYSCALL && b->ops->test_syscall != NULL &&
        (r.pad0[0] | r.pad0[1] | r.pad0[2]) == 0) {
        rsp = &sr->rsp[b->rsp_prod_pvt & RING_MASK];
        rsp->id = r.id;
        rsp->operation = r.operation;
        memset(rsp->pad0, 0, sizeof(rsp->pad0));
        rsp->status = XENIA_BLK_RSP_OKAY;
        rsp->pad1[0] = rsp->pad1[1] = 0;
        b->rsp_prod_pvt++;
        b->requests++;
        sr->requests = b->requests;
        push_responses(b);
        (void)b->ops->test_syscall(b->ctx, r.sector);
        return;
    }
#endif
    status = handle(b, &r);

    rsp = &sr->rsp[b->rsp_prod_pvt % XENIA_BLK_RING_SIZE];   /* & RING_MASK */
    rsp->id = r.id;
    rsp->operation = r.operation;
    rsp->pad0[0] = rsp->pad0[1] = rsp->pad0[2] = 0;
    rsp->status = status;
    rsp->pad1[0] = rsp->pad1[1] = 0;
    b->rsp_prod_pvt++;

    b->requests++;
    if (status != XENIA_BLK_RSP_OKAY)
        b->errors++;
    sr->requests = b->requests;
    sr->errors = b->errors;
    /*@ assert b->state == XENIA_DEV_CONNECTED; */
    push_responses(b);
}

/* The frontend is INITIALISING: reconnect at index 0 once it zeroed the ring. */
/*@ requires blk_ok(b);
  @ assigns b->req_cons, b->rsp_prod_pvt, b->rsp_pushed, b->state, b->sr->sectors,
  @         b->sr->features, b->sr->req_event, b->sr->backend_state;
  @ ensures blk_ok(b);
  @ ensures \result == 0 || \result == BLKBACK_RESET;
  @ ensures \result == BLKBACK_RESET ==> b->state == XENIA_DEV_NEEDS_RESET;
  @*/
static unsigned frontend_initialising(struct blkback *b)
{
    struct xenia_blk_sring *sr = b->sr;
    int was_fresh;

    if (load_once(&sr->req_prod) != 0 || load_once(&sr->rsp_prod) != 0)
        return b->state == XENIA_DEV_NEEDS_RESET ? BLKBACK_RESET : 0;
    was_fresh = b->state == XENIA_DEV_CONNECTED && b->rsp_prod_pvt == 0 &&
                load_once(&sr->backend_state) == XENIA_DEV_CONNECTED;
    connect_at(b, 0);
    if (!was_fresh)
        notify(b);
    return 0;
}

/*@ requires blk_ok(b);
  @ assigns b->req_cons, b->rsp_prod_pvt, b->rsp_pushed, b->state, b->resets,
  @         b->requests, b->errors, b->sr->sectors, b->sr->features, b->sr->req_event,
  @         b->sr->backend_state, b->sr->rsp[0 .. XENIA_BLK_RING_SIZE - 1],
  @         b->sr->requests, b->sr->errors, b->sr->rsp_prod,
  @         b->win[XENIA_IOWIN_DATA_OFF .. b->win_bytes - 1];
  @ ensures blk_ok(b);
  @ ensures \result == 0 || \result == BLKBACK_MORE || \result == BLKBACK_RESET;
  @ // an index more than a ring ahead stops the backend
  @ ensures \result == BLKBACK_RESET ==> b->state == XENIA_DEV_NEEDS_RESET;
  @*/
unsigned blkback_run(struct blkback *b)
{
    struct xenia_blk_sring *sr = b->sr;
    unsigned budget = XENIA_BLK_RING_SIZE, empty_passes = 0;

    if (load_acquire(&sr->frontend_state) == XENIA_DEV_INITIALISING)
        return frontend_initialising(b);
    if (b->state == XENIA_DEV_NEEDS_RESET)
        return BLKBACK_RESET;

    /*@ loop invariant blk_ok(b) && b->state == XENIA_DEV_CONNECTED && sr == b->sr;
      @ loop invariant b->win == \at(b->win, Pre) && b->win_bytes == \at(b->win_bytes, Pre);
      @ loop invariant budget <= XENIA_BLK_RING_SIZE && empty_passes <= MAX_EMPTY_PASSES;
      @ loop assigns budget, empty_passes, b->req_cons, b->rsp_prod_pvt, b->rsp_pushed,
      @         b->state, b->resets, b->requests, b->errors, b->sr->req_event,
      @         b->sr->backend_state, b->sr->rsp[0 .. XENIA_BLK_RING_SIZE - 1],
      @         b->sr->requests, b->sr->errors, b->sr->rsp_prod,
      @         \at(b->win, Pre)[XENIA_IOWIN_DATA_OFF .. \at(b->win_bytes, Pre) - 1];
      @ // each pass serves at least one request or counts an empty pass
      @ loop variant budget * (MAX_EMPTY_PASSES + 1) + (MAX_EMPTY_PASSES - empty_passes);
      @*/
    for (;;) {
        uint32_t rp = load_acquire(&sr->req_prod);

        /* No entry is read unless the producer is at most a ring ahead. */
        if (rp - b->rsp_prod_pvt > XENIA_BLK_RING_SIZE) {
            enter_reset(b);
            return BLKBACK_RESET;
        }
        if (b->req_cons == rp && ++empty_passes > MAX_EMPTY_PASSES)
            return BLKBACK_MORE;
        /*@ assert checked: (uint32_t)(rp - b->req_cons) <= XENIA_BLK_RING_SIZE; */
        /*@ loop invariant blk_ok(b) && b->state == XENIA_DEV_CONNECTED && sr == b->sr;
          @ loop invariant b->win == \at(b->win, Pre) && b->win_bytes == \at(b->win_bytes, Pre);
          @ loop invariant budget <= \at(budget, LoopEntry);
          @ loop invariant b->req_cons != \at(b->req_cons, LoopEntry) ==>
          @                budget < \at(budget, LoopEntry);
          @ loop invariant budget <= XENIA_BLK_RING_SIZE && empty_passes <= MAX_EMPTY_PASSES;
          @ loop assigns budget, b->req_cons, b->rsp_prod_pvt, b->rsp_pushed, b->requests,
          @         b->errors, b->sr->rsp[0 .. XENIA_BLK_RING_SIZE - 1], b->sr->requests,
          @         b->sr->errors, b->sr->rsp_prod,
          @         \at(b->win, Pre)[XENIA_IOWIN_DATA_OFF .. \at(b->win_bytes, Pre) - 1];
          @ loop variant budget;
          @*/
        while (b->req_cons != rp) {
            if (budget == 0)
                return BLKBACK_MORE;
            serve_one(b);
            budget--;
        }
        /* RING_FINAL_CHECK_FOR_REQUESTS: ask for a kick at the next request,
         * then look once more so that a request racing with it is not lost. */
        store_once(&sr->req_event, b->req_cons + 1);
        /*@ assert b->state == XENIA_DEV_CONNECTED; */
        /*@ assert blk_ok(b); */
        full_barrier();
        if (load_acquire(&sr->req_prod) == b->req_cons)
            return 0;
    }
}
