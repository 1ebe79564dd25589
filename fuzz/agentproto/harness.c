/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: stubdoms/attest/agentproto.c, the attestation agent's checks of
 * untrusted input in both directions: hv's IPC replies (ap_rep_decode, then
 * the body checks ap_static_parse, ap_quote_parse / ap_pcrs_check,
 * ap_log_chunk_check, ap_policy_chunk_check, ap_domains_check, ap_secret_parse)
 * and the verifier's messages (ap_hello_parse / ap_level_check,
 * ap_activate_parse), with attest/items.c underneath.
 * Input: byte 0 selects (low 3 bits):
 *   0  an hv reply: byte 1 = the request's op (% 8); bytes 2-21 = offset u64,
 *      req_len u32, log_len / prev_total u64 (for LOG / POLICY); bytes 22.. =
 *      the reply message; a decoded successful reply goes to its op's check
 *   1  HELLO items           2  ACTIVATE items       3  OP_STATIC body
 *   4  OP_QUOTE body         5  OP_DOMAINS body      6  OP_ACTIVATE body
 *   7  a LEVEL value (first 64 bytes) and a PCRS item (the rest)
 * Properties (abort() when one breaks): every accepted message is re-checked
 * here independently against include/xenia/attest.h and agentproto.h (sizes,
 * counts, exact tags, item data inside the buffer, limits, NUL termination,
 * chunk arithmetic); ACTIVATE round-trips through ap_activate_body; refusals
 * are -XENIA_EPROTO with a NUL-terminated reason.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stubdoms/attest/agentproto.h"

static const uint8_t *g_buf;       /* the buffer under test, for inside() */
static size_t g_len;

static void inside(const struct att_item *it)
{
    if (it->data == NULL || it->data < g_buf || (size_t)(it->data - g_buf) > g_len ||
        g_len - (size_t)(it->data - g_buf) < it->len)
        abort();
}

static void refused(int rc, const char *err, size_t cap)
{
    if (rc != -XENIA_EPROTO || memchr(err, 0, cap) == NULL || err[0] == 0)
        abort();
}

/* Parse independently into items (at most AP_ITEMS_MAX); 0 or -1. */
static int items(const uint8_t *b, size_t len, struct att_item *it, unsigned *n)
{
    return att_items_parse(b, len, it, AP_ITEMS_MAX, n, NULL, 0) == 0 ? 0 : -1;
}

static unsigned count(const struct att_item *it, unsigned n, uint16_t tag)
{
    unsigned c = 0;
    for (unsigned i = 0; i < n; i++)
        c += it[i].tag == tag;
    return c;
}

/* Only tags from allowed[] and exactly one of each in once[] with 1..max bytes. */
static void exact_set(const uint8_t *b, size_t len, const uint16_t *allowed, unsigned na,
                      const uint16_t *once, const uint32_t *max, unsigned no)
{
    struct att_item it[AP_ITEMS_MAX];
    unsigned n;

    if (items(b, len, it, &n) < 0)
        abort();
    for (unsigned i = 0; i < n; i++) {
        unsigned k = 0;
        while (k < na && allowed[k] != it[i].tag)
            k++;
        if (k == na)
            abort();
    }
    for (unsigned k = 0; k < no; k++) {
        if (count(it, n, once[k]) != 1)
            abort();
        for (unsigned i = 0; i < n; i++)
            if (it[i].tag == once[k] && (it[i].len == 0 || it[i].len > max[k]))
                abort();
    }
}

static int pcrs_ok(const uint8_t *d, uint32_t len)
{
    uint32_t c, prev = 0;

    if (len < 4)
        return 0;
    memcpy(&c, d, 4);
    if (c < 1 || c > XENIA_NR_PCRS || len != 4 + c * 36u)
        return 0;
    for (uint32_t i = 0; i < c; i++) {
        uint32_t idx;
        memcpy(&idx, d + 4 + 36 * i, 4);
        if (idx >= XENIA_NR_PCRS || (i && idx <= prev))
            return 0;
        prev = idx;
    }
    return 1;
}

