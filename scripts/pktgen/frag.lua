-- SPDX-License-Identifier: BSD-3-Clause
-- frag: fragmented traffic. UDP datagrams of 3000 bytes, each in three
-- IPv4 fragments (1480 + 1480 + 40 bytes of IP payload) with its own IP
-- id, over BWLAB_FLOWS sources, replayed at BWLAB_RATE percent of the
-- link. Measures IP reassembly (frag_stage, reasm) at rate: every
-- datagram is held, reassembled, classified and its fragments forwarded;
-- watch fragments.held, reassembled, timeouts and over_limit in
-- `bulwarkctl stats --json`.
--   ./mkpcap frag frag.pcap --count 3000
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -s 0:frag.pcap -f frag.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/pcapmode.lua")
bwlab.pcap_profile("frag")
