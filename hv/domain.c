/* SPDX-License-Identifier: MIT */
/*
 * Domain lifecycle: create (memfds, KVM VM, memory slots, builder, vCPU),
 * pause/unpause, shutdown requests, reaping (on_poweroff/on_reboot/on_crash)
 * and destroy. Every resource acquired in domain_create is released by
 * instance_teardown / domain_free on every path.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xenia/builder.h>
#include <xenia/layout.h>
#include <xenia/io.h>
#include <xenia/start_info.h>

#include "domain.h"
#include "log.h"
#include "measure.h"

#define X86_CR0_PE 0x1ull
#define X86_CR0_MP 0x2ull
#define X86_CR0_ET 0x10ull
#define X86_CR0_NE 0x20ull
#define X86_CR0_WP 0x10000ull
#define X86_CR0_AM 0x40000ull
#define X86_CR0_PG 0x80000000ull
#define X86_CR4_PAE 0x20ull
#define X86_CR4_OSFXSR 0x200ull
#define X86_CR4_OSXMMEXCPT 0x400ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull
#define EFER_NXE 0x800ull
#define RFLAGS_IOPL3 0x3000ull
#define RFLAGS_RESERVED1 0x2ull

uint64_t hv_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct domain *domain_peer(struct hv *hv, uint32_t domid)
{
    if (domid == 0 || domid >= XENIA_DOMID_SELF)
        return NULL;
    return domain_find(hv, domid);
}

struct domain *domain_find(struct hv *hv, uint32_t domid)
{
    for (int i = 0; i < HV_MAX_DOMAINS; i++)
        if (hv->doms[i] && hv->doms[i]->domid == domid)
            return hv->doms[i];
    return NULL;
}

struct domain *domain_lookup(struct hv *hv, const char *name)
{
    for (int i = 0; i < HV_MAX_DOMAINS; i++)
        if (hv->doms[i] && strncmp(hv->doms[i]->name, name, XENIA_NAME_MAX) == 0)
            return hv->doms[i];
    return NULL;
}

static int new_memfd(const char *what, uint32_t domid, uint64_t bytes)
{
    char name[48];
    int fd;

    snprintf(name, sizeof(name), "xenia-d%u-%s", domid, what);
    fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    /* Seal the size: a stub domain holding the fd must never shrink it under hv (SIGBUS). */
    if (ftruncate(fd, (off_t)bytes) < 0 ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

/* pvclock scale so that ns = ((tsc_delta shifted by shift) * mul) >> 32
 * (same algorithm as Linux arch/x86/kvm/x86.c kvm_get_time_scale). */
static void time_scale(uint64_t tsc_khz, uint32_t *mul, int8_t *shift)
{
    uint64_t tps64 = tsc_khz * 1000ull, scaled64 = 1000000000ull;
    uint32_t tps32;
    int s = 0;

    while (tps64 > scaled64 * 2 || (tps64 & 0xffffffff00000000ull)) {
        tps64 >>= 1;
        s--;
    }
    tps32 = (uint32_t)tps64;
    while (tps32 <= scaled64 || (scaled64 & 0xffffffff00000000ull)) {
        if ((scaled64 & 0xffffffff00000000ull) || (tps32 & 0x80000000u))
            scaled64 >>= 1;
        else
            tps32 <<= 1;
        s++;
    }
    *mul = (uint32_t)((scaled64 << 32) / tps32);
    *shift = (int8_t)s;
}

static void shared_init(struct domain *d)
{
    struct xenia_shared_page *sp = d->shared;
    struct xenia_vcpu_time *t = &sp->time;
    struct { struct kvm_msrs h; struct kvm_msr_entry e; } msr;
    struct timespec wc;
    long khz;

    memset(sp, 0, sizeof(*sp));
    sp->magic = XENIA_SHARED_MAGIC;
    sp->version = XENIA_SHARED_VERSION;
    khz = ioctl(d->vcpu.fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0)
        khz = 1000000;
    d->vcpu.tsc_khz = (uint64_t)khz;
    memset(&msr, 0, sizeof(msr));
    msr.h.nmsrs = 1;
    msr.e.index = 0x10;  /* IA32_TIME_STAMP_COUNTER */
    if (ioctl(d->vcpu.fd, KVM_GET_MSRS, &msr) != 1)
        msr.e.data = 0;
    d->t0_ns = hv_now_ns();
    clock_gettime(CLOCK_REALTIME, &wc);
    t->version = 2;
    t->tsc_timestamp = msr.e.data;
    t->system_time_ns = 0;
    time_scale((uint64_t)khz, &t->tsc_to_system_mul, &t->tsc_shift);
    t->wc_sec = (uint64_t)wc.tv_sec;
    t->wc_nsec = (uint32_t)wc.tv_nsec;
}

static void memory_map_init(struct domain *d, const struct xenia_build_resp *r)
{
    struct xenia_mem_region *m = d->hc.map;
    uint32_t n = 0;

    m[n++] = (struct xenia_mem_region){ XENIA_START_INFO_GPA, XENIA_PAGE_SIZE, XENIA_MEMTYPE_START_INFO, 0 };
    m[n++] = (struct xenia_mem_region){ XENIA_SHARED_PAGE_GPA, XENIA_PAGE_SIZE, XENIA_MEMTYPE_SHARED, 0 };
    m[n++] = (struct xenia_mem_region){ XENIA_BUILDER_AREA_GPA, r->reserved_end - XENIA_BUILDER_AREA_GPA,
                                        XENIA_MEMTYPE_RESERVED, 0 };
    m[n++] = (struct xenia_mem_region){ XENIA_IMAGE_BASE_MIN, d->ram_bytes - XENIA_IMAGE_BASE_MIN,
                                        XENIA_MEMTYPE_RAM, 0 };
    if (d->iowin_bytes)
        m[n++] = (struct xenia_mem_region){ XENIA_IOWIN_GPA, d->iowin_bytes, XENIA_MEMTYPE_IOWIN, 0 };
    m[n++] = (struct xenia_mem_region){ XENIA_GNTMAP_GPA, (uint64_t)XENIA_GNTMAP_PAGES * XENIA_PAGE_SIZE,
                                        XENIA_MEMTYPE_GNTMAP, 0 };
    d->hc.nr_map = n;
}

static int setup_vcpu_regs(struct domain *d, const struct xenia_build_resp *r)
{
    struct kvm_sregs s;
    struct kvm_regs g;
    struct kvm_segment code = { .base = 0, .limit = 0xffffffff, .selector = XENIA_SEL_USER_CS,
                                .type = 11, .present = 1, .dpl = 3, .db = 0, .s = 1, .l = 1, .g = 1 };
    struct kvm_segment data = { .base = 0, .limit = 0xffffffff, .selector = XENIA_SEL_USER_DS,
                                .type = 3, .present = 1, .dpl = 3, .db = 1, .s = 1, .l = 0, .g = 1 };
    struct kvm_segment tr = { .base = r->tss_base, .limit = r->tss_limit, .selector = XENIA_SEL_TSS,
                              .type = 11, .present = 1, .dpl = 0, .s = 0 };

    if (ioctl(d->vcpu.fd, KVM_GET_SREGS, &s) < 0)
        return -errno;
    s.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
    s.cr4 = X86_CR4_PAE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
    s.cr3 = r->cr3;
    s.efer = EFER_LME | EFER_LMA | EFER_NXE;
    s.gdt.base = r->gdt_base;
    s.gdt.limit = r->gdt_limit;
    s.idt.base = r->idt_base;
    s.idt.limit = r->idt_limit;
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.tr = tr;
    if (ioctl(d->vcpu.fd, KVM_SET_SREGS, &s) < 0)
        return -errno;
    memset(&g, 0, sizeof(g));
    g.rip = r->rip;
    g.rsp = r->rsp;
    g.rdi = r->rdi;
    g.rflags = RFLAGS_IOPL3 | RFLAGS_RESERVED1;
    if (ioctl(d->vcpu.fd, KVM_SET_REGS, &g) < 0)
        return -errno;
    return 0;
}

/* Release what instance_build acquired (VM, vCPU, memory). vCPU thread must be gone. */
static void instance_teardown(struct domain *d)
{
    /* Event channels and grants first: peers must stop using this instance. */
    pthread_mutex_lock(&d->hv->table_lock);
    evtchn_domain_close(d->hv, d);
    gnttab_domain_release(d->hv, d);
    pthread_mutex_unlock(&d->hv->table_lock);
    dm_stop(d);
    if (d->vcpu.run)
        munmap(d->vcpu.run, d->vcpu.run_size);
    d->vcpu.run = NULL;
    if (d->vcpu.fd >= 0)
        close(d->vcpu.fd);
    d->vcpu.fd = -1;
    if (d->vm_fd >= 0)
        close(d->vm_fd);
    d->vm_fd = -1;
    if (d->ram)
        munmap(d->ram, d->ram_bytes);
    d->ram = NULL;
    d->shared = NULL;
    if (d->iowin)
        munmap(d->iowin, d->iowin_bytes);
    d->iowin = NULL;
    if (d->ram_fd >= 0)
        close(d->ram_fd);
    d->ram_fd = -1;
    if (d->iowin_fd >= 0)
        close(d->iowin_fd);
    d->iowin_fd = -1;
    memset(&d->hc, 0, sizeof(d->hc));
}

#define FAIL(code, ...) do { snprintf(err, errlen, __VA_ARGS__); rc = (code); goto fail; } while (0)

/* Memory, VM, build, vCPU registers: everything but the vCPU thread. */
/*
 * Measure a launch into PCR 10 (include/xenia/attest.h): the image, the command
 * line and the configuration, each as SHA-256 of its bytes, the event data naming
 * the domain ("xenia:domain image domid=3 name=web label=..."). The config is
 * measured in a canonical text form (docs/attestation.md). A failed measurement
 * fails the launch: nothing runs unmeasured.
 */
static int measure_launch(struct domain *d, char *err, size_t errlen)
{
    char ctx[256] = "", conf[512];
    uint8_t dg[32];
    int n, rc;

    if (xsm_label_string(&d->label, ctx, sizeof(ctx)) < 0)
        snprintf(ctx, sizeof(ctx), "?");
    n = snprintf(conf, sizeof(conf),
                 "name=%s memory_mib=%u vcpus=%u cap=%u on_poweroff=%u on_reboot=%u "
                 "on_crash=%u flags=0x%x disk_bytes=%llu seclabel=%s",
                 d->name, d->cfg.memory_mib, d->cfg.vcpus, d->cfg.cap, d->cfg.on_poweroff,
                 d->cfg.on_reboot, d->cfg.on_crash, d->cfg.flags,
                 (unsigned long long)(d->dm.disk_fd >= 0 ? d->dm.disk_bytes : 0), ctx);
    if (n < 0 || (size_t)n >= sizeof(conf))
        n = (int)strnlen(conf, sizeof(conf));
    if ((rc = measure_sha256_fd(d->image_fd, dg)) < 0 ||
        (rc = measure_event(XENIA_PCR_DOMAINS, dg, "xenia:domain image domid=%u name=%s label=%s",
                            d->domid, d->name, ctx)) < 0)
        goto fail;
    measure_sha256(d->cfg.cmdline, strnlen(d->cfg.cmdline, sizeof(d->cfg.cmdline)), dg);
    if ((rc = measure_event(XENIA_PCR_DOMAINS, dg, "xenia:domain cmdline domid=%u name=%s label=%s",
                            d->domid, d->name, ctx)) < 0)
        goto fail;
    measure_sha256(conf, (size_t)n, dg);
    if ((rc = measure_event(XENIA_PCR_DOMAINS, dg, "xenia:domain config domid=%u name=%s label=%s",
                            d->domid, d->name, ctx)) < 0)
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "cannot measure the launch (%d): %s", rc,
             rc == -XENIA_ENOSPC ? "the event log is full" : "TPM or image read failure");
    return rc;
}

