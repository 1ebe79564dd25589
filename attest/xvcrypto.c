/* SPDX-License-Identifier: MIT */
/*
 * The verifier's cryptography with mbedTLS 2.28: KDFa, MakeCredential, ECDSA
 * P-256 quote signatures, EK certificate chains, the TLS 1.2 exporter. See
 * xvcrypto.h for each function's contract and the specifications it follows.
 * No system calls of our own; randomness only through the caller's f_rng.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/aes.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/rsa.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>

#include "xenia/abi.h"
#include "attest/xvcrypto.h"

#define SHA256_LEN 32u
#define AES128_LEN 16u

/* RSAES-OAEP label of the credential seed: "IDENTITY" with its NUL (Part 1 B.10.3). */
static const unsigned char identity_label[] = "IDENTITY";

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/*
 * mbedTLS error codes combine a high-level part (0x1000..0x7F80) and a low-level
 * part (0x0002..0x007F); either may say "allocation failed".
 */
static int mbed_to_errno(int ret, int otherwise)
{
    int hi = -((-ret) & 0xFF80), lo = -((-ret) & 0x007F);

    if (ret == 0)
        return 0;
    if (lo == MBEDTLS_ERR_MPI_ALLOC_FAILED || lo == MBEDTLS_ERR_ASN1_ALLOC_FAILED ||
        hi == MBEDTLS_ERR_X509_ALLOC_FAILED || hi == MBEDTLS_ERR_PK_ALLOC_FAILED ||
        hi == MBEDTLS_ERR_ECP_ALLOC_FAILED || hi == MBEDTLS_ERR_MD_ALLOC_FAILED ||
        hi == MBEDTLS_ERR_CIPHER_ALLOC_FAILED || hi == MBEDTLS_ERR_SSL_ALLOC_FAILED)
        return -XENIA_ENOMEM;
    return otherwise;
}

/* Label length 1..XV_LABEL_MAX, or 0 when the label is unusable. */
static size_t label_len(const char *label)
{
    size_t n;

    if (label == NULL)
        return 0;
    n = strnlen(label, XV_LABEL_MAX + 1);
    return n > XV_LABEL_MAX ? 0 : n;
}

int xv_kdfa_sha256(const uint8_t *key, size_t key_len, const char *label,
                   const uint8_t *ctx_u, size_t u_len, const uint8_t *ctx_v, size_t v_len,
                   uint32_t bits, uint8_t *out, size_t out_cap)
{
    mbedtls_md_context_t md;
    uint8_t block[SHA256_LEN], be[4];
    size_t lab, need, done = 0;
    uint32_t i;
    int ret, rc = 0;

    lab = label_len(label);
    if (key == NULL || key_len == 0 || key_len > XV_KDFA_MAX || lab == 0 || out == NULL ||
        (ctx_u == NULL && u_len != 0) || u_len > XV_KDFA_MAX ||
        (ctx_v == NULL && v_len != 0) || v_len > XV_KDFA_MAX ||
        bits == 0 || bits > XV_KDFA_MAX * 8u)
        return -XENIA_EINVAL;
    need = (bits + 7u) / 8u;
    if (out_cap < need)
        return -XENIA_E2BIG;

    mbedtls_md_init(&md);
    ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EINVAL);
        goto out;
    }
    /* At most XV_KDFA_MAX / 32 = 32 rounds. */
    for (i = 1; done < need; i++) {
        size_t take = need - done < SHA256_LEN ? need - done : SHA256_LEN;

        ret = mbedtls_md_hmac_starts(&md, key, key_len);
        put_be32(be, i);
        if (ret == 0)
            ret = mbedtls_md_hmac_update(&md, be, 4);
        /* label || 0x00: the label's own NUL terminator. */
        if (ret == 0)
            ret = mbedtls_md_hmac_update(&md, (const unsigned char *)label, lab + 1);
        if (ret == 0 && u_len != 0)
            ret = mbedtls_md_hmac_update(&md, ctx_u, u_len);
        if (ret == 0 && v_len != 0)
            ret = mbedtls_md_hmac_update(&md, ctx_v, v_len);
        put_be32(be, bits);
        if (ret == 0)
            ret = mbedtls_md_hmac_update(&md, be, 4);
        if (ret == 0)
            ret = mbedtls_md_hmac_finish(&md, block);
        if (ret != 0) {
            rc = mbed_to_errno(ret, -XENIA_EINVAL);
            goto out;
        }
        memcpy(out + done, block, take);
        done += take;
    }
    if (bits % 8u != 0)
        out[0] &= (uint8_t)((1u << (bits % 8u)) - 1u);
