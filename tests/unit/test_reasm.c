/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the TCP normalizer's held-bytes store (dataplane/reasm.c,
 * dp_reasm.h), built alone without DPDK. Every case sends segments cut
 * from a random message and compares what the store fed, call by call,
 * with the message bytes the test expects a receiver to get in order: the
 * oracle is the message and the order the test sent it in, never a figure
 * read back from the store. Chunk counts are checked only where dp_reasm.h
 * fixes them (DP_RCHUNK_DATA bytes a chunk, in-order bytes packed).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_cunit.h"
#include "bw_testdata.h"
#include "dp_reasm.h"

#define NB_CHUNKS  64
#define MSG_LEN	   (16 * DP_RCHUNK_DATA) /* bytes of the test message */
#define SINK_CALLS 4096			 /* feed calls a sink records */
#define ISN	   1000u		 /* of the direction most cases use */
#define SEQ(off)   (ISN + 1u + (uint32_t)(off))

static struct dp_rchunk chunks[NB_CHUNKS];
static struct dp_rpool pool;
static uint8_t msg[MSG_LEN]; /* what the sender sends, byte by byte */
static uint64_t rng = 0x2545f4914f6cdd1dull;

/* What the store fed one direction: the bytes, and each call's length. */
struct sink {
	uint8_t buf[MSG_LEN];
	uint32_t len;
	uint32_t calls[SINK_CALLS];
	uint32_t nb_calls;
};

static struct sink sink, sink2;

static void
sink_feed(void *ctx, const uint8_t *p, uint32_t n)
{
	struct sink *s = ctx;

	CU_ASSERT_FATAL(n > 0);
	CU_ASSERT_FATAL(s->len + n <= sizeof(s->buf));
	CU_ASSERT_FATAL(s->nb_calls < SINK_CALLS);
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->calls[s->nb_calls++] = n;
}

/* Whether s holds exactly the n bytes at want. */
static int
sink_is(const struct sink *s, const uint8_t *want, uint32_t n)
{
	return s->len == n && memcmp(s->buf, want, n) == 0;
}

/* A fresh pool of nb chunks (at most NB_CHUNKS) and empty sinks. */
static void
pool_make(uint32_t nb, uint8_t held_max, uint8_t ahead_max)
{
	memset(chunks, 0xa5, sizeof(chunks));
	dp_rpool_init(&pool, chunks, nb, held_max, ahead_max);
	memset(&sink, 0, sizeof(sink));
	memset(&sink2, 0, sizeof(sink2));
}

static void
setup(void)
{
	pool_make(NB_CHUNKS, 8, 8);
}

/* Direction d as the SYN of ISN isn left it. */
static void
dir_start(struct dp_rdir *d, uint32_t isn)
{
	dp_rdir_init(d);
	d->known = 1;
	d->next = isn + 1;
}

/* The segment of len bytes at seq: checked, taken when OK; the verdict. */
static enum dp_rverdict
put_to(struct dp_rdir *d, struct sink *s, uint32_t seq, const uint8_t *data,
       uint32_t len)
{
	enum dp_rverdict v = dp_reasm_check(&pool, d, seq, data, len);

	if (v == DP_R_OK)
		dp_reasm_take(&pool, d, seq, data, len, sink_feed, s);
	return v;
}

/* Message bytes [off, off + len) as a segment of the ISN direction. */
static enum dp_rverdict
put(struct dp_rdir *d, uint32_t off, uint32_t len)
{
	return put_to(d, &sink, SEQ(off), msg + off, len);
}

/* The same, with the byte at message offset bad flipped. */
static enum dp_rverdict
put_bad(struct dp_rdir *d, uint32_t off, uint32_t len, uint32_t bad)
{
	static uint8_t tmp[MSG_LEN];

	memcpy(tmp, msg + off, len);
	tmp[bad - off] ^= 0x5a;
	return put_to(d, &sink, SEQ(off), tmp, len);
}

