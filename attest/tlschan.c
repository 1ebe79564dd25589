/* SPDX-License-Identifier: MIT */
/*
 * The attestation TLS channel (tlschan.h): mbedTLS 2.28 with blocking-style
 * bio callbacks that wait with poll() against the operation's deadline, the
 * RFC 5705 exporter for the channel binding, and framed messages.
 *
 * System calls made (the agent's seccomp list depends on this): send/recv on
 * the given fd (sendto/recvfrom), poll, close, clock_gettime (vDSO) and
 * getrandom (mbedtls_entropy's platform source); the client side also
 * socket/connect/getsockopt/getaddrinfo (not built with TLSCHAN_SERVER_ONLY).
 */
#include "tlschan.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef TLSCHAN_SERVER_ONLY
#include <fcntl.h>
#include <netdb.h>
#endif

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
/* For handshake->extended_ms, read in the export-keys callback: mbedTLS 2.28
 * has no public way to learn whether RFC 7627 was negotiated, and the channel
 * binding is only sound with it. */
#include <mbedtls/ssl_internal.h>

#include "items.h"

#if !defined(MBEDTLS_SSL_EXPORT_KEYS) || !defined(MBEDTLS_SSL_EXTENDED_MASTER_SECRET) || \
    !defined(MBEDTLS_X509_CRT_WRITE_C) || !defined(MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED)
#error "tlschan needs mbedTLS with EXPORT_KEYS, EXTENDED_MASTER_SECRET, X509_CRT_WRITE_C and ECDHE-ECDSA"
#endif

#define MS_LEN        48u
#define STAGE_LEN     16384u       /* MBEDTLS_SSL_OUT_CONTENT_LEN: one record */
#define CLOSE_MS      100u

struct tlschan_rng {
    mbedtls_entropy_context ent;
    mbedtls_ctr_drbg_context drbg;
};

struct tlschan_server {
    struct tlschan_rng rng;
    mbedtls_pk_context key;
    mbedtls_x509_crt crt;
};

struct tlschan {
    int fd;
    int is_server;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    struct tlschan_rng *rng;       /* the server's, or own_rng */
    struct tlschan_rng own_rng;
    int own_rng_init;
    uint64_t deadline;             /* overall, 0 = none */
    uint64_t op_deadline;          /* the running operation's */
    unsigned timeout_ms;
    /* Why the last bio call failed (reset per operation). */
    int timed_out, eof, sock_err;
    /* Exporter inputs captured by the export-keys callback during the handshake. */
    int have_keys, ems;
    mbedtls_tls_prf_types prf;
    uint8_t ms[MS_LEN], crand[32], srand[32];
    uint8_t binding[TLSCHAN_BINDING_LEN];
    uint8_t stage[STAGE_LEN];
};

/* TLS 1.2 ECDHE-ECDSA AEAD suites only (RFC 5289). */
static const int suites[] = {
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    0
};
static const mbedtls_ecp_group_id curves[] = {
    MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_NONE
};
static const int sig_hashes[] = { MBEDTLS_MD_SHA256, MBEDTLS_MD_SHA384, MBEDTLS_MD_NONE };

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

static void tls_err(char *err, size_t errlen, const char *what, int ret)
{
    char m[128];

    mbedtls_strerror(ret, m, sizeof(m));
    set_err(err, errlen, "%s: %s (-0x%04x)", what, m, (unsigned)-ret);
}

uint64_t tlschan_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- randomness ---------------------------------------------------------- */

static int rng_init(struct tlschan_rng *r, const char *pers, char *err, size_t errlen)
{
    int ret;

    mbedtls_entropy_init(&r->ent);
    mbedtls_ctr_drbg_init(&r->drbg);
    ret = mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->ent,
                                (const unsigned char *)pers, strlen(pers));
    if (ret != 0) {
        tls_err(err, errlen, "seeding the DRBG from getrandom", ret);
        mbedtls_ctr_drbg_free(&r->drbg);
        mbedtls_entropy_free(&r->ent);
        return -XENIA_EIO;
    }
    return 0;
}

