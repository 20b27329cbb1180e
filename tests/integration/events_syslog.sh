#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Events to syslog (--events-syslog, docs/events.md): the dataplane runs
# in a mount namespace of its own whose /dev holds a datagram socket of
# this test at /dev/log (the host's /dev is left alone; /dev/shm and the
# devices it needs are bound in), with the five IEC-104 drop rules over
# the ICS captures. Every drop gives one syslog message, facility daemon,
# priority notice, whose text is the event's JSON object; as many as the
# oracle's drops, and no events file is written.
. "$(dirname "$0")/lib.sh"

t_instance es
"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
frames=$(t_count frames)
drops=$(t_count drops)
t_empty_pcap "$T_TMP/empty.pcap"
sed -E -e '/sid:20461(5[89]|6[0-2]);/s/^alert /drop /' \
	-e 's/([(;] *)flow:[^;]*; */\1/' \
	"$BW_DATA/rules/emerging-scada.rules" >"$T_TMP/drop.rules"
t_true "stage the rules" ctl rules load "$T_TMP/drop.rules" >/dev/null 2>&1

dev=$T_TMP/dev
mkdir "$dev"
# the syslog receiver: every datagram, one a line, until 30 s of silence
"$PY" - "$dev/log" "$T_TMP/syslog.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
with open(sys.argv[2], "wb") as f:
    try:
        while True:
            f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
            f.flush()
    except socket.timeout:
        pass
PY
T_PIDS+=($!)
for _ in $(seq 50); do [ -S "$dev/log" ] && break; sleep 0.1; done

# the dataplane, its /dev this test's: null, zero, random and urandom,
# shm (its status region) and hugepages bound from the host
unshare -m sh -c '
	set -e
	dev=$1
	shift
	mount --make-rprivate /
	for x in null zero urandom random; do
		touch "$dev/$x"
		mount --bind "/dev/$x" "$dev/$x"
	done
	for x in shm hugepages; do
		mkdir "$dev/$x"
		mount --bind "/dev/$x" "$dev/$x"
	done
	mount --rbind "$dev" /dev
	exec "$@"' sh "$dev" \
	"$BULWARK" --no-huge -m 1024 --no-pci --file-prefix "bw-$inst" -l 0,1 \
	--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/back.pcap" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/out.pcap" \
	-- --instance "$inst" --state-dir "$sd" --flows 0 --events-syslog \
	--events-rate 0 >"$T_TMP/bulwark.log" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
T_PREFIXES+=("bw-$inst")
t_true "dataplane up" bw_wait_running "$inst" 20
t_true "every frame received" bw_wait_rx "$inst" "$frames" 30
bw_stop
t_check "clean exit" 0 "$BW_RC"
sleep 0.5
t_check "one syslog message per drop, daemon.notice, the event's JSON" \
	"$drops" "$("$PY" - "$T_TMP/syslog.txt" <<'PY'
import json, re, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"<(\d+)>.*?bulwark\[\d+\]: (\{.*\})\s*$", line)
    if not m:
        continue
    assert int(m.group(1)) == 3 * 8 + 5, line  # LOG_DAEMON, LOG_NOTICE
    e = json.loads(m.group(2))
    assert e["event_type"] == "drop" and e["reason"] == "content-rule", e
    n += 1
print(n)
PY
)"
t_done
