/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the example eBPF programs (examples/bpf) on every capture
 * of tests/data/pcaps, in both directions: JIT and interpreter agree on
 * each packet, and the inbound drops equal counts made here by a parser of
 * our own (the oracle) that reads the frame bytes without the decoder.
 *
 * Usage: test_bpf_captures [DATA_DIR [BUILD_DIR]] (test_bpf_util.h).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "dp_bpf_ctx.h"
#include "dp_decode.h"
#include "bw_testdata.h"
#include "test_bpf_util.h"

/*
 * What the examples should drop, worked out here from the frame bytes
 * without the decoder or the context: Ethernet, up to two VLAN tags,
 * IPv4 (not a later fragment) or IPv6 without extension headers, TCP or
 * UDP whose header is all in the capture. A frame the oracle cannot
 * parse counts for nothing.
 */
struct oracle {
	int ok;	       /* parsed down to L4 */
	uint8_t proto; /* 6 or 17 */
	uint16_t dport;
	uint8_t flags;	    /* TCP */
	const uint8_t *pay; /* L4 payload */
	uint32_t plen;	    /* its bytes, bounded by the IP length */
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static struct oracle
oracle_parse(const uint8_t *b, uint32_t caplen)
{
	struct oracle o = {0};
	uint32_t off = 12, l4, hl, end;
	uint16_t et;
	int tags = 0;

	if (caplen < 14)
		return o;
	et = be16(b + 12);
	while ((et == 0x8100 || et == 0x88a8) && tags < 2 &&
	       off + 6 <= caplen) {
		et = be16(b + off + 4);
		off += 4;
		tags++;
	}
	off += 2;
	if (et == 0x0800 && off + 20 <= caplen && (b[off] >> 4) == 4) {
		hl = (uint32_t)(b[off] & 0x0f) * 4;
		if ((be16(b + off + 6) & 0x1fff) != 0 || hl < 20)
			return o;
		o.proto = b[off + 9];
		end = off + be16(b + off + 2);
		l4 = off + hl;
	} else if (et == 0x86dd && off + 40 <= caplen && (b[off] >> 4) == 6) {
		o.proto = b[off + 6];
		end = off + 40 + be16(b + off + 4);
		l4 = off + 40;
	} else {
		return o;
	}
	if (end > caplen)
		end = caplen;
	if (o.proto == 6 && l4 + 20 <= end) {
		hl = (uint32_t)(b[l4 + 12] >> 4) * 4;
		if (hl < 20 || l4 + hl > end)
			return o;
		o.flags = b[l4 + 13];
	} else if (o.proto == 17 && l4 + 8 <= end) {
		hl = 8;
	} else {
		return o;
	}
	o.dport = be16(b + l4 + 2);
	o.pay = b + l4 + hl;
	o.plen = end - l4 - hl;
	o.ok = 1;
	return o;
}

/* Modbus/TCP write request: port 502, protocol id 0, FC at byte 7. */
static int
oracle_modbus(const struct oracle *o)
{
	uint8_t fc;

	if (!o->ok || o->proto != 6 || o->dport != 502 || o->plen < 8 ||
	    be16(o->pay + 2) != 0)
		return 0;
	fc = o->pay[7];
	return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 22 ||
	       fc == 23;
}

/* DNP3 restart request: frame header, user data, FIR, FC 13 or 14. */
static int
oracle_dnp3(const struct oracle *o)
{
	const uint8_t *p = o->pay;

	if (!o->ok || o->dport != 20000 || o->plen < 13 || p[0] != 0x05 ||
	    p[1] != 0x64 || p[2] < 8 || !(p[3] & 0x40) ||
	    ((p[3] & 0x0f) != 3 && (p[3] & 0x0f) != 4) || !(p[10] & 0x40))
		return 0;
	return p[12] == 13 || p[12] == 14;
}

static int
oracle_flags(const struct oracle *o)
{
	uint8_t f = o->flags;

	if (!o->ok || o->proto != 6)
		return 0;
	return (f & 0x03) == 0x03 || (f & 0x3f) == 0 || (f & 0x29) == 0x29;
}

/* Per example: packets run, dropped by JIT and by the oracle. */
struct tally {
	unsigned long pkts, files, mismatch;
	unsigned long drops[NB_EXAMPLES][2]; /* [dir] */
	unsigned long expect[NB_EXAMPLES];   /* inbound */
	unsigned long expect_ics[NB_EXAMPLES];
	unsigned long drops_ics[NB_EXAMPLES];
};

/* Where a packet comes from, for the messages and the ICS tallies. */
struct at {
	const char *path;
	unsigned long n; /* packet number, from 1 */
	int ics;	 /* under pcaps/ics/ */
};

/*
 * Run every example on the context of one packet arriving in direction
 * dir; want[] is what the oracle drops.
 */
static void
run_packet(const struct at *at, uint8_t dir, struct bw_bpf_ctx *ctx,
	   const int *want, struct tally *t)
{
	const struct bw_bpf_code *c;
	uint64_t a, b;
	int e;

	for (e = 0; e < NB_EXAMPLES; e++) {
		c = &bpf_ex[e].code;
		a = c->jit != NULL ? c->jit(ctx) : bw_bpf_code_interp(c, ctx);
		b = bw_bpf_code_interp(c, ctx);
		if (a != b) {
			t->mismatch++;
			fprintf(stderr,
				"\n  %s packet %lu dir %u: %s JIT %llu, "
				"interpreter %llu",
				at->path, at->n, dir, bpf_ex_names[e],
				(unsigned long long)a, (unsigned long long)b);
		}
		if (dir == 0 && want[e] && a != BW_BPF_DROP && c->jit != NULL)
			fprintf(stderr,
				"\n  %s packet %lu: the oracle drops, %s does "
				"not",
				at->path, at->n, bpf_ex_names[e]);
		if (a != BW_BPF_DROP)
			continue;
		t->drops[e][dir]++;
		if (at->ics && dir == 0)
			t->drops_ics[e]++;
		if (dir == 0 && !want[e])
			fprintf(stderr,
				"\n  %s packet %lu: %s drops, the oracle does "
				"not",
				at->path, at->n, bpf_ex_names[e]);
	}
}

static void
run_capture(const char *path, struct bw_bpf_ctx *ctx, struct tally *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct at at = {path, 0, strstr(path, "/ics/") != NULL};
	struct pcap_pkthdr *h;
	const u_char *data;
	int e, want[NB_EXAMPLES];
	struct oracle o;
	struct dp_pkt pk;
	uint8_t dir;
	pcap_t *pc;

	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "\n  %s: %s", path, errbuf);
		CU_FAIL("capture does not open");
		return;
	}
	while (pcap_next_ex(pc, &h, &data) == 1) {
		at.n++;
		o = oracle_parse(data, h->caplen);
		want[EX_MODBUS] = oracle_modbus(&o);
		want[EX_DNP3] = oracle_dnp3(&o);
		want[EX_FLAGS] = oracle_flags(&o);
		for (e = 0; e < NB_EXAMPLES; e++) {
			t->expect[e] += (unsigned long)want[e];
			if (at.ics)
				t->expect_ics[e] += (unsigned long)want[e];
		}
		for (dir = 0; dir < 2; dir++) {
			dp_decode(data, h->caplen, h->len, dir, &pk);
			dp_bpf_ctx_fill(ctx, data, h->caplen, h->len, &pk);
			run_packet(&at, dir, ctx, want, t);
		}
	}
	CU_ASSERT(at.n > 0);
	t->pkts += at.n;
	t->files++;
	pcap_close(pc);
}

