#!/usr/bin/env bash
# Guest-initiated attestation end to end (attest_op, include/xenia/attest.h):
# xenia-hv with its own swtpm and the default FLASK policy enforcing; tenant A
# (uid 1001) runs tests/guests/attest_quote with a random nonce. The guest prints
# the AK's TPMT_PUBLIC, one quote (TPMS_ATTEST, TPMT_SIGNATURE) and its domid, and
# checks the ABI edges from inside (-E2BIG, -EINVAL, -EFAULT, the rate limit).
# Here tpm2_checkquote (tpm2-tools, an independent checker) must accept the quote
# with qualification SHA-256("xenia-guest-quote" || domid (le32) || nonce), and
# reject it with another nonce, another domid, the bare nonce, or a changed byte.
# Under the default policy domU_t has attest:guest_quote: no denial is audited;
# under a variant without that rule the guest gets -EACCES and the denial is audited.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "PASS $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# rejects WHAT CMD...: CMD must fail.
rejects() { local what=$1; shift; if "$@" >/dev/null 2>&1; then bad "$what (accepted)"; else ok "$what"; fi; }

command -v tpm2_checkquote >/dev/null || { echo "FAIL tpm2_checkquote not installed (tpm2-tools)"; exit 1; }
POL="$PWD/$B/policy/xenia.xpol"
[ -f "$POL" ] || { echo "FAIL no compiled default policy at $POL"; exit 1; }
HV_ARGS="--attest-listen 127.0.0.1:0 --policy $POL" hv_start "$B" || exit 1
trap 'hv_stop' EXIT
chmod 755 "$RUN"
T="$RUN/t"; mkdir -p "$T"; chmod 755 "$T"
cp "$B/guests/attest_quote.elf" "$T/attest_quote.elf"; chmod 644 "$T/attest_quote.elf"
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
XA="as 1001 $XENIA"

# hex -> bytes; SHA-256("xenia-guest-quote" || le32(domid) || nonce) as hex.
unhex() { perl -e 'print pack("H*", $ARGV[0])' "$1"; }
qual() { perl -e 'print "xenia-guest-quote", pack("V", $ARGV[0]), pack("H*", $ARGV[1])' "$1" "$2" |
         sha256sum | cut -d' ' -f1; }
check "qualification helper: SHA-256 of 17 + 4 + 32 bytes" \
    test "$(perl -e 'print "xenia-guest-quote", pack("V", 7), "\x00" x 32' | wc -c)" = 53

# --- tenant A's guest quotes its own nonce ---------------------------------------------
NONCE=$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
write_cfg "$T/aq.cfg" attest-a "$T/attest_quote.elf" "cmdline = \"nonce=$NONCE\"" \
    'on_poweroff = "preserve"' 'on_crash = "preserve"'
chmod 644 "$T/aq.cfg"
check "tenant A creates the attest_quote guest" $XA create "$T/aq.cfg"
LOG="$RUN/console/attest-a.log"
line=$(wait_stopped attest-a 60) || line="(did not stop within 60 s)"
check "the guest powers off ($line)" grep -q "shut down: poweroff" <<<"$line"
check "the guest's checks pass (Test result: SUCCESS)" grep -q "Test result: SUCCESS" "$LOG"
grep -E "^FAIL|rate:|10 quotes" "$LOG" | sed 's/^/    | /'
AKPUB=$(sed -n 's/^AKPUB \([0-9a-f]*\)$/\1/p' "$LOG" | head -1)
read -r ATT SIG < <(sed -n 's/^QUOTE \([0-9a-f]*\) \([0-9a-f]*\)$/\1 \2/p' "$LOG" | head -1)
DOMID=$(sed -n 's/^DOMID \([0-9]*\)$/\1/p' "$LOG" | head -1)
check "console has AKPUB, QUOTE and DOMID" test -n "$AKPUB" -a -n "${ATT:-}" -a -n "${SIG:-}" -a -n "$DOMID"
check "DOMID is the domain's id in xenia list" \
    bash -c "$XENIA list | awk -v d='$DOMID' '\$1 == \"attest-a\" && \$2 == d { f = 1 } END { exit !f }'"
[ $fail = 0 ] || { echo "--- guest console:"; sed 's/^/    | /' "$LOG" | tail -30; }

