/* SPDX-License-Identifier: MIT */
/*
 * xenia: the Xenia toolstack CLI (cf. Xen's xl(1)). Each verb is a thin shell
 * around config.c (domain config files), ctl_client.c (the control socket to
 * xenia-hv) and console.c (console attach).
 *
 * Exit status: 0 success; 1 failure (config error, hv refused, socket problem);
 * 2 usage error; 124 `console --timeout` expired (as timeout(1)).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "console.h"
#include "ctl_client.h"
#include "ctl_msg.h"
#include "policy/policydb.h"    /* PDB_MAGIC: recognise a policy binary before sending it */
#include "xenia/builder.h"
#include "xenia/io.h"           /* XENIA_BLK_SECTOR: a disk is whole sectors */

#define EXIT_USAGE   2
#define EXIT_TIMEOUT 124

/*
 * Under LeakSanitizer (make san): libconfig 1.5 (Debian libconfig9 1.5-0.4) leaks
 * its string buffer when a parse fails inside a string; that leak is libconfig's,
 * not ours. LSan reads this hook; other builds never call it.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libconfig.so\nleak:libconfig_yylex\nleak:strbuf_append\n";
}

struct verb {
    const char *name;
    int (*fn)(struct xenia_ctl *c, const struct verb *v, int argc, char **argv);
    const char *synopsis;
    const char *summary;
    const char *help;       /* options and details for `xenia help VERB` */
};

/* ------------------------------------------------------------------------ */
/* Output helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Copy s for printing: bytes outside printable ASCII become '?'. */
static const char *safe(const char *s, char *buf, size_t n)
{
    size_t i;

    for (i = 0; s[i] && i + 1 < n; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f) ? '?' : s[i];
    buf[i] = '\0';
    return buf;
}

static void print_usage_line(FILE *f, const struct verb *v)
{
    fprintf(f, "usage: xenia [--run-dir DIR] %s %s\n", v->name, v->synopsis);
}

static int usage_err(const struct verb *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_err(const struct verb *v, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "xenia: %s: ", v->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    print_usage_line(stderr, v);
    fprintf(stderr, "(see: xenia %s --help)\n", v->name);
    return EXIT_USAGE;
}

static int verb_help(const struct verb *v)
{
    print_usage_line(stdout, v);
    printf("\n%s\n%s%s", v->summary, v->help[0] ? "\n" : "", v->help);
    return 0;
}

/* Report a failed request: hv's status and errmsg, or the transport's message. */
static int fail(const struct verb *v, const struct xenia_ctl *c, int rc)
{
    if (c->hv_error) {
        if (c->err[0])
            fprintf(stderr, "xenia: %s: %s: %s\n", v->name, xenia_ctl_strerror(rc), c->err);
        else
            fprintf(stderr, "xenia: %s: %s\n", v->name, xenia_ctl_strerror(rc));
    } else if (c->err[0]) {
        fprintf(stderr, "xenia: %s: %s\n", v->name, c->err);
    } else {
        fprintf(stderr, "xenia: %s: %s\n", v->name, strerror(rc < 0 ? -rc : rc));
    }
    return 1;
}

/* Parse a timeout in seconds ("10", "0.5"): 1 ms .. 1e6 s. Returns ms or -1. */
static int parse_timeout(const char *s)
{
    char *end;
    double d;

    errno = 0;
    d = strtod(s, &end);
    if (errno || end == s || *end || !(d >= 0.001 && d <= 1e6))
        return -1;
    return (int)(d * 1000.0 + 0.5);
}

/*
 * getopt_long over a verb's argv (argv[0] is the verb). Returns the option, or
 * -2 after printing a usage error for an unknown option / missing argument.
 */
static int next_opt(const struct verb *v, int argc, char **argv, const char *shortopts,
                    const struct option *longopts)
{
    int o = getopt_long(argc, argv, shortopts, longopts, NULL);

    if (o == '?' || o == ':') {
        if (optopt && o == ':')
            usage_err(v, "option -%c needs an argument", optopt);
        else if (optopt)
            usage_err(v, "unknown option -%c", optopt);
        else
            usage_err(v, "unknown option or missing argument: %s", argv[optind - 1]);
        return -2;
    }
    return o;
}

static void start_opts(void)
{
    optind = 0;     /* GNU: full re-initialisation for each verb */
    opterr = 0;
}

/* ------------------------------------------------------------------------ */
/* Domain info                                                               */
/* ------------------------------------------------------------------------ */

static void print_info(const struct xenia_dominfo *d)
{
    char name[XENIA_NAME_MAX], st[64], crash[sizeof(d->crash_info)];
    char label[XENIA_SECLABEL_MAX];
    const char *reason = xenia_ctl_reason_name(d->shutdown_reason);
    int stopped = d->state == XENIA_DOMSTATE_SHUTDOWN || d->state == XENIA_DOMSTATE_CRASHED;

    printf("name:             %s\n", safe(d->name, name, sizeof(name)));
    printf("domid:            %u\n", d->domid);
    printf("state:            %s\n", xenia_ctl_format_state(d, st, sizeof(st)));
    if (stopped)
        printf("shutdown reason:  %s (%u)\n", reason ? reason : "unknown", d->shutdown_reason);
    else
        printf("shutdown reason:  -\n");
    printf("memory:           %llu MiB\n", (unsigned long long)d->memory_mib);
    printf("vcpus:            %u\n", d->vcpus);
    if (d->cap)
        printf("cap:              %u%% of one CPU\n", d->cap);
    else
        printf("cap:              none\n");
    printf("cpu time:         %llu.%06llu s\n", (unsigned long long)(d->cpu_time_ns / 1000000000u),
           (unsigned long long)(d->cpu_time_ns % 1000000000u / 1000u));
    printf("uptime:           %llu.%03llu s\n", (unsigned long long)(d->uptime_ns / 1000000000u),
           (unsigned long long)(d->uptime_ns % 1000000000u / 1000000u));
    if (d->launch_ns)
        printf("launch:           %llu.%03llu ms (create request -> first hypercall)\n",
               (unsigned long long)(d->launch_ns / 1000000u),
               (unsigned long long)(d->launch_ns % 1000000u / 1000u));
    else
        printf("launch:           - (no hypercall yet)\n");
    printf("hypercalls:       %llu\n", (unsigned long long)d->nr_hypercalls);
    printf("exits:            %llu\n", (unsigned long long)d->nr_exits);
    printf("throttled:        %llu\n", (unsigned long long)d->nr_throttled);
    printf("restarts:         %u\n", d->restarts);
    printf("owner uid:        %u\n", d->owner_uid);
    printf("seclabel:         %s\n", d->seclabel[0] ? safe(d->seclabel, label, sizeof(label)) : "-");
    printf("crash info:       %s\n", d->crash_info[0] ? safe(d->crash_info, crash, sizeof(crash)) : "-");
}

/* A size in bytes as "N bytes (X.Y MiB)" or GiB. */
static const char *format_bytes(uint64_t b, char *buf, size_t n)
{
    if (b >= (1ull << 30))
        snprintf(buf, n, "%llu bytes (%.1f GiB)", (unsigned long long)b, (double)b / (1ull << 30));
    else
        snprintf(buf, n, "%llu bytes (%.1f MiB)", (unsigned long long)b, (double)b / (1ull << 20));
    return buf;
}

/*
 * The rest of an INFO reply after print_info(): the disk, then one block per
 * stub domain:
 *   stubdom dm: pid 12345, uid 640005, restarts 2, generation 3
 *     seclabel system_u:system_r:dm_t:s0:c1
 *     confined namespaces,root,rlimits,cgroup,uid,nnp,landlock,seccomp
 *     last exit: killed by SIGSYS            (only when there was one)
 */
static void print_status_extra(const struct xenia_ctl_domstatus *st)
{
    char size[64], label[XENIA_SECLABEL_MAX], conf[96], why[sizeof(st->stubdom[0].last_exit)];
    uint32_t i;

    if (st->disk_bytes)
        printf("disk:             %s\n", format_bytes(st->disk_bytes, size, sizeof(size)));
    else
        printf("disk:             -\n");
    for (i = 0; i < st->nr_stubdoms && i < XENIA_STUBDOM_MAX; i++) {
        const struct xenia_stubdom_info *s = &st->stubdom[i];
        const char *role = xenia_ctl_stubdom_role_name(s->role);

        if (s->pid > 0)
            printf("stubdom %s: pid %d, ", role ? role : "?", s->pid);
        else
            printf("stubdom %s: not running, ", role ? role : "?");
        printf("uid %u, restarts %u, generation %u\n", s->uid, s->restarts, s->generation);
        printf("  seclabel %s\n", s->seclabel[0] ? safe(s->seclabel, label, sizeof(label)) : "-");
        printf("  confined %s\n", xenia_ctl_format_confined(s->confined, conf, sizeof(conf)));
        if (s->last_exit[0])
            printf("  last exit: %s\n", safe(s->last_exit, why, sizeof(why)));
    }
}

static void print_list_header(int labels)
{
    printf("%-32s %5s %6s %5s %-20s %9s%s\n", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)",
           labels ? "   Security Label" : "");
}

