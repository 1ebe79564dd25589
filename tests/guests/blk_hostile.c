// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 120
// needs: a device model and a disk of at least 4 MiB (read-write)
/* SPDX-License-Identifier: MIT */
/*
 * A hostile guest against the dm's block backend: request loops (one id
 * resubmitted thousands of times), req_prod running away, indices behind or
 * scribbled, buffers outside the window or its data area, huge lengths,
 * sectors beyond the disk, non-zero pads, a ring of random garbage, and
 * slots rewritten while in flight. Every bad request must get an error
 * response or the ring NEEDS_RESET; after a reset the device must work
 * again, and the dm must never have died (dm_generation unchanged).
 */
#include "blk_common.h"

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint64_t rand64(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int32_t raw1(uint8_t op, uint32_t len, uint64_t sector, uint64_t buf_off)
{
    struct xenia_blk_request r = { .operation = op, .len = len, .id = 0x5151, .sector = sector,
                                   .buf_off = buf_off };
    struct xenia_blk_response rsp;

    if (blk_submit_raw(&r) != 0 || blk_wait_raw(&rsp) != 0)
        return 99;
    return rsp.status;
}

/* The device still works: a 4 KiB write and read back. */
static void works(const char *after)
{
    static uint8_t b[4096];
    static uint64_t tag = 100;

    tag++;
    pat_fill(b, sizeof(b), tag);
    xt_check(blk_write(64, b, sizeof(b)) == 0, "write after %s", after);
    memset(b, 0, sizeof(b));
    xt_check(blk_read(64, b, sizeof(b)) == 0, "read after %s", after);
    xt_check(pat_check(b, sizeof(b), tag) < 0, "data after %s", after);
}

/* Wait (bounded) until the backend reports NEEDS_RESET. */
static int wait_needs_reset(void)
{
    struct xenia_blk_sring *sr = blk_sring();
    uint64_t end = xenia_now_ns() + 5000 * MS;

    xenia_evtchn_notify(xenia_start_info()->blk_port);
    while (xenia_now_ns() < end) {
        if (__atomic_load_n(&sr->backend_state, __ATOMIC_ACQUIRE) == XENIA_DEV_NEEDS_RESET)
            return 1;
        (void)xenia_evtchn_test_and_clear(xenia_start_info()->blk_port);
        xenia_block(xenia_now_ns() + 10 * MS);
    }
    return 0;
}

static void request_loop(void)
{
    struct xenia_blk_request r = { .operation = XENIA_BLKOP_READ, .len = 512, .id = 7,
                                   .sector = 0, .buf_off = XENIA_IOWIN_DATA_OFF };
    struct xenia_blk_response rsp;
    unsigned answered = 0, ok = 0;

    for (unsigned n = 0; n < 5000; n += 50) {
        for (unsigned i = 0; i < 50; i++)
            if (blk_submit_raw(&r) != 0)
                break;
        while (blk_outstanding() > 0 && blk_wait_raw(&rsp) == 0) {
            answered++;
            ok += rsp.id == 7 && rsp.status == XENIA_BLK_RSP_OKAY;
        }
    }
    xt_check_eq(answered, 5000, "same request id 5000 times: answered");
    xt_check_eq(ok, 5000, "same request id 5000 times: OKAY with id 7");
}

static void bad_requests(void)
{
    uint64_t n = blk_sectors(), wb = xenia_start_info()->iowin_bytes;
    const uint64_t D = XENIA_IOWIN_DATA_OFF;
    struct {
        uint8_t op;
        uint32_t len;
        uint64_t sector, buf_off;
        const char *what;
    } cases[] = {
        { XENIA_BLKOP_WRITE, 512, 0, 0, "buffer over the console ring" },
        { XENIA_BLKOP_WRITE, 512, 0, XENIA_IOWIN_BLK_OFF, "buffer over the block ring" },
        { XENIA_BLKOP_READ, 4096, 0, D - 512, "buffer starting below the data area" },
        { XENIA_BLKOP_READ, 1024, 0, wb - 512, "buffer running past the window" },
        { XENIA_BLKOP_READ, 512, 0, wb, "buffer at the window's end" },
        { XENIA_BLKOP_READ, 512, 0, 1ull << 40, "buffer far outside" },
        { XENIA_BLKOP_READ, 512, 0, ~0ull - 100, "buffer offset that wraps" },
        { XENIA_BLKOP_READ, 0xfffffe00u, 0, D, "huge length" },
        { XENIA_BLKOP_READ, XENIA_BLK_MAX_LEN + 512, 0, D, "length above the maximum" },
        { XENIA_BLKOP_READ, 0, 0, D, "length 0" },
        { XENIA_BLKOP_READ, 700, 0, D, "length not a sector multiple" },
        { XENIA_BLKOP_READ, 512, n, D, "sector at the disk's end" },
        { XENIA_BLKOP_WRITE, 4096, n - 4, D, "write straddling the end" },
        { XENIA_BLKOP_READ, 512, ~0ull, D, "sector 2^64-1" },
        { XENIA_BLKOP_READ, 512, (~0ull / 512) + 1, D, "sector whose byte offset wraps" },
        { XENIA_BLKOP_FLUSH, 512, 0, 0, "flush with a length" },
    };
    struct xenia_blk_request r;
    struct xenia_blk_response rsp;

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        xt_check(raw1(cases[i].op, cases[i].len, cases[i].sector, cases[i].buf_off) ==
                     XENIA_BLK_RSP_ERROR, "%s: not refused", cases[i].what);
    xt_check_eq(raw1(0x99, 512, 0, D), XENIA_BLK_RSP_EOPNOTSUPP, "unknown op");
    /* Non-zero pads, each byte. */
    for (unsigned b = 0; b < 3; b++) {
        memset(&r, 0, sizeof(r));
        r.operation = XENIA_BLKOP_READ;
        r.len = 512;
        r.buf_off = D;
        r.pad0[b] = 0xff;
        xt_check(blk_submit_raw(&r) == 0 && blk_wait_raw(&rsp) == 0 &&
                     rsp.status == XENIA_BLK_RSP_ERROR, "pad byte %u not refused", b);
    }
    xt_check_eq(blk_sring()->backend_state, XENIA_DEV_CONNECTED, "connected after bad requests");
    works("bad requests");
}

static void runaway_and_behind(void)
{
    struct xenia_blk_sring *sr = blk_sring();

    /* req_prod far ahead of rsp_prod. */
    __atomic_store_n(&sr->req_prod, sr->rsp_prod + 100000, __ATOMIC_RELEASE);
    xt_check(wait_needs_reset(), "runaway req_prod: NEEDS_RESET");
    xt_check_eq(blk_reset_drop(), 0, "reset after runaway req_prod");
    works("runaway req_prod");

    /* One more than a ring ahead. */
    __atomic_store_n(&sr->req_prod, sr->rsp_prod + XENIA_BLK_RING_SIZE + 1, __ATOMIC_RELEASE);
    xt_check(wait_needs_reset(), "req_prod a ring + 1 ahead: NEEDS_RESET");
    xt_check_eq(blk_reset_drop(), 0, "reset");
    works("req_prod a ring + 1 ahead");

    /* req_prod behind the responses. */
    works("(advance the indices)");
    __atomic_store_n(&sr->req_prod, sr->rsp_prod - 1, __ATOMIC_RELEASE);
    xt_check(wait_needs_reset(), "req_prod behind rsp_prod: NEEDS_RESET");
    xt_check_eq(blk_reset_drop(), 0, "reset");
    works("req_prod behind rsp_prod");

    /* The guest scribbles the backend's own indices: the backend keeps its
     * private copies; the frontend notices nonsense and resets. */
    sr->rsp_prod = 0xdeadbeef;
    sr->req_event = 0x12345678;
    works("scribbled rsp_prod and req_event");
    /* NEEDS_RESET written into the backend's state by the guest itself. */
    sr->backend_state = XENIA_DEV_NEEDS_RESET;
    works("a fake NEEDS_RESET");
    /* INITIALISING with indices that are not zero: ignored until reset. */
    sr->frontend_state = XENIA_DEV_INITIALISING;
    xt_check_eq(blk_reset_drop(), 0, "reset from a half-done initialisation");
    works("a half-done initialisation");
}

static void garbage_ring(void)
{
    struct xenia_blk_sring *sr = blk_sring();
    struct xenia_blk_response rsp;
    uint32_t base = sr->rsp_prod;
    unsigned answered = 0;

    /* A whole ring of random requests, published at once. */
    for (unsigned i = 0; i < XENIA_BLK_RING_SIZE; i++) {
        struct xenia_blk_request r;
        uint64_t *w = (uint64_t *)&r;
        for (unsigned k = 0; k < sizeof(r) / 8; k++)
            w[k] = rand64();
        if (i % 4 == 0) {   /* some plausible ones too */
            r.operation = (uint8_t)(rand64() % 4);
            r.len = (uint32_t)(rand64() % 300) * 512;
            r.sector = rand64() % (blk_sectors() + 300);
            r.buf_off = XENIA_IOWIN_DATA_OFF + rand64() % (xenia_start_info()->iowin_bytes);
            memset(r.pad0, 0, sizeof(r.pad0));
        }
        if (r.operation == XENIA_BLKOP_TEST_SYSCALL)   /* would kill a test build of the dm */
            r.operation = 0xf1;
        xt_check(blk_submit_raw(&r) == 0, "garbage request %u queued", i);
    }
    while (blk_outstanding() > 0 && blk_wait_raw(&rsp) == 0)
        answered++;
    xt_check_eq(answered, XENIA_BLK_RING_SIZE, "a ring of garbage: every request answered");
    xt_check_eq(sr->rsp_prod - base, XENIA_BLK_RING_SIZE, "responses published");
    works("a ring of garbage");

    /* Slots rewritten right after publishing (races the backend's copy). */
    for (unsigned round = 0; round < 20; round++) {
        struct xenia_blk_request r = { .operation = XENIA_BLKOP_READ, .len = 4096, .id = round,
                                       .sector = 8, .buf_off = XENIA_IOWIN_DATA_OFF };
        for (unsigned i = 0; i < 32; i++)
            (void)blk_submit_raw(&r);
        for (unsigned i = 0; i < XENIA_BLK_RING_SIZE; i++) {
            sr->req[i].len = 0xffffff00u;
            sr->req[i].buf_off = ~0ull;
            sr->req[i].sector = ~0ull;
        }
        answered = 0;
        while (blk_outstanding() > 0 && blk_wait_raw(&rsp) == 0)
            answered++;
        xt_check(answered == 32, "rewritten slots, round %u: %u of 32 answered", round, answered);
    }
    works("rewritten slots");
}

int main(void)
{
    uint32_t gen0;

    if (blk_test_init() != 0)
        xt_done();
    gen0 = xenia_shared()->dm_generation;
    blk_set_timeout(10000 * MS);
    request_loop();
    bad_requests();
    runaway_and_behind();
    garbage_ring();
    printf("backend counted %llu requests, %llu errors\n",
           (unsigned long long)blk_sring()->requests, (unsigned long long)blk_sring()->errors);
    xt_check(blk_sring()->errors >= 30, "the backend counted the errors");
    xt_check_eq(xenia_shared()->dm_generation, gen0, "the dm never restarted");
    blk_print_stats("blk_hostile");
    xt_done();
}
