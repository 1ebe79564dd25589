/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of attest/tpm2_parse.c against structures made by a real TPM
 * (swtpm + tpm2-tools, tests/attest/fixtures/, see its README): the quote's
 * fields, the AK's Name as tpm2_createak computed it, the AK policy check, the
 * PCR digest from independently computed PCR values, and an ECDSA verification
 * (mbedTLS) of the quote with the parsed key and signature, which only succeeds
 * if every parsed field is right. Then every promised rejection, truncation at
 * every length, trailing bytes and single-bit flips of each fixture.
 * Run from the repository root (make unit-test does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mbedtls/ecdsa.h>
#include <mbedtls/sha256.h>

#include "attest/tpm2_parse.h"

#define FIXDIR "tests/attest/fixtures/"

/* PCR 8 after tpm2_pcrextend 8:sha256=SHA-256("xenia fixture") from zero
 * (Python hashlib); PCRs 9 and 10 are zero. */
static const char HEX_PCR8[] =
    "d94b611607243a76ccc3dee28886a249e9ae13b63f47ca90fc4c31b424fb5687";
/* SHA-256(PCR8 || 0^32 || 0^32): the quote's pcrDigest. */
static const char HEX_PCR_DIGEST[] =
    "065aac8128708952638889389041318f232e9787d6727708839561f42ec3b459";
static const char HEX_SHA_EMPTY[] =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct blob {
    uint8_t *p;
    size_t len;
};

static struct blob fx_quote, fx_sig, fx_pub, fx_name;
static uint8_t fx_qual[32];

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t i;

    assert_true(strlen(hex) >= 2 * n);
    for (i = 0; i < n; i++) {
        unsigned int v;

        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static struct blob slurp(const char *name)
{
    char path[256];
    struct blob b;
    FILE *f;
    long n;

    snprintf(path, sizeof(path), FIXDIR "%s", name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s (run from the repository root)", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0 && n < 65536);
    rewind(f);
    b.p = malloc((size_t)n);
    assert_non_null(b.p);
    assert_int_equal(fread(b.p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b.len = (size_t)n;
    return b;
}

static int load_fixtures(void **state)
{
    char hex[80];
    FILE *f;

    (void)state;
    fx_quote = slurp("q.msg");
    fx_sig = slurp("q.sig");
    fx_pub = slurp("ak.pub");
    fx_name = slurp("ak.name");
    /* ak.pub is a TPM2B_PUBLIC: drop the 2-byte size, keep the TPMT_PUBLIC. */
    assert_true(fx_pub.len > 2);
    assert_int_equal((fx_pub.p[0] << 8) | fx_pub.p[1], fx_pub.len - 2);
    memmove(fx_pub.p, fx_pub.p + 2, fx_pub.len - 2);
    fx_pub.len -= 2;
    f = fopen(FIXDIR "qualifying.hex", "r");
    assert_non_null(f);
    assert_non_null(fgets(hex, sizeof(hex), f));
    fclose(f);
    unhex(hex, fx_qual, 32);
    return 0;
}

static int free_fixtures(void **state)
{
    (void)state;
    free(fx_quote.p);
    free(fx_sig.p);
    free(fx_pub.p);
    free(fx_name.p);
    return 0;
}

/* Exact-size copy so that ASan catches any read past len. */
static uint8_t *dup_exact(const uint8_t *p, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);

    assert_non_null(c);
    memcpy(c, p, len);
    return c;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void expect_contains(const char *err, const char *want)
{
    if (strstr(err, want) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

/* ---- the fixtures parse and mean what the TPM said -------------------------------- */

/* TPMS_ATTEST layout of q.msg: signer (34) and extraData (32) sizes fixed by the TPM. */
enum {
    Q_MAGIC = 0, Q_TYPE = 4, Q_SIGNER = 6, Q_EXTRA = 42, Q_CLOCK = 76, Q_SAFE = 92,
    Q_FW = 93, Q_COUNT = 101, Q_BANK = 105, Q_SZSEL = 107, Q_SEL = 108, Q_DIGEST = 111,
    Q_LEN = 145
};

static void test_quote_fixture(void **state)
{
    struct tpm2_quote q;
    uint8_t pcrs[XENIA_NR_PCRS][32], want[32];
    char err[160];

    (void)state;
    assert_int_equal(fx_quote.len, Q_LEN);
    memset(&q, 0, sizeof(q));
    assert_int_equal(tpm2_parse_quote(fx_quote.p, fx_quote.len, &q, err, sizeof(err)), 0);
    assert_int_equal(q.magic, TPM2_GENERATED_VALUE);
    assert_int_equal(q.type, TPM2_ST_ATTEST_QUOTE);
    assert_int_equal(q.extra_len, 32);
    assert_memory_equal(q.extra, fx_qual, 32);          /* tpm2_quote -q */
    assert_int_equal(q.signer_len, 34);                  /* SHA-256 qualified name */
    assert_int_equal((q.signer[0] << 8) | q.signer[1], TPM2_ALG_SHA256);
    assert_int_equal(q.pcr_mask, XENIA_PCR_MASK);        /* -l sha256:8,9,10 */
    assert_int_equal(q.safe, 1);
    /* clockInfo and firmwareVersion as xxd shows them in q.msg (big-endian). */
    assert_int_equal(q.clock, 0x2a0);
    assert_int_equal(q.reset_count, 2);
    assert_int_equal(q.restart_count, 0);
    assert_int_equal(q.firmware, 0x2019102300163636ull);
    assert_int_equal(q.pcr_digest_len, 32);

    /* The TPM's pcrDigest = our tpm2_pcr_digest over the PCR values we expect. */
    memset(pcrs, 0, sizeof(pcrs));
    unhex(HEX_PCR8, pcrs[8], 32);
    memset(pcrs[0], 0x5A, 32);                           /* unselected: must not count */
    memset(pcrs[23], 0xA5, 32);
    assert_int_equal(tpm2_pcr_digest(pcrs, q.pcr_mask, want), 0);
    assert_memory_equal(want, q.pcr_digest, 32);
    unhex(HEX_PCR_DIGEST, want, 32);
    assert_memory_equal(want, q.pcr_digest, 32);
}

static void test_signature_fixture(void **state)
{
    struct tpm2_sig s;
    char err[160];

    (void)state;
    memset(&s, 0, sizeof(s));
    assert_int_equal(tpm2_parse_signature(fx_sig.p, fx_sig.len, &s, err, sizeof(err)), 0);
    assert_int_equal(s.sig_alg, TPM2_ALG_ECDSA);
    assert_int_equal(s.hash_alg, TPM2_ALG_SHA256);
    assert_int_equal(s.r_len, 32);
    assert_int_equal(s.s_len, 32);
    assert_memory_equal(s.r, fx_sig.p + 6, 32);
    assert_memory_equal(s.s, fx_sig.p + 40, 32);
}

static void test_public_fixture(void **state)
{
    struct tpm2_ecc_pub p;
    uint8_t name[34];
    char err[160];

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(tpm2_parse_ecc_public(fx_pub.p, fx_pub.len, &p, err, sizeof(err)), 0);
    assert_int_equal(p.type, TPM2_ALG_ECC);
    assert_int_equal(p.name_alg, TPM2_ALG_SHA256);
    /* tpm2_createak's template: fixedTPM|fixedParent|sensitiveDataOrigin|userWithAuth|
     * restricted|sign. */
    assert_int_equal(p.attributes, 0x00050072u);
    assert_int_equal(p.sym_alg, TPM2_ALG_NULL);
    assert_int_equal(p.scheme, TPM2_ALG_ECDSA);
    assert_int_equal(p.scheme_hash, TPM2_ALG_SHA256);
    assert_int_equal(p.curve, TPM2_ECC_NIST_P256);
    assert_int_equal(p.kdf, TPM2_ALG_NULL);
    assert_int_equal(p.x_len, 32);
    assert_int_equal(p.y_len, 32);
    assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), 0);

    /* Name = what tpm2_createak -n wrote. */
    assert_int_equal(fx_name.len, 34);
    assert_int_equal(tpm2_public_name(fx_pub.p, fx_pub.len, name), 0);
    assert_memory_equal(name, fx_name.p, 34);
}

/* ECDSA-P256 verification of SHA-256(q.msg) with the parsed AK point and the
 * parsed r, s: any misparsed field makes it fail. A changed quote fails too. */
static int ecdsa_ok(const uint8_t *msg, size_t len, const struct tpm2_ecc_pub *p,
                    const struct tpm2_sig *s)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point Q;
    mbedtls_mpi r, sv;
    uint8_t h[32];
    int ok = 0;

    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&Q);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&sv);
    if (mbedtls_sha256_ret(msg, len, h, 0) == 0 &&
        mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
        mbedtls_mpi_read_binary(&Q.X, p->x, p->x_len) == 0 &&
        mbedtls_mpi_read_binary(&Q.Y, p->y, p->y_len) == 0 &&
        mbedtls_mpi_lset(&Q.Z, 1) == 0 &&
        mbedtls_ecp_check_pubkey(&grp, &Q) == 0 &&
        mbedtls_mpi_read_binary(&r, s->r, s->r_len) == 0 &&
        mbedtls_mpi_read_binary(&sv, s->s, s->s_len) == 0 &&
        mbedtls_ecdsa_verify(&grp, h, sizeof(h), &Q, &r, &sv) == 0)
        ok = 1;
    mbedtls_mpi_free(&sv);
    mbedtls_mpi_free(&r);
    mbedtls_ecp_point_free(&Q);
    mbedtls_ecp_group_free(&grp);
    return ok;
}

static void test_quote_signature_verifies(void **state)
{
    struct tpm2_ecc_pub p;
    struct tpm2_sig s;
    uint8_t *m;

    (void)state;
    assert_int_equal(tpm2_parse_ecc_public(fx_pub.p, fx_pub.len, &p, NULL, 0), 0);
    assert_int_equal(tpm2_parse_signature(fx_sig.p, fx_sig.len, &s, NULL, 0), 0);
    assert_true(ecdsa_ok(fx_quote.p, fx_quote.len, &p, &s));
    m = dup_exact(fx_quote.p, fx_quote.len);
    m[Q_EXTRA + 2] ^= 1;                                 /* another nonce */
    assert_false(ecdsa_ok(m, fx_quote.len, &p, &s));
    free(m);
}

/* ---- the AK check ----------------------------------------------------------------- */

static void test_check_ak_rejects(void **state)
{
    static const struct { uint32_t clear, set; const char *want; } attrs[] = {
        { TPM2_OA_FIXEDTPM, 0, "fixedTPM clear" },
        { TPM2_OA_FIXEDPARENT, 0, "fixedParent clear" },
        { TPM2_OA_SENSITIVEDATAORIGIN, 0, "sensitiveDataOrigin clear" },
        { TPM2_OA_RESTRICTED, 0, "restricted clear" },
        { TPM2_OA_SIGN, 0, "sign clear" },
        { 0, TPM2_OA_DECRYPT, "decrypt set" },
        { TPM2_OA_SIGN, TPM2_OA_DECRYPT, "sign clear" },      /* a storage key */
    };
    struct tpm2_ecc_pub good, p;
    uint8_t *raw;
    char err[160];
    size_t i;

    (void)state;
    assert_int_equal(tpm2_parse_ecc_public(fx_pub.p, fx_pub.len, &good, NULL, 0), 0);
    for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        /* Mutate the attribute word in the marshaled TPMT_PUBLIC and re-parse. */
        raw = dup_exact(fx_pub.p, fx_pub.len);
        put32(raw + 4, (good.attributes & ~attrs[i].clear) | attrs[i].set);
        assert_int_equal(tpm2_parse_ecc_public(raw, fx_pub.len, &p, NULL, 0), 0);
        err[0] = '\0';
        assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), -XENIA_EPROTO);
        expect_contains(err, attrs[i].want);
        free(raw);
    }
    /* Bits the policy does not care about keep the key acceptable. */
    p = good;
    p.attributes |= TPM2_OA_STCLEAR | TPM2_OA_NODA | TPM2_OA_ADMINWITHPOLICY;
    assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), 0);

