/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the policy compiler (policy/compile.c, policy/compile_parse.c,
 * policy/lex.c): attribute and set expansion, `self`, permission sets, conditional
 * rules and their postfix expressions, constraints, contexts, logins, statement
 * order independence, neverallow (also against conditional rules), type_transition
 * conflicts, error collection. The exact message of every error class is checked by
 * tests/policy/run_bad.sh over tests/policy/bad/.
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

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

static struct pol_diag diag;

static struct policydb *compile_ok(const char *src)
{
    struct policydb *p = NULL;
    int rc = pol_compile("t.te", src, strlen(src), &p, &diag);
    for (uint32_t i = 0; i < diag.n; i++) {
        char line[512];
        pol_diag_format(&diag, i, "t.te", line, sizeof(line));
        print_error("%s\n", line);
    }
    assert_int_equal(rc, 0);
    assert_non_null(p);
    return p;
}

/* Compile expecting failure; returns the first formatted diagnostic. */
static const char *compile_err(const char *src)
{
    static char line[512];
    struct policydb *p = (struct policydb *)1;
    assert_int_equal(pol_compile("t.te", src, strlen(src), &p, &diag), -EINVAL);
    assert_null(p);
    assert_true(diag.n >= 1);
    pol_diag_format(&diag, 0, "t.te", line, sizeof(line));
    return line;
}

static struct policydb *basic(void)
{
    size_t len;
    char *src = slurp("tests/policy/good/basic.te", &len);
    struct policydb *p = compile_ok(src);
    free(src);
    return p;
}

static const struct pdb_avrule *find(const struct policydb *p, const char *s, const char *t, const char *c,
                                     uint8_t kind, uint16_t cond, uint8_t branch)
{
    uint32_t si = pdb_type_index(p, s), ti = pdb_type_index(p, t), ci = pdb_class_index(p, c);
    assert_true(si && ti && ci);
    for (uint32_t i = 0; i < p->navrules; i++) {
        const struct pdb_avrule *r = &p->avrules[i];
        if (r->stype == si && r->ttype == ti && r->tclass == ci && r->kind == kind && r->cond == cond &&
            r->branch == branch)
            return r;
    }
    return NULL;
}

static uint32_t perms(const struct policydb *p, const char *cls, const char *list)
{
    const struct pdb_class *k = &p->classes[pdb_class_index(p, cls)];
    char buf[256];
    uint32_t m = 0;
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *save = NULL, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        int b = pdb_perm_index(k, w);
        assert_true(b >= 0);
        m |= 1u << b;
    }
    return m;
}

static void test_expansion(void **state)
{
    (void)state;
    struct policydb *p = basic();
    const struct pdb_avrule *r;

    /* attribute `tenant` = domU_t + other_t (other_t through typeattribute); ~{ readconsole } */
    for (int i = 0; i < 2; i++) {
        r = find(p, i ? "other_t" : "domU_t", "xen_t", "xen", PDB_AV_ALLOW, 0, 0);
        assert_non_null(r);
        assert_int_equal(r->data, perms(p, "xen", "version writeconsole"));
    }
    /* `*` on two classes: each class gets all its own permissions */
    r = find(p, "dom0_t", "security_t", "security", PDB_AV_ALLOW, 0, 0);
    assert_non_null(r);
    assert_int_equal(r->data, perms(p, "security", "load_policy setenforce setbool read_audit"));
    /* two rules on the same key merge (common permissions first in the class) */
    r = find(p, "dom0_t", "domU_t", "domain", PDB_AV_ALLOW, 0, 0);
    assert_non_null(r);
    assert_int_equal(r->data, perms(p, "domain", "getattr setattr create destroy pause unpause getinfo"));
    assert_int_equal(pdb_perm_index(&p->classes[pdb_class_index(p, "domain")], "getattr"), 0);
    /* self: only s == t */
    assert_non_null(find(p, "other_t", "other_t", "event", PDB_AV_ALLOW, 0, 0));
    assert_non_null(find(p, "dom0_t", "dom0_t", "event", PDB_AV_ALLOW, 0, 0));
    assert_null(find(p, "dom0_t", "domU_t", "event", PDB_AV_ALLOW, 0, 0));
    /* dontaudit and type_transition */
    r = find(p, "other_t", "dom0_t", "domain", PDB_AV_DONTAUDIT, 0, 0);
    assert_non_null(r);
    assert_int_equal(r->data, perms(p, "domain", "getinfo"));
    r = find(p, "dom0_t", "domU_t", "event", PDB_AV_TRANSITION, 0, 0);
    assert_non_null(r);
    assert_int_equal(r->data, pdb_type_index(p, "domU_t"));
    /* sorted, unique */
    for (uint32_t i = 1; i < p->navrules; i++) {
        const struct pdb_avrule *a = &p->avrules[i - 1], *b = &p->avrules[i];
        uint64_t ka = (uint64_t)a->stype << 48 | (uint64_t)a->ttype << 32 | (uint64_t)a->tclass << 16 | a->kind << 8;
        uint64_t kb = (uint64_t)b->stype << 48 | (uint64_t)b->ttype << 32 | (uint64_t)b->tclass << 16 | b->kind << 8;
        assert_true(ka < kb || (ka == kb && (a->cond < b->cond || (a->cond == b->cond && a->branch < b->branch))));
    }
    /* infoflow masks */
    const struct pdb_class *xen = &p->classes[pdb_class_index(p, "xen")];
    assert_int_equal(xen->read_mask, perms(p, "xen", "writeconsole readconsole"));
    assert_int_equal(xen->write_mask, xen->read_mask);
    assert_int_equal(p->classes[pdb_class_index(p, "event")].write_mask, perms(p, "event", "send"));
    assert_int_equal(p->classes[pdb_class_index(p, "event")].read_mask, 0);
    pdb_free(p);
}

