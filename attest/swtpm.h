/* SPDX-License-Identifier: MIT */
/*
 * The swtpm launcher: hv's default TPM 2.0 is a libtpms-based swtpm child
 * process, one per run directory, reached through the TSS "swtpm" TCTI.
 *
 * Layout under <run_dir>/tpm (all created by swtpm_start, mode 0700):
 *   state/                TPM state (tpm2-00.permall): survives hv restarts
 *   ca/                   local CA made by swtpm_localca on first set-up:
 *                         swtpm-localca-rootca-cert.pem (root), issuercert.pem
 *                         (intermediate that signs the EK certificate),
 *                         signkey.pem and the root's private key
 *   swtpm_setup.conf, localca.conf, localca.options   written on every start
 *   swtpm.sock, swtpm.sock.ctrl                       the TPM's data and
 *                                                     control sockets
 *   swtpm.log             output of swtpm_setup and of swtpm
 *
 * First start (no state/tpm2-00.permall): swtpm_setup manufactures the TPM:
 * RSA 2048 EK persistent at 0x81010001 with its certificate in NV 0x01c00002
 * (TCG EK Credential Profile §2.2.1.4), a platform certificate (manufacturer
 * "Xenia", model "xenia-hv"), only the SHA-256 PCR bank active. Every start
 * runs `swtpm socket --tpm2 ... --flags not-need-init,startup-clear`: the
 * persistent objects (EK, certificates, hierarchy seeds) survive from run to
 * run, the PCRs do not (TPM2_Startup(CLEAR) resets them).
 *
 * Sources: swtpm(8), swtpm_setup(8), swtpm_setup.conf(5), swtpm_localca(8),
 * swtpm-localca.conf(5), swtpm-localca.options(5); TCG TSS 2.0 TCTI spec.
 */
#ifndef ATTEST_SWTPM_H
#define ATTEST_SWTPM_H

#include <stddef.h>
#include <sys/types.h>

struct swtpm {
    pid_t pid;                 /* the swtpm child, 0 when none */
    char dir[512];             /* <run_dir>/tpm */
    char tcti[600];            /* "swtpm:path=<dir>/swtpm.sock" */
    char ca_root[600];         /* <dir>/ca/swtpm-localca-rootca-cert.pem: the verifier's trust anchor */
    char ca_issuer[600];       /* <dir>/ca/issuercert.pem: the EK cert's issuer (intermediate) */
};

/*
 * Make <run_dir>/tpm, manufacture the TPM there if it has no state yet
 * (swtpm_setup, ~1.3 s here), then start swtpm as a child of the calling
 * thread and wait (at most SWTPM_START_TIMEOUT_MS) until its data socket
 * accepts connections. On success fills *s (pid, dir, tcti, ca_root,
 * ca_issuer) and returns 0; s->tcti is the string for tpm_open().
 *
 * The child gets PR_SET_PDEATHSIG(SIGTERM): it dies when the thread that
 * called swtpm_start exits, so call this from a thread that lives as long as
 * hv (its main thread). It runs in its own process group (terminal signals go
 * to hv only), with stdin /dev/null, stdout/stderr appended to swtpm.log and
 * every other fd closed. Callers must not reap children they did not start
 * (waitpid(-1)): swtpm_stop reaps this one.
 *
 * Errors (s->pid is 0 after any error, no child is left running):
 *   -ENAMETOOLONG  run_dir too long for the paths or for a socket address
 *   -errno         mkdir / writing the configuration / fork / socket failed
 *   -EIO           swtpm_setup failed, or swtpm exited before it accepted
 *   -ETIMEDOUT     swtpm_setup or swtpm did not get ready in time
 * and err (if errlen > 0) names the failed step and points at swtpm.log.
 */
int swtpm_start(const char *run_dir, struct swtpm *s, char *err, size_t errlen);

/*
 * Stop the child started by swtpm_start: SIGTERM, reap it (waits at most
 * ~2 s, then SIGKILL). Sets s->pid to 0. Safe on a zeroed or stopped struct.
 */
void swtpm_stop(struct swtpm *s);

#define SWTPM_START_TIMEOUT_MS 5000   /* swtpm socket ready */
#define SWTPM_SETUP_TIMEOUT_MS 60000  /* swtpm_setup (key generation) */

#endif /* ATTEST_SWTPM_H */
