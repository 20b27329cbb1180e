#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `bulwarkctl top` against a dataplane that replayed gen_visibility.py's
# frames:
# - --once prints one frame of at most 24 lines of at most 79 characters
#   whose totals, drops by reason, list and rule hits equal the
#   generator's counts;
# - interactive, in a detached tmux session of 80x24: the frame is drawn
#   (capture-pane), fits, `q` quits with 0 and the terminal is back in
#   canonical mode with echo; SIGTERM does the same;
# - without a terminal and without --once it refuses.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vislib.sh"

t_instance tp
command -v tmux >/dev/null || {
	echo "tmux is missing: apt-get install tmux" >&2
	exit 1
}
TMUX_SOCK="bwtop$$"
t_extra_cleanup() {
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
	[ -z "${inst:-}" ] || rm -f "/dev/shm/bulwark.$inst.status"
}

vis_setup
vis_start

# --- --once
ctl top --once --interval 0.2 >"$T_TMP/once.txt"
t_true "once: at most 24 lines" test "$(wc -l <"$T_TMP/once.txt")" -le 24
t_check "once: no line over 79 characters" 0 \
	"$(awk 'length($0) > 79' "$T_TMP/once.txt" | wc -l)"
t_check "once: no escape" 0 "$(grep -c $'\033' "$T_TMP/once.txt" || true)"
# row NAME FILE: the fields of the line that starts with NAME (indented)
row() { awk -v k="$1" '$1 == k { $1 = ""; print substr($0, 2); exit }' "$2"; }
check_frame() {
	local f=$1 what=$2
	t_check "$what: totals (oracle)" \
		"rx $(t_count frames) tx $(t_count passed) dropped $(t_count drops)" \
		"$(awk '$1 == "total" { print $2, $3, $4, $5, $6, $7 }' "$f")"
	t_check "$what: blocklist drops (oracle)" "$(t_count list_attackers)" \
		"$(row blocklist "$f" | awk '{print $NF}')"
	t_check "$what: content-rule drops (oracle)" "$(t_count sid9000001)" \
		"$(row content-rule "$f" | awk '{print $NF}')"
	t_check "$what: ipv4-bad-version drops (oracle)" "$(t_count bad_version)" \
		"$(row ipv4-bad-version "$f" | awk '{print $NF}')"
	t_check "$what: list attackers (oracle)" "$(t_count list_attackers)" \
		"$(row attackers "$f" | awk '{print $NF}')"
	t_check "$what: drop rule (oracle)" "drop $(t_count sid9000001)" \
		"$(row 9000001 "$f" | awk '{print $1, $NF}')"
	t_check "$what: alert rule (oracle)" "alert $(t_count sid9000002)" \
		"$(row 9000002 "$f" | awk '{print $1, $NF}')"
	t_check "$what: outside port received (oracle)" "$(t_count frames)" \
		"$(row net_pcap0 "$f" | awk '{print $(NF-2)}')"
	t_check "$what: inside port sent (oracle)" "$(t_count passed)" \
		"$(row net_pcap1 "$f" | awk '{print $(NF-1)}')"
	t_check "$what: generation" \
		"$(ctl history 2>/dev/null | awk '$1 == "*" { print $2 }')" \
		"$(awk '$1 == "bulwark" && $2 == "top" { for (i = 1; i < NF; i++) if ($i == "gen") print $(i + 1) }' "$f")"
}
check_frame "$T_TMP/once.txt" once

rc=0
ctl top </dev/null >"$T_TMP/notty.txt" 2>&1 || rc=$?
t_check "no terminal, no --once: refused" 2 $rc
rc=0
ctl top --once --interval 0 >/dev/null 2>&1 || rc=$?
t_check "--interval 0 refused" 2 $rc

# --- interactive in tmux, 80x24
# tmx SESSION: start top in a detached session; after it exits the pane
# shows its exit status and whether the terminal has icanon and echo.
tmx() {
	tmux -L "$TMUX_SOCK" new-session -d -s "$1" -x 80 -y 24 \
		"$BWCTL --instance $inst top --interval 0.2; echo EXITED \$?; stty -a | tr ' ' '\n' | grep -xE -- '-?(icanon|echo)' | tr '\n' ' '; echo; sleep 60"
}
# pane SESSION: the visible pane
pane() { tmux -L "$TMUX_SOCK" capture-pane -p -t "$1"; }
# wait_pane SESSION REGEX: until the pane shows it (10 s)
wait_pane() {
	local i
	for i in $(seq 100); do
		pane "$1" | grep -qE "$2" && return 0
		sleep 0.1
	done
	return 1
}

