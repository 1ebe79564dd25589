/* SPDX-License-Identifier: MIT */
/*
 * IPC between xenia-hv and the domain builder stub domain (xenia-builder).
 *
 * hv starts the builder (fork + exec) for each build with exactly three fds:
 *   XENIA_BUILDER_FD_RAM   the new domain's private RAM memfd (ram_bytes long, newly
 *                          created and therefore all zero; size-sealed)
 *   XENIA_BUILDER_FD_IMAGE the guest image, read-only
 *   XENIA_BUILDER_FD_IPC   an AF_UNIX SOCK_SEQPACKET socket to hv
 * hv sends one struct xenia_build_req; the builder validates and loads the
 * static ELF64 image, writes the start-info page, GDT, IDT, TSS, exception
 * stubs and page tables, replies with one struct xenia_build_resp and exits.
 * hv treats the reply as untrusted: it checks sizes, version, padding and that
 * every address lies inside the domain's RAM before using it.
 */
#ifndef XENIA_BUILDER_H
#define XENIA_BUILDER_H

#include "abi.h"
#include "start_info.h"

#define XENIA_BUILDER_FD_RAM   3
#define XENIA_BUILDER_FD_IMAGE 4
#define XENIA_BUILDER_FD_IPC   5

#define XENIA_BUILD_MAGIC   0x444c4258u  /* "XBLD" */
#define XENIA_BUILD_VERSION 1u
#define XENIA_IMAGE_MAX_BYTES (256u << 20)   /* largest image file accepted */
#define XENIA_IMAGE_MAX_PHDRS 64u

struct xenia_build_req {
    uint32_t magic;                     /* XENIA_BUILD_MAGIC */
    uint32_t version;                   /* XENIA_BUILD_VERSION */
    uint32_t domid;
    uint32_t vcpus;
    uint64_t ram_bytes;                 /* size of the RAM memfd */
    uint64_t iowin_gpa;                 /* where hv maps the I/O window */
    uint64_t iowin_bytes;
    uint32_t console_port;
    uint32_t control_port;
    uint32_t pad[4];                    /* 0 */
    char     cmdline[XENIA_CMDLINE_MAX];/* NUL-terminated */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_build_req) == 64 + XENIA_CMDLINE_MAX, "build_req size");

struct xenia_build_resp {
    uint32_t magic;                     /* XENIA_BUILD_MAGIC */
    uint32_t version;                   /* XENIA_BUILD_VERSION */
    int32_t  status;                    /* 0 or -XENIA_Exxx */
    uint32_t pad0;                      /* 0 */
    char     errmsg[192];               /* NUL-terminated reason when status < 0 */
    /* Entry state (valid when status == 0). Selectors are fixed by layout.h. */
    uint64_t rip;                       /* ELF entry point */
    uint64_t rsp;                       /* initial stack pointer */
    uint64_t rdi;                       /* start-info GPA */
    uint64_t cr3;                       /* PML4 GPA */
    uint64_t gdt_base;
    uint64_t idt_base;
    uint64_t tss_base;
    uint16_t gdt_limit;
    uint16_t idt_limit;
    uint16_t tss_limit;
    uint16_t pad1;                      /* 0 */
    uint64_t pad2;                      /* 0 (64 bits: no implicit padding before image_start) */
    uint64_t image_start;               /* loaded image range, for logs and memory_map */
    uint64_t image_end;
    uint64_t reserved_end;              /* end of builder area (page tables etc.) */
    uint64_t pad3[4];                   /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_build_resp) == 16 + 192 + 56 + 8 + 8 + 24 + 32, "build_resp size");

#endif /* XENIA_BUILDER_H */
