/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for hv/hypercall.c: every hypercall's decode step refuses bad
 * arguments before the invoke step has any effect (the fake ops record effects).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xenia/hypercall.h>
#include <xenia/start_info.h>

#include "../../hv/evtchn.h"
#include "../../hv/hypercall.h"
#include "pt_helper.h"

#define RAM (4u << 20)
#define UBUF 0x200000ull   /* user RW */
#define URO  0x1000ull     /* user RO */
#define SUP  0x3000ull     /* supervisor */

static uint8_t *ram;
static struct hc_domain d;

static struct {
    char out[8192];
    uint32_t out_len, writes;
    const char *input;
    uint32_t yields, blocks, shutdowns;
    uint64_t deadline;
    uint32_t reason;
    uint32_t hooks, deny_hooks;
    enum xsm_hook last_hook;
} fx;

static void f_write(void *ctx, const char *buf, uint32_t len)
{
    (void)ctx;
    memcpy(fx.out + fx.out_len, buf, len);
    fx.out_len += len;
    fx.writes++;
}
static uint32_t f_read(void *ctx, char *buf, uint32_t len)
{
    uint32_t n = (uint32_t)strlen(fx.input);
    (void)ctx;
    if (n > len)
        n = len;
    memcpy(buf, fx.input, n);
    fx.input += n;
    return n;
}
static void f_yield(void *ctx) { (void)ctx; fx.yields++; }
static int64_t f_block(void *ctx, uint64_t dl) { (void)ctx; fx.blocks++; fx.deadline = dl; return -XENIA_ETIME; }
static void f_shutdown(void *ctx, uint32_t r) { (void)ctx; fx.shutdowns++; fx.reason = r; }
static int f_xsm(void *ctx, enum xsm_hook h)
{
    (void)ctx;
    fx.hooks++;
    fx.last_hook = h;
    return fx.deny_hooks ? -13 : 0;
}
#include "hc_fake_ops.h"
static const struct hc_ops ops = { .console_write = f_write, .console_read = f_read,
                                   .yield = f_yield, .block = f_block, .shutdown = f_shutdown,
                                   .evtchn = f_evtchn, .gnttab = f_gnttab, .xsm = f_xsm };

static int setup(void **state)
{
    struct pt_builder b;
    (void)state;
    ram = calloc(1, RAM);
    pt_init(&b, ram, 0x10000);
    pt_map_range(&b, URO, 0x1000, PT_US);
    pt_map_range(&b, SUP, 0x1000, 0);
    pt_map_range(&b, UBUF, 0x20000, PT_US | PT_RW);
    memset(&d, 0, sizeof(d));
    d.domid = 7;
    d.mem = (struct gmem){ .ram = ram, .ram_bytes = RAM, .cr3 = b.cr3 };
    d.map[0] = (struct xenia_mem_region){ 0x1000, 0x1000, XENIA_MEMTYPE_START_INFO, 0 };
    d.map[1] = (struct xenia_mem_region){ 0x2000, 0x1000, XENIA_MEMTYPE_SHARED, 0 };
    d.map[2] = (struct xenia_mem_region){ 0x200000, RAM - 0x200000, XENIA_MEMTYPE_RAM, 0 };
    d.nr_map = 3;
    d.build_id = "test-build";
    d.ops = &ops;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ram);
    return 0;
}

static int reset(void **state)
{
    (void)state;
    memset(&fx, 0, sizeof(fx));
    fx.input = "";
    memset(ram + UBUF, 0, 0x20000);
    return 0;
}

static int64_t hc(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct hc_regs r = { nr, a1, a2, a3, 0, 0 };
    return hc_dispatch(&d, &r);
}

