/* SPDX-License-Identifier: MIT */
/*
 * The attestation TLS channel (include/xenia/attest.h "Agent <-> verifier
 * protocol"): mbedTLS 2.28, TLS 1.2 only, ECDHE-ECDSA with AES-128-GCM-SHA256
 * or AES-256-GCM-SHA384, extended master secret required (RFC 7627),
 * renegotiation, session tickets and resumption off. Each side computes the
 * channel binding: the RFC 5705 exporter with label XENIA_ATT_EXPORTER_LABEL,
 * no context, 32 bytes. Messages are framed as struct xenia_att_msg + items.
 *
 * Server side (the attestation agent): an ephemeral ECDSA P-256 key and a
 * self-signed certificate made at start; sessions accepted on fds the caller
 * accepted. It makes no file access and no socket() call, and takes its
 * randomness from getrandom (mbedtls_entropy), so it runs in a static,
 * seccomp-confined stub domain. Build with -DTLSCHAN_SERVER_ONLY to leave out
 * tlschan_connect (getaddrinfo has no place in a static stub domain).
 *
 * Client side (the verifier): tlschan_connect / tlschan_client.
 *
 * Timing: every I/O function runs against a deadline (CLOCK_MONOTONIC
 * milliseconds): the operation's own timeout, cut to the channel's overall
 * deadline when one is set (tlschan_set_deadline). A peer that stalls gets
 * -XENIA_ETIMEDOUT when it passes. Sockets are used with MSG_DONTWAIT and
 * MSG_NOSIGNAL, so blocking or non-blocking fds both work and a vanished peer
 * never raises SIGPIPE.
 *
 * Errors (negative): -XENIA_ETIMEDOUT deadline passed; -XENIA_ENOTCONN the peer
 * closed the connection (or sent close_notify); -XENIA_EPROTO TLS failure,
 * fatal alert, missing extended master secret or a bad frame; -XENIA_E2BIG a
 * frame larger than the caller's buffer; -XENIA_EIO socket error;
 * -XENIA_ENOMEM; -XENIA_EINVAL bad arguments. Functions that take err/errlen
 * leave a reason there.
 * Sources: RFC 5246 (TLS 1.2), RFC 5289 (ECDHE-ECDSA GCM suites), RFC 5705
 * (exporters), RFC 7627 (extended master secret), mbedTLS 2.28 ssl.h.
 */
#ifndef XENIA_ATTEST_TLSCHAN_H
#define XENIA_ATTEST_TLSCHAN_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/attest.h>

#define TLSCHAN_WUR __attribute__((warn_unused_result))

#define TLSCHAN_BINDING_LEN 32u
#define TLSCHAN_IO_TIMEOUT_MS 5000u   /* default per-operation timeout of tlschan_send */

struct tlschan_server;
struct tlschan;

/*
 * tlschan_server_new - the agent's TLS identity: an ephemeral ECDSA P-256 key
 * and a self-signed X.509 certificate (CN=xenia-attest, serial 1), seeded from
 * mbedtls_entropy (getrandom). The certificate authenticates nothing: the
 * verifier trusts the channel through the quote (see tlschan_connect).
 * Returns 0 and *out (free with tlschan_server_free), or -XENIA_EIO / -XENIA_ENOMEM.
 */
int tlschan_server_new(struct tlschan_server **out, char *err, size_t errlen) TLSCHAN_WUR;

/* tlschan_server_free - free the server identity (NULL is fine). */
void tlschan_server_free(struct tlschan_server *s);

/*
 * tlschan_accept - run the server handshake on fd (a connected stream socket;
 * the channel takes ownership of it and closes it on failure too) until
 * deadline_ms (absolute, tlschan_now_ms clock). The deadline stays set on the
 * channel as its overall deadline (change it with tlschan_set_deadline).
 * Returns 0 and *out, or a negative error (see the top of this file).
 */
int tlschan_accept(struct tlschan_server *s, int fd, uint64_t deadline_ms, struct tlschan **out,
                   char *err, size_t errlen) TLSCHAN_WUR;

