/* SPDX-License-Identifier: MIT */
/*
 * Parser of the policy language; see policy/compile_parse.h and docs/policy-language.md.
 * Recursive descent over the token array with two tokens of lookahead. A syntax
 * error is reported once and unwinds the parse with longjmp (all memory is in the
 * arena, so nothing leaks). Every loop consumes a token or stops at EOF, and
 * expressions are bounded by PDB_MAX_EXPR nodes and a nesting depth.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile_parse.h"

#define MAX_DEPTH 64u

struct pol_arena {
    struct pol_arena *next;
    size_t            used, cap;
    max_align_t       data[];
};

struct parser {
    const struct pol_toks *toks;
    uint32_t               i;
    struct pol_ast        *ast;
    struct pol_diag       *d;
    jmp_buf                jb;
    uint32_t               cap_stmts, cap_conds;
    uint32_t               depth;
};

static __attribute__((noreturn)) void fail_nomem(struct parser *p)
{
    longjmp(p->jb, -ENOMEM);
}

static void *arena_alloc(struct parser *p, size_t sz)
{
    struct pol_ast *a = p->ast;
    sz = (sz + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->arena || a->arena->cap - a->arena->used < sz) {
        size_t cap = sz > 65536 ? sz : 65536;
        struct pol_arena *b = malloc(sizeof(*b) + cap);
        if (!b)
            fail_nomem(p);
        b->next = a->arena;
        b->used = 0;
        b->cap = cap;
        a->arena = b;
    }
    void *r = (char *)a->arena->data + a->arena->used;
    a->arena->used += sz;
    memset(r, 0, sz);
    return r;
}

static const struct pol_tok *peek(struct parser *p, uint32_t k)
{
    uint32_t j = p->i + k;
    if (j >= p->toks->n)
        j = p->toks->n - 1;
    return &p->toks->t[j];
}

static const struct pol_tok *next(struct parser *p)
{
    const struct pol_tok *t = peek(p, 0);
    if (t->kind != POL_T_EOF)
        p->i++;
    return t;
}

static bool is_p(const struct pol_tok *t, const char *s)
{
    return t->kind == POL_T_PUNCT && strcmp(t->text, s) == 0;
}

static bool is_kw(const struct pol_tok *t, const char *s)
{
    return t->kind == POL_T_IDENT && strcmp(t->text, s) == 0;
}

static void describe(const struct pol_tok *t, char *buf, size_t len)
{
    if (t->kind == POL_T_EOF)
        snprintf(buf, len, "end of file");
    else
        snprintf(buf, len, "'%s'", t->text);
}

static __attribute__((noreturn)) void syntax(struct parser *p, const struct pol_tok *t, const char *what,
                                             const char *where)
{
    char found[160];
    describe(t, found, sizeof(found));
    pol_diag_add(p->d, t->line, t->col, "expected %s%s%s, found %s", what, where[0] ? " " : "", where, found);
    longjmp(p->jb, -EINVAL);
}

static __attribute__((noreturn)) void error_at(struct parser *p, const struct pol_tok *t, const char *msg)
{
    pol_diag_add(p->d, t->line, t->col, "%s", msg);
    longjmp(p->jb, -EINVAL);
}

static void expect(struct parser *p, const char *punct, const char *where)
{
    const struct pol_tok *t = peek(p, 0);
    if (!is_p(t, punct)) {
        char what[8];
        snprintf(what, sizeof(what), "'%s'", punct);
        syntax(p, t, what, where);
    }
    next(p);
}

static struct pol_id ident(struct parser *p, const char *what, const char *where)
{
    const struct pol_tok *t = peek(p, 0);
    if (t->kind != POL_T_IDENT)
        syntax(p, t, what, where);
    next(p);
    return (struct pol_id){ .s = t->text, .line = t->line, .col = t->col };
}

/* Keywords that may not name anything (they start statements or expressions). */
static const char *const unsupported[] = {
    "auditallow", "type_change", "type_member", "range_transition", "role_transition",
    "typealias", "alias", "optional", "require", "define", "ifdef", "ifndef", "dnl",
    "auditdeny", "typebounds", "roleattribute", "attribute_role", "policycap", "permissive",
    "validatetrans", "mlsvalidatetrans", "default_user", "default_role", "default_type",
    "default_range", "fs_use_xattr", "fs_use_task", "fs_use_trans", "genfscon", "portcon",
    "netifcon", "nodecon", "pirqcon", "iomemcon", "ioportcon", "pcidevicecon", "devicetreecon",
    "tunable", "allowxperm", "neverallowxperm", "dontauditxperm", "expandattribute", NULL,
};

