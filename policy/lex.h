/* SPDX-License-Identifier: MIT */
/*
 * Tokenizer of the Xenia policy language (docs/policy-language.md): identifiers
 * [A-Za-z_][A-Za-z0-9_]*, decimal numbers, punctuation ({ } ( ) ; : , - * ~ . ! ^
 * == != && ||), `#` comments to end of line. Pure: allocation only.
 */
#ifndef XENIA_POLICY_LEX_H
#define XENIA_POLICY_LEX_H

#include <stddef.h>
#include <stdint.h>

#include "policy/compile.h"

enum pol_tok_kind { POL_T_EOF = 0, POL_T_IDENT, POL_T_NUM, POL_T_PUNCT };

struct pol_tok {
    enum pol_tok_kind kind;
    uint32_t          line, col;   /* 1-based */
    const char       *text;        /* NUL-terminated, owned by the pol_toks pool */
};

struct pol_toks {
    uint32_t        n;             /* tokens, the last one POL_T_EOF */
    struct pol_tok *t;
    char           *pool;
};

/*
 * pol_lex — split src (len bytes, need not be NUL-terminated) into tokens.
 * Returns 0, -EINVAL after reporting a lexical error into d (unexpected character,
 * identifier longer than PDB_MAX_NAME, number out of range, a macro quote), or
 * -ENOMEM. On success free with pol_toks_free().
 */
int pol_lex(const char *src, size_t len, struct pol_toks *out, struct pol_diag *d);
void pol_toks_free(struct pol_toks *t);

#endif
