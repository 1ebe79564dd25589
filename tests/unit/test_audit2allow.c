/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of policy/audit2allow.c: parsing AVC denial lines (the format of
 * avc_format_denial, SELinux's), grouping and merging into allow rules, and the
 * explanations a policy gives (missing rule, boolean, constraint, already allowed).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/audit2allow.h"
#include "an_testpol.h"

static struct a2a_denial d;
static char out[16384];

#define L(x) (x), strlen(x)

static void parses_denial(void **state)
{
    (void)state;
    assert_int_equal(a2a_parse_line(L("xenia-hv[42]: avc:  denied  { pause getinfo } for op=pause "
        "domid=3 scontext=tenant_u:tenant_r:tenant_t:s0:c2 tcontext=tenant_u:tenant_r:domU_t:s0:c1 "
        "tclass=domain permissive=0\n"), &d), 1);
    assert_int_equal(d.nperms, 2);
    assert_string_equal(d.perms[0], "pause");
    assert_string_equal(d.perms[1], "getinfo");
    assert_string_equal(d.scontext, "tenant_u:tenant_r:tenant_t:s0:c2");
    assert_string_equal(d.tcontext, "tenant_u:tenant_r:domU_t:s0:c1");
    assert_string_equal(d.stype, "tenant_t");
    assert_string_equal(d.ttype, "domU_t");
    assert_string_equal(d.tclass, "domain");
    assert_false(d.permissive);
    /* A range context and permissive=1. */
    assert_int_equal(a2a_parse_line(L("avc:  denied  { send } for scontext=a_u:r:x_t:s0-s0:c0.c3 "
        "tcontext=b:r:y_t:s0 tclass=event permissive=1"), &d), 1);
    assert_string_equal(d.stype, "x_t");
    assert_string_equal(d.ttype, "y_t");
    assert_true(d.permissive);
}

static void ignores_other_lines(void **state)
{
    (void)state;
    assert_int_equal(a2a_parse_line(L("hello world"), &d), 0);
    assert_int_equal(a2a_parse_line(L(""), &d), 0);
    assert_int_equal(a2a_parse_line(L("avc:  granted  { pause } for scontext=a:r:t:s0 "
        "tcontext=a:r:t:s0 tclass=domain"), &d), 0);
    assert_int_equal(a2a_parse_line(L("avc: received policyload notice (seqno=2)"), &d), 0);
}

static void rejects_malformed(void **state)
{
    char big[A2A_MAX_LINE + 10];
    char many[2048] = "avc:  denied  {";

    (void)state;
    /* no closing brace */
    assert_int_equal(a2a_parse_line(L("avc:  denied  { pause for scontext=a:r:t:s0 "
        "tcontext=a:r:t:s0 tclass=domain"), &d), -EINVAL);
    /* empty permission set */
    assert_int_equal(a2a_parse_line(L("avc:  denied  { } for scontext=a:r:t:s0 "
        "tcontext=a:r:t:s0 tclass=domain"), &d), -EINVAL);
    /* missing tclass */
    assert_int_equal(a2a_parse_line(L("avc:  denied  { pause } for scontext=a:r:t:s0 "
        "tcontext=a:r:t:s0"), &d), -EINVAL);
    /* context without a type */
    assert_int_equal(a2a_parse_line(L("avc:  denied  { pause } for scontext=a "
        "tcontext=a:r:t:s0 tclass=domain"), &d), -EINVAL);
    /* rule-injection attempt: a permission name with a ';' */
    assert_int_equal(a2a_parse_line(L("avc:  denied  { pause;allow } for scontext=a:r:t:s0 "
        "tcontext=a:r:t:s0 tclass=domain"), &d), -EINVAL);
    assert_int_equal(a2a_parse_line(L("avc:  denied  { pause } for scontext=a:r:t;x:s0 "
        "tcontext=a:r:t:s0 tclass=domain"), &d), -EINVAL);
    /* too long */
    memset(big, 'a', sizeof(big));
    assert_int_equal(a2a_parse_line(big, sizeof(big), &d), -E2BIG);
    /* too many permissions */
    for (int i = 0; i < 40; i++) {
        char w[16];
        snprintf(w, sizeof(w), " p%d", i);
        strcat(many, w);
    }
    strcat(many, " } for scontext=a:r:t:s0 tcontext=a:r:t:s0 tclass=domain");
    assert_int_equal(a2a_parse_line(L(many), &d), -E2BIG);
}

static void groups_merges_sorts(void **state)
{
    struct a2a *a;
    int n;

    (void)state;
    assert_int_equal(a2a_new(NULL, &a), 0);
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { unpause pause } for scontext=u:r:zz_t:s0 "
        "tcontext=u:r:dom_t:s0:c1 tclass=domain permissive=0")), 1);
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { send } for scontext=u:r:aa_t:s0 "
        "tcontext=u:r:dom_t:s0 tclass=event permissive=0")), 1);
    /* same (zz_t, dom_t, domain) at another level: merged, duplicates dropped */
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { pause destroy } for scontext=u:r:zz_t:s0:c3 "
        "tcontext=u:r:dom_t:s0:c4 tclass=domain permissive=1")), 1);
    assert_int_equal(a2a_add_line(a, L("not a denial")), 0);
    assert_int_equal(a2a_ngroups(a), 2);
    n = a2a_format(a, out, sizeof(out));
    assert_int_equal(n, (int)strlen(out));
    assert_string_equal(out,
        "allow aa_t dom_t:event { send };\n"
        "\n"
        "allow zz_t dom_t:domain { destroy pause unpause };\n");
    assert_int_equal(a2a_format(a, out, 20), -ENOSPC);
    a2a_free(a);
}

