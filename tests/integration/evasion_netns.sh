#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP evasions against a drop rule through real kernels: the attacker in
# namespace A (outside), a Linux TCP server on port 80 in namespace B
# (inside), bulwark between them on net_af_packet over the veths of
# t_netns_up. The attacker (rawtcp.py attack) writes its frames with an
# AF_PACKET socket, after a real handshake with the server: reordering, a
# far SYN, a bad-checksum decoy, data in a SYN (decoy bytes, and the
# pattern's first half sent again after the handshake), bogus RSTs, an
# urgent byte, decoys at the pattern's place (one that Linux discards by
# PAWS: the filter sees it, the application does not, as with a
# TTL-limited decoy past a router), overlaps, the sequence numbers
# wrapping past 2^32 inside the pattern, a zero-window probe carrying a
# decoy byte (the server application stops reading until its window
# closes) and a window-scaled connection; plus controls: a benign request
# in one-byte segments with a reorder (resent from the server's ACK as a
# TCP sender would), 200 KB from a kernel client, and a kernel client
# that sends the pattern in one write.
#
# RSTs from the attacker's own kernel: there are none to suppress. The
# attacker sends from 10.199.0.11, an address no stack in namespace A
# owns, and from the MAC 02:b1:00:00:00:0b, which no interface has;
# namespace B reaches that address through a permanent neighbour entry
# for that MAC. The server's answers arrive in namespace A addressed to
# another host, so its TCP stack never sees them (and with forwarding off
# would not answer them either); only the attacker's AF_PACKET socket
# reads them.
#
# Oracle: the bytes the server application read, per connection. First
# the two veths are bridged by Linux (no filter): each case must deliver
# to the server exactly what the case says Linux reads, the pattern for
# every attack (the attacks are real). Then through bulwark with the rule
# of evasion.sh: the server accepted every connection (its file exists)
# and read the request's start, but never the pattern; the controls'
# bytes arrive whole; the drop counters rose, every frame sent with a
# wrong checksum as tcp-bad-checksum. Then the same on net_tap ports
# bridged to the veths, whose driver gives the rx checksum verdict that
# the engine takes instead of computing it. Needs root; bounded (the
# server gives up on a connection after 3 s of silence and stops after
# 60 s, each client is under `timeout`).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || {
	t_log "FAIL: needs root for network namespaces"
	exit 1
}

id=$(($$ % 100000))
inst="evn$id"
sd="$T_TMP/state"
br="bwr$id"
here=$(dirname "$0")
PATTERN=EVIL-PAYLOAD
AMAC=02:b1:00:00:00:0b
AIP=10.199.0.11
SIP=10.199.0.2

t_extra_cleanup() {
	ip link del "$br" 2>/dev/null || true
	ip link del "${br}o" 2>/dev/null || true
	ip link del "${br}i" 2>/dev/null || true
	t_netns_down
	rm -f "/dev/shm/bulwark.$inst.status"
}

t_netns_up "$id"
nsa=$T_NSA
nsb=$T_NSB
ip -n "$nsb" neigh replace "$AIP" lladdr "$AMAC" dev eth0 nud permanent
bmac=$(ip netns exec "$nsb" cat /sys/class/net/eth0/address)

head -c 200000 /dev/urandom >"$T_TMP/bulk.bin"
printf 'GET /?q=%s HTTP/1.0\r\n\r\n' "$PATTERN" >"$T_TMP/pattern.bin"

# has_pattern FILE: FILE exists and holds the pattern.
has_pattern() { [ -f "$1" ] && grep -qF -- "$PATTERN" "$1"; }
# lacks_pattern FILE: FILE exists and does not hold it.
lacks_pattern() { [ -f "$1" ] && ! grep -qF -- "$PATTERN" "$1"; }
t_true "the bulk control holds no pattern" lacks_pattern "$T_TMP/bulk.bin"

