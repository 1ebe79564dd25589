/* SPDX-License-Identifier: MIT */
/*
 * bare_exit: the floor for a Xenia hypercall on this machine. A VM made with
 * the plain KVM API (no hv, no dispatcher) whose only vCPU sits in 64-bit long
 * mode and executes `outb %al, $0xb0` in a loop; the host re-enters KVM_RUN
 * after every KVM_EXIT_IO and does nothing else. This is the cheapest possible
 * port-I/O exit to user space, i.e. what a Xenia hypercall costs before hv
 * does any work.
 *
 * Guest set-up follows hv/domain.c and stubdoms/builder/build.c: identity map
 * (one 2 MiB user page), GDT with kernel code 0x08 / data 0x10 and user data
 * 0x1b / code 0x23, a 64-bit TSS whose I/O permission bitmap allows ports
 * 0xb0 and 0xb1 (KVM PVM ignores RFLAGS.IOPL at CPL3: only the bitmap makes
 * `out` legal there), EFER = LME|LMA|NXE, CR0 = PG|AM|WP|NE|ET|MP|PE,
 * CR4 = PAE|OSFXSR|OSXMMEXCPT.
 *
 * Modes (one per line of output, all parseable "BENCH key=value ..." lines):
 *   cpl3-host    CPL3 guest `1: out; jmp 1b`; the host times each KVM_RUN with
 *                CLOCK_MONOTONIC (entry + the guest's two instructions + exit).
 *   cpl3-sync    the same with kvm_run->kvm_valid_regs = KVM_SYNC_X86_REGS and
 *                rax written back through kvm_dirty_regs on every exit, which is
 *                exactly the mechanism hv uses to read/write hypercall registers.
 *   cpl3-guest   CPL3 guest times each round trip itself with lfence;rdtsc around
 *                the `out` (as the hypercall bench guest does), stores the deltas
 *                in guest memory, then writes port 0xb1; the host converts cycles
 *                with KVM_GET_TSC_KHZ (what hv puts in the pvclock fields).
 *   cpl0-host    like cpl3-host with the guest at CPL0 (cs 0x08). On PVM, CPL0
 *                guest code is emulated: reference only.
 *
 * Usage: bare_exit [N [MODE...]]   (default: 20000 round trips per CPL3 mode,
 *        N/4 at CPL0; every mode)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RAM_BYTES   (2ull << 20)
#define PML4_GPA    0x1000ull
#define PDPT_GPA    0x2000ull
#define PD_GPA      0x3000ull
#define GDT_GPA     0x4000ull
#define TSS_GPA     0x5000ull
#define CODE_GPA    0x6000ull
#define STACK_TOP   0x10000ull
#define BUF_GPA     0x100000ull          /* rdtsc deltas written by the guest */
#define BUF_MAX     ((RAM_BYTES - BUF_GPA) / 8)

#define PORT_LOOP   0xb0
#define PORT_DONE   0xb1

#define TSS_IOMAP   104u
#define TSS_LIMIT   (TSS_IOMAP + 32u)    /* ports 0..0xff + 0xff terminator byte */

/* Guest code, position independent, copied to CODE_GPA. */
extern const unsigned char tight_start[], tight_end[], timed_start[], timed_end[];
__asm__(".pushsection .rodata\n"
        "tight_start:\n"
        "1:  outb %al, $0xb0\n"
        "    jmp 1b\n"
        "tight_end:\n"
        /* rdi = buffer, rcx = count (> 0) */
        "timed_start:\n"
        "2:  lfence\n"
        "    rdtsc\n"
        "    shlq $32, %rdx\n"
        "    orq %rdx, %rax\n"
        "    movq %rax, %r8\n"
        "    outb %al, $0xb0\n"
        "    lfence\n"
        "    rdtsc\n"
        "    shlq $32, %rdx\n"
        "    orq %rdx, %rax\n"
        "    subq %r8, %rax\n"
        "    movq %rax, (%rdi)\n"
        "    addq $8, %rdi\n"
        "    decq %rcx\n"
        "    jnz 2b\n"
        "    outb %al, $0xb1\n"
        "3:  jmp 3b\n"
        "timed_end:\n"
        ".popsection\n");

struct vm {
    int kvm, vm, vcpu;
    uint8_t *ram;
    struct kvm_run *run;
    size_t run_size;
    long tsc_khz;
};

static void die(const char *what)
{
    fprintf(stderr, "bare_exit: %s: %s\n", what, strerror(errno));
    printf("BENCH bare error=\"%s: %s\"\n", what, strerror(errno));
    exit(1);
}

static void st64(uint8_t *ram, uint64_t gpa, uint64_t v)
{
    memcpy(ram + gpa, &v, 8);
}

