/* SPDX-License-Identifier: MIT */
/*
 * TCG PC Client crypto-agile event log: encoder, bounded parser and replay.
 * Pure C (no system calls, no allocation): hv's measured launch encodes with it,
 * the verifier parses and replays untrusted logs with it.
 *
 * Wire format (TCG PC Client Platform Firmware Profile, PFP §10.2 and §10.4.5.1),
 * all integers little-endian, SHA-256 bank only:
 *   header  TCG_PCClientPCREvent (§10.2.1): pcrIndex u32 = 0, eventType u32 =
 *           EV_NO_ACTION, digest[20] = 0, eventDataSize u32 = 33, event =
 *           TCG_EfiSpecIDEventStruct (§10.4.5.1): signature "Spec ID Event03\0",
 *           platformClass u32 0, specVersionMinor u8 0, specVersionMajor u8 2,
 *           specErrata u8 2, uintnSize u8 2, numberOfAlgorithms u32 1,
 *           digestSizes[1] = {algorithmId u16 0x000B, digestSize u16 32},
 *           vendorInfoSize u8 0.                               (65 bytes)
 *   events  TCG_PCR_EVENT2 (§10.2.2): pcrIndex u32, eventType u32, digests =
 *           TPML_DIGEST_VALUES {count u32 = 1, {hashAlg u16 = 0x000B,
 *           digest[32]}}, eventSize u32, event[eventSize].  (50 + eventSize bytes)
 * The parser accepts exactly this (what Xenia writes) and nothing looser.
 */
#ifndef XENIA_ATTEST_EVENTLOG_H
#define XENIA_ATTEST_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "xenia/attest.h"

#define EVLOG_EV_NO_ACTION 0x00000003u   /* PFP §10.4.1: not extended */
#define EVLOG_EV_IPL       0x0000000Du   /* PFP §10.4.1: Xenia's component events */
#define EVLOG_ALG_SHA256   0x000Bu       /* TPM_ALG_SHA256 (TPM 2.0 Part 2 §6.3) */
#define EVLOG_MAX_EVENTS   65536u        /* events after the header */

#define EVLOG_HEADER_LEN   65u           /* bytes of the encoded header */
#define EVLOG_EVENT_FIXED  50u           /* bytes of an event before its data */

#define EVLOG_WUR __attribute__((warn_unused_result))

/*
 * evlog_encode_header - write the Spec ID Event03 header (EVLOG_HEADER_LEN bytes).
 * out: cap bytes of room. *len: set to the bytes written on success.
 * Returns 0; -XENIA_EINVAL (out or len NULL); -XENIA_E2BIG (cap too small,
 * nothing written).
 */
int evlog_encode_header(uint8_t *out, size_t cap, size_t *len) EVLOG_WUR;

/*
 * evlog_encode_event - write one TCG_PCR_EVENT2 (EVLOG_EVENT_FIXED + data_len
 * bytes) with one SHA-256 digest.
 * pcr: 0..XENIA_NR_PCRS-1. type: EV_* value. digest: the 32 bytes extended.
 * data: data_len bytes (<= XENIA_EV_DATA_MAX; may be NULL when data_len is 0).
 * Returns 0 and sets *len; -XENIA_EINVAL (bad pcr, data_len, NULL pointer);
 * -XENIA_E2BIG (cap too small, nothing written).
 */
int evlog_encode_event(uint8_t *out, size_t cap, uint32_t pcr, uint32_t type,
                       const uint8_t digest[32], const uint8_t *data, uint32_t data_len,
                       size_t *len) EVLOG_WUR;

/* One parsed event. data points into the parsed buffer (not copied). */
struct evlog_event {
    uint32_t index;            /* 1 for the first event after the header (0 = header) */
    size_t offset;             /* byte offset of the event in the log */
    uint32_t pcr;              /* < XENIA_NR_PCRS */
    uint32_t type;             /* EV_* */
    uint8_t digest[32];        /* SHA-256 digest */
    const uint8_t *data;       /* event data, data_len bytes */
    uint32_t data_len;         /* <= XENIA_EV_DATA_MAX */
};

/* Parser state: buf/len never change; off only grows and never passes len. */
struct evlog_iter {
    const uint8_t *buf;
    size_t len;
    size_t off;
    uint32_t index;            /* index of the last event returned */
};

/*
 * evlog_iter_init - check the header of the log buf[0..len) (untrusted) and
 * position the iterator on the first event.
 * err: errlen bytes for a NUL-terminated reason (may be NULL when errlen is 0).
 * The caller bounds len (the agent and verifier refuse logs over XENIA_EVLOG_MAX);
 * the parser bounds the walk by EVLOG_MAX_EVENTS and by len.
 * Returns 0; -XENIA_EINVAL (NULL it/buf); -XENIA_EPROTO (truncated or
 * non-conforming header; err says which field).
 */
int evlog_iter_init(struct evlog_iter *it, const uint8_t *buf, size_t len,
                    char *err, size_t errlen) EVLOG_WUR;

/*
 * evlog_iter_next - parse the next event into *ev.
 * Returns 1 (an event), 0 (end of log, exactly at len), -XENIA_EINVAL (NULL
 * argument), -XENIA_EPROTO (truncated event, trailing bytes shorter than an
 * event, digest count != 1, hash algorithm != SHA-256, pcr >= XENIA_NR_PCRS,
 * data > XENIA_EV_DATA_MAX, more than EVLOG_MAX_EVENTS events) with err of the
 * form "event 7 at offset 1234: truncated digest". After an error the iterator
 * stays at the failing event.
 */
int evlog_iter_next(struct evlog_iter *it, struct evlog_event *ev,
                    char *err, size_t errlen) EVLOG_WUR;

/*
 * evlog_replay - parse the whole log and compute the PCR values it implies.
 * Every PCR starts at 32 zero bytes (PCRs 0-15 are reset to zero by
 * TPM2_Startup(CLEAR)); each event other than EV_NO_ACTION extends
 * pcr[e.pcr] = SHA-256(pcr[e.pcr] || e.digest) (TPM 2.0 Part 1, PCR Extend).
 * pcrs: XENIA_NR_PCRS x 32 bytes, written only on success. *nevents: events
 * after the header (may be NULL).
 * Returns 0; -XENIA_EINVAL; -XENIA_EPROTO (malformed, err says where);
 * -XENIA_EIO (SHA-256 failed).
 */
int evlog_replay(const uint8_t *buf, size_t len, uint8_t pcrs[XENIA_NR_PCRS][32],
                 uint32_t *nevents, char *err, size_t errlen) EVLOG_WUR;

#endif /* XENIA_ATTEST_EVENTLOG_H */
