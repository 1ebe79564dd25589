/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the block backend (stubdoms/dm/blkback.c) over a fake I/O
 * window and an in-memory disk: happy paths, every hostile request, ring
 * corruption (NEEDS_RESET) and the reset handshake, restart resumption,
 * Xen ring.h event suppression, the per-call bound, no double fetch.
 * Prints an in-process throughput figure (not pass/fail).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <xenia/io.h>

#include "../../stubdoms/dm/blkback.h"

#define WIN_BYTES  XENIA_IOWIN_BYTES
#define DISK_BYTES (1u << 20)
#define SECTORS    (DISK_BYTES / XENIA_BLK_SECTOR)
#define DATA       XENIA_IOWIN_DATA_OFF
#define MASK       (XENIA_BLK_RING_SIZE - 1u)

static uint8_t *win;
static uint8_t *disk;
static struct xenia_blk_sring *sr;
static struct blkback bb;

static struct {
    unsigned reads, writes, flushes, notifies;
    int fail_io;                 /* ops return -XENIA_EIO */
    unsigned produce_in_read;    /* read op: guest adds this many more requests */
    int mutate_in_read;          /* read op: guest rewrites the slot being served */
    uint64_t last_off;
    uint32_t last_len;
} fx;

/* ------------------------------------------------------------------------- */
/* Fake disk and guest                                                        */
/* ------------------------------------------------------------------------- */
static void put_req(uint32_t idx, uint8_t op, uint32_t len, uint64_t id, uint64_t sector,
                    uint64_t buf_off)
{
    struct xenia_blk_request *r = &sr->req[idx & MASK];

    memset(r, 0, sizeof(*r));
    r->operation = op;
    r->len = len;
    r->id = id;
    r->sector = sector;
    r->buf_off = buf_off;
}

static int f_read(void *ctx, uint64_t off, void *buf, uint32_t len)
{
    assert_ptr_equal(ctx, &fx);
    assert_true(off <= DISK_BYTES && len <= DISK_BYTES - off);
    assert_true((uint8_t *)buf >= win + DATA && (uint8_t *)buf + len <= win + WIN_BYTES);
    fx.reads++;
    fx.last_off = off;
    fx.last_len = len;
    if (fx.mutate_in_read) {
        /* The guest rewrites the slot being served: the response must still
         * carry the id that was validated. */
        struct xenia_blk_request *r = &sr->req[(bb.req_cons - 1) & MASK];
        r->id = 0xbad;
        r->buf_off = 0;
        r->len = ~0u;
    }
    for (unsigned i = 0; i < fx.produce_in_read; i++) {
        put_req(sr->req_prod, XENIA_BLKOP_READ, 512, 5000 + sr->req_prod, 0, DATA);
        sr->req_prod++;
    }
    if (fx.fail_io)
        return -XENIA_EIO;
    memcpy(buf, disk + off, len);
    return 0;
}

static int f_write(void *ctx, uint64_t off, const void *buf, uint32_t len)
{
    assert_ptr_equal(ctx, &fx);
    assert_true(off <= DISK_BYTES && len <= DISK_BYTES - off);
    assert_true((const uint8_t *)buf >= win + DATA && (const uint8_t *)buf + len <= win + WIN_BYTES);
    fx.writes++;
    if (fx.fail_io)
        return -XENIA_EIO;
    memcpy(disk + off, buf, len);
    return 0;
}

static int f_flush(void *ctx)
{
    assert_ptr_equal(ctx, &fx);
    fx.flushes++;
    return fx.fail_io ? -XENIA_EIO : 0;
}

static void f_notify(void *ctx)
{
    assert_ptr_equal(ctx, &fx);
    fx.notifies++;
}

static const struct blkback_ops ops = { f_read, f_write, f_flush, f_notify };

