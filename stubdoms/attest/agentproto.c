/* SPDX-License-Identifier: MIT */
/*
 * The attestation agent's pure half (agentproto.h). No system calls.
 * Wire formats: include/xenia/attest.h.
 */
#include "agentproto.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

#define PROTO(...) do { set_err(err, errlen, __VA_ARGS__); return -XENIA_EPROTO; } while (0)

const char *ap_op_name(uint16_t op)
{
    static const char *const names[] = {
        [XENIA_AGENT_OP_STATIC] = "static", [XENIA_AGENT_OP_QUOTE] = "quote",
        [XENIA_AGENT_OP_LOG] = "log", [XENIA_AGENT_OP_POLICY] = "policy",
        [XENIA_AGENT_OP_DOMAINS] = "domains", [XENIA_AGENT_OP_ACTIVATE] = "activate",
    };
    return op >= 1 && op <= XENIA_AGENT_OP_ACTIVATE ? names[op] : "?";
}

int ap_req_encode(uint8_t *buf, size_t cap, uint16_t op, const void *body, uint32_t blen,
                  size_t *len)
{
    struct xenia_agent_req r = {
        .magic = XENIA_AGENT_MAGIC, .version = XENIA_AGENT_VERSION, .op = op, .len = blen,
    };

    if (op < XENIA_AGENT_OP_STATIC || op > XENIA_AGENT_OP_ACTIVATE || (body == NULL && blen))
        return -XENIA_EINVAL;
    if ((uint64_t)blen + sizeof(r) > cap || (uint64_t)blen + sizeof(r) > XENIA_AGENT_MSG_MAX)
        return -XENIA_E2BIG;
    memcpy(buf, &r, sizeof(r));
    if (blen)
        memcpy(buf + sizeof(r), body, blen);
    *len = sizeof(r) + blen;
    return 0;
}

int ap_rep_decode(const uint8_t *msg, size_t n, uint16_t op, struct ap_rep *rep, char *err,
                  size_t errlen)
{
    struct xenia_agent_rep h;

    memset(rep, 0, sizeof(*rep));
    if (n < sizeof(h))
        PROTO("hv reply to %s: %zu bytes, shorter than its header", ap_op_name(op), n);
    if (n > XENIA_AGENT_MSG_MAX)
        PROTO("hv reply to %s: %zu bytes, over %u", ap_op_name(op), n, XENIA_AGENT_MSG_MAX);
    memcpy(&h, msg, sizeof(h));
    if (h.magic != XENIA_AGENT_MAGIC || h.version != XENIA_AGENT_VERSION)
        PROTO("hv reply to %s: bad magic %#x or version %u", ap_op_name(op), h.magic, h.version);
    if (h.op != op)
        PROTO("hv reply to %s is for op %u", ap_op_name(op), h.op);
    if (h.len != n - sizeof(h))
        PROTO("hv reply to %s: len %u but %zu bytes follow", ap_op_name(op), h.len,
              n - sizeof(h));
    if (h.error > 0 || h.error < -4095)
        PROTO("hv reply to %s: error %d is not -errno", ap_op_name(op), h.error);
    if (h.error == 0 && h.total != 0 && op != XENIA_AGENT_OP_LOG && op != XENIA_AGENT_OP_POLICY)
        PROTO("hv reply to %s: non-zero total", ap_op_name(op));
    rep->error = h.error;
    rep->total = h.total;
    rep->body = msg + sizeof(h);
    rep->len = h.len;
    return 0;
}

/* Parse body into items (at most AP_ITEMS_MAX), with what in the reason. */
static int parse_items(const uint8_t *body, size_t len, struct att_item *it, unsigned *n,
                       const char *what, char *err, size_t errlen)
{
    char e[160];

    if (att_items_parse(body, len, it, AP_ITEMS_MAX, n, e, sizeof(e)) < 0)
        PROTO("%s: %s", what, e);
    return 0;
}

/* Exactly one item of tag with 1..max bytes (or exactly max when exact). */
static int one_item(const struct att_item *it, unsigned n, uint16_t tag, uint32_t max, int exact,
                    const char *what, struct att_item *out, char *err, size_t errlen)
{
    const struct att_item *f = att_item_find(it, n, tag, 0);
    unsigned c = att_item_count(it, n, tag);

    if (c != 1)
        PROTO("%s: %u items of tag %u, want exactly one", what, c, tag);
    if (f->len == 0 || f->len > max || (exact && f->len != max))
        PROTO("%s: item of tag %u has %u bytes, want %s%u", what, tag, f->len,
              exact ? "" : "1..", max);
    *out = *f;
    return 0;
}

