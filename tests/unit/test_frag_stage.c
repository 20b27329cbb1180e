/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the reassembly stage (dataplane/frag_stage.c) under EAL:
 * datagrams are built here, cut into fragments, fed to dp_frag_stage() in
 * bursts, and the datagram it puts in the completing fragment's slot (the
 * one DPDK's rte_ip_frag rebuilt from copies) must be, byte for byte, the
 * datagram the test built, with its headers in the first segment; the
 * originals must come back from dp_frag_settle() in arrival order; and
 * every mbuf of both pools (frames, reassembly) must be free again at the
 * end. Cases: in
 * order, reversed, shuffled; 2, 8 and 9 fragments (rte_ip_frag takes 8:
 * more go as runs), a full 64 KiB datagram in 44; a first fragment of 8
 * data bytes; IPv4 options; frames in two segments (read across segments);
 * IPv6 with extension headers before the fragment header.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bw_cunit.h"
#include "bw_eal.h"
#include "dp.h"
#include "dp_ruleset.h"

#define NB_MBUFS 512
#define DG_MAX	 70000

static struct rte_mempool *pool;
static struct dp_status status;
static struct dp_rsctl rsctl;
static struct dp_worker *w;
static uint8_t malformed_drop[BW_REASON_MAX];

static const uint8_t eth4[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0};
static const uint8_t eth6[14] = {2, 0, 0, 0, 0, 2,    2,
				 0, 0, 0, 0, 1, 0x86, 0xdd};

/* A datagram as the receiver rebuilds it, and how it was cut. */
struct dgram {
	uint8_t b[DG_MAX]; /* the whole datagram, frame headers included */
	uint32_t len;
	uint32_t hdr; /* where its fragmentable data starts */
	uint8_t v6;
	uint32_t cut[80]; /* fragment k: data [cut[k], cut[k + 1]) */
	uint32_t nb;
};

static uint16_t
cksum(const uint8_t *p, uint32_t n)
{
	uint32_t s = 0, i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A UDP datagram over IPv4 of pay payload bytes, opt bytes of options. */
static void
dgram4(struct dgram *d, uint32_t pay, uint32_t opt)
{
	uint8_t *ip = d->b + 14, *u;
	uint32_t ihl = 20 + opt, i;

	memset(d, 0, sizeof(*d));
	memcpy(d->b, eth4, 14);
	ip[0] = (uint8_t)(0x40 | ihl / 4);
	put16(ip + 2, ihl + 8 + pay);
	put16(ip + 4, 0x4242);
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, (const uint8_t[]){192, 0, 2, 1, 198, 51, 100, 1}, 8);
	for (i = 0; i < opt; i++)
		ip[20 + i] = 1; /* NOP options */
	put16(ip + 10, cksum(ip, ihl));
	u = ip + ihl;
	put16(u, 5000);
	put16(u + 2, 53);
	put16(u + 4, 8 + pay);
	for (i = 0; i < pay; i++)
		u[8 + i] = (uint8_t)(i * 7 + i / 251);
	d->hdr = 14 + ihl;
	d->len = d->hdr + 8 + pay;
}

/*
 * A UDP datagram over IPv6 of pay payload bytes, with a hop-by-hop and a
 * destination options header (PadN) before the fragment header.
 */
static void
dgram6(struct dgram *d, uint32_t pay)
{
	uint8_t *ip = d->b + 14, *u;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	memcpy(d->b, eth6, 14);
	ip[0] = 0x60;
	put16(ip + 4, 16 + 8 + pay);
	ip[6] = 0; /* hop-by-hop */
	ip[7] = 64;
	ip[8] = 0x20;
	ip[9] = 0x01;
	ip[10] = 0x0d;
	ip[11] = 0xb8;
	ip[23] = 1;
	memcpy(ip + 24, ip + 8, 15);
	ip[39] = 2;
	/* hop-by-hop: next destination options, PadN */
	memcpy(ip + 40, (const uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0}, 8);
	/* destination options: next UDP (the fragment header goes before
	 * what it names, in the fragments) */
	memcpy(ip + 48, (const uint8_t[]){17, 0, 1, 4, 0, 0, 0, 0}, 8);
	u = ip + 56;
	put16(u, 5000);
	put16(u + 2, 53);
	put16(u + 4, 8 + pay);
	for (i = 0; i < pay; i++)
		u[8 + i] = (uint8_t)(i * 13 + i / 241);
	d->v6 = 1;
	d->hdr = 14 + 56;
	d->len = d->hdr + 8 + pay;
}

/* Cut d's data in nb pieces of step bytes (the last takes the rest). */
static void
cut_even(struct dgram *d, uint32_t nb, uint32_t step)
{
	uint32_t k;

	for (k = 0; k < nb; k++)
		d->cut[k] = k * step;
	d->cut[nb] = d->len - d->hdr;
	d->nb = nb;
}

