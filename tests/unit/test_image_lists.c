/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ruleset image's blocklists: the lists section, the
 * prefixes of a FULL image and the changes of a DELTA image, as the
 * writer (control/commit/ctl_image.c) lays them out and as
 * bw_image_validate() refuses each broken name, id, range, prefix, order
 * and operation.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "test_image_util.h"

#define LIST(i, f, v) TIMG_SET_AT(BW_SEC_LISTS, struct bw_image_list, i, f, v)
#define LIST_NAME(i, c)                                                        \
	TIMG_FILL_AT(BW_SEC_LISTS, struct bw_image_list, i, name, c)

/* small_full(): bogons v4 [0,5) v6 [0,3); partners [5,7) [3,4); empty [7,7) */
static const struct timg_case list_cases[] = {
	CASE(-EINVAL, "list 1: name not NUL terminated", LIST_NAME(1, 'a')),
	/* 31 characters */
	CASE(0, NULL, LIST_NAME(1, 'a'),
	     LIST(1, name[BW_LIST_NAME_LEN - 1], 0)),
	CASE(-EINVAL, "list 1: empty name", LIST_NAME(1, 0)),
	CASE(-EINVAL, "list 0: name has character 0x2f at 3",
	     LIST(0, name[3], '/')),
	CASE(-EINVAL, "character 0x20", LIST(0, name[3], ' ')),
	CASE(-EINVAL, "character 0xc3", LIST(0, name[3], 0xc3)),
	CASE(-EINVAL, "list 0: name byte 20 after the NUL not zero",
	     LIST(0, name[20], 'x')),
	CASE(-EINVAL, "list 2: duplicate name 'bogons' (also list 0)",
	     TIMG_COPY_AT(BW_SEC_LISTS, struct bw_image_list, 2, name, 0)),
	CASE(-EINVAL, "list ids not ascending at 1 (id 0 after 0)",
	     LIST(1, id, 0)),
	CASE(-EINVAL, "list ids not ascending at 1 (id 1 after 2)",
	     LIST(0, id, 2)),
	CASE(-EINVAL, "list 2 ('empty.list-2'): id 127 not below 127",
	     LIST(2, id, BW_LIST_MAX)),
	CASE(-EINVAL, "not below 127", LIST(2, id, UINT32_MAX)),
	CASE(0, NULL, LIST(2, id, BW_LIST_MAX - 1)),
	CASE(-EINVAL, "list 1 ('partners'): unknown action 0",
	     LIST(1, action, 0)),
	CASE(-EINVAL, "unknown action 3", LIST(1, action, 3)),
	CASE(-EINVAL, "unknown match 0", LIST(1, match, 0)),
	CASE(-EINVAL, "unknown match 4", LIST(1, match, 4)),
	CASE(-EINVAL, "list 2 ('empty.list-2'): reserved not zero",
	     LIST(2, reserved, 1ull << 63)),
	/* ranges: a gap, an overlap, a list that moved */
	CASE(-EINVAL,
	     "list 1 ('partners'): range v4_first 5 v6_first 3, want 4 and 3",
	     LIST(0, nb_v4, 4)),
	CASE(-EINVAL, "range v4_first 5 v6_first 3, want 6", LIST(0, nb_v4, 6)),
	CASE(-EINVAL, "list 0 ('bogons'): range v4_first 1",
	     LIST(0, v4_first, 1)),
	CASE(-EINVAL, "want 7 and 4", LIST(2, v6_first, 3)),
	/* past the section's 7 entries */
	CASE(-EINVAL,
	     "list ranges cover 8 ipv4 entries, the prefix4 section has 7",
	     LIST(2, nb_v4, 1)),
	/* 203.0.113.7/32 in no list */
	CASE(-EINVAL,
	     "list ranges cover 6 ipv4 entries, the prefix4 section has 7",
	     LIST(1, nb_v4, 1), LIST(2, v4_first, 6)),
	/* one entry left over */
	CASE(-EINVAL,
	     "list ranges cover 3 ipv6 entries, the prefix6 section has 4",
	     LIST(1, nb_v6, 0), LIST(2, v6_first, 3)),
	/* 5 + 2^32 - 1 wraps to 4 in 32 bits */
	CASE(-EINVAL, "v4_first 4 v6_first 4, want 4294967300",
	     LIST(1, nb_v4, UINT32_MAX), LIST(2, v4_first, 4)),
};

