/* SPDX-License-Identifier: MIT */
/*
 * FLASK security server state (xsm/flask/ss.h): the loaded policy, booleans, the
 * SID table, and the host <-> policy class mapping.
 *
 * SID table (after SELinux's sidtab): SID n (n >= 1) is sids[n - 1]; numbers are never
 * reused or renumbered. Each SID keeps the context string it was created from (or, for
 * an initial SID, the name of the `sid` statement) and its context under the current
 * policy; flask_ss_load() re-parses every string against the new policy and maps the
 * SIDs whose context became invalid to the `unlabeled` initial SID's context (SELinux
 * keeps such contexts as strings in the same way, so a later policy can revive them).
 *
 * Class mapping (SELinux selinux_set_mapping / map_decision): host class i and host
 * permission bit j are looked up by name in the policy; a host class or permission
 * the policy lacks is allowed or denied by the policy's handle_unknown, and its denial
 * is always audited.
 *
 * Pure C: no system calls besides malloc/free.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsm/flask/flask_priv.h"
#include "xsm/flask/ss.h"

#define SID_BUCKETS 4096u  /* power of two */

struct sid_entry {
    char    *str;          /* context string (NULL for an initial SID) */
    char    *isid;         /* initial SID name, or NULL */
    uint32_t next;         /* hash chain: next SID with the same bucket, 0 = end */
};

struct sid_ctx {
    struct pdb_context ctx; /* under the current policy */
    bool               mapped; /* false: invalid now, ctx is unlabeled's */
};

struct host_map {
    uint32_t pclass;                 /* 0: the policy lacks the class */
    int8_t   perm[PDB_MAX_PERMS];    /* policy bit of host bit j, or -1 */
};

struct flask_ss {
    const struct ss_host_class *hosts;
    uint32_t nhosts;

    struct policydb   *p;
    bool              *bools;    /* [1..p->nbools] */
    struct host_map   *map;      /* [1..nhosts] */
    struct pdb_context unl;      /* the `unlabeled` initial SID's context */
    uint32_t seqno, loads;

    uint32_t          nsids, capsids;
    struct sid_entry *sids;      /* [0..nsids) */
    struct sid_ctx   *ctxs;      /* [0..capsids) */
    uint32_t          bucket[SID_BUCKETS];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static uint32_t str_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; s[i] && i < SS_CONTEXT_MAX; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h & (SID_BUCKETS - 1);
}

int flask_ss_new(const struct ss_host_class *hosts, uint32_t nhosts, struct flask_ss **out)
{
    if (!out || (nhosts && !hosts) || nhosts > PDB_MAX_CLASSES)
        return -EINVAL;
    for (uint32_t i = 0; i < nhosts; i++)
        if (!hosts[i].name || hosts[i].nperms > PDB_MAX_PERMS ||
            (hosts[i].nperms && !hosts[i].perms))
            return -EINVAL;
    struct flask_ss *ss = calloc(1, sizeof(*ss));
    if (!ss)
        return -ENOMEM;
    ss->hosts = hosts;
    ss->nhosts = nhosts;
    *out = ss;
    return 0;
}

void flask_ss_free(struct flask_ss *ss)
{
    if (!ss)
        return;
    for (uint32_t i = 0; i < ss->nsids; i++) {
        free(ss->sids[i].str);
        free(ss->sids[i].isid);
    }
    free(ss->sids);
    free(ss->ctxs);
    free(ss->bools);
    free(ss->map);
    pdb_free(ss->p);
    free(ss);
}

const struct ss_host_class *flask_ss_host_class(const struct flask_ss *ss, uint32_t hclass)
{
    if (!ss || hclass == 0 || hclass > ss->nhosts)
        return NULL;
    return &ss->hosts[hclass - 1];
}

static const struct pdb_isid *find_isid(const struct policydb *p, const char *name)
{
    for (uint32_t i = 0; i < p->nisids; i++)
        if (p->isids[i].name && strcmp(p->isids[i].name, name) == 0)
            return &p->isids[i];
    return NULL;
}

/* The context of SID entry i under policy p (unl when invalid). */
static void map_sid(const struct policydb *p, const struct pdb_context *unl,
                    const struct sid_entry *e, struct sid_ctx *out)
{
    out->ctx = *unl;
    out->mapped = false;
    if (e->isid) {
        const struct pdb_isid *is = find_isid(p, e->isid);
        if (is && is->has_context) {
            out->ctx = is->context;
            out->mapped = true;
        }
        return;
    }
    struct pdb_context c;
    if (ss_context_parse(p, e->str, &c, NULL, 0) == 0) {
        out->ctx = c;
        out->mapped = true;
    }
}

