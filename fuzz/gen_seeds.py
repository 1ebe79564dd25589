#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the committed seed corpora of fuzz/ctl_decode and fuzz/hypercall
(binary inputs built from the ABI in include/xenia/ctl.h and hypercall.h, in the
input layout each harness.c documents). fuzz/policydb and fuzz/policy_compile
seeds come from tests/policy (see fuzz/README.md). Usage: python3 fuzz/gen_seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC, VERSION = 0x4C544358, 3   # XENIA_CTL_MAGIC, XENIA_CTL_VERSION (include/xenia/ctl.h)


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
    disk = bytearray(create)
    disk[64 + 12 + 3] = 0x02                        # XENIA_CREATE_F_DISK: 2 fds
    ctl("create_disk", 2, 1, bytes(disk))
    disk[64 + 12 + 3] = 0x06                        # + XENIA_CREATE_F_DISK_RO
    ctl("create_disk_ro", 2, 1, bytes(disk))
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


# hypercall harness (fuzz/hypercall/harness.c): D1's NENT grant entries, PRE bytes
# of D0 guest data at UBUF, CIN bytes of console input, then REC-byte records:
# [op | caller<<4 | deny<<6 | backend_fail<<7, base | a1_hi<<3 | bad_a3<<4 |
#  fail_map<<7, off le16, 32-byte body]. Ops 0-9 build the evtchn/gnttab struct
# in the caller's memory; 10 edits the caller's own grant entry; 11 restarts the
# caller; 12 = raw record.
NENT, PRE, CIN, REC_BODY = 8, 128, 32, 32
D0, D1, D2 = 7, 8, 9
SELF = 0x7ff0
GTF_PERMIT, GTF_RO = 0x1, 0x4
GT, F1, F2 = 0x200, 0x201, 0x202          # frames of the HI pages
GNTMAP = 0xf80000000
(ALLOC, BIND, SEND, CLOSE, STATUS, SETUP, MAP, UNMAP, COPY, QUERY, EDIT, RESTART, RAW) = range(13)
P_UBUF, P_HI, P_URO, P_SUP, P_UNMAP, P_OOR, P_OORW, P_TOP = range(8)
B_RAW, B_URO, B_SUP, B_UBUF, B_UEND, B_OOR, B_UNMAP, B_TOP = range(8)
HC_MEM, HC_VER, HC_CON, HC_SCHED, HC_GNT, HC_EVT, HC_ATT = 12, 17, 18, 29, 20, 32, 48


def gent(flags, domid, frame):
    return struct.pack("<HHI", flags, domid, frame)


def rec(op, body=b"", who=0, deny=0, fail=0, fail_map=0, base=P_UBUF, off=0x100, a1hi=0, a3bad=0):
    body = body + b"\0" * (REC_BODY - len(body))
    return bytes([op | who << 4 | deny << 6 | fail << 7,
                  base | a1hi << 3 | a3bad << 4 | fail_map << 7]) + struct.pack("<H", off) + body


def alloc(remote, dom=SELF, **k): return rec(ALLOC, struct.pack("<IIII", dom, remote, 0, 0), **k)
def bind(rdom, rport, **k): return rec(BIND, struct.pack("<IIII", rdom, rport, 0, 0), **k)
def send(port, **k): return rec(SEND, struct.pack("<II", port, 0), **k)
def close(port, **k): return rec(CLOSE, struct.pack("<II", port, 0), **k)
def status(port, dom=SELF, **k): return rec(STATUS, struct.pack("<IIIIII", dom, port, 0, 0, 0, 0), **k)
def setup(gva, n=1, **k): return rec(SETUP, struct.pack("<QII", gva, n, 0), **k)
def gmap(dom, ref, slot, ro=0, **k): return rec(MAP, struct.pack("<QIIII", GNTMAP + slot * 4096, ro, ref, dom, 0), **k)
def unmap(h, **k): return rec(UNMAP, struct.pack("<II", h, 0), **k)
def copy(dom, ref, gva, offset, ln, to=0, **k): return rec(COPY, struct.pack("<QIIIIII", gva, dom, ref, offset, ln, to, 0), **k)
def query(**k): return rec(QUERY, b"", **k)
def edit(ref, e, **k): return rec(EDIT, struct.pack("<H", ref) + e, **k)
def restart(**k): return rec(RESTART, b"", **k)


