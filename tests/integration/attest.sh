#!/usr/bin/env bash
# Measured boot and remote attestation end to end (issue 5; docs/attestation.md):
# xenia-hv with its own swtpm and the default policy enforcing, two tenants'
# domains (uids 1001 at s0:c1, 1002 at s0:c2), the attestation agent as a
# confined stub domain, and xenia-verify over TLS. Independent checkers:
# tpm2_eventlog (our log, replayed) and tpm2_checkquote (our quote, our AK).
# Then the tamper matrix, one check per row, each with the reason expected.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "PASS $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
for t in swtpm swtpm_setup tpm2_eventlog tpm2_checkquote; do
    command -v $t >/dev/null || { echo "FAIL $t is not installed (tools/install-deps.sh)"; exit 1; }
done

POL="$PWD/$B/policy/xenia.xpol"
XV="$PWD/$B/bin/xenia-verify"
BUNDLE="$PWD/$B/tests/att-bundle"
MAN="$PWD/$B/attest/manifest.cfg"
HV_ARGS="--policy $POL --attest-listen 127.0.0.1:0" hv_start "$B" || exit 1
MAIN_RUN=$RUN; MAIN_PID=$HV_PID
RUNS=("$RUN"); PIDS=("$HV_PID")
cleanup() {
    for i in "${!PIDS[@]}"; do HV_PID=${PIDS[$i]} hv_stop; done
    [ -n "${TPM2_PID:-}" ] && kill "$TPM2_PID" 2>/dev/null
}
trap cleanup EXIT
chmod 755 "$RUN"
T="$RUN/t"; mkdir -p "$T"; chmod 755 "$T"
cp "$B/guests/hello.elf" "$T/hello.elf"
cp "$B/guests/hello.elf" "$T/other.elf"; printf 'x' >>"$T/other.elf"   # not a reference image
chmod 644 "$T"/*.elf
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
write_cfg "$T/a.cfg" web-a "$T/hello.elf" 'cmdline = "wait"'
write_cfg "$T/b.cfg" web-b "$T/hello.elf" 'cmdline = "wait"'
chmod 644 "$T"/*.cfg
check "tenant A creates its domain" as 1001 $XENIA create "$T/a.cfg"
check "tenant B creates its domain" as 1002 $XENIA create "$T/b.cfg"

# verify RUN LEVEL EXPECTED-CODE [ARGS...]: run xenia-verify --json against RUN's
# agent and check the verdict's code; keeps the JSON in $OUT.
verify() {
    local run=$1 level=$2 want=$3; shift 3
    OUT=$("$XV" --run-dir "$run" --manifest "$MAN" --level "$level" --json "$@" 2>&1)
    local code
    code=$(sed -n 's/.*"code":"\([a-z-]*\)".*/\1/p' <<<"$OUT")
    [ "$code" = "$want" ] || { echo "  verdict: $OUT" | head -c 600; echo; return 1; }
}
vcheck() { local what=$1; shift; if verify "$@"; then ok "$what"; else bad "$what"; fi; }

# --- the trusted path ------------------------------------------------------------------
vcheck "tenant A attests the host: trusted" "$RUN" s0:c1 ok --save "$T/a.bundle"
check "A's verdict lists A's domain and only it" \
    bash -c "grep -q '\"name\":\"web-a\"' <<<'$OUT' && ! grep -q 'web-b' <<<'$OUT'"
check "A's verdict carries the isolation report" grep -q 'isolated' <<<"$OUT"
vcheck "tenant B attests the host: trusted" "$RUN" s0:c2 ok
out=$("$XV" --run-dir "$RUN" --manifest "$MAN" --level s0:c1 2>&1)
check "human output ends in VERDICT: TRUSTED" grep -q "^VERDICT: TRUSTED" <<<"$out"
check "exit status 0 when trusted" "$XV" --run-dir "$RUN" --manifest "$MAN" --level s0:c1 --quiet

