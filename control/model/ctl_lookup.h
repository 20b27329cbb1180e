/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which list decides for an address: the list stage's semantics computed
 * straight from the ruleset model, independently of the dataplane's FIB
 * encoding (lib/routes.c), so that tests can compare the two.
 *
 * For one side of a packet (its source or its destination address):
 * - a list takes part when its --match covers that side (src, dst, any)
 *   and one of its prefixes contains the address; its longest such prefix
 *   is the list's match;
 * - allow lists win over block lists: when an allow list takes part, the
 *   deciding list is an allow list, else a block list, else none;
 * - among lists of the same action the longest match wins, then the
 *   lowest list id;
 * - verdict: drop when a block list decides, pass otherwise.
 */
#ifndef CTL_LOOKUP_H
#define CTL_LOOKUP_H

#include <stdint.h>

#include "ctl_model.h"

#define CTL_SIDE_SRC 0 /* the address as a packet's source */
#define CTL_SIDE_DST 1 /* the address as a packet's destination */

/* One list whose prefixes contain the address. */
struct ctl_lookup_hit {
	uint32_t index;		 /* in rs->lists */
	struct ctl_prefix match; /* the list's longest containing prefix */
	int counts;		 /* the list's --match covers this side */
};

struct ctl_lookup_side {
	struct ctl_lookup_hit hits[BW_LIST_MAX]; /* in list id order */
	uint32_t nb_hits;
	int decider; /* index into hits, -1: no list decides */
	int drop;    /* 1: a block list decides */
};

/*
 * Look addr up (family CTL_PREFIX_V4 with 4 bytes or CTL_PREFIX_V6 with
 * 16, network order) on side CTL_SIDE_SRC or CTL_SIDE_DST of rs, whose
 * sets must be sorted (ctl_prefix_set_sort_unique()). Pure; any thread.
 */
void ctl_lookup_side(const struct ctl_ruleset *rs, int family,
		     const uint8_t *addr, int side,
		     struct ctl_lookup_side *out);

/*
 * The longest prefix of set s (sorted) that contains addr into *out.
 * Returns 1 when there is one, else 0.
 */
int ctl_lookup_longest(const struct ctl_prefix_set *s, int family,
		       const uint8_t *addr, struct ctl_prefix *out);

/* "drop", "allow" for BW_ACTION_*; "?" for others. */
const char *ctl_action_name(uint16_t action);

/* "src", "dst", "any" for BW_MATCH_*; "?" for others. */
const char *ctl_match_name(uint16_t match);

/* Parse those names into BW_ACTION_* / BW_MATCH_*. Returns 0 or -EINVAL. */
int ctl_action_parse(const char *s, uint16_t *action);
int ctl_match_parse(const char *s, uint16_t *match);

#endif /* CTL_LOOKUP_H */
