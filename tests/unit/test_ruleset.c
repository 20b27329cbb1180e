/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of a ruleset commit (dataplane/ruleset.c) and of the packet
 * pipeline under it (dataplane/pipeline.c, the list stage), under EAL
 * (--no-huge --no-pci, no shared config, no port): images written by
 * bulwarkctl's own writer (ctl_image.h) go through dp_rsctl_apply(); the
 * refusals must leave the ruleset in force as it was, and the verdicts
 * of the burst must equal those of an oracle that knows the lists
 * (allow 192.0.2.16/28 wins over block 192.0.2.0/25, by source).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bw_eal.h"
#include "bw_cunit.h"
#include "ctl_image.h"
#include "dp.h"
#include "dp_ruleset.h"
#include "dp_status.h"

#define NB_MBUFS 512

static struct rte_mempool *pool;
static struct dp_status status;
static struct dp_rsctl rsctl;
static struct dp_worker *w;
static uint8_t malformed_drop[BW_REASON_MAX];

/* A ruleset of two lists by source: block 192.0.2.0/25, allow /28 in it. */
static int
lists_make(struct ctl_ruleset *rs)
{
	static const struct {
		const char *name, *prefix;
		uint16_t action;
	} def[] = {
		{"bad", "192.0.2.0/25", BW_ACTION_DROP},
		{"good", "192.0.2.16/28", BW_ACTION_ALLOW},
	};
	struct ctl_prefix p;
	struct ctl_list *l;
	unsigned int i;
	int host_bits;

	memset(rs, 0, sizeof(*rs));
	for (i = 0; i < RTE_DIM(def); i++) {
		if (ctl_ruleset_add_list(rs, def[i].name, def[i].action,
					 BW_MATCH_SRC, &l) != 0 ||
		    ctl_prefix_parse(def[i].prefix, strlen(def[i].prefix), &p,
				     &host_bits) != 0 ||
		    ctl_prefix_set_add(&l->set, &p) != 0)
			return -1;
		ctl_prefix_set_sort_unique(&l->set);
	}
	return 0;
}

/* A FULL image of the two lists: generation gen on top of parent. */
static int
image_full(uint64_t gen, uint64_t parent, void **img, size_t *len)
{
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	int ret;

	if (lists_make(&rs) != 0) {
		ctl_ruleset_free(&rs);
		return -1;
	}
	memset(&m, 0, sizeof(m));
	m.generation = gen;
	m.parent_gen = parent;
	snprintf(m.comment, sizeof(m.comment), "test_ruleset");
	ret = ctl_image_write_full(&rs, &m, img, len);
	ctl_ruleset_free(&rs);
	return ret;
}

/* A DELTA image that adds 198.51.100.0/24 to the block list. */
static int
image_delta(uint64_t gen, uint64_t parent, void **img, size_t *len)
{
	struct ctl_delta_entry d;
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct ctl_list *l;
	int host_bits, ret;

	memset(&d, 0, sizeof(d));
	if (lists_make(&rs) != 0 ||
	    (l = ctl_ruleset_find(&rs, "bad")) == NULL ||
	    ctl_prefix_parse("198.51.100.0/24", 15, &d.p, &host_bits) != 0 ||
	    ctl_prefix_set_add(&l->set, &d.p) != 0) {
		ctl_ruleset_free(&rs);
		return -1;
	}
	ctl_prefix_set_sort_unique(&l->set);
	d.list = (uint16_t)l->id;
	d.op = BW_OP_ADD;
	memset(&m, 0, sizeof(m));
	m.generation = gen;
	m.parent_gen = parent;
	ret = ctl_image_write_delta(&rs, &d, 1, &m, img, len);
	ctl_ruleset_free(&rs);
	return ret;
}

/*
 * Apply img and return the reply; *ret gets dp_rsctl_apply()'s return.
 * The apply levels the other copy after it, as the control thread does.
 */
static struct bw_ctl_reply
apply(const void *img, size_t len, int boot, int *ret)
{
	struct bw_ctl_reply rep;

	memset(&rep, 0, sizeof(rep));
	*ret = dp_rsctl_apply(&rsctl, img, len, boot, &rep);
	dp_rsctl_level(&rsctl);
	return rep;
}

