/* SPDX-License-Identifier: MIT */
/*
 * Stub domains: spawn and confinement (the layers and their order are listed
 * at the top of stubdom.h).
 *
 * hv is multithreaded, so the child between clone3 and execveat runs only raw
 * system calls through syscall(): no malloc, no stdio, no glibc wrapper that
 * takes a lock or (like setresuid) signals other threads that do not exist in
 * the child. Everything the child needs is prepared by the parent beforehand
 * in a struct child_args on the parent's stack (the child has its own copy).
 *
 * Parent and child talk over two close-on-exec pipes: "go" (the parent has
 * put the child into its cgroup; the child waits for it before dropping
 * privileges) and "err" (the child writes {step, errno} when a layer fails;
 * end-of-file without a message means the exec succeeded).
 *
 * Sources: clone(2) (clone3, CLONE_PIDFD), namespaces(7), pivot_root(2)
 * ("pivot_root(".", ".")"), mount_namespaces(7), close_range(2), setrlimit(2),
 * capabilities(7), landlock(7), seccomp(2), cgroups(7), pidfd_open(2), waitid(2).
 */
#include "stubdom.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <xenia/builder.h>

#include "log.h"
#include "stubdom_seccomp.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010u            /* Linux 6.3: memfd may be executed (vm.memfd_noexec) */
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1u << 1)
#endif
#define XP_PIDFD 3                  /* waitid idtype P_PIDFD (Linux 5.4; glibc 2.36 lacks it) */

/* Landlock ABI (linux/landlock.h of newer kernels; the build headers are 6.1). */
#define LL_CREATE_RULESET_VERSION (1u << 0)
#define LL_FS_ABI1        ((1ull << 13) - 1)   /* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER       (1ull << 13)         /* ABI 2 */
#define LL_FS_TRUNCATE    (1ull << 14)         /* ABI 3 */
#define LL_FS_IOCTL_DEV   (1ull << 15)         /* ABI 5 */
#define LL_NET_BIND_TCP   (1ull << 0)          /* ABI 4 */
#define LL_NET_CONNECT_TCP (1ull << 1)         /* ABI 4 */
#define LL_SCOPE_ABSTRACT_UNIX (1ull << 0)     /* ABI 6 */
#define LL_SCOPE_SIGNAL   (1ull << 1)          /* ABI 6 */

struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

/* struct clone_args, version 0 (64 bytes; linux/sched.h). */
struct clone_args0 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* Kernel struct sigaction for rt_sigaction on x86-64. */
struct ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    uint64_t mask;
};

#define STUBDOM_FD_GO    32          /* child only: the "go" pipe, closed before exec */
#define STUBDOM_FD_TEMP  64          /* child only: fds are moved above this first */
#define NOFILE_MARGIN    4           /* RLIMIT_NOFILE = 3 + nfds + this */
#define SPAWN_TIMEOUT_MS 5000        /* the child must exec within this */
#define BINARY_MAX       (64u << 20)
#define UID_BASE_DEFAULT 640000u
#define MIB              (1ull << 20)

/* Per-role defaults. RLIMIT_AS: the static binary, its heap and the role's
 * shared mapping; the builder also reads an image of up to XENIA_IMAGE_MAX_BYTES
 * into private memory (and maps the guest RAM: spec->as_extra_bytes). The
 * builder's memory cap covers that copy plus the image pages it writes into
 * the RAM memfd, which are charged to its cgroup until it is removed. */
static const struct role_info {
    const char *name;
    const char *binary;
    uint64_t as_bytes;
    uint64_t mem_bytes;
    unsigned cpu_pct;
    int no_file_writes;              /* RLIMIT_FSIZE 0 (the dm writes a disk image) */
} roles[STUBDOM_NROLES] = {
    [STUBDOM_BUILDER] = { "builder", "xenia-builder", 64 * MIB + XENIA_IMAGE_MAX_BYTES,
                          64 * MIB + 2ull * XENIA_IMAGE_MAX_BYTES, 100, 1 },
    [STUBDOM_DM] = { "dm", "xenia-dm", 64 * MIB, 64 * MIB, 100, 0 },
    [STUBDOM_CONSOLE] = { "console", "xenia-console", 64 * MIB, 32 * MIB, 50, 1 },
    /* The attestation agent holds the evidence (event log and policy, up to
     * ~2 MiB each with the copies) and mbedTLS state for one connection. */
    [STUBDOM_ATTEST] = { "attest", "xenia-attest", 64 * MIB, 32 * MIB, 50, 1 },
};

enum cg_mode { CG_NONE = 0, CG_V1, CG_V2 };

static struct {
    int inited;
    char path[STUBDOM_NROLES][PATH_MAX];   /* overrides (stubdom_set_path) */
    int bin_fd[STUBDOM_NROLES];            /* sealed memfds, -1 = role disabled */
    struct sock_fprog prog[STUBDOM_NROLES];
    int devnull;
    uid_t uid_base;
    int cap_last;
    char mountpoint[16];                   /* where the child mounts its empty root */
    int ll_abi;
    struct ll_ruleset_attr ll_attr;
    size_t ll_attr_size;
    enum cg_mode cg;
    char cg_base[2][PATH_MAX];             /* v1: memory, cpu "xenia" dirs; v2: [0] */
    int cg_warned;
} sd = {
    .bin_fd = { -1, -1, -1, -1 },
    .devnull = -1,
    .uid_base = UID_BASE_DEFAULT,
};
_Static_assert(STUBDOM_NROLES == 4, "one -1 per role in sd.bin_fd's initialiser");