#define AK_MUT(field, val, want) do { p = good; p.field = (val); err[0] = '\0'; \
        assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), -XENIA_EPROTO); \
        expect_contains(err, want); } while (0)
    AK_MUT(type, 0x0001, "type 0x0001");
    AK_MUT(name_alg, 0x0004, "nameAlg 0x0004");
    AK_MUT(sym_alg, 0x0006, "symmetric algorithm 0x0006");
    AK_MUT(scheme, 0x0019, "scheme 0x0019");
    AK_MUT(scheme, TPM2_ALG_NULL, "scheme 0x0010");
    AK_MUT(scheme_hash, 0x000C, "scheme hash 0x000c");
    AK_MUT(curve, 0x0004, "curve 0x0004");
    AK_MUT(kdf, 0x0007, "kdf 0x0007");
    AK_MUT(x_len, 31, "point of 31/32 bytes");
    AK_MUT(y_len, 0, "point of 32/0 bytes");
#undef AK_MUT
    assert_int_equal(tpm2_check_ak(NULL, err, sizeof(err)), -XENIA_EINVAL);
}

static void test_public_name(void **state)
{
    uint8_t name[34], *raw;

    (void)state;
    raw = dup_exact(fx_pub.p, fx_pub.len);
    raw[7] ^= 0x04;                                      /* an attribute bit */
    assert_int_equal(tpm2_public_name(raw, fx_pub.len, name), 0);
    assert_memory_not_equal(name, fx_name.p, 34);        /* the Name binds the attributes */
    raw[7] ^= 0x04;
    put16(raw + 2, 0x0004);                              /* nameAlg SHA-1 */
    assert_int_equal(tpm2_public_name(raw, fx_pub.len, name), -XENIA_EPROTO);
    assert_int_equal(tpm2_public_name(raw, 3, name), -XENIA_EINVAL);
    assert_int_equal(tpm2_public_name(raw, XENIA_TPM_PUB_MAX + 1, name), -XENIA_EINVAL);
    assert_int_equal(tpm2_public_name(NULL, 10, name), -XENIA_EINVAL);
    free(raw);
}

