#!/usr/bin/env bash
# Stub domains end to end, under the default FLASK policy enforcing, tenants as
# real uids (1001 = A at s0:c1, 1002 = B at s0:c2):
#  - every device model's /proc/PID/status: Seccomp 2, NoNewPrivs 1, uid not 0,
#    no capabilities, namespaces other than hv's, exactly the expected fds, and
#    no fd of another domain's memory (nor of its own guest's RAM);
#  - `xenia info` shows each dm's pid, security context and restarts;
#  - event channels and grants between two domains of one tenant work, and
#    tenant B's domain cannot bind, map or copy anything of A's;
#  - a hostile block frontend in one tenant while the other tenant's I/O runs
#    alongside (the basic block tests are guest tests: tests/guests/run.sh);
#  - the test build of the dm attempts open, socket, execve, ptrace and a KVM
#    ioctl: each ends in SIGSYS, hv restarts the dm, the next read succeeds;
#  - 100 dm kills during a block workload lose no acknowledged write.
# STUBDOM_KILLS=N changes the number of kill/restart cycles.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
pass=0; fail=0
ok()   { pass=$((pass + 1)); echo "PASS $*"; }
bad()  { fail=$((fail + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
KILLS=${STUBDOM_KILLS:-100}

POL="$PWD/$B/policy/xenia.xpol"
HV_ARGS="--policy $POL --dm $PWD/$B/bin/xenia-dm-test" hv_start "$B" || exit 1
trap 'hv_stop' EXIT
chmod 755 "$RUN"
T="$RUN/t"; mkdir -p "$T"; chmod 755 "$T"
for g in hello peer_evt peer_gnt blk_basic blk_hostile blk_stress blk_sigsys; do
    cp "$B/guests/$g.elf" "$T/$g.elf" 2>/dev/null && chmod 644 "$T/$g.elf"
done
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
XA="as 1001 $XENIA"; XB="as 1002 $XENIA"
mkdisk() { truncate -s "$2" "$1"; chown "$3:$3" "$1"; chmod 600 "$1"; }
domid() { $XENIA list | awk -v n="$1" '$1 == n { print $2 }'; }
dm_pid() { $XENIA info "$1" 2>/dev/null | sed -n 's/^ *stubdom dm: pid \([0-9]*\).*/\1/p'; }
wait_console() {  # NAME TEXT TIMEOUT_S
    local t=$(( $3 * 20 ))
    for _ in $(seq 1 "$t"); do grep -qF -- "$2" "$RUN/console/$1.log" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}
show_log() { sed 's/^/    | /' "$RUN/console/$1.log" 2>/dev/null | tail -${2:-15}; }

# --- two tenants, each with a domain and a disk --------------------------------------
mkdisk "$T/a.img" 8M 1001; mkdisk "$T/b.img" 8M 1002
write_cfg "$T/a.cfg" tenant-a "$T/hello.elf" 'cmdline = "wait"' "disk = [ \"$T/a.img\" ]"
write_cfg "$T/b.cfg" tenant-b "$T/hello.elf" 'cmdline = "wait"' "disk = [ \"$T/b.img\" ]"
chmod 644 "$T"/*.cfg
check "tenant A creates a domain with a disk" $XA create "$T/a.cfg"
check "tenant B creates a domain with a disk" $XB create "$T/b.cfg"
out=$($XB create "$T/a.cfg" name=b-steals-a 2>&1)
check "B cannot use A's disk image (opened with B's own rights)" \
    grep -q "Permission denied" <<<"$out"
AID=$(domid tenant-a); BID=$(domid tenant-b)
PA=$(dm_pid tenant-a); PB=$(dm_pid tenant-b)
check "each domain has a running device model" test -n "$PA" -a -n "$PB"
out=$($XENIA info tenant-a 2>&1)
check "info: dm context at A's category" grep -q "system_u:system_r:dm_t:s0:c1" <<<"$out"
check "info: dm confinement layers" grep -q "seccomp" <<<"$out"

# --- confinement, read from /proc --------------------------------------------------------
confined() {  # PID DOMID
    local p=$1 id=$2 st n want fds
    st=$(cat "/proc/$p/status") || return 1
    grep -Eq '^Seccomp:[[:space:]]+2$' <<<"$st" || { echo "  Seccomp not 2"; return 1; }
    grep -Eq '^NoNewPrivs:[[:space:]]+1$' <<<"$st" || { echo "  NoNewPrivs not 1"; return 1; }
    n=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' <<<"$st")
    [[ "$n" != *0* || $(awk '/^Uid:/ { print $2 }' <<<"$st") -ge 1000 ]] || { echo "  uid $n"; return 1; }
    awk '/^Uid:/ { exit !($2 != 0 && $3 != 0 && $4 != 0 && $5 != 0) }' <<<"$st" || { echo "  uid 0"; return 1; }
    awk '/^Gid:/ { exit !($2 != 0 && $3 != 0 && $4 != 0 && $5 != 0) }' <<<"$st" || { echo "  gid 0"; return 1; }
    for c in CapInh CapPrm CapEff CapBnd CapAmb; do
        grep -Eq "^$c:[[:space:]]+0+$" <<<"$st" || { echo "  $c not empty"; return 1; }
    done
    for ns in mnt pid net ipc uts; do
        [ "$(readlink /proc/$p/ns/$ns)" != "$(readlink /proc/$HV_PID/ns/$ns)" ] ||
            { echo "  shares hv's $ns namespace"; return 1; }
    done
    fds=$(ls /proc/$p/fd | sort -n | tr '\n' ' ')
    want="0 1 2 3 4 5 6 7 8 9 10 "
    [ "$fds" = "$want" ] || { echo "  fds: $fds (want $want)"; return 1; }
    [ "$(readlink /proc/$p/fd/3)" = "/memfd:xenia-d$id-iowin (deleted)" ] ||
        { echo "  fd 3 is $(readlink /proc/$p/fd/3)"; return 1; }
    for f in /proc/$p/fd/*; do
        l=$(readlink "$f")
        case "$l" in
            *-ram*) echo "  holds guest RAM: $l"; return 1 ;;
            /memfd:xenia-d*) [[ "$l" == "/memfd:xenia-d$id-"* ]] || { echo "  holds $l"; return 1; } ;;
            /dev/null|socket:*|anon_inode:\[eventfd\]|*.img) ;;
            *) echo "  unexpected fd: $l"; return 1 ;;
        esac
    done
    return 0
}
check "A's dm is confined (seccomp, nnp, uid, caps, namespaces, fds)" confined "$PA" "$AID"
check "B's dm is confined (seccomp, nnp, uid, caps, namespaces, fds)" confined "$PB" "$BID"
check "A's dm holds no fd of B's memory or disk" bash -c \
    "! ls -l /proc/$PA/fd | grep -Eq 'xenia-d$BID-|b\\.img'"
ua=$(awk '/^Uid:/ { print $2 }' /proc/$PA/status); ub=$(awk '/^Uid:/ { print $2 }' /proc/$PB/status)
check "A's and B's device models run as distinct uids" test "$ua" != "$ub"
$XENIA destroy tenant-a >/dev/null; $XENIA destroy tenant-b >/dev/null

# --- event channels and grants: within a tenant they work, across tenants they don't ---
# Domids are handed out in order: create and destroy a probe to learn the next one.
write_cfg "$T/w1.cfg" a-peer "$T/hello.elf" 'cmdline = "wait"'
chmod 644 "$T"/*.cfg
$XA create "$T/w1.cfg" >/dev/null
P1=$(domid a-peer)
# The server allocates the first dynamic port (8) for the client, which binds it.
write_cfg "$T/es.cfg" evt-server "$T/peer_evt.elf" "cmdline = \"server peer=$((P1 + 2)) rounds=200\"" 'on_poweroff = "preserve"' 'on_crash = "preserve"'
write_cfg "$T/ec.cfg" evt-client "$T/peer_evt.elf" "cmdline = \"client peer=$((P1 + 1)) port=8 rounds=200\"" 'on_poweroff = "preserve"' 'on_crash = "preserve"'
write_cfg "$T/ex.cfg" evt-attack "$T/peer_evt.elf" "cmdline = \"attack peer=$((P1 + 1))\"" 'on_poweroff = "preserve"' 'on_crash = "preserve"'
chmod 644 "$T"/e*.cfg
$XENIA destroy a-peer >/dev/null
check "A creates the event channel server" $XA create "$T/es.cfg"
check "A creates the event channel client" $XA create "$T/ec.cfg"
check "server and client got the predicted domids" \
    test "$(domid evt-server) $(domid evt-client)" = "$((P1 + 1)) $((P1 + 2))"
check "B creates an attacker against A's event channels" $XB create "$T/ex.cfg"
wait_console evt-attack "Test result:" 30
check "B's domain cannot alloc, bind or guess A's event channels" \
    grep -q "ATTACK DENIED" "$RUN/console/evt-attack.log"
grep -q "Test result: SUCCESS" "$RUN/console/evt-attack.log" || show_log evt-attack
wait_console evt-client "Test result:" 90; wait_console evt-server "Test result:" 90
check "event channel: server allocated port 8, got the event and answered" \
    bash -c "grep -q '^PORT 8' $RUN/console/evt-server.log && grep -q 'Test result: SUCCESS' $RUN/console/evt-server.log"
check "event channel: client bound, sent, got the answer" grep -q "Test result: SUCCESS" "$RUN/console/evt-client.log"
grep -q "Test result: SUCCESS" "$RUN/console/evt-server.log" || show_log evt-server
grep -q "Test result: SUCCESS" "$RUN/console/evt-client.log" || show_log evt-client
grep -h "EVTCHN RTT" "$RUN/console/evt-client.log" | sed 's/^/    /'
check "audit: B's event channel attempt on A's domain" bash -c \
    "$XENIA audit | grep -Eq 'denied  \\{ create \\} .*scontext=tenant_u:tenant_r:domU_t:s0:c2 tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=event'"
for d in evt-server evt-client evt-attack; do $XENIA destroy $d >/dev/null 2>&1; done

$XA create "$T/w1.cfg" >/dev/null; P1=$(domid a-peer); $XENIA destroy a-peer >/dev/null
GID=$((P1 + 1)); MID=$((P1 + 2))
write_cfg "$T/gg.cfg" gnt-granter "$T/peer_gnt.elf" "cmdline = \"granter peer=$MID\"" 'on_poweroff = "preserve"' 'on_crash = "preserve"'
write_cfg "$T/gm.cfg" gnt-mapper "$T/peer_gnt.elf" "cmdline = \"mapper peer=$GID\"" 'on_poweroff = "preserve"' 'on_crash = "preserve"'
write_cfg "$T/gx.cfg" gnt-attack "$T/peer_gnt.elf" "cmdline = \"attack peer=$GID\"" 'on_poweroff = "preserve"' 'on_crash = "preserve"'
chmod 644 "$T"/g*.cfg
$XA create "$T/gg.cfg" >/dev/null && $XA create "$T/gm.cfg" >/dev/null
check "grant test domains got the predicted domids" \
    bash -c "[ \"$(domid gnt-granter)\" = $GID ] && [ \"$(domid gnt-mapper)\" = $MID ]"
wait_console gnt-granter "GREF 5 READY" 20
check "B creates an attacker against A's grants" $XB create "$T/gx.cfg"
wait_console gnt-attack "Test result:" 30
check "B's domain cannot map or copy A's grants" grep -q "ATTACK DENIED" "$RUN/console/gnt-attack.log"
wait_console gnt-granter "Test result:" 90; wait_console gnt-mapper "Test result:" 90
check "grant: mapper mapped, copied, wrote, unmapped and saw revocation" \
    grep -q "Test result: SUCCESS" "$RUN/console/gnt-mapper.log"
check "grant: granter saw the write, busy end-access, then revoked" \
    grep -q "Test result: SUCCESS" "$RUN/console/gnt-granter.log"
grep -q "Test result: SUCCESS" "$RUN/console/gnt-mapper.log" || show_log gnt-mapper
grep -q "Test result: SUCCESS" "$RUN/console/gnt-granter.log" || show_log gnt-granter
check "audit: B's grant map of A's domain" bash -c \
    "$XENIA audit | grep -Eq 'denied  \\{ map_(read|write) \\} .*scontext=tenant_u:tenant_r:domU_t:s0:c2 tcontext=tenant_u:tenant_r:domU_t:s0:c1 tclass=grant'"
for d in gnt-granter gnt-mapper gnt-attack; do $XENIA destroy $d >/dev/null 2>&1; done
check "xenia-hv still running" hv_alive

# --- block I/O through the dm -----------------------------------------------------------
mkdisk "$T/a.img" 8M 1001; mkdisk "$T/b.img" 8M 1002
run_guest() {  # UIDCMD NAME ELF DISK CMDLINE TIMEOUT
    local x=$1 n=$2 e=$3 dk=$4 c=$5 t=$6
    write_cfg "$T/$n.cfg" "$n" "$T/$e.elf" "cmdline = \"$c\"" "disk = [ \"$dk\" ]" \
        'on_poweroff = "preserve"' 'on_crash = "preserve"'
    chmod 644 "$T/$n.cfg"
    $x create "$T/$n.cfg" >/dev/null || return 1
}
# (blk_basic, cons_ring and blk_persist run in tests/guests/run.sh with the production dm.)
# A hostile frontend in A while B does real I/O: B's I/O is unaffected.
run_guest "$XB" b-io blk_stress "$T/b.img" "count=3000 quiet=1" 120
run_guest "$XA" a-hostile blk_hostile "$T/a.img" "" 120
wait_console a-hostile "Test result:" 180; wait_console b-io "blk_stress: done" 180
check "hostile frontend: errors or needs-reset, the dm never died (blk_hostile)" \
    grep -q "Test result: SUCCESS" "$RUN/console/a-hostile.log"
grep -q "Test result: SUCCESS" "$RUN/console/a-hostile.log" || show_log a-hostile 25
check "the other tenant's I/O ran alongside without a lost write" \
    grep -q "blk_stress: done count=3000 mismatches=0" "$RUN/console/b-io.log"
grep -q "mismatches=0" "$RUN/console/b-io.log" || show_log b-io
$XENIA destroy a-hostile >/dev/null 2>&1; $XENIA destroy b-io >/dev/null 2>&1

# --- the test dm's forbidden system calls end in SIGSYS; hv restarts it ------------------
run_guest "$XA" a-sigsys blk_sigsys "$T/a.img" "" 60
wait_console a-sigsys "Test result:" 120
check "open, socket, execve, ptrace and a KVM ioctl each killed the dm; reads went on" \
    grep -q "Test result: SUCCESS" "$RUN/console/a-sigsys.log"
grep -q "Test result: SUCCESS" "$RUN/console/a-sigsys.log" || show_log a-sigsys 25
out=$($XENIA info a-sigsys 2>&1)
check "info: 5 dm restarts, last exit by SIGSYS" \
    bash -c "grep -q 'restarts 5' <<<'$out' && grep -q 'SIGSYS' <<<'$out'"
check "hv log names each SIGSYS death" \
    bash -c "[ \$(grep -c 'device model (pid [0-9]*) killed by SIGSYS' $RUN/xenia-hv.log) -ge 5 ]"
$XENIA destroy a-sigsys >/dev/null 2>&1

# --- $KILLS dm kills during a block workload lose no acknowledged write ----------------
run_guest "$XA" a-stress blk_stress "$T/a.img" "count=100000000 quiet=1" 600
wait_console a-stress "blk_stress: ack" 30
kills=0
for _ in $(seq 1 "$KILLS"); do
    p=$(dm_pid a-stress)
    [ -n "$p" ] || { sleep 0.05; continue; }
    kill -KILL "$p" 2>/dev/null && kills=$((kills + 1))
    for _ in $(seq 1 100); do q=$(dm_pid a-stress); [ -n "$q" ] && [ "$q" != "$p" ] && break; sleep 0.02; done
    sleep 0.1
done
acks_before=$(grep -c "blk_stress: ack" "$RUN/console/a-stress.log")
sleep 2
acks_after=$(grep -c "blk_stress: ack" "$RUN/console/a-stress.log")
check "$kills dm kills (SIGKILL), each followed by a restart" test "$kills" = "$KILLS"
check "the workload goes on after the last restart" test "$acks_after" -gt "$acks_before"
check "no acknowledged write lost across $kills restarts" \
    bash -c "! grep -q MISMATCH $RUN/console/a-stress.log"
out=$($XENIA info a-stress 2>&1)
check "info: the dm's restarts are counted ($kills)" grep -q "restarts $kills," <<<"$out"
$XENIA destroy a-stress >/dev/null 2>&1
check "xenia-hv still running" hv_alive
hv_stop
if hv_sanitizer_clean; then ok "no sanitizer report"; else bad "sanitizer report"; fi

echo "stubdom tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
