/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the prefix model (ctl_prefix.c) and the block-list parsers
 * (ctl_listfile.c): every format, every malformed-line class with its exact
 * message, reject-all against --skip-invalid, and the real lists under
 * tests/data/blocklists with entry counts computed apart from this code.
 *
 * Usage: test_listfile [DATA_DIR]. DATA_DIR (else $BW_TEST_DATA, else
 * tests/data or ../tests/data from the current folder, else tests/data in
 * a folder above this executable or this source) holds blocklists/.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "bw_testdata.h"
#include "ctl_listfile.h"
#include "ctl_prefix.h"

/* A parse whose messages are captured in a string. */
struct run {
	int ret;
	struct ctl_list_parse_stats st;
	char *diag; /* malloc'd, "" when nothing was written */
};

/*
 * Parse text (NUL-terminated) named "t" into *out with format fmt (and
 * column), skip_invalid as given.
 */
static struct run
run_parse(const char *text, enum ctl_list_format fmt, unsigned int column,
	  int skip_invalid, struct ctl_prefix_set *out)
{
	struct ctl_list_parse_opts o = {fmt, column, skip_invalid, NULL};
	struct run r;
	size_t len = 0;

	memset(&r, 0, sizeof(r));
	o.diag = open_memstream(&r.diag, &len);
	CU_ASSERT_FATAL(o.diag != NULL);
	r.ret = ctl_list_parse_buf("t", text, strlen(text), &o, out, &r.st);
	CU_ASSERT_FATAL(fclose(o.diag) == 0);
	return r;
}

/* Parse text in format fmt into a fresh set; expect one error message. */
static void
expect_error(const char *text, enum ctl_list_format fmt, const char *msg)
{
	struct ctl_prefix_set s = {0};
	struct run r = run_parse(text, fmt, 0, 0, &s);

	CU_ASSERT_EQUAL(r.ret, -EINVAL);
	CU_ASSERT_EQUAL(r.st.invalid, 1);
	CU_ASSERT_EQUAL(s.n, 0);
	if (strcmp(r.diag, msg) != 0)
		fprintf(stderr, "\n  got  %s  want %s", r.diag, msg);
	CU_ASSERT_STRING_EQUAL(r.diag, msg);
	free(r.diag);
	ctl_prefix_set_free(&s);
}

static struct ctl_prefix
pfx(const char *s)
{
	struct ctl_prefix p;

	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL_FATAL(ctl_prefix_parse(s, strlen(s), &p, NULL), 0);
	return p;
}

/* Is the prefix spelled s in the sorted set? */
static int
has(const struct ctl_prefix_set *set, const char *s)
{
	struct ctl_prefix p = pfx(s);

	return ctl_prefix_set_find(set, &p) >= 0;
}

/* Parse s, expect ret, and when why is not NULL that reason. */
static void
expect_parse(const char *s, int want_ret, const char *want_why)
{
	char why[CTL_PREFIX_WHY_LEN] = "";
	struct ctl_prefix p;
	int ret;

	ret = ctl_prefix_parse_why(s, strlen(s), &p, NULL, why, sizeof(why));
	CU_ASSERT_EQUAL(ret, want_ret);
	if (want_why != NULL) {
		if (strcmp(why, want_why) != 0)
			fprintf(stderr, "\n  got '%s' want '%s'", why,
				want_why);
		CU_ASSERT_STRING_EQUAL(why, want_why);
	}
}

static void
test_prefix_parse_ok(void)
{
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8};
	struct ctl_prefix p;
	int hb = -1;

	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2.3.4", 7, &p, &hb), 0);
	CU_ASSERT_EQUAL(p.family, CTL_PREFIX_V4);
	CU_ASSERT_EQUAL(p.len, 32);
	CU_ASSERT_EQUAL(memcmp(p.addr, "\x01\x02\x03\x04", 4), 0);
	CU_ASSERT_EQUAL(memcmp(p.addr + 4, v6 + 4, 12), 0); /* zeroes */
	CU_ASSERT_EQUAL(hb, 0);

	CU_ASSERT_EQUAL(ctl_prefix_parse("10.1.2.3/8", 10, &p, &hb), 0);
	CU_ASSERT_EQUAL(p.len, 8);
	CU_ASSERT_EQUAL(memcmp(p.addr, "\x0a\x00\x00\x00", 4), 0);
	CU_ASSERT_EQUAL(hb, 1);

	CU_ASSERT_EQUAL(ctl_prefix_parse("10.128.255.255/9", 16, &p, &hb), 0);
	CU_ASSERT_EQUAL(memcmp(p.addr, "\x0a\x80\x00\x00", 4), 0);
	CU_ASSERT_EQUAL(hb, 1);
	CU_ASSERT_EQUAL(ctl_prefix_parse("10.128.0.0/9", 12, &p, &hb), 0);
	CU_ASSERT_EQUAL(hb, 0);

	CU_ASSERT_EQUAL(ctl_prefix_parse("0.0.0.0/0", 9, &p, &hb), 0);
	CU_ASSERT_EQUAL(p.len, 0);
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2.3.4/0", 9, &p, &hb), 0);
	CU_ASSERT_EQUAL(hb, 1);
	CU_ASSERT_EQUAL(memcmp(p.addr, v6 + 4, 16 - 4), 0);

	CU_ASSERT_EQUAL(ctl_prefix_parse("2001:db8::1/32", 14, &p, &hb), 0);
	CU_ASSERT_EQUAL(p.family, CTL_PREFIX_V6);
	CU_ASSERT_EQUAL(p.len, 32);
	CU_ASSERT_EQUAL(memcmp(p.addr, v6, 16), 0);
	CU_ASSERT_EQUAL(hb, 1);

	CU_ASSERT_EQUAL(ctl_prefix_parse("::1", 3, &p, NULL), 0);
	CU_ASSERT_EQUAL(p.family, CTL_PREFIX_V6);
	CU_ASSERT_EQUAL(p.len, 128);
	CU_ASSERT_EQUAL(p.addr[15], 1);
	CU_ASSERT_EQUAL(ctl_prefix_parse("::/0", 4, &p, NULL), 0);
	CU_ASSERT_EQUAL(p.len, 0);
	/* IPv4-mapped stays IPv6 */
	CU_ASSERT_EQUAL(ctl_prefix_parse("::ffff:1.2.3.4", 14, &p, NULL), 0);
	CU_ASSERT_EQUAL(p.family, CTL_PREFIX_V6);

	/* only n bytes are read */
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2.3.0/24xyz", 10, &p, &hb), 0);
	CU_ASSERT_EQUAL(p.len, 24);
	CU_ASSERT_EQUAL(hb, 0);
}

