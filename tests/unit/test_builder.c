/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the domain builder's pure code (stubdoms/builder/elf.c and
 * build.c): every image and request rejection, and for valid images the
 * start-info page, the loaded bytes, the page tables (walked here as the MMU
 * would, Intel SDM Vol.3A §4.5), the GDT, TSS, IDT and exception stubs.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <xenia/builder.h>
#include <xenia/hypercall.h>
#include <xenia/layout.h>
#include <xenia/start_info.h>

#include "../../stubdoms/builder/build.h"
#include "../../stubdoms/builder/elf.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)
#define RAM_BYTES (16 * MIB)
#define PAGE 4096ull

/* ------------------------------------------------------------------------- */
/* A valid three-segment image, built in memory.                              */
/*   0: text   file 0x1000 +0x1800 -> 0x200000, R X                           */
/*   1: rodata file 0x3000 +0x100  -> 0x202000, R                             */
/*   2: data   file 0x4000 +0x10   -> 0x203000, memsz 0x2000 (bss), R W       */
/* ------------------------------------------------------------------------- */
#define IMG_LEN   0x4010u
#define TEXT_VA   0x200000ull
#define RO_VA     0x202000ull
#define DATA_VA   0x203000ull
#define ENTRY_VA  0x200010ull

struct image {
    union {
        uint8_t bytes[IMG_LEN];
        struct {
            Elf64_Ehdr eh;
            Elf64_Phdr ph[3];
        } h;
    } u;
    size_t len;
};

static void make_image(struct image *im)
{
    Elf64_Ehdr *eh = &im->u.h.eh;
    Elf64_Phdr *ph = im->u.h.ph;

    memset(im, 0, sizeof(*im));
    memcpy(eh->e_ident, ELFMAG, SELFMAG);
    eh->e_ident[EI_CLASS] = ELFCLASS64;
    eh->e_ident[EI_DATA] = ELFDATA2LSB;
    eh->e_ident[EI_VERSION] = EV_CURRENT;
    eh->e_type = ET_EXEC;
    eh->e_machine = EM_X86_64;
    eh->e_version = EV_CURRENT;
    eh->e_entry = ENTRY_VA;
    eh->e_phoff = sizeof(Elf64_Ehdr);
    eh->e_ehsize = sizeof(Elf64_Ehdr);
    eh->e_phentsize = sizeof(Elf64_Phdr);
    eh->e_phnum = 3;
    ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
                          .p_vaddr = TEXT_VA, .p_paddr = TEXT_VA, .p_filesz = 0x1800,
                          .p_memsz = 0x1800, .p_align = PAGE };
    ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x3000,
                          .p_vaddr = RO_VA, .p_paddr = RO_VA, .p_filesz = 0x100,
                          .p_memsz = 0x100, .p_align = PAGE };
    ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x4000,
                          .p_vaddr = DATA_VA, .p_paddr = DATA_VA, .p_filesz = 0x10,
                          .p_memsz = 0x2000, .p_align = PAGE };
    for (unsigned i = 0; i < 0x1800; i++)
        im->u.bytes[0x1000 + i] = (uint8_t)(0xa0 + i * 7);
    memset(im->u.bytes + 0x3000, 0xb2, 0x100);
    memset(im->u.bytes + 0x4000, 0xc3, 0x10);
    im->len = IMG_LEN;
}

static struct image img;
static struct xb_image out;
static char err[256];

static int check(void)
{
    return xb_elf_check(img.u.bytes, img.len, RAM_BYTES, &out, err, sizeof(err));
}

/* Assert a rejection whose message contains `what`. */
#define REJECT(what)                                                        \
    do {                                                                    \
        int rc_ = check();                                                  \
        if (rc_ != -XENIA_ENOEXEC || strstr(err, (what)) == NULL)           \
            fail_msg("rc %d, message \"%s\", wanted \"%s\"", rc_, err, (what)); \
    } while (0)

static int setup_image(void **state)
{
    (void)state;
    make_image(&img);
    memset(err, 0, sizeof(err));
    return 0;
}

/* ---- ELF header ---------------------------------------------------------- */

static void test_valid_image(void **state)
{
    (void)state;
    assert_int_equal(check(), 0);
    assert_int_equal(out.nr_segs, 3);
    assert_int_equal(out.entry, ENTRY_VA);
    assert_int_equal(out.start, TEXT_VA);
    assert_int_equal(out.end, DATA_VA + 0x2000);
    assert_int_equal(out.segs[2].flags, XB_SEG_R | XB_SEG_W);
    assert_string_equal(err, "");
}

static void test_truncated_header(void **state)
{
    (void)state;
    img.len = 40;
    REJECT("truncated: 40-byte file is shorter than the 64-byte ELF64 header");
    img.len = 0;
    REJECT("truncated");
}

static void test_truncated_phdrs(void **state)
{
    (void)state;
    img.len = 64 + 56 * 2;
    REJECT("truncated: program header table at offset 64 + 56*3 bytes runs past the end "
           "of the 176-byte file");
    img.len = IMG_LEN;
    img.u.h.eh.e_phoff = UINT64_MAX - 10;   /* offset + size would wrap */
    REJECT("program header table");
    img.u.h.eh.e_phoff = IMG_LEN - 100;
    REJECT("runs past the end");
}

