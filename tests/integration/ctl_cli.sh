#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17, point 7 (control side): --version, --json on every read
# command (each document parsed by Python's json, an independent reader),
# the exit statuses the help and the man page promise (0 done, 1 failed,
# 2 bad command line), the bash completion generated from the command
# table (sourced into bash and asked as bash would ask), and the man pages
# built by scdoc.
. "$(dirname "$0")/lib.sh"
t_instance cli

rc_of() { # rc_of OUT CMD...: the exit status; output in $T_TMP/OUT
	local out=$1
	shift
	set +e
	"$@" >"$T_TMP/$out" 2>"$T_TMP/$out.err"
	echo $?
	set -e
}
# json_ok FILE: every non-blank line of FILE is one JSON document
json_ok() {
	"$PY" -c '
import json, sys
n = 0
for line in open(sys.argv[1]):
    if line.strip():
        json.loads(line); n += 1
sys.exit(0 if n > 0 else 1)' "$1"
}

# --- version and help ----------------------------------------------------
t_check "--version exits 0" 0 "$(rc_of v.out "$BWCTL" --version)"
t_true "--version names the version" grep -Eq '^bulwarkctl [0-9]+\.[0-9]+\.[0-9]+' "$T_TMP/v.out"
t_check "--help exits 0" 0 "$(rc_of h.out "$BWCTL" --help)"
t_true "--help documents the exit statuses" grep -q "Exit status: 0 done" "$T_TMP/h.out"

# --- exit statuses: 2 for the command line ------------------------------
while IFS='|' read -r want args; do
	# shellcheck disable=SC2086
	t_check "exit status of 'bulwarkctl $args'" "$want" \
		"$(rc_of e.out "$BWCTL" --instance "$inst" --state-dir "$sd" $args)"
done <<'LIST'
2|
2|nosuchcommand
2|status --nosuchoption
2|status extra
2|list
2|list nosuch x
2|list add
2|lookup
2|lookup 10.0.0.0/8
2|stats --watch 0
2|rules load --action x f
2|vars set ONLYNAME
2|vars show --jsno
0|help
0|help list
0|list --help
LIST
t_check "a bad instance name exits 2" 2 "$(rc_of e.out "$BWCTL" --instance 'a/b' status)"

# --- exit statuses: 1 for a command that ran and failed -----------------
printf '10.0.0.0/8\nnot-an-address\n' >"$T_TMP/bad.txt"
printf '10.0.0.0/8\n192.0.2.0/24\n' >"$T_TMP/good.txt"
t_check "status of an instance not running exits 1" 1 "$(rc_of e.out "$BWCTL" --instance "$inst" status)"
t_check "check of a bad list exits 1" 1 "$(rc_of e.out "$BWCTL" check "$T_TMP/bad.txt")"
t_check "check of a good list exits 0" 0 "$(rc_of e.out "$BWCTL" check "$T_TMP/good.txt")"
t_check "a refused list load exits 1" 1 \
	"$(rc_of e.out "$BWCTL" --instance "$inst" --state-dir "$sd" list load blk "$T_TMP/bad.txt")"
t_check "an unknown instance exits 1" 1 "$(rc_of e.out "$BWCTL" --instance "nosuch$$" lookup 10.1.2.3)"
t_check "status --json of an instance not running: exit 1" 1 \
	"$(rc_of sj.out "$BWCTL" --instance "$inst" status --json)"
t_true "and valid JSON that says so" json_ok "$T_TMP/sj.out"
t_check "running: false" False "$(t_json "$T_TMP/sj.out" 'd["running"]')"

# --- a running dataplane: every read command with --json ----------------
t_check "stage a list" 0 \
	"$(rc_of e.out "$BWCTL" --instance "$inst" --state-dir "$sd" list load blk "$T_TMP/good.txt")"
t_empty_pcap "$T_TMP/empty.pcap"
bw_start "$inst" "$T_TMP/bulwark.log" \
	--vdev "net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null" \
	--vdev "net_null0,no-rx=1" -- --instance "$inst" --state-dir "$sd"
