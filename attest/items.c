/* SPDX-License-Identifier: MIT */
/*
 * The attestation item codec (items.h). Pure: no system calls.
 * Wire format: include/xenia/attest.h ("Items", "Agent <-> verifier protocol").
 */
#include "items.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define HDR sizeof(struct xenia_att_item)

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

int att_item_reserve(uint8_t *buf, size_t cap, size_t *len, uint16_t tag, uint32_t dlen,
                     uint8_t **data)
{
    struct xenia_att_item h = { .tag = tag, .pad = 0, .len = dlen };
    uint64_t space = ATT_ITEM_SPACE(dlen);
    size_t off = *len;

    if (tag == 0 || tag > XENIA_ATT_MAX_TAG || off % 8 != 0 || off > cap)
        return -XENIA_EINVAL;
    if (space > (uint64_t)(cap - off))
        return -XENIA_E2BIG;
    memcpy(buf + off, &h, HDR);
    /* Zero the padding (the last 0..7 bytes of the item). */
    memset(buf + off + HDR + dlen, 0, (size_t)space - HDR - dlen);
    *data = buf + off + HDR;
    *len = off + (size_t)space;
    return 0;
}

int att_item_put(uint8_t *buf, size_t cap, size_t *len, uint16_t tag, const void *data,
                 uint32_t dlen)
{
    uint8_t *dst;
    int rc;

    if (data == NULL && dlen > 0)
        return -XENIA_EINVAL;
    rc = att_item_reserve(buf, cap, len, tag, dlen, &dst);
    if (rc == 0 && dlen > 0)
        memcpy(dst, data, dlen);
    return rc;
}

int att_items_parse(const uint8_t *buf, size_t len, struct att_item *items, unsigned max,
                    unsigned *n, char *err, size_t errlen)
{
    struct xenia_att_item h;
    size_t off = 0;
    unsigned k = 0;

    *n = 0;
    if (buf == NULL && len > 0) {
        set_err(err, errlen, "items: no buffer");
        return -XENIA_EPROTO;
    }
    while (off < len) {
        size_t left = len - off, pad;
        uint64_t space;

        if (left < HDR) {
            set_err(err, errlen, "items: truncated header at offset %zu (%zu bytes left)", off,
                    left);
            return -XENIA_EPROTO;
        }
        memcpy(&h, buf + off, HDR);
        if (h.pad != 0) {
            set_err(err, errlen, "items: non-zero pad in the header at offset %zu", off);
            return -XENIA_EPROTO;
        }
        if (h.tag == 0 || h.tag > XENIA_ATT_MAX_TAG) {
            set_err(err, errlen, "items: unknown tag %u at offset %zu", h.tag, off);
            return -XENIA_EPROTO;
        }
        space = ATT_ITEM_SPACE(h.len);
        if (space > (uint64_t)left) {
            set_err(err, errlen, "items: tag %u at offset %zu: %u data bytes (padded %llu) "
                    "but only %zu bytes left", h.tag, off, h.len,
                    (unsigned long long)(space - HDR), left - HDR);
            return -XENIA_EPROTO;
        }
        pad = (size_t)space - HDR - h.len;
        for (size_t i = 0; i < pad; i++)
            if (buf[off + HDR + h.len + i] != 0) {
                set_err(err, errlen, "items: tag %u at offset %zu: non-zero padding", h.tag,
                        off);
                return -XENIA_EPROTO;
            }
        if (k >= max) {
            set_err(err, errlen, "items: more than %u items", max);
            return -XENIA_E2BIG;
        }
        items[k].tag = h.tag;
        items[k].len = h.len;
        items[k].data = buf + off + HDR;
        k++;
        off += (size_t)space;
    }
    *n = k;
    return 0;
}

const struct att_item *att_item_find(const struct att_item *items, unsigned n, uint16_t tag,
                                     unsigned nth)
{
    for (unsigned i = 0; i < n; i++)
        if (items[i].tag == tag && nth-- == 0)
            return &items[i];
    return NULL;
}

unsigned att_item_count(const struct att_item *items, unsigned n, uint16_t tag)
{
    unsigned c = 0;

    for (unsigned i = 0; i < n; i++)
        c += items[i].tag == tag;
    return c;
}

int att_msg_check(const struct xenia_att_msg *m, size_t max_len)
{
    struct xenia_att_msg h;

    memcpy(&h, m, sizeof(h));
    if (h.magic != XENIA_ATT_MAGIC || h.version != XENIA_ATT_VERSION || h.pad != 0)
        return -XENIA_EPROTO;
    if (h.type < XENIA_ATT_MSG_HELLO || h.type > XENIA_ATT_MSG_ERROR)
        return -XENIA_EPROTO;
    if (h.len % 8 != 0 || h.len > max_len || h.len > XENIA_ATT_MSG_MAX)
        return -XENIA_EPROTO;
    return 0;
}

void att_msg_header(struct xenia_att_msg *m, uint16_t type, uint32_t len)
{
    memset(m, 0, sizeof(*m));
    m->magic = XENIA_ATT_MAGIC;
    m->version = XENIA_ATT_VERSION;
    m->type = type;
    m->len = len;
}

#define REASON_MAX 200u

int att_error_put(uint8_t *buf, size_t cap, size_t *len, int32_t code, const char *reason)
{
    size_t rlen = reason ? strnlen(reason, REASON_MAX) : 0;
    uint8_t *dst;
    int rc;

    rc = att_item_reserve(buf, cap, len, XENIA_ATT_ERROR, (uint32_t)(4 + rlen), &dst);
    if (rc < 0)
        return rc;
    memcpy(dst, &code, 4);
    if (rlen)
        memcpy(dst + 4, reason, rlen);
    return 0;
}

int att_error_get(const struct att_item *it, int32_t *code, char *reason, size_t reasonlen)
{
    size_t i, r;

    if (it->tag != XENIA_ATT_ERROR || it->len < 4)
        return -XENIA_EPROTO;
    memcpy(code, it->data, 4);
    if (*code >= 0)
        return -XENIA_EPROTO;
    if (reasonlen == 0)
        return 0;
    r = it->len - 4;
    for (i = 0; i < r && i + 1 < reasonlen; i++) {
        uint8_t c = it->data[4 + i];
        reason[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    reason[i] = 0;
    return 0;
}
