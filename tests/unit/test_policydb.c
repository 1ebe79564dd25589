/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of policy/policydb.c (docs/policy-format.md): pdb_write then pdb_read
 * round-trips every good policy (the .te files of tests/policy/good and policy/default)
 * into an equal policydb and the same bytes; every truncation and every single-byte
 * corruption is either rejected or accepted only when it is itself canonical (run
 * under ASan: make B=build-san SAN=1 build-san/tests/test_policydb); header errors
 * map to the documented errno; pdb_write refuses an invalid policydb.
 */
#include <dirent.h>
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
    fclose(f);
    *len = (size_t)n;
    return b;
}

static struct policydb *compile_file(const char *path)
{
    size_t len;
    char *src = slurp(path, &len);
    struct pol_diag *d = calloc(1, sizeof(*d));
    struct policydb *p = NULL;
    int rc = pol_compile(path, src, len, &p, d);
    for (uint32_t i = 0; i < d->n; i++) {
        char line[512];
        pol_diag_format(d, i, path, line, sizeof(line));
        print_error("%s\n", line);
    }
    assert_int_equal(rc, 0);
    free(d);
    free(src);
    return p;
}

/* Paths of the good policies; at least tests/policy/good must have some. */
static int good_paths(char paths[][256], int max)
{
    static const char *const dirs[] = { "tests/policy/good", "policy/default" };
    int n = 0;
    for (size_t k = 0; k < 2; k++) {
        DIR *d = opendir(dirs[k]);
        if (!d) {
            assert_int_not_equal(k, 0);
            continue;
        }
        struct dirent *e;
        while ((e = readdir(d)) && n < max) {
            size_t l = strlen(e->d_name);
            if (l > 3 && !strcmp(e->d_name + l - 3, ".te"))
                snprintf(paths[n++], 256, "%s/%s", dirs[k], e->d_name);
        }
        closedir(d);
    }
    assert_true(n >= 2);
    return n;
}

static void bitmap_equal(const struct pdb_bitmap *a, const struct pdb_bitmap *b)
{
    assert_int_equal(a->nbits, b->nbits);
    for (uint32_t i = 0; i < a->nbits; i++)
        assert_int_equal(pdb_bit(a, i), pdb_bit(b, i));
}

static void level_equal(const struct pdb_level *a, const struct pdb_level *b)
{
    assert_int_equal(a->sens, b->sens);
    assert_memory_equal(a->cats, b->cats, sizeof(a->cats));
}

static void ctx_equal(const struct pdb_context *a, const struct pdb_context *b)
{
    assert_int_equal(a->user, b->user);
    assert_int_equal(a->role, b->role);
    assert_int_equal(a->type, b->type);
    level_equal(&a->low, &b->low);
    level_equal(&a->high, &b->high);
}

