/* SPDX-License-Identifier: MIT */
/*
 * Guest heap allocator: first-fit over an address-ordered free list, with
 * coalescing of neighbours on free (K&R §8.7 style), 16-byte alignment.
 * Every block starts with a 16-byte header; `size` counts the header.
 * A used block's `link` holds USED_TAG ^ its own address, so that free() of a
 * foreign pointer or a double free is detected and panics the domain.
 */
#include <xenia/guest.h>

#define ALIGN    16u
#define HDR      16u
#define MIN_BLK  32u                 /* header + 16 bytes */
#define USED_TAG 0x5845414c4c4f4321ull

struct blk {
    size_t size;          /* bytes in this block, header included, multiple of ALIGN */
    uintptr_t link;       /* free: next free block (0 = end); used: USED_TAG ^ self */
};

static uintptr_t heap_lo, heap_hi;   /* [heap_lo, heap_hi) */
static struct blk *free_head;

void xenia_heap_init(void *base, size_t bytes)
{
    uintptr_t lo = ((uintptr_t)base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
    uintptr_t end = (uintptr_t)base + bytes;

    free_head = NULL;
    heap_lo = heap_hi = 0;
    if (bytes == 0 || end < (uintptr_t)base || lo >= end)
        return;
    end &= ~(uintptr_t)(ALIGN - 1);
    if (end - lo < MIN_BLK)
        return;
    heap_lo = lo;
    heap_hi = end;
    free_head = (struct blk *)lo;
    free_head->size = end - lo;
    free_head->link = 0;
}

size_t xenia_heap_free_bytes(void)
{
    size_t n = 0;

    for (struct blk *b = free_head; b != NULL; b = (struct blk *)b->link)
        n += b->size;
    return n;
}

/* Block size for an n-byte request, or 0 if it overflows. */
static size_t block_size(size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - HDR - (ALIGN - 1))
        return 0;
    return (n + HDR + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

void *malloc(size_t n)
{
    size_t need = block_size(n);
    struct blk *b, *prev = NULL;

    if (need == 0)
        return NULL;
    for (b = free_head; b != NULL; prev = b, b = (struct blk *)b->link) {
        if (b->size < need)
            continue;
        uintptr_t next = b->link;
        if (b->size - need >= MIN_BLK) {   /* split: the tail stays free */
            struct blk *rest = (struct blk *)((uintptr_t)b + need);
            rest->size = b->size - need;
            rest->link = next;
            next = (uintptr_t)rest;
            b->size = need;
        }
        if (prev != NULL)
            prev->link = next;
        else
            free_head = (struct blk *)next;
        b->link = USED_TAG ^ (uintptr_t)b;
        return (char *)b + HDR;
    }
    return NULL;
}

/* Header of a pointer malloc returned, or NULL if p is not one. */
static struct blk *used_block(void *p)
{
    uintptr_t a = (uintptr_t)p;

    if ((a & (ALIGN - 1)) != 0 || a < heap_lo + HDR || a >= heap_hi)
        return NULL;
    struct blk *b = (struct blk *)(a - HDR);
    if (b->link != (USED_TAG ^ (uintptr_t)b) || b->size < MIN_BLK ||
        b->size > heap_hi - (uintptr_t)b)
        return NULL;
    return b;
}

void free(void *p)
{
    struct blk *b, *prev = NULL, *cur;

    if (p == NULL)
        return;
    b = used_block(p);
    if (b == NULL)
        xenia_panic("free(%p): not an allocated block (double free or heap corruption)", p);
    for (cur = free_head; cur != NULL && cur < b; prev = cur, cur = (struct blk *)cur->link)
        ;
    /* Insert between prev and cur, then merge with each neighbour that touches. */
    b->link = (uintptr_t)cur;
    if (cur != NULL && (uintptr_t)b + b->size == (uintptr_t)cur) {
        b->size += cur->size;
        b->link = cur->link;
    }
    if (prev != NULL) {
        if ((uintptr_t)prev + prev->size == (uintptr_t)b) {
            prev->size += b->size;
            prev->link = b->link;
        } else {
            prev->link = (uintptr_t)b;
        }
    } else {
        free_head = b;
    }
}

void *calloc(size_t nmemb, size_t size)
{
    size_t n;
    void *p;

    if (__builtin_mul_overflow(nmemb, size, &n))
        return NULL;
    p = malloc(n);
    if (p != NULL)
        memset(p, 0, n);
    return p;
}

void *realloc(void *p, size_t n)
{
    struct blk *b;
    void *q;

    if (p == NULL)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    b = used_block(p);
    if (b == NULL)
        xenia_panic("realloc(%p): not an allocated block", p);
    if (b->size - HDR >= n)
        return p;
    q = malloc(n);
    if (q == NULL)
        return NULL;
    memcpy(q, p, b->size - HDR);
    free(p);
    return q;
}
