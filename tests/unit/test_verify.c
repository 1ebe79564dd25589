/* SPDX-License-Identifier: MIT */
/*
 * The verifier's own parsers and the first steps of its decision
 * (attest/verify.c): the reference manifest (libconfig text) and the evidence
 * item set, with every kind of bad input; xv_verify's freshness checks. The
 * cryptographic and TPM-backed steps are exercised end to end by
 * tests/integration/attest.sh (the tamper matrix) and by test_xvcrypto,
 * test_tpm2_parse and test_eventlog.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attest/items.h"
#include "attest/verify.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct xv_manifest man;
static char err[512];

static int parse(const char *text)
{
    err[0] = 0;
    return xv_manifest_parse(text, &man, err, sizeof(err));
}

static void test_manifest_good(void **state)
{
    (void)state;
    assert_int_equal(parse("version = 1;\ncomponents = ( { name = \"xenia:hv\"; sha256 = \"" H64 "\"; } );\n"
                           "policies = ( { name = \"default\"; sha256 = \"" H64 "\"; } );\n"
                           "images = ( { name = \"hello\"; sha256 = \"" H64 "\"; },\n"
                           "           { name = \"web\"; sha256 = \"" H64 "\"; } );\n"), 0);
    assert_int_equal(man.ncomp, 1);
    assert_int_equal(man.npolicy, 1);
    assert_int_equal(man.nimage, 2);
    assert_string_equal(man.comp[0].name, "xenia:hv");
    assert_int_equal(man.comp[0].sha256[0], 0x01);
    assert_int_equal(man.comp[0].sha256[31], 0xef);
    uint8_t d[32] = { 7 };
    assert_int_equal(xv_manifest_add_image(&man, "mine", d), 0);
    assert_int_equal(man.nimage, 3);
    assert_int_equal(man.image[2].sha256[0], 7);
}

static void test_manifest_bad(void **state)
{
    static const struct { const char *text, *reason; } bad[] = {
        { "", "version" },
        { "version = 2; components = ( { name = \"a\"; sha256 = \"" H64 "\"; } );", "version" },
        { "version = 1;", "no components" },
        { "version = 1; components = ( { name = \"a\"; sha256 = \"abc\"; } );", "sha256" },
        { "version = 1; components = ( { name = \"a\"; sha256 = \"" H64 "0\"; } );", "sha256" },
        { "version = 1; components = ( { name = \"a\"; sha256 = \"g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"; } );", "sha256" },
        { "version = 1; components = ( { name = \"\"; sha256 = \"" H64 "\"; } );", "name" },
        { "version = 1; components = ( { sha256 = \"" H64 "\"; } );", "needs name" },
        { "version = 1; components = ( { name = 3; sha256 = \"" H64 "\"; } );", "needs name" },
        { "version = 1; components = { name = \"a\"; };", "must be a list" },
        { "version = 1; components = ( \"a\" );", "needs name" },
        { "version = 1;\ncomponents = ( { name = \"a\"; sha256 = \"" H64 "\"; }\n", "line" },
        { "version = 1; components = ( { name = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"; sha256 = \"" H64 "\"; } );", "name" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parse(bad[i].text);
        if (rc >= 0 || strstr(err, bad[i].reason) == NULL)
            fail_msg("case %zu: rc %d, reason '%s' (want '%s')", i, rc, err, bad[i].reason);
    }
}

static void test_manifest_too_many(void **state)
{
    size_t cap = 200 * 100 + 100, off = 0;
    char *t = malloc(cap);
    (void)state;
    off += (size_t)snprintf(t + off, cap - off, "version = 1; components = (");
    for (int i = 0; i < XV_MAN_MAX + 1; i++)
        off += (size_t)snprintf(t + off, cap - off, "%s{ name = \"c%d\"; sha256 = \"" H64 "\"; }",
                                i ? "," : "", i);
    snprintf(t + off, cap - off, ");");
    assert_true(parse(t) < 0);
    assert_non_null(strstr(err, "at most"));
    free(t);
}

/* ---- evidence --------------------------------------------------------------------- */

static uint8_t ebuf[8192];
static size_t elen;

static void put(uint16_t tag, size_t len, uint8_t fill)
{
    uint8_t d[512];
    memset(d, fill, sizeof(d));
    assert_true(len <= sizeof(d));
    assert_int_equal(att_item_put(ebuf, sizeof(ebuf), &elen, tag, d, (uint32_t)len), 0);
}

