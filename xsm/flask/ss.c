/* SPDX-License-Identifier: MIT */
/*
 * FLASK security server, pure decision code: security contexts (parse, format,
 * validate), MLS level relations, the access decision and the transition label.
 *
 * Semantics follow SELinux's security server (security/selinux/ss/services.c:
 * context_struct_compute_av, constraint_expr_eval, security_compute_sid; mls.c:
 * mls_context_to_sid, mls_sid_to_context, mls_context_isvalid) and libsepol's
 * identical sepol_compute_av, and Xen's xen/xsm/flask/ss/ for the `domain` class
 * (Xen's "process" class). Pure C: no system calls, no allocation; every loop is
 * bounded by a policydb count or a PDB_MAX_* limit.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "xsm/flask/ss.h"

/* ---- helpers -------------------------------------------------------------- */

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

/* Look up a name s[0..n) in names[lo..hi] (hi < lo: empty); *found says if it was. */
static uint32_t find_name(char *const *names, uint32_t lo, uint32_t hi, const char *s, size_t n,
                          bool *found)
{
    *found = false;
    if (!names || n == 0 || n > PDB_MAX_NAME || hi < lo || hi > PDB_MAX_TYPES + PDB_MAX_CATS)
        return 0;
    for (uint32_t i = lo; i <= hi; i++) {
        const char *nm = names[i];
        if (nm && strncmp(nm, s, n) == 0 && nm[n] == '\0') {
            *found = true;
            return i;
        }
    }
    return 0;
}

static uint32_t find_user(const struct policydb *p, const char *s, size_t n)
{
    if (n == 0 || n > PDB_MAX_NAME || !p->users)
        return 0;
    for (uint32_t i = 1; i <= p->nusers; i++)
        if (p->users[i].name && strncmp(p->users[i].name, s, n) == 0 &&
            p->users[i].name[n] == '\0')
            return i;
    return 0;
}

static uint32_t find_role(const struct policydb *p, const char *s, size_t n)
{
    if (n == 0 || n > PDB_MAX_NAME || !p->roles)
        return 0;
    for (uint32_t i = 1; i <= p->nroles; i++)
        if (p->roles[i].name && strncmp(p->roles[i].name, s, n) == 0 &&
            p->roles[i].name[n] == '\0')
            return i;
    return 0;
}

static uint32_t object_r_index(const struct policydb *p)
{
    return find_role(p, "object_r", 8);
}

static void cat_set(struct pdb_level *l, uint32_t c)
{
    l->cats[c / 64] |= (uint64_t)1 << (c % 64);
}

static bool cat_get(const struct pdb_level *l, uint32_t c)
{
    return (l->cats[c / 64] >> (c % 64)) & 1u;
}

/* ---- level relations (SELinux mls_level_dom / mls_level_eq) ------------------ */

bool ss_level_dom(const struct pdb_level *a, const struct pdb_level *b)
{
    if (a->sens < b->sens)
        return false;
    for (uint32_t w = 0; w < PDB_CAT_WORDS; w++)
        if ((a->cats[w] & b->cats[w]) != b->cats[w])
            return false;
    return true;
}

bool ss_level_eq(const struct pdb_level *a, const struct pdb_level *b)
{
    if (a->sens != b->sens)
        return false;
    for (uint32_t w = 0; w < PDB_CAT_WORDS; w++)
        if (a->cats[w] != b->cats[w])
            return false;
    return true;
}

static bool level_incomp(const struct pdb_level *a, const struct pdb_level *b)
{
    return !ss_level_dom(a, b) && !ss_level_dom(b, a);
}

/* ---- context validation (SELinux policydb_context_isvalid) -------------------- */

