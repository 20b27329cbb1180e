/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode() through tunnels: IPv4/IPv6 in IPv4/IPv6, GRE
 * (versions 0 and 1, checksum, key, sequence, Ethernet and PPP payloads),
 * VXLAN, GENEVE and GTP-U on their ports and on configured ones, MPLS
 * label stacks, PPPoE sessions, nesting, the depth limit, malformed inner
 * headers and truncation at every byte. The expected offsets are counted
 * by hand from the layout each test writes, not taken from the decoder.
 */
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "dp_bpf_ctx.h"
#include "test_decode_util.h"

#define ETH_P_TEB     0x6558
#define ETH_P_PPP     0x880b
#define ETH_P_MPLS    0x8847
#define ETH_P_PPPOE   0x8864
#define PROTO_IPIP    4
#define PROTO_IPV6    41
#define PORT_VXLAN    4789
#define PORT_GENEVE   6081
#define PORT_GTPU     2152
#define GTP_BASE      0x30 /* version 1, protocol type GTP */
#define GTP_S	      0x02
#define GTP_E	      0x04
#define GTP_G_PDU     255
#define GTP_ECHO_REQ  1
#define MPLS_BOS      0x100
#define PPP_LCP	      0xc021
#define TCP_PAYLOAD_N 5

static struct fb f;

/* The 4 address bytes a.b.c.d as struct dp_pkt's a32[0] holds them. */
static uint32_t
a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t x[4] = {a, b, c, d};
	uint32_t v;

	memcpy(&v, x, 4);
	return v;
}

/* Give the IPv4 header at ip the addresses 10.0.0.1 -> 10.0.0.2. */
static void
inner_addrs(struct fb *fr, uint32_t ip)
{
	static const uint8_t a[8] = {10, 0, 0, 1, 10, 0, 0, 2};

	memcpy(fr->b + ip + 12, a, 8);
}

/* Destination and source MAC of an inner Ethernet header (no reset). */
static void
inner_macs(struct fb *fr)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x0a,
					 0x02, 0, 0, 0, 0, 0x0b};

	fb_put(fr, macs, sizeof(macs));
}

/* Inner IPv4 + TCP 1234 -> 80 with TCP_PAYLOAD_N payload bytes. */
static uint32_t
inner_ip4_tcp(struct fb *fr)
{
	uint32_t ip = fb_ip4_tcp(fr, 0, 1234, 80, TCP_ACK, 0, TCP_PAYLOAD_N);

	inner_addrs(fr, ip);
	return ip;
}

static void
gre(struct fb *fr, uint8_t f0, uint8_t f1, uint16_t proto)
{
	fb_u8(fr, f0);
	fb_u8(fr, f1);
	fb_u16(fr, proto);
}

static void
vxlan(struct fb *fr, uint8_t flags)
{
	fb_u8(fr, flags);
	fb_fill(fr, 0, 3);
	fb_u32(fr, 0x00123400); /* VNI 0x1234, reserved */
}

static void
geneve(struct fb *fr, uint8_t ver_optlen, uint16_t proto)
{
	fb_u8(fr, ver_optlen);
	fb_u8(fr, 0);
	fb_u16(fr, proto);
	fb_u32(fr, 0x00567800);
	fb_fill(fr, 0x11, (uint32_t)(ver_optlen & 0x3f) * 4);
}

/* Outer Ethernet + IPv4 + UDP to dport; returns the UDP header offset. */
static uint32_t
outer_udp4(struct fb *fr, uint16_t dport, uint32_t *ip)
{
	*ip = frame_ip4(fr, PROTO_UDP, 0);
	return fb_udp(fr, 50000, dport);
}

static void
end_udp4(struct fb *fr, uint32_t ip, uint32_t udp)
{
	fb_udp_end(fr, udp);
	fb_ip4_end(fr, ip);
}

/* The fields of inner_ip4_tcp() when its IPv4 header is at l3. */
#define INNER_TCP4(l3)                                                         \
	W(L3, DP_L3_IPV4), W(ETHERTYPE, ETH_P_IPV4), W(L3_OFF, (l3)),          \
		W(L4_OFF, (l3) + 20), W(PAYLOAD_OFF, (l3) + 40),               \
		W(PAYLOAD_LEN, TCP_PAYLOAD_N), W(L3_LEN, 40 + TCP_PAYLOAD_N),  \
		W(L4_PROTO, PROTO_TCP), W(SPORT, 1234), W(DPORT, 80),          \
		W(SRC_A32_0, a4(10, 0, 0, 1)), W(DST_A32_0, a4(10, 0, 0, 2)),  \
		W(FLAG_L4, DP_PKT_L4)

