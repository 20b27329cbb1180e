#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# logrotate against the events file (docs/events.md): a dataplane that
# drops (the IEC-104 drop rules over the ICS captures, replayed without
# end, rate limit off) writes events; the file is renamed, then SIGHUP:
# the dataplane keeps running, writes on into a new file at the path, and
# the renamed one stops growing; `bulwarkctl events --follow`, started
# before, goes on in the new file.
# Needs SIGHUP to bump dp_hup_gen (dataplane/dp_sig.h) rather than stop
# the dataplane: registered in meson.build with the service change.
. "$(dirname "$0")/lib.sh"

t_instance eh
export BULWARK_RUN_DIR=$T_TMP/run
mkdir -m 0755 "$BULWARK_RUN_DIR"
"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
sed -E -e '/sid:20461(5[89]|6[0-2]);/s/^alert /drop /' \
	-e 's/([(;] *)flow:[^;]*; */\1/' \
	"$BW_DATA/rules/emerging-scada.rules" >"$T_TMP/drop.rules"
t_true "stage the rules" ctl rules load "$T_TMP/drop.rules" >/dev/null 2>&1
ev=$T_TMP/events.json
bw_start_endless "$inst" --flows 0 --run-dir "$BULWARK_RUN_DIR" \
	--events "$ev" --events-rate 100
"$BWCTL" --instance "$inst" events --follow --json >"$T_TMP/follow.out" &
fpid=$!
T_PIDS+=("$fpid")
sleep 1
t_true "events are written" test -s "$ev"
mv "$ev" "$ev.1"
kill -HUP "$BW_PID"
for _ in $(seq 50); do [ -s "$ev" ] && break; sleep 0.1; done
t_true "a new file at the path after SIGHUP" test -s "$ev"
t_true "the dataplane still runs" kill -0 "$BW_PID"
sleep 0.5
n1=$(wc -l <"$ev.1")
sleep 1
t_check "the renamed file no longer grows" "$n1" "$(wc -l <"$ev.1")"
t_true "the new one does" test "$(wc -l <"$ev")" -gt 0
sleep 1
kill -INT "$fpid"
wait "$fpid" || true
t_true "--follow went on in the new file" test "$(wc -l <"$T_TMP/follow.out")" -gt "$n1"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