def raw(nr, a1, b2, o2, b3=B_RAW, o3=0, deny=0):
    return rec(RAW, bytes([nr, a1, (b2 << 1) | (b3 << 4)]) +
               struct.pack("<II", o2 & 0xffffffff, o3 & 0xffffffff), deny=deny)


# D1's default grants: 0 rw to D0, 1 ro to D0, 2 rw to D2, 3 below 2 MiB, 4 past
# RAM, 5 no permit, 6 ro of its own table page, 7 rw to D0 of F2.
GRANTS = [gent(GTF_PERMIT, D0, F1), gent(GTF_PERMIT | GTF_RO, D0, F2), gent(GTF_PERMIT, D2, F1),
          gent(GTF_PERMIT, D0, 0x100), gent(GTF_PERMIT, D0, 0x203), gent(0, D0, F1),
          gent(GTF_PERMIT | GTF_RO, D0, GT), gent(GTF_PERMIT, D0, F2)]


def hc(name, calls, pre=b"", cin=b"", grants=GRANTS):
    g = b"".join(grants)
    g = g + b"\0" * (NENT * 8 - len(g))
    pre = pre + b"\0" * (PRE - len(pre))
    cin = cin + b"\0" * (CIN - len(cin))
    write("hypercall", name, g + pre + cin + b"".join(calls))


UB = 0x20000


