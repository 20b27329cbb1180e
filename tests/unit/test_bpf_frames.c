/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the eBPF stage on crafted frames: the context filled from
 * the real decoder (dp_bpf_ctx.h), and the example programs of
 * examples/bpf (modbus_write, dnp3_restart, tcp_flags) on every value of
 * the byte they judge, in each direction, over IPv4, IPv6 and VLAN, and on
 * frames that only look like their protocol. JIT and interpreter agree on
 * each frame.
 *
 * Usage: test_bpf_frames [DATA_DIR [BUILD_DIR]] (test_bpf_util.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "dp_bpf_ctx.h"
#include "dp_decode.h"
#include "test_bpf_util.h"

/* A frame under construction: Ethernet, optional tag, IP, TCP/UDP. */
struct frame {
	uint8_t b[1600];
	uint32_t len;
};

/* Big-endian v at p. */
static void
put16(uint8_t *p, uint16_t v)
{
	const uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	memcpy(p, be, sizeof(be));
}

/*
 * IPv4 (ip6 0) or IPv6 frame, VLAN tag when vlan != 0, TCP (proto 6, with
 * flags) or UDP (17), from 198.51.100.7:40000 to 192.0.2.1:dport, payload.
 * Returns the offset of the payload.
 */
static uint32_t
frame_make(struct frame *f, int ip6, uint16_t vlan, uint8_t proto,
	   uint16_t dport, uint8_t tcp_flags, const uint8_t *pay, uint32_t plen)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	static const uint8_t v4[8] = {198, 51, 100, 7, 192, 0, 2, 1};
	uint32_t o = 12, l4, l4len = proto == 6 ? 20 : 8;

	memset(f, 0, sizeof(*f));
	memset(f->b, 0x02, 12);
	if (vlan != 0) {
		put16(f->b + o, 0x8100);
		put16(f->b + o + 2, vlan);
		o += 4;
	}
	put16(f->b + o, ip6 ? 0x86dd : 0x0800);
	o += 2;
	if (ip6) {
		f->b[o] = 0x60;
		put16(f->b + o + 4, (uint16_t)(l4len + plen));
		f->b[o + 6] = proto;
		f->b[o + 7] = 64;
		/* 2001:db8::7 -> 2001:db8::1 */
		memcpy(f->b + o + 8, v6, sizeof(v6));
		memcpy(f->b + o + 24, v6, sizeof(v6));
		f->b[o + 23] = 7;
		f->b[o + 39] = 1;
		l4 = o + 40;
	} else {
		f->b[o] = 0x45;
		put16(f->b + o + 2, (uint16_t)(20 + l4len + plen));
		f->b[o + 8] = 64;
		f->b[o + 9] = proto;
		memcpy(f->b + o + 12, v4, sizeof(v4));
		l4 = o + 20;
	}
	put16(f->b + l4, 40000);
	put16(f->b + l4 + 2, dport);
	if (proto == 6) {
		f->b[l4 + 12] = 5 << 4;
		f->b[l4 + 13] = tcp_flags;
	} else {
		put16(f->b + l4 + 4, (uint16_t)(8 + plen));
	}
	if (plen > 0)
		memcpy(f->b + l4 + l4len, pay, plen);
	f->len = l4 + l4len + plen;
	if (f->len < 60)
		f->len = 60; /* Ethernet padding */
	return l4 + l4len;
}

/* Verdict of example e on frame f arriving in direction dir. */
static uint64_t
verdict(int e, const struct frame *f, uint8_t dir)
{
	static struct bw_bpf_ctx ctx;
	struct dp_pkt pk;

	dp_decode(f->b, f->len, f->len, dir, &pk);
	dp_bpf_ctx_fill(&ctx, f->b, f->len, f->len, &pk);
	if (bpf_ex[e].code.jit == NULL)
		return bw_bpf_code_interp(&bpf_ex[e].code, &ctx);
	return RUN(&bpf_ex[e], &ctx);
}

/* Bytes of the longest crafted payload. */
#define PAY_MAX 18

