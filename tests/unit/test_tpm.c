/* SPDX-License-Identifier: MIT */
/*
 * attest/tpm.c and attest/swtpm.c against a real swtpm (started in a mkdtemp
 * directory, stopped at the end; the whole program skips when swtpm is not
 * installed). Independent checkers: mbedTLS (SHA-256 PCR arithmetic, the EK
 * certificate chain) and tpm2-tools (tpm2_checkquote verifies our quotes,
 * tpm2_makecredential makes the credentials we activate; both without a TPM).
 * Prints timings (median of 20 unless said) to stdout.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <tss2/tss2_mu.h>

#include "attest/swtpm.h"
#include "attest/tpm.h"
#include "xenia/abi.h"
#include "xenia/attest.h"

#define NRUNS 20
#define NFRESH 3          /* fresh swtpm_setup takes ~1.3 s each */

static struct {
    char dir[64];                 /* mkdtemp */
    struct swtpm sw;
    struct tpm *tpm;
    bool tools;                   /* tpm2_checkquote and tpm2_makecredential present */
    double fresh_ms;              /* the first swtpm_start */
} G;

/* ---------------------------------------------------------------- helpers */

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool has_exe(const char *name)
{
    const char *path = getenv("PATH");
    char buf[512];

    if (!path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, name);
        if (n && access(buf, X_OK) == 0)
            return true;
        path += n;
        if (*path == ':')
            path++;
    }
    return false;
}

static void path_of(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", G.dir, name);
}

