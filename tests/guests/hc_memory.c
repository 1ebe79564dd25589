// expect-shutdown: poweroff
// expect-console: Test result: SUCCESS
// timeout: 20
/* SPDX-License-Identifier: MIT */
/*
 * memory_op (hypercall.h): current_reservation and memory_map (capacity, -E2BIG
 * with the needed count, -EINVAL above XENIA_MEMMAP_MAX, bad structure and
 * buffer addresses), and that the map agrees with the start-info page.
 */
#include "hc_common.h"

#define REG_SIZE sizeof(struct xenia_mem_region)

static struct xenia_mem_region buf[XENIA_MEMMAP_MAX + 1];
static const struct xenia_mem_region ro_regions[XENIA_MEMMAP_MAX];
static const struct xenia_memory_map ro_map = {
    .nr_entries = XENIA_MEMMAP_MAX, .pad = 0, .buffer = (uint64_t)(uintptr_t)buf,
};

static long memory_map(struct xenia_memory_map *m)
{
    return xenia_memory_op(XENIA_XENMEM_memory_map, XENIA_GVA(m));
}

static int all_bytes(const void *p, size_t n, uint8_t c)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        if (b[i] != c)
            return 0;
    return 1;
}

/* Is [lo, hi) inside the union of the RAM regions (sorted, so adjacent ones merge)? */
static int ram_covers(const struct xenia_mem_region *r, uint32_t n, uint64_t lo, uint64_t hi)
{
    uint64_t run_lo = 0, run_hi = 0;

    for (uint32_t i = 0; i < n; i++) {
        if (r[i].type != XENIA_MEMTYPE_RAM)
            continue;
        if (r[i].gpa != run_hi) {
            run_lo = r[i].gpa;
        }
        run_hi = r[i].gpa + r[i].bytes;
        if (lo >= run_lo && hi <= run_hi)
            return 1;
    }
    return 0;
}

static void check_map(const struct xenia_mem_region *r, uint32_t n, long pages)
{
    const struct xenia_start_info *si = xenia_start_info();
    unsigned n_si = 0, n_shared = 0, n_iowin = 0;
    uint64_t prev_end = 0, ram_pages = 0;

    xt_check(n >= 3 && n <= XENIA_MEMMAP_MAX, "%u regions", n);
    for (uint32_t i = 0; i < n; i++) {
        const struct xenia_mem_region *e = &r[i];
        uint64_t end = e->gpa + e->bytes;

        printf("  region %u: [%#llx, %#llx) type %u\n", i, (unsigned long long)e->gpa,
               (unsigned long long)end, e->type);
        xt_check(e->pad == 0, "region %u pad %u", i, e->pad);
        xt_check(e->bytes > 0 && (e->gpa | e->bytes) % XENIA_PAGE_SIZE == 0 && end > e->gpa,
                 "region %u is empty, unaligned or wraps", i);
        xt_check(e->type >= XENIA_MEMTYPE_RAM && e->type <= XENIA_MEMTYPE_GNTMAP,
                 "region %u type %u", i, e->type);
        xt_check(e->gpa >= prev_end, "region %u overlaps or is out of order", i);
        prev_end = end;
        switch (e->type) {
        case XENIA_MEMTYPE_START_INFO:
            n_si++;
            xt_check(e->gpa == XENIA_START_INFO_GPA && e->bytes == XENIA_PAGE_SIZE,
                     "start-info region [%#llx,+%#llx)", (unsigned long long)e->gpa,
                     (unsigned long long)e->bytes);
            break;
        case XENIA_MEMTYPE_SHARED:
            n_shared++;
            xt_check(e->gpa == si->shared_page && e->bytes == XENIA_PAGE_SIZE,
                     "shared region [%#llx,+%#llx)", (unsigned long long)e->gpa,
                     (unsigned long long)e->bytes);
            break;
        case XENIA_MEMTYPE_IOWIN:
            n_iowin++;
            xt_check(e->gpa == si->iowin_gpa && e->bytes == si->iowin_bytes,
                     "I/O window region [%#llx,+%#llx)", (unsigned long long)e->gpa,
                     (unsigned long long)e->bytes);
            break;
        case XENIA_MEMTYPE_GNTMAP:
            xt_check(e->gpa == XENIA_GNTMAP_GPA &&
                     e->bytes == (uint64_t)XENIA_GNTMAP_PAGES * XENIA_PAGE_SIZE,
                     "grant-map region [%#llx,+%#llx)", (unsigned long long)e->gpa,
                     (unsigned long long)e->bytes);
            break;
        default:
            xt_check(end <= si->ram_bytes, "region %u ends at %#llx beyond RAM", i,
                     (unsigned long long)end);
            ram_pages += e->bytes / XENIA_PAGE_SIZE;
            break;
        }
    }
    xt_check_eq(n_si, 1, "start-info regions");
    xt_check_eq(n_shared, 1, "shared regions");
    xt_check_eq(n_iowin, si->iowin_bytes ? 1 : 0, "I/O window regions");
    xt_check(ram_pages + 2 <= (uint64_t)pages, "map has %llu pages of RAM, reservation %ld",
             (unsigned long long)ram_pages, pages);
    xt_check(ram_covers(r, n, si->image_start, si->image_end), "RAM covers the image");
    xt_check(ram_covers(r, n, si->heap_start, si->heap_end), "RAM covers the heap");
    xt_check(ram_covers(r, n, si->stack_top - si->stack_bytes, si->stack_top), "RAM covers the stack");
}

