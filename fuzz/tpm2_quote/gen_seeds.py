#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate fuzz/tpm2_quote/corpus in the layout of fuzz/tpm2_quote/harness.c
(byte 0: 0 quote, 1 signature, 2 public, 3 all three with two be16 lengths).
Real structures come from swtpm: tests/attest/fixtures (q.msg, q.sig, ak.pub)
and, when given, a directory extracted from a saved evidence bundle
(att-bundle extract: attest, sig, ak.pub). The near-valid ones are mutations.
Usage: python3 fuzz/tpm2_quote/gen_seeds.py [BUNDLE_EXTRACT_DIR]"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "..", "..", "tests", "attest", "fixtures")


def rd(d, n):
    with open(os.path.join(d, n), "rb") as f:
        return f.read()


def write(name, data):
    with open(os.path.join(HERE, "corpus", name), "wb") as f:
        f.write(data)


def seeds(tag, q, s, pub):
    write(tag + "quote", b"\0" + q)
    write(tag + "sig", b"\1" + s)
    write(tag + "public", b"\2" + pub)
    write(tag + "all", b"\3" + struct.pack(">HH", len(q), len(s)) + q + s + pub)


def main():
    q, s = rd(FIX, "q.msg"), rd(FIX, "q.sig")
    pub = rd(FIX, "ak.pub")[2:]                      # TPM2B_PUBLIC -> TPMT_PUBLIC
    seeds("swtpm_", q, s, pub)
    if len(sys.argv) > 1:
        d = sys.argv[1]
        seeds("bundle_", rd(d, "attest"), rd(d, "sig"), rd(d, "ak.pub")[2:])
    # Near-valid quotes: locate the selection (magic 4, type 2, signer, extra, clock 17, fw 8).
    sl = struct.unpack(">H", q[6:8])[0]
    el = struct.unpack(">H", q[8 + sl:10 + sl])[0]
    sel = 10 + sl + el + 17 + 8                          # pcrSelect.count
    write("quote_two_banks", b"\0" + q[:sel] + struct.pack(">I", 2) + q[sel + 4:])
    write("quote_select4", b"\0" + q[:sel + 6] + b"\4" + q[sel + 7:sel + 10] + b"\0" + q[sel + 10:])
    write("quote_select1", b"\0" + q[:sel + 6] + b"\1" + q[sel + 7:sel + 8] + q[sel + 10:])
    write("quote_trailing", b"\0" + q + b"\0")
    write("quote_safe2", b"\0" + q[:sel - 9] + b"\2" + q[sel - 8:])
    write("quote_big_digest", b"\0" + q[:-34] + struct.pack(">H", 33) + q[-32:] + b"\0")
    write("sig_r33", b"\1" + s[:4] + struct.pack(">H", 33) + s[6:38] + b"\0" + s[38:])
    write("sig_rsa", b"\1" + struct.pack(">H", 0x14) + s[2:])
    write("sig_empty_s", b"\1" + s[:38] + b"\0\0")
    # Publics: the AK with decrypt set, an ECDAA scheme, a KDF, an AES symmetric.
    attrs = struct.unpack(">I", pub[4:8])[0]
    write("pub_decrypt", b"\2" + pub[:4] + struct.pack(">I", attrs | (1 << 17)) + pub[8:])
    ap = 8 + 2 + struct.unpack(">H", pub[8:10])[0]       # after authPolicy: symmetric
    tail = pub[ap + 2 + 4 + 2 + 2:]                      # unique
    write("pub_ecdaa_kdf_aes", b"\2" + pub[:ap] + struct.pack(">HHHHHHHHH", 0x0006, 128, 0x0043,
                                                            0x001A, 0x000B, 1, 0x0003, 0x0020,
                                                            0x000B) + tail)
    write("pub_unknown_scheme", b"\2" + pub[:ap] + struct.pack(">HH", 0x0010, 0x0099) + pub[ap + 4:])
    write("pub_rsa", b"\2" + struct.pack(">H", 0x0001) + pub[2:])
    write("pub_sha1_name", b"\2" + pub[:2] + struct.pack(">H", 4) + pub[4:])


if __name__ == "__main__":
    main()
