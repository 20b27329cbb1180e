/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() on the L4 headers: the TCP data offset, the
 * UDP length, ICMP and ICMPv6, each against the IP datagram around it.
 */
#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

/* The frame each test builds, from scratch. */
static struct fb f;

void
test_tcp_doff(void)
{
	uint32_t ip, tcp;
	uint8_t doff;

	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_tcp(&f, 0, 1, 2, TCP_SYN, 8, 4);
	tcp = AT_L4_IP4;
	for (doff = 0; doff < 5; doff++) {
		f.b[tcp + 12] = (uint8_t)(doff << 4);
		EXPECT(&f, BW_REASON_TCP_HDRLEN, W(L3, DP_L3_IPV4),
		       W(L3_OFF, 14), W(L4_OFF, 34), W(L4_PROTO, PROTO_TCP),
		       W(FLAG_L4, 0));
	}
	/* 28 header + 4 payload = 32: doff 8 fits exactly, 9 does not */
	f.b[tcp + 12] = 8 << 4;
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 0), W(PAYLOAD_OFF, 66));
	f.b[tcp + 12] = 9 << 4;
	EXPECT(&f, BW_REASON_TCP_HDRLEN);
	f.b[tcp + 12] = 15 << 4;
	EXPECT(&f, BW_REASON_TCP_HDRLEN);
	/* beyond the datagram even when padding would hold it */
	fb_pad_to(&f, 120);
	EXPECT(&f, BW_REASON_TCP_HDRLEN);

	/* 19 bytes of TCP */
	ip = frame_ip4(&f, PROTO_TCP, 0);
	fb_tcp(&f, 1, 2, 0xff, 0);
	f.len--;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_TCP_TRUNC);
	f.len++;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(TCP_FLAGS, 0xff));
}

void
test_udp_length(void)
{
	uint32_t ip, udp;

	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_udp(&f, 0, 68, 67, 10); /* IP payload 18 */
	udp = AT_L4_IP4;

	fb_set16(&f, udp + 4, 18);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 10));
	fb_set16(&f, udp + 4, 19);
	EXPECT(&f, BW_REASON_UDP_LEN, W(L4_OFF, 34), W(FLAG_L4, 0));
	EXPECT_EACH16(&f, udp + 4, BW_REASON_UDP_LEN, 7, 0, 0xffff);
	/* shorter than the IP payload: the rest is not UDP payload */
	fb_set16(&f, udp + 4, 8);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_OFF, 42), W(PAYLOAD_LEN, 0));
	fb_set16(&f, udp + 4, 12);
	EXPECT(&f, BW_REASON_NONE, W(PAYLOAD_LEN, 4));

	/* 7 bytes of UDP */
	ip = frame_ip4(&f, PROTO_UDP, 0);
	fb_udp(&f, 1, 2);
	f.len--;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_UDP_TRUNC);
}

void
test_icmp(void)
{
	uint32_t ip;

	ip = frame_ip4(&f, PROTO_ICMP, 0);
	fb_icmp(&f, 8, 0); /* echo request */
	fb_payload(&f, 4);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(L4_PROTO, PROTO_ICMP), W(ICMP_TYPE, 8),
	       W(ICMP_CODE, 0), W(L4_OFF, 34), W(PAYLOAD_OFF, 42),
	       W(PAYLOAD_LEN, 4), W(FLAGS, DP_PKT_L4), W(SPORT, 0));

	ip = frame_ip4(&f, PROTO_ICMP, 0);
	fb_icmp(&f, 3, 3); /* port unreachable */
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(ICMP_TYPE, 3), W(ICMP_CODE, 3),
	       W(PAYLOAD_LEN, 0));

	f.len--;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_ICMP_TRUNC, W(ICMP_TYPE, 0));

	/* ICMPv6 over IPv4 is just another protocol */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_data(&f, PROTO_ICMPV6, 0, 2);
	EXPECT(&f, BW_REASON_NONE, W(FLAGS, 0), W(PAYLOAD_LEN, 2));
}

void
test_ip6_icmp6(void)
{
	uint32_t ip;

	ip = frame_ip6(&f, PROTO_ICMPV6);
	fb_icmp(&f, 128, 0); /* echo request */
	fb_payload(&f, 6);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(L4_PROTO, PROTO_ICMPV6), W(ICMP_TYPE, 128),
	       W(ICMP_CODE, 0), W(L4_OFF, 54), W(PAYLOAD_OFF, 58),
	       W(PAYLOAD_LEN, 10), W(FLAGS, DP_PKT_L4));

	/* 4 bytes are enough, 3 are not */
	ip = frame_ip6(&f, PROTO_ICMPV6);
	fb_u32(&f, 0x87000000); /* neighbor solicitation, no body */
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(ICMP_TYPE, 135), W(PAYLOAD_LEN, 0));
	f.len--;
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_ICMP6_TRUNC, W(L4_OFF, 54));

	/* ICMP (v4) over IPv6 is just another protocol */
	ip = frame_ip6(&f, PROTO_ICMP);
	fb_payload(&f, 3);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(FLAGS, 0), W(PAYLOAD_LEN, 3));
}