static void test_conditionals(void **state)
{
    (void)state;
    struct policydb *p = basic();
    uint32_t ac = pdb_bool_index(p, "allow_console"), dbg = pdb_bool_index(p, "debug");
    assert_false(p->bools[ac].dflt);
    assert_true(p->bools[dbg].dflt);
    assert_int_equal(p->nconds, 2);
    /* allow_console && !debug -> BOOL ac, BOOL debug, NOT, AND */
    const struct pdb_cond *c = &p->conds[0];
    assert_int_equal(c->nexpr, 4);
    assert_int_equal(c->expr[0].op, PDB_CEXPR_BOOL);
    assert_int_equal(c->expr[0].boolidx, ac);
    assert_int_equal(c->expr[1].op, PDB_CEXPR_BOOL);
    assert_int_equal(c->expr[1].boolidx, dbg);
    assert_int_equal(c->expr[2].op, PDB_CEXPR_NOT);
    assert_int_equal(c->expr[3].op, PDB_CEXPR_AND);
    assert_non_null(find(p, "domU_t", "xen_t", "xen", PDB_AV_ALLOW, 1, 1));
    assert_non_null(find(p, "domU_t", "xen_t", "xen", PDB_AV_DONTAUDIT, 1, 0));
    assert_null(find(p, "domU_t", "xen_t", "xen", PDB_AV_ALLOW, 1, 0));
    assert_non_null(find(p, "dom0_t", "xen_t", "xen", PDB_AV_ALLOW, 2, 1));
    pdb_free(p);

    /* precedence: a || b ^ c && !d == e  ->  a b c d e == ! && ^ || ; identical conditions share one entry */
    p = compile_ok("class k\nclass k { p }\nsensitivity s0;\ndominance { s0 }\ntype t;\n"
                   "bool a true; bool b true; bool c true; bool d true; bool e true;\n"
                   "if (a || b ^ c && !d == e) { allow t t : k p; }\n"
                   "if (a || b ^ c && !d == e) { type_transition t t : k t; }\n");
    assert_int_equal(p->nconds, 1);
    static const uint8_t want[] = { PDB_CEXPR_BOOL, PDB_CEXPR_BOOL, PDB_CEXPR_BOOL, PDB_CEXPR_BOOL, PDB_CEXPR_BOOL,
                                    PDB_CEXPR_EQ, PDB_CEXPR_NOT, PDB_CEXPR_AND, PDB_CEXPR_XOR, PDB_CEXPR_OR };
    assert_int_equal(p->conds[0].nexpr, sizeof(want));
    for (size_t i = 0; i < sizeof(want); i++)
        assert_int_equal(p->conds[0].expr[i].op, want[i]);
    assert_int_equal(p->navrules, 2);
    pdb_free(p);
}