static bool is_unsupported(const char *s)
{
    for (int i = 0; unsupported[i]; i++)
        if (strcmp(unsupported[i], s) == 0)
            return true;
    return false;
}

static __attribute__((noreturn)) void not_supported(struct parser *p, const struct pol_tok *t)
{
    char msg[200];
    snprintf(msg, sizeof(msg), "'%s' is not supported", t->text);
    error_at(p, t, msg);
}

/* A set of names. `allow_ops`: accept `*`, `~`, `-name`. */
static struct pol_set *parse_set(struct parser *p, const char *what, bool allow_ops)
{
    struct pol_set *s = arena_alloc(p, sizeof(*s));
    const struct pol_tok *t = peek(p, 0);
    s->line = t->line;
    s->col = t->col;
    if (allow_ops && is_p(t, "*")) {
        next(p);
        s->star = true;
        return s;
    }
    if (allow_ops && is_p(t, "~")) {
        next(p);
        s->compl = true;
        t = peek(p, 0);
    }
    if (is_p(t, "{")) {
        const struct pol_tok *open = next(p);
        uint32_t cap = 0;
        while (!is_p(peek(p, 0), "}")) {
            t = peek(p, 0);
            if (t->kind == POL_T_EOF) {
                char msg[120];
                snprintf(msg, sizeof(msg), "unterminated '{' (opened at %u:%u): expected '}' before end of file",
                         open->line, open->col);
                error_at(p, t, msg);
            }
            bool neg = false;
            if (allow_ops && is_p(t, "-")) {
                neg = true;
                next(p);
            } else if (allow_ops && is_p(t, "*")) {
                next(p);
                s->star = true;
                continue;
            }
            struct pol_id id = ident(p, what, "in set");
            if (s->n % 16 == 0) {
                struct pol_setitem *ni = arena_alloc(p, (s->n + 16) * sizeof(*ni));
                if (s->n)
                    memcpy(ni, s->items, s->n * sizeof(*ni));
                s->items = ni;
            }
            cap++;
            s->items[s->n].id = id;
            s->items[s->n].neg = neg;
            s->n++;
        }
        next(p);
        if (s->n == 0 && !s->star)
            error_at(p, open, "empty set '{ }'");
        return s;
    }
    s->items = arena_alloc(p, sizeof(*s->items));
    s->items[0].id = ident(p, what, "");
    s->n = 1;
    return s;
}

/* A list `{ a b c }` of plain names (no operators). */
static struct pol_set *parse_list(struct parser *p, const char *what)
{
    if (!is_p(peek(p, 0), "{"))
        syntax(p, peek(p, 0), "'{'", what);
    return parse_set(p, "a name", false);
}

/* comma-separated names after `type NAME,` / `typeattribute NAME` */
static struct pol_set *parse_commalist(struct parser *p, const char *what, const char *where)
{
    struct pol_set *s = arena_alloc(p, sizeof(*s));
    s->line = peek(p, 0)->line;
    s->col = peek(p, 0)->col;
    do {
        struct pol_id id = ident(p, what, where);
        if (s->n % 16 == 0) {
            struct pol_setitem *ni = arena_alloc(p, (s->n + 16) * sizeof(*ni));
            if (s->n)
                memcpy(ni, s->items, s->n * sizeof(*ni));
            s->items = ni;
        }
        s->items[s->n++].id = id;
    } while (is_p(peek(p, 0), ",") && next(p));
    return s;
}