static void unknown_numbers(void **state)
{
    (void)state;
    assert_int_equal(hc(0, 0, 0, 0), -XENIA_ENOSYS);
    assert_int_equal(hc(7, 0, 0, 0), -XENIA_ENOSYS);
    assert_int_equal(hc(XENIA_HC_MAX - 1, 0, 0, 0), -XENIA_ENOSYS);
    assert_int_equal(hc(XENIA_HC_MAX, 0, 0, 0), -XENIA_ENOSYS);
    assert_int_equal(hc(1ull << 63, 0, 0, 0), -XENIA_ENOSYS);
    assert_int_equal(hc(~0ull, 0, 0, 0), -XENIA_ENOSYS);
}

/* XSM: asked after decode and before invoke; a denied call changes nothing. */
static void xsm_hooks_gate(void **state)
{
    uint8_t before[64];

    (void)state;
    memcpy(ram + UBUF, "secret", 6);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 6, UBUF), 6);
    assert_int_equal(fx.hooks, 1);
    assert_int_equal(fx.last_hook, XSM_H_console_write);
    fx.deny_hooks = 1;
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 6, UBUF), -XENIA_EACCES);
    assert_int_equal(fx.writes, 1);                     /* the denied write did nothing */
    fx.input = "typed";
    memcpy(before, ram + UBUF + 0x100, sizeof(before));
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_read, 5, UBUF + 0x100), -XENIA_EACCES);
    assert_int_equal(fx.last_hook, XSM_H_console_read);
    assert_memory_equal(ram + UBUF + 0x100, before, sizeof(before));
    assert_string_equal(fx.input, "typed");            /* input not consumed */
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_version, 0, 0), -XENIA_EACCES);
    assert_int_equal(fx.last_hook, XSM_H_xen_version);
    /* A call refused by decode never reaches XSM. */
    fx.hooks = 0;
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 4, 0), -XENIA_EFAULT);
    assert_int_equal(fx.hooks, 0);
    /* Calls on the caller alone are not hooked: yield still works when XSM denies all. */
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_yield, 0, 0), 0);
    assert_int_equal(fx.yields, 1);
    assert_int_equal(fx.hooks, 0);
}

static void console_write(void **state)
{
    (void)state;
    memcpy(ram + UBUF + 0xffe, "hello", 5);   /* spans a page boundary */
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 5, UBUF + 0xffe), 5);
    assert_int_equal(fx.out_len, 5);
    assert_memory_equal(fx.out, "hello", 5);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 0, 0), 0);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 4, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 4, SUP), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 0x2000, 0xfffffffffffff000ull),
                     -XENIA_EINVAL);   /* longer than the maximum */
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 0x1000, 0xfffffffffffff800ull),
                     -XENIA_EFAULT);   /* wraps */
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, XENIA_CONSOLEIO_MAX + 1, UBUF),
                     -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write | (1ull << 32), 1, UBUF),
                     -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 1ull << 32, UBUF),
                     -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_console_io, 2, 1, UBUF), -XENIA_EINVAL);
    /* Buffer that runs off the mapped area is refused whole: nothing was written. */
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_write, 0x100, UBUF + 0x20000 - 0x80),
                     -XENIA_EFAULT);
    assert_int_equal(fx.writes, 1);
}

static void console_read(void **state)
{
    (void)state;
    fx.input = "abcdef";
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_read, 4, UBUF), 4);
    assert_memory_equal(ram + UBUF, "abcd", 4);
    /* Read into a read-only page: refused before any input is consumed. */
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_read, 2, URO), -XENIA_EFAULT);
    assert_string_equal(fx.input, "ef");
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_read, 10, UBUF), 2);
    assert_int_equal(hc(XENIA_HC_console_io, XENIA_CONSOLEIO_read, 10, UBUF), 0);
}