out:
    if (rc != 0)
        mbedtls_platform_zeroize(out, need);
    mbedtls_platform_zeroize(block, sizeof(block));
    mbedtls_md_free(&md);
    return rc;
}

/* A TPM name: nameAlg (BE16) || digest of that algorithm's size. */
static int name_ok(const uint8_t *name, size_t name_len)
{
    size_t dlen;

    if (name == NULL || name_len < 2 || name_len > XV_NAME_MAX)
        return 0;
    switch (((unsigned)name[0] << 8) | name[1]) {
    case 0x0004: dlen = 20; break;   /* TPM_ALG_SHA1 */
    case 0x000B: dlen = 32; break;   /* TPM_ALG_SHA256 */
    case 0x000C: dlen = 48; break;   /* TPM_ALG_SHA384 */
    case 0x000D: dlen = 64; break;   /* TPM_ALG_SHA512 */
    default: return 0;
    }
    return name_len == 2 + dlen;
}

int xv_make_credential(mbedtls_pk_context *ek, const uint8_t *name, size_t name_len,
                       const uint8_t *secret, size_t secret_len,
                       int (*f_rng)(void *, unsigned char *, size_t), void *p_rng,
                       uint8_t *idobj, size_t idcap, size_t *idlen,
                       uint8_t *encsec, size_t enccap, size_t *enclen)
{
    uint8_t seed[SHA256_LEN], symkey[AES128_LEN], hmackey[SHA256_LEN];
    uint8_t iv[AES128_LEN] = { 0 };
    mbedtls_rsa_context rsa;
    mbedtls_aes_context aes;
    mbedtls_md_context_t md;
    size_t need_id, iv_off = 0;
    uint8_t *encident;
    int ret, rc = 0;

    if (ek == NULL || secret == NULL || f_rng == NULL || idobj == NULL ||
        idlen == NULL || encsec == NULL || enclen == NULL)
        return -XENIA_EINVAL;
    if (mbedtls_pk_get_type(ek) != MBEDTLS_PK_RSA || mbedtls_pk_get_bitlen(ek) != 2048 ||
        !name_ok(name, name_len) || secret_len == 0 || secret_len > XV_SECRET_MAX)
        return -XENIA_EINVAL;
    need_id = XV_IDOBJ_LEN(secret_len);
    if (idcap < need_id || enccap < XV_ENCSEC_LEN) {
        *idlen = need_id;
        *enclen = XV_ENCSEC_LEN;
        return -XENIA_E2BIG;
    }
    *idlen = 0;
    *enclen = 0;

    mbedtls_rsa_init(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    mbedtls_aes_init(&aes);
    mbedtls_md_init(&md);

    /* A private copy of the EK, so that its padding mode can be OAEP/SHA-256. */
    ret = mbedtls_rsa_copy(&rsa, mbedtls_pk_rsa(*ek));
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EINVAL);
        goto out;
    }
    mbedtls_rsa_set_padding(&rsa, MBEDTLS_RSA_PKCS_V21, MBEDTLS_MD_SHA256);
    if (mbedtls_rsa_check_pubkey(&rsa) != 0) {
        rc = -XENIA_EINVAL;
        goto out;
    }

    /* seed, and its encryption to the EK (Part 1 §24.1 and B.10.3). */
    if (f_rng(p_rng, seed, sizeof(seed)) != 0) {
        rc = -XENIA_EIO;
        goto out;
    }
    ret = mbedtls_rsa_rsaes_oaep_encrypt(&rsa, f_rng, p_rng, MBEDTLS_RSA_PUBLIC,
                                         identity_label, sizeof(identity_label),
                                         sizeof(seed), seed, encsec);
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EIO);
        goto out;
    }

    /* encIdentity = AES-128-CFB(KDFa(seed, "STORAGE", name), 0, TPM2B(secret)). */
    rc = xv_kdfa_sha256(seed, sizeof(seed), "STORAGE", name, name_len, NULL, 0,
                        AES128_LEN * 8u, symkey, sizeof(symkey));
    if (rc != 0)
        goto out;
    encident = idobj + 2 + SHA256_LEN;
    put_be16(encident, (uint16_t)secret_len);
    memcpy(encident + 2, secret, secret_len);
    ret = mbedtls_aes_setkey_enc(&aes, symkey, AES128_LEN * 8u);
    if (ret == 0)
        ret = mbedtls_aes_crypt_cfb128(&aes, MBEDTLS_AES_ENCRYPT, 2 + secret_len, &iv_off,
                                       iv, encident, encident);
    if (ret != 0) {
        rc = -XENIA_EIO;
        goto out;
    }

    /* outerHMAC = HMAC(KDFa(seed, "INTEGRITY"), encIdentity || name) (§24.5). */
    rc = xv_kdfa_sha256(seed, sizeof(seed), "INTEGRITY", NULL, 0, NULL, 0,
                        SHA256_LEN * 8u, hmackey, sizeof(hmackey));
    if (rc != 0)
        goto out;
    ret = mbedtls_md_setup(&md, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), 1);
    if (ret == 0)
        ret = mbedtls_md_hmac_starts(&md, hmackey, sizeof(hmackey));
    if (ret == 0)
        ret = mbedtls_md_hmac_update(&md, encident, 2 + secret_len);
    if (ret == 0)
        ret = mbedtls_md_hmac_update(&md, name, name_len);
    if (ret == 0)
        ret = mbedtls_md_hmac_finish(&md, idobj + 2);
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EIO);
        goto out;
    }
    put_be16(idobj, SHA256_LEN);
    *idlen = need_id;
    *enclen = XV_ENCSEC_LEN;
