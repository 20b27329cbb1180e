/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() on the IPv6 header and its extension headers:
 * version and payload length, no next header, chains up to the walk's
 * limit, and extensions out of place or cut short.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

/* The frame each test builds, from scratch. */
static struct fb f;

void
test_ip6_tcp(void)
{
	struct dp_pkt p;
	uint32_t ip;

	ip = frame_ip6(&f, PROTO_TCP);
	fb_tcp(&f, 50000, 22, TCP_SYN | TCP_ACK, 4);
	fb_payload(&f, 3);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(memcmp(p.src.a8, ip6_src, 16), 0);
	CU_ASSERT_EQUAL(memcmp(p.dst.a8, ip6_dst, 16), 0);
	CHECK(&p, W(ETHERTYPE, ETH_P_IPV6), W(L3, DP_L3_IPV6), W(L3_OFF, 14),
	      W(L3_LEN, 67), W(TTL, 63), W(NB_EXT, 0), W(L4_PROTO, PROTO_TCP),
	      W(L4_OFF, 54), W(SPORT, 50000), W(DPORT, 22),
	      W(TCP_FLAGS, TCP_SYN | TCP_ACK), W(PAYLOAD_OFF, 78),
	      W(PAYLOAD_LEN, 3), W(FLAGS, DP_PKT_L4), W(FRAG, DP_FRAG_NONE),
	      W(FRAG_ID, 0));

	/* padding after the payload length is ignored */
	fb_pad_to(&f, 100);
	EXPECT(&f, BW_REASON_NONE, W(L3_LEN, 67), W(PAYLOAD_LEN, 3));
}

void
test_ip6_header(void)
{
	uint32_t ip;

	ip = frame_ip6(&f, PROTO_UDP);
	fb_udp_end(&f, fb_udp(&f, 1, 2));
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE);

	f.b[ip] = 0x40;
	EXPECT(&f, BW_REASON_IP6_VERSION, W(L3, DP_L3_IPV6));
	f.b[ip] = 0x60;

	/* one past the frame; 0, a jumbogram */
	EXPECT_EACH16(&f, ip + 4, BW_REASON_IP6_PAYLEN, 9, 0);
	/* payload length 0 with no next header: legal, nothing follows */
	f.b[ip + 6] = PROTO_NONE;
	EXPECT(&f, BW_REASON_NONE, W(L3_LEN, 40), W(L4_PROTO, PROTO_NONE),
	       W(L4_OFF, 54), W(PAYLOAD_OFF, 54), W(PAYLOAD_LEN, 0),
	       W(FLAGS, 0));

	/* payload length checked against pkt_len, not data_len */
	f.b[ip + 6] = PROTO_UDP;
	fb_set16(&f, ip + 4, 8);
	EXPECT_PART(&f, 60, 62, BW_REASON_UDP_TRUNC);
	EXPECT_PART(&f, 60, 61, BW_REASON_IP6_PAYLEN);
}

void
test_ip6_esp_nonext(void)
{
	uint32_t ip;

	ip = frame_ip6(&f, PROTO_ESP);
	fb_payload(&f, 16);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(L4_PROTO, PROTO_ESP), W(L4_OFF, 54),
	       W(PAYLOAD_OFF, 54), W(PAYLOAD_LEN, 16), W(FLAGS, 0));

	/* destination options then no next header: the rest is ignored */
	ip = frame_ip6(&f, PROTO_DSTOPTS);
	fb_ext(&f, PROTO_NONE, 0);
	fb_payload(&f, 5);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(NB_EXT, 1), W(L4_PROTO, PROTO_NONE),
	       W(L4_OFF, 62), W(PAYLOAD_LEN, 5), W(FLAGS, 0));
}

/* Extension header types used to build chains, in a legal order. */
static const uint8_t ext_chain_types[] = {
	PROTO_HOPOPTS, PROTO_ROUTING, PROTO_DSTOPTS, PROTO_AH,
	PROTO_MH,      PROTO_HIP,     PROTO_SHIM6,   PROTO_DSTOPTS,
};