/* Chunks n bytes take when packed (dp_reasm.h: DP_RCHUNK_DATA a chunk). */
static uint32_t
packed(uint32_t n)
{
	return (n + DP_RCHUNK_DATA - 1) / DP_RCHUNK_DATA;
}

static void
test_in_order(void)
{
	static const uint32_t lens[] = {100, 1500, 3000, 1, 2032, 7};
	struct dp_rdir d;
	uint32_t off = 0, i;

	dir_start(&d, ISN);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		CU_ASSERT_EQUAL(
			dp_reasm_check(&pool, &d, SEQ(off), msg + off, lens[i]),
			DP_R_OK);
		CU_ASSERT_EQUAL(dp_reasm_take(&pool, &d, SEQ(off), msg + off,
					      lens[i], sink_feed, &sink),
				0);
		off += lens[i];
		CU_ASSERT_EQUAL(d.next, SEQ(off));
		CU_ASSERT(sink_is(&sink, msg, off));
		CU_ASSERT_EQUAL(sink.nb_calls, i + 1);
		CU_ASSERT_EQUAL(sink.calls[i], lens[i]);
	}
	/* in-order bytes are packed: held_max 8 is not reached */
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), packed(off));
	dp_reasm_free(&pool, &d);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
}

static void
test_reorder_halves(void)
{
	struct dp_rdir d;
	const uint32_t h = 1400;

	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(dp_reasm_check(&pool, &d, SEQ(h), msg + h, h), DP_R_OK);
	CU_ASSERT_EQUAL(
		dp_reasm_take(&pool, &d, SEQ(h), msg + h, h, sink_feed, &sink),
		0);
	CU_ASSERT_EQUAL(sink.len, 0);
	CU_ASSERT_EQUAL(d.next, SEQ(0));
	CU_ASSERT_EQUAL(dp_reasm_check(&pool, &d, SEQ(0), msg, h), DP_R_OK);
	/* joins the one chunk held ahead */
	CU_ASSERT_EQUAL(
		dp_reasm_take(&pool, &d, SEQ(0), msg, h, sink_feed, &sink), 1);
	CU_ASSERT_EQUAL(d.next, SEQ(2 * h));
	CU_ASSERT(sink_is(&sink, msg, 2 * h));
	/* first half first, then the held one: two scans in order */
	CU_ASSERT_EQUAL(sink.nb_calls, 2);
	CU_ASSERT_EQUAL(sink.calls[0], h);
	CU_ASSERT_EQUAL(sink.calls[1], h);
	dp_reasm_free(&pool, &d);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
}

/*
 * A head segment, then three behind a gap in each of the 6 orders: after
 * every step the sink holds exactly the prefix that arrived without hole.
 */
static void
test_gap_of_three(void)
{
	static const uint8_t orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	static const uint32_t off[4] = {500, 1300, 2100, 2900};
	struct dp_rdir d;
	uint32_t o, k, got, prefix;

	for (o = 0; o < 6; o++) {
		pool_make(NB_CHUNKS, 8, 8);
		dir_start(&d, ISN);
		CU_ASSERT_EQUAL(put(&d, 0, off[0]), DP_R_OK);
		got = 0;
		for (k = 0; k < 3; k++) {
			uint32_t i = orders[o][k];

			CU_ASSERT_EQUAL(put(&d, off[i], off[i + 1] - off[i]),
					DP_R_OK);
			got |= 1u << i;
			prefix = off[0];
			for (i = 0; i < 3 && (got & (1u << i)); i++)
				prefix = off[i + 1];
			CU_ASSERT(sink_is(&sink, msg, prefix));
			CU_ASSERT_EQUAL(d.next, SEQ(prefix));
		}
		dp_reasm_free(&pool, &d);
		CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
	}
}

/*
 * Random cuts of a message into 8 segments sent in random orders, some
 * twice: the sink holds the received prefix after every step.
 */
