/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of attest/xvcrypto.c, the verifier's mbedTLS cryptography.
 *
 * Pure tests: KDFa against the TCG reference implementation's self-test vector
 * and OpenSSL's SP 800-108 KBKDF; MakeCredential undone in software with a test
 * RSA key; ECDSA P-256 with mbedTLS-made signatures; the TLS 1.2 exporter
 * against OpenSSL's TLS1-PRF; the qualifying data; argument checks.
 *
 * Real-TPM tests (tests/attest/xvcrypto_tpm.sh drives swtpm and tpm2-tools;
 * skipped when they are missing): the swtpm EK certificate chain, credential
 * activation by the TPM of blobs we make, and the AK's quote signature. They
 * also print the per-call cost (median of 100) of the three verifier calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <mbedtls/aes.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/pk.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>

#include "xenia/abi.h"
#include "attest/xvcrypto.h"

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static int rng(void *p, unsigned char *out, size_t len)
{
    return mbedtls_ctr_drbg_random(p, out, len);
}

static int failing_rng(void *p, unsigned char *out, size_t len)
{
    (void)p;
    memset(out, 0xA5, len);
    return -1;
}

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
    size_t n = strlen(h) / 2, i;
    unsigned v;

    assert_true(n <= cap);
    for (i = 0; i < n; i++) {
        assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void fill(uint8_t *p, size_t n, uint8_t first)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(first + i);
}

static int group_setup(void **state)
{
    (void)state;
    mbedtls_entropy_init(&entropy);
    mbedtls_ctr_drbg_init(&drbg);
    return mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
                                 (const unsigned char *)"xvcrypto-test", 13);
}

static int group_teardown(void **state)
{
    (void)state;
    mbedtls_ctr_drbg_free(&drbg);
    mbedtls_entropy_free(&entropy);
    return 0;
}

/* ------------------------------------------------------------------------- */
/* KDFa                                                                      */
/* ------------------------------------------------------------------------- */

/*
 * Known answer from the TCG TPM 2.0 reference implementation's self-test data,
 * KdfTestData.h (Ken Goldman, IBM; as shipped in libtpms src/tpm2/KdfTestData.h):
 * c_kdfTestKeyIn, c_kdfTestLabel "KDFSELFTESTLABEL\0", c_kdfTestContextU/V,
 * 160 bits, the ALG_SHA256 c_kdfTestKeyOut. OpenSSL 3 agrees:
 *   openssl kdf -keylen 20 -kdfopt mac:HMAC -kdfopt digest:SHA256
 *     -kdfopt hexkey:271FA0...DA0C -kdfopt hexsalt:<label hex>
 *     -kdfopt hexinfo:<ctxU||ctxV hex> KBKDF
 */
static void test_kdfa_tcg_vector(void **state)
{
    static const uint8_t key[20] = {
        0x27, 0x1F, 0xA0, 0x8B, 0xBD, 0xC5, 0x06, 0x0E, 0xC3, 0xDF,
        0xA9, 0x28, 0xFF, 0x9B, 0x73, 0x12, 0x3A, 0x12, 0xDA, 0x0C };
    static const uint8_t u[8] = { 0xCE, 0x24, 0x4F, 0x39, 0x5D, 0xCA, 0x73, 0x91 };
    static const uint8_t v[8] = { 0xDA, 0x50, 0x40, 0x31, 0xDD, 0xF1, 0x2E, 0x83 };
    static const uint8_t expect[20] = {
        0xbb, 0x02, 0x59, 0xe1, 0xc8, 0xba, 0x60, 0x7e, 0x6a, 0x2c,
        0xd7, 0x04, 0xb6, 0x9a, 0x90, 0x2e, 0x9a, 0xde, 0x84, 0xc4 };
    uint8_t out[20];

    (void)state;
    assert_int_equal(xv_kdfa_sha256(key, sizeof(key), "KDFSELFTESTLABEL", u, sizeof(u),
                                    v, sizeof(v), 160, out, sizeof(out)), 0);
    assert_memory_equal(out, expect, sizeof(expect));
}

/*
 * The two derivations MakeCredential uses, with values computed by OpenSSL 3.0
 * (SP 800-108 counter mode = KDFa: 32-bit counter, label, 0x00 separator,
 * context, 32-bit L), key = 00 01 .. 1f:
 *   STORAGE, context = name 000b 40 41 .. 5f, 128 bits:
 *     openssl kdf -keylen 16 -kdfopt mac:HMAC -kdfopt digest:SHA256 -kdfopt hexkey:$K
 *       -kdfopt hexsalt:53544f52414745 -kdfopt hexinfo:$NAME KBKDF
 *   INTEGRITY, no context, 640 bits (three HMAC blocks):
 *     openssl kdf -keylen 80 ... -kdfopt hexsalt:494e544547524954 59 KBKDF
 */
static void test_kdfa_openssl_vectors(void **state)
{
    uint8_t key[32], name[34], out[80], expect[80];

    (void)state;
    fill(key, sizeof(key), 0x00);
    name[0] = 0x00;
    name[1] = 0x0b;
    fill(name + 2, 32, 0x40);
    assert_int_equal(xv_kdfa_sha256(key, sizeof(key), "STORAGE", name, sizeof(name), NULL, 0,
                                    128, out, 16), 0);
    unhex("7a58c2079bee13e00ed160d657aecaef", expect, sizeof(expect));
    assert_memory_equal(out, expect, 16);

    assert_int_equal(xv_kdfa_sha256(key, sizeof(key), "INTEGRITY", NULL, 0, NULL, 0,
                                    640, out, sizeof(out)), 0);
    unhex("badc317b72d5f821130c21d0abf4db80a664ed23812e84bab1c6ec63b4dccff9"
          "0df088530ab7f79fb1f218de974eaa9cf30eabb572f2825210eddb2b3bf735a6"
          "5fe7bcc030bd01b33ce925a9bbee675f", expect, sizeof(expect));
    assert_memory_equal(out, expect, 80);
}

static void test_kdfa_args(void **state)
{
    uint8_t key[32] = { 1 }, out[64], a[2], b[2];
    char longlabel[XV_LABEL_MAX + 2];

    (void)state;
    memset(longlabel, 'L', sizeof(longlabel) - 1);
    longlabel[sizeof(longlabel) - 1] = '\0';
    assert_int_equal(xv_kdfa_sha256(NULL, 32, "A", NULL, 0, NULL, 0, 8, out, 1), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 0, "A", NULL, 0, NULL, 0, 8, out, 1), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, NULL, NULL, 0, NULL, 0, 8, out, 1), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, "", NULL, 0, NULL, 0, 8, out, 1), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, longlabel, NULL, 0, NULL, 0, 8, out, 1),
                     -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, "A", NULL, 1, NULL, 0, 8, out, 1), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, "A", NULL, 0, NULL, 0, 0, out, 1), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, "A", NULL, 0, NULL, 0, XV_KDFA_MAX * 8 + 1,
                                    out, sizeof(out)), -XENIA_EINVAL);
    assert_int_equal(xv_kdfa_sha256(key, 32, "A", NULL, 0, NULL, 0, 9, out, 1), -XENIA_E2BIG);
    /* 13 bits: 2 bytes, the top 3 bits of the first cleared (Part 1 §11.4.10.2). */
    for (int i = 0; i < 16; i++) {
        key[1] = (uint8_t)i;
        assert_int_equal(xv_kdfa_sha256(key, 32, "A", NULL, 0, NULL, 0, 13, a, 2), 0);
        assert_int_equal(a[0] & 0xE0, 0);
    }
    /* Label and context are both inputs. */
    assert_int_equal(xv_kdfa_sha256(key, 32, "A", NULL, 0, NULL, 0, 16, a, 2), 0);
    assert_int_equal(xv_kdfa_sha256(key, 32, "B", NULL, 0, NULL, 0, 16, b, 2), 0);
    assert_memory_not_equal(a, b, 2);
    assert_int_equal(xv_kdfa_sha256(key, 32, "A", key, 1, NULL, 0, 16, b, 2), 0);
    assert_memory_not_equal(a, b, 2);
}

