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
 *   CREATE request  carries 1 fd: the guest image, opened read-only by the client,
 *                   and a second one with XENIA_CREATE_F_DISK: the disk image;
 *   CONSOLE reply   carries 1 fd: a SOCK_STREAM socket connected to the console
 *                   (bytes read are console output, bytes written are input).
 */
#ifndef XENIA_CTL_H
#define XENIA_CTL_H

#include "abi.h"
#include "start_info.h"

#define XENIA_CTL_MAGIC   0x4c544358u  /* "XCTL" */
#define XENIA_CTL_VERSION 3u   /* 2: seclabels, policy operations, audit; 3: disks, stub domains */
#define XENIA_CTL_SOCK    "ctl.sock"

#define XENIA_NAME_MAX    64u   /* domain name buffer incl. NUL: [A-Za-z0-9_.-]{1,63} */
#define XENIA_ERRMSG_MAX  192u
#define XENIA_SECLABEL_MAX 256u  /* security context buffer incl. NUL: user:role:type:level */
#define XENIA_BOOLNAME_MAX 128u
#define XENIA_POLICY_MAX  (16u << 20)  /* largest policy binary LOADPOLICY accepts */
#define XENIA_AUDIT_CHUNK 16384u
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
    XENIA_CTL_LOADPOLICY = 10, /* replace the FLASK policy (1 fd: the binary) */
    XENIA_CTL_GETENFORCE = 11, /* XSM status: module, mode, AVC, caller's context */
    XENIA_CTL_SETENFORCE = 12,
    XENIA_CTL_GETBOOL    = 13, /* boolean by index */
    XENIA_CTL_SETBOOL    = 14,
    XENIA_CTL_AUDIT      = 15, /* audit lines after a sequence number */
    XENIA_CTL_OP_MAX     = 16,
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
    char     seclabel[XENIA_SECLABEL_MAX];/* IN: security context, "" = the policy's default */
};
#define XENIA_CREATE_F_PAUSED 0x01u        /* leave the new domain paused */
#define XENIA_CREATE_F_DISK   0x02u        /* a second fd follows: the disk image (opened by
                                            * the client with its own rights) */
#define XENIA_CREATE_F_DISK_RO 0x04u       /* the disk is read-only for the guest */
#define XENIA_CREATE_F_MASK   0x07u
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_create) == 16 + 64 + 16 + 16 + 1024 + 256, "create size");

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
    char     seclabel[XENIA_SECLABEL_MAX];/* security context ("dummy:uid=N" under dummy) */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_dominfo) == 656, "dominfo size");

#define XENIA_LIST_MAX 32u
struct xenia_ctl_list_reply {
    struct xenia_ctl_reply r;
    uint32_t nr;                          /* OUT: entries filled */
    uint32_t more;                        /* OUT: 1 if entries with higher domids remain */
    struct xenia_dominfo dom[XENIA_LIST_MAX];
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_list_reply) == 216 + 8 + 32 * 656, "xenia_ctl_list_reply size");

/* A stub domain serving a domain (INFO reply). */
#define XENIA_STUBDOM_BUILDER 0u
#define XENIA_STUBDOM_DM      1u
#define XENIA_STUBDOM_CONSOLE 2u
#define XENIA_STUBDOM_MAX     2u   /* entries in an INFO reply */

struct xenia_stubdom_info {
    uint32_t role;                        /* XENIA_STUBDOM_* */
    int32_t  pid;                         /* in hv's pid namespace; 0 when not running */
    uint32_t uid;                         /* its unprivileged uid */
    uint32_t restarts;                    /* times hv restarted it */
    uint32_t confined;                    /* confinement layers applied (hv/stubdom.h bits) */
    uint32_t generation;                  /* dm: instance number seen by the guest */
    char     seclabel[XENIA_SECLABEL_MAX];/* its security context */
    char     last_exit[64];               /* why the previous instance ended, "" if none */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_stubdom_info) == 24 + 256 + 64, "stubdom info size");

