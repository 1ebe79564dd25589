#!/usr/bin/env bash
# The main job (skeleton, grows with every issue): start xenia-hv, boot two
# tenants' PV domains, show their consoles and state, shut them down, stop.
# Usage: tools/demo.sh [BUILD_DIR] ; DEMO_QUICK=1 for the test suite.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/.."
LOG=${DEMO_LOG:-$PWD/$B/demo-log}
rm -rf "$LOG"; mkdir -p "$LOG"
if [ -t 1 ]; then G=$'\e[32m'; R=$'\e[31m'; Y=$'\e[1;33m'; D=$'\e[2m'; N=$'\e[0m'; else G= R= Y= D= N=; fi
steps=(); results=(); failed=0
step() { printf '%s==>%s %s\n' "$Y" "$N" "$*"; }
record() {  # NAME RESULT(ok|fail) DETAIL
    steps+=("$1"); results+=("$2 $3")
    if [ "$2" = ok ]; then printf '    %sok%s   %s\n' "$G" "$N" "$3"; else printf '    %sFAIL%s %s\n' "$R" "$N" "$3"; failed=1; fi
}
RUN="$LOG/run"; mkdir -p "$RUN"
"$B/bin/xenia-hv" --run-dir "$RUN" >"$LOG/xenia-hv.stderr" 2>&1 &
HV=$!
trap 'kill -TERM $HV 2>/dev/null; wait $HV 2>/dev/null' EXIT
X="$B/bin/xenia --run-dir $RUN"

step "Start xenia-hv (run dir $RUN)"
for _ in $(seq 1 100); do [ -S "$RUN/ctl.sock" ] && break; sleep 0.05; done
if [ -S "$RUN/ctl.sock" ]; then record hv ok "xenia-hv pid $HV listening on ctl.sock"; else record hv fail "xenia-hv did not start: $(tail -3 "$LOG/xenia-hv.stderr")"; exit 1; fi

step "Create tenant A's and tenant B's domains"
for t in a b; do
    cat >"$LOG/tenant-$t.cfg" <<CFG
# Tenant ${t^^}: a PV guest built with guest/
name    = "tenant-$t"
kernel  = "$PWD/$B/guests/hello.elf"
memory  = 16
cmdline = "wait tenant=$t"
CFG
    if out=$($X create "$LOG/tenant-$t.cfg" 2>&1); then record "create tenant-$t" ok "${out:-created}"; else record "create tenant-$t" fail "$out"; fi
done

step "Consoles"
for t in a b; do
    for _ in $(seq 1 100); do grep -q "Hello from" "$RUN/console/tenant-$t.log" 2>/dev/null && break; sleep 0.05; done
    con=$(timeout 5 $X console -r --timeout 1 "tenant-$t" 2>&1 | grep -v '^\[xenia-hv\]' | head -5)
    printf '%s' "$D"; sed "s/^/    tenant-$t | /" <<<"$con"; printf '%s' "$N"
    if grep -q "Hello from Xenia domain" <<<"$con"; then record "console tenant-$t" ok "greeting received"; else record "console tenant-$t" fail "no greeting"; fi
done

step "xenia list"
$X list | sed 's/^/    /'
n=$($X list | grep -Ec '^tenant-[ab] .*(running|blocked)')
if [ "$n" = 2 ]; then record list ok "both tenants running"; else record list fail "$n of 2 tenants running"; fi

step "Shut both tenants down"
for t in a b; do
    if $X shutdown -w --timeout 15 "tenant-$t" >/dev/null 2>&1; then record "shutdown tenant-$t" ok "powered off on request"; else record "shutdown tenant-$t" fail "did not stop"; fi
done
$X list | sed 's/^/    /'
for t in a b; do $X destroy "tenant-$t" >/dev/null 2>&1; done

step "Summary"
printf '    %-22s %s\n' STEP RESULT
for i in "${!steps[@]}"; do
    r=${results[$i]}; c=$G; [[ $r == fail* ]] && c=$R
    printf '    %-22s %s%s%s\n' "${steps[$i]}" "$c" "${r%% *}" "$N"
done
echo "    logs: $LOG"
exit $failed
