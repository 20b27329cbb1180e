/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the content-rule parser (control/rules/), the Hyperscan
 * mapping (ctl_hsexpr.c, ctl_hsmap.c) and compile (ctl_hsdb.c): every ET
 * rule file of tests/data/rules is either taken or skipped with a
 * reason, rule counts computed apart from the parser;
 * content/depth/offset/distance/within/
 * nocase/hex/negation/pcre/isdataat mapped and checked with crafted
 * payloads on both sides of every edge; compile errors name the rule;
 * limits refuse oversized sets; the ET IEC-104 rules match the STARTDT
 * and TESTFR frames of the IEC-104 captures.
 *
 * Usage: test_rules [DATA_DIR]
 *        test_rules --counts [DATA_DIR]   print the docs/rules.md tables
 * DATA_DIR (else $BW_TEST_DATA, else tests/data or ../tests/data from the
 * current folder, else tests/data in a folder above this executable or
 * this source) holds rules/ and pcaps/ics/.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "bw_cunit.h"
#include "bw_testdata.h"
#include "ctl_hsdb.h"
#include "ctl_hsmap.h"
#include "ctl_rules.h"

/* Folder (or file) of the bundled test data, or NULL: bw_testdata.h. */
static const char *
data_dir_find(char *buf, size_t size)
{
	return bw_testdata_path("", buf, size);
}

/* ---------------------------------------------------------------------
 * Helpers.
 */

static const struct ctl_rules_opts check_opts = {NULL, ctl_hsmap_check, NULL};

/* Parse text named "t" into rs with the Hyperscan check. */
static struct ctl_rules_stats
load(struct ctl_rules *rs, const char *text)
{
	struct ctl_rules_stats st;

	CU_ASSERT_EQUAL_FATAL(ctl_rules_load_buf(rs, "t", text, strlen(text),
						 &check_opts, &st),
			      0);
	return st;
}

/* The formatted skip i of rs, in a static buffer. */
static const char *
skip_text(const struct ctl_rules *rs, size_t i)
{
	static char buf[512];

	if (i >= rs->nb_skips)
		return "(no skip)";
	ctl_rule_skip_format(&rs->skips[i], buf, sizeof(buf));
	return buf;
}

/*
 * A ruleset of one rule "alert udp any any -> any any (OPTS sid:1;)",
 * mapped and compiled into a block database. Returns 0, or -1 when the
 * rule was skipped (reason in why).
 */
struct one {
	struct ctl_rules rs;
	struct ctl_hsmap map;
	struct ctl_hsdb db;
};

static int
one_build(struct one *o, const char *opts, char *why, size_t why_len)
{
	struct ctl_hsdb_opts dbo = {CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL, 0, NULL,
				    NULL};
	char text[2048], err[CTL_HSDB_ERR_LEN];

	memset(o, 0, sizeof(*o));
	ctl_rules_init(&o->rs);
	CU_ASSERT_FATAL(snprintf(text, sizeof(text),
				 "alert udp any any -> any any (%s sid:1;)",
				 opts) < (int)sizeof(text));
	load(&o->rs, text);
	if (o->rs.nb_rules != 1) {
		snprintf(why, why_len, "%s",
			 o->rs.nb_skips > 0 ? o->rs.skips[0].reason : "?");
		return -1;
	}
	CU_ASSERT_EQUAL_FATAL(
		ctl_hsmap_build(&o->rs, &o->map, err, sizeof(err)), 0);
	if (ctl_hsdb_compile(&o->rs, &o->map, &dbo, &o->db, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "\n  compile: %s", err);
		CU_FAIL_FATAL("compile failed");
	}
	return 0;
}

static void
one_free(struct one *o)
{
	ctl_hsdb_free(&o->db);
	ctl_hsmap_free(&o->map);
	ctl_rules_free(&o->rs);
}

/* 1 when the block database of o matches the n bytes at p. */
static int
one_match(struct one *o, const void *p, size_t n)
{
	uint32_t ids[4];
	size_t nb = 0;

	CU_ASSERT_EQUAL_FATAL(ctl_hsdb_scan(&o->db, p, n, ids, 4, &nb), 0);
	return nb == 1 && ids[0] == 0;
}

/* A payload and whether the rule must match it. */
struct probe {
	const char *data;
	size_t len; /* 0: strlen(data) */
	int match;
};

struct mcase {
	const char *opts;	/* rule options, without sid */
	struct probe probes[6]; /* data NULL ends */
};

static void
run_cases(const struct mcase *cases, size_t nb)
{
	char why[CTL_RULE_WHY_LEN];
	size_t i, k;

	for (i = 0; i < nb; i++) {
		struct one o;

		if (one_build(&o, cases[i].opts, why, sizeof(why))) {
			fprintf(stderr, "\n  case %zu (%s) skipped: %s", i,
				cases[i].opts, why);
			CU_FAIL("rule skipped");
			one_free(&o);
			continue;
		}
		for (k = 0; k < 6 && cases[i].probes[k].data != NULL; k++) {
			const struct probe *p = &cases[i].probes[k];
			size_t n = p->len ? p->len : strlen(p->data);
			int got = one_match(&o, p->data, n);

			if (got != p->match)
				fprintf(stderr,
					"\n  case %zu (%s) probe %zu: got %d "
					"want %d (expr %s)",
					i, cases[i].opts, k, got, p->match,
					o.map.e[o.map.nb_e - 1].pattern);
			CU_ASSERT_EQUAL(got, p->match);
		}
		one_free(&o);
	}
}

/* Rule options must be skipped with a reason that starts with want. */
static void
expect_skip(const char *opts, const char *want)
{
	char why[CTL_RULE_WHY_LEN];
	struct one o;

	if (one_build(&o, opts, why, sizeof(why)) == 0) {
		fprintf(stderr, "\n  taken, want skipped: %s", opts);
		CU_FAIL("rule taken");
	} else if (strncmp(why, want, strlen(want)) != 0) {
		fprintf(stderr, "\n  %s\n  got  %s\n  want %s...", opts, why,
			want);
		CU_FAIL("wrong reason");
	}
	one_free(&o);
}

/* ---------------------------------------------------------------------
 * Mapping: content and its modifiers.
 */