static int level_ok(const uint8_t *l)
{
    size_t i = 0;

    while (i < AP_LEVEL_LEN && l[i]) {
        uint8_t c = l[i++];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(":,._-", c) != NULL))
            return 0;
    }
    if (i == 0 || i == AP_LEVEL_LEN)
        return 0;
    for (; i < AP_LEVEL_LEN; i++)
        if (l[i])
            return 0;
    return 1;
}

static void do_static(const uint8_t *b, size_t len)
{
    static const uint16_t allowed[] = { XENIA_ATT_EK_CERT, XENIA_ATT_EK_CHAIN, XENIA_ATT_AK_PUB };
    static const uint16_t once[] = { XENIA_ATT_EK_CERT, XENIA_ATT_AK_PUB };
    static const uint32_t max[] = { XENIA_CERT_MAX, XENIA_TPM_PUB_MAX };
    struct att_item it[AP_ITEMS_MAX];
    struct ap_static st;
    char err[256];
    unsigned n;
    int rc = ap_static_parse(b, (uint32_t)len, &st, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    exact_set(b, len, allowed, 3, once, max, 2);
    inside(&st.ek_cert);
    inside(&st.ak_pub);
    if (items(b, len, it, &n) < 0 || st.nchain > AP_CHAIN_MAX ||
        st.nchain != count(it, n, XENIA_ATT_EK_CHAIN) || st.ek_cert.tag != XENIA_ATT_EK_CERT ||
        st.ak_pub.tag != XENIA_ATT_AK_PUB)
        abort();
    for (unsigned i = 0; i < st.nchain; i++) {
        inside(&st.chain[i]);
        if (st.chain[i].tag != XENIA_ATT_EK_CHAIN || st.chain[i].len == 0 ||
            st.chain[i].len > XENIA_CERT_MAX)
            abort();
    }
}

static void do_quote(const uint8_t *b, size_t len)
{
    static const uint16_t allowed[] = { XENIA_ATT_QUOTE, XENIA_ATT_SIG, XENIA_ATT_PCRS,
                                        XENIA_ATT_LOG_LEN };
    static const uint32_t max[] = { XENIA_TPM_ATTEST_MAX, XENIA_TPM_SIG_MAX,
                                    4 + XENIA_NR_PCRS * 36, 8 };
    struct att_item it[AP_ITEMS_MAX];
    struct ap_quote q;
    char err[256];
    unsigned n;
    uint64_t ll;
    int rc = ap_quote_parse(b, (uint32_t)len, &q, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    exact_set(b, len, allowed, 4, allowed, max, 4);
    inside(&q.quote);
    inside(&q.sig);
    inside(&q.pcrs);
    if (items(b, len, it, &n) < 0 || !pcrs_ok(q.pcrs.data, q.pcrs.len))
        abort();
    for (unsigned i = 0; i < n; i++)
        if (it[i].tag == XENIA_ATT_LOG_LEN) {
            if (it[i].len != 8)
                abort();
            memcpy(&ll, it[i].data, 8);
            if (ll != q.log_len || ll > XENIA_EVLOG_MAX)
                abort();
        }
}

static void do_domains(const uint8_t *b, size_t len)
{
    char err[256];
    int rc = ap_domains_check(b, (uint32_t)len, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    if (len % sizeof(struct xenia_att_domain) != 0 ||
        len / sizeof(struct xenia_att_domain) > AP_DOMAINS_MAX)
        abort();
    for (size_t i = 0; i < len / sizeof(struct xenia_att_domain); i++) {
        struct xenia_att_domain d;
        memcpy(&d, b + i * sizeof(d), sizeof(d));
        if (strnlen(d.name, sizeof(d.name)) == sizeof(d.name) ||
            strnlen(d.label, sizeof(d.label)) == sizeof(d.label))
            abort();
    }
}

static void do_secret(const uint8_t *b, size_t len)
{
    static const uint16_t tag[] = { XENIA_ATT_SECRET };
    static const uint32_t max[] = { AP_SECRET_MAX };
    struct att_item s;
    char err[256];
    int rc = ap_secret_parse(b, (uint32_t)len, &s, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    exact_set(b, len, tag, 1, tag, max, 1);
    inside(&s);
    if (s.tag != XENIA_ATT_SECRET || s.len == 0 || s.len > AP_SECRET_MAX)
        abort();
}

static void do_hello(const uint8_t *b, size_t len)
{
    static const uint16_t tags[] = { XENIA_ATT_NONCE, XENIA_ATT_LEVEL };
    static const uint32_t max[] = { XENIA_NONCE_LEN, AP_LEVEL_LEN };
    struct att_item it[AP_ITEMS_MAX];
    uint8_t nonce[XENIA_NONCE_LEN], level[AP_LEVEL_LEN];
    char err[256];
    unsigned n;
    int rc = ap_hello_parse(b, len, nonce, level, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    if (len > AP_HELLO_MAX)
        abort();
    exact_set(b, len, tags, 2, tags, max, 2);
    if (items(b, len, it, &n) < 0 || !level_ok(level))
        abort();
    for (unsigned i = 0; i < n; i++) {
        if (it[i].tag == XENIA_ATT_NONCE &&
            (it[i].len != XENIA_NONCE_LEN || memcmp(it[i].data, nonce, XENIA_NONCE_LEN) != 0))
            abort();
        if (it[i].tag == XENIA_ATT_LEVEL &&
            (it[i].len != AP_LEVEL_LEN || memcmp(it[i].data, level, AP_LEVEL_LEN) != 0))
            abort();
    }
}

static void do_activate(const uint8_t *b, size_t len)
{
    static const uint16_t tags[] = { XENIA_ATT_IDOBJ, XENIA_ATT_ENCSECRET };
    static const uint32_t max[] = { XENIA_TPM_IDOBJ_MAX, XENIA_TPM_ENCSEC_MAX };
    struct att_item id, es, id2, es2;
    uint8_t *body;
    size_t blen = 12345;
    char err[256];
    int rc = ap_activate_parse(b, len, &id, &es, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    if (len > AP_ACTIVATE_MAX)
        abort();
    exact_set(b, len, tags, 2, tags, max, 2);
    inside(&id);
    inside(&es);
    /* Round trip: the OP_ACTIVATE body the agent forwards to hv parses back. With
     * IDOBJ first in the input the body is the input itself. */
    body = malloc(AP_ACTIVATE_MAX);
    if (body == NULL)
        abort();
    if (ap_activate_body(body, AP_ACTIVATE_MAX, &id, &es, &blen) != 0 || blen != len ||
        ap_activate_parse(body, blen, &id2, &es2, NULL, 0) != 0 ||
        id2.len != id.len || es2.len != es.len || memcmp(id2.data, id.data, id.len) != 0 ||
        memcmp(es2.data, es.data, es.len) != 0 ||
        (id.data < es.data && (blen != len || memcmp(body, b, len) != 0)))
        abort();
    /* One byte too little room is refused. */
    if (ap_activate_body(body, blen - 1, &id, &es, &blen) != -XENIA_E2BIG)
        abort();
    free(body);
}

static void do_level_pcrs(const uint8_t *b, size_t len)
{
    char err[256];
    int rc;

    if (len >= AP_LEVEL_LEN) {
        rc = ap_level_check(b, err, sizeof(err));
        if (rc == 0 ? !level_ok(b) : level_ok(b))
            abort();
        if (rc)
            refused(rc, err, sizeof(err));
        b += AP_LEVEL_LEN;
        len -= AP_LEVEL_LEN;
    }
    rc = ap_pcrs_check(b, (uint32_t)len, err, sizeof(err));
    if (rc == 0 ? !pcrs_ok(b, (uint32_t)len) : pcrs_ok(b, (uint32_t)len))
        abort();
    if (rc)
        refused(rc, err, sizeof(err));
}

static uint64_t get64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void do_reply(const uint8_t *params, uint16_t op, const uint8_t *msg, size_t n)
{
    struct xenia_agent_rep h;
    struct ap_rep rep;
    char err[256];
    uint64_t off = get64(params), lim = get64(params + 12);
    uint32_t req = get32(params + 8);
    int rc = ap_rep_decode(msg, n, op, &rep, err, sizeof(err));

    if (rc != 0) {
        refused(rc, err, sizeof(err));
        return;
    }
    memcpy(&h, msg, sizeof(h));
    if (n < sizeof(h) || n > XENIA_AGENT_MSG_MAX || h.magic != XENIA_AGENT_MAGIC ||
        h.version != XENIA_AGENT_VERSION || h.op != op || h.len != n - sizeof(h) ||
        h.error > 0 || h.error < -4095 || rep.error != h.error || rep.total != h.total ||
        rep.body != msg + sizeof(h) || rep.len != h.len ||
        (h.error == 0 && h.total != 0 && op != XENIA_AGENT_OP_LOG &&
         op != XENIA_AGENT_OP_POLICY))
        abort();
    if (rep.error != 0)
        return;
    g_buf = rep.body;
    g_len = rep.len;
    switch (op) {
    case XENIA_AGENT_OP_STATIC:
        do_static(rep.body, rep.len);
        break;
    case XENIA_AGENT_OP_QUOTE:
        do_quote(rep.body, rep.len);
        break;
    case XENIA_AGENT_OP_LOG:
        rc = ap_log_chunk_check(&rep, off, req, lim, err, sizeof(err));
        if (rc != 0) {
            refused(rc, err, sizeof(err));
            break;
        }
        if (req == 0 || off > lim || req > lim - off || rep.total < lim ||
            rep.total > XENIA_EVLOG_MAX || rep.len != req)
            abort();
        break;
    case XENIA_AGENT_OP_POLICY:
        rc = ap_policy_chunk_check(&rep, off, req, lim, err, sizeof(err));
        if (rc != 0) {
            refused(rc, err, sizeof(err));
            break;
        }
        if (rep.total > AP_POLICY_MAX || (off != 0 && rep.total != lim) || off > rep.total ||
            rep.len > req || rep.len != (rep.total - off < req ? rep.total - off : req))
            abort();
        {
            /* the agent's next request stays in the object */
            uint32_t next = ap_chunk_len(off + rep.len, rep.total);
            if (next > XENIA_AGENT_CHUNK || off + rep.len + next > rep.total)
                abort();
        }
        break;
    case XENIA_AGENT_OP_DOMAINS:
        do_domains(rep.body, rep.len);
        break;
    case XENIA_AGENT_OP_ACTIVATE:
        do_secret(rep.body, rep.len);
        break;
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf;
    size_t n;
    unsigned sel;

    if (size < 1)
        return 0;
    sel = data[0] & 7;
    if (sel == 0) {
        uint8_t params[20];

        if (size < 22)
            return 0;
        memcpy(params, data + 2, sizeof(params));
        n = size - 22;
        buf = malloc(n ? n : 1);
        if (buf == NULL)
            return 0;
        memcpy(buf, data + 22, n);
        do_reply(params, data[1] & 7, buf, n);
        free(buf);
        return 0;
    }
    n = size - 1;
    buf = malloc(n ? n : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data + 1, n);
    g_buf = buf;
    g_len = n;
    switch (sel) {
    case 1: do_hello(buf, n); break;
    case 2: do_activate(buf, n); break;
    case 3: do_static(buf, n); break;
    case 4: do_quote(buf, n); break;
    case 5: do_domains(buf, n); break;
    case 6: do_secret(buf, n); break;
    default: do_level_pcrs(buf, n); break;
    }
    free(buf);
    return 0;
}
