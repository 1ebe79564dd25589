/* SPDX-License-Identifier: MIT */
/*
 * The verifier's cryptography (xenia-verify), mbedTLS 2.28 only: no TSS on the
 * verifier side. Pure C without system calls of its own: randomness comes from a
 * caller-supplied f_rng (mbedTLS's RNG callback shape), and nothing here keeps
 * state between calls, so every function is safe to call from several threads.
 * (The one exception is mbedTLS's certificate verification, which reads the
 * current time to check validity periods.)
 *
 * Every function returns 0 or -XENIA_Exxx (include/xenia/abi.h) and never reads
 * or writes outside the buffers and lengths it is given, whatever their content.
 */
#ifndef XENIA_ATTEST_XVCRYPTO_H
#define XENIA_ATTEST_XVCRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

#include "xenia/attest.h"

#define XV_WUR __attribute__((warn_unused_result))

#define XV_SECRET_MAX     32u   /* credential bytes: at most the EK nameAlg digest (SHA-256) */
#define XV_NAME_MAX       66u   /* TPM2B_NAME body: nameAlg (2) + digest (<= 64) */
#define XV_ENCSEC_LEN     256u  /* TPM2B_ENCRYPTED_SECRET body for an RSA 2048 EK */
/* TPM2B_ID_OBJECT body for a secret of n bytes: TPM2B_DIGEST(HMAC) || encIdentity. */
#define XV_IDOBJ_LEN(n)   (2u + 32u + 2u + (n))
#define XV_KDFA_MAX       1024u /* bytes one xv_kdfa_sha256 call may produce */
#define XV_CHAIN_MAX      8u    /* intermediate certificates per EK chain */
#define XV_EXPORTER_MAX   256u  /* bytes of keying material per xv_tls_exporter call */
#define XV_LABEL_MAX      64u   /* bytes of a KDFa or exporter label (NUL excluded) */

/*
 * xv_kdfa_sha256 - KDFa with HMAC-SHA-256 (TPM 2.0 Part 1 §11.4.10.2; NIST SP
 * 800-108 counter mode): for i = 1, 2, ...
 *   K(i) = HMAC(key, BE32(i) || label || 0x00 || ctx_u || ctx_v || BE32(bits)),
 * out = the leftmost bits of K(1) || K(2) || ..., (bits + 7) / 8 bytes; when bits
 * is not a multiple of 8 the unused high bits of out[0] are cleared (Part 1
 * §11.4.10.2 "the leftmost bits ... ").
 * label: NUL-terminated ASCII, 1..XV_LABEL_MAX chars ("STORAGE", "INTEGRITY");
 * its NUL is the 0x00 above. key: 1..XV_KDFA_MAX bytes. ctx_u/ctx_v: u_len/v_len
 * bytes (NULL if 0; each <= XV_KDFA_MAX). bits: 1..XV_KDFA_MAX*8. out: out_cap
 * bytes of room (wiped on failure).
 * Returns 0; -XENIA_EINVAL (bad pointer, length or label); -XENIA_E2BIG
 * (out_cap < (bits + 7) / 8); -XENIA_ENOMEM (mbedTLS allocation failed).
 */
int xv_kdfa_sha256(const uint8_t *key, size_t key_len, const char *label,
                   const uint8_t *ctx_u, size_t u_len, const uint8_t *ctx_v, size_t v_len,
                   uint32_t bits, uint8_t *out, size_t out_cap) XV_WUR;

/*
 * xv_make_credential - the verifier's half of TPM2_MakeCredential/ActivateCredential
 * (TPM 2.0 Part 1 §24 "Credential Protection"; Part 3 §12.6 computes the same):
 *   seed      32 random bytes from f_rng (nameAlg SHA-256 digest size)
 *   encsec    RSAES-OAEP-SHA-256(EK, seed, label "IDENTITY\0") (Part 1 Annex
 *             B.10.3; the label's NUL is part of it), XV_ENCSEC_LEN bytes
 *   symKey    KDFa(SHA-256, seed, "STORAGE", name, -, 128)     (Part 1 §24.4)
 *   encIdent  AES-128-CFB(symKey, IV = 0, BE16(secret_len) || secret)
 *   hmacKey   KDFa(SHA-256, seed, "INTEGRITY", -, -, 256)      (Part 1 §24.5)
 *   idobj     BE16(32) || HMAC-SHA-256(hmacKey, encIdent || name) || encIdent
 * Symmetric parameters are those of the TCG default RSA 2048 EK template (TCG EK
 * Credential Profile, template L-1: AES-128 CFB, nameAlg SHA-256).
 * ek: an RSA 2048 public key (e.g. from xv_ek_chain_verify); only read.
 * name: the credentialed object's (AK's) TPM name: nameAlg BE16 || digest, with
 * nameAlg SHA-1/256/384/512 and name_len = 2 + its digest size.
 * secret: 1..XV_SECRET_MAX bytes. f_rng/p_rng: mbedTLS RNG callback (e.g.
 * mbedtls_ctr_drbg_random), called for the seed and the OAEP padding.
 * idobj: idcap bytes of room; *idlen = XV_IDOBJ_LEN(secret_len) (the
 * TPM2B_ID_OBJECT body). encsec: enccap bytes; *enclen = XV_ENCSEC_LEN (the
 * TPM2B_ENCRYPTED_SECRET body).
 * Returns 0; -XENIA_EINVAL (NULL pointer, ek not RSA 2048, bad name or
 * secret_len); -XENIA_E2BIG (idcap or enccap too small: *idlen and *enclen are
 * set to the sizes needed, nothing else written); -XENIA_EIO (f_rng or the RSA
 * operation failed); -XENIA_ENOMEM. Intermediate keys are wiped before return.
 */
