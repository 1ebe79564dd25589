/* SPDX-License-Identifier: MIT */
/*
 * Information-flow analysis over a compiled policy (policy/analyze.h is the spec).
 *
 * Method (after setools' infoflow analysis with an apol permission map, with the
 * permission map taken from the policy's own `infoflow` statements):
 *  1. Conditional rules. The allow rules are merged per (stype, ttype, tclass) into
 *     one unconditional rule holding every permission that some boolean setting
 *     grants. When 2^nbools * nconds <= AN_BOOL_ENUM_LIMIT every combination of the
 *     booleans is evaluated and a branch counts when some combination selects it;
 *     beyond that every conditional rule counts in both branches. Both are
 *     over-approximations of "some boolean state allows it", which is what we want:
 *     booleans can be flipped at run time, independently along a path.
 *     Constraints do not depend on booleans, so union_b(TE_b & ~C) = (union_b TE_b)
 *     & ~C: the security server's ss_compute_av over the merged policy gives
 *     exactly the union of its decisions over the boolean settings considered.
 *  2. Nodes: every valid context (user, role, type) x level in L (analyze.h), plus
 *     the initial SID, login and queried contexts themselves (which may be ranges).
 *     Validity as SELinux's context_is_valid (libsepol context.c): the role is
 *     object_r, or the user holds the role and the role holds the type; the range
 *     is well formed and inside the user's range.
 *  3. Edges (computed lazily during a breadth-first search): S -> T when
 *     ss_compute_av(S, T, c) holds a write-like permission of c, and T -> S when it
 *     holds a read-like one. Only (S.type, T.type, c) with a merged allow rule that
 *     has such a permission is ever asked, so the cost follows the rules, not N^2.
 *  4. Nodes whose type is in the attribute xenia_tcb are not expanded (unless the
 *     node is the search's source): flows stop at the trusted host.
 * Pure: allocation only. Every loop is bounded by the sizes of the policydb, which
 * pdb_read has checked against PDB_MAX_*.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/analyze.h"
#include "policy/audit2allow.h"
#include "xsm/flask/ss.h"

#define AN_MAX_NODES       65536u
#define AN_BOOL_ENUM_LIMIT (1u << 20)   /* combinations x conditions evaluated */
#define AN_NONE            0xffffffffu

struct an_graph {
    const struct policydb *orig;
    struct policydb        merged;      /* shallow copy of orig, avrules replaced */
    struct pdb_avrule     *mrules;      /* merged ALLOW rules, sorted (s, t, c) */
    uint32_t               nmrules;
    uint32_t              *s_off;       /* mrules of stype s: [s_off[s], s_off[s+1]) */
    uint32_t              *by_t;        /* indices into mrules sorted by ttype */
    uint32_t              *t_off;       /* by_t of ttype t: [t_off[t], t_off[t+1]) */
    struct pdb_context    *nodes;       /* sorted by (type, bytes), unique */
    uint32_t               nnodes;
    uint32_t              *n_off;       /* nodes of type t: [n_off[t], n_off[t+1]) */
    bool                  *tcb;         /* tcb[t]: type t is in xenia_tcb */
    bool                  *bools;       /* [0..nbools], defaults (merged rules are
                                           unconditional; passed for form's sake) */
    /* search state */
    uint32_t              *prev;        /* predecessor node, AN_NONE: not reached */
    struct an_step        *via;         /* edge info of the step into the node */
    uint32_t              *queue;
};

/* ---- small helpers ------------------------------------------------------------ */

static void level_copy(struct pdb_level *dst, const struct pdb_level *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->sens = src->sens;
    memcpy(dst->cats, src->cats, sizeof(dst->cats));
}

static void ctx_copy(struct pdb_context *dst, const struct pdb_context *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->user = src->user;
    dst->role = src->role;
    dst->type = src->type;
    level_copy(&dst->low, &src->low);
    level_copy(&dst->high, &src->high);
}

