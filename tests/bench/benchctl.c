/* SPDX-License-Identifier: MIT */
/*
 * benchctl: the benchmark driver's control-socket client and timer. It speaks
 * the control protocol of include/xenia/ctl.h directly (one connection per
 * request, like the `xenia` CLI), so that the figures measure hv and not a
 * shell. Every result is one parseable line "BENCH <what> key=value ...".
 *
 *   benchctl launch RUN_DIR IMAGE COUNT
 *       COUNT times: CREATE (16 MiB, cmdline "wait"), poll INFO until hv reports
 *       launch_ns (create request -> first hypercall), DESTROY. Medians of hv's
 *       launch_ns, of the CREATE round trip and of the DESTROY round trip.
 *   benchctl cli RUN_DIR NAME COUNT CMD...
 *       COUNT times: run CMD (a `xenia create CFG` whose domain is NAME) as a
 *       child, then find when the guest made its first hypercall, on the same
 *       CLOCK_MONOTONIC: created = (hv now) - uptime_ns, read mid-way through an
 *       INFO round trip; first hypercall = created + launch_ns. Reports the CLI's
 *       wall time (fork -> exit) and fork -> first hypercall; DESTROY between.
 *   benchctl scale RUN_DIR IMAGE HV_PID K1 K2 CHURN
 *       memory of xenia-hv (/proc/PID/status, smaps_rollup) with 0, K1 and K2
 *       domains up and settled (first hypercall done, blocked); create rate
 *       (CREATE back to back), destroy rate, create+destroy rate over CHURN
 *       cycles, and hv memory before/after the churn (leaks).
 *   benchctl timeit COUNT CMD...
 *       wall time of CMD (fork -> exit) COUNT times: min / median / mean; the
 *       child's stdout and stderr go to /dev/null; exit status of the last run.
 *   benchctl rss COPIES MS CMD...
 *       start COPIES copies of CMD, wait MS milliseconds, sample the first one's
 *       memory and the host's MemAvailable / kernel memory change per copy,
 *       then kill them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xenia/ctl.h>

#include "../../tools/ctl_client.h"

#define MEM_MIB 16u


static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned us)
{
    struct timespec ts = { .tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000 };
    nanosleep(&ts, NULL);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "benchctl: %s\n", msg);
    printf("BENCH error msg=\"%s\"\n", msg);
    exit(1);
}

/* ---- control socket ------------------------------------------------------ */

/* Control requests go through the CLI's client (tools/ctl_client.c): one code path. */
static struct xenia_ctl g_ctl;

static uint32_t create(const char *image, const char *name, const char *cmdline)
{
    struct xenia_domcfg cfg;
    uint32_t domid = 0;
    int fd = open(image, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0)
        fatal("open %s: %s", image, strerror(errno));
    memset(&cfg, 0, sizeof(cfg));
    snprintf(cfg.name, sizeof(cfg.name), "%s", name);
    cfg.memory_mib = MEM_MIB;
    cfg.vcpus = 1;
    cfg.on_poweroff = cfg.on_reboot = cfg.on_crash = XENIA_ACTION_PRESERVE;
    snprintf(cfg.cmdline, sizeof(cfg.cmdline), "%s", cmdline);
    rc = xenia_ctl_create(&g_ctl, &cfg, 0, fd, &domid);
    close(fd);
    if (rc < 0)
        fatal("create refused: %s (status %d)", g_ctl.err, rc);
    return domid;
}

static int info(uint32_t domid, struct xenia_dominfo *out)
{
    return xenia_ctl_info(&g_ctl, domid, out);
}

static void destroy(uint32_t domid)
{
    int rc = xenia_ctl_domid_op(&g_ctl, XENIA_CTL_DESTROY, domid);

    if (rc < 0)
        fatal("destroy refused: %s (status %d)", g_ctl.err, rc);
}

static uint32_t lookup(const char *name)
{
    uint32_t domid = 0;
    int rc = xenia_ctl_lookup(&g_ctl, name, &domid);

    if (rc < 0)
        fatal("lookup %s: %s (status %d)", name, g_ctl.err, rc);
    return domid;
}

/* Poll INFO until the guest has made its first hypercall (and, if @blocked,
 * has settled in SCHEDOP_block). Returns hv's launch_ns; fills *inf and the
 * client times around the INFO round trip that saw it. */
