#!/usr/bin/env bash
# Regenerates tests/attest/fixtures/ from a fresh swtpm (TPM 2.0, SHA-256 bank only):
# an RSA EK, an ECC P-256 restricted signing AK (ECDSA/SHA-256) and one quote of
# PCRs 8,9,10 with a fixed qualifying data. The fixtures are committed; this
# script only documents (and repeats) how they were made. Needs swtpm,
# swtpm-tools, tpm2-tools. Usage: bash tests/attest/make_fixtures.sh [OUTDIR]
set -euo pipefail
out=$(realpath "${1:-$(dirname "$0")/fixtures}")
mkdir -p "$out"
T=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
mkdir -p "$T/state" "$T/ca"
cat >"$T/localca.conf" <<CONF
statedir = $T/ca
signingkey = $T/ca/signkey.pem
issuercert = $T/ca/issuercert.pem
certserial = $T/ca/certserial
CONF
printf '%s\n' '--platform-manufacturer Xenia' '--platform-version 2.1' \
    '--platform-model swtpm' >"$T/localca.options"
cat >"$T/setup.conf" <<CONF
create_certs_tool= /usr/bin/swtpm_localca
create_certs_tool_config = $T/localca.conf
create_certs_tool_options = $T/localca.options
active_pcr_banks = sha256
CONF
swtpm_setup --tpm2 --tpmstate "$T/state" --create-ek-cert --create-platform-cert \
    --config "$T/setup.conf" --overwrite >"$T/setup.log" 2>&1 || { cat "$T/setup.log" >&2; exit 1; }
swtpm socket --tpm2 --tpmstate dir="$T/state" --server type=unixio,path="$T/sock" \
    --ctrl type=unixio,path="$T/sock.ctrl" --flags not-need-init,startup-clear >"$T/swtpm.log" 2>&1 &
pid=$!
for _ in $(seq 50); do [ -S "$T/sock" ] && break; sleep 0.1; done
export TPM2TOOLS_TCTI="swtpm:path=$T/sock"
cd "$T"
QUAL=00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210
tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
tpm2_flushcontext -t
tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name >/dev/null
tpm2_flushcontext -t
tpm2_flushcontext -s
# Give PCR 8 a non-zero value so the quote's PCR digest is not the all-zero one.
tpm2_pcrextend 8:sha256=$(printf 'xenia fixture' | sha256sum | cut -d' ' -f1)
tpm2_quote -c ak.ctx -l sha256:8,9,10 -q "$QUAL" -m q.msg -s q.sig -o q.pcrs >/dev/null
cp ak.pub ak.name q.msg q.sig q.pcrs "$out/"
printf '%s\n' "$QUAL" >"$out/qualifying.hex"
echo "fixtures written to $out"