/* One row; labels: add the security label column (as xl list -Z). */
static void print_list_row(const struct xenia_dominfo *d, int labels)
{
    char name[XENIA_NAME_MAX], st[64], label[XENIA_SECLABEL_MAX];

    printf("%-32s %5u %6llu %5u %-20s %9.1f", safe(d->name, name, sizeof(name)), d->domid,
           (unsigned long long)d->memory_mib, d->vcpus, xenia_ctl_format_state(d, st, sizeof(st)),
           (double)d->cpu_time_ns / 1e9);
    if (labels)
        printf("   %s", d->seclabel[0] ? safe(d->seclabel, label, sizeof(label)) : "-");
    printf("\n");
}

/* ------------------------------------------------------------------------ */
/* console                                                                   */
/* ------------------------------------------------------------------------ */

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

/*
 * Attach to a console socket: raw tty when stdin is a terminal and input is on
 * (Ctrl-] detaches), plain copying otherwise. Returns the exit status.
 */
static int attach_console(const struct verb *v, int sock, const char *label, int no_input,
                          int timeout_ms)
{
    struct xenia_console_opts o = { .in_fd = no_input ? -1 : STDIN_FILENO,
                                    .out_fd = STDOUT_FILENO, .escape = 0,
                                    .timeout_ms = timeout_ms, .stop = &g_stop };
    struct sigaction sa, old_int, old_term, old_hup;
    struct termios saved, raw;
    int tty = 0, rc;

    if (!no_input && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
        raw = saved;
        /* Raw input, as xl console does; output post-processing stays on so a
         * guest's "\n" still returns the carriage. Enter sends "\n" (ICRNL kept). */
        raw.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | IXON);
        raw.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0) {
            tty = 1;
            o.escape = 1;
            fprintf(stderr, "Connected to the console of %s. Escape character is '^]'.\r\n",
                    label);
        }
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);

    rc = xenia_console_pump(sock, &o);

    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        fprintf(stderr, "\n");
    }
    switch (rc) {
    case XENIA_CONSOLE_EOF:
    case XENIA_CONSOLE_DETACHED:
    case -EPIPE:                    /* our reader went away (e.g. | head) */
        return 0;
    case -XENIA_ETIMEDOUT:
        return EXIT_TIMEOUT;
    case -XENIA_EINTR:
        fprintf(stderr, "xenia: %s: interrupted\n", v->name);
        return 1;
    default:
        fprintf(stderr, "xenia: %s: console of %s: %s\n", v->name, label, strerror(-rc));
        return 1;
    }
}

