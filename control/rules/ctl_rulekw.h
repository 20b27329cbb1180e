/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The option keywords of a rule (the part in parentheses) as a table, in
 * the spirit of Suricata's sigmatch_table: one row per keyword with its
 * parse function and what it needs, so that dispatch, the "unsupported
 * keyword K" reason and the list of supported keywords all come from the
 * rows. The rule loader (ctl_ruleparse.c) splits the options and calls
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
	uint32_t seen;	  /* CTL_RULEKW_ONCE rows seen, 1u << row */
};

/*
 * Record the first failure of rp: err, and the reason from fmt ("out of
 * memory" for -ENOMEM). Later failures keep the first. Returns rp->err.
 */
int __attribute__((format(printf, 3, 4)))
ctl_ruleparse_fail(struct ctl_ruleparse *rp, int err, const char *fmt, ...);

/* struct ctl_rulekw.flags: what the dispatcher checks before parse. */
#define CTL_RULEKW_VALUE    0x01 /* needs a value ("kw:value") */
#define CTL_RULEKW_NOVALUE  0x02 /* takes no value ("kw;") */
#define CTL_RULEKW_ONCE	    0x04 /* at most once per rule */
#define CTL_RULEKW_MODIFIER 0x08 /* allowed only after a content: modifies it */

/*
 * Parse the value (v, n bytes; NULL when the option has none) of keyword
 * kw into rp->r. Returns 0 or rp->err after ctl_ruleparse_fail().
 */
typedef int (*ctl_rulekw_fn)(struct ctl_ruleparse *rp, const char *kw,
			     const char *v, size_t n);

struct ctl_rulekw {
	const char *name;
	ctl_rulekw_fn parse;  /* NULL: taken and ignored (changes no match) */
	uint32_t flags;	      /* CTL_RULEKW_* */
	const char *no_value; /* VALUE: the reason when the value is missing;
				 NULL: "invalid rule: KW needs a value" */
};

/* The row of keyword name, or NULL when the parser does not take it. */
const struct ctl_rulekw *ctl_rulekw_find(const char *name);

/*
 * One option: keyword kw (NUL-terminated), value v/n or NULL. Checks the
 * row's flags, in this order: a modifier needs a content before it, then
 * NOVALUE, VALUE, ONCE; then calls its parse function. An unknown
 * keyword fails with "unsupported keyword KW". Returns 0 or rp->err.
 */
int ctl_rulekw_parse(struct ctl_ruleparse *rp, const char *kw, const char *v,
		     size_t n);

#endif /* CTL_RULEKW_H */
