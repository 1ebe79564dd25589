/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: stubdoms/dm/blkback.c (blkback_init + blkback_run) over a
 * window built from the input and an in-memory disk.
 *
 * Input layout:
 *   [0, 16)     ring header: req_prod, rsp_prod, rsp_event (le32 each),
 *               frontend_state, backend_state, features (bit 0 FLUSH, bit 1
 *               READONLY), scribble (non-zero: the guest rewrites every
 *               request slot with this byte while the backend does I/O)
 *   [16, 2064)  the 64 request slots (struct xenia_blk_request, 32 bytes each)
 *   then        rounds of 8 bytes, at most MAX_ROUNDS; each changes the ring as
 *               a guest could, then runs the backend:
 *     [0] & 7: 0 req_prod += [1]; 1 req_prod = le32([4..7]); 2 write bytes
 *              [2..7] into request slot [1] & 63 at offset ([1] >> 6) * 8;
 *              3 frontend_state = [1] & 7; 4 reset handshake (zero indices,
 *              INITIALISING); 5 I/O errors on/off ([1] & 1); 6 restart (a new
 *              backend on the same ring); 7 rsp_event = le32([4..7])
 * Invariants (abort() if broken): the disk is accessed only inside it and
 * only through validated requests; buffers lie in the data area; a
 * read-only disk is never written; a call serves at most a ring's worth;
 * responses published never run ahead of the requests consumed, and the
 * backend never consumes past the req_prod it saw; response pads are zero
 * and statuses are OKAY/ERROR/EOPNOTSUPP; an idle CONNECTED backend has
 * caught up with req_prod; the console page is never touched.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenia/io.h>

#include "stubdoms/dm/blkback.h"

#define WIN        XENIA_IOWIN_BYTES
#define DISK       (256u << 10)
#define HDR        16u
#define SLOTS      (XENIA_BLK_RING_SIZE * sizeof(struct xenia_blk_request))
#define MAX_ROUNDS 32u
#define MASK       (XENIA_BLK_RING_SIZE - 1u)

static uint8_t *win, *disk, *cons_snap;
static struct xenia_blk_sring *sr;

static struct {
    int fail_io, readonly;
    uint8_t scribble;
    unsigned ops_this_run, notifies;
} fx;

static void check_io(uint64_t off, const void *buf, uint32_t len)
{
    const uint8_t *p = buf;

    if (len == 0 || len % XENIA_BLK_SECTOR != 0 || len > XENIA_BLK_MAX_LEN)
        abort();
    if (off % XENIA_BLK_SECTOR != 0 || off > DISK || len > DISK - off)
        abort();
    if (p < win + XENIA_IOWIN_DATA_OFF || p > win + WIN || len > (size_t)(win + WIN - p))
        abort();
    if (++fx.ops_this_run > XENIA_BLK_RING_SIZE)
        abort();
    if (fx.scribble)
        memset(sr->req, fx.scribble, SLOTS);   /* the guest rewrites under us */
}

static int f_read(void *ctx, uint64_t off, void *buf, uint32_t len)
{
    (void)ctx;
    check_io(off, buf, len);
    if (fx.fail_io)
        return -XENIA_EIO;
    memcpy(buf, disk + off, len);
    return 0;
}

static int f_write(void *ctx, uint64_t off, const void *buf, uint32_t len)
{
    (void)ctx;
    if (fx.readonly)
        abort();
    check_io(off, buf, len);
    if (fx.fail_io)
        return -XENIA_EIO;
    memcpy(disk + off, buf, len);
    return 0;
}

static int f_flush(void *ctx)
{
    (void)ctx;
    if (++fx.ops_this_run > XENIA_BLK_RING_SIZE)
        abort();
    return fx.fail_io ? -XENIA_EIO : 0;
}

static void f_notify(void *ctx)
{
    (void)ctx;
    fx.notifies++;
}

