/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the lookup oracle (control/model/ctl_lookup.c): lookup on
 * nested lists with every match mode and allow over block, cross-checked
 * against the dataplane model's next hops on random addresses; and the
 * names of actions and match modes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_lookup.h"
#include "bw_image_view.h"
#include "bw_routes.h"
#include "test_state_util.h"

/*
 * Nested lists, ids 0..5:
 *   0 wide      drop  any  10.0.0.0/8
 *   1 src16     drop  src  10.1.0.0/16
 *   2 okdst24   allow dst  10.1.2.0/24
 *   3 blk24     drop  any  10.1.2.0/24
 *   4 dup16     drop  any  10.1.0.0/16      (ties with 1 on sources)
 *   5 v6        allow any  2001:db8::/32 ; drop from 6 below
 *   6 v6blk     drop  any  2001:db8:1::/48, 2001:db8:1:2::/64
 *   7 dst32     drop  dst  10.9.9.9/32
 *   8 oksrc     allow src  10.9.0.0/16, 10.9.9.0/24
 */
static void
lookup_rs(struct ctl_ruleset *rs)
{
	static const char *const wide[] = {"10.0.0.0/8", NULL};
	static const char *const src16[] = {"10.1.0.0/16", NULL};
	static const char *const okdst24[] = {"10.1.2.0/24", NULL};
	static const char *const blk24[] = {"10.1.2.0/24", NULL};
	static const char *const dup16[] = {"10.1.0.0/16", NULL};
	static const char *const v6[] = {"2001:db8::/32", NULL};
	static const char *const v6blk[] = {"2001:db8:1::/48",
					    "2001:db8:1:2::/64", NULL};
	static const char *const dst32[] = {"10.9.9.9/32", NULL};
	static const char *const oksrc[] = {"10.9.0.0/16", "10.9.9.0/24", NULL};

	memset(rs, 0, sizeof(*rs));
	state_add_list(rs, "wide", BW_ACTION_DROP, BW_MATCH_ANY, wide);
	state_add_list(rs, "src16", BW_ACTION_DROP, BW_MATCH_SRC, src16);
	state_add_list(rs, "okdst24", BW_ACTION_ALLOW, BW_MATCH_DST, okdst24);
	state_add_list(rs, "blk24", BW_ACTION_DROP, BW_MATCH_ANY, blk24);
	state_add_list(rs, "dup16", BW_ACTION_DROP, BW_MATCH_ANY, dup16);
	state_add_list(rs, "v6", BW_ACTION_ALLOW, BW_MATCH_ANY, v6);
	state_add_list(rs, "v6blk", BW_ACTION_DROP, BW_MATCH_ANY, v6blk);
	state_add_list(rs, "dst32", BW_ACTION_DROP, BW_MATCH_DST, dst32);
	state_add_list(rs, "oksrc", BW_ACTION_ALLOW, BW_MATCH_SRC, oksrc);
	rs->generation = 1;
}

/*
 * Look s up on side; check the deciding list's name ("" for none), its
 * prefix, the verdict and the number of lists that contain s.
 */
static void
expect(const struct ctl_ruleset *rs, const char *s, int side,
       const char *decider, const char *prefix, int drop, uint32_t nb_hits)
{
	struct ctl_lookup_side out;
	char got[CTL_PREFIX_STR_LEN];
	struct ctl_prefix p;

	state_pfx(&p, s);
	ctl_lookup_side(rs, p.family, p.addr, side, &out);
	CU_ASSERT_EQUAL(out.nb_hits, nb_hits);
	CU_ASSERT_EQUAL(out.drop, drop);
	if (decider[0] == '\0') {
		CU_ASSERT_EQUAL(out.decider, -1);
		return;
	}
	CU_ASSERT_FATAL(out.decider >= 0);
	CU_ASSERT_STRING_EQUAL(rs->lists[out.hits[out.decider].index].name,
			       decider);
	ctl_prefix_format(&out.hits[out.decider].match, got, sizeof(got));
	CU_ASSERT_STRING_EQUAL(got, prefix);
}