# phase NAME BASEPORT: the server in B, the raw cases from A (source ports
# BASEPORT + case number), then the kernel clients; files in $T_TMP/NAME.
# Between the raw cases and the clients, and after them, the hook
# phase_mark NAME raw|kernel runs (bulwark's counters).
phase() {
	local dir=$T_TMP/$1 i srv
	mkdir -p "$dir"
	# no `timeout` between: the pid is the server's (ip netns exec execs)
	ip netns exec "$nsb" "$PY" "$here/rawtcp.py" serve "$SIP" 80 \
		"$dir" >"$dir/server.log" 2>&1 &
	srv=$!
	T_PIDS+=("$srv")
	for i in $(seq 50); do
		[ -f "$dir/ready" ] && break
		sleep 0.1
	done
	ip netns exec "$nsa" timeout 60 "$PY" "$here/rawtcp.py" attack eth0 \
		"$AMAC" "$bmac" "$AIP" "$SIP" "$2" "$dir" >"$dir/raw.txt" \
		2>"$dir/raw.err" || true
	phase_mark "$1" raw
	ip netns exec "$nsa" timeout 15 "$PY" "$here/rawtcp.py" send "$SIP" 80 \
		"$T_TMP/bulk.bin" 8 >"$dir/k2.txt" 2>&1 || true
	ip netns exec "$nsa" timeout 15 "$PY" "$here/rawtcp.py" send "$SIP" 80 \
		"$T_TMP/pattern.bin" 6 >"$dir/k3.txt" 2>&1 || true
	phase_mark "$1" kernel
	kill -TERM "$srv" 2>/dev/null || true
	wait "$srv" || true
}

# server_file DIR CASE: the server's file for raw case CASE.
server_file() {
	local port
	port=$(awk -v c="$2" '$1 == c { print $3 }' "$1/raw.txt")
	echo "$1/${AIP}_${port:-none}.bin"
}

# kernel_file DIR K: the server's file for kernel client K (k2, k3).
kernel_file() { echo "$1/10.199.0.1_$(head -n1 "$1/$2.txt").bin"; }

# raw_status DIR CASE: "ok", "fail WHY" or "missing".
raw_status() {
	local s
	s=$(awk -v c="$2" '$1 == c {
		s = $4; for (i = 5; i <= NF; i++) s = s " " $i; print s }' "$1/raw.txt")
	echo "${s:-missing}"
}

"$PY" "$here/rawtcp.py" cases >"$T_TMP/cases.txt"

# 1. Linux alone: the veths bridged, no filter.
phase_mark() { :; }
ip link add "$br" type bridge
sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1" || true
ip link set "$T_VO" master "$br"
ip link set "$T_VI" master "$br"
ip link set "$br" up
t_true "Linux alone: ping across the bridge" \
	ip netns exec "$nsa" timeout 10 ping -q -c 1 -W 2 "$SIP"
phase bridge 41000
d=$T_TMP/bridge
while read -r name kind _; do
	f=$(server_file "$d" "$name")
	t_check "Linux alone, $name: handshake" ok "$(raw_status "$d" "$name")"
	t_true "Linux alone, $name: the server read what the case says" \
		cmp "$d/$name.expect" "$f"
	if [ "$kind" = attack ]; then
		t_true "Linux alone, $name: the server read the pattern" \
			has_pattern "$f"
	fi
done <"$T_TMP/cases.txt"
t_check "Linux alone, k2-bulk: 200 KB arrive" \
	"$(sha256sum <"$T_TMP/bulk.bin")" "$(sha256sum <"$(kernel_file "$d" k2)")"
t_true "Linux alone, k3-pattern: the server read the pattern" \
	has_pattern "$(kernel_file "$d" k3)"
ip link del "$br"

