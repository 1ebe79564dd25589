/* SPDX-License-Identifier: MIT */
/*
 * The policy compiler's semantic passes: statements (policy/compile_parse.h) -> struct
 * policydb (policy/policydb.h). API: policy/compile.h; language:
 * docs/policy-language.md.
 *
 * Pass 1 collects every declaration (types, attributes, classes, commons, roles,
 * users, booleans, sensitivities, categories, initial SIDs), so names may be used
 * before they are declared. Pass 2 resolves everything else in a fixed order:
 * class permissions, MLS (dominance, levels), type attributes, role types, users,
 * booleans and conditions, infoflow, rules (expanded to concrete types, sorted,
 * merged, type_transition conflicts found), neverallow (checked against every
 * expanded allow rule, both branches of conditionals), constraints, initial SID
 * contexts, logins. Contexts are validated as SELinux's policydb_context_isvalid()
 * and mls_context_isvalid() do. Semantic errors do not stop the pass; the caller
 * sees every error (up to POL_MAX_DIAGS kept).
 *
 * Pure: allocation only. Allocation failure unwinds through longjmp to
 * pol_compile(), which frees everything the compiler state owns.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"
#include "policy/compile_parse.h"

#define OBJECT_R 1u
#define COMPACT_AT (4u * 1024 * 1024)   /* raw rules before an intermediate merge */

enum { K_TYPE = 1, K_ATTR, K_OTHER };

struct sym {
    const char *name;
    uint32_t    idx;
    uint8_t     kind;
    uint32_t    line, col;
};

struct symtab {
    uint32_t    n, cap;       /* entries */
    struct sym *e;
    uint32_t    hcap;         /* power of two */
    uint32_t   *h;            /* 0 = empty, else entry index + 1 */
};

struct rres {                 /* a resolved rule statement */
    bool      ok;
    bool      self;
    uint64_t *src, *tgt;      /* type bitmaps, tw words */
    uint64_t  cls;            /* bit c = class c */
    uint32_t  perms[64];
    uint16_t  newtype;
};

struct rrule {
    struct pdb_avrule r;
    uint32_t          stmt;
};

struct cc {
    jmp_buf               jb;
    struct pol_diag      *d;
    const struct pol_ast *ast;
    struct policydb      *p;
    struct symtab         types, classes, commons, roles, users, bools, sens, cats, sids;
    uint32_t              tw;             /* words of a type bitmap */
    const char          **tnames;         /* type names by index */
    uint32_t             *sens_rank;      /* declaration idx -> dominance rank */
    uint64_t            (*allowed)[PDB_CAT_WORDS]; /* allowed cats per rank */
    const struct pol_stmt **class_av;     /* per class */
    const struct pol_stmt **commons_st;   /* per common */
    const struct pol_stmt **user_st;      /* per user */
    uint32_t             *cond_map;       /* parse cond -> 1 + pdb cond (0: bad) */
    struct rres          *rr;             /* per statement */
    struct rrule         *rules;
    size_t                nrules, caprules;
    bool                  too_many_rules;
    uint32_t              capsets;
    uint32_t              ctx_errors;
};

static __attribute__((noreturn)) void oom(struct cc *c)
{
    longjmp(c->jb, 1);
}

static void *xcalloc(struct cc *c, size_t n, size_t sz)
{
    void *r = calloc(n ? n : 1, sz ? sz : 1);
    if (!r)
        oom(c);
    return r;
}

static char *xstrdup(struct cc *c, const char *s)
{
    char *r = strdup(s);
    if (!r)
        oom(c);
    return r;
}

#define ERR(c, line, col, ...) pol_diag_add((c)->d, (line), (col), __VA_ARGS__)
#define ERR_ID(c, id, ...)     pol_diag_add((c)->d, (id).line, (id).col, __VA_ARGS__)

/* ---- symbol tables ---- */

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;
    while (*s)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static struct sym *sym_get(const struct symtab *t, const char *name)
{
    if (!t->hcap)
        return NULL;
    for (uint32_t i = hash(name) & (t->hcap - 1), k = 0; k < t->hcap; k++, i = (i + 1) & (t->hcap - 1)) {
        if (!t->h[i])
            return NULL;
        struct sym *s = &t->e[t->h[i] - 1];
        if (strcmp(s->name, name) == 0)
            return s;
    }
    return NULL;
}

static void sym_rehash(struct cc *c, struct symtab *t, uint32_t hcap)
{
    uint32_t *h = xcalloc(c, hcap, sizeof(*h));
    for (uint32_t j = 0; j < t->n; j++) {
        uint32_t i = hash(t->e[j].name) & (hcap - 1);
        while (h[i])
            i = (i + 1) & (hcap - 1);
        h[i] = j + 1;
    }
    free(t->h);
    t->h = h;
    t->hcap = hcap;
}

/* Add a symbol (caller checked it is absent). */
static struct sym *sym_add(struct cc *c, struct symtab *t, const struct pol_id *id, uint8_t kind, uint32_t idx)
{
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 64;
        struct sym *ne = realloc(t->e, (size_t)nc * sizeof(*ne));
        if (!ne)
            oom(c);
        t->e = ne;
        t->cap = nc;
    }
    struct sym *s = &t->e[t->n++];
    *s = (struct sym){ .name = id->s, .idx = idx, .kind = kind, .line = id->line, .col = id->col };
    if ((uint64_t)t->n * 2 > t->hcap)
        sym_rehash(c, t, t->hcap ? t->hcap * 2 : 128);
    else {
        uint32_t i = hash(s->name) & (t->hcap - 1);
        while (t->h[i])
            i = (i + 1) & (t->hcap - 1);
        t->h[i] = t->n;
    }
    return s;
}

static void sym_free(struct symtab *t)
{
    free(t->e);
    free(t->h);
}

/* ---- bitmaps ---- */

static inline void bm_set(uint64_t *b, uint32_t i) { b[i / 64] |= 1ull << (i % 64); }
static inline bool bm_has(const uint64_t *b, uint32_t i) { return (b[i / 64] >> (i % 64)) & 1u; }

static void bitmap_out(struct cc *c, struct pdb_bitmap *out, const uint64_t *src, uint32_t nbits)
{
    uint32_t nw = (nbits + 63) / 64;
    out->nbits = nbits;
    out->words = xcalloc(c, nw, sizeof(uint64_t));
    if (src)
        memcpy(out->words, src, nw * sizeof(uint64_t));
}

