#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #15, point 7: a big commit outlasts a fixed reply timeout (a
# 1.1M-prefix commit took 34 s in the dataplane, past the CLI's 30 s).
# The CLI now waits its base timeout plus 2 s per MiB of image
# (docs/security.md, "Compile limits"). With the base at 1 s
# (BULWARK_TIMEOUT=1), a list of 1,200,000 /24 prefixes (a 9.6 MiB image,
# so 19 s) takes the dataplane well over 1 s to build, and the commit
# must still succeed: the time the dataplane reports is checked to be
# over the base, so the test shows the wait outlasted it. The running
# generation then answers lookups of the list (bulwarkctl lookup).
. "$(dirname "$0")/lib.sh"

t_instance to
"$PY" - "$T_TMP/big.txt" <<'PY'
import random, sys
random.seed(15)
seen = set()
while len(seen) < 1200000:
    seen.add(random.getrandbits(24) | 1 << 24)
with open(sys.argv[1], "w") as f:
    for v in seen:
        f.write("%d.%d.%d.0/24\n" % ((v >> 16) % 223 + 1, (v >> 8) & 255,
                                      v & 255))
PY
n=$(sort -u "$T_TMP/big.txt" | wc -l)
t_true "the list holds over 1.1M distinct prefixes" test "$n" -gt 1100000
probe=$(head -1 "$T_TMP/big.txt" | sed 's#0/24#9#')

bw_start "$inst" "$T_TMP/dp.log" -m 3072 --vdev net_null0,no-rx=1 \
	--vdev net_null1,no-rx=1 -- --instance "$inst" --state-dir "$sd"
t_true "up" bw_wait_running "$inst" 20
set +e
BULWARK_TIMEOUT=1 timeout 120 "$BWCTL" --instance "$inst" --state-dir "$sd" \
	list load big "$T_TMP/big.txt" >"$T_TMP/commit.out" 2>&1
rc=$?
set -e
t_log "commit: $(tail -1 "$T_TMP/commit.out")"
t_check "the big commit succeeds with a 1 s base timeout" 0 "$rc"
ms=$(sed -n 's/.*, total \([0-9]*\)\.[0-9]* ms$/\1/p' "$T_TMP/commit.out" | tail -1)
t_true "the dataplane took longer than the base timeout (${ms:-?} ms)" \
	test "${ms:-0}" -gt 1000
t_true "generation 1 runs it: a listed address is found" \
	sh -c "'$BWCTL' --instance '$inst' --state-dir '$sd' lookup $probe | grep -q big"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
