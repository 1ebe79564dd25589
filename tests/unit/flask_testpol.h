/* SPDX-License-Identifier: MIT */
/*
 * Test policies for the FLASK security server tests (test_flask_ss.c, test_avc.c):
 * a small policydb built directly in C (heap-owned, freed by pdb_free()), plus the
 * host class table of xsm/access_vectors.def.
 *
 *   types   1 dom0_t 2 domU_t 3 dm_t 4 xen_t 5 security_t 6 unlabeled_t 7 evchn_t
 *   classes 1 domain (no `console`, perms in a different order than the host's)
 *           2 xen  3 security  4 event   (no mmu, stubdom, grant, attest)
 *   roles   1 object_r  2 system_r {dom0_t dm_t xen_t security_t unlabeled_t domU_t}
 *           3 tenant_r {domU_t}
 *   users   1 system_u {object_r system_r} s0 - s1:c0.c255
 *           2 tenant_u {object_r tenant_r} s0 - s0:c0.c9
 *   MLS     s0 s1; c0..c255
 *   bools   1 pause_ok=false 2 gate=true; conds 1: pause_ok, 2: pause_ok && gate
 */
#ifndef XENIA_TEST_FLASK_TESTPOL_H
#define XENIA_TEST_FLASK_TESTPOL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policydb.h"
#include "xsm/access_vectors.def"
#include "xsm/flask/ss.h"

enum { T_DOM0 = 1, T_DOMU, T_DM, T_XEN, T_SEC, T_UNL, T_EVCHN, T_N = T_EVCHN };
enum { C_DOMAIN = 1, C_XEN, C_SECURITY, C_EVENT, C_N = C_EVENT };
enum { R_OBJ = 1, R_SYS, R_TEN };
enum { U_SYS = 1, U_TEN };
/* policy bits of class domain */
enum { PD_GETINFO = 1u << 0, PD_CREATE = 1u << 1, PD_TRANSITION = 1u << 2, PD_DESTROY = 1u << 3,
       PD_PAUSE = 1u << 4, PD_UNPAUSE = 1u << 5, PD_SHUTDOWN = 1u << 6 };
enum { PX_VERSION = 1u << 0, PX_WRITECONSOLE = 1u << 1, PX_READCONSOLE = 1u << 2 };
enum { PE_CREATE = 1u << 0, PE_BIND = 1u << 1, PE_SEND = 1u << 2, PE_STATUS = 1u << 3,
       PE_CLOSE = 1u << 4 };

/* ---- host class table from xsm/access_vectors.def ---- */
#define TP_PERMS_C(c) };  static const char *const tp_perms_##c[] = {
#define TP_PERMS_P(c, p) #p,
static const char *const tp_perms__dummy[] __attribute__((unused)) = {
    XSM_CLASSES(TP_PERMS_C, TP_PERMS_P)
};
#define TP_HOST_C(c) { #c, sizeof(tp_perms_##c) / sizeof(tp_perms_##c[0]), tp_perms_##c },
#define TP_HOST_P(c, p)
static const struct ss_host_class tp_hosts[] = { XSM_CLASSES(TP_HOST_C, TP_HOST_P) };
#define TP_NHOSTS ((uint32_t)(sizeof(tp_hosts) / sizeof(tp_hosts[0])))

static inline uint32_t tp_hclass(const char *name)
{
    for (uint32_t i = 0; i < TP_NHOSTS; i++)
        if (strcmp(tp_hosts[i].name, name) == 0)
            return i + 1;
    return 0;
}

static inline uint32_t tp_hperm(const char *cls, const char *perm)
{
    uint32_t c = tp_hclass(cls);
    if (!c)
        return 0;
    for (uint32_t j = 0; j < tp_hosts[c - 1].nperms; j++)
        if (strcmp(tp_hosts[c - 1].perms[j], perm) == 0)
            return 1u << j;
    return 0;
}

/* ---- policydb building ---- */

static inline char *tp_s(const char *s)
{
    char *d = strdup(s);
    if (!d)
        abort();
    return d;
}

static inline void *tp_z(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        abort();
    return p;
}

static inline void tp_bm(struct pdb_bitmap *b, uint32_t nbits)
{
    b->nbits = nbits;
    b->words = nbits ? tp_z((nbits + 63) / 64, sizeof(uint64_t)) : NULL;
}

static inline void tp_bset(struct pdb_bitmap *b, uint32_t i)
{
    b->words[i / 64] |= (uint64_t)1 << (i % 64);
}

