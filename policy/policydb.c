/* SPDX-License-Identifier: MIT */
/*
 * The policy binary: reader (untrusted input), writer, free, name lookups.
 * Format: docs/policy-format.md. API: policy/policydb.h.
 *
 * The reader goes through one bounded cursor (struct cur, after s2n-tls' stuffer):
 * every read checks the remaining length, and the first failure latches an error
 * naming the section and byte offset. Every index is checked against its table,
 * every count against PDB_MAX_*, every padding field must be zero, avrules must be
 * strictly sorted, expressions must be well-formed postfix (stack depth check).
 * Pure: no system calls besides malloc/free.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policydb.h"

/* Section tags, in the one order a binary must use (docs/policy-format.md). */
enum {
    SEC_META = 1, SEC_TYPES, SEC_ATTRS, SEC_CLASSES, SEC_MLS, SEC_ROLES, SEC_USERS,
    SEC_BOOLS, SEC_CONDS, SEC_AVRULES, SEC_SETS, SEC_CONS, SEC_ISIDS, SEC_LOGINS,
    SEC_COUNT = SEC_LOGINS
};
static const char *const sec_names[SEC_COUNT + 1] = {
    "header", "meta", "types", "attributes", "classes", "mls", "roles", "users",
    "booleans", "conditionals", "avrules", "sets", "constraints", "initial_sids", "logins",
};

#define HDR_SIZE 24u

/* ------------------------------------------------------------------------- */
/* bounded reader                                                             */

struct cur {
    const uint8_t *buf;
    size_t         len;   /* end of the readable region (section end) */
    size_t         off;
    int            rc;    /* 0 or the first error */
    int            sec;
    char          *err;
    size_t         errlen;  /* 0 when err is NULL */
};

/* ACSL (proofs/policydb/): the cursor invariant, and the little-endian values
 * the readers return, as mathematical integers. */
/*@ predicate cur_inv(struct cur *c) =
        \valid(c) && c->off <= c->len &&
        \valid_read(c->buf + (0 .. c->len - 1)) &&
        0 <= c->sec <= SEC_COUNT &&
        \separated(c, c->buf + (0 .. c->len - 1)) &&
        \valid(c->err + (0 .. c->errlen - 1)) &&
        \separated(c->err + (0 .. c->errlen - 1), c, c->buf + (0 .. c->len - 1));

    logic integer le16(uint8_t *b, integer i) = b[i] + 256 * b[i + 1];
    logic integer le32(uint8_t *b, integer i) = le16(b, i) + 65536 * le16(b, i + 2);
    logic integer le64(uint8_t *b, integer i) = le32(b, i) + 4294967296 * le32(b, i + 4);

    // "A failed cursor reads nothing and writes nothing": position, error and
    // message as they were.
    predicate cur_untouched{L1, L2}(struct cur *c) =
        \at(c->off, L1) == \at(c->off, L2) && \at(c->rc, L1) == \at(c->rc, L2) &&
        \forall integer k; 0 <= k < \at(c->errlen, L1) ==>
            \at(c->err[k], L1) == \at(c->err[k], L2);

    predicate name_char(integer ch) =
        ('a' <= ch <= 'z') || ('A' <= ch <= 'Z') || ('0' <= ch <= '9') || ch == '_';
    // n elements of at least minsz bytes each fit in rem bytes.
    predicate fits(integer n, integer minsz, integer rem) = n * minsz <= rem;

    predicate name_ok(uint8_t *p, integer n) =
        \forall integer j; 0 <= j < n ==> name_char((char)p[j]);
    predicate name_str(char *s, integer n) =
        \forall integer j; 0 <= j < n ==> name_char(s[j]);
*/

/* Latch the first error: rc and a one-line reason in err (if any). Its contract is
 * assumed by the proofs (it formats with vsnprintf/snprintf). */
