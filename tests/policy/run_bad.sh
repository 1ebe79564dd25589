#!/usr/bin/env bash
# The bad-source corpus: every tests/policy/bad/*.te must fail to compile with
# exit status 1, write no output file, and report, as its first stderr line,
# exactly "FILE:" followed by the text after "# expect: " on the file's first line.
# Usage: tests/policy/run_bad.sh [BUILD_DIR]   (default: build)
set -u
B=${1:-build}
BIN=$B/bin/xenia-policy
DIR=$(dirname "$0")/bad
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

[ -x "$BIN" ] || { echo "run_bad: $BIN not built" >&2; exit 1; }
pass=0 fail=0
for f in "$DIR"/*.te; do
    want=$(head -n1 "$f" | sed -n 's/^# expect: //p')
    if [ -z "$want" ]; then
        echo "FAIL $f: first line is not '# expect: ...'"; fail=$((fail + 1)); continue
    fi
    out=$TMP/out.xpol
    rm -f "$out"
    "$BIN" compile "$f" -o "$out" >"$TMP/stdout" 2>"$TMP/stderr"
    rc=$?
    got=$(head -n1 "$TMP/stderr")
    if [ "$rc" -ne 1 ]; then
        echo "FAIL $f: exit status $rc, want 1"; fail=$((fail + 1))
    elif [ -e "$out" ]; then
        echo "FAIL $f: an output file was written"; fail=$((fail + 1))
    elif [ "$got" != "$f:$want" ]; then
        echo "FAIL $f"; echo "  want: $f:$want"; echo "  got:  $got"; fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "run_bad: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
