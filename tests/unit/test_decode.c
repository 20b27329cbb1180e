/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dp_decode(): frames built byte by byte for every header and
 * every malformation it names, truncation at every byte, and every packet of
 * the real captures under tests/data/pcaps.
 *
 * Usage: test_decode [DATA_DIR]. DATA_DIR (else $BW_TEST_DATA, else
 * ../tests/data, tests/data or the data folder beside this source) holds
 * pcaps/.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "bw_cunit.h"
#include "bw_testdata.h"
#include "bw_reason.h"
#include "dp_decode.h"

#define FB_MAX_BYTES 4096

#define ETH_P_IPV4  0x0800
#define ETH_P_IPV6  0x86dd
#define ETH_P_ARP   0x0806
#define ETH_P_LLDP  0x88cc
#define TPID_8021Q  0x8100
#define TPID_8021AD 0x88a8
#define TPID_9100   0x9100

#define PROTO_HOPOPTS 0
#define PROTO_ICMP    1
#define PROTO_TCP     6
#define PROTO_UDP     17
#define PROTO_ROUTING 43
#define PROTO_FRAG    44
#define PROTO_GRE     47
#define PROTO_ESP     50
#define PROTO_AH      51
#define PROTO_ICMPV6  58
#define PROTO_NONE    59
#define PROTO_DSTOPTS 60
#define PROTO_MH      135
#define PROTO_HIP     139
#define PROTO_SHIM6   140

#define IP4_MF 0x2000
#define IP4_DF 0x4000

#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define TCP_PSH 0x08

/* A frame under construction. */
struct fb {
	uint8_t b[FB_MAX_BYTES];
	uint32_t len;
};

static void
fb_put(struct fb *f, const void *src, uint32_t n)
{
	CU_ASSERT_FATAL(f->len + n <= FB_MAX_BYTES);
	memcpy(f->b + f->len, src, n);
	f->len += n;
}

static void
fb_u8(struct fb *f, uint8_t v)
{
	fb_put(f, &v, 1);
}

static void
fb_u16(struct fb *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	fb_put(f, b, 2);
}

static void
fb_u32(struct fb *f, uint32_t v)
{
	fb_u16(f, (uint16_t)(v >> 16));
	fb_u16(f, (uint16_t)v);
}

static void
fb_fill(struct fb *f, uint8_t v, uint32_t n)
{
	while (n-- > 0)
		fb_u8(f, v);
}

static void
fb_set16(struct fb *f, uint32_t off, uint16_t v)
{
	CU_ASSERT_FATAL(off + 2 <= f->len);
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

/* n payload bytes, 'a', 'b', ... */
static void
fb_payload(struct fb *f, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		fb_u8(f, (uint8_t)('a' + i % 26));
}

/* Destination and source MAC; then tags and an ethertype follow. */
static void
fb_macs(struct fb *f)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x01,
					 0x02, 0, 0, 0, 0, 0x02};

	f->len = 0;
	fb_put(f, macs, sizeof(macs));
}

static void
fb_tag(struct fb *f, uint16_t tpid, uint16_t tci)
{
	fb_u16(f, tpid);
	fb_u16(f, tci);
}

/* Untagged Ethernet header. */
static void
fb_eth(struct fb *f, uint16_t type)
{
	fb_macs(f);
	fb_u16(f, type);
}

/* 192.0.2.1 -> 198.51.100.2 */
static const uint8_t ip4_src[4] = {192, 0, 2, 1};
static const uint8_t ip4_dst[4] = {198, 51, 100, 2};
/* 2001:db8::1 -> 2001:db8::2 */
static const uint8_t ip6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t ip6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/*
 * IPv4 header with olen option bytes (a multiple of 4), id 0x1234, TTL 64,
 * flags/offset frag. Returns its offset; fb_ip4_end() sets the total length.
 */
static uint32_t
fb_ip4(struct fb *f, uint8_t proto, uint16_t frag, const uint8_t *opts,
       uint32_t olen)
{
	uint32_t off = f->len;

	CU_ASSERT_FATAL(olen % 4 == 0 && olen <= 40);
	fb_u8(f, (uint8_t)(0x40 | (5 + olen / 4)));
	fb_u8(f, 0);	   /* DSCP/ECN */
	fb_u16(f, 0);	   /* total length, fb_ip4_end() */
	fb_u16(f, 0x1234); /* identification */
	fb_u16(f, frag);
	fb_u8(f, 64);
	fb_u8(f, proto);
	fb_u16(f, 0); /* checksum: not checked by the decoder */
	fb_put(f, ip4_src, 4);
	fb_put(f, ip4_dst, 4);
	if (olen > 0)
		fb_put(f, opts, olen);
	return off;
}

static void
fb_ip4_end(struct fb *f, uint32_t ip)
{
	fb_set16(f, ip + 2, (uint16_t)(f->len - ip));
}

/* IPv6 header, hop limit 63; fb_ip6_end() sets the payload length. */
static uint32_t
fb_ip6(struct fb *f, uint8_t nh)
{
	uint32_t off = f->len;

	fb_u32(f, 0x60000000);
	fb_u16(f, 0);
	fb_u8(f, nh);
	fb_u8(f, 63);
	fb_put(f, ip6_src, 16);
	fb_put(f, ip6_dst, 16);
	return off;
}

static void
fb_ip6_end(struct fb *f, uint32_t ip)
{
	fb_set16(f, ip + 4, (uint16_t)(f->len - ip - 40));
}

/* Generic extension header of (units + 1) * 8 bytes, padded with PadN. */
static void
fb_ext(struct fb *f, uint8_t nh, uint8_t units)
{
	uint32_t pad = ((uint32_t)units + 1) * 8 - 2;

	fb_u8(f, nh);
	fb_u8(f, units);
	fb_u8(f, 1); /* PadN */
	fb_u8(f, (uint8_t)(pad - 2));
	fb_fill(f, 0, pad - 2);
}

/* Authentication header, RFC 4302: (units + 2) * 4 bytes. */
static void
fb_ah(struct fb *f, uint8_t nh, uint8_t units)
{
	fb_u8(f, nh);
	fb_u8(f, units);
	fb_u16(f, 0);
	fb_u32(f, 0x100);			/* SPI */
	fb_fill(f, 0x5a, (units + 2u) * 4 - 8); /* sequence, ICV */
}

/* IPv6 fragment header, offset in bytes (a multiple of 8). */
static void
fb_frag6(struct fb *f, uint8_t nh, uint16_t off_bytes, int m, uint32_t id)
{
	fb_u8(f, nh);
	fb_u8(f, 0);
	fb_u16(f, (uint16_t)(off_bytes | (m ? 1 : 0)));
	fb_u32(f, id);
}

/* TCP header with olen option bytes (MSS then NOPs); returns its offset. */
static uint32_t
fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint8_t flags,
       uint32_t olen)
{
	uint32_t off = f->len;

	CU_ASSERT_FATAL(olen % 4 == 0 && olen <= 40);
	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_u32(f, 1000); /* seq */
	fb_u32(f, 0);	 /* ack */
	fb_u8(f, (uint8_t)((5 + olen / 4) << 4));
	fb_u8(f, flags);
	fb_u16(f, 65535);
	fb_u32(f, 0); /* checksum, urgent pointer */
	if (olen >= 4) {
		fb_u8(f, 2); /* MSS 1460 */
		fb_u8(f, 4);
		fb_u16(f, 1460);
		fb_fill(f, 1, olen - 4);
	}
	return off;
}

/* UDP header; fb_udp_end() sets the length. */
static uint32_t
fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	uint32_t off = f->len;

	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_u32(f, 0);
	return off;
}

