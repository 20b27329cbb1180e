#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Block-list lookups against an independent oracle (gen_lookup.py, Python's
# ipaddress): for every prefix of Spamhaus DROP and DROPv6, the first,
# middle and last address are blocked and the addresses just outside pass
# unless another prefix covers them. Checked through the real dataplane on
# pcap vdevs (the lists staged before boot, so they are in force before the
# first packet) and through `bulwarkctl lookup`.
. "$(dirname "$0")/lib.sh"

drop4=$BW_DATA/blocklists/spamhaus-drop-2025-01-17.txt
drop6=$BW_DATA/blocklists/spamhaus-dropv6-2025-01-17.txt
t_instance lk

"$PY" "$(dirname "$0")/gen_lookup.py" "$T_TMP" "$drop4" "$drop6"
probes=$(awk '$1=="probes"{print $2}' "$T_TMP/counts.txt")
blocked=$(awk '$1=="blocked"{print $2}' "$T_TMP/counts.txt")
t_empty_pcap "$T_TMP/empty.pcap"

# pre-staging: no dataplane runs yet
t_true "stage DROP before boot" ctl list load drop "$drop4"
t_true "stage DROPv6 before boot" ctl list load dropv6 "$drop6"
t_check "two generations staged" 2 \
	"$(ls "$sd" | grep -c '^gen-.*\.img$')"

bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/back.pcap" \
	--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/out.pcap" \
	-- --instance "$inst" --state-dir "$sd"
t_true "dataplane up" bw_wait_running "$inst" 20
t_true "all probes received" bw_wait_rx "$inst" "$probes" 30
s="$T_TMP/stats.json"
t_check "generation 2 in force" 2 "$(t_json "$s" 'd["applied_generation"]')"
t_check "drops by the blocklist reason" "$blocked" \
	"$(t_json "$s" 'd["totals"]["drops"]["blocklist"]')"
t_check "forwarded" "$((probes - blocked))" "$(t_json "$s" 'd["totals"]["tx_pkts"]')"
ctl list show --json >"$T_TMP/lists.json"
t_check "list hits add up to the drops" "$blocked" \
	"$(t_json "$T_TMP/lists.json" 'sum(l["hits"]["pkts"] for l in d["lists"])')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_true "output is exactly the probes the oracle passes" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/out.pcap"

# the same verdicts from `bulwarkctl lookup`, for every probe, in one call
cut -d' ' -f1 "$T_TMP/probes.txt" | xargs "$BWCTL" --instance "$inst" \
	--state-dir "$sd" lookup --json >"$T_TMP/lookup.jsonl"
mism=$("$PY" - "$T_TMP/probes.txt" "$T_TMP/lookup.jsonl" <<'PY'
import ipaddress, json, sys
want = [l.split() for l in open(sys.argv[1])]
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(want) == len(got), (len(want), len(got))
bad = [(a, w, g["verdict"]) for (a, w), g in zip(want, got)
       if ipaddress.ip_address(a) != ipaddress.ip_address(g["address"])
       or (w == "blocked") != (g["verdict"] == "drop")]
for b in bad[:5]:
    print("mismatch", *b, file=sys.stderr)
print(len(bad))
PY
)
t_check "lookup agrees with the oracle on all $probes probes" 0 "$mism"
t_done