static void
test_map_content(void)
{
	static const struct mcase cases[] = {
		{"content:\"abc\";",
		 {{"xxabcxx", 0, 1},
		  {"abc", 0, 1},
		  {"ab", 0, 0},
		  {"ABC", 0, 0}}},
		/* |hex| blocks, with and without blanks */
		{"content:\"|61 62|c|00|\";", {{"abc\0", 4, 1}, {"abc", 0, 0}}},
		{"content:\"|6162|\";", {{"ab", 0, 1}, {"a b", 0, 0}}},
		/* escapes \; \" \\ \: */
		{"content:\"a\\;b\\\"c\\\\d\\:\";",
		 {{"a;b\"c\\d:", 0, 1}, {"a;b\"cd:", 0, 0}}},
		{"content:\"AbC\"; nocase;",
		 {{"xabcx", 0, 1}, {"ABC", 0, 1}, {"aXc", 0, 0}}},
		/* nocase is ASCII only: no folding of bytes >= 0x80 */
		{"content:\"|c4|\"; nocase;", {{"\xc4", 0, 1}, {"\xe4", 0, 0}}},
		/* depth: the match must end at or before byte 5 */
		{"content:\"abc\"; depth:5;",
		 {{"xxabc", 0, 1}, {"xxxabc", 0, 0}, {"abc", 0, 1}}},
		/* depth exactly the content */
		{"content:\"abc\"; depth:3;", {{"abcx", 0, 1}, {"xabc", 0, 0}}},
		/* offset: the match must start at or after byte 2 */
		{"content:\"abc\"; offset:2;",
		 {{"xxabc", 0, 1}, {"xabc", 0, 0}, {"abcxxabc", 0, 1}}},
		/* offset 2 depth 4: inside [2, 6) */
		{"content:\"abc\"; offset:2; depth:4;",
		 {{"xxabcx", 0, 1},
		  {"xxxabc", 0, 1},
		  {"xxxxabc", 0, 0},
		  {"xabc", 0, 0}}},
		/* the same with depth written first */
		{"content:\"abc\"; depth:4; offset:2;",
		 {{"xxxabc", 0, 1}, {"xxxxabc", 0, 0}}},
		{"content:\"abc\"; startswith;",
		 {{"abcx", 0, 1}, {"xabc", 0, 0}}},
		/* two contents: both anywhere, any order */
		{"content:\"ab\"; content:\"cd\";",
		 {{"cdab", 0, 1}, {"abcd", 0, 1}, {"ab", 0, 0}, {"cd", 0, 0}}},
		/* fast_pattern changes nothing */
		{"content:\"ab\"; fast_pattern; content:\"cd\";",
		 {{"abcd", 0, 1}, {"ab", 0, 0}}},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_map_relative(void)
{
	static const struct mcase cases[] = {
		/* distance: cd starts at least 2 after ab's end */
		{"content:\"ab\"; content:\"cd\"; distance:2;",
		 {{"ab12cd", 0, 1},
		  {"ab123cd", 0, 1},
		  {"ab1cd", 0, 0},
		  {"abcd", 0, 0},
		  {"cd12ab", 0, 0}}},
		/* distance:0: anywhere after, not before */
		{"content:\"ab\"; content:\"cd\"; distance:0;",
		 {{"abcd", 0, 1}, {"cdab", 0, 0}, {"abxxxxcd", 0, 1}}},
		/* within: cd ends at most 4 after ab's end */
		{"content:\"ab\"; content:\"cd\"; within:4;",
		 {{"ab12cd", 0, 1},
		  {"abcd", 0, 1},
		  {"ab123cd", 0, 0},
		  {"cdab", 0, 0}}},
		/* within exactly the content: right after */
		{"content:\"ab\"; content:\"cd\"; within:2;",
		 {{"abcd", 0, 1}, {"abxcd", 0, 0}, {"abxxabcd", 0, 1}}},
		/* distance 1 within 3: cd inside [end+1, end+1+3) */
		{"content:\"ab\"; content:\"cd\"; distance:1; within:3;",
		 {{"ab1cd", 0, 1},
		  {"ab12cd", 0, 1},
		  {"abcd", 0, 0},
		  {"ab123cd", 0, 0}}},
		/* a later "ab" satisfies the chain (Suricata backtracks) */
		{"content:\"ab\"; content:\"cd\"; within:3;",
		 {{"abxxxxabxcd", 0, 1}, {"abxxxxcd", 0, 0}}},
		/* three in a chain, nocase on the middle one */
		{"content:\"ab\"; content:\"CD\"; nocase; distance:0; "
		 "content:\"ef\"; within:2;",
		 {{"abxcdef", 0, 1},
		  {"abxCDef", 0, 1},
		  {"abxcdxef", 0, 0},
		  {"abxcDEF", 0, 0}}},
		/* relative with nothing before: from the payload start */
		{"content:\"ab\"; distance:2; within:3;",
		 {{"xxabx", 0, 1},
		  {"xxxab", 0, 1},
		  {"xxxxab", 0, 0},
		  {"xab", 0, 0}}},
		/* a chain anchored by depth: ab in the first 4 bytes */
		{"content:\"ab\"; depth:4; content:\"cd\"; distance:0;",
		 {{"xxabcd", 0, 1}, {"xxxabcd", 0, 0}, {"abxxxxcd", 0, 1}}},
		/* offset + depth head of a chain, at the edges */
		{"content:\"ab\"; offset:1; depth:3; content:\"c\"; within:1;",
		 {{"xabc", 0, 1},
		  {"xxabc", 0, 1},
		  {"abc", 0, 0},
		  {"xxxabc", 0, 0}}},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_map_negation(void)
{
	static const struct mcase cases[] = {
		{"content:\"abc\"; content:!\"xyz\";",
		 {{"abc", 0, 1},
		  {"abcxyz", 0, 0},
		  {"xyzabc", 0, 0},
		  {"abcxy", 0, 1}}},
		/* the negated content at the very end of the payload */
		{"content:\"abc\"; content:!\"z\";",
		 {{"abcz", 0, 0}, {"abc", 0, 1}, {"zabc", 0, 0}}},
		/* negated with depth: only the first 3 bytes count */
		{"content:\"abc\"; content:!\"xyz\"; depth:3;",
		 {{"abcxyz", 0, 1}, {"xyzabc", 0, 0}}},
		/* negated relative: no x right after abc */
		{"content:\"abc\"; content:!\"x\"; within:1;",
		 {{"abcy", 0, 1},
		  {"abcx", 0, 0},
		  {"abc", 0, 1},
		  {"xabc", 0, 1}}},
		/* negated relative, then a positive relative to abc */
		{"content:\"abc\"; content:!\"x\"; within:1; content:\"d\"; "
		 "distance:0;",
		 {{"abcyd", 0, 1}, {"abcxd", 0, 0}, {"abcy", 0, 0}}},
		/* the overflow idiom: 5 bytes after A without a newline */
		{"content:\"A\"; isdataat:5,relative; content:!\"|0a|\"; "
		 "within:5;",
		 {{"A12345", 0, 1},
		  {"A1234", 0, 0},
		  {"A12\n45", 0, 0},
		  {"A12345\n", 0, 1}}},
		{"content:\"abc\"; pcre:!\"/x+y/\";",
		 {{"abc", 0, 1}, {"abcxxy", 0, 0}}},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	expect_skip("content:!\"abc\";", "negated content only");
	expect_skip("content:!\"abc\"; content:!\"d\";",
		    "negated content only");
}

static void
test_map_pcre(void)
{
	static const struct mcase cases[] = {
		{"pcre:\"/a.c/\";",
		 {{"abc", 0, 1}, {"a\nc", 0, 0}, {"ac", 0, 0}}},
		{"pcre:\"/a.c/s\";", {{"a\nc", 0, 1}}},
		{"pcre:\"/ABC/i\";", {{"xabcx", 0, 1}, {"ABD", 0, 0}}},
		{"pcre:\"/^b/m\";", {{"a\nb", 0, 1}, {"ab", 0, 0}}},
		{"pcre:\"/^b/\";", {{"a\nb", 0, 0}, {"bx", 0, 1}}},
		{"pcre:\"/a b c/x\";", {{"abc", 0, 1}, {"a b c", 0, 0}}},
		{"pcre:\"/bc/A\";", {{"bcx", 0, 1}, {"abc", 0, 0}}},
		/* R: after the previous match */
		{"content:\"ab\"; pcre:\"/cd/R\";",
		 {{"abxcd", 0, 1}, {"cdab", 0, 0}, {"abcd", 0, 1}}},
		/* R with ^: right after the previous match */
		{"content:\"ab\"; pcre:\"/^cd/R\";",
		 {{"abcd", 0, 1}, {"abxcd", 0, 0}, {"cdab", 0, 0}}},
		/* R with A: the same */
		{"content:\"ab\"; pcre:\"/cd/RA\";",
		 {{"abcd", 0, 1}, {"abxcd", 0, 0}}},
		/* pcre flags stay inside the piece */
		{"content:\"ab\"; pcre:\"/c.d/Rsi\"; content:\"E\";",
		 {{"abC\nDE", 0, 1}, {"abC\nDe", 0, 0}, {"ABC\nDE", 0, 0}}},
		{"content:\"ab\"; pcre:\"/c.d/Rsi\";",
		 {{"abC\nD", 0, 1}, {"abc\n", 0, 0}}},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	expect_skip("pcre:\"/(a)\\1/\";", "pcre rejected by hyperscan");
	expect_skip("pcre:\"/a*/\";", "pcre can match an empty payload");
	expect_skip("pcre:\"/a/U\";", "unsupported pcre flag U");
	expect_skip("content:\"a\"; pcre:\"/b|^c/R\";",
		    "cannot express ^, \\A or \\b inside a relative pcre");
	expect_skip("content:\"a\"; pcre:\"/\\bword/R\";",
		    "cannot express ^, \\A or \\b inside a relative pcre");
	expect_skip("pcre:\"/a#b/x\";", "cannot wrap a pcre with the x flag");
}

static void
test_map_isdataat(void)
{
	static const struct mcase cases[] = {
		{"content:\"ab\"; isdataat:3,relative;",
		 {{"ab123", 0, 1}, {"ab12", 0, 0}, {"ab12ab123", 0, 1}}},
		{"content:\"ab\"; isdataat:!3,relative;",
		 {{"ab12", 0, 1}, {"ab123", 0, 0}, {"ab", 0, 1}}},
		/* both: 2 <= bytes after < 4 */
		{"content:\"ab\"; isdataat:2,relative; isdataat:!4,relative;",
		 {{"ab1", 0, 0},
		  {"ab12", 0, 1},
		  {"ab123", 0, 1},
		  {"ab1234", 0, 0}}},
		/* absolute isdataat and dsize are the dataplane's */
		{"content:\"ab\"; isdataat:100; dsize:>50;", {{"ab", 0, 1}}},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
	expect_skip("content:\"a\"; isdataat:!0,relative;", "never matches");
	expect_skip("content:\"a\"; isdataat:2,relative; content:\"b\"; "
		    "distance:0;",
		    "cannot express a match after a relative isdataat");
	expect_skip("isdataat:2,relative; content:\"b\";",
		    "cannot express relative isdataat without a match");
}

static void
test_map_skips(void)
{
	expect_skip("content:\"ab\"; content:\"c\"; distance:-1;",
		    "cannot express negative distance exactly");
	expect_skip("pcre:\"/a+/\"; content:\"c\"; distance:0;",
		    "cannot express content relative to a pcre match");
	expect_skip("pcre:\"/a+/\"; pcre:\"/c/R\";",
		    "cannot express pcre relative to a pcre match");
	expect_skip("content:\"abc\"; depth:2;",
		    "invalid rule: depth 2 is smaller than the content");
	expect_skip("content:\"abc\"; within:2;",
		    "invalid rule: within 2 is smaller than the content");
	expect_skip("content:\"abc\"; depth:5; distance:1;",
		    "invalid rule: content mixes depth/offset");
	expect_skip("content:\"abc\"; nocase; nocase;",
		    "invalid rule: nocase twice");
	expect_skip("nocase; content:\"abc\";",
		    "invalid rule: nocase without a content");
	expect_skip("content:\"a|4\";", "invalid content: unterminated hex");
	expect_skip("content:\"a|4|\";", "invalid content: odd number");
	expect_skip("content:\"a\\x\";", "invalid content: bad escape");
	expect_skip("content:\"\";", "invalid content: empty");
	expect_skip("content:abc;", "invalid content: not a quoted string");
	expect_skip("content:\"ab\"; byte_test:1,&,1,0;",
		    "unsupported keyword byte_test");
	expect_skip("content:\"ab\"; flow:stateless;",
		    "unsupported flow option stateless");
	expect_skip("content:\"a\"; content:\"b\"; distance:1; within:1; "
		    "offset:0;",
		    "invalid rule");
}

/* ---------------------------------------------------------------------
 * Parser.
 */

static void
test_parse_header(void)
{
	struct ctl_rules rs;
	struct ctl_rules_stats st;
	char a[256], b[256];
	const struct ctl_rule *r;

	ctl_rules_init(&rs);
	st = load(&rs,
		  "drop tcp [10.0.0.0/8,!10.1.0.0/16] [1:1024,!53] <> "
		  "!$HOME_NET $HTTP_PORTS (msg:\"m\\;x\"; flow:established,"
		  "from_client; content:\"a\"; classtype:bad-unknown; "
		  "priority:2; rev:3; sid:10;)\n");
	CU_ASSERT_EQUAL(st.rules, 1);
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 1);
	r = &rs.rules[0];
	CU_ASSERT_EQUAL(r->action, CTL_RULE_DROP);
	CU_ASSERT_EQUAL(r->proto, CTL_RULE_PROTO_TCP);
	CU_ASSERT_EQUAL(r->sid, 10);
	CU_ASSERT_EQUAL(r->rev, 3);
	CU_ASSERT_EQUAL(r->priority, 2);
	CU_ASSERT_STRING_EQUAL(r->msg, "m;x");
	CU_ASSERT_STRING_EQUAL(r->classtype, "bad-unknown");
	CU_ASSERT(r->flags & CTL_RULE_BIDIR);
	CU_ASSERT(r->flags & CTL_RULE_FLOW_ESTABLISHED);
	CU_ASSERT(r->flags & CTL_RULE_FLOW_TO_SERVER);
	CU_ASSERT_EQUAL(ctl_rule_scan(r), CTL_RULE_SCAN_STREAM);
	CU_ASSERT_EQUAL(ctl_rule_addr_format(&r->src, a, sizeof(a)), 0);
	/* 10/8 minus 10.1/16, as the fewest prefixes */
	CU_ASSERT_STRING_EQUAL(a, "[10.0.0.0/16,10.2.0.0/15,10.4.0.0/14,"
				  "10.8.0.0/13,10.16.0.0/12,10.32.0.0/11,"
				  "10.64.0.0/10,10.128.0.0/9]");
	CU_ASSERT_EQUAL(ctl_rule_ports_format(&r->sport, b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "[1:52,54:1024]");
	CU_ASSERT_EQUAL(ctl_rule_ports_format(&r->dport, b, sizeof(b)), 0);
	CU_ASSERT_STRING_EQUAL(b, "80");
	CU_ASSERT_EQUAL(ctl_rule_addr_format(&r->dst, a, sizeof(a)), 0);
	CU_ASSERT_STRING_EQUAL(a, "![10.0.0.0/8,172.16.0.0/12,"
				  "192.168.0.0/16,fc00::/7]");
	{
		const uint8_t in[4] = {10, 1, 2, 3}, out[4] = {10, 2, 0, 1};
		const uint8_t ext[4] = {8, 8, 8, 8};

		CU_ASSERT(!ctl_rule_addr_match(&r->src, CTL_PREFIX_V4, in));
		CU_ASSERT(ctl_rule_addr_match(&r->src, CTL_PREFIX_V4, out));
		CU_ASSERT(ctl_rule_addr_match(&r->dst, CTL_PREFIX_V4, ext));
		CU_ASSERT(!ctl_rule_addr_match(&r->dst, CTL_PREFIX_V4, in));
	}
	CU_ASSERT(ctl_rule_ports_match(&r->sport, 1));
	CU_ASSERT(!ctl_rule_ports_match(&r->sport, 53));
	CU_ASSERT(!ctl_rule_ports_match(&r->sport, 0));
	CU_ASSERT(!ctl_rule_ports_match(&r->sport, 1025));
	ctl_rules_free(&rs);
}

/* Address and port expressions against their canonical spelling. */
static void
test_parse_sets(void)
{
	static const struct {
		const char *in;
		const char *out; /* NULL: must fail */
	} addrs[] = {
		{"any", "any"},
		{"1.2.3.4", "1.2.3.4/32"},
		{"1.2.3.0/24", "1.2.3.0/24"},
		{"1.2.3.9/24", "1.2.3.0/24"},
		{"[1.2.3.0/25,1.2.3.128/25]", "1.2.3.0/24"},
		{"1.2.3.0-1.2.3.127", "1.2.3.0/25"},
		{"![0.0.0.0/1]", "!0.0.0.0/1"},
		{"[!1.2.3.4]", "!1.2.3.4/32"},
		{"!!1.2.3.4", "1.2.3.4/32"},
		{"[any,!::/0]", "0.0.0.0/0"},
		{"[any,!0.0.0.0/0]", "::/0"},
		{"2001:db8::/32", "2001:db8::/32"},
		{"[$HOME_NET, !192.168.0.0/16]",
		 "[10.0.0.0/8,172.16.0.0/12,fc00::/7]"},
		{"[1.2.3.4,[5.6.7.8,!5.6.7.8]]", "1.2.3.4/32"},
		{"!any", NULL},
		{"[]", NULL},
		{"[1.2.3.4", NULL},
		{"1.2.3.4]", NULL},
		{"$NOPE", NULL},
		{"1.2.3.256", NULL},
		{"[1.2.3.4,]", NULL},
		{"1.2.3.9-1.2.3.1", NULL},
		{"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1.2.3.4]]]]]]]]]]]]]]]]]]]"
		 "]]]"
		 "]]]]]]]]]]]]]",
		 NULL},
	};
	static const struct {
		const char *in;
		const char *out;
	} ports[] = {
		{"any", "any"},
		{"80", "80"},
		{"1024:", "1024:65535"},
		{":1023", "0:1023"},
		{"!80", "!80"},
		{"[80,443,8000:8080]", "[80,443,8000:8080]"},
		{"[1:100,!50]", "[1:49,51:100]"},
		{"[!0,!65535]", "1:65534"},
		{"$SHELLCODE_PORTS", "!80"},
		{"$FILE_DATA_PORTS", "[80,110,143]"},
		{"65536", NULL},
		{"2:1", NULL},
		{":", NULL},
		{"!any", NULL},
		{"$HOME_NET", NULL},
		{"80x", NULL},
	};
	char why[CTL_RULE_WHY_LEN], buf[512];
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		struct ctl_rule_addr a = {0};
		int ret = ctl_rule_addr_parse(addrs[i].in, NULL, &a, why,
					      sizeof(why));

		if (addrs[i].out == NULL) {
			if (ret != -EINVAL)
				fprintf(stderr, "\n  address %s: %d",
					addrs[i].in, ret);
			CU_ASSERT_EQUAL(ret, -EINVAL);
		} else {
			CU_ASSERT_EQUAL_FATAL(ret, 0);
			CU_ASSERT_EQUAL(
				ctl_rule_addr_format(&a, buf, sizeof(buf)), 0);
			if (strcmp(buf, addrs[i].out) != 0)
				fprintf(stderr, "\n  %s: got %s want %s",
					addrs[i].in, buf, addrs[i].out);
			CU_ASSERT_STRING_EQUAL(buf, addrs[i].out);
		}
		ctl_rule_addr_free(&a);
	}
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct ctl_rule_ports p = {0};
		int ret = ctl_rule_ports_parse(ports[i].in, NULL, &p, why,
					       sizeof(why));

		if (ports[i].out == NULL) {
			if (ret != -EINVAL)
				fprintf(stderr, "\n  ports %s: %d", ports[i].in,
					ret);
			CU_ASSERT_EQUAL(ret, -EINVAL);
		} else {
			CU_ASSERT_EQUAL_FATAL(ret, 0);
			CU_ASSERT_EQUAL(
				ctl_rule_ports_format(&p, buf, sizeof(buf)), 0);
			if (strcmp(buf, ports[i].out) != 0)
				fprintf(stderr, "\n  %s: got %s want %s",
					ports[i].in, buf, ports[i].out);
			CU_ASSERT_STRING_EQUAL(buf, ports[i].out);
		}
		ctl_rule_ports_free(&p);
	}
}

static void
test_vars(void)
{
	struct ctl_rule_vars v = {0};
	struct ctl_rule_addr a = {0};
	char why[CTL_RULE_WHY_LEN], buf[256], path[] = "/tmp/bw_varsXXXXXX";
	FILE *f, *diag;
	char *diag_text = NULL;
	size_t diag_len = 0;
	int fd;

	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "HTTP_PORTS"), "80");
	CU_ASSERT_EQUAL(ctl_rule_vars_set(&v, "HOME_NET", "10.0.0.0/8", why,
					  sizeof(why)),
			0);
	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "$HOME_NET"),
			       "10.0.0.0/8");
	/* EXTERNAL_NET follows HOME_NET */
	CU_ASSERT_EQUAL(
		ctl_rule_addr_parse("$EXTERNAL_NET", &v, &a, why, sizeof(why)),
		0);
	CU_ASSERT_EQUAL(ctl_rule_addr_format(&a, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "!10.0.0.0/8");
	ctl_rule_addr_free(&a);
	CU_ASSERT_EQUAL(ctl_rule_vars_set(&v, "X", "$X", why, sizeof(why)),
			-EINVAL);
	CU_ASSERT(strstr(why, "a cycle") != NULL);
	CU_ASSERT_EQUAL(ctl_rule_vars_set(&v, "9X", "80", why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_EQUAL(
		ctl_rule_vars_set(&v, "Y", "nonsense", why, sizeof(why)),
		-EINVAL);
	CU_ASSERT_EQUAL(ctl_rule_vars_set(&v, "MY_PORTS", "[80,$HTTP_PORTS]",
					  why, sizeof(why)),
			0);
	CU_ASSERT_EQUAL(ctl_rule_vars_defaults(&v), 0);
	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "HOME_NET"), "10.0.0.0/8");
	ctl_rule_vars_free(&v);

	/* a file: later names usable before their line, bad lines named */
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("# site\nEXTERNAL_NET !$HOME_NET\nHOME_NET [192.0.2.0/24, "
	      "2001:db8::/32]\n\nDNS_PORTS 53\n",
	      f);
	fclose(f);
	CU_ASSERT_EQUAL(ctl_rule_vars_load_file(&v, path, NULL), 0);
	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "HOME_NET"),
			       "[192.0.2.0/24, 2001:db8::/32]");
	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "DNS_PORTS"), "53");
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("A 1.2.3.4\nB\n1X 80\nC $NOPE\n", f);
	fclose(f);
	diag = open_memstream(&diag_text, &diag_len);
	CU_ASSERT_FATAL(diag != NULL);
	CU_ASSERT_EQUAL(ctl_rule_vars_load_file(&v, path, diag), -EINVAL);
	fclose(diag);
	CU_ASSERT(strstr(diag_text, ":2: error: missing value") != NULL);
	CU_ASSERT(strstr(diag_text, ":3: error: bad variable name") != NULL);
	CU_ASSERT(strstr(diag_text, "variable C:") != NULL);
	/* refused file: vars as before */
	CU_ASSERT_PTR_NULL(ctl_rule_vars_get(&v, "A"));
	free(diag_text);
	unlink(path);
	ctl_rule_vars_free(&v);
}