int main(void)
{
    const struct xenia_start_info *si = xenia_start_info();
    struct xenia_memory_map m;
    struct xenia_mem_region full[XENIA_MEMMAP_MAX];
    uint64_t guard = hc_guard_page();
    long pages, rc;
    uint32_t n;

    pages = xenia_memory_op(XENIA_XENMEM_current_reservation, 0);
    xt_check_eq(pages, (long)(si->ram_bytes / XENIA_PAGE_SIZE), "current_reservation");
    xt_check_eq(xenia_memory_op(XENIA_XENMEM_current_reservation, 1), -XENIA_EINVAL,
                "current_reservation arg 1");

    /* Full map. */
    m = (struct xenia_memory_map){ XENIA_MEMMAP_MAX, 0, XENIA_GVA(buf) };
    rc = memory_map(&m);
    xt_check_eq(rc, 0, "memory_map with capacity MAX");
    n = m.nr_entries;
    if (rc != 0 || n > XENIA_MEMMAP_MAX)
        n = 0;
    memcpy(full, buf, sizeof(full));
    check_map(full, n, pages);

    /* Exact capacity. */
    m = (struct xenia_memory_map){ n, 0, XENIA_GVA(buf) };
    xt_check_eq(memory_map(&m), 0, "memory_map with capacity == needed");
    xt_check_eq(m.nr_entries, n, "nr_entries with exact capacity");

    /* Capacity 1: first region written, -E2BIG, nr_entries = needed. */
    memset(buf, 0x5a, sizeof(buf));
    m = (struct xenia_memory_map){ 1, 0, XENIA_GVA(buf) };
    xt_check_eq(memory_map(&m), -XENIA_E2BIG, "memory_map with capacity 1");
    xt_check_eq(m.nr_entries, n, "needed count with capacity 1");
    xt_check(memcmp(&buf[0], &full[0], REG_SIZE) == 0, "capacity 1 wrote the first region");
    xt_check(all_bytes(&buf[1], REG_SIZE, 0x5a), "capacity 1 wrote only one region");

    /* Capacity 0: nothing written. */
    memset(buf, 0x5a, sizeof(buf));
    m = (struct xenia_memory_map){ 0, 0, XENIA_GVA(buf) };
    xt_check_eq(memory_map(&m), -XENIA_E2BIG, "memory_map with capacity 0");
    xt_check_eq(m.nr_entries, n, "needed count with capacity 0");
    xt_check(all_bytes(buf, sizeof(buf), 0x5a), "capacity 0 wrote nothing");

    /* Bad capacity and padding: -EINVAL, nothing written. */
    m = (struct xenia_memory_map){ XENIA_MEMMAP_MAX + 1, 0, XENIA_GVA(buf) };
    xt_check_eq(memory_map(&m), -XENIA_EINVAL, "capacity MAX+1");
    xt_check_eq(m.nr_entries, XENIA_MEMMAP_MAX + 1, "nr_entries untouched on -EINVAL");
    m = (struct xenia_memory_map){ 0xffffffffu, 0, XENIA_GVA(buf) };
    xt_check_eq(memory_map(&m), -XENIA_EINVAL, "capacity 0xffffffff");
    m = (struct xenia_memory_map){ XENIA_MEMMAP_MAX, 1, XENIA_GVA(buf) };
    xt_check_eq(memory_map(&m), -XENIA_EINVAL, "pad 1");
    xt_check(all_bytes(buf, sizeof(buf), 0x5a), "nothing written on -EINVAL");

    /* Bad structure addresses (IN/OUT: must be writable). */
#define MM(gva) xenia_memory_op(XENIA_XENMEM_memory_map, (gva))
    xt_check_eq(MM(BAD_NULL), -XENIA_EFAULT, "map struct NULL");
    xt_check_eq(MM(BAD_PAGE0), -XENIA_EFAULT, "map struct page 0");
    xt_check_eq(MM(BAD_BUILDER), -XENIA_EFAULT, "map struct in the builder area");
    xt_check_eq(MM(XENIA_GVA(&ro_map)), -XENIA_EFAULT, "map struct in rodata (read-only)");
    xt_check(all_bytes(buf, sizeof(buf), 0x5a), "nothing written for a read-only map struct");
    xt_check_eq(MM(guard), -XENIA_EFAULT, "map struct in the guard page");
    memcpy((void *)(uintptr_t)(guard - 8), &ro_map, 8);
    xt_check_eq(MM(guard - 8), -XENIA_EFAULT, "map struct running into the guard page");
    xt_check_eq(MM(0xfffffffffffffff8ull), -XENIA_EFAULT, "map struct that wraps");
    xt_check_eq(MM(BAD_NONCANON), -XENIA_EFAULT, "map struct non-canonical");

    /* Bad buffers (OUT). */
    struct { uint64_t gva; const char *what; } bufs[] = {
        { BAD_NULL, "NULL" },
        { BAD_PAGE0, "page 0" },
        { XENIA_START_INFO_GPA, "start-info page (read-only)" },
        { XENIA_GVA(ro_regions), "rodata" },
        { XENIA_GVA(&main), "text" },
        { BAD_BUILDER, "builder area" },
        { guard, "guard page" },
        { guard - REG_SIZE, "running into the guard page" },
        { 0xffffffffffffff00ull, "wrapping" },
        { BAD_NONCANON, "non-canonical" },
    };
    for (unsigned i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        m = (struct xenia_memory_map){ XENIA_MEMMAP_MAX, 0, bufs[i].gva };
        rc = memory_map(&m);
        xt_check(rc == -XENIA_EFAULT, "buffer %s: rc %ld", bufs[i].what, rc);
        xt_check(m.nr_entries == XENIA_MEMMAP_MAX, "buffer %s: nr_entries changed to %u",
                 bufs[i].what, m.nr_entries);
    }
    xt_check(all_bytes(ro_regions, sizeof(ro_regions), 0), "rodata unchanged");
#undef MM

    /* Commands. */
    m = (struct xenia_memory_map){ XENIA_MEMMAP_MAX, 0, XENIA_GVA(buf) };
    xt_check_eq(xenia_memory_op(2, XENIA_GVA(&m)), -XENIA_EINVAL, "cmd 2");
    xt_check_eq(xenia_memory_op(XENIA_XENMEM_memory_map | (1ull << 32), XENIA_GVA(&m)),
                -XENIA_EINVAL, "memory_map | 1<<32");
    xt_check_eq(xenia_memory_op(XENIA_XENMEM_current_reservation | (1ull << 32), 0),
                -XENIA_EINVAL, "current_reservation | 1<<32");
    xt_check_eq(xenia_memory_op(~0ull, 0), -XENIA_EINVAL, "cmd ~0");
    xt_done();
}
