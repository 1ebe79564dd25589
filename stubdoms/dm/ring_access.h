/* SPDX-License-Identifier: MIT */
/*
 * Index accesses on a ring shared with the guest (include/xenia/io.h ring protocol;
 * Xen public/io/ring.h uses the same acquire/release pairs): the consumer reads the
 * producer index with acquire, publishes its own index with release. Shared by
 * consback.c and blkback.c. Frama-C (proofs/rings) sees the same values without
 * the memory ordering, which its sequential model lacks.
 */
#ifndef XENIA_DM_RING_ACCESS_H
#define XENIA_DM_RING_ACCESS_H

#include <stdint.h>

/* *p, ordered before the loads that follow (the peer's producer index). */
/*@ requires \valid_read(p);
  @ assigns \nothing;
  @ ensures \result == *p;
  @*/
static inline uint32_t load_acquire(const uint32_t *p)
{
#ifdef __FRAMAC__
    return *p;
#else
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
#endif
}

/* *p read once, no ordering (a value only compared, e.g. the peer's state). */
/*@ requires \valid_read(p);
  @ assigns \nothing;
  @ ensures \result == *p;
  @*/
static inline uint32_t load_once(const uint32_t *p)
{
#ifdef __FRAMAC__
    return *p;
#else
    return __atomic_load_n(p, __ATOMIC_RELAXED);
#endif
}

/* *p = v, ordered after the stores before it (publishing an index). */
/*@ requires \valid(p);
  @ assigns *p;
  @ ensures *p == v;
  @*/
static inline void store_release(uint32_t *p, uint32_t v)
{
#ifdef __FRAMAC__
    *p = v;
#else
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
#endif
}

#endif /* XENIA_DM_RING_ACCESS_H */
