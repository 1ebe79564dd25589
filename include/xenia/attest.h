/* SPDX-License-Identifier: MIT */
/*
 * Measured boot and remote attestation: the PCR map, the attestation agent's
 * IPC with hv, the agent <-> verifier protocol (inside TLS 1.2) and the guest's
 * attest_op hypercall.
 *
 * PCR map (SHA-256 bank; every event is also in the TCG PC Client crypto-agile
 * event log, TCG PC Client PFP §10.2, at <run-dir>/tpm/eventlog.bin):
 *   PCR 8  XENIA_PCR_CODE    xenia-hv itself, every stub domain binary, every stub
 *                            domain restart (digest = the binary's digest again)
 *   PCR 9  XENIA_PCR_POLICY  the policy binary at start and at each loadpolicy, the
 *                            enforcing mode and each change of it, each boolean change
 *   PCR 10 XENIA_PCR_DOMAINS each domain launch: its image, command line and config
 * Event data (EV_IPL, ASCII, no NUL, at most XENIA_EV_DATA_MAX bytes) names the
 * component: see docs/attestation.md for the grammar, e.g.
 *   "xenia:hv", "xenia:stubdom dm", "xenia:restart dm domid=3 generation=2",
 *   "xenia:policy", "xenia:enforce 1", "xenia:bool name=1",
 *   "xenia:domain image domid=3 name=web label=tenant_u:tenant_r:domU_t:s0:c1"
 */
#ifndef XENIA_ATTEST_H
#define XENIA_ATTEST_H

#include "abi.h"

#define XENIA_PCR_CODE    8
#define XENIA_PCR_POLICY  9
#define XENIA_PCR_DOMAINS 10
#define XENIA_PCR_MASK    ((1u << XENIA_PCR_CODE) | (1u << XENIA_PCR_POLICY) | \
                           (1u << XENIA_PCR_DOMAINS))
#define XENIA_NR_PCRS     24

#define XENIA_EV_DATA_MAX 512u         /* bytes of event data per event */
#define XENIA_SHA256_LEN  32u
#define XENIA_NONCE_LEN   32u

/* TPM 2.0 structure size bounds used by every parser (TPM 2.0 Part 2). */
#define XENIA_TPM_ATTEST_MAX 1024u     /* TPMS_ATTEST marshaled (TPM2B_ATTEST body) */
#define XENIA_TPM_SIG_MAX    512u      /* TPMT_SIGNATURE marshaled */
#define XENIA_TPM_PUB_MAX    1024u     /* TPMT_PUBLIC marshaled (TPM2B_PUBLIC body) */
#define XENIA_TPM_IDOBJ_MAX  512u      /* TPM2B_ID_OBJECT body (credential blob) */
#define XENIA_TPM_ENCSEC_MAX 512u      /* TPM2B_ENCRYPTED_SECRET body */
#define XENIA_CERT_MAX       4096u     /* one DER certificate */
#define XENIA_EVLOG_MAX      (1u << 20) /* event log bytes */

/* ------------------------------------------------------------------------- */
/* hv <-> attestation agent IPC (stubdoms/attest, one per host).             */
/* The agent gets exactly these fds (hv/stubdom.c):                          */
/*   XENIA_AGENT_FD_IPC    AF_UNIX SOCK_SEQPACKET to hv                     */
/*   XENIA_AGENT_FD_LISTEN a listening TCP socket made by hv (loopback:7766 */
/*                         by default; the agent cannot make sockets)       */
/* Each request is one message: struct xenia_agent_req, then op-specific    */
/* bytes (req.len of them). Each reply is one message: xenia_agent_rep,     */
/* then rep.len bytes. hv checks every request against XSM as the agent's   */
/* SID (attest_t): quote and activate need attest:quote, log and policy     */
/* attest:read_log, domains domain:getinfo per domain listed.               */
/* ------------------------------------------------------------------------- */
#define XENIA_AGENT_FD_IPC    3
#define XENIA_AGENT_FD_LISTEN 4

#define XENIA_AGENT_MAGIC   0x5441584eu   /* "NXAT" */
#define XENIA_AGENT_VERSION 1u
#define XENIA_AGENT_MSG_MAX 65536u        /* bytes per IPC message, header included */
#define XENIA_AGENT_CHUNK   32768u        /* log / policy bytes per reply */

#define XENIA_AGENT_OP_STATIC   1  /* -> items EK_CERT, EK_CHAIN (0..n), AK_PUB   */
#define XENIA_AGENT_OP_QUOTE    2  /* IN qualifying_data[32] -> items QUOTE, SIG,
                                      PCRS, and LOG_LEN (the log bytes covered)  */
