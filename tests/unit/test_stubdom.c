/* SPDX-License-Identifier: MIT */
/*
 * Stub domain confinement (hv/stubdom.c), seen from outside as the issue asks:
 * for a probe stub domain (tests/stubdom/probe.c) started by stubdom_spawn
 * under each role's real seccomp filter, /proc/PID/status shows Seccomp 2,
 * NoNewPrivs 1, the stub domain's own uid/gid and no capabilities;
 * /proc/PID/ns/{mnt,pid,net,ipc,uts} differ from hv's; /proc/PID/fd holds
 * exactly 0-2 (/dev/null) and the given fds; its root is empty and read-only;
 * rlimits and cgroup are in place; a forbidden system call kills it with SIGSYS.
 *
 * The probe is installed in a temporary bin dir as xenia-builder,
 * xenia-console and xenia-attest, and passed as the dm through stubdom_init's dm_path override.
 * Needs root and namespaces; skips cleanly (with a message) otherwise. Also
 * prints the spawn time (median of 50 spawns, stubdom_spawn until exec).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "hv/log.h"
#include "hv/stubdom.h"
#include "hv/stubdom_seccomp.h"

static int skip_all;            /* not root / no namespaces */
static char skip_why[128];
static char tmpdir[64];

#define REQUIRE_ROOT() do { if (skip_all) { print_message("skipped: %s\n", skip_why); skip(); } } while (0)

/* ---- helpers ------------------------------------------------------------- */

static int new_memfd(size_t bytes)
{
    int fd = memfd_create("stubdom-test", MFD_CLOEXEC);

    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)bytes), 0);
    return fd;
}

/* Receive one message on fd within 5 s into buf (NUL-terminated); returns length or -1. */
static ssize_t recv_msg(int fd, char *buf, size_t len)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    ssize_t n;

    if (poll(&p, 1, 5000) <= 0)
        return -1;
    n = recv(fd, buf, len - 1, 0);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

static void expect_reply(int fd, const char *want)
{
    char buf[128];

    assert_true(recv_msg(fd, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, want);
}

/* The value of "Key:" in /proc/<pid>/status (whitespace collapsed to one space). */
static void status_field(pid_t pid, const char *key, char *out, size_t outlen)
{
    char path[64], line[512];
    size_t klen = strlen(key);
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "re");
    assert_non_null(f);
    out[0] = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            char *s = line + klen + 1, *o = out;
            while (*s && o + 1 < out + outlen) {
                if (*s == '\t' || *s == ' ') {
                    if (o > out && o[-1] != ' ')
                        *o++ = ' ';
                } else if (*s != '\n') {
                    *o++ = *s;
                }
                s++;
            }
            while (o > out && o[-1] == ' ')
                o--;
            *o = 0;
            break;
        }
    }
    fclose(f);
}

static void check_status(pid_t pid, uid_t uid)
{
    char v[256], want[128];

    status_field(pid, "Seccomp", v, sizeof(v));
    assert_string_equal(v, "2");
    status_field(pid, "NoNewPrivs", v, sizeof(v));
    assert_string_equal(v, "1");
    snprintf(want, sizeof(want), "%u %u %u %u", uid, uid, uid, uid);
    status_field(pid, "Uid", v, sizeof(v));
    assert_string_equal(v, want);
    status_field(pid, "Gid", v, sizeof(v));
    assert_string_equal(v, want);
    status_field(pid, "Groups", v, sizeof(v));
    assert_string_equal(v, "");
    static const char *const caps[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        status_field(pid, caps[i], v, sizeof(v));
        assert_string_equal(v, "0000000000000000");
    }
}

static void check_namespaces(pid_t pid, pid_t other)
{
    static const char *const ns[] = { "mnt", "pid", "net", "ipc", "uts" };

    for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
        char p[64], mine[64], theirs[64], b[64];
        ssize_t n;

        snprintf(p, sizeof(p), "/proc/self/ns/%s", ns[i]);
        n = readlink(p, mine, sizeof(mine) - 1);
        assert_true(n > 0);
        mine[n] = 0;
        snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)pid, ns[i]);
        n = readlink(p, theirs, sizeof(theirs) - 1);
        assert_true(n > 0);
        theirs[n] = 0;
        assert_string_not_equal(mine, theirs);
        if (other > 0) {
            snprintf(p, sizeof(p), "/proc/%d/ns/%s", (int)other, ns[i]);
            n = readlink(p, b, sizeof(b) - 1);
            assert_true(n > 0);
            b[n] = 0;
            assert_string_not_equal(b, theirs);
        }
    }
}

