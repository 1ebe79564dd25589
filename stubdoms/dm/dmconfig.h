/* SPDX-License-Identifier: MIT */
/* Validation of the configuration hv sends to the device model (pure). */
#ifndef XENIA_DM_DMCONFIG_H
#define XENIA_DM_DMCONFIG_H

#include <stddef.h>

#include <xenia/dm.h>

/* Largest disk the dm accepts (bytes): keeps every offset inside off_t. */
#define DM_DISK_MAX_BYTES (1ull << 50)

/*
 * dm_config_check - check a struct xenia_dm_config received from hv
 * (include/xenia/dm.h): magic and version (-XENIA_EPROTO), zero padding,
 * known flags, generation >= 1, iowin_bytes == XENIA_IOWIN_BYTES, disk_bytes
 * a multiple of XENIA_BLK_SECTOR and <= DM_DISK_MAX_BYTES, read-only flag only
 * with a disk (-XENIA_EINVAL). Returns 0 or the error, with a reason in
 * err[0..errlen) (NUL-terminated when errlen > 0).
 */
int dm_config_check(const struct xenia_dm_config *c, char *err, size_t errlen)
    __attribute__((warn_unused_result));

#endif /* XENIA_DM_DMCONFIG_H */
