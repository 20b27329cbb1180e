/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the block-list unit tests (test_listfile_*.c) share: parsing a text
 * with its messages captured, a text with one bad line, prefixes by their
 * spelling, and the main of every one of those binaries.
 *
 * Usage of each binary: test_listfile_X [DATA_DIR]. DATA_DIR (else
 * $BW_TEST_DATA, else tests/data or ../tests/data from the current folder,
 * else tests/data in a folder above the executable or the sources) holds
 * blocklists/.
 */
#ifndef TEST_LISTFILE_UTIL_H
#define TEST_LISTFILE_UTIL_H

#include <stddef.h>

#include "bw_cunit.h"
#include "ctl_listfile.h"
#include "ctl_prefix.h"

#define NB(a) (sizeof(a) / sizeof((a)[0]))

/* A parse whose messages are captured in a string. */
struct run {
	int ret;
	struct ctl_list_parse_stats st;
	char *diag; /* malloc'd, "" when nothing was written */
};

/*
 * Parse text (NUL-terminated) named "t" into *out with format fmt (and
 * column), skip_invalid as given.
 */
struct run run_parse(const char *text, enum ctl_list_format fmt,
		     unsigned int column, int skip_invalid,
		     struct ctl_prefix_set *out);

/* The prefix spelled s; the test stops when it does not parse. */
struct ctl_prefix pfx(const char *s);

/* Is the prefix spelled s in the sorted set? */
int has(const struct ctl_prefix_set *set, const char *s);

/* Parse text in format fmt into a fresh set; expect one error message. */
void expect_error(const char *text, enum ctl_list_format fmt, const char *msg);

/*
 * The tests of the binary, up to an entry whose fn is NULL: each
 * test_listfile_X.c defines them, and the main of test_listfile_util.c runs
 * them as suite "listfile" with DATA_DIR from its arguments.
 */
extern const struct bw_cunit_test listfile_tests[];

#endif /* TEST_LISTFILE_UTIL_H */
