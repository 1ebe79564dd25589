#!/bin/bash
# Differential test against the reference SELinux toolchain.
#
#   bash tests/policy/run_diff.sh [BUILD_DIR]     (make policy-diff-test)
#
# For every policy of the corpus (tests/policy/corpus/*.te and the default policy
# policy/default/xenia.te, used in place):
#   1. the reference: the Xenia extension lines (login, infoflow, handle_unknown)
#      are stripped and the rest compiled by `checkpolicy -t xen -M -c 30`; answers
#      from libsepol (BUILD/tests/sepol_query);
#   2. ours: the source compiled by pol_compile; answers from ss_compute_av
#      (BUILD/tests/xenia_query run);
#   3. the same query list (BUILD/tests/xenia_query gen: every ordered pair of
#      contexts x every class x every permission, for each boolean setting) goes to
#      both, and the answers must be identical line for line (context validity,
#      allowed and dontaudit permission sets, masked to the class's permissions).
# Prints "PASS <file>: N decisions identical" or the first differing lines; exits
# non-zero on any difference. Installs nothing: fails if checkpolicy or the built
# query programs are missing (make policy-diff-test builds them; libsepol-dev and
# checkpolicy come from tools/install-deps.sh).
set -u
B=${1:-build}
cd "$(dirname "$0")/../.."
XQ=$B/tests/xenia_query
SQ=$B/tests/sepol_query
if ! command -v checkpolicy >/dev/null 2>&1; then
    echo "run_diff: checkpolicy not found (install it: tools/install-deps.sh)" >&2
    exit 2
fi
for x in "$XQ" "$SQ"; do
    if [ ! -x "$x" ]; then
        echo "run_diff: $x not built (make policy-diff-test; libsepol-dev needed for sepol_query)" >&2
        exit 2
    fi
done
W=$(mktemp -d "${TMPDIR:-/tmp}/xenia-diff.XXXXXX")
trap 'rm -rf "$W"' EXIT

fail=0 total=0 n=0
for f in tests/policy/corpus/*.te policy/default/xenia.te; do
    name=$(basename "$f" .te)
    grep -vE '^\s*(login|infoflow|handle_unknown)\b' "$f" > "$W/$name.conf"
    if ! checkpolicy -t xen -M -c 30 -o "$W/$name.bin" "$W/$name.conf" > "$W/$name.cp.log" 2>&1; then
        echo "FAIL $f: checkpolicy rejects it:"; grep -iE 'error' "$W/$name.cp.log" | head -5
        fail=1; continue
    fi
    if ! "$XQ" gen "$f" > "$W/$name.q"; then
        echo "FAIL $f: xenia_query gen failed"; fail=1; continue
    fi
    if ! "$SQ" "$W/$name.bin" < "$W/$name.q" > "$W/$name.sepol"; then
        echo "FAIL $f: sepol_query failed"; fail=1; continue
    fi
    if ! "$XQ" run "$f" < "$W/$name.q" > "$W/$name.xenia"; then
        echo "FAIL $f: xenia_query run failed"; fail=1; continue
    fi
    nq=$(grep -c '^q ' "$W/$name.q")
    if cmp -s "$W/$name.sepol" "$W/$name.xenia"; then
        d=$(sed -n 's/^total \([0-9]*\) decisions$/\1/p' "$W/$name.sepol")
        nv=$(grep -c ' valid$' "$W/$name.sepol")
        ni=$(grep -c ' invalid$' "$W/$name.sepol")
        echo "PASS $f: $d decisions identical ($nq queries, contexts: $nv valid, $ni invalid)"
        total=$((total + d)); n=$((n + 1))
    else
        echo "FAIL $f: decisions differ (< libsepol, > xenia), first differences:"
        diff "$W/$name.sepol" "$W/$name.xenia" | head -20
        echo "  ($(diff "$W/$name.sepol" "$W/$name.xenia" | grep -c '^<') differing lines)"
        fail=1
    fi
done
echo "run_diff: $n policies, $total (scontext, tcontext, class, permission) decisions compared"
[ $fail -eq 0 ] && echo "run_diff: all identical" || echo "run_diff: DIFFERENCES FOUND"
exit $fail
