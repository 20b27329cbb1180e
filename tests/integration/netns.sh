#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Real kernel traffic through the dataplane: two network namespaces, each
# joined to bulwark by a veth pair whose host end is attached with
# net_af_packet. ping (IPv4 and IPv6, so ARP and neighbour discovery too)
# and a TCP transfer must succeed through it, and the counters must show
# the traffic in both directions. Needs root (namespaces); bounded in time.
. "$(dirname "$0")/lib.sh"

t_netns_begin ns
vo=$T_VO
vi=$T_VI

bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_af_packet0,iface=$vo" --vdev "net_af_packet1,iface=$vi" \
	-- --instance "$inst" --pair 0:1
t_true "dataplane comes up on af_packet ports" bw_wait_running "$inst" 20

t_true "IPv4 ping through bulwark" \
	ip netns exec "$nsa" timeout 20 ping -c 3 -i 0.2 -W 2 10.199.0.2
t_true "IPv6 ping through bulwark" \
	ip netns exec "$nsa" timeout 20 ping -6 -c 3 -i 0.2 -W 2 fd00:b1:0:1::2

head -c 2000000 /dev/urandom >"$T_TMP/send.bin"
ip netns exec "$nsb" timeout 30 nc -l 5001 >"$T_TMP/recv.bin" &
T_PIDS+=($!)
ncl=$!
sleep 0.5
t_true "TCP transfer of 2 MB from outside to inside" \
	ip netns exec "$nsa" timeout 30 nc -N -w 10 10.199.0.2 5001 <"$T_TMP/send.bin"
wait "$ncl" || true
t_check "received bytes identical" "$(sha256sum <"$T_TMP/send.bin")" \
	"$(sha256sum <"$T_TMP/recv.bin")"

"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
s="$T_TMP/s.json"
t_true "IPv4 and IPv6 packets counted" \
	t_json_true "$s" 'd["totals"]["ipv4_pkts"] > 1400 and d["totals"]["ipv6_pkts"] >= 6'
t_true "ARP passed untouched (non-IP counted)" \
	t_json_true "$s" 'd["totals"]["nonip_pkts"] >= 2'
t_true "traffic left through both ports" \
	t_json_true "$s" 'all(p["opackets"] > 0 for p in d["ports"])'
t_check "no drops" 0 "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
bw_stop
t_check "clean exit on SIGTERM" 0 "$BW_RC"
t_done
