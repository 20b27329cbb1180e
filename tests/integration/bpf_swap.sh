#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# No loss while programs change: the ICS captures and scan probes replay
# without end (net_pcap infinite_rx) through the dataplane while 100
# commits go in: programs loaded, replaced by other code under the same
# name, moved in the run order, unloaded, several at once in a batch, and
# list deltas in between (a DELTA keeps the programs in force). At the
# end: received = forwarded + dropped exactly, every drop is an eBPF drop,
# nothing was missed by the port, every commit was applied, and the
# programs of the last generation run JIT-compiled.
. "$(dirname "$0")/lib.sh"

ex=$BW_BUILD/examples/bpf
t_instance bs

for p in modbus_write dnp3_restart tcp_flags; do
	[ -f "$ex/$p.o" ] || { t_log "skipped: $ex/$p.o not built (clang BPF target)"; exit 77; }
done
"$PY" "$(dirname "$0")/gen_bpf.py" "$T_TMP" "$BW_DATA"/pcaps/ics/*.pcap
# an empty list for the deltas: generation 1
printf 'list load x /dev/null\n' | ctl batch - >/dev/null

bw_start_endless "$inst"

ok=0
start=$SECONDS
for i in $(seq 0 99); do
	case $((i % 10)) in
	0) cmd="bpf load a $ex/modbus_write.o" ;;
	1) cmd="bpf load b $ex/dnp3_restart.o --order 5" ;;
	2) cmd="list add x 192.0.2.99" ;;
	3) cmd="bpf load a $ex/tcp_flags.o" ;;
	4) cmd="bpf load c $ex/modbus_write.o --order 1" ;;
	5) cmd="list del x 192.0.2.99" ;;
	6) cmd="bpf load b $ex/dnp3_restart.o --order 100" ;;
	7) cmd=$(printf 'bpf unload a\nbpf load a %s\n' "$ex/dnp3_restart.o") ;;
	8) cmd="bpf unload c" ;;
	9) cmd=$(printf 'bpf unload a\nbpf unload b\n') ;;
	esac
	if printf '%s\n' "$cmd" | ctl batch - >>"$T_TMP/commits.log" 2>&1; then
		ok=$((ok + 1))
	else
		t_log "commit $i failed: $(tail -1 "$T_TMP/commits.log")"
	fi
done
t_log "100 commits in $((SECONDS - start)) s"
t_check "every commit applied" 100 "$ok"
t_check "every one a new generation" 100 \
	"$(grep -c '^generation .* applied' "$T_TMP/commits.log")"
t_check "list changes went as deltas" 20 \
	"$(grep -c '^generation .* applied (delta)' "$T_TMP/commits.log")"
# one more load, so that programs run while the counters are read
t_true "last load" ctl bpf load last "$ex/tcp_flags.o"
t_true "traffic still flows" bw_wait_rx "$inst" \
	"$(($(t_json "$T_TMP/stats.json" 'd["totals"]["rx_pkts"]') + 100000))" 20
ctl bpf show --json >"$T_TMP/show.json"
t_check "generation 102 in force" 102 "$(t_json "$T_TMP/show.json" 'd["dataplane"]["applied_gen"]')"
t_check "its program runs, JIT-compiled" "True True" \
	"$(t_json "$T_TMP/show.json" '"%s %s" % (d["programs"][0]["running"]["runs"] > 0, d["programs"][0]["running"]["jit"])')"
bw_stop
t_check "clean exit" 0 "$BW_RC"

"$BWCTL" --instance "$inst" stats --json >"$T_TMP/final.json" 2>/dev/null
f="$T_TMP/final.json"
t_check_no_loss "$f" bpf
t_done
