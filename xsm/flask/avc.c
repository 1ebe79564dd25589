/* SPDX-License-Identifier: MIT */
/*
 * Access vector cache (xsm/flask/ss.h) and audit lines.
 *
 * After SELinux security/selinux/avc.c: a fixed hash table of AVC_SLOTS chains over a
 * pool of AVC_ENTRIES nodes keyed by (ssid, tsid, host class), holding the allowed and
 * auditdeny vectors of flask_ss_compute(). The cache remembers the server's sequence
 * number and flushes itself when it moved (policy load, boolean change), like
 * avc_ss_reset(). When the pool is empty, whole chains are reclaimed starting from a
 * rotating slot until AVC_RECLAIM nodes are free (avc_reclaim_node). Lookups never
 * allocate. Audit lines follow avc_audit_pre_callback/avc_dump_av/post_callback.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsm/flask/flask_priv.h"
#include "xsm/flask/ss.h"

#define AVC_RECLAIM 16u

_Static_assert((AVC_SLOTS & (AVC_SLOTS - 1)) == 0, "AVC_SLOTS must be a power of two");

struct avc_node {
    uint32_t ssid, tsid, hclass;
    uint32_t allowed, auditdeny;
    uint32_t next;              /* next node in the chain or free list: index + 1, 0 = end */
};

struct avc {
    struct flask_ss *ss;
    uint32_t         seqno;     /* server seqno the entries were computed under */
    uint32_t         free_head; /* index + 1 */
    uint32_t         cursor;    /* next slot to reclaim from */
    uint32_t         slot[AVC_SLOTS];
    struct avc_node  node[AVC_ENTRIES];
    struct avc_stats st;
};

static uint32_t avc_hash(uint32_t ssid, uint32_t tsid, uint32_t hclass)
{
    uint32_t h = ssid * 0x9e3779b1u ^ tsid * 0x85ebca77u ^ hclass * 0xc2b2ae3du;
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return h & (AVC_SLOTS - 1);
}

static void avc_reset(struct avc *a)
{
    memset(a->slot, 0, sizeof(a->slot));
    for (uint32_t i = 0; i < AVC_ENTRIES; i++)
        a->node[i].next = i + 2 <= AVC_ENTRIES ? i + 2 : 0;
    a->free_head = 1;
    a->cursor = 0;
}

int avc_new(struct flask_ss *ss, struct avc **out)
{
    if (!ss || !out)
        return -EINVAL;
    struct avc *a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->ss = ss;
    a->seqno = flask_ss_seqno(ss);
    avc_reset(a);
    *out = a;
    return 0;
}

void avc_free(struct avc *a)
{
    free(a);
}

/* Free whole chains from the rotating cursor until AVC_RECLAIM nodes are free. */
static void avc_reclaim(struct avc *a)
{
    uint32_t freed = 0;

    for (uint32_t k = 0; k < AVC_SLOTS && freed < AVC_RECLAIM; k++) {
        uint32_t s = a->cursor;
        a->cursor = (a->cursor + 1) & (AVC_SLOTS - 1);
        for (uint32_t hops = 0; a->slot[s] && hops < AVC_ENTRIES; hops++) {
            uint32_t n = a->slot[s];
            a->slot[s] = a->node[n - 1].next;
            a->node[n - 1].next = a->free_head;
            a->free_head = n;
            freed++;
        }
    }
    a->st.reclaims += freed;
}

