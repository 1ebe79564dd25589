/* SPDX-License-Identifier: MIT */
/*
 * Control protocol messages (include/xenia/ctl.h), client side: build requests
 * and check replies. Pure: no system calls, no allocation.
 *
 * Every builder zeroes the whole message first (so every pad field and every
 * byte after a string's NUL is 0), then sets magic, version, op, len = the exact
 * size defined for op, and seq. Every reply is checked before any other field of
 * it is used (size, magic, version, op, seq, then contents: STYLE.md habit 7).
 */
#ifndef XENIA_TOOLS_CTL_MSG_H
#define XENIA_TOOLS_CTL_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "xenia/ctl.h"
#include "xenia/hypercall.h"
#include "config.h"

/* Largest reply the client accepts (the LIST reply; the others are smaller: ctl_msg.c
 * asserts it). */
#define XENIA_CTL_REPLY_MAX sizeof(struct xenia_ctl_list_reply)

/*
 * CREATE request from a validated config (config.h); flags: XENIA_CREATE_F_PAUSED.
 * The disk bits come from cfg alone: XENIA_CREATE_F_DISK when cfg->has_disk,
 * XENIA_CREATE_F_DISK_RO when also cfg->disk_ro (so the request always agrees
 * with the config, and the caller must then send the disk as the second fd).
 * Returns 0, or -XENIA_EINVAL if a field cannot be sent as it is (name not valid,
 * cmdline not NUL-terminated in its field, seclabel not xenia_ctl_seclabel_ok(),
 * memory / vcpus / cap / actions out of range, unknown flag bits, disk bits in
 * flags, has_disk or disk_ro not 0/1, disk_ro without has_disk). The image and
 * disk fds travel separately (SCM_RIGHTS).
 */
int xenia_ctl_build_create(struct xenia_ctl_create *m, uint32_t seq,
                           const struct xenia_domcfg *cfg, uint8_t flags)
    __attribute__((warn_unused_result));

/*
 * A request that names one domain: op is XENIA_CTL_INFO, _PAUSE, _UNPAUSE,
 * _DESTROY or _CONSOLE. Returns 0, or -XENIA_EINVAL for another op or
 * domid == XENIA_DOMID_INVALID.
 */
int xenia_ctl_build_domid(struct xenia_ctl_domid *m, uint16_t op, uint32_t seq, uint32_t domid)
    __attribute__((warn_unused_result));

/*
 * SHUTDOWN request; reason is XENIA_SHUTDOWN_poweroff or XENIA_SHUTDOWN_reboot
 * (hypercall.h). Returns 0 or -XENIA_EINVAL.
 */
int xenia_ctl_build_shutdown(struct xenia_ctl_shutdown *m, uint32_t seq, uint32_t domid,
                             uint32_t reason) __attribute__((warn_unused_result));

/* LOOKUP request for a domain name. Returns 0 or -XENIA_EINVAL (name not valid). */
int xenia_ctl_build_lookup(struct xenia_ctl_lookup *m, uint32_t seq, const char *name)
    __attribute__((warn_unused_result));

/* LIST request for domains with domid >= start_domid. Returns 0. */
int xenia_ctl_build_list(struct xenia_ctl_list *m, uint32_t seq, uint32_t start_domid)
    __attribute__((warn_unused_result));

/*
 * 1 if s is a seclabel the control protocol carries (ctl.h, as hv's
 * ctl_seclabel_valid): NUL-terminated within XENIA_SECLABEL_MAX bytes, made of
 * [A-Za-z0-9_.:,-]; "" is valid (the policy's default label). 0 otherwise or NULL.
 */
int xenia_ctl_seclabel_ok(const char *s);

/*
 * 1 if s is a boolean name for SETBOOL: 1..XENIA_BOOLNAME_MAX-1 bytes of printable
 * ASCII without spaces (policy identifiers are narrower; the server decides).
 */
int xenia_ctl_boolname_ok(const char *s);

