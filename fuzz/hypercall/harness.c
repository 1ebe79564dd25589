/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: hv/hypercall.c hc_dispatch() (+ hv/guestmem.c) with a fake domain,
 * as tests/unit/test_hypercall.c builds it: guest RAM is a heap buffer of the
 * exact size with 4-level page tables (tests/unit/pt_helper.h), the hc_ops are
 * fakes that record effects, and XSM allows or denies per call from an input bit.
 *
 * Input layout:
 *   bytes [0, PRE)      copied to the user RW buffer UBUF (guest structures)
 *   bytes [PRE, PRE+CIN) pending console input (NUL ends it early)
 *   then records of REC bytes, at most MAX_CALLS, one hypercall each:
 *     [0] nr (low 6 bits; bit 6 set: nr = the byte, to reach >= XENIA_HC_MAX)
 *     [1] a1 (cmd; bit 7 set: a1 |= 1 << 32)
 *     [2] flags: bit 0 = XSM denies; bits 1-3 = base of a2, bits 4-6 = base of a3
 *     [3..6] a2 offset (le32), [7..10] a3 offset (le32)
 *   A base is one of: 0 (raw), URO, SUP, UBUF, end of UBUF, OOR (maps past RAM),
 *   UNMAPPED, 2^64-4096; the value is base + offset (wrapping).
 * State carries over between calls in one run (console input consumed, memory
 * written by console_read/memory_map/xen_version read by later calls).
 * Invariants (abort() if broken): a call XSM denied or decode refused changed
 * nothing (no effect, guest memory unchanged); console writes are 1..4096 bytes
 * copied from user-readable guest memory; shutdown reasons are the valid ones;
 * guest memory outside the user RW buffer never changes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenia/hypercall.h>

#include "hv/evtchn.h"
#include "hv/hypercall.h"
#include "tests/unit/pt_helper.h"

#define RAM       (256u << 10)
#define PT_BASE   0x10000ull     /* page tables from here (< 0x20000) */
#define URO       0x1000ull      /* user read-only page */
#define SUP       0x3000ull      /* supervisor-only page */
#define UBUF      0x20000ull     /* user RW, UBUF_LEN bytes */
#define UBUF_LEN  0x8000ull
#define OOR       0x100000ull    /* user RW gva whose PTE points past the end of RAM */
#define UNMAPPED  0x200000ull
#define PRE       512u
#define CIN       64u
#define REC       11u
#define MAX_CALLS 16u

static uint8_t *ram, *snap;
static struct hc_domain d;

static struct {
    uint32_t writes, reads, yields, blocks, shutdowns, hooks;
    int deny;
    const uint8_t *in;
    size_t in_len;
} fx;

static uint32_t effects(void)
{
    return fx.writes + fx.reads + fx.yields + fx.blocks + fx.shutdowns;
}

static void f_write(void *ctx, const char *buf, uint32_t len)
{
    (void)ctx;
    if (len == 0 || len > XENIA_CONSOLEIO_MAX)
        abort();
    /* Touch every byte: ASan reports a copy shorter than claimed. */
    volatile uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum ^= (uint8_t)buf[i];
    (void)sum;
    fx.writes++;
}

static uint32_t f_read(void *ctx, char *buf, uint32_t len)
{
    size_t n = fx.in_len < len ? fx.in_len : len;
    (void)ctx;
    memcpy(buf, fx.in, n);
    fx.in += n;
    fx.in_len -= n;
    fx.reads++;
    return (uint32_t)n;
}

static void f_yield(void *ctx) { (void)ctx; fx.yields++; }
static int64_t f_block(void *ctx, uint64_t dl) { (void)ctx; (void)dl; fx.blocks++; return -XENIA_ETIME; }

static void f_shutdown(void *ctx, uint32_t r)
{
    (void)ctx;
    if (r != XENIA_SHUTDOWN_poweroff && r != XENIA_SHUTDOWN_reboot && r != XENIA_SHUTDOWN_crash)
        abort();
    fx.shutdowns++;
}

static int f_xsm(void *ctx, enum xsm_hook h)
{
    (void)ctx;
    if ((unsigned)h >= (unsigned)XSM_NHOOKS)
        abort();
    fx.hooks++;
    return fx.deny ? -13 : 0;
}

#include "tests/unit/hc_fake_ops.h"
static const struct hc_ops ops = { .console_write = f_write, .console_read = f_read,
                                   .yield = f_yield, .block = f_block, .shutdown = f_shutdown,
                                   .evtchn = f_evtchn, .gnttab = f_gnttab, .xsm = f_xsm,
                                   .attest = f_attest };

