/* SPDX-License-Identifier: MIT */
/*
 * Shared by tests/policy/xenia_query.c and tests/unit/test_policy_corpus.c: Xenia's
 * side of the differential test protocol (see tests/policy/sepol_query.c for the
 * protocol): compile a source file with pol_compile, answer one query with
 * ss_context_parse + ss_compute_av, in the exact text format sepol_query prints.
 * Test code (file reading is fine here); static functions, header-only.
 */
#ifndef XENIA_TESTS_POLICY_XQ_COMMON_H
#define XENIA_TESTS_POLICY_XQ_COMMON_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"
#include "policy/policydb.h"
#include "xsm/flask/ss.h"

/* The whole file, NUL-terminated (malloc'd), or NULL. */
static inline char *xq_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (!f)
        return NULL;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Compile a source file; NULL with err set on failure. */
static inline struct policydb *xq_compile(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *src = xq_read_file(path, &len);
    struct policydb *p = NULL;
    static struct pol_diag d;
    if (!src) {
        snprintf(err, errlen, "%s: cannot read", path);
        return NULL;
    }
    int rc = pol_compile(path, src, len, &p, &d);
    free(src);
    if (rc) {
        char b[512] = "";
        if (d.n)
            pol_diag_format(&d, 0, path, b, sizeof(b));
        snprintf(err, errlen, "pol_compile %s: %d %s", path, rc, b);
        return NULL;
    }
    return p;
}

/* bools[1..nbools] <- defaults. */
static inline void xq_default_bools(const struct policydb *p, bool *bools)
{
    for (uint32_t i = 1; i <= p->nbools; i++)
        bools[i] = p->bools[i].dflt;
}

static inline int xq_set_bool(const struct policydb *p, bool *bools, const char *name, bool v)
{
    uint32_t i = pdb_bool_index(p, name);
    if (!i)
        return -ENOENT;
    bools[i] = v;
    return 0;
}

static inline int xq_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the bits of v in class c, sorted, comma-separated, or "-". */
static inline void xq_perms(const struct pdb_class *c, uint32_t v, char *out, size_t len)
{
    const char *nm[PDB_MAX_PERMS];
    size_t n = 0, pos = 0;
    for (uint32_t b = 0; b < c->nperms && b < PDB_MAX_PERMS; b++)
        if ((v >> b) & 1u)
            nm[n++] = c->perms[b];
    out[0] = '\0';
    if (n == 0) {
        snprintf(out, len, "-");
        return;
    }
    qsort(nm, n, sizeof(nm[0]), xq_cmp_str);
    for (size_t i = 0; i < n && pos < len; i++)
        pos += (size_t)snprintf(out + pos, len - pos, "%s%s", i ? "," : "", nm[i]);
}

/*
 * The answer to "q S T CLASS": "ALLOWED DONTAUDIT" or "invalid" into out;
 * *ndec += the class's permission count when decided.
 */
static inline void xq_answer(const struct policydb *p, const bool *bools, const char *s,
                             const char *t, const char *cls, char *out, size_t len,
                             unsigned long long *ndec)
{
    struct pdb_context sc, tc;
    uint32_t c = pdb_class_index(p, cls);
    if (ss_context_parse(p, s, &sc, NULL, 0) || ss_context_parse(p, t, &tc, NULL, 0) || !c) {
        snprintf(out, len, "invalid");
        return;
    }
    const struct pdb_class *pc = &p->classes[c];
    uint32_t mask = pc->nperms >= 32 ? 0xffffffffu : (1u << pc->nperms) - 1u;
    uint32_t audit = 0;
    uint32_t allowed = ss_compute_av(p, bools, &sc, &tc, c, &audit) & mask;
    char a[PDB_MAX_PERMS * (PDB_MAX_NAME + 1) + 2], d[PDB_MAX_PERMS * (PDB_MAX_NAME + 1) + 2];
    xq_perms(pc, allowed, a, sizeof(a));
    xq_perms(pc, ~audit & mask, d, sizeof(d));
    snprintf(out, len, "%s %s", a, d);
    if (ndec)
        *ndec += pc->nperms;
}

static inline bool xq_ctx_valid(const struct policydb *p, const char *c)
{
    struct pdb_context x;
    return ss_context_parse(p, c, &x, NULL, 0) == 0;
}

#endif
