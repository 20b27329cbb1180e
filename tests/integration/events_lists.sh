#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Events of the list stage (docs/events.md) over the block-list probes of
# blocklist_lookup.sh (gen_lookup.py: the first, middle and last address
# of every Spamhaus DROP and DROPv6 prefix and the addresses next to
# them), checked one for one by events_oracle.py, which decides with
# Python's ipaddress: a drop event per blocked probe with the probe
# frame's 5-tuple, the list whose file covers the address and the
# longest prefix of that list holding it; as many as the counters' drops.
# Then `bulwarkctl events` reads the file back through the path the
# dataplane published and filters it.
. "$(dirname "$0")/lib.sh"

drop4=$BW_DATA/blocklists/spamhaus-drop-2025-01-17.txt
drop6=$BW_DATA/blocklists/spamhaus-dropv6-2025-01-17.txt
t_instance el
export BULWARK_RUN_DIR=$T_TMP/run
mkdir -m 0755 "$BULWARK_RUN_DIR"

"$PY" "$(dirname "$0")/gen_lookup.py" "$T_TMP" "$drop4" "$drop6"
probes=$(t_count probes)
blocked=$(t_count blocked)
t_empty_pcap "$T_TMP/empty.pcap"
t_true "stage DROP" ctl list load drop "$drop4"
t_true "stage DROPv6" ctl list load dropv6 "$drop6"

mkdir "$T_TMP/ev"
bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/back.pcap" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/out.pcap" \
	-- --instance "$inst" --state-dir "$sd" --run-dir "$BULWARK_RUN_DIR" \
	--events "$T_TMP/ev/events.json" --events-rate 0 --events-ring 65536
t_true "dataplane up" bw_wait_running "$inst" 20
t_true "all probes received" bw_wait_rx "$inst" "$probes" 30
t_true "the events file's path is published" \
	grep -qx "$T_TMP/ev/events.json" "$BULWARK_RUN_DIR/events.path"
bw_stop
t_check "clean exit" 0 "$BW_RC"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/stats.json"
s=$T_TMP/stats.json
t_check "drops by the blocklist reason (oracle)" "$blocked" \
	"$(t_json "$s" 'd["totals"]["drops"]["blocklist"]')"
t_check "one event per drop" "$blocked" \
	"$(grep -c '"event_type":"drop"' "$T_TMP/ev/events.json")"
t_check "events match the oracle one for one (5-tuple, list, prefix)" 0 \
	"$("$PY" "$(dirname "$0")/events_oracle.py" lookup "$T_TMP/in.pcap" \
		"$T_TMP/probes.txt" "$T_TMP/ev/events.json" drop="$drop4" dropv6="$drop6")"
t_check "none lost" 0 "$(t_json "$s" 'd["totals"]["events"]["lost"]')"

# bulwarkctl events: the file through events.path, filtered; the oracle
# counts the probes from probes.txt (even probes carry the address as
# source)
pcount() {
	"$PY" - "$T_TMP/probes.txt" "$1" "$2" <<'PY'
import ipaddress, sys
ver, cidr = int(sys.argv[2]), sys.argv[3]
n = 0
for i, l in enumerate(open(sys.argv[1])):
    a, v = l.split()
    a = ipaddress.ip_address(a)
    if v != "blocked" or a.version != ver:
        continue
    if cidr == "-" or (i % 2 == 0 and a in ipaddress.ip_network(cidr)):
        n += 1
print(n)
PY
}
t_check "events --json: every event" "$blocked" "$(ctl events --json | wc -l)"
t_check "events (text): a line each" "$blocked" "$(ctl events | wc -l)"
t_check "events --list drop: the IPv4 probes" "$(pcount 4 -)" \
	"$(ctl events --list drop --json | wc -l)"
t_check "events --list dropv6: the IPv6 probes" "$(pcount 6 -)" \
	"$(ctl events --list dropv6 --json | wc -l)"
cidr=$(grep -m1 -o '^[0-9][0-9./]*' "$drop4")
t_check "events --src $cidr: the probes from it" "$(pcount 4 "$cidr")" \
	"$(ctl events --src "$cidr" | wc -l)"
t_check "events --type alert: none" 0 "$(ctl events --type alert | wc -l)"
t_check "events --reason blocklist --count 5" 5 \
	"$(ctl events --reason blocklist --count 5 | wc -l)"
t_true "events (text) names list and prefix" \
	grep -q " list drop [0-9.]*/[0-9]* " <(ctl events --list drop --count 1)
t_check "events --follow --count N ends after N" "$blocked" \
	"$(timeout 20 "$BWCTL" --instance "$inst" events --follow --count "$blocked" | wc -l)"
timeout 1 "$BWCTL" --instance "$inst" events --follow --type alert >/dev/null && rc=0 || rc=$?
t_check "events --follow waits at the end (killed by timeout)" 124 "$rc"
# hostile or broken input
printf 'not json\n{"event_type":"drop","src_ip":1}\n[1,2]\n' >"$T_TMP/junk.json"
t_check "junk lines are skipped, objects kept" 1 \
	"$(ctl events --file "$T_TMP/junk.json" --json | wc -l)"
mkfifo "$T_TMP/fifo"
timeout 5 "$BWCTL" events --file "$T_TMP/fifo" 2>"$T_TMP/err" && rc=0 || rc=$?
t_check "a FIFO is refused, at once" 1 "$rc"
t_true "a FIFO: says why" grep -q "not a regular file" "$T_TMP/err"
ctl events --src 300.1.2.3 >/dev/null 2>&1 && rc=0 || rc=$?
t_check "a bad --src is a usage error" 2 "$rc"
BULWARK_RUN_DIR=$T_TMP/nowhere ctl events >/dev/null 2>"$T_TMP/err" && rc=0 || rc=$?
t_check "no events.path: fails" 1 "$rc"
t_true "no events.path: says to start with --events" grep -q -- "--events PATH" "$T_TMP/err"
t_done
