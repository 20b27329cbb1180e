#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Issue #17, point 4: bulwarkctl preflight. On this machine (no NIC, its
# own hugepages): ports that do not exist are each named, the hugepages
# line says what /proc/meminfo says (an independent reading), --json says
# what the text says. On a made-up machine under BULWARK_PREFLIGHT_ROOT
# where everything holds: exit 0, every line ok; then one thing broken at
# a time, each named by its check with the exit status it deserves. The
# configuration parser against bulwark-start's own (the build's script):
# the same files accepted, the same first error with FILE:LINE. Run as a
# user the test makes: the same answers, and nothing changed anywhere.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" -eq 0 ] || { t_log "FAIL: needs root (useradd, setpriv, chown)"; exit 1; }
t_instance pf
made_op_group= made_ro_group=
user="pfno$$"
t_extra_cleanup() {
	userdel "$user" 2>/dev/null || true
	[ -z "$made_ro_group" ] || groupdel bulwark-ro 2>/dev/null || true
	[ -z "$made_op_group" ] || groupdel bulwark 2>/dev/null || true
}
getent group bulwark >/dev/null || { groupadd --system bulwark; made_op_group=1; }
getent group bulwark-ro >/dev/null || { groupadd --system bulwark-ro; made_ro_group=1; }
useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
chmod 0755 "$T_TMP"
START=$BW_BUILD/scripts/systemd/bulwark-start

# pf OUT [ARGS...]: preflight of this test's instance, output in
# $T_TMP/OUT; prints the exit status
pf() {
	local out=$1
	shift
	set +e
	"$BWCTL" --instance "$inst" preflight "$@" >"$T_TMP/$out" 2>"$T_TMP/$out.err"
	echo $?
	set -e
}
# line OUT NAME: the result word of check NAME (one word) in the text OUT
line() { awk -v n="$2" '$2 == n { print $1; exit }' "$T_TMP/$1"; }
# jfound, jfix OUT NAME: what check NAME found, its fix, in the JSON OUT
jfound() { t_json "$T_TMP/$1" "[c['found'] for c in d['checks'] if c['name'] == '$2'][0]"; }
jfix() { t_json "$T_TMP/$1" "[c['fix'] for c in d['checks'] if c['name'] == '$2'][0]"; }
# the results other than ok, as "name=result ..."
notok() { t_json "$T_TMP/$1" "' '.join(c['name'] + '=' + c['result'] for c in d['checks'] if c['result'] != 'ok')"; }

# --- this machine ----------------------------------------------------------
cat >"$T_TMP/real.conf" <<'CONF'
LCORES=0-1
WORKERS=1
PORTS="0000:ee:1f.6 0000:ee:1f.7"
CONF
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
size0=$(meminfo Hugepagesize) total0=$(meminfo HugePages_Total) free0=$(meminfo HugePages_Free)
t_check "this machine: exit 1" 1 "$(pf real.txt "$T_TMP/real.conf")"
total1=$(meminfo HugePages_Total) free1=$(meminfo HugePages_Free)
cat "$T_TMP/real.txt"
for p in 0000:ee:1f.6 0000:ee:1f.7; do
	t_true "the missing port $p is named" \
		grep -q "^FAIL port $p .*no PCI device $p on this machine" "$T_TMP/real.txt"
done
t_true "hugepages: ${size0}kB pages, $total0 reserved, as /proc/meminfo says" \
	grep -q "^[a-zA-Z]* *hugepages .*${size0}kB pages: $total0 reserved" "$T_TMP/real.txt"
if [ "$free0" = "$free1" ] && [ "$total0" = "$total1" ]; then
	t_true "and $free0 free" grep -q "${size0}kB pages: $total0 reserved, $free0 free" "$T_TMP/real.txt"
fi
if [ "$free0" = 0 ] && [ "$free1" = 0 ]; then
	t_check "no free hugepages: FAIL" FAIL "$(line real.txt hugepages)"
