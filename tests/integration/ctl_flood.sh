#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15, point 4: idle connections cannot lock operators out. A user
# who is no operator opens 40 connections and sends nothing: each is
# refused at accept with a reply that says why, and an operator's commit
# made meanwhile succeeds well within its timeout. An operator's own idle
# connections are bounded too: 4 wait at most, the rest are told the
# channel is busy for them, the waiting ones are closed after about 2 s,
# and root's commit goes through while they wait. Generation 1's list
# keeps every probe dropped until root's commit replaces it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_helpers.sh"
s_setup fl
mkdir "$T_TMP/u"
chown "$s_uid" "$T_TMP/u"
op_user="bwo$$"
useradd --system --no-create-home --no-user-group --gid bulwark \
	--shell /usr/sbin/nologin "$op_user"
s_more_cleanup="userdel -f $op_user"
op_uid=$(id -u "$op_user")
op_gid=$(getent group bulwark | cut -d: -f3)
chown "$op_uid" "$T_TMP/u"
chmod 0777 "$T_TMP/u"
sock="/run/bulwark/$inst/ctl.sock"

bw_start_endless "$inst"
s_sample before

# idle_as WHO NAME: 40 idle connections held for 8 s, in the background
idle_as() {
	local who=$1 name=$2
	if [ "$who" = op ]; then
		setpriv --reuid="$op_uid" --regid="$op_gid" --clear-groups \
			"$PY" "$BW_SRC/tests/integration/ctl_idle.py" "$sock" 40 8 \
			"$T_TMP/u/$name.ready" "$T_TMP/u/$name.out" \
			>"$T_TMP/$name.log" 2>&1 &
	else
		setpriv --reuid="$s_uid" --regid="$s_gid" --clear-groups \
			"$PY" "$BW_SRC/tests/integration/ctl_idle.py" "$sock" 40 8 \
			"$T_TMP/u/$name.ready" "$T_TMP/u/$name.out" \
			>"$T_TMP/$name.log" 2>&1 &
	fi
	idle_pid=$!
	T_PIDS+=("$idle_pid")
	for _ in $(seq 100); do [ -s "$T_TMP/u/$name.ready" ] && break; sleep 0.05; done
	t_true "$name: the connections are open" test -s "$T_TMP/u/$name.ready"
}
res() { awk -v k="$2" '$1 == k { print $2 }' "$T_TMP/u/$1.out"; }
commit_timed() { # commit_timed NAME ADDRESS: root's commit, 5 s at most
	local t0=$SECONDS rc=0
	BULWARK_TIMEOUT=5 timeout 20 "$BWCTL" --instance "$inst" --state-dir "$sd" \
		list add ops "$2" >"$T_TMP/$1.out" 2>&1 || rc=$?
	t_check "$1: root's commit succeeds" 0 "$rc"
	t_true "$1: within its timeout" test $((SECONDS - t0)) -le 5
}

# --- a non-operator's flood --------------------------------------------
idle_as user nonop
commit_timed during-nonop 192.0.2.3
wait "$idle_pid" || true
t_check "nonop: every connection was accepted" 40 "$(res nonop connected)"
t_check "nonop: every one refused at once" 40 "$(res nonop denied)"
t_check "nonop: none kept waiting" 0 "$(res nonop waiting)"
t_true "the dataplane logged the refusals, not one line each" \
	test "$(grep -c "refused request from uid $s_uid" "$T_TMP/bulwark.log")" -lt 40
s_sample mid
t_check "root's commit is in force" 2 "$(t_json "$T_TMP/mid.json" 'd["applied_generation"]')"
t_check "mid: no probe reached the inside port" 0 \
	"$(t_json "$T_TMP/mid.json" '[p["opackets"] for p in d["ports"] if p["role"]=="inside"][0]')"

# --- an operator's own idle connections --------------------------------
idle_as op oper
commit_timed during-oper 192.0.2.4
wait "$idle_pid" || true
t_check "oper: every connection was accepted" 40 "$(res oper connected)"
t_check "oper: 4 were kept waiting" 4 "$(res oper waiting)"
t_check "oper: the other 36 were told busy" 36 "$(res oper busy)"
t_check "oper: the dataplane closed the waiting ones" 4 "$(res oper closed)"
t_true "oper: within about 2 s" awk -v s="$(res oper closed_max_s)" 'BEGIN { exit !(s >= 1.5 && s <= 4) }'

sleep 0.5
s_sample after
t_check "root's second commit is in force" 3 "$(t_json "$T_TMP/after.json" 'd["applied_generation"]')"
t_check "after: no probe reached the inside port" 0 \
	"$(t_json "$T_TMP/after.json" '[p["opackets"] for p in d["ports"] if p["role"]=="inside"][0]')"
t_true "after: probes still dropped by the list" test \
	"$(t_json "$T_TMP/after.json" 'd["totals"]["drops"]["blocklist"]')" -gt \
	"$(t_json "$T_TMP/mid.json" 'd["totals"]["drops"]["blocklist"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
