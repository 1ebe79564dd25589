/* SPDX-License-Identifier: MIT */
/*
 * Runs the domain builder stub domain (stubdoms/builder) for one build, confined
 * by stubdom_spawn (hv/stubdom.h: own uid, namespaces, empty root, seccomp
 * allowlist stubdoms/builder/seccomp.def), and validates its reply.
 * IPC: include/xenia/builder.h. The builder is treated as untrusted: a reply
 * that is short, malformed or points outside the domain's RAM fails the build;
 * a builder that hangs is killed after BUILD_TIMEOUT_MS.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xenia/builder.h>
#include <xenia/layout.h>

#include "domain.h"
#include "log.h"
#include "stubdom.h"

#define BUILD_TIMEOUT_MS 10000

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
    struct stubdom_spec spec;
    struct stubdom_proc proc = { .pid = -1, .pidfd = -1 };
    int sv[2] = { -1, -1 }, rc = 0;
    char name[32], serr[256], why[64] = "";
    struct pollfd p;
    ssize_t n;

    (void)hv;
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
    snprintf(name, sizeof(name), "builder-%u", d->domid);
    memset(&spec, 0, sizeof(spec));
    spec.role = STUBDOM_BUILDER;
    spec.name = name;
    spec.fds[XENIA_BUILDER_FD_RAM - 3] = d->ram_fd;
    spec.fds[XENIA_BUILDER_FD_IMAGE - 3] = d->image_fd;
    spec.fds[XENIA_BUILDER_FD_IPC - 3] = sv[1];
    spec.nfds = 3;
    spec.uid = stubdom_uid(STUBDOM_BUILDER, d->domid);
    spec.as_extra_bytes = d->ram_bytes;   /* it maps the whole RAM memfd */
    if (stubdom_spawn(&spec, &proc, serr, sizeof(serr)) < 0)
        FAIL(-XENIA_ENOMEM, "cannot start the domain builder: %s", serr);
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
    if (n == 0) {
        /* It closed the socket without replying: it has exited; say how. */
        stubdom_reap(&proc, why, sizeof(why));
        snprintf(err, errlen, "domain builder sent no reply (%s)", why);
        rc = -XENIA_EPROTO;
        goto reap;
    }
    if (n != (ssize_t)sizeof(*resp)) {
        snprintf(err, errlen, "domain builder reply is %zd bytes, expected %zu (did it crash?)",
                 n, sizeof(*resp));
        rc = -XENIA_EPROTO;
        goto reap;
    }
    rc = check_resp(d, resp, err, errlen);
reap:
    stubdom_kill(&proc);   /* it has replied or failed; it must not outlive the build */
out:
    if (sv[0] >= 0)
        close(sv[0]);
    if (sv[1] >= 0)
        close(sv[1]);
    return rc;
}