static void
test_prefix_parse_errors(void)
{
	char longtok[300];
	struct ctl_prefix p;

	expect_parse("", -EINVAL, "empty address");
	expect_parse("1.2.3", -EINVAL, "bad address '1.2.3'");
	expect_parse("1.2.3.4.5", -EINVAL, "bad address '1.2.3.4.5'");
	expect_parse("1.2.3.256", -EINVAL,
		     "bad address '1.2.3.256' (octet 256 out of range 0..255)");
	expect_parse("300.2.3.0/24", -EINVAL,
		     "bad address '300.2.3.0/24' (octet 300 out of range "
		     "0..255)");
	expect_parse("1.2.3.1000", -EINVAL,
		     "bad address '1.2.3.1000' (octet 1000 out of range "
		     "0..255)");
	expect_parse("01.2.3.4", -EINVAL,
		     "bad address '01.2.3.4' (leading zero in octet '01')");
	expect_parse("+1.2.3.4", -EINVAL, "bad address '+1.2.3.4'");
	expect_parse(" 1.2.3.4", -EINVAL, "bad address ' 1.2.3.4'");
	expect_parse("1.2.3.4 ", -EINVAL, "bad address '1.2.3.4 '");
	expect_parse("0x1.2.3.4", -EINVAL, "bad address '0x1.2.3.4'");
	expect_parse("2001:db8:::1", -EINVAL, "bad address '2001:db8:::1'");
	expect_parse("fe80::1%eth0", -EINVAL, "bad address 'fe80::1%eth0'");
	expect_parse("[::1]", -EINVAL, "bad address '[::1]'");
	expect_parse("hello", -EINVAL, "bad address 'hello'");
	expect_parse("1.2.3.4/33", -ERANGE,
		     "prefix length 33 out of range 0..32");
	expect_parse("2001:db8::/129", -ERANGE,
		     "prefix length 129 out of range 0..128");
	expect_parse("1.2.3.0/99999999999999999999", -ERANGE,
		     "prefix length 99999999999999999999 out of range 0..32");
	expect_parse("1.2.3.0/", -EINVAL, "empty prefix length in '1.2.3.0/'");
	expect_parse("1.2.3.0/-1", -EINVAL,
		     "bad prefix length '-1' in '1.2.3.0/-1'");
	expect_parse("1.2.3.0/+8", -EINVAL,
		     "bad prefix length '+8' in '1.2.3.0/+8'");
	expect_parse("1.2.3.0/ 8", -EINVAL,
		     "bad prefix length ' 8' in '1.2.3.0/ 8'");
	expect_parse("1.2.3.0/24/8", -EINVAL,
		     "bad prefix length '24/8' in '1.2.3.0/24/8'");
	expect_parse("1.2.3.0/24x", -EINVAL,
		     "bad prefix length '24x' in '1.2.3.0/24x'");
	expect_parse("/24", -EINVAL, "empty address in '/24'");
	expect_parse("::/", -EINVAL, "empty prefix length in '::/'");

	/* a NUL inside must not end the address early */
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2.3.4\0/8", 10, &p, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2\0.3.4", 8, &p, NULL), -EINVAL);
	expect_parse("\x01\x7f", -EINVAL, "bad address '\\x01\\x7f'");

	/* quoted text is cut to CTL_PREFIX_EXCERPT_LEN with "..." */
	memset(longtok, 'a', sizeof(longtok) - 1);
	longtok[sizeof(longtok) - 1] = '\0';
	expect_parse(longtok, -EINVAL,
		     "bad address '"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "aaaa...'");
	/* exactly CTL_PREFIX_EXCERPT_LEN fits uncut */
	longtok[CTL_PREFIX_EXCERPT_LEN] = '\0';
	expect_parse(longtok, -EINVAL,
		     "bad address '"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "aaaaaaa'");
	/* no reason buffer is fine */
	CU_ASSERT_EQUAL(ctl_prefix_parse_why("x", 1, &p, NULL, NULL, 0),
			-EINVAL);
}

static void
test_prefix_format(void)
{
	static const char *const round[] = {
		"1.2.3.0/24",
		"0.0.0.0/0",
		"255.255.255.255/32",
		"2001:db8::/32",
		"::/0",
		"::1/128",
		"fe80::1:2/128",
		"::ffff:1.2.3.4/128",
		"2a14:7c0:1e00::/40",
		"10.128.0.0/9",
	};
	char buf[CTL_PREFIX_STR_LEN];
	struct ctl_prefix p;
	size_t i;

	for (i = 0; i < sizeof(round) / sizeof(round[0]); i++) {
		p = pfx(round[i]);
		CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, sizeof(buf)), 0);
		CU_ASSERT_STRING_EQUAL(buf, round[i]);
	}
	/* a host gets its /32 or /128 */
	p = pfx("192.0.2.1");
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1/32");
	p = pfx("2001:DB8:0:0::0001");
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8::1/128");
	/* the longest form fits CTL_PREFIX_STR_LEN */
	p = pfx("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf,
			       "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");

	p = pfx("192.0.2.0/24");
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, 12), -ENOSPC);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, 13), 0);
	p.len = 33;
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, sizeof(buf)), -EINVAL);
	p.len = 24;
	p.family = 5;
	CU_ASSERT_EQUAL(ctl_prefix_format(&p, buf, sizeof(buf)), -EINVAL);
}

