#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15, point 7, in a batch: `bulwarkctl batch` compiled its `rules
# load` lines with the state directory locked, so that a slow rule set held
# every other operator's commit up. Now it compiles them before it takes
# the lock: a list change by another process, started while the batch
# compiles, is applied (generation 2) before the batch ends; the batch then
# commits on top of it (generation 3): its own lines and the other
# process's change are both in force, and a batch with a bad rules file
# still commits nothing, naming FILE:LINE.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ctl_helpers.sh"
s_setup bl
bw_start_endless "$inst"

wide() { # wide SID WITHIN: a positive window of WITHIN bytes (ctl_bomb.sh)
	printf 'alert tcp any any -> any 80 (msg:"wide %d"; content:"GET"; content:"|0a|"; distance:0; within:%d; sid:%d;)\n' "$1" "$2" "$1"
}
for i in $(seq 1 8); do wide "$i" 4000; done >"$T_TMP/slow.rules"
printf '# a slow compile, then a list\nrules load %s\nlist add batchlist 203.0.113.7\n' \
	"$T_TMP/slow.rules" >"$T_TMP/slow.batch"

(
	"$BWCTL" --instance "$inst" --state-dir "$sd" batch "$T_TMP/slow.batch" >"$T_TMP/batch.out" 2>&1
	echo "$? $(date +%s.%N)" >"$T_TMP/batch.done"
) &
slow=$!
T_PIDS+=("$slow")
sleep 1
t0=$(date +%s.%N)
BULWARK_TIMEOUT=5 timeout 20 "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list add ops 192.0.2.5 >"$T_TMP/list.out" 2>&1 || true
t1=$(date +%s.%N)
wait "$slow" || true
read -r batch_rc batch_end <"$T_TMP/batch.done"
t_true "the list change was applied" grep -q "^generation 2 applied" "$T_TMP/list.out"
t_true "while the batch still compiled" awk -v a="$t1" -v b="$batch_end" 'BEGIN { exit !(a < b) }'
t_true "within 3 s" awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a < 3) }'
t_check "the batch was committed after it" 0 "$batch_rc"
t_true "as generation 3" grep -q "^generation 3 applied" "$T_TMP/batch.out"

sleep 0.3
ctl list show ops --json >"$T_TMP/ops.json"
ctl list show batchlist --json >"$T_TMP/batchlist.json"
t_check "the other process's change is still there" True \
	"$(t_json "$T_TMP/ops.json" '"192.0.2.5/32" in d["lists"][0]["entries"]')"
t_check "the batch's list line is in force" "['203.0.113.7/32']" \
	"$(t_json "$T_TMP/batchlist.json" 'd["lists"][0]["entries"]')"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/after.json"
t_check "generation 3 in force" 3 "$(t_json "$T_TMP/after.json" 'd["applied_generation"]')"
t_check "the batch's 8 rules in force" 8 \
	"$(ctl rules show --json | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)["rules"]))')"

# a bad rules file in a batch: named, nothing committed
printf '# no rule it can take\nalert tcp any any -> any 80 (msg:"y"; nonsense; sid:2;)\n' >"$T_TMP/bad.rules"
printf 'list add batchlist 203.0.113.8\nrules load %s\n' "$T_TMP/bad.rules" >"$T_TMP/bad.batch"
rc=0
ctl batch "$T_TMP/bad.batch" >"$T_TMP/bad.out" 2>&1 || rc=$?
t_check "bad batch: fails" 1 "$rc"
t_true "bad batch: the rule named by FILE:LINE" grep -q "$T_TMP/bad.rules:2" "$T_TMP/bad.out"
t_true "bad batch: nothing committed" grep -q "nothing committed" "$T_TMP/bad.out"
"$BWCTL" --instance "$inst" stats --json >"$T_TMP/bad.json"
t_check "bad batch: generation 3 stays" 3 "$(t_json "$T_TMP/bad.json" 'd["applied_generation"]')"
ctl list show batchlist --json >"$T_TMP/batchlist2.json"
t_check "bad batch: its list line was not applied" "['203.0.113.7/32']" \
	"$(t_json "$T_TMP/batchlist2.json" 'd["lists"][0]["entries"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
