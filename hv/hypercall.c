/* SPDX-License-Identifier: MIT */
/* Hypercall dispatcher: decode, then invoke. See hypercall.h. */
#include "hypercall.h"

#include <string.h>

#include <xenia/abi.h>

#include "hypercall_defs.h"

/* Decoded arguments: everything invoke needs, already validated. */
struct hc_args {
    uint64_t cmd;
    union {
        struct { uint64_t gva; uint32_t len; char buf[XENIA_CONSOLEIO_MAX]; } con;
        struct xenia_sched_block block;
        struct xenia_sched_shutdown shut;
        struct { uint64_t gva; } out;           /* OUT struct destination */
        struct { struct xenia_memory_map mm; uint64_t arg; } map;
        struct { uint64_t gva; uint32_t size; uint32_t out; uint64_t buf[4]; } op; /* evtchn, gnttab */
        struct { uint64_t gva; struct xenia_attest_quote q; uint8_t out[2048]; } att; /* attest_op */
    } u;
};

/* XSM hook of a decoded call: HC_HOOK(name, default) checks at compile time that the
 * default stated here is hooks.def's; HC_NO_HOOK for calls that touch only the caller. */
#define HC_NO_HOOK XSM_NHOOKS
#define HC_HOOK(name, act) \
    ((void)sizeof(char[(int)xsm_hooks_default_##name == (int)(act) ? 1 : -1]), XSM_H_##name)

/* Arguments wider than 32 bits where the ABI defines a 32-bit command. */
/*@ assigns \nothing;
    ensures \result != 0 <==> v <= 0xffffffff;
*/
static int cmd32(uint64_t v)
{
    return v <= UINT32_MAX;
}

/* ---- console_io ------------------------------------------------------------ */
static int64_t decode_console_io(struct hc_domain *d, const struct hc_regs *r, struct hc_args *a)
{
    a->cmd = r->a1;
    if (!cmd32(r->a1) || !cmd32(r->a2))
        return -XENIA_EINVAL;
    if (r->a2 > XENIA_CONSOLEIO_MAX)
        return -XENIA_EINVAL;
    a->u.con.gva = r->a3;
    a->u.con.len = (uint32_t)r->a2;
    switch (r->a1) {
    case XENIA_CONSOLEIO_write:
        return gmem_copy_from(&d->mem, a->u.con.buf, r->a3, r->a2);
    case XENIA_CONSOLEIO_read:
        return gmem_check_range(&d->mem, r->a3, r->a2, GMEM_USER | GMEM_WRITE);
    default:
        return -XENIA_EINVAL;
    }
}

static int64_t invoke_console_io(struct hc_domain *d, struct hc_args *a)
{
    uint32_t n;

    if (a->cmd == XENIA_CONSOLEIO_write) {
        if (a->u.con.len)
            d->ops->console_write(d->ctx, a->u.con.buf, a->u.con.len);
        return a->u.con.len;
    }
    if (a->u.con.len == 0)
        return 0;
    n = d->ops->console_read(d->ctx, a->u.con.buf, a->u.con.len);
    if (n > a->u.con.len)
        n = a->u.con.len;
    /* Checked writable in decode; page tables are supervisor-only, so cannot fail. */
    if (gmem_copy_to(&d->mem, a->u.con.gva, a->u.con.buf, n) < 0)
        return -XENIA_EFAULT;
    return n;
}

static enum xsm_hook hook_console_io(const struct hc_args *a)
{
    return a->cmd == XENIA_CONSOLEIO_write ? HC_HOOK(console_write, XSM_HOOK)
                                           : HC_HOOK(console_read, XSM_HOOK);
}

/* ---- sched_op -------------------------------------------------------------- */
static int64_t decode_sched_op(struct hc_domain *d, const struct hc_regs *r, struct hc_args *a)
{
    a->cmd = r->a1;
    switch (r->a1) {
    case XENIA_SCHEDOP_yield:
        return r->a2 == 0 ? 0 : -XENIA_EINVAL;
    case XENIA_SCHEDOP_block:
        if (gmem_copy_from(&d->mem, &a->u.block, r->a2, sizeof(a->u.block)) < 0)
            return -XENIA_EFAULT;
        if (a->u.block.flags != 0 || a->u.block.pad != 0)
            return -XENIA_EINVAL;
        return 0;
    case XENIA_SCHEDOP_shutdown:
        if (gmem_copy_from(&d->mem, &a->u.shut, r->a2, sizeof(a->u.shut)) < 0)
            return -XENIA_EFAULT;
        if (a->u.shut.pad != 0)
            return -XENIA_EINVAL;
        switch (a->u.shut.reason) {
        case XENIA_SHUTDOWN_poweroff:
        case XENIA_SHUTDOWN_reboot:
        case XENIA_SHUTDOWN_crash:
            return 0;
        default:
            return -XENIA_EINVAL;
        }
    default:
        return -XENIA_EINVAL;
    }
}

static int64_t invoke_sched_op(struct hc_domain *d, struct hc_args *a)
{
    switch (a->cmd) {
    case XENIA_SCHEDOP_yield:
        d->ops->yield(d->ctx);
        return 0;
    case XENIA_SCHEDOP_block:
        return d->ops->block(d->ctx, a->u.block.deadline_ns);
    default: /* XENIA_SCHEDOP_shutdown, validated in decode */
        d->ops->shutdown(d->ctx, a->u.shut.reason);
        return 0;
    }
}

/* yield, block and shutdown act on the caller only. */
static enum xsm_hook hook_sched_op(const struct hc_args *a)
{
    (void)a;
    return HC_NO_HOOK;
}

/* ---- xen_version ----------------------------------------------------------- */
static int64_t decode_xen_version(struct hc_domain *d, const struct hc_regs *r, struct hc_args *a)
{
    a->cmd = r->a1;
    switch (r->a1) {
    case XENIA_XENVER_version:
    case XENIA_XENVER_domid:
        return r->a2 == 0 ? 0 : -XENIA_EINVAL;
    case XENIA_XENVER_extraversion:
        a->u.out.gva = r->a2;
        return gmem_check_range(&d->mem, r->a2, sizeof(struct xenia_version_extra),
                                GMEM_USER | GMEM_WRITE);
    default:
        return -XENIA_EINVAL;
    }
}

static int64_t invoke_xen_version(struct hc_domain *d, struct hc_args *a)
{
    struct xenia_version_extra ex;

    switch (a->cmd) {
    case XENIA_XENVER_version:
        return XENIA_INTERFACE_VERSION;
    case XENIA_XENVER_domid:
        return d->domid;
    default:
        memset(&ex, 0, sizeof(ex));
        memcpy(ex.extraversion, "-xenia", sizeof("-xenia"));
        if (d->build_id != NULL) {
            size_t n = strlen(d->build_id);
            if (n >= sizeof(ex.build_id))
                n = sizeof(ex.build_id) - 1;
            memcpy(ex.build_id, d->build_id, n);
        }
        return gmem_copy_to(&d->mem, a->u.out.gva, &ex, sizeof(ex));
    }
}

static enum xsm_hook hook_xen_version(const struct hc_args *a)
{
    (void)a;
    return HC_HOOK(xen_version, XSM_HOOK);
}

/* ---- memory_op ------------------------------------------------------------- */
static int64_t decode_memory_op(struct hc_domain *d, const struct hc_regs *r, struct hc_args *a)
{
    struct xenia_memory_map *mm = &a->u.map.mm;
    uint32_t n;

    a->cmd = r->a1;
    switch (r->a1) {
    case XENIA_XENMEM_current_reservation:
        return r->a2 == 0 ? 0 : -XENIA_EINVAL;
    case XENIA_XENMEM_memory_map:
        a->u.map.arg = r->a2;
        if (gmem_copy_from(&d->mem, mm, r->a2, sizeof(*mm)) < 0)
            return -XENIA_EFAULT;
        if (mm->pad != 0 || mm->nr_entries > XENIA_MEMMAP_MAX)
            return -XENIA_EINVAL;
        if (gmem_check_range(&d->mem, r->a2, sizeof(*mm), GMEM_USER | GMEM_WRITE) < 0)
            return -XENIA_EFAULT;
        n = mm->nr_entries < d->nr_map ? mm->nr_entries : d->nr_map;
        return gmem_check_range(&d->mem, mm->buffer, (uint64_t)n * sizeof(struct xenia_mem_region),
                                GMEM_USER | GMEM_WRITE);
    default:
        return -XENIA_EINVAL;
    }
}

static int64_t invoke_memory_op(struct hc_domain *d, struct hc_args *a)
{
    struct xenia_memory_map *mm = &a->u.map.mm;
    uint32_t n;
    int64_t rc = 0;

    if (a->cmd == XENIA_XENMEM_current_reservation)
        return (int64_t)(d->mem.ram_bytes >> XENIA_PAGE_SHIFT);
    n = mm->nr_entries < d->nr_map ? mm->nr_entries : d->nr_map;
    if (gmem_copy_to(&d->mem, mm->buffer, d->map, (uint64_t)n * sizeof(d->map[0])) < 0)
        return -XENIA_EFAULT;
    if (n < d->nr_map) {
        mm->nr_entries = d->nr_map;
        rc = -XENIA_E2BIG;
    } else {
        mm->nr_entries = n;
    }
    if (gmem_copy_to(&d->mem, a->u.map.arg, mm, sizeof(*mm)) < 0)
        return -XENIA_EFAULT;
    return rc;
}

/* The caller's own reservation and memory map. */
static enum xsm_hook hook_memory_op(const struct hc_args *a)
{
    (void)a;
    return HC_NO_HOOK;
}

/* ---- event_channel_op, grant_table_op --------------------------------------- */
/* Size of each command's struct (hypercall.h) and whether it has OUT fields. */
/*@ requires \valid(size) && \valid(out) && \separated(size, out);
    assigns *size, *out;
    ensures result: \result == 0 || \result == -XENIA_EINVAL;
    ensures fits: \result == 0 ==> 0 < *size <= 4 * sizeof(uint64_t) && *out <= 1;
    ensures known: \result == 0 ==> nr == XENIA_HC_event_channel_op || nr == XENIA_HC_grant_table_op;
*/
static int op_layout(uint64_t nr, uint64_t cmd, uint32_t *size, uint32_t *out)
{
    static const struct { uint8_t nr, cmd, size, out; } t[] = {
        { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_alloc_unbound,
          sizeof(struct xenia_evtchn_alloc_unbound), 1 },
        { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_bind_interdomain,
          sizeof(struct xenia_evtchn_bind_interdomain), 1 },
        { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_send, sizeof(struct xenia_evtchn_port), 0 },
        { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_close, sizeof(struct xenia_evtchn_port), 0 },
        { XENIA_HC_event_channel_op, XENIA_EVTCHNOP_status, sizeof(struct xenia_evtchn_status), 1 },
        { XENIA_HC_grant_table_op, XENIA_GNTTABOP_setup_table,
          sizeof(struct xenia_gnttab_setup_table), 0 },
        { XENIA_HC_grant_table_op, XENIA_GNTTABOP_map_grant_ref, sizeof(struct xenia_gnttab_map), 1 },
        { XENIA_HC_grant_table_op, XENIA_GNTTABOP_unmap_grant_ref,
          sizeof(struct xenia_gnttab_unmap), 0 },
        { XENIA_HC_grant_table_op, XENIA_GNTTABOP_copy, sizeof(struct xenia_gnttab_copy), 0 },
        { XENIA_HC_grant_table_op, XENIA_GNTTABOP_query_size,
          sizeof(struct xenia_gnttab_query_size), 1 },
    };
    /*@ loop invariant 0 <= i <= sizeof(t) / sizeof(t[0]);
        loop assigns i;
        loop variant sizeof(t) / sizeof(t[0]) - i;
    */
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (t[i].nr == nr && t[i].cmd == cmd) {
            *size = t[i].size;
            *out = t[i].out;
            return 0;
        }
    return -XENIA_EINVAL;
}

/* Pad fields that must be zero, per command (IN side). */
static int op_pads_zero(uint64_t nr, uint64_t cmd, const void *buf)
{
    if (nr == XENIA_HC_event_channel_op) {
        switch (cmd) {
        case XENIA_EVTCHNOP_alloc_unbound:
            return ((const struct xenia_evtchn_alloc_unbound *)buf)->pad == 0;
        case XENIA_EVTCHNOP_bind_interdomain:
            return ((const struct xenia_evtchn_bind_interdomain *)buf)->pad == 0;
        case XENIA_EVTCHNOP_status:
            return ((const struct xenia_evtchn_status *)buf)->pad == 0;
        default:
            return ((const struct xenia_evtchn_port *)buf)->pad == 0;
        }
    }
    switch (cmd) {
    case XENIA_GNTTABOP_setup_table:
        return ((const struct xenia_gnttab_setup_table *)buf)->pad == 0;
    case XENIA_GNTTABOP_unmap_grant_ref:
        return ((const struct xenia_gnttab_unmap *)buf)->pad == 0;
    case XENIA_GNTTABOP_copy:
        return ((const struct xenia_gnttab_copy *)buf)->pad == 0;
    default:
        return 1;
    }
}

/* event_channel_op(cmd, arg) and grant_table_op(cmd, arg, count = 1). */
static int64_t decode_struct_op(struct hc_domain *d, const struct hc_regs *r, struct hc_args *a,
                                uint64_t nr)
{
    a->cmd = r->a1;
    if (!cmd32(r->a1) || op_layout(nr, r->a1, &a->u.op.size, &a->u.op.out) < 0)
        return -XENIA_EINVAL;
    if (nr == XENIA_HC_grant_table_op && r->a3 != 1)
        return -XENIA_EINVAL;
    if (nr == XENIA_HC_event_channel_op && r->a3 != 0)
        return -XENIA_EINVAL;
    a->u.op.gva = r->a2;
    if (gmem_copy_from(&d->mem, a->u.op.buf, r->a2, a->u.op.size) < 0)
        return -XENIA_EFAULT;
    if (!op_pads_zero(nr, r->a1, a->u.op.buf))
        return -XENIA_EINVAL;
    if (a->u.op.out &&
        gmem_check_range(&d->mem, r->a2, a->u.op.size, GMEM_USER | GMEM_WRITE) < 0)
        return -XENIA_EFAULT;
    return 0;
}

static int64_t decode_event_channel_op(struct hc_domain *d, const struct hc_regs *r,
                                       struct hc_args *a)
{
    return decode_struct_op(d, r, a, XENIA_HC_event_channel_op);
}

static int64_t decode_grant_table_op(struct hc_domain *d, const struct hc_regs *r,
                                     struct hc_args *a)
{
    return decode_struct_op(d, r, a, XENIA_HC_grant_table_op);
}

static int64_t finish_struct_op(struct hc_domain *d, struct hc_args *a, int64_t rc)
{
    if (rc >= 0 && a->u.op.out &&
        gmem_copy_to(&d->mem, a->u.op.gva, a->u.op.buf, a->u.op.size) < 0)
        return -XENIA_EFAULT;
    return rc;
}

static int64_t invoke_event_channel_op(struct hc_domain *d, struct hc_args *a)
{
    return finish_struct_op(d, a, d->ops->evtchn(d->ctx, (uint32_t)a->cmd, a->u.op.buf));
}

static int64_t invoke_grant_table_op(struct hc_domain *d, struct hc_args *a)
{
    return finish_struct_op(d, a, d->ops->gnttab(d->ctx, (uint32_t)a->cmd, a->u.op.buf));
}

/* These name another domain: the effect functions (hv/evtchn.c, hv/gnttab.c) check
 * the XSM hooks of class event and grant against that domain's label, under the
 * lock that keeps it alive, before changing anything. */
static enum xsm_hook hook_event_channel_op(const struct hc_args *a)
{
    (void)a;
    return HC_NO_HOOK;
}

static enum xsm_hook hook_grant_table_op(const struct hc_args *a)
{
    (void)a;
    return HC_NO_HOOK;
}

/* ---- attest_op ------------------------------------------------------------- */
#define ATTEST_OUT_MAX XENIA_CONSOLEIO_MAX   /* largest guest buffer accepted */

static int64_t decode_attest_op(struct hc_domain *d, const struct hc_regs *r, struct hc_args *a)
{
    struct xenia_attest_quote *q = &a->u.att.q;

    a->cmd = r->a1;
    if (r->a1 != XENIA_ATTESTOP_quote && r->a1 != XENIA_ATTESTOP_ak_pub)
        return -XENIA_EINVAL;
    if (r->a3 != 0)
        return -XENIA_EINVAL;
    a->u.att.gva = r->a2;
    if (gmem_copy_from(&d->mem, q, r->a2, sizeof(*q)) < 0)
        return -XENIA_EFAULT;
    if (q->version != XENIA_INTERFACE_VERSION || q->pad != 0 || q->pad2 != 0)
        return -XENIA_EINVAL;
    if (q->buf_len > ATTEST_OUT_MAX)
        return -XENIA_EINVAL;
    if (gmem_check_range(&d->mem, r->a2, sizeof(*q), GMEM_USER | GMEM_WRITE) < 0 ||
        gmem_check_range(&d->mem, q->buf, q->buf_len, GMEM_USER | GMEM_WRITE) < 0)
        return -XENIA_EFAULT;
    return 0;
}

static int64_t invoke_attest_op(struct hc_domain *d, struct hc_args *a)
{
    struct xenia_attest_quote *q = &a->u.att.q;
    uint8_t *out = a->u.att.out;
    uint32_t alen = 0, slen = 0;
    int64_t rc;

    rc = d->ops->attest(d->ctx, (uint32_t)a->cmd, q->nonce, out, sizeof(a->u.att.out), &alen,
                        &slen);
    if (rc < 0 && rc != -XENIA_E2BIG)
        return rc;
    if (rc == 0 && ((uint64_t)alen + slen > q->buf_len || (uint64_t)alen + slen > sizeof(a->u.att.out)))
        rc = -XENIA_E2BIG;
    q->attest_len = alen;
    q->sig_len = slen;
    if (rc == 0 && gmem_copy_to(&d->mem, q->buf, out, alen + slen) < 0)
        return -XENIA_EFAULT;
    if (gmem_copy_to(&d->mem, a->u.att.gva, q, sizeof(*q)) < 0)
        return -XENIA_EFAULT;
    return rc;
}

static enum xsm_hook hook_attest_op(const struct hc_args *a)
{
    (void)a;
    return HC_HOOK(attest_guest_quote, XSM_HOOK);
}

/* ---- table ----------------------------------------------------------------- */
struct hc_entry {
    const char *name;
    int64_t (*decode)(struct hc_domain *, const struct hc_regs *, struct hc_args *);
    enum xsm_hook (*hook)(const struct hc_args *);
    int64_t (*invoke)(struct hc_domain *, struct hc_args *);
};

#define HC_ENTRY(n, num) [num] = { #n, decode_##n, hook_##n, invoke_##n },
static const struct hc_entry hc_table[XENIA_HC_MAX] = {
    XENIA_HYPERCALL_LIST(HC_ENTRY)
};
#undef HC_ENTRY

const char *hc_name(uint64_t nr)
{
    if (nr >= XENIA_HC_MAX || hc_table[nr].name == NULL)
        return "?";
    return hc_table[nr].name;
}

int64_t hc_dispatch(struct hc_domain *d, const struct hc_regs *r)
{
    const struct hc_entry *e;
    struct hc_args a;
    enum xsm_hook h;
    int64_t rc;

    if (r->nr >= XENIA_HC_MAX)
        return -XENIA_ENOSYS;
    e = &hc_table[r->nr];
    if (e->decode == NULL)
        return -XENIA_ENOSYS;
    a.cmd = 0;   /* each decode step fills what its invoke step reads */
    rc = e->decode(d, r, &a);
    if (rc < 0)
        return rc;
    h = e->hook(&a);
    if (h != HC_NO_HOOK && d->ops->xsm(d->ctx, h) < 0)
        return -XENIA_EACCES;
    return e->invoke(d, &a);
}
