/* SPDX-License-Identifier: MIT */
/* Grant table checks: pure decisions (see gnttab.h). */
#include "gnttab.h"

#include <xenia/abi.h>
#include <xenia/layout.h>

/*@ assigns \nothing;
    behavior ok:
      assumes 1 <= nr_frames <= XENIA_GNTTAB_FRAMES;
      assumes (gpa & (XENIA_PAGE_SIZE - 1)) == 0;
      assumes XENIA_IMAGE_BASE_MIN <= gpa < ram_bytes;
      assumes gpa + nr_frames * XENIA_PAGE_SIZE <= ram_bytes;
      ensures \result == 0;
    behavior bad:
      assumes !(1 <= nr_frames <= XENIA_GNTTAB_FRAMES) ||
              (gpa & (XENIA_PAGE_SIZE - 1)) != 0 ||
              !(XENIA_IMAGE_BASE_MIN <= gpa < ram_bytes) ||
              gpa + nr_frames * XENIA_PAGE_SIZE > ram_bytes;
      ensures \result == -XENIA_EINVAL;
    complete behaviors;
    disjoint behaviors;
*/
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

/*@ requires \valid_read(e);
    assigns \nothing;
    behavior ok:
      assumes (e->flags & XENIA_GTF_permit_access) != 0;
      assumes e->domid == mapper;
      assumes !(readonly == 0 && (e->flags & XENIA_GTF_readonly) != 0);
      assumes XENIA_IMAGE_BASE_MIN / XENIA_PAGE_SIZE <= e->frame < ram_bytes / XENIA_PAGE_SIZE;
      ensures \result == 0;
    behavior denied:
      assumes (e->flags & XENIA_GTF_permit_access) == 0 ||
              e->domid != mapper ||
              (readonly == 0 && (e->flags & XENIA_GTF_readonly) != 0) ||
              !(XENIA_IMAGE_BASE_MIN / XENIA_PAGE_SIZE <= e->frame < ram_bytes / XENIA_PAGE_SIZE);
      ensures \result == -XENIA_EACCES;
    complete behaviors;
    disjoint behaviors;
*/
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

/*@ assigns \nothing;
    behavior ok:
      assumes (gpa & (XENIA_PAGE_SIZE - 1)) == 0;
      assumes XENIA_GNTMAP_GPA <= gpa < XENIA_GNTMAP_GPA + XENIA_GNTMAP_PAGES * XENIA_PAGE_SIZE;
      ensures \result == (gpa - XENIA_GNTMAP_GPA) / XENIA_PAGE_SIZE;
      ensures 0 <= \result < XENIA_GNTMAP_PAGES;
    behavior bad:
      assumes (gpa & (XENIA_PAGE_SIZE - 1)) != 0 ||
              !(XENIA_GNTMAP_GPA <= gpa < XENIA_GNTMAP_GPA + XENIA_GNTMAP_PAGES * XENIA_PAGE_SIZE);
      ensures \result == -XENIA_EINVAL;
    complete behaviors;
    disjoint behaviors;
*/
int gnttab_check_map_addr(uint64_t gpa)
{
    if (gpa & (XENIA_PAGE_SIZE - 1))
        return -XENIA_EINVAL;
    if (gpa < XENIA_GNTMAP_GPA ||
        gpa - XENIA_GNTMAP_GPA >= (uint64_t)XENIA_GNTMAP_PAGES * XENIA_PAGE_SIZE)
        return -XENIA_EINVAL;
    return (int)((gpa - XENIA_GNTMAP_GPA) / XENIA_PAGE_SIZE);
}

/*@ assigns \nothing;
    behavior ok:
      assumes 0 < len <= XENIA_PAGE_SIZE && offset + len <= XENIA_PAGE_SIZE;
      ensures \result == 0;
    behavior bad:
      assumes !(0 < len <= XENIA_PAGE_SIZE && offset + len <= XENIA_PAGE_SIZE);
      ensures \result == -XENIA_EINVAL;
    complete behaviors;
    disjoint behaviors;
*/
int gnttab_check_copy(uint32_t offset, uint32_t len)
{
    if (len == 0 || len > XENIA_PAGE_SIZE || offset > XENIA_PAGE_SIZE - len)
        return -XENIA_EINVAL;
    return 0;
}
