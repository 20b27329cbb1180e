#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# DPDK's own capture tool against a running dataplane: bulwark calls
# rte_pdump_init(), so dpdk-dumpcap (a secondary process of the same EAL
# --file-prefix) attaches and captures a port. Secondary processes need
# the primary's memory in hugepage files: this test runs the dataplane on
# hugepages (the others run --no-huge); it fails when the machine has
# no free hugepages, saying so.
# The ICS captures are replayed without end into the outside port;
# dpdk-dumpcap takes at least 20 packets of it, bounded in time, and every
# one must be a frame of the input, byte for byte (tshark reads the file).
. "$(dirname "$0")/lib.sh"

t_instance dc
t_extra_cleanup() {
	rm -f "/dev/shm/bulwark.$inst.status" /dev/hugepages/bw-"$inst"map_*
}
free=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
t_true "free hugepages for a primary that secondaries can attach to ($free)" \
	test "${free:-0}" -ge 128
"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
"$BULWARK" --no-pci --file-prefix "bw-$inst" -l 0,1 \
	--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
	--vdev "net_null0,no-rx=1" \
	-- --instance "$inst" --state-dir "$sd" --flows 0 >"$T_TMP/bulwark.log" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
T_PREFIXES+=("bw-$inst")
t_true "dataplane up (hugepages)" bw_wait_running "$inst" 30
t_true "dpdk-dumpcap attaches and captures" timeout 30 dpdk-dumpcap -q \
	--file-prefix="bw-$inst" -i net_pcap0 -c 20 -a duration:10 \
	-w "$T_TMP/d.pcapng"
n=$(tshark -r "$T_TMP/d.pcapng" -T fields -e frame.number 2>/dev/null | wc -l)
t_true "at least 20 packets ($n)" test "$n" -ge 20
tshark -r "$T_TMP/d.pcapng" -F pcap -w "$T_TMP/d.pcap" 2>/dev/null
t_check "every one a frame of the input, byte for byte" 0 "$(PYTHONPATH="$(dirname "$0")" "$PY" - "$T_TMP/in.pcap" "$T_TMP/d.pcap" <<'PY'
import sys
from pktlib import read_pcap
want = set(read_pcap(sys.argv[1]))
print(sum(1 for f in read_pcap(sys.argv[2]) if f not in want))
PY
)"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
