#!/usr/bin/env bash
# End-to-end tests of xenia-hv and the xenia CLI with real KVM domains.
# Each check prints PASS/FAIL with the reason; exits non-zero on any failure.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
G="$PWD/$B/guests"
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "PASS $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

hv_start "$B" || exit 1
trap 'hv_stop' EXIT
T="$RUN/t"; mkdir -p "$T"

# --- hello: console greeting, list while running, reason after shutdown -----------
write_cfg "$T/hello.cfg" hello "$G/hello.elf" 'cmdline = "wait"'
check "create hello" $XENIA create "$T/hello.cfg"
for _ in $(seq 1 100); do grep -q "Hello from Xenia" "$RUN/console/hello.log" 2>/dev/null && break; sleep 0.05; done
out=$(timeout 5 $XENIA console -r --timeout 1 hello 2>&1)
check "console shows the greeting" grep -q "Hello from Xenia domain" <<<"$out"
out=$(printf 'ping from the console\n' | timeout 5 $XENIA console --timeout 1 hello 2>&1)
for _ in $(seq 1 40); do grep -q "echo: ping from the console" "$RUN/console/hello.log" && break; sleep 0.05; done
check "console input reaches the guest (CONSOLEIO_read)" grep -q "echo: ping from the console" "$RUN/console/hello.log"
out=$($XENIA list 2>&1)
check "list shows hello running" grep -Eq "^hello +[0-9]+ .*(running|blocked)" <<<"$out"
check "shutdown -w hello" timeout 20 $XENIA shutdown -w --timeout 15 hello
out=$($XENIA list 2>&1)
check "list shows the shutdown reason" grep -Eq "^hello .*poweroff" <<<"$out"
echo "$out" | sed 's/^/    | /'
check "destroy hello" $XENIA destroy hello
out=$($XENIA list 2>&1)
check "hello is gone after destroy" bash -c "! grep -q '^hello ' <<<'$out'"

# --- reboot: on_reboot = "restart" rebuilds the domain from its image ---------------
write_cfg "$T/rb.cfg" rebooter "$G/hello.elf" 'cmdline = "wait"' 'on_reboot = "restart"'
$XENIA create "$T/rb.cfg" >/dev/null
for _ in $(seq 1 100); do grep -q "Hello from" "$RUN/console/rebooter.log" 2>/dev/null && break; sleep 0.05; done
$XENIA shutdown -R rebooter >/dev/null 2>&1
for _ in $(seq 1 100); do [ "$(grep -c 'Hello from' "$RUN/console/rebooter.log")" -ge 2 ] && break; sleep 0.05; done
check "reboot request restarts the domain (greeted twice)" test "$(grep -c 'Hello from' "$RUN/console/rebooter.log")" -ge 2
check "info counts the restart" bash -c "$XENIA info rebooter | grep -Eq '^restarts: +1'"
check "restarted domain runs" bash -c "$XENIA list | grep -Eq '^rebooter .*(running|blocked)'"
$XENIA destroy rebooter >/dev/null

# --- pause / unpause ----------------------------------------------------------------
write_cfg "$T/p.cfg" pauser "$G/hello.elf" 'cmdline = "wait"'
check "create -p leaves the domain paused" $XENIA create -p "$T/p.cfg"
check "list shows paused" bash -c "$XENIA list | grep -Eq '^pauser .*paused'"
check "greeting not printed while paused" bash -c "! grep -q 'Hello from' $RUN/console/pauser.log"
check "unpause" $XENIA unpause pauser
for _ in $(seq 1 100); do grep -q "Hello from" "$RUN/console/pauser.log" && break; sleep 0.05; done
check "greeting after unpause" grep -q "Hello from" "$RUN/console/pauser.log"
check "pause twice is refused" bash -c "$XENIA pause pauser && ! $XENIA pause pauser 2>/dev/null"
check "destroy a paused domain" $XENIA destroy pauser

# --- containment: faults and spinning guests while another domain keeps running -----
write_cfg "$T/bystander.cfg" bystander "$G/hello.elf" 'cmdline = "wait"'
$XENIA create "$T/bystander.cfg" >/dev/null
for g in fault_ud fault_pf fault_gp; do
    [ -f "$G/$g.elf" ] || { bad "$g: image missing"; continue; }
    write_cfg "$T/$g.cfg" "$g" "$G/$g.elf" 'on_crash = "preserve"'
    $XENIA create "$T/$g.cfg" >/dev/null 2>&1
    line=$(wait_stopped "$g" 10)
    check "$g crashed with a register dump" bash -c "[[ '$line' == *crashed:* ]] && grep -q '^\[xenia-hv\] rip ' '$RUN/console/$g.log'"
    $XENIA destroy "$g" >/dev/null 2>&1
done
write_cfg "$T/spin.cfg" spinner "$G/fault_spin.elf" 'cap = 20'
$XENIA create "$T/spin.cfg" >/dev/null
sleep 3
info=$($XENIA info spinner 2>&1)
cpu=$(sed -n 's/^cpu time: *\([0-9.]*\).*/\1/p' <<<"$info" | head -1)
check "spinning guest is throttled by its cap (cpu ${cpu:-?}s in 3s, cap 20%)" \
    awk -v c="${cpu:-99}" 'BEGIN { exit !(c > 0.3 && c < 0.9) }'
