/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() at layer 2: the Ethernet header, 802.1Q and
 * QinQ tags, non-IP ethertypes, and bytes past the frame.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

/* The frame each test builds, from scratch. */
static struct fb f;

void
test_eth_ip4_tcp(void)
{
	struct dp_pkt p;

	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_tcp(&f, IP4_DF, 1234, 443, TCP_SYN, 0, 7);

	memset(&p, 0xa5, sizeof(p));
	CU_ASSERT_EQUAL(dp_decode(f.b, f.len, f.len, DP_DIR_OUTBOUND, &p),
			BW_REASON_NONE);
	CU_ASSERT_EQUAL(memcmp(&p.src.a32[0], ip4_src, 4), 0);
	CU_ASSERT_EQUAL(memcmp(&p.dst.a32[0], ip4_dst, 4), 0);
	CHECK(&p, W(REASON, BW_REASON_NONE), W(DIR, DP_DIR_OUTBOUND),
	      W(NB_VLAN, 0), W(VLAN0, 0), W(ETHERTYPE, ETH_P_IPV4),
	      W(L3, DP_L3_IPV4), W(L3_OFF, 14), W(L3_LEN, 47), W(TTL, 64),
	      W(FRAG_ID, 0x1234), W(FRAG, DP_FRAG_NONE), W(FRAG_OFF, 0),
	      W(SRC_A32_1, 0), W(L4_PROTO, PROTO_TCP), W(L4_OFF, 34),
	      W(SPORT, 1234), W(DPORT, 443), W(TCP_FLAGS, TCP_SYN),
	      W(PAYLOAD_OFF, 54), W(PAYLOAD_LEN, 7), W(FLAGS, DP_PKT_L4),
	      W(NB_EXT, 0), W(ICMP_TYPE, 0));
}

void
test_eth_short(void)
{
	uint32_t n;

	fb_eth(&f, ETH_P_ARP);
	for (n = 0; n < 14; n++)
		EXPECT_PART(&f, n, n, BW_REASON_L2_TRUNC, W(L3, DP_L3_NONE),
			    W(L3_OFF, 0));
	EXPECT_PART(&f, 14, 14, BW_REASON_NONE);
}

void
test_vlan_single(void)
{
	fb_macs(&f);
	fb_tag(&f, TPID_8021Q, 0xe00a); /* PCP 7, VID 10 */
	fb_u16(&f, ETH_P_IPV4);
	fb_ip4_udp(&f, 0, 1000, 2000, 3);
	EXPECT(&f, BW_REASON_NONE, W(NB_VLAN, 1), W(VLAN0, 10), W(VLAN1, 0),
	       W(ETHERTYPE, ETH_P_IPV4), W(L3_OFF, 18), W(L4_OFF, 38),
	       W(PAYLOAD_OFF, 46), W(PAYLOAD_LEN, 3), W(SPORT, 1000),
	       W(DPORT, 2000));
}

void
test_vlan_qinq(void)
{
	frame_qinq_ip4_tcp(&f);
	CU_ASSERT_EQUAL(f.len, 84);
	EXPECT(&f, BW_REASON_NONE, W(NB_VLAN, 2), W(VLAN0, 100), W(VLAN1, 200),
	       W(ETHERTYPE, ETH_P_IPV4), W(L3_OFF, 22), W(L3_LEN, 62),
	       W(L4_OFF, 42), W(PAYLOAD_OFF, 74), W(PAYLOAD_LEN, 10),
	       W(SPORT, 40000), W(DPORT, 80), W(TCP_FLAGS, TCP_PSH | TCP_ACK),
	       W(FLAGS, DP_PKT_L4));

	/* pre-standard 0x9100 outer TPID, IPv6 inside */
	fb_macs(&f);
	fb_tag(&f, TPID_9100, 0x0fff);
	fb_tag(&f, TPID_8021Q, 0x1001);
	fb_u16(&f, ETH_P_IPV6);
	fb_ip6(&f, PROTO_NONE);
	EXPECT(&f, BW_REASON_NONE, W(NB_VLAN, 2), W(VLAN0, 0x0fff), W(VLAN1, 1),
	       W(ETHERTYPE, ETH_P_IPV6), W(L3, DP_L3_IPV6), W(L3_OFF, 22),
	       W(L3_LEN, 40), W(L4_PROTO, PROTO_NONE), W(L4_OFF, 62),
	       W(PAYLOAD_OFF, 62), W(PAYLOAD_LEN, 0));
}