static void test_pcr_digest(void **state)
{
    uint8_t pcrs[XENIA_NR_PCRS][32], out[32], want[32], cat[64];
    unsigned int i;

    (void)state;
    for (i = 0; i < XENIA_NR_PCRS; i++)
        memset(pcrs[i], (int)i + 1, 32);
    /* Empty selection: SHA-256 of nothing. */
    assert_int_equal(tpm2_pcr_digest(pcrs, 0, out), 0);
    unhex(HEX_SHA_EMPTY, want, 32);
    assert_memory_equal(out, want, 32);
    /* Index order, not bit order of the call: PCR 0 then PCR 23. */
    memcpy(cat, pcrs[0], 32);
    memcpy(cat + 32, pcrs[23], 32);
    assert_int_equal(mbedtls_sha256_ret(cat, 64, want, 0), 0);
    assert_int_equal(tpm2_pcr_digest(pcrs, (1u << 23) | 1u, out), 0);
    assert_memory_equal(out, want, 32);
    assert_int_equal(tpm2_pcr_digest(pcrs, 1u << 24, out), -XENIA_EINVAL);
    assert_int_equal(tpm2_pcr_digest(pcrs, 0x80000000u, out), -XENIA_EINVAL);
    assert_int_equal(tpm2_pcr_digest(NULL, 1, out), -XENIA_EINVAL);
}