static void
fb_udp_end(struct fb *f, uint32_t udp)
{
	fb_set16(f, udp + 4, (uint16_t)(f->len - udp));
}

/* ICMP or ICMPv6 header plus a 4-byte identifier/sequence. */
static void
fb_icmp(struct fb *f, uint8_t type, uint8_t code)
{
	fb_u8(f, type);
	fb_u8(f, code);
	fb_u16(f, 0);
	fb_u32(f, 0x00010002);
}

static void
fb_pad_to(struct fb *f, uint32_t len)
{
	if (f->len < len)
		fb_fill(f, 0, len - f->len);
}

/*
 * Invariants every decode must keep whatever the input; data_len and
 * pkt_len as passed.
 */
static void
check_invariants(const struct dp_pkt *p, uint32_t data_len, uint32_t pkt_len)
{
	CU_ASSERT(p->reason < BW_REASON_COUNT);
	CU_ASSERT(p->nb_vlan <= DP_VLAN_MAX);
	CU_ASSERT(p->nb_ext <= DP_IP6_EXT_MAX);
	if (p->reason != BW_REASON_NONE)
		return;
	CU_ASSERT(p->l3_off <= data_len);
	CU_ASSERT(p->l4_off <= data_len);
	CU_ASSERT(p->payload_off <= data_len);
	CU_ASSERT((uint64_t)p->payload_off + p->payload_len <= pkt_len);
	if (p->l3 != DP_L3_NONE) {
		CU_ASSERT((uint64_t)p->l3_off + p->l3_len <= pkt_len);
		CU_ASSERT(p->l4_off >= p->l3_off);
		CU_ASSERT(p->payload_off >= p->l4_off);
		CU_ASSERT((uint64_t)p->payload_off + p->payload_len <=
			  (uint64_t)p->l3_off + p->l3_len);
	}
}

/* Decode the whole frame as inbound; poison *p first to see the memset. */
static int
decode(const struct fb *f, struct dp_pkt *p)
{
	int r;

	memset(p, 0xa5, sizeof(*p));
	r = dp_decode(f->b, f->len, f->len, DP_DIR_INBOUND, p);
	CU_ASSERT_EQUAL(r, p->reason);
	check_invariants(p, f->len, f->len);
	return r;
}

/* Decode with only the first data_len bytes readable (heap copy for ASan). */
static int
decode_part(const struct fb *f, uint32_t data_len, uint32_t pkt_len,
	    struct dp_pkt *p)
{
	uint8_t *buf = malloc(data_len > 0 ? data_len : 1);
	int r;

	CU_ASSERT_FATAL(buf != NULL);
	memcpy(buf, f->b, data_len);
	memset(p, 0xa5, sizeof(*p));
	r = dp_decode(buf, data_len, pkt_len, DP_DIR_INBOUND, p);
	free(buf);
	CU_ASSERT_EQUAL(r, p->reason);
	check_invariants(p, data_len, pkt_len);
	return r;
}

/* ---- frames used by several tests ---- */

/*
 * QinQ (802.1ad VID 100, 802.1Q VID 200) + IPv4 + TCP with 12 option bytes
 * + 10 payload bytes: l3 22, l4 42, payload 74, 84 bytes.
 */
static void
frame_qinq_ip4_tcp(struct fb *f)
{
	uint32_t ip;

	fb_macs(f);
	fb_tag(f, TPID_8021AD, 0x2064);
	fb_tag(f, TPID_8021Q, 0x00c8);
	fb_u16(f, ETH_P_IPV4);
	ip = fb_ip4(f, PROTO_TCP, IP4_DF, NULL, 0);
	fb_tcp(f, 40000, 80, TCP_PSH | TCP_ACK, 12);
	fb_payload(f, 10);
	fb_ip4_end(f, ip);
}

/*
 * IPv6 + hop-by-hop (8) + destination options (16) + UDP + 5 payload
 * bytes: l3 14, extensions at 54 and 62, l4 78, payload 86, 91 bytes.
 */
static void
frame_ip6_hbh_dst_udp(struct fb *f)
{
	uint32_t ip, udp;

	fb_eth(f, ETH_P_IPV6);
	ip = fb_ip6(f, PROTO_HOPOPTS);
	fb_ext(f, PROTO_DSTOPTS, 0);
	fb_ext(f, PROTO_UDP, 1);
	udp = fb_udp(f, 5353, 53);
	fb_payload(f, 5);
	fb_udp_end(f, udp);
	fb_ip6_end(f, ip);
}

/* Ethernet + option-less IPv4 header; returns the IPv4 offset. */
static uint32_t
frame_ip4(struct fb *f, uint8_t proto, uint16_t frag)
{
	fb_eth(f, ETH_P_IPV4);
	return fb_ip4(f, proto, frag, NULL, 0);
}

/* ---- Ethernet and tags ---- */

static void
test_eth_ip4_tcp(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4(&f, PROTO_TCP, IP4_DF, NULL, 0);
	fb_tcp(&f, 1234, 443, TCP_SYN, 0);
	fb_payload(&f, 7);
	fb_ip4_end(&f, ip);

	memset(&p, 0xa5, sizeof(p));
	CU_ASSERT_EQUAL(dp_decode(f.b, f.len, f.len, DP_DIR_OUTBOUND, &p),
			BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.reason, BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.dir, DP_DIR_OUTBOUND);
	CU_ASSERT_EQUAL(p.nb_vlan, 0);
	CU_ASSERT_EQUAL(p.vlan[0], 0);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_IPV4);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV4);
	CU_ASSERT_EQUAL(p.l3_off, 14);
	CU_ASSERT_EQUAL(p.l3_len, 47);
	CU_ASSERT_EQUAL(p.ttl, 64);
	CU_ASSERT_EQUAL(p.frag_id, 0x1234);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_NONE);
	CU_ASSERT_EQUAL(p.frag_off, 0);
	CU_ASSERT_EQUAL(memcmp(&p.src.a32[0], ip4_src, 4), 0);
	CU_ASSERT_EQUAL(memcmp(&p.dst.a32[0], ip4_dst, 4), 0);
	CU_ASSERT_EQUAL(p.src.a32[1], 0);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_TCP);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.sport, 1234);
	CU_ASSERT_EQUAL(p.dport, 443);
	CU_ASSERT_EQUAL(p.tcp_flags, TCP_SYN);
	CU_ASSERT_EQUAL(p.payload_off, 54);
	CU_ASSERT_EQUAL(p.payload_len, 7);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);
	CU_ASSERT_EQUAL(p.nb_ext, 0);
	CU_ASSERT_EQUAL(p.icmp_type, 0);
}

static void
test_eth_short(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t n;

	fb_eth(&f, ETH_P_ARP);
	for (n = 0; n < 14; n++) {
		CU_ASSERT_EQUAL(decode_part(&f, n, n, &p), BW_REASON_L2_TRUNC);
		CU_ASSERT_EQUAL(p.l3, DP_L3_NONE);
		CU_ASSERT_EQUAL(p.l3_off, 0);
	}
	CU_ASSERT_EQUAL(decode_part(&f, 14, 14, &p), BW_REASON_NONE);
}

