-- SPDX-License-Identifier: BSD-3-Clause
-- synflood: TCP SYNs of BWLAB_SIZE bytes (default 64) to 192.0.2.10:80
-- from BWLAB_FLOWS sources and source ports (default 65536: every SYN
-- opens a new flow until the pairs repeat), at BWLAB_RATE percent of the
-- link. Measures the cost of flow creation under a flood: with content
-- rules loaded every SYN takes a slot of the TCP flow table (--flows),
-- so watch flows.new, flows.evicted and flows.table_full in
-- `bulwarkctl stats --json` next to the rate.
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -f synflood.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")

local size = bwlab.param("SIZE", 64)
local flows = bwlab.param("FLOWS", 65536)

local profile = {name = "synflood"}
function profile.setup(sz)
	local size = sz or size
	local p = bwlab.tx
	bwlab.udp_base(size)
	pktgen.set_proto(p, "tcp")
	bwlab.flows(flows, size, "tcp")
	pktgen.range.dst_port(p, "start", 80)
	pktgen.range.dst_port(p, "min", 80)
	pktgen.range.dst_port(p, "max", 80)
	bwlab.cli({
		"range " .. p .. " tcp flag clr all",
		"range " .. p .. " tcp flag set syn",
	})
end
BWLAB_PROFILE = profile
bwlab.main(profile)
