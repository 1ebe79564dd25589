#!/usr/bin/env bash
# The real-TPM half of tests/unit/test_xvcrypto.c: a swtpm (TPM 2.0, SHA-256 bank)
# with an EK certificate chain, an ECC P-256 ECDSA/SHA-256 attestation key, one
# quote, and credential activation (tpm2-tools as the independent TPM-side peer).
#   xvcrypto_tpm.sh start DIR         DIR must exist and be empty. Makes the TPM
#                                     (DIR/state), its CA (DIR/ca), starts swtpm
#                                     (pid in DIR/swtpm.pid) and writes:
#       ek.der        EK certificate (NV index 0x01c00002, DER)
#       issuer.der    the intermediate CA (swtpm_localca issuercert.pem, DER)
#       root.der      the root CA (swtpm-localca-rootca-cert.pem, DER)
#       foreign.der   a self-signed root with the same subject as root.der, other key
#       ec_leaf.der   ECC P-256 cert, keyUsage keyEncipherment, issued by issuer
#       noku_leaf.der RSA 2048 cert without keyUsage, issued by issuer
#       sign_leaf.der RSA 2048 cert, keyUsage digitalSignature only, issued by issuer
#       sha1_leaf.der RSA 2048 cert, keyUsage keyEncipherment, signed with SHA-1
#       ak.pub ak.name ak.ctx  the AK (TPM2B_PUBLIC, its name, its context)
#       q.msg q.sig   a quote of sha256:8,9,10 (TPMS_ATTEST, TPMT_SIGNATURE)
#   xvcrypto_tpm.sh activate DIR CRED OUT   tpm2_activatecredential of CRED
#                                     (tpm2-tools credential file) by the AK under
#                                     the EK 0x81010001; exit status is the tool's.
#   xvcrypto_tpm.sh stop DIR          kills the swtpm started by start.
# Needs swtpm, swtpm-tools, tpm2-tools, openssl.
set -euo pipefail
cmd=$1
D=$(realpath "$2")
export TPM2TOOLS_TCTI="swtpm:path=$D/sock"
EK=0x81010001

case "$cmd" in
start)
    mkdir -p "$D/state" "$D/ca"
    cat >"$D/localca.conf" <<CONF
statedir = $D/ca
signingkey = $D/ca/signkey.pem
issuercert = $D/ca/issuercert.pem
certserial = $D/ca/certserial
CONF
    printf '%s\n' '--platform-manufacturer Xenia' '--platform-version 2.1' \
        '--platform-model swtpm' >"$D/localca.options"
    cat >"$D/setup.conf" <<CONF
create_certs_tool= /usr/bin/swtpm_localca
create_certs_tool_config = $D/localca.conf
create_certs_tool_options = $D/localca.options
active_pcr_banks = sha256
CONF
    swtpm_setup --tpm2 --tpmstate "$D/state" --create-ek-cert --create-platform-cert \
        --config "$D/setup.conf" --overwrite >"$D/setup.log" 2>&1 \
        || { cat "$D/setup.log" >&2; exit 1; }
    swtpm socket --tpm2 --tpmstate dir="$D/state" --server type=unixio,path="$D/sock" \
        --ctrl type=unixio,path="$D/sock.ctrl" --flags not-need-init,startup-clear \
        >"$D/swtpm.log" 2>&1 </dev/null &
    echo $! >"$D/swtpm.pid"
    for _ in $(seq 100); do [ -S "$D/sock" ] && break; sleep 0.05; done
    cd "$D"
    openssl x509 -in ca/issuercert.pem -outform DER -out issuer.der
    openssl x509 -in ca/swtpm-localca-rootca-cert.pem -outform DER -out root.der
    # The EK certificate (TCG EK Credential Profile §2.2.1.4: RSA 2048 EK cert at
    # NV index 0x01c00002).
    tpm2_nvread -C o 0x01c00002 -o ek.der >/dev/null 2>nvread.log || { cat nvread.log >&2; exit 1; }
    # A foreign root: same subject name as the real root, different key.
    subj=$(openssl x509 -in root.der -inform DER -noout -subject -nameopt compat | sed 's/^subject=//')
    openssl req -x509 -newkey rsa:2048 -nodes -keyout foreign.key -subj "$subj" -days 30 \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
        -outform DER -out foreign.der 2>/dev/null
    # Leaves issued by the real intermediate that are no EK certificate.
    leaf() { # name genpkey-options... -- extension-lines...
        local n=$1; shift
        local k=()
        while [ "$1" != -- ]; do k+=("$1"); shift; done
        shift
        openssl genpkey "${k[@]}" -out "$n.key" 2>/dev/null
        openssl req -new -key "$n.key" -subj "/CN=xenia-test-$n" -out "$n.csr"
        printf '%s\n' "$@" >"$n.ext"
        openssl x509 -req -in "$n.csr" -CA ca/issuercert.pem -CAkey ca/signkey.pem \
            -set_serial "0x$(openssl rand -hex 8)" -days 30 "-${MD:-sha256}" -extfile "$n.ext" \
            -outform DER -out "$n.der" 2>/dev/null
    }
    leaf ec_leaf -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -- 'keyUsage=critical,keyEncipherment'
    leaf noku_leaf -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -- 'basicConstraints=CA:FALSE'
    leaf sign_leaf -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -- 'keyUsage=critical,digitalSignature'
    MD=sha1 leaf sha1_leaf -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -- 'keyUsage=critical,keyEncipherment'
    # The AK under the persistent EK (as the agent makes it: ECC P-256, ECDSA SHA-256).
    tpm2_createak -C $EK -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pub -n ak.name >/dev/null
    tpm2_flushcontext -t
    tpm2_flushcontext -s
    tpm2_pcrextend 8:sha256=$(printf 'xenia xvcrypto test' | sha256sum | cut -d' ' -f1)
    tpm2_quote -c ak.ctx -l sha256:8,9,10 \
        -q 00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210 \
        -m q.msg -s q.sig >/dev/null
    tpm2_flushcontext -t
    ;;
activate)
    cd "$D"
    rc=0
    # The EK's authPolicy is PolicySecret(TPM_RH_ENDORSEMENT) (TCG EK Credential
    # Profile §2.1.5.1), so its use needs a policy session (tpm2_activatecredential(1)).
    tpm2_startauthsession --policy-session -S session.ctx
    tpm2_policysecret -S session.ctx -c e >/dev/null
    tpm2_activatecredential -c ak.ctx -C $EK -i "$3" -o "$4" -P "session:session.ctx" \
        >activate.log 2>&1 || rc=$?
    tpm2_flushcontext session.ctx || true
    tpm2_flushcontext -t || true
    exit $rc
    ;;
stop)
    if [ -f "$D/swtpm.pid" ]; then
        kill "$(cat "$D/swtpm.pid")" 2>/dev/null || true
        rm -f "$D/swtpm.pid"
    fi
    ;;
*)
    echo "usage: $0 start|activate|stop DIR ..." >&2
    exit 2
    ;;
esac