static uint32_t object_r_index(const struct policydb *p)
{
    for (uint32_t r = 1; r <= p->nroles; r++)
        if (p->roles[r].name && strcmp(p->roles[r].name, "object_r") == 0)
            return r;
    return 0;
}

static bool level_ok(const struct policydb *p, const struct pdb_level *l)
{
    if (l->sens == 0 || l->sens > p->nsens)
        return false;
    for (uint32_t c = p->ncats; c < PDB_MAX_CATS; c++)
        if ((l->cats[c / 64] >> (c % 64)) & 1u)
            return false;
    return true;
}

/* libsepol context_is_valid + mls_context_isvalid, without the per-sensitivity
 * category check (policydb.h does not keep `level` statements). */
static bool ctx_valid(const struct policydb *p, const struct pdb_context *c, uint32_t objr)
{
    const struct pdb_user *u;

    if (c->user == 0 || c->user > p->nusers || c->role == 0 || c->role > p->nroles ||
        c->type == 0 || c->type > p->ntypes)
        return false;
    u = &p->users[c->user];
    if (c->role != objr) {
        if (!pdb_bit(&u->roles, c->role) || !pdb_bit(&p->roles[c->role].types, c->type))
            return false;
    }
    if (!level_ok(p, &c->low) || !level_ok(p, &c->high))
        return false;
    return ss_level_dom(&c->high, &c->low) && ss_level_dom(&c->low, &u->range_low) &&
           ss_level_dom(&u->range_high, &c->high);
}

static int node_cmp(const void *a, const void *b)
{
    const struct pdb_context *x = a, *y = b;

    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return memcmp(x, y, sizeof(*x));
}

static int level_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct pdb_level));
}

static uint32_t find_node(const struct an_graph *g, const struct pdb_context *c)
{
    struct pdb_context k;
    const struct pdb_context *hit;

    ctx_copy(&k, c);
    hit = bsearch(&k, g->nodes, g->nnodes, sizeof(k), node_cmp);
    return hit ? (uint32_t)(hit - g->nodes) : AN_NONE;
}

static int lowest_bit(uint32_t v)
{
    return __builtin_ctz(v);
}

/* ---- graph construction -------------------------------------------------------- */

static void graph_free(struct an_graph *g)
{
    free(g->mrules);
    free(g->s_off);
    free(g->by_t);
    free(g->t_off);
    free(g->nodes);
    free(g->n_off);
    free(g->tcb);
    free(g->bools);
    free(g->prev);
    free(g->via);
    free(g->queue);
    memset(g, 0, sizeof(*g));
}

/* reach[2*i + b]: branch b of conds[i] is selected by some boolean setting. */
static int cond_reach(const struct policydb *p, bool *reach)
{
    bool *bools = NULL;
    uint64_t combos;
    int rc = 0;

    if (p->nconds == 0)
        return 0;
    if (p->nbools >= 20 || ((uint64_t)1 << p->nbools) * p->nconds > AN_BOOL_ENUM_LIMIT) {
        for (uint32_t i = 0; i < 2u * p->nconds; i++)
            reach[i] = true;
        return 0;
    }
    bools = calloc(p->nbools + 1u, sizeof(*bools));
    if (!bools)
        return -ENOMEM;
    combos = (uint64_t)1 << p->nbools;
    for (uint64_t m = 0; m < combos; m++) {
        for (uint32_t b = 1; b <= p->nbools; b++)
            bools[b] = (m >> (b - 1)) & 1u;
        for (uint32_t i = 0; i < p->nconds; i++) {
            int v = a2a_cond_eval(p, &p->conds[i], bools);
            if (v < 0) {
                rc = v;
                goto out;
            }
            reach[2 * i + (uint32_t)v] = true;
        }
    }
out:
    free(bools);
    return rc;
}

