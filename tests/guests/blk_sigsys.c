// needs: hv started with --dm xenia-dm-test (run by tests/integration/stubdom.sh)
/* SPDX-License-Identifier: MIT */
/*
 * The test build of the dm attempts a forbidden system call per request
 * (XENIA_BLKOP_TEST_SYSCALL, dm.h): open, socket, execve, ptrace, a KVM ioctl.
 * Each attempt must kill the dm (seccomp: SIGSYS); hv restarts it
 * (shared->dm_generation changes) and the next block read must succeed.
 * Console: "blk_sigsys: call N: restarted, generation G, read ok".
 */
#include <xenia/dm.h>

#include "blk_common.h"

#define SEC 1000000000ull

static uint8_t buf[4096];

int main(void)
{
    static const char *const names[] = { "", "open", "socket", "execve", "ptrace", "kvm ioctl" };
    volatile struct xenia_shared_page *sp = xenia_shared();

    xt_check_eq(blk_init(), 0, "blk_init");
    pat_fill(buf, sizeof(buf), 77);
    xt_check_eq(blk_write(8, buf, sizeof(buf)), 0, "write before the attempts");
    for (uint64_t k = XENIA_DM_TEST_OPEN; k <= XENIA_DM_TEST_KVM; k++) {
        uint32_t g0 = sp->dm_generation;
        struct xenia_blk_request r = { .operation = XENIA_BLKOP_TEST_SYSCALL, .id = 100 + k,
                                       .sector = k };
        struct xenia_blk_response rsp;
        uint64_t end;

        xt_check_eq(blk_submit_raw(&r), 0, "submit the test request");
        xt_check_eq(blk_wait_raw(&rsp), 0, "the test request is answered");
        end = xenia_now_ns() + 20 * SEC;
        while (sp->dm_generation == g0 && xenia_now_ns() < end)
            xenia_block(xenia_now_ns() + SEC / 50);
        xt_check(sp->dm_generation != g0, "the dm was restarted after attempting %s", names[k]);
        memset(buf, 0, sizeof(buf));
        xt_check_eq(blk_read(8, buf, sizeof(buf)), 0, "read after the restart");
        xt_check(pat_check(buf, sizeof(buf), 77) < 0, "data intact after the restart");
        printf("blk_sigsys: call %s: restarted, generation %u, read ok\n", names[k],
               (unsigned)sp->dm_generation);
    }
    xt_done();
}
