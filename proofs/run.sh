#!/usr/bin/env bash
# Proves one unit of proofs/ with Frama-C WP and prints "proved/total" for it.
#   proofs/run.sh UNIT [BUILD_DIR]
# The unit is proofs/UNIT/unit.conf (shell syntax):
#   SRCS     the project sources, exactly as built (annotations live in them)
#   FCTS     the functions WP proves (comma-separated); everything they call is
#            taken from its ACSL contract
#   EXTRA    optional extra frama-c arguments (e.g. -wp-model, stub include paths)
#   TIMEOUT  seconds per goal and prover (default 10)
# Always -wp-rte (absence of runtime errors). Provers: cvc5 first, on every goal;
# then z3, only on the functions that still have an unproved goal (WP would otherwise
# run both provers on every goal, which doubles the time). A goal counts as proved
# when Qed, cvc5 or z3 proved it. Why3 configuration: proofs/why3/why3.conf.
# Exit status 1 when any goal is unproved, when WP made no goal, or when frama-c failed.
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

# wp FCTS PROVER LOG: one Frama-C WP run.
wp() {
    # shellcheck disable=SC2086
    frama-c -c11 -machdep x86_64 -cpp-extra-args="-Iinclude -I. -D_GNU_SOURCE -D__FRAMAC__" \
        $SRCS $EXTRA \
        -wp -wp-rte -wp-fct "$1" -wp-prover "$2" -wp-timeout "$TIMEOUT" -wp-par 2 \
        > "$3" 2>&1
}
# goals LOG: "name status" for every goal WP reported.
goals() {
    sed -nE 's/^\[wp\] \[([^]]*)\] Goal ([A-Za-z0-9_]+) : ([A-Za-z]+).*/\2 \3 \1/p' "$1"
}
fail() { tail -30 "$1"; echo "proofs: $unit: FAILED ($2, log $1)"; exit 1; }

start=$(date +%s%N)
wp "$FCTS" cvc5 "$log" || fail "$log" "frama-c exit $?"
goals "$log" > "$log.goals"
total=$(wc -l < "$log.goals")
[ "$total" -gt 0 ] || fail "$log" "WP made no goal"
grep -qE "^\[wp\] Proved goals: +[0-9]+ / $total\$" "$log" || fail "$log" "goal count mismatch"
# Functions with an unproved goal: goal names are typed_[cast_|ref_]<function>_<property>.
again=$(awk '$2 != "Valid" { print $1 }' "$log.goals" | sed -E 's/^typed_((cast|ref)_)?//' |
    awk -v fcts="$FCTS" 'BEGIN { n = split(fcts, f, ",") }
        { best = ""; for (i = 1; i <= n; i++)
              if (index($0, f[i] "_") == 1 && length(f[i]) > length(best)) best = f[i];
          if (best != "") print best }' | sort -u | paste -sd, -)
: > "$log.z3.goals"
if [ -n "$again" ]; then
    wp "$again" z3 "$log.z3" || fail "$log.z3" "frama-c exit $?"
    goals "$log.z3" > "$log.z3.goals"
fi
end=$(date +%s%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
# Proved = valid in the cvc5 run, or valid in the z3 run.
read -r proved qed cvc5 z3 < <(awk '
    FILENAME == ARGV[1] { if ($2 == "Valid") z3ok[$1] = 1; next }
    { if ($2 == "Valid") { p++; if ($3 == "Qed") q++; else c++ }
      else if ($1 in z3ok) { p++; z++ } else print $1 > "/dev/stderr" }
    END { print p + 0, q + 0, c + 0, z + 0 }' "$log.z3.goals" "$log.goals" 2> "$log.unproved")
printf 'proofs: %-14s %5d / %-5d goals proved  %7s s  (qed %d, cvc5 %d, z3 %d)\n' \
    "$unit" "$proved" "$total" "$secs" "$qed" "$cvc5" "$z3" | tee "$B/proofs/$unit.result"
if [ "$proved" -ne "$total" ]; then
    sed 's/^/  unproved: /' "$log.unproved" | head -40
    echo "proofs: $unit: $((total - proved)) goal(s) NOT proved (logs $log, $log.z3)"
    exit 1
fi