static void write_file(const char *name, const void *buf, size_t len)
{
    char p[256];
    FILE *f;

    path_of(p, sizeof(p), name);
    f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static size_t read_file(const char *name, void *buf, size_t cap)
{
    char p[256];
    FILE *f;
    size_t n;

    path_of(p, sizeof(p), name);
    f = fopen(p, "rb");
    assert_non_null(f);
    n = fread(buf, 1, cap, f);
    assert_true(n < cap);           /* the whole file */
    fclose(f);
    return n;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", b[i]);
    out[2 * n] = '\0';
}

/* Run a shell command in G.dir, output to G.dir/tools.log; its exit status (-1: not exited). */
static int run(const char *fmt, ...)
{
    char cmd[1024], full[2200];
    va_list ap;
    int st;

    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    snprintf(full, sizeof(full), "cd '%s' && { echo '$ %s'; %s; } >>tools.log 2>&1",
             G.dir, cmd, cmd);
    st = system(full);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void sha256_2(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                     uint8_t out[32])
{
    mbedtls_sha256_context c;

    mbedtls_sha256_init(&c);
    assert_int_equal(mbedtls_sha256_starts_ret(&c, 0), 0);
    assert_int_equal(mbedtls_sha256_update_ret(&c, a, alen), 0);
    assert_int_equal(mbedtls_sha256_update_ret(&c, b, blen), 0);
    assert_int_equal(mbedtls_sha256_finish_ret(&c, out), 0);
    mbedtls_sha256_free(&c);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(p);
}

/* AK public (TPMT_PUBLIC) and its name 0x000b || SHA-256(TPMT_PUBLIC). */
static size_t ak_public_and_name(struct tpm *t, uint8_t *pub, size_t cap, uint8_t name[34])
{
    size_t len = 0;

    assert_int_equal(tpm_ak_public(t, pub, cap, &len), 0);
    name[0] = 0x00;
    name[1] = 0x0b;
    assert_int_equal(mbedtls_sha256_ret(pub, len, name + 2, 0), 0);
    return len;
}

/* ------------------------------------------------------------ group setup */

static int group_setup(void **state)
{
    char err[512];
    double t0;
    int rc;

    (void)state;
    snprintf(G.dir, sizeof(G.dir), "/tmp/xenia-tpm-XXXXXX");
    if (!mkdtemp(G.dir))
        return -1;
    t0 = now_ms();
    rc = swtpm_start(G.dir, &G.sw, err, sizeof(err));
    G.fresh_ms = now_ms() - t0;
    if (rc < 0) {
        fprintf(stderr, "swtpm_start: %d: %s\n", rc, err);
        return -1;
    }
    rc = tpm_open(G.sw.tcti, &G.tpm, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "tpm_open: %d: %s\n", rc, err);
        return -1;
    }
    rc = tpm_ak_setup(G.tpm, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "tpm_ak_setup: %d: %s\n", rc, err);
        return -1;
    }
    G.tools = has_exe("tpm2_checkquote") && has_exe("tpm2_makecredential");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tpm_close(G.tpm);
    G.tpm = NULL;
    swtpm_stop(&G.sw);
    if (G.dir[0] && !getenv("XENIA_TPM_KEEP"))
        nftw(G.dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* ----------------------------------------------------------------- tests */

/* swtpm_start refuses paths it cannot use, says which step failed, leaves no child. */
static void test_swtpm_start_errors(void **state)
{
    struct swtpm s;
    char err[512], longdir[300];
    int rc;

    (void)state;
    rc = swtpm_start("/proc/xenia-no-such-dir", &s, err, sizeof(err));
    assert_true(rc < 0);
    assert_int_equal(s.pid, 0);
    assert_non_null(strstr(err, "mkdir"));

    /* the control socket path would not fit in sockaddr_un.sun_path */
    memset(longdir, 'a', sizeof(longdir) - 1);
    longdir[0] = '/';
    longdir[sizeof(longdir) - 1] = '\0';
    rc = swtpm_start(longdir, &s, err, sizeof(err));
    assert_int_equal(rc, -ENAMETOOLONG);
    assert_int_equal(s.pid, 0);

    swtpm_stop(&s);                    /* harmless on a stopped struct */
    assert_int_equal(s.pid, 0);
}

/* PCR 8 after startup-clear is zero; two extends give SHA-256 chains. */
static void test_pcr_extend_read(void **state)
{
    static uint8_t pcrs[XENIA_NR_PCRS][32];
    uint8_t d1[32], d2[32], zero[32] = { 0 }, exp[32];

    (void)state;
    for (int i = 0; i < 32; i++) {
        d1[i] = (uint8_t)i;
        d2[i] = (uint8_t)(0xa0 ^ i);
    }
    memset(pcrs, 0xee, sizeof(pcrs));
    assert_int_equal(tpm_pcr_read(G.tpm, 1u << 8, pcrs), 0);
    assert_memory_equal(pcrs[8], zero, 32);
    assert_int_equal(pcrs[9][0], 0xee);          /* not selected: untouched */

    assert_int_equal(tpm_extend(G.tpm, 8, d1), 0);
    sha256_2(zero, 32, d1, 32, exp);
    assert_int_equal(tpm_pcr_read(G.tpm, 1u << 8, pcrs), 0);
    assert_memory_equal(pcrs[8], exp, 32);

    assert_int_equal(tpm_extend(G.tpm, 8, d2), 0);
    sha256_2(exp, 32, d2, 32, exp);
    assert_int_equal(tpm_pcr_read(G.tpm, XENIA_PCR_MASK, pcrs), 0);
    assert_memory_equal(pcrs[8], exp, 32);
    assert_memory_equal(pcrs[9], zero, 32);     /* other PCRs unchanged */
    assert_memory_equal(pcrs[10], zero, 32);

    /* Extend 9 and 10 too, so the quote covers three distinct values. */
    assert_int_equal(tpm_extend(G.tpm, 9, d2), 0);
    assert_int_equal(tpm_extend(G.tpm, 10, d1), 0);
    sha256_2(zero, 32, d1, 32, exp);
    assert_int_equal(tpm_pcr_read(G.tpm, 1u << 10, pcrs), 0);
    assert_memory_equal(pcrs[10], exp, 32);
}

/* All 24 PCRs at once (more than one TPM2_PCR_Read), and argument checks. */
static void test_pcr_read_all_and_bounds(void **state)
{
    static uint8_t all[XENIA_NR_PCRS][32], one[XENIA_NR_PCRS][32];
    uint8_t d[32] = { 1 };

    (void)state;
    memset(all, 0xee, sizeof(all));
    assert_int_equal(tpm_pcr_read(G.tpm, 0xffffffu, all), 0);
    for (unsigned i = 0; i < XENIA_NR_PCRS; i++) {
        memset(one, 0xee, sizeof(one));
        assert_int_equal(tpm_pcr_read(G.tpm, 1u << i, one), 0);
        assert_memory_equal(all[i], one[i], 32);
    }
    assert_int_equal(tpm_pcr_read(G.tpm, 1u << 24, all), -XENIA_EINVAL);
    assert_int_equal(tpm_pcr_read(G.tpm, 0, all), 0);
    assert_int_equal(tpm_extend(G.tpm, 24, d), -XENIA_EINVAL);
    assert_int_equal(tpm_extend(G.tpm, 8, NULL), -XENIA_EINVAL);
}

/* The EK certificate is DER that chains to issuercert.pem and the local root CA. */
static void test_ek_cert(void **state)
{
    static uint8_t der[XENIA_CERT_MAX];
    mbedtls_x509_crt chain, root, bad;
    uint32_t flags = 0;
    size_t len = 0, len2 = 0;
    uint8_t small[16];

    (void)state;
    assert_int_equal(tpm_ek_cert(G.tpm, der, sizeof(der), &len), 0);
    assert_true(len > 300 && len < sizeof(der));
    assert_int_equal(tpm_ek_cert(G.tpm, small, sizeof(small), &len2), -XENIA_E2BIG);
    assert_int_equal(len2, len);

    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&root);
    mbedtls_x509_crt_init(&bad);
    assert_int_equal(mbedtls_x509_crt_parse_der(&chain, der, len), 0);
    assert_int_equal(mbedtls_pk_get_type(&chain.pk), MBEDTLS_PK_RSA);
    assert_int_equal(mbedtls_pk_get_bitlen(&chain.pk), 2048);
    assert_int_equal(mbedtls_x509_crt_parse_file(&chain, G.sw.ca_issuer), 0);
    assert_int_equal(mbedtls_x509_crt_parse_file(&root, G.sw.ca_root), 0);
    assert_int_equal(mbedtls_x509_crt_verify(&chain, &root, NULL, NULL, &flags, NULL, NULL), 0);
    assert_int_equal(flags, 0);

    /* A flipped signature bit must not verify. */
    der[len - 1] ^= 0x01;
    assert_int_equal(mbedtls_x509_crt_parse_der(&bad, der, len), 0);
    assert_int_equal(mbedtls_x509_crt_parse_file(&bad, G.sw.ca_issuer), 0);
    assert_int_not_equal(mbedtls_x509_crt_verify(&bad, &root, NULL, NULL, &flags, NULL, NULL), 0);
    assert_true(flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED);

    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&root);
    mbedtls_x509_crt_free(&bad);
}

