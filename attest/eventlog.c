/* SPDX-License-Identifier: MIT */
/*
 * TCG PC Client crypto-agile event log (PFP §10.2.1, §10.2.2, §10.4.5.1):
 * encoder, bounded parser and replay. See eventlog.h for the format.
 * Pure: no system calls, no allocation; every read of log bytes goes through
 * the bounded little-endian cursor below.
 */
#include "attest/eventlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mbedtls/sha256.h>

#define SPEC_ID_SIG      "Spec ID Event03"   /* 15 chars + NUL = 16 bytes */
#define SPEC_ID_LEN      33u                 /* TCG_EfiSpecIDEventStruct, one alg, no vendor info */

/* The only header Xenia writes and accepts (see eventlog.h). */
static const uint8_t evlog_header[EVLOG_HEADER_LEN] = {
    0x00, 0x00, 0x00, 0x00,                         /* pcrIndex 0 */
    0x03, 0x00, 0x00, 0x00,                         /* eventType EV_NO_ACTION */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* SHA-1 digest: zero */
    SPEC_ID_LEN, 0x00, 0x00, 0x00,                  /* eventDataSize */
    'S', 'p', 'e', 'c', ' ', 'I', 'D', ' ',
    'E', 'v', 'e', 'n', 't', '0', '3', 0x00,        /* signature */
    0x00, 0x00, 0x00, 0x00,                         /* platformClass: client */
    0x00,                                           /* specVersionMinor */
    0x02,                                           /* specVersionMajor */
    0x02,                                           /* specErrata */
    0x02,                                           /* uintnSize: UINT64 */
    0x01, 0x00, 0x00, 0x00,                         /* numberOfAlgorithms */
    0x0B, 0x00, 0x20, 0x00,                         /* {TPM_ALG_SHA256, 32} */
    0x00,                                           /* vendorInfoSize */
};
_Static_assert(sizeof(evlog_header) == 32 + SPEC_ID_LEN, "header layout");

__attribute__((format(printf, 3, 4)))
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/*@ requires \valid(p + (0 .. 1));
  @ assigns p[0 .. 1];
  @ ensures p[0] == (uint8_t)v && p[1] == (uint8_t)(v / 256);
  @*/
static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v / 256u);   /* v >> 8, in the form WP's provers reason about */
}

/*@ requires \valid(p + (0 .. 3));
  @ assigns p[0 .. 3];
  @ ensures p[0] == (uint8_t)v && p[1] == (uint8_t)(v / 0x100) &&
  @         p[2] == (uint8_t)(v / 0x10000) && p[3] == (uint8_t)(v / 0x1000000);
  @*/
static void put_le32(uint8_t *p, uint32_t v)
{
    /* v >> 8k, written as divisions: the same code, and WP's provers reason about them */
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v / 0x100u);
    p[2] = (uint8_t)(v / 0x10000u);
    p[3] = (uint8_t)(v / 0x1000000u);
}

/* memcpy of bytes, written out so that WP proves what lands in dst (the libc
 * contract of memcpy goes through char * casts WP's typed model refuses);
 * compilers turn the loop back into a memcpy call. */
/*@ requires \valid(dst + (0 .. n - 1));
  @ requires \valid_read(src + (0 .. n - 1));
  @ requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
  @ assigns dst[0 .. n - 1] \from src[0 .. n - 1];
  @ ensures \forall integer k; 0 <= k < n ==> dst[k] == \old(src[k]);
  @*/
static void copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
    size_t i;

    /*@ loop invariant 0 <= i <= n;
      @ loop invariant \forall integer k; 0 <= k < i ==> dst[k] == src[k];
      @ loop assigns i, dst[0 .. n - 1];
      @ loop variant n - i;
      @*/
    for (i = 0; i < n; i++)
        dst[i] = src[i];
}