static void
test_prefix_contains(void)
{
	static const uint8_t a10[4] = {10, 255, 1, 2}, a11[4] = {11, 0, 0, 1};
	static const uint8_t a10_127[4] = {10, 127, 255, 255};
	static const uint8_t a10_128[4] = {10, 128, 0, 0};
	static const uint8_t v6in[16] = {0x20, 0x01, 0x0d, 0xb8, 0x7f, 0xff,
					 0,    0,    0,	   0,	 0,    0,
					 0,    0,    0,	   1};
	static const uint8_t v6out[16] = {0x20, 0x01, 0x0d, 0xb8, 0x80};
	struct ctl_prefix p;

	p = pfx("10.0.0.0/8");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a10), 1);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a11), 0);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6in), 0);
	p = pfx("10.128.0.0/9");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a10_127), 0);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a10_128), 1);
	p = pfx("0.0.0.0/0");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a11), 1);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6in), 0);
	p = pfx("11.0.0.1");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a11), 1);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a10), 0);
	p = pfx("2001:db8::/33");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6in), 1);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6out), 0);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V4, a10), 0);
	p = pfx("::/0");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6out), 1);
	p = pfx("2001:db8:7fff::1");
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6in), 1);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, CTL_PREFIX_V6, v6out), 0);
	CU_ASSERT_EQUAL(ctl_prefix_contains(&p, 5, v6in), 0);
}

static void
test_prefix_set(void)
{
	static const char *const in[] = {
		"2001:db8::/32", "10.0.0.0/16", "10.0.0.0/8", "1.2.3.4",
		"10.0.0.0/8",	 "::/0",	"1.2.3.4/32", "0.0.0.0/0",
	};
	struct ctl_prefix_set s = {0}, t = {0};
	struct ctl_prefix p;
	size_t i;

	p = pfx("1.2.3.4");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), -1);
	ctl_prefix_set_sort_unique(&s);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, 0), 0);
	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		p = pfx(in[i]);
		CU_ASSERT_EQUAL(ctl_prefix_set_add(&s, &p), 0);
	}
	CU_ASSERT_EQUAL(s.n, 8);
	ctl_prefix_set_sort_unique(&s);
	/* the two exact duplicates go, nested 10/8 and 10/16 stay */
	CU_ASSERT_EQUAL(s.n, 6);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, CTL_PREFIX_V4), 4);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, CTL_PREFIX_V6), 2);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, 0), 6);
	/* order: family, address, length */
	p = pfx("0.0.0.0/0");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), 0);
	p = pfx("1.2.3.4");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), 1);
	p = pfx("10.0.0.0/8");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), 2);
	p = pfx("10.0.0.0/16");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), 3);
	p = pfx("::/0");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), 4);
	p = pfx("2001:db8::/32");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), 5);
	p = pfx("10.0.0.0/9");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), -1);
	p = pfx("255.0.0.0/8");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), -1);
	for (i = 1; i < s.n; i++)
		CU_ASSERT(ctl_prefix_cmp(&s.v[i - 1], &s.v[i]) < 0);

	p = pfx("192.0.2.0/24");
	CU_ASSERT_EQUAL(ctl_prefix_set_add(&t, &p), 0);
	p = pfx("1.2.3.4");
	CU_ASSERT_EQUAL(ctl_prefix_set_add(&t, &p), 0);
	CU_ASSERT_EQUAL(ctl_prefix_set_merge(&s, &t), 0);
	CU_ASSERT_EQUAL(s.n, 8);
	ctl_prefix_set_sort_unique(&s);
	CU_ASSERT_EQUAL(s.n, 7);
	CU_ASSERT(has(&s, "192.0.2.0/24"));

	/* many entries: growth past the first allocation */
	ctl_prefix_set_free(&t);
	for (i = 0; i < 5000; i++) {
		memset(&p, 0, sizeof(p));
		p.family = CTL_PREFIX_V4;
		p.len = 32;
		p.addr[0] = 10;
		p.addr[2] = (uint8_t)(i >> 8);
		p.addr[3] = (uint8_t)i;
		CU_ASSERT_EQUAL_FATAL(ctl_prefix_set_add(&t, &p), 0);
		CU_ASSERT_EQUAL_FATAL(ctl_prefix_set_add(&t, &p), 0);
	}
	ctl_prefix_set_sort_unique(&t);
	CU_ASSERT_EQUAL(t.n, 5000);
	CU_ASSERT(has(&t, "10.0.19.135"));
	CU_ASSERT(!has(&t, "10.0.19.136"));

	ctl_prefix_set_free(&s);
	ctl_prefix_set_free(&t);
	CU_ASSERT_PTR_NULL(s.v);
	CU_ASSERT_EQUAL(s.n, 0);
	CU_ASSERT_EQUAL(s.cap, 0);
}

static void
test_prefix_cmp(void)
{
	struct ctl_prefix a = pfx("255.255.255.255"), b = pfx("::/0");

	CU_ASSERT(ctl_prefix_cmp(&a, &b) < 0);
	CU_ASSERT(ctl_prefix_cmp(&b, &a) > 0);
	a = pfx("10.0.0.0/8");
	b = pfx("10.0.0.0/9");
	CU_ASSERT(ctl_prefix_cmp(&a, &b) < 0);
	b = pfx("9.255.0.0/16");
	CU_ASSERT(ctl_prefix_cmp(&a, &b) > 0);
	b = pfx("10.1.2.3/8");
	CU_ASSERT_EQUAL(ctl_prefix_cmp(&a, &b), 0);
}

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

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		fmt = CTL_FMT_RULES;
		col = 99;
		CU_ASSERT_EQUAL(ctl_list_format_parse(ok[i].s, &fmt, &col), 0);
		CU_ASSERT_EQUAL(fmt, ok[i].fmt);
		CU_ASSERT_EQUAL(col, ok[i].col);
		if (ok[i].col == 0)
			CU_ASSERT_STRING_EQUAL(ctl_list_format_name(fmt),
					       ok[i].s);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(ctl_list_format_parse(bad[i], &fmt, &col),
				-EINVAL);
	CU_ASSERT_STRING_EQUAL(ctl_list_format_name((enum ctl_list_format)42),
			       "?");
}

