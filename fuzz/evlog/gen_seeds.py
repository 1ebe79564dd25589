#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the synthetic seeds of fuzz/evlog/corpus (gen_*): event logs in the
format of attest/eventlog.h, valid and near-valid, plus round-trip field
prefixes (fuzz/evlog/harness.c property 4). The real_* seeds are logs written by
xenia-hv (tests/integration/attest.sh runs). Usage: python3 fuzz/evlog/gen_seeds.py"""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
NO_ACTION, IPL, SHA256 = 3, 0xD, 0x000B
HEADER = (struct.pack("<II", 0, NO_ACTION) + b"\0" * 20 + struct.pack("<I", 33) +
          b"Spec ID Event03\0" + struct.pack("<IBBBBIHHB", 0, 0, 2, 2, 2, 1, SHA256, 32, 0))
assert len(HEADER) == 65


def event(pcr, typ, data, digest=None, count=1, alg=SHA256, size=None):
    d = digest if digest is not None else hashlib.sha256(data).digest()
    return (struct.pack("<IIIH", pcr, typ, count, alg) + d +
            struct.pack("<I", len(data) if size is None else size) + data)


def write(name, data):
    with open(os.path.join(HERE, "corpus", "gen_" + name), "wb") as f:
        f.write(data)


def main():
    hv = event(8, IPL, b"xenia:hv")
    pol = event(9, IPL, b"xenia:policy")
    write("empty", b"")
    write("header_only", HEADER)
    write("three_events", HEADER + hv + pol + event(10, IPL, b"xenia:domain image domid=1 "
                                                     b"name=web label=u:r:domU_t:s0:c1"))
    write("no_action", HEADER + event(0, NO_ACTION, b"", b"\0" * 32) + hv)
    write("max_data_pcr23", HEADER + event(23, IPL, b"A" * 512))
    write("data_too_big", HEADER + event(8, IPL, b"A" * 513))
    write("pcr_24", HEADER + event(24, IPL, b"x"))
    write("two_digests", HEADER + event(8, IPL, b"x", count=2))
    write("sha1_alg", HEADER + event(8, IPL, b"x", alg=4))
    write("truncated_data", HEADER + event(8, IPL, b"xenia:hv", size=9))
    write("trailing_byte", HEADER + hv + b"\0")
    write("bad_header_version", HEADER[:56] + b"\x01" + HEADER[57:] + hv)
    write("bad_header_vendor", HEADER[:64] + b"\x01" + hv)
    # Round-trip prefixes: pcr u32, type u32, data_len u16, cap u16, digest[32], data.
    rt = struct.pack("<IIHH", 10, IPL, 12, 62) + hashlib.sha256(b"x").digest() + b"xenia:enforce 1"
    write("rt_fields", rt)
    write("rt_cap_short", struct.pack("<IIHH", 9, IPL, 12, 61) + b"\1" * 32 + b"xenia:policy")
    write("rt_max", struct.pack("<IIHH", 23, NO_ACTION, 512, 600) + b"\2" * 32 + b"D" * 512)


if __name__ == "__main__":
    main()
