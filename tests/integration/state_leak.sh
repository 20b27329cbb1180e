#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15 point 9: an operator's bulwarkctl killed with SIGKILL in the
# middle of a commit leaves its image object in /dev/shm; the next commit
# removes it (named for this instance, owned by the caller, its creator
# gone) and says so, and leaves alone the objects of a live process, of
# another instance and of another user. The kill is placed with strace:
# the dataplane's copy of the object waits 4 s, then fails, so the object
# is there while bulwarkctl waits for the reply, and the generation in
# force never changes.
. "$(dirname "$0")/lib.sh"
t_instance lk
. "$(dirname "$0")/seclib.sh"

sec_traffic
t_true "generation 1 lists 192.0.2.66" ctl list add blk 192.0.2.66
chmod 0770 "$sd"
sec_start "$T_TMP/bulwark.log"
t_true "dataplane up" bw_wait_running "$inst" 20
sec_running "start" 1

strace -f -qq -p "$BW_PID" -e trace=pread64 \
	-e inject=pread64:error=EIO:delay_enter=4000000 -o "$T_TMP/strace.out" &
st_pid=$!
T_PIDS+=("$st_pid")
sleep 2
"${sec_op[@]}" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add blk 203.0.113.9 >"$T_TMP/killed.out" 2>&1 &
ctl_pid=$!
T_PIDS+=("$ctl_pid")
obj=
for _ in $(seq 100); do
	obj=$(ls /dev/shm | grep "^bulwark\.$inst\.img\." | head -1 || true)
	[ -n "$obj" ] && break
	sleep 0.05
done
t_true "the commit's image object exists while it waits" test -n "$obj"
kill -KILL "$ctl_pid"
wait "$ctl_pid" 2>/dev/null || true
sleep 3
kill -INT "$st_pid" 2>/dev/null || true
wait "$st_pid" 2>/dev/null || true
t_true "the killed bulwarkctl left $obj" test -f "/dev/shm/$obj"
t_check "it belongs to the operator" "$sec_user" "$(stat -c %U "/dev/shm/$obj")"
sec_running "after the kill" 1

# objects the next commit must leave: a live pid's, another instance's,
# another user's (a dead pid each but the first)
sleep 600 &
live=$!
T_PIDS+=("$live")
keep=("bulwark.$inst.img.$live" "bulwark.x$inst.img.$ctl_pid")
for k in "${keep[@]}"; do as_user sh -c "echo keep >/dev/shm/$k"; done
as_user sh -c "echo keep >/dev/shm/bulwark.$inst.img.999999999"
chown root "/dev/shm/bulwark.$inst.img.999999999"
keep+=("bulwark.$inst.img.999999999")
for k in "${keep[@]}"; do sec_victims+=("/dev/shm/$k"); done

rc=0
timeout 60 "${sec_op[@]}" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add blk 203.0.113.10 >"$T_TMP/next.out" 2>&1 || rc=$?
t_check "the next commit goes through" 0 "$rc"
t_true "it removed the stale object" test ! -e "/dev/shm/$obj"
t_true "and said so" grep -q "removed /dev/shm/$obj .*left by bulwarkctl pid $ctl_pid, which is gone" \
	"$T_TMP/next.out"
for k in "${keep[@]}"; do
	t_true "it left $k" test -f "/dev/shm/$k"
done
t_check "nothing else of this instance in /dev/shm" 3 \
	"$(ls /dev/shm | grep -c "^bulwark\.x*$inst\.img\." || true)"
sec_running "after the next commit" 3
kill "$live" 2>/dev/null || true
wait "$live" 2>/dev/null || true
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