/* One line of each malformed class: the exact message and its line. */
static void
test_line_errors(void)
{
	expect_error("10.0.0.0/8\n1.2.3\n", CTL_FMT_AUTO,
		     "t:2: error: bad address '1.2.3'\n");
	expect_error("10.0.0.0/8\n1.2.3.256\n", CTL_FMT_AUTO,
		     "t:2: error: bad address '1.2.3.256' (octet 256 out of "
		     "range 0..255)\n");
	expect_error("10.0.0.0/8\n1.2.3.0/33\n", CTL_FMT_AUTO,
		     "t:2: error: prefix length 33 out of range 0..32\n");
	expect_error("10.0.0.0/8\n2001:db8::/129\n", CTL_FMT_AUTO,
		     "t:2: error: prefix length 129 out of range 0..128\n");
	expect_error("10.0.0.0/8\nhello world\n", CTL_FMT_AUTO,
		     "t:2: error: bad address 'hello'\n");
	expect_error("10.0.0.0/8\n\x01\x02garbage\xff\n", CTL_FMT_AUTO,
		     "t:2: error: bad address '\\x01\\x02garbage\\xff'\n");
	expect_error("10.0.0.0/8\n1.2.3.0/-1\n", CTL_FMT_AUTO,
		     "t:2: error: bad prefix length '-1' in '1.2.3.0/-1'\n");
	expect_error("10.0.0.0/8\n1.2.3.0/\n", CTL_FMT_AUTO,
		     "t:2: error: empty prefix length in '1.2.3.0/'\n");
	expect_error("10.0.0.0/8\n1.2.3.4 junk here\n", CTL_FMT_AUTO,
		     "t:2: error: trailing junk 'junk here' after '1.2.3.4'\n");
	expect_error("10.0.0.0/8\n1.2.3.4/24x\n", CTL_FMT_AUTO,
		     "t:2: error: bad prefix length '24x' in '1.2.3.4/24x'\n");
	/* the first data line can be the bad one */
	expect_error("# c\n1.2.3.4.5\n10.0.0.0/8\n", CTL_FMT_AUTO,
		     "t:2: error: bad address '1.2.3.4.5'\n");
	/* a forced format reads every line its way */
	expect_error("1.2.3.4\n", CTL_FMT_IPSUM,
		     "t:1: error: missing count after '1.2.3.4'\n");
	expect_error("1.2.3.4\n", CTL_FMT_RULES,
		     "t:1: error: truncated rule header\n");
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
test_host_bits_and_duplicates(void)
{
	static const char text[] = "10.1.2.3/8\n"
				   "10.0.0.0/8\n"
				   "10.0.0.0/16\n"
				   "1.2.3.4\n"
				   "1.2.3.4/32 # again\n"
				   "2001:db8::1/32\n"
				   "2001:db8::/32\n"
				   "2001:db8::/48\n";
	struct ctl_prefix_set s = {0};
	struct run r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);

	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag,
			       "t:1: warning: host bits set in '10.1.2.3/8', "
			       "using '10.0.0.0/8'\n"
			       "t:6: warning: host bits set in "
			       "'2001:db8::1/32', using '2001:db8::/32'\n");
	CU_ASSERT_EQUAL(r.st.host_bits_fixed, 2);
	/* 10/8 twice (once fixed), 1.2.3.4 twice, 2001:db8::/32 twice */
	CU_ASSERT_EQUAL(r.st.duplicates, 3);
	CU_ASSERT_EQUAL(r.st.entries, 5);
	CU_ASSERT_EQUAL(r.st.nb_v4, 3);
	CU_ASSERT_EQUAL(r.st.nb_v6, 2);
	CU_ASSERT_EQUAL(r.st.invalid, 0);
	CU_ASSERT_EQUAL(s.n, 5);
	/* nested prefixes stay */
	CU_ASSERT(has(&s, "10.0.0.0/8"));
	CU_ASSERT(has(&s, "10.0.0.0/16"));
	CU_ASSERT(has(&s, "2001:db8::/48"));
	free(r.diag);
	ctl_prefix_set_free(&s);
}

static void
test_empty_and_comments(void)
{
	static const char *const texts[] = {
		"",
		"\n\n",
		"# only\n; comments\n   # indented\n\t\n",
		"\r\n\r\n",
	};
	struct ctl_prefix_set s = {0};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		r = run_parse(texts[i], CTL_FMT_AUTO, 0, 0, &s);
		CU_ASSERT_EQUAL(r.ret, 0);
		CU_ASSERT_EQUAL(r.st.entries, 0);
		CU_ASSERT_EQUAL(r.st.format, CTL_FMT_PLAIN);
		CU_ASSERT_STRING_EQUAL(r.diag, "");
		CU_ASSERT_EQUAL(s.n, 0);
		free(r.diag);
	}
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

static void
test_plain_comments_mixed(void)
{
	static const char text[] = "# FireHOL style\n"
				   "  1.2.3.4  \n"
				   "5.6.7.0/24 # note\n"
				   "9.9.9.9;note\n"
				   "8.8.8.8#note\n"
				   "\t2001:db8::1\t# v6\n"
				   "::ffff:1.2.3.4\n"
				   "0.0.0.0/0\n"
				   "::/0 ; all\n";
	struct ctl_prefix_set s = {0};
	struct run r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);

	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_PLAIN);
	CU_ASSERT_EQUAL(r.st.nb_v4, 5);
	CU_ASSERT_EQUAL(r.st.nb_v6, 3);
	CU_ASSERT(has(&s, "::ffff:1.2.3.4"));
	CU_ASSERT(has(&s, "::/0"));
	CU_ASSERT(has(&s, "0.0.0.0/0"));
	CU_ASSERT(has(&s, "8.8.8.8"));
	free(r.diag);
	ctl_prefix_set_free(&s);
}