/* ---- rejections with precise reasons ---------------------------------------------- */

static void quote_reject(uint8_t *m, size_t len, const char *want)
{
    struct tpm2_quote q, before;
    uint8_t *c = dup_exact(m, len);
    char err[200];

    memset(&q, 0x6B, sizeof(q));
    before = q;
    err[0] = '\0';
    assert_int_equal(tpm2_parse_quote(c, len, &q, err, sizeof(err)), -XENIA_EPROTO);
    expect_contains(err, want);
    assert_memory_equal(&q, &before, sizeof(q));         /* output untouched */
    free(c);
}

static void test_quote_rejections(void **state)
{
    static const struct { size_t off; uint8_t bytes[4]; size_t n; const char *want; } cases[] = {
        { Q_MAGIC, { 0xff, 0x54, 0x43, 0x48 }, 4, "quote: magic 0xff544348" },
        { Q_TYPE, { 0x80, 0x14 }, 2, "quote: type 0x8014" },          /* ST_ATTEST_CERTIFY */
        { Q_SIGNER, { 0x00, 0x45 }, 2, "qualifiedSigner of 69 bytes" },
        { Q_SIGNER, { 0xff, 0xff }, 2, "qualifiedSigner of 65535 bytes" },
        { Q_EXTRA, { 0x00, 0x41 }, 2, "extraData of 65 bytes" },
        { Q_EXTRA, { 0x00, 0x40 }, 2, "clockInfo.safe 56" },          /* fits, shifts all */
        { Q_SAFE, { 0x02 }, 1, "clockInfo.safe 2" },
        { Q_COUNT, { 0, 0, 0, 2 }, 4, "2 PCR selections (want exactly 1" },
        { Q_COUNT, { 0, 0, 0, 0 }, 4, "0 PCR selections" },
        { Q_COUNT, { 0xff, 0xff, 0xff, 0xff }, 4, "4294967295 PCR selections" },
        { Q_BANK, { 0x00, 0x04 }, 2, "PCR selection of bank 0x0004" },
        { Q_BANK, { 0x00, 0x0c }, 2, "PCR selection of bank 0x000c" },
        { Q_SZSEL, { 4 }, 1, "sizeofSelect 4" },
        { Q_SZSEL, { 0 }, 1, "sizeofSelect 0" },
        { Q_SZSEL, { 2 }, 1, "trailing bytes" },                      /* shifts the digest */
        { Q_DIGEST, { 0x00, 0x21 }, 2, "pcrDigest of 33 bytes" },
        { Q_DIGEST, { 0x00, 0x1f }, 2, "1 trailing bytes at offset 144" },
    };
    uint8_t *m;
    size_t i;
    char want[64];

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        m = dup_exact(fx_quote.p, fx_quote.len);
        memcpy(m + cases[i].off, cases[i].bytes, cases[i].n);
        quote_reject(m, fx_quote.len, cases[i].want);
        free(m);
    }
    /* Truncated at every length: an error naming the field and offset. */
    for (i = 0; i < fx_quote.len; i++)
        quote_reject(fx_quote.p, i, "truncated");
    quote_reject(fx_quote.p, Q_EXTRA + 1, "quote: truncated extraData at offset 42");
    quote_reject(fx_quote.p, Q_DIGEST + 10, "quote: truncated pcrDigest at offset 113");
    /* One trailing byte. */
    m = malloc(fx_quote.len + 1);
    assert_non_null(m);
    memcpy(m, fx_quote.p, fx_quote.len);
    m[fx_quote.len] = 0;
    snprintf(want, sizeof(want), "quote: 1 trailing bytes at offset %zu", fx_quote.len);
    quote_reject(m, fx_quote.len + 1, want);
    free(m);
    /* Too large. */
    m = calloc(1, XENIA_TPM_ATTEST_MAX + 1);
    assert_non_null(m);
    memcpy(m, fx_quote.p, fx_quote.len);
    quote_reject(m, XENIA_TPM_ATTEST_MAX + 1, "exceeds 1024");
    free(m);
    {
        struct tpm2_quote q;

        assert_int_equal(tpm2_parse_quote(NULL, 4, &q, NULL, 0), -XENIA_EINVAL);
        assert_int_equal(tpm2_parse_quote(fx_quote.p, fx_quote.len, NULL, NULL, 0),
                         -XENIA_EINVAL);
    }
}