/*@ requires cur_inv(c);
    requires rc < 0;
    assigns c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    ensures c->rc != 0;
    ensures \old(c->rc) == 0 ==> c->rc == rc;
    ensures \old(c->rc) != 0 ==> cur_untouched{Old, Here}(c);
*/
static void cur_fail(struct cur *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void cur_fail(struct cur *c, int rc, const char *fmt, ...)
{
    if (c->rc)
        return;
    c->rc = rc;
    if (c->err && c->errlen) {
        char msg[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        snprintf(c->err, c->errlen, "section %s at offset %zu: %s", sec_names[c->sec], c->off, msg);
    }
}

/* true iff the cursor has not failed and n more bytes are readable (no overflow:
 * compares against len - off); otherwise the cursor fails (-EINVAL). */
/*@ requires cur_inv(c);
    assigns c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    ensures \result <==> (\old(c->rc) == 0 && n <= c->len - c->off);
    ensures \result <==> c->rc == 0;
    behavior failed:
      assumes c->rc != 0;
      assigns \nothing;
      ensures cur_untouched{Pre, Post}(c);
      ensures !\result;
    behavior running:
      assumes c->rc == 0;
      ensures !\result ==> c->rc == -EINVAL;
    complete behaviors;
    disjoint behaviors;
*/
static bool cur_need(struct cur *c, size_t n)
{
    if (c->rc)
        return false;
    if (n > c->len - c->off) {
        cur_fail(c, -EINVAL, "truncated (need %zu bytes, %zu left)", n, c->len - c->off);
        return false;
    }
    return true;
}

/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
      ensures \result == 0;
    behavior short:
      assumes c->rc == 0 && c->len - c->off < 1;
      ensures c->rc == -EINVAL && c->off == \old(c->off) && \result == 0;
    behavior ok:
      assumes c->rc == 0 && c->len - c->off >= 1;
      ensures c->rc == 0 && c->off == \old(c->off) + 1;
      ensures \result == \old(c->buf[c->off]);
    complete behaviors;
    disjoint behaviors;
*/
static uint8_t rd_u8(struct cur *c)
{
    if (!cur_need(c, 1))
        return 0;
    return c->buf[c->off++];
}

/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
      ensures \result == 0;
    behavior short:
      assumes c->rc == 0 && c->len - c->off < 2;
      ensures c->rc == -EINVAL && c->off == \old(c->off) && \result == 0;
    behavior ok:
      assumes c->rc == 0 && c->len - c->off >= 2;
      ensures c->rc == 0 && c->off == \old(c->off) + 2;
      ensures \result == \old(le16(c->buf, c->off));
    complete behaviors;
    disjoint behaviors;
*/
static uint16_t rd_u16(struct cur *c)
{
    if (!cur_need(c, 2))
        return 0;
    uint16_t v = (uint16_t)(c->buf[c->off] + 256 * c->buf[c->off + 1]);
    c->off += 2;
    return v;
}

/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
      ensures \result == 0;
    behavior short:
      assumes c->rc == 0 && c->len - c->off < 4;
      ensures c->rc == -EINVAL && c->off == \old(c->off) && \result == 0;
    behavior ok:
      assumes c->rc == 0 && c->len - c->off >= 4;
      ensures c->rc == 0 && c->off == \old(c->off) + 4;
      ensures \result == \old(le32(c->buf, c->off));
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t rd_u32(struct cur *c)
{
    if (!cur_need(c, 4))
        return 0;
    const uint8_t *b = c->buf + c->off;
    c->off += 4;
    return b[0] + b[1] * 0x100u + b[2] * 0x10000u + b[3] * 0x1000000u;
}

/* Two u32 reads: when only 4..7 bytes are left, the first one succeeds (off moves
 * by 4) before the cursor fails. */
/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
      ensures \result == 0;
    behavior short:
      assumes c->rc == 0 && c->len - c->off < 8;
      ensures c->rc == -EINVAL;
      ensures c->off == \old(c->off) || c->off == \old(c->off) + 4;
    behavior ok:
      assumes c->rc == 0 && c->len - c->off >= 8;
      ensures c->rc == 0 && c->off == \old(c->off) + 8;
      ensures \result == \old(le64(c->buf, c->off));
    complete behaviors;
    disjoint behaviors;
*/
static uint64_t rd_u64(struct cur *c)
{
    uint64_t lo = rd_u32(c);
    uint64_t hi = rd_u32(c);
    return lo + hi * 0x100000000u;
}

/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
    behavior short:
      assumes c->rc == 0 && c->len - c->off < 2;
      ensures c->rc == -EINVAL && c->off == \old(c->off);
    behavior zero:
      assumes c->rc == 0 && c->len - c->off >= 2 && le16(c->buf, c->off) == 0;
      ensures c->rc == 0 && c->off == \old(c->off) + 2;
    behavior nonzero:
      assumes c->rc == 0 && c->len - c->off >= 2 && le16(c->buf, c->off) != 0;
      ensures c->rc == -EINVAL && c->off == \old(c->off);
    complete behaviors;
    disjoint behaviors;
*/
static void rd_zero16(struct cur *c, const char *what)
{
    size_t at = c->off;
    if (rd_u16(c) != 0 && !c->rc) {
        c->off = at;
        cur_fail(c, -EINVAL, "nonzero padding in %s", what);
    }
}

/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
    behavior short:
      assumes c->rc == 0 && c->len - c->off < 1;
      ensures c->rc == -EINVAL && c->off == \old(c->off);
    behavior zero:
      assumes c->rc == 0 && c->len - c->off >= 1 && c->buf[c->off] == 0;
      ensures c->rc == 0 && c->off == \old(c->off) + 1;
    behavior nonzero:
      assumes c->rc == 0 && c->len - c->off >= 1 && c->buf[c->off] != 0;
      ensures c->rc == -EINVAL && c->off == \old(c->off);
    complete behaviors;
    disjoint behaviors;
*/
static void rd_zero8(struct cur *c, const char *what)
{
    size_t at = c->off;
    if (rd_u8(c) != 0 && !c->rc) {
        c->off = at;
        cur_fail(c, -EINVAL, "nonzero padding in %s", what);
    }
}

/* true iff n elements of at least minsz bytes each fit in rem bytes (no overflow:
 * divides instead of multiplying). */
/*@ assigns \nothing;
    ensures \result <==> fits(n, minsz, rem);
*/
static bool count_fits(uint32_t n, size_t rem, size_t minsz)
{
    if (minsz == 0)
        return true;
    size_t q = rem / minsz;
    /*@ assert q * minsz <= rem < q * minsz + minsz; */
    if (n <= q) {
        /*@ assert n * minsz <= q * minsz; */
        return true;
    }
    /*@ assert (q + 1) * minsz <= n * minsz; */
    return false;
}

/* A count, checked against max (-E2BIG) and against the bytes left (each element
 * takes at least minsz bytes), so a huge count cannot drive a huge allocation. */
/*@ requires cur_inv(c);
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    ensures c->rc != 0 ==> \result == 0;
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
    behavior running:
      assumes c->rc == 0;
      ensures c->len - \old(c->off) >= 4 && \old(le32(c->buf, c->off)) <= max &&
              fits(\old(le32(c->buf, c->off)), minsz, c->len - \old(c->off) - 4) ==> c->rc == 0;
      ensures c->rc == 0 ==>
              \result == \old(le32(c->buf, c->off)) && c->off == \old(c->off) + 4 &&
              \result <= max;
      ensures c->rc == 0 ==> fits(\result, minsz, c->len - c->off);
      ensures c->rc != 0 ==> c->off == \old(c->off);
    complete behaviors;
    disjoint behaviors;
*/
static uint32_t rd_count(struct cur *c, uint32_t max, size_t minsz, const char *what)
{
    size_t at = c->off;
    uint32_t n = rd_u32(c);
    if (c->rc)
        return 0;
    if (n > max) {
        c->off = at;
        cur_fail(c, -E2BIG, "%s count %u exceeds the limit %u", what, n, max);
        return 0;
    }
    if (!count_fits(n, c->len - c->off, minsz)) {
        c->off = at;
        cur_fail(c, -EINVAL, "%s count %u larger than the section", what, n);
        return 0;
    }
    /*@ assert c->len - c->off == (size_t)(c->len - c->off); */
    /*@ assert fits(n, minsz, c->len - c->off); */
    return n;
}

/*@ assigns \nothing;
    ensures \result <==> name_char(ch); */
static bool name_char_ok(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

/* n + 1 bytes for a name of n bytes; on failure the cursor fails (-ENOMEM). Its
 * contract is assumed by the proofs (Frama-C WP has no model of malloc's \fresh). */
/*@ requires cur_inv(c) && c->rc == 0;
    requires n <= PDB_MAX_NAME;
    assigns c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    ensures \result == \null <==> c->rc != 0;
    ensures \result == \null ==> c->rc == -ENOMEM;
    ensures \result != \null ==>
            \valid(\result + (0 .. n)) &&
            \separated(\result + (0 .. n), c, c->buf + (0 .. c->len - 1),
                       c->err + (0 .. c->errlen - 1));
*/
static char *cur_alloc_name(struct cur *c, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        cur_fail(c, -ENOMEM, "out of memory");
    return s;
}

/* Index of the first byte of src[0..n-1] outside [A-Za-z0-9_], or n. */
/*@ requires \valid_read(src + (0 .. n - 1));
    assigns \nothing;
    ensures 0 <= \result <= n;
    ensures name_ok(src, \result);
    ensures \result < n ==> !name_char((char)src[\result]);
*/
static uint16_t name_bad_at(const uint8_t *src, uint16_t n)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> name_char((char)src[j]);
        loop assigns i;
        loop variant n - i; */
    for (uint16_t i = 0; i < n; i++)
        if (!name_char_ok((char)src[i]))
            return i;
    return n;
}

/* dst[0..n-1] = src[0..n-1] (memcpy, as a loop the proofs can follow). */
/*@ requires \valid(dst + (0 .. n - 1)) && \valid_read(src + (0 .. n - 1));
    requires \separated(dst + (0 .. n - 1), src + (0 .. n - 1));
    assigns dst[0 .. n - 1];
    ensures \forall integer j; 0 <= j < n ==> dst[j] == (char)src[j];
    ensures name_ok(src, n) ==> name_str(dst, n);
*/
static void name_copy(char *dst, const uint8_t *src, uint16_t n)
{
    /*@ loop invariant 0 <= i <= n;
        loop invariant \forall integer j; 0 <= j < i ==> dst[j] == (char)src[j];
        loop assigns i, dst[0 .. n - 1];
        loop variant n - i; */
    for (uint16_t i = 0; i < n; i++)
        dst[i] = (char)src[i];
}

/* name: u16 length (1..PDB_MAX_NAME), bytes [A-Za-z0-9_]. No assigns clause: WP
 * cannot name the string this function allocates in a clause about its pre-state. */
/*@ requires cur_inv(c);
    ensures cur_inv(c);
    ensures \result == \null <==> c->rc != 0;
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c);
    behavior running:
      assumes c->rc == 0;
      ensures \result != \null ==> 1 <= \old(le16(c->buf, c->off)) <= PDB_MAX_NAME;
      ensures \result != \null ==> c->off == \old(c->off) + 2 + \old(le16(c->buf, c->off));
      ensures \result != \null ==>
              \valid(\result + (0 .. \old(le16(c->buf, c->off)))) &&
              \separated(\result + (0 .. \old(le16(c->buf, c->off))), c,
                         c->buf + (0 .. c->len - 1), c->err + (0 .. c->errlen - 1));
      ensures \result != \null ==> \result[\old(le16(c->buf, c->off))] == '\0';
      ensures \result != \null ==> name_str(\result, \old(le16(c->buf, c->off)));
      ensures \result != \null ==>
              \forall integer i; 0 <= i < \old(le16(c->buf, c->off)) ==>
                  \result[i] == (char)\old(c->buf[c->off + 2 + i]);
    complete behaviors;
    disjoint behaviors;
*/
static char *rd_name(struct cur *c)
{
    size_t at = c->off;
    uint16_t n = rd_u16(c);
    if (c->rc)
        return NULL;
    if (n == 0 || n > PDB_MAX_NAME) {
        c->off = at;
        cur_fail(c, -EINVAL, "name length %u out of range", n);
        return NULL;
    }
    if (!cur_need(c, n))
        return NULL;
    const uint8_t *src = c->buf + c->off;
    uint16_t bad = name_bad_at(src, n);
    if (bad < n) {
        c->off += bad;
        cur_fail(c, -EINVAL, "invalid character in name");
        return NULL;
    }
    char *s = cur_alloc_name(c, n);
    if (!s)
        return NULL;
    name_copy(s, src, n);
    s[n] = '\0';
    /*@ assert name_str(s, n); */
    c->off += n;
    return s;
}

static void *cur_calloc(struct cur *c, size_t n, size_t sz)
{
    if (c->rc)
        return NULL;
    void *p = calloc(n ? n : 1, sz);
    if (!p)
        cur_fail(c, -ENOMEM, "out of memory");
    return p;
}

/* nw zeroed words for a bitmap; on failure the cursor fails (-ENOMEM). Its contract
 * is assumed by the proofs (Frama-C WP has no model of calloc's \fresh). */
/*@ requires cur_inv(c) && c->rc == 0;
    requires 0 < nw;
    assigns c->rc, c->err[0 .. c->errlen - 1];
    ensures cur_inv(c);
    ensures \result == \null <==> c->rc != 0;
    ensures \result != \null ==>
            \valid(\result + (0 .. nw - 1)) &&
            \separated(\result + (0 .. nw - 1), c, c->buf + (0 .. c->len - 1),
                       c->err + (0 .. c->errlen - 1));
*/
static uint64_t *cur_calloc_words(struct cur *c, uint32_t nw)
{
    return cur_calloc(c, nw, sizeof(uint64_t));
}

/* w[0..nw-1] = the next nw u64 words; the caller has checked that 8 * nw bytes
 * are left, so every read succeeds. (The proofs cover the cursor, not the values
 * stored: WP's typed memory model puts w[] and c->off in one chunk.) */
/*@ requires cur_inv(c) && c->rc == 0;
    requires 8 * nw <= c->len - c->off;
    requires \valid(w + (0 .. nw - 1));
    requires \separated(w + (0 .. nw - 1), c, c->buf + (0 .. c->len - 1),
                        c->err + (0 .. c->errlen - 1));
    assigns c->off, c->rc, c->err[0 .. c->errlen - 1], w[0 .. nw - 1];
    ensures cur_inv(c) && c->rc == 0;
    ensures c->off == \old(c->off) + 8 * nw;
*/
static void rd_words(struct cur *c, uint64_t *w, uint32_t nw)
{
    /*@ loop invariant 0 <= i <= nw;
        loop invariant cur_inv(c) && c->rc == 0;
        loop invariant c->off == \at(c->off, Pre) + 8 * i;
        loop assigns i, c->off, c->rc, c->err[0 .. c->errlen - 1], w[0 .. nw - 1];
        loop variant nw - i; */
    for (uint32_t i = 0; i < nw; i++)
        w[i] = rd_u64(c);
}

/* bitmap over exactly nbits bits: (nbits+63)/64 u64 words; bits >= nbits and bit 0
 * (when zero0) must be clear. No assigns clause: WP cannot name the words this
 * function allocates in a clause about its pre-state (its callers are not proved). */
/*@ requires cur_inv(c);
    requires nbits <= 65536;
    requires \valid(b) &&
             \separated(b, c, c->buf + (0 .. c->len - 1), c->err + (0 .. c->errlen - 1));
    ensures cur_inv(c);
    ensures c->buf == \old(c->buf) && c->len == \old(c->len);
    behavior failed:
      assumes c->rc != 0;
      ensures cur_untouched{Pre, Post}(c) && b->words == \null;
    behavior running:
      assumes c->rc == 0;
      ensures c->len - \old(c->off) < 8 * ((nbits + 63) / 64) ==>
              c->rc == -EINVAL && c->off == \old(c->off) && b->words == \null;
      ensures c->rc == 0 ==>
              c->off == \old(c->off) + 8 * ((nbits + 63) / 64) &&
              ((nbits + 63) / 64 == 0 ==> b->words == \null) &&
              ((nbits + 63) / 64 > 0 ==> \valid(b->words + (0 .. (nbits + 63) / 64 - 1)));
    complete behaviors;
    disjoint behaviors;
*/
static void rd_bitmap(struct cur *c, struct pdb_bitmap *b, uint32_t nbits, bool zero0)
{
    uint32_t nw = (nbits + 63) / 64;
    b->nbits = nbits;
    b->words = NULL;
    if (!cur_need(c, (size_t)nw * 8))
        return;
    if (nw == 0)
        return;
    uint64_t *w = cur_calloc_words(c, nw);
    if (!w)
        return;
    b->words = w;
    rd_words(c, w, nw);
    if (nbits % 64 && (w[nw - 1] >> (nbits % 64))) {
        cur_fail(c, -EINVAL, "bitmap has bits beyond %u", nbits);
        return;
    }
    if (zero0 && (w[0] & 1u))
        cur_fail(c, -EINVAL, "bitmap has bit 0 set");
}

static void rd_level(struct cur *c, const struct policydb *p, struct pdb_level *l)
{
    size_t at = c->off;
    memset(l, 0, sizeof(*l));
    l->sens = rd_u16(c);
    rd_zero16(c, "level");
    uint32_t nw = (p->ncats + 63) / 64;
    for (uint32_t i = 0; i < nw; i++)
        l->cats[i] = rd_u64(c);
    if (c->rc)
        return;
    if (l->sens == 0 || l->sens > p->nsens) {
        c->off = at;
        cur_fail(c, -EINVAL, "sensitivity %u out of range", l->sens);
        return;
    }
    if (p->ncats % 64 && nw && (l->cats[nw - 1] >> (p->ncats % 64)))
        cur_fail(c, -EINVAL, "category beyond %u", p->ncats);
}

static bool lvl_dom(const struct pdb_level *a, const struct pdb_level *b)
{
    if (a->sens < b->sens)
        return false;
    for (uint32_t i = 0; i < PDB_CAT_WORDS; i++)
        if ((a->cats[i] & b->cats[i]) != b->cats[i])
            return false;
    return true;
}

static void rd_context(struct cur *c, const struct policydb *p, struct pdb_context *x)
{
    size_t at = c->off;
    x->user = rd_u16(c);
    x->role = rd_u16(c);
    x->type = rd_u16(c);
    x->pad = 0;
    rd_zero16(c, "context");
    rd_level(c, p, &x->low);
    rd_level(c, p, &x->high);
    if (c->rc)
        return;
    if (x->user == 0 || x->user > p->nusers || x->role == 0 || x->role > p->nroles ||
        x->type == 0 || x->type > p->ntypes) {
        c->off = at;
        cur_fail(c, -EINVAL, "context index out of range");
        return;
    }
    if (!lvl_dom(&x->high, &x->low)) {
        c->off = at;
        cur_fail(c, -EINVAL, "context high level does not dominate low");
    }
}

static void check_unique(struct cur *c, char **names, uint32_t first, uint32_t n, const char *what)
{
    for (uint32_t i = first; i < first + n && !c->rc; i++)
        for (uint32_t j = first; j < i; j++)
            if (strcmp(names[i], names[j]) == 0) {
                cur_fail(c, -EINVAL, "duplicate %s name '%s'", what, names[i]);
                return;
            }
}

/* Well-formed postfix: operand nodes push, NOT pops 1 pushes 1, binary pop 2 push 1,
 * final depth 1. */
static bool postfix_ok(const uint8_t *arity, uint32_t n)
{
    uint32_t depth = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (arity[i] == 0) {
            depth++;
        } else if (arity[i] == 1) {
            if (depth < 1)
                return false;
        } else {
            if (depth < 2)
                return false;
            depth--;
        }
    }
    return depth == 1;
}

/* ------------------------------------------------------------------------- */
/* sections                                                                   */

static void rd_meta(struct cur *c, struct policydb *p)
{
    size_t at = c->off;
    p->handle_unknown = rd_u32(c);
    if (!c->rc && p->handle_unknown > PDB_UNKNOWN_ALLOW) {
        c->off = at;
        cur_fail(c, -EINVAL, "handle_unknown %u invalid", p->handle_unknown);
    }
}

static void rd_types(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_TYPES, 3, "type");
    p->types = cur_calloc(c, (size_t)n + 1, sizeof(char *));
    if (!p->types)
        return;
    for (uint32_t i = 1; i <= n && !c->rc; i++) {
        p->types[i] = rd_name(c);
        if (p->types[i])
            p->ntypes = i;
    }
    check_unique(c, p->types, 1, p->ntypes, "type");
}

