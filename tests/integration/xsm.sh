#!/usr/bin/env bash
# Mandatory access control end to end: xenia-hv enforcing the default FLASK policy
# (policy/default/xenia.te), tenants as real uids (1001 = tenant A at s0:c1, 1002 =
# tenant B at s0:c2, 4242 unmapped), the host toolstack as root. Checks that
# cross-tenant control attempts are denied AND audited, permissive mode logs but
# allows, setenforce/setbool/loadpolicy are themselves checked, a new policy loaded
# at run time changes decisions without touching running domains, and a malformed
# policy is rejected with the old one left in force.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "PASS $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# refuses WHAT PATTERN CMD...: CMD must fail and its stderr match PATTERN.
refuses() {
    local what=$1 pat=$2 out; shift 2
    if out=$("$@" 2>&1); then bad "$what (was allowed: $out)"; return; fi
    if grep -Eq "$pat" <<<"$out"; then ok "$what"; else bad "$what (message: $out)"; fi
}

POL="$PWD/$B/policy/xenia.xpol"
[ -f "$POL" ] || { echo "FAIL no compiled default policy at $POL"; exit 1; }
HV_ARGS="--policy $POL" hv_start "$B" || exit 1
trap 'hv_stop' EXIT
chmod 755 "$RUN"
T="$RUN/t"; mkdir -p "$T"; chmod 755 "$T"
cp "$B/guests/hello.elf" "$T/hello.elf"; chmod 644 "$T/hello.elf"
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
XA="as 1001 $XENIA"; XB="as 1002 $XENIA"; XN="as 4242 $XENIA"
audit() { $XENIA audit 2>&1; }

check "getenforce: Enforcing" bash -c "$XENIA getenforce | grep -qx Enforcing"
out=$($XENIA getenforce -v 2>&1)
check "status names the flask module and the caller's context" \
    bash -c "grep -q flask <<<'$out' && grep -q 'system_u:system_r:dom0_t' <<<'$out'"

