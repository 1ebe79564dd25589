/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the FLASK security server (xsm/flask/ss.c, server.c): contexts,
 * decisions (TE, booleans, constraints with every operator, MCS), transitions,
 * handle_unknown, SIDs across policy loads, failed loads.
 * The expected decisions follow SELinux semantics (services.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/flask_testpol.h"

#ifdef HAVE_POL_COMPILE
#include "policy/compile.h"
#endif

static struct pdb_context parse_ok(const struct policydb *p, const char *s)
{
    struct pdb_context c;
    char err[256] = "";
    int rc = ss_context_parse(p, s, &c, err, sizeof(err));
    if (rc)
        fail_msg("parse '%s': %d %s", s, rc, err);
    return c;
}

/* ---- contexts ---------------------------------------------------------------- */

static void test_context_roundtrip(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    static const struct { const char *in, *canon; } cases[] = {
        { "system_u:system_r:dom0_t:s0", "system_u:system_r:dom0_t:s0" },
        { "system_u:system_r:dom0_t:s0-s0", "system_u:system_r:dom0_t:s0" },
        { "system_u:system_r:dom0_t:s0-s1:c0.c255", "system_u:system_r:dom0_t:s0-s1:c0.c255" },
        { "tenant_u:tenant_r:domU_t:s0:c1,c3", "tenant_u:tenant_r:domU_t:s0:c1,c3" },
        { "tenant_u:tenant_r:domU_t:s0:c3,c1", "tenant_u:tenant_r:domU_t:s0:c1,c3" },
        { "tenant_u:tenant_r:domU_t:s0:c0,c1", "tenant_u:tenant_r:domU_t:s0:c0,c1" },
        { "tenant_u:tenant_r:domU_t:s0:c2,c0,c1,c3", "tenant_u:tenant_r:domU_t:s0:c0.c3" },
        { "tenant_u:tenant_r:domU_t:s0:c0.c5,c9", "tenant_u:tenant_r:domU_t:s0:c0.c5,c9" },
        { "tenant_u:tenant_r:domU_t:s0:c0.c1,c5.c7,c9",
          "tenant_u:tenant_r:domU_t:s0:c0,c1,c5.c7,c9" },
        { "tenant_u:tenant_r:domU_t:s0-s0:c1", "tenant_u:tenant_r:domU_t:s0-s0:c1" },
        { "system_u:object_r:evchn_t:s1:c7", "system_u:object_r:evchn_t:s1:c7" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pdb_context c = parse_ok(p, cases[i].in), c2;
        char buf[SS_CONTEXT_MAX];
        int n = ss_context_format(p, &c, buf, sizeof(buf));
        assert_int_equal(n, (int)strlen(cases[i].canon));
        assert_string_equal(buf, cases[i].canon);
        c2 = parse_ok(p, buf);
        assert_memory_equal(&c, &c2, sizeof(c));
    }
    /* The parsed fields themselves. */
    struct pdb_context c = parse_ok(p, "tenant_u:tenant_r:domU_t:s0-s0:c2.c4");
    assert_int_equal(c.user, U_TEN);
    assert_int_equal(c.role, R_TEN);
    assert_int_equal(c.type, T_DOMU);
    assert_int_equal(c.low.sens, 1);
    assert_int_equal(c.low.cats[0], 0);
    assert_int_equal(c.high.cats[0], 0x1c);
    /* -ENOSPC on a small buffer, exact fit works. */
    char fit[37];
    assert_int_equal(ss_context_format(p, &c, fit, 10), -ENOSPC);
    assert_int_equal(ss_context_format(p, &c, fit, 36), -ENOSPC);
    assert_int_equal(ss_context_format(p, &c, fit, sizeof(fit)), 36);
    assert_string_equal(fit, "tenant_u:tenant_r:domU_t:s0-s0:c2.c4");
    pdb_free(p);
}

static void test_context_reject(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    static const struct { const char *in, *why; } cases[] = {
        { "nobody_u:system_r:dom0_t:s0", "unknown user 'nobody_u'" },
        { "system_u:nobody_r:dom0_t:s0", "unknown role 'nobody_r'" },
        { "system_u:system_r:foo_t:s0", "unknown type 'foo_t'" },
        { "system_u:system_r:dom0_t:s9", "unknown sensitivity 's9'" },
        { "system_u:system_r:dom0_t:s0:c999", "unknown category 'c999'" },
        { "system_u:tenant_r:domU_t:s0", "role 'tenant_r' not authorised for user 'system_u'" },
        { "tenant_u:tenant_r:dom0_t:s0", "type 'dom0_t' not authorised for role 'tenant_r'" },
        { "system_u:system_r:evchn_t:s0", "type 'evchn_t' not authorised" },
        { "tenant_u:tenant_r:domU_t:s0:c10", "outside the range of user 'tenant_u'" },
        { "tenant_u:tenant_r:domU_t:s1", "outside the range" },
        { "tenant_u:tenant_r:domU_t:s0:c5.c1", "reversed category range" },
        { "tenant_u:tenant_r:domU_t:s0:c1.c1", "reversed category range" },
        { "system_u:system_r:dom0_t:s1-s0", "high level does not dominate" },
        { "system_u:system_r:dom0_t:s0:c1-s0:c2", "high level does not dominate" },
        { "system_u:system_r:dom0_t", "bad context syntax" },
        { "system_u:system_r", "bad context syntax" },
        { "system_u:system_r:dom0_t:", "empty level" },
        { "system_u:system_r:dom0_t:s0:", "empty category list" },
        { "system_u:system_r:dom0_t:s0:c1,", "trailing ','" },
        { "system_u:system_r:dom0_t:s0-", "empty high level" },
        { "system_u::dom0_t:s0", "empty field 2" },
        { "system_u:system_r:dom0_t:s0:c1.c2.c3", "bad category range" },
        { " system_u:system_r:dom0_t:s0", "bad character" },
        { "system_u:system_r:dom0_t:s0\n", "bad character" },
        { "", "bad context syntax" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct pdb_context c;
        memset(&c, 0x5a, sizeof(c));
        struct pdb_context before = c;
        char err[256] = "";
        int rc = ss_context_parse(p, cases[i].in, &c, err, sizeof(err));
        if (rc != -EINVAL || !strstr(err, cases[i].why))
            fail_msg("'%s': rc %d err '%s', want '%s'", cases[i].in, rc, err, cases[i].why);
        assert_memory_equal(&c, &before, sizeof(c)); /* untouched on error */
    }
    /* Too long: SS_CONTEXT_MAX bytes without NUL. */
    char *lng = malloc(SS_CONTEXT_MAX + 8);
    assert_non_null(lng);
    strcpy(lng, "system_u:system_r:dom0_t:s0:c0");
    size_t n = strlen(lng);
    while (n < SS_CONTEXT_MAX + 4)
        lng[n++] = ',', lng[n++] = 'c', lng[n++] = '1';
    lng[n] = '\0';
    struct pdb_context c;
    char err[256] = "";
    assert_int_equal(ss_context_parse(p, lng, &c, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "too long"));
    free(lng);
    /* object_r may hold any type, even one no role lists. */
    parse_ok(p, "system_u:object_r:evchn_t:s0");
    parse_ok(p, "tenant_u:object_r:dom0_t:s0:c9");
    pdb_free(p);
}

/*
 * object_r: libsepol's policydb_context_isvalid skips the user-role and role-type
 * checks, and mls_context_isvalid the user-range check, for OBJECT_R_VAL; checkpolicy
 * accepts `sid security system_u:object_r:security_t:s0` with a user that does not
 * list object_r. The same contexts with another role stay rejected.
 */
static void test_context_object_r(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    /* Neither user lists object_r any more. */
    for (uint32_t u = 1; u <= p->nusers; u++)
        p->users[u].roles.words[R_OBJ / 64] &= ~((uint64_t)1 << (R_OBJ % 64));
    assert_false(pdb_bit(&p->users[U_SYS].roles, R_OBJ));
    struct pdb_context c = parse_ok(p, "system_u:object_r:security_t:s0");
    assert_int_equal(c.role, R_OBJ);
    assert_int_equal(c.type, T_SEC);
    parse_ok(p, "system_u:object_r:evchn_t:s1:c7");
    /* tenant_u's range is s0 - s0:c0.c9: object_r is not bound by it. */
    parse_ok(p, "tenant_u:object_r:domU_t:s1:c200");
    parse_ok(p, "tenant_u:object_r:dom0_t:s0-s1:c0.c255");
    static const struct { const char *in, *why; } bad[] = {
        { "tenant_u:system_r:dom0_t:s0", "role 'system_r' not authorised for user 'tenant_u'" },
        { "system_u:system_r:evchn_t:s0", "type 'evchn_t' not authorised" },
        { "tenant_u:tenant_r:domU_t:s1", "outside the range of user 'tenant_u'" },
        /* The level itself must still be valid. */
        { "tenant_u:object_r:domU_t:s1-s0", "high level does not dominate" },
        { "system_u:object_r:domU_t:s2", "unknown sensitivity" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        int rc = ss_context_parse(p, bad[i].in, &c, err, sizeof(err));
        if (rc != -EINVAL || !strstr(err, bad[i].why))
            fail_msg("'%s': rc %d err '%s', want '%s'", bad[i].in, rc, err, bad[i].why);
    }
    /* The transition label of a non-domain object uses object_r: valid now too. */
    struct pdb_context s = parse_ok(p, "tenant_u:tenant_r:domU_t:s0:c3");
    struct pdb_context t = parse_ok(p, "system_u:system_r:xen_t:s0");
    struct pdb_context o;
    assert_int_equal(ss_transition(p, NULL, &s, &t, C_EVENT, &o), 0);
    assert_int_equal(o.role, R_OBJ);
    assert_int_equal(o.user, U_TEN);
    pdb_free(p);
}

/*
 * `domain:transition` across roles needs a role allow rule, which the language does
 * not have: SELinux/libsepol context_struct_compute_av and Xen's flask services.c
 * deny it when the roles differ (found by the differential test against libsepol,
 * tests/policy/run_diff.sh). Other permissions and same-role transitions stay.
 */
static void test_transition_across_roles(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    for (uint32_t i = 0; i < p->navrules; i++) {
        struct pdb_avrule *r = &p->avrules[i];
        if (r->stype == T_DOM0 && r->ttype == T_DOMU && r->tclass == C_DOMAIN &&
            r->kind == PDB_AV_ALLOW && r->cond == 0)
            r->data |= PD_TRANSITION;
    }
    struct pdb_context s = parse_ok(p, "system_u:system_r:dom0_t:s0-s1:c0.c255");
    struct pdb_context same = parse_ok(p, "system_u:system_r:domU_t:s0");
    struct pdb_context other = parse_ok(p, "tenant_u:tenant_r:domU_t:s0");
    struct pdb_context obj = parse_ok(p, "system_u:object_r:domU_t:s0");
    uint32_t a_same = ss_compute_av(p, NULL, &s, &same, C_DOMAIN, NULL);
    uint32_t a_other = ss_compute_av(p, NULL, &s, &other, C_DOMAIN, NULL);
    uint32_t a_obj = ss_compute_av(p, NULL, &s, &obj, C_DOMAIN, NULL);
    assert_true(a_same & PD_TRANSITION);
    assert_false(a_other & PD_TRANSITION);
    assert_false(a_obj & PD_TRANSITION);
    assert_int_equal(a_same & ~PD_TRANSITION, a_obj);
    assert_true(a_other & PD_CREATE);
    pdb_free(p);
}

static void test_level_relations(void **state)
{
    (void)state;
    struct pdb_level s0 = tp_lvl(1, -1, -1), s0c1 = tp_lvl(1, 1, 1), s0c12 = tp_lvl(1, 1, 2),
                     s0c2 = tp_lvl(1, 2, 2), s1 = tp_lvl(2, -1, -1), s1c1 = tp_lvl(2, 1, 1);
    assert_true(ss_level_dom(&s0c12, &s0c1));
    assert_false(ss_level_dom(&s0c1, &s0c12));
    assert_true(ss_level_dom(&s0c1, &s0));
    assert_true(ss_level_dom(&s0c1, &s0c1));
    assert_false(ss_level_dom(&s0c1, &s0c2));
    assert_false(ss_level_dom(&s0c2, &s0c1));
    assert_true(ss_level_dom(&s1c1, &s0c1));
    assert_false(ss_level_dom(&s1, &s0c1));     /* higher sens, fewer cats */
    assert_false(ss_level_dom(&s0c1, &s1));
    assert_true(ss_level_eq(&s0c1, &s0c1));
    assert_false(ss_level_eq(&s0c1, &s1c1));
    assert_false(ss_level_eq(&s0c1, &s0c12));
    /* A high category word. */
    struct pdb_level hi = tp_lvl(1, 200, 200), lo = tp_lvl(1, -1, -1);
    assert_true(ss_level_dom(&hi, &lo));
    assert_false(ss_level_dom(&lo, &hi));
}

/* ---- decisions ----------------------------------------------------------------- */

static uint32_t av(const struct policydb *p, const bool *bools, const char *s, const char *t,
                   uint32_t cls, uint32_t *ad)
{
    struct pdb_context sc = parse_ok(p, s), tc = parse_ok(p, t);
    return ss_compute_av(p, bools, &sc, &tc, cls, ad);
}

#define DOM0 "system_u:system_r:dom0_t:s0-s1:c0.c255"
#define XEN  "system_u:system_r:xen_t:s0"

static void test_te_decisions(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    uint32_t ad = 0;
    const char *u1 = "tenant_u:tenant_r:domU_t:s0:c1";

    assert_int_equal(av(p, NULL, DOM0, u1, C_DOMAIN, &ad),
                     PD_GETINFO | PD_CREATE | PD_DESTROY | PD_PAUSE | PD_UNPAUSE | PD_SHUTDOWN);
    assert_int_equal(ad, 0xffffffffu);
    /* No rule the other way, nor for another class. */
    assert_int_equal(av(p, NULL, u1, DOM0, C_DOMAIN, &ad), 0);
    assert_int_equal(av(p, NULL, DOM0, u1, C_XEN, NULL), 0);
    /* dontaudit clears auditdeny bits only. */
    assert_int_equal(av(p, NULL, u1, XEN, C_XEN, &ad), PX_VERSION | PX_WRITECONSOLE);
    assert_int_equal(ad, ~(uint32_t)PX_READCONSOLE);
    /* Invalid class: nothing. */
    assert_int_equal(av(p, NULL, DOM0, u1, 0, NULL), 0);
    assert_int_equal(av(p, NULL, DOM0, u1, C_N + 1, NULL), 0);
    pdb_free(p);
}

static void test_conditional_rules(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    const char *u = "tenant_u:tenant_r:domU_t:s0:c1";
    const char *dm = "system_u:system_r:dm_t:s0:c1";
    bool b[3] = { false, false, true };   /* pause_ok=false gate=true (defaults) */

    /* NULL bools: the defaults. */
    assert_int_equal(av(p, NULL, u, u, C_DOMAIN, NULL), PD_GETINFO);
    assert_int_equal(av(p, b, u, u, C_DOMAIN, NULL), PD_GETINFO);
    assert_int_equal(av(p, b, dm, u, C_EVENT, NULL), PE_STATUS);
    b[1] = true;   /* true branch on, false branch off */
    assert_int_equal(av(p, b, u, u, C_DOMAIN, NULL), PD_PAUSE);
    assert_int_equal(av(p, b, dm, u, C_EVENT, NULL), PE_STATUS | PE_SEND);
    b[2] = false;  /* pause_ok && gate false */
    assert_int_equal(av(p, b, dm, u, C_EVENT, NULL), PE_STATUS);
    assert_int_equal(av(p, b, u, u, C_DOMAIN, NULL), PD_PAUSE);
    /* Conditional dontaudit. */
    tp_rule(p, T_DOMU, T_DOMU, C_DOMAIN, PDB_AV_DONTAUDIT, 1, 1, PD_DESTROY);
    tp_sort(p);
    uint32_t ad;
    av(p, b, u, u, C_DOMAIN, &ad);
    assert_int_equal(ad, ~(uint32_t)PD_DESTROY);
    b[1] = false;
    av(p, b, u, u, C_DOMAIN, &ad);
    assert_int_equal(ad, 0xffffffffu);
    /* Every operator of boolean expressions: cond 3 = pause_ok xor gate, etc. */
    struct pdb_cond *nc = realloc(p->conds, 6 * sizeof(*nc));
    assert_non_null(nc);
    p->conds = nc;
    static const uint8_t ops[] = { PDB_CEXPR_OR, PDB_CEXPR_XOR, PDB_CEXPR_EQ, PDB_CEXPR_NEQ };
    for (uint32_t k = 0; k < 4; k++) {
        struct pdb_cond *c = &p->conds[2 + k];
        memset(c, 0, sizeof(*c));
        c->nexpr = 3;
        c->expr[0] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };
        c->expr[1] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 2 };
        c->expr[2] = (struct pdb_cexpr){ ops[k], 0, 0 };
        tp_rule(p, T_DOM0, T_DOM0, C_XEN, PDB_AV_ALLOW, (uint16_t)(3 + k), 1, 1u << k);
    }
    p->nconds = 6;
    /* cond 7 = not pause_ok (a NOT node) */
    nc = realloc(p->conds, 7 * sizeof(*nc));
    assert_non_null(nc);
    p->conds = nc;
    memset(&p->conds[6], 0, sizeof(p->conds[6]));
    p->conds[6].nexpr = 2;
    p->conds[6].expr[0] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };
    p->conds[6].expr[1] = (struct pdb_cexpr){ PDB_CEXPR_NOT, 0, 0 };
    p->nconds = 7;
    tp_rule(p, T_DOM0, T_DOM0, C_EVENT, PDB_AV_ALLOW, 7, 1, PE_BIND);
    tp_sort(p);
    const char *d0 = "system_u:system_r:dom0_t:s0";
    for (int x = 0; x < 2; x++)
        for (int y = 0; y < 2; y++) {
            bool bb[3] = { false, x, y };
            uint32_t want = (uint32_t)((x || y) << 0 | (x != y) << 1 | (x == y) << 2 |
                                       (x != y) << 3);
            assert_int_equal(av(p, bb, d0, d0, C_XEN, NULL), want);
            assert_int_equal(av(p, bb, d0, d0, C_EVENT, NULL), x ? 0 : PE_BIND);
        }
    pdb_free(p);
}

/* One constraint on domain:destroy (dom0_t -> domU_t has it allowed): does it hold? */
static bool cons_holds(const struct pdb_consnode *e, uint32_t n, const char *s, const char *t,
                       uint32_t (*mkset)(struct policydb *))
{
    struct policydb *p = tp_policy();
    struct pdb_consnode ex[PDB_MAX_EXPR];
    memcpy(ex, e, n * sizeof(*e));
    if (mkset) {
        uint32_t si = mkset(p);
        for (uint32_t i = 0; i < n; i++)
            if (ex[i].kind == PDB_CONS_NAMES)
                ex[i].names = si;
    }
    tp_cons(p, C_DOMAIN, 1, PD_DESTROY, ex, n);
    uint32_t a = av(p, NULL, s, t, C_DOMAIN, NULL);
    /* Other permissions are never affected by this constraint. */
    assert_int_equal(a & PD_PAUSE, PD_PAUSE);
    pdb_free(p);
    return (a & PD_DESTROY) != 0;
}

static uint32_t set_dom0(struct policydb *p)
{
    return tp_set(p, T_N, (const uint32_t[]){ T_DOM0 }, 1);
}

static uint32_t set_domu_dm(struct policydb *p)
{
    return tp_set(p, T_N, (const uint32_t[]){ T_DOMU, T_DM }, 2);
}

static uint32_t set_sys_user(struct policydb *p)
{
    return tp_set(p, p->nusers, (const uint32_t[]){ U_SYS }, 1);
}

static uint32_t set_ten_role(struct policydb *p)
{
    return tp_set(p, p->nroles, (const uint32_t[]){ R_TEN }, 1);
}

#define D0(l) "system_u:system_r:dom0_t:" l
#define DU(l) "system_u:system_r:domU_t:" l
#define TU(l) "tenant_u:tenant_r:domU_t:" l

static void test_constraint_ops(void **state)
{
    (void)state;
    struct pdb_consnode e[4];
    /* l1 eq l2 */
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_EQ);
    assert_true(cons_holds(e, 1, D0("s0:c1"), DU("s0:c1"), NULL));
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s0:c2"), NULL));
    assert_false(cons_holds(e, 1, D0("s1:c1"), DU("s0:c1"), NULL));
    /* l1 neq l2 */
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_NEQ);
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s0:c1"), NULL));
    assert_true(cons_holds(e, 1, D0("s0:c1"), DU("s0:c2"), NULL));
    /* l1 dom l2 */
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_DOM);
    assert_true(cons_holds(e, 1, D0("s0:c1,c2"), DU("s0:c1"), NULL));
    assert_true(cons_holds(e, 1, D0("s0:c1"), DU("s0:c1"), NULL));
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s0:c1,c2"), NULL));
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s1:c1"), NULL));
    /* l1 domby l2 */
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_DOMBY);
    assert_true(cons_holds(e, 1, D0("s0:c1"), DU("s1:c1,c2"), NULL));
    assert_false(cons_holds(e, 1, D0("s0:c1,c2"), DU("s0:c1"), NULL));
    /* l1 incomp l2 */
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_INCOMP);
    assert_true(cons_holds(e, 1, D0("s0:c1"), DU("s0:c2"), NULL));
    assert_true(cons_holds(e, 1, D0("s1"), DU("s0:c2"), NULL));
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s0:c1,c2"), NULL));
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s0:c1"), NULL));
    /* h1 dom h2, l1 dom h2, h1 dom l2, l1 eq h1, l2 eq h2 */
    e[0] = TP_ATTR(PDB_ATTR_H1H2, PDB_OP_DOM);
    assert_true(cons_holds(e, 1, D0("s0-s0:c0.c3"), DU("s0-s0:c1"), NULL));
    assert_false(cons_holds(e, 1, D0("s0-s0:c1"), DU("s0-s0:c0.c3"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_L1H2, PDB_OP_DOM);
    assert_true(cons_holds(e, 1, D0("s0:c1-s0:c0.c3"), DU("s0-s0:c1"), NULL));
    assert_false(cons_holds(e, 1, D0("s0-s0:c0.c3"), DU("s0-s0:c1"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_H1L2, PDB_OP_DOM);
    assert_true(cons_holds(e, 1, D0("s0-s0:c1"), DU("s0:c1-s0:c0.c3"), NULL));
    assert_false(cons_holds(e, 1, D0("s0-s0:c1"), DU("s0:c2-s0:c0.c3"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_L1H1, PDB_OP_EQ);
    assert_true(cons_holds(e, 1, D0("s0:c1"), DU("s0-s0:c0.c3"), NULL));
    assert_false(cons_holds(e, 1, D0("s0-s0:c1"), DU("s0"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_L2H2, PDB_OP_EQ);
    assert_false(cons_holds(e, 1, D0("s0:c1"), DU("s0-s0:c0.c3"), NULL));
    assert_true(cons_holds(e, 1, D0("s0-s0:c1"), DU("s0"), NULL));
    /* u1 == u2, r1 == r2, t1 == t2 */
    e[0] = TP_ATTR(PDB_ATTR_U1U2, PDB_OP_EQ);
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), NULL));
    assert_false(cons_holds(e, 1, D0("s0"), TU("s0"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_U1U2, PDB_OP_NEQ);
    assert_true(cons_holds(e, 1, D0("s0"), TU("s0"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_R1R2, PDB_OP_EQ);
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), NULL));
    assert_false(cons_holds(e, 1, D0("s0"), TU("s0"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_T1T2, PDB_OP_EQ);
    assert_false(cons_holds(e, 1, D0("s0"), DU("s0"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_T1T2, PDB_OP_NEQ);
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), NULL));
    /* t1 == set, t2 == set, t2 != set, u2 == set, r2 == set */
    e[0] = TP_NAMES(PDB_ATTR_T1, PDB_OP_EQ, 0);
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), set_dom0));
    assert_false(cons_holds(e, 1, D0("s0"), DU("s0"), set_domu_dm));
    e[0] = TP_NAMES(PDB_ATTR_T2, PDB_OP_EQ, 0);
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), set_domu_dm));
    e[0] = TP_NAMES(PDB_ATTR_T2, PDB_OP_NEQ, 0);
    assert_false(cons_holds(e, 1, D0("s0"), DU("s0"), set_domu_dm));
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), set_dom0));
    e[0] = TP_NAMES(PDB_ATTR_U2, PDB_OP_EQ, 0);
    assert_true(cons_holds(e, 1, D0("s0"), DU("s0"), set_sys_user));
    assert_false(cons_holds(e, 1, D0("s0"), TU("s0"), set_sys_user));
    e[0] = TP_NAMES(PDB_ATTR_R2, PDB_OP_EQ, 0);
    assert_true(cons_holds(e, 1, D0("s0"), TU("s0"), set_ten_role));
    e[0] = TP_NAMES(PDB_ATTR_R1, PDB_OP_EQ, 0);
    assert_false(cons_holds(e, 1, D0("s0"), TU("s0"), set_ten_role));
    e[0] = TP_NAMES(PDB_ATTR_U1, PDB_OP_NEQ, 0);
    assert_false(cons_holds(e, 1, D0("s0"), TU("s0"), set_sys_user));
    /* not, and, or */
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_EQ);
    e[1] = TP_NOT;
    assert_false(cons_holds(e, 2, D0("s0:c1"), DU("s0:c1"), NULL));
    assert_true(cons_holds(e, 2, D0("s0:c1"), DU("s0:c2"), NULL));
    e[0] = TP_ATTR(PDB_ATTR_L1L2, PDB_OP_DOM);
    e[1] = TP_ATTR(PDB_ATTR_U1U2, PDB_OP_EQ);
    e[2] = TP_AND;
    assert_true(cons_holds(e, 3, D0("s0:c1"), DU("s0:c1"), NULL));
    assert_false(cons_holds(e, 3, D0("s0:c1"), TU("s0:c1"), NULL));
    assert_false(cons_holds(e, 3, D0("s0:c1"), DU("s0:c2"), NULL));
    e[2] = TP_OR;
    assert_true(cons_holds(e, 3, D0("s0:c1"), TU("s0:c1"), NULL));
    assert_true(cons_holds(e, 3, D0("s0:c1"), DU("s0:c2"), NULL));
    assert_false(cons_holds(e, 3, D0("s0:c1"), TU("s0:c2"), NULL));
    /* not (a and b) */
    e[2] = TP_AND;
    e[3] = TP_NOT;
    assert_false(cons_holds(e, 4, D0("s0:c1"), DU("s0:c1"), NULL));
    assert_true(cons_holds(e, 4, D0("s0:c1"), TU("s0:c1"), NULL));
}

