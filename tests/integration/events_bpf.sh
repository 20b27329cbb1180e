#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Events of the eBPF stage (docs/events.md): each example program alone
# (as bpf_ics.sh runs them) over the ICS captures and scan probes, with
# events on. One drop event per frame gen_bpf.py's oracle drops, one for
# one by 5-tuple (the dropped frames are the input minus the oracle's
# expected output), each with reason bpf and the program's name.
. "$(dirname "$0")/lib.sh"

ex=$BW_BUILD/examples/bpf
t_instance eb
for p in modbus_write dnp3_restart tcp_flags; do
	[ -f "$ex/$p.o" ] || { t_log "skipped: $ex/$p.o not built (clang BPF target)"; exit 77; }
done
"$PY" "$(dirname "$0")/gen_bpf.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
frames=$(t_count frames)
t_empty_pcap "$T_TMP/empty.pcap"
export BULWARK_RUN_DIR=$T_TMP/run
mkdir -m 0755 "$BULWARK_RUN_DIR"

for p in modbus_write dnp3_restart tcp_flags; do
	"$BWCTL" --instance "$inst" --state-dir "$T_TMP/$p.state" bpf load "$p" "$ex/$p.o" >/dev/null
	bw_start "$inst" "$T_TMP/$p.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$p.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$p.out.pcap" \
		-- --instance "$inst" --state-dir "$T_TMP/$p.state" \
		--run-dir "$BULWARK_RUN_DIR" --events "$T_TMP/$p.events" --events-rate 0
	t_true "$p: up" bw_wait_running "$inst" 20
	t_true "$p: every frame received" bw_wait_rx "$inst" "$frames" 30
	bw_stop
	t_check "$p: clean exit" 0 "$BW_RC"
	t_check "$p: drop events (oracle)" "$(t_count "$p")" \
		"$(grep -c '"reason":"bpf"' "$T_TMP/$p.events")"
	t_check "$p: one for one, 5-tuple and program" 0 "$(PYTHONPATH="$(dirname "$0")" \
		"$PY" - "$T_TMP/in.pcap" "$T_TMP/expect_$p.pcap" "$T_TMP/$p.events" "$p" <<'PY'
import collections, ipaddress, json, struct, sys
from pktlib import ip_of, read_pcap
def key(f):
    proto, l4, _, src, dst, _ = ip_of(f)
    ports = struct.unpack("!HH", f[l4:l4 + 4]) if proto in (6, 17) else (None, None)
    return (str(ipaddress.ip_address(src)), ports[0],
            str(ipaddress.ip_address(dst)), ports[1], sys.argv[4])
want = collections.Counter(read_pcap(sys.argv[1]))
want.subtract(collections.Counter(read_pcap(sys.argv[2])))
frames = want
want = collections.Counter()
for f, n in frames.items():
    if n > 0:
        want[key(f)] += n
got = collections.Counter()
for l in open(sys.argv[3]):
    e = json.loads(l)
    if e.get("reason") == "bpf":
        got[(str(ipaddress.ip_address(e["src_ip"])), e.get("src_port"),
             str(ipaddress.ip_address(e["dest_ip"])), e.get("dest_port"),
             e.get("program"))] += 1
print(sum(((want - got) + (got - want)).values()))
PY
)"
done
t_done
