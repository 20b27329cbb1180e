/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the content-rule parser (control/rules/): a rule's header
 * (action, protocol, addresses, ports, direction) and options as parsed
 * into the model; address and port expressions against their canonical
 * spelling; variables and variable files; the shape of a rule file
 * (comments, continued lines, duplicate sids) with a reason for every
 * skipped rule.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_rules.h"
#include "test_rules_util.h"

static void
test_parse_header(void)
{
	struct ctl_rules rs;
	struct ctl_rules_stats st;
	char a[256], b[256];
	const struct ctl_rule *r;

	ctl_rules_init(&rs);
	st = rules_load(
		&rs, "drop tcp [10.0.0.0/8,!10.1.0.0/16] [1:1024,!53] <> "
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

/* An address or port expression and its canonical spelling. */
struct set_case {
	enum { ADDR, PORTS } kind;
	const char *in;
	const char *out; /* "": the parse must fail */
};

/* Nested deeper than the parser goes. */
static const char too_deep[] =
	"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1.2.3.4]]]]]]]]]]]]]]]]]]]"
	"]]]"
	"]]]]]]]]]]]]]";

static const struct set_case sets[] = {
	{ADDR, "any", "any"},
	{ADDR, "1.2.3.4", "1.2.3.4/32"},
	{ADDR, "1.2.3.0/24", "1.2.3.0/24"},
	{ADDR, "1.2.3.9/24", "1.2.3.0/24"},
	{ADDR, "[1.2.3.0/25,1.2.3.128/25]", "1.2.3.0/24"},
	{ADDR, "1.2.3.0-1.2.3.127", "1.2.3.0/25"},
	{ADDR, "![0.0.0.0/1]", "!0.0.0.0/1"},
	{ADDR, "[!1.2.3.4]", "!1.2.3.4/32"},
	{ADDR, "!!1.2.3.4", "1.2.3.4/32"},
	{ADDR, "[any,!::/0]", "0.0.0.0/0"},
	{ADDR, "[any,!0.0.0.0/0]", "::/0"},
	{ADDR, "2001:db8::/32", "2001:db8::/32"},
	{ADDR, "[$HOME_NET, !192.168.0.0/16]",
	 "[10.0.0.0/8,172.16.0.0/12,fc00::/7]"},
	{ADDR, "[1.2.3.4,[5.6.7.8,!5.6.7.8]]", "1.2.3.4/32"},
	{ADDR, "!any", ""},
	{ADDR, "[]", ""},
	{ADDR, "[1.2.3.4", ""},
	{ADDR, "1.2.3.4]", ""},
	{ADDR, "$NOPE", ""},
	{ADDR, "1.2.3.256", ""},
	{ADDR, "[1.2.3.4,]", ""},
	{ADDR, "1.2.3.9-1.2.3.1", ""},
	{ADDR, too_deep, ""},
	{PORTS, "any", "any"},
	{PORTS, "80", "80"},
	{PORTS, "1024:", "1024:65535"},
	{PORTS, ":1023", "0:1023"},
	{PORTS, "!80", "!80"},
	{PORTS, "[80,443,8000:8080]", "[80,443,8000:8080]"},
	{PORTS, "[1:100,!50]", "[1:49,51:100]"},
	{PORTS, "[!0,!65535]", "1:65534"},
	{PORTS, "$SHELLCODE_PORTS", "!80"},
	{PORTS, "$FILE_DATA_PORTS", "[80,110,143]"},
	{PORTS, "65536", ""},
	{PORTS, "2:1", ""},
	{PORTS, ":", ""},
	{PORTS, "!any", ""},
	{PORTS, "$HOME_NET", ""},
	{PORTS, "80x", ""},
};

/* Parse c->in and format it into buf; returns what the parse returned. */
static int
set_format(const struct set_case *c, char *buf, size_t size)
{
	struct ctl_rule_ports p = {0};
	struct ctl_rule_addr a = {0};
	char why[CTL_RULE_WHY_LEN];
	int ret;

	if (c->kind == PORTS) {
		ret = ctl_rule_ports_parse(c->in, NULL, &p, why, sizeof(why));
		if (ret == 0)
			CU_ASSERT_EQUAL(ctl_rule_ports_format(&p, buf, size),
					0);
		ctl_rule_ports_free(&p);
	} else {
		ret = ctl_rule_addr_parse(c->in, NULL, &a, why, sizeof(why));
		if (ret == 0)
			CU_ASSERT_EQUAL(ctl_rule_addr_format(&a, buf, size), 0);
		ctl_rule_addr_free(&a);
	}
	return ret;
}

/* c->in parses to its canonical spelling c->out, or fails as it must. */
static void
set_check(const struct set_case *c)
{
	char buf[512];
	int ret = set_format(c, buf, sizeof(buf));

	if (c->out[0] == '\0') {
		if (ret != -EINVAL)
			fprintf(stderr, "\n  %s: %d", c->in, ret);
		CU_ASSERT_EQUAL(ret, -EINVAL);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	if (strcmp(buf, c->out) != 0)
		fprintf(stderr, "\n  %s: got %s want %s", c->in, buf, c->out);
	CU_ASSERT_STRING_EQUAL(buf, c->out);
}

/* Every expression of sets against its canonical spelling. */
static void
test_parse_sets(void)
{
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		set_check(&sets[i]);
}

/* Write text into the file path, created or truncated. */
static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Variables: set, defaults, cycles, and a file of them. */
static void
test_vars(void)
{
	struct ctl_rule_vars v = {0};
	struct ctl_rule_addr a = {0};
	char why[CTL_RULE_WHY_LEN], buf[256], path[] = "/tmp/bw_varsXXXXXX";
	FILE *diag;
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
	close(fd);
	write_text(path, "# site\nEXTERNAL_NET !$HOME_NET\nHOME_NET "
			 "[192.0.2.0/24, 2001:db8::/32]\n\nDNS_PORTS 53\n");
	CU_ASSERT_EQUAL(ctl_rule_vars_load_file(&v, path, NULL), 0);
	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "HOME_NET"),
			       "[192.0.2.0/24, 2001:db8::/32]");
	CU_ASSERT_STRING_EQUAL(ctl_rule_vars_get(&v, "DNS_PORTS"), "53");
	write_text(path, "A 1.2.3.4\nB\n1X 80\nC $NOPE\n");
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
	st = rules_load(&rs, text);
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
			found |= strcmp(rules_skip_text(&rs, k), want[i]) == 0;
		if (!found) {
			fprintf(stderr, "\n  missing: %s\n  have:", want[i]);
			for (k = 0; k < rs.nb_skips; k++)
				fprintf(stderr, "\n    %s",
					rules_skip_text(&rs, k));
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
	rules_load(&rs,
		   "alert udp any any -> any any (content:\"a|00|b\"; "
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

static const struct bw_cunit_test tests[] = {
	{"parse header", test_parse_header},
	{"parse sets", test_parse_sets},
	{"vars", test_vars},
	{"parse file shape", test_parse_file_shape},
	{"parse options", test_parse_options},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("rules_parse", tests);
}