/* A hand-made TPMS_ATTEST: sizeofSelect 1..3 are accepted and mapped to bits. */
static size_t mk_quote(uint8_t *b, uint8_t sz, const uint8_t *sel)
{
    size_t o = 0;

    put32(b + o, TPM2_GENERATED_VALUE); o += 4;
    put16(b + o, TPM2_ST_ATTEST_QUOTE); o += 2;
    put16(b + o, 0); o += 2;                         /* empty qualifiedSigner */
    put16(b + o, 3); o += 2;
    memcpy(b + o, "abc", 3); o += 3;                 /* extraData */
    memset(b + o, 0, 17); o += 17;                   /* clockInfo (safe 0) */
    memset(b + o, 0, 8); o += 8;                     /* firmwareVersion */
    put32(b + o, 1); o += 4;
    put16(b + o, TPM2_ALG_SHA256); o += 2;
    b[o++] = sz;
    memcpy(b + o, sel, sz); o += sz;
    put16(b + o, 0); o += 2;                         /* empty pcrDigest */
    return o;
}

static void test_quote_select_sizes(void **state)
{
    static const uint8_t sel[3] = { 0x81, 0x00, 0x80 };
    struct tpm2_quote q;
    uint8_t b[128];
    size_t n;
    char err[160];

    (void)state;
    n = mk_quote(b, 1, sel);
    assert_int_equal(tpm2_parse_quote(b, n, &q, err, sizeof(err)), 0);
    assert_int_equal(q.pcr_mask, 0x81u);                 /* PCRs 0 and 7 */
    assert_int_equal(q.extra_len, 3);
    assert_memory_equal(q.extra, "abc", 3);
    assert_int_equal(q.signer_len, 0);
    assert_int_equal(q.pcr_digest_len, 0);
    n = mk_quote(b, 3, sel);
    assert_int_equal(tpm2_parse_quote(b, n, &q, err, sizeof(err)), 0);
    assert_int_equal(q.pcr_mask, 0x800081u);             /* and PCR 23 */
}

