/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the per-worker TCP flow table (dataplane/flow.c,
 * dp_flow.h) under EAL (--no-huge --no-pci, no shared config): the
 * symmetric key of both directions of a connection, and a table driven by
 * random inserts, lookups, deletions and aging, checked after every step
 * against an oracle of its own (a plain array of the live flows and the
 * time each was last seen).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>

#include "bw_testdata.h"
#include "bw_eal.h"
#include "bw_cunit.h"
#include "dp.h"
#include "dp_flow.h"

#define NB_FLOWS 256 /* table capacity asked for */
#define NB_KEYS	 200 /* distinct connections the test knows */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
	return bw_test_rnd(&rng);
}

/*
 * A TCP packet between two random ends, IPv4 or IPv6 (the same address at
 * both ends when same_addr), and in rev (when not NULL) the packet of the
 * other direction, built from the same draws with the ends' roles swapped.
 */
static void
pkt_random2(struct dp_pkt *pi, struct dp_pkt *rev, int v6, int same_addr)
{
	unsigned int i, words = v6 ? 4 : 1;
	struct dp_pkt tmp;
	uint32_t a, b;
	uint16_t sp, dp;

	if (rev == NULL)
		rev = &tmp;
	memset(pi, 0, sizeof(*pi));
	pi->l3 = v6 ? DP_L3_IPV6 : DP_L3_IPV4;
	pi->l4_proto = 6;
	pi->flags = DP_PKT_L4;
	*rev = *pi;
	for (i = 0; i < words; i++) {
		a = (uint32_t)rnd();
		b = (uint32_t)rnd();
		if (same_addr)
			b = a;
		pi->src.a32[i] = rev->dst.a32[i] = a;
		pi->dst.a32[i] = rev->src.a32[i] = b;
	}
	sp = (uint16_t)rnd();
	dp = (uint16_t)rnd();
	pi->sport = rev->dport = sp;
	pi->dport = rev->sport = dp;
}

static void
pkt_random(struct dp_pkt *pi, int v6)
{
	pkt_random2(pi, NULL, v6, 0);
}

static void
test_key_symmetric(void)
{
	struct dp_flow_key k1, k2;
	struct dp_pkt pi, rev;
	uint8_t d1, d2;
	unsigned int i;

	for (i = 0; i < 2000; i++) {
		/* every 7th: the same address both ends, ports decide */
		pkt_random2(&pi, &rev, i & 1, i % 7 == 0);
		dp_flow_key_of(&pi, &k1, &d1);
		dp_flow_key_of(&rev, &k2, &d2);
		CU_ASSERT(memcmp(&k1, &k2, sizeof(k1)) == 0);
		if (pi.sport != pi.dport ||
		    memcmp(&pi.src, &pi.dst, sizeof(pi.src)) != 0)
			CU_ASSERT_EQUAL(d1 ^ d2, 1);
		CU_ASSERT_EQUAL(k1.family, (i & 1) ? 6 : 4);
	}
	/* and two different connections never share a key */
	pkt_random(&pi, 0);
	rev = pi;
	rev.sport++;
	dp_flow_key_of(&pi, &k1, &d1);
	dp_flow_key_of(&rev, &k2, &d2);
	CU_ASSERT(memcmp(&k1, &k2, sizeof(k1)) != 0);
}

/* The oracle: which of the test's keys are in the table, and where. */
struct oracle {
	struct dp_flow_key key[NB_KEYS];
	int live[NB_KEYS];
	uint32_t slot[NB_KEYS];
	uint64_t seen[NB_KEYS];
};

static struct oracle o;

