#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17, point 6: roles, with real users the test creates. A member of
# group bulwark commits (the state directory is its group's to write) and
# reads; a member of bulwark-ro reads status and stats but cannot commit,
# neither through bulwarkctl nor by speaking to the socket itself; anyone
# else reads nothing and is told which groups exist. The oracles: the
# kernel's own access checks (what each user could open), root's view of
# the generation in force, and the raw replies of the socket.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root (useradd, setpriv)"; exit 1; }
t_instance rl
made_op_group= made_ro_group=
users=("rlop$$" "rlro$$" "rlno$$")
t_extra_cleanup() {
	local u
	for u in "${users[@]}"; do userdel "$u" 2>/dev/null || true; done
	[ -z "$made_ro_group" ] || groupdel bulwark-ro 2>/dev/null || true
	[ -z "$made_op_group" ] || groupdel bulwark 2>/dev/null || true
	rm -f "/dev/shm/bulwark.$inst.status" "/dev/shm/bulwark.fake$$.status"
}
getent group bulwark >/dev/null || { groupadd --system bulwark; made_op_group=1; }
getent group bulwark-ro >/dev/null || { groupadd --system bulwark-ro; made_ro_group=1; }
useradd --system --no-create-home --shell /usr/sbin/nologin -G bulwark "rlop$$"
useradd --system --no-create-home --shell /usr/sbin/nologin -G bulwark-ro "rlro$$"
useradd --system --no-create-home --shell /usr/sbin/nologin "rlno$$"
chmod 0755 "$T_TMP"

# as WHO CMD...: run as the test's user WHO (op, ro, no) with the groups
# the group database gives it
as() {
	local u="rl$1$$"
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}
rc_of() { # rc_of OUT CMD...
	local out=$1
	shift
	set +e
	"$@" >"$T_TMP/$out" 2>&1
	echo $?
	set -e
}
applied() { "$BWCTL" --instance "$inst" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["applied_generation"])'; }
# raw OP WHO: one request on the socket as WHO (op 1 ping, 2 apply);
# prints "STATUS MESSAGE" of the reply
raw() {
	as "$2" "$PY" -c '
import os, select, socket, struct, sys
inst, op = sys.argv[1], int(sys.argv[2])
name = ("/bulwark.%s.img.%d" % (inst, os.getpid())).encode()
req = struct.pack("<IHHQ64s48s", 0x42574354, 1, op, 4096, name, bytes(48))
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect("/run/bulwark/%s/ctl.sock" % inst)
# a refusal at accept comes before any request: read it first
r, _, _ = select.select([s], [], [], 0.5)
if not r:
    s.send(req)
rep = s.recv(1024)
status = struct.unpack_from("<H", rep, 6)[0]
msg = rep[56:56 + 256].split(b"\0")[0].decode()
print(status, msg)' "$inst" "$1"
}

# --- the state directory: root makes it, the operators' group writes ----
t_check "root stages generation 1" 0 \
	"$(rc_of c.out "$BWCTL" --instance "$inst" --state-dir "$sd" list add blk 192.0.2.0/24)"
t_check "the state directory: group bulwark writes, others nothing" \
	"770 root bulwark" "$(stat -c '%a %U %G' "$sd")"

t_empty_pcap "$T_TMP/empty.pcap"
bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	--vdev "net_null0,no-rx=1" -- --instance "$inst" --state-dir "$sd"
t_true "dataplane up" bw_wait_running "$inst" 20
t_check "generation 1 in force" 1 "$(applied)"
region="/dev/shm/bulwark.$inst.status"
t_check "the status region: root's, group bulwark, no access for others" \
	"root bulwark ---" "$(stat -c '%U %G %A' "$region" | sed 's/ -.......\(...\)+\?$/ \1/; s/ [-rwx]\{7\}\([-rwx]\{3\}\)+*$/ \1/')"

# --- read only: status and stats yes, commit no --------------------------
t_check "bulwark-ro: status exits 0" 0 "$(rc_of ro-status.out as ro "$BWCTL" --instance "$inst" status)"
t_check "bulwark-ro: stats --json exits 0" 0 "$(rc_of ro-stats.out as ro "$BWCTL" --instance "$inst" stats --json)"
t_check "bulwark-ro: the counters are the dataplane's" 1 \
	"$("$PY" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["workers"]))' "$T_TMP/ro-stats.out")"
t_check "bulwark-ro: a commit is refused" 1 \
	"$(rc_of ro-commit.out as ro "$BWCTL" --instance "$inst" --state-dir "$sd" list add blk 198.51.100.0/24)"
