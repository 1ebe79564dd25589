/* SPDX-License-Identifier: MIT */
/*
 * The libsepol side of tests/policy/diff_sepol.c: a checkpolicy binary's rules
 * (unconditional and both branches of conditionals), attributes expanded through
 * attr_type_map, one line per permission (see diff_lines.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <sepol/policydb/avtab.h>
#include <sepol/policydb/ebitmap.h>
#include <sepol/policydb/policydb.h>

#include "tests/policy/diff_lines.h"

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

int ref_lines(const char *path, struct lines *out)
{
    policy_file_t pf;
    policy_file_init(&pf);
    pf.type = PF_USE_STDIO;
    pf.fp = fopen(path, "rb");
    if (!pf.fp || policydb_init(&ref) || policydb_read(&ref, &pf, 0))
        return -1;
    for (uint32_t c = 1; c <= ref.p_classes.nprim && c < 256; c++) {
        class_datum_t *cd = ref.class_val_to_struct[c - 1];
        if (cd->comdatum)
            hashtab_map(cd->comdatum->permissions.table, perm_cb, perm_name[c]);
        hashtab_map(cd->permissions.table, perm_cb, perm_name[c]);
    }
    cur = out;
    cur_cond = 0;
    avtab_map(&ref.te_avtab, av_cb, NULL);
    cur_cond = 1;
    avtab_map(&ref.te_cond_avtab, av_cb, NULL);
    fclose(pf.fp);
    policydb_destroy(&ref);
    return 0;
}
