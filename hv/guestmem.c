/* SPDX-License-Identifier: MIT */
/* Guest page-table walks and bounded copies. See guestmem.h. */
#include "guestmem.h"

#include <stddef.h>

#include <xenia/abi.h>

#define PTE_P    0x1ull
#define PTE_RW   0x2ull
#define PTE_US   0x4ull
#define PTE_PS   0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
#define USER_TOP 0x0000800000000000ull  /* first non-canonical / upper-half address */

/* ACSL (proofs/guestmem): what the proof relies on of a struct gmem, and the
 * translation as an abstract predicate (see gmem_translate's contract). */
/*@ predicate gmem_ok(struct gmem *m) =
      \valid_read(m) &&
      \valid(m->ram + (0 .. m->ram_bytes - 1)) &&
      \separated(m, m->ram + (0 .. m->ram_bytes - 1)) &&
      (m->iowin != \null ==> \valid(m->iowin + (0 .. m->iowin_bytes - 1)) &&
                             \separated(m, m->iowin + (0 .. m->iowin_bytes - 1)));

    // Bytes that hv may copy from or to (its own buffer): outside the domain's memory.
    predicate gmem_sep(struct gmem *m, uint8_t *b, integer len) =
      \separated(b + (0 .. len - 1), m) &&
      \separated(b + (0 .. len - 1), m->ram + (0 .. m->ram_bytes - 1)) &&
      (m->iowin != \null ==> \separated(b + (0 .. len - 1), m->iowin + (0 .. m->iowin_bytes - 1)));

    // [p, p+n) lies inside guest RAM or inside the I/O window (so is \valid).
    predicate gmem_inside(uint8_t *base, integer size, uint8_t *p, integer n) =
      \base_addr(p) == \base_addr(base) && base <= p && p + n <= base + size;
    predicate gmem_host_range(struct gmem *m, uint8_t *p, integer n) =
      gmem_inside(m->ram, m->ram_bytes, p, n) ||
      (m->iowin != \null && gmem_inside(m->iowin, m->iowin_bytes, p, n));

    // gmem_translates(m, gva, access): the 4-level walk of gva with access succeeds.
    // Abstract: it is tied to the code only by the admitted clauses of gmem_translate.
    axiomatic GmemTranslate {
      predicate gmem_translates(struct gmem *m, integer gva, integer access);
    }
*/

/* Host pointer for guest-physical [gpa, gpa+1) and bytes available up to @limit. */
/*@ requires gmem_ok(m);
    requires \valid(avail) && \separated(avail, m);
    allocates \nothing;
    assigns *avail;
    ensures \result != \null ==> *avail > 0 && \valid(\result + (0 .. *avail - 1));
    ensures \result != \null ==> gmem_host_range(m, \result, *avail);
    behavior ram:
      assumes gpa < m->ram_bytes;
      assigns *avail;
      ensures \result == m->ram + gpa && *avail == m->ram_bytes - gpa;
    behavior iowin:
      assumes m->ram_bytes <= gpa;
      assumes m->iowin != \null && m->iowin_gpa <= gpa < m->iowin_gpa + m->iowin_bytes;
      assigns *avail;
      ensures \result == m->iowin + (gpa - m->iowin_gpa);
      ensures *avail == m->iowin_gpa + m->iowin_bytes - gpa;
    behavior unbacked:
      assumes m->ram_bytes <= gpa;
      assumes !(m->iowin != \null && m->iowin_gpa <= gpa < m->iowin_gpa + m->iowin_bytes);
      assigns \nothing;
      ensures \result == \null;
    complete behaviors;
    disjoint behaviors;
*/
static uint8_t *gpa_to_host(const struct gmem *m, uint64_t gpa, uint64_t *avail)
{
    if (gpa < m->ram_bytes) {
        *avail = m->ram_bytes - gpa;
        return m->ram + gpa;
    }
    if (m->iowin != NULL && gpa >= m->iowin_gpa && gpa - m->iowin_gpa < m->iowin_bytes) {
        *avail = m->iowin_bytes - (gpa - m->iowin_gpa);
        return m->iowin + (gpa - m->iowin_gpa);
    }
    return NULL;
}