/* ------------------------------------------------------------------------- */
/* MakeCredential, undone in software with a private key                     */
/* ------------------------------------------------------------------------- */

/* A throw-away RSA 2048 key (openssl genpkey -algorithm RSA), for tests only. */
static const char test_rsa_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDHY+as+7qHRuv9\n"
    "elSK5e8QC/mfeB5eBk4rB0DAPAJQqlFfU+ikAJ+XtDu7/dkIhPnKhJtHjIIZJMzI\n"
    "Q1aaL8J/UiqA0fyXLRN//X+0wP0ncx5DUZgvZFbWdkErUnNYMbGm1CT40IqbBBcd\n"
    "fmCqhqWslJIPI/+G2H66nYbcQ8Maq3B3u8lZuGk3uE/8UKLirH7qjSBK5UoQnnFR\n"
    "IE/IoUTgP9TksDqKSGEThkmtSCCakF2BBKBQSUZRg3J0NBwxG5MFSbtY4vliHyxa\n"
    "h4+r92ktu9H4CPyqO0aQcNjkf5mpjWWzNcHgVFhSLVTb5JhRRvlt0db1yXM4ykUB\n"
    "vdVCDUHJAgMBAAECggEABcJf9l0rDR9CT8cJzB1KI3eFFVMd5W9fMKT7/NF+65+P\n"
    "zCYbUSlncrVVCGATtchJgs0DwzROybUjaSFwzfFVN+JCsgfeuOsnZgoHd0wfw9Ty\n"
    "adVghPXsADPYPA0coc6FqCD2lG1Jo6KhnEt7NVHAVVTRRzit99InDvLf41rdttZx\n"
    "z0Qf1breyCJOfg03oJLz774s8ruwJ+xwBaAJz5mKF0/zyYMHaFYPJ09egJmURhGn\n"
    "/iLUEh/famYGmAfkMmjyWNYaVsQgOeOwzPqtCavEmoabMWA0g4Vc9olPXrACQmjU\n"
    "vbIAAZ6tcvV4EAwlQzvRoDoQiJveDc8SM23aUuvjEQKBgQDswCBNcSYetb3UUC7U\n"
    "PIgS2vUrkq0tJDaNQbLPTL5jLHnGlvXg8PgoSrPdH6GCdQL49sMS/9LzWu45FyGp\n"
    "BX7uMwi2rHL6bS7J42D9WbvDNRnqc8X7Msr7AtznaF3mSLgHXeEuUbzNpJc9Oi78\n"
    "s0g1EqiVWkghIdJiBAbEnxacFQKBgQDXmiKR+LRNE51bTYG7eU0PD3F0qhGWAujp\n"
    "mK7ljbCdsvTVcS80OYD5twkVmfI7M8Lv/tpW9MfMO348MiMNkWyrEktoXAuEbobO\n"
    "1VhV9Z+MxxunautAyypyyOi/lV6QS7l9Xb/+TxMAhFnGSRouS8LgepPamjva/cw0\n"
    "Vb7xKEbX5QKBgQCK3t+TzW0Y0m45HZd6cs82kC0DlBP0yKsfDIyAQHnk3m/H50Du\n"
    "4yoNKFR8vlMUnOJTextOB7WLfakC3+ikpk6gFltkG5+N+YFadv+rXHlgtcMv3R0i\n"
    "jda2iiVdr8B0le8skwrFCrj+vy7fgUOSgu82Am3UvZJVrOslB0uZBeBTSQKBgH+4\n"
    "59Hhq64deJKmD7yn12acl3Gtbk2X27LGqJWEoqRJZ5EqQ/SEPEuyiscpM76uo0TZ\n"
    "jS8GQ3ZRqC6w5OMcy2tsow9nt8r0TxgoevQxVhtnuJItXMA9mx/0tS0Jp8ODmJcT\n"
    "+rEE1xTvUt+MXt4eM4wYEY7m356Ty20VftAONCmhAoGAYT/HLW9xr06jhDmWina8\n"
    "uKQ25UikYtM3J3408naGIWdAzrAYJC5XQtIC/2VtUo3XQ5UZs9/+sw2bsU1M2u4m\n"
    "Eoo9gmddPFsg/h5ibAeYsy5KsZYXfqMD9UkKNc0XZKnP7x2yxU5Yopi64Uv3vo4O\n"
    "zvFVdYwjq3U/Zk4mVkfdPM0=\n"
    "-----END PRIVATE KEY-----\n";

/*
 * The TPM's ActivateCredential (TPM 2.0 Part 3 §12.5, Part 1 §24) in software:
 * returns the secret's length, or -1 when the blob does not check.
 */
static int soft_activate(mbedtls_pk_context *priv, const uint8_t *name, size_t name_len,
                         const uint8_t *idobj, size_t idlen, const uint8_t *encsec,
                         size_t enclen, uint8_t *secret, size_t cap)
{
    mbedtls_rsa_context *rsa = mbedtls_pk_rsa(*priv);
    uint8_t seed[64], symkey[16], hmackey[32], mac[32], iv[16] = { 0 }, plain[64];
    size_t seedlen = 0, off = 0, elen, slen;
    mbedtls_aes_context aes;

    if (enclen != 256 || idlen < 36 || idlen - 34 > sizeof(plain))
        return -1;
    mbedtls_rsa_set_padding(rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    if (mbedtls_rsa_rsaes_oaep_decrypt(rsa, rng, &drbg, MBEDTLS_RSA_PRIVATE,
                                       (const unsigned char *)"IDENTITY", 9, &seedlen,
                                       encsec, seed, sizeof(seed)) != 0 || seedlen != 32)
        return -1;
    if (idobj[0] != 0 || idobj[1] != 32)
        return -1;
    elen = idlen - 34;
    assert_int_equal(xv_kdfa_sha256(seed, 32, "INTEGRITY", NULL, 0, NULL, 0, 256,
                                    hmackey, 32), 0);
    {
        mbedtls_md_context_t md;
        mbedtls_md_init(&md);
        assert_int_equal(mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1), 0);
        assert_int_equal(mbedtls_md_hmac_starts(&md, hmackey, 32), 0);
        assert_int_equal(mbedtls_md_hmac_update(&md, idobj + 34, elen), 0);
        assert_int_equal(mbedtls_md_hmac_update(&md, name, name_len), 0);
        assert_int_equal(mbedtls_md_hmac_finish(&md, mac), 0);
        mbedtls_md_free(&md);
    }
    if (memcmp(mac, idobj + 2, 32) != 0)
        return -1;
    assert_int_equal(xv_kdfa_sha256(seed, 32, "STORAGE", name, name_len, NULL, 0, 128,
                                    symkey, 16), 0);
    mbedtls_aes_init(&aes);
    assert_int_equal(mbedtls_aes_setkey_enc(&aes, symkey, 128), 0);
    assert_int_equal(mbedtls_aes_crypt_cfb128(&aes, MBEDTLS_AES_DECRYPT, elen, &off, iv,
                                              idobj + 34, plain), 0);
    mbedtls_aes_free(&aes);
    slen = ((size_t)plain[0] << 8) | plain[1];
    if (slen + 2 != elen || slen > cap)
        return -1;
    memcpy(secret, plain + 2, slen);
    return (int)slen;
}

