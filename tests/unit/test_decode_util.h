/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the test_decode_*.c files share: the byte-by-byte frame builder
 * (struct fb), the frames several of them decode, decode wrappers that
 * check the invariants of every result, the field checker EXPECT(), the
 * truncation sweep, and the prototypes of the tests test_decode.c runs.
 */
#ifndef TEST_DECODE_UTIL_H
#define TEST_DECODE_UTIL_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * Where the headers of an untagged frame start: the IP header, and the L4
 * header after an option-less IPv4 or a bare IPv6 header.
 */
#define AT_L3	  14
#define AT_L4_IP4 34
#define AT_L4_IP6 54

/* 192.0.2.1 -> 198.51.100.2; 2001:db8::1 -> 2001:db8::2 */
extern const uint8_t ip4_src[4], ip4_dst[4];
extern const uint8_t ip6_src[16], ip6_dst[16];

/* A frame under construction. */
struct fb {
	uint8_t b[FB_MAX_BYTES];
	uint32_t len;
};

void fb_put(struct fb *f, const void *src, uint32_t n);
void fb_u8(struct fb *f, uint8_t v);
void fb_u16(struct fb *f, uint16_t v);
void fb_u32(struct fb *f, uint32_t v);
void fb_fill(struct fb *f, uint8_t v, uint32_t n);
/* Overwrite the big-endian 16 bits at off (inside the frame). */
void fb_set16(struct fb *f, uint32_t off, uint16_t v);
/* n payload bytes, 'a', 'b', ... */
void fb_payload(struct fb *f, uint32_t n);
/* Zero bytes up to len (Ethernet padding); nothing when already longer. */
void fb_pad_to(struct fb *f, uint32_t len);

/* Start a frame: destination and source MAC; tags and a type follow. */
void fb_macs(struct fb *f);
void fb_tag(struct fb *f, uint16_t tpid, uint16_t tci);
/* Start a frame: untagged Ethernet header. */
void fb_eth(struct fb *f, uint16_t type);

/*
 * IPv4 header with olen option bytes (a multiple of 4), id 0x1234, TTL 64,
 * flags/offset frag. Returns its offset; fb_ip4_end() sets the total length.
 */
uint32_t fb_ip4(struct fb *f, uint8_t proto, uint16_t frag, const uint8_t *opts,
		uint32_t olen);
void fb_ip4_end(struct fb *f, uint32_t ip);
/* IPv6 header, hop limit 63; fb_ip6_end() sets the payload length. */
uint32_t fb_ip6(struct fb *f, uint8_t nh);
void fb_ip6_end(struct fb *f, uint32_t ip);
/* Generic extension header of (units + 1) * 8 bytes, padded with PadN. */
void fb_ext(struct fb *f, uint8_t nh, uint8_t units);
/* Authentication header, RFC 4302: (units + 2) * 4 bytes. */
void fb_ah(struct fb *f, uint8_t nh, uint8_t units);
/* IPv6 fragment header, offset in bytes (a multiple of 8). */
void fb_frag6(struct fb *f, uint8_t nh, uint16_t off_bytes, int m, uint32_t id);
/* TCP header with olen option bytes (MSS then NOPs); returns its offset. */
uint32_t fb_tcp(struct fb *f, uint16_t sport, uint16_t dport, uint8_t flags,
		uint32_t olen);
/* UDP header; fb_udp_end() sets the length. */
uint32_t fb_udp(struct fb *f, uint16_t sport, uint16_t dport);
void fb_udp_end(struct fb *f, uint32_t udp);
/* ICMP or ICMPv6 header plus a 4-byte identifier/sequence. */
void fb_icmp(struct fb *f, uint8_t type, uint8_t code);

/*
 * After the ethertype: an option-less IPv4 header with n bytes after it
 * (no L4 header), or a UDP header and n payload bytes, or a TCP header
 * with olen option bytes and n payload bytes; every length set. Each
 * returns the IPv4 offset.
 */
uint32_t fb_ip4_data(struct fb *f, uint8_t proto, uint16_t frag, uint32_t n);
uint32_t fb_ip4_udp(struct fb *f, uint16_t frag, uint16_t sport, uint16_t dport,
		    uint32_t n);
uint32_t fb_ip4_tcp(struct fb *f, uint16_t frag, uint16_t sport, uint16_t dport,
		    uint8_t flags, uint32_t olen, uint32_t n);

