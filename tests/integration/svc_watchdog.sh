#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17 point 1: systemd notification. A stand-in for systemd's
# notification socket (svc_notify.py, NOTIFY_SOCKET) records what the
# dataplane says. READY=1 must come only once the committed generation is
# in force: at that moment the running dataplane reports it (`history
# --json`, asked by the listener before it records READY). WATCHDOG=1
# (WATCHDOG_USEC=1 s: a ping every 0.5 s) must keep coming while the
# worker polls, stop while the test hook stalls the worker (SIGUSR2 with
# BULWARK_TEST_STALL_WORKER=0=4), and come back after. A stall hook that
# names a worker that does not exist is refused at start.
. "$(dirname "$0")/lib.sh"
quiet() { "$@" >/dev/null 2>&1; }
t_instance wd

t_empty_pcap "$T_TMP/empty.pcap"
t_true "generation 1 staged before the start" quiet ctl list add blk 192.0.2.66

# the notification socket's records: svc_notify.py's "TIME NAME=VALUE"
sock="$T_TMP/notify.sock"
notes="$T_TMP/notify.txt"
"$PY" "$(dirname "$0")/svc_notify.py" "$sock" "$notes" 60 \
	"$BWCTL --instance $inst --state-dir $sd history --json" &
listener=$!
T_PIDS+=("$listener")
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done

start() {
	NOTIFY_SOCKET=$sock WATCHDOG_USEC=1000000 "$@" \
		"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" -l 0,1 \
		--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
		-- --instance "$inst" --state-dir "$sd" >>"$T_TMP/bulwark.log" 2>&1 &
	BW_PID=$!
	T_PIDS+=("$BW_PID")
	T_PREFIXES+=("bw-$inst")
}

# pings T0 T1: WATCHDOG=1 records with T0 < time < T1
pings() { awk -v a="$1" -v b="$2" '$2 == "WATCHDOG=1" && $1 > a && $1 < b' "$notes" | wc -l; }
now() { date +%s.%N; }
plus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a + b }'; }

# a stall hook for worker 3 of 1: refused, before anything runs
rc=0
start env BULWARK_TEST_STALL_WORKER=3=4
wait "$BW_PID" || rc=$?
t_true "a stall hook naming no worker is refused" test "$rc" -ne 0
t_true "and says why" grep -q "BULWARK_TEST_STALL_WORKER='3=4': use N=SECONDS" "$T_TMP/bulwark.log"
t_check "nothing was announced" 0 "$(wc -l <"$notes")"

start env BULWARK_TEST_STALL_WORKER=0=4
for _ in $(seq 200); do
	grep -q ' READY=1$' "$notes" && break
	kill -0 "$BW_PID" 2>/dev/null || break
	sleep 0.1
done
t_true "READY=1 sent" grep -q ' READY=1$' "$notes"
# (history --json: in_force is what the running dataplane reports)
t_check "generation 1 was in force when READY=1 came" "[1]" \
	"$(t_json "$notes.ready" '[g["generation"] for g in d["generations"] if g["in_force"]] if d["running"] else "not running"' 2>/dev/null || cat "$notes.ready")"
t_true "a STATUS= line names the generation before READY=1" \
	grep -q ' STATUS=running: generation 1, 1 workers, 2 ports$' "$notes"
t_ready=$(awk '$2 == "READY=1" { print $1; exit }' "$notes")

sleep 3
t_true "WATCHDOG=1 keeps coming while the worker polls (>= 3 in 3 s)" \
	test "$(pings "$t_ready" "$(plus "$t_ready" 3)")" -ge 3

t_sig=$(now)
kill -USR2 "$BW_PID"
sleep 3.9
t_check "no WATCHDOG=1 while the worker is stalled" 0 \
	"$(pings "$(plus "$t_sig" 1.2)" "$(plus "$t_sig" 3.9)")"
t_true "systemd is told why (STATUS=stalled)" \
	grep -q ' STATUS=stalled: worker 0 made no progress$' "$notes"
t_true "the log says the pings are withheld" \
	grep -q "error bulwark: worker 0 (lcore 1) made no progress for 500 ms: watchdog pings withheld" \
	"$T_TMP/bulwark.log"
sleep 2.5
t_true "WATCHDOG=1 comes back once the worker polls again" \
	test "$(pings "$(plus "$t_sig" 4.5)" "$(plus "$t_sig" 6.4)")" -ge 1
t_true "still running (without systemd nobody restarts it)" \
	"$BWCTL" --instance "$inst" status

bw_stop
t_check "clean exit on SIGTERM" 0 "$BW_RC"
t_true "STOPPING=1 sent on the way out" grep -q ' STOPPING=1$' "$notes"
kill "$listener"
wait "$listener" 2>/dev/null || true
t_done