static void load_test_key(mbedtls_pk_context *priv, mbedtls_pk_context *pub)
{
    uint8_t der[1024];
    int n;

    mbedtls_pk_init(priv);
    mbedtls_pk_init(pub);
    assert_int_equal(mbedtls_pk_parse_key(priv, (const unsigned char *)test_rsa_pem,
                                          sizeof(test_rsa_pem), NULL, 0), 0);
    n = mbedtls_pk_write_pubkey_der(priv, der, sizeof(der));
    assert_true(n > 0);
    assert_int_equal(mbedtls_pk_parse_public_key(pub, der + sizeof(der) - n, (size_t)n), 0);
}

static void test_make_credential_soft(void **state)
{
    mbedtls_pk_context priv, pub;
    uint8_t name[34], secret[32], got[64], idobj[128], idobj2[128], encsec[256], encsec2[256];
    size_t idlen, enclen, idlen2, enclen2, n;

    (void)state;
    load_test_key(&priv, &pub);
    name[0] = 0x00;
    name[1] = 0x0b;
    fill(name + 2, 32, 0x70);
    fill(secret, sizeof(secret), 0x90);

    for (n = 1; n <= XV_SECRET_MAX; n += 31) {
        assert_int_equal(xv_make_credential(&pub, name, sizeof(name), secret, n, rng, &drbg,
                                            idobj, sizeof(idobj), &idlen,
                                            encsec, sizeof(encsec), &enclen), 0);
        assert_int_equal(idlen, XV_IDOBJ_LEN(n));
        assert_int_equal(enclen, XV_ENCSEC_LEN);
        assert_int_equal(soft_activate(&priv, name, sizeof(name), idobj, idlen, encsec, enclen,
                                       got, sizeof(got)), (int)n);
        assert_memory_equal(got, secret, n);
    }
    /* A fresh seed every time. */
    assert_int_equal(xv_make_credential(&pub, name, sizeof(name), secret, 32, rng, &drbg,
                                        idobj2, sizeof(idobj2), &idlen2,
                                        encsec2, sizeof(encsec2), &enclen2), 0);
    assert_memory_not_equal(idobj, idobj2, idlen);
    assert_memory_not_equal(encsec, encsec2, enclen);
    /* Bound to the name: another name does not check. */
    name[33] ^= 1;
    assert_int_equal(soft_activate(&priv, name, sizeof(name), idobj, idlen, encsec, enclen,
                                   got, sizeof(got)), -1);
    name[33] ^= 1;
    /* Any flipped byte of the blob is caught. */
    for (size_t i = 0; i < idlen; i += 7) {
        idobj[i] ^= 0x40;
        assert_int_equal(soft_activate(&priv, name, sizeof(name), idobj, idlen, encsec, enclen,
                                       got, sizeof(got)), -1);
        idobj[i] ^= 0x40;
    }
    mbedtls_pk_free(&priv);
    mbedtls_pk_free(&pub);
}