/* /proc/pid/fd holds exactly 0..2+nfds; 0-2 are /dev/null; 3+i is fds[i]'s file. */
static void check_fds(pid_t pid, const int *fds, unsigned nfds)
{
    char path[64];
    struct dirent *e;
    unsigned seen = 0;
    struct stat a, b, null;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
    d = opendir(path);
    assert_non_null(d);
    assert_int_equal(stat("/dev/null", &null), 0);
    while ((e = readdir(d)) != NULL) {
        char *end;
        long n;

        if (e->d_name[0] == '.')
            continue;
        n = strtol(e->d_name, &end, 10);
        assert_true(*end == 0 && n >= 0);
        if ((unsigned long)n >= 3 + nfds)
            print_error("unexpected fd %ld in stub domain %d\n", n, (int)pid);
        assert_true((unsigned long)n < 3 + nfds);
        assert_false(seen & (1u << n));
        seen |= 1u << n;
        snprintf(path, sizeof(path), "/proc/%d/fd/%ld", (int)pid, n);
        assert_int_equal(stat(path, &a), 0);
        if (n < 3) {
            assert_true(a.st_rdev == null.st_rdev && S_ISCHR(a.st_mode));
        } else {
            assert_int_equal(fstat(fds[n - 3], &b), 0);
            assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
        }
    }
    closedir(d);
    assert_int_equal(seen, (1u << (3 + nfds)) - 1);
}

/* Its root: an empty, read-only directory, the only mount it has. */
static void check_root(pid_t pid)
{
    char path[64], line[512];
    struct statvfs vfs;
    struct dirent *e;
    int entries = 0, mounts = 0;
    FILE *f;
    DIR *d;

    snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
    d = opendir(path);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            entries++;
    closedir(d);
    assert_int_equal(entries, 0);
    assert_int_equal(statvfs(path, &vfs), 0);
    assert_true(vfs.f_flag & ST_RDONLY);
    snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
    f = fopen(path, "re");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        mounts++;
    fclose(f);
    assert_int_equal(mounts, 1);
}

/* One limit from /proc/pid/limits ("Max open files  15  15  files"); soft and
 * hard must agree (both are set). Returns it, RLIM_INFINITY for "unlimited".
 * (prlimit(pid) would need CAP_SYS_RESOURCE, which a container may lack.) */
static uint64_t proc_limit(pid_t pid, const char *name)
{
    char path[64], line[256], soft[32], hard[32];
    size_t nl = strlen(name);
    uint64_t v = 0;
    int found = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
    f = fopen(path, "re");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, name, nl) == 0 && line[nl] == ' ' &&
            sscanf(line + nl, "%31s %31s", soft, hard) == 2) {
            assert_string_equal(soft, hard);
            v = strcmp(soft, "unlimited") == 0 ? RLIM_INFINITY : strtoull(soft, NULL, 10);
            found = 1;
        }
    fclose(f);
    assert_true(found);
    return v;
}

static void check_limits(pid_t pid, unsigned nfds, int fsize_zero)
{
    uint64_t as = proc_limit(pid, "Max address space");

    assert_int_equal(proc_limit(pid, "Max core file size"), 0);
    assert_int_equal(proc_limit(pid, "Max processes"), 0);
    assert_int_equal(proc_limit(pid, "Max locked memory"), 0);
    assert_int_equal(proc_limit(pid, "Max open files"), 3 + nfds + 4);
    assert_true(3 + nfds + 4 < STUBDOM_FD_EXEC);
    assert_true(as != RLIM_INFINITY && as >= (16u << 20));
    assert_int_equal(proc_limit(pid, "Max file size"), fsize_zero ? 0 : RLIM_INFINITY);
}

