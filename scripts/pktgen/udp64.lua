-- SPDX-License-Identifier: BSD-3-Clause
-- udp64: small-packet throughput. IPv4/UDP frames of BWLAB_SIZE bytes
-- (FCS included; default 64, the worst case of packets per second) at
-- BWLAB_RATE percent of the link (default 100: line rate), over
-- BWLAB_FLOWS flows (default 1024: source address and source port step
-- together, so RSS spreads them over the workers). Measures the packet
-- rate bulwark forwards with its decode, flow and counter work and no
-- rule; compare with testpmd io on the same ports (docs/benchmarks.md).
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -f udp64.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")

local size = bwlab.param("SIZE", 64)
local flows = bwlab.param("FLOWS", 1024)

local profile = {name = "udp64"}
function profile.setup(sz)
	local size = sz or size
	bwlab.udp_base(size)
	bwlab.flows(flows, size, "udp")
end
BWLAB_PROFILE = profile
bwlab.main(profile)