fi
t_check "--json: exit 1 too" 1 "$(pf real.json "$T_TMP/real.conf" --json)"
t_check "--json: ok false" False "$(t_json "$T_TMP/real.json" "d['ok']")"
t_check "--json: the configuration named" "$T_TMP/real.conf" "$(t_json "$T_TMP/real.json" "d['conf']")"
# the text, rebuilt from the JSON by an independent writer (hugepages and
# the instance can move between the two runs)
"$PY" - "$T_TMP/real.json" "$T_TMP/real.txt" >"$T_TMP/agree.out" <<'EOF' || true
import json, sys
d = json.load(open(sys.argv[1]))
text = [l.rstrip("\n") for l in open(sys.argv[2])]
word = {"ok": "ok", "warn": "warn", "fail": "FAIL"}
if len(text) != len(d["checks"]):
    print("lines", len(text), "checks", len(d["checks"]))
for c, l in zip(d["checks"], text):
    r, rest = l.split(None, 1)
    name, found = rest.split("  ", 1)
    found = found.lstrip(" ")
    want = c["found"] + ("; fix: " + c["fix"] if c["fix"] else "")
    if r != word[c["result"]] or name.strip() != c["name"]:
        print("differs:", l)
    elif c["name"] not in ("hugepages", "instance") and found != want:
        print("differs:", l)
EOF
t_check "--json says what the text says" "" "$(cat "$T_TMP/agree.out")"

# --- a made-up machine where everything holds ------------------------------
R="$T_TMP/root"
mk() { mkdir -p "$(dirname "$R$1")"; printf '%s\n' "$2" >"$R$1"; }
# a PCI device: ADDR DRIVER NODE MSIX_VECTORS
mkdev() {
	local d="$R/sys/bus/pci/devices/$1"
	rm -rf "$d"
	mkdir -p "$d" "$R/sys/bus/pci/drivers/$2"
	ln -s "../../../bus/pci/drivers/$2" "$d/driver"
	echo "$3" >"$d/numa_node"
	# configuration space: status has a capability list at 0x40: MSI,
	# then MSI-X with a table of N vectors
	"$PY" -c '
import sys
c = bytearray(256)
c[0x06] = 0x10
c[0x34] = 0x40
c[0x40], c[0x41] = 0x05, 0x50
n = int(sys.argv[2]) - 1
c[0x50], c[0x51], c[0x52], c[0x53] = 0x11, 0, n & 0xff, n >> 8
open(sys.argv[1], "wb").write(c)' "$d/config" "$4"
}
good_tree() {
	rm -rf "$R"
	mk /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 1024
	mk /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 1024
	mk /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages 0
	mk /sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages 0
	mk /proc/mounts "hugetlbfs /dev/hugepages hugetlbfs rw,relatime,pagesize=2M 0 0"
	mkdir -p "$R/sys/kernel/iommu_groups/0" "$R/sys/kernel/iommu_groups/1"
	mkdev 0000:03:00.0 vfio-pci 0 64
	mkdev 0000:03:00.1 vfio-pci 0 64
	mk /sys/devices/system/cpu/present 0-3
	mk /sys/devices/system/cpu/online 0-3
	mk /sys/devices/system/cpu/isolated 1-2
	mk /sys/devices/system/cpu/nohz_full 1-2
	mk /sys/devices/system/node/node0/cpulist 0-3
	mk /sys/devices/system/node/node0/hugepages/hugepages-2048kB/free_hugepages 1024
}
good_conf() {
	cat >"$T_TMP/good.conf" <<'CONF'
# the lab
LCORES=0-2
WORKERS=2
PORTS="0000:03:00.0 03:00.1"
EAL_OPTIONS="--socket-mem 1024"
OPTIONS='--pair 0:1 --mtu 1500'
CONF
}
sd="$T_TMP/state"
install -d -m 0770 -o root -g bulwark "$sd"
good_tree
good_conf
chmod 0644 "$T_TMP/good.conf"
export BULWARK_PREFLIGHT_ROOT=$R
# pfs OUT ARGS...: preflight with the test's state directory into OUT;
# prints the exit status
pfs() {
	local out=$1
	shift
	set +e
	"$BWCTL" --instance "$inst" --state-dir "$sd" preflight "$@" >"$T_TMP/$out" 2>"$T_TMP/$out.err"
	echo $?
	set -e
}
# fakes NAME [ARGS...]: preflight on the made-up machine, text into
# NAME.txt and JSON into NAME.json; prints the exit status of the text run
fakes() {
	local name=$1
	shift
	local rc
	rc=$(pfs "$name.txt" "$@")
	pfs "$name.json" "$@" --json >/dev/null
	echo "$rc"
}

