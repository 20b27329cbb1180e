#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The flow table under a flood (gen_flood.py), with --flows 64 and the
# drop rule of evasion.sh, on pcap vdevs. A model of a Linux receiver
# (tcprecv.py) reads the output:
# - 3000 SYNs never answered, an attack split in two around half of
#   them, and a control flow: the flood's flows are evicted (counted),
#   the attack is tracked and dropped, the control arrives whole;
# - 3000 completed handshakes (established flows are kept): the attack's
#   and the control's segments find no entry, dropped as
#   tcp-flow-table-full (--flow-full drop, the default), so neither the
#   pattern nor the control's data get through; with --flow-full pass
#   they are forwarded, scanned per packet, counted, and the control
#   arrives whole.
. "$(dirname "$0")/lib.sh"

t_instance ef

echo 'drop tcp any any -> any 80 (msg:"evil"; content:"EVIL-PAYLOAD"; sid:1; rev:1;)' \
	>"$T_TMP/evil.rules"
t_true "stage the rule" ctl rules load "$T_TMP/evil.rules"

# flood NAME KIND [APP OPTIONS]: replay gen_flood.py's KIND capture
# through a 64-flow table; NAME.json the stats, NAME.recv what the
# receiver model reads from the output
flood() {
	local name=$1 kind=$2
	shift 2
	"$PY" "$(dirname "$0")/gen_flood.py" "$T_TMP" "$kind"
	cp "$T_TMP/cases.txt" "$T_TMP/$name.cases"
	t_rules_replay "$inst" "$name" "$sd" \
		"$(awk '$1 == "frames" { print $2 }' "$T_TMP/cases.txt")" --flows 64 "$@"
	"$PY" "$(dirname "$0")/tcprecv.py" "$T_TMP/$name.out.pcap" EVIL-PAYLOAD \
		>"$T_TMP/$name.recv"
}
client() { awk -v k="$2" '$1 == k { print $2 }' "$T_TMP/$1.cases"; }
data() { awk '$1 == "control" { print $3 }' "$T_TMP/$1.cases"; }
fl() { t_json "$T_TMP/$1.json" "d['totals']['flows']['$2']"; }
drops() { t_json "$T_TMP/$1.json" "d['totals']['drops'].get('$2', 0)"; }

flood syn syn
t_true "syn flood: flows evicted" test "$(fl syn evicted)" -ge 2900
t_check "syn flood: no new flow refused" 0 "$(fl syn table_full)"
# the segment that completes the pattern, the attack's last
t_check "syn flood: the attack dropped by the rule" 1 "$(drops syn content-rule)"
t_check "syn flood: nothing else dropped" 1 \
	"$(t_json "$T_TMP/syn.json" 'd["totals"]["drop_pkts"]')"
t_check "syn flood: the pattern does not reach the server" absent \
	"$(t_recv syn "$(client syn attack)" 2)"
t_check "syn flood: the control arrives whole" "$(data syn)" \
	"$(t_recv syn "$(client syn control)" 3)"

flood est est
t_check "established flood: none evicted" 0 "$(fl est evicted)"
t_true "established flood: new flows refused" \
	test "$(drops est tcp-flow-table-full)" -ge 10
t_check "established flood: every drop for it" \
	"$(drops est tcp-flow-table-full)" \
	"$(t_json "$T_TMP/est.json" 'd["totals"]["drop_pkts"]')"
# their SYNs are dropped too: the server never sees either connection
t_check "established flood: the attack never reaches the server" "" \
	"$(t_recv est "$(client est attack)" 2)"
t_check "established flood: nor the control (fail closed)" "" \
	"$(t_recv est "$(client est control)" 2)"

flood estpass est --flow-full pass
t_check "--flow-full pass: nothing dropped" 0 \
	"$(t_json "$T_TMP/estpass.json" 'd["totals"]["drop_pkts"]')"
t_true "--flow-full pass: counted as passed" test \
	"$(t_json "$T_TMP/estpass.json" 'd["totals"]["anomalies_passed"]["tcp-flow-table-full"]')" -ge 10
t_check "--flow-full pass: the control arrives whole" "$(data estpass)" \
	"$(t_recv estpass "$(client estpass control)" 3)"
t_done
