/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of policy/analyze.c (the information-flow analyser).
 *
 * Part 1: a small policydb built in C, varied one element at a time (a constraint
 * removed, a rule made conditional, a bridge through the trusted host), so each
 * test shows that one element decides the verdict.
 * Part 2 (when helper A's compiler is linked, HAVE_POL_COMPILE): the default
 * policy (policy/default/xenia.te) must be isolated, and variants of it with the
 * MCS separation weakened must report a flow.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "policy/analyze.h"
#include "policy/policydb.h"
#include "xsm/flask/ss.h"
#ifdef HAVE_POL_COMPILE
#include "policy/compile.h"
#endif

#include "an_testpol.h"

static char report[8192];

static void base_is_isolated(void **state)
{
    struct policydb *p = base_policy();
    struct pdb_context a = ctx(T_CLIENT, 1), b = ctx(T_CLIENT, 2);
    struct an_path path;

    (void)state;
    assert_int_equal(an_check_isolation(p, report, sizeof(report)), 0);
    assert_non_null(strstr(report, "isolated  u:r:client_t:s0:c1 -> u:r:client_t:s0:c2\n"));
    assert_non_null(strstr(report, "isolated  u:r:client_t:s0:c2 -> u:r:client_t:s0:c1\n"));
    assert_null(strstr(report, "FLOW"));
    assert_int_equal(an_flow(p, &a, &b, &path), 0);
    assert_int_equal(path.nsteps, 0);
    /* A client does reach its own domain (one write step: pause)... */
    b = ctx(T_DOM, 1);
    assert_int_equal(an_flow(p, &a, &b, &path), 1);
    assert_int_equal(path.nsteps, 1);
    assert_int_equal(path.step[0].tclass, C_DOM);
    assert_int_equal(path.step[0].perm, P_PAUSE);
    assert_int_equal(path.step[0].read, 0);
    /* ...and reads it back (getinfo: the client reads the domain). */
    assert_int_equal(an_flow(p, &b, &a, &path), 1);
    assert_int_equal(path.nsteps, 1);
    assert_int_equal(path.step[0].perm, P_GETINFO);
    assert_int_equal(path.step[0].read, 1);
    assert_int_equal(path.step[0].to.type, T_CLIENT);
    /* ...but not a domain of another category. */
    b = ctx(T_DOM, 2);
    assert_int_equal(an_flow(p, &a, &b, NULL), 0);
    pdb_free(p);
}

/* Without the grant constraint, dom_t:c1 writes dom_t:c2: a three-step flow. */
static void weakened_constraint_flows(void **state)
{
    struct policydb *p = base_policy();
    struct pdb_context a = ctx(T_CLIENT, 1), b = ctx(T_CLIENT, 2);
    struct an_path path;
    char buf[4096];

    (void)state;
    p->ncons = 1;                       /* drop the gnt constraint */
    assert_int_equal(an_check_isolation(p, report, sizeof(report)), 2);
    assert_non_null(strstr(report, "FLOW      u:r:client_t:s0:c1 -> u:r:client_t:s0:c2 via"));
    assert_int_equal(an_flow(p, &a, &b, &path), 1);
    assert_int_equal(path.nsteps, 3);
    assert_int_equal(path.step[0].tclass, C_DOM);
    assert_int_equal(path.step[0].to.type, T_DOM);
    assert_int_equal(path.step[1].tclass, C_GNT);
    assert_int_equal(path.step[1].perm, P_MAPW);
    assert_int_equal(path.step[1].to.low.cats[0], 1u << 2);
    assert_int_equal(path.step[2].read, 1);
    assert_int_equal(path.step[2].perm, P_GETINFO);
    assert_int_equal(an_format_path(p, &path, buf, sizeof(buf)) > 0, 1);
    assert_non_null(strstr(buf, "  u:r:client_t:s0:c1 -> u:r:dom_t:s0:c1  (the former has dom:pause"));
    assert_non_null(strstr(buf, "  u:r:dom_t:s0:c2 -> u:r:client_t:s0:c2  (the latter has dom:getinfo"));
    assert_int_equal(an_format_path(p, &path, buf, 20), -ENOSPC);
    /* A report too small for the lines is refused, not truncated silently. */
    assert_int_equal(an_check_isolation(p, report, 40), -ENOSPC);
    pdb_free(p);
}

/* A conditional rule counts even when its boolean is off by default. */
static void conditional_rules_count(void **state)
{
    struct policydb *p = base_policy();

    (void)state;
    p->ncons = 1;
    p->avrules[1].cond = 1;            /* dom_t dom_t gnt map_write only if b */
    p->avrules[1].branch = 1;
    assert_int_equal(an_check_isolation(p, NULL, 0), 2);
    p->avrules[1].branch = 0;          /* ... or only if !b */
    assert_int_equal(an_check_isolation(p, NULL, 0), 2);
    /* Only the read half of the bridge is a flow: map_read alone from c2 to c1's
     * domain carries c1 -> c2 too (the reader learns). */
    p->avrules[1].data = P_MAPR;
    assert_int_equal(an_check_isolation(p, NULL, 0), 2);
    /* No gnt rule at all: isolated again. */
    p->avrules[1].data = 0;
    assert_int_equal(an_check_isolation(p, NULL, 0), 0);
    pdb_free(p);
}

/* A bridge through the host: followed only when the host is not in xenia_tcb. */
static void tcb_is_not_followed(void **state)
{
    struct policydb *p = base_policy();
    struct pdb_context a = ctx(T_CLIENT, 1), h;

    (void)state;
    /* host_t writes and reads every domain; clients only their own (l1 eq l2 or
     * t1 == host_t); no grants between domains. */
    p->navrules = 0;
    rule(p, T_CLIENT, T_DOM, C_DOM, 0, 0, P_PAUSE | P_GETINFO);
    rule(p, T_HOST, T_DOM, C_DOM, 0, 0, P_PAUSE | P_GETINFO);
    sort_rules(p);
    p->ncons = 0;
    {
        struct pdb_constraint *c = &p->cons[p->ncons++];
        memset(c, 0, sizeof(*c));
        c->tclass = C_DOM;
        c->mls = 1;
        c->perms = P_PAUSE | P_GETINFO;
        p->sets = z(1, sizeof(*p->sets));
        bm(&p->sets[0], NT + 1, 1u << T_HOST);
        p->nsets = 1;
        c->nexpr = 3;
        c->expr[0] = (struct pdb_consnode){ PDB_CONS_ATTR, PDB_ATTR_L1L2, PDB_OP_EQ, 0, 0 };
        c->expr[1] = (struct pdb_consnode){ PDB_CONS_NAMES, PDB_ATTR_T1, PDB_OP_EQ, 0, 0 };
        c->expr[2] = (struct pdb_consnode){ PDB_CONS_OR, 0, 0, 0, 0 };
    }
    assert_int_equal(an_check_isolation(p, report, sizeof(report)), 0);
    /* The host itself is reachable as an endpoint. */
    h = ctx(T_HOST, 1);
    assert_int_equal(an_flow(p, &a, &h, NULL), 1);
    /* Leave the host out of xenia_tcb: c1 -> dom c1 -> host -> dom c2 -> c2. */
    p->attrs[0].types.words[0] = 0;
    assert_int_equal(an_check_isolation(p, report, sizeof(report)), 2);
    pdb_free(p);
}

static void invalid_labels_rejected(void **state)
{
    struct policydb *p = base_policy();
    struct pdb_context a = ctx(T_CLIENT, 1), b = ctx(T_CLIENT, 2), bad;

    (void)state;
    bad = a;
    bad.type = 0;
    assert_int_equal(an_flow(p, &bad, &b, NULL), -EINVAL);
    bad = a;
    bad.type = NT + 1;
    assert_int_equal(an_flow(p, &a, &bad, NULL), -EINVAL);
    bad = a;                            /* category outside the user's range */
    bad.low.cats[0] = bad.high.cats[0] = 1u << 3 | 1ull << 40;
    assert_int_equal(an_flow(p, &bad, &b, NULL), -EINVAL);
    bad = a;                            /* high below low */
    bad.high.cats[0] = 0;
    assert_int_equal(an_flow(p, &bad, &b, NULL), -EINVAL);
    bad = a;                            /* role does not hold the type */
    p->roles[1].types.words[0] = 1u << T_DOM;
    assert_int_equal(an_flow(p, &bad, &b, NULL), -EINVAL);
    p->roles[1].types.words[0] = 0xe;
    /* Same context: a flow of zero steps. */
    assert_int_equal(an_flow(p, &a, &a, NULL), 1);
    /* Unsorted rules are refused, not silently misread. */
    p->avrules[0].stype = T_HOST;
    assert_int_equal(an_check_isolation(p, NULL, 0), -EINVAL);
    pdb_free(p);
}

#ifdef HAVE_POL_COMPILE
/* ---- the default policy and its weakened variants --------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    buf = z((size_t)n + 1, 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    return buf;
}

static struct policydb *compile_src(const char *src)
{
    struct pol_diag *d = z(1, sizeof(*d));
    struct policydb *p = NULL;
    int rc = pol_compile("xenia.te", src, strlen(src), &p, d);

    if (rc != 0) {
        char line[512];
        for (uint32_t i = 0; i < d->n; i++) {
            pol_diag_format(d, i, "xenia.te", line, sizeof(line));
            print_error("%s\n", line);
        }
        fail_msg("compile failed: %d", rc);
    }
    free(d);
    return p;
}

/* The default source with `from` replaced by `to` (which must occur). */
static char *variant(const char *from, const char *to)
{
    char *src = slurp("policy/default/xenia.te"), *hit = strstr(src, from), *out;
    size_t a, n;

    assert_non_null(hit);
    a = (size_t)(hit - src);
    n = strlen(src) - a - strlen(from);
    out = z(a + strlen(to) + n + 1, 1);
    memcpy(out, src, a);
    memcpy(out + a, to, strlen(to));
    memcpy(out + a + strlen(to), hit + strlen(from), n + 1);
    free(src);
    return out;
}

static void default_policy_is_isolated(void **state)
{
    char *src = slurp("policy/default/xenia.te");
    struct policydb *p = compile_src(src);
    struct pdb_context a, b;
    struct timespec t0, t1;
    char err[128];
    double ms;
    int rc;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = an_check_isolation(p, report, sizeof(report));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (rc != 0)
        fail_msg("default policy not isolated (%d):\n%s", rc, report);
    assert_true(ms < 1000.0);
    assert_non_null(strstr(report, "isolated  tenant_u:tenant_r:tenant_t:s0:c1 -> "
                                   "tenant_u:tenant_r:tenant_t:s0:c2\n"));
    assert_non_null(strstr(report, "isolated  tenant_u:tenant_r:tenant_t:s0:c2 -> "
                                   "nobody_u:nobody_r:nologin_t:s0\n"));
    /* 3 tenants (c1, c2, login *): 6 ordered pairs. */
    {
        int lines = 0;
        for (const char *c = report; *c; c++)
            lines += *c == '\n';
        assert_int_equal(lines, 6);
    }
    /* A tenant reaches its own domains and their device model... */
    assert_int_equal(ss_context_parse(p, "tenant_u:tenant_r:tenant_t:s0:c1", &a, err, sizeof(err)), 0);
    assert_int_equal(ss_context_parse(p, "system_u:system_r:dm_t:s0:c1", &b, err, sizeof(err)), 0);
    assert_int_equal(an_flow(p, &a, &b, NULL), 1);
    /* ...but not another tenant's domain. */
    assert_int_equal(ss_context_parse(p, "tenant_u:tenant_r:domU_t:s0:c2", &b, err, sizeof(err)), 0);
    assert_int_equal(an_flow(p, &a, &b, NULL), 0);
    /* The host (an endpoint in the TCB) learns from every tenant. */
    assert_int_equal(ss_context_parse(p, "system_u:system_r:dom0_t:s0-s0:c0.c255", &b, err,
                                      sizeof(err)), 0);
    assert_int_equal(an_flow(p, &a, &b, NULL), 1);
    pdb_free(p);
    free(src);
}

static void expect_flow(const char *from, const char *to)
{
    char *src = variant(from, to);
    struct policydb *p = compile_src(src);
    int rc = an_check_isolation(p, report, sizeof(report));

    if (rc <= 0)
        fail_msg("variant [%s] -> [%s]: expected a flow, got %d\n%s", from, to, rc, report);
    assert_non_null(strstr(report, "FLOW      tenant_u:tenant_r:tenant_t:s0:c1 -> "
                                   "tenant_u:tenant_r:tenant_t:s0:c2 via"));
    pdb_free(p);
    free(src);
}

/* The grant constraint removed: domains of c1 and c2 share frames. */
static void variant_no_grant_constraint_flows(void **state)
{
    (void)state;
    expect_flow("mlsconstrain grant { setup map_read map_write copy query }\n"
                "    ((l1 eq l2 and h1 eq h2) or (t1 == mcs_privileged and h1 dom h2));",
                "");
}

/* Equality weakened to dominance: c1 writes down to s0, c2 reads down from it. */
static void variant_dom_constraint_flows(void **state)
{
    (void)state;
    expect_flow("mlsconstrain event { create bind send status close }\n"
                "    ((l1 eq l2 and h1 eq h2)",
                "mlsconstrain event { create bind send status close }\n"
                "    ((l1 dom l2)");
}

/* A device model made host-wide (mcs_privileged) but not trusted (not in the TCB). */
static void variant_privileged_dm_flows(void **state)
{
    (void)state;
    expect_flow("type dm_t, domain_type, tenant_type;",
                "type dm_t, domain_type, tenant_type, mcs_privileged;");
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(base_is_isolated),
        cmocka_unit_test(weakened_constraint_flows),
        cmocka_unit_test(conditional_rules_count),
        cmocka_unit_test(tcb_is_not_followed),
        cmocka_unit_test(invalid_labels_rejected),
#ifdef HAVE_POL_COMPILE
        cmocka_unit_test(default_policy_is_isolated),
        cmocka_unit_test(variant_no_grant_constraint_flows),
        cmocka_unit_test(variant_dom_constraint_flows),
        cmocka_unit_test(variant_privileged_dm_flows),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
