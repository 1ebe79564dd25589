/* SPDX-License-Identifier: MIT */
/* Measured launch: PCR extends and the TCG event log. See measure.h. */
#include "measure.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <xenia/abi.h>

#include "attest/eventlog.h"
#include "attest/swtpm.h"
#include "attest/tpm.h"
#include "log.h"

static struct {
    pthread_mutex_t lock;
    struct tpm *tpm;                   /* NULL: --tpm none */
    struct swtpm sw;                   /* ours when sw.pid > 0 */
    uint8_t *log;                      /* event log bytes */
    size_t log_len, log_cap;
    int log_fd;                        /* <run-dir>/tpm/eventlog.bin */
    uint8_t *policy;                   /* policy binary in force */
    size_t policy_len;
    uint8_t ek[XENIA_CERT_MAX], issuer[XENIA_CERT_MAX], akpub[XENIA_TPM_PUB_MAX];
    size_t ek_len, issuer_len, akpub_len;
    char ca_root[600];
    int broken;                        /* a change took effect unmeasured: no more quotes */
} ms = { .lock = PTHREAD_MUTEX_INITIALIZER, .log_fd = -1 };

void measure_sha256(const void *buf, size_t len, uint8_t out[32])
{
    mbedtls_sha256_ret(buf, len, out, 0);
}

int measure_sha256_fd(int fd, uint8_t out[32])
{
    mbedtls_sha256_context c;
    static __thread uint8_t buf[65536];
    off_t off = 0;
    ssize_t n;

    mbedtls_sha256_init(&c);
    mbedtls_sha256_starts_ret(&c, 0);
    while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
        mbedtls_sha256_update_ret(&c, buf, (size_t)n);
        off += n;
    }
    if (n < 0) {
        int e = errno;
        mbedtls_sha256_free(&c);
        return -e;
    }
    mbedtls_sha256_finish_ret(&c, out);
    mbedtls_sha256_free(&c);
    return 0;
}

/* Append bytes to the in-memory log and its file; caller holds the lock. */
static int log_append(const uint8_t *p, size_t n)
{
    if (ms.log_len + n > XENIA_EVLOG_MAX)
        return -XENIA_ENOSPC;
    if (ms.log_len + n > ms.log_cap) {
        size_t cap = ms.log_cap ? ms.log_cap * 2 : 16384;
        while (cap < ms.log_len + n)
            cap *= 2;
        if (cap > XENIA_EVLOG_MAX)
            cap = XENIA_EVLOG_MAX;
        uint8_t *q = realloc(ms.log, cap);
        if (q == NULL)
            return -XENIA_ENOMEM;
        ms.log = q;
        ms.log_cap = cap;
    }
    memcpy(ms.log + ms.log_len, p, n);
    ms.log_len += n;
    if (ms.log_fd >= 0 && pwrite(ms.log_fd, p, n, (off_t)(ms.log_len - n)) != (ssize_t)n)
        log_warn("measure: cannot write the event log file: %s", strerror(errno));
    return 0;
}

/* The DER form of the first certificate in a PEM file. */
static int pem_to_der(const char *path, uint8_t *out, size_t cap, size_t *len)
{
    mbedtls_x509_crt crt;
    int rc = -XENIA_EIO;

    mbedtls_x509_crt_init(&crt);
    if (mbedtls_x509_crt_parse_file(&crt, path) == 0 && crt.raw.len <= cap) {
        memcpy(out, crt.raw.p, crt.raw.len);
        *len = crt.raw.len;
        rc = 0;
    }
    mbedtls_x509_crt_free(&crt);
    return rc;
}