out:
    if (rc != 0) {
        mbedtls_platform_zeroize(idobj, need_id);
        mbedtls_platform_zeroize(encsec, XV_ENCSEC_LEN);
    }
    mbedtls_platform_zeroize(seed, sizeof(seed));
    mbedtls_platform_zeroize(symkey, sizeof(symkey));
    mbedtls_platform_zeroize(hmackey, sizeof(hmackey));
    mbedtls_md_free(&md);
    mbedtls_aes_free(&aes);
    mbedtls_rsa_free(&rsa);
    return rc;
}

int xv_ecdsa_p256_verify(const uint8_t x[32], const uint8_t y[32],
                         const uint8_t *msg, size_t msg_len,
                         const uint8_t *r, size_t r_len,
                         const uint8_t *s, size_t s_len)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi mr, ms;
    uint8_t hash[SHA256_LEN], pt[65];
    int ret, rc = 0;

    if (x == NULL || y == NULL || (msg == NULL && msg_len != 0) || r == NULL || s == NULL ||
        r_len == 0 || r_len > 32 || s_len == 0 || s_len > 32)
        return -XENIA_EINVAL;

    mbedtls_ecp_group_init(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&mr);
    mbedtls_mpi_init(&ms);

    ret = mbedtls_ecp_group_load(&grp, MBEDTLS_ECP_DP_SECP256R1);
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EINVAL);
        goto out;
    }
    /* SEC 1 §2.3.3 uncompressed point, then the full public-key check (on the curve). */
    pt[0] = 0x04;
    memcpy(pt + 1, x, 32);
    memcpy(pt + 33, y, 32);
    ret = mbedtls_ecp_point_read_binary(&grp, &q, pt, sizeof(pt));
    if (ret == 0)
        ret = mbedtls_ecp_check_pubkey(&grp, &q);
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EINVAL);
        goto out;
    }
    ret = mbedtls_mpi_read_binary(&mr, r, r_len);
    if (ret == 0)
        ret = mbedtls_mpi_read_binary(&ms, s, s_len);
    if (ret != 0) {
        rc = mbed_to_errno(ret, -XENIA_EINVAL);
        goto out;
    }
    ret = mbedtls_sha256_ret(msg_len != 0 ? msg : hash, msg_len, hash, 0);
    if (ret != 0) {
        rc = -XENIA_EINVAL;
        goto out;
    }
    /* Rejects r, s outside [1, n-1] with MBEDTLS_ERR_ECP_VERIFY_FAILED. */
    ret = mbedtls_ecdsa_verify(&grp, hash, sizeof(hash), &q, &mr, &ms);
    if (ret != 0)
        rc = mbed_to_errno(ret, -XENIA_EACCES);
