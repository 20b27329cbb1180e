/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers the content-rule unit tests share (test_rules_util.h).
 */
#include <string.h>

#include <CUnit/Basic.h>

#include "ctl_hsmap.h"
#include "test_rules_util.h"

const struct ctl_rules_opts rules_check_opts = {NULL, ctl_hsmap_check, NULL};

struct ctl_rules_stats
rules_load(struct ctl_rules *rs, const char *text)
{
	struct ctl_rules_stats st;

	CU_ASSERT_EQUAL_FATAL(ctl_rules_load_buf(rs, "t", text, strlen(text),
						 &rules_check_opts, &st),
			      0);
	return st;
}

const char *
rules_skip_text(const struct ctl_rules *rs, size_t i)
{
	static char buf[512];

	if (i >= rs->nb_skips)
		return "(no skip)";
	ctl_rule_skip_format(&rs->skips[i], buf, sizeof(buf));
	return buf;
}