static void sig_reject(const uint8_t *m, size_t len, const char *want)
{
    struct tpm2_sig s, before;
    uint8_t *c = dup_exact(m, len);
    char err[200];

    memset(&s, 0x6B, sizeof(s));
    before = s;
    err[0] = '\0';
    assert_int_equal(tpm2_parse_signature(c, len, &s, err, sizeof(err)), -XENIA_EPROTO);
    expect_contains(err, want);
    assert_memory_equal(&s, &before, sizeof(s));
    free(c);
}

static void test_signature_rejections(void **state)
{
    static const struct { size_t off; uint8_t bytes[2]; const char *want; } cases[] = {
        { 0, { 0x00, 0x14 }, "signature: signature algorithm 0x0014 (want ECDSA" },  /* RSASSA */
        { 0, { 0x00, 0x10 }, "signature algorithm 0x0010" },
        { 4, { 0x00, 0x21 }, "signatureR of 33 bytes" },
        { 4, { 0x00, 0x00 }, "empty signatureR" },
        { 38, { 0x00, 0x21 }, "signatureS of 33 bytes" },
        { 38, { 0x00, 0x00 }, "empty signatureS" },
        { 38, { 0x00, 0x1f }, "1 trailing bytes" },
    };
    uint8_t *m;
    size_t i;

    (void)state;
    assert_int_equal(fx_sig.len, 72);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        m = dup_exact(fx_sig.p, fx_sig.len);
        memcpy(m + cases[i].off, cases[i].bytes, 2);
        sig_reject(m, fx_sig.len, cases[i].want);
        free(m);
    }
    for (i = 0; i < fx_sig.len; i++)
        sig_reject(fx_sig.p, i, "truncated");
    sig_reject(fx_sig.p, 2, "signature: truncated hash at offset 2");
    m = malloc(fx_sig.len + 3);
    assert_non_null(m);
    memcpy(m, fx_sig.p, fx_sig.len);
    memset(m + fx_sig.len, 0, 3);
    sig_reject(m, fx_sig.len + 3, "signature: 3 trailing bytes at offset 72");
    free(m);
}

static void pub_reject(const uint8_t *m, size_t len, const char *want)
{
    struct tpm2_ecc_pub p, before;
    uint8_t *c = dup_exact(m, len);
    char err[200];

    memset(&p, 0x6B, sizeof(p));
    before = p;
    err[0] = '\0';
    assert_int_equal(tpm2_parse_ecc_public(c, len, &p, err, sizeof(err)), -XENIA_EPROTO);
    expect_contains(err, want);
    assert_memory_equal(&p, &before, sizeof(p));
    free(c);
}

/* TPMT_PUBLIC layout of ak.pub (88 bytes). */
enum { P_TYPE = 0, P_POLICY = 8, P_SYM = 10, P_SCHEME = 12, P_CURVE = 16, P_KDF = 18,
       P_X = 20, P_Y = 54, P_LEN = 88 };

