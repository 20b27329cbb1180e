#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `bulwarkctl explain` against the dataplane as the oracle. The probes:
# gen_visibility.py's frames (a block list, a drop and an alert rule) and
# the IEC-104 captures of rules_ics.sh with its five drop rules, taken
# apart by gen_explain.py (pktlib's decoder). For each probe, explain's
# decision (from the staged generation, the payload in a file) says drop
# with a reason, or pass. Then the probes are replayed through the
# dataplane (--flows 0, per-packet matching):
# - the frames that come out are exactly those explain says pass, in order;
# - the drops by reason equal explain's count of each reason;
# - the list and drop-rule hits equal explain's count of decisions naming
#   them (which would fail if two drop rules hit one frame).
# Bad operands are refused with exit 2, a missing or oversized payload
# file with exit 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vislib.sh"

t_instance ex
"$PY" "$(dirname "$0")/gen_visibility.py" "$T_TMP"
sed -E -e '/sid:20461(5[89]|6[0-2]);/s/^alert /drop /' \
	-e 's/([(;] *)flow:[^;]*; */\1/' \
	"$BW_DATA/rules/emerging-scada.rules" >"$T_TMP/ics.rules"
cat "$T_TMP/vis.rules" "$T_TMP/ics.rules" >"$T_TMP/all.rules"
t_true "stage the block list" ctl list load attackers "$T_TMP/attackers.list" \
	--action drop --match any >/dev/null
t_true "stage the rules" ctl rules load "$T_TMP/all.rules" >/dev/null
"$PY" "$(dirname "$0")/gen_explain.py" "$T_TMP" "$T_TMP/in.pcap" \
	"$BW_DATA/pcaps/ics/TestDissectIec104.pcap" \
	"$BW_DATA/pcaps/ics/JavaRMI_and_IEC_Misc.pcap"
probes=$(wc -l <"$T_TMP/probes.txt")
t_log "$probes probes"

# explain every probe: its decision line in decisions.txt, "N FIELDS..."
: >"$T_TMP/decisions.txt"
while read -r n src dst proto sport dport; do
	d=$(ctl explain "$src" "$dst" "$proto" "$sport" "$dport" \
		--payload-file "$T_TMP/payload/$n" | sed -n 's/^decision: //p')
	echo "$n $d" >>"$T_TMP/decisions.txt"
done <"$T_TMP/probes.txt"
t_check "a decision for every probe" "$probes" \
	"$(grep -cE '^[0-9]+ (drop|pass)' "$T_TMP/decisions.txt")"
# the frames explain says pass, in order
"$PY" -c '
import sys
sys.path.insert(0, sys.argv[1])
from pktlib import read_pcap, write_pcap
frames = list(read_pcap(sys.argv[2]))
keep = [frames[int(l.split()[0])] for l in open(sys.argv[3]) if l.split()[1] == "pass"]
write_pcap(sys.argv[4], keep)' "$(dirname "$0")" "$T_TMP/probes.pcap" \
	"$T_TMP/decisions.txt" "$T_TMP/expect.pcap"
nd() { grep -c "$1" "$T_TMP/decisions.txt" || true; }
t_log "explain: $(nd 'drop reason=blocklist') blocklist, $(nd 'drop reason=content-rule') content-rule, $(nd ' pass') pass"
t_true "explain: some blocklist drops" test "$(nd 'drop reason=blocklist')" -gt 0
t_true "explain: some content-rule drops" test "$(nd 'drop reason=content-rule')" -gt 0
t_true "explain: IEC-104 drops among them" test "$(nd 'sid=20461')" -gt 0
t_check "explain: the vis list probes name list and prefix" "$(t_count list_attackers)" \
	"$(nd 'drop reason=blocklist list=attackers prefix=198.51.100.0/24')"

# replay through the dataplane
t_empty_pcap "$T_TMP/empty.pcap"
bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/probes.pcap,tx_pcap=$T_TMP/back.pcap" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/out.pcap" \
	-- --instance "$inst" --state-dir "$sd" --flows 0
t_true "up" bw_wait_running "$inst" 20
t_true "every probe received" bw_wait_rx "$inst" "$probes" 60
# explain now sees the generation running
t_true "explain says running" grep -q '^generation [0-9]* (running)$' \
	<(ctl explain 192.0.2.1 192.0.2.2)
bw_stop
t_check "clean exit" 0 "$BW_RC"
ctl stats --json >"$T_TMP/stats.json" 2>/dev/null
s=$T_TMP/stats.json
t_true "dataplane output = the probes explain passes, in order" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/out.pcap"
t_check "blocklist drops = explain's" "$(nd 'drop reason=blocklist')" \
	"$(t_json "$s" 'd["totals"]["drops"]["blocklist"]')"
t_check "content-rule drops = explain's" "$(nd 'drop reason=content-rule')" \
	"$(t_json "$s" 'd["totals"]["drops"]["content-rule"]')"
t_check "no other drop" "$(($(nd 'drop reason=blocklist') + $(nd 'drop reason=content-rule')))" \
	"$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "list hits = explain's" "$(nd 'list=attackers')" \
	"$(t_json "$s" 'sum(l["hits_pkts"] for l in d["lists"] if l["name"] == "attackers")')"
for sid in 9000001 2046158 2046159 2046160 2046161; do
	t_check "sid $sid hits = explain's drops by it" "$(nd "sid=$sid\$")" \
		"$(t_rule_hits stats "$sid")"
done

# bad operands
ex_rc() {
	local rc=0
	ctl explain "$@" >/dev/null 2>&1 || rc=$?
	echo "$rc"
}
t_check "a prefix is refused" 2 "$(ex_rc 10.0.0.0/8 10.0.0.1)"
t_check "a name is refused" 2 "$(ex_rc localhost 10.0.0.1)"
t_check "mixed families refused" 2 "$(ex_rc 10.0.0.1 ::1)"
t_check "a bad protocol is refused" 2 "$(ex_rc 10.0.0.1 10.0.0.2 sctp)"
t_check "ports with icmp refused" 2 "$(ex_rc 10.0.0.1 10.0.0.2 icmp 1 2)"
t_check "SPORT without DPORT refused" 2 "$(ex_rc 10.0.0.1 10.0.0.2 tcp 1)"
t_check "port 65536 refused" 2 "$(ex_rc 10.0.0.1 10.0.0.2 tcp 1 65536)"
t_check "missing payload file" 1 "$(ex_rc 10.0.0.1 10.0.0.2 tcp 1 2 --payload-file "$T_TMP/nothere")"
head -c $((1024 * 1024 + 1)) /dev/zero >"$T_TMP/big.bin"
t_check "payload over 1 MiB refused" 1 "$(ex_rc 10.0.0.1 10.0.0.2 tcp 1 2 --payload-file "$T_TMP/big.bin")"
t_check "a directory as payload refused" 1 "$(ex_rc 10.0.0.1 10.0.0.2 tcp 1 2 --payload-file "$T_TMP")"
t_done
