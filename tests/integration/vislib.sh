#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The setup the visibility tests (metrics, telemetry, top, explain) share:
# gen_visibility.py's frames and their oracle in $T_TMP (counts.txt), its
# block list and rules staged in the state directory $sd, and a dataplane
# that replays the frames once through the outside port (--flows 0:
# per-packet rule matching). Source after lib.sh and t_instance.

# vis_setup: generate the traffic, stage the list and the rules.
vis_setup() {
	"$PY" "$(dirname "$0")/gen_visibility.py" "$T_TMP"
	frames=$(t_count frames)
	t_true "stage the block list" ctl list load attackers \
		"$T_TMP/attackers.list" --action drop --match any >/dev/null
	t_true "stage the rules" ctl rules load "$T_TMP/vis.rules" >/dev/null
	t_empty_pcap "$T_TMP/empty.pcap"
}

# vis_start [APP OPTIONS]: boot the dataplane and wait until every frame
# went in.
vis_start() {
	bw_start "$inst" "$T_TMP/bulwark.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/out.pcap" \
		-- --instance "$inst" --state-dir "$sd" --flows 0 "$@"
	t_true "up" bw_wait_running "$inst" 20
	t_true "every frame received" bw_wait_rx "$inst" "$frames" 60
}
