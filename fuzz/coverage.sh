#!/bin/sh
# SPDX-License-Identifier: MIT
# Coverage of the fuzz corpora (fuzz/README.md "Coverage"); called by `make fuzz-cov`.
#
#   fuzz/coverage.sh target OUT T BIN "SRCS"   one target: run BIN (a libFuzzer binary
#       built with -fprofile-instr-generate -fcoverage-mapping) with -runs=0 over
#       fuzz/T/corpus and, if it exists, $B/fuzz/T-work; merge the profile; write
#       OUT/T.txt (llvm-cov report of SRCS), OUT/T/index.html (llvm-cov show, HTML)
#       and OUT/T.row (a summary.md row); print one "fuzz-cov: T: ..." line.
#   fuzz/coverage.sh summary OUT T...          OUT/summary.md from the rows of T...
#
# Environment: B (build dir, default build), LLVM_PROFDATA, LLVM_COV (default the
# unversioned tools, else the -14 ones). Exit status 1 when a corpus input crashes
# the coverage binary or a tool fails (the other targets are still reported).
# Backquotes in single-quoted printf formats are markdown, not command substitution.
# shellcheck disable=SC2016
set -eu

B=${B:-build}
pick() { command -v "$1" >/dev/null 2>&1 && echo "$1" || echo "$1-14"; }
LLVM_PROFDATA=${LLVM_PROFDATA:-$(pick llvm-profdata)}
LLVM_COV=${LLVM_COV:-$(pick llvm-cov)}

# Percent column N of llvm-cov report's TOTAL line, one decimal; "-" when empty.
pct() {
    awk -v col="$2" '$1 == "TOTAL" { v = $col; sub(/%$/, "", v);
        if (v == "-" || v == "") print "-"; else printf "%.1f\n", v; found = 1 }
        END { if (!found) print "-" }' "$1"
}

one_target() {
    out=$1 t=$2 bin=$3 srcs=$4
    mkdir -p "$out"
    dirs="fuzz/$t/corpus"
    [ -d "$B/fuzz/$t-work" ] && dirs="$dirs $B/fuzz/$t-work"
    # Distinct inputs (the work dir starts as a copy of the corpus).
    # shellcheck disable=SC2086
    n=$(find $dirs -type f -exec sha1sum {} + | awk '{ print $1 }' | sort -u | wc -l)
    raw="$out/$t.profraw" prof="$out/$t.profdata" log="$out/$t.log"
    rm -f "$raw" "$prof"
    # -runs=0: execute the inputs once, mutate nothing; no leak checks (they are
    # findings for the sanitizer builds, not coverage), no artifacts written.
    # shellcheck disable=SC2086
    if ! LLVM_PROFILE_FILE="$raw" "$bin" -runs=0 -detect_leaks=0 -timeout=30 \
            -rss_limit_mb=4096 -artifact_prefix="$out/$t-" $dirs >"$log" 2>&1; then
        tail -5 "$log" >&2
        echo "fuzz-cov: $t: FAILED: an input crashed the coverage build (log $log)"
        return 1
    fi
    "$LLVM_PROFDATA" merge -sparse -o "$prof" "$raw"
    # shellcheck disable=SC2086
    "$LLVM_COV" report "$bin" -instr-profile="$prof" $srcs >"$out/$t.txt"
    rm -rf "${out:?}/$t"
    # shellcheck disable=SC2086
    "$LLVM_COV" show "$bin" -instr-profile="$prof" -format=html -show-branches=count \
        -show-line-counts-or-regions -output-dir="$out/$t" $srcs
    # report columns: Filename Regions Missed Cover Functions Missed Executed Lines
    # Missed Cover Branches Missed Cover.
    r=$(pct "$out/$t.txt" 4) l=$(pct "$out/$t.txt" 10) b=$(pct "$out/$t.txt" 13)
    echo "fuzz-cov: $t: lines $l% regions $r% branches $b% (corpus $n files)"
    # shellcheck disable=SC2086  # (echo $srcs: one space between the names)
    printf '| `%s` | %s | %s | %s | %s | %s |\n' "$t" "$n" "$l" "$r" "$b" \
        "$(echo $srcs | sed 's/[^ ][^ ]*/`&`/g')" >"$out/$t.row"
}

summary() {
    out=$1; shift
    {
        echo "# Fuzz corpus coverage"
        echo
        echo "\`make fuzz-cov\` ($(date -u +%Y-%m-%d)): each target's libFuzzer harness built with"
        echo "\`-fprofile-instr-generate -fcoverage-mapping\` (no sanitizers), run once over"
        echo "\`fuzz/<t>/corpus\` plus \`$B/fuzz/<t>-work\` when present; percentages of the"
        echo "sources it links (\`FUZZ_SRCS_<t>\`). Details: \`<t>.txt\`, \`<t>/index.html\`."
        echo
        echo "| target | corpus files | line % | region % | branch % | sources |"
        echo "|---|---|---|---|---|---|"
        for t in "$@"; do
            if [ -f "$out/$t.row" ]; then cat "$out/$t.row"
            else printf '| `%s` | - | failed | failed | failed | |\n' "$t"; fi
        done
    } >"$out/summary.md"
    echo "fuzz-cov: summary in $out/summary.md"
}

case "${1:-}" in
target)  [ $# -eq 5 ] || { echo "usage: $0 target OUT T BIN SRCS" >&2; exit 2; }
         shift; rm -f "$1/$2.row"; one_target "$@" ;;
summary) [ $# -ge 2 ] || { echo "usage: $0 summary OUT T..." >&2; exit 2; }
         shift; summary "$@" ;;
*)       echo "usage: $0 target OUT T BIN SRCS | summary OUT T..." >&2; exit 2 ;;
esac