static void rng_free(struct tlschan_rng *r)
{
    mbedtls_ctr_drbg_free(&r->drbg);
    mbedtls_entropy_free(&r->ent);
}

/* ---- server identity ----------------------------------------------------- */

int tlschan_server_new(struct tlschan_server **out, char *err, size_t errlen)
{
    unsigned char der[1024];
    mbedtls_x509write_cert w;
    mbedtls_mpi serial;
    struct tlschan_server *s;
    int ret, rc = -XENIA_EIO;
    const char *what = "";

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        set_err(err, errlen, "no memory for the TLS identity");
        return -XENIA_ENOMEM;
    }
    if ((rc = rng_init(&s->rng, "xenia-attest server", err, errlen)) < 0) {
        free(s);
        return rc;
    }
    rc = -XENIA_EIO;
    mbedtls_pk_init(&s->key);
    mbedtls_x509_crt_init(&s->crt);
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi_init(&serial);

#define TRY(call, name) do { what = (name); if ((ret = (call)) != 0) goto fail; } while (0)
    TRY(mbedtls_pk_setup(&s->key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)), "pk_setup");
    TRY(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(s->key),
                            mbedtls_ctr_drbg_random, &s->rng.drbg), "generating the P-256 key");
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, &s->key);
    mbedtls_x509write_crt_set_issuer_key(&w, &s->key);
    TRY(mbedtls_x509write_crt_set_subject_name(&w, "CN=xenia-attest"), "subject name");
    TRY(mbedtls_x509write_crt_set_issuer_name(&w, "CN=xenia-attest"), "issuer name");
    TRY(mbedtls_mpi_lset(&serial, 1), "serial");
    TRY(mbedtls_x509write_crt_set_serial(&w, &serial), "serial");
    TRY(mbedtls_x509write_crt_set_validity(&w, "20240101000000", "20991231235959"), "validity");
    TRY(mbedtls_x509write_crt_set_basic_constraints(&w, 0, -1), "basic constraints");
    what = "writing the certificate";
    ret = mbedtls_x509write_crt_der(&w, der, sizeof(der), mbedtls_ctr_drbg_random, &s->rng.drbg);
    if (ret <= 0) {
        if (ret == 0)
            ret = MBEDTLS_ERR_X509_BAD_INPUT_DATA;
        goto fail;
    }
    /* The DER is written at the end of der[]. */
    TRY(mbedtls_x509_crt_parse_der(&s->crt, der + sizeof(der) - (size_t)ret, (size_t)ret),
        "parsing the certificate");
#undef TRY
    mbedtls_x509write_crt_free(&w);
    mbedtls_mpi_free(&serial);
    *out = s;
    return 0;
fail:
    tls_err(err, errlen, what, ret);
    if (ret == MBEDTLS_ERR_ECP_ALLOC_FAILED || ret == MBEDTLS_ERR_PK_ALLOC_FAILED ||
        ret == MBEDTLS_ERR_X509_ALLOC_FAILED)
        rc = -XENIA_ENOMEM;
    mbedtls_x509write_crt_free(&w);
    mbedtls_mpi_free(&serial);
    tlschan_server_free(s);
    return rc;
}

void tlschan_server_free(struct tlschan_server *s)
{
    if (s == NULL)
        return;
    mbedtls_x509_crt_free(&s->crt);
    mbedtls_pk_free(&s->key);
    rng_free(&s->rng);
    free(s);
}

/* ---- bio: blocking style, bounded by op_deadline ------------------------- */

/* Wait until fd is ready for events or the deadline passes: 0 ready (or an
 * error to be discovered by the next call), -1 timed out. */