/* Fragment k of d, as a sender sends it, in a new mbuf. */
static struct rte_mbuf *
frag_of(const struct dgram *d, uint32_t k)
{
	uint32_t off = d->cut[k], len = d->cut[k + 1] - d->cut[k];
	int more = k + 1 < d->nb;
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p, *ip;

	if (m == NULL)
		return NULL;
	if (!d->v6) {
		uint32_t ihl = d->hdr - 14;

		p = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(d->hdr + len));
		if (p == NULL)
			goto fail;
		memcpy(p, d->b, d->hdr);
		memcpy(p + d->hdr, d->b + d->hdr + off, len);
		ip = p + 14;
		put16(ip + 2, ihl + len);
		put16(ip + 6, (more ? 0x2000 : 0) | off / 8);
		put16(ip + 10, 0);
		put16(ip + 10, cksum(ip, ihl));
	} else {
		p = (uint8_t *)rte_pktmbuf_append(m,
						  (uint16_t)(d->hdr + 8 + len));
		if (p == NULL)
			goto fail;
		memcpy(p, d->b, d->hdr);
		ip = p + 14;
		put16(ip + 4, 16 + 8 + len);
		ip[48] = 44; /* the destination options name the fragment */
		p[d->hdr] = 17;
		p[d->hdr + 1] = 0;
		put16(p + d->hdr + 2, off | (more ? 1 : 0));
		memcpy(p + d->hdr + 4, (const uint8_t[]){0, 0, 0x77, 0x77}, 4);
		memcpy(p + d->hdr + 8, d->b + d->hdr + off, len);
	}
	return m;
fail:
	rte_pktmbuf_free(m);
	return NULL;
}

/* Move the bytes of m past at into a second segment (scattered rx). */
static struct rte_mbuf *
split_frame(struct rte_mbuf *m, uint16_t at)
{
	struct rte_mbuf *t = rte_pktmbuf_alloc(pool);
	uint16_t rest = (uint16_t)(m->data_len - at);
	uint8_t *p;

	if (t == NULL || (p = (uint8_t *)rte_pktmbuf_append(t, rest)) == NULL)
		goto fail;
	memcpy(p, rte_pktmbuf_mtod_offset(m, uint8_t *, at), rest);
	if (rte_pktmbuf_trim(m, rest) != 0 || rte_pktmbuf_chain(m, t) != 0)
		goto fail;
	return m;
fail:
	rte_pktmbuf_free(t);
	rte_pktmbuf_free(m);
	return NULL;
}

/*
 * Feed d's fragments in the order ord (NULL: in order) in bursts of
 * burst, each frame in two segments when split; check the rebuilt
 * datagram and what settles. Returns through CUnit assertions.
 */
static void
run_split(const struct dgram *d, const uint32_t *ord, uint16_t burst, int split)
{
	static uint8_t got[DG_MAX];
	struct rte_mbuf *sent[80], *pkts[DP_BURST];
	struct rte_mbuf **pass, **drop;
	uint16_t np = 0, nd = 0, i, n;
	uint32_t k = 0, done = 0, cap;
	unsigned int frag_free = rte_mempool_avail_count(w->frag.pool);
	unsigned int main_free = rte_mempool_avail_count(pool);

	pass = rte_malloc("ut_pass", DP_OUT_MAX * sizeof(*pass), 0);
	drop = rte_malloc("ut_drop", DP_OUT_MAX * sizeof(*drop), 0);
	CU_ASSERT_FATAL(pass != NULL && drop != NULL);
	while (k < d->nb) {
		for (n = 0; n < burst && k < d->nb; n++, k++) {
			uint32_t f = ord != NULL ? ord[k] : k;

			pkts[n] = frag_of(d, f);
			if (split && pkts[n] != NULL)
				pkts[n] = split_frame(pkts[n], 100);
			sent[k] = pkts[n];
			CU_ASSERT_FATAL(pkts[n] != NULL);
			CU_ASSERT_EQUAL(
				dp_decode(rte_pktmbuf_mtod(pkts[n], uint8_t *),
					  pkts[n]->data_len, pkts[n]->pkt_len,
					  0, &w->info[n]),
				BW_REASON_NONE);
			w->verdict[n] = DP_VERDICT_PASS;
		}
		dp_frag_stage(w, pkts, n);
		for (i = 0; i < n; i++) {
			struct rte_mbuf *r = pkts[i];
			const uint8_t *b;

			if (w->frag.slot[i] == DP_FRAG_NONE_IDX) {
				CU_ASSERT_EQUAL(w->verdict[i], DP_VERDICT_HELD);
				continue;
			}
			/* the datagram, whole */
			done++;
			CU_ASSERT_EQUAL(w->verdict[i], DP_VERDICT_PASS);
			CU_ASSERT_EQUAL_FATAL(r->pkt_len, d->len);
			b = rte_pktmbuf_read(r, 0, r->pkt_len, got);
			CU_ASSERT_FATAL(b != NULL);
			CU_ASSERT(memcmp(b, d->b, d->len) == 0);
			/* its headers, and as much as fits, in the first
			 * segment: the decoder reads from there */
			cap = r->buf_len - r->data_off;
			CU_ASSERT_EQUAL(r->data_len, RTE_MIN(r->pkt_len, cap));
			CU_ASSERT(w->info[i].l4_proto == 17 &&
				  w->info[i].frag == DP_FRAG_NONE &&
				  w->info[i].payload_len ==
					  d->len - d->hdr - 8);
			dp_frag_settle(w, pkts, i, DP_VERDICT_PASS, pass, &np,
				       drop, &nd);
		}
	}
	CU_ASSERT_EQUAL(done, 1);
	/* the originals, unchanged objects, in arrival order */
	CU_ASSERT_EQUAL_FATAL(np, d->nb);
	CU_ASSERT_EQUAL(nd, 0);
	for (k = 0; k < np; k++)
		CU_ASSERT_PTR_EQUAL(pass[k], sent[k]);
	rte_pktmbuf_free_bulk(pass, np);
	CU_ASSERT_EQUAL(w->frag.tab.used, 0);
	/* nothing kept by rte_ip_frag nor lost on the way */
	CU_ASSERT_EQUAL(rte_mempool_avail_count(w->frag.pool), frag_free);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), main_free);
	rte_free(pass);
	rte_free(drop);
}

