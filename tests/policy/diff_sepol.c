/* SPDX-License-Identifier: MIT */
/*
 * Differential test of the policy compiler against the reference toolchain:
 *   diff_sepol SRC.te REF.bin
 * compiles SRC.te with pol_compile (policy/compile.h) and reads REF.bin (the same
 * source, Xenia extensions stripped, compiled by `checkpolicy -t xen -M -c 30`)
 * with libsepol; expands both rule tables to one line per
 *   "KIND[c] source target class permission|newtype"
 * (attributes expanded through libsepol's attr_type_map; conditional rules of both
 * branches marked [c]) and reports every line only one side has. Exit 0: equal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/compile.h"
#include "policy/policydb.h"
#include "tests/policy/diff_lines.h"

void add(struct lines *l, const char *kind, int cond, const char *s, const char *t, const char *c,
                const char *x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->v = realloc(l->v, l->cap * sizeof(char *));
        if (!l->v)
            exit(2);
    }
    if (asprintf(&l->v[l->n++], "%s%s %s %s %s %s", kind, cond ? "[c]" : "", s, t, c, x) < 0)
        exit(2);
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void uniq(struct lines *l)
{
    qsort(l->v, l->n, sizeof(char *), cmp);
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (o && !strcmp(l->v[o - 1], l->v[i])) {
            free(l->v[i]);
            continue;
        }
        l->v[o++] = l->v[i];
    }
    l->n = o;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: diff_sepol SRC.te REF.bin\n");
        return 2;
    }
    struct lines ours = { 0 }, theirs = { 0 };

    /* ours */
    FILE *f = fopen(argv[1], "rb");
    if (!f)
        return 2;
    static char src[1 << 22];
    size_t len = fread(src, 1, sizeof(src), f);
    fclose(f);
    struct pol_diag *d = calloc(1, sizeof(*d));
    struct policydb *p = NULL;
    if (pol_compile(argv[1], src, len, &p, d)) {
        fprintf(stderr, "diff_sepol: %s does not compile\n", argv[1]);
        return 2;
    }
    for (uint32_t i = 0; i < p->navrules; i++) {
        const struct pdb_avrule *r = &p->avrules[i];
        const struct pdb_class *k = &p->classes[r->tclass];
        const char *s = p->types[r->stype], *t = p->types[r->ttype];
        if (r->kind == PDB_AV_TRANSITION) {
            add(&ours, "transition", r->cond != 0, s, t, k->name, p->types[r->data]);
            continue;
        }
        for (uint32_t b = 0; b < k->nperms; b++)
            if ((r->data >> b) & 1u)
                add(&ours, r->kind == PDB_AV_ALLOW ? "allow" : "dontaudit", r->cond != 0, s, t, k->name, k->perms[b]);
    }

    /* theirs */
    if (ref_lines(argv[2], &theirs)) {
        fprintf(stderr, "diff_sepol: cannot read %s\n", argv[2]);
        return 2;
    }

    uniq(&ours);
    uniq(&theirs);
    size_t i = 0, j = 0, diffs = 0;
    while (i < ours.n || j < theirs.n) {
        int c = i == ours.n ? 1 : j == theirs.n ? -1 : strcmp(ours.v[i], theirs.v[j]);
        if (c < 0)
            printf("only xenia:      %s\n", ours.v[i++]), diffs++;
        else if (c > 0)
            printf("only checkpolicy: %s\n", theirs.v[j++]), diffs++;
        else
            i++, j++;
    }
    printf("diff_sepol: %s: %zu rule lines, %zu differences\n", argv[1], ours.n, diffs);
    for (i = 0; i < ours.n; i++)
        free(ours.v[i]);
    for (j = 0; j < theirs.n; j++)
        free(theirs.v[j]);
    free(ours.v);
    free(theirs.v);
    pdb_free(p);
    free(d);
    return diffs ? 1 : 0;
}
