/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the commit plan of a transaction (ctl_txn_plan() in
 * control/commit/ctl_txn.c): DELTA against FULL (and no-op) decisions on
 * prefix changes, limits, re-typed, new and dropped lists, with each
 * DELTA accepted by the dataplane's own model code and leaving its model
 * equal to the FULL image's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_image.h"
#include "ctl_txn.h"
#include "bw_image_view.h"
#include "bw_routes.h"
#include "test_state_util.h"

/* Base ruleset of the plan tests: two lists. */
static void
plan_base(struct ctl_ruleset *rs)
{
	static const char *const a[] = {"10.0.0.0/8", "192.0.2.0/24",
					"2001:db8::/32", NULL};
	static const char *const b[] = {"10.1.0.0/16", NULL};

	memset(rs, 0, sizeof(*rs));
	state_add_list(rs, "blocked", BW_ACTION_DROP, BW_MATCH_ANY, a);
	state_add_list(rs, "ours", BW_ACTION_ALLOW, BW_MATCH_SRC, b);
	rs->generation = 1;
}

/* Remove the prefix s, which must be there, from list l. */
static void
set_remove(struct ctl_list *l, const char *s)
{
	struct ctl_prefix p;
	int i;

	state_pfx(&p, s);
	i = ctl_prefix_set_find(&l->set, &p);
	CU_ASSERT_FATAL(i >= 0);
	memmove(&l->set.v[i], &l->set.v[i + 1],
		(l->set.n - (size_t)i - 1) * sizeof(l->set.v[0]));
	l->set.n--;
}

/*
 * The DELTA of base -> cur must be what the dataplane accepts against
 * base's FULL image, and leave its model equal to cur's FULL image's.
 */
static void
delta_accepted(const struct ctl_ruleset *base, const struct ctl_ruleset *cur,
	       const struct ctl_delta_entry *d, size_t nb)
{
	struct bw_model m_base, m_cur;
	struct bw_image_view v, vd;
	struct ctl_image_meta meta;
	char why[BW_IMAGE_WHY_LEN];
	size_t len_b, len_c, len_d;
	void *ib, *ic, *id = NULL;
	struct bw_ops ops;
	int act, fam;

	ib = state_full_image(base, 1, &len_b);
	ic = state_full_image(cur, 2, &len_c);
	memset(&meta, 0, sizeof(meta));
	meta.generation = 2;
	meta.parent_gen = 1;
	CU_ASSERT_FATAL(ctl_image_write_delta(cur, d, nb, &meta, &id, &len_d) ==
			0);
	CU_ASSERT_FATAL(bw_image_validate(ib, len_b, &v, NULL, 0) == 0);
	CU_ASSERT_FATAL(bw_model_from_full(&v, &m_base) == 0);
	CU_ASSERT_FATAL(bw_image_validate(id, len_d, &vd, why, sizeof(why)) ==
			0);
	memset(&ops, 0, sizeof(ops));
	CU_ASSERT_EQUAL(
		bw_model_apply_delta(&m_base, &vd, &ops, why, sizeof(why)), 0);
	CU_ASSERT_FATAL(bw_image_validate(ic, len_c, &v, NULL, 0) == 0);
	CU_ASSERT_FATAL(bw_model_from_full(&v, &m_cur) == 0);
	for (act = 0; act < BW_ACT_COUNT; act++) {
		for (fam = 0; fam < BW_FAM_COUNT; fam++) {
			const struct bw_rtable *x = &m_base.tab[act][fam];
			const struct bw_rtable *y = &m_cur.tab[act][fam];
			uint32_t i;

			CU_ASSERT_EQUAL_FATAL(x->n, y->n);
			for (i = 0; i < x->n; i++) {
				CU_ASSERT_EQUAL(x->r[i].len, y->r[i].len);
				CU_ASSERT_EQUAL(x->r[i].nh, y->r[i].nh);
				CU_ASSERT(memcmp(x->r[i].addr, y->r[i].addr,
						 16) == 0);
			}
		}
	}
	bw_ops_free(&ops);
	bw_model_free(&m_base);
	bw_model_free(&m_cur);
	free(ib);
	free(ic);
	free(id);
}