/* A complete (cryptographically meaningless) evidence set, minus `skip`. */
static void build(uint16_t skip, uint16_t twice)
{
    static const struct { uint16_t tag; size_t len; } items[] = {
        { XENIA_ATT_EK_CERT, 100 }, { XENIA_ATT_EK_CHAIN, 50 }, { XENIA_ATT_AK_PUB, 90 },
        { XENIA_ATT_QUOTE, 120 }, { XENIA_ATT_SIG, 72 }, { XENIA_ATT_PCRS, 112 },
        { XENIA_ATT_EVLOG, 200 }, { XENIA_ATT_POLICY, 300 },
        { XENIA_ATT_DOMAINS, sizeof(struct xenia_att_domain) },
        { XENIA_ATT_NONCE, 32 }, { XENIA_ATT_BINDING, 32 },
    };
    elen = 0;
    for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
        if (items[i].tag == skip)
            continue;
        put(items[i].tag, items[i].len, (uint8_t)(i + 1));
        if (items[i].tag == twice)
            put(items[i].tag, items[i].len, (uint8_t)(i + 1));
    }
}

static void test_evidence_good(void **state)
{
    struct xv_evidence ev;
    (void)state;
    build(0, 0);
    assert_int_equal(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)), 0);
    assert_int_equal(ev.nchain, 1);
    assert_int_equal(ev.nonce.len, 32);
    assert_int_equal(ev.nonce.data[0], 10);
    assert_int_equal(ev.policy.len, 300);
    /* more chain certificates are fine, up to the limit */
    for (int i = 0; i < 7; i++)
        put(XENIA_ATT_EK_CHAIN, 10, 0x55);
    assert_int_equal(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)), 0);
    assert_int_equal(ev.nchain, 8);
    put(XENIA_ATT_EK_CHAIN, 10, 0x55);
    assert_true(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "chain"));
}

static void test_evidence_bad(void **state)
{
    static const uint16_t need[] = { XENIA_ATT_EK_CERT, XENIA_ATT_AK_PUB, XENIA_ATT_QUOTE,
        XENIA_ATT_SIG, XENIA_ATT_PCRS, XENIA_ATT_EVLOG, XENIA_ATT_POLICY, XENIA_ATT_DOMAINS,
        XENIA_ATT_NONCE, XENIA_ATT_BINDING };
    struct xv_evidence ev;
    (void)state;
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
        build(need[i], 0);
        assert_true(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)) < 0);
        assert_non_null(strstr(err, "missing"));
        build(0, need[i]);
        assert_true(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)) < 0);
        assert_non_null(strstr(err, "twice"));
    }
    /* wrong fixed lengths, a misaligned domain list, an unexpected tag */
    build(XENIA_ATT_NONCE, 0);
    put(XENIA_ATT_NONCE, 31, 1);
    assert_true(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "nonce"));
    build(XENIA_ATT_DOMAINS, 0);
    put(XENIA_ATT_DOMAINS, sizeof(struct xenia_att_domain) + 1, 1);
    assert_true(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "domain list"));
    build(0, 0);
    put(XENIA_ATT_SECRET, 32, 1);
    assert_true(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)) < 0);
    assert_non_null(strstr(err, "unexpected"));
    /* every truncation fails cleanly */
    build(0, 0);
    for (size_t n = 0; n < elen; n++) {
        uint8_t *c = malloc(n ? n : 1);
        memcpy(c, ebuf, n);
        assert_true(xv_evidence_parse(c, n, &ev, err, sizeof(err)) < 0);
        free(c);
    }
}

/* Freshness first: a replayed nonce or a relayed session is named before any crypto. */
static void test_verify_freshness(void **state)
{
    struct xv_evidence ev;
    struct xv_verdict *v = calloc(1, sizeof(*v));
    uint8_t nonce[32], binding[32];
    struct xv_expect ex = { .nonce = nonce, .binding = binding, .level = "s0:c1", .ref = &man };
    (void)state;
    build(0, 0);
    assert_int_equal(xv_evidence_parse(ebuf, elen, &ev, err, sizeof(err)), 0);
    memset(nonce, 0, sizeof(nonce));
    memcpy(binding, ev.binding.data, 32);
    assert_int_equal(xv_verify(&ev, &ex, v), XV_E_NONCE);
    assert_string_equal(xv_code_name(v->code), "nonce");
    memcpy(nonce, ev.nonce.data, 32);
    binding[5] ^= 1;
    assert_int_equal(xv_verify(&ev, &ex, v), XV_E_BINDING);
    assert_non_null(strstr(v->reason, "relayed"));
    free(v);
}

static void test_code_names(void **state)
{
    (void)state;
    for (int c = 0; c < XV_NCODES; c++) {
        assert_non_null(xv_code_name(c));
        assert_string_not_equal(xv_code_name(c), "?");
        for (int d = 0; d < c; d++)
            assert_string_not_equal(xv_code_name(c), xv_code_name(d));
    }
    assert_string_equal(xv_code_name(XV_NCODES), "?");
    assert_string_equal(xv_code_name(-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_good),
        cmocka_unit_test(test_manifest_bad),
        cmocka_unit_test(test_manifest_too_many),
        cmocka_unit_test(test_evidence_good),
        cmocka_unit_test(test_evidence_bad),
        cmocka_unit_test(test_verify_freshness),
        cmocka_unit_test(test_code_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
