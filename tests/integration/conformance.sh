#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Verdicts that agree with Suricata's documented behaviour (issue #14),
# table driven: gen_conformance.py builds one flow per row of its table
# (the session state and direction of the flow keyword, the handshake's
# completing ACK, a flow without a handshake with and without
# --tcp-midstream pickup, rules of two and three terms with every term in
# one segment or spread over two, with and without a later FIN, a negated
# term on the stream only, several PDUs against a depth rule, packet-only,
# stream-only and packet+stream copies of a rule), each packet marked by hand with the sids that must hit it and
# the line of Suricata's user guide that decides it (table.txt). Under
# each --tcp-midstream mode the hits per sid, the drops and the output
# capture (the input minus the oracle's drops) must agree with it, once
# with scan groups and once with the single database. A drop rule must
# drop the segment that completes its match, not a later FIN.
. "$(dirname "$0")/lib.sh"

t_instance cf

"$PY" "$(dirname "$0")/gen_conformance.py" "$T_TMP"
frames=$(t_count frames)
while read -r line; do t_log "case: $line"; done <"$T_TMP/table.txt"

for layout in groups single; do
	load=(rules load)
	[ "$layout" = single ] && load+=(--single-db)
	t_true "$layout: stage the rules" "$BWCTL" --instance "$inst" \
		--state-dir "$sd.$layout" "${load[@]}" \
		"$T_TMP/conformance.rules" >/dev/null 2>&1
	for mode in drop pickup; do
		name=$layout-$mode
		t_rules_replay "$inst" "$name" "$sd.$layout" "$frames" \
			--tcp-midstream "$mode"
		j=$T_TMP/$name.json
		t_check "$name: received = forwarded + dropped" "$frames" \
			"$(t_json "$j" 'd["totals"]["tx_pkts"] + d["totals"]["drop_pkts"]')"
		t_check "$name: drops (oracle)" "$(t_count "$mode-drops")" \
			"$(t_json "$j" 'd["totals"]["drop_pkts"]')"
		for sid in $(seq 101 114); do
			t_check "$name: sid $sid hits (oracle)" \
				"$(t_count "$mode-hits-$sid")" "$(t_rule_hits "$name" "$sid")"
		done
		t_true "$name: output is the input minus the oracle's drops" \
			"$PCAPTOOL" cmp "$T_TMP/expect-$mode.pcap" "$T_TMP/$name.out.pcap"
	done
done
t_done
