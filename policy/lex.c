/* SPDX-License-Identifier: MIT */
/*
 * Tokenizer of the policy language; see policy/lex.h. Token texts live in one pool
 * (at most len + ntokens + 1 bytes), so the whole token stream is two allocations.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/lex.h"

void pol_diag_add(struct pol_diag *d, uint32_t line, uint32_t col, const char *fmt, ...)
{
    d->total++;
    if (d->n >= POL_MAX_DIAGS)
        return;
    struct pol_diag_entry *e = &d->e[d->n++];
    e->line = line;
    e->col = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

int pol_diag_format(const struct pol_diag *d, uint32_t i, const char *fname, char *buf, size_t len)
{
    if (i >= d->n)
        return snprintf(buf, len, "%s", "");
    return snprintf(buf, len, "%s:%u:%u: error: %s", fname ? fname : "<input>", d->e[i].line,
                    d->e[i].col, d->e[i].msg);
}

static bool is_id0(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_dig(char c) { return c >= '0' && c <= '9'; }

/* pol_lex — see policy/lex.h. */
int pol_lex(const char *src, size_t len, struct pol_toks *out, struct pol_diag *d)
{
    size_t cap = 256, n = 0, pl = 0;
    struct pol_tok *t = malloc(cap * sizeof(*t));
    char *pool = malloc(2 * len + 2);
    uint32_t line = 1, col = 1;
    size_t i = 0;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    if (!t || !pool) {
        rc = -ENOMEM;
        goto fail;
    }
    while (1) {
        /* skip blanks and comments */
        while (i < len) {
            char c = src[i];
            if (c == '\n') {
                line++;
                col = 1;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                col++;
                i++;
            } else if (c == '#') {
                while (i < len && src[i] != '\n')
                    i++;
            } else {
                break;
            }
        }
        if (n + 1 >= cap) {
            if (cap > (SIZE_MAX / sizeof(*t)) / 2) {
                rc = -ENOMEM;
                goto fail;
            }
            struct pol_tok *nt = realloc(t, 2 * cap * sizeof(*t));
            if (!nt) {
                rc = -ENOMEM;
                goto fail;
            }
            t = nt;
            cap *= 2;
        }
        struct pol_tok *k = &t[n];
        k->line = line;
        k->col = col;
        k->text = pool + pl;
        if (i >= len) {
            k->kind = POL_T_EOF;
            pool[pl++] = '\0';
            n++;
            break;
        }
        char c = src[i];
        size_t start = i;
        if (is_id0(c)) {
            while (i < len && (is_id0(src[i]) || is_dig(src[i])))
                i++;
            if (i - start > PDB_MAX_NAME) {
                pol_diag_add(d, line, col, "identifier too long (%zu bytes, max %u)", i - start, PDB_MAX_NAME);
                rc = -EINVAL;
                goto fail;
            }
            k->kind = POL_T_IDENT;
        } else if (is_dig(c)) {
            while (i < len && is_dig(src[i]))
                i++;
            if (i < len && is_id0(src[i])) {
                pol_diag_add(d, line, col, "invalid number or identifier starting with a digit");
                rc = -EINVAL;
                goto fail;
            }
            if (i - start > 10) {
                pol_diag_add(d, line, col, "number out of range");
                rc = -EINVAL;
                goto fail;
            }
            k->kind = POL_T_NUM;
        } else {
            k->kind = POL_T_PUNCT;
            char c2 = i + 1 < len ? src[i + 1] : '\0';
            if ((c == '=' && c2 == '=') || (c == '!' && c2 == '=') || (c == '&' && c2 == '&') ||
                (c == '|' && c2 == '|')) {
                i += 2;
            } else if (strchr("{}();:,-*~.!^", c) && c != '\0') {
                i += 1;
            } else if (c == '`' || c == '\'') {
                pol_diag_add(d, line, col, "macros are not supported (found '%c'); expand the policy with m4 first", c);
                rc = -EINVAL;
                goto fail;
            } else if ((unsigned char)c >= 0x21 && (unsigned char)c < 0x7f) {
                pol_diag_add(d, line, col, "unexpected character '%c'", c);
                rc = -EINVAL;
                goto fail;
            } else {
                pol_diag_add(d, line, col, "unexpected byte 0x%02x", (unsigned char)c);
                rc = -EINVAL;
                goto fail;
            }
        }
        memcpy(pool + pl, src + start, i - start);
        pl += i - start;
        pool[pl++] = '\0';
        col += (uint32_t)(i - start);
        n++;
    }
    out->n = (uint32_t)n;
    out->t = t;
    out->pool = pool;
    return 0;
fail:
    free(t);
    free(pool);
    return rc;
}

void pol_toks_free(struct pol_toks *t)
{
    free(t->t);
    free(t->pool);
    memset(t, 0, sizeof(*t));
}
