/* SPDX-License-Identifier: MIT */
/*
 * sepol_query — the REFERENCE side of the differential test (tests/policy/run_diff.sh):
 * access decisions of Debian's libsepol (static libsepol.a) over a policy binary
 * compiled by checkpolicy (`checkpolicy -t xen -M -c 30`).
 *
 *   sepol_query POLICY.bin < QUERIES > ANSWERS
 *
 * Query protocol (one statement per line; xenia_query.c speaks the same):
 *   # ...                          comment, ignored
 *   bools NAME=0|1 ...             set booleans (libsepol: bool state + evaluate_conds);
 *                                  echoed as is
 *   ctx CONTEXT                    -> "ctx CONTEXT valid" | "ctx CONTEXT invalid"
 *   q SCTX TCTX CLASS              -> "SCTX TCTX CLASS ALLOWED DONTAUDIT"
 *                                     ALLOWED: the allowed permissions, DONTAUDIT: the
 *                                     permissions whose denial is not audited; each a
 *                                     comma list sorted by name, or "-"; both masked
 *                                     to the class's declared permissions (libsepol
 *                                     keeps all 32 bits for `allow ... *`);
 *                                     "SCTX TCTX CLASS invalid" for an invalid context
 *                                     or unknown class
 * At the end: "total N decisions", N = the number of (query, permission) pairs
 * decided (a query of a valid pair counts the class's permissions).
 *
 * Uses libsepol's policydb and services API (sepol/policydb/services.h):
 * policydb_read, policydb_load_isids, sepol_set_policydb, sepol_set_sidtab,
 * sepol_context_to_sid, sepol_string_to_security_class, sepol_compute_av,
 * evaluate_conds. A test tool, not part of Xenia.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sepol/debug.h>
#include <sepol/policydb/conditional.h>
#include <sepol/policydb/hashtab.h>
#include <sepol/policydb/policydb.h>
#include <sepol/policydb/services.h>
#include <sepol/policydb/sidtab.h>

static policydb_t pol;
static sidtab_t sids;

struct permnames {
    const char *name[33];                 /* by permission value 1..32 */
};

static int perm_cb(hashtab_key_t k, hashtab_datum_t d, void *arg)
{
    struct permnames *pn = arg;
    perm_datum_t *pd = d;
    if (pd->s.value >= 1 && pd->s.value <= 32)
        pn->name[pd->s.value] = k;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Print the names of the bits set in v (of class names pn), sorted; "-" if none. */
static void print_perms(const struct permnames *pn, uint32_t v)
{
    const char *out[32];
    size_t n = 0;
    for (uint32_t b = 0; b < 32; b++)
        if ((v >> b) & 1u && pn->name[b + 1])
            out[n++] = pn->name[b + 1];
    if (n == 0) {
        fputs("-", stdout);
        return;
    }
    qsort(out, n, sizeof(out[0]), cmp_str);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "," : "", out[i]);
}

static int set_bool(const char *name, int val)
{
    for (uint32_t i = 0; i < pol.p_bools.nprim; i++)
        if (strcmp(pol.p_bool_val_to_name[i], name) == 0) {
            pol.bool_val_to_struct[i]->state = val;
            return 0;
        }
    return -1;
}

int main(int argc, char **argv)
{
    struct policy_file pf;
    char line[4096];
    unsigned long long total = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: sepol_query POLICY.bin < QUERIES\n");
        return 2;
    }
    sepol_debug(0);
    FILE *fp = fopen(argv[1], "rb");
    if (!fp) {
        perror(argv[1]);
        return 1;
    }
    policy_file_init(&pf);
    pf.type = PF_USE_STDIO;
    pf.fp = fp;
    if (policydb_init(&pol) || policydb_read(&pol, &pf, 0)) {
        fprintf(stderr, "sepol_query: cannot read policy %s\n", argv[1]);
        return 1;
    }
    fclose(fp);
    if (sepol_sidtab_init(&sids) || policydb_load_isids(&pol, &sids) ||
        sepol_set_policydb(&pol) || sepol_set_sidtab(&sids)) {
        fprintf(stderr, "sepol_query: cannot set up the security server\n");
        return 1;
    }

    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *save = NULL;
        char *kw = strtok_r(line, " ", &save);
        if (strcmp(kw, "bools") == 0) {
            fputs("bools", stdout);
            for (char *a; (a = strtok_r(NULL, " ", &save));) {
                char *eq = strchr(a, '=');
                if (!eq || set_bool((*eq = '\0', a), eq[1] == '1')) {
                    fprintf(stderr, "sepol_query: bad boolean '%s'\n", a);
                    return 1;
                }
                printf(" %s=%c", a, eq[1]);
            }
            putchar('\n');
            if (evaluate_conds(&pol)) {
                fprintf(stderr, "sepol_query: evaluate_conds failed\n");
                return 1;
            }
        } else if (strcmp(kw, "ctx") == 0) {
            char *c = strtok_r(NULL, " ", &save);
            sepol_security_id_t sid;
            if (!c)
                return 1;
            printf("ctx %s %s\n", c,
                   sepol_context_to_sid(c, strlen(c), &sid) == 0 ? "valid" : "invalid");
        } else if (strcmp(kw, "q") == 0) {
            char *s = strtok_r(NULL, " ", &save), *t = strtok_r(NULL, " ", &save);
            char *cl = strtok_r(NULL, " ", &save);
            sepol_security_id_t ssid, tsid;
            sepol_security_class_t tclass;
            struct sepol_av_decision avd;
            if (!s || !t || !cl) {
                fprintf(stderr, "sepol_query: bad query line\n");
                return 1;
            }
            printf("%s %s %s ", s, t, cl);
            if (sepol_context_to_sid(s, strlen(s), &ssid) ||
                sepol_context_to_sid(t, strlen(t), &tsid) ||
                sepol_string_to_security_class(cl, &tclass) || tclass == 0 ||
                tclass > pol.p_classes.nprim) {
                puts("invalid");
                continue;
            }
            memset(&avd, 0, sizeof(avd));
            if (sepol_compute_av(ssid, tsid, tclass, 0xffffffffu, &avd)) {
                puts("invalid");
                continue;
            }
            class_datum_t *cd = pol.class_val_to_struct[tclass - 1];
            struct permnames pn;
            memset(&pn, 0, sizeof(pn));
            hashtab_map(cd->permissions.table, perm_cb, &pn);
            if (cd->comdatum)
                hashtab_map(cd->comdatum->permissions.table, perm_cb, &pn);
            uint32_t mask = 0, nperms = 0;
            for (uint32_t b = 0; b < 32; b++)
                if (pn.name[b + 1]) {
                    mask |= 1u << b;
                    nperms++;
                }
            print_perms(&pn, avd.allowed & mask);
            putchar(' ');
            print_perms(&pn, ~avd.auditdeny & mask);
            putchar('\n');
            total += nperms;
        } else {
            fprintf(stderr, "sepol_query: unknown statement '%s'\n", kw);
            return 1;
        }
    }
    printf("total %llu decisions\n", total);
    return 0;
}