def hc_seeds():
    d = os.path.join(HERE, "hypercall", "corpus")
    for f in os.listdir(d) if os.path.isdir(d) else []:
        os.unlink(os.path.join(d, f))
    # event channels
    hc("evt_bind_send_close", [bind(D1, 8, off=0x100), status(8, off=0x140), send(8, off=0x180),
                               send(8, who=1, off=0x1c0), close(8, off=0x200), send(8, off=0x240)])
    hc("evt_alloc_peer_binds", [alloc(D1, off=0x100), bind(D0, 8, who=1, off=0x100),
                                send(10, who=1, off=0x140), send(8, off=0x180),
                                close(10, who=1, off=0x1c0), status(8, off=0x200),
                                send(8, off=0x240), close(8, off=0x280)])
    hc("evt_denied", [bind(D1, 8, deny=1), alloc(D2, deny=1, off=0x140), bind(D1, 8, off=0x180),
                      send(8, deny=1, off=0x1c0), close(8, deny=1, off=0x200),
                      status(8, deny=1, off=0x240)])
    hc("evt_refused", [bind(D1, 9), bind(D2, 8, off=0x140), bind(D0, 8, off=0x180),
                       alloc(D1, dom=D1, off=0x1c0), alloc(0x7ff1, off=0x200),
                       status(3, off=0x240), send(3, off=0x280), send(1, off=0x2c0),
                       close(4, off=0x300), status(256, off=0x340), close(255, off=0x380),
                       send(2, who=1, off=0x3c0), status(8, dom=D1, off=0x400)])
    hc("evt_d1_d2_channel", [send(9, who=1), send(8, who=2, off=0x140), close(8, who=2, off=0x180),
                             send(9, who=1, off=0x1c0), bind(D2, 9, off=0x200),
                             send(8, off=0x240), send(9, who=2, off=0x280)])
    hc("evt_many_allocs", [alloc(D1, off=0x100 + 0x20 * i) for i in range(16)])
    hc("evt_struct_places", [bind(D1, 8, base=P_URO, off=0), bind(D1, 8, base=P_SUP, off=0),
                             bind(D1, 8, base=P_UBUF, off=0x1ff8), bind(D1, 8, base=P_OORW, off=0),
                             bind(D1, 8, base=P_OOR, off=0), bind(D1, 8, base=P_HI, off=0x1100),
                             send(8, a1hi=1), send(8, a3bad=1), status(8, base=P_TOP, off=0xff0)])
    # grant tables
    hc("gnt_map_rw_ro_unmap", [gmap(D1, 0, 0), gmap(D1, 1, 1, ro=1, off=0x140),
                               gmap(D1, 1, 2, off=0x180), gmap(D1, 0, 3, ro=1, off=0x1c0),
                               unmap(0, off=0x200), unmap(0, off=0x240), unmap(3, off=0x280)])
    hc("gnt_map_refused", [gmap(D1, 2, 0), gmap(D1, 3, 1, off=0x140), gmap(D1, 4, 2, off=0x180),
                           gmap(D1, 5, 3, off=0x1c0), gmap(D1, 6, 4, off=0x200),
                           gmap(D1, 6, 5, ro=1, off=0x240), gmap(D1, 8, 6, off=0x280),
                           gmap(D2, 1, 7, off=0x2c0), gmap(D2, 0, 8, off=0x300),
                           gmap(D0, 0, 9, off=0x340), gmap(D1, 0, 64, off=0x380),
                           gmap(D1, 0, 0, off=0x3c0), gmap(D1, 7, 0, off=0x400),
                           gmap(D1, 0, 1, ro=3, off=0x440)])
    hc("gnt_map_denied_fail", [gmap(D1, 0, 0, deny=1), gmap(D1, 1, 1, ro=1, deny=1, off=0x140),
                               gmap(D1, 0, 2, fail=1, off=0x180),
                               gmap(D1, 1, 3, ro=1, fail=1, off=0x1c0),
                               gmap(D1, 0, 4, fail=1, fail_map=1, off=0x200),
                               gmap(D1, 0, 5, off=0x240), unmap(5, off=0x280)])
    hc("gnt_copy", [copy(D1, 0, UB + 0x800, 0, 64, off=0x100),
                    copy(D1, 0, UB + 0x800, 4000, 96, to=1, off=0x140),
                    copy(D1, 1, UB + 0x900, 16, 32, off=0x180),
                    copy(D1, 1, UB + 0x900, 16, 32, to=1, off=0x1c0),
                    copy(D1, 0, UB + 0x800, 4000, 200, off=0x200),
                    copy(D1, 0, UB + 0x1ff0, 0, 64, off=0x240),
                    copy(D1, 0, 0x1000, 0, 64, off=0x280),
                    copy(D1, 0, 0x1000, 0, 64, to=1, off=0x2c0),
                    copy(D1, 7, 0x201000, 0, 4096, off=0x300),
                    copy(D1, 0, UB + 0x800, 0, 64, deny=1, off=0x340),
                    copy(D1, 0, UB + 0x800, 0, 0, off=0x380)])
    hc("gnt_map_then_copy", [gmap(D1, 0, 0), copy(D1, 0, UB + 0x800, 8, 8, to=1, off=0x140),
                             gmap(D1, 7, 1, off=0x180), copy(D1, 7, UB + 0x800, 0, 16, off=0x1c0),
                             unmap(0, off=0x200)])
    hc("gnt_revoke_while_mapped", [gmap(D1, 0, 0), edit(0, gent(0, 0, 0), who=1),
                                   gmap(D1, 0, 1, off=0x140), unmap(0, off=0x180),
                                   edit(0, gent(GTF_PERMIT, D0, F2), who=1),
                                   gmap(D1, 0, 2, off=0x1c0)])
    hc("gnt_retarget", [edit(5, gent(GTF_PERMIT, D0, F1), who=1), gmap(D1, 5, 0),
                        edit(5, gent(GTF_PERMIT | GTF_RO, D0, F1), who=1),
                        gmap(D1, 5, 1, off=0x140), gmap(D1, 5, 2, ro=1, off=0x180)])
    hc("gnt_setup_query", [query(), setup(0x200000, off=0x140), query(off=0x180),
                           edit(0, gent(GTF_PERMIT, D1, F1)),
                           gmap(D0, 0, 0, who=1, off=0x1c0),
                           setup(0x201000, off=0x200), unmap(0, who=1, off=0x240),
                           setup(0x201000, off=0x280), query(off=0x2c0)])
    hc("gnt_setup_refused", [setup(UB), setup(0x200800, off=0x140), setup(0x200000, 2, off=0x180),
                             setup(0x200000, 0, off=0x1c0), setup(0x1000, off=0x200),
                             setup(0x200000, deny=1, off=0x240), setup(0x101000, off=0x280),
                             setup(0x100000, off=0x2c0), query(deny=1, off=0x300)])
    hc("gnt_d1_maps_d2", [gmap(D2, 0, 0, who=1), gmap(D2, 2, 1, ro=1, who=1, off=0x140),
                          gmap(D2, 2, 2, who=1, off=0x180),
                          copy(D2, 0, UB + 0x800, 0, 32, to=1, who=1, off=0x1c0),
                          unmap(1, who=1, off=0x200)])
    hc("gnt_table_page_mapped", [gmap(D1, 6, 0, ro=1), copy(D1, 6, UB + 0x800, 0, 64, off=0x140)])
    # restarts: the granter goes while mapped (orphaned mapping), the mapper goes
    # while holding pins, a channel's peer goes
    hc("restart_granter", [gmap(D1, 0, 0), gmap(D1, 1, 1, ro=1, off=0x140), bind(D1, 8, off=0x180),
                           restart(who=1), copy(D1, 0, UB + 0x800, 0, 8, off=0x1c0),
                           send(8, off=0x200), unmap(0, off=0x240), status(8, off=0x280),
                           setup(0x201000, who=1, off=0x2c0),
                           edit(0, gent(GTF_PERMIT, D0, F2), who=1), gmap(D1, 0, 2, off=0x300)])
    hc("restart_mapper", [gmap(D1, 0, 0), gmap(D1, 7, 1, off=0x140), bind(D2, 9, off=0x180),
                          restart(), gmap(D1, 0, 0, off=0x1c0), send(9, who=2, off=0x200),
                          bind(D1, 8, off=0x240), send(8, off=0x280)])
    hc("restart_peer_channel", [send(9, who=1), restart(who=2), send(9, who=1, off=0x140),
                                status(9, who=1, off=0x180), bind(D1, 9, who=2, off=0x1c0),
                                send(8, who=2, off=0x200)])
    hc("gnt_unmap_refused", [unmap(0), unmap(64, off=0x140), unmap(0xffffffff, off=0x180),
                             rec(UNMAP, struct.pack("<II", 0, 1), off=0x1c0)])
    # the other hypercalls, through raw records (old layout)
    hello = b"hello, xenia\n"
    hc("console_write", [raw(HC_CON, 0, B_RAW, len(hello), B_UBUF, 0),
                         raw(HC_CON, 0, B_RAW, len(hello), B_UBUF, 0, deny=1)], pre=hello)
    hc("console_read_then_write", [raw(HC_CON, 1, B_RAW, 32, B_UBUF, 0x100),
                                   raw(HC_CON, 0, B_RAW, 32, B_UBUF, 0x100)],
       cin=b"typed input line\n")
    hc("console_ro_sup", [raw(HC_CON, 1, B_RAW, 16, B_URO, 0), raw(HC_CON, 0, B_RAW, 16, B_SUP, 0),
                          raw(HC_CON, 0, B_RAW, 4096, B_UEND, -100),
                          raw(HC_CON, 0, B_RAW, 16, B_OOR, 0),
                          raw(HC_CON, 1, B_RAW, 16, B_OOR, 0x1000),
                          raw(HC_CON, 0, B_RAW, 8, B_TOP, 0xffc)])
    blk = struct.pack("<QII", 123456789, 0, 0)
    hc("sched", [raw(HC_SCHED, 0, B_RAW, 0), raw(HC_SCHED, 1, B_UBUF, 0),
                 raw(HC_SCHED, 2, B_UBUF, 32)], pre=blk + b"\0" * 16 + struct.pack("<II", 3, 0))
    hc("xen_version", [raw(HC_VER, 0, B_RAW, 0), raw(HC_VER, 2, B_RAW, 0),
                       raw(HC_VER, 1, B_UBUF, 0x200), raw(HC_VER, 1, B_URO, 0),
                       raw(HC_CON, 0, B_RAW, 64, B_UBUF, 0x200)])
    mm = struct.pack("<IIQ", 16, 0, UB + 0x400)
    mm_small = struct.pack("<IIQ", 1, 0, UB + 0x400)
    hc("memory_map", [raw(HC_MEM, 0, B_UBUF, 0), raw(HC_MEM, 0, B_UBUF, 16),
                      raw(HC_MEM, 1, B_RAW, 0), raw(HC_MEM, 0, B_URO, 0)], pre=mm + mm_small)
    hc("raw_struct_ops", [raw(HC_EVT, 3, B_UBUF, 0), raw(HC_GNT, 6, B_UBUF, 8, B_RAW, 1),
                          raw(HC_GNT, 6, B_UBUF, 8, B_RAW, 2), raw(HC_EVT, 7, B_UBUF, 0)],
       pre=struct.pack("<II", 8, 0))
    att = struct.pack("<II", 1, 0) + bytes(range(32)) + struct.pack("<QIIII", UB + 0x400, 256, 0, 0, 0)
    hc("attest", [raw(HC_ATT, 0, B_UBUF, 0), raw(HC_ATT, 1, B_UBUF, 0, deny=1)], pre=att)
    hc("unknown", [raw(0, 0, B_RAW, 0), raw(63, 0, B_RAW, 0), raw(0x7f, 0, B_RAW, 0),
                   raw(HC_CON, 0x80, B_RAW, 1, B_UBUF, 0)])


if __name__ == "__main__":
    ctl_seeds()
    hc_seeds()