/* 0 when ctx is valid under p, else -EINVAL with a reason. */
static int context_check(const struct policydb *p, const struct pdb_context *c, char *err,
                         size_t errlen)
{
    if (c->user == 0 || c->user > p->nusers || c->role == 0 || c->role > p->nroles ||
        c->type == 0 || c->type > p->ntypes) {
        set_err(err, errlen, "context index out of range");
        return -EINVAL;
    }
    const struct pdb_user *u = &p->users[c->user];
    const struct pdb_role *r = &p->roles[c->role];
    /* object_r labels objects: any user, any type, any level within the policy's
     * (libsepol policydb_context_isvalid and mls_context_isvalid skip the user-role,
     * role-type and user-range checks for OBJECT_R_VAL). */
    const bool objr = c->role == object_r_index(p);
    if (!objr && !pdb_bit(&u->roles, c->role)) {
        set_err(err, errlen, "role '%s' not authorised for user '%s'", r->name, u->name);
        return -EINVAL;
    }
    if (!objr && !pdb_bit(&r->types, c->type)) {
        set_err(err, errlen, "type '%s' not authorised for role '%s'", p->types[c->type],
                r->name);
        return -EINVAL;
    }
    if (p->nsens == 0)
        return 0;
    if (c->low.sens == 0 || c->low.sens > p->nsens || c->high.sens == 0 ||
        c->high.sens > p->nsens) {
        set_err(err, errlen, "sensitivity out of range");
        return -EINVAL;
    }
    for (uint32_t cat = p->ncats; cat < PDB_MAX_CATS; cat++)
        if (cat_get(&c->low, cat) || cat_get(&c->high, cat)) {
            set_err(err, errlen, "category out of range");
            return -EINVAL;
        }
    if (!ss_level_dom(&c->high, &c->low)) {
        set_err(err, errlen, "high level does not dominate low level");
        return -EINVAL;
    }
    if (!objr &&
        (!ss_level_dom(&u->range_high, &c->high) || !ss_level_dom(&c->low, &u->range_low))) {
        set_err(err, errlen, "level outside the range of user '%s'", u->name);
        return -EINVAL;
    }
    return 0;
}

/* ---- context parse ------------------------------------------------------------ */

/* Parse one level "sens[:cats]" from s[0..n). */
static int parse_level(const struct policydb *p, const char *s, size_t n, struct pdb_level *l,
                       char *err, size_t errlen)
{
    bool found = false;
    size_t i = 0;

    memset(l, 0, sizeof(*l));
    while (i < n && s[i] != ':')
        i++;
    uint32_t sens = find_name(p->sens, 1, p->nsens, s, i, &found);
    if (!found) {
        set_err(err, errlen, "unknown sensitivity '%.*s'", (int)(i > 64 ? 64 : i), s);
        return -EINVAL;
    }
    l->sens = (uint16_t)sens;
    if (i == n)
        return 0;
    i++; /* ':' */
    if (i == n) {
        set_err(err, errlen, "empty category list");
        return -EINVAL;
    }
    /* Items "cA" or "cA.cB", separated by ','. Bounded by n. */
    while (i < n) {
        size_t st = i;
        while (i < n && s[i] != ',' && s[i] != '.')
            i++;
        uint32_t a = p->ncats ? find_name(p->cats, 0, p->ncats - 1, s + st, i - st, &found) : 0;
        if (!p->ncats || !found) {
            set_err(err, errlen, "unknown category '%.*s'", (int)(i - st > 64 ? 64 : i - st),
                    s + st);
            return -EINVAL;
        }
        uint32_t b = a;
        if (i < n && s[i] == '.') {
            size_t st2 = ++i;
            while (i < n && s[i] != ',' && s[i] != '.')
                i++;
            b = find_name(p->cats, 0, p->ncats - 1, s + st2, i - st2, &found);
            if (!found) {
                set_err(err, errlen, "unknown category '%.*s'",
                        (int)(i - st2 > 64 ? 64 : i - st2), s + st2);
                return -EINVAL;
            }
            if (b <= a) {
                set_err(err, errlen, "reversed category range '%.*s'",
                        (int)(i - st > 64 ? 64 : i - st), s + st);
                return -EINVAL;
            }
            if (i < n && s[i] == '.') {
                set_err(err, errlen, "bad category range");
                return -EINVAL;
            }
        }
        if (b >= PDB_MAX_CATS) {
            set_err(err, errlen, "category out of range");
            return -EINVAL;
        }
        for (uint32_t c = a; c <= b; c++)
            cat_set(l, c);
        if (i < n) { /* ',' */
            i++;
            if (i == n) {
                set_err(err, errlen, "trailing ','");
                return -EINVAL;
            }
        }
    }
    return 0;
}