static void sched(void **state)
{
    struct xenia_sched_block blk = { .deadline_ns = 12345 };
    struct xenia_sched_shutdown sh = { .reason = XENIA_SHUTDOWN_crash };
    (void)state;
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_yield, 0, 0), 0);
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_yield, 1, 0), -XENIA_EINVAL);
    assert_int_equal(fx.yields, 1);
    memcpy(ram + UBUF, &blk, sizeof(blk));
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_block, UBUF, 0), -XENIA_ETIME);
    assert_int_equal(fx.deadline, 12345);
    blk.pad = 1;
    memcpy(ram + UBUF, &blk, sizeof(blk));
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_block, UBUF, 0), -XENIA_EINVAL);
    blk.pad = 0;
    blk.flags = 1;
    memcpy(ram + UBUF, &blk, sizeof(blk));
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_block, UBUF, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_block, 0, 0), -XENIA_EFAULT);
    assert_int_equal(fx.blocks, 1);
    for (uint32_t bad = 0; bad < 40; bad++) {
        if (bad == XENIA_SHUTDOWN_poweroff || bad == XENIA_SHUTDOWN_reboot || bad == XENIA_SHUTDOWN_crash)
            continue;
        sh.reason = bad;
        memcpy(ram + UBUF, &sh, sizeof(sh));
        assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_shutdown, UBUF, 0), -XENIA_EINVAL);
    }
    sh.reason = XENIA_SHUTDOWN_crash;
    sh.pad = 3;
    memcpy(ram + UBUF, &sh, sizeof(sh));
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_shutdown, UBUF, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_shutdown, SUP, 0), -XENIA_EFAULT);
    assert_int_equal(fx.shutdowns, 0);
    sh.pad = 0;
    memcpy(ram + UBUF, &sh, sizeof(sh));
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_shutdown, UBUF, 0), 0);
    assert_int_equal(fx.shutdowns, 1);
    assert_int_equal(fx.reason, XENIA_SHUTDOWN_crash);
    assert_int_equal(hc(XENIA_HC_sched_op, 3, 0, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_sched_op, XENIA_SCHEDOP_yield | (1ull << 40), 0, 0), -XENIA_EINVAL);
}

static void version(void **state)
{
    struct xenia_version_extra ex;
    (void)state;
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_version, 0, 0), XENIA_INTERFACE_VERSION);
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_domid, 0, 0), 7);
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_version, 1, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_extraversion, UBUF, 0), 0);
    memcpy(&ex, ram + UBUF, sizeof(ex));
    assert_string_equal(ex.extraversion, "-xenia");
    assert_string_equal(ex.build_id, "test-build");
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_extraversion, URO, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_xen_version, XENIA_XENVER_extraversion, UBUF + 0x20000 - 32, 0),
                     -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_xen_version, 99, 0, 0), -XENIA_EINVAL);
}

static void memory(void **state)
{
    struct xenia_memory_map mm = { .nr_entries = 2, .buffer = UBUF + 0x100 };
    struct xenia_mem_region reg[3];
    (void)state;
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_current_reservation, 0, 0), RAM >> 12);
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_current_reservation, 5, 0), -XENIA_EINVAL);
    memcpy(ram + UBUF, &mm, sizeof(mm));
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, UBUF, 0), -XENIA_E2BIG);
    memcpy(&mm, ram + UBUF, sizeof(mm));
    assert_int_equal(mm.nr_entries, 3);
    memcpy(reg, ram + UBUF + 0x100, 2 * sizeof(reg[0]));
    assert_int_equal(reg[1].type, XENIA_MEMTYPE_SHARED);
    memcpy(ram + UBUF, &mm, sizeof(mm));
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, UBUF, 0), 0);
    memcpy(reg, ram + UBUF + 0x100, sizeof(reg));
    assert_int_equal(reg[2].gpa, 0x200000);
    assert_int_equal(reg[2].type, XENIA_MEMTYPE_RAM);
    mm.nr_entries = XENIA_MEMMAP_MAX + 1;
    memcpy(ram + UBUF, &mm, sizeof(mm));
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, UBUF, 0), -XENIA_EINVAL);
    mm.nr_entries = 3;
    mm.pad = 1;
    memcpy(ram + UBUF, &mm, sizeof(mm));
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, UBUF, 0), -XENIA_EINVAL);
    mm.pad = 0;
    mm.buffer = URO;   /* output array read-only */
    memcpy(ram + UBUF, &mm, sizeof(mm));
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, UBUF, 0), -XENIA_EFAULT);
    mm.buffer = 0xfffffffffffffff0ull;   /* wraps */
    memcpy(ram + UBUF, &mm, sizeof(mm));
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, UBUF, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_memory_op, XENIA_XENMEM_memory_map, URO, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_memory_op, 2, 0, 0), -XENIA_EINVAL);
}