static void
test_vlan_single(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	fb_macs(&f);
	fb_tag(&f, TPID_8021Q, 0xe00a); /* PCP 7, VID 10 */
	fb_u16(&f, ETH_P_IPV4);
	ip = fb_ip4(&f, PROTO_UDP, 0, NULL, 0);
	udp = fb_udp(&f, 1000, 2000);
	fb_payload(&f, 3);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip);

	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_vlan, 1);
	CU_ASSERT_EQUAL(p.vlan[0], 10);
	CU_ASSERT_EQUAL(p.vlan[1], 0);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_IPV4);
	CU_ASSERT_EQUAL(p.l3_off, 18);
	CU_ASSERT_EQUAL(p.l4_off, 38);
	CU_ASSERT_EQUAL(p.payload_off, 46);
	CU_ASSERT_EQUAL(p.payload_len, 3);
	CU_ASSERT_EQUAL(p.sport, 1000);
	CU_ASSERT_EQUAL(p.dport, 2000);
}

static void
test_vlan_qinq(void)
{
	struct fb f;
	struct dp_pkt p;

	frame_qinq_ip4_tcp(&f);
	CU_ASSERT_EQUAL(f.len, 84);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_vlan, 2);
	CU_ASSERT_EQUAL(p.vlan[0], 100);
	CU_ASSERT_EQUAL(p.vlan[1], 200);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_IPV4);
	CU_ASSERT_EQUAL(p.l3_off, 22);
	CU_ASSERT_EQUAL(p.l3_len, 62);
	CU_ASSERT_EQUAL(p.l4_off, 42);
	CU_ASSERT_EQUAL(p.payload_off, 74);
	CU_ASSERT_EQUAL(p.payload_len, 10);
	CU_ASSERT_EQUAL(p.sport, 40000);
	CU_ASSERT_EQUAL(p.dport, 80);
	CU_ASSERT_EQUAL(p.tcp_flags, TCP_PSH | TCP_ACK);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);

	/* pre-standard 0x9100 outer TPID, IPv6 inside */
	fb_macs(&f);
	fb_tag(&f, TPID_9100, 0x0fff);
	fb_tag(&f, TPID_8021Q, 0x1001);
	fb_u16(&f, ETH_P_IPV6);
	fb_ip6(&f, PROTO_NONE);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_vlan, 2);
	CU_ASSERT_EQUAL(p.vlan[0], 0x0fff);
	CU_ASSERT_EQUAL(p.vlan[1], 1);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_IPV6);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV6);
	CU_ASSERT_EQUAL(p.l3_off, 22);
	CU_ASSERT_EQUAL(p.l3_len, 40);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_NONE);
	CU_ASSERT_EQUAL(p.l4_off, 62);
	CU_ASSERT_EQUAL(p.payload_off, 62);
	CU_ASSERT_EQUAL(p.payload_len, 0);
}

static void
test_vlan_depth(void)
{
	struct fb f;
	struct dp_pkt p;

	fb_macs(&f);
	fb_tag(&f, TPID_8021AD, 100);
	fb_tag(&f, TPID_8021Q, 200);
	fb_tag(&f, TPID_8021Q, 300);
	fb_u16(&f, ETH_P_IPV4);
	fb_ip4_end(&f, fb_ip4(&f, PROTO_NONE, 0, NULL, 0));
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_VLAN_DEPTH);
	CU_ASSERT_EQUAL(p.nb_vlan, 2);
	CU_ASSERT_EQUAL(p.vlan[0], 100);
	CU_ASSERT_EQUAL(p.vlan[1], 200);
	CU_ASSERT_EQUAL(p.l3, DP_L3_NONE);
}

static void
test_vlan_trunc(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t n;

	fb_macs(&f);
	fb_tag(&f, TPID_8021Q, 42);
	fb_u16(&f, ETH_P_ARP);
	for (n = 14; n < 18; n++)
		CU_ASSERT_EQUAL(decode_part(&f, n, n, &p),
				BW_REASON_VLAN_TRUNC);
	/* a tag with nothing after it is a well-formed non-IP frame */
	CU_ASSERT_EQUAL(decode_part(&f, 18, 18, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_vlan, 1);
	CU_ASSERT_EQUAL(p.vlan[0], 42);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_ARP);
	CU_ASSERT_EQUAL(p.l3_off, 18);
}

static void
test_non_ip(void)
{
	static const uint16_t types[] = {ETH_P_ARP, ETH_P_LLDP, 0x002e,
					 0x05ff,    0x88b5,	0x8847};
	struct fb f;
	struct dp_pkt p;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fb_eth(&f, types[i]);
		fb_payload(&f, 46);
		CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
		CU_ASSERT_EQUAL(p.ethertype, types[i]);
		CU_ASSERT_EQUAL(p.l3, DP_L3_NONE);
		CU_ASSERT_EQUAL(p.l3_off, 14);
		CU_ASSERT_EQUAL(p.l3_len, 0);
		CU_ASSERT_EQUAL(p.l4_off, 0);
		CU_ASSERT_EQUAL(p.payload_off, 0);
		CU_ASSERT_EQUAL(p.payload_len, 0);
		CU_ASSERT_EQUAL(p.flags, 0);
		CU_ASSERT_EQUAL(p.ttl, 0);
		CU_ASSERT_EQUAL(p.dir, DP_DIR_INBOUND);
	}

	/* ARP request behind a 802.1Q tag */
	fb_macs(&f);
	fb_tag(&f, TPID_8021Q, 7);
	fb_u16(&f, ETH_P_ARP);
	fb_u32(&f, 0x00010800); /* Ethernet, IPv4 */
	fb_u32(&f, 0x06040001); /* lengths, request */
	fb_fill(&f, 0x11, 20);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_ARP);
	CU_ASSERT_EQUAL(p.l3, DP_L3_NONE);
	CU_ASSERT_EQUAL(p.nb_vlan, 1);
	CU_ASSERT_EQUAL(p.vlan[0], 7);
	CU_ASSERT_EQUAL(p.l3_off, 18);

	/* LLDP: a bare ethertype and nothing else */
	fb_eth(&f, ETH_P_LLDP);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l3, DP_L3_NONE);
}

