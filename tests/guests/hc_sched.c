// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 30
/* SPDX-License-Identifier: MIT */
/*
 * sched_op (hypercall.h): yield, block (deadlines, pending events, masks) and
 * shutdown with invalid arguments. Every event port is masked first, so that
 * only the deadline (or a pending bit this test sets itself) can end a block.
 */
#include "hc_common.h"

#define MS 1000000ull
#define TEST_PORT (XENIA_PORT_FIRST_DYNAMIC + 5)

static const struct xenia_sched_block ro_block = { .deadline_ns = 1, .flags = 0, .pad = 0 };

static long block_at(uint64_t gva)
{
    return xenia_sched_op(XENIA_SCHEDOP_block, gva);
}

static void test_yield_and_cmds(void)
{
    xt_check_eq(xenia_yield(), 0, "yield");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_yield, 1), -XENIA_EINVAL, "yield with arg 1");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_yield, 1ull << 40), -XENIA_EINVAL, "yield with arg 2^40");
    xt_check_eq(xenia_sched_op(3, 0), -XENIA_EINVAL, "cmd 3");
    xt_check_eq(xenia_sched_op(1000, 0), -XENIA_EINVAL, "cmd 1000");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_yield | (1ull << 32), 0), -XENIA_EINVAL,
                "yield | 1<<32");
    xt_check_eq(xenia_sched_op(~0ull, 0), -XENIA_EINVAL, "cmd ~0");
}

static void test_block_args(uint64_t guard)
{
    struct xenia_sched_block b = { .deadline_ns = 1, .flags = 0, .pad = 0 };
    uint8_t *tail = (uint8_t *)(uintptr_t)(guard - 8);

    xt_check_eq(block_at(BAD_NULL), -XENIA_EFAULT, "block NULL");
    xt_check_eq(block_at(BAD_PAGE0), -XENIA_EFAULT, "block page 0");
    xt_check_eq(block_at(BAD_BUILDER), -XENIA_EFAULT, "block builder area");
    xt_check_eq(block_at(guard), -XENIA_EFAULT, "block guard page");
    memcpy(tail, &b, 8);   /* deadline_ns in the heap, flags and pad in the guard page */
    xt_check_eq(block_at(guard - 8), -XENIA_EFAULT, "block struct running into the guard page");
    xt_check_eq(block_at(0xfffffffffffffff8ull), -XENIA_EFAULT, "block struct that wraps");
    xt_check_eq(block_at(BAD_NONCANON), -XENIA_EFAULT, "block non-canonical");

    b.flags = 1;
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_block, XENIA_GVA(&b)), -XENIA_EINVAL, "block flags 1");
    b.flags = 0x80000000u;
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_block, XENIA_GVA(&b)), -XENIA_EINVAL,
                "block flags 1<<31");
    b.flags = 0;
    b.pad = 1;
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_block, XENIA_GVA(&b)), -XENIA_EINVAL, "block pad 1");
    /* An IN structure may be read-only. */
    xt_check_eq(block_at(XENIA_GVA(&ro_block)), -XENIA_ETIME, "block struct in rodata, past deadline");
}

static void test_block_time(void)
{
    uint64_t t0, t1, t2, deadline;
    long rc;

    t0 = xenia_now_ns();
    t1 = xenia_now_ns();
    xt_check(t1 >= t0, "clock is monotonic: %llu then %llu", (unsigned long long)t0,
             (unsigned long long)t1);
    xt_check(t0 > 0, "clock runs (system time %llu ns)", (unsigned long long)t0);

    xt_check_eq(xenia_block(1), -XENIA_ETIME, "block with deadline 1 ns (past)");
    t0 = xenia_now_ns();
    xt_check_eq(xenia_block(t0 > 1000 ? t0 - 1000 : 1), -XENIA_ETIME, "block with deadline 1 us ago");

    deadline = xenia_now_ns() + 20 * MS;
    rc = xenia_block(deadline);
    t1 = xenia_now_ns();
    xt_check_eq(rc, -XENIA_ETIME, "block 20 ms");
    xt_check(t1 >= deadline, "block returned before its deadline: now %llu < deadline %llu",
             (unsigned long long)t1, (unsigned long long)deadline);
    xt_check(t1 - deadline < 2000 * MS, "block overslept: %llu ns late",
             (unsigned long long)(t1 - deadline));

    deadline = xenia_now_ns() + 1 * MS;
    rc = xenia_block(deadline);
    t2 = xenia_now_ns();
    xt_check_eq(rc, -XENIA_ETIME, "block 1 ms");
    xt_check(t2 >= deadline, "1 ms block returned early by %llu ns",
             (unsigned long long)(deadline - t2));
}

