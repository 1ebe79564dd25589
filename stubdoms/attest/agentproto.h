/* SPDX-License-Identifier: MIT */
/*
 * The attestation agent's pure half: encoding hv IPC requests, checking hv's
 * replies before any byte of them is used, checking the verifier's HELLO and
 * ACTIVATE messages, and assembling EVIDENCE. No system calls, no allocation:
 * every decoder points into the caller's buffer. Fuzzed and unit tested alone
 * (tests/unit/test_agent.c); main.c is the system-call shell around it.
 * Wire formats: include/xenia/attest.h.
 */
#ifndef XENIA_STUBDOMS_ATTEST_AGENTPROTO_H
#define XENIA_STUBDOMS_ATTEST_AGENTPROTO_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/attest.h>

#include "attest/items.h"

#define AP_WUR __attribute__((warn_unused_result))

#define AP_CHAIN_MAX   8u               /* EK_CHAIN certificates in OP_STATIC */
#define AP_POLICY_MAX  (1u << 20)       /* bytes of the policy binary */
#define AP_SECRET_MAX  64u              /* TPM2B_DIGEST body (TPM 2.0 Part 2 §10.4.2) */
#define AP_LEVEL_LEN   64u              /* LEVEL item and OP_DOMAINS body */
#define AP_REP_BODY_MAX (XENIA_AGENT_MSG_MAX - sizeof(struct xenia_agent_rep))
#define AP_DOMAINS_MAX  (AP_REP_BODY_MAX / sizeof(struct xenia_att_domain))
#define AP_HELLO_MAX   256u             /* item bytes of a HELLO (NONCE + LEVEL = 112) */
#define AP_ACTIVATE_MAX (2u * sizeof(struct xenia_att_item) + XENIA_TPM_IDOBJ_MAX + \
                         XENIA_TPM_ENCSEC_MAX)
#define AP_ITEMS_MAX   (AP_CHAIN_MAX + 4u)  /* items in any message the agent parses */

/*
 * ap_req_encode - one IPC request: struct xenia_agent_req {op, blen} then
 * blen bytes of body, into buf[cap]; *len = its size.
 * Returns 0; -XENIA_E2BIG (more than cap or XENIA_AGENT_MSG_MAX);
 * -XENIA_EINVAL (op outside 1..XENIA_AGENT_OP_ACTIVATE, NULL body with blen > 0).
 */
int ap_req_encode(uint8_t *buf, size_t cap, uint16_t op, const void *body, uint32_t blen,
                  size_t *len) AP_WUR;

/* A checked reply: error (0 or -XENIA_Exxx), total, body[len] inside the message. */
struct ap_rep {
    int32_t error;
    uint64_t total;
    const uint8_t *body;
    uint32_t len;
};

/*
 * ap_rep_decode - check one IPC reply message msg[n] to a request of op:
 * n in 24..XENIA_AGENT_MSG_MAX, magic, version, op equal to the request's,
 * len == n - 24, error 0 or in -4095..-1, total 0 unless op is OP_LOG or
 * OP_POLICY (or the reply is an error). Fills *rep (body points into msg).
 * Returns 0 (check rep->error next) or -XENIA_EPROTO with a reason.
 */
int ap_rep_decode(const uint8_t *msg, size_t n, uint16_t op, struct ap_rep *rep, char *err,
                  size_t errlen) AP_WUR;

/* OP_STATIC reply items. */
struct ap_static {
    struct att_item ek_cert;
    struct att_item chain[AP_CHAIN_MAX];
    unsigned nchain;
    struct att_item ak_pub;
};

/*
 * ap_static_parse - OP_STATIC reply body: exactly one EK_CERT
 * (1..XENIA_CERT_MAX bytes), 0..AP_CHAIN_MAX EK_CHAIN (each 1..XENIA_CERT_MAX),
 * exactly one AK_PUB (1..XENIA_TPM_PUB_MAX), nothing else.
 * Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_static_parse(const uint8_t *body, uint32_t len, struct ap_static *st, char *err,
                    size_t errlen) AP_WUR;

/* OP_QUOTE reply items. */
struct ap_quote {
    struct att_item quote, sig, pcrs;
    uint64_t log_len;
};

/*
 * ap_pcrs_check - a PCRS item: uint32 count (1..XENIA_NR_PCRS), then count
 * entries { uint32 index (< XENIA_NR_PCRS, strictly increasing), 32 bytes },
 * nothing after. Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_pcrs_check(const uint8_t *data, uint32_t len, char *err, size_t errlen) AP_WUR;

/*
 * ap_quote_parse - OP_QUOTE reply body: exactly one each of QUOTE
 * (1..XENIA_TPM_ATTEST_MAX), SIG (1..XENIA_TPM_SIG_MAX), PCRS (ap_pcrs_check)
 * and LOG_LEN (8 bytes, <= XENIA_EVLOG_MAX), nothing else.
 * Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_quote_parse(const uint8_t *body, uint32_t len, struct ap_quote *q, char *err,
                   size_t errlen) AP_WUR;

/*
 * ap_range_encode - an OP_LOG / OP_POLICY body: {offset, len, pad 0}.
 * Returns 0, or -XENIA_EINVAL when len is 0 or above XENIA_AGENT_CHUNK.
 */
