/* SPDX-License-Identifier: MIT */
/*
 * The attestation item codec (attest/items.c): round trips of every length
 * class, every rejection of att_items_parse and att_item_put, truncation of
 * a multi-item buffer at every offset, every single-byte corruption, message
 * header checks (att_msg_check) and ERROR items.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "attest/items.h"

#define HDR sizeof(struct xenia_att_item)

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 31u + i * 7u + 1u);
}

/* Items of every data length 0..17 (every padding amount), then parsed back. */
static void test_round_trip(void **state)
{
    uint8_t buf[1024], data[32];
    struct att_item it[32];
    size_t len = 0, off = 0;
    unsigned n;
    char err[128];

    (void)state;
    memset(buf, 0xee, sizeof(buf));
    for (unsigned l = 0; l < 18; l++) {
        fill(data, l, l);
        assert_int_equal(att_item_put(buf, sizeof(buf), &len, (uint16_t)(1 + l % XENIA_ATT_MAX_TAG),
                                      l ? data : NULL, l), 0);
        assert_int_equal(len % 8, 0);
        assert_int_equal(len - off, ATT_ITEM_SPACE(l));
        /* The padding is zero, whatever was there before. */
        for (size_t p = off + HDR + l; p < len; p++)
            assert_int_equal(buf[p], 0);
        off = len;
    }
    assert_int_equal(att_items_parse(buf, len, it, 32, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 18);
    for (unsigned l = 0; l < 18; l++) {
        fill(data, l, l);
        assert_int_equal(it[l].tag, 1 + l % XENIA_ATT_MAX_TAG);
        assert_int_equal(it[l].len, l);
        assert_memory_equal(it[l].data, data, l);
        assert_true(it[l].data >= buf && it[l].data + l <= buf + len);
    }
    /* An empty buffer is zero items. */
    assert_int_equal(att_items_parse(buf, 0, it, 32, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_int_equal(att_items_parse(NULL, 0, it, 32, &n, err, sizeof(err)), 0);
    /* Unaligned buffers work (headers are copied out). */
    uint8_t un[64 + 1];
    memcpy(un + 1, buf, 64);
    assert_int_equal(att_items_parse(un + 1, ATT_ITEM_SPACE(0) + ATT_ITEM_SPACE(1), it, 32, &n,
                                     err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    assert_int_equal(it[1].len, 1);
}

static void test_put_rejects(void **state)
{
    uint8_t buf[64], data[64] = { 0 };
    uint8_t *dst;
    size_t len = 0;

    (void)state;
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 0, data, 1), -XENIA_EINVAL);
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, XENIA_ATT_MAX_TAG + 1, data, 1),
                     -XENIA_EINVAL);
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 1, NULL, 1), -XENIA_EINVAL);
    assert_int_equal(len, 0);
    len = 3;
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 1, data, 1), -XENIA_EINVAL);
    assert_int_equal(len, 3);
    len = 72;   /* beyond cap */
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 1, data, 0), -XENIA_EINVAL);
    /* Exactly full works; one byte more does not (and writes nothing). */
    len = 0;
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 1, data, 56), 0);
    assert_int_equal(len, 64);
    len = 0;
    memset(buf, 0x5a, sizeof(buf));
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 1, data, 57), -XENIA_E2BIG);
    assert_int_equal(len, 0);
    assert_int_equal(buf[0], 0x5a);
    /* A huge length cannot wrap the size computation. */
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, 1, data, UINT32_MAX), -XENIA_E2BIG);
    assert_int_equal(att_item_reserve(buf, sizeof(buf), &len, 1, UINT32_MAX - 3, &dst),
                     -XENIA_E2BIG);
    /* reserve: header written, data left to the caller, padding zeroed. */
    len = 8;
    assert_int_equal(att_item_reserve(buf, sizeof(buf), &len, 7, 5, &dst), 0);
    assert_ptr_equal(dst, buf + 16);
    assert_int_equal(len, 24);
    assert_memory_equal(buf + 21, "\0\0\0", 3);
}

/* One hand-made buffer per rejection, each with its code and a reason. */
static void test_parse_rejects(void **state)
{
    struct xenia_att_item h;
    struct att_item it[4];
    uint8_t buf[64];
    unsigned n = 99;
    char err[128];

    (void)state;
#define HEADER(off, t, p, l) do { h.tag = (t); h.pad = (p); h.len = (l); \
                                  memcpy(buf + (off), &h, HDR); } while (0)
