-- SPDX-License-Identifier: BSD-3-Clause
-- Driver of scripts/pktgen-lab: loads the profile BWLAB_PROFILE_NAME of
-- this folder (its parameters from the BWLAB_* environment), sends for
-- BWLAB_DURATION seconds, writes "tx N", "rx N" and pktgen's latency
-- figures to BWLAB_RESULT, then waits (up to 60 s) for BWLAB_RESULT.done,
-- which the lab creates once it has read bulwark's counters and stopped
-- it, and quits pktgen.
BWLAB_LIBRARY = true
BWLAB_DIR = os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")
local name = assert(os.getenv("BWLAB_PROFILE_NAME"), "BWLAB_PROFILE_NAME")
local result = assert(os.getenv("BWLAB_RESULT"), "BWLAB_RESULT")
dofile(BWLAB_DIR .. "/" .. name .. ".lua")

pktgen.screen("off")
if bwlab.param("LATENCY", 0) ~= 0 then
	pktgen.latency(bwlab.tx, "enable")
	pktgen.latency(bwlab.rx, "enable")
end
BWLAB_PROFILE.setup()
local tx, rx, lat = bwlab.trial(bwlab.duration)

local tmp = result .. ".tmp"
local f = assert(io.open(tmp, "w"))
f:write(string.format("tx %d\nrx %d\n", tx, rx))
if lat ~= nil then
	f:write(string.format("lat_pkts %d\nlat_min_us %.3f\nlat_avg_us %.3f\nlat_max_us %.3f\n",
		lat.num_pkts or 0, lat.min_us or 0, lat.avg_us or 0, lat.max_us or 0))
end
f:close()
os.rename(tmp, result)

for _ = 1, 600 do
	local d = io.open(result .. ".done", "r")
	if d ~= nil then
		d:close()
		break
	end
	pktgen.delay(100)
end
pktgen.quit()