static void perms_str(const struct pdb_class *k, uint32_t perms, char *buf, size_t len)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < k->nperms; i++)
        n += (perms >> i) & 1u;
    size_t o = 0;
    buf[0] = '\0';
    if (n != 1)
        o += (size_t)snprintf(buf + o, len - o, "{");
    for (uint32_t i = 0; i < k->nperms && o < len; i++)
        if ((perms >> i) & 1u)
            o += (size_t)snprintf(buf + o, len - o, "%s%s", n != 1 ? " " : "", k->perms[i]);
    if (n != 1 && o < len)
        snprintf(buf + o, len - o, " }");
}

/* ---- pass 1: declarations ---- */

static void declare(struct cc *c, struct symtab *t, const struct pol_id *id, const char *what,
                    uint32_t *count, uint32_t max)
{
    struct sym *old = sym_get(t, id->s);
    if (old) {
        ERR_ID(c, *id, "%s '%s' declared twice (first at %u:%u)", what, id->s, old->line, old->col);
        return;
    }
    if (*count >= max) {
        ERR_ID(c, *id, "too many %ss (max %u)", what, max);
        return;
    }
    sym_add(c, t, id, K_OTHER, ++*count);
}

static void pass1(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    uint32_t ncommons = 0, nsids = 0, ntypes = 0, nattrs = 0, tcap = 0;

    struct pol_id objr = { .s = "object_r", .line = 0, .col = 0 };
    sym_add(c, &c->roles, &objr, K_OTHER, OBJECT_R);
    p->nroles = 1;

    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        switch (s->kind) {
        case ST_TYPE:
        case ST_ATTRIBUTE: {
            bool is_type = s->kind == ST_TYPE;
            struct sym *old = sym_get(&c->types, s->name.s);
            if (!strcmp(s->name.s, "self")) {
                ERR_ID(c, s->name, "'self' is reserved and cannot be declared");
            } else if (old) {
                if (old->kind == (is_type ? K_TYPE : K_ATTR))
                    ERR_ID(c, s->name, "%s '%s' declared twice (first at %u:%u)", is_type ? "type" : "attribute",
                           s->name.s, old->line, old->col);
                else
                    ERR_ID(c, s->name, "'%s' is already declared as %s (at %u:%u)", s->name.s,
                           old->kind == K_TYPE ? "a type" : "an attribute", old->line, old->col);
            } else if (is_type) {
                if (ntypes >= PDB_MAX_TYPES) {
                    ERR_ID(c, s->name, "too many types (max %u)", PDB_MAX_TYPES);
                    break;
                }
                sym_add(c, &c->types, &s->name, K_TYPE, ++ntypes);
                if (ntypes >= tcap) {
                    tcap = tcap ? tcap * 2 : 256;
                    const char **nt = realloc(c->tnames, (size_t)(tcap + 1) * sizeof(*nt));
                    if (!nt)
                        oom(c);
                    c->tnames = nt;
                }
                c->tnames[ntypes] = s->name.s;
            } else {
                if (nattrs >= PDB_MAX_ATTRS) {
                    ERR_ID(c, s->name, "too many attributes (max %u)", PDB_MAX_ATTRS);
                    break;
                }
                sym_add(c, &c->types, &s->name, K_ATTR, nattrs++);
            }
            break;
        }
        case ST_CLASS_DECL:
            declare(c, &c->classes, &s->name, "class", &p->nclasses, PDB_MAX_CLASSES);
            break;
        case ST_COMMON:
            declare(c, &c->commons, &s->name, "common", &ncommons, 1024);
            break;
        case ST_SID_DECL:
            declare(c, &c->sids, &s->name, "initial sid", &nsids, PDB_MAX_ISIDS);
            break;
        case ST_SENS:
            declare(c, &c->sens, &s->name, "sensitivity", &p->nsens, PDB_MAX_SENS);
            break;
        case ST_CATEGORY:
            declare(c, &c->cats, &s->name, "category", &p->ncats, PDB_MAX_CATS);
            break;
        case ST_BOOL:
            declare(c, &c->bools, &s->name, "boolean", &p->nbools, PDB_MAX_BOOLS);
            break;
        case ST_USER:
            declare(c, &c->users, &s->name, "user", &p->nusers, PDB_MAX_USERS);
            break;
        case ST_ROLE:
            if (!sym_get(&c->roles, s->name.s)) {
                if (p->nroles >= PDB_MAX_ROLES)
                    ERR_ID(c, s->name, "too many roles (max %u)", PDB_MAX_ROLES);
                else
                    sym_add(c, &c->roles, &s->name, K_OTHER, ++p->nroles);
            }
            break;
        default:
            break;
        }
    }
    p->ntypes = ntypes;
    p->nattrs = nattrs;
    c->tw = (ntypes + 1 + 63) / 64;

    /* index -> statement/name tables */
    p->types = xcalloc(c, (size_t)ntypes + 1, sizeof(char *));
    for (uint32_t i = 1; i <= ntypes; i++)
        p->types[i] = xstrdup(c, c->tnames[i]);
    p->attrs = xcalloc(c, nattrs, sizeof(*p->attrs));
    p->classes = xcalloc(c, (size_t)p->nclasses + 1, sizeof(*p->classes));
    p->roles = xcalloc(c, (size_t)p->nroles + 1, sizeof(*p->roles));
    p->users = xcalloc(c, (size_t)p->nusers + 1, sizeof(*p->users));
    p->bools = xcalloc(c, (size_t)p->nbools + 1, sizeof(*p->bools));
    p->sens = xcalloc(c, (size_t)p->nsens + 1, sizeof(char *));
    p->cats = xcalloc(c, p->ncats, sizeof(char *));
    p->isids = xcalloc(c, nsids, sizeof(*p->isids));
    p->nisids = nsids;
    c->class_av = xcalloc(c, (size_t)p->nclasses + 1, sizeof(*c->class_av));
    c->commons_st = xcalloc(c, (size_t)ncommons + 1, sizeof(*c->commons_st));
    c->user_st = xcalloc(c, (size_t)p->nusers + 1, sizeof(*c->user_st));
    c->sens_rank = xcalloc(c, (size_t)p->nsens + 1, sizeof(uint32_t));
    c->allowed = xcalloc(c, (size_t)p->nsens + 1, sizeof(*c->allowed));
    for (uint32_t i = 0; i < c->types.n; i++) {
        const struct sym *s = &c->types.e[i];
        if (s->kind == K_ATTR) {
            p->attrs[s->idx].name = xstrdup(c, s->name);
            bitmap_out(c, &p->attrs[s->idx].types, NULL, ntypes + 1);
        }
    }
    for (uint32_t i = 0; i < c->classes.n; i++)
        p->classes[c->classes.e[i].idx].name = xstrdup(c, c->classes.e[i].name);
    for (uint32_t i = 0; i < c->roles.n; i++) {
        p->roles[c->roles.e[i].idx].name = xstrdup(c, c->roles.e[i].name);
        bitmap_out(c, &p->roles[c->roles.e[i].idx].types, NULL, ntypes + 1);
    }
    for (uint32_t i = 0; i < c->users.n; i++) {
        p->users[c->users.e[i].idx].name = xstrdup(c, c->users.e[i].name);
        bitmap_out(c, &p->users[c->users.e[i].idx].roles, NULL, p->nroles + 1);
    }
    for (uint32_t i = 0; i < c->cats.n; i++)
        p->cats[c->cats.e[i].idx - 1] = xstrdup(c, c->cats.e[i].name);
    for (uint32_t i = 0; i < c->sids.n; i++)
        p->isids[c->sids.e[i].idx - 1].name = xstrdup(c, c->sids.e[i].name);
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        const struct sym *y;
        if (s->kind == ST_COMMON && (y = sym_get(&c->commons, s->name.s)) && y->line == s->name.line &&
            y->col == s->name.col)
            c->commons_st[y->idx] = s;
        if (s->kind == ST_USER && (y = sym_get(&c->users, s->name.s)) && y->line == s->name.line &&
            y->col == s->name.col)
            c->user_st[y->idx] = s;
        if (s->kind == ST_BOOL && (y = sym_get(&c->bools, s->name.s)) && y->line == s->name.line &&
            y->col == s->name.col) {
            p->bools[y->idx].name = xstrdup(c, s->name.s);
            p->bools[y->idx].dflt = s->bval;
        }
    }
}