int flask_ss_load(struct flask_ss *ss, const uint8_t *buf, size_t len, char *err, size_t errlen)
{
    struct policydb *np = NULL;
    bool *nb = NULL;
    struct host_map *nmap = NULL;
    struct sid_ctx *nctx = NULL;
    int rc;

    if (!ss || !buf) {
        set_err(err, errlen, "no server or no policy");
        return -EINVAL;
    }
    rc = pdb_read(buf, len, &np, err, errlen);
    if (rc)
        return rc;
    if (!np)
        return -EINVAL;

    const struct pdb_isid *unl = find_isid(np, "unlabeled");
    if (!unl || !unl->has_context) {
        set_err(err, errlen, "policy has no context for the 'unlabeled' initial sid");
        rc = -EINVAL;
        goto fail;
    }
    char tmp[SS_CONTEXT_MAX];
    if (ss_context_format(np, &unl->context, tmp, sizeof(tmp)) < 0) {
        set_err(err, errlen, "the 'unlabeled' initial sid has an invalid context");
        rc = -EINVAL;
        goto fail;
    }

    nb = calloc((size_t)np->nbools + 1, sizeof(*nb));
    nmap = calloc((size_t)ss->nhosts + 1, sizeof(*nmap));
    nctx = calloc(ss->capsids ? ss->capsids : 1, sizeof(*nctx));
    if (!nb || !nmap || !nctx) {
        set_err(err, errlen, "out of memory");
        rc = -ENOMEM;
        goto fail;
    }
    for (uint32_t i = 1; i <= np->nbools; i++)
        nb[i] = np->bools[i].dflt;

    for (uint32_t h = 1; h <= ss->nhosts; h++) {
        const struct ss_host_class *hc = &ss->hosts[h - 1];
        struct host_map *m = &nmap[h];
        m->pclass = 0;
        for (uint32_t c = 1; c <= np->nclasses; c++)
            if (np->classes[c].name && strcmp(np->classes[c].name, hc->name) == 0) {
                m->pclass = c;
                break;
            }
        for (uint32_t j = 0; j < PDB_MAX_PERMS; j++)
            m->perm[j] = -1;
        if (!m->pclass)
            continue;
        const struct pdb_class *pc = &np->classes[m->pclass];
        for (uint32_t j = 0; j < hc->nperms; j++)
            for (uint32_t k = 0; k < pc->nperms && k < PDB_MAX_PERMS; k++)
                if (hc->perms[j] && pc->perms[k] && strcmp(pc->perms[k], hc->perms[j]) == 0) {
                    m->perm[j] = (int8_t)k;
                    break;
                }
    }

    for (uint32_t i = 0; i < ss->nsids; i++)
        map_sid(np, &unl->context, &ss->sids[i], &nctx[i]);

    /* Commit: nothing below can fail. */
    ss->unl = unl->context;
    pdb_free(ss->p);
    free(ss->bools);
    free(ss->map);
    free(ss->ctxs);
    ss->p = np;
    ss->bools = nb;
    ss->map = nmap;
    ss->ctxs = nctx;
    if (!ss->capsids)
        ss->capsids = 1;
    ss->seqno++;
    ss->loads++;
    return 0;

fail:
    free(nb);
    free(nmap);
    free(nctx);
    pdb_free(np);
    return rc;
}

bool flask_ss_loaded(const struct flask_ss *ss)
{
    return ss && ss->p;
}

uint32_t flask_ss_seqno(const struct flask_ss *ss)
{
    return ss ? ss->seqno : 0;
}

const struct policydb *flask_ss_policy(const struct flask_ss *ss)
{
    return ss ? ss->p : NULL;
}

