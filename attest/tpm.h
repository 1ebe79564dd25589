/* SPDX-License-Identifier: MIT */
/*
 * hv's TPM shell over TPM2-TSS ESYS: PCR extend and read, the attestation key
 * (AK) under the endorsement key (EK), the EK certificate, quotes and
 * credential activation. One struct tpm per TPM connection (swtpm via
 * "swtpm:path=...", or "device:/dev/tpmrm0" on hardware).
 *
 * NOT thread-safe: ESYS contexts are single-threaded, so hv serialises every
 * call on one struct tpm with its own mutex. Every function returns 0 or a
 * negative -XENIA_Exxx (include/xenia/abi.h):
 *   -XENIA_EINVAL  bad argument (NULL, PCR >= 24, oversized input) or no AK
 *                  yet (tpm_ak_setup not called or failed)
 *   -XENIA_E2BIG   an output buffer is too small (the needed size is stored
 *                  in the length output where the function has one)
 *   -XENIA_EIO     the TPM or the TSS failed (TSS2_RC in err where there is one)
 *   -XENIA_EACCES  tpm_activate: the TPM refused the credential (integrity
 *                  or decryption check failed)
 *   -XENIA_ENOMEM  out of memory
 *
 * Objects (TPM 2.0 Part 1 §24, TCG EK Credential Profile 2.0 §2.2.1.4 / B.3.3):
 *   EK  RSA 2048, persistent at TPM_EK_HANDLE (swtpm_setup makes it), template
 *       L-1 (policy A = PolicySecret(TPM_RH_ENDORSEMENT), AES-128-CFB,
 *       restricted decrypt); if absent, recreated from the same template with
 *       TPM2_CreatePrimary (same seed => same key) and kept transient.
 *   AK  ECC NIST P-256, ECDSA/SHA-256, nameAlg SHA-256, fixedTPM | fixedParent
 *       | sensitiveDataOrigin | userWithAuth | restricted | sign, empty auth,
 *       child of the EK, transient (loaded for the life of the struct tpm).
 * All PCR operations use the SHA-256 bank only.
 */
#ifndef ATTEST_TPM_H
#define ATTEST_TPM_H

#include <stddef.h>
#include <stdint.h>

#include "xenia/attest.h"

#define TPM_EK_HANDLE      0x81010001u   /* TCG Provisioning Guidance: RSA EK */
#define TPM_EK_CERT_NV     0x01c00002u   /* TCG EK Credential Profile §2.2.1.5: RSA 2048 EK cert */
#define TPM_QDATA_MAX      64u           /* TPM2B_DATA buffer (sizeof(TPMT_HA)) */

struct tpm;

/*
 * Connect to the TPM named by tcti_conf (Tss2_TctiLdr_Initialize syntax, e.g.
 * "swtpm:path=/run/xenia/tpm/swtpm.sock") and make an ESYS context; sends
 * TPM2_Startup(CLEAR) (TPM_RC_INITIALIZE, "already started", is fine).
 * TSS logging is silenced (TSS2_LOG=all+NONE unless TSS2_LOG is already set)
 * unless XENIA_TSS2_LOG is set, whose value then becomes TSS2_LOG. Calls
 * setenv(): call it before hv starts threads that read the environment.
 * Returns 0 and *out, or -XENIA_EINVAL / -XENIA_ENOMEM / -XENIA_EIO (err names
 * the TSS call and Tss2_RC_Decode of its result).
 */
int tpm_open(const char *tcti_conf, struct tpm **out, char *err, size_t errlen);

/* Flush the AK (and a transient EK), finalize ESYS and the TCTI, free t. NULL is fine. */
void tpm_close(struct tpm *t);

/*
 * TPM2_PCR_Extend (Part 3 §22.2) of PCR pcr (0..23) in the SHA-256 bank with
 * digest (32 bytes): PCR := SHA-256(PCR || digest). -XENIA_EINVAL, -XENIA_EIO.
 */
int tpm_extend(struct tpm *t, uint32_t pcr, const uint8_t digest[32]);

/*
 * Read the SHA-256 PCRs whose bits are set in mask (bit i = PCR i, i < 24)
 * into pcrs[i]; other entries are untouched. TPM2_PCR_Read (Part 3 §22.4)
 * returns at most 8 digests per call, so this loops (bounded).
 * -XENIA_EINVAL (mask bits >= 24), -XENIA_EIO (TPM error, or the TPM did not
 * return a selected PCR).
 */