static void test_constraint_scope(void **state)
{
    (void)state;
    /* A non-MLS `constrain` and an MLS one on the same perms: both must hold. */
    struct policydb *p = tp_policy();
    struct pdb_consnode a[] = { TP_ATTR(PDB_ATTR_L1L2, PDB_OP_DOM) };
    struct pdb_consnode b[] = { TP_ATTR(PDB_ATTR_R1R2, PDB_OP_EQ) };
    tp_cons(p, C_DOMAIN, 1, PD_PAUSE | PD_UNPAUSE, a, 1);
    tp_cons(p, C_DOMAIN, 0, PD_PAUSE, b, 1);
    assert_int_equal(av(p, NULL, D0("s0:c1"), DU("s0:c1"), C_DOMAIN, NULL) &
                     (PD_PAUSE | PD_UNPAUSE), PD_PAUSE | PD_UNPAUSE);
    assert_int_equal(av(p, NULL, D0("s0:c1"), TU("s0:c1"), C_DOMAIN, NULL) &
                     (PD_PAUSE | PD_UNPAUSE), PD_UNPAUSE);
    assert_int_equal(av(p, NULL, D0("s0:c1"), TU("s0:c2"), C_DOMAIN, NULL) &
                     (PD_PAUSE | PD_UNPAUSE | PD_GETINFO), PD_GETINFO);
    /* A constraint on another class does nothing here. */
    struct pdb_consnode f[] = { TP_ATTR(PDB_ATTR_T1T2, PDB_OP_EQ) };
    tp_cons(p, C_XEN, 0, PX_VERSION, f, 1);
    assert_int_equal(av(p, NULL, D0("s0:c1"), DU("s0:c1"), C_DOMAIN, NULL) & PD_GETINFO,
                     PD_GETINFO);
    pdb_free(p);
}