void
test_tun_ip_in_ip(void)
{
	uint32_t ip, in;

	/* IPv4 in IPv4 */
	ip = frame_ip4(&f, PROTO_IPIP, 0);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_IP),
	       W(OL3_0, DP_L3_IPV4), W(OOFF0, 14), INNER_TCP4(34), W(TTL, 64),
	       W(NB_VLAN, 0));

	/* IPv6 in IPv4 (sit) */
	ip = frame_ip4(&f, PROTO_IPV6, 0);
	in = fb_ip6(&f, PROTO_TCP);
	fb_tcp(&f, 1, 2, TCP_SYN, 0);
	fb_payload(&f, 3);
	fb_ip6_end(&f, in);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_IP),
	       W(OL3_0, DP_L3_IPV4), W(OOFF0, 14), W(L3, DP_L3_IPV6),
	       W(ETHERTYPE, ETH_P_IPV6), W(L3_OFF, 34), W(L4_OFF, 74),
	       W(PAYLOAD_OFF, 94), W(PAYLOAD_LEN, 3), W(DPORT, 2), W(TTL, 63));

	/* IPv4 in IPv6 */
	ip = frame_ip6(&f, PROTO_IPIP);
	in = fb_ip4_udp(&f, 0, 5353, 53, 4);
	inner_addrs(&f, in);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_IP),
	       W(OL3_0, DP_L3_IPV6), W(OOFF0, 14), W(L3, DP_L3_IPV4),
	       W(L3_OFF, 54), W(L4_OFF, 74), W(PAYLOAD_OFF, 82),
	       W(PAYLOAD_LEN, 4), W(DPORT, 53), W(SRC_A32_0, a4(10, 0, 0, 1)));

	/* IPv6 in IPv6 */
	ip = frame_ip6(&f, PROTO_IPV6);
	in = fb_ip6(&f, PROTO_ICMPV6);
	fb_icmp(&f, 128, 0);
	fb_ip6_end(&f, in);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(OL3_0, DP_L3_IPV6),
	       W(L3, DP_L3_IPV6), W(L3_OFF, 54), W(L4_OFF, 94),
	       W(ICMP_TYPE, 128), W(PAYLOAD_OFF, 98));

	/* protocol 4 with an IPv6 packet inside: the inner version is bad */
	ip = frame_ip4(&f, PROTO_IPIP, 0);
	in = fb_ip6(&f, PROTO_NONE);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_IP4_VERSION, W(DEPTH, 1), W(L3_OFF, 34));

	/* an outer fragment is not decapsulated: its inner packet is cut */
	ip = frame_ip4(&f, PROTO_IPIP, IP4_MF);
	inner_ip4_tcp(&f);
	fb_fill(&f, 0, 3); /* 48 bytes: a multiple of 8 */
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(L3_OFF, 14),
	       W(FRAG, DP_FRAG_FIRST), W(L4_PROTO, PROTO_IPIP),
	       W(PAYLOAD_OFF, 34));
}

/* 0x6558 on the wire, outside any tunnel: an unknown ethertype */
static void
teb_outermost(void)
{
	fb_eth(&f, ETH_P_TEB);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(L3, DP_L3_NONE),
	       W(ETHERTYPE, ETH_P_TEB), W(L3_OFF, 14));
}

void
test_tun_gre(void)
{
	uint32_t ip, in;

	/* version 0, no options */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_GRE),
	       W(OL3_0, DP_L3_IPV4), W(OOFF0, 14), INNER_TCP4(38));

	/* checksum (not verified), key and sequence number: 16 bytes */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0xb0, 0, ETH_P_IPV4);
	fb_u32(&f, 0xdead0000); /* wrong checksum, reserved1 */
	fb_u32(&f, 42);		/* key */
	fb_u32(&f, 7);		/* sequence */
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), INNER_TCP4(50));

	/* transparent Ethernet bridging, inner 802.1Q tag, IPv6 UDP */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0x20, 0, ETH_P_TEB);
	fb_u32(&f, 99); /* key */
	inner_macs(&f);
	fb_tag(&f, TPID_8021Q, 5);
	fb_u16(&f, ETH_P_IPV6);
	in = fb_ip6(&f, PROTO_UDP);
	fb_udp_end(&f, fb_udp(&f, 7, 53));
	fb_ip6_end(&f, in);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_GRE),
	       W(L3, DP_L3_IPV6), W(ETHERTYPE, ETH_P_IPV6), W(L3_OFF, 60),
	       W(L4_OFF, 100), W(PAYLOAD_OFF, 108), W(DPORT, 53), W(NB_VLAN, 0),
	       W(VLAN0, 0));

	/* version 1 (PPTP): key, sequence, ack; PPP FF 03 0021 */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0x30, 0x81, ETH_P_PPP);
	fb_u32(&f, 0x00300001); /* payload length, call id */
	fb_u32(&f, 5);		/* sequence */
	fb_u32(&f, 4);		/* acknowledgment */
	fb_u32(&f, 0xff030021);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_GRE),
	       INNER_TCP4(54));

	/* version 0 carrying PPP with a compressed protocol field */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, ETH_P_PPP);
	fb_u8(&f, 0x21);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), INNER_TCP4(39));

	/* PPP that is not IP (LCP): not decapsulated */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, ETH_P_PPP);
	fb_u16(&f, PPP_LCP);
	fb_payload(&f, 10);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(L4_PROTO, PROTO_GRE),
	       W(PAYLOAD_OFF, 34), W(PAYLOAD_LEN, 16));

	/* a protocol not decapsulated (ERSPAN): the GRE packet is it */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, 0x88be);
	fb_payload(&f, 20);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(L3_OFF, 14),
	       W(L4_PROTO, PROTO_GRE), W(PAYLOAD_OFF, 34), W(PAYLOAD_LEN, 24));

	teb_outermost();

	/* GRE in IPv6 */
	ip = frame_ip6(&f, PROTO_GRE);
	gre(&f, 0, 0, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(OL3_0, DP_L3_IPV6),
	       W(OOFF0, 14), INNER_TCP4(58));
}

