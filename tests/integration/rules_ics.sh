#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The ET SCADA rules through the real dataplane: every ICS capture arrives
# on the outside port (pcap vdevs) with emerging-scada.rules loaded
# (staged before boot). An independent oracle (gen_rules_ics.py parses
# the frames itself) counts the STARTDT/TESTFR/STOPDT frames each of the
# IEC-104 rules (sids 2046158-2046162) names.
# - as shipped (alert), with the TCP flow table on: each sid's hits equal
#   its count, nothing is dropped, the output is the input;
# - the five turned into drop rules, per-packet matching (--flows 0, so
#   that a drop does not also drop the rest of its flow direction, which
#   rules_stream.sh tests), every rule's flow options taken out (with
#   --flows 0 a rule set with them is refused: no per-packet guess of a
#   flow's state; the captures are mid-stream ACK segments, which the
#   options did not exclude): each sid's hits equal its count, the drops
#   are exactly those frames (reason content-rule, and the drop rules'
#   hits add up to them), the output is the input minus them.
. "$(dirname "$0")/lib.sh"

t_instance ri

"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
frames=$(t_count frames)
drops=$(t_count drops)
t_empty_pcap "$T_TMP/empty.pcap"
sed -E -e '/sid:20461(5[89]|6[0-2]);/s/^alert /drop /' \
	-e 's/([(;] *)flow:[^;]*; */\1/' \
	"$BW_DATA/rules/emerging-scada.rules" >"$T_TMP/drop.rules"
t_check "five drop rules" 5 "$(grep -c '^drop ' "$T_TMP/drop.rules")"
t_check "drop: no flow option" 0 "$(grep -c '[(;] *flow:' "$T_TMP/drop.rules")"
cp "$BW_DATA/rules/emerging-scada.rules" "$T_TMP/alert.rules"
cp "$T_TMP/alert.rules" "$T_TMP/alertpass.rules"

# [hits=tracked] run NAME [APP OPTIONS]: load NAME.rules, replay, stats
# in NAME.json; the oracle's hits with flows tracked or not
run() {
	local name=$1 s
	shift
	t_true "$name: stage the rules" "$BWCTL" --instance "$inst" \
		--state-dir "$sd.$name" rules load "$T_TMP/$name.rules" >/dev/null 2>&1
	t_rules_replay "$inst" "$name" "$sd.$name" "$frames" "$@"
	s=$T_TMP/$name.json
	for sid in 2046158 2046159 2046160 2046161 2046162; do
		t_check "$name: sid $sid hits (oracle)" \
			"$(t_count "$hits$sid")" "$(t_rule_hits "$name" "$sid")"
	done
	t_log "$name: rules that fired: $(t_json "$s" '", ".join("%d:%d" % (r["sid"], r["hits_pkts"]) for r in d["rules"] if r["hits_pkts"])')"
}

# Flows tracked: the TCP segments of the captures whose checksum is wrong
# (taken on the sending host, before its NIC filled it in) are refused
# by the normalizer and match nothing; the rest passes. The captures
# start in the middle of long-lived connections: picked up mid-stream.
hits=tracked run alert --tcp-midstream pickup
s=$T_TMP/alert.json
t_check "alert: only bad checksums dropped (oracle)" "$(t_count cksum)" \
	"$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "alert: as tcp-bad-checksum" "$(t_count cksum)" \
	"$(t_json "$s" 'd["totals"]["drops"]["tcp-bad-checksum"]')"
t_true "alert: output is the input minus them" "$PCAPTOOL" cmp \
	"$T_TMP/expect_tracked.pcap" "$T_TMP/alert.out.pcap"
t_true "alert: flows tracked" t_json_true "$s" 'd["totals"]["flows"]["new"] > 0'

# The same passed by policy: forwarded, counted, scanned per packet (each
# a hit), nothing dropped.
hits=passed run alertpass --tcp-invalid tcp-bad-checksum=pass --tcp-midstream pickup
s=$T_TMP/alertpass.json
t_check "alert, checksums passed: nothing dropped" 0 \
	"$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "alert, checksums passed: counted" "$(t_count cksum)" \
	"$(t_json "$s" 'd["totals"]["anomalies_passed"]["tcp-bad-checksum"]')"
t_true "alert, checksums passed: output is the input" "$PCAPTOOL" cmp \
	"$T_TMP/in.pcap" "$T_TMP/alertpass.out.pcap"

hits= run drop --flows 0
s=$T_TMP/drop.json
t_check "drop: drops by the reason content-rule (oracle)" "$drops" \
	"$(t_json "$s" 'd["totals"]["drops"]["content-rule"]')"
t_check "drop: no other drop" "$drops" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "drop: drop rules' hits add up" "$drops" \
	"$(t_json "$s" 'sum(r["hits_pkts"] for r in d["rules"] if r["action"] == "drop")')"
t_check "drop: forwarded" "$((frames - drops))" "$(t_json "$s" 'd["totals"]["tx_pkts"]')"
t_true "drop: output is the input minus the oracle's drops" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/drop.out.pcap"
t_check "drop: rules show, same hits" "$drops" \
	"$(t_json "$T_TMP/drop.show.json" 'sum(r["hits_pkts"] for r in d["rules"] if r["action"] == "drop")')"
t_true "drop: rules show, last hit of the drop rules" \
	t_json_true "$T_TMP/drop.show.json" 'all(r["last_hit"] is not None for r in d["rules"] if r["action"] == "drop" and r["hits_pkts"])'
t_done
