/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: attest/tpm2_parse.c, the verifier's parsers of untrusted TPM 2.0
 * structures (TPM 2.0 Part 2): tpm2_parse_quote (TPMS_ATTEST),
 * tpm2_parse_signature (TPMT_SIGNATURE), tpm2_parse_ecc_public (TPMT_PUBLIC)
 * with tpm2_check_ak and tpm2_public_name, and tpm2_pcr_digest.
 * Input: byte 0 selects (low 2 bits): 0 quote, 1 signature, 2 public, each over
 * bytes 1..; 3 all three: bytes 1-2 and 3-4 (big-endian) are the lengths of
 * the quote and the signature parts, the rest is the public part.
 * Properties (abort() when one breaks):
 *  - an accepted quote / signature re-marshals (here, independently) to exactly
 *    the input bytes: lengths within their fields (signer <= 68, extraData
 *    <= 64, pcrDigest <= 32, r and s 1..32), clockInfo.safe 0/1, one SHA-256
 *    selection of 1..3 bytes (so pcr_mask < 2^24, XENIA_NR_PCRS bits);
 *  - an accepted public is re-walked here independently to exactly its length,
 *    with the same fields; tpm2_check_ak accepts it iff the AK rules (checked
 *    here from the fields) hold;
 *  - tpm2_public_name: success iff 4 <= len <= XENIA_TPM_PUB_MAX and nameAlg is
 *    SHA-256, then name = 0x000B || SHA-256(input);
 *  - tpm2_pcr_digest accepts the quote's mask and refuses any bit >= 24;
 *  - no strict prefix of an accepted input is accepted (the whole input is
 *    consumed), inputs over the maximum size are refused, a refusal leaves the
 *    output untouched and gives a NUL-terminated reason naming the structure.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "attest/tpm2_parse.h"

/* ---- a tiny big-endian writer for re-marshaling ---------------------------------- */

struct w { uint8_t *p; size_t n, cap; };

static void w_bytes(struct w *w, const void *b, size_t n)
{
    if (w->cap - w->n < n)
        abort();                     /* the re-marshaled form is longer than the input */
    if (n)
        memcpy(w->p + w->n, b, n);
    w->n += n;
}

static void w_u8(struct w *w, uint8_t v) { w_bytes(w, &v, 1); }
static void w_u16(struct w *w, uint16_t v) { uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v }; w_bytes(w, b, 2); }
static void w_u32(struct w *w, uint32_t v) { w_u16(w, (uint16_t)(v >> 16)); w_u16(w, (uint16_t)v); }
static void w_u64(struct w *w, uint64_t v) { w_u32(w, (uint32_t)(v >> 32)); w_u32(w, (uint32_t)v); }
static void w_2b(struct w *w, const uint8_t *b, uint16_t n) { w_u16(w, n); w_bytes(w, b, n); }

static void check_err(const char *err, size_t cap, const char *prefix)
{
    if (memchr(err, 0, cap) == NULL || strncmp(err, prefix, strlen(prefix)) != 0)
        abort();
}

static int all(const void *p, uint8_t v, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != v)
            return 0;
    return 1;
}

/* ---- TPMS_ATTEST ----------------------------------------------------------------- */

