#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Tunnel decapsulation through the real dataplane (pcap vdevs): IP in IP,
# GRE (plain, checksum+key+sequence, Ethernet, PPTP), VXLAN over IPv4 and
# IPv6, GENEVE, GTP-U, MPLS, PPPoE and nestings, with a block list and an
# allow list on inner and outer addresses and a content rule on the inner
# payload. gen_tunnel.py builds the frames and decides, apart from the
# dataplane's code, what passes: the output must be exactly that, the
# drops and the tunnel counters (by type and depth) what it counts. Run
# twice: with the default UDP ports, and with --vxlan-port 8472 (which
# moves VXLAN off 4789). Bad port options are refused at start.
. "$(dirname "$0")/lib.sh"

t_instance tun

"$PY" "$(dirname "$0")/gen_tunnel.py" "$T_TMP"
frames=$(t_count frames)
printf '%s\n' 'drop udp any any -> any any (msg:"evil in the tunnel"; content:"EVILTOKEN"; sid:7101; rev:1;)' \
	>"$T_TMP/tun.rules"
t_true "stage the block list" ctl list load blocked "$T_TMP/block.txt"
t_true "stage the allow list" ctl list load trusted "$T_TMP/allow.txt" \
	--action allow
t_true "stage the rule" ctl rules load "$T_TMP/tun.rules"

check() { # check NAME PREFIX EXPECT.pcap: stats against the oracle
	local name=$1 pre=$2 expect=$3 s=$T_TMP/$1.json r t
	t_check "$name: received = forwarded + dropped" "$frames" \
		"$(t_json "$s" 'd["totals"]["tx_pkts"] + d["totals"]["drop_pkts"]')"
	t_check "$name: drops (oracle)" "$(t_count "${pre}drops")" \
		"$(t_json "$s" 'd["totals"]["drop_pkts"]')"
	for r in blocklist content-rule tunnel-too-deep vxlan-bad-header \
		gre-bad-header geneve-bad-header gtpu-bad-header \
		tunnel-inner-fragment; do
		t_check "$name: drops[$r]" "$(t_count "${pre}drop.$r")" \
			"$(t_json "$s" "d['totals']['drops'].get('$r', 0)")"
	done
	for t in any ip gre vxlan geneve gtpu mpls pppoe; do
		t_check "$name: tunnels[$t]" "$(t_count "${pre}tun.$t")" \
			"$(t_json "$s" "d['totals']['tunnels']['$t']")"
	done
	for r in 1 2 3; do
		t_check "$name: tunnels depth $r" "$(t_count "${pre}depth.$r")" \
			"$(t_json "$s" "d['totals']['tunnels']['depth']['$r']")"
	done
	t_true "$name: output is exactly what the oracle passes" \
		"$PCAPTOOL" cmp "$expect" "$T_TMP/$name.out.pcap"
}

t_rules_replay "$inst" default "$sd" "$frames"
check default "" "$T_TMP/expect.pcap"
t_true "text stats show the tunnel table" grep -q '^vxlan' \
	<("$BWCTL" --instance "$inst" stats 2>/dev/null)
rm -f "/dev/shm/bulwark.$inst.status"

t_rules_replay "$inst" ports "$sd" "$frames" --vxlan-port 8472
check ports "ports." "$T_TMP/expect-ports.pcap"
t_true "different ports, different output" \
	"$PY" -c 'import sys; sys.exit(open(sys.argv[1],"rb").read() == open(sys.argv[2],"rb").read())' \
	"$T_TMP/default.out.pcap" "$T_TMP/ports.out.pcap"

bad() { # bad DESCRIPTION APP-ARGS...: refused at start, with a message
	local what=$1 rc=0
	shift
	T_PREFIXES+=("bw-bad$$")
	"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-bad$$" -l 0,1 \
		--vdev net_null0 --vdev net_null1 -- --instance "bad$$" "$@" \
		>"$T_TMP/bad.log" 2>&1 || rc=$?
	t_true "$what: refused" test "$rc" -ne 0
	t_true "$what: says why" grep -q -- "--" "$T_TMP/bad.log"
	rm -f "/dev/shm/bulwark.bad$$.status"
}
bad "port out of range" --vxlan-port 70000
bad "port given twice" --geneve-port 5000 --geneve-port 5000
bad "port of two types" --vxlan-port 2152
bad "five ports" --gtpu-port 1 --gtpu-port 2 --gtpu-port 3 --gtpu-port 4 \
	--gtpu-port 5
t_done
