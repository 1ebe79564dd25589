/* SPDX-License-Identifier: MIT */
/*
 * Guest wrappers for attest_op (hypercall 48, ABI: include/xenia/attest.h):
 * a TPM 2.0 quote of the host's PCRs 8-10 bound to a nonce of the guest's
 * choosing and to its domid, and the attestation key's public area.
 */
#ifndef XENIA_GUEST_ATTEST_H
#define XENIA_GUEST_ATTEST_H

#include <xenia/attest.h>
#include <xenia/guest.h>

/*
 * attest_op(cmd, arg): @arg is a struct xenia_attest_quote (IN/OUT) that the
 * caller filled in (version, zero pads, nonce, buf, buf_len). Returns 0 or
 * -XENIA_Exxx (attest.h); on 0 and on -XENIA_E2BIG hv has set attest_len and
 * sig_len.
 */
static inline long xenia_attest_op(uint32_t cmd, struct xenia_attest_quote *arg)
{
    return xenia_hypercall3(XENIA_HC_attest_op, cmd, XENIA_GVA(arg), 0);
}

/*
 * Quote (cmd XENIA_ATTESTOP_quote) or AK public area (XENIA_ATTESTOP_ak_pub)
 * into buf[0..cap) (cap <= XENIA_CONSOLEIO_MAX): buf holds *alen bytes of
 * TPMS_ATTEST (or TPMT_PUBLIC), then *slen bytes of TPMT_SIGNATURE (0 for the
 * AK). @nonce is 32 bytes (ignored by ak_pub; may be NULL there). Returns as
 * xenia_attest_op().
 */
static inline long xenia_attest(uint32_t cmd, const uint8_t *nonce, void *buf, uint32_t cap,
                                uint32_t *alen, uint32_t *slen)
{
    struct xenia_attest_quote q;
    long rc;

    memset(&q, 0, sizeof(q));
    q.version = XENIA_INTERFACE_VERSION;
    if (nonce != NULL)
        memcpy(q.nonce, nonce, sizeof(q.nonce));
    q.buf = XENIA_GVA(buf);
    q.buf_len = cap;
    rc = xenia_attest_op(cmd, &q);
    *alen = q.attest_len;
    *slen = q.sig_len;
    return rc;
}

#endif /* XENIA_GUEST_ATTEST_H */