static void test_constraints_contexts(void **state)
{
    (void)state;
    struct policydb *p = basic();
    uint32_t dom = pdb_class_index(p, "domain");
    const struct pdb_constraint *k = NULL;
    for (uint32_t i = 0; i < p->ncons; i++)
        if (p->cons[i].tclass == dom && !p->cons[i].mls)
            k = &p->cons[i];
    assert_non_null(k);
    assert_int_equal(k->perms, perms(p, "domain", "create transition"));
    assert_int_equal(k->nexpr, 3);
    assert_int_equal(k->expr[0].kind, PDB_CONS_ATTR);
    assert_int_equal(k->expr[0].attr, PDB_ATTR_U1U2);
    assert_int_equal(k->expr[0].op, PDB_OP_EQ);
    assert_int_equal(k->expr[1].kind, PDB_CONS_NAMES);
    assert_int_equal(k->expr[1].attr, PDB_ATTR_T1);
    const struct pdb_bitmap *set = &p->sets[k->expr[1].names];
    assert_int_equal(set->nbits, p->ntypes + 1);
    for (uint32_t t = 1; t <= p->ntypes; t++)
        assert_int_equal(pdb_bit(set, t), t == pdb_type_index(p, "dom0_t"));
    assert_int_equal(k->expr[2].kind, PDB_CONS_OR);

    /* the mlsconstrain on event applies to send and bind: dom / domby pairs */
    uint32_t ev = pdb_class_index(p, "event");
    k = NULL;
    for (uint32_t i = 0; i < p->ncons; i++)
        if (p->cons[i].tclass == ev && p->cons[i].mls)
            k = &p->cons[i];
    assert_non_null(k);
    assert_int_equal(k->expr[0].attr, PDB_ATTR_L1L2);
    assert_int_equal(k->expr[0].op, PDB_OP_DOM);
    assert_int_equal(k->expr[1].attr, PDB_ATTR_L1H2);
    assert_int_equal(k->expr[1].op, PDB_OP_DOMBY);

    /* initial sid with a range; object_r holds any type */
    const struct pdb_isid *d0 = NULL, *un = NULL, *du = NULL;
    for (uint32_t i = 0; i < p->nisids; i++) {
        if (!strcmp(p->isids[i].name, "dom0"))
            d0 = &p->isids[i];
        if (!strcmp(p->isids[i].name, "unlabeled"))
            un = &p->isids[i];
        if (!strcmp(p->isids[i].name, "domU"))
            du = &p->isids[i];
    }
    assert_true(d0 && un && du);
    assert_true(d0->has_context);
    assert_false(du->has_context);
    assert_int_equal(d0->context.low.sens, 1);
    assert_int_equal(d0->context.high.sens, 2);
    assert_int_equal(d0->context.high.cats[0], 0xf);
    assert_int_equal(un->context.role, 1);
    /* logins sorted by uid, `login *` last; categories c2,c3 */
    assert_int_equal(p->nlogins, 4);
    assert_int_equal(p->logins[0].uid, 0);
    assert_int_equal(p->logins[2].uid, 1001);
    assert_int_equal(p->logins[2].context.low.cats[0], 0xc);
    assert_int_equal(p->logins[3].uid, PDB_LOGIN_DEFAULT);
    assert_int_equal(p->handle_unknown, PDB_UNKNOWN_DENY);
    pdb_free(p);
}

/* Moving every declaration in front of its uses must not change the binary. */
static void test_order_independence(void **state)
{
    (void)state;
    static const char *const decl[] = { "class ", "common ", "sensitivity ", "dominance ", "category ",
                                        "level ", "type ", "attribute ", "bool ", "role ", "user ", NULL };
    size_t len;
    char *src = slurp("tests/policy/good/any_order.te", &len);
    char *a = calloc(1, len + 2);
    for (int pass = 0; pass < 2; pass++) {
        char *copy = strdup(src), *save = NULL;
        for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
            bool is_decl = !strcmp(l, "sid kernel");
            for (int i = 0; decl[i]; i++)
                is_decl |= !strncmp(l, decl[i], strlen(decl[i]));
            if (is_decl == (pass == 0)) {
                strcat(a, l);
                strcat(a, "\n");
            }
        }
        free(copy);
    }
    struct policydb *p1 = compile_ok(src), *p2 = compile_ok(a);
    uint8_t *b1, *b2;
    size_t l1, l2;
    assert_int_equal(pdb_write(p1, &b1, &l1), 0);
    assert_int_equal(pdb_write(p2, &b2, &l2), 0);
    assert_int_equal(l1, l2);
    assert_memory_equal(b1, b2, l1);
    /* and the policy has content: the conditional transition and the negated role set */
    assert_true(p1->navrules > 5);
    assert_false(pdb_bit(&p1->roles[pdb_role_index(p1, "r")].types, 0));
    assert_true(pdb_bit(&p1->roles[pdb_role_index(p1, "r")].types, pdb_type_index(p1, "a_t")));
    assert_int_equal(p1->handle_unknown, PDB_UNKNOWN_ALLOW);
    pdb_free(p1);
    pdb_free(p2);
    free(b1);
    free(b2);
    free(a);
    free(src);
}

