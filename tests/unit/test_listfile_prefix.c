/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the prefix model the block lists load into (ctl_prefix.c):
 * parsing an address or CIDR with every refusal and its exact reason,
 * formatting back, containment, ordering, and the sorted set.
 *
 * Usage: test_listfile_prefix [DATA_DIR] (test_listfile_util.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "test_listfile_util.h"

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

/* Text that does not parse, the error and the exact reason. */
static const struct parse_error {
	const char *s;
	int ret;
	const char *why;
} parse_errors[] = {
	{
		"",
		-EINVAL,
		"empty address",
	},
	{
		"1.2.3",
		-EINVAL,
		"bad address '1.2.3'",
	},
	{
		"1.2.3.4.5",
		-EINVAL,
		"bad address '1.2.3.4.5'",
	},
	{
		"1.2.3.256",
		-EINVAL,
		"bad address '1.2.3.256' (octet 256 out of range 0..255)",
	},
	{
		"300.2.3.0/24",
		-EINVAL,
		"bad address '300.2.3.0/24' (octet 300 out of range 0..255)",
	},
	{
		"1.2.3.1000",
		-EINVAL,
		"bad address '1.2.3.1000' (octet 1000 out of range 0..255)",
	},
	{
		"01.2.3.4",
		-EINVAL,
		"bad address '01.2.3.4' (leading zero in octet '01')",
	},
	{
		"+1.2.3.4",
		-EINVAL,
		"bad address '+1.2.3.4'",
	},
	{
		" 1.2.3.4",
		-EINVAL,
		"bad address ' 1.2.3.4'",
	},
	{
		"1.2.3.4 ",
		-EINVAL,
		"bad address '1.2.3.4 '",
	},
	{
		"0x1.2.3.4",
		-EINVAL,
		"bad address '0x1.2.3.4'",
	},
	{
		"2001:db8:::1",
		-EINVAL,
		"bad address '2001:db8:::1'",
	},
	{
		"fe80::1%eth0",
		-EINVAL,
		"bad address 'fe80::1%eth0'",
	},
	{
		"[::1]",
		-EINVAL,
		"bad address '[::1]'",
	},
	{
		"hello",
		-EINVAL,
		"bad address 'hello'",
	},
	{
		"1.2.3.4/33",
		-ERANGE,
		"prefix length 33 out of range 0..32",
	},
	{
		"2001:db8::/129",
		-ERANGE,
		"prefix length 129 out of range 0..128",
	},
	{
		"1.2.3.0/99999999999999999999",
		-ERANGE,
		"prefix length 99999999999999999999 out of range 0..32",
	},
	{
		"1.2.3.0/",
		-EINVAL,
		"empty prefix length in '1.2.3.0/'",
	},
	{
		"1.2.3.0/-1",
		-EINVAL,
		"bad prefix length '-1' in '1.2.3.0/-1'",
	},
	{
		"1.2.3.0/+8",
		-EINVAL,
		"bad prefix length '+8' in '1.2.3.0/+8'",
	},
	{
		"1.2.3.0/ 8",
		-EINVAL,
		"bad prefix length ' 8' in '1.2.3.0/ 8'",
	},
	{
		"1.2.3.0/24/8",
		-EINVAL,
		"bad prefix length '24/8' in '1.2.3.0/24/8'",
	},
	{
		"1.2.3.0/24x",
		-EINVAL,
		"bad prefix length '24x' in '1.2.3.0/24x'",
	},
	{
		"/24",
		-EINVAL,
		"empty address in '/24'",
	},
	{
		"::/",
		-EINVAL,
		"empty prefix length in '::/'",
	},
	{
		"\x01\x7f",
		-EINVAL,
		"bad address '\\x01\\x7f'",
	},
};

/* Parse s, expect ret, and when want_why is not NULL that reason. */
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
test_prefix_parse_errors(void)
{
	char longtok[300];
	struct ctl_prefix p;
	size_t i;

	for (i = 0; i < NB(parse_errors); i++)
		expect_parse(parse_errors[i].s, parse_errors[i].ret,
			     parse_errors[i].why);
	/* a NUL inside must not end the address early */
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2.3.4\0/8", 10, &p, NULL), -EINVAL);
	CU_ASSERT_EQUAL(ctl_prefix_parse("1.2\0.3.4", 8, &p, NULL), -EINVAL);

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

	for (i = 0; i < NB(round); i++) {
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

static const uint8_t a10[4] = {10, 255, 1, 2}, a11[4] = {11, 0, 0, 1};
static const uint8_t a10_127[4] = {10, 127, 255, 255};
static const uint8_t a10_128[4] = {10, 128, 0, 0};
static const uint8_t v6in[16] = {0x20, 0x01, 0x0d, 0xb8, 0x7f, 0xff, 0, 0,
				 0,    0,    0,	   0,	 0,    0,    0, 1};
static const uint8_t v6out[16] = {0x20, 0x01, 0x0d, 0xb8, 0x80};

/* Does prefix (NULL: the one above) contain addr of family? */
static const struct contains_case {
	const char *prefix;
	int family;
	const uint8_t *addr;
	int want;
} contains[] = {
	{"10.0.0.0/8", CTL_PREFIX_V4, a10, 1},
	{NULL, CTL_PREFIX_V4, a11, 0},
	{NULL, CTL_PREFIX_V6, v6in, 0},
	{"10.128.0.0/9", CTL_PREFIX_V4, a10_127, 0},
	{NULL, CTL_PREFIX_V4, a10_128, 1},
	{"0.0.0.0/0", CTL_PREFIX_V4, a11, 1},
	{NULL, CTL_PREFIX_V6, v6in, 0},
	{"11.0.0.1", CTL_PREFIX_V4, a11, 1},
	{NULL, CTL_PREFIX_V4, a10, 0},
	{"2001:db8::/33", CTL_PREFIX_V6, v6in, 1},
	{NULL, CTL_PREFIX_V6, v6out, 0},
	{NULL, CTL_PREFIX_V4, a10, 0},
	{"::/0", CTL_PREFIX_V6, v6out, 1},
	{"2001:db8:7fff::1", CTL_PREFIX_V6, v6in, 1},
	{NULL, CTL_PREFIX_V6, v6out, 0},
	{NULL, 5, v6in, 0},
};

static void
test_prefix_contains(void)
{
	const struct contains_case *c;
	struct ctl_prefix p;
	size_t i;

	for (i = 0; i < NB(contains); i++) {
		c = &contains[i];
		if (c->prefix != NULL)
			p = pfx(c->prefix);
		CU_ASSERT_EQUAL(ctl_prefix_contains(&p, c->family, c->addr),
				c->want);
	}
}

static void
test_prefix_set(void)
{
	static const char *const in[] = {
		"2001:db8::/32", "10.0.0.0/16", "10.0.0.0/8", "1.2.3.4",
		"10.0.0.0/8",	 "::/0",	"1.2.3.4/32", "0.0.0.0/0",
	};
	static const char *const sorted[] = {
		"0.0.0.0/0",   "1.2.3.4", "10.0.0.0/8",
		"10.0.0.0/16", "::/0",	  "2001:db8::/32",
	};
	struct ctl_prefix_set s = {0}, t = {0};
	struct ctl_prefix p;
	size_t i;

	p = pfx("1.2.3.4");
	CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), -1);
	ctl_prefix_set_sort_unique(&s);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, 0), 0);
	for (i = 0; i < NB(in); i++) {
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
	for (i = 0; i < NB(sorted); i++) {
		p = pfx(sorted[i]);
		CU_ASSERT_EQUAL(ctl_prefix_set_find(&s, &p), (int)i);
	}
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

/* The tests main runs (test_listfile_util.h). */
const struct bw_cunit_test listfile_tests[] = {
	{"prefix parse", test_prefix_parse_ok},
	{"prefix parse errors", test_prefix_parse_errors},
	{"prefix format round trip", test_prefix_format},
	{"prefix contains", test_prefix_contains},
	{"prefix compare", test_prefix_cmp},
	{"prefix set", test_prefix_set},
	{NULL, NULL},
};
