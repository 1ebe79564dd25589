#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate fuzz/blkback/corpus: inputs in the layout fuzz/blkback/harness.c
documents (ring header, 64 request slots, then 8-byte rounds), built from the
ABI in include/xenia/io.h. Usage: python3 fuzz/blkback/gen_seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
READ, WRITE, FLUSH = 0, 1, 3
DATA, WIN, DISK_SECTORS = 0x10000, 1 << 20, 512
F_FLUSH, F_RO = 1, 2


def req(op, length, rid, sector, buf_off, pad=b"\0\0\0"):
    return struct.pack("<B3sIQQQ", op, pad, length, rid, sector, buf_off)


def slots(reqs, start=0):
    s = [b"\0" * 32] * 64
    for i, r in enumerate(reqs):
        s[(start + i) % 64] = r
    return b"".join(s)


def hdr(req_prod, rsp_prod=0, rsp_event=1, fe=4, be=0, features=F_FLUSH, scribble=0):
    return struct.pack("<IIIBBBB", req_prod & 0xffffffff, rsp_prod & 0xffffffff,
                       rsp_event & 0xffffffff, fe, be, features, scribble)


def rnd(kind, b1=0, rest=b"\0" * 6):
    return bytes([kind, b1]) + rest


def write(name, data):
    with open(os.path.join(HERE, "corpus", name), "wb") as f:
        f.write(data)


def main():
    os.makedirs(os.path.join(HERE, "corpus"), exist_ok=True)
    good = [req(WRITE, 4096, 1, 8, DATA), req(READ, 4096, 2, 8, DATA + 4096),
            req(READ, 65536, 3, 100, DATA + 0x20000), req(FLUSH, 0, 4, 0, 0),
            req(WRITE, 512, 5, DISK_SECTORS - 1, WIN - 512), req(READ, 131072, 6, 0, DATA)]
    write("valid", hdr(len(good)) + slots(good))
    write("valid_scribble", hdr(len(good), scribble=0xff) + slots(good))
    write("readonly", hdr(len(good), features=F_RO) + slots(good))
    write("runaway", hdr(1000) + slots(good))
    write("behind", hdr(3, rsp_prod=5) + slots(good))
    write("needs_reset_state", hdr(2, be=7) + slots(good) + rnd(4) + rnd(3, 4) +
          rnd(0, 2))
    write("restart_mid", hdr(14, rsp_prod=10) + slots(good[:4], 10) + rnd(6) + rnd(0, 2))
    write("wrap", hdr(0xfffffffe + 4, rsp_prod=0xfffffffe, rsp_event=0xffffffff) +
          slots(good[:4], 0xfffffffe))
    hostile = [req(READ, 0, 1, 0, DATA), req(READ, 511, 2, 0, DATA),
               req(READ, 0xfffffe00, 3, 0, DATA), req(WRITE, 4096, 4, 2**64 - 1, DATA),
               req(READ, 512, 5, DISK_SECTORS, DATA), req(READ, 512, 6, 0, 0x1000),
               req(READ, 1024, 7, 0, WIN - 512), req(READ, 512, 8, 0, 2**64 - 100),
               req(READ, 512, 9, 0, DATA, pad=b"\x01\0\0"), req(0x77, 512, 10, 0, DATA),
               req(FLUSH, 512, 11, 0, 0), req(0xf0, 0, 12, 1, 0)]
    write("hostile", hdr(len(hostile)) + slots(hostile))
    rounds = (rnd(0, 2) + rnd(2, 1 | (1 << 6), struct.pack("<IH", 600, 0)) + rnd(0, 1) +
              rnd(5, 1) + rnd(0, 2) + rnd(5, 0) + rnd(1, 0, b"\0\0" + struct.pack("<I", 70)) +
              rnd(4) + rnd(3, 4) + rnd(0, 3) + rnd(7, 0, b"\0\0" + struct.pack("<I", 2)) +
              rnd(6) + rnd(0, 1))
    write("rounds", hdr(0) + slots(good) + rounds)
    full = [req(READ, 4096, i, i, DATA + 4096 * i) for i in range(64)]
    write("full_ring", hdr(64) + slots(full) + rnd(0, 64) + rnd(0, 65))


if __name__ == "__main__":
    main()
