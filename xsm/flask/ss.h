/* SPDX-License-Identifier: MIT */
/*
 * FLASK security server: security contexts, SIDs, access decisions over a loaded
 * policydb (policy/policydb.h), booleans, and the access vector cache (AVC).
 *
 * Pure C: no system calls besides allocation (malloc/free) in load and SID creation.
 * ss_compute_av() and avc_lookup() allocate nothing and can be proved and fuzzed.
 *
 * Class and permission spaces. hv names its object classes and permissions in
 * xsm/access_vectors.def ("host" space: class 1..n, perm bit i). A policy declares
 * its own classes (policy space). flask_ss_load() builds the mapping host -> policy
 * by name (like SELinux's selinux_set_mapping()); every API below takes host
 * class/perm values. A host class or permission the policy lacks is decided by the
 * policy's handle_unknown (deny, or allow) — and reported by flask_ss_unknown().
 *
 * Sources: SELinux security server (security/selinux/ss/services.c semantics:
 * context_struct_compute_av, constraint_expr_eval, security_transition_sid),
 * Xen xen/xsm/flask/, SELinux Notebook "MLS", "Constraint statements".
 */
#ifndef XENIA_FLASK_SS_H
#define XENIA_FLASK_SS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policydb.h"

#define SS_CONTEXT_MAX 512u        /* bytes of a context string incl. NUL */
#define SS_MAX_SIDS    65536u

/* The host class table, given once at init (from xsm/access_vectors.def). */
struct ss_host_class {
    const char *name;
    uint32_t    nperms;
    const char *const *perms;      /* perms[i] is host bit (1u << i) */
};

/* --- contexts (pure, over one policydb) -------------------------------------- */

/*
 * ss_context_parse — "user:role:type:level[-level]" -> ctx, validated against p:
 * names exist; level "s0", "s0:c1,c3", "s0:c0.c5,c9"; sensitivity known; category
 * range ascending; high dominates low; role authorised for user; type authorised
 * for role; levels within the user's range — the last three skipped for role object_r,
 * as libsepol's policydb_context_isvalid does.
 * Errors: -EINVAL with a one-line reason in err ("unknown type 'foo_t'").
 */
int ss_context_parse(const struct policydb *p, const char *str, struct pdb_context *ctx,
                     char *err, size_t errlen);

/* ss_level_parse — a level alone ("s0", "s0:c1", "s0:c0.c5,c9"), validated against
 * p as in ss_context_parse. Errors: -EINVAL with a reason in err. */
int ss_level_parse(const struct policydb *p, const char *str, struct pdb_level *l,
                   char *err, size_t errlen);

/* ss_context_format — canonical string (categories as c0.c3,c7; "-high" only when
 * high != low). Returns length, or -ENOSPC when buf (len bytes) is too small. */
int ss_context_format(const struct policydb *p, const struct pdb_context *ctx,
                      char *buf, size_t len);

/* Level relations (SELinux mls: dom = sens >= and cats superset). */
bool ss_level_dom(const struct pdb_level *a, const struct pdb_level *b);
bool ss_level_eq(const struct pdb_level *a, const struct pdb_level *b);

/*
 * ss_compute_av — the access decision. host-independent: class and permission bits
 * are POLICY space here. bools: current state, bools[1..p->nbools].
 * Returns the allowed permission bits; *auditdeny (if not NULL) receives the bits
 * whose denial is audited (all but dontaudit). As in libsepol and Xen FLASK, the
 * `transition` permission of class `domain` is removed when s and t have different
 * roles (the language has no role allow rules).
 */
uint32_t ss_compute_av(const struct policydb *p, const bool *bools,
                       const struct pdb_context *s, const struct pdb_context *t,
                       uint32_t tclass, uint32_t *auditdeny);

/*
 * ss_transition — label of a new object of policy class tclass created by s with
 * respect to t (SELinux security_transition_sid): user from s; role from s for the
 * `domain` class, "object_r" otherwise when the policy has it, else s's role; type from a
 * type_transition rule (s.type, t.type, tclass) else s.type for `domain`, t.type
 * otherwise; level = s.low. Returns 0 or -EINVAL if the result is not a valid context.
 */
int ss_transition(const struct policydb *p, const bool *bools, const struct pdb_context *s,
                  const struct pdb_context *t, uint32_t tclass, struct pdb_context *out);

/* --- the security server: policy + SIDs + booleans + mode --------------------- */

struct flask_ss;

/* flask_ss_new — empty server (no policy: every decision denied). hosts: host class
 * table, host class i+1 = hosts[i]. -ENOMEM. */
int flask_ss_new(const struct ss_host_class *hosts, uint32_t nhosts, struct flask_ss **out);
void flask_ss_free(struct flask_ss *ss);

/*
 * flask_ss_load — replace the policy with the binary buf/len (pdb_read). On any error
 * the old policy stays in force untouched and err says why. On success: booleans take
 * the new defaults, every existing SID is re-mapped by its context string (a context
 * invalid under the new policy maps to the `unlabeled` initial SID's context), the
 * AVC sequence number is bumped (caches must flush), and the load count increments.
 * Errors: those of pdb_read, -EINVAL (no `unlabeled` initial sid context),
 * -ENOMEM.
 */