/* Every key is where the oracle says (bulk lookup), or absent. */
static void
check_table(struct dp_flow_table *t)
{
	const struct dp_flow_key *kp[DP_BURST];
	int32_t pos[DP_BURST];
	uint32_t i, j, n;

	for (i = 0; i < NB_KEYS; i += n) {
		n = RTE_MIN((uint32_t)DP_BURST, NB_KEYS - i);
		for (j = 0; j < n; j++)
			kp[j] = &o.key[i + j];
		dp_flow_lookup_bulk(t, kp, n, pos);
		for (j = 0; j < n; j++) {
			if (o.live[i + j]) {
				CU_ASSERT_EQUAL(pos[j], (int32_t)o.slot[i + j]);
				CU_ASSERT(t->flows[o.slot[i + j]].used);
				CU_ASSERT_EQUAL(
					t->flows[o.slot[i + j]].last_tsc,
					o.seen[i + j]);
			} else {
				CU_ASSERT_EQUAL(pos[j], -ENOENT);
			}
		}
	}
}

static void
test_table_against_oracle(void)
{
	struct dp_flow_table t;
	struct dp_pkt pi;
	struct dp_flow *f;
	uint64_t now = 1000;
	uint32_t i, k, slot, nb_live = 0, removed, expired = 0;
	uint8_t dir;
	int created;

	memset(&o, 0, sizeof(o));
	const struct dp_flow_params fp = {.nb = NB_FLOWS,
					  .idle_s = 1,
					  .pool_mib = 1,
					  .hold_kib = 4,
					  .ahead_kib = 4};

	CU_ASSERT_FATAL(dp_flow_table_init(&t, 0, &fp, SOCKET_ID_ANY) == 0);
	CU_ASSERT_FATAL(t.nb >= NB_FLOWS);
	for (i = 0; i < NB_KEYS; i++) {
		pkt_random(&pi, (int)(i % 3 == 0));
		dp_flow_key_of(&pi, &o.key[i], &dir);
	}
	for (i = 0; i < 4000; i++) {
		k = (uint32_t)(rnd() % NB_KEYS);
		now += 1 + rnd() % 100;
		if (o.live[k] && rnd() % 4 == 0) {
			dp_flow_del(&t, o.slot[k]);
			o.live[k] = 0;
			nb_live--;
		} else {
			/* a stale position must not matter: t.dels differs */
			f = dp_flow_get(&t, &o.key[k], -ENOENT, t.dels, now, 1,
					&slot, &created);
			CU_ASSERT_PTR_NOT_NULL_FATAL(f);
			CU_ASSERT_EQUAL(created, !o.live[k]);
			if (o.live[k])
				CU_ASSERT_EQUAL(slot, o.slot[k]);
			if (!o.live[k])
				nb_live++;
			o.live[k] = 1;
			o.slot[k] = slot;
			o.seen[k] = now;
			CU_ASSERT_PTR_EQUAL(f, &t.flows[slot]);
			if (created) /* no SYN seen yet */
				CU_ASSERT_EQUAL(f->client, 2);
		}
		if (i % 500 == 0)
			check_table(&t);
	}
	check_table(&t);

	/*
	 * Aging: with the idle time set to 1000 ticks, every flow seen more
	 * than 1000 ticks before now goes, the others stay, however many
	 * steps it takes the cursor to go round.
	 */
	t.idle_tsc = 1000;
	t.embryo_tsc = 1000; /* no flow here is established */
	removed = 0;
	now++;
	for (i = 0; i < 2 * (t.nb / t.age_budget + 2); i++) {
		t.age_next_tsc = 0; /* a step each call, at the same time */
		removed += dp_flow_age(&t, now);
	}
	for (k = 0; k < NB_KEYS; k++) {
		if (o.live[k] && now - o.seen[k] > 1000) {
			o.live[k] = 0;
			nb_live--;
			expired++;
		}
	}
	CU_ASSERT_EQUAL(removed, expired);
	CU_ASSERT(expired > 0);
	check_table(&t);
	CU_ASSERT(nb_live > 0); /* something stayed to be checked */
	dp_flow_table_fini(&t);
}

