/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The option keywords of a rule (the part in parentheses): the rule
 * loader (ctl_ruleparse.c) splits the options and calls
 * ctl_rulekw_parse() on each. Private to control/rules/.
 */
#ifndef CTL_RULEKW_H
#define CTL_RULEKW_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_rules.h"

/* The state of one rule being parsed. */
struct ctl_ruleparse {
	const struct ctl_rules_opts *o;
	struct ctl_rule r;
	char why[CTL_RULE_WHY_LEN];
	int err;	  /* 0, -EINVAL (skip) or -ENOMEM */
	int last_content; /* index in r.m of the last content, -1 */
	uint32_t seen;	  /* options seen once only (OPT_*) */
};

/*
 * Record the first failure of rp: err, and the reason from fmt ("out of
 * memory" for -ENOMEM). Later failures keep the first. Returns rp->err.
 */
int __attribute__((format(printf, 3, 4)))
ctl_ruleparse_fail(struct ctl_ruleparse *rp, int err, const char *fmt, ...);

/*
 * One option: keyword kw (NUL-terminated), value v/n or NULL. An unknown
 * keyword fails with "unsupported keyword KW". Returns 0 or rp->err.
 */
int ctl_rulekw_parse(struct ctl_ruleparse *rp, const char *kw, const char *v,
		     size_t n);

#endif /* CTL_RULEKW_H */