static int setup(void **state)
{
    (void)state;
    win = aligned_alloc(4096, WIN_BYTES);
    disk = malloc(DISK_BYTES);
    assert_non_null(win);
    assert_non_null(disk);
    memset(win, 0, WIN_BYTES);
    for (unsigned i = 0; i < DISK_BYTES; i++)
        disk[i] = (uint8_t)(i * 13 + (i >> 9));
    sr = (struct xenia_blk_sring *)(win + XENIA_IOWIN_BLK_OFF);
    memset(&fx, 0, sizeof(fx));
    assert_int_equal(blkback_init(&bb, win, WIN_BYTES, DISK_BYTES, XENIA_BLK_F_FLUSH, &ops, &fx),
                     0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(win);
    free(disk);
    return 0;
}

/* Submit one request at req_prod, run, and return its response status. */
static int32_t submit1(uint8_t op, uint32_t len, uint64_t id, uint64_t sector, uint64_t buf_off)
{
    uint32_t i = sr->req_prod;
    const struct xenia_blk_response *rsp = &sr->rsp[i & MASK];

    put_req(i, op, len, id, sector, buf_off);
    sr->req_prod = i + 1;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(sr->rsp_prod, i + 1);
    assert_int_equal(rsp->id, id);
    assert_int_equal(rsp->operation, op);
    assert_int_equal(rsp->pad0[0] | rsp->pad0[1] | rsp->pad0[2], 0);
    assert_int_equal(rsp->pad1[0] | rsp->pad1[1], 0);
    return rsp->status;
}

/* ------------------------------------------------------------------------- */
/* Tests                                                                      */
/* ------------------------------------------------------------------------- */
static void init_connects(void **state)
{
    struct blkback b2;
    struct blkback_ops noflush = ops;

    (void)state;
    assert_int_equal(sr->backend_state, XENIA_DEV_CONNECTED);
    assert_int_equal(sr->sectors, SECTORS);
    assert_int_equal(sr->features, XENIA_BLK_F_FLUSH);
    assert_int_equal(sr->req_event, 1);
    assert_int_equal(sr->rsp_prod, 0);
    assert_int_equal(blkback_run(&bb), 0);   /* empty ring: idle */
    assert_int_equal(fx.notifies, 0);

    assert_int_equal(blkback_init(&b2, win, DATA - 1, DISK_BYTES, 0, &ops, &fx), -XENIA_EINVAL);
    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES + 1, 0, &ops, &fx), -XENIA_EINVAL);
    assert_int_equal(blkback_init(&b2, win + 4, WIN_BYTES - 8, DISK_BYTES, 0, &ops, &fx),
                     -XENIA_EINVAL);
    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, 0x100, &ops, &fx), -XENIA_EINVAL);
    assert_int_equal(blkback_init(&b2, NULL, WIN_BYTES, DISK_BYTES, 0, &ops, &fx), -XENIA_EINVAL);
    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, 0, NULL, &fx), -XENIA_EINVAL);
    noflush.flush = NULL;
    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, 0, &noflush, &fx), -XENIA_EINVAL);
    assert_int_equal(sr->features, XENIA_BLK_F_FLUSH);   /* refused init wrote nothing */
}

static void write_read_flush(void **state)
{
    uint8_t pattern[65536];

    (void)state;
    for (unsigned i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i ^ 0x5a);
    /* 4 KiB write at sector 8, 64 KiB write at sector 100, last sector of the disk. */
    memcpy(win + DATA, pattern, 4096);
    assert_int_equal(submit1(XENIA_BLKOP_WRITE, 4096, 1, 8, DATA), XENIA_BLK_RSP_OKAY);
    assert_memory_equal(disk + 8 * 512, pattern, 4096);
    memcpy(win + DATA + 0x20000, pattern, 65536);
    assert_int_equal(submit1(XENIA_BLKOP_WRITE, 65536, 2, 100, DATA + 0x20000), XENIA_BLK_RSP_OKAY);
    assert_memory_equal(disk + 100 * 512, pattern, 65536);
    assert_int_equal(submit1(XENIA_BLKOP_WRITE, 512, 3, SECTORS - 1, WIN_BYTES - 512),
                     XENIA_BLK_RSP_OKAY);
    assert_memory_equal(disk + DISK_BYTES - 512, win + WIN_BYTES - 512, 512);
    /* Largest request. */
    assert_int_equal(submit1(XENIA_BLKOP_WRITE, XENIA_BLK_MAX_LEN, 4, 1024, DATA), XENIA_BLK_RSP_OKAY);
    assert_memory_equal(disk + 1024 * 512, win + DATA, XENIA_BLK_MAX_LEN);

    memset(win + DATA, 0, 0x40000);
    assert_int_equal(submit1(XENIA_BLKOP_READ, 65536, 5, 100, DATA + 0x10000), XENIA_BLK_RSP_OKAY);
    assert_memory_equal(win + DATA + 0x10000, pattern, 65536);
    assert_int_equal(fx.last_off, 100 * 512);
    assert_int_equal(fx.last_len, 65536);

    assert_int_equal(submit1(XENIA_BLKOP_FLUSH, 0, 6, 0, 0), XENIA_BLK_RSP_OKAY);
    assert_int_equal(fx.flushes, 1);
    assert_int_equal(sr->requests, 6);
    assert_int_equal(sr->errors, 0);
    assert_int_equal(sr->backend_state, XENIA_DEV_CONNECTED);
}