static void test_make_credential_args(void **state)
{
    mbedtls_pk_context priv, pub, ec;
    uint8_t name[66], secret[33] = { 1 }, idobj[128], encsec[256];
    size_t idlen = 99, enclen = 99;

    (void)state;
    load_test_key(&priv, &pub);
    memset(name, 0x11, sizeof(name));
    name[0] = 0x00;
    name[1] = 0x0b;
#define MC(k, nm, nl, sl, f, ic, ec_) \
    xv_make_credential(k, nm, nl, secret, sl, f, &drbg, idobj, ic, &idlen, encsec, ec_, &enclen)
    assert_int_equal(MC(&pub, name, 34, 16, rng, sizeof(idobj), sizeof(encsec)), 0);
    assert_int_equal(MC(NULL, name, 34, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    assert_int_equal(MC(&pub, NULL, 34, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    assert_int_equal(MC(&pub, name, 34, 16, NULL, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    /* Name: SHA-256 needs 34 bytes; SHA-1 22, SHA-384 50, SHA-512 66; others refused. */
    assert_int_equal(MC(&pub, name, 33, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    assert_int_equal(MC(&pub, name, 35, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    name[1] = 0x0d;
    assert_int_equal(MC(&pub, name, 66, 16, rng, sizeof(idobj), sizeof(encsec)), 0);
    name[1] = 0x04;
    assert_int_equal(MC(&pub, name, 22, 16, rng, sizeof(idobj), sizeof(encsec)), 0);
    name[1] = 0x0e;
    assert_int_equal(MC(&pub, name, 34, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    name[1] = 0x0b;
    assert_int_equal(MC(&pub, name, 1, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    /* Secret: 1..32 bytes. */
    assert_int_equal(MC(&pub, name, 34, 0, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    assert_int_equal(MC(&pub, name, 34, 33, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    /* Room: sizes needed are reported, nothing written. */
    memset(idobj, 0xEE, sizeof(idobj));
    assert_int_equal(MC(&pub, name, 34, 16, rng, XV_IDOBJ_LEN(16) - 1, sizeof(encsec)),
                     -XENIA_E2BIG);
    assert_int_equal(idlen, XV_IDOBJ_LEN(16));
    assert_int_equal(enclen, 256);
    assert_int_equal(idobj[0], 0xEE);
    assert_int_equal(MC(&pub, name, 34, 16, rng, sizeof(idobj), 255), -XENIA_E2BIG);
    /* A failing RNG: -EIO, outputs wiped. */
    assert_int_equal(MC(&pub, name, 34, 16, failing_rng, sizeof(idobj), sizeof(encsec)),
                     -XENIA_EIO);
    assert_int_equal(idlen, 0);
    assert_int_equal(enclen, 0);
    /* Not an RSA 2048 key: an EC key, an empty context, the private key is fine. */
    mbedtls_pk_init(&ec);
    assert_int_equal(MC(&ec, name, 34, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    assert_int_equal(mbedtls_pk_setup(&ec, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), 0);
    assert_int_equal(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(ec), rng, &drbg),
                     0);
    assert_int_equal(MC(&ec, name, 34, 16, rng, sizeof(idobj), sizeof(encsec)), -XENIA_EINVAL);
    assert_int_equal(MC(&priv, name, 34, 16, rng, sizeof(idobj), sizeof(encsec)), 0);
#undef MC
    mbedtls_pk_free(&ec);
    mbedtls_pk_free(&priv);
    mbedtls_pk_free(&pub);
}

/* ------------------------------------------------------------------------- */
/* ECDSA P-256                                                               */
/* ------------------------------------------------------------------------- */

static void test_ecdsa_soft(void **state)
{
    mbedtls_ecdsa_context k;
    mbedtls_mpi r, s;
    uint8_t x[32], y[32], rb[32], sb[32], msg[100], hash[32], bad[32];
    const uint8_t *rp;
    size_t rl;

    (void)state;
    mbedtls_ecdsa_init(&k);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    assert_int_equal(mbedtls_ecdsa_genkey(&k, MBEDTLS_ECP_DP_SECP256R1, rng, &drbg), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&k.Q.X, x, 32), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&k.Q.Y, y, 32), 0);
    fill(msg, sizeof(msg), 3);
    assert_int_equal(mbedtls_sha256_ret(msg, sizeof(msg), hash, 0), 0);
    assert_int_equal(mbedtls_ecdsa_sign(&k.grp, &r, &s, &k.d, hash, 32, rng, &drbg), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&r, rb, 32), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&s, sb, 32), 0);

    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 32, sb, 32), 0);
    /* Leading zero bytes may be stripped (a TPM2B may be shorter). */
    for (rp = rb, rl = 32; rl > 1 && *rp == 0; rp++, rl--)
        ;
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rp, rl, sb, 32), 0);
    msg[50] ^= 1;
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 32, sb, 32), -XENIA_EACCES);
    msg[50] ^= 1;
    rb[31] ^= 1;
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 32, sb, 32), -XENIA_EACCES);
    rb[31] ^= 1;
    sb[0] ^= 0x80;
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 32, sb, 32), -XENIA_EACCES);
    sb[0] ^= 0x80;
    /* r = 0 and r = n are out of range; s = r swapped fails. */
    memset(bad, 0, sizeof(bad));
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), bad, 32, sb, 32), -XENIA_EACCES);
    assert_int_equal(mbedtls_mpi_write_binary(&k.grp.N, bad, 32), 0);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), bad, 32, sb, 32), -XENIA_EACCES);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), sb, 32, rb, 32), -XENIA_EACCES);
    /* Another key. */
    assert_int_equal(xv_ecdsa_p256_verify(y, x, msg, sizeof(msg), rb, 32, sb, 32), -XENIA_EINVAL);
    y[31] ^= 1;
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 32, sb, 32), -XENIA_EINVAL);
    y[31] ^= 1;
    memset(bad, 0, sizeof(bad));
    assert_int_equal(xv_ecdsa_p256_verify(bad, bad, msg, sizeof(msg), rb, 32, sb, 32),
                     -XENIA_EINVAL);
    memset(bad, 0xFF, sizeof(bad));
    assert_int_equal(xv_ecdsa_p256_verify(bad, y, msg, sizeof(msg), rb, 32, sb, 32),
                     -XENIA_EINVAL);
    /* Lengths and pointers. */
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 0, sb, 32), -XENIA_EINVAL);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 33, sb, 32), -XENIA_EINVAL);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, sizeof(msg), rb, 32, sb, 33), -XENIA_EINVAL);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, NULL, 1, rb, 32, sb, 32), -XENIA_EINVAL);
    assert_int_equal(xv_ecdsa_p256_verify(NULL, y, msg, 1, rb, 32, sb, 32), -XENIA_EINVAL);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, 1, NULL, 32, sb, 32), -XENIA_EINVAL);
    /* The empty message is a message. */
    assert_int_equal(mbedtls_sha256_ret(msg, 0, hash, 0), 0);
    assert_int_equal(mbedtls_ecdsa_sign(&k.grp, &r, &s, &k.d, hash, 32, rng, &drbg), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&r, rb, 32), 0);
    assert_int_equal(mbedtls_mpi_write_binary(&s, sb, 32), 0);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, NULL, 0, rb, 32, sb, 32), 0);
    assert_int_equal(xv_ecdsa_p256_verify(x, y, msg, 1, rb, 32, sb, 32), -XENIA_EACCES);

    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecdsa_free(&k);
}

/* ------------------------------------------------------------------------- */
/* TLS exporter, qualifying data                                             */
/* ------------------------------------------------------------------------- */

/*
 * mbedtls_ssl_tls_prf itself against the TLS 1.2 PRF (SHA-256) test vector
 * posted to the IETF TLS working group list (secret 9bbe..db35, seed a0ba..198c,
 * label "test label", 100 bytes); OpenSSL 3's `openssl kdf ... TLS1-PRF` gives
 * the same bytes.
 */
static void test_tls_prf_vector(void **state)
{
    uint8_t secret[16], seed[16], out[100], expect[100];

    (void)state;
    unhex("9bbe436ba940f017b17652849a71db35", secret, sizeof(secret));
    unhex("a0ba9f936cda311827a6f796ffd5198c", seed, sizeof(seed));
    unhex("e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
          "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
          "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
          "87347b66", expect, sizeof(expect));
    assert_int_equal(mbedtls_ssl_tls_prf(MBEDTLS_SSL_TLS_PRF_SHA256, secret, 16, "test label",
                                         seed, 16, out, sizeof(out)), 0);
    assert_memory_equal(out, expect, sizeof(expect));
}

/*
 * The exporter with Xenia's label: master 80..af, client_random b0..cf,
 * server_random d0..ef; expected bytes from OpenSSL 3:
 *   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexsecret:$M
 *     -kdfopt hexseed:<label hex>$CR$SR TLS1-PRF   (and digest:SHA384)
 */
