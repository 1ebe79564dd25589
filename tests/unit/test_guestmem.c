/* SPDX-License-Identifier: MIT */
/* Unit tests for hv/guestmem.c: page-table walks and bounded guest copies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <xenia/abi.h>

#include "../../hv/guestmem.h"
#include "pt_helper.h"

#define RAM (4u << 20)
#define IOWIN_GPA 0xf00000000ull

static uint8_t *ram;
static uint8_t iowin[2 * 4096];
static struct gmem m;

static int setup(void **state)
{
    struct pt_builder b;
    (void)state;
    ram = calloc(1, RAM);
    pt_init(&b, ram, 0x10000);
    pt_map_range(&b, 0x1000, 0x1000, PT_US);              /* user read-only */
    pt_map_range(&b, 0x3000, 0x1000, 0);                  /* supervisor only */
    pt_map_range(&b, 0x200000, 0x10000, PT_US | PT_RW);   /* user RW, 16 pages */
    pt_map4k(&b, 0x300000, 0x200000, PT_US | PT_RW);      /* alias */
    pt_map4k(&b, 0x400000, 0x7000000, PT_US | PT_RW);     /* beyond RAM */
    pt_map_range(&b, IOWIN_GPA, sizeof(iowin), PT_US | PT_RW);
    /* 2 MiB large page at 0x600000 -> 0x200000 (aligned) and a misaligned one at 0x800000. */
    {
        uint64_t *pml4 = (uint64_t *)(ram + b.cr3);
        uint64_t *pdpt = (uint64_t *)(ram + (pml4[0] & ~0xfffull));
        uint64_t *pd = (uint64_t *)(ram + (pdpt[0] & ~0xfffull));
        pd[3] = 0x200000 | PT_P | PT_RW | PT_US | PT_PS;
        pd[4] = 0x201000 | PT_P | PT_RW | PT_US | PT_PS;
    }
    m = (struct gmem){ .ram = ram, .ram_bytes = RAM, .iowin = iowin, .iowin_gpa = IOWIN_GPA,
                       .iowin_bytes = sizeof(iowin), .cr3 = b.cr3 };
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(ram);
    return 0;
}

static void translate_basic(void **state)
{
    uint8_t *h;
    uint64_t avail;
    (void)state;
    assert_int_equal(gmem_translate(&m, 0x200010, GMEM_USER, &h, &avail), 0);
    assert_ptr_equal(h, ram + 0x200010);
    assert_int_equal(avail, 4096 - 0x10);
    assert_int_equal(gmem_translate(&m, 0x300008, GMEM_USER | GMEM_WRITE, &h, &avail), 0);
    assert_ptr_equal(h, ram + 0x200008);
}

static void translate_refuses(void **state)
{
    uint8_t *h;
    uint64_t avail;
    (void)state;
    assert_int_equal(gmem_translate(&m, 0, GMEM_USER, &h, &avail), -XENIA_EFAULT);          /* not present */
    assert_int_equal(gmem_translate(&m, 0x1000, GMEM_USER | GMEM_WRITE, &h, &avail), -XENIA_EFAULT); /* RO */
    assert_int_equal(gmem_translate(&m, 0x1000, GMEM_USER, &h, &avail), 0);
    assert_int_equal(gmem_translate(&m, 0x3000, GMEM_USER, &h, &avail), -XENIA_EFAULT);     /* supervisor */
    assert_int_equal(gmem_translate(&m, 0x3000, 0, &h, &avail), 0);                        /* hv's own read */
    assert_int_equal(gmem_translate(&m, 0x400000, GMEM_USER, &h, &avail), -XENIA_EFAULT);   /* GPA beyond RAM */
    assert_int_equal(gmem_translate(&m, 0x800000000000ull, GMEM_USER, &h, &avail), -XENIA_EFAULT);
    assert_int_equal(gmem_translate(&m, 0xffff800000000000ull, GMEM_USER, &h, &avail), -XENIA_EFAULT);
    assert_int_equal(gmem_translate(&m, 0x800000, GMEM_USER, &h, &avail), -XENIA_EFAULT);   /* misaligned PS */
}

static void translate_large_and_iowin(void **state)
{
    uint8_t *h;
    uint64_t avail;
    (void)state;
    assert_int_equal(gmem_translate(&m, 0x600000 + 0x12345, GMEM_USER, &h, &avail), 0);
    assert_ptr_equal(h, ram + 0x200000 + 0x12345);
    assert_int_equal(avail, 0x200000 - 0x12345);
    assert_int_equal(gmem_translate(&m, IOWIN_GPA + 4100, GMEM_USER | GMEM_WRITE, &h, &avail), 0);
    assert_ptr_equal(h, iowin + 4100);
    assert_int_equal(avail, 4096 - 4);
}

static void ranges(void **state)
{
    uint8_t buf[64] = { 1, 2, 3 };
    (void)state;
    assert_int_equal(gmem_check_range(&m, 0x200ff0, 0x20, GMEM_USER | GMEM_WRITE), 0); /* spans pages */
    assert_int_equal(gmem_check_range(&m, 0x20fff0, 0x20, GMEM_USER), -XENIA_EFAULT);   /* runs off the end */
    assert_int_equal(gmem_check_range(&m, 0xfffffffffffff000ull, 0x2000, GMEM_USER), -XENIA_EFAULT); /* wraps */
    assert_int_equal(gmem_check_range(&m, 0x200000, GMEM_MAX_COPY + 1, GMEM_USER), -XENIA_EFAULT);
    assert_int_equal(gmem_check_range(&m, 0, 0, GMEM_USER), 0);                          /* empty range */
    assert_int_equal(gmem_copy_to(&m, 0x200ffe, buf, 3), 0);
    assert_int_equal(ram[0x200ffe], 1);
    assert_int_equal(ram[0x201000], 3);
    /* A write that is partly read-only writes nothing. */
    ram[0xfff] = 0x55;
    assert_int_equal(gmem_copy_to(&m, 0x1ffe, buf, 3), -XENIA_EFAULT);
    assert_int_equal(ram[0x1ffe], 0);
    assert_int_equal(gmem_copy_from(&m, buf, 0x2ff0, 32), -XENIA_EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(translate_basic),
        cmocka_unit_test(translate_refuses),
        cmocka_unit_test(translate_large_and_iowin),
        cmocka_unit_test(ranges),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