static void test_bad_ident(void **state)
{
    (void)state;
    img.u.h.eh.e_ident[1] = 'X';
    REJECT("bad ELF magic");
    make_image(&img);
    img.u.h.eh.e_ident[EI_CLASS] = ELFCLASS32;
    REJECT("ELF class 1 is not ELFCLASS64");
    make_image(&img);
    img.u.h.eh.e_ident[EI_DATA] = ELFDATA2MSB;
    REJECT("little-endian");
    make_image(&img);
    img.u.h.eh.e_ident[EI_VERSION] = 0;
    REJECT("ident version");
}

static void test_bad_type_machine_version(void **state)
{
    (void)state;
    img.u.h.eh.e_type = ET_DYN;
    REJECT("ET_DYN");
    img.u.h.eh.e_type = ET_REL;
    REJECT("ELF type 1 is not ET_EXEC");
    img.u.h.eh.e_type = ET_CORE;
    REJECT("not ET_EXEC");
    make_image(&img);
    img.u.h.eh.e_machine = EM_386;
    REJECT("ELF machine 3 is not EM_X86_64");
    make_image(&img);
    img.u.h.eh.e_version = 0;
    REJECT("ELF version 0");
}

static void test_phdr_count_and_size(void **state)
{
    (void)state;
    img.u.h.eh.e_phnum = 0;
    REJECT("no program headers");
    img.u.h.eh.e_phnum = XENIA_IMAGE_MAX_PHDRS + 1;
    REJECT("too many program headers: 65");
    img.u.h.eh.e_phnum = PN_XNUM;   /* extended numbering: not supported */
    REJECT("too many program headers");
    make_image(&img);
    img.u.h.eh.e_phentsize = 32;
    REJECT("program header entry size 32");
}

static void test_max_phdrs_ok(void **state)
{
    static uint8_t big[64 + 56 * XENIA_IMAGE_MAX_PHDRS + 0x2000];
    Elf64_Ehdr eh = img.u.h.eh;
    Elf64_Phdr ph[XENIA_IMAGE_MAX_PHDRS];
    int rc;

    (void)state;
    memset(ph, 0, sizeof(ph));
    ph[0] = img.u.h.ph[0];
    ph[0].p_offset = sizeof(big) - 0x2000;
    for (unsigned i = 1; i < XENIA_IMAGE_MAX_PHDRS; i++)
        ph[i].p_type = PT_NOTE;
    eh.e_phnum = XENIA_IMAGE_MAX_PHDRS;
    memcpy(big, &eh, sizeof(eh));
    memcpy(big + 64, ph, sizeof(ph));
    rc = xb_elf_check(big, sizeof(big), RAM_BYTES, &out, err, sizeof(err));
    assert_int_equal(rc, 0);
    assert_int_equal(out.nr_segs, 1);
}

static void test_not_static(void **state)
{
    (void)state;
    img.u.h.ph[1].p_type = PT_INTERP;
    REJECT("segment 1 is PT_INTERP");
    img.u.h.ph[1].p_type = PT_DYNAMIC;
    REJECT("PT_DYNAMIC");
    img.u.h.ph[1].p_type = PT_TLS;
    REJECT("PT_TLS");
}

static void test_ignored_phdrs(void **state)
{
    (void)state;
    img.u.h.ph[1].p_type = PT_GNU_STACK;
    assert_int_equal(check(), 0);
    assert_int_equal(out.nr_segs, 2);
    img.u.h.ph[1].p_type = PT_LOAD;
    img.u.h.ph[1].p_memsz = 0;    /* empty PT_LOAD: skipped */
    img.u.h.ph[1].p_filesz = 0;
    assert_int_equal(check(), 0);
    assert_int_equal(out.nr_segs, 2);
}

/* ---- segments ------------------------------------------------------------ */

static void test_overlap(void **state)
{
    (void)state;
    img.u.h.ph[1].p_vaddr = 0x201000;
    REJECT("segment 1 [0x201000,0x202000) overlaps segment 0 [0x200000,0x202000)");
    make_image(&img);
    /* Sharing only a page (no byte overlap) is refused too: one page, one permission. */
    img.u.h.ph[1].p_vaddr = TEXT_VA + 0x1800;
    REJECT("overlaps segment 0");
    make_image(&img);
    img.u.h.ph[2].p_vaddr = TEXT_VA;
    REJECT("segment 2 [0x200000,0x202000) overlaps segment 0");
}

static void test_out_of_range(void **state)
{
    uint64_t limit = xb_image_limit(RAM_BYTES);

    (void)state;
    assert_int_equal(limit, RAM_BYTES - XENIA_GUEST_STACK_BYTES - PAGE);
    img.u.h.ph[0].p_vaddr = XENIA_IMAGE_BASE_MIN - PAGE;
    REJECT("segment 0 [0x1ff000,0x200800) starts below the image base 0x200000");
    make_image(&img);
    img.u.h.ph[0].p_vaddr = 0;
    img.u.h.eh.e_entry = 0x10;
    REJECT("below the image base");
    make_image(&img);
    img.u.h.ph[2].p_vaddr = limit - PAGE;
    REJECT("does not fit in RAM");
    img.u.h.ph[2].p_vaddr = RAM_BYTES + 0x100000;
    REJECT("does not fit in RAM");
    img.u.h.ph[2].p_vaddr = limit - 0x2000;   /* ends exactly at the guard page: fits */
    assert_int_equal(check(), 0);
    img.u.h.ph[2].p_vaddr = 0xfffffffffffff000ull;
    REJECT("segment 2: address 0xfffffffffffff000 + size 0x2000 wraps around");
    make_image(&img);
    img.u.h.ph[2].p_memsz = UINT64_MAX;
    REJECT("wraps around");
}