/* With cgroups: /proc/pid/cgroup names .../xenia/<name> (v1 memory and cpu, or
 * v2 0::), and that directory carries the memory cap. Stores the memory (v1) or
 * unified (v2) directory in dir (for the check that reaping removes it). */
static void check_cgroup(const struct stubdom_proc *p, const char *name, char *dir, size_t dirlen)
{
    char path[64], line[1024], suffix[96], file[1200];
    int hits = 0;
    FILE *f;

    dir[0] = 0;
    if (!(p->confined & STUBDOM_C_CGROUP)) {
        print_message("  (cgroup tree not writable here: no cgroup check)\n");
        return;
    }
    assert_string_equal(p->cgroup, name);
    snprintf(suffix, sizeof(suffix), "/xenia/%s\n", name);
    snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)p->pid);
    f = fopen(path, "re");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        size_t l = strlen(line), s = strlen(suffix);
        char *c = strchr(line, ':');
        if (l <= s || strcmp(line + l - s, suffix) != 0 || c == NULL)
            continue;
        line[l - 1] = 0;
        if (strncmp(c, ":memory:", 8) == 0) {
            snprintf(dir, dirlen, "/sys/fs/cgroup/memory%s", c + 8);
            snprintf(file, sizeof(file), "%s/memory.limit_in_bytes", dir);
            hits++;
        } else if (strncmp(line, "0::", 3) == 0) {
            snprintf(dir, dirlen, "/sys/fs/cgroup%s", line + 3);
            snprintf(file, sizeof(file), "%s/memory.max", dir);
            hits += 2;
        } else if (strncmp(c, ":cpu:", 5) == 0 || strncmp(c, ":cpu,", 5) == 0) {
            hits++;
        }
    }
    fclose(f);
    assert_true(hits >= 2);   /* v1: memory and cpu; v2: the unified line */
    f = fopen(file, "re");
    assert_non_null(f);
    unsigned long long cap = 0;
    assert_int_equal(fscanf(f, "%llu", &cap), 1);
    fclose(f);
    assert_true(cap > 0 && cap < (1ull << 40));
}

static int probe_spawn(enum stubdom_role role, const char *name, const int *fds, unsigned nfds,
                       struct stubdom_proc *p)
{
    struct stubdom_spec spec;
    char err[256] = "";
    int rc;

    memset(&spec, 0, sizeof(spec));
    spec.role = role;
    spec.name = name;
    memcpy(spec.fds, fds, nfds * sizeof(int));
    spec.nfds = nfds;
    spec.uid = stubdom_uid(role, 7);
    rc = stubdom_spawn(&spec, p, err, sizeof(err));
    if (rc < 0)
        print_error("stubdom_spawn(%s): %s\n", name, err);
    return rc;
}

/* Role fds for the probe: sock[1] at the role's IPC slot; returns nfds. */
static unsigned role_fds(enum stubdom_role role, int *fds, int *win, int *sock)
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock), 0);
    *win = new_memfd(1u << 20);
    switch (role) {
    case STUBDOM_BUILDER:           /* RAM memfd, image, IPC (builder.h) */
        fds[0] = *win;
        fds[1] = *win;
        fds[2] = sock[1];
        return 3;
    case STUBDOM_DM:                /* I/O window, IPC (dm.h) */
        fds[0] = *win;
        fds[1] = sock[1];
        return 2;
    default:                        /* console: its socket */
        fds[0] = sock[1];
        return 1;
    }
}

/* ---- set-up ---------------------------------------------------------------- */