/* The walk's arguments of one capture run. */
struct capture_run {
	struct bw_bpf_ctx *ctx;
	struct tally *t;
};

static void
run_capture_at(const char *path, void *arg)
{
	struct capture_run *r = arg;

	run_capture(path, r->ctx, r->t);
}

static void
test_captures(void)
{
	struct tally t;
	struct bw_bpf_ctx *ctx;
	char dir[PATH_MAX];
	int e;

	if (!bpf_examples_load() && bpf_missing("examples not built"))
		return;
	if (bpf_pcaps_dir(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "\n  no tests/data/pcaps: pass DATA_DIR");
		CU_FAIL_FATAL("test data not found");
	}
	memset(&t, 0, sizeof(t));
	/* a heap block of exactly one context: ASan sees any overrun */
	ctx = malloc(sizeof(*ctx));
	CU_ASSERT_FATAL(ctx != NULL);
	memset(ctx, 0xa5, sizeof(*ctx));
	bw_testdata_walk(dir, 1, run_capture_at,
			 &(struct capture_run){.ctx = ctx, .t = &t});
	free(ctx);
	fprintf(stderr,
		"\n  %lu captures, %lu packets, both directions:", t.files,
		t.pkts);
	for (e = 0; e < NB_EXAMPLES; e++)
		fprintf(stderr,
			"\n    %-13s drops %lu inbound (oracle %lu; ics %lu, "
			"oracle %lu), %lu outbound",
			bpf_ex_names[e], t.drops[e][0], t.expect[e],
			t.drops_ics[e], t.expect_ics[e], t.drops[e][1]);
	fprintf(stderr, "\n  ");
	CU_ASSERT(t.files >= 2 && t.pkts > 9000);
	CU_ASSERT(t.mismatch == 0);
	for (e = 0; e < NB_EXAMPLES; e++)
		CU_ASSERT(t.drops[e][0] == t.expect[e]);
	/* the ICS captures hold writes and restarts to find */
	CU_ASSERT(t.expect_ics[EX_MODBUS] == 71);
	CU_ASSERT(t.expect_ics[EX_DNP3] == 5);
	CU_ASSERT(t.drops_ics[EX_MODBUS] == t.expect_ics[EX_MODBUS]);
	CU_ASSERT(t.drops_ics[EX_DNP3] == t.expect_ics[EX_DNP3]);
	/* from the inside, writes and restarts are not dropped */
	CU_ASSERT(t.drops[EX_MODBUS][1] == 0);
	CU_ASSERT(t.drops[EX_DNP3][1] == 0);
	/* flags are judged the same way in both directions */
	CU_ASSERT(t.drops[EX_FLAGS][1] == t.drops[EX_FLAGS][0]);
}

/* The tests main runs (test_bpf_util.h). */
const struct bw_cunit_test bpf_tests[] = {
	{"examples on every capture", test_captures},
	{NULL, NULL},
};