/* ---- pass 2 ---- */

static void add_perm(struct cc *c, struct pdb_class *k, const struct pol_id *id, bool *over)
{
    if (pdb_perm_index(k, id->s) >= 0) {
        ERR_ID(c, *id, "permission '%s' defined twice in class '%s'", id->s, k->name);
        return;
    }
    if (k->nperms >= PDB_MAX_PERMS) {
        if (!*over)
            ERR_ID(c, *id, "class '%s' has more than %u permissions", k->name, PDB_MAX_PERMS);
        *over = true;
        return;
    }
    k->perms[k->nperms++] = xstrdup(c, id->s);
}

static void do_classes(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind == ST_COMMON) {
            struct pdb_class tmp = { .name = (char *)s->name.s };
            for (uint32_t j = 0; j < s->s1->n; j++) {
                const struct pol_id *id = &s->s1->items[j].id;
                if (pdb_perm_index(&tmp, id->s) >= 0)
                    ERR_ID(c, *id, "permission '%s' defined twice in common '%s'", id->s, s->name.s);
                else if (tmp.nperms < PDB_MAX_PERMS)
                    tmp.perms[tmp.nperms++] = (char *)id->s;
                else {
                    ERR_ID(c, *id, "common '%s' has more than %u permissions", s->name.s, PDB_MAX_PERMS);
                    break;
                }
            }
            continue;
        }
        if (s->kind != ST_CLASS_AV)
            continue;
        struct sym *y = sym_get(&c->classes, s->name.s);
        if (!y) {
            ERR_ID(c, s->name, "access vectors for undeclared class '%s'", s->name.s);
            continue;
        }
        if (c->class_av[y->idx]) {
            ERR_ID(c, s->name, "access vectors for class '%s' defined twice (first at %u:%u)", s->name.s,
                   c->class_av[y->idx]->name.line, c->class_av[y->idx]->name.col);
            continue;
        }
        c->class_av[y->idx] = s;
        struct pdb_class *k = &c->p->classes[y->idx];
        bool over = false;
        if (s->name2.s) {
            struct sym *cm = sym_get(&c->commons, s->name2.s);
            if (!cm) {
                ERR_ID(c, s->name2, "unknown common '%s'", s->name2.s);
            } else if (c->commons_st[cm->idx]) {
                const struct pol_set *ps = c->commons_st[cm->idx]->s1;
                for (uint32_t j = 0; j < ps->n && !over; j++) {
                    if (pdb_perm_index(k, ps->items[j].id.s) < 0)
                        add_perm(c, k, &ps->items[j].id, &over);
                }
            }
        }
        for (uint32_t j = 0; s->s1 && j < s->s1->n; j++)
            add_perm(c, k, &s->s1->items[j].id, &over);
    }
}

static bool resolve_level(struct cc *c, const struct pol_level *l, struct pdb_level *out, bool check_allowed)
{
    memset(out, 0, sizeof(*out));
    struct sym *s = sym_get(&c->sens, l->sens.s);
    if (!s) {
        ERR_ID(c, l->sens, "unknown sensitivity '%s'", l->sens.s);
        return false;
    }
    uint32_t rank = c->sens_rank[s->idx];
    if (!rank)
        return false;   /* reported at the sensitivity */
    out->sens = (uint16_t)rank;
    bool ok = true;
    for (uint32_t i = 0; i < l->ncats; i++) {
        const struct pol_catitem *it = &l->cats[i];
        struct sym *lo = sym_get(&c->cats, it->lo.s), *hi = it->hi.s ? sym_get(&c->cats, it->hi.s) : lo;
        if (!lo) {
            ERR_ID(c, it->lo, "unknown category '%s'", it->lo.s);
            ok = false;
            continue;
        }
        if (!hi) {
            ERR_ID(c, it->hi, "unknown category '%s'", it->hi.s);
            ok = false;
            continue;
        }
        if (hi->idx < lo->idx) {
            ERR_ID(c, it->lo, "category range '%s.%s' is reversed", it->lo.s, it->hi.s);
            ok = false;
            continue;
        }
        for (uint32_t k = lo->idx - 1; k <= hi->idx - 1; k++) {
            if (check_allowed && !bm_has(c->allowed[rank], k)) {
                ERR_ID(c, it->lo, "category '%s' is not allowed at sensitivity '%s'", c->p->cats[k], l->sens.s);
                ok = false;
                break;
            }
            bm_set(out->cats, k);
        }
    }
    return ok;
}

static bool lvl_dom(const struct pdb_level *a, const struct pdb_level *b)
{
    if (a->sens < b->sens)
        return false;
    for (uint32_t i = 0; i < PDB_CAT_WORDS; i++)
        if ((a->cats[i] & b->cats[i]) != b->cats[i])
            return false;
    return true;
}

