#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15, point 3: a local user cannot squat the request socket or the
# status region. Before the dataplane starts, a non-root user plants
# /dev/shm/bulwark.I.status claiming pid 1, binds the old abstract socket
# name, and tries to make the run directory; the dataplane starts anyway
# and bulwarkctl never believed the planted region. A run directory the
# user owns, or a symlink, is refused at start. A server the user runs is
# not trusted by bulwarkctl (SO_PEERCRED), nothing is sent to it. Through
# it all generation 1 stays in force and every probe stays dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_helpers.sh"
s_setup sq
mkdir "$T_TMP/u"
chown "$s_uid" "$T_TMP/u" # where the user's processes say they are ready

# --- before the start: plant the region (pid 1, "running") -------------
as_user "$PY" -c '
import struct, sys
h = struct.pack("<QHHIQiI", 0x5355544154535742, 1, 0, 4096, 4096, 1, 2)
open("/dev/shm/bulwark.%s.status" % sys.argv[1], "wb").write(h + bytes(4096 - len(h)))
' "$inst"
t_check "the user planted the region" "$s_uid" "$(stat -c %u "/dev/shm/bulwark.$inst.status")"
set +e
"$BWCTL" --instance "$inst" status >"$T_TMP/planted.out" 2>&1
rc=$?
set -e
t_true "bulwarkctl status does not believe the planted region" test "$rc" -ne 0
t_true "and says why" grep -q "owned by uid $s_uid.*not trusted" "$T_TMP/planted.out"

# the old abstract name, bound first by the user (setpriv itself in the
# background, not a function's subshell: its pid is the one killed at exit)
setpriv --reuid="$s_uid" --regid="$s_gid" --clear-groups "$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0bulwark.%s.ctl" % sys.argv[1]); s.listen(8)
open(sys.argv[2], "w").write("bound\n"); time.sleep(120)
' "$inst" "$T_TMP/u/abstract.ready" >"$T_TMP/abstract.log" 2>&1 &
T_PIDS+=($!)
for _ in $(seq 50); do [ -s "$T_TMP/u/abstract.ready" ] && break; sleep 0.1; done
t_true "the user holds the old abstract name" test -s "$T_TMP/u/abstract.ready"
set +e
as_user mkdir -p "/run/bulwark/$inst" 2>"$T_TMP/mkdir.out"
rc=$?
set -e
t_true "the user cannot make the run directory" test "$rc" -ne 0

# --- start: the plant is replaced, the socket is in /run/bulwark/I ------
bw_start_endless "$inst"
t_true "the dataplane logged the replaced region" \
	grep -q "status region /bulwark.$inst.status was not made by a dataplane (owner uid $s_uid" "$T_TMP/bulwark.log"
t_check "the region is root's now" 0 "$(stat -c %u "/dev/shm/bulwark.$inst.status")"
t_check "the socket is in the run directory" "socket 0 755" \
	"$(stat -c '%F' "/run/bulwark/$inst/ctl.sock" | cut -d' ' -f1) $(stat -c '%u %a' "/run/bulwark/$inst")"
s_sample before

# --- a run directory the user owns, or a symlink, is refused ------------
start_other() { # start_other NAME RUN_DIR: a second instance, must fail
	set +e
	timeout 60 "$BULWARK" --no-huge -m 256 --no-pci --file-prefix "bw-$1" \
		-l 0,1 --vdev net_null0,no-rx=1 --vdev net_null1,no-rx=1 -- \
		--instance "$1" --state-dir "$T_TMP/st-$1" --run-dir "$2" \
		>"$T_TMP/$1.log" 2>&1
	echo $? >"$T_TMP/$1.rc"
	set -e
	T_PREFIXES+=("bw-$1")
	rm -f "/dev/shm/bulwark.$1.status"
}
mkdir "$T_TMP/userrun"
chown "$s_uid" "$T_TMP/userrun"
start_other "ua$$" "$T_TMP/userrun"
t_true "a run directory owned by the user: start refused" test "$(cat "$T_TMP/ua$$.rc")" -ne 0
t_true "and the log says why" grep -q "run directory $T_TMP/userrun: owned by uid $s_uid, not root: refused" "$T_TMP/ua$$.log"
mkdir -m 0777 "$T_TMP/openrun"
start_other "uo$$" "$T_TMP/openrun"
t_true "a world-writable run directory: start refused" grep -q "run directory $T_TMP/openrun: mode 0777 lets others than its owner write: refused" "$T_TMP/uo$$.log"
mkdir "$T_TMP/realrun"
ln -s "$T_TMP/realrun" "$T_TMP/linkrun"
start_other "ul$$" "$T_TMP/linkrun"
t_true "a symlinked run directory: start refused" grep -q "run directory $T_TMP/linkrun: .*symlink or not a directory: refused" "$T_TMP/ul$$.log"
t_true "nothing was bound through the symlink" test ! -e "$T_TMP/realrun/ctl.sock"

# --- a server the user runs is not trusted by bulwarkctl ---------------
mkdir "$T_TMP/fake"
chown "$s_uid" "$T_TMP/fake"
setpriv --reuid="$s_uid" --regid="$s_gid" --clear-groups "$PY" -c '
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind(sys.argv[1] + "/ctl.sock"); s.listen(8)
open(sys.argv[2], "w").write("bound\n")
s.settimeout(60)
c, _ = s.accept()
# an "ok, generation 99" reply before anything is asked
c.settimeout(5)
try:
    c.sendall(struct.pack("<IHHiIQQQQQ256s56x", 0x42574354, 1, 0, 0, 0,
                          99, 0, 0, 0, 0, b"applied"))
    m = c.recv(4096)
    if m:
        open(sys.argv[2] + ".got", "w").write("%d\n" % len(m))
except OSError:
    pass
' "$T_TMP/fake" "$T_TMP/u/fake.ready" >"$T_TMP/fake.log" 2>&1 &
fake=$!
T_PIDS+=("$fake")
for _ in $(seq 50); do [ -s "$T_TMP/u/fake.ready" ] && break; sleep 0.1; done
set +e
BULWARK_RUN_DIR="$T_TMP/fake" ctl list add ops 192.0.2.9 >"$T_TMP/fake.out" 2>&1
rc=$?
set -e
wait "$fake" 2>/dev/null || true
t_true "bulwarkctl refuses the user's server" test "$rc" -ne 0
t_true "and says why" grep -q "untrusted: $T_TMP/fake/ctl.sock is served by uid $s_uid" "$T_TMP/fake.out"
t_true "the user's server got no request" test ! -e "$T_TMP/u/fake.ready.got"
t_check "nothing was committed on disk" 1 "$(ls "$sd" | grep -c '^gen-.*\.img$')"

# --- the real dataplane was never touched ------------------------------
sleep 0.5
s_sample after
s_still_enforced before after
t_true "an operator's commit still works" ctl list add ops 192.0.2.2
s_sample final
t_check "it is generation 2" 2 "$(t_json "$T_TMP/final.json" 'd["applied_generation"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_true "the socket is gone after the stop" test ! -e "/run/bulwark/$inst/ctl.sock"
t_done
