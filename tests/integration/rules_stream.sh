#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Content rules across TCP segments through the real dataplane (pcap
# vdevs): a pattern split over 2, 3 and 10 segments, with a
# retransmission, a reordering and an overlapping segment
# (gen_rules_stream.py builds the flows and the oracle). The drop rule
# drops exactly the segment that completes the pattern and every later
# client segment of its flow; the output is the input minus those; the
# flow counters count each case. With --flows 0 (per-packet scanning
# only) a rule set with flow:established, to_server or to_client is
# refused at commit with the reason, and the running set stays (no
# per-packet approximation of the flow state); the same rules without
# their flow options load, and no split pattern is found; with a table
# too small for the flows (--flows 4, which rte_hash rounds up to 8 for
# the 9 flows) the segments of flows it lacks are counted and scanned
# per packet.
. "$(dirname "$0")/lib.sh"

t_instance rt

"$PY" "$(dirname "$0")/gen_rules_stream.py" "$T_TMP"
frames=$(t_count frames)
drops=$(t_count drops)
# 9002/9003: the servers' "HTTP/1.0 200 OK" (8 flows), to the client
printf '%s\n' 'drop tcp any any -> any 8080 (msg:"split pattern"; flow:to_server,established; content:"BULWARK-SPLIT-PATTERN-0123456789"; sid:9001; rev:1;)' \
	'alert tcp any any -> any any (msg:"reply to client"; flow:to_client,established; content:"HTTP/1.0 200 OK"; sid:9002;)' \
	'alert tcp any any -> any any (msg:"reply to server"; flow:to_server,established; content:"HTTP/1.0 200 OK"; sid:9003;)' \
	>"$T_TMP/split.rules"
t_true "stage the rule" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	rules load "$T_TMP/split.rules" >/dev/null 2>&1

run() { # run NAME [APP OPTIONS]: replay in.pcap; stats in $T_TMP/NAME.json
	local name=$1
	shift
	t_rules_replay "$inst" "$name" "$sd" "$frames" "$@"
	t_check "$name: received = forwarded + dropped" "$frames" \
		"$(t_json "$T_TMP/$name.json" 'd["totals"]["tx_pkts"] + d["totals"]["drop_pkts"]')"
}
flowc() { t_json "$T_TMP/$1.json" "d['totals']['flows']['$2']"; }

run streams
s=$T_TMP/streams.json
t_check "streams: drops (oracle)" "$drops" \
	"$(t_json "$s" 'd["totals"]["drops"]["content-rule"]')"
t_check "streams: the early segment held, not dropped" 0 \
	"$(t_json "$s" 'd["totals"]["drops"]["tcp-out-of-order"]')"
t_check "streams: no other drop" "$drops" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "streams: hits = flows that match" "$(t_count matches)" \
	"$(t_json "$s" 'd["rules"][0]["hits_pkts"]')"
t_true "streams: output is the input minus the oracle's drops" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/streams.out.pcap"
t_check "streams: flows entered" "$(t_count flows)" "$(flowc streams new)"
t_check "streams: retransmissions" "$(t_count retrans)" "$(flowc streams retransmitted)"
t_check "streams: held ahead of a gap" "$(t_count ahead)" "$(flowc streams held_ahead)"
t_check "streams: scanned when the gap filled" "$(t_count joined)" "$(flowc streams gaps_filled)"
t_check "streams: none refused for its place" 0 "$(flowc streams out_of_order)"
t_check "streams: overlaps" "$(t_count overlap)" "$(flowc streams overlap)"
t_check "streams: dropped after the match" \
	"$((drops - $(t_count matches)))" \
	"$(flowc streams dropped_after_match)"
t_check "streams: table never full" 0 "$(flowc streams table_full)"
t_check "streams: to_client from the SYN" 8 "$(t_rule_hits streams 9002)"
t_check "streams: not to_server" 0 "$(t_rule_hits streams 9003)"

# --flows 0: the flow options cannot be decided, the set is refused
sed -E 's/ flow:[^;]*;//' "$T_TMP/split.rules" >"$T_TMP/noflow.rules"
t_check "no flow option left" 0 "$(grep -c 'flow:' "$T_TMP/noflow.rules")"
t_empty_pcap "$T_TMP/empty.pcap"
bw_start "$inst" "$T_TMP/refuse.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	-- --instance "$inst" --state-dir "$sd.refuse" --flows 0
t_true "flows 0: up" bw_wait_running "$inst" 20
t_true "flows 0: rules without flow options load" "$BWCTL" --instance \
	"$inst" --state-dir "$sd.refuse" rules load "$T_TMP/noflow.rules"
"$BWCTL" --instance "$inst" --state-dir "$sd.refuse" rules show --json \
	>"$T_TMP/refuse.show0.json"
gen0=$(t_json "$T_TMP/refuse.show0.json" 'd["generation"]')
t_true "flows 0: a generation runs" test "$gen0" -gt 0
if "$BWCTL" --instance "$inst" --state-dir "$sd.refuse" rules load \
	"$T_TMP/split.rules" >"$T_TMP/refuse.out" 2>&1; then
	t_true "flows 0: flow rules refused" false
else
	t_true "flows 0: flow rules refused" true
fi
t_log "flows 0: $(cat "$T_TMP/refuse.out")"
t_true "flows 0: the reason names the rule and --flows 0" grep -q \
	'sid 9001 uses flow:.*--flows 0' "$T_TMP/refuse.out"
echo 'alert tcp any any -> any 8080 (msg:"only stream"; flow:only_stream; content:"BULWARK"; sid:9010;)' \
	>"$T_TMP/only.rules"
if "$BWCTL" --instance "$inst" --state-dir "$sd.refuse" rules load \
	"$T_TMP/only.rules" >"$T_TMP/refuse-only.out" 2>&1; then
	t_true "flows 0: an only_stream rule refused" false
else
	t_true "flows 0: an only_stream rule refused" grep -q \
		'sid 9010 uses flow:only_stream.*--flows 0' "$T_TMP/refuse-only.out"
fi
"$BWCTL" --instance "$inst" --state-dir "$sd.refuse" rules show --json \
	>"$T_TMP/refuse.show.json"
t_check "flows 0: the running set stays (generation)" "$gen0" \
	"$(t_json "$T_TMP/refuse.show.json" 'd["generation"]')"
bw_stop
t_check "flows 0: clean exit" 0 "$BW_RC"

t_true "stage the rules without flow options" "$BWCTL" --instance "$inst" \
	--state-dir "$sd.noflow" rules load "$T_TMP/noflow.rules" >/dev/null 2>&1
sd_keep=$sd
sd=$sd.noflow
run perpacket --flows 0
sd=$sd_keep
t_check "per packet only: no split pattern found" 0 \
	"$(t_json "$T_TMP/perpacket.json" 'd["totals"]["drop_pkts"]')"
t_check "per packet only: no flow option, both directions hit" "8 8" \
	"$(t_rule_hits perpacket 9002) $(t_rule_hits perpacket 9003)"

run small --flows 4
t_true "small table: segments of untracked flows counted" \
	t_json_true "$T_TMP/small.json" 'd["totals"]["flows"]["table_full"] > 0'
t_done
