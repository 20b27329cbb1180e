/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the map of a rule set to Hyperscan expressions (ctl_hsmap_build()):
 * ids for every rule's expressions (ctl_hsexpr.c), logical combinations,
 * the end-of-data expression, and pattern-file combinations resolved to
 * rule indexes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_hsexpr.h"
#include "ctl_hsmap.h"

#define EOD_PATTERN   "[\\s\\S]\\z"
#define PATTERN_IDMAX UINT32_MAX

/* ---------------------------------------------------------------------
 * The map of a rule set.
 */

void
ctl_hsmap_free(struct ctl_hsmap *map)
{
	CTL_ARRAY_FREE(map->e, map->nb_e, pattern);
	free(map->first);
	free(map->count);
	free(map->needs_eod);
	memset(map, 0, sizeof(*map));
}

static struct ctl_hsexpr *
map_push(struct ctl_hsmap *map)
{
	return CTL_ARRAY_PUSH(map->e, map->nb_e, map->cap_e, 256);
}

/* Pattern-file rules by (file, ID), to resolve combinations. */
struct pat_key {
	const char *file;
	uint32_t id;
	uint32_t rule;
};

static int
pat_key_cmp(const void *a, const void *b)
{
	const struct pat_key *x = a, *y = b;

	return CTL_CMP(x->file, y->file) ?: CTL_CMP(x->id, y->id);
}

/*
 * The combination text of a pattern-file rule with its file-local IDs
 * replaced by rule indexes. Returns 0, -EINVAL (unknown ID) or -ENOMEM.
 */
static int
rewrite_combination(const struct ctl_rule *r, const struct pat_key *keys,
		    size_t nb_keys, char **out, char *why, size_t why_len)
{
	const char *s = (const char *)r->m[0].data;
	struct ctl_hsstr b = {0};

	while (*s != '\0') {
		if (*s >= '0' && *s <= '9') {
			struct pat_key k = {r->file, 0, 0};
			const struct pat_key *f;
			unsigned long long v = 0;

			while (*s >= '0' && *s <= '9') {
				v = v * 10 + (unsigned long long)(*s - '0');
				if (v > PATTERN_IDMAX)
					v = (unsigned long long)PATTERN_IDMAX +
					    1;
				s++;
			}
			k.id = v > PATTERN_IDMAX ? 0 : (uint32_t)v;
			f = v > PATTERN_IDMAX ? NULL
					      : bsearch(&k, keys, nb_keys,
							sizeof(k), pat_key_cmp);
			if (f == NULL) {
				bw_why_set(why, why_len,
					   "combination refers to ID %llu, not "
					   "loaded",
					   v);
				free(b.s);
				return -EINVAL;
			}
			ctl_hsstr_printf(&b, "%u", f->rule);
		} else {
			ctl_hsstr_putn(&b, s, 1);
			s++;
		}
	}
	if (b.err) {
		free(b.s);
		return -ENOMEM;
	}
	*out = b.s;
	return 0;
}