static inline void tp_cats(struct pdb_level *l, uint32_t lo, uint32_t hi)
{
    for (uint32_t c = lo; c <= hi; c++)
        l->cats[c / 64] |= (uint64_t)1 << (c % 64);
}

static inline struct pdb_level tp_lvl(uint16_t sens, int lo, int hi)
{
    struct pdb_level l;
    memset(&l, 0, sizeof(l));
    l.sens = sens;
    if (lo >= 0)
        tp_cats(&l, (uint32_t)lo, (uint32_t)hi);
    return l;
}

static inline struct pdb_context tp_ctx(uint16_t u, uint16_t r, uint16_t t, struct pdb_level lo,
                                        struct pdb_level hi)
{
    struct pdb_context c;
    memset(&c, 0, sizeof(c));
    c.user = u;
    c.role = r;
    c.type = t;
    c.low = lo;
    c.high = hi;
    return c;
}

static inline void tp_rule(struct policydb *p, uint16_t s, uint16_t t, uint16_t c, uint8_t kind,
                           uint16_t cond, uint8_t branch, uint32_t data)
{
    struct pdb_avrule *n = realloc(p->avrules, (p->navrules + 1) * sizeof(*n));
    if (!n)
        abort();
    p->avrules = n;
    struct pdb_avrule *r = &n[p->navrules++];
    memset(r, 0, sizeof(*r));
    r->stype = s;
    r->ttype = t;
    r->tclass = c;
    r->kind = kind;
    r->cond = cond;
    r->branch = branch;
    r->data = data;
}

static inline int tp_rule_cmp(const void *a, const void *b)
{
    const struct pdb_avrule *x = a, *y = b;
#define TP_CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
    TP_CMP(stype); TP_CMP(ttype); TP_CMP(tclass); TP_CMP(kind); TP_CMP(cond); TP_CMP(branch);
#undef TP_CMP
    return 0;
}

static inline void tp_sort(struct policydb *p)
{
    qsort(p->avrules, p->navrules, sizeof(*p->avrules), tp_rule_cmp);
}

/* A name set over users/roles/types (nbits = count + 1), index of the new set. */
static inline uint32_t tp_set(struct policydb *p, uint32_t count, const uint32_t *idx, uint32_t n)
{
    struct pdb_bitmap *s = realloc(p->sets, (p->nsets + 1) * sizeof(*s));
    if (!s)
        abort();
    p->sets = s;
    tp_bm(&s[p->nsets], count + 1);
    for (uint32_t i = 0; i < n; i++)
        tp_bset(&s[p->nsets], idx[i]);
    return p->nsets++;
}

#define TP_ATTR(a, o)      ((struct pdb_consnode){ PDB_CONS_ATTR, (a), (o), 0, 0 })
#define TP_NAMES(a, o, s)  ((struct pdb_consnode){ PDB_CONS_NAMES, (a), (o), 0, (s) })
#define TP_NOT             ((struct pdb_consnode){ PDB_CONS_NOT, 0, 0, 0, 0 })
#define TP_AND             ((struct pdb_consnode){ PDB_CONS_AND, 0, 0, 0, 0 })
#define TP_OR              ((struct pdb_consnode){ PDB_CONS_OR, 0, 0, 0, 0 })

static inline void tp_cons(struct policydb *p, uint16_t tclass, uint8_t mls, uint32_t perms,
                           const struct pdb_consnode *e, uint32_t n)
{
    struct pdb_constraint *c = realloc(p->cons, (p->ncons + 1) * sizeof(*c));
    if (!c)
        abort();
    p->cons = c;
    struct pdb_constraint *k = &c[p->ncons++];
    memset(k, 0, sizeof(*k));
    k->tclass = tclass;
    k->mls = mls;
    k->perms = perms;
    k->nexpr = n;
    memcpy(k->expr, e, n * sizeof(*e));
}

static inline void tp_class(struct pdb_class *c, const char *name, const char *const *perms,
                            uint32_t n)
{
    c->name = tp_s(name);
    c->nperms = n;
    for (uint32_t i = 0; i < n; i++)
        c->perms[i] = tp_s(perms[i]);
}

