/* SPDX-License-Identifier: MIT */
/*
 * Control socket client: talks to xenia-hv over <run-dir>/ctl.sock
 * (AF_UNIX SOCK_SEQPACKET, include/xenia/ctl.h).
 *
 * Each request uses a connection of its own: connect, send one request (with at
 * most XENIA_CTL_MAX_SEND_FDS fds as SCM_RIGHTS: CREATE sends two when the domain
 * has a disk), receive one reply (with at most one fd), close.
 * So a request is never sent twice, and the client does not depend on hv keeping
 * a connection open for several requests.
 *
 * Functions return 0 or a negative XENIA_E* / errno value and leave a message in
 * c->err. c->hv_error tells where the failure came from:
 *   1: xenia-hv replied with status < 0; the return value is that status and
 *      c->err is its errmsg (possibly empty);
 *   0: the transport failed (cannot connect, timeout, malformed reply) and
 *      c->err is a complete sentence saying what happened.
 */
#ifndef XENIA_TOOLS_CTL_CLIENT_H
#define XENIA_TOOLS_CTL_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>

#include "xenia/ctl.h"
#include "config.h"

#define XENIA_RUN_DIR_DEFAULT   "/run/xenia"
#define XENIA_CTL_TIMEOUT_MS    60000   /* default wait for one reply */
#define XENIA_CTL_ERR_MAX       512u
#define XENIA_CTL_LIST_LIMIT    (1u << 20)  /* most domains `list` collects */
#define XENIA_CTL_BOOL_LIMIT    65536u      /* most booleans a walk over GETBOOL visits */
#define XENIA_CTL_AUDIT_CHUNKS  256u        /* most AUDIT replies one xenia_ctl_audit() reads */
#define XENIA_CTL_MAX_SEND_FDS  4u          /* most fds one request carries */

struct xenia_ctl {
    char     run_dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    char     sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    uint32_t seq;           /* seq of the next request */
    int      timeout_ms;    /* wait for each reply; <= 0: forever */
    int      hv_error;      /* see above */
    char     err[XENIA_CTL_ERR_MAX];
};

/*
 * Prepare a client for the socket <run_dir>/ctl.sock (run_dir NULL: $XENIA_RUN_DIR
 * or XENIA_RUN_DIR_DEFAULT). No I/O. Returns 0, or -XENIA_EINVAL when the path
 * does not fit in sockaddr_un (108 bytes) or run_dir is empty.
 */
int xenia_ctl_init(struct xenia_ctl *c, const char *run_dir)
    __attribute__((warn_unused_result));

/*
 * One request/reply exchange.
 *   req, req_len  a request built by ctl_msg.h; its header's op and seq are used
 *                 to check the reply.
 *   send_fds      nsend fds (each >= 0) passed in this order as one SCM_RIGHTS
 *                 message with the request (the receiver sees them in the same
 *                 order); nsend 0..XENIA_CTL_MAX_SEND_FDS (send_fds may then be
 *                 NULL). The caller keeps them open.
 *   reply, cap    buffer for the reply (aligned for struct xenia_ctl_list_reply;
 *                 cap >= xenia_ctl_reply_size(op)); *reply_len gets its size.
 *   recv_fd       NULL: an fd arriving with the reply is a protocol error (closed);
 *                 else receives the fd passed with the reply (O_CLOEXEC) or -1.
 * Returns 0 when a well-formed reply arrived (its status may still be < 0: this
 * function does not look at it), else a negative errno with c->err set:
 * -ENOENT/-ECONNREFUSED/-EACCES... (cannot connect), -XENIA_ETIMEDOUT,
 * -XENIA_EPROTO (malformed reply, unexpected fds, hv closed without replying),
 * -XENIA_EINVAL (bad arguments: nsend too large, a negative fd; nothing sent).
 */
int xenia_ctl_transact_fds(struct xenia_ctl *c, const void *req, size_t req_len,
                           const int *send_fds, size_t nsend, void *reply, size_t cap,
                           size_t *reply_len, int *recv_fd)
    __attribute__((warn_unused_result));

/* xenia_ctl_transact_fds() with one fd (send_fd >= 0) or none (send_fd -1). */
int xenia_ctl_transact(struct xenia_ctl *c, const void *req, size_t req_len, int send_fd,
                       void *reply, size_t cap, size_t *reply_len, int *recv_fd)
    __attribute__((warn_unused_result));

/*
 * CREATE from a validated config (config.h).
 *   flags     XENIA_CREATE_F_PAUSED or 0 (the disk bits come from cfg: ctl_msg.h).
 *   image_fd  the guest image, open read-only: the first fd.
 *   disk_fd   the disk image, opened by the caller with its own rights (O_RDWR,
 *             or O_RDONLY when cfg->disk_ro): the second fd. Must be >= 0 exactly
 *             when cfg->has_disk (-XENIA_EINVAL with c->err otherwise).
 * *domid receives the new domain's id. The caller keeps both fds open.
 */
int xenia_ctl_create_disk(struct xenia_ctl *c, const struct xenia_domcfg *cfg, uint8_t flags,
                          int image_fd, int disk_fd, uint32_t *domid)
    __attribute__((warn_unused_result));

/* xenia_ctl_create_disk() for a config without a disk (disk_fd -1). */
int xenia_ctl_create(struct xenia_ctl *c, const struct xenia_domcfg *cfg, uint8_t flags,
                     int image_fd, uint32_t *domid) __attribute__((warn_unused_result));

/* LOOKUP a domain name ([A-Za-z0-9_.-]{1,63}) -> *domid. */
int xenia_ctl_lookup(struct xenia_ctl *c, const char *name, uint32_t *domid)
    __attribute__((warn_unused_result));