static void test_public_rejections(void **state)
{
    static const struct { size_t off; uint8_t bytes[2]; const char *want; } cases[] = {
        { P_TYPE, { 0x00, 0x01 }, "public: type 0x0001 (want ECC" },      /* RSA */
        { P_POLICY, { 0x00, 0x41 }, "authPolicy of 65 bytes" },
        { P_POLICY, { 0x00, 0x02 }, "unknown" },                         /* shifts parms */
        { P_SCHEME, { 0x00, 0x99 }, "unknown ECC scheme 0x0099" },
        { P_SCHEME, { 0x00, 0x14 }, "unknown ECC scheme 0x0014" },       /* RSASSA */
        { P_KDF, { 0x00, 0x99 }, "unknown KDF scheme 0x0099" },
        { P_X, { 0x00, 0x21 }, "unique.x of 33 bytes" },
        { P_Y, { 0x00, 0x21 }, "unique.y of 33 bytes" },
        { P_Y, { 0x00, 0x1f }, "1 trailing bytes" },
    };
    uint8_t *m;
    size_t i;

    (void)state;
    assert_int_equal(fx_pub.len, P_LEN);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        m = dup_exact(fx_pub.p, fx_pub.len);
        memcpy(m + cases[i].off, cases[i].bytes, 2);
        pub_reject(m, fx_pub.len, cases[i].want);
        free(m);
    }
    for (i = 0; i < fx_pub.len; i++)
        pub_reject(fx_pub.p, i, "truncated");
    pub_reject(fx_pub.p, P_X + 5, "public: truncated unique.x at offset 22");
    m = malloc(fx_pub.len + 1);
    assert_non_null(m);
    memcpy(m, fx_pub.p, fx_pub.len);
    m[fx_pub.len] = 0;
    pub_reject(m, fx_pub.len + 1, "public: 1 trailing bytes at offset 88");
    free(m);
    m = calloc(1, XENIA_TPM_PUB_MAX + 1);
    assert_non_null(m);
    memcpy(m, fx_pub.p, fx_pub.len);
    pub_reject(m, XENIA_TPM_PUB_MAX + 1, "exceeds 1024");
    free(m);
}

/* A non-NULL symmetric definition carries keyBits and mode (TPMT_SYM_DEF_OBJECT);
 * the parser reads them and tpm2_check_ak refuses the key. */
static void test_public_symmetric(void **state)
{
    uint8_t b[P_LEN + 4];
    struct tpm2_ecc_pub p;
    char err[160];

    (void)state;
    memcpy(b, fx_pub.p, P_SYM);
    put16(b + P_SYM, 0x0006);                            /* AES */
    put16(b + P_SYM + 2, 128);
    put16(b + P_SYM + 4, 0x0043);                        /* CFB */
    memcpy(b + P_SYM + 6, fx_pub.p + P_SYM + 2, fx_pub.len - P_SYM - 2);
    assert_int_equal(tpm2_parse_ecc_public(b, fx_pub.len + 4, &p, err, sizeof(err)), 0);
    assert_int_equal(p.sym_alg, 0x0006);
    assert_int_equal(p.curve, TPM2_ECC_NIST_P256);
    assert_int_equal(p.x_len, 32);
    assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), -XENIA_EPROTO);
    expect_contains(err, "symmetric algorithm 0x0006");
}

/* Scheme and KDF details of other lengths: ECDAA has {hashAlg, count}, a non-NULL
 * KDF has a hashAlg, NULL scheme has nothing. Each parses exactly and is no AK. */
static void test_public_schemes(void **state)
{
    uint8_t b[P_LEN + 8];
    struct tpm2_ecc_pub p;
    char err[160];
    size_t n;

    (void)state;
    /* ECDAA: scheme 0x001A, hashAlg, count 7. */
    memcpy(b, fx_pub.p, P_CURVE);
    put16(b + P_SCHEME, 0x001A);
    put16(b + P_CURVE, 7);
    memcpy(b + P_CURVE + 2, fx_pub.p + P_CURVE, fx_pub.len - P_CURVE);
    n = fx_pub.len + 2;
    assert_int_equal(tpm2_parse_ecc_public(b, n, &p, err, sizeof(err)), 0);
    assert_int_equal(p.scheme, 0x001A);
    assert_int_equal(p.scheme_hash, TPM2_ALG_SHA256);
    assert_int_equal(p.curve, TPM2_ECC_NIST_P256);
    assert_int_equal(p.y_len, 32);
    assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), -XENIA_EPROTO);
    expect_contains(err, "scheme 0x001a");
    pub_reject(b, n - 1, "truncated unique.y");
    /* NULL scheme: no hashAlg follows. */
    memcpy(b, fx_pub.p, P_SCHEME);
    put16(b + P_SCHEME, TPM2_ALG_NULL);
    memcpy(b + P_SCHEME + 2, fx_pub.p + P_CURVE, fx_pub.len - P_CURVE);
    n = fx_pub.len - 2;
    assert_int_equal(tpm2_parse_ecc_public(b, n, &p, err, sizeof(err)), 0);
    assert_int_equal(p.scheme, TPM2_ALG_NULL);
    assert_int_equal(p.scheme_hash, 0);
    assert_int_equal(p.curve, TPM2_ECC_NIST_P256);
    /* KDF MGF1 with SHA-256. */
    memcpy(b, fx_pub.p, P_X);
    put16(b + P_KDF, 0x0007);
    put16(b + P_X, TPM2_ALG_SHA256);
    memcpy(b + P_X + 2, fx_pub.p + P_X, fx_pub.len - P_X);
    n = fx_pub.len + 2;
    assert_int_equal(tpm2_parse_ecc_public(b, n, &p, err, sizeof(err)), 0);
    assert_int_equal(p.kdf, 0x0007);
    assert_int_equal(p.x_len, 32);
    assert_memory_equal(p.x, fx_pub.p + P_X + 2, 32);
    assert_int_equal(tpm2_check_ak(&p, err, sizeof(err)), -XENIA_EPROTO);
    expect_contains(err, "kdf 0x0007");
}