static void do_mls(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    const struct pol_stmt *dom = NULL;
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind != ST_DOMINANCE)
            continue;
        if (dom) {
            ERR(c, s->line, s->col, "dominance declared twice (first at %u:%u)", dom->line, dom->col);
            continue;
        }
        dom = s;
        uint32_t rank = 0;
        for (uint32_t j = 0; j < s->s1->n; j++) {
            const struct pol_id *id = &s->s1->items[j].id;
            struct sym *y = sym_get(&c->sens, id->s);
            if (!y) {
                ERR_ID(c, *id, "unknown sensitivity '%s'", id->s);
            } else if (c->sens_rank[y->idx]) {
                ERR_ID(c, *id, "sensitivity '%s' listed twice in dominance", id->s);
            } else {
                c->sens_rank[y->idx] = ++rank;
                p->sens[rank] = xstrdup(c, id->s);
            }
        }
    }
    for (uint32_t i = 0; i < c->sens.n; i++) {
        const struct sym *y = &c->sens.e[i];
        if (!c->sens_rank[y->idx])
            ERR(c, y->line, y->col, "sensitivity '%s' is not in the dominance statement", y->name);
    }
    /* fill holes so that the policydb stays well-formed even with errors */
    for (uint32_t r = 1; r <= p->nsens; r++)
        if (!p->sens[r])
            p->sens[r] = xstrdup(c, "s_unranked");
    const struct pol_stmt **lvl_st = xcalloc(c, (size_t)p->nsens + 1, sizeof(*lvl_st));
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind != ST_LEVEL)
            continue;
        struct pdb_level l;
        if (!resolve_level(c, s->lvl, &l, false))
            continue;
        if (lvl_st[l.sens]) {
            ERR_ID(c, s->lvl->sens, "level for sensitivity '%s' defined twice (first at %u:%u)", s->lvl->sens.s,
                   lvl_st[l.sens]->line, lvl_st[l.sens]->col);
            continue;
        }
        lvl_st[l.sens] = s;
        memcpy(c->allowed[l.sens], l.cats, sizeof(l.cats));
    }
    free(lvl_st);
}

static struct sym *type_or_attr(struct cc *c, const struct pol_id *id)
{
    struct sym *y = sym_get(&c->types, id->s);
    if (!y)
        ERR_ID(c, *id, "unknown type or attribute '%s'", id->s);
    return y;
}

static uint32_t lookup_type(struct cc *c, const struct pol_id *id)
{
    struct sym *y = sym_get(&c->types, id->s);
    if (!y) {
        ERR_ID(c, *id, "unknown type '%s'", id->s);
        return 0;
    }
    if (y->kind != K_TYPE) {
        ERR_ID(c, *id, "'%s' is an attribute, not a type", id->s);
        return 0;
    }
    return y->idx;
}

static void attr_add(struct cc *c, uint32_t type, const struct pol_id *id)
{
    struct sym *y = sym_get(&c->types, id->s);
    if (!y)
        ERR_ID(c, *id, "unknown attribute '%s'", id->s);
    else if (y->kind != K_ATTR)
        ERR_ID(c, *id, "'%s' is a type, not an attribute", id->s);
    else if (type)
        bm_set(c->p->attrs[y->idx].types.words, type);
}

static void do_attrs(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind == ST_TYPE && s->s1) {
            struct sym *y = sym_get(&c->types, s->name.s);
            uint32_t t = y && y->kind == K_TYPE ? y->idx : 0;
            for (uint32_t j = 0; j < s->s1->n; j++)
                attr_add(c, t, &s->s1->items[j].id);
        } else if (s->kind == ST_TYPEATTRIBUTE) {
            uint32_t t = lookup_type(c, &s->name);
            for (uint32_t j = 0; j < s->s1->n; j++)
                attr_add(c, t, &s->s1->items[j].id);
        }
    }
}

/* Type set -> bitmap (tw words, bit 0 never set). Returns false on errors. */
static bool resolve_tset(struct cc *c, const struct pol_set *s, bool allow_self, uint64_t *bm, bool *self)
{
    uint32_t tw = c->tw;
    uint64_t *neg = xcalloc(c, tw, sizeof(uint64_t));
    bool ok = true;
    memset(bm, 0, tw * sizeof(uint64_t));
    if (self)
        *self = false;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct pol_setitem *it = &s->items[i];
        uint64_t *dst = it->neg ? neg : bm;
        if (!strcmp(it->id.s, "self")) {
            if (!allow_self || it->neg || s->compl) {
                ERR_ID(c, it->id, "'self' is only allowed as a target type");
                ok = false;
            } else {
                *self = true;
            }
            continue;
        }
        struct sym *y = type_or_attr(c, &it->id);
        if (!y) {
            ok = false;
        } else if (y->kind == K_TYPE) {
            bm_set(dst, y->idx);
        } else {
            const uint64_t *ab = c->p->attrs[y->idx].types.words;
            for (uint32_t w = 0; w < tw; w++)
                dst[w] |= ab[w];
        }
    }
    if (s->star)
        for (uint32_t t = 1; t <= c->p->ntypes; t++)
            bm_set(bm, t);
    for (uint32_t w = 0; w < tw; w++)
        bm[w] &= ~neg[w];
    if (s->compl) {
        for (uint32_t w = 0; w < tw; w++)
            bm[w] = ~bm[w];
        bm[0] &= ~1ull;
        if ((c->p->ntypes + 1) % 64)
            bm[tw - 1] &= (1ull << ((c->p->ntypes + 1) % 64)) - 1;
    }
    free(neg);
    return ok;
}

static bool resolve_classes(struct cc *c, const struct pol_set *s, uint64_t *out)
{
    uint64_t pos = 0, negm = 0, all = 0;
    bool ok = true;
    for (uint32_t k = 1; k <= c->p->nclasses; k++)
        all |= 1ull << k;
    for (uint32_t i = 0; i < s->n; i++) {
        struct sym *y = sym_get(&c->classes, s->items[i].id.s);
        if (!y) {
            ERR_ID(c, s->items[i].id, "unknown class '%s'", s->items[i].id.s);
            ok = false;
            continue;
        }
        if (s->items[i].neg)
            negm |= 1ull << y->idx;
        else
            pos |= 1ull << y->idx;
    }
    if (s->star)
        pos = all;
    pos &= ~negm;
    if (s->compl)
        pos = all & ~pos;
    *out = pos;
    return ok;
}