int measure_init(const struct measure_cfg *cfg, char *err, size_t errlen)
{
    char dir[600], path[700];
    uint8_t hdr[128];
    size_t hl;
    const char *tcti = NULL;
    int rc;

    snprintf(dir, sizeof(dir), "%s/tpm", cfg->run_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -errno;
    }
    snprintf(path, sizeof(path), "%s/eventlog.bin", dir);
    ms.log_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (ms.log_fd < 0)
        log_warn("measure: cannot create %s: %s", path, strerror(errno));
    rc = evlog_encode_header(hdr, sizeof(hdr), &hl);
    if (rc < 0 || (rc = log_append(hdr, hl)) < 0) {
        snprintf(err, errlen, "event log header: error %d", rc);
        return rc;
    }
    if (cfg->tpm == NULL || strcmp(cfg->tpm, "swtpm") == 0) {
        rc = swtpm_start(cfg->run_dir, &ms.sw, err, errlen);
        if (rc < 0)
            return rc;
        tcti = ms.sw.tcti;
        snprintf(ms.ca_root, sizeof(ms.ca_root), "%s", ms.sw.ca_root);
    } else if (strcmp(cfg->tpm, "none") == 0) {
        log_warn("measure: --tpm none: measurements are logged but not extended; no quotes");
        return 0;
    } else {
        tcti = cfg->tpm;
    }
    rc = tpm_open(tcti, &ms.tpm, err, errlen);
    if (rc < 0)
        goto fail;
    rc = tpm_ak_setup(ms.tpm, err, errlen);
    if (rc < 0)
        goto fail;
    if (tpm_ek_cert(ms.tpm, ms.ek, sizeof(ms.ek), &ms.ek_len) < 0)
        log_warn("measure: the TPM has no EK certificate in NV 0x01c00002");
    if (ms.sw.pid > 0 && pem_to_der(ms.sw.ca_issuer, ms.issuer, sizeof(ms.issuer), &ms.issuer_len) < 0)
        log_warn("measure: cannot read the EK issuer certificate %s", ms.sw.ca_issuer);
    rc = tpm_ak_public(ms.tpm, ms.akpub, sizeof(ms.akpub), &ms.akpub_len);
    if (rc < 0) {
        snprintf(err, errlen, "cannot read the AK public area: error %d", rc);
        goto fail;
    }
    log_info("measure: TPM %s, AK ready, event log %s", tcti, path);
    return 0;
fail:
    measure_fini();
    return rc;
}

void measure_fini(void)
{
    pthread_mutex_lock(&ms.lock);
    if (ms.tpm)
        tpm_close(ms.tpm);
    ms.tpm = NULL;
    if (ms.sw.pid > 0)
        swtpm_stop(&ms.sw);
    if (ms.log_fd >= 0)
        close(ms.log_fd);
    ms.log_fd = -1;
    pthread_mutex_unlock(&ms.lock);
}

int measure_have_tpm(void)
{
    return ms.tpm != NULL;
}

int measure_event(uint32_t pcr, const uint8_t digest[32], const char *fmt, ...)
{
    char data[XENIA_EV_DATA_MAX + 1];
    uint8_t ev[XENIA_EV_DATA_MAX + 128];
    size_t el;
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(data, sizeof(data), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -XENIA_EINVAL;
    if ((size_t)n > XENIA_EV_DATA_MAX)
        n = XENIA_EV_DATA_MAX;
    rc = evlog_encode_event(ev, sizeof(ev), pcr, EVLOG_EV_IPL, digest, (const uint8_t *)data,
                            (uint32_t)n, &el);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&ms.lock);
    if (ms.log_len + el > XENIA_EVLOG_MAX) {
        rc = -XENIA_ENOSPC;
    } else if (ms.tpm && (rc = tpm_extend(ms.tpm, pcr, digest)) < 0) {
        log_err("measure: PCR %u extend failed (%d): %s", pcr, rc, data);
    } else {
        rc = log_append(ev, el);
    }
    pthread_mutex_unlock(&ms.lock);
    if (rc == -XENIA_ENOSPC)
        log_err("measure: event log full (%u bytes): refusing '%s'", XENIA_EVLOG_MAX, data);
    else if (rc == 0)
        log_debug("measure: PCR %u %s", pcr, data);
    return rc;
}

void measure_state(const char *fmt, ...)
{
    char text[256];
    uint8_t d[32];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof(text))
        n = sizeof(text) - 1;
    measure_sha256(text, (size_t)n, d);
    if (measure_event(XENIA_PCR_POLICY, d, "%s", text) < 0) {
        pthread_mutex_lock(&ms.lock);
        ms.broken = 1;
        pthread_mutex_unlock(&ms.lock);
        log_err("measure: '%s' is in effect but not measured: attestation disabled", text);
    }
}