# --- each tenant creates a domain; labels come from the policy -----------------------
write_cfg "$T/a.cfg" tenant-a "$T/hello.elf" 'cmdline = "wait"'
write_cfg "$T/b.cfg" tenant-b "$T/hello.elf" 'cmdline = "wait"'
chmod 644 "$T"/*.cfg
check "tenant A creates its domain" $XA create "$T/a.cfg"
check "tenant B creates its domain" $XB create "$T/b.cfg"
for d in tenant-a tenant-b; do
    for _ in $(seq 1 100); do grep -q "Hello from" "$RUN/console/$d.log" 2>/dev/null && break; sleep 0.05; done
done
out=$($XA list -Z 2>&1)
check "A's domain is labelled at A's category" grep -Eq "^tenant-a .*tenant_u:tenant_r:domU_t:s0:c1" <<<"$out"
check "A does not see B's domain" bash -c "! grep -q '^tenant-b ' <<<'$out'"
out=$($XB list 2>&1)
check "B does not see A's domain" bash -c "! grep -q '^tenant-a ' <<<'$out'"
out=$($XENIA list -Z 2>&1)
check "the host sees both" bash -c "grep -q '^tenant-a .*s0:c1' <<<'$out' && grep -q '^tenant-b .*s0:c2' <<<'$out'"
AID=$($XENIA list | awk '$1 == "tenant-a" { print $2 }')

# --- tenant B against tenant A: denied, and audited ---------------------------------------
refuses "B cannot pause A's domain"   "no domain|denied" $XB pause "$AID"
refuses "B cannot destroy A's domain" "no domain|denied" $XB destroy "$AID"
refuses "B cannot attach to A's console" "no domain|denied" $XB console -r --timeout 1 "$AID"
refuses "B cannot shut A's domain down" "no domain|denied" $XB shutdown "$AID"
refuses "B cannot look A's domain up by name" "no domain" $XB info tenant-a
refuses "B cannot create a domain at A's category" "denied" \
    $XB create "$T/b.cfg" name=b-as-a 'seclabel="tenant_u:tenant_r:domU_t:s0:c1"'
out=$(audit)
for p in pause destroy console shutdown; do
    check "audit: B's $p of A's domain" grep -Eq \
        "avc:  denied  \{ $p \} .*domid=$AID scontext=tenant_u:tenant_r:tenant_t:s0:c2 tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=domain permissive=0" <<<"$out"
done
check "A's domain still runs" bash -c "$XENIA list | grep -Eq '^tenant-a .*(running|blocked)'"
check "A can pause its own domain" $XA pause tenant-a
check "A can unpause its own domain" $XA unpause tenant-a

# --- tenants cannot touch the policy; an unmapped uid can do nothing --------------------
refuses "B cannot setenforce 0" "denied" $XB setenforce 0
refuses "A cannot load a policy" "denied" $XA loadpolicy "$POL"
refuses "A cannot set a boolean" "denied" $XA setbool tenant_can_shutdown off
refuses "A cannot read the audit log" "denied" $XA audit
out=$(audit)
check "audit: B's setenforce" grep -Eq "avc:  denied  \{ setenforce \} .*scontext=tenant_u:tenant_r:tenant_t:s0:c2 .*tclass=security" <<<"$out"
check "audit: A's load_policy" grep -Eq "avc:  denied  \{ load_policy \} .*tclass=security" <<<"$out"
check "still enforcing" bash -c "$XENIA getenforce | grep -qx Enforcing"
out=$($XN list 2>&1)
check "an unmapped uid sees no domain" bash -c "! grep -Eq '^tenant-' <<<'$out'"
refuses "an unmapped uid cannot create" "denied|not authorised" $XN create "$T/a.cfg" name=intruder

# --- booleans -----------------------------------------------------------------------------
check "getbool tenant_can_shutdown" bash -c "$XENIA getbool tenant_can_shutdown | grep -q 'tenant_can_shutdown --> on'"
check "setbool tenant_can_shutdown off" $XENIA setbool tenant_can_shutdown off
refuses "with it off, A cannot shut its domain down" "denied" $XA shutdown tenant-a
check "setbool tenant_can_shutdown on" $XENIA setbool tenant_can_shutdown on

# --- permissive mode: logged, allowed --------------------------------------------------
check "setenforce 0 (host)" $XENIA setenforce 0
check "getenforce: Permissive" bash -c "$XENIA getenforce | grep -qx Permissive"
check "permissive: B may pause A's domain" $XB pause "$AID"
check "audit: the permissive denial is logged" bash -c "$XENIA audit | grep -Eq 'denied  \{ pause \} .*domid=$AID .*permissive=1'"
$XB unpause "$AID" >/dev/null 2>&1
check "setenforce 1 (host)" $XENIA setenforce 1
refuses "enforcing again: B cannot pause A's domain" "no domain|denied" $XB pause "$AID"

# --- policy reload ------------------------------------------------------------------------
head -c 100 "$POL" >"$T/trunc.xpol"; chmod 644 "$T/trunc.xpol"
refuses "a truncated policy is rejected" "rejected" $XENIA loadpolicy "$T/trunc.xpol"
refuses "the old policy stays in force" "no domain|denied" $XB pause "$AID"
# A variant where tenant B (uid 1002) spans both categories and may cross them: B's
# label changes at the next request, and so do the decisions.
sed -e 's/^login 1002 .*/login 1002 tenant_u:tenant_r:tenant_t:s0-s0:c1.c2;/' \
    policy/default/xenia.te >"$T/open.te"
echo 'typeattribute tenant_t mcs_privileged;' >>"$T/open.te"
if ! "$B/bin/xenia-policy" compile "$T/open.te" -o "$T/open.xpol" >"$T/open.log" 2>&1; then
    bad "compile the permissive variant: $(cat "$T/open.log")"
fi
chmod 644 "$T/open.xpol" 2>/dev/null
check "load the variant at run time" $XENIA loadpolicy "$T/open.xpol"
check "with the variant, B may pause A's domain" $XB pause "$AID"
check "... and unpause it" $XB unpause "$AID"
refuses "check-isolation flags the variant" "FLOW|flow" "$B/bin/xenia-policy" check-isolation "$T/open.xpol"
check "getenforce -v counts two policy loads" bash -c "$XENIA getenforce -v | grep -Eiq 'policy loads: +2'"
check "domains kept running across the load" bash -c "$XENIA list | grep -Eq '^tenant-a .*(running|blocked)'"
check "reload the default policy" $XENIA loadpolicy "$POL"
refuses "default again: B cannot pause A's domain" "no domain|denied" $XB pause "$AID"
out=$(printf 'after reload\n' | as 1001 timeout 5 $XENIA console --timeout 1 tenant-a 2>&1)
for _ in $(seq 1 40); do grep -q "echo: after reload" "$RUN/console/tenant-a.log" && break; sleep 0.05; done
check "A's console still works after two loads" grep -q "echo: after reload" "$RUN/console/tenant-a.log"

# --- tenants clean up their own ----------------------------------------------------------
check "A destroys its domain" $XA destroy tenant-a
check "B destroys its domain" $XB destroy tenant-b
check "audit.log in the run directory holds the denials" grep -q "avc:  denied" "$RUN/audit.log"
check "xenia-hv alive" hv_alive
hv_stop
trap - EXIT
check "no sanitizer report from xenia-hv" hv_sanitizer_clean
echo "xsm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
