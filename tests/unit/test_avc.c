/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the access vector cache and audit lines (xsm/flask/avc.c):
 * hits and misses, flush when the server's seqno moves (setbool, load), chains
 * (more keys than slots), reclaim (more keys than entries), and the exact SELinux
 * audit line format.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/flask_testpol.h"

#define DOM0 "system_u:system_r:dom0_t:s0-s1:c0.c255"

static void stats(struct avc *a, struct avc_stats *st)
{
    memset(st, 0xee, sizeof(*st));
    avc_get_stats(a, st);
}

static void test_hits_and_misses(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    struct avc *a;
    struct avc_stats st;
    assert_int_equal(avc_new(ss, &a), 0);
    uint32_t d0 = tp_sid(ss, DOM0), u = tp_sid(ss, "tenant_u:tenant_r:domU_t:s0:c1"), x;
    assert_int_equal(flask_ss_isid(ss, "xen", &x), 0);
    uint32_t hd = tp_hclass("domain"), hx = tp_hclass("xen");
    uint32_t pause = tp_hperm("domain", "pause"), tr = tp_hperm("domain", "transition");
    uint32_t denied = 7, audited = 7;

    stats(a, &st);
    assert_int_equal(st.lookups, 0);
    assert_int_equal(st.hits + st.misses + st.reclaims + st.flushes, 0);

    assert_true(avc_has_perm_noaudit(a, d0, u, hd, pause, &denied, &audited));
    assert_int_equal(denied, 0);
    assert_int_equal(audited, 0);
    stats(a, &st);
    assert_int_equal(st.lookups, 1);
    assert_int_equal(st.misses, 1);
    assert_int_equal(st.hits, 0);
    /* Same key, other permissions: a hit, same decision as the server. */
    assert_false(avc_has_perm_noaudit(a, d0, u, hd, pause | tr, &denied, &audited));
    assert_int_equal(denied, tr);
    assert_int_equal(audited, tr);
    stats(a, &st);
    assert_int_equal(st.lookups, 2);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 1);
    /* The reverse direction is another key. */
    assert_false(avc_has_perm_noaudit(a, u, d0, hd, pause, &denied, NULL));
    assert_int_equal(denied, pause);
    /* dontaudit: denied but not audited. */
    uint32_t rc = tp_hperm("xen", "readconsole"), ver = tp_hperm("xen", "version");
    assert_false(avc_has_perm_noaudit(a, u, x, hx, rc | ver, &denied, &audited));
    assert_int_equal(denied, rc);
    assert_int_equal(audited, 0);
    assert_false(avc_has_perm_noaudit(a, u, x, hx, rc, &denied, &audited));
    assert_int_equal(audited, 0);
    stats(a, &st);
    assert_int_equal(st.lookups, 5);
    assert_int_equal(st.misses, 3);
    assert_int_equal(st.hits, 2);
    assert_int_equal(st.flushes, 0);
    /* Nothing requested: trivially allowed. */
    assert_true(avc_has_perm_noaudit(a, u, x, hx, 0, NULL, NULL));
    avc_free(a);
    flask_ss_free(ss);
}

static void test_flush_on_seqno(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    struct avc *a;
    struct avc_stats st;
    assert_int_equal(avc_new(ss, &a), 0);
    uint32_t u = tp_sid(ss, "tenant_u:tenant_r:domU_t:s0:c1"), d0 = tp_sid(ss, DOM0);
    uint32_t hd = tp_hclass("domain"), pause = tp_hperm("domain", "pause");

    assert_false(avc_has_perm_noaudit(a, u, u, hd, pause, NULL, NULL));
    assert_false(avc_has_perm_noaudit(a, u, u, hd, pause, NULL, NULL));
    assert_int_equal(flask_ss_setbool(ss, "pause_ok", true), 0);
    /* Cached "no" must not survive the boolean change. */
    assert_true(avc_has_perm_noaudit(a, u, u, hd, pause, NULL, NULL));
    stats(a, &st);
    assert_int_equal(st.flushes, 1);
    assert_int_equal(st.misses, 2);
    assert_int_equal(st.hits, 1);
    assert_true(avc_has_perm_noaudit(a, u, u, hd, pause, NULL, NULL));
    stats(a, &st);
    assert_int_equal(st.hits, 2);

    /* A load with no rules: flush, and every decision is now no. */
    assert_true(avc_has_perm_noaudit(a, d0, u, hd, pause, NULL, NULL));
    struct policydb *p = tp_policy();
    p->navrules = 0;
    size_t len;
    uint8_t *b = tp_bin(p, &len);
    pdb_free(p);
    char err[128];
    assert_int_equal(flask_ss_load(ss, b, len, err, sizeof(err)), 0);
    free(b);
    assert_false(avc_has_perm_noaudit(a, d0, u, hd, pause, NULL, NULL));
    assert_false(avc_has_perm_noaudit(a, u, u, hd, pause, NULL, NULL));
    stats(a, &st);
    assert_int_equal(st.flushes, 2);
    /* A failed load moves nothing: no flush. */
    static const uint8_t junk[16] = { 1, 2, 3 };
    assert_true(flask_ss_load(ss, junk, sizeof(junk), err, sizeof(err)) < 0);
    assert_false(avc_has_perm_noaudit(a, u, u, hd, pause, NULL, NULL));
    stats(a, &st);
    assert_int_equal(st.flushes, 2);
    avc_free(a);
    flask_ss_free(ss);
}

