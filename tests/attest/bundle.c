/* SPDX-License-Identifier: MIT */
/*
 * Test tool for evidence bundles (xenia-verify --save): take one apart for the
 * independent checkers, or make a tampered copy for the tamper matrix
 * (tests/integration/attest.sh).
 *
 *   att-bundle extract BUNDLE DIR
 *       DIR/attest (TPMS_ATTEST), DIR/sig (TPMT_SIGNATURE), DIR/ak.pub
 *       (TPM2B_PUBLIC), DIR/eventlog.bin, DIR/policy.bin, DIR/qualification
 *       (hex SHA-256(nonce || binding)), DIR/nonce (hex)
 *   att-bundle mutate BUNDLE OUT MODE [ARGS]
 *       flip-sig                 flip the last byte of the signature
 *       truncate-log             drop the last event of the log
 *       reorder-log              swap the first two events after the header
 *       splice-quote ATTEST SIG  replace the quote and signature (another TPM's)
 *       drop-item TAG            remove an evidence item
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/sha256.h>

#include <xenia/attest.h>

#include "attest/eventlog.h"
#include "attest/items.h"

/* Every buffer stays reachable until exit (a short-lived tool; LeakSanitizer clean). */
static void *kept[16];
static unsigned nkept;
static void *keep(void *p)
{
    if (p && nkept < sizeof(kept) / sizeof(kept[0]))
        kept[nkept++] = p;
    return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b;
    long n;

    if (!f || fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0 ||
        !(b = malloc((size_t)n + 1)) || fread(b, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "att-bundle: cannot read %s\n", path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return keep(b);
}

static void spit(const char *dir, const char *name, const void *p, size_t n)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "att-bundle: cannot write %s\n", path);
        exit(2);
    }
    fclose(f);
}

static void hexout(const char *dir, const char *name, const uint8_t *d, size_t n)
{
    char h[200];
    for (size_t i = 0; i < n; i++)
        sprintf(h + 2 * i, "%02x", d[i]);
    h[2 * n] = '\n';
    spit(dir, name, h, 2 * n + 1);
}

struct view {
    struct att_item outer[8], inner[32];
    unsigned nouter, ninner;
    const struct att_item *ev, *nonce, *binding, *ak_name;
};

static void parse(const uint8_t *b, size_t n, struct view *v)
{
    char err[256];

    if (att_items_parse(b, n, v->outer, 8, &v->nouter, err, sizeof(err)) < 0 ||
        !(v->ev = att_item_find(v->outer, v->nouter, XENIA_ATT_BUNDLE_EVIDENCE, 0)) ||
        !(v->nonce = att_item_find(v->outer, v->nouter, XENIA_ATT_BUNDLE_NONCE, 0)) ||
        !(v->binding = att_item_find(v->outer, v->nouter, XENIA_ATT_BUNDLE_BINDING, 0)) ||
        !(v->ak_name = att_item_find(v->outer, v->nouter, XENIA_ATT_BUNDLE_AK_NAME, 0)) ||
        att_items_parse(v->ev->data, v->ev->len, v->inner, 32, &v->ninner, err, sizeof(err)) < 0) {
        fprintf(stderr, "att-bundle: not a bundle: %s\n", err);
        exit(2);
    }
}

/* Re-encode the bundle with inner item tag replaced by (data, len) (or dropped). */
static void write_bundle(const char *out, struct view *v, uint16_t tag, const uint8_t *data,
                         size_t len, uint16_t tag2, const uint8_t *data2, size_t len2, int drop)
{
    size_t cap = v->ev->len + len + len2 + 4096, il = 0, bl = 0;
    uint8_t *in = calloc(1, cap), *b = calloc(1, cap + 1024);

    for (unsigned i = 0; i < v->ninner; i++) {
        const struct att_item *x = &v->inner[i];
        const uint8_t *d = x->data;
        size_t l = x->len;
        if (x->tag == tag && drop)
            continue;
        if (x->tag == tag) { d = data; l = len; }
        if (x->tag == tag2) { d = data2; l = len2; }
        if (att_item_put(in, cap, &il, x->tag, d, (uint32_t)l) < 0)
            exit(2);
    }
    if (att_item_put(b, cap + 1024, &bl, XENIA_ATT_BUNDLE_EVIDENCE, in, (uint32_t)il) < 0 ||
        att_item_put(b, cap + 1024, &bl, XENIA_ATT_BUNDLE_NONCE, v->nonce->data, 32) < 0 ||
        att_item_put(b, cap + 1024, &bl, XENIA_ATT_BUNDLE_BINDING, v->binding->data, 32) < 0 ||
        att_item_put(b, cap + 1024, &bl, XENIA_ATT_BUNDLE_AK_NAME, v->ak_name->data, 34) < 0)
        exit(2);
    spit(".", out, b, bl);
    free(in);
    free(b);
}