static void
test_crlf(void)
{
	struct ctl_prefix_set s = {0};
	struct run r;

	r = run_parse("1.2.3.4\r\n5.6.7.0/24 # c\r\n\r\n2001:db8::/32\r\n",
		      CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.nb_v4, 2);
	CU_ASSERT_EQUAL(r.st.nb_v6, 1);
	CU_ASSERT_EQUAL(r.st.lines, 4);
	free(r.diag);
	ctl_prefix_set_free(&s);

	r = run_parse("; DROP\r\n1.2.3.0/24 ; SBL1\r\n5.6.0.0/16 ; SBL2\r\n",
		      CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_SPAMHAUS);
	CU_ASSERT_EQUAL(r.st.entries, 2);
	free(r.diag);
	ctl_prefix_set_free(&s);

	/* the '\r' is not part of what the message quotes */
	expect_error("1.2.3.4\r\n1.2.3.4/40\r\n", CTL_FMT_AUTO,
		     "t:2: error: prefix length 40 out of range 0..32\n");
	r = run_parse("a,b\r\nx,1.2.3.4\r\n", CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(r.st.entries, 1);
	free(r.diag);
	ctl_prefix_set_free(&s);
}

static void
test_spamhaus(void)
{
	static const char text[] = "; Spamhaus DROP List 2025/01/17\n"
				   "; https://www.spamhaus.org/drop/drop.txt\n"
				   "1.10.16.0/20 ; SBL256894\n"
				   "2001:678:6c4::/48 ; SBL626637\n"
				   "223.254.0.0/16 ; SBL212803\n"
				   "223.254.0.1/16 ; SBL212803\n"
				   "; EOF\n";
	struct ctl_prefix_set s = {0};
	struct run r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);

	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_SPAMHAUS);
	CU_ASSERT_EQUAL(r.st.nb_v4, 2);
	CU_ASSERT_EQUAL(r.st.nb_v6, 1);
	CU_ASSERT_EQUAL(r.st.duplicates, 1);
	CU_ASSERT_EQUAL(r.st.host_bits_fixed, 1);
	CU_ASSERT_STRING_EQUAL(r.diag,
			       "t:6: warning: host bits set in "
			       "'223.254.0.1/16', using '223.254.0.0/16'\n");
	free(r.diag);
	ctl_prefix_set_free(&s);

	expect_error("1.10.16.0/20 ; SBL1\n1.10.16.0/33 ; SBL2\n", CTL_FMT_AUTO,
		     "t:2: error: prefix length 33 out of range 0..32\n");
	expect_error("1.10.16.0/20 ; SBL1\n1.10.16.0/20 SBL2\n", CTL_FMT_AUTO,
		     "t:2: error: trailing junk 'SBL2' after "
		     "'1.10.16.0/20'\n");
}

static void
test_ipsum(void)
{
	static const char text[] = "# IPsum Threat Intelligence Feed\n"
				   "# (https://github.com/stamparm/ipsum)\n"
				   "#\n"
				   "# IP\tnumber of (black)lists\n"
				   "#\n"
				   "1.2.3.4\t10\n"
				   "5.6.7.8\t3\n"
				   "2001:db8::1\t2\n"
				   "9.9.9.9  1\n";
	struct ctl_prefix_set s = {0};
	struct run r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);

	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_IPSUM);
	CU_ASSERT_EQUAL(r.st.nb_v4, 3);
	CU_ASSERT_EQUAL(r.st.nb_v6, 1);
	CU_ASSERT(has(&s, "5.6.7.8"));
	free(r.diag);
	ctl_prefix_set_free(&s);

	expect_error("1.2.3.4\t10\n5.6.7.8\tx\n", CTL_FMT_AUTO,
		     "t:2: error: bad count 'x' after '5.6.7.8'\n");
	expect_error("1.2.3.4\t10\n5.6.7.8\t-1\n", CTL_FMT_AUTO,
		     "t:2: error: bad count '-1' after '5.6.7.8'\n");
	expect_error("1.2.3.4\t10\n5.6.7.8\n", CTL_FMT_AUTO,
		     "t:2: error: missing count after '5.6.7.8'\n");
	expect_error("1.2.3.4\t10\n5.6.7.8\t3 x\n", CTL_FMT_AUTO,
		     "t:2: error: trailing junk 'x' after '3'\n");
	expect_error("1.2.3.4\t10\n5.6.7.300\t3\n", CTL_FMT_AUTO,
		     "t:2: error: bad address '5.6.7.300' (octet 300 out of "
		     "range 0..255)\n");
}