int ap_range_encode(uint64_t offset, uint32_t len, struct xenia_agent_range *r) AP_WUR;

/* ap_chunk_len - the next chunk to ask for: min(XENIA_AGENT_CHUNK, size - offset). */
uint32_t ap_chunk_len(uint64_t offset, uint64_t size);

/*
 * ap_log_chunk_check - a successful OP_LOG reply to {offset, req_len} while
 * reading the first log_len bytes: offset + req_len <= log_len, total in
 * log_len..XENIA_EVLOG_MAX (the log may have grown since the quote),
 * rep->len == req_len. Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_log_chunk_check(const struct ap_rep *rep, uint64_t offset, uint32_t req_len,
                       uint64_t log_len, char *err, size_t errlen) AP_WUR;

/*
 * ap_policy_chunk_check - a successful OP_POLICY reply to {offset, req_len}:
 * total <= AP_POLICY_MAX, equal to prev_total unless this is the first chunk
 * (offset 0), offset <= total, rep->len == min(req_len, total - offset).
 * Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_policy_chunk_check(const struct ap_rep *rep, uint64_t offset, uint32_t req_len,
                          uint64_t prev_total, char *err, size_t errlen) AP_WUR;

/*
 * ap_domains_check - OP_DOMAINS reply body: a whole number (0..AP_DOMAINS_MAX)
 * of struct xenia_att_domain, each name and label NUL terminated.
 * Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_domains_check(const uint8_t *body, uint32_t len, char *err, size_t errlen) AP_WUR;

/*
 * ap_secret_parse - OP_ACTIVATE reply body: exactly one SECRET item of
 * 1..AP_SECRET_MAX bytes. Returns 0 and *secret, or -XENIA_EPROTO.
 */
int ap_secret_parse(const uint8_t *body, uint32_t len, struct att_item *secret, char *err,
                    size_t errlen) AP_WUR;

/*
 * ap_level_check - a LEVEL value: 64 bytes, an MCS level of 1..63 characters
 * from [A-Za-z0-9:,._-], then NUL bytes only. Returns 0 or -XENIA_EPROTO.
 */
int ap_level_check(const uint8_t level[AP_LEVEL_LEN], char *err, size_t errlen) AP_WUR;

/*
 * ap_hello_parse - HELLO items: exactly one NONCE (XENIA_NONCE_LEN bytes) and
 * one LEVEL (AP_LEVEL_LEN bytes, ap_level_check), nothing else. Copies them
 * out. Returns 0 or -XENIA_EPROTO with a reason.
 */
int ap_hello_parse(const uint8_t *items, size_t len, uint8_t nonce[XENIA_NONCE_LEN],
                   uint8_t level[AP_LEVEL_LEN], char *err, size_t errlen) AP_WUR;

/*
 * ap_activate_parse - ACTIVATE items: exactly one IDOBJ (1..XENIA_TPM_IDOBJ_MAX)
 * and one ENCSECRET (1..XENIA_TPM_ENCSEC_MAX), nothing else. Returns 0 or
 * -XENIA_EPROTO with a reason.
 */
int ap_activate_parse(const uint8_t *items, size_t len, struct att_item *idobj,
                      struct att_item *encsecret, char *err, size_t errlen) AP_WUR;

/*
 * ap_activate_body - the OP_ACTIVATE request body: items IDOBJ, ENCSECRET
 * into buf[cap]. Returns 0 and *len, or -XENIA_E2BIG.
 */
int ap_activate_body(uint8_t *buf, size_t cap, const struct att_item *idobj,
                     const struct att_item *encsecret, size_t *len) AP_WUR;

/* ap_qualifying_data - SHA-256(nonce || binding) (attest.h; TPM 2.0 Part 2
 * §10.12.8 extraData). */
void ap_qualifying_data(const uint8_t nonce[XENIA_NONCE_LEN], const uint8_t binding[32],
                        uint8_t out[32]);

/* Everything EVIDENCE carries (all already checked). */
struct ap_evidence {
    const struct ap_static *st;
    const struct ap_quote *q;
    const uint8_t *log;         /* q->log_len bytes */
    const uint8_t *policy;
    uint64_t policy_len;
    const uint8_t *domains;
    uint32_t domains_len;
    const uint8_t *nonce;       /* XENIA_NONCE_LEN */
    const uint8_t *binding;     /* 32 */
};

/*
 * ap_evidence_size - bytes of the EVIDENCE items for e (0 when over
 * XENIA_ATT_MSG_MAX). ap_evidence_build - write them into buf[cap] in the
 * order EK_CERT, EK_CHAIN*, AK_PUB, QUOTE, SIG, PCRS, EVLOG, POLICY, DOMAINS,
 * NONCE, BINDING; *len = the size. Returns 0 or -XENIA_E2BIG.
 */
size_t ap_evidence_size(const struct ap_evidence *e);
int ap_evidence_build(uint8_t *buf, size_t cap, const struct ap_evidence *e, size_t *len) AP_WUR;

/* ap_op_name - "static", "quote", ... for logs and error reasons. */
const char *ap_op_name(uint16_t op);

#endif /* XENIA_STUBDOMS_ATTEST_AGENTPROTO_H */
