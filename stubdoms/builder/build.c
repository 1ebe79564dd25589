/* SPDX-License-Identifier: MIT */
/*
 * Domain builder: memory layout of a new x86-64 PV domain (pure, no system calls).
 * References: Intel SDM Vol.3A §3.4.5 (segment descriptors), §5.2.1 (64-bit code
 * segments), §6.14.1 (64-bit IDT gates), §8.7 (task management in 64-bit mode,
 * 64-bit TSS; §7.7 in older editions), §4.5 (4-level paging).
 */
#include "build.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <xenia/hypercall.h>
#include <xenia/layout.h>
#include <xenia/start_info.h>

#include "elf.h"

#define PAGE      ((uint64_t)XENIA_PAGE_SIZE)
#define PAGE_MASK (PAGE - 1)
#define LARGE     (2ull << 20)        /* 2 MiB page (PDE.PS) */
#define MIB       (1ull << 20)
#define VA_LIMIT  (1ull << 47)        /* end of the canonical lower half */

/* Flat descriptors with the accessed bit preset, so that the CPU never needs
 * to write the (read-only mapped) GDT. Same values as Linux GDT_ENTRY_INIT. */
#define GDT_KERNEL_CS 0x00af9b000000ffffull  /* L=1, D=0, DPL0, code RX, accessed */
#define GDT_KERNEL_DS 0x00cf93000000ffffull  /* DPL0, data RW, accessed */
#define GDT_USER_DS   0x00cff3000000ffffull  /* DPL3, data RW, accessed */
#define GDT_USER_CS   0x00affb000000ffffull  /* L=1, D=0, DPL3, code RX, accessed */
#define TSS_TYPE_BUSY 0xbu                   /* 64-bit TSS (busy), as hv loads TR */
#define IDT_TYPE_INTR 0x8eu                  /* present, DPL0, 64-bit interrupt gate */

/* Leaf permissions used by the layout. */
#define F_USER_RO   (XB_PTE_P | XB_PTE_US | XB_PTE_A | XB_PTE_NX)
#define F_USER_RW   (XB_PTE_P | XB_PTE_RW | XB_PTE_US | XB_PTE_A | XB_PTE_D | XB_PTE_NX)
#define F_SUPER_RO  (XB_PTE_P | XB_PTE_A | XB_PTE_NX)
#define F_SUPER_RX  (XB_PTE_P | XB_PTE_A)
#define F_SUPER_RW  (XB_PTE_P | XB_PTE_RW | XB_PTE_A | XB_PTE_D | XB_PTE_NX)
/* Non-leaf entries allow everything; the leaf decides (SDM §4.6.1). */
#define F_TABLE     (XB_PTE_P | XB_PTE_RW | XB_PTE_US | XB_PTE_A)

struct errbuf {
    char *buf;
    size_t len;
};

