-- SPDX-License-Identifier: BSD-3-Clause
-- The profiles whose payloads pktgen's packet builder cannot make (ICS
-- protocols, marked payloads, IP fragments) are captures written by
-- mkpcap and replayed by pktgen's pcap mode: start pktgen with
-- -s 0:FILE; this turns the pcap mode on and sets the rate.
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/bwlab.lua")

function bwlab.pcap_profile(name)
	local profile = {name = name}
	function profile.setup()
		pktgen.set(bwlab.tx, "rate", bwlab.rate)
		pktgen.pcap(bwlab.tx, "on")
	end
	BWLAB_PROFILE = profile
	bwlab.main(profile)
end