t_true "dataplane up" bw_wait_running "$inst" 20
while IFS='|' read -r name args; do
	# shellcheck disable=SC2086
	t_check "$name --json exits 0" 0 \
		"$(rc_of "j-$name" "$BWCTL" --instance "$inst" --state-dir "$sd" $args)"
	t_true "$name --json is JSON" json_ok "$T_TMP/j-$name"
done <<LIST
status|status --json
stats|stats --json
lookup|lookup --json 10.1.2.3 192.0.2.1
list-show|list show --json
bpf-show|bpf show --json
rules-show|rules show --json
vars-show|vars show --json
history|history --json
check|check --json $T_TMP/good.txt $sd/gen-00000000000000000001.img
LIST
t_check "status --json: running" True "$(t_json "$T_TMP/j-status" 'd["running"]')"
t_check "status --json: its pid" "$BW_PID" "$(t_json "$T_TMP/j-status" 'd["pid"]')"
t_check "status --json: generation 1 applied" 1 "$(t_json "$T_TMP/j-status" 'd["applied_generation"]')"
t_check "status --json: two ports" 2 "$(t_json "$T_TMP/j-status" 'len(d["ports"])')"
t_check "status --json: one worker" 1 "$(t_json "$T_TMP/j-status" 'len(d["worker_lcores"])')"
t_check "vars show --json: HOME_NET is a default" default \
	"$(t_json "$T_TMP/j-vars-show" '[v["source"] for v in d["variables"] if v["name"]=="HOME_NET"][0]')"
t_check "check --json: the list has 2 IPv4 prefixes" 2 \
	"$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["ipv4_prefixes"])' "$T_TMP/j-check")"
t_check "check --json: the image is generation 1" 1 \
	"$("$PY" -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[1])["generation"])' "$T_TMP/j-check")"
t_check "status exits 0 while running" 0 "$(rc_of e.out "$BWCTL" --instance "$inst" status)"
kill -TERM "$BW_PID"
wait "$BW_PID" || true
t_check "status exits 1 once stopped" 1 "$(rc_of e.out "$BWCTL" --instance "$inst" status)"

# --- bash completion, generated at build time from the table -------------
comp="$BW_BUILD/bulwarkctl"
t_true "the completion script was built" test -s "$comp"
t_true "it is the one bulwarkctl writes now" \
	cmp -s "$comp" <("$BWCTL" __bash-completion)
complete_words() { # complete_words WORD...: what bash completes for the last
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_bulwarkctl; printf "%s\n" "${COMPREPLY[@]}"' _ "$comp" bulwarkctl "$@"
}
# every command of the help (the table's own listing) completes
for c in $("$BWCTL" help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{on=0}'); do
	t_true "command $c completes from its first letters" \
		bash -c "$(declare -f complete_words); comp='$comp'; complete_words '${c:0:2}' | grep -qx '$c'"
done
t_check "list subcommands" "add" "$(complete_words list a | tr '\n' ' ' | sed 's/ $//')"
t_check "options of list load" "--format --action --match --skip-invalid --help" \
	"$(complete_words list load -- | tr '\n' ' ' | sed 's/ $//')"
t_check "values of rules load --action" "drop" "$(complete_words rules load --action d)"
t_check "values of list load --match" "src dst any" \
	"$(complete_words list load x f --match '' | tr '\n' ' ' | sed 's/ $//')"
t_check "global options" "--instance" "$(complete_words --inst)"
t_check "a command after global options" "rollback" \
	"$(complete_words --instance x --state-dir /tmp rol)"

# --- man pages, built with scdoc -----------------------------------------
for page in bulwark.8 bulwarkctl.8 bulwark.conf.5; do
	t_true "man page $page built" test -s "$BW_BUILD/docs/man/$page"
	t_true "man page $page renders" bash -c "man -l '$BW_BUILD/docs/man/$page' 2>/dev/null | grep -q '^NAME'"
done
t_true "bulwarkctl(8) documents the exit statuses" \
	bash -c "man -l '$BW_BUILD/docs/man/bulwarkctl.8' 2>/dev/null | grep -q 'EXIT STATUS'"

t_done