static void test_mcs_same_category(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();   /* mlsconstrain event send (l1 eq l2 or t1 == dom0_t) */
    bool b[3] = { false, true, true };
    const char *dm1 = "system_u:system_r:dm_t:s0:c1";
    assert_int_equal(av(p, b, dm1, TU("s0:c1"), C_EVENT, NULL), PE_SEND | PE_STATUS);
    assert_int_equal(av(p, b, dm1, TU("s0:c2"), C_EVENT, NULL), PE_STATUS);
    assert_int_equal(av(p, b, dm1, TU("s0:c1,c2"), C_EVENT, NULL), PE_STATUS);
    assert_int_equal(av(p, b, D0("s0"), TU("s0:c2"), C_EVENT, NULL), PE_SEND | PE_CREATE);
    pdb_free(p);
}

static void test_transition(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    struct pdb_context s = parse_ok(p, D0("s0:c3-s1:c0.c9")), t = parse_ok(p, TU("s0:c1")), o;
    char buf[SS_CONTEXT_MAX];
    /* type_transition dom0_t domU_t:event evchn_t, object_r, level = s.low */
    assert_int_equal(ss_transition(p, NULL, &s, &t, C_EVENT, &o), 0);
    ss_context_format(p, &o, buf, sizeof(buf));
    assert_string_equal(buf, "system_u:object_r:evchn_t:s0:c3");
    /* domain class: role and type of the subject. */
    assert_int_equal(ss_transition(p, NULL, &s, &t, C_DOMAIN, &o), 0);
    ss_context_format(p, &o, buf, sizeof(buf));
    assert_string_equal(buf, "system_u:system_r:dom0_t:s0:c3");
    /* no rule, other class: the target's type with object_r. */
    assert_int_equal(ss_transition(p, NULL, &s, &t, C_XEN, &o), 0);
    ss_context_format(p, &o, buf, sizeof(buf));
    assert_string_equal(buf, "system_u:object_r:domU_t:s0:c3");
    /* A conditional transition applies only when enabled; unconditional wins. */
    tp_rule(p, T_DOMU, T_DOM0, C_EVENT, PDB_AV_TRANSITION, 1, 1, T_DM);
    tp_sort(p);
    struct pdb_context tu = parse_ok(p, TU("s0:c1")), d0 = parse_ok(p, D0("s0"));
    bool b[3] = { false, false, true };
    assert_int_equal(ss_transition(p, b, &tu, &d0, C_EVENT, &o), 0);
    assert_int_equal(o.type, T_DOM0);
    b[1] = true;
    assert_int_equal(ss_transition(p, b, &tu, &d0, C_EVENT, &o), 0);
    assert_int_equal(o.type, T_DM);
    assert_int_equal(o.role, R_OBJ);
    assert_int_equal(o.user, U_TEN);
    /* Invalid result: a domain transition to a type the role may not hold. */
    tp_rule(p, T_DOMU, T_DOM0, C_DOMAIN, PDB_AV_TRANSITION, 0, 0, T_DOMU);
    tp_rule(p, T_DOMU, T_DOMU, C_DOMAIN, PDB_AV_TRANSITION, 0, 0, T_DM);
    tp_sort(p);
    struct pdb_context tus = parse_ok(p, TU("s0"));
    assert_int_equal(ss_transition(p, b, &tus, &d0, C_DOMAIN, &o), 0);
    assert_int_equal(ss_transition(p, b, &tus, &tus, C_DOMAIN, &o), -EINVAL);
    pdb_free(p);
}

