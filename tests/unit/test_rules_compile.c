/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Hyperscan compile of content rules (control/rules/
 * ctl_hsdb.c, ctl_hsmap.c): a compile error names the rule; limits on
 * rules, expressions and database size refuse a set and leave the database
 * in use as it was; block and stream databases hold the right rules and
 * streams span segments; raw pattern files (IDs, flags, combinations) load
 * with a reason for every skipped line and match as Hyperscan would.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_hsdb.h"
#include "ctl_hsmap.h"
#include "ctl_rules.h"
#include "test_rules_util.h"

static void
test_compile_errors(void)
{
	static const char bad[] =
		"alert udp any any -> any any (content:\"ok\"; sid:1;)\n"
		"alert udp any any -> any any (pcre:\"/(a)\\1/\"; sid:77;)\n";
	struct ctl_hsdb_opts o = {CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL, 0, NULL,
				  NULL};
	struct ctl_hsdb_limits lim = {1, 100, 1 << 20};
	char err[CTL_HSDB_ERR_LEN];
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb db = {0};
	int ret;

	/* loaded without the check: Hyperscan refuses it at compile time */
	ctl_rules_init(&rs);
	CU_ASSERT_EQUAL(ctl_rules_load_buf(&rs, "bad.rules", bad, strlen(bad),
					   NULL, NULL),
			0);
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 2);
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	ret = ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err));
	CU_ASSERT_EQUAL(ret, -EINVAL);
	CU_ASSERT_PTR_NULL(db.db);
	if (strstr(err, "bad.rules:2 sid 77: hyperscan: ") != err)
		fprintf(stderr, "\n  %s", err);
	CU_ASSERT(strstr(err, "bad.rules:2 sid 77: hyperscan: ") == err);
	CU_ASSERT(strstr(err, "Back-reference") != NULL);

	/* limits: rules, expressions, size; each leaves no database */
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
	ctl_rules_init(&rs);
	rules_load(&rs, "alert udp any any -> any any (content:\"a\"; sid:1;)\n"
			"alert udp any any -> any any (content:\"b\"; "
			"content:!\"c\"; sid:2;)\n");
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	o.limits = &lim;
	ret = ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err));
	CU_ASSERT_EQUAL(ret, -E2BIG);
	CU_ASSERT_STRING_EQUAL(err, "2 rules with payload conditions exceed "
				    "the limit of 1");
	CU_ASSERT_PTR_NULL(db.db);
	lim.max_rules = 10;
	lim.max_exprs = 3;
	ret = ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err));
	CU_ASSERT_EQUAL(ret, -E2BIG);
	/* a, b, !c, the combination and the end-of-data expression */
	CU_ASSERT_STRING_EQUAL(err, "5 hyperscan expressions exceed the "
				    "limit of 3");
	lim.max_exprs = 10;
	lim.max_db_bytes = 64;
	ret = ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err));
	CU_ASSERT_EQUAL(ret, -E2BIG);
	CU_ASSERT(strstr(err, "exceeds the limit of 64 bytes") != NULL);
	CU_ASSERT_PTR_NULL(db.db);
	lim.max_db_bytes = 1 << 20;
	CU_ASSERT_EQUAL(ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(db.nb_rules, 2);
	CU_ASSERT_EQUAL(db.nb_exprs, 5);
	CU_ASSERT(db.db_bytes > 0);
	{
		char *buf;
		size_t len;

		CU_ASSERT_EQUAL(ctl_hsdb_serialize(&db, &buf, &len), 0);
		CU_ASSERT(len > 0);
		free(buf);
	}
	/* a refused set leaves the database in use as it was */
	{
		uint32_t ids[4];
		size_t nb = 0;

		lim.max_rules = 1;
		CU_ASSERT_EQUAL(
			ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)),
			-E2BIG);
		CU_ASSERT_PTR_NOT_NULL(db.db);
		CU_ASSERT_EQUAL(db.nb_rules, 2);
		CU_ASSERT_EQUAL(ctl_hsdb_scan(&db, "xbx", 3, ids, 4, &nb), 0);
		CU_ASSERT_EQUAL(nb, 1);
		lim.max_rules = 10;
	}
	/* a map of another rule set is refused */
	map.nb_rules = 1;
	CU_ASSERT_EQUAL(ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)),
			-EINVAL);
	map.nb_rules = 2;
	ctl_hsdb_free(&db);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

