#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# scripts/pktgen-lab in its testpmd mode, a few seconds, on --no-huge: the
# attack profile (256 sources in turn, the first round(256 * share / 100)
# /24s in the block list) and the content profile (a replayed capture whose
# marked share hits the drop rule). The oracles are the generator's and the
# sink's own port counters (testpmd) and the share it was told:
#   - bulwark received exactly what the generator sent (memif is lossless
#     once a frame is in the ring; the ring is drained before the sample);
#   - the sink received exactly what bulwark says it forwarded;
#   - blocklist drops are exactly those of the share of the sources
#     (testpmd's multi-flow sequence is deterministic); content-rule drops
#     are 20 % of what was sent, within the tolerance of where testpmd cut
#     its bursts;
#   - nothing else was dropped, and the lab left no process, socket, EAL
#     directory or status region behind.
. "$(dirname "$0")/lib.sh"

LAB=$BW_SRC/scripts/pktgen-lab
before_shm=$(ls /dev/shm | grep -c '^bulwark\.lab' || true)

# lab NAME ARGS...: run the lab into $T_TMP/NAME.json, bounded in time.
lab() {
	local name=$1
	shift
	timeout -k 5 200 "$LAB" --generator testpmd --no-huge --no-build \
		--build-dir "$BW_BUILD" --json "$T_TMP/$name.json" "$@" \
		>"$T_TMP/$name.out" 2>&1
}
j() { t_json "$T_TMP/$1.json" "$2"; }

# ---- attack: 25 % and 50 % of the sources blocked
for share in 25 50; do
	n=attack$share
	if ! t_true "lab attack --share $share runs" lab "$n" --profile attack \
		--share "$share" --duration 3; then
		cat "$T_TMP/$n.out"
		continue
	fi
	cat "$T_TMP/$n.out"
	sent=$(j "$n" 'd["gen_tx"]')
	t_true "generator sent traffic ($sent)" test "$sent" -gt 1000
	t_check "bulwark received what testpmd sent" "$sent" "$(j "$n" 'd["bulwark_rx"]')"
	t_check "the sink received what bulwark forwarded" \
		"$(j "$n" 'd["bulwark_tx"]')" "$(j "$n" 'd["sink_rx"]')"
	# testpmd's txonly-multi-flow takes source 198.18.X.* with X = 0, 1,
	# ..., 255, 0, ... per frame sent (a frame its tx ring refused gives
	# its X back), so the first N sent hold floor(N / 256) full cycles:
	# the drops are exact
	got=$(j "$n" 'd["filter_drops"].get("blocklist", 0)')
	k=$(((256 * share + 50) / 100))
	r=$((sent % 256))
	want=$((sent / 256 * k + (r < k ? r : k)))
	t_check "blocklist drops: $share % of the $sent sent" "$want" "$got"
	t_check "no other filter drop" "" \
		"$(j "$n" '" ".join(k for k in d["filter_drops"] if k != "blocklist")')"
	t_check "bulwark exited cleanly" 0 "$(j "$n" 'd["bulwark_exit"]')"
	t_check "forwarded + dropped = received" "$(j "$n" 'd["bulwark_rx"]')" \
		"$(j "$n" 'd["bulwark_tx"] + d["filter_drops"].get("blocklist", 0) + d["loss"]["tx-full"]')"
done

# ---- content: a replayed capture, 20 % of its frames marked
n=content
if t_true "lab content --share 20 runs" lab "$n" --profile content --share 20 \
	--duration 3; then
	cat "$T_TMP/$n.out"
	sent=$(j "$n" 'd["gen_tx"]')
	t_true "generator sent traffic ($sent)" test "$sent" -gt 1000
	t_check "bulwark received what testpmd sent" "$sent" "$(j "$n" 'd["bulwark_rx"]')"
	# the capture repeats a period of 100 frames holding 20 marked ones,
	# replayed in order; testpmd io frees the tail of a burst its memif
	# ring refused, which cuts the order where the ring was full: allow
	# 2 % of the frames sent plus one period
	got=$(j "$n" 'd["filter_drops"].get("content-rule", 0)')
	want=$((sent * 20 / 100))
	tol=$((sent / 50 + 20))
	t_true "content-rule drops $got = $want +- $tol (20 % of $sent)" \
		test $((got > want ? got - want : want - got)) -le "$tol"
	t_check "no other filter drop" "" \
		"$(j "$n" '" ".join(k for k in d["filter_drops"] if k != "content-rule")')"
	t_check "the sink received what bulwark forwarded" \
		"$(j "$n" 'd["bulwark_tx"]')" "$(j "$n" 'd["sink_rx"]')"
else
	cat "$T_TMP/$n.out"
fi

# ---- bad input is refused before anything starts
t_true "an unknown profile is refused" \
	bash -c "! '$LAB' --profile nope --no-build --build-dir '$BW_BUILD' 2>/dev/null"
t_true "a share over 100 is refused" \
	bash -c "! '$LAB' --share 101 --no-build --build-dir '$BW_BUILD' 2>/dev/null"

# ---- nothing left behind
t_check "no lab process left" "" "$(pgrep -f 'file-prefix bwlab-' || true)"
t_check "no lab EAL directory left" "" "$(ls /var/run/dpdk 2>/dev/null | grep '^bwlab-' || true)"
t_check "no lab status region left" "$before_shm" "$(ls /dev/shm | grep -c '^bulwark\.lab' || true)"
t_check "no lab work directory left" "" "$(ls /tmp | grep '^bw-lab\.' || true)"
t_done
