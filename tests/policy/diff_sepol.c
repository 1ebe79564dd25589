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

#include <sepol/policydb/avtab.h>
#include <sepol/policydb/ebitmap.h>
#include <sepol/policydb/policydb.h>

#include "policy/compile.h"
#include "policy/policydb.h"

struct lines {
    size_t n, cap;
    char **v;
};

static void add(struct lines *l, const char *kind, int cond, const char *s, const char *t, const char *c,
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

/* ---- libsepol side ---- */

static policydb_t ref;
static const char *perm_name[256][32];

static int perm_cb(hashtab_key_t k, hashtab_datum_t d, void *arg)
{
    const char **names = arg;
    perm_datum_t *pd = d;
    if (pd->s.value >= 1 && pd->s.value <= 32)
        names[pd->s.value - 1] = k;
    return 0;
}

static struct lines *cur;
static int cur_cond;

static void expand(uint32_t v, ebitmap_t *out)
{
    ebitmap_init(out);
    if (ref.type_val_to_struct[v - 1]->flavor == TYPE_ATTRIB)
        ebitmap_cpy(out, &ref.attr_type_map[v - 1]);
    else
        ebitmap_set_bit(out, v - 1, 1);
}

static int av_cb(avtab_key_t *k, avtab_datum_t *d, void *arg)
{
    (void)arg;
    ebitmap_t ss, ts;
    ebitmap_node_t *n1, *n2;
    unsigned int i, j;
    const char *cls = ref.p_class_val_to_name[k->target_class - 1];
    expand(k->source_type, &ss);
    expand(k->target_type, &ts);
    ebitmap_for_each_positive_bit(&ss, n1, i) {
        ebitmap_for_each_positive_bit(&ts, n2, j) {
            const char *s = ref.p_type_val_to_name[i], *t = ref.p_type_val_to_name[j];
            if (k->specified & AVTAB_TRANSITION) {
                add(cur, "transition", cur_cond, s, t, cls, ref.p_type_val_to_name[d->data - 1]);
                continue;
            }
            uint32_t bits = d->data;
            const char *kind = "allow";
            if (k->specified & AVTAB_AUDITDENY) {
                bits = ~bits;
                kind = "dontaudit";
            } else if (!(k->specified & AVTAB_ALLOWED)) {
                continue;
            }
            for (int b = 0; b < 32; b++)
                if ((bits >> b) & 1u && perm_name[k->target_class][b])
                    add(cur, kind, cur_cond, s, t, cls, perm_name[k->target_class][b]);
        }
    }
    ebitmap_destroy(&ss);
    ebitmap_destroy(&ts);
    return 0;
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
    policy_file_t pf;
    policy_file_init(&pf);
    pf.type = PF_USE_STDIO;
    pf.fp = fopen(argv[2], "rb");
    if (!pf.fp || policydb_init(&ref) || policydb_read(&ref, &pf, 0)) {
        fprintf(stderr, "diff_sepol: cannot read %s\n", argv[2]);
        return 2;
    }
    for (uint32_t c = 1; c <= ref.p_classes.nprim && c < 256; c++) {
        class_datum_t *cd = ref.class_val_to_struct[c - 1];
        if (cd->comdatum)
            hashtab_map(cd->comdatum->permissions.table, perm_cb, perm_name[c]);
        hashtab_map(cd->permissions.table, perm_cb, perm_name[c]);
    }
    cur = &theirs;
    cur_cond = 0;
    avtab_map(&ref.te_avtab, av_cb, NULL);
    cur_cond = 1;
    avtab_map(&ref.te_cond_avtab, av_cb, NULL);

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
    return diffs ? 1 : 0;
}