void
test_tun_gre_errors(void)
{
	static const struct {
		uint8_t f0, f1;
		uint16_t proto;
	} bad[] = {
		{0x40, 0, ETH_P_IPV4},	  /* routing present (RFC 1701) */
		{0x08, 0, ETH_P_IPV4},	  /* strict source route */
		{0x04, 0, ETH_P_IPV4},	  /* recursion control */
		{0, 0x02, ETH_P_IPV4},	  /* version 2 */
		{0, 0x07, ETH_P_IPV4},	  /* version 7 */
		{0, 0x01, ETH_P_PPP},	  /* version 1 without a key */
		{0x20, 0x01, ETH_P_IPV4}, /* version 1, not PPP */
		{0xa0, 0x01, ETH_P_PPP},  /* version 1 with a checksum */
	};
	uint32_t ip;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ip = frame_ip4(&f, PROTO_GRE, 0);
		gre(&f, bad[i].f0, bad[i].f1, bad[i].proto);
		fb_u32(&f, 0);
		fb_u32(&f, 0xff030021);
		inner_ip4_tcp(&f);
		fb_ip4_end(&f, ip);
		EXPECT(&f, BW_REASON_GRE_HDR, W(DEPTH, 0), W(L3_OFF, 14));
	}

	/* key, sequence and checksum flags beyond the datagram's end */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0xb0, 0, ETH_P_IPV4);
	fb_u32(&f, 1);
	fb_ip4_end(&f, ip);
	fb_pad_to(&f, 80); /* padding is not GRE */
	EXPECT(&f, BW_REASON_GRE_HDR, W(DEPTH, 0));

	/* fewer than 4 bytes */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	fb_u16(&f, 0);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_GRE_HDR);

	/* PPP protocol field missing */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, ETH_P_PPP);
	fb_u16(&f, 0xff03);
	fb_ip4_end(&f, ip);
	fb_pad_to(&f, 64);
	EXPECT(&f, BW_REASON_GRE_HDR);
}

void
test_tun_vxlan(void)
{
	uint32_t ip, udp, in;

	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	vxlan(&f, 0x08);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_VXLAN),
	       W(OL3_0, DP_L3_IPV4), W(OOFF0, 14), INNER_TCP4(64));

	/* I flag clear */
	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	vxlan(&f, 0x00);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_VXLAN_HDR, W(DEPTH, 0), W(DPORT, PORT_VXLAN));

	/* 7 bytes of VXLAN header */
	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	fb_u8(&f, 0x08);
	fb_fill(&f, 0, 6);
	end_udp4(&f, ip, udp);
	fb_pad_to(&f, 64);
	EXPECT(&f, BW_REASON_VXLAN_HDR);

	/* inner Ethernet cut short: 10 bytes after the VXLAN header */
	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	vxlan(&f, 0x08);
	fb_fill(&f, 2, 10);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_L2_TRUNC, W(DEPTH, 1));

	/* inner ARP: a tunnelled non-IP frame */
	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	vxlan(&f, 0x08);
	inner_macs(&f);
	fb_u16(&f, ETH_P_ARP);
	fb_payload(&f, 28);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_VXLAN),
	       W(L3, DP_L3_NONE), W(ETHERTYPE, ETH_P_ARP), W(L3_OFF, 64),
	       W(SPORT, 0), W(FLAGS, 0));

	/*
	 * inner Ethernet whose ethertype is 0x6558 again: unknown, not
	 * another Ethernet header (no level without a tunnel header)
	 */
	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	vxlan(&f, 0x08);
	for (int i = 0; i < 20; i++) {
		inner_macs(&f);
		fb_u16(&f, ETH_P_TEB);
	}
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(L3, DP_L3_NONE),
	       W(ETHERTYPE, ETH_P_TEB), W(L3_OFF, 64));

	/* over IPv6 */
	ip = frame_ip6(&f, PROTO_UDP);
	udp = fb_udp(&f, 1, PORT_VXLAN);
	vxlan(&f, 0x08);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	in = inner_ip4_tcp(&f);
	fb_udp_end(&f, udp);
	fb_ip6_end(&f, ip);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(OL3_0, DP_L3_IPV6),
	       W(OOFF0, 14), INNER_TCP4(in));
	CU_ASSERT_EQUAL(in, 84);

	/* the source port is not what says VXLAN */
	ip = frame_ip4(&f, PROTO_UDP, 0);
	udp = fb_udp(&f, PORT_VXLAN, 53);
	vxlan(&f, 0x08);
	fb_payload(&f, 30);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(DPORT, 53),
	       W(PAYLOAD_OFF, 42));
}

