/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the control plane's own defences (issue #15): the cost
 * of compiling an expression (ctl_hsexpr_cost(), expectations counted by
 * hand from its definition), the request channel's message parsers and
 * the run directory check (lib/ctlsock.c).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>

#include "bw_ctlsock.h"
#include "bw_cunit.h"
#include "bw_image.h"
#include "ctl_hsexpr.h"

static void
test_cost(void)
{
	/* literals cost nothing, whatever their length */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("GET /index\\.html HTTP/1\\.1"), 0);
	/* group prefixes are no positions */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("(?i:abc)(?=x)(?<!y)(?s)"), 0);
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("\\x0a\\x0d\\."), 0);
	/* a class, '.', a class escape: 1 each */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("a[bc]d.e\\s"), 3);
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("[]x]"), 1);
	/* the bomb: a window of 30000 */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("GET[\\s\\S]{30000}"), 30000);
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("GET[\\s\\S]{0,29996}\\x0a"), 29996);
	/* open repeats count their lower bound, plain quantifiers once */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("a[\\s\\S]{7,}b"), 7);
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("a.*b.+c.?"), 3);
	/* a literal repeated unrolls too: x{5000} is 5000 positions */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("x{5000}"), 5000);
	/* groups: (x[a-z]{1,30}){100} = (1 + 30) * 100 */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("(?:x[a-z]{1,30}){100}"), 3100);
	/* nested repeats multiply: ((ab){10}){10} = 2 * 10 * 10 */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("((ab){10}){10}"), 200);
	/* a group not repeated costs what is inside it */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("(a[0-9]{12})b"), 12);
	/* not a quantifier: '{' as a literal */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("a{b}c{,5}"), 0);
	/* saturates instead of wrapping */
	CU_ASSERT_EQUAL(ctl_hsexpr_cost("((((a{99999}){99999}){99999}){99999})"
					"{99999}"),
			SIZE_MAX);
	/* unbalanced parentheses do not read out of bounds */
	CU_ASSERT(ctl_hsexpr_cost("((((a{3}") >= 3);
	CU_ASSERT(ctl_hsexpr_cost("a{3}))))") == 3);
}

static void
test_check_refuses_bomb(void)
{
	char why[256];

	CU_ASSERT_EQUAL(ctl_hsexpr_check("GET[\\s\\S]{30000}", 0, NULL, "p",
					 NULL, why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "p: too costly to compile"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "30000 positions"));
	CU_ASSERT_EQUAL(ctl_hsexpr_check("GET[\\s\\S]{4096}", 0, NULL, "p",
					 NULL, why, sizeof(why)),
			0);
	CU_ASSERT_EQUAL(ctl_hsexpr_check("GET[\\s\\S]{4097}", 0, NULL, "p",
					 NULL, why, sizeof(why)),
			-EINVAL);
}

static struct bw_ctl_request
good_request(uint16_t op)
{
	struct bw_ctl_request r;

	memset(&r, 0, sizeof(r));
	r.magic = BW_CTL_MAGIC;
	r.version = BW_CTL_VERSION;
	r.op = op;
	if (op == BW_CTL_APPLY) {
		r.image_size = 4096;
		strcpy(r.shm_name, "/bulwark.edge.img.1234");
	}
	return r;
}