static int fail(struct errbuf *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a reason and return rc (a negative XENIA_E*). */
static int fail(struct errbuf *e, int rc, const char *fmt, ...)
{
    va_list ap;

    if (e->len > 0) {
        va_start(ap, fmt);
        vsnprintf(e->buf, e->len, fmt, ap);
        va_end(ap);
    }
    return rc;
}

static void st16(uint8_t *ram, uint64_t gpa, uint16_t v) { memcpy(ram + gpa, &v, 2); }
static void st32(uint8_t *ram, uint64_t gpa, uint32_t v) { memcpy(ram + gpa, &v, 4); }
static void st64(uint8_t *ram, uint64_t gpa, uint64_t v) { memcpy(ram + gpa, &v, 8); }
static uint64_t ld64(const uint8_t *ram, uint64_t gpa)
{
    uint64_t v;
    memcpy(&v, ram + gpa, 8);
    return v;
}

int xb_req_check(const struct xenia_build_req *req, char *err, size_t errlen)
{
    struct errbuf e = { err, errlen };

    if (errlen > 0)
        err[0] = '\0';
    if (req->magic != XENIA_BUILD_MAGIC)
        return fail(&e, -XENIA_EPROTO, "bad request magic %#x", req->magic);
    if (req->version != XENIA_BUILD_VERSION)
        return fail(&e, -XENIA_EPROTO, "unsupported request version %u (want %u)",
                    req->version, XENIA_BUILD_VERSION);
    for (unsigned i = 0; i < sizeof(req->pad) / sizeof(req->pad[0]); i++)
        if (req->pad[i] != 0)
            return fail(&e, -XENIA_EINVAL, "request pad[%u] is not zero", i);
    if (memchr(req->cmdline, '\0', sizeof(req->cmdline)) == NULL)
        return fail(&e, -XENIA_EINVAL, "command line is not NUL-terminated within %u bytes",
                    XENIA_CMDLINE_MAX);
    if (req->vcpus != 1)
        return fail(&e, -XENIA_EINVAL, "%u vCPUs requested; the builder supports 1",
                    req->vcpus);
    if (req->ram_bytes & PAGE_MASK)
        return fail(&e, -XENIA_EINVAL, "RAM size %#llx is not a page multiple",
                    (unsigned long long)req->ram_bytes);
    if (req->ram_bytes < XENIA_MEM_MIN_MIB * MIB || req->ram_bytes > XENIA_MEM_MAX_MIB * MIB)
        return fail(&e, -XENIA_EINVAL, "RAM size %#llx is outside [%u, %u] MiB",
                    (unsigned long long)req->ram_bytes, XENIA_MEM_MIN_MIB, XENIA_MEM_MAX_MIB);
    if (req->iowin_bytes != 0) {
        if ((req->iowin_gpa | req->iowin_bytes) & PAGE_MASK)
            return fail(&e, -XENIA_EINVAL, "I/O window [%#llx,+%#llx) is not page aligned",
                        (unsigned long long)req->iowin_gpa,
                        (unsigned long long)req->iowin_bytes);
        if (req->iowin_gpa < req->ram_bytes || req->iowin_gpa > VA_LIMIT ||
            req->iowin_bytes > VA_LIMIT - req->iowin_gpa)
            return fail(&e, -XENIA_EINVAL, "I/O window [%#llx,+%#llx) must lie between the "
                        "end of RAM %#llx and %#llx", (unsigned long long)req->iowin_gpa,
                        (unsigned long long)req->iowin_bytes,
                        (unsigned long long)req->ram_bytes, (unsigned long long)VA_LIMIT);
        /* The grant-map area is mapped by every build: the window may not overlap it. */
        if (req->iowin_gpa < XENIA_GNTMAP_GPA + (uint64_t)XENIA_GNTMAP_PAGES * PAGE &&
            XENIA_GNTMAP_GPA < req->iowin_gpa + req->iowin_bytes)
            return fail(&e, -XENIA_EINVAL, "I/O window [%#llx,+%#llx) overlaps the grant-map "
                        "area [%#llx,+%#llx)", (unsigned long long)req->iowin_gpa,
                        (unsigned long long)req->iowin_bytes,
                        (unsigned long long)XENIA_GNTMAP_GPA,
                        (unsigned long long)XENIA_GNTMAP_PAGES * PAGE);
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Page tables (Intel SDM Vol.3A §4.5, 4-level paging, identity map).        */
/* ------------------------------------------------------------------------- */

struct pt {
    uint8_t *ram;
    uint64_t pml4;     /* GPA of the PML4 */
    uint64_t next;     /* next free page in the pool */
    struct errbuf *e;
};

/* Take a zeroed page from the pool; -XENIA_ENOMEM when the pool is exhausted. */
static int pt_alloc(struct pt *p, uint64_t *gpa)
{
    if (p->next >= XB_PT_POOL_END)
        return fail(p->e, -XENIA_ENOMEM, "page tables need more than the %llu pages of "
                    "the builder area [%#llx,%#llx)",
                    (unsigned long long)((XB_PT_POOL_END - XB_PT_POOL_GPA) / PAGE),
                    (unsigned long long)XB_PT_POOL_GPA, (unsigned long long)XB_PT_POOL_END);
    *gpa = p->next;
    memset(p->ram + p->next, 0, PAGE);
    p->next += PAGE;
    return 0;
}

/* Return in *child the table that entry idx of `table` points to, creating it. */
static int pt_descend(struct pt *p, uint64_t table, unsigned idx, uint64_t va,
                      uint64_t *child)
{
    uint64_t slot = table + 8ull * idx;
    uint64_t ent = ld64(p->ram, slot);
    int rc;

    if (ent & XB_PTE_P) {
        if (ent & XB_PTE_PS)
            return fail(p->e, -XENIA_EINVAL, "internal: %#llx already mapped by a large page",
                        (unsigned long long)va);
        *child = ent & XB_PTE_ADDR;
        return 0;
    }
    rc = pt_alloc(p, child);
    if (rc < 0)
        return rc;
    st64(p->ram, slot, *child | F_TABLE);
    return 0;
}

/* Map one page of `size` (4 KiB or 2 MiB) at va -> va with leaf flags. */
static int pt_map_one(struct pt *p, uint64_t va, uint64_t size, uint64_t flags)
{
    uint64_t pdpt, pd, pt, slot;
    int rc;

    rc = pt_descend(p, p->pml4, (va >> 39) & 511, va, &pdpt);
    if (rc < 0)
        return rc;
    rc = pt_descend(p, pdpt, (va >> 30) & 511, va, &pd);
    if (rc < 0)
        return rc;
    if (size == LARGE) {
        slot = pd + 8ull * ((va >> 21) & 511);
        if (ld64(p->ram, slot) & XB_PTE_P)
            return fail(p->e, -XENIA_EINVAL, "internal: %#llx mapped twice",
                        (unsigned long long)va);
        st64(p->ram, slot, va | flags | XB_PTE_PS);
        return 0;
    }
    rc = pt_descend(p, pd, (va >> 21) & 511, va, &pt);
    if (rc < 0)
        return rc;
    slot = pt + 8ull * ((va >> 12) & 511);
    if (ld64(p->ram, slot) & XB_PTE_P)
        return fail(p->e, -XENIA_EINVAL, "internal: %#llx mapped twice",
                    (unsigned long long)va);
    st64(p->ram, slot, va | flags);
    return 0;
}

/*
 * Identity-map [va, va + len) (both page aligned, no wrap, below 2^47) with
 * leaf flags; use 2 MiB pages where va is 2 MiB aligned and 2 MiB remain,
 * if allow_large, else 4 KiB pages.
 */
static int pt_map(struct pt *p, uint64_t va, uint64_t len, uint64_t flags, int allow_large)
{
    int rc;

    while (len > 0) {
        uint64_t size = (allow_large && (va & (LARGE - 1)) == 0 && len >= LARGE) ? LARGE : PAGE;
        rc = pt_map_one(p, va, size, flags);
        if (rc < 0)
            return rc;
        va += size;
        len -= size;
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Descriptor tables                                                          */
/* ------------------------------------------------------------------------- */

/* GDT (layout.h selectors) with a 64-bit TSS descriptor (SDM §8.2.3, Fig. 8-4). */
static void write_gdt(uint8_t *ram)
{
    uint64_t base = XB_TSS_GPA, lim = XB_TSS_LIMIT;
    uint64_t lo = (lim & 0xffff) | ((base & 0xffffff) << 16) |
                  ((uint64_t)(TSS_TYPE_BUSY | 0x80) << 40) |   /* type, S=0, DPL0, P */
                  (((lim >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);

    st64(ram, XB_GDT_GPA + 0x00, 0);
    st64(ram, XB_GDT_GPA + XENIA_SEL_KERNEL_CS, GDT_KERNEL_CS);
    st64(ram, XB_GDT_GPA + XENIA_SEL_KERNEL_DS, GDT_KERNEL_DS);
    st64(ram, XB_GDT_GPA + (XENIA_SEL_USER_DS & ~3u), GDT_USER_DS);
    st64(ram, XB_GDT_GPA + (XENIA_SEL_USER_CS & ~3u), GDT_USER_CS);
    st64(ram, XB_GDT_GPA + XENIA_SEL_TSS, lo);
    st64(ram, XB_GDT_GPA + XENIA_SEL_TSS + 8, base >> 32);
}

/*
 * 64-bit TSS (SDM §8.7, Fig. 8-11; I/O permission bit map: SDM Vol.1 §19.5.2):
 * RSP0 = top of the exception stack; no IST. The I/O bit map covers ports
 * 0..255 and allows CPL3 only XENIA_HCALL_PORT and the four event channel
 * notify ports XENIA_EVTCHN_NOTIFY_PORT..+3; a 0xff byte ends it. (PVM
 * ignores RFLAGS.IOPL and checks CPL3 port I/O against this map instead.)
 */
static void write_tss(uint8_t *ram)
{
    uint64_t map = XB_TSS_GPA + XB_TSS_IOMAP;

    st64(ram, XB_TSS_GPA + 4, XB_EXC_STACK_TOP);        /* RSP0 */
    st16(ram, XB_TSS_GPA + 102, XB_TSS_IOMAP);          /* I/O map base */
    memset(ram + map, 0xff, XB_TSS_IOMAP_BYTES + 1);    /* deny all, then the 0xff end */
    ram[map + XENIA_HCALL_PORT / 8] &= (uint8_t)~(1u << (XENIA_HCALL_PORT % 8));
    for (unsigned p = XENIA_EVTCHN_NOTIFY_PORT; p < XENIA_EVTCHN_NOTIFY_PORT + 4; p++)
        ram[map + p / 8] &= (uint8_t)~(1u << (p % 8));
}

/*
 * Exception stubs and IDT (SDM §6.14.1, Fig. 6-8). Stub V is
 *   e6 (c0+V)   outb %al, $(XENIA_EXC_PORT_BASE + V)
 *   f4          hlt
 *   eb fd       jmp back to the hlt
 *   cc cc cc    padding (int3)
 * It changes no register; hv reads the hardware frame at rsp.
 */
static void write_idt_and_stubs(uint8_t *ram)
{
    for (unsigned v = 0; v < XENIA_EXC_VECTORS; v++) {
        uint64_t stub = XB_STUBS_GPA + (uint64_t)v * XB_STUB_BYTES;
        const uint8_t code[XB_STUB_BYTES] = {
            0xe6, (uint8_t)(XENIA_EXC_PORT_BASE + v), 0xf4, 0xeb, 0xfd, 0xcc, 0xcc, 0xcc
        };
        uint64_t gate = XB_IDT_GPA + 16ull * v;

        memcpy(ram + stub, code, sizeof(code));
        st16(ram, gate + 0, (uint16_t)stub);
        st16(ram, gate + 2, XENIA_SEL_KERNEL_CS);
        ram[gate + 4] = 0;                               /* IST 0 */
        ram[gate + 5] = IDT_TYPE_INTR;
        st16(ram, gate + 6, (uint16_t)(stub >> 16));
        st32(ram, gate + 8, (uint32_t)(stub >> 32));
        st32(ram, gate + 12, 0);
    }
}

/* Start-info page (start_info.h). */
static void write_start_info(uint8_t *ram, const struct xenia_build_req *req,
                             const struct xb_image *img)
{
    struct xenia_start_info si;

    memset(&si, 0, sizeof(si));
    memcpy(si.magic, XENIA_START_INFO_MAGIC, sizeof(si.magic));
    si.version = XENIA_START_INFO_VERSION;
    si.domid = req->domid;
    si.ram_bytes = req->ram_bytes;
    si.shared_page = XENIA_SHARED_PAGE_GPA;
    si.image_start = img->start;
    si.image_end = img->end;
    si.heap_start = img->end;
    si.heap_end = xb_image_limit(req->ram_bytes);
    si.stack_top = req->ram_bytes;
    si.stack_bytes = XENIA_GUEST_STACK_BYTES;
    si.iowin_gpa = req->iowin_bytes ? req->iowin_gpa : 0;
    si.iowin_bytes = req->iowin_bytes;
    si.console_port = req->console_port;
    si.control_port = req->control_port;
    si.nr_vcpus = req->vcpus;
    si.flags = 0;
    si.cons_ring_port = XENIA_PORT_CONS_RING;
    si.blk_port = XENIA_PORT_BLK;
    memcpy(si.cmdline, req->cmdline, sizeof(si.cmdline));
    si.cmdline[sizeof(si.cmdline) - 1] = '\0';
    memcpy(ram + XENIA_START_INFO_GPA, &si, sizeof(si));
}

/* Copy the segments and zero their bss (segments were validated by xb_elf_check). */
static void load_segments(uint8_t *ram, const uint8_t *image, const struct xb_image *img)
{
    memset(ram + img->start, 0, img->end - img->start);
    for (uint32_t i = 0; i < img->nr_segs; i++) {
        const struct xb_segment *s = &img->segs[i];
        memcpy(ram + s->vaddr, image + s->offset, s->filesz);
    }
}

static uint64_t seg_flags(uint32_t f)
{
    uint64_t fl = XB_PTE_P | XB_PTE_US | XB_PTE_A;

    if (f & XB_SEG_W)
        fl |= XB_PTE_RW | XB_PTE_D;
    if (!(f & XB_SEG_X))
        fl |= XB_PTE_NX;
    return fl;
}

static int build_page_tables(struct pt *p, const struct xenia_build_req *req,
                             const struct xb_image *img)
{
    uint64_t guard = xb_image_limit(req->ram_bytes);
    uint64_t stack = req->ram_bytes - XENIA_GUEST_STACK_BYTES;
    int rc;

    p->next = XB_PT_POOL_GPA;
    rc = pt_alloc(p, &p->pml4);
    if (rc < 0)
        return rc;
    /* Page 0 and the exception-stack guard page stay not present. */
    if ((rc = pt_map(p, XENIA_START_INFO_GPA, PAGE, F_USER_RO, 0)) < 0 ||
        (rc = pt_map(p, XENIA_SHARED_PAGE_GPA, PAGE, F_USER_RW, 0)) < 0 ||
        (rc = pt_map(p, XB_GDT_GPA, PAGE, F_SUPER_RO, 0)) < 0 ||
        (rc = pt_map(p, XB_IDT_GPA, PAGE, F_SUPER_RO, 0)) < 0 ||
        (rc = pt_map(p, XB_STUBS_GPA, PAGE, F_SUPER_RX, 0)) < 0 ||
        (rc = pt_map(p, XB_EXC_STACK_GPA, PAGE, F_SUPER_RW, 0)) < 0)
        return rc;
    for (uint32_t i = 0; i < img->nr_segs; i++) {
        const struct xb_segment *s = &img->segs[i];
        uint64_t lo = s->vaddr & ~PAGE_MASK;
        uint64_t hi = (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
        rc = pt_map(p, lo, hi - lo, seg_flags(s->flags), 0);
        if (rc < 0)
            return rc;
    }
    /* Heap up to the stack guard page (not present), then the stack. */
    if ((rc = pt_map(p, img->end, guard - img->end, F_USER_RW, 1)) < 0 ||
        (rc = pt_map(p, stack, XENIA_GUEST_STACK_BYTES, F_USER_RW, 1)) < 0)
        return rc;
    if (req->iowin_bytes != 0)
        rc = pt_map(p, req->iowin_gpa, req->iowin_bytes, F_USER_RW, 1);
    /* Grant-map area (hypercall.h): mapped here, backed only while hv maps a grant. */
    if (rc == 0)
        rc = pt_map(p, XENIA_GNTMAP_GPA, (uint64_t)XENIA_GNTMAP_PAGES * PAGE, F_USER_RW, 1);
    return rc;
}

int xb_build(uint8_t *ram, uint64_t ram_bytes, const uint8_t *image, size_t image_bytes,
             const struct xenia_build_req *req, struct xenia_build_resp *resp)
{
    struct errbuf e = { resp->errmsg, sizeof(resp->errmsg) };
    struct xb_image img;          /* ~2.6 KiB */
    struct pt p;
    int rc;

    memset(resp, 0, sizeof(*resp));
    resp->magic = XENIA_BUILD_MAGIC;
    resp->version = XENIA_BUILD_VERSION;

    rc = xb_req_check(req, resp->errmsg, sizeof(resp->errmsg));
    if (rc < 0)
        goto out;
    if (ram_bytes != req->ram_bytes) {
        rc = fail(&e, -XENIA_EINVAL, "RAM is %#llx bytes but the request says %#llx",
                  (unsigned long long)ram_bytes, (unsigned long long)req->ram_bytes);
        goto out;
    }
    rc = xb_elf_check(image, image_bytes, ram_bytes, &img, resp->errmsg,
                      sizeof(resp->errmsg));
    if (rc < 0)
        goto out;

    /*
     * Zero the fixed pages we own (page 0, start-info, GDT/TSS, IDT, stubs, exception
     * stack: 7 pages); page-table pages are zeroed as the pool hands them out. The
     * rest of the builder area is left untouched: zeroing all 2 MiB cost ~1.5 ms per
     * launch and populated 2 MiB of shmem per domain (RAM is a fresh memfd anyway).
     */
    memset(ram, 0, XENIA_SHARED_PAGE_GPA);
    memset(ram + XENIA_BUILDER_AREA_GPA, 0, XB_PT_POOL_GPA - XENIA_BUILDER_AREA_GPA);
    p.ram = ram;
    p.e = &e;
    rc = build_page_tables(&p, req, &img);
    if (rc < 0)
        goto out;
    write_start_info(ram, req, &img);
    write_gdt(ram);
    write_tss(ram);
    write_idt_and_stubs(ram);
    load_segments(ram, image, &img);

    resp->rip = img.entry;
    resp->rsp = req->ram_bytes;
    resp->rdi = XENIA_START_INFO_GPA;
    resp->cr3 = p.pml4;
    resp->gdt_base = XB_GDT_GPA;
    resp->idt_base = XB_IDT_GPA;
    resp->tss_base = XB_TSS_GPA;
    resp->gdt_limit = XB_GDT_LIMIT;
    resp->idt_limit = XB_IDT_LIMIT;
    resp->tss_limit = XB_TSS_LIMIT;
    resp->image_start = img.start;
    resp->image_end = img.end;
    resp->reserved_end = p.next;
out:
    resp->status = rc;
    if (rc < 0 && resp->errmsg[0] == '\0')
        snprintf(resp->errmsg, sizeof(resp->errmsg), "build failed (%d)", rc);
    return rc;
}
