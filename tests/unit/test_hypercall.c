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
                                   .evtchn = f_evtchn, .gnttab = f_gnttab, .xsm = f_xsm,
                                   .attest = f_attest };

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

/* ---- attest_op ------------------------------------------------------------------------- */
#define AQ   UBUF                /* the struct xenia_attest_quote */
#define AOUT (UBUF + 0x1000)     /* its output buffer */

static void put_q(uint64_t gva, const struct xenia_attest_quote *q)
{
    memcpy(ram + gva, q, sizeof(*q));
}

static struct xenia_attest_quote get_q(uint64_t gva)
{
    struct xenia_attest_quote q;
    memcpy(&q, ram + gva, sizeof(q));
    return q;
}

/* A valid request: nonce 0x40.., output at @buf (@len bytes). */
static struct xenia_attest_quote good_q(uint64_t buf, uint32_t len)
{
    struct xenia_attest_quote q;
    memset(&q, 0, sizeof(q));
    q.version = XENIA_INTERFACE_VERSION;
    for (int i = 0; i < 32; i++)
        q.nonce[i] = (uint8_t)(0x40 + i);
    q.buf = buf;
    q.buf_len = len;
    return q;
}

/* Is every byte of ram[gva..gva+n) equal to c? */
static int ram_all(uint64_t gva, size_t n, uint8_t c)
{
    for (size_t i = 0; i < n; i++)
        if (ram[gva + i] != c)
            return 0;
    return 1;
}

/* A good call copies TPMS_ATTEST then TPMT_SIGNATURE and sets both lengths. */
static void attest_good(void **state)
{
    struct xenia_attest_quote q = good_q(AOUT, 4096), r;
    (void)state;
    f_attest_calls = 0;
    memset(ram + AOUT, 0x5a, 256);
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), 0);
    assert_int_equal(f_attest_calls, 1);
    assert_int_equal(fx.hooks, 1);
    assert_int_equal(fx.last_hook, XSM_H_attest_guest_quote);
    r = get_q(AQ);
    assert_int_equal(r.attest_len, 64);
    assert_int_equal(r.sig_len, 16);
    assert_memory_equal(ram + AOUT, q.nonce, 32);           /* the fake's attest: nonce twice */
    assert_memory_equal(ram + AOUT + 32, q.nonce, 32);
    for (int i = 0; i < 16; i++)                             /* then its signature */
        assert_int_equal(ram[AOUT + 64 + i], 0xa0 + i + XENIA_ATTESTOP_quote);
    assert_true(ram_all(AOUT + 80, 256 - 80, 0x5a));        /* nothing past attest+sig */
    assert_memory_equal(r.nonce, q.nonce, 32);               /* IN fields kept */
    assert_int_equal(r.buf, AOUT);
    assert_int_equal(r.buf_len, 4096);
    /* ak_pub, with exactly enough room, at a buffer spanning a page boundary. */
    q = good_q(AOUT + 0xfd0, 80);
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_ak_pub, AQ, 0), 0);
    assert_int_equal(ram[AOUT + 0xfd0 + 64], 0xa0 + XENIA_ATTESTOP_ak_pub);
    assert_int_equal(get_q(AQ).attest_len, 64);
    assert_int_equal(fx.last_hook, XSM_H_attest_guest_quote);
    assert_int_equal(f_attest_calls, 2);
}

/* Decode refuses bad commands, pads, versions and sizes: no XSM question, no op call,
 * the struct untouched. */
