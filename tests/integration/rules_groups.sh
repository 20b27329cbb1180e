#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Scan groups match exactly what one database matches: the five ET files
# loaded with the per-packet databases split into scan groups (the
# default) and with `--single-db` (one block database scanned for every
# packet), through the real dataplane (pcap vdevs), on traffic that makes
# many rules fire (gen_rules_groups.py: every tcp, udp and ip rule's
# contents, on its own ports both ways and on random ports, plus random
# payloads and ICMP). Groups may only skip scans that could not lead to a
# hit, so each pair of runs must give the same hits per rule, the same
# totals and drops by reason, and the same output:
# - alert rules, TCP flow table on (stream rules on the stream, the
#   packet rules per packet);
# - every rule turned into a drop rule, --flows 0 (every rule scanned per
#   packet, the stream groups too), the flow options taken out (a set
#   with them is refused under --flows 0).
. "$(dirname "$0")/lib.sh"

t_instance rg

frames=$("$PY" "$(dirname "$0")/gen_rules_groups.py" "$T_TMP" \
	"$BW_DATA"/rules/emerging-*.rules)
t_log "frames: $frames"
t_empty_pcap "$T_TMP/empty.pcap"
cat "$BW_DATA"/rules/emerging-*.rules >"$T_TMP/all.rules"
sed -E -e 's/^alert /drop /' -e 's/([(;] *)flow:[^;]*; */\1/' \
	"$T_TMP/all.rules" >"$T_TMP/drop.rules"

# run NAME RULES LAYOUT [APP OPTIONS]: load RULES.rules, compiled as LAYOUT
# (groups or single), replay, stats in NAME.json, rules show in
# NAME.show.json
run() {
	local name=$1 rules=$2 layout=$3
	local load=(rules load)
	shift 3
	[ "$layout" = single ] && load+=(--single-db)
	t_true "$name: stage the rules" "$BWCTL" --instance "$inst" \
		--state-dir "$sd.$name" "${load[@]}" "$T_TMP/$rules.rules" \
		>/dev/null 2>&1
	t_rules_replay "$inst" "$name" "$sd.$name" "$frames" "$@"
	if [ "$layout" = single ]; then
		t_true "$name: one database" t_json_true "$T_TMP/$name.show.json" \
			'd["scan_groups"] == 0 and d["block_db_bytes"] > 0'
	else
		t_true "$name: scan groups" t_json_true "$T_TMP/$name.show.json" \
			'd["scan_groups"] > 0 and d["block_db_bytes"] == 0'
	fi
}

# same_hits A B: the hits of every rule (sid -> hits_pkts) of A.json and
# B.json are equal; prints the sids that differ
same_hits() {
	"$PY" - "$T_TMP" "$1" "$2" <<'EOF'
import json
import sys

d, na, nb = sys.argv[1:]
a, b = ({r["sid"]: r["hits_pkts"]
         for r in json.load(open("%s/%s.json" % (d, n)))["rules"]}
        for n in (na, nb))
diff = sorted(s for s in a.keys() | b.keys() if a.get(s) != b.get(s))
for s in diff:
    print("  sid %d: %s %s, %s %s" % (s, na, a.get(s), nb, b.get(s)))
sys.exit(1 if diff or not a else 0)
EOF
}

# reasons that count nothing left out, so that the log stays short
totals='[d["totals"][k] for k in ("rx_pkts", "tx_pkts", "drop_pkts")] + sorted((k, v) for k, v in d["totals"]["drops"].items() if v)'
fired='len({r["sid"] for r in d["rules"] if r["hits_pkts"]})'

# compare A B: the two layouts' runs agree
compare() {
	t_true "$1 = $2: hits per rule" same_hits "$1" "$2"
	t_check "$1 = $2: totals and drops by reason" \
		"$(t_json "$T_TMP/$1.json" "$totals")" "$(t_json "$T_TMP/$2.json" "$totals")"
	t_true "$1 = $2: same output" "$PCAPTOOL" cmp "$T_TMP/$1.out.pcap" \
		"$T_TMP/$2.out.pcap"
}

# one segment per rule, no handshake: flows picked up mid-stream
run alert.groups all groups --tcp-midstream pickup
run alert.single all single --tcp-midstream pickup
compare alert.groups alert.single
s=$T_TMP/alert.groups.json
# measured: 222 of the 271 rules taken fire (1336 frames)
t_true "alert: many rules fire" t_json_true "$s" "$fired >= 200"
t_log "alert: $(t_json "$s" "$fired") rules fire"
t_check "alert: every frame forwarded" "$frames" "$(t_json "$s" 'd["totals"]["tx_pkts"]')"
t_check "alert: nothing dropped" 0 "$(t_json "$s" 'd["totals"]["drop_pkts"]')"

run drop.groups drop groups --flows 0
run drop.single drop single --flows 0
compare drop.groups drop.single
s=$T_TMP/drop.groups.json
# measured: 437 frames drop (241 rules fire)
t_true "drop: many frames drop" t_json_true "$s" 'd["totals"]["drop_pkts"] >= 400'
t_log "drop: $(t_json "$s" 'd["totals"]["drop_pkts"]') frames drop, $(t_json "$s" "$fired") rules fire"
t_done