int xv_make_credential(mbedtls_pk_context *ek, const uint8_t *name, size_t name_len,
                       const uint8_t *secret, size_t secret_len,
                       int (*f_rng)(void *, unsigned char *, size_t), void *p_rng,
                       uint8_t *idobj, size_t idcap, size_t *idlen,
                       uint8_t *encsec, size_t enccap, size_t *enclen) XV_WUR;

/*
 * xv_ecdsa_p256_verify - ECDSA on NIST P-256 over SHA-256(msg) (FIPS 186-4 §6.4;
 * TPM 2.0 Part 1 §C.3.2 TPM_ALG_ECDSA with TPM_ALG_SHA256, as in a quote's
 * TPMT_SIGNATURE by an ECC AK).
 * x, y: the public point's affine coordinates, 32 bytes big-endian each (the
 * TPMS_ECC_POINT of the AK's TPMT_PUBLIC, left-padded to 32). msg: msg_len bytes
 * (NULL allowed when 0). r, s: big-endian unsigned, 1..32 bytes each (the
 * TPMS_SIGNATURE_ECDSA TPM2Bs).
 * Returns 0 (valid); -XENIA_EACCES (signature does not verify, including r or s
 * zero or >= n); -XENIA_EINVAL (NULL pointer, bad lengths, point not on the
 * curve); -XENIA_ENOMEM.
 */
int xv_ecdsa_p256_verify(const uint8_t x[32], const uint8_t y[32],
                         const uint8_t *msg, size_t msg_len,
                         const uint8_t *r, size_t r_len,
                         const uint8_t *s, size_t s_len) XV_WUR;

/*
 * xv_ek_chain_verify - check an EK certificate (TCG EK Credential Profile) up to
 * a trusted root.
 * ek_der: the EK certificate, DER, ek_len <= XENIA_CERT_MAX. chain[i] (i <
 * nchain <= XV_CHAIN_MAX): intermediate CA certificates, DER, chain_len[i] <=
 * XENIA_CERT_MAX, any order (chain/chain_len may be NULL when nchain is 0).
 * trust: the trusted roots (a parsed mbedtls_x509_crt list; only read).
 * Checks, in order: every certificate parses; mbedtls_x509_crt_verify_with_profile
 * with mbedtls_x509_crt_profile_default (signatures, names, CA basicConstraints
 * and keyCertSign, validity periods; no CRLs); the EK certificate's key is RSA
 * with a 2048-bit modulus; it carries a keyUsage extension that includes
 * keyEncipherment (the Profile's keyUsage for an RSA EK: a decryption key).
 * ek_out: initialised by the caller with mbedtls_pk_init; on success it holds a
 * copy of the EK public key (the caller frees it with mbedtls_pk_free); on
 * failure it is left as initialised.
 * err: errlen bytes (may be NULL/0) for a NUL-terminated reason, e.g.
 *   "EK certificate: not issued by a trusted CA (flags 0x8: The certificate is
 *   not correctly signed by the trusted CA)"; "" on success.
 * Returns 0; -XENIA_EINVAL (NULL pointer, nchain or a length out of range, a
 * certificate that does not parse, ek_out already set up); -XENIA_EACCES (chain
 * does not verify, key not RSA 2048, keyUsage missing or without
 * keyEncipherment); -XENIA_ENOMEM.
 */
int xv_ek_chain_verify(const uint8_t *ek_der, size_t ek_len,
                       const uint8_t *const *chain, const size_t *chain_len, unsigned nchain,
                       mbedtls_x509_crt *trust, mbedtls_pk_context *ek_out,
                       char *err, size_t errlen) XV_WUR;

/*
 * xv_tls_exporter - RFC 5705 §4 keying material exporter for TLS 1.2 without
 * context: out = PRF(master, label, client_random || server_random)[0..out_len)
 * (RFC 5246 §5 P_hash), computed by mbedtls_ssl_tls_prf. Xenia uses it as the
 * TLS channel binding (label XENIA_ATT_EXPORTER_LABEL, 32 bytes); with the
 * extended master secret (RFC 7627) the master already covers the handshake.
 * prf_type: the mbedtls_tls_prf_types value mbedTLS's export-keys callback
 * reported; only MBEDTLS_SSL_TLS_PRF_SHA256 and _SHA384 (TLS 1.2) are accepted.
 * master: the 48-byte master secret. label: NUL-terminated ASCII, 1..XV_LABEL_MAX
 * chars. out: out_len bytes, 1..XV_EXPORTER_MAX.
 * Returns 0; -XENIA_EINVAL (NULL pointer, other prf_type, bad label or length);
 * -XENIA_ENOMEM.
 */
int xv_tls_exporter(int prf_type, const uint8_t master[48], const uint8_t client_random[32],
                    const uint8_t server_random[32], const char *label,
                    uint8_t *out, size_t out_len) XV_WUR;

/*
 * xv_qualifying_data - the quote's qualifyingData (TPM 2.0 Part 2 §10.12.8
 * extraData) as include/xenia/attest.h defines it: SHA-256(nonce || binding).
 * nonce: XENIA_NONCE_LEN bytes; binding: the 32-byte channel binding; out: 32.
 */
void xv_qualifying_data(const uint8_t nonce[32], const uint8_t binding[32], uint8_t out[32]);

#endif /* XENIA_ATTEST_XVCRYPTO_H */