out:
    mbedtls_mpi_free(&ms);
    mbedtls_mpi_free(&mr);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_group_free(&grp);
    return rc;
}

/*
 * "a\nb\n" -> "a; b": mbedtls_x509_crt_verify_info writes one line per flag.
 * out: cap (>= 1) bytes, always NUL-terminated, truncated if need be.
 */
static void join_lines(const char *in, char *out, size_t cap)
{
    size_t o = 0;

    for (; *in != '\0' && o + 1 < cap; in++) {
        if (*in != '\n') {
            out[o++] = *in;
        } else if (in[1] != '\0' && o + 3 < cap) {
            out[o++] = ';';
            out[o++] = ' ';
        }
    }
    out[o] = '\0';
}

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

/*
 * Parse one DER certificate onto the end of list; reason in err on failure.
 * what: "EK certificate" (idx < 0) or "EK chain certificate <idx>".
 */
static int parse_one(mbedtls_x509_crt *list, const uint8_t *der, size_t len, int idx,
                     char *err, size_t errlen)
{
    char what[48], why[128];
    int ret;

    if (idx < 0)
        snprintf(what, sizeof(what), "EK certificate");
    else
        snprintf(what, sizeof(what), "EK chain certificate %d", idx);
    if (der == NULL || len == 0 || len > XENIA_CERT_MAX) {
        set_err(err, errlen, "%s: missing or bad length %zu (1..%u bytes)", what, len,
                XENIA_CERT_MAX);
        return -XENIA_EINVAL;
    }
    ret = mbedtls_x509_crt_parse_der(list, der, len);
    if (ret != 0) {
        mbedtls_strerror(ret, why, sizeof(why));
        set_err(err, errlen, "%s: not a DER X.509 certificate (-0x%04x: %s)", what,
                (unsigned)-ret, why);
        return mbed_to_errno(ret, -XENIA_EINVAL);
    }
    return 0;
}