#define REJECT(len, code) do { err[0] = 0; \
        assert_int_equal(att_items_parse(buf, (len), it, 4, &n, err, sizeof(err)), (code)); \
        assert_true(strlen(err) > 0); } while (0)

    memset(buf, 0, sizeof(buf));
    HEADER(0, 1, 0, 4);
    assert_int_equal(att_items_parse(buf, 16, it, 4, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 1);
    REJECT(7, -XENIA_EPROTO);                 /* truncated header */
    REJECT(12, -XENIA_EPROTO);                /* data present, padding missing */
    REJECT(17, -XENIA_EPROTO);                /* trailing partial header */
    HEADER(0, 1, 1, 4);
    REJECT(16, -XENIA_EPROTO);                /* pad != 0 */
    HEADER(0, 0, 0, 4);
    REJECT(16, -XENIA_EPROTO);                /* tag 0 */
    HEADER(0, XENIA_ATT_MAX_TAG + 1, 0, 4);
    REJECT(16, -XENIA_EPROTO);                /* unknown tag */
    HEADER(0, 1, 0, 100);
    REJECT(64, -XENIA_EPROTO);                /* data beyond the buffer */
    HEADER(0, 1, 0, UINT32_MAX);
    REJECT(64, -XENIA_EPROTO);                /* cannot wrap */
    HEADER(0, 1, 0, 4);
    buf[8 + 5] = 1;
    REJECT(16, -XENIA_EPROTO);                /* non-zero padding */
    buf[8 + 5] = 0;
    /* Five empty items where four fit. */
    for (int i = 0; i < 5; i++)
        HEADER(i * 8, 2, 0, 0);
    assert_int_equal(att_items_parse(buf, 32, it, 4, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 4);
    REJECT(40, -XENIA_E2BIG);
    assert_int_equal(n, 0);
    /* err may be NULL. */
    assert_int_equal(att_items_parse(buf, 40, it, 4, &n, NULL, 0), -XENIA_E2BIG);
#undef HEADER
#undef REJECT
}

/* A buffer of several items cut at every length: only the item boundaries
 * parse (with the items before the cut), every other cut is refused. */
static void test_truncation(void **state)
{
    static const uint32_t lens[] = { 0, 1, 7, 8, 9, 33, 2 };
    size_t bounds[8], nb = 0, len = 0;
    uint8_t buf[256], data[64];
    struct att_item it[16];
    char err[128];
    unsigned n;

    (void)state;
    bounds[nb++] = 0;
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        fill(data, lens[i], (unsigned)i);
        assert_int_equal(att_item_put(buf, sizeof(buf), &len, (uint16_t)(i + 3), data, lens[i]), 0);
        bounds[nb++] = len;
    }
    for (size_t cut = 0; cut <= len; cut++) {
        int at = -1;

        for (size_t b = 0; b < nb; b++)
            if (bounds[b] == cut)
                at = (int)b;
        int rc = att_items_parse(buf, cut, it, 16, &n, err, sizeof(err));
        if (at >= 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(n, (unsigned)at);
        } else {
            assert_int_equal(rc, -XENIA_EPROTO);
        }
    }
}

/* Every byte of a valid buffer flipped in turn: header and padding changes
 * are refused; a data byte change parses with that one byte different. */
static void test_corruption(void **state)
{
    uint8_t buf[128], data[16];
    struct att_item it[8];
    size_t len = 0;
    unsigned n;
    char err[128];

    (void)state;
    fill(data, sizeof(data), 9);
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, XENIA_ATT_NONCE, data, 13), 0);
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, XENIA_ATT_LEVEL, data, 3), 0);
    for (size_t i = 0; i < len; i++) {
        size_t item_off = i < 24 ? 0 : 24, dlen = i < 24 ? 13 : 3, rel = i - item_off;
        int rc;

        buf[i] ^= 0x80;
        rc = att_items_parse(buf, len, it, 8, &n, err, sizeof(err));
        if (rel >= HDR && rel < HDR + dlen)
            assert_int_equal(rc, 0);                         /* data */
        else if (rel >= HDR + dlen)
            assert_int_equal(rc, -XENIA_EPROTO);             /* padding */
        else if (rel == 0 || rel == 1 || rel == 2 || rel == 3)
            assert_int_equal(rc, -XENIA_EPROTO);             /* tag (too big) or pad */
        else
            assert_int_equal(rc, -XENIA_EPROTO);             /* len: runs past the end */
        buf[i] ^= 0x80;
    }
    assert_int_equal(att_items_parse(buf, len, it, 8, &n, err, sizeof(err)), 0);
}

