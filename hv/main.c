/* SPDX-License-Identifier: MIT */
/*
 * xenia-hv: the hypervisor daemon. The only process that opens /dev/kvm.
 * Start-up is a sequence of explicit steps called from main(); the main
 * thread then serves the control socket, console clients and domain reaping.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <xenia/ctl.h>

#include "ctl.h"
#include "domain.h"
#include "attestd.h"
#include "log.h"
#include "measure.h"
#include "stubdom.h"
#include "xsm/xsm.h"

#define MAX_CLIENTS 64

static struct hv hv;
static struct ctl_client clients[MAX_CLIENTS];
static char policy_path[512];
static char bin_dir[400];            /* directory of the xenia-hv binary */
static const char *dm_path;          /* --dm PATH */
static int permissive;
static const char *tpm_spec = "swtpm";           /* --tpm */
static const char *attest_listen = "127.0.0.1:7766";  /* --attest-listen */
static FILE *audit_file;

static void usage(FILE *f)
{
    fprintf(f,
        "usage: xenia-hv [--run-dir DIR] [--builder PATH] [--dm PATH] [--log-level 0-3]\n"
        "                [--policy FILE [--permissive]] [--stubdom-uid-base N]\n"
        "  Runs the Xenia hypervisor in the foreground.\n"
        "  --policy FILE    XSM module flask with this compiled policy (xenia-policy compile),\n"
        "                   enforcing; without it the dummy module (uid 0 or owner) decides\n"
        "  --permissive     flask: log denials but allow (like SELinux permissive mode)\n"
        "  --run-dir DIR    control socket, console logs and hv log (default /run/xenia)\n"
        "  --builder PATH   domain builder binary (default: xenia-builder next to xenia-hv)\n"
        "  --dm PATH        device model binary (default: xenia-dm next to xenia-hv)\n"
        "  --stubdom-uid-base N  first uid of the stub domains: uid = N + domid*4 + role\n"
        "                   (default 640000); gid = uid\n"
        "  --tpm SPEC       swtpm (default: start swtpm with state in <run-dir>/tpm), none\n"
        "                   (event log only, no quotes), or a TCTI such as device:/dev/tpmrm0\n"
        "  --attest-listen HOST:PORT  the attestation agent's TLS port (default\n"
        "                   127.0.0.1:7766; port 0 = any, written to <run-dir>/attest.port;\n"
        "                   none = no agent)\n"
        "  --log-level N    0 errors .. 3 debug (default 2)\n");
}

