-- SPDX-License-Identifier: BSD-3-Clause
-- Helpers shared by the Bulwark pktgen profiles of this folder (pktgen
-- 23.03 Lua API). A profile sets its parameters from environment variables
-- (BWLAB_*, defaults in the profile), configures the tx port with
-- bwlab.udp_base() and friends, and ends with bwlab.main(profile): run on
-- its own (pktgen -f PROFILE.lua) it sends for BWLAB_DURATION seconds and
-- prints the counters; loaded by lab.lua or zeroloss.lua it only
-- configures (they set BWLAB_LIBRARY = true first).
--
-- Ports: BWLAB_TX (default "0") faces bulwark's outside port, BWLAB_RX
-- (default "1") its inside port. Addresses: sources 198.18.0.0/15
-- (RFC 2544 benchmarking space), destination 192.0.2.10 (TEST-NET-1).

bwlab = bwlab or {}

function bwlab.param(name, default)
	local v = os.getenv("BWLAB_" .. name)
	if v == nil or v == "" then
		return default
	end
	if type(default) == "number" then
		local n = tonumber(v)
		if n == nil then
			error("BWLAB_" .. name .. ": not a number: " .. v)
		end
		return n
	end
	return v
end

bwlab.tx = bwlab.param("TX", "0")
bwlab.rx = bwlab.param("RX", "1")
bwlab.duration = bwlab.param("DURATION", 10)
bwlab.rate = bwlab.param("RATE", 100)

-- The base of every profile: IPv4/UDP from 198.18.0.1 to 192.0.2.10 at
-- bwlab.rate percent of the link, size bytes (FCS included).
function bwlab.udp_base(size)
	local p = bwlab.tx
	pktgen.set_type(p, "ipv4")
	pktgen.set_proto(p, "udp")
	pktgen.set_ipaddr(p, "src", "198.18.0.1/15")
	pktgen.set_ipaddr(p, "dst", "192.0.2.10")
	pktgen.set_mac(p, "dst", "02:00:00:00:00:02")
	pktgen.set(p, "size", size)
	pktgen.set(p, "sport", 1024)
	pktgen.set(p, "dport", 9)
	pktgen.set(p, "rate", bwlab.rate)
	pktgen.set(p, "burst", 32)
end

-- Range mode over flows: flows source addresses from 198.18.0.1 up and as
-- many source ports from 1024 up, both stepping by one per packet (so the
-- pairs repeat with period flows).
function bwlab.flows(flows, size, proto)
	local p = bwlab.tx
	local last = flows - 1
	assert(flows >= 1 and flows <= 65536, "flows: 1..65536")
	local a = (198 << 24 | 18 << 16) + 1 + last
	local ip = string.format("%d.%d.%d.%d", a >> 24, a >> 16 & 255,
		a >> 8 & 255, a & 255)
	pktgen.range.ip_proto(p, proto or "udp")
	pktgen.range.dst_mac(p, "start", "02:00:00:00:00:02")
	pktgen.range.dst_ip(p, "start", "192.0.2.10")
	pktgen.range.dst_ip(p, "inc", "0.0.0.0")
	pktgen.range.dst_ip(p, "min", "192.0.2.10")
	pktgen.range.dst_ip(p, "max", "192.0.2.10")
	pktgen.range.src_ip(p, "start", "198.18.0.1")
	pktgen.range.src_ip(p, "inc", "0.0.0.1")
	pktgen.range.src_ip(p, "min", "198.18.0.1")
	pktgen.range.src_ip(p, "max", ip)
	pktgen.range.src_port(p, "start", 1024)
	pktgen.range.src_port(p, "inc", 1)
	pktgen.range.src_port(p, "min", 1024)
	pktgen.range.src_port(p, "max", 1024 + last)
	pktgen.range.dst_port(p, "start", 9)
	pktgen.range.dst_port(p, "inc", 0)
	pktgen.range.dst_port(p, "min", 9)
	pktgen.range.dst_port(p, "max", 9)
	pktgen.range.pkt_size(p, "start", size)
	pktgen.range.pkt_size(p, "inc", 0)
	pktgen.range.pkt_size(p, "min", size)
	pktgen.range.pkt_size(p, "max", size)
	pktgen.set_range(p, "on")
end

-- Run CLI commands (pktgen's .pkt syntax) from Lua, for what the Lua API
-- lacks (TCP flags).
function bwlab.cli(lines)
	local name = os.tmpname()
	local f = assert(io.open(name, "w"))
	for _, l in ipairs(lines) do
		f:write(l, "\n")
	end
	f:close()
	-- pktgen 23.03 checks for three arguments though it reads two
	pktgen.run("cmd", name, "")
	os.remove(name)
end

-- Counters of one port: opackets, ipackets, imissed, ... (pktgen's port
-- statistics).
function bwlab.port(p)
	local s = pktgen.portStats(p, "port")
	return s[tonumber(p)]
end

-- Send for seconds at the configured rate, then stop and let the pipeline
-- drain; returns tx, rx (packets) over the run and the latency table of
-- the rx port (pktgen.pktStats: min_us, avg_us, max_us, num_pkts).
function bwlab.trial(seconds)
	pktgen.clr()
	pktgen.delay(200)
	pktgen.start(bwlab.tx)
	pktgen.delay(math.floor(seconds * 1000))
	pktgen.stop(bwlab.tx)
	pktgen.delay(1000)
	local tx = bwlab.port(bwlab.tx).opackets
	local rx = bwlab.port(bwlab.rx).ipackets
	local lat = pktgen.pktStats(bwlab.rx)[tonumber(bwlab.rx)].latency
	return tx, rx, lat
end

function bwlab.main(profile)
	if BWLAB_LIBRARY then
		return
	end
	pktgen.screen("off")
	profile.setup()
	local tx, rx = bwlab.trial(bwlab.duration)
	io.write(string.format("%s: %d s, tx %d, rx %d, lost or dropped %d\n",
		profile.name, bwlab.duration, tx, rx, tx - rx))
end
