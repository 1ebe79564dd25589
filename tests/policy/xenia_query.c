/* SPDX-License-Identifier: MIT */
/*
 * xenia_query — Xenia's side of the differential test (tests/policy/run_diff.sh),
 * and the query generator.
 *
 *   xenia_query gen SRC.te           print the query list for SRC.te
 *   xenia_query run SRC.te < QUERIES  answer it (pol_compile + ss_context_parse +
 *                                     ss_compute_av), in sepol_query's format
 *
 * The protocol is described in tests/policy/sepol_query.c.
 *
 * The query list: "ctx C" for every context C of the list, then, for each boolean
 * setting, "bools ..." and "q S T CLASS" for every ordered pair of contexts our
 * parser accepts and every class (each answer covers every permission of the class).
 *   contexts: the lines of a "# contexts:" comment block in SRC.te ("#   CTX" each,
 *             up to the first line that is not one), else generated: every
 *             user:role:type (the user's roles; object_r with every type for the
 *             first user) at each level found in the initial SID and login contexts
 *             and the users' default levels and ranges (at most 8 levels).
 *   booleans: every combination when the policy has at most 3; else the defaults,
 *             all true, all false.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/policy/xq_common.h"

#define MAX_CTX 4096u
#define MAX_LEVELS 8u

static char *ctxs[MAX_CTX];
static uint32_t nctx;

static void add_ctx(const char *c)
{
    for (uint32_t i = 0; i < nctx; i++)
        if (strcmp(ctxs[i], c) == 0)
            return;
    if (nctx < MAX_CTX)
        ctxs[nctx++] = strdup(c);
}

/* Contexts from a "# contexts:" block; returns how many. */
static uint32_t block_contexts(const char *src)
{
    const char *p = strstr(src, "# contexts:");
    if (!p)
        return 0;
    p = strchr(p, '\n');
    while (p && *++p == '#') {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char buf[SS_CONTEXT_MAX], tok[SS_CONTEXT_MAX];
        if (n >= sizeof(buf))
            break;
        memcpy(buf, p, n);
        buf[n] = '\0';
        if (sscanf(buf, "#%511s", tok) != 1 || !strchr(tok, ':'))
            break;
        add_ctx(tok);
        p = e;
    }
    return nctx;
}

/* The level part of a formatted context (after the third ':'). */
static const char *level_of(const char *ctx)
{
    const char *p = ctx;
    for (int k = 0; k < 3 && p; k++) {
        p = strchr(p, ':');
        if (p)
            p++;
    }
    return p ? p : "";
}

static void generate_contexts(const struct policydb *p)
{
    char levels[MAX_LEVELS][SS_CONTEXT_MAX];
    uint32_t nl = 0;
    char buf[SS_CONTEXT_MAX];
    struct pdb_context cs[PDB_MAX_ISIDS + PDB_MAX_LOGINS + 2 * PDB_MAX_USERS + 2];
    uint32_t n = 0;

    for (uint32_t i = 0; i < p->nisids; i++)
        if (p->isids[i].has_context)
            cs[n++] = p->isids[i].context;
    for (uint32_t i = 0; i < p->nlogins; i++)
        cs[n++] = p->logins[i].context;
    for (uint32_t u = 1; u <= p->nusers && p->nsens; u++) {
        struct pdb_context c = { .user = (uint16_t)u, .role = 1, .type = 1 };
        c.low = c.high = p->users[u].dfl;
        cs[n++] = c;
        c.low = p->users[u].range_low;
        c.high = p->users[u].range_high;
        cs[n++] = c;
    }
    for (uint32_t i = 0; i < n && nl < MAX_LEVELS; i++) {
        if (ss_context_format(p, &cs[i], buf, sizeof(buf)) < 0)
            continue;
        const char *l = level_of(buf);
        bool dup = false;
        for (uint32_t j = 0; j < nl; j++)
            dup |= strcmp(levels[j], l) == 0;
        if (!dup)
            snprintf(levels[nl++], sizeof(levels[0]), "%s", l);
    }
    if (nl == 0)
        levels[nl++][0] = '\0';
    uint32_t objr = pdb_role_index(p, "object_r");
    for (uint32_t li = 0; li < nl; li++)
        for (uint32_t u = 1; u <= p->nusers; u++)
            for (uint32_t r = 1; r <= p->nroles; r++) {
                bool is_objr = r == objr;
                if (is_objr ? u != 1 : !pdb_bit(&p->users[u].roles, r))
                    continue;
                for (uint32_t t = 1; t <= p->ntypes; t++) {
                    if (!is_objr && !pdb_bit(&p->roles[r].types, t))
                        continue;
                    int k = snprintf(buf, sizeof(buf), "%s:%s:%s%s%s", p->users[u].name,
                                     p->roles[r].name, p->types[t],
                                     levels[li][0] ? ":" : "", levels[li]);
                    if (k > 0 && (size_t)k < sizeof(buf))
                        add_ctx(buf);
                }
            }
}