static void
test_lists(void)
{
	struct timg b = small_full();

	TIMG_CASES(&b, list_cases);
	timg_free(&b);
}

#define P4(i, f, v)                                                            \
	TIMG_SET_AT(BW_SEC_PREFIX4, struct bw_image_prefix4, i, f, v)
#define P6(i, f, v)                                                            \
	TIMG_SET_AT(BW_SEC_PREFIX6, struct bw_image_prefix6, i, f, v)
/* Zero the address bytes of prefix6 i from byte `from` on. */
#define P6_ZERO(i, from)                                                       \
	TIMG_INIT(TIMG_FILL, BW_SEC_PREFIX6, (i),                              \
		  offsetof(struct bw_image_prefix6, addr[from]), 16 - (from),  \
		  0)

/*
 * small_full()'s prefixes: bogons v4 1.2.3.4/32 10/8 10.0/16 172.16/12
 * 192.168/16, partners 1/24 203.0.113.7/32; bogons v6 2001:db8::/32
 * 2001:db8::1/128 fc00::/7, partners 2001:db8:1::/48.
 */
static const struct timg_case prefix_cases[] = {
	CASE(-EINVAL, "=prefix4 1 of list 'bogons': host bits set (10.0.0.1/8)",
	     P4(1, addr, 0x0a000001u)),
	CASE(-EINVAL, "host bits set (172.31.0.0/12)",
	     P4(3, addr, 0xac1f0000u)),
	CASE(-EINVAL, "prefix4 0 of list 'bogons': len 33 over 32",
	     P4(0, len, 33)),
	CASE(-EINVAL, "len 255 over 32", P4(0, len, 255)),
	/* 0.0.0.0/0 is a prefix like any other */
	CASE(0, NULL, P4(0, addr, 0), P4(0, len, 0)),
	CASE(-EINVAL, "host bits set (128.0.0.0/0)", P4(0, addr, 0x80000000u),
	     P4(0, len, 0)),
	CASE(-EINVAL,
	     "=prefix4 entries of list 'bogons' not sorted at 2 (10.0.0.0/8)",
	     TIMG_SWAP_EL(BW_SEC_PREFIX4, struct bw_image_prefix4, 1, 2)),
	CASE(-EINVAL, "prefix4 2 of list 'bogons': duplicate (10.0.0.0/8)",
	     TIMG_COPY_EL(BW_SEC_PREFIX4, struct bw_image_prefix4, 2, 1)),
	CASE(-EINVAL, "prefix4 6 of list 'partners': duplicate",
	     TIMG_COPY_EL(BW_SEC_PREFIX4, struct bw_image_prefix4, 6, 5)),
	CASE(-EINVAL, "prefix4 5 of list 'partners': op 1 in a full image",
	     P4(5, op, BW_OP_ADD)),
	CASE(-EINVAL, "prefix4 5 of list 'partners': list 0, want 1",
	     P4(5, list, 0)),
	CASE(-EINVAL, "=prefix6 2 of list 'bogons': host bits set (fd00::/7)",
	     P6(2, addr[0], 0xfd)),
	CASE(-EINVAL, "host bits set (2001:db8::1/32)", P6(0, addr[15], 1)),
	CASE(-EINVAL, "prefix6 1 of list 'bogons': len 129 over 128",
	     P6(1, len, 129)),
	CASE(-EINVAL, "prefix6 1 of list 'bogons': reserved not zero",
	     P6(1, reserved, 1)),
	CASE(-EINVAL, "prefix6 entries of list 'bogons' not sorted at 1",
	     TIMG_SWAP_EL(BW_SEC_PREFIX6, struct bw_image_prefix6, 0, 1)),
	CASE(-EINVAL, "prefix6 1 of list 'bogons': duplicate (2001:db8::/32)",
	     TIMG_COPY_EL(BW_SEC_PREFIX6, struct bw_image_prefix6, 1, 0)),
	/* same address, longer first: not sorted */
	CASE(-EINVAL, "not sorted at 1 (2001:db8::/32)", P6(1, len, 32),
	     P6_ZERO(1, 4), P6(0, len, 48)),
	CASE(-EINVAL, "prefix6 3 of list 'partners': op 2",
	     P6(3, op, BW_OP_DEL)),
	CASE(-EINVAL, "list 3, want 1", P6(3, list, 3)),
	/* ::/0 */
	CASE(0, NULL, P6(3, len, 0), P6_ZERO(3, 0)),
};

