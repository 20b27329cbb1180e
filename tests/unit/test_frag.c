/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the IP fragment table (dataplane/frag.c, dp_frag.h), built
 * alone without DPDK. Each case offers fragments whose places the test
 * chose and checks the answers dp_frag.h promises for them (RFC 791 and
 * 8200 units, RFC 5722 overlaps): held, complete with the test's own pieces
 * in arrival order, dropped and why, duplicate of which piece, table full;
 * time with a clock the test advances. Tiny and atomic fragments are the
 * decoder's (test_decode_frag.c); the byte-exact forwarding of the
 * originals is tests/integration/frag.sh.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_cunit.h"
#include "dp_frag.h"

#define NB  4
#define PER 6
#define TMO 100

static struct dp_frag_tab tab;
static void *mem;

static void
setup(void)
{
	free(mem);
	mem = calloc(1, dp_frag_tab_mem(NB, PER));
	CU_ASSERT_FATAL(mem != NULL);
	CU_ASSERT_FATAL(dp_frag_tab_init(&tab, mem, NB, PER, TMO, 42) == 0);
}

static struct dp_frag_key
key(uint32_t id)
{
	struct dp_frag_key k;

	memset(&k, 0, sizeof(k));
	k.src[0] = 0x0100000a;
	k.dst[0] = 0x0200000a;
	k.id = id;
	k.l3 = 4;
	return k;
}

/* handle n: a distinct non-NULL pointer */
#define H(n) ((void *)(uintptr_t)(0x1000 + (n)))

static int
add(uint32_t id, uint32_t off, uint32_t len, int more, int n, uint64_t now,
    struct dp_frag_out *out)
{
	struct dp_frag_key k = key(id);

	return dp_frag_add(&tab, &k, 17, off, len, more, H(n), 0, now, out);
}

static void
test_bounds(void)
{
	struct dp_frag_tab t;

	CU_ASSERT(dp_frag_tab_init(&t, mem, 0, PER, TMO, 1) == -1);
	CU_ASSERT(dp_frag_tab_init(&t, mem, NB, 0, TMO, 1) == -1);
	CU_ASSERT(dp_frag_tab_init(&t, mem, NB, DP_FRAG_PER_DGRAM_MAX + 1, TMO,
				   1) == -1);
	CU_ASSERT(dp_frag_tab_init(&t, mem, DP_FRAG_DGRAMS_MAX + 1, 1, TMO,
				   1) == -1);
}