static void
test_csv(void)
{
	static const char abuse[] =
		"################################################\n"
		"# abuse.ch Feodo Tracker Botnet C2 IP Blocklist (CSV)\n"
		"################################################\n"
		"\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\","
		"\"last_online\",\"malware\"\n"
		"\"2021-01-17 07:44:46\",\"51.178.161.32\",\"4643\","
		"\"online\",\"2025-01-17\",\"Dridex\"\n"
		"\"2021-01-18, late\",\"2001:db8::7\",\"443\",\"offline\","
		"\"\",\"Emotet\"\n"
		"\"2022-03-01 10:00:00\" , \"192.0.2.9\" ,\"80\",\"online\","
		"\"2025-01-17\",\"QakBot\"\n"
		"# END 3 entries\n";
	struct ctl_prefix_set s = {0};
	struct run r;

	r = run_parse(abuse, CTL_FMT_AUTO, 0, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_CSV);
	CU_ASSERT_EQUAL(r.st.csv_column, 2);
	CU_ASSERT_EQUAL(r.st.nb_v4, 2);
	CU_ASSERT_EQUAL(r.st.nb_v6, 1);
	CU_ASSERT(has(&s, "51.178.161.32"));
	CU_ASSERT(has(&s, "2001:db8::7"));
	CU_ASSERT(has(&s, "192.0.2.9"));
	free(r.diag);
	ctl_prefix_set_free(&s);

	/* an explicit column, with a header */
	r = run_parse("name,note,ip\nx,1.1.1.1,10.0.0.0/8\ny,,2001:db8::/32\n",
		      CTL_FMT_CSV, 3, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.csv_column, 3);
	CU_ASSERT_EQUAL(r.st.entries, 2);
	CU_ASSERT(has(&s, "10.0.0.0/8"));
	CU_ASSERT(!has(&s, "1.1.1.1"));
	free(r.diag);
	ctl_prefix_set_free(&s);

	/* a column given with auto applies once CSV is detected */
	r = run_parse("x,1.1.1.1,10.0.0.0/8\n", CTL_FMT_AUTO, 3, 0, &s);
	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_EQUAL(r.st.csv_column, 3);
	CU_ASSERT(has(&s, "10.0.0.0/8"));
	free(r.diag);
	ctl_prefix_set_free(&s);

	expect_error("a,1.2.3.4\nb\n", CTL_FMT_AUTO,
		     "t:2: error: no column 2 (line has 1 field)\n");
	expect_error("a,1.2.3.4\nb,1.2.3.999,c\n", CTL_FMT_AUTO,
		     "t:2: error: bad address '1.2.3.999' (octet 999 out of "
		     "range 0..255) in column 2\n");
	expect_error("a,1.2.3.4\nb,\"1.2.3.4,c\n", CTL_FMT_AUTO,
		     "t:2: error: unterminated quoted field in column 2\n");
	expect_error("a,1.2.3.4\nb,\"1.2.3.4\"x,c\n", CTL_FMT_AUTO,
		     "t:2: error: junk after quoted field in column 2\n");
	/* a header only as the first data line */
	expect_error("a,1.2.3.4\nfirst,second\n", CTL_FMT_AUTO,
		     "t:2: error: bad address 'second' in column 2\n");
	expect_error("h1,h2\nno,address\nx,1.2.3.4\n", CTL_FMT_AUTO,
		     "t:2: error: no field is an address\n");
	expect_error("a,b,c\nx,y,1.2.3.4/33\n", CTL_FMT_CSV,
		     "t:2: error: no field is an address\n");
}

