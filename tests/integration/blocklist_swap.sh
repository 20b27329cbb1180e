#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# No loss under change: traffic replays without end (net_pcap infinite_rx)
# through the dataplane while 200 commits go in: full swaps between the
# Spamhaus DROP lists of 2024-10-18 (list "old") and 2025-01-17 (list
# "new"), and single-address deltas that block and unblock the address
# every IPv4 probe is sent to. At the end: received = forwarded + counted
# drops exactly, every drop is a block-list drop, the drops equal the hits
# of the two lists (a third list that never matched has none), and every
# commit was applied.
. "$(dirname "$0")/lib.sh"

old=$BW_DATA/blocklists/spamhaus-drop-2024-10-18.txt
new=$BW_DATA/blocklists/spamhaus-drop-2025-01-17.txt
t_instance sw

# probes of both lists (and just outside them), to and from 192.0.2.77
"$PY" "$(dirname "$0")/gen_lookup.py" "$T_TMP" "$old" "$new"
printf '# a list that matches nothing the traffic carries\n203.0.113.0/24\n' >"$T_TMP/never.txt"
printf 'list load old /dev/null\nlist load new %s\nlist load never %s\n' \
	"$new" "$T_TMP/never.txt" | ctl batch - >/dev/null

bw_start_endless "$inst"

ok=0
start=$SECONDS
for i in $(seq 0 199); do
	case $((i % 6)) in
	0) cmd=$(printf 'list load old %s\nlist flush new\n' "$old") ;;
	1) cmd="list add old 192.0.2.77" ;;
	2) cmd="list del old 192.0.2.77" ;;
	3) cmd=$(printf 'list flush old\nlist load new %s\n' "$new") ;;
	4) cmd="list add new 192.0.2.77" ;;
	5) cmd="list del new 192.0.2.77" ;;
	esac
	if printf '%s\n' "$cmd" | ctl batch - >>"$T_TMP/commits.log" 2>&1; then
		ok=$((ok + 1))
	else
		t_log "commit $i failed: $(tail -1 "$T_TMP/commits.log")"
	fi
done
t_log "200 commits in $((SECONDS - start)) s"
t_check "every commit applied" 200 "$ok"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/live.json"
t_check "last generation in force" 201 "$(t_json "$T_TMP/live.json" 'd["applied_generation"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"

"$BWCTL" --instance "$inst" stats --json >"$T_TMP/final.json" 2>/dev/null
f="$T_TMP/final.json"
t_check_no_loss "$f" blocklist
t_check "drops equal the hits of the lists" \
	"$(t_json "$f" 'd["totals"]["drops"]["blocklist"]')" \
	"$(t_json "$f" 'sum(l["hits_pkts"] for l in d["lists"])')"
t_check "the list that matches nothing has no hit" 0 \
	"$(t_json "$f" '[l["hits_pkts"] for l in d["lists"] if l["name"]=="never"][0]')"
t_true "both swapped lists decided packets" \
	t_json_true "$f" 'all(l["hits_pkts"] > 0 for l in d["lists"] if l["name"] in ("old","new"))'
t_done