static int cmd_console(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "no-input", no_argument, NULL, 'r' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o, no_input = 0, timeout_ms = 0, fd = -1, rc;
    uint32_t domid;
    char label[128];

    start_opts();
    while ((o = next_opt(v, argc, argv, "+rt:h", lo)) != -1) {
        switch (o) {
        case 'r': no_input = 1; break;
        case 't':
            if ((timeout_ms = parse_timeout(optarg)) < 0)
                return usage_err(v, "--timeout needs a number of seconds, not \"%s\"", optarg);
            break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (argc - optind != 1)
        return usage_err(v, "expected one DOMAIN (a name or a domid)");
    if ((rc = xenia_ctl_resolve(c, argv[optind], &domid)) < 0)
        return fail(v, c, rc);
    if ((rc = xenia_ctl_console(c, domid, &fd)) < 0)
        return fail(v, c, rc);
    snprintf(label, sizeof(label), "%.80s (domid %u)", argv[optind], domid);
    rc = attach_console(v, fd, label, no_input, timeout_ms);
    close(fd);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* create                                                                    */
/* ------------------------------------------------------------------------ */

/* Open the kernel image named by the config; message on failure. Returns fd or -1. */
static int open_kernel(const struct xenia_domcfg *cfg, const char *cfgpath)
{
    char path[256];
    unsigned char magic[5];
    struct stat st;
    int fd, e;

    safe(cfg->kernel, path, sizeof(path));
    fd = open(cfg->kernel, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        e = errno;
        fprintf(stderr, "xenia: %s: cannot open kernel \"%s\": %s\n", cfg->kernel_origin,
                path, strerror(e));
        if (e == ENOENT && cfg->kernel_resolved)
            fprintf(stderr, "xenia: check the kernel path in %s (a relative kernel path is "
                    "resolved against the directory of the config file, as xl does)\n",
                    cfgpath);
        else if (e == ENOENT)
            fprintf(stderr, "xenia: check the kernel path in %s\n", cfgpath);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "xenia: %s: kernel \"%s\" is not a regular file\n",
                cfg->kernel_origin, path);
        goto bad;
    }
    if (st.st_size == 0 || (unsigned long long)st.st_size > XENIA_IMAGE_MAX_BYTES) {
        fprintf(stderr, "xenia: %s: kernel \"%s\" is %lld bytes; a PV image is 1 byte "
                "to %u MiB\n", cfg->kernel_origin, path, (long long)st.st_size,
                XENIA_IMAGE_MAX_BYTES >> 20);
        goto bad;
    }
    if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
        memcmp(magic, "\177ELF", 4) != 0 || magic[4] != 2 /* ELFCLASS64 */) {
        fprintf(stderr, "xenia: %s: kernel \"%s\" is not an ELF64 file: a Xenia PV "
                "image is a static ELF64 built with guest/\n", cfg->kernel_origin, path);
        goto bad;
    }
    return fd;
bad:
    close(fd);
    return -1;
}

/*
 * Open the disk named by the config with the caller's own rights (O_RDWR, or
 * O_RDONLY for a read-only disk): hv never opens it, so a user can only give a
 * guest a disk they may use themselves. Checks that it is a regular file of whole
 * sectors, as hv will. Returns the fd (O_CLOEXEC) or -1 after a message.
 */
static int open_disk(const struct xenia_domcfg *cfg, const char *cfgpath)
{
    char path[256];
    const char *mode = cfg->disk_ro ? "read-only" : "read-write";
    struct stat st;
    int fd, e, fl;

    safe(cfg->disk, path, sizeof(path));
    /* O_NONBLOCK: a FIFO at that path must not hang the open; cleared below */
    fd = open(cfg->disk, (cfg->disk_ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        e = errno;
        fprintf(stderr, "xenia: %s: cannot open the disk %s: %s: %s\n", cfg->disk_origin,
                mode, path, strerror(e));
        if ((e == EACCES || e == EROFS || e == EPERM) && !cfg->disk_ro)
            fprintf(stderr, "xenia: the disk is opened with your own rights; if the guest "
                    "may only read it, mark it read-only: disk = [ \"...,ro\" ]\n");
        else if (e == ENOENT && cfg->disk_resolved)
            fprintf(stderr, "xenia: check the disk path in %s (a relative disk path is "
                    "resolved against the directory of the config file, like kernel)\n",
                    cfgpath);
        else if (e == ENOENT)
            fprintf(stderr, "xenia: check the disk path in %s (create an empty raw disk "
                    "with: truncate -s 64M FILE)\n", cfgpath);
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "xenia: %s: disk \"%s\" is not a regular file: a Xenia disk is a "
                "raw image file\n", cfg->disk_origin, path);
        goto bad;
    }
    if (st.st_size <= 0 || st.st_size % XENIA_BLK_SECTOR) {
        fprintf(stderr, "xenia: %s: disk \"%s\" is %lld bytes: a disk image must be a "
                "non-zero multiple of %u bytes (e.g. truncate -s 64M FILE)\n",
                cfg->disk_origin, path, (long long)st.st_size, XENIA_BLK_SECTOR);
        goto bad;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        fprintf(stderr, "xenia: %s: disk \"%s\": %s\n", cfg->disk_origin, path,
                strerror(errno));
        goto bad;
    }
    return fd;
bad:
    close(fd);
    return -1;
}

/* s as the inside of a "double-quoted" config string. */
static void print_quoted(const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;

        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            printf("\\x%02x", ch);
        else
            putchar(ch);
    }
}

static void print_config(const struct xenia_domcfg *cfg)
{
    printf("name        = \"%s\"\n", cfg->name);
    printf("kernel      = \"%s\"\n", cfg->kernel);
    printf("memory      = %u\n", cfg->memory_mib);
    printf("vcpus       = %u\n", cfg->vcpus);
    printf("cap         = %u\n", cfg->cap);
    printf("cmdline     = \"");
    print_quoted(cfg->cmdline);
    printf("\"\n");
    printf("on_poweroff = \"%s\"\n", xenia_config_action_name(cfg->on_poweroff));
    printf("on_reboot   = \"%s\"\n", xenia_config_action_name(cfg->on_reboot));
    printf("on_crash    = \"%s\"\n", xenia_config_action_name(cfg->on_crash));
    if (cfg->seclabel[0])   /* validated: [A-Za-z0-9_.:,-] only */
        printf("seclabel    = \"%s\"\n", cfg->seclabel);
    if (cfg->has_disk) {
        /* the resolved form; target= last, since it takes the rest (commas too) */
        printf("disk        = [ \"format=raw, vdev=%s, access=%s, target=",
               cfg->disk_vdev[0] ? cfg->disk_vdev : "xvda", cfg->disk_ro ? "ro" : "rw");
        print_quoted(cfg->disk);
        printf("\" ]\n");
    }
}

