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
_Static_assert(AVC_ENTRIES < UINT16_MAX && AVC_SLOTS < UINT16_MAX, "links are uint16_t");

struct avc_node {
    uint32_t ssid, tsid, hclass;
    uint32_t allowed, auditdeny;
    uint16_t next;              /* next node in the chain or free list: index + 1, 0 = end */
    bool     live;              /* computed under the cache's seqno (cleared by avc_reset) */
};

struct avc {
    struct flask_ss *ss;
    uint32_t         seqno;     /* server seqno the entries were computed under */
    uint16_t         free_head; /* index + 1 */
    uint16_t         cursor;    /* next slot to reclaim from */
    uint16_t         slot[AVC_SLOTS]; /* chain heads: index + 1, 0 = empty */
    struct avc_node  node[AVC_ENTRIES];
    struct avc_stats st;
};

/*
 * Proof invariants (proofs/avc/README.md). avc_ok: every link (slot heads, node next,
 * free list head) is 0 or a node index + 1, so every chain walk stays in node[].
 * avc_sound: every live node holds the server's decision for its key under a->seqno;
 * lookups only return live nodes, so a hit returns what flask_ss_compute would.
 */
/*@ predicate avc_ok(struct avc *a) =
  @   a->free_head <= AVC_ENTRIES && a->cursor < AVC_SLOTS &&
  @   (\forall integer s; 0 <= s < AVC_SLOTS ==> a->slot[s] <= AVC_ENTRIES) &&
  @   (\forall integer i; 0 <= i < AVC_ENTRIES ==> a->node[i].next <= AVC_ENTRIES);
  @
  @*/
/* Written as macros (expanded in the annotations) rather than ACSL predicates, so that
 * WP simplifies them together with the stores around them. */
#define avc_node_sound(a, i)                                                          \
    ((a)->node[i].live ==>                                                            \
     (a)->node[i].allowed == av_allowed((a)->ss, (a)->seqno, (a)->node[i].ssid,      \
                                        (a)->node[i].tsid, (a)->node[i].hclass) &&   \
     (a)->node[i].auditdeny == av_auditdeny((a)->ss, (a)->seqno, (a)->node[i].ssid,  \
                                            (a)->node[i].tsid, (a)->node[i].hclass))
#define avc_sound(a) (\forall integer i_; 0 <= i_ < AVC_ENTRIES ==> avc_node_sound(a, i_))

/*@ assigns \nothing;
  @ ensures \result < AVC_SLOTS;
  @*/
static uint32_t avc_hash(uint32_t ssid, uint32_t tsid, uint32_t hclass)
{
    uint32_t h = ssid * 0x9e3779b1u ^ tsid * 0x85ebca77u ^ hclass * 0xc2b2ae3du;
    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return h & (AVC_SLOTS - 1);
}

/* Empty every chain, put every node on the free list (1 -> 2 -> ... -> AVC_ENTRIES) and
 * mark it not live. */
/*@ requires \valid(a);
  @ assigns a->slot[0 .. AVC_SLOTS - 1], a->node[0 .. AVC_ENTRIES - 1].next,
  @         a->node[0 .. AVC_ENTRIES - 1].live, a->free_head, a->cursor;
  @ ensures avc_ok(a);
  @ ensures \forall integer i; 0 <= i < AVC_ENTRIES ==> !a->node[i].live;
  @ ensures avc_sound(a);
  @*/