/*@ requires out != \null ==> \valid(out + (0 .. cap - 1));
  @ requires len != \null ==> \valid(len);
  @ requires out != \null && len != \null ==> \separated(out + (0 .. cap - 1), len);
  @ assigns out[0 .. cap - 1], *len;
  @ behavior bad_args:
  @   assumes out == \null || len == \null;
  @   assigns \nothing;
  @   ensures \result == -XENIA_EINVAL;
  @ behavior too_small:
  @   assumes out != \null && len != \null && cap < EVLOG_HEADER_LEN;
  @   assigns \nothing;
  @   ensures \result == -XENIA_E2BIG;
  @ behavior ok:
  @   assumes out != \null && len != \null && cap >= EVLOG_HEADER_LEN;
  @   assigns out[0 .. EVLOG_HEADER_LEN - 1], *len;
  @   ensures \result == 0 && *len == EVLOG_HEADER_LEN;
  @   ensures \forall integer k; 0 <= k < EVLOG_HEADER_LEN ==> out[k] == evlog_header[k];
  @   ensures out[4] == EVLOG_EV_NO_ACTION && out[28] == SPEC_ID_LEN && out[60] == 0x0B;
  @ complete behaviors;
  @ disjoint behaviors;
  @*/
int evlog_encode_header(uint8_t *out, size_t cap, size_t *len)
{
    if (out == NULL || len == NULL)
        return -XENIA_EINVAL;
    if (cap < sizeof(evlog_header))
        return -XENIA_E2BIG;
    copy_bytes(out, evlog_header, sizeof(evlog_header));
    *len = sizeof(evlog_header);
    return 0;
}

/*@ predicate evlog_event_args_ok(uint8_t *out, size_t *len, uint8_t *digest, uint8_t *data,
  @                                 integer pcr, integer data_len) =
  @   out != \null && len != \null && digest != \null && pcr < XENIA_NR_PCRS &&
  @   data_len <= XENIA_EV_DATA_MAX && (data != \null || data_len == 0);
  @
  @ // The bytes of one TCG_PCR_EVENT2 at out (eventlog.h), in memory state L.
  @ predicate evlog_event_head{L}(uint8_t *out, integer pcr, uint32_t type) =
  @   // pcrIndex (pcr < XENIA_NR_PCRS: one byte)
  @   out[0] == pcr && out[1] == 0 && out[2] == 0 && out[3] == 0 &&
  @   // eventType, little-endian
  @   out[4] == (uint8_t)type && out[5] == (uint8_t)(type / 0x100) &&
  @   out[6] == (uint8_t)(type / 0x10000) && out[7] == type / 0x1000000 &&
  @   // TPML_DIGEST_VALUES.count = 1, hashAlg = TPM_ALG_SHA256
  @   out[8] == 1 && out[9] == 0 && out[10] == 0 && out[11] == 0 &&
  @   out[12] == EVLOG_ALG_SHA256 && out[13] == 0;
  @ // digest (data) bytes in state P, copied to out in state L
  @ predicate evlog_event_digest{L, P}(uint8_t *out, uint8_t *digest) =
  @   \forall integer k; 0 <= k < 32 ==> \at(out[14 + k], L) == \at(digest[k], P);
  @ predicate evlog_event_size{L}(uint8_t *out, integer data_len) =
  @   // eventSize (data_len <= XENIA_EV_DATA_MAX: two bytes)
  @   out[46] == (uint8_t)data_len && out[47] == data_len / 0x100 &&
  @   out[48] == 0 && out[49] == 0;
  @ predicate evlog_event_data{L, P}(uint8_t *out, uint8_t *data, integer data_len) =
  @   \forall integer k; 0 <= k < data_len ==>
  @     \at(out[EVLOG_EVENT_FIXED + k], L) == \at(data[k], P);
  @*/

/* Write one event whose arguments evlog_encode_event() validated. */
/*@ requires pcr < XENIA_NR_PCRS && data_len <= XENIA_EV_DATA_MAX;
  @ requires \valid(out + (0 .. EVLOG_EVENT_FIXED + data_len - 1));
  @ requires \valid_read(digest + (0 .. 31));
  @ requires \valid_read(data + (0 .. data_len - 1));
  @ requires \separated(out + (0 .. EVLOG_EVENT_FIXED + data_len - 1), digest + (0 .. 31),
  @                     data + (0 .. data_len - 1));
  @ assigns out[0 .. EVLOG_EVENT_FIXED + data_len - 1];
  @ ensures head: evlog_event_head(out, pcr, type);
  @ ensures digest: evlog_event_digest{Post, Pre}(out, (uint8_t *)digest);
  @ ensures size: evlog_event_size(out, data_len);
  @ ensures data: evlog_event_data{Post, Pre}(out, (uint8_t *)data, data_len);
  @*/