static void
test_prefixes(void)
{
	struct timg b = small_full();

	TIMG_CASES(&b, prefix_cases);
	timg_free(&b);
}

#define D4(i, f, v) TIMG_SET_AT(BW_SEC_DELTA4, struct bw_image_prefix4, i, f, v)
#define D6(i, f, v) TIMG_SET_AT(BW_SEC_DELTA6, struct bw_image_prefix6, i, f, v)

/*
 * small_delta(): delta4 del bogons 10.0/16, add bogons 100.64/10, add
 * empty 10.0/16 and 10.9/16; delta6 del bogons fc00::/7, add partners
 * 2001:db8:2::/48.
 */
static const struct timg_case delta_cases[] = {
	CASE(-EINVAL, "full image has a delta4 section",
	     HDR(kind, BW_IMAGE_FULL)),
	CASE(-EINVAL, "delta image has a prefix4 section (section 1)",
	     SEC(1, type, BW_SEC_PREFIX4)),
	CASE(-EINVAL, "delta image has a prefix6 section",
	     SEC(2, type, BW_SEC_PREFIX6)),
	CASE(-EINVAL,
	     "list 1 ('partners'): v4_first 1 v6_first 0 not zero in a delta "
	     "image",
	     LIST(1, v4_first, 1)),
	CASE(-EINVAL, "not zero in a delta image", LIST(0, v6_first, 2)),
	CASE(-E2BIG, "list sizes sum to 16777217 ipv4",
	     LIST(0, nb_v4, BW_PREFIX_MAX), LIST(1, nb_v4, 1)),
	CASE(-EINVAL, "delta4 0: op 0 (want add 1 or del 2)",
	     D4(0, op, BW_OP_PRESENT)),
	CASE(-EINVAL, "delta4 0: op 3", D4(0, op, 3)),
	CASE(-EINVAL, "delta4 3: list 2 not in the lists section",
	     D4(3, list, 2)),
	CASE(-EINVAL, "list 127 not in the lists section",
	     D4(3, list, BW_LIST_MAX)),
	CASE(-EINVAL, "list 65535 not in", D4(3, list, UINT16_MAX)),
	CASE(-EINVAL, "delta4 entries not sorted at 1 (list 0 after 3)",
	     TIMG_SWAP_EL(BW_SEC_DELTA4, struct bw_image_prefix4, 0, 3)),
	CASE(-EINVAL, "delta4 entries of list 'bogons' not sorted at 1",
	     TIMG_SWAP_EL(BW_SEC_DELTA4, struct bw_image_prefix4, 0, 1)),
	/* add and delete the same prefix */
	CASE(-EINVAL, "delta4 1 of list 'bogons': duplicate (10.0.0.0/16)",
	     TIMG_COPY_EL(BW_SEC_DELTA4, struct bw_image_prefix4, 1, 0),
	     D4(1, op, BW_OP_ADD)),
	CASE(-EINVAL,
	     "delta4 2 of list 'empty.list-2': host bits set (10.0.1.0/16)",
	     D4(2, addr, 0x0a000100u)),
	CASE(-EINVAL, "len 40 over 32", D4(2, len, 40)),
	CASE(-EINVAL, "delta6 1 of list 'partners': reserved not zero",
	     D6(1, reserved, 7)),
	CASE(-EINVAL, "delta6 0 of list 'bogons': len 200 over 128",
	     D6(0, len, 200)),
	CASE(-EINVAL, "delta6 0: op 0", D6(0, op, BW_OP_PRESENT)),
	/* same list as d6[0], now out of order */
	CASE(-EINVAL, "delta6 entries of list 'bogons' not sorted",
	     D6(1, list, 0)),
	CASE(-EINVAL, "delta6 entries of list 'partners' not sorted at 1",
	     D6(0, list, 1)),
};