/* Permission set for every class in cls; each named permission must exist in every class. */
static bool resolve_perms(struct cc *c, const struct pol_set *s, uint64_t cls, uint32_t perms[64])
{
    bool ok = true;
    for (uint32_t k = 1; k <= c->p->nclasses; k++) {
        perms[k] = 0;
        if (!((cls >> k) & 1u))
            continue;
        const struct pdb_class *kl = &c->p->classes[k];
        uint32_t all = kl->nperms >= 32 ? 0xffffffffu : (1u << kl->nperms) - 1;
        uint32_t pos = 0, negm = 0;
        for (uint32_t i = 0; i < s->n; i++) {
            int b = pdb_perm_index(kl, s->items[i].id.s);
            if (b < 0) {
                ERR_ID(c, s->items[i].id, "permission '%s' is not defined for class '%s'", s->items[i].id.s, kl->name);
                ok = false;
                continue;
            }
            if (s->items[i].neg)
                negm |= 1u << b;
            else
                pos |= 1u << b;
        }
        if (s->star)
            pos = all;
        pos &= ~negm;
        if (s->compl)
            pos = all & ~pos;
        perms[k] = pos;
    }
    return ok;
}

static void do_roles(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    uint64_t *bm = xcalloc(c, c->tw, sizeof(uint64_t));
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind != ST_ROLE || !s->s1)
            continue;
        struct sym *y = sym_get(&c->roles, s->name.s);
        if (!y || !resolve_tset(c, s->s1, false, bm, NULL))
            continue;
        uint64_t *rb = c->p->roles[y->idx].types.words;
        for (uint32_t w = 0; w < c->tw; w++)
            rb[w] |= bm[w];
    }
    free(bm);
}

static void do_users(struct cc *c)
{
    struct policydb *p = c->p;
    for (uint32_t u = 1; u <= p->nusers; u++) {
        const struct pol_stmt *s = c->user_st[u];
        struct pdb_user *pu = &p->users[u];
        if (!s)
            continue;
        for (uint32_t j = 0; j < s->s1->n; j++) {
            struct sym *y = sym_get(&c->roles, s->s1->items[j].id.s);
            if (!y)
                ERR_ID(c, s->s1->items[j].id, "unknown role '%s'", s->s1->items[j].id.s);
            else
                bm_set(pu->roles.words, y->idx);
        }
        bool ok = resolve_level(c, s->lvl, &pu->dfl, true);
        ok &= resolve_level(c, s->lvl2, &pu->range_low, true);
        if (s->lvl3 != s->lvl2)
            ok &= resolve_level(c, s->lvl3, &pu->range_high, true);
        else
            pu->range_high = pu->range_low;
        if (!ok)
            goto bad;
        if (!lvl_dom(&pu->range_high, &pu->range_low)) {
            ERR_ID(c, s->lvl3->sens, "range of user '%s': high level does not dominate low level", s->name.s);
            goto bad;
        }
        if (!lvl_dom(&pu->dfl, &pu->range_low) || !lvl_dom(&pu->range_high, &pu->dfl)) {
            ERR_ID(c, s->lvl->sens, "default level of user '%s' is not within its range", s->name.s);
            goto bad;
        }
        continue;
bad:    /* keep the policydb well-formed: a single lowest level */
        memset(&pu->dfl, 0, sizeof(pu->dfl));
        pu->dfl.sens = 1;
        pu->range_low = pu->range_high = pu->dfl;
    }
    for (uint32_t u = 1; u <= p->nusers; u++)
        if (!c->user_st[u]) {
            p->users[u].dfl.sens = 1;
            p->users[u].range_low = p->users[u].range_high = p->users[u].dfl;
        }
}

static void do_conds(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    c->cond_map = xcalloc(c, (size_t)a->nconds + 1, sizeof(uint32_t));
    p->conds = xcalloc(c, a->nconds, sizeof(*p->conds));
    for (uint32_t i = 0; i < a->nconds; i++) {
        const struct pol_condexpr *e = &a->conds[i];
        struct pdb_cond d = { .nexpr = e->n };
        bool ok = true;
        for (uint32_t j = 0; j < e->n; j++) {
            d.expr[j].op = e->node[j].op;
            if (e->node[j].op == PDB_CEXPR_BOOL) {
                struct sym *y = sym_get(&c->bools, e->node[j].id.s);
                if (!y) {
                    ERR_ID(c, e->node[j].id, "unknown boolean '%s'", e->node[j].id.s);
                    ok = false;
                } else {
                    d.expr[j].boolidx = (uint16_t)y->idx;
                }
            }
        }
        if (!ok)
            continue;
        uint32_t k;
        for (k = 0; k < p->nconds; k++)
            if (p->conds[k].nexpr == d.nexpr && !memcmp(p->conds[k].expr, d.expr, d.nexpr * sizeof(d.expr[0])))
                break;
        if (k == p->nconds) {
            if (p->nconds >= PDB_MAX_CONDS) {
                ERR(c, e->line, e->col, "too many distinct conditionals (max %u)", PDB_MAX_CONDS);
                continue;
            }
            p->conds[p->nconds++] = d;
        }
        c->cond_map[i + 1] = k + 1;
    }
}

static void do_misc(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    const struct pol_stmt *hu = NULL;
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind == ST_HANDLE_UNKNOWN) {
            if (hu) {
                ERR(c, s->line, s->col, "handle_unknown declared twice (first at %u:%u)", hu->line, hu->col);
                continue;
            }
            hu = s;
            p->handle_unknown = !strcmp(s->name2.s, "allow") ? PDB_UNKNOWN_ALLOW : PDB_UNKNOWN_DENY;
        } else if (s->kind == ST_INFOFLOW) {
            struct sym *y = sym_get(&c->classes, s->name.s);
            if (!y) {
                ERR_ID(c, s->name, "unknown class '%s'", s->name.s);
                continue;
            }
            uint32_t perms[64];
            if (!resolve_perms(c, s->s1, 1ull << y->idx, perms))
                continue;
            if (strcmp(s->name2.s, "write"))
                p->classes[y->idx].read_mask |= perms[y->idx];
            if (strcmp(s->name2.s, "read"))
                p->classes[y->idx].write_mask |= perms[y->idx];
        }
    }
}

/* ---- rules ---- */

static int rrule_cmp(const void *x, const void *y)
{
    const struct rrule *a = x, *b = y;
#define CMPF(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    CMPF(r.stype); CMPF(r.ttype); CMPF(r.tclass); CMPF(r.kind); CMPF(r.cond); CMPF(r.branch); CMPF(stmt);
#undef CMPF
    return 0;
}