static void hostile_requests(void **state)
{
    static const struct {
        uint8_t op;
        uint32_t len;
        uint64_t sector, buf_off;
        int32_t want;
        const char *what;
    } cases[] = {
        { XENIA_BLKOP_READ, 0, 0, DATA, XENIA_BLK_RSP_ERROR, "len 0" },
        { XENIA_BLKOP_READ, 511, 0, DATA, XENIA_BLK_RSP_ERROR, "len 511" },
        { XENIA_BLKOP_READ, 4097, 0, DATA, XENIA_BLK_RSP_ERROR, "len not a sector multiple" },
        { XENIA_BLKOP_READ, XENIA_BLK_MAX_LEN + 512, 0, DATA, XENIA_BLK_RSP_ERROR, "len > max" },
        { XENIA_BLKOP_WRITE, 0xfffffe00u, 0, DATA, XENIA_BLK_RSP_ERROR, "huge len" },
        { XENIA_BLKOP_READ, 512, SECTORS, DATA, XENIA_BLK_RSP_ERROR, "sector == disk end" },
        { XENIA_BLKOP_READ, 1024, SECTORS - 1, DATA, XENIA_BLK_RSP_ERROR, "straddles the end" },
        { XENIA_BLKOP_WRITE, 4096, UINT64_MAX, DATA, XENIA_BLK_RSP_ERROR, "sector 2^64-1" },
        { XENIA_BLKOP_WRITE, 4096, UINT64_MAX / 512 + 1, DATA, XENIA_BLK_RSP_ERROR,
          "sector*512 wraps" },
        { XENIA_BLKOP_READ, 512, 0, 0, XENIA_BLK_RSP_ERROR, "buffer over the rings" },
        { XENIA_BLKOP_READ, 512, 0, DATA - 512, XENIA_BLK_RSP_ERROR, "buffer below data area" },
        { XENIA_BLKOP_READ, 512, 0, DATA - 1, XENIA_BLK_RSP_ERROR, "buffer ends inside data" },
        { XENIA_BLKOP_READ, 1024, 0, WIN_BYTES - 512, XENIA_BLK_RSP_ERROR, "buffer past window" },
        { XENIA_BLKOP_READ, 512, 0, WIN_BYTES, XENIA_BLK_RSP_ERROR, "buffer at window end" },
        { XENIA_BLKOP_READ, 512, 0, UINT64_MAX - 100, XENIA_BLK_RSP_ERROR, "buf_off wraps" },
        { XENIA_BLKOP_WRITE, 512, 0, 1ull << 40, XENIA_BLK_RSP_ERROR, "buf_off far away" },
        { XENIA_BLKOP_FLUSH, 512, 0, 0, XENIA_BLK_RSP_ERROR, "flush with a length" },
        { XENIA_BLKOP_FLUSH, 0, 1, 0, XENIA_BLK_RSP_ERROR, "flush with a sector" },
        { XENIA_BLKOP_FLUSH, 0, 0, DATA, XENIA_BLK_RSP_ERROR, "flush with a buffer" },
        { 2, 512, 0, DATA, XENIA_BLK_RSP_EOPNOTSUPP, "op 2 (write barrier)" },
        { 4, 512, 0, DATA, XENIA_BLK_RSP_EOPNOTSUPP, "op 4" },
        { 0xff, 512, 0, DATA, XENIA_BLK_RSP_EOPNOTSUPP, "op 255" },
        { XENIA_BLKOP_TEST_SYSCALL, 0, 1, 0, XENIA_BLK_RSP_EOPNOTSUPP,
          "test op in a normal build" },
    };
    uint8_t *disk_copy = malloc(DISK_BYTES), *win_copy = malloc(DATA);
    unsigned n = sizeof(cases) / sizeof(cases[0]);

    (void)state;
    assert_non_null(disk_copy);
    assert_non_null(win_copy);
    memcpy(disk_copy, disk, DISK_BYTES);
    for (unsigned i = 0; i < n; i++) {
        int32_t got;

        memcpy(win_copy, win, XENIA_IOWIN_BLK_OFF);   /* console page */
        got = submit1(cases[i].op, cases[i].len, 100 + i, cases[i].sector, cases[i].buf_off);
        if (got != cases[i].want)
            fail_msg("%s: status %d, want %d", cases[i].what, got, cases[i].want);
        assert_memory_equal(win_copy, win, XENIA_IOWIN_BLK_OFF);
    }
    assert_int_equal(fx.reads + fx.writes + fx.flushes, 0);   /* no op reached the disk */
    assert_memory_equal(disk_copy, disk, DISK_BYTES);
    assert_int_equal(sr->errors, n);
    assert_int_equal(sr->requests, n);
    assert_int_equal(sr->backend_state, XENIA_DEV_CONNECTED);

    /* Non-zero pads: one byte at a time, on an otherwise valid request. */
    for (unsigned b = 0; b < 3; b++) {
        struct xenia_blk_request *r = &sr->req[sr->req_prod & MASK];
        uint32_t i = sr->req_prod;

        put_req(i, XENIA_BLKOP_READ, 512, 7, 0, DATA);
        r->pad0[b] = 0x80;
        sr->req_prod = i + 1;
        assert_int_equal(blkback_run(&bb), 0);
        assert_int_equal(sr->rsp[i & MASK].status, XENIA_BLK_RSP_ERROR);
    }
    assert_int_equal(fx.reads, 0);
    /* Still serving after all that. */
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 9, 0, DATA), XENIA_BLK_RSP_OKAY);
    free(disk_copy);
    free(win_copy);
}

