/* SPDX-License-Identifier: MIT */
/* Guest page-table walks and bounded copies. See guestmem.h. */
#include "guestmem.h"

#include <string.h>

#include <xenia/abi.h>

#define PTE_P    0x1ull
#define PTE_RW   0x2ull
#define PTE_US   0x4ull
#define PTE_PS   0x80ull
#define PTE_ADDR 0x000ffffffffff000ull
#define USER_TOP 0x0000800000000000ull  /* first non-canonical / upper-half address */

/* Host pointer for guest-physical [gpa, gpa+1) and bytes available up to @limit. */
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

/* Read the 8-byte entry @idx of the table at @table_gpa; tables live in RAM only. */
static int read_entry(const struct gmem *m, uint64_t table_gpa, unsigned idx, uint64_t *out)
{
    uint64_t off = table_gpa + (uint64_t)idx * 8u;

    if (table_gpa >= m->ram_bytes || m->ram_bytes - table_gpa < XENIA_PAGE_SIZE)
        return -XENIA_EFAULT;
    memcpy(out, m->ram + off, sizeof(*out));
    return 0;
}

int gmem_translate(const struct gmem *m, uint64_t gva, unsigned access,
                   uint8_t **host, uint64_t *avail)
{
    uint64_t table = m->cr3 & PTE_ADDR;
    uint64_t need = PTE_P;
    uint64_t e = 0, gpa, page_bytes = 0, region;
    uint8_t *p;

    if (gva >= USER_TOP)
        return -XENIA_EFAULT;
    if (access & GMEM_USER)
        need |= PTE_US;
    if (access & GMEM_WRITE)
        need |= PTE_RW;

    for (int level = 4; level >= 1; level--) {
        unsigned shift = 12u + 9u * (unsigned)(level - 1);
        unsigned idx = (unsigned)((gva >> shift) & 511u);

        if (read_entry(m, table, idx, &e) < 0)
            return -XENIA_EFAULT;
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
    p = gpa_to_host(m, gpa, &region);
    if (p == NULL)
        return -XENIA_EFAULT;
    *avail = page_bytes - (gva & (page_bytes - 1));
    if (*avail > region)
        *avail = region;
    *host = p;
    return 0;
}

/* Visit [gva, gva+len) page by page; copy in direction @dir if @buf is set. */
enum { DIR_NONE, DIR_FROM, DIR_TO };

static int walk_range(const struct gmem *m, uint64_t gva, uint64_t len, unsigned access,
                      int dir, uint8_t *buf)
{
    uint64_t done = 0;

    if (len == 0)
        return 0;
    if (len > GMEM_MAX_COPY || gva + len < gva || gva + len > USER_TOP)
        return -XENIA_EFAULT;
    while (done < len) {
        uint8_t *host;
        uint64_t avail, n;

        if (gmem_translate(m, gva + done, access, &host, &avail) < 0)
            return -XENIA_EFAULT;
        n = len - done < avail ? len - done : avail;
        if (dir == DIR_FROM)
            memcpy(buf + done, host, n);
        else if (dir == DIR_TO)
            memcpy(host, buf + done, n);
        done += n;
    }
    return 0;
}

int gmem_check_range(const struct gmem *m, uint64_t gva, uint64_t len, unsigned access)
{
    return walk_range(m, gva, len, access, DIR_NONE, NULL);
}

int gmem_copy_from(const struct gmem *m, void *dst, uint64_t gva, uint64_t len)
{
    return walk_range(m, gva, len, GMEM_USER, DIR_FROM, dst);
}

int gmem_copy_to(const struct gmem *m, uint64_t gva, const void *src, uint64_t len)
{
    int rc = walk_range(m, gva, len, GMEM_USER | GMEM_WRITE, DIR_NONE, NULL);

    if (rc < 0)
        return rc;
    return walk_range(m, gva, len, GMEM_USER | GMEM_WRITE, DIR_TO, (uint8_t *)(uintptr_t)src);
}

int gmem_read_super(const struct gmem *m, void *dst, uint64_t gva, uint64_t len)
{
    return walk_range(m, gva, len, 0, DIR_FROM, dst);
}
