#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17, points 1 and 8: the Debian package scripts/package builds,
# unpacked into a scratch root (dpkg -x): its files, bulwarkctl --version
# run from it, the unit checked by systemd-analyze verify (and a broken
# copy refused, so the check can fail), the sysusers.d and tmpfiles.d
# entries applied by systemd's own tools to a second scratch root, the
# start script's parsing of /etc/bulwark/NAME.conf, and a dataplane
# started by that script from the package, seen running by the package's
# bulwarkctl, and the exporter's unit: verified, its ExecStart run with
# the unit's credentials and scraped. PID 1 here is not systemd: starting
# the units themselves is the manual check of docs/operator-guide.md.
. "$(dirname "$0")/lib.sh"
t_instance in
R="$T_TMP/root"
# the readers' group, for the exporter's run (the dataplane grants it
# read access to its status region at start)
made_ro_group=
getent group bulwark-ro >/dev/null || { groupadd --system bulwark-ro; made_ro_group=1; }
t_extra_cleanup() {
	rm -f "/dev/shm/bulwark.$inst.status"
	[ -z "$made_ro_group" ] || groupdel bulwark-ro 2>/dev/null || true
}

# --- build and unpack ------------------------------------------------------
set +e
deb=$("$BW_SRC/scripts/package" "$T_TMP/out" 2>"$T_TMP/package.err" | tail -1)
rc=$?
set -e
t_check "scripts/package exits 0" 0 "$rc"
t_true "it built a .deb ($deb)" test -s "$deb"
dpkg-deb -f "$deb" Package Version Depends >"$T_TMP/control"
version=$(meson introspect --projectinfo "$BW_BUILD" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["version"])')
t_true "package bulwark" grep -qx "Package: bulwark" "$T_TMP/control"
t_true "version $version" grep -qx "Version: $version" "$T_TMP/control"
t_true "it depends on Hyperscan's package" grep -q "libhyperscan" "$T_TMP/control"
dpkg -x "$deb" "$R"
for f in usr/bin/bulwark usr/bin/bulwarkctl usr/libexec/bulwark-start \
	usr/lib/systemd/system/bulwark@.service usr/lib/tmpfiles.d/bulwark.conf \
	usr/lib/systemd/system/bulwark-exporter@.service \
	usr/lib/sysusers.d/bulwark.conf usr/share/man/man8/bulwark.8 \
	usr/share/man/man8/bulwarkctl.8 usr/share/man/man5/bulwark.conf.5 \
	usr/share/bash-completion/completions/bulwarkctl \
	usr/include/bulwark/bw_bpf.h etc/bulwark/example.conf \
	usr/share/doc/bulwark/examples/bpf/modbus_write.c; do
	t_true "the package installs /$f" test -s "$R/$f"
done
t_true "the eBPF header is the project's" cmp -s "$R/usr/include/bulwark/bw_bpf.h" "$BW_SRC/include/bw_bpf.h"
t_true "an example program compiles against the installed header" \
	clang -O2 -target bpf -ffreestanding -I "$R/usr/include/bulwark" \
	-c "$R/usr/share/doc/bulwark/examples/bpf/modbus_write.c" -o "$T_TMP/modbus_write.o"
t_check "bulwarkctl --version from the package" "bulwarkctl $version" \
	"$("$R/usr/bin/bulwarkctl" --version | cut -d' ' -f1,2)"
