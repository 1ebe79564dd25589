/* SPDX-License-Identifier: MIT */
/*
 * Domain builder: static ELF64 image validation (pure, no system calls).
 * References: "ELF-64 Object File Format" v1.5 (§3 ELF header, §5 program
 * header table), System V ABI AMD64 Architecture Processor Supplement §4.1
 * and §5.2.
 */
#include "elf.h"

#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <xenia/layout.h>

#define PAGE      ((uint64_t)XENIA_PAGE_SIZE)
#define PAGE_MASK (PAGE - 1)

static uint64_t page_down(uint64_t a) { return a & ~PAGE_MASK; }

/* Round up to a page; callers guarantee a <= UINT64_MAX - PAGE_MASK. */
static uint64_t page_up(uint64_t a) { return (a + PAGE_MASK) & ~PAGE_MASK; }

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write a reason into err (if any room) and return -XENIA_ENOEXEC. */
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -XENIA_ENOEXEC;
}

uint64_t xb_image_limit(uint64_t ram_bytes)
{
    uint64_t reserve = (uint64_t)XENIA_GUEST_STACK_BYTES + PAGE;

    if (ram_bytes < XENIA_IMAGE_BASE_MIN + reserve)
        return 0;
    return page_down(ram_bytes - reserve);
}

/* Bounded reader: copy the ELF header out of the buffer (len >= sizeof checked). */
static void read_ehdr(const uint8_t *img, Elf64_Ehdr *eh)
{
    memcpy(eh, img, sizeof(*eh));
}