void
test_tun_geneve(void)
{
	uint32_t ip, udp;

	/* 8 option bytes, Ethernet */
	udp = outer_udp4(&f, PORT_GENEVE, &ip);
	geneve(&f, 2, ETH_P_TEB);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_GENEVE),
	       W(OOFF0, 14), INNER_TCP4(72));

	/* IPv4 directly */
	udp = outer_udp4(&f, PORT_GENEVE, &ip);
	geneve(&f, 0, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), INNER_TCP4(50));

	/* version 1 */
	udp = outer_udp4(&f, PORT_GENEVE, &ip);
	geneve(&f, 0x40, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GENEVE_HDR, W(DEPTH, 0));

	/* options longer than the datagram */
	udp = outer_udp4(&f, PORT_GENEVE, &ip);
	geneve(&f, 0, ETH_P_IPV4);
	f.b[f.len - 8] = 0x3f; /* 252 option bytes */
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GENEVE_HDR);

	/* a protocol not decapsulated */
	udp = outer_udp4(&f, PORT_GENEVE, &ip);
	geneve(&f, 0, ETH_P_LLDP);
	fb_payload(&f, 20);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(DPORT, PORT_GENEVE),
	       W(PAYLOAD_OFF, 42));
}

/* GTP-U header: flags, type, length (what follows the first 8 bytes). */
static uint32_t
gtp(struct fb *fr, uint8_t flags, uint8_t type)
{
	uint32_t off = fr->len;

	fb_u8(fr, flags);
	fb_u8(fr, type);
	fb_u16(fr, 0);
	fb_u32(fr, 0x01020304); /* TEID */
	return off;
}

static void
gtp_end(struct fb *fr, uint32_t g)
{
	fb_set16(fr, g + 2, (uint16_t)(fr->len - g - 8));
}

void
test_tun_gtpu(void)
{
	uint32_t ip, udp, g;

	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE, GTP_G_PDU);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_GTPU),
	       W(OOFF0, 14), INNER_TCP4(50));

	/* sequence number */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE | GTP_S, GTP_G_PDU);
	fb_u32(&f, 0x00070000);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), INNER_TCP4(54));

	/* two extension headers (PDU session container, 4 then 8 bytes) */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE | GTP_E, GTP_G_PDU);
	fb_u32(&f, 0x00000085);
	fb_u32(&f, 0x01000185);
	fb_u32(&f, 0x02000000);
	fb_u32(&f, 0x00000000);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), INNER_TCP4(66));

	/* echo request: not user data, not decapsulated */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE | GTP_S, GTP_ECHO_REQ);
	fb_u32(&f, 0);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(DPORT, PORT_GTPU));

	/* version 2 (GTPv2-C on the user plane port) */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, 0x50, GTP_G_PDU);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GTPU_HDR, W(DEPTH, 0));

	/* GTP' (protocol type 0) */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, 0x20, GTP_G_PDU);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GTPU_HDR);

	/* length past the UDP datagram */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE, GTP_G_PDU);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	fb_set16(&f, g + 2, (uint16_t)(f.len - g - 8 + 1));
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GTPU_HDR);

	/* extension header of length 0 */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE | GTP_E, GTP_G_PDU);
	fb_u32(&f, 0x00000085);
	fb_u32(&f, 0x00000000);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GTPU_HDR);

	/* extensions chained without end: at most 8 are walked */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE | GTP_E, GTP_G_PDU);
	fb_u32(&f, 0x00000085);
	for (int i = 0; i < 9; i++)
		fb_u32(&f, 0x01000085);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_GTPU_HDR);

	/*
	 * a GTP length shorter than the inner packet: the inner IPv4 total
	 * length is checked against the GTP payload, not the frame
	 */
	udp = outer_udp4(&f, PORT_GTPU, &ip);
	g = gtp(&f, GTP_BASE, GTP_G_PDU);
	inner_ip4_tcp(&f);
	fb_set16(&f, g + 2, 30);
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_IP4_TOTLEN, W(DEPTH, 1));
}