/* ---- the server ---------------------------------------------------------------- */

static void test_no_policy(void **state)
{
    (void)state;
    struct flask_ss *ss;
    uint32_t sid, ad = 0;
    char err[128];
    assert_int_equal(flask_ss_new(tp_hosts, TP_NHOSTS, &ss), 0);
    assert_false(flask_ss_loaded(ss));
    assert_int_equal(flask_ss_compute(ss, 1, 1, tp_hclass("domain"), &ad), 0);
    assert_int_equal(flask_ss_context_to_sid(ss, DOM0, &sid, err, sizeof(err)), -EINVAL);
    assert_int_equal(flask_ss_isid(ss, "xen", &sid), -ENOENT);
    assert_int_equal(flask_ss_nbools(ss), 0);
    /* Garbage is refused and nothing changes. */
    static const uint8_t junk[] = "this is not a policy binary at all........";
    assert_true(flask_ss_load(ss, junk, sizeof(junk), err, sizeof(err)) < 0);
    assert_false(flask_ss_loaded(ss));
    assert_int_equal(flask_ss_seqno(ss), 0);
    flask_ss_free(ss);
}

static void test_sids_and_compute(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    char buf[SS_CONTEXT_MAX];
    uint32_t a = tp_sid(ss, "system_u:system_r:dom0_t:s0-s1:c0.c255");
    uint32_t a2 = tp_sid(ss, "system_u:system_r:dom0_t:s0-s1:c255,c0.c254");
    uint32_t u = tp_sid(ss, "tenant_u:tenant_r:domU_t:s0-s0:c1");
    uint32_t x, sec, unl;
    assert_true(a >= 1);
    assert_int_equal(a, a2);
    assert_int_not_equal(a, u);
    assert_int_equal(flask_ss_sid_to_context(ss, u, buf, sizeof(buf)),
                     (int)strlen("tenant_u:tenant_r:domU_t:s0-s0:c1"));
    assert_string_equal(buf, "tenant_u:tenant_r:domU_t:s0-s0:c1");
    assert_int_equal(flask_ss_sid_to_context(ss, 9999, buf, sizeof(buf)), -EINVAL);
    assert_int_equal(flask_ss_sid_to_context(ss, u, buf, 5), -ENOSPC);
    assert_int_equal(flask_ss_isid(ss, "xen", &x), 0);
    assert_int_equal(flask_ss_isid(ss, "security", &sec), 0);
    assert_int_equal(flask_ss_isid(ss, "unlabeled", &unl), 0);
    uint32_t x2;
    assert_int_equal(flask_ss_isid(ss, "xen", &x2), 0);
    assert_int_equal(x, x2);
    assert_int_equal(flask_ss_isid(ss, "domio", &x2), -ENOENT);   /* no context */
    assert_int_equal(flask_ss_isid(ss, "nope", &x2), -ENOENT);
    flask_ss_sid_to_context(ss, x, buf, sizeof(buf));
    assert_string_equal(buf, "system_u:system_r:xen_t:s0");
    char err[128] = "";
    uint32_t bad = 0;
    assert_int_equal(flask_ss_context_to_sid(ss, "tenant_u:tenant_r:dom0_t:s0", &bad, err,
                                             sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not authorised"));

    uint32_t hd = tp_hclass("domain"), hx = tp_hclass("xen");
    uint32_t ad;
    uint32_t al = flask_ss_compute(ss, a, u, hd, &ad);
    /* host bits mapped by name from the policy's differently ordered permissions */
    assert_int_equal(al, tp_hperm("domain", "create") | tp_hperm("domain", "destroy") |
                             tp_hperm("domain", "pause") | tp_hperm("domain", "unpause") |
                             tp_hperm("domain", "shutdown") | tp_hperm("domain", "getinfo"));
    assert_int_equal(al & tp_hperm("domain", "transition"), 0);
    /* `console` is unknown to the policy: denied (handle_unknown deny), audited. */
    assert_int_equal(al & tp_hperm("domain", "console"), 0);
    assert_true(ad & tp_hperm("domain", "console"));
    al = flask_ss_compute(ss, u, x, hx, &ad);
    assert_int_equal(al, tp_hperm("xen", "version") | tp_hperm("xen", "writeconsole"));
    assert_int_equal(ad & tp_hperm("xen", "readconsole"), 0);   /* dontaudit */
    assert_true(ad & tp_hperm("xen", "version"));
    /* An unknown SID decides as unlabeled. */
    assert_int_equal(flask_ss_compute(ss, a, 4242, hd, NULL),
                     flask_ss_compute(ss, a, unl, hd, NULL));
    assert_int_equal(flask_ss_compute(ss, a, unl, hd, NULL), tp_hperm("domain", "getinfo"));
    /* Invalid host class. */
    assert_int_equal(flask_ss_compute(ss, a, u, 0, NULL), 0);
    assert_int_equal(flask_ss_compute(ss, a, u, TP_NHOSTS + 1, NULL), 0);

    /* login SIDs */
    uint32_t l0, l1000;
    assert_int_equal(flask_ss_login_sid(ss, 0, &l0), 0);
    assert_int_equal(l0, a);
    assert_int_equal(flask_ss_login_sid(ss, 1000, &l1000), 0);
    flask_ss_sid_to_context(ss, l1000, buf, sizeof(buf));
    assert_string_equal(buf, "tenant_u:tenant_r:domU_t:s0");

    /* transition SIDs */
    uint32_t ch;
    assert_int_equal(flask_ss_transition_sid(ss, a, u, tp_hclass("event"), &ch), 0);
    flask_ss_sid_to_context(ss, ch, buf, sizeof(buf));
    assert_string_equal(buf, "system_u:object_r:evchn_t:s0");
    assert_int_equal(flask_ss_transition_sid(ss, u, u, hd, &ch), 0);
    assert_int_equal(ch, tp_sid(ss, "tenant_u:tenant_r:domU_t:s0"));
    flask_ss_free(ss);
}

static void test_handle_unknown(void **state)
{
    (void)state;
    char buf[2048];
    struct flask_ss *ss = tp_server(tp_policy());
    uint32_t d0 = tp_sid(ss, DOM0), u = tp_sid(ss, TU("s0:c1")), ad;
    uint32_t hm = tp_hclass("mmu"), hd = tp_hclass("domain");
    assert_int_equal(flask_ss_compute(ss, d0, u, hm, &ad), 0);
    assert_int_equal(ad & 0xf, 0xf);
    int n = flask_ss_unknown(ss, buf, sizeof(buf));
    assert_true(n > 0);
    assert_int_equal(n, (int)strlen(buf));
    assert_non_null(strstr(buf, "domain:console\n"));
    assert_non_null(strstr(buf, "mmu:map_io\n"));
    assert_non_null(strstr(buf, "attest:read_log\n"));
    assert_null(strstr(buf, "domain:pause"));
    assert_null(strstr(buf, "xen:"));
    assert_int_equal(flask_ss_unknown(ss, buf, 8), -ENOSPC);
    flask_ss_free(ss);

    struct policydb *p = tp_policy();
    p->handle_unknown = PDB_UNKNOWN_ALLOW;
    ss = tp_server(p);
    d0 = tp_sid(ss, DOM0);
    u = tp_sid(ss, TU("s0:c1"));
    /* unknown class: every host permission of the class */
    assert_int_equal(flask_ss_compute(ss, d0, u, hm, NULL), 0xf);
    assert_int_equal(flask_ss_compute(ss, d0, u, tp_hclass("stubdom"), NULL), 0x1);
    /* unknown perm allowed, known perms still decided by the policy */
    uint32_t al = flask_ss_compute(ss, u, d0, hd, NULL);
    assert_int_equal(al, tp_hperm("domain", "console"));
    flask_ss_free(ss);
}

static void test_booleans(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    bool cur, dflt;
    uint32_t u = tp_sid(ss, TU("s0:c1")), hd = tp_hclass("domain");
    assert_int_equal(flask_ss_nbools(ss), 2);
    assert_string_equal(flask_ss_bool_name(ss, 1), "pause_ok");
    assert_string_equal(flask_ss_bool_name(ss, 2), "gate");
    assert_null(flask_ss_bool_name(ss, 0));
    assert_null(flask_ss_bool_name(ss, 3));
    assert_int_equal(flask_ss_getbool(ss, "pause_ok", &cur, &dflt), 0);
    assert_false(cur);
    assert_false(dflt);
    assert_int_equal(flask_ss_getbool(ss, "nope", &cur, &dflt), -ENOENT);
    assert_int_equal(flask_ss_setbool(ss, "nope", true), -ENOENT);
    assert_int_equal(flask_ss_compute(ss, u, u, hd, NULL), tp_hperm("domain", "getinfo"));
    uint32_t seq = flask_ss_seqno(ss);
    assert_int_equal(flask_ss_setbool(ss, "pause_ok", true), 0);
    assert_true(flask_ss_seqno(ss) != seq);
    assert_int_equal(flask_ss_getbool(ss, "pause_ok", &cur, &dflt), 0);
    assert_true(cur);
    assert_false(dflt);
    assert_int_equal(flask_ss_compute(ss, u, u, hd, NULL), tp_hperm("domain", "pause"));
    /* Reload: booleans back to their defaults. */
    size_t len;
    struct policydb *p = tp_policy();
    uint8_t *b = tp_bin(p, &len);
    char err[128];
    assert_int_equal(flask_ss_load(ss, b, len, err, sizeof(err)), 0);
    assert_int_equal(flask_ss_getbool(ss, "pause_ok", &cur, NULL), 0);
    assert_false(cur);
    assert_int_equal(flask_ss_compute(ss, u, u, hd, NULL), tp_hperm("domain", "getinfo"));
    free(b);
    pdb_free(p);
    flask_ss_free(ss);
}

static void test_reload_remaps_sids(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    char buf[SS_CONTEXT_MAX], err[256];
    uint32_t d0 = tp_sid(ss, DOM0), u = tp_sid(ss, TU("s0:c1")), x, unl;
    assert_int_equal(flask_ss_isid(ss, "xen", &x), 0);
    assert_int_equal(flask_ss_isid(ss, "unlabeled", &unl), 0);
    uint32_t hd = tp_hclass("domain");
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL) & tp_hperm("domain", "pause"),
                     tp_hperm("domain", "pause"));

    /* Policy 2: tenant_r no longer holds domU_t; the xen isid becomes dom0_t's type;
     * types renumbered (a new type first). */
    struct policydb *p2 = tp_policy();
    p2->roles[R_TEN].types.words[0] &= ~((uint64_t)1 << T_DOMU);
    p2->isids[0].context.type = T_SEC;
    uint8_t *b;
    size_t len;
    b = tp_bin(p2, &len);
    pdb_free(p2);
    uint32_t seq = flask_ss_seqno(ss);
    assert_int_equal(flask_ss_load(ss, b, len, err, sizeof(err)), 0);
    free(b);
    assert_true(flask_ss_seqno(ss) != seq);
    /* SID numbers stable; u is now unlabeled for decisions, keeps its string. */
    assert_int_equal(tp_sid(ss, DOM0), d0);
    flask_ss_sid_to_context(ss, u, buf, sizeof(buf));
    assert_string_equal(buf, TU("s0:c1"));
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL),
                     flask_ss_compute(ss, d0, unl, hd, NULL));
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL), tp_hperm("domain", "getinfo"));
    uint32_t nu;
    assert_int_equal(flask_ss_context_to_sid(ss, TU("s0:c1"), &nu, err, sizeof(err)), -EINVAL);
    flask_ss_sid_to_context(ss, x, buf, sizeof(buf));
    assert_string_equal(buf, "system_u:system_r:security_t:s0");

    /* Back to policy 1: the SID revives with its own context. */
    p2 = tp_policy();
    b = tp_bin(p2, &len);
    assert_int_equal(flask_ss_load(ss, b, len, err, sizeof(err)), 0);
    free(b);
    pdb_free(p2);
    assert_int_equal(tp_sid(ss, TU("s0:c1")), u);
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL) & tp_hperm("domain", "pause"),
                     tp_hperm("domain", "pause"));
    flask_ss_sid_to_context(ss, x, buf, sizeof(buf));
    assert_string_equal(buf, XEN);

    /* A policy where types are renumbered: SIDs follow names, not numbers. */
    struct policydb *p3 = tp_policy();
    char *t = p3->types[T_DOM0];
    p3->types[T_DOM0] = p3->types[T_DM];
    p3->types[T_DM] = t;
    b = tp_bin(p3, &len);
    assert_int_equal(flask_ss_load(ss, b, len, err, sizeof(err)), 0);
    free(b);
    pdb_free(p3);
    /* "dom0_t" is now index T_DM, which has no rules on domains. */
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL), 0);
    flask_ss_sid_to_context(ss, d0, buf, sizeof(buf));
    assert_string_equal(buf, DOM0);
    flask_ss_free(ss);
}

