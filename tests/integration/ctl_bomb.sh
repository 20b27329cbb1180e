#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15, point 7: compile bombs. One rule whose window unrolls to
# 30,000 positions took 7 s to compile, 200 of them 20 minutes and 3.9 GB
# with the state directory locked. Now: the bomb is refused at once with
# its FILE:LINE, 200 of them in a bounded time; a set of rules each under
# the limit but together over it is refused naming the rule that passes
# the budget (computed here from the windows); an over-limit rule file's
# summary says nothing was taken; and a long compile holds no lock: an
# operator's list change goes through while it runs; a compile that
# outlasts BULWARK_COMPILE_TIMEOUT is ended and refused, one that
# outgrows BULWARK_COMPILE_MEMORY fails and is refused. Everything refused
# leaves generation 1 in force, its probes dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_helpers.sh"
s_setup bb
bw_start_endless "$inst"
s_sample before

bomb() { # bomb SID: the rule of the issue
	printf 'alert tcp any any -> any 80 (msg:"bomb %d"; content:"GET"; isdataat:30000,relative; content:!"|0a|"; within:30000; sid:%d;)\n' "$1" "$1"
}
wide() { # wide SID WITHIN: a positive window of WITHIN bytes
	printf 'alert tcp any any -> any 80 (msg:"wide %d"; content:"GET"; content:"|0a|"; distance:0; within:%d; sid:%d;)\n' "$1" "$2" "$1"
}
load() { # load NAME FILE...: rules load, exit status in $rc, time in $secs
	local t0=$SECONDS
	set +e
	timeout 120 "$BWCTL" --instance "$inst" --state-dir "$sd" rules load "${@:2}" \
		>"$T_TMP/$1.out" 2>&1
	rc=$?
	set -e
	secs=$((SECONDS - t0))
}

# --- one bomb ------------------------------------------------------------
printf '# one bomb\n\n' >"$T_TMP/one.rules"
bomb 1 >>"$T_TMP/one.rules"
load one "$T_TMP/one.rules"
t_true "one bomb: refused" test "$rc" -ne 0
t_true "one bomb: within 3 s" test "$secs" -le 3
t_true "one bomb: named by FILE:LINE" grep -q "^$T_TMP/one.rules:3 sid 1: .*too costly to compile" "$T_TMP/one.out"
t_true "one bomb: the summary takes nothing" grep -q "^rules: 1 read, 0 taken, 1 skipped$" "$T_TMP/one.out"

# --- 200 bombs ----------------------------------------------------------
for i in $(seq 1 200); do bomb "$i"; done >"$T_TMP/many.rules"
load many "$T_TMP/many.rules"
t_true "200 bombs: refused" test "$rc" -ne 0
t_true "200 bombs: within 10 s" test "$secs" -le 10
t_check "200 bombs: each named" 200 "$(grep -c "^$T_TMP/many.rules:[0-9]* sid [0-9]*: .*too costly to compile" "$T_TMP/many.out")"

# --- many rules under the limit, over the budget together ---------------
# each window: within 4000 minus the 1-byte content = 3999 positions; the
# budget of a rule set is 65536 positions (docs/security.md)
for i in $(seq 1 20); do wide "$i" 4000; done >"$T_TMP/wide.rules"
first=$(awk 'BEGIN { for (k = 1; k * 3999 <= 65536; k++); print k }')
load wide "$T_TMP/wide.rules"
t_true "20 wide rules: refused" test "$rc" -ne 0
t_true "20 wide rules: the rule that passes the budget is named" \
	grep -q "$T_TMP/wide.rules:$first sid $first: the rule set's bounded repeats pass 65536" "$T_TMP/wide.out"
t_true "20 wide rules: the summary says what happened" \
	grep -q "^rules: 20 read, 0 taken, 0 skipped; 20 parsed but refused with the whole set" "$T_TMP/wide.out"

