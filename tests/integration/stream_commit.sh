#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A commit in the middle of real kernel TCP connections (two network
# namespaces, af_packet ports): a benign connection and an attack, each
# paused while a new rule set is committed, then finishing. The flows'
# TCP state survives the commit (the benign connection delivers all its
# bytes: nothing is taken for mid-stream data, which is dropped by
# default), and the new streams start with the bytes held before the
# commit as context (the attack's pattern, split across the commit, never
# reaches its server).
. "$(dirname "$0")/lib.sh"

t_netns_begin sc

rule='drop tcp any any -> any 5002 (msg:"evil"; content:"EVIL-PAYLOAD"; sid:1; rev:1;)'
printf '%s\n' "$rule" >"$T_TMP/a.rules"
printf '%s\n' "$rule" \
	'alert tcp any any -> any 5001 (msg:"never"; content:"never-there"; sid:2; rev:1;)' \
	>"$T_TMP/b.rules"
t_true "stage rule set A" ctl rules load "$T_TMP/a.rules"

bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_af_packet0,iface=$T_VO" --vdev "net_af_packet1,iface=$T_VI" \
	-- --instance "$inst" --state-dir "$sd" --pair 0:1
t_true "dataplane comes up on af_packet ports" bw_wait_running "$inst" 20
t_true "ping through bulwark" \
	ip netns exec "$T_NSA" timeout 10 ping -c 1 -W 2 10.199.0.2

ip netns exec "$T_NSB" timeout 12 nc -l 5001 >"$T_TMP/benign.txt" &
T_PIDS+=($!)
srv1=$!
ip netns exec "$T_NSB" timeout 9 nc -l 5002 >"$T_TMP/attack.txt" &
T_PIDS+=($!)
srv2=$!
# paused PORT FIRST SECOND SECONDS: a kernel client in the outside
# namespace sends FIRST, pauses 3 s, sends SECOND and closes (bounded)
paused() {
	{
		printf '%b' "$2"
		sleep 3
		printf '%b' "$3"
	} | ip netns exec "$T_NSA" timeout "$4" nc -N 10.199.0.2 "$1"
}
sleep 0.5
paused 5001 'part one\n' 'part two\n' 12 &
T_PIDS+=($!)
cli1=$!
paused 5002 'GET /?q=EVIL-' 'PAYLOAD HTTP/1.0\r\n\r\n' 7 &
T_PIDS+=($!)
cli2=$!
sleep 1.2
t_true "commit rule set B while both connections pause" ctl rules load "$T_TMP/b.rules"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s1.json"
t_true "the commit is in force before they go on" t_json_true "$T_TMP/s1.json" \
	'd["applied_generation"] == 2'
t_true "the benign connection closes" wait "$cli1"
t_true "its server sees the end" wait "$srv1"
t_check "its server read both parts" "part one,part two" \
	"$(paste -sd, "$T_TMP/benign.txt")"
# the attack's ends stall once its segment is dropped: their timeouts
wait "$cli2" || true
wait "$srv2" || true
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
t_check "the attack's server never reads the pattern" 0 \
	"$(grep -c 'EVIL-PAYLOAD' "$T_TMP/attack.txt")"
t_check "its first half did arrive (the connection was up)" 1 \
	"$(grep -c 'GET /?q=EVIL-' "$T_TMP/attack.txt")"
t_true "the pattern's second half dropped by the rule" \
	t_json_true "$T_TMP/s.json" 'd["totals"]["drops"]["content-rule"] >= 1'
t_check "nothing taken for mid-stream data" 0 \
	"$(t_json "$T_TMP/s.json" 'd["totals"]["drops"]["tcp-midstream"]')"
bw_stop
t_check "clean exit on SIGTERM" 0 "$BW_RC"
t_done
