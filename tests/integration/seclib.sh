# SPDX-License-Identifier: BSD-3-Clause
# Shared by the state-directory security tests (state_*.sh), sourced after
# lib.sh: a non-root user made for the test ($sec_user, removed after, as
# is the operators' group "bulwark" when the test made it), and a running
# dataplane whose content is checked from its port counters: the outside
# port receives, without end, one frame from 192.0.2.66 (block-listed by
# generation 1) for each frame from 198.51.100.7 (listed by nobody), so
# the inside port sends about half of what the outside port receives while
# the list is in force, all of it when nothing is, nothing when fail-closed.

[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root (useradd, setpriv)"; exit 1; }

sec_user="bwsec$$"
sec_group_made=
sec_victims=()
t_extra_cleanup() {
	local v
	# the user first: nothing below may stop its removal
	userdel "$sec_user" 2>/dev/null || true
	[ -z "$sec_group_made" ] || groupdel bulwark 2>/dev/null || true
	for v in ${sec_victims[@]+"${sec_victims[@]}"}; do rm -f "$v"; done
	[ -z "${inst:-}" ] || rm -f "/dev/shm/bulwark.$inst.status" \
		/dev/shm/bulwark."$inst".img.* 2>/dev/null || true
}
if ! getent group bulwark >/dev/null; then
	groupadd --system bulwark
	sec_group_made=1
fi
useradd --system --no-create-home --shell /usr/sbin/nologin "$sec_user"
sec_gid=$(id -g "$sec_user")
# the test's directory must be reachable by the user, not writable
chmod 0755 "$T_TMP"

# as_user CMD...: run as the test's user, its own group only
as_user() { setpriv --reuid="$sec_user" --regid="$sec_gid" --clear-groups "$@"; }
# as_operator CMD...: the same user with the operators' group ($sec_op:
# the same as a command prefix, for timeout)
sec_op=(setpriv --reuid="$sec_user" --regid=bulwark --clear-groups)
as_operator() { "${sec_op[@]}" "$@"; }

# sec_victim NAME: a root-only file whose content the test checks later,
# its path in $victim (removed at exit)
sec_victim() {
	victim="/root/.bwsec-$$-$1"
	printf 'root only %s\n' "$1" >"$victim"
	chmod 0600 "$victim"
	sec_victims+=("$victim")
}

# sec_traffic: $T_TMP/in.pcap, the frames described above
sec_traffic() {
	"$PY" - "$T_TMP/in.pcap" "$(dirname "$0")" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[2])
from pktlib import csum, write_pcap
def udp(src, dst):
    s, d = bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))
    u = struct.pack("!HHHH", 4000, 5000, 8 + 18, 0) + b"x" * 18
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 1, 0x4000, 64,
                     17, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + u
write_pcap(sys.argv[1], [udp("192.0.2.66", "10.9.9.9"),
                         udp("198.51.100.7", "10.9.9.9")])
PY
}

# sec_start LOG [APP OPTIONS]: a dataplane on $sd fed without end
sec_start() {
	local log=$1
	shift
	bw_start "$inst" "$log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev "net_null0,no-rx=1" \
		-- --instance "$inst" --state-dir "$sd" "$@"
}

# sec_ports FILE: "OUTSIDE_RX INSIDE_TX" from `stats --json`
sec_ports() {
	"$BWCTL" --instance "$inst" stats --json >"$1" 2>/dev/null || return 1
	t_json "$1" '" ".join(str(p) for p in (
		sum(x["ipackets"] for x in d["ports"] if x["role"] == "outside"),
		sum(x["opackets"] for x in d["ports"] if x["role"] == "inside")))'
}

# sec_ratio: percent of the frames received outside, over about a second
# from now, that went out inside (50: the list is in force)
sec_ratio() {
	local a b
	a=$(sec_ports "$T_TMP/ports.a.json") || { echo none; return; }
	sleep 1
	b=$(sec_ports "$T_TMP/ports.b.json") || { echo none; return; }
	set -- $a $b
	[ $(($3 - $1)) -gt 1000 ] || { echo "idle:$(($3 - $1))"; return; }
	echo $(((($4 - $2) * 100 / ($3 - $1) + 5) / 10 * 10))
}

# sec_running NAME GEN: the dataplane is alive, runs generation GEN, and
# its ports show the block list in force
sec_running() {
	t_true "$1: the dataplane is alive" kill -0 "$BW_PID"
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/gen.json"
	t_check "$1: generation $2 in force" "$2" \
		"$(t_json "$T_TMP/gen.json" 'd["applied_generation"]')"
	t_check "$1: half the frames out (the listed ones dropped)" 50 \
		"$(sec_ratio)"
}