void
test_vlan_depth(void)
{
	fb_macs(&f);
	fb_tag(&f, TPID_8021AD, 100);
	fb_tag(&f, TPID_8021Q, 200);
	fb_tag(&f, TPID_8021Q, 300);
	fb_u16(&f, ETH_P_IPV4);
	fb_ip4_data(&f, PROTO_NONE, 0, 0);
	EXPECT(&f, BW_REASON_VLAN_DEPTH, W(NB_VLAN, 2), W(VLAN0, 100),
	       W(VLAN1, 200), W(L3, DP_L3_NONE));
}

void
test_vlan_trunc(void)
{
	uint32_t n;

	fb_macs(&f);
	fb_tag(&f, TPID_8021Q, 42);
	fb_u16(&f, ETH_P_ARP);
	for (n = 14; n < 18; n++)
		EXPECT_PART(&f, n, n, BW_REASON_VLAN_TRUNC);
	/* a tag with nothing after it is a well-formed non-IP frame */
	EXPECT_PART(&f, 18, 18, BW_REASON_NONE, W(NB_VLAN, 1), W(VLAN0, 42),
		    W(ETHERTYPE, ETH_P_ARP), W(L3_OFF, 18));
}

void
test_non_ip(void)
{
	static const uint16_t types[] = {ETH_P_ARP, ETH_P_LLDP, 0x002e,
					 0x05ff,    0x88b5,	0x8863};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fb_eth(&f, types[i]);
		fb_payload(&f, 46);
		EXPECT(&f, BW_REASON_NONE, W(ETHERTYPE, types[i]),
		       W(L3, DP_L3_NONE), W(L3_OFF, 14), W(L3_LEN, 0),
		       W(L4_OFF, 0), W(PAYLOAD_OFF, 0), W(PAYLOAD_LEN, 0),
		       W(FLAGS, 0), W(TTL, 0), W(DIR, DP_DIR_INBOUND));
	}

	/* ARP request behind a 802.1Q tag */
	fb_macs(&f);
	fb_tag(&f, TPID_8021Q, 7);
	fb_u16(&f, ETH_P_ARP);
	fb_u32(&f, 0x00010800); /* Ethernet, IPv4 */
	fb_u32(&f, 0x06040001); /* lengths, request */
	fb_fill(&f, 0x11, 20);
	EXPECT(&f, BW_REASON_NONE, W(ETHERTYPE, ETH_P_ARP), W(L3, DP_L3_NONE),
	       W(NB_VLAN, 1), W(VLAN0, 7), W(L3_OFF, 18));

	/* LLDP: a bare ethertype and nothing else */
	fb_eth(&f, ETH_P_LLDP);
	EXPECT(&f, BW_REASON_NONE, W(L3, DP_L3_NONE));
}

/* data_len above pkt_len: the bytes past the frame are not read as it */
void
test_data_beyond_frame(void)
{
	struct dp_pkt p;

	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_tcp(&f, 0, 1, 2, TCP_SYN, 0, 0);
	fb_pad_to(&f, 100);
	CU_ASSERT_EQUAL(dp_decode(f.b, f.len, 54, DP_DIR_INBOUND, &p),
			BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	check_invariants(&p, 54, 54);
	CU_ASSERT_EQUAL(dp_decode(f.b, f.len, 53, DP_DIR_INBOUND, &p),
			BW_REASON_IP4_TOTLEN);
	CU_ASSERT_EQUAL(dp_decode(f.b, f.len, 33, DP_DIR_INBOUND, &p),
			BW_REASON_IP4_TRUNC);
}