static void
test_random_orders(void)
{
	enum { NSEG = 8, TOTAL = 6000 };
	uint32_t cut[NSEG + 1], perm[2 * NSEG], round, i, j, t, prefix;
	uint8_t got[NSEG];
	struct dp_rdir d;

	for (round = 0; round < 200; round++) {
		pool_make(NB_CHUNKS, 2 * NSEG, NSEG);
		dir_start(&d, ISN);
		/* NSEG - 1 distinct cuts in (0, TOTAL), sorted */
		cut[0] = 0;
		cut[NSEG] = TOTAL;
		for (i = 1; i < NSEG; i++)
			cut[i] = (uint32_t)(i * (TOTAL / NSEG) +
					    bw_test_rnd(&rng) % 600) -
				 300;
		for (i = 0; i < 2 * NSEG; i++)
			perm[i] = i % NSEG;
		for (i = 2 * NSEG - 1; i > 0; i--) {
			j = (uint32_t)(bw_test_rnd(&rng) % (i + 1));
			t = perm[i];
			perm[i] = perm[j];
			perm[j] = t;
		}
		memset(got, 0, sizeof(got));
		for (i = 0; i < 2 * NSEG; i++) {
			t = perm[i];
			CU_ASSERT_EQUAL(put(&d, cut[t], cut[t + 1] - cut[t]),
					DP_R_OK);
			got[t] = 1;
			prefix = 0;
			for (j = 0; j < NSEG && got[j]; j++)
				prefix = cut[j + 1];
			CU_ASSERT_FATAL(sink_is(&sink, msg, prefix));
		}
		CU_ASSERT_EQUAL(d.next, SEQ(TOTAL));
		dp_reasm_free(&pool, &d);
		CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
	}
}

static void
test_retransmit_same(void)
{
	struct dp_rdir d;

	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, 0, 1000), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 1000, 1000), DP_R_OK);
	CU_ASSERT_EQUAL(sink.nb_calls, 2);
	/* fully old: nothing fed again */
	CU_ASSERT_EQUAL(put(&d, 500, 1000), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 0, 2000), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 1999, 1), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2000));
	CU_ASSERT_EQUAL(sink.nb_calls, 2);
	CU_ASSERT_EQUAL(d.next, SEQ(2000));
	/* partly old: only the new bytes fed */
	CU_ASSERT_EQUAL(put(&d, 1500, 1000), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2500));
	CU_ASSERT_EQUAL(sink.nb_calls, 3);
	CU_ASSERT_EQUAL(sink.calls[2], 500);
	CU_ASSERT_EQUAL(d.next, SEQ(2500));
}

static void
test_retransmit_different(void)
{
	struct dp_rdir d;
	uint8_t want[2500];

	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, 0, 2000), DP_R_OK);
	/* fully old, one byte changed anywhere in it */
	CU_ASSERT_EQUAL(put_bad(&d, 500, 1000, 700), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 0, 2000, 0), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 0, 2000, 1999), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 1999, 1, 1999), DP_R_DIFF);
	/* partly old: its old part changed */
	CU_ASSERT_EQUAL(put_bad(&d, 1500, 1000, 1600), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 1500, 1000, 1999), DP_R_DIFF);
	/* nothing refused was fed, nor moved next */
	CU_ASSERT(sink_is(&sink, msg, 2000));
	CU_ASSERT_EQUAL(d.next, SEQ(2000));
	/* only its new part changed: new bytes, taken as they are */
	CU_ASSERT_EQUAL(put_bad(&d, 1500, 1000, 2200), DP_R_OK);
	memcpy(want, msg, sizeof(want));
	want[2200] ^= 0x5a;
	CU_ASSERT(sink_is(&sink, want, 2500));
	/* and those are what later copies are compared with */
	CU_ASSERT_EQUAL(put(&d, 2100, 200), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 2100, 200, 2200), DP_R_OK);
	CU_ASSERT(sink_is(&sink, want, 2500));
}