/* LEVEL := SENS [':' CAT ['.' CAT] (',' CAT ['.' CAT])*] */
static void parse_level(struct parser *p, struct pol_level *l, const char *where)
{
    l->sens = ident(p, "a sensitivity", where);
    if (!is_p(peek(p, 0), ":"))
        return;
    next(p);
    uint32_t cap = 0;
    do {
        if (l->ncats == cap) {
            cap = cap ? cap * 2 : 8;
            if (cap > PDB_MAX_CATS * 2)
                error_at(p, peek(p, 0), "too many category items in one level");
            struct pol_catitem *nc = arena_alloc(p, cap * sizeof(*nc));
            if (l->ncats)
                memcpy(nc, l->cats, l->ncats * sizeof(*nc));
            l->cats = nc;
        }
        struct pol_catitem *c = &l->cats[l->ncats++];
        c->lo = ident(p, "a category", where);
        if (is_p(peek(p, 0), ".")) {
            next(p);
            c->hi = ident(p, "a category after '.'", where);
        }
    } while (is_p(peek(p, 0), ",") && next(p));
}

static struct pol_ctx *parse_ctx(struct parser *p)
{
    struct pol_ctx *c = arena_alloc(p, sizeof(*c));
    const struct pol_tok *t = peek(p, 0);
    c->line = t->line;
    c->col = t->col;
    c->user = ident(p, "a user", "in context");
    expect(p, ":", "after the user in context");
    c->role = ident(p, "a role", "in context");
    expect(p, ":", "after the role in context");
    c->type = ident(p, "a type", "in context");
    expect(p, ":", "after the type in context (contexts need a level)");
    parse_level(p, &c->low, "in context");
    if (is_p(peek(p, 0), "-")) {
        next(p);
        parse_level(p, &c->high, "in context");
        c->has_high = true;
    }
    return c;
}

static struct pol_stmt *new_stmt(struct parser *p, enum pol_stmt_kind kind, const struct pol_tok *kw)
{
    struct pol_ast *a = p->ast;
    if (a->nstmts == p->cap_stmts) {
        uint32_t nc = p->cap_stmts ? p->cap_stmts * 2 : 256;
        struct pol_stmt *ns = realloc(a->stmts, (size_t)nc * sizeof(*ns));
        if (!ns)
            fail_nomem(p);
        a->stmts = ns;
        p->cap_stmts = nc;
    }
    struct pol_stmt *s = &a->stmts[a->nstmts++];
    memset(s, 0, sizeof(*s));
    s->kind = kind;
    s->line = kw->line;
    s->col = kw->col;
    return s;
}

/* ---- boolean expressions (if) ---- precedence (checkpolicy): == != > ! > && > ^ > || */

static void cpush(struct parser *p, struct pol_condexpr *e, uint8_t op, const struct pol_tok *t)
{
    if (e->n >= PDB_MAX_EXPR)
        error_at(p, t, "boolean expression too long (max 64 nodes)");
    e->node[e->n].op = op;
    if (op == PDB_CEXPR_BOOL)
        e->node[e->n].id = (struct pol_id){ .s = t->text, .line = t->line, .col = t->col };
    e->n++;
}

static void cexpr_or(struct parser *p, struct pol_condexpr *e);

static void cexpr_prim(struct parser *p, struct pol_condexpr *e)
{
    const struct pol_tok *t = peek(p, 0);
    if (is_p(t, "(")) {
        if (++p->depth > MAX_DEPTH)
            error_at(p, t, "expression nested too deeply");
        next(p);
        cexpr_or(p, e);
        expect(p, ")", "in boolean expression");
        p->depth--;
        return;
    }
    if (t->kind != POL_T_IDENT)
        syntax(p, t, "a boolean name or '('", "in boolean expression");
    next(p);
    cpush(p, e, PDB_CEXPR_BOOL, t);
}

static void cexpr_eq(struct parser *p, struct pol_condexpr *e)
{
    cexpr_prim(p, e);
    while (is_p(peek(p, 0), "==") || is_p(peek(p, 0), "!=")) {
        const struct pol_tok *op = next(p);
        cexpr_prim(p, e);
        cpush(p, e, is_p(op, "==") ? PDB_CEXPR_EQ : PDB_CEXPR_NEQ, op);
    }
}

static void cexpr_not(struct parser *p, struct pol_condexpr *e)
{
    const struct pol_tok *t = peek(p, 0);
    if (is_p(t, "!")) {
        if (++p->depth > MAX_DEPTH)
            error_at(p, t, "expression nested too deeply");
        next(p);
        cexpr_not(p, e);
        cpush(p, e, PDB_CEXPR_NOT, t);
        p->depth--;
        return;
    }
    cexpr_eq(p, e);
}