/* How a swept frame is sent. */
struct variant {
	uint8_t ip6;
	uint16_t vlan;
	uint8_t proto;
	uint16_t dport;
	uint8_t dir;
	uint8_t judged; /* 0: never dropped, whatever the byte */
};

/*
 * One step of a sequence on the payload: set byte at to val (at -1: none),
 * then, when proto is not 0, an inbound frame of its first plen bytes (0:
 * all), pad in the byte after them, and the verdict wanted.
 */
struct step {
	int8_t at;
	uint8_t val;
	uint8_t ip6, proto;
	uint16_t dport;
	uint8_t plen, pad;
	uint64_t want;
};

/*
 * An example on crafted frames: every value v of one byte (payload byte
 * at, or at -1 the TCP flags) sent each way of var[], dropped when the way
 * is judged and drops(v); then the steps, in order, on the payload.
 */
struct crafted {
	const uint8_t *pay;
	uint32_t plen; /* at most PAY_MAX */
	int at;
	int (*drops)(unsigned int v);
	const struct variant *var;
	size_t nb_var;
	const struct step *steps;
	size_t nb_steps;
};

static void
sweep(int e, const struct crafted *c, uint8_t *pay)
{
	const struct variant *w;
	struct frame f;
	unsigned int v;
	uint8_t flags;
	size_t i;

	for (v = 0; v < 256; v++) {
		if (c->at >= 0)
			pay[c->at] = (uint8_t)v;
		for (i = 0; i < c->nb_var; i++) {
			w = &c->var[i];
			flags = (uint8_t)v;
			if (c->at >= 0)
				flags = w->proto == 6 ? 0x18 : 0;
			frame_make(&f, w->ip6, w->vlan, w->proto, w->dport,
				   flags, pay, c->plen);
			CU_ASSERT(verdict(e, &f, w->dir) ==
				  (w->judged && c->drops(v) ? BW_BPF_DROP
							    : BW_BPF_CONTINUE));
		}
	}
}

static void
steps_run(int e, const struct crafted *c, uint8_t *pay)
{
	const struct step *s;
	uint32_t plen, off;
	struct frame f;
	size_t i;

	for (i = 0; i < c->nb_steps; i++) {
		s = &c->steps[i];
		if (s->at >= 0)
			pay[s->at] = s->val;
		if (s->proto == 0)
			continue;
		plen = s->plen != 0 ? s->plen : c->plen;
		off = frame_make(&f, s->ip6, 0, s->proto, s->dport,
				 s->proto == 6 ? 0x18 : 0, pay, plen);
		if (s->pad != 0)
			f.b[off + plen] = s->pad;
		CU_ASSERT(verdict(e, &f, 0) == s->want);
	}
}

/* Modbus/TCP: the write function codes at byte 7 of the request. */
static int
modbus_writes(unsigned int fc)
{
	return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 22 ||
	       fc == 23;
}

static const uint8_t modbus_req[12] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
				       0x01, 0x00, 0x00, 0x10, 0x00, 0x01};

static const struct variant modbus_var[] = {
	{0, 0, 6, 502, BW_BPF_DIR_INBOUND, 1},
	/* from the inside: never */
	{0, 0, 6, 502, BW_BPF_DIR_OUTBOUND, 0},
	/* IPv6 and VLAN-tagged alike */
	{1, 0, 6, 502, BW_BPF_DIR_INBOUND, 1},
	{0, 100, 6, 502, BW_BPF_DIR_INBOUND, 1},
};

/* other port, UDP, protocol id not 0, MBAP cut short: not Modbus */
static const struct step modbus_steps[] = {
	{7, 6, 0, 6, 503, 0, 0, BW_BPF_CONTINUE},
	{-1, 0, 0, 17, 502, 0, 0, BW_BPF_CONTINUE},
	{3, 1, 0, 6, 502, 0, 0, BW_BPF_CONTINUE},
	/* Ethernet padding holds a 6 after the payload: still not Modbus */
	{3, 0, 0, 6, 502, 7, 6, BW_BPF_CONTINUE},
	{-1, 0, 0, 6, 502, 8, 0, BW_BPF_DROP},
};