/* Every single-bit flip of every fixture: no crash, no over-read (ASan), either
 * accepted or refused with a reason; flips of type/size/selector fields refused. */
static void flip_all(const struct blob *b, int which, unsigned int *nerr)
{
    size_t i;
    unsigned int bit;
    char err[200];

    for (i = 0; i < b->len; i++) {
        for (bit = 0; bit < 8; bit++) {
            uint8_t *c = dup_exact(b->p, b->len);
            struct tpm2_quote q;
            struct tpm2_sig s;
            struct tpm2_ecc_pub p;
            int rc;

            c[i] ^= (uint8_t)(1u << bit);
            err[0] = '\0';
            rc = which == 0 ? tpm2_parse_quote(c, b->len, &q, err, sizeof(err)) :
                 which == 1 ? tpm2_parse_signature(c, b->len, &s, err, sizeof(err)) :
                              tpm2_parse_ecc_public(c, b->len, &p, err, sizeof(err));
            if (rc != 0) {
                assert_int_equal(rc, -XENIA_EPROTO);
                assert_true(strlen(err) > 10);
                (*nerr)++;
            }
            free(c);
        }
    }
}

static void test_bit_flips(void **state)
{
    unsigned int nq = 0, ns = 0, np = 0;

    (void)state;
    flip_all(&fx_quote, 0, &nq);
    flip_all(&fx_sig, 1, &ns);
    flip_all(&fx_pub, 2, &np);
    printf("refused single-bit flips: quote %u/%zu, signature %u/%zu, public %u/%zu\n",
           nq, fx_quote.len * 8, ns, fx_sig.len * 8, np, fx_pub.len * 8);
    /* Quote: every flip of magic (32 bits), type (16), the three TPM2B sizes (48),
     * pcrSelect.count (32), bank (16) and sizeofSelect (8) is refused, and 7 of
     * clockInfo.safe's 8 (1 -> 0 is valid); data bits (signer, extraData, clock,
     * the selection bitmap, pcrDigest) are the verifier's business. */
    assert_int_equal(nq, 32 + 16 + 48 + 32 + 16 + 8 + 7);
    /* Signature: sigAlg (16) and the r and s sizes (32); the hash is the caller's. */
    assert_int_equal(ns, 16 + 32);
    /* Public: at least type, authPolicy size, symmetric algorithm, x and y sizes. */
    assert_true(np >= 16 + 16 + 16 + 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_fixture),
        cmocka_unit_test(test_signature_fixture),
        cmocka_unit_test(test_public_fixture),
        cmocka_unit_test(test_quote_signature_verifies),
        cmocka_unit_test(test_check_ak_rejects),
        cmocka_unit_test(test_public_name),
        cmocka_unit_test(test_pcr_digest),
        cmocka_unit_test(test_quote_rejections),
        cmocka_unit_test(test_quote_select_sizes),
        cmocka_unit_test(test_signature_rejections),
        cmocka_unit_test(test_public_rejections),
        cmocka_unit_test(test_public_symmetric),
        cmocka_unit_test(test_public_schemes),
        cmocka_unit_test(test_bit_flips),
    };

    return cmocka_run_group_tests(tests, load_fixtures, free_fixtures);
}
