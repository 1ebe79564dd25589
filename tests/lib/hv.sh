# Shell helpers shared by the guest, integration and benchmark runners.
# Usage: source tests/lib/hv.sh; hv_start BUILD_DIR; ...; hv_stop
# Sets RUN (run directory), HV_PID, XENIA (CLI command with --run-dir).

hv_start() {
    local b=$1
    RUN=$(mktemp -d /tmp/xenia-test.XXXXXX)
    # The attestation agent on a free port (written to $RUN/attest.port), so that
    # several test hosts can run at once; HV_ARGS may override it.
    "$b/bin/xenia-hv" --run-dir "$RUN" --log-level "${HV_LOG_LEVEL:-2}" \
        --attest-listen 127.0.0.1:0 ${HV_ARGS:-} >"$RUN/hv.stderr" 2>&1 &
    HV_PID=$!
    XENIA="$b/bin/xenia --run-dir $RUN"
    for _ in $(seq 1 100); do
        [ -S "$RUN/ctl.sock" ] && return 0
        kill -0 "$HV_PID" 2>/dev/null || break
        sleep 0.05
    done
    echo "xenia-hv did not start; its log:" >&2
    cat "$RUN/hv.stderr" >&2
    return 1
}

hv_stop() {
    [ -n "${HV_PID:-}" ] || return 0
    kill -TERM "$HV_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$HV_PID" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$HV_PID" 2>/dev/null || true
    wait "$HV_PID" 2>/dev/null || true
    HV_PID=
}

hv_alive() { kill -0 "$HV_PID" 2>/dev/null; }

# write_cfg FILE NAME KERNEL [EXTRA LINES...]
write_cfg() {
    local f=$1 name=$2 kernel=$3
    shift 3
    {
        echo "name = \"$name\""
        echo "kernel = \"$kernel\""
        echo "memory = 16"
        for l in "$@"; do echo "$l"; done
    } >"$f"
}

# wait_stopped NAME TIMEOUT_S: waits for the hv line that ends a domain's life in
# its console log ("shut down: REASON" or "crashed: WHY"); prints the line.
wait_stopped() {
    local log="$RUN/console/$1.log" t=$(( $2 * 20 ))
    for _ in $(seq 1 "$t"); do
        if grep -qE '^\[xenia-hv\] domain [0-9]+ (shut down|crashed):' "$log" 2>/dev/null; then
            grep -E '^\[xenia-hv\] domain [0-9]+ (shut down|crashed):' "$log" | tail -1
            return 0
        fi
        sleep 0.05
    done
    return 1
}

# hv_sanitizer_clean: after hv_stop, fail (and show it) if xenia-hv's stderr holds an
# ASan, LeakSanitizer or UBSan report.
hv_sanitizer_clean() {
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$RUN/hv.stderr" 2>/dev/null; then
        echo "FAIL sanitizer report from xenia-hv:"
        grep -A20 -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$RUN/hv.stderr" | head -60
        return 1
    fi
    return 0
}