static int gen(const struct policydb *p, const char *src)
{
    if (block_contexts(src) == 0)
        generate_contexts(p);
    printf("# %u contexts\n", nctx);
    for (uint32_t i = 0; i < nctx; i++)
        printf("ctx %s\n", ctxs[i]);
    uint32_t nb = p->nbools, nsettings;
    if (nb <= 3)
        nsettings = 1u << nb;
    else
        nsettings = 3;
    for (uint32_t set = 0; set < nsettings; set++) {
        if (nb > 0) {
            printf("bools");
            for (uint32_t b = 1; b <= nb; b++) {
                int v;
                if (nb <= 3)
                    v = (set >> (b - 1)) & 1u;
                else
                    v = set == 0 ? p->bools[b].dflt : set == 1;
                printf(" %s=%d", p->bools[b].name, v);
            }
            putchar('\n');
        }
        for (uint32_t i = 0; i < nctx; i++) {
            if (!xq_ctx_valid(p, ctxs[i]))
                continue;
            for (uint32_t j = 0; j < nctx; j++) {
                if (!xq_ctx_valid(p, ctxs[j]))
                    continue;
                for (uint32_t c = 1; c <= p->nclasses; c++)
                    printf("q %s %s %s\n", ctxs[i], ctxs[j], p->classes[c].name);
            }
        }
    }
    return 0;
}

static int run(const struct policydb *p)
{
    char line[4096], out[16384];
    unsigned long long total = 0;
    bool *bools = calloc(p->nbools + 1, sizeof(bool));

    if (!bools)
        return 1;
    xq_default_bools(p, bools);
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
                if (!eq || xq_set_bool(p, bools, (*eq = '\0', a), eq[1] == '1')) {
                    fprintf(stderr, "xenia_query: bad boolean '%s'\n", a);
                    return 1;
                }
                printf(" %s=%c", a, eq[1]);
            }
            putchar('\n');
        } else if (strcmp(kw, "ctx") == 0) {
            char *c = strtok_r(NULL, " ", &save);
            if (!c)
                return 1;
            printf("ctx %s %s\n", c, xq_ctx_valid(p, c) ? "valid" : "invalid");
        } else if (strcmp(kw, "q") == 0) {
            char *s = strtok_r(NULL, " ", &save), *t = strtok_r(NULL, " ", &save);
            char *cl = strtok_r(NULL, " ", &save);
            if (!s || !t || !cl) {
                fprintf(stderr, "xenia_query: bad query line\n");
                return 1;
            }
            xq_answer(p, bools, s, t, cl, out, sizeof(out), &total);
            printf("%s %s %s %s\n", s, t, cl, out);
        } else {
            fprintf(stderr, "xenia_query: unknown statement '%s'\n", kw);
            return 1;
        }
    }
    printf("total %llu decisions\n", total);
    free(bools);
    return 0;
}

int main(int argc, char **argv)
{
    char err[1024];
    size_t len = 0;

    if (argc != 3 || (strcmp(argv[1], "gen") && strcmp(argv[1], "run"))) {
        fprintf(stderr, "usage: xenia_query gen|run SRC.te\n");
        return 2;
    }
    struct policydb *p = xq_compile(argv[2], err, sizeof(err));
    if (!p) {
        fprintf(stderr, "xenia_query: %s\n", err);
        return 1;
    }
    int rc;
    if (argv[1][0] == 'g') {
        char *src = xq_read_file(argv[2], &len);
        if (!src)
            return 1;
        rc = gen(p, src);
        free(src);
    } else {
        rc = run(p);
    }
    for (uint32_t i = 0; i < nctx; i++)
        free(ctxs[i]);
    pdb_free(p);
    return rc;
}
