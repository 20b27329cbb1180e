/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the content rule stage (dataplane/match.c, built by
 * match_build.c) under EAL (--no-huge --no-pci, no shared config, no
 * port): rules compiled by bulwarkctl's own code (ctl_rules.h,
 * ctl_rtab.h) into a FULL image go in through dp_rsctl_apply(), once with
 * scan groups and once with a single block database; bursts of UDP
 * packets with random payloads then go through dp_pipeline_run(), and
 * each verdict and each rule's hit counter must equal what an oracle
 * computes with memmem() over the payload: a pass rule wins over drop,
 * drop over alert, and only the rules that decide are counted.
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

#include "bw_testdata.h"
#include "bw_eal.h"
#include "bw_cunit.h"
#include "ctl_image.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"
#include "dp.h"
#include "dp_ruleset.h"
#include "dp_status.h"

#define NB_MBUFS    512
#define PAYLOAD_MAX 300

static const char rules_text[] =
	"drop udp any any -> any any (msg:\"evil\"; content:\"EVIL\"; "
	"sid:1;)\n"
	"alert udp any any -> any 2048 (msg:\"note\"; content:\"NOTE\"; "
	"sid:2;)\n"
	"pass udp any any -> any any (msg:\"ok\"; content:\"EVILOK\"; "
	"sid:3;)\n";

static struct rte_mempool *pool;
static struct dp_status status;
static struct dp_rsctl rsctl;
static struct dp_worker *w;
static uint8_t malformed_drop[BW_REASON_MAX];
static uint64_t gen;
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t
rnd(void)
{
	return bw_test_rnd(&rng);
}

/* Compile rules_text into a FULL image laid out as layout. */
static int
image_rules(enum ctl_rtab_layout layout, uint64_t g, uint64_t parent,
	    void **img, size_t *len)
{
	static struct ctl_ruleset rs;
	struct ctl_image_meta m;
	struct ctl_rules rules;
	char err[512];
	int ret;

	memset(&rs, 0, sizeof(rs));
	ctl_rules_init(&rules);
	ret = ctl_rules_load_buf(&rules, "t.rules", rules_text,
				 strlen(rules_text), NULL, NULL);
	if (ret == 0 && rules.nb_rules != 3)
		ret = -EINVAL;
	if (ret == 0)
		ret = ctl_rtab_build_layout(&rules, NULL, layout, &rs.rtab,
					    NULL, err, sizeof(err));
	ctl_rules_free(&rules);
	if (ret != 0) {
		fprintf(stderr, "test_match: rules: %s\n", err);
		return ret;
	}
	memset(&m, 0, sizeof(m));
	m.generation = g;
	m.parent_gen = parent;
	ret = ctl_image_write_full(&rs, &m, img, len);
	ctl_ruleset_free(&rs);
	return ret;
}

/* An IPv4/UDP frame 1024 -> dport carrying the n bytes at pl. */
static struct rte_mbuf *
udp_frame(uint16_t dport, const uint8_t *pl, uint16_t n)
{
	static const uint8_t hdr[42] = {
		0x02, 0, 0,  0, 0, 1, 0x02, 0,	  0,  0,  0, 2, 0x08, 0x00,
		0x45, 0, 0,  0, 0, 0, 0x40, 0,	  64, 17, 0, 0, 10,   0,
		0,    1, 10, 0, 0, 2, 0x04, 0x00, 0,  0,  0, 0, 0,    0};
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t len = (uint16_t)(sizeof(hdr) + n);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, RTE_MAX(len, 60));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, RTE_MAX(len, 60));
	memcpy(p, hdr, sizeof(hdr));
	memcpy(p + sizeof(hdr), pl, n);
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[36] = (uint8_t)(dport >> 8);
	p[37] = (uint8_t)dport;
	p[38] = (uint8_t)((n + 8) >> 8);
	p[39] = (uint8_t)(n + 8);
	return m;
}

/* A payload of lowercase noise with some of the rules' words in it. */
static uint16_t
payload_random(uint8_t *pl)
{
	static const char *const words[] = {"EVIL", "NOTE", "EVILOK", "EVI",
					    "OTE"};
	uint16_t n = (uint16_t)(rnd() % PAYLOAD_MAX), i;
	size_t wl;

	for (i = 0; i < n; i++)
		pl[i] = (uint8_t)('a' + rnd() % 26);
	for (i = 0; i < 3; i++) {
		const char *wd = words[rnd() % RTE_DIM(words)];

		wl = strlen(wd);
		if (rnd() % 2 == 0 || n < wl)
			continue;
		memcpy(&pl[rnd() % (n - wl + 1)], wd, wl);
	}
	return n;
}