static void
test_overlap_ahead(void)
{
	struct dp_rdir d;

	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, 0, 100), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 1000, 1000), DP_R_OK);
	/* ahead too, overlapping the held bytes */
	CU_ASSERT_EQUAL(put_bad(&d, 1500, 1000, 1700), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 500, 1000, 1000), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 1999, 10, 1999), DP_R_DIFF);
	CU_ASSERT_EQUAL(put(&d, 1500, 1000), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 1200, 100), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 100));
	/* from the next byte into the held ones */
	CU_ASSERT_EQUAL(put_bad(&d, 100, 1100, 1100), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 100, 2500, 2400), DP_R_DIFF);
	CU_ASSERT(sink_is(&sink, msg, 100));
	CU_ASSERT_EQUAL(put(&d, 100, 1100), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2500));
	CU_ASSERT_EQUAL(d.next, SEQ(2500));
	/* held ahead, now scanned: compared as such */
	CU_ASSERT_EQUAL(put_bad(&d, 2000, 500, 2300), DP_R_DIFF);
	CU_ASSERT_EQUAL(put(&d, 2000, 500), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2500));
}

static void
test_full_ahead_bound(void)
{
	struct dp_rdir d;
	uint32_t i;

	pool_make(NB_CHUNKS, 8, 4);
	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, 0, 100), DP_R_OK);
	/* four 1-byte segments apart: four chunks ahead, the bound */
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(put(&d, 200 + 100 * i, 1), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 600, 1), DP_R_FULL);
	CU_ASSERT_EQUAL(put(&d, 150, 1), DP_R_FULL);
	/* bytes already held need no room */
	CU_ASSERT_EQUAL(put(&d, 300, 1), DP_R_OK);
	/* nor does a segment from the next byte: it is scanned now */
	CU_ASSERT_EQUAL(put(&d, 100, 101), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 201));
	CU_ASSERT_EQUAL(put(&d, 600, 1), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 201, 400), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 601));
	CU_ASSERT_EQUAL(d.next, SEQ(601));
}

/*
 * A pool of 3 chunks: one direction holding them all ahead leaves the
 * other none, ahead (FULL) or scanned (its bytes cannot be compared).
 */
static void
test_full_pool(void)
{
	struct dp_rdir a, b;
	const uint32_t isn_b = 0x70000000u;
	uint32_t i;

	pool_make(3, 8, 8);
	dir_start(&a, ISN);
	dir_start(&b, isn_b);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(put(&a, 100 + 100 * i, 10), DP_R_OK);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 3);
	CU_ASSERT_EQUAL(put_to(&b, &sink2, isn_b + 1 + 100, msg + 100, 10),
			DP_R_FULL);
	CU_ASSERT_EQUAL(put_to(&b, &sink2, isn_b + 1, msg, 1000), DP_R_OK);
	CU_ASSERT(sink_is(&sink2, msg, 1000));
	CU_ASSERT_EQUAL(put_to(&b, &sink2, isn_b + 1, msg, 10), DP_R_UNV);
	/* a's fill joins its chunks; they are its held ones now */
	CU_ASSERT_EQUAL(put(&a, 0, 100), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 110));
	CU_ASSERT_EQUAL(put(&a, 110, 90), DP_R_OK);
	CU_ASSERT_EQUAL(put(&a, 210, 90), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 310));
	CU_ASSERT(dp_rpool_used(&pool) <= 3);
	dp_reasm_free(&pool, &a);
	dp_reasm_free(&pool, &b);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
}

static void
test_far(void)
{
	const uint32_t bound = 4 * DP_RCHUNK_DATA;
	struct dp_rdir d;

	pool_make(NB_CHUNKS, 8, 4);
	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, bound - 10, 10), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, bound - 10, 11), DP_R_FAR);
	CU_ASSERT_EQUAL(put(&d, bound, 1), DP_R_FAR);
	CU_ASSERT_EQUAL(put(&d, 2 * bound, 100), DP_R_FAR);
	CU_ASSERT_EQUAL(sink.len, 0);
	/* the bound moves with the next byte */
	CU_ASSERT_EQUAL(put(&d, 0, 100), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, bound, 1), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, bound + 100, 1), DP_R_FAR);
	/* from the next byte, a long segment is not far */
	CU_ASSERT_EQUAL(put(&d, 100, bound - 10), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, bound + 90));
}