static void put_event(uint8_t *out, uint32_t pcr, uint32_t type, const uint8_t *digest,
                      const uint8_t *data, uint32_t data_len)
{
    /* The copies first, so that what they copy is the caller's bytes (Pre) for WP;
     * the assertions carry the copied bytes across each later store. */
    copy_bytes(out + 14, digest, 32);
    /*@ assert evlog_event_digest{Here, Pre}(out, (uint8_t *)digest); */
    if (data_len != 0)
        copy_bytes(out + EVLOG_EVENT_FIXED, data, data_len);
    /*@ assert copied: evlog_event_digest{Here, Pre}(out, (uint8_t *)digest) &&
      @        evlog_event_data{Here, Pre}(out, (uint8_t *)data, data_len); */
    put_le32(out, pcr);
    /*@ assert out[0] == pcr && out[1] == 0 && out[2] == 0 && out[3] == 0; */
    /*@ assert copied_1: evlog_event_digest{Here, Pre}(out, (uint8_t *)digest) &&
      @        evlog_event_data{Here, Pre}(out, (uint8_t *)data, data_len); */
    put_le32(out + 4, type);
    /*@ assert copied_2: evlog_event_digest{Here, Pre}(out, (uint8_t *)digest) &&
      @        evlog_event_data{Here, Pre}(out, (uint8_t *)data, data_len); */
    put_le32(out + 8, 1);                          /* TPML_DIGEST_VALUES.count */
    /*@ assert copied_3: evlog_event_digest{Here, Pre}(out, (uint8_t *)digest) &&
      @        evlog_event_data{Here, Pre}(out, (uint8_t *)data, data_len); */
    put_le16(out + 12, EVLOG_ALG_SHA256);
    /*@ assert copied_4: evlog_event_digest{Here, Pre}(out, (uint8_t *)digest) &&
      @        evlog_event_data{Here, Pre}(out, (uint8_t *)data, data_len); */
    /*@ assert head: evlog_event_head(out, pcr, type); */
    put_le32(out + 46, data_len);
}

/*@ requires out != \null ==> \valid(out + (0 .. cap - 1));
  @ requires len != \null ==> \valid(len);
  @ requires digest != \null ==> \valid_read(digest + (0 .. 31));
  @ requires data != \null ==> \valid_read(data + (0 .. data_len - 1));
  @ assigns out[0 .. cap - 1], *len;
  @ behavior bad_args:
  @   assumes !evlog_event_args_ok(out, len, (uint8_t *)digest, (uint8_t *)data, pcr, data_len);
  @   assigns \nothing;
  @   ensures \result == -XENIA_EINVAL;
  @ behavior too_small:
  @   assumes evlog_event_args_ok(out, len, (uint8_t *)digest, (uint8_t *)data, pcr, data_len);
  @   assumes cap < EVLOG_EVENT_FIXED + data_len;
  @   assigns \nothing;
  @   ensures \result == -XENIA_E2BIG;
  @ behavior ok:
  @   assumes evlog_event_args_ok(out, len, (uint8_t *)digest, (uint8_t *)data, pcr, data_len);
  @   assumes cap >= EVLOG_EVENT_FIXED + data_len;
  @   requires \separated(out + (0 .. cap - 1), len, digest + (0 .. 31),
  @                       data + (0 .. data_len - 1));
  @   assigns out[0 .. EVLOG_EVENT_FIXED + data_len - 1], *len;
  @   ensures \result == 0 && *len == EVLOG_EVENT_FIXED + data_len;
  @   ensures head: evlog_event_head(out, pcr, type);
  @   ensures digest: evlog_event_digest{Post, Pre}(out, (uint8_t *)digest);
  @   ensures size: evlog_event_size(out, data_len);
  @   ensures data: evlog_event_data{Post, Pre}(out, (uint8_t *)data, data_len);
  @ complete behaviors;
  @ disjoint behaviors;
  @*/
int evlog_encode_event(uint8_t *out, size_t cap, uint32_t pcr, uint32_t type,
                       const uint8_t digest[32], const uint8_t *data, uint32_t data_len,
                       size_t *len)
{
    size_t need;

    if (out == NULL || len == NULL || digest == NULL || pcr >= XENIA_NR_PCRS ||
        data_len > XENIA_EV_DATA_MAX || (data == NULL && data_len != 0))
        return -XENIA_EINVAL;
    need = EVLOG_EVENT_FIXED + (size_t)data_len;
    if (cap < need)
        return -XENIA_E2BIG;
    put_event(out, pcr, type, digest, data, data_len);
    *len = need;
    return 0;
}