t_true "the packaged completion completes" bash -c ". '$R/usr/share/bash-completion/completions/bulwarkctl'
	COMP_WORDS=(bulwarkctl stat); COMP_CWORD=1; _bulwarkctl; [ \"\${COMPREPLY[*]}\" = 'status stats' ]"

# --- systemd-analyze verify ----------------------------------------------
# the unit as packaged, its paths moved into the scratch root
mkdir "$T_TMP/units"
sed "s|/usr/|$R/usr/|g; s|/etc/bulwark|$R/etc/bulwark|g" \
	"$R/usr/lib/systemd/system/bulwark@.service" >"$T_TMP/units/bulwark@lab.service"
set +e
MANPATH="$R/usr/share/man" systemd-analyze verify "$T_TMP/units/bulwark@lab.service" >"$T_TMP/verify.out" 2>&1
rc=$?
set -e
t_check "systemd-analyze verify passes on bulwark@.service" 0 "$rc"
t_check "and says nothing" "" "$(cat "$T_TMP/verify.out")"
sed 's/^Type=notify/Type=notifyy/' "$T_TMP/units/bulwark@lab.service" >"$T_TMP/units/bulwark@bad.service"
set +e
MANPATH="$R/usr/share/man" systemd-analyze verify "$T_TMP/units/bulwark@bad.service" >"$T_TMP/verify-bad.out" 2>&1
set -e
t_true "a broken copy is reported" grep -q "notifyy" "$T_TMP/verify-bad.out"
t_true "the unit is Type=notify with a watchdog and Restart=always" bash -c \
	"grep -qx Type=notify '$R/usr/lib/systemd/system/bulwark@.service' &&
	 grep -q '^WatchdogSec=' '$R/usr/lib/systemd/system/bulwark@.service' &&
	 grep -qx Restart=always '$R/usr/lib/systemd/system/bulwark@.service'"

# the exporter's unit: verified the same way; unprivileged, readers' group
sed "s|/usr/|$R/usr/|g; s|/etc/bulwark|$R/etc/bulwark|g" \
	"$R/usr/lib/systemd/system/bulwark-exporter@.service" >"$T_TMP/units/bulwark-exporter@lab.service"
set +e
MANPATH="$R/usr/share/man" systemd-analyze verify "$T_TMP/units/bulwark-exporter@lab.service" >"$T_TMP/verify-exp.out" 2>&1
rc=$?
set -e
t_check "systemd-analyze verify passes on bulwark-exporter@.service" 0 "$rc"
t_check "and says nothing" "" "$(cat "$T_TMP/verify-exp.out")"
sed 's/^DynamicUser=yes/DynamicUser=maybe/' "$T_TMP/units/bulwark-exporter@lab.service" >"$T_TMP/units/bulwark-exporter@bad.service"
set +e
MANPATH="$R/usr/share/man" systemd-analyze verify "$T_TMP/units/bulwark-exporter@bad.service" >"$T_TMP/verify-exp-bad.out" 2>&1
set -e
t_true "a broken copy is reported" grep -q "maybe" "$T_TMP/verify-exp-bad.out"
exp_unit="$R/usr/lib/systemd/system/bulwark-exporter@.service"
t_true "the exporter runs as a transient user of group bulwark-ro, after the dataplane" bash -c \
	"grep -qx DynamicUser=yes '$exp_unit' && grep -qx SupplementaryGroups=bulwark-ro '$exp_unit' &&
	 grep -q '^After=.*bulwark@%i.service' '$exp_unit' && grep -qx 'CapabilityBoundingSet=' '$exp_unit'"

# --- sysusers.d and tmpfiles.d, applied by systemd's tools ---------------
S="$T_TMP/sys"
mkdir -p "$S/etc"
t_true "systemd-sysusers applies the package's entry" \
	systemd-sysusers --root="$S" "$R/usr/lib/sysusers.d/bulwark.conf"
gid_of() { awk -F: -v g="$1" '$1==g{print $3}' "$S/etc/group"; }
t_true "group bulwark made" test -n "$(gid_of bulwark)"
t_true "group bulwark-ro made" test -n "$(gid_of bulwark-ro)"
t_true "systemd-tmpfiles applies the package's entry" \
	systemd-tmpfiles --root="$S" --create "$R/usr/lib/tmpfiles.d/bulwark.conf"
t_check "/var/lib/bulwark: 0750 root:bulwark" "750 0 $(gid_of bulwark)" "$(stat -c '%a %u %g' "$S/var/lib/bulwark")"
t_check "/run/bulwark: 0755 root:root (the dataplane's rule)" "755 0 0" "$(stat -c '%a %u %g' "$S/run/bulwark")"

# --- bulwark-start: /etc/bulwark/NAME.conf --------------------------------
start="$R/usr/libexec/bulwark-start"
t_check "the example configuration, as a command line" \
	"$R/usr/bin/bulwark -l 0-2 -a 0000:03:00.0 -a 0000:03:00.1 --socket-mem 1024 -- --instance lab --pair 0:1 --restore-fail-closed" \
	"$(BULWARK_PROGRAM="$R/usr/bin/bulwark" "$start" --print lab "$R/etc/bulwark/example.conf" | paste -sd' ')"
bad_conf() { # bad_conf NAME WANT LINE...: a file of LINEs is refused with WANT
	local name=$1 want=$2
	shift 2
	printf '%s\n' "$@" >"$T_TMP/$name.conf"
	set +e
	"$start" --print lab "$T_TMP/$name.conf" >"$T_TMP/$name.out" 2>&1
	local rc=$?
	set -e
	t_check "$name: refused" 1 "$rc"
	t_true "$name: says '$want'" grep -qF -- "$want" "$T_TMP/$name.out"
}
bad_conf unknown "$T_TMP/unknown.conf:2: unknown key 'LCORE'" "LCORES=0-1" "LCORE=0-2"
bad_conf twice "$T_TMP/twice.conf:3: LCORES given twice (first on line 1)" "LCORES=0-1" "# c" "LCORES=0-3"
bad_conf noval "$T_TMP/noval.conf: LCORES is required" "PORTS=0000:03:00.0"
bad_conf workers "WORKERS=4, but LCORES=0-2 gives 2" "LCORES=0-2" "WORKERS=4"
bad_conf instance "--instance is the unit's name" "LCORES=0-1" "OPTIONS='--instance other'"
bad_conf port "'eth0' is not a PCI address" "LCORES=0-1" "PORTS=eth0"
bad_conf shell "not KEY=VALUE" "LCORES=0-1" "\$(touch $T_TMP/pwned)"
bad_conf quotes "quote the whole value, once" "LCORES=0-1" "OPTIONS=--pair \"0:1\""
t_true "nothing in the file was run" test ! -e "$T_TMP/pwned"

# --- the package's script starts the package's dataplane -------------------
t_empty_pcap "$T_TMP/empty.pcap"
cat >"$T_TMP/lab.conf" <<CONF
# a lab instance on pcap vdevs
LCORES=0,1
WORKERS=1
EAL_OPTIONS="--no-huge -m 1024 --no-pci --file-prefix bw-$inst --vdev net_pcap0,rx_pcap=$T_TMP/empty.pcap,tx_pcap=/dev/null --vdev net_null0,no-rx=1"
OPTIONS='--state-dir $T_TMP/state'
CONF
T_PREFIXES+=("bw-$inst")
BULWARK_PROGRAM="$R/usr/bin/bulwark" "$start" "$inst" "$T_TMP/lab.conf" >"$T_TMP/lab.log" 2>&1 &
BW_PID=$!
T_PIDS+=("$BW_PID")
up=
for _ in $(seq 100); do
	if "$R/usr/bin/bulwarkctl" --instance "$inst" status >/dev/null 2>&1; then
		up=1
		break
	fi
	kill -0 "$BW_PID" 2>/dev/null || break
	sleep 0.2
done
t_true "the dataplane runs, says the package's bulwarkctl" test -n "$up"
t_check "the script's pid is the dataplane's (exec, for Type=notify)" \
	"$R/usr/bin/bulwark" "$(readlink "/proc/$BW_PID/exe")"
t_check "under the unit's instance name" "$inst" \
	"$("$R/usr/bin/bulwarkctl" --instance "$inst" status --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["instance"])')"
# the exporter's command line from its unit, as systemd would run it: the
# instance for %i, port 0 for the listen address, and the credentials of
# DynamicUser=yes with SupplementaryGroups=bulwark-ro (a uid without an
# account, the readers' group); the kernel decides what it may read
exec_line=$(sed -n 's/^ExecStart=//p' "$exp_unit")
exec_line=${exec_line//%i/$inst}
exec_line=${exec_line//'${BULWARK_EXPORTER_LISTEN}'/127.0.0.1:0}
read -ra exp_cmd <<<"$exec_line"
t_check "ExecStart runs the package's bulwarkctl metrics --listen" \
	"/usr/bin/bulwarkctl --instance $inst metrics --listen 127.0.0.1:0" "${exp_cmd[*]}"
exp_cmd[0]=$R${exp_cmd[0]}
ro_gid=$(getent group bulwark-ro | cut -d: -f3)
# scrape_as NAME GROUPS-OPTION: the unit's command as uid 64999 with the
# setpriv groups option given, until it listens; one scrape into
# $T_TMP/scrape-NAME.txt, then stopped
scrape_as() {
	local name=$1 groups=$2 port= pid
	setpriv --reuid=64999 --regid=64999 "$groups" "${exp_cmd[@]}" \
		>"$T_TMP/exporter-$name.out" 2>&1 &
	pid=$!
	T_PIDS+=("$pid")
	for _ in $(seq 50); do
		port=$(sed -n 's/^listening on .*(port \([0-9]*\)).*/\1/p' "$T_TMP/exporter-$name.out")
		[ -z "$port" ] || break
		sleep 0.1
	done
	t_true "$name: the exporter listens ($(head -1 "$T_TMP/exporter-$name.out"))" test -n "$port"
	"$PY" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' \
		"${port:-1}" >"$T_TMP/scrape-$name.txt" 2>&1 || true
	kill -TERM "$pid"
	wait "$pid" || true
}
scrape_as readers --groups="$ro_gid"
t_true "a scrape says the dataplane is up" grep -qx "bulwark_up 1" "$T_TMP/scrape-readers.txt"
# the same without the readers' group: the kernel lets it read nothing
scrape_as nogroup --clear-groups
t_true "without group bulwark-ro it reads nothing: bulwark_up 0" grep -qx "bulwark_up 0" "$T_TMP/scrape-nogroup.txt"
kill -TERM "$BW_PID"
wait "$BW_PID" || true
t_done
