#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17 points 2 and 7: signals, logs, --version and --help.
# - --version and --help answer before EAL: no EAL line, no runtime
#   directory, a clean environment; the version is meson.build's.
# - SIGPIPE: the dataplane's stdout and stderr go to a pipe whose reader
#   is killed; a commit (which logs) must leave it running, the commit
#   in force.
# - SIGHUP never stops it; with --log-file it reopens the file: after a
#   logrotate-style rename and SIGHUP, new lines (SIGUSR1's summary) go to
#   a new file at the path, none to the renamed one.
# - Every log line starts with an ISO-8601 UTC timestamp (within the
#   test's own clock readings) and a level.
# - A symbolic link, a hard link or another user's file at the --log-file
#   path is refused.
. "$(dirname "$0")/lib.sh"
quiet() { "$@" >/dev/null 2>&1; }
t_instance sg

t_empty_pcap "$T_TMP/empty.pcap"
vdevs=(--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null"
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null")
eal=(--no-huge -m 1024 --no-pci --file-prefix "bw-$inst" -l 0,1)
T_PREFIXES+=("bw-$inst")

# --version, --help: before EAL
want=$(sed -n "s/^[[:space:]]*version: '\([^']*\)',.*/\1/p" "$BW_SRC/meson.build" | head -1)
rm -rf "/var/run/dpdk/bw-$inst"
t_check "--version prints meson.build's version" "bulwark $want" \
	"$(env -i "$BULWARK" --file-prefix "bw-$inst" --version 2>&1)"
t_check "-- --version too" "bulwark $want" \
	"$(env -i "$BULWARK" -l 0,1 --file-prefix "bw-$inst" -- --version 2>&1)"
env -i "$BULWARK" --file-prefix "bw-$inst" -- --help >"$T_TMP/help.txt" 2>&1
t_check "-- --help exits 0" 0 $?
t_true "and lists the options" grep -q -- "--bypass-hook PATH" "$T_TMP/help.txt"
t_true "bulwark --help too" sh -c "env -i '$BULWARK' --help | grep -q -- --link-propagate"
t_true "no EAL ran for them" sh -c "! grep -q EAL: '$T_TMP/help.txt' && [ ! -e /var/run/dpdk/bw-$inst ]"

# SIGPIPE: the reader of stdout and stderr goes away
t_true "generation 1 staged" quiet ctl list add blk 192.0.2.66
mkfifo "$T_TMP/pipe"
cat "$T_TMP/pipe" >"$T_TMP/piped.log" &
reader=$!
T_PIDS+=("$reader")
"$BULWARK" "${eal[@]}" "${vdevs[@]}" -- --instance "$inst" --state-dir "$sd" \
	>"$T_TMP/pipe" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
t_true "up, logging into a pipe" bw_wait_running "$inst" 20
kill "$reader"
wait "$reader" 2>/dev/null || true
t_true "a commit, which logs, after the reader died" \
	quiet ctl list add blk 192.0.2.67
sleep 0.5
kill -USR1 "$BW_PID"
sleep 0.5
t_true "the dataplane survived writing into the closed pipe" kill -0 "$BW_PID"
"$BWCTL" --instance "$inst" --state-dir "$sd" history --json >"$T_TMP/h.json"
t_check "and runs the commit made then" "[2]" \
	"$(t_json "$T_TMP/h.json" '[g["generation"] for g in d["generations"] if g["in_force"]] if d["running"] else "not running"')"
# every key once (a repeated key reads as its last value)
t_check "history --json: applied_gen, once" 2 \
	"$("$PY" -c 'import json, sys
def once(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), "repeated key"
    return dict(pairs)
print(json.load(open(sys.argv[1]), object_pairs_hook=once)["applied_gen"])' "$T_TMP/h.json" 2>&1)"

# SIGHUP: never stops it
pid0=$("$BWCTL" --instance "$inst" status | awk '$1 == "pid" { print $2 }')
kill -HUP "$BW_PID"
sleep 0.3
kill -HUP "$BW_PID"
kill -HUP "$BW_PID"
sleep 0.5
t_true "three SIGHUPs later it runs" quiet "$BWCTL" --instance "$inst" status
t_check "the same process" "$pid0" \
	"$("$BWCTL" --instance "$inst" status | awk '$1 == "pid" { print $2 }')"
bw_stop
t_check "clean exit on SIGTERM" 0 "$BW_RC"

# --log-file, rotated
log="$T_TMP/logs/bulwark.log"
mkdir "$T_TMP/logs"
t0=$(date -u +%Y-%m-%dT%H:%M:%S)
"$BULWARK" "${eal[@]}" "${vdevs[@]}" -- --instance "$inst" --state-dir "$sd" \
	--log-file "$log" >"$T_TMP/stderr.log" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
t_true "up with --log-file" bw_wait_running "$inst" 20
t_true "the log file has the start" grep -q "bulwark: instance '$inst': 1 workers, 1 pairs, running" "$log"
t_true "nothing of it on stderr" sh -c "! grep -q running '$T_TMP/stderr.log'"
mv "$log" "$log.1"
kill -HUP "$BW_PID"
for _ in $(seq 50); do
	[ -s "$log" ] && break
	sleep 0.1
done
t_true "SIGHUP made a new file at the path" grep -q "SIGHUP: log reopened" "$log"
kill -USR1 "$BW_PID"
for _ in $(seq 50); do
	grep -q "status: port" "$log" && break
	sleep 0.1
done
t_true "SIGUSR1's summary went to the new file, with the generation" \
	grep -q "info bulwark: status: instance $inst, generation 2, fail-open, 1 workers, rx 0 tx 0 drop 0 packets" "$log"
t_true "and each port" grep -q "status: port net_pcap1 (inside of pair 0): link up" "$log"
t_true "none to the renamed one" sh -c "! grep -q 'status:' '$log.1'"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t1=$(date -u +%Y-%m-%dT%H:%M:%S)
cat "$log.1" "$log" >"$T_TMP/all.log"
t_check "every line starts with a UTC timestamp and a level" 0 \
	"$(grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (emerg|alert|crit|error|warning|notice|info|debug) ' "$T_TMP/all.log")"
t_true "a file of lines" test "$(wc -l <"$T_TMP/all.log")" -gt 10
t_check "every timestamp within the test's clock readings" 0 \
	"$(awk -v a="$t0" -v b="$t1" 'substr($1, 1, 19) < a || substr($1, 1, 19) > b' "$T_TMP/all.log" | wc -l)"

# a symbolic link planted at the log path
echo "precious" >"$T_TMP/target"
ln -s "$T_TMP/target" "$T_TMP/logs/planted.log"
rc=0
"$BULWARK" "${eal[@]}" "${vdevs[@]}" -- --instance "$inst" --state-dir "$sd" \
	--log-file "$T_TMP/logs/planted.log" >"$T_TMP/planted.out" 2>&1 || rc=$?
t_true "a link at the --log-file path is refused" test "$rc" -ne 0
t_true "saying so" grep -q "planted.log: a symbolic link" "$T_TMP/planted.out"
t_check "its target untouched" "precious" "$(cat "$T_TMP/target")"

# a file of another user there, or a hard link to another file
: >"$T_TMP/logs/theirs.log"
chown nobody "$T_TMP/logs/theirs.log"
rc=0
"$BULWARK" "${eal[@]}" "${vdevs[@]}" -- --instance "$inst" --state-dir "$sd" \
	--log-file "$T_TMP/logs/theirs.log" >"$T_TMP/theirs.out" 2>&1 || rc=$?
t_true "another user's file at the --log-file path is refused" test "$rc" -ne 0
t_true "saying so" grep -q "theirs.log: owned by uid $(id -u nobody), not root" "$T_TMP/theirs.out"
ln "$T_TMP/target" "$T_TMP/logs/hard.log"
rc=0
"$BULWARK" "${eal[@]}" "${vdevs[@]}" -- --instance "$inst" --state-dir "$sd" \
	--log-file "$T_TMP/logs/hard.log" >"$T_TMP/hard.out" 2>&1 || rc=$?
t_true "a hard link at the --log-file path is refused" test "$rc" -ne 0
t_true "saying so" grep -q "hard.log: has 2 hard links" "$T_TMP/hard.out"
t_check "its target untouched" "precious" "$(cat "$T_TMP/target")"
t_done
