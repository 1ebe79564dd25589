/* SPDX-License-Identifier: MIT */
/*
 * The verifier's decision (xenia-verify; pure: mbedTLS, the policy reader and
 * analyser, no system calls). Given evidence from the attestation agent
 * (include/xenia/attest.h), what this session expects (nonce, TLS channel
 * binding, the AK it activated, the tenant's level) and a reference manifest,
 * it decides in a fixed order and stops at the first failure, naming it:
 *   1. evidence shape      every item present once (EK_CHAIN 0..XV_CHAIN_MAX)
 *   2. nonce               the echoed nonce is ours (else: replayed/stale)
 *   3. channel binding     the echoed binding is ours (else: relayed session)
 *   4. EK certificate      chains to a trusted root (TCG EK Credential Profile)
 *   5. AK                  a restricted ECC P-256 signing key whose name is the one
 *                          activated against that EK (TPM 2.0 Part 1 §24)
 *   6. quote               TPMS_ATTEST: magic, type, extraData = SHA-256(nonce ||
 *                          binding), PCR selection = XENIA_PCR_MASK; signature
 *   7. event log           parses (TCG PC Client PFP §10.2) and replays to the
 *                          quoted PCR digest
 *   8. reference values    every PCR 8 event names a manifest component with that
 *                          digest; every policy in PCR 9 is a manifest policy,
 *                          enforcing, no dummy XSM; the tenant's launches in PCR 10
 *                          have manifest (or tenant-given) images
 *   9. policy binary       its SHA-256 is the last measured policy's
 *  10. domains             each listed domain of the tenant was measured at launch
 *                          with the same domid, name and label
 *  11. isolation claim     an_check_isolation_of(policy, tenant level) == 0
 */
#ifndef XENIA_ATTEST_VERIFY_H
#define XENIA_ATTEST_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include <xenia/attest.h>

#include "attest/items.h"

enum xv_code {
    XV_OK = 0,
    XV_E_EVIDENCE,         /* malformed or incomplete evidence */
    XV_E_NONCE,            /* replayed or stale evidence */
    XV_E_BINDING,          /* relayed TLS session */
    XV_E_EK,               /* EK certificate not trusted */
    XV_E_AK,               /* AK not the activated one, or not a proper AK */
    XV_E_ACTIVATION,       /* credential activation failed (set by the caller) */
    XV_E_QUOTE,            /* malformed quote, wrong magic/type/selection */
    XV_E_QUOTE_NONCE,      /* quote not bound to this nonce and session */
    XV_E_SIGNATURE,        /* quote signature does not verify with the AK */
    XV_E_EVENT_LOG,        /* event log malformed */
    XV_E_REPLAY,           /* event log does not replay to the quoted PCRs */
    XV_E_CODE,             /* hv or a stub domain not in the manifest */
    XV_E_POLICY,           /* a measured policy not in the manifest */
    XV_E_PERMISSIVE,       /* XSM permissive or dummy at some point */
    XV_E_POLICY_MISMATCH,  /* the policy binary sent is not the one in force */
    XV_E_IMAGE,            /* a tenant domain's image is not a reference image */
    XV_E_DOMAIN,           /* a tenant domain without a matching launch measurement */
    XV_E_ISOLATION,        /* the measured policy lets another tenant reach this one */
    XV_E_CONNECT,          /* network, TLS or protocol failure (set by the caller) */
    XV_NCODES
};

/* xv_code_name - short stable name for JSON and tests ("nonce", "isolation"...). */
const char *xv_code_name(int code);

#define XV_MAN_MAX 64

/* Reference manifest (tools/mkmanifest.sh writes one per build; libconfig syntax,
 * docs/attestation.md): expected digests by component name. */
struct xv_manifest {
    struct xv_ref { char name[64]; uint8_t sha256[32]; } comp[XV_MAN_MAX], policy[XV_MAN_MAX],
        image[XV_MAN_MAX];
    unsigned ncomp, npolicy, nimage;
};

/*
 * xv_manifest_parse - parse a manifest from text (libconfig): version = 1;
 * components, policies and images lists of { name = "..."; sha256 = "<64 hex>"; }.
 * Returns 0 or -XENIA_EINVAL with "line N: reason" in err.
 */
int xv_manifest_parse(const char *text, struct xv_manifest *m, char *err, size_t errlen);

/* xv_manifest_add_image - add a tenant-given reference image (name, digest). */
int xv_manifest_add_image(struct xv_manifest *m, const char *name, const uint8_t sha256[32]);

/* Evidence as received: views into the message's buffer. */
struct xv_evidence {
    struct att_item ek, chain[8], ak, quote, sig, pcrs, evlog, policy, domains, nonce, binding;
    unsigned nchain;
};

/* xv_evidence_parse - split an EVIDENCE message's items; -XENIA_EPROTO with a reason. */
int xv_evidence_parse(const uint8_t *buf, size_t len, struct xv_evidence *ev, char *err,
                      size_t errlen);

struct xv_expect {
    const uint8_t *nonce;          /* 32 bytes this verifier sent */
    const uint8_t *binding;        /* 32 bytes: its own TLS exporter value */
    const uint8_t *ak_name;        /* 34 bytes: the AK name activated in this session */
    const char *level;             /* the tenant's MCS level, e.g. "s0:c1" */
    const struct xv_manifest *ref;
    mbedtls_x509_crt *trust;       /* EK CA roots */
};

#define XV_DOM_MAX 16
struct xv_verdict {
    int code;                      /* enum xv_code */
    char reason[768];              /* one line; empty when XV_OK */
    uint32_t nevents;
    uint8_t pcr[3][32];            /* replayed PCRs 8, 9, 10 */
    uint8_t policy_sha256[32];
    char isolation[4096];          /* analyser report: one line per tenant pair checked */
    unsigned ndom;
    struct xv_dom { uint32_t domid; char name[64]; char label[128]; uint8_t image[32]; } dom[XV_DOM_MAX];
};

/* xv_verify - decide (see the top of this file). Returns v->code (0 = trusted). */
int xv_verify(const struct xv_evidence *ev, const struct xv_expect *ex, struct xv_verdict *v);

#endif /* XENIA_ATTEST_VERIFY_H */
