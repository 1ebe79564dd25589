#!/usr/bin/env bash
# End-to-end test of the main job: runs tools/demo.sh in quick mode and asserts
# every outcome. The demo exits non-zero when one of its steps fails; this also
# fails when a step is missing from its summary (a step that silently stopped
# running would otherwise pass), or when its log lacks what the steps claim.
# Usage: tests/integration/demo_check.sh BUILD_DIR
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
LOG=$PWD/$B/demo-test
DEMO_QUICK=1 DEMO_LOG=$LOG bash tools/demo.sh "$B"; rc=$?
n=0 bad=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $*"; }
t() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else notok "$d"; fi; }

t "demo exits 0" test "$rc" = 0
# Every step the demo must show, in order; each must be present and ok.
EXPECT=(hv isolation-claim "create tenant-a" "create tenant-b" "A stores" "B stores" "B's view"
    "B pauses A" "B unpauses A" "B shuts A down" "B destroys A" "B reads A's info"
    "B attaches to A" "B labels as A" "B opens A's disk" "B setenforce 0" "B loads a policy"
    "A untouched" "create attack" gnt-map-rw gnt-map-ro gnt-copy-from gnt-copy-to evt-bind
    evt-offer evt-send domid-scan hc-bad-ptr blk-sector blk-window blk-ring flood-denied
    attest-flood flood-allowed "A serves in flood" "wild read" "audit domain" "audit grant"
    "audit event" "audit dm" "dm restart" persistence "attest tenant-a" "attest tenant-b"
    "leak policy" "operator loads it" "refused (build)" "refused (operator)"
    "shutdown tenant-a" "shutdown tenant-b")
t "summary has ${#EXPECT[@]} steps in order" \
    diff <(printf '%s\n' "${EXPECT[@]}") <(cut -f1 "$LOG/summary.tsv")
for s in "${EXPECT[@]}"; do
    t "step '$s' ok" grep -qxF "$s"$'\tok' <(cut -f1,2 "$LOG/summary.tsv")
done
# What the summary claims is in the logs, independently of the demo's own checks.
secret_a=$(grep -ohE 'VALUE [0-9a-f]{16}' "$LOG/session-tenant-a.out" 2>/dev/null | head -1 | cut -d' ' -f2)
t "A's secret was read back by A" test -n "$secret_a"
t "A's secret never appears in anything B's domains printed" \
    bash -c "! cat '$LOG/console/tenant-b.log' '$LOG/console/attack.log' '$LOG/session-tenant-b.out' | grep -qF '${secret_a:-unset}'"
t "every attack line of the attack guest has allowed=0" \
    bash -c "grep '^attack: ' '$LOG/console/attack.log' | grep 'allowed=' | grep -v 'allowed=0\b' | { ! grep -q .; }"
t "A's second boot recovered its keys from disk" grep -q '^kvstore: recovered [1-9]' "$LOG/console/tenant-a.log"
t "audit.log has B's grant denials against A" grep -q 'scontext=[^ ]*:s0:c2 tcontext=[^ ]*:s0:c1 tclass=grant' "$LOG/audit.log"
t "both tenants were TRUSTED" bash -c "grep -qx 'VERDICT: TRUSTED' '$LOG/verify-tenant-a.txt' && grep -qx 'VERDICT: TRUSTED' '$LOG/verify-tenant-b.txt'"
t "the tampered host was refused" grep -q '^VERDICT: REFUSED (isolation)' "$LOG/verify-tampered-operator.txt"
echo "demo: $((n - bad)) of $n checks passed"
[ "$bad" = 0 ]
