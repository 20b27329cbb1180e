/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One rule's payload conditions as Hyperscan expressions (ctl_hsexpr.c),
 * for the map of a rule set (ctl_hsmap.c) and the pattern-file loader
 * (ctl_hspattern.c); and the growing string they write expressions in.
 * Private to control/rules/.
 */
#ifndef CTL_HSEXPR_H
#define CTL_HSEXPR_H

#include <stddef.h>
#include <stdint.h>

#include <hs.h>

#include "ctl_hsmap.h"
#include "ctl_rules.h"

/* A growing NUL-terminated string; s is malloc'd, NULL while empty. */
struct ctl_hsstr {
	char *s;
	size_t n;
	size_t cap;
	int err; /* -ENOMEM once an append failed */
};

/* Append the n bytes at s; on failure set b->err and append nothing. */
void ctl_hsstr_putn(struct ctl_hsstr *b, const char *s, size_t n);
void ctl_hsstr_puts(struct ctl_hsstr *b, const char *s);

/* Append a short formatted piece (under 64 bytes, else b->err). */
void __attribute__((format(printf, 2, 3)))
ctl_hsstr_printf(struct ctl_hsstr *b, const char *fmt, ...);

/* Expressions of one rule, before ids are given. */
struct ctl_hsexpr_rule {
	struct ctl_hsexpr *e;
	size_t n;
	int negated[CTL_RULE_MATCH_MAX];
	int needs_eod;
};

/*
 * The terms of r as expressions (no ids yet). With check, each pcre and
 * each expression goes through hs_expression_ext_info(). Returns 0,
 * -EINVAL with a reason, or -ENOMEM (x then empty). Any thread.
 */
int ctl_hsexpr_rule_make(const struct ctl_rule *r, int check,
			 struct ctl_hsexpr_rule *x, char *why, size_t why_len);

void ctl_hsexpr_rule_free(struct ctl_hsexpr_rule *x);

/*
 * Bounded repeats unroll to states in Hyperscan: an expression whose
 * repeats unroll to more positions than this is refused before it is
 * compiled (about 0.2 ms and 3 KB a position: a few hundred ms at most).
 * A rule set's expressions together get CTL_RULES_COST_MAX (ctl_rules.h).
 */
#define CTL_HSEXPR_COST_MAX 4096u

/*
 * How many positions the bounded repeats of pattern unroll to (nested
 * repeats multiply; *, + and ? count once); SIZE_MAX when past it.
 */
size_t ctl_hsexpr_cost(const char *pattern);

/*
 * The cost of pattern over CTL_HSEXPR_COST_MAX is refused first, with
 * "PREFIX: too costly to compile: ..." in why. Then
 * hs_expression_ext_info() of pattern: 0, or -EINVAL with
 * "PREFIX: message" in why; *min_width is set when not NULL.
 */
int ctl_hsexpr_check(const char *pattern, unsigned int flags,
		     const hs_expr_ext_t *ext, const char *prefix,
		     unsigned int *min_width, char *why, size_t why_len);

#endif /* CTL_HSEXPR_H */
