/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame builder, decode wrappers and checkers the test_decode_*.c
 * files share (test_decode_util.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_reason.h"
#include "test_decode_util.h"

const uint8_t ip4_src[4] = {192, 0, 2, 1};
const uint8_t ip4_dst[4] = {198, 51, 100, 2};
const uint8_t ip6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
const uint8_t ip6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

void
fb_put(struct fb *f, const void *src, uint32_t n)
{
	CU_ASSERT_FATAL(f->len + n <= FB_MAX_BYTES);
	memcpy(f->b + f->len, src, n);
	f->len += n;
}

void
fb_u8(struct fb *f, uint8_t v)
{
	fb_put(f, &v, 1);
}

void
fb_u16(struct fb *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	fb_put(f, b, 2);
}

void
fb_u32(struct fb *f, uint32_t v)
{
	fb_u16(f, (uint16_t)(v >> 16));
	fb_u16(f, (uint16_t)v);
}

void
fb_fill(struct fb *f, uint8_t v, uint32_t n)
{
	while (n-- > 0)
		fb_u8(f, v);
}

void
fb_set16(struct fb *f, uint32_t off, uint16_t v)
{
	CU_ASSERT_FATAL(off + 2 <= f->len);
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

/* n payload bytes, 'a', 'b', ... */
void
fb_payload(struct fb *f, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		fb_u8(f, (uint8_t)('a' + i % 26));
}

/* Destination and source MAC; then tags and an ethertype follow. */
void
fb_macs(struct fb *f)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x01,
					 0x02, 0, 0, 0, 0, 0x02};

	f->len = 0;
	fb_put(f, macs, sizeof(macs));
}

void
fb_tag(struct fb *f, uint16_t tpid, uint16_t tci)
{
	fb_u16(f, tpid);
	fb_u16(f, tci);
}

/* Untagged Ethernet header. */
void
fb_eth(struct fb *f, uint16_t type)
{
	fb_macs(f);
	fb_u16(f, type);
}

/*
 * IPv4 header with olen option bytes (a multiple of 4), id 0x1234, TTL 64,
 * flags/offset frag. Returns its offset; fb_ip4_end() sets the total length.
 */
uint32_t
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

void
fb_ip4_end(struct fb *f, uint32_t ip)
{
	fb_set16(f, ip + 2, (uint16_t)(f->len - ip));
}

/* IPv6 header, hop limit 63; fb_ip6_end() sets the payload length. */
uint32_t
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

void
fb_ip6_end(struct fb *f, uint32_t ip)
{
	fb_set16(f, ip + 4, (uint16_t)(f->len - ip - 40));
}

/* Generic extension header of (units + 1) * 8 bytes, padded with PadN. */
void
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
void
fb_ah(struct fb *f, uint8_t nh, uint8_t units)
{
	fb_u8(f, nh);
	fb_u8(f, units);
	fb_u16(f, 0);
	fb_u32(f, 0x100);			/* SPI */
	fb_fill(f, 0x5a, (units + 2u) * 4 - 8); /* sequence, ICV */
}

/* IPv6 fragment header, offset in bytes (a multiple of 8). */
void
fb_frag6(struct fb *f, uint8_t nh, uint16_t off_bytes, int m, uint32_t id)
{
	fb_u8(f, nh);
	fb_u8(f, 0);
	fb_u16(f, (uint16_t)(off_bytes | (m ? 1 : 0)));
	fb_u32(f, id);
}

/* TCP header with olen option bytes (MSS then NOPs); returns its offset. */
uint32_t
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
uint32_t
fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	uint32_t off = f->len;

	fb_u16(f, sport);
	fb_u16(f, dport);
	fb_u32(f, 0);
	return off;
}

void
fb_udp_end(struct fb *f, uint32_t udp)
{
	fb_set16(f, udp + 4, (uint16_t)(f->len - udp));
}

/* ICMP or ICMPv6 header plus a 4-byte identifier/sequence. */
void
fb_icmp(struct fb *f, uint8_t type, uint8_t code)
{
	fb_u8(f, type);
	fb_u8(f, code);
	fb_u16(f, 0);
	fb_u32(f, 0x00010002);
}

void
fb_pad_to(struct fb *f, uint32_t len)
{
	if (f->len < len)
		fb_fill(f, 0, len - f->len);
}

/*
 * Invariants every decode must keep whatever the input; data_len and
 * pkt_len as passed.
 */