/* data_len above pkt_len: the bytes past the frame are not read as it */
static void
test_data_beyond_frame(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	ip = frame_ip4(&f, PROTO_TCP, 0);
	fb_tcp(&f, 1, 2, TCP_SYN, 0);
	fb_ip4_end(&f, ip);
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

/* ---- truncation at every byte ---- */

/* For cut lengths below `below` (and above the previous entry): reason. */
struct cut {
	uint32_t below;
	int reason;
};

/*
 * Decode the first n bytes of f for every n in 0..f->len. full_pkt: pkt_len
 * is the whole frame (headers cut by data_len only), else pkt_len = n.
 */
static void
sweep(const struct fb *f, int full_pkt, const struct cut *cuts, size_t nb)
{
	struct dp_pkt p;
	uint32_t n;
	size_t i;
	int want, got;

	for (n = 0; n <= f->len; n++) {
		want = BW_REASON_NONE;
		for (i = 0; i < nb; i++) {
			if (n < cuts[i].below) {
				want = cuts[i].reason;
				break;
			}
		}
		got = decode_part(f, n, full_pkt ? f->len : n, &p);
		if (got != want)
			fprintf(stderr,
				"\n  cut %u of %u (pkt_len %s): got %s, want "
				"%s",
				n, f->len, full_pkt ? "whole" : "cut",
				bw_reason_name((unsigned int)got),
				bw_reason_name((unsigned int)want));
		CU_ASSERT_EQUAL(got, want);
	}
}

static void
test_trunc_qinq_ip4_tcp(void)
{
	/* data_len = pkt_len = n: the frame itself is cut short */
	static const struct cut frame_cut[] = {
		{14, BW_REASON_L2_TRUNC},
		{18, BW_REASON_VLAN_TRUNC}, /* 802.1ad tag + next type */
		{22, BW_REASON_VLAN_TRUNC}, /* 802.1Q tag + next type */
		{42, BW_REASON_IP4_TRUNC},  /* 20 fixed IPv4 bytes */
		{84, BW_REASON_IP4_TOTLEN}, /* total length 62 > n - 22 */
	};
	/* data_len = n, pkt_len = 84: headers in later segments */
	static const struct cut data_cut[] = {
		{14, BW_REASON_L2_TRUNC},
		{22, BW_REASON_VLAN_TRUNC},
		{42, BW_REASON_IP4_TRUNC},
		{62, BW_REASON_TCP_TRUNC},  /* 20 fixed TCP bytes */
		{74, BW_REASON_TCP_HDRLEN}, /* 12 option bytes */
	};
	struct fb f;

	frame_qinq_ip4_tcp(&f);
	sweep(&f, 0, frame_cut, sizeof(frame_cut) / sizeof(frame_cut[0]));
	sweep(&f, 1, data_cut, sizeof(data_cut) / sizeof(data_cut[0]));
}

static void
test_trunc_ip4_options(void)
{
	static const uint8_t opts[8] = {0x94, 4, 0, 0, 1, 1, 1, 0};
	static const struct cut frame_cut[] = {
		{14, BW_REASON_L2_TRUNC},
		{34, BW_REASON_IP4_TRUNC},
		{42, BW_REASON_IP4_HDRLEN}, /* IHL 7 */
		{58, BW_REASON_IP4_TOTLEN},
	};
	static const struct cut data_cut[] = {
		{14, BW_REASON_L2_TRUNC},
		{34, BW_REASON_IP4_TRUNC},
		{42, BW_REASON_IP4_HDRLEN},
		{50, BW_REASON_UDP_TRUNC},
	};
	struct fb f;
	uint32_t ip, udp;

	fb_eth(&f, ETH_P_IPV4);
	ip = fb_ip4(&f, PROTO_UDP, 0, opts, sizeof(opts));
	udp = fb_udp(&f, 7, 9);
	fb_payload(&f, 8);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(f.len, 58);
	sweep(&f, 0, frame_cut, sizeof(frame_cut) / sizeof(frame_cut[0]));
	sweep(&f, 1, data_cut, sizeof(data_cut) / sizeof(data_cut[0]));
}

static void
test_trunc_ip6_hbh_dst_udp(void)
{
	static const struct cut frame_cut[] = {
		{14, BW_REASON_L2_TRUNC},
		{54, BW_REASON_IP6_TRUNC},  /* 40 fixed IPv6 bytes */
		{91, BW_REASON_IP6_PAYLEN}, /* payload length 37 > n - 54 */
	};
	static const struct cut data_cut[] = {
		{14, BW_REASON_L2_TRUNC},      {54, BW_REASON_IP6_TRUNC},
		{62, BW_REASON_IP6_EXT_TRUNC}, /* hop-by-hop, 8 bytes */
		{78, BW_REASON_IP6_EXT_TRUNC}, /* destination options, 16 */
		{86, BW_REASON_UDP_TRUNC},
	};
	struct fb f;
	struct dp_pkt p;

	frame_ip6_hbh_dst_udp(&f);
	CU_ASSERT_EQUAL(f.len, 91);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV6);
	CU_ASSERT_EQUAL(p.l3_off, 14);
	CU_ASSERT_EQUAL(p.l3_len, 77);
	CU_ASSERT_EQUAL(p.nb_ext, 2);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_UDP);
	CU_ASSERT_EQUAL(p.l4_off, 78);
	CU_ASSERT_EQUAL(p.payload_off, 86);
	CU_ASSERT_EQUAL(p.payload_len, 5);
	CU_ASSERT_EQUAL(p.sport, 5353);
	CU_ASSERT_EQUAL(p.dport, 53);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);
	sweep(&f, 0, frame_cut, sizeof(frame_cut) / sizeof(frame_cut[0]));
	sweep(&f, 1, data_cut, sizeof(data_cut) / sizeof(data_cut[0]));
}

/* ---- IPv4 ---- */

static void
test_ip4_version(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	ip = frame_ip4(&f, PROTO_NONE, 0);
	fb_ip4_end(&f, ip);
	f.b[ip] = 0x65;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_VERSION);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV4);
	CU_ASSERT_EQUAL(p.l3_off, 14);
	f.b[ip] = 0x05;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_VERSION);
	f.b[ip] = 0x45;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
}

static void
test_ip4_ihl(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;
	uint8_t ihl;

	ip = frame_ip4(&f, PROTO_UDP, 0);
	udp = fb_udp(&f, 1, 2);
	fb_payload(&f, 4);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip); /* 32 bytes */
	for (ihl = 0; ihl < 5; ihl++) {
		f.b[ip] = (uint8_t)(0x40 | ihl);
		CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_HDRLEN);
	}
	/* 60-byte header claimed in a 46-byte frame */
	f.b[ip] = 0x4f;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_HDRLEN);
	/* ... and in a frame that has it, past data_len */
	fb_pad_to(&f, 200);
	f.b[ip] = 0x4f;
	CU_ASSERT_EQUAL(decode_part(&f, 46, 200, &p), BW_REASON_IP4_HDRLEN);
	/* IHL 9 within the frame but above a total length of 32 */
	f.b[ip] = 0x49;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_TOTLEN);
}

static void
test_ip4_total_length(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	ip = frame_ip4(&f, PROTO_UDP, 0);
	udp = fb_udp(&f, 1, 2);
	fb_payload(&f, 4);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip); /* 32 */

	fb_set16(&f, ip + 2, 19); /* below the header */
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_TOTLEN);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV4);
	fb_set16(&f, ip + 2, 0);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_TOTLEN);
	fb_set16(&f, ip + 2, 33); /* one byte past the frame */
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_TOTLEN);
	fb_set16(&f, ip + 2, 0xffff);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_TOTLEN);
	/* past data_len but within pkt_len is fine for the length... */
	fb_set16(&f, ip + 2, 32);
	CU_ASSERT_EQUAL(decode_part(&f, 42, 46, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_off, 42);
	CU_ASSERT_EQUAL(p.payload_len, 4);
	/* ...and against pkt_len, not data_len */
	CU_ASSERT_EQUAL(decode_part(&f, 42, 45, &p), BW_REASON_IP4_TOTLEN);
	/* header only, nothing for UDP */
	fb_set16(&f, ip + 2, 20);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_TRUNC);
	CU_ASSERT_EQUAL(p.l3_len, 20);
	CU_ASSERT_EQUAL(p.l4_off, 34);
}

static void
test_ip4_padding(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	/* 2-byte UDP payload in a minimum 60-byte frame */
	ip = frame_ip4(&f, PROTO_UDP, 0);
	udp = fb_udp(&f, 53, 5353);
	fb_payload(&f, 2);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip);
	fb_pad_to(&f, 60);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l3_len, 30);
	CU_ASSERT_EQUAL(p.payload_off, 42);
	CU_ASSERT_EQUAL(p.payload_len, 2);

	/* bare TCP ACK: 54 bytes padded to 60, payload 0 not 6 */
	ip = frame_ip4(&f, PROTO_TCP, IP4_DF);
	fb_tcp(&f, 80, 40000, TCP_ACK, 0);
	fb_ip4_end(&f, ip);
	fb_pad_to(&f, 60);
	f.b[59] = 0xff; /* padding content does not matter */
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l3_len, 40);
	CU_ASSERT_EQUAL(p.payload_off, 54);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	CU_ASSERT_EQUAL(p.tcp_flags, TCP_ACK);
}

