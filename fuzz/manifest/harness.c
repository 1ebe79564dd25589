/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: attest/verify.c xv_manifest_parse (the reference manifest,
 * libconfig text: docs/attestation.md, tools/mkmanifest.sh) and
 * xv_manifest_add_image. Input: the manifest text (a NUL-terminated copy is
 * parsed; inputs containing "@include" are skipped, since libconfig would open
 * files). Dictionary: manifest.dict.
 * Properties (abort() when one breaks):
 *  - accepted: 1..XV_MAN_MAX components, <= XV_MAN_MAX policies and images,
 *    every name 1..63 bytes and NUL-terminated in its 64, entries past the
 *    counts all zero;
 *  - round trip: the accepted manifest written back as libconfig text (names
 *    escaped with \xNN, digests as hex) parses to the identical struct;
 *  - refused: -XENIA_EINVAL with a non-empty NUL-terminated reason;
 *  - xv_manifest_add_image (names of 0..69 bytes cut from the input) succeeds
 *    iff there is room (< XV_MAN_MAX images) and the name fits in 63 bytes,
 *    appending exactly that entry; a refusal changes nothing; images never
 *    exceed XV_MAN_MAX.
 * LeakSanitizer: libconfig 1.5 itself leaks a string token on some syntax errors
 * (strbuf_append; reproduced with libconfig alone: config_read_string +
 * config_destroy), so leaks allocated inside libconfig.so are suppressed, and
 * libFuzzer's per-input leak check is turned off (-detect_leaks=0, added in
 * LLVMFuzzerInitialize): each suppressed leak cost a full heap scan (about 250
 * exec/s instead of thousands). Instead the harness runs LeakSanitizer itself
 * every LEAK_EVERY inputs (and on the first) and aborts on any unsuppressed
 * leak, so a leak in our code is still found, a few thousand inputs late.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sanitizer/lsan_interface.h>

#include "attest/verify.h"

#define LEAK_EVERY 4096u

const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\n";
}

/* libFuzzer's fuzzer::EF (its table of optional hooks): present only when
 * libFuzzer is the driver; AFL++'s driver takes no flags (it would read
 * "-detect_leaks=0" as a file name). */
extern char _ZN6fuzzer2EFE __attribute__((weak));

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char flag[] = "-detect_leaks=0";
    static char *args[64];
    int n = *argc;

    if (&_ZN6fuzzer2EFE == NULL || n < 1 || n + 2 > (int)(sizeof(args) / sizeof(args[0])))
        return 0;
    /* argv[0], our flag, then the caller's arguments (a later flag wins). */
    args[0] = (*argv)[0];
    args[1] = flag;
    for (int i = 1; i < n; i++)
        args[i + 1] = (*argv)[i];
    args[n + 1] = NULL;
    *argc = n + 1;
    *argv = args;
    return 0;
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void check_refs(const struct xv_ref *r, unsigned n)
{
    if (n > XV_MAN_MAX)
        abort();
    for (unsigned i = 0; i < n; i++) {
        size_t l = strnlen(r[i].name, sizeof(r[i].name));
        if (l == 0 || l == sizeof(r[i].name))
            abort();
    }
    if (!all_zero(&r[n], (XV_MAN_MAX - n) * sizeof(r[0])))
        abort();
}

/* Append fmt to t (cap bytes, *off used). */
__attribute__((format(printf, 4, 5)))
static void out(char *t, size_t cap, size_t *off, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(t + *off, cap - *off, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *off)
        abort();
    *off += (size_t)n;
}

/* Append one character (fast path of out()). */
static void out_c(char *t, size_t cap, size_t *off, char c)
{
    if (cap - *off < 2)
        abort();
    t[(*off)++] = c;
    t[*off] = 0;
}

static const char hexdig[] = "0123456789abcdef";

