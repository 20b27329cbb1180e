#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# eBPF run-time faults (issue #15 point 8): tests/bpf/div_byte.c divides
# by a byte of the packet; gen_bpf_fault.py writes UDP frames where that
# byte is 0 in about one of eight, and computes on its own which frames
# fault and which the program drops. Through the real dataplane (pcap
# vdevs), JIT-compiled and with --bpf-no-jit, 64-bit division (div_byte.o)
# and 32-bit (div_byte32.o): with the default policy (on fault: drop) the
# faulting frames are dropped under the reason "bpf-fault", with
# `--on-fault continue` they go on; the output capture is the input minus
# exactly the frames the oracle names, the program's fault counter equals
# the oracle's count, and the dataplane's log stays a few lines for
# hundreds of faults (no line per packet), its lines summing to that count.
. "$(dirname "$0")/lib.sh"

tb=$BW_BUILD/tests/bpf
t_instance bf

for p in div_byte div_byte32; do
	[ -f "$tb/$p.o" ] || { t_log "missing: $tb/$p.o (clang BPF target)"; exit 1; }
done
"$PY" "$(dirname "$0")/gen_bpf_fault.py" "$T_TMP"
frames=$(t_count frames)
faults=$(t_count faults)
drops=$(t_count drops)
t_true "the oracle has faults and drops" test "$faults" -gt 100 -a "$drops" -gt 10
t_empty_pcap "$T_TMP/empty.pcap"

# run NAME STATE POLICY [APP OPTIONS]: replay in.pcap through the staged
# state directory $T_TMP/STATE.state, stop, check counters, log, output.
run() {
	local name=$1 state=$2 policy=$3 s f want_fault lines
	shift 3
	bw_start "$inst" "$T_TMP/$name.log" \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,tx_pcap=$T_TMP/$name.back.pcap" \
		--vdev "net_pcap1,rx_pcap=$T_TMP/empty.pcap,tx_pcap=$T_TMP/$name.out.pcap" \
		-- --instance "$inst" --state-dir "$T_TMP/$state.state" "$@"
	t_true "$name: up" bw_wait_running "$inst" 20
	t_true "$name: every frame received" bw_wait_rx "$inst" "$frames" 30
	"$BWCTL" --instance "$inst" --state-dir "$T_TMP/$state.state" \
		bpf show --json >"$T_TMP/$name.show.json"
	"$BWCTL" --instance "$inst" --state-dir "$T_TMP/$state.state" \
		bpf show >"$T_TMP/$name.show.txt"
	bw_stop
	t_check "$name: clean exit" 0 "$BW_RC"
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/$name.json" 2>/dev/null
	s=$T_TMP/$name.json
	f=$T_TMP/$name.show.json
	want_fault=0
	[ "$policy" = drop ] && want_fault=$faults
	t_check "$name: faults counted by the program (oracle)" "$faults" \
		"$(t_json "$f" 'd["programs"][0]["running"]["faults"]')"
	t_check "$name: policy shown" "$policy" \
		"$(t_json "$f" 'd["programs"][0]["on_fault"]')"
	t_check "$name: program drops (oracle)" "$drops" \
		"$(t_json "$f" 'd["programs"][0]["running"]["drops"]')"
	t_check "$name: no verdict errors" 0 \
		"$(t_json "$f" 'd["programs"][0]["running"]["errors"]')"
	t_check "$name: runs on every frame" "$frames" \
		"$(t_json "$f" 'd["programs"][0]["running"]["runs"]')"
	t_check "$name: drops by the reason bpf-fault" "$want_fault" \
		"$(t_json "$s" 'd["totals"]["drops"].get("bpf-fault", 0)')"
	t_check "$name: drops by the reason bpf" "$drops" \
		"$(t_json "$s" 'd["totals"]["drops"]["bpf"]')"
	t_check "$name: no other drop" "$((drops + want_fault))" \
		"$(t_json "$s" 'd["totals"]["drop_pkts"]')"
	t_check "$name: forwarded" "$((frames - drops - want_fault))" \
		"$(t_json "$s" 'd["totals"]["tx_pkts"]')"
	t_true "$name: output is the input minus the oracle's frames" \
		"$PCAPTOOL" cmp "$T_TMP/expect_$policy.pcap" "$T_TMP/$name.out.pcap"
	t_true "$name: bpf show has the FAULTS column" \
		grep -q "FAULTS" "$T_TMP/$name.show.txt"
	# the log: a few lines whatever the number of faults
	lines=$(wc -l <"$T_TMP/$name.log")
	t_true "$name: log stays small ($lines lines for $faults faults)" \
		test "$lines" -lt 60
	t_check "$name: no per-packet line of rte_bpf" 0 \
		"$(grep -ci 'division by 0\|divide by zero' "$T_TMP/$name.log" || true)"
	lines=$(grep -c "run-time faults" "$T_TMP/$name.log" || true)
	t_true "$name: fault lines rate-limited ($lines)" \
		test "$lines" -ge 1 -a "$lines" -le 3
	t_check "$name: the fault lines add up to the count" "$faults" \
		"$(sed -n "s/.*': \([0-9]*\) run-time faults.*/\1/p" \
			"$T_TMP/$name.log" | awk '{s += $1} END {print s + 0}')"
}

stage() { # stage STATE bpf load arguments...
	"$BWCTL" --instance "$inst" --state-dir "$T_TMP/$1.state" "${@:2}" >/dev/null
}

t_true "stage div_byte (default policy)" stage d64 bpf load div "$tb/div_byte.o"
run jit64 d64 drop
t_check "JIT: bpf show says so" True \
	"$(t_json "$T_TMP/jit64.show.json" 'd["programs"][0]["running"]["jit"]')"
run interp64 d64 drop --bpf-no-jit
t_check "interpreter: bpf show says so" False \
	"$(t_json "$T_TMP/interp64.show.json" 'd["programs"][0]["running"]["jit"]')"

t_true "stage div_byte32, on fault continue" \
	stage d32 bpf load div "$tb/div_byte32.o" --on-fault continue
run jit32 d32 continue
run interp32 d32 continue --bpf-no-jit

# the policy is the program's: a reload without --on-fault keeps it, an
# explicit one changes it (a new generation), a bad word is refused
t_true "reload keeps the policy" stage d32 bpf load div "$tb/div_byte32.o"
"$BWCTL" --state-dir "$T_TMP/d32.state" bpf show --json >"$T_TMP/keep.json"
t_check "reload keeps 'continue'" continue \
	"$(t_json "$T_TMP/keep.json" 'd["programs"][0]["on_fault"]')"
t_true "switch to drop" stage d32 bpf load div "$tb/div_byte32.o" --on-fault drop
run jit32drop d32 drop
rc=0
"$BWCTL" --state-dir "$T_TMP/d32.state" bpf load div "$tb/div_byte.o" \
	--on-fault open >/dev/null 2>"$T_TMP/bad.err" || rc=$?
t_check "--on-fault open: usage error" 2 "$rc"
t_true "--on-fault open: says why" grep -q "not drop or continue" "$T_TMP/bad.err"
t_done
