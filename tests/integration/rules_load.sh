#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `bulwarkctl rules` against a running dataplane (null vdevs): the ET SCADA
# file loads as one FULL generation with its summary; rules show lists the
# taken rules; bad input (--strict with skipped rules, a file where no rule
# can be taken, a pcre Hyperscan refuses, a set over the image's rule
# limit, a missing file, a bad variable) exits 1 with the reason
# and leaves the generation in force and the state directory as they were;
# rules flush, batch and rollback treat rules as part of the ruleset; the
# rules survive a restart of the dataplane.
. "$(dirname "$0")/lib.sh"

t_instance rl
scada=$BW_DATA/rules/emerging-scada.rules

start() {
	bw_start "$inst" "$T_TMP/bulwark.log" --vdev net_null0,no-rx=1 \
		--vdev net_null1,no-rx=1 -- --instance "$inst" --state-dir "$sd"
	t_true "dataplane up" bw_wait_running "$inst" 20
}

# state_of: generation in force, image files, rules in the newest one
state_of() {
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/st.json"
	ctl rules show --json >"$T_TMP/show.json"
	printf '%s %s %s' "$(t_json "$T_TMP/st.json" 'd["applied_generation"]')" \
		"$(ls "$sd" 2>/dev/null | grep -c '^gen-.*\.img$')" \
		"$(t_json "$T_TMP/show.json" 'len(d["rules"])')"
}

start
t_check "empty at start" "0 0 0" "$(state_of)"

rc=0
ctl rules load "$scada" >"$T_TMP/load.out" 2>"$T_TMP/load.err" || rc=$?
t_check "load: exit status" 0 "$rc"
t_check "load: summary" "rules: 90 read, 34 taken, 56 skipped" \
	"$(head -1 "$T_TMP/load.out")"
t_true "load: compile line" grep -q "^compiled 34 content rules" "$T_TMP/load.out"
t_true "load: applied" grep -q "generation 1 applied" "$T_TMP/load.out"
t_check "load: skip lines" 56 "$(grep -c "^$scada:[0-9]* sid [0-9]*: " "$T_TMP/load.err")"
t_true "load: tally" grep -q "^  skipped 33: unsupported protocol http$" "$T_TMP/load.err"
t_check "after load" "1 1 34" "$(state_of)"
t_check "iec-104 sids taken" "[2046158, 2046159, 2046160, 2046161, 2046162]" \
	"$(t_json "$T_TMP/show.json" 'sorted(r["sid"] for r in d["rules"] if 2046158 <= r["sid"] <= 2046162)')"
before=$(state_of)

# reject NAME WANT ARGS...: the command exits 1, stderr holds WANT, and
# nothing changed
reject() {
	local name=$1 want=$2 rc=0
	shift 2
	ctl "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" || rc=$?
	t_check "$name: exit status" 1 "$rc"
	if grep -qF -- "$want" "$T_TMP/$name.err"; then
		t_check "$name: reason" "$want" "$want"
	else
		t_check "$name: reason" "$want" "$(cat "$T_TMP/$name.err")"
	fi
	t_check "$name: nothing changed" "$before" "$(state_of)"
}

reject strict "bulwarkctl: 56 rules skipped with --strict; nothing committed" \
	rules load --strict "$scada"
printf 'alert tcp any any -> any any (msg:"x"; byte_test:1,>,2,0; sid:7;)\nnot a rule at all\n' >"$T_TMP/bad.rules"
reject unparseable "bulwarkctl: none of 2 rules taken; nothing committed" \
	rules load "$T_TMP/bad.rules"
t_true "unparseable: reasons" grep -q "bad.rules:1 sid 7: unsupported keyword byte_test" "$T_TMP/unparseable.err"
printf 'alert tcp any any -> any any (msg:"big"; pcre:"/a{1000000}/"; sid:8;)\n' >"$T_TMP/hs.rules"
reject hyperscan "bulwarkctl: 1 rule skipped with --strict; nothing committed" \
	rules load --strict "$T_TMP/hs.rules"
t_true "hyperscan: reason" grep -q "hs.rules:1 sid 8: pcre rejected by hyperscan" "$T_TMP/hyperscan.err"
reject missing "$T_TMP/none.rules: No such file or directory; nothing committed" \
	rules load "$T_TMP/none.rules"
# one rule more than a ruleset image holds (BW_RULE_MAX)
"$PY" -c 'import sys
for i in range(32769):
    print("alert tcp any any -> any %d (msg:\"r%d\"; content:\"pattern-%d\"; sid:%d;)" % (1 + i % 65000, i, i, 100000 + i))' >"$T_TMP/big.rules"
reject oversized "bulwarkctl: 32769 rules exceed the limit of 32768 in one ruleset; nothing committed" \
	rules load "$T_TMP/big.rules"
printf 'HOME_NET [10.0.0.0/8,nonsense]\n' >"$T_TMP/bad.vars"
reject badvars "bad variables" rules load --vars "$T_TMP/bad.vars" "$scada"
rc=0
ctl rules check --strict "$scada" >/dev/null 2>&1 || rc=$?
t_check "check --strict: exit status" 1 "$rc"
t_true "check: compiles" ctl rules check "$scada"
t_check "check: nothing changed" "$before" "$(state_of)"

# variables: set, shown, refused when bad
t_true "vars set" ctl vars set HOME_NET "[192.0.2.0/24]"
t_true "vars show" grep -q "^HOME_NET \[192.0.2.0/24\] (set)$" <(ctl vars show)
rc=0
ctl vars set HOME_NET "[nonsense" 2>/dev/null || rc=$?
t_check "vars set bad: exit status" 1 "$rc"
t_true "vars kept" grep -q "^HOME_NET \[192.0.2.0/24\] (set)$" <(ctl vars show)

# flush and a list change in one batch: one generation
printf 'rules flush\nlist add blk 198.51.100.0/24\n' >"$T_TMP/b1"
t_true "list for batch" ctl list load blk /dev/null
t_true "batch flush" ctl batch "$T_TMP/b1"
t_check "after batch" "3 3 0" "$(state_of)"
t_true "rollback to 1" ctl rollback 1
t_check "rules back" "4 4 34" "$(state_of)"

# restart: the dataplane comes back with the rules of generation 4
bw_stop
start
t_check "after restart" "4 4 34" "$(state_of)"
bw_stop
t_done
