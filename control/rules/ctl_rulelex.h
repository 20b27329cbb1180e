/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text helpers that the rule, variable and address parsers of
 * control/rules/ share: blanks, words, trimming, decimal numbers, quoted
 * excerpts for error messages. Private to control/rules/.
 */
#ifndef CTL_RULELEX_H
#define CTL_RULELEX_H

#include <stddef.h>
#include <string.h>

#define CTL_RULELEX_EXCERPT_LEN 48 /* characters of input quoted in a reason */

static inline int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static inline int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_';
}

/* Trim [*s, *s + *n) of blanks on both sides. */
static inline void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static inline int
token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/*
 * ctl_prefix_excerpt() of the n bytes at s, cut to at most
 * CTL_RULELEX_EXCERPT_LEN characters, into buf (len bytes).
 */
void ctl_rulelex_excerpt(char *buf, size_t len, const char *s, size_t n);

/*
 * Decimal integer in [lo, hi] from the n bytes at s (blanks around it
 * allowed, a leading '-' only when lo < 0). Returns 0 or -EINVAL.
 */
int ctl_rulelex_long(const char *s, size_t n, long lo, long hi, long *out);

#endif /* CTL_RULELEX_H */