static void test_sizes_and_offsets(void **state)
{
    (void)state;
    img.u.h.ph[2].p_filesz = 0x2001;
    REJECT("segment 2: file size 0x2001 exceeds memory size 0x2000");
    make_image(&img);
    img.u.h.ph[1].p_offset = IMG_LEN + 1;
    REJECT("truncated: segment 1 file bytes");
    img.u.h.ph[1].p_offset = IMG_LEN - 0x10;   /* starts inside, runs past the end */
    REJECT("run past the end of the 16400-byte file");
    img.u.h.ph[1].p_offset = UINT64_MAX;       /* offset + filesz wraps */
    REJECT("truncated: segment 1");
    make_image(&img);
    img.u.h.ph[2].p_filesz = 0;                /* pure bss: fine */
    assert_int_equal(check(), 0);
}

static void test_entry(void **state)
{
    (void)state;
    img.u.h.eh.e_entry = 0x500000;
    REJECT("entry point 0x500000 is outside every executable segment");
    img.u.h.eh.e_entry = RO_VA;               /* readable, not executable */
    REJECT("entry point 0x202000 is outside every executable segment");
    img.u.h.eh.e_entry = DATA_VA + 0x1000;    /* bss */
    REJECT("outside every executable segment");
    img.u.h.eh.e_entry = TEXT_VA + 0x1800;    /* one past the end of text */
    REJECT("outside every executable segment");
    img.u.h.eh.e_entry = TEXT_VA + 0x17ff;
    assert_int_equal(check(), 0);
}

static void test_wx_and_no_load(void **state)
{
    (void)state;
    img.u.h.ph[2].p_flags = PF_R | PF_W | PF_X;
    REJECT("segment 2 [0x203000,0x205000) is both writable and executable (W^X)");
    make_image(&img);
    for (unsigned i = 0; i < 3; i++)
        img.u.h.ph[i].p_type = PT_NOTE;
    REJECT("no loadable (PT_LOAD) segment");
    make_image(&img);
    for (unsigned i = 0; i < 3; i++)
        img.u.h.ph[i].p_memsz = img.u.h.ph[i].p_filesz = 0;
    REJECT("no loadable");
}

static void test_tiny_ram(void **state)
{
    int rc;

    (void)state;
    assert_int_equal(xb_image_limit(2 * MIB), 0);
    rc = xb_elf_check(img.u.bytes, img.len, 2 * MIB, &out, err, sizeof(err));
    assert_int_equal(rc, -XENIA_ENOEXEC);
    assert_non_null(strstr(err, "no room"));
    /* errlen 0: no message, same verdict. */
    rc = xb_elf_check(img.u.bytes, 10, RAM_BYTES, &out, NULL, 0);
    assert_int_equal(rc, -XENIA_ENOEXEC);
}

/* Deterministic mutations of a valid image: never crash, verdicts are clean. */
static void test_mutations(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ull;

    (void)state;
    for (unsigned n = 0; n < 200000; n++) {
        make_image(&img);
        unsigned flips = 1 + (unsigned)(x % 4);
        for (unsigned f = 0; f < flips; f++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            unsigned pos = (unsigned)(x % (64 + 3 * 56));
            img.u.bytes[pos] ^= (uint8_t)(1u << ((x >> 32) % 8));
            if ((x >> 40) % 5 == 0)
                img.u.bytes[pos] = (uint8_t)(x >> 48);
        }
        if ((x >> 20) % 7 == 0)
            img.len = (size_t)((x >> 24) % IMG_LEN);
        int rc = check();
        assert_true(rc == 0 || rc == -XENIA_ENOEXEC);
        assert_non_null(memchr(err, '\0', sizeof(err)));
        if (rc == 0) {
            assert_true(out.nr_segs >= 1 && out.start >= XENIA_IMAGE_BASE_MIN &&
                        out.end <= xb_image_limit(RAM_BYTES) && out.start < out.end);
            for (unsigned i = 0; i < out.nr_segs; i++)
                assert_true(out.segs[i].offset + out.segs[i].filesz <= img.len);
        }
    }
}

/* ------------------------------------------------------------------------- */
/* Requests and builds                                                        */
/* ------------------------------------------------------------------------- */

static uint8_t *ram;
static struct xenia_build_req req;
static struct xenia_build_resp resp;