int ss_level_parse(const struct policydb *p, const char *str, struct pdb_level *l,
                   char *err, size_t errlen)
{
    if (!p || !str || !l)
        return -EINVAL;
    return parse_level(p, str, strlen(str), l, err, errlen);
}

int ss_context_parse(const struct policydb *p, const char *str, struct pdb_context *ctx,
                     char *err, size_t errlen)
{
    struct pdb_context c;
    const char *f[4];
    size_t fl[4];
    bool found = false;

    if (!p || !str || !ctx) {
        set_err(err, errlen, "no policy or no context");
        return -EINVAL;
    }
    size_t n = strnlen(str, SS_CONTEXT_MAX);
    if (n >= SS_CONTEXT_MAX) {
        set_err(err, errlen, "context too long (max %u bytes)", SS_CONTEXT_MAX - 1);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = str[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-' || ch == ':' || ch == ',')) {
            set_err(err, errlen, "bad character 0x%02x at offset %zu", (unsigned char)ch, i);
            return -EINVAL;
        }
    }
    /* user:role:type then the rest (the MLS range, which contains ':'). */
    size_t pos = 0;
    for (int k = 0; k < 3; k++) {
        size_t st = pos;
        while (pos < n && str[pos] != ':')
            pos++;
        f[k] = str + st;
        fl[k] = pos - st;
        if (fl[k] == 0) {
            set_err(err, errlen, "bad context syntax: empty field %d", k + 1);
            return -EINVAL;
        }
        if (k < 2 || p->nsens > 0) {
            if (pos == n) {
                set_err(err, errlen, "bad context syntax: expected user:role:type%s",
                        p->nsens ? ":level" : "");
                return -EINVAL;
            }
        }
        if (pos < n)
            pos++;
        else
            break;
    }
    f[3] = str + pos;
    fl[3] = n - pos;
    if (p->nsens == 0 && fl[3] > 0) {
        set_err(err, errlen, "policy has no MLS, but the context has a level");
        return -EINVAL;
    }
    if (p->nsens == 0 && n > 0 && str[n - 1] == ':') {
        set_err(err, errlen, "bad context syntax: trailing ':'");
        return -EINVAL;
    }

    memset(&c, 0, sizeof(c));
    uint32_t u = find_user(p, f[0], fl[0]);
    if (!u) {
        set_err(err, errlen, "unknown user '%.*s'", (int)(fl[0] > 64 ? 64 : fl[0]), f[0]);
        return -EINVAL;
    }
    uint32_t r = find_role(p, f[1], fl[1]);
    if (!r) {
        set_err(err, errlen, "unknown role '%.*s'", (int)(fl[1] > 64 ? 64 : fl[1]), f[1]);
        return -EINVAL;
    }
    uint32_t t = find_name(p->types, 1, p->ntypes, f[2], fl[2], &found);
    if (!found) {
        set_err(err, errlen, "unknown type '%.*s'", (int)(fl[2] > 64 ? 64 : fl[2]), f[2]);
        return -EINVAL;
    }
    c.user = (uint16_t)u;
    c.role = (uint16_t)r;
    c.type = (uint16_t)t;

    if (p->nsens > 0) {
        if (fl[3] == 0) {
            set_err(err, errlen, "bad context syntax: empty level");
            return -EINVAL;
        }
        const char *lv = f[3];
        size_t dash = 0;
        while (dash < fl[3] && lv[dash] != '-')
            dash++;
        int rc = parse_level(p, lv, dash, &c.low, err, errlen);
        if (rc)
            return rc;
        if (dash < fl[3]) {
            if (dash + 1 == fl[3]) {
                set_err(err, errlen, "bad context syntax: empty high level");
                return -EINVAL;
            }
            rc = parse_level(p, lv + dash + 1, fl[3] - dash - 1, &c.high, err, errlen);
            if (rc)
                return rc;
        } else {
            c.high = c.low;
        }
    }
    int rc = context_check(p, &c, err, errlen);
    if (rc)
        return rc;
    *ctx = c;
    return 0;
}

