/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers the content-rule unit tests share (test_rules*.c): loading rule
 * text with the Hyperscan check, and the text of a skip.
 */
#ifndef TEST_RULES_UTIL_H
#define TEST_RULES_UTIL_H

#include <stddef.h>

#include "ctl_rules.h"

/* Parse options of the tests: the Hyperscan check, no variables. */
extern const struct ctl_rules_opts rules_check_opts;

/* Parse text as a file named "t" into rs with the check (fatal on error). */
struct ctl_rules_stats rules_load(struct ctl_rules *rs, const char *text);

/* The formatted skip i of rs, in a static buffer. */
const char *rules_skip_text(const struct ctl_rules *rs, size_t i);

#endif /* TEST_RULES_UTIL_H */
