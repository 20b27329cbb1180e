#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# flow:established and flow:to_server read the TCP session state of the
# flow table (docs/rules.md, "Matching in the dataplane"): the rule
# holds for the client's data after a handshake (also in the handshake's
# last ACK), not for the server's, not without a SYN-ACK, and for a flow
# without a handshake only when --tcp-midstream pickup takes it up. The
# oracle (gen_flow_state.py) marks each frame from the rule's documented
# meaning; the output capture must be the input minus those, under each
# --tcp-midstream mode, and the drop reasons must count them. UDP flows
# (gen_flow_state.py): to_server, to_client and established follow the
# flow's first datagram and the directions seen, the hits per sid as the
# oracle counts them; a UDP flood through a small table evicts no TCP
# flow in its handshake. A flow:only_stream rule hits only segments whose
# data a stream took: never a mid-stream segment passed without pickup.
. "$(dirname "$0")/lib.sh"

t_instance fs

"$PY" "$(dirname "$0")/gen_flow_state.py" "$T_TMP"
frames=$(t_count frames)
printf '%s\n' 'drop tcp any any -> any any (msg:"established to server"; flow:to_server,established; content:"CASE-DATA"; sid:1;)' \
	'alert udp any any -> any any (msg:"udp to server"; flow:to_server; content:"UDPPROBE"; sid:2;)' \
	'alert udp any any -> any any (msg:"udp to client"; flow:to_client; content:"UDPPROBE"; sid:3;)' \
	'alert udp any any -> any any (msg:"udp established"; flow:established; content:"UDPPROBE"; sid:4;)' \
	'alert udp any any -> any any (msg:"udp established to server"; flow:to_server,established; content:"UDPPROBE"; sid:5;)' \
	'alert tcp any any -> any any (msg:"only stream"; flow:only_stream; content:"CASE-DATA"; sid:6;)' \
	>"$T_TMP/state.rules"
t_true "stage the rule" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	rules load "$T_TMP/state.rules" >/dev/null 2>&1

for mode in drop pass pickup; do
	t_rules_replay "$inst" "$mode" "$sd" "$frames" --tcp-midstream "$mode"
	j=$T_TMP/$mode.json
	t_check "$mode: received = forwarded + dropped" "$frames" \
		"$(t_json "$j" 'd["totals"]["tx_pkts"] + d["totals"]["drop_pkts"]')"
	t_true "$mode: output is the input minus the oracle's drops" \
		"$PCAPTOOL" cmp "$T_TMP/expect-$mode.pcap" "$T_TMP/$mode.out.pcap"
	for r in content-rule tcp-midstream; do
		t_check "$mode: $r drops" "$(t_count "$mode-$r")" \
			"$(t_json "$j" "d['totals']['drops'].get('$r', 0)")"
	done
	t_check "$mode: only_stream hits: segments a stream took (oracle)" \
		"$(t_count "$mode-only")" "$(t_rule_hits "$mode" 6)"
	for sid in 2 3 4 5; do
		t_check "$mode: udp sid $sid hits (oracle)" \
			"$(t_count "hits-$sid")" "$(t_rule_hits "$mode" "$sid")"
	done
done

# A UDP flood between a TCP client's SYN and the SYN-ACK, --flows 8: the
# non-TCP flows take at most 2 entries and never evict the TCP flow, so
# the client's data after the handshake is established and dropped.
cp "$T_TMP/flood/in.pcap" "$T_TMP/in.pcap"
t_rules_replay "$inst" flood "$sd" "$(t_count flood-frames)" --flows 8
j=$T_TMP/flood.json
t_check "flood: the TCP data dropped as established" 1 \
	"$(t_json "$j" "d['totals']['drops'].get('content-rule', 0)")"
t_check "flood: nothing else dropped" 1 "$(t_json "$j" 'd["totals"]["drop_pkts"]')"
t_true "flood: output is the input minus the data" \
	"$PCAPTOOL" cmp "$T_TMP/flood/expect.pcap" "$T_TMP/flood.out.pcap"
t_check "flood: every datagram to the server" "$(t_count flood-hits-2)" \
	"$(t_rule_hits flood 2)"
t_check "flood: none established, none to the client" "0 0 0" \
	"$(t_rule_hits flood 3) $(t_rule_hits flood 4) $(t_rule_hits flood 5)"
t_check "flood: no TCP flow evicted" 0 \
	"$(t_json "$j" "d['totals']['flows']['evicted']")"
t_done