static void test_tls_exporter(void **state)
{
    uint8_t m[48], cr[32], sr[32], out[32], out2[32], expect[32], direct[32], rnd[64];

    (void)state;
    fill(m, 48, 0x80);
    fill(cr, 32, 0xb0);
    fill(sr, 32, 0xd0);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr,
                                     XENIA_ATT_EXPORTER_LABEL, out, 32), 0);
    unhex("3159ff298e0dd19b319f97a12e869bc045c9a6f15a8b9c923a1220ce144b11db", expect, 32);
    assert_memory_equal(out, expect, 32);
    memcpy(rnd, cr, 32);
    memcpy(rnd + 32, sr, 32);
    assert_int_equal(mbedtls_ssl_tls_prf(MBEDTLS_SSL_TLS_PRF_SHA256, m, 48,
                                         XENIA_ATT_EXPORTER_LABEL, rnd, 64, direct, 32), 0);
    assert_memory_equal(out, direct, 32);

    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA384, m, cr, sr,
                                     XENIA_ATT_EXPORTER_LABEL, out2, 32), 0);
    unhex("1b00a257910c53309381652f3eeef4bb2bca94711d5851a51efe620a2af1a672", expect, 32);
    assert_memory_equal(out2, expect, 32);

    /* Label, each random, their order and the master all change the output. */
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr, "EXPORTER-other",
                                     out2, 32), 0);
    assert_memory_not_equal(out, out2, 32);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, sr, cr,
                                     XENIA_ATT_EXPORTER_LABEL, out2, 32), 0);
    assert_memory_not_equal(out, out2, 32);
    cr[5] ^= 1;
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr,
                                     XENIA_ATT_EXPORTER_LABEL, out2, 32), 0);
    assert_memory_not_equal(out, out2, 32);
    cr[5] ^= 1;
    m[47] ^= 1;
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr,
                                     XENIA_ATT_EXPORTER_LABEL, out2, 32), 0);
    assert_memory_not_equal(out, out2, 32);
    m[47] ^= 1;
    /* A shorter output is a prefix (PRF stream). */
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr,
                                     XENIA_ATT_EXPORTER_LABEL, out2, 7), 0);
    assert_memory_equal(out, out2, 7);

    /* Only the TLS 1.2 PRFs; sane label and lengths. */
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_TLS1, m, cr, sr, "L", out2, 32),
                     -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SSL3, m, cr, sr, "L", out2, 32),
                     -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_NONE, m, cr, sr, "L", out2, 32),
                     -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(99, m, cr, sr, "L", out2, 32), -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr, "", out2, 32),
                     -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr, NULL, out2, 32),
                     -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr, "L", out2, 0),
                     -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, m, cr, sr, "L", out2,
                                     XV_EXPORTER_MAX + 1), -XENIA_EINVAL);
    assert_int_equal(xv_tls_exporter(MBEDTLS_SSL_TLS_PRF_SHA256, NULL, cr, sr, "L", out2, 32),
                     -XENIA_EINVAL);
}

/* SHA-256(00 01 .. 3f) = fdeab9ac...1108 (python3 hashlib). */
static void test_qualifying_data(void **state)
{
    uint8_t nonce[32], binding[32], out[32], expect[32];

    (void)state;
    fill(nonce, 32, 0x00);
    fill(binding, 32, 0x20);
    xv_qualifying_data(nonce, binding, out);
    unhex("fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108", expect, 32);
    assert_memory_equal(out, expect, 32);
}

static void test_ek_chain_args(void **state)
{
    static const uint8_t junk[] = { 0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00 };
    const uint8_t *chain[XV_CHAIN_MAX + 1] = { junk };
    size_t lens[XV_CHAIN_MAX + 1] = { sizeof(junk) };
    mbedtls_x509_crt trust;
    mbedtls_pk_context ek, priv, pub;
    char err[256];

    (void)state;
    mbedtls_x509_crt_init(&trust);
    mbedtls_pk_init(&ek);
    memset(err, 'X', sizeof(err));
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), NULL, NULL, 0, &trust, &ek,
                                        err, sizeof(err)), -XENIA_EINVAL);
    assert_non_null(strstr(err, "EK certificate: not a DER X.509 certificate"));
    assert_int_equal(mbedtls_pk_get_type(&ek), MBEDTLS_PK_NONE);
    assert_int_equal(xv_ek_chain_verify(NULL, 10, NULL, NULL, 0, &trust, &ek, err, sizeof(err)),
                     -XENIA_EINVAL);
    assert_int_equal(xv_ek_chain_verify(junk, XENIA_CERT_MAX + 1, NULL, NULL, 0, &trust, &ek,
                                        err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), chain, lens, XV_CHAIN_MAX + 1,
                                        &trust, &ek, err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), NULL, lens, 1, &trust, &ek,
                                        err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), chain, lens, 1, NULL, &ek,
                                        err, sizeof(err)), -XENIA_EINVAL);
    /* No err buffer is fine. */
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), NULL, NULL, 0, &trust, &ek,
                                        NULL, 0), -XENIA_EINVAL);
    /* A truncated reason is still terminated. */
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), NULL, NULL, 0, &trust, &ek,
                                        err, 8), -XENIA_EINVAL);
    assert_int_equal(strlen(err), 7);
    /* ek_out must come fresh from mbedtls_pk_init. */
    load_test_key(&priv, &pub);
    assert_int_equal(xv_ek_chain_verify(junk, sizeof(junk), NULL, NULL, 0, &trust, &pub,
                                        err, sizeof(err)), -XENIA_EINVAL);
    mbedtls_pk_free(&priv);
    mbedtls_pk_free(&pub);
    mbedtls_pk_free(&ek);
    mbedtls_x509_crt_free(&trust);
}

/* ------------------------------------------------------------------------- */
/* Against a real TPM (swtpm + tpm2-tools)                                   */
/* ------------------------------------------------------------------------- */

static char tdir[] = "/tmp/xvcrypto-XXXXXX";
static char script[512];
static int tpm_ok;           /* swtpm is running with the files in tdir */
static const char *tpm_skip = "not set up";

static uint8_t ek_der[XENIA_CERT_MAX], issuer_der[XENIA_CERT_MAX];
static size_t ek_len, issuer_len;
static mbedtls_x509_crt root, foreign;

#define REQUIRE_TPM() do { if (!tpm_ok) { print_message("skipped: %s\n", tpm_skip); skip(); } } while (0)

static size_t slurp(const char *name, uint8_t *buf, size_t cap)
{
    char path[600];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", tdir, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    n = fread(buf, 1, cap, f);
    assert_false(ferror(f));
    assert_true(feof(f) || fgetc(f) == EOF);
    fclose(f);
    return n;
}

static int run_script(const char *args)
{
    char cmd[2048];

    snprintf(cmd, sizeof(cmd), "bash '%s' %s", script, args);
    return system(cmd);
}

static int tpm_setup(void **state)
{
    const char *src = getenv("XENIA_SRCDIR");
    uint8_t buf[XENIA_CERT_MAX];
    size_t n;
    char args[600];

    (void)state;
    mbedtls_x509_crt_init(&root);
    mbedtls_x509_crt_init(&foreign);
    if (system("(command -v swtpm && command -v swtpm_setup && command -v swtpm_localca && "
               "command -v tpm2_activatecredential && command -v openssl) >/dev/null 2>&1") != 0) {
        tpm_skip = "swtpm, swtpm-tools, tpm2-tools or openssl missing";
        return 0;
    }
    snprintf(script, sizeof(script), "%s/tests/attest/xvcrypto_tpm.sh", src ? src : ".");
    if (access(script, R_OK) != 0) {
        tpm_skip = "tests/attest/xvcrypto_tpm.sh not found (run from the repo or set XENIA_SRCDIR)";
        return 0;
    }
    if (mkdtemp(tdir) == NULL)
        return -1;
    snprintf(args, sizeof(args), "start '%s'", tdir);
    if (run_script(args) != 0) {
        fprintf(stderr, "xvcrypto_tpm.sh start failed\n");
        return -1;   /* swtpm is there but does not work: a failure, not a skip */
    }
    ek_len = slurp("ek.der", ek_der, sizeof(ek_der));
    issuer_len = slurp("issuer.der", issuer_der, sizeof(issuer_der));
    n = slurp("root.der", buf, sizeof(buf));
    if (mbedtls_x509_crt_parse_der(&root, buf, n) != 0)
        return -1;
    n = slurp("foreign.der", buf, sizeof(buf));
    if (mbedtls_x509_crt_parse_der(&foreign, buf, n) != 0)
        return -1;
    tpm_ok = 1;
    return 0;
}