/* Does a page table at @table_gpa lie wholly in RAM (tables live in RAM only)? */
/*@ requires gmem_ok(m);
    allocates \nothing;
    assigns \nothing;
    ensures \result != 0 <==> table_gpa + XENIA_PAGE_SIZE <= m->ram_bytes;
*/
static int table_in_ram(const struct gmem *m, uint64_t table_gpa)
{
    return table_gpa < m->ram_bytes && m->ram_bytes - table_gpa >= XENIA_PAGE_SIZE;
}

/* The 8-byte entry @idx of the table at @table_gpa (little-endian, as the CPU reads it). */
/*@ requires gmem_ok(m);
    requires table_gpa + XENIA_PAGE_SIZE <= m->ram_bytes;
    requires idx < 512;
    allocates \nothing;
    assigns \nothing;
*/
static uint64_t read_entry(const struct gmem *m, uint64_t table_gpa, unsigned idx)
{
    const uint8_t *b = m->ram + table_gpa + (uint64_t)idx * 8u;

    return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
           (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 |
           (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
}

/*@ requires gmem_ok(m);
    requires \valid(host) && \valid(avail);
    requires \separated(host, avail, m);
    requires \separated(host, m->ram + (0 .. m->ram_bytes - 1));
    requires \separated(avail, m->ram + (0 .. m->ram_bytes - 1));
    allocates \nothing;
    assigns *host, *avail;
    ensures result: \result == 0 || \result == -XENIA_EFAULT;
    ensures lower_half: \result == 0 ==> gva < USER_TOP;
    ensures avail_pos: \result == 0 ==> *avail > 0;
    ensures host_range: \result == 0 ==> gmem_host_range(m, *host, *avail);
    // Assumed, not proved (the paging semantics; see proofs/guestmem/README.md):
    // success is gmem_translates, and every address in the rest of the mapped
    // page/region (the *avail bytes from gva) translates the same way.
    admit ensures translates: \result == 0 <==> gmem_translates(m, gva, access);
    admit ensures same_page: \result == 0 ==>
      \forall integer a; gva <= a < gva + *avail ==> gmem_translates(m, a, access);
*/
int gmem_translate(const struct gmem *m, uint64_t gva, unsigned access,
                   uint8_t **host, uint64_t *avail)
{
    uint64_t table = m->cr3 & PTE_ADDR;
    uint64_t need = PTE_P;
    uint64_t e = 0, gpa, page_bytes = 0, rest;
    uint8_t *p;

    if (gva >= USER_TOP)
        return -XENIA_EFAULT;
    if (access & GMEM_USER)
        need |= PTE_US;
    if (access & GMEM_WRITE)
        need |= PTE_RW;

    /*@ loop invariant 1 <= level <= 4;
        loop invariant page_bytes == 0;
        loop assigns level, e, table;
        loop variant level;
    */
    for (int level = 4; level >= 1; level--) {
        unsigned shift = 12u + 9u * (unsigned)(level - 1);
        unsigned idx = (unsigned)((gva >> shift) & 511u);

        if (!table_in_ram(m, table))
            return -XENIA_EFAULT;
        e = read_entry(m, table, idx);
        if ((e & need) != need)
            return -XENIA_EFAULT;
        if (level == 1) {
            page_bytes = XENIA_PAGE_SIZE;
            break;
        }
        if ((e & PTE_PS) && (level == 2 || level == 3)) {
            page_bytes = 1ull << shift;
            /* Large-page frame must be aligned (reserved bits 20:13 / 29:13 zero). */
            if (((e & PTE_ADDR) & (page_bytes - 1)) != 0)
                return -XENIA_EFAULT;
            break;
        }
        if (e & PTE_PS)            /* PS in a PML4E is reserved */
            return -XENIA_EFAULT;
        table = e & PTE_ADDR;
    }

    gpa = (e & PTE_ADDR & ~(page_bytes - 1)) | (gva & (page_bytes - 1));
    p = gpa_to_host(m, gpa, avail);    /* *avail: bytes to the end of the region */
    if (p == NULL)
        return -XENIA_EFAULT;
    rest = page_bytes - gva % page_bytes;  /* bytes to the end of the page (1 .. page_bytes) */
    if (rest < *avail)
        *avail = rest;
    *host = p;
    return 0;
}

/* memcpy as a byte loop (gcc compiles it to a memmove call): keeps the proof free of
 * the char casts of memcpy's own contract. */
/*@ requires \valid(d + (0 .. n - 1)) && \valid_read(s + (0 .. n - 1));
    requires \separated(d + (0 .. n - 1), s + (0 .. n - 1));
    allocates \nothing;
    assigns d[0 .. n - 1];
*/
static void copy_bytes(uint8_t *restrict d, const uint8_t *restrict s, uint64_t n)
{
    /*@ loop invariant 0 <= i <= n;
        loop assigns i, d[0 .. n - 1];
        loop variant n - i;
    */
    for (uint64_t i = 0; i < n; i++)
        d[i] = s[i];
}

/*
 * Visit [gva, gva+len) page by page; copy the bytes into @dst, or from @src into
 * the guest, when one of them is set (never both).
 */
/*@ requires gmem_ok(m);
    requires dst == \null || src == \null;
    requires dst != \null ==> \valid(dst + (0 .. len - 1)) && gmem_sep(m, dst, len);
    requires src != \null ==> \valid_read(src + (0 .. len - 1)) &&
                              gmem_sep(m, (uint8_t *)src, len);
    allocates \nothing;
    assigns dst[0 .. (dst != \null ? len - 1 : -1)];
    assigns m->ram[0 .. (src != \null ? m->ram_bytes - 1 : -1)];
    assigns m->iowin[0 .. (src != \null && m->iowin != \null ? m->iowin_bytes - 1 : -1)];
    ensures result: \result == 0 || \result == -XENIA_EFAULT;
    ensures bounded: \result == 0 && len != 0 ==> len <= GMEM_MAX_COPY && gva + len <= USER_TOP;
    ensures sound: \result == 0 ==>
      \forall integer a; gva <= a < gva + len ==> gmem_translates(m, a, access);
    ensures complete: (len == 0 || (len <= GMEM_MAX_COPY && gva + len <= USER_TOP &&
      \forall integer a; gva <= a < gva + len ==> gmem_translates(m, a, access))) ==>
      \result == 0;
*/
static int walk_range(const struct gmem *m, uint64_t gva, uint64_t len, unsigned access,
                      uint8_t *dst, const uint8_t *src)
{
    uint64_t done = 0;

    if (len == 0)
        return 0;
    if (len > GMEM_MAX_COPY || gva + len < gva || gva + len > USER_TOP)
        return -XENIA_EFAULT;
    /*@ assert no_wrap: gva + len <= USER_TOP; */
    /*@ loop invariant 0 <= done <= len;
        loop invariant \forall integer a; gva <= a < gva + done ==> gmem_translates(m, a, access);
        loop assigns done;
        loop assigns dst[0 .. (dst != \null ? len - 1 : -1)];
        loop assigns m->ram[0 .. (src != \null ? m->ram_bytes - 1 : -1)];
        loop assigns m->iowin[0 .. (src != \null && m->iowin != \null ? m->iowin_bytes - 1 : -1)];
        loop variant len - done;
    */
    while (done < len) {
        uint8_t *host;
        uint64_t avail, n;

        if (gmem_translate(m, gva + done, access, &host, &avail) < 0)
            return -XENIA_EFAULT;
        n = len - done < avail ? len - done : avail;
        if (dst != NULL)
            copy_bytes(dst + done, host, n);
        else if (src != NULL)
            copy_bytes(host, src + done, n);
        done += n;
    }
    return 0;
}

/*@ requires gmem_ok(m);
    allocates \nothing;
    assigns \nothing;
    ensures result: \result == 0 || \result == -XENIA_EFAULT;
    ensures no_wrap: \result == 0 ==> gva + len <= 18446744073709551616;
    ensures checked: \result == 0 <==>
      (len == 0 || (len <= GMEM_MAX_COPY && gva + len <= USER_TOP &&
       \forall integer a; gva <= a < gva + len ==> gmem_translates(m, a, access)));
*/
int gmem_check_range(const struct gmem *m, uint64_t gva, uint64_t len, unsigned access)
{
    return walk_range(m, gva, len, access, NULL, NULL);
}

/*@ requires gmem_ok(m);
    requires \valid((uint8_t *)dst + (0 .. len - 1)) && gmem_sep(m, (uint8_t *)dst, len);
    allocates \nothing;
    assigns ((uint8_t *)dst)[0 .. len - 1];
    ensures result: \result == 0 || \result == -XENIA_EFAULT;
    ensures no_wrap: \result == 0 ==> gva + len <= 18446744073709551616;
    ensures checked: \result == 0 <==>
      (len == 0 || (len <= GMEM_MAX_COPY && gva + len <= USER_TOP &&
       \forall integer a; gva <= a < gva + len ==> gmem_translates(m, a, GMEM_USER)));
*/
int gmem_copy_from(const struct gmem *m, void *dst, uint64_t gva, uint64_t len)
{
    return walk_range(m, gva, len, GMEM_USER, dst, NULL);
}

/*@ requires gmem_ok(m);
    requires \valid_read((uint8_t *)src + (0 .. len - 1)) && gmem_sep(m, (uint8_t *)src, len);
    allocates \nothing;
    assigns m->ram[0 .. m->ram_bytes - 1];
    assigns m->iowin[0 .. (m->iowin != \null ? m->iowin_bytes - 1 : -1)];
    ensures result: \result == 0 || \result == -XENIA_EFAULT;
    ensures no_wrap: \result == 0 ==> gva + len <= 18446744073709551616;
    ensures checked: \result == 0 <==>
      (len == 0 || (len <= GMEM_MAX_COPY && gva + len <= USER_TOP &&
       \forall integer a; gva <= a < gva + len ==> gmem_translates(m, a, GMEM_USER | GMEM_WRITE)));
*/
int gmem_copy_to(const struct gmem *m, uint64_t gva, const void *src, uint64_t len)
{
    int rc = walk_range(m, gva, len, GMEM_USER | GMEM_WRITE, NULL, NULL);

    if (rc < 0)
        return rc;
    return walk_range(m, gva, len, GMEM_USER | GMEM_WRITE, NULL, src);
}

/*@ requires gmem_ok(m);
    requires \valid((uint8_t *)dst + (0 .. len - 1)) && gmem_sep(m, (uint8_t *)dst, len);
    allocates \nothing;
    assigns ((uint8_t *)dst)[0 .. len - 1];
    ensures result: \result == 0 || \result == -XENIA_EFAULT;
    ensures no_wrap: \result == 0 ==> gva + len <= 18446744073709551616;
    ensures checked: \result == 0 <==>
      (len == 0 || (len <= GMEM_MAX_COPY && gva + len <= USER_TOP &&
       \forall integer a; gva <= a < gva + len ==> gmem_translates(m, a, 0)));
*/
int gmem_read_super(const struct gmem *m, void *dst, uint64_t gva, uint64_t len)
{
    return walk_range(m, gva, len, 0, dst, NULL);
}