static void avc_reset(struct avc *a)
{
    /*@ loop invariant 0 <= s <= AVC_SLOTS;
      @ loop invariant \forall integer k; 0 <= k < s ==> a->slot[k] == 0;
      @ loop assigns s, a->slot[0 .. AVC_SLOTS - 1];
      @ loop variant AVC_SLOTS - s;
      @*/
    for (uint32_t s = 0; s < AVC_SLOTS; s++)
        a->slot[s] = 0;
    /*@ loop invariant 0 <= i <= AVC_ENTRIES;
      @ loop invariant \forall integer k; 0 <= k < i ==> a->node[k].next <= AVC_ENTRIES;
      @ loop invariant \forall integer k; 0 <= k < i ==> !a->node[k].live;
      @ loop assigns i, a->node[0 .. AVC_ENTRIES - 1].next, a->node[0 .. AVC_ENTRIES - 1].live;
      @ loop variant AVC_ENTRIES - i;
      @*/
    for (uint32_t i = 0; i < AVC_ENTRIES; i++) {
        a->node[i].next = (uint16_t)(i + 2 <= AVC_ENTRIES ? i + 2 : 0);
        a->node[i].live = false;
    }
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

/* Free whole chains from the rotating cursor until AVC_RECLAIM nodes are free. Nodes keep
 * their contents (and stay live: still right under this seqno). */
/*@ requires \valid(a) && avc_ok(a) && avc_sound(a);
  @ assigns a->slot[0 .. AVC_SLOTS - 1], a->node[0 .. AVC_ENTRIES - 1].next, a->free_head,
  @         a->cursor, a->st.reclaims;
  @ ensures avc_ok(a);
  @ ensures avc_sound(a);
  @*/
static void avc_reclaim(struct avc *a)
{
    uint32_t freed = 0;

    /*@ loop invariant 0 <= k <= AVC_SLOTS;
      @ loop invariant avc_ok(a);
      @ loop assigns k, freed, a->cursor, a->slot[0 .. AVC_SLOTS - 1],
      @              a->node[0 .. AVC_ENTRIES - 1].next, a->free_head;
      @ loop variant AVC_SLOTS - k;
      @*/
    for (uint32_t k = 0; k < AVC_SLOTS && freed < AVC_RECLAIM; k++) {
        uint32_t s = a->cursor;
        a->cursor = (uint16_t)((s + 1) % AVC_SLOTS);
        /*@ loop invariant 0 <= hops <= AVC_ENTRIES;
          @ loop invariant a->free_head <= AVC_ENTRIES && a->cursor < AVC_SLOTS;
          @ loop invariant \forall integer t; 0 <= t < AVC_SLOTS ==> a->slot[t] <= AVC_ENTRIES;
          @ loop invariant \forall integer i; 0 <= i < AVC_ENTRIES ==>
          @   a->node[i].next <= AVC_ENTRIES;
          @ loop assigns hops, freed, a->slot[s], a->node[0 .. AVC_ENTRIES - 1].next,
          @              a->free_head;
          @ loop variant AVC_ENTRIES - hops;
          @*/
        for (uint32_t hops = 0; a->slot[s] && hops < AVC_ENTRIES; hops++) {
            uint16_t n = a->slot[s];
            a->slot[s] = a->node[n - 1].next;
            a->node[n - 1].next = a->free_head;
            a->free_head = n;
            freed++;
        }
    }
    a->st.reclaims += freed;
}

/* The node (index + 1) holding the key on chain h, or 0. Walks at most AVC_ENTRIES
 * links; only a live node whose key matches is returned (a walk that runs out of hops
 * is a miss). */
/*@ requires \valid_read(a) && avc_ok(a) && h < AVC_SLOTS;
  @ assigns \nothing;
  @ ensures \result <= AVC_ENTRIES;
  @ ensures \result != 0 ==> a->node[\result - 1].live &&
  @   a->node[\result - 1].ssid == ssid && a->node[\result - 1].tsid == tsid &&
  @   a->node[\result - 1].hclass == hclass;
  @*/
static uint32_t avc_lookup(const struct avc *a, uint32_t h, uint32_t ssid, uint32_t tsid,
                           uint32_t hclass)
{
    uint32_t n = a->slot[h];

    /*@ loop invariant 0 <= hops <= AVC_ENTRIES;
      @ loop invariant n <= AVC_ENTRIES;
      @ loop assigns hops, n;
      @ loop variant AVC_ENTRIES - hops;
      @*/
    for (uint32_t hops = 0; n && hops < AVC_ENTRIES; hops++) {
        const struct avc_node *e = &a->node[n - 1];
        if (e->live && e->ssid == ssid && e->tsid == tsid && e->hclass == hclass)
            return n;
        n = e->next;
    }
    return 0;
}

/* Put (key -> allowed, auditdeny) at the head of chain h, in the first free node. */
/*@ requires \valid(a) && avc_ok(a) && h < AVC_SLOTS && a->free_head != 0;
  @ requires allowed == av_allowed(a->ss, a->seqno, ssid, tsid, hclass);
  @ requires auditdeny == av_auditdeny(a->ss, a->seqno, ssid, tsid, hclass);
  @ assigns a->slot[h], a->free_head, a->node[a->free_head - 1];
  @ ensures avc_ok(a);
  @ ensures a->ss == \old(a->ss) && a->seqno == \old(a->seqno);
  @ ensures avc_node_sound(a, \old(a->free_head) - 1);
  @ ensures \forall integer i; 0 <= i < AVC_ENTRIES && i != \old(a->free_head) - 1 ==>
  @   a->node[i].live == \old(a->node[i].live) && a->node[i].ssid == \old(a->node[i].ssid) &&
  @   a->node[i].tsid == \old(a->node[i].tsid) && a->node[i].hclass == \old(a->node[i].hclass) &&
  @   a->node[i].allowed == \old(a->node[i].allowed) &&
  @   a->node[i].auditdeny == \old(a->node[i].auditdeny);
  @*/
static void avc_fill(struct avc *a, uint32_t h, uint32_t ssid, uint32_t tsid,
                     uint32_t hclass, uint32_t allowed, uint32_t auditdeny)
{
    uint16_t f = a->free_head;
    struct avc_node *e = &a->node[f - 1];

    a->free_head = e->next;
    e->next = a->slot[h];
    a->slot[h] = f;
    //@ assert avc_ok(a);
    e->ssid = ssid;
    e->tsid = tsid;
    e->hclass = hclass;
    e->allowed = allowed;
    e->auditdeny = auditdeny;
    e->live = true;
}

/* Cache (key -> allowed, auditdeny) on chain h, reclaiming when no node is free;
 * nothing when none can be freed. */
/*@ requires \valid(a) && avc_ok(a) && avc_sound(a) && h < AVC_SLOTS;
  @ requires allowed == av_allowed(a->ss, a->seqno, ssid, tsid, hclass);
  @ requires auditdeny == av_auditdeny(a->ss, a->seqno, ssid, tsid, hclass);
  @ assigns a->slot[0 .. AVC_SLOTS - 1], a->node[0 .. AVC_ENTRIES - 1], a->free_head,
  @         a->cursor, a->st.reclaims;
  @ ensures avc_ok(a);
  @ ensures a->ss == \old(a->ss) && a->seqno == \old(a->seqno);
  @*/
static void avc_insert(struct avc *a, uint32_t h, uint32_t ssid, uint32_t tsid,
                       uint32_t hclass, uint32_t allowed, uint32_t auditdeny)
{
    if (!a->free_head)
        avc_reclaim(a);
    if (a->free_head)
        avc_fill(a, h, ssid, tsid, hclass, allowed, auditdeny);
}

/*
 * The decision: the requested bits that are not allowed, and the denied bits whose
 * denial is audited. ACSL's ~ is on unbounded integers: (uint32_t)~x is C's ~ on a
 * uint32_t.
 */
/*@ logic integer avc_deny(integer requested, integer allowed) =
  @   requested & (uint32_t)~allowed;
  @ logic integer avc_audit(integer requested, integer allowed, integer auditdeny) =
  @   avc_deny(requested, allowed) & auditdeny;
  @*/

/*@ assigns \nothing;
  @ ensures \result == avc_deny(requested, allowed);
  @*/
static inline uint32_t avc_denied(uint32_t requested, uint32_t allowed)
{
    return requested & ~allowed;
}

/*@ assigns \nothing;
  @ ensures \result == avc_audit(requested, allowed, auditdeny);
  @*/
static inline uint32_t avc_audited(uint32_t requested, uint32_t allowed, uint32_t auditdeny)
{
    return avc_denied(requested, allowed) & auditdeny;
}

struct avc_av {
    uint32_t allowed, auditdeny;
};

/* flask_ss_compute() with both vectors returned by value. */
/*@ assigns \nothing;
  @ ensures \result.allowed == av_allowed(ss, ss_seqno(ss), ssid, tsid, hclass);
  @ ensures \result.auditdeny == av_auditdeny(ss, ss_seqno(ss), ssid, tsid, hclass);
  @*/
static struct avc_av avc_compute(struct flask_ss *ss, uint32_t ssid, uint32_t tsid,
                                 uint32_t hclass)
{
    struct avc_av av;

    av.allowed = flask_ss_compute(ss, ssid, tsid, hclass, &av.auditdeny);
    return av;
}

/* The vectors for the key: from the cache (flushed first when the server's seqno moved),
 * else from flask_ss_compute(), then cached. */
/*@ requires \valid(a) && avc_ok(a) && avc_sound(a);
  @ assigns *a;
  @ ensures avc_ok(a);
  @ ensures a->ss == \old(a->ss);
  @ ensures a->seqno == ss_seqno(a->ss);
  @ ensures \result.allowed == av_allowed(a->ss, a->seqno, ssid, tsid, hclass);
  @ ensures \result.auditdeny == av_auditdeny(a->ss, a->seqno, ssid, tsid, hclass);
  @*/
static struct avc_av avc_av_of(struct avc *a, uint32_t ssid, uint32_t tsid, uint32_t hclass)
{
    struct avc_av av;
    uint32_t seq = flask_ss_seqno(a->ss);

    if (seq != a->seqno) {
        avc_reset(a);
        a->seqno = seq;
        a->st.flushes++;
    }
    a->st.lookups++;
    uint32_t h = avc_hash(ssid, tsid, hclass);
    uint32_t n = avc_lookup(a, h, ssid, tsid, hclass);
    if (n) {
        a->st.hits++;
        av.allowed = a->node[n - 1].allowed;
        av.auditdeny = a->node[n - 1].auditdeny;
        return av;
    }
    a->st.misses++;
    av = avc_compute(a->ss, ssid, tsid, hclass);
    avc_insert(a, h, ssid, tsid, hclass, av.allowed, av.auditdeny);
    return av;
}

/*@ requires denied == \null || \valid(denied);
  @ requires audited == \null || \valid(audited);
  @ requires denied == \null || audited == \null || \separated(denied, audited);
  @ requires a != \null ==> \valid(a) && avc_ok(a) && avc_sound(a);
  @ requires a != \null && denied != \null ==> \base_addr(a) != \base_addr(denied);
  @ requires a != \null && audited != \null ==> \base_addr(a) != \base_addr(audited);
  @
  @ behavior no_cache:
  @   assumes a == \null;
  @   assigns *denied, *audited;
  @   ensures denied != \null ==> *denied == requested;
  @   ensures audited != \null ==> *audited == requested;
  @   ensures \result <==> requested == 0;
  @
  @ behavior cache:
  @   assumes a != \null;
  @   assigns *a, *denied, *audited;
  @   ensures avc_ok(a);
  @   ensures a->ss == \old(a->ss);
  @   ensures a->seqno == ss_seqno(a->ss);
  @   ensures denied != \null ==>
  @     *denied == avc_deny(requested, av_allowed(a->ss, a->seqno, ssid, tsid, hclass));
  @   ensures denied != \null ==> (\result <==> *denied == 0);
  @   ensures \result <==>
  @     avc_deny(requested, av_allowed(a->ss, a->seqno, ssid, tsid, hclass)) == 0;
  @   ensures audited != \null ==>
  @     *audited == avc_audit(requested, av_allowed(a->ss, a->seqno, ssid, tsid, hclass),
  @                           av_auditdeny(a->ss, a->seqno, ssid, tsid, hclass));
  @   ensures denied != \null && audited != \null ==>
  @     *audited == (*denied & av_auditdeny(a->ss, a->seqno, ssid, tsid, hclass));
  @
  @ complete behaviors;
  @ disjoint behaviors;
  @*/
bool avc_has_perm_noaudit(struct avc *a, uint32_t ssid, uint32_t tsid, uint32_t hclass,
                          uint32_t requested, uint32_t *denied, uint32_t *audited)
{
    if (!a) {
        if (denied)
            *denied = requested;
        if (audited)
            *audited = requested;
        return requested == 0;
    }
    struct avc_av av = avc_av_of(a, ssid, tsid, hclass);
    uint32_t d = avc_denied(requested, av.allowed);
    if (denied)
        *denied = d;
    if (audited)
        *audited = avc_audited(requested, av.allowed, av.auditdeny);
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
