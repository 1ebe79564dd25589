/* SPDX-License-Identifier: MIT */
/*
 * IPC between xenia-hv and a device-model stub domain (xenia-dm), one per guest.
 *
 * hv starts the dm (stubdom confinement, hv/stubdom.c) with exactly these fds:
 *   XENIA_DM_FD_IOWIN     the guest's I/O window memfd (XENIA_IOWIN_BYTES; io.h)
 *   XENIA_DM_FD_IPC       AF_UNIX SOCK_SEQPACKET to hv
 *   XENIA_DM_FD_CONS      AF_UNIX SOCK_STREAM to the console service: bytes the
 *                         guest writes go there; bytes read from it are console input
 *   XENIA_DM_FD_CONS_KICK eventfd: the guest kicked its console port (KVM ioeventfd)
 *   XENIA_DM_FD_CONS_IRQ  eventfd: the dm raises the guest's console port
 *   XENIA_DM_FD_BLK_KICK  eventfd: the guest kicked its block port (KVM ioeventfd)
 *   XENIA_DM_FD_BLK_IRQ   eventfd: the dm raises the guest's block port
 *   XENIA_DM_FD_DISK      the disk image (present when config.disk_bytes > 0)
 * and nothing else. hv sends one struct xenia_dm_config; the dm maps the window,
 * connects its backends, replies one struct xenia_dm_status (state READY) and
 * then serves until killed, sending a struct xenia_dm_report now and then (at
 * most one a second). hv treats every byte from the dm as untrusted.
 */
#ifndef XENIA_DM_H
#define XENIA_DM_H

#include "abi.h"

#define XENIA_DM_FD_IOWIN     3
#define XENIA_DM_FD_IPC       4
#define XENIA_DM_FD_CONS      5
#define XENIA_DM_FD_CONS_KICK 6
#define XENIA_DM_FD_CONS_IRQ  7
#define XENIA_DM_FD_BLK_KICK  8
#define XENIA_DM_FD_BLK_IRQ   9
#define XENIA_DM_FD_DISK      10

#define XENIA_DM_MAGIC   0x4d44584eu   /* "NXDM" */
#define XENIA_DM_VERSION 1u

#define XENIA_DM_CFG_F_DISK_RO 0x1u    /* the disk is read-only */

struct xenia_dm_config {
    uint32_t magic;            /* XENIA_DM_MAGIC */
    uint32_t version;          /* XENIA_DM_VERSION */
    uint32_t domid;            /* the guest served */
    uint32_t generation;       /* 1 for the first dm of a domain, +1 per restart */
    uint64_t iowin_bytes;      /* XENIA_IOWIN_BYTES */
    uint64_t disk_bytes;       /* 0 = no disk; else a multiple of XENIA_BLK_SECTOR */
    uint32_t flags;            /* XENIA_DM_CFG_F_* */
    uint32_t pad[5];           /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_dm_config) == 56, "dm config size");

#define XENIA_DM_READY 1u

struct xenia_dm_status {
    uint32_t magic;            /* XENIA_DM_MAGIC */
    uint32_t version;          /* XENIA_DM_VERSION */
    uint32_t state;            /* XENIA_DM_READY */
    int32_t  error;            /* 0 or -XENIA_Exxx when the dm cannot serve */
    uint64_t pad[2];           /* 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_dm_status) == 32, "dm status size");

#define XENIA_DM_REPORT_REFUSED 2u   /* block requests answered ERROR for bad input */

/*
 * dm -> hv after READY: the guest's block requests the backend refused (sector
 * range, buffer outside the window's data area, length, non-zero pad) since the
 * previous report, so that hv audits a hostile frontend in its log. At most one
 * per second per dm; hv checks every field and kills a dm that sends anything
 * else (it is restarted).
 */
struct xenia_dm_report {
    uint32_t magic;            /* XENIA_DM_MAGIC */
    uint32_t version;          /* XENIA_DM_VERSION */
    uint32_t kind;             /* XENIA_DM_REPORT_REFUSED */
    uint32_t pad0;             /* 0 */
    uint64_t count;            /* refused since the previous report, >= 1 */
    uint64_t total;            /* the ring's error count (guest-writable: a hint) */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_dm_report) == 32, "dm report size");

/* Test builds of the dm only (XENIA_BLKOP_TEST_SYSCALL): the call it attempts. */
#define XENIA_DM_TEST_OPEN   1   /* openat("/etc/passwd") */
#define XENIA_DM_TEST_SOCKET 2   /* socket(AF_INET, SOCK_STREAM) */
#define XENIA_DM_TEST_EXECVE 3   /* execve("/bin/sh") */
#define XENIA_DM_TEST_PTRACE 4   /* ptrace(PTRACE_ATTACH, 1) */
#define XENIA_DM_TEST_KVM    5   /* ioctl(window fd, KVM_CREATE_VM) */

#endif /* XENIA_DM_H */
