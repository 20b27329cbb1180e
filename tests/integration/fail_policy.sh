#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Policy before the first ruleset exists: --fail-closed drops everything
# (counted as no-ruleset) until a ruleset is in force; the default,
# --fail-open, forwards. A staged ruleset is in force before the first
# packet, so fail-closed then drops only what the lists say.
. "$(dirname "$0")/lib.sh"

pcap=$BW_DATA/pcaps/ics/modbus_test_data_part1.pcap
n=$("$PCAPTOOL" count "$pcap")
t_empty_pcap "$T_TMP/empty.pcap"

run() { # run NAME STATE_DIR APP-ARGS...
	local name=$1 sd=$2 inst="fp$$$1"
	shift 2
	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$pcap,tx_pcap=$T_TMP/$name.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$name.out.pcap" \
		-- --instance "$inst" --state-dir "$sd" "$@"
	t_true "$name: up" bw_wait_running "$inst" 20
	t_true "$name: all received" bw_wait_rx "$inst" "$n" 20
	cp "$T_TMP/stats.json" "$T_TMP/$name.json"
	bw_stop
	t_check "$name: clean exit" 0 "$BW_RC"
	rm -f "/dev/shm/bulwark.$inst.status"
}

run closed "$T_TMP/none" --fail-closed
t_check "fail-closed, no ruleset: everything dropped as no-ruleset" "$n" \
	"$(t_json "$T_TMP/closed.json" 'd["totals"]["drops"]["no-ruleset"]')"
t_check "fail-closed, no ruleset: nothing out" 0 "$("$PCAPTOOL" count "$T_TMP/closed.out.pcap")"

run open "$T_TMP/none"
t_check "fail-open (default), no ruleset: everything forwarded" "$n" \
	"$("$PCAPTOOL" count "$T_TMP/open.out.pcap")"

"$BWCTL" --instance "fp$$" --state-dir "$T_TMP/sd" list add nothing 192.0.2.0/24 >/dev/null
run staged "$T_TMP/sd" --fail-closed
t_check "fail-closed with a staged ruleset: forwards what no list blocks" "$n" \
	"$("$PCAPTOOL" count "$T_TMP/staged.out.pcap")"
t_check "fail-closed with a staged ruleset: no no-ruleset drop" 0 \
	"$(t_json "$T_TMP/staged.json" 'd["totals"]["drops"]["no-ruleset"]')"
t_done