static void rd_attrs(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_ATTRS, 3, "attribute");
    p->attrs = cur_calloc(c, n, sizeof(*p->attrs));
    if (!p->attrs)
        return;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        struct pdb_attr *a = &p->attrs[i];
        a->name = rd_name(c);
        p->nattrs = i + 1;
        rd_bitmap(c, &a->types, p->ntypes + 1, true);
        for (uint32_t t = 1; t <= p->ntypes && a->name && !c->rc; t++)
            if (strcmp(p->types[t], a->name) == 0)
                cur_fail(c, -EINVAL, "attribute '%s' has a type's name", a->name);
        for (uint32_t j = 0; j < i && a->name && !c->rc; j++)
            if (strcmp(p->attrs[j].name, a->name) == 0)
                cur_fail(c, -EINVAL, "duplicate attribute name '%s'", a->name);
    }
}

static void rd_classes(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_CLASSES, 15, "class");
    p->classes = cur_calloc(c, (size_t)n + 1, sizeof(*p->classes));
    if (!p->classes)
        return;
    for (uint32_t i = 1; i <= n && !c->rc; i++) {
        struct pdb_class *k = &p->classes[i];
        k->name = rd_name(c);
        p->nclasses = i;
        uint32_t np = rd_count(c, PDB_MAX_PERMS, 3, "permission");
        for (uint32_t j = 0; j < np && !c->rc; j++) {
            k->perms[j] = rd_name(c);
            if (k->perms[j])
                k->nperms = j + 1;
        }
        check_unique(c, k->perms, 0, k->nperms, "permission");
        size_t at = c->off;
        k->read_mask = rd_u32(c);
        k->write_mask = rd_u32(c);
        uint32_t all = k->nperms == 32 ? 0xffffffffu : ((1u << k->nperms) - 1);
        if (!c->rc && ((k->read_mask | k->write_mask) & ~all)) {
            c->off = at;
            cur_fail(c, -EINVAL, "infoflow mask beyond the permissions of class '%s'", k->name);
        }
    }
    for (uint32_t i = 2; i <= p->nclasses && !c->rc; i++)
        for (uint32_t j = 1; j < i; j++)
            if (p->classes[i].name && p->classes[j].name &&
                strcmp(p->classes[i].name, p->classes[j].name) == 0) {
                cur_fail(c, -EINVAL, "duplicate class name '%s'", p->classes[i].name);
                break;
            }
}