/* The AK public parses back and has exactly the template's properties. */
static void test_ak_public(void **state)
{
    uint8_t pub[XENIA_TPM_PUB_MAX], small[8];
    TPMT_PUBLIC p;
    size_t len = 0, off = 0, len2 = 0;

    (void)state;
    assert_int_equal(tpm_ak_public(G.tpm, pub, sizeof(pub), &len), 0);
    assert_int_equal(tpm_ak_public(G.tpm, small, sizeof(small), &len2), -XENIA_E2BIG);
    assert_int_equal(len2, len);
    memset(&p, 0, sizeof(p));
    assert_int_equal(Tss2_MU_TPMT_PUBLIC_Unmarshal(pub, len, &off, &p), TSS2_RC_SUCCESS);
    assert_int_equal(off, len);                          /* no trailing bytes */
    assert_int_equal(p.type, TPM2_ALG_ECC);
    assert_int_equal(p.nameAlg, TPM2_ALG_SHA256);
    assert_int_equal(p.objectAttributes,
                     TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                     TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                     TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT);
    assert_int_equal(p.authPolicy.size, 0);
    assert_int_equal(p.parameters.eccDetail.symmetric.algorithm, TPM2_ALG_NULL);
    assert_int_equal(p.parameters.eccDetail.scheme.scheme, TPM2_ALG_ECDSA);
    assert_int_equal(p.parameters.eccDetail.scheme.details.ecdsa.hashAlg, TPM2_ALG_SHA256);
    assert_int_equal(p.parameters.eccDetail.curveID, TPM2_ECC_NIST_P256);
    assert_int_equal(p.parameters.eccDetail.kdf.scheme, TPM2_ALG_NULL);
    assert_int_equal(p.unique.ecc.x.size, 32);
    assert_int_equal(p.unique.ecc.y.size, 32);
}

/* Write the AK public as tpm2-tools' TSS public file (TPM2B_PUBLIC). */
static void write_ak_pub_file(const char *name)
{
    uint8_t pub[XENIA_TPM_PUB_MAX], out[sizeof(TPM2B_PUBLIC)];
    TPM2B_PUBLIC p2b;
    size_t len = 0, off = 0;

    assert_int_equal(tpm_ak_public(G.tpm, pub, sizeof(pub), &len), 0);
    memset(&p2b, 0, sizeof(p2b));
    assert_int_equal(Tss2_MU_TPMT_PUBLIC_Unmarshal(pub, len, &off, &p2b.publicArea), 0);
    off = 0;
    assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(&p2b, out, sizeof(out), &off), 0);
    assert_int_equal(off, len + 2);
    assert_memory_equal(out + 2, pub, len);
    write_file(name, out, off);
}

static void qdata_of(const char *what, uint8_t q[32])
{
    assert_int_equal(mbedtls_sha256_ret((const uint8_t *)what, strlen(what), q, 0), 0);
}