static int group_setup(void **state)
{
    char self[PATH_MAX], probe[PATH_MAX + 32], link[128], err[256] = "";
    ssize_t n;
    pid_t pid;
    int st;

    (void)state;
    log_open(NULL, LOG_WARN);
    if (geteuid() != 0) {
        snprintf(skip_why, sizeof(skip_why), "needs root (stub domains get their own uid)");
        skip_all = 1;
        return 0;
    }
    pid = fork();
    if (pid == 0)
        _exit(unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) < 0
              ? errno : 0);
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        snprintf(skip_why, sizeof(skip_why), "cannot create namespaces here (%s)",
                 strerror(WIFEXITED(st) ? WEXITSTATUS(st) : EPERM));
        skip_all = 1;
        return 0;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    assert_true(n > 0);
    self[n] = 0;
    *strrchr(self, '/') = 0;
    snprintf(probe, sizeof(probe), "%s/stubdom-probe", self);
    assert_int_equal(access(probe, R_OK), 0);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/xenia-stubdom-test-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    snprintf(link, sizeof(link), "%s/xenia-builder", tmpdir);
    assert_int_equal(symlink(probe, link), 0);
    snprintf(link, sizeof(link), "%s/xenia-console", tmpdir);
    assert_int_equal(symlink(probe, link), 0);
    snprintf(link, sizeof(link), "%s/xenia-attest", tmpdir);
    assert_int_equal(symlink(probe, link), 0);
    if (stubdom_init(tmpdir, probe, err, sizeof(err)) < 0) {
        print_error("stubdom_init: %s\n", err);
        return -1;
    }
    print_message("Landlock ABI %d\n", stubdom_landlock_abi());
    return 0;
}

static int group_teardown(void **state)
{
    char p[128];

    (void)state;
    if (tmpdir[0]) {
        snprintf(p, sizeof(p), "%s/xenia-builder", tmpdir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/xenia-console", tmpdir);
        unlink(p);
        snprintf(p, sizeof(p), "%s/xenia-attest", tmpdir);
        unlink(p);
        rmdir(tmpdir);
    }
    return 0;
}

/* ---- tests: data and pure parts --------------------------------------------- */

static int allows(const struct stubdom_rule *r, size_t n, int nr)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].nr == nr && r[i].action == SCMP_ACT_ALLOW)
            return 1;
    return 0;
}

/* Every rule has a one-line reason; no role may open, create sockets, exec,
 * trace, fork or signal; the dm and builder get no ioctl; mmap and mprotect are
 * allowed only with PROT_EXEC masked out; each role's filter compiles. */
static void test_rule_lists(void **state)
{
    static const int never[] = {
        SCMP_SYS(open), SCMP_SYS(openat), SCMP_SYS(openat2), SCMP_SYS(socket),
        SCMP_SYS(socketpair), SCMP_SYS(execve), SCMP_SYS(ptrace), SCMP_SYS(clone),
        SCMP_SYS(clone3), SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(kill), SCMP_SYS(tkill),
        SCMP_SYS(tgkill), SCMP_SYS(unshare), SCMP_SYS(setns), SCMP_SYS(mount),
        SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(bpf),
        SCMP_SYS(memfd_create), SCMP_SYS(mremap), SCMP_SYS(pkey_mprotect), SCMP_SYS(connect),
        SCMP_SYS(bind), SCMP_SYS(dup2), SCMP_SYS(prctl), SCMP_SYS(seccomp),
    };
    (void)state;
    for (unsigned w = 0; w <= STUBDOM_RULES_STARTUP; w++) {
        size_t n;
        const struct stubdom_rule *r = stubdom_rules(w, &n);

        assert_non_null(r);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            assert_true(r[i].nr >= 0);
            assert_non_null(r[i].reason);
            assert_true(strlen(r[i].reason) >= 10 && strlen(r[i].reason) <= 120);
            assert_null(strchr(r[i].reason, '\n'));
            if (r[i].nr == SCMP_SYS(mmap) || r[i].nr == SCMP_SYS(mprotect)) {
                int noexec = 0;
                for (unsigned c = 0; c < r[i].ncmp; c++)
                    if (r[i].cmp[c].arg == 2 && r[i].cmp[c].op == SCMP_CMP_MASKED_EQ &&
                        (r[i].cmp[c].datum_a & PROT_EXEC) && !(r[i].cmp[c].datum_b & PROT_EXEC))
                        noexec = 1;
                assert_true(noexec);
            }
            if (r[i].nr == SCMP_SYS(execveat)) {
                assert_int_equal(w, STUBDOM_RULES_STARTUP);
                assert_true(r[i].ncmp >= 1 && r[i].cmp[0].arg == 0 &&
                            r[i].cmp[0].datum_a == STUBDOM_FD_EXEC);
            }
        }
        for (size_t k = 0; k < sizeof(never) / sizeof(never[0]); k++)
            assert_false(allows(r, n, never[k]));
        if (w == STUBDOM_DM || w == STUBDOM_BUILDER || w == STUBDOM_RULES_STARTUP)
            assert_false(allows(r, n, SCMP_SYS(ioctl)));
    }
    for (int role = 0; role < STUBDOM_NROLES; role++) {
        struct sock_fprog prog;
        char err[256];

        assert_int_equal(stubdom_filter_compile((enum stubdom_role)role, &prog, err, sizeof(err)), 0);
        assert_true(prog.len > 10 && prog.len < 1024);
        print_message("  %s filter: %u BPF instructions\n",
                      stubdom_role_name((enum stubdom_role)role), prog.len);
        free(prog.filter);
    }
    assert_null(stubdom_rules(STUBDOM_RULES_STARTUP + 1, &(size_t){ 0 }));
}