static void vm_open(struct vm *v, int cpl, int timed, uint64_t n)
{
    struct kvm_userspace_memory_region slot;
    struct kvm_sregs s;
    struct kvm_regs r;
    long mmap_size;
    uint64_t tss_lo;
    unsigned dpl = (unsigned)cpl;

    v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (v->kvm < 0)
        die("open /dev/kvm");
    v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
    if (v->vm < 0)
        die("KVM_CREATE_VM");
    v->ram = mmap(NULL, RAM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (v->ram == MAP_FAILED)
        die("mmap guest RAM");
    slot = (struct kvm_userspace_memory_region){ .slot = 0, .guest_phys_addr = 0,
        .memory_size = RAM_BYTES, .userspace_addr = (uint64_t)(uintptr_t)v->ram };
    if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
        die("KVM_SET_USER_MEMORY_REGION");

    /* Identity map of the first 2 MiB: one user-accessible large page. */
    st64(v->ram, PML4_GPA, PDPT_GPA | 0x27);          /* P RW US A */
    st64(v->ram, PDPT_GPA, PD_GPA | 0x27);
    st64(v->ram, PD_GPA, 0x0 | 0xe7);                 /* P RW US A D PS */
    /* GDT (same descriptors as the domain builder). */
    st64(v->ram, GDT_GPA + 0x00, 0);
    st64(v->ram, GDT_GPA + 0x08, 0x00af9b000000ffffull);
    st64(v->ram, GDT_GPA + 0x10, 0x00cf93000000ffffull);
    st64(v->ram, GDT_GPA + 0x18, 0x00cff3000000ffffull);
    st64(v->ram, GDT_GPA + 0x20, 0x00affb000000ffffull);
    tss_lo = (TSS_LIMIT & 0xffffull) | ((TSS_GPA & 0xffffffull) << 16) |
             ((uint64_t)(0xb | 0x80) << 40) | ((uint64_t)(TSS_LIMIT >> 16) << 48) |
             (((TSS_GPA >> 24) & 0xff) << 56);
    st64(v->ram, GDT_GPA + 0x28, tss_lo);
    st64(v->ram, GDT_GPA + 0x30, TSS_GPA >> 32);
    /* TSS: RSP0, I/O map base, bitmap allowing only 0xb0 and 0xb1. */
    st64(v->ram, TSS_GPA + 4, STACK_TOP);
    v->ram[TSS_GPA + 102] = TSS_IOMAP & 0xff;
    v->ram[TSS_GPA + 103] = TSS_IOMAP >> 8;
    memset(v->ram + TSS_GPA + TSS_IOMAP, 0xff, 33);
    v->ram[TSS_GPA + TSS_IOMAP + PORT_LOOP / 8] &= (uint8_t)~(1u << (PORT_LOOP % 8));
    v->ram[TSS_GPA + TSS_IOMAP + PORT_DONE / 8] &= (uint8_t)~(1u << (PORT_DONE % 8));
    /* Code. */
    if (timed)
        memcpy(v->ram + CODE_GPA, timed_start, (size_t)(timed_end - timed_start));
    else
        memcpy(v->ram + CODE_GPA, tight_start, (size_t)(tight_end - tight_start));

    v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
    if (v->vcpu < 0)
        die("KVM_CREATE_VCPU");
    mmap_size = ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (mmap_size <= 0)
        die("KVM_GET_VCPU_MMAP_SIZE");
    v->run_size = (size_t)mmap_size;
    v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
    if (v->run == MAP_FAILED)
        die("mmap kvm_run");
    v->tsc_khz = ioctl(v->vcpu, KVM_GET_TSC_KHZ, 0);

    if (ioctl(v->vcpu, KVM_GET_SREGS, &s) < 0)
        die("KVM_GET_SREGS");
    s.cr0 = 0x80050033ull;
    s.cr4 = 0x620ull;
    s.cr3 = PML4_GPA;
    s.efer = 0xd00ull;
    s.gdt.base = GDT_GPA;
    s.gdt.limit = 0x37;
    s.idt.base = 0;
    s.idt.limit = 0;
    s.cs = (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
        .selector = (uint16_t)(dpl ? 0x23 : 0x08), .type = 11, .present = 1, .dpl = (uint8_t)dpl,
        .db = 0, .s = 1, .l = 1, .g = 1 };
    s.ds = (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
        .selector = (uint16_t)(dpl ? 0x1b : 0x10), .type = 3, .present = 1, .dpl = (uint8_t)dpl,
        .db = 1, .s = 1, .l = 0, .g = 1 };
    s.es = s.fs = s.gs = s.ss = s.ds;
    s.tr = (struct kvm_segment){ .base = TSS_GPA, .limit = TSS_LIMIT, .selector = 0x28,
        .type = 11, .present = 1, .dpl = 0, .s = 0 };
    if (ioctl(v->vcpu, KVM_SET_SREGS, &s) < 0)
        die("KVM_SET_SREGS");
    memset(&r, 0, sizeof(r));
    r.rip = CODE_GPA;
    r.rsp = STACK_TOP;
    r.rdi = BUF_GPA;
    r.rcx = n;
    r.rflags = 0x2;
    if (ioctl(v->vcpu, KVM_SET_REGS, &r) < 0)
        die("KVM_SET_REGS");
}

static void vm_close(struct vm *v)
{
    munmap(v->run, v->run_size);
    munmap(v->ram, RAM_BYTES);
    close(v->vcpu);
    close(v->vm);
    close(v->kvm);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *mode, uint64_t *d, uint64_t n, double scale, const char *extra)
{
    double sum = 0;

    for (uint64_t i = 0; i < n; i++)
        sum += (double)d[i];
    qsort(d, n, sizeof(*d), cmp_u64);
    printf("BENCH bare mode=%s n=%llu min_ns=%.0f med_ns=%.0f mean_ns=%.0f p90_ns=%.0f%s\n",
           mode, (unsigned long long)n, (double)d[0] * scale, (double)d[n / 2] * scale,
           sum / (double)n * scale, (double)d[n * 9 / 10] * scale, extra);
    fflush(stdout);
}

static int expect_io(struct vm *v, unsigned port)
{
    if (v->run->exit_reason == KVM_EXIT_IO && v->run->io.port == port)
        return 1;
    fprintf(stderr, "bare_exit: unexpected exit %u (port %#x)\n", v->run->exit_reason,
            v->run->exit_reason == KVM_EXIT_IO ? v->run->io.port : 0);
    printf("BENCH bare error=\"unexpected exit reason %u\"\n", v->run->exit_reason);
    return 0;
}

/* Host-timed tight loop at CPL @cpl; @sync: use the sync-regs mechanism as hv does. */
static int host_timed(const char *mode, int cpl, int sync, uint64_t n)
{
    struct vm v;
    uint64_t *d = calloc(n, sizeof(*d));
    uint64_t warm = n / 10 + 10, t0, t1, total0;

    if (d == NULL)
        return 1;
    vm_open(&v, cpl, 0, 0);
    if (sync)
        v.run->kvm_valid_regs = KVM_SYNC_X86_REGS;
    for (uint64_t i = 0; i < warm; i++) {
        if (ioctl(v.vcpu, KVM_RUN, 0) < 0)
            die("KVM_RUN");
        if (!expect_io(&v, PORT_LOOP))
            return 1;
    }
    total0 = t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        if (sync) {
            v.run->s.regs.regs.rax = i;
            v.run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
        }
        if (ioctl(v.vcpu, KVM_RUN, 0) < 0)
            die("KVM_RUN");
        t1 = now_ns();
        if (v.run->exit_reason != KVM_EXIT_IO && !expect_io(&v, PORT_LOOP))
            return 1;
        d[i] = t1 - t0;
        t0 = t1;
    }
    {
        char extra[64];
        snprintf(extra, sizeof(extra), " total_ms=%.1f", (double)(now_ns() - total0) / 1e6);
        report(mode, d, n, 1.0, extra);
    }
    vm_close(&v);
    free(d);
    return 0;
}