/*
 * A quote over PCRs 8-10: its TPMS_ATTEST says what we asked (magic, type,
 * extraData, selection, PCR digest over the values tpm_pcr_read returns), and
 * tpm2_checkquote accepts the signature with the right qualifying data only.
 */
static void test_quote(void **state)
{
    static uint8_t pcrs[XENIA_NR_PCRS][32];
    uint8_t attest[XENIA_TPM_ATTEST_MAX], sig[XENIA_TPM_SIG_MAX], q[32], qbad[32];
    uint8_t cat[96], pdig[32];
    char qhex[65], qbadhex[65];
    size_t alen = 0, slen = 0, off = 0;
    TPMS_ATTEST a;
    TPMT_SIGNATURE s;

    (void)state;
    qdata_of("xenia test nonce", q);
    qdata_of("another nonce", qbad);
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, q, sizeof(q), attest, sizeof(attest),
                               &alen, sig, sizeof(sig), &slen), 0);
    assert_int_equal(tpm_pcr_read(G.tpm, XENIA_PCR_MASK, pcrs), 0);

    memset(&a, 0, sizeof(a));
    assert_int_equal(Tss2_MU_TPMS_ATTEST_Unmarshal(attest, alen, &off, &a), 0);
    assert_int_equal(off, alen);
    assert_int_equal(a.magic, TPM2_GENERATED_VALUE);
    assert_int_equal(a.type, TPM2_ST_ATTEST_QUOTE);
    assert_int_equal(a.extraData.size, 32);
    assert_memory_equal(a.extraData.buffer, q, 32);
    assert_int_equal(a.attested.quote.pcrSelect.count, 1);
    assert_int_equal(a.attested.quote.pcrSelect.pcrSelections[0].hash, TPM2_ALG_SHA256);
    assert_int_equal(a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[0], 0x00);
    assert_int_equal(a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[1], 0x07);
    assert_int_equal(a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[2], 0x00);
    memcpy(cat, pcrs[8], 32);
    memcpy(cat + 32, pcrs[9], 32);
    memcpy(cat + 64, pcrs[10], 32);
    assert_int_equal(mbedtls_sha256_ret(cat, sizeof(cat), pdig, 0), 0);
    assert_int_equal(a.attested.quote.pcrDigest.size, 32);
    assert_memory_equal(a.attested.quote.pcrDigest.buffer, pdig, 32);

    off = 0;
    memset(&s, 0, sizeof(s));
    assert_int_equal(Tss2_MU_TPMT_SIGNATURE_Unmarshal(sig, slen, &off, &s), 0);
    assert_int_equal(off, slen);
    assert_int_equal(s.sigAlg, TPM2_ALG_ECDSA);
    assert_int_equal(s.signature.ecdsa.hash, TPM2_ALG_SHA256);

    if (!G.tools)
        skip();
    write_ak_pub_file("ak.pub");
    write_file("quote.attest", attest, alen);
    write_file("quote.sig", sig, slen);
    to_hex(q, 32, qhex);
    to_hex(qbad, 32, qbadhex);
    assert_int_equal(run("tpm2_checkquote -u ak.pub -m quote.attest -s quote.sig -q %s -g sha256",
                         qhex), 0);
    assert_int_not_equal(run("tpm2_checkquote -u ak.pub -m quote.attest -s quote.sig -q %s "
                             "-g sha256", qbadhex), 0);
    attest[alen - 1] ^= 0x01;                     /* tampered pcrDigest */
    write_file("quote.bad", attest, alen);
    assert_int_not_equal(run("tpm2_checkquote -u ak.pub -m quote.bad -s quote.sig -q %s "
                             "-g sha256", qhex), 0);
}

static void test_quote_args(void **state)
{
    uint8_t attest[XENIA_TPM_ATTEST_MAX], sig[XENIA_TPM_SIG_MAX], q[65] = { 0 };
    size_t alen = 0, slen = 0, need_a, need_s;

    (void)state;
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, q, 65, attest, sizeof(attest), &alen,
                               sig, sizeof(sig), &slen), -XENIA_EINVAL);
    assert_int_equal(tpm_quote(G.tpm, 0, q, 32, attest, sizeof(attest), &alen,
                               sig, sizeof(sig), &slen), -XENIA_EINVAL);
    assert_int_equal(tpm_quote(G.tpm, 1u << 24, q, 32, attest, sizeof(attest), &alen,
                               sig, sizeof(sig), &slen), -XENIA_EINVAL);
    /* 64 bytes (the TPM2B_DATA maximum) and 0 bytes are fine */
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, q, 64, attest, sizeof(attest), &alen,
                               sig, sizeof(sig), &slen), 0);
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, NULL, 0, attest, sizeof(attest), &alen,
                               sig, sizeof(sig), &slen), 0);
    need_a = alen;
    need_s = slen;
    /* too small: -E2BIG with the needed sizes */
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, NULL, 0, attest, 10, &alen,
                               sig, sizeof(sig), &slen), -XENIA_E2BIG);
    assert_int_equal(alen, need_a);
    assert_true(slen >= need_s - 2 && slen <= need_s + 2);   /* DER-free r,s: sizes vary */
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, NULL, 0, attest, sizeof(attest), &alen,
                               sig, 4, &slen), -XENIA_E2BIG);
}