int tpm_pcr_read(struct tpm *t, uint32_t mask, uint8_t pcrs[XENIA_NR_PCRS][32]);

/*
 * Find the EK (persistent TPM_EK_HANDLE, else CreatePrimary with template
 * L-1), then create and load a new AK under it (TPM2_Create and TPM2_Load,
 * each authorised by a fresh policy session with
 * PolicySecret(TPM_RH_ENDORSEMENT), flushed after use). Calling it again
 * replaces the AK (the old one is flushed once the new one is loaded), so a
 * caller must re-read tpm_ak_public afterwards.
 * -XENIA_EIO (err: the failed ESYS call and its decoded TSS2_RC), -XENIA_ENOMEM.
 */
int tpm_ak_setup(struct tpm *t, char *err, size_t errlen);

/*
 * Copy the EK certificate (DER, NV index TPM_EK_CERT_NV, owner-readable and
 * authRead with empty auth) into der[0..cap). Read with TPM2_NV_Read in chunks
 * of at most TPM_PT_NV_BUFFER_MAX bytes. *len = its size (also on -E2BIG).
 * -XENIA_E2BIG, -XENIA_EIO (no such index, TPM error).
 */
int tpm_ek_cert(struct tpm *t, uint8_t *der, size_t cap, size_t *len);

/*
 * The AK's TPMT_PUBLIC (Part 2 §12.2.4), marshaled with
 * Tss2_MU_TPMT_PUBLIC_Marshal, without the TPM2B size prefix: the bytes whose
 * SHA-256 (prefixed by 0x000b) is the AK's name. *len = its size (also on
 * -E2BIG). -XENIA_EINVAL (no AK), -XENIA_E2BIG.
 */
int tpm_ak_public(struct tpm *t, uint8_t *out, size_t cap, size_t *len);

/*
 * TPM2_Quote (Part 3 §18.4) with the AK, scheme ECDSA/SHA-256, over the
 * SHA-256 PCRs in pcr_mask (bits < 24, at least one), qualifyingData = qdata
 * (qlen <= TPM_QDATA_MAX; NULL with qlen 0 is fine).
 * attest <- the TPMS_ATTEST (Part 2 §10.12.8), i.e. the TPM2B_ATTEST body,
 *           *alen bytes;
 * sig    <- the TPMT_SIGNATURE (Part 2 §11.3.4) marshaled, *slen bytes.
 * On -XENIA_E2BIG both *alen and *slen hold the sizes needed.
 * -XENIA_EINVAL (bad mask or qlen, no AK), -XENIA_E2BIG, -XENIA_EIO.
 */
int tpm_quote(struct tpm *t, uint32_t pcr_mask, const uint8_t *qdata, size_t qlen,
              uint8_t *attest, size_t acap, size_t *alen,
              uint8_t *sig, size_t scap, size_t *slen);

/*
 * TPM2_ActivateCredential (Part 3 §12.5): activateHandle = the AK (password
 * session, empty auth), keyHandle = the EK (a fresh PolicySecret(endorsement)
 * session). idobj is the TPM2B_ID_OBJECT body (1..sizeof credential bytes),
 * encsec the TPM2B_ENCRYPTED_SECRET body (1..sizeof secret bytes), both as
 * made by TPM2_MakeCredential for the AK's name and the EK's public key.
 * secret <- the credential (TPM2B_DIGEST body), *slen bytes (also on -E2BIG).
 * -XENIA_EACCES: the TPM rejected a parameter (TPM_RC_INTEGRITY: wrong name or
 * tampered blob; TPM_RC_VALUE / TPM_RC_SIZE: undecryptable secret), or
 * answered TPM_RC_FAILURE (libtpms' answer to a seed whose OAEP decoding
 * fails) while TPM2_GetTestResult says it is not in failure mode;
 * -XENIA_EINVAL (sizes, no AK), -XENIA_E2BIG, -XENIA_EIO.
 */
int tpm_activate(struct tpm *t, const uint8_t *idobj, size_t idlen,
                 const uint8_t *encsec, size_t enclen,
                 uint8_t *secret, size_t cap, size_t *slen);

#endif /* ATTEST_TPM_H */
