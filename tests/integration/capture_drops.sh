#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Captures (docs/events.md, "Captures"): the ICS captures replayed without
# end into a dataplane running the five IEC-104 rules as drop rules
# (flows off), and `bulwarkctl capture` armed on the running instance.
# The pcapng is read back with tshark (an independent reader) and
# compared with the oracle (gen_rules_ics.py's sid_of(), frame by frame):
# - --all-drops --count N: N packets, in order a stretch of the oracle's
#   dropped frames (the replay repeats them in order on one worker),
#   byte for byte, each comment naming content-rule and the frame's sid
#   (N is below the ring's 512 slots, so none can be lost);
# - --sid S: only frames of sid S;
# - --passed: only frames the oracle passes;
# - --snaplen 20: 20 bytes kept, the original length recorded;
# - --list NAME after a commit of a one-address list: only frames from or
#   to that address, commented with the list;
# - refusals: two at once, an unknown list, a reason that is not one;
# - Ctrl-C ends an open-ended capture, and the file is whole.
. "$(dirname "$0")/lib.sh"

t_instance cd
export BULWARK_RUN_DIR=$T_TMP/run
mkdir -m 0755 "$BULWARK_RUN_DIR"
"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
sed -E -e '/sid:20461(5[89]|6[0-2]);/s/^alert /drop /' \
	-e 's/([(;] *)flow:[^;]*; */\1/' \
	"$BW_DATA/rules/emerging-scada.rules" >"$T_TMP/drop.rules"
t_true "stage the rules" ctl rules load "$T_TMP/drop.rules" >/dev/null 2>&1
bw_start_endless "$inst" --flows 0 --run-dir "$BULWARK_RUN_DIR"

cap() { timeout 30 "$BWCTL" --instance "$inst" capture "$@"; }
oracle() { "$PY" "$(dirname "$0")/capture_oracle.py" "$T_TMP/in.pcap" "$@" 2>/dev/null; }
n_of() { tshark -r "$1" -T fields -e frame.number 2>/dev/null | wc -l; }

t_true "--all-drops --count 200" cap --all-drops --count 200 -w "$T_TMP/all.pcapng"
t_check "--all-drops: 200 packets (tshark)" 200 "$(n_of "$T_TMP/all.pcapng")"
t_check "--all-drops: a stretch of the oracle's drops, bytes and comments" 0 \
	"$(oracle "$T_TMP/all.pcapng" stretch)"
t_true "--sid 2046160 --count 20" cap --sid 2046160 --count 20 -w "$T_TMP/sid.pcapng"
t_check "--sid: 20 packets" 20 "$(n_of "$T_TMP/sid.pcapng")"
t_check "--sid: only that rule's frames (oracle)" 0 "$(oracle "$T_TMP/sid.pcapng" sid 2046160)"
t_true "--reason content-rule --count 30" cap --reason content-rule --count 30 -w "$T_TMP/reason.pcapng"
t_check "--reason: a stretch of the oracle's drops" 0 "$(oracle "$T_TMP/reason.pcapng" stretch)"
t_true "--passed --count 50" cap --passed --count 50 -w "$T_TMP/passed.pcapng"
t_check "--passed: 50 packets" 50 "$(n_of "$T_TMP/passed.pcapng")"
t_check "--passed: only frames the oracle passes" 0 "$(oracle "$T_TMP/passed.pcapng" passed)"
t_true "--snaplen 20" cap --all-drops --count 40 --snaplen 20 -w "$T_TMP/snap.pcapng"
t_check "--snaplen 20: cut, original length kept" 0 "$(oracle "$T_TMP/snap.pcapng" snap 20)"

t_true "--help names -w FILE" grep -q -- "-w FILE" <("$BWCTL" capture --help)

# refusals and misuse: a clear error, nothing armed
cap --all-drops --sid 5 -w "$T_TMP/x.pcapng" 2>/dev/null && rc=0 || rc=$?
t_check "two selections: usage error" 2 "$rc"
cap --reason no-such -w "$T_TMP/x.pcapng" 2>/dev/null && rc=0 || rc=$?
t_check "an unknown reason: usage error" 2 "$rc"
cap --list nosuch --count 1 -w "$T_TMP/x.pcapng" 2>"$T_TMP/err" && rc=0 || rc=$?
t_check "a list not in force: refused" 1 "$rc"
t_true "a list not in force: says so" grep -q "no such list" "$T_TMP/err"
cap --all-drops --snaplen 0 -w "$T_TMP/x.pcapng" 2>/dev/null && rc=0 || rc=$?
t_check "--snaplen 0: usage error" 2 "$rc"
cap --all-drops -w /nonexistent/dir/x.pcapng 2>/dev/null && rc=0 || rc=$?
t_check "an unwritable file: fails" 1 "$rc"