/* Append a SID entry (takes ownership of str/isid on success). */
static int sid_append(struct flask_ss *ss, char *str, char *isid, const struct pdb_context *c,
                      uint32_t *sid)
{
    if (ss->nsids >= SS_MAX_SIDS)
        return -ENOSPC;
    if (ss->nsids == ss->capsids || !ss->sids) {
        uint32_t ncap = ss->capsids < 16 ? 16 : ss->capsids * 2;
        if (ncap > SS_MAX_SIDS)
            ncap = SS_MAX_SIDS;
        struct sid_entry *ns = realloc(ss->sids, (size_t)ncap * sizeof(*ns));
        if (!ns)
            return -ENOMEM;
        ss->sids = ns;
        struct sid_ctx *nc = realloc(ss->ctxs, (size_t)ncap * sizeof(*nc));
        if (!nc)
            return -ENOMEM;
        ss->ctxs = nc;
        ss->capsids = ncap;
    }
    uint32_t n = ss->nsids++;
    ss->sids[n].str = str;
    ss->sids[n].isid = isid;
    ss->sids[n].next = 0;
    ss->ctxs[n].ctx = *c;
    ss->ctxs[n].mapped = true;
    if (str) {
        uint32_t b = str_hash(str);
        ss->sids[n].next = ss->bucket[b];
        ss->bucket[b] = n + 1;
    }
    *sid = n + 1;
    return 0;
}

/* The SID of canonical context string s with context c, created if new. */
static int intern(struct flask_ss *ss, const char *s, const struct pdb_context *c, uint32_t *sid)
{
    uint32_t b = str_hash(s);
    for (uint32_t n = ss->bucket[b], hops = 0; n && hops < SS_MAX_SIDS;
         n = ss->sids[n - 1].next, hops++)
        if (strcmp(ss->sids[n - 1].str, s) == 0) {
            *sid = n;
            return 0;
        }
    char *dup = strdup(s);
    if (!dup)
        return -ENOMEM;
    int rc = sid_append(ss, dup, NULL, c, sid);
    if (rc)
        free(dup);
    return rc;
}

int flask_ss_context_to_sid(struct flask_ss *ss, const char *str, uint32_t *sid, char *err,
                            size_t errlen)
{
    struct pdb_context c;
    char canon[SS_CONTEXT_MAX];

    if (!ss || !str || !sid) {
        set_err(err, errlen, "bad arguments");
        return -EINVAL;
    }
    if (!ss->p) {
        set_err(err, errlen, "no policy loaded");
        return -EINVAL;
    }
    int rc = ss_context_parse(ss->p, str, &c, err, errlen);
    if (rc)
        return rc;
    rc = ss_context_format(ss->p, &c, canon, sizeof(canon));
    if (rc < 0) {
        set_err(err, errlen, "context too long");
        return rc;
    }
    rc = intern(ss, canon, &c, sid);
    if (rc)
        set_err(err, errlen, rc == -ENOSPC ? "SID table full" : "out of memory");
    return rc;
}

/* flask_ss_sid_to_context — the canonical context of sid (its current context; for a
 * SID invalid under the current policy, the string it was created from, as SELinux
 * reports such contexts). Returns the length, -ENOSPC (buf too small), -EINVAL
 * (unknown SID, no policy). */
int flask_ss_sid_to_context(const struct flask_ss *ss, uint32_t sid, char *buf, size_t len)
{
    if (!ss || !buf || len == 0)
        return -EINVAL;
    if (sid == 0 || sid > ss->nsids || !ss->p)
        return -EINVAL;
    const struct sid_entry *e = &ss->sids[sid - 1];
    if (ss->ctxs[sid - 1].mapped || !e->str)
        return ss_context_format(ss->p, &ss->ctxs[sid - 1].ctx, buf, len);
    /* Invalid under the current policy: the string it was created from. */
    size_t n = strlen(e->str);
    if (n + 1 > len)
        return -ENOSPC;
    memcpy(buf, e->str, n + 1);
    return (int)n;
}

/* flask_ss_isid — the SID of initial SID isid_name, created on first use; it follows
 * the `sid` statement of each policy loaded later (unlabeled's context when a later
 * policy lacks it). -ENOENT: no policy, no such `sid` or no context for it. */
int flask_ss_isid(struct flask_ss *ss, const char *isid_name, uint32_t *sid)
{
    if (!ss || !isid_name || !sid)
        return -EINVAL;
    if (!ss->p)
        return -ENOENT;
    for (uint32_t i = 0; i < ss->nsids; i++)
        if (ss->sids[i].isid && strcmp(ss->sids[i].isid, isid_name) == 0) {
            *sid = i + 1;
            return 0;
        }
    const struct pdb_isid *is = find_isid(ss->p, isid_name);
    if (!is || !is->has_context)
        return -ENOENT;
    char *dup = strdup(isid_name);
    if (!dup)
        return -ENOMEM;
    int rc = sid_append(ss, NULL, dup, &is->context, sid);
    if (rc)
        free(dup);
    return rc;
}