int
ctl_hsmap_build(const struct ctl_rules *rs, struct ctl_hsmap *map, char *err,
		size_t err_len)
{
	struct pat_key *keys = NULL;
	size_t i, nb_keys = 0;
	unsigned long long next_id;
	char why[CTL_RULE_WHY_LEN];
	int ret = 0;

	ctl_hsmap_free(map);
	/* rule ids, the end-of-data id, then sub-expression ids */
	if (rs->nb_rules >= UINT32_MAX / 2) {
		bw_why_set(err, err_len, "too many rules for hyperscan ids");
		return -E2BIG;
	}
	next_id = rs->nb_rules;
	map->nb_rules = rs->nb_rules;
	map->first =
		calloc(rs->nb_rules ? rs->nb_rules : 1, sizeof(*map->first));
	map->count =
		calloc(rs->nb_rules ? rs->nb_rules : 1, sizeof(*map->count));
	map->needs_eod = calloc(rs->nb_rules ? rs->nb_rules : 1, 1);
	if (map->first == NULL || map->count == NULL || map->needs_eod == NULL)
		goto err_nomem;
	{
		struct ctl_hsexpr *e = map_push(map);

		if (e == NULL)
			goto err_nomem;
		e->pattern = strdup(EOD_PATTERN);
		if (e->pattern == NULL)
			goto err_nomem;
		e->flags = HS_FLAG_QUIET;
		e->id = (unsigned int)next_id++;
		e->rule = UINT32_MAX;
		map->eod = 0;
	}
	for (i = 0; i < rs->nb_rules; i++) {
		if (rs->rules[i].flags & CTL_RULE_PATTERN)
			nb_keys++;
	}
	if (nb_keys > 0) {
		keys = calloc(nb_keys, sizeof(*keys));
		if (keys == NULL)
			goto err_nomem;
		nb_keys = 0;
		for (i = 0; i < rs->nb_rules; i++) {
			if (!(rs->rules[i].flags & CTL_RULE_PATTERN))
				continue;
			keys[nb_keys].file = rs->rules[i].file;
			keys[nb_keys].id = rs->rules[i].sid;
			keys[nb_keys].rule = (uint32_t)i;
			nb_keys++;
		}
		qsort(keys, nb_keys, sizeof(*keys), pat_key_cmp);
	}
	for (i = 0; i < rs->nb_rules; i++) {
		const struct ctl_rule *r = &rs->rules[i];
		struct ctl_hsexpr_rule x;
		struct ctl_hsexpr *e;
		struct ctl_hsstr comb = {0};
		size_t k;

		map->first[i] = (uint32_t)map->nb_e;
		if (r->flags & CTL_RULE_PATTERN) {
			const struct ctl_rule_match *m = &r->m[0];

			e = map_push(map);
			if (e == NULL)
				goto err_nomem;
			e->flags = m->pcre;
			e->id = (unsigned int)i;
			e->rule = (uint32_t)i;
			if (m->pcre & HS_FLAG_COMBINATION) {
				ret = rewrite_combination(r, keys, nb_keys,
							  &e->pattern, why,
							  sizeof(why));
				if (ret == -ENOMEM)
					goto err_nomem;
				if (ret)
					goto err_rule;
			} else {
				e->pattern = strdup((const char *)m->data);
				if (e->pattern == NULL)
					goto err_nomem;
				if (m->ext.flags) {
					e->has_ext = 1;
					e->ext.flags = m->ext.flags;
					e->ext.min_offset = m->ext.min_offset;
					e->ext.max_offset = m->ext.max_offset;
					e->ext.min_length = m->ext.min_length;
					e->ext.edit_distance =
						m->ext.edit_distance;
					e->ext.hamming_distance =
						m->ext.hamming_distance;
				}
			}
			map->count[i] = 1;
			continue;
		}
		ret = ctl_hsexpr_rule_make(r, 0, &x, why, sizeof(why));
		if (ret == -ENOMEM)
			goto err_nomem;
		if (ret)
			goto err_rule;
		if (x.n == 0) {
			ctl_hsexpr_rule_free(&x);
			continue;
		}
		if (x.n == 1 && !x.needs_eod) {
			e = map_push(map);
			if (e == NULL) {
				ctl_hsexpr_rule_free(&x);
				goto err_nomem;
			}
			*e = x.e[0];
			x.e[0].pattern = NULL;
			e->flags |= HS_FLAG_SINGLEMATCH;
			e->id = (unsigned int)i;
			e->rule = (uint32_t)i;
			map->count[i] = 1;
			ctl_hsexpr_rule_free(&x);
			continue;
		}
		if (next_id + x.n > UINT32_MAX) {
			ctl_hsexpr_rule_free(&x);
			bw_why_set(err, err_len,
				   "too many expressions for hyperscan ids");
			ret = -E2BIG;
			goto err_free;
		}
		for (k = 0; k < x.n; k++) {
			e = map_push(map);
			if (e == NULL) {
				ctl_hsexpr_rule_free(&x);
				goto err_nomem;
			}
			*e = x.e[k];
			x.e[k].pattern = NULL;
			e->flags |= HS_FLAG_QUIET;
			e->id = (unsigned int)next_id++;
			e->rule = (uint32_t)i;
			if (k > 0)
				ctl_hsstr_puts(&comb, " & ");
			ctl_hsstr_printf(&comb, "%s%u", x.negated[k] ? "!" : "",
					 e->id);
		}
		if (x.needs_eod) {
			ctl_hsstr_printf(&comb, " & %u", map->e[map->eod].id);
			map->needs_eod[i] = 1;
		}
		ctl_hsexpr_rule_free(&x);
		e = map_push(map);
		if (e == NULL || comb.err) {
			free(comb.s);
			goto err_nomem;
		}
		e->pattern = comb.s;
		e->flags = HS_FLAG_COMBINATION | HS_FLAG_SINGLEMATCH;
		e->id = (unsigned int)i;
		e->rule = (uint32_t)i;
		map->count[i] = (uint32_t)(map->nb_e - map->first[i]);
	}
	free(keys);
	return 0;

err_rule:
	bw_why_set(err, err_len, "%s:%u sid %u: %s", rs->rules[i].file,
		   rs->rules[i].line, rs->rules[i].sid, why);
	ret = -EINVAL;
	goto err_free;
err_nomem:
	bw_why_set(err, err_len, "out of memory");
	ret = -ENOMEM;
err_free:
	free(keys);
	ctl_hsmap_free(map);
	return ret;
}