/* Block and stream databases hold the right rules; streams span. */
static void
test_compile_scopes(void)
{
	struct ctl_hsdb_opts ob = {CTL_HSDB_BLOCK, 0, 0, NULL, NULL};
	struct ctl_hsdb_opts os = {CTL_HSDB_STREAM, 0, 0, NULL, NULL};
	char err[CTL_HSDB_ERR_LEN];
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb blk = {0}, str = {0};
	struct iovec seg[3];
	uint32_t ids[8];
	size_t nb;

	ctl_rules_init(&rs);
	rules_load(&rs,
		   "alert tcp any any -> any any (content:\"split\"; sid:1;)\n"
		   "alert udp any any -> any any (content:\"split\"; sid:2;)\n"
		   "alert tcp any any -> any any (dsize:5; content:\"split\"; "
		   "sid:3;)\n"
		   "alert tcp any any -> any any (content:\"ab\"; "
		   "content:!\"zz\"; sid:4;)\n"
		   "alert tcp any any -> any any (flow:established; sid:5;)\n");
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 5);
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(map.count[4], 0); /* header only */
	CU_ASSERT_EQUAL_FATAL(
		ctl_hsdb_compile(&rs, &map, &ob, &blk, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
		ctl_hsdb_compile(&rs, &map, &os, &str, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(blk.nb_rules, 2); /* sids 2 and 3 */
	CU_ASSERT_EQUAL(str.nb_rules, 2); /* sids 1 and 4 */
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&blk, "split", 5, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 2);
	CU_ASSERT_EQUAL(ids[0], 1);
	CU_ASSERT_EQUAL(ids[1], 2);
	seg[0].iov_base = (void *)(uintptr_t) "xxsp";
	seg[0].iov_len = 4;
	seg[1].iov_base = (void *)(uintptr_t) "l";
	seg[1].iov_len = 1;
	seg[2].iov_base = (void *)(uintptr_t) "itab";
	seg[2].iov_len = 4;
	CU_ASSERT_EQUAL(ctl_hsdb_scan_stream(&str, seg, 3, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 2);
	CU_ASSERT_EQUAL(ids[0], 0);
	CU_ASSERT_EQUAL(ids[1], 3);
	seg[2].iov_base = (void *)(uintptr_t) "itabzz";
	seg[2].iov_len = 6;
	CU_ASSERT_EQUAL(ctl_hsdb_scan_stream(&str, seg, 3, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 1);
	CU_ASSERT_EQUAL(ids[0], 0);
	/* wrong mode */
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&str, "x", 1, ids, 8, &nb), -EINVAL);
	CU_ASSERT_EQUAL(ctl_hsdb_scan_stream(&blk, seg, 1, ids, 8, &nb),
			-EINVAL);
	ctl_hsdb_free(&blk);
	ctl_hsdb_free(&str);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

static void
test_patterns(void)
{
	static const char text[] = "# raw patterns\n"
				   "10:/foo\\d+/i\n"
				   "11:/bar/Q\n"
				   "12:/10 & !11/C\n"
				   "13:/baz/{min_offset=5}\n"
				   "14:/x/P\n"
				   "15:/(a)\\1/\n"
				   "16:/99 | 10/C\n"
				   "10:/dup/\n"
				   "junk\n"
				   "17:/a*/\n"
				   "18:/b*/V\n";
	struct ctl_hsdb_opts o = {CTL_HSDB_BLOCK, 0, 0, NULL, NULL};
	char err[CTL_HSDB_ERR_LEN];
	struct ctl_rules_stats st;
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb db = {0};
	uint32_t ids[8];
	size_t nb;

	ctl_rules_init(&rs);
	CU_ASSERT_EQUAL(ctl_hsmap_load_patterns_buf(&rs, "p.hs", text,
						    strlen(text), CTL_RULE_DROP,
						    &st),
			0);
	CU_ASSERT_EQUAL(st.rules, 11);
	CU_ASSERT_EQUAL(st.taken, 5);
	CU_ASSERT_EQUAL(st.skipped, 6);
	CU_ASSERT_STRING_EQUAL(rules_skip_text(&rs, 0),
			       "p.hs:6 sid 14: prefilter flag P refused (it "
			       "matches more than the regex)");
	CU_ASSERT(strstr(rules_skip_text(&rs, 1),
			 "p.hs:7 sid 15: pattern rejected "
			 "by hyperscan: ") != NULL);
	CU_ASSERT_STRING_EQUAL(rules_skip_text(&rs, 2),
			       "p.hs:8 sid 16: combination refers to ID 99: "
			       "not in the file");
	CU_ASSERT_STRING_EQUAL(rules_skip_text(&rs, 3),
			       "p.hs:9 sid 10: duplicate ID (first at line "
			       "2)");
	CU_ASSERT_STRING_EQUAL(rules_skip_text(&rs, 4),
			       "p.hs:10: invalid pattern: no ID");
	CU_ASSERT_STRING_EQUAL(rules_skip_text(&rs, 5),
			       "p.hs:11 sid 17: pattern matches the empty "
			       "buffer (flag V allows it)");
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 5);
	CU_ASSERT_EQUAL(rs.rules[0].action, CTL_RULE_DROP);
	CU_ASSERT(rs.rules[0].flags & CTL_RULE_PATTERN);
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
		ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)), 0);
	/* rule 4 (ID 18, V) matches every buffer, the empty one too */
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&db, "FOO12", 5, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 3); /* 10, the combination 12, 18 */
	CU_ASSERT_EQUAL(ids[0], 0);
	CU_ASSERT_EQUAL(ids[1], 2);
	CU_ASSERT_EQUAL(ids[2], 4);
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&db, "bar foo1", 8, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 2); /* not 12: 11 matched first */
	CU_ASSERT_EQUAL(ids[0], 0);
	CU_ASSERT_EQUAL(ids[1], 4);
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&db, "baz", 3, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 1); /* 13 needs min_offset 5 */
	CU_ASSERT_EQUAL(ids[0], 4);
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&db, "xxbaz", 5, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 2);
	CU_ASSERT_EQUAL(ids[0], 3);
	CU_ASSERT_EQUAL(ctl_hsdb_scan(&db, "", 0, ids, 8, &nb), 0);
	CU_ASSERT_EQUAL_FATAL(nb, 1);
	CU_ASSERT_EQUAL(ids[0], 4);
	ctl_hsdb_free(&db);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

static const struct bw_cunit_test tests[] = {
	{"compile errors and limits", test_compile_errors},
	{"compile scopes", test_compile_scopes},
	{"pattern files", test_patterns},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("rules_compile", tests);
}