/* ---- context format (SELinux mls_sid_to_context) ------------------------------- */

struct outbuf {
    char  *buf;
    size_t len, pos;
    bool   over;
};

static void out_str(struct outbuf *o, const char *s)
{
    size_t n = strlen(s);
    if (o->pos + n >= o->len) {
        o->over = true;
        o->pos += n;
        return;
    }
    memcpy(o->buf + o->pos, s, n);
    o->pos += n;
    o->buf[o->pos] = '\0';
}

static void out_ch(struct outbuf *o, char ch)
{
    char s[2] = { ch, '\0' };
    out_str(o, s);
}

static int format_level(const struct policydb *p, const struct pdb_level *l, struct outbuf *o)
{
    if (l->sens == 0 || l->sens > p->nsens)
        return -EINVAL;
    out_str(o, p->sens[l->sens]);
    /* Runs of 3 or more consecutive categories as cA.cB, pairs as cA,cB. */
    int64_t head = -1, prev = -1;
    for (uint32_t c = 0; c < PDB_MAX_CATS; c++) {
        if (!cat_get(l, c))
            continue;
        if (c >= p->ncats || !p->cats[c])
            return -EINVAL;
        if (prev < 0 || (int64_t)c - prev > 1) {
            if (prev >= 0 && head != prev) {
                out_ch(o, prev > head + 1 ? '.' : ',');
                out_str(o, p->cats[prev]);
            }
            out_ch(o, prev < 0 ? ':' : ',');
            out_str(o, p->cats[c]);
            head = c;
        }
        prev = c;
    }
    if (prev >= 0 && prev != head) {
        out_ch(o, prev > head + 1 ? '.' : ',');
        out_str(o, p->cats[prev]);
    }
    return 0;
}

int ss_context_format(const struct policydb *p, const struct pdb_context *ctx, char *buf,
                      size_t len)
{
    struct outbuf o = { buf, len, 0, false };

    if (!p || !ctx || !buf || len == 0)
        return -ENOSPC;
    buf[0] = '\0';
    if (ctx->user == 0 || ctx->user > p->nusers || ctx->role == 0 || ctx->role > p->nroles ||
        ctx->type == 0 || ctx->type > p->ntypes)
        return -EINVAL;
    out_str(&o, p->users[ctx->user].name);
    out_ch(&o, ':');
    out_str(&o, p->roles[ctx->role].name);
    out_ch(&o, ':');
    out_str(&o, p->types[ctx->type]);
    if (p->nsens > 0) {
        out_ch(&o, ':');
        int rc = format_level(p, &ctx->low, &o);
        if (rc)
            return rc;
        if (!ss_level_eq(&ctx->low, &ctx->high)) {
            out_ch(&o, '-');
            rc = format_level(p, &ctx->high, &o);
            if (rc)
                return rc;
        }
    }
    if (o.over) {
        buf[0] = '\0';
        return -ENOSPC;
    }
    return (int)o.pos;
}

/* ---- conditional expressions (SELinux cond_evaluate_expr) ---------------------- */

