// dm-expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// expect-console: BENCH blk
// timeout: 300
// needs: a device model and a disk of at least 20 MiB (read-write)
/* SPDX-License-Identifier: MIT */
/*
 * Block throughput through the dm: 4 KiB and 64 KiB writes then reads over
 * TOTAL bytes, DEPTH requests in flight (blk_rw_many), buffers in the
 * window's data area. One parseable line per case:
 *   BENCH blk op=write bs=4096 depth=16 bytes=16777216 ns=123456789 kBps=135000
 * Command line: mib=N (default 16), depth=D (default 16).
 */
#include "blk_common.h"

#define MAXDEPTH 32u

static struct blk_io io[MAXDEPTH];

static void bench(uint8_t op, uint32_t bs, uint64_t total, unsigned depth, uint8_t **bufs)
{
    uint64_t n = total / bs, done = 0, t0, ns;
    int rc = 0;

    t0 = xenia_now_ns();
    while (done < n && rc == 0) {
        unsigned batch = n - done < depth ? (unsigned)(n - done) : depth;

        for (unsigned i = 0; i < batch; i++)
            io[i] = (struct blk_io){ .op = op, .len = bs,
                                     .sector = 2048 + (done + i) * (bs / 512), .buf = bufs[i] };
        rc = blk_rw_many(io, batch, depth);
        done += batch;
    }
    ns = xenia_now_ns() - t0;
    xt_check_eq(rc, 0, "benchmark I/O");
    if (ns == 0)
        ns = 1;
    printf("BENCH blk op=%s bs=%u depth=%u bytes=%llu ns=%llu kBps=%llu\n",
           op == XENIA_BLKOP_WRITE ? "write" : "read", bs, depth,
           (unsigned long long)(n * bs), (unsigned long long)ns,
           (unsigned long long)(n * bs * 1000000ull / ns));
}

int main(void)
{
    uint64_t total = cmdline_num("mib", 16) << 20;
    unsigned depth = (unsigned)cmdline_num("depth", 16);
    static const uint32_t sizes[2] = { 4096, 65536 };
    uint8_t *bufs[MAXDEPTH];

    if (blk_test_init() != 0)
        xt_done();
    if (depth == 0 || depth > MAXDEPTH)
        depth = 16;
    xt_check(blk_sectors() * 512 >= total + (1 << 20) + 2048 * 512, "disk large enough");
    for (unsigned s = 0; s < 2; s++) {
        unsigned d = depth;

        blk_buf_free_all();
        for (unsigned i = 0; i < d; i++) {
            bufs[i] = blk_buf_alloc(sizes[s]);
            if (bufs[i] == NULL) {   /* the data area holds fewer 64 KiB buffers */
                d = i;
                break;
            }
            pat_fill(bufs[i], sizes[s], i);
        }
        xt_check(d > 0, "buffers for %u-byte requests", sizes[s]);
        if (d == 0)
            continue;
        bench(XENIA_BLKOP_WRITE, sizes[s], total, d, bufs);
        bench(XENIA_BLKOP_READ, sizes[s], total, d, bufs);
    }
    blk_print_stats("blk_bench");
    xt_done();
}