static void
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
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fb_eth(&f, ETH_P_IPV4);
		ip = fb_ip4(&f, PROTO_UDP, 0, cases[i].opts, cases[i].olen);
		udp = fb_udp(&f, 10, 20);
		fb_payload(&f, 1);
		fb_udp_end(&f, udp);
		fb_ip4_end(&f, ip);
		CU_ASSERT_EQUAL(decode(&f, &p), cases[i].reason);
		CU_ASSERT_EQUAL(p.flags & DP_PKT_IP4_OPTS, DP_PKT_IP4_OPTS);
		CU_ASSERT_EQUAL(p.l3_len, 20 + cases[i].olen + 9);
		if (cases[i].reason != BW_REASON_NONE)
			continue;
		CU_ASSERT_EQUAL(p.l4_off, 34 + cases[i].olen);
		CU_ASSERT_EQUAL(p.payload_off, 42 + cases[i].olen);
		CU_ASSERT_EQUAL(p.payload_len, 1);
		CU_ASSERT_EQUAL(p.flags, DP_PKT_IP4_OPTS | DP_PKT_L4);
	}
}

static void
test_ip4_frag_first(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	/* UDP length 1000 describes the reassembled datagram: accepted */
	ip = frame_ip4(&f, PROTO_UDP, IP4_MF);
	udp = fb_udp(&f, 4000, 4001);
	fb_payload(&f, 16);
	fb_set16(&f, udp + 4, 1000);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	CU_ASSERT_EQUAL(p.frag_off, 0);
	CU_ASSERT_EQUAL(p.frag_id, 0x1234);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);
	CU_ASSERT_EQUAL(p.sport, 4000);
	CU_ASSERT_EQUAL(p.dport, 4001);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.payload_off, 42);
	CU_ASSERT_EQUAL(p.payload_len, 16);

	/* TCP header complete in the first fragment */
	ip = frame_ip4(&f, PROTO_TCP, IP4_MF);
	fb_tcp(&f, 1, 2, TCP_SYN, 4);
	fb_payload(&f, 8);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	CU_ASSERT_EQUAL(p.payload_off, 58);
	CU_ASSERT_EQUAL(p.payload_len, 8);

	/* DF alone is not a fragment */
	ip = frame_ip4(&f, PROTO_UDP, IP4_DF);
	udp = fb_udp(&f, 1, 2);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 0);
}

static void
test_ip4_frag_tiny(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	/* RFC 1858: 8 bytes of TCP, flags pushed to the next fragment */
	ip = frame_ip4(&f, PROTO_TCP, IP4_MF);
	fb_payload(&f, 8);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.flags & DP_PKT_L4, 0);
	/* same bytes, whole datagram: plain truncation */
	fb_set16(&f, ip + 6, 0);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_TRUNC);

	/* 24 bytes: the fixed part fits, the options (doff 8) do not */
	ip = frame_ip4(&f, PROTO_TCP, IP4_MF);
	fb_tcp(&f, 1, 2, TCP_SYN, 12);
	f.len -= 8;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	fb_set16(&f, ip + 6, 0);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_HDRLEN);

	/* empty first fragments of UDP and ICMP */
	ip = frame_ip4(&f, PROTO_UDP, IP4_MF);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	ip = frame_ip4(&f, PROTO_ICMP, IP4_MF);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	/* no header to miss for other protocols */
	ip = frame_ip4(&f, PROTO_GRE, IP4_MF);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	CU_ASSERT_EQUAL(p.payload_len, 0);

	/* a first fragment cut by data_len only is a truncation */
	ip = frame_ip4(&f, PROTO_TCP, IP4_MF);
	fb_tcp(&f, 1, 2, TCP_SYN, 4);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode_part(&f, 50, f.len, &p), BW_REASON_TCP_TRUNC);
	CU_ASSERT_EQUAL(decode_part(&f, 55, f.len, &p), BW_REASON_TCP_HDRLEN);
}

static void
test_ip4_frag_later(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	/* last fragment at 1480 */
	ip = frame_ip4(&f, PROTO_UDP, 185);
	fb_payload(&f, 100);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_LATER);
	CU_ASSERT_EQUAL(p.frag_off, 1480);
	CU_ASSERT_EQUAL(p.frag_id, 0x1234);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_UDP);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.payload_off, 34);
	CU_ASSERT_EQUAL(p.payload_len, 100);
	CU_ASSERT_EQUAL(p.flags, 0);
	CU_ASSERT_EQUAL(p.sport, 0);

	/* middle fragment: MF needs a multiple of 8 */
	fb_set16(&f, ip + 6, IP4_MF | 185);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_FRAG);
	f.len -= 4;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 96);

	/* a later fragment with padding after it */
	fb_pad_to(&f, 200);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 96);

	/* RFC 1858 overlap: TCP at offset 8 */
	ip = frame_ip4(&f, PROTO_TCP, 1);
	fb_payload(&f, 12);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_LATER);
	CU_ASSERT_EQUAL(p.frag_off, 8);
	/* not TCP, or TCP further on: fine */
	f.b[ip + 9] = PROTO_UDP;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	f.b[ip + 9] = PROTO_TCP;
	fb_set16(&f, ip + 6, 2);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag_off, 16);
}

static void
test_ip4_frag_oversize(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	/* 65512 + 24 > 65535 */
	ip = frame_ip4(&f, PROTO_UDP, 8189);
	fb_payload(&f, 24);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_FRAG);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_LATER);
	CU_ASSERT_EQUAL(p.frag_off, 65512);
	/* 65512 + 23 = 65535: the largest datagram */
	f.len--;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 23);
	/* the largest offset with MF and 8 bytes */
	ip = frame_ip4(&f, PROTO_UDP, IP4_MF | 0x1fff);
	fb_payload(&f, 8);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_FRAG);
	CU_ASSERT_EQUAL(p.frag_off, 65528);
}

static void
test_ip4_frag_mf_length(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	ip = frame_ip4(&f, PROTO_UDP, IP4_MF);
	udp = fb_udp(&f, 1, 2);
	fb_payload(&f, 5);
	fb_udp_end(&f, udp);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP4_FRAG);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	/* the last fragment may end anywhere */
	fb_set16(&f, ip + 6, 3);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_LATER);
	CU_ASSERT_EQUAL(p.payload_len, 13);
}

/* ---- L4 over IPv4 ---- */

static void
test_tcp_doff(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, tcp;
	uint8_t doff;

	ip = frame_ip4(&f, PROTO_TCP, 0);
	tcp = fb_tcp(&f, 1, 2, TCP_SYN, 8);
	fb_payload(&f, 4);
	fb_ip4_end(&f, ip);
	for (doff = 0; doff < 5; doff++) {
		f.b[tcp + 12] = (uint8_t)(doff << 4);
		CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_HDRLEN);
		CU_ASSERT_EQUAL(p.l3, DP_L3_IPV4);
		CU_ASSERT_EQUAL(p.l3_off, 14);
		CU_ASSERT_EQUAL(p.l4_off, 34);
		CU_ASSERT_EQUAL(p.l4_proto, PROTO_TCP);
		CU_ASSERT_EQUAL(p.flags & DP_PKT_L4, 0);
	}
	/* 28 header + 4 payload = 32: doff 8 fits exactly, 9 does not */
	f.b[tcp + 12] = 8 << 4;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	CU_ASSERT_EQUAL(p.payload_off, 66);
	f.b[tcp + 12] = 9 << 4;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_HDRLEN);
	f.b[tcp + 12] = 15 << 4;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_HDRLEN);
	/* beyond the datagram even when padding would hold it */
	fb_pad_to(&f, 120);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_HDRLEN);

	/* 19 bytes of TCP */
	ip = frame_ip4(&f, PROTO_TCP, 0);
	fb_tcp(&f, 1, 2, 0xff, 0);
	f.len--;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_TCP_TRUNC);
	f.len++;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.tcp_flags, 0xff);
}

