/* SPDX-License-Identifier: MIT */
/*
 * Control protocol between the toolstack (the `xenia` CLI) and xenia-hv.
 *
 * Transport: AF_UNIX SOCK_SEQPACKET at <run-dir>/ctl.sock (default /run/xenia).
 * One request message, one reply message, in order. The client is identified by
 * SO_PEERCRED. Every message starts with struct xenia_ctl_hdr; `len` is the exact
 * message size, which must equal the size defined for `op` (requests) — a message
 * with a wrong magic, version, length, unknown op, non-zero pad or unterminated
 * string is refused with -XENIA_EPROTO or -XENIA_EINVAL before anything happens.
 * File descriptors travel as SCM_RIGHTS ancillary data:
 *   CREATE request  carries 1 fd: the guest image, opened read-only by the client;
 *   CONSOLE reply   carries 1 fd: a SOCK_STREAM socket connected to the console
 *                   (bytes read are console output, bytes written are input).
 */
#ifndef XENIA_CTL_H
#define XENIA_CTL_H

#include "abi.h"
#include "start_info.h"

#define XENIA_CTL_MAGIC   0x4c544358u  /* "XCTL" */
#define XENIA_CTL_VERSION 1u
#define XENIA_CTL_SOCK    "ctl.sock"

#define XENIA_NAME_MAX    64u   /* domain name buffer incl. NUL: [A-Za-z0-9_.-]{1,63} */
#define XENIA_ERRMSG_MAX  192u
#define XENIA_DOMID_INVALID 0xffffffffu

enum {
    XENIA_CTL_CREATE   = 1,
    XENIA_CTL_LIST     = 2,
    XENIA_CTL_INFO     = 3,
    XENIA_CTL_PAUSE    = 4,
    XENIA_CTL_UNPAUSE  = 5,
    XENIA_CTL_SHUTDOWN = 6,
    XENIA_CTL_DESTROY  = 7,
    XENIA_CTL_CONSOLE  = 8,
    XENIA_CTL_LOOKUP   = 9,   /* name -> domid */
    XENIA_CTL_OP_MAX   = 10,
};

struct xenia_ctl_hdr {
    uint32_t magic;    /* XENIA_CTL_MAGIC */
    uint16_t version;  /* XENIA_CTL_VERSION */
    uint16_t op;       /* XENIA_CTL_* */
    uint32_t len;      /* total message length in bytes */
    uint32_t seq;      /* IN: chosen by client; OUT: echoed */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_hdr) == 16, "ctl hdr size");

/* Domain states. */
#define XENIA_DOMSTATE_BUILDING 1
#define XENIA_DOMSTATE_RUNNING  2   /* runnable or running */
#define XENIA_DOMSTATE_BLOCKED  3   /* in SCHEDOP_block */
#define XENIA_DOMSTATE_PAUSED   4
#define XENIA_DOMSTATE_SHUTDOWN 5   /* stopped; shutdown_reason says why */
#define XENIA_DOMSTATE_CRASHED  6   /* stopped by a fault or a crash shutdown */

/* Actions on poweroff / reboot / crash (xl.cfg on_poweroff, on_reboot, on_crash). */
#define XENIA_ACTION_DESTROY  0   /* free the domain at once */
#define XENIA_ACTION_PRESERVE 1   /* keep it listed, stopped, until destroyed */
#define XENIA_ACTION_RESTART  2   /* rebuild from the same image and run again */

/* CREATE -------------------------------------------------------------------- */
struct xenia_ctl_create {
    struct xenia_ctl_hdr hdr;
    char     name[XENIA_NAME_MAX];        /* IN: unique, [A-Za-z0-9_.-]{1,63} */
    uint32_t memory_mib;                  /* IN: XENIA_MEM_MIN_MIB .. XENIA_MEM_MAX_MIB */
    uint32_t vcpus;                       /* IN: 1 */
    uint32_t cap;                         /* IN: CPU cap, % of one CPU; 0 = none (xl cap) */
    uint8_t  on_poweroff;                 /* IN: XENIA_ACTION_* */
    uint8_t  on_reboot;
    uint8_t  on_crash;
    uint8_t  flags;                       /* IN: XENIA_CREATE_F_* */
    uint32_t pad[4];                      /* must be 0 */
    char     cmdline[XENIA_CMDLINE_MAX];  /* IN: NUL-terminated */
};
#define XENIA_CREATE_F_PAUSED 0x01u        /* leave the new domain paused */
#define XENIA_CREATE_F_MASK   0x01u
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_create) == 16 + 64 + 16 + 16 + 1024, "create size");