static void make_req(struct xenia_build_req *r, uint64_t ram_bytes)
{
    memset(r, 0, sizeof(*r));
    r->magic = XENIA_BUILD_MAGIC;
    r->version = XENIA_BUILD_VERSION;
    r->domid = 42;
    r->vcpus = 1;
    r->ram_bytes = ram_bytes;
    r->iowin_gpa = XENIA_IOWIN_GPA;
    r->iowin_bytes = XENIA_IOWIN_DEFAULT_BYTES;
    r->console_port = XENIA_PORT_CONSOLE;
    r->control_port = XENIA_PORT_CONTROL;
    snprintf(r->cmdline, sizeof(r->cmdline), "console=hvc0 test=%d", 1);
}

static int setup_build(void **state)
{
    (void)state;
    make_image(&img);
    make_req(&req, RAM_BYTES);
    ram = aligned_alloc(PAGE, RAM_BYTES);
    if (ram == NULL)
        return -1;
    memset(ram, 0xee, RAM_BYTES);   /* garbage: the builder must zero what it owns */
    memset(ram + XENIA_SHARED_PAGE_GPA, 0x77, PAGE);
    return 0;
}

static int teardown_build(void **state)
{
    (void)state;
    free(ram);
    ram = NULL;
    return 0;
}

static int build(void)
{
    return xb_build(ram, RAM_BYTES, img.u.bytes, img.len, &req, &resp);
}

static void assert_resp_header(int rc)
{
    assert_int_equal(resp.magic, XENIA_BUILD_MAGIC);
    assert_int_equal(resp.version, XENIA_BUILD_VERSION);
    assert_int_equal(resp.status, rc);
    assert_non_null(memchr(resp.errmsg, '\0', sizeof(resp.errmsg)));
}

#define BUILD_REJECT(want_rc, what)                                           \
    do {                                                                      \
        int rc_ = build();                                                    \
        assert_resp_header(rc_);                                              \
        if (rc_ != (want_rc) || strstr(resp.errmsg, (what)) == NULL)          \
            fail_msg("rc %d, message \"%s\", wanted %d \"%s\"", rc_,          \
                     resp.errmsg, (want_rc), (what));                         \
        assert_int_equal(resp.rip, 0);                                        \
        assert_int_equal(resp.cr3, 0);                                        \
    } while (0)

static void test_bad_requests(void **state)
{
    (void)state;
    req.magic = 0;
    BUILD_REJECT(-XENIA_EPROTO, "magic");
    make_req(&req, RAM_BYTES);
    req.version = 2;
    BUILD_REJECT(-XENIA_EPROTO, "version 2");
    make_req(&req, RAM_BYTES);
    req.pad[3] = 1;
    BUILD_REJECT(-XENIA_EINVAL, "pad[3]");
    make_req(&req, RAM_BYTES);
    memset(req.cmdline, 'a', sizeof(req.cmdline));
    BUILD_REJECT(-XENIA_EINVAL, "NUL-terminated");
    make_req(&req, RAM_BYTES);
    req.vcpus = 2;
    BUILD_REJECT(-XENIA_EINVAL, "2 vCPUs");
    req.vcpus = 0;
    BUILD_REJECT(-XENIA_EINVAL, "0 vCPUs");
    make_req(&req, RAM_BYTES);
    req.ram_bytes = RAM_BYTES + 1;
    BUILD_REJECT(-XENIA_EINVAL, "not a page multiple");
    req.ram_bytes = 2 * MIB;
    BUILD_REJECT(-XENIA_EINVAL, "outside [4, 32768] MiB");
    req.ram_bytes = 65537 * MIB;
    BUILD_REJECT(-XENIA_EINVAL, "outside");
    req.ram_bytes = 8 * MIB;   /* valid, but not what the RAM buffer is */
    BUILD_REJECT(-XENIA_EINVAL, "RAM is 0x1000000 bytes but the request says 0x800000");
    make_req(&req, RAM_BYTES);
    req.iowin_gpa = XENIA_IOWIN_GPA + 8;
    BUILD_REJECT(-XENIA_EINVAL, "not page aligned");
    req.iowin_gpa = RAM_BYTES - PAGE;   /* overlaps RAM */
    BUILD_REJECT(-XENIA_EINVAL, "I/O window");
    req.iowin_gpa = 1ull << 47;         /* non-canonical */
    BUILD_REJECT(-XENIA_EINVAL, "I/O window");
    req.iowin_gpa = (1ull << 47) - PAGE;
    req.iowin_bytes = 2 * PAGE;         /* runs past 2^47 */
    BUILD_REJECT(-XENIA_EINVAL, "I/O window");
    req.iowin_gpa = 0xfffffffffffff000ull;
    BUILD_REJECT(-XENIA_EINVAL, "I/O window");
    /* Overlapping the grant-map area (found by fuzz/image: the build then failed
     * with an "internal: mapped twice" error after writing RAM). */
    req.iowin_gpa = XENIA_GNTMAP_GPA - PAGE;
    req.iowin_bytes = 2 * PAGE;
    BUILD_REJECT(-XENIA_EINVAL, "overlaps the grant-map area");
    req.iowin_gpa = XENIA_GNTMAP_GPA + (XENIA_GNTMAP_PAGES - 1) * PAGE;
    req.iowin_bytes = PAGE;
    BUILD_REJECT(-XENIA_EINVAL, "overlaps the grant-map area");
    req.iowin_gpa = XENIA_GNTMAP_GPA - 2 * MIB;   /* ends right below: fine */
    req.iowin_bytes = 2 * MIB;
    assert_int_equal(xb_req_check(&req, resp.errmsg, sizeof(resp.errmsg)), 0);
    req.iowin_gpa = XENIA_GNTMAP_GPA + XENIA_GNTMAP_PAGES * PAGE;   /* right above */
    assert_int_equal(xb_req_check(&req, resp.errmsg, sizeof(resp.errmsg)), 0);
}

