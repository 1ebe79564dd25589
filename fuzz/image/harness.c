/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the domain builder's pure code (stubdoms/builder/build.c
 * xb_req_check() and xb_build(), stubdoms/builder/elf.c xb_elf_check()), fed
 * what a hostile tenant controls: the guest image and the build request.
 *
 * Input layout:
 *   bytes [0, 64)   struct xenia_build_req up to cmdline (magic .. pad[4]), as is
 *   bytes [64, 80)  the first 16 bytes of cmdline; the other 1008 bytes are 0
 *                   when those 16 hold a NUL, else all equal to byte 79 (so a
 *                   request with no NUL in all 1024 bytes is reachable)
 *   bytes [80, ..)  the image, copied to an exact-size heap buffer
 * (The prefix is shortened from the 1088-byte request so that mutations are not
 * spent on command-line bytes that only the NUL check and a memcpy look at.)
 *
 * RAM: one reservation made on the first run and kept: RAM_MAX bytes of window
 * between PROT_NONE guards (1 GiB below, 64 GiB above: past XENIA_IOWIN_GPA and
 * XENIA_GNTMAP_GPA), of which the first ram_bytes are read-write for this run.
 * A build that writes outside [ram, ram + ram_bytes) faults (SIGSEGV) there.
 * Requests with ram_bytes > RAM_MAX are checked but built only into a 4 MiB
 * buffer, where xb_build must refuse the size mismatch without writing.
 *
 * Invariants (abort() if broken):
 *  - xb_elf_check accepts exactly the images an independent re-implementation of
 *    its documented rules (elf.h) accepts; on acceptance its segment list is the
 *    image's non-empty PT_LOADs, and every segment lies in the page-rounded
 *    range [XENIA_IMAGE_BASE_MIN, xb_image_limit(ram_bytes)).
 *  - errors are negative XENIA_E* codes with a NUL-terminated reason.
 *  - xb_build returns the request's or the image's rejection unchanged and then
 *    has written nothing (sentinels in page 0 survive); it never builds an image
 *    xb_elf_check rejects; otherwise it returns 0 or -XENIA_ENOMEM.
 *  - after a successful build: the response matches the image (entry, range,
 *    cr3, rsp, limits, zero padding); segment bytes equal the file bytes and bss
 *    is zero; every RAM page and the I/O window / grant-map ends are mapped as
 *    build.h says (identity, user/supervisor, RW, NX, W^X everywhere; page 0,
 *    guards and page tables not present), with tables inside the builder pool;
 *    the shared page, the guard page and the stack top are not written.
 */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenia/builder.h>
#include <xenia/hypercall.h>
#include <xenia/layout.h>

#include "stubdoms/builder/build.h"
#include "stubdoms/builder/elf.h"

#define PAGE      4096ull
#define MIB       (1ull << 20)
#define GIB       (1ull << 30)
#define RAM_MAX   (16 * MIB)
#define GUARD_LO  GIB
#define GUARD_HI  (64 * GIB)
#define HDR       64u
#define CMD_HEAD  16u
#define PREFIX    (HDR + CMD_HEAD)
#define SENTINEL  0x5eb7195eb7195eb7ull

static uint8_t *ram;            /* RAM_MAX window inside the reservation */
static uint64_t ram_rw;         /* bytes of the window currently read-write */
static const uint8_t zero_page[PAGE];

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static volatile unsigned boundary_hits;
static void __attribute__((noinline)) boundary(unsigned what) { boundary_hits += what; }