static int merge_rules(struct an_graph *g)
{
    const struct policydb *p = g->orig;
    bool *reach = NULL;
    int rc;

    reach = calloc(2u * p->nconds + 1u, sizeof(*reach));
    g->mrules = calloc(p->navrules + 1u, sizeof(*g->mrules));
    if (!reach || !g->mrules) {
        rc = -ENOMEM;
        goto out;
    }
    rc = cond_reach(p, reach);
    if (rc < 0)
        goto out;
    for (uint32_t i = 0; i < p->navrules; i++) {
        const struct pdb_avrule *r = &p->avrules[i];
        struct pdb_avrule *last = g->nmrules ? &g->mrules[g->nmrules - 1] : NULL;

        if (r->stype == 0 || r->stype > p->ntypes || r->ttype == 0 || r->ttype > p->ntypes ||
            r->tclass == 0 || r->tclass > p->nclasses || r->cond > p->nconds || r->branch > 1) {
            rc = -EINVAL;
            goto out;
        }
        if (r->kind != PDB_AV_ALLOW)
            continue;
        if (r->cond && !reach[2u * (r->cond - 1u) + r->branch])
            continue;
        if (last && last->stype == r->stype && last->ttype == r->ttype &&
            last->tclass == r->tclass) {
            last->data |= r->data;
            continue;
        }
        if (last && (last->stype > r->stype ||
                     (last->stype == r->stype && (last->ttype > r->ttype ||
                      (last->ttype == r->ttype && last->tclass > r->tclass))))) {
            rc = -EINVAL;                    /* not sorted as policydb.h promises */
            goto out;
        }
        g->mrules[g->nmrules] = (struct pdb_avrule){ .stype = r->stype, .ttype = r->ttype,
            .tclass = r->tclass, .kind = PDB_AV_ALLOW, .data = r->data };
        g->nmrules++;
    }
    g->merged = *p;
    g->merged.avrules = g->mrules;
    g->merged.navrules = g->nmrules;
    rc = 0;
out:
    free(reach);
    return rc;
}

static int index_rules(struct an_graph *g)
{
    const uint32_t nt = g->orig->ntypes;
    uint32_t *fill = NULL;

    g->s_off = calloc(nt + 2u, sizeof(uint32_t));
    g->t_off = calloc(nt + 2u, sizeof(uint32_t));
    g->by_t = calloc(g->nmrules + 1u, sizeof(uint32_t));
    fill = calloc(nt + 2u, sizeof(uint32_t));
    if (!g->s_off || !g->t_off || !g->by_t || !fill) {
        free(fill);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < g->nmrules; i++) {
        g->s_off[g->mrules[i].stype + 1u]++;
        g->t_off[g->mrules[i].ttype + 1u]++;
    }
    for (uint32_t t = 1; t <= nt + 1u; t++) {
        g->s_off[t] += g->s_off[t - 1];
        g->t_off[t] += g->t_off[t - 1];
    }
    for (uint32_t i = 0; i < g->nmrules; i++) {
        uint32_t t = g->mrules[i].ttype;
        g->by_t[g->t_off[t] + fill[t]++] = i;
    }
    free(fill);
    return 0;
}

static int add_level(struct pdb_level *set, uint32_t *n, uint32_t max, const struct pdb_level *l)
{
    if (*n >= max)
        return -E2BIG;
    level_copy(&set[(*n)++], l);
    return 0;
}