static void
test_lookup_semantics(void)
{
	struct ctl_ruleset rs;
	struct ctl_lookup_side out;
	struct ctl_prefix p;
	uint32_t i;

	lookup_rs(&rs);
	/* source: the allow list matches destinations only; /24 block wins */
	expect(&rs, "10.1.2.3", CTL_SIDE_SRC, "blk24", "10.1.2.0/24", 1, 5);
	/* destination: allow wins over the longer-or-equal block lists */
	expect(&rs, "10.1.2.3", CTL_SIDE_DST, "okdst24", "10.1.2.0/24", 0, 5);
	/* tie at /16 on sources: lowest id; src16 does not count on dst */
	expect(&rs, "10.1.9.9", CTL_SIDE_SRC, "src16", "10.1.0.0/16", 1, 3);
	expect(&rs, "10.1.9.9", CTL_SIDE_DST, "dup16", "10.1.0.0/16", 1, 3);
	expect(&rs, "10.200.0.1", CTL_SIDE_SRC, "wide", "10.0.0.0/8", 1, 1);
	expect(&rs, "10.200.0.1", CTL_SIDE_DST, "wide", "10.0.0.0/8", 1, 1);
	expect(&rs, "11.0.0.1", CTL_SIDE_SRC, "", "", 0, 0);
	expect(&rs, "11.0.0.1", CTL_SIDE_DST, "", "", 0, 0);
	/* /32 destination block; as a source an allow /24 beats it */
	expect(&rs, "10.9.9.9", CTL_SIDE_DST, "dst32", "10.9.9.9/32", 1, 3);
	expect(&rs, "10.9.9.9", CTL_SIDE_SRC, "oksrc", "10.9.9.0/24", 0, 3);
	/* allow wins even with a shorter prefix than the block */
	expect(&rs, "2001:db8:1:2::1", CTL_SIDE_SRC, "v6", "2001:db8::/32", 0,
	       2);
	expect(&rs, "2001:db8:1:2::1", CTL_SIDE_DST, "v6", "2001:db8::/32", 0,
	       2);
	expect(&rs, "2001:db9::1", CTL_SIDE_SRC, "", "", 0, 0);
	/* IPv4 lists never match an IPv4-mapped IPv6 address */
	expect(&rs, "::ffff:10.1.2.3", CTL_SIDE_SRC, "", "", 0, 0);

	/* the longest prefix of a list is reported, and counts marked */
	state_pfx(&p, "2001:db8:1:2::1");
	ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_SRC, &out);
	for (i = 0; i < out.nb_hits; i++) {
		char got[CTL_PREFIX_STR_LEN];

		ctl_prefix_format(&out.hits[i].match, got, sizeof(got));
		if (strcmp(rs.lists[out.hits[i].index].name, "v6blk") == 0)
			CU_ASSERT_STRING_EQUAL(got, "2001:db8:1:2::/64");
		CU_ASSERT_EQUAL(out.hits[i].counts, 1);
	}
	state_pfx(&p, "10.1.2.3");
	ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_SRC, &out);
	for (i = 0; i < out.nb_hits; i++)
		CU_ASSERT_EQUAL(out.hits[i].counts,
				strcmp(rs.lists[out.hits[i].index].name,
				       "okdst24") != 0);
	ctl_ruleset_free(&rs);
}

/* The deciding list id of the dataplane model for one side, or -1. */
static int
model_decider(const struct bw_model *m, int fam, const uint8_t *addr, int side,
	      int *drop)
{
	uint64_t nh;
	int id;

	nh = bw_model_lookup(m, BW_ACT_ALLOW, fam, addr);
	id = side == CTL_SIDE_SRC ? bw_nh_src(nh) : bw_nh_dst(nh);
	*drop = 0;
	if (id >= 0)
		return id;
	nh = bw_model_lookup(m, BW_ACT_BLOCK, fam, addr);
	id = side == CTL_SIDE_SRC ? bw_nh_src(nh) : bw_nh_dst(nh);
	*drop = id >= 0;
	return id;
}

