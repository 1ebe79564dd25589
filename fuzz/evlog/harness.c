/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: attest/eventlog.c (TCG PC Client crypto-agile event log, the
 * verifier's view of an untrusted log; format in attest/eventlog.h).
 * Input: the log bytes. Properties checked (abort() when one breaks):
 *  1. walk: evlog_iter_init + evlog_iter_next terminate (each event takes
 *     >= EVLOG_EVENT_FIXED bytes, so at most len / 50 + 1 calls); every event
 *     returned lies inside the buffer, directly after the previous one, and its
 *     fields are the bytes at its offset (re-read here independently: pcr <
 *     XENIA_NR_PCRS, one SHA-256 digest, data <= XENIA_EV_DATA_MAX); end of log
 *     (0) only exactly at len; after an error the iterator has not moved and
 *     the error repeats; errors are NUL-terminated.
 *  2. re-encoding: an accepted log re-encoded with evlog_encode_header and
 *     evlog_encode_event is byte-identical (the parser accepts exactly what the
 *     encoder writes).
 *  3. replay: evlog_replay succeeds iff the walk does, with the event count and
 *     the PCR values of an independent replay here (SHA-256 extend of every
 *     event but EV_NO_ACTION); on failure it leaves pcrs untouched.
 *  4. round trip: the first 44 bytes as event fields (pcr u32, type u32,
 *     data_len u16, cap u16, digest[32]; data = the bytes after them) through
 *     evlog_encode_event: success iff pcr < 24, data_len <= 512 and
 *     cap >= 50 + data_len; a refusal writes nothing; a success parses back
 *     (after an encoded header) to exactly those fields, then end of log.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include "attest/eventlog.h"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static void check_err(const char *err, size_t cap)
{
    if (memchr(err, 0, cap) == NULL || err[0] == 0)
        abort();
}

/* Properties 1-3 over buf[0..len). */
static void check_log(const uint8_t *buf, size_t len)
{
    struct evlog_iter it;
    struct evlog_event ev;
    uint8_t want[XENIA_NR_PCRS][32], got[XENIA_NR_PCRS][32], cat[64];
    char err[256];
    uint8_t *re = NULL;
    size_t relen = 0, n, expect_off, calls = 0;
    uint32_t nev = 0, rnev = 0xdeadbeef;
    int rc, ok, rrc;

    memset(err, 'x', sizeof(err));
    rc = evlog_iter_init(&it, buf, len, err, sizeof(err));
    if (rc < 0) {
        if (rc != -XENIA_EPROTO)
            abort();
        check_err(err, sizeof(err));
        ok = 0;
        goto replay;
    }
    if (len < EVLOG_HEADER_LEN || it.off != EVLOG_HEADER_LEN || it.buf != buf || it.len != len ||
        it.index != 0)
        abort();
    re = malloc(len);
    if (re == NULL)
        abort();
    if (evlog_encode_header(re, len, &n) != 0 || n != EVLOG_HEADER_LEN)
        abort();
    relen = n;
    memset(want, 0, sizeof(want));
    expect_off = EVLOG_HEADER_LEN;
    for (;;) {
        struct evlog_iter before = it;

        if (++calls > len / EVLOG_EVENT_FIXED + 2)
            abort();                                   /* the walk does not terminate */
        memset(err, 'x', sizeof(err));
        rc = evlog_iter_next(&it, &ev, err, sizeof(err));
        if (rc == 0) {
            if (it.off != len || expect_off != len || it.index != before.index)
                abort();
            if (evlog_iter_next(&it, &ev, err, sizeof(err)) != 0)
                abort();
            ok = 1;
            break;
        }
        if (rc < 0) {
            struct evlog_iter again;
            char err2[256];

            if (rc != -XENIA_EPROTO || memcmp(&before, &it, sizeof(it)) != 0)
                abort();
            check_err(err, sizeof(err));
            again = it;
            if (evlog_iter_next(&again, &ev, err2, sizeof(err2)) != rc ||
                strcmp(err, err2) != 0)
                abort();
            ok = 0;
            break;
        }
        if (rc != 1)
            abort();
        /* The event lies inside the buffer, right after the previous one. */
        if (ev.offset != expect_off || ev.index != before.index + 1 || it.index != ev.index ||
            ev.data_len > XENIA_EV_DATA_MAX || ev.pcr >= XENIA_NR_PCRS ||
            ev.offset > len || len - ev.offset < EVLOG_EVENT_FIXED + (size_t)ev.data_len ||
            ev.data != buf + ev.offset + EVLOG_EVENT_FIXED ||
            it.off != ev.offset + EVLOG_EVENT_FIXED + ev.data_len || it.off > len)
            abort();
        /* Its fields are the bytes at its offset. */
        {
            const uint8_t *p = buf + ev.offset;
            if (le32(p) != ev.pcr || le32(p + 4) != ev.type || le32(p + 8) != 1 ||
                le16(p + 12) != EVLOG_ALG_SHA256 || memcmp(p + 14, ev.digest, 32) != 0 ||
                le32(p + 46) != ev.data_len)
                abort();
        }
        /* Re-encode (property 2). */
        if (evlog_encode_event(re + relen, len - relen, ev.pcr, ev.type, ev.digest, ev.data,
                               ev.data_len, &n) != 0 ||
            n != EVLOG_EVENT_FIXED + (size_t)ev.data_len)
            abort();
        relen += n;
        /* Independent replay (property 3). */
        if (ev.type != EVLOG_EV_NO_ACTION) {
            memcpy(cat, want[ev.pcr], 32);
            memcpy(cat + 32, ev.digest, 32);
            if (mbedtls_sha256_ret(cat, sizeof(cat), want[ev.pcr], 0) != 0)
                abort();
        }
        nev++;
        expect_off = it.off;
    }
    if (ok && (relen != len || memcmp(re, buf, len) != 0))
        abort();
    free(re);
replay:
    memset(got, 0xa5, sizeof(got));
    memset(err, 'x', sizeof(err));
    rrc = evlog_replay(buf, len, got, &rnev, err, sizeof(err));
    if (ok) {
        if (rrc != 0 || rnev != nev || memcmp(got, want, sizeof(want)) != 0)
            abort();
    } else {
        uint8_t untouched[XENIA_NR_PCRS][32];

        memset(untouched, 0xa5, sizeof(untouched));
        if (rrc != -XENIA_EPROTO || rnev != 0xdeadbeef ||
            memcmp(got, untouched, sizeof(got)) != 0)
            abort();
        check_err(err, sizeof(err));
    }
}

/* Property 4 over the first 44 bytes (fields) and the rest (data). */
static void check_roundtrip(const uint8_t *in, size_t len)
{
    uint32_t pcr, type, dlen;
    size_t cap, n = 0, hl;
    const uint8_t *digest, *data;
    uint8_t *out;
    struct evlog_iter it;
    struct evlog_event ev;
    int rc, want_ok;

    if (len < 44)
        return;
    pcr = le32(in);
    type = le32(in + 4);
    dlen = le16(in + 8);
    cap = le16(in + 10);
    digest = in + 12;
    data = in + 44;
    if (dlen > len - 44)
        dlen = (uint32_t)(len - 44) + (dlen & 1) * 600;   /* sometimes more than we have */
    /* (a dlen over XENIA_EV_DATA_MAX must be refused before data is read) */
    out = malloc(EVLOG_HEADER_LEN + cap + 1);
    if (out == NULL)
        abort();
    memset(out, 0xee, EVLOG_HEADER_LEN + cap + 1);
    if (evlog_encode_header(out, EVLOG_HEADER_LEN - 1, &hl) != -XENIA_E2BIG ||
        evlog_encode_header(out, EVLOG_HEADER_LEN, &hl) != 0 || hl != EVLOG_HEADER_LEN)
        abort();
    rc = evlog_encode_event(out + hl, cap, pcr, type, digest, data, dlen, &n);
    want_ok = pcr < XENIA_NR_PCRS && dlen <= XENIA_EV_DATA_MAX && cap >= EVLOG_EVENT_FIXED + dlen;
    if (!want_ok) {
        int want_rc = (pcr >= XENIA_NR_PCRS || dlen > XENIA_EV_DATA_MAX) ? -XENIA_EINVAL
                                                                         : -XENIA_E2BIG;
        if (rc != want_rc || n != 0)
            abort();
        for (size_t i = hl; i < EVLOG_HEADER_LEN + cap + 1; i++)
            if (out[i] != 0xee)
                abort();                                /* a refusal wrote something */
        free(out);
        return;
    }
    if (rc != 0 || n != EVLOG_EVENT_FIXED + dlen || out[hl + cap] != 0xee)
        abort();
    if (evlog_iter_init(&it, out, hl + n, NULL, 0) != 0 ||
        evlog_iter_next(&it, &ev, NULL, 0) != 1 || ev.pcr != pcr || ev.type != type ||
        ev.data_len != dlen || memcmp(ev.digest, digest, 32) != 0 ||
        (dlen && memcmp(ev.data, data, dlen) != 0) || ev.index != 1 || ev.offset != hl ||
        evlog_iter_next(&it, &ev, NULL, 0) != 0)
        abort();
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    check_log(buf, size);
    check_roundtrip(buf, size);
    free(buf);
    return 0;
}
