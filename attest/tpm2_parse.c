/* SPDX-License-Identifier: MIT */
/*
 * TPM 2.0 Part 2 structure parsers for the verifier (see tpm2_parse.h).
 * Every read of untrusted bytes goes through struct becur: typed big-endian
 * readers that cannot run past the end and that name the field and offset of
 * any truncation in err. Pure: no system calls, no allocation.
 */
#include "attest/tpm2_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>

#define TPM2_ALG_ECDH      0x0019u
#define TPM2_ALG_ECDAA     0x001Au
#define TPM2_ALG_SM2       0x001Bu
#define TPM2_ALG_ECSCHNORR 0x001Cu
#define TPM2_ALG_ECMQV     0x001Du
#define TPM2_ALG_MGF1      0x0007u
#define TPM2_ALG_KDF1_SP800_56A 0x0020u
#define TPM2_ALG_KDF2      0x0021u
#define TPM2_ALG_KDF1_SP800_108 0x0022u
#define TPM2_SHA512_LEN    64u       /* largest authPolicy digest */

/* Propagate a negative result. */
#define GUARD(x) do { int guard_rc_ = (x); if (guard_rc_ < 0) return guard_rc_; } while (0)

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- the bounded big-endian cursor (STYLE.md item 8) ------------------------------ */

struct becur {
    const uint8_t *p;
    size_t len;
    size_t off;                /* <= len, always */
    const char *what;          /* "quote", "signature", "public": error prefix */
    char *err;
    size_t errlen;
};

/* fmt must be a string literal: the structure's name is pasted in front. */
#define CFAIL(c, fmt, ...) do { set_err((c)->err, (c)->errlen, "%s: " fmt, (c)->what, \
                                        ##__VA_ARGS__); return -XENIA_EPROTO; } while (0)

static int be_take(struct becur *c, size_t n, const char *field, const uint8_t **out)
{
    if (c->len - c->off < n)
        CFAIL(c, "truncated %s at offset %zu (%zu bytes needed, %zu left)",
              field, c->off, n, c->len - c->off);
    *out = c->p + c->off;
    c->off += n;
    return 0;
}

static int be_u8(struct becur *c, const char *field, uint8_t *v)
{
    const uint8_t *b;

    GUARD(be_take(c, 1, field, &b));
    *v = b[0];
    return 0;
}

static int be_u16(struct becur *c, const char *field, uint16_t *v)
{
    const uint8_t *b;

    GUARD(be_take(c, 2, field, &b));
    *v = (uint16_t)((b[0] << 8) | b[1]);
    return 0;
}

static int be_u32(struct becur *c, const char *field, uint32_t *v)
{
    const uint8_t *b;

    GUARD(be_take(c, 4, field, &b));
    *v = ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
    return 0;
}

static int be_u64(struct becur *c, const char *field, uint64_t *v)
{
    uint32_t hi, lo;

    GUARD(be_u32(c, field, &hi));
    GUARD(be_u32(c, field, &lo));
    *v = ((uint64_t)hi << 32) | lo;
    return 0;
}

/* A TPM2B: u16 size (<= max), then size bytes copied to dst (dst may be NULL: skip). */
static int be_tpm2b(struct becur *c, const char *field, uint8_t *dst, size_t max,
                    uint16_t *out_len)
{
    uint16_t n;
    const uint8_t *b;

    GUARD(be_u16(c, field, &n));
    if (n > max)
        CFAIL(c, "%s of %u bytes at offset %zu exceeds %zu", field, n, c->off - 2, max);
    GUARD(be_take(c, n, field, &b));
    if (dst != NULL && n != 0)
        memcpy(dst, b, n);
    if (out_len != NULL)
        *out_len = n;
    return 0;
}

static int be_init(struct becur *c, const uint8_t *buf, size_t len, size_t max,
                   const char *what, char *err, size_t errlen)
{
    c->p = buf;
    c->len = len;
    c->off = 0;
    c->what = what;
    c->err = err;
    c->errlen = errlen;
    if (len > max)
        CFAIL(c, "%zu bytes exceeds %zu", len, max);
    return 0;
}

static int be_end(struct becur *c)
{
    if (c->off != c->len)
        CFAIL(c, "%zu trailing bytes at offset %zu", c->len - c->off, c->off);
    return 0;
}