tmx q
t_true "tmux: top draws" wait_pane q '^total  rx'
sleep 0.5
pane q >"$T_TMP/pane.txt"
t_true "tmux: the frame fits 24 rows" test "$(wc -l <"$T_TMP/pane.txt")" -le 24
t_check "tmux: no line over 80 characters" 0 "$(awk 'length($0) > 80' "$T_TMP/pane.txt" | wc -l)"
t_true "tmux: header first" grep -q '^bulwark top' <(head -1 "$T_TMP/pane.txt")
check_frame "$T_TMP/pane.txt" tmux
t_true "tmux: redrawn in place (one header on the screen)" \
	test "$(grep -c '^bulwark top' "$T_TMP/pane.txt")" -eq 1
tmux -L "$TMUX_SOCK" send-keys -t q q
t_true "tmux: q quits" wait_pane q '^EXITED'
t_check "tmux: exit status 0" "EXITED 0" "$(pane q | grep '^EXITED')"
t_check "tmux: terminal restored" "icanon echo" \
	"$(pane q | grep -A1 '^EXITED' | tail -1 | xargs)"

tmx t
t_true "tmux: top draws again" wait_pane t '^total  rx'
pkill_pid=$(tmux -L "$TMUX_SOCK" list-panes -t t -F '#{pane_pid}')
top_pid=$(pgrep -P "$pkill_pid" -f "top --interval" | head -1)
t_true "tmux: top's pid" test -n "$top_pid"
kill -TERM "$top_pid"
t_true "tmux: SIGTERM ends it" wait_pane t '^EXITED'
t_check "tmux: SIGTERM exit status 0" "EXITED 0" "$(pane t | grep '^EXITED')"
t_check "tmux: terminal restored after SIGTERM" "icanon echo" \
	"$(pane t | grep -A1 '^EXITED' | tail -1 | xargs)"
tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true

bw_stop
t_check "clean exit" 0 "$BW_RC"

# --- live traffic: the frames replayed without end; the last interval's
# hits rank the reasons and rules, in the generator's proportions
bw_start_endless "$inst" --flows 0
ctl top --once --interval 0.5 >"$T_TMP/live.txt"
bw_stop
t_check "live: clean exit" 0 "$BW_RC"
last() { row "$1" "$T_TMP/live.txt" | awk '{print $(NF-1)}'; }
t_check "live: reasons ranked by the last interval (oracle: 37 > 23 > 5)" \
	"blocklist content-rule ipv4-bad-version" \
	"$(sed -n '/^DROPS BY REASON/,/^TOP LISTS/p' "$T_TMP/live.txt" | awk 'NR > 1 && $1 != "TOP" {printf "%s%s", s, $1; s = " "}')"
t_check "live: rules ranked by the last interval (oracle: 23 > 11)" "9000001 9000002" \
	"$(sed -n '/^TOP RULES/,/^q: quit/p' "$T_TMP/live.txt" | awk 'NR > 1 && $1 != "q:" {printf "%s%s", s, $1; s = " "}')"
# ratio A B NA NB: the last-interval hits of A and B are in the proportion
# NA:NB within 5 %
ratio() {
	awk -v a="$(last "$1")" -v b="$(last "$2")" -v na="$3" -v nb="$4" \
		'BEGIN { exit !(a > 1000 && b > 0 && (a / b) / (na / nb) > 0.95 && (a / b) / (na / nb) < 1.05) }'
}
t_true "live: blocklist:content-rule in the last interval is 37:23 (oracle)" \
	ratio blocklist content-rule "$(t_count list_attackers)" "$(t_count sid9000001)"
t_true "live: sid 9000001:9000002 in the last interval is 23:11 (oracle)" \
	ratio 9000001 9000002 "$(t_count sid9000001)" "$(t_count sid9000002)"
# (copied a moment apart from the drops: equal within 5 %)
t_true "live: list hits in the last interval match its blocklist drops" \
	ratio attackers blocklist 1 1
t_true "live: worker busy" awk -v b="$(row 0 "$T_TMP/live.txt" | awk '{print $5}')" 'BEGIN { exit !(b + 0 > 0) }'
t_done
