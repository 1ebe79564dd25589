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

/* Largest reply the client accepts (the LIST reply). */
#define XENIA_CTL_REPLY_MAX sizeof(struct xenia_ctl_list_reply)

/*
 * CREATE request from a validated config (config.h); flags: XENIA_CREATE_F_*.
 * Returns 0, or -XENIA_EINVAL if a field cannot be sent as it is (name not valid,
 * cmdline not NUL-terminated in its field, memory / vcpus / cap / actions out of
 * range, unknown flag bits). The image fd travels separately (SCM_RIGHTS).
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
 * Size in bytes of a successful reply to op: sizeof(struct xenia_ctl_list_reply)
 * for LIST, sizeof(struct xenia_ctl_info_reply) for INFO, sizeof(struct
 * xenia_ctl_reply) for every other op; 0 for an unknown op.
 */
size_t xenia_ctl_reply_size(unsigned op);

/*
 * Check a received reply buf[0..n) to a request (op, seq):
 *  - n >= sizeof(struct xenia_ctl_reply), hdr.len == n, magic, version, op, seq;
 *  - status is 0 or negative; errmsg NUL-terminated;
 *  - n == xenia_ctl_reply_size(op) when status == 0; when status < 0, n may also
 *    be sizeof(struct xenia_ctl_reply) (an error reply without the payload);
 *  - status == 0: CREATE/LOOKUP domid != XENIA_DOMID_INVALID; INFO/LIST entries
 *    have NUL-terminated name and crash_info and zero pad; LIST nr <= XENIA_LIST_MAX,
 *    more is 0 or 1, domids strictly increasing.
 * buf must be suitably aligned for struct xenia_ctl_list_reply.
 * Returns 0, or -XENIA_EPROTO with a reason in why (whylen bytes, may be NULL).
 */
int xenia_ctl_check_reply(const void *buf, size_t n, unsigned op, uint32_t seq,
                          char *why, size_t whylen) __attribute__((warn_unused_result));

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

/*
 * State of a domain as one phrase into buf (n bytes): "running", "paused", and
 * for a stopped domain the reason too: "shutdown (poweroff)", "crashed (fault)".
 * Unknown values print as numbers ("state 9"). Returns buf.
 */
const char *xenia_ctl_format_state(const struct xenia_dominfo *d, char *buf, size_t n);

#endif /* XENIA_TOOLS_CTL_MSG_H */
