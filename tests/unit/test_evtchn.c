/* SPDX-License-Identifier: MIT */
/* Event channel table and grant table checks (hv/evtchn_table.c, hv/gnttab_check.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <xenia/hypercall.h>
#include <xenia/layout.h>
#include <xenia/start_info.h>

#include "../../hv/evtchn.h"
#include "../../hv/gnttab.h"

static void test_fixed_ports(void **state)
{
    struct evtchn_table t;
    struct xenia_evtchn_status st;

    (void)state;
    evtchn_table_init(&t);
    assert_int_equal(evtchn_table_status(&t, XENIA_PORT_CONSOLE, &st), 0);
    assert_int_equal(st.status, XENIA_EVTCHNSTAT_virq);
    assert_int_equal(evtchn_table_status(&t, XENIA_PORT_BLK, &st), 0);
    assert_int_equal(st.status, XENIA_EVTCHNSTAT_stubdom);
    assert_int_equal(evtchn_table_status(&t, XENIA_PORT_FIRST_DYNAMIC, &st), 0);
    assert_int_equal(st.status, XENIA_EVTCHNSTAT_closed);
    assert_int_equal(evtchn_table_status(&t, 0, &st), -XENIA_EINVAL);
    assert_int_equal(evtchn_table_status(&t, XENIA_EVTCHN_PORTS, &st), -XENIA_EINVAL);
    assert_int_equal(evtchn_table_status(&t, 0xffffffffu, &st), -XENIA_EINVAL);
    assert_null(evtchn_table_get(&t, 0));
    assert_null(evtchn_table_get(&t, XENIA_EVTCHN_PORTS));
    assert_non_null(evtchn_table_get(&t, XENIA_EVTCHN_PORTS - 1));
}

static void test_alloc_and_bind(void **state)
{
    struct evtchn_table a;
    struct xenia_evtchn_status st;
    int p, q;

    (void)state;
    evtchn_table_init(&a);
    p = evtchn_table_alloc(&a, 7);
    assert_int_equal(p, XENIA_PORT_FIRST_DYNAMIC);
    q = evtchn_table_alloc(&a, 9);
    assert_int_equal(q, XENIA_PORT_FIRST_DYNAMIC + 1);
    assert_int_equal(evtchn_table_status(&a, (uint32_t)p, &st), 0);
    assert_int_equal(st.status, XENIA_EVTCHNSTAT_unbound);
    assert_int_equal(st.remote_dom, 7);
    /* Only the named domain may bind, only unbound ports, only in range. */
    assert_int_equal(evtchn_table_bindable(&a, (uint32_t)p, 7), 0);
    assert_int_equal(evtchn_table_bindable(&a, (uint32_t)p, 9), -XENIA_EINVAL);
    assert_int_equal(evtchn_table_bindable(&a, (uint32_t)q, 9), 0);
    assert_int_equal(evtchn_table_bindable(&a, XENIA_PORT_CONSOLE, 7), -XENIA_EINVAL);
    assert_int_equal(evtchn_table_bindable(&a, XENIA_PORT_BLK, 0), -XENIA_EINVAL);
    assert_int_equal(evtchn_table_bindable(&a, XENIA_EVTCHN_PORTS + 5, 7), -XENIA_EINVAL);
    a.port[p].state = ECS_INTERDOMAIN;
    assert_int_equal(evtchn_table_bindable(&a, (uint32_t)p, 7), -XENIA_EINVAL);
}

static void test_alloc_exhaustion(void **state)
{
    struct evtchn_table t;
    int n = 0;

    (void)state;
    evtchn_table_init(&t);
    while (evtchn_table_alloc(&t, 3) >= 0)
        n++;
    assert_int_equal(n, XENIA_EVTCHN_PORTS - XENIA_PORT_FIRST_DYNAMIC);
    assert_int_equal(evtchn_table_alloc(&t, 3), -XENIA_ENOSPC);
    t.port[100].state = ECS_FREE;
    assert_int_equal(evtchn_table_alloc(&t, 3), 100);
}

static void test_gnttab_setup(void **state)
{
    const uint64_t ram = 16ull << 20;

    (void)state;
    assert_int_equal(gnttab_check_setup(0x300000, 1, ram), 0);
    assert_int_equal(gnttab_check_setup(0x300000, 0, ram), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_setup(0x300000, XENIA_GNTTAB_FRAMES + 1, ram), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_setup(0x300010, 1, ram), -XENIA_EINVAL);      /* unaligned */
    assert_int_equal(gnttab_check_setup(XENIA_SHARED_PAGE_GPA, 1, ram), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_setup(ram - 4096, 1, ram), 0);
    assert_int_equal(gnttab_check_setup(ram, 1, ram), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_setup(0xfffffffffffff000ull, 1, ram), -XENIA_EINVAL);
}

static void test_gnttab_entry(void **state)
{
    const uint64_t ram = 16ull << 20;
    struct xenia_grant_entry e = { XENIA_GTF_permit_access, 5, 0x300 };

    (void)state;
    assert_int_equal(gnttab_check_entry(&e, 5, 0, ram), 0);
    assert_int_equal(gnttab_check_entry(&e, 5, 1, ram), 0);
    assert_int_equal(gnttab_check_entry(&e, 6, 1, ram), -XENIA_EACCES);  /* other domain */
    e.flags |= XENIA_GTF_readonly;
    assert_int_equal(gnttab_check_entry(&e, 5, 1, ram), 0);
    assert_int_equal(gnttab_check_entry(&e, 5, 0, ram), -XENIA_EACCES);  /* write a RO grant */
    e.flags = 0;
    assert_int_equal(gnttab_check_entry(&e, 5, 1, ram), -XENIA_EACCES);  /* revoked */
    e.flags = XENIA_GTF_permit_access;
    e.frame = XENIA_SHARED_PAGE_GPA >> 12;                                 /* hv's pages */
    assert_int_equal(gnttab_check_entry(&e, 5, 1, ram), -XENIA_EACCES);
    e.frame = (uint32_t)(ram >> 12);                                       /* past RAM */
    assert_int_equal(gnttab_check_entry(&e, 5, 1, ram), -XENIA_EACCES);
    e.frame = (uint32_t)(ram >> 12) - 1;
    assert_int_equal(gnttab_check_entry(&e, 5, 1, ram), 0);
}

static void test_gnttab_map_addr_and_copy(void **state)
{
    (void)state;
    assert_int_equal(gnttab_check_map_addr(XENIA_GNTMAP_GPA), 0);
    assert_int_equal(gnttab_check_map_addr(XENIA_GNTMAP_GPA + 5 * 4096), 5);
    assert_int_equal(gnttab_check_map_addr(XENIA_GNTMAP_GPA + 1), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_map_addr(XENIA_GNTMAP_GPA - 4096), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_map_addr(XENIA_GNTMAP_GPA + XENIA_GNTMAP_PAGES * 4096ull),
                     -XENIA_EINVAL);
    assert_int_equal(gnttab_check_map_addr(0), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_copy(0, 4096), 0);
    assert_int_equal(gnttab_check_copy(4095, 1), 0);
    assert_int_equal(gnttab_check_copy(4095, 2), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_copy(0, 0), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_copy(0xffffffffu, 2), -XENIA_EINVAL);
    assert_int_equal(gnttab_check_copy(1, 0xffffffffu), -XENIA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixed_ports),
        cmocka_unit_test(test_alloc_and_bind),
        cmocka_unit_test(test_alloc_exhaustion),
        cmocka_unit_test(test_gnttab_setup),
        cmocka_unit_test(test_gnttab_entry),
        cmocka_unit_test(test_gnttab_map_addr_and_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