static int cmd_create(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "paused", no_argument, NULL, 'p' },
        { "console", no_argument, NULL, 'c' },
        { "dry-run", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xenia_domcfg *cfg = NULL;
    char err[XENIA_CFG_ERR_MAX], label[128];
    int o, paused = 0, console = 0, dry = 0, img = -1, disk = -1, cfd = -1, rc, ret = 1;
    const char *path;
    uint32_t domid = XENIA_DOMID_INVALID;

    start_opts();
    while ((o = next_opt(v, argc, argv, "pcnh", lo)) != -1) {
        switch (o) {
        case 'p': paused = 1; break;
        case 'c': console = 1; break;
        case 'n': dry = 1; break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_err(v, "expected a CONFIG file");
    path = argv[optind];
    for (int i = optind + 1; i < argc; i++)
        if (!strchr(argv[i], '='))
            return usage_err(v, "\"%s\" is not KEY=VALUE (overrides follow CONFIG, e.g. "
                             "memory=128)", argv[i]);

    cfg = malloc(sizeof(*cfg));
    if (!cfg) {
        fprintf(stderr, "xenia: create: out of memory\n");
        return 1;
    }
    rc = xenia_config_load(path, (const char *const *)argv + optind + 1,
                           (size_t)(argc - optind - 1), cfg, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "xenia: %s\n", err[0] ? err : strerror(-rc));
        goto out;
    }
    if ((img = open_kernel(cfg, path)) < 0)
        goto out;
    if (cfg->has_disk && (disk = open_disk(cfg, path)) < 0)
        goto out;
    if (dry) {
        print_config(cfg);
        ret = 0;
        goto out;
    }

    /* With -c, create paused, attach, then unpause: no early output is missed. */
    rc = xenia_ctl_create_disk(c, cfg, (paused || console) ? XENIA_CREATE_F_PAUSED : 0, img,
                               disk, &domid);
    close(img);
    img = -1;
    if (disk >= 0)
        close(disk);
    disk = -1;
    if (rc < 0) {
        ret = fail(v, c, rc);
        goto out;
    }
    fprintf(console ? stderr : stdout, "Created domain %s (domid %u)%s\n", cfg->name, domid,
            paused ? ", paused" : "");
    if (!console) {
        ret = 0;
        goto out;
    }
    rc = xenia_ctl_console(c, domid, &cfd);
    if (rc < 0) {
        ret = fail(v, c, rc);
        /* the user did not ask for a paused domain: let it run without a console */
        if (!paused && (rc = xenia_ctl_domid_op(c, XENIA_CTL_UNPAUSE, domid)) < 0)
            fail(v, c, rc);
        goto out;
    }
    if (!paused && (rc = xenia_ctl_domid_op(c, XENIA_CTL_UNPAUSE, domid)) < 0) {
        ret = fail(v, c, rc);
        goto out;
    }
    snprintf(label, sizeof(label), "%s (domid %u)", cfg->name, domid);
    ret = attach_console(v, cfd, label, 0, 0);
out:
    if (cfd >= 0)
        close(cfd);
    if (img >= 0)
        close(img);
    if (disk >= 0)
        close(disk);
    free(cfg);
    return ret;
}

/* ------------------------------------------------------------------------ */
/* list, info                                                                */
/* ------------------------------------------------------------------------ */

static int cmd_list(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "long", no_argument, NULL, 'l' },
        { "context", no_argument, NULL, 'Z' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xenia_dominfo *doms = NULL;
    size_t n = 0, i;
    int o, longfmt = 0, labels = 0, rc;

    start_opts();
    while ((o = next_opt(v, argc, argv, "lZh", lo)) != -1) {
        switch (o) {
        case 'l': longfmt = 1; break;
        case 'Z': labels = 1; break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        /* Named domains only, in the order given. */
        n = (size_t)(argc - optind);
        doms = calloc(n, sizeof(*doms));
        if (!doms) {
            fprintf(stderr, "xenia: list: out of memory\n");
            return 1;
        }
        for (i = 0; i < n; i++) {
            uint32_t domid;

            if ((rc = xenia_ctl_resolve(c, argv[optind + (int)i], &domid)) < 0 ||
                (rc = xenia_ctl_info(c, domid, &doms[i])) < 0) {
                free(doms);
                return fail(v, c, rc);
            }
        }
    } else if ((rc = xenia_ctl_list(c, &doms, &n)) < 0) {
        return fail(v, c, rc);
    }
    if (longfmt) {
        struct xenia_ctl_domstatus st;

        /* as `xenia info`: the disk and stub domains come with INFO, not LIST */
        for (i = 0; i < n; i++) {
            if (i)
                printf("\n");
            if (xenia_ctl_info_ext(c, doms[i].domid, &st) == 0) {
                print_info(&st.info);
                print_status_extra(&st);
            } else {
                print_info(&doms[i]);       /* gone meanwhile: what LIST said */
            }
        }
    } else {
        print_list_header(labels);
        for (i = 0; i < n; i++)
            print_list_row(&doms[i], labels);
    }
    free(doms);
    return 0;
}

/* Parse "[-h] DOMAIN" and resolve it. Returns -1 on success (continue), else an exit status. */
static int one_domain(struct xenia_ctl *c, const struct verb *v, int argc, char **argv,
                      uint32_t *domid)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o, rc;

    start_opts();
    while ((o = next_opt(v, argc, argv, "h", lo)) != -1) {
        switch (o) {
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (argc - optind != 1)
        return usage_err(v, "expected one DOMAIN (a name or a domid)");
    if ((rc = xenia_ctl_resolve(c, argv[optind], domid)) < 0)
        return fail(v, c, rc);
    return -1;
}

static int cmd_info(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    struct xenia_ctl_domstatus st;
    uint32_t domid;
    int rc = one_domain(c, v, argc, argv, &domid);

    if (rc >= 0)
        return rc;
    if ((rc = xenia_ctl_info_ext(c, domid, &st)) < 0)
        return fail(v, c, rc);
    print_info(&st.info);
    print_status_extra(&st);
    return 0;
}

static int simple_op(struct xenia_ctl *c, const struct verb *v, int argc, char **argv, unsigned op)
{
    uint32_t domid;
    int rc = one_domain(c, v, argc, argv, &domid);

    if (rc >= 0)
        return rc;
    if ((rc = xenia_ctl_domid_op(c, op, domid)) < 0)
        return fail(v, c, rc);
    return 0;
}

static int cmd_pause(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    return simple_op(c, v, argc, argv, XENIA_CTL_PAUSE);
}

static int cmd_unpause(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    return simple_op(c, v, argc, argv, XENIA_CTL_UNPAUSE);
}

static int cmd_destroy(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    return simple_op(c, v, argc, argv, XENIA_CTL_DESTROY);
}

/* ------------------------------------------------------------------------ */
/* shutdown                                                                  */
/* ------------------------------------------------------------------------ */

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmd_shutdown(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "wait", no_argument, NULL, 'w' },
        { "reboot", no_argument, NULL, 'R' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xenia_dominfo before, now;
    int o, wait = 0, reboot = 0, timeout_ms = 0, rc, delay = 50;
    uint32_t domid;
    int64_t deadline;
    char st[64], name[XENIA_NAME_MAX];

    start_opts();
    while ((o = next_opt(v, argc, argv, "wRt:h", lo)) != -1) {
        switch (o) {
        case 'w': wait = 1; break;
        case 'R': reboot = 1; break;
        case 't':
            if ((timeout_ms = parse_timeout(optarg)) < 0)
                return usage_err(v, "--timeout needs a number of seconds, not \"%s\"", optarg);
            break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (argc - optind != 1)
        return usage_err(v, "expected one DOMAIN (a name or a domid)");
    if (timeout_ms && !wait)
        return usage_err(v, "--timeout only applies with -w");
    if ((rc = xenia_ctl_resolve(c, argv[optind], &domid)) < 0)
        return fail(v, c, rc);
    if (wait && (rc = xenia_ctl_info(c, domid, &before)) < 0)
        return fail(v, c, rc);
    rc = xenia_ctl_shutdown(c, domid, reboot ? XENIA_SHUTDOWN_reboot : XENIA_SHUTDOWN_poweroff);
    if (rc < 0)
        return fail(v, c, rc);
    if (!wait)
        return 0;

    safe(before.name, name, sizeof(name));
    deadline = timeout_ms ? mono_ms() + timeout_ms : -1;
    for (;;) {
        rc = xenia_ctl_info(c, domid, &now);
        if ((rc == -XENIA_ENOENT || rc == -XENIA_ESRCH) && c->hv_error) {
            printf("Domain %s (domid %u) has stopped and was destroyed\n", name, domid);
            return 0;
        }
        if (rc < 0)
            return fail(v, c, rc);
        if (strcmp(now.name, before.name) != 0) {
            printf("Domain %s (domid %u) has stopped and was destroyed\n", name, domid);
            return 0;
        }
        if (now.state == XENIA_DOMSTATE_SHUTDOWN || now.state == XENIA_DOMSTATE_CRASHED) {
            printf("Domain %s (domid %u) has stopped: %s\n", name, domid,
                   xenia_ctl_format_state(&now, st, sizeof(st)));
            return 0;
        }
        if (now.restarts != before.restarts) {     /* on_reboot / on_poweroff = restart */
            printf("Domain %s (domid %u) has restarted\n", name, domid);
            return 0;
        }
        if (deadline >= 0 && mono_ms() >= deadline) {
            fprintf(stderr, "xenia: %s: domain %s (domid %u) did not stop within %d.%03d s "
                    "(state: %s)\n", v->name, name, domid, timeout_ms / 1000,
                    timeout_ms % 1000, xenia_ctl_format_state(&now, st, sizeof(st)));
            return 1;
        }
        sleep_ms(delay);
        if (delay < 500)
            delay *= 2;
    }
}

/* ------------------------------------------------------------------------ */
/* XSM / FLASK: loadpolicy, getenforce, setenforce, getbool, setbool, audit  */
/* ------------------------------------------------------------------------ */

/* Parse "[-h]" and expect exactly nargs operands. Returns -1 to continue, else an exit status. */
static int plain_args(const struct verb *v, int argc, char **argv, int nargs, const char *what)
{
    static const struct option lo[] = {
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int o;

    start_opts();
    while ((o = next_opt(v, argc, argv, "h", lo)) != -1) {
        switch (o) {
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (argc - optind != nargs)
        return usage_err(v, "expected %s", what);
    return -1;
}

/* Open a policy binary for LOADPOLICY; message on failure. Returns fd (size in *size) or -1. */
static int open_policy(const struct verb *v, const char *path, uint64_t *size)
{
    char shown[256];
    unsigned char magic[4];
    struct stat st;
    uint32_t m;
    int fd, e;

    safe(path, shown, sizeof(shown));
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        e = errno;
        fprintf(stderr, "xenia: %s: cannot open \"%s\": %s\n", v->name, shown, strerror(e));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "xenia: %s: \"%s\" is not a regular file\n", v->name, shown);
        goto bad;
    }
    if (st.st_size == 0 || (unsigned long long)st.st_size > XENIA_POLICY_MAX) {
        fprintf(stderr, "xenia: %s: \"%s\" is %lld bytes; a policy binary is 1 byte to "
                "%u MiB\n", v->name, shown, (long long)st.st_size, XENIA_POLICY_MAX >> 20);
        goto bad;
    }
    if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic))
        memset(magic, 0, sizeof(magic));
    m = (uint32_t)magic[0] | (uint32_t)magic[1] << 8 | (uint32_t)magic[2] << 16 |
        (uint32_t)magic[3] << 24;
    if (m != PDB_MAGIC) {
        if (m == 0xf97cff8cu)       /* SELinux kernel/Xen policy binary (checkpolicy) */
            fprintf(stderr, "xenia: %s: \"%s\" is a checkpolicy (SELinux) binary, not a "
                    "Xenia policy: compile the policy sources with xenia-policy\n",
                    v->name, shown);
        else
            fprintf(stderr, "xenia: %s: \"%s\" is not a Xenia policy binary (no \"XPOL\" "
                    "magic): compile policy.conf with xenia-policy first\n", v->name, shown);
        goto bad;
    }
    *size = (uint64_t)st.st_size;
    return fd;
bad:
    close(fd);
    return -1;
}

static int cmd_loadpolicy(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    uint64_t size = 0;
    int rc = plain_args(v, argc, argv, 1, "one policy FILE"), fd;

    if (rc >= 0)
        return rc;
    if ((fd = open_policy(v, argv[optind], &size)) < 0)
        return 1;
    rc = xenia_ctl_loadpolicy(c, fd, size);
    close(fd);
    if (rc < 0)
        return fail(v, c, rc);
    printf("policy loaded (%llu bytes)\n", (unsigned long long)size);
    return 0;
}

static const char *module_name(uint32_t module)
{
    return module == XENIA_XSM_FLASK ? "flask" : "dummy";
}

/* The mode as getenforce(8) prints it. */
static const char *mode_word(const struct xenia_xsm_status *st)
{
    if (st->module == XENIA_XSM_DUMMY)
        return "Disabled (dummy module)";
    return st->enforcing ? "Enforcing" : "Permissive";
}

static void print_status(const struct xenia_xsm_status *st)
{
    char ctx[XENIA_SECLABEL_MAX];
    int have_sha = 0;
    size_t i;

    printf("module:           %s\n", module_name(st->module));
    printf("mode:             %s\n", mode_word(st));
    for (i = 0; i < sizeof(st->policy_sha256); i++)
        have_sha |= st->policy_sha256[i] != 0;
    printf("policy sha256:    ");
    if (have_sha)
        for (i = 0; i < sizeof(st->policy_sha256); i++)
            printf("%02x", st->policy_sha256[i]);
    else
        printf("-");
    printf("\n");
    printf("policy loads:     %u\n", st->policy_loads);
    printf("booleans:         %u\n", st->nbools);
    printf("avc lookups:      %llu\n", (unsigned long long)st->avc_lookups);
    if (st->avc_lookups)
        printf("avc hits:         %llu (%.1f%%)\n", (unsigned long long)st->avc_hits,
               100.0 * (double)st->avc_hits / (double)st->avc_lookups);
    else
        printf("avc hits:         %llu\n", (unsigned long long)st->avc_hits);
    printf("avc misses:       %llu\n", (unsigned long long)st->avc_misses);
    printf("avc reclaims:     %llu\n", (unsigned long long)st->avc_reclaims);
    printf("avc flushes:      %llu\n", (unsigned long long)st->avc_flushes);
    printf("denials:          %llu\n", (unsigned long long)st->denials);
    printf("audit lines:      %llu\n", (unsigned long long)st->audit_seq);
    printf("audit dropped:    %llu\n", (unsigned long long)st->audit_dropped);
    printf("your context:     %s\n", st->context[0] ? safe(st->context, ctx, sizeof(ctx)) : "-");
}

static int cmd_getenforce(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xenia_xsm_status st;
    int o, verbose = 0, rc;

    start_opts();
    while ((o = next_opt(v, argc, argv, "vh", lo)) != -1) {
        switch (o) {
        case 'v': verbose = 1; break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (optind != argc)
        return usage_err(v, "takes no arguments");
    if ((rc = xenia_ctl_getenforce(c, &st)) < 0)
        return fail(v, c, rc);
    if (verbose)
        print_status(&st);
    else
        printf("%s\n", mode_word(&st));
    return 0;
}

static int cmd_setenforce(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    int rc = plain_args(v, argc, argv, 1, "one of 1, 0, enforcing, permissive"), mode;

    if (rc >= 0)
        return rc;
    if ((mode = xenia_ctl_parse_enforce(argv[optind])) < 0)
        return usage_err(v, "\"%s\" is not 1, 0, enforcing or permissive", argv[optind]);
    if ((rc = xenia_ctl_setenforce(c, (uint32_t)mode)) < 0)
        return fail(v, c, rc);
    return 0;
}

/* "NAME --> on" as getsebool(8); the default too when the value differs from it. */
static void print_bool(const struct xenia_ctl_boolval *b)
{
    char name[XENIA_BOOLNAME_MAX];

    printf("%s --> %s", safe(b->name, name, sizeof(name)), b->cur ? "on" : "off");
    if (b->cur != b->dflt)
        printf(" (default: %s)", b->dflt ? "on" : "off");
    printf("\n");
}

static int cmd_getbool(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "all", no_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct xenia_ctl_boolval b;
    struct xenia_xsm_status st;
    int o, all = 0, rc, i;
    uint32_t k, n;

    start_opts();
    while ((o = next_opt(v, argc, argv, "ah", lo)) != -1) {
        switch (o) {
        case 'a': all = 1; break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (all && optind != argc)
        return usage_err(v, "give either -a or NAMEs, not both");
    if (!all && optind == argc)
        return usage_err(v, "expected -a or a boolean NAME");
    if (!all) {
        for (i = optind; i < argc; i++) {
            if (!xenia_ctl_boolname_ok(argv[i]))
                return usage_err(v, "\"%s\" is not a boolean name", argv[i]);
            if ((rc = xenia_ctl_findbool(c, argv[i], &b)) < 0)
                return fail(v, c, rc);
            print_bool(&b);
        }
        return 0;
    }
    /* -a: the status says how many there are (0 is not an error) */
    if ((rc = xenia_ctl_getenforce(c, &st)) < 0)
        return fail(v, c, rc);
    if (st.module == XENIA_XSM_DUMMY) {
        fprintf(stderr, "xenia: %s: no booleans: the dummy security module is active "
                "(xenia-hv runs without FLASK)\n", v->name);
        return 1;
    }
    n = st.nbools;
    for (k = 0; k < n && k < XENIA_CTL_BOOL_LIMIT; k++) {
        if ((rc = xenia_ctl_getbool(c, k, &b)) < 0)
            return fail(v, c, rc);
        n = b.nbools;       /* a policy load in between changes the count */
        print_bool(&b);
    }
    if (k == 0)
        fprintf(stderr, "xenia: %s: the loaded policy has no booleans\n", v->name);
    return 0;
}

static int cmd_setbool(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    int rc = plain_args(v, argc, argv, 2, "NAME and a value (on, off, 1, 0, true, false)"), val;

    if (rc >= 0)
        return rc;
    if (!xenia_ctl_boolname_ok(argv[optind]))
        return usage_err(v, "\"%s\" is not a boolean name", argv[optind]);
    if ((val = xenia_ctl_parse_onoff(argv[optind + 1])) < 0)
        return usage_err(v, "\"%s\" is not on, off, 1, 0, true or false", argv[optind + 1]);
    if ((rc = xenia_ctl_setbool(c, argv[optind], (uint32_t)val)) < 0)
        return fail(v, c, rc);
    return 0;
}

struct audit_out {
    int with_seq;
};

/* Print one audit line; control bytes and non-ASCII become '?'. */
static int audit_line(void *arg, uint64_t seq, const char *text, size_t len)
{
    const struct audit_out *ao = arg;
    size_t i;

    if (ao->with_seq)
        printf("%llu ", (unsigned long long)seq);
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)text[i];

        putchar(ch < 0x20 || ch >= 0x7f ? '?' : ch);
    }
    if (putchar('\n') == EOF)
        return -EPIPE;
    return 0;
}

/* Sleep ms milliseconds unless g_stop is set (a signal interrupts the sleep). */
static void sleep_unless_stopped(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (!g_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Parse a decimal uint64 (digits only). Returns 0 or -1. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

static int cmd_audit(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    static const struct option lo[] = {
        { "follow", no_argument, NULL, 'f' },
        { "after", required_argument, NULL, 'A' },
        { "verbose", no_argument, NULL, 'v' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct audit_out ao = { 0 };
    struct sigaction sa, old_int, old_term;
    uint64_t after = 0, last;
    int o, follow = 0, rc = 0, more, ret = 0;

    start_opts();
    while ((o = next_opt(v, argc, argv, "fvh", lo)) != -1) {
        switch (o) {
        case 'f': follow = 1; break;
        case 'v': ao.with_seq = 1; break;
        case 'A':
            if (parse_u64(optarg, &after) < 0)
                return usage_err(v, "--after needs a sequence number, not \"%s\"", optarg);
            break;
        case 'h': return verb_help(v);
        default:  return EXIT_USAGE;
        }
    }
    if (optind != argc)
        return usage_err(v, "takes no arguments");
    if (follow) {
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    }
    for (;;) {
        rc = xenia_ctl_audit(c, after, audit_line, &ao, &last, &more);
        after = last;
        if (rc == -EPIPE || fflush(stdout) != 0)
            break;          /* our reader went away (e.g. | head) */
        if (rc < 0) {
            ret = fail(v, c, rc);
            break;
        }
        if (g_stop)
            break;
        if (more)
            continue;
        if (!follow)
            break;
        sleep_unless_stopped(200);
        if (g_stop)
            break;
    }
    if (follow) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    return ret;
}

/* ------------------------------------------------------------------------ */
/* help and main                                                             */
/* ------------------------------------------------------------------------ */

static int cmd_help(struct xenia_ctl *c, const struct verb *v, int argc, char **argv);

static const struct verb verbs[] = {
    { "create", cmd_create, "[-p] [-c] [-n] CONFIG [KEY=VALUE...]",
      "Create a domain from an xl.cfg-style CONFIG file.",
      "  -p, --paused     leave the new domain paused (start it with: xenia unpause)\n"
      "  -c, --console    attach to its console once created (the domain is created\n"
      "                   paused, the console attached, then it is unpaused)\n"
      "  -n, --dry-run    check CONFIG, the kernel and the disk, print the result,\n"
      "                   create nothing\n"
      "  KEY=VALUE        override or add a config key (as xl): memory=128 name=vm2\n"
      "                   VALUE is parsed as in the file; for string keys a VALUE without\n"
      "                   quotes is taken literally\n"
      "\n"
      "CONFIG keys (xl.cfg(5) syntax: key = value, \"strings\", [ lists ], # comments):\n"
      "  name = \"vm1\"          required; 1-63 of A-Z a-z 0-9 _ . - (not all digits)\n"
      "  kernel = \"guest.elf\"  required; the PV image (static ELF64); a relative path\n"
      "                        is resolved against the directory of CONFIG\n"
      "  memory = 64           MiB, 4..65536 (default 64)\n"
      "  cmdline = \"...\"       guest command line, at most 1023 bytes (default empty)\n"
      "  vcpus = 1             only 1 is supported for now\n"
      "  cap = 0               CPU cap, percent of one CPU, 0..100 (0 = none)\n"
      "  on_poweroff, on_reboot, on_crash = \"destroy\" | \"preserve\" | \"restart\"\n"
      "                        default \"preserve\": the stopped domain stays in\n"
      "                        `xenia list` with its reason until `xenia destroy`\n"
      "  type = \"pv\"           only PV guests\n"
      "  seclabel = \"system_u:system_r:domU_t\"\n"
      "                        the domain's security context, user:role:type[:level]\n"
      "                        (at most 255 of A-Z a-z 0-9 _ . : , -); default: the\n"
      "                        policy's label for new domains. Also as an override:\n"
      "                        xenia create vm.cfg seclabel=system_u:system_r:isolated_t\n"
      "  disk = [ \"disk.img\" ] one raw image file, at most one disk per domain; a\n"
      "                        relative path is resolved against the directory of\n"
      "                        CONFIG. Forms (xl-disk-configuration(5)):\n"
      "                          \"disk.img\"  \"disk.img,ro\"  \"disk.img,raw,xvda,rw\"\n"
      "                          \"file:disk.img,xvda,w\"\n"
      "                          \"format=raw, vdev=xvda, access=ro, target=disk.img\"\n"
      "                        access rw (default) or ro; format raw only; vdev is\n"
      "                        checked (xvdX, hdX, sdX, dN) and otherwise ignored.\n"
      "                        xenia opens the file with YOUR rights (read-write, or\n"
      "                        read-only for ro) and passes it to xenia-hv; the\n"
      "                        domain's device-model stub domain serves it.\n"
      "                        Override: xenia create vm.cfg disk=other.img,ro\n"
      "Not supported yet: init_seclabel, vif, ramdisk, maxmem (refused with a\n"
      "message).\n"
      "Prints \"Created domain NAME (domid N)\" (on stderr with -c).\n" },
    { "list", cmd_list, "[-l] [-Z] [DOMAIN...]",
      "List domains: Name ID Mem(MiB) VCPUs State Time(s).",
      "  -l, --long       print every field of each domain, disk and stub domains\n"
      "                   included (as `xenia info`)\n"
      "  -Z, --context    add a column with each domain's security label (as xl list -Z;\n"
      "                   -l always shows it as seclabel:)\n"
      "  DOMAIN...        only these domains (names or domids)\n"
      "State is building, running, blocked, paused, or for a stopped domain\n"
      "\"shutdown (REASON)\" / \"crashed (REASON)\" with REASON poweroff, reboot, crash,\n"
      "fault or destroyed. Time is the CPU time the domain's vCPU has used.\n" },
    { "info", cmd_info, "DOMAIN",
      "Show everything xenia-hv reports about one domain.",
      "  DOMAIN           a name or a numeric domid\n"
      "After the domain's fields: its disk size, then one block per stub domain:\n"
      "  stubdom dm: pid 12345, uid 640005, restarts 2, generation 3\n"
      "    seclabel system_u:system_r:dm_t:s0:c1\n"
      "    confined namespaces,root,rlimits,cgroup,uid,nnp,landlock,seccomp\n"
      "    last exit: killed by SIGSYS\n"
      "(\"not running\" instead of the pid while it is down; \"last exit\" only when a\n"
      "previous instance ended). confined lists the layers hv applied: namespaces,\n"
      "empty root, rlimits, cgroup, unprivileged uid, no_new_privs (nnp), Landlock,\n"
      "seccomp.\n" },
    { "console", cmd_console, "[-r] [--timeout SEC] DOMAIN",
      "Attach to a domain's console.",
      "  -r, --no-input   read-only: copy console output, send no input\n"
      "  --timeout SEC    stop after SEC seconds (exit status 124)\n"
      "When stdin is a terminal it is put in raw mode and Ctrl-] detaches (exit 0).\n"
      "Otherwise input is copied from stdin (binary-safe, no escape character) and\n"
      "output is copied until the console closes (exit 0), so pipes work:\n"
      "  xenia console -r --timeout 5 vm1 > vm1.log\n" },
    { "pause", cmd_pause, "DOMAIN", "Pause a domain's vCPU.", "  DOMAIN           a name or a numeric domid\n" },
    { "unpause", cmd_unpause, "DOMAIN", "Let a paused domain run again.",
      "  DOMAIN           a name or a numeric domid\n" },
    { "destroy", cmd_destroy, "DOMAIN", "Stop a domain at once and free it (no guest cooperation).",
      "  DOMAIN           a name or a numeric domid\n" },
    { "shutdown", cmd_shutdown, "[-w] [-R] [--timeout SEC] DOMAIN",
      "Ask a domain's guest to power off (or reboot with -R).",
      "  -w, --wait       wait until the domain has stopped (or, with -R, restarted, or\n"
      "                   was destroyed by its on_poweroff/on_reboot action)\n"
      "  -R, --reboot     ask for a reboot instead of a power-off\n"
      "  --timeout SEC    with -w: give up after SEC seconds (exit status 1)\n"
      "The guest must cooperate; to stop it regardless, use `xenia destroy`.\n" },
    { "loadpolicy", cmd_loadpolicy, "FILE",
      "Load a compiled FLASK policy into xenia-hv (as xl loadpolicy).",
      "  FILE             a policy binary made by xenia-policy (starts with \"XPOL\";\n"
      "                   at most 16 MiB); it is opened read-only here and passed to\n"
      "                   xenia-hv as a file descriptor\n"
      "The new policy replaces the old one at once (the AVC is flushed); booleans take\n"
      "their defaults. Needs the security:load_policy permission.\n"
      "Prints \"policy loaded (N bytes)\".\n" },
    { "getenforce", cmd_getenforce, "[-v]",
      "Print the FLASK mode: Enforcing, Permissive or Disabled (dummy module).",
      "  -v, --verbose    print the whole status: module, mode, policy sha256, policy\n"
      "                   loads, booleans, AVC lookups / hits (hit rate) / misses /\n"
      "                   reclaims / flushes, denials, audit lines / dropped, and your\n"
      "                   own security context\n" },
    { "setenforce", cmd_setenforce, "1|0|enforcing|permissive",
      "Switch FLASK between enforcing and permissive (as setenforce(8)).",
      "  1, enforcing     denials are enforced\n"
      "  0, permissive    denials are only logged (see: xenia audit)\n"
      "Needs the security:setenforce permission.\n" },
    { "getbool", cmd_getbool, "-a | NAME...",
      "Print policy booleans as getsebool(8) does: NAME --> on|off.",
      "  -a, --all        every boolean of the loaded policy\n"
      "  NAME...          these booleans only\n"
      "\" (default: on)\" follows a boolean whose value differs from its default.\n" },
    { "setbool", cmd_setbool, "NAME on|off|1|0|true|false",
      "Set a policy boolean until the next policy load (as setsebool(8) without -P).",
      "Needs the security:setbool permission.\n" },
    { "audit", cmd_audit, "[-f] [-v] [--after SEQ]",
      "Print xenia-hv's access-vector audit lines (avc: denied / granted ...).",
      "  -f, --follow     keep printing new lines (polled every 200 ms) until\n"
      "                   interrupted (Ctrl-C exits 0)\n"
      "  -v, --verbose    prefix each line with its sequence number\n"
      "  --after SEQ      only lines after sequence number SEQ (see -v)\n"
      "Needs the security:read_audit permission. The lines are what audit2allow\n"
      "reads: xenia audit | xenia-policy audit2allow -p POLICY.xpol -\n" },
    { "help", cmd_help, "[VERB]", "Show help for xenia or for one VERB.", "" },
};

static size_t verbs_count(void) { return sizeof(verbs) / sizeof(verbs[0]); }

static const struct verb *find_verb(const char *name)
{
    size_t i;

    for (i = 0; i < verbs_count(); i++)
        if (strcmp(verbs[i].name, name) == 0)
            return &verbs[i];
    return NULL;
}

static void main_usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: xenia [--run-dir DIR] VERB [options] ARGS\n\n"
            "Verbs:\n");
    for (i = 0; i < verbs_count(); i++)
        fprintf(f, "  %-10s %s\n  %-10s   %s\n", verbs[i].name, verbs[i].synopsis, "",
                verbs[i].summary);
    fprintf(f, "\nDOMAIN is a domain name or a numeric domid.\n"
            "--run-dir DIR: where xenia-hv's control socket ctl.sock lives\n"
            "               (default: $XENIA_RUN_DIR, else " XENIA_RUN_DIR_DEFAULT ").\n"
            "Every verb has --help; see also: xenia help VERB.\n");
}

static int cmd_help(struct xenia_ctl *c, const struct verb *v, int argc, char **argv)
{
    const struct verb *t;

    (void)c;
    if (argc <= 1) {
        main_usage(stdout);
        return 0;
    }
    if (argc > 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc == 2)
            return verb_help(v);
        return usage_err(v, "expected at most one VERB");
    }
    t = find_verb(argv[1]);
    if (!t)
        return usage_err(v, "no verb \"%s\"", argv[1]);
    return verb_help(t);
}

int main(int argc, char **argv)
{
    const char *run_dir = NULL;
    const struct verb *v;
    struct xenia_ctl *c;
    int i = 1, rc;

    signal(SIGPIPE, SIG_IGN);
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--run-dir") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "xenia: --run-dir needs a directory\n");
                return EXIT_USAGE;
            }
            run_dir = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--run-dir=", 10) == 0) {
            run_dir = argv[i] + 10;
            i++;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            main_usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("xenia %d.%d (control protocol %u)\n", XENIA_VERSION_MAJOR,
                   XENIA_VERSION_MINOR, XENIA_CTL_VERSION);
            return 0;
        } else {
            fprintf(stderr, "xenia: unknown option %s\n", argv[i]);
            main_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (i >= argc) {
        main_usage(stderr);
        return EXIT_USAGE;
    }
    v = find_verb(argv[i]);
    if (!v) {
        const char *best = NULL;
        unsigned bd = 3;
        size_t k;

        for (k = 0; k < verbs_count(); k++) {
            unsigned d = xenia_config_distance(argv[i], verbs[k].name);

            if (d < bd) {
                bd = d;
                best = verbs[k].name;
            }
        }
        if (best)
            fprintf(stderr, "xenia: unknown verb \"%s\": did you mean \"%s\"?\n", argv[i], best);
        else
            fprintf(stderr, "xenia: unknown verb \"%s\"\n", argv[i]);
        fprintf(stderr, "(the verbs are listed by: xenia help)\n");
        return EXIT_USAGE;
    }
    if (run_dir && !*run_dir) {
        fprintf(stderr, "xenia: --run-dir needs a directory\n");
        return EXIT_USAGE;
    }
    c = malloc(sizeof(*c));
    if (!c) {
        fprintf(stderr, "xenia: out of memory\n");
        return 1;
    }
    if (xenia_ctl_init(c, run_dir) < 0) {
        fprintf(stderr, "xenia: %s\n", c->err);
        free(c);
        return EXIT_USAGE;
    }
    rc = v->fn(c, v, argc - i, argv + i);
    free(c);
    if (fflush(stdout) != 0 && rc == 0 && errno != EPIPE) {
        fprintf(stderr, "xenia: %s: cannot write output: %s\n", v->name, strerror(errno));
        rc = 1;
    }
    return rc;
}
