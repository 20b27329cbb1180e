#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Restart: a dataplane killed with SIGKILL comes back with the generation
# that was in force, before it forwards its first packet; a corrupted
# newest generation on disk is skipped with a log line and the one before
# it is applied; a file named like a generation but not as bulwarkctl names
# them (gen-9.img) is not a generation, for the dataplane as for the CLI.
. "$(dirname "$0")/lib.sh"

drop4=$BW_DATA/blocklists/spamhaus-drop-2025-01-17.txt
drop6=$BW_DATA/blocklists/spamhaus-dropv6-2025-01-17.txt
t_instance rs

# IPv4 probes all come from or go to 192.0.2.77; IPv6 probes are not listed
"$PY" "$(dirname "$0")/gen_lookup.py" "$T_TMP" "$drop4" "$drop6"
probes=$(awk '$1=="probes"{print $2}' "$T_TMP/counts.txt")
v6=$(grep -c ':' "$T_TMP/probes.txt")
t_empty_pcap "$T_TMP/empty.pcap"

t_true "stage the DROP list" ctl list load drop "$drop4"
bw_start "$inst" "$T_TMP/run1.log" --vdev net_null0,no-rx=1 \
	--vdev net_null1,no-rx=1 -- --instance "$inst" --state-dir "$sd"
t_true "first run up" bw_wait_running "$inst" 20
t_true "commit generation 2 live" ctl list add drop 192.0.2.77
kill -KILL "$BW_PID"
wait "$BW_PID" 2>/dev/null || true

run() { # run NAME: replay the probes, wait, stop
	bw_start "$inst" "$T_TMP/$1.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$1.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$1.out.pcap" \
		-- --instance "$inst" --state-dir "$sd"
	t_true "$1: up" bw_wait_running "$inst" 20
	t_true "$1: all probes received" bw_wait_rx "$inst" "$probes" 30
	cp "$T_TMP/stats.json" "$T_TMP/$1.json"
	bw_stop
	t_check "$1: clean exit" 0 "$BW_RC"
}

run restart
t_check "restart: generation 2 in force" 2 \
	"$(t_json "$T_TMP/restart.json" 'd["applied_generation"]')"
# the first probe is IPv4: forwarding it would mean the list came late
t_check "restart: only the unlisted IPv6 probes came out" "$v6" \
	"$("$PCAPTOOL" count "$T_TMP/restart.out.pcap")"
t_check "restart: every IPv4 probe dropped by the list" "$((probes - v6))" \
	"$(t_json "$T_TMP/restart.json" 'd["totals"]["drops"]["blocklist"]')"

# corrupt a newer generation: one flipped byte after the header
newest=$(ls "$sd" | grep '^gen-.*\.img$' | sort | tail -1)
bad="$sd/gen-00000000000000000003.img"
cp "$sd/$newest" "$bad"
printf '\xff' | dd of="$bad" bs=1 seek=300 conv=notrunc status=none
run corrupt
t_true "corrupt: the bad generation is skipped with a log line" \
	grep -q "skipping generation 3" "$T_TMP/corrupt.log"
t_check "corrupt: generation 2 in force" 2 \
	"$(t_json "$T_TMP/corrupt.json" 'd["applied_generation"]')"
t_check "corrupt: same verdicts as before" "$v6" \
	"$("$PCAPTOOL" count "$T_TMP/corrupt.out.pcap")"
# a stray file that sscanf("gen-%lu.%7s") took: generation 1's content
cp "$sd/gen-00000000000000000001.img" "$sd/gen-9.img"
run stray
t_check "stray: gen-9.img is not a generation, 2 stays in force" 2 \
	"$(t_json "$T_TMP/stray.json" 'd["applied_generation"]')"
t_check "stray: same verdicts as before" "$v6" \
	"$("$PCAPTOOL" count "$T_TMP/stray.out.pcap")"
# before lib/statedir.c the dataplane listed it as generation 9, then
# failed to open gen-00000000000000000009.img and logged a skip
t_true "stray: the dataplane does not list gen-9.img as generation 9" \
	sh -c "! grep -q 'generation 9\|0000000009' '$T_TMP/stray.log'"
t_true "stray: the CLI agrees: history names no generation 9" \
	sh -c "! $BWCTL --instance $inst --state-dir $sd history | grep -qw 9"
t_done