static uint32_t
rnd(uint64_t *s)
{
	/* xorshift64*: reproducible without libc's rand() state */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545f4914f6cdd1dull) >> 32);
}

static void
test_lookup_vs_model(void)
{
	static const char *const bases[] = {"10.1.2.0",	      "10.1.0.0",
					    "10.9.9.0",	      "10.0.0.0",
					    "2001:db8:1:2::", "2001:db8::"};
	struct ctl_lookup_side out;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	struct ctl_prefix p;
	struct bw_model m;
	uint64_t seed = 42;
	int side, k, drop, id, mismatches = 0;
	size_t len;
	void *img;

	lookup_rs(&rs);
	img = state_full_image(&rs, 1, &len);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, NULL, 0) == 0);
	CU_ASSERT_FATAL(bw_model_from_full(&v, &m) == 0);
	for (k = 0; k < 20000; k++) {
		uint32_t r = rnd(&seed);

		state_pfx(&p, bases[r % 6]);
		/* randomize the low bits around each interesting prefix */
		if (p.family == CTL_PREFIX_V4) {
			p.addr[1] ^= (uint8_t)((r >> 8) & 0x0f ? 0 : r >> 16);
			p.addr[2] ^= (uint8_t)((r >> 4) & 0x3 ? 0 : r >> 24);
			p.addr[3] = (uint8_t)(r >> 12);
		} else {
			p.addr[5] ^= (uint8_t)((r >> 8) & 0x7 ? 0 : r >> 16);
			p.addr[7] ^= (uint8_t)((r >> 4) & 0x3 ? 0 : r >> 24);
			p.addr[15] = (uint8_t)(r >> 12);
		}
		for (side = CTL_SIDE_SRC; side <= CTL_SIDE_DST; side++) {
			ctl_lookup_side(&rs, p.family, p.addr, side, &out);
			id = model_decider(&m,
					   p.family == CTL_PREFIX_V4
						   ? BW_FAM_V4
						   : BW_FAM_V6,
					   p.addr, side, &drop);
			if (id != (out.decider >= 0
					   ? (int)rs.lists[out.hits[out.decider]
								   .index]
						     .id
					   : -1) ||
			    drop != out.drop)
				mismatches++;
		}
	}
	CU_ASSERT_EQUAL(mismatches, 0);
	bw_model_free(&m);
	free(img);
	ctl_ruleset_free(&rs);
}

static void
test_names(void)
{
	uint16_t v;

	CU_ASSERT_STRING_EQUAL(ctl_action_name(BW_ACTION_DROP), "drop");
	CU_ASSERT_STRING_EQUAL(ctl_action_name(BW_ACTION_ALLOW), "allow");
	CU_ASSERT_STRING_EQUAL(ctl_match_name(BW_MATCH_ANY), "any");
	CU_ASSERT_EQUAL(ctl_action_parse("allow", &v), 0);
	CU_ASSERT_EQUAL(v, BW_ACTION_ALLOW);
	CU_ASSERT_EQUAL(ctl_match_parse("dst", &v), 0);
	CU_ASSERT_EQUAL(v, BW_MATCH_DST);
	CU_ASSERT_EQUAL(ctl_match_parse("both", &v), -EINVAL);
	CU_ASSERT_EQUAL(ctl_action_parse("block", &v), -EINVAL);
}

static const struct bw_cunit_test tests[] = {
	{"lookup semantics", test_lookup_semantics},
	{"lookup against the dataplane model", test_lookup_vs_model},
	{"action and match names", test_names},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("state_lookup", tests);
}