static int wait_fd(struct tlschan *c, short events)
{
    for (;;) {
        uint64_t now = tlschan_now_ms();
        struct pollfd p = { .fd = c->fd, .events = events };
        int r;

        if (now >= c->op_deadline) {
            c->timed_out = 1;
            return -1;
        }
        r = poll(&p, 1, (int)(c->op_deadline - now > 60000 ? 60000 : c->op_deadline - now));
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR) {
            c->sock_err = errno;
            return 0;
        }
    }
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct tlschan *c = ctx;

    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            c->sock_err = errno;
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        if (wait_fd(c, POLLOUT) < 0)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        if (c->sock_err)
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct tlschan *c = ctx;

    for (;;) {
        ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

        if (n > 0)
            return (int)n;
        if (n == 0) {
            c->eof = 1;
            return 0;                  /* mbedTLS: MBEDTLS_ERR_SSL_CONN_EOF */
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            c->sock_err = errno;
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        }
        if (wait_fd(c, POLLIN) < 0)
            return MBEDTLS_ERR_SSL_TIMEOUT;
        if (c->sock_err)
            return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
}

/* Start an operation of at most timeout_ms (cut to the overall deadline). */
static void op_begin(struct tlschan *c, unsigned timeout_ms)
{
    uint64_t d = tlschan_now_ms() + timeout_ms;

    if (c->deadline && c->deadline < d)
        d = c->deadline;
    c->op_deadline = d;
    c->timed_out = c->eof = c->sock_err = 0;
}

/* Map an mbedTLS failure (and what the bio saw) to -XENIA_E*. */
static int map_err(const struct tlschan *c, int ret, const char *what, char *err, size_t errlen)
{
    if (c->timed_out || ret == MBEDTLS_ERR_SSL_TIMEOUT) {
        set_err(err, errlen, "%s: deadline passed", what);
        return -XENIA_ETIMEDOUT;
    }
    if (c->eof || ret == MBEDTLS_ERR_SSL_CONN_EOF || ret == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
        c->sock_err == ECONNRESET || c->sock_err == EPIPE) {
        set_err(err, errlen, "%s: the peer closed the connection", what);
        return -XENIA_ENOTCONN;
    }
    if (c->sock_err) {
        set_err(err, errlen, "%s: %s", what, strerror(c->sock_err));
        return -XENIA_EIO;
    }
    tls_err(err, errlen, what, ret);
    return ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? -XENIA_ENOMEM : -XENIA_EPROTO;
}

/* ---- the exporter (channel binding) ------------------------------------ */

/* mbedTLS calls this once the master secret is derived (during the handshake). */
static int export_keys(void *p, const unsigned char *ms, const unsigned char *kb, size_t maclen,
                       size_t keylen, size_t ivlen, const unsigned char client_random[32],
                       const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
    struct tlschan *c = p;

    (void)kb;
    (void)maclen;
    (void)keylen;
    (void)ivlen;
    memcpy(c->ms, ms, MS_LEN);
    memcpy(c->crand, client_random, 32);
    memcpy(c->srand, server_random, 32);
    c->prf = prf;
    c->ems = c->ssl.handshake != NULL &&
             c->ssl.handshake->extended_ms == MBEDTLS_SSL_EXTENDED_MS_ENABLED;
    c->have_keys = 1;
    return 0;
}

/*
 * RFC 5705 §4 without context: PRF(master_secret, label,
 * client_random || server_random)[0..32), with the TLS 1.2 PRF of the
 * negotiated suite (RFC 5246 §5). The master secret is wiped afterwards.
 */
static int compute_binding(struct tlschan *c, char *err, size_t errlen)
{
    unsigned char seed[64];
    int ret;

    if (!c->have_keys) {
        set_err(err, errlen, "handshake finished without key material");
        return -XENIA_EPROTO;
    }
    if (!c->ems) {
        set_err(err, errlen, "the peer did not negotiate the extended master secret (RFC 7627)");
        return -XENIA_EPROTO;
    }
    if (c->prf != MBEDTLS_SSL_TLS_PRF_SHA256 && c->prf != MBEDTLS_SSL_TLS_PRF_SHA384) {
        set_err(err, errlen, "unexpected TLS PRF %d", (int)c->prf);
        return -XENIA_EPROTO;
    }
    memcpy(seed, c->crand, 32);
    memcpy(seed + 32, c->srand, 32);
    ret = mbedtls_ssl_tls_prf(c->prf, c->ms, MS_LEN, XENIA_ATT_EXPORTER_LABEL, seed,
                              sizeof(seed), c->binding, sizeof(c->binding));
    mbedtls_platform_zeroize(c->ms, sizeof(c->ms));
    if (ret != 0) {
        tls_err(err, errlen, "TLS exporter", ret);
        return -XENIA_EPROTO;
    }
    return 0;
}