static void test_bad_image_build(void **state)
{
    (void)state;
    img.u.h.eh.e_entry = 0x500000;
    BUILD_REJECT(-XENIA_ENOEXEC, "entry point 0x500000 is outside every executable segment");
    /* A rejected image leaves RAM alone. */
    assert_int_equal(ram[XENIA_START_INFO_GPA], 0xee);
    assert_int_equal(ram[TEXT_VA], 0xee);
}

/* ---- page-table walker (Intel SDM Vol.3A §4.5, Table 4-14) ------------------ */

struct walk {
    int present;
    int user;        /* US set at every level */
    int write;       /* RW set at every level */
    int nx;          /* NX set at any level */
    uint64_t size;   /* page size of the leaf */
    uint64_t gpa;
};

static uint64_t rd64(const uint8_t *r, uint64_t ram_bytes, uint64_t gpa)
{
    uint64_t v;

    assert_true(gpa + 8 <= ram_bytes);
    memcpy(&v, r + gpa, 8);
    return v;
}

static struct walk walk_in(const uint8_t *r, uint64_t ram_bytes, uint64_t cr3, uint64_t va)
{
    struct walk w = { .user = 1, .write = 1 };
    uint64_t table = cr3;

    for (int level = 3; level >= 0; level--) {
        uint64_t e = rd64(r, ram_bytes, table + 8 * ((va >> (12 + 9 * level)) & 511));
        if (!(e & XB_PTE_P))
            return (struct walk){ 0 };
        /* Tables must live in the builder's pool. */
        w.user &= !!(e & XB_PTE_US);
        w.write &= !!(e & XB_PTE_RW);
        w.nx |= !!(e & XB_PTE_NX);
        if (level == 0 || (e & XB_PTE_PS)) {
            assert_true(level <= 1);    /* no 1 GiB pages */
            w.size = 1ull << (12 + 9 * level);
            w.gpa = (e & XB_PTE_ADDR & ~(w.size - 1)) | (va & (w.size - 1));
            w.present = 1;
            return w;
        }
        table = e & XB_PTE_ADDR;
        assert_true(table >= XB_PT_POOL_GPA && table < resp.reserved_end);
    }
    return (struct walk){ 0 };
}

static struct walk walk(uint64_t va)
{
    return walk_in(ram, RAM_BYTES, resp.cr3, va);
}

enum kind { K_NONE, K_URO, K_URW, K_URX, K_SRO, K_SRW, K_SRX };

static const char *kind_name(enum kind k)
{
    static const char *n[] = { "not present", "user RO NX", "user RW NX", "user RX",
                               "supervisor RO NX", "supervisor RW NX", "supervisor RX" };
    return n[k];
}

static void assert_kind(uint64_t va, enum kind k)
{
    struct walk w = walk(va);
    enum kind got = K_NONE;

    if (w.present) {
        assert_int_equal(w.gpa, va);   /* identity map */
        if (w.user)
            got = w.write ? K_URW : w.nx ? K_URO : K_URX;
        else
            got = w.write ? K_SRW : w.nx ? K_SRO : K_SRX;
        if (w.write)
            assert_true(w.nx);         /* W^X everywhere */
    }
    if (got != k)
        fail_msg("va %#llx is %s, expected %s", (unsigned long long)va, kind_name(got),
                 kind_name(k));
}

/* What the layout says a RAM page must be (build.h). */
static enum kind expected_kind(uint64_t va)
{
    uint64_t guard = RAM_BYTES - XENIA_GUEST_STACK_BYTES - PAGE;

    if (va == XENIA_START_INFO_GPA)
        return K_URO;
    if (va == XENIA_SHARED_PAGE_GPA)
        return K_URW;
    if (va == XB_GDT_GPA || va == XB_IDT_GPA)
        return K_SRO;
    if (va == XB_STUBS_GPA)
        return K_SRX;
    if (va == XB_EXC_STACK_GPA)
        return K_SRW;
    if (va < XENIA_IMAGE_BASE_MIN)
        return K_NONE;          /* page 0, exception-stack guard, page tables, free */
    if (va < RO_VA)
        return K_URX;
    if (va < DATA_VA)
        return K_URO;
    if (va < guard)
        return K_URW;           /* data, bss, heap */
    if (va == guard)
        return K_NONE;
    return K_URW;               /* stack */
}

