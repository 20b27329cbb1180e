/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ruleset image's scan groups (bw_image.h): an image
 * with hand-made groups, their port map and their databases round trips
 * through the writer and the reader, and bw_image_validate() and the
 * writer refuse each broken field, section pairing and limit with its
 * reason.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "test_image_util.h"

#define GROUP(i, f, v)                                                         \
	TIMG_SET_AT(BW_SEC_HSGROUPS, struct bw_image_hsgroup, i, f, v)
#define HSPORT(i, f, v)                                                        \
	TIMG_SET_AT(BW_SEC_HSPORTS, struct bw_image_hsport, i, f, v)
#define HSPORT_SWAP(i, j)                                                      \
	TIMG_SWAP_EL(BW_SEC_HSPORTS, struct bw_image_hsport, i, j)

/* One field of group i, or of port map entry i, set to v. */
#define GCASE(i, f, v, err, kw) CASE((err), (kw), GROUP(i, f, v))
#define PCASE(i, f, v, err, kw) CASE((err), (kw), HSPORT(i, f, v))

/* The sections that only go with content rules, and a delta's kind. */
#define DROP_RULES                                                             \
	TIMG_DROP_SEC(BW_SEC_RULES), TIMG_DROP_SEC(BW_SEC_RADDRS),             \
		TIMG_DROP_SEC(BW_SEC_RPORTS), TIMG_DROP_SEC(BW_SEC_RSTRINGS),  \
		TIMG_DROP_SEC(BW_SEC_HSDB_STREAM)
#define AS_DELTA                                                               \
	HDR(kind, BW_IMAGE_DELTA), ENTRY(BW_SEC_PREFIX4, type, BW_SEC_DELTA4), \
		ENTRY(BW_SEC_PREFIX6, type, BW_SEC_DELTA6)