static void
test_parse_file_shape(void)
{
	static const char text[] =
		"# comment\n"
		"\n"
		"   # indented comment\n"
		"alert tcp any any -> any any (msg:\"one\"; \\\n"
		"    content:\"x\"; sid:1;)\n"
		"alert http any any -> any any (msg:\"two\"; sid:2;)\n"
		"alert tcp any any -> any any (msg:\"three\"; "
		"http.uri; sid:3;)\r\n"
		"garbage here\n"
		"alert tcp any any -> any any (msg:\"dup\"; sid:1;)\n"
		"alert tcp any any -> any any (msg:\"no sid\";)\n"
		"reject tcp any any -> any any (sid:4;)\n"
		"alert tcp any any -> any any (sid:5; content:\"y\")\n"
		"alert tcp any any -> any any (sid:6; content:\"y\";) junk\n"
		"alert tcp any any any -> any any (sid:7;)\n"
		"alert tcp-pkt any any -> any 1:2 (sid:8;)\n"
		"alert icmp any any -> any 80 (sid:9;)\n";
	static const char *const want[] = {
		"t:6 sid 2: unsupported protocol http",
		"t:7 sid 3: unsupported keyword http.uri",
		"t:8: invalid rule: unknown action 'garbage'",
		"t:9 sid 1: duplicate sid (first at t:4)",
		"t:10: invalid rule: no sid",
		"t:11 sid 4: unsupported action reject",
		"t:13 sid 6: invalid rule: no (options) at the end",
		"t:14 sid 7: invalid rule: bad direction 'any'",
		"t:16 sid 9: invalid rule: ports with protocol icmp",
	};
	struct ctl_rules rs;
	struct ctl_rules_stats st;
	size_t i;

	ctl_rules_init(&rs);
	st = load(&rs, text);
	CU_ASSERT_EQUAL(st.rules, 12);
	CU_ASSERT_EQUAL(st.taken, 3);
	CU_ASSERT_EQUAL(st.skipped, 9);
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 3);
	CU_ASSERT_EQUAL(rs.rules[0].line, 4);
	CU_ASSERT_EQUAL(rs.rules[0].nb_m, 1);
	CU_ASSERT_EQUAL(rs.rules[1].sid, 5); /* no ';' before ')' is fine */
	CU_ASSERT_EQUAL(rs.rules[2].sid, 8);
	CU_ASSERT_EQUAL(ctl_rule_scan(&rs.rules[2]), CTL_RULE_SCAN_PACKET);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		size_t k;
		int found = 0;

		for (k = 0; k < rs.nb_skips; k++)
			found |= strcmp(skip_text(&rs, k), want[i]) == 0;
		if (!found) {
			fprintf(stderr, "\n  missing: %s\n  have:", want[i]);
			for (k = 0; k < rs.nb_skips; k++)
				fprintf(stderr, "\n    %s", skip_text(&rs, k));
		}
		CU_ASSERT(found);
	}
	ctl_rules_free(&rs);
}