/* INFO on one domain -> *info. */
int xenia_ctl_info(struct xenia_ctl *c, uint32_t domid, struct xenia_dominfo *info)
    __attribute__((warn_unused_result));

/* Everything an INFO reply says about one domain (checked by ctl_msg.c). */
struct xenia_ctl_domstatus {
    struct xenia_dominfo      info;
    uint64_t                  disk_bytes;    /* size of its disk; 0 = no disk */
    uint32_t                  nr_stubdoms;   /* 0..XENIA_STUBDOM_MAX entries used */
    struct xenia_stubdom_info stubdom[XENIA_STUBDOM_MAX];  /* zeroed past nr_stubdoms */
};

/* INFO on one domain -> *st (the domain, its disk size and its stub domains). */
int xenia_ctl_info_ext(struct xenia_ctl *c, uint32_t domid, struct xenia_ctl_domstatus *st)
    __attribute__((warn_unused_result));

/* PAUSE, UNPAUSE or DESTROY one domain (op = XENIA_CTL_*). */
int xenia_ctl_domid_op(struct xenia_ctl *c, unsigned op, uint32_t domid)
    __attribute__((warn_unused_result));

/* SHUTDOWN request: reason XENIA_SHUTDOWN_poweroff or _reboot. */
int xenia_ctl_shutdown(struct xenia_ctl *c, uint32_t domid, uint32_t reason)
    __attribute__((warn_unused_result));

/* CONSOLE: *fd receives a SOCK_STREAM socket connected to the domain's console. */
int xenia_ctl_console(struct xenia_ctl *c, uint32_t domid, int *fd)
    __attribute__((warn_unused_result));

/*
 * LIST every domain, following `more` from page to page. *out receives a malloc'd
 * array of *n entries in increasing domid order (NULL when *n == 0): free() it.
 * At most XENIA_CTL_LIST_LIMIT entries (-XENIA_E2BIG beyond).
 */
int xenia_ctl_list(struct xenia_ctl *c, struct xenia_dominfo **out, size_t *n)
    __attribute__((warn_unused_result));

/* ---- XSM / FLASK (ctl.h LOADPOLICY .. AUDIT) ---- */

/* One policy boolean (GETBOOL reply). */
struct xenia_ctl_boolval {
    char     name[XENIA_BOOLNAME_MAX];      /* NUL-terminated, not empty */
    uint32_t cur, dflt;                     /* 0 or 1 */
    uint32_t nbools;                        /* booleans in the loaded policy */
};

/*
 * LOADPOLICY: policy_fd is the policy binary, open read-only (it travels as
 * SCM_RIGHTS; hv reads it from offset 0); size its length in bytes,
 * 1..XENIA_POLICY_MAX (-XENIA_EINVAL / -XENIA_E2BIG with c->err otherwise).
 */
int xenia_ctl_loadpolicy(struct xenia_ctl *c, int policy_fd, uint64_t size)
    __attribute__((warn_unused_result));

/* GETENFORCE -> *st (module, mode, AVC counters, the caller's context). */
int xenia_ctl_getenforce(struct xenia_ctl *c, struct xenia_xsm_status *st)
    __attribute__((warn_unused_result));

/* SETENFORCE: enforcing 0 (permissive) or 1. */
int xenia_ctl_setenforce(struct xenia_ctl *c, uint32_t enforcing)
    __attribute__((warn_unused_result));

/* GETBOOL by index -> *b. */
int xenia_ctl_getbool(struct xenia_ctl *c, uint32_t index, struct xenia_ctl_boolval *b)
    __attribute__((warn_unused_result));

/*
 * Find a boolean by name: GETBOOL index 0, 1, ... until the name matches or the
 * reply's nbools is reached (at most XENIA_CTL_BOOL_LIMIT requests). Returns 0
 * with *b, -XENIA_ENOENT with c->err "no boolean named NAME" (c->hv_error = 1, as
 * if hv had said so), or the errors of xenia_ctl_getbool(). With no policy loaded
 * hv's own error for index 0 is returned.
 */
int xenia_ctl_findbool(struct xenia_ctl *c, const char *name, struct xenia_ctl_boolval *b)
    __attribute__((warn_unused_result));

/* SETBOOL: name (xenia_ctl_boolname_ok), value 0 or 1. */
int xenia_ctl_setbool(struct xenia_ctl *c, const char *name, uint32_t value)
    __attribute__((warn_unused_result));

/*
 * AUDIT: read the audit lines with sequence numbers > after, following `more`
 * for at most XENIA_CTL_AUDIT_CHUNKS replies, and call line(arg, seq, text, len)
 * for each (text without the "SEQ " prefix and '\n', not NUL-terminated; may
 * hold any byte but NUL and '\n'). A non-zero return from line stops the walk and
 * is returned. *last receives the sequence of the last line seen (after if none),
 * *more 1 if lines remain (the chunk limit was reached). Each reply must advance
 * the sequence (-XENIA_EPROTO otherwise), so the walk always ends.
 */
int xenia_ctl_audit(struct xenia_ctl *c, uint64_t after,
                    int (*line)(void *arg, uint64_t seq, const char *text, size_t len),
                    void *arg, uint64_t *last, int *more) __attribute__((warn_unused_result));

/*
 * Resolve a DOMAIN argument: all digits -> that domid (as xl does); otherwise a
 * name, looked up with LOOKUP. Returns 0 with *domid, or the errors above
 * (-XENIA_EINVAL with c->err set for something that is neither).
 */
int xenia_ctl_resolve(struct xenia_ctl *c, const char *dom, uint32_t *domid)
    __attribute__((warn_unused_result));

#endif /* XENIA_TOOLS_CTL_CLIENT_H */