static int tpm_teardown(void **state)
{
    char args[600];

    (void)state;
    if (tdir[strlen(tdir) - 1] != 'X') {
        snprintf(args, sizeof(args), "stop '%s'", tdir);
        (void)run_script(args);
        snprintf(args, sizeof(args), "rm -rf '%s'", tdir);
        (void)system(args);
    }
    mbedtls_x509_crt_free(&root);
    mbedtls_x509_crt_free(&foreign);
    return 0;
}

static int verify_ek(const uint8_t *der, size_t len, int with_issuer, mbedtls_x509_crt *trust,
                     mbedtls_pk_context *ek, char *err, size_t errlen)
{
    const uint8_t *chain[1] = { issuer_der };
    size_t lens[1] = { issuer_len };

    return xv_ek_chain_verify(der, len, chain, lens, with_issuer ? 1u : 0u, trust, ek,
                              err, errlen);
}

static void expect_refused(const uint8_t *der, size_t len, int with_issuer,
                           mbedtls_x509_crt *trust, int rc_want, const char *why)
{
    mbedtls_pk_context ek;
    char err[512];

    mbedtls_pk_init(&ek);
    assert_int_equal(verify_ek(der, len, with_issuer, trust, &ek, err, sizeof(err)), rc_want);
    if (strstr(err, why) == NULL)
        fail_msg("reason \"%s\" lacks \"%s\"", err, why);
    assert_int_equal(mbedtls_pk_get_type(&ek), MBEDTLS_PK_NONE);
    mbedtls_pk_free(&ek);
}