static const struct timg_case group_cases[] = {
	/* one field of one group */
	GCASE(3, lane, 0, -EINVAL, "hsgroup 3: lane 0 unknown"),
	GCASE(0, lane, BW_HSLANE_MAX + 1, -EINVAL, "hsgroup 0: lane 5 unknown"),
	GCASE(1, role, 3, -EINVAL, "hsgroup 1: role 3 unknown"),
	GCASE(0, scope, 2, -EINVAL, "hsgroup 0: scope 2 unknown"),
	GCASE(0, cls, 4, -EINVAL,
	      "hsgroup 0: base group with class 4 (want 0)"),
	GCASE(6, role, BW_HSROLE_DST, -EINVAL, "hsgroup 6: role 1 on lane 3"),
	GCASE(7, role, BW_HSROLE_SRC, -EINVAL, "hsgroup 7: role 2 on lane 4"),
	GCASE(1, cls, 0, -EINVAL, "hsgroup 1: class 0 not in 1..2047"),
	GCASE(4, cls, BW_HSCLASS_MAX + 1, -EINVAL,
	      "hsgroup 4: class 2048 not in 1..2047"),
	GCASE(3, scope, BW_HSSCOPE_STREAM, -EINVAL,
	      "hsgroup 3: stream scope on lane 2 (tcp only)"),
	GCASE(6, scope, BW_HSSCOPE_STREAM, -EINVAL,
	      "hsgroup 6: stream scope on lane 3"),
	GCASE(1, db_off, 20, -EINVAL, "hsgroup 1: db_off 20 not 8-aligned"),
	GCASE(2, db_len, 0, -EINVAL, "hsgroup 2: db_len 0"),
	GCASE(7, db_len, 17, -EINVAL,
	      "hsgroup 7: database [104, +17) past the hsdb_groups section "
	      "(120 bytes)"),
	GCASE(0, db_off, 128, -EINVAL, "past the hsdb_groups section"),
	/* 0xfffffff8 + 13 wraps 32 bits; the sum is taken in 64 */
	GCASE(0, db_off, 0xfffffff8u, -EINVAL,
	      "hsgroup 0: database [4294967288, +13) past"),
	GCASE(0, db_len, BW_HSDB_MAX + 1, -E2BIG,
	      "hsgroup 0: db_len 268435457 over the limit 268435456"),
	GCASE(0, nb_rules, 5, -EINVAL, "hsgroup 0: 5 rules, the image has 4"),
	GCASE(5, mode, 2, -EINVAL, "hsgroup 5: mode 2 unknown"),
	GCASE(1, mode, BW_HSMODE_STREAM, -EINVAL,
	      "hsgroup 1: stream mode in the packet scope"),
	GCASE(2, mode, BW_HSMODE_STREAM, -EINVAL,
	      "hsgroup 2: stream mode with a stream database"),
	GCASE(5, flags, 0x100, -EINVAL, "hsgroup 5: flags 0x100 unknown"),
	GCASE(0, flags, BW_HSGROUP_F_BASE, -EINVAL,
	      "hsgroup 0: flag base on a base group"),
	/* the stream rules in a group of the UDP lane, or in stream mode */
	GCASE(4, flags, BW_HSGROUP_F_STREAM, -EINVAL,
	      "hsgroup 4: flag stream off a TCP group of the packet scope in "
	      "block mode"),
	GCASE(2, flags, BW_HSGROUP_F_STREAM, -EINVAL,
	      "hsgroup 2: flag stream off a TCP group"),
	/* (lane, role, cls, scope, mode) unique; a class in one (lane, role) */
	GCASE(2, scope, BW_HSSCOPE_PACKET, -EINVAL,
	      "hsgroup 2: duplicate of hsgroup 1 (lane 1 role 1 class 1 scope "
	      "0 mode 0)"),
	GCASE(3, lane, BW_HSLANE_TCP, -EINVAL,
	      "hsgroup 3: duplicate of hsgroup 0 (lane 1 role 0 class 0"),
	GCASE(5, cls, 2, -EINVAL,
	      "hsgroup 5: class 2 on lane 2 role 1, hsgroup 4 has it on lane "
	      "2 role 2"),
	GCASE(4, cls, 1, -EINVAL,
	      "hsgroup 4: class 1 on lane 2 role 2, hsgroup 1 has it on lane "
	      "1 role 1"),
	/* the other scope of a class counts too */
	GCASE(2, role, BW_HSROLE_SRC, -EINVAL,
	      "hsgroup 2: class 1 on lane 1 role 2, hsgroup 1 has it"),
	/* a group's number of rules may be 0 (only for the operator) */
	GCASE(0, nb_rules, 0, 0, NULL),

	/* the port map */
	PCASE(0, lane, BW_HSLANE_ICMP, -EINVAL,
	      "hsport 0: lane 3 (tcp or udp only)"),
	PCASE(1, lane, 0, -EINVAL, "hsport 1: lane 0"),
	PCASE(2, role, BW_HSROLE_BASE, -EINVAL,
	      "hsport 2: role 0 (dst or src only)"),
	PCASE(0, lo, 3000, -EINVAL, "hsport 0: lo 3000 above hi 2404"),
	PCASE(0, cls, 0, -EINVAL, "hsport 0: class 0 not in 1..2047"),
	PCASE(0, cls, 9, -EINVAL,
	      "hsport 0: class 9 has no group of lane 1 role 1"),
	PCASE(3, cls, 3, -EINVAL,
	      "hsport 3: class 3 has no group of lane 2 role 2"),
	PCASE(2, lo, 53, -EINVAL,
	      "hsports not sorted and disjoint at hsport 2"),
	/* 53-53 then 54-5353: adjacent, disjoint */
	PCASE(2, lo, 54, 0, NULL),
	/* (lane, role) out of order */
	CASE(-EINVAL,
	     "hsports not sorted and disjoint at hsport 1 (lane 1 role 1 "
	     "ports 2404-2404 after lane 2 role 1",
	     HSPORT_SWAP(0, 1)),
	/* lo out of order within one (lane, role) */
	CASE(-EINVAL, "not sorted and disjoint at hsport 2", HSPORT_SWAP(1, 2)),
	/* role src before dst */
	CASE(-EINVAL, "not sorted and disjoint at hsport 3", HSPORT_SWAP(2, 3)),

	/* sections: pairing, the block database, rules, kind, limits */
	/* no port map: the classes are never chosen */
	CASE(0, NULL, TIMG_DROP_SEC(BW_SEC_HSPORTS)),
	CASE(-EINVAL, "hsgroups section without an hsdb_groups section",
	     TIMG_DROP_SEC(BW_SEC_HSDB_GROUPS)),
	CASE(-EINVAL, "hsgroups section without an hsdb_groups section",
	     ENTRY(BW_SEC_HSDB_GROUPS, type, BW_SEC_HSDB_BLOCK)),
	CASE(-EINVAL, "hsdb_groups section without an hsgroups section",
	     TIMG_DROP_SEC(BW_SEC_HSGROUPS)),
	CASE(-EINVAL, "hsports section without an hsgroups section",
	     TIMG_DROP_SEC(BW_SEC_HSGROUPS), TIMG_DROP_SEC(BW_SEC_HSDB_GROUPS)),
	/* neither groups nor a block database for the content rules */
	CASE(-EINVAL,
	     "rule 0 (sid 1001): content rule without a block database or "
	     "scan groups",
	     TIMG_DROP_SEC(BW_SEC_HSGROUPS), TIMG_DROP_SEC(BW_SEC_HSDB_GROUPS),
	     TIMG_DROP_SEC(BW_SEC_HSPORTS)),
	CASE(-EINVAL, "both a block database and scan groups",
	     ENTRY(BW_SEC_HSDB_STREAM, type, BW_SEC_HSDB_BLOCK)),
	/* groups without rules, and in a delta image */
	CASE(-EINVAL, "hsgroups section without a rules section", DROP_RULES),
	CASE(-EINVAL, "delta image has a hsgroups section", DROP_RULES,
	     AS_DELTA),
	/* element sizes and count limits */
	CASE(-EINVAL, "(hsgroups): elem_size 24 (want 20)",
	     ENTRY(BW_SEC_HSGROUPS, elem_size, 24),
	     ENTRY(BW_SEC_HSGROUPS, len, NB_HAND_GROUPS * 24)),
	CASE(-E2BIG, "(hsgroups): 4097 entries over the limit 4096",
	     ENTRY(BW_SEC_HSGROUPS, count, BW_HSGROUP_MAX + 1),
	     ENTRY(BW_SEC_HSGROUPS, len,
		   (uint64_t)(BW_HSGROUP_MAX + 1) *
			   sizeof(struct bw_image_hsgroup))),
	CASE(-E2BIG, "(hsports): 1048577 entries over the limit 1048576",
	     ENTRY(BW_SEC_HSPORTS, count, BW_HSPORTS_MAX + 1),
	     ENTRY(BW_SEC_HSPORTS, len,
		   (uint64_t)(BW_HSPORTS_MAX + 1) *
			   sizeof(struct bw_image_hsport))),
	CASE(-E2BIG, "(hsdb_groups): 1073741825 entries over",
	     ENTRY(BW_SEC_HSDB_GROUPS, count, BW_IMAGE_SIZE_MAX + 1),
	     ENTRY(BW_SEC_HSDB_GROUPS, len, BW_IMAGE_SIZE_MAX + 1)),
};