/* event_channel_op / grant_table_op: struct sizes, pads, count, OUT copy-back. */
static void struct_ops(void **state)
{
    struct xenia_evtchn_alloc_unbound au = { XENIA_DOMID_SELF, 9, 0, 0 };
    struct xenia_evtchn_status st;
    struct xenia_gnttab_query_size qs;
    struct xenia_gnttab_copy cp;

    (void)state;
    evtchn_table_init(&f_evt);
    f_struct_ops = 0;
    memcpy(ram + UBUF, &au, sizeof(au));
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_alloc_unbound, UBUF, 0), 0);
    memcpy(&au, ram + UBUF, sizeof(au));
    assert_int_equal(au.port, XENIA_PORT_FIRST_DYNAMIC);       /* OUT field written back */
    assert_int_equal(f_struct_ops, 1);
    /* Non-zero pad, unknown command, a third argument, a read-only OUT buffer: nothing runs. */
    au.pad = 1;
    memcpy(ram + UBUF, &au, sizeof(au));
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_alloc_unbound, UBUF, 0),
                     -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_event_channel_op, 1, UBUF, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_event_channel_op, 1ull << 32, UBUF, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_send, UBUF, 5), -XENIA_EINVAL);
    memset(&st, 0, sizeof(st));
    st.dom = XENIA_DOMID_SELF;
    st.port = XENIA_PORT_FIRST_DYNAMIC;
    memcpy(ram + URO, &st, sizeof(st));   /* URO is not mapped writable in the guest */
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, URO, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, SUP, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, UBUF + 0x20000 - 8, 0),
                     -XENIA_EFAULT);                             /* runs off the mapping */
    assert_int_equal(f_struct_ops, 1);
    memcpy(ram + UBUF, &st, sizeof(st));
    assert_int_equal(hc(XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, UBUF, 0), 0);
    memcpy(&st, ram + UBUF, sizeof(st));
    assert_int_equal(st.status, XENIA_EVTCHNSTAT_unbound);
    assert_int_equal(st.remote_dom, 9);
    /* grant_table_op: count must be 1, pads zero. */
    memset(&qs, 0xff, sizeof(qs));
    memcpy(ram + UBUF, &qs, sizeof(qs));
    assert_int_equal(hc(XENIA_HC_grant_table_op, XENIA_GNTTABOP_query_size, UBUF, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_grant_table_op, XENIA_GNTTABOP_query_size, UBUF, 2), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_grant_table_op, XENIA_GNTTABOP_query_size, UBUF, 1), 0);
    memcpy(&qs, ram + UBUF, sizeof(qs));
    assert_int_equal(qs.max_nr_frames, XENIA_GNTTAB_FRAMES);
    memset(&cp, 0, sizeof(cp));
    cp.pad = 3;
    memcpy(ram + UBUF, &cp, sizeof(cp));
    assert_int_equal(hc(XENIA_HC_grant_table_op, XENIA_GNTTABOP_copy, UBUF, 1), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_grant_table_op, 4 /* transfer */, UBUF, 1), -XENIA_EINVAL);
    assert_int_equal(f_last_cmd, XENIA_GNTTABOP_query_size);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(unknown_numbers, reset),
        cmocka_unit_test_setup(console_write, reset),
        cmocka_unit_test_setup(xsm_hooks_gate, reset),
        cmocka_unit_test_setup(console_read, reset),
        cmocka_unit_test_setup(sched, reset),
        cmocka_unit_test_setup(version, reset),
        cmocka_unit_test_setup(memory, reset),
        cmocka_unit_test_setup(struct_ops, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
