/* SPDX-License-Identifier: MIT */
/*
 * mkbadelf GOOD.elf OUTDIR: writes malformed variants of a valid static ELF64
 * PV image, one per defect, for the image-rejection tests (ELF-64 Object File
 * Format v1.5: ehdr and phdr layouts). Test tool only.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char *img;
static size_t len;

static void put(const char *dir, const char *name, const unsigned char *buf, size_t n)
{
    char path[512];
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s.elf", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(buf, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

static unsigned char *copy(void)
{
    unsigned char *c = malloc(len);
    memcpy(c, img, len);
    return c;
}

static Elf64_Phdr *load(unsigned char *c, int which)
{
    Elf64_Ehdr *e = (Elf64_Ehdr *)c;
    int k = 0;
    for (int i = 0; i < e->e_phnum; i++) {
        Elf64_Phdr *p = (Elf64_Phdr *)(c + e->e_phoff + (size_t)i * e->e_phentsize);
        if (p->p_type == PT_LOAD && k++ == which)
            return p;
    }
    fprintf(stderr, "no PT_LOAD #%d\n", which);
    exit(1);
}

int main(int argc, char **argv)
{
    FILE *f;
    unsigned char *c;
    Elf64_Ehdr *e;

    if (argc != 3) {
        fprintf(stderr, "usage: mkbadelf GOOD.elf OUTDIR\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (!f)
        return perror(argv[1]), 1;
    fseek(f, 0, SEEK_END);
    len = (size_t)ftell(f);
    rewind(f);
    img = malloc(len);
    if (fread(img, 1, len, f) != len)
        return 1;
    fclose(f);

    put(argv[2], "truncated-header", img, 40);
    e = (Elf64_Ehdr *)img;
    put(argv[2], "truncated-phdrs", img, e->e_phoff + 20);
    {   /* cut the file in the middle of the last PT_LOAD's file data */
        Elf64_Phdr *last = NULL;
        for (int i = 0; i < e->e_phnum; i++) {
            Elf64_Phdr *p = (Elf64_Phdr *)(img + e->e_phoff + (size_t)i * e->e_phentsize);
            if (p->p_type == PT_LOAD && p->p_filesz)
                last = p;
        }
        put(argv[2], "truncated-segment", img, last->p_offset + last->p_filesz / 2);
    }

    c = copy(); c[1] = 'X'; put(argv[2], "bad-magic", c, len); free(c);
    c = copy(); c[EI_CLASS] = ELFCLASS32; put(argv[2], "elf32", c, len); free(c);
    c = copy(); ((Elf64_Ehdr *)c)->e_machine = EM_AARCH64; put(argv[2], "wrong-machine", c, len); free(c);
    c = copy(); ((Elf64_Ehdr *)c)->e_type = ET_DYN; put(argv[2], "not-static", c, len); free(c);
    c = copy(); ((Elf64_Ehdr *)c)->e_entry = 0x7000000; put(argv[2], "entry-outside", c, len); free(c);
    c = copy(); { Elf64_Phdr *a = load(c, 0), *b = load(c, 1);
        b->p_vaddr = b->p_paddr = a->p_vaddr; } put(argv[2], "overlapping", c, len); free(c);
    c = copy(); { Elf64_Phdr *a = load(c, 1); a->p_vaddr = a->p_paddr = 0x1000; }
    put(argv[2], "below-base", c, len); free(c);
    c = copy(); { Elf64_Phdr *a = load(c, 1); a->p_vaddr = a->p_paddr = 0x40000000; }
    put(argv[2], "beyond-ram", c, len); free(c);
    c = copy(); { Elf64_Phdr *a = load(c, 1); a->p_vaddr = a->p_paddr = 0xfffffffffffff000ull; }
    put(argv[2], "wrapping", c, len); free(c);
    c = copy(); { Elf64_Phdr *a = load(c, 0); a->p_offset = len + 4096; }
    put(argv[2], "offset-past-eof", c, len); free(c);
    c = copy(); { Elf64_Phdr *a = load(c, 1); a->p_filesz = a->p_memsz + 4096; }
    put(argv[2], "filesz-gt-memsz", c, len); free(c);
    c = copy(); ((Elf64_Ehdr *)c)->e_phnum = 0xffff; put(argv[2], "too-many-phdrs", c, len); free(c);
    return 0;
}
