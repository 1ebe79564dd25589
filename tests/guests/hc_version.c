// expect-shutdown: poweroff
// expect-console: hc_version: interface
// expect-console: Test result: SUCCESS
// timeout: 20
/* SPDX-License-Identifier: MIT */
/*
 * xen_version (hypercall.h): version, extraversion (an OUT structure: hv must
 * refuse read-only and partly unmapped destinations without writing any of
 * it), domid, unknown commands, and that hv preserves every register but rax.
 */
#include "hc_common.h"

static const struct xenia_version_extra ro_extra;

/* Is every byte of p[0..n) equal to c? */
static int all_bytes(const void *p, size_t n, uint8_t c)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n; i++)
        if (b[i] != c)
            return 0;
    return 1;
}

static void test_values(void)
{
    struct xenia_version_extra ex;
    long v = xenia_xen_version(XENIA_XENVER_version, 0);

    printf("hc_version: interface %ld.%ld\n", v >> 16, v & 0xffff);
    xt_check_eq(v, XENIA_INTERFACE_VERSION, "XENVER_version");
    xt_check_eq(xenia_xen_version(XENIA_XENVER_version, 1), -XENIA_EINVAL, "version arg 1");
    xt_check_eq(xenia_xen_version(XENIA_XENVER_domid, 0), xenia_start_info()->domid, "XENVER_domid");
    xt_check_eq(xenia_xen_version(XENIA_XENVER_domid, 5), -XENIA_EINVAL, "domid arg 5");

    memset(&ex, 0xaa, sizeof(ex));
    xt_check_eq(xenia_xen_version(XENIA_XENVER_extraversion, XENIA_GVA(&ex)), 0,
                "extraversion to the stack");
    xt_check(strnlen(ex.extraversion, sizeof(ex.extraversion)) < sizeof(ex.extraversion),
             "extraversion is NUL-terminated");
    xt_check(strnlen(ex.build_id, sizeof(ex.build_id)) < sizeof(ex.build_id),
             "build_id is NUL-terminated");
    ex.extraversion[sizeof(ex.extraversion) - 1] = '\0';
    ex.build_id[sizeof(ex.build_id) - 1] = '\0';
    printf("hc_version: extraversion \"%s\" build \"%s\"\n", ex.extraversion, ex.build_id);

    struct xenia_version_extra *h = malloc(sizeof(*h));
    xt_check(h != NULL, "malloc");
    if (h != NULL) {
        xt_check_eq(xenia_xen_version(XENIA_XENVER_extraversion, XENIA_GVA(h)), 0,
                    "extraversion to the heap");
        free(h);
    }
}

static void test_extra_faults(uint64_t guard)
{
    const struct xenia_start_info *si = xenia_start_info();
    char magic[16];
    uint8_t *tail = (uint8_t *)(uintptr_t)(guard - 32);

#define XV(gva) xenia_xen_version(XENIA_XENVER_extraversion, (gva))
    memcpy(magic, si->magic, sizeof(magic));
    xt_check_eq(XV(BAD_NULL), -XENIA_EFAULT, "extraversion NULL");
    xt_check_eq(XV(BAD_PAGE0), -XENIA_EFAULT, "extraversion page 0");
    xt_check_eq(XV(XENIA_START_INFO_GPA), -XENIA_EFAULT, "extraversion into the start-info page");
    xt_check(memcmp(magic, si->magic, sizeof(magic)) == 0, "start-info page unchanged");
    xt_check_eq(XV(XENIA_GVA(&ro_extra)), -XENIA_EFAULT, "extraversion into rodata");
    xt_check(all_bytes(&ro_extra, sizeof(ro_extra), 0), "rodata unchanged");
    xt_check_eq(XV(XENIA_GVA(&main)), -XENIA_EFAULT, "extraversion into the text segment");
    xt_check_eq(XV(BAD_BUILDER), -XENIA_EFAULT, "extraversion into the builder area");
    xt_check_eq(XV(BAD_BUILDER_END), -XENIA_EFAULT, "extraversion into the end of the builder area");
    xt_check_eq(XV(guard), -XENIA_EFAULT, "extraversion into the guard page");
    memset(tail, 0x5a, 32);
    xt_check_eq(XV(guard - 32), -XENIA_EFAULT, "extraversion running into the guard page");
    xt_check(all_bytes(tail, 32, 0x5a), "nothing written before the guard page (decode, then invoke)");
    xt_check_eq(XV(0xffffffffffffffe0ull), -XENIA_EFAULT, "extraversion that wraps");
    xt_check_eq(XV(BAD_NONCANON), -XENIA_EFAULT, "extraversion non-canonical");
    xt_check_eq(XV(BAD_KERNEL_HALF), -XENIA_EFAULT, "extraversion upper half");
#undef XV
}