check "hv answers while a guest spins" $XENIA list
check "bystander still runs" bash -c "$XENIA list | grep -Eq '^bystander .*(running|blocked)'"
$XENIA destroy spinner >/dev/null
check "bystander shuts down cleanly" timeout 20 $XENIA shutdown -w --timeout 15 bystander
$XENIA destroy bystander >/dev/null 2>&1

# --- bad images: each rejected with a message naming the problem; hv keeps running ---
gcc -O1 -o "$T/mkbadelf" tests/integration/mkbadelf.c && "$T/mkbadelf" "$G/hello.elf" "$T"
declare -A want=(
  [truncated-header]="truncated" [truncated-phdrs]="truncated" [truncated-segment]="segment"
  [bad-magic]="not an ELF" [elf32]="64" [wrong-machine]="EM_X86_64" [not-static]="static"
  [entry-outside]="entry" [overlapping]="overlap" [below-base]="0x200000" [beyond-ram]="RAM"
  [wrapping]="does not fit in RAM" [offset-past-eof]="file" [filesz-gt-memsz]="file size" [too-many-phdrs]="program header"
)
for v in "${!want[@]}"; do
    write_cfg "$T/bad.cfg" "bad" "$T/$v.elf"
    msg=$($XENIA create "$T/bad.cfg" 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -qi -- "${want[$v]}" <<<"$msg" && hv_alive; then
        ok "image $v rejected: $msg"
    else
        bad "image $v: rc=$rc msg='$msg' (want '${want[$v]}')"
    fi
    $XENIA destroy bad >/dev/null 2>&1
done
check "no domain left behind by failed creates" bash -c "! $XENIA list | grep -q '^bad '"

# --- bad configs ----------------------------------------------------------------------
cfgtest() {  # NAME EXPECTED-SUBSTRING CONFIG-LINES...
    local n=$1 w=$2; shift 2
    printf '%s\n' "$@" >"$T/c-$n.cfg"
    msg=$($XENIA create "$T/c-$n.cfg" 2>&1); rc=$?
    if [ $rc -ne 0 ] && grep -qi -- "$w" <<<"$msg"; then ok "config $n: $msg"; else bad "config $n: rc=$rc '$msg' (want '$w')"; fi
}
K="kernel = \"$G/hello.elf\""
cfgtest unknown-key "memroy" 'name = "x"' "$K" 'memroy = 16'
cfgtest absurd-memory "memory" 'name = "x"' "$K" 'memory = 9999999'
cfgtest tiny-memory "memory" 'name = "x"' "$K" 'memory = 1'
cfgtest wrong-type "memory" 'name = "x"' "$K" 'memory = "lots"'
cfgtest no-kernel "kernel" 'name = "x"'
cfgtest missing-kernel "/nonexistent" 'name = "x"' 'kernel = "/nonexistent/k.elf"'
cfgtest bad-name "name" 'name = "a b"' "$K"
cfgtest syntax ":" 'name = "x' "$K"
cfgtest vcpus "vcpus" 'name = "x"' "$K" 'vcpus = 4'
check "hv survived every bad input" hv_alive

# --- 50 domains created and destroyed leave nothing behind ---------------------------
count() {
    local p=$HV_PID
    echo "fds=$(ls /proc/$p/fd | wc -l) threads=$(ls /proc/$p/task | wc -l)" \
         "kvm=$(ls -l /proc/$p/fd | grep -c 'kvm-vm\|kvm-vcpu') memfd=$(ls -l /proc/$p/fd | grep -c memfd)" \
         "children=$(pgrep -P $p | wc -l) maps=$(wc -l </proc/$p/maps)"
}
rss() { awk '/^RssAnon/ {print $2}' /proc/$HV_PID/status; }
write_cfg "$T/loop.cfg" loop "$G/hello.elf" 'cmdline = "wait"'
$XENIA create "$T/loop.cfg" >/dev/null && $XENIA destroy loop >/dev/null   # warm up allocator
before=$(count); rss0=$(rss)
for i in $(seq 1 50); do
    $XENIA create "$T/loop.cfg" >/dev/null || { bad "loop create $i"; break; }
    $XENIA destroy loop >/dev/null || { bad "loop destroy $i"; break; }
done
after=$(count); rss1=$(rss)
echo "    before: $before rss=${rss0}kB"
echo "    after:  $after rss=${rss1}kB"
if [ "${SAN:-0}" = 1 ]; then
    # ASan's allocator keeps freed memory in quarantine and maps shadow as it goes:
    # mappings and RSS are not comparable; LeakSanitizer checks leaks at exit instead.
    before=${before% maps=*}; after=${after% maps=*}
    check "50 create/destroy cycles leave no fds, threads, VMs, memfds or processes" \
        test "$before" = "$after"
else
    check "50 create/destroy cycles leave no fds, threads, VMs, memfds, processes or mappings" \
        test "$before" = "$after"
    check "hv anonymous memory grew by less than 1 MiB over 50 cycles" test $((rss1 - rss0)) -lt 1024
fi

hv_stop
if hv_sanitizer_clean; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
echo "integration tests: $pass passed, $fail failed"
[ $fail = 0 ]
