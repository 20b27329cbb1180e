#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17, point 5: typos fail loudly. A commit, lookup, show, history or
# vars change for an instance that neither runs nor has a state directory
# is refused (exit 1) with the known instances, and creates nothing;
# --stage stages for a future instance. Unknown commands, subcommands and
# options get the closest name (exit 2). `rules check` exits 1 when a drop
# rule is skipped (--strict: any rule) and tells a mistyped keyword from a
# real one Bulwark does not take. `vars set` of a name no rule in force
# uses warns. The oracle is the file system (what exists afterwards), the
# exit status and the messages, never bulwarkctl's own view.
. "$(dirname "$0")/lib.sh"
t_instance ty
base=/var/lib/bulwark
stg="tystage$$"
typo="tystaeg$$"
t_extra_cleanup() {
	rm -rf "${base:?}/$stg" "${base:?}/$typo"
	rm -f "/dev/shm/bulwark.$inst.status"
}

# rc_of OUT CMD...: run CMD, stdout+stderr into $T_TMP/OUT, print the status
rc_of() {
	local out=$1
	shift
	set +e
	"$@" >"$T_TMP/$out" 2>&1
	echo $?
	set -e
}

# --- an unknown instance: refused, nothing created ---------------------
for cmd in "list add blk 10.0.0.0/8" "lookup 10.1.2.3" "list show" \
	"history" "vars set HOME_NET 10.0.0.0/8" "rules flush"; do
	# shellcheck disable=SC2086
	t_check "'$cmd' on an unknown instance exits 1" 1 \
		"$(rc_of unknown.out "$BWCTL" --instance "$typo" $cmd)"
	t_true "'$cmd': says the instance is unknown" \
		grep -q "unknown instance '$typo'" "$T_TMP/unknown.out"
	t_true "'$cmd': names the way out (--stage)" grep -q -- "--stage" "$T_TMP/unknown.out"
	t_true "'$cmd': created no state directory" test ! -e "$base/$typo"
done
t_true "no 'staged' claim" bash -c "! grep -q staged '$T_TMP/unknown.out'"

# --- --stage: a future instance is meant --------------------------------
t_check "--stage stages for a future instance" 0 \
	"$(rc_of stage.out "$BWCTL" --instance "$stg" --stage list add blk 10.0.0.0/8)"
t_true "its state directory exists now" test -d "$base/$stg"
t_true "and holds generation 1" test -f "$base/$stg/gen-00000000000000000001.img"
t_check "the instance is known now: lookup without --stage" 0 \
	"$(rc_of lookup.out "$BWCTL" --instance "$stg" lookup --json 10.1.2.3)"
t_check "and the staged list decides" drop \
	"$(t_json "$T_TMP/lookup.out" 'd["verdict"]')"

# --- the typo is refused with the known ones and the closest ------------
t_check "a typo of it exits 1" 1 \
	"$(rc_of typo.out "$BWCTL" --instance "$typo" list add blk 10.9.0.0/16)"
t_true "the known instances are listed" grep -q "known instances:.* $stg" "$T_TMP/typo.out"
t_true "the closest is suggested" grep -q "did you mean '--instance $stg'" "$T_TMP/typo.out"
t_true "the typo created nothing" test ! -e "$base/$typo"
t_true "and the real one has still one generation" \
	test ! -e "$base/$stg/gen-00000000000000000002.img"

# --- --state-dir names the directory: no instance check ----------------
t_check "--state-dir on a new directory stages" 0 \
	"$(rc_of sd.out "$BWCTL" --instance "$typo" --state-dir "$T_TMP/sd" list add blk 10.0.0.0/8)"
t_true "there" test -f "$T_TMP/sd/gen-00000000000000000001.img"

# --- a running dataplane without a default state directory is known -----
t_empty_pcap "$T_TMP/empty.pcap"
bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	--vdev "net_null0,no-rx=1" -- --instance "$inst" --state-dir "$sd"
t_true "dataplane up" bw_wait_running "$inst" 20
t_check "lookup for the running instance is not refused" 0 \
	"$(rc_of running.out "$BWCTL" --instance "$inst" lookup 10.1.2.3)"
kill -TERM "$BW_PID"
wait "$BW_PID" || true

