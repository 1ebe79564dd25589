/* SPDX-License-Identifier: MIT */
/*
 * audit2allow: AVC denial lines -> suggested rules (policy/audit2allow.h is the
 * spec). Semantics after SELinux audit2allow(1) and audit2why (policycoreutils):
 * rules grouped per (source type, target type, class), permissions merged and
 * sorted; with the policy, each denied permission is classified as
 *   - missing allow rule        (no allow rule grants it in any boolean state),
 *   - boolean                   (a conditional rule grants it in the other branch),
 *   - constraint                (the allow rules grant it, a constraint denies it),
 *   - already allowed           (the policy grants it now),
 *   - unknown                   (contexts, class or permission unknown to the policy).
 * Pure: allocation only; every loop bounded by the input line or the policydb sizes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/audit2allow.h"
#include "xsm/flask/ss.h"

enum {
    WHY_TE      = 1u << 0,
    WHY_BOOL    = 1u << 1,
    WHY_CONS    = 1u << 2,
    WHY_ALLOWED = 1u << 3,
    WHY_UNKNOWN = 1u << 4,
};

struct a2a_group {
    char     stype[PDB_MAX_NAME + 1], ttype[PDB_MAX_NAME + 1], tclass[PDB_MAX_NAME + 1];
    uint32_t nperms;
    char     perms[A2A_MAX_PERMS][PDB_MAX_NAME + 1];
    uint8_t  why[A2A_MAX_PERMS];
    uint16_t cond;                         /* WHY_BOOL: 1 + index of a deciding cond */
    char     cons_s[A2A_CTX_MAX], cons_t[A2A_CTX_MAX];   /* WHY_CONS: an example */
    uint32_t ndenials;
};

struct a2a {
    const struct policydb *p;
    bool                  *bools;          /* defaults, [0..nbools] */
    uint32_t               ngroups, cap;
    struct a2a_group      *groups;
};

/* ---- parsing ---------------------------------------------------------------------- */

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

static bool ctx_char(char c)
{
    return name_char(c) || c == ':' || c == ',';
}