static void
run(const struct dgram *d, const uint32_t *ord, uint16_t burst)
{
	run_split(d, ord, burst, 0);
}

/* A fixed permutation of 0..n-1 (an LCG's shuffle). */
static void
shuffle(uint32_t *o, uint32_t n, uint32_t seed)
{
	uint32_t i, j, t;

	for (i = 0; i < n; i++)
		o[i] = i;
	for (i = n - 1; i > 0; i--) {
		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
}

static struct dgram dg;

static void
test_v4_two(void)
{
	dgram4(&dg, 1400, 0);
	cut_even(&dg, 2, 800);
	run(&dg, NULL, DP_BURST);
}

static void
test_v4_eight_reversed(void)
{
	static const uint32_t rev[8] = {7, 6, 5, 4, 3, 2, 1, 0};

	dgram4(&dg, 3000, 0);
	cut_even(&dg, 8, 384);
	run(&dg, rev, DP_BURST);
}

static void
test_v4_nine_runs(void)
{
	uint32_t o[9];

	dgram4(&dg, 3200, 0);
	cut_even(&dg, 9, 360);
	shuffle(o, 9, 7);
	run(&dg, o, DP_BURST);
}

static void
test_v4_full_64k(void)
{
	uint32_t o[45];

	/* 44 fragments of 1480 bytes and a last one: 65507 bytes of UDP
	 * payload, the most IPv4 carries; two bursts */
	dgram4(&dg, 65535 - 20 - 8, 0);
	cut_even(&dg, 45, 1480);
	shuffle(o, 45, 99);
	run(&dg, o, DP_BURST);
}

static void
test_v4_short_first(void)
{
	/* the first fragment holds the UDP header alone */
	dgram4(&dg, 2000, 0);
	dg.cut[0] = 0;
	dg.cut[1] = 8;
	dg.cut[2] = 1008;
	dg.cut[3] = dg.len - dg.hdr;
	dg.nb = 3;
	run(&dg, NULL, DP_BURST);
}

static void
test_v4_options(void)
{
	static const uint32_t ord[4] = {2, 0, 3, 1};

	dgram4(&dg, 3000, 8);
	cut_even(&dg, 4, 800);
	run(&dg, ord, DP_BURST);
}

static void
test_v6_ext(void)
{
	static const uint32_t ord[3] = {1, 2, 0};

	dgram6(&dg, 2400);
	cut_even(&dg, 3, 800);
	run(&dg, ord, DP_BURST);
}

static void
test_v6_ext_runs(void)
{
	uint32_t o[20];

	dgram6(&dg, 20000);
	cut_even(&dg, 20, 1000);
	shuffle(o, 20, 3);
	run(&dg, o, 7);
}

static void
test_v4_scattered(void)
{
	uint32_t o[12];

	/* frames of two segments: their data read across segments */
	dgram4(&dg, 5000, 0);
	cut_even(&dg, 12, 424);
	shuffle(o, 12, 5);
	run_split(&dg, o, DP_BURST, 1);
}

/* Feed d's fragments, in order, as one burst (d->nb <= 8). */
static void
feed_in_order(const struct dgram *d, struct rte_mbuf **pkts)
{
	uint32_t k;

	for (k = 0; k < d->nb; k++) {
		pkts[k] = frag_of(d, k);
		CU_ASSERT_FATAL(pkts[k] != NULL);
		dp_decode(rte_pktmbuf_mtod(pkts[k], uint8_t *),
			  pkts[k]->data_len, pkts[k]->pkt_len, 0, &w->info[k]);
		w->verdict[k] = DP_VERDICT_PASS;
	}
	dp_frag_stage(w, pkts, (uint16_t)d->nb);
}

static void
test_pool_dry_then_stale(void)
{
	struct rte_mbuf *hog[DP_FRAG_POOL], *pkts[8], *pass[8], *drop[8];
	struct bw_worker_stats *st = w->st;
	uint64_t limit0 = st->frag[BW_FRAG_LIMIT];
	uint64_t drops0 = st->reason_drop_pkts[BW_REASON_IP_FRAG_LIMIT];
	unsigned int main_free = rte_mempool_avail_count(pool), nhog, k;
	uint16_t np = 0, nd = 0;

	/* the reassembly pool with two mbufs left: the third run's copy
	 * fails, rte_ip_frag keeps the first two */
	nhog = rte_mempool_avail_count(w->frag.pool) - 2;
	CU_ASSERT_EQUAL_FATAL(rte_pktmbuf_alloc_bulk(w->frag.pool, hog, nhog),
			      0);
	dgram4(&dg, 3000, 0);
	cut_even(&dg, 4, 800);
	feed_in_order(&dg, pkts);
	/* dropped whole, counted, nothing left in a slot */
	for (k = 0; k < dg.nb; k++) {
		CU_ASSERT_EQUAL(w->verdict[k], DP_VERDICT_HELD);
		CU_ASSERT_EQUAL(w->frag.slot[k], DP_FRAG_NONE_IDX);
	}
	CU_ASSERT_EQUAL(st->frag[BW_FRAG_LIMIT], limit0 + 1);
	CU_ASSERT_EQUAL(st->reason_drop_pkts[BW_REASON_IP_FRAG_LIMIT],
			drops0 + dg.nb);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), main_free);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(w->frag.pool), 0);
	rte_pktmbuf_free_bulk(hog, nhog);
	/* the next rebuild, of another datagram (identification), finds
	 * that entry stale and frees its copies */
	dgram4(&dg, 2000, 0);
	put16(dg.b + 14 + 4, 0x4343);
	cut_even(&dg, 3, 800);
	feed_in_order(&dg, pkts);
	CU_ASSERT_FATAL(w->frag.slot[2] != DP_FRAG_NONE_IDX);
	CU_ASSERT_EQUAL(pkts[2]->pkt_len, dg.len);
	dp_frag_settle(w, pkts, 2, DP_VERDICT_PASS, pass, &np, drop, &nd);
	CU_ASSERT_EQUAL(np, 3);
	rte_pktmbuf_free_bulk(pass, np);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(w->frag.pool), DP_FRAG_POOL);
	CU_ASSERT_EQUAL(rte_mempool_avail_count(pool), main_free);
}

