#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers for integration tests: start the real bulwark on vdevs, read its
# counters through the real bulwarkctl, assert. Source after setting -euo.
#
# Environment (set by meson test, or by hand):
#   BW_BUILD  build directory holding dataplane/bulwark, control/bulwarkctl
#             and tests/tools/bw-pcaptool
set -euo pipefail

BW_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BW_BUILD=${BW_BUILD:-$BW_SRC/build}
BULWARK=$BW_BUILD/dataplane/bulwark
BWCTL=$BW_BUILD/control/bulwarkctl
PCAPTOOL=$BW_BUILD/tests/tools/bw-pcaptool
BW_DATA=$BW_SRC/tests/data

# Debian's interpreter: a pyenv shim on PATH costs a second per call
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

T_NAME=$(basename "$0" .sh)
T_TMP=$(mktemp -d "/tmp/bw-${T_NAME}.XXXXXX")
T_FAILS=0
T_CHECKS=0
T_PIDS=()
T_PREFIXES=() # EAL --file-prefix of the dataplanes started

t_cleanup() {
	local p
	for p in "${T_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	# EAL leaves its runtime directory behind (root: /var/run/dpdk)
	for p in "${T_PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
	done
	[ -n "${T_KEEP:-}" ] || rm -rf "$T_TMP"
	t_extra_cleanup 2>/dev/null || true
}
trap t_cleanup EXIT

t_log() { printf '[%s] %s\n' "$T_NAME" "$*"; }

# t_instance PREFIX: this test's dataplane instance ($inst, unique per
# process), its state directory ($sd) and the removal of its status region
# at exit (a test with more to clean defines its own t_extra_cleanup after).
t_instance() {
	inst="$1$$"
	sd="$T_TMP/state"
}
t_extra_cleanup() { [ -z "${inst:-}" ] || rm -f "/dev/shm/bulwark.$inst.status"; }

# ctl ARGS...: bulwarkctl for this test's instance and state directory.
ctl() { "$BWCTL" --instance "$inst" --state-dir "$sd" "$@"; }

# t_check DESCRIPTION EXPECTED ACTUAL
t_check() {
	T_CHECKS=$((T_CHECKS + 1))
	if [ "$2" == "$3" ]; then
		printf '[%s] ok: %s (%s)\n' "$T_NAME" "$1" "$3"
	else
		printf '[%s] FAIL: %s: expected %s, got %s\n' "$T_NAME" "$1" "$2" "$3"
		T_FAILS=$((T_FAILS + 1))
	fi
}

# t_true DESCRIPTION COMMAND...: the command must exit 0.
t_true() {
	local what=$1
	shift
	T_CHECKS=$((T_CHECKS + 1))
	if "$@"; then
		printf '[%s] ok: %s\n' "$T_NAME" "$what"
	else
		printf '[%s] FAIL: %s (exit %d)\n' "$T_NAME" "$what" $?
		T_FAILS=$((T_FAILS + 1))
	fi
}

t_done() {
	if [ "$T_FAILS" -ne 0 ] || [ "$T_CHECKS" -eq 0 ]; then
		printf '[%s] %d of %d checks failed\n' "$T_NAME" "$T_FAILS" "$T_CHECKS"
		exit 1
	fi
	printf '[%s] all %d checks passed\n' "$T_NAME" "$T_CHECKS"
	exit 0
}

# An empty classic pcap (Ethernet), for the rx side of a port that should
# receive nothing.
t_empty_pcap() {
	printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00' >"$1"
}

# t_json FILE EXPR: evaluate a Python expression over the JSON document d.
t_json() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# t_count KEY: the value of KEY in $T_TMP/counts.txt, the oracle a traffic
# generator wrote ("KEY N" lines).
t_count() { awk -v k="$1" '$1==k{print $2}' "$T_TMP/counts.txt"; }

# t_rule_hits NAME SID: packets that rule SID hit, from $T_TMP/NAME.json
# (`bulwarkctl stats --json`).
t_rule_hits() {
	t_json "$T_TMP/$1.json" "sum(r['hits_pkts'] for r in d['rules'] if r['sid'] == $2)"
}