/* Fill a table of 64 flows; established ones get state est. */
static uint32_t
table_fill(struct dp_flow_table *t, struct dp_flow_key *keys, uint32_t max,
	   int est)
{
	struct dp_pkt pi;
	struct dp_flow *f;
	uint32_t i, slot, nb = 0;
	uint8_t dir;
	int created;

	for (i = 0; i < max; i++) {
		pkt_random(&pi, 0);
		dp_flow_key_of(&pi, &keys[i], &dir);
		f = dp_flow_get(t, &keys[i], -ENOENT, t->dels, 100 + i, 1,
				&slot, &created);
		if (f == NULL)
			break;
		CU_ASSERT(created);
		CU_ASSERT(slot < t->nb);
		if (est)
			f->state = DP_TCPS_ESTABLISHED;
		nb++;
	}
	return nb;
}

static void
test_table_full(void)
{
	const struct dp_flow_params fp = {.nb = 64,
					  .idle_s = 60,
					  .pool_mib = 1,
					  .hold_kib = 4,
					  .ahead_kib = 4};
	struct dp_flow_table t;
	struct dp_flow_key keys[256], key;
	struct dp_pkt pi;
	uint32_t nb, i, slot, found = 0;
	uint8_t dir;
	int created;

	CU_ASSERT_FATAL(dp_flow_table_init(&t, 1, &fp, SOCKET_ID_ANY) == 0);
	CU_ASSERT_FATAL(t.nb <= 256);
	/* established flows only: at least what was asked for fits, then
	 * a full table refuses a new flow and evicts nothing */
	nb = table_fill(&t, keys, 256, 1);
	CU_ASSERT_EQUAL(nb, 64); /* what was asked for, no more */
	CU_ASSERT(nb <= t.nb);
	CU_ASSERT_EQUAL(t.nb_evicted, 0);
	/* a lookup (a stale position: looked up) finds what is there */
	for (i = 0; i < nb; i++)
		found += dp_flow_get(&t, &keys[i], -ENOENT, t.dels - 1, 5000, 0,
				     &slot, &created) != NULL;
	CU_ASSERT_EQUAL(found, nb);
	pkt_random(&pi, 0);
	dp_flow_key_of(&pi, &key, &dir);
	CU_ASSERT_PTR_NULL(dp_flow_get(&t, &key, -ENOENT, t.dels - 1, 1, 0,
				       &slot, &created));
	CU_ASSERT_PTR_NULL(
		dp_flow_get(&t, &key, -ENOENT, t.dels, 1, 1, &slot, &created));
	/* one flow not established: the one a full table evicts */
	t.flows[slot = 7].state = DP_TCPS_SYN_SENT;
	t.evict_cursor = 0;
	CU_ASSERT_PTR_NOT_NULL(
		dp_flow_get(&t, &key, -ENOENT, t.dels, 6000, 1, &i, &created));
	CU_ASSERT(created);
	CU_ASSERT_EQUAL(t.nb_evicted, 1);
	/* the flow at slot 7 went (its slot free or the new flow's) */
	CU_ASSERT(!t.flows[7].used || i == 7);
	CU_ASSERT_EQUAL(t.nb_used, t.cap);
	dp_flow_table_fini(&t);

	/* SYN flood: never-established flows give way, oldest first */
	CU_ASSERT_FATAL(dp_flow_table_init(&t, 1, &fp, SOCKET_ID_ANY) == 0);
	nb = table_fill(&t, keys, 256, 0);
	CU_ASSERT(nb == 256);
	CU_ASSERT(t.nb_evicted >= 256 - t.nb);
	dp_flow_table_fini(&t);
}

static const struct bw_cunit_test tests[] = {
	{"both directions give one key", test_key_symmetric},
	{"random gets, deletions and aging equal the oracle",
	 test_table_against_oracle},
	{"a full table evicts flows not established, refuses when none",
	 test_table_full},
};

/* EAL arguments: memory without hugepages, no device. */
int
main(void)
{
	int ret;

	if (bw_ut_eal_init("flow", 128, NULL, 0) != 0)
		return 1;
	ret = BW_CUNIT_RUN("flow", tests);
	bw_ut_eal_fini();
	return ret;
}
