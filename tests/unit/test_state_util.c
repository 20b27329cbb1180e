/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Helpers the state, commit plan and lookup unit tests share
 * (test_state_util.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ctl_image.h"
#include "test_state_util.h"

void
state_pfx(struct ctl_prefix *p, const char *s)
{
	CU_ASSERT_FATAL(ctl_prefix_parse(s, strlen(s), p, NULL) == 0);
}

struct ctl_list *
state_add_list(struct ctl_ruleset *rs, const char *name, uint16_t action,
	       uint16_t match, const char *const *prefixes)
{
	struct ctl_list *l = NULL;

	CU_ASSERT_FATAL(ctl_ruleset_add_list(rs, name, action, match, &l) == 0);
	for (; prefixes != NULL && *prefixes != NULL; prefixes++)
		state_set_put(l, *prefixes);
	return l;
}

void
state_set_put(struct ctl_list *l, const char *s)
{
	struct ctl_prefix p;

	state_pfx(&p, s);
	CU_ASSERT_FATAL(ctl_prefix_set_add(&l->set, &p) == 0);
	ctl_prefix_set_sort_unique(&l->set);
}

void *
state_full_image(const struct ctl_ruleset *rs, uint64_t gen, size_t *len)
{
	struct ctl_image_meta m;
	void *img = NULL;

	memset(&m, 0, sizeof(m));
	m.generation = gen;
	m.parent_gen = gen - 1;
	m.created_ns = 1;
	snprintf(m.comment, sizeof(m.comment), "test gen %" PRIu64, gen);
	CU_ASSERT_FATAL(ctl_image_write_full(rs, &m, &img, len) == 0);
	return img;
}