/* Bounded reader: program header i; the caller checked the whole table fits. */
static void read_phdr(const uint8_t *img, uint64_t phoff, uint32_t i, Elf64_Phdr *ph)
{
    memcpy(ph, img + phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static const char *ptype_name(uint32_t t)
{
    switch (t) {
    case PT_INTERP:  return "PT_INTERP (dynamically linked)";
    case PT_DYNAMIC: return "PT_DYNAMIC (dynamically linked)";
    case PT_TLS:     return "PT_TLS (thread-local storage)";
    default:         return "?";
    }
}

/* ELF header checks (ELF-64 v1.5 §3, Figure 2 and Tables 2-5). */
static int check_ehdr(const uint8_t *img, size_t len, Elf64_Ehdr *eh,
                      char *err, size_t errlen)
{
    if (len < sizeof(*eh))
        return fail(err, errlen, "truncated: %zu-byte file is shorter than the "
                    "%zu-byte ELF64 header", len, sizeof(*eh));
    read_ehdr(img, eh);
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return fail(err, errlen, "bad ELF magic %02x %02x %02x %02x (not an ELF file)",
                    eh->e_ident[0], eh->e_ident[1], eh->e_ident[2], eh->e_ident[3]);
    if (eh->e_ident[EI_CLASS] != ELFCLASS64)
        return fail(err, errlen, "ELF class %u is not ELFCLASS64 (2)",
                    eh->e_ident[EI_CLASS]);
    if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
        return fail(err, errlen, "ELF data encoding %u is not little-endian (ELFDATA2LSB)",
                    eh->e_ident[EI_DATA]);
    if (eh->e_ident[EI_VERSION] != EV_CURRENT)
        return fail(err, errlen, "ELF ident version %u is not EV_CURRENT (1)",
                    eh->e_ident[EI_VERSION]);
    if (eh->e_type == ET_DYN)
        return fail(err, errlen, "ELF type ET_DYN (position-independent or shared "
                    "object) is not supported: link a static ET_EXEC image");
    if (eh->e_type != ET_EXEC)
        return fail(err, errlen, "ELF type %u is not ET_EXEC (2)", eh->e_type);
    if (eh->e_machine != EM_X86_64)
        return fail(err, errlen, "ELF machine %u is not EM_X86_64 (62)", eh->e_machine);
    if (eh->e_version != EV_CURRENT)
        return fail(err, errlen, "ELF version %u is not EV_CURRENT (1)", eh->e_version);
    if (eh->e_phnum == 0)
        return fail(err, errlen, "no program headers (e_phnum is 0)");
    if (eh->e_phnum > XENIA_IMAGE_MAX_PHDRS)
        return fail(err, errlen, "too many program headers: %u (at most %u)",
                    eh->e_phnum, XENIA_IMAGE_MAX_PHDRS);
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return fail(err, errlen, "program header entry size %u is not %zu",
                    eh->e_phentsize, sizeof(Elf64_Phdr));
    /* e_phnum <= 64 and entries are 56 bytes: the table size cannot overflow. */
    uint64_t tbl = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    if (eh->e_phoff > len || tbl > len - eh->e_phoff)
        return fail(err, errlen, "truncated: program header table at offset %llu + "
                    "%zu*%u bytes runs past the end of the %zu-byte file",
                    (unsigned long long)eh->e_phoff, sizeof(Elf64_Phdr),
                    eh->e_phnum, len);
    return 0;
}

/* One PT_LOAD (ELF-64 v1.5 §5, Figure 3 and Table 16). */
static int check_load(const Elf64_Phdr *ph, uint32_t i, size_t len, uint64_t limit,
                      struct xb_segment *seg, char *err, size_t errlen)
{
    if (ph->p_filesz > ph->p_memsz)
        return fail(err, errlen, "segment %u: file size %#llx exceeds memory size %#llx",
                    i, (unsigned long long)ph->p_filesz, (unsigned long long)ph->p_memsz);
    if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
        return fail(err, errlen, "truncated: segment %u file bytes [%#llx,+%#llx) run "
                    "past the end of the %zu-byte file", i,
                    (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz, len);
    if (ph->p_vaddr > UINT64_MAX - ph->p_memsz)
        return fail(err, errlen, "segment %u: address %#llx + size %#llx wraps around",
                    i, (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_memsz);
    uint64_t end = ph->p_vaddr + ph->p_memsz;
    if (ph->p_vaddr < XENIA_IMAGE_BASE_MIN)
        return fail(err, errlen, "segment %u [%#llx,%#llx) starts below the image base %#llx",
                    i, (unsigned long long)ph->p_vaddr, (unsigned long long)end,
                    (unsigned long long)XENIA_IMAGE_BASE_MIN);
    if (end > limit)
        return fail(err, errlen, "segment %u [%#llx,%#llx) does not fit in RAM: images "
                    "must end at or below %#llx (stack guard page)", i,
                    (unsigned long long)ph->p_vaddr, (unsigned long long)end,
                    (unsigned long long)limit);
    if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
        return fail(err, errlen, "segment %u [%#llx,%#llx) is both writable and "
                    "executable (W^X)", i, (unsigned long long)ph->p_vaddr,
                    (unsigned long long)end);
    seg->vaddr = ph->p_vaddr;
    seg->memsz = ph->p_memsz;
    seg->offset = ph->p_offset;
    seg->filesz = ph->p_filesz;
    seg->flags = ph->p_flags & (XB_SEG_R | XB_SEG_W | XB_SEG_X);
    seg->index = i;
    return 0;
}

int xb_elf_check(const uint8_t *img, size_t len, uint64_t ram_bytes,
                 struct xb_image *out, char *err, size_t errlen)
{
    Elf64_Ehdr eh;
    int rc;

    if (errlen > 0)
        err[0] = '\0';
    memset(out, 0, sizeof(*out));
    rc = check_ehdr(img, len, &eh, err, errlen);
    if (rc < 0)
        return rc;

    uint64_t limit = xb_image_limit(ram_bytes);
    if (limit == 0)
        return fail(err, errlen, "RAM of %#llx bytes leaves no room for an image",
                    (unsigned long long)ram_bytes);

    for (uint32_t i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;

        read_phdr(img, eh.e_phoff, i, &ph);
        switch (ph.p_type) {
        case PT_INTERP:
        case PT_DYNAMIC:
        case PT_TLS:
            return fail(err, errlen, "segment %u is %s: only static images are supported",
                        i, ptype_name(ph.p_type));
        case PT_LOAD:
            break;
        default:
            continue;  /* PT_NOTE, PT_GNU_STACK, PT_PHDR, ...: nothing to load */
        }
        if (ph.p_memsz == 0)
            continue;
        struct xb_segment *seg = &out->segs[out->nr_segs];
        rc = check_load(&ph, i, len, limit, seg, err, errlen);
        if (rc < 0)
            return rc;
        /* Segments get their own page permissions: no two may share a page. */
        uint64_t lo = page_down(seg->vaddr), hi = page_up(seg->vaddr + seg->memsz);
        for (uint32_t j = 0; j < out->nr_segs; j++) {
            const struct xb_segment *o = &out->segs[j];
            uint64_t olo = page_down(o->vaddr), ohi = page_up(o->vaddr + o->memsz);
            if (lo < ohi && olo < hi)
                return fail(err, errlen, "segment %u [%#llx,%#llx) overlaps segment %u "
                            "[%#llx,%#llx) (page-rounded)", i, (unsigned long long)lo,
                            (unsigned long long)hi, o->index, (unsigned long long)olo,
                            (unsigned long long)ohi);
        }
        if (out->nr_segs == 0 || lo < out->start)
            out->start = lo;
        if (hi > out->end)
            out->end = hi;
        out->nr_segs++;
    }
    if (out->nr_segs == 0)
        return fail(err, errlen, "no loadable (PT_LOAD) segment with a non-zero size");

    for (uint32_t j = 0; j < out->nr_segs; j++) {
        const struct xb_segment *s = &out->segs[j];
        if ((s->flags & XB_SEG_X) && eh.e_entry >= s->vaddr &&
            eh.e_entry - s->vaddr < s->memsz) {
            out->entry = eh.e_entry;
            return 0;
        }
    }
    return fail(err, errlen, "entry point %#llx is outside every executable segment",
                (unsigned long long)eh.e_entry);
}