/* Node universe (analyze.h): extra[0..nextra-1] are the queried contexts. */
static int build_nodes(struct an_graph *g, const struct pdb_context *extra, uint32_t nextra)
{
    const struct policydb *p = g->orig;
    const uint32_t objr = object_r_index(p);
    const uint32_t maxlv = 2u * (p->nlogins + p->nisids + nextra) + 3u * p->nusers + 1u;
    struct pdb_level *lv = NULL;
    uint32_t nlv = 0, nseeds = 0, cap;
    uint64_t est = 0;
    int rc = 0;

    lv = calloc(maxlv, sizeof(*lv));
    if (!lv)
        return -ENOMEM;
    for (uint32_t i = 0; i < p->nlogins && rc == 0; i++) {
        rc = add_level(lv, &nlv, maxlv, &p->logins[i].context.low);
        if (rc == 0)
            rc = add_level(lv, &nlv, maxlv, &p->logins[i].context.high);
    }
    for (uint32_t i = 0; i < p->nisids && rc == 0; i++) {
        if (!p->isids[i].has_context)
            continue;
        rc = add_level(lv, &nlv, maxlv, &p->isids[i].context.low);
        if (rc == 0)
            rc = add_level(lv, &nlv, maxlv, &p->isids[i].context.high);
    }
    for (uint32_t u = 1; u <= p->nusers && rc == 0; u++) {
        rc = add_level(lv, &nlv, maxlv, &p->users[u].dfl);
        if (rc == 0)
            rc = add_level(lv, &nlv, maxlv, &p->users[u].range_low);
        if (rc == 0)
            rc = add_level(lv, &nlv, maxlv, &p->users[u].range_high);
    }
    for (uint32_t i = 0; i < nextra && rc == 0; i++) {
        rc = add_level(lv, &nlv, maxlv, &extra[i].low);
        if (rc == 0)
            rc = add_level(lv, &nlv, maxlv, &extra[i].high);
    }
    if (rc < 0)
        goto out;
    if (nlv) {
        uint32_t k = 1;
        qsort(lv, nlv, sizeof(*lv), level_cmp);
        for (uint32_t i = 1; i < nlv; i++)
            if (level_cmp(&lv[i], &lv[k - 1]) != 0)
                lv[k++] = lv[i];
        nlv = k;
    }

    /* Upper bound on the universe before allocating it. */
    for (uint32_t u = 1; u <= p->nusers; u++)
        for (uint32_t r = 1; r <= p->nroles; r++) {
            if (r == objr) {
                est += (uint64_t)p->ntypes * nlv;
                continue;
            }
            if (!pdb_bit(&p->users[u].roles, r))
                continue;
            for (uint32_t t = 1; t <= p->ntypes; t++)
                est += pdb_bit(&p->roles[r].types, t) ? nlv : 0;
        }
    est += p->nlogins + p->nisids + nextra;
    if (est > 4u * AN_MAX_NODES) {
        rc = -E2BIG;
        goto out;
    }
    cap = (uint32_t)est + 1u;
    g->nodes = calloc(cap, sizeof(*g->nodes));
    if (!g->nodes) {
        rc = -ENOMEM;
        goto out;
    }
    for (uint32_t u = 1; u <= p->nusers; u++)
        for (uint32_t r = 1; r <= p->nroles; r++) {
            if (r != objr && !pdb_bit(&p->users[u].roles, r))
                continue;
            for (uint32_t t = 1; t <= p->ntypes; t++) {
                if (r != objr && !pdb_bit(&p->roles[r].types, t))
                    continue;
                for (uint32_t l = 0; l < nlv; l++) {
                    struct pdb_context c = { .user = (uint16_t)u, .role = (uint16_t)r,
                                             .type = (uint16_t)t };
                    level_copy(&c.low, &lv[l]);
                    level_copy(&c.high, &lv[l]);
                    if (ctx_valid(p, &c, objr) && g->nnodes < cap)
                        g->nodes[g->nnodes++] = c;
                }
            }
        }
    for (uint32_t i = 0; i < p->nlogins + p->nisids + nextra; i++) {
        const struct pdb_context *s;
        struct pdb_context c;
        if (i < p->nlogins)
            s = &p->logins[i].context;
        else if (i < p->nlogins + p->nisids) {
            if (!p->isids[i - p->nlogins].has_context)
                continue;
            s = &p->isids[i - p->nlogins].context;
        } else
            s = &extra[i - p->nlogins - p->nisids];
        ctx_copy(&c, s);
        if (ctx_valid(p, &c, objr) && g->nnodes < cap)
            g->nodes[g->nnodes++] = c;
    }
    nseeds = g->nnodes;
    if (nseeds) {
        uint32_t k = 1;
        qsort(g->nodes, nseeds, sizeof(*g->nodes), node_cmp);
        for (uint32_t i = 1; i < nseeds; i++)
            if (node_cmp(&g->nodes[i], &g->nodes[k - 1]) != 0)
                g->nodes[k++] = g->nodes[i];
        g->nnodes = k;
    }
    if (g->nnodes > AN_MAX_NODES) {
        rc = -E2BIG;
        goto out;
    }
    g->n_off = calloc(p->ntypes + 2u, sizeof(uint32_t));
    if (!g->n_off) {
        rc = -ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < g->nnodes; i++)
        g->n_off[g->nodes[i].type + 1u]++;
    for (uint32_t t = 1; t <= p->ntypes + 1u; t++)
        g->n_off[t] += g->n_off[t - 1];
out:
    free(lv);
    return rc;
}