static void readonly_and_io_errors(void **state)
{
    struct blkback ro;

    (void)state;
    fx.fail_io = 1;
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 1, 0, DATA), XENIA_BLK_RSP_ERROR);
    assert_int_equal(submit1(XENIA_BLKOP_WRITE, 512, 2, 0, DATA), XENIA_BLK_RSP_ERROR);
    assert_int_equal(submit1(XENIA_BLKOP_FLUSH, 0, 3, 0, 0), XENIA_BLK_RSP_ERROR);
    fx.fail_io = 0;

    /* A read-only disk without flush support: a new backend on the same ring. */
    assert_int_equal(blkback_init(&ro, win, WIN_BYTES, DISK_BYTES, XENIA_BLK_F_READONLY, &ops, &fx),
                     0);
    bb = ro;
    assert_int_equal(sr->features, XENIA_BLK_F_READONLY);
    fx.writes = 0;
    assert_int_equal(submit1(XENIA_BLKOP_WRITE, 512, 4, 0, DATA), XENIA_BLK_RSP_ERROR);
    assert_int_equal(fx.writes, 0);
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 5, 0, DATA), XENIA_BLK_RSP_OKAY);
    assert_int_equal(submit1(XENIA_BLKOP_FLUSH, 0, 6, 0, 0), XENIA_BLK_RSP_EOPNOTSUPP);
}