/* Options that parse into the model as written. */
static void
test_parse_options(void)
{
	static const char raw[] =
		"alert udp any any -> any any (content:\"a|00|b\"; nocase; "
		"offset:1; depth:9; content:!\"c\"; distance:-2; within:5; "
		"pcre:\"/x/Rsmi\"; isdataat:!7,relative; dsize:3<>9; sid:1;)";
	struct ctl_rules rs;
	const struct ctl_rule_match *m;
	const struct ctl_rule *r;

	ctl_rules_init(&rs);
	load(&rs, "alert udp any any -> any any (content:\"a|00|b\"; "
		  "nocase; offset:1; depth:9; content:!\"c\"; distance:-2; "
		  "within:5; pcre:\"/x/Rsmi\"; isdataat:!7,relative; "
		  "dsize:3<>9; metadata:a b, c d; reference:url,x; "
		  "target:dest_ip; sid:1;)\n"
		  "alert udp any any -> any any (dsize:>5; sid:2;)\n"
		  "alert udp any any -> any any (dsize:!5; sid:3;)\n"
		  "alert udp any any -> any any (dsize:<=5; sid:4;)\n");
	/* sid 1 is skipped by the check (negative distance) */
	CU_ASSERT_EQUAL_FATAL(rs.nb_skips, 1);
	CU_ASSERT_STRING_EQUAL(rs.skips[0].reason,
			       "cannot express negative distance exactly");
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 3);
	r = &rs.rules[0];
	CU_ASSERT_EQUAL(r->dsize.op, CTL_DSIZE_IN);
	CU_ASSERT_EQUAL(r->dsize.min, 6);
	CU_ASSERT_EQUAL(r->dsize.max, 65535);
	CU_ASSERT_EQUAL(rs.rules[1].dsize.op, CTL_DSIZE_OUT);
	CU_ASSERT_EQUAL(rs.rules[2].dsize.max, 5);
	ctl_rules_free(&rs);

	/* the same without the check: the model as parsed */
	ctl_rules_init(&rs);
	CU_ASSERT_EQUAL(
		ctl_rules_load_buf(&rs, "t", raw, strlen(raw), NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(rs.nb_rules, 1);
	r = &rs.rules[0];
	CU_ASSERT_EQUAL_FATAL(r->nb_m, 4);
	m = &r->m[0];
	CU_ASSERT_EQUAL(m->kind, CTL_MATCH_CONTENT);
	CU_ASSERT_EQUAL(m->len, 3);
	CU_ASSERT(memcmp(m->data, "a\0b", 3) == 0);
	CU_ASSERT_EQUAL(m->flags,
			CTL_MATCH_NOCASE | CTL_MATCH_OFFSET | CTL_MATCH_DEPTH);
	CU_ASSERT_EQUAL(m->offset, 1);
	CU_ASSERT_EQUAL(m->depth, 9);
	m = &r->m[1];
	CU_ASSERT_EQUAL(m->flags, CTL_MATCH_NEGATED | CTL_MATCH_RELATIVE |
					  CTL_MATCH_DISTANCE |
					  CTL_MATCH_WITHIN);
	CU_ASSERT_EQUAL(m->distance, -2);
	CU_ASSERT_EQUAL(m->within, 5);
	m = &r->m[2];
	CU_ASSERT_EQUAL(m->kind, CTL_MATCH_PCRE);
	CU_ASSERT_STRING_EQUAL((const char *)m->data, "x");
	CU_ASSERT_EQUAL(m->pcre, CTL_PCRE_DOTALL | CTL_PCRE_MULTILINE |
					 CTL_PCRE_CASELESS);
	CU_ASSERT_EQUAL(m->flags, CTL_MATCH_RELATIVE);
	m = &r->m[3];
	CU_ASSERT_EQUAL(m->kind, CTL_MATCH_ISDATAAT);
	CU_ASSERT_EQUAL(m->flags, CTL_MATCH_NEGATED | CTL_MATCH_RELATIVE);
	CU_ASSERT_EQUAL(m->offset, 7);
	CU_ASSERT_EQUAL(r->dsize.min, 4);
	CU_ASSERT_EQUAL(r->dsize.max, 8);
	CU_ASSERT(r->flags & CTL_RULE_PACKET);
	ctl_rules_free(&rs);
}

/* ---------------------------------------------------------------------
 * Compile.
 */

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
	load(&rs, "alert udp any any -> any any (content:\"a\"; sid:1;)\n"
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
	load(&rs, "alert tcp any any -> any any (content:\"split\"; sid:1;)\n"
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
	CU_ASSERT_STRING_EQUAL(skip_text(&rs, 0),
			       "p.hs:6 sid 14: prefilter flag P refused (it "
			       "matches more than the regex)");
	CU_ASSERT(strstr(skip_text(&rs, 1), "p.hs:7 sid 15: pattern rejected "
					    "by hyperscan: ") != NULL);
	CU_ASSERT_STRING_EQUAL(skip_text(&rs, 2),
			       "p.hs:8 sid 16: combination refers to ID 99: "
			       "not in the file");
	CU_ASSERT_STRING_EQUAL(skip_text(&rs, 3),
			       "p.hs:9 sid 10: duplicate ID (first at line "
			       "2)");
	CU_ASSERT_STRING_EQUAL(skip_text(&rs, 4),
			       "p.hs:10: invalid pattern: no ID");
	CU_ASSERT_STRING_EQUAL(skip_text(&rs, 5),
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

/* ---------------------------------------------------------------------
 * The ET files.
 */

/*
 * Rules in a file counted apart from the parser: logical lines (a line
 * ending in '\' joins the next), not blank, not starting with '#'.
 */
static size_t
count_rules(const char *path)
{
	char line[1 << 16];
	size_t n = 0;
	int cont = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		const char *p = line;

		while (len > 0 && strchr(" \t\r\n", line[len - 1]) != NULL)
			line[--len] = '\0';
		if (!cont) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '\0' && *p != '#')
				n++;
			else
				continue;
		}
		cont = len > 0 && line[len - 1] == '\\';
	}
	fclose(f);
	return n;
}

/* Sorted names of the *.rules files under dir/rules; count in *nb. */
static char **
rule_files(const char *dir, size_t *nb)
{
	char path[PATH_MAX], **names = NULL;
	struct dirent *de;
	DIR *d;

	*nb = 0;
	if (snprintf(path, sizeof(path), "%s/rules", dir) >= (int)sizeof(path))
		return NULL;
	d = opendir(path);
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules") != 0)
			continue;
		nn = realloc(names, (*nb + 1) * sizeof(*names));
		if (nn == NULL)
			break;
		names = nn;
		names[(*nb)++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < *nb; i++) {
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		     j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	}
	return names;
}

static void
free_names(char **names, size_t nb)
{
	for (size_t i = 0; i < nb; i++)
		free(names[i]);
	free(names);
}

/*
 * Load every ET file into rs (with the check). Per file: rules counted
 * apart == rules seen == taken + skipped, every skip with a reason.
 */
static size_t
load_et(const char *dir, struct ctl_rules *rs)
{
	char path[PATH_MAX];
	size_t nb, i, total = 0;
	char **names = rule_files(dir, &nb);

	CU_ASSERT_FATAL(names != NULL && nb >= 5);
	for (i = 0; i < nb; i++) {
		struct ctl_rules_stats st;
		size_t want, k, nb_taken = 0, nb_skips = 0;
		const char *file;

		CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/rules/%s", dir,
					 names[i]) < (int)sizeof(path));
		want = count_rules(path);
		CU_ASSERT_EQUAL_FATAL(
			ctl_rules_load_file(rs, path, &check_opts, &st), 0);
		CU_ASSERT(want > 0);
		CU_ASSERT_EQUAL(st.rules, want);
		CU_ASSERT_EQUAL(st.taken + st.skipped, want);
		file = ctl_rules_intern(rs, path);
		for (k = 0; k < rs->nb_rules; k++)
			nb_taken += rs->rules[k].file == file;
		for (k = 0; k < rs->nb_skips; k++) {
			if (rs->skips[k].file != file)
				continue;
			nb_skips++;
			CU_ASSERT(rs->skips[k].reason[0] != '\0');
			CU_ASSERT(rs->skips[k].line > 0);
		}
		CU_ASSERT_EQUAL(nb_taken, st.taken);
		CU_ASSERT_EQUAL(nb_skips, st.skipped);
		total += want;
	}
	free_names(names, nb);
	return total;
}