static int graph_build(struct an_graph *g, const struct policydb *p,
                       const struct pdb_context *extra, uint32_t nextra)
{
    int rc, ai;

    memset(g, 0, sizeof(*g));
    g->orig = p;
    if (!p || p->ntypes > PDB_MAX_TYPES || p->nclasses > PDB_MAX_CLASSES ||
        (p->ntypes && !p->types) || (p->nclasses && !p->classes) ||
        (p->nusers && !p->users) || (p->nroles && !p->roles))
        return -EINVAL;
    rc = merge_rules(g);
    if (rc == 0)
        rc = index_rules(g);
    if (rc == 0)
        rc = build_nodes(g, extra, nextra);
    if (rc < 0)
        goto fail;
    g->tcb = calloc(p->ntypes + 1u, sizeof(bool));
    g->bools = calloc(p->nbools + 1u, sizeof(bool));
    g->prev = calloc(g->nnodes + 1u, sizeof(uint32_t));
    g->via = calloc(g->nnodes + 1u, sizeof(*g->via));
    g->queue = calloc(g->nnodes + 1u, sizeof(uint32_t));
    if (!g->tcb || !g->bools || !g->prev || !g->via || !g->queue) {
        rc = -ENOMEM;
        goto fail;
    }
    for (uint32_t b = 1; b <= p->nbools; b++)
        g->bools[b] = p->bools[b].dflt;
    ai = -1;
    for (uint32_t i = 0; i < p->nattrs; i++)
        if (p->attrs[i].name && strcmp(p->attrs[i].name, AN_TCB_ATTR) == 0)
            ai = (int)i;
    if (ai >= 0)
        for (uint32_t t = 1; t <= p->ntypes; t++)
            g->tcb[t] = pdb_bit(&p->attrs[ai].types, t);
    return 0;
fail:
    graph_free(g);
    return rc;
}

/* ---- search ---------------------------------------------------------------------- */

static void reach(struct an_graph *g, uint32_t from, uint32_t to, uint16_t tclass,
                  uint32_t bits, bool rd, uint32_t *tail)
{
    if (g->prev[to] != AN_NONE)
        return;
    g->prev[to] = from;
    ctx_copy(&g->via[to].from, &g->nodes[from]);
    ctx_copy(&g->via[to].to, &g->nodes[to]);
    g->via[to].tclass = tclass;
    g->via[to].perm = 1u << lowest_bit(bits);
    g->via[to].read = rd;
    g->queue[(*tail)++] = to;
}

/* Breadth-first search from node src; afterwards prev[] describes the shortest
 * path tree (prev[src] = src). Stops early once `stop` (AN_NONE: never) is reached. */