/* IPv6 + n extension headers + UDP; returns the L4 offset. */
static uint32_t
frame_ip6_chain(struct fb *fb, unsigned int n)
{
	uint8_t types[DP_IP6_EXT_MAX + 2];
	uint32_t ip, udp, l4;
	unsigned int i;
	uint8_t next;

	CU_ASSERT_FATAL(n <= sizeof(types));
	for (i = 0; i < n; i++)
		types[i] = i < sizeof(ext_chain_types) ? ext_chain_types[i]
						       : PROTO_DSTOPTS;
	ip = frame_ip6(fb, n > 0 ? types[0] : PROTO_UDP);
	for (i = 0; i < n; i++) {
		next = i + 1 < n ? types[i + 1] : PROTO_UDP;
		if (types[i] == PROTO_AH)
			fb_ah(fb, next, 4); /* 24 bytes, 96-bit ICV */
		else
			fb_ext(fb, next, (uint8_t)(i % 2));
	}
	l4 = fb->len;
	udp = fb_udp(fb, 500, 4500);
	fb_payload(fb, 4);
	fb_udp_end(fb, udp);
	fb_ip6_end(fb, ip);
	return l4;
}

void
test_ip6_ext_chain(void)
{
	uint32_t l4;

	/* AH length is in 4-byte units (RFC 4302), others in 8 */
	l4 = frame_ip6_chain(&f, 4);
	CU_ASSERT_EQUAL(l4, 54 + 8 + 16 + 8 + 24);
	EXPECT(&f, BW_REASON_NONE, W(NB_EXT, 4), W(L4_OFF, l4),
	       W(FLAGS, DP_PKT_L4 | DP_PKT_IP6_ROUTING));

	l4 = frame_ip6_chain(&f, DP_IP6_EXT_MAX);
	EXPECT(&f, BW_REASON_NONE, W(NB_EXT, DP_IP6_EXT_MAX),
	       W(L4_PROTO, PROTO_UDP), W(L4_OFF, l4), W(PAYLOAD_OFF, l4 + 8),
	       W(PAYLOAD_LEN, 4), W(SPORT, 500), W(DPORT, 4500),
	       W(FLAGS, DP_PKT_L4 | DP_PKT_IP6_ROUTING));

	frame_ip6_chain(&f, DP_IP6_EXT_MAX + 1);
	EXPECT(&f, BW_REASON_IP6_EXT_CHAIN, W(NB_EXT, DP_IP6_EXT_MAX),
	       W(L3, DP_L3_IPV6), W(FLAG_L4, 0));
}

void
test_ip6_ext_errors(void)
{
	uint32_t ip, udp;

	/* hop-by-hop after destination options (RFC 8200 section 4.1) */
	ip = frame_ip6(&f, PROTO_DSTOPTS);
	fb_ext(&f, PROTO_HOPOPTS, 0);
	fb_ext(&f, PROTO_UDP, 0);
	fb_udp_end(&f, fb_udp(&f, 1, 2));
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_IP6_HBH_POS);
	/* twice */
	f.b[ip + 6] = PROTO_HOPOPTS;
	EXPECT(&f, BW_REASON_IP6_HBH_POS);

	/* an extension inside the frame but past the payload length */
	ip = frame_ip6(&f, PROTO_DSTOPTS);
	fb_ext(&f, PROTO_UDP, 1);
	udp = fb_udp(&f, 1, 2);
	fb_udp_end(&f, udp);
	fb_set16(&f, ip + 4, 8);
	EXPECT(&f, BW_REASON_IP6_EXT_TRUNC, W(NB_EXT, 1));
	fb_set16(&f, ip + 4, 1);
	EXPECT(&f, BW_REASON_IP6_EXT_TRUNC);
	fb_set16(&f, ip + 4, 23);
	EXPECT(&f, BW_REASON_UDP_TRUNC);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE);
	/* UDP length checked against what follows the extensions */
	fb_set16(&f, udp + 4, 9);
	EXPECT(&f, BW_REASON_UDP_LEN);

	/* AH of 24 bytes claimed with 16 present */
	ip = frame_ip6(&f, PROTO_AH);
	fb_ah(&f, PROTO_NONE, 2);
	f.b[ip + 41] = 4;
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_IP6_EXT_TRUNC);
	fb_fill(&f, 0, 8);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(L4_OFF, 78));

	/* fragment header cut by the payload length */
	ip = frame_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 0, 0, 1);
	fb_set16(&f, ip + 4, 4);
	EXPECT(&f, BW_REASON_IP6_EXT_TRUNC);
}