static void attest_einval(void **state)
{
    struct xenia_attest_quote q, before;
    (void)state;
    f_attest_calls = 0;
    q = good_q(AOUT, 4096);
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, 2, AQ, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_attest_op, ~0ull, AQ, 0), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote | (1ull << 32), AQ, 0),
                     -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 1), -XENIA_EINVAL);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_ak_pub, AQ, 1ull << 63), -XENIA_EINVAL);
    for (int k = 0; k < 7; k++) {
        q = good_q(AOUT, 4096);
        q.attest_len = 0x1111;   /* OUT fields: must stay as they are */
        q.sig_len = 0x2222;
        switch (k) {
        case 0: q.pad = 1; break;
        case 1: q.pad = 0x80000000u; break;
        case 2: q.pad2 = 1; break;
        case 3: q.version = XENIA_INTERFACE_VERSION + 1; break;
        case 4: q.version = 0; break;
        case 5: q.buf_len = XENIA_CONSOLEIO_MAX + 1; break;
        case 6: q.buf_len = 0xffffffffu; break;
        }
        put_q(AQ, &q);
        before = q;
        assert_int_equal(hc(XENIA_HC_attest_op, k & 1 ? XENIA_ATTESTOP_ak_pub : XENIA_ATTESTOP_quote,
                            AQ, 0), -XENIA_EINVAL);
        q = get_q(AQ);
        assert_memory_equal(&q, &before, sizeof(q));
    }
    assert_int_equal(f_attest_calls, 0);
    assert_int_equal(fx.hooks, 0);
    /* The largest buffer accepted is XENIA_CONSOLEIO_MAX. */
    q = good_q(AOUT, XENIA_CONSOLEIO_MAX);
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), 0);
    assert_int_equal(f_attest_calls, 1);
}

/* Unmapped, supervisor-only and read-only structs or buffers: -EFAULT before any effect. */
static void attest_efault(void **state)
{
    static const uint64_t bad_buf[][2] = {
        { 0, 64 },                                /* unmapped page 0 */
        { SUP, 64 },                              /* supervisor only */
        { URO, 64 },                              /* read-only */
        { URO + 0xff0, 0x20 },                    /* read-only page into an unmapped one */
        { UBUF + 0x20000 - 0x20, 0x40 },          /* runs off the mapping */
        { 0xffffffffffffffc0ull, 0x100 },         /* wraps */
        { 0x0000800000000000ull, 64 },            /* non-canonical */
        { RAM + 0x1000, 64 },                     /* past guest RAM */
    };
    struct xenia_attest_quote q;
    (void)state;
    f_attest_calls = 0;
    for (size_t i = 0; i < sizeof(bad_buf) / sizeof(bad_buf[0]); i++) {
        q = good_q(bad_buf[i][0], (uint32_t)bad_buf[i][1]);
        q.attest_len = 0x1111;
        put_q(AQ, &q);
        assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_EFAULT);
        assert_int_equal(get_q(AQ).attest_len, 0x1111);
    }
    /* A buffer of zero length is never touched, wherever it points. */
    q = good_q(0, 0);
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_E2BIG);
    assert_int_equal(f_attest_calls, 1);
    /* The struct itself: unmapped, supervisor, read-only (it has OUT fields), partly mapped. */
    q = good_q(AOUT, 4096);
    memcpy(ram + URO, &q, sizeof(q));
    memcpy(ram + SUP, &q, sizeof(q));
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, 0, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, SUP, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, URO, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_ak_pub, URO, 0), -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, UBUF + 0x20000 - 32, 0),
                     -XENIA_EFAULT);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, 0xffffffffffffffe0ull, 0),
                     -XENIA_EFAULT);
    assert_int_equal(f_attest_calls, 1);
    assert_int_equal(fx.hooks, 1);
}

/* XSM denies attest:guest_quote: -EACCES, the op never runs, nothing is written. */
static void attest_denied(void **state)
{
    struct xenia_attest_quote q = good_q(AOUT, 4096);
    (void)state;
    f_attest_calls = 0;
    fx.deny_hooks = 1;
    q.attest_len = 0x1111;
    put_q(AQ, &q);
    memset(ram + AOUT, 0x5a, 128);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_EACCES);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_ak_pub, AQ, 0), -XENIA_EACCES);
    assert_int_equal(fx.hooks, 2);
    assert_int_equal(fx.last_hook, XSM_H_attest_guest_quote);
    assert_int_equal(f_attest_calls, 0);
    assert_int_equal(get_q(AQ).attest_len, 0x1111);
    assert_true(ram_all(AOUT, 128, 0x5a));
}