/* Every item's tag is one of allowed[0..na). */
static int only_tags(const struct att_item *it, unsigned n, const uint16_t *allowed, unsigned na,
                     const char *what, char *err, size_t errlen)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned k = 0;

        while (k < na && allowed[k] != it[i].tag)
            k++;
        if (k == na)
            PROTO("%s: unexpected item of tag %u", what, it[i].tag);
    }
    return 0;
}

int ap_static_parse(const uint8_t *body, uint32_t len, struct ap_static *st, char *err,
                    size_t errlen)
{
    static const uint16_t tags[] = { XENIA_ATT_EK_CERT, XENIA_ATT_EK_CHAIN, XENIA_ATT_AK_PUB };
    struct att_item it[AP_ITEMS_MAX];
    const char *w = "hv reply to static";
    unsigned n;

    memset(st, 0, sizeof(*st));
    if (parse_items(body, len, it, &n, w, err, errlen) < 0 ||
        only_tags(it, n, tags, 3, w, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_EK_CERT, XENIA_CERT_MAX, 0, w, &st->ek_cert, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_AK_PUB, XENIA_TPM_PUB_MAX, 0, w, &st->ak_pub, err, errlen) < 0)
        return -XENIA_EPROTO;
    for (unsigned i = 0; i < n; i++) {
        if (it[i].tag != XENIA_ATT_EK_CHAIN)
            continue;
        if (st->nchain == AP_CHAIN_MAX)
            PROTO("%s: more than %u EK_CHAIN certificates", w, AP_CHAIN_MAX);
        if (it[i].len == 0 || it[i].len > XENIA_CERT_MAX)
            PROTO("%s: EK_CHAIN certificate of %u bytes", w, it[i].len);
        st->chain[st->nchain++] = it[i];
    }
    return 0;
}

int ap_pcrs_check(const uint8_t *data, uint32_t len, char *err, size_t errlen)
{
    uint32_t count, prev = 0;

    if (len < 4)
        PROTO("PCRS: %u bytes", len);
    memcpy(&count, data, 4);
    if (count == 0 || count > XENIA_NR_PCRS)
        PROTO("PCRS: count %u", count);
    if ((uint64_t)len != 4 + (uint64_t)count * (4 + XENIA_SHA256_LEN))
        PROTO("PCRS: %u bytes for %u PCRs", len, count);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t idx;

        memcpy(&idx, data + 4 + i * (4 + XENIA_SHA256_LEN), 4);
        if (idx >= XENIA_NR_PCRS || (i > 0 && idx <= prev))
            PROTO("PCRS: entry %u has index %u (not increasing or >= %u)", i, idx,
                  XENIA_NR_PCRS);
        prev = idx;
    }
    return 0;
}

int ap_quote_parse(const uint8_t *body, uint32_t len, struct ap_quote *q, char *err,
                   size_t errlen)
{
    static const uint16_t tags[] = { XENIA_ATT_QUOTE, XENIA_ATT_SIG, XENIA_ATT_PCRS,
                                     XENIA_ATT_LOG_LEN };
    struct att_item it[AP_ITEMS_MAX], ll;
    const char *w = "hv reply to quote";
    char e[128];
    unsigned n;

    memset(q, 0, sizeof(*q));
    if (parse_items(body, len, it, &n, w, err, errlen) < 0 ||
        only_tags(it, n, tags, 4, w, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_QUOTE, XENIA_TPM_ATTEST_MAX, 0, w, &q->quote, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_SIG, XENIA_TPM_SIG_MAX, 0, w, &q->sig, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_PCRS, 4 + XENIA_NR_PCRS * (4 + XENIA_SHA256_LEN), 0, w, &q->pcrs,
                 err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_LOG_LEN, 8, 1, w, &ll, err, errlen) < 0)
        return -XENIA_EPROTO;
    if (ap_pcrs_check(q->pcrs.data, q->pcrs.len, e, sizeof(e)) < 0)
        PROTO("%s: %s", w, e);
    memcpy(&q->log_len, ll.data, 8);
    if (q->log_len > XENIA_EVLOG_MAX)
        PROTO("%s: LOG_LEN %llu over %u", w, (unsigned long long)q->log_len, XENIA_EVLOG_MAX);
    return 0;
}

int ap_range_encode(uint64_t offset, uint32_t len, struct xenia_agent_range *r)
{
    if (len == 0 || len > XENIA_AGENT_CHUNK)
        return -XENIA_EINVAL;
    memset(r, 0, sizeof(*r));
    r->offset = offset;
    r->len = len;
    return 0;
}

uint32_t ap_chunk_len(uint64_t offset, uint64_t size)
{
    if (offset >= size)
        return 0;
    return size - offset < XENIA_AGENT_CHUNK ? (uint32_t)(size - offset) : XENIA_AGENT_CHUNK;
}

