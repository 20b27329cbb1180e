#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15 point 1: an operator (group bulwark, which may write the state
# directory) plants symbolic links at every name bulwarkctl and the
# dataplane create or read there, each pointing at a root-only file; root's
# `vars set`, commits and a dataplane restart never write through them (the
# files keep their content), refuse what they must read through one, and
# the dataplane keeps running the generation in force, block list included.
. "$(dirname "$0")/lib.sh"
t_instance sy
. "$(dirname "$0")/seclib.sh"

sec_traffic
t_true "stage generation 1: 192.0.2.66 block-listed" ctl list add blk 192.0.2.66
chmod 0770 "$sd"
sec_start "$T_TMP/bulwark.log"
t_true "dataplane up" bw_wait_running "$inst" 20
sec_running "before" 1

g() { printf '%s/gen-%020d.img' "$sd" "$1"; }
p() { printf '%s/.pending-gen-%020d.img' "$sd" "$1"; }
# plant NAME PATH: the operator links PATH to a new root-only file
declare -A target
plant() {
	sec_victim "$1"
	target[$1]=$victim
	as_operator ln -s "${target[$1]}" "$2"
}
# intact NAME: the file a link pointed at still holds what it held
intact() {
	t_check "$1: the root-only file behind the link is unchanged" \
		"root only $1" "$(cat "${target[$1]}")"
}

# names written whole: a new file renamed over them, never opened
plant vars_tmp "$sd/vars.tmp"
plant gen2 "$(g 2)"
plant pend2 "$(p 2)"
plant pend3 "$(p 3)"
t_true "vars set as root (vars.tmp planted)" ctl vars set HOME_NET 10.0.0.0/8
t_true "vars is a regular file now" test -f "$sd/vars" -a ! -L "$sd/vars"
t_true "commit as root (gen-2, .pending-gen-2 and -3 planted)" \
	ctl list add other 203.0.113.1
for n in vars_tmp gen2 pend2 pend3; do intact "$n"; done
# numbers are never reused: the planted .pending-gen-3 counts
t_true "the planted gen-2 was not taken for generation 1's successor" \
	grep -q "^4	1	" "$sd/audit.log"
sec_running "after the commit" 4

# names read: refused when they are links, and nothing written through
rm -f "$sd/vars"
plant vars "$sd/vars"
rc=0
ctl vars set HOME_NET 10.1.0.0/16 >"$T_TMP/vars.out" 2>&1 || rc=$?
t_true "vars set refuses a linked vars file" test "$rc" -ne 0
t_true "and says why" grep -q "vars: a symbolic link" "$T_TMP/vars.out"
intact vars
rm -f "$sd/vars"

mv "$sd/lock" "$T_TMP/lock.saved"
plant lock "$sd/lock"
rc=0
ctl list add other 203.0.113.2 >"$T_TMP/lock.out" 2>&1 || rc=$?
t_true "a commit refuses a linked lock file" test "$rc" -ne 0
t_true "and says why" grep -q "lock: a symbolic link" "$T_TMP/lock.out"
intact lock
rm -f "$sd/lock"
mv "$T_TMP/lock.saved" "$sd/lock"

mv "$sd/audit.log" "$T_TMP/audit.saved"
plant audit "$sd/audit.log"
rc=0
ctl list add other 203.0.113.3 >"$T_TMP/audit.out" 2>&1 || rc=$?
t_true "a commit refuses a linked audit log" test "$rc" -ne 0
t_true "and says why" grep -q "audit.log: a symbolic link" "$T_TMP/audit.out"
intact audit
sec_running "after the refusals" 4

# the dataplane reads the directory the same way at its next start
rm -f "$sd/audit.log"
mv "$T_TMP/audit.saved" "$sd/audit.log"
plant gen5 "$(g 5)"
bw_stop
t_check "clean exit" 0 "$BW_RC"
sec_start "$T_TMP/restart.log"
t_true "restarted" bw_wait_running "$inst" 20
t_true "the linked gen-5 is skipped, saying why" grep -q \
	"skipping generation 5 .*a symbolic link" "$T_TMP/restart.log"
intact gen5
sec_running "after the restart" 4
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
