#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# test_rules --counts on rules that parse but do not compile: the table says
# "error", the reason reaches stderr, and the exit status is 1 (it was 0).
# usage: counts_error.sh TEST_RULES FIXTURE_DIR
set -u
out=$("$1" --counts "$2" 2>&1 >/dev/null)
rc=$?
fail=0
if [ "$rc" -ne 1 ]; then
	echo "FAIL: exit status $rc, want 1"
	fail=1
fi
case $out in
*"Pattern is too large"*) ;;
*) echo "FAIL: no compile error on stderr: $out"; fail=1 ;;
esac
[ "$fail" -eq 0 ] && echo "ok: test_rules --counts fails on a compile error"
exit "$fail"