int main(int argc, char **argv)
{
    struct view v;
    uint8_t *b;
    size_t n;

    if (argc < 4) {
        fprintf(stderr, "usage: att-bundle extract BUNDLE DIR | mutate BUNDLE OUT MODE [ARGS]\n");
        return 2;
    }
    b = slurp(argv[2], &n);
    parse(b, n, &v);
    if (strcmp(argv[1], "extract") == 0) {
        const struct att_item *ak = att_item_find(v.inner, v.ninner, XENIA_ATT_AK_PUB, 0);
        const struct att_item *q = att_item_find(v.inner, v.ninner, XENIA_ATT_QUOTE, 0);
        const struct att_item *s = att_item_find(v.inner, v.ninner, XENIA_ATT_SIG, 0);
        const struct att_item *l = att_item_find(v.inner, v.ninner, XENIA_ATT_EVLOG, 0);
        const struct att_item *p = att_item_find(v.inner, v.ninner, XENIA_ATT_POLICY, 0);
        uint8_t tb[2 + XENIA_TPM_PUB_MAX], qd[64], qual[32];
        if (!ak || !q || !s || !l || !p || ak->len > XENIA_TPM_PUB_MAX)
            return 2;
        tb[0] = (uint8_t)(ak->len >> 8);
        tb[1] = (uint8_t)ak->len;
        memcpy(tb + 2, ak->data, ak->len);
        spit(argv[3], "ak.pub", tb, 2 + ak->len);
        spit(argv[3], "attest", q->data, q->len);
        spit(argv[3], "sig", s->data, s->len);
        spit(argv[3], "eventlog.bin", l->data, l->len);
        spit(argv[3], "policy.bin", p->data, p->len);
        memcpy(qd, v.nonce->data, 32);
        memcpy(qd + 32, v.binding->data, 32);
        mbedtls_sha256_ret(qd, 64, qual, 0);
        hexout(argv[3], "qualification", qual, 32);
        hexout(argv[3], "nonce", v.nonce->data, 32);
        return 0;
    }
    if (strcmp(argv[1], "mutate") != 0 || argc < 5)
        return 2;
    const char *out = argv[3], *mode = argv[4];
    if (strcmp(mode, "flip-sig") == 0) {
        const struct att_item *s = att_item_find(v.inner, v.ninner, XENIA_ATT_SIG, 0);
        uint8_t *c = keep(malloc(s->len));
        memcpy(c, s->data, s->len);
        c[s->len - 1] ^= 0x01;
        write_bundle(out, &v, XENIA_ATT_SIG, c, s->len, 0, NULL, 0, 0);
        return 0;
    }
    if (strcmp(mode, "truncate-log") == 0 || strcmp(mode, "reorder-log") == 0) {
        const struct att_item *l = att_item_find(v.inner, v.ninner, XENIA_ATT_EVLOG, 0);
        struct evlog_iter it;
        struct evlog_event e;
        size_t off[4096], ne = 0;
        char err[256];
        uint8_t *c = keep(malloc(l->len));
        if (evlog_iter_init(&it, l->data, l->len, err, sizeof(err)) < 0)
            return 2;
        while (ne < 4096 && evlog_iter_next(&it, &e, err, sizeof(err)) == 1)
            off[ne++] = e.offset;
        if (ne < 3)
            return 2;
        if (mode[0] == 't') {
            write_bundle(out, &v, XENIA_ATT_EVLOG, l->data, off[ne - 1], 0, NULL, 0, 0);
            return 0;
        }
        /* swap the first two adjacent events of one PCR with different digests
         * (order across PCRs does not change a replay; within one it does) */
        size_t k = 0;
        {
            struct evlog_event prev, cur;
            struct evlog_iter i2;
            if (evlog_iter_init(&i2, l->data, l->len, err, sizeof(err)) < 0 ||
                evlog_iter_next(&i2, &prev, err, sizeof(err)) != 1)
                return 2;
            for (k = 0; evlog_iter_next(&i2, &cur, err, sizeof(err)) == 1; k++, prev = cur)
                if (cur.pcr == prev.pcr && memcmp(cur.digest, prev.digest, 32) != 0)
                    break;
            if (k + 2 >= ne)
                return 2;
        }
        size_t a = off[k], m = off[k + 1], z = off[k + 2];
        memcpy(c, l->data, l->len);
        memcpy(c + a, l->data + m, z - m);
        memcpy(c + a + (z - m), l->data + a, m - a);
        write_bundle(out, &v, XENIA_ATT_EVLOG, c, l->len, 0, NULL, 0, 0);
        return 0;
    }
    if (strcmp(mode, "splice-quote") == 0 && argc == 7) {
        size_t ql, sl;
        uint8_t *q = slurp(argv[5], &ql), *s = slurp(argv[6], &sl);
        write_bundle(out, &v, XENIA_ATT_QUOTE, q, ql, XENIA_ATT_SIG, s, sl, 0);
        return 0;
    }
    if (strcmp(mode, "drop-item") == 0 && argc == 6) {
        write_bundle(out, &v, (uint16_t)atoi(argv[5]), NULL, 0, 0, NULL, 0, 1);
        return 0;
    }
    fprintf(stderr, "att-bundle: unknown mode %s\n", mode);
    return 2;
}