static void emit_list(char *t, size_t cap, size_t *off, const char *key, const struct xv_ref *r,
                      unsigned n)
{
    out(t, cap, off, "%s = (\n", key);
    for (unsigned i = 0; i < n; i++) {
        out(t, cap, off, "%s  { name = \"", i ? ",\n" : "");
        for (const char *p = r[i].name; *p; p++) {
            unsigned char c = (unsigned char)*p;
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                if (cap - *off < 2)
                    abort();
                t[(*off)++] = (char)c;
                t[*off] = 0;
            } else {
                out(t, cap, off, "\\x%02x", c);
            }
        }
        out(t, cap, off, "\"; sha256 = \"");
        for (unsigned k = 0; k < 32; k++) {
            static const char hx[] = "0123456789abcdef";
            if (cap - *off < 3)
                abort();
            t[(*off)++] = hx[r[i].sha256[k] >> 4];
            t[(*off)++] = hx[r[i].sha256[k] & 15];
            t[*off] = 0;
        }
        out(t, cap, off, "\"; }");
    }
    out(t, cap, off, "\n);\n");
}

/* ref: the manifest before any add (a copy of m). */
static void check_add_image(struct xv_manifest *m, const struct xv_manifest *ref,
                            const uint8_t *in, size_t len)
{
    static struct xv_ref added[XV_MAN_MAX + 2];
    unsigned nadded = 0;
    size_t pos = 0;

    for (unsigned round = 0; round < XV_MAN_MAX + 2; round++) {
        char name[80];
        uint8_t d[32];
        size_t nl = len ? in[pos % len] % 70 : (size_t)round % 70;
        unsigned before = m->nimage;
        int rc, want;

        for (size_t i = 0; i < nl; i++) {
            char c = len ? (char)in[(pos + 1 + i) % len] : 'a';
            name[i] = c ? c : 'z';
        }
        name[nl] = 0;
        for (unsigned k = 0; k < 32; k++)
            d[k] = (uint8_t)(round * 7 + k);
        pos += nl + 1;
        want = before < XV_MAN_MAX && nl < sizeof(m->image[0].name);
        rc = xv_manifest_add_image(m, name, d);
        if (!want) {
            if (rc != -XENIA_E2BIG || m->nimage != before)
                abort();
            continue;
        }
        if (rc != 0 || m->nimage != before + 1)
            abort();
        memset(&added[nadded], 0, sizeof(added[0]));
        memcpy(added[nadded].name, name, nl);
        memcpy(added[nadded].sha256, d, 32);
        nadded++;
    }
    /* Nothing else changed; the added entries are exactly those accepted, in order;
     * refusals wrote nothing (the slots past nimage are still zero). */
    if (m->nimage != ref->nimage + nadded || m->nimage > XV_MAN_MAX || m->ncomp != ref->ncomp ||
        m->npolicy != ref->npolicy || memcmp(m->comp, ref->comp, sizeof(m->comp)) != 0 ||
        memcmp(m->policy, ref->policy, sizeof(m->policy)) != 0 ||
        memcmp(m->image, ref->image, ref->nimage * sizeof(m->image[0])) != 0 ||
        memcmp(&m->image[ref->nimage], added, nadded * sizeof(added[0])) != 0 ||
        !all_zero(&m->image[m->nimage], (XV_MAN_MAX - m->nimage) * sizeof(m->image[0])))
        abort();
}

/*
 * Structured mode: bytes 1-3 = entries in components, policies, images (b % 8
 * for b < 0xc0, else 60 + b % 8: near the XV_MAN_MAX limit); then per entry a
 * name length byte (% 70), the name bytes (NUL -> 'z'; '"', '\\' and
 * non-printable bytes as \xNN escapes), a digest byte (bit 0 set: a bad digest
 * of 60 + (b >> 1) % 8 hex digits, else 64) and the digest's hex digits (low
 * nibbles). Bytes are taken cyclically from the input after byte 3 ('a' when
 * there are none). *want_ok: whether xv_manifest_parse must accept the text.
 * Returns the malloc'd text.
 */