# --- independent checkers: tpm2_eventlog and tpm2_checkquote ------------------------------
mkdir -p "$T/x"
check "bundle extracts" "$BUNDLE" extract "$T/a.bundle" "$T/x"
if tpm2_eventlog "$T/x/eventlog.bin" >"$T/x/eventlog.yaml" 2>&1; then
    ok "tpm2_eventlog parses our event log"
else
    bad "tpm2_eventlog parses our event log: $(tail -3 "$T/x/eventlog.yaml")"
fi
verify "$RUN" s0:c1 ok; VJSON=$OUT
for p in 8 9 10; do
    want=$(sed -n "s/.*\"$p\":\"\([0-9a-f]*\)\".*/\1/p" <<<"$VJSON")
    got=$(sed -n '/^pcrs:/,$p' "$T/x/eventlog.yaml" | awk -v p="$p" '$1 == p && $2 == ":" { print tolower(substr($3, 3)) }')
    check "tpm2_eventlog replays PCR $p to xenia-verify's value" test -n "$got" -a "$got" = "${want:-none}"
done
check "the PCRs replayed by tpm2_eventlog are the TPM's (quote digest matched by xenia-verify)" \
    verify "$RUN" s0:c1 ok
check "tpm2_checkquote accepts our quote with our AK" \
    tpm2_checkquote -u "$T/x/ak.pub" -m "$T/x/attest" -s "$T/x/sig" -q "$(cat "$T/x/qualification")" -g sha256
check "tpm2_checkquote refuses it for another qualification" \
    bash -c "! tpm2_checkquote -u '$T/x/ak.pub' -m '$T/x/attest' -s '$T/x/sig' -q $(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') -g sha256 2>/dev/null"

# --- tamper matrix, offline rows (the saved bundle, mutated) -------------------------------
cd "$T"
off() { local what=$1 want=$2 file=$3; shift 3
    OUT=$("$XV" --evidence "$file" --ca "$MAIN_RUN/tpm/ca/swtpm-localca-rootca-cert.pem" \
          --manifest "$MAN" --level s0:c1 --json "$@" 2>&1)
    local code; code=$(sed -n 's/.*"code":"\([a-z-]*\)".*/\1/p' <<<"$OUT")
    if [ "$code" = "$want" ]; then ok "$what: refused ($want)"; else bad "$what: got '$code' ($OUT)"; fi
}
OUT=$("$XV" --evidence a.bundle --ca "$MAIN_RUN/tpm/ca/swtpm-localca-rootca-cert.pem" \
      --manifest "$MAN" --level s0:c1 --json 2>&1)
check "the saved bundle verifies offline against its own nonce" grep -q '"code":"ok"' <<<"$OUT"
off "replayed nonce (old evidence, new request)" nonce a.bundle \
    --nonce "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$BUNDLE" mutate a.bundle flip.bundle flip-sig
off "flipped signature byte" signature flip.bundle
"$BUNDLE" mutate a.bundle trunc.bundle truncate-log
off "truncated event log" replay trunc.bundle
"$BUNDLE" mutate a.bundle reord.bundle reorder-log
off "reordered event log" replay reord.bundle
"$BUNDLE" mutate a.bundle noev.bundle drop-item 7
off "evidence without an event log" evidence noev.bundle

# Quote from another TPM: a second swtpm quotes the same PCR selection with the
# same qualifying data; spliced into the evidence, the AK cannot verify it.
TPM2_DIR="$T/tpm2"; mkdir -p "$TPM2_DIR"
swtpm socket --tpm2 --tpmstate dir="$TPM2_DIR" --server type=unixio,path="$TPM2_DIR/sock" \
    --ctrl type=unixio,path="$TPM2_DIR/sock.ctrl" --flags not-need-init,startup-clear \
    >"$TPM2_DIR/log" 2>&1 &