/* The frontend's side of the reset handshake (io.h). */
static void frontend_reset(void)
{
    sr->req_prod = sr->rsp_prod = sr->req_event = sr->rsp_event = 0;
    sr->backend_state = XENIA_DEV_UNKNOWN;
    sr->frontend_state = XENIA_DEV_INITIALISING;
}

static void corrupt_indices_need_reset(void **state)
{
    (void)state;
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 1, 0, DATA), XENIA_BLK_RSP_OKAY);
    fx.reads = 0;
    fx.notifies = 0;

    /* req_prod running away: a ring and one ahead of the responses. */
    for (unsigned i = 0; i < XENIA_BLK_RING_SIZE; i++)
        put_req(1 + i, XENIA_BLKOP_READ, 512, i, 0, DATA);
    sr->req_prod = 1 + XENIA_BLK_RING_SIZE + 1;
    assert_int_equal(blkback_run(&bb), BLKBACK_RESET);
    assert_int_equal(sr->backend_state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(fx.reads, 0);               /* no entry was served */
    assert_int_equal(sr->rsp_prod, 1);
    assert_int_equal(fx.notifies, 1);            /* the guest is told */
    assert_int_equal(bb.resets, 1);

    /* Ignored from now on, even when the indices look sane again or the guest
     * writes CONNECTED into the backend's state. */
    sr->req_prod = 2;
    sr->backend_state = XENIA_DEV_CONNECTED;
    assert_int_equal(blkback_run(&bb), BLKBACK_RESET);
    assert_int_equal(sr->rsp_prod, 1);
    assert_int_equal(fx.reads, 0);
    /* INITIALISING, but the indices are not zero yet: still ignored. */
    sr->frontend_state = XENIA_DEV_INITIALISING;
    assert_int_equal(blkback_run(&bb), BLKBACK_RESET);
    assert_int_equal(fx.reads, 0);

    /* Handshake: zeroed ring + INITIALISING -> CONNECTED at index 0. */
    frontend_reset();
    fx.notifies = 0;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(sr->backend_state, XENIA_DEV_CONNECTED);
    assert_int_equal(sr->req_event, 1);
    assert_int_equal(sr->sectors, SECTORS);
    assert_int_equal(fx.notifies, 1);
    assert_int_equal(blkback_run(&bb), 0);       /* idempotent while INITIALISING */
    assert_int_equal(fx.notifies, 1);
    sr->frontend_state = XENIA_DEV_CONNECTED;
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 77, 3, DATA), XENIA_BLK_RSP_OKAY);
    assert_int_equal(sr->rsp_prod, 1);

    /* req_prod moved backwards (behind the responses): corrupt too. */
    sr->req_prod = 0;
    assert_int_equal(blkback_run(&bb), BLKBACK_RESET);
    assert_int_equal(sr->backend_state, XENIA_DEV_NEEDS_RESET);
    /* Wildly out of range. */
    frontend_reset();
    assert_int_equal(blkback_run(&bb), 0);
    sr->frontend_state = XENIA_DEV_CONNECTED;
    sr->req_prod = 0x80000000u;
    assert_int_equal(blkback_run(&bb), BLKBACK_RESET);
    assert_int_equal(bb.resets, 3);
}

static void voluntary_reinit(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(submit1(XENIA_BLKOP_READ, 512, i, 0, DATA), XENIA_BLK_RSP_OKAY);
    /* A frontend re-initialising while the backend is connected. */
    frontend_reset();
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(sr->backend_state, XENIA_DEV_CONNECTED);
    sr->frontend_state = XENIA_DEV_CONNECTED;
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 50, 0, DATA), XENIA_BLK_RSP_OKAY);
    assert_int_equal(sr->rsp_prod, 1);
}

