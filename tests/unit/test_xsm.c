/* SPDX-License-Identifier: MIT */
/*
 * The XSM hook layer (xsm/xsm.c): the tables generated from access_vectors.def and
 * hooks.def, the dummy module's privileged-caller rules, and the flask module over a
 * policy compiled from source here: decisions, audit lines, permissive mode,
 * booleans, policy reload (and a rejected reload), labels of new domains.
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

#include "policy/compile.h"
#include "policy/policydb.h"
#include "xsm/xsm.h"

/* A two-tenant policy: tenant_t may act on domU_t only at its own category. */
#define POLICY_FMT \
    "class xen\nclass domain\nclass security\nclass mmu\nclass stubdom\nclass event\n" \
    "class grant\nclass attest\n" \
    "sid xen\nsid security\nsid unlabeled\nsid domU\nsid dom0\nsid builder\n" \
    "class xen { version writeconsole readconsole }\n" \
    "class domain { create transition destroy pause unpause shutdown getinfo console }\n" \
    "class security { load_policy setenforce setbool read_audit }\n" \
    "class mmu { map_io build map_read map_write }\n" \
    "class stubdom { serve }\n" \
    "class event { create bind send status close }\n" \
    "class grant { setup map_read map_write copy query }\n" \
    "class attest { quote read_log }\n" \
    "sensitivity s0;\ndominance { s0 }\ncategory c0; category c1; category c2;\n" \
    "level s0:c0.c2;\n" \
    "mlsconstrain domain { create destroy pause unpause shutdown getinfo console }\n" \
    "    (l1 eq l2 or t1 == mcs_priv);\n" \
    "attribute mcs_priv;\n" \
    "type xen_t; type security_t; type unlabeled_t; type builder_t, mcs_priv;\n" \
    "type dom0_t, mcs_priv; type tenant_t; type domU_t;\n" \
    "bool tenant_can_pause %s;\n" \
    "allow dom0_t domU_t : domain *;\n" \
    "allow dom0_t security_t : security *;\n" \
    "allow builder_t domU_t : mmu build;\n" \
    "allow tenant_t domU_t : domain { create destroy unpause shutdown getinfo console };\n" \
    "if (tenant_can_pause) { allow tenant_t domU_t : domain pause; }\n" \
    "allow domU_t xen_t : xen { version writeconsole readconsole };\n" \
    "type_transition tenant_t domU_t : domain domU_t;\n" \
    "type_transition dom0_t domU_t : domain domU_t;\n" \
    "%s" \
    "role system_r;\nrole system_r types { xen_t security_t unlabeled_t builder_t dom0_t domU_t };\n" \
    "role tenant_r;\nrole tenant_r types { tenant_t domU_t };\n" \
    "user system_u roles { system_r } level s0 range s0 - s0:c0.c2;\n" \
    "user tenant_u roles { tenant_r } level s0 range s0 - s0:c0.c2;\n" \
    "sid xen system_u:system_r:xen_t:s0\n" \
    "sid security system_u:system_r:security_t:s0\n" \
    "sid unlabeled system_u:system_r:unlabeled_t:s0\n" \
    "sid domU system_u:system_r:domU_t:s0\n" \
    "sid dom0 system_u:system_r:dom0_t:s0-s0:c0.c2\n" \
    "sid builder system_u:system_r:builder_t:s0-s0:c0.c2\n" \
    "login 0 system_u:system_r:dom0_t:s0-s0:c0.c2;\n" \
    "login 1001 tenant_u:tenant_r:tenant_t:s0:c1;\n" \
    "login 1002 tenant_u:tenant_r:tenant_t:s0:c2;\n"

static uint8_t *compile_policy(const char *pause_default, const char *extra, size_t *len)
{
    char src[8192];
    struct pol_diag diags;
    struct policydb *p = NULL;
    uint8_t *bin = NULL;
    int rc;

    snprintf(src, sizeof(src), POLICY_FMT, pause_default, extra);
    rc = pol_compile("test.te", src, strlen(src), &p, &diags);
    if (rc < 0) {
        char line[400];
        for (uint32_t i = 0; i < diags.n; i++) {
            pol_diag_format(&diags, i, "test.te", line, sizeof(line));
            fprintf(stderr, "%s\n", line);
        }
    }
    assert_int_equal(rc, 0);
    assert_int_equal(pdb_write(p, &bin, len), 0);
    pdb_free(p);
    return bin;
}