static char *build_text(const uint8_t *in, size_t len, int *want_ok)
{
    static const char *const key[3] = { "components", "policies", "images" };
    size_t cap = 64 + 3 * 68 * (32 + 69 * 4 + 70), off = 0, pos = 4;
    char *t = malloc(cap);
    unsigned cnt[3];

#define NEXT() ((uint8_t)(len > 4 ? in[4 + (pos++ - 4) % (len - 4)] : 'a'))
    if (t == NULL)
        abort();
    for (int l = 0; l < 3; l++)
        cnt[l] = len > 1u + l ? (in[1 + l] < 0xc0 ? in[1 + l] % 8u : 60u + in[1 + l] % 8u) : 1u;
    *want_ok = cnt[0] >= 1;
    out(t, cap, &off, "version = 1;\n");
    for (int l = 0; l < 3; l++) {
        if (cnt[l] > XV_MAN_MAX)
            *want_ok = 0;
        out(t, cap, &off, "%s = (", key[l]);
        for (unsigned i = 0; i < cnt[l]; i++) {
            unsigned nl = NEXT() % 70u, dl;
            uint8_t db;

            if (nl == 0 || nl >= 64)
                *want_ok = 0;
            out(t, cap, &off, "%s{ name = \"", i ? ", " : "");
            for (unsigned k = 0; k < nl; k++) {
                uint8_t c = NEXT();
                c = c ? c : 'z';
                if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                    out_c(t, cap, &off, (char)c);
                    continue;
                }
                out_c(t, cap, &off, '\\');
                out_c(t, cap, &off, 'x');
                out_c(t, cap, &off, hexdig[c >> 4]);
                out_c(t, cap, &off, hexdig[c & 15]);
            }
            db = NEXT();
            dl = (db & 1) ? 60u + (db >> 1) % 8u : 64u;
            if (dl != 64)
                *want_ok = 0;
            out(t, cap, &off, "\"; sha256 = \"");
            for (unsigned k = 0; k < dl; k++)
                out_c(t, cap, &off, hexdig[NEXT() & 15u]);
            out(t, cap, &off, "\"; }");
        }
        out(t, cap, &off, ");\n");
    }
#undef NEXT
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct xv_manifest *m, *m2;
    char *text, err[512], *t2;
    size_t cap, off = 0;
    int rc;

    int structured = size > 0 && data[0] == 0x01, want_ok = -1;

    if (structured) {
        text = build_text(data, size, &want_ok);
    } else {
        text = malloc(size + 1);
        if (text == NULL)
            return 0;
        memcpy(text, data, size);
        text[size] = 0;
    }
    if (!structured && memmem(text, size, "@include", 8) != NULL) {
        free(text);
        return 0;
    }
    m = malloc(sizeof(*m));
    m2 = malloc(sizeof(*m2));
    if (m == NULL || m2 == NULL)
        abort();
    memset(err, 'x', sizeof(err));
    rc = xv_manifest_parse(text, m, err, sizeof(err));
    if (want_ok >= 0 && want_ok != (rc == 0))
        abort();                       /* structured mode: the wrong decision */
    if (rc != 0) {
        if (rc != -XENIA_EINVAL || memchr(err, 0, sizeof(err)) == NULL || err[0] == 0)
            abort();
        goto out;
    }
    if (m->ncomp == 0)
        abort();
    check_refs(m->comp, m->ncomp);
    check_refs(m->policy, m->npolicy);
    check_refs(m->image, m->nimage);
    /* Round trip through text. */
    cap = 64 + 3 * (32 + XV_MAN_MAX * (40 + 63 * 4 + 64 + 16));
    t2 = malloc(cap);
    if (t2 == NULL)
        abort();
    out(t2, cap, &off, "version = 1;\n");
    emit_list(t2, cap, &off, "components", m->comp, m->ncomp);
    emit_list(t2, cap, &off, "policies", m->policy, m->npolicy);
    emit_list(t2, cap, &off, "images", m->image, m->nimage);
    memset(m2, 0xa5, sizeof(*m2));
    if (xv_manifest_parse(t2, m2, err, sizeof(err)) != 0 || memcmp(m, m2, sizeof(*m)) != 0)
        abort();
    free(t2);
    check_add_image(m, m2, data, size);
out:
    free(m2);
    free(m);
    free(text);
    {
        static unsigned runs;
        if (runs++ % LEAK_EVERY == 0 && __lsan_do_recoverable_leak_check() != 0)
            abort();
    }
    return 0;
}