/* ---- channels -------------------------------------------------------------- */

static void chan_free(struct tlschan *c)
{
    if (c == NULL)
        return;
    mbedtls_ssl_free(&c->ssl);
    mbedtls_ssl_config_free(&c->conf);
    if (c->own_rng_init)
        rng_free(&c->own_rng);
    if (c->fd >= 0)
        close(c->fd);
    mbedtls_platform_zeroize(c, sizeof(*c));
    free(c);
}

/* Common configuration; s != NULL for the server side. */
static int chan_new(int fd, struct tlschan_server *s, struct tlschan **out, char *err,
                    size_t errlen)
{
    struct tlschan *c;
    int ret, rc;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        close(fd);
        set_err(err, errlen, "no memory for a TLS channel");
        return -XENIA_ENOMEM;
    }
    c->fd = fd;
    c->is_server = s != NULL;
    c->timeout_ms = TLSCHAN_IO_TIMEOUT_MS;
    mbedtls_ssl_config_init(&c->conf);
    mbedtls_ssl_init(&c->ssl);
    if (s) {
        c->rng = &s->rng;
    } else {
        if ((rc = rng_init(&c->own_rng, "xenia-attest client", err, errlen)) < 0)
            goto fail;
        c->own_rng_init = 1;
        c->rng = &c->own_rng;
    }
    ret = mbedtls_ssl_config_defaults(&c->conf, s ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
                                      MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (ret != 0)
        goto tls_fail;
    mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&c->conf, suites);
    mbedtls_ssl_conf_curves(&c->conf, curves);
    mbedtls_ssl_conf_sig_hashes(&c->conf, sig_hashes);
    mbedtls_ssl_conf_extended_master_secret(&c->conf, MBEDTLS_SSL_EXTENDED_MS_ENABLED);
    mbedtls_ssl_conf_renegotiation(&c->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    mbedtls_ssl_conf_legacy_renegotiation(&c->conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
    mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->rng->drbg);
    mbedtls_ssl_conf_export_keys_ext_cb(&c->conf, export_keys, c);
    /* Server: no session cache and no ticket keys, so no resumption. Client: no
     * tickets. The server certificate is not verified (see tlschan_client). */
    mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_NONE);
    if (s) {
        ret = mbedtls_ssl_conf_own_cert(&c->conf, &s->crt, &s->key);
        if (ret != 0)
            goto tls_fail;
    } else {
        mbedtls_ssl_conf_session_tickets(&c->conf, MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
    }
    ret = mbedtls_ssl_setup(&c->ssl, &c->conf);
    if (ret != 0)
        goto tls_fail;
    mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
    *out = c;
    return 0;
tls_fail:
    tls_err(err, errlen, "TLS set-up", ret);
    rc = ret == MBEDTLS_ERR_SSL_ALLOC_FAILED ? -XENIA_ENOMEM : -XENIA_EIO;
fail:
    chan_free(c);
    return rc;
}