static void merge_rules(struct cc *c)
{
    if (!c->nrules)
        return;
    qsort(c->rules, c->nrules, sizeof(*c->rules), rrule_cmp);
    size_t o = 0;
    for (size_t i = 1; i < c->nrules; i++) {
        struct rrule *w = &c->rules[o], *r = &c->rules[i];
        if (w->r.stype == r->r.stype && w->r.ttype == r->r.ttype && w->r.tclass == r->r.tclass &&
            w->r.kind == r->r.kind && w->r.cond == r->r.cond && w->r.branch == r->r.branch) {
            if (w->r.kind != PDB_AV_TRANSITION) {
                w->r.data |= r->r.data;
            } else if (w->r.data != r->r.data) {
                const struct pol_stmt *s1 = &c->ast->stmts[w->stmt], *s2 = &c->ast->stmts[r->stmt];
                ERR(c, s2->line, s2->col,
                    "conflicting type_transition for %s %s : %s: '%s' here, '%s' at %u:%u", c->p->types[r->r.stype],
                    c->p->types[r->r.ttype], c->p->classes[r->r.tclass].name, c->p->types[r->r.data],
                    c->p->types[w->r.data], s1->line, s1->col);
            }
            continue;
        }
        c->rules[++o] = *r;
    }
    c->nrules = o + 1;
}

static void push_rule(struct cc *c, uint16_t s, uint16_t t, uint16_t k, uint8_t kind, uint16_t cond,
                      uint8_t branch, uint32_t data, uint32_t stmt)
{
    if (c->too_many_rules)
        return;
    if (c->nrules == c->caprules) {
        if (c->caprules >= COMPACT_AT) {
            merge_rules(c);
            if (c->nrules > PDB_MAX_AVRULES) {
                const struct pol_stmt *st = &c->ast->stmts[stmt];
                ERR(c, st->line, st->col, "too many access vector rules after expansion (max %u)", PDB_MAX_AVRULES);
                c->too_many_rules = true;
                return;
            }
        }
        if (c->nrules == c->caprules) {
            size_t nc = c->caprules ? c->caprules * 2 : 1024;
            struct rrule *nr = realloc(c->rules, nc * sizeof(*nr));
            if (!nr)
                oom(c);
            c->rules = nr;
            c->caprules = nc;
        }
    }
    struct rrule *r = &c->rules[c->nrules++];
    memset(r, 0, sizeof(*r));
    r->r.stype = s;
    r->r.ttype = t;
    r->r.tclass = k;
    r->r.kind = kind;
    r->r.cond = cond;
    r->r.branch = branch;
    r->r.data = data;
    r->stmt = stmt;
}

static bool is_rule(const struct pol_stmt *s)
{
    return s->kind == ST_ALLOW || s->kind == ST_DONTAUDIT || s->kind == ST_NEVERALLOW || s->kind == ST_TRANSITION;
}

static void resolve_rule(struct cc *c, const struct pol_stmt *s, struct rres *r)
{
    r->src = xcalloc(c, c->tw, sizeof(uint64_t));
    r->tgt = xcalloc(c, c->tw, sizeof(uint64_t));
    bool ok = resolve_tset(c, s->s1, false, r->src, NULL);
    ok &= resolve_tset(c, s->s2, true, r->tgt, &r->self);
    ok &= resolve_classes(c, s->s3, &r->cls);
    if (s->kind == ST_TRANSITION) {
        r->newtype = (uint16_t)lookup_type(c, &s->name2);
        ok &= r->newtype != 0;
    } else {
        ok &= resolve_perms(c, s->s4, r->cls, r->perms);
    }
    if (s->cond && !c->cond_map[s->cond])
        ok = false;
    r->ok = ok;
}

static void expand_rule(struct cc *c, const struct pol_stmt *s, const struct rres *r, uint32_t stmt)
{
    uint8_t kind = s->kind == ST_ALLOW ? PDB_AV_ALLOW : s->kind == ST_DONTAUDIT ? PDB_AV_DONTAUDIT : PDB_AV_TRANSITION;
    uint16_t cond = s->cond ? (uint16_t)c->cond_map[s->cond] : 0;
    uint8_t branch = s->cond ? s->branch : 0;
    const struct policydb *p = c->p;
    for (uint32_t st = 1; st <= p->ntypes && !c->too_many_rules; st++) {
        if (!bm_has(r->src, st))
            continue;
        for (uint32_t tt = 1; tt <= p->ntypes && !c->too_many_rules; tt++) {
            if (!bm_has(r->tgt, tt) && !(r->self && tt == st))
                continue;
            for (uint32_t k = 1; k <= p->nclasses; k++) {
                if (!((r->cls >> k) & 1u))
                    continue;
                uint32_t data = kind == PDB_AV_TRANSITION ? r->newtype : r->perms[k];
                if (data)
                    push_rule(c, (uint16_t)st, (uint16_t)tt, (uint16_t)k, kind, cond, branch, data, stmt);
            }
        }
    }
}

static bool covers(const struct rres *r, uint32_t s, uint32_t t, uint32_t k)
{
    return r->ok && bm_has(r->src, s) && (bm_has(r->tgt, t) || (r->self && s == t)) && ((r->cls >> k) & 1u);
}

static void check_neverallow(struct cc *c, const struct pol_stmt *nv, const struct rres *nr)
{
    const struct pol_ast *a = c->ast;
    const struct policydb *p = c->p;
    for (size_t i = 0; i < c->nrules; i++) {
        const struct pdb_avrule *r = &c->rules[i].r;
        if (r->kind != PDB_AV_ALLOW || !covers(nr, r->stype, r->ttype, r->tclass))
            continue;
        uint32_t bad = r->data & nr->perms[r->tclass];
        if (!bad)
            continue;
        /* the first allow statement that grants part of it */
        const struct pol_stmt *by = NULL;
        for (uint32_t j = 0; j < a->nstmts && !by; j++)
            if (a->stmts[j].kind == ST_ALLOW && covers(&c->rr[j], r->stype, r->ttype, r->tclass) &&
                (c->rr[j].perms[r->tclass] & bad))
                by = &a->stmts[j];
        char perms[512];
        perms_str(&p->classes[r->tclass], bad, perms, sizeof(perms));
        ERR(c, by ? by->line : nv->line, by ? by->col : nv->col, "neverallow violated: allow %s %s : %s %s (neverallow at %u:%u)",
            p->types[r->stype], p->types[r->ttype], p->classes[r->tclass].name, perms, nv->line, nv->col);
        if (c->d->total > 4 * POL_MAX_DIAGS)
            return;
    }
}

