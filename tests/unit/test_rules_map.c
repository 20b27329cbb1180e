/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Hyperscan mapping of content rules (control/rules/
 * ctl_hsexpr.c and ctl_hsmap.c, compiled by ctl_hsdb.c): content, depth,
 * offset, distance, within, nocase, hex, negation, pcre and isdataat are
 * each mapped into a one-rule block database and checked with crafted
 * payloads on both sides of every edge; what the mapping cannot express
 * exactly is skipped with a reason. The cases are one table of steps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_hsdb.h"
#include "ctl_hsmap.h"
#include "ctl_rules.h"
#include "test_rules_util.h"

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
	rules_load(&o->rs, text);
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

/* What a line of the steps says. */
enum step_kind {
	TEST, /* the steps of the CUnit test of this name follow */
	RULE, /* options of a one-rule set, without sid; lines join */
	HIT,  /* a payload the rule must match */
	MISS, /* a payload the rule must not match */
	SKIP, /* the rule is skipped with a reason starting so; lines join */
};

struct step {
	enum step_kind kind;
	const char *s; /* payloads: the bytes, |hex| blocks for others */
};

static const struct step steps[] = {
	{TEST, "map content"},
	{RULE, "content:\"abc\";"},
	{HIT, "xxabcxx"},
	{HIT, "abc"},
	{MISS, "ab"},
	{MISS, "ABC"},
	/* |hex| blocks, with and without blanks */
	{RULE, "content:\"|61 62|c|00|\";"},
	{HIT, "abc|00|"},
	{MISS, "abc"},
	{RULE, "content:\"|6162|\";"},
	{HIT, "ab"},
	{MISS, "a b"},
	/* escapes \; \" \\ \: */
	{RULE, "content:\"a\\;b\\\"c\\\\d\\:\";"},
	{HIT, "a;b\"c\\d:"},
	{MISS, "a;b\"cd:"},
	{RULE, "content:\"AbC\"; nocase;"},
	{HIT, "xabcx"},
	{HIT, "ABC"},
	{MISS, "aXc"},
	/* nocase is ASCII only: no folding of bytes >= 0x80 */
	{RULE, "content:\"|c4|\"; nocase;"},
	{HIT, "\xc4"},
	{MISS, "\xe4"},
	/* depth: the match must end at or before byte 5 */
	{RULE, "content:\"abc\"; depth:5;"},
	{HIT, "xxabc"},
	{MISS, "xxxabc"},
	{HIT, "abc"},
	/* depth exactly the content */
	{RULE, "content:\"abc\"; depth:3;"},
	{HIT, "abcx"},
	{MISS, "xabc"},
	/* offset: the match must start at or after byte 2 */
	{RULE, "content:\"abc\"; offset:2;"},
	{HIT, "xxabc"},
	{MISS, "xabc"},
	{HIT, "abcxxabc"},
	/* offset 2 depth 4: inside [2, 6) */
	{RULE, "content:\"abc\"; offset:2; depth:4;"},
	{HIT, "xxabcx"},
	{HIT, "xxxabc"},
	{MISS, "xxxxabc"},
	{MISS, "xabc"},
	/* the same with depth written first */
	{RULE, "content:\"abc\"; depth:4; offset:2;"},
	{HIT, "xxxabc"},
	{MISS, "xxxxabc"},
	{RULE, "content:\"abc\"; startswith;"},
	{HIT, "abcx"},
	{MISS, "xabc"},
	/* two contents: both anywhere, any order */
	{RULE, "content:\"ab\"; content:\"cd\";"},
	{HIT, "cdab"},
	{HIT, "abcd"},
	{MISS, "ab"},
	{MISS, "cd"},
	/* fast_pattern changes nothing */
	{RULE, "content:\"ab\"; fast_pattern; content:\"cd\";"},
	{HIT, "abcd"},
	{MISS, "ab"},
	{TEST, "map relative"},
	/* distance: cd starts at least 2 after ab's end */
	{RULE, "content:\"ab\"; content:\"cd\"; distance:2;"},
	{HIT, "ab12cd"},
	{HIT, "ab123cd"},
	{MISS, "ab1cd"},
	{MISS, "abcd"},
	{MISS, "cd12ab"},
	/* distance:0: anywhere after, not before */
	{RULE, "content:\"ab\"; content:\"cd\"; distance:0;"},
	{HIT, "abcd"},
	{MISS, "cdab"},
	{HIT, "abxxxxcd"},
	/* within: cd ends at most 4 after ab's end */
	{RULE, "content:\"ab\"; content:\"cd\"; within:4;"},
	{HIT, "ab12cd"},
	{HIT, "abcd"},
	{MISS, "ab123cd"},
	{MISS, "cdab"},
	/* within exactly the content: right after */
	{RULE, "content:\"ab\"; content:\"cd\"; within:2;"},
	{HIT, "abcd"},
	{MISS, "abxcd"},
	{HIT, "abxxabcd"},
	/* distance 1 within 3: cd inside [end+1, end+1+3) */
	{RULE, "content:\"ab\"; content:\"cd\"; distance:1; within:3;"},
	{HIT, "ab1cd"},
	{HIT, "ab12cd"},
	{MISS, "abcd"},
	{MISS, "ab123cd"},
	/* a later "ab" satisfies the chain (Suricata backtracks) */
	{RULE, "content:\"ab\"; content:\"cd\"; within:3;"},
	{HIT, "abxxxxabxcd"},
	{MISS, "abxxxxcd"},
	/* three in a chain, nocase on the middle one */
	{RULE, "content:\"ab\"; content:\"CD\"; nocase; distance:0; "},
	{RULE, "content:\"ef\"; within:2;"},
	{HIT, "abxcdef"},
	{HIT, "abxCDef"},
	{MISS, "abxcdxef"},
	{MISS, "abxcDEF"},
	/* relative with nothing before: from the payload start */
	{RULE, "content:\"ab\"; distance:2; within:3;"},
	{HIT, "xxabx"},
	{HIT, "xxxab"},
	{MISS, "xxxxab"},
	{MISS, "xab"},
	/* a chain anchored by depth: ab in the first 4 bytes */
	{RULE, "content:\"ab\"; depth:4; content:\"cd\"; distance:0;"},
	{HIT, "xxabcd"},
	{MISS, "xxxabcd"},
	{HIT, "abxxxxcd"},
	/* offset + depth head of a chain, at the edges */
	{RULE, "content:\"ab\"; offset:1; depth:3; content:\"c\"; "},
	{RULE, "within:1;"},
	{HIT, "xabc"},
	{HIT, "xxabc"},
	{MISS, "abc"},
	{MISS, "xxxabc"},
	{TEST, "map negation"},
	{RULE, "content:\"abc\"; content:!\"xyz\";"},
	{HIT, "abc"},
	{MISS, "abcxyz"},
	{MISS, "xyzabc"},
	{HIT, "abcxy"},
	/* the negated content at the very end of the payload */
	{RULE, "content:\"abc\"; content:!\"z\";"},
	{MISS, "abcz"},
	{HIT, "abc"},
	{MISS, "zabc"},
	/* negated with depth: only the first 3 bytes count */
	{RULE, "content:\"abc\"; content:!\"xyz\"; depth:3;"},
	{HIT, "abcxyz"},
	{MISS, "xyzabc"},
	/* negated relative: no x right after abc */
	{RULE, "content:\"abc\"; content:!\"x\"; within:1;"},
	{HIT, "abcy"},
	{MISS, "abcx"},
	{HIT, "abc"},
	{HIT, "xabc"},
	/* negated relative, then a positive relative to abc */
	{RULE, "content:\"abc\"; content:!\"x\"; within:1; "},
	{RULE, "content:\"d\"; distance:0;"},
	{HIT, "abcyd"},
	{MISS, "abcxd"},
	{MISS, "abcy"},
	/* the overflow idiom: 5 bytes after A without a newline */
	{RULE, "content:\"A\"; isdataat:5,relative; content:!\"|0a|\"; "},
	{RULE, "within:5;"},
	{HIT, "A12345"},
	{MISS, "A1234"},
	{MISS, "A12\n45"},
	{HIT, "A12345\n"},
	{RULE, "content:\"abc\"; pcre:!\"/x+y/\";"},
	{HIT, "abc"},
	{MISS, "abcxxy"},
	{RULE, "content:!\"abc\";"},
	{SKIP, "negated content only"},
	{RULE, "content:!\"abc\"; content:!\"d\";"},
	{SKIP, "negated content only"},
	{TEST, "map pcre"},
	{RULE, "pcre:\"/a.c/\";"},
	{HIT, "abc"},
	{MISS, "a\nc"},
	{MISS, "ac"},
	{RULE, "pcre:\"/a.c/s\";"},
	{HIT, "a\nc"},
	{RULE, "pcre:\"/ABC/i\";"},
	{HIT, "xabcx"},
	{MISS, "ABD"},
	{RULE, "pcre:\"/^b/m\";"},
	{HIT, "a\nb"},
	{MISS, "ab"},
	{RULE, "pcre:\"/^b/\";"},
	{MISS, "a\nb"},
	{HIT, "bx"},
	{RULE, "pcre:\"/a b c/x\";"},
	{HIT, "abc"},
	{MISS, "a b c"},
	{RULE, "pcre:\"/bc/A\";"},
	{HIT, "bcx"},
	{MISS, "abc"},
	/* R: after the previous match */
	{RULE, "content:\"ab\"; pcre:\"/cd/R\";"},
	{HIT, "abxcd"},
	{MISS, "cdab"},
	{HIT, "abcd"},
	/* R with ^: right after the previous match */
	{RULE, "content:\"ab\"; pcre:\"/^cd/R\";"},
	{HIT, "abcd"},
	{MISS, "abxcd"},
	{MISS, "cdab"},
	/* R with A: the same */
	{RULE, "content:\"ab\"; pcre:\"/cd/RA\";"},
	{HIT, "abcd"},
	{MISS, "abxcd"},
	/* pcre flags stay inside the piece */
	{RULE, "content:\"ab\"; pcre:\"/c.d/Rsi\"; content:\"E\";"},
	{HIT, "abC\nDE"},
	{MISS, "abC\nDe"},
	{MISS, "ABC\nDE"},
	{RULE, "content:\"ab\"; pcre:\"/c.d/Rsi\";"},
	{HIT, "abC\nD"},
	{MISS, "abc\n"},
	{RULE, "pcre:\"/(a)\\1/\";"},
	{SKIP, "pcre rejected by hyperscan"},
	{RULE, "pcre:\"/a*/\";"},
	{SKIP, "pcre can match an empty payload"},
	{RULE, "pcre:\"/a/U\";"},
	{SKIP, "unsupported pcre flag U"},
	{RULE, "content:\"a\"; pcre:\"/b|^c/R\";"},
	{SKIP, "cannot express ^, \\A or \\b inside a relative pcre"},
	{RULE, "content:\"a\"; pcre:\"/\\bword/R\";"},
	{SKIP, "cannot express ^, \\A or \\b inside a relative pcre"},
	{RULE, "pcre:\"/a#b/x\";"},
	{SKIP, "cannot wrap a pcre with the x flag"},
	{TEST, "map isdataat"},
	{RULE, "content:\"ab\"; isdataat:3,relative;"},
	{HIT, "ab123"},
	{MISS, "ab12"},
	{HIT, "ab12ab123"},
	{RULE, "content:\"ab\"; isdataat:!3,relative;"},
	{HIT, "ab12"},
	{MISS, "ab123"},
	{HIT, "ab"},
	/* both: 2 <= bytes after < 4 */
	{RULE, "content:\"ab\"; isdataat:2,relative; "},
	{RULE, "isdataat:!4,relative;"},
	{MISS, "ab1"},
	{HIT, "ab12"},
	{HIT, "ab123"},
	{MISS, "ab1234"},
	/* absolute isdataat and dsize are the dataplane's */
	{RULE, "content:\"ab\"; isdataat:100; dsize:>50;"},
	{HIT, "ab"},
	{RULE, "content:\"a\"; isdataat:!0,relative;"},
	{SKIP, "never matches"},
	{RULE, "content:\"a\"; isdataat:2,relative; content:\"b\"; "},
	{RULE, "distance:0;"},
	{SKIP, "cannot express a match after a relative isdataat"},
	{RULE, "isdataat:2,relative; content:\"b\";"},
	{SKIP, "cannot express relative isdataat without a match"},
	{TEST, "map skips"},
	{RULE, "content:\"ab\"; content:\"c\"; distance:-1;"},
	{SKIP, "cannot express negative distance exactly"},
	{RULE, "pcre:\"/a+/\"; content:\"c\"; distance:0;"},
	{SKIP, "cannot express content relative to a pcre match"},
	{RULE, "pcre:\"/a+/\"; pcre:\"/c/R\";"},
	{SKIP, "cannot express pcre relative to a pcre match"},
	{RULE, "content:\"abc\"; depth:2;"},
	{SKIP, "invalid rule: depth 2 is smaller than the content"},
	{RULE, "content:\"abc\"; within:2;"},
	{SKIP, "invalid rule: within 2 is smaller than the content"},
	{RULE, "content:\"abc\"; depth:5; distance:1;"},
	{SKIP, "invalid rule: content mixes depth/offset"},
	{RULE, "content:\"abc\"; nocase; nocase;"},
	{SKIP, "invalid rule: nocase twice"},
	{RULE, "nocase; content:\"abc\";"},
	{SKIP, "invalid rule: nocase without a content"},
	{RULE, "content:\"a|4\";"},
	{SKIP, "invalid content: unterminated hex"},
	{RULE, "content:\"a|4|\";"},
	{SKIP, "invalid content: odd number"},
	{RULE, "content:\"a\\x\";"},
	{SKIP, "invalid content: bad escape"},
	{RULE, "content:\"\";"},
	{SKIP, "invalid content: empty"},
	{RULE, "content:abc;"},
	{SKIP, "invalid content: not a quoted string"},
	{RULE, "content:\"ab\"; byte_test:1,&,1,0;"},
	{SKIP, "unsupported keyword byte_test"},
	{RULE, "content:\"ab\"; flow:stateless;"},
	{SKIP, "unsupported flow option stateless"},
	{RULE, "content:\"a\"; content:\"b\"; distance:1; within:1; "},
	{RULE, "offset:0;"},
	{SKIP, "invalid rule"},
};