int measure_policy(const uint8_t *buf, size_t len, const char *what)
{
    uint8_t d[32];
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    if (copy == NULL)
        return -XENIA_ENOMEM;
    memcpy(copy, buf, len);
    measure_sha256(buf, len, d);
    rc = measure_event(XENIA_PCR_POLICY, d, "%s", what);
    if (rc < 0) {
        free(copy);
        pthread_mutex_lock(&ms.lock);
        ms.broken = 1;
        pthread_mutex_unlock(&ms.lock);
        log_err("measure: the policy in force is not measured: attestation disabled");
        return rc;
    }
    pthread_mutex_lock(&ms.lock);
    free(ms.policy);
    ms.policy = copy;
    ms.policy_len = len;
    pthread_mutex_unlock(&ms.lock);
    return 0;
}

int measure_quote(const uint8_t *qdata, size_t qlen, uint8_t *attest, size_t acap, size_t *alen,
                  uint8_t *sig, size_t scap, size_t *slen, uint8_t pcrs[XENIA_NR_PCRS][32],
                  uint64_t *log_len)
{
    int rc;

    pthread_mutex_lock(&ms.lock);
    if (ms.tpm == NULL) {
        rc = -XENIA_ENODATA;
    } else if (ms.broken) {
        rc = -XENIA_EIO;
    } else {
        rc = tpm_quote(ms.tpm, XENIA_PCR_MASK, qdata, qlen, attest, acap, alen, sig, scap, slen);
        if (rc == 0 && pcrs)
            rc = tpm_pcr_read(ms.tpm, XENIA_PCR_MASK, pcrs);
        if (log_len)
            *log_len = ms.log_len;
    }
    pthread_mutex_unlock(&ms.lock);
    return rc;
}

static size_t copy_range(const uint8_t *src, size_t srclen, uint64_t off, void *buf, size_t len)
{
    if (off >= srclen)
        return 0;
    if (len > srclen - off)
        len = srclen - (size_t)off;
    memcpy(buf, src + off, len);
    return len;
}

size_t measure_log_read(uint64_t off, void *buf, size_t len, uint64_t *total)
{
    size_t n;

    pthread_mutex_lock(&ms.lock);
    n = copy_range(ms.log, ms.log_len, off, buf, len);
    *total = ms.log_len;
    pthread_mutex_unlock(&ms.lock);
    return n;
}

size_t measure_policy_read(uint64_t off, void *buf, size_t len, uint64_t *total)
{
    size_t n;

    pthread_mutex_lock(&ms.lock);
    n = copy_range(ms.policy, ms.policy_len, off, buf, len);
    *total = ms.policy_len;
    pthread_mutex_unlock(&ms.lock);
    return n;
}

int measure_static(uint8_t *ek, size_t ekcap, size_t *eklen, uint8_t *issuer, size_t icap,
                   size_t *ilen, uint8_t *akpub, size_t akcap, size_t *aklen)
{
    if (ms.tpm == NULL)
        return -XENIA_ENODATA;
    if (ms.ek_len > ekcap || ms.issuer_len > icap || ms.akpub_len > akcap)
        return -XENIA_E2BIG;
    memcpy(ek, ms.ek, ms.ek_len);
    *eklen = ms.ek_len;
    memcpy(issuer, ms.issuer, ms.issuer_len);
    *ilen = ms.issuer_len;
    memcpy(akpub, ms.akpub, ms.akpub_len);
    *aklen = ms.akpub_len;
    return 0;
}

int measure_activate(const uint8_t *idobj, size_t idlen, const uint8_t *encsec, size_t enclen,
                     uint8_t *secret, size_t cap, size_t *slen)
{
    int rc;

    pthread_mutex_lock(&ms.lock);
    rc = ms.tpm ? tpm_activate(ms.tpm, idobj, idlen, encsec, enclen, secret, cap, slen)
                : -XENIA_ENODATA;
    pthread_mutex_unlock(&ms.lock);
    return rc;
}

const char *measure_ca_root(void)
{
    return ms.ca_root;
}