static void cexpr_and(struct parser *p, struct pol_condexpr *e)
{
    cexpr_not(p, e);
    while (is_p(peek(p, 0), "&&")) {
        const struct pol_tok *op = next(p);
        cexpr_not(p, e);
        cpush(p, e, PDB_CEXPR_AND, op);
    }
}

static void cexpr_xor(struct parser *p, struct pol_condexpr *e)
{
    cexpr_and(p, e);
    while (is_p(peek(p, 0), "^")) {
        const struct pol_tok *op = next(p);
        cexpr_and(p, e);
        cpush(p, e, PDB_CEXPR_XOR, op);
    }
}

static void cexpr_or(struct parser *p, struct pol_condexpr *e)
{
    cexpr_xor(p, e);
    while (is_p(peek(p, 0), "||")) {
        const struct pol_tok *op = next(p);
        cexpr_xor(p, e);
        cpush(p, e, PDB_CEXPR_OR, op);
    }
}

/* ---- constraint expressions ---- precedence: not > and > or */

struct kexpr {
    uint32_t         n;
    struct pol_knode node[PDB_MAX_EXPR];
};

static struct pol_knode *kpush(struct parser *p, struct kexpr *e, uint8_t kind, const struct pol_tok *t)
{
    if (e->n >= PDB_MAX_EXPR)
        error_at(p, t, "constraint expression too long (max 64 nodes)");
    struct pol_knode *k = &e->node[e->n++];
    memset(k, 0, sizeof(*k));
    k->kind = kind;
    k->line = t->line;
    k->col = t->col;
    return k;
}

static int operand(const char *s)
{
    static const char *const ops[] = { "u1", "u2", "r1", "r2", "t1", "t2", "l1", "l2", "h1", "h2", NULL };
    for (int i = 0; ops[i]; i++)
        if (strcmp(ops[i], s) == 0)
            return i;
    return -1;
}

static void kexpr_or(struct parser *p, struct kexpr *e);

static void kexpr_prim(struct parser *p, struct kexpr *e)
{
    const struct pol_tok *t = peek(p, 0);
    if (is_p(t, "(")) {
        if (++p->depth > MAX_DEPTH)
            error_at(p, t, "expression nested too deeply");
        next(p);
        kexpr_or(p, e);
        expect(p, ")", "in constraint expression");
        p->depth--;
        return;
    }
    if (t->kind == POL_T_IDENT && (strcmp(t->text, "u3") == 0 || strcmp(t->text, "r3") == 0 ||
                                   strcmp(t->text, "t3") == 0)) {
        char msg[120];
        snprintf(msg, sizeof(msg), "'%s' is not supported (validatetrans only)", t->text);
        error_at(p, t, msg);
    }
    int a = t->kind == POL_T_IDENT ? operand(t->text) : -1;
    if (a < 0)
        syntax(p, t, "u1, u2, r1, r2, t1, t2, l1, l2, h1, h2 or '('", "in constraint expression");
    next(p);
    const struct pol_tok *opt = peek(p, 0);
    uint8_t op;
    if (is_p(opt, "==") || is_kw(opt, "eq"))
        op = PDB_OP_EQ;
    else if (is_p(opt, "!="))
        op = PDB_OP_NEQ;
    else if (is_kw(opt, "dom"))
        op = PDB_OP_DOM;
    else if (is_kw(opt, "domby"))
        op = PDB_OP_DOMBY;
    else if (is_kw(opt, "incomp"))
        op = PDB_OP_INCOMP;
    else
        syntax(p, opt, "'==', '!=', 'eq', 'dom', 'domby' or 'incomp'", "in constraint expression");
    next(p);
    const struct pol_tok *rt = peek(p, 0);
    int b = rt->kind == POL_T_IDENT ? operand(rt->text) : -1;
    if (a >= 6) { /* level operand */
        static const uint8_t pairs[4][4] = {
            /* rhs: l1 l2 h1 h2 ; lhs rows: l1 l2 h1 h2 */
            { 0, PDB_ATTR_L1L2, PDB_ATTR_L1H1, PDB_ATTR_L1H2 },
            { 0, 0, 0, PDB_ATTR_L2H2 },
            { 0, PDB_ATTR_H1L2, 0, PDB_ATTR_H1H2 },
            { 0, 0, 0, 0 },
        };
        if (b < 6)
            syntax(p, rt, "l1, l2, h1 or h2", "after a level operand");
        uint8_t attr = pairs[a - 6][b - 6];
        if (!attr) {
            char msg[160];
            snprintf(msg, sizeof(msg), "level comparison '%s %s %s' is not supported (use l1 l2, l1 h2, h1 l2, h1 h2, l1 h1 or l2 h2)",
                     t->text, opt->text, rt->text);
            error_at(p, t, msg);
        }
        next(p);
        struct pol_knode *k = kpush(p, e, PDB_CONS_ATTR, t);
        k->attr = attr;
        k->op = op;
        return;
    }
    if (op != PDB_OP_EQ && op != PDB_OP_NEQ) {
        char msg[160];
        snprintf(msg, sizeof(msg), "'%s' on '%s' is not supported (only on levels)", opt->text, t->text);
        error_at(p, opt, msg);
    }
    static const uint8_t same[3] = { PDB_ATTR_U1U2, PDB_ATTR_R1R2, PDB_ATTR_T1T2 };
    static const uint8_t single[6] = { PDB_ATTR_U1, PDB_ATTR_U2, PDB_ATTR_R1, PDB_ATTR_R2, PDB_ATTR_T1, PDB_ATTR_T2 };
    if (b >= 0 && a % 2 == 0 && b == a + 1) {
        next(p);
        struct pol_knode *k = kpush(p, e, PDB_CONS_ATTR, t);
        k->attr = same[a / 2];
        k->op = op;
        return;
    }
    if (b >= 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "comparison '%s %s %s' is not supported", t->text, opt->text, rt->text);
        error_at(p, t, msg);
    }
    struct pol_set *names = parse_set(p, "a name", false);
    struct pol_knode *k = kpush(p, e, PDB_CONS_NAMES, t);
    k->attr = single[a];
    k->op = op;
    k->names = names;
}