/*
 * Ethernet + option-less IPv4 header, the total length left for the caller
 * (fb_ip4_end()); returns the IPv4 offset, AT_L3.
 */
uint32_t frame_ip4(struct fb *f, uint8_t proto, uint16_t frag);
/* Ethernet + IPv6 header; returns its offset, AT_L3. */
uint32_t frame_ip6(struct fb *f, uint8_t nh);

/*
 * QinQ (802.1ad VID 100, 802.1Q VID 200) + IPv4 + TCP with 12 option bytes
 * + 10 payload bytes: l3 22, l4 42, payload 74, 84 bytes.
 */
void frame_qinq_ip4_tcp(struct fb *f);

/*
 * Invariants every decode must keep whatever the input; data_len and
 * pkt_len as passed.
 */
void check_invariants(const struct dp_pkt *p, uint32_t data_len,
		      uint32_t pkt_len);
/* Decode the whole frame as inbound; poison *p first to see the memset. */
int decode(const struct fb *f, struct dp_pkt *p);
/* Decode with only the first data_len bytes readable (heap copy for ASan). */
int decode_part(const struct fb *f, uint32_t data_len, uint32_t pkt_len,
		struct dp_pkt *p);

/* The fields of struct dp_pkt that CHECK() and EXPECT() compare... */
#define DEC_FIELDS(X)                                                          \
	X(L3_OFF, l3_off)                                                      \
	X(L4_OFF, l4_off)                                                      \
	X(PAYLOAD_OFF, payload_off)                                            \
	X(ETHERTYPE, ethertype)                                                \
	X(L3_LEN, l3_len)                                                      \
	X(PAYLOAD_LEN, payload_len)                                            \
	X(VLAN0, vlan[0])                                                      \
	X(VLAN1, vlan[1])                                                      \
	X(SPORT, sport)                                                        \
	X(DPORT, dport)                                                        \
	X(FRAG_OFF, frag_off)                                                  \
	X(NB_VLAN, nb_vlan)                                                    \
	X(L3, l3)                                                              \
	X(L4_PROTO, l4_proto)                                                  \
	X(FRAG, frag)                                                          \
	X(TCP_FLAGS, tcp_flags)                                                \
	X(ICMP_TYPE, icmp_type)                                                \
	X(ICMP_CODE, icmp_code)                                                \
	X(TTL, ttl)                                                            \
	X(NB_EXT, nb_ext)                                                      \
	X(FLAGS, flags)                                                        \
	X(DIR, dir)                                                            \
	X(REASON, reason)                                                      \
	X(FRAG_ID, frag_id)                                                    \
	X(SRC_A32_1, src.a32[1])                                               \
	X(SRC_A32_0, src.a32[0])                                               \
	X(DST_A32_0, dst.a32[0])                                               \
	X(DEPTH, depth)                                                        \
	X(TUN0, tun[0])                                                        \
	X(TUN1, tun[1])                                                        \
	X(TUN2, tun[2])                                                        \
	X(OL3_0, outer_l3[0])                                                  \
	X(OL3_1, outer_l3[1])                                                  \
	X(OL3_2, outer_l3[2])                                                  \
	X(OOFF0, outer_l3_off[0])                                              \
	X(OOFF1, outer_l3_off[1])                                              \
	X(OOFF2, outer_l3_off[2])
/* ...and single bits of its flags */
#define DEC_FLAG_FIELDS(X)                                                     \
	X(FLAG_L4, DP_PKT_L4)                                                  \
	X(FLAG_IP4_OPTS, DP_PKT_IP4_OPTS)

/* W_END ends a list of W() pairs; CHECK() and EXPECT() add it. */
enum dec_field {
	W_END,
#define DEC_FIELD_ENUM(name, member) W_##name,
	DEC_FIELDS(DEC_FIELD_ENUM) DEC_FLAG_FIELDS(DEC_FIELD_ENUM)
#undef DEC_FIELD_ENUM
};

/* One (field, value) pair of a CHECK() or EXPECT(): W(L3_OFF, 14). */
#define W(field, value) W_##field, (value)

/* data_len of expect_fields(): decode() the whole frame */
#define DEC_WHOLE UINT32_MAX

/*
 * Check p against the (enum dec_field, unsigned int value) pairs that
 * follow, up to W_END: one assertion a pair. A mismatch prints file:line
 * and the field's name.
 */