# bw_start INSTANCE LOG EAL-ARGS... -- APP-ARGS...: start bulwark in the
# background with one worker; sets BW_PID.
bw_start() {
	local inst=$1 log=$2
	shift 2
	"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" \
		-l 0,1 "$@" >"$log" 2>&1 &
	BW_PID=$!
	T_PIDS+=("$BW_PID")
	T_PREFIXES+=("bw-$inst")
}

# bw_wait_running INSTANCE TIMEOUT_S: until `bulwarkctl status` says up.
bw_wait_running() {
	local inst=$1 deadline=$((SECONDS + $2))
	while [ $SECONDS -lt "$deadline" ]; do
		"$BWCTL" --instance "$inst" status >/dev/null 2>&1 && return 0
		kill -0 "$BW_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# bw_wait_rx INSTANCE COUNT TIMEOUT_S: until totals.rx_pkts >= COUNT and
# stable; leaves the last sample in $T_TMP/stats.json.
bw_wait_rx() {
	local inst=$1 want=$2 deadline=$((SECONDS + $3)) got
	while [ $SECONDS -lt "$deadline" ]; do
		"$BWCTL" --instance "$inst" stats --json >"$T_TMP/stats.json" 2>/dev/null || true
		got=$(t_json "$T_TMP/stats.json" 'd["totals"]["rx_pkts"]' 2>/dev/null || echo 0)
		[ "$got" -ge "$want" ] && return 0
		sleep 0.2
	done
	return 1
}

# bw_stop: SIGTERM and wait (bounded); sets BW_RC to the exit status
# ("killed" when it had to be killed). Call it in this shell, not in $(...):
# only the parent can wait for the process.
bw_stop() {
	local i
	BW_RC=0
	kill -TERM "$BW_PID" 2>/dev/null || true
	for i in $(seq 200); do
		# a stopped child stays a zombie until waited for: ask ps
		[ "$(ps -o stat= -p "$BW_PID" 2>/dev/null | cut -c1)" = Z ] && break
		kill -0 "$BW_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [ "$(ps -o stat= -p "$BW_PID" 2>/dev/null | cut -c1)" != Z ] &&
		kill -0 "$BW_PID" 2>/dev/null; then
		kill -KILL "$BW_PID" 2>/dev/null || true
		wait "$BW_PID" 2>/dev/null || true
		BW_RC=killed
		return 0
	fi
	wait "$BW_PID" || BW_RC=$?
}

# t_recv NAME CLIENT FIELD: from $T_TMP/NAME.recv (the output of
# tcprecv.py), field 2 (found or absent) or 3 (the bytes read, hex) of
# CLIENT's connection; empty when the server never saw it.
t_recv() { awk -v k="$2" -v f="$3" '$1 == k { print $f }' "$T_TMP/$1.recv"; }

# t_json_true FILE EXPR: exit 0 when the expression holds.
t_json_true() {
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

# t_rules_replay INST NAME STATE_DIR FRAMES [APP OPTIONS]: boot a
# dataplane with the rules staged in STATE_DIR, replay $T_TMP/in.pcap
# (FRAMES frames) into the outside port (output in NAME.out.pcap, the
# inside port's input empty), then `rules show --json` in NAME.show.json
# and, after a clean stop, `stats --json` in NAME.json.
t_rules_replay() {
	local inst=$1 name=$2 sd=$3 frames=$4
	shift 4
	[ -f "$T_TMP/empty.pcap" ] || t_empty_pcap "$T_TMP/empty.pcap"
	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$name.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$name.out.pcap" \
		-- --instance "$inst" --state-dir "$sd" "$@"
	t_true "$name: up" bw_wait_running "$inst" 20
	t_true "$name: every frame received" bw_wait_rx "$inst" "$frames" 60
	"$BWCTL" --instance "$inst" --state-dir "$sd" rules show --json \
		>"$T_TMP/$name.show.json"
	bw_stop
	t_check "$name: clean exit" 0 "$BW_RC"
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/$name.json" 2>/dev/null
}

# bw_start_endless INST [APP OPTIONS]: boot a dataplane (state dir $sd)
# that replays $T_TMP/in.pcap without end into the outside port, the
# inside port a sink; wait until it runs and 100,000 packets went in.
bw_start_endless() {
	local inst=$1
	shift
	bw_start "$inst" "$T_TMP/bulwark.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev "net_null0,no-rx=1" \
		-- --instance "$inst" --state-dir "$sd" --mbufs 32768 "$@"
	t_true "dataplane up" bw_wait_running "$inst" 20
	t_true "traffic flows" bw_wait_rx "$inst" 100000 20
}

# t_check_no_loss FILE REASON: the stats of an endless run in FILE lost
# nothing: millions received, each forwarded or dropped, every drop under
# REASON (some), none missed by the port. Received and forwarded are the
# ports' own counters (rte_eth_stats: ipackets, opackets), which the
# workers do not write, so the sum checks the workers' accounting.
t_check_no_loss() {
	local f=$1 reason=$2 rx
	rx=$(t_json "$f" 'sum(p["ipackets"] for p in d["ports"])')
	t_log "$rx packets received by the ports during the run, $(t_json "$f" 'd["totals"]["drop_pkts"]') dropped"
	t_true "millions of packets went through" test "$rx" -gt 1000000
	t_check "the workers saw what the ports received" "$rx" \
		"$(t_json "$f" 'd["totals"]["rx_pkts"]')"
	t_check "received by the ports = sent by the ports + dropped" "$rx" \
		"$(t_json "$f" 'sum(p["opackets"] for p in d["ports"]) + d["totals"]["drop_pkts"]')"
	t_check "every drop is a $reason drop" \
		"$(t_json "$f" 'd["totals"]["drop_pkts"]')" \
		"$(t_json "$f" "d[\"totals\"][\"drops\"][\"$reason\"]")"
	t_true "$reason drops happened" t_json_true "$f" "d[\"totals\"][\"drops\"][\"$reason\"] > 0"
	t_check "nothing missed by the port" 0 \
		"$(t_json "$f" 'sum(p["imissed"] + p["rx_nombuf"] for p in d["ports"])')"
}

# t_netns_up ID: two network namespaces, bwaID and bwbID, each joined by a
# veth pair to a host end for bulwark's af_packet ports: bwoID (outside)
# and bwiID (inside). Their eth0 get 10.199.0.1 and .2/24 and
# fd00:b1:0:1::1 and ::2/64. Offloads are off on both ends, so that
# af_packet hands over frames as the kernel would put them on a wire.
# Sets T_NSA, T_NSB, T_VO, T_VI; t_netns_down removes them. Needs root.
t_netns_up() {
	local n=1 ns v
	T_NSA="bwa$1" T_NSB="bwb$1" T_VO="bwo$1" T_VI="bwi$1"
	ip netns add "$T_NSA"
	ip netns add "$T_NSB"
	ip link add "$T_VO" type veth peer name eth0 netns "$T_NSA"
	ip link add "$T_VI" type veth peer name eth0 netns "$T_NSB"
	for v in "$T_VO" "$T_VI"; do
		sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
		ethtool -K "$v" tx off tso off gso off gro off >/dev/null 2>&1 || true
		ip link set "$v" up
	done
	for ns in "$T_NSA" "$T_NSB"; do
		ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
		ip netns exec "$ns" ip link set lo up
		ip netns exec "$ns" ip addr add "10.199.0.$n/24" dev eth0
		ip netns exec "$ns" ip addr add "fd00:b1:0:1::$n/64" dev eth0 nodad
		ip netns exec "$ns" ip link set eth0 up
		n=$((n + 1))
	done
}

# t_netns_begin PREFIX: a test on veths in network namespaces (root
# only): instance PREFIX + the pid's last digits ($inst, $id), state
# directory $sd, namespaces up (t_netns_up; $nsa, $nsb), and a cleanup
# that takes them down with the instance's status region.
t_netns_begin() {
	[ "$(id -u)" -eq 0 ] || {
		t_log "FAIL: needs root for network namespaces"
		exit 1
	}
	id=$(($$ % 100000))
	inst="$1$id"
	sd="$T_TMP/state"
	t_extra_cleanup() {
		t_netns_down
		rm -f "/dev/shm/bulwark.$inst.status"
	}
	t_netns_up "$id"
	nsa=$T_NSA
	nsb=$T_NSB
}

t_netns_down() {
	[ -n "${T_NSA:-}" ] || return 0
	ip netns del "$T_NSA" 2>/dev/null || true
	ip netns del "$T_NSB" 2>/dev/null || true
	ip link del "$T_VO" 2>/dev/null || true
	ip link del "$T_VI" 2>/dev/null || true
}