/* ---- bounded little-endian cursor ------------------------------------------------- */

struct lecur {
    const uint8_t *p;
    size_t len;
    size_t off;                /* <= len, always */
};

static int take(struct lecur *c, size_t n, const uint8_t **out)
{
    if (c->len - c->off < n)
        return -1;
    *out = c->p + c->off;
    c->off += n;
    return 0;
}

static int rd_u8(struct lecur *c, uint8_t *v)
{
    const uint8_t *b;

    if (take(c, 1, &b))
        return -1;
    *v = b[0];
    return 0;
}

static int rd_le16(struct lecur *c, uint16_t *v)
{
    const uint8_t *b;

    if (take(c, 2, &b))
        return -1;
    *v = (uint16_t)(b[0] | (b[1] << 8));
    return 0;
}

static int rd_le32(struct lecur *c, uint32_t *v)
{
    const uint8_t *b;

    if (take(c, 4, &b))
        return -1;
    *v = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
         ((uint32_t)b[3] << 24);
    return 0;
}

static int all_zero(const uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != 0)
            return 0;
    return 1;
}

/* ---- parser ------------------------------------------------------------------------ */

/* fmt must be a string literal (the prefix is pasted onto it). */
#define HFAIL(fmt, ...) do { set_err(err, errlen, "header: " fmt, ##__VA_ARGS__); \
                             return -XENIA_EPROTO; } while (0)

int evlog_iter_init(struct evlog_iter *it, const uint8_t *buf, size_t len,
                    char *err, size_t errlen)
{
    struct lecur c = { buf, len, 0 };
    uint32_t pcr, type, size, cls, nalg;
    uint16_t alg, dsize;
    uint8_t minor, major, errata, uintn, vsize;
    const uint8_t *b;

    if (it == NULL || (buf == NULL && len != 0)) {
        set_err(err, errlen, "invalid arguments");
        return -XENIA_EINVAL;
    }
    if (rd_le32(&c, &pcr))
        HFAIL("truncated pcrIndex");
    if (pcr != 0)
        HFAIL("pcrIndex %u (want 0)", pcr);
    if (rd_le32(&c, &type))
        HFAIL("truncated eventType");
    if (type != EVLOG_EV_NO_ACTION)
        HFAIL("eventType 0x%08x (want EV_NO_ACTION 0x00000003)", type);
    if (take(&c, 20, &b))
        HFAIL("truncated digest");
    if (!all_zero(b, 20))
        HFAIL("digest is not zero");
    if (rd_le32(&c, &size))
        HFAIL("truncated eventDataSize");
    if (size != SPEC_ID_LEN)
        HFAIL("eventDataSize %u (want %u: Spec ID Event03, one algorithm, no vendor info)",
              size, SPEC_ID_LEN);
    if (take(&c, 16, &b))
        HFAIL("truncated Spec ID signature");
    if (memcmp(b, SPEC_ID_SIG, 16) != 0)
        HFAIL("signature is not \"Spec ID Event03\"");
    if (rd_le32(&c, &cls))
        HFAIL("truncated platformClass");
    if (cls != 0)
        HFAIL("platformClass %u (want 0, client)", cls);
    if (rd_u8(&c, &minor) || rd_u8(&c, &major) || rd_u8(&c, &errata) || rd_u8(&c, &uintn))
        HFAIL("truncated spec version");
    if (major != 2 || minor != 0 || errata != 2)
        HFAIL("spec version %u.%u errata %u (want 2.0 errata 2)", major, minor, errata);
    if (uintn != 2)
        HFAIL("uintnSize %u (want 2)", uintn);
    if (rd_le32(&c, &nalg))
        HFAIL("truncated numberOfAlgorithms");
    if (nalg != 1)
        HFAIL("numberOfAlgorithms %u (want 1, SHA-256 only)", nalg);
    if (rd_le16(&c, &alg) || rd_le16(&c, &dsize))
        HFAIL("truncated digestSizes");
    if (alg != EVLOG_ALG_SHA256)
        HFAIL("algorithm 0x%04x not supported (want SHA-256 0x000b)", alg);
    if (dsize != 32)
        HFAIL("SHA-256 digest size %u (want 32)", dsize);
    if (rd_u8(&c, &vsize))
        HFAIL("truncated vendorInfoSize");
    if (vsize != 0)
        HFAIL("vendorInfoSize %u (want 0)", vsize);
    it->buf = buf;
    it->len = len;
    it->off = c.off;
    it->index = 0;
    return 0;
}

