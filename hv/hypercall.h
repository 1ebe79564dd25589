/* SPDX-License-Identifier: MIT */
/*
 * Hypercall dispatcher: decode (validate every guest-supplied value and
 * translate every guest range with its length), then invoke (change state).
 * Pure C: side effects go through struct hc_ops, so the dispatcher runs the
 * same under a real vCPU, a unit test or a fuzzer with a fake domain.
 * ABI: include/xenia/hypercall.h.
 */
#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include <stdint.h>

#include <xenia/attest.h>
#include <xenia/hypercall.h>

#include "guestmem.h"
#include "xsm/xsm.h"

/* Effects a hypercall may have on its domain; ctx is hc_domain.ctx. */
struct hc_ops {
    /* Append len (<= XENIA_CONSOLEIO_MAX) bytes to the domain's console. */
    void (*console_write)(void *ctx, const char *buf, uint32_t len);
    /* Take up to len bytes of pending console input; returns bytes taken. */
    uint32_t (*console_read)(void *ctx, char *buf, uint32_t len);
    /* Give up the CPU. */
    void (*yield)(void *ctx);
    /* Wait for an unmasked pending event or deadline (ns, 0 = none):
     * returns 0 (event) or -XENIA_ETIME. */
    int64_t (*block)(void *ctx, uint64_t deadline_ns);
    /* Stop the domain with a guest-chosen reason (already validated). */
    void (*shutdown)(void *ctx, uint32_t reason);
    /* EVTCHNOP_* / GNTTABOP_*: @arg is the command's struct (decoded: pads zero),
     * updated in place with OUT fields. These check their own XSM hooks (the
     * object is another domain). Returns >= 0 or -XENIA_Exxx. */
    int64_t (*evtchn)(void *ctx, uint32_t cmd, void *arg);
    int64_t (*gnttab)(void *ctx, uint32_t cmd, void *arg);
    /* ATTESTOP_*: write the evidence for @nonce (quote) or the AK public area
     * (ak_pub) into out[0..cap): *alen bytes of TPMS_ATTEST (or TPMT_PUBLIC),
     * then *slen bytes of TPMT_SIGNATURE. Rate limits itself. Returns 0,
     * -XENIA_E2BIG (lengths still set), -XENIA_EAGAIN, -XENIA_ENODATA, -XENIA_EIO. */
    int64_t (*attest)(void *ctx, uint32_t cmd, const uint8_t nonce[32], uint8_t *out,
                      uint32_t cap, uint32_t *alen, uint32_t *slen);
    /* XSM: may the domain perform hook h (xsm/hooks.def)? 0 or -EACCES. Asked after
     * decode, before invoke: a denied call has changed nothing. */
    int (*xsm)(void *ctx, enum xsm_hook h);
};

/* What the dispatcher knows about the calling domain. */
struct hc_domain {
    uint32_t domid;
    struct gmem mem;                                  /* guest memory view */
    struct xenia_mem_region map[XENIA_MEMMAP_MAX];    /* memory_map answer */
    uint32_t nr_map;
    const char *build_id;                             /* NUL-terminated, < 48 bytes */
    const struct hc_ops *ops;
    void *ctx;
};

/* Registers at the trap: rax = number; rdi, rsi, rdx, r10, r8 = arguments. */
struct hc_regs {
    uint64_t nr, a1, a2, a3, a4, a5;
};

/*
 * hc_dispatch - run one hypercall for @d with registers @r.
 * Returns the value for the guest's rax: >= 0 or -XENIA_Exxx
 * (-XENIA_ENOSYS for an unknown number, -XENIA_EACCES when XSM denies it).
 * Never fails on any guest input.
 */
int64_t hc_dispatch(struct hc_domain *d, const struct hc_regs *r);

/* Per-hypercall names for statistics and logs ("?" when unknown). */
const char *hc_name(uint64_t nr);

#endif /* HV_HYPERCALL_H */
