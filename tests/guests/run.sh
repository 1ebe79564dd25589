#!/usr/bin/env bash
# XTF-style guest tests: each tests/guests/<name>.c is built into
# $B/guests/<name>.elf and states its expected outcome in header lines:
#   // expect-shutdown: poweroff | reboot | crash | fault | none
#   // expect-console: TEXT        (substring of the console log; may repeat)
#   // timeout: SECONDS
# Every domain gets a device model and a fresh 24 MiB disk image (blk_* tests).
# This runner boots each one in its own domain under a real xenia-hv and checks
# the outcome. Guests expecting `none` must still be running after the timeout
# (containment of spinning guests) and are destroyed.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh

pass=0; fail=0; failed=()
hv_start "$B" || exit 1
trap 'hv_stop' EXIT

for src in tests/guests/*.c; do
    name=$(basename "$src" .c)
    elf="$PWD/$B/guests/$name.elf"
    expect=$(sed -n 's|^// expect-shutdown: *||p' "$src" | head -1)
    timeout=$(sed -n 's|^// timeout: *||p' "$src" | head -1)
    timeout=${timeout:-20}
    [ -n "$expect" ] || { echo "SKIP $name: no expect-shutdown line"; continue; }
    dom="gt-$name"
    cfg="$RUN/$dom.cfg"
    truncate -s 24M "$RUN/$dom.img"
    write_cfg "$cfg" "$dom" "$elf" 'on_poweroff = "preserve"' 'on_crash = "preserve"' 'on_reboot = "preserve"' \
        "disk = [ \"$RUN/$dom.img\" ]"
    ok=1; why=""
    if ! out=$($XENIA create "$cfg" 2>&1); then
        ok=0; why="create failed: $out"
    elif [ "$expect" = none ]; then
        sleep "$timeout"
        if line=$(wait_stopped "$dom" 0); then ok=0; why="stopped: $line"; fi
    else
        if ! line=$(wait_stopped "$dom" "$timeout"); then
            ok=0; why="did not stop within ${timeout}s"
        else
            case "$expect" in
                fault) [[ "$line" == *"crashed:"* ]] || { ok=0; why="expected a fault, got: $line"; } ;;
                *) [[ "$line" == *"shut down: $expect" ]] || { ok=0; why="expected $expect, got: $line"; } ;;
            esac
        fi
    fi
    while IFS= read -r want; do
        [ -n "$want" ] || continue
        grep -qF -- "$want" "$RUN/console/$dom.log" || { ok=0; why="${why:+$why; }console lacks '$want'"; }
    done < <(sed -n 's|^// expect-console: *||p' "$src")
    $XENIA destroy "$dom" >/dev/null 2>&1
    if ! hv_alive; then ok=0; why="${why:+$why; }xenia-hv died"; fi
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name: $why"
        sed 's/^/    | /' "$RUN/console/$dom.log" | tail -25
    fi
done
hv_stop
if hv_sanitizer_clean; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "guest tests: $pass passed, $fail failed ${failed[*]:-}"
[ $fail = 0 ]
