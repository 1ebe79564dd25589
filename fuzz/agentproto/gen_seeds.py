#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate fuzz/agentproto/corpus in the layout of fuzz/agentproto/harness.c
(byte 0 selects; 0 = an hv reply with op and chunk parameters). Real TPM data
comes from tests/attest/fixtures (swtpm quote, signature, AK public) and, when
a saved evidence bundle is given, its EK certificate, PCRS and domain list.
Usage: python3 fuzz/agentproto/gen_seeds.py [BUNDLE]"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "..", "tests", "attest", "fixtures")
EK_CERT, EK_CHAIN, AK_PUB, QUOTE, SIG, PCRS, EVLOG, POLICY, DOMAINS, NONCE = range(1, 11)
IDOBJ, ENCSECRET, SECRET, LOG_LEN, ERROR, LEVEL = 12, 13, 14, 15, 16, 17
OP_STATIC, OP_QUOTE, OP_LOG, OP_POLICY, OP_DOMAINS, OP_ACTIVATE = range(1, 7)
AGENT_MAGIC = 0x5441584E


def item(tag, data):
    return struct.pack("<HHI", tag, 0, len(data)) + data + b"\0" * (-len(data) % 8)


def items(buf):
    off, out = 0, []
    while off < len(buf):
        tag, _, n = struct.unpack("<HHI", buf[off:off + 8])
        out.append((tag, buf[off + 8:off + 8 + n]))
        off += 8 + n + (-n % 8)
    return out


def rep(op, body, error=0, total=0, rop=None, params=(0, 0, 0)):
    hdr = struct.pack("<IHHiIQ", AGENT_MAGIC, 1, op if rop is None else rop, error, len(body), total)
    return b"\0" + bytes([op]) + struct.pack("<QIQ", *params) + hdr + body


def write(name, data):
    with open(os.path.join(HERE, "corpus", name), "wb") as f:
        f.write(data)


def rd(n):
    with open(os.path.join(FIX, n), "rb") as f:
        return f.read()


def domain(domid, name, label):
    return struct.pack("<II", domid, 2) + name.ljust(64, b"\0") + label.ljust(128, b"\0")


def main():
    q, s, ak = rd("q.msg"), rd("q.sig"), rd("ak.pub")[2:]
    ek = b"\x30\x82" + b"\x11" * 300
    pcrs = struct.pack("<I", 3) + b"".join(struct.pack("<I", i) + bytes([i]) * 32 for i in (8, 9, 10))
    doms = domain(1, b"web", b"tenant_u:tenant_r:domU_t:s0:c1")
    if len(sys.argv) > 1:
        with open(sys.argv[1], "rb") as f:
            ev = dict((t, d) for t, d in items(f.read()) if t == 18)[18]
        it = dict(items(ev))
        ek, pcrs, doms = it[EK_CERT], it[PCRS], it[DOMAINS] or doms
    static = item(EK_CERT, ek) + item(EK_CHAIN, ek[:200]) + item(AK_PUB, ak)
    quote = item(QUOTE, q) + item(SIG, s) + item(PCRS, pcrs) + item(LOG_LEN, struct.pack("<Q", 1742))
    write("rep_static", rep(OP_STATIC, static))
    write("rep_quote", rep(OP_QUOTE, quote))
    write("rep_log", rep(OP_LOG, b"L" * 100, total=1742, params=(1600, 100, 1742)))
    write("rep_log_short", rep(OP_LOG, b"L" * 100, total=1742, params=(1700, 100, 1742)))
    write("rep_policy_first", rep(OP_POLICY, b"P" * 64, total=64, params=(0, 32768, 0)))
    write("rep_policy_next", rep(OP_POLICY, b"P" * 36, total=5000, params=(4964, 32768, 5000)))
    write("rep_domains", rep(OP_DOMAINS, doms))
    write("rep_secret", rep(OP_ACTIVATE, item(SECRET, b"S" * 32)))
    write("rep_error", rep(OP_QUOTE, b"", error=-13))
    write("rep_wrong_op", rep(OP_QUOTE, quote, rop=OP_STATIC))
    write("rep_total_static", rep(OP_STATIC, static, total=1))
    level = b"s0:c1".ljust(64, b"\0")
    write("hello", b"\1" + item(NONCE, b"N" * 32) + item(LEVEL, level))
    write("hello_bad_level", b"\1" + item(NONCE, b"N" * 32) + item(LEVEL, b"s0 c1".ljust(64, b"\0")))
    write("hello_extra", b"\1" + item(NONCE, b"N" * 32) + item(LEVEL, level) + item(NONCE, b"N" * 32))
    write("activate", b"\2" + item(IDOBJ, b"\0\x20" + b"I" * 66) + item(ENCSECRET, b"E" * 256))
    write("activate_reversed", b"\2" + item(ENCSECRET, b"E" * 256) + item(IDOBJ, b"I" * 68))
    write("activate_big", b"\2" + item(IDOBJ, b"I" * 513) + item(ENCSECRET, b"E"))
    write("static", b"\3" + static)
    write("static_chain9", b"\3" + item(EK_CERT, ek) + item(EK_CHAIN, b"c") * 9 + item(AK_PUB, ak))
    write("quote", b"\4" + quote)
    write("quote_pcrs_order", b"\4" + item(QUOTE, q) + item(SIG, s) +
          item(PCRS, struct.pack("<I", 2) + struct.pack("<I", 9) + b"\0" * 32 +
               struct.pack("<I", 8) + b"\0" * 32) + item(LOG_LEN, struct.pack("<Q", 65)))
    write("domains", b"\5" + doms + domain(2, b"db", b"tenant_u:tenant_r:domU_t:s0:c1"))
    write("domains_unterminated", b"\5" + struct.pack("<II", 1, 2) + b"n" * 64 + b"\0" * 128)
    write("secret", b"\6" + item(SECRET, b"S" * 64))
    write("secret_65", b"\6" + item(SECRET, b"S" * 65))
    write("level_pcrs", b"\7" + level + pcrs)
    write("level_pcrs_bad", b"\7" + b"s0:c1" + b"\0" * 58 + b"x" + struct.pack("<I", 25))


if __name__ == "__main__":
    main()