t_check "everything holds: exit 0" 0 "$(fakes good "$T_TMP/good.conf")"
cat "$T_TMP/good.txt"
t_check "every line ok" "" "$(notok good.json)"
t_check "every check there" \
	"conf hugepages iommu lcores workers isolation port 0000:03:00.0 numa 0000:03:00.0 queues 0000:03:00.0 port 0000:03:00.1 numa 0000:03:00.1 queues 0000:03:00.1 mtu state-dir run-dir groups instance" \
	"$(t_json "$T_TMP/good.json" "' '.join(c['name'] for c in d['checks'])")"
t_true "hugepages: 1024 2 MB pages, 1024 MB asked, 2048 MB free" \
	grep -q "2048kB pages: 1024 reserved, 1024 free.*hugetlbfs on /dev/hugepages; 1024 MB asked, 2048 MB free" "$T_TMP/good.txt"
t_true "workers 1-2, main lcore 0" grep -q "main lcore 0, workers on cpus 1-2, all online" "$T_TMP/good.txt"
t_true "the short address is the same device" grep -q "^ok *port 0000:03:00.1 .*bound to vfio-pci" "$T_TMP/good.txt"
t_true "queues: 64 MSI-X vectors" grep -q "^ok *queues 0000:03:00.0 .*64 MSI-X vectors" "$T_TMP/good.txt"
t_true "the state directory is the one given" grep -q "^ok *state-dir *$sd: 0770 root:bulwark" "$T_TMP/good.txt"
t_check "--json: ok true" True "$(t_json "$T_TMP/good.json" "d['ok']")"
t_check "--json: no fix for an ok line" "None" "$(jfix good.json iommu)"

# the same as a user without any group, and nothing changed by either run
snap() { find "$R" "$sd" "$T_TMP/good.conf" -printf '%p %m %u %g %s %T@\n' | sort; }
snap >"$T_TMP/snap.before"
set +e
setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
	env BULWARK_PREFLIGHT_ROOT="$R" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	preflight "$T_TMP/good.conf" --json >"$T_TMP/user.json" 2>"$T_TMP/user.err"
rc=$?
set -e
t_check "as $user: exit 0" 0 "$rc"
t_check "as $user: the same results" "$(t_json "$T_TMP/good.json" "[(c['name'], c['result']) for c in d['checks']]")" \
	"$(t_json "$T_TMP/user.json" "[(c['name'], c['result']) for c in d['checks']]")"
snap >"$T_TMP/snap.after"
t_true "nothing changed (files, modes, owners, times)" cmp -s "$T_TMP/snap.before" "$T_TMP/snap.after"
# a state directory this user may not even look at: said, not a failure
install -d -m 0750 -o root -g bulwark "$T_TMP/closed"
install -d -m 0770 -o root -g bulwark "$T_TMP/closed/state"
set +e
setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
	env BULWARK_PREFLIGHT_ROOT="$R" "$BWCTL" --instance "$inst" --state-dir "$T_TMP/closed/state" \
	preflight "$T_TMP/good.conf" >"$T_TMP/closed.txt" 2>&1