/* Deep equality of two policydbs, field by field. */
static void pdb_equal(const struct policydb *a, const struct policydb *b)
{
    assert_int_equal(a->handle_unknown, b->handle_unknown);
    assert_int_equal(a->ntypes, b->ntypes);
    for (uint32_t i = 1; i <= a->ntypes; i++)
        assert_string_equal(a->types[i], b->types[i]);
    assert_int_equal(a->nattrs, b->nattrs);
    for (uint32_t i = 0; i < a->nattrs; i++) {
        assert_string_equal(a->attrs[i].name, b->attrs[i].name);
        bitmap_equal(&a->attrs[i].types, &b->attrs[i].types);
    }
    assert_int_equal(a->nclasses, b->nclasses);
    for (uint32_t i = 1; i <= a->nclasses; i++) {
        assert_string_equal(a->classes[i].name, b->classes[i].name);
        assert_int_equal(a->classes[i].nperms, b->classes[i].nperms);
        for (uint32_t j = 0; j < a->classes[i].nperms; j++)
            assert_string_equal(a->classes[i].perms[j], b->classes[i].perms[j]);
        assert_int_equal(a->classes[i].read_mask, b->classes[i].read_mask);
        assert_int_equal(a->classes[i].write_mask, b->classes[i].write_mask);
    }
    assert_int_equal(a->nroles, b->nroles);
    for (uint32_t i = 1; i <= a->nroles; i++) {
        assert_string_equal(a->roles[i].name, b->roles[i].name);
        bitmap_equal(&a->roles[i].types, &b->roles[i].types);
    }
    assert_int_equal(a->nusers, b->nusers);
    for (uint32_t i = 1; i <= a->nusers; i++) {
        assert_string_equal(a->users[i].name, b->users[i].name);
        bitmap_equal(&a->users[i].roles, &b->users[i].roles);
        level_equal(&a->users[i].dfl, &b->users[i].dfl);
        level_equal(&a->users[i].range_low, &b->users[i].range_low);
        level_equal(&a->users[i].range_high, &b->users[i].range_high);
    }
    assert_int_equal(a->nbools, b->nbools);
    for (uint32_t i = 1; i <= a->nbools; i++) {
        assert_string_equal(a->bools[i].name, b->bools[i].name);
        assert_int_equal(a->bools[i].dflt, b->bools[i].dflt);
    }
    assert_int_equal(a->nsens, b->nsens);
    for (uint32_t i = 1; i <= a->nsens; i++)
        assert_string_equal(a->sens[i], b->sens[i]);
    assert_int_equal(a->ncats, b->ncats);
    for (uint32_t i = 0; i < a->ncats; i++)
        assert_string_equal(a->cats[i], b->cats[i]);
    assert_int_equal(a->navrules, b->navrules);
    if (a->navrules)
        assert_memory_equal(a->avrules, b->avrules, a->navrules * sizeof(*a->avrules));
    assert_int_equal(a->nconds, b->nconds);
    for (uint32_t i = 0; i < a->nconds; i++) {
        assert_int_equal(a->conds[i].nexpr, b->conds[i].nexpr);
        assert_memory_equal(a->conds[i].expr, b->conds[i].expr, a->conds[i].nexpr * sizeof(a->conds[i].expr[0]));
    }
    assert_int_equal(a->ncons, b->ncons);
    for (uint32_t i = 0; i < a->ncons; i++) {
        assert_int_equal(a->cons[i].tclass, b->cons[i].tclass);
        assert_int_equal(a->cons[i].mls, b->cons[i].mls);
        assert_int_equal(a->cons[i].perms, b->cons[i].perms);
        assert_int_equal(a->cons[i].nexpr, b->cons[i].nexpr);
        assert_memory_equal(a->cons[i].expr, b->cons[i].expr, a->cons[i].nexpr * sizeof(a->cons[i].expr[0]));
    }
    assert_int_equal(a->nsets, b->nsets);
    for (uint32_t i = 0; i < a->nsets; i++)
        bitmap_equal(&a->sets[i], &b->sets[i]);
    assert_int_equal(a->nisids, b->nisids);
    for (uint32_t i = 0; i < a->nisids; i++) {
        assert_string_equal(a->isids[i].name, b->isids[i].name);
        assert_int_equal(a->isids[i].has_context, b->isids[i].has_context);
        if (a->isids[i].has_context)
            ctx_equal(&a->isids[i].context, &b->isids[i].context);
    }
    assert_int_equal(a->nlogins, b->nlogins);
    for (uint32_t i = 0; i < a->nlogins; i++) {
        assert_int_equal(a->logins[i].uid, b->logins[i].uid);
        ctx_equal(&a->logins[i].context, &b->logins[i].context);
    }
}

static void test_roundtrip_good(void **state)
{
    (void)state;
    char paths[64][256];
    int n = good_paths(paths, 64);
    for (int k = 0; k < n; k++) {
        struct policydb *p = compile_file(paths[k]), *q = NULL;
        uint8_t *b1 = NULL, *b2 = NULL;
        size_t l1 = 0, l2 = 0;
        char err[256];
        assert_int_equal(pdb_write(p, &b1, &l1), 0);
        assert_int_equal(pdb_read(b1, l1, &q, err, sizeof(err)), 0);
        pdb_equal(p, q);
        assert_int_equal(pdb_write(q, &b2, &l2), 0);
        assert_int_equal(l1, l2);
        assert_memory_equal(b1, b2, l1);
        pdb_free(p);
        pdb_free(q);
        free(b1);
        free(b2);
    }
}

static void load_basic(uint8_t **buf, size_t *len)
{
    struct policydb *p = compile_file("tests/policy/good/basic.te");
    assert_int_equal(pdb_write(p, buf, len), 0);
    pdb_free(p);
}

static void test_truncation(void **state)
{
    (void)state;
    uint8_t *b;
    size_t len;
    load_basic(&b, &len);
    for (size_t i = 0; i < len; i++) {
        uint8_t *copy = malloc(i ? i : 1);   /* exact size: ASan sees any over-read */
        memcpy(copy, b, i);
        struct policydb *q = (struct policydb *)1;
        char err[256];
        int rc = pdb_read(copy, i, &q, err, sizeof(err));
        assert_int_equal(rc, -EINVAL);
        assert_null(q);
        assert_true(strlen(err) > 0);
        free(copy);
    }
    free(b);
}

