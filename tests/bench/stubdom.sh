#!/usr/bin/env bash
# Stub domain benchmarks (issue 4), figures only, never pass/fail:
#  - block throughput in a guest through its dm (blk_bench: 4 KiB and 64 KiB, reads and
#    writes, 16 deep) beside a raw host read of the same image in the same run (dd,
#    page cache warm, as the guest's reads are);
#  - event channel round trip between two domains (peer_evt, 1000 rounds, median);
#  - stub domain spawn time (test_stubdom: clone3 .. exec, median of 50);
#  - memory per dm (VmRSS, RssAnon) after READY and after the block benchmark.
# RIG-BOUND: every guest kick that needs hv (not an ioeventfd) and every wake of a
# blocked vCPU costs a PVM exit here (tens of us).
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
hv_start "$B" || exit 1
trap 'hv_stop' EXIT
T="$RUN/t"; mkdir -p "$T"
IMG="$T/bench.img"; dd if=/dev/urandom of="$IMG" bs=1M count=24 status=none
domid() { $XENIA list | awk -v n="$1" '$1 == n { print $2 }'; }
dm_pid() { $XENIA info "$1" 2>/dev/null | sed -n 's/^ *stubdom dm: pid \([0-9]*\).*/\1/p'; }
wait_console() { for _ in $(seq 1 $(( $3 * 20 ))); do grep -qF -- "$2" "$RUN/console/$1.log" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
rss() { awk '/^VmRSS/ { r = $2 } /^RssAnon/ { a = $2 } END { printf "%d KiB (anon %d KiB)", r, a }' "/proc/$1/status"; }

write_cfg "$T/bb.cfg" blk-bench "$PWD/$B/guests/blk_bench.elf" 'cmdline = "mib=16 depth=16"' \
    "disk = [ \"$IMG\" ]" 'on_poweroff = "preserve"'
write_cfg "$T/idle.cfg" idle "$PWD/$B/guests/hello.elf" 'cmdline = "wait"' "disk = [ \"$IMG\" ]"
$XENIA create "$T/idle.cfg" >/dev/null
sleep 0.5
RSS0=$(rss "$(dm_pid idle)")
$XENIA destroy idle >/dev/null
$XENIA create "$T/bb.cfg" >/dev/null
P=$(dm_pid blk-bench)
RSS1="?"
for _ in $(seq 1 6000); do   # sample while the benchmark runs: the dm ends with its guest
    grep -qF "Test result:" "$RUN/console/blk-bench.log" 2>/dev/null && break
    r=$(rss "$P" 2>/dev/null) && RSS1=$r
    sleep 0.05
done
RAW=$(dd if="$IMG" of=/dev/null bs=64k 2>&1 | sed -n 's/.*, \([0-9.]* [GMk]B\/s\)$/\1/p')
RAW4=$(dd if="$IMG" of=/dev/null bs=4k 2>&1 | sed -n 's/.*, \([0-9.]* [GMk]B\/s\)$/\1/p')

write_cfg "$T/w.cfg" probe "$PWD/$B/guests/hello.elf" 'cmdline = "wait"'
$XENIA create "$T/w.cfg" >/dev/null; P1=$(domid probe); $XENIA destroy probe >/dev/null
write_cfg "$T/es.cfg" evt-server "$PWD/$B/guests/peer_evt.elf" "cmdline = \"server peer=$((P1 + 2)) rounds=1000\"" 'on_poweroff = "preserve"'
write_cfg "$T/ec.cfg" evt-client "$PWD/$B/guests/peer_evt.elf" "cmdline = \"client peer=$((P1 + 1)) port=8 rounds=1000\"" 'on_poweroff = "preserve"'
$XENIA create "$T/es.cfg" >/dev/null; $XENIA create "$T/ec.cfg" >/dev/null
wait_console evt-client "Test result:" 120
RTT=$(sed -n 's/^EVTCHN RTT median_ns=\([0-9]*\).*/\1/p' "$RUN/console/evt-client.log")
SPAWN=$("$B/tests/test_stubdom" 2>&1 | sed -n 's/.*50 spawns: median \([0-9.]* ms\).*/\1/p')

echo
echo "Stub domains (tests/bench/stubdom.sh; peer for block I/O: a raw host read of the same image)"
printf '%-46s %-22s %s\n' "metric" "Xenia" "peer / note"
grep -h "^BENCH blk" "$RUN/console/blk-bench.log" | while read -r _ _ op bs depth bytes ns kbps; do
    printf '%-46s %-22s %s\n' "guest block ${op#op=} ${bs#bs=} B, ${depth#depth=} deep" \
        "$(awk -v k="${kbps#kBps=}" 'BEGIN { printf "%.0f MB/s", k / 1000 }')" \
        "raw host read: ${RAW:-?} (64 KiB), ${RAW4:-?} (4 KiB)"
done
printf '%-46s %-22s %s\n' "event channel round trip (domain <-> domain)" \
    "$(awk -v n="${RTT:-0}" 'BEGIN { printf "%.1f us", n / 1000 }')" "RIG-BOUND: 2 hypercall exits + 2 vCPU wakes per round"
printf '%-46s %-22s %s\n' "stub domain spawn (clone3 .. exec)" "${SPAWN:-?}" "median of 50, confinement included"
printf '%-46s %-22s %s\n' "memory per dm (VmRSS) after READY" "$RSS0" "aim <= 2 MiB"
printf '%-46s %-22s %s\n' "memory per dm (VmRSS) during 64 MiB of I/O" "$RSS1" "last sample before the guest ended; window pages touched count here"
