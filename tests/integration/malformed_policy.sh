#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Malformed-packet policy through the real dataplane: by default every
# malformed frame is dropped and counted under its reason; with
# --malformed REASON=pass those frames are forwarded and counted as passed
# anomalies. Well-formed frames (including ARP, QinQ, an IPv6 chain at the
# bound) always pass. Expected outputs are built independently of the
# decoder by gen_malformed.py.
. "$(dirname "$0")/lib.sh"

"$PY" "$(dirname "$0")/gen_malformed.py" "$T_TMP"
t_empty_pcap "$T_TMP/empty.pcap"
total=$("$PCAPTOOL" count "$T_TMP/in.pcap")

run() { # run NAME EXPECT.pcap APP-ARGS...
	local name=$1 expect=$2 inst="mal$$$1"
	shift 2
	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$name.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$name.out.pcap" \
		-- --instance "$inst" "$@"
	t_true "$name: up" bw_wait_running "$inst" 20
	t_true "$name: all received" bw_wait_rx "$inst" "$total" 20
	cp "$T_TMP/stats.json" "$T_TMP/$name.json"
	bw_stop
	t_check "$name: clean exit" 0 "$BW_RC"
	t_true "$name: output is exactly the expected frames" \
		"$PCAPTOOL" cmp "$expect" "$T_TMP/$name.out.pcap"
	rm -f "/dev/shm/bulwark.$inst.status"
}

run default "$T_TMP/expect-default.pcap"
s="$T_TMP/default.json"
sum=0
while read -r reason n; do
	t_check "default: drops[$reason]" "$n" "$(t_json "$s" "d['totals']['drops']['$reason']")"
	sum=$((sum + n))
done <"$T_TMP/counts.txt"
t_check "default: drop_pkts is the sum of reasons" "$sum" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "default: forwarded" "$((total - sum))" "$(t_json "$s" 'd["totals"]["tx_pkts"]')"
t_check "default: per-worker drops equal totals" "$sum" \
	"$(t_json "$s" 'sum(w["drop_pkts"] for w in d["workers"])')"

run pass "$T_TMP/expect-pass.pcap" \
	--malformed tcp-bad-data-offset=pass --malformed l2-truncated=pass
s="$T_TMP/pass.json"
t_check "pass: tcp-bad-data-offset passed, counted" 2 \
	"$(t_json "$s" 'd["totals"]["anomalies_passed"]["tcp-bad-data-offset"]')"
t_check "pass: l2-truncated passed, counted" 1 \
	"$(t_json "$s" 'd["totals"]["anomalies_passed"]["l2-truncated"]')"
t_check "pass: tcp-bad-data-offset not dropped" 0 \
	"$(t_json "$s" 'd["totals"]["drops"]["tcp-bad-data-offset"]')"
t_check "pass: other reasons still dropped" 5 "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "pass: anomaly_pass_pkts" 3 "$(t_json "$s" 'd["totals"]["anomaly_pass_pkts"]')"

set +e
T_PREFIXES+=("bw-bad$$")
"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-bad$$" -l 0,1 \
	--vdev net_null0 --vdev net_null1 -- --malformed no-such-reason=pass \
	>"$T_TMP/bad.log" 2>&1
rc=$?
set -e
t_true "unknown --malformed reason is refused" test "$rc" -ne 0
t_true "refusal names the reason" grep -q "no-such-reason" "$T_TMP/bad.log"
t_done
