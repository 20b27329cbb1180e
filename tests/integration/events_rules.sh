#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Events of the content rules (docs/events.md) over the ICS captures, as
# rules_ics.sh runs them, checked one for one against an oracle that reads
# the captures itself (events_oracle.py, on gen_rules_ics.py):
# - the five IEC-104 rules as drop rules, flows off: one drop event per
#   frame the oracle drops, with its 5-tuple, sid, rev, msg (from the
#   rules file, by regular expression) and reason content-rule; as many
#   as the counters' drops; nothing lost;
# - as shipped (alert), flows tracked: one alert event per hit the oracle
#   counts and one drop event per segment refused for its checksum;
# - rate limited to 2 a second per key: at most 2 events per key and
#   second, and the summaries' counts make up the rest;
# - a ring of 4 records: events are lost and counted, never block: every
#   frame still goes through, and written + lost = the drops;
# - `bulwarkctl events` reads the file back and filters it.
. "$(dirname "$0")/lib.sh"

t_instance ev
"$PY" "$(dirname "$0")/gen_rules_ics.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
frames=$(t_count frames)
drops=$(t_count drops)
t_empty_pcap "$T_TMP/empty.pcap"
sed -E -e '/sid:20461(5[89]|6[0-2]);/s/^alert /drop /' \
	-e 's/([(;] *)flow:[^;]*; */\1/' \
	"$BW_DATA/rules/emerging-scada.rules" >"$T_TMP/drop.rules"
cp "$BW_DATA/rules/emerging-scada.rules" "$T_TMP/alert.rules"
for n in rate tiny; do cp "$T_TMP/drop.rules" "$T_TMP/$n.rules"; done
oracle() { "$PY" "$(dirname "$0")/events_oracle.py" "$@"; }
export BULWARK_RUN_DIR=$T_TMP/run
mkdir -m 0755 "$BULWARK_RUN_DIR"

# run NAME [APP OPTIONS]: rules NAME.rules, events in NAME.events
run() {
	local name=$1
	shift
	t_true "$name: stage the rules" "$BWCTL" --instance "$inst" \
		--state-dir "$sd.$name" rules load "$T_TMP/$name.rules" >/dev/null 2>&1
	t_rules_replay "$inst" "$name" "$sd.$name" "$frames" \
		--run-dir "$BULWARK_RUN_DIR" --events "$T_TMP/$name.events" "$@"
	t_true "$name: every line is a JSON object" "$PY" -c '
import json, sys
for l in open(sys.argv[1]):
    assert isinstance(json.loads(l), dict)' "$T_TMP/$name.events"
}

run drop --flows 0 --events-rate 0
s=$T_TMP/drop.json
t_check "drop: the counters' drops (oracle)" "$drops" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
t_check "drop: one event per drop" "$drops" "$(grep -c '"event_type":"drop"' "$T_TMP/drop.events")"
t_check "drop: the events match the oracle's frames one for one" 0 \
	"$(oracle ics-drop "$T_TMP/in.pcap" "$T_TMP/drop.rules" "$T_TMP/drop.events")"
t_check "drop: queued = drops" "$drops" "$(t_json "$s" 'd["totals"]["events"]["queued"]')"
t_check "drop: none lost" 0 "$(t_json "$s" 'd["totals"]["events"]["lost"]')"
t_true "drop: the output is the input minus the drops" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/drop.out.pcap"
for sid in 2046158 2046159 2046160 2046161 2046162; do
	t_check "drop: events --sid $sid (oracle)" "$(t_count "$sid")" \
		"$(ctl events --file "$T_TMP/drop.events" --sid "$sid" | wc -l)"
done
t_true "drop: events (text) names the rule" grep -q ' sid 20461[56][0-9]:[0-9]* blocked "ET ' \
	<(ctl events --file "$T_TMP/drop.events" --reason content-rule)

run alert --tcp-midstream pickup --events-rate 0
s=$T_TMP/alert.json
t_check "alert: alerts and refused segments match the oracle one for one" 0 \
	"$(oracle ics-alert "$T_TMP/in.pcap" "$T_TMP/alert.rules" "$T_TMP/alert.events")"
t_check "alert: drop events = the counters' drops" \
	"$(t_json "$s" 'd["totals"]["drop_pkts"]')" \
	"$(grep -c '"event_type":"drop"' "$T_TMP/alert.events")"
hits=$(t_json "$s" 'sum(r["hits_pkts"] for r in d["rules"] if r["action"] == "alert")')
t_check "alert: alert events = the alert rules' hits" "$hits" \
	"$(grep -c '"event_type":"alert"' "$T_TMP/alert.events")"

# rate limit: per (reason, sid) and second of event time, at most 2;
# every drop is an event or counted in a summary
run rate --flows 0 --events-rate 2
t_check "rate: written + suppressed = drops" "$drops" "$("$PY" - "$T_TMP/rate.events" <<'PY'
import collections, json, sys
n = 0
per = collections.Counter()
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event_type"] == "suppressed":
        n += e["suppressed"]["count"]
        continue
    n += 1
    per[(e["alert"]["signature_id"], e["timestamp"][:19])] += 1
assert max(per.values()) <= 2, per.most_common(3)
print(n)
PY
)"
t_true "rate: summaries were written" grep -q '"event_type":"suppressed"' "$T_TMP/rate.events"

# a tiny ring: lost and counted, the traffic unaffected
run tiny --flows 0 --events-rate 0 --events-ring 4
s=$T_TMP/tiny.json
t_true "tiny: the output is the input minus the drops" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/tiny.out.pcap"
t_check "tiny: written + lost = drops" "$drops" \
	"$(($(grep -c '"event_type":"drop"' "$T_TMP/tiny.events") + $(t_json "$s" 'd["totals"]["events"]["lost"]')))"
t_check "tiny: queued = written" "$(t_json "$s" 'd["totals"]["events"]["queued"]')" \
	"$(grep -c '"event_type":"drop"' "$T_TMP/tiny.events")"
t_true "tiny: events were lost (the ring is tiny)" t_json_true "$s" 'd["totals"]["events"]["lost"] > 0'
t_log "tiny: $(t_json "$s" 'd["totals"]["events"]["lost"]') events lost of $drops"

# options that are refused
t_true "--events-ring 3 refused" bash -c "! '$BULWARK' --no-huge -m 64 --no-pci \
	--file-prefix bw-x$inst -l 0,1 -- --events-ring 3 >/dev/null 2>&1"
t_done