void
check_invariants(const struct dp_pkt *p, uint32_t data_len, uint32_t pkt_len)
{
	CU_ASSERT(p->reason < BW_REASON_COUNT);
	CU_ASSERT(p->nb_vlan <= DP_VLAN_MAX);
	CU_ASSERT(p->nb_ext <= DP_IP6_EXT_MAX);
	CU_ASSERT(p->depth <= DP_TUN_MAX);
	for (unsigned int i = 0; i < p->depth && i < DP_TUN_MAX; i++) {
		CU_ASSERT(p->tun[i] != DP_TUN_NONE && p->tun[i] < DP_TUN_TYPES);
		/* an outer IP header's addresses are read from the frame */
		if (p->outer_l3[i] == DP_L3_IPV4) {
			CU_ASSERT(p->outer_l3_off[i] + 20u <= data_len);
		} else if (p->outer_l3[i] == DP_L3_IPV6) {
			CU_ASSERT(p->outer_l3_off[i] + 40u <= data_len);
		} else {
			CU_ASSERT(p->outer_l3[i] == DP_L3_NONE);
		}
		if (i > 0 && p->outer_l3[i] != DP_L3_NONE) {
			CU_ASSERT(p->outer_l3_off[i] > p->outer_l3_off[i - 1]);
		}
	}
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
int
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
int
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

/* ---- frames ---- */

uint32_t
fb_ip4_data(struct fb *f, uint8_t proto, uint16_t frag, uint32_t n)
{
	uint32_t ip = fb_ip4(f, proto, frag, NULL, 0);

	fb_payload(f, n);
	fb_ip4_end(f, ip);
	return ip;
}

uint32_t
fb_ip4_udp(struct fb *f, uint16_t frag, uint16_t sport, uint16_t dport,
	   uint32_t n)
{
	uint32_t ip = fb_ip4(f, PROTO_UDP, frag, NULL, 0);
	uint32_t udp = fb_udp(f, sport, dport);

	fb_payload(f, n);
	fb_udp_end(f, udp);
	fb_ip4_end(f, ip);
	return ip;
}

uint32_t
fb_ip4_tcp(struct fb *f, uint16_t frag, uint16_t sport, uint16_t dport,
	   uint8_t flags, uint32_t olen, uint32_t n)
{
	uint32_t ip = fb_ip4(f, PROTO_TCP, frag, NULL, 0);

	fb_tcp(f, sport, dport, flags, olen);
	fb_payload(f, n);
	fb_ip4_end(f, ip);
	return ip;
}

uint32_t
frame_ip4(struct fb *f, uint8_t proto, uint16_t frag)
{
	fb_eth(f, ETH_P_IPV4);
	return fb_ip4(f, proto, frag, NULL, 0);
}

uint32_t
frame_ip6(struct fb *f, uint8_t nh)
{
	fb_eth(f, ETH_P_IPV6);
	return fb_ip6(f, nh);
}

void
frame_qinq_ip4_tcp(struct fb *f)
{
	fb_macs(f);
	fb_tag(f, TPID_8021AD, 0x2064);
	fb_tag(f, TPID_8021Q, 0x00c8);
	fb_u16(f, ETH_P_IPV4);
	fb_ip4_tcp(f, IP4_DF, 40000, 80, TCP_PSH | TCP_ACK, 12, 10);
}

/* ---- checks ---- */

/* Names for messages, by enum dec_field. */
#define DEC_FIELD_NAME(name, member) #member,
#define DEC_FLAG_NAME(name, bit)     "flags & " #bit,
static const char *const field_names[] = {
	"end", DEC_FIELDS(DEC_FIELD_NAME) DEC_FLAG_FIELDS(DEC_FLAG_NAME)};
#undef DEC_FIELD_NAME
#undef DEC_FLAG_NAME

/* Value of field w of p; 0 for W_END or an unknown field. */
static uint32_t
field_get(const struct dp_pkt *p, unsigned int w)
{
	switch (w) {
#define DEC_FIELD_CASE(name, member)                                           \
	case W_##name:                                                         \
		return p->member;
		DEC_FIELDS(DEC_FIELD_CASE)
#undef DEC_FIELD_CASE
#define DEC_FLAG_CASE(name, bit)                                               \
	case W_##name:                                                         \
		return p->flags & (bit);
		DEC_FLAG_FIELDS(DEC_FLAG_CASE)
#undef DEC_FLAG_CASE
	default:
		return 0;
	}
}

static void
check_fields_v(const char *file, int line, const struct dp_pkt *p, va_list ap)
{
	unsigned int w, want;
	uint32_t got;

	while ((w = va_arg(ap, unsigned int)) != W_END) {
		if (w >= sizeof(field_names) / sizeof(field_names[0])) {
			fprintf(stderr, "\n  %s:%d: no field %u", file, line,
				w);
			CU_FAIL_FATAL("unknown field");
		}
		want = va_arg(ap, unsigned int);
		got = field_get(p, w);
		if (got != want)
			fprintf(stderr, "\n  %s:%d: %s %u, want %u", file, line,
				field_names[w], got, want);
		CU_ASSERT_EQUAL(got, want);
	}
}

void
check_fields(const char *file, int line, const struct dp_pkt *p, ...)
{
	va_list ap;

	va_start(ap, p);
	check_fields_v(file, line, p, ap);
	va_end(ap);
}

void
expect_fields(const char *file, int line, const struct fb *f, uint32_t data_len,
	      uint32_t pkt_len, int reason, ...)
{
	struct dp_pkt p;
	va_list ap;
	int got;

	if (data_len == DEC_WHOLE)
		got = decode(f, &p);
	else
		got = decode_part(f, data_len, pkt_len, &p);
	if (got != reason)
		fprintf(stderr, "\n  %s:%d: %s, want %s", file, line,
			bw_reason_name((unsigned int)got),
			bw_reason_name((unsigned int)reason));
	CU_ASSERT_EQUAL(got, reason);
	va_start(ap, reason);
	check_fields_v(file, line, &p, ap);
	va_end(ap);
}

void
expect_each16(const char *file, int line, struct fb *f, uint32_t off,
	      int reason, const uint16_t *values, size_t nb)
{
	size_t i;

	for (i = 0; i < nb; i++) {
		fb_set16(f, off, values[i]);
		expect_fields(file, line, f, DEC_WHOLE, 0, reason, W_END);
	}
}

void
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