/* snprintf into a bounded buffer; returns 0, or -ENAMETOOLONG when cut. */
static int fmt(char *out, size_t outlen, const char *f, ...) __attribute__((format(printf, 3, 4)));
static int fmt(char *out, size_t outlen, const char *f, ...)
{
    va_list ap;
    int n;

    va_start(ap, f);
    n = vsnprintf(out, outlen, f, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

const char *stubdom_role_name(enum stubdom_role role)
{
    return (unsigned)role < STUBDOM_NROLES ? roles[role].name : "?";
}

uid_t stubdom_uid(enum stubdom_role role, uint32_t domid)
{
    uint64_t u = (uint64_t)sd.uid_base + (uint64_t)domid * 4 + (unsigned)role;

    if ((unsigned)role >= STUBDOM_NROLES || u >= UINT32_MAX)
        return (uid_t)-1;
    return (uid_t)u;
}

int stubdom_set_uid_base(uid_t base)
{
    if (base == 0 || base >= UINT32_MAX - 4u * 65536u)
        return -EINVAL;
    sd.uid_base = base;
    return 0;
}

int stubdom_set_path(enum stubdom_role role, const char *path)
{
    if ((unsigned)role >= STUBDOM_NROLES || path == NULL || strlen(path) >= PATH_MAX)
        return -EINVAL;
    fmt(sd.path[role], sizeof(sd.path[role]), "%s", path);
    return 0;
}

int stubdom_binary_fd(enum stubdom_role role)
{
    return (unsigned)role < STUBDOM_NROLES ? sd.bin_fd[role] : -1;
}

int stubdom_landlock_abi(void)
{
    return sd.ll_abi;
}

/* ---- start-up ---------------------------------------------------------- */

/*
 * Copy the regular file @path (1 .. BINARY_MAX bytes) into a sealed memfd.
 * Returns the memfd, or -errno with a reason in err.
 */
static int load_binary(const char *path, const char *name, char *err, size_t errlen)
{
    static char buf[65536];
    struct stat st;
    int in, fd = -1, rc;
    off_t done = 0;

    in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        rc = -errno;
        fmt(err, errlen, "%s: %s", path, strerror(errno));
        return rc;
    }
    if (fstat(in, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > (off_t)BINARY_MAX) {
        fmt(err, errlen, "%s: not a regular file of 1..%u bytes", path, BINARY_MAX);
        rc = -ENOEXEC;
        goto fail;
    }
    fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)   /* kernel before 6.3: no MFD_EXEC, always executable */
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        rc = -errno;
        fmt(err, errlen, "memfd_create for %s: %s", path, strerror(errno));
        goto fail;
    }
    while (done < st.st_size) {
        ssize_t n = read(in, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || done + n > st.st_size || write(fd, buf, (size_t)n) != n) {
            fmt(err, errlen, "copying %s: %s", path, n < 0 ? strerror(errno) : "size changed");
            rc = -EIO;
            goto fail;
        }
        done += n;
    }
    if (fchmod(fd, 0555) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
        rc = -errno;
        fmt(err, errlen, "sealing the copy of %s: %s", path, strerror(errno));
        goto fail;
    }
    close(in);
    return fd;
fail:
    close(in);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Probe the Landlock ABI and choose the handled rights (nothing is allowed). */
static void landlock_probe(void)
{
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
    struct ll_ruleset_attr *a = &sd.ll_attr;
    long fd;

    sd.ll_abi = 0;
    if (abi <= 0) {
        log_info("stubdom: Landlock not available (%s); confinement goes on without it",
                 abi < 0 ? strerror(errno) : "ABI 0");
        return;
    }
    memset(a, 0, sizeof(*a));
    /*
     * Every right of the ABI, none allowed. EXECUTE included: the execveat of
     * the binary memfd still works because memfds live on the kernel-internal
     * shm mount (SB_NOUSER), which Landlock does not restrict
     * (tests/unit/test_stubdom.c runs every role under this ruleset).
     */
    a->handled_access_fs = LL_FS_ABI1;
    if (abi >= 2)
        a->handled_access_fs |= LL_FS_REFER;
    if (abi >= 3)
        a->handled_access_fs |= LL_FS_TRUNCATE;
    if (abi >= 5)
        a->handled_access_fs |= LL_FS_IOCTL_DEV;
    sd.ll_attr_size = 8;
    if (abi >= 4) {
        a->handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
        sd.ll_attr_size = 16;
    }
    if (abi >= 6) {
        a->scoped = LL_SCOPE_ABSTRACT_UNIX | LL_SCOPE_SIGNAL;
        sd.ll_attr_size = 24;
    }
    fd = syscall(SYS_landlock_create_ruleset, a, sd.ll_attr_size, 0);
    if (fd < 0) {
        log_warn("stubdom: Landlock ABI %ld refuses our ruleset (%s); going on without it",
                 abi, strerror(errno));
        return;
    }
    close((int)fd);
    sd.ll_abi = (int)abi;
}

/* Find @controller's cgroup path of this process ("" for v2) in /proc/self/cgroup. */
static int own_cgroup(const char *controller, char *out, size_t outlen)
{
    char line[1024];
    FILE *f = fopen("/proc/self/cgroup", "re");
    int found = -ENOENT;

    if (f == NULL)
        return -errno;
    while (found < 0 && fgets(line, sizeof(line), f)) {
        char *c1 = strchr(line, ':'), *c2, *nl, *tok, *save = NULL;

        if (c1 == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
            continue;
        *c2 = 0;
        if ((nl = strchr(c2 + 1, '\n')) != NULL)
            *nl = 0;
        if (controller[0] == 0) {
            if (c1[1] == 0 && strncmp(line, "0:", 2) == 0)
                found = 0;
        } else {
            for (tok = strtok_r(c1 + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                if (strcmp(tok, controller) == 0)
                    found = 0;
        }
        if (found == 0)
            fmt(out, outlen, "%s", strcmp(c2 + 1, "/") == 0 ? "" : c2 + 1);
    }
    fclose(f);
    return found;
}

static int write_file(const char *dir, const char *file, const char *val)
{
    char p[PATH_MAX + 64];
    int fd, rc = 0;
    size_t len = strlen(val);

    if (fmt(p, sizeof(p), "%s/%s", dir, file) < 0)
        return -ENAMETOOLONG;
    fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (write(fd, val, len) != (ssize_t)len)
        rc = -errno;
    close(fd);
    return rc;
}

static void cg_warn_once(const char *what, int e)
{
    if (!__atomic_exchange_n(&sd.cg_warned, 1, __ATOMIC_RELAXED))
        log_warn("stubdom: no cgroup CPU/memory caps (%s: %s); stub domains run without them",
                 what, strerror(e));
}

/*
 * Find the cgroup tree: v2 when /sys/fs/cgroup/cgroup.controllers exists, else
 * v1 with the cpu and memory controllers. Stub domain cgroups go under
 * <hv's own cgroup>/xenia, so they stay inside whatever limits hv runs under.
 */
static void cgroup_probe(void)
{
    char own[PATH_MAX / 2];
    int rc;

    sd.cg = CG_NONE;
    if (access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
        char top[PATH_MAX];

        if ((rc = own_cgroup("", own, sizeof(own))) < 0) {
            cg_warn_once("/proc/self/cgroup", -rc);
            return;
        }
        if (fmt(top, sizeof(top), "/sys/fs/cgroup%s", own) < 0 ||
            fmt(sd.cg_base[0], sizeof(sd.cg_base[0]), "%s/xenia", top) < 0) {
            cg_warn_once("cgroup path", ENAMETOOLONG);
            return;
        }
        if (mkdir(sd.cg_base[0], 0755) < 0 && errno != EEXIST) {
            cg_warn_once(sd.cg_base[0], errno);
            return;
        }
        /* Enabling controllers below a non-root cgroup that has processes fails
         * (no internal processes rule): then we go without. */
        if ((rc = write_file(top, "cgroup.subtree_control", "+cpu +memory")) < 0 ||
            (rc = write_file(sd.cg_base[0], "cgroup.subtree_control", "+cpu +memory")) < 0) {
            cg_warn_once("enabling cpu and memory in cgroup.subtree_control", -rc);
            return;
        }
        sd.cg = CG_V2;
        log_info("stubdom: cgroup v2 caps under %s", sd.cg_base[0]);
        return;
    }
    static const char *const mnt[2] = { "/sys/fs/cgroup/memory", "/sys/fs/cgroup/cpu" };
    static const char *const ctl[2] = { "memory", "cpu" };
    static const char *const probe[2] = { "memory.limit_in_bytes", "cpu.cfs_quota_us" };
    for (int i = 0; i < 2; i++) {
        char p[PATH_MAX];

        fmt(p, sizeof(p), "%s/%s", mnt[i], probe[i]);
        if (access(p, F_OK) < 0) {
            cg_warn_once(p, errno);
            return;
        }
        if ((rc = own_cgroup(ctl[i], own, sizeof(own))) < 0) {
            cg_warn_once("/proc/self/cgroup", -rc);
            return;
        }
        if (fmt(sd.cg_base[i], sizeof(sd.cg_base[i]), "%s%s/xenia", mnt[i], own) < 0) {
            cg_warn_once("cgroup path", ENAMETOOLONG);
            return;
        }
        if (mkdir(sd.cg_base[i], 0755) < 0 && errno != EEXIST) {
            cg_warn_once(sd.cg_base[i], errno);
            return;
        }
    }
    sd.cg = CG_V1;
    log_info("stubdom: cgroup v1 caps under %s and %s", sd.cg_base[0], sd.cg_base[1]);
}

/* Pick an existing directory of hv's root to mount the child's empty root on
 * (in the child's private mount namespace, so hv's view never changes). */
static int pick_mountpoint(void)
{
    static const char *const cand[] = { "/tmp", "/mnt", "/run", "/dev", "/proc" };
    struct stat st;

    for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
        if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            fmt(sd.mountpoint, sizeof(sd.mountpoint), "%s", cand[i]);
            return 0;
        }
    return -ENOENT;
}

int stubdom_init(const char *bin_dir, const char *dm_path, char *err, size_t errlen)
{
    char path[PATH_MAX + 32], e2[256] = "";
    FILE *f;
    int rc;

    if (sd.inited) {
        fmt(err, errlen, "stubdom_init called twice");
        return -EALREADY;
    }
    if (dm_path && (rc = stubdom_set_path(STUBDOM_DM, dm_path)) < 0) {
        fmt(err, errlen, "dm path too long");
        return rc;
    }
    sd.devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (sd.devnull < 0) {
        rc = -errno;
        fmt(err, errlen, "/dev/null: %s", strerror(errno));
        return rc;
    }
    if (pick_mountpoint() < 0) {
        fmt(err, errlen, "no directory to mount a stub domain root on (/tmp, /mnt, ...)");
        rc = -ENOENT;
        goto fail;
    }
    sd.cap_last = 63;
    f = fopen("/proc/sys/kernel/cap_last_cap", "re");
    if (f) {
        if (fscanf(f, "%d", &sd.cap_last) != 1 || sd.cap_last < 0 || sd.cap_last > 63)
            sd.cap_last = 63;
        fclose(f);
    }
    for (int r = 0; r < STUBDOM_NROLES; r++) {
        if (fmt(path, sizeof(path), "%s", sd.path[r]) < 0 || (sd.path[r][0] == 0 &&
            fmt(path, sizeof(path), "%s/%s", bin_dir ? bin_dir : ".", roles[r].binary) < 0)) {
            fmt(err, errlen, "stub domain %s: binary path too long", roles[r].name);
            rc = -ENAMETOOLONG;
            goto fail;
        }
        if (access(path, F_OK) < 0 && errno == ENOENT) {
            log_info("stubdom: %s role disabled: %s not found", roles[r].name, path);
            continue;
        }
        rc = load_binary(path, roles[r].binary, e2, sizeof(e2));
        if (rc < 0) {
            fmt(err, errlen, "stub domain %s: %s", roles[r].name, e2);
            goto fail;
        }
        sd.bin_fd[r] = rc;
        rc = stubdom_filter_compile((enum stubdom_role)r, &sd.prog[r], e2, sizeof(e2));
        if (rc < 0) {
            fmt(err, errlen, "stub domain %s: %s", roles[r].name, e2);
            goto fail;
        }
        log_info("stubdom: %s from %s (%u BPF instructions)", roles[r].name, path,
                 sd.prog[r].len);
    }
    landlock_probe();
    cgroup_probe();
    sd.inited = 1;
    return 0;
fail:
    for (int r = 0; r < STUBDOM_NROLES; r++) {
        if (sd.bin_fd[r] >= 0)
            close(sd.bin_fd[r]);
        sd.bin_fd[r] = -1;
        free(sd.prog[r].filter);
        sd.prog[r].filter = NULL;
        sd.prog[r].len = 0;
    }
    close(sd.devnull);
    sd.devnull = -1;
    return rc;
}

/* ---- cgroups ----------------------------------------------------------- */

static void cg_dir(int i, const char *name, char *out, size_t outlen)
{
    fmt(out, outlen, "%s/%s", sd.cg_base[i], name);
}

static int cg_ndirs(void)
{
    return sd.cg == CG_V1 ? 2 : sd.cg == CG_V2 ? 1 : 0;
}

/* Remove the stub domain's cgroup directories (it has no processes left). */
static void cg_remove(const char *name)
{
    char d[PATH_MAX + 100];

    for (int i = 0; i < cg_ndirs(); i++) {
        cg_dir(i, name, d, sizeof(d));
        /* The exiting task may still be leaving the cgroup for a moment. */
        for (int t = 0; t < 200 && rmdir(d) < 0 && errno == EBUSY; t++)
            nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
    }
}

/* Create the cgroup(s) for @name with the caps. Returns 0 or -errno (logged). */
static int cg_create(const char *name, uint64_t mem, unsigned pct)
{
    char d[PATH_MAX + 100], v[64];
    const char *what = "mkdir";
    int rc = 0;

    for (int i = 0; i < cg_ndirs() && rc == 0; i++) {
        cg_dir(i, name, d, sizeof(d));
        if (rmdir(d) < 0 && errno != ENOENT)
            log_warn("stubdom: stale cgroup %s: %s", d, strerror(errno));
        if (mkdir(d, 0755) < 0) {
            rc = -errno;
            break;
        }
        if (sd.cg == CG_V2) {
            fmt(v, sizeof(v), "%" PRIu64, mem);
            what = "memory.max";
            if ((rc = write_file(d, what, v)) < 0)
                break;
            (void)write_file(d, "memory.swap.max", "0");   /* absent without swap */
            fmt(v, sizeof(v), "%u 100000", pct * 1000u);
            what = "cpu.max";
            rc = write_file(d, what, v);
        } else if (i == 0) {
            fmt(v, sizeof(v), "%" PRIu64, mem);
            what = "memory.limit_in_bytes";
            rc = write_file(d, what, v);
        } else {
            what = "cpu.cfs_period_us";
            if ((rc = write_file(d, what, "100000")) < 0)
                break;
            fmt(v, sizeof(v), "%u", pct * 1000u);
            what = "cpu.cfs_quota_us";
            rc = write_file(d, what, v);
        }
    }
    if (rc < 0) {
        log_warn("stubdom %s: cgroup %s (%s): %s; running it without CPU/memory caps", name, d,
                 what, strerror(-rc));
        cg_remove(name);
    }
    return rc;
}

static int cg_attach(const char *name, pid_t pid)
{
    char d[PATH_MAX + 100], v[24];
    int rc;

    fmt(v, sizeof(v), "%d", (int)pid);
    for (int i = 0; i < cg_ndirs(); i++) {
        cg_dir(i, name, d, sizeof(d));
        if ((rc = write_file(d, "cgroup.procs", v)) < 0) {
            log_warn("stubdom %s: cannot enter cgroup %s: %s", name, d, strerror(-rc));
            return rc;
        }
    }
    return 0;
}

/* ---- the child ----------------------------------------------------------- */

enum child_step {
    CS_SIGNALS = 1, CS_MOUNT, CS_PIVOT, CS_FDS, CS_RLIMIT, CS_WAIT, CS_UID, CS_CAPS,
    CS_NNP, CS_LANDLOCK, CS_SECCOMP, CS_EXEC, CS_NSTEPS
};

static const char *const step_names[CS_NSTEPS] = {
    [CS_SIGNALS] = "resetting signals", [CS_MOUNT] = "mounting the empty root",
    [CS_PIVOT] = "pivot_root", [CS_FDS] = "placing fds", [CS_RLIMIT] = "setrlimit",
    [CS_WAIT] = "waiting for hv", [CS_UID] = "dropping to its uid/gid",
    [CS_CAPS] = "dropping capabilities", [CS_NNP] = "no_new_privs",
    [CS_LANDLOCK] = "Landlock", [CS_SECCOMP] = "loading the seccomp filter",
    [CS_EXEC] = "execveat",
};

struct child_msg {
    int32_t step;
    int32_t err;
};

#define NLIMITS 7
struct child_args {
    int fds[STUBDOM_MAX_FDS];
    unsigned nfds;
    int exec_fd, err_fd, go_fd, devnull;
    uid_t uid;
    int cap_last;
    const char *mountpoint;
    struct { int res; struct rlimit lim; } limits[NLIMITS];
    const struct sock_fprog *prog;
    const struct ll_ruleset_attr *ll_attr;
    size_t ll_attr_size;
    char *const *argv;
    char *const *envp;
};

/* Tell hv which step failed and exit; raw system calls only. */
__attribute__((noreturn)) static void child_fail(int fd, int step, int e)
{
    struct child_msg m = { step, e };

    (void)!syscall(SYS_write, fd, &m, sizeof(m));
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

#define CHILD_TRY(expr, step) \
    do { if ((long)(expr) < 0) child_fail(errfd, (step), errno); } while (0)

/*
 * The child after clone3 (signals all blocked, new namespaces): confine itself
 * in the order of stubdom.h, then exec the binary. Raw system calls only.
 */
__attribute__((noreturn)) static void child_main(const struct child_args *a)
{
    struct ksigaction dfl = { .handler = SIG_DFL };
    struct __user_cap_header_struct caph = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct capd[2];
    uint64_t nomask = 0;
    int errfd = a->err_fd, tmp[STUBDOM_MAX_FDS], tnull, texec, terr, tgo;
    struct rlimit zero = { 0, 0 };
    char go;
    long n;

    /* Signal dispositions back to default (exec keeps SIG_IGN, e.g. hv's SIGPIPE). */
    for (int s = 1; s <= 64; s++)
        if (s != SIGKILL && s != SIGSTOP)
            (void)syscall(SYS_rt_sigaction, s, &dfl, NULL, sizeof(uint64_t));

    /* 2. Empty read-only root: a tmpfs mounted read-only, pivot_root into it, the
     * old root detached. Propagation private first, so nothing leaks to hv. */
    CHILD_TRY(syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), CS_MOUNT);
    CHILD_TRY(syscall(SYS_mount, "xenia-stubdom", a->mountpoint, "tmpfs",
                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555"),
              CS_MOUNT);
    CHILD_TRY(syscall(SYS_chdir, a->mountpoint), CS_PIVOT);
    CHILD_TRY(syscall(SYS_pivot_root, ".", "."), CS_PIVOT);
    CHILD_TRY(syscall(SYS_umount2, ".", MNT_DETACH), CS_PIVOT);
    CHILD_TRY(syscall(SYS_chdir, "/"), CS_PIVOT);

    /* 3. fds: move everything above STUBDOM_FD_TEMP first (the given numbers may
     * overlap the targets), then to 0-2 (/dev/null), 3.., and the fixed numbers. */
    for (unsigned i = 0; i < a->nfds; i++)
        CHILD_TRY(tmp[i] = (int)syscall(SYS_fcntl, a->fds[i], F_DUPFD_CLOEXEC, STUBDOM_FD_TEMP),
                  CS_FDS);
    CHILD_TRY(tnull = (int)syscall(SYS_fcntl, a->devnull, F_DUPFD_CLOEXEC, STUBDOM_FD_TEMP), CS_FDS);
    CHILD_TRY(texec = (int)syscall(SYS_fcntl, a->exec_fd, F_DUPFD_CLOEXEC, STUBDOM_FD_TEMP), CS_FDS);
    CHILD_TRY(terr = (int)syscall(SYS_fcntl, a->err_fd, F_DUPFD_CLOEXEC, STUBDOM_FD_TEMP), CS_FDS);
    CHILD_TRY(tgo = (int)syscall(SYS_fcntl, a->go_fd, F_DUPFD_CLOEXEC, STUBDOM_FD_TEMP), CS_FDS);
    CHILD_TRY(syscall(SYS_dup3, terr, STUBDOM_FD_ERR, O_CLOEXEC), CS_FDS);
    errfd = STUBDOM_FD_ERR;
    CHILD_TRY(syscall(SYS_dup3, texec, STUBDOM_FD_EXEC, O_CLOEXEC), CS_FDS);
    CHILD_TRY(syscall(SYS_dup3, tgo, STUBDOM_FD_GO, O_CLOEXEC), CS_FDS);
    for (int i = 0; i < 3; i++)
        CHILD_TRY(syscall(SYS_dup3, tnull, i, 0), CS_FDS);
    for (unsigned i = 0; i < a->nfds; i++)
        CHILD_TRY(syscall(SYS_dup3, tmp[i], 3 + (int)i, 0), CS_FDS);
    CHILD_TRY(syscall(SYS_close_range, 3 + a->nfds, STUBDOM_FD_EXEC - 1, 0), CS_FDS);
    CHILD_TRY(syscall(SYS_close_range, STUBDOM_FD_GO + 1, ~0u, 0), CS_FDS);

    /* 4. rlimits (only lowered; RLIMIT_NPROC comes after setresuid, below). */
    for (int i = 0; i < NLIMITS; i++)
        CHILD_TRY(syscall(SYS_prlimit64, 0, a->limits[i].res, &a->limits[i].lim, NULL), CS_RLIMIT);

    /* 5. hv has put us into our cgroup (or given up on it). */
    do {
        n = syscall(SYS_read, STUBDOM_FD_GO, &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1)
        child_fail(errfd, CS_WAIT, n < 0 ? errno : EPIPE);
    (void)syscall(SYS_close, STUBDOM_FD_GO);

    /* 6. Credentials: no supplementary groups, empty bounding set (needs
     * CAP_SETPCAP, so before the uid change), then the stub domain's uid/gid;
     * the change from uid 0 clears the permitted and effective sets. */
    CHILD_TRY(syscall(SYS_setgroups, 0, NULL), CS_UID);
    for (int c = 0; c <= a->cap_last; c++)
        CHILD_TRY(syscall(SYS_prctl, PR_CAPBSET_DROP, c, 0, 0, 0), CS_CAPS);
    CHILD_TRY(syscall(SYS_setresgid, a->uid, a->uid, a->uid), CS_UID);
    CHILD_TRY(syscall(SYS_setresuid, a->uid, a->uid, a->uid), CS_UID);
    memset(capd, 0, sizeof(capd));
    CHILD_TRY(syscall(SYS_capset, &caph, capd), CS_CAPS);       /* inheritable too */
    CHILD_TRY(syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), CS_CAPS);
    /* No new processes. Set after setresuid: set before, setresuid would flag
     * the task as over RLIMIT_NPROC and execve would then fail with EAGAIN. */
    CHILD_TRY(syscall(SYS_prlimit64, 0, RLIMIT_NPROC, &zero, NULL), CS_RLIMIT);
    /* Die with hv (cleared by the credential change, so set after it). */
    CHILD_TRY(syscall(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), CS_UID);

    /* 7. */
    CHILD_TRY(syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), CS_NNP);

    /* 8. Landlock: a ruleset that handles every right and allows none. */
    if (a->ll_attr_size) {
        long fd = syscall(SYS_landlock_create_ruleset, a->ll_attr, a->ll_attr_size, 0);

        CHILD_TRY(fd, CS_LANDLOCK);
        CHILD_TRY(syscall(SYS_landlock_restrict_self, fd, 0), CS_LANDLOCK);
        (void)syscall(SYS_close, fd);
    }

    /* Unblock signals (exec keeps the mask). */
    CHILD_TRY(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &nomask, NULL, sizeof(nomask)), CS_SIGNALS);

    /* 9. Last: the role's allowlist, then the exec it allows. */
    CHILD_TRY(syscall(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, a->prog, 0, 0), CS_SECCOMP);
    syscall(SYS_execveat, STUBDOM_FD_EXEC, "", a->argv, a->envp, AT_EMPTY_PATH);
    child_fail(errfd, CS_EXEC, errno);
}

/* ---- spawn, reap --------------------------------------------------------- */

#define FAIL(code, ...) do { (void)fmt(err, errlen, __VA_ARGS__); rc = (code); goto out; } while (0)

static int valid_name(const char *s)
{
    size_t n = 0;

    if (s == NULL || s[0] == 0 || s[0] == '.')
        return 0;
    for (; s[n]; n++)
        if (n >= 63 || !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
                         (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_' || s[n] == '.'))
            return 0;
    return 1;
}

/* Wait for the child's verdict on the err pipe: 0 = exec'ed, 1 = message, -errno. */
static int wait_verdict(int fd, struct child_msg *m)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    size_t got = 0;

    while (got < sizeof(*m)) {
        int r = poll(&p, 1, SPAWN_TIMEOUT_MS);
        ssize_t n;

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return r < 0 ? -errno : -ETIMEDOUT;
        n = read(fd, (char *)m + got, sizeof(*m) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        if (n == 0)
            return got == 0 ? 0 : -EPROTO;
        got += (size_t)n;
    }
    return 1;
}

int stubdom_spawn(const struct stubdom_spec *spec, struct stubdom_proc *out,
                  char *err, size_t errlen)
{
    static char *const envp[] = { NULL };
    char *argv[2] = { NULL, NULL };
    struct child_args ca;
    struct clone_args0 cl;
    struct child_msg m;
    sigset_t all, old;
    int errp[2] = { -1, -1 }, gop[2] = { -1, -1 }, pidfd = -1, rc = 0, cg = 0, v, released;
    const struct role_info *ri;
    uint64_t as, mem;
    unsigned pct;
    pid_t pid = -1;
    char why[64];

    memset(out, 0, sizeof(*out));
    out->pid = -1;
    out->pidfd = -1;
    if (!sd.inited)
        FAIL(-EINVAL, "stub domains are not initialised");
    if ((unsigned)spec->role >= STUBDOM_NROLES || sd.bin_fd[spec->role] < 0)
        FAIL(-ENOENT, "stub domain role %s is not available (binary missing)",
             stubdom_role_name(spec->role));
    ri = &roles[spec->role];
    if (!valid_name(spec->name))
        FAIL(-EINVAL, "bad stub domain name");
    if (spec->nfds > STUBDOM_MAX_FDS)
        FAIL(-EINVAL, "stub domain %s: %u fds, at most %d", spec->name, spec->nfds, STUBDOM_MAX_FDS);
    if (spec->uid == 0 || spec->uid == (uid_t)-1)
        FAIL(-EINVAL, "stub domain %s: uid %u is not an unprivileged uid", spec->name,
             (unsigned)spec->uid);
    for (unsigned i = 0; i < spec->nfds; i++)
        if (fcntl(spec->fds[i], F_GETFD) < 0)
            FAIL(-EBADF, "stub domain %s: fd %d (#%u) is not open", spec->name, spec->fds[i], i);
    as = ri->as_bytes + spec->as_extra_bytes;
    if (as < ri->as_bytes)
        as = RLIM_INFINITY;
    mem = spec->mem_limit_bytes ? spec->mem_limit_bytes : ri->mem_bytes;
    pct = spec->cpu_pct ? spec->cpu_pct : ri->cpu_pct;
    if (pct > 100u * 1024u)
        FAIL(-EINVAL, "stub domain %s: CPU cap %u%% too large", spec->name, pct);

    if (sd.cg != CG_NONE && cg_create(spec->name, mem, pct) == 0)
        cg = 1;
    /* "go" is a socketpair so that releasing a child that already died gives
     * EPIPE without SIGPIPE (MSG_NOSIGNAL). */
    if (pipe2(errp, O_CLOEXEC) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gop) < 0)
        FAIL(-errno, "stub domain %s: pipe: %s", spec->name, strerror(errno));

    memset(&ca, 0, sizeof(ca));
    memcpy(ca.fds, spec->fds, sizeof(ca.fds));
    ca.nfds = spec->nfds;
    ca.exec_fd = sd.bin_fd[spec->role];
    ca.err_fd = errp[1];
    ca.go_fd = gop[0];
    ca.devnull = sd.devnull;
    ca.uid = spec->uid;
    ca.cap_last = sd.cap_last;
    ca.mountpoint = sd.mountpoint;
    ca.limits[0].res = RLIMIT_AS;
    ca.limits[0].lim = (struct rlimit){ as, as };
    ca.limits[1].res = RLIMIT_NOFILE;
    ca.limits[1].lim = (struct rlimit){ 3 + spec->nfds + NOFILE_MARGIN, 3 + spec->nfds + NOFILE_MARGIN };
    ca.limits[2].res = RLIMIT_CORE;
    ca.limits[2].lim = (struct rlimit){ 0, 0 };
    ca.limits[3].res = RLIMIT_MEMLOCK;
    ca.limits[3].lim = (struct rlimit){ 0, 0 };
    ca.limits[4].res = RLIMIT_MSGQUEUE;
    ca.limits[4].lim = (struct rlimit){ 0, 0 };
    ca.limits[5].res = RLIMIT_FSIZE;
    ca.limits[5].lim = ri->no_file_writes ? (struct rlimit){ 0, 0 }
                                          : (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
    ca.limits[6].res = RLIMIT_NICE;                     /* cannot raise its priority */
    ca.limits[6].lim = (struct rlimit){ 0, 0 };
    ca.prog = &sd.prog[spec->role];
    ca.ll_attr = &sd.ll_attr;
    ca.ll_attr_size = sd.ll_abi ? sd.ll_attr_size : 0;
    argv[0] = (char *)ri->binary;
    ca.argv = argv;
    ca.envp = envp;

    /* The child starts with every signal blocked (no hv handler can run in it). */
    memset(&cl, 0, sizeof(cl));
    cl.flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_PIDFD;
    cl.pidfd = (uint64_t)(uintptr_t)&pidfd;
    cl.exit_signal = SIGCHLD;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = (pid_t)syscall(SYS_clone3, &cl, sizeof(cl));
    if (pid == 0)
        child_main(&ca);
    v = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(errp[1]);
    errp[1] = -1;
    close(gop[0]);
    gop[0] = -1;
    if (pid < 0)
        FAIL(-v, "stub domain %s: clone3: %s", spec->name, strerror(v));

    if (cg && cg_attach(spec->name, pid) < 0) {
        cg = 0;
        cg_remove(spec->name);
    }
    released = send(gop[1], "g", 1, MSG_NOSIGNAL) == 1;
    v = wait_verdict(errp[0], &m);
    if (v == 0 && !released)     /* it died before exec without saying why */
        v = -EPIPE;
    if (v != 0) {
        if (v == 1)
            fmt(err, errlen, "stub domain %s: %s failed: %s%s", spec->name,
                m.step > 0 && m.step < CS_NSTEPS ? step_names[m.step] : "set-up",
                strerror(m.err), m.step == CS_EXEC && m.err == ENOENT ?
                " (is the binary statically linked?)" : "");
        else
            fmt(err, errlen, "stub domain %s: no exec within %d ms: %s", spec->name,
                SPAWN_TIMEOUT_MS, strerror(-v));
        rc = v == 1 ? -(m.err ? m.err : EIO) : v;
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
        struct stubdom_proc tmp = { .pid = pid, .pidfd = pidfd };
        if (cg)
            fmt(tmp.cgroup, sizeof(tmp.cgroup), "%s", spec->name);
        stubdom_reap(&tmp, why, sizeof(why));
        pidfd = -1;
        cg = 0;
        goto out;
    }
    out->pid = pid;
    out->pidfd = pidfd;
    out->role = spec->role;
    out->uid = spec->uid;
    if (cg)
        fmt(out->cgroup, sizeof(out->cgroup), "%s", spec->name);
    out->confined = STUBDOM_C_NS | STUBDOM_C_ROOT | STUBDOM_C_RLIMIT | STUBDOM_C_UID |
                    STUBDOM_C_NNP | STUBDOM_C_SECCOMP | (cg ? STUBDOM_C_CGROUP : 0) |
                    (sd.ll_abi ? STUBDOM_C_LANDLOCK : 0);
    pidfd = -1;
    cg = 0;
    log_debug("stubdom %s: pid %d uid %u, layers %#x", spec->name, (int)pid,
              (unsigned)spec->uid, out->confined);
out:
    if (cg)
        cg_remove(spec->name);
    if (pidfd >= 0)
        close(pidfd);
    for (int i = 0; i < 2; i++) {
        if (errp[i] >= 0)
            close(errp[i]);
        if (gop[i] >= 0)
            close(gop[i]);
    }
    return rc;
}

int stubdom_reap(struct stubdom_proc *p, char *why, size_t whylen)
{
    siginfo_t si;
    int status;

    if (p->pidfd < 0) {
        fmt(why, whylen, "not running");
        return -ECHILD;
    }
    memset(&si, 0, sizeof(si));
    while (waitid((idtype_t)XP_PIDFD, (id_t)p->pidfd, &si, WEXITED) < 0) {
        if (errno != EINTR) {
            int e = errno;
            fmt(why, whylen, "waitid: %s", strerror(e));
            return -e;
        }
    }
    if (si.si_code == CLD_EXITED) {
        status = (si.si_status & 0xff) << 8;
        fmt(why, whylen, "exited with status %d", si.si_status);
    } else {
        const char *abbrev = sigabbrev_np(si.si_status);
        status = (si.si_status & 0x7f) | (si.si_code == CLD_DUMPED ? 0x80 : 0);
        fmt(why, whylen, "killed by SIG%s", abbrev ? abbrev : "?");
    }
    if (p->cgroup[0])
        cg_remove(p->cgroup);
    p->cgroup[0] = 0;
    close(p->pidfd);
    p->pidfd = -1;
    return status;
}

void stubdom_kill(struct stubdom_proc *p)
{
    char why[64];

    if (p->pidfd < 0)
        return;
    syscall(SYS_pidfd_send_signal, p->pidfd, SIGKILL, NULL, 0);
    stubdom_reap(p, why, sizeof(why));
}