static void bounded_groups(void **state)
{
    struct a2a *a;
    char line[256];

    (void)state;
    assert_int_equal(a2a_new(NULL, &a), 0);
    for (uint32_t i = 0; i < A2A_MAX_GROUPS; i++) {
        snprintf(line, sizeof(line), "avc:  denied  { p } for scontext=u:r:t%u_t:s0 "
                 "tcontext=u:r:t:s0 tclass=c", i);
        assert_int_equal(a2a_add_line(a, L(line)), 1);
    }
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { p } for scontext=u:r:new_t:s0 "
        "tcontext=u:r:t:s0 tclass=c")), -E2BIG);
    assert_int_equal(a2a_ngroups(a), A2A_MAX_GROUPS);
    /* an existing group still takes permissions */
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { q } for scontext=u:r:t0_t:s0 "
        "tcontext=u:r:t:s0 tclass=c")), 1);
    a2a_free(a);
}

/* With the policy: each permission explained by why it was denied. */
static void explains_with_policy(void **state)
{
    struct policydb *p = base_policy();
    struct a2a *a;

    (void)state;
    /* client_t dom_t : gnt map_read only when boolean b (default false) */
    rule(p, T_CLIENT, T_DOM, C_GNT, 1, 1, P_MAPR);
    sort_rules(p);
    assert_int_equal(a2a_new(p, &a), 0);
    /* constraint: c2 client pausing a c1 domain (TE allows pause) */
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { pause } for op=pause domid=3 "
        "scontext=u:r:client_t:s0:c2 tcontext=u:r:dom_t:s0:c1 tclass=dom permissive=0")), 1);
    /* boolean: map_read by a conditional rule that is off */
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { map_read map_write } for "
        "scontext=u:r:client_t:s0:c1 tcontext=u:r:dom_t:s0:c1 tclass=gnt permissive=0")), 1);
    /* already allowed: getinfo at the same level */
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { getinfo } for "
        "scontext=u:r:client_t:s0:c1 tcontext=u:r:dom_t:s0:c1 tclass=dom permissive=0")), 1);
    /* unknown type */
    assert_int_equal(a2a_add_line(a, L("avc:  denied  { pause } for "
        "scontext=u:r:ghost_t:s0 tcontext=u:r:dom_t:s0 tclass=dom permissive=0")), 1);
    assert_true(a2a_format(a, out, sizeof(out)) > 0);
    /* the constraint case is not turned into an allow rule */
    assert_non_null(strstr(out, "#!!!! constraint violation: client_t dom_t:dom { pause } is "
        "granted by allow rules but denied by a constraint"));
    assert_non_null(strstr(out, "scontext=u:r:client_t:s0:c2 tcontext=u:r:dom_t:s0:c1"));
    assert_null(strstr(out, "allow client_t dom_t:dom"));
    assert_non_null(strstr(out, "# dom { getinfo } is already allowed by this policy"));
    /* boolean: explained, left out of the rule; map_write: a missing rule */
    assert_non_null(strstr(out, "# gnt { map_read } is granted by a conditional rule in the "
        "other branch; set boolean(s) b (now false)"));
    assert_non_null(strstr(out, "# missing allow rule\nallow client_t dom_t:gnt { map_write };\n"));
    /* unknown contexts: the rule is still suggested */
    assert_non_null(strstr(out, "allow ghost_t dom_t:dom { pause };\n"));
    assert_non_null(strstr(out, "# dom { pause }: contexts, class or permission unknown"));
    a2a_free(a);
    pdb_free(p);
}

static void cond_eval(void **state)
{
    struct policydb *p = base_policy();
    struct pdb_cond c;
    bool b[2] = { false, false };

    (void)state;
    memset(&c, 0, sizeof(c));
    c.nexpr = 2;                         /* !b */
    c.expr[0] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };
    c.expr[1] = (struct pdb_cexpr){ PDB_CEXPR_NOT, 0, 0 };
    assert_int_equal(a2a_cond_eval(p, &c, b), 1);
    b[1] = true;
    assert_int_equal(a2a_cond_eval(p, &c, b), 0);
    c.nexpr = 3;                         /* b ^ b ... malformed: NOT then XOR underflows */
    c.expr[2] = (struct pdb_cexpr){ PDB_CEXPR_XOR, 0, 0 };
    assert_int_equal(a2a_cond_eval(p, &c, b), -EINVAL);
    c.expr[1] = (struct pdb_cexpr){ PDB_CEXPR_BOOL, 0, 1 };   /* b == b via XOR: false */
    assert_int_equal(a2a_cond_eval(p, &c, b), 0);
    c.expr[0].boolidx = 2;               /* out of range */
    assert_int_equal(a2a_cond_eval(p, &c, b), -EINVAL);
    pdb_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_denial),
        cmocka_unit_test(ignores_other_lines),
        cmocka_unit_test(rejects_malformed),
        cmocka_unit_test(groups_merges_sorts),
        cmocka_unit_test(bounded_groups),
        cmocka_unit_test(explains_with_policy),
        cmocka_unit_test(cond_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