static void kexpr_not(struct parser *p, struct kexpr *e)
{
    const struct pol_tok *t = peek(p, 0);
    if (is_kw(t, "not")) {
        if (++p->depth > MAX_DEPTH)
            error_at(p, t, "expression nested too deeply");
        next(p);
        kexpr_not(p, e);
        kpush(p, e, PDB_CONS_NOT, t);
        p->depth--;
        return;
    }
    kexpr_prim(p, e);
}

static void kexpr_and(struct parser *p, struct kexpr *e)
{
    kexpr_not(p, e);
    while (is_kw(peek(p, 0), "and")) {
        const struct pol_tok *op = next(p);
        kexpr_not(p, e);
        kpush(p, e, PDB_CONS_AND, op);
    }
}

static void kexpr_or(struct parser *p, struct kexpr *e)
{
    kexpr_and(p, e);
    while (is_kw(peek(p, 0), "or")) {
        const struct pol_tok *op = next(p);
        kexpr_and(p, e);
        kpush(p, e, PDB_CONS_OR, op);
    }
}

/* ---- statements ---- */

static void parse_avrule(struct parser *p, const struct pol_tok *kw, enum pol_stmt_kind kind,
                         uint32_t cond, uint8_t branch)
{
    struct pol_set *src = parse_set(p, "a type or attribute", true);
    struct pol_set *tgt = parse_set(p, "a type or attribute", true);
    if (kind == ST_ALLOW && is_p(peek(p, 0), ";"))
        error_at(p, kw, "allow between roles is not supported");
    expect(p, ":", kind == ST_TRANSITION ? "before the classes of type_transition"
                                         : "before the classes of an access vector rule");
    struct pol_stmt *s = new_stmt(p, kind, kw);
    s->s1 = src;
    s->s2 = tgt;
    s->s3 = parse_set(p, "a class", true);
    s->cond = cond;
    s->branch = branch;
    if (kind == ST_TRANSITION) {
        s->name2 = ident(p, "a new type", "in type_transition");
        if (peek(p, 0)->kind == POL_T_IDENT || peek(p, 0)->kind == POL_T_NUM)
            error_at(p, peek(p, 0), "named type_transition (object name) is not supported");
        expect(p, ";", "after type_transition");
    } else {
        s->s4 = parse_set(p, "a permission", true);
        expect(p, ";", "after access vector rule");
    }
}