# --- the evidence, as tpm2-tools files ----------------------------------------------------
# ak.pub: TPM2B_PUBLIC = 2-byte big-endian size + TPMT_PUBLIC (TPM 2.0 Part 2 §12.2.5).
perl -e '$b = pack("H*", $ARGV[0]); print pack("n", length $b), $b' "$AKPUB" >"$T/ak.pub"
unhex "$ATT" >"$T/attest"
unhex "$SIG" >"$T/sig"
Q=$(qual "$DOMID" "$NONCE")
checkq() {  # QUAL [MESSAGE]: tpm2_checkquote with the guest's AK and signature
    tpm2_checkquote -u "$T/ak.pub" -m "${2:-$T/attest}" -s "$T/sig" -q "$1" -g sha256
}
out=$(checkq "$Q" 2>&1); rc=$?
check "tpm2_checkquote accepts the quote for (domid $DOMID, nonce)" test $rc = 0
[ $rc = 0 ] || echo "$out" | sed 's/^/    | /'
OTHER=$(head -c 32 /dev/urandom | od -An -tx1 -v | tr -d ' \n')
rejects "tpm2_checkquote rejects another nonce's qualification" checkq "$(qual "$DOMID" "$OTHER")"
rejects "tpm2_checkquote rejects another domid's qualification ($((DOMID + 1)))" \
    checkq "$(qual $((DOMID + 1)) "$NONCE")"
rejects "tpm2_checkquote rejects the bare nonce as qualification" checkq "$NONCE"
# One changed byte in the attestation data (the last: PCR digest) breaks the signature.
perl -e 'local $/; $_ = <STDIN>; substr($_, -1, 1) ^= "\x01"; print' <"$T/attest" >"$T/attest.bad"
rejects "tpm2_checkquote rejects a changed TPMS_ATTEST" checkq "$Q" "$T/attest.bad"

# --- audit: attest:guest_quote is allowed to domU_t; nothing denied ----------------------
out=$($XENIA audit 2>&1); rc=$?
check "xenia audit answers" test $rc = 0
check "audit: no attest denial" bash -c "! grep -E 'denied .*tclass=attest' <<<'$out'"
check "hv log: no attest error" bash -c "! grep -Ei 'attest.*(error|fail)' '$RUN/xenia-hv.log'"

$XENIA destroy attest-a >/dev/null 2>&1

# --- a policy without attest:guest_quote: -EACCES in the guest, audited ------------------
sed '/^allow domU_t xen_t:attest guest_quote;/d' policy/default/xenia.te >"$T/noquote.te"
check "the variant drops exactly one rule" \
    test "$(diff policy/default/xenia.te "$T/noquote.te" | grep -c '^<')" = 1
if "$B/bin/xenia-policy" compile "$T/noquote.te" -o "$T/noquote.xpol" >"$T/noquote.log" 2>&1 &&
   $XENIA loadpolicy "$T/noquote.xpol" >/dev/null 2>&1; then
    ok "load a policy without attest:guest_quote"
    write_cfg "$T/ad.cfg" attest-d "$T/attest_quote.elf" "cmdline = \"denied nonce=$NONCE\"" \
        'on_poweroff = "preserve"' 'on_crash = "preserve"'
    chmod 644 "$T/ad.cfg"
    check "tenant A creates a guest under it" $XA create "$T/ad.cfg"
    line=$(wait_stopped attest-d 30) || line="(did not stop within 30 s)"
    check "attest_op is -EACCES in the guest, nothing written ($line)" \
        grep -q "Test result: SUCCESS" "$RUN/console/attest-d.log"
    grep -E "^FAIL" "$RUN/console/attest-d.log" | sed 's/^/    | /'
    out=$($XENIA audit 2>&1)
    check "audit: the guest's guest_quote denial" grep -Eq \
        "avc:  denied  \{ guest_quote \} .*scontext=tenant_u:tenant_r:domU_t:s0:c1 .*tclass=attest permissive=0" <<<"$out"
    grep -E 'tclass=attest' <<<"$out" | tail -2 | sed 's/^/    | /'
    $XENIA destroy attest-d >/dev/null 2>&1
    check "reload the default policy" bash -c "$XENIA loadpolicy '$POL' >/dev/null"
else
    bad "load a policy without attest:guest_quote: $(tail -3 "$T/noquote.log")"
fi
check "xenia-hv still running" hv_alive
hv_stop
if hv_sanitizer_clean; then ok "no sanitizer report"; else bad "sanitizer report"; fi
if [ $fail != 0 ]; then
    echo "--- xenia-hv.log (attest, tpm):"
    grep -Ei 'attest|tpm|quote' "$RUN/xenia-hv.log" 2>/dev/null | tail -20 | sed 's/^/    | /'
    echo "--- hv.stderr:"; tail -20 "$RUN/hv.stderr" | sed 's/^/    | /'
fi
echo "attest_guest tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