static void test_uid(void **state)
{
    (void)state;
    assert_int_equal(stubdom_uid(STUBDOM_BUILDER, 0), 640000);
    assert_int_equal(stubdom_uid(STUBDOM_DM, 3), 640000 + 12 + 1);
    assert_int_equal(stubdom_uid(STUBDOM_CONSOLE, 3), 640000 + 12 + 2);
    for (uint32_t d = 0; d < 64; d++)
        for (int r = 0; r < STUBDOM_NROLES; r++)
            for (uint32_t d2 = 0; d2 < 64; d2++)
                for (int r2 = 0; r2 < STUBDOM_NROLES; r2++)
                    if (d != d2 || r != r2)
                        assert_true(stubdom_uid((enum stubdom_role)r, d) !=
                                    stubdom_uid((enum stubdom_role)r2, d2));
    assert_int_equal(stubdom_uid(STUBDOM_DM, UINT32_MAX), (uid_t)-1);
    assert_int_equal(stubdom_uid(STUBDOM_NROLES, 1), (uid_t)-1);
    assert_int_equal(stubdom_set_uid_base(0), -EINVAL);
    assert_int_equal(stubdom_set_uid_base(700000), 0);
    assert_int_equal(stubdom_uid(STUBDOM_DM, 1), 700005);
    assert_int_equal(stubdom_set_uid_base(640000), 0);
}

/* ---- tests: a running probe ------------------------------------------------- */

static void confinement(enum stubdom_role role, const char *name)
{
    struct stubdom_proc p;
    int fds[STUBDOM_MAX_FDS], sock[2], win, status, leak;
    char why[64], cgdir[1100];
    unsigned nfds;

    REQUIRE_ROOT();
    nfds = role_fds(role, fds, &win, sock);
    leak = dup(win);   /* not close-on-exec: only close_range keeps it from the child */
    assert_true(leak >= 0);
    assert_int_equal(probe_spawn(role, name, fds, nfds, &p), 0);
    assert_true(p.pid > 0 && p.pidfd >= 0);
    assert_int_equal(p.uid, stubdom_uid(role, 7));
    assert_true((p.confined & (STUBDOM_C_NS | STUBDOM_C_ROOT | STUBDOM_C_RLIMIT | STUBDOM_C_UID |
                               STUBDOM_C_NNP | STUBDOM_C_SECCOMP)) ==
                (STUBDOM_C_NS | STUBDOM_C_ROOT | STUBDOM_C_RLIMIT | STUBDOM_C_UID |
                 STUBDOM_C_NNP | STUBDOM_C_SECCOMP));
    assert_int_equal(!!(p.confined & STUBDOM_C_LANDLOCK), stubdom_landlock_abi() > 0);
    expect_reply(sock[0], "ready");

    check_status(p.pid, p.uid);
    check_namespaces(p.pid, 0);
    check_fds(p.pid, fds, nfds);
    close(sock[1]);   /* the test's copy; the probe holds its own */
    check_root(p.pid);
    check_limits(p.pid, nfds, role != STUBDOM_DM);
    check_cgroup(&p, name, cgdir, sizeof(cgdir));

    assert_int_equal(send(sock[0], "p", 1, 0), 1);
    expect_reply(sock[0], "pong");
    assert_int_equal(send(sock[0], "M", 1, 0), 1);
    expect_reply(sock[0], "malloc");
    if (role != STUBDOM_CONSOLE) {   /* fd 3 is its RAM / I/O window memfd */
        char buf[16] = "";
        assert_int_equal(send(sock[0], "m", 1, 0), 1);
        expect_reply(sock[0], "mapped");
        assert_int_equal(pread(win, buf, 15, 0), 15);
        assert_string_equal(buf, "probe-was-here");
    }
    /* execveat is allowed only on the binary's fd, which is gone after exec. */
    assert_int_equal(send(sock[0], "E", 1, 0), 1);
    assert_true(recv_msg(sock[0], why, sizeof(why)) > 0);
    assert_true(strcmp(why, "errno 9") == 0 || strcmp(why, "errno 2") == 0);

    assert_int_equal(send(sock[0], "q", 1, 0), 1);
    status = stubdom_reap(&p, why, sizeof(why));
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_string_equal(why, "exited with status 0");
    assert_int_equal(p.pidfd, -1);
    assert_string_equal(p.cgroup, "");
    if (cgdir[0])   /* reaping removed its cgroup */
        assert_true(access(cgdir, F_OK) < 0 && errno == ENOENT);
    close(sock[0]);
    close(win);
    close(leak);
}