/* ---- TPMS_ATTEST / TPMS_QUOTE_INFO (Part 2 §10.12.8, §10.12.4) --------------------- */

static int parse_quote(struct becur *c, struct tpm2_quote *q)
{
    uint32_t count;
    uint16_t bank;
    uint8_t sz;
    const uint8_t *sel;
    size_t i;

    GUARD(be_u32(c, "magic", &q->magic));
    if (q->magic != TPM2_GENERATED_VALUE)
        CFAIL(c, "magic 0x%08x (want TPM_GENERATED_VALUE 0xff544347)", q->magic);
    GUARD(be_u16(c, "type", &q->type));
    if (q->type != TPM2_ST_ATTEST_QUOTE)
        CFAIL(c, "type 0x%04x (want TPM_ST_ATTEST_QUOTE 0x8018)", q->type);
    GUARD(be_tpm2b(c, "qualifiedSigner", q->signer, sizeof(q->signer), &q->signer_len));
    GUARD(be_tpm2b(c, "extraData", q->extra, sizeof(q->extra), &q->extra_len));
    GUARD(be_u64(c, "clockInfo.clock", &q->clock));
    GUARD(be_u32(c, "clockInfo.resetCount", &q->reset_count));
    GUARD(be_u32(c, "clockInfo.restartCount", &q->restart_count));
    GUARD(be_u8(c, "clockInfo.safe", &q->safe));
    if (q->safe > 1)
        CFAIL(c, "clockInfo.safe %u is not a TPMI_YES_NO", q->safe);
    GUARD(be_u64(c, "firmwareVersion", &q->firmware));
    GUARD(be_u32(c, "pcrSelect.count", &count));
    if (count != 1)
        CFAIL(c, "%u PCR selections (want exactly 1, SHA-256)", count);
    GUARD(be_u16(c, "pcrSelect.hash", &bank));
    if (bank != TPM2_ALG_SHA256)
        CFAIL(c, "PCR selection of bank 0x%04x (want SHA-256 0x000b)", bank);
    GUARD(be_u8(c, "pcrSelect.sizeofSelect", &sz));
    if (sz == 0 || sz > 3)
        CFAIL(c, "sizeofSelect %u (want 1..3: PCRs 0..23)", sz);
    GUARD(be_take(c, sz, "pcrSelect.pcrSelect", &sel));
    q->pcr_mask = 0;
    for (i = 0; i < sz; i++)
        q->pcr_mask |= (uint32_t)sel[i] << (8 * i);
    GUARD(be_tpm2b(c, "pcrDigest", q->pcr_digest, sizeof(q->pcr_digest),
                   &q->pcr_digest_len));
    return be_end(c);
}

int tpm2_parse_quote(const uint8_t *buf, size_t len, struct tpm2_quote *q,
                     char *err, size_t errlen)
{
    struct becur c;
    struct tpm2_quote t;

    if ((buf == NULL && len != 0) || q == NULL) {
        set_err(err, errlen, "quote: invalid arguments");
        return -XENIA_EINVAL;
    }
    memset(&t, 0, sizeof(t));
    GUARD(be_init(&c, buf, len, XENIA_TPM_ATTEST_MAX, "quote", err, errlen));
    GUARD(parse_quote(&c, &t));
    *q = t;
    return 0;
}

/* ---- TPMT_SIGNATURE (Part 2 §11.3.4), TPMS_SIGNATURE_ECDSA (§11.3.2) --------------- */

static int parse_signature(struct becur *c, struct tpm2_sig *s)
{
    GUARD(be_u16(c, "sigAlg", &s->sig_alg));
    if (s->sig_alg != TPM2_ALG_ECDSA)
        CFAIL(c, "signature algorithm 0x%04x (want ECDSA 0x0018)", s->sig_alg);
    GUARD(be_u16(c, "hash", &s->hash_alg));
    GUARD(be_tpm2b(c, "signatureR", s->r, sizeof(s->r), &s->r_len));
    if (s->r_len == 0)
        CFAIL(c, "empty signatureR");
    GUARD(be_tpm2b(c, "signatureS", s->s, sizeof(s->s), &s->s_len));
    if (s->s_len == 0)
        CFAIL(c, "empty signatureS");
    return be_end(c);
}