static void check_quote(const uint8_t *buf, size_t len)
{
    struct tpm2_quote q;
    char err[256];
    int rc;

    memset(&q, 0xa5, sizeof(q));
    rc = tpm2_parse_quote(buf, len, &q, err, sizeof(err));
    if (rc < 0) {
        if (rc != -XENIA_EPROTO || !all(&q, 0xa5, sizeof(q)))
            abort();
        check_err(err, sizeof(err), "quote: ");
        return;
    }
    if (rc != 0 || len > XENIA_TPM_ATTEST_MAX || q.magic != TPM2_GENERATED_VALUE ||
        q.type != TPM2_ST_ATTEST_QUOTE || q.signer_len > sizeof(q.signer) ||
        q.extra_len > sizeof(q.extra) || q.safe > 1 || q.pcr_digest_len > 32 ||
        (q.pcr_mask >> XENIA_NR_PCRS) != 0)
        abort();
    /* Re-marshal: sizeofSelect is the byte after the bank (not kept in q). */
    {
        uint8_t *out = malloc(len ? len : 1);
        struct w w = { out, 0, len };
        size_t sel_off = 4 + 2 + 2 + q.signer_len + 2 + q.extra_len + 8 + 4 + 4 + 1 + 8 + 4 + 2;
        uint8_t sz;

        if (out == NULL || sel_off >= len)
            abort();
        sz = buf[sel_off];
        if (sz < 1 || sz > 3 || (q.pcr_mask >> (8 * sz)) != 0)
            abort();
        w_u32(&w, q.magic);
        w_u16(&w, q.type);
        w_2b(&w, q.signer, q.signer_len);
        w_2b(&w, q.extra, q.extra_len);
        w_u64(&w, q.clock);
        w_u32(&w, q.reset_count);
        w_u32(&w, q.restart_count);
        w_u8(&w, q.safe);
        w_u64(&w, q.firmware);
        w_u32(&w, 1);
        w_u16(&w, TPM2_ALG_SHA256);
        w_u8(&w, sz);
        for (unsigned i = 0; i < sz; i++)
            w_u8(&w, (uint8_t)(q.pcr_mask >> (8 * i)));
        w_2b(&w, q.pcr_digest, q.pcr_digest_len);
        if (w.n != len || memcmp(out, buf, len) != 0)
            abort();
        free(out);
    }
    /* The whole input is consumed: the prefix one byte shorter is refused. */
    if (tpm2_parse_quote(buf, len - 1, &q, NULL, 0) != -XENIA_EPROTO)
        abort();
    /* tpm2_pcr_digest over the quoted selection (PCR i = bytes of i). */
    {
        uint8_t pcrs[XENIA_NR_PCRS][32], d[32];

        for (unsigned i = 0; i < XENIA_NR_PCRS; i++)
            memset(pcrs[i], (int)i, 32);
        if (tpm2_pcr_digest(pcrs, q.pcr_mask, d) != 0 ||
            tpm2_pcr_digest(pcrs, q.pcr_mask | (1u << XENIA_NR_PCRS), d) != -XENIA_EINVAL)
            abort();
    }
}

/* ---- TPMT_SIGNATURE -------------------------------------------------------------- */

static void check_signature(const uint8_t *buf, size_t len)
{
    struct tpm2_sig s;
    char err[256];
    int rc;

    memset(&s, 0xa5, sizeof(s));
    rc = tpm2_parse_signature(buf, len, &s, err, sizeof(err));
    if (rc < 0) {
        if (rc != -XENIA_EPROTO || !all(&s, 0xa5, sizeof(s)))
            abort();
        check_err(err, sizeof(err), "signature: ");
        return;
    }
    if (rc != 0 || len > XENIA_TPM_SIG_MAX || s.sig_alg != TPM2_ALG_ECDSA || s.r_len < 1 ||
        s.r_len > 32 || s.s_len < 1 || s.s_len > 32)
        abort();
    {
        uint8_t out[2 + 2 + 2 + 32 + 2 + 32];
        struct w w = { out, 0, sizeof(out) };

        w_u16(&w, s.sig_alg);
        w_u16(&w, s.hash_alg);
        w_2b(&w, s.r, s.r_len);
        w_2b(&w, s.s, s.s_len);
        if (w.n != len || memcmp(out, buf, len) != 0)
            abort();
    }
    if (tpm2_parse_signature(buf, len - 1, &s, NULL, 0) != -XENIA_EPROTO)
        abort();
}

/* ---- TPMT_PUBLIC (ECC) ----------------------------------------------------------- */

struct rd { const uint8_t *p; size_t n, off; int bad; };

static uint16_t r16(struct rd *r)
{
    if (r->bad || r->n - r->off < 2) { r->bad = 1; return 0; }
    r->off += 2;
    return (uint16_t)((r->p[r->off - 2] << 8) | r->p[r->off - 1]);
}

static uint32_t r32(struct rd *r)
{
    uint32_t hi = r16(r);
    return (hi << 16) | r16(r);
}

static const uint8_t *r2b(struct rd *r, uint16_t *n, size_t max)
{
    const uint8_t *b;

    *n = r16(r);
    if (r->bad || *n > max || r->n - r->off < *n) { r->bad = 1; return NULL; }
    b = r->p + r->off;
    r->off += *n;
    return b;
}

/* The AK rules of tpm2_parse.h, from the fields. */
static int ak_ok(const struct tpm2_ecc_pub *p)
{
    return p->type == TPM2_ALG_ECC && p->name_alg == TPM2_ALG_SHA256 &&
           (p->attributes & TPM2_AK_ATTRS_REQUIRED) == TPM2_AK_ATTRS_REQUIRED &&
           !(p->attributes & TPM2_OA_DECRYPT) && p->sym_alg == TPM2_ALG_NULL &&
           p->scheme == TPM2_ALG_ECDSA && p->scheme_hash == TPM2_ALG_SHA256 &&
           p->curve == TPM2_ECC_NIST_P256 && p->kdf == TPM2_ALG_NULL && p->x_len == 32 &&
           p->y_len == 32;
}

