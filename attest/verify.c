/* SPDX-License-Identifier: MIT */
/* The verifier's decision. See verify.h. */
#include "verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>

#include <xenia/abi.h>

#include "attest/eventlog.h"
#include "attest/tpm2_parse.h"
#include "attest/xvcrypto.h"
#include "policy/analyze.h"
#include "policy/policydb.h"
#include "xsm/flask/ss.h"

static const char *const code_names[XV_NCODES] = {
    [XV_OK] = "ok",
    [XV_E_EVIDENCE] = "evidence",
    [XV_E_NONCE] = "nonce",
    [XV_E_BINDING] = "channel-binding",
    [XV_E_EK] = "ek-certificate",
    [XV_E_AK] = "ak",
    [XV_E_ACTIVATION] = "activation",
    [XV_E_QUOTE] = "quote",
    [XV_E_QUOTE_NONCE] = "quote-nonce",
    [XV_E_SIGNATURE] = "signature",
    [XV_E_EVENT_LOG] = "event-log",
    [XV_E_REPLAY] = "replay",
    [XV_E_CODE] = "code",
    [XV_E_POLICY] = "policy",
    [XV_E_PERMISSIVE] = "permissive",
    [XV_E_POLICY_MISMATCH] = "policy-mismatch",
    [XV_E_IMAGE] = "image",
    [XV_E_DOMAIN] = "domain",
    [XV_E_ISOLATION] = "isolation",
    [XV_E_CONNECT] = "connect",
};

const char *xv_code_name(int code)
{
    return code >= 0 && code < XV_NCODES ? code_names[code] : "?";
}

/* ---- manifest ----------------------------------------------------------------- */

