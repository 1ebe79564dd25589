#!/usr/bin/env bash
# kvstore (guest/apps/kvstore.c), the tenants' workload, end to end: xenia-hv under the
# default FLASK policy, tenant A (uid 1001) owns the domain and its 4 MiB disk image,
# requests go in through `xenia console`, replies are read from the console log.
#  - protocol: put/get/del/count/stats; malformed lines (bad tag, key, value, command,
#    arity, control bytes, overlong) get ERR and the guest keeps serving; a request
#    split across two reads, CRLF and tabs; a full table answers ERR full;
#  - the device model killed while idle and in the middle of batches of puts (hv
#    restarts it): every put is acknowledged, nothing is lost, dm_generation grows;
#  - shutdown powers it off; re-created on the same disk it recovers every key;
#  - enough puts to compact the log (compactions >= 1), values intact, and intact again
#    after the domain is destroyed and re-created;
#  - records placed on the disk by hand: a stale seq and a torn record (bad crc) at the
#    tail each end the log; the next put overwrites the torn one;
#  - on the same disk read-only, writes answer ERR io and the table is unchanged;
#  - without a disk: "kvstore: no disk: <rc>" and a crash shutdown.
# Output: "ok N - ..." / "not ok N - ..." and a summary; exit status 1 on any failure.
set -uo pipefail
B=${1:-build}
cd "$(dirname "$0")/../.."
source tests/lib/hv.sh
n=0; pass=0; fail=0
ok()    { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $*"; }
bad()   { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
T0=$(date +%s.%N)

[ -f "$B/guests/kvstore.elf" ] || { echo "not ok 1 - $B/guests/kvstore.elf is missing (make)"; exit 1; }
HV_ARGS="--policy $PWD/$B/policy/xenia.xpol" hv_start "$B" || exit 1
trap 'hv_stop' EXIT
chmod 755 "$RUN"
T="$RUN/t"; mkdir -p "$T"; chmod 755 "$T"
cp "$B/guests/kvstore.elf" "$T/kvstore.elf"; chmod 644 "$T/kvstore.elf"
as() { local u=$1; shift; setpriv --reuid "$u" --regid "$u" --clear-groups "$@"; }
XA="as 1001 $XENIA"
DOM=kv-a
LOG="$RUN/console/$DOM.log"
DISK="$T/a.img"
truncate -s 4M "$DISK"; chown 1001:1001 "$DISK"; chmod 600 "$DISK"
AREA=4092            # records per log area of a 4 MiB disk: (8192 - 8) / 2

# The no-disk case takes the guest's 5 s blk_init bound: start it now, check it at the end.
write_cfg "$T/nodisk.cfg" kv-nodisk "$T/kvstore.elf" 'on_crash = "preserve"'
chmod 644 "$T/nodisk.cfg"
$XA create "$T/nodisk.cfg" >/dev/null

# ---- helpers ----------------------------------------------------------------------------
nlines() { grep -c -F -- "$1" "$LOG" 2>/dev/null; }
wait_lines() {  # TEXT TIMEOUT_S COUNT: until TEXT is in the log COUNT times
    for _ in $(seq 1 $(( $2 * 20 ))); do
        [ "$(nlines "$1")" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}
BOOTS=0
boot() {  # DISKSPEC: create $DOM on it, wait for its "kvstore: ready"
    write_cfg "$T/$DOM.cfg" "$DOM" "$T/kvstore.elf" "disk = [ \"$1\" ]"
    chmod 644 "$T/$DOM.cfg"
    BOOTS=$((BOOTS + 1))
    $XA create "$T/$DOM.cfg" >/dev/null || return 1
    wait_lines "kvstore: ready" 20 "$BOOTS"
}
boot_line() { grep -E '^kvstore: (fresh|recovered)' "$LOG" | tail -1; }
stop() {  # shutdown -w (poweroff), then destroy; fails unless it powered off
    local before; before=$(nlines "shut down:")
    $XA shutdown -w --timeout 15 "$DOM" >/dev/null 2>&1
    wait_lines "shut down:" 5 $((before + 1))
    local last; last=$(grep -E '^\[xenia-hv\] domain [0-9]+ shut down:' "$LOG" | tail -1)
    $XENIA destroy "$DOM" >/dev/null 2>&1
    [[ "$last" == *"shut down: poweroff" ]]
}
send() {  # TEXT: bytes to the console of $DOM (one attach)
    printf '%s' "$1" | as 1001 timeout 5 $XENIA console --timeout 0.1 "$DOM" >/dev/null 2>&1
    return 0
}
reply() {  # TAG: the reply to TAG, without "kv TAG " (waits up to 5 s)
    local l
    for _ in $(seq 1 100); do
        l=$(grep -m1 -- "^kv $1 " "$LOG")
        [ -n "$l" ] && { echo "${l#kv $1 }"; return 0; }
        sleep 0.05
    done
    echo "(no reply)"
    return 1
}
echo 0 >"$T/tagn"
req() {  # "CMD ARGS": one request under a fresh tag (counted in a file: req runs in $(...))
    local t; t=$(( $(cat "$T/tagn") + 1 )); echo "$t" >"$T/tagn"
    send "r$t $1"$'\n'
    reply "r$t"
}
is() {  # WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else bad "$1 (got '$2', want '$3')"; fi
}
CHUNK=120   # lines per attach: short lines, so that a chunk stays under hv's 4 KiB input buffer
run_lines() {  # LINE...: send in chunks, each after the previous one was answered
    local lines=("$@") i last
    for ((i = 0; i < ${#lines[@]}; i += CHUNK)); do
        last=$(( i + CHUNK < ${#lines[@]} ? i + CHUNK - 1 : ${#lines[@]} - 1 ))
        send "$(printf '%s\n' "${lines[@]:i:CHUNK}")"$'\n'
        reply "${lines[last]%% *}" >/dev/null || { echo "    no reply to ${lines[last]%% *}"; return 1; }
    done
}
ok_replies() { grep -cE "^kv $1[0-9]+ OK\$" "$LOG"; }   # PREFIX: OK replies to PREFIX<n>
stat_field() { sed -n "s/.* $1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }   # NAME STATS-REPLY
dm_pid() { $XENIA info "$DOM" 2>/dev/null | sed -n 's/^ *stubdom dm: pid \([0-9]*\).*/\1/p'; }
kill_dm() {  # SIGKILL the dm; wait until hv has started the next one
    local p q; p=$(dm_pid)
    [ -n "$p" ] || return 1
    kill -KILL "$p" || return 1
    for _ in $(seq 1 100); do q=$(dm_pid); [ -n "$q" ] && [ "$q" != "$p" ] && return 0; sleep 0.02; done
    return 1
}
declare -A EXP   # key -> value the store must hold
VROUND=0
verify_all() {  # every key in EXP answers its value, and `count` agrees
    local p keys=() lines=() i=0 bad=0 k l tag rest
    VROUND=$((VROUND + 1)); p="v${VROUND}x"
    for k in "${!EXP[@]}"; do i=$((i + 1)); keys[i]=$k; lines+=("$p$i get $k"); done
    run_lines "${lines[@]}" || return 1
    declare -A got
    while read -r _ tag rest; do got[$tag]=$rest; done < <(grep "^kv $p" "$LOG")
    for ((l = 1; l <= i; l++)); do
        if [ "${got[$p$l]:-}" != "VALUE ${EXP[${keys[l]}]}" ]; then
            bad=$((bad + 1))
            [ $bad -le 3 ] && echo "    ${keys[l]}: got '${got[$p$l]:-}', want 'VALUE ${EXP[${keys[l]}]}'"
        fi
    done
    [ "$(req count)" = "COUNT ${#EXP[@]}" ] || { echo "    count is not ${#EXP[@]}"; bad=$((bad + 1)); }
    [ $bad = 0 ]
}

# ---- fresh disk: the protocol ----------------------------------------------------------
check "tenant A boots kvstore on a fresh 4 MiB disk" boot "$DISK"
is "boot line: fresh disk" "$(boot_line)" "kvstore: fresh disk (8192 sectors)"
is "put" "$(req 'put alpha one')" "OK"
is "get" "$(req 'get alpha')" "VALUE one"
is "put replaces" "$(req 'put alpha uno')" "OK"
is "get sees the new value" "$(req 'get alpha')" "VALUE uno"
is "get of a missing key" "$(req 'get nosuch')" "NOTFOUND"
is "put a second key" "$(req 'put beta:2.x-y_z v=~!@#$%^&*()[]{}')" "OK"
is "get: value with punctuation" "$(req 'get beta:2.x-y_z')" 'VALUE v=~!@#$%^&*()[]{}'
is "count" "$(req count)" "COUNT 2"
is "del" "$(req 'del alpha')" "OK"
is "get after del" "$(req 'get alpha')" "NOTFOUND"
is "del of a missing key" "$(req 'del alpha')" "NOTFOUND"
is "count after del" "$(req count)" "COUNT 1"
EXP[beta:2.x-y_z]='v=~!@#$%^&*()[]{}'
st=$(req stats)
check "stats: keys=1 puts=3 gets=5 records=4 compactions=0 blk_resets=1" \
    grep -q "^STATS keys=1 puts=3 gets=5 records=4 compactions=0 dm_generation=[0-9]* blk_resets=1\$" <<<"$st"

# ---- malformed input --------------------------------------------------------------------
K33=$(printf 'k%.0s' $(seq 1 33)); V100=$(printf 'v%.0s' $(seq 1 100)); V101="${V100}v"
LONG=$(printf 'x%.0s' $(seq 1 300))
send "e1 put"$'\n'"e2 put k"$'\n'"e3 put k v extra"$'\n'"e4 get bad/key"$'\n'
send "e5 put $K33 v"$'\n'"e6 put k $V101"$'\n'"e7 frobnicate"$'\n'"e8 count extra"$'\n'
send "e9 put k val"$'\x01'"ue"$'\n'"e10"$'\n'"e11 put k $LONG"$'\n'"bad!tag get k"$'\n'
send "abcdefghijklmnopq get k"$'\n'"$LONG$LONG"$'\n'"e12 PUT k v"$'\n'"e13 put é v"$'\n'
printf 'e14 get a\0b\n' | as 1001 timeout 5 $XENIA console --timeout 0.1 "$DOM" >/dev/null 2>&1
is "put without key and value: ERR" "$(reply e1)" "ERR usage: put <key> <value>"
is "put without value: ERR" "$(reply e2)" "ERR usage: put <key> <value>"
is "put with an extra argument: ERR" "$(reply e3)" "ERR usage: put <key> <value>"
is "key with '/': ERR" "$(reply e4)" "ERR bad key"
is "33-char key: ERR" "$(reply e5)" "ERR bad key"
is "101-char value: ERR" "$(reply e6)" "ERR bad value"
is "unknown command: ERR" "$(reply e7)" "ERR unknown command"
is "count with an argument: ERR" "$(reply e8)" "ERR no arguments expected"
is "control byte in a value: ERR" "$(reply e9)" "ERR bad value"
is "tag without command: ERR" "$(reply e10)" "ERR missing command"
is "overlong line: discarded with ERR under its tag" "$(reply e11)" "ERR line too long"
is "commands are case sensitive: ERR" "$(reply e12)" "ERR unknown command"
is "non-ASCII key: ERR" "$(reply e13)" "ERR bad key"
is "NUL byte in a key: ERR" "$(reply e14)" "ERR bad key"
check "bad tags and an overlong untagged line answer under '-'" bash -c \
    "[ \$(grep -c '^kv - ERR bad tag\$' $LOG) = 2 ] && [ \$(grep -c '^kv - ERR line too long\$' $LOG) = 1 ]"
is "100-char value is accepted" "$(req "put v100 $V100")" "OK"
EXP[v100]=$V100
send "sp1 put split-key spl"; send "it-value"$'\n'
is "a request split across two reads" "$(reply sp1)" "OK"
EXP[split-key]=split-value
send "cr1 get split-key"$'\r\n'$'\n'"tb1"$'\t'"get  "$'\t'"split-key"$'\n'
is "CRLF line end" "$(reply cr1)" "VALUE split-value"
is "tabs and runs of spaces separate tokens" "$(reply tb1)" "VALUE split-value"
check "the store kept serving and holds what it acknowledged" verify_all
check "no request crashed it" bash -c "! grep -qE 'PANIC|crashed|shut down' $LOG"

# ---- a full table -----------------------------------------------------------------------
lines=()
for ((i = ${#EXP[@]}; i < 256; i++)); do
    k=$(printf 'f%03d' "$i"); lines+=("F$i put $k val-$i"); EXP[$k]=val-$i
done
run_lines "${lines[@]}"
is "256 keys stored" "$(req count)" "COUNT 256"
is "a 257th key: ERR full" "$(req 'put one-too-many x')" "ERR full"
is "replacing a key of a full table is fine" "$(req 'put f100 new-100')" "OK"
EXP[f100]=new-100
for k in f101 f102 f103 f104 f105 f106; do
    [ "$(req "del $k")" = OK ] && unset "EXP[$k]"
done
is "after 6 dels: 250 keys" "$(req count)" "COUNT 250"

# ---- the device model dies ---------------------------------------------------------------
g0=$(stat_field dm_generation "$(req stats)")
check "kill the idle dm (SIGKILL); hv starts a new one" kill_dm
is "put after the dm restart" "$(req 'put after-kill yes')" "OK"
is "get after the dm restart" "$(req 'get after-kill')" "VALUE yes"
EXP[after-kill]=yes
lines=()
for ((i = 0; i < 360; i++)); do k=$(printf 'f%03d' $((i % 100))); lines+=("K$i put $k k-$i"); EXP[$k]=k-$i; done
mid=0
for c in 0 1 2; do   # one chunk at a time, the dm killed while the guest works through it
    send "$(printf '%s\n' "${lines[@]:c*CHUNK:CHUNK}")"$'\n' &
    sp=$!
    for _ in $(seq 1 200); do [ "$(ok_replies K)" -ge $(( c * CHUNK + 10 )) ] && break; sleep 0.01; done
    kill_dm || echo "    kill $c failed"
    at=$(( $(ok_replies K) - c * CHUNK ))
    [ "$at" -lt "$CHUNK" ] && mid=$((mid + 1))
    echo "    kill $((c + 1)): after $at of $CHUNK puts of its chunk were acknowledged"
    wait "$sp"
    reply "K$(( c * CHUNK + CHUNK - 1 ))" >/dev/null
done
check "the kills landed in the middle of a chunk ($mid of 3)" test "$mid" -ge 1
is "3 dm kills during 360 puts: every put acknowledged" "$(ok_replies K)" "360"
g1=$(stat_field dm_generation "$(req stats)")
check "dm_generation grew by 4 ($g0 -> $g1)" test "$g1" = "$((g0 + 4))"
check "every key intact after the kills" verify_all
exits() { $XENIA info "$DOM" | awk '/^exits:/ { print $2 }'; }
e0=$(exits); sleep 1; e1=$(exits)
check "idle after the kills, it blocks: $((e1 - e0)) exits in 1 s" test $((e1 - e0)) -le 5

# ---- restart on the same disk --------------------------------------------------------------
st=$(req stats); recs=$(stat_field records "$st")
check "shutdown powers it off" stop
check "re-created on the same disk" boot "$DISK"
is "boot line: recovered" "$(boot_line)" "kvstore: recovered ${#EXP[@]} keys from $recs records (8192 sectors)"
check "every value intact after the restart" verify_all

# ---- compaction ----------------------------------------------------------------------------
recs=$(stat_field records "$(req stats)")
need=$((AREA - recs + 40))
keys=("${!EXP[@]}")
lines=()
for ((i = 0; i < need; i++)); do
    k=${keys[i % ${#keys[@]}]}; lines+=("C$i put $k c$i"); EXP[$k]=c$i
done
tc=$(date +%s.%N)
run_lines "${lines[@]}"
tc=$(echo "$(date +%s.%N) - $tc" | bc)
is "$need puts acknowledged (${tc}s)" "$(ok_replies C)" "$need"
st=$(req stats)
check "the log was compacted: compactions>=1, records=$(stat_field records "$st") < $AREA" \
    test "$(stat_field compactions "$st")" -ge 1 -a "$(stat_field records "$st")" -lt $AREA
check "every value intact after the compaction" verify_all
recs=$(stat_field records "$(req stats)")
check "destroyed while running (no shutdown)" $XA destroy "$DOM"
check "re-created on the compacted disk" boot "$DISK"
is "boot line: recovered from the new area" "$(boot_line)" \
    "kvstore: recovered ${#EXP[@]} keys from $recs records (8192 sectors)"
check "every value intact after compaction and restart" verify_all
check "shutdown powers it off" stop

# ---- the log ends at the first record that does not continue it -------------------------------
# Superblock generation g is in slot g % 2: after one compaction g = 2, slot 0.
sb_u() { od -An -t "u$1" -j "$2" -N "$1" "$DISK" | tr -d ' '; }   # BYTES OFFSET
gen=$(sb_u 8 16); live=$(sb_u 4 24); arecs=$(sb_u 4 28)
check "superblock: generation 2 names area 1 of $AREA records" test "$gen $live $arecs" = "2 1 $AREA"
rec_at() { echo $(( 8 + live * arecs + $1 )); }   # POSITION -> sector
copy_rec() { dd if="$DISK" of="$DISK" bs=512 skip="$1" seek="$2" count=1 conv=notrunc status=none; }
# A stale record (valid crc, seq of position 0) at the tail.
copy_rec "$(rec_at 0)" "$(rec_at "$recs")"
check "stale record at the tail: re-created" boot "$DISK"
is "a stale seq ends the log" "$(boot_line)" "kvstore: recovered ${#EXP[@]} keys from $recs records (8192 sectors)"
check "shutdown powers it off" stop
# A torn record: the last one copied to the tail with its seq advanced (so the seq
# continues the log) but its crc no longer matching.
copy_rec "$(rec_at $((recs - 1)))" "$(rec_at "$recs")"
seq=$(od -An -t u8 -j $(( $(rec_at "$recs") * 512 + 8 )) -N 8 "$DISK" | tr -d ' ')
printf "$(printf '%016x' $((seq + 1)) | sed 's/../&\n/g' | tac | tr -d '\n' | sed 's/../\\x&/g')" |
    dd of="$DISK" bs=1 seek=$(( $(rec_at "$recs") * 512 + 8 )) conv=notrunc status=none
check "torn record at the tail: re-created" boot "$DISK"
is "a bad crc ends the log" "$(boot_line)" "kvstore: recovered ${#EXP[@]} keys from $recs records (8192 sectors)"
is "the next put overwrites the torn record" "$(req 'put after-torn yes')" "OK"
EXP[after-torn]=yes
recs=$((recs + 1))
check "destroyed while running (no shutdown)" $XA destroy "$DOM"
check "re-created" boot "$DISK"
is "boot line: the put after the torn record counts" "$(boot_line)" \
    "kvstore: recovered ${#EXP[@]} keys from $recs records (8192 sectors)"
check "every value intact" verify_all
check "shutdown powers it off" stop

# ---- read-only disk: writes fail, the table does not change -----------------------------------
check "boot on the same disk read-only" boot "$DISK,ro"
is "boot line: recovered" "$(boot_line)" "kvstore: recovered ${#EXP[@]} keys from $recs records (8192 sectors)"
k=${keys[0]}
is "put on a read-only disk: ERR io" "$(req "put $k changed")" "ERR io -5"
is "del on a read-only disk: ERR io" "$(req "del $k")" "ERR io -5"
is "a new key on a read-only disk: ERR io" "$(req 'put brand-new x')" "ERR io -5"
check "the table is unchanged" verify_all
is "get of the new key" "$(req 'get brand-new')" "NOTFOUND"
check "shutdown powers it off" stop

# ---- no disk ---------------------------------------------------------------------------------
wait_stopped kv-nodisk 15 >/dev/null
check "without a disk: 'kvstore: no disk: <rc>' and a crash shutdown" bash -c \
    "grep -qE '^kvstore: no disk: -[0-9]+\$' $RUN/console/kv-nodisk.log &&
     grep -qE 'domain [0-9]+ shut down: crash' $RUN/console/kv-nodisk.log"
$XENIA destroy kv-nodisk >/dev/null 2>&1

check "xenia-hv still running" hv_alive
hv_stop
if hv_sanitizer_clean; then ok "no sanitizer report"; else bad "sanitizer report"; fi
echo "kvstore tests: $pass passed, $fail failed ($(echo "$(date +%s.%N) - $T0" | bc | cut -c1-5) s)"
[ "$fail" = 0 ]
