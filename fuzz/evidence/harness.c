/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the verifier's view of an EVIDENCE message (untrusted, from the
 * network): attest/items.c att_items_parse / att_item_find / att_item_count /
 * att_msg_check / att_error_get and attest/verify.c xv_evidence_parse.
 * Input: the item bytes of a message (the body after struct xenia_att_msg),
 * or a saved evidence bundle (xenia-verify --save), whose BUNDLE_EVIDENCE item
 * is checked the same way, nested. The first 16 bytes are also checked as a
 * message header with att_msg_check.
 * Properties (abort() when one breaks):
 *  - att_items_parse: accepted items lie inside the buffer, back to back
 *    (each at the previous one's end, header + data + zero padding to 8), so
 *    len is a multiple of 8; tags 1..XENIA_ATT_MAX_TAG; re-encoding them with
 *    att_item_put reproduces the buffer byte for byte; with a smaller max the
 *    parse is refused with -XENIA_E2BIG; errors are NUL-terminated.
 *  - att_item_find / att_item_count agree with a scan of the items.
 *  - att_msg_check accepts exactly the headers the spec allows (re-checked here).
 *  - att_error_get: a NUL-terminated, printable reason within the buffer given.
 *  - xv_evidence_parse accepts only when the items parse, every required item is
 *    there once, NONCE and BINDING are 32 bytes, EK_CHAIN <= 8, the domain list
 *    is whole entries and no other tag is present; its views are the items.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attest/items.h"
#include "attest/verify.h"

#define MAXIT 64

static void check_err(const char *err, size_t cap)
{
    if (memchr(err, 0, cap) == NULL || err[0] == 0)
        abort();
}

static int same_item(const struct att_item *a, const struct att_item *b)
{
    return a->tag == b->tag && a->len == b->len && a->data == b->data;
}

static void check_msg_header(const uint8_t *buf, size_t len)
{
    struct xenia_att_msg m;
    size_t max = len - sizeof(m);
    int rc, want;

    if (len < sizeof(m))
        return;
    memcpy(&m, buf, sizeof(m));
    rc = att_msg_check((const struct xenia_att_msg *)buf, max);
    want = m.magic == XENIA_ATT_MAGIC && m.version == XENIA_ATT_VERSION && m.pad == 0 &&
           m.type >= XENIA_ATT_MSG_HELLO && m.type <= XENIA_ATT_MSG_ERROR && m.len % 8 == 0 &&
           m.len <= max && m.len <= XENIA_ATT_MSG_MAX;
    if (want ? rc != 0 : rc != -XENIA_EPROTO)
        abort();
}

static void check_evidence(const uint8_t *buf, size_t len, unsigned nit,
                           const struct att_item *it, int items_ok)
{
    static const uint16_t one[] = { XENIA_ATT_EK_CERT, XENIA_ATT_AK_PUB, XENIA_ATT_QUOTE,
                                    XENIA_ATT_SIG, XENIA_ATT_PCRS, XENIA_ATT_EVLOG,
                                    XENIA_ATT_POLICY, XENIA_ATT_DOMAINS, XENIA_ATT_NONCE,
                                    XENIA_ATT_BINDING };
    struct xv_evidence ev;
    const struct att_item *view[10];
    char err[256];
    unsigned nchain = 0;
    int rc, want = items_ok && nit <= 32;

    memset(err, 'x', sizeof(err));
    rc = xv_evidence_parse(buf, len, &ev, err, sizeof(err));
    view[0] = &ev.ek; view[1] = &ev.ak; view[2] = &ev.quote; view[3] = &ev.sig;
    view[4] = &ev.pcrs; view[5] = &ev.evlog; view[6] = &ev.policy; view[7] = &ev.domains;
    view[8] = &ev.nonce; view[9] = &ev.binding;
    if (want) {
        for (unsigned k = 0; k < 10; k++)
            if (att_item_count(it, nit, one[k]) != 1)
                want = 0;
        for (unsigned i = 0; i < nit; i++) {
            int known = it[i].tag == XENIA_ATT_EK_CHAIN;
            for (unsigned k = 0; k < 10; k++)
                known |= it[i].tag == one[k];
            if (!known)
                want = 0;
            nchain += it[i].tag == XENIA_ATT_EK_CHAIN;
        }
        if (nchain > 8)
            want = 0;
        if (want) {
            const struct att_item *n = att_item_find(it, nit, XENIA_ATT_NONCE, 0);
            const struct att_item *b = att_item_find(it, nit, XENIA_ATT_BINDING, 0);
            const struct att_item *d = att_item_find(it, nit, XENIA_ATT_DOMAINS, 0);
            if (n->len != 32 || b->len != 32 || d->len % sizeof(struct xenia_att_domain) != 0)
                want = 0;
        }
    }
    if (!want) {
        if (rc != -XENIA_EPROTO)
            abort();
        check_err(err, sizeof(err));
        return;
    }
    if (rc != 0 || ev.nchain != nchain)
        abort();
    for (unsigned k = 0; k < 10; k++)
        if (!same_item(view[k], att_item_find(it, nit, one[k], 0)))
            abort();
    for (unsigned i = 0; i < ev.nchain; i++)
        if (!same_item(&ev.chain[i], att_item_find(it, nit, XENIA_ATT_EK_CHAIN, i)))
            abort();
}

static void check_items(const uint8_t *buf, size_t len, int depth)
{
    struct att_item it[MAXIT], it2[MAXIT];
    unsigned n = 12345, n2;
    char err[256];
    size_t off = 0;
    int rc;

    check_msg_header(buf, len);
    memset(err, 'x', sizeof(err));
    rc = att_items_parse(buf, len, it, MAXIT, &n, err, sizeof(err));
    if (rc < 0) {
        if ((rc != -XENIA_EPROTO && rc != -XENIA_E2BIG) || n != 0)
            abort();
        check_err(err, sizeof(err));
        check_evidence(buf, len, 0, it, 0);
        return;
    }
    if (rc != 0 || n > MAXIT || len % 8 != 0 || (n == 0) != (len == 0))
        abort();
    /* Items back to back inside the buffer, padding zero; re-encoding is identical. */
    {
        uint8_t *re = malloc(len ? len : 1);
        size_t rl = 0;

        if (re == NULL)
            abort();
        for (unsigned i = 0; i < n; i++) {
            struct xenia_att_item h;
            uint64_t space = ATT_ITEM_SPACE(it[i].len);

            if (it[i].tag == 0 || it[i].tag > XENIA_ATT_MAX_TAG || off > len ||
                space > len - off || it[i].data != buf + off + sizeof(h))
                abort();
            memcpy(&h, buf + off, sizeof(h));
            if (h.tag != it[i].tag || h.pad != 0 || h.len != it[i].len)
                abort();
            for (uint64_t k = sizeof(h) + it[i].len; k < space; k++)
                if (buf[off + k] != 0)
                    abort();
            if (att_item_put(re, len, &rl, it[i].tag, it[i].data, it[i].len) != 0 ||
                rl != off + space)
                abort();
            off += space;
        }
        if (off != len || rl != len || (len && memcmp(re, buf, len) != 0))
            abort();
        /* One byte less room: the last put does not fit (and writes nothing past). */
        if (n > 0) {
            size_t last = len - ATT_ITEM_SPACE(it[n - 1].len);
            rl = last;
            if (att_item_put(re, len - 1, &rl, it[n - 1].tag, it[n - 1].data,
                             it[n - 1].len) != -XENIA_E2BIG || rl != last)
                abort();
        }
        free(re);
    }
    /* A smaller item array is refused. */
    if (n > 0 && att_items_parse(buf, len, it2, n - 1, &n2, NULL, 0) != -XENIA_E2BIG)
        abort();
    /* find / count against a scan. */
    for (uint16_t tag = 0; tag <= XENIA_ATT_MAX_TAG + 1; tag++) {
        unsigned c = 0;

        for (unsigned i = 0; i < n; i++) {
            if (it[i].tag != tag)
                continue;
            if (att_item_find(it, n, tag, c) != &it[i])
                abort();
            c++;
        }
        if (att_item_count(it, n, tag) != c || att_item_find(it, n, tag, c) != NULL)
            abort();
    }
    /* ERROR items and nested bundles. */
    for (unsigned i = 0; i < n; i++) {
        if (it[i].tag == XENIA_ATT_ERROR) {
            int32_t code = 0;
            char reason[64];

            memset(reason, 'x', sizeof(reason));
            rc = att_error_get(&it[i], &code, reason, sizeof(reason));
            if (rc == 0) {
                size_t rl = strnlen(reason, sizeof(reason));
                if (code >= 0 || it[i].len < 4 || rl == sizeof(reason) ||
                    rl > it[i].len - 4)
                    abort();
                for (size_t k = 0; k < rl; k++)
                    if (reason[k] < 0x20 || reason[k] > 0x7e)
                        abort();
            } else if (rc != -XENIA_EPROTO || (it[i].len >= 4 && code < 0)) {
                abort();                       /* refused a well-formed ERROR item */
            }
        }
        if (it[i].tag == XENIA_ATT_BUNDLE_EVIDENCE && depth == 0) {
            uint8_t *copy = malloc(it[i].len ? it[i].len : 1);

            if (copy == NULL)
                abort();
            memcpy(copy, it[i].data, it[i].len);
            check_items(it[i].len ? copy : NULL, it[i].len, 1);
            free(copy);
        }
    }
    check_evidence(buf, len, n, it, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);

    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    check_items(size ? buf : NULL, size, 0);
    free(buf);
    return 0;
}
