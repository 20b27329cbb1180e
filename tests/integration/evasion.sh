#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# TCP evasions against a drop rule through the real dataplane (pcap vdevs):
# Ptacek & Newsham's reordering, far SYNs, bad-checksum and TTL-limited
# decoys, SYN data, zero-window probes, decoys past the window edge,
# window scaling,
# bogus RSTs and FINs, an urgent byte, a pattern across the sequence
# wrap, decoys without ACK and overlaps with different bytes, plus
# control flows (gen_evasion.py builds them and the oracle of the stream
# normalizer). The output must be the input minus the oracle's drops,
# counted by reason; a model of a Linux receiver (tcprecv.py), or of one
# where the last bytes queued win, must read the pattern from every
# attack's input, neither from the output, and every control flow's data,
# complete, from the output.
. "$(dirname "$0")/lib.sh"

t_instance ev

"$PY" "$(dirname "$0")/gen_evasion.py" "$T_TMP"
frames=$(t_count frames)
drops=$(t_count drops)
echo 'drop tcp any any -> any 80 (msg:"evil"; content:"EVIL-PAYLOAD"; sid:1; rev:1;)' \
	>"$T_TMP/evil.rules"
t_true "stage the rule" ctl rules load "$T_TMP/evil.rules"

t_rules_replay "$inst" evasion "$sd" "$frames"
s=$T_TMP/evasion.json
t_check "received = forwarded + dropped" "$frames" \
	"$(t_json "$s" 'd["totals"]["tx_pkts"] + d["totals"]["drop_pkts"]')"
t_true "output is the input minus the oracle's drops" \
	"$PCAPTOOL" cmp "$T_TMP/expect.pcap" "$T_TMP/evasion.out.pcap"
for r in tcp-bad-checksum tcp-invalid-syn tcp-urgent-data tcp-invalid-rst \
	tcp-out-of-order tcp-invalid-fin tcp-missing-ack \
	tcp-overlap-different-data content-rule; do
	t_check "drops for $r (oracle)" "$(t_count "$r")" \
		"$(t_json "$s" "d['totals']['drops'].get('$r', 0)")"
done
t_check "no other drop" "$drops" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"

# what the server application reads, per client: "CLIENT found|absent
# HEX", first or last queued bytes winning
for cap in in evasion.out; do
	"$PY" "$(dirname "$0")/tcprecv.py" "$T_TMP/$cap.pcap" EVIL-PAYLOAD \
		>"$T_TMP/$cap.recv"
	"$PY" "$(dirname "$0")/tcprecv.py" --last "$T_TMP/$cap.pcap" \
		EVIL-PAYLOAD >"$T_TMP/$cap.last.recv"
done
# either model found the pattern in capture CAP for client C
found() { [[ " $(t_recv "$1" "$2" 2) $(t_recv "$1.last" "$2" 2) " == *" found "* ]]; }
while read -r kind name client clean; do
	if [ "$kind" = attack ]; then
		t_true "$name: a receiver alone reads the pattern" \
			found in "$client"
		t_check "$name: neither behind Bulwark" "absent absent" \
			"$(t_recv evasion.out "$client" 2) $(t_recv evasion.out.last "$client" 2)"
	else
		t_check "$name: the server reads all its data" "$clean" \
			"$(t_recv evasion.out "$client" 3)"
	fi
done <"$T_TMP/cases.txt"
t_done
