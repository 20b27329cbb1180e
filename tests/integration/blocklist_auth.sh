#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The request channel knows who asks: a uid that is neither root nor in the
# operators' group "bulwark" is refused by the dataplane and nothing
# changes; the same uid with the operators' group is served. Needs root
# (setpriv to change identity, groupadd when the group is missing).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root to change identity"; exit 1; }
t_instance au
created_group=
t_extra_cleanup() {
	rm -f "/dev/shm/bulwark.$inst.status"
	[ -z "$created_group" ] || groupdel bulwark 2>/dev/null || true
}
if ! getent group bulwark >/dev/null; then
	groupadd --system bulwark
	created_group=1
fi
gid=$(getent group bulwark | cut -d: -f3)
nogroup=$(id -g nobody)

"$BWCTL" --instance "$inst" --state-dir "$sd" list add ops 192.0.2.1 >/dev/null
# let the unprivileged client reach the dataplane: the directory and its
# files are not what is under test here
chmod -R a+rwX "$T_TMP"
# ... but a state directory anyone may write is refused: the operators'
# group may write it, and anyone may take the lock (to be refused later)
chgrp -R bulwark "$sd"
chmod -R o-w "$sd"
chmod o+w "$sd/lock"
bw_start "$inst" "$T_TMP/bulwark.log" --vdev net_null0,no-rx=1 \
	--vdev net_null1,no-rx=1 -- --instance "$inst" --state-dir "$sd"
t_true "dataplane up" bw_wait_running "$inst" 20
chmod a+r "/dev/shm/bulwark.$inst.status"

as() { # as GID COMMAND...: run as nobody with that group only
	local g=$1
	shift
	setpriv --reuid=nobody --regid="$g" --clear-groups "$@"
}
set +e
as "$nogroup" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add ops 192.0.2.2 >"$T_TMP/denied.out" 2>&1
rc=$?
set -e
t_true "a non-operator is refused" test "$rc" -ne 0
t_true "the refusal says why" grep -q "neither root nor in group 'bulwark'" "$T_TMP/denied.out"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s1.json"
t_check "nothing changed in the dataplane" 1 "$(t_json "$T_TMP/s1.json" 'd["applied_generation"]')"
t_check "nothing changed on disk" 1 "$(ls "$sd" | grep -c '^gen-.*\.img$')"
t_true "the dataplane logged the refusal" grep -q "refused request from uid $(id -u nobody)" "$T_TMP/bulwark.log"

t_true "an operator (group bulwark) is served" \
	as "$gid" "$BWCTL" --instance "$inst" --state-dir "$sd" list add ops 192.0.2.2
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s2.json"
t_check "the operator's change is in force" 2 "$(t_json "$T_TMP/s2.json" 'd["applied_generation"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
