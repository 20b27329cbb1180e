#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The TCP flow table ages out idle flows after --flow-idle seconds, with
# real kernel traffic (netns veth pairs on net_af_packet, as netns.sh): a
# stream rule makes the table track a TCP connection that sends a line and
# then stays open and idle; packets that reach the content stage (pings)
# run the aging. One second after the data the flow is still there, three
# seconds after it (--flow-idle 2) it is gone; a bad --flow-idle is
# refused. Needs root (namespaces); bounded in time.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root for network namespaces"; exit 1; }

id=$(($$ % 100000))
inst="fa$id"
sd=$T_TMP/state

t_extra_cleanup() {
	t_netns_down
	rm -f "/dev/shm/bulwark.$inst.status"
}

"$BULWARK" --no-huge -m 64 --no-pci --file-prefix "bw-$inst-arg" -l 0 \
	--log-level=lib.eal:error -- --flow-idle 0 >"$T_TMP/arg.log" 2>&1 || true
T_PREFIXES+=("bw-$inst-arg")
t_true "--flow-idle 0 refused with the reason" \
	grep -q "flow-idle: '0' is not a number in 1..86400" \
	"$T_TMP/arg.log"

printf '%s\n' 'alert tcp any any -> any 5001 (msg:"never"; flow:to_server,established; content:"bulwark-aging-never"; sid:9301; rev:1;)' \
	>"$T_TMP/aging.rules"
t_true "stage a stream rule" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	rules load "$T_TMP/aging.rules"

t_netns_up "$id"

flows() { # flows KEY: totals.flows.KEY now
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
	t_json "$T_TMP/s.json" "d['totals']['flows']['$1']"
}

reason() { # reason NAME: drops for reason NAME now
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json"
	t_json "$T_TMP/s.json" "d['totals']['drops'].get('$1', 0)"
}

# aging MODE: one connection sends a line, stays idle past --flow-idle 2,
# then closes. MODE: the --tcp-midstream policy for what comes after.
aging() {
	local mode=$1 port=$2
	bw_start "$inst" "$T_TMP/bulwark-$mode.log" \
		--vdev "net_af_packet0,iface=$T_VO" --vdev "net_af_packet1,iface=$T_VI" \
		-- --instance "$inst" --state-dir "$sd" --pair 0:1 --flow-idle 2 \
		--tcp-midstream "$mode"
	t_true "$mode: dataplane comes up on af_packet ports" bw_wait_running "$inst" 20
	# ARP first, so that the connection's handshake is not held up later
	t_true "$mode: ping through bulwark" \
		ip netns exec "$T_NSA" timeout 10 ping -c 1 -W 2 10.199.0.2

	ip netns exec "$T_NSB" timeout 12 nc -l "$port" >"$T_TMP/recv-$mode.txt" &
	T_PIDS+=($!)
	srv=$!
	sleep 0.5
	# one line, then the connection stays open and idle for 5 s, then closes
	{
		printf 'hello\n'
		sleep 5
	} | ip netns exec "$T_NSA" timeout 12 nc -N 10.199.0.2 "$port" &
	T_PIDS+=($!)
	cli=$!
	sleep 1
	ip netns exec "$T_NSA" timeout 10 ping -c 3 -i 0.2 -W 2 10.199.0.2 >/dev/null || true
	t_check "$mode: the connection entered the table" 1 "$(flows new)"
	t_check "$mode: idle for a second of --flow-idle 2: still there" 0 "$(flows aged)"
	sleep 2
	ip netns exec "$T_NSA" timeout 10 ping -c 3 -i 0.2 -W 2 10.199.0.2 >/dev/null || true
	t_check "$mode: idle for three seconds: aged out" 1 "$(flows aged)"
	if [ "$mode" = pickup ]; then
		# the client's FIN takes the flow up again: both ends finish
		t_true "pickup: the connection closes" wait "$cli"
		t_true "pickup: the server sees the end" wait "$srv"
		# each direction's first segment after aging starts it again
		t_check "pickup: both directions taken up mid-stream" 2 "$(flows midstream)"
	else
		# its SYN is gone: the FIN is refused, the server never sees it
		local rc=0
		wait "$srv" || rc=$?
		t_check "drop: the server never sees the end (its timeout)" 124 "$rc"
		t_true "drop: the FIN dropped as tcp-midstream" \
			test "$(reason tcp-midstream)" -ge 1
		wait "$cli" || true
	fi
	t_check "$mode: the line went through" hello "$(head -1 "$T_TMP/recv-$mode.txt")"
	bw_stop
	t_check "$mode: clean exit on SIGTERM" 0 "$BW_RC"
}

# pickup first: its connection ends cleanly, while the one the drop
# case leaves half-closed would retransmit its FIN into a later run
aging pickup 5002
aging drop 5001
t_done
