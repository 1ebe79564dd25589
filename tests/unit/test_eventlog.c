/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of attest/eventlog.c (TCG PC Client crypto-agile event log):
 * exact encoding, round trip, replay against hand-computed PCR values, every
 * rejection the parser promises (with its reason), truncation at every byte,
 * random corruption, and agreement with an independent parser: tpm2_eventlog
 * of tpm2-tools must accept our log and print the same SHA-256 PCR values.
 * Also prints the time evlog_replay takes for a 1000-event log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "attest/eventlog.h"

/* SHA-256 test vectors, computed independently (Python hashlib). */
static const char HEX_SHA_ABC[] =       /* SHA-256("abc") */
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char HEX_SHA_XENIA[] =     /* SHA-256("xenia") */
    "c9fa1a0b5c3e7f3a1c57ba8b18707ec99d43e3f37d402254896b432aa6a3d47b";
static const char HEX_PCR8_ONE[] =      /* SHA-256(0^32 || SHA-256("abc")) */
    "589f9ffed4c477966bfb8d41f37895b08c69047df8f911d6f3b57fbe08faee8d";
static const char HEX_PCR8_TWO[] =      /* SHA-256(PCR8_ONE || SHA-256("xenia")) */
    "4faf1c2f36da3a52878558a9d52179714c8dff6e51f028e1d9958c113b73aaad";