static int parse_args(int argc, char **argv, int *level)
{
    static const struct option opts[] = {
        { "run-dir", required_argument, NULL, 'r' },
        { "builder", required_argument, NULL, 'b' },
        { "log-level", required_argument, NULL, 'l' },
        { "policy", required_argument, NULL, 'p' },
        { "permissive", no_argument, NULL, 'P' },
        { "dm", required_argument, NULL, 'd' },
        { "stubdom-uid-base", required_argument, NULL, 'u' },
        { "tpm", required_argument, NULL, 't' },
        { "attest-listen", required_argument, NULL, 'a' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    char self[400];
    ssize_t n;
    int c;

    snprintf(hv.run_dir, sizeof(hv.run_dir), "%s",
             getenv("XENIA_RUN_DIR") ? getenv("XENIA_RUN_DIR") : "/run/xenia");
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = 0;
        char *slash = strrchr(self, '/');
        if (slash)
            *slash = 0;
        snprintf(hv.builder_path, sizeof(hv.builder_path), "%s/xenia-builder", self);
        snprintf(bin_dir, sizeof(bin_dir), "%s", self);
    }
    while ((c = getopt_long(argc, argv, "r:b:l:p:Ph", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            snprintf(hv.run_dir, sizeof(hv.run_dir), "%s", optarg);
            break;
        case 'b':
            snprintf(hv.builder_path, sizeof(hv.builder_path), "%s", optarg);
            break;
        case 'l':
            *level = atoi(optarg);
            break;
        case 'p':
            snprintf(policy_path, sizeof(policy_path), "%s", optarg);
            break;
        case 'P':
            permissive = 1;
            break;
        case 'd':
            dm_path = optarg;
            break;
        case 't':
            tpm_spec = optarg;
            break;
        case 'a':
            attest_listen = optarg;
            break;
        case 'u': {
            char *end;
            unsigned long base = strtoul(optarg, &end, 10);
            if (*optarg == 0 || *end || stubdom_set_uid_base((uid_t)base) < 0 ||
                base != (uid_t)base) {
                fprintf(stderr, "xenia-hv: bad --stubdom-uid-base %s\n", optarg);
                return -1;
            }
            break;
        }
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return -1;
    }
    return 0;
}

/* Each audit line (xsm/) also goes to <run-dir>/audit.log, flushed at once. */
static void audit_sink(const char *line, void *arg)
{
    (void)arg;
    if (audit_file) {
        fprintf(audit_file, "%s\n", line);
        fflush(audit_file);
    }
    log_debug("audit: %s", line);
}

/* Start the XSM module: flask with --policy FILE, else dummy. */
static int start_xsm(void)
{
    char err[256] = "", path[600];
    uint8_t *buf = NULL;
    long size = 0;
    int rc;

    snprintf(path, sizeof(path), "%s/audit.log", hv.run_dir);
    audit_file = fopen(path, "ae");
    xsm_set_audit_sink(audit_sink, NULL);
    if (policy_path[0]) {
        FILE *f = fopen(policy_path, "rbe");
        if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) <= 0 ||
            size > (long)XENIA_POLICY_MAX || fseek(f, 0, SEEK_SET) < 0 ||
            (buf = malloc((size_t)size)) == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
            log_err("cannot read the policy %s (1..%u bytes): %s", policy_path, XENIA_POLICY_MAX,
                    errno ? strerror(errno) : "bad size");
            if (f)
                fclose(f);
            free(buf);
            return -1;
        }
        fclose(f);
        rc = xsm_init(XSM_MODULE_FLASK, buf, (size_t)size, !permissive, err, sizeof(err));
        if (rc == 0 && measure_policy(buf, (size_t)size, "xenia:policy") < 0) {
            log_err("cannot measure the policy");
            free(buf);
            return -1;
        }
        if (rc == 0)
            measure_state("xenia:enforce %u", !permissive);
        free(buf);
    } else {
        rc = xsm_init(XSM_MODULE_DUMMY, NULL, 0, true, err, sizeof(err));
        if (rc == 0)
            measure_state("xenia:xsm dummy");
    }
    if (rc < 0) {
        log_err("xsm: cannot start: %s", err);
        return -1;
    }
    if (xsm_label_isid("xen", &hv.xen_label) < 0 ||
        xsm_label_isid("security", &hv.security_label) < 0) {
        log_err("xsm: the policy lacks the 'xen' or 'security' initial SID context");
        return -1;
    }
    log_info("xsm: module %s%s%s%s", xsm_module_name(), policy_path[0] ? ", policy " : "",
             policy_path, policy_path[0] ? (permissive ? ", permissive" : ", enforcing") : "");
    return 0;
}

/* Start the TPM and the event log, and measure hv itself (PCR 8, "xenia:hv"):
 * the binary this process runs, read through /proc/self/exe. */
static int start_measure(void)
{
    struct measure_cfg cfg = { .run_dir = hv.run_dir, .tpm = tpm_spec };
    char err[512] = "";
    uint8_t d[32];
    int fd, rc;

    if (measure_init(&cfg, err, sizeof(err)) < 0) {
        log_err("measured launch: %s", err);
        return -1;
    }
    fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    rc = fd < 0 ? -errno : measure_sha256_fd(fd, d);
    if (fd >= 0)
        close(fd);
    if (rc < 0 || measure_event(XENIA_PCR_CODE, d, "xenia:hv") < 0) {
        log_err("cannot measure xenia-hv itself");
        return -1;
    }
    return 0;
}

static int open_kvm(void)
{
    int api;

    hv.kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (hv.kvm_fd < 0) {
        log_err("cannot open /dev/kvm: %s (is KVM available and are you root?)", strerror(errno));
        return -1;
    }
    api = ioctl(hv.kvm_fd, KVM_GET_API_VERSION, 0);
    if (api != KVM_API_VERSION) {
        log_err("KVM API version %d, need %d", api, KVM_API_VERSION);
        return -1;
    }
    if (ioctl(hv.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) <= 0 ||
        ioctl(hv.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) <= 0) {
        log_err("KVM lacks KVM_CAP_SYNC_REGS or KVM_CAP_IMMEDIATE_EXIT");
        return -1;
    }
    return 0;
}

static int open_ctl_socket(void)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", hv.run_dir, XENIA_CTL_SOCK) >=
        sizeof(sa.sun_path)) {
        log_err("run directory path too long for a unix socket: %s", hv.run_dir);
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    unlink(sa.sun_path);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 64) < 0) {
        log_err("cannot listen on %s: %s", sa.sun_path, strerror(errno));
        close(fd);
        return -1;
    }
    /* Everyone may connect; what each uid may do is decided per request. */
    chmod(sa.sun_path, 0666);
    return fd;
}

