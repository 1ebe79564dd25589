/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: hv/hypercall.c hc_dispatch() driving the REAL event channel and
 * grant table code (hv/evtchn.c, evtchn_table.c, gnttab.c, gnttab_check.c,
 * guestmem.c) between three fake domains in one fake struct hv, with state
 * carried across up to MAX_CALLS hypercalls per input.
 *
 * Domains (each: RAM a heap buffer of exactly RAM bytes, 4-level page tables from
 * tests/unit/pt_helper.h, its own hc_domain whose evtchn/gnttab ops are the real
 * evtchn_op/gnttab_op, as hv/vcpu.c wires them):
 *   D0 domid 7   the main caller; no grant table at the start.
 *   D1 domid 8   granter: grant table at GT with NENT input-controlled entries;
 *                ports 8 (unbound for D0) and 9 (bound to D2's port 8).
 *   D2 domid 9   grants nothing to D0 (fixed entries for D1 only); port 8 bound
 *                to D1:9, port 9 unbound for D0.
 * Guest layout (all domains): URO user read-only, SUP supervisor-only, UBUF two
 * user-RW pages, HI = GT, F1, F2 (user RW, >= 2 MiB, so grantable), OOR a user
 * PTE past the end of RAM, OOR+4K an alias of F2, UNMAPPED. Everything else in RAM
 * is ASan-poisoned: hv must never touch it.
 *
 * Link-time fakes (this file): domain_peer, domain_raise_event, dm_kick_fd,
 * hv_log, xsm_check (allow/deny from an input bit, records every hook), and the
 * weak system-call hooks of gnttab.c (gnttab_frame_map/unmap, gnttab_set_slot:
 * record the grantee's slot table instead of mmap + KVM_SET_USER_MEMORY_REGION).
 * gmem_copy_to/gmem_copy_from are wrapped (-Wl,--wrap, target.mk) to record every
 * write to guest memory and every access hv makes to another domain's frame.
 *
 * Input layout:
 *   [0, 64)      D1's grant entries 0..7 (struct xenia_grant_entry; GTF_reading and
 *                GTF_writing masked off: hv owns them)
 *   [64, 192)    D0's UBUF start (guest data for raw records)
 *   [192, 224)   pending console input (NUL ends it early)
 *   then records of REC = 36 bytes, at most MAX_CALLS:
 *   [0] bits 0-3 op: 0 alloc_unbound 1 bind_interdomain 2 send 3 close 4 status
 *                    5 setup_table 6 map 7 unmap 8 copy 9 query_size
 *                    10 the caller edits its own grant entry (no hypercall)
 *                    11 the caller restarts (hv's teardown: evtchn_domain_close,
 *                       gnttab_domain_release; then fresh ports, grants, RAM;
 *                       at most MAX_RESTARTS per input)
 *                    12-15 raw hypercall (body = the old 11-byte record)
 *       bits 4-5 caller (3 = D0), bit 6 XSM denies, bit 7 the mapping back end
 *       fails (gnttab_frame_map if [1] bit 7, else gnttab_set_slot)
 *   [1] bits 0-2 where the arg struct goes: UBUF, HI, URO, SUP, UNMAPPED, OOR,
 *       OOR+4K, 2^64-4K; bit 3: a1 |= 1 << 32; bit 4: wrong a3 (count)
 *   [2..3] offset (le16 & 0x1fff) from that base
 *   [4..35] the struct's bytes, written to guest memory when the place is
 *       user-writable (else the call reads what is there).
 *   Edit: body[0..1] ref (le16 & 511), body[2..9] the new entry (hv's bits kept).
 *   Raw: body[0] nr (low 6 bits; bit 6: nr = byte), [1] a1 (bit 7: |= 1 << 32),
 *       [2] bits 1-3 base of a2, 4-6 base of a3, [3..6] a2 off, [7..10] a3 off.
 *
 * Invariants (abort() if broken):
 *  - a call XSM denied returns -EACCES; a denied or failed call (< 0, except
 *    E2BIG) changed nothing: event channel and grant state (digest), pins and
 *    in-use bits, slot table, guest memory, console, events;
 *  - every hook is asked for the caller (subject) about a live domain (object);
 *    a map/copy/send follows an allowed hook of the right kind on that object;
 *    a map/copy of another live domain with valid caller-side arguments asks
 *    XSM before the granter's table is read (no EINVAL for its ref unasked);
 *    likewise a bind_interdomain before the remote port is looked at;
 *  - a grant mapping only ever exposes a frame in [2 MiB, RAM) of another domain
 *    whose live entry `ref` grants the caller (permit, domid, frame), never
 *    writable if GTF_readonly, pinned (GTF_reading/writing, active counts), at
 *    the slot its host_addr names; copies touch exactly [offset, offset+len) of
 *    that frame; guest writes land only in the caller's user-writable pages;
 *  - ports returned stay inside the table with the state the call claims; a bind
 *    takes only a remote port that was unbound for the caller; a send reaches
 *    only a port bound to the sender's port, both ends agreeing;
 *  - after each input, unmapping every grant and closing every port a call
 *    changed (through gnttab_op / evtchn_op) succeeds and leaves every pin count
 *    0, no GTF_reading/writing set, no slot, no frame mapping, and every port
 *    table as the input started (no port in use that no call returned).
 * Speed: per input only what changed is reset (dirty 512-byte blocks of the
 * writable pages, changed ports); the state digest is a hash taken around the
 * calls that reach evtchn_op/gnttab_op; the harness itself is not coverage-
 * instrumented; ASan's quarantine is small (nothing under test allocates).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include <xenia/abi.h>
#include <xenia/hypercall.h>
#include <xenia/start_info.h>

#include "hv/domain.h"
#include "hv/evtchn.h"
#include "hv/gnttab.h"
#include "hv/hypercall.h"
#include "tests/unit/pt_helper.h"

/* The harness's own bookkeeping and checks are not coverage-instrumented: the
 * fuzzer steers by the code under test only, and the checks stay cheap. */
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)

#define NDOM      3u
#define RAM       0x203000ull    /* 2 MiB + 3 pages */
#define PT_BASE   0x10000ull     /* page tables from here (< UBUF) */
#define URO       0x1000ull      /* user read-only page */
#define SUP       0x3000ull      /* supervisor-only page */
#define UBUF      0x20000ull     /* user RW, UBUF_LEN bytes */
#define UBUF_LEN  0x2000ull
#define HI        0x200000ull    /* GT, F1, F2: user RW, grantable */
#define HI_LEN    0x3000ull
#define GT        HI
#define OOR       0x100000ull    /* user RW gva whose PTE points past the end of RAM */
#define OORW      (OOR + 0x1000) /* user RW alias of the last RAM page (F2) */
#define UNMAPPED  0x300000ull
#define NENT      8u             /* input-controlled entries of D1 */
#define PRE       128u
#define CIN       32u
#define PREFIX    (NENT * 8u + PRE + CIN)
#define REC       36u
#define MAX_CALLS 16u
#define MAX_RESTARTS 2u          /* restart records acted on per input */
#define START_PORTS 16u          /* ports [0, 16) hold the fixed and start ports */
#define DREFS     16u            /* grant refs whose pins / in-use bits the digest covers */
#define NWPAGE    5u             /* writable pages per domain: UBUF x2, HI x3 */
#define GTF_HV    (XENIA_GTF_reading | XENIA_GTF_writing)
#define PAGE      4096ull
#define BLK       512ull         /* restore granule: NWPAGE * PAGE / BLK = 40 bits */

enum { OP_ALLOC, OP_BIND, OP_SEND, OP_CLOSE, OP_STATUS, OP_SETUP, OP_MAP, OP_UNMAP, OP_COPY,
       OP_QUERY, OP_EDIT, OP_RESTART, OP_RAW };

static struct hv hv;
static struct domain *dom[NDOM];
static uint8_t pristine[NDOM][NWPAGE][PAGE];
static struct evtchn_table start_evt[NDOM];   /* each domain's ports at input start */
static const uint32_t domids[NDOM] = { 7, 8, 9 };

/* The fake slot tables (per grantee) and hv's outstanding frame mappings. */
struct slot { void *host; struct domain *g; uint64_t gpa; int ro; };
static struct slot slots[NDOM][XENIA_GNTMAP_MAX];
static void *frames[NDOM * XENIA_GNTMAP_MAX + 1];

static struct {
    struct domain *cur;            /* the domain whose hypercall runs */
    int deny, fail_map, fail_slot; /* this call's decisions */
    uint32_t hooks, denied;        /* xsm_check calls this call */
    enum xsm_hook last_hook;
    const struct xsm_label *last_obj;
    uint32_t nslots, nframes;      /* live fake slots / frame mappings */
    uint32_t effects;              /* console, sched, events, guest writes, slots, attest */
    uint32_t events, peer_access;
    uint64_t dirty[NDOM];          /* writable 512-byte blocks written (bit per block) */
    unsigned taint[NDOM];          /* writable pages written by the guest (bit per page) */
    int invoked;                   /* the call reached evtchn_op / gnttab_op */
    uint32_t port_hi[NDOM];        /* highest port allocated (returned by a call) */
    struct evtchn bind_remote;     /* bind: the remote port before the call */
    uint64_t dg_before;            /* digest() when it did, just before */
    unsigned granters;             /* domains named by a map or copy: may hold pins */
    unsigned restarts;
    /* the decoded struct of the running evtchn/gnttab call, as hv read it */
    int have_in;
    uint64_t in_nr, in_cmd;
    uint8_t in[32];
    const uint8_t *cin;
    size_t cin_len;
} fx;

/* ---- helpers ------------------------------------------------------------- */
static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

static uint64_t le32(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

static struct domain *dom_of_label(const struct xsm_label *l)
{
    for (unsigned i = 0; i < NDOM; i++)
        if (l == &dom[i]->label)
            return dom[i];
    return NULL;
}

static unsigned dom_index(const struct domain *d)
{
    for (unsigned i = 0; i < NDOM; i++)
        if (dom[i] == d)
            return i;
    abort();
}

/* Which domain's RAM holds host byte p, or NULL. */
static struct domain *dom_of_host(const void *p)
{
    for (unsigned i = 0; i < NDOM; i++) {
        const uint8_t *r = dom[i]->ram;
        if ((const uint8_t *)p >= r && (const uint8_t *)p < r + RAM)
            return dom[i];
    }
    return NULL;
}

/* Bit of writable page @pg (page number) in the dirty masks, or -1. */
static int wpage_bit(uint64_t pg)
{
    if (pg == UBUF / PAGE || pg == UBUF / PAGE + 1)
        return (int)(pg - UBUF / PAGE);
    if (pg >= HI / PAGE && pg < (HI + HI_LEN) / PAGE)
        return 2 + (int)(pg - HI / PAGE);
    return -1;
}

static uint64_t wpage_gpa(unsigned bit)
{
    return bit < 2 ? UBUF + bit * PAGE : HI + (bit - 2) * PAGE;
}

/* Host bytes [p, p+len) of domain d were written: they must be writable pages. */
static void mark_written(struct domain *d, const uint8_t *p, uint64_t len, int taint)
{
    unsigned i = dom_index(d);
    uint64_t off = (uint64_t)(p - d->ram);

    if (len == 0)
        return;
    for (uint64_t pg = off / PAGE; pg <= (off + len - 1) / PAGE; pg++) {
        int b = wpage_bit(pg);
        if (b < 0)
            abort();   /* hv wrote guest memory the guest cannot write */
        if (taint)
            fx.taint[i] |= 1u << b;
    }
    for (uint64_t blk = off / BLK; blk <= (off + len - 1) / BLK; blk++)
        fx.dirty[i] |= 1ull << (wpage_bit(blk * BLK / PAGE) * (PAGE / BLK) + blk % (PAGE / BLK));
}

/* Host address of user-writable guest range [gva, gva+len) by the harness's own
 * layout (independent of gmem_translate), or NULL when it is not all writable. */
static uint8_t *writable_host(struct domain *d, uint64_t gva, uint64_t len)
{
    if (len == 0 || gva + len < gva)
        return NULL;
    if (gva >= UBUF && gva + len <= UBUF + UBUF_LEN)
        return d->ram + gva;
    if (gva >= HI && gva + len <= HI + HI_LEN)
        return d->ram + gva;
    if (gva >= OORW && gva + len <= OORW + PAGE)
        return d->ram + (RAM - PAGE) + (gva - OORW);
    return NULL;
}

/* Host address of user-readable [gva, gva+len) by the harness's layout: the
 * writable ranges and URO. NULL when not all readable. */
static uint8_t *readable_host(struct domain *d, uint64_t gva, uint64_t len)
{
    if (len != 0 && gva >= URO && gva + len >= gva && gva + len <= URO + PAGE)
        return d->ram + gva;
    return writable_host(d, gva, len);
}

static struct xenia_grant_entry *entry(struct domain *g, uint32_t ref)
{
    if (g->gnt.table_gpa == 0 || ref >= g->gnt.nr_frames * (PAGE / 8))
        return NULL;
    return (struct xenia_grant_entry *)(void *)(g->ram + g->gnt.table_gpa + (uint64_t)ref * 8);
}

/* ---- link-time fakes for what evtchn.c / gnttab.c call outside -------------- */
struct domain *domain_peer(struct hv *h, uint32_t domid)
{
    if (h != &hv)
        abort();
    if (domid == 0 || domid >= XENIA_DOMID_SELF)
        return NULL;
    for (unsigned i = 0; i < NDOM; i++)
        if (dom[i]->domid == domid)
            return dom[i];
    return NULL;
}

int dm_kick_fd(struct domain *d, uint32_t port)
{
    (void)d;
    (void)port;
    return -1;   /* no device model: sends on stub domain ports are ENOTCONN */
}

void hv_log(int level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
}

int xsm_check(enum xsm_hook h, enum xsm_default act, const struct xsm_label *s,
              const struct xsm_label *o)
{
    (void)act;
    if ((unsigned)h >= (unsigned)XSM_NHOOKS || fx.cur == NULL || s != &fx.cur->label ||
        dom_of_label(o) == NULL)
        abort();
    fx.hooks++;
    fx.last_hook = h;
    fx.last_obj = o;
    if (fx.deny) {
        fx.denied++;
        return -EACCES;
    }
    return 0;
}

/* The last hook asked was @h about @g and it was allowed. */
static void require_hook(enum xsm_hook h, struct domain *g)
{
    if (fx.hooks == 0 || fx.denied || fx.last_hook != h || fx.last_obj != &g->label)
        abort();
}

void domain_raise_event(struct domain *r, uint32_t port)
{
    struct domain *s = fx.cur;
    const struct evtchn *re, *se;

    if (s == NULL || port == 0 || port >= XENIA_EVTCHN_PORTS)
        abort();
    re = &r->evt.port[port];
    if (re->state != ECS_INTERDOMAIN || re->remote_dom != s->domid ||
        re->remote_port < XENIA_PORT_FIRST_DYNAMIC || re->remote_port >= XENIA_EVTCHN_PORTS)
        abort();   /* a send reached a port not bound to the sender */
    se = &s->evt.port[re->remote_port];
    if (se->state != ECS_INTERDOMAIN || se->remote_dom != r->domid || se->remote_port != port)
        abort();   /* the two ends disagree */
    if (fx.have_in && le32(fx.in) != re->remote_port)
        abort();   /* not the port the guest sent on */
    require_hook(XSM_H_evtchn_send, r);
    fx.events++;
    fx.effects++;
}

/* Does @g's live entry @ref grant domain @d frame @frame (writable unless @ro),
 * pinned by hv (GTF_reading, + GTF_writing and counts)? The independent model. */
static int granted(struct domain *g, uint32_t ref, struct domain *d, uint64_t frame, int ro)
{
    const struct xenia_grant_entry *e = entry(g, ref);
    uint16_t need = XENIA_GTF_reading | (ro ? 0 : XENIA_GTF_writing);

    if (e == NULL || g == d)
        return 0;
    if (frame < 0x200000 / PAGE || frame >= RAM / PAGE)
        return 0;
    return (e->flags & XENIA_GTF_permit_access) && e->domid == d->domid &&
           e->frame == frame && (ro || !(e->flags & XENIA_GTF_readonly)) &&
           (e->flags & need) == need && g->gnt.active_rd[ref] > 0 &&
           (ro || g->gnt.active_wr[ref] > 0);
}

void *gnttab_frame_map(struct domain *g, uint64_t frame, int readonly)
{
    (void)readonly;
    if (dom_of_host(g->ram) != g || frame >= RAM / PAGE)
        abort();   /* hv asked for a frame outside the granter's RAM */
    if (fx.fail_map)
        return NULL;
    for (unsigned i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
        if (frames[i] == NULL) {
            frames[i] = g->ram + frame * PAGE;
            fx.nframes++;
            return frames[i];
        }
    abort();       /* more live mappings than slots */
}

void gnttab_frame_unmap(void *host)
{
    for (unsigned i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
        if (frames[i] == host && host != NULL) {
            frames[i] = NULL;
            fx.nframes--;
            return;
        }
    abort();       /* not a live mapping */
}

int gnttab_set_slot(struct domain *d, unsigned idx, uint64_t gpa, void *host, int readonly)
{
    struct slot *s;
    struct domain *g;
    uint64_t frame;
    struct xenia_gnttab_map in;

    if (idx >= XENIA_GNTMAP_MAX || gpa != XENIA_GNTMAP_GPA + idx * PAGE)
        abort();
    s = &slots[dom_index(d)][idx];
    if (host == NULL) {             /* remove */
        if (s->host == NULL || s->gpa != gpa)
            abort();
        memset(s, 0, sizeof(*s));
        fx.nslots--;
        fx.effects++;
        return 0;
    }
    if (s->host != NULL || d != fx.cur || !fx.have_in || fx.in_cmd != XENIA_GNTTABOP_map_grant_ref)
        abort();
    memcpy(&in, fx.in, sizeof(in));
    g = dom_of_host(host);
    if (g == NULL || ((uint8_t *)host - g->ram) % PAGE != 0 || g->domid != in.dom)
        abort();
    frame = (uint64_t)((uint8_t *)host - g->ram) / PAGE;
    if (gpa != in.host_addr || readonly != (int)(in.flags & XENIA_GNTMAP_readonly) ||
        !granted(g, in.ref, d, frame, readonly))
        abort();   /* exposes a frame not granted (so) to this domain */
    require_hook(readonly ? XSM_H_grant_map_read : XSM_H_grant_map_write, g);
    if (fx.fail_slot)
        return -EINVAL;
    *s = (struct slot){ .host = host, .g = g, .gpa = gpa, .ro = readonly };
    fx.nslots++;
    fx.effects++;
    return 0;
}

/* An access by hv to another domain's RAM [p, p+len), checked before it happens
 * (a copy into a granted grant-table page rewrites the entries): only the copy's
 * granted frame at [offset, offset+len). */
static void peer_access(struct domain *g, const uint8_t *p, uint64_t len, int write)
{
    struct xenia_gnttab_copy in;
    uint64_t off = (uint64_t)(p - g->ram);

    if (!fx.have_in || fx.in_nr != XENIA_HC_grant_table_op || fx.in_cmd != XENIA_GNTTABOP_copy)
        abort();
    memcpy(&in, fx.in, sizeof(in));
    if (g->domid != in.dom || len != in.len || off % PAGE != in.offset ||
        (off + len - 1) / PAGE != off / PAGE ||
        !granted(g, in.ref, fx.cur, off / PAGE, !write))
        abort();
    require_hook(XSM_H_grant_copy, g);
    fx.peer_access++;
}

int __real_gmem_copy_to(const struct gmem *m, uint64_t gva, const void *src, uint64_t len);
int __real_gmem_copy_from(const struct gmem *m, void *dst, uint64_t gva, uint64_t len);
int __wrap_gmem_copy_to(const struct gmem *m, uint64_t gva, const void *src, uint64_t len);
int __wrap_gmem_copy_from(const struct gmem *m, void *dst, uint64_t gva, uint64_t len);

int __wrap_gmem_copy_to(const struct gmem *m, uint64_t gva, const void *src, uint64_t len)
{
    struct domain *g;
    uint8_t *host;
    int rc;

    if (fx.cur == NULL || m != &fx.cur->hc.mem)
        abort();   /* hv writes only the calling domain's memory */
    g = dom_of_host(src);
    if (g != NULL && len != 0)
        peer_access(g, src, len, 0);
    rc = __real_gmem_copy_to(m, gva, src, len);
    if (rc == 0 && len != 0) {
        host = writable_host(fx.cur, gva, len);
        if (host == NULL)
            abort();   /* wrote where the guest cannot write */
        mark_written(fx.cur, host, len, 1);
        fx.effects++;
    }
    return rc;
}

int __wrap_gmem_copy_from(const struct gmem *m, void *dst, uint64_t gva, uint64_t len)
{
    struct domain *g = dom_of_host(dst);
    int rc;

    if (fx.cur == NULL || m != &fx.cur->hc.mem)
        abort();
    if (g != NULL && len != 0)
        peer_access(g, dst, len, 1);
    rc = __real_gmem_copy_from(m, dst, gva, len);
    if (g != NULL && rc == 0 && len != 0) {
        mark_written(g, dst, len, 1);
        fx.effects++;
    }
    return rc;
}

/* ---- hc_ops ---------------------------------------------------------------- */
static void f_write(void *ctx, const char *buf, uint32_t len)
{
    volatile uint8_t sum = 0;

    (void)ctx;
    if (len == 0 || len > XENIA_CONSOLEIO_MAX)
        abort();
    for (uint32_t i = 0; i < len; i++)   /* ASan reports a copy shorter than claimed */
        sum ^= (uint8_t)buf[i];
    (void)sum;
    fx.effects++;
}

static uint32_t f_read(void *ctx, char *buf, uint32_t len)
{
    size_t n = fx.cin_len < len ? fx.cin_len : len;

    (void)ctx;
    memcpy(buf, fx.cin, n);
    fx.cin += n;
    fx.cin_len -= n;
    fx.effects++;
    return (uint32_t)n;
}

static void f_yield(void *ctx) { (void)ctx; fx.effects++; }
/* Waiting changes nothing: the deadline passes at once (-ETIME, not an effect). */
static int64_t f_block(void *ctx, uint64_t dl) { (void)ctx; (void)dl; return -XENIA_ETIME; }

static void f_shutdown(void *ctx, uint32_t r)
{
    (void)ctx;
    if (r != XENIA_SHUTDOWN_poweroff && r != XENIA_SHUTDOWN_reboot && r != XENIA_SHUTDOWN_crash)
        abort();
    fx.effects++;
}

/* Dispatcher-level hooks (console, xen_version, attest): object is hv itself. */
static int f_xsm(void *ctx, enum xsm_hook h)
{
    if ((unsigned)h >= (unsigned)XSM_NHOOKS || ctx != fx.cur)
        abort();
    fx.hooks++;
    fx.last_hook = h;
    fx.last_obj = NULL;
    if (fx.deny) {
        fx.denied++;
        return -EACCES;
    }
    return 0;
}

/* The real effect functions, as hv/vcpu.c wires them. Only these change event
 * channel and grant state (decode touches none), so the state digest is taken
 * just before them and after the call, and only for calls that reach them. */
static uint64_t digest(void);

static int64_t f_evtchn(void *ctx, uint32_t cmd, void *arg)
{
    fx.invoked = 1;
    fx.dg_before = digest();
    return evtchn_op(ctx, cmd, arg);
}

static int64_t f_gnttab(void *ctx, uint32_t cmd, void *arg)
{
    fx.invoked = 1;
    fx.dg_before = digest();
    return gnttab_op(ctx, cmd, arg);
}

/* attest_op: a fixed fake "quote" (the nonce twice) and "signature" (16 bytes). */
static int64_t f_attest(void *ctx, uint32_t cmd, const uint8_t nonce[32], uint8_t *out,
                        uint32_t cap, uint32_t *alen, uint32_t *slen)
{
    (void)ctx;
    fx.effects++;
    if (cap < 80)
        return -XENIA_E2BIG;
    for (int i = 0; i < 64; i++)
        out[i] = nonce[i % 32];
    for (int i = 0; i < 16; i++)
        out[64 + i] = (uint8_t)(0xa0 + i + cmd);
    *alen = 64;
    *slen = 16;
    return 0;
}

static const struct hc_ops ops = { .console_write = f_write, .console_read = f_read,
                                   .yield = f_yield, .block = f_block, .shutdown = f_shutdown,
                                   .evtchn = f_evtchn, .gnttab = f_gnttab, .xsm = f_xsm,
                                   .attest = f_attest };

/* ---- set-up ---------------------------------------------------------------- */
static void poison(uint8_t *ram, uint64_t from, uint64_t to)
{
    ASAN_POISON_MEMORY_REGION(ram + from, to - from);
}

static void setup_dom(unsigned i)
{
    struct domain *d = calloc(1, sizeof(*d));
    struct pt_builder b;
    uint8_t *ram = calloc(1, RAM);

    if (d == NULL || ram == NULL)
        abort();
    pt_init(&b, ram, PT_BASE);
    pt_map_range(&b, URO, PAGE, PT_US);
    pt_map_range(&b, SUP, PAGE, 0);
    pt_map_range(&b, UBUF, UBUF_LEN, PT_US | PT_RW);
    pt_map4k(&b, OOR, RAM, PT_US | PT_RW);            /* gpa == RAM: out of range */
    pt_map4k(&b, OORW, RAM - PAGE, PT_US | PT_RW);    /* alias of the last page (F2) */
    pt_map_range(&b, HI, HI_LEN, PT_US | PT_RW);
    if (b.next > UBUF)
        abort();
    for (unsigned k = 0; k < PAGE; k++)                /* recognisable contents */
        ram[URO + k] = (uint8_t)(k * 7 + i);
    memset(ram + HI + PAGE, 0x40 + (int)i, 2 * PAGE);  /* F1, F2 */

    d->hv = &hv;
    d->domid = domids[i];
    d->label = (struct xsm_label){ .sid = domids[i], .uid = 1000 + i, .domid = domids[i],
                                   .target = XSM_DOMID_NONE };
    d->ram = ram;
    d->ram_bytes = RAM;
    d->ram_fd = -1;
    d->vm_fd = 1000;   /* never used as a descriptor: gnttab_set_slot is faked */
    d->hc.domid = domids[i];
    d->hc.mem = (struct gmem){ .ram = ram, .ram_bytes = RAM, .cr3 = b.cr3 };
    d->hc.map[0] = (struct xenia_mem_region){ 0x1000, 0x1000, XENIA_MEMTYPE_START_INFO, 0 };
    d->hc.map[1] = (struct xenia_mem_region){ 0x2000, 0x1000, XENIA_MEMTYPE_SHARED, 0 };
    d->hc.map[2] = (struct xenia_mem_region){ HI, RAM - HI, XENIA_MEMTYPE_RAM, 0 };
    d->hc.nr_map = 3;
    d->hc.build_id = "fuzz-build";
    d->hc.ops = &ops;
    d->hc.ctx = d;
    evtchn_table_init(&d->evt);
    dom[i] = d;
    hv.doms[i] = d;
    if (i == 2) {   /* D2's grants: for D1 only (one revoked entry names D0) */
        struct xenia_grant_entry *e = (void *)(ram + GT);
        e[0] = (struct xenia_grant_entry){ XENIA_GTF_permit_access, 8, HI / PAGE + 1 };
        e[1] = (struct xenia_grant_entry){ 0, 7, HI / PAGE + 1 };
        e[2] = (struct xenia_grant_entry){ XENIA_GTF_permit_access | XENIA_GTF_readonly, 8,
                                           HI / PAGE + 2 };
    }
    for (unsigned bit = 0; bit < NWPAGE; bit++)
        memcpy(pristine[i][bit], ram + wpage_gpa(bit), PAGE);
    /* hv never touches anything else: reading or writing it is an ASan report */
    poison(ram, 0, URO);
    poison(ram, URO + PAGE, PT_BASE);
    poison(ram, b.next, UBUF);
    poison(ram, UBUF + UBUF_LEN, HI);
}

static void setup_ports(void);

static void setup_once(void)
{
    pthread_mutex_init(&hv.table_lock, NULL);
    hv.next_domid = 10;
    for (unsigned i = 0; i < NDOM; i++)
        setup_dom(i);
    setup_ports();
}

/* The ports every input starts from, made once through the real evtchn_op:
 * D1:8 unbound for D0, D1:9 <-> D2:8 bound, D2:9 unbound for D0. finish()
 * brings the tables back to exactly this (closing, through the real path, every
 * port a call changed), so an input starts with no event channel work. */
static void setup_ports(void)
{
    struct xenia_evtchn_alloc_unbound au = { .dom = XENIA_DOMID_SELF };
    struct xenia_evtchn_bind_interdomain bi = { .remote_dom = 8, .remote_port = 9 };

    fx.cur = dom[1];
    au.remote_dom = 7;
    if (evtchn_op(dom[1], XENIA_EVTCHNOP_alloc_unbound, &au) != 0 || au.port != 8)
        abort();
    au.remote_dom = 9;
    if (evtchn_op(dom[1], XENIA_EVTCHNOP_alloc_unbound, &au) != 0 || au.port != 9)
        abort();
    fx.cur = dom[2];
    if (evtchn_op(dom[2], XENIA_EVTCHNOP_bind_interdomain, &bi) != 0 || bi.local_port != 8)
        abort();
    au.remote_dom = 7;
    if (evtchn_op(dom[2], XENIA_EVTCHNOP_alloc_unbound, &au) != 0 || au.port != 9)
        abort();
    fx.cur = NULL;
    for (unsigned i = 0; i < NDOM; i++)
        start_evt[i] = dom[i]->evt;
}

/* Per-input state that does not come from the input: grant tables. */
static void start_state(void)
{
    dom[0]->gnt.table_gpa = 0;
    dom[0]->gnt.nr_frames = 0;
    for (unsigned i = 1; i < NDOM; i++) {
        dom[i]->gnt.table_gpa = GT;
        dom[i]->gnt.nr_frames = 1;
    }
    fx.port_hi[0] = XENIA_PORT_FIRST_DYNAMIC - 1;
    fx.port_hi[1] = fx.port_hi[2] = 9;
}

/* ---- per-call state digest (what a denied or failed call must not change) ----
 * A 64-bit hash of every domain's ports [0, port_hi], grant table scalars, pin
 * counts and in-use bits of refs [0, DREFS), and the fakes' counters, read with
 * plain loads (no ASan interceptors: this runs around many calls). */
#define NOASAN __attribute__((no_sanitize("address", "undefined")))

/* Word k of the digest is multiplied by an odd constant of its own and summed:
 * changing any one word always changes the sum (odd factors are invertible mod
 * 2^64), and the products are independent, so the loop pipelines. */
static uint64_t dg_pos;

static NOASAN uint64_t mix(uint64_t h, uint64_t w)
{
    dg_pos += 2;
    return h + w * (0x9e3779b97f4a7c15ull + dg_pos);
}

/* n: a multiple of 8 */
static NOASAN uint64_t hash_words(uint64_t h, const void *p, size_t n)
{
    const uint64_t *w = p;
    uint64_t k = 0x9e3779b97f4a7c15ull + dg_pos;
    for (size_t i = 0; i < n / 8; i++)
        h += w[i] * (k + 2 * i);
    dg_pos += n / 4;
    return h;
}

/* n: a multiple of 32 */
static NOASAN uint64_t or_words(const void *p, size_t n)
{
    const uint64_t *w = p;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < n / 8; i += 4) {
        a |= w[i];
        b |= w[i + 1];
        c |= w[i + 2];
        d |= w[i + 3];
    }
    return a | b | c | d;
}

/* n: a multiple of 32 */
static NOASAN uint64_t diff_words(const void *x, const void *y, size_t n)
{
    const uint64_t *u = x, *v = y;
    uint64_t a = 0, b = 0, c = 0, d = 0;
    for (size_t i = 0; i < n / 8; i += 4) {
        a |= u[i] ^ v[i];
        b |= u[i + 1] ^ v[i + 1];
        c |= u[i + 2] ^ v[i + 2];
        d |= u[i + 3] ^ v[i + 3];
    }
    return a | b | c | d;
}

static NOASAN uint64_t digest(void)
{
    uint64_t h = 1;

    dg_pos = 1;
    for (unsigned i = 0; i < NDOM; i++) {
        struct domain *d = dom[i];
        int b = d->gnt.table_gpa ? wpage_bit(d->gnt.table_gpa / PAGE) : -1;
        /* ports up to the highest one a call has returned (an even count, so a
         * multiple of 8 bytes); a stray port above it is caught by finish() */
        h = hash_words(h, d->evt.port, ((fx.port_hi[i] + 2) & ~1u) * sizeof(struct evtchn));
        h = mix(h, d->gnt.table_gpa);
        h = mix(h, (uint64_t)d->gnt.nr_frames << 32 | d->gnt.nr_maps);
        h = hash_words(h, d->gnt.active_rd, DREFS * sizeof(uint16_t));
        h = hash_words(h, d->gnt.active_wr, DREFS * sizeof(uint16_t));
        /* entries of an untainted table (a guest that writes its own table may
         * have set the in-use bits itself, see finish()) */
        if (b >= 0 && !(fx.taint[i] & (1u << b)))
            h = hash_words(h, d->ram + d->gnt.table_gpa, DREFS * sizeof(struct xenia_grant_entry));
    }
    h = mix(h, (uint64_t)fx.nslots << 32 | fx.nframes);
    h = mix(h, (uint64_t)fx.effects << 32 | (uint32_t)fx.cin_len);
    return h;
}

/* ---- records ----------------------------------------------------------------- */
static const struct { uint8_t nr, cmd, size; } struct_ops[OP_EDIT] = {
    [OP_ALLOC] = { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_alloc_unbound, 16 },
    [OP_BIND] = { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_bind_interdomain, 16 },
    [OP_SEND] = { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_send, 8 },
    [OP_CLOSE] = { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_close, 8 },
    [OP_STATUS] = { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, 24 },
    [OP_SETUP] = { XENIA_HC_grant_table_op, XENIA_GNTTABOP_setup_table, 16 },
    [OP_MAP] = { XENIA_HC_grant_table_op, XENIA_GNTTABOP_map_grant_ref, 24 },
    [OP_UNMAP] = { XENIA_HC_grant_table_op, XENIA_GNTTABOP_unmap_grant_ref, 8 },
    [OP_COPY] = { XENIA_HC_grant_table_op, XENIA_GNTTABOP_copy, 32 },
    [OP_QUERY] = { XENIA_HC_grant_table_op, XENIA_GNTTABOP_query_size, 8 },
};

/* Size of the struct of (nr, cmd), 0 when not an evtchn/gnttab command. */
static unsigned op_size(uint64_t nr, uint64_t cmd)
{
    for (unsigned i = 0; i < OP_EDIT; i++)
        if (struct_ops[i].nr == nr && struct_ops[i].cmd == cmd)
            return struct_ops[i].size;
    return 0;
}

static uint64_t place(unsigned base, uint64_t off)
{
    static const uint64_t bases[8] = { UBUF, HI, URO, SUP, UNMAPPED, OOR, OORW, 0ull - 0x1000 };
    return bases[base & 7] + off;
}

/* Old-style raw argument bases. */
static uint64_t raw_arg(unsigned base, uint64_t off)
{
    static const uint64_t bases[8] = { 0, URO, SUP, UBUF, UBUF + UBUF_LEN, OOR, UNMAPPED,
                                       0ull - 0x1000 };
    return bases[base & 7] + off;
}

/* The caller edits entry @ref of its own grant table between hypercalls (it may
 * revoke, retarget or forge it); hv's in-use bits stay as they are. */
static void edit_entry(struct domain *d, const uint8_t *b)
{
    struct xenia_grant_entry *e = entry(d, le16(b) & 511), n;

    if (e == NULL)
        return;
    memcpy(&n, b + 2, sizeof(n));
    n.flags = (uint16_t)((n.flags & ~GTF_HV) | (e->flags & GTF_HV));
    *e = n;
    mark_written(d, (uint8_t *)e, sizeof(*e), 0);
}

/* Domain @d restarts (hv/domain.c instance_teardown + instance_build): its ports
 * close (peers' ends go back to unbound), its mappings go (pins it held on others
 * are released), mappings of its frames by others are orphaned; then it comes
 * back with fresh ports, no grant table and fresh RAM. */
static void restart(struct domain *d)
{
    unsigned i = dom_index(d);

    fx.deny = 0;
    pthread_mutex_lock(&hv.table_lock);
    evtchn_domain_close(&hv, d);
    gnttab_domain_release(&hv, d);
    pthread_mutex_unlock(&hv.table_lock);
    if (d->gnt.nr_maps != 0 || d->gnt.table_gpa != 0 ||
        or_words(d->gnt.active_rd, sizeof(d->gnt.active_rd)) ||
        or_words(d->gnt.active_wr, sizeof(d->gnt.active_wr)))
        abort();
    for (unsigned k = 0; k < XENIA_GNTMAP_MAX; k++)
        if (slots[i][k].host != NULL)
            abort();   /* a mapping of the gone instance is still in its VM */
    for (unsigned j = 0; j < NDOM; j++) {
        const struct domain *o = dom[j];
        for (uint32_t p = XENIA_PORT_FIRST_DYNAMIC; p <= fx.port_hi[j]; p++)
            if (o == d ? o->evt.port[p].state != ECS_FREE
                       : (o->evt.port[p].state == ECS_INTERDOMAIN &&
                          o->evt.port[p].remote_dom == d->domid))
                abort();   /* a port of (or still bound to) the gone instance */
        for (unsigned k = 0; k < XENIA_GNTMAP_MAX; k++)
            if (o->gnt.map[k].used && o->gnt.map[k].granter == d->domid)
                abort();   /* a mapping of its frames not orphaned */
    }
    evtchn_table_init(&d->evt);
    memset(&d->gnt, 0, sizeof(d->gnt));
    for (unsigned bit = 0; bit < NWPAGE; bit++)
        memcpy(d->ram + wpage_gpa(bit), pristine[i][bit], PAGE);
    fx.dirty[i] = 0;
    fx.taint[i] = 0;
}

static void check_success(struct hc_regs *r, unsigned size, uint32_t events0, uint32_t peer0)
{
    struct domain *d = fx.cur;
    uint8_t out[32];
    const uint8_t *src = readable_host(d, r->a2, size);

    if (!fx.have_in || src == NULL)
        abort();   /* hv acted on a struct the guest cannot read */
    memcpy(out, src, size);
    if (r->nr == XENIA_HC_event_channel_op) {
        switch (r->a1) {
        case XENIA_EVTCHNOP_alloc_unbound: {
            struct xenia_evtchn_alloc_unbound a;
            memcpy(&a, out, sizeof(a));
            if (a.port < XENIA_PORT_FIRST_DYNAMIC || a.port >= XENIA_EVTCHN_PORTS ||
                d->evt.port[a.port].state != ECS_UNBOUND ||
                domain_peer(&hv, a.remote_dom) == NULL ||
                d->evt.port[a.port].remote_dom != a.remote_dom)
                abort();
            if (a.port > fx.port_hi[dom_index(d)])
                fx.port_hi[dom_index(d)] = a.port;
            break;
        }
        case XENIA_EVTCHNOP_bind_interdomain: {
            struct xenia_evtchn_bind_interdomain a;
            struct domain *rd;
            memcpy(&a, out, sizeof(a));
            rd = domain_peer(&hv, a.remote_dom);
            if (rd == NULL || rd == d || a.local_port < XENIA_PORT_FIRST_DYNAMIC ||
                a.local_port >= XENIA_EVTCHN_PORTS || a.remote_port >= XENIA_EVTCHN_PORTS)
                abort();
            if (d->evt.port[a.local_port].state != ECS_INTERDOMAIN ||
                d->evt.port[a.local_port].remote_dom != rd->domid ||
                d->evt.port[a.local_port].remote_port != a.remote_port ||
                rd->evt.port[a.remote_port].state != ECS_INTERDOMAIN ||
                rd->evt.port[a.remote_port].remote_dom != d->domid ||
                rd->evt.port[a.remote_port].remote_port != a.local_port)
                abort();
            require_hook(XSM_H_evtchn_interdomain, rd);
            /* the remote port was unbound and allocated for the caller */
            if (fx.bind_remote.state != ECS_UNBOUND || fx.bind_remote.remote_dom != d->domid)
                abort();
            if (a.local_port > fx.port_hi[dom_index(d)])
                fx.port_hi[dom_index(d)] = a.local_port;
            if (a.remote_port > fx.port_hi[dom_index(rd)])
                fx.port_hi[dom_index(rd)] = a.remote_port;
            break;
        }
        case XENIA_EVTCHNOP_send:
            if (fx.events != events0 + 1)
                abort();
            break;
        case XENIA_EVTCHNOP_close: {
            uint32_t p = (uint32_t)le32(out);
            if (p < XENIA_PORT_FIRST_DYNAMIC || p >= XENIA_EVTCHN_PORTS ||
                d->evt.port[p].state != ECS_FREE)
                abort();
            break;
        }
        default: {
            struct xenia_evtchn_status a;
            memcpy(&a, out, sizeof(a));
            if (a.port == 0 || a.port >= XENIA_EVTCHN_PORTS)
                abort();
            break;
        }
        }
        return;
    }
    switch (r->a1) {
    case XENIA_GNTTABOP_setup_table:
        if (d->gnt.table_gpa < 0x200000 || d->gnt.table_gpa % PAGE ||
            d->gnt.table_gpa + d->gnt.nr_frames * PAGE > RAM || d->gnt.nr_frames != 1)
            abort();
        break;
    case XENIA_GNTTABOP_map_grant_ref: {
        struct xenia_gnttab_map a;
        const struct slot *s;
        memcpy(&a, out, sizeof(a));
        if (a.handle >= XENIA_GNTMAP_MAX)
            abort();
        s = &slots[dom_index(d)][a.handle];
        if (s->host == NULL || s->gpa != a.host_addr || !d->gnt.map[a.handle].used)
            abort();
        break;
    }
    case XENIA_GNTTABOP_unmap_grant_ref: {
        uint32_t h = (uint32_t)le32(out);
        if (h >= XENIA_GNTMAP_MAX || slots[dom_index(d)][h].host != NULL ||
            d->gnt.map[h].used)
            abort();
        break;
    }
    case XENIA_GNTTABOP_copy:
        if (fx.peer_access != peer0 + 1)
            abort();
        break;
    default: {
        struct xenia_gnttab_query_size q;
        memcpy(&q, out, sizeof(q));
        if (q.nr_frames != d->gnt.nr_frames || q.max_nr_frames != XENIA_GNTTAB_FRAMES)
            abort();
        break;
    }
    }
}

/*
 * A map or copy (fx.in as hv read it) whose caller-side arguments are valid and
 * whose dom is a live domain other than the caller: hv must ask XSM before it
 * reads that domain's grant table (Xen xsm_grant_mapref first), so a valid ref
 * or not, a denied caller sees EACCES and learns nothing of the table.
 */
static int own_args_ok(uint64_t nr, uint64_t cmd)
{
    const uint8_t *in = fx.in;
    struct domain *g;

    if (nr == XENIA_HC_event_channel_op) {   /* bind_interdomain: remote_dom first */
        g = domain_peer(&hv, (uint32_t)le32(in));
        return g != NULL && g != fx.cur;
    }

    if (cmd == XENIA_GNTTABOP_map_grant_ref) {
        uint64_t host_addr = le32(in) | le32(in + 4) << 32;
        g = domain_peer(&hv, (uint32_t)le32(in + 16));
        return (le32(in + 8) & ~(uint64_t)XENIA_GNTMAP_readonly) == 0 &&
               gnttab_check_map_addr(host_addr) >= 0 && g != NULL && g != fx.cur;
    }
    g = domain_peer(&hv, (uint32_t)le32(in + 8));
    return (le32(in + 24) & ~(uint64_t)XENIA_GNTCOPY_to_grant) == 0 &&
           gnttab_check_copy((uint32_t)le32(in + 16), (uint32_t)le32(in + 20)) == 0 &&
           g != NULL && g != fx.cur;
}

static void run_record(const uint8_t *q)
{
    unsigned op = q[0] & 15, who = (q[0] >> 4) & 3, size;
    const uint8_t *body = q + 4;
    struct hc_regs r;
    uint32_t events0, peer0, effects0;
    size_t cin0;
    uint64_t dg_after;
    int64_t rc;

    fx.cur = dom[who == 3 ? 0 : who];
    if (op == OP_EDIT) {
        edit_entry(fx.cur, body);
        return;
    }
    if (op == OP_RESTART) {
        if (fx.restarts++ < MAX_RESTARTS)   /* costly: a few per input are enough */
            restart(fx.cur);
        return;
    }
    fx.deny = (q[0] >> 6) & 1;
    fx.fail_map = (q[0] & 0x80) && (q[1] & 0x80);
    fx.fail_slot = (q[0] & 0x80) && !(q[1] & 0x80);
    memset(&r, 0, sizeof(r));
    if (op >= OP_RAW) {
        r.nr = (body[0] & 0x40) ? body[0] : (body[0] & 63u);
        r.a1 = (body[1] & 0x7f) | ((body[1] & 0x80) ? 1ull << 32 : 0);
        r.a2 = raw_arg((body[2] >> 1) & 7, le32(body + 3));
        r.a3 = raw_arg((body[2] >> 4) & 7, le32(body + 7));
    } else {
        uint64_t gva = place(q[1] & 7, le16(q + 2) & 0x1fff);
        uint8_t *host = writable_host(fx.cur, gva, struct_ops[op].size);
        if (host != NULL) {   /* the guest writes its struct */
            memcpy(host, body, struct_ops[op].size);
            mark_written(fx.cur, host, struct_ops[op].size, 1);
        }
        r.nr = struct_ops[op].nr;
        r.a1 = struct_ops[op].cmd | ((q[1] & 8) ? 1ull << 32 : 0);
        r.a2 = gva;
        r.a3 = r.nr == XENIA_HC_grant_table_op ? 1 : 0;
        if (q[1] & 0x10)
            r.a3 += 2;
    }
    /* The struct as hv will read it (decode copies it the same way). */
    size = op_size(r.nr, r.a1);
    {
        const uint8_t *src = size ? readable_host(fx.cur, r.a2, size) : NULL;
        fx.have_in = src != NULL;
        if (src != NULL)
            memcpy(fx.in, src, size);
    }
    fx.in_nr = r.nr;
    fx.in_cmd = r.a1;
    memset(&fx.bind_remote, 0, sizeof(fx.bind_remote));
    if (fx.have_in && r.nr == XENIA_HC_event_channel_op &&
        r.a1 == XENIA_EVTCHNOP_bind_interdomain) {
        struct domain *rd = domain_peer(&hv, (uint32_t)le32(fx.in));
        uint32_t rp = (uint32_t)le32(fx.in + 4);
        if (rd != NULL && rp < XENIA_EVTCHN_PORTS)
            fx.bind_remote = rd->evt.port[rp];
    }
    if (fx.have_in && r.nr == XENIA_HC_grant_table_op &&
        (r.a1 == XENIA_GNTTABOP_map_grant_ref || r.a1 == XENIA_GNTTABOP_copy)) {
        struct domain *g = domain_peer(&hv, (uint32_t)le32(fx.in + (r.a1 == XENIA_GNTTABOP_copy ? 8 : 16)));
        if (g != NULL)
            fx.granters |= 1u << dom_index(g);
    }
    fx.hooks = fx.denied = 0;
    events0 = fx.events;
    peer0 = fx.peer_access;
    fx.invoked = 0;
    effects0 = fx.effects;
    cin0 = fx.cin_len;

    rc = hc_dispatch(&fx.cur->hc, &r);

    dg_after = fx.invoked ? digest() : 0;
#ifdef HC_TRACE   /* seed checking: clang -DHC_TRACE ... prints each call's result */
    fprintf(stderr, "D%u nr %llu cmd %llu a2 %#llx -> %lld%s\n", dom_index(fx.cur),
            (unsigned long long)r.nr, (unsigned long long)r.a1, (unsigned long long)r.a2,
            (long long)rc, fx.denied ? " (denied)" : "");
#endif
    if (fx.denied && rc != -XENIA_EACCES)
        abort();   /* asked XSM, was denied, and went on anyway */
    if (fx.denied > 1 || (rc == -XENIA_ENOSYS && fx.hooks))
        abort();
    if (rc < 0 && rc != -XENIA_E2BIG &&
        ((fx.invoked && dg_after != fx.dg_before) || fx.effects != effects0 || fx.cin_len != cin0))
        abort();   /* a denied or refused call changed something */
    if (rc == -XENIA_EINVAL && fx.invoked && fx.hooks == 0 &&
        ((r.nr == XENIA_HC_grant_table_op &&
          (r.a1 == XENIA_GNTTABOP_map_grant_ref || r.a1 == XENIA_GNTTABOP_copy)) ||
         (r.nr == XENIA_HC_event_channel_op && r.a1 == XENIA_EVTCHNOP_bind_interdomain)) &&
        own_args_ok(r.nr, r.a1))
        abort();   /* another domain's ref or port judged before XSM was asked (leaks it) */
    if (rc >= 0 && size != 0)
        check_success(&r, size, events0, peer0);
    fx.have_in = 0;
}

/* ---- end of input: tear down through the real paths, check nothing leaked ---- */
static void finish(void)
{
    fx.deny = fx.fail_map = fx.fail_slot = 0;
    for (unsigned i = 0; i < NDOM; i++) {
        struct domain *d = dom[i];
        fx.cur = d;
        for (uint32_t h = 0; h < XENIA_GNTMAP_MAX; h++) {
            struct xenia_gnttab_unmap u = { .handle = h };
            if (d->gnt.map[h].used && gnttab_op(d, XENIA_GNTTABOP_unmap_grant_ref, &u) != 0)
                abort();
        }
    }
    for (unsigned i = 0; i < NDOM; i++) {
        struct domain *d = dom[i];
        fx.cur = d;
        for (uint32_t p = XENIA_PORT_FIRST_DYNAMIC; p <= fx.port_hi[i]; p++) {
            struct xenia_evtchn_port c = { .port = p };
            const struct evtchn *e = &d->evt.port[p], *s0 = &start_evt[i].port[p];
            if (e->state == ECS_FREE || (e->state == s0->state &&
                                         e->remote_dom == s0->remote_dom &&
                                         e->remote_port == s0->remote_port))
                continue;   /* free, or as it started */
            if (evtchn_op(d, XENIA_EVTCHNOP_close, &c) != 0)
                abort();
        }
    }
    fx.cur = NULL;
    if (fx.nslots != 0 || fx.nframes != 0)
        abort();   /* a slot or frame mapping outlived its grant mapping */
    for (unsigned i = 0; i < NDOM; i++) {
        struct domain *d = dom[i];
        /* pins and in-use bits: acquire() only runs on the granter a map or copy
         * names (fx.granters); the other tables cannot have changed */
        int pinnable = (fx.granters >> i) & 1;
        if (d->gnt.nr_maps != 0 ||
            (pinnable && (or_words(d->gnt.active_rd, sizeof(d->gnt.active_rd)) ||
                          or_words(d->gnt.active_wr, sizeof(d->gnt.active_wr)))))
            abort();   /* leaked mapping or pin */
        /* every port as the input started (a port closed above may have been a
         * start port: set it back, the close having been checked); past the
         * start ports all free and zero, so a port above port_hi (never returned
         * by a call) would still be in use here */
        for (uint32_t p = XENIA_PORT_FIRST_DYNAMIC; p < START_PORTS; p++)
            if (d->evt.port[p].state == ECS_FREE)
                d->evt.port[p] = start_evt[i].port[p];
        if (diff_words(&d->evt, &start_evt[i], START_PORTS * sizeof(struct evtchn)) != 0 ||
            or_words(&d->evt.port[START_PORTS],
                     sizeof(d->evt) - START_PORTS * sizeof(struct evtchn)))
            abort();   /* a port survived close, or a port nobody allocated is in use */
        if (d->gnt.table_gpa != 0) {
            int b = wpage_bit(d->gnt.table_gpa / PAGE);
            if (b < 0)
                abort();
            /* flags are the low 16 bits of each 8-byte entry */
            if (pinnable && !(fx.taint[i] & (1u << b)) &&
                (or_words(d->ram + d->gnt.table_gpa, PAGE) & GTF_HV))
                abort();   /* leaked GTF_reading / GTF_writing */
        }
        /* restore what was written */
        for (uint64_t m = fx.dirty[i]; m != 0; m &= m - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(m), pg = bit / (PAGE / BLK);
            uint64_t at = (bit % (PAGE / BLK)) * BLK;
            memcpy(d->ram + wpage_gpa(pg) + at, pristine[i][pg] + at, BLK);
        }
        fx.dirty[i] = fx.taint[i] = 0;
    }
}

#ifdef __AFL_COMPILER
static uint8_t *in_buf;
static size_t in_size;
#endif

/* The code under test never allocates: ASan's quarantine (use after free) has
 * nothing to watch but the fuzzer's own input copies, so keep it small instead
 * of cycling 256 MiB of fresh pages through the allocator. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "quarantine_size_mb=4";
}

/* Set-up before the first input, so its coverage (setup_ports runs evtchn_op)
 * is not counted against the first input (AFL++ stability). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setup_once();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *in;
    size_t pos, ncalls = 0;

    if (dom[0] == NULL)   /* without LLVMFuzzerInitialize (other drivers) */
        setup_once();
    /* The input in an exact-size heap buffer, so over-reads are reported:
     * libFuzzer already passes one (its own copy of each unit); AFL++'s driver
     * passes its shared buffer, so copy (kept while sizes repeat). */
#ifdef __AFL_COMPILER
    if (in_buf == NULL || in_size != size) {
        free(in_buf);
        in_buf = malloc(size ? size : 1);
        in_size = size;
        if (in_buf == NULL)
            abort();
    }
    memcpy(in_buf, data, size);
    in = in_buf;
#else
    in = data;
#endif
    memset(&fx, 0, sizeof(fx));
    start_state();

    /* D1's grant entries (hv's in-use bits masked) and D0's guest data, always
     * written in full (zero past the input), so they need no restore */
    {
        uint8_t pre[NENT * 8 + PRE];
        size_t n = size < sizeof(pre) ? size : sizeof(pre);
        memset(pre + n, 0, sizeof(pre) - n);
        memcpy(pre, in, n);
        for (unsigned k = 0; k < NENT; k++) {
            struct xenia_grant_entry *e = entry(dom[1], k);
            memcpy(e, pre + k * 8, 8);
            e->flags &= (uint16_t)~GTF_HV;
        }
        memcpy(dom[0]->ram + UBUF, pre + NENT * 8, PRE);
    }
    if (size > NENT * 8 + PRE) {
        size_t n = size - (NENT * 8 + PRE) < CIN ? size - (NENT * 8 + PRE) : CIN;
        const uint8_t *z = memchr(in + NENT * 8 + PRE, 0, n);
        fx.cin = in + NENT * 8 + PRE;
        fx.cin_len = z ? (size_t)(z - fx.cin) : n;
    }
    for (pos = PREFIX; pos + REC <= size && ncalls < MAX_CALLS; pos += REC, ncalls++)
        run_record(in + pos);
    finish();
#ifdef HC_CHECK_RESET   /* determinism check: every input starts from the same state */
    for (unsigned i = 0; i < NDOM; i++) {
        struct domain *d = dom[i];
        for (unsigned bit = 0; bit < NWPAGE; bit++)
        {
            /* the input prefix rewrites D1's first NENT entries and D0's PRE bytes */
            unsigned skip = (i == 1 && bit == 2) ? NENT * 8 : (i == 0 && bit == 0) ? PRE : 0;
            if (memcmp(d->ram + wpage_gpa(bit) + skip, pristine[i][bit] + skip, PAGE - skip))
                abort();
        }
        if (memcmp(&d->evt, &start_evt[i], sizeof(d->evt)) != 0 || d->gnt.nr_maps ||
            or_words(d->gnt.map, sizeof(d->gnt.map)))
            abort();
    }
#endif
    /* bytes past the last record are never read: keep such inputs out of the corpus */
    return size > PREFIX + MAX_CALLS * REC ? -1 : 0;
}

#pragma clang attribute pop