static void parse_block(struct parser *p, uint32_t cond, uint8_t branch)
{
    const struct pol_tok *open = peek(p, 0);
    expect(p, "{", "to open a conditional block");
    while (!is_p(peek(p, 0), "}")) {
        const struct pol_tok *t = peek(p, 0);
        if (t->kind == POL_T_EOF) {
            char msg[120];
            snprintf(msg, sizeof(msg), "unterminated '{' (opened at %u:%u): expected '}' before end of file",
                     open->line, open->col);
            error_at(p, t, msg);
        }
        if (t->kind == POL_T_IDENT && is_unsupported(t->text))
            not_supported(p, t);
        next(p);
        if (is_kw(t, "allow"))
            parse_avrule(p, t, ST_ALLOW, cond, branch);
        else if (is_kw(t, "dontaudit"))
            parse_avrule(p, t, ST_DONTAUDIT, cond, branch);
        else if (is_kw(t, "type_transition"))
            parse_avrule(p, t, ST_TRANSITION, cond, branch);
        else if (is_kw(t, "neverallow"))
            error_at(p, t, "neverallow is not allowed inside a conditional");
        else
            syntax(p, t, "allow, dontaudit, type_transition or '}'", "in conditional block");
    }
    next(p);
}

static void parse_if(struct parser *p, const struct pol_tok *kw)
{
    struct pol_ast *a = p->ast;
    if (a->nconds >= PDB_MAX_CONDS * 4)
        error_at(p, kw, "too many conditionals");
    if (a->nconds == p->cap_conds) {
        uint32_t nc = p->cap_conds ? p->cap_conds * 2 : 16;
        struct pol_condexpr *ncd = realloc(a->conds, (size_t)nc * sizeof(*ncd));
        if (!ncd)
            fail_nomem(p);
        a->conds = ncd;
        p->cap_conds = nc;
    }
    struct pol_condexpr *e = &a->conds[a->nconds];
    memset(e, 0, sizeof(*e));
    e->line = kw->line;
    e->col = kw->col;
    expect(p, "(", "after 'if'");
    cexpr_or(p, e);
    expect(p, ")", "after the condition of 'if'");
    uint32_t id = ++a->nconds;
    parse_block(p, id, 1);
    if (is_kw(peek(p, 0), "else")) {
        next(p);
        parse_block(p, id, 0);
    }
}

