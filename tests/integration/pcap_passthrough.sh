#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every bundled capture goes through the real dataplane on net_pcap vdevs
# with no rules: the output holds the same packets, byte for byte, in the
# same order; the counters that bulwarkctl reports equal the packet counts
# that an independent reader (libpcap, bw-pcaptool) finds; and the
# lifecycle (status up, clean stop, status down) behaves.
. "$(dirname "$0")/lib.sh"

t_empty_pcap "$T_TMP/empty.pcap"
n_files=0
for f in "$BW_DATA"/pcaps/*/*; do
	name=$(basename "$f")
	inst="pt$$-$n_files"
	n_files=$((n_files + 1))
	want=$("$PCAPTOOL" count "$f")
	out="$T_TMP/$name.out.pcap"
	back="$T_TMP/$name.back.pcap"

	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$f,tx_pcap=$back" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$out" \
		-- --instance "$inst"
	t_true "$name: dataplane comes up" bw_wait_running "$inst" 20
	t_true "$name: all $want packets received" bw_wait_rx "$inst" "$want" 20
	s="$T_TMP/stats.json"
	t_check "$name: rx_pkts" "$want" "$(t_json "$s" 'd["totals"]["rx_pkts"]')"
	t_check "$name: tx_pkts" "$want" "$(t_json "$s" 'd["totals"]["tx_pkts"]')"
	t_check "$name: drop_pkts" 0 "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
	t_check "$name: classified ipv4+ipv6+nonip" "$want" \
		"$(t_json "$s" 'd["totals"]["ipv4_pkts"]+d["totals"]["ipv6_pkts"]+d["totals"]["nonip_pkts"]')"
	bw_stop
	t_check "$name: clean exit on SIGTERM" 0 "$BW_RC"
	t_true "$name: output byte-identical to input" \
		"$PCAPTOOL" cmp "$f" "$out"
	t_check "$name: nothing sent back outside" 0 "$("$PCAPTOOL" count "$back")"
	set +e
	"$BWCTL" --instance "$inst" status >/dev/null 2>"$T_TMP/status.err"
	rc=$?
	set -e
	t_check "$name: status after stop exits 1" 1 "$rc"
	t_true "$name: status after stop says stopped" \
		grep -q stopped "$T_TMP/status.err"
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/final.json" 2>/dev/null
	f="$T_TMP/final.json"
	t_check "$name: final counters kept after stop" "$want" \
		"$(t_json "$f" 'd["totals"]["tx_pkts"]')"
	t_check "$name: final outside port ipackets" "$want" \
		"$(t_json "$f" '[p["ipackets"] for p in d["ports"] if p["role"]=="outside"][0]')"
	t_check "$name: final inside port opackets" "$want" \
		"$(t_json "$f" '[p["opackets"] for p in d["ports"] if p["role"]=="inside"][0]')"
	rm -f "/dev/shm/bulwark.$inst.status"
done
t_check "captures tested" "$(ls "$BW_DATA"/pcaps/*/* | wc -l)" "$n_files"
t_done