static uint64_t wait_launched(uint32_t domid, int blocked, struct xenia_dominfo *inf,
                              uint64_t *t_before, uint64_t *t_after)
{
    uint64_t deadline = now_ns() + 10000000000ull;

    for (;;) {
        uint64_t a = now_ns();
        if (info(domid, inf) < 0)
            fatal("info on domain %u failed", domid);
        uint64_t b = now_ns();
        if (inf->state == XENIA_DOMSTATE_CRASHED || inf->state == XENIA_DOMSTATE_SHUTDOWN)
            fatal("domain %u stopped before settling: %s", domid, inf->crash_info);
        if (inf->launch_ns && (!blocked || inf->state == XENIA_DOMSTATE_BLOCKED)) {
            if (t_before)
                *t_before = a;
            if (t_after)
                *t_after = b;
            return inf->launch_ns;
        }
        if (b > deadline)
            fatal("domain %u made no hypercall within 10 s", domid);
        sleep_us(100);
    }
}

/* ---- statistics ---------------------------------------------------------- */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

struct stat3 { double min, med, mean; };

static struct stat3 stats(uint64_t *v, size_t n)
{
    struct stat3 s = { 0, 0, 0 };
    double sum = 0;

    if (n == 0)
        return s;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    qsort(v, n, sizeof(*v), cmp_u64);
    s.min = (double)v[0];
    s.med = n % 2 ? (double)v[n / 2] : ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
    s.mean = sum / (double)n;
    return s;
}

/* ---- memory -------------------------------------------------------------- */

struct mem {
    long vmrss, rss_anon, rss_file, rss_shmem;     /* KiB, /proc/PID/status */
    long pss, pss_anon, pss_file, pss_shmem;       /* KiB, smaps_rollup */
    long memavail;                                 /* KiB, /proc/meminfo */
    long kernel;      /* KiB, meminfo Slab + KernelStack + PageTables + SecPageTables + Percpu */
    long shmem;       /* KiB, meminfo Shmem (memfds: guest RAM populated, wherever mapped) */
};