bool avc_has_perm_noaudit(struct avc *a, uint32_t ssid, uint32_t tsid, uint32_t hclass,
                          uint32_t requested, uint32_t *denied, uint32_t *audited)
{
    uint32_t allowed = 0, auditdeny = 0xffffffffu;

    if (!a) {
        if (denied)
            *denied = requested;
        if (audited)
            *audited = requested;
        return requested == 0;
    }
    uint32_t seq = flask_ss_seqno(a->ss);
    if (seq != a->seqno) {
        avc_reset(a);
        a->seqno = seq;
        a->st.flushes++;
    }
    a->st.lookups++;
    uint32_t h = avc_hash(ssid, tsid, hclass);
    uint32_t n = a->slot[h];
    for (uint32_t hops = 0; n && hops < AVC_ENTRIES; hops++) {
        struct avc_node *e = &a->node[n - 1];
        if (e->ssid == ssid && e->tsid == tsid && e->hclass == hclass)
            break;
        n = e->next;
    }
    if (n) {
        a->st.hits++;
        allowed = a->node[n - 1].allowed;
        auditdeny = a->node[n - 1].auditdeny;
    } else {
        a->st.misses++;
        allowed = flask_ss_compute(a->ss, ssid, tsid, hclass, &auditdeny);
        if (!a->free_head)
            avc_reclaim(a);
        if (a->free_head) {
            uint32_t f = a->free_head;
            struct avc_node *e = &a->node[f - 1];
            a->free_head = e->next;
            e->ssid = ssid;
            e->tsid = tsid;
            e->hclass = hclass;
            e->allowed = allowed;
            e->auditdeny = auditdeny;
            e->next = a->slot[h];
            a->slot[h] = f;
        }
    }
    uint32_t d = requested & ~allowed;
    if (denied)
        *denied = d;
    if (audited)
        *audited = d & auditdeny;
    return d == 0;
}

void avc_get_stats(const struct avc *a, struct avc_stats *st)
{
    if (!st)
        return;
    if (!a) {
        memset(st, 0, sizeof(*st));
        return;
    }
    *st = a->st;
}

struct lbuf {
    char  *buf;
    size_t len, pos;
    bool   over;
};

static void lb_add(struct lbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lb_add(struct lbuf *b, const char *fmt, ...)
{
    va_list ap;

    if (b->over)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(b->buf + b->pos, b->len - b->pos, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= b->len - b->pos) {
        b->over = true;
        return;
    }
    b->pos += (size_t)n;
}

int avc_format_denial(const struct flask_ss *ss, char *buf, size_t len, bool granted,
                      uint32_t ssid, uint32_t tsid, uint32_t hclass, uint32_t perms,
                      const char *extra, bool permissive)
{
    struct lbuf b = { buf, len, 0, false };
    char sctx[SS_CONTEXT_MAX], tctx[SS_CONTEXT_MAX];

    if (!buf || len == 0)
        return -ENOSPC;
    buf[0] = '\0';
    const struct ss_host_class *hc = flask_ss_host_class(ss, hclass);

    lb_add(&b, "avc:  %s  {", granted ? "granted" : "denied");
    for (uint32_t j = 0; j < 32; j++) {
        if (!(perms & (1u << j)))
            continue;
        if (hc && j < hc->nperms && hc->perms[j])
            lb_add(&b, " %s", hc->perms[j]);
        else
            lb_add(&b, " 0x%x", 1u << j);
    }
    lb_add(&b, " } for ");
    if (extra && extra[0])
        lb_add(&b, "%s ", extra);
    if (flask_ss_sid_to_context(ss, ssid, sctx, sizeof(sctx)) >= 0)
        lb_add(&b, "scontext=%s ", sctx);
    else
        lb_add(&b, "ssid=%u ", ssid);
    if (flask_ss_sid_to_context(ss, tsid, tctx, sizeof(tctx)) >= 0)
        lb_add(&b, "tcontext=%s ", tctx);
    else
        lb_add(&b, "tsid=%u ", tsid);
    if (hc)
        lb_add(&b, "tclass=%s ", hc->name);
    else
        lb_add(&b, "tclass=%u ", hclass);
    lb_add(&b, "permissive=%d", permissive ? 1 : 0);
    if (b.over) {
        buf[0] = '\0';
        return -ENOSPC;
    }
    return (int)b.pos;
}