static const struct blkback_ops ops = { f_read, f_write, f_flush, f_notify };

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void run_and_check(struct blkback *b)
{
    uint32_t cons0 = b->req_cons, prod_seen = sr->req_prod;
    int initialising = sr->frontend_state == XENIA_DEV_INITIALISING;
    uint64_t req0 = b->requests;
    unsigned bits;

    fx.ops_this_run = 0;
    fx.notifies = 0;
    bits = blkback_run(b);
    /* Responses published == requests consumed, at most a ring per call. */
    if (b->rsp_prod_pvt != b->req_cons || b->rsp_pushed != b->rsp_prod_pvt)
        abort();
    if (b->requests - req0 > XENIA_BLK_RING_SIZE)
        abort();
    if (b->requests != req0 && sr->rsp_prod != b->rsp_prod_pvt)
        abort();
    if (initialising) {
        /* Only a reconnect at index 0 (nothing served) may happen. */
        if (b->requests != req0 || (b->state == XENIA_DEV_CONNECTED && b->req_cons != 0 &&
                                    b->req_cons != cons0))
            abort();
    } else {
        /* Never past the producer index it saw (req_prod does not move
         * during a run here), and caught up with it when idle. */
        if ((uint32_t)(b->req_cons - cons0) > (uint32_t)(prod_seen - cons0))
            abort();
        if (bits == 0 && b->state == XENIA_DEV_CONNECTED && b->req_cons != prod_seen)
            abort();
    }
    if (((bits & BLKBACK_RESET) != 0) != (b->state == XENIA_DEV_NEEDS_RESET))
        abort();
    if (fx.notifies > (b->requests - req0) + 1)
        abort();
    /* Responses written in this run are well formed. */
    for (uint32_t i = cons0; i != b->rsp_prod_pvt && !initialising; i++) {
        const struct xenia_blk_response *r = &sr->rsp[i & MASK];
        if (r->pad0[0] | r->pad0[1] | r->pad0[2] || r->pad1[0] | r->pad1[1])
            abort();
        if (r->status != XENIA_BLK_RSP_OKAY && r->status != XENIA_BLK_RSP_ERROR &&
            r->status != XENIA_BLK_RSP_EOPNOTSUPP)
            abort();
    }
    if (memcmp(win, cons_snap, XENIA_IOWIN_BLK_OFF) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct blkback b;
    uint32_t features;
    size_t pos;

    if (win == NULL) {
        win = aligned_alloc(4096, WIN);
        disk = malloc(DISK);
        cons_snap = malloc(XENIA_IOWIN_BLK_OFF);
        if (win == NULL || disk == NULL || cons_snap == NULL)
            abort();
        sr = (struct xenia_blk_sring *)(win + XENIA_IOWIN_BLK_OFF);
    }
    if (size < HDR)
        return 0;
    memset(&fx, 0, sizeof(fx));
    memset(win, 0, XENIA_IOWIN_DATA_OFF);
    memset(win, 0xc5, XENIA_IOWIN_BLK_OFF);       /* console page: must stay as is */
    memcpy(cons_snap, win, XENIA_IOWIN_BLK_OFF);
    memset(disk, 0x5d, DISK);
    sr->req_prod = le32(data);
    sr->rsp_prod = le32(data + 4);
    sr->rsp_event = le32(data + 8);
    sr->frontend_state = data[12] & 7;
    sr->backend_state = data[13] & 7;
    features = data[14] & (XENIA_BLK_F_FLUSH | XENIA_BLK_F_READONLY);
    fx.readonly = (features & XENIA_BLK_F_READONLY) != 0;
    fx.scribble = data[15];
    memcpy(sr->req, data + HDR, size - HDR < SLOTS ? size - HDR : SLOTS);

    if (blkback_init(&b, win, WIN, DISK, features, &ops, NULL) != 0)
        abort();
    if (b.state != XENIA_DEV_CONNECTED && b.state != XENIA_DEV_NEEDS_RESET)
        abort();
    run_and_check(&b);

    for (pos = HDR + SLOTS; pos + 8 <= size && pos < HDR + SLOTS + 8 * MAX_ROUNDS; pos += 8) {
        const uint8_t *q = data + pos;

        switch (q[0] & 7) {
        case 0:
            sr->req_prod += q[1];
            break;
        case 1:
            sr->req_prod = le32(q + 4);
            break;
        case 2:
            memcpy((uint8_t *)&sr->req[q[1] & MASK] + (q[1] >> 6) * 8, q + 2, 6);
            break;
        case 3:
            sr->frontend_state = q[1] & 7;
            break;
        case 4:
            sr->req_prod = sr->rsp_prod = sr->req_event = sr->rsp_event = 0;
            sr->backend_state = 0;
            sr->frontend_state = XENIA_DEV_INITIALISING;
            break;
        case 5:
            fx.fail_io = q[1] & 1;
            break;
        case 6:
            if (blkback_init(&b, win, WIN, DISK, features, &ops, NULL) != 0)
                abort();
            break;
        default:
            sr->rsp_event = le32(q + 4);
            break;
        }
        run_and_check(&b);
    }
    return 0;
}
