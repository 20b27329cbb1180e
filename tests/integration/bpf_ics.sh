#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The example eBPF programs through the real dataplane: the ICS captures
# and crafted TCP scan probes arrive on the outside port (pcap vdevs); each
# example alone, then the three together (JIT-compiled, then with
# --bpf-no-jit), staged before boot so that they are in force before the
# first packet. The drops equal the counts of an independent oracle
# (gen_bpf.py parses the frames itself), every drop is counted under the
# reason "bpf" and by the program that decided it, and the output capture
# is exactly the input minus those frames (bw-pcaptool cmp).
. "$(dirname "$0")/lib.sh"

ex=$BW_BUILD/examples/bpf
t_instance bi

for p in modbus_write dnp3_restart tcp_flags; do
	[ -f "$ex/$p.o" ] || { t_log "skipped: $ex/$p.o not built (clang BPF target)"; exit 77; }
done
"$PY" "$(dirname "$0")/gen_bpf.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
frames=$(awk '$1=="frames"{print $2}' "$T_TMP/counts.txt")
t_empty_pcap "$T_TMP/empty.pcap"

# run NAME EXPECT_NAME [APP OPTIONS]: the state directory $T_TMP/NAME.state
# is staged; replay in.pcap, stop, check the counters and the output.
run() {
	local name=$1 want=$2 drops s
	shift 2
	drops=$(awk -v k="$want" '$1==k{print $2}' "$T_TMP/counts.txt")
	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$name.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$name.out.pcap" \
		-- --instance "$inst" --state-dir "$T_TMP/$name.state" "$@"
	t_true "$name: up" bw_wait_running "$inst" 20
	t_true "$name: every frame received" bw_wait_rx "$inst" "$frames" 30
	"$BWCTL" --instance "$inst" --state-dir "$T_TMP/$name.state" \
		bpf show --json >"$T_TMP/$name.show.json"
	bw_stop
	t_check "$name: clean exit" 0 "$BW_RC"
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/$name.json" 2>/dev/null
	s=$T_TMP/$name.json
	t_check "$name: drops by the reason bpf (oracle)" "$drops" \
		"$(t_json "$s" 'd["totals"]["drops"]["bpf"]')"
	t_check "$name: no other drop" "$drops" "$(t_json "$s" 'd["totals"]["drop_pkts"]')"
	t_check "$name: forwarded" "$((frames - drops))" \
		"$(t_json "$s" 'd["totals"]["tx_pkts"]')"
	t_check "$name: programs' drops add up" "$drops" \
		"$(t_json "$T_TMP/$name.show.json" 'sum(p["running"]["drops"] for p in d["programs"])')"
	t_true "$name: output is the input minus the oracle's drops" \
		"$PCAPTOOL" cmp "$T_TMP/expect_$want.pcap" "$T_TMP/$name.out.pcap"
}

stage() { # stage NAME [bpf load arguments | batch file]
	"$BWCTL" --instance "$inst" --state-dir "$T_TMP/$1.state" "${@:2}" >/dev/null
}

for p in modbus_write dnp3_restart tcp_flags; do
	t_true "stage $p" stage "$p" bpf load "$p" "$ex/$p.o"
	run "$p" "$p"
	t_check "$p: runs on every frame" "$frames" \
		"$(t_json "$T_TMP/$p.show.json" 'd["programs"][0]["running"]["runs"]')"
	t_check "$p: JIT-compiled" True \
		"$(t_json "$T_TMP/$p.show.json" 'd["programs"][0]["running"]["jit"]')"
done

printf 'bpf load flags %s\nbpf load dnp3 %s --order 5\nbpf load modbus %s\n' \
	"$ex/tcp_flags.o" "$ex/dnp3_restart.o" "$ex/modbus_write.o" >"$T_TMP/all.batch"
t_true "stage the three in one generation" stage all batch "$T_TMP/all.batch"
run all all
f=$T_TMP/all.show.json
t_check "all: run order" "['dnp3', 'flags', 'modbus']" \
	"$(t_json "$f" '[p["name"] for p in d["programs"]]')"
t_check "all: the first program sees every frame" "$frames" \
	"$(t_json "$f" 'd["programs"][0]["running"]["runs"]')"
t_check "all: a later one only what the earlier ones let through" \
	"$((frames - $(awk '$1=="dnp3_restart"{print $2}' "$T_TMP/counts.txt")))" \
	"$(t_json "$f" 'd["programs"][1]["running"]["runs"]')"

cp -r "$T_TMP/all.state" "$T_TMP/interp.state"
run interp all --bpf-no-jit
f=$T_TMP/interp.show.json
t_check "interpreter: bpf show says so" "False False False" \
	"$(t_json "$f" '" ".join(str(p["running"]["jit"]) for p in d["programs"])')"
t_check "interpreter: the dataplane says so" False \
	"$(t_json "$f" 'd["dataplane"]["jit_enabled"]')"
t_done