int ap_log_chunk_check(const struct ap_rep *rep, uint64_t offset, uint32_t req_len,
                       uint64_t log_len, char *err, size_t errlen)
{
    if (req_len == 0 || offset > log_len || req_len > log_len - offset)
        PROTO("log chunk %llu+%u outside the %llu bytes quoted", (unsigned long long)offset,
              req_len, (unsigned long long)log_len);
    if (rep->total < log_len || rep->total > XENIA_EVLOG_MAX)
        PROTO("hv reply to log: total %llu, the quote covers %llu (max %u)",
              (unsigned long long)rep->total, (unsigned long long)log_len, XENIA_EVLOG_MAX);
    if (rep->len != req_len)
        PROTO("hv reply to log: %u bytes for a request of %u at %llu", rep->len, req_len,
              (unsigned long long)offset);
    return 0;
}

int ap_policy_chunk_check(const struct ap_rep *rep, uint64_t offset, uint32_t req_len,
                          uint64_t prev_total, char *err, size_t errlen)
{
    uint64_t want;

    if (rep->total > AP_POLICY_MAX)
        PROTO("hv reply to policy: total %llu over %u", (unsigned long long)rep->total,
              AP_POLICY_MAX);
    if (offset != 0 && rep->total != prev_total)
        PROTO("hv reply to policy: total changed from %llu to %llu",
              (unsigned long long)prev_total, (unsigned long long)rep->total);
    if (offset > rep->total)
        PROTO("hv reply to policy: offset %llu beyond total %llu", (unsigned long long)offset,
              (unsigned long long)rep->total);
    want = rep->total - offset < req_len ? rep->total - offset : req_len;
    if (rep->len != want)
        PROTO("hv reply to policy: %u bytes at %llu, want %llu", rep->len,
              (unsigned long long)offset, (unsigned long long)want);
    return 0;
}

int ap_domains_check(const uint8_t *body, uint32_t len, char *err, size_t errlen)
{
    const size_t sz = sizeof(struct xenia_att_domain);

    if (len % sz != 0 || len / sz > AP_DOMAINS_MAX)
        PROTO("hv reply to domains: %u bytes is not a whole number of domains", len);
    for (size_t i = 0; i < len / sz; i++) {
        const uint8_t *d = body + i * sz;

        if (memchr(d + offsetof(struct xenia_att_domain, name), 0, 64) == NULL ||
            memchr(d + offsetof(struct xenia_att_domain, label), 0, 128) == NULL)
            PROTO("hv reply to domains: domain %zu has an unterminated name or label", i);
    }
    return 0;
}

int ap_secret_parse(const uint8_t *body, uint32_t len, struct att_item *secret, char *err,
                    size_t errlen)
{
    static const uint16_t tags[] = { XENIA_ATT_SECRET };
    struct att_item it[AP_ITEMS_MAX];
    const char *w = "hv reply to activate";
    unsigned n;

    if (parse_items(body, len, it, &n, w, err, errlen) < 0 ||
        only_tags(it, n, tags, 1, w, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_SECRET, AP_SECRET_MAX, 0, w, secret, err, errlen) < 0)
        return -XENIA_EPROTO;
    return 0;
}

int ap_level_check(const uint8_t level[AP_LEVEL_LEN], char *err, size_t errlen)
{
    size_t i = 0;

    while (i < AP_LEVEL_LEN && level[i] != 0) {
        uint8_t c = level[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == ':' || c == ',' || c == '.' || c == '_' || c == '-'))
            PROTO("LEVEL: byte %zu (%#x) is not allowed in an MCS level", i, c);
        i++;
    }
    if (i == 0 || i == AP_LEVEL_LEN)
        PROTO("LEVEL: %s", i == 0 ? "empty" : "not NUL terminated");
    for (; i < AP_LEVEL_LEN; i++)
        if (level[i] != 0)
            PROTO("LEVEL: non-zero byte %zu after the NUL", i);
    return 0;
}

int ap_hello_parse(const uint8_t *items, size_t len, uint8_t nonce[XENIA_NONCE_LEN],
                   uint8_t level[AP_LEVEL_LEN], char *err, size_t errlen)
{
    static const uint16_t tags[] = { XENIA_ATT_NONCE, XENIA_ATT_LEVEL };
    struct att_item it[AP_ITEMS_MAX], nn, lv;
    const char *w = "HELLO";
    char e[128];
    unsigned n;

    if (len > AP_HELLO_MAX)
        PROTO("HELLO: %zu bytes of items, at most %u", len, AP_HELLO_MAX);
    if (parse_items(items, len, it, &n, w, err, errlen) < 0 ||
        only_tags(it, n, tags, 2, w, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_NONCE, XENIA_NONCE_LEN, 1, w, &nn, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_LEVEL, AP_LEVEL_LEN, 1, w, &lv, err, errlen) < 0)
        return -XENIA_EPROTO;
    if (ap_level_check(lv.data, e, sizeof(e)) < 0)
        PROTO("HELLO: %s", e);
    memcpy(nonce, nn.data, XENIA_NONCE_LEN);
    memcpy(level, lv.data, AP_LEVEL_LEN);
    return 0;
}