static void
test_request_parse(void)
{
	struct bw_ctl_request r, out;
	char why[256];
	uint8_t big[sizeof(r) + 1];

	r = good_request(BW_CTL_PING);
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)), 0);
	r = good_request(BW_CTL_APPLY);
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(out.image_size, 4096);
	/* short, long */
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r) - 1, &out, why, sizeof(why)),
		-EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "malformed request (127 bytes"));
	memset(big, 0, sizeof(big));
	memcpy(big, &r, sizeof(r));
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(big, sizeof(big), &out, why, sizeof(why)),
		-EBADMSG);
	/* magic, version, reserved, op */
	r = good_request(BW_CTL_PING);
	r.magic ^= 1;
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	r = good_request(BW_CTL_PING);
	r.version = 2;
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	r = good_request(BW_CTL_PING);
	r.reserved[47] = 1;
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	r = good_request(BW_CTL_PING);
	r.op = 99;
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	CU_ASSERT_STRING_EQUAL(why, "unknown op 99");
	/* apply: the object name and the size */
	r = good_request(BW_CTL_APPLY);
	strcpy(r.shm_name, "/etc/shadow");
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	CU_ASSERT_STRING_EQUAL(why, "bad image object name");
	r = good_request(BW_CTL_APPLY);
	memset(r.shm_name, 'a', sizeof(r.shm_name)); /* no NUL */
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	r = good_request(BW_CTL_APPLY);
	r.image_size = 0;
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
	r.image_size = BW_IMAGE_SIZE_MAX + 1;
	CU_ASSERT_EQUAL(
		bw_ctl_request_parse(&r, sizeof(r), &out, why, sizeof(why)),
		-EBADMSG);
}

static void
test_reply_parse(void)
{
	struct bw_ctl_reply r, out;

	memset(&r, 0, sizeof(r));
	r.magic = BW_CTL_MAGIC;
	r.version = BW_CTL_VERSION;
	memset(r.message, 'x', sizeof(r.message)); /* no NUL: one is put */
	CU_ASSERT_EQUAL(bw_ctl_reply_parse(&r, sizeof(r), &out), 0);
	CU_ASSERT_EQUAL(strlen(out.message), sizeof(out.message) - 1);
	CU_ASSERT_EQUAL(bw_ctl_reply_parse(&r, sizeof(r) - 1, &out), -EPROTO);
	r.status = BW_CTL_UNTRUSTED; /* never on the wire */
	CU_ASSERT_EQUAL(bw_ctl_reply_parse(&r, sizeof(r), &out), -EPROTO);
	r.status = BW_CTL_BUSY;
	CU_ASSERT_EQUAL(bw_ctl_reply_parse(&r, sizeof(r), &out), 0);
	r.magic = 0;
	CU_ASSERT_EQUAL(bw_ctl_reply_parse(&r, sizeof(r), &out), -EPROTO);
}

static void
test_rundir_check(void)
{
	struct stat st;
	char why[128];

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFDIR | 0755;
	CU_ASSERT_EQUAL(bw_rundir_check(&st, 1000, why, sizeof(why)), 0);
	st.st_uid = 1000; /* the caller's own */
	CU_ASSERT_EQUAL(bw_rundir_check(&st, 1000, why, sizeof(why)), 0);
	st.st_uid = 1001;
	CU_ASSERT_EQUAL(bw_rundir_check(&st, 1000, why, sizeof(why)), -EPERM);
	CU_ASSERT_STRING_EQUAL(why, "owned by uid 1001, not root");
	st.st_uid = 0;
	st.st_mode = S_IFDIR | 0775;
	CU_ASSERT_EQUAL(bw_rundir_check(&st, 0, why, sizeof(why)), -EPERM);
	st.st_mode = S_IFDIR | 01777;
	CU_ASSERT_EQUAL(bw_rundir_check(&st, 0, why, sizeof(why)), -EPERM);
	CU_ASSERT_STRING_EQUAL(why,
			       "mode 1777 lets others than its owner write");
	st.st_mode = S_IFLNK | 0777;
	CU_ASSERT_EQUAL(bw_rundir_check(&st, 0, why, sizeof(why)), -EPERM);
	CU_ASSERT_STRING_EQUAL(why, "not a directory");
}

static const struct bw_cunit_test tests[] = {
	{"compile cost of expressions", test_cost},
	{"the expression check refuses a bomb", test_check_refuses_bomb},
	{"request parser", test_request_parse},
	{"reply parser", test_reply_parse},
	{"run directory check", test_rundir_check},
};

int
main(void)
{
	return bw_cunit_run("ctl_secure", tests,
			    sizeof(tests) / sizeof(tests[0]));
}