void
test_tun_mpls(void)
{
	uint32_t i;

	fb_eth(&f, ETH_P_MPLS);
	fb_u32(&f, 100 << 12 | 64);
	fb_u32(&f, 200 << 12 | MPLS_BOS | 64);
	inner_ip4_tcp(&f);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_MPLS),
	       W(OL3_0, DP_L3_NONE), W(OOFF0, 0), INNER_TCP4(22));

	/* 8 entries: the most walked */
	fb_eth(&f, ETH_P_MPLS);
	for (i = 0; i < 7; i++)
		fb_u32(&f, i << 12);
	fb_u32(&f, 7 << 12 | MPLS_BOS);
	inner_ip4_tcp(&f);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), INNER_TCP4(46));

	/* 9 */
	fb_eth(&f, ETH_P_MPLS);
	for (i = 0; i < 8; i++)
		fb_u32(&f, i << 12);
	fb_u32(&f, 8 << 12 | MPLS_BOS);
	inner_ip4_tcp(&f);
	EXPECT(&f, BW_REASON_MPLS_HDR, W(DEPTH, 0));

	/* no bottom of stack before the frame ends */
	fb_eth(&f, ETH_P_MPLS);
	fb_u32(&f, 100 << 12);
	fb_u16(&f, 0);
	EXPECT(&f, BW_REASON_MPLS_HDR);

	/* a pseudowire control word: not IP, not decoded further */
	fb_eth(&f, ETH_P_MPLS);
	fb_u32(&f, 100 << 12 | MPLS_BOS);
	fb_u32(&f, 0);
	fb_payload(&f, 40);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(L3, DP_L3_NONE),
	       W(ETHERTYPE, ETH_P_MPLS));

	/* multicast MPLS, IPv6 */
	fb_eth(&f, 0x8848);
	fb_u32(&f, 100 << 12 | MPLS_BOS);
	fb_ip6_end(&f, fb_ip6(&f, PROTO_NONE));
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(L3, DP_L3_IPV6),
	       W(L3_OFF, 18));
}

/* PPPoE session header with PPP protocol proto; returns its offset. */
static uint32_t
pppoe(struct fb *fr, uint8_t vertype, uint8_t code, uint16_t proto)
{
	uint32_t off;

	fb_eth(fr, ETH_P_PPPOE);
	off = fr->len;
	fb_u8(fr, vertype);
	fb_u8(fr, code);
	fb_u16(fr, 0x0042); /* session */
	fb_u16(fr, 0);
	fb_u16(fr, proto);
	return off;
}

static void
pppoe_end(struct fb *fr, uint32_t h)
{
	fb_set16(fr, h + 4, (uint16_t)(fr->len - h - 6));
}

void
test_tun_pppoe(void)
{
	uint32_t h;

	h = pppoe(&f, 0x11, 0, 0x0021);
	inner_ip4_tcp(&f);
	pppoe_end(&f, h);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(TUN0, DP_TUN_PPPOE),
	       W(OL3_0, DP_L3_NONE), INNER_TCP4(22));

	/* IPv6, frame padded past the PPPoE length */
	h = pppoe(&f, 0x11, 0, 0x0057);
	fb_ip6_end(&f, fb_ip6(&f, PROTO_NONE));
	pppoe_end(&f, h);
	fb_pad_to(&f, 80);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(L3, DP_L3_IPV6),
	       W(L3_OFF, 22));

	/* LCP: a session frame, not IP */
	h = pppoe(&f, 0x11, 0, PPP_LCP);
	fb_payload(&f, 20);
	pppoe_end(&f, h);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 1), W(L3, DP_L3_NONE),
	       W(ETHERTYPE, ETH_P_PPPOE));

	/* bad version/type, a discovery code, lengths */
	h = pppoe(&f, 0x12, 0, 0x0021);
	inner_ip4_tcp(&f);
	pppoe_end(&f, h);
	EXPECT(&f, BW_REASON_PPPOE_HDR, W(DEPTH, 0));
	h = pppoe(&f, 0x11, 0x09, 0x0021);
	inner_ip4_tcp(&f);
	pppoe_end(&f, h);
	EXPECT(&f, BW_REASON_PPPOE_HDR);
	h = pppoe(&f, 0x11, 0, 0x0021);
	inner_ip4_tcp(&f);
	fb_set16(&f, h + 4, (uint16_t)(f.len - h - 6 + 1));
	EXPECT(&f, BW_REASON_PPPOE_HDR);
	h = pppoe(&f, 0x11, 0, 0x0021);
	inner_ip4_tcp(&f);
	fb_set16(&f, h + 4, 1);
	EXPECT(&f, BW_REASON_PPPOE_HDR);

	/* a PPPoE length shorter than the IPv4 packet it carries */
	h = pppoe(&f, 0x11, 0, 0x0021);
	inner_ip4_tcp(&f);
	fb_set16(&f, h + 4, 2 + 40);
	EXPECT(&f, BW_REASON_IP4_TOTLEN, W(DEPTH, 1));
}

