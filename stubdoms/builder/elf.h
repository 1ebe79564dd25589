/* SPDX-License-Identifier: MIT */
/*
 * Domain builder: validation of a static ELF64 x86-64 guest image.
 *
 * Pure code: no system calls, no allocation. The image is an untrusted byte
 * buffer (it comes from a tenant); every read is bounds checked and every
 * address computation is overflow checked before it is used.
 */
#ifndef XENIA_BUILDER_ELF_H
#define XENIA_BUILDER_ELF_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/builder.h>

/* Segment permission bits (the ELF p_flags values, ELF-64 v1.5 §5 Table 17). */
#define XB_SEG_X 0x1u
#define XB_SEG_W 0x2u
#define XB_SEG_R 0x4u

/* One PT_LOAD segment that passed validation (memsz > 0). */
struct xb_segment {
    uint64_t vaddr;    /* first guest address of the segment (VA == GPA) */
    uint64_t memsz;    /* bytes in memory, > 0 */
    uint64_t offset;   /* file offset of the initialised part */
    uint64_t filesz;   /* initialised bytes, <= memsz; the rest is bss */
    uint32_t flags;    /* XB_SEG_* */
    uint32_t index;    /* index in the program header table (for messages) */
};

/* Result of a successful validation. */
struct xb_image {
    uint64_t entry;    /* e_entry, inside an executable segment */
    uint64_t start;    /* lowest segment address, rounded down to a page */
    uint64_t end;      /* highest segment end, rounded up to a page */
    uint32_t nr_segs;  /* number of entries in segs[] (>= 1) */
    uint32_t pad;
    struct xb_segment segs[XENIA_IMAGE_MAX_PHDRS];
};

/*
 * Lowest address above the image that must stay free: the stack guard page.
 * Segments must end at or below this address for a domain of ram_bytes bytes
 * (layout.h: stack of XENIA_GUEST_STACK_BYTES at the top of RAM, one unmapped
 * guard page below it). Returns 0 when ram_bytes is too small for any image.
 */
uint64_t xb_image_limit(uint64_t ram_bytes);

/*
 * Validate `len` bytes at `img` as a static ELF64 little-endian x86-64 ET_EXEC
 * image for a domain of `ram_bytes` bytes of RAM, and describe its loadable
 * segments in *out.
 *
 * Checks (ELF-64 Object File Format v1.5 §3 "ELF header", §5 "Program header
 * table"; System V ABI AMD64 supplement §5.2): e_ident magic, ELFCLASS64,
 * ELFDATA2LSB, EV_CURRENT, e_type == ET_EXEC, e_machine == EM_X86_64,
 * e_version == EV_CURRENT, e_phentsize == 56, 1 <= e_phnum <=
 * XENIA_IMAGE_MAX_PHDRS, the program header table inside the file; no
 * PT_INTERP, PT_DYNAMIC or PT_TLS; for every PT_LOAD with p_memsz > 0:
 * p_filesz <= p_memsz, [p_offset, p_offset + p_filesz) inside the file,
 * [p_vaddr, p_vaddr + p_memsz) not wrapping, its page-rounded range inside
 * [XENIA_IMAGE_BASE_MIN, xb_image_limit(ram_bytes)), not writable and
 * executable at once (W^X), and not sharing a page with another segment;
 * at least one PT_LOAD; e_entry inside an executable PT_LOAD.
 * p_paddr is ignored: the guest is identity mapped, p_vaddr is the address.
 *
 * Returns 0, or -XENIA_ENOEXEC with a NUL-terminated reason naming the
 * offending field in err[0..errlen) (errlen may be 0). *out is only
 * meaningful on success.
 */
int xb_elf_check(const uint8_t *img, size_t len, uint64_t ram_bytes,
                 struct xb_image *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif /* XENIA_BUILDER_ELF_H */