/* Parse tpm2-tools' credential file (tpm2_makecredential write_cred_and_secret):
 * be32 0xBADCC0DE, be32 version 1, be16 size + TPM2B_ID_OBJECT body,
 * be16 size + TPM2B_ENCRYPTED_SECRET body. */
static void load_cred(const char *name, uint8_t *id, size_t *idlen, uint8_t *es, size_t *eslen)
{
    uint8_t b[2048];
    size_t n = read_file(name, b, sizeof(b)), o = 8;

    assert_true(n >= 12);
    assert_int_equal((uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3],
                     0xBADCC0DEu);
    assert_int_equal((uint32_t)b[4] << 24 | (uint32_t)b[5] << 16 | (uint32_t)b[6] << 8 | b[7], 1);
    *idlen = (size_t)b[o] << 8 | b[o + 1];
    o += 2;
    assert_true(*idlen <= XENIA_TPM_IDOBJ_MAX && o + *idlen + 2 <= n);
    memcpy(id, b + o, *idlen);
    o += *idlen;
    *eslen = (size_t)b[o] << 8 | b[o + 1];
    o += 2;
    assert_true(*eslen <= XENIA_TPM_ENCSEC_MAX && o + *eslen == n);
    memcpy(es, b + o, *eslen);
}

/*
 * The EK public as tpm2-tools wants it (TPM2B_PUBLIC), built from the EK
 * certificate's RSA key and the L-1 template: exactly what a verifier holding
 * only the certificate knows. Activation succeeding proves the TPM's EK is
 * the certified key.
 */
static void write_ek_pub_from_cert(struct tpm *t, const char *name)
{
    static const uint8_t policy_a[32] = {
        0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xb3, 0xf8, 0x1a, 0x90, 0xcc, 0x8d, 0x46, 0xa5,
        0xd7, 0x24, 0xfd, 0x52, 0xd7, 0x6e, 0x06, 0x52, 0x0b, 0x64, 0xf2, 0xa1, 0xda, 0x1b,
        0x33, 0x14, 0x69, 0xaa,
    };
    static uint8_t der[XENIA_CERT_MAX];
    uint8_t out[sizeof(TPM2B_PUBLIC)], e[4];
    mbedtls_x509_crt crt;
    TPM2B_PUBLIC p;
    size_t len = 0, off = 0;

    assert_int_equal(tpm_ek_cert(t, der, sizeof(der), &len), 0);
    mbedtls_x509_crt_init(&crt);
    assert_int_equal(mbedtls_x509_crt_parse_der(&crt, der, len), 0);
    memset(&p, 0, sizeof(p));
    p.publicArea.type = TPM2_ALG_RSA;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
        TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
        TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
    p.publicArea.authPolicy.size = 32;
    memcpy(p.publicArea.authPolicy.buffer, policy_a, 32);
    p.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_AES;
    p.publicArea.parameters.rsaDetail.symmetric.keyBits.aes = 128;
    p.publicArea.parameters.rsaDetail.symmetric.mode.aes = TPM2_ALG_CFB;
    p.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    p.publicArea.parameters.rsaDetail.keyBits = 2048;
    p.publicArea.unique.rsa.size = 256;
    assert_int_equal(mbedtls_rsa_export_raw(mbedtls_pk_rsa(crt.pk), p.publicArea.unique.rsa.buffer,
                                            256, NULL, 0, NULL, 0, NULL, 0, e, sizeof(e)), 0);
    assert_int_equal((uint32_t)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3], 65537);
    mbedtls_x509_crt_free(&crt);
    assert_int_equal(Tss2_MU_TPM2B_PUBLIC_Marshal(&p, out, sizeof(out), &off), 0);
    write_file(name, out, off);
}

