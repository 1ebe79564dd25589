/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: policy/policydb.c pdb_read() on an untrusted policy binary
 * (docs/policy-format.md). When it accepts the input, the harness checks the
 * round trip: pdb_write() succeeds, pdb_read() accepts the output, and writing
 * that again gives the same bytes; abort() otherwise. The harness also checks,
 * independently of the reader, what the security server relies on in an accepted
 * policy: every context, login and access vector rule names users, roles, types,
 * classes, sensitivities and conditionals that exist (the round trip alone cannot
 * see an index the reader forgot to check: the writer copies it out unchanged).
 * ASan/UBSan catch memory and arithmetic errors in the reader, the writer and
 * pdb_free().
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policydb.h"

static int level_ok(const struct policydb *p, const struct pdb_level *l)
{
    return l->sens >= 1 && l->sens <= p->nsens && p->sens[l->sens] != NULL;
}

static int context_ok(const struct policydb *p, const struct pdb_context *c)
{
    return c->user >= 1 && c->user <= p->nusers && c->role >= 1 && c->role <= p->nroles &&
           c->type >= 1 && c->type <= p->ntypes && p->types[c->type] != NULL &&
           level_ok(p, &c->low) && level_ok(p, &c->high);
}

/* What flask_ss_load/ss_compute_av index with: abort() on anything out of range. */
static void check_indices(const struct policydb *p)
{
    for (uint32_t i = 0; i < p->nisids; i++)
        if (p->isids[i].has_context && !context_ok(p, &p->isids[i].context))
            abort();
    for (uint32_t i = 0; i < p->nlogins; i++)
        if (!context_ok(p, &p->logins[i].context))
            abort();
    for (uint32_t i = 1; i <= p->nusers; i++)
        if (!level_ok(p, &p->users[i].dfl) || !level_ok(p, &p->users[i].range_low) ||
            !level_ok(p, &p->users[i].range_high))
            abort();
    for (uint32_t i = 0; i < p->navrules; i++) {
        const struct pdb_avrule *r = &p->avrules[i];
        if (r->stype < 1 || r->stype > p->ntypes || r->ttype < 1 || r->ttype > p->ntypes ||
            r->tclass < 1 || r->tclass > p->nclasses || r->cond > p->nconds ||
            (r->kind == PDB_AV_TRANSITION && (r->data < 1 || r->data > p->ntypes)))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct policydb *p = NULL, *q = NULL;
    uint8_t *buf, *w1 = NULL, *w2 = NULL;
    size_t n1 = 0, n2 = 0;
    char err[256];
    int rc;

    /* Exact-size heap copy: a read past the end is an ASan report. */
    buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    err[0] = 0;
    rc = pdb_read(buf, size, &p, err, sizeof(err));
    if (rc > 0 || (rc < 0 && p != NULL))
        abort();
    if (rc == 0) {
        if (p == NULL)
            abort();
        check_indices(p);
        if (pdb_write(p, &w1, &n1) != 0)
            abort();   /* an accepted policy must be writable */
        if (pdb_read(w1, n1, &q, err, sizeof(err)) != 0)
            abort();   /* what we write we must read back */
        if (pdb_write(q, &w2, &n2) != 0)
            abort();
        if (n1 != n2 || memcmp(w1, w2, n1) != 0)
            abort();   /* write(read(write(p))) == write(p) */
        pdb_free(q);
        pdb_free(p);
        free(w1);
        free(w2);
    }
    free(buf);
    return 0;
}
