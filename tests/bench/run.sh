#!/usr/bin/env bash
# Xenia benchmarks: figures side by side with the peer (QEMU + KVM on the same
# machine, same kernel, same run). Never pass/fail: the exit status is 0 unless
# the benchmark itself could not run. Methods: tests/bench/README.md.
#
#   bash tests/bench/run.sh [BUILD_DIR]      (make bench runs it after make all)
#
# Prints one table and writes it to BUILD_DIR/bench/results.txt; every raw
# "BENCH ..." line goes to BUILD_DIR/bench/raw.txt. Knobs (environment):
#   BENCH_HCALLS (1000) null hypercalls / bare exits per round, BENCH_ROUNDS (30)
#   BENCH_LAUNCHES (20) launches timed, BENCH_DOMS ("10 50") domains for memory,
#   BENCH_CHURN (100) create+destroy cycles, BENCH_NO_QEMU=1 skips the peer.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
source tests/lib/hv.sh

OUT="$B/bench"
mkdir -p "$OUT"
RAW="$OUT/raw.txt"
RESULTS="$OUT/results.txt"
: >"$RAW"
HCALLS=${BENCH_HCALLS:-1000}
ROUNDS=${BENCH_ROUNDS:-30}
LAUNCHES=${BENCH_LAUNCHES:-20}
read -r K1 K2 <<<"${BENCH_DOMS:-10 50}"
CHURN=${BENCH_CHURN:-100}
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

say() { echo "bench: $*" >&2; }
die() { echo "bench: $*" >&2; exit 1; }

