#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the committed seed corpora of fuzz/ctl_decode and fuzz/hypercall
(binary inputs built from the ABI in include/xenia/ctl.h and hypercall.h, in the
input layout each harness.c documents). fuzz/policydb and fuzz/policy_compile
seeds come from tests/policy (see fuzz/README.md). Usage: python3 fuzz/gen_seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC, VERSION = 0x4C544358, 2


def write(target, name, data):
    d = os.path.join(HERE, target, "corpus")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def hdr(op, size, seq=1):
    return struct.pack("<IHHII", MAGIC, VERSION, op, size, seq)


def ctl(name, nfds, op, body):
    size = 16 + len(body)
    write("ctl_decode", name, bytes([nfds]) + hdr(op, size) + body)


def cstr(s, n):
    b = s.encode()
    return b + b"\0" * (n - len(b))


def ctl_seeds():
    create = (cstr("tenant-a.web_1", 64) + struct.pack("<III", 16, 1, 50) +
              bytes([0, 1, 2, 1]) + b"\0" * 16 + cstr("console=hvc0", 1024) +
              cstr("system_u:system_r:domU_t:s0:c1,c2", 256))
    ctl("create", 1, 1, create)
    ctl("create_nolabel", 1, 1, create[:-256] + b"\0" * 256)
    ctl("list", 0, 2, struct.pack("<II", 0, 0))
    for op, nm in ((3, "info"), (4, "pause"), (5, "unpause"), (7, "destroy"), (8, "console")):
        ctl(nm, 0, op, struct.pack("<II", 3, 0))
    ctl("shutdown", 0, 6, struct.pack("<II", 3, 1))
    ctl("lookup", 0, 9, cstr("dom-1", 64))
    ctl("loadpolicy", 1, 10, struct.pack("<II", 4096, 0))
    ctl("getenforce", 0, 11, b"")
    ctl("setenforce", 0, 12, struct.pack("<II", 1, 0))
    ctl("getbool", 0, 13, struct.pack("<II", 2, 0))
    ctl("setbool", 0, 14, cstr("allow_console", 128) + struct.pack("<II", 1, 0))
    ctl("audit", 0, 15, struct.pack("<Q", 10))
    ctl("short", 0, 2, b"\0\0")


# hypercall harness: PRE bytes of guest data at UBUF, CIN bytes of console input,
# then 11-byte records: nr, a1, flags(deny | base2<<1 | base3<<4), off2 le32, off3 le32.
PRE, CIN = 512, 64
B_RAW, B_URO, B_SUP, B_UBUF, B_UEND, B_OOR, B_UNMAP, B_TOP = range(8)
HC_MEM, HC_VER, HC_CON, HC_SCHED = 12, 17, 18, 29


def rec(nr, a1, b2, o2, b3=B_RAW, o3=0, deny=0):
    return bytes([nr, a1, deny | (b2 << 1) | (b3 << 4)]) + struct.pack("<II", o2 & 0xffffffff, o3 & 0xffffffff)


def hc(name, pre, calls, cin=b""):
    pre = pre + b"\0" * (PRE - len(pre))
    cin = cin + b"\0" * (CIN - len(cin))
    write("hypercall", name, pre + cin + b"".join(calls))


def hc_seeds():
    hello = b"hello, xenia\n"
    hc("console_write", hello, [rec(HC_CON, 0, B_RAW, len(hello), B_UBUF, 0)])
    hc("console_write_denied", hello, [rec(HC_CON, 0, B_RAW, len(hello), B_UBUF, 0, deny=1)])
    hc("console_read_then_write", b"", [rec(HC_CON, 1, B_RAW, 32, B_UBUF, 0x100),
                                         rec(HC_CON, 0, B_RAW, 32, B_UBUF, 0x100)],
       cin=b"typed input line\n")
    hc("console_ro_sup", b"", [rec(HC_CON, 1, B_RAW, 16, B_URO, 0),
                               rec(HC_CON, 0, B_RAW, 16, B_SUP, 0),
                               rec(HC_CON, 0, B_RAW, 4096, B_UEND, -100)])
    blk = struct.pack("<QII", 123456789, 0, 0)
    hc("sched", blk + b"\0" * 16 + struct.pack("<II", 3, 0),
       [rec(HC_SCHED, 0, B_RAW, 0), rec(HC_SCHED, 1, B_UBUF, 0),
        rec(HC_SCHED, 2, B_UBUF, 32)])
    hc("xen_version", b"", [rec(HC_VER, 0, B_RAW, 0), rec(HC_VER, 2, B_RAW, 0),
                            rec(HC_VER, 1, B_UBUF, 0x200), rec(HC_VER, 1, B_URO, 0),
                            rec(HC_CON, 0, B_RAW, 64, B_UBUF, 0x200)])
    mm = struct.pack("<IIQ", 16, 0, 0x20000 + 0x400)
    mm_small = struct.pack("<IIQ", 1, 0, 0x20000 + 0x400)
    hc("memory_map", mm + mm_small, [rec(HC_MEM, 0, B_UBUF, 0), rec(HC_MEM, 0, B_UBUF, 16),
                                     rec(HC_MEM, 1, B_RAW, 0), rec(HC_MEM, 0, B_URO, 0),
                                     rec(HC_CON, 0, B_RAW, 48, B_UBUF, 0x400)])
    hc("oor", hello, [rec(HC_CON, 0, B_RAW, 16, B_OOR, 0), rec(HC_CON, 1, B_RAW, 16, B_OOR, 0x1000),
                      rec(HC_CON, 0, B_RAW, 32, B_OOR, 0x1ff0), rec(HC_CON, 0, B_RAW, 8, B_TOP, 0xffc)])
    hc("unknown", b"", [rec(0, 0, B_RAW, 0), rec(63, 0, B_RAW, 0), rec(0x7f, 0, B_RAW, 0),
                        rec(HC_CON, 0x80, B_RAW, 1, B_UBUF, 0)])


if __name__ == "__main__":
    ctl_seeds()
    hc_seeds()