static void test_tpm_ek_chain(void **state)
{
    mbedtls_pk_context ek;
    uint8_t der[XENIA_CERT_MAX];
    size_t n;
    char err[512];

    (void)state;
    REQUIRE_TPM();
    mbedtls_pk_init(&ek);
    memset(err, 'X', sizeof(err));
    assert_int_equal(verify_ek(ek_der, ek_len, 1, &root, &ek, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    assert_int_equal(mbedtls_pk_get_type(&ek), MBEDTLS_PK_RSA);
    assert_int_equal(mbedtls_pk_get_bitlen(&ek), 2048);
    mbedtls_pk_free(&ek);

    /* The intermediate is needed; a root with the right name but another key is no root. */
    expect_refused(ek_der, ek_len, 0, &root, -XENIA_EACCES,
                   "EK certificate: not issued by a trusted CA (flags 0x8: ");
    expect_refused(ek_der, ek_len, 1, &foreign, -XENIA_EACCES,
                   "EK certificate: not issued by a trusted CA (flags 0x8: ");
    /* The trusted list may hold several roots. */
    {
        mbedtls_x509_crt both;
        mbedtls_x509_crt_init(&both);
        assert_int_equal(mbedtls_x509_crt_parse_der(&both, foreign.raw.p, foreign.raw.len), 0);
        assert_int_equal(mbedtls_x509_crt_parse_der(&both, root.raw.p, root.raw.len), 0);
        mbedtls_pk_init(&ek);
        assert_int_equal(verify_ek(ek_der, ek_len, 1, &both, &ek, err, sizeof(err)), 0);
        mbedtls_pk_free(&ek);
        mbedtls_x509_crt_free(&both);
    }
    /* Tampering: the signature's last byte; a byte of the modulus (signed part). */
    memcpy(der, ek_der, ek_len);
    der[ek_len - 1] ^= 1;
    expect_refused(der, ek_len, 1, &root, -XENIA_EACCES, "not issued by a trusted CA");
    der[ek_len - 1] ^= 1;
    {
        /* Find the 2048-bit modulus "02 82 01 01 00" and flip a byte inside it. */
        uint8_t *p = memmem(der, ek_len, "\x02\x82\x01\x01\x00", 5);
        assert_non_null(p);
        p[40] ^= 1;
        expect_refused(der, ek_len, 1, &root, -XENIA_EACCES, "not issued by a trusted CA");
        p[40] ^= 1;
    }
    /* Truncated: does not parse. */
    expect_refused(ek_der, ek_len - 10, 1, &root, -XENIA_EINVAL,
                   "EK certificate: not a DER X.509 certificate");
    /* Validly issued by the same CA, but no EK certificate. */
    n = slurp("ec_leaf.der", der, sizeof(der));
    expect_refused(der, n, 1, &root, -XENIA_EACCES, "EK certificate: key is EC 256-bit, not RSA 2048");
    n = slurp("noku_leaf.der", der, sizeof(der));
    expect_refused(der, n, 1, &root, -XENIA_EACCES, "keyUsage missing, needs keyEncipherment");
    n = slurp("sign_leaf.der", der, sizeof(der));
    expect_refused(der, n, 1, &root, -XENIA_EACCES, "keyUsage lacks keyEncipherment");
    /* The default profile refuses SHA-1 signatures. */
    n = slurp("sha1_leaf.der", der, sizeof(der));
    expect_refused(der, n, 1, &root, -XENIA_EACCES,
                   "EK certificate: chain does not verify (flags 0x4000: ");
    /* An intermediate that does not parse is named. */
    {
        const uint8_t *chain[2] = { issuer_der, ek_der };
        size_t lens[2] = { issuer_len, 5 };
        mbedtls_pk_init(&ek);
        assert_int_equal(xv_ek_chain_verify(ek_der, ek_len, chain, lens, 2, &root, &ek,
                                            err, sizeof(err)), -XENIA_EINVAL);
        assert_non_null(strstr(err, "EK chain certificate 1: not a DER X.509 certificate"));
        mbedtls_pk_free(&ek);
    }
}

/* Every single-bit change of the EK certificate is refused (and nothing crashes). */
static void test_tpm_ek_mutations(void **state)
{
    uint8_t der[XENIA_CERT_MAX];
    mbedtls_pk_context ek;
    char err[512];
    int rc;

    (void)state;
    REQUIRE_TPM();
    memcpy(der, ek_der, ek_len);
    for (size_t i = 0; i < ek_len; i++) {
        der[i] ^= (uint8_t)(1u << (i % 8));
        mbedtls_pk_init(&ek);
        err[0] = '\0';
        rc = verify_ek(der, ek_len, 1, &root, &ek, err, sizeof(err));
        if (rc != -XENIA_EINVAL && rc != -XENIA_EACCES)
            fail_msg("byte %zu: rc %d", i, rc);
        assert_true(strncmp(err, "EK c", 4) == 0);
        assert_int_equal(mbedtls_pk_get_type(&ek), MBEDTLS_PK_NONE);
        mbedtls_pk_free(&ek);
        der[i] ^= (uint8_t)(1u << (i % 8));
    }
}

static int write_cred(const char *name, const uint8_t *idobj, size_t idlen,
                      const uint8_t *encsec, size_t enclen)
{
    /* tpm2-tools credential file (tools/tpm2_makecredential.c write_cred_and_secret):
     * BE32 0xBADCC0DE, BE32 version 1, BE16 size || TPM2B_ID_OBJECT body,
     * BE16 size || TPM2B_ENCRYPTED_SECRET body. */
    static const uint8_t hdr[8] = { 0xBA, 0xDC, 0xC0, 0xDE, 0, 0, 0, 1 };
    uint8_t b16[2];
    char path[600];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tdir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(hdr, 1, 8, f), 8);
    b16[0] = (uint8_t)(idlen >> 8);
    b16[1] = (uint8_t)idlen;
    assert_int_equal(fwrite(b16, 1, 2, f), 2);
    assert_int_equal(fwrite(idobj, 1, idlen, f), idlen);
    b16[0] = (uint8_t)(enclen >> 8);
    b16[1] = (uint8_t)enclen;
    assert_int_equal(fwrite(b16, 1, 2, f), 2);
    assert_int_equal(fwrite(encsec, 1, enclen, f), enclen);
    assert_int_equal(fclose(f), 0);
    return 0;
}

/* TPM2_ActivateCredential through tpm2-tools; returns the secret length or -1. */
static int tpm_activate(const uint8_t *idobj, size_t idlen, const uint8_t *encsec,
                        size_t enclen, uint8_t *out, size_t cap)
{
    char args[1200], path[600];

    write_cred("cred.bin", idobj, idlen, encsec, enclen);
    snprintf(path, sizeof(path), "%s/act.out", tdir);
    unlink(path);
    snprintf(args, sizeof(args), "activate '%s' '%s/cred.bin' '%s'", tdir, tdir, path);
    if (run_script(args) != 0)
        return -1;
    return (int)slurp("act.out", out, cap);
}

/* The last activation failed because the TPM found the HMAC wrong: TPM_RC_INTEGRITY
 * on parameter 1 (0x1DF), as tpm2-tools reports it. */
static void expect_integrity_failure(void)
{
    uint8_t log[8192];
    size_t n = slurp("activate.log", log, sizeof(log) - 1);

    log[n] = '\0';
    if (strstr((char *)log, "ActivateCredential(0x1DF)") == NULL)
        fail_msg("activation failed for another reason:\n%s", (char *)log);
}

static void get_ek(mbedtls_pk_context *ek)
{
    char err[256];

    mbedtls_pk_init(ek);
    assert_int_equal(verify_ek(ek_der, ek_len, 1, &root, ek, err, sizeof(err)), 0);
}

static void test_tpm_activate(void **state)
{
    mbedtls_pk_context ek;
    uint8_t name[64], secret[32], got[64], idobj[128], encsec[256];
    size_t name_len, idlen, enclen;

    (void)state;
    REQUIRE_TPM();
    get_ek(&ek);
    name_len = slurp("ak.name", name, sizeof(name));
    assert_int_equal(name_len, 34);
    assert_int_equal(mbedtls_ctr_drbg_random(&drbg, secret, sizeof(secret)), 0);

    assert_int_equal(xv_make_credential(&ek, name, name_len, secret, sizeof(secret), rng, &drbg,
                                        idobj, sizeof(idobj), &idlen,
                                        encsec, sizeof(encsec), &enclen), 0);
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), 32);
    assert_memory_equal(got, secret, 32);

    /* One flipped byte in the integrity HMAC, in encIdentity, in the encrypted seed. */
    idobj[10] ^= 1;
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), -1);
    expect_integrity_failure();
    idobj[10] ^= 1;
    idobj[idlen - 1] ^= 1;
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), -1);
    expect_integrity_failure();
    idobj[idlen - 1] ^= 1;
    /* The seed no longer OAEP-decodes (libtpms answers TPM_RC_FAILURE, a hardware
     * TPM TPM_RC_VALUE): any refusal will do. */
    encsec[100] ^= 1;
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), -1);
    encsec[100] ^= 1;
    /* The original still activates (the failures above were the flips). */
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), 32);
    assert_memory_equal(got, secret, 32);

    /* A credential for another name is refused by this AK. */
    name[name_len - 1] ^= 1;
    assert_int_equal(xv_make_credential(&ek, name, name_len, secret, 5, rng, &drbg,
                                        idobj, sizeof(idobj), &idlen,
                                        encsec, sizeof(encsec), &enclen), 0);
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), -1);
    expect_integrity_failure();
    name[name_len - 1] ^= 1;
    /* A one-byte secret. */
    assert_int_equal(xv_make_credential(&ek, name, name_len, secret, 1, rng, &drbg,
                                        idobj, sizeof(idobj), &idlen,
                                        encsec, sizeof(encsec), &enclen), 0);
    assert_int_equal(tpm_activate(idobj, idlen, encsec, enclen, got, sizeof(got)), 1);
    assert_int_equal(got[0], secret[0]);
    mbedtls_pk_free(&ek);
}

/* Minimal bounded big-endian reader for the AK's TPM2B_PUBLIC and the quote's
 * TPMT_SIGNATURE (the verifier's real parser is attest/tpm2_parse.c). */
struct rd {
    const uint8_t *p;
    size_t n, off;
};

static unsigned rd16(struct rd *r)
{
    unsigned v;

    assert_true(r->off + 2 <= r->n);
    v = ((unsigned)r->p[r->off] << 8) | r->p[r->off + 1];
    r->off += 2;
    return v;
}

static const uint8_t *rd2b(struct rd *r, size_t *len)
{
    const uint8_t *p;

    *len = rd16(r);
    assert_true(r->off + *len <= r->n);
    p = r->p + r->off;
    r->off += *len;
    return p;
}

/* Left-pad a big-endian coordinate to 32 bytes. */
static void pad32(const uint8_t *p, size_t n, uint8_t out[32])
{
    assert_true(n <= 32);
    memset(out, 0, 32 - n);
    memcpy(out + 32 - n, p, n);
}

struct ak_quote {
    uint8_t x[32], y[32], msg[1024], sig[512];
    size_t msg_len, sig_len;
    const uint8_t *r, *s;
    size_t r_len, s_len;
};