static void ram_setup(uint64_t bytes)
{
    if (ram == NULL) {
        uint8_t *base = mmap(NULL, GUARD_LO + RAM_MAX + GUARD_HI, PROT_NONE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        CHECK(base != MAP_FAILED);
        ram = base + GUARD_LO;
    }
    if (bytes != ram_rw) {
        CHECK(mprotect(ram, RAM_MAX, PROT_NONE) == 0);
        CHECK(mprotect(ram, bytes, PROT_READ | PROT_WRITE) == 0);
        ram_rw = bytes;
    }
}

static uint64_t rd64(uint64_t gpa)
{
    uint64_t v;

    CHECK(gpa <= ram_rw - 8);
    memcpy(&v, ram + gpa, 8);
    return v;
}

static void wr64(uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }

static int err_ok(int rc, const char *msg, size_t len)
{
    return (rc == -XENIA_ENOEXEC || rc == -XENIA_EINVAL || rc == -XENIA_EPROTO ||
            rc == -XENIA_ENOMEM) && memchr(msg, '\0', len) != NULL;
}

/* ---- independent ELF rules (elf.h), sharing no code with elf.c ------------ */

static uint64_t ref_limit(uint64_t ram_bytes)
{
    uint64_t reserve = XENIA_GUEST_STACK_BYTES + PAGE;

    if (ram_bytes < XENIA_IMAGE_BASE_MIN + reserve)
        return 0;
    return (ram_bytes - reserve) / PAGE * PAGE;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

struct ref_seg { uint64_t vaddr, memsz, offset, filesz, flags, index; };

/* 1 when the documented rules accept the image; the loadable segments in s[]. */
static int ref_accepts(const uint8_t *img, size_t len, uint64_t ram_bytes,
                       struct ref_seg *s, unsigned *ns)
{
    static const uint8_t ident[7] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
    uint64_t limit = ref_limit(ram_bytes);

    *ns = 0;
    if (len < 64 || memcmp(img, ident, 7) != 0 || le(img + 16, 2) != 2 ||
        le(img + 18, 2) != 62 || le(img + 20, 4) != 1 || le(img + 54, 2) != 56)
        return 0;
    uint64_t entry = le(img + 24, 8), phoff = le(img + 32, 8), phnum = le(img + 56, 2);
    if (phnum < 1 || phnum > XENIA_IMAGE_MAX_PHDRS || phoff > len ||
        len - phoff < phnum * 56 || limit == 0)
        return 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *p = img + phoff + 56ull * i;
        uint64_t type = le(p, 4), flags = le(p + 4, 4), off = le(p + 8, 8);
        uint64_t va = le(p + 16, 8), fsz = le(p + 32, 8), msz = le(p + 40, 8);
        unsigned __int128 end = (unsigned __int128)va + msz;

        if (type == 2 || type == 3 || type == 7)
            return 0;
        if (type != 1 || msz == 0)
            continue;
        if (fsz > msz || (unsigned __int128)off + fsz > len || end > UINT64_MAX ||
            va / PAGE * PAGE < XENIA_IMAGE_BASE_MIN ||
            (end + PAGE - 1) / PAGE * PAGE > limit || ((flags & 2) && (flags & 1)))
            return 0;
        for (unsigned j = 0; j < *ns; j++)
            if (va / PAGE < (s[j].vaddr + s[j].memsz + PAGE - 1) / PAGE &&
                s[j].vaddr / PAGE < (end + PAGE - 1) / PAGE)
                return 0;
        s[*ns] = (struct ref_seg){ va, msz, off, fsz, flags & 7, i };
        (*ns)++;
    }
    if (*ns == 0)
        return 0;
    for (unsigned j = 0; j < *ns; j++)
        if ((s[j].flags & 1) && entry >= s[j].vaddr && entry - s[j].vaddr < s[j].memsz)
            return 1;
    return 0;
}

/* ---- page-table walk (Intel SDM Vol.3A §4.5) ------------------------------ */

enum kind { K_NONE, K_URO, K_URW, K_URX, K_SRO, K_SRW, K_SRX };

static enum kind walk(uint64_t cr3, uint64_t reserved_end, uint64_t va)
{
    uint64_t table = cr3;
    int user = 1, write = 1, nx = 0;

    for (int level = 3; level >= 0; level--) {
        CHECK(table >= XB_PT_POOL_GPA && table < reserved_end && (table & (PAGE - 1)) == 0);
        uint64_t e = rd64(table + 8 * ((va >> (12 + 9 * level)) & 511));
        if (!(e & XB_PTE_P))
            return K_NONE;
        user &= !!(e & XB_PTE_US);
        write &= !!(e & XB_PTE_RW);
        nx |= !!(e & XB_PTE_NX);
        if (level == 0 || (e & XB_PTE_PS)) {
            CHECK(level <= 1);                             /* no 1 GiB pages */
            uint64_t size = 1ull << (12 + 9 * level);
            CHECK((e & XB_PTE_ADDR & ~(size - 1)) == (va & ~(size - 1)));  /* identity */
            CHECK(!write || nx);                           /* W^X */
            if (user)
                return write ? K_URW : nx ? K_URO : K_URX;
            return write ? K_SRW : nx ? K_SRO : K_SRX;
        }
        table = e & XB_PTE_ADDR;
    }
    abort();
}

static enum kind seg_kind(uint64_t f)
{
    return (f & PF_W) ? K_URW : (f & PF_X) ? K_URX : K_URO;
}

/* What build.h says the page at va (in RAM) must be. */
static enum kind expected(uint64_t va, const struct xenia_build_req *req,
                          const struct xb_image *im)
{
    uint64_t guard = ref_limit(req->ram_bytes);

    switch (va) {
    case XENIA_START_INFO_GPA:  return K_URO;
    case XENIA_SHARED_PAGE_GPA: return K_URW;
    case XB_GDT_GPA:
    case XB_IDT_GPA:            return K_SRO;
    case XB_STUBS_GPA:          return K_SRX;
    case XB_EXC_STACK_GPA:      return K_SRW;
    }
    if (va < im->start)
        return K_NONE;           /* page 0, guard, page tables, free builder area */
    if (va < im->end) {
        for (uint32_t i = 0; i < im->nr_segs; i++) {
            const struct xb_segment *s = &im->segs[i];
            if (va + PAGE > s->vaddr && va < s->vaddr + s->memsz)
                return seg_kind(s->flags);
        }
        return K_NONE;           /* hole between segments */
    }
    if (va < guard)
        return K_URW;            /* heap */
    if (va == guard)
        return K_NONE;
    return K_URW;                /* stack */
}

static void check_built(const uint8_t *img, const struct xenia_build_req *req,
                        const struct xb_image *im, const struct xenia_build_resp *r)
{
    uint64_t limit = ref_limit(req->ram_bytes);

    CHECK(r->rip == im->entry && r->rsp == req->ram_bytes &&
          r->rdi == XENIA_START_INFO_GPA && r->cr3 == XB_PT_POOL_GPA);
    CHECK(r->gdt_base == XB_GDT_GPA && r->idt_base == XB_IDT_GPA &&
          r->tss_base == XB_TSS_GPA && r->gdt_limit == XB_GDT_LIMIT &&
          r->idt_limit == XB_IDT_LIMIT && r->tss_limit == XB_TSS_LIMIT);
    CHECK(r->pad0 == 0 && r->pad1 == 0 && r->pad2 == 0 && r->pad3[0] == 0 &&
          r->pad3[1] == 0 && r->pad3[2] == 0 && r->pad3[3] == 0);
    CHECK(r->image_start == im->start && r->image_end == im->end &&
          im->start >= XENIA_IMAGE_BASE_MIN && im->end <= limit && im->start < im->end);
    CHECK(r->reserved_end > XB_PT_POOL_GPA && r->reserved_end <= XB_PT_POOL_END);

    /* Loaded bytes and bss. */
    for (uint32_t i = 0; i < im->nr_segs; i++) {
        const struct xb_segment *s = &im->segs[i];
        CHECK(memcmp(ram + s->vaddr, img + s->offset, s->filesz) == 0);
        for (uint64_t a = s->vaddr + s->filesz, n; a < s->vaddr + s->memsz; a += n) {
            n = s->vaddr + s->memsz - a < PAGE ? s->vaddr + s->memsz - a : PAGE;
            CHECK(memcmp(ram + a, zero_page, n) == 0);
        }
    }
    /* Not written by the builder. */
    CHECK(rd64(XENIA_SHARED_PAGE_GPA) == SENTINEL && rd64(limit) == SENTINEL &&
          rd64(req->ram_bytes - 8) == SENTINEL);

    /* Every RAM page, then what lies above RAM. */
    for (uint64_t va = 0; va < req->ram_bytes; va += PAGE)
        CHECK(walk(r->cr3, r->reserved_end, va) == expected(va, req, im));
    if (req->iowin_bytes != 0) {
        CHECK(walk(r->cr3, r->reserved_end, req->iowin_gpa) == K_URW);
        CHECK(walk(r->cr3, r->reserved_end, req->iowin_gpa + req->iowin_bytes - PAGE) == K_URW);
    }
    if (req->iowin_bytes == 0 || req->iowin_gpa != req->ram_bytes)
        CHECK(walk(r->cr3, r->reserved_end, req->ram_bytes) == K_NONE);
    CHECK(walk(r->cr3, r->reserved_end, XENIA_GNTMAP_GPA) == K_URW);
    CHECK(walk(r->cr3, r->reserved_end,
               XENIA_GNTMAP_GPA + (XENIA_GNTMAP_PAGES - 1) * PAGE) == K_URW);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xenia_build_req req;
    static struct xenia_build_resp resp;
    static struct xb_image im;
    static struct ref_seg ref[XENIA_IMAGE_MAX_PHDRS];
    char err[256];
    unsigned nref;

    if (size < PREFIX)
        return 0;
    memset(&req, 0, sizeof(req));
    memcpy(&req, data, HDR);
    memcpy(req.cmdline, data + HDR, CMD_HEAD);
    if (memchr(req.cmdline, '\0', CMD_HEAD) == NULL)
        memset(req.cmdline + CMD_HEAD, data[PREFIX - 1], sizeof(req.cmdline) - CMD_HEAD);

    size_t len = size - PREFIX;
    uint8_t *img = malloc(len ? len : 1);
    CHECK(img != NULL);
    memcpy(img, data + PREFIX, len);

    /* The request alone. */
    memset(err, 0x7f, sizeof(err));
    int req_rc = xb_req_check(&req, err, sizeof(err));
    CHECK(req_rc == 0 || ((req_rc == -XENIA_EPROTO || req_rc == -XENIA_EINVAL) &&
                          err_ok(req_rc, err, sizeof(err)) && err[0] != '\0'));

    /* The image alone, against the documented rules. */
    memset(err, 0x7f, sizeof(err));
    int elf_rc = xb_elf_check(img, len, req.ram_bytes, &im, err, sizeof(err));
    int ref_ok = ref_accepts(img, len, req.ram_bytes, ref, &nref);
    CHECK((elf_rc == 0) == ref_ok);
    if (elf_rc == 0) {
        uint64_t limit = xb_image_limit(req.ram_bytes);
        CHECK(limit == ref_limit(req.ram_bytes) && im.nr_segs == nref);
        for (uint32_t i = 0; i < im.nr_segs; i++) {
            const struct xb_segment *s = &im.segs[i];
            CHECK(s->vaddr == ref[i].vaddr && s->memsz == ref[i].memsz &&
                  s->offset == ref[i].offset && s->filesz == ref[i].filesz &&
                  s->flags == ref[i].flags && s->index == ref[i].index);
            CHECK(s->vaddr / PAGE * PAGE >= im.start && s->vaddr + s->memsz <= im.end);
        }
        CHECK(im.start >= XENIA_IMAGE_BASE_MIN && im.end <= limit &&
              (im.start | im.end) % PAGE == 0);
        /* Boundary states as edges of their own, so that libFuzzer keeps (and mutates)
         * the inputs that reach them: an off-by-one in a range check lives next door. */
        if (im.end == limit)
            boundary(1);
        if (im.start == XENIA_IMAGE_BASE_MIN)
            boundary(2);
        if (im.segs[im.nr_segs - 1].vaddr % PAGE != 0)
            boundary(3);
        if (im.entry == im.segs[0].vaddr + im.segs[0].memsz - 1)
            boundary(4);
        if (im.nr_segs > 1 && im.segs[1].vaddr / PAGE ==
                              (im.segs[0].vaddr + im.segs[0].memsz + PAGE - 1) / PAGE)
            boundary(5);            /* two segments in adjacent pages */
        if (im.segs[0].offset + im.segs[0].filesz == len)
            boundary(6);            /* file bytes up to the last byte of the image */
    } else {
        CHECK(elf_rc == -XENIA_ENOEXEC && err_ok(elf_rc, err, sizeof(err)) && err[0] != '\0');
    }

    /* The build. Oversized RAM: a 4 MiB buffer the builder must refuse to use. */
    int fits = req.ram_bytes <= RAM_MAX && req.ram_bytes >= XENIA_MEM_MIN_MIB * MIB &&
               req.ram_bytes % PAGE == 0;
    uint64_t ram_bytes = fits ? req.ram_bytes : XENIA_MEM_MIN_MIB * MIB;
    ram_setup(ram_bytes);
    wr64(0, SENTINEL);
    wr64(XENIA_SHARED_PAGE_GPA, SENTINEL);
    wr64(ram_bytes - 8, SENTINEL);
    if (fits)
        wr64(ref_limit(ram_bytes), SENTINEL);

    int rc = xb_build(ram, ram_bytes, img, len, &req, &resp);
#ifdef IMAGE_DEBUG   /* -DIMAGE_DEBUG: print each decision (for seed checks) */
    fprintf(stderr, "req %d elf %d build %d: %s\n", req_rc, elf_rc, rc, resp.errmsg);
#endif
    CHECK(rc == resp.status && resp.magic == XENIA_BUILD_MAGIC &&
          resp.version == XENIA_BUILD_VERSION);
    if (req_rc != 0 || !fits || elf_rc != 0) {
        /* Refused before anything was written. */
        CHECK(rc == (req_rc ? req_rc : !fits ? -XENIA_EINVAL : elf_rc));
        CHECK(err_ok(rc, resp.errmsg, sizeof(resp.errmsg)) && rd64(0) == SENTINEL &&
              rd64(XENIA_SHARED_PAGE_GPA) == SENTINEL);
    } else if (rc == 0) {
        CHECK(rd64(0) == 0 && resp.errmsg[0] == '\0');
        check_built(img, &req, &im, &resp);
    } else {
        /* Only running out of page-table pool is a legitimate late failure. */
        CHECK(rc == -XENIA_ENOMEM && err_ok(rc, resp.errmsg, sizeof(resp.errmsg)));
    }
    free(img);
    return 0;
}
