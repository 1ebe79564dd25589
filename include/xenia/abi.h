/* SPDX-License-Identifier: MIT */
/*
 * Xenia public ABI: common definitions shared by every surface.
 *
 * Rules for every header under include/xenia/ (see DESIGN.md):
 *  - fixed-width fields only; no pointers, no enums, no bool on the wire;
 *  - explicit padding fields named pad* that MUST be zero (checked by the receiver);
 *  - every top-level structure carries a version field;
 *  - IN / OUT comments say who writes a field;
 *  - errors are negative errno values (Linux numbering, spelled out below so that
 *    freestanding guests need no libc).
 * This header includes nothing of ours and may be included by anyone.
 */
#ifndef XENIA_ABI_H
#define XENIA_ABI_H

#include <stdint.h>

#define XENIA_VERSION_MAJOR 0
#define XENIA_VERSION_MINOR 1
/* Interface version of the hypercall ABI, start-info and shared page (major << 16 | minor). */
#define XENIA_INTERFACE_VERSION ((XENIA_VERSION_MAJOR << 16) | XENIA_VERSION_MINOR)

#define XENIA_PAGE_SHIFT 12
#define XENIA_PAGE_SIZE  (1u << XENIA_PAGE_SHIFT)

/* Error codes: hypercalls, control replies and IPC replies return -XENIA_Exxx. */
#define XENIA_EPERM      1   /* operation not permitted (caller lacks the right) */
#define XENIA_ENOENT     2   /* no such domain / object */
#define XENIA_ESRCH      3   /* no such domain */
#define XENIA_EINTR      4   /* interrupted */
#define XENIA_EIO        5   /* I/O error */
#define XENIA_E2BIG      7   /* argument list / length too long */
#define XENIA_ENOEXEC    8   /* image is not a valid Xenia PV image */
#define XENIA_EBADF      9   /* bad file descriptor */
#define XENIA_EAGAIN    11   /* try again */
#define XENIA_ENOMEM    12   /* out of memory */
#define XENIA_EACCES    13   /* access denied by policy */
#define XENIA_EFAULT    14   /* guest address not mapped, not accessible, or range wraps */
#define XENIA_EBUSY     16   /* object busy (e.g. domain already paused) */
#define XENIA_EEXIST    17   /* name already in use */
#define XENIA_EINVAL    22   /* invalid argument, reserved bit or non-zero padding */
#define XENIA_ENOSPC    28   /* no room (domain table full) */
#define XENIA_ERANGE    34   /* value out of range */
#define XENIA_ENOSYS    38   /* unknown hypercall / operation */
#define XENIA_ENODATA   61   /* nothing available */
#define XENIA_ETIME     62   /* deadline passed */
#define XENIA_EPROTO    71   /* protocol error (bad magic, version, size) */
#define XENIA_EOVERFLOW 75   /* value too large */
#define XENIA_EOPNOTSUPP 95  /* operation not supported */
#define XENIA_ENOTCONN  107  /* event channel port not connected */
#define XENIA_ESHUTDOWN 108  /* domain is shut down */
#define XENIA_ETIMEDOUT 110  /* timed out */

/* Compile-time layout checks usable from C11 and from freestanding guests. */
#define XENIA_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)

#endif /* XENIA_ABI_H */