static void test_build_layout(void **state)
{
    struct xenia_start_info si;
    int rc;

    (void)state;
    rc = build();
    if (rc != 0)
        fail_msg("build failed: %d %s", rc, resp.errmsg);
    assert_resp_header(0);
    assert_string_equal(resp.errmsg, "");

    /* Response. */
    assert_int_equal(resp.rip, ENTRY_VA);
    assert_int_equal(resp.rsp, RAM_BYTES);
    assert_int_equal(resp.rsp % 16, 0);
    assert_int_equal(resp.rdi, XENIA_START_INFO_GPA);
    assert_int_equal(resp.gdt_base, XB_GDT_GPA);
    assert_int_equal(resp.gdt_limit, XENIA_GDT_ENTRIES * 8 - 1);
    assert_int_equal(resp.idt_base, XB_IDT_GPA);
    assert_int_equal(resp.idt_limit, XENIA_EXC_VECTORS * 16 - 1);
    assert_int_equal(resp.tss_base, XB_TSS_GPA);
    assert_int_equal(resp.tss_limit, XENIA_TSS_LIMIT);
    assert_int_equal(resp.image_start, TEXT_VA);
    assert_int_equal(resp.image_end, DATA_VA + 0x2000);
    assert_int_equal(resp.cr3 % PAGE, 0);
    assert_true(resp.cr3 >= XB_PT_POOL_GPA && resp.cr3 < resp.reserved_end);
    assert_int_equal(resp.reserved_end % PAGE, 0);
    assert_true(resp.reserved_end <= XENIA_IMAGE_BASE_MIN);
    assert_true(resp.reserved_end - XB_PT_POOL_GPA <= 16 * PAGE);
    assert_int_equal(resp.pad0 | resp.pad1 | resp.pad2, 0);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(resp.pad3[i], 0);

    /* Start-info page. */
    memcpy(&si, ram + XENIA_START_INFO_GPA, sizeof(si));
    assert_memory_equal(si.magic, XENIA_START_INFO_MAGIC, 16);
    assert_int_equal(si.version, XENIA_START_INFO_VERSION);
    assert_int_equal(si.domid, 42);
    assert_int_equal(si.ram_bytes, RAM_BYTES);
    assert_int_equal(si.shared_page, XENIA_SHARED_PAGE_GPA);
    assert_int_equal(si.image_start, TEXT_VA);
    assert_int_equal(si.image_end, DATA_VA + 0x2000);
    assert_int_equal(si.heap_start, si.image_end);
    assert_int_equal(si.heap_end, RAM_BYTES - XENIA_GUEST_STACK_BYTES - PAGE);
    assert_int_equal(si.stack_top, RAM_BYTES);
    assert_int_equal(si.stack_bytes, XENIA_GUEST_STACK_BYTES);
    assert_int_equal(si.iowin_gpa, XENIA_IOWIN_GPA);
    assert_int_equal(si.iowin_bytes, XENIA_IOWIN_DEFAULT_BYTES);
    assert_int_equal(si.console_port, XENIA_PORT_CONSOLE);
    assert_int_equal(si.control_port, XENIA_PORT_CONTROL);
    assert_int_equal(si.nr_vcpus, 1);
    assert_int_equal(si.flags, 0);
    assert_int_equal(si.cons_ring_port, XENIA_PORT_CONS_RING);
    assert_int_equal(si.blk_port, XENIA_PORT_BLK);
    for (unsigned i = 0; i < 7; i++)
        assert_int_equal(si.pad[i], 0);
    assert_string_equal(si.cmdline, "console=hvc0 test=1");
    for (size_t i = strlen(si.cmdline); i < sizeof(si.cmdline); i++)
        assert_int_equal(si.cmdline[i], 0);
    for (size_t i = sizeof(si); i < PAGE; i++)
        assert_int_equal(ram[XENIA_START_INFO_GPA + i], 0);

    /* Page 0 zeroed; shared page untouched (hv's). */
    for (size_t i = 0; i < PAGE; i++)
        assert_int_equal(ram[i], 0);
    for (size_t i = 0; i < PAGE; i++)
        assert_int_equal(ram[XENIA_SHARED_PAGE_GPA + i], 0x77);

    /* Loaded bytes, zeroed tails and bss. */
    assert_memory_equal(ram + TEXT_VA, img.u.bytes + 0x1000, 0x1800);
    for (uint64_t a = TEXT_VA + 0x1800; a < RO_VA; a++)
        assert_int_equal(ram[a], 0);
    assert_memory_equal(ram + RO_VA, img.u.bytes + 0x3000, 0x100);
    for (uint64_t a = RO_VA + 0x100; a < DATA_VA; a++)
        assert_int_equal(ram[a], 0);
    assert_memory_equal(ram + DATA_VA, img.u.bytes + 0x4000, 0x10);
    for (uint64_t a = DATA_VA + 0x10; a < DATA_VA + 0x2000; a++)
        assert_int_equal(ram[a], 0);
    /* Heap is not touched (the memfd is fresh). */
    assert_int_equal(ram[DATA_VA + 0x2000], 0xee);
}

