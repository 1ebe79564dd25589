/* SPDX-License-Identifier: MIT */
/* Grant table checks: pure decisions (see gnttab.h). */
#include "gnttab.h"

#include <xenia/abi.h>
#include <xenia/layout.h>

int gnttab_check_setup(uint64_t gpa, uint32_t nr_frames, uint64_t ram_bytes)
{
    uint64_t bytes;

    if (nr_frames == 0 || nr_frames > XENIA_GNTTAB_FRAMES)
        return -XENIA_EINVAL;
    if (gpa & (XENIA_PAGE_SIZE - 1))
        return -XENIA_EINVAL;
    bytes = (uint64_t)nr_frames * XENIA_PAGE_SIZE;
    if (gpa < XENIA_IMAGE_BASE_MIN || gpa >= ram_bytes || bytes > ram_bytes - gpa)
        return -XENIA_EINVAL;
    return 0;
}

int gnttab_check_entry(const struct xenia_grant_entry *e, uint32_t mapper, int readonly,
                       uint64_t ram_bytes)
{
    uint64_t pages = ram_bytes / XENIA_PAGE_SIZE;

    if (!(e->flags & XENIA_GTF_permit_access))
        return -XENIA_EACCES;
    if (e->domid != mapper)
        return -XENIA_EACCES;
    if (!readonly && (e->flags & XENIA_GTF_readonly))
        return -XENIA_EACCES;
    if (e->frame < XENIA_IMAGE_BASE_MIN / XENIA_PAGE_SIZE || e->frame >= pages)
        return -XENIA_EACCES;
    return 0;
}

int gnttab_check_map_addr(uint64_t gpa)
{
    if (gpa & (XENIA_PAGE_SIZE - 1))
        return -XENIA_EINVAL;
    if (gpa < XENIA_GNTMAP_GPA ||
        gpa - XENIA_GNTMAP_GPA >= (uint64_t)XENIA_GNTMAP_PAGES * XENIA_PAGE_SIZE)
        return -XENIA_EINVAL;
    return (int)((gpa - XENIA_GNTMAP_GPA) / XENIA_PAGE_SIZE);
}

int gnttab_check_copy(uint32_t offset, uint32_t len)
{
    if (len == 0 || len > XENIA_PAGE_SIZE || offset > XENIA_PAGE_SIZE - len)
        return -XENIA_EINVAL;
    return 0;
}
