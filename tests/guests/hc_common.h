/* SPDX-License-Identifier: MIT */
/* Addresses shared by the hypercall guest tests (hc_*.c): not a test itself. */
#ifndef XENIA_TESTS_HC_COMMON_H
#define XENIA_TESTS_HC_COMMON_H

#include <xenia/xtf.h>

/* Addresses every hypercall must refuse with -EFAULT, whatever the access. */
#define BAD_NULL        0x0ull                    /* page 0 */
#define BAD_PAGE0       0x10ull                   /* inside page 0 */
#define BAD_BUILDER     XENIA_BUILDER_AREA_GPA    /* GDT: supervisor only */
#define BAD_BUILDER_END (XENIA_IMAGE_BASE_MIN - XENIA_PAGE_SIZE) /* page tables / unused */
#define BAD_NONCANON    0x0000800000000000ull     /* first non-canonical address */
#define BAD_KERNEL_HALF 0xffff800000000000ull     /* canonical upper half */

/* The unmapped guard page below the stack (start_info.h layout). */
static inline uint64_t hc_guard_page(void)
{
    const struct xenia_start_info *si = xenia_start_info();

    return si->stack_top - si->stack_bytes - XENIA_PAGE_SIZE;
}

#endif /* XENIA_TESTS_HC_COMMON_H */