static void test_build_page_tables(void **state)
{
    struct walk w;

    (void)state;
    assert_int_equal(build(), 0);
    for (uint64_t va = 0; va < RAM_BYTES; va += PAGE)
        assert_kind(va, expected_kind(va));
    /* Page tables are not mapped at all. */
    for (uint64_t va = XB_PT_POOL_GPA; va < resp.reserved_end; va += PAGE)
        assert_kind(va, K_NONE);
    /* Beyond RAM and the non-canonical / upper half. */
    assert_kind(RAM_BYTES, K_NONE);
    assert_kind(XENIA_IOWIN_GPA - PAGE, K_NONE);
    assert_kind(1ull << 46, K_NONE);
    /* 4 KiB pages in the first 2 MiB and for the image; 2 MiB for the aligned heap. */
    assert_int_equal(walk(XENIA_START_INFO_GPA).size, PAGE);
    assert_int_equal(walk(TEXT_VA).size, PAGE);
    assert_int_equal(walk(DATA_VA + 0x2000).size, PAGE);   /* heap head, unaligned */
    w = walk(4 * MIB);
    assert_int_equal(w.size, 2 * MIB);
    assert_true(w.present && w.user && w.write && w.nx);
    assert_int_equal(walk(RAM_BYTES - PAGE).size, PAGE);     /* stack */
    /* I/O window: user RW NX. */
    w = walk_in(ram, RAM_BYTES, resp.cr3, XENIA_IOWIN_GPA);
    assert_true(w.present && w.user && w.write && w.nx);
    w = walk_in(ram, RAM_BYTES, resp.cr3, XENIA_IOWIN_GPA + XENIA_IOWIN_DEFAULT_BYTES - PAGE);
    assert_true(w.present && w.user && w.write && w.nx);
    assert_int_equal(walk_in(ram, RAM_BYTES, resp.cr3,
                             XENIA_IOWIN_GPA + XENIA_IOWIN_DEFAULT_BYTES).present, 0);
}

static void test_build_descriptors(void **state)
{
    uint64_t gdt[XENIA_GDT_ENTRIES];

    (void)state;
    assert_int_equal(build(), 0);
    memcpy(gdt, ram + XB_GDT_GPA, sizeof(gdt));
    assert_int_equal(gdt[0], 0);
    assert_int_equal(gdt[XENIA_SEL_KERNEL_CS >> 3], 0x00af9b000000ffffull);
    assert_int_equal(gdt[XENIA_SEL_KERNEL_DS >> 3], 0x00cf93000000ffffull);
    assert_int_equal(gdt[XENIA_SEL_USER_DS >> 3], 0x00cff3000000ffffull);
    assert_int_equal(gdt[XENIA_SEL_USER_CS >> 3], 0x00affb000000ffffull);
    /* Decode the 16-byte TSS descriptor (SDM Vol.3A §8.2.3, Figure 8-4). */
    uint64_t lo = gdt[XENIA_SEL_TSS >> 3], hi = gdt[(XENIA_SEL_TSS >> 3) + 1];
    uint64_t base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24) | (hi << 32);
    uint64_t limit = (lo & 0xffff) | (((lo >> 48) & 0xf) << 16);
    assert_int_equal(base, XB_TSS_GPA);
    assert_int_equal(limit, XENIA_TSS_LIMIT);
    assert_int_equal((lo >> 40) & 0xf, 0xb);   /* 64-bit TSS, busy */
    assert_int_equal((lo >> 44) & 1, 0);       /* system descriptor */
    assert_int_equal((lo >> 45) & 3, 0);       /* DPL 0 */
    assert_int_equal((lo >> 47) & 1, 1);       /* present */

    /* TSS: RSP0, no IST, I/O bit map allowing only the hypercall port. */
    uint64_t rsp0, ist;
    uint16_t iomap;
    memcpy(&rsp0, ram + XB_TSS_GPA + 4, 8);
    memcpy(&iomap, ram + XB_TSS_GPA + 102, 2);
    assert_int_equal(rsp0, XB_EXC_STACK_TOP);
    assert_int_equal(iomap, XENIA_TSS_IOBITMAP_OFFSET);
    for (unsigned i = 0; i < 7; i++) {
        memcpy(&ist, ram + XB_TSS_GPA + 36 + 8 * i, 8);
        assert_int_equal(ist, 0);
    }
    const uint8_t *map = ram + XB_TSS_GPA + XENIA_TSS_IOBITMAP_OFFSET;
    for (unsigned port = 0; port < 8 * XENIA_TSS_IOBITMAP_BYTES; port++) {
        int allowed = !((map[port / 8] >> (port % 8)) & 1);
        assert_int_equal(allowed, port == XENIA_HCALL_PORT ||
                                  (port >= XENIA_EVTCHN_NOTIFY_PORT &&
                                   port < XENIA_EVTCHN_NOTIFY_PORT + 4));
    }
    assert_int_equal(map[XENIA_TSS_IOBITMAP_BYTES], 0xff);   /* terminator */
    assert_true(XB_TSS_GPA + XENIA_TSS_LIMIT < XB_GDT_GPA + PAGE);

    /* IDT gates and the stubs they point at (SDM Vol.3A §6.14.1, Figure 6-8). */
    for (unsigned v = 0; v < XENIA_EXC_VECTORS; v++) {
        const uint8_t *g = ram + XB_IDT_GPA + 16 * v;
        uint16_t off_lo, sel, off_mid;
        uint32_t off_hi, rsvd;
        memcpy(&off_lo, g, 2);
        memcpy(&sel, g + 2, 2);
        memcpy(&off_mid, g + 6, 2);
        memcpy(&off_hi, g + 8, 4);
        memcpy(&rsvd, g + 12, 4);
        uint64_t target = off_lo | ((uint64_t)off_mid << 16) | ((uint64_t)off_hi << 32);
        assert_int_equal(target, XB_STUBS_GPA + XB_STUB_BYTES * v);
        assert_int_equal(sel, XENIA_SEL_KERNEL_CS);
        assert_int_equal(g[4], 0);        /* IST */
        assert_int_equal(g[5], 0x8e);     /* present, DPL0, interrupt gate */
        assert_int_equal(rsvd, 0);
        const uint8_t want[5] = { 0xe6, (uint8_t)(XENIA_EXC_PORT_BASE + v), 0xf4, 0xeb, 0xfd };
        assert_memory_equal(ram + target, want, sizeof(want));
        assert_kind(target, K_SRX);
    }
}