static void parse_stmt(struct parser *p)
{
    const struct pol_tok *kw = peek(p, 0);
    struct pol_stmt *s;

    if (kw->kind != POL_T_IDENT)
        syntax(p, kw, "a statement", "");
    if (is_unsupported(kw->text))
        not_supported(p, kw);
    next(p);
    const char *k = kw->text;
    if (!strcmp(k, "class")) {
        struct pol_id name = ident(p, "a class name", "after 'class'");
        if (is_p(peek(p, 0), "{") || is_kw(peek(p, 0), "inherits")) {
            s = new_stmt(p, ST_CLASS_AV, kw);
            s->name = name;
            if (is_kw(peek(p, 0), "inherits")) {
                next(p);
                s->name2 = ident(p, "a common name", "after 'inherits'");
            }
            if (is_p(peek(p, 0), "{"))
                s->s1 = parse_list(p, "for the permissions of a class");
        } else {
            s = new_stmt(p, ST_CLASS_DECL, kw);
            s->name = name;
        }
    } else if (!strcmp(k, "common")) {
        s = new_stmt(p, ST_COMMON, kw);
        s->name = ident(p, "a common name", "after 'common'");
        s->s1 = parse_list(p, "for the permissions of a common");
    } else if (!strcmp(k, "sid")) {
        struct pol_id name = ident(p, "an initial sid name", "after 'sid'");
        if (peek(p, 0)->kind == POL_T_IDENT && is_p(peek(p, 1), ":")) {
            s = new_stmt(p, ST_SID_CTX, kw);
            s->name = name;
            s->ctx = parse_ctx(p);
        } else {
            s = new_stmt(p, ST_SID_DECL, kw);
            s->name = name;
        }
    } else if (!strcmp(k, "sensitivity")) {
        s = new_stmt(p, ST_SENS, kw);
        s->name = ident(p, "a sensitivity name", "after 'sensitivity'");
        if (is_kw(peek(p, 0), "alias"))
            not_supported(p, peek(p, 0));
        expect(p, ";", "after sensitivity declaration");
    } else if (!strcmp(k, "dominance")) {
        s = new_stmt(p, ST_DOMINANCE, kw);
        if (is_p(peek(p, 0), "{"))
            s->s1 = parse_list(p, "after 'dominance'");
        else
            s->s1 = parse_set(p, "a sensitivity", false);
    } else if (!strcmp(k, "category")) {
        s = new_stmt(p, ST_CATEGORY, kw);
        s->name = ident(p, "a category name", "after 'category'");
        if (is_kw(peek(p, 0), "alias"))
            not_supported(p, peek(p, 0));
        expect(p, ";", "after category declaration");
    } else if (!strcmp(k, "level")) {
        s = new_stmt(p, ST_LEVEL, kw);
        s->lvl = arena_alloc(p, sizeof(*s->lvl));
        parse_level(p, s->lvl, "after 'level'");
        expect(p, ";", "after level statement");
    } else if (!strcmp(k, "type")) {
        s = new_stmt(p, ST_TYPE, kw);
        s->name = ident(p, "a type name", "after 'type'");
        if (is_kw(peek(p, 0), "alias"))
            not_supported(p, peek(p, 0));
        if (is_p(peek(p, 0), ",")) {
            next(p);
            s->s1 = parse_commalist(p, "an attribute name", "after ','");
        }
        expect(p, ";", "after type declaration");
    } else if (!strcmp(k, "attribute")) {
        s = new_stmt(p, ST_ATTRIBUTE, kw);
        s->name = ident(p, "an attribute name", "after 'attribute'");
        expect(p, ";", "after attribute declaration");
    } else if (!strcmp(k, "typeattribute")) {
        s = new_stmt(p, ST_TYPEATTRIBUTE, kw);
        s->name = ident(p, "a type name", "after 'typeattribute'");
        s->s1 = parse_commalist(p, "an attribute name", "in typeattribute");
        expect(p, ";", "after typeattribute statement");
    } else if (!strcmp(k, "allow")) {
        parse_avrule(p, kw, ST_ALLOW, 0, 0);
    } else if (!strcmp(k, "dontaudit")) {
        parse_avrule(p, kw, ST_DONTAUDIT, 0, 0);
    } else if (!strcmp(k, "neverallow")) {
        parse_avrule(p, kw, ST_NEVERALLOW, 0, 0);
    } else if (!strcmp(k, "type_transition")) {
        parse_avrule(p, kw, ST_TRANSITION, 0, 0);
    } else if (!strcmp(k, "bool")) {
        s = new_stmt(p, ST_BOOL, kw);
        s->name = ident(p, "a boolean name", "after 'bool'");
        const struct pol_tok *v = peek(p, 0);
        if (is_kw(v, "true"))
            s->bval = true;
        else if (!is_kw(v, "false"))
            syntax(p, v, "'true' or 'false'", "in bool declaration");
        next(p);
        expect(p, ";", "after bool declaration");
    } else if (!strcmp(k, "if")) {
        parse_if(p, kw);
    } else if (!strcmp(k, "role")) {
        s = new_stmt(p, ST_ROLE, kw);
        s->name = ident(p, "a role name", "after 'role'");
        if (is_kw(peek(p, 0), "types")) {
            next(p);
            s->s1 = parse_set(p, "a type or attribute", true);
        } else if (is_kw(peek(p, 0), "dominance")) {
            not_supported(p, peek(p, 0));
        }
        expect(p, ";", "after role statement");
    } else if (!strcmp(k, "user")) {
        s = new_stmt(p, ST_USER, kw);
        s->name = ident(p, "a user name", "after 'user'");
        if (!is_kw(peek(p, 0), "roles"))
            syntax(p, peek(p, 0), "'roles'", "in user statement");
        next(p);
        s->s1 = parse_set(p, "a role", false);
        if (!is_kw(peek(p, 0), "level"))
            syntax(p, peek(p, 0), "'level'", "in user statement");
        next(p);
        s->lvl = arena_alloc(p, sizeof(*s->lvl));
        parse_level(p, s->lvl, "in user statement");
        if (!is_kw(peek(p, 0), "range"))
            syntax(p, peek(p, 0), "'range'", "in user statement");
        next(p);
        s->lvl2 = arena_alloc(p, sizeof(*s->lvl2));
        s->lvl3 = s->lvl2;
        parse_level(p, s->lvl2, "in user range");
        if (is_p(peek(p, 0), "-")) {
            next(p);
            s->lvl3 = arena_alloc(p, sizeof(*s->lvl3));
            parse_level(p, s->lvl3, "in user range");
        }
        expect(p, ";", "after user statement");
    } else if (!strcmp(k, "constrain") || !strcmp(k, "mlsconstrain")) {
        s = new_stmt(p, ST_CONSTRAIN, kw);
        uint32_t idx = p->ast->nstmts - 1;
        s->bval = k[0] == 'm';
        s->s1 = parse_set(p, "a class", true);
        s->s2 = parse_set(p, "a permission", true);
        struct kexpr *e = arena_alloc(p, sizeof(*e));
        kexpr_or(p, e);
        expect(p, ";", "after constraint expression");
        s = &p->ast->stmts[idx]; /* stmts may have moved? no: new_stmt not called since */
        s->nk = e->n;
        s->k = e->node;
    } else if (!strcmp(k, "infoflow")) {
        s = new_stmt(p, ST_INFOFLOW, kw);
        s->name = ident(p, "a class name", "after 'infoflow'");
        const struct pol_tok *dir = peek(p, 0);
        if (!is_kw(dir, "read") && !is_kw(dir, "write") && !is_kw(dir, "both"))
            syntax(p, dir, "'read', 'write' or 'both'", "in infoflow statement");
        s->name2 = ident(p, "a direction", "");
        s->s1 = parse_list(p, "for the permissions of infoflow");
        expect(p, ";", "after infoflow statement");
    } else if (!strcmp(k, "login")) {
        s = new_stmt(p, ST_LOGIN, kw);
        const struct pol_tok *u = peek(p, 0);
        s->name = (struct pol_id){ .s = u->text, .line = u->line, .col = u->col };
        if (is_p(u, "*")) {
            s->uid_star = true;
        } else if (u->kind == POL_T_NUM) {
            unsigned long long v = strtoull(u->text, NULL, 10);
            if (v >= PDB_LOGIN_DEFAULT)
                error_at(p, u, "login uid out of range");
            s->uid = (uint32_t)v;
        } else {
            syntax(p, u, "a uid or '*'", "after 'login'");
        }
        next(p);
        s->ctx = parse_ctx(p);
        expect(p, ";", "after login statement");
    } else if (!strcmp(k, "handle_unknown")) {
        s = new_stmt(p, ST_HANDLE_UNKNOWN, kw);
        const struct pol_tok *v = peek(p, 0);
        if (!is_kw(v, "deny") && !is_kw(v, "allow"))
            syntax(p, v, "'deny' or 'allow'", "after 'handle_unknown'");
        s->name2 = ident(p, "deny or allow", "");
        expect(p, ";", "after handle_unknown statement");
    } else if (!strcmp(k, "else")) {
        error_at(p, kw, "'else' without 'if'");
    } else {
        char msg[200];
        snprintf(msg, sizeof(msg), "unknown statement '%s'", k);
        error_at(p, kw, msg);
    }
}

/* pol_parse — see policy/compile_parse.h. */
int pol_parse(const struct pol_toks *toks, struct pol_ast *ast, struct pol_diag *d)
{
    struct parser *p = calloc(1, sizeof(*p));
    memset(ast, 0, sizeof(*ast));
    if (!p)
        return -ENOMEM;
    p->toks = toks;
    p->ast = ast;
    p->d = d;
    int rc = setjmp(p->jb);
    if (rc == 0) {
        while (peek(p, 0)->kind != POL_T_EOF) {
            const struct pol_tok *t = peek(p, 0);
            if (is_p(t, "}"))
                error_at(p, t, "unexpected '}'");
            p->depth = 0;
            parse_stmt(p);
        }
    }
    free(p);
    return rc;
}

void pol_ast_free(struct pol_ast *ast)
{
    struct pol_arena *a = ast->arena;
    while (a) {
        struct pol_arena *n = a->next;
        free(a);
        a = n;
    }
    free(ast->stmts);
    free(ast->conds);
    memset(ast, 0, sizeof(*ast));
}