#define XENIA_AGENT_OP_LOG      3  /* IN struct xenia_agent_range -> raw bytes  */
#define XENIA_AGENT_OP_POLICY   4  /* IN struct xenia_agent_range -> raw bytes;
                                      rep.total = the policy's size             */
#define XENIA_AGENT_OP_DOMAINS  5  /* IN level string (e.g. "s0:c1"), NUL padded
                                      to 64 -> struct xenia_att_domain[]        */
#define XENIA_AGENT_OP_ACTIVATE 6  /* IN items IDOBJ, ENCSECRET -> item SECRET  */

struct xenia_agent_req {
    uint32_t magic;            /* XENIA_AGENT_MAGIC */
    uint16_t version;          /* XENIA_AGENT_VERSION */
    uint16_t op;               /* XENIA_AGENT_OP_* */
    uint32_t len;              /* bytes after this header */
    uint32_t pad;              /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_agent_req) == 16, "agent req size");

struct xenia_agent_rep {
    uint32_t magic;            /* XENIA_AGENT_MAGIC */
    uint16_t version;          /* XENIA_AGENT_VERSION */
    uint16_t op;               /* the request's op */
    int32_t  error;            /* 0 or -XENIA_Exxx */
    uint32_t len;              /* bytes after this header */
    uint64_t total;            /* OP_LOG / OP_POLICY: whole object size; else 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_agent_rep) == 24, "agent rep size");

struct xenia_agent_range {
    uint64_t offset;           /* byte offset into the object */
    uint32_t len;              /* <= XENIA_AGENT_CHUNK */
    uint32_t pad;              /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_agent_range) == 16, "agent range size");

/* One domain in OP_DOMAINS replies and EVIDENCE items (names NUL padded). */
struct xenia_att_domain {
    uint32_t domid;
    uint32_t state;            /* XENIA_DOMSTATE_* of ctl.h */
    char     name[64];         /* NUL terminated */
    char     label[128];       /* security context, NUL terminated */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_att_domain) == 200, "att domain size");

/* ------------------------------------------------------------------------- */
/* Items: the payload of IPC replies and of protocol messages is a sequence  */
/* of items, each 8-byte aligned: header, len bytes, zero padding to 8.      */
/* ------------------------------------------------------------------------- */
struct xenia_att_item {
    uint16_t tag;              /* XENIA_ATT_* */
    uint16_t pad;              /* 0 */
    uint32_t len;              /* bytes of data that follow (padding excluded) */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_att_item) == 8, "att item size");

#define XENIA_ATT_EK_CERT    1   /* DER X.509 EK certificate (TCG EK Credential Profile) */
#define XENIA_ATT_EK_CHAIN   2   /* DER intermediate CA certificate; zero or more */
#define XENIA_ATT_AK_PUB     3   /* TPMT_PUBLIC marshaled (ECC P-256, restricted sign) */
#define XENIA_ATT_QUOTE      4   /* TPMS_ATTEST marshaled (the quote's attestation data) */
#define XENIA_ATT_SIG        5   /* TPMT_SIGNATURE marshaled (ECDSA, SHA-256) */
#define XENIA_ATT_PCRS       6   /* uint32 count, then count * { uint32 index, 32 bytes } */
#define XENIA_ATT_EVLOG      7   /* the event log bytes the quote covers */
#define XENIA_ATT_POLICY     8   /* the policy binary in force */
#define XENIA_ATT_DOMAINS    9   /* struct xenia_att_domain[] */
#define XENIA_ATT_NONCE      10  /* 32 bytes: the nonce the agent received (echo) */
#define XENIA_ATT_BINDING    11  /* 32 bytes: the agent's TLS channel binding (echo) */
#define XENIA_ATT_IDOBJ      12  /* TPM2B_ID_OBJECT body: credential blob (MakeCredential) */
#define XENIA_ATT_ENCSECRET  13  /* TPM2B_ENCRYPTED_SECRET body */
#define XENIA_ATT_SECRET     14  /* the activated secret (TPM2B_DIGEST body) */
#define XENIA_ATT_LOG_LEN    15  /* uint64: event log bytes covered by the quote */
#define XENIA_ATT_ERROR      16  /* int32 -errno, then an ASCII reason */
#define XENIA_ATT_LEVEL      17  /* 64 bytes, NUL padded: the tenant's MCS level ("s0:c1") */
/* Saved evidence bundles (xenia-verify --save / --evidence), never on the wire: */
#define XENIA_ATT_BUNDLE_EVIDENCE 18 /* the EVIDENCE message's items, nested */
#define XENIA_ATT_BUNDLE_NONCE    19 /* 32 bytes: the nonce this verifier sent */
#define XENIA_ATT_BUNDLE_BINDING  20 /* 32 bytes: this verifier's channel binding */
#define XENIA_ATT_BUNDLE_AK_NAME  21 /* 34 bytes: the AK name activated in that session */
#define XENIA_ATT_MAX_TAG    21