static void rd_mls(struct cur *c, struct policydb *p)
{
    uint32_t ns = rd_count(c, PDB_MAX_SENS, 3, "sensitivity");
    p->sens = cur_calloc(c, (size_t)ns + 1, sizeof(char *));
    if (!p->sens)
        return;
    for (uint32_t i = 1; i <= ns && !c->rc; i++) {
        p->sens[i] = rd_name(c);
        if (p->sens[i])
            p->nsens = i;
    }
    check_unique(c, p->sens, 1, p->nsens, "sensitivity");
    uint32_t nc = rd_count(c, PDB_MAX_CATS, 3, "category");
    p->cats = cur_calloc(c, nc, sizeof(char *));
    if (!p->cats)
        return;
    for (uint32_t i = 0; i < nc && !c->rc; i++) {
        p->cats[i] = rd_name(c);
        if (p->cats[i])
            p->ncats = i + 1;
    }
    check_unique(c, p->cats, 0, p->ncats, "category");
}

static void rd_roles(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_ROLES, 3, "role");
    p->roles = cur_calloc(c, (size_t)n + 1, sizeof(*p->roles));
    if (!p->roles)
        return;
    for (uint32_t i = 1; i <= n && !c->rc; i++) {
        p->roles[i].name = rd_name(c);
        p->nroles = i;
        rd_bitmap(c, &p->roles[i].types, p->ntypes + 1, true);
    }
    for (uint32_t i = 2; i <= p->nroles && !c->rc; i++)
        for (uint32_t j = 1; j < i; j++)
            if (strcmp(p->roles[i].name, p->roles[j].name) == 0) {
                cur_fail(c, -EINVAL, "duplicate role name '%s'", p->roles[i].name);
                break;
            }
}

