/* SPDX-License-Identifier: MIT */
/*
 * Grant tables between two domains (run by tests/integration/stubdom.sh). Command line:
 *   granter peer=D   set up a grant table, grant one page to D (ref 5) with a
 *                    pattern, print "GREF 5 READY", wait for D's reply written
 *                    into the page, check that ending access fails while D maps
 *                    it, then revoke once D has unmapped
 *   mapper peer=D    map (D, ref 5), check the pattern, write a reply, copy through
 *                    the grant, keep the mapping 2 s, unmap, then wait until the
 *                    grant is revoked (map fails with EACCES)
 *   attack peer=D    (another tenant) map and copy D's refs 0..63: all refused
 */
#include "peer_common.h"

#define REF 5u

static struct xenia_grant_entry table[512] __attribute__((aligned(4096)));
static char page[4096] __attribute__((aligned(4096)));

static void granter(uint32_t peer)
{
    struct xenia_gnttab_setup_table su = { XENIA_GVA(table), 1, 0 };
    struct xenia_gnttab_setup_table bad = { XENIA_GVA(table) + 8, 1, 0 };
    struct xenia_gnttab_query_size q = { 0, 0 };
    volatile char *pg = page;
    uint64_t end;
    int busy_seen = 0;

    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_setup_table, &bad), -XENIA_EINVAL,
                "setup_table unaligned");
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_setup_table, &su), 0, "setup_table");
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_query_size, &q), 0, "query_size");
    xt_check_eq(q.nr_frames, 1, "nr_frames");
    memcpy(page, "GRANT-PATTERN-1234", 19);
    xenia_gnttab_grant(&table[REF], (uint16_t)peer, (uint32_t)(XENIA_GVA(page) >> 12), 0);
    printf("GREF %u READY\n", REF);
    xenia_console_flush();
    end = xenia_now_ns() + 60 * SEC;
    while (memcmp((const char *)pg, "WRITTEN-BY-PEER", 15) != 0 && xenia_now_ns() < end)
        peer_sleep(SEC / 100);
    xt_check(memcmp((const char *)pg, "WRITTEN-BY-PEER", 15) == 0, "the peer wrote through its mapping");
    puts("PEER WROTE");
    if (!xenia_gnttab_end_access(&table[REF])) {
        busy_seen = 1;
        puts("END-ACCESS BUSY");
    }
    xt_check(busy_seen, "ending access fails while the peer maps the page");
    end = xenia_now_ns() + 60 * SEC;
    while (!xenia_gnttab_end_access(&table[REF]) && xenia_now_ns() < end)
        peer_sleep(SEC / 100);
    xt_check_eq(table[REF].flags, 0, "access ended after the peer unmapped");
    puts("REVOKED");
    peer_sleep(3 * SEC);   /* the mapper checks that it is refused now */
}

static void mapper(uint32_t peer)
{
    struct xenia_gnttab_map m = { XENIA_GNTMAP_GPA, 0, REF, peer, 0 };
    struct xenia_gnttab_map bad = { XENIA_GNTMAP_GPA + 4096, 0, REF + 1, peer, 0 };
    struct xenia_gnttab_map busy = { XENIA_GNTMAP_GPA, 0, REF, peer, 0 };
    struct xenia_gnttab_unmap um = { 0, 0 };
    struct xenia_gnttab_copy cp = { 0, peer, REF, 6, 7, 0, 0 };
    char buf[16] = { 0 };
    uint64_t end;
    long rc = -1;

    /* The granter may not be ready yet: retry until its grant appears. */
    end = xenia_now_ns() + 60 * SEC;
    while ((rc = xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &m)) < 0 &&
           xenia_now_ns() < end)
        peer_sleep(SEC / 20);
    xt_check_eq(rc, 0, "map_grant_ref");
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &busy), -XENIA_EBUSY,
                "map over an address in use");
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &bad), -XENIA_EACCES,
                "map a ref that is not granted");
    bad.ref = 100000;
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &bad), -XENIA_EINVAL,
                "map a ref beyond the table");
    bad.ref = REF;
    bad.host_addr = 0x300000;
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &bad), -XENIA_EINVAL,
                "map outside the grant-map area");
    volatile char *gp = xenia_gva_ptr(XENIA_GNTMAP_GPA);
    xt_check(memcmp((const char *)gp, "GRANT-PATTERN-1234", 19) == 0, "pattern through the mapping");
    cp.gva = XENIA_GVA(buf);
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_copy, &cp), 0, "copy from the grant");
    xt_check(memcmp(buf, "PATTERN", 7) == 0, "copied bytes");
    memcpy((char *)gp, "WRITTEN-BY-PEER", 16);
    puts("MAPPED AND WROTE");
    peer_sleep(2 * SEC);
    um.handle = m.handle;
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_unmap_grant_ref, &um), 0, "unmap");
    xt_check_eq(xenia_grant_table_op(XENIA_GNTTABOP_unmap_grant_ref, &um), -XENIA_EINVAL,
                "unmap twice");
    end = xenia_now_ns() + 60 * SEC;
    while ((rc = xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &m)) == 0 &&
           xenia_now_ns() < end) {
        um.handle = m.handle;
        xenia_grant_table_op(XENIA_GNTTABOP_unmap_grant_ref, &um);
        peer_sleep(SEC / 20);
    }
    xt_check_eq(rc, -XENIA_EACCES, "map after revocation");
    puts("REVOCATION SEEN");
}

static void attack(uint32_t peer)
{
    int ok = 0;
    char buf[64];

    for (uint32_t ref = 0; ref < 64; ref++) {
        struct xenia_gnttab_map m = { XENIA_GNTMAP_GPA + ref * 4096ull, 0, ref, peer, 0 };
        struct xenia_gnttab_map r = { XENIA_GNTMAP_GPA + ref * 4096ull, XENIA_GNTMAP_readonly,
                                      ref, peer, 0 };
        struct xenia_gnttab_copy c = { XENIA_GVA(buf), peer, ref, 0, 64, 0, 0 };
        if (xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &m) >= 0)
            ok++;
        if (xenia_grant_table_op(XENIA_GNTTABOP_map_grant_ref, &r) >= 0)
            ok++;
        if (xenia_grant_table_op(XENIA_GNTTABOP_copy, &c) >= 0)
            ok++;
    }
    xt_check_eq(ok, 0, "maps and copies of the other tenant's refs 0..63");
    puts("ATTACK DENIED");
}

int main(void)
{
    uint32_t peer = (uint32_t)peer_arg("peer", 0);

    if (peer_flag("granter"))
        granter(peer);
    else if (peer_flag("mapper"))
        mapper(peer);
    else if (peer_flag("attack"))
        attack(peer);
    else
        xt_check(0, "no role on the command line: %s", xenia_cmdline());
    xt_done();
}