/* ------------------------------------------------------------------------- */
/* Agent <-> verifier protocol, inside TLS 1.2 (mbedTLS), TCP port 7766.     */
/* Every message: struct xenia_att_msg, then len bytes of items.            */
/*   verifier -> agent  HELLO    items NONCE, LEVEL                         */
/*   agent -> verifier  EVIDENCE items EK_CERT, EK_CHAIN*, AK_PUB, QUOTE,   */
/*                               SIG, PCRS, EVLOG, POLICY, DOMAINS, NONCE,  */
/*                               BINDING                                    */
/*   verifier -> agent  ACTIVATE items IDOBJ, ENCSECRET                     */
/*   agent -> verifier  ACTIVATED item SECRET                               */
/*   either             ERROR    item ERROR                                 */
/* The quote's qualifyingData (TPM 2.0 Part 2 §10.12.8 extraData) is        */
/* SHA-256(nonce || binding), binding = the TLS 1.2 exporter (RFC 5705,     */
/* extended master secret, RFC 7627) with label XENIA_ATT_EXPORTER_LABEL,   */
/* no context, 32 bytes.                                                    */
/* ------------------------------------------------------------------------- */
#define XENIA_ATT_PORT           7766
#define XENIA_ATT_MAGIC          0x4156584eu   /* "NXVA" */
#define XENIA_ATT_VERSION        1u
#define XENIA_ATT_MSG_MAX        (XENIA_EVLOG_MAX + (1u << 20) + 65536u)
#define XENIA_ATT_EXPORTER_LABEL "EXPORTER-xenia-attest-channel-binding"

#define XENIA_ATT_MSG_HELLO     1
#define XENIA_ATT_MSG_EVIDENCE  2
#define XENIA_ATT_MSG_ACTIVATE  3
#define XENIA_ATT_MSG_ACTIVATED 4
#define XENIA_ATT_MSG_ERROR     5

struct xenia_att_msg {
    uint32_t magic;            /* XENIA_ATT_MAGIC */
    uint16_t version;          /* XENIA_ATT_VERSION */
    uint16_t type;             /* XENIA_ATT_MSG_* */
    uint32_t len;              /* bytes of items after this header */
    uint32_t pad;              /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_att_msg) == 16, "att msg size");

/* ------------------------------------------------------------------------- */
/* attest_op(cmd, arg) - guest-initiated attestation (hypercall 48).          */
/*   ATTESTOP_quote:  arg -> struct xenia_attest_quote (IN/OUT). hv quotes     */
/*                    PCRs 8-10 with qualifyingData = SHA-256(                 */
/*                    XENIA_ATTEST_GUEST_TAG || domid (le32) || nonce) and     */
/*                    writes TPMS_ATTEST then TPMT_SIGNATURE (marshaled) into  */
/*                    buf. Returns 0; -EINVAL bad cmd/pad; -EFAULT bad buffer; */
/*                    -E2BIG buf too small (lengths filled in); -EAGAIN over   */
/*                    the rate limit (XENIA_ATTEST_RATE per second, burst      */
/*                    XENIA_ATTEST_BURST); -EACCES denied (attest:guest_quote);*/
/*                    -ENODATA no TPM.                                         */
/*   ATTESTOP_ak_pub: arg -> struct xenia_attest_quote: writes the AK's        */
/*                    TPMT_PUBLIC (marshaled) into buf; attest_len = its size. */
/* ------------------------------------------------------------------------- */
#define XENIA_ATTESTOP_quote  0
#define XENIA_ATTESTOP_ak_pub 1
#define XENIA_ATTEST_GUEST_TAG "xenia-guest-quote"   /* 17 bytes, no NUL */
#define XENIA_ATTEST_RATE     10
#define XENIA_ATTEST_BURST    5

struct xenia_attest_quote {
    uint32_t version;          /* IN: XENIA_INTERFACE_VERSION */
    uint32_t pad;              /* IN: 0 */
    uint8_t  nonce[32];        /* IN */
    uint64_t buf;              /* IN: guest virtual address of the output buffer */
    uint32_t buf_len;          /* IN: its size in bytes */
    uint32_t attest_len;       /* OUT: bytes of TPMS_ATTEST (or TPMT_PUBLIC) at buf */
    uint32_t sig_len;          /* OUT: bytes of TPMT_SIGNATURE after it */
    uint32_t pad2;             /* IN: 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_attest_quote) == 64, "attest quote size");

#endif /* XENIA_ATTEST_H */