static long field(const char *path, const char *key)
{
    char line[256];
    size_t k = strlen(key);
    long v = -1;
    FILE *f = fopen(path, "r");

    if (f == NULL)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, k) == 0 && line[k] == ':') {
            v = strtol(line + k + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static struct mem mem_sample(long pid)
{
    char st[64], sm[64];
    struct mem m;

    snprintf(st, sizeof(st), "/proc/%ld/status", pid);
    snprintf(sm, sizeof(sm), "/proc/%ld/smaps_rollup", pid);
    m.vmrss = field(st, "VmRSS");
    m.rss_anon = field(st, "RssAnon");
    m.rss_file = field(st, "RssFile");
    m.rss_shmem = field(st, "RssShmem");
    m.pss = field(sm, "Pss");
    m.pss_anon = field(sm, "Pss_Anon");
    m.pss_file = field(sm, "Pss_File");
    m.pss_shmem = field(sm, "Pss_Shmem");
    m.memavail = field("/proc/meminfo", "MemAvailable");
    m.shmem = field("/proc/meminfo", "Shmem");
    m.kernel = 0;
    {
        static const char *const k[] = { "Slab", "KernelStack", "PageTables", "SecPageTables",
                                         "Percpu" };
        for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
            long v = field("/proc/meminfo", k[i]);
            if (v > 0)
                m.kernel += v;
        }
    }
    return m;
}

static void mem_print(const char *what, int doms, const struct mem *m)
{
    printf("BENCH mem what=%s domains=%d vmrss_kib=%ld rss_anon_kib=%ld rss_file_kib=%ld "
           "rss_shmem_kib=%ld pss_kib=%ld pss_anon_kib=%ld pss_file_kib=%ld pss_shmem_kib=%ld "
           "memavail_kib=%ld kernel_kib=%ld host_shmem_kib=%ld\n", what, doms, m->vmrss, m->rss_anon,
           m->rss_file, m->rss_shmem, m->pss, m->pss_anon, m->pss_file, m->pss_shmem, m->memavail,
           m->kernel, m->shmem);
    fflush(stdout);
}

/* ---- commands ------------------------------------------------------------ */

static void set_sock(const char *run_dir)
{
    if (xenia_ctl_init(&g_ctl, run_dir) < 0)
        fatal("run directory path too long: %s", run_dir);
}

static int cmd_launch(const char *image, int count)
{
    uint64_t *hv = calloc((size_t)count, 8), *rpc = calloc((size_t)count, 8),
             *des = calloc((size_t)count, 8), *seen = calloc((size_t)count, 8);
    struct xenia_dominfo inf;
    struct stat3 a, b, c, d;
    char name[32];

    for (int i = 0; i < count; i++) {
        uint64_t t0, t1, t2, t3;
        uint32_t domid;

        snprintf(name, sizeof(name), "bench-launch-%d", i);
        t0 = now_ns();
        domid = create(image, name, "wait");
        t1 = now_ns();
        hv[i] = wait_launched(domid, 0, &inf, NULL, &t3);
        seen[i] = t3 - t0;
        rpc[i] = t1 - t0;
        t2 = now_ns();
        destroy(domid);
        des[i] = now_ns() - t2;
    }
    a = stats(hv, (size_t)count);
    b = stats(rpc, (size_t)count);
    c = stats(des, (size_t)count);
    d = stats(seen, (size_t)count);
    printf("BENCH launch n=%d hv_min_us=%.0f hv_med_us=%.0f hv_mean_us=%.0f "
           "create_rpc_med_us=%.0f destroy_rpc_med_us=%.0f seen_by_client_med_us=%.0f\n",
           count, a.min / 1e3, a.med / 1e3, a.mean / 1e3, b.med / 1e3, c.med / 1e3, d.med / 1e3);
    return 0;
}

static pid_t spawn(char **argv, int quiet)
{
    pid_t p = fork();

    if (p == 0) {
        if (quiet) {
            int nul = open("/dev/null", O_RDWR);
            dup2(nul, 1);
            dup2(nul, 2);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    return p;
}

static int run_wait(char **argv, int quiet)
{
    int st;
    pid_t p = spawn(argv, quiet);

    if (p < 0 || waitpid(p, &st, 0) < 0)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int cmd_cli(const char *name, int count, char **argv)
{
    uint64_t *wall = calloc((size_t)count, 8), *e2e = calloc((size_t)count, 8);
    struct xenia_dominfo inf;
    struct stat3 a, b;

    for (int i = 0; i < count; i++) {
        uint64_t t0, tb, ta, created, launch;
        uint32_t domid;
        int rc;

        t0 = now_ns();
        rc = run_wait(argv, 1);
        wall[i] = now_ns() - t0;
        if (rc != 0)
            fatal("%s exited with %d", argv[0], rc);
        domid = lookup(name);
        launch = wait_launched(domid, 0, &inf, &tb, &ta);
        created = (tb + ta) / 2 - inf.uptime_ns;
        e2e[i] = created + launch - t0;
        destroy(domid);
    }
    a = stats(wall, (size_t)count);
    b = stats(e2e, (size_t)count);
    printf("BENCH cli n=%d create_wall_min_us=%.0f create_wall_med_us=%.0f "
           "fork_to_first_hcall_min_us=%.0f fork_to_first_hcall_med_us=%.0f\n",
           count, a.min / 1e3, a.med / 1e3, b.min / 1e3, b.med / 1e3);
    return 0;
}

static int cmd_scale(const char *image, long hv_pid, int k1, int k2, int churn)
{
    uint32_t *ids = calloc((size_t)k2, sizeof(uint32_t));
    struct xenia_dominfo inf;
    struct mem m0, m1, m2, m3, m4;
    uint64_t t0, t_create = 0, t_destroy;
    char name[32];

    m0 = mem_sample(hv_pid);
    mem_print("hv", 0, &m0);
    for (int i = 0; i < k2; i++) {
        snprintf(name, sizeof(name), "bench-scale-%d", i);
        t0 = now_ns();
        ids[i] = create(image, name, "wait");
        t_create += now_ns() - t0;
        if (i + 1 == k1 || i + 1 == k2) {
            for (int j = 0; j <= i; j++)
                wait_launched(ids[j], 1, &inf, NULL, NULL);
            sleep_us(200000);
            if (i + 1 == k1) {
                m1 = mem_sample(hv_pid);
                mem_print("hv", k1, &m1);
            } else {
                m2 = mem_sample(hv_pid);
                mem_print("hv", k2, &m2);
            }
        }
    }
    t0 = now_ns();
    for (int i = 0; i < k2; i++)
        destroy(ids[i]);
    t_destroy = now_ns() - t0;
    sleep_us(200000);
    m3 = mem_sample(hv_pid);
    mem_print("hv-after-destroy", 0, &m3);
    printf("BENCH rate create_only_per_s=%.1f destroy_per_s=%.1f n=%d\n",
           (double)k2 / ((double)t_create / 1e9), (double)k2 / ((double)t_destroy / 1e9), k2);
    fflush(stdout);

    t0 = now_ns();
    for (int i = 0; i < churn; i++) {
        uint32_t id = create(image, "bench-churn", "wait");
        destroy(id);
    }
    t0 = now_ns() - t0;
    sleep_us(200000);
    m4 = mem_sample(hv_pid);
    mem_print("hv-after-churn", 0, &m4);
    printf("BENCH rate create_destroy_per_s=%.1f n=%d\n", (double)churn / ((double)t0 / 1e9),
           churn);
    printf("BENCH memsum k1=%d k2=%d anon_per_dom_kib=%.1f pss_noshmem_per_dom_kib=%.1f "
           "shmem_per_dom_kib=%.1f host_shmem_per_dom_kib=%.1f memavail_drop_per_dom_kib=%.1f "
           "kernel_per_dom_kib=%.1f "
           "anon_per_dom_k1_kib=%.1f "
           "anon_leak_after_destroy_kib=%ld anon_leak_after_churn_kib=%ld churn=%d\n",
           k1, k2, (double)(m2.rss_anon - m0.rss_anon) / k2,
           (double)((m2.pss - m2.pss_shmem) - (m0.pss - m0.pss_shmem)) / k2,
           (double)(m2.rss_shmem - m0.rss_shmem) / k2, (double)(m2.shmem - m0.shmem) / k2,
           (double)(m0.memavail - m2.memavail) / k2, (double)(m2.kernel - m0.kernel) / k2,
           (double)(m1.rss_anon - m0.rss_anon) / k1,
           m3.rss_anon - m0.rss_anon, m4.rss_anon - m3.rss_anon, churn);
    return 0;
}

static int cmd_timeit(int count, char **argv)
{
    uint64_t *w = calloc((size_t)count, 8);
    struct stat3 s;
    int rc = 0;

    for (int i = 0; i < count; i++) {
        uint64_t t0 = now_ns();
        rc = run_wait(argv, 1);
        w[i] = now_ns() - t0;
    }
    s = stats(w, (size_t)count);
    printf("BENCH timeit n=%d min_us=%.0f med_us=%.0f mean_us=%.0f status=%d\n", count,
           s.min / 1e3, s.med / 1e3, s.mean / 1e3, rc);
    return 0;
}

/* Start @count copies of argv, wait @ms, sample the first one's memory and the
 * host's MemAvailable drop per copy, then kill them all. */
static int cmd_rss(int count, int ms, char **argv)
{
    pid_t *p = calloc((size_t)count, sizeof(pid_t));
    struct mem before, m, after;
    int st;

    before = mem_sample(getpid());
    for (int i = 0; i < count; i++)
        if ((p[i] = spawn(argv, 1)) < 0)
            fatal("fork: %s", strerror(errno));
    sleep_us((unsigned)ms * 1000u);
    for (int i = 0; i < count; i++)
        if (waitpid(p[i], &st, WNOHANG) != 0)
            fatal("%s exited early", argv[0]);
    m = mem_sample(p[0]);
    after = mem_sample(getpid());
    mem_print("process", count, &m);
    printf("BENCH memhost copies=%d memavail_drop_per_copy_kib=%.1f kernel_per_copy_kib=%.1f\n",
           count, (double)(before.memavail - after.memavail) / count,
           (double)(after.kernel - before.kernel) / count);
    for (int i = 0; i < count; i++) {
        kill(p[i], SIGKILL);
        waitpid(p[i], &st, 0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 5 && strcmp(argv[1], "launch") == 0) {
        set_sock(argv[2]);
        return cmd_launch(argv[3], atoi(argv[4]));
    }
    if (argc >= 6 && strcmp(argv[1], "cli") == 0) {
        set_sock(argv[2]);
        return cmd_cli(argv[3], atoi(argv[4]), argv + 5);
    }
    if (argc >= 8 && strcmp(argv[1], "scale") == 0) {
        set_sock(argv[2]);
        return cmd_scale(argv[3], atol(argv[4]), atoi(argv[5]), atoi(argv[6]), atoi(argv[7]));
    }
    if (argc >= 4 && strcmp(argv[1], "timeit") == 0)
        return cmd_timeit(atoi(argv[2]), argv + 3);
    if (argc >= 5 && strcmp(argv[1], "rss") == 0)
        return cmd_rss(atoi(argv[2]), atoi(argv[3]), argv + 4);
    fprintf(stderr, "usage: see the comment at the top of tests/bench/benchctl.c\n");
    return 2;
}
