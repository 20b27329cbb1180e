-- SPDX-License-Identifier: BSD-3-Clause
-- imix: the simple IMIX, 7:4:1 of 64, 570 and 1518 byte frames (FCS
-- included; average 353.8 B), as 12 pktgen sequence packets interleaved
-- (spread, not in runs), at BWLAB_RATE percent of
-- the link. Sizes and shares are parameters: BWLAB_IMIX="64:7,570:4,1518:1"
-- (at most 16 packets in all). Measures throughput with a realistic size
-- mix: at line rate this is bounded by bytes, not packets.
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -f imix.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")

local mix = bwlab.param("IMIX", "64:7,570:4,1518:1")

-- Spread the sizes: each slot takes the size that is furthest behind its
-- share (so 7:4:1 gives the interleaving above, not runs).
local function slots(spec)
	local sizes, total = {}, 0
	for sz, n in string.gmatch(spec, "(%d+):(%d+)") do
		sizes[#sizes + 1] = {size = tonumber(sz), n = tonumber(n), got = 0}
		total = total + tonumber(n)
	end
	assert(total >= 1 and total <= 16, "BWLAB_IMIX: 1 to 16 packets in all")
	local out = {}
	for i = 1, total do
		local best, lag = nil, -1
		for _, s in ipairs(sizes) do
			local l = s.n * i / total - s.got
			if l > lag then
				best, lag = s, l
			end
		end
		best.got = best.got + 1
		out[i] = best.size
	end
	return out
end

local profile = {name = "imix"}
function profile.setup()
	local p = bwlab.tx
	bwlab.udp_base(64)
	local seq = slots(mix)
	for i, size in ipairs(seq) do
		pktgen.seqTable(i - 1, p, {
			eth_dst_addr = "02:00:00:00:00:02",
			eth_src_addr = "02:00:00:00:00:01",
			ip_dst_addr = "192.0.2.10",
			ip_src_addr = string.format("198.18.0.%d/15", i),
			sport = 1024 + i, dport = 9,
			ethType = "ipv4", ipProto = "udp", vlanid = 1,
			pktSize = size, gtpu_teid = 0, cos = 0, tos = 0,
		})
	end
	pktgen.set(p, "seq_cnt", #seq)
end
BWLAB_PROFILE = profile
bwlab.main(profile)