/* 1 true, 0 false, -1 malformed (then neither branch applies, as in SELinux). */
static int cond_eval(const struct policydb *p, const bool *bools, const struct pdb_cond *c)
{
    bool st[PDB_MAX_EXPR];
    uint32_t sp = 0;

    if (c->nexpr == 0 || c->nexpr > PDB_MAX_EXPR)
        return -1;
    for (uint32_t i = 0; i < c->nexpr; i++) {
        const struct pdb_cexpr *e = &c->expr[i];
        switch (e->op) {
        case PDB_CEXPR_BOOL:
            if (e->boolidx == 0 || e->boolidx > p->nbools || sp >= PDB_MAX_EXPR)
                return -1;
            st[sp++] = bools ? bools[e->boolidx] : p->bools[e->boolidx].dflt;
            break;
        case PDB_CEXPR_NOT:
            if (sp < 1)
                return -1;
            st[sp - 1] = !st[sp - 1];
            break;
        case PDB_CEXPR_OR: case PDB_CEXPR_AND: case PDB_CEXPR_XOR:
        case PDB_CEXPR_EQ: case PDB_CEXPR_NEQ: {
            if (sp < 2)
                return -1;
            bool a = st[sp - 2], b = st[sp - 1], r;
            if (e->op == PDB_CEXPR_OR)
                r = a || b;
            else if (e->op == PDB_CEXPR_AND)
                r = a && b;
            else if (e->op == PDB_CEXPR_EQ)
                r = a == b;
            else
                r = a != b; /* XOR, NEQ */
            st[sp - 2] = r;
            sp--;
            break;
        }
        default:
            return -1;
        }
    }
    return sp == 1 ? st[0] : -1;
}

/* Does this rule apply under the current booleans? */
static bool rule_enabled(const struct policydb *p, const bool *bools, const struct pdb_avrule *r)
{
    if (r->cond == 0)
        return true;
    if (r->cond > p->nconds)
        return false;
    int v = cond_eval(p, bools, &p->conds[r->cond - 1]);
    if (v < 0)
        return false;
    return (v == 1) == (r->branch == 1);
}

