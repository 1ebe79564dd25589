#!/usr/bin/env bash
# Differential test against checkpolicy: each tests/policy/good/*.te (and the
# default policy, policy/default/*.te) that is in
# checkpolicy's statement order (first line not marked "# checkpolicy: no") is
# stripped of the Xenia extensions, compiled by `checkpolicy -t xen -M -c 30`, and
# its expanded rules compared with ours (tests/policy/diff_sepol.c).
# Usage: tests/policy/diff_checkpolicy.sh [BUILD_DIR]
set -u
B=${1:-build}
command -v checkpolicy >/dev/null || { echo "diff_checkpolicy: SKIP (no checkpolicy)"; exit 0; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0 n=0
for f in "$(dirname "$0")"/good/*.te policy/default/*.te; do
    head -n1 "$f" | grep -q '^# checkpolicy: no' && continue
    grep -v -E '^(infoflow|login|handle_unknown) ' "$f" > "$TMP/p.conf"
    if ! checkpolicy -t xen -M -c 30 -o "$TMP/p.bin" "$TMP/p.conf" >"$TMP/log" 2>&1; then
        echo "FAIL $f: checkpolicy rejects it"; cat "$TMP/log"; fail=1; continue
    fi
    "$B/tests/diff_sepol" "$f" "$TMP/p.bin" || fail=1
    n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "diff_checkpolicy: no policy compared"; exit 1; }
exit $fail
