# SPDX-License-Identifier: BSD-3-Clause
# Shared by the control-plane security tests (ctl_*.sh); source after lib.sh.
# A hostile local user made for the test (removed at exit), the operators'
# group, and a dataplane whose traffic is nothing but block-listed probes:
# every one must stay dropped whatever the user does, which the ports'
# own counters (rte_eth_stats) show.

[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root (useradd, setpriv)"; exit 1; }

s_user= s_created_group= s_more_cleanup=:
t_extra_cleanup() {
	rm -f "/dev/shm/bulwark.$inst.status"
	rm -rf "/run/bulwark/$inst"
	$s_more_cleanup
	# -f: the user's processes (T_PIDS) were only just killed
	[ -z "$s_user" ] || userdel -f "$s_user" 2>/dev/null || true
	[ -z "$s_created_group" ] || groupdel bulwark 2>/dev/null || true
}

# s_setup PREFIX: instance, hostile user $s_user (uid $s_uid, gid $s_gid,
# no operator), group bulwark, the probes in $T_TMP/in.pcap and list "ops"
# (generation 1) blocking their source.
s_setup() {
	t_instance "$1"
	if ! getent group bulwark >/dev/null; then
		groupadd --system bulwark
		s_created_group=1
	fi
	s_user="bwx$$"
	useradd --system --no-create-home --no-user-group --gid nogroup \
		--shell /usr/sbin/nologin "$s_user"
	s_uid=$(id -u "$s_user")
	s_gid=$(id -g "$s_user")
	chmod 0755 "$T_TMP"
	"$PY" -c '
import sys
sys.path.insert(0, sys.argv[1])
import pktlib
f = [pktlib.tcp_frame(bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2]),
                      40000 + i, 80, 1, 0, 0x02, b"") for i in range(64)]
pktlib.write_pcap(sys.argv[2], f)' "$BW_SRC/tests/integration" "$T_TMP/in.pcap"
	ctl list add ops 192.0.2.1 >/dev/null
}

# as_user COMMAND...: run as the hostile user (no operator group).
as_user() { setpriv --reuid="$s_uid" --regid="$s_gid" --clear-groups "$@"; }

# s_sample NAME: `stats --json` in $T_TMP/NAME.json.
s_sample() { "$BWCTL" --instance "$inst" stats --json >"$T_TMP/$1.json"; }

# s_still_enforced BEFORE AFTER: generation 1 in force in AFTER, nothing
# forwarded to the inside port, and block-list drops went on growing.
s_still_enforced() {
	local b="$T_TMP/$1.json" a="$T_TMP/$2.json"
	t_check "$2: generation 1 still in force" 1 \
		"$(t_json "$a" 'd["applied_generation"]')"
	t_check "$2: no probe reached the inside port" 0 \
		"$(t_json "$a" '[p["opackets"] for p in d["ports"] if p["role"]=="inside"][0]')"
	t_true "$2: probes still dropped by the list" test \
		"$(t_json "$a" 'd["totals"]["drops"]["blocklist"]')" -gt \
		"$(t_json "$b" 'd["totals"]["drops"]["blocklist"]')"
}