/*
 * Join the text of the steps of kind from *i on into buf, and leave *i at
 * the first step of another kind.
 */
static void
join(size_t *i, enum step_kind kind, char *buf, size_t size)
{
	const size_t n = sizeof(steps) / sizeof(steps[0]);
	size_t len = 0;

	buf[0] = '\0';
	for (; *i < n && steps[*i].kind == kind; (*i)++) {
		len += strlen(steps[*i].s);
		if (len >= size)
			CU_FAIL_FATAL("steps too long");
		strcat(buf, steps[*i].s);
	}
}

/* The bytes of payload s into buf (see struct step); their number. */
static size_t
payload(const char *s, unsigned char *buf, size_t size)
{
	size_t n = 0;
	int hex = 0;

	for (; *s != '\0' && n < size; s++) {
		if (*s == '|') {
			hex = !hex;
		} else if (!hex) {
			buf[n++] = (unsigned char)*s;
		} else if (*s != ' ' && sscanf(s, "%2hhx", &buf[n]) == 1) {
			n++;
			s++;
		}
	}
	return n;
}

/* Check the HIT and MISS payloads from *i on against the rule opts. */
static void
probe(const char *opts, size_t *i)
{
	const size_t n = sizeof(steps) / sizeof(steps[0]);
	char why[CTL_RULE_WHY_LEN];
	unsigned char buf[64];
	int built, want, got;
	struct one o;
	size_t k;

	built = one_build(&o, opts, why, sizeof(why)) == 0;
	if (!built) {
		fprintf(stderr, "\n  %s skipped: %s", opts, why);
		CU_FAIL("rule skipped");
	}
	for (k = 0; *i < n && (steps[*i].kind == HIT || steps[*i].kind == MISS);
	     (*i)++, k++) {
		const struct step *p = &steps[*i];

		if (!built)
			continue;
		want = p->kind == HIT;
		got = one_match(&o, buf, payload(p->s, buf, sizeof(buf)));
		if (got != want)
			fprintf(stderr, "\n  %s payload %zu: got %d (expr %s)",
				opts, k, got, o.map.e[o.map.nb_e - 1].pattern);
		CU_ASSERT_EQUAL(got, want);
	}
	one_free(&o);
}

/* Run the steps of the section named like the running test. */
static void
test_map(void)
{
	const char *name = CU_get_current_test()->pName;
	const size_t n = sizeof(steps) / sizeof(steps[0]);
	char opts[1024], want[CTL_RULE_WHY_LEN];
	size_t i = 0;

	while (i < n && (steps[i].kind != TEST || strcmp(steps[i].s, name)))
		i++;
	if (i == n)
		CU_FAIL_FATAL("no steps for this test");
	for (i++; i < n && steps[i].kind != TEST;) {
		join(&i, RULE, opts, sizeof(opts));
		if (i < n && steps[i].kind == SKIP) {
			join(&i, SKIP, want, sizeof(want));
			expect_skip(opts, want);
		} else {
			probe(opts, &i);
		}
	}
}

/* One test a section of the steps. */
static const struct bw_cunit_test tests[] = {
	{"map content", test_map},  {"map relative", test_map},
	{"map negation", test_map}, {"map pcre", test_map},
	{"map isdataat", test_map}, {"map skips", test_map},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("rules_map", tests);
}
