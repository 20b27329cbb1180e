#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15 point 5: local files that used to crash or hang. A FIFO, a
# directory and a device named gen-*.img neither hang bulwarkctl nor the
# dataplane's start (both refuse them, saying what they are, within a
# bounded time); an image object that shrinks while the dataplane copies it
# is refused and the dataplane stays up. The shrinking is made
# deterministic with strace: every pread() of the dataplane returns 0, as
# a read of an object truncated after its fstat() does (before, the
# dataplane mapped the object, and such a truncation was a SIGBUS).
. "$(dirname "$0")/lib.sh"
t_instance fi
. "$(dirname "$0")/seclib.sh"

sec_traffic
g() { printf '%s/gen-%020d.img' "$sd" "$1"; }
t_true "generation 1 lists 192.0.2.66" ctl list add blk 192.0.2.66
chmod 0770 "$sd"
mkfifo -m 0640 "$(g 5)"
mkdir -m 0750 "$(g 6)"
mknod -m 0640 "$(g 7)" c 1 3
chgrp bulwark "$(g 5)" "$(g 6)" "$(g 7)"

rc=0
timeout 20 "$BWCTL" --instance "$inst" --state-dir "$sd" history \
	>"$T_TMP/history.out" 2>&1 || rc=$?
t_check "history does not hang" 0 "$rc"
t_true "it skips the FIFO" grep -q "gen-0*5.img: a FIFO, not a regular file" "$T_TMP/history.out"
t_true "it skips the directory" grep -q "gen-0*6.img: a directory, not a regular file" "$T_TMP/history.out"
t_true "it skips the device" grep -q "gen-0*7.img: a character device, not a regular file" "$T_TMP/history.out"

sec_start "$T_TMP/bulwark.log"
t_true "the dataplane starts (no hang on the FIFO)" bw_wait_running "$inst" 20
for n in "5 a FIFO" "6 a directory" "7 a character device"; do
	t_true "the dataplane skips generation ${n%% *}: ${n#* }" grep -q \
		"skipping generation ${n%% *} (.*): ${n#* }, not a regular file" \
		"$T_TMP/bulwark.log"
done
sec_running "start" 1

rc=0
timeout 30 "${sec_op[@]}" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add blk 203.0.113.9 >"$T_TMP/op1.out" 2>&1 || rc=$?
t_check "an operator's commit goes through, no hang" 0 "$rc"
t_true "as generation 8 (numbers are never reused)" \
	grep -q "generation 8 applied" "$T_TMP/op1.out"
sec_running "operator commit" 8

# every pread() of the dataplane sees the object end at once
strace -f -qq -p "$BW_PID" -e trace=pread64 -e inject=pread64:retval=0 \
	-o "$T_TMP/strace.out" &
st_pid=$!
T_PIDS+=("$st_pid")
sleep 2
rc=0
timeout 60 "${sec_op[@]}" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add blk 203.0.113.10 >"$T_TMP/op2.out" 2>&1 || rc=$?
kill -INT "$st_pid" 2>/dev/null || true
wait "$st_pid" 2>/dev/null || true
t_check "the shrunk object's commit is refused" 1 "$rc"
t_true "the refusal says why" grep -q \
	"image object: changed size while being read" "$T_TMP/op2.out"
t_true "the dataplane did read it with pread" grep -q "pread64" "$T_TMP/strace.out"
t_true "the dataplane logged it" grep -q "refused image object" "$T_TMP/bulwark.log"
sec_running "after the shrunk object" 8
t_true "nothing recorded for it" sh -c "! grep -q '^9	' '$sd/audit.log'"

rc=0
timeout 30 "${sec_op[@]}" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add blk 203.0.113.10 >"$T_TMP/op3.out" 2>&1 || rc=$?
t_check "the same commit, unhindered, goes through" 0 "$rc"
sec_running "after" 9
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
