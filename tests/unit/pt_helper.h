/* SPDX-License-Identifier: MIT */
/*
 * Test helper: build 4-level identity page tables inside a RAM buffer so that
 * hv's guest-memory code can be exercised without KVM. Tables are allocated
 * from a bump pointer starting at @next (GPA) and must stay below 2 MiB.
 */
#ifndef TEST_PT_HELPER_H
#define TEST_PT_HELPER_H

#include <stdint.h>
#include <string.h>

#define PT_P  0x1ull
#define PT_RW 0x2ull
#define PT_US 0x4ull
#define PT_PS 0x80ull

struct pt_builder {
    uint8_t *ram;
    uint64_t next;   /* next free page-table GPA */
    uint64_t cr3;
};

static inline uint64_t pt_alloc(struct pt_builder *b)
{
    uint64_t gpa = b->next;
    memset(b->ram + gpa, 0, 4096);
    b->next += 4096;
    return gpa;
}

static inline void pt_init(struct pt_builder *b, uint8_t *ram, uint64_t first_table)
{
    b->ram = ram;
    b->next = first_table;
    b->cr3 = pt_alloc(b);
}

/* Map one 4 KiB page gva -> gpa with @flags (PT_RW, PT_US); upper levels get P|RW|US. */
static inline void pt_map4k(struct pt_builder *b, uint64_t gva, uint64_t gpa, uint64_t flags)
{
    uint64_t table = b->cr3;
    for (int level = 4; level > 1; level--) {
        unsigned idx = (unsigned)((gva >> (12 + 9 * (level - 1))) & 511);
        uint64_t *e = (uint64_t *)(b->ram + table) + idx;
        if (!(*e & PT_P))
            *e = pt_alloc(b) | PT_P | PT_RW | PT_US;
        table = *e & 0x000ffffffffff000ull;
    }
    ((uint64_t *)(b->ram + table))[(gva >> 12) & 511] = (gpa & ~0xfffull) | PT_P | flags;
}

/* Map [gva, gva+len) identity with @flags in 4 KiB pages. */
static inline void pt_map_range(struct pt_builder *b, uint64_t gva, uint64_t len, uint64_t flags)
{
    for (uint64_t a = gva; a < gva + len; a += 4096)
        pt_map4k(b, a, a, flags);
}

#endif