/* IPv4 / GRE / IPv4 / UDP / VXLAN / Ethernet / IPv6 / TCP; 150 bytes. */
static void
frame_gre_vxlan(struct fb *fr)
{
	uint32_t a, b, udp, in;

	a = frame_ip4(fr, PROTO_GRE, 0);
	gre(fr, 0, 0, ETH_P_IPV4);
	b = fb_ip4(fr, PROTO_UDP, 0, NULL, 0);
	udp = fb_udp(fr, 40000, PORT_VXLAN);
	vxlan(fr, 0x08);
	inner_macs(fr);
	fb_u16(fr, ETH_P_IPV6);
	in = fb_ip6(fr, PROTO_TCP);
	fb_tcp(fr, 2000, 22, TCP_ACK, 0);
	fb_payload(fr, 2);
	fb_ip6_end(fr, in);
	fb_udp_end(fr, udp);
	fb_ip4_end(fr, b);
	fb_ip4_end(fr, a);
}

void
test_tun_nested(void)
{
	uint32_t a, b;

	frame_gre_vxlan(&f);
	CU_ASSERT_EQUAL(f.len, 150);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 2), W(TUN0, DP_TUN_GRE),
	       W(TUN1, DP_TUN_VXLAN), W(OL3_0, DP_L3_IPV4),
	       W(OL3_1, DP_L3_IPV4), W(OOFF0, 14), W(OOFF1, 38),
	       W(L3, DP_L3_IPV6), W(L3_OFF, 88), W(L4_OFF, 128),
	       W(PAYLOAD_OFF, 148), W(PAYLOAD_LEN, 2), W(DPORT, 22));

	/* MPLS / IPv4 in IPv4 / GRE / IPv4: three levels */
	fb_eth(&f, ETH_P_MPLS);
	fb_u32(&f, 16 << 12 | MPLS_BOS);
	a = fb_ip4(&f, PROTO_IPIP, 0, NULL, 0);
	b = fb_ip4(&f, PROTO_GRE, 0, NULL, 0);
	gre(&f, 0, 0, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, b);
	fb_ip4_end(&f, a);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 3), W(TUN0, DP_TUN_MPLS),
	       W(TUN1, DP_TUN_IP), W(TUN2, DP_TUN_GRE), W(OL3_0, DP_L3_NONE),
	       W(OL3_1, DP_L3_IPV4), W(OL3_2, DP_L3_IPV4), W(OOFF1, 18),
	       W(OOFF2, 38), INNER_TCP4(62));

	/* MPLS inside GRE */
	a = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, ETH_P_MPLS);
	fb_u32(&f, 16 << 12 | MPLS_BOS);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, a);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 2), W(TUN0, DP_TUN_GRE),
	       W(TUN1, DP_TUN_MPLS), W(OL3_0, DP_L3_IPV4), W(OL3_1, DP_L3_NONE),
	       INNER_TCP4(42));
}

void
test_tun_depth(void)
{
	uint32_t ip[4];
	int n, i;

	for (n = 1; n <= 4; n++) {
		fb_eth(&f, ETH_P_IPV4);
		for (i = 0; i < n; i++)
			ip[i] = fb_ip4(&f, PROTO_IPIP, 0, NULL, 0);
		inner_ip4_tcp(&f);
		for (i = n - 1; i >= 0; i--)
			fb_ip4_end(&f, ip[i]);
		if (n <= DP_TUN_MAX)
			EXPECT(&f, BW_REASON_NONE, W(DEPTH, n),
			       INNER_TCP4(14 + 20 * (uint32_t)n));
		else
			/* the fourth level is refused; three were entered */
			EXPECT(&f, BW_REASON_TUN_DEPTH, W(DEPTH, 3),
			       W(L3_OFF, 74), W(L4_PROTO, PROTO_IPIP),
			       W(OOFF2, 54));
	}

	/* UDP tunnels count the same: VXLAN at the fourth level */
	fb_eth(&f, ETH_P_IPV4);
	for (i = 0; i < 3; i++)
		ip[i] = fb_ip4(&f, PROTO_IPIP, 0, NULL, 0);
	ip[3] = fb_ip4(&f, PROTO_UDP, 0, NULL, 0);
	n = (int)fb_udp(&f, 1, PORT_VXLAN);
	vxlan(&f, 0x08);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	fb_udp_end(&f, (uint32_t)n);
	for (i = 3; i >= 0; i--)
		fb_ip4_end(&f, ip[i]);
	EXPECT(&f, BW_REASON_TUN_DEPTH, W(DEPTH, 3), W(DPORT, PORT_VXLAN));
}