static void bfs(struct an_graph *g, uint32_t src, uint32_t stop)
{
    const struct policydb *p = g->orig;
    uint32_t head = 0, tail = 0;

    for (uint32_t i = 0; i < g->nnodes; i++)
        g->prev[i] = AN_NONE;
    g->prev[src] = src;
    g->queue[tail++] = src;
    while (head < tail) {
        uint32_t x = g->queue[head++];
        const struct pdb_context *xc = &g->nodes[x];

        if (x == stop)
            return;
        if (x != src && g->tcb[xc->type])
            continue;                  /* flows are not followed through the host */
        /* x writes t: x -> t */
        for (uint32_t ri = g->s_off[xc->type]; ri < g->s_off[xc->type + 1u]; ri++) {
            const struct pdb_avrule *r = &g->mrules[ri];
            uint32_t wm = p->classes[r->tclass].write_mask;
            if (!(r->data & wm))
                continue;
            for (uint32_t t = g->n_off[r->ttype]; t < g->n_off[r->ttype + 1u]; t++) {
                uint32_t av;
                if (g->prev[t] != AN_NONE)
                    continue;
                av = ss_compute_av(&g->merged, g->bools, xc, &g->nodes[t], r->tclass, NULL);
                if (av & wm)
                    reach(g, x, t, r->tclass, av & wm, false, &tail);
            }
        }
        /* s reads x: x -> s */
        for (uint32_t bi = g->t_off[xc->type]; bi < g->t_off[xc->type + 1u]; bi++) {
            const struct pdb_avrule *r = &g->mrules[g->by_t[bi]];
            uint32_t rm = p->classes[r->tclass].read_mask;
            if (!(r->data & rm))
                continue;
            for (uint32_t s = g->n_off[r->stype]; s < g->n_off[r->stype + 1u]; s++) {
                uint32_t av;
                if (g->prev[s] != AN_NONE)
                    continue;
                av = ss_compute_av(&g->merged, g->bools, &g->nodes[s], xc, r->tclass, NULL);
                if (av & rm)
                    reach(g, x, s, r->tclass, av & rm, true, &tail);
            }
        }
    }
}

static void take_path(const struct an_graph *g, uint32_t src, uint32_t dst, struct an_path *path)
{
    uint32_t n = 0, v = dst;

    memset(path, 0, sizeof(*path));
    for (uint32_t guard = 0; v != src && guard < g->nnodes; guard++) {
        n++;
        v = g->prev[v];
    }
    /* Keep the first AN_MAX_PATH steps of a longer path. */
    v = dst;
    for (uint32_t i = n; i > 0; i--) {
        if (i - 1u < AN_MAX_PATH)
            path->step[i - 1u] = g->via[v];
        v = g->prev[v];
    }
    path->nsteps = n < AN_MAX_PATH ? n : AN_MAX_PATH;
}

/*
 * an_flow — see policy/analyze.h. a == b is a flow of zero steps (returns 1,
 * path->nsteps = 0). A shortest path longer than AN_MAX_PATH steps is returned
 * truncated to its first AN_MAX_PATH steps.
 */
int an_flow(const struct policydb *p, const struct pdb_context *a, const struct pdb_context *b,
            struct an_path *path)
{
    struct pdb_context q[2];
    struct an_graph g;
    uint32_t na, nb, objr;
    int rc;

    if (!p || !a || !b)
        return -EINVAL;
    if (path)
        memset(path, 0, sizeof(*path));
    objr = object_r_index(p);
    ctx_copy(&q[0], a);
    ctx_copy(&q[1], b);
    if (!ctx_valid(p, &q[0], objr) || !ctx_valid(p, &q[1], objr))
        return -EINVAL;
    if (node_cmp(&q[0], &q[1]) == 0)
        return 1;
    rc = graph_build(&g, p, q, 2);
    if (rc < 0)
        return rc;
    na = find_node(&g, &q[0]);
    nb = find_node(&g, &q[1]);
    if (na == AN_NONE || nb == AN_NONE) {
        rc = -EINVAL;
        goto out;
    }
    bfs(&g, na, nb);
    rc = g.prev[nb] != AN_NONE;
    if (rc && path)
        take_path(&g, na, nb, path);
out:
    graph_free(&g);
    return rc;
}

