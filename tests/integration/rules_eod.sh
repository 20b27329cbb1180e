#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Content rules decided at the end of a TCP direction's data, through the
# real dataplane (pcap vdevs): a negated content (gen_rules_eod.py builds
# the flows and the oracle) holds only once the client's data has ended,
# at its FIN or RST in sequence, or at the server's RST. The drop rule
# drops exactly that FIN or client RST (a server RST passes, the hit
# counted); the alert rule counts its FIN; a
# flow whose data never ends, or holds the negated content, matches
# nothing. Once with scan groups (class streams, kept compressed between
# segments) and once with the single database (a stream per flow slot).
# The rules are only_stream: a TCP rule is also matched against each
# segment's own payload (Suricata's pkt_stream), where "HELLO " alone
# holds "HELLO and no AGENT"; conformance.sh tests that.
. "$(dirname "$0")/lib.sh"

t_instance re

"$PY" "$(dirname "$0")/gen_rules_eod.py" "$T_TMP"
frames=$(t_count frames)
drops=$(t_count drops)
printf '%s\n' 'drop tcp any any -> any 7000 (msg:"PASS without a newline"; flow:to_server,established,only_stream; content:"PASS "; isdataat:40,relative; content:!"|0a|"; within:40; sid:9101; rev:1;)' \
	'alert tcp any any -> any 7001 (msg:"HELLO without AGENT"; flow:to_server,established,only_stream; content:"HELLO"; content:!"AGENT"; sid:9102; rev:1;)' \
	>"$T_TMP/eod.rules"

run() { # run NAME [RULES LOAD OPTIONS]: replay in.pcap, check the oracle
	local name=$1 sd=$T_TMP/$1.state
	shift
	t_true "$name: stage the rules" "$BWCTL" --instance "$inst" \
		--state-dir "$sd" rules load "$@" "$T_TMP/eod.rules"
	t_rules_replay "$inst" "$name" "$sd" "$frames"
	t_check "$name: drops (oracle)" "$((drops - $(t_count ooo)))" \
		"$(t_json "$T_TMP/$name.json" 'd["totals"]["drops"]["content-rule"]')"
	t_check "$name: a FIN ahead of data dropped" "$(t_count ooo)" \
		"$(t_json "$T_TMP/$name.json" 'd["totals"]["drops"]["tcp-out-of-order"]')"
	t_check "$name: no other drop" "$drops" \
		"$(t_json "$T_TMP/$name.json" 'd["totals"]["drop_pkts"]')"
	t_check "$name: 9101 at the end of the long lines" "$(t_count hits9101)" \
		"$(t_rule_hits "$name" 9101)"
	t_check "$name: 9102 at the end of the HELLO without AGENT" \
		"$(t_count hits9102)" "$(t_rule_hits "$name" 9102)"
	t_true "$name: output is the input minus the oracle's drops" \
		"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/$name.out.pcap"
}

run groups
run single --single-db
t_done