rc=$?
set -e
t_check "a closed state directory as $user: exit 0" 0 "$rc"
t_true "it says it cannot look" grep -q "^warn state-dir *$T_TMP/closed/state: Permission denied; fix: run as root or as a member of group 'bulwark'" "$T_TMP/closed.txt"
cp "$T_TMP/good.conf" "$T_TMP/secret.conf"
chmod 0600 "$T_TMP/secret.conf"
set +e
setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
	env BULWARK_PREFLIGHT_ROOT="$R" "$BWCTL" --instance "$inst" --state-dir "$sd" \
	preflight "$T_TMP/secret.conf" >"$T_TMP/secret.txt" 2>&1
rc=$?
set -e
t_check "a configuration $user may not read: exit 1" 1 "$rc"
t_true "it says so" grep -q "^FAIL conf *$T_TMP/secret.conf: Permission denied" "$T_TMP/secret.txt"
t_true "and the other checks still ran" grep -q "^ok *iommu" "$T_TMP/secret.txt"

# --- one thing broken at a time --------------------------------------------
# broken NAME RC NOTOK: after breaking something, the exit status and the
# checks other than ok ("name=result ...")
broken() {
	local name=$1 rc=$2 want=$3
	shift 3
	t_check "$name: exit $rc" "$rc" "$(fakes "$name" "${@:-$T_TMP/good.conf}")"
	t_check "$name: $want" "$want" "$(notok "$name.json")"
}

rm "$R/sys/bus/pci/devices/0000:03:00.0/driver"
mkdir -p "$R/sys/bus/pci/devices/0000:03:00.0/net/enp3s0f0"
ln -s ../../../bus/pci/drivers/ixgbe "$R/sys/bus/pci/devices/0000:03:00.0/driver"
mkdir -p "$R/sys/class/net/enp3s0f0/queues/"{rx-0,rx-1,rx-2,rx-3,tx-0,tx-1,tx-2,tx-3}
mk /sys/class/net/enp3s0f0/mtu 9000
broken ixgbe 1 "port 0000:03:00.0=fail"
t_true "ixgbe: the driver and interface named" \
	grep -q "bound to the kernel driver ixgbe, interface enp3s0f0" "$T_TMP/ixgbe.txt"
t_check "ixgbe: the fix" "ip link set enp3s0f0 down; modprobe vfio-pci; dpdk-devbind.py --bind=vfio-pci 0000:03:00.0" \
	"$(jfix ixgbe.json "port 0000:03:00.0")"
t_true "ixgbe: its 4 rx queues counted" grep -q "^ok *queues 0000:03:00.0 *4 rx queues" "$T_TMP/ixgbe.txt"
t_true "ixgbe: the kernel MTU told" grep -q "kernel MTU of enp3s0f0 (0000:03:00.0): 9000" "$T_TMP/ixgbe.txt"
good_tree

rm "$R/sys/bus/pci/devices/0000:03:00.1/driver"
broken nodriver 1 "port 0000:03:00.1=fail"
t_check "nodriver: the fix" "dpdk-devbind.py --bind=vfio-pci 0000:03:00.1" "$(jfix nodriver.json "port 0000:03:00.1")"
good_tree

mkdev 0000:03:00.1 uio_pci_generic 0 64
broken uio 0 "port 0000:03:00.1=warn"
good_tree

mkdev 0000:03:00.1 vfio-pci 1 64
mk /sys/devices/system/node/node0/cpulist 0-3
mk /sys/devices/system/node/node1/cpulist 4-7
broken numa 0 "numa 0000:03:00.1=warn"
t_true "numa: the far workers named" grep -q "node 1, but worker cpus 1-2 are on another node" "$T_TMP/numa.txt"
good_tree

mkdev 0000:03:00.0 vfio-pci 0 2
broken msix 0 "queues 0000:03:00.0=warn"
good_tree

rm -r "$R/sys/kernel/iommu_groups/"*
broken noiommu 1 "iommu=fail"
mk /sys/module/vfio/parameters/enable_unsafe_noiommu_mode Y
broken unsafe 0 "iommu=warn"
good_tree