TPM2_PID=$!
for _ in $(seq 1 50); do [ -S "$TPM2_DIR/sock" ] && break; sleep 0.05; done
export TPM2TOOLS_TCTI="swtpm:path=$TPM2_DIR/sock"
# (no resource manager: flush transient objects between tpm2-tools commands)
fl() { tpm2_flushcontext -t >/dev/null 2>&1; }
if tpm2_createprimary -C e -G rsa -c "$TPM2_DIR/ek.ctx" >/dev/null 2>&1 && fl &&
   tpm2_create -C "$TPM2_DIR/ek.ctx" -G ecc256:ecdsa-sha256:null -a 'fixedtpm|fixedparent|sensitivedataorigin|userwithauth|restricted|sign' \
       -u "$TPM2_DIR/ak.pub" -r "$TPM2_DIR/ak.priv" >/dev/null 2>&1 && fl &&
   tpm2_load -C "$TPM2_DIR/ek.ctx" -u "$TPM2_DIR/ak.pub" -r "$TPM2_DIR/ak.priv" -c "$TPM2_DIR/ak.ctx" >/dev/null 2>&1 && fl &&
   tpm2_quote -c "$TPM2_DIR/ak.ctx" -l sha256:8,9,10 -q "$(cat x/qualification)" \
       -m "$TPM2_DIR/attest" -s "$TPM2_DIR/sig" -g sha256 >/dev/null 2>&1; then
    "$BUNDLE" mutate a.bundle other.bundle splice-quote "$TPM2_DIR/attest" "$TPM2_DIR/sig"
    off "quote from another TPM (same nonce, spliced in)" signature other.bundle
else
    bad "quote from another TPM: the second swtpm could not quote"
fi
unset TPM2TOOLS_TCTI
kill "$TPM2_PID" 2>/dev/null; TPM2_PID=
cd - >/dev/null

# --- tamper matrix, online rows ----------------------------------------------------------
# Changed guest image: B launches an image that is not a reference value. B's
# verdict refuses it; A's verdict is not affected by B's domains.
write_cfg "$T/b2.cfg" web-b2 "$T/other.elf" 'cmdline = "wait"'; chmod 644 "$T/b2.cfg"
check "tenant B launches a changed image" as 1002 $XENIA create "$T/b2.cfg"
vcheck "changed guest image: B's verdict refuses (image)" "$RUN" s0:c2 image
check "  ... naming the domain" grep -q "web-b2" <<<"$OUT"
vcheck "  ... while A's verdict stays trusted" "$RUN" s0:c1 ok
vcheck "  ... B trusts it once B names it (--image)" "$RUN" s0:c2 ok --image "web-b2=$T/other.elf"

# Replay at the protocol level: a fresh request gets a fresh nonce (two bundles differ).
"$XV" --run-dir "$RUN" --manifest "$MAN" --level s0:c1 --save "$T/a2.bundle" --quiet >/dev/null
check "each request is answered with a fresh quote" bash -c "! cmp -s '$T/a.bundle' '$T/a2.bundle'"

# The agent is a confined stub domain.
APID=$(pgrep -f -n xenia-attest || true)
if [ -n "$APID" ] && [ -r "/proc/$APID/status" ]; then
    st=$(cat /proc/$APID/status)
    check "agent: Seccomp 2" grep -q "^Seccomp:[[:space:]]*2" <<<"$st"
    check "agent: NoNewPrivs 1" grep -q "^NoNewPrivs:[[:space:]]*1" <<<"$st"
    check "agent: not root" bash -c "! grep -Eq '^Uid:[[:space:]]+0[[:space:]]' <<<'$st'"
    check "agent: own net namespace" test "$(readlink /proc/$APID/ns/net)" != "$(readlink /proc/self/ns/net)"
else
    bad "agent process not found"
