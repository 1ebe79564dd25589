#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the gen_* seeds of fuzz/manifest/corpus: reference manifests
(libconfig, docs/attestation.md) valid and near-valid, like the cases of
tests/unit/test_verify.c. real_manifest.cfg is build/attest/manifest.cfg
(tools/mkmanifest.sh). Usage: python3 fuzz/manifest/gen_seeds.py"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
H = "0123456789abcdef" * 4


def ent(name, h=H):
    return '{ name = "%s"; sha256 = "%s"; }' % (name, h)


def write(name, text):
    with open(os.path.join(HERE, "corpus", "gen_" + name), "w") as f:
        f.write(text)


def main():
    write("good", "version = 1;\ncomponents = ( %s, %s );\npolicies = ( %s );\nimages = ( %s );\n"
          % (ent("xenia:hv"), ent("xenia:stubdom dm"), ent("default"), ent("hello")))
    write("escapes", 'version = 1; components = ( { name = "a\\x01\\"\\\\\\xe9"; sha256 = "%s"; } );'
          % H.upper())
    write("comments", "# c\nversion = 1; // c\n/* c */ components = ( %s );" % ent("x"))
    write("too_many", "version = 1; components = ( %s );" % ", ".join(ent("c%d" % i) for i in range(65)))
    write("max_images", "version = 1; components = ( %s ); images = ( %s );"
          % (ent("hv"), ", ".join(ent("i%d" % i) for i in range(64))))
    write("max_components", "version = 1; components = (%s);"
          % ",".join('{name="%d";sha256="%s";}' % (i, H) for i in range(64)))
    # Structured recipes (fuzz/manifest/harness.c build_text): counts, then entry bytes.
    write("recipe_small", "\x01\x02\x01\x01" + "\x08xenia:hv" + "\x00" + "0" * 32)
    write("recipe_max", "\x01\xc4\x00\xc4" + "\x05hello\x00" + "abc")
    write("recipe_bad", "\x01\x01\x00\x00" + "\x40" + "n" * 64 + "\x03")
    write("name63", "version = 1; components = ( %s );" % ent("n" * 63))
    write("name64", "version = 1; components = ( %s );" % ent("n" * 64))
    write("version2", "version = 2; components = ( %s );" % ent("a"))
    write("no_components", "version = 1; policies = ( %s );" % ent("p"))
    write("short_hex", 'version = 1; components = ( { name = "a"; sha256 = "abc"; } );')
    write("bad_hex", "version = 1; components = ( %s );" % ent("a", "g" + H[1:]))
    write("group_not_list", 'version = 1; components = { name = "a"; };')
    write("string_entry", 'version = 1; components = ( "a" );')
    write("name_int", 'version = 1; components = ( { name = 3; sha256 = "%s"; } );' % H)
    write("unterminated", "version = 1;\ncomponents = ( %s\n" % ent("a"))
    write("concat_int64", 'version = 1L; components = ( { name = "a" "b"; sha256 = "%s"; } );' % H)


if __name__ == "__main__":
    main()
