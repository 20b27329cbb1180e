/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared CUnit runner (bw_cunit.h).
 */
#include <stdio.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"

int
bw_cunit_run_suite(const struct bw_cunit_suite *suite,
		   const struct bw_cunit_test *tests, size_t n)
{
	unsigned int nb_fail;
	CU_pSuite s;
	size_t i;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "test_%s: %s\n", suite->name,
			CU_get_error_msg());
		return 1;
	}
	s = CU_add_suite_with_setup_and_teardown(suite->name, suite->init,
						 suite->clean, suite->setup,
						 suite->teardown);
	if (s == NULL)
		goto err_registry;
	for (i = 0; i < n; i++)
		if (CU_add_test(s, tests[i].name, tests[i].fn) == NULL)
			goto err_registry;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto err_registry;
	nb_fail =
		CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return nb_fail != 0 ? 1 : 0;

err_registry:
	fprintf(stderr, "test_%s: %s\n", suite->name, CU_get_error_msg());
	CU_cleanup_registry();
	return 1;
}

int
bw_cunit_run(const char *suite, const struct bw_cunit_test *tests, size_t n)
{
	const struct bw_cunit_suite s = {.name = suite};

	return bw_cunit_run_suite(&s, tests, n);
}