/* Sequence numbers wrapping round 2^32 while bytes are held and fed. */
static void
test_wrap(void)
{
	const uint32_t isn = 0xfffffc00u; /* 1023 bytes before the wrap */
	struct dp_rdir d;
	uint32_t i;

	dir_start(&d, isn);
	CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1 + 1000, msg + 1000, 1000),
			DP_R_OK);
	CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1 + 3000, msg + 3000, 500),
			DP_R_OK);
	CU_ASSERT_EQUAL(sink.len, 0);
	CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1, msg, 1000), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2000));
	CU_ASSERT_EQUAL(d.next, 2000u - 1023u);
	/* compared across the wrap, scanned and ahead */
	msg[1010] ^= 1;
	CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1 + 1000, msg + 1000, 20),
			DP_R_DIFF);
	msg[1010] ^= 1;
	msg[3100] ^= 1;
	CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1 + 2000, msg + 2000, 1500),
			DP_R_DIFF);
	msg[3100] ^= 1;
	CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1 + 1000, msg + 1000, 2500),
			DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 3500));
	/* far, just past the wrap from a next just before it */
	dir_start(&d, 0xffffff00u);
	pool_make(NB_CHUNKS, 8, 2);
	CU_ASSERT_EQUAL(
		put_to(&d, &sink, 0xffffff01u + 2 * DP_RCHUNK_DATA - 1, msg, 1),
		DP_R_OK);
	CU_ASSERT_EQUAL(
		put_to(&d, &sink, 0xffffff01u + 2 * DP_RCHUNK_DATA, msg, 1),
		DP_R_FAR);
	/* acknowledgements across the wrap release what they cover */
	pool_make(NB_CHUNKS, 8, 8);
	dir_start(&d, isn);
	for (i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(put_to(&d, &sink, isn + 1 + i * DP_RCHUNK_DATA,
				       msg + i * DP_RCHUNK_DATA,
				       DP_RCHUNK_DATA),
				DP_R_OK);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 3);
	dp_reasm_ack(&pool, &d, isn + 1 + 2 * DP_RCHUNK_DATA);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 1);
	CU_ASSERT(sink_is(&sink, msg, 3 * DP_RCHUNK_DATA));
}

static void
test_ack_releases(void)
{
	struct dp_rdir d;
	uint32_t off;

	dir_start(&d, ISN);
	for (off = 0; off < 3 * DP_RCHUNK_DATA; off += 1016)
		CU_ASSERT_EQUAL(put(&d, off, 1016), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 3 * DP_RCHUNK_DATA));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 3);
	/* past the next byte, or not past the first: ignored */
	dp_reasm_ack(&pool, &d, SEQ(3 * DP_RCHUNK_DATA + 1));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 3);
	CU_ASSERT_EQUAL(put_bad(&d, 10, 10, 15), DP_R_DIFF);
	dp_reasm_ack(&pool, &d, SEQ(0));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 3);
	/* a chunk goes when all its bytes are acknowledged */
	dp_reasm_ack(&pool, &d, SEQ(DP_RCHUNK_DATA - 1));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 3);
	dp_reasm_ack(&pool, &d, SEQ(2 * DP_RCHUNK_DATA - 1));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 2);
	/* an older acknowledgement changes nothing */
	dp_reasm_ack(&pool, &d, SEQ(10));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 2);
	/* bytes of the held chunk still compare; acknowledged ones pass */
	CU_ASSERT_EQUAL(
		put_bad(&d, 2 * DP_RCHUNK_DATA - 10, 5, 2 * DP_RCHUNK_DATA - 8),
		DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 10, 10, 15), DP_R_OK);
	/* the last chunk stays, acknowledged or not: the context */
	dp_reasm_ack(&pool, &d, SEQ(3 * DP_RCHUNK_DATA));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 1);
	CU_ASSERT_EQUAL(put_bad(&d, 3 * DP_RCHUNK_DATA - 100, 100,
				3 * DP_RCHUNK_DATA - 1),
			DP_R_DIFF);
	CU_ASSERT_EQUAL(
		put_bad(&d, DP_RCHUNK_DATA - 100, 100, DP_RCHUNK_DATA - 1),
		DP_R_OK);
	/* a new stream gets the held bytes of the last chunks again */
	memset(&sink2, 0, sizeof(sink2));
	CU_ASSERT_EQUAL(dp_reasm_refeed(&pool, &d, sink_feed, &sink2),
			DP_RCHUNK_DATA);
	CU_ASSERT(sink_is(&sink2, msg + 2 * DP_RCHUNK_DATA, DP_RCHUNK_DATA));
	/* passed, not fed: the receiver has those bytes */
	CU_ASSERT(sink_is(&sink, msg, 3 * DP_RCHUNK_DATA));
	CU_ASSERT_EQUAL(d.next, SEQ(3 * DP_RCHUNK_DATA));
	CU_ASSERT_EQUAL(put(&d, 3 * DP_RCHUNK_DATA, 100), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 3 * DP_RCHUNK_DATA + 100));
}