static char audit_buf[65536];
static uint64_t audit_mark;

/* Audit lines since the last call. */
static const char *audit_new(void)
{
    uint64_t last;
    xsm_audit_read(audit_mark, audit_buf, sizeof(audit_buf), &last);
    audit_mark = last;
    return audit_buf;
}

static struct xsm_label dom_label(uint32_t sid, uint32_t uid, uint32_t domid)
{
    struct xsm_label l = { sid, uid, domid, XSM_DOMID_NONE, 0 };
    return l;
}

/* --- generated tables ---------------------------------------------------------------- */
static void tables(void **state)
{
    (void)state;
    assert_string_equal(xsm_classes[XSM_CLASS_domain].name, "domain");
    assert_string_equal(xsm_classes[XSM_CLASS_domain].perms[XSM_BIT_domain__pause], "pause");
    assert_string_equal(xsm_classes[XSM_CLASS_mmu].perms[XSM_BIT_mmu__map_io], "map_io");
    assert_int_equal(XSM_PERM(xen, version), 1u);
    assert_int_equal(xsm_classes[XSM_CLASS_xen].nperms, 3);
    for (int h = 0; h < XSM_NHOOKS; h++) {
        const struct xsm_hook_info *hi = &xsm_hooks[h];
        uint32_t np = xsm_classes[hi->tclass].nperms;
        assert_non_null(hi->name);
        assert_true(hi->tclass > XSM_CLASS_NONE && hi->tclass < XSM_NCLASSES);
        assert_true(hi->perms != 0);
        assert_int_equal(hi->perms & ~((1u << np) - 1), 0);   /* only the class's bits */
        for (int k = 0; k < h; k++)
            assert_string_not_equal(hi->name, xsm_hooks[k].name);
    }
    assert_string_equal(xsm_hooks[XSM_H_domain_pause].name, "domain_pause");
    assert_int_equal(xsm_hooks[XSM_H_domain_pause].dflt, XSM_TARGET);
    assert_false(xsm_hooks[XSM_H_domain_list].audit);
}

/* --- dummy ------------------------------------------------------------------------------ */
static void dummy_rules(void **state)
{
    char err[128];
    struct xsm_label root, alice, bob, dom_a, stub, sec;
    (void)state;

    assert_int_equal(xsm_init(XSM_MODULE_DUMMY, NULL, 0, true, err, sizeof(err)), 0);
    audit_new();
    assert_int_equal(xsm_label_client(0, 10, &root), 0);
    assert_int_equal(xsm_label_client(1001, 11, &alice), 0);
    assert_int_equal(xsm_label_client(1002, 12, &bob), 0);
    assert_int_equal(xsm_label_isid("security", &sec), 0);
    dom_a = dom_label(0, 1001, 3);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &alice, &dom_a), 0);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &root, &dom_a), 0);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &bob, &dom_a), -EACCES);
    assert_non_null(strstr(audit_new(), "xsm(dummy): denied op=domain_pause pid=12 uid=1002 domid=3"));
    /* list filtering is silent */
    assert_int_equal(xsm_domain_list(XSM_TARGET, &bob, &dom_a), -EACCES);
    assert_string_equal(audit_new(), "");
    /* privileged only */
    assert_int_equal(xsm_setenforce(XSM_PRIV, &alice, &sec), -EACCES);
    assert_int_equal(xsm_setenforce(XSM_PRIV, &root, &sec), 0);
    /* the stub domain serving domain 3, and no other */
    assert_int_equal(xsm_label_stubdom("dm", &dom_a, 2000, &stub), 0);
    assert_int_equal(xsm_map_io(XSM_DM_PRIV, &stub, &dom_a), 0);
    dom_a.domid = 4;
    assert_int_equal(xsm_map_io(XSM_DM_PRIV, &stub, &dom_a), -EACCES);
    /* a call with another default than hooks.def's is a bug: denied */
    assert_int_equal(xsm_check(XSM_H_domain_pause, XSM_HOOK, &root, &dom_a), -EACCES);
    assert_int_equal(xsm_check((enum xsm_hook)XSM_NHOOKS, XSM_HOOK, &root, &dom_a), -EACCES);
    /* the dummy module has no policy */
    assert_int_equal(xsm_policy_load((const uint8_t *)"x", 1, err, sizeof(err)), -EOPNOTSUPP);
    xsm_fini();
}