/* Guest-timed (rdtsc in the guest around each `out`), at CPL3. */
static int guest_timed(uint64_t n)
{
    struct vm v;
    uint64_t exits = 0, *d;
    char extra[64];

    if (n > BUF_MAX)
        n = BUF_MAX;
    vm_open(&v, 3, 1, n);
    for (;;) {
        if (ioctl(v.vcpu, KVM_RUN, 0) < 0)
            die("KVM_RUN");
        if (v.run->exit_reason == KVM_EXIT_IO && v.run->io.port == PORT_DONE)
            break;
        if (!expect_io(&v, PORT_LOOP))
            return 1;
        exits++;
    }
    if (exits != n || v.tsc_khz <= 0) {
        printf("BENCH bare error=\"guest-timed: %llu exits for %llu, tsc_khz %ld\"\n",
               (unsigned long long)exits, (unsigned long long)n, v.tsc_khz);
        return 1;
    }
    d = (uint64_t *)(void *)(v.ram + BUF_GPA);
    snprintf(extra, sizeof(extra), " tsc_khz=%ld", v.tsc_khz);
    report("cpl3-guest", d, n, 1e6 / (double)v.tsc_khz, extra);
    vm_close(&v);
    return 0;
}

static int want(int argc, char **argv, const char *mode)
{
    if (argc <= 2)
        return 1;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], mode) == 0)
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 20000;
    int rc = 0;

    if (n < 10)
        n = 10;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (want(argc, argv, "cpl3-host"))
        rc |= host_timed("cpl3-host", 3, 0, n);
    if (want(argc, argv, "cpl3-sync"))
        rc |= host_timed("cpl3-sync", 3, 1, n);
    if (want(argc, argv, "cpl3-guest"))
        rc |= guest_timed(n);
    if (want(argc, argv, "cpl0-host"))
        rc |= host_timed("cpl0-host", 0, 0, n / 4);
    return rc;
}