static void test_failed_load_keeps_state(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    char err[256];
    uint32_t d0 = tp_sid(ss, DOM0), u = tp_sid(ss, TU("s0:c1")), hd = tp_hclass("domain");
    assert_int_equal(flask_ss_setbool(ss, "pause_ok", true), 0);
    uint32_t before = flask_ss_compute(ss, d0, u, hd, NULL);
    uint32_t bu = flask_ss_compute(ss, u, u, hd, NULL);
    uint32_t seq = flask_ss_seqno(ss);
    const struct policydb *pol = flask_ss_policy(ss);

    /* A policy in which dom0_t may do nothing, truncated at every few bytes. */
    struct policydb *p2 = tp_policy();
    p2->navrules = 0;
    size_t len;
    uint8_t *b = tp_bin(p2, &len);
    pdb_free(p2);
    for (size_t cut = 0; cut < len; cut += (cut < 64 ? 1 : 97)) {
        err[0] = '\0';
        int rc = flask_ss_load(ss, b, cut, err, sizeof(err));
        assert_true(rc < 0);
        assert_true(err[0] != '\0' || cut == 0);
    }
    /* Garbage: one flipped byte in the header. */
    b[0] ^= 0xff;
    assert_true(flask_ss_load(ss, b, len, err, sizeof(err)) < 0);
    b[0] ^= 0xff;
    assert_int_equal(flask_ss_seqno(ss), seq);
    assert_ptr_equal(flask_ss_policy(ss), pol);
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL), before);
    assert_int_equal(flask_ss_compute(ss, u, u, hd, NULL), bu);
    bool cur;
    assert_int_equal(flask_ss_getbool(ss, "pause_ok", &cur, NULL), 0);
    assert_true(cur);

    /* A policy without an `unlabeled` context is refused too. */
    struct policydb *p3 = tp_policy();
    p3->isids[2].has_context = false;
    uint8_t *b3;
    size_t l3;
    b3 = tp_bin(p3, &l3);
    pdb_free(p3);
    err[0] = '\0';
    assert_int_equal(flask_ss_load(ss, b3, l3, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "unlabeled"));
    free(b3);
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL), before);
    assert_int_equal(flask_ss_seqno(ss), seq);

    /* The full binary loads and takes effect. */
    assert_int_equal(flask_ss_load(ss, b, len, err, sizeof(err)), 0);
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL), 0);
    free(b);
    flask_ss_free(ss);
}

