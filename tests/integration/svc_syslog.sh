#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17 point 2: --syslog. The dataplane runs in a mount namespace of
# its own whose /dev is a tmpfs with null, zero, random, urandom and shm
# bound from the host's, and /dev/log bound to a datagram socket the test
# listens on (svc_notify.py records what arrives); the host's /dev is not
# touched. The oracle is the syslog protocol itself: <PRI> = facility
# daemon (3) * 8 + severity, the ident bulwark[PID]. Needs root.
. "$(dirname "$0")/lib.sh"
t_instance sl

[ "$(id -u)" -eq 0 ] || {
	t_log "FAIL: needs root for a mount namespace"
	exit 1
}
t_empty_pcap "$T_TMP/empty.pcap"
sock="$T_TMP/log.sock"
got="$T_TMP/syslog.txt"
"$PY" "$(dirname "$0")/svc_notify.py" "$sock" "$got" 60 &
listener=$!
T_PIDS+=("$listener")
for _ in $(seq 50); do
	[ -S "$sock" ] && break
	sleep 0.1
done

cat >"$T_TMP/inner.sh" <<'EOF'
set -e
T=$1
shift
mkdir "$T/olddev"
mount --rbind /dev "$T/olddev"
mount -t tmpfs -o mode=0755 tmpfs /dev
for n in null zero random urandom; do
	touch "/dev/$n"
	mount --bind "$T/olddev/$n" "/dev/$n"
done
mkdir /dev/shm
mount --rbind "$T/olddev/shm" /dev/shm
touch /dev/log
mount --bind "$T/log.sock" /dev/log
exec "$@"
EOF

rc=0
"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" -l 0,1 \
	-- --instance "$inst" --syslog --log-file "$T_TMP/x.log" >"$T_TMP/both.out" 2>&1 || rc=$?
t_true "--syslog with --log-file is refused" test "$rc" -ne 0
t_true "saying so" grep -q -- "--syslog and --log-file: choose one" "$T_TMP/both.out"
T_PREFIXES+=("bw-$inst")

BULWARK_TEST_STALL_WORKER=0=1 unshare -m --propagation private \
	bash "$T_TMP/inner.sh" "$T_TMP" \
	"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" -l 0,1 \
	--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	-- --instance "$inst" --state-dir "$sd" --syslog >"$T_TMP/stderr.log" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
t_true "up with --syslog" bw_wait_running "$inst" 20
kill -USR1 "$BW_PID"
for _ in $(seq 50); do
	grep -q "status: port net_pcap1" "$got" && break
	sleep 0.1
done
t_true "the start line reached syslog as daemon.info (<30>), ident bulwark[PID]" \
	grep -qE "^[0-9.]+ <30>.* bulwark\[$BW_PID\]: bulwark: instance '$inst': 1 workers, 1 pairs, running$" "$got"
t_true "a warning as daemon.warning (<28>)" \
	grep -qE "^[0-9.]+ <28>.* bulwark\[$BW_PID\]: bulwark: test hook armed" "$got"
t_true "SIGUSR1's summary too" grep -q "bulwark: status: port net_pcap1 (inside of pair 0): link up" "$got"
t_true "no timestamp of our own in them (syslog stamps)" \
	sh -c "! grep -qE 'Z (info|warning) ' '$got'"
t_true "none of those lines on stderr" sh -c "! grep -q 'running\$' '$T_TMP/stderr.log'"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_true "the stop reached syslog" grep -q "bulwark\[$BW_PID\]: bulwark: stopped$" "$got"
t_true "the host has no /dev/log of the test" test ! -e /dev/log
kill "$listener"
wait "$listener" 2>/dev/null || true
t_done
