#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The /bulwark/... endpoints of DPDK telemetry, read by DPDK's own client
# (dpdk-telemetry.py, over the instance's runtime directory: its EAL
# --file-prefix) from a dataplane that replayed gen_visibility.py's
# frames: totals, drops by reason, per worker, per port, per list, the
# top rules and the generation equal the generator's counts; bad
# parameters are refused and the socket goes on answering.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vislib.sh"

t_instance tl
TELEMETRY=$(command -v dpdk-telemetry.py || true)
[ -n "$TELEMETRY" ] || {
	echo "dpdk-telemetry.py is missing: apt-get install dpdk" >&2
	exit 1
}

vis_setup
# a list whose name DPDK does not take as a key: read as bad_guys
echo 203.0.113.0/24 >"$T_TMP/bad.list"
t_true "stage a list named bad-guys" ctl list load bad-guys "$T_TMP/bad.list" >/dev/null
vis_start

printf '%s\n' / /bulwark/status /bulwark/totals /bulwark/drops \
	/bulwark/workers /bulwark/ports /bulwark/lists /bulwark/rules,5 \
	/bulwark/generation /bulwark/rules,abc /bulwark/rules,65 \
	/bulwark/rules,1 /bulwark/status |
	timeout 20 "$PY" "$TELEMETRY" -f "bw-$inst" >"$T_TMP/tel.out" 2>"$T_TMP/tel.err"
t_check "dpdk-telemetry.py answered every command" 13 "$(wc -l <"$T_TMP/tel.out")"
# every reply as one JSON object: {"reply N": {command: value}}
"$PY" -c '
import json, sys
out = {}
for i, line in enumerate(open(sys.argv[1])):
    out["r%d" % i] = json.loads(line)
json.dump(out, open(sys.argv[2], "w"))' "$T_TMP/tel.out" "$T_TMP/tel.json"
tj() { t_json "$T_TMP/tel.json" "$1"; }

t_true "every endpoint listed" t_json_true "$T_TMP/tel.json" \
	'all(c in d["r0"]["/"] for c in ["/bulwark/status", "/bulwark/totals", "/bulwark/drops", "/bulwark/workers", "/bulwark/ports", "/bulwark/lists", "/bulwark/rules", "/bulwark/generation"])'
t_check "status: instance" "$inst" "$(tj 'd["r1"]["/bulwark/status"]["instance"]')"
t_check "status: running" running "$(tj 'd["r1"]["/bulwark/status"]["state"]')"
t_check "status: pid" "$BW_PID" "$(tj 'd["r1"]["/bulwark/status"]["pid"]')"
t_check "status: generation is the state directory's" \
	"$(ctl history 2>/dev/null | awk '$1 == "*" { print $2 }')" \
	"$(tj 'd["r1"]["/bulwark/status"]["applied_gen"]')"
t_check "totals: rx (oracle)" "$frames" "$(tj 'd["r2"]["/bulwark/totals"]["rx_pkts"]')"
t_check "totals: rx bytes (oracle)" "$(t_count rx_bytes)" \
	"$(tj 'd["r2"]["/bulwark/totals"]["rx_bytes"]')"
t_check "totals: tx (oracle)" "$(t_count passed)" \
	"$(tj 'd["r2"]["/bulwark/totals"]["tx_pkts"]')"
t_check "totals: dropped (oracle)" "$(t_count drops)" \
	"$(tj 'd["r2"]["/bulwark/totals"]["drop_pkts"]')"
t_check "drops: blocklist (oracle)" "$(t_count list_attackers)" \
	"$(tj 'd["r3"]["/bulwark/drops"]["blocklist"]')"
t_check "drops: content-rule (oracle)" "$(t_count sid9000001)" \
	"$(tj 'd["r3"]["/bulwark/drops"]["content_rule"]')"
t_check "drops: ipv4-bad-version (oracle)" "$(t_count bad_version)" \
	"$(tj 'd["r3"]["/bulwark/drops"]["ipv4_bad_version"]')"
t_check "drops: they add up (oracle)" "$(t_count drops)" \
	"$(tj 'sum(d["r3"]["/bulwark/drops"].values())')"
t_check "workers: one, its rx (oracle)" "$frames" \
	"$(tj 'd["r4"]["/bulwark/workers"]["0"]["rx_pkts"]')"
t_check "ports: outside received (oracle)" "$frames" \
	"$(tj 'd["r5"]["/bulwark/ports"]["net_pcap0"]["ipackets"]')"
t_check "ports: inside sent (oracle)" "$(t_count passed)" \
	"$(tj 'd["r5"]["/bulwark/ports"]["net_pcap1"]["opackets"]')"
t_check "ports: names" "net_pcap0 net_pcap1" \
	"$(tj 'd["r5"]["/bulwark/ports"]["net_pcap0"]["name"] + " " + d["r5"]["/bulwark/ports"]["net_pcap1"]["name"]')"
t_check "ports: roles" "outside inside" \
	"$(tj 'd["r5"]["/bulwark/ports"]["net_pcap0"]["role"] + " " + d["r5"]["/bulwark/ports"]["net_pcap1"]["role"]')"
t_check "lists: attackers hits (oracle)" "$(t_count list_attackers)" \
	"$(tj 'd["r6"]["/bulwark/lists"]["attackers"]["hits_pkts"]')"
t_check "lists: attackers is a drop list of one prefix" "drop 1" \
	"$(tj 'd["r6"]["/bulwark/lists"]["attackers"]["action"] + " " + str(d["r6"]["/bulwark/lists"]["attackers"]["prefixes_v4"])')"
t_check "lists: bad-guys under the key bad_guys, its name kept, no hit" "bad-guys 0" \
	"$(tj 'd["r6"]["/bulwark/lists"]["bad_guys"]["name"] + " " + str(d["r6"]["/bulwark/lists"]["bad_guys"]["hits_pkts"])')"
t_check "rules: two rules" 2 "$(tj 'd["r7"]["/bulwark/rules"]["nb_rules"]')"
t_check "rules: top1 is the drop rule (oracle)" "9000001 2 drop $(t_count sid9000001)" \
	"$(tj '" ".join(str(d["r7"]["/bulwark/rules"]["top1"][k]) for k in ("sid", "rev", "action", "hits_pkts"))')"
t_check "rules: top2 is the alert rule (oracle)" "9000002 1 alert $(t_count sid9000002)" \
	"$(tj '" ".join(str(d["r7"]["/bulwark/rules"]["top2"][k]) for k in ("sid", "rev", "action", "hits_pkts"))')"
t_check "rules: no third" False "$(tj '"top3" in d["r7"]["/bulwark/rules"]')"
t_check "generation: as status" "$(tj 'd["r1"]["/bulwark/status"]["applied_gen"]')" \
	"$(tj 'd["r8"]["/bulwark/generation"]["applied_gen"]')"
t_check "rules,abc refused" None "$(tj 'd["r9"]["/bulwark/rules"]')"
t_check "rules,65 refused" None "$(tj 'd["r10"]["/bulwark/rules"]')"
t_check "rules,1: only the top one" "9000001 False" \
	"$(tj 'str(d["r11"]["/bulwark/rules"]["top1"]["sid"]) + " " + str("top2" in d["r11"]["/bulwark/rules"])')"
t_check "still answering after bad parameters" running \
	"$(tj 'd["r12"]["/bulwark/status"]["state"]')"

bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
