-- SPDX-License-Identifier: BSD-3-Clause
-- Zero-loss throughput (RFC 2544, 26.1) and latency (26.2), driven by
-- scripts/bench-zeroloss through scripts/pktgen-lab: for each frame size
-- of BWLAB_SIZES (default the RFC's 64,128,256,512,1024,1280,1518; the
-- profile BWLAB_PROFILE_NAME, default udp64, must take a size), a binary
-- search for the highest rate at which a trial of BWLAB_TRIAL seconds
-- (default 10; the RFC asks for 60) loses nothing:
--   - bulwark's loss counters (BWLAB_COUNTERS, a command printing
--     "filter loss speed_mbps": its filter drops, expected, and imissed +
--     rx_nombuf + oerrors + tx-full, not) do not move, and
--   - pktgen's tx = pktgen's rx + bulwark's filter drops, and
--   - pktgen sent what was asked (within 2 %): on memif a full ring holds
--     the sender back instead of dropping, which is the same verdict.
-- The search starts from the ceiling the generator reaches at 100 % and
-- stops when the bracket is narrower than BWLAB_PRECISION percent of it
-- (default 1). Then one trial at the rate found with pktgen's latency
-- probes on gives the latency figures (26.2 measures at the throughput
-- rate). Writes one line per size to BWLAB_RESULT:
--   size S pps P mbps M trials N bound B lat_min_us A lat_max_us B lat_pkts C
-- (pps: the highest rate offered in a trial that passed)
-- (bound: "generator" when nothing was lost at the generator's ceiling,
-- so the number is pktgen's, not bulwark's; "bulwark" otherwise).
BWLAB_LIBRARY = true
BWLAB_DIR = os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")
local name = os.getenv("BWLAB_PROFILE_NAME") or "udp64"
local result = assert(os.getenv("BWLAB_RESULT"), "BWLAB_RESULT")
local counters_cmd = assert(os.getenv("BWLAB_COUNTERS"), "BWLAB_COUNTERS")
local sizes = bwlab.param("SIZES", "64,128,256,512,1024,1280,1518")
local trial = bwlab.param("TRIAL", 10)
local precision = bwlab.param("PRECISION", 1)
dofile(BWLAB_DIR .. "/" .. name .. ".lua")

local function counters()
	local f = assert(io.popen(counters_cmd, "r"))
	local line = f:read("l") or ""
	f:close()
	local filt, loss, speed = string.match(line, "^(%d+) (%d+) (%d+)")
	assert(filt, "BWLAB_COUNTERS printed: " .. line)
	return tonumber(filt), tonumber(loss), tonumber(speed)
end

local speed_mbps
-- the highest rate pktgen reached in a passing trial (what was offered,
-- not what was asked: its pacing is coarse at small shares of a link)
local best = 0
local function pct_of(pps, size)
	return pps * (size + 20) * 8 / (speed_mbps * 1e6) * 100
end

-- One trial at pps packets per second: passed, tx, rx, filter drops, loss.
local function try(size, pps)
	pktgen.set(bwlab.tx, "rate", string.format("%.6f", pct_of(pps, size)))
	local f0, l0 = counters()
	local tx, rx = bwlab.trial(trial)
	local f1, l1 = counters()
	local filt, loss = f1 - f0, l1 - l0
	local asked = pps * trial
	local ok = loss == 0 and tx == rx + filt and tx >= asked * 0.98
	io.write(string.format("zeroloss: size %d, %.0f pps asked: tx %d rx %d filter %d loss %d -> %s\n",
		size, pps, tx, rx, filt, loss, ok and "pass" or "fail"))
	if ok and tx / trial > best then
		best = tx / trial
	end
	return ok, tx, rx, filt, loss
end

pktgen.screen("off")
local out = assert(io.open(result .. ".tmp", "w"))
for s in string.gmatch(sizes, "%d+") do
	local size = tonumber(s)
	BWLAB_PROFILE.setup(size)
	pktgen.latency(bwlab.tx, "disable")
	pktgen.latency(bwlab.rx, "disable")
	local _
	_, _, speed_mbps = counters()
	if speed_mbps == 0 then
		speed_mbps = 10000
	end
	-- the ceiling: what the generator reaches at 100 % of the link
	pktgen.set(bwlab.tx, "rate", 100)
	local tx = bwlab.trial(trial)
	local top = tx / trial
	best = 0
	local lo, hi, n, bound = 0, top, 1, "bulwark"
	if try(size, top) then
		-- no loss at the generator's ceiling: the number is pktgen's
		lo, bound = top, "generator"
	else
		while hi - lo > top * precision / 100 and n < 20 do
			local mid = (lo + hi) / 2
			n = n + 1
			if try(size, mid) then
				lo = mid
			else
				hi = mid
			end
		end
	end
	local lat = {}
	if lo > 0 then
		pktgen.set(bwlab.tx, "rate", string.format("%.6f", pct_of(lo, size)))
		pktgen.latency(bwlab.tx, "enable")
		pktgen.latency(bwlab.rx, "enable")
		local _, _, l = bwlab.trial(trial)
		lat = l or {}
	end
	out:write(string.format("size %d pps %.0f mbps %.1f trials %d bound %s lat_min_us %.3f lat_max_us %.3f lat_pkts %d\n",
		size, best, best * (size + 20) * 8 / 1e6, n, bound, lat.min_us or 0,
		lat.max_us or 0, lat.num_pkts or 0))
	out:flush()
end
out:close()
os.rename(result .. ".tmp", result)

for _ = 1, 600 do
	local d = io.open(result .. ".done", "r")
	if d ~= nil then
		d:close()
		break
	end
	pktgen.delay(100)
end
pktgen.quit()