static int hex32(const char *s, uint8_t out[32])
{
    if (strlen(s) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= (unsigned)(c - 'A' + 10);
            else
                return -1;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

static int man_list(config_t *cf, const char *key, struct xv_ref *refs, unsigned *n, char *err,
                    size_t errlen)
{
    config_setting_t *l = config_lookup(cf, key);
    int cnt;

    *n = 0;
    if (l == NULL)
        return 0;
    if (!config_setting_is_list(l)) {
        snprintf(err, errlen, "line %d: '%s' must be a list ( {...}, ... )",
                 config_setting_source_line(l), key);
        return -XENIA_EINVAL;
    }
    cnt = config_setting_length(l);
    if (cnt > XV_MAN_MAX) {
        snprintf(err, errlen, "line %d: '%s' has %d entries (at most %d)",
                 config_setting_source_line(l), key, cnt, XV_MAN_MAX);
        return -XENIA_EINVAL;
    }
    for (int i = 0; i < cnt; i++) {
        config_setting_t *e = config_setting_get_elem(l, (unsigned)i);
        const char *name = NULL, *hex = NULL;
        if (!config_setting_is_group(e) || !config_setting_lookup_string(e, "name", &name) ||
            !config_setting_lookup_string(e, "sha256", &hex)) {
            snprintf(err, errlen, "line %d: each '%s' entry needs name = \"...\"; sha256 = \"...\";",
                     config_setting_source_line(e), key);
            return -XENIA_EINVAL;
        }
        if (strlen(name) == 0 || strlen(name) >= sizeof(refs[0].name) ||
            hex32(hex, refs[*n].sha256) < 0) {
            snprintf(err, errlen, "line %d: bad name or sha256 (64 hex digits) in '%s'",
                     config_setting_source_line(e), key);
            return -XENIA_EINVAL;
        }
        snprintf(refs[*n].name, sizeof(refs[0].name), "%s", name);
        (*n)++;
    }
    return 0;
}

int xv_manifest_parse(const char *text, struct xv_manifest *m, char *err, size_t errlen)
{
    config_t cf;
    int version = 0, rc = -XENIA_EINVAL;

    memset(m, 0, sizeof(*m));
    config_init(&cf);
    if (config_read_string(&cf, text) != CONFIG_TRUE) {
        snprintf(err, errlen, "line %d: %s", config_error_line(&cf), config_error_text(&cf));
        goto out;
    }
    if (!config_lookup_int(&cf, "version", &version) || version != 1) {
        snprintf(err, errlen, "manifest: 'version = 1;' missing or unsupported");
        goto out;
    }
    if ((rc = man_list(&cf, "components", m->comp, &m->ncomp, err, errlen)) < 0 ||
        (rc = man_list(&cf, "policies", m->policy, &m->npolicy, err, errlen)) < 0 ||
        (rc = man_list(&cf, "images", m->image, &m->nimage, err, errlen)) < 0)
        goto out;
    if (m->ncomp == 0) {
        snprintf(err, errlen, "manifest: no components");
        rc = -XENIA_EINVAL;
        goto out;
    }
    rc = 0;
out:
    config_destroy(&cf);
    return rc;
}

int xv_manifest_add_image(struct xv_manifest *m, const char *name, const uint8_t sha256[32])
{
    if (m->nimage >= XV_MAN_MAX || strlen(name) >= sizeof(m->image[0].name))
        return -XENIA_E2BIG;
    snprintf(m->image[m->nimage].name, sizeof(m->image[0].name), "%s", name);
    memcpy(m->image[m->nimage].sha256, sha256, 32);
    m->nimage++;
    return 0;
}

static const struct xv_ref *man_find(const struct xv_ref *r, unsigned n, const char *name,
                                     const uint8_t d[32])
{
    for (unsigned i = 0; i < n; i++)
        if ((name == NULL || strcmp(r[i].name, name) == 0) && memcmp(r[i].sha256, d, 32) == 0)
            return &r[i];
    return NULL;
}

/* ---- evidence ----------------------------------------------------------------- */

int xv_evidence_parse(const uint8_t *buf, size_t len, struct xv_evidence *ev, char *err,
                      size_t errlen)
{
    struct att_item it[32];
    unsigned n;
    static const struct { uint16_t tag; size_t off; const char *name; uint32_t exact; } one[] = {
        { XENIA_ATT_EK_CERT, offsetof(struct xv_evidence, ek), "EK certificate", 0 },
        { XENIA_ATT_AK_PUB, offsetof(struct xv_evidence, ak), "AK public key", 0 },
        { XENIA_ATT_QUOTE, offsetof(struct xv_evidence, quote), "quote", 0 },
        { XENIA_ATT_SIG, offsetof(struct xv_evidence, sig), "signature", 0 },
        { XENIA_ATT_PCRS, offsetof(struct xv_evidence, pcrs), "PCR values", 0 },
        { XENIA_ATT_EVLOG, offsetof(struct xv_evidence, evlog), "event log", 0 },
        { XENIA_ATT_POLICY, offsetof(struct xv_evidence, policy), "policy", 0 },
        { XENIA_ATT_DOMAINS, offsetof(struct xv_evidence, domains), "domain list", 0 },
        { XENIA_ATT_NONCE, offsetof(struct xv_evidence, nonce), "nonce", XENIA_NONCE_LEN },
        { XENIA_ATT_BINDING, offsetof(struct xv_evidence, binding), "channel binding", 32 },
    };
    int rc;

    memset(ev, 0, sizeof(*ev));
    rc = att_items_parse(buf, len, it, 32, &n, err, errlen);
    if (rc < 0)
        return -XENIA_EPROTO;
    for (unsigned k = 0; k < sizeof(one) / sizeof(one[0]); k++) {
        const struct att_item *x = att_item_find(it, n, one[k].tag, 0);
        if (x == NULL || att_item_find(it, n, one[k].tag, 1) != NULL) {
            snprintf(err, errlen, "evidence: %s %s", one[k].name, x ? "sent twice" : "missing");
            return -XENIA_EPROTO;
        }
        if (one[k].exact && x->len != one[k].exact) {
            snprintf(err, errlen, "evidence: %s is %u bytes, not %u", one[k].name, x->len,
                     one[k].exact);
            return -XENIA_EPROTO;
        }
        *(struct att_item *)((char *)ev + one[k].off) = *x;
    }
    for (unsigned i = 0; i < n; i++) {
        if (it[i].tag == XENIA_ATT_EK_CHAIN) {
            if (ev->nchain >= sizeof(ev->chain) / sizeof(ev->chain[0])) {
                snprintf(err, errlen, "evidence: more than %zu EK chain certificates",
                         sizeof(ev->chain) / sizeof(ev->chain[0]));
                return -XENIA_EPROTO;
            }
            ev->chain[ev->nchain++] = it[i];
            continue;
        }
        int known = 0;
        for (unsigned k = 0; k < sizeof(one) / sizeof(one[0]); k++)
            known |= it[i].tag == one[k].tag;
        if (!known) {
            snprintf(err, errlen, "evidence: unexpected item tag %u", it[i].tag);
            return -XENIA_EPROTO;
        }
    }
    if (ev->domains.len % sizeof(struct xenia_att_domain) != 0) {
        snprintf(err, errlen, "evidence: domain list of %u bytes is not a whole number of entries",
                 ev->domains.len);
        return -XENIA_EPROTO;
    }
    return 0;
}

/* ---- decision ------------------------------------------------------------------ */

static int fail(struct xv_verdict *v, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct xv_verdict *v, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
    va_end(ap);
    v->code = code;
    return code;
}

static void hex(const uint8_t *d, size_t n, char *out)
{
    static const char h[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = h[d[i] >> 4];
        out[2 * i + 1] = h[d[i] & 15];
    }
    out[2 * n] = 0;
}

/* Event data as a C string (printable ASCII only; else ""). */
static void ev_text(const struct evlog_event *e, char *out, size_t cap)
{
    size_t n = e->data_len < cap - 1 ? e->data_len : cap - 1;
    for (size_t i = 0; i < n; i++) {
        if (e->data[i] < 0x20 || e->data[i] > 0x7e) {
            out[0] = 0;
            return;
        }
        out[i] = (char)e->data[i];
    }
    out[n] = 0;
}

/* Value of " key=VALUE" (up to the next space) in an event's text. */
static int ev_field(const char *text, const char *key, char *out, size_t cap)
{
    char pat[32];
    const char *p;
    size_t n;

    snprintf(pat, sizeof(pat), " %s=", key);
    p = strstr(text, pat);
    if (p == NULL)
        return -1;
    p += strlen(pat);
    n = strcspn(p, " ");
    if (n >= cap)
        return -1;
    memcpy(out, p, n);
    out[n] = 0;
    return 0;
}

static const char *ctx_level(const char *ctx)
{
    const char *p = ctx;
    for (int i = 0; i < 3; i++) {
        p = strchr(p, ':');
        if (p == NULL)
            return "";
        p++;
    }
    return p;
}

/* PCR 8: "xenia:hv", "xenia:stubdom ROLE", "xenia:restart ROLE ...". */
static int check_code(const char *t, const struct evlog_event *e, const struct xv_manifest *m,
                       struct xv_verdict *v)
{
    char want[64], dg[65];

    if (strcmp(t, "xenia:hv") == 0) {
        snprintf(want, sizeof(want), "xenia:hv");
    } else if (strncmp(t, "xenia:stubdom ", 14) == 0 && strlen(t + 14) < 32) {
        snprintf(want, sizeof(want), "xenia:stubdom %s", t + 14);
    } else if (strncmp(t, "xenia:restart ", 14) == 0) {
        size_t n = strcspn(t + 14, " ");
        if (n == 0 || n >= 32)
            return fail(v, XV_E_CODE, "event %u (PCR 8): malformed '%s'", e->index, t);
        snprintf(want, sizeof(want), "xenia:stubdom %.*s", (int)n, t + 14);
    } else {
        return fail(v, XV_E_CODE, "event %u (PCR 8): unknown component '%s'", e->index, t);
    }
    if (man_find(m->comp, m->ncomp, want, e->digest) == NULL) {
        hex(e->digest, 32, dg);
        return fail(v, XV_E_CODE,
                    "event %u (PCR 8) '%s': digest %s is not the reference value of '%s' "
                    "(a changed binary)", e->index, t, dg, want);
    }
    return 0;
}

/* PCR 9: policies and XSM state. *last gets the digest of the policy in force. */
static int check_policy_ev(const char *t, const struct evlog_event *e, const struct xv_manifest *m,
                           uint8_t last[32], int *have, struct xv_verdict *v)
{
    uint8_t d[32];
    char dg[65];

    if (strcmp(t, "xenia:policy") == 0 || strcmp(t, "xenia:loadpolicy") == 0) {
        if (man_find(m->policy, m->npolicy, NULL, e->digest) == NULL) {
            hex(e->digest, 32, dg);
            return fail(v, XV_E_POLICY,
                        "event %u (PCR 9) '%s': policy %s is not a reference policy", e->index,
                        t, dg);
        }
        memcpy(last, e->digest, 32);
        *have = 1;
        return 0;
    }
    /* State events: the digest is SHA-256 of the text itself, so the text is the truth. */
    mbedtls_sha256_ret((const unsigned char *)t, strlen(t), d, 0);
    if (memcmp(d, e->digest, 32) != 0)
        return fail(v, XV_E_EVENT_LOG, "event %u (PCR 9) '%s': digest is not SHA-256 of its text",
                    e->index, t);
    if (strcmp(t, "xenia:enforce 1") == 0 || strncmp(t, "xenia:bool ", 11) == 0)
        return 0;   /* booleans: the analyser counts both branches of every conditional */
    if (strcmp(t, "xenia:enforce 0") == 0)
        return fail(v, XV_E_PERMISSIVE, "event %u (PCR 9): XSM was put in permissive mode: the "
                    "policy was not enforced", e->index);
    if (strcmp(t, "xenia:xsm dummy") == 0)
        return fail(v, XV_E_PERMISSIVE, "event %u (PCR 9): hv runs the dummy XSM module: no "
                    "mandatory policy", e->index);
    return fail(v, XV_E_POLICY, "event %u (PCR 9): unknown event '%s'", e->index, t);
}

/* PCR 10 image events of this tenant: the image must be a reference image. */
static int check_launch(const char *t, const struct evlog_event *e, const struct xv_expect *ex,
                        struct xv_verdict *v)
{
    char label[160], name[80], domid[16], dg[65];

    if (strncmp(t, "xenia:domain ", 13) != 0 || ev_field(t, "label", label, sizeof(label)) < 0 ||
        ev_field(t, "name", name, sizeof(name)) < 0 || ev_field(t, "domid", domid, sizeof(domid)) < 0)
        return fail(v, XV_E_EVENT_LOG, "event %u (PCR 10): malformed '%s'", e->index, t);
    if (strcmp(ctx_level(label), ex->level) != 0 || strncmp(t + 13, "image ", 6) != 0)
        return 0;   /* another tenant's launch, or this tenant's cmdline / config */
    if (man_find(ex->ref->image, ex->ref->nimage, NULL, e->digest) == NULL) {
        hex(e->digest, 32, dg);
        return fail(v, XV_E_IMAGE, "event %u (PCR 10): domain %s '%s' runs image %s, which is "
                    "not a reference image", e->index, domid, name, dg);
    }
    return 0;
}

/* Was domain (domid, name, label) launched, per the log, with that label? */
static int launched(const uint8_t *log, size_t len, const struct xenia_att_domain *d,
                    uint8_t image[32])
{
    struct evlog_iter it;
    struct evlog_event e;
    char t[XENIA_EV_DATA_MAX + 1], f[160], err[8];
    int found = 0;

    if (evlog_iter_init(&it, log, len, err, sizeof(err)) < 0)
        return 0;
    while (evlog_iter_next(&it, &e, err, sizeof(err)) == 1) {
        unsigned long id;
        if (e.pcr != XENIA_PCR_DOMAINS)
            continue;
        ev_text(&e, t, sizeof(t));
        if (strncmp(t, "xenia:domain image ", 19) != 0 || ev_field(t, "domid", f, sizeof(f)) < 0)
            continue;
        id = strtoul(f, NULL, 10);
        if (id != d->domid)
            continue;
        if (ev_field(t, "name", f, sizeof(f)) < 0 || strcmp(f, d->name) != 0 ||
            ev_field(t, "label", f, sizeof(f)) < 0 || strcmp(f, d->label) != 0)
            return -1;
        memcpy(image, e.digest, 32);
        found = 1;
    }
    return found;
}

/*
 * The isolation claim depends only on (policy binary, level): the last few
 * answers are kept (keyed by the policy's SHA-256), as a long-running verifier
 * sees the same policy again and again. Not thread-safe (one verifier thread).
 */
#define ISO_CACHE 4
static struct iso_entry {
    int used;
    uint8_t sha[32];
    char level[64];
    int code;
    char reason[sizeof(((struct xv_verdict *)0)->reason)];
    char report[sizeof(((struct xv_verdict *)0)->isolation)];
} iso_cache[ISO_CACHE];
static unsigned iso_next;

static int check_isolation_uncached(const uint8_t *pol, size_t len, const char *level,
                                    struct xv_verdict *v);

static int check_isolation(const uint8_t *pol, size_t len, const char *level,
                           struct xv_verdict *v)
{
    uint8_t sha[32];
    struct iso_entry *e;
    int code;

    mbedtls_sha256_ret(pol, len, sha, 0);
    for (unsigned i = 0; i < ISO_CACHE; i++) {
        e = &iso_cache[i];
        if (e->used && memcmp(e->sha, sha, 32) == 0 && strcmp(e->level, level) == 0) {
            memcpy(v->isolation, e->report, sizeof(v->isolation));
            if (e->code != XV_OK) {
                v->code = e->code;
                memcpy(v->reason, e->reason, sizeof(v->reason));
            }
            return e->code;
        }
    }
    code = check_isolation_uncached(pol, len, level, v);
    if (strlen(level) < sizeof(e->level)) {
        e = &iso_cache[iso_next++ % ISO_CACHE];
        e->used = 1;
        memcpy(e->sha, sha, 32);
        snprintf(e->level, sizeof(e->level), "%s", level);
        e->code = code;
        memcpy(e->reason, v->reason, sizeof(e->reason));
        memcpy(e->report, v->isolation, sizeof(e->report));
    }
    return code;
}

static int check_isolation_uncached(const uint8_t *pol, size_t len, const char *level,
                                    struct xv_verdict *v)
{
    struct policydb *p = NULL;
    struct pdb_level lvl;
    char err[256];
    int rc;

    if (pdb_read(pol, len, &p, err, sizeof(err)) < 0)
        return fail(v, XV_E_POLICY, "policy binary does not load: %s", err);
    if (ss_level_parse(p, level, &lvl, err, sizeof(err)) < 0) {
        pdb_free(p);
        return fail(v, XV_E_ISOLATION, "level '%s' is not valid in the measured policy: %s",
                    level, err);
    }
    rc = an_check_isolation_of(p, &lvl, v->isolation, sizeof(v->isolation));
    if (rc == -ENOSPC) {   /* many tenants: decide without the full report */
        rc = an_check_isolation_of(p, &lvl, NULL, 0);
        snprintf(v->isolation, sizeof(v->isolation), "(report too long)\n");
    }
    pdb_free(p);
    if (rc == -ENOENT)
        return fail(v, XV_E_ISOLATION, "the measured policy has no tenant at level %s", level);
    if (rc < 0)
        return fail(v, XV_E_ISOLATION, "isolation analysis failed (%d)", rc);
    if (rc > 0) {
        char first[400];
        const char *f = strstr(v->isolation, "FLOW");
        size_t n = f ? strcspn(f, "\n") : 0;
        snprintf(first, sizeof(first), "%.*s", (int)(n < sizeof(first) ? n : sizeof(first) - 1),
                 f ? f : "");
        return fail(v, XV_E_ISOLATION, "the measured policy lets %d tenant pair(s) involving %s "
                    "exchange information: %s", rc, level, first);
    }
    return 0;
}

int xv_verify(const struct xv_evidence *ev, const struct xv_expect *ex, struct xv_verdict *v)
{
    struct tpm2_quote q;
    struct tpm2_sig s;
    struct tpm2_ecc_pub ak;
    struct evlog_iter it;
    struct evlog_event e;
    mbedtls_pk_context ekpub;
    const uint8_t *chain[8];
    size_t chain_len[8];
    uint8_t name[34], qd[32], pcrs[XENIA_NR_PCRS][32], pd[32], last_pol[32], d[32];
    char err[512], t[XENIA_EV_DATA_MAX + 1];
    int have_pol = 0, rc;

    memset(v, 0, sizeof(*v));
    /* 2, 3: freshness and the session. */
    if (memcmp(ev->nonce.data, ex->nonce, XENIA_NONCE_LEN) != 0)
        return fail(v, XV_E_NONCE, "the evidence answers another nonce: replayed or stale");
    if (memcmp(ev->binding.data, ex->binding, 32) != 0)
        return fail(v, XV_E_BINDING, "the agent's TLS channel binding differs from ours: the "
                    "session was relayed");
    /* 4: the EK. */
    for (unsigned i = 0; i < ev->nchain; i++) {
        chain[i] = ev->chain[i].data;
        chain_len[i] = ev->chain[i].len;
    }
    mbedtls_pk_init(&ekpub);
    rc = xv_ek_chain_verify(ev->ek.data, ev->ek.len, chain, chain_len, ev->nchain, ex->trust,
                            &ekpub, err, sizeof(err));
    mbedtls_pk_free(&ekpub);
    if (rc < 0)
        return fail(v, XV_E_EK, "%s", err);
    /* 5: the AK. */
    if (tpm2_parse_ecc_public(ev->ak.data, ev->ak.len, &ak, err, sizeof(err)) < 0 ||
        tpm2_check_ak(&ak, err, sizeof(err)) < 0)
        return fail(v, XV_E_AK, "AK: %s", err);
    if (tpm2_public_name(ev->ak.data, ev->ak.len, name) < 0 || ex->ak_name == NULL ||
        memcmp(name, ex->ak_name, sizeof(name)) != 0)
        return fail(v, XV_E_AK, "the AK is not the one activated against this EK");
    /* 6: the quote. */
    if (tpm2_parse_quote(ev->quote.data, ev->quote.len, &q, err, sizeof(err)) < 0)
        return fail(v, XV_E_QUOTE, "quote: %s", err);
    if (q.magic != TPM2_GENERATED_VALUE || q.type != TPM2_ST_ATTEST_QUOTE)
        return fail(v, XV_E_QUOTE, "quote: magic 0x%08x type 0x%04x is not a TPM-generated quote",
                    q.magic, q.type);
    xv_qualifying_data(ex->nonce, ex->binding, qd);
    if (q.extra_len != 32 || memcmp(q.extra, qd, 32) != 0)
        return fail(v, XV_E_QUOTE_NONCE, "the quote's qualifyingData is not SHA-256(nonce || "
                    "channel binding): not made for this request");
    if (q.pcr_mask != XENIA_PCR_MASK || q.pcr_digest_len != 32)
        return fail(v, XV_E_QUOTE, "the quote covers PCR mask 0x%06x, not 0x%06x", q.pcr_mask,
                    XENIA_PCR_MASK);
    if (tpm2_parse_signature(ev->sig.data, ev->sig.len, &s, err, sizeof(err)) < 0)
        return fail(v, XV_E_SIGNATURE, "signature: %s", err);
    if (s.hash_alg != TPM2_ALG_SHA256 ||
        xv_ecdsa_p256_verify(ak.x, ak.y, ev->quote.data, ev->quote.len, s.r, s.r_len, s.s,
                             s.s_len) != 0)
        return fail(v, XV_E_SIGNATURE, "the quote's signature does not verify with the AK");
    /* 7: the log replays to the quoted PCRs. */
    if (evlog_replay(ev->evlog.data, ev->evlog.len, pcrs, &v->nevents, err, sizeof(err)) < 0)
        return fail(v, XV_E_EVENT_LOG, "event log: %s", err);
    memcpy(v->pcr[0], pcrs[XENIA_PCR_CODE], 32);
    memcpy(v->pcr[1], pcrs[XENIA_PCR_POLICY], 32);
    memcpy(v->pcr[2], pcrs[XENIA_PCR_DOMAINS], 32);
    if (tpm2_pcr_digest(pcrs, XENIA_PCR_MASK, pd) < 0 || memcmp(pd, q.pcr_digest, 32) != 0)
        return fail(v, XV_E_REPLAY, "the event log (%u events) does not replay to the quoted PCR "
                    "digest: truncated, reordered or altered", v->nevents);
    /* 8: each event against the references. */
    if (evlog_iter_init(&it, ev->evlog.data, ev->evlog.len, err, sizeof(err)) < 0)
        return fail(v, XV_E_EVENT_LOG, "event log: %s", err);
    while ((rc = evlog_iter_next(&it, &e, err, sizeof(err))) == 1) {
        if (e.type == EVLOG_EV_NO_ACTION)
            continue;
        ev_text(&e, t, sizeof(t));
        if (t[0] == 0)
            return fail(v, XV_E_EVENT_LOG, "event %u: data is not printable text", e.index);
        if (e.pcr == XENIA_PCR_CODE)
            rc = check_code(t, &e, ex->ref, v);
        else if (e.pcr == XENIA_PCR_POLICY)
            rc = check_policy_ev(t, &e, ex->ref, last_pol, &have_pol, v);
        else if (e.pcr == XENIA_PCR_DOMAINS)
            rc = check_launch(t, &e, ex, v);
        else
            rc = fail(v, XV_E_EVENT_LOG, "event %u: PCR %u is not in Xenia's PCR map", e.index,
                      e.pcr);
        if (rc != 0)
            return rc;
    }
    if (rc < 0)
        return fail(v, XV_E_EVENT_LOG, "event log: %s", err);
    if (!have_pol)
        return fail(v, XV_E_PERMISSIVE, "no policy was measured: hv runs without a FLASK policy");
    /* 9: the policy binary is the one in force. */
    mbedtls_sha256_ret(ev->policy.data, ev->policy.len, d, 0);
    memcpy(v->policy_sha256, d, 32);
    if (memcmp(d, last_pol, 32) != 0)
        return fail(v, XV_E_POLICY_MISMATCH, "the policy binary sent is not the last one measured");
    /* 10: the tenant's running domains were measured at launch. */
    for (size_t off = 0; off + sizeof(struct xenia_att_domain) <= ev->domains.len;
         off += sizeof(struct xenia_att_domain)) {
        struct xenia_att_domain dom;
        memcpy(&dom, ev->domains.data + off, sizeof(dom));
        dom.name[sizeof(dom.name) - 1] = 0;
        dom.label[sizeof(dom.label) - 1] = 0;
        if (strcmp(ctx_level(dom.label), ex->level) != 0)
            return fail(v, XV_E_DOMAIN, "the agent listed domain %u (%s) of another tenant",
                        dom.domid, dom.label);
        rc = launched(ev->evlog.data, ev->evlog.len, &dom, d);
        if (rc <= 0)
            return fail(v, XV_E_DOMAIN, "domain %u '%s' (%s) has %s", dom.domid, dom.name,
                        dom.label, rc < 0 ? "a launch measurement with another name or label"
                                          : "no launch measurement");
        if (v->ndom < XV_DOM_MAX) {
            struct xv_dom *x = &v->dom[v->ndom++];
            x->domid = dom.domid;
            snprintf(x->name, sizeof(x->name), "%s", dom.name);
            snprintf(x->label, sizeof(x->label), "%s", dom.label);
            memcpy(x->image, d, 32);
        }
    }
    /* 11: the isolation claim of the measured policy. */
    rc = check_isolation(ev->policy.data, ev->policy.len, ex->level, v);
    if (rc != 0)
        return rc;
    v->code = XV_OK;
    return XV_OK;
}
