#!/usr/bin/env bash
# Proves one unit of proofs/ with Frama-C WP and prints "proved/total" for it.
#   proofs/run.sh UNIT [BUILD_DIR]
# The unit is proofs/UNIT/unit.conf (shell syntax):
#   SRCS   the project sources, exactly as built (annotations live in them)
#   FCTS   the functions WP proves (comma-separated); everything they call is
#          taken from its ACSL contract
#   EXTRA  optional extra frama-c arguments (e.g. proofs/UNIT/env.c: contracts of
#          the functions the unit calls that are outside it)
# Always -wp-rte (absence of runtime errors) and -wp-prover cvc5,z3 through the
# repository's Why3 configuration (proofs/why3/why3.conf). Exit status 1 when any
# goal is unproved, when WP produced no goal, or when frama-c failed.
set -uo pipefail
unit=${1:?usage: proofs/run.sh UNIT [BUILD_DIR]}
B=${2:-build}
cd "$(dirname "$0")/.."
conf=proofs/$unit/unit.conf
[ -f "$conf" ] || { echo "proofs: no unit $conf" >&2; exit 2; }
SRCS= FCTS= EXTRA= TIMEOUT=10
# shellcheck source=/dev/null
. "$conf"
mkdir -p "$B/proofs"
log=$B/proofs/$unit.log
export WHY3CONFIG=$PWD/proofs/why3/why3.conf
start=$(date +%s%N)
# shellcheck disable=SC2086
frama-c -c11 -machdep x86_64 -cpp-extra-args="-Iinclude -I. -D_GNU_SOURCE -D__FRAMAC__" \
    $SRCS $EXTRA \
    -wp -wp-rte -wp-fct "$FCTS" -wp-prover cvc5,z3 -wp-timeout "$TIMEOUT" -wp-par 2 \
    \
    > "$log" 2>&1
rc=$?
end=$(date +%s%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
line=$(grep -E '^\[wp\] Proved goals: ' "$log" | tail -1)
proved=$(echo "$line" | sed -E 's/.*: *([0-9]+) *\/ *([0-9]+).*/\1/')
total=$(echo "$line" | sed -E 's/.*: *([0-9]+) *\/ *([0-9]+).*/\2/')
if [ $rc -ne 0 ] || [ -z "$line" ] || [ "${total:-0}" -eq 0 ]; then
    tail -30 "$log"
    echo "proofs: $unit: FAILED (frama-c exit $rc, log $log)"
    exit 1
fi
printf 'proofs: %-14s %5d / %-5d goals proved  %7s s\n' "$unit" "$proved" "$total" "$secs" \
    | tee "$B/proofs/$unit.result"
if [ "$proved" -ne "$total" ]; then
    grep -A3 -E '^\[wp\] \[(Failed|Unknown|Timeout|Stepout)\]' "$log" | head -60
    echo "proofs: $unit: $((total - proved)) goal(s) NOT proved (log $log)"
    exit 1
fi
