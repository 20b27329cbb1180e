/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The helpers the block-list unit tests share (test_listfile_util.h):
 * captured parses, a text with one bad line, prefixes, and main.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_testdata.h"
#include "test_listfile_util.h"

struct run
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

struct ctl_prefix
pfx(const char *s)
{
	struct ctl_prefix p;

	memset(&p, 0, sizeof(p));
	CU_ASSERT_EQUAL_FATAL(ctl_prefix_parse(s, strlen(s), &p, NULL), 0);
	return p;
}

int
has(const struct ctl_prefix_set *set, const char *s)
{
	struct ctl_prefix p = pfx(s);

	return ctl_prefix_set_find(set, &p) >= 0;
}

void
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

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	size_t n = 0;

	if (argc > 1)
		bw_testdata_set(argv[1]);
	while (listfile_tests[n].fn != NULL)
		n++;
	return bw_cunit_run("listfile", listfile_tests, n);
}
