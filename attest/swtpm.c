/* SPDX-License-Identifier: MIT */
/*
 * The swtpm launcher (see swtpm.h). A thin shell: directories, three small
 * configuration files, swtpm_setup once, then swtpm as a child.
 * Sources: swtpm(8), swtpm_setup(8), swtpm_setup.conf(5), swtpm_localca(8),
 * prctl(2) PR_SET_PDEATHSIG, close_range(2), unix(7).
 */
#include "attest/swtpm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SWTPM_PATH_MAX 600

struct paths {
    char state[SWTPM_PATH_MAX];
    char ca[SWTPM_PATH_MAX];
    char permall[SWTPM_PATH_MAX];
    char setup_conf[SWTPM_PATH_MAX];
    char localca_conf[SWTPM_PATH_MAX];
    char localca_opts[SWTPM_PATH_MAX];
    char sock[SWTPM_PATH_MAX];
    char ctrl[SWTPM_PATH_MAX];
    char log[SWTPM_PATH_MAX];
    char swtpm[SWTPM_PATH_MAX];          /* executables found in PATH */
    char swtpm_setup[SWTPM_PATH_MAX];
    char swtpm_localca[SWTPM_PATH_MAX];
};

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* snprintf into a fixed buffer; -ENAMETOOLONG if it does not fit. */
static int fmt_path(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fmt_path(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap)
        return -ENAMETOOLONG;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* mkdir 0700; an existing directory is fine. */
static int mkdir_one(const char *path)
{
    struct stat st;

    if (mkdir(path, 0700) == 0)
        return 0;
    if (errno != EEXIST)
        return -errno;
    if (stat(path, &st) < 0)
        return -errno;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Replace path's contents with text (0600). */
static int write_text(const char *path, const char *text)
{
    size_t len = strlen(text), off = 0;
    int fd, rc = 0;

    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return -errno;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        off += (size_t)n;
    }
    if (close(fd) < 0 && rc == 0)
        rc = -errno;
    return rc;
}

/* First executable called name in $PATH (default /usr/bin:/bin). */
static int find_exe(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    const char *p;

    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path; *p;) {
        const char *end = strchr(p, ':');
        size_t n = end ? (size_t)(end - p) : strlen(p);

        if (n > 0 && n < cap &&
            fmt_path(out, cap, "%.*s/%s", (int)n, p, name) == 0 &&
            access(out, X_OK) == 0)
            return 0;
        p += n;
        if (*p == ':')
            p++;
    }
    return -ENOENT;
}

/*
 * fork + exec argv[0] with stdin /dev/null, stdout/stderr to logfd, a clean
 * signal mask, its own process group, every other fd closed. With pdeath, the
 * child gets SIGTERM when the calling thread dies. Between fork and exec the
 * child makes only async-signal-safe calls (hv is multithreaded).
 */
static pid_t spawn(char *const argv[], int logfd, int nullfd, bool pdeath)
{
    pid_t parent = getpid();
    pid_t pid = fork();

    if (pid != 0)
        return pid < 0 ? -errno : pid;

    sigset_t none;
    struct sigaction dfl;
    static const int sigs[] = { SIGPIPE, SIGCHLD, SIGTERM, SIGINT, SIGHUP };

    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (pdeath) {
        if (prctl(PR_SET_PDEATHSIG, SIGTERM, 0, 0, 0) < 0)
            _exit(126);
        if (getppid() != parent)    /* the parent died before prctl */
            _exit(126);
    }
    setpgid(0, 0);
    if (dup2(nullfd, 0) < 0 || dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0)
        _exit(126);
    close_range(3, ~0u, 0);
    execv(argv[0], argv);
    _exit(127);
}

/*
 * Wait up to ms for pid to exit. Returns 0 with *status set, -ETIMEDOUT
 * (child still running), or -errno from waitpid.
 */
static int wait_for(pid_t pid, unsigned ms, int *status)
{
    uint64_t deadline = now_ms() + ms;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -errno;
        if (now_ms() >= deadline)
            return -ETIMEDOUT;
        sleep_ms(5);
    }
}

static void kill_and_reap(pid_t pid)
{
    int st;

    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    if (wait_for(pid, 2000, &st) == -ETIMEDOUT) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
    }
}

/* 1 when the unix socket at path accepts a connection, 0 when not yet, -errno on error. */
static int probe_socket(const char *path)
{
    struct sockaddr_un sa;
    int fd, rc;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    memcpy(sa.sun_path, path, strlen(path));
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 1 : 0;
    close(fd);
    return rc;
}