# kv "LINE" KEY -> value of KEY=value in LINE (empty if absent)
kv() { sed -n "s/.*[ ]$2=\([^ ]*\).*/\1/p" <<<"$1" | head -1; }
# first BENCH line of RAW matching a pattern
line() { grep -E "$1" "$RAW" | head -1; }
# awk arithmetic: calc EXPR [printf-format]
calc() { awk "BEGIN { v = $1; if (v != v) print \"-\"; else printf \"${2:-%.1f}\", v }" 2>/dev/null || echo -; }
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END { if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'; }

# ---- build the helpers -----------------------------------------------------
[ -x "$B/bin/xenia-hv" ] && [ -x "$B/bin/xenia" ] || die "no $B/bin/xenia-hv: run 'make all' first"
[ -f "$B/guest/libxenia.a" ] && [ -f "$B/guest/obj/crt0.o" ] || die "no guest SDK in $B/guest: run 'make all' first"
[ -f "$B/guests/hello.elf" ] || die "no $B/guests/hello.elf: run 'make all' first"

HOST_CFLAGS="-std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 -Iinclude -D_GNU_SOURCE"
gcc $HOST_CFLAGS -o "$OUT/bare_exit" tests/bench/bare_exit.c || die "cannot build bare_exit"
gcc $HOST_CFLAGS -Itools -o "$OUT/benchctl" tests/bench/benchctl.c tools/ctl_client.c tools/ctl_msg.c || die "cannot build benchctl"

# The bench guest: the same compiler and flags guest/guest.mk uses (read from
# the top Makefile, so they never drift), crt0 + our object + libxenia.a.
flags=$(printf 'bench-print-guest-flags:\n\t@echo "$(GUEST_CC)"; echo "$(GUEST_CFLAGS)"; echo "$(GUEST_LDFLAGS)"\n' |
        make -s --no-print-directory -f Makefile -f - B="$B" bench-print-guest-flags 2>/dev/null)
GCC=$(sed -n 1p <<<"$flags"); GCFLAGS=$(sed -n 2p <<<"$flags"); GLDFLAGS=$(sed -n 3p <<<"$flags")
[ -n "$GCC" ] && [ -n "$GCFLAGS" ] && [ -n "$GLDFLAGS" ] || die "cannot read GUEST_CFLAGS/GUEST_LDFLAGS from the Makefile"
$GCC $GCFLAGS -c tests/bench/hcall_guest.c -o "$OUT/hcall_guest.o" &&
    $GCC $GCFLAGS $GLDFLAGS -o "$OUT/hcall_guest.elf" "$B/guest/obj/crt0.o" "$OUT/hcall_guest.o" \
        "$B/guest/libxenia.a" -lgcc || die "cannot build the bench guest"

# ---- the machine -----------------------------------------------------------
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
if [ -d /sys/module/kvm_pvm ]; then KVMKIND="KVM PVM (software virtualization, no VMX/SVM)"
elif grep -qw -e vmx -e svm /proc/cpuinfo; then KVMKIND="KVM with hardware virtualization"
else KVMKIND="KVM (unknown flavour)"; fi
MACHINE="$(uname -r), $CPU, $(nproc) CPUs, $KVMKIND"
say "machine: $MACHINE"

# ---- 1. null hypercall vs bare exit (interleaved rounds) --------------------
# Many short rounds alternate the two: the cost of an exit on this machine
# switches between phases (about 25 us and 34 us, each lasting from ~100 ms to
# seconds, whatever the process), so both must sample the same phases; each
# figure is the median of its round medians.
# Two hvs side by side: the dummy XSM module, and flask enforcing the default policy
# (the hypercall, xen_version, passes the xen:version hook and the AVC in both).
POL="$B/policy/xenia.xpol"
[ -f "$POL" ] || die "no compiled default policy $POL: run 'make all' first"
HV_ARGS="--policy $POL" hv_start "$B" || die "xenia-hv (flask) did not start"
R2=$RUN; P2=$HV_PID; X2=$XENIA
hv_start "$B" || die "xenia-hv did not start"
R1=$RUN; P1=$HV_PID; X1=$XENIA
stop_both() { RUN=$R2; HV_PID=$P2; hv_stop; rm -rf "$R2"; RUN=$R1; HV_PID=$P1; hv_stop; }
trap 'stop_both' EXIT
# hcall_round TAG ROUND: one bench guest on the hv in RUN/XENIA; raw line "BENCH round=R TAG ..."
hcall_round() {
    local tag=$1 r=$2 dom="bench-hcall-$1-$2" stop hl
    write_cfg "$RUN/$dom.cfg" "$dom" "$OUT/hcall_guest.elf" "cmdline = \"n=$HCALLS\"" \
        'on_poweroff = "preserve"' 'on_crash = "preserve"'
    $XENIA create "$RUN/$dom.cfg" >/dev/null || die "cannot create the bench guest ($tag)"
    stop=$(wait_stopped "$dom" 120) || die "the bench guest did not finish in 120 s ($tag)"
    hl=$(grep '^BENCH hcall' "$RUN/console/$dom.log" | head -1)
    [ -n "$hl" ] || { sed 's/^/    | /' "$RUN/console/$dom.log" >&2; die "the bench guest printed no result ($stop)"; }
    echo "${hl/BENCH hcall /BENCH round=$r $tag }" >>"$RAW"
    $XENIA destroy "$dom" >/dev/null 2>&1
}
say "$ROUNDS rounds of: bare exit x $HCALLS (plain KVM), null hypercall x $HCALLS (xenia-hv, dummy), the same (flask enforcing)"
for r in $(seq 1 "$ROUNDS"); do
    "$OUT/bare_exit" "$HCALLS" | sed "s/^BENCH /BENCH round=$r /" >>"$RAW"
    RUN=$R1; XENIA=$X1; hcall_round hcall "$r"
    RUN=$R2; XENIA=$X2; hcall_round flaskhcall "$r"
done
RUN=$R2; HV_PID=$P2; AVC_ST=$($X2 getenforce -v 2>/dev/null | grep -i 'avc' | tr '\n' ' '); hv_stop; rm -rf "$R2"
RUN=$R1; HV_PID=$P1; XENIA=$X1
trap 'hv_stop' EXIT

# ---- 1b. the security server alone, and the policy compiler -----------------
say "AVC and security server: avc_bench; policy compile: 10 x xenia-policy compile (default policy)"
make -s --no-print-directory B="$B" "$B/bench/avc_bench" >/dev/null 2>&1 || die "cannot build avc_bench"
"$B/bench/avc_bench" | sed 's/^/BENCH avc /' >>"$RAW"
"$OUT/benchctl" timeit 10 "$B/bin/xenia-policy" compile policy/default/xenia.te -o "$OUT/default.xpol" |
    sed 's/^BENCH timeit/BENCH polcompile/' >>"$RAW"

# ---- 2. launch, 3. CLI launch, 4./5. memory and rates ------------------------
say "launch: $LAUNCHES x create (hello, cmdline \"wait\") -> first hypercall -> destroy"
"$OUT/benchctl" launch "$RUN" "$B/guests/hello.elf" "$LAUNCHES" >>"$RAW"
write_cfg "$RUN/bench-cli.cfg" bench-cli "$B/guests/hello.elf" 'cmdline = "wait"'
say "launch via the CLI: $LAUNCHES x xenia create"
"$OUT/benchctl" cli "$RUN" bench-cli "$LAUNCHES" "$B/bin/xenia" --run-dir "$RUN" create \
    "$RUN/bench-cli.cfg" >>"$RAW"
say "memory and rates: 0 / $K1 / $K2 domains, $CHURN create+destroy cycles"
"$OUT/benchctl" scale "$RUN" "$B/guests/hello.elf" "$HV_PID" "$K1" "$K2" "$CHURN" >>"$RAW"
hv_alive || say "WARNING: xenia-hv died during the run; its log: $RUN/hv.stderr"
hv_stop
trap - EXIT
rm -rf "$RUN"

# ---- 6. the peer: QEMU + KVM ------------------------------------------------
QEMU_NOTE=""
QEMU=$(command -v qemu-system-x86_64 || true)
if [ -z "$QEMU" ] && [ "${BENCH_NO_QEMU:-0}" != 1 ]; then
    say "qemu-system-x86_64 missing: installing qemu-system-x86 (apt-get)"
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
    { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-x86 ||
      { $SUDO apt-get update && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends qemu-system-x86; }
    } >"$OUT/apt.log" 2>&1
    QEMU=$(command -v qemu-system-x86_64 || true)
    [ -n "$QEMU" ] || QEMU_NOTE="QEMU could not be installed (see $OUT/apt.log)"
fi
[ "${BENCH_NO_QEMU:-0}" = 1 ] && { QEMU=""; QEMU_NOTE="peer skipped (BENCH_NO_QEMU=1)"; }
if [ -n "$QEMU" ]; then
    QV=$("$QEMU" --version | head -1)
    say "peer: $QV"
    # Tiny firmware (tests/bench/qemu_fw.S): MODE 0 real-mode `out` loop, 1 halt,
    # 2 long mode + CPL3 `out` loop; each ends with isa-debug-exit (status 35).
    mkfw() { as --defsym MODE="$2" --defsym LOOPS="$3" -o "$OUT/$1.o" tests/bench/qemu_fw.S &&
             objcopy -O binary "$OUT/$1.o" "$OUT/$1.bin"; }
    QL1=2000 QL2=20000
    if mkfw fw0 0 0 && mkfw fwr1 0 $QL1 && mkfw fwr2 0 $QL2 && mkfw fwu1 2 $QL1 &&
       mkfw fwu2 2 $QL2 && mkfw fwhlt 1 0; then
        # shellcheck disable=SC2054  # the commas belong to one -device argument
        Q=(timeout 60 "$QEMU" -accel kvm -nodefaults -no-user-config -display none -no-reboot
           -m 16 -device isa-debug-exit,iobase=0xf4,iosize=0x04)
        qtime() { # WHAT COUNT ARGS...: median wall time, status must be 35
            local what=$1 n=$2; shift 2
            "$OUT/benchctl" timeit "$n" "${Q[@]}" "$@" | sed "s/^BENCH timeit/BENCH qemu what=$what/" >>"$RAW"
            [ "$(kv "$(line "qemu what=$what ")" status)" = 35 ] ||
                QEMU_NOTE="${QEMU_NOTE:+$QEMU_NOTE; }$what did not exit through isa-debug-exit"
        }
        "${Q[@]}" -M microvm -bios "$OUT/fwu1.bin" >"$OUT/qemu-check.log" 2>&1
        qrc=$?
        if [ $qrc != 35 ]; then
            QEMU_NOTE="QEMU cannot run here (exit $qrc, see $OUT/qemu-check.log)"
        else
            say "peer launch: $LAUNCHES x microvm, $LAUNCHES x pc"
            qtime launch-microvm "$LAUNCHES" -M microvm -bios "$OUT/fw0.bin"
            qtime launch-pc "$LAUNCHES" -M pc -bios "$OUT/fw0.bin"
            say "peer port-I/O exits: $QL1 and $QL2 from CPL3 (long mode) and CPL0 (real mode)"
            qtime cpl3-l1 5 -M microvm -bios "$OUT/fwu1.bin"
            qtime cpl3-l2 5 -M microvm -bios "$OUT/fwu2.bin"
            qtime cpl0-l1 5 -M microvm -bios "$OUT/fwr1.bin"
            qtime cpl0-l2 5 -M microvm -bios "$OUT/fwr2.bin"
            say "peer memory: 1 and 10 microvm VMs of 16 MiB (halted)"
            "$OUT/benchctl" rss 1 1000 "$QEMU" -accel kvm -nodefaults -no-user-config -display none \
                -m 16 -M microvm -bios "$OUT/fwhlt.bin" | sed 's/^BENCH /BENCH qemu1 /' >>"$RAW"
            "$OUT/benchctl" rss 10 1500 "$QEMU" -accel kvm -nodefaults -no-user-config -display none \
                -m 16 -M microvm -bios "$OUT/fwhlt.bin" | sed 's/^BENCH /BENCH qemu10 /' >>"$RAW"
        fi
    else
        QEMU_NOTE="cannot assemble the QEMU firmware (as/objcopy)"
    fi
fi
[ -n "$QEMU_NOTE" ] && say "PEER: $QEMU_NOTE"

# ---- the table ----------------------------------------------------------------
us2ms() { [ -n "$1" ] && calc "$1/1000" "%.2f ms" || echo -; }
ns2us() { [ -n "$1" ] && calc "$1/1000" "%.1f us" || echo -; }
kib() { [ -n "$1" ] && calc "$1" "%.0f KiB" || echo -; }
range() { tr ' ' '\n' | grep -v '^$' | sort -g | sed -n '1p;$p' | awk '{ printf "%s%.1f", (NR > 1 ? "-" : ""), $1 / 1000 }'; }
lowest() { tr ' ' '\n' | grep -v '^$' | sort -g | head -1; }
per_round() { grep -E "$1" "$RAW" | while read -r l; do kv "$l" "$2"; done | tr '\n' ' '; }
peer() { if [ -n "$QEMU" ] && [ -z "$QEMU_NOTE" ]; then echo "$1"; else echo "n/a"; fi; }
# per-exit cost under QEMU: difference of two loop lengths
qloop() {
    local a b
    a=$(kv "$(line "qemu what=$1-l1 ")" min_us); b=$(kv "$(line "qemu what=$1-l2 ")" min_us)
    [ -n "$a" ] && [ -n "$b" ] && calc "($b - $a) / ($QL2 - $QL1)" "%.1f us" || echo -
}

H_MED=$(per_round '^BENCH round=[0-9]+ hcall ' med_ns | median)
H_MIN=$(per_round '^BENCH round=[0-9]+ hcall ' min_ns | lowest)
F_MED=$(per_round '^BENCH round=[0-9]+ flaskhcall ' med_ns | median)
F_BEST=$(per_round '^BENCH round=[0-9]+ flaskhcall ' med_ns | lowest)
AVC_HIT=$(grep -E '^BENCH avc avc hit:' "$RAW" | awk '{print $5}')
AVC_MISS=$(grep -E '^BENCH avc avc miss:' "$RAW" | awk '{print $5}')
SS_ONLY=$(grep -E '^BENCH avc flask_ss_compute:' "$RAW" | awk '{print $4}')
PC=$(line '^BENCH polcompile')
BG_MED=$(per_round 'bare mode=cpl3-guest' med_ns | median)
BG_MIN=$(per_round 'bare mode=cpl3-guest' min_ns | lowest)
BH_MED=$(per_round 'bare mode=cpl3-host' med_ns | lowest)
BS_MED=$(per_round 'bare mode=cpl3-sync' med_ns | lowest)
B0_MED=$(per_round 'bare mode=cpl0-host' med_ns | lowest)
H_RANGE=$(per_round '^BENCH round=[0-9]+ hcall ' med_ns | range)
BG_RANGE=$(per_round 'bare mode=cpl3-guest' med_ns | range)
H_BEST=$(per_round '^BENCH round=[0-9]+ hcall ' med_ns | lowest)
BG_BEST=$(per_round 'bare mode=cpl3-guest' med_ns | lowest)
RATIO=$(calc "$H_BEST/$BG_BEST" "%.2f")
RATIO_ALL=$(calc "$H_MED/$BG_MED" "%.2f")
RATIO_MIN=$(calc "$H_MIN/$BG_MIN" "%.2f")

L=$(line '^BENCH launch'); C=$(line '^BENCH cli'); M=$(line '^BENCH memsum')
RC=$(line 'create_only_per_s'); RD=$(line 'create_destroy_per_s')
QLM_MED=$(kv "$(line 'qemu what=launch-microvm ')" med_us)
QLP_MED=$(kv "$(line 'qemu what=launch-pc ')" med_us)
Q1=$(line '^BENCH qemu1 mem'); Q10=$(line '^BENCH qemu10 mem '); Q10H=$(line '^BENCH qemu10 memhost')
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)

