/* SPDX-License-Identifier: MIT */
/*
 * Measured launch: every component that defines the host's behaviour is hashed
 * (SHA-256), extended into a TPM PCR (attest/tpm.c, TPM2-TSS ESYS) and appended
 * to a TCG PC Client crypto-agile event log (attest/eventlog.c; TCG PC Client
 * PFP §10.2) kept in memory and at <run-dir>/tpm/eventlog.bin. The PCR map and
 * the event data grammar are in include/xenia/attest.h and docs/attestation.md.
 *
 * One mutex serialises the TPM and the log, so a quote and the log length it
 * covers are taken together (measure_quote). Thread-safe.
 */
#ifndef HV_MEASURE_H
#define HV_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/attest.h>

/* --tpm: "swtpm" (default: hv starts its own swtpm in <run-dir>/tpm), "none"
 * (log only, no quotes), or any other string = a TCTI configuration
 * ("device:/dev/tpmrm0", "swtpm:path=/run/tpm.sock"). */
struct measure_cfg {
    const char *run_dir;
    const char *tpm;
};

/*
 * measure_init - start the TPM (swtpm by default), create the attestation key
 * and start the event log with its Spec ID Event03 header. Returns 0 or
 * -errno with a reason in @err.
 */
int measure_init(const struct measure_cfg *cfg, char *err, size_t errlen);

/* measure_fini - stop swtpm (if ours) and close the TPM. */
void measure_fini(void);

/* measure_have_tpm - 1 when quotes are possible. */
int measure_have_tpm(void);

/*
 * measure_event - extend @pcr (8..10, see attest.h) with @digest and log an
 * EV_IPL event whose data is the printf-formatted description (ASCII, at most
 * XENIA_EV_DATA_MAX bytes). Returns 0 or -XENIA_Exxx (a TPM failure is logged
 * and returned; the log is not appended then, so log and PCR stay in step).
 */
int measure_event(uint32_t pcr, const uint8_t digest[32], const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * measure_state - measure a change already in effect (enforcing mode, a
 * boolean) into PCR 9: digest = SHA-256 of the formatted text, event data = the
 * same text. If that fails, attestation is disabled for the rest of the run
 * (every later quote fails with -XENIA_EIO): the log no longer tells the truth.
 */
void measure_state(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* measure_sha256_fd - SHA-256 of the whole file behind @fd (pread from 0, any
 * file type with a size, e.g. a sealed memfd). Returns 0 or -errno. */
int measure_sha256_fd(int fd, uint8_t out[32]);

/* measure_sha256 - SHA-256 of a buffer. */
void measure_sha256(const void *buf, size_t len, uint8_t out[32]);

/*
 * measure_policy - record @buf (a policy binary now in force) as the policy
 * that OP_POLICY returns, and measure it into PCR 9 with description @what
 * ("xenia:policy" at start, "xenia:loadpolicy" later). Returns 0 or -errno; on
 * failure attestation is disabled for the rest of the run (see measure_state).
 */
int measure_policy(const uint8_t *buf, size_t len, const char *what);

/*
 * measure_quote - quote PCRs 8-10 with @qdata (<= 64 bytes) as qualifyingData.
 * Fills TPMS_ATTEST (@attest, @alen), TPMT_SIGNATURE (@sig, @slen), the PCR
 * values (@pcrs) and, when @log_len is non-NULL, the log bytes that the quoted
 * PCRs cover. Returns 0, -XENIA_ENODATA without a TPM, -XENIA_EIO.
 */
int measure_quote(const uint8_t *qdata, size_t qlen, uint8_t *attest, size_t acap, size_t *alen,
                  uint8_t *sig, size_t scap, size_t *slen, uint8_t pcrs[XENIA_NR_PCRS][32],
                  uint64_t *log_len);

/* measure_log_read - copy log bytes [off, off+len) (clamped); returns the byte
 * count and sets *total to the log size. */
size_t measure_log_read(uint64_t off, void *buf, size_t len, uint64_t *total);

/* measure_policy_read - the same for the policy binary in force. */
size_t measure_policy_read(uint64_t off, void *buf, size_t len, uint64_t *total);

/* measure_static - EK certificate (DER), its issuer (DER, may be empty) and the
 * AK's TPMT_PUBLIC. Returns 0 or -XENIA_ENODATA / -XENIA_E2BIG. */
int measure_static(uint8_t *ek, size_t ekcap, size_t *eklen, uint8_t *issuer, size_t icap,
                   size_t *ilen, uint8_t *akpub, size_t akcap, size_t *aklen);

/* measure_activate - TPM2_ActivateCredential with the EK and the AK. */
int measure_activate(const uint8_t *idobj, size_t idlen, const uint8_t *encsec, size_t enclen,
                     uint8_t *secret, size_t cap, size_t *slen);

/* measure_ca_root - path of the EK CA root certificate (swtpm's local CA), "" if none. */
const char *measure_ca_root(void);

#endif /* HV_MEASURE_H */
