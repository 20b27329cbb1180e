#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Events of the malformed-packet policy (docs/events.md): gen_malformed.py
# builds well-formed and malformed frames byte by byte and counts, per
# reason, the frames the default policy drops. With events on, the drop
# events per reason equal those counts; with two reasons passed by policy
# they give no event (a pass is not a drop); every event is a JSON object
# with its reason.
. "$(dirname "$0")/lib.sh"

"$PY" "$(dirname "$0")/gen_malformed.py" "$T_TMP"
t_empty_pcap "$T_TMP/empty.pcap"
total=$("$PCAPTOOL" count "$T_TMP/in.pcap")
export BULWARK_RUN_DIR=$T_TMP/run
mkdir -m 0755 "$BULWARK_RUN_DIR"

run() { # run NAME APP-ARGS...
	local name=$1 inst="evm$$$1"
	shift
	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$name.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$name.out.pcap" \
		-- --instance "$inst" --run-dir "$BULWARK_RUN_DIR" \
		--events "$T_TMP/$name.events" --events-rate 0 "$@"
	t_true "$name: up" bw_wait_running "$inst" 20
	t_true "$name: all received" bw_wait_rx "$inst" "$total" 20
	bw_stop
	t_check "$name: clean exit" 0 "$BW_RC"
	rm -f "/dev/shm/bulwark.$inst.status"
}

# per reason: the events' count, by an independent JSON reader
per_reason() {
	"$PY" - "$1" <<'PY'
import collections, json, sys
c = collections.Counter()
for l in open(sys.argv[1]):
    e = json.loads(l)
    assert e["event_type"] == "drop", e
    c[e["reason"]] += 1
for r, n in sorted(c.items()):
    print(r, n)
PY
}

run default
sort "$T_TMP/counts.txt" | awk '$2 > 0' >"$T_TMP/want.txt"
per_reason "$T_TMP/default.events" >"$T_TMP/got.txt"
t_true "default: drop events per reason = the oracle's counts" \
	diff "$T_TMP/want.txt" "$T_TMP/got.txt"

run pass --malformed tcp-bad-data-offset=pass --malformed l2-truncated=pass
grep -v -e '^tcp-bad-data-offset ' -e '^l2-truncated ' "$T_TMP/want.txt" >"$T_TMP/want2.txt"
t_check "both passed reasons occur in the input" 2 \
	"$(($(wc -l <"$T_TMP/want.txt") - $(wc -l <"$T_TMP/want2.txt")))"
per_reason "$T_TMP/pass.events" >"$T_TMP/got2.txt"
t_true "passed by policy: no event for them, the rest as before" \
	diff "$T_TMP/want2.txt" "$T_TMP/got2.txt"
t_done