/* Append to report; -ENOSPC when it does not fit. */
static int emit(char *buf, size_t len, size_t *off, const char *s)
{
    size_t n = strlen(s);

    if (!buf)
        return 0;
    if (*off + n + 1u > len)
        return -ENOSPC;
    memcpy(buf + *off, s, n + 1u);
    *off += n;
    return 0;
}

static int fmt_ctx(const struct policydb *p, const struct pdb_context *c, char *buf, size_t len)
{
    int rc = ss_context_format(p, c, buf, len);
    return rc < 0 ? rc : 0;
}

/* " -(class:perm w)-> CTX" for each step. */
static int path_inline(const struct policydb *p, const struct an_path *path, char *buf,
                       size_t len, size_t *off)
{
    char ctx[SS_CONTEXT_MAX], line[SS_CONTEXT_MAX + 2u * PDB_MAX_NAME + 32u];
    int rc;

    for (uint32_t i = 0; i < path->nsteps && i < AN_MAX_PATH; i++) {
        const struct an_step *s = &path->step[i];
        const struct pdb_class *c;
        int bit = s->perm ? lowest_bit(s->perm) : 0;

        if (s->tclass == 0 || s->tclass > p->nclasses)
            return -EINVAL;
        c = &p->classes[s->tclass];
        rc = fmt_ctx(p, &s->to, ctx, sizeof(ctx));
        if (rc < 0)
            return rc;
        snprintf(line, sizeof(line), " -(%s:%s %s)-> %s", c->name,
                 (uint32_t)bit < c->nperms ? c->perms[bit] : "?", s->read ? "r" : "w", ctx);
        rc = emit(buf, len, off, line);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/*
 * an_check_isolation — see policy/analyze.h. One search per tenant over one graph
 * (the universe includes every login context already). A "FLOW" line names the
 * shortest path inline: "via -(class:perm w|r)-> CTX ..." where w means the step's
 * source writes its target and r that the target reads the source.
 */
static bool level_eq(const struct pdb_level *a, const struct pdb_level *b)
{
    return a->sens == b->sens && memcmp(a->cats, b->cats, sizeof(a->cats)) == 0;
}

/* A tenant context is "at" lvl when its low and high level are both lvl. */
static bool ctx_at(const struct pdb_context *c, const struct pdb_level *lvl)
{
    return level_eq(&c->low, lvl) && level_eq(&c->high, lvl);
}

static int check_iso(const struct policydb *p, const struct pdb_level *lvl, char *report,
                     size_t len);

int an_check_isolation(const struct policydb *p, char *report, size_t len)
{
    return check_iso(p, NULL, report, len);
}

int an_check_isolation_of(const struct policydb *p, const struct pdb_level *lvl, char *report,
                          size_t len)
{
    if (!lvl)
        return -EINVAL;
    return check_iso(p, lvl, report, len);
}

static int check_iso(const struct policydb *p, const struct pdb_level *lvl, char *report,
                     size_t len)
{
    struct pdb_context *ten = NULL;
    uint32_t *tn = NULL, nten = 0, objr;
    struct an_graph g;
    struct an_path *path = NULL;
    size_t off = 0;
    int rc, flows = 0;

    if (!p || (report && len == 0))
        return -EINVAL;
    if (report)
        report[0] = '\0';
    rc = graph_build(&g, p, NULL, 0);
    if (rc < 0)
        return rc;
    objr = object_r_index(p);
    ten = calloc(p->nlogins + 1u, sizeof(*ten));
    tn = calloc(p->nlogins + 1u, sizeof(*tn));
    path = calloc(1, sizeof(*path));
    if (!ten || !tn || !path) {
        rc = -ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < p->nlogins; i++) {
        struct pdb_context c;
        bool dup = false;
        ctx_copy(&c, &p->logins[i].context);
        if (!ctx_valid(p, &c, objr)) {
            rc = -EINVAL;
            goto out;
        }
        if (g.tcb[c.type])
            continue;
        for (uint32_t j = 0; j < nten; j++)
            dup = dup || node_cmp(&ten[j], &c) == 0;
        if (dup)
            continue;
        tn[nten] = find_node(&g, &c);
        if (tn[nten] == AN_NONE) {
            rc = -EINVAL;
            goto out;
        }
        ten[nten++] = c;
    }
    if (lvl) {
        bool known = false;
        for (uint32_t i = 0; i < nten; i++)
            known = known || ctx_at(&ten[i], lvl);
        if (!known) {
            rc = -ENOENT;
            goto out;
        }
    }
    for (uint32_t i = 0; i < nten; i++) {
        bfs(&g, tn[i], AN_NONE);
        for (uint32_t j = 0; j < nten; j++) {
            char a[SS_CONTEXT_MAX], b[SS_CONTEXT_MAX];
            bool flow;
            if (i == j)
                continue;
            /* One tenant's claim: only the pairs with that tenant on one side. */
            if (lvl && ctx_at(&ten[i], lvl) == ctx_at(&ten[j], lvl))
                continue;
            flow = g.prev[tn[j]] != AN_NONE;
            flows += flow;
            if (!report)
                continue;
            rc = fmt_ctx(p, &ten[i], a, sizeof(a));
            if (rc == 0)
                rc = fmt_ctx(p, &ten[j], b, sizeof(b));
            if (rc == 0)
                rc = emit(report, len, &off, flow ? "FLOW      " : "isolated  ");
            if (rc == 0)
                rc = emit(report, len, &off, a);
            if (rc == 0)
                rc = emit(report, len, &off, " -> ");
            if (rc == 0)
                rc = emit(report, len, &off, b);
            if (rc == 0 && flow) {
                take_path(&g, tn[i], tn[j], path);
                rc = emit(report, len, &off, " via");
                if (rc == 0)
                    rc = path_inline(p, path, report, len, &off);
            }
            if (rc == 0)
                rc = emit(report, len, &off, "\n");
            if (rc < 0)
                goto out;
        }
    }
    rc = flows;
out:
    free(ten);
    free(tn);
    free(path);
    graph_free(&g);
    return rc;
}

/*
 * an_format_path — see policy/analyze.h. One line per step:
 *   "  FROM -> TO  (the former has class:perm on the latter)"   (write-like), or
 *   "  FROM -> TO  (the latter has class:perm on the former)"   (read-like).
 */
int an_format_path(const struct policydb *p, const struct an_path *path, char *buf, size_t len)
{
    char from[SS_CONTEXT_MAX], to[SS_CONTEXT_MAX];
    char line[2u * SS_CONTEXT_MAX + 2u * PDB_MAX_NAME + 64u];
    size_t off = 0;
    int rc;

    if (!p || !path || !buf || len == 0 || path->nsteps > AN_MAX_PATH)
        return -EINVAL;
    buf[0] = '\0';
    for (uint32_t i = 0; i < path->nsteps; i++) {
        const struct an_step *s = &path->step[i];
        const struct pdb_class *c;
        int bit;

        if (s->tclass == 0 || s->tclass > p->nclasses || s->perm == 0)
            return -EINVAL;
        c = &p->classes[s->tclass];
        bit = lowest_bit(s->perm);
        if ((uint32_t)bit >= c->nperms)
            return -EINVAL;
        rc = fmt_ctx(p, &s->from, from, sizeof(from));
        if (rc == 0)
            rc = fmt_ctx(p, &s->to, to, sizeof(to));
        if (rc < 0)
            return rc;
        if (s->read)
            snprintf(line, sizeof(line), "  %s -> %s  (the latter has %s:%s on the former)\n",
                     from, to, c->name, c->perms[bit]);
        else
            snprintf(line, sizeof(line), "  %s -> %s  (the former has %s:%s on the latter)\n",
                     from, to, c->name, c->perms[bit]);
        rc = emit(buf, len, &off, line);
        if (rc < 0)
            return rc;
    }
    return (int)off;
}
