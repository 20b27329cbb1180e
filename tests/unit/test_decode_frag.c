/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() on IPv4 and IPv6 fragments: first, later and
 * atomic fragments, the tiny and overlapping ones of RFC 1858 and RFC
 * 7112, lengths that are not a multiple of 8 and offsets past 65535.
 */
#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

/* The frame each test builds, from scratch. */
static struct fb f;

/* ---- IPv4 ---- */

void
test_ip4_frag_first(void)
{
	/* UDP length 1000 describes the reassembled datagram: accepted */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_udp(&f, IP4_MF, 4000, 4001, 16);
	fb_set16(&f, AT_L4_IP4 + 4, 1000);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_FIRST), W(FRAG_OFF, 0),
	       W(FRAG_ID, 0x1234), W(FLAGS, DP_PKT_L4), W(SPORT, 4000),
	       W(DPORT, 4001), W(L4_OFF, 34), W(PAYLOAD_OFF, 42),
	       W(PAYLOAD_LEN, 16));

	/* TCP header complete in the first fragment */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_tcp(&f, IP4_MF, 1, 2, TCP_SYN, 4, 8);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_FIRST), W(PAYLOAD_OFF, 58),
	       W(PAYLOAD_LEN, 8));

	/* DF alone is not a fragment */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_udp(&f, IP4_DF, 1, 2, 0);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_NONE), W(PAYLOAD_LEN, 0));
}

void
test_ip4_frag_tiny(void)
{
	static const uint8_t empty[] = {PROTO_UDP, PROTO_ICMP};
	uint32_t ip;
	size_t i;

	/* RFC 1858: 8 bytes of TCP, flags pushed to the next fragment */
	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_data(&f, PROTO_TCP, IP4_MF, 8);
	EXPECT(&f, BW_REASON_FRAG_TINY, W(FRAG, DP_FRAG_FIRST), W(L4_OFF, 34),
	       W(FLAG_L4, 0));
	/* same bytes, whole datagram: plain truncation */
	fb_set16(&f, ip + 6, 0);
	EXPECT(&f, BW_REASON_TCP_TRUNC);

	/* 24 bytes: the fixed part fits, the options (doff 8) do not */
	ip = frame_ip4(&f, PROTO_TCP, IP4_MF);
	fb_tcp(&f, 1, 2, TCP_SYN, 12);
	f.len -= 8;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_FRAG_TINY);
	fb_set16(&f, ip + 6, 0);
	EXPECT(&f, BW_REASON_TCP_HDRLEN);

	/* empty first fragments of UDP and ICMP */
	for (i = 0; i < sizeof(empty); i++) {
		fb_eth(&f, ETH_P_IPV4);
		fb_ip4_data(&f, empty[i], IP4_MF, 0);
		EXPECT(&f, BW_REASON_FRAG_TINY);
	}
	/* no header to miss for other protocols */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_data(&f, PROTO_GRE, IP4_MF, 0);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_FIRST), W(PAYLOAD_LEN, 0));

	/* a first fragment cut by data_len only is a truncation */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_tcp(&f, IP4_MF, 1, 2, TCP_SYN, 4, 0);
	EXPECT_PART(&f, 50, f.len, BW_REASON_TCP_TRUNC);
	EXPECT_PART(&f, 55, f.len, BW_REASON_TCP_HDRLEN);
}

void
test_ip4_frag_later(void)
{
	uint32_t ip;

	/* last fragment at 1480 */
	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_data(&f, PROTO_UDP, 185, 100);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_LATER), W(FRAG_OFF, 1480),
	       W(FRAG_ID, 0x1234), W(L4_PROTO, PROTO_UDP), W(L4_OFF, 34),
	       W(PAYLOAD_OFF, 34), W(PAYLOAD_LEN, 100), W(FLAGS, 0),
	       W(SPORT, 0));

	/* middle fragment: MF needs a multiple of 8 */
	fb_set16(&f, ip + 6, IP4_MF | 185);
	EXPECT(&f, BW_REASON_IP4_FRAG);
	f.len -= 4;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 96));

	/* a later fragment with padding after it */
	fb_pad_to(&f, 200);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 96));

	/* RFC 1858 overlap: TCP at offset 8 */
	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_data(&f, PROTO_TCP, 1, 12);
	EXPECT(&f, BW_REASON_FRAG_TINY, W(FRAG, DP_FRAG_LATER), W(FRAG_OFF, 8));
	/* not TCP, or TCP further on: fine */
	f.b[ip + 9] = PROTO_UDP;
	EXPECT(&f, BW_REASON_NONE);
	f.b[ip + 9] = PROTO_TCP;
	fb_set16(&f, ip + 6, 2);
	EXPECT(&f, BW_REASON_NONE, W(FRAG_OFF, 16));
}

