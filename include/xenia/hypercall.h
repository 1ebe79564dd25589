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
#define XENIA_MEMTYPE_GNTMAP     6  /* grant-map area: granted frames appear here */

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

/* ------------------------------------------------------------------------- */
/* event_channel_op(cmd, arg): Xen public/event_channel.h, same numbers.     */
/* arg -> the command's struct (IN/OUT). Ports are per domain,               */
/* 1 .. XENIA_EVTCHN_PORTS-1; ports 1..7 are fixed (start_info.h).           */
/*   EVTCHNOP_alloc_unbound: a new port that remote_dom may bind;           */
/*       dom must be DOMID_SELF. -ENOSPC when no port is free, -ESRCH when   */
/*       remote_dom does not exist or is not visible.                        */
/*   EVTCHNOP_bind_interdomain: connect a new local port to remote_port of   */
/*       remote_dom, which must be unbound and allocated for us (-EINVAL).   */
/*   EVTCHNOP_send: raise the peer's port (pending bit in its shared page,   */
/*       wakes a blocked vCPU). -ENOTCONN when the port is unbound.          */
/*   EVTCHNOP_status: state of one of our ports (dom must be DOMID_SELF).    */
/*   EVTCHNOP_close: free a dynamic port; an interdomain peer's port goes    */
/*       back to unbound (as in Xen). Fixed ports: -EINVAL.                  */
/* Every operation that names another domain is checked by XSM (class       */
/* event): -EACCES when denied; nothing has changed then.                    */
/* ------------------------------------------------------------------------- */
#define XENIA_EVTCHNOP_bind_interdomain 0
#define XENIA_EVTCHNOP_close            3
#define XENIA_EVTCHNOP_send             4
#define XENIA_EVTCHNOP_status           5
#define XENIA_EVTCHNOP_alloc_unbound    6

#define XENIA_DOMID_SELF 0x7ff0u         /* Xen DOMID_SELF */
#define XENIA_EVTCHN_PORTS 256u          /* ports per domain (<= XENIA_NR_EVENT_PORTS) */

struct xenia_evtchn_alloc_unbound {
    uint32_t dom;          /* IN: XENIA_DOMID_SELF */
    uint32_t remote_dom;   /* IN: the domain that may bind */
    uint32_t port;         /* OUT */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_evtchn_alloc_unbound) == 16, "evtchn_alloc_unbound size");

struct xenia_evtchn_bind_interdomain {
    uint32_t remote_dom;   /* IN */
    uint32_t remote_port;  /* IN */
    uint32_t local_port;   /* OUT */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_evtchn_bind_interdomain) == 16, "evtchn_bind size");

struct xenia_evtchn_port {  /* EVTCHNOP_send, EVTCHNOP_close */
    uint32_t port;         /* IN */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_evtchn_port) == 8, "evtchn_port size");

#define XENIA_EVTCHNSTAT_closed      0   /* free */
#define XENIA_EVTCHNSTAT_unbound     1   /* waiting for remote_dom to bind */
#define XENIA_EVTCHNSTAT_interdomain 2   /* connected to (dom, port) */
#define XENIA_EVTCHNSTAT_virq        4   /* fixed port raised by hv (console, control) */
#define XENIA_EVTCHNSTAT_stubdom     8   /* served by the domain's device model */

struct xenia_evtchn_status {
    uint32_t dom;          /* IN: XENIA_DOMID_SELF */
    uint32_t port;         /* IN */
    uint32_t status;       /* OUT: XENIA_EVTCHNSTAT_* */
    uint32_t remote_dom;   /* OUT: unbound / interdomain */
    uint32_t remote_port;  /* OUT: interdomain */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_evtchn_status) == 24, "evtchn_status size");