static void rd_users(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_USERS, 3, "user");
    p->users = cur_calloc(c, (size_t)n + 1, sizeof(*p->users));
    if (!p->users)
        return;
    for (uint32_t i = 1; i <= n && !c->rc; i++) {
        struct pdb_user *u = &p->users[i];
        u->name = rd_name(c);
        p->nusers = i;
        rd_bitmap(c, &u->roles, p->nroles + 1, true);
        size_t at = c->off;
        rd_level(c, p, &u->dfl);
        rd_level(c, p, &u->range_low);
        rd_level(c, p, &u->range_high);
        if (!c->rc && (!lvl_dom(&u->range_high, &u->range_low) || !lvl_dom(&u->dfl, &u->range_low) ||
                       !lvl_dom(&u->range_high, &u->dfl))) {
            c->off = at;
            cur_fail(c, -EINVAL, "user '%s' levels are not a valid range", u->name);
        }
        for (uint32_t j = 1; j < i && !c->rc; j++)
            if (strcmp(p->users[j].name, u->name) == 0)
                cur_fail(c, -EINVAL, "duplicate user name '%s'", u->name);
    }
}

static void rd_bools(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_BOOLS, 7, "boolean");
    p->bools = cur_calloc(c, (size_t)n + 1, sizeof(*p->bools));
    if (!p->bools)
        return;
    for (uint32_t i = 1; i <= n && !c->rc; i++) {
        p->bools[i].name = rd_name(c);
        p->nbools = i;
        size_t at = c->off;
        uint32_t v = rd_u32(c);
        if (!c->rc && v > 1) {
            c->off = at;
            cur_fail(c, -EINVAL, "boolean default %u is not 0 or 1", v);
        }
        p->bools[i].dflt = v == 1;
        for (uint32_t j = 1; j < i && !c->rc; j++)
            if (strcmp(p->bools[j].name, p->bools[i].name) == 0)
                cur_fail(c, -EINVAL, "duplicate boolean name '%s'", p->bools[i].name);
    }
}

static void rd_conds(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_CONDS, 8, "conditional");
    p->conds = cur_calloc(c, n, sizeof(*p->conds));
    if (!p->conds)
        return;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        struct pdb_cond *d = &p->conds[i];
        p->nconds = i + 1;
        size_t at = c->off;
        uint32_t ne = rd_u32(c);
        if (!c->rc && (ne == 0 || ne > PDB_MAX_EXPR)) {
            c->off = at;
            cur_fail(c, ne ? -E2BIG : -EINVAL, "expression length %u out of range", ne);
            return;
        }
        uint8_t ar[PDB_MAX_EXPR];
        for (uint32_t j = 0; j < ne && !c->rc; j++) {
            size_t nat = c->off;
            d->expr[j].op = rd_u8(c);
            rd_zero8(c, "boolean expression");
            d->expr[j].boolidx = rd_u16(c);
            if (c->rc)
                return;
            uint8_t op = d->expr[j].op;
            if (op < PDB_CEXPR_BOOL || op > PDB_CEXPR_NEQ ||
                (op == PDB_CEXPR_BOOL && (d->expr[j].boolidx == 0 || d->expr[j].boolidx > p->nbools)) ||
                (op != PDB_CEXPR_BOOL && d->expr[j].boolidx != 0)) {
                c->off = nat;
                cur_fail(c, -EINVAL, "bad boolean expression node");
                return;
            }
            ar[j] = op == PDB_CEXPR_BOOL ? 0 : op == PDB_CEXPR_NOT ? 1 : 2;
        }
        d->nexpr = ne;
        if (!c->rc && !postfix_ok(ar, ne)) {
            c->off = at;
            cur_fail(c, -EINVAL, "boolean expression is not well-formed postfix");
        }
    }
}

static int avkey_cmp(const struct pdb_avrule *a, const struct pdb_avrule *b)
{
#define CMPF(f) if (a->f != b->f) return a->f < b->f ? -1 : 1
    CMPF(stype); CMPF(ttype); CMPF(tclass); CMPF(kind); CMPF(cond); CMPF(branch);
#undef CMPF
    return 0;
}

static uint32_t class_all(const struct pdb_class *k)
{
    return k->nperms >= 32 ? 0xffffffffu : ((1u << k->nperms) - 1);
}

static void rd_avrules(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_AVRULES, 16, "avrule");
    p->avrules = cur_calloc(c, n, sizeof(*p->avrules));
    if (!p->avrules)
        return;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        struct pdb_avrule *r = &p->avrules[i];
        size_t at = c->off;
        r->stype = rd_u16(c);
        r->ttype = rd_u16(c);
        r->tclass = rd_u16(c);
        r->kind = rd_u8(c);
        r->branch = rd_u8(c);
        r->cond = rd_u16(c);
        rd_zero16(c, "avrule");
        r->data = rd_u32(c);
        if (c->rc)
            return;
        p->navrules = i + 1;
        const char *bad = NULL;
        if (r->stype == 0 || r->stype > p->ntypes || r->ttype == 0 || r->ttype > p->ntypes)
            bad = "type index out of range";
        else if (r->tclass == 0 || r->tclass > p->nclasses)
            bad = "class index out of range";
        else if (r->kind < PDB_AV_ALLOW || r->kind > PDB_AV_DONTAUDIT)
            bad = "unknown rule kind";
        else if (r->cond > p->nconds || r->branch > 1 || (r->cond == 0 && r->branch != 0))
            bad = "bad condition";
        else if (r->kind == PDB_AV_TRANSITION && (r->data == 0 || r->data > p->ntypes))
            bad = "transition type out of range";
        else if (r->kind != PDB_AV_TRANSITION && (r->data == 0 || (r->data & ~class_all(&p->classes[r->tclass]))))
            bad = "permissions beyond the class";
        else if (i > 0 && avkey_cmp(&p->avrules[i - 1], r) >= 0)
            bad = "avrules not sorted or not unique";
        if (bad) {
            c->off = at;
            cur_fail(c, -EINVAL, "avrule %u: %s", i, bad);
        }
    }
}

static uint32_t attr_domain(const struct policydb *p, uint8_t attr)
{
    switch (attr) {
    case PDB_ATTR_U1: case PDB_ATTR_U2: return p->nusers + 1;
    case PDB_ATTR_R1: case PDB_ATTR_R2: return p->nroles + 1;
    default: return p->ntypes + 1;
    }
}

static void rd_sets(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_CONSTRAINTS * PDB_MAX_EXPR, 4, "set");
    p->sets = cur_calloc(c, n, sizeof(*p->sets));
    if (!p->sets)
        return;
    uint32_t maxbits = p->ntypes;
    if (p->nroles > maxbits)
        maxbits = p->nroles;
    if (p->nusers > maxbits)
        maxbits = p->nusers;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        size_t at = c->off;
        uint32_t nb = rd_u32(c);
        if (c->rc)
            return;
        if (nb == 0 || nb > maxbits + 1) {
            c->off = at;
            cur_fail(c, -EINVAL, "set %u: %u bits out of range", i, nb);
            return;
        }
        rd_bitmap(c, &p->sets[i], nb, true);
        p->nsets = i + 1;
    }
}