/* Decode f with cfg; check the depth and the inner L3 offset. */
static void
expect_cfg(const struct dp_decode_cfg *cfg, unsigned int depth,
	   unsigned int l3_off)
{
	struct dp_pkt p;

	memset(&p, 0xa5, sizeof(p));
	CU_ASSERT_EQUAL(
		dp_decode_with(f.b, f.len, f.len, DP_DIR_OUTBOUND, cfg, &p),
		BW_REASON_NONE);
	check_invariants(&p, f.len, f.len);
	CU_ASSERT_EQUAL(p.depth, depth);
	CU_ASSERT_EQUAL(p.l3_off, l3_off);
}

void
test_tun_ports(void)
{
	static struct dp_decode_cfg cfg = {
		.vxlan = {8472},
		.geneve = {0},
		.gtpu = {2152, 3386},
	};
	struct dp_decode_cfg unfinished = cfg;
	uint32_t ip, udp, g;

	dp_decode_cfg_finish(&cfg);

	/* Linux's old VXLAN port, configured */
	udp = outer_udp4(&f, 8472, &ip);
	vxlan(&f, 0x08);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	expect_cfg(&cfg, 1, 64);
	expect_cfg(NULL, 0, 14);
	EXPECT(&f, BW_REASON_NONE, W(DEPTH, 0), W(DPORT, 8472));
	/* the port bits are what the fast path tests first */
	expect_cfg(&unfinished, 0, 14);
	CU_ASSERT(cfg.port_bits != 0);

	/* 4789 replaced: not VXLAN any more under cfg */
	fb_set16(&f, udp + 2, PORT_VXLAN);
	expect_cfg(&cfg, 0, 14);
	expect_cfg(NULL, 1, 64);

	/* GENEVE switched off */
	udp = outer_udp4(&f, PORT_GENEVE, &ip);
	geneve(&f, 0, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	end_udp4(&f, ip, udp);
	expect_cfg(&cfg, 0, 14);
	expect_cfg(NULL, 1, 50);

	/* a second GTP-U port */
	udp = outer_udp4(&f, 3386, &ip);
	g = gtp(&f, GTP_BASE, GTP_G_PDU);
	inner_ip4_tcp(&f);
	gtp_end(&f, g);
	end_udp4(&f, ip, udp);
	expect_cfg(&cfg, 1, 50);
	expect_cfg(NULL, 0, 14);
	fb_set16(&f, udp + 2, PORT_GTPU);
	expect_cfg(&cfg, 1, 50);

	/* the defaults are the standard ports, their bits set */
	unfinished = dp_decode_cfg_default;
	dp_decode_cfg_finish(&unfinished);
	CU_ASSERT_EQUAL(unfinished.port_bits, dp_decode_cfg_default.port_bits);
	CU_ASSERT_EQUAL(dp_decode_cfg_default.vxlan[0], PORT_VXLAN);
	CU_ASSERT_EQUAL(dp_decode_cfg_default.geneve[0], PORT_GENEVE);
	CU_ASSERT_EQUAL(dp_decode_cfg_default.gtpu[0], PORT_GTPU);
}

void
test_tun_inner_errors(void)
{
	uint32_t ip, udp, in;

	/* inner IPv4 total length past the outer payload */
	ip = frame_ip4(&f, PROTO_IPIP, 0);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	fb_set16(&f, ip + 2, (uint16_t)(f.len - ip - 4));
	fb_pad_to(&f, f.len + 10);
	EXPECT(&f, BW_REASON_IP4_TOTLEN, W(DEPTH, 1), W(L3_OFF, 34));

	/* inner TCP data offset below 5 */
	udp = outer_udp4(&f, PORT_VXLAN, &ip);
	vxlan(&f, 0x08);
	inner_macs(&f);
	fb_u16(&f, ETH_P_IPV4);
	in = inner_ip4_tcp(&f);
	f.b[in + 20 + 12] = 0x40;
	end_udp4(&f, ip, udp);
	EXPECT(&f, BW_REASON_TCP_HDRLEN, W(DEPTH, 1), W(L3_OFF, 64));

	/* inner IPv6 version nibble wrong (sit) */
	ip = frame_ip4(&f, PROTO_IPV6, 0);
	in = fb_ip6(&f, PROTO_NONE);
	fb_ip6_end(&f, in);
	f.b[in] = 0x50;
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_IP6_VERSION, W(DEPTH, 1));

	/* inner third VLAN tag */
	ip = frame_ip4(&f, PROTO_GRE, 0);
	gre(&f, 0, 0, ETH_P_TEB);
	inner_macs(&f);
	fb_tag(&f, TPID_8021AD, 1);
	fb_tag(&f, TPID_8021Q, 2);
	fb_tag(&f, TPID_8021Q, 3);
	fb_u16(&f, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, ip);
	EXPECT(&f, BW_REASON_VLAN_DEPTH, W(DEPTH, 1), W(NB_VLAN, 0));
}

