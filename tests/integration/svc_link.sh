#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17 point 3: link-fault propagation (--link-propagate) on veth
# pairs in network namespaces, bulwark on their host ends (af_packet).
# The oracle is the kernel of the far namespace: when the outside
# neighbour's link goes down (ip link set eth0 down in namespace A), the
# inside neighbour (namespace B) must see its carrier go (NO-CARRIER,
# /sys/class/net/eth0/carrier 0), and come back when A's link returns;
# the same the other way round; pings pass again after. Without the
# option, B's carrier stays. At a clean stop, a link bulwark took down is
# put back up; after a kill -9 it stays down until the next start puts it
# up.
. "$(dirname "$0")/lib.sh"
quiet() { "$@" >/dev/null 2>&1; }

t_netns_begin lk
vo=$T_VO
vi=$T_VI

# carrier NS: the carrier of eth0 in namespace NS (1, 0, or empty)
carrier() { ip netns exec "$1" cat /sys/class/net/eth0/carrier 2>/dev/null || true; }
# wait_carrier NS WANT TIMEOUT_S: until carrier NS is WANT
wait_carrier() {
	local deadline=$((SECONDS + $3))
	while [ $SECONDS -lt "$deadline" ]; do
		[ "$(carrier "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
start() {
	bw_start "$inst" "$T_TMP/$1.log" \
		--vdev "net_af_packet0,iface=$vo" --vdev "net_af_packet1,iface=$vi" \
		-- --instance "$inst" --pair 0:1 "${@:2}"
	t_true "$1: dataplane up" bw_wait_running "$inst" 20
}

# without the option: nothing propagates
start plain
t_true "plain: B has a carrier" wait_carrier "$nsb" 1 5
ip netns exec "$nsa" ip link set eth0 down
sleep 2
t_check "plain: A's link down leaves B's carrier" 1 "$(carrier "$nsb")"
ip netns exec "$nsa" ip link set eth0 up
bw_stop
t_check "plain: clean exit" 0 "$BW_RC"

start prop --link-propagate
t_true "prop: B has a carrier" wait_carrier "$nsb" 1 5
t_true "prop: pings pass" \
	quiet ip netns exec "$nsa" timeout 10 ping -c 2 -i 0.2 -W 2 10.199.0.2

ip netns exec "$nsa" ip link set eth0 down
t_true "prop: A's link down takes B's carrier (within 5 s)" wait_carrier "$nsb" 0 5
t_true "prop: B's kernel says NO-CARRIER" \
	sh -c "ip netns exec '$nsb' ip link show eth0 | grep -q NO-CARRIER"
t_true "prop: the log says why" grep -q "port net_af_packet0 lost its link: port net_af_packet1 taken down" \
	"$T_TMP/prop.log"
ip netns exec "$nsa" ip link set eth0 up
t_true "prop: A's link back brings B's carrier back" wait_carrier "$nsb" 1 5
t_true "prop: pings pass again" \
	quiet ip netns exec "$nsa" timeout 20 ping -c 2 -i 0.2 -W 2 -w 15 10.199.0.2

# the other way round
ip netns exec "$nsb" ip link set eth0 down
t_true "prop: B's link down takes A's carrier" wait_carrier "$nsa" 0 5
ip netns exec "$nsb" ip link set eth0 up
t_true "prop: and back" wait_carrier "$nsa" 1 5
t_true "prop: pings pass from B too" \
	quiet ip netns exec "$nsb" timeout 20 ping -c 2 -i 0.2 -W 2 -w 15 10.199.0.1

# a stop while a link is held down puts it back up
ip netns exec "$nsa" ip link set eth0 down
t_true "prop: B's carrier taken again" wait_carrier "$nsb" 0 5
bw_stop
t_check "prop: clean exit" 0 "$BW_RC"
t_true "prop: the inside port is administratively up again after the stop" \
	sh -c "ip link show '$vi' | grep -q '[<,]UP[,>]'"
ip netns exec "$nsa" ip link set eth0 up
t_true "prop: B's carrier back once A's link is" wait_carrier "$nsb" 1 5

# killed while holding a link down: it stays down (nobody is left to put
# it up) until the next start, which puts it back up
start crash --link-propagate
ip netns exec "$nsa" ip link set eth0 down
t_true "crash: B's carrier taken" wait_carrier "$nsb" 0 5
kill -KILL "$BW_PID"
wait "$BW_PID" 2>/dev/null || true
rm -f "/dev/shm/bulwark.$inst.status"
ip netns exec "$nsa" ip link set eth0 up
sleep 1
t_check "crash: after kill -9, B's carrier stays down" 0 "$(carrier "$nsb")"
start restart --link-propagate
t_true "restart: the next start brings B's carrier back" wait_carrier "$nsb" 1 5
t_true "restart: and says so" grep -q "port net_af_packet1 was administratively down" \
	"$T_TMP/restart.log"
t_true "restart: pings pass" \
	quiet ip netns exec "$nsa" timeout 20 ping -c 2 -i 0.2 -W 2 -w 15 10.199.0.2
bw_stop
t_check "restart: clean exit" 0 "$BW_RC"
t_done
