#!/bin/bash
# Isolation checks through the CLI (`xenia-policy check-isolation | analyze |
# audit2allow`): the default policy and tests/policy/good/iso_two_tenants.te are
# isolated (exit 0); iso_two_tenants_leak.te has a flow (exit 2) whose path is
# printed; bad labels and unreadable policies exit 1.
# Usage: tests/policy/run_iso.sh BUILD_DIR
set -u
B=${1:-build}
XP=$B/bin/xenia-policy
G=tests/policy/good
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {  # name expected-exit expected-substring cmd...
    local name=$1 want=$2 text=$3; shift 3
    "$@" >"$tmp/out" 2>&1
    local rc=$?
    if [ "$rc" != "$want" ] || ! grep -qF -- "$text" "$tmp/out"; then
        echo "FAIL $name: exit $rc (want $want), output:"; sed 's/^/    /' "$tmp/out"
        fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}

# Compiled binaries as well as sources.
$XP compile policy/default/xenia.te -o "$tmp/xenia.xpol" >/dev/null || { echo "FAIL compile default"; exit 1; }
$XP compile $G/iso_two_tenants_leak.te -o "$tmp/leak.xpol" >/dev/null || { echo "FAIL compile leak"; exit 1; }

check "default policy isolated" 0 "verdict: isolated (6 tenant pairs" $XP check-isolation "$tmp/xenia.xpol"
check "iso_two_tenants isolated" 0 "verdict: isolated (2 tenant pairs" $XP check-isolation $G/iso_two_tenants.te
check "iso_two_tenants_leak flows" 2 "FLOW      system_u:system_r:client_t:s0:c1 -> system_u:system_r:client_t:s0:c2 via" \
    $XP check-isolation "$tmp/leak.xpol"
check "analyze: no flow between tenants" 0 "no flow from" \
    $XP analyze "$tmp/xenia.xpol" tenant_u:tenant_r:tenant_t:s0:c1 tenant_u:tenant_r:domU_t:s0:c2
check "analyze: tenant reaches its device model" 2 "flow: yes" \
    $XP analyze "$tmp/xenia.xpol" tenant_u:tenant_r:tenant_t:s0:c1 system_u:system_r:dm_t:s0:c1
check "analyze: leak path through s0" 2 "grant:map_read on the former" \
    $XP analyze "$tmp/leak.xpol" system_u:system_r:guest_t:s0:c1 system_u:system_r:guest_t:s0:c2
check "analyze: bad label" 1 "bad label 'nobody:x'" \
    $XP analyze "$tmp/xenia.xpol" nobody:x tenant_u:tenant_r:tenant_t:s0:c1
check "analyze: missing policy" 1 "No such file" \
    $XP analyze "$tmp/missing.xpol" a b
check "check-isolation: truncated binary" 1 "invalid policy" \
    bash -c "head -c 100 '$tmp/xenia.xpol' > '$tmp/trunc.xpol'; $XP check-isolation '$tmp/trunc.xpol'"

printf '%s\n' \
 'xenia-hv: avc:  denied  { pause } for op=pause domid=3 scontext=tenant_u:tenant_r:tenant_t:s0:c2 tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=domain permissive=0' \
 'unrelated line' \
 'xenia-hv: avc:  denied  { unpause } for op=unpause scontext=tenant_u:tenant_r:tenant_t:s0:c1 tcontext=system_u:system_r:dm_t:s0:c1 tclass=domain permissive=0' \
 > "$tmp/audit.log"
check "audit2allow: plain rules" 0 "allow tenant_t domU_t:domain { pause };" $XP audit2allow "$tmp/audit.log"
check "audit2allow: constraint explained" 0 "#!!!! constraint violation: tenant_t domU_t:domain { pause }" \
    $XP audit2allow -p "$tmp/xenia.xpol" "$tmp/audit.log"
check "audit2allow: missing rule" 0 "allow tenant_t dm_t:domain { unpause };" \
    bash -c "$XP audit2allow -p '$tmp/xenia.xpol' - < '$tmp/audit.log'"

[ "$fails" = 0 ] && echo "run_iso: all passed" || { echo "run_iso: $fails failed"; exit 1; }