static void
test_udp_length(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	ip = frame_ip4(&f, PROTO_UDP, 0);
	udp = fb_udp(&f, 68, 67);
	fb_payload(&f, 10);
	fb_ip4_end(&f, ip); /* IP payload 18 */

	fb_set16(&f, udp + 4, 18);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 10);
	fb_set16(&f, udp + 4, 19);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_LEN);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.flags & DP_PKT_L4, 0);
	fb_set16(&f, udp + 4, 7);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_LEN);
	fb_set16(&f, udp + 4, 0);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_LEN);
	fb_set16(&f, udp + 4, 0xffff);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_LEN);
	/* shorter than the IP payload: the rest is not UDP payload */
	fb_set16(&f, udp + 4, 8);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_off, 42);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	fb_set16(&f, udp + 4, 12);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 4);

	/* 7 bytes of UDP */
	ip = frame_ip4(&f, PROTO_UDP, 0);
	fb_udp(&f, 1, 2);
	f.len--;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_TRUNC);
}

static void
test_icmp(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	ip = frame_ip4(&f, PROTO_ICMP, 0);
	fb_icmp(&f, 8, 0); /* echo request */
	fb_payload(&f, 4);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_ICMP);
	CU_ASSERT_EQUAL(p.icmp_type, 8);
	CU_ASSERT_EQUAL(p.icmp_code, 0);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.payload_off, 42);
	CU_ASSERT_EQUAL(p.payload_len, 4);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);
	CU_ASSERT_EQUAL(p.sport, 0);

	ip = frame_ip4(&f, PROTO_ICMP, 0);
	fb_icmp(&f, 3, 3); /* port unreachable */
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.icmp_type, 3);
	CU_ASSERT_EQUAL(p.icmp_code, 3);
	CU_ASSERT_EQUAL(p.payload_len, 0);

	f.len--;
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_ICMP_TRUNC);
	CU_ASSERT_EQUAL(p.icmp_type, 0);

	/* ICMPv6 over IPv4 is just another protocol */
	ip = frame_ip4(&f, PROTO_ICMPV6, 0);
	fb_payload(&f, 2);
	fb_ip4_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.flags, 0);
	CU_ASSERT_EQUAL(p.payload_len, 2);
}

static void
test_ip4_other_proto(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	ip = frame_ip4(&f, PROTO_GRE, 0);
	fb_payload(&f, 12);
	fb_ip4_end(&f, ip);
	fb_pad_to(&f, 64);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_GRE);
	CU_ASSERT_EQUAL(p.l4_off, 34);
	CU_ASSERT_EQUAL(p.payload_off, 34);
	CU_ASSERT_EQUAL(p.payload_len, 12);
	CU_ASSERT_EQUAL(p.flags, 0);
}

/* ---- IPv6 ---- */

static void
test_ip6_tcp(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_TCP);
	fb_tcp(&f, 50000, 22, TCP_SYN | TCP_ACK, 4);
	fb_payload(&f, 3);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.ethertype, ETH_P_IPV6);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV6);
	CU_ASSERT_EQUAL(p.l3_off, 14);
	CU_ASSERT_EQUAL(p.l3_len, 67);
	CU_ASSERT_EQUAL(p.ttl, 63);
	CU_ASSERT_EQUAL(memcmp(p.src.a8, ip6_src, 16), 0);
	CU_ASSERT_EQUAL(memcmp(p.dst.a8, ip6_dst, 16), 0);
	CU_ASSERT_EQUAL(p.nb_ext, 0);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_TCP);
	CU_ASSERT_EQUAL(p.l4_off, 54);
	CU_ASSERT_EQUAL(p.sport, 50000);
	CU_ASSERT_EQUAL(p.dport, 22);
	CU_ASSERT_EQUAL(p.tcp_flags, TCP_SYN | TCP_ACK);
	CU_ASSERT_EQUAL(p.payload_off, 78);
	CU_ASSERT_EQUAL(p.payload_len, 3);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_NONE);
	CU_ASSERT_EQUAL(p.frag_id, 0);

	/* padding after the payload length is ignored */
	fb_pad_to(&f, 100);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l3_len, 67);
	CU_ASSERT_EQUAL(p.payload_len, 3);
}

static void
test_ip6_header(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_UDP);
	fb_udp_end(&f, fb_udp(&f, 1, 2));
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);

	f.b[ip] = 0x40;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_VERSION);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV6);
	f.b[ip] = 0x60;

	fb_set16(&f, ip + 4, 9); /* one past the frame */
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_PAYLEN);
	fb_set16(&f, ip + 4, 0); /* jumbogram */
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_PAYLEN);
	/* payload length 0 with no next header: legal, nothing follows */
	f.b[ip + 6] = PROTO_NONE;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l3_len, 40);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_NONE);
	CU_ASSERT_EQUAL(p.l4_off, 54);
	CU_ASSERT_EQUAL(p.payload_off, 54);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	CU_ASSERT_EQUAL(p.flags, 0);

	/* payload length checked against pkt_len, not data_len */
	f.b[ip + 6] = PROTO_UDP;
	fb_set16(&f, ip + 4, 8);
	CU_ASSERT_EQUAL(decode_part(&f, 60, 62, &p), BW_REASON_UDP_TRUNC);
	CU_ASSERT_EQUAL(decode_part(&f, 60, 61, &p), BW_REASON_IP6_PAYLEN);
}

static void
test_ip6_icmp6(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_ICMPV6);
	fb_icmp(&f, 128, 0); /* echo request */
	fb_payload(&f, 6);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_ICMPV6);
	CU_ASSERT_EQUAL(p.icmp_type, 128);
	CU_ASSERT_EQUAL(p.icmp_code, 0);
	CU_ASSERT_EQUAL(p.l4_off, 54);
	CU_ASSERT_EQUAL(p.payload_off, 58);
	CU_ASSERT_EQUAL(p.payload_len, 10);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4);

	/* 4 bytes are enough, 3 are not */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_ICMPV6);
	fb_u32(&f, 0x87000000); /* neighbor solicitation, no body */
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.icmp_type, 135);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	f.len--;
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_ICMP6_TRUNC);
	CU_ASSERT_EQUAL(p.l4_off, 54);

	/* ICMP (v4) over IPv6 is just another protocol */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_ICMP);
	fb_payload(&f, 3);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.flags, 0);
	CU_ASSERT_EQUAL(p.payload_len, 3);
}

static void
test_ip6_esp_nonext(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_ESP);
	fb_payload(&f, 16);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_ESP);
	CU_ASSERT_EQUAL(p.l4_off, 54);
	CU_ASSERT_EQUAL(p.payload_off, 54);
	CU_ASSERT_EQUAL(p.payload_len, 16);
	CU_ASSERT_EQUAL(p.flags, 0);

	/* destination options then no next header: the rest is ignored */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_DSTOPTS);
	fb_ext(&f, PROTO_NONE, 0);
	fb_payload(&f, 5);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_ext, 1);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_NONE);
	CU_ASSERT_EQUAL(p.l4_off, 62);
	CU_ASSERT_EQUAL(p.payload_len, 5);
	CU_ASSERT_EQUAL(p.flags, 0);
}