struct xenia_ctl_info_reply {
    struct xenia_ctl_reply r;
    struct xenia_dominfo info;
    uint32_t nr_stubdoms;                 /* OUT: entries filled */
    uint32_t pad;                         /* 0 */
    uint64_t disk_bytes;                  /* OUT: size of the domain's disk, 0 = none */
    struct xenia_stubdom_info stubdom[XENIA_STUBDOM_MAX];
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_info_reply) == 872 + 16 + 2 * 344, "xenia_ctl_info_reply size");

/* XSM / FLASK --------------------------------------------------------------------- */
#define XENIA_XSM_DUMMY 0u
#define XENIA_XSM_FLASK 1u

/* LOADPOLICY: 1 fd, the policy binary (policy/policydb.h), read by hv from offset 0. */
struct xenia_ctl_loadpolicy {
    struct xenia_ctl_hdr hdr;
    uint32_t size;                        /* IN: bytes, 1..XENIA_POLICY_MAX */
    uint32_t pad;                         /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_loadpolicy) == 24, "loadpolicy size");

/* SETENFORCE. (GETENFORCE is the header alone; its reply is xenia_ctl_getenforce_reply.) */
struct xenia_ctl_setenforce {
    struct xenia_ctl_hdr hdr;
    uint32_t enforcing;                   /* IN: 0 permissive, 1 enforcing */
    uint32_t pad;                         /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_setenforce) == 24, "setenforce size");

struct xenia_xsm_status {
    uint32_t module;                      /* XENIA_XSM_* */
    uint32_t enforcing;
    uint32_t policy_loads;
    uint32_t nbools;
    uint64_t avc_lookups, avc_hits, avc_misses, avc_reclaims, avc_flushes;
    uint64_t denials;                     /* hook decisions that denied (incl. permissive) */
    uint64_t audit_seq;                   /* last audit line's sequence number */
    uint64_t audit_dropped;               /* lines suppressed by rate limiting */
    uint8_t  policy_sha256[32];           /* of the loaded policy binary */
    char     context[XENIA_SECLABEL_MAX]; /* the caller's own context */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_xsm_status) == 16 + 64 + 32 + 256, "xsm status size");

struct xenia_ctl_getenforce_reply {
    struct xenia_ctl_reply r;
    struct xenia_xsm_status st;
};

/* GETBOOL: the boolean at index (0..nbools-1). */
struct xenia_ctl_getbool {
    struct xenia_ctl_hdr hdr;
    uint32_t index;                       /* IN */
    uint32_t pad;                         /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_getbool) == 24, "getbool size");

struct xenia_ctl_bool_reply {
    struct xenia_ctl_reply r;
    char     name[XENIA_BOOLNAME_MAX];
    uint32_t cur, dflt, nbools, pad;
};

struct xenia_ctl_setbool {
    struct xenia_ctl_hdr hdr;
    char     name[XENIA_BOOLNAME_MAX];    /* IN: NUL-terminated */
    uint32_t value;                       /* IN: 0 or 1 */
    uint32_t pad;                         /* must be 0 */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_setbool) == 16 + 128 + 8, "setbool size");

/* AUDIT: lines with sequence numbers > after, as "SEQ LINE\n" text. */
struct xenia_ctl_audit {
    struct xenia_ctl_hdr hdr;
    uint64_t after;                       /* IN */
};
XENIA_ABI_ASSERT(sizeof(struct xenia_ctl_audit) == 24, "audit size");

struct xenia_ctl_audit_reply {
    struct xenia_ctl_reply r;
    uint64_t last;                        /* OUT: sequence of the last line sent */
    uint32_t len;                         /* OUT: bytes of text */
    uint32_t more;                        /* OUT: 1 if later lines did not fit */
    char     text[XENIA_AUDIT_CHUNK];
};

#endif /* XENIA_CTL_H */