static int instance_build(struct domain *d, char *err, size_t errlen)
{
    struct hv *hv = d->hv;
    struct xenia_build_resp resp;
    struct kvm_userspace_memory_region slot;
    long run_size;
    int rc;

    d->ram_bytes = (uint64_t)d->cfg.memory_mib << 20;
    d->iowin_bytes = XENIA_IOWIN_DEFAULT_BYTES;

    d->ram_fd = new_memfd("ram", d->domid, d->ram_bytes);
    if (d->ram_fd < 0)
        FAIL(-XENIA_ENOMEM, "cannot allocate %u MiB of guest RAM: %s", d->cfg.memory_mib,
             strerror(-d->ram_fd));
    d->iowin_fd = new_memfd("iowin", d->domid, d->iowin_bytes);
    if (d->iowin_fd < 0)
        FAIL(-XENIA_ENOMEM, "cannot allocate the I/O window: %s", strerror(-d->iowin_fd));
    d->ram = mmap(NULL, d->ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, d->ram_fd, 0);
    if (d->ram == MAP_FAILED) {
        d->ram = NULL;
        FAIL(-XENIA_ENOMEM, "cannot map guest RAM: %s", strerror(errno));
    }
    d->iowin = mmap(NULL, d->iowin_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, d->iowin_fd, 0);
    if (d->iowin == MAP_FAILED) {
        d->iowin = NULL;
        FAIL(-XENIA_ENOMEM, "cannot map the I/O window: %s", strerror(errno));
    }

    d->vm_fd = ioctl(hv->kvm_fd, KVM_CREATE_VM, 0);
    if (d->vm_fd < 0)
        FAIL(-XENIA_ENOMEM, "KVM_CREATE_VM: %s", strerror(errno));
    fcntl(d->vm_fd, F_SETFD, FD_CLOEXEC);
    slot = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = 0,
        .memory_size = d->ram_bytes, .userspace_addr = (uint64_t)(uintptr_t)d->ram };
    if (ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        FAIL(-XENIA_ENOMEM, "cannot add the RAM memory slot: %s", strerror(errno));
    slot = (struct kvm_userspace_memory_region){ .slot = 1, .guest_phys_addr = XENIA_IOWIN_GPA,
        .memory_size = d->iowin_bytes, .userspace_addr = (uint64_t)(uintptr_t)d->iowin };
    if (ioctl(d->vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        FAIL(-XENIA_ENOMEM, "cannot add the I/O window memory slot: %s", strerror(errno));

    {
        /* The builder is a stub domain acting on this domain's memory (mmu: build). */
        struct xsm_label bl;
        if (xsm_label_stubdom("builder", &d->label, 0, &bl) < 0 ||
            xsm_domain_build(XSM_DM_PRIV, &bl, &d->label) < 0)
            FAIL(-XENIA_EACCES, "permission denied: the domain builder may not build this domain");
    }
    rc = measure_launch(d, err, errlen);
    if (rc < 0)
        goto fail;
    rc = builder_run(hv, d, &resp, err, errlen);
    if (rc < 0)
        goto fail;

    d->vcpu.fd = ioctl(d->vm_fd, KVM_CREATE_VCPU, 0);
    if (d->vcpu.fd < 0)
        FAIL(-XENIA_ENOMEM, "KVM_CREATE_VCPU: %s", strerror(errno));
    fcntl(d->vcpu.fd, F_SETFD, FD_CLOEXEC);
    run_size = ioctl(hv->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_size <= 0)
        FAIL(-XENIA_EIO, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
    d->vcpu.run_size = (size_t)run_size;
    d->vcpu.run = mmap(NULL, d->vcpu.run_size, PROT_READ | PROT_WRITE, MAP_SHARED, d->vcpu.fd, 0);
    if (d->vcpu.run == MAP_FAILED) {
        d->vcpu.run = NULL;
        FAIL(-XENIA_ENOMEM, "cannot map kvm_run: %s", strerror(errno));
    }
    rc = setup_vcpu_regs(d, &resp);
    if (rc < 0)
        FAIL(-XENIA_EIO, "cannot set the initial vCPU state: %s", strerror(-rc));
    d->vcpu.run->kvm_valid_regs = KVM_SYNC_X86_REGS;

    d->shared = (struct xenia_shared_page *)(d->ram + XENIA_SHARED_PAGE_GPA);
    shared_init(d);
    pthread_mutex_lock(&hv->table_lock);
    evtchn_table_init(&d->evt);
    memset(&d->gnt, 0, sizeof(d->gnt));
    pthread_mutex_unlock(&hv->table_lock);
    d->dm.failed = 0;
    d->dm.burst = 0;
    rc = dm_start(d, err, errlen);
    if (rc < 0)
        goto fail;
    d->hc.domid = d->domid;
    d->hc.mem = (struct gmem){ .ram = d->ram, .ram_bytes = d->ram_bytes, .iowin = d->iowin,
                               .iowin_gpa = XENIA_IOWIN_GPA, .iowin_bytes = d->iowin_bytes,
                               .cr3 = resp.cr3 };
    d->hc.build_id = hv->build_id;
    memory_map_init(d, &resp);
    d->vcpu.req = (d->cfg.flags & XENIA_CREATE_F_PAUSED) ? VREQ_PAUSE : 0;
    d->vcpu.nr_exits = d->vcpu.nr_hypercalls = d->vcpu.nr_throttled = 0;
    d->state = (d->cfg.flags & XENIA_CREATE_F_PAUSED) ? XENIA_DOMSTATE_PAUSED : XENIA_DOMSTATE_RUNNING;
    d->shutdown_reason = 0;
    d->crash_info[0] = 0;
    d->needs_reap = 0;
    return 0;
fail:
    instance_teardown(d);
    return rc;
}

static void domain_free(struct domain *d)
{
    instance_teardown(d);
    dm_fini(d);
    console_fini(&d->con);
    if (d->image_fd >= 0)
        close(d->image_fd);
    if (d->vcpu.wake_fd >= 0)
        close(d->vcpu.wake_fd);
    pthread_cond_destroy(&d->vcpu.cond);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

/* Label of a new domain and the XSM checks on its creator; nothing allocated. */
static int create_label(struct hv *hv, const struct xenia_ctl_create *req,
                        const struct xsm_label *creator, uint32_t domid, struct xsm_label *label,
                        char *err, size_t errlen)
{
    char why[160] = "", ctx[XENIA_SECLABEL_MAX];
    bool explicit_label;
    int rc;

    (void)hv;
    rc = xsm_label_domain(creator, req->seclabel, domid, label, &explicit_label, why, sizeof(why));
    if (rc < 0) {
        snprintf(err, errlen, "seclabel '%s': %s", req->seclabel[0] ? req->seclabel : "(default)",
                 why[0] ? why : "not a valid context under the loaded policy");
        return -XENIA_EINVAL;
    }
    if (xsm_label_string(label, ctx, sizeof(ctx)) < 0)
        snprintf(ctx, sizeof(ctx), "?");
    if (xsm_domain_create(XSM_HOOK, creator, label) < 0 ||
        (explicit_label && xsm_domain_setlabel(XSM_PRIV, creator, label) < 0)) {
        snprintf(err, errlen, "permission denied: you may not create a domain labelled %s", ctx);
        return -XENIA_EACCES;
    }
    return 0;
}

/*
 * The disk: a regular file the client opened with its own rights (hv never
 * reopens it: a root reopen would bypass the client's permissions). Its size
 * must be a whole number of sectors; a writable disk needs a writable fd.
 */
static int check_disk(int fd, int readonly, uint64_t *bytes, char *err, size_t errlen)
{
    struct stat st;
    int fl = fcntl(fd, F_GETFL);

    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "the disk must be a regular file (an image)");
        return -XENIA_EINVAL;
    }
    if (st.st_size <= 0 || st.st_size % XENIA_BLK_SECTOR) {
        snprintf(err, errlen, "the disk image is %lld bytes: it must be a non-zero multiple of %u",
                 (long long)st.st_size, XENIA_BLK_SECTOR);
        return -XENIA_EINVAL;
    }
    if (fl < 0 || (!readonly && (fl & O_ACCMODE) != O_RDWR)) {
        snprintf(err, errlen, "the disk was opened read-only: mark it ',ro' or make it writable");
        return -XENIA_EBADF;
    }
    *bytes = (uint64_t)st.st_size;
    return 0;
}

int domain_create(struct hv *hv, const struct xenia_ctl_create *req, int image_fd, int disk_fd,
                  const struct xsm_label *creator, uint32_t *domid, char *err, size_t errlen)
{
    struct domain *d = NULL;
    struct xsm_label label;
    char path[64], logdir[300];
    int slot = -1, rc, ro_fd;
    uint32_t owner_uid = creator->uid;
    uint64_t disk_bytes = 0;

    if (disk_fd >= 0) {
        rc = check_disk(disk_fd, (req->flags & XENIA_CREATE_F_DISK_RO) != 0, &disk_bytes, err,
                        errlen);
        if (rc < 0) {
            close(disk_fd);
            close(image_fd);
            return rc;
        }
    }

    if (domain_lookup(hv, req->name)) {
        close(image_fd);
        if (disk_fd >= 0)
            close(disk_fd);
        snprintf(err, errlen, "a domain named '%s' already exists (destroy it or pick another name)",
                 req->name);
        return -XENIA_EEXIST;
    }
    for (int i = 0; i < HV_MAX_DOMAINS; i++)
        if (hv->doms[i] == NULL) { slot = i; break; }
    if (slot < 0) {
        close(image_fd);
        if (disk_fd >= 0)
            close(disk_fd);
        snprintf(err, errlen, "the domain table is full (%d domains)", HV_MAX_DOMAINS);
        return -XENIA_ENOSPC;
    }
    rc = create_label(hv, req, creator, hv->next_domid, &label, err, errlen);
    if (rc < 0) {
        close(image_fd);
        if (disk_fd >= 0)
            close(disk_fd);
        return rc;
    }
    /* Reopen read-only: the builder must not be able to write the client's file. */
    snprintf(path, sizeof(path), "/proc/self/fd/%d", image_fd);
    ro_fd = open(path, O_RDONLY | O_CLOEXEC);
    close(image_fd);
    if (ro_fd < 0) {
        snprintf(err, errlen, "cannot reopen the image read-only: %s", strerror(errno));
        if (disk_fd >= 0)
            close(disk_fd);
        return -XENIA_EBADF;
    }

    d = calloc(1, sizeof(*d));
    if (d == NULL) {
        close(ro_fd);
        if (disk_fd >= 0)
            close(disk_fd);
        snprintf(err, errlen, "out of memory");
        return -XENIA_ENOMEM;
    }
    d->hv = hv;
    d->domid = hv->next_domid++;
    if (hv->next_domid >= 0x7ff0)   /* Xen's DOMID_FIRST_RESERVED */
        hv->next_domid = 1;
    while (domain_find(hv, hv->next_domid))
        hv->next_domid++;
    memcpy(d->name, req->name, sizeof(d->name));
    d->owner_uid = owner_uid;
    d->label = label;
    d->label.domid = d->domid;
    d->cfg = *req;
    d->image_fd = ro_fd;
    d->ram_fd = d->iowin_fd = d->vm_fd = d->vcpu.fd = -1;
    dm_init_fds(&d->dm, disk_fd, disk_bytes, (req->flags & XENIA_CREATE_F_DISK_RO) != 0);
    d->created_ns = hv_now_ns();
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->vcpu.cond, NULL);
    d->vcpu.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    d->state = XENIA_DOMSTATE_BUILDING;
    snprintf(logdir, sizeof(logdir), "%s/console", hv->run_dir);
    rc = console_init(&d->con, logdir, d->name);
    if (d->vcpu.wake_fd < 0 || rc < 0) {
        snprintf(err, errlen, "cannot open the console log in %s: %s", logdir, strerror(-rc));
        if (d->vcpu.wake_fd >= 0)
            close(d->vcpu.wake_fd);
        close(ro_fd);
        dm_fini(d);
        pthread_cond_destroy(&d->vcpu.cond);
        pthread_mutex_destroy(&d->lock);
        free(d);
        return -XENIA_EIO;
    }
    rc = instance_build(d, err, errlen);
    if (rc < 0)
        goto fail;
    rc = vcpu_start(d);
    if (rc < 0) {
        snprintf(err, errlen, "cannot start the vCPU thread: %s", strerror(-rc));
        rc = -XENIA_ENOMEM;
        goto fail;
    }
    pthread_mutex_lock(&hv->table_lock);
    hv->doms[slot] = d;
    pthread_mutex_unlock(&hv->table_lock);
    *domid = d->domid;
    console_note(&d->con, "domain %u '%s' created: %u MiB, image entry ok", d->domid, d->name,
                 d->cfg.memory_mib);
    log_info("domain %u (%s) created by uid %u: %u MiB", d->domid, d->name, owner_uid,
             d->cfg.memory_mib);
    return 0;
fail:
    console_note(&d->con, "domain '%s' not created: %s", d->name, err);
    log_warn("create '%s' failed: %s", d->name, err);
    domain_free(d);
    return rc;
}

/* Stop the vCPU thread (if any) and wait for it. */
static void vcpu_stop(struct domain *d)
{
    if (!d->vcpu.thread_started)
        return;
    __atomic_fetch_or(&d->vcpu.req, VREQ_KILL, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&d->lock);
    pthread_cond_broadcast(&d->vcpu.cond);
    pthread_mutex_unlock(&d->lock);
    vcpu_kick(d);
    pthread_join(d->vcpu.thread, NULL);
    d->vcpu.thread_started = 0;
}

void domain_destroy(struct hv *hv, struct domain *d)
{
    int running;

    vcpu_stop(d);
    running = d->state != XENIA_DOMSTATE_SHUTDOWN && d->state != XENIA_DOMSTATE_CRASHED;
    log_info("domain %u (%s) destroyed%s", d->domid, d->name, running ? " while running" : "");
    console_note(&d->con, "domain %u destroyed", d->domid);
    pthread_mutex_lock(&hv->table_lock);
    for (int i = 0; i < HV_MAX_DOMAINS; i++)
        if (hv->doms[i] == d)
            hv->doms[i] = NULL;
    pthread_mutex_unlock(&hv->table_lock);
    domain_free(d);
}

int domain_pause(struct domain *d)
{
    struct timespec ts;
    int rc = 0;

    pthread_mutex_lock(&d->lock);
    if (d->state == XENIA_DOMSTATE_SHUTDOWN || d->state == XENIA_DOMSTATE_CRASHED) {
        rc = -XENIA_ESHUTDOWN;
        goto out;
    }
    if (__atomic_load_n(&d->vcpu.req, __ATOMIC_SEQ_CST) & VREQ_PAUSE) {
        rc = -XENIA_EBUSY;
        goto out;
    }
    __atomic_fetch_or(&d->vcpu.req, VREQ_PAUSE, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&d->lock);
    vcpu_kick(d);
    /* Like Xen's domain_pause: return once the vCPU is parked (bounded wait). */
    pthread_mutex_lock(&d->lock);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 2;
    while (!d->vcpu.paused_ack && d->state != XENIA_DOMSTATE_SHUTDOWN &&
           d->state != XENIA_DOMSTATE_CRASHED)
        if (pthread_cond_timedwait(&d->vcpu.cond, &d->lock, &ts) != 0)
            break;
out:
    pthread_mutex_unlock(&d->lock);
    return rc;
}

int domain_unpause(struct domain *d)
{
    int rc = 0;

    pthread_mutex_lock(&d->lock);
    if (d->state == XENIA_DOMSTATE_SHUTDOWN || d->state == XENIA_DOMSTATE_CRASHED)
        rc = -XENIA_ESHUTDOWN;
    else if (!(__atomic_load_n(&d->vcpu.req, __ATOMIC_SEQ_CST) & VREQ_PAUSE))
        rc = -XENIA_EBUSY;
    else {
        __atomic_fetch_and(&d->vcpu.req, ~VREQ_PAUSE, __ATOMIC_SEQ_CST);
        pthread_cond_broadcast(&d->vcpu.cond);
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}

int domain_request_shutdown(struct domain *d, uint32_t reason)
{
    pthread_mutex_lock(&d->lock);
    if (d->state == XENIA_DOMSTATE_SHUTDOWN || d->state == XENIA_DOMSTATE_CRASHED ||
        d->shared == NULL) {
        pthread_mutex_unlock(&d->lock);
        return -XENIA_ESHUTDOWN;
    }
    __atomic_store_n(&d->shared->shutdown_request, reason + 1, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&d->lock);
    console_note(&d->con, "shutdown (%s) requested by the toolstack",
                 reason == XENIA_SHUTDOWN_reboot ? "reboot" : "poweroff");
    domain_raise_event(d, XENIA_PORT_CONTROL);
    return 0;
}

void domain_info(struct domain *d, struct xenia_dominfo *o)
{
    struct timespec ts;
    clockid_t cid;

    memset(o, 0, sizeof(*o));
    pthread_mutex_lock(&d->lock);
    o->domid = d->domid;
    o->state = d->state;
    o->shutdown_reason = d->shutdown_reason;
    o->vcpus = d->cfg.vcpus;
    o->memory_mib = d->cfg.memory_mib;
    o->nr_hypercalls = d->vcpu.nr_hypercalls;
    o->nr_exits = d->vcpu.nr_exits;
    o->nr_throttled = d->vcpu.nr_throttled;
    o->uptime_ns = (d->stopped_ns ? d->stopped_ns : hv_now_ns()) - d->created_ns;
    o->cap = d->cfg.cap;
    o->owner_uid = d->owner_uid;
    o->restarts = d->restarts;
    memcpy(o->name, d->name, sizeof(o->name));
    memcpy(o->crash_info, d->crash_info, sizeof(o->crash_info));
    if (xsm_label_string(&d->label, o->seclabel, sizeof(o->seclabel)) < 0)
        snprintf(o->seclabel, sizeof(o->seclabel), "?");
    o->launch_ns = d->first_hcall_ns ? d->first_hcall_ns - d->created_ns : 0;
    o->cpu_time_ns = d->cpu_done_ns;
    if (d->vcpu.thread_started && !d->vcpu.cpu_final &&
        pthread_getcpuclockid(d->vcpu.thread, &cid) == 0 && clock_gettime(cid, &ts) == 0)
        o->cpu_time_ns += (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    pthread_mutex_unlock(&d->lock);
}

uint32_t domain_stubdoms(struct domain *d, struct xenia_stubdom_info *out, uint64_t *disk_bytes)
{
    struct xenia_stubdom_info *s = &out[0];

    memset(out, 0, sizeof(*out) * XENIA_STUBDOM_MAX);
    *disk_bytes = d->dm.disk_fd >= 0 ? d->dm.disk_bytes : 0;
    s->role = XENIA_STUBDOM_DM;
    s->pid = d->dm.running ? (int32_t)d->dm.proc.pid : 0;
    s->uid = (uint32_t)stubdom_uid(STUBDOM_DM, d->domid);
    s->restarts = d->dm.restarts;
    s->confined = d->dm.running ? d->dm.proc.confined : 0;
    s->generation = d->dm.generation;
    if (xsm_label_string(&d->dm.label, s->seclabel, sizeof(s->seclabel)) < 0)
        snprintf(s->seclabel, sizeof(s->seclabel), "?");
    snprintf(s->last_exit, sizeof(s->last_exit), "%s", d->dm.failed ? "given up" : d->dm.last_exit);
    return 1;
}

/* Main thread: domains whose vCPU thread ended by itself. */
void domain_reap(struct hv *hv)
{
    for (int i = 0; i < HV_MAX_DOMAINS; i++) {
        struct domain *d = hv->doms[i];
        uint8_t action;
        char err[XENIA_ERRMSG_MAX];

        if (d == NULL || !d->needs_reap)
            continue;
        pthread_join(d->vcpu.thread, NULL);
        d->vcpu.thread_started = 0;
        d->needs_reap = 0;
        if (d->shutdown_reason == XENIA_SHUTDOWN_poweroff)
            action = d->cfg.on_poweroff;
        else if (d->shutdown_reason == XENIA_SHUTDOWN_reboot)
            action = d->cfg.on_reboot;
        else
            action = d->cfg.on_crash;

        if (action == XENIA_ACTION_DESTROY) {
            domain_destroy(hv, d);
            continue;
        }
        instance_teardown(d);
        if (action == XENIA_ACTION_RESTART) {
            d->restarts++;
            d->cfg.flags &= (uint8_t)~XENIA_CREATE_F_PAUSED;
            console_note(&d->con, "restarting domain %u (restart %u)", d->domid, d->restarts);
            d->created_ns = hv_now_ns();
            d->first_hcall_ns = 0;
            if (instance_build(d, err, sizeof(err)) == 0 && vcpu_start(d) == 0) {
                d->stopped_ns = 0;
                continue;
            }
            console_note(&d->con, "restart failed: %s", err);
            log_warn("domain %u: restart failed: %s", d->domid, err);
            d->state = XENIA_DOMSTATE_CRASHED;
        }
        /* preserve: keep the record and the log, release the VM; close consoles (EOF). */
        console_detach_all(&d->con);
    }
}
