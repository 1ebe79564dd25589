#!/usr/bin/env bash
# The main job (grows with every issue): start xenia-hv enforcing the default FLASK
# policy, check the policy's isolation claim, boot tenant A's and tenant B's PV
# domains as two different uids, show that each sees only its own, let tenant B try
# to reach A through the control plane (every attempt denied and audited) while A
# keeps serving, then shut both down.
# Usage: tools/demo.sh [BUILD_DIR] ; DEMO_QUICK=1 for the test suite, DEMO_LOG=DIR.
# Tenants are uids 1001 (A, category c1) and 1002 (B, c2): the `login` lines of
# policy/default/xenia.te. Needs root (KVM, and to act as the tenants' uids).
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
# denied NAME CMD...: the attempt must fail; shows hv's answer.
denied() {
    local name=$1 out; shift
    if out=$("$@" 2>&1); then record "$name" fail "ALLOWED: $out"; else record "$name" ok "denied: ${out#xenia: }"; fi
}
POL="$PWD/$B/policy/xenia.xpol"
# The run directory must be reachable by the tenants' uids: a fresh one in /tmp.
RUN=$(mktemp -d /tmp/xenia-demo.XXXXXX); chmod 755 "$RUN"
cp "$B/guests/hello.elf" "$RUN/hello.elf"; chmod 644 "$RUN/hello.elf"
"$B/bin/xenia-hv" --run-dir "$RUN" --policy "$POL" --attest-listen 127.0.0.1:0 \
    >"$LOG/xenia-hv.stderr" 2>&1 &
HV=$!
cleanup() { kill -TERM $HV 2>/dev/null; wait $HV 2>/dev/null; cp -r "$RUN" "$LOG/run" 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT
X="$B/bin/xenia --run-dir $RUN"
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
XA="as 1001 $X"; XB="as 1002 $X"

step "Start xenia-hv with the default policy, enforcing"
for _ in $(seq 1 100); do [ -S "$RUN/ctl.sock" ] && break; sleep 0.05; done
if [ -S "$RUN/ctl.sock" ]; then record hv ok "xenia-hv pid $HV, $($X getenforce 2>&1), policy sha256 $($X getenforce -v 2>/dev/null | sed -n 's/.*sha256[^0-9a-f]*\([0-9a-f]\{12\}\).*/\1/p')..."
else record hv fail "xenia-hv did not start: $(tail -3 "$LOG/xenia-hv.stderr")"; exit 1; fi

step "The policy's isolation claim (xenia-policy check-isolation)"
"$B/bin/xenia-policy" check-isolation "$POL" >"$LOG/isolation.txt" 2>&1; rc=$?
sed 's/^/    /' "$LOG/isolation.txt" | grep -E 'c1|c2' | head -4 | sed "s/^/$D/;s/\$/$N/"
if [ $rc = 0 ]; then record isolation ok "no information flow between any two tenants"; else record isolation fail "see $LOG/isolation.txt"; fi

step "Tenant A (uid 1001) and tenant B (uid 1002) create their domains"
for t in a b; do
    cat >"$RUN/tenant-$t.cfg" <<CFG
# Tenant ${t^^}: a PV guest built with guest/; its label comes from the policy
name    = "tenant-$t"
kernel  = "$RUN/hello.elf"
memory  = 16
cmdline = "wait tenant=$t"
CFG
    chmod 644 "$RUN/tenant-$t.cfg"
    u=1001; [ $t = b ] && u=1002
    if out=$(as $u $X create "$RUN/tenant-$t.cfg" 2>&1); then record "create tenant-$t" ok "${out:-created}"; else record "create tenant-$t" fail "$out"; fi
done

step "Consoles (each tenant its own)"
for t in a b; do
    u=1001; [ $t = b ] && u=1002
    for _ in $(seq 1 100); do grep -q "Hello from" "$RUN/console/tenant-$t.log" 2>/dev/null && break; sleep 0.05; done
    con=$(as $u timeout 5 $X console -r --timeout 1 "tenant-$t" 2>&1 | grep -v '^\[xenia-hv\]' | head -5)
    printf '%s' "$D"; sed "s/^/    tenant-$t | /" <<<"$con"; printf '%s' "$N"
    if grep -q "Hello from Xenia domain" <<<"$con"; then record "console tenant-$t" ok "greeting received"; else record "console tenant-$t" fail "no greeting"; fi
done

step "xenia list -Z: the host sees both, each tenant only its own"
$X list -Z | sed 's/^/    /'
n=$($X list | grep -Ec '^tenant-[ab] .*(running|blocked)')
if [ "$n" = 2 ]; then record list ok "both tenants running, labelled s0:c1 and s0:c2"; else record list fail "$n of 2 tenants running"; fi
if $XB list | grep -q '^tenant-a '; then record "B's view" fail "B sees A's domain"; else record "B's view" ok "B's list shows only tenant-b"; fi

step "Tenant B attacks tenant A through the control plane"
AID=$($X list | awk '$1 == "tenant-a" { print $2 }')
denied "B pauses A"        $XB pause "$AID"
denied "B destroys A"      $XB destroy "$AID"
denied "B attaches to A"   $XB console -r --timeout 1 "$AID"
denied "B labels as A"     $XB create "$RUN/tenant-b.cfg" name=b-as-a 'seclabel="tenant_u:tenant_r:domU_t:s0:c1"'
denied "B setenforce 0"    $XB setenforce 0
$X audit >"$LOG/audit.txt" 2>&1
grep 'avc:  denied' "$LOG/audit.txt" | tail -5 | cut -c1-150 | sed "s/^/    $D/;s/\$/$N/"
n=$(grep -c "avc:  denied .*scontext=tenant_u:tenant_r:tenant_t:s0:c2" "$LOG/audit.txt")
if [ "$n" -ge 4 ]; then record audit ok "$n denials of tenant B audited (xenia audit)"; else record audit fail "only $n denials audited"; fi

step "Tenant A keeps serving"
out=$(printf 'still here?\n' | as 1001 timeout 5 $X console --timeout 1 tenant-a 2>&1)
for _ in $(seq 1 40); do grep -q "echo: still here?" "$RUN/console/tenant-a.log" && break; sleep 0.05; done
if grep -q "echo: still here?" "$RUN/console/tenant-a.log"; then record "A serves" ok "A's guest echoes its tenant's input"; else record "A serves" fail "no echo from A"; fi

step "Each tenant attests the host (xenia-verify over TLS: quote, event log, isolation claim)"
for t in a b; do
    lvl=s0:c1; [ $t = b ] && lvl=s0:c2
    "$B/bin/xenia-verify" --run-dir "$RUN" --level $lvl >"$LOG/verify-$t.txt" 2>&1
    v=$(grep '^VERDICT' "$LOG/verify-$t.txt")
    echo "    $v" | sed "s/^/$D/;s/\$/$N/"
    if grep -q '^VERDICT: TRUSTED' <<<"$v"; then record "attest tenant-$t" ok "TRUSTED at $lvl"; else record "attest tenant-$t" fail "${v:-no verdict} (see $LOG/verify-$t.txt)"; fi
done

step "Each tenant shuts its own domain down"
for t in a b; do
    u=1001; [ $t = b ] && u=1002
    if as $u $X shutdown -w --timeout 15 "tenant-$t" >/dev/null 2>&1; then record "shutdown tenant-$t" ok "powered off on request"; else record "shutdown tenant-$t" fail "did not stop"; fi
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
