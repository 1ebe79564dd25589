/* SPDX-License-Identifier: MIT */
/*
 * Guest wrappers for event channels and grant tables (ABI: include/xenia/hypercall.h,
 * Xen public/event_channel.h and public/grant_table.h semantics).
 */
#ifndef XENIA_GUEST_EVTCHN_H
#define XENIA_GUEST_EVTCHN_H

#include <xenia/guest.h>

/* event_channel_op(cmd, arg): returns 0 or -XENIA_Exxx; OUT fields filled in *arg. */
static inline long xenia_event_channel_op(uint32_t cmd, void *arg)
{
    return xenia_hypercall3(XENIA_HC_event_channel_op, cmd, XENIA_GVA(arg), 0);
}

/* grant_table_op(cmd, arg, 1). */
static inline long xenia_grant_table_op(uint32_t cmd, void *arg)
{
    return xenia_hypercall3(XENIA_HC_grant_table_op, cmd, XENIA_GVA(arg), 1);
}

/*
 * Wait until @port is pending (then clear it; returns 1) or @timeout_ns of system
 * time pass (returns 0). Other ports' pending bits are left alone.
 */
static inline int xenia_evtchn_wait(uint32_t port, uint64_t timeout_ns)
{
    uint64_t end = xenia_now_ns() + timeout_ns;

    for (;;) {
        if (xenia_evtchn_test_and_clear(port))
            return 1;
        if (xenia_now_ns() >= end)
            return 0;
        xenia_block(end);
    }
}

/*
 * End foreign access to grant entry @e (Xen gnttab_end_foreign_access_ref):
 * atomically clear the flags unless hv marks the grant in use (GTF_reading or
 * GTF_writing). Returns 1 when access ended, 0 while the grant is in use.
 */
static inline int xenia_gnttab_end_access(volatile struct xenia_grant_entry *e)
{
    uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

    for (;;) {
        if (flags & (XENIA_GTF_reading | XENIA_GTF_writing))
            return 0;
        if (__atomic_compare_exchange_n(&e->flags, &flags, 0, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return 1;
    }
}

/* Grant @frame to @domid (write domid and frame, then flags, as Xen requires). */
static inline void xenia_gnttab_grant(volatile struct xenia_grant_entry *e, uint16_t domid,
                                      uint32_t frame, int readonly)
{
    e->domid = domid;
    e->frame = frame;
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&e->flags,
                     (uint16_t)(XENIA_GTF_permit_access | (readonly ? XENIA_GTF_readonly : 0)),
                     __ATOMIC_RELEASE);
}

#endif /* XENIA_GUEST_EVTCHN_H */