/* Make a credential for name with tpm2_makecredential (no TPM). */
static void make_cred(const uint8_t *name, const uint8_t *secret, size_t slen, const char *out)
{
    char hex[2 * 34 + 1];

    write_file("cred.secret", secret, slen);
    to_hex(name, 34, hex);
    assert_int_equal(run("tpm2_makecredential -T none -u ek.pub -s cred.secret -n %s -o %s",
                         hex, out), 0);
}

static void test_activate(void **state)
{
    uint8_t pub[XENIA_TPM_PUB_MAX], name[34], secret[32], got[64];
    uint8_t id[XENIA_TPM_IDOBJ_MAX], es[XENIA_TPM_ENCSEC_MAX];
    size_t idlen, eslen, glen = 0;
    int rc;

    (void)state;
    if (!G.tools)
        skip();
    ak_public_and_name(G.tpm, pub, sizeof(pub), name);
    write_ek_pub_from_cert(G.tpm, "ek.pub");
    qdata_of("the verifier's secret", secret);
    make_cred(name, secret, sizeof(secret), "cred.bin");
    load_cred("cred.bin", id, &idlen, es, &eslen);
    assert_int_equal(eslen, 256);                  /* RSA 2048 OAEP seed */

    assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got), &glen), 0);
    assert_int_equal(glen, sizeof(secret));
    assert_memory_equal(got, secret, sizeof(secret));

    /* too small an output: -E2BIG with the size */
    assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, 8, &glen), -XENIA_E2BIG);
    assert_int_equal(glen, sizeof(secret));

    /* tampered credential blob (outer HMAC, then encIdentity): integrity check */
    for (size_t at = 2; at < idlen; at += idlen - 3) {
        id[at] ^= 0x40;
        assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got), &glen),
                         -XENIA_EACCES);
        id[at] ^= 0x40;
    }
    /* tampered encrypted seed: the TPM cannot decrypt (or derives the wrong keys) */
    es[100] ^= 0x01;
    rc = tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got), &glen);
    assert_int_equal(rc, -XENIA_EACCES);
    es[100] ^= 0x01;
    /* truncated blob */
    rc = tpm_activate(G.tpm, id, idlen - 1, es, eslen, got, sizeof(got), &glen);
    assert_int_equal(rc, -XENIA_EACCES);

    /* a credential for another name (another key) is refused */
    name[5] ^= 0xff;
    make_cred(name, secret, sizeof(secret), "cred.other");
    load_cred("cred.other", id, &idlen, es, &eslen);
    assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got), &glen),
                     -XENIA_EACCES);

    /* argument checks, before any TPM command */
    assert_int_equal(tpm_activate(G.tpm, id, 0, es, eslen, got, sizeof(got), &glen),
                     -XENIA_EINVAL);
    assert_int_equal(tpm_activate(G.tpm, id, sizeof(TPM2B_ID_OBJECT), es, eslen, got,
                                  sizeof(got), &glen), -XENIA_EINVAL);
    assert_int_equal(tpm_activate(G.tpm, id, idlen, es, sizeof(TPM2B_ENCRYPTED_SECRET), got,
                                  sizeof(got), &glen), -XENIA_EINVAL);

    /* still works after all the refusals (sessions were flushed) */
    load_cred("cred.bin", id, &idlen, es, &eslen);
    assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got), &glen), 0);
    assert_memory_equal(got, secret, sizeof(secret));
}