/* ------------------------------------------------------------------------- */
/* grant_table_op(cmd, arg, count): Xen public/grant_table.h (v1 entries),   */
/* same command numbers; count must be 1.                                    */
/* A domain's grant table is XENIA_GNTTAB_FRAMES page(s) of its own RAM that */
/* it names with GNTTABOP_setup_table; entry ref is struct xenia_grant_entry */
/* number ref. The granter fills domid and frame, then sets flags =          */
/* GTF_permit_access [| GTF_readonly] (write barrier in between). hv sets    */
/* GTF_reading / GTF_writing while the grant is mapped; the granter ends     */
/* access with an atomic compare-and-swap of flags to 0 that fails while     */
/* either bit is set (Xen gnttab_end_foreign_access_ref).                    */
/*   setup_table: IN gva of the table (page aligned, user-writable RAM, not  */
/*       the I/O window), nr_frames (1..XENIA_GNTTAB_FRAMES).                */
/*   map_grant_ref: map (dom, ref) at host_addr, a page of the caller's      */
/*       grant-map area (XENIA_GNTMAP_GPA ..); OUT handle. -EACCES when the  */
/*       entry does not grant the caller access (or XSM denies), -EBUSY when */
/*       the address is in use.                                              */
/*   unmap_grant_ref: IN handle.                                             */
/*   copy: copy len bytes between the caller's memory (gva) and a granted    */
/*       frame (dom, ref, offset); offset + len <= 4096.                     */
/*   query_size: OUT nr_frames, max_nr_frames.                               */
/* ------------------------------------------------------------------------- */
#define XENIA_GNTTABOP_map_grant_ref   0
#define XENIA_GNTTABOP_unmap_grant_ref 1
#define XENIA_GNTTABOP_setup_table     2
#define XENIA_GNTTABOP_copy            5
#define XENIA_GNTTABOP_query_size      6

#define XENIA_GNTTAB_FRAMES   1u                      /* max grant table frames */
#define XENIA_GNTTAB_ENTRIES  (XENIA_GNTTAB_FRAMES * 512u)
#define XENIA_GNTMAP_GPA      0xf80000000ull          /* grant-map area (62 GiB) */
#define XENIA_GNTMAP_PAGES    64u                     /* pages in the grant-map area */
#define XENIA_GNTMAP_MAX      XENIA_GNTMAP_PAGES      /* mappings a domain may hold */

#define XENIA_GTF_permit_access 0x0001u
#define XENIA_GTF_readonly      0x0004u
#define XENIA_GTF_reading       0x0008u
#define XENIA_GTF_writing       0x0010u

struct xenia_grant_entry {  /* Xen grant_entry_v1 */
    uint16_t flags;        /* GTF_* */
    uint16_t domid;        /* the domain granted access */
    uint32_t frame;        /* granter's frame number (GPA >> 12) */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_grant_entry) == 8, "grant entry size");

struct xenia_gnttab_setup_table {
    uint64_t table_gva;    /* IN */
    uint32_t nr_frames;    /* IN */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_gnttab_setup_table) == 16, "gnttab_setup size");

#define XENIA_GNTMAP_readonly 0x1u

struct xenia_gnttab_map {
    uint64_t host_addr;    /* IN: GPA in the caller's grant-map area, page aligned */
    uint32_t flags;        /* IN: XENIA_GNTMAP_readonly */
    uint32_t ref;          /* IN */
    uint32_t dom;          /* IN: the granter */
    uint32_t handle;       /* OUT */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_gnttab_map) == 24, "gnttab_map size");

struct xenia_gnttab_unmap {
    uint32_t handle;       /* IN */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_gnttab_unmap) == 8, "gnttab_unmap size");

#define XENIA_GNTCOPY_to_grant 0x1u   /* copy from gva into the granted frame (else from it) */

struct xenia_gnttab_copy {
    uint64_t gva;          /* IN: the caller's buffer */
    uint32_t dom;          /* IN: the granter */
    uint32_t ref;          /* IN */
    uint32_t offset;       /* IN: in the granted frame */
    uint32_t len;          /* IN: offset + len <= 4096 */
    uint32_t flags;        /* IN: XENIA_GNTCOPY_to_grant */
    uint32_t pad;          /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_gnttab_copy) == 32, "gnttab_copy size");

struct xenia_gnttab_query_size {
    uint32_t nr_frames;    /* OUT */
    uint32_t max_nr_frames;/* OUT */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_gnttab_query_size) == 8, "gnttab_query size");

#endif /* XENIA_HYPERCALL_H */