/* Extension header types used to build chains, in a legal order. */
static const uint8_t ext_chain_types[] = {
	PROTO_HOPOPTS, PROTO_ROUTING, PROTO_DSTOPTS, PROTO_AH,
	PROTO_MH,      PROTO_HIP,     PROTO_SHIM6,   PROTO_DSTOPTS,
};

/* IPv6 + n extension headers + UDP; returns the L4 offset. */
static uint32_t
frame_ip6_chain(struct fb *f, unsigned int n)
{
	uint8_t types[DP_IP6_EXT_MAX + 2];
	uint32_t ip, udp, l4;
	unsigned int i;
	uint8_t next;

	CU_ASSERT_FATAL(n <= sizeof(types));
	for (i = 0; i < n; i++)
		types[i] = i < sizeof(ext_chain_types) ? ext_chain_types[i]
						       : PROTO_DSTOPTS;
	fb_eth(f, ETH_P_IPV6);
	ip = fb_ip6(f, n > 0 ? types[0] : PROTO_UDP);
	for (i = 0; i < n; i++) {
		next = i + 1 < n ? types[i + 1] : PROTO_UDP;
		if (types[i] == PROTO_AH)
			fb_ah(f, next, 4); /* 24 bytes, 96-bit ICV */
		else
			fb_ext(f, next, (uint8_t)(i % 2));
	}
	l4 = f->len;
	udp = fb_udp(f, 500, 4500);
	fb_payload(f, 4);
	fb_udp_end(f, udp);
	fb_ip6_end(f, ip);
	return l4;
}

static void
test_ip6_ext_chain(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t l4;

	/* AH length is in 4-byte units (RFC 4302), others in 8 */
	l4 = frame_ip6_chain(&f, 4);
	CU_ASSERT_EQUAL(l4, 54 + 8 + 16 + 8 + 24);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_ext, 4);
	CU_ASSERT_EQUAL(p.l4_off, l4);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4 | DP_PKT_IP6_ROUTING);

	l4 = frame_ip6_chain(&f, DP_IP6_EXT_MAX);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.nb_ext, DP_IP6_EXT_MAX);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_UDP);
	CU_ASSERT_EQUAL(p.l4_off, l4);
	CU_ASSERT_EQUAL(p.payload_off, l4 + 8);
	CU_ASSERT_EQUAL(p.payload_len, 4);
	CU_ASSERT_EQUAL(p.sport, 500);
	CU_ASSERT_EQUAL(p.dport, 4500);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4 | DP_PKT_IP6_ROUTING);

	frame_ip6_chain(&f, DP_IP6_EXT_MAX + 1);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_EXT_CHAIN);
	CU_ASSERT_EQUAL(p.nb_ext, DP_IP6_EXT_MAX);
	CU_ASSERT_EQUAL(p.l3, DP_L3_IPV6);
	CU_ASSERT_EQUAL(p.flags & DP_PKT_L4, 0);
}

static void
test_ip6_ext_errors(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	/* hop-by-hop after destination options (RFC 8200 section 4.1) */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_DSTOPTS);
	fb_ext(&f, PROTO_HOPOPTS, 0);
	fb_ext(&f, PROTO_UDP, 0);
	fb_udp_end(&f, fb_udp(&f, 1, 2));
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_HBH_POS);
	/* twice */
	f.b[ip + 6] = PROTO_HOPOPTS;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_HBH_POS);

	/* an extension inside the frame but past the payload length */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_DSTOPTS);
	fb_ext(&f, PROTO_UDP, 1);
	udp = fb_udp(&f, 1, 2);
	fb_udp_end(&f, udp);
	fb_set16(&f, ip + 4, 8);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_EXT_TRUNC);
	CU_ASSERT_EQUAL(p.nb_ext, 1);
	fb_set16(&f, ip + 4, 1);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_EXT_TRUNC);
	fb_set16(&f, ip + 4, 23);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_TRUNC);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	/* UDP length checked against what follows the extensions */
	fb_set16(&f, udp + 4, 9);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_LEN);

	/* AH of 24 bytes claimed with 16 present */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_AH);
	fb_ah(&f, PROTO_NONE, 2);
	f.b[ip + 41] = 4;
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_EXT_TRUNC);
	fb_fill(&f, 0, 8);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l4_off, 78);

	/* fragment header cut by the payload length */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 0, 0, 1);
	fb_set16(&f, ip + 4, 4);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_EXT_TRUNC);
}

static void
test_ip6_frag_atomic(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip, udp;

	/* RFC 6946: offset 0, M 0: a whole datagram, L4 decoded */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 0, 0, 0xdeadbeef);
	udp = fb_udp(&f, 123, 123);
	fb_payload(&f, 4);
	fb_udp_end(&f, udp);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_NONE);
	CU_ASSERT_EQUAL(p.frag_off, 0);
	CU_ASSERT_EQUAL(p.frag_id, 0xdeadbeef);
	CU_ASSERT_EQUAL(p.nb_ext, 1);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4 | DP_PKT_IP6_FRAGHDR);
	CU_ASSERT_EQUAL(p.l4_off, 62);
	CU_ASSERT_EQUAL(p.payload_off, 70);
	CU_ASSERT_EQUAL(p.payload_len, 4);
	/* not a fragment, so the UDP length is checked */
	fb_set16(&f, udp + 4, 13);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_UDP_LEN);
}

static void
test_ip6_frag_first(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_HOPOPTS);
	fb_ext(&f, PROTO_FRAG, 0);
	fb_frag6(&f, PROTO_DSTOPTS, 0, 1, 77);
	fb_ext(&f, PROTO_TCP, 0);
	fb_tcp(&f, 179, 50000, TCP_ACK, 0);
	fb_payload(&f, 4); /* fragmentable part 8 + 20 + 4 = 32 */
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	CU_ASSERT_EQUAL(p.frag_off, 0);
	CU_ASSERT_EQUAL(p.frag_id, 77);
	CU_ASSERT_EQUAL(p.nb_ext, 3);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_L4 | DP_PKT_IP6_FRAGHDR);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_TCP);
	CU_ASSERT_EQUAL(p.l4_off, 78);
	CU_ASSERT_EQUAL(p.sport, 179);
	CU_ASSERT_EQUAL(p.payload_off, 98);
	CU_ASSERT_EQUAL(p.payload_len, 4);

	/* RFC 7112: TCP header not in the first fragment */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_TCP, 0, 1, 78);
	fb_payload(&f, 8);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_FIRST);
	CU_ASSERT_EQUAL(p.l4_off, 62);
	f.b[ip + 40] = PROTO_UDP; /* 8 bytes hold a UDP header */
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 0);
	fb_set16(&f, ip + 4, 8);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);
	f.b[ip + 40] = PROTO_ICMPV6;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_FRAG_TINY);

	/* M with a fragmentable part not a multiple of 8 */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 0, 1, 79);
	fb_udp_end(&f, fb_udp(&f, 1, 2));
	fb_payload(&f, 5);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_FRAG);
	CU_ASSERT_EQUAL(p.frag_id, 79);
}