static void load_quote(struct ak_quote *q)
{
    uint8_t pub[512], name[64], hash[32], nm[34];
    struct rd r;
    const uint8_t *p;
    size_t n, pub_len, name_len, tpmt_start;
    unsigned alg;

    pub_len = slurp("ak.pub", pub, sizeof(pub));
    r = (struct rd){ pub, pub_len, 0 };
    n = rd16(&r);                              /* TPM2B_PUBLIC.size */
    assert_int_equal(n + 2, pub_len);
    tpmt_start = r.off;
    assert_int_equal(rd16(&r), 0x0023);        /* type TPM_ALG_ECC */
    assert_int_equal(rd16(&r), 0x000B);        /* nameAlg SHA-256 */
    r.off += 4;                                /* objectAttributes */
    (void)rd2b(&r, &n);                        /* authPolicy */
    alg = rd16(&r);                            /* symmetric */
    if (alg != 0x0010)
        r.off += 4;
    assert_int_equal(rd16(&r), 0x0018);        /* scheme ECDSA */
    assert_int_equal(rd16(&r), 0x000B);        /*   hash SHA-256 */
    assert_int_equal(rd16(&r), 0x0003);        /* curveID NIST P-256 */
    alg = rd16(&r);                            /* kdf */
    if (alg != 0x0010)
        r.off += 2;
    p = rd2b(&r, &n);
    pad32(p, n, q->x);
    p = rd2b(&r, &n);
    pad32(p, n, q->y);
    assert_int_equal(r.off, pub_len);
    /* The name is nameAlg || SHA-256(TPMT_PUBLIC): check against tpm2_createak -n. */
    name_len = slurp("ak.name", name, sizeof(name));
    assert_int_equal(mbedtls_sha256_ret(pub + tpmt_start, pub_len - tpmt_start, hash, 0), 0);
    nm[0] = 0x00;
    nm[1] = 0x0B;
    memcpy(nm + 2, hash, 32);
    assert_int_equal(name_len, 34);
    assert_memory_equal(name, nm, 34);

    q->msg_len = slurp("q.msg", q->msg, sizeof(q->msg));
    q->sig_len = slurp("q.sig", q->sig, sizeof(q->sig));
    r = (struct rd){ q->sig, q->sig_len, 0 };
    assert_int_equal(rd16(&r), 0x0018);        /* sigAlg TPM_ALG_ECDSA */
    assert_int_equal(rd16(&r), 0x000B);        /* hash SHA-256 */
    q->r = rd2b(&r, &q->r_len);
    q->s = rd2b(&r, &q->s_len);
    assert_int_equal(r.off, q->sig_len);
}

static void test_tpm_quote_signature(void **state)
{
    struct ak_quote q;
    uint8_t rr[32], ss[32];

    (void)state;
    REQUIRE_TPM();
    load_quote(&q);
    assert_int_equal(xv_ecdsa_p256_verify(q.x, q.y, q.msg, q.msg_len, q.r, q.r_len,
                                          q.s, q.s_len), 0);
    memcpy(rr, q.r, q.r_len);
    memcpy(ss, q.s, q.s_len);
    for (size_t i = 0; i < q.msg_len; i += 13) {
        q.msg[i] ^= 0x01;
        assert_int_equal(xv_ecdsa_p256_verify(q.x, q.y, q.msg, q.msg_len, rr, q.r_len,
                                              ss, q.s_len), -XENIA_EACCES);
        q.msg[i] ^= 0x01;
    }
    rr[q.r_len / 2] ^= 0x10;
    assert_int_equal(xv_ecdsa_p256_verify(q.x, q.y, q.msg, q.msg_len, rr, q.r_len,
                                          ss, q.s_len), -XENIA_EACCES);
    rr[q.r_len / 2] ^= 0x10;
    ss[q.s_len - 1] ^= 0x01;
    assert_int_equal(xv_ecdsa_p256_verify(q.x, q.y, q.msg, q.msg_len, rr, q.r_len,
                                          ss, q.s_len), -XENIA_EACCES);
    ss[q.s_len - 1] ^= 0x01;
    /* The quote's extraData is the qualifying data given to tpm2_quote -q. */
    {
        uint8_t qd[32];
        unhex("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210", qd, 32);
        assert_non_null(memmem(q.msg, q.msg_len, qd, 32));
    }
}

/* ------------------------------------------------------------------------- */
/* Cost per call (median of 100), for the verifier's verdicts/s budget        */
/* ------------------------------------------------------------------------- */

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

#define NRUNS 100

static void test_tpm_timing(void **state)
{
    struct ak_quote q;
    mbedtls_pk_context ek;
    uint8_t name[64], secret[32] = { 7 }, idobj[128], encsec[256];
    size_t name_len, idlen, enclen;
    double t[NRUNS], ecdsa, chain, mkcred, t0;
    char err[256];
    int i;

    (void)state;
    REQUIRE_TPM();
    load_quote(&q);
    get_ek(&ek);
    name_len = slurp("ak.name", name, sizeof(name));

    for (i = 0; i < NRUNS; i++) {
        t0 = now_us();
        assert_int_equal(xv_ecdsa_p256_verify(q.x, q.y, q.msg, q.msg_len, q.r, q.r_len,
                                              q.s, q.s_len), 0);
        t[i] = now_us() - t0;
    }
    qsort(t, NRUNS, sizeof(t[0]), cmp_dbl);
    ecdsa = t[NRUNS / 2];
    for (i = 0; i < NRUNS; i++) {
        mbedtls_pk_context k;
        mbedtls_pk_init(&k);
        t0 = now_us();
        assert_int_equal(verify_ek(ek_der, ek_len, 1, &root, &k, err, sizeof(err)), 0);
        t[i] = now_us() - t0;
        mbedtls_pk_free(&k);
    }
    qsort(t, NRUNS, sizeof(t[0]), cmp_dbl);
    chain = t[NRUNS / 2];
    for (i = 0; i < NRUNS; i++) {
        t0 = now_us();
        assert_int_equal(xv_make_credential(&ek, name, name_len, secret, 32, rng, &drbg,
                                            idobj, sizeof(idobj), &idlen,
                                            encsec, sizeof(encsec), &enclen), 0);
        t[i] = now_us() - t0;
    }
    qsort(t, NRUNS, sizeof(t[0]), cmp_dbl);
    mkcred = t[NRUNS / 2];
    print_message("xvcrypto per call (median of %d): ecdsa_p256_verify %.0f us, "
                  "ek_chain_verify %.0f us, make_credential %.0f us\n",
                  NRUNS, ecdsa, chain, mkcred);
    mbedtls_pk_free(&ek);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_kdfa_tcg_vector),
        cmocka_unit_test(test_kdfa_openssl_vectors),
        cmocka_unit_test(test_kdfa_args),
        cmocka_unit_test(test_make_credential_soft),
        cmocka_unit_test(test_make_credential_args),
        cmocka_unit_test(test_ecdsa_soft),
        cmocka_unit_test(test_tls_prf_vector),
        cmocka_unit_test(test_tls_exporter),
        cmocka_unit_test(test_qualifying_data),
        cmocka_unit_test(test_ek_chain_args),
    };
    const struct CMUnitTest tpm[] = {
        cmocka_unit_test(test_tpm_ek_chain),
        cmocka_unit_test(test_tpm_ek_mutations),
        cmocka_unit_test(test_tpm_activate),
        cmocka_unit_test(test_tpm_quote_signature),
        cmocka_unit_test(test_tpm_timing),
    };
    int rc;

    if (group_setup(NULL) != 0)
        return 1;
    rc = cmocka_run_group_tests_name("xvcrypto", pure, NULL, NULL);
    rc |= cmocka_run_group_tests_name("xvcrypto_tpm", tpm, tpm_setup, tpm_teardown);
    group_teardown(NULL);
    return rc;
}