int flask_ss_load(struct flask_ss *ss, const uint8_t *buf, size_t len, char *err, size_t errlen);

bool     flask_ss_loaded(const struct flask_ss *ss);
uint32_t flask_ss_seqno(const struct flask_ss *ss);        /* bumps on load and setbool */
const struct policydb *flask_ss_policy(const struct flask_ss *ss);

/* SIDs: small integers >= 1 naming a context; stable across policy loads. */
int flask_ss_context_to_sid(struct flask_ss *ss, const char *str, uint32_t *sid,
                            char *err, size_t errlen);       /* -EINVAL, -ENOMEM, -ENOSPC */
int flask_ss_sid_to_context(const struct flask_ss *ss, uint32_t sid, char *buf, size_t len);
int flask_ss_isid(struct flask_ss *ss, const char *isid_name, uint32_t *sid); /* -ENOENT */
/* flask_ss_login_sid — the context for a control-socket client's uid: the `login`
 * entry for uid, else `login *`; -ENOENT when neither exists. */
int flask_ss_login_sid(struct flask_ss *ss, uint32_t uid, uint32_t *sid);
/* flask_ss_transition_sid — new object SID (ss_transition) for host class hclass. */
int flask_ss_transition_sid(struct flask_ss *ss, uint32_t ssid, uint32_t tsid,
                            uint32_t hclass, uint32_t *out);

/*
 * flask_ss_compose_sid — the SID of the context with user and role of urole_sid, type
 * of type_sid, and the low level of level_sid (as both low and high): how hv labels a
 * domain created without a seclabel and a stub domain serving a guest. The result is
 * validated like any context string. -EINVAL (with err) when it is not valid.
 */
int flask_ss_compose_sid(struct flask_ss *ss, uint32_t urole_sid, uint32_t type_sid,
                         uint32_t level_sid, uint32_t *out, char *err, size_t errlen);
/* flask_ss_sid_type — the policy type index of a SID's context (0: no policy). */
uint32_t flask_ss_sid_type(const struct flask_ss *ss, uint32_t sid);

/*
 * flask_ss_compute — decision in HOST space: allowed bits of host class hclass for
 * (ssid, tsid); *auditdeny as in ss_compute_av; unknown host perms per handle_unknown.
 * Unknown SIDs decide as the unlabeled SID. No policy loaded: 0.
 */
uint32_t flask_ss_compute(const struct flask_ss *ss, uint32_t ssid, uint32_t tsid,
                          uint32_t hclass, uint32_t *auditdeny);

/* Host classes/perms missing from the loaded policy, as "class:perm" lines. */
int flask_ss_unknown(const struct flask_ss *ss, char *buf, size_t len);

/* Booleans (current values; reset to defaults on load). -ENOENT for an unknown name. */
int  flask_ss_getbool(const struct flask_ss *ss, const char *name, bool *cur, bool *dflt);
int  flask_ss_setbool(struct flask_ss *ss, const char *name, bool val);
uint32_t flask_ss_nbools(const struct flask_ss *ss);
const char *flask_ss_bool_name(const struct flask_ss *ss, uint32_t i);  /* i: 1..nbools */

/* --- access vector cache -------------------------------------------------------- */

#define AVC_SLOTS 512u              /* power of two */
#define AVC_ENTRIES 1024u

struct avc_stats {
    uint64_t lookups, hits, misses, reclaims, flushes;
};

struct avc;

int  avc_new(struct flask_ss *ss, struct avc **out);
void avc_free(struct avc *a);

/*
 * avc_has_perm_noaudit — are all of `requested` (host bits of hclass) allowed for
 * (ssid, tsid)? Looks in the cache first (flushed when the server's seqno moved),
 * else asks flask_ss_compute and caches the result. Returns true if all allowed;
 * *denied (if not NULL) receives requested & ~allowed, *audited the subset whose
 * denial is audited. Not thread-safe: callers serialise.
 */
bool avc_has_perm_noaudit(struct avc *a, uint32_t ssid, uint32_t tsid, uint32_t hclass,
                          uint32_t requested, uint32_t *denied, uint32_t *audited);

void avc_get_stats(const struct avc *a, struct avc_stats *st);

/*
 * avc_format_denial — one audit line in SELinux's format, e.g.
 *   avc:  denied  { pause } for op=pause domid=3 scontext=u:r:t:s0:c2 tcontext=u:r:domU_t:s0:c1 tclass=domain permissive=0
 * perms: host bits (names from the host class table); extra: "op=pause domid=3" or "".
 * `granted` formats "avc:  granted" lines (auditallow). Returns length or -ENOSPC.
 */
int avc_format_denial(const struct flask_ss *ss, char *buf, size_t len, bool granted,
                      uint32_t ssid, uint32_t tsid, uint32_t hclass, uint32_t perms,
                      const char *extra, bool permissive);

#endif
