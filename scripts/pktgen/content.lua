-- SPDX-License-Identifier: BSD-3-Clause
-- content: a content-rule mix. UDP frames whose payload carries
-- "BWLAB-EVIL" in a chosen share (--share of mkpcap, default 25 %, spread
-- evenly) and "BWLAB-GOOD" in the others; content.rules drops the first.
-- Measures the content scan at rate and checks its verdicts: bulwark's
-- content-rule drops must be that share of what was sent. Frame size and
-- flows are mkpcap's --size and --flows; the rate BWLAB_RATE.
--   ./mkpcap content content.pcap --share 25 --size 128
--   bulwarkctl rules load content.rules
--   pktgen ... -- -P -m "[1:2].0, [3:4].1" -s 0:content.pcap -f content.lua
BWLAB_DIR = BWLAB_DIR or os.getenv("BWLAB_DIR") or "."
dofile(BWLAB_DIR .. "/pcapmode.lua")
bwlab.pcap_profile("content")
