/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test-data lookup shared by the unit tests (bw_testdata.h).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

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

/* scandir() filter: no hidden files or folders, nor . and .. */
static int
visible(const struct dirent *de)
{
	return de->d_name[0] != '.';
}

void
bw_testdata_walk(const char *dir, int depth,
		 void (*fn)(const char *path, void *arg), void *arg)
{
	struct dirent **names;
	char path[PATH_MAX];
	struct stat st;
	int i, nb, len;

	nb = scandir(dir, &names, visible, alphasort);
	if (nb < 0) {
		CU_FAIL("cannot open test data folder");
		return;
	}
	for (i = 0; i < nb; i++) {
		len = snprintf(path, sizeof(path), "%s/%s", dir,
			       names[i]->d_name);
		free(names[i]);
		if (len >= (int)sizeof(path)) {
			CU_FAIL("test data path too long");
		} else if (stat(path, &st) != 0) {
			fprintf(stderr, "\n  %s: cannot stat", path);
		} else if (S_ISREG(st.st_mode)) {
			fn(path, arg);
		} else if (S_ISDIR(st.st_mode) && depth > 0) {
			bw_testdata_walk(path, depth - 1, fn, arg);
		}
	}
	free(names);
}
