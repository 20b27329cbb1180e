/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the text input shared by the parsers of control/rules/: reading a
 * rule, vars or pattern file whole, decimal numbers, excerpts.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "bw_util.h"
#include "ctl_prefix.h"
#include "ctl_rulelex.h"
#include "ctl_rules.h"

#define RULES_FILE_MAX ((size_t)1 << 30) /* bytes in one rule file */

void
ctl_rulelex_excerpt(char *buf, size_t len, const char *s, size_t n)
{
	ctl_prefix_excerpt(buf,
			   len < CTL_RULELEX_EXCERPT_LEN + 1
				   ? len
				   : CTL_RULELEX_EXCERPT_LEN + 1,
			   s, n);
}

int
ctl_rulelex_long(const char *s, size_t n, long lo, long hi, long *out)
{
	long v = 0;
	int neg = 0;
	size_t i;

	trim(&s, &n);
	if (n > 0 && s[0] == '-' && lo < 0) {
		neg = 1;
		s++;
		n--;
	} else if (n > 0 && s[0] == '+') {
		s++;
		n--;
	}
	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -EINVAL;
		if (v > (LONG_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int
ctl_rules_read_file(const char *path, char **buf, size_t *len)
{
	void *b;
	int ret;

	ret = bw_file_read(path, RULES_FILE_MAX, sizeof(void *), 0, &b, len);
	if (ret == 0)
		*buf = b;
	return ret;
}
