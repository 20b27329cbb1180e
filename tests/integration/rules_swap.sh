#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# No loss and no misattributed hit while the rule set changes: the ICS
# captures replay without end (net_pcap infinite_rx) while 100 `rules
# load` commits alternate two rule sets with different sids that match
# disjoint traffic, each rule index holding a rule of one set that can
# match and a rule of the other that never can:
#   set A: 0 sid 101 never, 1-4 sids 102-105 drop the IEC-104 U frames
#   set B: 0 sid 201 alert DNP3 link headers, 1-4 sids 202-205 never
# After every commit the counters are read: a "never" rule with a hit
# would be a hit counted for a rule outside the set the worker ran. At the
# end: received = forwarded + dropped exactly, every drop a content-rule
# drop, nothing missed by the port, every commit applied.
. "$(dirname "$0")/lib.sh"

t_instance rs

"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
cat >"$T_TMP/a.rules" <<'R'
alert tcp any any -> any any (msg:"never a"; content:"BULWARK-NEVER-A0"; sid:101;)
drop tcp any any -> any 2404 (msg:"testfr act"; dsize:6; content:"|68 04 43 00 00 00|"; sid:102;)
drop tcp any 2404 -> any any (msg:"testfr con"; dsize:6; content:"|68 04 83 00 00 00|"; sid:103;)
drop tcp any any -> any 2404 (msg:"startdt act"; dsize:6; content:"|68 04 07 00 00 00|"; sid:104;)
drop tcp any 2404 -> any any (msg:"startdt con"; dsize:6; content:"|68 04 0b 00 00 00|"; sid:105;)
R
cat >"$T_TMP/b.rules" <<'R'
alert tcp any any <> any 20000 (msg:"dnp3 link"; content:"|05 64|"; depth:2; sid:201;)
alert tcp any any -> any any (msg:"never b1"; content:"BULWARK-NEVER-B1"; sid:202;)
alert tcp any any -> any any (msg:"never b2"; content:"BULWARK-NEVER-B2"; sid:203;)
alert udp any any -> any any (msg:"never b3"; content:"BULWARK-NEVER-B3"; sid:204;)
alert ip any any -> any any (msg:"never b4"; content:"BULWARK-NEVER-B4"; sid:205;)
R
t_true "stage set A" ctl rules load "$T_TMP/a.rules"

# Per packet (--flows 0): the endless replay repeats the same connections,
# which a tracked flow would not take (the same SYN again mid-connection,
# a connection that hit a drop rule dropped until it ages out) and the
# captures carry checksums their NIC had not filled in yet; the rules of
# both sets are packet rules.
bw_start_endless "$inst" --flows 0

never='[r["sid"] for r in d["rules"] if r["sid"] in (101, 202, 203, 204, 205) and r["hits_pkts"]]'
ok=0
bad=0
fired_a=0
fired_b=0
start=$SECONDS
for i in $(seq 1 100); do
	set=$([ $((i % 2)) -eq 1 ] && echo b || echo a)
	if ctl rules load "$T_TMP/$set.rules" >>"$T_TMP/commits.log" 2>&1; then
		ok=$((ok + 1))
	else
		t_log "commit $i failed: $(tail -1 "$T_TMP/commits.log")"
	fi
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
	if [ "$(t_json "$T_TMP/s.json" "$never")" != "[]" ]; then
		bad=$((bad + 1))
		t_log "commit $i: hits for rules that never match: $(t_json "$T_TMP/s.json" "$never")"
	fi
	t_json_true "$T_TMP/s.json" 'any(r["hits_pkts"] for r in d["rules"] if r["sid"] in (102, 103, 104, 105))' &&
		fired_a=$((fired_a + 1))
	t_json_true "$T_TMP/s.json" 'any(r["hits_pkts"] for r in d["rules"] if r["sid"] == 201)' &&
		fired_b=$((fired_b + 1))
done
t_log "100 commits in $((SECONDS - start)) s; set A fired in $fired_a samples, set B in $fired_b"
t_check "every commit applied" 100 "$ok"
t_check "every one a new generation" 100 \
	"$(grep -c '^generation .* applied (full)' "$T_TMP/commits.log")"
t_check "no hit for a rule outside the set in force" 0 "$bad"
t_true "set A's drop rules fired" test "$fired_a" -gt 0
t_true "set B's rule fired" test "$fired_b" -gt 0
t_true "traffic still flows" bw_wait_rx "$inst" \
	"$(($(t_json "$T_TMP/s.json" 'd["totals"]["rx_pkts"]') + 100000))" 20
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
t_check "set A in force, generation 101" "101 [101, 102, 103, 104, 105]" \
	"$(t_json "$T_TMP/s.json" '"%d %s" % (d["applied_generation"], [r["sid"] for r in d["rules"]])')"
bw_stop
t_check "clean exit" 0 "$BW_RC"

"$BWCTL" --instance "$inst" stats --json >"$T_TMP/final.json" 2>/dev/null
f="$T_TMP/final.json"
t_check_no_loss "$f" content-rule
t_check "still no hit for a never rule" "[]" "$(t_json "$f" "$never")"
t_done