static void test_confine_builder(void **state) { (void)state; confinement(STUBDOM_BUILDER, "t-builder-7"); }
static void test_confine_dm(void **state) { (void)state; confinement(STUBDOM_DM, "t-dm-7"); }
static void test_confine_console(void **state) { (void)state; confinement(STUBDOM_CONSOLE, "t-console-7"); }

/* Each forbidden call kills the probe with SIGSYS (seccomp, default action). */
static void forbidden(enum stubdom_role role, const char *cmds)
{
    for (const char *c = cmds; *c; c++) {
        struct stubdom_proc p;
        int fds[STUBDOM_MAX_FDS], sock[2], win, status;
        char why[64], reply[64];
        unsigned nfds = role_fds(role, fds, &win, sock);

        assert_int_equal(probe_spawn(role, "t-forbidden", fds, nfds, &p), 0);
        close(sock[1]);
        expect_reply(sock[0], "ready");
        assert_int_equal(send(sock[0], c, 1, 0), 1);
        /* No reply: it died in the call. */
        if (recv_msg(sock[0], reply, sizeof(reply)) > 0)
            print_error("%s probe survived '%c': %s\n", stubdom_role_name(role), *c, reply);
        status = stubdom_reap(&p, why, sizeof(why));
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS))
            print_error("%s probe '%c': %s\n", stubdom_role_name(role), *c, why);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS);
        assert_string_equal(why, "killed by SIGSYS");
        close(sock[0]);
        close(win);
    }
}

static void test_forbidden_dm(void **state)
{
    (void)state;
    REQUIRE_ROOT();
    forbidden(STUBDOM_DM, "osetixwfku");
}

static void test_forbidden_builder(void **state)
{
    (void)state;
    REQUIRE_ROOT();
    forbidden(STUBDOM_BUILDER, "osetixwfku");
}

static void test_forbidden_console(void **state)
{
    (void)state;
    REQUIRE_ROOT();
    forbidden(STUBDOM_CONSOLE, "osetixwfku");
}

/* Two stub domains: neither sees the other's fds; their namespaces differ. */
static void test_two_spawns_isolated(void **state)
{
    struct stubdom_proc a, b;
    int fa[STUBDOM_MAX_FDS], fb[STUBDOM_MAX_FDS], sa[2], sb[2], wa, wb;
    unsigned na, nb;

    (void)state;
    REQUIRE_ROOT();
    na = role_fds(STUBDOM_DM, fa, &wa, sa);
    nb = role_fds(STUBDOM_DM, fb, &wb, sb);
    assert_int_equal(probe_spawn(STUBDOM_DM, "t-dm-a", fa, na, &a), 0);
    assert_int_equal(probe_spawn(STUBDOM_DM, "t-dm-b", fb, nb, &b), 0);
    expect_reply(sa[0], "ready");
    expect_reply(sb[0], "ready");
    check_fds(a.pid, fa, na);   /* exactly its own: so none of b's */
    check_fds(b.pid, fb, nb);
    check_namespaces(a.pid, b.pid);
    stubdom_kill(&a);
    stubdom_kill(&b);
    assert_int_equal(a.pidfd, -1);
    for (int i = 0; i < 2; i++) {
        close(sa[i]);
        close(sb[i]);
    }
    close(wa);
    close(wb);
}

