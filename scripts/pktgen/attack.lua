-- SPDX-License-Identifier: BSD-3-Clause
-- attack: a block-list mix. IPv4/UDP frames of BWLAB_SIZE bytes (default
-- 64) from 256 sources 198.18.X.2, X = 0, 1, ..., 255 in turn (one per
-- packet), at BWLAB_RATE percent of the link. Load the block list that
-- holds the first round(256 * share / 100) of those /24s, and that share
-- of the packets is dropped (reason blocklist), the rest forwarded:
--   attack-blocklist.txt    the list for the default share, 25 %
--                           (198.18.0.0/18: X = 0..63)
--   mkpcap attack F --share PCT   writes F.blocklist for any share
--   bulwarkctl list load attack attack-blocklist.txt --match src
-- Measures the lookup's cost at rate and checks the verdicts: the rx port
-- must see (100 - share) % of what was sent (docs/benchmarks.md).
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -f attack.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")

local size = bwlab.param("SIZE", 64)

local profile = {name = "attack"}
function profile.setup(sz)
	local size = sz or size
	local p = bwlab.tx
	bwlab.udp_base(size)
	bwlab.flows(1, size, "udp")
	pktgen.range.src_ip(p, "start", "198.18.0.2")
	pktgen.range.src_ip(p, "inc", "0.0.1.0")
	pktgen.range.src_ip(p, "min", "198.18.0.2")
	pktgen.range.src_ip(p, "max", "198.18.255.2")
end
BWLAB_PROFILE = profile
bwlab.main(profile)