{
echo "Xenia benchmarks ($(date -u '+%Y-%m-%d %H:%M UTC'))"
echo "machine: $MACHINE; load average at start $LOAD_START, at end $LOAD_END"
echo "peer:    ${QV:-none}${QEMU_NOTE:+ -- $QEMU_NOTE}"
echo "figures only, never pass/fail; methods in tests/bench/README.md; raw lines in $RAW"
echo
row() { printf '%-48s | %-19s | %-15s | %-13s | %s\n' "$@"; }
row "metric" "Xenia" "peer (QEMU+KVM)" "aim" "note"
printf '%s\n' "$(printf '%.0s-' $(seq 1 160))"
row "launch: create request -> first hypercall" "$(us2ms "$(kv "$L" hv_med_us)")" \
    "$(peer "$(us2ms "$QLM_MED")")" "<= 10 ms" \
    "median of $LAUNCHES; Xenia: hv's launch_ns (hello); peer: microvm process start -> guest's out -> exit"
row "launch: xenia create fork -> first hypercall" "$(us2ms "$(kv "$C" fork_to_first_hcall_med_us)")" \
    "$(peer "$(us2ms "$QLP_MED")")" "-" \
    "median of $LAUNCHES; CLI end to end; peer: -M pc, same firmware"
row "xenia create CLI wall time (fork -> exit)" "$(us2ms "$(kv "$C" create_wall_med_us)")" "-" "-" \
    "median of $LAUNCHES; the CLI returns once the vCPU thread runs"
row "create / destroy request round trip" \
    "$(us2ms "$(kv "$L" create_rpc_med_us)") / $(us2ms "$(kv "$L" destroy_rpc_med_us)")" "-" "-" \
    "median of $LAUNCHES; control socket straight from benchctl"
row "null hypercall round trip" "$(ns2us "$H_BEST")" "$(peer "$(qloop cpl3)")" "<= 1.15x bare" \
    "RIG-BOUND (one PVM exit from CPL3); xen_version, guest rdtsc; best of $ROUNDS round medians of $HCALLS (all rounds: $(ns2us "$H_MED")); peer: CPL3 out served by QEMU"
row "bare port-I/O exit from CPL3, plain KVM" "$(ns2us "$BG_BEST")" "-" "the floor" \
    "RIG-BOUND: the limit on this machine; guest rdtsc around out; rounds interleaved with the above (all: $(ns2us "$BG_MED"))"
row "null hypercall / bare exit" "${RATIO}x" "$(peer "$(calc "$(qloop cpl3 | cut -d' ' -f1)*1000/$BG_BEST" "%.2fx")")" "<= 1.15x" \
    "best round medians; minima $(ns2us "$H_MIN") / $(ns2us "$BG_MIN") = ${RATIO_MIN}x; medians of all rounds ${RATIO_ALL}x (round medians: hcall $H_RANGE, bare $BG_RANGE us: phases)"
row "null hypercall, flask enforcing / dummy" "$(calc "$F_BEST/$H_BEST" "%.3fx")" "-" "<= 1.05x" \
    "best round medians $(ns2us "$F_BEST") / $(ns2us "$H_BEST"); all rounds $(ns2us "$F_MED") / $(ns2us "$H_MED") = $(calc "$F_MED/$H_MED" "%.3fx"); flask hv: $AVC_ST"
row "AVC lookup: hit / miss (ns, median)" "${AVC_HIT:-?} / ${AVC_MISS:-?} ns" "-" "-" \
    "avc_bench (tests/bench/avc_bench.c), one core, test policy; miss includes the security server (${SS_ONLY:-?} ns alone) and reclaim"
row "compile the default policy (xenia-policy)" "$(calc "$(kv "$PC" med_us)/1000" "%.1f ms")" "-" "-" \
    "median of 10, process start to exit; policy/default/xenia.te"
row "bare exit CPL3 host-timed: plain / sync regs" "$(ns2us "$BH_MED") / $(ns2us "$BS_MED")" "-" "-" \
    "RIG-BOUND: KVM_RUN return to return, best round medians; sync regs = hv's register path"
row "port-I/O exit from CPL0 (reference only)" "$(ns2us "$B0_MED")" "$(peer "$(qloop cpl0)")" "-" \
    "RIG-BOUND: CPL0 guest code is EMULATED by PVM; host-timed; peer: real-mode out loop, per iteration"
row "hv memory per domain beyond guest RAM (anon)" "$(kib "$(kv "$M" anon_per_dom_kib)")" \
    "$(peer "$(kib "$(kv "$Q1" rss_anon_kib)")")" "<= 1 MiB" \
    "RssAnon delta 0 -> $K2 domains / $K2 (at $K1: $(kib "$(kv "$M" anon_per_dom_k1_kib)")); peer: RssAnon of its one process per VM"
row "hv Pss per domain, guest RAM memfds excluded" "$(kib "$(kv "$M" pss_noshmem_per_dom_kib)")" \
    "$(peer "$(kib "$(kv "$Q10" pss_kib)")")" "<= 1 MiB" \
    "smaps_rollup Pss - Pss_Shmem; peer: Pss of one QEMU while 10 run (libraries shared)"
row "guest RAM populated per domain (host Shmem)" "$(kib "$(kv "$M" host_shmem_per_dom_kib)")" "-" "-" \
    "hello guest, 16 MiB; of which mapped by hv: $(kib "$(kv "$M" shmem_per_dom_kib)")"
row "host MemAvailable drop per domain" "$(kib "$(kv "$M" memavail_drop_per_dom_kib)")" \
    "$(peer "$(kib "$(kv "$Q10H" memavail_drop_per_copy_kib)")")" "-" \
    "all of it: processes, guest RAM, kernel (slab, page tables...: $(kib "$(kv "$M" kernel_per_dom_kib)") vs $(peer "$(kib "$(kv "$Q10H" kernel_per_copy_kib)")")); peer: 10 VMs"
row "domains created per second (create only)" "$(calc "$(kv "$RC" create_only_per_s)" "%.0f /s")" \
    "$(peer "$(calc "1000000/$QLM_MED" "%.0f /s")")" "-" \
    "Xenia: $K2 back to back, all stay up; peer: 1 / (microvm start -> exit), sequential"
row "domains created+destroyed per second" "$(calc "$(kv "$RD" create_destroy_per_s)" "%.0f /s")" \
    "$(peer "$(calc "1000000/$QLM_MED" "%.0f /s")")" "-" "$CHURN cycles, sequential"
row "domains destroyed per second" "$(calc "$(kv "$RC" destroy_per_s)" "%.0f /s")" "-" "-" "$K2 running domains"
row "hv RssAnon kept: after destroying all / churn" \
    "$(kv "$M" anon_leak_after_destroy_kib) / $(kv "$M" anon_leak_after_churn_kib) KiB" "-" "-" \
    "growth over the start once all $K2 are destroyed; then growth over $CHURN more create+destroy"
echo
echo "RIG-BOUND: set by this machine's KVM PVM (software virtualization), not by Xenia: an exit"
echo "from CPL3 costs tens of us here (about 1 us with VMX/SVM) and CPL0 guest code is emulated."
echo "Xenia's own: the hypercall/bare-exit ratio, hv memory, and the launch work in hv's user space."
echo "run time: $(( $(date +%s) - T_START )) s"
} | tee "$RESULTS"