t_true "bulwark-ro: told that commits need group bulwark" \
	grep -q "you are in group 'bulwark-ro' (read only): commits and the state directory need root or group 'bulwark'" "$T_TMP/ro-commit.out"
t_true "bulwark-ro: and it cannot write the state directory (kernel)" \
	bash -c "! setpriv --reuid=rlro$$ --regid=$(id -g "rlro$$") --init-groups touch '$sd/x' 2>/dev/null"
t_check "bulwark-ro: generation 1 still in force" 1 "$(applied)"
read -r st msg <<<"$(raw 1 ro)"
t_check "bulwark-ro: a ping on the socket is answered" 0 "$st"
read -r st msg <<<"$(raw 2 ro)"
t_check "bulwark-ro: an apply on the socket is denied" 1 "$st"
t_true "bulwark-ro: and told why ($msg)" grep -q "read only" <<<"$msg"
t_true "the dataplane logged the refused apply" \
	grep -q "refused apply request from uid $(id -u "rlro$$") .*read only" "$T_TMP/bulwark.log"
# a capture copies packets out: not for the read-only role either (the
# file in a directory of its own, which bulwarkctl opens as the user)
mkdir "$T_TMP/rocap"
chown "rlro$$" "$T_TMP/rocap"
chmod 0755 "$T_TMP"
t_check "bulwark-ro: bulwarkctl capture fails" 1 \
	"$(rc_of ro-cap.out as ro "$BWCTL" --instance "$inst" capture --all-drops --count 1 -w "$T_TMP/rocap/c.pcapng")"
t_true "bulwark-ro: told it is read only" grep -q "read only" "$T_TMP/ro-cap.out"
t_true "the dataplane logged the refused capture" \
	grep -q "refused capture request from uid $(id -u "rlro$$") .*read only" "$T_TMP/bulwark.log"
t_true "bulwark-ro: no packet in the file" bash -c "[ ! -s '$T_TMP/rocap/c.pcapng' ]"
t_check "generation 1 still in force" 1 "$(applied)"

# --- operators: commit ----------------------------------------------------
t_check "bulwark: status exits 0" 0 "$(rc_of op-status.out as op "$BWCTL" --instance "$inst" status)"
t_check "bulwark: a commit is applied" 0 \
	"$(rc_of op-commit.out as op "$BWCTL" --instance "$inst" --state-dir "$sd" list add blk 198.51.100.0/24)"
t_check "generation 2 in force (root's view)" 2 "$(applied)"
t_check "its image belongs to the operator and the group" "rlop$$ bulwark 640" \
	"$(stat -c '%U %G %a' "$sd/gen-00000000000000000002.img")"
t_check "root reads it back: 198.51.100.9 is dropped" drop \
	"$("$BWCTL" --instance "$inst" --state-dir "$sd" lookup --json 198.51.100.9 | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["verdict"])')"
read -r st msg <<<"$(raw 1 op)"
t_check "bulwark: a ping on the socket is answered" 0 "$st"

# --- anyone else: nothing, and the hint names the real groups ------------
t_check "no group: status exits 1" 1 "$(rc_of no-status.out as no "$BWCTL" --instance "$inst" status)"
t_true "the hint names both groups" \
	grep -q "member of group 'bulwark' (commit and read) or 'bulwark-ro' (read only)" "$T_TMP/no-status.out"
t_check "no group: a commit is refused" 1 \
	"$(rc_of no-commit.out as no "$BWCTL" --instance "$inst" --state-dir "$sd" list add blk 203.0.113.0/24)"
t_true "no group: told who may" grep -q "run as root or as a member of group 'bulwark'" "$T_TMP/no-commit.out"
read -r st msg <<<"$(raw 1 no)"
t_check "no group: even a ping is denied" 1 "$st"
t_true "and told which groups ($msg)" grep -q "bulwark-ro" <<<"$msg"
t_check "generation 2 still in force" 2 "$(applied)"

# a region of root's whose group is not bulwark (made before the group
# existed): the hint does not call root's group the operators'
"$PY" -c 'import sys; open(sys.argv[1], "wb").write(bytes(4096))' "/dev/shm/bulwark.fake$$.status"
chmod 0660 "/dev/shm/bulwark.fake$$.status"
t_check "a region of group root: status exits 1" 1 "$(rc_of fake.out as no "$BWCTL" --instance "fake$$" status)"
t_true "the hint names the region's group and the real one" \
	grep -q "it belongs to group 'root', not 'bulwark'" "$T_TMP/fake.out"
t_true "never 'operators' group 'root'" bash -c "! grep -q \"group 'root' (or\" '$T_TMP/fake.out'"

kill -TERM "$BW_PID"
wait "$BW_PID" || true
t_done