static void
test_delta(void)
{
	struct timg b = small_delta();
	char why[BW_IMAGE_WHY_LEN];
	struct bw_image_view v;
	struct ctl_ruleset rs;

	CU_ASSERT_FATAL(bw_image_validate(b.b, b.len, &v, why, sizeof(why)) ==
			0);
	CU_ASSERT(v.hdr->kind == BW_IMAGE_DELTA && v.hdr->parent_gen == 5);
	CU_ASSERT(v.p4 == NULL && v.p6 == NULL && v.nb_p4 == 0);
	CU_ASSERT_FATAL(v.nb_lists == 3 && v.nb_d4 == 4 && v.nb_d6 == 2);
	/* the list table of the result: sizes, no ranges */
	CU_ASSERT(v.lists[0].v4_first == 0 && v.lists[0].nb_v4 == 5);
	CU_ASSERT(v.lists[1].v6_first == 0 && v.lists[1].nb_v6 == 1);
	/* sorted by (list, addr, len) */
	CU_ASSERT(v.d4[0].list == 0 && v.d4[0].addr == 0x0a000000u &&
		  v.d4[0].len == 16 && v.d4[0].op == BW_OP_DEL);
	CU_ASSERT(v.d4[1].list == 0 && v.d4[1].addr == 0x64400000u &&
		  v.d4[1].op == BW_OP_ADD);
	CU_ASSERT(v.d4[2].list == 3 && v.d4[2].addr == 0x0a000000u);
	CU_ASSERT(v.d4[3].list == 3 && v.d4[3].addr == 0x0a090000u);
	CU_ASSERT(v.d6[0].list == 0 && v.d6[0].addr[0] == 0xfc &&
		  v.d6[0].op == BW_OP_DEL);
	CU_ASSERT(v.d6[1].list == 1 && v.d6[1].len == 48);
	EXPECT_OK(&b);
	/* bulwarkctl reads FULL images only */
	CU_ASSERT(ctl_image_read(b.b, b.len, &rs, NULL, why, sizeof(why)) ==
		  -EINVAL);
	CU_ASSERT(strstr(why, "delta image") != NULL);
	CU_ASSERT(rs.nb_lists == 0);
	TIMG_CASES(&b, delta_cases);
	timg_free(&b);
}

static void
test_delta_writer(void)
{
	struct ctl_delta_entry d[3];
	char why[BW_IMAGE_WHY_LEN];
	struct ctl_image_meta m;
	struct bw_image_view v;
	struct ctl_ruleset rs;
	size_t len;
	void *img;

	small_ruleset(&rs);
	meta_init(&m, 9, 8, "");
	/* no changes at all: the list table alone */
	CU_ASSERT_FATAL(ctl_image_write_delta(&rs, d, 0, &m, &img, &len) == 0);
	CU_ASSERT(validate_exact(img, len, why) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.hdr->nb_sections == 1 && v.d4 == NULL && v.d6 == NULL);
	free(img);
	/* the same prefix in two lists is two changes */
	d[0].list = 3;
	d[0].op = BW_OP_ADD;
	d[0].p = pfx("10.0.0.0", 8);
	d[1] = d[0];
	d[1].list = 1;
	d[2] = d[0];
	d[2].list = 0;
	d[2].op = BW_OP_DEL;
	CU_ASSERT_FATAL(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == 0);
	CU_ASSERT_FATAL(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.nb_d4 == 3 && v.d4[0].list == 0 && v.d4[2].list == 3);
	CU_ASSERT(d[0].list == 3); /* the caller's array is not sorted */
	free(img);
	/* the same prefix twice in one list */
	d[1].list = 3;
	d[1].op = BW_OP_DEL;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	/* a list the result does not have */
	d[1].list = 2;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	d[1].list = 1;
	d[1].op = BW_OP_PRESENT;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	d[1].op = BW_OP_ADD;
	d[1].p.family = 5;
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	d[1].p = pfx("10.0.0.1", 8);
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	m.parent_gen = 9;
	d[1].p = pfx("10.0.0.0", 8);
	CU_ASSERT(ctl_image_write_delta(&rs, d, 3, &m, &img, &len) == -EINVAL);
	ctl_ruleset_free(&rs);
}

static const struct bw_cunit_test tests[] = {
	{"lists", test_lists},
	{"full prefixes", test_prefixes},
	{"delta", test_delta},
	{"delta writer", test_delta_writer},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("image_lists", tests);
}
