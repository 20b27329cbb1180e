/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-data lookup shared by the unit tests (bw_testdata.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "bw_testdata.h"

#ifndef BW_TEST_DATA_DIR
#define BW_TEST_DATA_DIR "tests/data"
#endif

static const char *given;

void
bw_testdata_set(const char *dir)
{
	if (dir != NULL)
		given = dir;
}

const char *
bw_testdata_path(const char *sub, char *buf, size_t size)
{
	const char *cands[3] = {given, getenv("BW_TEST_DATA"),
				BW_TEST_DATA_DIR};
	struct stat st;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (cands[i] == NULL)
			continue;
		if (snprintf(buf, size, "%s%s%s", cands[i], sub[0] ? "/" : "",
			     sub) >= (int)size)
			continue;
		if (stat(buf, &st) == 0)
			return buf;
	}
	return NULL;
}
