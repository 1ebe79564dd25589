/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: hv/ctl_decode.c ctl_decode() (control protocol, include/xenia/ctl.h).
 * Input: byte 0 = number of fds (0..3, low 2 bits), bytes 1.. = the message as
 * received from the socket. On success the harness re-checks, independently of
 * the decoder, the properties hv relies on (exact size per op, magic/version,
 * terminated and well-formed strings, zero padding, ranges) and abort()s if one
 * does not hold; ASan/UBSan catch out-of-bounds reads of the message.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <xenia/ctl.h>
#include <xenia/hypercall.h>
#include <xenia/layout.h>

#include "hv/ctl_decode.h"

static int name_ok(const char *s, size_t cap, int allow_colon, int allow_empty)
{
    size_t n = 0;
    while (n < cap && s[n])
        n++;
    if (n == cap || (n == 0 && !allow_empty))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '.' || c == '-' || (allow_colon && (c == ':' || c == ','));
        if (!ok)
            return 0;
    }
    return 1;
}

static int zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void check(const union ctl_req *r, const uint8_t *msg, size_t len, int nfds)
{
    const struct xenia_ctl_hdr *h = &r->hdr;
    size_t want = 0;
    int want_fds = 0;

    if (len > sizeof(*r) || memcmp(r, msg, len) != 0)
        abort();
    if (h->magic != XENIA_CTL_MAGIC || h->version != XENIA_CTL_VERSION || h->len != len)
        abort();
    switch (h->op) {
    case XENIA_CTL_CREATE: {
        const struct xenia_ctl_create *c = &r->create;
        want = sizeof(*c); want_fds = 1;
        if (!name_ok(c->name, sizeof(c->name), 0, 0) ||
            !name_ok(c->seclabel, sizeof(c->seclabel), 1, 1))
            abort();
        if (memchr(c->cmdline, 0, sizeof(c->cmdline)) == NULL)
            abort();
        if (c->memory_mib < XENIA_MEM_MIN_MIB || c->memory_mib > XENIA_MEM_MAX_MIB ||
            c->vcpus != 1 || c->cap > 100 || c->on_poweroff > XENIA_ACTION_RESTART ||
            c->on_reboot > XENIA_ACTION_RESTART || c->on_crash > XENIA_ACTION_RESTART ||
            (c->flags & ~XENIA_CREATE_F_MASK) || !zero(c->pad, sizeof(c->pad)))
            abort();
        /* v3: a disk comes as a second fd; read-only only with a disk. */
        if ((c->flags & XENIA_CREATE_F_DISK_RO) && !(c->flags & XENIA_CREATE_F_DISK))
            abort();
        if (c->flags & XENIA_CREATE_F_DISK)
            want_fds = 2;
        break;
    }
    case XENIA_CTL_LIST:
        want = sizeof(r->list);
        if (r->list.pad) abort();
        break;
    case XENIA_CTL_INFO: case XENIA_CTL_PAUSE: case XENIA_CTL_UNPAUSE:
    case XENIA_CTL_DESTROY: case XENIA_CTL_CONSOLE:
        want = sizeof(r->dom);
        if (r->dom.pad) abort();
        break;
    case XENIA_CTL_SHUTDOWN:
        want = sizeof(r->shutdown);
        if (r->shutdown.reason != XENIA_SHUTDOWN_poweroff &&
            r->shutdown.reason != XENIA_SHUTDOWN_reboot)
            abort();
        break;
    case XENIA_CTL_LOOKUP:
        want = sizeof(r->lookup);
        if (!name_ok(r->lookup.name, sizeof(r->lookup.name), 0, 0)) abort();
        break;
    case XENIA_CTL_LOADPOLICY:
        want = sizeof(r->loadpolicy); want_fds = 1;
        if (r->loadpolicy.pad || r->loadpolicy.size == 0 ||
            r->loadpolicy.size > XENIA_POLICY_MAX)
            abort();
        break;
    case XENIA_CTL_GETENFORCE:
        want = sizeof(r->hdr);
        break;
    case XENIA_CTL_SETENFORCE:
        want = sizeof(r->setenforce);
        if (r->setenforce.pad || r->setenforce.enforcing > 1) abort();
        break;
    case XENIA_CTL_GETBOOL:
        want = sizeof(r->getbool);
        if (r->getbool.pad) abort();
        break;
    case XENIA_CTL_SETBOOL: {
        const char *nm = r->setbool.name;
        if (r->setbool.pad || r->setbool.value > 1 || nm[0] == 0 ||
            memchr(nm, 0, sizeof(r->setbool.name)) == NULL)
            abort();
        want = sizeof(r->setbool);
        break;
    }
    case XENIA_CTL_AUDIT:
        want = sizeof(r->audit);
        break;
    default:
        abort();   /* unknown op accepted */
    }
    if (len != want || nfds != want_fds)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    union ctl_req out;
    char err[XENIA_ERRMSG_MAX];
    uint8_t *msg;
    size_t len;
    int nfds, rc;

    if (size < 1)
        return 0;
    nfds = data[0] & 3;
    len = size - 1;
    /* An exact-size heap copy so that ASan sees any read past the message. */
    msg = malloc(len ? len : 1);
    if (msg == NULL)
        return 0;
    memcpy(msg, data + 1, len);
    memset(err, 'x', sizeof(err));
    rc = ctl_decode(msg, len, nfds, &out, err, sizeof(err));
    if (rc == 0)
        check(&out, msg, len, nfds);
    else if (rc > 0 || memchr(err, 0, sizeof(err)) == NULL)
        abort();   /* errors are negative and come with a terminated reason */
    free(msg);
    return 0;
}