static void restart_resumes_in_flight(void **state)
{
    struct blkback b2;

    (void)state;
    /* Ten writes of distinct patterns; the first backend serves five. */
    for (uint32_t i = 0; i < 10; i++) {
        memset(win + DATA + i * 4096, 0x30 + (int)i, 4096);
        put_req(i, XENIA_BLKOP_WRITE, 4096, 1000 + i, 8 * i, DATA + i * 4096);
    }
    sr->req_prod = 5;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(sr->rsp_prod, 5);
    sr->req_prod = 10;
    /* The dm dies after writing responses 5 and 6 without publishing them
     * (here: garbage in those response slots). */
    memset(&sr->rsp[5], 0xee, 2 * sizeof(sr->rsp[0]));
    memset(disk, 0, DISK_BYTES);   /* forget what was written */

    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, XENIA_BLK_F_FLUSH, &ops, &fx), 0);
    assert_int_equal(b2.req_cons, 5);
    assert_int_equal(blkback_run(&b2), 0);
    assert_int_equal(sr->rsp_prod, 10);
    for (uint32_t i = 5; i < 10; i++) {
        assert_int_equal(sr->rsp[i].id, 1000 + i);
        assert_int_equal(sr->rsp[i].status, XENIA_BLK_RSP_OKAY);
        assert_int_equal(disk[8 * i * 512], 0x30 + i);
        assert_int_equal(disk[8 * i * 512 + 4095], 0x30 + i);
    }
    for (uint32_t i = 0; i < 5; i++)   /* answered before: not redone */
        assert_int_equal(disk[8 * i * 512], 0);
    assert_int_equal(sr->requests, 10);

    /* A successor finding corrupt indices, or a ring left in NEEDS_RESET. */
    sr->rsp_prod = 100;   /* req_prod 10 is "behind" */
    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, XENIA_BLK_F_FLUSH, &ops, &fx), 0);
    assert_int_equal(sr->backend_state, XENIA_DEV_NEEDS_RESET);
    assert_int_equal(blkback_run(&b2), BLKBACK_RESET);
    sr->rsp_prod = 10;
    assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, XENIA_BLK_F_FLUSH, &ops, &fx), 0);
    assert_int_equal(b2.state, XENIA_DEV_NEEDS_RESET);   /* kept until the frontend resets */
    frontend_reset();
    assert_int_equal(blkback_run(&b2), 0);
    assert_int_equal(sr->backend_state, XENIA_DEV_CONNECTED);
}

static void event_suppression(void **state)
{
    (void)state;
    /* Frontend waiting for the next response: rsp_event = rsp_cons + 1. */
    sr->rsp_event = 1;
    for (uint32_t i = 0; i < 3; i++)
        put_req(i, XENIA_BLKOP_READ, 512, i, 0, DATA);
    sr->req_prod = 3;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(fx.notifies, 1);            /* once, for the first response */
    assert_int_equal(sr->req_event, 4);          /* kick me at the next request */

    /* Frontend not waiting (rsp_event behind): no notification. */
    for (uint32_t i = 3; i < 6; i++)
        put_req(i, XENIA_BLKOP_READ, 512, i, 0, DATA);
    sr->req_prod = 6;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(fx.notifies, 1);

    /* Frontend wants to hear only when all of a batch is done (rsp_event = 10). */
    sr->rsp_event = 10;
    for (uint32_t i = 6; i < 10; i++)
        put_req(i, XENIA_BLKOP_READ, 512, i, 0, DATA);
    sr->req_prod = 9;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(fx.notifies, 1);
    sr->req_prod = 10;
    assert_int_equal(blkback_run(&bb), 0);
    assert_int_equal(fx.notifies, 2);

    /* Index wrap-around: the arithmetic is modulo 2^32. */
    {
        struct blkback b2;
        uint32_t base = 0xfffffffeu;

        sr->req_prod = sr->rsp_prod = base;
        assert_int_equal(blkback_init(&b2, win, WIN_BYTES, DISK_BYTES, XENIA_BLK_F_FLUSH, &ops, &fx),
                         0);
        assert_int_equal(sr->req_event, base + 1);
        sr->rsp_event = base + 1;
        for (uint32_t i = 0; i < 4; i++)
            put_req(base + i, XENIA_BLKOP_READ, 512, 70 + i, 0, DATA);
        sr->req_prod = base + 4;
        fx.notifies = 0;
        assert_int_equal(blkback_run(&b2), 0);
        assert_int_equal(sr->rsp_prod, 2);
        assert_int_equal(fx.notifies, 1);
        assert_int_equal(sr->rsp[(base + 3) & MASK].id, 73);
        assert_int_equal(sr->req_event, 3);
    }
}