mk /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 0
mk /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 0
broken nohuge 1 "hugepages=fail"
t_true "nohuge: says none reserved" grep -q "2048kB pages: 0 reserved, 0 free.*none reserved" "$T_TMP/nohuge.txt"
t_true "nohuge: the fix reserves them" grep -q "fix: echo 1024 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages" "$T_TMP/nohuge.txt"
sed 's/^EAL_OPTIONS=.*/EAL_OPTIONS="--no-huge -m 512"/' "$T_TMP/good.conf" >"$T_TMP/nohugeopt.conf"
broken nohugeopt 0 "" "$T_TMP/nohugeopt.conf"
good_tree
mk /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 100
broken fewhuge 1 "hugepages=fail"
t_true "fewhuge: 1024 MB asked, 200 free" grep -q "asks for 1024 MB, 200 MB free" "$T_TMP/fewhuge.txt"
good_tree
mk /sys/devices/system/node/node1/hugepages/hugepages-2048kB/free_hugepages 0
sed 's/^EAL_OPTIONS=.*/EAL_OPTIONS="--socket-mem=512,512"/' "$T_TMP/good.conf" >"$T_TMP/pernode.conf"
broken pernode 1 "hugepages=fail" "$T_TMP/pernode.conf"
t_true "pernode: node 1 named" grep -q "asks node 1 for 512 MB, it has 0 MB free" "$T_TMP/pernode.txt"
sed 's/^EAL_OPTIONS=.*/EAL_OPTIONS="--socket-mem=1024,0"/' "$T_TMP/good.conf" >"$T_TMP/node0.conf"
broken node0 0 "" "$T_TMP/node0.conf"
good_tree
mk /proc/mounts "proc /proc proc rw 0 0"
broken nomount 1 "hugepages=fail"
t_true "nomount: the mount command" grep -q "mount -t hugetlbfs nodev /dev/hugepages" "$T_TMP/nomount.txt"
good_tree

mk /sys/devices/system/cpu/isolated 1
broken notisolated 0 "isolation=warn"
t_true "notisolated: the kernel options to add" \
	grep -q "fix: add isolcpus=1-2 nohz_full=1-2 rcu_nocbs=1-2 to the kernel command line" "$T_TMP/notisolated.txt"
rm "$R/sys/devices/system/cpu/isolated" "$R/sys/devices/system/cpu/nohz_full"
broken noisolfiles 0 "isolation=warn"
good_tree

mk /sys/devices/system/cpu/present 0-1
mk /sys/devices/system/cpu/online 0-1
broken fewcpus 1 "lcores=fail"
t_true "fewcpus: cpu 2 named" grep -q "cpus 2 of LCORES=0-2 do not exist (this machine: cpus 0-1)" "$T_TMP/fewcpus.txt"
good_tree
mk /sys/devices/system/cpu/online 0,2-3
broken offline 1 "lcores=fail"
t_true "offline: cpu 1 named" grep -q "cpus 1 of LCORES=0-2 are offline" "$T_TMP/offline.txt"
good_tree

sed 's/^WORKERS=.*/WORKERS=3/' "$T_TMP/good.conf" >"$T_TMP/workers.conf"
broken workers 1 "conf=fail workers=fail" "$T_TMP/workers.conf"
t_check "workers: FILE:LINE" "$T_TMP/workers.conf:3: WORKERS=3, but LCORES=0-2 gives 2 (one lcore is the main one)" \
	"$(jfound workers.json conf)"

sed 's/^OPTIONS=.*/OPTIONS="--mtu 40"/' "$T_TMP/good.conf" >"$T_TMP/mtu.conf"
broken mtu 1 "mtu=fail" "$T_TMP/mtu.conf"