static void test_byte_flips(void **state)
{
    (void)state;
    static const uint8_t masks[] = { 0x01, 0x02, 0x10, 0x80, 0xff };
    uint8_t *b;
    size_t len;
    unsigned accepted = 0;
    load_basic(&b, &len);
    uint8_t *copy = malloc(len);
    for (size_t i = 0; i < len; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            memcpy(copy, b, len);
            copy[i] ^= masks[m];
            struct policydb *q = NULL;
            int rc = pdb_read(copy, len, &q, NULL, 0);
            if (rc == 0) {
                /* anything accepted is canonical: writing it back gives the same bytes */
                uint8_t *w;
                size_t wl;
                assert_int_equal(pdb_write(q, &w, &wl), 0);
                assert_int_equal(wl, len);
                assert_memory_equal(w, copy, len);
                free(w);
                pdb_free(q);
                accepted++;
            } else {
                assert_true(rc == -EINVAL || rc == -EPROTO || rc == -E2BIG);
                assert_null(q);
            }
        }
    }
    /* flips inside names and permission bits stay valid; the header never does */
    assert_true(accepted > 0);
    free(copy);
    free(b);
}

static void put32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

static void test_header_errors(void **state)
{
    (void)state;
    uint8_t *b;
    size_t len;
    char err[256];
    struct policydb *q;
    load_basic(&b, &len);
    uint8_t *c = malloc(len + 1);

    memcpy(c, b, len);
    c[0] ^= 1;
    assert_int_equal(pdb_read(c, len, &q, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "bad magic"));

    memcpy(c, b, len);
    put32(c + 4, PDB_VERSION + 1);
    assert_int_equal(pdb_read(c, len, &q, err, sizeof(err)), -EPROTO);
    assert_non_null(strstr(err, "version"));

    /* a trailing byte (total length patched so the header itself is consistent) */
    memcpy(c, b, len);
    c[len] = 0;
    put32(c + 12, (uint32_t)len + 1);
    assert_int_equal(pdb_read(c, len + 1, &q, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "trailing"));

    /* types count (header 24 + meta 12 + tag/len 8 = offset 44) beyond PDB_MAX_TYPES */
    memcpy(c, b, len);
    put32(c + 44, PDB_MAX_TYPES + 1);
    assert_int_equal(pdb_read(c, len, &q, err, sizeof(err)), -E2BIG);
    assert_non_null(strstr(err, "section types at offset 44"));

    /* nonzero header padding */
    memcpy(c, b, len);
    c[21] = 1;
    assert_int_equal(pdb_read(c, len, &q, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "padding"));

    assert_int_equal(pdb_read(NULL, 0, &q, err, sizeof(err)), -EINVAL);
    free(c);
    free(b);
}

static void test_write_rejects_invalid(void **state)
{
    (void)state;
    struct policydb *p = compile_file("tests/policy/good/basic.te");
    uint8_t *b = NULL;
    size_t len = 0;
    assert_true(p->navrules >= 2);

    struct pdb_avrule r0 = p->avrules[0];
    p->avrules[0] = p->avrules[1];
    p->avrules[1] = r0;
    assert_int_equal(pdb_write(p, &b, &len), -EINVAL);
    assert_null(b);
    p->avrules[1] = p->avrules[0];
    p->avrules[0] = r0;

    uint16_t t = p->avrules[0].stype;
    p->avrules[0].stype = (uint16_t)(p->ntypes + 1);
    assert_int_equal(pdb_write(p, &b, &len), -EINVAL);
    p->avrules[0].stype = t;

    char *name = p->types[1];
    p->types[1] = (char *)"bad name";
    assert_int_equal(pdb_write(p, &b, &len), -EINVAL);
    p->types[1] = name;

    assert_int_equal(pdb_write(p, &b, &len), 0);
    free(b);
    pdb_free(p);
}

static void test_lookups(void **state)
{
    (void)state;
    struct policydb *p = compile_file("tests/policy/good/basic.te");
    uint32_t t = pdb_type_index(p, "domU_t");
    assert_true(t >= 1 && t <= p->ntypes);
    assert_string_equal(p->types[t], "domU_t");
    assert_int_equal(pdb_type_index(p, "tenant"), 0);   /* an attribute, not a type */
    int a = pdb_attr_index(p, "tenant");
    assert_true(a >= 0);
    assert_true(pdb_bit(&p->attrs[a].types, t));
    uint32_t k = pdb_class_index(p, "domain");
    assert_true(k >= 1);
    assert_int_equal(pdb_perm_index(&p->classes[k], "getattr"), 0);   /* common first */
    assert_int_equal(pdb_perm_index(&p->classes[k], "create"), 2);
    assert_int_equal(pdb_perm_index(&p->classes[k], "nosuch"), -1);
    assert_int_equal(pdb_role_index(p, "object_r"), 1);
    assert_true(pdb_user_index(p, "tenant_u") >= 1);
    assert_true(pdb_bool_index(p, "debug") >= 1);
    assert_int_equal(pdb_bool_index(p, "nosuch"), 0);
    pdb_free(p);
    pdb_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_good),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_byte_flips),
        cmocka_unit_test(test_header_errors),
        cmocka_unit_test(test_write_rejects_invalid),
        cmocka_unit_test(test_lookups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
