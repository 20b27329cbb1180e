/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers the state, commit plan and lookup unit tests share
 * (test_state*.c): rulesets built from prefix strings, and their FULL
 * images.
 */
#ifndef TEST_STATE_UTIL_H
#define TEST_STATE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_prefix.h"
#include "ctl_model.h"

/* Parse the prefix s into p (fatal when it does not parse). */
void state_pfx(struct ctl_prefix *p, const char *s);

/* Add list name with the given prefixes (NULL-terminated) to rs. */
struct ctl_list *state_add_list(struct ctl_ruleset *rs, const char *name,
				uint16_t action, uint16_t match,
				const char *const *prefixes);

/* Add the prefix s to list l, keeping its set sorted. */
void state_set_put(struct ctl_list *l, const char *s);

/* FULL image of rs as generation gen (parent gen - 1). */
void *state_full_image(const struct ctl_ruleset *rs, uint64_t gen, size_t *len);

#endif /* TEST_STATE_UTIL_H */