chmod 0775 "$sd"
chgrp "$(id -gn "$user")" "$sd"
broken groupw 1 "state-dir=fail"
t_true "groupw: the reason" grep -q "writable by group" "$T_TMP/groupw.txt"
chmod 0777 "$sd"
chgrp bulwark "$sd"
broken otherw 1 "state-dir=fail"
t_true "otherw: the reason" grep -q "writable by others" "$T_TMP/otherw.txt"
chmod 0700 "$sd"
chgrp root "$sd"
broken rootonly 0 "state-dir=warn"
chmod 0770 "$sd"
chgrp bulwark "$sd"
mv "$sd" "$T_TMP/state.real"
ln -s "$T_TMP/state.real" "$sd"
broken symlink 1 "state-dir=fail"
t_true "symlink: named as one" grep -q "$sd: a symbolic link (to $T_TMP/state.real)" "$T_TMP/symlink.txt"
rm "$sd"
mv "$T_TMP/state.real" "$sd"
t_check "repaired: exit 0 again" 0 "$(fakes good "$T_TMP/good.conf")"

# a bad line: FILE:LINE, and the rest still checked
printf 'LCORES=0-2\nPORTS=0000:03:00.0\nLCORE=0-3\n' >"$T_TMP/bad.conf"
broken badline 1 "conf=fail" "$T_TMP/bad.conf"
t_check "badline: FILE:LINE" "$T_TMP/bad.conf:3: unknown key 'LCORE' (LCORES, WORKERS, PORTS, EAL_OPTIONS, OPTIONS)" \
	"$(jfound badline.json conf)"
t_true "badline: the port still checked" grep -q "^ok *port 0000:03:00.0" "$T_TMP/badline.txt"
broken missing 1 "conf=fail" "$T_TMP/nosuch.conf"
t_true "missing: says so" grep -q "^FAIL conf *$T_TMP/nosuch.conf: No such file or directory; fix: cp /etc/bulwark/example.conf" "$T_TMP/missing.txt"

# vdev ports: no PCI check, no IOMMU needed
cat >"$T_TMP/vdev.conf" <<CONF
LCORES=0,1
EAL_OPTIONS="--no-huge -m 512 --no-pci --vdev net_pcap0,rx_pcap=/tmp/x.pcap --vdev=net_null0"
CONF
rm -r "$R/sys/kernel/iommu_groups/"*
broken vdev 0 "" "$T_TMP/vdev.conf"
t_true "vdev: both virtual ports listed" bash -c "grep -q '^ok *vdev net_pcap0' '$T_TMP/vdev.txt' && grep -q '^ok *vdev net_null0' '$T_TMP/vdev.txt'"
good_tree

sed 's/^EAL_OPTIONS=.*/EAL_OPTIONS="--socket-mem 1024 --lcores 0@0,1@1"/' "$T_TMP/good.conf" >"$T_TMP/eallcores.conf"
broken eallcores 0 "lcores=warn" "$T_TMP/eallcores.conf"
t_true "eallcores: the option named" grep -q "EAL_OPTIONS has --lcores too" "$T_TMP/eallcores.txt"

# hostile input: a FIFO for a configuration (no hang), terminal escapes in
# a line (not echoed raw), a capability list that loops, garbage in sysfs
mkfifo "$T_TMP/fifo.conf"
set +e
timeout 10 "$BWCTL" --instance "$inst" --state-dir "$sd" preflight "$T_TMP/fifo.conf" >"$T_TMP/fifo.txt" 2>&1
rc=$?
set -e
t_check "fifo: exit 1, no hang" 1 "$rc"
t_true "fifo: not a regular file" grep -q "^FAIL conf *$T_TMP/fifo.conf: not a regular file" "$T_TMP/fifo.txt"
printf 'LCORES=0-2\n\033]0;owned\007\033[2J\n' >"$T_TMP/esc.conf"
broken esc 1 "conf=fail" "$T_TMP/esc.conf"
t_true "esc: no escape byte in the text" bash -c "! LC_ALL=C grep -q \$'\\033' '$T_TMP/esc.txt'"
t_true "esc: the line, made printable" grep -q "esc.conf:2: not KEY=VALUE: '?\]0;owned??\[2J'" "$T_TMP/esc.txt"
"$PY" -c '
import sys
c = bytearray(256)
c[0x06] = 0x10
c[0x34] = 0x40
c[0x40], c[0x41] = 0x05, 0x50
c[0x50], c[0x51] = 0x09, 0x40
open(sys.argv[1], "wb").write(c)' "$R/sys/bus/pci/devices/0000:03:00.0/config"
echo garbage >"$R/sys/bus/pci/devices/0000:03:00.1/numa_node"
broken loop 0 "queues 0000:03:00.0=warn"
t_true "loop: no MSI-X seen" grep -q "cannot tell before DPDK takes the port (no MSI-X capability seen)" "$T_TMP/loop.txt"
t_true "garbage numa_node: taken as unknown" grep -q "^ok *numa 0000:03:00.1 *no NUMA node given" "$T_TMP/loop.txt"
good_tree