/* Index of the first avrule with key (stype, ttype, tclass), or navrules. */
static uint32_t avrule_first(const struct policydb *p, uint32_t stype, uint32_t ttype,
                             uint32_t tclass)
{
    uint64_t key = ((uint64_t)stype << 32) | ((uint64_t)ttype << 16) | tclass;
    uint32_t lo = 0, hi = p->navrules; /* first index with rule key >= key */

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct pdb_avrule *r = &p->avrules[mid];
        uint64_t k = ((uint64_t)r->stype << 32) | ((uint64_t)r->ttype << 16) | r->tclass;
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool avrule_match(const struct pdb_avrule *r, uint32_t stype, uint32_t ttype,
                         uint32_t tclass)
{
    return r->stype == stype && r->ttype == ttype && r->tclass == tclass;
}

/* ---- constraints (SELinux constraint_expr_eval) --------------------------------- */

static bool cons_attr(const struct pdb_consnode *n, const struct pdb_context *s,
                      const struct pdb_context *t)
{
    const struct pdb_level *l1, *l2;
    uint32_t v1, v2;

    switch (n->attr) {
    case PDB_ATTR_U1U2: v1 = s->user; v2 = t->user; goto names;
    case PDB_ATTR_T1T2: v1 = s->type; v2 = t->type; goto names;
    case PDB_ATTR_R1R2:
        /* Without role dominance statements a role dominates only itself
         * (libsepol role_datum.dominates holds the role's own bit). */
        switch (n->op) {
        case PDB_OP_EQ: case PDB_OP_DOM: case PDB_OP_DOMBY: return s->role == t->role;
        case PDB_OP_NEQ: case PDB_OP_INCOMP: return s->role != t->role;
        default: return false;
        }
    case PDB_ATTR_L1L2: l1 = &s->low;  l2 = &t->low;  break;
    case PDB_ATTR_L1H2: l1 = &s->low;  l2 = &t->high; break;
    case PDB_ATTR_H1L2: l1 = &s->high; l2 = &t->low;  break;
    case PDB_ATTR_H1H2: l1 = &s->high; l2 = &t->high; break;
    case PDB_ATTR_L1H1: l1 = &s->low;  l2 = &s->high; break;
    case PDB_ATTR_L2H2: l1 = &t->low;  l2 = &t->high; break;
    default: return false;
    }
    switch (n->op) {
    case PDB_OP_EQ:     return ss_level_eq(l1, l2);
    case PDB_OP_NEQ:    return !ss_level_eq(l1, l2);
    case PDB_OP_DOM:    return ss_level_dom(l1, l2);
    case PDB_OP_DOMBY:  return ss_level_dom(l2, l1);
    case PDB_OP_INCOMP: return level_incomp(l1, l2);
    default:            return false;
    }
names:
    switch (n->op) {
    case PDB_OP_EQ:  return v1 == v2;
    case PDB_OP_NEQ: return v1 != v2;
    default:         return false; /* dom/domby/incomp on users/types: invalid, false */
    }
}

static bool cons_names(const struct policydb *p, const struct pdb_consnode *n,
                       const struct pdb_context *s, const struct pdb_context *t)
{
    uint32_t v;

    switch (n->attr) {
    case PDB_ATTR_U1: v = s->user; break;
    case PDB_ATTR_U2: v = t->user; break;
    case PDB_ATTR_R1: v = s->role; break;
    case PDB_ATTR_R2: v = t->role; break;
    case PDB_ATTR_T1: v = s->type; break;
    case PDB_ATTR_T2: v = t->type; break;
    default: return false;
    }
    if (n->names >= p->nsets)
        return false;
    bool in = pdb_bit(&p->sets[n->names], v);
    if (n->op == PDB_OP_EQ)
        return in;
    if (n->op == PDB_OP_NEQ)
        return !in;
    return false;
}

/* The value of a constraint expression; a malformed one is false (deny). */
static bool cons_eval(const struct policydb *p, const struct pdb_constraint *c,
                      const struct pdb_context *s, const struct pdb_context *t)
{
    bool st[PDB_MAX_EXPR];
    uint32_t sp = 0;

    if (c->nexpr == 0 || c->nexpr > PDB_MAX_EXPR)
        return false;
    for (uint32_t i = 0; i < c->nexpr; i++) {
        const struct pdb_consnode *n = &c->expr[i];
        switch (n->kind) {
        case PDB_CONS_NOT:
            if (sp < 1)
                return false;
            st[sp - 1] = !st[sp - 1];
            break;
        case PDB_CONS_AND:
        case PDB_CONS_OR:
            if (sp < 2)
                return false;
            st[sp - 2] = n->kind == PDB_CONS_AND ? (st[sp - 2] && st[sp - 1])
                                                 : (st[sp - 2] || st[sp - 1]);
            sp--;
            break;
        case PDB_CONS_ATTR:
            if (sp >= PDB_MAX_EXPR)
                return false;
            st[sp++] = cons_attr(n, s, t);
            break;
        case PDB_CONS_NAMES:
            if (sp >= PDB_MAX_EXPR)
                return false;
            st[sp++] = cons_names(p, n, s, t);
            break;
        default:
            return false;
        }
    }
    return sp == 1 && st[0];
}

/* ---- the access decision -------------------------------------------------------- */

/* Bits of `transition` and `dyntransition` when tclass is `domain`, else 0. */
static uint32_t role_trans_mask(const struct policydb *p, uint32_t tclass)
{
    const struct pdb_class *c = &p->classes[tclass];
    uint32_t m = 0;

    if (!c->name || strcmp(c->name, "domain") != 0)
        return 0;
    for (uint32_t i = 0; i < c->nperms && i < PDB_MAX_PERMS; i++)
        if (c->perms[i] &&
            (strcmp(c->perms[i], "transition") == 0 || strcmp(c->perms[i], "dyntransition") == 0))
            m |= 1u << i;
    return m;
}

uint32_t ss_compute_av(const struct policydb *p, const bool *bools,
                       const struct pdb_context *s, const struct pdb_context *t,
                       uint32_t tclass, uint32_t *auditdeny)
{
    uint32_t allowed = 0, audit = 0xffffffffu;

    if (!p || !s || !t || tclass == 0 || tclass > p->nclasses || s->type == 0 ||
        s->type > p->ntypes || t->type == 0 || t->type > p->ntypes)
        goto out;

    for (uint32_t i = avrule_first(p, s->type, t->type, tclass);
         i < p->navrules && avrule_match(&p->avrules[i], s->type, t->type, tclass); i++) {
        const struct pdb_avrule *r = &p->avrules[i];
        if (r->kind != PDB_AV_ALLOW && r->kind != PDB_AV_DONTAUDIT)
            continue;
        if (!rule_enabled(p, bools, r))
            continue;
        if (r->kind == PDB_AV_ALLOW)
            allowed |= r->data;
        else
            audit &= ~r->data;
    }

    for (uint32_t i = 0; i < p->ncons && allowed; i++) {
        const struct pdb_constraint *c = &p->cons[i];
        if (c->tclass != tclass || !(c->perms & allowed))
            continue;
        if (!cons_eval(p, c, s, t))
            allowed &= ~c->perms;
    }

    /* A domain transition across roles needs a role allow rule (`allow r1 r2;`,
     * which the language does not have): with different roles, `transition` (and
     * `dyntransition`) of the `domain` class -- Xen's process class -- are denied
     * (SELinux/libsepol context_struct_compute_av, Xen flask/ss/services.c). */
    if (allowed && s->role != t->role)
        allowed &= ~role_trans_mask(p, tclass);
out:
    if (auditdeny)
        *auditdeny = audit;
    return allowed;
}

/* ---- the transition label (SELinux/Xen security_compute_sid, AVTAB_TRANSITION) ---- */

int ss_transition(const struct policydb *p, const bool *bools, const struct pdb_context *s,
                  const struct pdb_context *t, uint32_t tclass, struct pdb_context *out)
{
    struct pdb_context n;
    bool is_domain = false;

    if (!p || !s || !t || !out)
        return -EINVAL;
    if (tclass > p->nclasses)
        return -EINVAL;
    if (tclass && p->classes[tclass].name && strcmp(p->classes[tclass].name, "domain") == 0)
        is_domain = true;

    memset(&n, 0, sizeof(n));
    n.user = s->user;
    if (is_domain) {
        n.role = s->role;
    } else {
        uint32_t objr = object_r_index(p);
        n.role = (uint16_t)(objr ? objr : s->role);
    }
    n.type = is_domain ? s->type : t->type;

    if (tclass && s->type && s->type <= p->ntypes && t->type && t->type <= p->ntypes) {
        bool done = false;
        /* Unconditional rules first, then enabled conditional ones (SELinux). */
        for (int pass = 0; pass < 2 && !done; pass++) {
            for (uint32_t i = avrule_first(p, s->type, t->type, tclass);
                 i < p->navrules && avrule_match(&p->avrules[i], s->type, t->type, tclass);
                 i++) {
                const struct pdb_avrule *r = &p->avrules[i];
                if (r->kind != PDB_AV_TRANSITION || (pass == 0) != (r->cond == 0))
                    continue;
                if (!rule_enabled(p, bools, r))
                    continue;
                if (r->data == 0 || r->data > p->ntypes)
                    return -EINVAL;
                n.type = (uint16_t)r->data;
                done = true;
                break;
            }
        }
    }
    n.low = s->low;
    n.high = s->low;
    int rc = context_check(p, &n, NULL, 0);
    if (rc)
        return rc;
    *out = n;
    return 0;
}
