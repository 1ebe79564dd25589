/* SPDX-License-Identifier: MIT */
/*
 * Control-protocol request validation: the one place where a message from a
 * control-socket client is checked before hv acts on it. Pure C.
 * Protocol: include/xenia/ctl.h.
 */
#ifndef HV_CTL_DECODE_H
#define HV_CTL_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include <xenia/ctl.h>

/* A validated request; which member is valid follows hdr.op. */
union ctl_req {
    struct xenia_ctl_hdr hdr;
    struct xenia_ctl_create create;
    struct xenia_ctl_domid dom;          /* INFO PAUSE UNPAUSE DESTROY CONSOLE */
    struct xenia_ctl_shutdown shutdown;
    struct xenia_ctl_lookup lookup;
    struct xenia_ctl_list list;
    struct xenia_ctl_loadpolicy loadpolicy;
    struct xenia_ctl_setenforce setenforce;
    struct xenia_ctl_getbool getbool;
    struct xenia_ctl_setbool setbool;
    struct xenia_ctl_audit audit;
};

/*
 * ctl_decode - validate one received message.
 * @buf/@len: the message as received (len = bytes received; a message larger
 * than union ctl_req arrives truncated and is refused); @nfds: number of fds
 * that came with it. On success copies it into *@out and returns 0. Errors:
 * -XENIA_EPROTO (short, bad magic/version, length not the exact size for the
 * op), -XENIA_ENOSYS (unknown op), -XENIA_EINVAL (non-zero padding, unknown
 * flag bits, unterminated or ill-formed string, value out of range, wrong
 * number of fds); @err receives a one-line reason (NUL-terminated, @errlen).
 */
int ctl_decode(const void *buf, size_t len, int nfds, union ctl_req *out,
               char *err, size_t errlen);

/*
 * ctl_name_valid - 1 if @name (buffer of XENIA_NAME_MAX bytes) is NUL-terminated
 * and matches [A-Za-z0-9_.-]{1,63}, else 0.
 */
int ctl_name_valid(const char *name);

/*
 * ctl_seclabel_valid - 1 if @label (buffer of XENIA_SECLABEL_MAX bytes) is
 * NUL-terminated and made of context characters [A-Za-z0-9_.:,-] (possibly empty);
 * the security server checks the context itself.
 */
int ctl_seclabel_valid(const char *label);

/* ctl_op_name - short name of a control op ("create", ...), "?" if unknown. */
const char *ctl_op_name(unsigned op);

#endif /* HV_CTL_DECODE_H */
