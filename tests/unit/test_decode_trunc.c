/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() on frames cut at every byte: each layer must
 * name its own truncation, whether the frame itself is short or only the
 * first segment (data_len) is.
 */
#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

/* The frame each test builds, from scratch. */
static struct fb f;

/* A frame and where it may be cut; unused cuts stay zero and match no n. */
struct trunc_case {
	void (*build)(struct fb *fb);
	uint32_t len;		 /* bytes build() writes */
	struct cut frame_cut[6]; /* data_len = pkt_len = n: the frame short */
	struct cut data_cut[6];	 /* data_len = n, pkt_len whole: a segment */
};

/* IPv4 with 8 option bytes (IHL 7) + UDP + 8 payload bytes: 58 bytes. */
static void
frame_ip4_options_udp(struct fb *fb)
{
	static const uint8_t opts[8] = {0x94, 4, 0, 0, 1, 1, 1, 0};
	uint32_t ip, udp;

	fb_eth(fb, ETH_P_IPV4);
	ip = fb_ip4(fb, PROTO_UDP, 0, opts, sizeof(opts));
	udp = fb_udp(fb, 7, 9);
	fb_payload(fb, 8);
	fb_udp_end(fb, udp);
	fb_ip4_end(fb, ip);
}

/*
 * IPv6 + hop-by-hop (8) + destination options (16) + UDP + 5 payload
 * bytes: l3 14, extensions at 54 and 62, l4 78, payload 86, 91 bytes.
 */
static void
frame_ip6_hbh_dst_udp(struct fb *fb)
{
	uint32_t ip, udp;

	fb_eth(fb, ETH_P_IPV6);
	ip = fb_ip6(fb, PROTO_HOPOPTS);
	fb_ext(fb, PROTO_DSTOPTS, 0);
	fb_ext(fb, PROTO_UDP, 1);
	udp = fb_udp(fb, 5353, 53);
	fb_payload(fb, 5);
	fb_udp_end(fb, udp);
	fb_ip6_end(fb, ip);
}

static const struct trunc_case qinq_ip4_tcp = {
	frame_qinq_ip4_tcp,
	84,
	{
		{14, BW_REASON_L2_TRUNC},
		{18, BW_REASON_VLAN_TRUNC}, /* 802.1ad tag + next type */
		{22, BW_REASON_VLAN_TRUNC}, /* 802.1Q tag + next type */
		{42, BW_REASON_IP4_TRUNC},  /* 20 fixed IPv4 bytes */
		{84, BW_REASON_IP4_TOTLEN}, /* total length 62 > n - 22 */
	},
	/* headers in later segments */
	{
		{14, BW_REASON_L2_TRUNC},
		{22, BW_REASON_VLAN_TRUNC},
		{42, BW_REASON_IP4_TRUNC},
		{62, BW_REASON_TCP_TRUNC},  /* 20 fixed TCP bytes */
		{74, BW_REASON_TCP_HDRLEN}, /* 12 option bytes */
	},
};

static const struct trunc_case ip4_options = {
	frame_ip4_options_udp,
	58,
	{
		{14, BW_REASON_L2_TRUNC},
		{34, BW_REASON_IP4_TRUNC},
		{42, BW_REASON_IP4_HDRLEN}, /* IHL 7 */
		{58, BW_REASON_IP4_TOTLEN},
	},
	{
		{14, BW_REASON_L2_TRUNC},
		{34, BW_REASON_IP4_TRUNC},
		{42, BW_REASON_IP4_HDRLEN},
		{50, BW_REASON_UDP_TRUNC},
	},
};

static const struct trunc_case ip6_hbh_dst_udp = {
	frame_ip6_hbh_dst_udp,
	91,
	{
		{14, BW_REASON_L2_TRUNC},
		{54, BW_REASON_IP6_TRUNC},  /* 40 fixed IPv6 bytes */
		{91, BW_REASON_IP6_PAYLEN}, /* payload length 37 > n - 54 */
	},
	{
		{14, BW_REASON_L2_TRUNC},
		{54, BW_REASON_IP6_TRUNC},
		{62, BW_REASON_IP6_EXT_TRUNC}, /* hop-by-hop, 8 bytes */
		{78, BW_REASON_IP6_EXT_TRUNC}, /* destination options, 16 */
		{86, BW_REASON_UDP_TRUNC},
	},
};

/* Build tc's frame, check its length, sweep both kinds of cut. */
static void
trunc_run(const struct trunc_case *tc)
{
	size_t nb = sizeof(tc->frame_cut) / sizeof(tc->frame_cut[0]);

	tc->build(&f);
	CU_ASSERT_EQUAL(f.len, tc->len);
	sweep(&f, 0, tc->frame_cut, nb);
	sweep(&f, 1, tc->data_cut, nb);
}

void
test_trunc_qinq_ip4_tcp(void)
{
	trunc_run(&qinq_ip4_tcp);
}

void
test_trunc_ip4_options(void)
{
	trunc_run(&ip4_options);
}

void
test_trunc_ip6_hbh_dst_udp(void)
{
	trunc_run(&ip6_hbh_dst_udp);
	EXPECT(&f, BW_REASON_NONE, W(L3, DP_L3_IPV6), W(L3_OFF, 14),
	       W(L3_LEN, 77), W(NB_EXT, 2), W(L4_PROTO, PROTO_UDP),
	       W(L4_OFF, 78), W(PAYLOAD_OFF, 86), W(PAYLOAD_LEN, 5),
	       W(SPORT, 5353), W(DPORT, 53), W(FLAGS, DP_PKT_L4));
}
