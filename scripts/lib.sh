#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by scripts/demo, scripts/test, scripts/bench and scripts/fuzz.
# Source it; it sets BW_ROOT and defines bw_* functions.

BW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the project needs to build, test, demo and benchmark.
BW_PACKAGES=(
	gcc clang libclang-rt-14-dev clang-format
	meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev libhyperscan-dev libbpf-dev libcunit1-dev libjansson-dev libpcap-dev
	libsystemd-dev
	python3 iproute2 iputils-ping netcat-openbsd ethtool procps
	libmicrohttpd-dev prometheus curl tmux
	scdoc man-db systemd
	tshark
	liblua5.3-dev
)

# Debian's interpreter (python3 package): a pyenv shim on PATH is slow.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

bw_log() { printf '==> %s\n' "$*" >&2; }
bw_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# bw_dp_running BULWARKCTL-COMMAND...: the dataplane runs, by status
# --json's "running" (status's exit status also needs every link up, which
# a memif port is not until its peer connects; pipefail would see it)
bw_dp_running() { { "$@" status --json 2>/dev/null || :; } | grep -q '"running":true'; }

# Install what is missing (apt-get), once. Idempotent: a machine that has
# everything is not touched.
bw_ensure_deps() {
	local missing=() p
	for p in "${BW_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null ||
			bw_die "missing packages (${missing[*]}): run as root"
		bw_log "installing with sudo: ${missing[*]}"
		sudo apt-get update -qq
		sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
	else
		bw_log "installing: ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
	fi
}

# bw_build DIR [meson setup options...]: configure once, then build.
bw_build() {
	local dir=$1
	shift
	if [ ! -f "$BW_ROOT/$dir/build.ninja" ]; then
		bw_log "configuring $dir $*"
		meson setup "$BW_ROOT/$dir" "$BW_ROOT" "$@" >/dev/null
	fi
	bw_log "building $dir"
	ninja -C "$BW_ROOT/$dir" >/dev/null
}

# EAL arguments that work on these machines without hugepages (DESIGN.md 5).
bw_eal_nohuge() {
	local prefix=$1
	echo "--no-huge -m 1024 --no-pci --file-prefix $prefix --log-level=lib.eal:error"
}

# Hugepages for benchmarks: bw_huge_setup PAGES makes PAGES free 2 MiB pages
# and a hugetlbfs mount available when it can (root), and sets BW_HUGE_MODE
# to "huge" or "no-huge"; bw_huge_restore puts back what it changed. Tests
# never use this: they run with --no-huge.
BW_HP_SYS=/sys/kernel/mm/hugepages/hugepages-2048kB
BW_HUGE_MODE=no-huge
bw_hp_orig=
bw_hp_mounted=
bw_hp_mkdir=

bw_hugetlbfs_mounted() {
	awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts
}

bw_huge_setup() {
	local need=$1 now free
	BW_HUGE_MODE=no-huge
	[ "$(id -u)" -eq 0 ] && [ -w "$BW_HP_SYS/nr_hugepages" ] || return 0
	now=$(cat "$BW_HP_SYS/nr_hugepages")
	free=$(cat "$BW_HP_SYS/free_hugepages")
	if [ "$free" -lt "$need" ]; then
		bw_hp_orig=$now
		echo $((now + need - free)) >"$BW_HP_SYS/nr_hugepages" 2>/dev/null || true
		free=$(cat "$BW_HP_SYS/free_hugepages")
	fi
	[ "$free" -ge "$need" ] || return 0
	if ! bw_hugetlbfs_mounted; then
		if [ ! -d /dev/hugepages ]; then
			mkdir /dev/hugepages && bw_hp_mkdir=1
		fi
		mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null && bw_hp_mounted=1
	fi
	bw_hugetlbfs_mounted && BW_HUGE_MODE=huge
	return 0
}

# bw_huge_forget PREFIX: remove the hugepage files that the DPDK processes
# of file prefix PREFIX left behind. A process that runs without
# --huge-unlink (a secondary must map the primary's files) keeps its pages
# in hugetlbfs after it exits, and no later process of another prefix
# reclaims them.
bw_huge_forget() {
	local mnt
	for mnt in $(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts); do
		rm -f "$mnt/$1"map_* 2>/dev/null || true
	done
}

bw_huge_restore() {
	[ -z "$bw_hp_mounted" ] || umount /dev/hugepages 2>/dev/null || true
	[ -z "$bw_hp_mkdir" ] || rmdir /dev/hugepages 2>/dev/null || true
	if [ -n "$bw_hp_orig" ]; then
		echo "$bw_hp_orig" >"$BW_HP_SYS/nr_hugepages" 2>/dev/null ||
			bw_log "warning: could not restore nr_hugepages to $bw_hp_orig"
	fi
	bw_hp_orig=
	bw_hp_mounted=
	bw_hp_mkdir=
}