/* --- flask ------------------------------------------------------------------------------ */
static void flask_decisions(void **state)
{
    char err[256], ctx[256];
    size_t len, len2;
    uint8_t *bin = compile_policy("true", "", &len);
    uint8_t *bin2 = compile_policy("false", "", &len2);
    struct xsm_label root, alice, bob, nobody, sec, dom_a, dom_b, dom_lbl;
    struct xsm_status st;
    bool explicit_label, cur, dflt;
    (void)state;

    assert_int_equal(xsm_init(XSM_MODULE_FLASK, bin, len, true, err, sizeof(err)), 0);
    audit_new();
    assert_int_equal(xsm_label_client(0, 10, &root), 0);
    assert_int_equal(xsm_label_client(1001, 11, &alice), 0);
    assert_int_equal(xsm_label_client(1002, 12, &bob), 0);
    assert_int_equal(xsm_label_client(4242, 13, &nobody), -EACCES);  /* no login entry */
    assert_int_equal(xsm_label_isid("security", &sec), 0);
    assert_true(xsm_label_string(&alice, ctx, sizeof(ctx)) > 0);
    assert_string_equal(ctx, "tenant_u:tenant_r:tenant_t:s0:c1");

    /* Default labels of new domains: the creator's transition, at its level. */
    assert_int_equal(xsm_label_domain(&alice, "", 3, &dom_a, &explicit_label, err, sizeof(err)), 0);
    assert_false(explicit_label);
    assert_true(xsm_label_string(&dom_a, ctx, sizeof(ctx)) > 0);
    assert_string_equal(ctx, "tenant_u:tenant_r:domU_t:s0:c1");
    assert_int_equal(xsm_label_domain(&bob, "", 4, &dom_b, &explicit_label, err, sizeof(err)), 0);
    assert_int_equal(xsm_domain_create(XSM_HOOK, &alice, &dom_a), 0);
    /* A stub domain serving A's domain: the isid's type at the domain's level. */
    {
        struct xsm_label stub;
        assert_int_equal(xsm_label_stubdom("builder", &dom_a, 0, &stub), 0);
        assert_true(xsm_label_string(&stub, ctx, sizeof(ctx)) > 0);
        assert_string_equal(ctx, "system_u:system_r:builder_t:s0:c1");
        assert_int_equal(stub.target, 3);
        assert_int_equal(xsm_label_stubdom("nosuch", &dom_a, 0, &stub), -ENOENT);
    }
    /* A explicit label at another tenant's category: create denied by the constraint. */
    assert_int_equal(xsm_label_domain(&alice, "tenant_u:tenant_r:domU_t:s0:c2", 5, &dom_lbl,
                                      &explicit_label, err, sizeof(err)), 0);
    assert_true(explicit_label);
    assert_int_equal(xsm_domain_create(XSM_HOOK, &alice, &dom_lbl), -EACCES);
    assert_int_equal(xsm_label_domain(&alice, "tenant_u:tenant_r:nosuch_t:s0", 5, &dom_lbl,
                                      &explicit_label, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "nosuch_t"));
    audit_new();

    /* Own domain yes, the other tenant's no (audited in SELinux format), host yes. */
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &alice, &dom_a), 0);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &bob, &dom_a), -EACCES);
    assert_non_null(strstr(audit_new(),
        "avc:  denied  { pause } for op=domain_pause pid=12 uid=1002 domid=3 "
        "scontext=tenant_u:tenant_r:tenant_t:s0:c2 tcontext=tenant_u:tenant_r:domU_t:s0:c1 "
        "tclass=domain permissive=0"));
    assert_int_equal(xsm_domain_destroy(XSM_TARGET, &root, &dom_a), 0);
    assert_int_equal(xsm_console_attach(XSM_TARGET, &bob, &dom_b), 0);
    assert_int_equal(xsm_console_attach(XSM_TARGET, &bob, &dom_a), -EACCES);
    /* Tenants may not touch the policy. */
    assert_int_equal(xsm_setenforce(XSM_PRIV, &alice, &sec), -EACCES);
    assert_non_null(strstr(audit_new(), "{ setenforce }"));
    assert_int_equal(xsm_setenforce(XSM_PRIV, &root, &sec), 0);
    /* Hypercalls: a domain's own console. */
    {
        struct xsm_label xen;
        assert_int_equal(xsm_label_isid("xen", &xen), 0);
        assert_int_equal(xsm_console_write(XSM_HOOK, &dom_a, &xen), 0);
        assert_int_equal(xsm_console_write(XSM_HOOK, &alice, &xen), -EACCES);
    }

    /* Permissive: allowed, still audited with permissive=1. */
    xsm_set_enforcing(false);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &bob, &dom_a), 0);
    assert_non_null(strstr(audit_new(), "permissive=1"));
    xsm_set_enforcing(true);

    /* Booleans. */
    assert_int_equal(xsm_bool_get("tenant_can_pause", &cur, &dflt), 0);
    assert_true(cur && dflt);
    assert_int_equal(xsm_bool_set("tenant_can_pause", false), 0);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &alice, &dom_a), -EACCES);
    assert_int_equal(xsm_bool_set("tenant_can_pause", true), 0);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &alice, &dom_a), 0);
    assert_int_equal(xsm_bool_set("no_such_bool", true), -ENOENT);

    /* A truncated policy is rejected; the old one stays in force. */
    assert_true(xsm_policy_load(bin2, len2 / 2, err, sizeof(err)) < 0);
    assert_true(err[0] != '\0');
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &alice, &dom_a), 0);
    /* A new policy changes decisions at once; existing labels stay valid. */
    assert_int_equal(xsm_policy_load(bin2, len2, err, sizeof(err)), 0);
    assert_int_equal(xsm_domain_pause(XSM_TARGET, &alice, &dom_a), -EACCES);
    assert_int_equal(xsm_domain_unpause(XSM_TARGET, &alice, &dom_a), 0);
    assert_true(xsm_label_string(&dom_a, ctx, sizeof(ctx)) > 0);
    assert_string_equal(ctx, "tenant_u:tenant_r:domU_t:s0:c1");

    /* The AVC answered most of the repeated questions. */
    xsm_get_status(&st);
    assert_int_equal(st.module, XSM_MODULE_FLASK);
    assert_int_equal(st.policy_loads, 2);
    assert_true(st.avc_hits > 0);
    assert_true(st.avc_lookups == st.avc_hits + st.avc_misses);
    assert_true(st.denials >= 6);
    xsm_fini();
    free(bin);
    free(bin2);
}

/* Audit lines beyond XSM_AUDIT_RATE per second are dropped and counted. */
static void audit_rate_limit(void **state)
{
    char err[128];
    struct xsm_label bob, dom_a = dom_label(0, 1001, 3);
    struct xsm_status st;
    (void)state;

    assert_int_equal(xsm_init(XSM_MODULE_DUMMY, NULL, 0, true, err, sizeof(err)), 0);
    assert_int_equal(xsm_label_client(1002, 12, &bob), 0);
    for (int i = 0; i < 3 * (int)XSM_AUDIT_RATE; i++)
        assert_int_equal(xsm_domain_pause(XSM_TARGET, &bob, &dom_a), -EACCES);
    xsm_get_status(&st);
    assert_true(st.audit_dropped >= XSM_AUDIT_RATE);   /* at least one window overflowed */
    assert_true(st.denials >= 3 * XSM_AUDIT_RATE);
    xsm_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables),
        cmocka_unit_test(dummy_rules),
        cmocka_unit_test(flask_decisions),
        cmocka_unit_test(audit_rate_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
