/* SPDX-License-Identifier: MIT */
/*
 * Stub domain seccomp allowlists: the rule lists are data (one .def file per
 * role plus hv/stubdom_startup.def for every role), compiled once per role with
 * libseccomp into a classic BPF program that a child of hv loads last, just
 * before it execs the role binary. Default action: kill the process (SIGSYS).
 * Sources: seccomp(2), seccomp_rule_add(3), seccomp_export_bpf(3).
 */
#ifndef HV_STUBDOM_SECCOMP_H
#define HV_STUBDOM_SECCOMP_H

#include <stddef.h>
#include <stdint.h>

#include <linux/filter.h>
#include <seccomp.h>

#include "stubdom.h"

#define STUBDOM_RULE_MAX_CMP 3

/* One allowlist entry: a system call, its argument conditions (all must hold;
 * none = any arguments), the action (SCMP_ACT_ALLOW or SCMP_ACT_ERRNO(e)) and
 * the one-line reason it is needed. */
struct stubdom_rule {
    const char *sys;                         /* system call name */
    int nr;                                  /* libseccomp number (SCMP_SYS) */
    uint32_t action;
    unsigned ncmp;
    struct scmp_arg_cmp cmp[STUBDOM_RULE_MAX_CMP];
    const char *reason;
};

/* Pass STUBDOM_RULES_STARTUP to stubdom_rules for the list every role shares. */
#define STUBDOM_RULES_STARTUP STUBDOM_NROLES

/*
 * stubdom_rules - the rule list of @which (a role, or STUBDOM_RULES_STARTUP);
 * stores its length in @n. NULL for an unknown @which. Pure.
 */
const struct stubdom_rule *stubdom_rules(unsigned which, size_t *n);

/*
 * stubdom_filter_compile - compile @role's filter (start-up list + role list,
 * default action SCMP_ACT_KILL_PROCESS, bad architecture also kills) into
 * @out->filter (malloc'd, free with free()) and @out->len instructions.
 * Returns 0 or -errno with a reason naming the failing rule in @err.
 */
int stubdom_filter_compile(enum stubdom_role role, struct sock_fprog *out, char *err,
                           size_t errlen);

#endif /* HV_STUBDOM_SECCOMP_H */