static void accept_client(int lfd)
{
    struct ucred cr;
    socklen_t len = sizeof(cr);
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0)
        return;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0) {
        close(fd);
        return;
    }
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i].fd < 0) {
            clients[i] = (struct ctl_client){ .fd = fd, .uid = cr.uid, .pid = cr.pid };
            return;
        }
    }
    log_warn("ctl: too many clients; refusing pid %d", (int)cr.pid);
    close(fd);
}

enum { P_LISTEN, P_SIGNAL, P_REAP, P_AGENT_IPC, P_AGENT_PID, P_FIXED };
#define MAX_POLL (P_FIXED + MAX_CLIENTS + HV_MAX_DOMAINS * (CON_MAX_CLIENTS + 3))

static int serve(int lfd, int sfd)
{
    static struct pollfd p[MAX_POLL];
    static int who[MAX_POLL];   /* client index, or domain slot * CON_MAX_CLIENTS + console slot */

    for (;;) {
        int n = P_FIXED;

        p[P_LISTEN] = (struct pollfd){ .fd = lfd, .events = POLLIN };
        p[P_SIGNAL] = (struct pollfd){ .fd = sfd, .events = POLLIN };
        p[P_REAP] = (struct pollfd){ .fd = hv.reap_fd, .events = POLLIN };
        p[P_AGENT_IPC] = (struct pollfd){ .fd = attestd_ipc_fd(), .events = POLLIN };
        p[P_AGENT_PID] = (struct pollfd){ .fd = attestd_pid_fd(), .events = POLLIN };
        for (int i = 0; i < MAX_CLIENTS; i++)
            if (clients[i].fd >= 0) {
                p[n] = (struct pollfd){ .fd = clients[i].fd, .events = POLLIN };
                who[n++] = i;
            }
        int first_con = n;
        for (int s = 0; s < HV_MAX_DOMAINS; s++) {
            struct domain *d = hv.doms[s];
            if (!d)
                continue;
            for (int k = 0; k < CON_MAX_CLIENTS; k++)
                if (d->con.clients[k] >= 0) {
                    p[n] = (struct pollfd){ .fd = d->con.clients[k], .events = POLLIN };
                    who[n++] = s * CON_MAX_CLIENTS + k;
                }
        }
        int first_dm = n;
        for (int s = 0; s < HV_MAX_DOMAINS; s++) {
            struct domain *d = hv.doms[s];
            if (!d)
                continue;
            if (d->dm.running && d->dm.proc.pidfd >= 0) {
                p[n] = (struct pollfd){ .fd = d->dm.proc.pidfd, .events = POLLIN };
                who[n++] = s * 3;
            }
            if (d->dm.cons_fd >= 0) {
                p[n] = (struct pollfd){ .fd = d->dm.cons_fd, .events = POLLIN };
                who[n++] = s * 3 + 1;
            }
            if (d->dm.ipc_fd >= 0 && !d->dm.ipc_hup) {
                p[n] = (struct pollfd){ .fd = d->dm.ipc_fd, .events = POLLIN };
                who[n++] = s * 3 + 2;
            }
        }
        if (poll(p, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            log_err("poll: %s", strerror(errno));
            return -1;
        }
        if (p[P_SIGNAL].revents) {
            struct signalfd_siginfo si;
            if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                log_info("signal %u: shutting down", si.ssi_signo);
                return 0;
            }
        }
        if (p[P_REAP].revents) {
            uint64_t x;
            if (read(hv.reap_fd, &x, sizeof(x)) < 0) { /* spurious */ }
            domain_reap(&hv);
        }
        if (p[P_AGENT_IPC].revents & POLLIN)
            attestd_ipc_readable();
        if (p[P_AGENT_PID].revents && p[P_AGENT_PID].fd == attestd_pid_fd())
            attestd_exited();
        for (int i = P_FIXED; i < first_con; i++) {
            struct ctl_client *c = &clients[who[i]];
            if (!p[i].revents)
                continue;
            if ((p[i].revents & POLLIN) && ctl_client_readable(&hv, c) == 0)
                continue;
            if (p[i].revents & POLLIN)
                ;
            else if (!(p[i].revents & (POLLHUP | POLLERR)))
                continue;
            close(c->fd);
            c->fd = -1;
        }
        for (int i = first_con; i < first_dm; i++) {
            struct domain *d;
            int s = who[i] / CON_MAX_CLIENTS, k = who[i] % CON_MAX_CLIENTS;
            if (!p[i].revents)
                continue;
            d = hv.doms[s];
            /* The domain may have been destroyed by a control request in this round. */
            if (d == NULL || d->con.clients[k] != p[i].fd)
                continue;
            if (console_client_readable(&d->con, k) > 0 && !dm_console_input(d))
                domain_raise_event(d, XENIA_PORT_CONSOLE);
        }
        for (int i = first_dm; i < n; i++) {
            struct domain *d = hv.doms[who[i] / 3];
            if (!p[i].revents || d == NULL)
                continue;
            if (who[i] % 3 == 0) {
                if (d->dm.running && d->dm.proc.pidfd == p[i].fd)
                    dm_exited(d);
            } else if (who[i] % 3 == 1) {
                if (d->dm.cons_fd == p[i].fd)
                    dm_console_readable(d);
            } else if (d->dm.ipc_fd == p[i].fd) {
                dm_ipc_readable(d);
            }
        }
        if (p[P_LISTEN].revents & POLLIN)
            accept_client(lfd);
    }
}