# --- an over-limit rule file --------------------------------------------
awk 'BEGIN { for (i = 1; i <= 40000; i++) printf "alert tcp any any -> any 80 (msg:\"m\"; content:\"abc\"; sid:%d;)\n", i }' >"$T_TMP/big.rules"
load big "$T_TMP/big.rules"
t_true "40000 rules: refused" test "$rc" -ne 0
t_true "40000 rules: the summary does not say they were taken" \
	grep -q "^rules: 40000 read, 0 taken, 0 skipped; 40000 parsed but refused with the whole set: 40000 rules exceed the limit" "$T_TMP/big.out"

# --- a compile that outlasts its time bound -----------------------------
# the ET Open files take about 5 s to compile here, well within the cost
# budget; with the compile watchdog (BULWARK_COMPILE_TIMEOUT) at 1 s the
# load is ended and refused, nothing committed
export BULWARK_COMPILE_TIMEOUT=1
load slowset "$BW_DATA"/rules/emerging-*.rules
unset BULWARK_COMPILE_TIMEOUT
t_true "slow compile: refused" test "$rc" -ne 0
t_true "slow compile: within 4 s" test "$secs" -le 4
t_true "slow compile: the watchdog says why" \
	grep -q "BULWARK_COMPILE_TIMEOUT.*refused; nothing committed" "$T_TMP/slowset.out"

# --- a compile that outgrows its memory bound ---------------------------
# the same files with 8 MiB of address space allowed over what bulwarkctl
# had (BULWARK_COMPILE_MEMORY; RLIMIT_AS while it compiles): Hyperscan
# fails an allocation, the set is refused, nothing committed
export BULWARK_COMPILE_MEMORY=8
load smallmem "$BW_DATA"/rules/emerging-*.rules
unset BULWARK_COMPILE_MEMORY
t_true "memory bound: refused" test "$rc" -ne 0
t_true "memory bound: Hyperscan's allocation failure is reported" \
	grep -q "Unable to allocate memory.*nothing committed" "$T_TMP/smallmem.out"

s_sample refused
s_still_enforced before refused
t_check "nothing was committed on disk" 1 "$(ls "$sd" | grep -c '^gen-.*\.img$')"

# --- a long compile holds no lock ----------------------------------------
for i in $(seq 1 8); do wide "$i" 4000; done >"$T_TMP/slow.rules"
(
	t0=$(date +%s.%N)
	"$BWCTL" --instance "$inst" --state-dir "$sd" rules load "$T_TMP/slow.rules" >"$T_TMP/slow.out" 2>&1
	echo "$? $(date +%s.%N)" >"$T_TMP/slow.done"
) &
slow=$!
T_PIDS+=("$slow")
sleep 1
t0=$(date +%s.%N)
BULWARK_TIMEOUT=5 timeout 20 "$BWCTL" --instance "$inst" --state-dir "$sd" list add ops 192.0.2.5 >"$T_TMP/list.out" 2>&1 || true
t1=$(date +%s.%N)
wait "$slow" || true
read -r slow_rc slow_end <"$T_TMP/slow.done"
t_true "the list change was applied" grep -q "^generation 2 applied" "$T_TMP/list.out"
t_true "while the rules still compiled" awk -v a="$t1" -v b="$slow_end" 'BEGIN { exit !(a < b) }'
t_true "within 3 s" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }'
t_check "the slow load was committed after it" 0 "$slow_rc"
t_true "as generation 3" grep -q "^generation 3 applied" "$T_TMP/slow.out"

sleep 0.5
s_sample after
t_check "generation 3 in force" 3 "$(t_json "$T_TMP/after.json" 'd["applied_generation"]')"
t_check "after: no probe reached the inside port" 0 \
	"$(t_json "$T_TMP/after.json" '[p["opackets"] for p in d["ports"] if p["role"]=="inside"][0]')"
t_true "after: probes still dropped by the list" test \
	"$(t_json "$T_TMP/after.json" 'd["totals"]["drops"]["blocklist"]')" -gt \
	"$(t_json "$T_TMP/refused.json" 'd["totals"]["drops"]["blocklist"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
