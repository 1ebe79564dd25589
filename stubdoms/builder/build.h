/* SPDX-License-Identifier: MIT */
/*
 * Domain builder: lays out a new PV domain's memory (pure, no system calls).
 *
 * Builder area (layout.h: GPA 0x3000 .. 0x200000, supervisor only):
 *   0x3000  GDT (XENIA_GDT_ENTRIES descriptors) and, at +0x80, the 64-bit TSS
 *           with an I/O bit map that lets CPL3 use only XENIA_HCALL_PORT      [RO, NX]
 *   0x4000  IDT: 32 interrupt gates (vectors 0..31)                            [RO, NX]
 *   0x5000  exception stubs, XB_STUB_BYTES each                                [RO, X ]
 *   0x6000  unmapped guard page below the exception stack
 *   0x7000  exception stack page; TSS.RSP0 = 0x8000                            [RW, NX]
 *   0x8000  page-table pool up to 0x200000 (not mapped at all: the MMU walks
 *           tables by physical address)
 */
#ifndef XENIA_BUILDER_BUILD_H
#define XENIA_BUILDER_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/builder.h>
#include <xenia/layout.h>

#define XB_GDT_GPA        0x3000ull
#define XB_TSS_GPA        0x3080ull
#define XB_IDT_GPA        0x4000ull
#define XB_STUBS_GPA      0x5000ull
#define XB_STUB_BYTES     8u
#define XB_EXC_GUARD_GPA  0x6000ull
#define XB_EXC_STACK_GPA  0x7000ull
#define XB_EXC_STACK_TOP  0x8000ull
#define XB_PT_POOL_GPA    0x8000ull
#define XB_PT_POOL_END    0x200000ull

#define XB_GDT_LIMIT (XENIA_GDT_ENTRIES * 8u - 1u)
#define XB_IDT_LIMIT (XENIA_EXC_VECTORS * 16u - 1u)
/* 64-bit TSS with an I/O permission bit map (layout.h XENIA_TSS_*). */
#define XB_TSS_IOMAP       XENIA_TSS_IOBITMAP_OFFSET
#define XB_TSS_IOMAP_BYTES XENIA_TSS_IOBITMAP_BYTES
#define XB_TSS_LIMIT       XENIA_TSS_LIMIT

/* Page-table entry bits (Intel SDM Vol.3A §4.5, Tables 4-15 .. 4-20). */
#define XB_PTE_P   (1ull << 0)
#define XB_PTE_RW  (1ull << 1)
#define XB_PTE_US  (1ull << 2)
#define XB_PTE_A   (1ull << 5)
#define XB_PTE_D   (1ull << 6)
#define XB_PTE_PS  (1ull << 7)
#define XB_PTE_NX  (1ull << 63)
#define XB_PTE_ADDR 0x000ffffffffff000ull

/*
 * Check a build request received from hv (builder.h): magic, version, zero
 * padding, NUL-terminated command line, vcpus == 1, ram_bytes a page multiple
 * in [XENIA_MEM_MIN_MIB, XENIA_MEM_MAX_MIB] MiB, and an I/O window that is
 * either empty or page aligned, above RAM and below 2^47 (canonical lower
 * half) without wrapping, and clear of the grant-map area (hypercall.h
 * XENIA_GNTMAP_GPA, XENIA_GNTMAP_PAGES). Returns 0, -XENIA_EPROTO (magic/version) or
 * -XENIA_EINVAL, with a reason in err[0..errlen).
 */
int xb_req_check(const struct xenia_build_req *req, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Build a domain: validate `image` (image_bytes long, see xb_elf_check), then
 * write into `ram` (ram_bytes long, the domain's RAM with ram[0] at GPA 0,
 * 8-byte aligned; ram_bytes must equal req->ram_bytes) the zeroed low pages,
 * the start-info page (start_info.h), GDT, TSS, IDT, exception stubs, the
 * image's PT_LOAD segments (bss zeroed) and 4-level identity page tables
 * (Intel SDM Vol.3A §4.5) with:
 *   page 0, the guard pages and everything not listed: not present;
 *   start-info page: user, read-only, NX;  shared page: user, RW, NX;
 *   GDT/TSS/IDT pages: supervisor, RO, NX;  stubs: supervisor, RO, executable;
 *   exception stack: supervisor, RW, NX;  page tables: not mapped;
 *   image segments: user, from p_flags (R, W, X; NX unless X), 4 KiB pages;
 *   heap [image end, guard) and stack: user, RW, NX;  I/O window: user, RW, NX;
 *   2 MiB pages wherever alignment allows outside the first 2 MiB and the image.
 * The shared page and the RAM above the image are not written (the memfd is
 * fresh, hence zero); hv initialises the shared page.
 *
 * Always fills *resp completely (zeroed, magic, version, status); on success
 * the entry state, on failure a NUL-terminated errmsg. Returns resp->status:
 * 0, or -XENIA_EPROTO / -XENIA_EINVAL (request), -XENIA_ENOEXEC (image),
 * -XENIA_ENOMEM (page tables do not fit below XB_PT_POOL_END).
 */
int xb_build(uint8_t *ram, uint64_t ram_bytes, const uint8_t *image, size_t image_bytes,
             const struct xenia_build_req *req, struct xenia_build_resp *resp);

#endif /* XENIA_BUILDER_BUILD_H */
