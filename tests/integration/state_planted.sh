#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15 point 2: planted generations. A state directory anyone may
# write (1777, as a tmpfs is by default) is refused by the dataplane at
# start and by bulwarkctl; an allow-all generation a non-operator planted
# there, two swapped generation files and a generation whose audit line
# names another image are refused by both with the same reason, and the
# dataplane runs the newest valid generation: the block list stays in
# force (checked on the port counters).
. "$(dirname "$0")/lib.sh"
t_instance pl
. "$(dirname "$0")/seclib.sh"

sec_traffic
g() { printf '%s/gen-%020d.img' "$sd" "$1"; }
t_true "generation 1 lists 192.0.2.66" ctl list add blk 192.0.2.66
t_true "generation 2" ctl list add blk 203.0.113.5
t_true "generation 3" ctl list add blk 203.0.113.6
# an allow-all image, readable by anyone: generation 4 taken back out
t_true "generation 4 lists nothing we send" ctl list del blk 192.0.2.66
cp "$(g 4)" "$T_TMP/allowall.img"
chmod 0644 "$T_TMP/allowall.img"
rm "$(g 4)"
sed -i '$d' "$sd/audit.log"

# boot NAME: start on $sd; wait until it runs (0) or exits (1)
boot() {
	sec_start "$T_TMP/$1.log"
	bw_wait_running "$inst" 20
}
# same_reason NAME GEN: the dataplane's log and `bulwarkctl history` give
# one reason for refusing generation GEN
same_reason() {
	local dp cli
	dp=$(sed -n "s/.*skipping generation $2 ([^)]*): //p" "$T_TMP/$1.log" | head -1)
	ctl history >/dev/null 2>"$T_TMP/$1.cli"
	cli=$(sed -n "s|.*skipping .*/gen-0*$2\.img: ||p" "$T_TMP/$1.cli" | head -1)
	t_true "$1: the dataplane says why it skips generation $2" test -n "$dp"
	t_check "$1: bulwarkctl gives the same reason" "$dp" "$cli"
	reason=$dp
}

t_true "start" boot start
sec_running "start" 3
bw_stop

# a world-writable directory and what a non-operator put there
chmod 1777 "$sd"
t_true "a non-operator plants an allow-all generation 9" \
	as_user cp "$T_TMP/allowall.img" "$(g 9)"
rc=0
boot open || rc=$?
t_check "open: the dataplane refuses to start" 1 "$rc"
t_true "open: and says why" grep -q \
	"refusing state directory $sd: writable by others (mode 1777)" \
	"$T_TMP/open.log"
rc=0
ctl history >"$T_TMP/open.cli" 2>&1 || rc=$?
t_true "open: bulwarkctl refuses it too" test "$rc" -ne 0
t_true "open: with the same reason" grep -q \
	"refusing state directory $sd: writable by others (mode 1777)" \
	"$T_TMP/open.cli"
rc=0
as_user "$BWCTL" --instance "$inst" --state-dir "$sd" list add blk \
	198.51.100.1 >"$T_TMP/open.user" 2>&1 || rc=$?
t_true "open: a non-operator's commit is refused" test "$rc" -ne 0
t_true "open: the refusal says why" grep -q "writable by others" "$T_TMP/open.user"

# closed again: the planted file is still there, owned by the user
chmod 0750 "$sd"
t_true "planted: start" boot planted
same_reason planted 9
t_true "planted: the reason names the owner" \
	grep -q "owned by uid $(id -u "$sec_user")" <<<"$reason"
sec_running "planted" 3
bw_stop
rm -f "$(g 9)"

# two generation files swapped: the newest file holds an older content
mv "$(g 3)" "$T_TMP/g3"
mv "$(g 2)" "$(g 3)"
mv "$T_TMP/g3" "$(g 2)"
t_true "swapped: start" boot swapped
same_reason swapped 3
t_check "swapped: the reason" \
	"the file name says generation 3, its header 2" "$reason"
same_reason swapped 2
t_check "swapped: generation 2's reason" \
	"the file name says generation 2, its header 3" "$reason"
t_true "swapped: the dataplane does not claim generation 3" \
	sh -c "! grep -q 'restored generation 3' '$T_TMP/swapped.log'"
sec_running "swapped" 1
bw_stop
mv "$(g 3)" "$T_TMP/g3"
mv "$(g 2)" "$(g 3)"
mv "$T_TMP/g3" "$(g 2)"

# a forged audit line: generation 4 is the allow-all image, its line the
# checksum of generation 3's
cp "$T_TMP/allowall.img" "$(g 4)"
chmod 0640 "$(g 4)"
sum3=$(awk -F'\t' '$1 == 3 { print $7 }' "$sd/audit.log")
printf '4\t3\t2025-01-01T00:00:00Z\t0\troot\tapplied-full\t%s\tforged\n' \
	"$sum3" >>"$sd/audit.log"
t_true "forged: start" boot forged
same_reason forged 4
t_true "forged: the reason names the checksums" \
	grep -q "records checksum ${sum3#crc32c:}, the file's is" <<<"$reason"
sec_running "forged" 3
rc=0
ctl rollback 4 >"$T_TMP/rollback.out" 2>&1 || rc=$?
t_true "forged: rollback to it is refused" test "$rc" -ne 0
t_true "forged: saying why" grep -q "generation 4 is unusable: its line" \
	"$T_TMP/rollback.out"
sec_running "forged, after the rollback" 3
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