# a hostile operator's descriptors: sent with pings, too many with a
# capture, of the wrong kinds: refused, and none kept open by the dataplane
nfd() { ls "/proc/$BW_PID/fd" | wc -l; }
fd0=$(nfd)
t_check "descriptors of the wrong kind, too many, with pings: refused" \
	"ping ping ping refused refused refused" "$("$PY" - "$BULWARK_RUN_DIR/ctl.sock" "$T_TMP" <<'PY'
import os, socket, struct, sys
path, tmp = sys.argv[1], sys.argv[2]
def req(op, cap=b""):
    return struct.pack("<IHHQ64s48s", 0x42574354, 1, op, 0, cap, b"")
cap = struct.pack("<BBHIII32s16s", 1, 0, 0, 0, 1, 100, b"", b"")
f = os.open(tmp + "/hostile.bin", os.O_WRONLY | os.O_CREAT, 0o600)
r, w = os.pipe()
out = []
for op, fds in ((1, [f, w]), (1, [f] * 9), (1, [r]), (3, [f, w, f, w, f]),
                (3, [w, f]), (3, [socket.socket().fileno(), w])):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    socket.send_fds(s, [req(op, cap if op == 3 else b"")], fds)
    rep = s.recv(512)
    status = struct.unpack("<H", rep[6:8])[0]
    out.append("ping" if op == 1 and status == 0 else
               "refused" if status != 0 else "armed")
    s.close()
print(" ".join(out))
PY
)"
sleep 0.5
t_check "no descriptor left open in the dataplane" "$fd0" "$(nfd)"

# open-ended: a second one is refused while it runs; Ctrl-C ends it
"$BWCTL" --instance "$inst" capture --all-drops -w "$T_TMP/open.pcapng" 2>"$T_TMP/open.err" &
cpid=$!
T_PIDS+=("$cpid")
sleep 1
cap --all-drops --count 1 -w "$T_TMP/x.pcapng" 2>"$T_TMP/err" && rc=0 || rc=$?
t_check "a second capture at once: refused" 1 "$rc"
t_true "a second capture: says one at a time" grep -q "one at a time" "$T_TMP/err"
kill -INT "$cpid"
for _ in $(seq 100); do kill -0 "$cpid" 2>/dev/null || break; sleep 0.1; done
wait "$cpid" && rc=0 || rc=$?
t_check "Ctrl-C ends the capture" 0 "$rc"
got=$(n_of "$T_TMP/open.pcapng")
t_true "Ctrl-C: packets were written ($got)" test "$got" -gt 0
t_true "Ctrl-C: the count said matches tshark's" \
	grep -q "^$got packets written" "$T_TMP/open.err"
# long enough for the ring to overflow now and then: no stretch
t_check "Ctrl-C: only the oracle's drops, each with its sid" 0 \
	"$(oracle "$T_TMP/open.pcapng" drops)"

# a block list committed while it runs: --list takes its drops alone
echo 192.168.1.113/32 >"$T_TMP/one.txt"
t_true "commit a list of one address" ctl list load one "$T_TMP/one.txt"
t_true "--list one --count 20" cap --list one --count 20 -w "$T_TMP/list.pcapng"
t_check "--list: 20 packets" 20 "$(n_of "$T_TMP/list.pcapng")"
t_check "--list: only frames from or to the address, named" 0 \
	"$(oracle "$T_TMP/list.pcapng" list one=192.168.1.113)"

bw_stop
t_check "clean exit" 0 "$BW_RC"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/s.json" 2>/dev/null
t_true "captured packets counted" t_json_true "$T_TMP/s.json" \
	'd["totals"]["capture"]["pkts"] >= 200 + 20 + 30 + 50 + 40'
# --passed selects most of a fast replay: its ring may overflow, which
# loses packets (counted) and never slows the workers
t_log "capture ring overflows counted: $(t_json "$T_TMP/s.json" 'd["totals"]["capture"]["lost"]')"
t_check "the workers saw what the ports received, captures or not" \
	"$(t_json "$T_TMP/s.json" 'sum(p["ipackets"] for p in d["ports"])')" \
	"$(t_json "$T_TMP/s.json" 'd["totals"]["rx_pkts"]')"
t_done
