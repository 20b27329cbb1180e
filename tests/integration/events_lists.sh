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
t_done
