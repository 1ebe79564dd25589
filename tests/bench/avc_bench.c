/* SPDX-License-Identifier: MIT */
/*
 * AVC latency benchmark (not a test): ns per avc_has_perm_noaudit() on a hit and on
 * a miss (a miss = flask_ss_compute + insert, with reclaim), and of flask_ss_compute
 * alone, each the median over RUNS batches of BATCH calls, timed with
 * clock_gettime(CLOCK_MONOTONIC). The policy is the unit tests' test policy
 * (tests/unit/flask_testpol.h) plus an MCS constraint, so a miss evaluates rules and
 * a constraint, as a real decision does.
 *
 *   make build/bench/avc_bench && build/bench/avc_bench
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tests/unit/flask_testpol.h"

#define RUNS  101
#define BATCH 4096
#define NSID  64          /* 64 x 64 keys: 4x AVC_ENTRIES, so a cycle over them misses */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_d);
    return v[n / 2];
}

static volatile uint32_t sink;

int main(void)
{
    struct policydb *p = tp_policy();
    tp_rule(p, T_DM, T_DM, C_EVENT, PDB_AV_ALLOW, 0, 0, PE_SEND | PE_STATUS);
    tp_sort(p);
    struct flask_ss *ss = tp_server(p);
    struct avc *a;
    if (avc_new(ss, &a)) {
        fprintf(stderr, "avc_new failed\n");
        return 1;
    }
    uint32_t sids[NSID];
    char ctx[64];
    for (uint32_t k = 0; k < NSID; k++) {
        snprintf(ctx, sizeof(ctx), "system_u:system_r:dm_t:s0:c%u", k);
        sids[k] = tp_sid(ss, ctx);
    }
    uint32_t he = tp_hclass("event"), send = tp_hperm("event", "send");
    double hit[RUNS], miss[RUNS], comp[RUNS];
    struct avc_stats st0, st1;

    /* hits: one hot key */
    avc_has_perm_noaudit(a, sids[1], sids[1], he, send, NULL, NULL);
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            sink += avc_has_perm_noaudit(a, sids[1], sids[1], he, send, NULL, NULL);
        hit[r] = (double)(now_ns() - t0) / BATCH;
    }

    /* misses: cycle over NSID*NSID keys, more than the cache holds */
    avc_get_stats(a, &st0);
    uint32_t key = 0;
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            sink += avc_has_perm_noaudit(a, sids[key % NSID], sids[(key / NSID) % NSID], he,
                                         send, NULL, NULL);
            key++;
        }
        miss[r] = (double)(now_ns() - t0) / BATCH;
    }
    avc_get_stats(a, &st1);

    /* the security server alone */
    key = 0;
    for (int r = 0; r < RUNS; r++) {
        uint64_t t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            sink += flask_ss_compute(ss, sids[key % NSID], sids[(key / NSID) % NSID], he, NULL);
            key++;
        }
        comp[r] = (double)(now_ns() - t0) / BATCH;
    }

    uint64_t lk = st1.lookups - st0.lookups, ms = st1.misses - st0.misses;
    printf("avc hit:            %8.1f ns (median of %d x %d)\n", median(hit, RUNS), RUNS, BATCH);
    printf("avc miss:           %8.1f ns (median of %d x %d; %.1f%% of these lookups missed, "
           "%llu reclaimed)\n", median(miss, RUNS), RUNS, BATCH,
           lk ? 100.0 * (double)ms / (double)lk : 0.0,
           (unsigned long long)(st1.reclaims - st0.reclaims));
    printf("flask_ss_compute:   %8.1f ns (median of %d x %d)\n", median(comp, RUNS), RUNS, BATCH);
    avc_free(a);
    flask_ss_free(ss);
    return 0;
}