void
test_ip4_frag_oversize(void)
{
	uint32_t ip;

	/* 65512 + 24 > 65535 */
	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_data(&f, PROTO_UDP, 8189, 24);
	EXPECT(&f, BW_REASON_IP4_FRAG, W(FRAG, DP_FRAG_LATER),
	       W(FRAG_OFF, 65512));
	/* 65512 + 23 = 65535: the largest datagram */
	f.len--;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 23));
	/* the largest offset with MF and 8 bytes */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_data(&f, PROTO_UDP, IP4_MF | 0x1fff, 8);
	EXPECT(&f, BW_REASON_IP4_FRAG, W(FRAG_OFF, 65528));
}

void
test_ip4_frag_mf_length(void)
{
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_udp(&f, IP4_MF, 1, 2, 5);
	EXPECT(&f, BW_REASON_IP4_FRAG, W(FRAG, DP_FRAG_FIRST));
	/* the last fragment may end anywhere */
	fb_set16(&f, ip + 6, 3);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_LATER), W(PAYLOAD_LEN, 13));
}

/* ---- IPv6 ---- */

void
test_ip6_frag_atomic(void)
{
	uint32_t ip, udp;

	/* RFC 6946: offset 0, M 0: a whole datagram, L4 decoded */
	ip = frame_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 0, 0, 0xdeadbeef);
	udp = fb_udp(&f, 123, 123);
	fb_payload(&f, 4);
	fb_udp_end(&f, udp);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_NONE), W(FRAG_OFF, 0),
	       W(FRAG_ID, 0xdeadbeef), W(NB_EXT, 1),
	       W(FLAGS, DP_PKT_L4 | DP_PKT_IP6_FRAGHDR), W(L4_OFF, 62),
	       W(PAYLOAD_OFF, 70), W(PAYLOAD_LEN, 4));
	/* not a fragment, so the UDP length is checked */
	fb_set16(&f, udp + 4, 13);
	EXPECT(&f, BW_REASON_UDP_LEN);
}

void
test_ip6_frag_first(void)
{
	uint32_t ip;

	ip = frame_ip6(&f, PROTO_HOPOPTS);
	fb_ext(&f, PROTO_FRAG, 0);
	fb_frag6(&f, PROTO_DSTOPTS, 0, 1, 77);
	fb_ext(&f, PROTO_TCP, 0);
	fb_tcp(&f, 179, 50000, TCP_ACK, 0);
	fb_payload(&f, 4); /* fragmentable part 8 + 20 + 4 = 32 */
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_FIRST), W(FRAG_OFF, 0),
	       W(FRAG_ID, 77), W(NB_EXT, 3),
	       W(FLAGS, DP_PKT_L4 | DP_PKT_IP6_FRAGHDR), W(L4_PROTO, PROTO_TCP),
	       W(L4_OFF, 78), W(SPORT, 179), W(PAYLOAD_OFF, 98),
	       W(PAYLOAD_LEN, 4));

	/* RFC 7112: TCP header not in the first fragment */
	ip = frame_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_TCP, 0, 1, 78);
	fb_payload(&f, 8);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_FRAG_TINY, W(FRAG, DP_FRAG_FIRST), W(L4_OFF, 62));
	f.b[ip + 40] = PROTO_UDP; /* 8 bytes hold a UDP header */
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 0));
	fb_set16(&f, ip + 4, 8);
	EXPECT(&f, BW_REASON_FRAG_TINY);
	f.b[ip + 40] = PROTO_ICMPV6;
	EXPECT(&f, BW_REASON_FRAG_TINY);

	/* M with a fragmentable part not a multiple of 8 */
	ip = frame_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 0, 1, 79);
	fb_udp_end(&f, fb_udp(&f, 1, 2));
	fb_payload(&f, 5);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_IP6_FRAG, W(FRAG_ID, 79));
}

void
test_ip6_frag_later(void)
{
	uint32_t ip;

	ip = frame_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 1448, 0, 0x01020304);
	fb_payload(&f, 100);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(FRAG, DP_FRAG_LATER), W(FRAG_OFF, 1448),
	       W(FRAG_ID, 0x01020304), W(NB_EXT, 1), W(L4_PROTO, PROTO_UDP),
	       W(L4_OFF, 62), W(PAYLOAD_OFF, 62), W(PAYLOAD_LEN, 100),
	       W(FLAGS, DP_PKT_IP6_FRAGHDR), W(SPORT, 0));

	/* the walk stops: what follows is fragment data, even a "header" */
	f.b[ip + 40] = PROTO_HOPOPTS;
	EXPECT(&f, BW_REASON_NONE, W(L4_PROTO, PROTO_HOPOPTS));

	/* M set, 100 bytes: not a multiple of 8 */
	fb_set16(&f, ip + 42, 1448 | 1);
	EXPECT(&f, BW_REASON_IP6_FRAG);
	f.len -= 4;
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 96));

	/* 65528 + 16 > 65535 */
	ip = frame_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_TCP, 0xfff8, 0, 5);
	fb_payload(&f, 16);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_IP6_FRAG, W(FRAG_OFF, 0xfff8));
	f.len -= 9; /* 65528 + 7 = 65535 */
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 7));
}
