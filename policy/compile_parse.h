/* SPDX-License-Identifier: MIT */
/*
 * Parser of the policy language: tokens (policy/lex.h) -> a list of statements
 * (syntax only; names are resolved by policy/compile.c in a second pass, so
 * statements may come in any order). Grammar: docs/policy-language.md.
 * Pure: allocation only (one arena, freed by pol_ast_free()).
 */
#ifndef XENIA_POLICY_COMPILE_PARSE_H
#define XENIA_POLICY_COMPILE_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include "policy/lex.h"

struct pol_id {
    const char *s;                /* token text (in the token pool) */
    uint32_t    line, col;
};

struct pol_setitem {
    struct pol_id id;
    bool          neg;            /* `-name` inside braces */
};

/* `name`, `{ a b -c }`, `*`, `~name`, `~{ ... }` */
struct pol_set {
    uint32_t            line, col;
    bool                star, compl;
    uint32_t            n;
    struct pol_setitem *items;
};

struct pol_catitem {
    struct pol_id lo, hi;         /* hi.s == NULL: single category */
};

struct pol_level {
    struct pol_id       sens;
    uint32_t            ncats;
    struct pol_catitem *cats;
};

struct pol_ctx {
    uint32_t         line, col;
    struct pol_id    user, role, type;
    struct pol_level low, high;
    bool             has_high;
};

/* postfix boolean expression node (if) */
struct pol_cnode {
    uint8_t       op;             /* PDB_CEXPR_* */
    struct pol_id id;             /* PDB_CEXPR_BOOL */
};

/* postfix constraint expression node */
struct pol_knode {
    uint8_t         kind, attr, op; /* PDB_CONS_*, PDB_ATTR_*, PDB_OP_* */
    uint32_t        line, col;
    struct pol_set *names;          /* PDB_CONS_NAMES */
};

enum pol_stmt_kind {
    ST_CLASS_DECL = 1, ST_CLASS_AV, ST_COMMON, ST_SID_DECL, ST_SID_CTX, ST_SENS, ST_DOMINANCE,
    ST_CATEGORY, ST_LEVEL, ST_TYPE, ST_ATTRIBUTE, ST_TYPEATTRIBUTE, ST_ALLOW, ST_DONTAUDIT,
    ST_NEVERALLOW, ST_TRANSITION, ST_BOOL, ST_ROLE, ST_USER, ST_CONSTRAIN, ST_INFOFLOW,
    ST_LOGIN, ST_HANDLE_UNKNOWN,
};

struct pol_stmt {
    enum pol_stmt_kind kind;
    uint32_t           line, col;  /* the keyword */
    struct pol_id      name;       /* declared / subject name */
    struct pol_id      name2;      /* inherits COMMON, NEWTYPE, infoflow direction, handle_unknown value */
    struct pol_set    *s1, *s2, *s3, *s4; /* allow: src tgt classes perms; lists: s1 */
    struct pol_ctx    *ctx;
    struct pol_level  *lvl, *lvl2, *lvl3;  /* level stmt / user: level, range low, range high */
    uint32_t           cond;       /* rules inside `if`: 1 + index in pol_ast.conds */
    uint8_t            branch;
    bool               bval;       /* bool default; mlsconstrain */
    bool               uid_star;
    uint32_t           uid;
    uint32_t           nk;         /* constraint expression */
    struct pol_knode  *k;
};

struct pol_condexpr {
    uint32_t         line, col;
    uint32_t         n;
    struct pol_cnode node[PDB_MAX_EXPR];
};

struct pol_arena;

struct pol_ast {
    uint32_t             nstmts;
    struct pol_stmt     *stmts;
    uint32_t             nconds;
    struct pol_condexpr *conds;
    struct pol_arena    *arena;
};

/*
 * pol_parse — parse the token stream. Returns 0, -EINVAL (the first syntax error is
 * reported into d; parsing stops there), -ENOMEM. Free with pol_ast_free() in every case.
 */
int pol_parse(const struct pol_toks *toks, struct pol_ast *ast, struct pol_diag *d);
void pol_ast_free(struct pol_ast *ast);

#endif