/* n SIDs system_u:system_r:dm_t:s0:cK (K < n) and the dom0 SID. */
static void mk_sids(struct flask_ss *ss, uint32_t *sids, uint32_t n)
{
    char ctx[64];
    for (uint32_t k = 0; k < n; k++) {
        snprintf(ctx, sizeof(ctx), "system_u:system_r:dm_t:s0:c%u", k);
        sids[k] = tp_sid(ss, ctx);
    }
}

static void test_chains_and_reclaim(void **state)
{
    (void)state;
    struct policydb *p = tp_policy();
    /* dm_t may send events to dm_t: the MCS constraint makes the answer depend on the
     * pair (same category or not), so a wrong cache entry would show. */
    tp_rule(p, T_DM, T_DM, C_EVENT, PDB_AV_ALLOW, 0, 0, PE_SEND | PE_STATUS);
    tp_sort(p);
    struct flask_ss *ss = tp_server(p);
    struct avc *a;
    struct avc_stats st;
    assert_int_equal(avc_new(ss, &a), 0);
    uint32_t sids[48];
    mk_sids(ss, sids, 48);
    uint32_t he = tp_hclass("event"), send = tp_hperm("event", "send");
    uint32_t stat = tp_hperm("event", "status");

    /* 30 x 30 = 900 keys: more than AVC_SLOTS (chains), fewer than AVC_ENTRIES. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < 30; i++)
            for (uint32_t j = 0; j < 30; j++) {
                uint32_t denied;
                bool ok = avc_has_perm_noaudit(a, sids[i], sids[j], he, send | stat, &denied,
                                               NULL);
                assert_int_equal(ok, i == j);
                assert_int_equal(denied, i == j ? 0 : send);
            }
    stats(a, &st);
    assert_int_equal(st.lookups, 1800);
    assert_int_equal(st.misses, 900);
    assert_int_equal(st.hits, 900);
    assert_int_equal(st.reclaims, 0);

    /* 48 x 48 = 2304 keys: more than AVC_ENTRIES, so entries are reclaimed; the
     * decisions stay right. */
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < 48; i++)
            for (uint32_t j = 0; j < 48; j++) {
                uint32_t denied;
                bool ok = avc_has_perm_noaudit(a, sids[i], sids[j], he, send, &denied, NULL);
                assert_int_equal(ok, i == j);
            }
    stats(a, &st);
    assert_true(st.reclaims > 0);
    assert_int_equal(st.lookups, 1800 + 2 * 2304);
    assert_int_equal(st.hits + st.misses, st.lookups);
    assert_true(st.misses >= 900 + 2304 - 900);
    /* The key inserted last is still cached (reclaim runs before an insert). */
    uint64_t h0 = st.hits;
    assert_true(avc_has_perm_noaudit(a, sids[47], sids[47], he, send, NULL, NULL));
    stats(a, &st);
    assert_int_equal(st.hits, h0 + 1);
    avc_free(a);
    flask_ss_free(ss);
}

static void test_audit_lines(void **state)
{
    (void)state;
    struct flask_ss *ss = tp_server(tp_policy());
    char buf[1024];
    uint32_t s = tp_sid(ss, "system_u:system_r:dm_t:s0:c2");
    uint32_t t = tp_sid(ss, "tenant_u:tenant_r:domU_t:s0:c1");
    uint32_t hd = tp_hclass("domain");
    uint32_t pause = tp_hperm("domain", "pause"), unpause = tp_hperm("domain", "unpause");

    const char *want = "avc:  denied  { pause } for op=pause domid=3 "
                       "scontext=system_u:system_r:dm_t:s0:c2 "
                       "tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=domain permissive=0";
    int n = avc_format_denial(ss, buf, sizeof(buf), false, s, t, hd, pause, "op=pause domid=3",
                              false);
    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);

    /* Several permissions in bit order, no extra, permissive, granted. */
    n = avc_format_denial(ss, buf, sizeof(buf), false, s, t, hd, unpause | pause, "", true);
    assert_string_equal(buf, "avc:  denied  { pause unpause } for "
                             "scontext=system_u:system_r:dm_t:s0:c2 "
                             "tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=domain "
                             "permissive=1");
    n = avc_format_denial(ss, buf, sizeof(buf), true, s, t, hd, pause, NULL, false);
    assert_string_equal(buf, "avc:  granted  { pause } for "
                             "scontext=system_u:system_r:dm_t:s0:c2 "
                             "tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=domain "
                             "permissive=0");
    /* A bit the class does not name, an unknown SID. */
    uint32_t hx = tp_hclass("xen");
    n = avc_format_denial(ss, buf, sizeof(buf), false, s, 777, hx,
                          tp_hperm("xen", "version") | (1u << 20), "", false);
    assert_string_equal(buf, "avc:  denied  { version 0x100000 } for "
                             "scontext=system_u:system_r:dm_t:s0:c2 tsid=777 tclass=xen "
                             "permissive=0");
    /* Too small: -ENOSPC and an empty string. */
    assert_int_equal(avc_format_denial(ss, buf, 40, false, s, t, hd, pause, "", false), -ENOSPC);
    assert_string_equal(buf, "");
    size_t full = strlen(want);
    assert_int_equal(avc_format_denial(ss, buf, full, false, s, t, hd, pause,
                                       "op=pause domid=3", false), -ENOSPC);
    assert_int_equal(avc_format_denial(ss, buf, full + 1, false, s, t, hd, pause,
                                       "op=pause domid=3", false), (int)full);
    flask_ss_free(ss);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hits_and_misses),
        cmocka_unit_test(test_flush_on_seqno),
        cmocka_unit_test(test_chains_and_reclaim),
        cmocka_unit_test(test_audit_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
