// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// expect-console: blk_persist: wrote seq
// timeout: 60
// needs: a device model and a disk of at least 4 MiB that persists between boots
/* SPDX-License-Identifier: MIT */
/*
 * Persistence across boots (and dm restarts): each boot verifies what the
 * previous boot wrote and acknowledged, then writes the next generation.
 *   sector 0            header: magic, seq, area, crc of the data
 *   area A / area B     NBLK blocks of 4 KiB with pattern (seq, block)
 * Generation seq goes to area seq % 2 and the header is written (and flushed)
 * only after its data was acknowledged and flushed, so the header always
 * names a complete generation. Console lines (parseable):
 *   blk_persist: fresh disk
 *   blk_persist: verified seq N
 *   blk_persist: MISMATCH seq N block B byte X
 *   blk_persist: wrote seq N (acked)
 */
#include "blk_common.h"

#define MAGIC    0x5453495352455058ull   /* "XPERSIST" */
#define NBLK     32u
#define BLK      4096u
#define AREA0    8ull                    /* sectors */
#define AREA1    (AREA0 + NBLK * BLK / 512)

struct header {
    uint64_t magic, seq, area, blocks;
    uint8_t pad[512 - 32];
};

static uint8_t blkbuf[BLK];
static struct header hdr;

static uint64_t area_sector(uint64_t area)
{
    return area ? AREA1 : AREA0;
}

int main(void)
{
    uint64_t seq = 0;

    if (blk_test_init() != 0)
        xt_done();
    xt_check_eq(blk_read(0, &hdr, sizeof(hdr)), 0, "read the header");
    if (hdr.magic != MAGIC) {
        printf("blk_persist: fresh disk\n");
    } else {
        unsigned bad = 0;

        seq = hdr.seq;
        xt_check(hdr.area == (seq & 1) && hdr.blocks == NBLK, "header of seq %llu is consistent",
                 (unsigned long long)seq);
        for (uint64_t b = 0; b < NBLK; b++) {
            long off;

            xt_check_eq(blk_read(area_sector(seq & 1) + b * (BLK / 512), blkbuf, BLK), 0,
                        "read a block");
            off = pat_check(blkbuf, BLK, seq * 1000 + b);
            if (off >= 0) {
                printf("blk_persist: MISMATCH seq %llu block %llu byte %ld\n",
                       (unsigned long long)seq, (unsigned long long)b, off);
                bad++;
            }
        }
        xt_check_eq(bad, 0, "blocks of the previous generation intact");
        if (bad == 0)
            printf("blk_persist: verified seq %llu\n", (unsigned long long)seq);
    }

    seq++;
    for (uint64_t b = 0; b < NBLK; b++) {
        pat_fill(blkbuf, BLK, seq * 1000 + b);
        xt_check_eq(blk_write(area_sector(seq & 1) + b * (BLK / 512), blkbuf, BLK), 0,
                    "write a block");
    }
    if (blk_features() & XENIA_BLK_F_FLUSH)
        xt_check_eq(blk_flush(), 0, "flush the data");
    memset(&hdr, 0, sizeof(hdr));
    hdr.magic = MAGIC;
    hdr.seq = seq;
    hdr.area = seq & 1;
    hdr.blocks = NBLK;
    xt_check_eq(blk_write(0, &hdr, sizeof(hdr)), 0, "write the header");
    if (blk_features() & XENIA_BLK_F_FLUSH)
        xt_check_eq(blk_flush(), 0, "flush the header");
    if (xt_failures() == 0)
        printf("blk_persist: wrote seq %llu (acked)\n", (unsigned long long)seq);
    xt_done();
}