#ifndef TLSCHAN_SERVER_ONLY
/*
 * tlschan_connect - connect to host:port (name or numeric address, IPv4 or
 * IPv6, each address tried in turn) within timeout_ms, then run the client
 * handshake (tlschan_client) in what is left of it.
 * Returns 0 and *out, or a negative error.
 */
int tlschan_connect(const char *host, uint16_t port, unsigned timeout_ms, struct tlschan **out,
                    char *err, size_t errlen) TLSCHAN_WUR;
#endif

/*
 * tlschan_client - run the client handshake on a connected fd (ownership
 * passes to the channel, closed on failure too) within timeout_ms.
 *
 * The client does not verify the server certificate (MBEDTLS_SSL_VERIFY_NONE),
 * on purpose: the agent's key is ephemeral and certified by nobody. The
 * verifier authenticates the other end through the evidence instead: the TPM
 * quote's qualifyingData is SHA-256(nonce || binding), where binding is this
 * channel's exporter value. Both ends derive it from the master secret, which
 * (with the extended master secret, RFC 7627) is bound to this handshake's
 * transcript, so a quote that carries the verifier's own binding was requested
 * by the endpoint holding this TLS session, and a man in the middle (two TLS
 * sessions, two different bindings) cannot relay a quote that passes. The
 * quote's signature by an AK certified through the EK (credential activation)
 * ties it to the TPM. Without that check, this channel authenticates nothing.
 * Returns 0 and *out, or a negative error.
 */
int tlschan_client(int fd, unsigned timeout_ms, struct tlschan **out, char *err,
                   size_t errlen) TLSCHAN_WUR;

/* tlschan_binding - the channel binding (TLSCHAN_BINDING_LEN bytes), valid
 * once the handshake has completed (every channel returned by this API). */
const uint8_t *tlschan_binding(const struct tlschan *c);

/* tlschan_suite - the negotiated ciphersuite's name (for logs and tests). */
const char *tlschan_suite(const struct tlschan *c);

/* tlschan_now_ms - CLOCK_MONOTONIC in milliseconds (the deadline clock). */
uint64_t tlschan_now_ms(void);

/* tlschan_set_deadline - overall deadline for every later operation
 * (absolute, tlschan_now_ms clock); 0 = none. */
void tlschan_set_deadline(struct tlschan *c, uint64_t deadline_ms);

/* tlschan_set_timeout - per-operation timeout of tlschan_send (default
 * TLSCHAN_IO_TIMEOUT_MS), cut to the overall deadline. */
void tlschan_set_timeout(struct tlschan *c, unsigned timeout_ms);

/*
 * tlschan_send - send one message: struct xenia_att_msg {type, len} then len
 * bytes of items (not checked here beyond len % 8 == 0 and
 * len <= XENIA_ATT_MSG_MAX). Partial writes are continued until everything
 * is sent or the deadline passes. Returns 0 or a negative error.
 */
int tlschan_send(struct tlschan *c, uint16_t type, const void *items, uint32_t len) TLSCHAN_WUR;

/*
 * tlschan_send_error - send an ERROR message with one XENIA_ATT_ERROR item
 * (code < 0, reason ASCII). Returns 0 or a negative error.
 */
int tlschan_send_error(struct tlschan *c, int32_t code, const char *reason) TLSCHAN_WUR;

/*
 * tlschan_recv - receive one message within timeout_ms (cut to the overall
 * deadline): reads the 16-byte header, checks it with att_msg_check against
 * min(cap, XENIA_ATT_MSG_MAX), then reads its len bytes of items into
 * buf[0..cap). Sets *type and *len. After -XENIA_E2BIG or -XENIA_EPROTO the
 * stream is out of step: close the channel. Returns 0 or a negative error.
 */
int tlschan_recv(struct tlschan *c, uint16_t *type, void *buf, size_t cap, size_t *len,
                 unsigned timeout_ms) TLSCHAN_WUR;

/*
 * tlschan_close - send close_notify (best effort, at most 100 ms), free the
 * TLS state and close the fd. NULL is fine.
 */
void tlschan_close(struct tlschan *c);

#endif /* XENIA_ATTEST_TLSCHAN_H */
