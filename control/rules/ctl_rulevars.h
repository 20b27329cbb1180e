/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Variable lookup for the address and port parser (ctl_ruleaddr.c).
 * Private to control/rules/; the variables' API is in ctl_rules.h.
 */
#ifndef CTL_RULEVARS_H
#define CTL_RULEVARS_H

#include <stddef.h>

#include "ctl_rules.h"

#define CTL_RULEVARS_NAME_MAX 63 /* characters in a variable name */

/* 1 when the n bytes at s are a valid variable name (no '$'), else 0. */
int ctl_rulevars_name_ok(const char *s, size_t n);

/*
 * The value of the variable named by the n bytes at name (no '$'): set
 * in vars (may be NULL), else the built-in default; NULL when neither.
 */
const char *ctl_rulevars_lookup(const struct ctl_rule_vars *vars,
				const char *name, size_t n);

#endif /* CTL_RULEVARS_H */