/* A refused image leaves the ruleset object and generation in force. */
static void
check_refused(const void *img, size_t len, int boot, uint16_t status_want,
	      const char *msg_want)
{
	const struct dp_ruleset *before = rsctl.active;
	uint64_t gen = before != NULL ? before->generation : 0;
	struct bw_ctl_reply rep;
	int ret;

	rep = apply(img, len, boot, &ret);
	CU_ASSERT(ret < 0);
	CU_ASSERT_EQUAL(rep.status, status_want);
	CU_ASSERT_EQUAL(rep.err, ret);
	if (msg_want != NULL)
		CU_ASSERT_STRING_EQUAL(rep.message, msg_want);
	CU_ASSERT_PTR_EQUAL(rsctl.active, before);
	CU_ASSERT_EQUAL(rep.applied_gen, gen);
	if (rsctl.active != NULL)
		CU_ASSERT_EQUAL(rsctl.active->generation, gen);
}

static void
test_refusals_before_any_ruleset(void)
{
	static const uint8_t junk[256] = {1, 2, 3};
	void *img;
	size_t len;

	check_refused(junk, 0, 0, BW_CTL_REFUSED, "image size out of range");
	check_refused(junk, sizeof(junk), 0, BW_CTL_REFUSED, NULL);
	CU_ASSERT_PTR_NULL(rsctl.active);
	/* a DELTA needs a model to apply to: none at boot */
	CU_ASSERT_FATAL(image_delta(2, 1, &img, &len) == 0);
	check_refused(img, len, 1, BW_CTL_REFUSED,
		      "a full image is needed (no base for a delta)");
	free(img);
	/* a FULL image made against a generation not in force */
	CU_ASSERT_FATAL(image_full(5, 4, &img, &len) == 0);
	check_refused(img, len, 0, BW_CTL_CONFLICT,
		      "image made against generation 4, generation 0 is in "
		      "force");
	free(img);
	CU_ASSERT_PTR_NULL(rsctl.active);
}

static void
test_full_then_delta(void)
{
	struct bw_ctl_reply rep;
	void *img;
	size_t len;
	int ret;

	CU_ASSERT_FATAL(image_full(1, 0, &img, &len) == 0);
	rep = apply(img, len, 0, &ret);
	free(img);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_EQUAL(rep.status, BW_CTL_OK);
	CU_ASSERT_EQUAL(rep.applied_gen, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsctl.active);
	CU_ASSERT_EQUAL(rsctl.active->generation, 1);
	CU_ASSERT_PTR_NOT_NULL(rsctl.active->fib4[BW_ACT_BLOCK]);
	CU_ASSERT_PTR_NOT_NULL(rsctl.active->fib4[BW_ACT_ALLOW]);
	CU_ASSERT_PTR_NULL(rsctl.active->fib6[BW_ACT_BLOCK]);
	CU_ASSERT_PTR_NULL(rsctl.active->bpf);
	CU_ASSERT_PTR_NULL(rsctl.active->match);
	CU_ASSERT_STRING_EQUAL(rep.message,
			       "generation 1: 2 lists, 0 programs, "
			       "0 rules, 2 FIB changes");
	CU_ASSERT_EQUAL(
		__atomic_load_n(&status.hdr->applied_gen, __ATOMIC_ACQUIRE), 1);

	/* a stale FULL (parent 0, 1 in force) changes nothing */
	CU_ASSERT_FATAL(image_full(2, 0, &img, &len) == 0);
	check_refused(img, len, 0, BW_CTL_CONFLICT,
		      "image made against generation 0, generation 1 is in "
		      "force");
	free(img);

	/* a DELTA on top: the other copy of the tables goes in force */
	CU_ASSERT_FATAL(image_delta(2, 1, &img, &len) == 0);
	rep = apply(img, len, 0, &ret);
	free(img);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_EQUAL(rep.status, BW_CTL_OK);
	CU_ASSERT_EQUAL(rsctl.active->generation, 2);
	CU_ASSERT_STRING_EQUAL(rep.message,
			       "generation 2: 2 lists, 0 programs, "
			       "0 rules, 1 FIB changes");
}

/* An IPv4/UDP frame from 192.0.2.src_low (or 198.51.100.src_low). */
static struct rte_mbuf *
frame_from(uint8_t net, uint8_t src_low)
{
	static const uint8_t hdr[42] = {
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		/* IPv4, total length 28 + 18 payload bytes, UDP */
		0x45, 0, 0, 46, 0, 0, 0x40, 0, 64, 17, 0, 0, 192, 0, 2, 0, 10,
		0, 0, 2,
		/* UDP 1024 -> 2048, 26 bytes */
		0x04, 0x00, 0x08, 0x00, 0, 26, 0, 0};
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, 60);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, 60);
	memcpy(p, hdr, sizeof(hdr));
	if (net != 0) {
		p[26] = 198;
		p[27] = 51;
		p[28] = 100;
	}
	p[29] = src_low;
	return m;
}