/* LOADPOLICY request; size: bytes of the policy file, 1..XENIA_POLICY_MAX. The
 * file itself travels as an fd (SCM_RIGHTS). Returns 0, -XENIA_EINVAL (size 0) or
 * -XENIA_E2BIG (size > XENIA_POLICY_MAX). */
int xenia_ctl_build_loadpolicy(struct xenia_ctl_loadpolicy *m, uint32_t seq, uint64_t size)
    __attribute__((warn_unused_result));

/* GETENFORCE request: the header alone (16 bytes). Returns 0. */
int xenia_ctl_build_getenforce(struct xenia_ctl_hdr *m, uint32_t seq)
    __attribute__((warn_unused_result));

/* SETENFORCE request; enforcing 0 (permissive) or 1. Returns 0 or -XENIA_EINVAL. */
int xenia_ctl_build_setenforce(struct xenia_ctl_setenforce *m, uint32_t seq, uint32_t enforcing)
    __attribute__((warn_unused_result));

/* GETBOOL request for the boolean at index (0..nbools-1). Returns 0. */
int xenia_ctl_build_getbool(struct xenia_ctl_getbool *m, uint32_t seq, uint32_t index)
    __attribute__((warn_unused_result));

/* SETBOOL request; name xenia_ctl_boolname_ok(), value 0 or 1. Returns 0 or -XENIA_EINVAL. */
int xenia_ctl_build_setbool(struct xenia_ctl_setbool *m, uint32_t seq, const char *name,
                            uint32_t value) __attribute__((warn_unused_result));

/* AUDIT request for the lines with sequence numbers > after. Returns 0. */
int xenia_ctl_build_audit(struct xenia_ctl_audit *m, uint32_t seq, uint64_t after)
    __attribute__((warn_unused_result));

/*
 * Size in bytes of a successful reply to op: sizeof(struct xenia_ctl_list_reply)
 * for LIST, sizeof(struct xenia_ctl_info_reply) for INFO, sizeof(struct
 * xenia_ctl_getenforce_reply) for GETENFORCE, sizeof(struct xenia_ctl_bool_reply)
 * for GETBOOL, sizeof(struct xenia_ctl_audit_reply) for AUDIT (fixed size: `len`
 * says how much of text is used), sizeof(struct xenia_ctl_reply) for every other
 * op; 0 for an unknown op.
 */
size_t xenia_ctl_reply_size(unsigned op);

/*
 * Check a received reply buf[0..n) to a request (op, seq):
 *  - n >= sizeof(struct xenia_ctl_reply), hdr.len == n, magic, version, op, seq;
 *  - status is 0 or negative; errmsg NUL-terminated;
 *  - n == xenia_ctl_reply_size(op) when status == 0; when status < 0, n may also
 *    be sizeof(struct xenia_ctl_reply) (an error reply without the payload);
 *  - status == 0: CREATE/LOOKUP domid != XENIA_DOMID_INVALID; INFO/LIST entries
 *    have NUL-terminated name, crash_info and seclabel and zero pad; LIST nr <=
 *    XENIA_LIST_MAX, more is 0 or 1, domids strictly increasing;
 *    GETENFORCE: module XENIA_XSM_DUMMY or _FLASK, enforcing 0 or 1, context
 *    NUL-terminated; GETBOOL: name NUL-terminated and not empty, cur and dflt 0 or
 *    1, nbools >= 1, pad 0; AUDIT: len <= XENIA_AUDIT_CHUNK, more 0 or 1 (1 only
 *    with len > 0), text[0..len) is whole "SEQ LINE\n" lines (no NUL, see
 *    xenia_ctl_audit_next()) with strictly increasing SEQ, the last one == last;
 *    INFO also: pad 0, nr_stubdoms <= XENIA_STUBDOM_MAX, and each of the first
 *    nr_stubdoms entries has a known role, pid >= 0, NUL-terminated seclabel and
 *    last_exit.
 * buf must be suitably aligned for struct xenia_ctl_list_reply.
 * Returns 0, or -XENIA_EPROTO with a reason in why (whylen bytes, may be NULL).
 */