/* Copy [s, s+n) into dst (cap bytes) if every byte passes ok(). */
static int take(char *dst, size_t cap, const char *s, size_t n, bool (*ok)(char))
{
    if (n == 0)
        return -EINVAL;
    if (n + 1u > cap)
        return -E2BIG;
    for (size_t i = 0; i < n; i++)
        if (!ok(s[i]))
            return -EINVAL;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

static const char *find(const char *s, const char *end, const char *needle)
{
    size_t n = strlen(needle);

    for (; s + n <= end; s++)
        if (memcmp(s, needle, n) == 0)
            return s;
    return NULL;
}

static const char *skip_sp(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    return s;
}

/* The type field (third of user:role:type:level) of a context string. */
static int ctx_type(const char *ctx, char *out, size_t cap)
{
    const char *a = strchr(ctx, ':'), *b, *c;

    if (!a || !(b = strchr(a + 1, ':')))
        return -EINVAL;
    c = strchr(b + 1, ':');
    if (!c)
        c = b + 1 + strlen(b + 1);
    return take(out, cap, b + 1, (size_t)(c - b - 1), name_char);
}

/*
 * a2a_parse_line — see policy/audit2allow.h.
 */
int a2a_parse_line(const char *line, size_t len, struct a2a_denial *d)
{
    const char *end, *s, *q;
    bool have_s = false, have_t = false, have_c = false;
    int rc;

    if (!line || !d)
        return -EINVAL;
    if (len > A2A_MAX_LINE)
        return -E2BIG;
    end = line + len;
    if ((q = memchr(line, '\0', len)) != NULL)
        end = q;
    while (end > line && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    s = find(line, end, "avc:");
    if (!s)
        return 0;
    s = skip_sp(s + 4, end);
    if ((size_t)(end - s) < 6 || memcmp(s, "denied", 6) != 0)
        return 0;                                  /* "granted" and the like */
    memset(d, 0, sizeof(*d));
    s = skip_sp(s + 6, end);
    if (s >= end || *s != '{')
        return -EINVAL;
    s++;
    for (;;) {                                     /* bounded by end */
        const char *w;
        s = skip_sp(s, end);
        if (s >= end)
            return -EINVAL;                        /* unterminated { */
        if (*s == '}')
            break;
        w = s;
        while (s < end && *s != ' ' && *s != '\t' && *s != '}')
            s++;
        if (d->nperms >= A2A_MAX_PERMS)
            return -E2BIG;
        rc = take(d->perms[d->nperms], sizeof(d->perms[0]), w, (size_t)(s - w), name_char);
        if (rc < 0)
            return rc;
        d->nperms++;
    }
    if (d->nperms == 0)
        return -EINVAL;
    s++;
    while (s < end) {                              /* key=value tokens */
        const char *k, *eq, *v;
        s = skip_sp(s, end);
        k = s;
        while (s < end && *s != ' ' && *s != '\t')
            s++;
        eq = memchr(k, '=', (size_t)(s - k));
        if (!eq)
            continue;                              /* "for" and other words */
        v = eq + 1;
        if ((size_t)(eq - k) == 8 && memcmp(k, "scontext", 8) == 0) {
            rc = take(d->scontext, sizeof(d->scontext), v, (size_t)(s - v), ctx_char);
            have_s = true;
        } else if ((size_t)(eq - k) == 8 && memcmp(k, "tcontext", 8) == 0) {
            rc = take(d->tcontext, sizeof(d->tcontext), v, (size_t)(s - v), ctx_char);
            have_t = true;
        } else if ((size_t)(eq - k) == 6 && memcmp(k, "tclass", 6) == 0) {
            rc = take(d->tclass, sizeof(d->tclass), v, (size_t)(s - v), name_char);
            have_c = true;
        } else if ((size_t)(eq - k) == 10 && memcmp(k, "permissive", 10) == 0) {
            d->permissive = (s - v) == 1 && *v == '1';
            rc = 0;
        } else
            rc = 0;
        if (rc < 0)
            return rc;
    }
    if (!have_s || !have_t || !have_c)
        return -EINVAL;
    rc = ctx_type(d->scontext, d->stype, sizeof(d->stype));
    if (rc == 0)
        rc = ctx_type(d->tcontext, d->ttype, sizeof(d->ttype));
    return rc < 0 ? rc : 1;
}

/* ---- policy reasoning ---------------------------------------------------------------- */

/*
 * a2a_cond_eval — see policy/audit2allow.h.
 */
int a2a_cond_eval(const struct policydb *p, const struct pdb_cond *c, const bool *bools)
{
    bool st[PDB_MAX_EXPR];
    uint32_t sp = 0;

    if (!p || !c || c->nexpr == 0 || c->nexpr > PDB_MAX_EXPR)
        return -EINVAL;
    for (uint32_t i = 0; i < c->nexpr; i++) {
        const struct pdb_cexpr *e = &c->expr[i];
        bool x, y;

        if (e->op == PDB_CEXPR_BOOL) {
            if (e->boolidx == 0 || e->boolidx > p->nbools || sp >= PDB_MAX_EXPR)
                return -EINVAL;
            st[sp++] = bools[e->boolidx];
            continue;
        }
        if (e->op == PDB_CEXPR_NOT) {
            if (sp < 1)
                return -EINVAL;
            st[sp - 1] = !st[sp - 1];
            continue;
        }
        if (sp < 2)
            return -EINVAL;
        y = st[--sp];
        x = st[sp - 1];
        switch (e->op) {
        case PDB_CEXPR_OR:  st[sp - 1] = x || y; break;
        case PDB_CEXPR_AND: st[sp - 1] = x && y; break;
        case PDB_CEXPR_XOR: st[sp - 1] = x != y; break;
        case PDB_CEXPR_EQ:  st[sp - 1] = x == y; break;
        case PDB_CEXPR_NEQ: st[sp - 1] = x != y; break;
        default: return -EINVAL;
        }
    }
    return sp == 1 ? st[0] : -EINVAL;
}

static uint32_t class_index(const struct policydb *p, const char *name)
{
    for (uint32_t c = 1; c <= p->nclasses; c++)
        if (p->classes[c].name && strcmp(p->classes[c].name, name) == 0)
            return c;
    return 0;
}

static int perm_index(const struct pdb_class *c, const char *name)
{
    for (uint32_t i = 0; i < c->nperms && i < PDB_MAX_PERMS; i++)
        if (c->perms[i] && strcmp(c->perms[i], name) == 0)
            return (int)i;
    return -1;
}

/* Why was perm bit `bit` of class cls denied to (sc, tc)? */
static uint8_t explain(const struct a2a *a, const struct a2a_denial *d, int *bit_cond,
                       const char *perm)
{
    const struct policydb *p = a->p;
    struct pdb_context sc, tc;
    uint32_t cls, av, te_now = 0;
    char err[128];
    int bit;

    if (ss_context_parse(p, d->scontext, &sc, err, sizeof(err)) < 0 ||
        ss_context_parse(p, d->tcontext, &tc, err, sizeof(err)) < 0)
        return WHY_UNKNOWN;
    cls = class_index(p, d->tclass);
    if (cls == 0 || (bit = perm_index(&p->classes[cls], perm)) < 0)
        return WHY_UNKNOWN;
    av = ss_compute_av(p, a->bools, &sc, &tc, cls, NULL);
    if (av & (1u << bit))
        return WHY_ALLOWED;
    for (uint32_t i = 0; i < p->navrules; i++) {
        const struct pdb_avrule *r = &p->avrules[i];
        int v;
        if (r->stype != sc.type || r->ttype != tc.type || r->tclass != cls ||
            r->kind != PDB_AV_ALLOW || !(r->data & (1u << bit)))
            continue;
        if (r->cond == 0 || r->cond > p->nconds) {
            te_now |= r->data;
            continue;
        }
        v = a2a_cond_eval(p, &p->conds[r->cond - 1u], a->bools);
        if (v == (int)r->branch)
            te_now |= r->data;
        else if (v >= 0 && *bit_cond == 0)
            *bit_cond = r->cond;
    }
    if (te_now & (1u << bit))
        return WHY_CONS;
    return *bit_cond ? WHY_BOOL : WHY_TE;
}

/* ---- collector --------------------------------------------------------------------- */

/*
 * a2a_new — see policy/audit2allow.h.
 */
int a2a_new(const struct policydb *p, struct a2a **out)
{
    struct a2a *a;

    if (!out)
        return -EINVAL;
    *out = NULL;
    a = calloc(1, sizeof(*a));
    if (!a)
        return -ENOMEM;
    a->p = p;
    if (p) {
        a->bools = calloc(p->nbools + 1u, sizeof(bool));
        if (!a->bools) {
            free(a);
            return -ENOMEM;
        }
        for (uint32_t b = 1; b <= p->nbools; b++)
            a->bools[b] = p->bools[b].dflt;
    }
    *out = a;
    return 0;
}

/* a2a_free — free the collector; NULL is fine. */
void a2a_free(struct a2a *a)
{
    if (!a)
        return;
    free(a->bools);
    free(a->groups);
    free(a);
}

/* a2a_ngroups — see policy/audit2allow.h. */
uint32_t a2a_ngroups(const struct a2a *a)
{
    return a ? a->ngroups : 0;
}

/*
 * a2a_add — see policy/audit2allow.h. Checks capacity before changing anything, so
 * a refused denial leaves the collector as it was.
 */
int a2a_add(struct a2a *a, const struct a2a_denial *d)
{
    struct a2a_group *g = NULL;
    uint32_t newp = 0;

    if (!a || !d || d->nperms == 0 || d->nperms > A2A_MAX_PERMS)
        return -EINVAL;
    for (uint32_t i = 0; i < a->ngroups; i++) {
        struct a2a_group *x = &a->groups[i];
        if (strcmp(x->stype, d->stype) == 0 && strcmp(x->ttype, d->ttype) == 0 &&
            strcmp(x->tclass, d->tclass) == 0) {
            g = x;
            break;
        }
    }
    /* Decode: how many new permissions, is there room? */
    for (uint32_t i = 0; i < d->nperms; i++) {
        bool seen = false;
        for (uint32_t j = 0; g && j < g->nperms && !seen; j++)
            seen = strcmp(g->perms[j], d->perms[i]) == 0;
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = strcmp(d->perms[j], d->perms[i]) == 0;
        newp += !seen;
    }
    if ((g ? g->nperms : 0) + newp > A2A_MAX_PERMS)
        return -E2BIG;
    if (!g) {
        if (a->ngroups >= A2A_MAX_GROUPS)
            return -E2BIG;
        if (a->ngroups == a->cap) {
            uint32_t ncap = a->cap ? 2u * a->cap : 16u;
            struct a2a_group *ng = realloc(a->groups, (size_t)ncap * sizeof(*ng));
            if (!ng)
                return -ENOMEM;
            a->groups = ng;
            a->cap = ncap;
        }
        g = &a->groups[a->ngroups++];
        memset(g, 0, sizeof(*g));
        memcpy(g->stype, d->stype, sizeof(g->stype));
        memcpy(g->ttype, d->ttype, sizeof(g->ttype));
        memcpy(g->tclass, d->tclass, sizeof(g->tclass));
    }
    /* Invoke. */
    g->ndenials++;
    for (uint32_t i = 0; i < d->nperms; i++) {
        uint32_t j;
        int cond = 0;
        uint8_t why = 0;

        for (j = 0; j < g->nperms; j++)
            if (strcmp(g->perms[j], d->perms[i]) == 0)
                break;
        if (j == g->nperms) {
            memcpy(g->perms[j], d->perms[i], sizeof(g->perms[j]));
            g->why[j] = 0;
            g->nperms++;
        }
        if (a->p) {
            why = explain(a, d, &cond, d->perms[i]);
            if (why == WHY_BOOL && g->cond == 0)
                g->cond = (uint16_t)cond;
            if (why == WHY_CONS && g->cons_s[0] == '\0') {
                memcpy(g->cons_s, d->scontext, sizeof(g->cons_s));
                memcpy(g->cons_t, d->tcontext, sizeof(g->cons_t));
            }
        }
        g->why[j] |= why;
    }
    return 0;
}

/* a2a_add_line — see policy/audit2allow.h. */
int a2a_add_line(struct a2a *a, const char *line, size_t len)
{
    struct a2a_denial *d;
    int rc;

    d = malloc(sizeof(*d));
    if (!d)
        return -ENOMEM;
    rc = a2a_parse_line(line, len, d);
    if (rc == 1) {
        int r2 = a2a_add(a, d);
        rc = r2 < 0 ? r2 : 1;
    }
    free(d);
    return rc;
}

/* ---- output ----------------------------------------------------------------------- */

struct out {
    char  *buf;
    size_t len, off;
    int    err;
};

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (o->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->len - o->off) {
        o->err = -ENOSPC;
        o->buf[o->off] = '\0';
        return;
    }
    o->off += (size_t)n;
}

static int group_cmp(const void *x, const void *y)
{
    const struct a2a_group *a = *(const struct a2a_group *const *)x;
    const struct a2a_group *b = *(const struct a2a_group *const *)y;
    int c = strcmp(a->stype, b->stype);

    if (c == 0)
        c = strcmp(a->ttype, b->ttype);
    if (c == 0)
        c = strcmp(a->tclass, b->tclass);
    return c;
}

/* The permissions of g (all, or those whose reasons intersect want), sorted by
 * name, as "{ a b }". */
static void perm_set(struct out *o, const struct a2a_group *g, uint8_t want, bool exact_any)
{
    const char *sorted[A2A_MAX_PERMS];
    uint32_t n = 0;

    for (uint32_t i = 0; i < g->nperms; i++) {
        bool in = exact_any ? true : (g->why[i] & want) != 0;
        if (in)
            sorted[n++] = g->perms[i];
    }
    /* insertion sort: n <= A2A_MAX_PERMS */
    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
            const char *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    put(o, "{");
    for (uint32_t i = 0; i < n; i++)
        put(o, " %s", sorted[i]);
    put(o, " }");
}

static bool any(const struct a2a_group *g, uint8_t want)
{
    for (uint32_t i = 0; i < g->nperms; i++)
        if (g->why[i] & want)
            return true;
    return false;
}

static void cond_names(struct out *o, const struct policydb *p, uint16_t cond)
{
    const struct pdb_cond *c;

    if (cond == 0 || cond > p->nconds)
        return;
    c = &p->conds[cond - 1u];
    for (uint32_t i = 0, n = 0; i < c->nexpr && i < PDB_MAX_EXPR; i++)
        if (c->expr[i].op == PDB_CEXPR_BOOL && c->expr[i].boolidx >= 1 &&
            c->expr[i].boolidx <= p->nbools) {
            const struct pdb_bool *b = &p->bools[c->expr[i].boolidx];
            put(o, "%s%s (now %s)", n++ ? ", " : " ", b->name, b->dflt ? "true" : "false");
        }
}

/*
 * a2a_format — see policy/audit2allow.h. Without a policy every permission goes
 * into the allow rule. With one: WHY_TE and WHY_UNKNOWN permissions go into the
 * rule; WHY_BOOL, WHY_CONS and WHY_ALLOWED ones only into comments, since an allow
 * rule would not change their outcome.
 */
int a2a_format(const struct a2a *a, char *buf, size_t len)
{
    const struct a2a_group **order = NULL;
    struct out o = { .buf = buf, .len = len };

    if (!a || !buf || len == 0)
        return -EINVAL;
    buf[0] = '\0';
    if (a->ngroups == 0)
        return 0;
    order = calloc(a->ngroups, sizeof(*order));
    if (!order)
        return -ENOMEM;
    for (uint32_t i = 0; i < a->ngroups; i++)
        order[i] = &a->groups[i];
    qsort(order, a->ngroups, sizeof(*order), group_cmp);
    for (uint32_t i = 0; i < a->ngroups; i++) {
        const struct a2a_group *g = order[i];
        const char *st = g->stype, *tt = g->ttype, *tc = g->tclass;

        if (i)
            put(&o, "\n");
        if (!a->p) {
            put(&o, "allow %s %s:%s ", st, tt, tc);
            perm_set(&o, g, 0, true);
            put(&o, ";\n");
            continue;
        }
        if (any(g, WHY_ALLOWED)) {
            put(&o, "# %s ", tc);
            perm_set(&o, g, WHY_ALLOWED, false);
            put(&o, " is already allowed by this policy (booleans at their defaults)\n");
        }
        if (any(g, WHY_BOOL)) {
            put(&o, "# %s ", tc);
            perm_set(&o, g, WHY_BOOL, false);
            put(&o, " is granted by a conditional rule in the other branch; set boolean(s)");
            cond_names(&o, a->p, g->cond);
            put(&o, " instead of adding a rule\n");
        }
        if (any(g, WHY_CONS)) {
            put(&o, "#!!!! constraint violation: %s %s:%s ", st, tt, tc);
            perm_set(&o, g, WHY_CONS, false);
            put(&o, " is granted by allow rules but denied by a constraint (e.g. MCS "
                    "levels) for scontext=%s tcontext=%s; an allow rule will not help: "
                    "change a context or the constraint\n", g->cons_s, g->cons_t);
        }
        if (any(g, WHY_UNKNOWN)) {
            put(&o, "# %s ", tc);
            perm_set(&o, g, WHY_UNKNOWN, false);
            put(&o, ": contexts, class or permission unknown to this policy\n");
        }
        if (any(g, WHY_TE | WHY_UNKNOWN)) {
            if (any(g, WHY_TE))
                put(&o, "# missing allow rule\n");
            put(&o, "allow %s %s:%s ", st, tt, tc);
            perm_set(&o, g, WHY_TE | WHY_UNKNOWN, false);
            put(&o, ";\n");
        }
    }
    free(order);
    return o.err ? o.err : (int)o.off;
}
