// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 60
// needs: a device model and a disk of at least 4 MiB (read-write)
/* SPDX-License-Identifier: MIT */
/*
 * Block device basics through the block frontend (iofront.h) and the dm's
 * blkback: write / read back / flush of 4 KiB, 64 KiB and 256 KiB patterns,
 * many requests in flight, the last sector, out-of-range sectors, bad
 * buffer offsets and an unknown operation (error responses, device still
 * usable). The "dm-expect-shutdown" header becomes "expect-shutdown" once
 * tests/guests/run.sh gives domains a dm and a disk.
 */
#include "blk_common.h"

static uint8_t buf[256 << 10], back[256 << 10];

static void rw_pattern(uint64_t sector, size_t len, uint64_t tag)
{
    long bad;

    pat_fill(buf, len, tag);
    xt_check_eq(blk_write(sector, buf, len), 0, "write");
    memset(back, 0, len);
    xt_check_eq(blk_read(sector, back, len), 0, "read back");
    bad = pat_check(back, len, tag);
    xt_check(bad < 0, "%zu bytes at sector %llu differ at byte %ld", len,
             (unsigned long long)sector, bad);
}

static int32_t raw1(uint8_t op, uint32_t len, uint64_t sector, uint64_t buf_off, uint8_t pad)
{
    struct xenia_blk_request r = { .operation = op, .len = len, .id = 0xfeed, .sector = sector,
                                   .buf_off = buf_off };
    struct xenia_blk_response rsp;

    r.pad0[1] = pad;
    if (blk_submit_raw(&r) != 0 || blk_wait_raw(&rsp) != 0) {
        xt_check(0, "raw request op %u not answered", op);
        return 99;
    }
    xt_check_eq(rsp.id, 0xfeed, "raw response id");
    return rsp.status;
}

static void in_flight(void)
{
    struct blk_io io[32];
    uint8_t *bufs[16];
    int rc;

    for (unsigned i = 0; i < 16; i++) {
        bufs[i] = blk_buf_alloc(4096);
        xt_check(bufs[i] != NULL, "window buffer %u", i);
        if (bufs[i] == NULL)
            return;
        pat_fill(bufs[i], 4096, 1000 + i);
        io[i] = (struct blk_io){ .op = XENIA_BLKOP_WRITE, .len = 4096, .sector = 2048 + 8 * i,
                                 .buf = bufs[i] };
    }
    rc = blk_rw_many(io, 16, 16);
    xt_check_eq(rc, 0, "16 writes in flight");
    for (unsigned i = 0; i < 16; i++) {
        memset(bufs[i], 0, 4096);
        io[i].op = XENIA_BLKOP_READ;
        io[i].sector = 2048 + 8 * (15 - i);   /* read them back in reverse */
    }
    rc = blk_rw_many(io, 16, 16);
    xt_check_eq(rc, 0, "16 reads in flight");
    for (unsigned i = 0; i < 16; i++)
        xt_check(pat_check(bufs[i], 4096, 1000 + 15 - i) < 0, "in-flight read %u content", i);
    blk_buf_free_all();
}

int main(void)
{
    uint64_t n;
    uint64_t iowin_bytes = xenia_start_info()->iowin_bytes;

    if (blk_test_init() != 0)
        xt_done();
    n = blk_sectors();
    xt_check(n >= 8192, "disk of %llu sectors is smaller than 4 MiB", (unsigned long long)n);

    rw_pattern(0, 4096, 1);
    rw_pattern(128, 65536, 2);
    rw_pattern(1024, sizeof(buf), 3);   /* two XENIA_BLK_MAX_LEN requests */
    rw_pattern(n - 1, 512, 4);          /* the last sector */
    if (blk_features() & XENIA_BLK_F_FLUSH)
        xt_check_eq(blk_flush(), 0, "flush");
    /* What was written first is still there. */
    xt_check_eq(blk_read(0, back, 4096), 0, "read sector 0 again");
    xt_check(pat_check(back, 4096, 1) < 0, "sector 0 kept its pattern");
    in_flight();

    /* Errors: out of range, straddling the end, bad lengths. */
    xt_check_eq(blk_read(n, back, 512), -XENIA_EIO, "read at the disk's end");
    xt_check_eq(blk_read(n - 1, back, 1024), -XENIA_EIO, "read straddling the end");
    xt_check_eq(blk_write(~0ull >> 1, buf, 512), -XENIA_EIO, "write at sector 2^63-1");
    xt_check_eq(blk_read(0, back, 100), -XENIA_EINVAL, "length not a sector multiple");

    /* Bad buffers and operations, straight onto the ring. */
    xt_check_eq(raw1(XENIA_BLKOP_READ, 512, 0, XENIA_IOWIN_BLK_OFF, 0), XENIA_BLK_RSP_ERROR,
                "buffer over the block ring");
    xt_check_eq(raw1(XENIA_BLKOP_READ, 512, 0, 0, 0), XENIA_BLK_RSP_ERROR, "buffer at offset 0");
    xt_check_eq(raw1(XENIA_BLKOP_READ, 1024, 0, iowin_bytes - 512, 0), XENIA_BLK_RSP_ERROR,
                "buffer past the window");
    xt_check_eq(raw1(XENIA_BLKOP_READ, 512, 0, XENIA_IOWIN_DATA_OFF, 1), XENIA_BLK_RSP_ERROR,
                "non-zero pad");
    xt_check_eq(raw1(0x42, 512, 0, XENIA_IOWIN_DATA_OFF, 0), XENIA_BLK_RSP_EOPNOTSUPP,
                "unknown operation");
    xt_check_eq(raw1(XENIA_BLKOP_TEST_SYSCALL, 0, 1, 0, 0), XENIA_BLK_RSP_EOPNOTSUPP,
                "test operation on a production dm");

    /* Still working, and the dm never restarted. */
    rw_pattern(4096, 8192, 5);
    xt_check_eq(blk_sring()->backend_state, XENIA_DEV_CONNECTED, "backend state");
    blk_print_stats("blk_basic");
    xt_done();
}