int xenia_ctl_check_reply(const void *buf, size_t n, unsigned op, uint32_t seq,
                          char *why, size_t whylen) __attribute__((warn_unused_result));

/*
 * Split audit text (AUDIT reply, ctl.h: "SEQ LINE\n" lines) one line at a time.
 *   text, len  the text; *pos the offset to start at (0 first), advanced past the line.
 *   *seq       the line's sequence number (decimal, no sign, < 2^64).
 *   *line, *linelen  the line's text after "SEQ " without the '\n' (may be empty).
 * Returns 1 with a line, 0 at the end (*pos == len), -XENIA_EPROTO for a malformed
 * line (no digits, no space after them, overflow, a NUL byte, no final '\n').
 */
int xenia_ctl_audit_next(const char *text, size_t len, size_t *pos, uint64_t *seq,
                         const char **line, size_t *linelen);

/* "on"/"1"/"true"/"enforcing"... for the CLI: see the definitions.
 * xenia_ctl_parse_onoff: on|off|1|0|true|false (case-insensitive) -> 1/0, else -XENIA_EINVAL.
 * xenia_ctl_parse_enforce: 1|0|enforcing|permissive (case-insensitive) -> 1/0, else
 * -XENIA_EINVAL (as setenforce(8)). */
int xenia_ctl_parse_onoff(const char *s);
int xenia_ctl_parse_enforce(const char *s);

/*
 * Parse a DOMAIN argument that is a numeric domid: decimal digits only, value
 * below XENIA_DOMID_INVALID. Returns 0 with *domid set, -XENIA_EINVAL if s is
 * not all digits (then it is a name), -XENIA_ERANGE if too large.
 */
int xenia_ctl_parse_domid(const char *s, uint32_t *domid);

/*
 * Text for an error status from xenia-hv (status < 0, -XENIA_E*: Linux errno
 * numbering), in the words of include/xenia/abi.h where the Linux strerror text
 * would mislead (ESRCH "No such domain", ESHUTDOWN "Domain is shut down", ...);
 * strerror() for the others. Never NULL.
 */
const char *xenia_ctl_strerror(int status);

/* "create", "list", ... for XENIA_CTL_* (ctl.h); "op?" for others. */
const char *xenia_ctl_op_name(unsigned op);

/* "building", "running", "blocked", "paused", "shutdown", "crashed" (XENIA_DOMSTATE_*); NULL if unknown. */
const char *xenia_ctl_state_name(unsigned state);

/* "poweroff", "reboot", "crash", "fault", "destroyed" (XENIA_SHUTDOWN_*); NULL if unknown. */
const char *xenia_ctl_reason_name(unsigned reason);

/* "builder", "dm", "console" (XENIA_STUBDOM_*); NULL if unknown. */
const char *xenia_ctl_stubdom_role_name(unsigned role);

/*
 * A stub domain's confinement bits (struct xenia_stubdom_info.confined; meaning
 * as hv/stubdom.h STUBDOM_C_*) as a comma-separated list into buf (n bytes), in
 * the order hv applies them: namespaces, root (empty root), rlimits, cgroup,
 * uid (unprivileged uid), nnp (no_new_privs), landlock, seccomp; unknown bits
 * follow as one hex number; 0 is "none". Cut after the last whole name that
 * fits when n is too small (NUL-terminated); 80 bytes are enough for every bit.
 * Returns buf ("" when buf is NULL or n is 0).
 */
const char *xenia_ctl_format_confined(uint32_t bits, char *buf, size_t n);

/*
 * State of a domain as one phrase into buf (n bytes): "running", "paused", and
 * for a stopped domain the reason too: "shutdown (poweroff)", "crashed (fault)".
 * Unknown values print as numbers ("state 9"). Returns buf.
 */
const char *xenia_ctl_format_state(const struct xenia_dominfo *d, char *buf, size_t n);

#endif /* XENIA_TOOLS_CTL_MSG_H */