int main(int argc, char **argv)
{
    char path[512];
    sigset_t set;
    int lfd, sfd, level = LOG_INFO;

    if (parse_args(argc, argv, &level) < 0)
        return 2;
    for (int i = 0; i < MAX_CLIENTS; i++)
        clients[i].fd = -1;
    hv.next_domid = 1;
    snprintf(hv.build_id, sizeof(hv.build_id), "xenia %d.%d built " __DATE__,
             XENIA_VERSION_MAJOR, XENIA_VERSION_MINOR);

    if (mkdir(hv.run_dir, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "xenia-hv: cannot create run directory %s: %s\n", hv.run_dir, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof(path), "%s/console", hv.run_dir);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        fprintf(stderr, "xenia-hv: cannot create %s: %s\n", path, strerror(errno));
        return 1;
    }
    snprintf(path, sizeof(path), "%s/xenia-hv.log", hv.run_dir);
    if (log_open(path, level) < 0)
        fprintf(stderr, "xenia-hv: cannot open %s; logging to stderr only\n", path);

    signal(SIGPIPE, SIG_IGN);
    vcpu_signal_init();
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    hv.reap_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (sfd < 0 || hv.reap_fd < 0 || open_kvm() < 0 || start_measure() < 0 || start_xsm() < 0)
        return 1;
    /* Stub domains: load their binaries into sealed memfds, compile the filters. */
    {
        char err[512] = "";
        if (stubdom_set_path(STUBDOM_BUILDER, hv.builder_path) < 0 ||
            stubdom_init(bin_dir[0] ? bin_dir : ".", dm_path, err, sizeof(err)) < 0) {
            log_err("stub domains: %s", err[0] ? err : "bad --builder path");
            return 1;
        }
        if (stubdom_binary_fd(STUBDOM_BUILDER) < 0) {
            log_err("domain builder %s not found (use --builder PATH)", hv.builder_path);
            return 1;
        }
        /* Each stub domain binary, as loaded (the sealed memfd that runs): PCR 8. */
        for (int r = 0; r < STUBDOM_NROLES; r++) {
            uint8_t d[32];
            int fd = stubdom_binary_fd((enum stubdom_role)r);
            if (fd < 0)
                continue;
            if (measure_sha256_fd(fd, d) < 0 ||
                measure_event(XENIA_PCR_CODE, d, "xenia:stubdom %s",
                              stubdom_role_name((enum stubdom_role)r)) < 0) {
                log_err("cannot measure the %s stub domain", stubdom_role_name((enum stubdom_role)r));
                return 1;
            }
        }
        if (attestd_start(&hv, attest_listen, err, sizeof(err)) < 0) {
            log_err("%s", err);
            return 1;
        }
    }
    lfd = open_ctl_socket();
    if (lfd < 0)
        return 1;
    snprintf(path, sizeof(path), "%s/xenia-hv.pid", hv.run_dir);
    {
        FILE *f = fopen(path, "we");
        if (f) {
            fprintf(f, "%d\n", (int)getpid());
            fclose(f);
        }
    }
    log_info("xenia-hv %d.%d ready: %s/%s (builder %s)", XENIA_VERSION_MAJOR, XENIA_VERSION_MINOR,
             hv.run_dir, XENIA_CTL_SOCK, hv.builder_path);

    serve(lfd, sfd);

    for (int i = 0; i < HV_MAX_DOMAINS; i++)
        if (hv.doms[i])
            domain_destroy(&hv, hv.doms[i]);
    for (int i = 0; i < MAX_CLIENTS; i++)
        if (clients[i].fd >= 0)
            close(clients[i].fd);
    snprintf(path, sizeof(path), "%s/%s", hv.run_dir, XENIA_CTL_SOCK);
    unlink(path);
    snprintf(path, sizeof(path), "%s/xenia-hv.pid", hv.run_dir);
    unlink(path);
    close(lfd);
    close(sfd);
    close(hv.reap_fd);
    close(hv.kvm_fd);
    attestd_stop();
    measure_fini();
    xsm_fini();
    if (audit_file)
        fclose(audit_file);
    log_info("xenia-hv stopped");
    return 0;
}
