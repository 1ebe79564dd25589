/* SPDX-License-Identifier: MIT */
/*
 * Runs the domain builder stub domain (stubdoms/builder) for one build and
 * validates its reply. IPC: include/xenia/builder.h. The builder is treated as
 * untrusted: a reply that is short, malformed or points outside the domain's
 * RAM fails the build; a builder that hangs is killed after BUILD_TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenia/builder.h>
#include <xenia/layout.h>

#include "domain.h"
#include "log.h"

#define BUILD_TIMEOUT_MS 10000

/* Child side: put fds in place and exec. Only async-signal-safe calls. */
static void child_exec(const char *path, int ram_fd, int image_fd, int ipc_fd)
{
    sigset_t none;
    char *const argv[] = { (char *)"xenia-builder", NULL };
    char *const envp[] = { NULL };
    int hi_ram, hi_img, hi_ipc;

    /* Move the three fds above 5 first so the dup2s below cannot clobber each other. */
    hi_ram = fcntl(ram_fd, F_DUPFD, 10);
    hi_img = fcntl(image_fd, F_DUPFD, 10);
    hi_ipc = fcntl(ipc_fd, F_DUPFD, 10);
    if (hi_ram < 0 || hi_img < 0 || hi_ipc < 0 ||
        dup2(hi_ram, XENIA_BUILDER_FD_RAM) < 0 || dup2(hi_img, XENIA_BUILDER_FD_IMAGE) < 0 ||
        dup2(hi_ipc, XENIA_BUILDER_FD_IPC) < 0)
        _exit(127);
    close_range(XENIA_BUILDER_FD_IPC + 1, ~0u, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execve(path, argv, envp);
    _exit(127);
}

#define FAIL(code, ...) do { snprintf(err, errlen, __VA_ARGS__); rc = (code); goto out; } while (0)

static int in_area(uint64_t base, uint64_t len, uint64_t lo, uint64_t hi)
{
    return base >= lo && base <= hi && len <= hi - base;
}

/* Check the builder's reply against what this domain can hold. */
static int check_resp(struct domain *d, const struct xenia_build_resp *r, char *err, size_t errlen)
{
    int rc = 0;
    uint64_t ram = d->ram_bytes;

    if (r->magic != XENIA_BUILD_MAGIC || r->version != XENIA_BUILD_VERSION)
        FAIL(-XENIA_EPROTO, "domain builder replied with a bad magic or version");
    if (memchr(r->errmsg, 0, sizeof(r->errmsg)) == NULL)
        FAIL(-XENIA_EPROTO, "domain builder reply: unterminated message");
    if (r->status < 0) {
        snprintf(err, errlen, "%s", r->errmsg[0] ? r->errmsg : "image rejected by the builder");
        rc = r->status < -4095 ? -XENIA_ENOEXEC : r->status;
        goto out;
    }
    if (r->status != 0 || r->pad0 || r->pad1 || r->pad2 || r->pad3[0] || r->pad3[1] ||
        r->pad3[2] || r->pad3[3])
        FAIL(-XENIA_EPROTO, "domain builder reply: non-zero status or padding");
    if (r->rip < XENIA_IMAGE_BASE_MIN || r->rip >= ram)
        FAIL(-XENIA_EPROTO, "domain builder reply: entry %#llx outside RAM",
             (unsigned long long)r->rip);
    if (r->rsp <= XENIA_IMAGE_BASE_MIN || r->rsp > ram)
        FAIL(-XENIA_EPROTO, "domain builder reply: stack %#llx outside RAM",
             (unsigned long long)r->rsp);
    if (r->rdi != XENIA_START_INFO_GPA)
        FAIL(-XENIA_EPROTO, "domain builder reply: start-info not at %#llx",
             (unsigned long long)XENIA_START_INFO_GPA);
    if (r->reserved_end < XENIA_BUILDER_AREA_GPA || r->reserved_end > XENIA_IMAGE_BASE_MIN ||
        (r->reserved_end & (XENIA_PAGE_SIZE - 1)))
        FAIL(-XENIA_EPROTO, "domain builder reply: bad builder area end");
    if ((r->cr3 & (XENIA_PAGE_SIZE - 1)) ||
        !in_area(r->cr3, XENIA_PAGE_SIZE, XENIA_BUILDER_AREA_GPA, r->reserved_end) ||
        r->gdt_limit != XENIA_GDT_ENTRIES * 8 - 1 ||
        !in_area(r->gdt_base, (uint64_t)r->gdt_limit + 1, XENIA_BUILDER_AREA_GPA, r->reserved_end) ||
        r->idt_limit != XENIA_EXC_VECTORS * 16 - 1 ||
        !in_area(r->idt_base, (uint64_t)r->idt_limit + 1, XENIA_BUILDER_AREA_GPA, r->reserved_end) ||
        r->tss_limit != XENIA_TSS_LIMIT ||
        !in_area(r->tss_base, (uint64_t)r->tss_limit + 1, XENIA_BUILDER_AREA_GPA, r->reserved_end))
        FAIL(-XENIA_EPROTO, "domain builder reply: page tables, GDT, IDT or TSS outside the builder area");
    if (r->image_start < XENIA_IMAGE_BASE_MIN || r->image_end < r->image_start || r->image_end > ram)
        FAIL(-XENIA_EPROTO, "domain builder reply: image range outside RAM");
out:
    return rc;
}

int builder_run(struct hv *hv, struct domain *d, struct xenia_build_resp *resp,
                char *err, size_t errlen)
{
    struct xenia_build_req req;
    int sv[2] = { -1, -1 }, rc = 0, status;
    pid_t pid;
    struct pollfd p;
    ssize_t n;

    memset(&req, 0, sizeof(req));
    req.magic = XENIA_BUILD_MAGIC;
    req.version = XENIA_BUILD_VERSION;
    req.domid = d->domid;
    req.vcpus = d->cfg.vcpus;
    req.ram_bytes = d->ram_bytes;
    req.iowin_gpa = XENIA_IOWIN_GPA;
    req.iowin_bytes = d->iowin_bytes;
    req.console_port = XENIA_PORT_CONSOLE;
    req.control_port = XENIA_PORT_CONTROL;
    memcpy(req.cmdline, d->cfg.cmdline, sizeof(req.cmdline));

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        FAIL(-XENIA_ENOMEM, "socketpair: %s", strerror(errno));
    pid = fork();
    if (pid < 0)
        FAIL(-XENIA_ENOMEM, "cannot start the domain builder: %s", strerror(errno));
    if (pid == 0)
        child_exec(hv->builder_path, d->ram_fd, d->image_fd, sv[1]);
    close(sv[1]);
    sv[1] = -1;

    if (send(sv[0], &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req)) {
        snprintf(err, errlen, "domain builder did not take the request: %s", strerror(errno));
        rc = -XENIA_EIO;
        goto reap;
    }
    p.fd = sv[0];
    p.events = POLLIN;
    if (poll(&p, 1, BUILD_TIMEOUT_MS) <= 0) {
        snprintf(err, errlen, "domain builder did not answer within %d ms", BUILD_TIMEOUT_MS);
        rc = -XENIA_ETIMEDOUT;
        goto reap;
    }
    memset(resp, 0, sizeof(*resp));
    n = recv(sv[0], resp, sizeof(*resp), MSG_TRUNC);
    if (n != (ssize_t)sizeof(*resp)) {
        snprintf(err, errlen, "domain builder reply is %zd bytes, expected %zu (did it crash?)",
                 n, sizeof(*resp));
        rc = -XENIA_EPROTO;
        goto reap;
    }
    rc = check_resp(d, resp, err, errlen);
reap:
    kill(pid, SIGKILL);   /* it has replied or failed; it must not outlive the build */
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
out:
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    return rc;
}
