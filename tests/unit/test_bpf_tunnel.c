/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the eBPF stage on tunnelled frames: the example program
 * modbus_write, written for plain traffic, judges a Modbus write inside IP
 * in IP, GRE, VXLAN, GENEVE, GTP-U, MPLS, PPPoE and GRE-in-VXLAN exactly as
 * it judges the bare frame (the context's L3/L4 fields are the innermost
 * packet's); a program of raw instructions reads the tunnel fields the
 * context adds (ABI minor 1) through the verifier, JIT and interpreter;
 * and an inner payload pushed past the 512-byte window is not judged (the
 * documented limit). Frames are built here, byte by byte.
 *
 * Usage: test_bpf_tunnel [DATA_DIR [BUILD_DIR]] (test_bpf_util.h).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "dp_bpf_ctx.h"
#include "dp_decode.h"
#include "test_bpf_util.h"

struct buf {
	uint8_t b[2048];
	uint32_t len;
};

static void
put(struct buf *f, const void *p, uint32_t n)
{
	CU_ASSERT_FATAL(f->len + n <= sizeof(f->b));
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void
u8(struct buf *f, uint8_t v)
{
	put(f, &v, 1);
}

static void
u16(struct buf *f, uint16_t v)
{
	u8(f, (uint8_t)(v >> 8));
	u8(f, (uint8_t)v);
}

static void
u32(struct buf *f, uint32_t v)
{
	u16(f, (uint16_t)(v >> 16));
	u16(f, (uint16_t)v);
}

static void
set16(struct buf *f, uint32_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

static void
macs(struct buf *f)
{
	static const uint8_t m[12] = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};

	put(f, m, sizeof(m));
}

/* IPv4 header, protocol proto, a.b.c.1 -> a.b.c.2; returns its offset. */
static uint32_t
ip4(struct buf *f, uint8_t proto, uint8_t a)
{
	uint32_t off = f->len;
	const uint8_t addrs[8] = {10, a, 0, 1, 10, a, 0, 2};

	u32(f, 0x45000000);
	u32(f, 0x00010000);
	u8(f, 64);
	u8(f, proto);
	u16(f, 0);
	put(f, addrs, sizeof(addrs));
	return off;
}

static void
ip4_end(struct buf *f, uint32_t ip)
{
	set16(f, ip + 2, (uint16_t)(f->len - ip));
}

static uint32_t
udp(struct buf *f, uint16_t dport)
{
	uint32_t off = f->len;

	u16(f, 40000);
	u16(f, dport);
	u32(f, 0);
	return off;
}

static void
udp_end(struct buf *f, uint32_t u)
{
	set16(f, u + 4, (uint16_t)(f->len - u));
}

/* The inner packet: IPv4/TCP to port 502, MBAP and function code fc. */
static void
modbus(struct buf *f, uint8_t fc)
{
	static const uint8_t mbap[7] = {0, 1, 0, 0, 0, 6, 1};
	uint32_t ip = ip4(f, 6, 9);

	u16(f, 40000);
	u16(f, 502);
	u32(f, 1);
	u32(f, 1);
	u16(f, 0x5018); /* data offset 5, PSH ACK */
	u16(f, 65535);
	u32(f, 0);
	put(f, mbap, sizeof(mbap));
	u8(f, fc);
	u32(f, 0x00010002);
	ip4_end(f, ip);
}

enum wrap {
	W_NONE,
	W_IPIP,
	W_GRE,
	W_VXLAN,
	W_GENEVE,
	W_GTPU,
	W_MPLS,
	W_PPPOE,
	W_GRE_VXLAN,
	W_DEEP, /* GENEVE with 252 option bytes in GENEVE: past the window */
	W_COUNT
};

/* An inner Ethernet header for IPv4. */
static void
ieth(struct buf *f)
{
	macs(f);
	u16(f, 0x0800);
}

/* The UDP tunnel header of port dport (VXLAN, GENEVE opt bytes, GTP-U). */
static void
udp_tun(struct buf *f, uint16_t dport, uint8_t opt_words)
{
	if (dport == 4789) {
		u32(f, 0x08000000);
		u32(f, 0x00001200);
	} else if (dport == 6081) {
		u8(f, opt_words);
		u8(f, 0);
		u16(f, 0x6558);
		u32(f, 0x00003400);
		for (unsigned int i = 0; i < opt_words; i++)
			u32(f, 0);
	} else {
		u32(f, 0x30ff0000); /* G-PDU; length set by the caller */
		u32(f, 0x00000001);
	}
}

/* Frame: inner Modbus fc wrapped in w. */
static void
frame(struct buf *f, enum wrap w, uint8_t fc)
{
	uint32_t o1, o2, u1, u2, g;

	f->len = 0;
	macs(f);
	switch (w) {
	case W_NONE:
		u16(f, 0x0800);
		modbus(f, fc);
		return;
	case W_IPIP:
	case W_GRE:
		u16(f, 0x0800);
		o1 = ip4(f, w == W_IPIP ? 4 : 47, 1);
		if (w == W_GRE)
			u32(f, 0x00000800);
		modbus(f, fc);
		ip4_end(f, o1);
		return;
	case W_VXLAN:
	case W_GENEVE:
	case W_GTPU:
		u16(f, 0x0800);
		o1 = ip4(f, 17, 1);
		u1 = udp(f, w == W_VXLAN ? 4789 : w == W_GENEVE ? 6081 : 2152);
		udp_tun(f,
			w == W_VXLAN	? 4789
			: w == W_GENEVE ? 6081
					: 2152,
			2);
		g = f->len - 8;
		if (w != W_GTPU)
			ieth(f);
		modbus(f, fc);
		if (w == W_GTPU)
			set16(f, g + 2, (uint16_t)(f->len - g - 8));
		udp_end(f, u1);
		ip4_end(f, o1);
		return;
	case W_MPLS:
		u16(f, 0x8847);
		u32(f, 100 << 12 | 0x100 | 64);
		modbus(f, fc);
		return;
	case W_PPPOE:
		u16(f, 0x8864);
		g = f->len;
		u32(f, 0x11000042);
		u16(f, 0);
		u16(f, 0x0021);
		modbus(f, fc);
		set16(f, g + 4, (uint16_t)(f->len - g - 6));
		return;
	case W_GRE_VXLAN:
	case W_DEEP:
		u16(f, 0x0800);
		o1 = ip4(f, w == W_DEEP ? 17 : 47, 1);
		if (w == W_DEEP) {
			u1 = udp(f, 6081);
			udp_tun(f, 6081, 63);
			ieth(f);
		} else {
			u1 = 0;
			u32(f, 0x00000800);
		}
		o2 = ip4(f, 17, 2);
		u2 = udp(f, w == W_DEEP ? 6081 : 4789);
		udp_tun(f, w == W_DEEP ? 6081 : 4789, w == W_DEEP ? 63 : 0);
		ieth(f);
		modbus(f, fc);
		udp_end(f, u2);
		ip4_end(f, o2);
		if (w == W_DEEP)
			udp_end(f, u1);
		ip4_end(f, o1);
		return;
	case W_COUNT:
		break;
	}
}

/* The frame decoded (no malformation) and its context filled. */
static void
ctx_of(const struct buf *f, struct bw_bpf_ctx *c)
{
	struct dp_pkt pk;

	CU_ASSERT_EQUAL(dp_decode(f->b, f->len, f->len, DP_DIR_INBOUND, &pk),
			BW_REASON_NONE);
	dp_bpf_ctx_fill(c, f->b, f->len, f->len, &pk);
}

static void
test_modbus_in_tunnels(void)
{
	static const uint8_t depth[W_COUNT] = {0, 1, 1, 1, 1, 1, 1, 1, 2, 2};
	static struct bw_bpf_ctx c;
	struct buf f;
	unsigned int w;

	if (!bpf_examples_load() && bpf_missing("examples not built"))
		return;
	for (w = 0; w < W_COUNT; w++) {
		frame(&f, (enum wrap)w, 6); /* write single register */
		ctx_of(&f, &c);
		CU_ASSERT_EQUAL(c.tun_depth, depth[w]);
		CU_ASSERT_EQUAL(c.dport, 502);
		if (w == W_DEEP) {
			/* the payload lies past the 512-byte window */
			CU_ASSERT(c.payload_off + 8u > BW_BPF_DATA_MAX);
			CU_ASSERT(RUN(&bpf_ex[EX_MODBUS], &c) ==
				  BW_BPF_CONTINUE);
			continue;
		}
		CU_ASSERT(RUN(&bpf_ex[EX_MODBUS], &c) == BW_BPF_DROP);
		frame(&f, (enum wrap)w, 3); /* read holding registers */
		ctx_of(&f, &c);
		CU_ASSERT(RUN(&bpf_ex[EX_MODBUS], &c) == BW_BPF_CONTINUE);
	}
}

/* r0 = *(u8 *)(ctx + off); or u16 with h; exit. */
static void
load_field(struct prog *p, int16_t off, int h)
{
	const struct bw_image_insn ins[2] = {
		INS(h ? 0x69 : 0x71, 0, 1, off, 0), /* ldx h / b */
		EXIT,
	};
	char why[128];

	CU_ASSERT_FATAL(bpf_prog_load(p, ins, 2, NULL, why, sizeof(why)) == 0);
}

static void
test_fields_through_bpf(void)
{
	static const struct {
		int16_t off;
		int h;
		uint64_t want; /* in the GRE-in-VXLAN frame */
	} f[] = {
		{offsetof(struct bw_bpf_ctx, tun_depth), 0, 2},
		{offsetof(struct bw_bpf_ctx, tun_type), 0, BW_BPF_TUN_GRE},
		{offsetof(struct bw_bpf_ctx, tun_type) + 1, 0,
		 BW_BPF_TUN_VXLAN},
		{offsetof(struct bw_bpf_ctx, tun_type) + 2, 0, 0},
		{offsetof(struct bw_bpf_ctx, outer_l3), 0, BW_BPF_L3_IPV4},
		{offsetof(struct bw_bpf_ctx, outer_l3_off), 1, 14},
		{offsetof(struct bw_bpf_ctx, tun_l3_off), 1, 14},
		{offsetof(struct bw_bpf_ctx, tun_l3_off) + 2, 1, 38},
		{offsetof(struct bw_bpf_ctx, tun_l3) + 1, 0, BW_BPF_L3_IPV4},
		/* ip4 at 14, GRE 34, ip4 38, UDP 58, VXLAN 66, Eth 74, ip4 88 */
		{offsetof(struct bw_bpf_ctx, l3_off), 1, 88},
		{offsetof(struct bw_bpf_ctx, l4_off), 1, 108},
	};
	static struct bw_bpf_ctx c;
	struct prog p;
	struct buf fr;
	unsigned int i;

	frame(&fr, W_GRE_VXLAN, 6);
	ctx_of(&fr, &c);
	for (i = 0; i < NB(f); i++) {
		load_field(&p, f[i].off, f[i].h);
		CU_ASSERT_EQUAL(RUN(&p, &c), f[i].want);
		bw_bpf_code_free(&p.code);
	}
	/* the outer source address, read from the window at outer_l3_off */
	CU_ASSERT_EQUAL(c.data[c.outer_l3_off + 12 + 1], 1);
	CU_ASSERT_EQUAL(c.src[1], 9);
}

const struct bw_cunit_test bpf_tests[] = {
	{"modbus_write in every tunnel", test_modbus_in_tunnels},
	{"tunnel fields through the verifier", test_fields_through_bpf},
	{NULL, NULL},
};
