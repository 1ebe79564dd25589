#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate fuzz/image/corpus: inputs in the layout fuzz/image/harness.c documents
(64-byte build request header, 16 command-line bytes, then the image), with small
ELF64 images made here (a minimal ELF64 writer) from include/xenia/{builder,layout}.h
and ELF-64 v1.5 §3/§5. Valid images and near-valid ones, each breaking one rule.
With --guest FILE, also a stripped copy of a real guest image (guest/guest.mk builds
them as build/guests/<name>.elf; the smallest is ~13 KiB stripped).
Usage: python3 fuzz/image/gen_seeds.py [--guest build/guests/reboot.elf]"""
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC, VERSION = 0x444C4258, 1
MIB = 1 << 20
BASE = 0x200000
IOWIN_GPA = 0xF00000000
PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE, PT_PHDR, PT_TLS = 0, 1, 2, 3, 4, 6, 7
PT_GNU_STACK = 0x6474E551
PF_X, PF_W, PF_R = 1, 2, 4
ET_EXEC, ET_DYN, EM_X86_64 = 2, 3, 62


def req(ram=4 * MIB, iowin_gpa=0, iowin_bytes=0, vcpus=1, cmdline=b"", magic=MAGIC,
        version=VERSION, domid=1, pad=(0, 0, 0, 0)):
    """The harness prefix: struct xenia_build_req up to cmdline, + 16 cmdline bytes."""
    hdr = struct.pack("<IIIIQQQII4I", magic, version, domid, vcpus, ram, iowin_gpa,
                      iowin_bytes, 1, 2, *pad)
    assert len(hdr) == 64
    return hdr + cmdline[:16].ljust(16, b"\0")


def phdr(ptype, flags, offset, vaddr, filesz, memsz, align=0x1000):
    return struct.pack("<IIQQQQQQ", ptype, flags, offset, vaddr, vaddr, filesz, memsz, align)


def elf(phdrs, entry, blobs=(), etype=ET_EXEC, machine=EM_X86_64, ident=None,
        phentsize=56, phnum=None, phoff=64, size=None):
    """ELF64 header + program headers at phoff + (offset, bytes) blobs."""
    ident = ident or (b"\x7fELF" + bytes([2, 1, 1]) + b"\0" * 9)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", etype, machine, 1, entry, phoff, 0, 0, 64,
                             phentsize, len(phdrs) if phnum is None else phnum, 64, 0, 0)
    table = b"".join(phdrs)
    loads = [struct.unpack_from("<IIQQQQ", p) for p in phdrs]
    end = max([phoff + len(table)] + [o + len(b) for o, b in blobs] +
              [ph[2] + ph[5] for ph in loads if ph[0] == PT_LOAD and ph[2] + ph[5] < 1 << 20])
    out = bytearray(max(end, size or 0))
    out[0:64] = eh
    out[phoff:phoff + len(table)] = table
    for o, b in blobs:
        out[o:o + len(b)] = b
    return bytes(out[:size] if size is not None else out)


# x86-64 code for the text segment: a hypercall-ish loop (outb to 0xb0, jmp back).
CODE = bytes([0xB0, 0x01, 0xE6, 0xB0, 0xEB, 0xFA]) + b"\x90" * 10


def three_segments(**kw):
    """What guest/guest.ld produces: text RX, rodata R, data+bss RW."""
    ph = [phdr(PT_LOAD, PF_R | PF_X, 0x100, BASE, 0x40, 0x40),
          phdr(PT_LOAD, PF_R, 0x140, BASE + 0x1000, 0x20, 0x20),
          phdr(PT_LOAD, PF_R | PF_W, 0x160, BASE + 0x2000, 0x10, 0x3000)]
    return elf(ph, BASE, [(0x100, CODE), (0x140, b"rodata" * 5), (0x160, b"\xaa" * 16)], **kw)


def one_segment(vaddr=BASE, memsz=0x40, flags=PF_R | PF_X, entry=None, filesz=0x10,
                offset=0x80, extra=(), **kw):
    ph = list(extra) + [phdr(PT_LOAD, flags, offset, vaddr, filesz, memsz)]
    return elf(ph, vaddr if entry is None else entry, [(offset, CODE[:filesz])], **kw)


def main():
    seeds = {
        # valid
        "valid-3seg-4m": req() + three_segments(),
        "valid-3seg-16m-iowin": req(16 * MIB, IOWIN_GPA, MIB, cmdline=b"console=hvc0")
        + three_segments(),
        "valid-1seg-8m": req(8 * MIB, cmdline=b"x") + one_segment(),
        "valid-notes-stack": req() + one_segment(extra=[
            phdr(PT_NOTE, PF_R, 0x40, 0, 0x10, 0x10), phdr(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0),
            phdr(PT_LOAD, PF_R, 0, BASE + 0x10000, 0, 0), phdr(PT_NULL, 0, 0, 0, 0, 0)]),
        "valid-big-bss": req(8 * MIB) + elf(
            [phdr(PT_LOAD, PF_R | PF_X, 0x100, BASE, 0x10, 0x10),
             phdr(PT_LOAD, PF_R | PF_W, 0x110, 0x400000, 0x8, 0x300000)],
            BASE + 4, [(0x100, CODE)]),
        "valid-top-of-ram": req(4 * MIB) + one_segment(vaddr=0x400000 - 0x11000 - 0x1000,
                                                       memsz=0x1000),
        "valid-unaligned-seg": req(4 * MIB) + one_segment(vaddr=BASE + 0x123, memsz=0x2000,
                                                          entry=BASE + 0x200),
        # request near-misses
        "req-no-nul": req(cmdline=b"A" * 16) + three_segments(),
        "req-ram-32g": req(32768 * MIB) + three_segments(),
        "req-iowin-unaligned": req(4 * MIB, IOWIN_GPA + 0x10, MIB) + three_segments(),
        "req-iowin-in-ram": req(8 * MIB, 4 * MIB, MIB) + three_segments(),
        "req-iowin-at-ram-end": req(4 * MIB, 4 * MIB, 0x3000) + three_segments(),
        "req-iowin-gntmap": req(4 * MIB, 0xF80000000 - 0x1000, 0x2000) + three_segments(),
        "req-vcpus": req(vcpus=2) + three_segments(),
        "req-pad": req(pad=(0, 0, 1, 0)) + three_segments(),
        "req-magic": req(magic=0x12345678) + three_segments(),
        # image near-misses
        "elf-dyn": req() + three_segments(etype=ET_DYN),
        "elf-class32": req() + three_segments(ident=b"\x7fELF\x01\x01\x01" + b"\0" * 9),
        "elf-machine": req() + three_segments(machine=3),
        "elf-phentsize": req() + three_segments(phentsize=32),
        "elf-phnum0": req() + three_segments(phnum=0),
        "elf-phdrs-truncated": req() + one_segment(size=100),
        "elf-interp": req() + one_segment(extra=[phdr(PT_INTERP, PF_R, 0x40, 0, 4, 4)]),
        "elf-tls": req() + one_segment(extra=[phdr(PT_TLS, PF_R, 0x40, BASE + 0x8000, 4, 4)]),
        "elf-phdr": req() + one_segment(extra=[phdr(PT_PHDR, PF_R, 64, BASE, 112, 112),
                                              phdr(PT_DYNAMIC, PF_R, 0, 0, 0, 0)]),
        "elf-wx": req() + one_segment(flags=PF_R | PF_W | PF_X),
        "elf-entry-outside": req() + one_segment(entry=BASE + 0x40),
        "elf-entry-not-x": req() + one_segment(flags=PF_R),
        "elf-below-base": req() + one_segment(vaddr=BASE - 0x1000),
        "elf-past-limit": req() + one_segment(vaddr=0x400000 - 0x11000, memsz=0x10),
        "elf-wraps": req() + one_segment(vaddr=0xFFFFFFFFFFFFF000, memsz=0x2000),
        "elf-filesz-gt-memsz": req() + one_segment(memsz=0x8, filesz=0x10),
        "elf-offset-past-end": req() + one_segment(offset=0x80, filesz=0x10, size=0x88),
        "elf-overlap-page": req() + elf(
            [phdr(PT_LOAD, PF_R | PF_X, 0x100, BASE, 0x10, 0x10),
             phdr(PT_LOAD, PF_R, 0x110, BASE + 0x800, 0x10, 0x10)], BASE, [(0x100, CODE)]),
        "elf-tiny": req() + b"\x7fELF\x02\x01\x01",
    }
    corpus = os.path.join(HERE, "corpus")
    os.makedirs(corpus, exist_ok=True)
    for name in os.listdir(corpus):
        os.unlink(os.path.join(corpus, name))
    for name, data in seeds.items():
        with open(os.path.join(corpus, name), "wb") as f:
            f.write(data)
    if len(sys.argv) == 3 and sys.argv[1] == "--guest":
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "g")
            subprocess.run(["strip", "-o", out, sys.argv[2]], check=True)
            with open(out, "rb") as f:
                image = f.read()
        name = "guest-" + os.path.basename(sys.argv[2]).removesuffix(".elf")
        with open(os.path.join(corpus, name), "wb") as f:
            f.write(req(4 * MIB, IOWIN_GPA, MIB, cmdline=b"quiet") + image)
    print(f"{len(os.listdir(corpus))} seeds in {corpus}")


if __name__ == "__main__":
    main()
