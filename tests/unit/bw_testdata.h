/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the unit tests find the bundled third-party data (tests/data).
 */
#ifndef BW_TESTDATA_H
#define BW_TESTDATA_H

#include <stddef.h>

/* Use dir as tests/data (a test's DATA_DIR argument); NULL: no change. */
void bw_testdata_set(const char *dir);

/*
 * SUB (a file or folder; "" for tests/data itself) inside the test data
 * into buf: below the folder given to bw_testdata_set(), else below
 * $BW_TEST_DATA, else below the source tree's tests/data (meson defines
 * BW_TEST_DATA_DIR). Returns buf when that path exists, NULL otherwise.
 */
const char *bw_testdata_path(const char *sub, char *buf, size_t size);

#endif /* BW_TESTDATA_H */