static void test_many_sids(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    char ctx[64], buf[SS_CONTEXT_MAX];
    uint32_t first = 0;
    for (uint32_t c = 0; c < 256; c++)
        for (uint32_t s = 0; s < 2; s++) {
            snprintf(ctx, sizeof(ctx), "system_u:system_r:dm_t:s%u:c%u", s, c);
            uint32_t sid = tp_sid(ss, ctx);
            if (!first)
                first = sid;
            assert_int_equal(sid, first + c * 2 + s);
        }
    for (uint32_t c = 0; c < 256; c += 17) {
        snprintf(ctx, sizeof(ctx), "system_u:system_r:dm_t:s1:c%u", c);
        assert_int_equal(tp_sid(ss, ctx), first + c * 2 + 1);
        flask_ss_sid_to_context(ss, first + c * 2 + 1, buf, sizeof(buf));
        assert_string_equal(buf, ctx);
    }
    flask_ss_free(ss);
}

#ifdef HAVE_POL_COMPILE
/*
 * A source policy compiled by policy/compile.c. The expected decisions below were
 * cross-checked against libsepol's sepol_compute_av on the same source compiled by
 * `checkpolicy -t xen -M -c 30` (all 11 x 11 contexts x 3 classes x 2 boolean states
 * agreed, except that libsepol keeps all 32 bits for `allow ... *`).
 */
