/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sid index of a rule set, for the rule loader (ctl_ruleparse.c).
 * Private to control/rules/; the rule set's API is in ctl_rules.h.
 */
#ifndef CTL_RULESET_H
#define CTL_RULESET_H

#include <stdint.h>

#include "ctl_rules.h"

/* One slot of struct ctl_rules.sids (open addressing). */
struct ctl_rules_sid {
	uint32_t sid; /* 0: free slot */
	uint32_t line;
	const char *file;
};

/* The first rule taken with sid, or NULL. */
const struct ctl_rules_sid *ctl_ruleset_sid_find(const struct ctl_rules *rs,
						 uint32_t sid);

/* Record that sid was first taken at file:line. Returns 0 or -ENOMEM. */
int ctl_ruleset_sid_insert(struct ctl_rules *rs, uint32_t sid, const char *file,
			   uint32_t line);

#endif /* CTL_RULESET_H */