/* Requests that name one domain: INFO, PAUSE, UNPAUSE, DESTROY, CONSOLE. */
struct xenia_ctl_domid {
    struct xenia_ctl_hdr hdr;
    uint32_t domid;                       /* IN */
    uint32_t pad;                         /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_domid) == 24, "xenia_ctl_domid size");

/* SHUTDOWN: asks the guest to shut down (shared page + XENIA_PORT_CONTROL). */
struct xenia_ctl_shutdown {
    struct xenia_ctl_hdr hdr;
    uint32_t domid;                       /* IN */
    uint32_t reason;                      /* IN: XENIA_SHUTDOWN_poweroff or _reboot */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_shutdown) == 24, "xenia_ctl_shutdown size");

/* LOOKUP */
struct xenia_ctl_lookup {
    struct xenia_ctl_hdr hdr;
    char     name[XENIA_NAME_MAX];        /* IN */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_lookup) == 80, "xenia_ctl_lookup size");

/* LIST: entries with domid >= start_domid, at most XENIA_LIST_MAX per reply. */
struct xenia_ctl_list {
    struct xenia_ctl_hdr hdr;
    uint32_t start_domid;                 /* IN */
    uint32_t pad;                         /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_list) == 24, "xenia_ctl_list size");

/* Reply to every request. Errors always use this short form (status < 0), also for
 * ops whose successful reply is longer (INFO, LIST). */
struct xenia_ctl_reply {
    struct xenia_ctl_hdr hdr;             /* op echoed, len = size of the whole reply */
    int32_t  status;                      /* OUT: 0 or -XENIA_Exxx */
    uint32_t domid;                       /* OUT: CREATE/LOOKUP: the domain */
    char     errmsg[XENIA_ERRMSG_MAX];    /* OUT: NUL-terminated human-readable reason */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_reply) == 216, "xenia_ctl_reply size");

struct xenia_dominfo {
    uint32_t domid;
    uint32_t state;                       /* XENIA_DOMSTATE_* */
    uint32_t shutdown_reason;             /* XENIA_SHUTDOWN_* when stopped */
    uint32_t vcpus;
    uint64_t memory_mib;
    uint64_t cpu_time_ns;                 /* vCPU thread CPU time */
    uint64_t nr_hypercalls;
    uint64_t nr_exits;
    uint64_t nr_throttled;                /* times the cap stopped the vCPU */
    uint64_t uptime_ns;
    uint32_t cap;
    uint32_t owner_uid;                   /* uid of the creator (SO_PEERCRED) */
    uint32_t restarts;
    uint32_t pad;
    char     name[XENIA_NAME_MAX];
    uint64_t launch_ns;                   /* create request -> first hypercall (0: none yet) */
    char     crash_info[248];             /* one line: why it crashed (vector, rip...) */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_dominfo) == 400, "dominfo size");

#define XENIA_LIST_MAX 32u
struct xenia_ctl_list_reply {
    struct xenia_ctl_reply r;
    uint32_t nr;                          /* OUT: entries filled */
    uint32_t more;                        /* OUT: 1 if entries with higher domids remain */
    struct xenia_dominfo dom[XENIA_LIST_MAX];
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_list_reply) == 216 + 8 + 32 * 400, "xenia_ctl_list_reply size");

struct xenia_ctl_info_reply {
    struct xenia_ctl_reply r;
    struct xenia_dominfo info;
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_info_reply) == 616, "xenia_ctl_info_reply size");

#endif /* XENIA_CTL_H */
