/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() on the IPv4 header: version, header length,
 * total length against the frame and its padding, options, and protocols
 * it does not decode further.
 */
#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

/* The frame each test builds, from scratch. */
static struct fb f;

void
test_ip4_version(void)
{
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_data(&f, PROTO_NONE, 0, 0);
	f.b[ip] = 0x65;
	EXPECT(&f, BW_REASON_IP4_VERSION, W(L3, DP_L3_IPV4), W(L3_OFF, 14));
	f.b[ip] = 0x05;
	EXPECT(&f, BW_REASON_IP4_VERSION);
	f.b[ip] = 0x45;
	EXPECT(&f, BW_REASON_NONE);
}

void
test_ip4_ihl(void)
{
	uint32_t ip;
	uint8_t ihl;

	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_udp(&f, 0, 1, 2, 4); /* 32 bytes */
	for (ihl = 0; ihl < 5; ihl++) {
		f.b[ip] = (uint8_t)(0x40 | ihl);
		EXPECT(&f, BW_REASON_IP4_HDRLEN);
	}
	/* 60-byte header claimed in a 46-byte frame */
	f.b[ip] = 0x4f;
	EXPECT(&f, BW_REASON_IP4_HDRLEN);
	/* ... and in a frame that has it, past data_len */
	fb_pad_to(&f, 200);
	EXPECT_PART(&f, 46, 200, BW_REASON_IP4_HDRLEN);
	/* IHL 9 within the frame but above a total length of 32 */
	f.b[ip] = 0x49;
	EXPECT(&f, BW_REASON_IP4_TOTLEN);
}

void
test_ip4_total_length(void)
{
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4_udp(&f, 0, 1, 2, 4); /* 32 */

	/* below the header, zero, one byte past the frame, the largest */
	fb_set16(&f, ip + 2, 19);
	EXPECT(&f, BW_REASON_IP4_TOTLEN, W(L3, DP_L3_IPV4));
	EXPECT_EACH16(&f, ip + 2, BW_REASON_IP4_TOTLEN, 0, 33, 0xffff);
	/* past data_len but within pkt_len is fine for the length... */
	fb_set16(&f, ip + 2, 32);
	EXPECT_PART(&f, 42, 46, BW_REASON_NONE, W(PAYLOAD_OFF, 42),
		    W(PAYLOAD_LEN, 4));
	/* ...and against pkt_len, not data_len */
	EXPECT_PART(&f, 42, 45, BW_REASON_IP4_TOTLEN);
	/* header only, nothing for UDP */
	fb_set16(&f, ip + 2, 20);
	EXPECT(&f, BW_REASON_UDP_TRUNC, W(L3_LEN, 20), W(L4_OFF, 34));
}

void
test_ip4_padding(void)
{
	/* 2-byte UDP payload in a minimum 60-byte frame */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_udp(&f, 0, 53, 5353, 2);
	fb_pad_to(&f, 60);
	EXPECT(&f, BW_REASON_NONE, W(L3_LEN, 30), W(PAYLOAD_OFF, 42),
	       W(PAYLOAD_LEN, 2));

	/* bare TCP ACK: 54 bytes padded to 60, payload 0 not 6 */
	fb_eth(&f, ETH_P_IPV4);
	fb_ip4_tcp(&f, IP4_DF, 80, 40000, TCP_ACK, 0, 0);
	fb_pad_to(&f, 60);
	f.b[59] = 0xff; /* padding content does not matter */
	EXPECT(&f, BW_REASON_NONE, W(L3_LEN, 40), W(PAYLOAD_OFF, 54),
	       W(PAYLOAD_LEN, 0), W(TCP_FLAGS, TCP_ACK));
}

void
test_ip4_options(void)
{
	struct opt_case {
		uint8_t opts[8];
		uint32_t olen;
		int reason;
	};
	static const struct opt_case cases[] = {
		/* router alert (RFC 2113) */
		{{0x94, 4, 0, 0}, 4, BW_REASON_NONE},
		/* NOP, record route with one empty slot */
		{{1, 7, 7, 4, 0, 0, 0, 0}, 8, BW_REASON_NONE},
		/* EOL ends the list: what follows is not parsed */
		{{0, 0xff, 0xff, 0xff}, 4, BW_REASON_NONE},
		/* NOPs only */
		{{1, 1, 1, 1}, 4, BW_REASON_NONE},
		/* length 0 and 1 */
		{{0x44, 0, 0, 0}, 4, BW_REASON_IP4_OPTIONS},
		{{0x44, 1, 0, 0}, 4, BW_REASON_IP4_OPTIONS},
		/* record route claiming 9 bytes in a 4-byte option area */
		{{7, 9, 4, 0}, 4, BW_REASON_IP4_OPTIONS},
		/* second option runs one byte past the header */
		{{0x94, 4, 0, 0, 7, 5, 4, 0}, 8, BW_REASON_IP4_OPTIONS},
		/* type in the last byte, no room for its length */
		{{1, 1, 1, 7}, 4, BW_REASON_IP4_OPTIONS},
	};
	const struct opt_case *c;
	uint32_t ip, udp;

	for (c = cases; c < cases + sizeof(cases) / sizeof(cases[0]); c++) {
		fb_eth(&f, ETH_P_IPV4);
		ip = fb_ip4(&f, PROTO_UDP, 0, c->opts, c->olen);
		udp = fb_udp(&f, 10, 20);
		fb_payload(&f, 1);
		fb_udp_end(&f, udp);
		fb_ip4_end(&f, ip);
		if (c->reason != BW_REASON_NONE)
			EXPECT(&f, c->reason, W(FLAG_IP4_OPTS, DP_PKT_IP4_OPTS),
			       W(L3_LEN, 20 + c->olen + 9));
		else
			EXPECT(&f, c->reason, W(FLAG_IP4_OPTS, DP_PKT_IP4_OPTS),
			       W(L3_LEN, 20 + c->olen + 9),
			       W(L4_OFF, 34 + c->olen),
			       W(PAYLOAD_OFF, 42 + c->olen), W(PAYLOAD_LEN, 1),
			       W(FLAGS, DP_PKT_IP4_OPTS | DP_PKT_L4));
	}
}

void
test_ip4_other_proto(void)
{
	fb_eth(&f, ETH_P_IPV4);
	/* SCTP: not decoded; GRE is a tunnel (test_decode_tunnel.c) */
	fb_ip4_data(&f, 132, 0, 12);
	fb_pad_to(&f, 64);
	EXPECT(&f, BW_REASON_NONE, W(L4_PROTO, 132), W(L4_OFF, 34),
	       W(PAYLOAD_OFF, 34), W(PAYLOAD_LEN, 12), W(FLAGS, 0));
}