static void
test_rules(void)
{
	static const char text[] =
		"# ET style\n"
		"#alert ip [9.9.9.9] any -> $HOME_NET any (sid:0;)\n"
		"alert ip [1.2.3.4,10.0.0.0/8,2001:db8::/32] any -> $HOME_NET "
		"any (msg:\"in [x]\"; sid:1;)\n"
		"alert ip $HOME_NET any -> [5.6.7.8, 192.0.2.0/24] any "
		"(msg:\"out\"; sid:2;)\n"
		"drop ip 198.51.100.7 any -> $HOME_NET any (sid:3;)\n"
		"reject tcp [203.0.113.0/24] any <> any any (sid:4;)\n"
		"alert ip [1.2.3.4] any -> [7.7.7.7] any (sid:5;)\n";
	struct ctl_prefix_set s = {0};
	struct run r = run_parse(text, CTL_FMT_AUTO, 0, 0, &s);

	CU_ASSERT_EQUAL(r.ret, 0);
	CU_ASSERT_STRING_EQUAL(r.diag, "");
	CU_ASSERT_EQUAL(r.st.format, CTL_FMT_RULES);
	CU_ASSERT_EQUAL(r.st.nb_v4, 6);
	CU_ASSERT_EQUAL(r.st.nb_v6, 1);
	CU_ASSERT_EQUAL(r.st.duplicates, 1);
	CU_ASSERT(has(&s, "5.6.7.8"));
	CU_ASSERT(has(&s, "192.0.2.0/24"));
	CU_ASSERT(has(&s, "198.51.100.7"));
	CU_ASSERT(has(&s, "203.0.113.0/24"));
	CU_ASSERT(!has(&s, "9.9.9.9"));
	/* both sides literal: SRC is taken */
	CU_ASSERT(!has(&s, "7.7.7.7"));
	free(r.diag);
	ctl_prefix_set_free(&s);

#define RULE_TAIL " any -> $HOME_NET any (sid:9;)\n"
	expect_error("alert ip any any -> $HOME_NET any (sid:9;)\n",
		     CTL_FMT_AUTO, "t:1: error: rule has no address list\n");
	expect_error("alert ip $EXTERNAL_NET any -> $HOME_NET any (sid:9;)\n",
		     CTL_FMT_AUTO, "t:1: error: rule has no address list\n");
	expect_error("alert ip [1.2.3.4,!5.6.7.8]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: negated address not supported in a list\n");
	expect_error("alert ip ![1.2.3.4]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: negated address not supported in a list\n");
	expect_error("alert ip !1.2.3.4" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: negated address not supported in a list\n");
	expect_error("alert ip [1.2.3.4,[5.6.7.8]]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: nested address group not supported\n");
	expect_error("alert ip [1.2.3.4,$HOME_NET]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: address variable '$HOME_NET' not supported "
		     "in a list\n");
	expect_error("alert ip [1.2.3.4,,5.6.7.8]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: empty entry in address list\n");
	expect_error("alert ip []" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: empty entry in address list\n");
	expect_error("alert ip [1.2.3.4,1.2.3.256]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: bad address '1.2.3.256' (octet 256 out of "
		     "range 0..255)\n");
	expect_error("alert ip [1.2.3.4,2001:db8::/129]" RULE_TAIL,
		     CTL_FMT_AUTO,
		     "t:1: error: prefix length 129 out of range 0..128\n");
	expect_error("alert ip [1.2.3.4 any -> $HOME_NET any\n", CTL_FMT_AUTO,
		     "t:1: error: unterminated address list\n");
	expect_error("alert ip [1.2.3.4] any\n", CTL_FMT_AUTO,
		     "t:1: error: truncated rule header\n");
	expect_error("alert ip [1.2.3.4] any -> $HOME_NET (sid:9;)\n",
		     CTL_FMT_AUTO, "t:1: error: truncated rule header\n");
	expect_error("alert ip [1.2.3.4] any => $HOME_NET any (sid:9;)\n",
		     CTL_FMT_AUTO, "t:1: error: bad rule direction '=>'\n");
	expect_error("alert ip [1.2.3.4]x" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: junk after address list '[1.2.3.4]x'\n");
	expect_error("alert ip [1.2.3.4] any -> $HOME_NET any sid:9\n",
		     CTL_FMT_AUTO,
		     "t:1: error: trailing junk 'sid:9' after the rule "
		     "header\n");
	expect_error("pass ip [1.2.3.4]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: pass rule: its addresses are let through, "
		     "not blocked\n");
	expect_error(
		"alert ip [1.2.3.4]" RULE_TAIL "log ip [1.2.3.4]" RULE_TAIL,
		CTL_FMT_AUTO, "t:2: error: not a rule: unknown action 'log'\n");
	/* a bad entry after one with host bits: the error and no warning */
	expect_error("alert ip [10.1.2.3/8,1.2.3.256]" RULE_TAIL, CTL_FMT_AUTO,
		     "t:1: error: bad address '1.2.3.256' (octet 256 out of "
		     "range 0..255)\n");
#undef RULE_TAIL
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

static void
test_detect(void)
{
	static const struct {
		const char *text;
		enum ctl_list_format fmt;
	} cases[] = {
		{"1.2.3.4\n", CTL_FMT_PLAIN},
		{"1.2.3.4 # x, y\n", CTL_FMT_PLAIN},
		{"2001:db8::/32 ; SBL1\n", CTL_FMT_SPAMHAUS},
		{"1.2.3.0/24;SBL1\n", CTL_FMT_SPAMHAUS},
		{"1.2.3.4\t7\n", CTL_FMT_IPSUM},
		{"1.2.3.4,x\n", CTL_FMT_CSV},
		{"x,1.2.3.4\n", CTL_FMT_CSV},
		{"alert ip [1.2.3.4] any -> any any (sid:1;)\n", CTL_FMT_RULES},
		{"drop tcp 1.2.3.4 any -> any any (sid:1;)\n", CTL_FMT_RULES},
	};
	struct ctl_prefix_set s = {0};
	struct run r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = run_parse(cases[i].text, CTL_FMT_AUTO, 0, 0, &s);
		CU_ASSERT_EQUAL(r.ret, 0);
		CU_ASSERT_EQUAL(r.st.format, cases[i].fmt);
		CU_ASSERT_EQUAL(r.st.entries, 1);
		if (r.ret != 0 || r.st.format != cases[i].fmt)
			fprintf(stderr, "\n  case %zu: %s", i, r.diag);
		free(r.diag);
		ctl_prefix_set_free(&s);
	}
}

/* Folder (or file) of the bundled test data, or NULL: bw_testdata.h. */
static const char *
data_dir_find(char *buf, size_t size)
{
	return bw_testdata_path("", buf, size);
}

/*
 * Expected numbers, computed apart from this code (sort -u dedups; the
 * files have no host bits set, checked with python3 ipaddress strict=True,
 * so no two spellings meet after normalisation):
 *   spamhaus: grep -v '^;' F | awk '{print $1}' | sort -u | grep -vc :
 *             (v4), ... | grep -c : (v6)
 *   plain:    grep -v '^#' F | sort -u | grep -vc :
 *   rules:    grep '^alert' F | cut -d'[' -f2 | cut -d']' -f1 |
 *             tr , '\n' | sort -u | grep -vc :   (and grep -c : for v6)
 *   lines:    wc -l F
 * first/last: the first and last entry in the file, by eye.
 */
static const struct list_case {
	const char *file;
	enum ctl_list_format fmt;
	size_t nb_v4, nb_v6, lines;
	const char *first, *last;
} list_cases[] = {
	{"spamhaus-drop-2025-01-17.txt", CTL_FMT_SPAMHAUS, 1385, 0, 1390,
	 "1.10.16.0/20", "223.254.0.0/16"},
	{"spamhaus-drop-2024-10-18.txt", CTL_FMT_SPAMHAUS, 1356, 0, 1361,
	 "1.10.16.0/20", "223.254.0.0/16"},
	{"spamhaus-dropv6-2025-01-17.txt", CTL_FMT_SPAMHAUS, 0, 78, 83,
	 "2001:678:6c4::/48", "2c0f:6c0::/28"},
	{"spamhaus-edrop-2023-12-02.txt", CTL_FMT_SPAMHAUS, 289, 0, 293,
	 "2.56.247.0/24", "221.227.188.0/22"},
	{"et-compromised-ips.txt", CTL_FMT_PLAIN, 296, 0, 296, "101.202.19.199",
	 "98.18.26.150"},
	{"et-ciarmy.rules", CTL_FMT_RULES, 5000, 0, 134, "1.117.204.147",
	 "101.201.119.191"},
	{"et-drop.rules", CTL_FMT_RULES, 1092, 0, 95, "2.57.232.0/23",
	 "223.254.0.0/16"},
};

/* Licence texts that travel with the lists; not lists themselves. */
static const char *const not_lists[] = {"LICENSE", "BSD-License.txt"};

/* Load one real list; NULL diag means the messages must be empty. */
static void
load_case(const char *dir, const struct list_case *c, struct ctl_prefix_set *s)
{
	struct ctl_list_parse_opts o = {CTL_FMT_AUTO, 0, 0, NULL};
	struct ctl_list_parse_stats st;
	char path[PATH_MAX + 64], buf[CTL_PREFIX_STR_LEN];
	char *diag = NULL;
	size_t dlen = 0, i;
	struct ctl_prefix p;
	int ret;

	CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/blocklists/%s", dir,
				 c->file) < (int)sizeof(path));
	o.diag = open_memstream(&diag, &dlen);
	CU_ASSERT_FATAL(o.diag != NULL);
	ret = ctl_list_parse_file(path, &o, s, &st);
	CU_ASSERT_FATAL(fclose(o.diag) == 0);
	fprintf(stderr, "\n  %-32s %-8s %5zu v4 %3zu v6 %5zu lines", c->file,
		ctl_list_format_name(st.format), st.nb_v4, st.nb_v6, st.lines);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_STRING_EQUAL(diag, "");
	CU_ASSERT_EQUAL(st.format, c->fmt);
	CU_ASSERT_EQUAL(st.nb_v4, c->nb_v4);
	CU_ASSERT_EQUAL(st.nb_v6, c->nb_v6);
	CU_ASSERT_EQUAL(st.entries, c->nb_v4 + c->nb_v6);
	CU_ASSERT_EQUAL(st.lines, c->lines);
	CU_ASSERT_EQUAL(st.invalid, 0);
	CU_ASSERT_EQUAL(st.duplicates, 0);
	CU_ASSERT_EQUAL(st.host_bits_fixed, 0);
	CU_ASSERT(has(s, c->first));
	CU_ASSERT(has(s, c->last));
	/* every entry formats and parses back to itself */
	for (i = 0; i < s->n; i++) {
		CU_ASSERT_EQUAL_FATAL(
			ctl_prefix_format(&s->v[i], buf, sizeof(buf)), 0);
		CU_ASSERT_EQUAL_FATAL(
			ctl_prefix_parse(buf, strlen(buf), &p, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(ctl_prefix_cmp(&p, &s->v[i]), 0);
		CU_ASSERT_EQUAL_FATAL(ctl_prefix_set_find(s, &p), (int)i);
		CU_ASSERT_FATAL(
			ctl_prefix_contains(&s->v[i], p.family, p.addr) == 1);
	}
	free(diag);
}

static void
test_real_lists(void)
{
	struct ctl_prefix_set s = {0};
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct dirent *de;
	size_t i, j;
	DIR *d;

	if (data_dir_find(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "\n  no tests/data/blocklists: pass DATA_DIR "
				"or set BW_TEST_DATA");
		CU_FAIL_FATAL("test data not found");
	}
	for (i = 0; i < sizeof(list_cases) / sizeof(list_cases[0]); i++) {
		load_case(dir, &list_cases[i], &s);
		ctl_prefix_set_free(&s);
	}
	/* every file there is a case or a licence: none goes untested */
	CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/blocklists", dir) <
			(int)sizeof(path));
	d = opendir(path);
	CU_ASSERT_FATAL(d != NULL);
	while ((de = readdir(d)) != NULL) {
		int known = de->d_name[0] == '.';

		for (j = 0; j < sizeof(list_cases) / sizeof(list_cases[0]); j++)
			known |= strcmp(de->d_name, list_cases[j].file) == 0;
		for (j = 0; j < sizeof(not_lists) / sizeof(not_lists[0]); j++)
			known |= strcmp(de->d_name, not_lists[j]) == 0;
		if (!known)
			fprintf(stderr, "\n  %s: no expected counts",
				de->d_name);
		CU_ASSERT(known);
	}
	closedir(d);
}

/*
 * Lists merged into one set: overlaps collapse. Expected:
 *   cat drop-2025 edrop dropv6 | grep -v '^;' | awk '{print $1}' |
 *   sort -u | wc -l  -> 1572 (78 of them IPv6)
 */
static void
test_real_merge(void)
{
	static const char *const files[] = {"spamhaus-drop-2025-01-17.txt",
					    "spamhaus-edrop-2023-12-02.txt",
					    "spamhaus-dropv6-2025-01-17.txt"};
	struct ctl_list_parse_opts o = {CTL_FMT_AUTO, 0, 0, NULL};
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct ctl_prefix_set s = {0};
	size_t i;

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	for (i = 0; i < 3; i++) {
		CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/blocklists/%s",
					 dir, files[i]) < (int)sizeof(path));
		CU_ASSERT_EQUAL(ctl_list_parse_file(path, &o, &s, NULL), 0);
	}
	CU_ASSERT_EQUAL(s.n, 1572);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, CTL_PREFIX_V6), 78);
	for (i = 1; i < s.n; i++)
		CU_ASSERT_FATAL(ctl_prefix_cmp(&s.v[i - 1], &s.v[i]) < 0);
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

static const struct bw_cunit_test tests[] = {
	{"prefix parse", test_prefix_parse_ok},
	{"prefix parse errors", test_prefix_parse_errors},
	{"prefix format round trip", test_prefix_format},
	{"prefix contains", test_prefix_contains},
	{"prefix compare", test_prefix_cmp},
	{"prefix set", test_prefix_set},
	{"format names", test_format_names},
	{"line errors", test_line_errors},
	{"reject all and skip invalid", test_reject_all},
	{"host bits and duplicates", test_host_bits_and_duplicates},
	{"empty and comments", test_empty_and_comments},
	{"plain mixed ipv4 ipv6", test_plain_comments_mixed},
	{"crlf", test_crlf},
	{"spamhaus", test_spamhaus},
	{"ipsum", test_ipsum},
	{"csv", test_csv},
	{"rules", test_rules},
	{"long lines", test_long_lines},
	{"auto-detection", test_detect},
	{"real lists", test_real_lists},
	{"real lists merged", test_real_merge},
	{"file errors", test_file_errors},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	if (argc > 1)
		bw_testdata_set(argv[1]);
	return BW_CUNIT_RUN("listfile", tests);
}