/*
 * Plan base -> cur and check the kind of plan: a DELTA has nb_want
 * entries and is one the dataplane accepts (delta_accepted()), other
 * plans have none. Returns the entries, for the caller to free.
 */
static struct ctl_delta_entry *
plan_is(const struct ctl_ruleset *base, const struct ctl_ruleset *cur,
	int structural, size_t delta_max, int want, size_t nb_want)
{
	struct ctl_delta_entry *d;
	size_t nb;

	CU_ASSERT_EQUAL_FATAL(
		ctl_txn_plan(base, cur, structural, delta_max, &d, &nb), want);
	if (want != CTL_PLAN_DELTA) {
		CU_ASSERT_PTR_NULL(d);
		return d;
	}
	CU_ASSERT_EQUAL_FATAL(nb, nb_want);
	delta_accepted(base, cur, d, nb);
	return d;
}

static void
test_plan(void)
{
	struct ctl_ruleset base, cur;
	struct ctl_delta_entry *d;
	char s[32];
	int i;

	plan_base(&base);
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_NOOP, 0));
	/* structural with nothing changed (drop and re-create): no-op */
	free(plan_is(&base, &cur, 1, 100, CTL_PLAN_NOOP, 0));

	/* one addition: a delta with one ADD in the right list */
	state_set_put(&cur.lists[1], "198.51.100.7/32");
	d = plan_is(&base, &cur, 0, 100, CTL_PLAN_DELTA, 1);
	CU_ASSERT_EQUAL(d[0].list, 1);
	CU_ASSERT_EQUAL(d[0].op, BW_OP_ADD);
	CU_ASSERT_EQUAL(d[0].p.len, 32);
	free(d);

	/* added, then removed again: nothing */
	set_remove(&cur.lists[1], "198.51.100.7/32");
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_NOOP, 0));

	/* a removal and additions in both lists and families */
	set_remove(&cur.lists[0], "192.0.2.0/24");
	state_set_put(&cur.lists[0], "2001:db8:1::/48");
	state_set_put(&cur.lists[1], "10.2.0.0/16");
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_DELTA, 3));

	/* exactly delta_max changes: delta; one more: full */
	free(plan_is(&base, &cur, 0, 3, CTL_PLAN_DELTA, 3));
	free(plan_is(&base, &cur, 0, 2, CTL_PLAN_FULL, 0));
	/* a structural change forces a full image */
	free(plan_is(&base, &cur, 1, 100, CTL_PLAN_FULL, 0));
	ctl_ruleset_free(&cur);

	/* many changes: full above the limit */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	for (i = 0; i < 300; i++) {
		snprintf(s, sizeof(s), "172.16.%d.%d/32", i / 256, i % 256);
		state_set_put(&cur.lists[0], s);
	}
	free(plan_is(&base, &cur, 0, 300, CTL_PLAN_DELTA, 300));
	free(plan_is(&base, &cur, 0, 299, CTL_PLAN_FULL, 0));
	ctl_ruleset_free(&cur);

	/* a re-typed list: full, even without prefix changes */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	cur.lists[0].match = BW_MATCH_DST;
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_FULL, 0));
	cur.lists[0].match = BW_MATCH_ANY;
	cur.lists[1].action = BW_ACTION_DROP;
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_FULL, 0));
	ctl_ruleset_free(&cur);

	/* a new list, a dropped list: full */
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	state_add_list(&cur, "new", BW_ACTION_DROP, BW_MATCH_ANY, NULL);
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_FULL, 0));
	ctl_ruleset_free(&cur);
	CU_ASSERT_FATAL(ctl_ruleset_dup(&cur, &base) == 0);
	CU_ASSERT_EQUAL(ctl_ruleset_del_list(&cur, "ours"), 0);
	free(plan_is(&base, &cur, 0, 100, CTL_PLAN_FULL, 0));
	ctl_ruleset_free(&cur);
	ctl_ruleset_free(&base);
}

static const struct bw_cunit_test tests[] = {
	{"commit plan: delta or full", test_plan},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("state_plan", tests);
}
