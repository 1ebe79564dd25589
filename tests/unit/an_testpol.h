/* SPDX-License-Identifier: MIT */
/*
 * A small policydb built in C for the analyser and audit2allow tests
 * (test_analyze.c, test_audit2allow.c). Include after <cmocka.h>.
 */
#ifndef XENIA_TEST_AN_TESTPOL_H
#define XENIA_TEST_AN_TESTPOL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/analyze.h"
#include "policy/policydb.h"

/* ---- a hand-built policy --------------------------------------------------------
 * types   1 client_t 2 dom_t 3 host_t (xenia_tcb)
 * classes 1 dom { pause(w) getinfo(r) }   2 gnt { map_write(both) map_read(r) }
 * roles   1 r { all types }   users 1 u { r } s0 - s0:c0.c3   MLS s0, c0..c3
 * bools   1 b (default false)
 * logins  1 -> u:r:client_t:s0:c1, 2 -> u:r:client_t:s0:c2
 * rules   client_t dom_t : dom { pause getinfo }
 *         dom_t dom_t : gnt map_write
 * constraints (mls) dom *, gnt *: l1 eq l2
 */
enum { T_CLIENT = 1, T_DOM, T_HOST, NT = 3 };
enum { C_DOM = 1, C_GNT, NC = 2 };
enum { P_PAUSE = 1u << 0, P_GETINFO = 1u << 1, P_MAPW = 1u << 0, P_MAPR = 1u << 1 };

static inline void *z(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    assert_non_null(p);
    return p;
}

static inline char *s(const char *x)
{
    char *d = strdup(x);
    assert_non_null(d);
    return d;
}

static inline void bm(struct pdb_bitmap *b, uint32_t nbits, uint64_t word0)
{
    b->nbits = nbits;
    b->words = z((nbits + 63) / 64, sizeof(uint64_t));
    b->words[0] = word0;
}

static inline struct pdb_level lvl(int cat)
{
    struct pdb_level l;
    memset(&l, 0, sizeof(l));
    l.sens = 1;
    if (cat >= 0)
        l.cats[0] = 1ull << cat;
    return l;
}

static inline struct pdb_context ctx(uint16_t type, int cat)
{
    struct pdb_context c;
    memset(&c, 0, sizeof(c));
    c.user = 1;
    c.role = 1;
    c.type = type;
    c.low = c.high = lvl(cat);
    return c;
}

static inline void rule(struct policydb *p, uint16_t st, uint16_t tt, uint16_t cl, uint16_t cond,
                 uint8_t branch, uint32_t data)
{
    struct pdb_avrule *r = &p->avrules[p->navrules++];
    memset(r, 0, sizeof(*r));
    r->stype = st;
    r->ttype = tt;
    r->tclass = cl;
    r->kind = PDB_AV_ALLOW;
    r->cond = cond;
    r->branch = branch;
    r->data = data;
}

static inline int rule_cmp(const void *a, const void *b)
{
    const struct pdb_avrule *x = a, *y = b;
#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
    CMP(stype); CMP(ttype); CMP(tclass); CMP(kind); CMP(cond); CMP(branch);
#undef CMP
    return 0;
}

static inline void eq_cons(struct policydb *p, uint16_t cl, uint32_t perms)
{
    struct pdb_constraint *c = &p->cons[p->ncons++];
    memset(c, 0, sizeof(*c));
    c->tclass = cl;
    c->mls = 1;
    c->perms = perms;
    c->nexpr = 1;
    c->expr[0] = (struct pdb_consnode){ PDB_CONS_ATTR, PDB_ATTR_L1L2, PDB_OP_EQ, 0, 0 };
}

static inline struct policydb *base_policy(void)
{
    static const char *const tn[] = { NULL, "client_t", "dom_t", "host_t" };
    struct policydb *p = z(1, sizeof(*p));

    p->version = PDB_VERSION;
    p->ntypes = NT;
    p->types = z(NT + 1, sizeof(char *));
    for (int i = 1; i <= NT; i++)
        p->types[i] = s(tn[i]);
    p->nattrs = 1;
    p->attrs = z(1, sizeof(*p->attrs));
    p->attrs[0].name = s(AN_TCB_ATTR);
    bm(&p->attrs[0].types, NT + 1, 1u << T_HOST);
    p->nclasses = NC;
    p->classes = z(NC + 1, sizeof(*p->classes));
    p->classes[C_DOM].name = s("dom");
    p->classes[C_DOM].nperms = 2;
    p->classes[C_DOM].perms[0] = s("pause");
    p->classes[C_DOM].perms[1] = s("getinfo");
    p->classes[C_DOM].write_mask = P_PAUSE;
    p->classes[C_DOM].read_mask = P_GETINFO;
    p->classes[C_GNT].name = s("gnt");
    p->classes[C_GNT].nperms = 2;
    p->classes[C_GNT].perms[0] = s("map_write");
    p->classes[C_GNT].perms[1] = s("map_read");
    p->classes[C_GNT].write_mask = P_MAPW;
    p->classes[C_GNT].read_mask = P_MAPW | P_MAPR;
    p->nroles = 1;
    p->roles = z(2, sizeof(*p->roles));
    p->roles[1].name = s("r");
    bm(&p->roles[1].types, NT + 1, 0xe);
    p->nusers = 1;
    p->users = z(2, sizeof(*p->users));
    p->users[1].name = s("u");
    bm(&p->users[1].roles, 2, 0x2);
    p->users[1].dfl = lvl(-1);
    p->users[1].range_low = lvl(-1);
    p->users[1].range_high = lvl(-1);
    p->users[1].range_high.cats[0] = 0xf;
    p->nbools = 1;
    p->bools = z(2, sizeof(*p->bools));
    p->bools[1].name = s("b");
    p->nsens = 1;
    p->sens = z(2, sizeof(char *));
    p->sens[1] = s("s0");
    p->ncats = 4;
    p->cats = z(4, sizeof(char *));
    for (int i = 0; i < 4; i++) {
        char n[8];
        snprintf(n, sizeof(n), "c%d", i);
        p->cats[i] = s(n);
    }
    p->avrules = z(16, sizeof(*p->avrules));
    rule(p, T_CLIENT, T_DOM, C_DOM, 0, 0, P_PAUSE | P_GETINFO);
    rule(p, T_DOM, T_DOM, C_GNT, 0, 0, P_MAPW);
    p->nconds = 1;
    p->conds = z(1, sizeof(*p->conds));
    p->conds[0].nexpr = 1;
    p->conds[0].expr[0] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };
    p->cons = z(8, sizeof(*p->cons));
    eq_cons(p, C_DOM, P_PAUSE | P_GETINFO);
    eq_cons(p, C_GNT, P_MAPW | P_MAPR);
    p->nlogins = 2;
    p->logins = z(2, sizeof(*p->logins));
    p->logins[0].uid = 1;
    p->logins[0].context = ctx(T_CLIENT, 1);
    p->logins[1].uid = 2;
    p->logins[1].context = ctx(T_CLIENT, 2);
    return p;
}

static inline void sort_rules(struct policydb *p)
{
    qsort(p->avrules, p->navrules, sizeof(*p->avrules), rule_cmp);
}

#endif