static const char compiled_src[] =
    "class xen\n"
    "class domain\n"
    "class event\n"
    "sid xen\n"
    "sid unlabeled\n"
    "class xen { version writeconsole readconsole }\n"
    "class domain { create destroy pause unpause getinfo }\n"
    "class event { create bind send status }\n"
    "sensitivity s0;\n"
    "sensitivity s1;\n"
    "dominance { s0 s1 }\n"
    "category c0;\n"
    "category c1;\n"
    "category c2;\n"
    "category c3;\n"
    "level s0:c0.c3;\n"
    "level s1:c0.c3;\n"
    "mlsconstrain event send (l1 eq l2 or t1 == dom0_t);\n"
    "mlsconstrain domain { pause unpause } (h1 dom h2);\n"
    "mlsconstrain domain getinfo (l1 incomp l2 or l1 domby h2);\n"
    "attribute tenant;\n"
    "type xen_t;\n"
    "type dom0_t;\n"
    "type domU_t, tenant;\n"
    "type other_t, tenant;\n"
    "type dm_t;\n"
    "type unlabeled_t;\n"
    "bool pause_ok false;\n"
    "allow dom0_t tenant : domain { create destroy pause unpause getinfo };\n"
    "allow dom0_t xen_t : xen *;\n"
    "allow tenant xen_t : xen { version writeconsole };\n"
    "dontaudit tenant xen_t : xen readconsole;\n"
    "allow dm_t tenant : event { send status };\n"
    "allow tenant tenant : domain getinfo;\n"
    "if (pause_ok) { allow tenant self : domain pause; } else { allow tenant self : domain unpause; }\n"
    "role system_r;\n"
    "role system_r types { xen_t dom0_t dm_t unlabeled_t };\n"
    "role vm_r;\n"
    "role vm_r types tenant;\n"
    "user system_u roles { system_r } level s0 range s0 - s1:c0.c3;\n"
    "user tenant_u roles { vm_r } level s0 range s0 - s0:c0.c3;\n"
    "constrain domain { create destroy } (u1 == u2 or t1 == dom0_t);\n"
    "constrain event status (not (r1 == r2) and t2 != { dom0_t xen_t });\n"
    "sid xen system_u:system_r:xen_t:s0\n"
    "sid unlabeled system_u:system_r:unlabeled_t:s0\n"