int flask_ss_login_sid(struct flask_ss *ss, uint32_t uid, uint32_t *sid)
{
    const struct pdb_login *hit = NULL;
    char canon[SS_CONTEXT_MAX];

    if (!ss || !sid)
        return -EINVAL;
    if (!ss->p)
        return -ENOENT;
    for (uint32_t i = 0; i < ss->p->nlogins; i++) {
        const struct pdb_login *l = &ss->p->logins[i];
        if (l->uid == uid && uid != PDB_LOGIN_DEFAULT) {
            hit = l;
            break;
        }
        if (l->uid == PDB_LOGIN_DEFAULT && !hit)
            hit = l;
    }
    if (!hit)
        return -ENOENT;
    int rc = ss_context_format(ss->p, &hit->context, canon, sizeof(canon));
    if (rc < 0)
        return rc;
    return intern(ss, canon, &hit->context, sid);
}

/* The context of a SID for decisions: unknown SIDs are unlabeled. */
static const struct pdb_context *sid_ctx(const struct flask_ss *ss, uint32_t sid)
{
    if (sid == 0 || sid > ss->nsids)
        return &ss->unl;
    return &ss->ctxs[sid - 1].ctx;
}

int flask_ss_transition_sid(struct flask_ss *ss, uint32_t ssid, uint32_t tsid, uint32_t hclass,
                            uint32_t *out)
{
    struct pdb_context n;
    char canon[SS_CONTEXT_MAX];

    if (!ss || !out || hclass == 0 || hclass > ss->nhosts)
        return -EINVAL;
    if (!ss->p)
        return -EINVAL;
    int rc = ss_transition(ss->p, ss->bools, sid_ctx(ss, ssid), sid_ctx(ss, tsid),
                           ss->map[hclass].pclass, &n);
    if (rc)
        return rc;
    rc = ss_context_format(ss->p, &n, canon, sizeof(canon));
    if (rc < 0)
        return rc;
    return intern(ss, canon, &n, out);
}

int flask_ss_compose_sid(struct flask_ss *ss, uint32_t urole_sid, uint32_t type_sid,
                         uint32_t level_sid, uint32_t *out, char *err, size_t errlen)
{
    struct pdb_context c;
    char canon[SS_CONTEXT_MAX];

    if (!ss || !out || !ss->p) {
        set_err(err, errlen, "no policy loaded");
        return -EINVAL;
    }
    c = *sid_ctx(ss, urole_sid);
    c.type = sid_ctx(ss, type_sid)->type;
    c.low = c.high = sid_ctx(ss, level_sid)->low;
    if (ss_context_format(ss->p, &c, canon, sizeof(canon)) < 0) {
        set_err(err, errlen, "context too long");
        return -EINVAL;
    }
    /* Through the string path: the same validation as any context a client names. */
    return flask_ss_context_to_sid(ss, canon, out, err, errlen);
}

uint32_t flask_ss_sid_type(const struct flask_ss *ss, uint32_t sid)
{
    return ss && ss->p ? sid_ctx(ss, sid)->type : 0;
}

/* Host bits 0..nperms-1 of the class (all 32 when it has 32 or more). */
/*@ requires \valid_read(hc);
  @ assigns \nothing;
  @ ensures hc->nperms >= 32 ==> \result == 0xffffffff;
  @ ensures hc->nperms < 32 ==> \result == (uint32_t)((1u << hc->nperms) - 1);
  @*/
static uint32_t host_mask(const struct ss_host_class *hc)
{
    return hc->nperms >= 32 ? 0xffffffffu : ((1u << hc->nperms) - 1u);
}

/*
 * Policy vector pv -> host vector (SELinux map_decision): host bit j is policy bit
 * perm[j], or `unknown` when the policy lacks the permission (perm[j] < 0). Host bits
 * n..31 are 0. perm[j] < 32 for j < n (flask_ss_load maps into PDB_MAX_PERMS bits).
 */
/*@ requires n <= PDB_MAX_PERMS && \valid_read(perm + (0 .. PDB_MAX_PERMS - 1));
  @ requires \forall integer k; 0 <= k < n ==> perm[k] < 32;
  @ assigns \nothing;
  @ ensures \forall integer k; 0 <= k < n ==> ((\result & (1u << k)) != 0 <==>
  @   (perm[k] < 0 ? unknown : (pv & (1u << perm[k])) != 0));
  @ ensures \forall integer k; n <= k < 32 ==> (\result & (1u << k)) == 0;
  @*/
