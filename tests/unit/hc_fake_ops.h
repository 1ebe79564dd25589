/* SPDX-License-Identifier: MIT */
/*
 * Fake event channel / grant effects for hc_dispatch() outside hv (unit test and
 * fuzz harness): record the call and answer from the pure event channel table.
 */
#ifndef XENIA_TESTS_HC_FAKE_OPS_H
#define XENIA_TESTS_HC_FAKE_OPS_H

#include <stdint.h>

#include <xenia/hypercall.h>

#include "hv/evtchn.h"

static struct evtchn_table f_evt;
static uint32_t f_struct_ops, f_last_cmd;
static int64_t f_evtchn(void *ctx, uint32_t cmd, void *arg)
{
    (void)ctx;
    f_struct_ops++;
    f_last_cmd = cmd;
    switch (cmd) {
    case XENIA_EVTCHNOP_alloc_unbound: {
        struct xenia_evtchn_alloc_unbound *a = arg;
        int p = evtchn_table_alloc(&f_evt, a->remote_dom);
        if (p < 0)
            return p;
        a->port = (uint32_t)p;
        return 0;
    }
    case XENIA_EVTCHNOP_status:
        return evtchn_table_status(&f_evt, ((struct xenia_evtchn_status *)arg)->port, arg);
    default:
        return 0;
    }
}
static int64_t f_gnttab(void *ctx, uint32_t cmd, void *arg)
{
    (void)ctx;
    f_struct_ops++;
    f_last_cmd = cmd;
    if (cmd == XENIA_GNTTABOP_query_size) {
        struct xenia_gnttab_query_size *q = arg;
        q->nr_frames = 1;
        q->max_nr_frames = XENIA_GNTTAB_FRAMES;
    }
    return 0;
}
/* attest_op: a fixed fake "quote" (the nonce twice) and "signature" (16 bytes). */
static uint32_t f_attest_calls;
static int64_t f_attest(void *ctx, uint32_t cmd, const uint8_t nonce[32], uint8_t *out,
                        uint32_t cap, uint32_t *alen, uint32_t *slen)
{
    (void)ctx;
    f_attest_calls++;
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
#endif /* XENIA_TESTS_HC_FAKE_OPS_H */