int ap_activate_parse(const uint8_t *items, size_t len, struct att_item *idobj,
                      struct att_item *encsecret, char *err, size_t errlen)
{
    static const uint16_t tags[] = { XENIA_ATT_IDOBJ, XENIA_ATT_ENCSECRET };
    struct att_item it[AP_ITEMS_MAX];
    const char *w = "ACTIVATE";
    unsigned n;

    if (len > AP_ACTIVATE_MAX)
        PROTO("ACTIVATE: %zu bytes of items, at most %zu", len, (size_t)AP_ACTIVATE_MAX);
    if (parse_items(items, len, it, &n, w, err, errlen) < 0 ||
        only_tags(it, n, tags, 2, w, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_IDOBJ, XENIA_TPM_IDOBJ_MAX, 0, w, idobj, err, errlen) < 0 ||
        one_item(it, n, XENIA_ATT_ENCSECRET, XENIA_TPM_ENCSEC_MAX, 0, w, encsecret, err,
                 errlen) < 0)
        return -XENIA_EPROTO;
    return 0;
}

int ap_activate_body(uint8_t *buf, size_t cap, const struct att_item *idobj,
                     const struct att_item *encsecret, size_t *len)
{
    *len = 0;
    if (att_item_put(buf, cap, len, XENIA_ATT_IDOBJ, idobj->data, idobj->len) < 0 ||
        att_item_put(buf, cap, len, XENIA_ATT_ENCSECRET, encsecret->data, encsecret->len) < 0)
        return -XENIA_E2BIG;
    return 0;
}

void ap_qualifying_data(const uint8_t nonce[XENIA_NONCE_LEN], const uint8_t binding[32],
                        uint8_t out[32])
{
    uint8_t m[XENIA_NONCE_LEN + 32];

    memcpy(m, nonce, XENIA_NONCE_LEN);
    memcpy(m + XENIA_NONCE_LEN, binding, 32);
    (void)mbedtls_sha256_ret(m, sizeof(m), out, 0);
}

size_t ap_evidence_size(const struct ap_evidence *e)
{
    const struct ap_static *st = e->st;
    uint64_t n = ATT_ITEM_SPACE(st->ek_cert.len) + ATT_ITEM_SPACE(st->ak_pub.len) +
                 ATT_ITEM_SPACE(e->q->quote.len) + ATT_ITEM_SPACE(e->q->sig.len) +
                 ATT_ITEM_SPACE(e->q->pcrs.len) + ATT_ITEM_SPACE(e->q->log_len) +
                 ATT_ITEM_SPACE(e->policy_len) + ATT_ITEM_SPACE(e->domains_len) +
                 ATT_ITEM_SPACE(XENIA_NONCE_LEN) + ATT_ITEM_SPACE(32);

    for (unsigned i = 0; i < st->nchain; i++)
        n += ATT_ITEM_SPACE(st->chain[i].len);
    return n > XENIA_ATT_MSG_MAX ? 0 : (size_t)n;
}

int ap_evidence_build(uint8_t *buf, size_t cap, const struct ap_evidence *e, size_t *len)
{
    const struct ap_static *st = e->st;
    const struct ap_quote *q = e->q;
    int rc = 0;

    *len = 0;
    if (ap_evidence_size(e) == 0 || q->log_len > UINT32_MAX || e->policy_len > UINT32_MAX)
        return -XENIA_E2BIG;
    rc |= att_item_put(buf, cap, len, XENIA_ATT_EK_CERT, st->ek_cert.data, st->ek_cert.len);
    for (unsigned i = 0; i < st->nchain && rc == 0; i++)
        rc |= att_item_put(buf, cap, len, XENIA_ATT_EK_CHAIN, st->chain[i].data, st->chain[i].len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_AK_PUB, st->ak_pub.data, st->ak_pub.len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_QUOTE, q->quote.data, q->quote.len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_SIG, q->sig.data, q->sig.len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_PCRS, q->pcrs.data, q->pcrs.len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_EVLOG, e->log, (uint32_t)q->log_len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_POLICY, e->policy, (uint32_t)e->policy_len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_DOMAINS, e->domains, e->domains_len);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_NONCE, e->nonce, XENIA_NONCE_LEN);
    rc |= att_item_put(buf, cap, len, XENIA_ATT_BINDING, e->binding, 32);
    if (rc != 0) {
        *len = 0;
        return -XENIA_E2BIG;
    }
    return 0;
}