static uint32_t ss_map_perms(const int8_t *perm, uint32_t n, uint32_t pv, bool unknown)
{
    uint32_t r = 0;

    /*@ loop invariant 0 <= j <= n;
      @ loop invariant \forall integer k; 0 <= k < j ==> ((r & (1u << k)) != 0 <==>
      @   (perm[k] < 0 ? unknown : (pv & (1u << perm[k])) != 0));
      @ loop invariant \forall integer k; j <= k < 32 ==> (r & (1u << k)) == 0;
      @ loop assigns j, r;
      @ loop variant n - j;
      @*/
    for (uint32_t j = 0; j < n; j++) {
        int8_t pb = perm[j];
        uint32_t bit = 1u << j;
        if (pb < 0) {
            if (unknown)
                r |= bit;
            continue;
        }
        if (pv & (1u << pb))
            r |= bit;
    }
    return r;
}

uint32_t flask_ss_compute(const struct flask_ss *ss, uint32_t ssid, uint32_t tsid,
                          uint32_t hclass, uint32_t *auditdeny)
{
    uint32_t allowed = 0, audit = 0xffffffffu;

    if (!ss || !ss->p || hclass == 0 || hclass > ss->nhosts)
        goto out;
    const struct ss_host_class *hc = &ss->hosts[hclass - 1];
    const struct host_map *m = &ss->map[hclass];
    bool allow_unknown = ss->p->handle_unknown == PDB_UNKNOWN_ALLOW;
    uint32_t mask = host_mask(hc);

    audit = 0;
    if (!m->pclass) {
        allowed = allow_unknown ? mask : 0;
        audit = mask;
        goto out;
    }
    uint32_t pad = 0;
    uint32_t pav = ss_compute_av(ss->p, ss->bools, sid_ctx(ss, ssid), sid_ctx(ss, tsid),
                                 m->pclass, &pad);
    uint32_t n = hc->nperms < PDB_MAX_PERMS ? hc->nperms : PDB_MAX_PERMS;
    allowed = ss_map_perms(m->perm, n, pav, allow_unknown);
    audit = ss_map_perms(m->perm, n, pad, true);
out:
    if (auditdeny)
        *auditdeny = audit;
    return allowed;
}

int flask_ss_unknown(const struct flask_ss *ss, char *buf, size_t len)
{
    size_t pos = 0;

    if (!ss || !buf || len == 0)
        return -EINVAL;
    buf[0] = '\0';
    if (!ss->p)
        return 0;
    for (uint32_t h = 1; h <= ss->nhosts; h++) {
        const struct ss_host_class *hc = &ss->hosts[h - 1];
        for (uint32_t j = 0; j < hc->nperms; j++) {
            if (ss->map[h].pclass && ss->map[h].perm[j] >= 0)
                continue;
            int n = snprintf(buf + pos, len - pos, "%s:%s\n", hc->name,
                             hc->perms[j] ? hc->perms[j] : "?");
            if (n < 0 || (size_t)n >= len - pos) {
                buf[0] = '\0';
                return -ENOSPC;
            }
            pos += (size_t)n;
        }
    }
    return (int)pos;
}

static uint32_t bool_find(const struct flask_ss *ss, const char *name)
{
    if (!ss || !ss->p || !name)
        return 0;
    for (uint32_t i = 1; i <= ss->p->nbools; i++)
        if (ss->p->bools[i].name && strcmp(ss->p->bools[i].name, name) == 0)
            return i;
    return 0;
}

int flask_ss_getbool(const struct flask_ss *ss, const char *name, bool *cur, bool *dflt)
{
    uint32_t i = bool_find(ss, name);
    if (!i)
        return -ENOENT;
    if (cur)
        *cur = ss->bools[i];
    if (dflt)
        *dflt = ss->p->bools[i].dflt;
    return 0;
}

int flask_ss_setbool(struct flask_ss *ss, const char *name, bool val)
{
    uint32_t i = bool_find(ss, name);
    if (!i)
        return -ENOENT;
    ss->bools[i] = val;
    ss->seqno++;
    return 0;
}

uint32_t flask_ss_nbools(const struct flask_ss *ss)
{
    return ss && ss->p ? ss->p->nbools : 0;
}

const char *flask_ss_bool_name(const struct flask_ss *ss, uint32_t i)
{
    if (!ss || !ss->p || i == 0 || i > ss->p->nbools)
        return NULL;
    return ss->p->bools[i].name;
}