static void rd_cons(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_CONSTRAINTS, 12, "constraint");
    p->cons = cur_calloc(c, n, sizeof(*p->cons));
    if (!p->cons)
        return;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        struct pdb_constraint *k = &p->cons[i];
        size_t at = c->off;
        k->tclass = rd_u16(c);
        k->mls = rd_u8(c);
        rd_zero8(c, "constraint");
        k->perms = rd_u32(c);
        uint32_t ne = rd_u32(c);
        if (c->rc)
            return;
        p->ncons = i + 1;
        if (k->tclass == 0 || k->tclass > p->nclasses || k->mls > 1 || k->perms == 0 ||
            (k->perms & ~class_all(&p->classes[k->tclass])) || ne == 0 || ne > PDB_MAX_EXPR) {
            c->off = at;
            cur_fail(c, ne > PDB_MAX_EXPR ? -E2BIG : -EINVAL, "constraint %u: bad class, permissions or length", i);
            return;
        }
        uint8_t ar[PDB_MAX_EXPR];
        for (uint32_t j = 0; j < ne && !c->rc; j++) {
            struct pdb_consnode *e = &k->expr[j];
            size_t nat = c->off;
            e->kind = rd_u8(c);
            e->attr = rd_u8(c);
            e->op = rd_u8(c);
            rd_zero8(c, "constraint node");
            e->names = rd_u32(c);
            if (c->rc)
                return;
            bool ok;
            switch (e->kind) {
            case PDB_CONS_NOT: case PDB_CONS_AND: case PDB_CONS_OR:
                ok = e->attr == 0 && e->op == 0 && e->names == 0;
                ar[j] = e->kind == PDB_CONS_NOT ? 1 : 2;
                break;
            case PDB_CONS_ATTR:
                ok = e->attr >= PDB_ATTR_U1U2 && e->attr <= PDB_ATTR_L2H2 && e->names == 0 &&
                     e->op >= PDB_OP_EQ &&
                     e->op <= (e->attr >= PDB_ATTR_L1L2 ? PDB_OP_INCOMP : PDB_OP_NEQ);
                ar[j] = 0;
                break;
            case PDB_CONS_NAMES:
                ok = e->attr >= PDB_ATTR_U1 && e->attr <= PDB_ATTR_T2 &&
                     (e->op == PDB_OP_EQ || e->op == PDB_OP_NEQ) && e->names < p->nsets &&
                     p->sets[e->names].nbits == attr_domain(p, e->attr);
                ar[j] = 0;
                break;
            default:
                ok = false;
            }
            if (!ok) {
                c->off = nat;
                cur_fail(c, -EINVAL, "constraint %u: bad node %u", i, j);
                return;
            }
        }
        k->nexpr = ne;
        if (!postfix_ok(ar, ne)) {
            c->off = at;
            cur_fail(c, -EINVAL, "constraint %u: expression is not well-formed postfix", i);
        }
    }
}

static void rd_isids(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_ISIDS, 7, "initial sid");
    p->isids = cur_calloc(c, n, sizeof(*p->isids));
    if (!p->isids)
        return;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        struct pdb_isid *s = &p->isids[i];
        s->name = rd_name(c);
        p->nisids = i + 1;
        size_t at = c->off;
        uint32_t has = rd_u32(c);
        if (!c->rc && has > 1) {
            c->off = at;
            cur_fail(c, -EINVAL, "initial sid flag %u invalid", has);
        }
        s->has_context = has == 1;
        if (s->has_context)
            rd_context(c, p, &s->context);
        for (uint32_t j = 0; j < i && !c->rc; j++)
            if (strcmp(p->isids[j].name, s->name) == 0)
                cur_fail(c, -EINVAL, "duplicate initial sid '%s'", s->name);
    }
}

static void rd_logins(struct cur *c, struct policydb *p)
{
    uint32_t n = rd_count(c, PDB_MAX_LOGINS, 12, "login");
    p->logins = cur_calloc(c, n, sizeof(*p->logins));
    if (!p->logins)
        return;
    for (uint32_t i = 0; i < n && !c->rc; i++) {
        size_t at = c->off;
        p->logins[i].uid = rd_u32(c);
        rd_context(c, p, &p->logins[i].context);
        if (c->rc)
            return;
        p->nlogins = i + 1;
        if (i > 0 && p->logins[i - 1].uid >= p->logins[i].uid) {
            c->off = at;
            cur_fail(c, -EINVAL, "logins not sorted by uid or not unique");
        }
    }
}

typedef void (*sec_reader)(struct cur *, struct policydb *);
static const sec_reader readers[SEC_COUNT + 1] = {
    NULL, rd_meta, rd_types, rd_attrs, rd_classes, rd_mls, rd_roles, rd_users,
    rd_bools, rd_conds, rd_avrules, rd_sets, rd_cons, rd_isids, rd_logins,
};

/*
 * pdb_read — see policy/policydb.h. Layout: docs/policy-format.md.
 */
int pdb_read(const uint8_t *buf, size_t len, struct policydb **out, char *err, size_t errlen)
{
    struct cur c = { .buf = buf, .len = len, .off = 0, .rc = 0, .sec = 0, .err = err,
                     .errlen = err ? errlen : 0 };
    struct policydb *p = NULL;

    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (!buf)
        c.len = 0;
    uint32_t magic = rd_u32(&c);
    if (!c.rc && magic != PDB_MAGIC) {
        c.off = 0;
        cur_fail(&c, -EINVAL, "bad magic 0x%08x", magic);
    }
    uint32_t version = rd_u32(&c);
    if (!c.rc && version != PDB_VERSION) {
        c.off = 4;
        cur_fail(&c, -EPROTO, "unsupported version %u (expected %u)", version, PDB_VERSION);
    }
    uint32_t flags = rd_u32(&c);
    if (!c.rc && flags != 0) {
        c.off = 8;
        cur_fail(&c, -EINVAL, "unknown flags 0x%x", flags);
    }
    uint32_t total = rd_u32(&c);
    if (!c.rc && total != len) {
        c.off = 12;
        cur_fail(&c, -EINVAL, "total length %u but %zu bytes given", total, len);
    }
    uint32_t nsec = rd_u32(&c);
    if (!c.rc && nsec != SEC_COUNT) {
        c.off = 16;
        cur_fail(&c, -EINVAL, "section count %u (expected %u)", nsec, (unsigned)SEC_COUNT);
    }
    rd_zero16(&c, "header");
    rd_zero16(&c, "header");
    if (c.rc)
        goto fail;

    p = calloc(1, sizeof(*p));
    if (!p) {
        c.rc = -ENOMEM;
        goto fail;
    }
    p->version = version;

    for (int s = 1; s <= SEC_COUNT && !c.rc; s++) {
        c.sec = s;
        size_t hdr = c.off;
        uint32_t tag = rd_u32(&c);
        uint32_t slen = rd_u32(&c);
        if (c.rc)
            break;
        if (tag != (uint32_t)s) {
            c.off = hdr;
            cur_fail(&c, -EINVAL, "tag %u where section %u was expected", tag, s);
            break;
        }
        if (slen > len - c.off) {
            c.off = hdr;
            cur_fail(&c, -EINVAL, "length %u runs past the end", slen);
            break;
        }
        size_t end = c.off + slen;
        c.len = end;
        readers[s](&c, p);
        if (!c.rc && c.off != end)
            cur_fail(&c, -EINVAL, "%zu unread bytes at the end of the section", end - c.off);
        c.len = len;
    }
    if (!c.rc && c.off != len) {
        c.sec = 0;
        cur_fail(&c, -EINVAL, "%zu trailing bytes", len - c.off);
    }
    if (c.rc)
        goto fail;
    *out = p;
    return 0;
fail:
    pdb_free(p);
    if (c.rc == -ENOMEM && err && errlen)
        snprintf(err, errlen, "out of memory");
    return c.rc;
}