/* DNP3: a restart request, function code 13 or 14 at byte 12. */
static int
dnp3_restarts(unsigned int fc)
{
	return fc == 13 || fc == 14;
}

/* link: start, len 11 (5 + 6 user data), ctrl DIR|PRM|unconfirmed data,
 * dst 10, src 1, CRC; transport FIN|FIR; app ctrl; FC */
static const uint8_t dnp3_frame[PAY_MAX] = {0x05, 0x64, 0x0b, 0xc4, 0x0a, 0x00,
					    0x01, 0x00, 0xaa, 0xbb, 0xc0, 0xc1,
					    0x0d, 0x00, 0x00, 0x00, 0x11, 0x22};

static const struct variant dnp3_var[] = {
	{0, 0, 6, 20000, 0, 1},
	{0, 0, 17, 20000, 0, 1},
	{0, 0, 17, 20000, 1, 0},
};

static const struct step dnp3_steps[] = {
	{12, 13, 1, 6, 20000, 0, 0, BW_BPF_DROP},
	/* not the first segment: no application header */
	{10, 0x81, 0, 6, 20000, 0, 0, BW_BPF_CONTINUE},
	{10, 0xc0, 0, 0, 0, 0, 0, 0},
	/* secondary frame: a link-layer ACK, no user data */
	{3, 0x80, 0, 6, 20000, 0, 0, BW_BPF_CONTINUE},
	/* primary, request link status: no user data */
	{3, 0xc9, 0, 6, 20000, 0, 0, BW_BPF_CONTINUE},
	/* primary, confirmed user data */
	{3, 0xc3, 0, 6, 20000, 0, 0, BW_BPF_DROP},
	/* length too short to hold the function code */
	{2, 7, 0, 6, 20000, 0, 0, BW_BPF_CONTINUE},
	{2, 0x0b, 0, 0, 0, 0, 0, 0},
	/* not a DNP3 start */
	{1, 0x65, 0, 6, 20000, 0, 0, BW_BPF_CONTINUE},
	/* cut before the FC */
	{1, 0x64, 0, 6, 20000, 12, 0, BW_BPF_CONTINUE},
	{-1, 0, 0, 6, 20001, 0, 0, BW_BPF_CONTINUE},
};

/* TCP flags no stack sends: SYN+FIN, none of the six, FIN+PSH+URG. */
static int
flags_bad(unsigned int fl)
{
	return (fl & 0x03) == 0x03 || (fl & 0x3f) == 0 || (fl & 0x29) == 0x29;
}

static const struct variant flags_var[] = {
	{0, 0, 6, 80, 0, 1},
	{0, 0, 6, 80, 1, 1},
	{1, 7, 6, 443, 0, 1},
};

_Static_assert(sizeof(modbus_req) <= PAY_MAX, "modbus_req fits pay[]");

/* Indexed EX_*. */
static const struct crafted crafted[NB_EXAMPLES] = {
	[EX_MODBUS] = {modbus_req, sizeof(modbus_req), 7, modbus_writes,
		       modbus_var, NB(modbus_var), modbus_steps,
		       NB(modbus_steps)},
	[EX_DNP3] = {dnp3_frame, sizeof(dnp3_frame), 12, dnp3_restarts,
		     dnp3_var, NB(dnp3_var), dnp3_steps, NB(dnp3_steps)},
	[EX_FLAGS] = {NULL, 0, -1, flags_bad, flags_var, NB(flags_var), NULL,
		      0},
};

/*
 * Run example e on its crafted frames, on a copy of its payload. Returns 0
 * when the examples are not built.
 */
static int
crafted_run(int e)
{
	const struct crafted *c = &crafted[e];
	uint8_t pay[PAY_MAX];

	if (!bpf_examples_load() && bpf_missing("examples not built"))
		return 0;
	if (c->plen > 0)
		memcpy(pay, c->pay, c->plen);
	sweep(e, c, pay);
	steps_run(e, c, pay);
	return 1;
}

static void
test_modbus_crafted(void)
{
	crafted_run(EX_MODBUS);
}