static void
test_et_files(void)
{
	struct ctl_hsdb_opts ob = {CTL_HSDB_BLOCK, 0, 0, NULL, NULL};
	struct ctl_hsdb_opts os = {CTL_HSDB_STREAM, 0, 0, NULL, NULL};
	char dir[PATH_MAX], err[CTL_HSDB_ERR_LEN];
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb blk = {0}, str = {0};
	struct ctl_rules_reason *t;
	size_t total;
	long n;

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	ctl_rules_init(&rs);
	total = load_et(dir, &rs);
	CU_ASSERT_EQUAL(total, rs.nb_rules + rs.nb_skips);
	CU_ASSERT(rs.nb_rules > 200);
	/* reasons are counted, none empty */
	n = ctl_rules_tally(&rs, NULL, &t);
	CU_ASSERT_FATAL(n > 0);
	{
		size_t sum = 0;

		for (long i = 0; i < n; i++) {
			sum += t[i].count;
			CU_ASSERT(t[i].reason[0] != '\0');
		}
		CU_ASSERT_EQUAL(sum, rs.nb_skips);
	}
	ctl_rules_reasons_free(t, (size_t)n);
	/* everything taken maps and compiles, per packet and per stream */
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	if (ctl_hsdb_compile(&rs, &map, &ob, &blk, err, sizeof(err)) ||
	    ctl_hsdb_compile(&rs, &map, &os, &str, err, sizeof(err))) {
		fprintf(stderr, "\n  %s", err);
		CU_FAIL("ET compile");
	}
	CU_ASSERT(blk.nb_rules > 0 && str.nb_rules > 0);
	CU_ASSERT(blk.nb_rules + str.nb_rules <= rs.nb_rules);
	ctl_hsdb_free(&blk);
	ctl_hsdb_free(&str);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

/* A file never crashes the parser: mutated ET lines (deterministic). */
static void
test_et_mutations(void)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct ctl_rules rs;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t len, i, round;

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	CU_ASSERT_FATAL(snprintf(path, sizeof(path),
				 "%s/rules/emerging-scada.rules",
				 dir) < (int)sizeof(path));
	CU_ASSERT_EQUAL_FATAL(ctl_rules_read_file(path, &buf, &len), 0);
	for (round = 0; round < 40; round++) {
		struct ctl_rules_stats st;
		char *m = malloc(len);

		CU_ASSERT_FATAL(m != NULL);
		memcpy(m, buf, len);
		for (i = 0; i < 200; i++) {
			bw_test_rnd(&x);
			m[x % len] = "\\|;:\"!()[],$ -x0\n\0"[(x >> 32) % 18];
		}
		ctl_rules_init(&rs);
		CU_ASSERT_EQUAL(
			ctl_rules_load_buf(&rs, "m", m, len, &check_opts, &st),
			0);
		CU_ASSERT_EQUAL(st.taken + st.skipped, st.rules);
		CU_ASSERT_EQUAL(rs.nb_skips, st.skipped);
		ctl_rules_free(&rs);
		free(m);
	}
	free(buf);
}