void
test_tun_truncation(void)
{
	struct dp_pkt p;
	uint32_t n;

	frame_gre_vxlan(&f);
	/* every cut of the headers, the frame whole: some reason */
	for (n = 0; n < 148; n++)
		CU_ASSERT_NOT_EQUAL(decode_part(&f, n, f.len, &p),
				    BW_REASON_NONE);
	for (n = 148; n <= f.len; n++) {
		CU_ASSERT_EQUAL(decode_part(&f, n, f.len, &p), BW_REASON_NONE);
		CU_ASSERT_EQUAL(p.depth, 2);
		CU_ASSERT_EQUAL(p.payload_off, 148);
	}
	/* the frame itself cut: the outer length no longer fits */
	for (n = 0; n < f.len; n++)
		CU_ASSERT_NOT_EQUAL(decode_part(&f, n, n, &p), BW_REASON_NONE);
}

void
test_tun_bpf_ctx(void)
{
	static struct bw_bpf_ctx c;
	struct dp_pkt p;
	uint32_t a, b;

	/* GRE then VXLAN: the first IP header is the frame's outer one */
	frame_gre_vxlan(&f);
	CU_ASSERT_EQUAL_FATAL(decode(&f, &p), BW_REASON_NONE);
	memset(&c, 0xee, sizeof(c));
	dp_bpf_ctx_fill(&c, f.b, f.len, f.len, &p);
	CU_ASSERT_EQUAL(c.l3_off, 88);
	CU_ASSERT_EQUAL(c.l4_off, 128);
	CU_ASSERT_EQUAL(c.payload_off, 148);
	CU_ASSERT_EQUAL(c.l3, BW_BPF_L3_IPV6);
	CU_ASSERT_EQUAL(c.dport, 22);
	CU_ASSERT_EQUAL(c.outer_l3_off, 14);
	CU_ASSERT_EQUAL(c.outer_l3, BW_BPF_L3_IPV4);
	CU_ASSERT_EQUAL(c.tun_depth, 2);
	CU_ASSERT_EQUAL(c.tun_type[0], BW_BPF_TUN_GRE);
	CU_ASSERT_EQUAL(c.tun_type[1], BW_BPF_TUN_VXLAN);
	CU_ASSERT_EQUAL(c.tun_type[2], 0);
	CU_ASSERT_EQUAL(c.tun_l3[0], BW_BPF_L3_IPV4);
	CU_ASSERT_EQUAL(c.tun_l3[1], BW_BPF_L3_IPV4);
	CU_ASSERT_EQUAL(c.tun_l3[2], 0);
	CU_ASSERT_EQUAL(c.tun_l3_off[0], 14);
	CU_ASSERT_EQUAL(c.tun_l3_off[1], 38);
	CU_ASSERT_EQUAL(c.tun_l3_off[2], 0);
	CU_ASSERT(c.reserved2[0] == 0 && c.reserved2[4] == 0);
	CU_ASSERT(c.reserved3a == 0 && c.reserved3[21] == 0);

	/* MPLS first: the first IP header is the one after the labels */
	fb_eth(&f, ETH_P_MPLS);
	fb_u32(&f, 16 << 12 | MPLS_BOS);
	a = fb_ip4(&f, PROTO_IPIP, 0, NULL, 0);
	b = fb_ip4(&f, PROTO_GRE, 0, NULL, 0);
	gre(&f, 0, 0, ETH_P_IPV4);
	inner_ip4_tcp(&f);
	fb_ip4_end(&f, b);
	fb_ip4_end(&f, a);
	CU_ASSERT_EQUAL_FATAL(decode(&f, &p), BW_REASON_NONE);
	dp_bpf_ctx_fill(&c, f.b, f.len, f.len, &p);
	CU_ASSERT_EQUAL(c.tun_depth, 3);
	CU_ASSERT_EQUAL(c.outer_l3_off, 18);
	CU_ASSERT_EQUAL(c.tun_l3[0], 0);
	CU_ASSERT_EQUAL(c.tun_l3_off[2], 38);
	CU_ASSERT_EQUAL(c.l3_off, 62);
	CU_ASSERT(memcmp(c.src, (const uint8_t[]){10, 0, 0, 1}, 4) == 0);

	/* MPLS around a non-IP payload: no IP header at all */
	fb_eth(&f, ETH_P_MPLS);
	fb_u32(&f, 16 << 12 | MPLS_BOS);
	fb_u32(&f, 0);
	fb_payload(&f, 40);
	CU_ASSERT_EQUAL_FATAL(decode(&f, &p), BW_REASON_NONE);
	dp_bpf_ctx_fill(&c, f.b, f.len, f.len, &p);
	CU_ASSERT_EQUAL(c.tun_depth, 1);
	CU_ASSERT_EQUAL(c.outer_l3, BW_BPF_L3_NONE);
	CU_ASSERT_EQUAL(c.l3, BW_BPF_L3_NONE);
}
