/* Proof stub (proofs/eventlog): the one mbedTLS 2.28 declaration eventlog.c
 * uses. Frama-C preprocesses with its own libc (-nostdinc), so the system
 * header is not visible; evlog_replay, the only caller, is not proved here. */
#ifndef XENIA_PROOF_STUB_MBEDTLS_SHA256_H
#define XENIA_PROOF_STUB_MBEDTLS_SHA256_H
#include <stddef.h>
int mbedtls_sha256_ret(const unsigned char *input, size_t ilen, unsigned char output[32],
                       int is224);
#endif