static int
has(const uint8_t *pl, uint16_t n, const char *s)
{
	return memmem(pl, n, s, strlen(s)) != NULL;
}

/* The rule table index of sid in the set in force (-1: none). */
static int
rule_index(uint32_t sid)
{
	const struct dp_match_set *s = rsctl.match;
	uint32_t i;

	for (i = 0; s != NULL && i < s->nb_rules; i++)
		if (s->rules[i].sid == sid)
			return (int)i;
	return -1;
}

static void
apply_layout(enum ctl_rtab_layout layout)
{
	struct bw_ctl_reply rep;
	void *img;
	size_t len;
	int ret;

	CU_ASSERT_FATAL(image_rules(layout, gen + 1, gen, &img, &len) == 0);
	memset(&rep, 0, sizeof(rep));
	ret = dp_rsctl_apply(&rsctl, img, len, 0, &rep);
	dp_rsctl_level(&rsctl);
	free(img);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	gen++;
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsctl.active);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rsctl.active->match);
	CU_ASSERT_EQUAL(rsctl.active->match->nb_rules, 3);
}

/* Bursts against the oracle under the set in force. */
static void
bursts_check(unsigned int nb_bursts)
{
	struct rte_mbuf *pkts[DP_BURST], *pass[DP_BURST], *drop[DP_BURST];
	static uint8_t pl[DP_BURST][PAYLOAD_MAX];
	uint64_t want_hits[4] = {0}, got0[4], want_drops = 0;
	const struct dp_match_set *s = rsctl.match;
	struct bw_rule_stats *rst = w->rst[s->bank & 1];
	uint16_t n[DP_BURST], dport[DP_BURST], np, nd, i, k;
	int idx[4], dropped, e, o, p;
	unsigned int b;
	uint32_t sid;

	for (sid = 1; sid <= 3; sid++) {
		idx[sid] = rule_index(sid);
		CU_ASSERT_FATAL(idx[sid] >= 0);
		got0[sid] = rst[idx[sid]].pkts;
	}
	want_drops = w->st->reason_drop_pkts[BW_REASON_RULE];
	for (b = 0; b < nb_bursts; b++) {
		for (i = 0; i < DP_BURST; i++) {
			n[i] = payload_random(pl[i]);
			dport[i] = rnd() % 2 ? 2048 : 53;
			pkts[i] = udp_frame(dport[i], pl[i], n[i]);
			CU_ASSERT_PTR_NOT_NULL_FATAL(pkts[i]);
		}
		np = dp_pipeline_run(w, rsctl.active, DP_DIR_INBOUND, pkts,
				     DP_BURST, pass, drop, &nd);
		CU_ASSERT_EQUAL(np + nd, DP_BURST);
		for (i = 0, k = 0; i < DP_BURST; i++) {
			e = has(pl[i], n[i], "EVIL");
			o = has(pl[i], n[i], "NOTE") && dport[i] == 2048;
			p = has(pl[i], n[i], "EVILOK");
			dropped = e && !p;
			if (p) {
				want_hits[3]++;
			} else {
				want_hits[1] += e;
				want_hits[2] += o;
			}
			want_drops += dropped;
			if (!dropped) {
				CU_ASSERT(k < np && pass[k] == pkts[i]);
				k++;
			}
		}
		rte_pktmbuf_free_bulk(pass, np);
		rte_pktmbuf_free_bulk(drop, nd);
	}
	CU_ASSERT_EQUAL(w->st->reason_drop_pkts[BW_REASON_RULE], want_drops);
	for (sid = 1; sid <= 3; sid++) {
		CU_ASSERT_EQUAL(rst[idx[sid]].pkts - got0[sid], want_hits[sid]);
		CU_ASSERT(want_hits[sid] > 0); /* the bursts tried each rule */
	}
}

static void
test_groups_layout(void)
{
	apply_layout(CTL_RTAB_GROUPS);
	bursts_check(40);
}

static void
test_single_layout(void)
{
	apply_layout(CTL_RTAB_SINGLE);
	bursts_check(40);
}

static void
test_no_mbuf_leaked(void)
{
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static const struct bw_cunit_test tests[] = {
	{"scan groups: verdicts and hits equal the oracle's",
	 test_groups_layout},
	{"one block database: verdicts and hits equal the oracle's",
	 test_single_layout},
	{"every mbuf back in the pool", test_no_mbuf_leaked},
};

/* One worker without ports (bw_eal.h). */
int
main(void)
{
	int ret;

	if (bw_ut_dp_setup("match", 256, NB_MBUFS, &pool, &status, &rsctl, &w,
			   malformed_drop) != 0)
		return 1;
	ret = BW_CUNIT_RUN("match", tests);
	bw_ut_dp_teardown(pool, &status, &rsctl, w);
	return ret;
}