static void test_block_events(void)
{
    volatile struct xenia_shared_page *sp = xenia_shared();
    uint64_t t0, t1;
    long rc;

    /* A pending, unmasked port ends a block at once. The guest may set its own bit. */
    xt_check(!xenia_test_and_set_bit(&sp->evtchn_pending[TEST_PORT / 64], TEST_PORT % 64),
             "port %u was not pending", TEST_PORT);
    xt_check(xenia_evtchn_is_pending(TEST_PORT), "port %u is pending", TEST_PORT);
    xenia_evtchn_unmask(TEST_PORT);
    t0 = xenia_now_ns();
    rc = xenia_block(t0 + 5000 * MS);
    t1 = xenia_now_ns();
    xt_check_eq(rc, 0, "block with an unmasked pending event");
    xt_check(t1 - t0 < 1000 * MS, "block with a pending event took %llu ns",
             (unsigned long long)(t1 - t0));
    xt_check(xenia_evtchn_is_pending(TEST_PORT), "block left the pending bit alone");

    /* Masked: the same pending bit no longer wakes. */
    xenia_evtchn_mask(TEST_PORT);
    xt_check_eq(xenia_block(xenia_now_ns() + 2 * MS), -XENIA_ETIME, "masked pending event");
    xt_check(xenia_evtchn_test_and_clear(TEST_PORT), "test_and_clear saw the bit");
    xt_check(!xenia_evtchn_is_pending(TEST_PORT), "bit cleared");
    xt_check(!xenia_evtchn_test_and_clear(TEST_PORT), "second test_and_clear sees 0");
    xt_check(!xenia_evtchn_is_pending(XENIA_NR_EVENT_PORTS), "out-of-range port is never pending");
}

static void test_shutdown_args(uint64_t guard)
{
    static const uint32_t bad[] = { 2, 4, XENIA_SHUTDOWN_fault, XENIA_SHUTDOWN_destroyed, 99,
                                    0x80000000u, 0xffffffffu };
    struct xenia_sched_shutdown s = { .reason = XENIA_SHUTDOWN_poweroff, .pad = 1 };

    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        xt_check(xenia_shutdown_op(bad[i]) == -XENIA_EINVAL, "shutdown reason %u accepted", bad[i]);
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_shutdown, XENIA_GVA(&s)), -XENIA_EINVAL,
                "shutdown pad 1");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_shutdown, BAD_NULL), -XENIA_EFAULT, "shutdown NULL");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_shutdown, BAD_BUILDER), -XENIA_EFAULT,
                "shutdown builder area");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_shutdown, guard), -XENIA_EFAULT, "shutdown guard page");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_shutdown, guard - 4), -XENIA_EFAULT,
                "shutdown struct running into the guard page");
    xt_check_eq(xenia_sched_op(XENIA_SCHEDOP_shutdown | (1ull << 32), XENIA_GVA(&s)),
                -XENIA_EINVAL, "shutdown | 1<<32");
}

int main(void)
{
    volatile struct xenia_shared_page *sp = xenia_shared();
    uint64_t guard = hc_guard_page();

    xt_check_eq(sp->magic, XENIA_SHARED_MAGIC, "shared page magic");
    xt_check_eq(sp->version, XENIA_SHARED_VERSION, "shared page version");
    for (unsigned i = 0; i < XENIA_EVTCHN_WORDS; i++)
        sp->evtchn_mask[i] = ~0ull;
    test_yield_and_cmds();
    test_block_args(guard);
    test_block_time();
    test_block_events();
    test_shutdown_args(guard);
    xt_done();
}