/* ------------------------------------------------------------------------- */
/* writer                                                                     */

struct wbuf {
    uint8_t *b;
    size_t   len, cap;
    bool     oom;
};

static void w_bytes(struct wbuf *w, const void *d, size_t n)
{
    if (w->oom)
        return;
    if (n > w->cap - w->len) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc - w->len < n)
            nc *= 2;
        uint8_t *nb = realloc(w->b, nc);
        if (!nb) {
            w->oom = true;
            return;
        }
        w->b = nb;
        w->cap = nc;
    }
    memcpy(w->b + w->len, d, n);
    w->len += n;
}

static void w_u8(struct wbuf *w, uint8_t v) { w_bytes(w, &v, 1); }
static void w_u16(struct wbuf *w, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    w_bytes(w, b, 2);
}
static void w_u32(struct wbuf *w, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    w_bytes(w, b, 4);
}
static void w_u64(struct wbuf *w, uint64_t v)
{
    w_u32(w, (uint32_t)v);
    w_u32(w, (uint32_t)(v >> 32));
}
static void w_put32(struct wbuf *w, size_t at, uint32_t v)
{
    if (w->oom)
        return;
    w->b[at] = (uint8_t)v;
    w->b[at + 1] = (uint8_t)(v >> 8);
    w->b[at + 2] = (uint8_t)(v >> 16);
    w->b[at + 3] = (uint8_t)(v >> 24);
}

static bool w_name(struct wbuf *w, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > PDB_MAX_NAME)
        return false;
    w_u16(w, (uint16_t)n);
    w_bytes(w, s, n);
    return true;
}

static void w_bitmap(struct wbuf *w, const struct pdb_bitmap *b, uint32_t nbits)
{
    uint32_t nw = (nbits + 63) / 64;
    for (uint32_t i = 0; i < nw; i++) {
        uint64_t v = 0;
        if (b->words && i < (b->nbits + 63) / 64)
            v = b->words[i];
        if (i == nw - 1 && nbits % 64)
            v &= (1ull << (nbits % 64)) - 1;
        w_u64(w, v);
    }
}

static void w_level(struct wbuf *w, const struct policydb *p, const struct pdb_level *l)
{
    w_u16(w, l->sens);
    w_u16(w, 0);
    for (uint32_t i = 0; i < (p->ncats + 63) / 64; i++)
        w_u64(w, l->cats[i]);
}

static void w_context(struct wbuf *w, const struct policydb *p, const struct pdb_context *x)
{
    w_u16(w, x->user);
    w_u16(w, x->role);
    w_u16(w, x->type);
    w_u16(w, 0);
    w_level(w, p, &x->low);
    w_level(w, p, &x->high);
}

/*
 * pdb_write — see policy/policydb.h. The result is checked by pdb_read() before it is
 * returned, so a policydb that the reader would reject yields -EINVAL.
 */
