/* SPDX-License-Identifier: MIT */
/* Validation of the dm configuration (dmconfig.h). Pure: no system calls. */
#include <stdio.h>

#include <xenia/io.h>

#include "dmconfig.h"

#define REFUSE(rc, ...)                          \
    do {                                         \
        if (errlen > 0)                          \
            snprintf(err, errlen, __VA_ARGS__);  \
        return (rc);                             \
    } while (0)

int dm_config_check(const struct xenia_dm_config *c, char *err, size_t errlen)
{
    if (errlen > 0)
        err[0] = '\0';
    if (c->magic != XENIA_DM_MAGIC)
        REFUSE(-XENIA_EPROTO, "bad magic %#x", c->magic);
    if (c->version != XENIA_DM_VERSION)
        REFUSE(-XENIA_EPROTO, "version %u, expected %u", c->version, XENIA_DM_VERSION);
    for (size_t i = 0; i < sizeof(c->pad) / sizeof(c->pad[0]); i++)
        if (c->pad[i] != 0)
            REFUSE(-XENIA_EINVAL, "pad[%zu] is %#x, must be 0", i, c->pad[i]);
    if ((c->flags & ~XENIA_DM_CFG_F_DISK_RO) != 0)
        REFUSE(-XENIA_EINVAL, "unknown flags %#x", c->flags);
    if (c->generation == 0)
        REFUSE(-XENIA_EINVAL, "generation 0 (the first dm is generation 1)");
    if (c->iowin_bytes != XENIA_IOWIN_BYTES)
        REFUSE(-XENIA_EINVAL, "I/O window of %llu bytes, expected %u",
               (unsigned long long)c->iowin_bytes, XENIA_IOWIN_BYTES);
    if (c->disk_bytes % XENIA_BLK_SECTOR != 0)
        REFUSE(-XENIA_EINVAL, "disk of %llu bytes is not a multiple of %u",
               (unsigned long long)c->disk_bytes, XENIA_BLK_SECTOR);
    if (c->disk_bytes > DM_DISK_MAX_BYTES)
        REFUSE(-XENIA_EINVAL, "disk of %llu bytes is larger than %llu",
               (unsigned long long)c->disk_bytes, DM_DISK_MAX_BYTES);
    if (c->disk_bytes == 0 && (c->flags & XENIA_DM_CFG_F_DISK_RO) != 0)
        REFUSE(-XENIA_EINVAL, "read-only flag without a disk");
    return 0;
}