/* ---------------------------------------------------------------------
 * IEC-104: the ET SCADA rules on real captures.
 */

/*
 * The TCP payload of an Ethernet/IPv4 frame to or from port into *p and
 * *n, sized by the IP total length (not the captured length: frames are
 * padded to 60 bytes). Returns 0 when there is one.
 */
static int
tcp_payload(const uint8_t *f, size_t caplen, uint16_t port, const uint8_t **p,
	    size_t *n, uint16_t *dport)
{
	size_t off = 14, ihl, thl, tot;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]), sp, dp;

	if (caplen < 14)
		return -1;
	while (type == 0x8100 || type == 0x88a8) {
		if (caplen < off + 4)
			return -1;
		type = (uint16_t)(f[off + 2] << 8 | f[off + 3]);
		off += 4;
	}
	if (type != 0x0800 || caplen < off + 20 || (f[off] >> 4) != 4 ||
	    f[off + 9] != 6)
		return -1;
	ihl = (size_t)(f[off] & 0xf) * 4;
	tot = (size_t)(f[off + 2] << 8 | f[off + 3]);
	if (ihl < 20 || tot < ihl + 20 || caplen < off + tot)
		return -1;
	thl = (size_t)(f[off + ihl + 12] >> 4) * 4;
	if (thl < 20 || tot < ihl + thl)
		return -1;
	sp = (uint16_t)(f[off + ihl] << 8 | f[off + ihl + 1]);
	dp = (uint16_t)(f[off + ihl + 2] << 8 | f[off + ihl + 3]);
	if (sp != port && dp != port)
		return -1;
	*p = f + off + ihl + thl;
	*n = tot - ihl - thl;
	*dport = dp;
	return *n > 0 ? 0 : -1;
}

