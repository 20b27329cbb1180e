/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the block-list parsers (ctl_listfile.c) on the real lists
 * under tests/data/blocklists: each file's format, entry and line counts
 * computed apart from this code, every entry formatting and parsing back
 * to itself, and lists merged into one set.
 *
 * Usage: test_listfile_real [DATA_DIR] (test_listfile_util.h).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_testdata.h"
#include "test_listfile_util.h"

/* Folder (or file) of the bundled test data, or NULL: bw_testdata.h. */
static const char *
data_dir_find(char *buf, size_t size)
{
	return bw_testdata_path("", buf, size);
}

/*
 * Expected numbers, computed apart from this code (sort -u dedups; the
 * files have no host bits set, checked with python3 ipaddress strict=True,
 * so no two spellings meet after normalisation):
 *   spamhaus: grep -v '^;' F | awk '{print $1}' | sort -u | grep -vc :
 *             (v4), ... | grep -c : (v6)
 *   plain:    grep -v '^#' F | sort -u | grep -vc :
 *   rules:    grep '^alert' F | cut -d'[' -f2 | cut -d']' -f1 |
 *             tr , '\n' | sort -u | grep -vc :   (and grep -c : for v6)
 *   lines:    wc -l F
 * first/last: the first and last entry in the file, by eye.
 */
static const struct list_case {
	const char *file;
	enum ctl_list_format fmt;
	size_t nb_v4, nb_v6, lines;
	const char *first, *last;
} list_cases[] = {
	{"spamhaus-drop-2025-01-17.txt", CTL_FMT_SPAMHAUS, 1385, 0, 1390,
	 "1.10.16.0/20", "223.254.0.0/16"},
	{"spamhaus-drop-2024-10-18.txt", CTL_FMT_SPAMHAUS, 1356, 0, 1361,
	 "1.10.16.0/20", "223.254.0.0/16"},
	{"spamhaus-dropv6-2025-01-17.txt", CTL_FMT_SPAMHAUS, 0, 78, 83,
	 "2001:678:6c4::/48", "2c0f:6c0::/28"},
	{"spamhaus-edrop-2023-12-02.txt", CTL_FMT_SPAMHAUS, 289, 0, 293,
	 "2.56.247.0/24", "221.227.188.0/22"},
	{"et-compromised-ips.txt", CTL_FMT_PLAIN, 296, 0, 296, "101.202.19.199",
	 "98.18.26.150"},
	{"et-ciarmy.rules", CTL_FMT_RULES, 5000, 0, 134, "1.117.204.147",
	 "101.201.119.191"},
	{"et-drop.rules", CTL_FMT_RULES, 1092, 0, 95, "2.57.232.0/23",
	 "223.254.0.0/16"},
};

/* Licence texts that travel with the lists; not lists themselves. */
static const char *const not_lists[] = {"LICENSE", "BSD-License.txt"};