static void test_find(void **state)
{
    uint8_t buf[128];
    struct att_item it[8];
    size_t len = 0;
    unsigned n;
    char err[64];

    (void)state;
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, XENIA_ATT_EK_CHAIN, "a", 1), 0);
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, XENIA_ATT_EK_CERT, "bb", 2), 0);
    assert_int_equal(att_item_put(buf, sizeof(buf), &len, XENIA_ATT_EK_CHAIN, "ccc", 3), 0);
    assert_int_equal(att_items_parse(buf, len, it, 8, &n, err, sizeof(err)), 0);
    assert_int_equal(att_item_find(it, n, XENIA_ATT_EK_CHAIN, 0)->len, 1);
    assert_int_equal(att_item_find(it, n, XENIA_ATT_EK_CHAIN, 1)->len, 3);
    assert_null(att_item_find(it, n, XENIA_ATT_EK_CHAIN, 2));
    assert_int_equal(att_item_find(it, n, XENIA_ATT_EK_CERT, 0)->len, 2);
    assert_null(att_item_find(it, n, XENIA_ATT_QUOTE, 0));
    assert_int_equal(att_item_count(it, n, XENIA_ATT_EK_CHAIN), 2);
    assert_int_equal(att_item_count(it, n, XENIA_ATT_QUOTE), 0);
}

static void test_msg_check(void **state)
{
    struct xenia_att_msg m, b;

    (void)state;
    att_msg_header(&m, XENIA_ATT_MSG_HELLO, 112);
    assert_int_equal(m.magic, XENIA_ATT_MAGIC);
    assert_int_equal(m.version, XENIA_ATT_VERSION);
    assert_int_equal(m.pad, 0);
    assert_int_equal(att_msg_check(&m, 112), 0);
    assert_int_equal(att_msg_check(&m, 111), -XENIA_EPROTO);      /* over max_len */
    b = m; b.magic ^= 1;
    assert_int_equal(att_msg_check(&b, 4096), -XENIA_EPROTO);
    b = m; b.version = 2;
    assert_int_equal(att_msg_check(&b, 4096), -XENIA_EPROTO);
    b = m; b.pad = 1;
    assert_int_equal(att_msg_check(&b, 4096), -XENIA_EPROTO);
    b = m; b.type = 0;
    assert_int_equal(att_msg_check(&b, 4096), -XENIA_EPROTO);
    b = m; b.type = XENIA_ATT_MSG_ERROR + 1;
    assert_int_equal(att_msg_check(&b, 4096), -XENIA_EPROTO);
    b = m; b.type = XENIA_ATT_MSG_ERROR;
    assert_int_equal(att_msg_check(&b, 4096), 0);
    b = m; b.len = 113;
    assert_int_equal(att_msg_check(&b, 4096), -XENIA_EPROTO);      /* not a multiple of 8 */
    b = m; b.len = XENIA_ATT_MSG_MAX + 8;
    assert_int_equal(att_msg_check(&b, SIZE_MAX), -XENIA_EPROTO);  /* over the protocol max */
    b = m; b.len = 0;
    assert_int_equal(att_msg_check(&b, 0), 0);
}

static void test_error_item(void **state)
{
    uint8_t buf[512];
    struct att_item it[2], bad;
    char reason[256], longr[300];
    int32_t code;
    size_t len = 0;
    unsigned n;

    (void)state;
    assert_int_equal(att_error_put(buf, sizeof(buf), &len, -XENIA_EACCES, "denied\x01 by policy"), 0);
    assert_int_equal(att_items_parse(buf, len, it, 2, &n, NULL, 0), 0);
    assert_int_equal(att_error_get(&it[0], &code, reason, sizeof(reason)), 0);
    assert_int_equal(code, -XENIA_EACCES);
    assert_string_equal(reason, "denied? by policy");
    /* Cut to the caller's buffer. */
    assert_int_equal(att_error_get(&it[0], &code, reason, 4), 0);
    assert_string_equal(reason, "den");
    /* The reason is capped at 200 bytes on the wire. */
    memset(longr, 'x', sizeof(longr) - 1);
    longr[sizeof(longr) - 1] = 0;
    len = 0;
    assert_int_equal(att_error_put(buf, sizeof(buf), &len, -1, longr), 0);
    assert_int_equal(att_items_parse(buf, len, it, 2, &n, NULL, 0), 0);
    assert_int_equal(it[0].len, 4 + 200);
    /* Refused: a code that is not negative, a short item, another tag. */
    len = 0;
    assert_int_equal(att_error_put(buf, sizeof(buf), &len, 5, "x"), 0);
    assert_int_equal(att_items_parse(buf, len, it, 2, &n, NULL, 0), 0);
    assert_int_equal(att_error_get(&it[0], &code, reason, sizeof(reason)), -XENIA_EPROTO);
    bad = (struct att_item){ .tag = XENIA_ATT_ERROR, .len = 3, .data = buf };
    assert_int_equal(att_error_get(&bad, &code, reason, sizeof(reason)), -XENIA_EPROTO);
    bad = (struct att_item){ .tag = XENIA_ATT_NONCE, .len = 8, .data = buf };
    assert_int_equal(att_error_get(&bad, &code, reason, sizeof(reason)), -XENIA_EPROTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_put_rejects),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_corruption),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_msg_check),
        cmocka_unit_test(test_error_item),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