static void
test_iec104(void)
{
	static const char *const pcaps[] = {"090813_diverse.pcap",
					    "JavaRMI_and_IEC_Misc.pcap",
					    "TestDissectIec104.pcap"};
	/* TESTFR act, TESTFR con, STARTDT act, STARTDT con */
	static const uint32_t want[] = {2046158, 2046159, 2046160, 2046161};
	struct ctl_hsdb_opts o = {CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL, 0, NULL,
				  NULL};
	char dir[PATH_MAX], path[PATH_MAX], err[CTL_HSDB_ERR_LEN];
	char ebuf[PCAP_ERRBUF_SIZE];
	size_t seen[4] = {0, 0, 0, 0}, i, nb_payloads = 0;
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb db = {0};

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	CU_ASSERT_FATAL(snprintf(path, sizeof(path),
				 "%s/rules/emerging-scada.rules",
				 dir) < (int)sizeof(path));
	ctl_rules_init(&rs);
	CU_ASSERT_EQUAL_FATAL(ctl_rules_load_file(&rs, path, &check_opts, NULL),
			      0);
	for (i = 0; i < 5; i++) {
		size_t k;
		int taken = 0;

		for (k = 0; k < rs.nb_rules; k++)
			taken |= rs.rules[k].sid == 2046158 + i;
		if (!taken)
			fprintf(stderr, "\n  sid %zu not taken", 2046158 + i);
		CU_ASSERT(taken);
	}
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
		ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(pcaps) / sizeof(pcaps[0]); i++) {
		struct pcap_pkthdr *h;
		const u_char *f;
		pcap_t *pc;

		CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/pcaps/ics/%s",
					 dir, pcaps[i]) < (int)sizeof(path));
		pc = pcap_open_offline(path, ebuf);
		if (pc == NULL)
			fprintf(stderr, "\n  %s", ebuf);
		CU_ASSERT_FATAL(pc != NULL);
		CU_ASSERT_EQUAL_FATAL(pcap_datalink(pc), DLT_EN10MB);
		while (pcap_next_ex(pc, &h, &f) == 1) {
			const uint8_t *p;
			uint32_t ids[16];
			size_t n, nb, k;
			uint16_t dport;

			if (tcp_payload(f, h->caplen, 2404, &p, &n, &dport))
				continue;
			nb_payloads++;
			CU_ASSERT_EQUAL_FATAL(
				ctl_hsdb_scan(&db, p, n, ids, 16, &nb), 0);
			for (k = 0; k < nb && k < 16; k++) {
				const struct ctl_rule *r = &rs.rules[ids[k]];
				size_t w;

				for (w = 0; w < 4; w++) {
					if (r->sid != want[w])
						continue;
					seen[w]++;
					/* and the dataplane's half holds */
					CU_ASSERT_EQUAL(n, 6);
					CU_ASSERT(r->dsize.min == 6 &&
						  r->dsize.max == 6);
					CU_ASSERT(ctl_rule_ports_match(
							  &r->dport, dport) ||
						  ctl_rule_ports_match(
							  &r->sport, 2404));
				}
			}
		}
		pcap_close(pc);
	}
	CU_ASSERT(nb_payloads > 50);
	for (i = 0; i < 4; i++) {
		if (seen[i] == 0)
			fprintf(stderr, "\n  sid %u never matched", want[i]);
		CU_ASSERT(seen[i] > 0);
	}
	ctl_hsdb_free(&db);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