static void full_ring_and_bound(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < XENIA_BLK_RING_SIZE; i++)
        put_req(i, XENIA_BLKOP_READ, 4096, i, i, DATA + 4096 * i);
    sr->req_prod = XENIA_BLK_RING_SIZE;
    assert_int_equal(blkback_run(&bb), 0);   /* one call serves a full ring */
    assert_int_equal(sr->rsp_prod, XENIA_BLK_RING_SIZE);
    assert_int_equal(fx.reads, XENIA_BLK_RING_SIZE);

    /* A guest that keeps producing while being served: the call stops after a
     * ring's worth and says there is more. */
    fx.produce_in_read = 1;
    fx.reads = 0;
    put_req(sr->req_prod, XENIA_BLKOP_READ, 512, 1, 0, DATA);
    sr->req_prod++;
    assert_int_equal(blkback_run(&bb), BLKBACK_MORE);
    assert_int_equal(fx.reads, XENIA_BLK_RING_SIZE);
    assert_int_equal(sr->rsp_prod, 2 * XENIA_BLK_RING_SIZE);
    fx.produce_in_read = 0;
    assert_int_equal(blkback_run(&bb), 0);   /* the last one */
    assert_int_equal(sr->rsp_prod, sr->req_prod);
}

static void same_id_loop(void **state)
{
    (void)state;
    /* The same request id resubmitted many times: answered every time. */
    for (uint32_t n = 0; n < 5000; n++) {
        put_req(n, XENIA_BLKOP_READ, 512, 42, 0, DATA);
        sr->req_prod = n + 1;
        if ((n & 15) == 15)
            while (blkback_run(&bb) & BLKBACK_MORE)
                ;
    }
    while (blkback_run(&bb) & BLKBACK_MORE)
        ;
    assert_int_equal(sr->rsp_prod, 5000);
    assert_int_equal(sr->errors, 0);
}

static void no_double_fetch(void **state)
{
    (void)state;
    fx.mutate_in_read = 1;
    assert_int_equal(submit1(XENIA_BLKOP_READ, 512, 0x1234, 0, DATA), XENIA_BLK_RSP_OKAY);
    assert_int_equal(fx.last_len, 512);
    fx.mutate_in_read = 0;
}

/* Figures only: requests through blkback_run with a memcpy disk (in cache). */
static void throughput(void **state)
{
    static const uint32_t lens[2] = { 4096, 65536 };
    const uint32_t total = 256u << 20;
    uint32_t i = 0;

    (void)state;
    for (unsigned k = 0; k < 2; k++) {
        struct timespec t0, t1;
        uint32_t len = lens[k], n = total / len, start = i;
        double s;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        while (i - start < n) {
            uint32_t batch = 0;
            for (; batch < 14 && i - start < n; batch++, i++)
                put_req(i, XENIA_BLKOP_READ, len, i, (i % 15) * 128, DATA + batch * len);
            sr->req_prod = i;
            (void)blkback_run(&bb);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        assert_int_equal(sr->rsp_prod, i);
        assert_int_equal(sr->errors, 0);
        printf("blkback in-process: %u x %u KiB reads (memcpy disk) in %.3f s: %.0f MB/s, "
               "%.2f M requests/s\n", n, len >> 10, s, (double)total / s / 1e6, n / s / 1e6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(init_connects, setup, teardown),
        cmocka_unit_test_setup_teardown(write_read_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(readonly_and_io_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_indices_need_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(voluntary_reinit, setup, teardown),
        cmocka_unit_test_setup_teardown(restart_resumes_in_flight, setup, teardown),
        cmocka_unit_test_setup_teardown(event_suppression, setup, teardown),
        cmocka_unit_test_setup_teardown(full_ring_and_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(same_id_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(no_double_fetch, setup, teardown),
        cmocka_unit_test_setup_teardown(throughput, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