void check_fields(const char *file, int line, const struct dp_pkt *p, ...);
/*
 * decode() f (data_len DEC_WHOLE) or decode_part() its first data_len bytes
 * of pkt_len, assert the reason returned, then check_fields() the pairs.
 */
void expect_fields(const char *file, int line, const struct fb *f,
		   uint32_t data_len, uint32_t pkt_len, int reason, ...);
/*
 * Write each of values[0..nb) as the big-endian 16 bits at off and decode:
 * every one must give reason.
 */
void expect_each16(const char *file, int line, struct fb *f, uint32_t off,
		   int reason, const uint16_t *values, size_t nb);

#define CHECK(p, ...) check_fields(__FILE__, __LINE__, (p), __VA_ARGS__, W_END)
#define EXPECT(f, ...)                                                         \
	expect_fields(__FILE__, __LINE__, (f), DEC_WHOLE, 0, __VA_ARGS__, W_END)
#define EXPECT_PART(f, data_len, pkt_len, ...)                                 \
	expect_fields(__FILE__, __LINE__, (f), (data_len), (pkt_len),          \
		      __VA_ARGS__, W_END)
/* The values after the reason, as an array and its length. */
#define DEC_U16S(...)                                                          \
	(const uint16_t[]){__VA_ARGS__},                                       \
		sizeof((const uint16_t[]){__VA_ARGS__}) / sizeof(uint16_t)
#define EXPECT_EACH16(f, off, reason, ...)                                     \
	expect_each16(__FILE__, __LINE__, (f), (off), (reason),                \
		      DEC_U16S(__VA_ARGS__))

/* For cut lengths below `below` (and above the previous entry): reason. */
struct cut {
	uint32_t below;
	int reason;
};

/*
 * Decode the first n bytes of f for every n in 0..f->len. full_pkt: pkt_len
 * is the whole frame (headers cut by data_len only), else pkt_len = n.
 */
void sweep(const struct fb *f, int full_pkt, const struct cut *cuts, size_t nb);

/* The tests test_decode.c runs, one group a file: */
/* Ethernet, VLAN and QinQ (test_decode_eth.c) */
void test_eth_ip4_tcp(void);
void test_eth_short(void);
void test_vlan_single(void);
void test_vlan_qinq(void);
void test_vlan_depth(void);
void test_vlan_trunc(void);
void test_non_ip(void);
void test_data_beyond_frame(void);
/* truncation at every byte (test_decode_trunc.c) */
void test_trunc_qinq_ip4_tcp(void);
void test_trunc_ip4_options(void);
void test_trunc_ip6_hbh_dst_udp(void);
/* the IPv4 header (test_decode_ip4.c) */
void test_ip4_version(void);
void test_ip4_ihl(void);
void test_ip4_total_length(void);
void test_ip4_padding(void);
void test_ip4_options(void);
void test_ip4_other_proto(void);
/* IPv6 and its extension headers (test_decode_ip6.c) */
void test_ip6_tcp(void);
void test_ip6_header(void);
void test_ip6_esp_nonext(void);
void test_ip6_ext_chain(void);
void test_ip6_ext_errors(void);
/* IPv4 and IPv6 fragments (test_decode_frag.c) */
void test_ip4_frag_first(void);
void test_ip4_frag_tiny(void);
void test_ip4_frag_later(void);
void test_ip4_frag_oversize(void);
void test_ip4_frag_mf_length(void);
void test_ip6_frag_atomic(void);
void test_ip6_frag_first(void);
void test_ip6_frag_later(void);
/* TCP, UDP, ICMP and ICMPv6 (test_decode_l4.c) */
void test_tcp_doff(void);
void test_udp_length(void);
void test_icmp(void);
void test_ip6_icmp6(void);
/* the real captures (test_decode_pcap.c) */
void test_real_captures(void);
/* tunnels (test_decode_tunnel.c) */
void test_tun_ip_in_ip(void);
void test_tun_gre(void);
void test_tun_gre_errors(void);
void test_tun_vxlan(void);
void test_tun_geneve(void);
void test_tun_gtpu(void);
void test_tun_mpls(void);
void test_tun_pppoe(void);
void test_tun_nested(void);
void test_tun_depth(void);
void test_tun_ports(void);
void test_tun_inner_errors(void);
void test_tun_truncation(void);
void test_tun_bpf_ctx(void);

#endif /* TEST_DECODE_UTIL_H */
