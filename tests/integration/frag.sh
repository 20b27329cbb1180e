#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# IP fragment reassembly through the real dataplane (pcap vdevs): fragments
# in order, reversed, interleaved, duplicated, overlapping (same and
# different bytes), tiny (IPv4 and IPv6), timed out, too many, more than
# rte_ip_frag takes at once (8), a GRE first fragment of 8 bytes, IPv6 with
# extension headers before the fragment header, atomic fragments, and
# content (UDP, and TCP through the stream engine), dsize and block-list
# verdicts on reassembled datagrams
# (gen_frag.py builds them and the oracle). The output must be exactly the
# oracle's frames, the original fragments byte for byte and in order (checked
# by pcaptool and by a second comparison here in Python), every drop counted
# under the oracle's reason, and the fragment counters the oracle's.
. "$(dirname "$0")/lib.sh"

t_instance fr

"$PY" "$(dirname "$0")/gen_frag.py" "$T_TMP"
frames=$(t_count frames)
t_empty_pcap "$T_TMP/empty.pcap"
cat >"$T_TMP/frag.rules" <<'EOF'
drop udp any any -> any any (msg:"frag udp"; content:"EVIL-FRAG"; sid:1; rev:1;)
drop tcp any any -> any any (msg:"frag tcp"; content:"EVIL-FRAG"; sid:2; rev:1;)
drop udp any any -> any 7777 (msg:"big datagram"; dsize:>2000; sid:3; rev:1;)
EOF
printf '203.0.113.66/32\n2001:db8:66::/48\n' >"$T_TMP/bad.txt"
t_true "stage the rules" ctl rules load "$T_TMP/frag.rules"
t_true "stage the block list" ctl list load bad "$T_TMP/bad.txt"

bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/back.pcap" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/out.pcap" \
	-- --instance "$inst" --state-dir "$sd" \
	--frag-per-datagram 24 --frag-timeout 300 \
	--events "$T_TMP/frag.events" --events-rate 0
t_true "dataplane up" bw_wait_running "$inst" 20
t_true "every frame received" bw_wait_rx "$inst" "$frames" 30
# the incomplete datagrams time out while the dataplane idles
sleep 1.5
s=$T_TMP/run.json
ctl stats --json >"$s"
t_check "nothing held after the timeout" "0 0" \
	"$(t_json "$s" 'd["totals"]["fragments"]["held_now"]') $(t_json "$s" 'd["totals"]["fragments"]["datagrams_now"]')"
for k in held reassembled timeouts overlaps over_limit duplicates; do
	t_check "fragments.$k (oracle)" "$(t_count "$k")" \
		"$(t_json "$s" "d['totals']['fragments']['$k']")"
done
for r in content-rule blocklist fragment-too-small ip-frag-overlap \
	ip-frag-timeout ip-frag-limit ip-frag-duplicate; do
	t_check "drops for $r (oracle)" "$(t_count "$r")" \
		"$(t_json "$s" "d['totals']['drops'].get('$r', 0)")"
done
t_check "both TCP flows tracked by the stream engine" 2 \
	"$(t_json "$s" 'd["totals"]["flows"]["new"]')"
t_check "no other drop" "$(t_count drops)" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "forwarded" "$(t_count passed)" "$(t_json "$s" 'd["totals"]["tx_pkts"]')"
t_check "frames seen as fragments" "$(t_count fragments)" \
	"$(t_json "$s" 'd["totals"]["frag_pkts"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"

# events (docs/events.md): a datagram the table drops whole gives one drop
# event (a timed-out one has no fragment dropped on arrival, so exactly
# one); every event is a drop of a fragment of the input
ev_count() { # ev_count REASON: drop events with that reason
	"$PY" - "$T_TMP/frag.events" "$1" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
print(sum(1 for e in ev
          if e.get("event_type") == "drop" and e.get("reason") == sys.argv[2]))
PY
}
t_check "one ip-frag-timeout event per timed-out datagram (oracle)" \
	"$(t_count timeouts)" "$(ev_count ip-frag-timeout)"