/* fmt must be a string literal (the prefix is pasted onto it). */
#define EFAIL(fmt, ...) do { set_err(err, errlen, "event %u at offset %zu: " fmt, idx, start, \
                                     ##__VA_ARGS__); return -XENIA_EPROTO; } while (0)

int evlog_iter_next(struct evlog_iter *it, struct evlog_event *ev,
                    char *err, size_t errlen)
{
    struct lecur c;
    uint32_t idx, pcr, type, count, size;
    uint16_t alg;
    size_t start;
    const uint8_t *dig, *data;

    if (it == NULL || ev == NULL || it->off > it->len || (it->buf == NULL && it->len != 0)) {
        set_err(err, errlen, "invalid arguments");
        return -XENIA_EINVAL;
    }
    if (it->off == it->len)
        return 0;
    start = it->off;
    idx = it->index + 1;
    if (it->index >= EVLOG_MAX_EVENTS)
        EFAIL("more than %u events", EVLOG_MAX_EVENTS);
    c.p = it->buf;
    c.len = it->len;
    c.off = start;
    if (rd_le32(&c, &pcr))
        EFAIL("truncated pcrIndex");
    if (pcr >= XENIA_NR_PCRS)
        EFAIL("pcrIndex %u out of range (max %u)", pcr, XENIA_NR_PCRS - 1);
    if (rd_le32(&c, &type))
        EFAIL("truncated eventType");
    if (rd_le32(&c, &count))
        EFAIL("truncated digest count");
    if (count != 1)
        EFAIL("digest count %u (want 1)", count);
    if (rd_le16(&c, &alg))
        EFAIL("truncated hashAlg");
    if (alg != EVLOG_ALG_SHA256)
        EFAIL("hash algorithm 0x%04x not supported (want SHA-256 0x000b)", alg);
    if (take(&c, 32, &dig))
        EFAIL("truncated digest");
    if (rd_le32(&c, &size))
        EFAIL("truncated eventSize");
    if (size > XENIA_EV_DATA_MAX)
        EFAIL("event data of %u bytes exceeds %u", size, XENIA_EV_DATA_MAX);
    if (take(&c, size, &data))
        EFAIL("truncated event data (%u bytes declared, %zu left)", size, c.len - c.off);
    ev->index = idx;
    ev->offset = start;
    ev->pcr = pcr;
    ev->type = type;
    memcpy(ev->digest, dig, 32);
    ev->data = data;
    ev->data_len = size;
    it->off = c.off;
    it->index = idx;
    return 1;
}

int evlog_replay(const uint8_t *buf, size_t len, uint8_t pcrs[XENIA_NR_PCRS][32],
                 uint32_t *nevents, char *err, size_t errlen)
{
    uint8_t acc[XENIA_NR_PCRS][32];
    uint8_t cat[64];
    struct evlog_iter it;
    struct evlog_event ev;
    int rc;

    if (pcrs == NULL) {
        set_err(err, errlen, "invalid arguments");
        return -XENIA_EINVAL;
    }
    rc = evlog_iter_init(&it, buf, len, err, errlen);
    if (rc < 0)
        return rc;
    memset(acc, 0, sizeof(acc));
    while ((rc = evlog_iter_next(&it, &ev, err, errlen)) > 0) {
        if (ev.type == EVLOG_EV_NO_ACTION)
            continue;
        memcpy(cat, acc[ev.pcr], 32);
        memcpy(cat + 32, ev.digest, 32);
        if (mbedtls_sha256_ret(cat, sizeof(cat), acc[ev.pcr], 0) != 0) {
            set_err(err, errlen, "event %u: SHA-256 failed", ev.index);
            return -XENIA_EIO;
        }
    }
    if (rc < 0)
        return rc;
    memcpy(pcrs, acc, sizeof(acc));
    if (nevents != NULL)
        *nevents = it.index;
    return 0;
}