static void
test_in_order_and_reversed(void)
{
	struct dp_frag_out o;
	struct dp_frag_piece *p;
	uint32_t nb;

	CU_ASSERT_EQUAL(add(1, 0, 16, 1, 0, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(1, 16, 16, 1, 1, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(1, 32, 5, 0, 2, 0, &o), DP_FRAG_COMPLETE);
	p = dp_frag_pieces(&tab, o.idx, &nb);
	CU_ASSERT_EQUAL(nb, 3);
	CU_ASSERT(p[0].pkt == H(0) && p[1].pkt == H(1) && p[2].pkt == H(2));
	CU_ASSERT_EQUAL(tab.d[o.idx].total, 37);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(tab.used, 0);
	CU_ASSERT_EQUAL(tab.held, 0);

	CU_ASSERT_EQUAL(add(2, 32, 5, 0, 3, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(2, 16, 16, 1, 4, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(2, 0, 16, 1, 5, 0, &o), DP_FRAG_COMPLETE);
	p = dp_frag_pieces(&tab, o.idx, &nb);
	CU_ASSERT(nb == 3 && p[0].pkt == H(3) && p[2].pkt == H(5));
	dp_frag_release(&tab, o.idx);
}

static void
test_interleaved(void)
{
	struct dp_frag_out oa, ob;

	CU_ASSERT_EQUAL(add(1, 0, 8, 1, 0, 0, &oa), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(2, 0, 8, 1, 1, 0, &ob), DP_FRAG_HELD);
	CU_ASSERT(oa.idx != ob.idx);
	CU_ASSERT_EQUAL(add(2, 8, 3, 0, 2, 0, &ob), DP_FRAG_COMPLETE);
	dp_frag_release(&tab, ob.idx);
	CU_ASSERT_EQUAL(add(1, 8, 3, 0, 3, 0, &oa), DP_FRAG_COMPLETE);
	dp_frag_release(&tab, oa.idx);
}

static void
test_overlaps(void)
{
	struct dp_frag_out o;

	/* the same place and "more": a duplicate of piece 1 */
	CU_ASSERT_EQUAL(add(1, 0, 16, 1, 0, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(1, 16, 16, 1, 1, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(1, 16, 16, 1, 2, 0, &o), DP_FRAG_DUP);
	CU_ASSERT_EQUAL(o.piece, 1);
	/* partial overlap, inside, around */
	CU_ASSERT_EQUAL(add(1, 8, 16, 1, 3, 0, &o), DP_FRAG_DROP);
	CU_ASSERT_EQUAL(o.why, DP_FRAG_WHY_OVERLAP);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(add(2, 0, 64, 1, 4, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(2, 16, 8, 1, 5, 0, &o), DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(add(3, 16, 8, 1, 6, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(3, 8, 24, 1, 7, 0, &o), DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
	/* data past the end, a second end, an end before held data */
	CU_ASSERT_EQUAL(add(4, 0, 8, 0 + 1, 8, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(4, 16, 4, 0, 9, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(4, 24, 8, 1, 10, 0, &o), DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(add(4, 16, 4, 0, 11, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(4, 32, 4, 0, 12, 0, &o), DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(add(4, 32, 8, 1, 13, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(4, 8, 4, 0, 14, 0, &o), DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
	/* the same place, other "more": not a duplicate */
	CU_ASSERT_EQUAL(add(4, 8, 8, 0, 15, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(4, 8, 8, 1, 16, 0, &o), DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(tab.used, 0);
	CU_ASSERT_EQUAL(tab.held, 0);
}

static void
test_proto_mismatch(void)
{
	struct dp_frag_key k = key(1);
	struct dp_frag_out o;

	CU_ASSERT_EQUAL(dp_frag_add(&tab, &k, 17, 0, 8, 1, H(0), 0, 0, &o),
			DP_FRAG_HELD);
	CU_ASSERT_EQUAL(dp_frag_add(&tab, &k, 6, 8, 8, 0, H(1), 0, 0, &o),
			DP_FRAG_DROP);
	dp_frag_release(&tab, o.idx);
}

static void
test_invalid_alone(void)
{
	struct dp_frag_out o;

	CU_ASSERT_EQUAL(add(1, 0, 0, 1, 0, 0, &o), DP_FRAG_BAD);
	CU_ASSERT_EQUAL(add(1, 0, 12, 1, 0, 0, &o), DP_FRAG_BAD);
	CU_ASSERT_EQUAL(add(1, 4, 8, 1, 0, 0, &o), DP_FRAG_BAD);
	CU_ASSERT_EQUAL(add(1, 65528, 8, 0, 0, 0, &o), DP_FRAG_BAD);
	CU_ASSERT_EQUAL(add(1, 65528, 7, 0, 0, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(tab.used, 1);
}

static void
test_per_datagram_limit(void)
{
	struct dp_frag_out o;
	int i;

	for (i = 0; i < PER; i++)
		CU_ASSERT_EQUAL(add(1, (uint32_t)i * 8, 8, 1, i, 0, &o),
				DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(1, PER * 8, 8, 0, PER, 0, &o), DP_FRAG_DROP);
	CU_ASSERT_EQUAL(o.why, DP_FRAG_WHY_LIMIT);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(tab.held, 0);
}

static void
test_timeout_and_full(void)
{
	struct dp_frag_out o;
	uint32_t first, idx;
	int i;

	CU_ASSERT_EQUAL(add(1, 0, 8, 1, 0, 10, &o), DP_FRAG_HELD);
	first = o.idx;
	for (i = 2; i <= NB; i++)
		CU_ASSERT_EQUAL(add((uint32_t)i, 0, 8, 1, i, 20, &o),
				DP_FRAG_HELD);
	CU_ASSERT_EQUAL(dp_frag_oldest(&tab, 10 + TMO - 1, 0),
			DP_FRAG_NONE_IDX);
	CU_ASSERT_EQUAL(dp_frag_oldest(&tab, 10 + TMO, 0), first);
	/* full: a new datagram is refused until one goes */
	CU_ASSERT_EQUAL(add(9, 0, 8, 1, 9, 30, &o), DP_FRAG_FULL);
	CU_ASSERT_EQUAL(tab.used, NB);
	/* a known datagram still takes fragments */
	CU_ASSERT_EQUAL(add(1, 8, 4, 0, 10, 30, &o), DP_FRAG_COMPLETE);
	dp_frag_release(&tab, o.idx);
	CU_ASSERT_EQUAL(add(9, 0, 8, 1, 9, 30, &o), DP_FRAG_HELD);
	/* eviction takes the oldest: datagram 2 (born at 20) */
	idx = dp_frag_oldest(&tab, 0, 1);
	CU_ASSERT(idx != DP_FRAG_NONE_IDX);
	CU_ASSERT_EQUAL(tab.d[idx].key.id, 2);
	/* the late fragment of an expired datagram starts a new one */
	while ((idx = dp_frag_oldest(&tab, 20 + TMO, 0)) != DP_FRAG_NONE_IDX)
		dp_frag_release(&tab, idx);
	CU_ASSERT_EQUAL(tab.used, 1); /* 9, born at 30 */
	CU_ASSERT_EQUAL(add(2, 8, 4, 0, 11, 20 + TMO, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(tab.d[o.idx].nb, 1);
}

/* Many keys through a small table: every one is found again after
 * deletions moved the others (backward-shift deletion). */
static void
test_index_churn(void)
{
	struct dp_frag_out o;
	uint32_t id, live[NB] = {0};
	int r;

	for (id = 1; id < 2000; id++) {
		uint32_t slot = id % NB;

		if (live[slot] != 0) {
			/* complete the older one: must be found */
			r = add(live[slot], 8, 1, 0, (int)id, id, &o);
			CU_ASSERT_EQUAL(r, DP_FRAG_COMPLETE);
			if (r != DP_FRAG_COMPLETE)
				return;
			CU_ASSERT_EQUAL(tab.d[o.idx].key.id, live[slot]);
			dp_frag_release(&tab, o.idx);
		}
		CU_ASSERT_EQUAL(add(id, 0, 8, 1, (int)id, id, &o),
				DP_FRAG_HELD);
		live[slot] = id;
	}
	CU_ASSERT_EQUAL(tab.used, NB);
}

/* A complete datagram waits for its release (the end of the burst): it
 * is never expired nor evicted, and fragments of its key do not join it. */
static void
test_complete_until_released(void)
{
	struct dp_frag_out o;
	uint32_t done;
	int i;

	CU_ASSERT_EQUAL(add(1, 0, 8, 1, 0, 0, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(add(1, 8, 4, 0, 1, 0, &o), DP_FRAG_COMPLETE);
	done = o.idx;
	CU_ASSERT_EQUAL(add(1, 8, 4, 0, 2, 0, &o), DP_FRAG_DUP);
	CU_ASSERT(o.idx == done && o.piece == 1);
	CU_ASSERT_EQUAL(add(1, 0, 16, 1, 3, 0, &o), DP_FRAG_LATE);
	CU_ASSERT_EQUAL(add(1, 16, 8, 0, 4, 0, &o), DP_FRAG_LATE);
	CU_ASSERT_EQUAL(tab.d[done].nb, 2);
	CU_ASSERT_EQUAL(dp_frag_oldest(&tab, 1000 * TMO, 0), DP_FRAG_NONE_IDX);
	CU_ASSERT_EQUAL(dp_frag_oldest(&tab, 0, 1), DP_FRAG_NONE_IDX);
	for (i = 2; i <= NB; i++)
		CU_ASSERT_EQUAL(add((uint32_t)i, 0, 8, 1, i, 5, &o),
				DP_FRAG_HELD);
	/* full: eviction takes the oldest incomplete one, not the done one */
	CU_ASSERT_EQUAL(add(9, 0, 8, 1, 9, 6, &o), DP_FRAG_FULL);
	CU_ASSERT_EQUAL(tab.d[dp_frag_oldest(&tab, 0, 1)].key.id, 2);
	dp_frag_release(&tab, done);
	/* released: the key starts a new datagram */
	CU_ASSERT_EQUAL(add(1, 0, 8, 1, 10, 7, &o), DP_FRAG_HELD);
	CU_ASSERT_EQUAL(tab.d[o.idx].nb, 1);
	CU_ASSERT_EQUAL(tab.used, NB);
}

static const struct bw_cunit_test tests[] = {
	{"bounds", test_bounds},
	{"in order and reversed", test_in_order_and_reversed},
	{"interleaved", test_interleaved},
	{"overlaps and duplicates", test_overlaps},
	{"protocol mismatch", test_proto_mismatch},
	{"invalid alone", test_invalid_alone},
	{"per-datagram limit", test_per_datagram_limit},
	{"timeout and full table", test_timeout_and_full},
	{"index churn", test_index_churn},
	{"complete until released", test_complete_until_released},
};

int
main(void)
{
	const struct bw_cunit_suite suite = {.name = "frag", .setup = setup};
	int rc;

	rc = bw_cunit_run_suite(&suite, tests,
				sizeof(tests) / sizeof(tests[0]));
	free(mem);
	return rc;
}