static const struct bw_cunit_test tests[] = {
	{"IPv4, 2 fragments", test_v4_two},
	{"IPv4, 8 fragments reversed", test_v4_eight_reversed},
	{"IPv4, 9 fragments shuffled: rte_ip_frag gets runs",
	 test_v4_nine_runs},
	{"IPv4, 64 KiB in 45 fragments over two bursts", test_v4_full_64k},
	{"IPv4, a first fragment of 8 bytes: the headers in one segment",
	 test_v4_short_first},
	{"IPv4 with options", test_v4_options},
	{"IPv4, 12 fragments each in two segments", test_v4_scattered},
	{"IPv6, extension headers before the fragment header", test_v6_ext},
	{"IPv6, extensions and 20 fragments in bursts of 7", test_v6_ext_runs},
	{"a dry pool drops the datagram; what rte_ip_frag kept goes next time",
	 test_pool_dry_then_stale},
};

int
main(void)
{
	struct dp_config cfg;
	int ret;

	if (bw_ut_dp_setup("frag_stage", 256, NB_MBUFS, &pool, &status, &rsctl,
			   &w, malformed_drop) != 0)
		return 1;
	memset(&cfg, 0, sizeof(cfg));
	cfg.frag_dgrams = 8;
	cfg.frag_per = DP_FRAG_PER_DGRAM_MAX;
	cfg.frag_ms = 60000;
	w->decode = &dp_decode_cfg_default;
	if (dp_frag_init(w, &cfg, (int)rte_socket_id()) != 0) {
		fprintf(stderr, "test_frag_stage: dp_frag_init failed\n");
		return 1;
	}
	ret = BW_CUNIT_RUN("frag_stage", tests);
	dp_frag_fini(w);
	bw_ut_dp_teardown(pool, &status, &rsctl, w);
	return ret;
}
