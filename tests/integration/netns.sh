#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Real kernel traffic through the dataplane: two network namespaces, each
# joined to bulwark by a veth pair whose host end is attached with
# net_af_packet. ping (IPv4 and IPv6, so ARP and neighbour discovery too)
# and a TCP transfer must succeed through it, and the counters must show
# the traffic in both directions. Needs root (namespaces); bounded in time.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root for network namespaces"; exit 1; }

id=$(($$ % 100000))
nsa="bwa$id"
nsb="bwb$id"
vo="bwo$id" # host end, outside port
vi="bwi$id" # host end, inside port
inst="ns$id"

t_extra_cleanup() {
	ip netns del "$nsa" 2>/dev/null || true
	ip netns del "$nsb" 2>/dev/null || true
	ip link del "$vo" 2>/dev/null || true
	ip link del "$vi" 2>/dev/null || true
	rm -f "/dev/shm/bulwark.$inst.status"
}

ip netns add "$nsa"
ip netns add "$nsb"
ip link add "$vo" type veth peer name eth0 netns "$nsa"
ip link add "$vi" type veth peer name eth0 netns "$nsb"
for v in "$vo" "$vi"; do
	sysctl -qw "net.ipv6.conf.$v.disable_ipv6=1"
	ethtool -K "$v" tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip link set "$v" up
done
n=1
for ns in "$nsa" "$nsb"; do
	# Checksums and segmentation are done in software: af_packet hands
	# over frames exactly as the kernel would put them on a wire.
	ip netns exec "$ns" ethtool -K eth0 tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip addr add "10.199.0.$n/24" dev eth0
	ip netns exec "$ns" ip addr add "fd00:b1:0:1::$n/64" dev eth0 nodad
	ip netns exec "$ns" ip link set eth0 up
	n=$((n + 1))
done

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