int tpm2_parse_signature(const uint8_t *buf, size_t len, struct tpm2_sig *s,
                         char *err, size_t errlen)
{
    struct becur c;
    struct tpm2_sig t;

    if ((buf == NULL && len != 0) || s == NULL) {
        set_err(err, errlen, "signature: invalid arguments");
        return -XENIA_EINVAL;
    }
    memset(&t, 0, sizeof(t));
    GUARD(be_init(&c, buf, len, XENIA_TPM_SIG_MAX, "signature", err, errlen));
    GUARD(parse_signature(&c, &t));
    *s = t;
    return 0;
}

/* ---- TPMT_PUBLIC (Part 2 §12.2.4) with TPMS_ECC_PARMS (§12.2.3.6) ------------------ */

static int parse_ecc_public(struct becur *c, struct tpm2_ecc_pub *p)
{
    uint16_t v;

    GUARD(be_u16(c, "type", &p->type));
    if (p->type != TPM2_ALG_ECC)
        CFAIL(c, "type 0x%04x (want ECC 0x0023)", p->type);
    GUARD(be_u16(c, "nameAlg", &p->name_alg));
    GUARD(be_u32(c, "objectAttributes", &p->attributes));
    GUARD(be_tpm2b(c, "authPolicy", NULL, TPM2_SHA512_LEN, NULL));
    /* TPMT_SYM_DEF_OBJECT: algorithm, then keyBits and mode unless NULL. */
    GUARD(be_u16(c, "symmetric.algorithm", &p->sym_alg));
    if (p->sym_alg != TPM2_ALG_NULL) {
        GUARD(be_u16(c, "symmetric.keyBits", &v));
        GUARD(be_u16(c, "symmetric.mode", &v));
    }
    /* TPMT_ECC_SCHEME: scheme, then its details (TPMU_ASYM_SCHEME) unless NULL. */
    GUARD(be_u16(c, "scheme.scheme", &p->scheme));
    switch (p->scheme) {
    case TPM2_ALG_NULL:
        break;
    case TPM2_ALG_ECDSA:
    case TPM2_ALG_ECDH:
    case TPM2_ALG_SM2:
    case TPM2_ALG_ECSCHNORR:
    case TPM2_ALG_ECMQV:
        GUARD(be_u16(c, "scheme.hashAlg", &p->scheme_hash));
        break;
    case TPM2_ALG_ECDAA:
        GUARD(be_u16(c, "scheme.hashAlg", &p->scheme_hash));
        GUARD(be_u16(c, "scheme.count", &v));
        break;
    default:
        CFAIL(c, "unknown ECC scheme 0x%04x", p->scheme);
    }
    GUARD(be_u16(c, "curveID", &p->curve));
    /* TPMT_KDF_SCHEME: scheme, then hashAlg unless NULL. */
    GUARD(be_u16(c, "kdf.scheme", &p->kdf));
    switch (p->kdf) {
    case TPM2_ALG_NULL:
        break;
    case TPM2_ALG_MGF1:
    case TPM2_ALG_KDF1_SP800_56A:
    case TPM2_ALG_KDF2:
    case TPM2_ALG_KDF1_SP800_108:
        GUARD(be_u16(c, "kdf.hashAlg", &v));
        break;
    default:
        CFAIL(c, "unknown KDF scheme 0x%04x", p->kdf);
    }
    GUARD(be_tpm2b(c, "unique.x", p->x, sizeof(p->x), &p->x_len));
    GUARD(be_tpm2b(c, "unique.y", p->y, sizeof(p->y), &p->y_len));
    return be_end(c);
}

int tpm2_parse_ecc_public(const uint8_t *buf, size_t len, struct tpm2_ecc_pub *p,
                          char *err, size_t errlen)
{
    struct becur c;
    struct tpm2_ecc_pub t;

    if ((buf == NULL && len != 0) || p == NULL) {
        set_err(err, errlen, "public: invalid arguments");
        return -XENIA_EINVAL;
    }
    memset(&t, 0, sizeof(t));
    GUARD(be_init(&c, buf, len, XENIA_TPM_PUB_MAX, "public", err, errlen));
    GUARD(parse_ecc_public(&c, &t));
    *p = t;
    return 0;
}