# usage
t_check "two files: usage, exit 2" 2 "$(pf usage.txt a b)"
t_check "an unknown option: exit 2" 2 "$(pf usage2.txt --jsn)"

# --- the parser against bulwark-start's ------------------------------------
# each case a file; bulwark-start --print accepts it or not, and its first
# error (FILE:LINE: what) is preflight's first conf line
n=0
agree() {
	n=$((n + 1))
	local f="$T_TMP/case$n.conf" rc_s want got
	printf "$@" >"$f"
	set +e
	bash "$START" --print lab "$f" >/dev/null 2>"$T_TMP/case$n.start"
	rc_s=$?
	"$BWCTL" --instance lab preflight "$f" --json >"$T_TMP/case$n.json" 2>/dev/null
	set -e
	want=$(sed -n 's/^bulwark-start: //p' "$T_TMP/case$n.start" | head -1)
	got=$(t_json "$T_TMP/case$n.json" "([c['found'] for c in d['checks'] if c['name'] == 'conf' and c['result'] == 'fail'] + [''])[0]")
	if [ "$rc_s" -eq 0 ]; then
		t_check "case $n ($(head -c 40 "$f" | tr '\n' '|')): both accept" "" "$got"
	else
		t_check "case $n ($(head -c 40 "$f" | tr '\n' '|')): the same first error" "$want" "$got"
	fi
}
agree 'LCORES=0-2\n'
agree '  # comment\n\nLCORES=0-2   \n\tWORKERS=2\n'
agree "LCORES='0-2'\nPORTS=\"0000:03:00.0 03:00.1\"\n"
agree 'LCORES=0-2\nWORKERS=\n'
agree 'LCORES=0-2\nWORKERS=x\n'
agree 'LCORES=0-2\nWORKERS=1\n'
agree 'LCORES=0,0-1\nWORKERS=2\n'
agree 'LCORES=2-0\nWORKERS=2\n'
agree 'LCORES=0,1-3,5-4\nWORKERS=2\n'
agree 'LCORES=0-2,\n'
agree 'LCORES=0-2\nLCORE=1\n'
agree 'lcores=0-2\n'
agree 'LCORES =0-2\n'
agree 'LCORES=0-2\nLCORES=0-3\n'
agree 'PORTS=0000:03:00.0\n'
agree 'LCORES=0-2\nPORTS=eth0\n'
agree 'LCORES=0-2\nPORTS=0000:03:00.8\n'
agree 'LCORES=0-2\nOPTIONS=--instance=x\n'
agree 'LCORES=0-2\nOPTIONS="--pair "0:1""\n'
agree "LCORES=0-2\nOPTIONS='--pair 0:1\n"
agree 'LCORES=0-2\n$(touch x)\n'
agree 'LCORES=0-2\r\nWORKERS=2\r\n'
agree 'LCORES=0-2\nWORKERS=2'
agree 'LCORES=0@1\n'
t_true "the example configuration is accepted" bash -c \
	"'$BWCTL' --instance lab preflight '$BW_SRC/scripts/systemd/example.conf' --json | grep -q '\"name\":\"conf\",\"result\":\"ok\"'"
t_done
