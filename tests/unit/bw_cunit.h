/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one way the unit tests run their CUnit suite.
 */
#ifndef BW_CUNIT_H
#define BW_CUNIT_H

#include <stddef.h>

#include <CUnit/CUnit.h>

struct bw_cunit_test {
	const char *name;
	CU_TestFunc fn;
};

/*
 * Register tests[0..n) as suite `suite`, run them verbosely and return the
 * process exit status: 0 when every assertion passed, 1 when one failed or
 * CUnit itself reported an error (CU_basic_run_tests alone returns 0 even
 * when assertions fail).
 */
int bw_cunit_run(const char *suite, const struct bw_cunit_test *tests,
		 size_t n);

/* A suite with fixtures: any of the functions may be NULL. */
struct bw_cunit_suite {
	const char *name;
	CU_InitializeFunc init;	  /* once before the tests; non-zero fails */
	CU_CleanupFunc clean;	  /* once after them */
	CU_SetUpFunc setup;	  /* before each test */
	CU_TearDownFunc teardown; /* after each test */
};

/*
 * bw_cunit_run() with fixtures. A suite whose init or clean failed counts
 * as a failure too.
 */
int bw_cunit_run_suite(const struct bw_cunit_suite *suite,
		       const struct bw_cunit_test *tests, size_t n);

#define BW_CUNIT_RUN(suite, tests)                                             \
	bw_cunit_run((suite), (tests), sizeof(tests) / sizeof((tests)[0]))

#endif /* BW_CUNIT_H */