/* A buffer too small: -E2BIG with both lengths filled in and the buffer untouched. */
static void attest_e2big(void **state)
{
    struct xenia_attest_quote q = good_q(AOUT, 79), r;   /* the fake writes 64 + 16 */
    (void)state;
    memset(ram + AOUT, 0x5a, 128);
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_E2BIG);
    r = get_q(AQ);
    assert_int_equal(r.attest_len, 64);
    assert_int_equal(r.sig_len, 16);
    assert_true(ram_all(AOUT, 128, 0x5a));
    /* Retry with the size reported: succeeds. */
    r.buf_len = r.attest_len + r.sig_len;
    r.attest_len = r.sig_len = 0;
    put_q(AQ, &r);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), 0);
    assert_int_equal(ram[AOUT + 79], 0xa0 + 15);
}

/* What the op reports passes through; an op's lengths past hv's own buffer are never
 * copied (an over-read of hv memory otherwise). */
static int64_t att_rc;
static uint32_t att_alen, att_slen, att_calls;
static int64_t f_attest_script(void *ctx, uint32_t cmd, const uint8_t nonce[32], uint8_t *out,
                               uint32_t cap, uint32_t *alen, uint32_t *slen)
{
    (void)ctx; (void)cmd; (void)nonce;
    att_calls++;
    memset(out, 0x77, cap);
    *alen = att_alen;
    *slen = att_slen;
    return att_rc;
}

static void attest_op_results(void **state)
{
    struct hc_ops o = ops;
    struct xenia_attest_quote q = good_q(AOUT, 4096), r;
    static const int64_t errs[] = { -XENIA_EAGAIN, -XENIA_ENODATA, -XENIA_EIO };
    (void)state;
    o.attest = f_attest_script;
    d.ops = &o;
    att_calls = 0;
    for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
        att_rc = errs[i];
        att_alen = 10;
        att_slen = 10;
        q.attest_len = 0x1111;
        put_q(AQ, &q);
        memset(ram + AOUT, 0x5a, 64);
        assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), errs[i]);
        assert_int_equal(get_q(AQ).attest_len, 0x1111);   /* an error writes nothing */
        assert_true(ram_all(AOUT, 64, 0x5a));
    }
    /* The op itself says E2BIG (its own buffer): lengths reported, nothing copied. */
    att_rc = -XENIA_E2BIG;
    att_alen = 3000;
    att_slen = 500;
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_E2BIG);
    r = get_q(AQ);
    assert_int_equal(r.attest_len, 3000);
    assert_int_equal(r.sig_len, 500);
    assert_true(ram_all(AOUT, 64, 0x5a));
    /* A (buggy) op claiming success with more bytes than hv's buffer holds: refused,
     * not copied, even though the guest's buffer (4096) is large enough. */
    att_rc = 0;
    att_alen = 4000;
    att_slen = 0;
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_E2BIG);
    assert_true(ram_all(AOUT, 64, 0x5a));
    att_alen = 0xffffffffu;    /* and lengths whose sum wraps 32 bits */
    att_slen = 2;
    put_q(AQ, &q);
    assert_int_equal(hc(XENIA_HC_attest_op, XENIA_ATTESTOP_quote, AQ, 0), -XENIA_E2BIG);
    assert_true(ram_all(AOUT, 64, 0x5a));
    assert_int_equal(att_calls, 6);
    d.ops = &ops;
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
        cmocka_unit_test_setup(attest_good, reset),
        cmocka_unit_test_setup(attest_einval, reset),
        cmocka_unit_test_setup(attest_efault, reset),
        cmocka_unit_test_setup(attest_denied, reset),
        cmocka_unit_test_setup(attest_e2big, reset),
        cmocka_unit_test_setup(attest_op_results, reset),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
