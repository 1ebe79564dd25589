/* SPDX-License-Identifier: MIT */
/*
 * audit2allow: from AVC denial lines to suggested policy rules (pure; used by
 * `xenia-policy audit2allow`). Follows SELinux audit2allow(1) (policycoreutils):
 * one `allow` per (source type, target type, class) with the denied permissions
 * merged and sorted, and, when a policy is given, an explanation of why each
 * permission was denied (audit2allow -w): a missing allow rule, a boolean that is
 * off, or a constraint (an allow rule would not help).
 *
 * Input line format (xsm/flask/ss.h avc_format_denial, SELinux's):
 *   [prefix] avc:  denied  { p1 p2 } for [k=v ...] scontext=CTX tcontext=CTX tclass=CLASS [k=v ...]
 * Lines without "avc:" + "denied" are ignored ("granted" lines too).
 */
#ifndef XENIA_POLICY_AUDIT2ALLOW_H
#define XENIA_POLICY_AUDIT2ALLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/policydb.h"

#define A2A_MAX_LINE    4096u   /* bytes of one input line */
#define A2A_MAX_PERMS   32u     /* permissions in one denial / one group */
#define A2A_MAX_GROUPS  4096u   /* distinct (stype, ttype, class) */
#define A2A_CTX_MAX     512u    /* bytes of a context string incl. NUL */

/* One parsed denial; every string NUL-terminated. */
struct a2a_denial {
    char     scontext[A2A_CTX_MAX], tcontext[A2A_CTX_MAX];
    char     stype[PDB_MAX_NAME + 1], ttype[PDB_MAX_NAME + 1];
    char     tclass[PDB_MAX_NAME + 1];
    uint32_t nperms;
    char     perms[A2A_MAX_PERMS][PDB_MAX_NAME + 1];
    bool     permissive;          /* permissive=1 */
};

/*
 * a2a_parse_line — parse one line (len bytes, need not be NUL-terminated).
 * Returns 1 (a denial, *d filled), 0 (not a denial line: ignored), -EINVAL (a
 * denial line that is malformed: no `{ }`, missing scontext/tcontext/tclass,
 * a context without a type field, a name that is not [A-Za-z0-9_.-]), -E2BIG (line
 * longer than A2A_MAX_LINE, more than A2A_MAX_PERMS permissions, a name or context
 * too long). Pure.
 */
int a2a_parse_line(const char *line, size_t len, struct a2a_denial *d);

struct a2a;

/*
 * a2a_new — an empty collector. p: the policy the denials came from, or NULL
 * (then no explanations). p must outlive the collector. Booleans are taken at
 * their defaults (the running state is not known offline). -ENOMEM.
 */
int a2a_new(const struct policydb *p, struct a2a **out);
void a2a_free(struct a2a *a);

/*
 * a2a_add — add one parsed denial (merged into its group). Returns 0, -E2BIG
 * (beyond A2A_MAX_GROUPS groups or A2A_MAX_PERMS permissions in a group), -ENOMEM.
 */
int a2a_add(struct a2a *a, const struct a2a_denial *d);

/* a2a_add_line — a2a_parse_line then a2a_add; returns 1 (added), 0 (ignored) or
 * the negative errno of either. */
int a2a_add_line(struct a2a *a, const char *line, size_t len);

/*
 * a2a_format — the suggested rules, groups sorted by (source type, target type,
 * class), permissions sorted by name, e.g.
 *   allow tenant_t domU_t:domain { pause };
 * With a policy, a comment line before a rule says why, and permissions denied
 * only by a constraint (the allow rules already grant them) are left out of the
 * rule and named in a "#!!!! constraint violation" comment instead. Returns the
 * length written (NUL-terminated), or -ENOSPC when buf (len bytes) is too small.
 */
int a2a_format(const struct a2a *a, char *buf, size_t len);

/* a2a_ngroups — number of distinct (source type, target type, class) so far. */
uint32_t a2a_ngroups(const struct a2a *a);

/*
 * a2a_cond_eval — evaluate an `if` condition (postfix, policydb.h) with the
 * booleans bools[1..p->nbools]. Returns 1 (true), 0 (false), -EINVAL (malformed:
 * bad boolean index, stack underflow/overflow, not exactly one result). Shared
 * with policy/analyze.c. Semantics: SELinux cond_evaluate_expr.
 */
int a2a_cond_eval(const struct policydb *p, const struct pdb_cond *c, const bool *bools);

#endif
