/* SPDX-License-Identifier: MIT */
/*
 * The attestation item codec (include/xenia/attest.h "Items"): the payload of
 * hv <-> agent IPC replies and of agent <-> verifier protocol messages is a
 * sequence of items, each a struct xenia_att_item header (tag, pad 0, len),
 * len bytes of data, then zero padding to the next multiple of 8.
 *
 * Pure C: no system calls, no allocation; every walk is bounded by the
 * buffer length and by the caller's item array. Byte order is the host's
 * (x86-64, little endian), like every Xenia wire struct. Buffers need no
 * alignment (headers are copied out with memcpy).
 */
#ifndef XENIA_ATTEST_ITEMS_H
#define XENIA_ATTEST_ITEMS_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/attest.h>

#define ATT_ITEMS_WUR __attribute__((warn_unused_result))

/* Bytes one item of dlen data bytes takes: header + data + padding to 8. */
#define ATT_ITEM_SPACE(dlen) (sizeof(struct xenia_att_item) + (((uint64_t)(dlen) + 7u) & ~7ull))

/* One parsed item: data points into the parsed buffer (not copied). */
struct att_item {
    uint16_t tag;
    uint32_t len;
    const uint8_t *data;
};

/*
 * att_item_put - append one item at buf[*len]: header {tag, 0, dlen}, the
 * dlen bytes of data (NULL allowed when dlen is 0), zero padding to 8.
 * *len must be a multiple of 8 (it is after every put) and <= cap.
 * On success *len grows by ATT_ITEM_SPACE(dlen). Returns 0; -XENIA_E2BIG when
 * the item does not fit in cap (nothing written); -XENIA_EINVAL for a tag
 * outside 1..XENIA_ATT_MAX_TAG, a misaligned *len or NULL data with dlen > 0.
 */
int att_item_put(uint8_t *buf, size_t cap, size_t *len, uint16_t tag, const void *data,
                 uint32_t dlen) ATT_ITEMS_WUR;

/*
 * att_item_reserve - like att_item_put, but leaves the data for the caller:
 * writes the header and the zero padding, sets *data to the dlen bytes to fill
 * (so large data can be received straight into place). Same errors.
 */
int att_item_reserve(uint8_t *buf, size_t cap, size_t *len, uint16_t tag, uint32_t dlen,
                     uint8_t **data) ATT_ITEMS_WUR;

/*
 * att_items_parse - split buf[0..len) into at most max items (in order).
 * Checks, for every item: a whole header, pad 0, tag 1..XENIA_ATT_MAX_TAG,
 * the data and its padding inside buf, padding bytes zero; so len is a
 * multiple of 8 when it succeeds. Sets *n to the count (0 for len 0).
 * Returns 0; -XENIA_EPROTO for a malformed buffer, -XENIA_E2BIG for more than
 * max items; with a reason (naming the offset) in err. items[] entries point
 * into buf.
 */
int att_items_parse(const uint8_t *buf, size_t len, struct att_item *items, unsigned max,
                    unsigned *n, char *err, size_t errlen) ATT_ITEMS_WUR;

/*
 * att_item_find - the nth (0-based) item with tag among items[0..n), or NULL.
 */
const struct att_item *att_item_find(const struct att_item *items, unsigned n, uint16_t tag,
                                     unsigned nth);

/* att_item_count - how many of items[0..n) have tag. */
unsigned att_item_count(const struct att_item *items, unsigned n, uint16_t tag);

/*
 * att_msg_check - check a protocol message header (struct xenia_att_msg):
 * magic XENIA_ATT_MAGIC, version XENIA_ATT_VERSION, pad 0, type one of
 * XENIA_ATT_MSG_HELLO..XENIA_ATT_MSG_ERROR, len a multiple of 8 (items are
 * 8-byte aligned) and <= max_len (and <= XENIA_ATT_MSG_MAX). m need not be
 * aligned. Returns 0 or -XENIA_EPROTO.
 */
int att_msg_check(const struct xenia_att_msg *m, size_t max_len) ATT_ITEMS_WUR;

/*
 * att_msg_header - fill *m for a message of type carrying len item bytes.
 */
void att_msg_header(struct xenia_att_msg *m, uint16_t type, uint32_t len);

/*
 * att_error_put - append an XENIA_ATT_ERROR item: int32 code (a negative
 * -XENIA_Exxx), then reason (ASCII, no NUL, cut to 200 bytes). Same returns as
 * att_item_put.
 */
int att_error_put(uint8_t *buf, size_t cap, size_t *len, int32_t code,
                  const char *reason) ATT_ITEMS_WUR;

/*
 * att_error_get - decode an XENIA_ATT_ERROR item: *code and the reason as a
 * NUL-terminated string in reason[reasonlen] (non-printable bytes become '?').
 * Returns 0, or -XENIA_EPROTO when the item is shorter than 4 bytes, its code
 * is not negative, or its tag is not XENIA_ATT_ERROR.
 */
int att_error_get(const struct att_item *it, int32_t *code, char *reason,
                  size_t reasonlen) ATT_ITEMS_WUR;

#endif /* XENIA_ATTEST_ITEMS_H */