static void do_rules(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    c->rr = xcalloc(c, a->nstmts, sizeof(*c->rr));
    for (uint32_t i = 0; i < a->nstmts; i++)
        if (is_rule(&a->stmts[i]))
            resolve_rule(c, &a->stmts[i], &c->rr[i]);
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (is_rule(s) && s->kind != ST_NEVERALLOW && c->rr[i].ok)
            expand_rule(c, s, &c->rr[i], i);
    }
    merge_rules(c);
    if (c->nrules > PDB_MAX_AVRULES && !c->too_many_rules) {
        ERR(c, 1, 1, "too many access vector rules after expansion (%zu, max %u)", c->nrules, PDB_MAX_AVRULES);
        c->too_many_rules = true;
    }
    for (uint32_t i = 0; i < a->nstmts; i++)
        if (a->stmts[i].kind == ST_NEVERALLOW && c->rr[i].ok)
            check_neverallow(c, &a->stmts[i], &c->rr[i]);
    if (c->too_many_rules)
        return;
    p->avrules = xcalloc(c, c->nrules, sizeof(*p->avrules));
    for (size_t i = 0; i < c->nrules; i++)
        p->avrules[i] = c->rules[i].r;
    p->navrules = (uint32_t)c->nrules;
}

/* ---- constraints ---- */

static uint32_t add_set(struct cc *c, const uint64_t *bm, uint32_t nbits)
{
    struct policydb *p = c->p;
    if (p->nsets == c->capsets) {
        uint32_t nc = c->capsets ? c->capsets * 2 : 16;
        struct pdb_bitmap *ns = realloc(p->sets, (size_t)nc * sizeof(*ns));
        if (!ns)
            oom(c);
        p->sets = ns;
        c->capsets = nc;
    }
    bitmap_out(c, &p->sets[p->nsets], bm, nbits);
    return p->nsets++;
}

static bool names_set(struct cc *c, const struct pol_knode *k, uint32_t *out)
{
    const struct pol_set *s = k->names;
    struct policydb *p = c->p;
    bool ok = true;
    if (k->attr == PDB_ATTR_T1 || k->attr == PDB_ATTR_T2) {
        uint64_t *bm = xcalloc(c, c->tw, sizeof(uint64_t));
        ok = resolve_tset(c, s, false, bm, NULL);
        if (ok)
            *out = add_set(c, bm, p->ntypes + 1);
        free(bm);
        return ok;
    }
    bool users = k->attr == PDB_ATTR_U1 || k->attr == PDB_ATTR_U2;
    uint32_t nbits = (users ? p->nusers : p->nroles) + 1;
    uint64_t bm[(PDB_MAX_ROLES + PDB_MAX_USERS + 64) / 64 + 1] = { 0 };
    for (uint32_t i = 0; i < s->n; i++) {
        struct sym *y = sym_get(users ? &c->users : &c->roles, s->items[i].id.s);
        if (!y) {
            ERR_ID(c, s->items[i].id, "unknown %s '%s'", users ? "user" : "role", s->items[i].id.s);
            ok = false;
        } else {
            bm_set(bm, y->idx);
        }
    }
    if (ok)
        *out = add_set(c, bm, nbits);
    return ok;
}

static void do_constraints(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    uint32_t cap = 0;
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind != ST_CONSTRAIN)
            continue;
        uint64_t cls;
        uint32_t perms[64];
        bool ok = resolve_classes(c, s->s1, &cls);
        ok &= resolve_perms(c, s->s2, cls, perms);
        struct pdb_consnode nodes[PDB_MAX_EXPR];
        memset(nodes, 0, sizeof(nodes));
        for (uint32_t j = 0; j < s->nk; j++) {
            const struct pol_knode *k = &s->k[j];
            nodes[j].kind = k->kind;
            nodes[j].attr = k->attr;
            nodes[j].op = k->op;
            if (k->kind == PDB_CONS_ATTR && k->attr >= PDB_ATTR_L1L2 && !s->bval) {
                ERR(c, k->line, k->col, "level comparison in 'constrain' (use 'mlsconstrain')");
                ok = false;
            }
            if (k->kind == PDB_CONS_NAMES)
                ok &= names_set(c, k, &nodes[j].names);
        }
        if (!ok)
            continue;
        for (uint32_t kl = 1; kl <= p->nclasses; kl++) {
            if (!((cls >> kl) & 1u) || !perms[kl])
                continue;
            if (p->ncons >= PDB_MAX_CONSTRAINTS) {
                ERR(c, s->line, s->col, "too many constraints (max %u)", PDB_MAX_CONSTRAINTS);
                return;
            }
            if (p->ncons == cap) {
                cap = cap ? cap * 2 : 16;
                struct pdb_constraint *nc = realloc(p->cons, (size_t)cap * sizeof(*nc));
                if (!nc)
                    oom(c);
                p->cons = nc;
            }
            struct pdb_constraint *k = &p->cons[p->ncons++];
            memset(k, 0, sizeof(*k));
            k->tclass = (uint16_t)kl;
            k->mls = s->bval;
            k->perms = perms[kl];
            k->nexpr = s->nk;
            memcpy(k->expr, nodes, sizeof(nodes));
        }
    }
}

/* ---- contexts ---- */

static bool resolve_ctx(struct cc *c, const struct pol_ctx *x, struct pdb_context *out)
{
    struct policydb *p = c->p;
    memset(out, 0, sizeof(*out));
    struct sym *u = sym_get(&c->users, x->user.s);
    struct sym *r = sym_get(&c->roles, x->role.s);
    bool ok = true;
    if (!u) {
        ERR_ID(c, x->user, "unknown user '%s'", x->user.s);
        ok = false;
    }
    if (!r) {
        ERR_ID(c, x->role, "unknown role '%s'", x->role.s);
        ok = false;
    }
    uint32_t t = lookup_type(c, &x->type);
    ok &= t != 0;
    ok &= resolve_level(c, &x->low, &out->low, true);
    if (x->has_high)
        ok &= resolve_level(c, &x->high, &out->high, true);
    else
        out->high = out->low;
    if (!ok)
        return false;
    out->user = (uint16_t)u->idx;
    out->role = (uint16_t)r->idx;
    out->type = (uint16_t)t;
    if (!lvl_dom(&out->high, &out->low)) {
        ERR_ID(c, x->high.sens, "high level does not dominate low level in context");
        return false;
    }
    const struct pdb_user *pu = &p->users[u->idx];
    if (r->idx != OBJECT_R) {
        if (!pdb_bit(&pu->roles, r->idx)) {
            ERR_ID(c, x->role, "role '%s' is not authorised for user '%s'", x->role.s, x->user.s);
            return false;
        }
        if (!pdb_bit(&p->roles[r->idx].types, t)) {
            ERR_ID(c, x->type, "type '%s' is not authorised for role '%s'", x->type.s, x->role.s);
            return false;
        }
    }
    if (!lvl_dom(&out->low, &pu->range_low) || !lvl_dom(&pu->range_high, &out->high)) {
        ERR_ID(c, x->low.sens, "context level is not within the range of user '%s'", x->user.s);
        return false;
    }
    return true;
}