/* Timings (median of NRUNS); the AK is replaced NRUNS times and still works. */
static void test_timings(void **state)
{
    double t[NRUNS], t0;
    uint8_t d[32] = { 0x42 }, q[32] = { 0x17 };
    uint8_t attest[XENIA_TPM_ATTEST_MAX], sig[XENIA_TPM_SIG_MAX], got[64];
    uint8_t pub[XENIA_TPM_PUB_MAX], name[34], pub2[XENIA_TPM_PUB_MAX], name2[34];
    uint8_t id[XENIA_TPM_IDOBJ_MAX], es[XENIA_TPM_ENCSEC_MAX];
    size_t alen, slen, glen, idlen = 0, eslen = 0;
    char err[256];

    (void)state;
    for (int i = 0; i < NRUNS; i++) {
        t0 = now_ms();
        assert_int_equal(tpm_extend(G.tpm, 16, d), 0);
        t[i] = now_ms() - t0;
    }
    printf("tpm: tpm_extend        median %8.3f ms (n=%d)\n", median(t, NRUNS), NRUNS);
    for (int i = 0; i < NRUNS; i++) {
        t0 = now_ms();
        assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, q, 32, attest, sizeof(attest), &alen,
                                   sig, sizeof(sig), &slen), 0);
        t[i] = now_ms() - t0;
    }
    printf("tpm: tpm_quote         median %8.3f ms (n=%d, PCRs 8-10, ECDSA P-256)\n",
           median(t, NRUNS), NRUNS);
    if (G.tools) {
        ak_public_and_name(G.tpm, pub, sizeof(pub), name);
        write_ek_pub_from_cert(G.tpm, "ek.pub");
        make_cred(name, q, sizeof(q), "cred.t");
        load_cred("cred.t", id, &idlen, es, &eslen);
        for (int i = 0; i < NRUNS; i++) {
            t0 = now_ms();
            assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got),
                                          &glen), 0);
            t[i] = now_ms() - t0;
        }
        printf("tpm: tpm_activate      median %8.3f ms (n=%d)\n", median(t, NRUNS), NRUNS);
    }
    ak_public_and_name(G.tpm, pub, sizeof(pub), name);
    for (int i = 0; i < NRUNS; i++) {
        t0 = now_ms();
        assert_int_equal(tpm_ak_setup(G.tpm, err, sizeof(err)), 0);
        t[i] = now_ms() - t0;
    }
    printf("tpm: tpm_ak_setup      median %8.3f ms (n=%d, Create+Load P-256 under the EK)\n",
           median(t, NRUNS), NRUNS);
    /* a new AK, and the old credential no longer activates (bound to the old name) */
    ak_public_and_name(G.tpm, pub2, sizeof(pub2), name2);
    assert_memory_not_equal(name, name2, 34);
    if (G.tools)
        assert_int_equal(tpm_activate(G.tpm, id, idlen, es, eslen, got, sizeof(got), &glen),
                         -XENIA_EACCES);
    assert_int_equal(tpm_quote(G.tpm, XENIA_PCR_MASK, q, 32, attest, sizeof(attest), &alen,
                               sig, sizeof(sig), &slen), 0);
}

/*
 * Stop and restart in the same run directory: the child is gone after
 * swtpm_stop; the state (EK, its certificate) survives; PCRs are reset.
 * Also: fresh start-up times, and PR_SET_PDEATHSIG (swtpm dies with the
 * process that started it).
 */
