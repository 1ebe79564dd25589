/* SPDX-License-Identifier: MIT */
/*
 * Xenia hypercall ABI (x86-64 PV).
 *
 * Calling convention (see layout.h): rax = hypercall number, arguments in
 * rdi, rsi, rdx, r10, r8; `outb %al, $XENIA_HCALL_PORT`; result in rax:
 * >= 0 on success, -XENIA_Exxx on error. All other registers are preserved.
 * Numbers follow Xen's public/xen.h where Xen has the same operation.
 *
 * Every argument is validated before any state changes (decode, then invoke):
 *  - a command or flag word with bits set outside the defined ones -> -XENIA_EINVAL;
 *  - a structure with non-zero pad fields -> -XENIA_EINVAL;
 *  - a guest buffer is given as (address, length); the whole range must be
 *    mapped user-accessible in the guest's page tables (writable when hv writes
 *    to it) and must not wrap -> otherwise -XENIA_EFAULT;
 *  - an unknown hypercall number -> -XENIA_ENOSYS.
 */
#ifndef XENIA_HYPERCALL_H
#define XENIA_HYPERCALL_H

#include "abi.h"

#define XENIA_HC_memory_op        12
#define XENIA_HC_xen_version      17
#define XENIA_HC_console_io       18
#define XENIA_HC_sched_op         29
#define XENIA_HC_event_channel_op 32   /* stub domains issue */
#define XENIA_HC_grant_table_op   20   /* stub domains issue */
#define XENIA_HC_attest_op        48   /* attestation issue */
#define XENIA_HC_MAX              64   /* numbers >= this are -ENOSYS without lookup */

/* ------------------------------------------------------------------------- */
/* console_io(cmd, count, buffer)                                            */
/*   CONSOLEIO_write: IN buffer[0..count) -> domain console; returns count.  */
/*   CONSOLEIO_read:  OUT up to count bytes of console input into buffer;    */
/*                    returns bytes read (0 when no input is pending).       */
/*   count > XENIA_CONSOLEIO_MAX -> -EINVAL; bad buffer -> -EFAULT.          */
/* ------------------------------------------------------------------------- */
#define XENIA_CONSOLEIO_write 0
#define XENIA_CONSOLEIO_read  1
#define XENIA_CONSOLEIO_MAX   4096u

/* ------------------------------------------------------------------------- */
/* sched_op(cmd, arg)                                                        */
/*   SCHEDOP_yield:    arg must be 0; gives up the CPU; returns 0.           */
/*   SCHEDOP_block:    arg -> struct xenia_sched_block (IN). Returns 0 as    */
/*                     soon as an unmasked event is pending (immediately if  */
/*                     one already is), -ETIME when the deadline passes.     */
/*   SCHEDOP_shutdown: arg -> struct xenia_sched_shutdown (IN); does not     */
/*                     return on success.                                    */
/* ------------------------------------------------------------------------- */
#define XENIA_SCHEDOP_yield    0
#define XENIA_SCHEDOP_block    1
#define XENIA_SCHEDOP_shutdown 2

#define XENIA_SHUTDOWN_poweroff 0   /* clean exit */
#define XENIA_SHUTDOWN_reboot   1   /* restart requested */
#define XENIA_SHUTDOWN_crash    3   /* guest declares itself crashed */
/* Reasons hv assigns itself (never accepted from a guest): */
#define XENIA_SHUTDOWN_fault    16  /* unhandled exception, triple fault, bad I/O */
#define XENIA_SHUTDOWN_destroyed 17 /* destroyed by the toolstack while running */

struct xenia_sched_block {
    uint64_t deadline_ns;  /* IN: absolute system time (shared page clock); 0 = none */
    uint32_t flags;        /* IN: must be 0 */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_sched_block) == 16, "sched_block size");

struct xenia_sched_shutdown {
    uint32_t reason;       /* IN: XENIA_SHUTDOWN_poweroff, _reboot or _crash */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_sched_shutdown) == 8, "sched_shutdown size");

/* ------------------------------------------------------------------------- */
/* xen_version(cmd, arg)                                                     */
/*   XENVER_version:      arg must be 0; returns XENIA_INTERFACE_VERSION.    */
/*   XENVER_extraversion: arg -> struct xenia_version_extra (OUT); 0.        */
/*   XENVER_domid:        arg must be 0; returns the caller's domid.         */
/* ------------------------------------------------------------------------- */
#define XENIA_XENVER_version      0
#define XENIA_XENVER_extraversion 1
#define XENIA_XENVER_domid        2

struct xenia_version_extra {
    char extraversion[16]; /* OUT: NUL-terminated, e.g. "-xenia" */
    char build_id[48];     /* OUT: NUL-terminated build identifier */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_version_extra) == 64, "version_extra size");

/* ------------------------------------------------------------------------- */
/* memory_op(cmd, arg)                                                       */
/*   XENMEM_memory_map: arg -> struct xenia_memory_map (IN/OUT). On entry    */
/*       nr_entries is the capacity of the array at `buffer`; on return it   */
/*       is the number of regions written (at most the capacity). If the     */
/*       capacity is too small, the first nr_entries regions are written and */
/*       -E2BIG is returned with nr_entries set to the number needed.        */
/*       Capacity > XENIA_MEMMAP_MAX -> -EINVAL.                             */
/*   XENMEM_current_reservation: arg must be 0; returns RAM size in pages.   */
/* ------------------------------------------------------------------------- */
#define XENIA_XENMEM_memory_map          0
#define XENIA_XENMEM_current_reservation 1
#define XENIA_MEMMAP_MAX 16u

#define XENIA_MEMTYPE_RAM        1  /* guest RAM usable by the guest (image, heap, stack) */
#define XENIA_MEMTYPE_START_INFO 2  /* start-info page, read-only */
#define XENIA_MEMTYPE_SHARED     3  /* shared page */
#define XENIA_MEMTYPE_RESERVED   4  /* builder area: not accessible to the guest */
#define XENIA_MEMTYPE_IOWIN      5  /* I/O window (rings, I/O buffers) */

struct xenia_mem_region {
    uint64_t gpa;          /* OUT: start, page aligned */
    uint64_t bytes;        /* OUT: length, page multiple */
    uint32_t type;         /* OUT: XENIA_MEMTYPE_* */
    uint32_t pad;          /* OUT: 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_mem_region) == 24, "mem_region size");

struct xenia_memory_map {
    uint32_t nr_entries;   /* IN: capacity; OUT: regions written or needed */
    uint32_t pad;          /* must be 0 */
    uint64_t buffer;       /* IN: guest address of struct xenia_mem_region[nr_entries] */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_memory_map) == 16, "memory_map size");

#endif /* XENIA_HYPERCALL_H */
