/* SPDX-License-Identifier: MIT */
/*
 * Guest memory access for hv: translate a guest virtual range through the
 * domain's own 4-level page tables and copy to or from it. Pure C, no system
 * calls (unit tested, fuzzed and proved alone).
 */
#ifndef HV_GUESTMEM_H
#define HV_GUESTMEM_H

#include <stddef.h>
#include <stdint.h>

/* A domain's memory as hv sees it: RAM at GPA 0 and an optional I/O window. */
struct gmem {
    uint8_t *ram;            /* host mapping of guest RAM, ram_bytes long */
    uint64_t ram_bytes;      /* page multiple */
    uint8_t *iowin;          /* host mapping of the I/O window or NULL */
    uint64_t iowin_gpa;      /* page aligned */
    uint64_t iowin_bytes;    /* page multiple */
    uint64_t cr3;            /* PML4 GPA (page aligned, inside RAM) */
};

#define GMEM_USER  0x1u      /* access on behalf of CPL3: every level needs U/S=1 */
#define GMEM_WRITE 0x2u      /* every level needs R/W=1 */

#define GMEM_MAX_COPY (1u << 20)  /* largest single copy hv makes (bytes) */

/*
 * gmem_translate - walk the guest page tables for one address.
 * @m: domain memory; @gva: guest virtual address; @access: GMEM_USER|GMEM_WRITE.
 * On success stores the host pointer for @gva in *@host and the number of bytes
 * that stay contiguous from there to the end of the mapping page in *@avail
 * (1 .. 4096, or up to 2 MiB / 1 GiB for large pages, clipped to the backing
 * region). Returns 0, or -XENIA_EFAULT if the address is non-canonical or in the
 * upper half, a level is not present, lacks U/S or R/W as requested, a table
 * lies outside RAM, a reserved large-page bit is set, or the final GPA is not
 * backed by RAM or the I/O window. The walk visits at most 4 entries.
 * Source: Intel SDM Vol. 3A §4.5 (4-level paging), Table 4-14..4-20.
 */
int gmem_translate(const struct gmem *m, uint64_t gva, unsigned access,
                   uint8_t **host, uint64_t *avail);

/*
 * gmem_check_range - check that [gva, gva+len) is mapped with @access.
 * len may be 0 (always succeeds). Returns 0, or -XENIA_EFAULT if the range
 * wraps, exceeds GMEM_MAX_COPY, or any page fails gmem_translate.
 * Walks at most len/4096 + 2 pages.
 */
int gmem_check_range(const struct gmem *m, uint64_t gva, uint64_t len, unsigned access);

/*
 * gmem_copy_from - copy @len bytes of guest memory at @gva (user-readable)
 * into @dst. Returns 0 or -XENIA_EFAULT (then @dst content is unspecified).
 */
int gmem_copy_from(const struct gmem *m, void *dst, uint64_t gva, uint64_t len);

/*
 * gmem_copy_to - copy @len bytes from @src to guest memory at @gva, which must
 * be user-writable over its whole length; the range is checked in full before
 * the first byte is written. Returns 0 or -XENIA_EFAULT (nothing written).
 */
int gmem_copy_to(const struct gmem *m, uint64_t gva, const void *src, uint64_t len);

/*
 * gmem_read_super - like gmem_copy_from but for hv's own reads of
 * supervisor-only memory (e.g. the exception frame on the CPL0 stack):
 * U/S is not required. Returns 0 or -XENIA_EFAULT.
 */
int gmem_read_super(const struct gmem *m, void *dst, uint64_t gva, uint64_t len);

#endif /* HV_GUESTMEM_H */