static void
test_ip6_frag_later(void)
{
	struct fb f;
	struct dp_pkt p;
	uint32_t ip;

	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_UDP, 1448, 0, 0x01020304);
	fb_payload(&f, 100);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.frag, DP_FRAG_LATER);
	CU_ASSERT_EQUAL(p.frag_off, 1448);
	CU_ASSERT_EQUAL(p.frag_id, 0x01020304);
	CU_ASSERT_EQUAL(p.nb_ext, 1);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_UDP);
	CU_ASSERT_EQUAL(p.l4_off, 62);
	CU_ASSERT_EQUAL(p.payload_off, 62);
	CU_ASSERT_EQUAL(p.payload_len, 100);
	CU_ASSERT_EQUAL(p.flags, DP_PKT_IP6_FRAGHDR);
	CU_ASSERT_EQUAL(p.sport, 0);

	/* the walk stops: what follows is fragment data, even a "header" */
	f.b[ip + 40] = PROTO_HOPOPTS;
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.l4_proto, PROTO_HOPOPTS);

	/* M set, 100 bytes: not a multiple of 8 */
	fb_set16(&f, ip + 42, 1448 | 1);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_FRAG);
	f.len -= 4;
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 96);

	/* 65528 + 16 > 65535 */
	fb_eth(&f, ETH_P_IPV6);
	ip = fb_ip6(&f, PROTO_FRAG);
	fb_frag6(&f, PROTO_TCP, 0xfff8, 0, 5);
	fb_payload(&f, 16);
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_IP6_FRAG);
	CU_ASSERT_EQUAL(p.frag_off, 0xfff8);
	f.len -= 9; /* 65528 + 7 = 65535 */
	fb_ip6_end(&f, ip);
	CU_ASSERT_EQUAL(decode(&f, &p), BW_REASON_NONE);
	CU_ASSERT_EQUAL(p.payload_len, 7);
}

/* ---- real captures ---- */

/* A capture packet checked by hand and found truly malformed. */
struct known_bad {
	const char *file;  /* base name */
	unsigned long pkt; /* 1-based, as Wireshark numbers them */
	int reason;
};

/*
 * Every packet of the shipped captures was decoded and each one flagged
 * was looked at with tcpdump -xx. None is listed: all are well formed.
 */
static const struct known_bad known_bad[] = {
	{NULL, 0, BW_REASON_NONE},
};

static int
known_reason(const char *file, unsigned long pkt)
{
	const char *base = strrchr(file, '/');
	size_t i;

	base = base != NULL ? base + 1 : file;
	for (i = 0; i < sizeof(known_bad) / sizeof(known_bad[0]); i++) {
		if (known_bad[i].file != NULL &&
		    strcmp(known_bad[i].file, base) == 0 &&
		    known_bad[i].pkt == pkt)
			return known_bad[i].reason;
	}
	return BW_REASON_NONE;
}

struct pcap_totals {
	unsigned long files;
	unsigned long pkts;
	unsigned long ip4, ip6, l4, frags;
};

static void
decode_capture(const char *path, struct pcap_totals *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct dp_pkt p;
	unsigned long n = 0;
	pcap_t *pc;
	int rc, want;

	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "\n  %s: %s", path, errbuf);
		CU_FAIL("capture does not open");
		return;
	}
	CU_ASSERT_EQUAL(pcap_datalink(pc), DLT_EN10MB);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		n++;
		want = known_reason(path, n);
		/* headers in what was captured, lengths against the wire */
		dp_decode(data, h->caplen, h->len, DP_DIR_INBOUND, &p);
		check_invariants(&p, h->caplen, h->len);
		if (p.reason != want)
			fprintf(stderr, "\n  %s packet %lu: %s, want %s", path,
				n, bw_reason_name(p.reason),
				bw_reason_name((unsigned int)want));
		CU_ASSERT_EQUAL(p.reason, want);
		t->ip4 += p.l3 == DP_L3_IPV4;
		t->ip6 += p.l3 == DP_L3_IPV6;
		t->l4 += (p.flags & DP_PKT_L4) != 0;
		t->frags += p.frag != DP_FRAG_NONE;
	}
	CU_ASSERT_EQUAL(rc, PCAP_ERROR_BREAK);
	CU_ASSERT(n > 0);
	t->pkts += n;
	t->files++;
	pcap_close(pc);
}

/* Decode every file under dir, one level of subfolders deep. */
static void
decode_captures_in(const char *dir, int depth, struct pcap_totals *t)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (d == NULL) {
		CU_FAIL("cannot open capture folder");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path)) {
			CU_FAIL("capture path too long");
			continue;
		}
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth > 0)
			decode_captures_in(path, depth - 1, t);
		else if (S_ISREG(st.st_mode))
			decode_capture(path, t);
	}
	closedir(d);
}

/* Folder (or file) of the bundled test data, or NULL: bw_testdata.h. */
static const char *
data_dir_find(char *buf, size_t size)
{
	return bw_testdata_path("pcaps", buf, size);
}

static void
test_real_captures(void)
{
	struct pcap_totals t = {0};
	char dir[PATH_MAX];

	if (data_dir_find(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "\n  no tests/data/pcaps: pass DATA_DIR or set "
				"BW_TEST_DATA");
		CU_FAIL_FATAL("test data not found");
	}
	decode_captures_in(dir, 1, &t);
	fprintf(stderr,
		"\n  %lu captures, %lu packets: %lu IPv4, %lu IPv6, %lu with "
		"L4, %lu fragments ",
		t.files, t.pkts, t.ip4, t.ip6, t.l4, t.frags);
	CU_ASSERT(t.files >= 1);
	CU_ASSERT(t.pkts > 0);
	/* the decode/ set has IPv4 and IPv6 fragments: they must be seen */
	CU_ASSERT(t.ip6 > 0);
	CU_ASSERT(t.frags > 0);
}

static const struct bw_cunit_test tests[] = {
	{"eth ipv4 tcp fields", test_eth_ip4_tcp},
	{"eth short", test_eth_short},
	{"vlan single", test_vlan_single},
	{"vlan qinq", test_vlan_qinq},
	{"vlan third tag", test_vlan_depth},
	{"vlan truncated", test_vlan_trunc},
	{"non-ip ethertypes", test_non_ip},
	{"data beyond the frame", test_data_beyond_frame},
	{"truncation qinq ipv4 tcp", test_trunc_qinq_ip4_tcp},
	{"truncation ipv4 options", test_trunc_ip4_options},
	{"truncation ipv6 hbh dstopts udp", test_trunc_ip6_hbh_dst_udp},
	{"ipv4 version", test_ip4_version},
	{"ipv4 ihl", test_ip4_ihl},
	{"ipv4 total length", test_ip4_total_length},
	{"ipv4 ethernet padding", test_ip4_padding},
	{"ipv4 options", test_ip4_options},
	{"ipv4 first fragment", test_ip4_frag_first},
	{"ipv4 tiny first fragment", test_ip4_frag_tiny},
	{"ipv4 later fragment", test_ip4_frag_later},
	{"ipv4 oversize fragment", test_ip4_frag_oversize},
	{"ipv4 fragment mf length", test_ip4_frag_mf_length},
	{"tcp data offset", test_tcp_doff},
	{"udp length", test_udp_length},
	{"icmp", test_icmp},
	{"ipv4 other protocol", test_ip4_other_proto},
	{"ipv6 tcp fields", test_ip6_tcp},
	{"ipv6 header", test_ip6_header},
	{"ipv6 icmpv6", test_ip6_icmp6},
	{"ipv6 esp and no next header", test_ip6_esp_nonext},
	{"ipv6 extension chain", test_ip6_ext_chain},
	{"ipv6 extension errors", test_ip6_ext_errors},
	{"ipv6 atomic fragment", test_ip6_frag_atomic},
	{"ipv6 first fragment", test_ip6_frag_first},
	{"ipv6 later fragment", test_ip6_frag_later},
	{"real captures", test_real_captures},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	if (argc > 1)
		bw_testdata_set(argv[1]);
	return BW_CUNIT_RUN("decode", tests);
}