int xv_ek_chain_verify(const uint8_t *ek_der, size_t ek_len,
                       const uint8_t *const *chain, const size_t *chain_len, unsigned nchain,
                       mbedtls_x509_crt *trust, mbedtls_pk_context *ek_out,
                       char *err, size_t errlen)
{
    mbedtls_x509_crt crt;
    uint32_t flags = 0;
    char info[512], joined[512];
    unsigned i;
    int ret, rc = 0;

    set_err(err, errlen, "%s", "");
    if (trust == NULL || ek_out == NULL || nchain > XV_CHAIN_MAX ||
        (nchain != 0 && (chain == NULL || chain_len == NULL))) {
        set_err(err, errlen, "EK certificate: bad arguments");
        return -XENIA_EINVAL;
    }
    if (mbedtls_pk_get_type(ek_out) != MBEDTLS_PK_NONE) {
        set_err(err, errlen, "EK certificate: output key already set up");
        return -XENIA_EINVAL;
    }

    mbedtls_x509_crt_init(&crt);
    /* The EK certificate first: mbedTLS verifies the head of the list and takes
     * the certificates after it as candidate intermediates. */
    rc = parse_one(&crt, ek_der, ek_len, -1, err, errlen);
    for (i = 0; rc == 0 && i < nchain; i++)
        rc = parse_one(&crt, chain[i], chain_len[i], (int)i, err, errlen);
    if (rc != 0)
        goto out;

    ret = mbedtls_x509_crt_verify_with_profile(&crt, trust, NULL,
                                               &mbedtls_x509_crt_profile_default, NULL,
                                               &flags, NULL, NULL);
    if (ret != 0) {
        if (mbed_to_errno(ret, 0) != 0) {
            set_err(err, errlen, "EK certificate: out of memory while verifying");
            rc = -XENIA_ENOMEM;
            goto out;
        }
        if (mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags) < 0)
            info[0] = '\0';
        join_lines(info, joined, sizeof(joined));
        set_err(err, errlen, "EK certificate: %s (flags 0x%x: %s)",
                (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) ? "not issued by a trusted CA"
                                                           : "chain does not verify",
                (unsigned)flags, joined[0] ? joined : "unknown reason");
        rc = -XENIA_EACCES;
        goto out;
    }
    if (mbedtls_pk_get_type(&crt.pk) != MBEDTLS_PK_RSA ||
        mbedtls_pk_get_bitlen(&crt.pk) != 2048) {
        set_err(err, errlen, "EK certificate: key is %s %zu-bit, not RSA 2048",
                mbedtls_pk_get_name(&crt.pk), mbedtls_pk_get_bitlen(&crt.pk));
        rc = -XENIA_EACCES;
        goto out;
    }
    if (!(crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) ||
        mbedtls_x509_crt_check_key_usage(&crt, MBEDTLS_X509_KU_KEY_ENCIPHERMENT) != 0) {
        set_err(err, errlen, "EK certificate: keyUsage %s keyEncipherment",
                (crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE) ? "lacks" : "missing, needs");
        rc = -XENIA_EACCES;
        goto out;
    }

    ret = mbedtls_pk_setup(ek_out, mbedtls_pk_info_from_type(MBEDTLS_PK_RSA));
    if (ret == 0)
        ret = mbedtls_rsa_copy(mbedtls_pk_rsa(*ek_out), mbedtls_pk_rsa(crt.pk));
    if (ret != 0) {
        mbedtls_pk_free(ek_out);
        mbedtls_pk_init(ek_out);
        set_err(err, errlen, "EK certificate: cannot copy the key (-0x%04x)", (unsigned)-ret);
        rc = mbed_to_errno(ret, -XENIA_EINVAL);
        goto out;
    }
out:
    mbedtls_x509_crt_free(&crt);
    return rc;
}

int xv_tls_exporter(int prf_type, const uint8_t master[48], const uint8_t client_random[32],
                    const uint8_t server_random[32], const char *label,
                    uint8_t *out, size_t out_len)
{
    uint8_t randoms[64];
    int ret;

    if (master == NULL || client_random == NULL || server_random == NULL || out == NULL ||
        label_len(label) == 0 || out_len == 0 || out_len > XV_EXPORTER_MAX)
        return -XENIA_EINVAL;
    if (prf_type != MBEDTLS_SSL_TLS_PRF_SHA256 && prf_type != MBEDTLS_SSL_TLS_PRF_SHA384)
        return -XENIA_EINVAL;
    /* RFC 5705 §4: seed = client_random + server_random (no context value). */
    memcpy(randoms, client_random, 32);
    memcpy(randoms + 32, server_random, 32);
    ret = mbedtls_ssl_tls_prf((mbedtls_tls_prf_types)prf_type, master, 48, label,
                              randoms, sizeof(randoms), out, out_len);
    if (ret != 0) {
        mbedtls_platform_zeroize(out, out_len);
        return mbed_to_errno(ret, -XENIA_EINVAL);
    }
    return 0;
}

void xv_qualifying_data(const uint8_t nonce[32], const uint8_t binding[32], uint8_t out[32])
{
    uint8_t buf[64];

    memcpy(buf, nonce, 32);
    memcpy(buf + 32, binding, 32);
    /* Software SHA-256 over memory cannot fail; the return value carries nothing. */
    (void)mbedtls_sha256_ret(buf, sizeof(buf), out, 0);
}