fi
# The agent dies: hv restarts it (measured) and attestation still works.
if [ -n "$APID" ]; then
    kill -KILL "$APID"
    for _ in $(seq 1 100); do N=$(pgrep -f -n xenia-attest || true); [ -n "$N" ] && [ "$N" != "$APID" ] && break; sleep 0.05; done
    vcheck "after the agent is killed, hv restarts it and the host still attests" "$RUN" s0:c1 ok
    check "  ... the restart is in the event log" grep -q "xenia:restart attest" "$RUN/tpm/eventlog.bin"
fi

# Changed policy (loaded at run time): not a reference policy.
sed 's/^bool guest_console_input true;/bool guest_console_input false;/' policy/default/xenia.te >"$T/changed.te"
"$B/bin/xenia-policy" compile "$T/changed.te" -o "$T/changed.xpol" >/dev/null
check "the host loads a changed policy" $XENIA loadpolicy "$T/changed.xpol"
vcheck "changed policy: refused (policy)" "$RUN" s0:c1 policy

# A policy that lets two tenants talk: even when the operator lists it in the
# manifest, the isolation claim fails.
sed '/^mlsconstrain grant/,+1d' policy/default/xenia.te >"$T/leak.te"
"$B/bin/xenia-policy" compile "$T/leak.te" -o "$T/leak.xpol" >/dev/null
{ sed '/^policies = (/,$d' "$MAN"
  echo "policies = ("
  echo "  { name = \"default\"; sha256 = \"$(sha256sum "$POL" | cut -d' ' -f1)\"; },"
  echo "  { name = \"leak\"; sha256 = \"$(sha256sum "$T/leak.xpol" | cut -d' ' -f1)\"; }"
  echo ");"
  sed -n '/^images = (/,$p' "$MAN"
} >"$T/leak-manifest.cfg"
HV_ARGS="--policy $T/leak.xpol --attest-listen 127.0.0.1:0" hv_start "$B" || exit 1
RUNS+=("$RUN"); PIDS+=("$HV_PID"); LEAK_RUN=$RUN
OUT=$("$XV" --run-dir "$LEAK_RUN" --manifest "$T/leak-manifest.cfg" --level s0:c1 --json 2>&1)
check "a policy that lets tenants talk: refused (isolation)" grep -q '"code":"isolation"' <<<"$OUT"
check "  ... the reason names the flow" grep -q 'FLOW' <<<"$OUT"

# Changed dm binary (the test build of the dm) and changed hv binary (one byte appended).
HV_ARGS="--policy $POL --attest-listen 127.0.0.1:0 --dm $PWD/$B/bin/xenia-dm-test" hv_start "$B" || exit 1
RUNS+=("$RUN"); PIDS+=("$HV_PID")
vcheck "changed dm binary: refused (code)" "$RUN" s0:c1 code
check "  ... naming the dm" grep -q "xenia:stubdom dm" <<<"$OUT"
mkdir -p "$T/bin"; cp "$B"/bin/xenia-* "$T/bin/"; printf '\0' >>"$T/bin/xenia-hv"
HV_ARGS="--policy $POL --attest-listen 127.0.0.1:0" hv_start "$T" || exit 1
RUNS+=("$RUN"); PIDS+=("$HV_PID"); OTHER_RUN=$RUN
vcheck "changed hv binary: refused (code)" "$RUN" s0:c1 code
check "  ... naming xenia:hv" grep -q "xenia:hv" <<<"$OUT"
# That host has another TPM: its EK does not chain to the first host's CA.
OUT=$("$XV" --run-dir "$OTHER_RUN" --ca "$MAIN_RUN/tpm/ca/swtpm-localca-rootca-cert.pem" \
      --manifest "$MAN" --level s0:c1 --json 2>&1)
check "another TPM whose EK the tenant does not trust: refused (ek-certificate)" \
    grep -q '"code":"ek-certificate"' <<<"$OUT"

cleanup; PIDS=()
for r in "${RUNS[@]}"; do RUN=$r; hv_sanitizer_clean || fail=$((fail + 1)); done
echo "attest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