/*
 * held_max 2: the third chunk of scanned bytes pushes the first out
 * before its acknowledgement; a retransmission of it cannot be compared,
 * until an acknowledgement covers it.
 */
static void
test_unverifiable(void)
{
	const uint32_t c = DP_RCHUNK_DATA;
	struct dp_rdir d;

	pool_make(NB_CHUNKS, 2, 8);
	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, 0, 2 * c), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 0, 10), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 2 * c, 100), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2 * c + 100));
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 2);
	CU_ASSERT_EQUAL(put(&d, 0, 10), DP_R_UNV);
	CU_ASSERT_EQUAL(put(&d, c - 1, 2), DP_R_UNV);
	CU_ASSERT_EQUAL(put(&d, 0, 2 * c + 200), DP_R_UNV);
	/* the bytes still held are compared */
	CU_ASSERT_EQUAL(put_bad(&d, c + 10, 10, c + 12), DP_R_DIFF);
	CU_ASSERT_EQUAL(put(&d, c + 10, 10), DP_R_OK);
	/* an ack inside the released chunk: its bytes below pass */
	dp_reasm_ack(&pool, &d, SEQ(100));
	CU_ASSERT_EQUAL(put_bad(&d, 0, 100, 50), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 50, 100), DP_R_UNV);
	/* an ack past the released bytes: none left unverifiable */
	dp_reasm_ack(&pool, &d, SEQ(c));
	CU_ASSERT_EQUAL(put_bad(&d, c - 10, 10, c - 5), DP_R_OK);
	CU_ASSERT_EQUAL(put_bad(&d, c - 10, 20, c + 5), DP_R_DIFF);
	CU_ASSERT_EQUAL(put(&d, c - 10, 20), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 2 * c + 100));
}

static void
test_one_byte_packed(void)
{
	struct dp_rdir d;
	uint32_t off;

	pool_make(NB_CHUNKS, 8, 8);
	dir_start(&d, ISN);
	for (off = 0; off < 3000; off++)
		CU_ASSERT_FATAL(put(&d, off, 1) == DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 3000));
	CU_ASSERT_EQUAL(sink.nb_calls, 3000);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), packed(3000));
	/* all still held: every one compared */
	CU_ASSERT_EQUAL(put_bad(&d, 0, 3000, 2999), DP_R_DIFF);
	CU_ASSERT_EQUAL(put_bad(&d, 0, 3000, 0), DP_R_DIFF);
	CU_ASSERT_EQUAL(put(&d, 0, 3000), DP_R_OK);
	dp_reasm_free(&pool, &d);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
}

