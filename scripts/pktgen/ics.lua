-- SPDX-License-Identifier: BSD-3-Clause
-- ics: the industrial mix. One third each of Modbus/TCP (port 502, read
-- holding registers), DNP3 (port 20000, a link-layer frame 05 64 ...) and
-- IEC 60870-5-104 (port 2404, an APDU 68 ...) requests in TCP segments
-- with PSH|ACK, over BWLAB_FLOWS client flows, replayed at BWLAB_RATE
-- percent of the link. Measures the ICS decoders and the eBPF/content
-- rules of an ICS policy (load yours: rules.md, bpf.md) at rate. Make the
-- capture first and give it to pktgen:
--   ./mkpcap ics ics.pcap --flows 1024
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -s 0:ics.pcap -f ics.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/pcapmode.lua")
bwlab.pcap_profile("ics")