static void
test_dnp3_crafted(void)
{
	crafted_run(EX_DNP3);
}

static void
test_flags_crafted(void)
{
	struct frame f;

	if (!crafted_run(EX_FLAGS))
		return;
	/* UDP has no flags; a later IPv4 fragment has no TCP header */
	frame_make(&f, 0, 0, 17, 53, 0, NULL, 0);
	CU_ASSERT(verdict(EX_FLAGS, &f, 0) == BW_BPF_CONTINUE);
	frame_make(&f, 0, 0, 6, 80, 0, NULL, 0);
	f.b[14 + 6] = 0x00;
	f.b[14 + 7] = 0x10; /* offset 128 bytes */
	CU_ASSERT(verdict(EX_FLAGS, &f, 0) == BW_BPF_CONTINUE);
}

static void
test_ctx_fill(void)
{
	uint8_t big[700];
	struct bw_bpf_ctx *c = malloc(sizeof(*c));
	struct frame f;
	struct dp_pkt pk;
	uint32_t i;

	CU_ASSERT_FATAL(c != NULL);
	memset(c, 0xee, sizeof(*c));
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	frame_make(&f, 0, 0x123, 6, 502, 0x18, big, 200);
	dp_decode(f.b, f.len, f.len, DP_DIR_OUTBOUND, &pk);
	dp_bpf_ctx_fill(c, f.b, f.len, f.len, &pk);
	CU_ASSERT(c->pkt_len == f.len && c->data_len == f.len);
	CU_ASSERT(c->l3 == BW_BPF_L3_IPV4 && c->l4_proto == BW_IPPROTO_TCP);
	CU_ASSERT(c->dir == BW_BPF_DIR_OUTBOUND);
	CU_ASSERT(c->nb_vlan == 1 && c->vlan[0] == 0x123);
	CU_ASSERT(c->l3_off == 18 && c->l4_off == 38 && c->payload_off == 58);
	CU_ASSERT(c->payload_len == 200 && c->ttl == 64);
	CU_ASSERT(c->sport == 40000 && c->dport == 502);
	CU_ASSERT(c->tcp_flags == 0x18 && (c->flags & BW_BPF_F_L4));
	CU_ASSERT(c->src[0] == 198 && c->src[3] == 7 && c->dst[0] == 192);
	CU_ASSERT(c->reserved0 == 0 && c->reserved1 == 0);
	CU_ASSERT(c->reserved2[0] == 0 && c->reserved3[21] == 0);
	CU_ASSERT(c->tun_depth == 0 && c->outer_l3_off == 18 &&
		  c->outer_l3 == BW_BPF_L3_IPV4);
	CU_ASSERT(memcmp(c->data, f.b, f.len) == 0);
	/* the rest of the window is left as it was */
	CU_ASSERT(c->data[f.len] == 0xee && c->data[511] == 0xee);
	/* a frame longer than the window: its first 512 bytes */
	frame_make(&f, 0, 0, 17, 9, 0, big, sizeof(big));
	dp_decode(f.b, f.len, f.len, 0, &pk);
	dp_bpf_ctx_fill(c, f.b, f.len, f.len, &pk);
	CU_ASSERT(c->data_len == BW_BPF_DATA_MAX && c->pkt_len == f.len);
	CU_ASSERT(memcmp(c->data, f.b, BW_BPF_DATA_MAX) == 0);
	CU_ASSERT(c->payload_len == sizeof(big));
	/* data_len is what the first segment holds, pkt_len the frame */
	dp_bpf_ctx_fill(c, f.b, 100, f.len, &pk);
	CU_ASSERT(c->data_len == 100 && c->pkt_len == f.len);
	free(c);
}

/* The tests main runs (test_bpf_util.h). */
const struct bw_cunit_test bpf_tests[] = {
	{"context fill", test_ctx_fill},
	{"modbus_write on crafted frames", test_modbus_crafted},
	{"dnp3_restart on crafted frames", test_dnp3_crafted},
	{"tcp_flags on crafted frames", test_flags_crafted},
	{NULL, NULL},
};
