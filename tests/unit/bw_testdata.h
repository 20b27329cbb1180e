/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the unit tests find the bundled third-party data (tests/data),
 * and the pseudo-random sequence they share.
 */
#ifndef BW_TESTDATA_H
#define BW_TESTDATA_H

#include <stddef.h>
#include <stdint.h>

/* Use dir as tests/data (a test's DATA_DIR argument); NULL: no change. */
void bw_testdata_set(const char *dir);

/*
 * SUB (a file or folder; "" for tests/data itself) inside the test data
 * into buf: below the folder given to bw_testdata_set(), else below
 * $BW_TEST_DATA, else below the source tree's tests/data (meson defines
 * BW_TEST_DATA_DIR). Returns buf when that path exists, NULL otherwise.
 */
const char *bw_testdata_path(const char *sub, char *buf, size_t size);

/*
 * Call fn(path, arg) for every regular file in dir in name order (hidden
 * ones left out), and for those of its folders while depth > 0. A folder
 * that cannot be read or a path too long fails the running test.
 */
void bw_testdata_walk(const char *dir, int depth,
		      void (*fn)(const char *path, void *arg), void *arg);

/*
 * xorshift64: the next pseudo-random number of the sequence *state holds
 * (not 0). Tests seed it with a constant, so a failure replays.
 */
static inline uint64_t
bw_test_rnd(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

#endif /* BW_TESTDATA_H */