static int login_cmp(const void *x, const void *y)
{
    const struct pdb_login *a = x, *b = y;
    return a->uid < b->uid ? -1 : a->uid > b->uid;
}

static void do_contexts(struct cc *c)
{
    const struct pol_ast *a = c->ast;
    struct policydb *p = c->p;
    const struct pol_stmt **sid_ctx = xcalloc(c, (size_t)p->nisids + 1, sizeof(*sid_ctx));
    uint32_t nl = 0;
    for (uint32_t i = 0; i < a->nstmts; i++)
        nl += a->stmts[i].kind == ST_LOGIN;
    p->logins = xcalloc(c, nl, sizeof(*p->logins));
    const struct pol_stmt **login_st = xcalloc(c, nl + 1, sizeof(*login_st));
    for (uint32_t i = 0; i < a->nstmts; i++) {
        const struct pol_stmt *s = &a->stmts[i];
        if (s->kind == ST_SID_CTX) {
            struct sym *y = sym_get(&c->sids, s->name.s);
            if (!y) {
                ERR_ID(c, s->name, "initial sid '%s' is not declared", s->name.s);
                continue;
            }
            if (sid_ctx[y->idx]) {
                ERR_ID(c, s->name, "context for initial sid '%s' given twice (first at %u:%u)", s->name.s,
                       sid_ctx[y->idx]->line, sid_ctx[y->idx]->col);
                continue;
            }
            sid_ctx[y->idx] = s;
            struct pdb_isid *is = &p->isids[y->idx - 1];
            if (resolve_ctx(c, s->ctx, &is->context))
                is->has_context = true;
        } else if (s->kind == ST_LOGIN) {
            uint32_t uid = s->uid_star ? PDB_LOGIN_DEFAULT : s->uid;
            uint32_t j;
            for (j = 0; j < p->nlogins; j++)
                if (p->logins[j].uid == uid)
                    break;
            if (j < p->nlogins) {
                ERR_ID(c, s->name, "login for uid %s declared twice (first at %u:%u)", s->name.s,
                       login_st[j]->line, login_st[j]->col);
                continue;
            }
            if (p->nlogins >= PDB_MAX_LOGINS) {
                ERR_ID(c, s->name, "too many logins (max %u)", PDB_MAX_LOGINS);
                continue;
            }
            struct pdb_login *l = &p->logins[p->nlogins];
            if (!resolve_ctx(c, s->ctx, &l->context))
                continue;
            l->uid = uid;
            login_st[p->nlogins++] = s;
        }
    }
    qsort(p->logins, p->nlogins, sizeof(*p->logins), login_cmp);
    free(login_st);
    free(sid_ctx);
}

/* ---- driver ---- */

static void cc_free(struct cc *c)
{
    sym_free(&c->types);
    sym_free(&c->classes);
    sym_free(&c->commons);
    sym_free(&c->roles);
    sym_free(&c->users);
    sym_free(&c->bools);
    sym_free(&c->sens);
    sym_free(&c->cats);
    sym_free(&c->sids);
    free(c->tnames);
    free(c->sens_rank);
    free(c->allowed);
    free(c->class_av);
    free(c->commons_st);
    free(c->user_st);
    free(c->cond_map);
    if (c->rr)
        for (uint32_t i = 0; i < c->ast->nstmts; i++) {
            free(c->rr[i].src);
            free(c->rr[i].tgt);
        }
    free(c->rr);
    free(c->rules);
}

/* Kept diagnostics in source order (stable: same position keeps report order). */
static void sort_diags(struct pol_diag *d)
{
    for (uint32_t i = 1; i < d->n; i++) {
        struct pol_diag_entry e = d->e[i];
        uint32_t j = i;
        while (j > 0 && (d->e[j - 1].line > e.line || (d->e[j - 1].line == e.line && d->e[j - 1].col > e.col))) {
            d->e[j] = d->e[j - 1];
            j--;
        }
        d->e[j] = e;
    }
}

/* pol_compile — see policy/compile.h. */
int pol_compile(const char *fname, const char *src, size_t len, struct policydb **out, struct pol_diag *diags)
{
    struct pol_toks toks = { 0 };
    struct pol_ast ast = { 0 };
    struct cc *c = NULL;
    int rc;

    (void)fname;
    memset(diags, 0, sizeof(*diags));
    *out = NULL;
    if (len > POL_MAX_SRC)
        return -E2BIG;
    rc = pol_lex(src, len, &toks, diags);
    if (rc)
        return rc;
    rc = pol_parse(&toks, &ast, diags);
    if (rc)
        goto done;
    c = calloc(1, sizeof(*c));
    if (!c) {
        rc = -ENOMEM;
        goto done;
    }
    c->d = diags;
    c->ast = &ast;
    c->p = calloc(1, sizeof(*c->p));
    if (!c->p) {
        rc = -ENOMEM;
        goto done;
    }
    c->p->version = PDB_VERSION;
    if (setjmp(c->jb)) {
        rc = -ENOMEM;
        goto done;
    }
    pass1(c);           /* a duplicate declaration is reported; the first one stands */
    do_classes(c);
    do_mls(c);
    do_attrs(c);
    do_roles(c);
    do_users(c);
    do_conds(c);
    do_misc(c);
    do_rules(c);
    do_constraints(c);
    do_contexts(c);
    rc = diags->total ? -EINVAL : 0;
    sort_diags(diags);
    if (!rc) {
        *out = c->p;
        c->p = NULL;
    }
done:
    if (c) {
        pdb_free(c->p);
        cc_free(c);
        free(c);
    }
    pol_ast_free(&ast);
    pol_toks_free(&toks);
    return rc;
}