;

static struct policydb *compile_src(void)
{
    struct policydb *p = NULL;
    static struct pol_diag d;
    int rc = pol_compile("test.te", compiled_src, strlen(compiled_src), &p, &d);
    if (rc) {
        char b[512] = "";
        if (d.n)
            pol_diag_format(&d, 0, "test.te", b, sizeof(b));
        fail_msg("pol_compile: %d %s", rc, b);
    }
    return p;
}

/* The allowed permissions as a space-separated list of names (class order). */
static const char *perm_names(const struct policydb *p, uint32_t cls, uint32_t av, char *buf,
                              size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    for (uint32_t k = 0; k < p->classes[cls].nperms; k++)
        if (av & (1u << k))
            pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", pos ? " " : "",
                                    p->classes[cls].perms[k]);
    return buf;
}

static void test_compiled_policy(void **state)
{
    (void)state;
    struct policydb *p = compile_src();
    static const struct {
        bool b;
        const char *s, *t, *cls, *allow, *noaudit;
    } cases[] = {
        { 0, "system_u:system_r:dm_t:s0:c1", "tenant_u:vm_r:domU_t:s0:c1", "event", "send status", "" },
        { 0, "system_u:system_r:dm_t:s1:c1,c2", "tenant_u:vm_r:domU_t:s0:c1", "event", "status", "" },
        { 0, "system_u:system_r:dm_t:s0:c1", "system_u:system_r:dom0_t:s0", "event", "", "" },
        { 0, "system_u:system_r:dom0_t:s0", "tenant_u:vm_r:other_t:s0", "domain",
          "create destroy pause unpause getinfo", "" },
        { 0, "tenant_u:vm_r:domU_t:s0:c1", "system_u:system_r:xen_t:s0", "xen",
          "version writeconsole", "readconsole" },
        { 0, "tenant_u:vm_r:domU_t:s0:c1", "tenant_u:vm_r:domU_t:s0:c1", "domain", "unpause getinfo", "" },
        { 1, "tenant_u:vm_r:domU_t:s0:c1", "tenant_u:vm_r:domU_t:s0:c1", "domain", "pause getinfo", "" },
        { 0, "tenant_u:vm_r:domU_t:s0:c1", "tenant_u:vm_r:domU_t:s0:c2", "domain", "getinfo", "" },
        { 0, "tenant_u:vm_r:other_t:s0:c1-s0:c1,c2", "tenant_u:vm_r:other_t:s0", "domain", "unpause", "" },
        { 0, "tenant_u:vm_r:other_t:s0", "tenant_u:vm_r:other_t:s0:c1-s0:c1,c2", "domain", "getinfo", "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool bools[PDB_MAX_BOOLS + 1];
        for (uint32_t k = 1; k <= p->nbools; k++)
            bools[k] = cases[i].b;
        struct pdb_context s = parse_ok(p, cases[i].s), t = parse_ok(p, cases[i].t);
        uint32_t cls = pdb_class_index(p, cases[i].cls), ad;
        assert_true(cls != 0);
        uint32_t a = ss_compute_av(p, bools, &s, &t, cls, &ad);
        char got[256], gotna[256];
        perm_names(p, cls, a, got, sizeof(got));
        perm_names(p, cls, ~ad, gotna, sizeof(gotna));
        if (strcmp(got, cases[i].allow) || strcmp(gotna, cases[i].noaudit))
            fail_msg("case %zu: allow '%s' noaudit '%s', want '%s' / '%s'", i, got, gotna,
                     cases[i].allow, cases[i].noaudit);
    }
    /* Through the binary and the server, in host space. */
    size_t len;
    uint8_t *bin = tp_bin(p, &len);
    pdb_free(p);
    struct flask_ss *ss;
    char err[256];
    assert_int_equal(flask_ss_new(tp_hosts, TP_NHOSTS, &ss), 0);
    assert_int_equal(flask_ss_load(ss, bin, len, err, sizeof(err)), 0);
    free(bin);
    uint32_t d0 = tp_sid(ss, "system_u:system_r:dom0_t:s0-s1:c0.c3");
    uint32_t u = tp_sid(ss, "tenant_u:vm_r:domU_t:s0:c1");
    uint32_t hd = tp_hclass("domain");
    uint32_t want = tp_hperm("domain", "create") | tp_hperm("domain", "destroy") |
                    tp_hperm("domain", "pause") | tp_hperm("domain", "unpause") |
                    tp_hperm("domain", "getinfo");
    assert_int_equal(flask_ss_compute(ss, d0, u, hd, NULL), want);
    assert_int_equal(flask_ss_compute(ss, u, u, hd, NULL),
                     tp_hperm("domain", "unpause") | tp_hperm("domain", "getinfo"));
    assert_int_equal(flask_ss_setbool(ss, "pause_ok", true), 0);
    assert_int_equal(flask_ss_compute(ss, u, u, hd, NULL),
                     tp_hperm("domain", "pause") | tp_hperm("domain", "getinfo"));
    uint32_t x;
    assert_int_equal(flask_ss_isid(ss, "xen", &x), 0);
    assert_int_equal(flask_ss_compute(ss, d0, x, tp_hclass("xen"), NULL),
                     tp_hperm("xen", "version") | tp_hperm("xen", "writeconsole") |
                         tp_hperm("xen", "readconsole"));
    flask_ss_free(ss);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_context_roundtrip),
        cmocka_unit_test(test_context_reject),
        cmocka_unit_test(test_context_object_r),
        cmocka_unit_test(test_transition_across_roles),
        cmocka_unit_test(test_level_relations),
        cmocka_unit_test(test_te_decisions),
        cmocka_unit_test(test_conditional_rules),
        cmocka_unit_test(test_constraint_ops),
        cmocka_unit_test(test_constraint_scope),
        cmocka_unit_test(test_mcs_same_category),
        cmocka_unit_test(test_transition),
        cmocka_unit_test(test_no_policy),
        cmocka_unit_test(test_sids_and_compute),
        cmocka_unit_test(test_handle_unknown),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_reload_remaps_sids),
        cmocka_unit_test(test_failed_load_keeps_state),
        cmocka_unit_test(test_many_sids),
#ifdef HAVE_POL_COMPILE
        cmocka_unit_test(test_compiled_policy),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