/* ---------------------------------------------------------------------
 * --counts: the tables of docs/rules.md.
 */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One row of the database table. Returns 0, or 1 when it did not compile. */
static int
print_db(const char *what, const struct ctl_rules *rs,
	 const struct ctl_hsmap *map, struct ctl_hsdb_opts *o)
{
	char err[CTL_HSDB_ERR_LEN], *ser = NULL;
	struct ctl_hsdb db = {0};
	size_t ser_len = 0;

	if (ctl_hsdb_compile(rs, map, o, &db, err, sizeof(err)) != 0) {
		printf("| %s | error: %s | | | |\n", what, err);
		fprintf(stderr, "test_rules: %s: %s\n", what, err);
		return 1;
	}
	if (db.db != NULL)
		ctl_hsdb_serialize(&db, &ser, &ser_len);
	printf("| %s | %u | %u | %.0f | %zu |\n", what, db.nb_rules,
	       db.nb_exprs, (double)db.compile_ns / 1e6, ser_len);
	free(ser);
	ctl_hsdb_free(&db);
	return 0;
}

/* Returns 0, or 1 when a file or database failed (the tables say which). */
static int
print_counts(void)
{
	char dir[PATH_MAX], path[PATH_MAX], err[CTL_HSDB_ERR_LEN];
	struct ctl_rules all;
	struct ctl_hsmap map = {0};
	struct timespec t0;
	size_t nb, i;
	char **names;
	int bad = 0;

	if (data_dir_find(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "test_rules: test data not found\n");
		return 1;
	}
	names = rule_files(dir, &nb);
	if (names == NULL)
		return 1;
	printf("| file | rules | taken | skipped | skipped by reason |\n");
	printf("| --- | ---: | ---: | ---: | --- |\n");
	ctl_rules_init(&all);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nb; i++) {
		struct ctl_rules_stats st;
		struct ctl_rules_reason *t;
		const char *file;
		long n, k;

		if (snprintf(path, sizeof(path), "%s/rules/%s", dir,
			     names[i]) >= (int)sizeof(path) ||
		    ctl_rules_load_file(&all, path, &check_opts, &st))
			return 1;
		file = ctl_rules_intern(&all, path);
		printf("| %s | %zu | %zu | %zu | ", names[i], st.rules,
		       st.taken, st.skipped);
		n = ctl_rules_tally(&all, file, &t);
		for (k = 0; k < n; k++)
			printf("%s%s %zu", k ? ", " : "", t[k].reason,
			       t[k].count);
		printf(" |\n");
		ctl_rules_reasons_free(t, n > 0 ? (size_t)n : 0);
	}
	printf("\nparse and check of all files: %.0f ms\n\n", ms_since(&t0));
	{
		struct ctl_rules_reason *t;
		long n = ctl_rules_tally(&all, NULL, &t), k;

		printf("| reason (all files) | rules |\n| --- | ---: |\n");
		for (k = 0; k < n; k++)
			printf("| %s | %zu |\n", t[k].reason, t[k].count);
		ctl_rules_reasons_free(t, n > 0 ? (size_t)n : 0);
	}
	if (ctl_hsmap_build(&all, &map, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_rules: %s\n", err);
		return 1;
	}
	printf("\n| database | rules | expressions | compile ms | "
	       "serialized bytes |\n| --- | ---: | ---: | ---: | ---: |\n");
	{
		struct ctl_hsdb_opts o = {CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL, 0,
					  NULL, NULL};

		bad |= print_db("block, every rule (one database)", &all, &map,
				&o);
		o.scopes = 0;
		bad |= print_db("block, packet-scoped rules", &all, &map, &o);
		o.mode = CTL_HSDB_STREAM;
		bad |= print_db("stream, TCP stream rules", &all, &map, &o);
		o.mode = CTL_HSDB_BLOCK;
		o.protos = 1u << CTL_RULE_PROTO_UDP;
		bad |= print_db("block, packet-scoped udp", &all, &map, &o);
		o.protos = 1u << CTL_RULE_PROTO_TCP;
		bad |= print_db("block, packet-scoped tcp", &all, &map, &o);
		o.protos = 1u << CTL_RULE_PROTO_IP | 1u << CTL_RULE_PROTO_ICMP;
		bad |= print_db("block, packet-scoped ip+icmp", &all, &map, &o);
	}
	ctl_hsmap_free(&map);
	ctl_rules_free(&all);
	free_names(names, nb);
	return bad;
}

static const struct bw_cunit_test tests[] = {
	{"map content", test_map_content},
	{"map relative", test_map_relative},
	{"map negation", test_map_negation},
	{"map pcre", test_map_pcre},
	{"map isdataat", test_map_isdataat},
	{"map skips", test_map_skips},
	{"parse header", test_parse_header},
	{"parse sets", test_parse_sets},
	{"vars", test_vars},
	{"parse file shape", test_parse_file_shape},
	{"parse options", test_parse_options},
	{"compile errors and limits", test_compile_errors},
	{"compile scopes", test_compile_scopes},
	{"pattern files", test_patterns},
	{"et files", test_et_files},
	{"et mutations", test_et_mutations},
	{"iec-104 captures", test_iec104},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--counts") == 0) {
		if (argc > 2)
			bw_testdata_set(argv[2]);
		return print_counts();
	}
	if (argc > 1)
		bw_testdata_set(argv[1]);
	return BW_CUNIT_RUN("rules", tests);
}