/* The base policy described at the top of this file, with its rules sorted. */
static inline struct policydb *tp_policy(void)
{
    struct policydb *p = tp_z(1, sizeof(*p));
    p->version = PDB_VERSION;
    p->handle_unknown = PDB_UNKNOWN_DENY;

    static const char *const types[] = { NULL, "dom0_t", "domU_t", "dm_t", "xen_t",
                                         "security_t", "unlabeled_t", "evchn_t" };
    p->ntypes = T_N;
    p->types = tp_z(T_N + 1, sizeof(char *));
    for (uint32_t i = 1; i <= T_N; i++)
        p->types[i] = tp_s(types[i]);

    p->nattrs = 1;
    p->attrs = tp_z(1, sizeof(*p->attrs));
    p->attrs[0].name = tp_s("domain_type");
    tp_bm(&p->attrs[0].types, T_N + 1);
    tp_bset(&p->attrs[0].types, T_DOM0);
    tp_bset(&p->attrs[0].types, T_DOMU);

    static const char *const pdom[] = { "getinfo", "create", "transition", "destroy",
                                        "pause", "unpause", "shutdown" };
    static const char *const pxen[] = { "version", "writeconsole", "readconsole" };
    static const char *const psec[] = { "load_policy", "setenforce", "setbool", "read_audit" };
    static const char *const pevt[] = { "create", "bind", "send", "status", "close" };
    p->nclasses = C_N;
    p->classes = tp_z(C_N + 1, sizeof(*p->classes));
    tp_class(&p->classes[C_DOMAIN], "domain", pdom, 7);
    tp_class(&p->classes[C_XEN], "xen", pxen, 3);
    tp_class(&p->classes[C_SECURITY], "security", psec, 4);
    tp_class(&p->classes[C_EVENT], "event", pevt, 5);

    p->nsens = 2;
    p->sens = tp_z(3, sizeof(char *));
    p->sens[1] = tp_s("s0");
    p->sens[2] = tp_s("s1");
    p->ncats = 256;
    p->cats = tp_z(256, sizeof(char *));
    for (uint32_t i = 0; i < 256; i++) {
        char nm[8];
        snprintf(nm, sizeof(nm), "c%u", i);
        p->cats[i] = tp_s(nm);
    }

    p->nroles = 3;
    p->roles = tp_z(4, sizeof(*p->roles));
    p->roles[R_OBJ].name = tp_s("object_r");
    p->roles[R_SYS].name = tp_s("system_r");
    p->roles[R_TEN].name = tp_s("tenant_r");
    for (uint32_t r = 1; r <= 3; r++)
        tp_bm(&p->roles[r].types, T_N + 1);
    for (uint32_t t = 1; t <= T_N; t++)
        if (t != T_EVCHN)
            tp_bset(&p->roles[R_SYS].types, t);
    tp_bset(&p->roles[R_TEN].types, T_DOMU);

    p->nusers = 2;
    p->users = tp_z(3, sizeof(*p->users));
    p->users[U_SYS].name = tp_s("system_u");
    tp_bm(&p->users[U_SYS].roles, 4);
    tp_bset(&p->users[U_SYS].roles, R_OBJ);
    tp_bset(&p->users[U_SYS].roles, R_SYS);
    p->users[U_SYS].dfl = tp_lvl(1, -1, -1);
    p->users[U_SYS].range_low = tp_lvl(1, -1, -1);
    p->users[U_SYS].range_high = tp_lvl(2, 0, 255);
    p->users[U_TEN].name = tp_s("tenant_u");
    tp_bm(&p->users[U_TEN].roles, 4);
    tp_bset(&p->users[U_TEN].roles, R_OBJ);
    tp_bset(&p->users[U_TEN].roles, R_TEN);
    p->users[U_TEN].dfl = tp_lvl(1, -1, -1);
    p->users[U_TEN].range_low = tp_lvl(1, -1, -1);
    p->users[U_TEN].range_high = tp_lvl(1, 0, 9);

    p->nbools = 2;
    p->bools = tp_z(3, sizeof(*p->bools));
    p->bools[1].name = tp_s("pause_ok");
    p->bools[1].dflt = false;
    p->bools[2].name = tp_s("gate");
    p->bools[2].dflt = true;
    p->nconds = 2;
    p->conds = tp_z(2, sizeof(*p->conds));
    p->conds[0].nexpr = 1;
    p->conds[0].expr[0] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };
    p->conds[1].nexpr = 3;
    p->conds[1].expr[0] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };
    p->conds[1].expr[1] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 2 };
    p->conds[1].expr[2] = (struct pdb_cexpr){ PDB_CEXPR_AND, 0, 0 };

    tp_rule(p, T_DOM0, T_DOMU, C_DOMAIN, PDB_AV_ALLOW, 0, 0,
            PD_GETINFO | PD_CREATE | PD_DESTROY | PD_PAUSE | PD_UNPAUSE | PD_SHUTDOWN);
    tp_rule(p, T_DOM0, T_UNL, C_DOMAIN, PDB_AV_ALLOW, 0, 0, PD_GETINFO);
    tp_rule(p, T_DOM0, T_XEN, C_XEN, PDB_AV_ALLOW, 0, 0, PX_VERSION | PX_WRITECONSOLE);
    tp_rule(p, T_DOMU, T_XEN, C_XEN, PDB_AV_ALLOW, 0, 0, PX_VERSION | PX_WRITECONSOLE);
    tp_rule(p, T_DOMU, T_XEN, C_XEN, PDB_AV_DONTAUDIT, 0, 0, PX_READCONSOLE);
    tp_rule(p, T_DOMU, T_DOMU, C_DOMAIN, PDB_AV_ALLOW, 1, 1, PD_PAUSE);
    tp_rule(p, T_DOMU, T_DOMU, C_DOMAIN, PDB_AV_ALLOW, 1, 0, PD_GETINFO);
    tp_rule(p, T_DM, T_DOMU, C_EVENT, PDB_AV_ALLOW, 2, 1, PE_SEND);
    tp_rule(p, T_DM, T_DOMU, C_EVENT, PDB_AV_ALLOW, 0, 0, PE_STATUS);
    tp_rule(p, T_DOM0, T_DOMU, C_EVENT, PDB_AV_TRANSITION, 0, 0, T_EVCHN);
    tp_rule(p, T_DOM0, T_DOMU, C_EVENT, PDB_AV_ALLOW, 0, 0, PE_CREATE | PE_SEND);
    tp_rule(p, T_DOM0, T_DOM0, C_SECURITY, PDB_AV_ALLOW, 0, 0, 0xf);
    tp_sort(p);

    /* MCS: event send only within one category set, unless from dom0_t. */
    uint32_t dom0set = tp_set(p, T_N, (const uint32_t[]){ T_DOM0 }, 1);
    struct pdb_consnode mcs[] = { TP_ATTR(PDB_ATTR_L1L2, PDB_OP_EQ),
                                  TP_NAMES(PDB_ATTR_T1, PDB_OP_EQ, dom0set), TP_OR };
    tp_cons(p, C_EVENT, 1, PE_SEND, mcs, 3);

    p->nisids = 4;
    p->isids = tp_z(4, sizeof(*p->isids));
    struct pdb_level s0 = tp_lvl(1, -1, -1);
    p->isids[0].name = tp_s("xen");
    p->isids[0].has_context = true;
    p->isids[0].context = tp_ctx(U_SYS, R_SYS, T_XEN, s0, s0);
    p->isids[1].name = tp_s("security");
    p->isids[1].has_context = true;
    p->isids[1].context = tp_ctx(U_SYS, R_SYS, T_SEC, s0, s0);
    p->isids[2].name = tp_s("unlabeled");
    p->isids[2].has_context = true;
    p->isids[2].context = tp_ctx(U_SYS, R_SYS, T_UNL, s0, s0);
    p->isids[3].name = tp_s("domio");
    p->isids[3].has_context = false;

    p->nlogins = 2;
    p->logins = tp_z(2, sizeof(*p->logins));
    p->logins[0].uid = 0;
    p->logins[0].context = tp_ctx(U_SYS, R_SYS, T_DOM0, s0, tp_lvl(2, 0, 255));
    p->logins[1].uid = PDB_LOGIN_DEFAULT;
    p->logins[1].context = tp_ctx(U_TEN, R_TEN, T_DOMU, s0, s0);
    return p;
}

/* Serialise p (pdb_write) into a malloc'd binary. */
static inline uint8_t *tp_bin(const struct policydb *p, size_t *len)
{
    uint8_t *b = NULL;
    int rc = pdb_write(p, &b, len);
    if (rc) {
        fprintf(stderr, "pdb_write: %d\n", rc);
        abort();
    }
    return b;
}

/* A server with p loaded (p is freed). */
static inline struct flask_ss *tp_server(struct policydb *p)
{
    struct flask_ss *ss = NULL;
    char err[256] = "";
    size_t len = 0;
    if (flask_ss_new(tp_hosts, TP_NHOSTS, &ss))
        abort();
    uint8_t *b = tp_bin(p, &len);
    int rc = flask_ss_load(ss, b, len, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "flask_ss_load: %d %s\n", rc, err);
        abort();
    }
    free(b);
    pdb_free(p);
    return ss;
}

static inline uint32_t tp_sid(struct flask_ss *ss, const char *ctx)
{
    uint32_t sid = 0;
    char err[256] = "";
    int rc = flask_ss_context_to_sid(ss, ctx, &sid, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "context_to_sid(%s): %d %s\n", ctx, rc, err);
        abort();
    }
    return sid;
}

#endif