static void test_cmds(void)
{
    xt_check_eq(xenia_xen_version(3, 0), -XENIA_EINVAL, "cmd 3");
    xt_check_eq(xenia_xen_version(1000, 0), -XENIA_EINVAL, "cmd 1000");
    xt_check_eq(xenia_xen_version(XENIA_XENVER_version | (1ull << 32), 0), -XENIA_EINVAL,
                "version | 1<<32");
    xt_check_eq(xenia_xen_version(XENIA_XENVER_domid | (1ull << 63), 0), -XENIA_EINVAL,
                "domid | 1<<63");
    xt_check_eq(xenia_xen_version(~0ull, 0), -XENIA_EINVAL, "cmd ~0");
}

/* Every register except rax survives a hypercall (hypercall.h). */
static void test_registers(uint64_t nr, uint64_t a1, uint64_t a2, const char *what)
{
    uint64_t rax = nr, rbx = 0xb0b0b0b0b0b0b0b0ull, rcx = 0xc0c0c0c0c0c0c0c0ull;
    uint64_t rdi = a1, rsi = a2, rdx = 0xd0d0d0d0d0d0d0d0ull;
    register uint64_t r8 __asm__("r8") = 0x0808080808080808ull;
    register uint64_t r9 __asm__("r9") = 0x0909090909090909ull;
    register uint64_t r10 __asm__("r10") = 0x1010101010101010ull;
    register uint64_t r11 __asm__("r11") = 0x1111111111111111ull;
    register uint64_t r12 __asm__("r12") = 0x1212121212121212ull;
    register uint64_t r13 __asm__("r13") = 0x1313131313131313ull;
    register uint64_t r14 __asm__("r14") = 0x1414141414141414ull;
    register uint64_t r15 __asm__("r15") = 0x1515151515151515ull;

    __asm__ volatile("outb %%al, %[port]"
                     : "+a"(rax), "+b"(rbx), "+c"(rcx), "+D"(rdi), "+S"(rsi), "+d"(rdx),
                       "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13),
                       "+r"(r14), "+r"(r15)
                     : [port] "N"(XENIA_HCALL_PORT)
                     : "memory");
    xt_check(rbx == 0xb0b0b0b0b0b0b0b0ull && rcx == 0xc0c0c0c0c0c0c0c0ull &&
             rdi == a1 && rsi == a2 && rdx == 0xd0d0d0d0d0d0d0d0ull, "%s: rbx/rcx/rdi/rsi/rdx changed",
             what);
    xt_check(r8 == 0x0808080808080808ull && r9 == 0x0909090909090909ull &&
             r10 == 0x1010101010101010ull && r11 == 0x1111111111111111ull,
             "%s: r8-r11 changed", what);
    xt_check(r12 == 0x1212121212121212ull && r13 == 0x1313131313131313ull &&
             r14 == 0x1414141414141414ull && r15 == 0x1515151515151515ull,
             "%s: r12-r15 changed", what);
    xt_check((long)rax != (long)nr || nr == 0, "%s: rax holds a result", what);
}

int main(void)
{
    test_values();
    test_extra_faults(hc_guard_page());
    test_cmds();
    test_registers(XENIA_HC_xen_version, XENIA_XENVER_version, 0, "xen_version");
    test_registers(XENIA_HC_xen_version, 3, 0, "xen_version bad cmd");
    test_registers(1000, 0, 0, "unknown hypercall");
    xt_done();
}