static void test_spawn_rejects(void **state)
{
    struct stubdom_spec spec;
    struct stubdom_proc p;
    char err[256];
    int sock[2];

    (void)state;
    REQUIRE_ROOT();
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock), 0);
    memset(&spec, 0, sizeof(spec));
    spec.role = STUBDOM_CONSOLE;
    spec.name = "t-reject";
    spec.fds[0] = sock[1];
    spec.nfds = 1;
    spec.uid = 0;
    assert_int_equal(stubdom_spawn(&spec, &p, err, sizeof(err)), -EINVAL);   /* root uid */
    spec.uid = stubdom_uid(STUBDOM_CONSOLE, 1);
    spec.name = "../escape";
    assert_int_equal(stubdom_spawn(&spec, &p, err, sizeof(err)), -EINVAL);
    spec.name = "t-reject";
    spec.nfds = STUBDOM_MAX_FDS + 1;
    assert_int_equal(stubdom_spawn(&spec, &p, err, sizeof(err)), -EINVAL);
    spec.nfds = 1;
    spec.fds[0] = 1000;
    assert_int_equal(stubdom_spawn(&spec, &p, err, sizeof(err)), -EBADF);
    spec.fds[0] = sock[1];
    spec.role = STUBDOM_NROLES;
    assert_int_equal(stubdom_spawn(&spec, &p, err, sizeof(err)), -ENOENT);
    assert_int_equal(p.pidfd, -1);
    close(sock[0]);
    close(sock[1]);
}

/* The binary memfds are sealed against every change (attestation measures them). */
static void test_binary_sealed(void **state)
{
    (void)state;
    REQUIRE_ROOT();
    for (int r = 0; r < STUBDOM_NROLES; r++) {
        int fd = stubdom_binary_fd((enum stubdom_role)r);
        assert_true(fd >= 0);
        assert_int_equal(fcntl(fd, F_GET_SEALS),
                         F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
        assert_int_equal(pwrite(fd, "x", 1, 0), -1);
        assert_int_equal(errno, EPERM);
    }
    assert_int_equal(stubdom_binary_fd(STUBDOM_NROLES), -1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Figures only: stubdom_spawn until the child has exec'ed (median of 50). */
static void test_spawn_time(void **state)
{
    enum { N = 50 };
    uint64_t t[N], r[N];

    (void)state;
    REQUIRE_ROOT();
    for (int i = 0; i < N; i++) {
        struct stubdom_proc p;
        int sock[2];
        uint64_t t0;
        char why[64];

        assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock), 0);
        t0 = now_ns();
        assert_int_equal(probe_spawn(STUBDOM_CONSOLE, "t-bench", &sock[1], 1, &p), 0);
        t[i] = now_ns() - t0;
        expect_reply(sock[0], "ready");
        r[i] = now_ns() - t0;
        stubdom_kill(&p);
        (void)why;
        close(sock[0]);
        close(sock[1]);
    }
    qsort(t, N, sizeof(t[0]), cmp_u64);
    qsort(r, N, sizeof(r[0]), cmp_u64);
    print_message("  stub domain spawn (clone3 .. exec), %d spawns: median %.2f ms, "
                  "min %.2f, p90 %.2f; until the probe's first message: median %.2f ms\n",
                  N, t[N / 2] / 1e6, t[0] / 1e6, t[N * 9 / 10] / 1e6, r[N / 2] / 1e6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_lists),
        cmocka_unit_test(test_uid),
        cmocka_unit_test(test_binary_sealed),
        cmocka_unit_test(test_confine_builder),
        cmocka_unit_test(test_confine_dm),
        cmocka_unit_test(test_confine_console),
        cmocka_unit_test(test_forbidden_dm),
        cmocka_unit_test(test_forbidden_builder),
        cmocka_unit_test(test_forbidden_console),
        cmocka_unit_test(test_two_spawns_isolated),
        cmocka_unit_test(test_spawn_rejects),
        cmocka_unit_test(test_spawn_time),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