int pdb_write(const struct policydb *p, uint8_t **out, size_t *outlen)
{
    struct wbuf w = { 0 };
    bool names_ok = true;

    *out = NULL;
    *outlen = 0;
    if (!p)
        return -EINVAL;
    w_u32(&w, PDB_MAGIC);
    w_u32(&w, PDB_VERSION);
    w_u32(&w, 0);
    w_u32(&w, 0);          /* total length, patched */
    w_u32(&w, SEC_COUNT);
    w_u32(&w, 0);

    for (uint32_t s = 1; s <= SEC_COUNT; s++) {
        w_u32(&w, s);
        size_t lenat = w.len;
        w_u32(&w, 0);
        switch (s) {
        case SEC_META:
            w_u32(&w, p->handle_unknown);
            break;
        case SEC_TYPES:
            w_u32(&w, p->ntypes);
            for (uint32_t i = 1; i <= p->ntypes; i++)
                names_ok &= w_name(&w, p->types[i]);
            break;
        case SEC_ATTRS:
            w_u32(&w, p->nattrs);
            for (uint32_t i = 0; i < p->nattrs; i++) {
                names_ok &= w_name(&w, p->attrs[i].name);
                w_bitmap(&w, &p->attrs[i].types, p->ntypes + 1);
            }
            break;
        case SEC_CLASSES:
            w_u32(&w, p->nclasses);
            for (uint32_t i = 1; i <= p->nclasses; i++) {
                const struct pdb_class *k = &p->classes[i];
                names_ok &= w_name(&w, k->name);
                uint32_t np = k->nperms > PDB_MAX_PERMS ? PDB_MAX_PERMS + 1 : k->nperms;
                w_u32(&w, np);
                for (uint32_t j = 0; j < np && j < PDB_MAX_PERMS; j++)
                    names_ok &= w_name(&w, k->perms[j]);
                w_u32(&w, k->read_mask);
                w_u32(&w, k->write_mask);
            }
            break;
        case SEC_MLS:
            w_u32(&w, p->nsens);
            for (uint32_t i = 1; i <= p->nsens; i++)
                names_ok &= w_name(&w, p->sens[i]);
            w_u32(&w, p->ncats);
            for (uint32_t i = 0; i < p->ncats; i++)
                names_ok &= w_name(&w, p->cats[i]);
            break;
        case SEC_ROLES:
            w_u32(&w, p->nroles);
            for (uint32_t i = 1; i <= p->nroles; i++) {
                names_ok &= w_name(&w, p->roles[i].name);
                w_bitmap(&w, &p->roles[i].types, p->ntypes + 1);
            }
            break;
        case SEC_USERS:
            w_u32(&w, p->nusers);
            for (uint32_t i = 1; i <= p->nusers; i++) {
                const struct pdb_user *u = &p->users[i];
                names_ok &= w_name(&w, u->name);
                w_bitmap(&w, &u->roles, p->nroles + 1);
                w_level(&w, p, &u->dfl);
                w_level(&w, p, &u->range_low);
                w_level(&w, p, &u->range_high);
            }
            break;
        case SEC_BOOLS:
            w_u32(&w, p->nbools);
            for (uint32_t i = 1; i <= p->nbools; i++) {
                names_ok &= w_name(&w, p->bools[i].name);
                w_u32(&w, p->bools[i].dflt ? 1 : 0);
            }
            break;
        case SEC_CONDS:
            w_u32(&w, p->nconds);
            for (uint32_t i = 0; i < p->nconds; i++) {
                const struct pdb_cond *d = &p->conds[i];
                w_u32(&w, d->nexpr);
                for (uint32_t j = 0; j < d->nexpr && j < PDB_MAX_EXPR; j++) {
                    w_u8(&w, d->expr[j].op);
                    w_u8(&w, 0);
                    w_u16(&w, d->expr[j].boolidx);
                }
            }
            break;
        case SEC_AVRULES:
            w_u32(&w, p->navrules);
            for (uint32_t i = 0; i < p->navrules; i++) {
                const struct pdb_avrule *r = &p->avrules[i];
                w_u16(&w, r->stype);
                w_u16(&w, r->ttype);
                w_u16(&w, r->tclass);
                w_u8(&w, r->kind);
                w_u8(&w, r->branch);
                w_u16(&w, r->cond);
                w_u16(&w, 0);
                w_u32(&w, r->data);
            }
            break;
        case SEC_SETS:
            w_u32(&w, p->nsets);
            for (uint32_t i = 0; i < p->nsets; i++) {
                w_u32(&w, p->sets[i].nbits);
                w_bitmap(&w, &p->sets[i], p->sets[i].nbits);
            }
            break;
        case SEC_CONS:
            w_u32(&w, p->ncons);
            for (uint32_t i = 0; i < p->ncons; i++) {
                const struct pdb_constraint *k = &p->cons[i];
                w_u16(&w, k->tclass);
                w_u8(&w, k->mls);
                w_u8(&w, 0);
                w_u32(&w, k->perms);
                w_u32(&w, k->nexpr);
                for (uint32_t j = 0; j < k->nexpr && j < PDB_MAX_EXPR; j++) {
                    w_u8(&w, k->expr[j].kind);
                    w_u8(&w, k->expr[j].attr);
                    w_u8(&w, k->expr[j].op);
                    w_u8(&w, 0);
                    w_u32(&w, k->expr[j].names);
                }
            }
            break;
        case SEC_ISIDS:
            w_u32(&w, p->nisids);
            for (uint32_t i = 0; i < p->nisids; i++) {
                names_ok &= w_name(&w, p->isids[i].name);
                w_u32(&w, p->isids[i].has_context ? 1 : 0);
                if (p->isids[i].has_context)
                    w_context(&w, p, &p->isids[i].context);
            }
            break;
        case SEC_LOGINS:
            w_u32(&w, p->nlogins);
            for (uint32_t i = 0; i < p->nlogins; i++) {
                w_u32(&w, p->logins[i].uid);
                w_context(&w, p, &p->logins[i].context);
            }
            break;
        }
        if (!w.oom && w.len - lenat - 4 > UINT32_MAX)
            names_ok = false;
        w_put32(&w, lenat, (uint32_t)(w.len - lenat - 4));
    }
    if (w.oom) {
        free(w.b);
        return -ENOMEM;
    }
    if (!names_ok || w.len > UINT32_MAX) {
        free(w.b);
        return -EINVAL;
    }
    w_put32(&w, 12, (uint32_t)w.len);

    struct policydb *chk = NULL;
    int rc = pdb_read(w.b, w.len, &chk, NULL, 0);
    pdb_free(chk);
    if (rc) {
        free(w.b);
        return rc == -ENOMEM ? -ENOMEM : -EINVAL;
    }
    *out = w.b;
    *outlen = w.len;
    return 0;
}

/* pdb_free — see policy/policydb.h. Tolerates partially built policydbs (the
 * reader's failure path): every count says how many entries were initialised. */
void pdb_free(struct policydb *p)
{
    if (!p)
        return;
    if (p->types)
        for (uint32_t i = 1; i <= p->ntypes; i++)
            free(p->types[i]);
    free(p->types);
    for (uint32_t i = 0; p->attrs && i < p->nattrs; i++) {
        free(p->attrs[i].name);
        free(p->attrs[i].types.words);
    }
    free(p->attrs);
    for (uint32_t i = 1; p->classes && i <= p->nclasses; i++) {
        free(p->classes[i].name);
        for (uint32_t j = 0; j < PDB_MAX_PERMS; j++)
            free(p->classes[i].perms[j]);
    }
    free(p->classes);
    for (uint32_t i = 1; p->roles && i <= p->nroles; i++) {
        free(p->roles[i].name);
        free(p->roles[i].types.words);
    }
    free(p->roles);
    for (uint32_t i = 1; p->users && i <= p->nusers; i++) {
        free(p->users[i].name);
        free(p->users[i].roles.words);
    }
    free(p->users);
    for (uint32_t i = 1; p->bools && i <= p->nbools; i++)
        free(p->bools[i].name);
    free(p->bools);
    for (uint32_t i = 1; p->sens && i <= p->nsens; i++)
        free(p->sens[i]);
    free(p->sens);
    for (uint32_t i = 0; p->cats && i < p->ncats; i++)
        free(p->cats[i]);
    free(p->cats);
    free(p->avrules);
    free(p->conds);
    free(p->cons);
    for (uint32_t i = 0; p->sets && i < p->nsets; i++)
        free(p->sets[i].words);
    free(p->sets);
    for (uint32_t i = 0; p->isids && i < p->nisids; i++)
        free(p->isids[i].name);
    free(p->isids);
    free(p->logins);
    free(p);
}

/* ------------------------------------------------------------------------- */
/* name lookups: linear scans (policies are small; callers cache indices)      */

uint32_t pdb_type_index(const struct policydb *p, const char *name)
{
    for (uint32_t i = 1; name && i <= p->ntypes; i++)
        if (strcmp(p->types[i], name) == 0)
            return i;
    return 0;
}

uint32_t pdb_class_index(const struct policydb *p, const char *name)
{
    for (uint32_t i = 1; name && i <= p->nclasses; i++)
        if (strcmp(p->classes[i].name, name) == 0)
            return i;
    return 0;
}

int pdb_perm_index(const struct pdb_class *c, const char *name)
{
    for (uint32_t i = 0; name && i < c->nperms && i < PDB_MAX_PERMS; i++)
        if (strcmp(c->perms[i], name) == 0)
            return (int)i;
    return -1;
}

uint32_t pdb_role_index(const struct policydb *p, const char *name)
{
    for (uint32_t i = 1; name && i <= p->nroles; i++)
        if (strcmp(p->roles[i].name, name) == 0)
            return i;
    return 0;
}

uint32_t pdb_user_index(const struct policydb *p, const char *name)
{
    for (uint32_t i = 1; name && i <= p->nusers; i++)
        if (strcmp(p->users[i].name, name) == 0)
            return i;
    return 0;
}

uint32_t pdb_bool_index(const struct policydb *p, const char *name)
{
    for (uint32_t i = 1; name && i <= p->nbools; i++)
        if (strcmp(p->bools[i].name, name) == 0)
            return i;
    return 0;
}

int pdb_attr_index(const struct policydb *p, const char *name)
{
    for (uint32_t i = 0; name && i < p->nattrs; i++)
        if (strcmp(p->attrs[i].name, name) == 0)
            return (int)i;
    return -1;
}