/* Run the handshake until c->op_deadline; then check and derive the binding. */
static int handshake(struct tlschan *c, char *err, size_t errlen)
{
    int ret;

    while ((ret = mbedtls_ssl_handshake(&c->ssl)) != 0) {
        if ((ret == MBEDTLS_ERR_SSL_WANT_READ || ret == MBEDTLS_ERR_SSL_WANT_WRITE) &&
            tlschan_now_ms() < c->op_deadline)
            continue;
        return map_err(c, ret, "TLS handshake", err, errlen);
    }
    if (c->ssl.major_ver != MBEDTLS_SSL_MAJOR_VERSION_3 ||
        c->ssl.minor_ver != MBEDTLS_SSL_MINOR_VERSION_3) {
        set_err(err, errlen, "not TLS 1.2");
        return -XENIA_EPROTO;
    }
    return compute_binding(c, err, errlen);
}

int tlschan_accept(struct tlschan_server *s, int fd, uint64_t deadline_ms, struct tlschan **out,
                   char *err, size_t errlen)
{
    struct tlschan *c;
    int rc;

    *out = NULL;
    if (s == NULL || fd < 0) {
        if (fd >= 0)
            close(fd);
        set_err(err, errlen, "tlschan_accept: bad arguments");
        return -XENIA_EINVAL;
    }
    if ((rc = chan_new(fd, s, &c, err, errlen)) < 0)
        return rc;
    c->deadline = deadline_ms;
    c->op_deadline = deadline_ms;
    c->timed_out = c->eof = c->sock_err = 0;
    if ((rc = handshake(c, err, errlen)) < 0) {
        chan_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int tlschan_client(int fd, unsigned timeout_ms, struct tlschan **out, char *err, size_t errlen)
{
    struct tlschan *c;
    int rc;

    *out = NULL;
    if (fd < 0) {
        set_err(err, errlen, "tlschan_client: bad fd");
        return -XENIA_EINVAL;
    }
    if ((rc = chan_new(fd, NULL, &c, err, errlen)) < 0)
        return rc;
    op_begin(c, timeout_ms);
    if ((rc = handshake(c, err, errlen)) < 0) {
        chan_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

#ifndef TLSCHAN_SERVER_ONLY
/* Connect one address within the deadline: the fd, or -errno. */
static int connect_one(const struct addrinfo *ai, uint64_t deadline)
{
    int fd, e = 0;
    socklen_t elen = sizeof(e);

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0)
        return -errno;
    {
        /* Small request/response records: no Nagle delay (with delayed ACKs it
         * costs ~40 ms per exchange). */
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        return fd;
    if (errno != EINPROGRESS) {
        e = errno;
        close(fd);
        return -e;
    }
    for (;;) {
        uint64_t now = tlschan_now_ms();
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        int r;

        if (now >= deadline) {
            close(fd);
            return -ETIMEDOUT;
        }
        r = poll(&p, 1, (int)(deadline - now));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            close(fd);
            return -e;
        }
        if (r > 0)
            break;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
        e = errno;
    if (e != 0) {
        close(fd);
        return -e;
    }
    return fd;
}

int tlschan_connect(const char *host, uint16_t port, unsigned timeout_ms, struct tlschan **out,
                    char *err, size_t errlen)
{
    struct addrinfo hints, *res = NULL;
    uint64_t start = tlschan_now_ms(), deadline = start + timeout_ms, now;
    char portstr[8];
    int fd = -ETIMEDOUT, r;

    *out = NULL;
    if (host == NULL || host[0] == 0 || port == 0) {
        set_err(err, errlen, "tlschan_connect: bad host or port");
        return -XENIA_EINVAL;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
    snprintf(portstr, sizeof(portstr), "%u", port);
    r = getaddrinfo(host, portstr, &hints, &res);
    if (r != 0) {
        set_err(err, errlen, "%s: %s", host, gai_strerror(r));
        return -XENIA_EIO;
    }
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = connect_one(ai, deadline);
        if (fd >= 0 || fd == -ETIMEDOUT)
            break;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        set_err(err, errlen, "connecting to %s port %u: %s", host, port, strerror(-fd));
        return fd == -ETIMEDOUT ? -XENIA_ETIMEDOUT : -XENIA_EIO;
    }
    now = tlschan_now_ms();
    return tlschan_client(fd, now < deadline ? (unsigned)(deadline - now) : 0, out, err, errlen);
}
#endif /* TLSCHAN_SERVER_ONLY */

const uint8_t *tlschan_binding(const struct tlschan *c)
{
    return c->binding;
}

const char *tlschan_suite(const struct tlschan *c)
{
    return mbedtls_ssl_get_ciphersuite(&c->ssl);
}

void tlschan_set_deadline(struct tlschan *c, uint64_t deadline_ms)
{
    c->deadline = deadline_ms;
}

void tlschan_set_timeout(struct tlschan *c, unsigned timeout_ms)
{
    c->timeout_ms = timeout_ms;
}

/* ---- framed messages ----------------------------------------------------- */

static int write_all(struct tlschan *c, const uint8_t *p, size_t len)
{
    while (len > 0) {
        int r = mbedtls_ssl_write(&c->ssl, p, len);

        if (r > 0) {
            p += r;
            len -= (size_t)r;
            continue;
        }
        if ((r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) &&
            tlschan_now_ms() < c->op_deadline)
            continue;
        if (r == 0)
            r = MBEDTLS_ERR_SSL_INTERNAL_ERROR;
        return map_err(c, r, "TLS write", NULL, 0);
    }
    return 0;
}

static int read_exact(struct tlschan *c, uint8_t *p, size_t len)
{
    while (len > 0) {
        int r = mbedtls_ssl_read(&c->ssl, p, len);

        if (r > 0) {
            p += r;
            len -= (size_t)r;
            continue;
        }
        if (r == 0)
            return -XENIA_ENOTCONN;
        if ((r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) &&
            tlschan_now_ms() < c->op_deadline)
            continue;
        return map_err(c, r, "TLS read", NULL, 0);
    }
    return 0;
}

int tlschan_send(struct tlschan *c, uint16_t type, const void *items, uint32_t len)
{
    struct xenia_att_msg m;
    size_t first;
    int rc;

    if (len % 8 != 0 || len > XENIA_ATT_MSG_MAX || (items == NULL && len > 0))
        return -XENIA_EINVAL;
    op_begin(c, c->timeout_ms);
    /* Header and the first part of the items in one record (one segment for
     * small messages), the rest straight from the caller's buffer. */
    att_msg_header(&m, type, len);
    first = len < STAGE_LEN - sizeof(m) ? len : STAGE_LEN - sizeof(m);
    memcpy(c->stage, &m, sizeof(m));
    if (first)
        memcpy(c->stage + sizeof(m), items, first);
    rc = write_all(c, c->stage, sizeof(m) + first);
    if (rc == 0 && len > first)
        rc = write_all(c, (const uint8_t *)items + first, len - first);
    return rc;
}

int tlschan_send_error(struct tlschan *c, int32_t code, const char *reason)
{
    uint8_t buf[256];
    size_t len = 0;
    int rc;

    if ((rc = att_error_put(buf, sizeof(buf), &len, code, reason)) < 0)
        return rc;
    return tlschan_send(c, XENIA_ATT_MSG_ERROR, buf, (uint32_t)len);
}

int tlschan_recv(struct tlschan *c, uint16_t *type, void *buf, size_t cap, size_t *len,
                 unsigned timeout_ms)
{
    struct xenia_att_msg m;
    int rc;

    *len = 0;
    op_begin(c, timeout_ms);
    if ((rc = read_exact(c, (uint8_t *)&m, sizeof(m))) < 0)
        return rc;
    if (att_msg_check(&m, XENIA_ATT_MSG_MAX) < 0)
        return -XENIA_EPROTO;
    if (m.len > cap)
        return -XENIA_E2BIG;
    if (m.len && (rc = read_exact(c, buf, m.len)) < 0)
        return rc;
    *type = m.type;
    *len = m.len;
    return 0;
}

void tlschan_close(struct tlschan *c)
{
    if (c == NULL)
        return;
    op_begin(c, CLOSE_MS);
    (void)mbedtls_ssl_close_notify(&c->ssl);
    chan_free(c);
}
