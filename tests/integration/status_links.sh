#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17: `bulwarkctl status` exited 0 whatever the link state. The
# dataplane runs in a network namespace the test makes, on two tap ports
# (net_tap: its link follows the interface, which af_packet's does not);
# the inside interface is set down (the kernel's flags, read from /sys,
# are the oracle): status exits 1 and names the port; set up again,
# status exits 0. Needs root (namespaces); bounded in time.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root for network namespaces"; exit 1; }
t_instance sl
ns="bwsl$$"
t_extra_cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -f "/dev/shm/bulwark.$inst.status"
}
ip netns add "$ns"
ip netns exec "$ns" "$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" \
	-l 0,1 --vdev net_tap0,iface=bwslo --vdev net_tap1,iface=bwsli \
	-- --instance "$inst" --state-dir "$sd" --pair 0:1 >"$T_TMP/bulwark.log" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
T_PREFIXES+=("bw-$inst")
t_true "dataplane up, both links up" bw_wait_running "$inst" 20

# wait_status WANT: until status exits WANT (10 s at most); prints it
wait_status() {
	local rc deadline=$((SECONDS + 10))
	while :; do
		set +e
		"$BWCTL" --instance "$inst" status >"$T_TMP/status.out" 2>"$T_TMP/status.err"
		rc=$?
		set -e
		[ "$rc" -eq "$1" ] || [ $SECONDS -ge $deadline ] && break
		sleep 0.2
	done
	echo "$rc"
}

ip netns exec "$ns" ip link set bwsli down
t_check "the kernel says the inside interface is down" down \
	"$(ip netns exec "$ns" cat /sys/class/net/bwsli/operstate)"
t_check "status exits 1 while the inside link is down" 1 "$(wait_status 1)"
t_true "and names the port" grep -q "instance '$inst' is running, but the link of port 1 (.*inside) is down" "$T_TMP/status.err"
"$BWCTL" --instance "$inst" status --json >"$T_TMP/status.json" 2>/dev/null || true
t_check "status --json: running" True "$(t_json "$T_TMP/status.json" 'd["running"]')"
t_check "status --json: not healthy" False "$(t_json "$T_TMP/status.json" 'd["healthy"]')"
t_check "status --json: port 1 link down" False "$(t_json "$T_TMP/status.json" 'd["ports"][1]["link_up"]')"

ip netns exec "$ns" ip link set bwsli up
t_true "the interface is up again" bash -c "ip netns exec '$ns' ip link show bwsli | grep -q '<.*,UP'"
t_check "status exits 0 again" 0 "$(wait_status 0)"
t_check "status --json: healthy" True \
	"$("$BWCTL" --instance "$inst" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["healthy"])')"

kill -TERM "$BW_PID"
wait "$BW_PID" || true
t_done
