#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15 point 6: no silent rollback. Generation 2 (40,000 /32s in
# distinct /24s: over 100 MiB of FIB) is the newest valid generation; a
# dataplane with 256 MiB of DPDK memory cannot apply it. It must not run
# generation 1 instead: it refuses to start and says what memory it needs;
# with --restore-fail-closed it runs no generation and drops everything
# (nothing leaves the inside port: generation 1 would let half out), and
# status and history say which generation runs and why. An operator's
# next commit then replaces what runs, without the old "another
# --state-dir?" refusal.
. "$(dirname "$0")/lib.sh"
t_instance rt
. "$(dirname "$0")/seclib.sh"

sec_traffic
"$PY" -c '
for x in range(200):
    for y in range(200):
        print(f"10.{x}.{y}.1/32")' >"$T_TMP/big.txt"
t_true "generation 1 lists 192.0.2.66" ctl list add blk 192.0.2.66
t_true "generation 2 adds a list too big for 256 MiB" \
	ctl list load big "$T_TMP/big.txt"
chmod 0770 "$sd"

# small LOG [APP OPTIONS]: sec_start with 256 MiB of DPDK memory
small() {
	local log=$1
	shift
	"$BULWARK" --no-huge -m 256 --no-pci --file-prefix "bw-$inst" -l 0,1 \
		--vdev "net_pcap0,rx_pcap=$T_TMP/in.pcap,infinite_rx=1,tx_pcap=/dev/null" \
		--vdev "net_null0,no-rx=1" \
		-- --instance "$inst" --state-dir "$sd" "$@" >"$log" 2>&1 &
	BW_PID=$!
	T_PIDS+=("$BW_PID")
	T_PREFIXES+=("bw-$inst")
}

small "$T_TMP/refused.log"
rc=0
for _ in $(seq 300); do
	kill -0 "$BW_PID" 2>/dev/null || break
	sleep 0.1
done
wait "$BW_PID" || rc=$?
t_check "the dataplane refuses to start" 1 "$rc"
t_true "it names the generation it cannot apply" grep -q \
	"generation 2, the newest valid one in $sd, cannot be applied" \
	"$T_TMP/refused.log"
t_true "and the memory one of its tables needs" grep -Eq \
	"one of its tables alone needs about [0-9]+ MiB of DPDK memory" "$T_TMP/refused.log"
t_true "it did not run generation 1" \
	sh -c "! grep -q 'restored generation 1' '$T_TMP/refused.log'"
rm -f "/dev/shm/bulwark.$inst.status"

small "$T_TMP/closed.log" --restore-fail-closed
t_true "with --restore-fail-closed it runs" bw_wait_running "$inst" 30
t_check "no generation in force" 0 \
	"$("$BWCTL" --instance "$inst" stats --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["applied_generation"])')"
t_check "nothing leaves the inside port (fail-closed, not generation 1)" 0 \
	"$(sec_ratio)"
"$BWCTL" --instance "$inst" status >"$T_TMP/status.out" 2>&1 || true
t_true "status says why" grep -q \
	"none applied, dropping everything: generation 2, the newest valid one, could not be applied at start (Cannot allocate memory)" \
	"$T_TMP/status.out"
ctl history >"$T_TMP/history.out" 2>&1
t_true "history says why" grep -q \
	"runs no generation, dropping everything: generation 2, the newest valid one, could not be applied at its start" \
	"$T_TMP/history.out"

rc=0
timeout 60 "${sec_op[@]}" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list drop big >"$T_TMP/commit.out" 2>&1 || rc=$?
t_check "an operator's commit replaces what runs" 0 "$rc"
t_true "no 'another --state-dir?'" \
	sh -c "! grep -q 'another --state-dir' '$T_TMP/commit.out'"
t_true "it says what it replaces" grep -q \
	"generation 2 could not be applied at its start" "$T_TMP/commit.out"
sec_running "after the commit" 3
"$BWCTL" --instance "$inst" status >"$T_TMP/status2.out" 2>&1 || true
t_true "status: generation 3" grep -q "ruleset    generation 3$" "$T_TMP/status2.out"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
