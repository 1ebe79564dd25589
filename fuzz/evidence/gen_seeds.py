#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate fuzz/evidence/corpus: EVIDENCE item sequences (include/xenia/attest.h
"Items"). Given a saved evidence bundle (xenia-verify --save, e.g. from a
tests/integration/attest.sh run), it writes the bundle itself (real_bundle), its
nested EVIDENCE items with the policy and event log cut short (real_evidence),
and a message-header-prefixed copy; then synthetic complete / near-complete sets
like tests/unit/test_verify.c. Usage: python3 fuzz/evidence/gen_seeds.py [BUNDLE]"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EK_CERT, EK_CHAIN, AK_PUB, QUOTE, SIG, PCRS, EVLOG, POLICY, DOMAINS, NONCE, BINDING = range(1, 12)
ERROR, BUNDLE_EVIDENCE = 16, 18
MAGIC, VERSION, EVIDENCE_MSG = 0x4156584E, 1, 2


def item(tag, data, pad=0):
    return struct.pack("<HHI", tag, pad, len(data)) + data + b"\0" * (-len(data) % 8)


def items(buf):
    off, out = 0, []
    while off < len(buf):
        tag, _, n = struct.unpack("<HHI", buf[off:off + 8])
        out.append((tag, buf[off + 8:off + 8 + n]))
        off += 8 + n + (-n % 8)
    return out


def write(name, data):
    with open(os.path.join(HERE, "corpus", name), "wb") as f:
        f.write(data)


def domain(domid, name, label):
    return struct.pack("<II", domid, 2) + name.ljust(64, b"\0") + label.ljust(128, b"\0")


def full(skip=0, twice=0, extra=b"", nonce_len=32, nchain=1, dom=None):
    d = dom if dom is not None else domain(1, b"web", b"tenant_u:tenant_r:domU_t:s0:c1")
    parts = [(EK_CERT, b"\x30" * 100)] + [(EK_CHAIN, b"\x31" * 50)] * nchain + [
        (AK_PUB, b"\x23" * 90), (QUOTE, b"\xff" * 120), (SIG, b"\x18" * 72),
        (PCRS, struct.pack("<I", 3) + b"".join(struct.pack("<I", i) + b"\0" * 32 for i in (8, 9, 10))),
        (EVLOG, b"E" * 200), (POLICY, b"P" * 300), (DOMAINS, d),
        (NONCE, b"N" * nonce_len), (BINDING, b"B" * 32)]
    out = b""
    for tag, data in parts:
        if tag == skip:
            continue
        out += item(tag, data)
        if tag == twice:
            out += item(tag, data)
    return out + extra


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], "rb") as f:
            bundle = f.read()
        write("real_bundle", bundle)
        ev = next(d for t, d in items(bundle) if t == BUNDLE_EVIDENCE)
        short = b"".join(item(t, d[:256] if t in (POLICY, EVLOG) else d) for t, d in items(ev))
        write("real_evidence", short)
        write("real_msg", struct.pack("<IHHII", MAGIC, VERSION, EVIDENCE_MSG, len(short), 0) + short)
    write("gen_full", full())
    write("gen_no_chain", full(nchain=0))
    write("gen_chain8", full(nchain=8))
    write("gen_chain9", full(nchain=9))
    write("gen_missing_nonce", full(skip=NONCE))
    write("gen_twice_quote", full(twice=QUOTE))
    write("gen_nonce31", full(nonce_len=31))
    write("gen_domains_partial", full(dom=b"\0" * 199))
    write("gen_unexpected_tag", full(extra=item(17, b"s0:c1".ljust(64, b"\0"))))
    write("gen_error", item(ERROR, struct.pack("<i", -13) + b"permission denied\x01\xff"))
    write("gen_error_positive", item(ERROR, struct.pack("<i", 5) + b"x"))
    write("gen_bad_pad", item(NONCE, b"N" * 30)[:-1] + b"\1")
    write("gen_bad_hdr_pad", item(NONCE, b"N" * 32, pad=1))
    write("gen_truncated", full()[:-5])
    write("gen_bundle", item(BUNDLE_EVIDENCE, full()) + item(19, b"n" * 32) + item(20, b"b" * 32) +
          item(21, b"\0\x0b" + b"a" * 32))
    write("gen_many", item(NONCE, b"") * 40)


if __name__ == "__main__":
    main()
