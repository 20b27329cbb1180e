/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the block-list parsers (ctl_listfile.c) on good input:
 * format names, detection of each format, and what each format loads from
 * a text (plain, spamhaus, ipsum, csv, rules): counts, warnings, host bits
 * and duplicates, comments, CRLF, empty texts, very long lines.
 *
 * Usage: test_listfile_formats [DATA_DIR] (test_listfile_util.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "test_listfile_util.h"

static void
test_format_names(void)
{
	static const struct {
		const char *s;
		enum ctl_list_format fmt;
		unsigned int col;
	} ok[] = {
		{"auto", CTL_FMT_AUTO, 0},	   {"plain", CTL_FMT_PLAIN, 0},
		{"spamhaus", CTL_FMT_SPAMHAUS, 0}, {"ipsum", CTL_FMT_IPSUM, 0},
		{"csv", CTL_FMT_CSV, 0},	   {"csv:1", CTL_FMT_CSV, 1},
		{"csv:12", CTL_FMT_CSV, 12},	   {"rules", CTL_FMT_RULES, 0},
	};
	static const char *const bad[] = {
		"",	  "CSV",    "csv:",   "csv:0",		 "csv:x",
		"csv:3x", "csv:-1", "csv:+1", "csv:99999999999", "csv3",
		"rule",	  "plain ",
	};
	enum ctl_list_format fmt;
	unsigned int col;
	size_t i;

	for (i = 0; i < NB(ok); i++) {
		fmt = CTL_FMT_RULES;
		col = 99;
		CU_ASSERT_EQUAL(ctl_list_format_parse(ok[i].s, &fmt, &col), 0);
		CU_ASSERT_EQUAL(fmt, ok[i].fmt);
		CU_ASSERT_EQUAL(col, ok[i].col);
		if (ok[i].col == 0)
			CU_ASSERT_STRING_EQUAL(ctl_list_format_name(fmt),
					       ok[i].s);
	}
	for (i = 0; i < NB(bad); i++)
		CU_ASSERT_EQUAL(ctl_list_format_parse(bad[i], &fmt, &col),
				-EINVAL);
	CU_ASSERT_STRING_EQUAL(ctl_list_format_name((enum ctl_list_format)42),
			       "?");
}

/*
 * A text that parses (into a fresh set, rejecting bad lines) and what is
 * checked of the result; run by the test named test.
 */
struct parse_case {
	const char *test;
	const char *text;
	enum ctl_list_format fmt; /* CTL_FMT_AUTO: detect */
	unsigned int column;
	enum ctl_list_format format; /* detected; CTL_FMT_AUTO: not checked */
	/*
	 * Counts as "key=value ...": lines, entries, v4, v6, invalid,
	 * host_bits, duplicates, csv_column (the stats) and n (the set).
	 */
	const char *counts;
	const char *diag;	 /* the messages; NULL: not checked */
	const char *has, *lacks; /* prefixes in the set and not, by spaces */
};

/* The longer texts of the cases. */
static const char host_bits_text[] = "10.1.2.3/8\n"
				     "10.0.0.0/8\n"
				     "10.0.0.0/16\n"
				     "1.2.3.4\n"
				     "1.2.3.4/32 # again\n"
				     "2001:db8::1/32\n"
				     "2001:db8::/32\n"
				     "2001:db8::/48\n";

static const char plain_text[] = "# FireHOL style\n"
				 "  1.2.3.4  \n"
				 "5.6.7.0/24 # note\n"
				 "9.9.9.9;note\n"
				 "8.8.8.8#note\n"
				 "\t2001:db8::1\t# v6\n"
				 "::ffff:1.2.3.4\n"
				 "0.0.0.0/0\n"
				 "::/0 ; all\n";

static const char spamhaus_text[] = "; Spamhaus DROP List 2025/01/17\n"
				    "; https://www.spamhaus.org/drop/drop.txt\n"
				    "1.10.16.0/20 ; SBL256894\n"
				    "2001:678:6c4::/48 ; SBL626637\n"
				    "223.254.0.0/16 ; SBL212803\n"
				    "223.254.0.1/16 ; SBL212803\n"
				    "; EOF\n";

static const char ipsum_text[] = "# IPsum Threat Intelligence Feed\n"
				 "# (https://github.com/stamparm/ipsum)\n"
				 "#\n"
				 "# IP\tnumber of (black)lists\n"
				 "#\n"
				 "1.2.3.4\t10\n"
				 "5.6.7.8\t3\n"
				 "2001:db8::1\t2\n"
				 "9.9.9.9  1\n";

static const char rules_text[] =
	"# ET style\n"
	"#alert ip [9.9.9.9] any -> $HOME_NET any (sid:0;)\n"
	"alert ip [1.2.3.4,10.0.0.0/8,2001:db8::/32] any -> "
	"$HOME_NET any (msg:\"in [x]\"; sid:1;)\n"
	"alert ip $HOME_NET any -> [5.6.7.8, 192.0.2.0/24] any "
	"(msg:\"out\"; sid:2;)\n"
	"drop ip 198.51.100.7 any -> $HOME_NET any (sid:3;)\n"
	"reject tcp [203.0.113.0/24] any <> any any (sid:4;)\n"
	"alert ip [1.2.3.4] any -> [7.7.7.7] any (sid:5;)\n";

static const char csv_text[] =
	"################################################\n"
	"# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)\n"
	"################################################\n"
	"\"first_seen_utc\",\"dst_ip\",\"dst_port\","
	"\"c2_status\",\"last_online\",\"malware\"\n"
	"\"2021-01-17 07:44:46\",\"51.178.161.32\",\"4643\","
	"\"online\",\"2025-01-17\",\"Dridex\"\n"
	"\"2021-01-18, late\",\"2001:db8::7\",\"443\","
	"\"offline\",\"\",\"Emotet\"\n"
	"\"2022-03-01 10:00:00\" , \"192.0.2.9\" ,\"80\","
	"\"online\",\"2025-01-17\",\"QakBot\"\n"
	"# END 3 entries\n";

static const struct parse_case cases[] = {
	/*
	 * 10/8 twice (once fixed), 1.2.3.4 twice, 2001:db8::/32 twice; the
	 * nested prefixes stay
	 */
	{"host bits and duplicates", host_bits_text, CTL_FMT_AUTO, 0,
	 CTL_FMT_AUTO,
	 "host_bits=2 duplicates=3 entries=5 v4=3 v6=2 invalid=0 n=5",
	 "t:1: warning: host bits set in '10.1.2.3/8', using "
	 "'10.0.0.0/8'\n"
	 "t:6: warning: host bits set in '2001:db8::1/32', using "
	 "'2001:db8::/32'\n",
	 "10.0.0.0/8 10.0.0.0/16 2001:db8::/48", NULL},
	{"empty and comments", "", CTL_FMT_AUTO, 0, CTL_FMT_PLAIN,
	 "entries=0 n=0", "", NULL, NULL},
	{"empty and comments", "\n\n", CTL_FMT_AUTO, 0, CTL_FMT_PLAIN,
	 "entries=0 n=0", "", NULL, NULL},
	{"empty and comments", "# only\n; comments\n   # indented\n\t\n",
	 CTL_FMT_AUTO, 0, CTL_FMT_PLAIN, "entries=0 n=0", "", NULL, NULL},
	{"empty and comments", "\r\n\r\n", CTL_FMT_AUTO, 0, CTL_FMT_PLAIN,
	 "entries=0 n=0", "", NULL, NULL},
	{"plain mixed ipv4 ipv6", plain_text, CTL_FMT_AUTO, 0, CTL_FMT_PLAIN,
	 "v4=5 v6=3", "", "::ffff:1.2.3.4 ::/0 0.0.0.0/0 8.8.8.8", NULL},
	/* the '\r' of each line is not part of it (the error: line errors) */
	{"crlf", "1.2.3.4\r\n5.6.7.0/24 # c\r\n\r\n2001:db8::/32\r\n",
	 CTL_FMT_AUTO, 0, CTL_FMT_AUTO, "v4=2 v6=1 lines=4", "", NULL, NULL},
	{"crlf", "; DROP\r\n1.2.3.0/24 ; SBL1\r\n5.6.0.0/16 ; SBL2\r\n",
	 CTL_FMT_AUTO, 0, CTL_FMT_SPAMHAUS, "entries=2", NULL, NULL, NULL},
	{"crlf", "a,b\r\nx,1.2.3.4\r\n", CTL_FMT_AUTO, 0, CTL_FMT_AUTO,
	 "entries=1", NULL, NULL, NULL},
	{"spamhaus", spamhaus_text, CTL_FMT_AUTO, 0, CTL_FMT_SPAMHAUS,
	 "v4=2 v6=1 duplicates=1 host_bits=1",
	 "t:6: warning: host bits set in '223.254.0.1/16', using "
	 "'223.254.0.0/16'\n",
	 NULL, NULL},
	{"ipsum", ipsum_text, CTL_FMT_AUTO, 0, CTL_FMT_IPSUM, "v4=3 v6=1", "",
	 "5.6.7.8", NULL},
	{"csv", csv_text, CTL_FMT_AUTO, 0, CTL_FMT_CSV,
	 "csv_column=2 v4=2 v6=1", "", "51.178.161.32 2001:db8::7 192.0.2.9",
	 NULL},
	/* an explicit column, with a header */
	{"csv", "name,note,ip\nx,1.1.1.1,10.0.0.0/8\ny,,2001:db8::/32\n",
	 CTL_FMT_CSV, 3, CTL_FMT_AUTO, "csv_column=3 entries=2", "",
	 "10.0.0.0/8", "1.1.1.1"},
	/* a column given with auto applies once CSV is detected */
	{"csv", "x,1.1.1.1,10.0.0.0/8\n", CTL_FMT_AUTO, 3, CTL_FMT_AUTO,
	 "csv_column=3", NULL, "10.0.0.0/8", NULL},
	/* commented out; both sides literal: SRC is taken */
	{"rules", rules_text, CTL_FMT_AUTO, 0, CTL_FMT_RULES,
	 "v4=6 v6=1 duplicates=1", "",
	 "5.6.7.8 192.0.2.0/24 198.51.100.7 203.0.113.0/24", "9.9.9.9 7.7.7.7"},
	/* each detected from its first line, and its one entry loaded */
	{"auto-detection", "1.2.3.4\n", CTL_FMT_AUTO, 0, CTL_FMT_PLAIN,
	 "entries=1", NULL, NULL, NULL},
	{"auto-detection", "1.2.3.4 # x, y\n", CTL_FMT_AUTO, 0, CTL_FMT_PLAIN,
	 "entries=1", NULL, NULL, NULL},
	{"auto-detection", "2001:db8::/32 ; SBL1\n", CTL_FMT_AUTO, 0,
	 CTL_FMT_SPAMHAUS, "entries=1", NULL, NULL, NULL},
	{"auto-detection", "1.2.3.0/24;SBL1\n", CTL_FMT_AUTO, 0,
	 CTL_FMT_SPAMHAUS, "entries=1", NULL, NULL, NULL},
	{"auto-detection", "1.2.3.4\t7\n", CTL_FMT_AUTO, 0, CTL_FMT_IPSUM,
	 "entries=1", NULL, NULL, NULL},
	{"auto-detection", "1.2.3.4,x\n", CTL_FMT_AUTO, 0, CTL_FMT_CSV,
	 "entries=1", NULL, NULL, NULL},
	{"auto-detection", "x,1.2.3.4\n", CTL_FMT_AUTO, 0, CTL_FMT_CSV,
	 "entries=1", NULL, NULL, NULL},
	{"auto-detection", "alert ip [1.2.3.4] any -> any any (sid:1;)\n",
	 CTL_FMT_AUTO, 0, CTL_FMT_RULES, "entries=1", NULL, NULL, NULL},
	{"auto-detection", "drop tcp 1.2.3.4 any -> any any (sid:1;)\n",
	 CTL_FMT_AUTO, 0, CTL_FMT_RULES, "entries=1", NULL, NULL, NULL},
};

/* The count named key[0..len) of a parse; -1 when there is none. */
static long
count_of(const struct run *r, const struct ctl_prefix_set *s, const char *key,
	 size_t len)
{
	const struct {
		const char *key;
		size_t value;
	} counts[] = {
		{"lines", r->st.lines},
		{"entries", r->st.entries},
		{"v4", r->st.nb_v4},
		{"v6", r->st.nb_v6},
		{"invalid", r->st.invalid},
		{"host_bits", r->st.host_bits_fixed},
		{"duplicates", r->st.duplicates},
		{"csv_column", r->st.csv_column},
		{"n", s->n},
	};
	size_t i;

	for (i = 0; i < NB(counts); i++)
		if (strlen(counts[i].key) == len &&
		    memcmp(counts[i].key, key, len) == 0)
			return (long)counts[i].value;
	return -1;
}

/* Assert each "key=value" of counts (a table's text: well formed). */
static void
check_counts(const struct run *r, const struct ctl_prefix_set *s,
	     const char *counts)
{
	const char *p = counts, *eq;
	char *end;
	long want;

	while (p != NULL && *p != '\0') {
		eq = strchr(p, '=');
		if (eq == NULL)
			abort(); /* a typo in a table */
		want = strtol(eq + 1, &end, 10);
		CU_ASSERT_EQUAL(count_of(r, s, p, (size_t)(eq - p)), want);
		p = end + strspn(end, " ");
	}
}

/* Assert of each prefix in the space-separated list that it is in s. */
static void
check_members(const struct ctl_prefix_set *s, const char *list, int in)
{
	char one[CTL_PREFIX_STR_LEN];
	size_t len;

	while (list != NULL && *list != '\0') {
		len = strcspn(list, " ");
		if (len >= sizeof(one))
			abort(); /* a typo in a table */
		memcpy(one, list, len);
		one[len] = '\0';
		CU_ASSERT(has(s, one) == in);
		list += len + strspn(list + len, " ");
	}
}

/*
 * Parse and check every case of the running test (cases[].test is its
 * name): the function of each test below that is all table.
 */
static void
test_cases(void)
{
	const char *name = CU_get_current_test()->pName;
	const struct parse_case *c;
	struct ctl_prefix_set s;
	size_t i, nb = 0;
	struct run r;

	for (i = 0; i < NB(cases); i++) {
		c = &cases[i];
		if (strcmp(c->test, name) != 0)
			continue;
		nb++;
		memset(&s, 0, sizeof(s));
		r = run_parse(c->text, c->fmt, c->column, 0, &s);
		CU_ASSERT_EQUAL(r.ret, 0);
		if (c->diag != NULL)
			CU_ASSERT_STRING_EQUAL(r.diag, c->diag);
		if (c->format != CTL_FMT_AUTO)
			CU_ASSERT_EQUAL(r.st.format, c->format);
		check_counts(&r, &s, c->counts);
		check_members(&s, c->has, 1);
		check_members(&s, c->lacks, 0);
		if (r.ret != 0 ||
		    (c->format != CTL_FMT_AUTO && r.st.format != c->format))
			fprintf(stderr, "\n  case %zu: %s", i, r.diag);
		free(r.diag);
		ctl_prefix_set_free(&s);
	}
	if (nb == 0)
		CU_FAIL("no case has the name of this test");
}

static void
test_empty_and_comments(void)
{
	struct ctl_prefix_set s = {0};
	struct run r;

	test_cases();
	r = run_parse("\n\n", CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.st.lines, 2);
	free(r.diag);
	/* the last line needs no newline */
	r = run_parse("1.2.3.4\n5.6.7.8", CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.st.lines, 2);
	CU_ASSERT_EQUAL(r.st.entries, 2);
	free(r.diag);
	ctl_prefix_set_free(&s);
}

/* Lines far longer than any fixed buffer: a 20000-entry rule, garbage. */
static void
test_long_lines(void)
{
	static const char
		head[] = "alert ip [",
		tail[] = "] any -> $HOME_NET any (msg:\"big\"; sid:1;)\n";
	const size_t nb = 20000;
	struct ctl_prefix_set s = {0};
	char *text, *o;
	struct run r;
	size_t i;

	text = malloc(sizeof(head) + nb * 16 + sizeof(tail) + 300000);
	CU_ASSERT_FATAL(text != NULL);
	o = text + sprintf(text, "%s", head);
	for (i = 0; i < nb; i++)
		o += sprintf(o, "%s10.%zu.%zu.%zu", i ? "," : "", i >> 16,
			     (i >> 8) & 0xff, i & 0xff);
	o += sprintf(o, "%s", tail);
	CU_ASSERT(o - text > 200000);
	r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_RULES);
	CU_ASSERT_EQUAL(r.st.nb_v4, nb);
	CU_ASSERT(has(&s, "10.0.78.31")); /* i = 19999 */
	free(r.diag);
	ctl_prefix_set_free(&s);

	/* a 300 KB garbage line: one message, its quote cut */
	memset(text, 'z', 300000);
	text[300000] = '\n';
	text[300001] = '\0';
	expect_error(text, CTL_FMT_AUTO,
		     "t:1: error: bad address '"
		     "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
		     "zzzz...'\n");
	free(text);
}

/* The tests main runs (test_listfile_util.h). */
const struct bw_cunit_test listfile_tests[] = {
	{"format names", test_format_names},
	{"host bits and duplicates", test_cases},
	{"empty and comments", test_empty_and_comments},
	{"plain mixed ipv4 ipv6", test_cases},
	{"crlf", test_cases},
	{"spamhaus", test_cases},
	{"ipsum", test_cases},
	{"csv", test_cases},
	{"rules", test_cases},
	{"long lines", test_long_lines},
	{"auto-detection", test_cases},
	{NULL, NULL},
};
