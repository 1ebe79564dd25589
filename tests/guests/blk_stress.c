// dm-expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 300
// needs: a device model and a disk of at least 4 MiB; meant to run while the
// needs: test driver kills the dm (SIGKILL) and hv restarts it
/* SPDX-License-Identifier: MIT */
/*
 * Block writes that must survive device-model restarts. Writes numbered
 * 4 KiB blocks in a loop (block k at slot k % SPAN, content pattern(k)),
 * reads each back once it was acknowledged, and reports on the console:
 *   blk_stress: ack K                  block K's write was acknowledged
 *   blk_stress: MISMATCH K byte X      read-back differs (a lost write)
 *   blk_stress: retry K rc R           an operation failed; it is retried
 *   blk_stress: done count=N mismatches=M generations=G
 * A final pass re-reads the last SPAN blocks. Command line: count=N
 * (default 2000), quiet=1 (print every 100th ack only).
 */
#include "blk_common.h"

#define SPAN  256u
#define BLK   4096u
#define BASE  64ull   /* first sector used */

static uint8_t buf[BLK];

/* Retry an operation until it succeeds (bounded: 100 tries). */
static int retry_op(int write, uint64_t k, uint64_t sector)
{
    for (unsigned t = 0; t < 100; t++) {
        int rc = write ? blk_write(sector, buf, BLK) : blk_read(sector, buf, BLK);
        if (rc == 0)
            return 0;
        printf("blk_stress: retry %llu rc %d\n", (unsigned long long)k, rc);
        xenia_block(xenia_now_ns() + 100 * MS);
    }
    return -1;
}

int main(void)
{
    uint64_t count = cmdline_num("count", 2000), quiet = cmdline_num("quiet", 0);
    uint64_t mismatches = 0, gen0;
    struct blk_stats st;

    if (blk_test_init() != 0)
        xt_done();
    xt_check(blk_sectors() >= BASE + SPAN * (BLK / 512), "disk large enough");
    gen0 = xenia_shared()->dm_generation;
    blk_set_timeout(5000 * MS);   /* then retry: a dm restart takes a moment */
    for (uint64_t k = 0; k < count; k++) {
        uint64_t sector = BASE + (k % SPAN) * (BLK / 512);
        long off;

        pat_fill(buf, BLK, k);
        if (retry_op(1, k, sector) != 0) {
            xt_check(0, "write of block %llu never succeeded", (unsigned long long)k);
            break;
        }
        if (!quiet || k % 100 == 0)
            printf("blk_stress: ack %llu\n", (unsigned long long)k);
        memset(buf, 0, BLK);
        if (retry_op(0, k, sector) != 0) {
            xt_check(0, "read of block %llu never succeeded", (unsigned long long)k);
            break;
        }
        off = pat_check(buf, BLK, k);
        if (off >= 0) {
            printf("blk_stress: MISMATCH %llu byte %ld\n", (unsigned long long)k, off);
            mismatches++;
        }
    }
    /* Every acknowledged write of the last span is still there. */
    for (uint64_t k = count > SPAN ? count - SPAN : 0; k < count; k++) {
        if (retry_op(0, k, BASE + (k % SPAN) * (BLK / 512)) != 0)
            break;
        if (pat_check(buf, BLK, k) >= 0) {
            printf("blk_stress: MISMATCH %llu (final pass)\n", (unsigned long long)k);
            mismatches++;
        }
    }
    blk_get_stats(&st);
    printf("blk_stress: done count=%llu mismatches=%llu generations=%llu\n",
           (unsigned long long)count, (unsigned long long)mismatches,
           (unsigned long long)(xenia_shared()->dm_generation - gen0));
    blk_print_stats("blk_stress");
    xt_check_eq(mismatches, 0, "no lost or corrupted write");
    xt_done();
}
