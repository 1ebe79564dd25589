/* SPDX-License-Identifier: MIT */
/*
 * Information-flow analysis over a compiled policy (pure; used by `xenia-policy
 * analyze|check-isolation` and, for the isolation claim, by xenia-verify).
 *
 * Model (after setools' infoflow analysis, apol permission maps): nodes are
 * security contexts; an edge S -> T exists when S holds, on T, a permission that its
 * class declares write-like (`infoflow CLASS write { ... };`), and T -> S when it is
 * read-like. Decisions are the security server's (ss_compute_av: type enforcement AND
 * constraints, so MCS categories count). Conditional rules count in both branches
 * (a boolean may be flipped at run time): the result is an over-approximation.
 *
 * The node universe: every (user, role, type) the policy authorises, at every level
 * in L = { levels of the login contexts, of the initial SID contexts, the users'
 * default levels and range ends, and of the queried contexts }, keeping only valid
 * contexts. Contexts of types in the attribute `xenia_tcb` (the measured host: hv,
 * builder, console daemon, toolstack) are trusted: they may be endpoints but flows
 * are not followed through them. Stated in docs/policy.md.
 */
#ifndef XENIA_POLICY_ANALYZE_H
#define XENIA_POLICY_ANALYZE_H

#include "policy/policydb.h"

#define AN_TCB_ATTR    "xenia_tcb"
#define AN_MAX_PATH    32u

struct an_step {                  /* one edge of a flow path */
    struct pdb_context from, to;
    uint16_t tclass;              /* policy class index */
    uint32_t perm;                /* the one permission bit that carries the flow */
    uint8_t  read;                /* 1: `to` reads `from` (read-like perm of to on from) */
};

struct an_path {
    uint32_t       nsteps;        /* 0 when no flow */
    struct an_step step[AN_MAX_PATH];
};

/*
 * an_flow — can information flow from a to b (directly or transitively)?
 * Returns 1 (flow; *path, if not NULL, gets one shortest path), 0 (no flow), or
 * -EINVAL (a or b invalid under p), -E2BIG (node universe beyond 65536 contexts),
 * -ENOMEM.
 */
int an_flow(const struct policydb *p, const struct pdb_context *a, const struct pdb_context *b,
            struct an_path *path);

/*
 * an_check_isolation — the tenants are the distinct contexts of `login` entries
 * whose type is not in xenia_tcb. For every ordered pair (A, B) of distinct tenants,
 * an_flow(A, B). Returns the number of pairs with a flow (0: isolated) or a negative
 * errno; report (if not NULL) receives one line per pair checked:
 *   "isolated  A -> B" or "FLOW      A -> B via ...".
 */
int an_check_isolation(const struct policydb *p, char *report, size_t len);

/*
 * an_check_isolation_of — one tenant's isolation claim (xenia-verify): the same
 * analysis restricted to the ordered pairs (A, B) and (B, A) where A is a tenant
 * whose context is at level lvl (low == high == lvl) and B a tenant that is not.
 * Returns the number of such pairs with a flow (0: that tenant is isolated from
 * every other), -ENOENT when no tenant of the policy is at lvl, or a negative errno.
 */
int an_check_isolation_of(const struct policydb *p, const struct pdb_level *lvl, char *report,
                          size_t len);

/* an_format_path — human-readable path, one step per line. Returns length or -ENOSPC. */
int an_format_path(const struct policydb *p, const struct an_path *path, char *buf, size_t len);

#endif
