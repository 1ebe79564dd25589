/* SPDX-License-Identifier: MIT */
/*
 * Stub domains: the one place in hv that starts and confines them.
 *
 * stubdom_spawn() starts a fixed, statically linked binary (loaded once by
 * stubdom_init into a sealed memfd and executed from there with execveat) with
 * exactly the fds it is given, renumbered to 3, 4, ... in order, and confines it
 * before the first instruction of the binary runs, in this order:
 *   1. new mount, pid, net, ipc and uts namespaces (clone flags);
 *   2. an empty, read-only root (tmpfs + pivot_root, old root detached);
 *   3. every fd closed except 0-2 (/dev/null) and the given ones;
 *   4. rlimits: address space, open files, no core dumps, no new processes;
 *   5. cgroup <hv's own cgroup>/xenia/<name>: CPU and memory caps (v1 cpu and
 *      memory controllers, or v2), when hv can write the cgroup tree (else
 *      logged once; STUBDOM_C_CGROUP tells);
 *   6. setgroups(0), setresgid/setresuid to the stub domain's own uid/gid,
 *      capability bounding set emptied;
 *   7. PR_SET_NO_NEW_PRIVS;
 *   8. Landlock (every right of the kernel's ABI handled, none allowed: no
 *      file-system access, no TCP, no signals or abstract sockets outside)
 *      where the kernel has it;
 *   9. last, the role's seccomp allowlist (default action: kill the process),
 *      compiled once at start-up from the role's rule list
 *      (stubdoms/<role>/seccomp.def plus hv/stubdom_startup.def).
 * Sources: namespaces(7), pivot_root(2), seccomp(2), landlock(7), cgroups(7).
 */
#ifndef HV_STUBDOM_H
#define HV_STUBDOM_H

#include <stdint.h>
#include <sys/types.h>

enum stubdom_role {
    STUBDOM_BUILDER = 0,    /* stubdoms/builder: xenia-builder */
    STUBDOM_DM,             /* stubdoms/dm: xenia-dm */
    STUBDOM_CONSOLE,        /* stubdoms/console: xenia-console */
    STUBDOM_ATTEST,         /* stubdoms/attest: xenia-attest (one per host, domid 0) */
    STUBDOM_NROLES
};

#define STUBDOM_MAX_FDS 8

/*
 * Fixed fd numbers in the child between clone and exec, above any number a
 * stub domain can allocate (RLIMIT_NOFILE <= 3 + STUBDOM_MAX_FDS + 4), so the
 * seccomp rules that name them (execveat of the binary, the error report of a
 * failed exec) can never match an fd the stub domain holds after exec. Both
 * are close-on-exec.
 */
#define STUBDOM_FD_EXEC 30            /* sealed memfd of the binary */
#define STUBDOM_FD_ERR  31            /* pipe to hv: why the set-up or exec failed */

struct stubdom_spec {
    enum stubdom_role role;
    const char *name;                 /* e.g. "dm-3": cgroup directory and logs */
    int fds[STUBDOM_MAX_FDS];         /* become fds 3, 4, ... in this order */
    unsigned nfds;
    uid_t uid;                        /* unprivileged, != 0; gid = uid */
    uint64_t mem_limit_bytes;         /* cgroup memory cap; 0 = role default */
    unsigned cpu_pct;                 /* cgroup CPU cap in % of one CPU; 0 = role default */
    uint64_t as_extra_bytes;          /* added to the role's RLIMIT_AS (the builder maps
                                         the whole guest RAM: pass ram_bytes) */
};

struct stubdom_proc {
    pid_t pid;                        /* in hv's pid namespace */
    int pidfd;                        /* readable when the process has exited */
    enum stubdom_role role;
    uid_t uid;
    char cgroup[96];                  /* cgroup leaf name, "" when none */
    unsigned confined;                /* STUBDOM_C_* layers applied */
};

#define STUBDOM_C_NS       0x01u
#define STUBDOM_C_ROOT     0x02u
#define STUBDOM_C_RLIMIT   0x04u
#define STUBDOM_C_CGROUP   0x08u
#define STUBDOM_C_UID      0x10u
#define STUBDOM_C_NNP      0x20u
#define STUBDOM_C_LANDLOCK 0x40u
#define STUBDOM_C_SECCOMP  0x80u

/*
 * stubdom_init - load each role's binary from @bin_dir ("xenia-builder",
 * "xenia-dm", "xenia-console", "xenia-attest"; a missing binary disables that role),
 * compile each role's seccomp filter, probe Landlock and the cgroup tree.
 * @dm_path overrides the dm binary (test builds) when non-NULL.
 * Returns 0 or -errno with a reason in @err.
 */
int stubdom_init(const char *bin_dir, const char *dm_path, char *err, size_t errlen);

/*
 * stubdom_set_path - before stubdom_init: take @role's binary from @path
 * instead of bin_dir (hv --builder PATH, --dm PATH). Returns 0 or -EINVAL.
 */
int stubdom_set_path(enum stubdom_role role, const char *path);

/*
 * stubdom_set_uid_base - before any spawn: first uid of the stub domain range
 * (hv --stubdom-uid-base N, default 640000). Returns 0, or -EINVAL for 0 or a
 * base that leaves no room for a domid.
 */
int stubdom_set_uid_base(uid_t base);

/* stubdom_landlock_abi - the kernel's Landlock ABI version, 0 when absent
 * (valid after stubdom_init). */
int stubdom_landlock_abi(void);

/* stubdom_binary_fd - sealed memfd of a role's binary (for measurement), or -1. */
int stubdom_binary_fd(enum stubdom_role role);

/*
 * stubdom_spawn - start one stub domain (see the top of this file).
 * Returns 0 and fills @out once the binary has been exec'ed, or -errno with a
 * reason in @err (naming the layer that failed); on error nothing is left
 * running. The caller keeps ownership of spec->fds. The stub domain gets
 * SIGKILL when the calling thread exits (PR_SET_PDEATHSIG is per thread):
 * call it from a long-lived thread (hv's main thread). Thread-safe.
 */
int stubdom_spawn(const struct stubdom_spec *spec, struct stubdom_proc *out,
                  char *err, size_t errlen);

/*
 * stubdom_reap - after @p's pidfd became readable: collect its exit status
 * (waitid), remove its cgroup, close the pidfd. Stores a description such as
 * "killed by SIGSYS" in @why. Returns the raw wait status (>= 0) or -errno.
 */
int stubdom_reap(struct stubdom_proc *p, char *why, size_t whylen);

/* stubdom_kill - SIGKILL and reap (for destroy). */
void stubdom_kill(struct stubdom_proc *p);

/* stubdom_role_name - "builder", "dm", "console", "attest". */
const char *stubdom_role_name(enum stubdom_role role);

/* stubdom_uid - the uid for (role, domid): base + domid * 4 + role, distinct
 * per stub domain, from the base set by --stubdom-uid-base (default 640000).
 * Returns (uid_t)-1 (which stubdom_spawn refuses) when that overflows. */
uid_t stubdom_uid(enum stubdom_role role, uint32_t domid);

#endif /* HV_STUBDOM_H */
