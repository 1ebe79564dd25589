/* SPDX-License-Identifier: MIT */
/*
 * Parsers of the TPM 2.0 structures the verifier receives (TPM 2.0 Part 2,
 * "Structures", rev 1.59): TPMS_ATTEST of a quote, TPMT_SIGNATURE (ECDSA) and
 * TPMT_PUBLIC (ECC), plus the AK policy check, object Names and PCR digests.
 * Pure C: no system calls, no allocation. All TPM integers are big-endian; every
 * read goes through one bounded cursor; the whole input must be consumed. Outputs
 * are written only on success. Errors carry a precise reason in err
 * (NUL-terminated, errlen bytes; err may be NULL when errlen is 0).
 */
#ifndef XENIA_ATTEST_TPM2_PARSE_H
#define XENIA_ATTEST_TPM2_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "xenia/attest.h"

/* The TSS2 headers (tss2_tpm2_types.h) define the same names with the same values;
 * if one of them came first, theirs stand. */
#ifndef TPM2_GENERATED_VALUE
#define TPM2_GENERATED_VALUE 0xff544347u   /* Part 2 §6.2 TPM_GENERATED_VALUE */
#define TPM2_ST_ATTEST_QUOTE 0x8018u       /* Part 2 §6.9 TPM_ST_ATTEST_QUOTE */
#define TPM2_ALG_SHA256      0x000Bu       /* Part 2 §6.3 TPM_ALG_ID */
#define TPM2_ALG_ECC         0x0023u
#define TPM2_ALG_ECDSA       0x0018u
#define TPM2_ALG_NULL        0x0010u
#define TPM2_ECC_NIST_P256   0x0003u       /* Part 2 §6.4 TPM_ECC_CURVE */
#endif

/* TPMA_OBJECT bits (Part 2 §8.3.2). */
#define TPM2_OA_FIXEDTPM            (1u << 1)
#define TPM2_OA_STCLEAR             (1u << 2)
#define TPM2_OA_FIXEDPARENT         (1u << 4)
#define TPM2_OA_SENSITIVEDATAORIGIN (1u << 5)
#define TPM2_OA_USERWITHAUTH        (1u << 6)
#define TPM2_OA_ADMINWITHPOLICY     (1u << 7)
#define TPM2_OA_NODA                (1u << 10)
#define TPM2_OA_RESTRICTED          (1u << 16)
#define TPM2_OA_DECRYPT             (1u << 17)
#define TPM2_OA_SIGN                (1u << 18)
/* What tpm2_check_ak requires set. */
#define TPM2_AK_ATTRS_REQUIRED (TPM2_OA_FIXEDTPM | TPM2_OA_FIXEDPARENT | \
                                TPM2_OA_SENSITIVEDATAORIGIN | TPM2_OA_RESTRICTED | \
                                TPM2_OA_SIGN)

#define TPM2P_WUR __attribute__((warn_unused_result))

struct tpm2_quote {            /* TPMS_ATTEST (§10.12.8) with TPMS_QUOTE_INFO (§10.12.4) */
    uint32_t magic; uint16_t type;
    uint8_t signer[68]; uint16_t signer_len;           /* qualifiedSigner TPM2B_NAME */
    uint8_t extra[64]; uint16_t extra_len;             /* extraData = qualifyingData */
    uint64_t clock; uint32_t reset_count, restart_count; uint8_t safe; uint64_t firmware;
    uint32_t pcr_mask;          /* SHA-256 bank selection as a bitmap of PCR 0..23 */
    uint8_t pcr_digest[32]; uint16_t pcr_digest_len;
};

/*
 * tpm2_parse_quote - parse a marshaled TPMS_ATTEST (the TPM2B_ATTEST body of
 * TPM2_Quote, Part 3 §18.4) of at most XENIA_TPM_ATTEST_MAX bytes.
 * Accepts only: magic TPM_GENERATED_VALUE, type TPM_ST_ATTEST_QUOTE, signer
 * <= 68 bytes, extraData <= 64, clockInfo.safe 0 or 1, exactly one
 * TPMS_PCR_SELECTION, of the SHA-256 bank, sizeofSelect 1..3 (PC Client TPMs
 * write 3), pcrDigest <= 32 bytes, no trailing bytes.
 * Returns 0 and fills *q; -XENIA_EINVAL (NULL argument); -XENIA_EPROTO.
 */
int tpm2_parse_quote(const uint8_t *buf, size_t len, struct tpm2_quote *q,
                     char *err, size_t errlen) TPM2P_WUR;