#define PRE "class k\nclass k { p q }\nsensitivity s0;\ndominance { s0 }\ntype a_t;\ntype b_t;\nbool f false;\n"

static void test_neverallow(void **state)
{
    (void)state;
    /* self in a neverallow covers s == t only */
    struct policydb *p = compile_ok(PRE "neverallow a_t self : k p;\nallow a_t b_t : k p;\n");
    pdb_free(p);
    assert_string_equal(compile_err(PRE "neverallow a_t self : k p;\nallow { a_t b_t } { a_t b_t } : k { p q };\n"),
                        "t.te:9:1: error: neverallow violated: allow a_t a_t : k p (neverallow at 8:1)");
    /* conditional rules count in both branches */
    assert_string_equal(compile_err(PRE "neverallow * b_t : k *;\nif (f) { allow a_t a_t : k p; } else { allow a_t b_t : k { q p }; }\n"),
                        "t.te:9:40: error: neverallow violated: allow a_t b_t : k { p q } (neverallow at 8:1)");
    /* ~ and - in type sets */
    p = compile_ok(PRE "neverallow ~a_t a_t : k p;\nallow { a_t b_t -b_t } a_t : k p;\n");
    pdb_free(p);
}

static void test_transitions(void **state)
{
    (void)state;
    /* the same transition twice is fine; a conditional one does not conflict with an unconditional one */
    struct policydb *p = compile_ok(PRE "type_transition a_t b_t : k a_t;\ntype_transition a_t b_t : k a_t;\n"
                                        "if (f) { type_transition a_t b_t : k b_t; }\n");
    assert_int_equal(p->navrules, 2);
    pdb_free(p);
    assert_string_equal(compile_err(PRE "type_transition a_t b_t : k a_t;\ntype_transition a_t * : k b_t;\n"),
                        "t.te:9:1: error: conflicting type_transition for a_t b_t : k: 'b_t' here, 'a_t' at 8:1");
}

static void test_error_collection(void **state)
{
    (void)state;
    char src[8192] = PRE;
    for (int i = 0; i < 30; i++)
        snprintf(src + strlen(src), sizeof(src) - strlen(src), "allow x%d_t a_t : k p;\n", i);
    assert_string_equal(compile_err(src), "t.te:8:7: error: unknown type or attribute 'x0_t'");
    assert_int_equal(diag.n, POL_MAX_DIAGS);
    assert_int_equal(diag.total, 30);
    char line[512];
    pol_diag_format(&diag, 19, "t.te", line, sizeof(line));
    assert_string_equal(line, "t.te:27:7: error: unknown type or attribute 'x19_t'");
    /* an error inside a line, columns are 1-based and count every byte */
    assert_string_equal(compile_err(PRE "allow a_t b_t : k\t{ p nosuch };\n"),
                        "t.te:8:23: error: permission 'nosuch' is not defined for class 'k'");
    /* a source beyond the limit is refused before lexing */
    struct policydb *p;
    assert_int_equal(pol_compile("t.te", "", (size_t)POL_MAX_SRC + 1, &p, &diag), -E2BIG);
    /* empty source: an empty but valid policy */
    p = compile_ok("# nothing\n");
    assert_int_equal(p->ntypes, 0);
    assert_int_equal(p->nroles, 1);   /* object_r */
    pdb_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expansion),
        cmocka_unit_test(test_conditionals),
        cmocka_unit_test(test_constraints_contexts),
        cmocka_unit_test(test_order_independence),
        cmocka_unit_test(test_neverallow),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_error_collection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
