#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Helpers shared by scripts/demo, scripts/test, scripts/bench and scripts/fuzz.
# Source it; it sets BW_ROOT and defines bw_* functions.

BW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian 12 packages the project needs to build, test, demo and benchmark.
BW_PACKAGES=(
	gcc clang libclang-rt-14-dev clang-format
	meson ninja-build pkg-config
	libdpdk-dev dpdk dpdk-dev libhyperscan-dev libbpf-dev libcunit1-dev libpcap-dev
	python3 iproute2 iputils-ping netcat-openbsd ethtool procps
)

# Debian's interpreter (python3 package): a pyenv shim on PATH is slow.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

bw_log() { printf '==> %s\n' "$*" >&2; }
bw_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

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
