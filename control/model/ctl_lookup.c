/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which lists of a ruleset contain an address and which one decides for
 * it (the rules are in ctl_lookup.h); action and match names. The
 * `lookup` command (control/cmd/lookup.c) and `list` use them.
 */
#include <errno.h>
#include <string.h>

#include "ctl_lookup.h"

const char *
ctl_action_name(uint16_t action)
{
	switch (action) {
	case BW_ACTION_DROP:
		return "drop";
	case BW_ACTION_ALLOW:
		return "allow";
	default:
		return "?";
	}
}

const char *
ctl_match_name(uint16_t match)
{
	switch (match) {
	case BW_MATCH_SRC:
		return "src";
	case BW_MATCH_DST:
		return "dst";
	case BW_MATCH_ANY:
		return "any";
	default:
		return "?";
	}
}

int
ctl_action_parse(const char *s, uint16_t *action)
{
	if (strcmp(s, "drop") == 0)
		*action = BW_ACTION_DROP;
	else if (strcmp(s, "allow") == 0)
		*action = BW_ACTION_ALLOW;
	else
		return -EINVAL;
	return 0;
}

int
ctl_match_parse(const char *s, uint16_t *match)
{
	if (strcmp(s, "src") == 0)
		*match = BW_MATCH_SRC;
	else if (strcmp(s, "dst") == 0)
		*match = BW_MATCH_DST;
	else if (strcmp(s, "any") == 0)
		*match = BW_MATCH_ANY;
	else
		return -EINVAL;
	return 0;
}

/* addr with the bits below len cleared, as a prefix of length len. */
static void
prefix_of(struct ctl_prefix *p, int family, const uint8_t *addr,
	  unsigned int len)
{
	unsigned int alen = family == CTL_PREFIX_V4 ? 4 : 16, i;

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	p->len = (uint8_t)len;
	for (i = 0; i < alen; i++) {
		if (len >= 8 * (i + 1))
			p->addr[i] = addr[i];
		else if (len > 8 * i)
			p->addr[i] =
				addr[i] & (uint8_t)(0xff00u >> (len - 8 * i));
	}
}

int
ctl_lookup_longest(const struct ctl_prefix_set *s, int family,
		   const uint8_t *addr, struct ctl_prefix *out)
{
	int len = family == CTL_PREFIX_V4 ? 32 : 128;
	struct ctl_prefix p;

	if (family != CTL_PREFIX_V4 && family != CTL_PREFIX_V6)
		return 0;
	for (; len >= 0; len--) {
		prefix_of(&p, family, addr, (unsigned int)len);
		if (ctl_prefix_set_find(s, &p) >= 0) {
			*out = p;
			return 1;
		}
	}
	return 0;
}

/* 1 when hit a beats hit b for deciding (same action assumed). */
static int
beats(const struct ctl_ruleset *rs, const struct ctl_lookup_hit *a,
      const struct ctl_lookup_hit *b)
{
	if (a->match.len != b->match.len)
		return a->match.len > b->match.len;
	return rs->lists[a->index].id < rs->lists[b->index].id;
}

void
ctl_lookup_side(const struct ctl_ruleset *rs, int family, const uint8_t *addr,
		int side, struct ctl_lookup_side *out)
{
	uint16_t need = side == CTL_SIDE_SRC ? BW_MATCH_SRC : BW_MATCH_DST;
	int best_allow = -1, best_block = -1;
	struct ctl_lookup_hit *h;
	uint32_t i;

	out->nb_hits = 0;
	out->decider = -1;
	out->drop = 0;
	for (i = 0; i < rs->nb_lists && i < BW_LIST_MAX; i++) {
		const struct ctl_list *l = &rs->lists[i];

		h = &out->hits[out->nb_hits];
		if (!ctl_lookup_longest(&l->set, family, addr, &h->match))
			continue;
		h->index = i;
		h->counts = (l->match & need) != 0;
		if (h->counts) {
			int *best = l->action == BW_ACTION_ALLOW ? &best_allow
								 : &best_block;

			if (*best < 0 || beats(rs, h, &out->hits[*best]))
				*best = (int)out->nb_hits;
		}
		out->nb_hits++;
	}
	if (best_allow >= 0) {
		out->decider = best_allow;
	} else if (best_block >= 0) {
		out->decider = best_block;
		out->drop = 1;
	}
}