static void setup_once(void)
{
    struct pt_builder b;

    ram = calloc(1, RAM);
    snap = malloc(RAM);
    if (ram == NULL || snap == NULL)
        abort();
    pt_init(&b, ram, PT_BASE);
    pt_map_range(&b, URO, 0x1000, PT_US);
    pt_map_range(&b, SUP, 0x1000, 0);
    pt_map_range(&b, UBUF, UBUF_LEN, PT_US | PT_RW);
    pt_map4k(&b, OOR, RAM, PT_US | PT_RW);              /* gpa == RAM: out of range */
    pt_map4k(&b, OOR + 0x1000, RAM - 0x1000, PT_US | PT_RW); /* last page of RAM */
    if (b.next > UBUF)
        abort();
    memset(&d, 0, sizeof(d));
    d.domid = 7;
    d.mem = (struct gmem){ .ram = ram, .ram_bytes = RAM, .cr3 = b.cr3 };
    d.map[0] = (struct xenia_mem_region){ 0x1000, 0x1000, XENIA_MEMTYPE_START_INFO, 0 };
    d.map[1] = (struct xenia_mem_region){ 0x2000, 0x1000, XENIA_MEMTYPE_SHARED, 0 };
    d.map[2] = (struct xenia_mem_region){ 0x20000, RAM - 0x20000, XENIA_MEMTYPE_RAM, 0 };
    d.nr_map = 3;
    d.build_id = "fuzz-build";
    d.ops = &ops;
}

static uint64_t le32(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

static uint64_t arg(unsigned base, uint64_t off)
{
    static const uint64_t bases[8] = {
        0, URO, SUP, UBUF, UBUF + UBUF_LEN, OOR, UNMAPPED, 0ull - 0x1000,
    };
    return bases[base & 7] + off;
}

/* Guest RAM outside the user RW buffer and the last RAM page (reachable via OOR+0x1000). */
static int outside_unchanged(void)
{
    return memcmp(ram, snap, UBUF) == 0 &&
           memcmp(ram + UBUF + UBUF_LEN, snap + UBUF + UBUF_LEN,
                  RAM - 0x1000 - (UBUF + UBUF_LEN)) == 0;
}

/* The writable parts unchanged since the last snapshot. */
static int writable_unchanged(void)
{
    return memcmp(ram + UBUF, snap + UBUF, UBUF_LEN) == 0 &&
           memcmp(ram + RAM - 0x1000, snap + RAM - 0x1000, 0x1000) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t pos, ncalls = 0;

    if (ram == NULL)
        setup_once();
    memset(&fx, 0, sizeof(fx));
    memset(ram + UBUF, 0, UBUF_LEN);
    memset(ram + RAM - 0x1000, 0, 0x1000);
    memcpy(ram + UBUF, data, size < PRE ? size : PRE);
    if (size > PRE) {
        size_t n = size - PRE < CIN ? size - PRE : CIN;
        const uint8_t *z = memchr(data + PRE, 0, n);
        fx.in = data + PRE;
        fx.in_len = z ? (size_t)(z - (data + PRE)) : n;
    }
    memcpy(snap, ram, RAM);

    for (pos = PRE + CIN; pos + REC <= size && ncalls < MAX_CALLS; pos += REC, ncalls++) {
        const uint8_t *q = data + pos;
        struct hc_regs r;
        uint32_t before = effects(), hooks = fx.hooks;
        int64_t rc;

        r.nr = (q[0] & 0x40) ? q[0] : (q[0] & 63u);
        r.a1 = (q[1] & 0x7f) | ((q[1] & 0x80) ? 1ull << 32 : 0);
        fx.deny = q[2] & 1;
        r.a2 = arg((q[2] >> 1) & 7, le32(q + 3));
        r.a3 = arg((q[2] >> 4) & 7, le32(q + 7));
        r.a4 = r.a5 = 0;
        memcpy(snap + UBUF, ram + UBUF, UBUF_LEN);
        memcpy(snap + RAM - 0x1000, ram + RAM - 0x1000, 0x1000);

        rc = hc_dispatch(&d, &r);

        if (rc == -XENIA_EACCES) {
            /* Denied: the hook was asked, and nothing happened. */
            if (!fx.deny || fx.hooks != hooks + 1 || effects() != before ||
                !writable_unchanged())
                abort();
        } else if (rc == -XENIA_EINVAL || rc == -XENIA_ENOSYS) {
            /* Refused by decode: no hook asked, no effect, no write. */
            if (fx.hooks != hooks || effects() != before || !writable_unchanged())
                abort();
        } else if (fx.deny && fx.hooks != hooks) {
            abort();   /* asked XSM, was denied, and went on anyway */
        }
    }
    if (!outside_unchanged())
        abort();
    return 0;
}
