/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the block-list parsers (ctl_listfile.c) on bad input:
 * every malformed-line class of every format with its exact message and
 * line, reject-all against --skip-invalid, and files that cannot be read.
 *
 * Usage: test_listfile_errors [DATA_DIR] (test_listfile_util.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "test_listfile_util.h"

#define RULE_TAIL " any -> $HOME_NET any (sid:9;)\n"

/* A text with one bad line: "t:LINE: error: WHY" and nothing loaded. */
static const struct line_error {
	const char *text;
	enum ctl_list_format fmt;
	int line;
	const char *why;
} line_errors[] = {
	/* every format: one line of each malformed class */
	{
		"10.0.0.0/8\n1.2.3\n",
		CTL_FMT_AUTO,
		2,
		"bad address '1.2.3'",
	},
	{
		"10.0.0.0/8\n1.2.3.256\n",
		CTL_FMT_AUTO,
		2,
		"bad address '1.2.3.256' (octet 256 out of range 0..255)",
	},
	{
		"10.0.0.0/8\n1.2.3.0/33\n",
		CTL_FMT_AUTO,
		2,
		"prefix length 33 out of range 0..32",
	},
	{
		"10.0.0.0/8\n2001:db8::/129\n",
		CTL_FMT_AUTO,
		2,
		"prefix length 129 out of range 0..128",
	},
	{
		"10.0.0.0/8\nhello world\n",
		CTL_FMT_AUTO,
		2,
		"bad address 'hello'",
	},
	{
		"10.0.0.0/8\n\x01\x02garbage\xff\n",
		CTL_FMT_AUTO,
		2,
		"bad address '\\x01\\x02garbage\\xff'",
	},
	{
		"10.0.0.0/8\n1.2.3.0/-1\n",
		CTL_FMT_AUTO,
		2,
		"bad prefix length '-1' in '1.2.3.0/-1'",
	},
	{
		"10.0.0.0/8\n1.2.3.0/\n",
		CTL_FMT_AUTO,
		2,
		"empty prefix length in '1.2.3.0/'",
	},
	{
		"10.0.0.0/8\n1.2.3.4 junk here\n",
		CTL_FMT_AUTO,
		2,
		"trailing junk 'junk here' after '1.2.3.4'",
	},
	{
		"10.0.0.0/8\n1.2.3.4/24x\n",
		CTL_FMT_AUTO,
		2,
		"bad prefix length '24x' in '1.2.3.4/24x'",
	},
	/* the first data line can be the bad one */
	{
		"# c\n1.2.3.4.5\n10.0.0.0/8\n",
		CTL_FMT_AUTO,
		2,
		"bad address '1.2.3.4.5'",
	},
	/* a forced format reads every line its way */
	{
		"1.2.3.4\n",
		CTL_FMT_IPSUM,
		1,
		"missing count after '1.2.3.4'",
	},
	{
		"1.2.3.4\n",
		CTL_FMT_RULES,
		1,
		"truncated rule header",
	},
	/* the '\r' is not part of what the message quotes */
	{
		"1.2.3.4\r\n1.2.3.4/40\r\n",
		CTL_FMT_AUTO,
		2,
		"prefix length 40 out of range 0..32",
	},
	/* spamhaus */
	{
		"1.10.16.0/20 ; SBL1\n1.10.16.0/33 ; SBL2\n",
		CTL_FMT_AUTO,
		2,
		"prefix length 33 out of range 0..32",
	},
	{
		"1.10.16.0/20 ; SBL1\n1.10.16.0/20 SBL2\n",
		CTL_FMT_AUTO,
		2,
		"trailing junk 'SBL2' after '1.10.16.0/20'",
	},
	/* ipsum */
	{
		"1.2.3.4\t10\n5.6.7.8\tx\n",
		CTL_FMT_AUTO,
		2,
		"bad count 'x' after '5.6.7.8'",
	},
	{
		"1.2.3.4\t10\n5.6.7.8\t-1\n",
		CTL_FMT_AUTO,
		2,
		"bad count '-1' after '5.6.7.8'",
	},
	{
		"1.2.3.4\t10\n5.6.7.8\n",
		CTL_FMT_AUTO,
		2,
		"missing count after '5.6.7.8'",
	},
	{
		"1.2.3.4\t10\n5.6.7.8\t3 x\n",
		CTL_FMT_AUTO,
		2,
		"trailing junk 'x' after '3'",
	},
	{
		"1.2.3.4\t10\n5.6.7.300\t3\n",
		CTL_FMT_AUTO,
		2,
		"bad address '5.6.7.300' (octet 300 out of range 0..255)",
	},
	/* csv */
	{
		"a,1.2.3.4\nb\n",
		CTL_FMT_AUTO,
		2,
		"no column 2 (line has 1 field)",
	},
	{
		"a,1.2.3.4\nb,1.2.3.999,c\n",
		CTL_FMT_AUTO,
		2,
		"bad address '1.2.3.999' (octet 999 out of range 0..255) in "
		"column 2",
	},
	{
		"a,1.2.3.4\nb,\"1.2.3.4,c\n",
		CTL_FMT_AUTO,
		2,
		"unterminated quoted field in column 2",
	},
	{
		"a,1.2.3.4\nb,\"1.2.3.4\"x,c\n",
		CTL_FMT_AUTO,
		2,
		"junk after quoted field in column 2",
	},
	/* a header only as the first data line */
	{
		"a,1.2.3.4\nfirst,second\n",
		CTL_FMT_AUTO,
		2,
		"bad address 'second' in column 2",
	},
	{
		"h1,h2\nno,address\nx,1.2.3.4\n",
		CTL_FMT_AUTO,
		2,
		"no field is an address",
	},
	{
		"a,b,c\nx,y,1.2.3.4/33\n",
		CTL_FMT_CSV,
		2,
		"no field is an address",
	},
	/* rules */
	{
		"alert ip any any -> $HOME_NET any (sid:9;)\n",
		CTL_FMT_AUTO,
		1,
		"rule has no address list",
	},
	{
		"alert ip $EXTERNAL_NET any -> $HOME_NET any (sid:9;)\n",
		CTL_FMT_AUTO,
		1,
		"rule has no address list",
	},
	{
		"alert ip [1.2.3.4,!5.6.7.8]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"negated address not supported in a list",
	},
	{
		"alert ip ![1.2.3.4]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"negated address not supported in a list",
	},
	{
		"alert ip !1.2.3.4" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"negated address not supported in a list",
	},
	{
		"alert ip [1.2.3.4,[5.6.7.8]]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"nested address group not supported",
	},
	{
		"alert ip [1.2.3.4,$HOME_NET]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"address variable '$HOME_NET' not supported in a list",
	},
	{
		"alert ip [1.2.3.4,,5.6.7.8]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"empty entry in address list",
	},
	{
		"alert ip []" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"empty entry in address list",
	},
	{
		"alert ip [1.2.3.4,1.2.3.256]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"bad address '1.2.3.256' (octet 256 out of range 0..255)",
	},
	{
		"alert ip [1.2.3.4,2001:db8::/129]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"prefix length 129 out of range 0..128",
	},
	{
		"alert ip [1.2.3.4 any -> $HOME_NET any\n",
		CTL_FMT_AUTO,
		1,
		"unterminated address list",
	},
	{
		"alert ip [1.2.3.4] any\n",
		CTL_FMT_AUTO,
		1,
		"truncated rule header",
	},
	{
		"alert ip [1.2.3.4] any -> $HOME_NET (sid:9;)\n",
		CTL_FMT_AUTO,
		1,
		"truncated rule header",
	},
	{
		"alert ip [1.2.3.4] any => $HOME_NET any (sid:9;)\n",
		CTL_FMT_AUTO,
		1,
		"bad rule direction '=>'",
	},
	{
		"alert ip [1.2.3.4]x" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"junk after address list '[1.2.3.4]x'",
	},
	{
		"alert ip [1.2.3.4] any -> $HOME_NET any sid:9\n",
		CTL_FMT_AUTO,
		1,
		"trailing junk 'sid:9' after the rule header",
	},
	{
		"pass ip [1.2.3.4]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"pass rule: its addresses are let through, not blocked",
	},
	{
		"alert ip [1.2.3.4]" RULE_TAIL "log ip [1.2.3.4]" RULE_TAIL,
		CTL_FMT_AUTO,
		2,
		"not a rule: unknown action 'log'",
	},
	/* a bad entry after one with host bits: the error and no warning */
	{
		"alert ip [10.1.2.3/8,1.2.3.256]" RULE_TAIL,
		CTL_FMT_AUTO,
		1,
		"bad address '1.2.3.256' (octet 256 out of range 0..255)",
	},
};

static void
test_line_errors(void)
{
	char msg[256];
	size_t i;

	for (i = 0; i < NB(line_errors); i++) {
		if (snprintf(msg, sizeof(msg), "t:%d: error: %s\n",
			     line_errors[i].line,
			     line_errors[i].why) >= (int)sizeof(msg))
			abort(); /* longer than any reason in the table */
		expect_error(line_errors[i].text, line_errors[i].fmt, msg);
	}
}
/* Reject-all: out stays as it was, every bad line is reported. */
static void
test_reject_all(void)
{
	static const char text[] = "# list\n"
				   "1.2.3.4\n"
				   "1.2.3.256\n"
				   "5.6.7.0/24\n"
				   "junk\n"
				   "2001:db8::/129\n"
				   "9.9.9.9\n";
	static const char diag[] =
		"t:3: error: bad address '1.2.3.256' (octet 256 out of range "
		"0..255)\n"
		"t:5: error: bad address 'junk'\n"
		"t:6: error: prefix length 129 out of range 0..128\n";
	struct ctl_prefix_set s = {0};
	struct ctl_prefix p = pfx("192.0.2.0/24");
	struct run r;

	CU_ASSERT_EQUAL_FATAL(ctl_prefix_set_add(&s, &p), 0);
	r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.ret, -EINVAL);
	CU_ASSERT_STRING_EQUAL(r.diag, diag);
	CU_ASSERT_EQUAL(r.st.invalid, 3);
	CU_ASSERT_EQUAL(r.st.lines, 7);
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_PLAIN);
	CU_ASSERT_EQUAL(s.n, 1);
	CU_ASSERT_EQUAL(ctl_prefix_cmp(&s.v[0], &p), 0);
	free(r.diag);

	/* --skip-invalid: the same messages, the good lines are loaded */
	r = run_parse(text, CTL_FMT_AUTO, 0, 1, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, diag);
	CU_ASSERT_EQUAL(r.st.invalid, 3);
	CU_ASSERT_EQUAL(r.st.entries, 3);
	CU_ASSERT_EQUAL(r.st.nb_v4, 3);
	CU_ASSERT_EQUAL(r.st.nb_v6, 0);
	CU_ASSERT_EQUAL(s.n, 4);
	CU_ASSERT(has(&s, "192.0.2.0/24"));
	CU_ASSERT(has(&s, "1.2.3.4"));
	CU_ASSERT(has(&s, "5.6.7.0/24"));
	CU_ASSERT(has(&s, "9.9.9.9"));
	free(r.diag);

	/* loading the same again merges to the same set */
	r = run_parse(text, CTL_FMT_AUTO, 0, 1, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(s.n, 4);
	free(r.diag);
	ctl_prefix_set_free(&s);
}

static void
test_file_errors(void)
{
	struct ctl_list_parse_opts o = {CTL_FMT_AUTO, 0, 0, NULL};
	struct ctl_prefix_set s = {0};
	struct ctl_list_parse_stats st;
	char *diag = NULL;
	size_t dlen = 0;

	o.diag = open_memstream(&diag, &dlen);
	CU_ASSERT_FATAL(o.diag != NULL);
	CU_ASSERT_EQUAL(
		ctl_list_parse_file("/nonexistent/list.txt", &o, &s, &st),
		-ENOENT);
	CU_ASSERT_EQUAL(ctl_list_parse_file("/", &o, &s, &st), -EISDIR);
	CU_ASSERT_FATAL(fclose(o.diag) == 0);
	CU_ASSERT_STRING_EQUAL(diag, "/nonexistent/list.txt: error: No such "
				     "file or directory\n"
				     "/: error: Is a directory\n");
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_EQUAL(s.n, 0);
	free(diag);
}

/* The tests main runs (test_listfile_util.h). */
const struct bw_cunit_test listfile_tests[] = {
	{"line errors", test_line_errors},
	{"reject all and skip invalid", test_reject_all},
	{"file errors", test_file_errors},
	{NULL, NULL},
};