/* The groups of stream_image(): NB_HAND_GROUPS and NB_HAND_GROUPS + 1. */
static const struct timg_case stream_cases[] = {
	GCASE(NB_HAND_GROUPS + 1, cls, 1, -EINVAL, "base group with class 1"),
	/* the same key twice in stream mode */
	CASE(-EINVAL, "duplicate of hsgroup 8",
	     TIMG_COPY_EL(BW_SEC_HSGROUPS, struct bw_image_hsgroup,
			  NB_HAND_GROUPS + 1, NB_HAND_GROUPS)),
};

/* The image's view and read-back model hold the very groups written. */
static void
groups_read_back(const struct ctl_ruleset *rs, const struct timg *t)
{
	char why[BW_IMAGE_WHY_LEN];
	struct ctl_ruleset back, dup;
	struct bw_image_view v;

	CU_ASSERT(sec_of(t, BW_SEC_HSDB_BLOCK) == NULL);
	CU_ASSERT(sec_must(t, BW_SEC_HSGROUPS)->off % 8 == 0);
	CU_ASSERT(sec_must(t, BW_SEC_HSDB_GROUPS)->count == rs->rtab.gdb_len);
	CU_ASSERT_FATAL(bw_image_validate(t->b, t->len, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.nb_hsgroups == NB_HAND_GROUPS &&
		  v.nb_hsports == NB_HAND_PORTS);
	CU_ASSERT(v.hsdb_groups_len == rs->rtab.gdb_len);
	CU_ASSERT(v.hsdb_block == NULL && v.hsdb_block_len == 0);
	CU_ASSERT(v.hsgroups != NULL && v.hsgroups[2].cls == 1 &&
		  v.hsgroups[2].scope == BW_HSSCOPE_STREAM);
	CU_ASSERT(v.hsports != NULL && v.hsports[4].lo == 5353);
	CU_ASSERT(v.hsdb_groups != NULL &&
		  memcmp(v.hsdb_groups, rs->rtab.gdb, rs->rtab.gdb_len) == 0);
	CU_ASSERT((const uint8_t *)(v.hsgroups + v.nb_hsgroups) <=
		  t->b + t->len);
	CU_ASSERT(v.hsdb_groups + v.hsdb_groups_len <= t->b + t->len);
	/* read back: the same tables, byte for byte; a copy too */
	CU_ASSERT_FATAL(ctl_image_read(t->b, t->len, &back, NULL, why,
				       sizeof(why)) == 0);
	CU_ASSERT(ctl_rtab_equal(&rs->rtab, &back.rtab));
	CU_ASSERT(back.rtab.block == NULL && back.rtab.block_len == 0);
	CU_ASSERT_FATAL(ctl_ruleset_dup(&dup, &back) == 0);
	CU_ASSERT(ctl_rtab_equal(&dup.rtab, &rs->rtab));
	dup.rtab.gdb[dup.rtab.gdb_len - 1] ^= 1;
	CU_ASSERT(!ctl_rtab_equal(&dup.rtab, &rs->rtab));
	dup.rtab.gdb[dup.rtab.gdb_len - 1] ^= 1;
	dup.rtab.hsports[0].hi++;
	CU_ASSERT(!ctl_rtab_equal(&dup.rtab, &rs->rtab));
	dup.rtab.hsports[0].hi--;
	dup.rtab.groups[0].nb_rules++;
	CU_ASSERT(!ctl_rtab_equal(&dup.rtab, &rs->rtab));
	ctl_ruleset_free(&dup);
	ctl_ruleset_free(&back);
}

/*
 * Stream-mode groups instead of the stream database: refused without
 * them, written with a copy of group 2 in stream mode (group
 * NB_HAND_GROUPS) and of group 0 in the stream scope (NB_HAND_GROUPS + 1).
 */
static void
groups_stream_mode(const struct ctl_image_meta *m)
{
	struct ctl_ruleset sm;
	struct ctl_rtab *st;
	struct timg u;
	void *im;
	size_t ln;

	groups_ruleset(&sm);
	st = &sm.rtab;
	free(st->stream);
	st->stream = NULL;
	st->stream_len = 0;
	/* the stream rule has neither: refused */
	if (ctl_image_write_full(&sm, m, &im, &ln) == 0) {
		CU_FAIL("a stream rule without stream groups written");
		free(im);
	}
	st->groups =
		realloc(st->groups, (st->nb_groups + 2) * sizeof(*st->groups));
	CU_ASSERT_FATAL(st->groups != NULL);
	st->groups[st->nb_groups] = st->groups[2];
	st->groups[st->nb_groups].mode = BW_HSMODE_STREAM;
	st->groups[st->nb_groups + 1] = st->groups[0];
	st->groups[st->nb_groups + 1].scope = BW_HSSCOPE_STREAM;
	st->groups[st->nb_groups + 1].mode = BW_HSMODE_STREAM;
	st->nb_groups += 2;
	u = timg_full(&sm, m);
	EXPECT_OK(&u);
	CU_ASSERT(sec_of(&u, BW_SEC_HSDB_STREAM) == NULL);
	TIMG_CASES(&u, stream_cases);
	timg_free(&u);
	ctl_ruleset_free(&sm);
}

/* The writer runs the validator: it refuses what the image would. */
static void
groups_writer(struct ctl_ruleset *rs, const struct ctl_image_meta *m)
{
	void *img = NULL;
	size_t len;

	rs->rtab.block_len = 8;
	rs->rtab.block = calloc(1, 8);
	CU_ASSERT_FATAL(rs->rtab.block != NULL);
	CU_ASSERT(ctl_image_write_full(rs, m, &img, &len) == -EINVAL);
	CU_ASSERT(img == NULL);
	free(rs->rtab.block);
	rs->rtab.block = NULL;
	rs->rtab.block_len = 0;
	rs->rtab.groups[1].cls = 0;
	CU_ASSERT(ctl_image_write_full(rs, m, &img, &len) == -EINVAL);
	rs->rtab.groups[1].cls = 1;
	CU_ASSERT_FATAL(ctl_image_write_full(rs, m, &img, &len) == 0);
	free(img);
}

static void
test_scan_groups(void)
{
	struct ctl_image_meta m;
	struct ctl_ruleset rs;
	struct timg t;

	groups_ruleset(&rs);
	meta_init(&m, 9, 8, "scan groups");
	t = timg_full(&rs, &m);
	EXPECT_OK(&t);
	groups_read_back(&rs, &t);
	TIMG_CASES(&t, group_cases);
	groups_stream_mode(&m);
	groups_writer(&rs, &m);
	timg_free(&t);
	ctl_ruleset_free(&rs);
}

static const struct bw_cunit_test tests[] = {
	{"scan groups", test_scan_groups},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("image_groups", tests);
}
