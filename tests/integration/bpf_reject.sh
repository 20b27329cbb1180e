#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Rejections reach the operator with the verifier's reason and leave the
# running ruleset untouched. With a dataplane running a program (modbus):
# `bulwarkctl bpf load` of programs that read out of bounds, loop, call an
# unknown helper, write their context, call another function, use a map or
# global data, or name a section that is not there exits 1 with
# "OBJECT.o: ..." and the reason; a batch with one such line commits
# nothing. The generation in force, the state directory and the running
# program stay as they were; a good program then goes in, and rollback
# brings back an earlier generation's programs. Then the dataplane's own
# check: a generation whose program passes image validation but not
# rte_bpf (patched on disk) is refused at start, and the one before it is
# applied.
. "$(dirname "$0")/lib.sh"

ex=$BW_BUILD/examples/bpf
bad=$BW_BUILD/tests/bpf
t_instance br

for f in "$ex/modbus_write.o" "$bad/bad_oob.o" "$bad/two_progs.o"; do
	[ -f "$f" ] || { t_log "skipped: $f not built (clang BPF target)"; exit 77; }
done
t_empty_pcap "$T_TMP/empty.pcap"

t_true "stage modbus" ctl bpf load modbus "$ex/modbus_write.o"
bw_start "$inst" "$T_TMP/bulwark.log" --vdev net_null0,no-rx=1 \
	--vdev net_null1,no-rx=1 -- --instance "$inst" --state-dir "$sd"
t_true "dataplane up" bw_wait_running "$inst" 20

# state_of: generation in force, image files, the running program's code
state_of() {
	"$BWCTL" --instance "$inst" stats --json >"$T_TMP/st.json"
	ctl bpf show --json >"$T_TMP/show.json"
	printf '%s %s %s' "$(t_json "$T_TMP/st.json" 'd["applied_generation"]')" \
		"$(ls "$sd" | grep -c '^gen-.*\.img$')" \
		"$(t_json "$T_TMP/show.json" '[(p["name"], p["crc32c"], p["running"] is not None) for p in d["programs"]]')"
}
before=$(state_of)
t_log "in force: $before"

# reject NAME WANT ARGS...: bpf load exits 1 and stderr holds WANT
reject() {
	local name=$1 want=$2 rc=0
	shift 2
	ctl bpf load "$@" >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" || rc=$?
	t_check "$name: exit status" 1 "$rc"
	if grep -qF -- "$want" "$T_TMP/$name.err"; then
		t_check "$name: reason" "$want" "$want"
	else
		t_check "$name: reason" "$want" "$(cat "$T_TMP/$name.err")"
	fi
	t_check "$name: nothing changed" "$before" "$(state_of)"
}

reject oob "bulwarkctl: $bad/bad_oob.o: section bulwark: verifier: memory boundary violation at pc: 2; nothing committed" \
	x "$bad/bad_oob.o"
reject loop "$bad/bad_loop.o: section bulwark: verifier: loops detected; loop at pc:" \
	x "$bad/bad_loop.o"
reject helper "$bad/bad_helper.o: section bulwark: verifier: insn 1: call to unknown helper 6" \
	x "$bad/bad_helper.o"
reject store "$bad/bad_store.o: section bulwark: verifier: insn 1: store through r1" \
	x "$bad/bad_store.o"
reject call "$bad/bad_call.o: section bulwark: verifier: insn 0: call to another function of the object" \
	x "$bad/bad_call.o"
reject maps "$bad/bad_maps.o: maps are not supported: seen" x "$bad/bad_maps.o"
reject data "$bad/bad_data.o: maps are not supported: bad_data.bss (global or static data)" \
	x "$bad/bad_data.o"
reject section "$ex/modbus_write.o: no program in section 'nope' (sections: bulwark)" \
	modbus "$ex/modbus_write.o" --section nope
reject choose "$bad/two_progs.o: 3 programs (sections: bulwark, drop_all, lookup): choose one with --section" \
	x "$bad/two_progs.o"
# replacing the running program with a bad one keeps the good one
reject replace "$bad/bad_oob.o: section bulwark: verifier: memory boundary violation" \
	modbus "$bad/bad_oob.o"