static void
test_drop_ahead(void)
{
	struct dp_rdir d;

	dir_start(&d, ISN);
	CU_ASSERT_EQUAL(put(&d, 0, 100), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 200, 100), DP_R_OK);
	CU_ASSERT_EQUAL(put(&d, 400, 3000), DP_R_OK);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 4);
	dp_reasm_drop_ahead(&pool, &d);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 1);
	/* nothing held there any more: other bytes are new bytes */
	CU_ASSERT_EQUAL(put_bad(&d, 100, 300, 250), DP_R_OK);
	CU_ASSERT_EQUAL(sink.len, 400);
	CU_ASSERT(memcmp(sink.buf, msg, 250) == 0);
	CU_ASSERT_EQUAL(sink.buf[250], msg[250] ^ 0x5a);
	CU_ASSERT(memcmp(sink.buf + 251, msg + 251, 149) == 0);
}

/* Two directions holding scanned and ahead chunks give all back. */
static void
test_free_all(void)
{
	struct dp_rdir a, b;
	const uint32_t isn_b = 0xffff0000u;
	uint32_t i;

	pool_make(NB_CHUNKS, 4, 4);
	dir_start(&a, ISN);
	dir_start(&b, isn_b);
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(put(&a, i * 1000, 1000), DP_R_OK);
		CU_ASSERT_EQUAL(put_to(&b, &sink2, isn_b + 1 + i * 700,
				       msg + i * 700, 700),
				DP_R_OK);
	}
	CU_ASSERT_EQUAL(put(&a, 12000, 3000), DP_R_OK);
	CU_ASSERT_EQUAL(put_to(&b, &sink2, isn_b + 1 + 8000, msg + 8000, 10),
			DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 10000));
	CU_ASSERT(sink_is(&sink2, msg, 7000));
	/* within the bounds: 4 scanned and 4 ahead per direction */
	CU_ASSERT(dp_rpool_used(&pool) <= 16);
	CU_ASSERT(dp_rpool_used(&pool) >= 2 + 2 + 1);
	dp_reasm_free(&pool, &a);
	CU_ASSERT(dp_rpool_used(&pool) <= 8);
	dp_reasm_free(&pool, &b);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
	/* a freed direction restarted holds again from the pool */
	dir_start(&a, ISN);
	memset(&sink, 0, sizeof(sink));
	CU_ASSERT_EQUAL(put(&a, 100, 100), DP_R_OK);
	CU_ASSERT_EQUAL(put(&a, 0, 100), DP_R_OK);
	CU_ASSERT(sink_is(&sink, msg, 200));
	dp_reasm_free(&pool, &a);
	CU_ASSERT_EQUAL(dp_rpool_used(&pool), 0);
}

static const struct bw_cunit_test tests[] = {
	{"in-order segments fed as sent", test_in_order},
	{"second half first: both fed in order", test_reorder_halves},
	{"a gap of three filled in every order", test_gap_of_three},
	{"random cuts in random orders", test_random_orders},
	{"same-bytes retransmission passes, not fed again",
	 test_retransmit_same},
	{"different-bytes retransmission refused", test_retransmit_different},
	{"overlap of bytes held ahead", test_overlap_ahead},
	{"ahead bound exhausted: FULL", test_full_ahead_bound},
	{"pool exhausted: FULL, then unverifiable", test_full_pool},
	{"past the ahead bound: FAR", test_far},
	{"sequence wrap round 2^32", test_wrap},
	{"acknowledgements release chunks", test_ack_releases},
	{"unacknowledged bytes pushed out: UNV until acked", test_unverifiable},
	{"1-byte segments packed", test_one_byte_packed},
	{"bytes held ahead dropped", test_drop_ahead},
	{"freeing every direction returns every chunk", test_free_all},
};

int
main(void)
{
	const struct bw_cunit_suite suite = {.name = "reasm", .setup = setup};
	uint32_t i;

	for (i = 0; i < MSG_LEN; i++)
		msg[i] = (uint8_t)bw_test_rnd(&rng);
	return bw_cunit_run_suite(&suite, tests,
				  sizeof(tests) / sizeof(tests[0]));
}