static void describe_status(int st, char *out, size_t cap)
{
    if (WIFEXITED(st))
        snprintf(out, cap, "exit status %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(out, cap, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(out, cap, "status 0x%x", (unsigned)st);
}

static int make_paths(const char *run_dir, struct swtpm *s, struct paths *p)
{
    struct sockaddr_un sa;
    int rc = 0;

    rc |= fmt_path(s->dir, sizeof(s->dir), "%s/tpm", run_dir);
    rc |= fmt_path(p->state, sizeof(p->state), "%s/state", s->dir);
    rc |= fmt_path(p->ca, sizeof(p->ca), "%s/ca", s->dir);
    rc |= fmt_path(p->permall, sizeof(p->permall), "%s/tpm2-00.permall", p->state);
    rc |= fmt_path(p->setup_conf, sizeof(p->setup_conf), "%s/swtpm_setup.conf", s->dir);
    rc |= fmt_path(p->localca_conf, sizeof(p->localca_conf), "%s/localca.conf", s->dir);
    rc |= fmt_path(p->localca_opts, sizeof(p->localca_opts), "%s/localca.options", s->dir);
    rc |= fmt_path(p->sock, sizeof(p->sock), "%s/swtpm.sock", s->dir);
    rc |= fmt_path(p->ctrl, sizeof(p->ctrl), "%s/swtpm.sock.ctrl", s->dir);
    rc |= fmt_path(p->log, sizeof(p->log), "%s/swtpm.log", s->dir);
    rc |= fmt_path(s->tcti, sizeof(s->tcti), "swtpm:path=%s", p->sock);
    rc |= fmt_path(s->ca_root, sizeof(s->ca_root), "%s/swtpm-localca-rootca-cert.pem", p->ca);
    rc |= fmt_path(s->ca_issuer, sizeof(s->ca_issuer), "%s/issuercert.pem", p->ca);
    if (rc || strlen(p->ctrl) >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    return 0;
}

static int write_configs(const struct paths *p, char *err, size_t errlen)
{
    char text[4 * SWTPM_PATH_MAX + 256];
    int rc;

    /* swtpm_setup.conf(5) */
    snprintf(text, sizeof(text),
             "# written by xenia-hv (attest/swtpm.c) on every start\n"
             "create_certs_tool = %s\n"
             "create_certs_tool_config = %s\n"
             "create_certs_tool_options = %s\n"
             "active_pcr_banks = sha256\n",
             p->swtpm_localca, p->localca_conf, p->localca_opts);
    rc = write_text(p->setup_conf, text);
    if (rc < 0)
        goto fail;
    /* swtpm-localca.conf(5): the CA lives in <dir>/ca */
    snprintf(text, sizeof(text),
             "statedir = %s\n"
             "signingkey = %s/signkey.pem\n"
             "issuercert = %s/issuercert.pem\n"
             "certserial = %s/certserial\n",
             p->ca, p->ca, p->ca, p->ca);
    rc = write_text(p->localca_conf, text);
    if (rc < 0)
        goto fail;
    /* swtpm-localca.options(5): options for swtpm_cert (platform certificate) */
    rc = write_text(p->localca_opts,
                    "--platform-manufacturer Xenia\n"
                    "--platform-version 1.0\n"
                    "--platform-model xenia-hv\n");
    if (rc < 0)
        goto fail;
    return 0;
fail:
    seterr(err, errlen, "swtpm: writing the swtpm_setup configuration in %s/..: %s",
           p->ca, strerror(-rc));
    return rc;
}

/* Manufacture the TPM in p->state with swtpm_setup (EK + certificates). */
static int run_setup(const struct paths *p, int logfd, int nullfd, char *err, size_t errlen)
{
    char *argv[] = {
        (char *)p->swtpm_setup, "--tpm2", "--tpmstate", (char *)p->state,
        "--create-ek-cert", "--create-platform-cert",
        "--config", (char *)p->setup_conf, "--pcr-banks", "sha256",
        "--overwrite", NULL,
    };
    char how[64];
    pid_t pid;
    int st, rc;

    dprintf(logfd, "xenia: manufacturing the TPM in %s (swtpm_setup)\n", p->state);
    pid = spawn(argv, logfd, nullfd, true);
    if (pid < 0) {
        seterr(err, errlen, "swtpm_setup: fork: %s", strerror((int)-pid));
        return (int)pid;
    }
    rc = wait_for(pid, SWTPM_SETUP_TIMEOUT_MS, &st);
    if (rc == -ETIMEDOUT) {
        kill_and_reap(pid);
        seterr(err, errlen, "swtpm_setup: no result after %u ms (see %s)",
               SWTPM_SETUP_TIMEOUT_MS, p->log);
        return rc;
    }
    if (rc < 0) {
        seterr(err, errlen, "swtpm_setup: waitpid: %s", strerror(-rc));
        return rc;
    }
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        describe_status(st, how, sizeof(how));
        seterr(err, errlen, "swtpm_setup failed (%s, see %s)", how, p->log);
        return -EIO;
    }
    if (access(p->permall, F_OK) < 0) {
        seterr(err, errlen, "swtpm_setup left no %s (see %s)", p->permall, p->log);
        return -EIO;
    }
    return 0;
}

int swtpm_start(const char *run_dir, struct swtpm *s, char *err, size_t errlen)
{
    struct paths p;
    char how[64];
    int logfd = -1, nullfd = -1, rc, st;
    pid_t pid = 0;

    if (err && errlen)
        err[0] = '\0';
    if (!run_dir || !s)
        return -EINVAL;
    memset(s, 0, sizeof(*s));
    memset(&p, 0, sizeof(p));
    rc = make_paths(run_dir, s, &p);
    if (rc < 0) {
        seterr(err, errlen, "swtpm: run directory path too long for the TPM socket: %s",
               run_dir);
        return rc;
    }
    if (find_exe("swtpm", p.swtpm, sizeof(p.swtpm)) < 0 ||
        find_exe("swtpm_setup", p.swtpm_setup, sizeof(p.swtpm_setup)) < 0 ||
        find_exe("swtpm_localca", p.swtpm_localca, sizeof(p.swtpm_localca)) < 0) {
        seterr(err, errlen, "swtpm: swtpm, swtpm_setup or swtpm_localca not in PATH "
               "(apt-get install swtpm swtpm-tools)");
        return -ENOENT;
    }

    const char *dirs[] = { run_dir, s->dir, p.state, p.ca };
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        rc = mkdir_one(dirs[i]);
        if (rc < 0) {
            seterr(err, errlen, "swtpm: mkdir %s: %s", dirs[i], strerror(-rc));
            return rc;
        }
    }
    rc = write_configs(&p, err, errlen);
    if (rc < 0)
        return rc;

    logfd = open(p.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (logfd < 0) {
        rc = -errno;
        seterr(err, errlen, "swtpm: open %s: %s", p.log, strerror(-rc));
        goto out;
    }
    nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (nullfd < 0) {
        rc = -errno;
        seterr(err, errlen, "swtpm: open /dev/null: %s", strerror(-rc));
        goto out;
    }

    if (access(p.permall, F_OK) < 0) {
        rc = run_setup(&p, logfd, nullfd, err, errlen);
        if (rc < 0)
            goto out;
    }
    if (access(s->ca_root, R_OK) < 0 || access(s->ca_issuer, R_OK) < 0) {
        rc = -ENOENT;
        seterr(err, errlen, "swtpm: TPM state exists but its CA (%s) is missing; "
               "remove %s to manufacture a new TPM", p.ca, p.state);
        goto out;
    }

    /* A stale socket from a killed run would make swtpm's bind fail. */
    unlink(p.sock);
    unlink(p.ctrl);

    char tpmstate[SWTPM_PATH_MAX + 16], server[SWTPM_PATH_MAX + 32], ctrl[SWTPM_PATH_MAX + 32];
    if (fmt_path(tpmstate, sizeof(tpmstate), "dir=%s", p.state) < 0 ||
        fmt_path(server, sizeof(server), "type=unixio,path=%s", p.sock) < 0 ||
        fmt_path(ctrl, sizeof(ctrl), "type=unixio,path=%s", p.ctrl) < 0) {
        rc = -ENAMETOOLONG;
        seterr(err, errlen, "swtpm: path too long");
        goto out;
    }
    char *argv[] = {
        p.swtpm, "socket", "--tpm2", "--tpmstate", tpmstate,
        "--server", server, "--ctrl", ctrl,
        "--flags", "not-need-init,startup-clear", NULL,
    };
    dprintf(logfd, "xenia: starting swtpm on %s\n", p.sock);
    pid = spawn(argv, logfd, nullfd, true);
    if (pid < 0) {
        rc = (int)pid;
        pid = 0;
        seterr(err, errlen, "swtpm: fork: %s", strerror(-rc));
        goto out;
    }

    /* Wait until the data socket accepts (or swtpm dies). */
    uint64_t deadline = now_ms() + SWTPM_START_TIMEOUT_MS;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            pid = 0;
            describe_status(st, how, sizeof(how));
            rc = -EIO;
            seterr(err, errlen, "swtpm exited before accepting connections (%s, see %s)",
                   how, p.log);
            goto out;
        }
        rc = probe_socket(p.sock);
        if (rc == 1)
            break;
        if (rc < 0) {
            seterr(err, errlen, "swtpm: socket probe %s: %s", p.sock, strerror(-rc));
            goto out;
        }
        if (now_ms() >= deadline) {
            rc = -ETIMEDOUT;
            seterr(err, errlen, "swtpm: %s did not accept within %u ms (see %s)",
                   p.sock, SWTPM_START_TIMEOUT_MS, p.log);
            goto out;
        }
        sleep_ms(2);
    }
    s->pid = pid;
    pid = 0;
    rc = 0;
out:
    if (pid > 0)
        kill_and_reap(pid);
    if (nullfd >= 0)
        close(nullfd);
    if (logfd >= 0)
        close(logfd);
    return rc;
}

void swtpm_stop(struct swtpm *s)
{
    if (!s || s->pid <= 0)
        return;
    kill_and_reap(s->pid);
    s->pid = 0;
}
