/* SPDX-License-Identifier: MIT */
/*
 * Start-info page: written by the domain builder at XENIA_START_INFO_GPA before
 * the domain's first instruction, read-only to the guest afterwards. The guest
 * receives its address in rdi at entry (cf. Xen public/xen.h start_info_t, which
 * arrives in rsi).
 */
#ifndef XENIA_START_INFO_H
#define XENIA_START_INFO_H

#include "abi.h"

#define XENIA_START_INFO_MAGIC   "xenia-0.1-x86_64"  /* 16 bytes, no NUL */
#define XENIA_START_INFO_VERSION 1u
#define XENIA_CMDLINE_MAX        1024u

/* Fixed event channel ports every domain has from boot. */
#define XENIA_PORT_CONSOLE 1u   /* console input is pending (CONSOLEIO_read) */
#define XENIA_PORT_CONTROL 2u   /* the toolstack requests a shutdown (shared page) */
#define XENIA_PORT_CONS_RING 3u  /* console ring in the I/O window (io.h), served by the dm */
#define XENIA_PORT_BLK     4u   /* block ring in the I/O window (io.h), served by the dm */
#define XENIA_PORT_FIRST_DYNAMIC 8u

struct xenia_start_info {
    char     magic[16];        /* XENIA_START_INFO_MAGIC */
    uint32_t version;          /* XENIA_START_INFO_VERSION */
    uint32_t domid;            /* this domain's id */
    uint64_t ram_bytes;        /* size of guest RAM (GPA 0 .. ram_bytes) */
    uint64_t shared_page;      /* GPA of struct xenia_shared_page */
    uint64_t image_start;      /* lowest GPA of the loaded image */
    uint64_t image_end;        /* first GPA after the loaded image (page aligned) */
    uint64_t heap_start;       /* free RAM for the guest allocator: [heap_start, heap_end) */
    uint64_t heap_end;
    uint64_t stack_top;        /* initial rsp (16-byte aligned) */
    uint64_t stack_bytes;      /* stack size below stack_top */
    uint64_t iowin_gpa;        /* I/O window GPA (0 if none) */
    uint64_t iowin_bytes;      /* I/O window size */
    uint32_t console_port;     /* XENIA_PORT_CONSOLE */
    uint32_t control_port;     /* XENIA_PORT_CONTROL */
    uint32_t nr_vcpus;         /* vCPUs (1 for now; the ABI leaves room for more) */
    uint32_t flags;            /* reserved, 0 */
    uint32_t cons_ring_port;   /* XENIA_PORT_CONS_RING */
    uint32_t blk_port;         /* XENIA_PORT_BLK */
    uint64_t pad[7];           /* 0 */
    char     cmdline[XENIA_CMDLINE_MAX]; /* NUL-terminated command line */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_start_info) == 1208, "start_info size");

#endif /* XENIA_START_INFO_H */