/* Load one real list; NULL diag means the messages must be empty. */
static void
load_case(const char *dir, const struct list_case *c, struct ctl_prefix_set *s)
{
	struct ctl_list_parse_opts o = {CTL_FMT_AUTO, 0, 0, NULL};
	struct ctl_list_parse_stats st;
	char path[PATH_MAX + 64], buf[CTL_PREFIX_STR_LEN];
	char *diag = NULL;
	size_t dlen = 0, i;
	struct ctl_prefix p;
	int ret;

	CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/blocklists/%s", dir,
				 c->file) < (int)sizeof(path));
	o.diag = open_memstream(&diag, &dlen);
	CU_ASSERT_FATAL(o.diag != NULL);
	ret = ctl_list_parse_file(path, &o, s, &st);
	CU_ASSERT_FATAL(fclose(o.diag) == 0);
	fprintf(stderr, "\n  %-32s %-8s %5zu v4 %3zu v6 %5zu lines", c->file,
		ctl_list_format_name(st.format), st.nb_v4, st.nb_v6, st.lines);
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_STRING_EQUAL(diag, "");
	CU_ASSERT_EQUAL(st.format, c->fmt);
	CU_ASSERT_EQUAL(st.nb_v4, c->nb_v4);
	CU_ASSERT_EQUAL(st.nb_v6, c->nb_v6);
	CU_ASSERT_EQUAL(st.entries, c->nb_v4 + c->nb_v6);
	CU_ASSERT_EQUAL(st.lines, c->lines);
	CU_ASSERT_EQUAL(st.invalid, 0);
	CU_ASSERT_EQUAL(st.duplicates, 0);
	CU_ASSERT_EQUAL(st.host_bits_fixed, 0);
	CU_ASSERT(has(s, c->first));
	CU_ASSERT(has(s, c->last));
	/* every entry formats and parses back to itself */
	for (i = 0; i < s->n; i++) {
		CU_ASSERT_EQUAL_FATAL(
			ctl_prefix_format(&s->v[i], buf, sizeof(buf)), 0);
		CU_ASSERT_EQUAL_FATAL(
			ctl_prefix_parse(buf, strlen(buf), &p, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(ctl_prefix_cmp(&p, &s->v[i]), 0);
		CU_ASSERT_EQUAL_FATAL(ctl_prefix_set_find(s, &p), (int)i);
		CU_ASSERT_FATAL(
			ctl_prefix_contains(&s->v[i], p.family, p.addr) == 1);
	}
	free(diag);
}

static void
test_real_lists(void)
{
	struct ctl_prefix_set s = {0};
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct dirent *de;
	size_t i, j;
	DIR *d;

	if (data_dir_find(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "\n  no tests/data/blocklists: pass DATA_DIR "
				"or set BW_TEST_DATA");
		CU_FAIL_FATAL("test data not found");
	}
	for (i = 0; i < NB(list_cases); i++) {
		load_case(dir, &list_cases[i], &s);
		ctl_prefix_set_free(&s);
	}
	/* every file there is a case or a licence: none goes untested */
	CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/blocklists", dir) <
			(int)sizeof(path));
	d = opendir(path);
	CU_ASSERT_FATAL(d != NULL);
	while ((de = readdir(d)) != NULL) {
		int known = de->d_name[0] == '.';

		for (j = 0; j < NB(list_cases); j++)
			known |= strcmp(de->d_name, list_cases[j].file) == 0;
		for (j = 0; j < NB(not_lists); j++)
			known |= strcmp(de->d_name, not_lists[j]) == 0;
		if (!known)
			fprintf(stderr, "\n  %s: no expected counts",
				de->d_name);
		CU_ASSERT(known);
	}
	closedir(d);
}

/*
 * Lists merged into one set: overlaps collapse. Expected:
 *   cat drop-2025 edrop dropv6 | grep -v '^;' | awk '{print $1}' |
 *   sort -u | wc -l  -> 1572 (78 of them IPv6)
 */
static void
test_real_merge(void)
{
	static const char *const files[] = {"spamhaus-drop-2025-01-17.txt",
					    "spamhaus-edrop-2023-12-02.txt",
					    "spamhaus-dropv6-2025-01-17.txt"};
	struct ctl_list_parse_opts o = {CTL_FMT_AUTO, 0, 0, NULL};
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct ctl_prefix_set s = {0};
	size_t i;

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	for (i = 0; i < 3; i++) {
		CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/blocklists/%s",
					 dir, files[i]) < (int)sizeof(path));
		CU_ASSERT_EQUAL(ctl_list_parse_file(path, &o, &s, NULL), 0);
	}
	CU_ASSERT_EQUAL(s.n, 1572);
	CU_ASSERT_EQUAL(ctl_prefix_set_count(&s, CTL_PREFIX_V6), 78);
	for (i = 1; i < s.n; i++)
		CU_ASSERT_FATAL(ctl_prefix_cmp(&s.v[i - 1], &s.v[i]) < 0);
	ctl_prefix_set_free(&s);
}

/* The tests main runs (test_listfile_util.h). */
const struct bw_cunit_test listfile_tests[] = {
	{"real lists", test_real_lists},
	{"real lists merged", test_real_merge},
	{NULL, NULL},
};