printf 'bpf load two %s --section drop_all\nbpf load three %s\n' \
	"$bad/two_progs.o" "$bad/bad_loop.o" >"$T_TMP/bad.batch"
rc=0
ctl batch "$T_TMP/bad.batch" >"$T_TMP/batch.out" 2>"$T_TMP/batch.err" || rc=$?
t_check "batch: exit status" 1 "$rc"
t_true "batch: the bad line named" grep -qF \
	"$T_TMP/bad.batch:2: error: $bad/bad_loop.o: section bulwark: verifier: loops detected" \
	"$T_TMP/batch.err"
t_check "batch: nothing changed" "$before" "$(state_of)"

# a good change still goes in, and the verifier accepted the others
running() { # names of the programs the dataplane runs
	ctl bpf show --json >"$T_TMP/show.json"
	t_json "$T_TMP/show.json" '" ".join(p["name"] for p in d["programs"] if p["running"])'
}
t_true "a good program loads" ctl bpf load lookup "$bad/two_progs.o" --section lookup
t_check "generation 2 runs both" "modbus lookup" "$(running)"
t_check "generation 2 in force" 2 "$(t_json "$T_TMP/show.json" 'd["dataplane"]["applied_gen"]')"
# programs follow lists' rules: rollback brings back generation 1's
t_true "rollback to generation 1" ctl rollback 1
t_check "generation 3 runs generation 1's program" "modbus" "$(running)"
t_true "and forward again" ctl rollback 2
t_check "generation 4 runs both" "modbus lookup" "$(running)"
t_check "generation 4 in force" 4 "$(t_json "$T_TMP/show.json" 'd["dataplane"]["applied_gen"]')"
bw_stop
t_check "clean exit" 0 "$BW_RC"

# The dataplane checks too: generation 5 on disk with an out-of-bounds
# read patched into its first program, modbus (CRC fixed, so the image
# validates; `check` runs the verifier as well and says no).
"$PY" - "$sd/gen-00000000000000000004.img" "$sd/gen-00000000000000000005.img" \
	"$sd/audit.log" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
T = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
    T.append(c)
def crc32c(d):
    c = 0xFFFFFFFF
    for x in d:
        c = (c >> 8) ^ T[(c ^ x) & 0xFF]
    return c ^ 0xFFFFFFFF
hdr_size, = struct.unpack_from("<I", b, 12)
nsec, secoff = struct.unpack_from("<II", b, 60)
for i in range(nsec):
    typ, esz, off, ln, cnt, _ = struct.unpack_from("<IIQQII", b, secoff + 32 * i)
    if typ == 7:  # BW_SEC_BPF_INSNS: r0 = *(u8 *)(r1 + 640)
        struct.pack_into("<BBhi", b, off, 0x71, 0x10, 640, 0)
struct.pack_into("<QQ", b, 32, 5, 4)  # generation 5, parent 4
struct.pack_into("<I", b, 24, crc32c(b[hdr_size:]))
open(sys.argv[2], "wb").write(b)
# bound to its audit line, as bulwarkctl records it: the file's checksum
print("5\t4\t2025-01-01T00:00:00Z\t0\troot\tstaged\tcrc32c:%08x\tpatched"
      % crc32c(b), file=open(sys.argv[3], "a"))
PY
rc=0
ctl check "$sd/gen-00000000000000000005.img" >"$T_TMP/check.out" 2>"$T_TMP/check.err" || rc=$?
t_check "check: the image is valid, its program is not" 1 "$rc"
t_true "check: says which and why" grep -q \
	"program 'modbus': verifier: memory boundary violation at pc: 0" \
	"$T_TMP/check.err"
bw_start "$inst" "$T_TMP/restart.log" --vdev net_null0,no-rx=1 \
	--vdev net_null1,no-rx=1 -- --instance "$inst" --state-dir "$sd"
t_true "restarted" bw_wait_running "$inst" 20
t_check "the dataplane refused generation 5, runs 4" 4 \
	"$("$BWCTL" --instance "$inst" stats --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["applied_generation"])')"
t_true "its log says why" grep -q \
	"skipping generation 5 .*program 'modbus': memory boundary violation" \
	"$T_TMP/restart.log"
bw_stop
t_check "clean exit" 0 "$BW_RC"
t_done