struct tpm2_sig { uint16_t sig_alg, hash_alg; uint8_t r[32]; uint16_t r_len; uint8_t s[32]; uint16_t s_len; };  /* TPMT_SIGNATURE §11.3.4, ECDSA only */

/*
 * tpm2_parse_signature - parse a marshaled TPMT_SIGNATURE (<= XENIA_TPM_SIG_MAX
 * bytes) whose sigAlg is TPM_ALG_ECDSA: {hash u16, TPM2B r, TPM2B s} with r and
 * s of 1..32 bytes (P-256). hash_alg is returned, not checked: the caller
 * requires SHA-256.
 * Returns 0 and fills *s; -XENIA_EINVAL (NULL argument); -XENIA_EPROTO.
 */
int tpm2_parse_signature(const uint8_t *buf, size_t len, struct tpm2_sig *s,
                         char *err, size_t errlen) TPM2P_WUR;

struct tpm2_ecc_pub { uint16_t type, name_alg; uint32_t attributes; uint16_t sym_alg, scheme, scheme_hash, curve, kdf;
                      uint8_t x[32], y[32]; uint16_t x_len, y_len; };  /* TPMT_PUBLIC §12.2.4, ECC */

/*
 * tpm2_parse_ecc_public - parse a marshaled TPMT_PUBLIC (the TPM2B_PUBLIC body,
 * <= XENIA_TPM_PUB_MAX bytes) of type TPM_ALG_ECC: type, nameAlg, objectAttributes,
 * authPolicy (<= 64 bytes, skipped), TPMS_ECC_PARMS (§12.2.3.6: symmetric with
 * keyBits/mode unless NULL, scheme with its hash (and ECDAA count) unless NULL,
 * curveID, kdf with its hash unless NULL) and unique TPMS_ECC_POINT with x, y
 * of at most 32 bytes each. scheme_hash and kdf's hash are 0 when absent.
 * Returns 0 and fills *p; -XENIA_EINVAL (NULL argument); -XENIA_EPROTO.
 */
int tpm2_parse_ecc_public(const uint8_t *buf, size_t len, struct tpm2_ecc_pub *p,
                          char *err, size_t errlen) TPM2P_WUR;

/*
 * tpm2_check_ak - is *p a restricted signing attestation key Xenia accepts?
 * ECC, curve NIST P-256 with 32-byte x and y, nameAlg SHA-256, scheme ECDSA
 * with SHA-256, symmetric NULL, kdf NULL, attributes fixedTPM, fixedParent,
 * sensitiveDataOrigin, restricted and sign set and decrypt clear (a restricted
 * signing key that never left the TPM, TPM 2.0 Part 1 "Attestation keys").
 * Returns 0; -XENIA_EINVAL (NULL); -XENIA_EPROTO (err names the first failing rule).
 */
int tpm2_check_ak(const struct tpm2_ecc_pub *p, char *err, size_t errlen) TPM2P_WUR;

/*
 * tpm2_public_name - Name of an object (TPM 2.0 Part 1, "Names"): nameAlg (be16, must be
 * TPM_ALG_SHA256, read from bytes 2..3 of pub) || SHA-256(pub).
 * pub: the marshaled TPMT_PUBLIC (not TPM2B_PUBLIC), 4..XENIA_TPM_PUB_MAX bytes.
 * Returns 0 and writes name[0..33]; -XENIA_EINVAL (NULL, bad len);
 * -XENIA_EPROTO (nameAlg not SHA-256); -XENIA_EIO (SHA-256 failed).
 */
int tpm2_public_name(const uint8_t *pub, size_t len, uint8_t name[34]) TPM2P_WUR;

/*
 * tpm2_pcr_digest - the pcrDigest a TPM2_Quote over the SHA-256 bank would
 * carry (Part 3 §18.4): SHA-256 over the values of the PCRs selected in mask
 * (bit i = PCR i, i < XENIA_NR_PCRS), concatenated in increasing index order.
 * Returns 0 and writes out[32]; -XENIA_EINVAL (NULL, mask bit >= XENIA_NR_PCRS);
 * -XENIA_EIO (SHA-256 failed).
 */
int tpm2_pcr_digest(const uint8_t pcrs[XENIA_NR_PCRS][32], uint32_t mask,
                    uint8_t out[32]) TPM2P_WUR;

#endif /* XENIA_ATTEST_TPM2_PARSE_H */