static const char HEX_PCR10[] =         /* SHA-256(0^32 || SHA-256("xenia")) */
    "0f33e9bdb739b6d8b948a63fdc985b7b7f12b4204623eae84fbe44a745bd7206";

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t i;

    assert_int_equal(strlen(hex), 2 * n);
    for (i = 0; i < n; i++) {
        unsigned int v;

        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static void wr_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* A growing log built with the encoder. */
struct log {
    uint8_t *buf;
    size_t len, cap;
};

static void log_init(struct log *l, size_t cap)
{
    size_t n;

    l->buf = malloc(cap);
    assert_non_null(l->buf);
    l->cap = cap;
    assert_int_equal(evlog_encode_header(l->buf, cap, &n), 0);
    assert_int_equal(n, EVLOG_HEADER_LEN);
    l->len = n;
}

static size_t log_add(struct log *l, uint32_t pcr, uint32_t type, const uint8_t dig[32],
                      const void *data, uint32_t dlen)
{
    size_t n = 0, at = l->len;

    assert_int_equal(evlog_encode_event(l->buf + l->len, l->cap - l->len, pcr, type, dig,
                                        data, dlen, &n), 0);
    assert_int_equal(n, EVLOG_EVENT_FIXED + dlen);
    l->len += n;
    return at;
}

static void fill_digest(uint8_t d[32], unsigned int seed)
{
    unsigned int i;

    for (i = 0; i < 32; i++)
        d[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

/* The 3-event log used by several tests: PCR 8 "abc", PCR 10 "xenia", PCR 8 "xenia". */
static void three_event_log(struct log *l, size_t off[3])
{
    uint8_t a[32], x[32];

    unhex(HEX_SHA_ABC, a, 32);
    unhex(HEX_SHA_XENIA, x, 32);
    log_init(l, 4096);
    off[0] = log_add(l, 8, EVLOG_EV_IPL, a, "xenia:hv", 8);
    off[1] = log_add(l, 10, EVLOG_EV_IPL, x, "xenia:domain image domid=1", 26);
    off[2] = log_add(l, 8, EVLOG_EV_IPL, x, NULL, 0);
}

/* ---- encoding ------------------------------------------------------------------- */

static void test_header_bytes(void **state)
{
    uint8_t b[80];
    size_t n = 0;
    static const uint8_t sig[16] = "Spec ID Event03";   /* + NUL */
    unsigned int i;

    (void)state;
    memset(b, 0xAA, sizeof(b));
    assert_int_equal(evlog_encode_header(b, sizeof(b), &n), 0);
    assert_int_equal(n, 65);
    assert_int_equal(le32(b + 0), 0);                    /* pcrIndex */
    assert_int_equal(le32(b + 4), 3);                    /* EV_NO_ACTION */
    for (i = 8; i < 28; i++)
        assert_int_equal(b[i], 0);                       /* SHA-1 digest zero */
    assert_int_equal(le32(b + 28), 33);                  /* eventDataSize */
    assert_memory_equal(b + 32, sig, 16);
    assert_int_equal(le32(b + 48), 0);                   /* platformClass */
    assert_int_equal(b[52], 0);                          /* minor */
    assert_int_equal(b[53], 2);                          /* major */
    assert_int_equal(b[54], 2);                          /* errata */
    assert_int_equal(b[55], 2);                          /* uintnSize */
    assert_int_equal(le32(b + 56), 1);                   /* numberOfAlgorithms */
    assert_int_equal(b[60] | (b[61] << 8), 0x000B);      /* SHA-256 */
    assert_int_equal(b[62] | (b[63] << 8), 32);
    assert_int_equal(b[64], 0);                          /* vendorInfoSize */
    assert_int_equal(b[65], 0xAA);                       /* nothing beyond */

    memset(b, 0xAA, sizeof(b));
    n = 7;
    assert_int_equal(evlog_encode_header(b, 64, &n), -XENIA_E2BIG);
    assert_int_equal(n, 7);
    assert_int_equal(b[0], 0xAA);
    assert_int_equal(evlog_encode_header(NULL, 80, &n), -XENIA_EINVAL);
    assert_int_equal(evlog_encode_header(b, 80, NULL), -XENIA_EINVAL);
}

static void test_event_bytes(void **state)
{
    uint8_t b[EVLOG_EVENT_FIXED + XENIA_EV_DATA_MAX + 8], d[32], data[XENIA_EV_DATA_MAX + 1];
    size_t n = 0;

    (void)state;
    fill_digest(d, 5);
    memset(data, 'z', sizeof(data));
    memset(b, 0xAA, sizeof(b));
    assert_int_equal(evlog_encode_event(b, sizeof(b), 23, 0x80000001u, d, data, 5, &n), 0);
    assert_int_equal(n, 55);
    assert_int_equal(le32(b + 0), 23);
    assert_int_equal(le32(b + 4), 0x80000001u);
    assert_int_equal(le32(b + 8), 1);                    /* digest count */
    assert_int_equal(b[12] | (b[13] << 8), 0x000B);
    assert_memory_equal(b + 14, d, 32);
    assert_int_equal(le32(b + 46), 5);
    assert_memory_equal(b + 50, "zzzzz", 5);
    assert_int_equal(b[55], 0xAA);

    /* Exactly enough room, and one byte short (nothing written). */
    assert_int_equal(evlog_encode_event(b, 50 + XENIA_EV_DATA_MAX, 0, EVLOG_EV_IPL, d, data,
                                        XENIA_EV_DATA_MAX, &n), 0);
    assert_int_equal(n, 50 + XENIA_EV_DATA_MAX);
    memset(b, 0xAA, sizeof(b));
    n = 99;
    assert_int_equal(evlog_encode_event(b, 54, 0, EVLOG_EV_IPL, d, data, 5, &n), -XENIA_E2BIG);
    assert_int_equal(n, 99);
    assert_int_equal(b[0], 0xAA);
    assert_int_equal(evlog_encode_event(b, 49, 0, EVLOG_EV_IPL, d, NULL, 0, &n), -XENIA_E2BIG);
    assert_int_equal(evlog_encode_event(b, 50, 0, EVLOG_EV_IPL, d, NULL, 0, &n), 0);
    assert_int_equal(n, 50);

    /* Bad arguments. */
    assert_int_equal(evlog_encode_event(b, sizeof(b), XENIA_NR_PCRS, EVLOG_EV_IPL, d, data, 1, &n),
                     -XENIA_EINVAL);
    assert_int_equal(evlog_encode_event(b, sizeof(b), 0, EVLOG_EV_IPL, d, data,
                                        XENIA_EV_DATA_MAX + 1, &n), -XENIA_EINVAL);
    assert_int_equal(evlog_encode_event(b, sizeof(b), 0, EVLOG_EV_IPL, d, NULL, 1, &n),
                     -XENIA_EINVAL);
    assert_int_equal(evlog_encode_event(b, sizeof(b), 0, EVLOG_EV_IPL, NULL, data, 1, &n),
                     -XENIA_EINVAL);
    assert_int_equal(evlog_encode_event(NULL, sizeof(b), 0, EVLOG_EV_IPL, d, data, 1, &n),
                     -XENIA_EINVAL);
    assert_int_equal(evlog_encode_event(b, sizeof(b), 0, EVLOG_EV_IPL, d, data, 1, NULL),
                     -XENIA_EINVAL);
}

/* ---- parsing --------------------------------------------------------------------- */

static void test_round_trip(void **state)
{
    struct log l;
    struct evlog_iter it;
    struct evlog_event ev;
    char err[160];
    static const uint32_t pcrs[] = { 0, 8, 9, 10, 23, 8 };
    static const uint32_t types[] = { EVLOG_EV_IPL, EVLOG_EV_IPL, EVLOG_EV_NO_ACTION,
                                      EVLOG_EV_IPL, 0xFFFFFFFFu, EVLOG_EV_IPL };
    static const uint32_t dlens[] = { 0, 1, 17, XENIA_EV_DATA_MAX, 3, 511 };
    uint8_t data[XENIA_EV_DATA_MAX], d[32];
    size_t off[6];
    unsigned int i;

    (void)state;
    for (i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    log_init(&l, 8192);
    for (i = 0; i < 6; i++) {
        fill_digest(d, i);
        off[i] = log_add(&l, pcrs[i], types[i], d, data, dlens[i]);
    }
    assert_int_equal(evlog_iter_init(&it, l.buf, l.len, err, sizeof(err)), 0);
    for (i = 0; i < 6; i++) {
        memset(&ev, 0, sizeof(ev));
        assert_int_equal(evlog_iter_next(&it, &ev, err, sizeof(err)), 1);
        fill_digest(d, i);
        assert_int_equal(ev.index, i + 1);
        assert_int_equal(ev.offset, off[i]);
        assert_int_equal(ev.pcr, pcrs[i]);
        assert_int_equal(ev.type, types[i]);
        assert_memory_equal(ev.digest, d, 32);
        assert_int_equal(ev.data_len, dlens[i]);
        assert_ptr_equal(ev.data, l.buf + off[i] + EVLOG_EVENT_FIXED);
        if (dlens[i])
            assert_memory_equal(ev.data, data, dlens[i]);
    }
    assert_int_equal(evlog_iter_next(&it, &ev, err, sizeof(err)), 0);
    assert_int_equal(evlog_iter_next(&it, &ev, err, sizeof(err)), 0);   /* stays at end */
    assert_int_equal(evlog_iter_next(NULL, &ev, err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(evlog_iter_next(&it, NULL, err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(evlog_iter_init(NULL, l.buf, l.len, err, sizeof(err)), -XENIA_EINVAL);
    assert_int_equal(evlog_iter_init(&it, NULL, 10, err, sizeof(err)), -XENIA_EINVAL);
    free(l.buf);
}

/* Header only: a valid log of zero events, all PCRs zero. */
static void test_empty_log(void **state)
{
    struct log l;
    uint8_t pcrs[XENIA_NR_PCRS][32], zero[XENIA_NR_PCRS][32];
    uint32_t n = 99;
    char err[128];

    (void)state;
    log_init(&l, 128);
    memset(pcrs, 0xEE, sizeof(pcrs));
    memset(zero, 0, sizeof(zero));
    assert_int_equal(evlog_replay(l.buf, l.len, pcrs, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 0);
    assert_memory_equal(pcrs, zero, sizeof(zero));
    free(l.buf);
}

static void test_replay_known_values(void **state)
{
    struct log l;
    size_t off[3];
    uint8_t pcrs[XENIA_NR_PCRS][32], want[32], zero[32], junk[32];
    uint32_t n = 0;
    char err[128];
    unsigned int i;

    (void)state;
    three_event_log(&l, off);
    /* EV_NO_ACTION events (any digest, any PCR) are recorded but never extended. */
    memset(junk, 0x77, sizeof(junk));
    log_add(&l, 9, EVLOG_EV_NO_ACTION, junk, "StartupLocality", 15);
    log_add(&l, 8, EVLOG_EV_NO_ACTION, junk, NULL, 0);
    memset(pcrs, 0xEE, sizeof(pcrs));
    assert_int_equal(evlog_replay(l.buf, l.len, pcrs, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 5);
    unhex(HEX_PCR8_TWO, want, 32);
    assert_memory_equal(pcrs[8], want, 32);
    unhex(HEX_PCR10, want, 32);
    assert_memory_equal(pcrs[10], want, 32);
    memset(zero, 0, sizeof(zero));
    for (i = 0; i < XENIA_NR_PCRS; i++)
        if (i != 8 && i != 10)
            assert_memory_equal(pcrs[i], zero, 32);

    /* The first two events only: PCR 8 extended once. */
    assert_int_equal(evlog_replay(l.buf, off[2], pcrs, &n, err, sizeof(err)), 0);
    assert_int_equal(n, 2);
    unhex(HEX_PCR8_ONE, want, 32);
    assert_memory_equal(pcrs[8], want, 32);
    assert_int_equal(evlog_replay(l.buf, l.len, NULL, &n, err, sizeof(err)), -XENIA_EINVAL);
    /* nevents is optional. */
    assert_int_equal(evlog_replay(l.buf, l.len, pcrs, NULL, err, sizeof(err)), 0);
    free(l.buf);
}

/* A failed replay leaves pcrs and nevents untouched. */
static void test_replay_no_partial_output(void **state)
{
    struct log l;
    size_t off[3];
    uint8_t pcrs[XENIA_NR_PCRS][32], before[XENIA_NR_PCRS][32];
    uint32_t n = 1234;
    char err[128];

    (void)state;
    three_event_log(&l, off);
    l.buf[off[2]] = 24;                      /* last event: pcrIndex 24 */
    memset(pcrs, 0x3C, sizeof(pcrs));
    memcpy(before, pcrs, sizeof(pcrs));
    assert_int_equal(evlog_replay(l.buf, l.len, pcrs, &n, err, sizeof(err)), -XENIA_EPROTO);
    assert_memory_equal(pcrs, before, sizeof(pcrs));
    assert_int_equal(n, 1234);
    free(l.buf);
}

static void expect_reject(const uint8_t *buf, size_t len, const char *want)
{
    uint8_t pcrs[XENIA_NR_PCRS][32];
    char err[200];
    uint8_t *copy = malloc(len ? len : 1);     /* exact size: ASan sees any over-read */

    assert_non_null(copy);
    memcpy(copy, buf, len);
    err[0] = '\0';
    assert_int_equal(evlog_replay(copy, len, pcrs, NULL, err, sizeof(err)), -XENIA_EPROTO);
    if (strstr(err, want) == NULL)
        fail_msg("error \"%s\" does not contain \"%s\"", err, want);
    free(copy);
}

static void test_header_rejections(void **state)
{
    static const struct { size_t off; uint8_t val; const char *want; } cases[] = {
        { 0, 1, "header: pcrIndex 1 (want 0)" },
        { 4, 0x0D, "header: eventType 0x0000000d (want EV_NO_ACTION" },
        { 8, 1, "header: digest is not zero" },
        { 27, 1, "header: digest is not zero" },
        { 28, 34, "header: eventDataSize 34" },
        { 32, 's', "header: signature is not \"Spec ID Event03\"" },
        { 46, '2', "header: signature is not" },
        { 47, 'x', "header: signature is not" },
        { 48, 1, "header: platformClass 1" },
        { 52, 1, "header: spec version 2.1 errata 2" },
        { 53, 1, "header: spec version 1.0 errata 2" },
        { 54, 0, "header: spec version 2.0 errata 0" },
        { 55, 1, "header: uintnSize 1" },
        { 56, 2, "header: numberOfAlgorithms 2" },
        { 60, 0x04, "header: algorithm 0x0004 not supported" },
        { 61, 0x01, "header: algorithm 0x010b not supported" },
        { 62, 20, "header: SHA-256 digest size 20" },
        { 64, 1, "header: vendorInfoSize 1" },
    };
    struct log l;
    size_t off[3], i;

    (void)state;
    three_event_log(&l, off);
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t save = l.buf[cases[i].off];

        l.buf[cases[i].off] = cases[i].val;
        expect_reject(l.buf, l.len, cases[i].want);
        l.buf[cases[i].off] = save;
    }
    /* A log must have a header: empty and every truncated header is refused. */
    for (i = 0; i < EVLOG_HEADER_LEN; i++)
        expect_reject(l.buf, i, "header: truncated");
    free(l.buf);
}

static void test_event_rejections(void **state)
{
    struct log l;
    size_t off[3];
    char want[128];
    uint8_t save[4];

    (void)state;
    three_event_log(&l, off);
    /* Second event (index 2) mutated field by field. */
    memcpy(save, l.buf + off[1], 4);
    wr_le32(l.buf + off[1], 24);
    snprintf(want, sizeof(want), "event 2 at offset %zu: pcrIndex 24 out of range", off[1]);
    expect_reject(l.buf, l.len, want);
    wr_le32(l.buf + off[1], 0xFFFFFFFFu);
    expect_reject(l.buf, l.len, "pcrIndex 4294967295 out of range");
    memcpy(l.buf + off[1], save, 4);

    wr_le32(l.buf + off[1] + 8, 2);
    snprintf(want, sizeof(want), "event 2 at offset %zu: digest count 2 (want 1)", off[1]);
    expect_reject(l.buf, l.len, want);
    wr_le32(l.buf + off[1] + 8, 0);
    expect_reject(l.buf, l.len, "digest count 0 (want 1)");
    wr_le32(l.buf + off[1] + 8, 1);

    l.buf[off[1] + 12] = 0x04;               /* SHA-1 */
    snprintf(want, sizeof(want),
             "event 2 at offset %zu: hash algorithm 0x0004 not supported", off[1]);
    expect_reject(l.buf, l.len, want);
    l.buf[off[1] + 12] = 0x0B;
    l.buf[off[1] + 13] = 0x01;
    expect_reject(l.buf, l.len, "hash algorithm 0x010b not supported");
    l.buf[off[1] + 13] = 0x00;

    /* Data size: over the maximum, and larger than what is left. */
    memcpy(save, l.buf + off[1] + 46, 4);
    wr_le32(l.buf + off[1] + 46, XENIA_EV_DATA_MAX + 1);
    expect_reject(l.buf, l.len, "event data of 513 bytes exceeds 512");
    wr_le32(l.buf + off[1] + 46, 0xFFFFFFFFu);
    expect_reject(l.buf, l.len, "event data of 4294967295 bytes exceeds 512");
    memcpy(l.buf + off[1] + 46, save, 4);
    wr_le32(l.buf + off[2] + 46, 1);         /* last event claims 1 byte, none left */
    snprintf(want, sizeof(want), "event 3 at offset %zu: truncated event data", off[2]);
    expect_reject(l.buf, l.len, want);
    wr_le32(l.buf + off[2] + 46, 0);

    /* Still well formed after restoring every field. */
    {
        uint8_t pcrs[XENIA_NR_PCRS][32];

        assert_int_equal(evlog_replay(l.buf, l.len, pcrs, NULL, NULL, 0), 0);
    }
    free(l.buf);
}

/* Trailing garbage of 1..49 bytes (shorter than any event) is refused. */
static void test_trailing_garbage(void **state)
{
    struct log l;
    size_t off[3], base, k;
    char want[64];

    (void)state;
    three_event_log(&l, off);
    base = l.len;
    for (k = 1; k < EVLOG_EVENT_FIXED; k++) {
        /* The start of a real event, cut short. */
        memcpy(l.buf + base, l.buf + off[0], k);
        snprintf(want, sizeof(want), "event 4 at offset %zu: truncated", base);
        expect_reject(l.buf, base + k, want);
        /* Zero bytes: refused too (truncated, or digest count 0). */
        memset(l.buf + base, 0, k);
        snprintf(want, sizeof(want), "event 4 at offset %zu: ", base);
        expect_reject(l.buf, base + k, want);
    }
    free(l.buf);
}

/* Truncating a 3-event log at every byte offset: an error naming the right
 * field, except at event boundaries, where the shorter log is itself valid. */
static void test_truncate_everywhere(void **state)
{
    struct log l;
    size_t off[3], cut, nerr = 0;
    uint8_t pcrs[XENIA_NR_PCRS][32];
    uint32_t n;
    char err[200];

    (void)state;
    three_event_log(&l, off);
    for (cut = 0; cut < l.len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        int rc;

        assert_non_null(copy);
        memcpy(copy, l.buf, cut);
        n = 777;
        err[0] = '\0';
        rc = evlog_replay(copy, cut, pcrs, &n, err, sizeof(err));
        if (cut == EVLOG_HEADER_LEN || cut == off[1] || cut == off[2]) {
            assert_int_equal(rc, 0);
            assert_int_equal(n, cut == EVLOG_HEADER_LEN ? 0 : cut == off[1] ? 1 : 2);
        } else {
            assert_int_equal(rc, -XENIA_EPROTO);
            assert_non_null(strstr(err, "truncated"));
            assert_int_equal(n, 777);
            nerr++;
        }
        free(copy);
    }
    assert_int_equal(nerr, l.len - 3);
    /* Precise reasons at two chosen cuts. */
    snprintf(err, sizeof(err), "event 2 at offset %zu: truncated digest", off[1]);
    expect_reject(l.buf, off[1] + 20, err);
    snprintf(err, sizeof(err), "event 3 at offset %zu: truncated eventSize", off[2]);
    expect_reject(l.buf, off[2] + 47, err);
    free(l.buf);
}

/* An iterator that failed stays on the failing event and keeps failing. */
static void test_iter_sticky_error(void **state)
{
    struct log l;
    size_t off[3];
    struct evlog_iter it;
    struct evlog_event ev;
    char err[128];

    (void)state;
    three_event_log(&l, off);
    wr_le32(l.buf + off[1] + 8, 3);
    assert_int_equal(evlog_iter_init(&it, l.buf, l.len, err, sizeof(err)), 0);
    assert_int_equal(evlog_iter_next(&it, &ev, err, sizeof(err)), 1);
    assert_int_equal(evlog_iter_next(&it, &ev, err, sizeof(err)), -XENIA_EPROTO);
    assert_int_equal(it.off, off[1]);
    assert_int_equal(evlog_iter_next(&it, &ev, err, sizeof(err)), -XENIA_EPROTO);
    /* A tiny error buffer is NUL-terminated and never overrun. */
    memset(err, 'Q', sizeof(err));
    assert_int_equal(evlog_iter_next(&it, &ev, err, 5), -XENIA_EPROTO);
    assert_int_equal(err[4], '\0');
    assert_int_equal(err[5], 'Q');
    free(l.buf);
}

/* EVLOG_MAX_EVENTS events are accepted; one more is refused. */
static void test_max_events(void **state)
{
    struct log l;
    uint8_t d[32], pcrs[XENIA_NR_PCRS][32];
    uint32_t i, n = 0;
    char err[128], want[64];
    size_t last = 0;

    (void)state;
    log_init(&l, EVLOG_HEADER_LEN + (size_t)(EVLOG_MAX_EVENTS + 1) * EVLOG_EVENT_FIXED);
    memset(d, 0x11, sizeof(d));
    for (i = 0; i < EVLOG_MAX_EVENTS; i++)
        last = log_add(&l, i % XENIA_NR_PCRS, EVLOG_EV_IPL, d, NULL, 0);
    assert_int_equal(evlog_replay(l.buf, l.len, pcrs, &n, err, sizeof(err)), 0);
    assert_int_equal(n, EVLOG_MAX_EVENTS);
    last = log_add(&l, 0, EVLOG_EV_NO_ACTION, d, NULL, 0);
    snprintf(want, sizeof(want), "event %u at offset %zu: more than 65536 events",
             EVLOG_MAX_EVENTS + 1, last);
    expect_reject(l.buf, l.len, want);
    free(l.buf);
}

/* Random corruption (fixed seed): never a crash or an over-read (ASan), and an
 * error always comes with a reason. */
static void test_random_corruption(void **state)
{
    struct log l;
    size_t off[3];
    uint8_t pcrs[XENIA_NR_PCRS][32], *copy;
    char err[200];
    unsigned int round, k, nerr = 0;
    uint32_t x = 0x12345678u;

    (void)state;
    three_event_log(&l, off);
    copy = malloc(l.len);
    assert_non_null(copy);
    for (round = 0; round < 20000; round++) {
        memcpy(copy, l.buf, l.len);
        for (k = 0; k < 1 + round % 4; k++) {
            x = x * 1103515245u + 12345u;
            copy[(x >> 8) % l.len] ^= (uint8_t)(1u << ((x >> 4) % 8));
        }
        err[0] = '\0';
        int rc = evlog_replay(copy, l.len, pcrs, NULL, err, sizeof(err));
        if (rc != 0) {
            assert_int_equal(rc, -XENIA_EPROTO);
            assert_true(strlen(err) > 10);
            nerr++;
        }
    }
    /* Most flips land in digests/data (still valid); some must be refused. */
    assert_true(nerr > 1000);
    free(copy);
    free(l.buf);
}

/* ---- the independent checker: tpm2_eventlog (tpm2-tools) ------------------------- */

static int have_tool(const char *name)
{
    char cmd[128];

    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/*
 * tpm2_eventlog 5.4 extends EV_NO_ACTION events after the header (tpm2-tools
 * issue #3224, fixed by PR #3230 after 5.5), so the comparison log holds only
 * extending events, as hv's logs do.
 */
static void test_tpm2_eventlog_agrees(void **state)
{
    struct log l;
    uint8_t pcrs[XENIA_NR_PCRS][32], d[32], data[XENIA_EV_DATA_MAX];
    static const uint32_t pcr_of[] = { 8, 9, 10, 0, 23, 8, 9, 10 };
    char path[] = "/tmp/xenia-evlog-XXXXXX", cmd[256], line[512];
    int fd, seen = 0, in_sha256 = 0, got_mask_ok = 1;
    uint32_t n, i, seen_mask = 0, want_mask = 0;
    FILE *f;

    (void)state;
    if (!have_tool("tpm2_eventlog"))
        skip();
    memset(data, 'a', sizeof(data));
    log_init(&l, 65536);
    for (i = 0; i < 40; i++) {
        char name[64];
        int len = snprintf(name, sizeof(name), "xenia:component %u", i);

        fill_digest(d, i + 100);
        if (i == 7)
            log_add(&l, pcr_of[i % 8], EVLOG_EV_IPL, d, data, XENIA_EV_DATA_MAX);
        else if (i == 11)
            log_add(&l, pcr_of[i % 8], EVLOG_EV_IPL, d, NULL, 0);
        else
            log_add(&l, pcr_of[i % 8], EVLOG_EV_IPL, d, name, (uint32_t)len);
        want_mask |= 1u << pcr_of[i % 8];
    }
    assert_int_equal(evlog_replay(l.buf, l.len, pcrs, &n, NULL, 0), 0);
    assert_int_equal(n, 40);

    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, l.buf, l.len), (ssize_t)l.len);
    close(fd);
    snprintf(cmd, sizeof(cmd), "tpm2_eventlog %s 2>/dev/null", path);
    f = popen(cmd, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        unsigned int idx;
        char hex[80];
        uint8_t v[32];

        if (strncmp(line, "pcrs:", 5) == 0)
            continue;
        if (strcmp(line, "  sha256:\n") == 0) {
            in_sha256 = 1;
            continue;
        }
        if (!in_sha256)
            continue;
        if (sscanf(line, " %u : 0x%64s", &idx, hex) != 2)
            break;
        assert_true(idx < XENIA_NR_PCRS);
        unhex(hex, v, 32);
        if (memcmp(v, pcrs[idx], 32) != 0) {
            print_error("PCR %u: tpm2_eventlog %s differs\n", idx, hex);
            got_mask_ok = 0;
        }
        seen_mask |= 1u << idx;
        seen++;
    }
    assert_int_equal(pclose(f), 0);          /* exit status 0: it accepted the log */
    unlink(path);
    assert_true(got_mask_ok);
    assert_int_equal(seen, 5);
    assert_int_equal(seen_mask, want_mask);
    free(l.buf);
}

/* ---- timing ---------------------------------------------------------------------- */

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void test_replay_1000_timing(void **state)
{
    struct log l;
    uint8_t d[32], pcrs[XENIA_NR_PCRS][32];
    uint32_t i, n;
    double t0, best = 1e30;
    int r;

    (void)state;
    log_init(&l, EVLOG_HEADER_LEN + 1000 * (EVLOG_EVENT_FIXED + 64));
    for (i = 0; i < 1000; i++) {
        char name[64];
        int len = snprintf(name, sizeof(name), "xenia:domain image domid=%u name=vm%u", i, i);

        fill_digest(d, i);
        log_add(&l, 8 + i % 3, EVLOG_EV_IPL, d, name, (uint32_t)len);
    }
    for (r = 0; r < 20; r++) {
        t0 = now_us();
        assert_int_equal(evlog_replay(l.buf, l.len, pcrs, &n, NULL, 0), 0);
        t0 = now_us() - t0;
        if (t0 < best)
            best = t0;
    }
    assert_int_equal(n, 1000);
    printf("evlog_replay: 1000 events (%zu bytes) in %.0f us (best of 20)\n", l.len, best);
    free(l.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_bytes),
        cmocka_unit_test(test_event_bytes),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_empty_log),
        cmocka_unit_test(test_replay_known_values),
        cmocka_unit_test(test_replay_no_partial_output),
        cmocka_unit_test(test_header_rejections),
        cmocka_unit_test(test_event_rejections),
        cmocka_unit_test(test_trailing_garbage),
        cmocka_unit_test(test_truncate_everywhere),
        cmocka_unit_test(test_iter_sticky_error),
        cmocka_unit_test(test_max_events),
        cmocka_unit_test(test_random_corruption),
        cmocka_unit_test(test_tpm2_eventlog_agrees),
        cmocka_unit_test(test_replay_1000_timing),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