static void test_build_no_iowin(void **state)
{
    struct xenia_start_info si;

    (void)state;
    req.iowin_bytes = 0;
    assert_int_equal(build(), 0);
    memcpy(&si, ram + XENIA_START_INFO_GPA, sizeof(si));
    assert_int_equal(si.iowin_gpa, 0);
    assert_int_equal(si.iowin_bytes, 0);
    assert_int_equal(walk_in(ram, RAM_BYTES, resp.cr3, XENIA_IOWIN_GPA).present, 0);
}

static void test_build_page_table_exhaustion(void **state)
{
    (void)state;
    req.iowin_gpa = 64 * GIB;        /* above the grant-map area */
    req.iowin_bytes = 96ull << 40;   /* 96 TiB of window: ~98k page directories */
    BUILD_REJECT(-XENIA_ENOMEM, "page tables need more than the 504 pages of the builder area");
}

/* The largest domain (XENIA_MEM_MAX_MIB) fits its tables in the builder area. */
static void test_build_max(void **state)
{
    uint64_t big = (uint64_t)XENIA_MEM_MAX_MIB * MIB;
    uint8_t *r;
    struct xenia_build_resp rs;
    struct xenia_build_req rq;
    int rc;

    (void)state;
    r = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
             -1, 0);
    if (r == MAP_FAILED) {
        print_message("skipped: cannot reserve %llu bytes of address space\n",
                      (unsigned long long)big);
        skip();
    }
    make_req(&rq, big);
    rc = xb_build(r, big, img.u.bytes, img.len, &rq, &rs);
    if (rc != 0)
        fail_msg("largest build failed: %s", rs.errmsg);
    resp = rs;   /* walk_in checks tables against resp.reserved_end */
    print_message("largest domain: %llu page-table pages\n",
                  (unsigned long long)((rs.reserved_end - XB_PT_POOL_GPA) / PAGE));
    assert_true((rs.reserved_end - XB_PT_POOL_GPA) / PAGE <= 80);
    struct walk w = walk_in(r, big, rs.cr3, big - 4 * MIB);
    assert_true(w.present && w.user && w.write && w.nx && w.size == 2 * MIB);
    w = walk_in(r, big, rs.cr3, big - PAGE);
    assert_true(w.present && w.user && w.write && w.nx && w.size == PAGE);
    w = walk_in(r, big, rs.cr3, big - XENIA_GUEST_STACK_BYTES - PAGE);
    assert_false(w.present);
    assert_false(walk_in(r, big, rs.cr3, big).present);
    munmap(r, big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_valid_image, setup_image),
        cmocka_unit_test_setup(test_truncated_header, setup_image),
        cmocka_unit_test_setup(test_truncated_phdrs, setup_image),
        cmocka_unit_test_setup(test_bad_ident, setup_image),
        cmocka_unit_test_setup(test_bad_type_machine_version, setup_image),
        cmocka_unit_test_setup(test_phdr_count_and_size, setup_image),
        cmocka_unit_test_setup(test_max_phdrs_ok, setup_image),
        cmocka_unit_test_setup(test_not_static, setup_image),
        cmocka_unit_test_setup(test_ignored_phdrs, setup_image),
        cmocka_unit_test_setup(test_overlap, setup_image),
        cmocka_unit_test_setup(test_out_of_range, setup_image),
        cmocka_unit_test_setup(test_sizes_and_offsets, setup_image),
        cmocka_unit_test_setup(test_entry, setup_image),
        cmocka_unit_test_setup(test_wx_and_no_load, setup_image),
        cmocka_unit_test_setup(test_tiny_ram, setup_image),
        cmocka_unit_test_setup(test_mutations, setup_image),
        cmocka_unit_test_setup_teardown(test_bad_requests, setup_build, teardown_build),
        cmocka_unit_test_setup_teardown(test_bad_image_build, setup_build, teardown_build),
        cmocka_unit_test_setup_teardown(test_build_layout, setup_build, teardown_build),
        cmocka_unit_test_setup_teardown(test_build_page_tables, setup_build, teardown_build),
        cmocka_unit_test_setup_teardown(test_build_descriptors, setup_build, teardown_build),
        cmocka_unit_test_setup_teardown(test_build_no_iowin, setup_build, teardown_build),
        cmocka_unit_test_setup_teardown(test_build_page_table_exhaustion, setup_build,
                                        teardown_build),
        cmocka_unit_test_setup_teardown(test_build_max, setup_build, teardown_build),
    };

    return cmocka_run_group_tests_name("builder", tests, NULL, NULL);
}