for r in ip-frag-limit:over_limit ip-frag-overlap:overlaps; do
	n=$(ev_count "${r%%:*}")
	t_true "${r%%:*} events ($n): at least one per datagram, at most one per drop" \
		test "$n" -ge "$(t_count "${r##*:}")" -a "$n" -le "$(t_count "${r%%:*}")"
done
t_true "timeout events name address pairs of the input" "$PY" - \
	"$T_TMP/frag.events" "$T_TMP/in.pcap" "$(dirname "$0")" <<'PY'
import ipaddress, json, sys
sys.path.insert(0, sys.argv[3])
from pktlib import read_pcap
seen = set()
for f in read_pcap(sys.argv[2]):
    t = int.from_bytes(f[12:14], "big")
    if t == 0x0800:
        seen.add((str(ipaddress.ip_address(f[26:30])), str(ipaddress.ip_address(f[30:34]))))
    elif t == 0x86dd:
        seen.add((str(ipaddress.ip_address(f[22:38])), str(ipaddress.ip_address(f[38:54]))))
ev = [json.loads(l) for l in open(sys.argv[1])]
ev = [e for e in ev if e.get("reason") == "ip-frag-timeout"]
assert ev and all((e["src_ip"], e["dest_ip"]) in seen for e in ev), ev
PY

t_true "output is the oracle's frames" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/out.pcap"
# a second comparison, independent of pcaptool: the frames' bytes in order
t_check "output bytes and order (python)" same "$("$PY" - "$T_TMP" "$(dirname "$0")" <<'EOF'
import os, sys
sys.path.insert(0, sys.argv[2])
from pktlib import read_pcap
d = sys.argv[1]
a = list(read_pcap(os.path.join(d, "expect.pcap")))
b = list(read_pcap(os.path.join(d, "out.pcap")))
print("same" if a == b and a else "differ: %d vs %d frames" % (len(a), len(b)))
EOF
)"
t_check "nothing sent back out" 0 \
	"$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); from pktlib import read_pcap; print(len(list(read_pcap(sys.argv[2]))))' "$(dirname "$0")" "$T_TMP/back.pcap")"

# A hostile soup (gen_frag_random.py) with tiny bounds, so that the table
# fills, evicts and times out all the time: the dataplane must survive it,
# account for every frame (forwarded or dropped, nothing left held), and
# forward only frames of its input, byte for byte, never one it built.
soup=5000
"$PY" "$(dirname "$0")/gen_frag_random.py" "$T_TMP" "$soup"
bw_start "$inst" "$T_TMP/soup.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/soup.pcap,tx_pcap=$T_TMP/soup.back.pcap" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/soup.out.pcap" \
	-- --instance "$inst" --state-dir "$sd" --frag-datagrams 4 \
	--frag-per-datagram 16 --frag-timeout 20
t_true "soup: up" bw_wait_running "$inst" 20
t_true "soup: every frame received" bw_wait_rx "$inst" "$soup" 60
bw_stop
t_check "soup: clean exit" 0 "$BW_RC"
ctl stats --json >"$T_TMP/soup.json" 2>/dev/null
s=$T_TMP/soup.json
t_check "soup: forwarded + dropped = received" "$soup" \
	"$(t_json "$s" 'd["totals"]["tx_pkts"] + d["totals"]["drop_pkts"]')"
t_check "soup: nothing held at the end" 0 \
	"$(t_json "$s" 'd["totals"]["fragments"]["held_now"]')"
t_true "soup: the table filled and timed out" t_json_true "$s" \
	'd["totals"]["fragments"]["over_limit"] > 0 and d["totals"]["fragments"]["timeouts"] > 0 and d["totals"]["fragments"]["reassembled"] > 0'
t_check "soup: output frames are input frames, as many as forwarded" \
	"ok $(t_json "$s" 'd["totals"]["tx_pkts"]')" \
	"$("$PY" - "$T_TMP" "$(dirname "$0")" <<'EOF'
import collections, os, sys
sys.path.insert(0, sys.argv[2])
from pktlib import read_pcap
d = sys.argv[1]
have = collections.Counter(read_pcap(os.path.join(d, "soup.pcap")))
out = list(read_pcap(os.path.join(d, "soup.out.pcap")))
extra = collections.Counter(out) - have
print("%s %d" % ("ok" if not extra else "foreign", len(out)))
EOF
)"
t_done