static void check_public(const uint8_t *buf, size_t len)
{
    struct tpm2_ecc_pub p;
    char err[256];
    uint8_t name[34], want[34];
    int rc;

    /* tpm2_public_name over any bytes. */
    memset(name, 0xa5, sizeof(name));
    rc = tpm2_public_name(buf, len, name);
    if (len < 4 || len > XENIA_TPM_PUB_MAX) {
        if (rc != -XENIA_EINVAL || !all(name, 0xa5, sizeof(name)))
            abort();
    } else if (((buf[2] << 8) | buf[3]) != TPM2_ALG_SHA256) {
        if (rc != -XENIA_EPROTO || !all(name, 0xa5, sizeof(name)))
            abort();
    } else {
        want[0] = 0x00;
        want[1] = 0x0B;
        if (mbedtls_sha256_ret(buf, len, want + 2, 0) != 0 || rc != 0 ||
            memcmp(name, want, sizeof(name)) != 0)
            abort();
    }

    memset(&p, 0xa5, sizeof(p));
    rc = tpm2_parse_ecc_public(buf, len, &p, err, sizeof(err));
    if (rc < 0) {
        if (rc != -XENIA_EPROTO || !all(&p, 0xa5, sizeof(p)))
            abort();
        check_err(err, sizeof(err), "public: ");
        return;
    }
    if (rc != 0 || len > XENIA_TPM_PUB_MAX || p.type != TPM2_ALG_ECC || p.x_len > 32 ||
        p.y_len > 32)
        abort();
    /* Independent re-walk (Part 2 §12.2.4, §12.2.3.6). */
    {
        struct rd r = { buf, len, 0, 0 };
        uint16_t n, scheme, kdf, hash = 0;
        const uint8_t *x, *y;

        if (r16(&r) != p.type || r16(&r) != p.name_alg || r32(&r) != p.attributes)
            abort();
        (void)r2b(&r, &n, 64);
        if (r16(&r) != p.sym_alg)
            abort();
        if (p.sym_alg != TPM2_ALG_NULL)
            (void)r32(&r);                            /* keyBits, mode */
        scheme = r16(&r);
        if (scheme != p.scheme)
            abort();
        if (scheme == 0x0018 || scheme == 0x0019 || scheme == 0x001B || scheme == 0x001C ||
            scheme == 0x001D)
            hash = r16(&r);
        else if (scheme == 0x001A)
            hash = (uint16_t)(r32(&r) >> 16);         /* hashAlg, count */
        else if (scheme != TPM2_ALG_NULL)
            abort();                                  /* an unknown scheme was accepted */
        if (hash != p.scheme_hash || r16(&r) != p.curve)
            abort();
        kdf = r16(&r);
        if (kdf != p.kdf)
            abort();
        if (kdf == 0x0007 || kdf == 0x0020 || kdf == 0x0021 || kdf == 0x0022)
            (void)r16(&r);
        else if (kdf != TPM2_ALG_NULL)
            abort();
        x = r2b(&r, &n, 32);
        if (r.bad || n != p.x_len || memcmp(x, p.x, n) != 0)
            abort();
        y = r2b(&r, &n, 32);
        if (r.bad || n != p.y_len || memcmp(y, p.y, n) != 0 || r.off != len)
            abort();
    }
    if (tpm2_parse_ecc_public(buf, len - 1, &p, NULL, 0) != -XENIA_EPROTO)
        abort();
    /* (p is unchanged by the refusal above) */
    rc = tpm2_check_ak(&p, err, sizeof(err));
    if (ak_ok(&p) ? rc != 0 : rc != -XENIA_EPROTO)
        abort();
    if (rc < 0)
        check_err(err, sizeof(err), "AK: ");
}

/* Run fn over an exact-size heap copy of in[0..n). */
static void on_copy(void (*fn)(const uint8_t *, size_t), const uint8_t *in, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);

    if (b == NULL)
        abort();
    memcpy(b, in, n);
    fn(n ? b : NULL, n);
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t a, b;

    if (size < 1)
        return 0;
    switch (data[0] & 3) {
    case 0:
        on_copy(check_quote, data + 1, size - 1);
        break;
    case 1:
        on_copy(check_signature, data + 1, size - 1);
        break;
    case 2:
        on_copy(check_public, data + 1, size - 1);
        break;
    default:
        if (size < 5)
            return 0;
        a = (size_t)((data[1] << 8) | data[2]);
        b = (size_t)((data[3] << 8) | data[4]);
        if (a > size - 5)
            a = size - 5;
        if (b > size - 5 - a)
            b = size - 5 - a;
        on_copy(check_quote, data + 5, a);
        on_copy(check_signature, data + 5 + a, b);
        on_copy(check_public, data + 5 + a + b, size - 5 - a - b);
        break;
    }
    return 0;
}