/*
 * The oracle: 192.0.2.16/28 allowed, the rest of 192.0.2.0/25 blocked,
 * and 198.51.100.0/24 blocked once the delta is in; else passed.
 */
static int
oracle_blocked(uint8_t net, uint8_t low)
{
	if (net != 0)
		return 1;
	if (low >= 16 && low < 32)
		return 0;
	return low < 128;
}

static void
test_pipeline_verdicts(void)
{
	struct rte_mbuf *pkts[DP_BURST], *pass[DP_BURST], *drop[DP_BURST];
	struct bw_worker_stats *st = w->st;
	uint64_t drops_before = st->reason_drop_pkts[BW_REASON_BLOCKLIST];
	uint16_t n = DP_BURST, np, nd, i, want_drop = 0, k;
	uint8_t net[DP_BURST], low[DP_BURST];
	const struct dp_ruleset *rs =
		__atomic_load_n(&rsctl.active, __ATOMIC_ACQUIRE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	for (i = 0; i < n; i++) {
		net[i] = i % 5 == 4;
		low[i] = (uint8_t)(i * 7 + 3);
		pkts[i] = frame_from(net[i], low[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pkts[i]);
		want_drop += oracle_blocked(net[i], low[i]);
	}
	np = dp_pipeline_run(w, rs, DP_DIR_INBOUND, pkts, n, pass, drop, &nd);
	CU_ASSERT_EQUAL(np + nd, n);
	CU_ASSERT_EQUAL(nd, want_drop);
	CU_ASSERT_EQUAL(st->reason_drop_pkts[BW_REASON_BLOCKLIST] -
				drops_before,
			want_drop);
	/* each packet on the side the oracle says, in burst order */
	for (i = 0, k = 0; i < n; i++) {
		if (oracle_blocked(net[i], low[i]))
			continue;
		CU_ASSERT(k < np && pass[k] == pkts[i]);
		k++;
	}
	rte_pktmbuf_free_bulk(pass, np);
	rte_pktmbuf_free_bulk(drop, nd);
}

static void
test_no_ruleset_fail_closed(void)
{
	struct rte_mbuf *pkts[4], *pass[4], *drop[4];
	uint16_t np, nd, i;

	for (i = 0; i < 4; i++) {
		pkts[i] = frame_from(0, 200);
		CU_ASSERT_PTR_NOT_NULL_FATAL(pkts[i]);
	}
	/* without a ruleset: fail open passes all, fail closed drops all */
	np = dp_pipeline_run(w, NULL, DP_DIR_INBOUND, pkts, 2, pass, drop, &nd);
	CU_ASSERT_EQUAL(np, 2);
	CU_ASSERT_EQUAL(nd, 0);
	rte_pktmbuf_free_bulk(pass, np);
	w->fail_closed = 1;
	np = dp_pipeline_run(w, NULL, DP_DIR_INBOUND, &pkts[2], 2, pass, drop,
			     &nd);
	w->fail_closed = 0;
	CU_ASSERT_EQUAL(np, 0);
	CU_ASSERT_EQUAL(nd, 2);
	CU_ASSERT_EQUAL(w->st->reason_drop_pkts[BW_REASON_NO_RULESET], 2);
	rte_pktmbuf_free_bulk(drop, nd);
}

static void
test_no_mbuf_leaked(void)
{
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static const struct bw_cunit_test tests[] = {
	{"refusals before any ruleset", test_refusals_before_any_ruleset},
	{"without a ruleset: fail open and fail closed",
	 test_no_ruleset_fail_closed},
	{"a FULL, a stale FULL and a DELTA", test_full_then_delta},
	{"list verdicts equal the oracle's", test_pipeline_verdicts},
	{"every mbuf back in the pool", test_no_mbuf_leaked},
};

/* One worker without ports (bw_eal.h). */
int
main(void)
{
	int ret;

	if (bw_ut_dp_setup("ruleset", 256, NB_MBUFS, &pool, &status, &rsctl, &w,
			   malformed_drop) != 0)
		return 1;
	ret = BW_CUNIT_RUN("ruleset", tests);
	bw_ut_dp_teardown(pool, &status, &rsctl, w);
	return ret;
}