#define AKFAIL(fmt, ...) do { set_err(err, errlen, "AK: " fmt, ##__VA_ARGS__); \
                              return -XENIA_EPROTO; } while (0)

int tpm2_check_ak(const struct tpm2_ecc_pub *p, char *err, size_t errlen)
{
    uint32_t missing;

    if (p == NULL) {
        set_err(err, errlen, "AK: invalid arguments");
        return -XENIA_EINVAL;
    }
    if (p->type != TPM2_ALG_ECC)
        AKFAIL("type 0x%04x (want ECC 0x0023)", p->type);
    if (p->name_alg != TPM2_ALG_SHA256)
        AKFAIL("nameAlg 0x%04x (want SHA-256 0x000b)", p->name_alg);
    missing = TPM2_AK_ATTRS_REQUIRED & ~p->attributes;
    if (missing & TPM2_OA_FIXEDTPM)
        AKFAIL("attributes 0x%08x: fixedTPM clear", p->attributes);
    if (missing & TPM2_OA_FIXEDPARENT)
        AKFAIL("attributes 0x%08x: fixedParent clear", p->attributes);
    if (missing & TPM2_OA_SENSITIVEDATAORIGIN)
        AKFAIL("attributes 0x%08x: sensitiveDataOrigin clear", p->attributes);
    if (missing & TPM2_OA_RESTRICTED)
        AKFAIL("attributes 0x%08x: restricted clear", p->attributes);
    if (missing & TPM2_OA_SIGN)
        AKFAIL("attributes 0x%08x: sign clear", p->attributes);
    if (p->attributes & TPM2_OA_DECRYPT)
        AKFAIL("attributes 0x%08x: decrypt set (an AK only signs)", p->attributes);
    if (p->sym_alg != TPM2_ALG_NULL)
        AKFAIL("symmetric algorithm 0x%04x (want NULL 0x0010)", p->sym_alg);
    if (p->scheme != TPM2_ALG_ECDSA)
        AKFAIL("scheme 0x%04x (want ECDSA 0x0018)", p->scheme);
    if (p->scheme_hash != TPM2_ALG_SHA256)
        AKFAIL("scheme hash 0x%04x (want SHA-256 0x000b)", p->scheme_hash);
    if (p->curve != TPM2_ECC_NIST_P256)
        AKFAIL("curve 0x%04x (want NIST P-256 0x0003)", p->curve);
    if (p->kdf != TPM2_ALG_NULL)
        AKFAIL("kdf 0x%04x (want NULL 0x0010)", p->kdf);
    if (p->x_len != 32 || p->y_len != 32)
        AKFAIL("point of %u/%u bytes (want 32/32 for P-256)", p->x_len, p->y_len);
    return 0;
}

int tpm2_public_name(const uint8_t *pub, size_t len, uint8_t name[34])
{
    if (pub == NULL || name == NULL || len < 4 || len > XENIA_TPM_PUB_MAX)
        return -XENIA_EINVAL;
    if (((pub[2] << 8) | pub[3]) != TPM2_ALG_SHA256)
        return -XENIA_EPROTO;
    if (mbedtls_sha256_ret(pub, len, name + 2, 0) != 0)
        return -XENIA_EIO;
    name[0] = (uint8_t)(TPM2_ALG_SHA256 >> 8);
    name[1] = (uint8_t)TPM2_ALG_SHA256;
    return 0;
}

int tpm2_pcr_digest(const uint8_t pcrs[XENIA_NR_PCRS][32], uint32_t mask, uint8_t out[32])
{
    uint8_t cat[XENIA_NR_PCRS * 32];
    size_t n = 0;
    unsigned int i;

    if (pcrs == NULL || out == NULL || (mask >> XENIA_NR_PCRS) != 0)
        return -XENIA_EINVAL;
    for (i = 0; i < XENIA_NR_PCRS; i++) {
        if (mask & (1u << i)) {
            memcpy(cat + n, pcrs[i], 32);
            n += 32;
        }
    }
    if (mbedtls_sha256_ret(cat, n, out, 0) != 0)
        return -XENIA_EIO;
    return 0;
}