# --- unknown commands, subcommands and options: the closest one, exit 2 --
t_check "unknown command exits 2" 2 "$(rc_of c.out "$BWCTL" --instance "$stg" stauts)"
t_true "and suggests status" grep -q "unknown command 'stauts'; did you mean 'status'?" "$T_TMP/c.out"
t_check "unknown subcommand exits 2" 2 "$(rc_of s.out "$BWCTL" --instance "$stg" list ad blk 10.0.0.0/8)"
t_true "and suggests add" grep -q "unknown list command 'ad'; did you mean 'add'?" "$T_TMP/s.out"
t_check "unknown option exits 2" 2 "$(rc_of o.out "$BWCTL" --instance "$stg" lookup --jsno 10.1.2.3)"
t_true "and suggests --json" grep -q "unknown option '--jsno'; did you mean '--json'?" "$T_TMP/o.out"
t_check "unknown global option exits 2" 2 "$(rc_of g.out "$BWCTL" --instanse "$stg" status)"
t_true "and suggests --instance" grep -q "did you mean '--instance'?" "$T_TMP/g.out"
t_true "no generation came of them" test ! -e "$base/$stg/gen-00000000000000000002.img"

# --- rules check: skipped drop rules fail, typos told apart -------------
cat >"$T_TMP/alert.rules" <<'R'
alert tcp any any -> any any (msg:"taken"; content:"abc"; sid:1;)
alert tcp any any -> any any (msg:"real keyword"; content:"abc"; byte_test:1,>,2,0; sid:2;)
R
cat >"$T_TMP/drop.rules" <<'R'
drop tcp any any -> any any (msg:"taken"; content:"abc"; sid:1;)
drop tcp any any -> any any (msg:"typo"; contnet:"evil"; sid:2;)
R
t_check "an alert rule skipped: check exits 0" 0 \
	"$(rc_of ra.out "$BWCTL" --instance "$stg" rules check "$T_TMP/alert.rules")"
t_true "a real keyword is unsupported" \
	grep -q "alert.rules:2 sid 2: unsupported keyword byte_test" "$T_TMP/ra.out"
t_check "with --strict it exits 1" 1 \
	"$(rc_of rs.out "$BWCTL" --instance "$stg" rules check --strict "$T_TMP/alert.rules")"
t_check "a drop rule skipped: check exits 1" 1 \
	"$(rc_of rd.out "$BWCTL" --instance "$stg" rules check "$T_TMP/drop.rules")"
t_true "a typo is an unknown keyword, with the closest" \
	grep -q "drop.rules:2 sid 2: unknown keyword contnet (a typo of content?)" "$T_TMP/rd.out"
t_true "and the skipped drop rule is named as the failure" \
	grep -q "1 drop rule skipped" "$T_TMP/rd.out"

# --- vars set of a name no rule in force uses warns ---------------------
V=("$BWCTL" --instance "$stg")
t_check "vars set with no rules: exit 0" 0 "$(rc_of v0.out "${V[@]}" vars set HOME_NET 10.0.0.0/8)"
t_true "and a warning that no rule uses it" \
	grep -q "warning: no rule in force uses \$HOME_NET: no rules are loaded" "$T_TMP/v0.out"
cat >"$T_TMP/vars.rules" <<'R'
alert tcp $EXTERNAL_NET any -> $HOME_NET $HTTP_PORTS (msg:"x"; content:"abc"; sid:1;)
# alert tcp $SQL_SERVERS any -> any any (msg:"disabled"; content:"abc"; sid:2;)
R
t_check "rules load" 0 "$(rc_of vl.out "${V[@]}" rules load "$T_TMP/vars.rules")"
for name in HOME_NET HTTP_PORTS EXTERNAL_NET; do
	t_check "vars set $name (used): exit 0" 0 "$(rc_of v1.out "${V[@]}" vars set "$name" 10.0.0.0/8)"
	t_true "vars set $name: no warning" bash -c "! grep -q warning '$T_TMP/v1.out'"
done
t_check "vars set of a typo: exit 0" 0 "$(rc_of v2.out "${V[@]}" vars set HOME_NTE 10.0.0.0/8)"
t_true "it warns with the closest used name" \
	grep -q "no rule in force (generation [0-9]*) uses \$HOME_NTE; did you mean \$HOME_NET?" "$T_TMP/v2.out"
t_check "vars set of a name only a disabled rule uses" 0 "$(rc_of v3.out "${V[@]}" vars set SQL_SERVERS 10.0.0.0/8)"
t_true "warns" grep -q "uses \$SQL_SERVERS" "$T_TMP/v3.out"
"${V[@]}" rules flush >/dev/null
t_check "after a flush" 0 "$(rc_of v4.out "${V[@]}" vars set HOME_NET 10.0.0.0/8)"
t_true "HOME_NET warns" grep -q "no rules are loaded" "$T_TMP/v4.out"
"${V[@]}" rollback >/dev/null
t_check "after the rollback to the loaded rules" 0 "$(rc_of v5.out "${V[@]}" vars set HOME_NET 10.0.0.0/8)"
t_true "HOME_NET is used again: no warning" bash -c "! grep -q warning '$T_TMP/v5.out'"

t_done