static void test_restart_and_pdeathsig(void **state)
{
    static uint8_t der1[XENIA_CERT_MAX], der2[XENIA_CERT_MAX], pcrs[XENIA_NR_PCRS][32];
    uint8_t zero[32] = { 0 };
    size_t len1 = 0, len2 = 0;
    double t[NRUNS], tf[NFRESH], t0;
    char err[512], sub[128];
    pid_t pid;
    int fds[2], st;

    (void)state;
    assert_int_equal(tpm_ek_cert(G.tpm, der1, sizeof(der1), &len1), 0);
    tpm_close(G.tpm);
    G.tpm = NULL;
    pid = G.sw.pid;
    swtpm_stop(&G.sw);
    assert_int_equal(G.sw.pid, 0);
    assert_int_equal(kill(pid, 0), -1);
    assert_int_equal(errno, ESRCH);

    for (int i = 0; i < NRUNS; i++) {
        t0 = now_ms();
        assert_int_equal(swtpm_start(G.dir, &G.sw, err, sizeof(err)), 0);
        t[i] = now_ms() - t0;
        swtpm_stop(&G.sw);
    }
    assert_int_equal(swtpm_start(G.dir, &G.sw, err, sizeof(err)), 0);
    assert_int_equal(tpm_open(G.sw.tcti, &G.tpm, err, sizeof(err)), 0);
    assert_int_equal(tpm_pcr_read(G.tpm, XENIA_PCR_MASK, pcrs), 0);
    assert_memory_equal(pcrs[8], zero, 32);      /* startup-clear: extends are gone */
    assert_memory_equal(pcrs[9], zero, 32);
    assert_int_equal(tpm_ek_cert(G.tpm, der2, sizeof(der2), &len2), 0);
    assert_int_equal(len1, len2);                /* same manufactured TPM */
    assert_memory_equal(der1, der2, len1);
    assert_int_equal(tpm_ak_setup(G.tpm, err, sizeof(err)), 0);

    for (int i = 0; i < NFRESH; i++) {
        struct swtpm s;

        snprintf(sub, sizeof(sub), "%s/fresh%d", G.dir, i);
        t0 = now_ms();
        assert_int_equal(swtpm_start(sub, &s, err, sizeof(err)), 0);
        tf[i] = now_ms() - t0;
        swtpm_stop(&s);
    }
    printf("tpm: swtpm_start fresh median %8.1f ms (n=%d; first run %.1f ms; includes "
           "swtpm_setup)\n", median(tf, NFRESH), NFRESH, G.fresh_ms);
    printf("tpm: swtpm_start existing state median %8.1f ms (n=%d)\n", median(t, NRUNS), NRUNS);

    /* PR_SET_PDEATHSIG: a child process starts swtpm and exits without stopping it. */
    assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    assert_int_equal(pipe(fds), 0);
    snprintf(sub, sizeof(sub), "%s/fresh0", G.dir);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct swtpm s;
        pid_t sp = 0;

        if (swtpm_start(sub, &s, err, sizeof(err)) == 0)
            sp = s.pid;
        if (write(fds[1], &sp, sizeof(sp)) != sizeof(sp))
            _exit(2);
        _exit(0);
    }
    close(fds[1]);
    pid_t sp = 0;
    assert_int_equal(read(fds[0], &sp, sizeof(sp)), sizeof(sp));
    close(fds[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(sp > 0);
    /* the orphaned swtpm is re-parented to us (subreaper); it must die soon */
    double deadline = now_ms() + 3000;
    pid_t r = 0;
    while ((r = waitpid(sp, &st, WNOHANG)) == 0 && now_ms() < deadline)
        usleep(5000);
    if (r == 0) {
        kill(sp, SIGKILL);
        waitpid(sp, &st, 0);
    }
    assert_int_equal(r, sp);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

/*
 * Without the persistent EK, tpm_ak_setup recreates it with CreatePrimary and
 * template L-1: the same endorsement seed and template give the same key, so
 * a credential made for the certified EK still activates.
 */
static void test_ek_recreated(void **state)
{
    uint8_t pub[XENIA_TPM_PUB_MAX], name[34], secret[32], got[64];
    uint8_t id[XENIA_TPM_IDOBJ_MAX], es[XENIA_TPM_ENCSEC_MAX];
    size_t idlen, eslen, glen = 0;
    struct swtpm s;
    struct tpm *t = NULL;
    char err[512], sub[128];

    (void)state;
    if (!G.tools || !has_exe("tpm2_evictcontrol"))
        skip();
    snprintf(sub, sizeof(sub), "%s/fresh1", G.dir);
    assert_int_equal(swtpm_start(sub, &s, err, sizeof(err)), 0);
    /* swtpm_setup made the EK persistent in the owner hierarchy (empty auth) */
    assert_int_equal(run("TPM2TOOLS_TCTI='%s' tpm2_evictcontrol -C o -c 0x81010001", s.tcti), 0);
    assert_int_equal(tpm_open(s.tcti, &t, err, sizeof(err)), 0);
    assert_int_equal(tpm_ak_setup(t, err, sizeof(err)), 0);
    ak_public_and_name(t, pub, sizeof(pub), name);
    write_ek_pub_from_cert(t, "ek1.pub");
    qdata_of("secret for a recreated EK", secret);
    write_file("cred.secret", secret, sizeof(secret));
    char hex[69];
    to_hex(name, 34, hex);
    assert_int_equal(run("tpm2_makecredential -T none -u ek1.pub -s cred.secret -n %s -o cred1",
                         hex), 0);
    load_cred("cred1", id, &idlen, es, &eslen);
    assert_int_equal(tpm_activate(t, id, idlen, es, eslen, got, sizeof(got), &glen), 0);
    assert_int_equal(glen, sizeof(secret));
    assert_memory_equal(got, secret, sizeof(secret));
    tpm_close(t);
    swtpm_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swtpm_start_errors),
        cmocka_unit_test(test_pcr_extend_read),
        cmocka_unit_test(test_pcr_read_all_and_bounds),
        cmocka_unit_test(test_ek_cert),
        cmocka_unit_test(test_ak_public),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_quote_args),
        cmocka_unit_test(test_activate),
        cmocka_unit_test(test_timings),
        cmocka_unit_test(test_restart_and_pdeathsig),
        cmocka_unit_test(test_ek_recreated),
    };

    if (!has_exe("swtpm") || !has_exe("swtpm_setup") || !has_exe("swtpm_localca")) {
        printf("test_tpm: SKIP: swtpm / swtpm_setup not installed "
               "(apt-get install swtpm swtpm-tools)\n");
        return 0;
    }
    /* tpm2-tools must never reach a TPM here: they run with -T none or need none */
    unsetenv("TPM2TOOLS_TCTI");
    unsetenv("TPM2TOOLS_TCTI_NAME");
    unsetenv("TPM2TOOLS_DEVICE_FILE");
    unsetenv("TPM2TOOLS_ENABLE_ERRATA");
    setvbuf(stdout, NULL, _IOLBF, 0);
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