# 2. Through bulwark, the rule of evasion.sh loaded.
rule='drop tcp any any -> any 80 (msg:"evil"; content:"EVIL-PAYLOAD"; sid:1;'
echo "$rule rev:1;)" >"$T_TMP/evil.rules"
t_true "stage the rule" ctl rules load "$T_TMP/evil.rules"
# filtered NAME BASEPORT KIND VDEV-ARGS...: bulwark on those ports, the
# raw cases and kernel clients through it, and the checks; NAME labels
# the checks and files, KIND the ports in words.
filtered() {
	local name=$1 base=$2 kind=$3 d f
	shift 3
	bw_start "$inst" "$T_TMP/$name.log" "$@" \
		-- --instance "$inst" --state-dir "$sd" --pair 0:1
	t_true "$name: dataplane comes up on $kind ports" \
		bw_wait_running "$inst" 20
	[ "$name" = bulwark ] || bridge_taps
	t_true "$name: ping through bulwark" \
		ip netns exec "$nsa" timeout 10 ping -q -c 1 -W 2 "$SIP"
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/$name.s0.json"
	phase "$name" "$base"
	d=$T_TMP/$name
	while read -r case kind _; do
		f=$(server_file "$d" "$case")
		t_check "$name, $case: handshake" ok "$(raw_status "$d" "$case")"
		t_true "$name, $case: the server accepted the connection" test -f "$f"
		if [ "$kind" = control ]; then
			t_true "$name, $case: the server read all the bytes sent" \
				cmp "$d/$case.expect" "$f"
		else
			t_check "$name, $case: the server read the request's start" \
				"GET /?q=" "$(head -c 8 "$f" 2>/dev/null)"
			t_true "$name, $case: the server never read the pattern" \
				lacks_pattern "$f"
		fi
	done <"$T_TMP/cases.txt"
	t_check "$name, k2-bulk: 200 KB arrive" "$(sha256sum <"$T_TMP/bulk.bin")" \
		"$(sha256sum <"$(kernel_file "$d" k2)")"
	f=$(kernel_file "$d" k3)
	t_true "$name, k3-pattern: the server accepted the connection" test -f "$f"
	t_true "$name, k3-pattern: the server never read the pattern" \
		lacks_pattern "$f"
	t_check "$name, k3-pattern: the connection stalls (no FIN, the server gives up)" \
		idle "$(cat "${f%.bin}.end" 2>/dev/null)"
	t_log "$name: drops during the raw cases, by reason: $("$PY" -c '
import json, sys
a, b = (json.load(open(p))["totals"]["drops"] for p in sys.argv[1:])
print(" ".join("%s=%d" % (k, b[k] - a.get(k, 0)) for k in sorted(b)
               if b[k] != a.get(k, 0)))' \
		"$T_TMP/$name.s0.json" "$T_TMP/$name.raw.json")"
	t_check "$name: every wrong TCP checksum sent dropped as such" \
		"$(cat "$d/badsum.txt" 2>/dev/null)" \
		"$(($(reason "$T_TMP/$name.raw.json" tcp-bad-checksum) - \
		$(reason "$T_TMP/$name.s0.json" tcp-bad-checksum)))"
	t_true "$name: the raw attacks raised the drop counters" \
		test "$(drops "$T_TMP/$name.raw.json")" -gt \
		"$(drops "$T_TMP/$name.s0.json")"
	t_true "$name: k3-pattern raised the content-rule counter" \
		test "$(reason "$T_TMP/$name.kernel.json" content-rule)" -gt \
		"$(reason "$T_TMP/$name.raw.json" content-rule)"
	bw_stop
	t_check "$name: clean exit on SIGTERM" 0 "$BW_RC"
}

# bridge_taps: the tap interfaces net_tap made, each bridged to its veth.
bridge_taps() {
	local b t v
	for b in o i; do
		t="bwt$b$id"
		v=$T_VO
		[ $b = o ] || v=$T_VI
		ip link add "$br$b" type bridge
		for x in "$br$b" "$t"; do
			sysctl -qw "net.ipv6.conf.$x.disable_ipv6=1" || true
		done
		ip link set "$v" master "$br$b"
		ip link set "$t" master "$br$b"
		ip link set "$t" up
		ip link set "$br$b" up
	done
}

drops() { t_json "$1" 'd["totals"]["drop_pkts"]'; }
reason() { t_json "$1" "d['totals']['drops'].get('$2', 0)"; }
phase_mark() { "$BWCTL" --instance "$inst" stats --json >"$T_TMP/$1.$2.json"; }
filtered bulwark 42000 af_packet \
	--vdev "net_af_packet0,iface=$T_VO" --vdev "net_af_packet1,iface=$T_VI"

# 3. The same on net_tap ports bridged to the veths: the tap driver
# checks TCP checksums (rx offload) and the engine takes its verdict
# (tcp_cksum_ok()), the bad-checksum decoys included.
filtered tap 43000 net_tap \
	--vdev "net_tap0,iface=bwto$id" --vdev "net_tap1,iface=bwti$id"
t_true "tap: the ports give the rx TCP checksum verdict" \
	grep -q "rx TCP checksum" "$T_TMP/tap.log"
t_true "af_packet: the ports do not (the engine computes it)" \
	test -z "$(grep "rx TCP checksum" "$T_TMP/bulwark.log")"
t_done
