/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the Hyperscan pattern files of hsbench/hscollider
 * ("ID:/regex/flags{ext}"): parsed, checked with Hyperscan and added to a
 * rule set as pattern rules (ctl_hsmap_load_patterns()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_hsexpr.h"
#include "ctl_hsmap.h"

struct pline {
	uint32_t line;
	uint32_t id;
	int has_id;
	char *expr;
	unsigned int flags; /* HS_FLAG_* */
	struct ctl_rule_hsext ext;
	char why[CTL_RULE_WHY_LEN]; /* "" when good */
};

static int
pline_id_cmp(const void *a, const void *b)
{
	const struct pline *const *x = a, *const *y = b;

	if ((*x)->id != (*y)->id)
		return (*x)->id < (*y)->id ? -1 : 1;
	return (*x)->line < (*y)->line ? -1 : (*x)->line > (*y)->line;
}

/* {min_offset=N,...} at s (NUL-terminated, after the flags). */
static int
parse_ext(const char *s, struct ctl_rule_hsext *ext, char *why, size_t why_len)
{
	static const struct {
		const char *key;
		uint64_t flag;
	} keys[] = {
		{"min_offset", HS_EXT_FLAG_MIN_OFFSET},
		{"max_offset", HS_EXT_FLAG_MAX_OFFSET},
		{"min_length", HS_EXT_FLAG_MIN_LENGTH},
		{"edit_distance", HS_EXT_FLAG_EDIT_DISTANCE},
		{"hamming_distance", HS_EXT_FLAG_HAMMING_DISTANCE},
	};

	if (*s++ != '{')
		goto err_bad;
	for (;;) {
		unsigned long long v = 0;
		size_t k, kl;

		while (*s == ' ')
			s++;
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			kl = strlen(keys[k].key);
			if (strncmp(s, keys[k].key, kl) == 0 && s[kl] == '=')
				break;
		}
		if (k == sizeof(keys) / sizeof(keys[0]))
			goto err_bad;
		s += kl + 1;
		if (*s < '0' || *s > '9')
			goto err_bad;
		while (*s >= '0' && *s <= '9') {
			v = v * 10 + (unsigned long long)(*s++ - '0');
			if (v > UINT32_MAX)
				goto err_bad;
		}
		ext->flags |= keys[k].flag;
		switch (keys[k].flag) {
		case HS_EXT_FLAG_MIN_OFFSET:
			ext->min_offset = v;
			break;
		case HS_EXT_FLAG_MAX_OFFSET:
			ext->max_offset = v;
			break;
		case HS_EXT_FLAG_MIN_LENGTH:
			ext->min_length = v;
			break;
		case HS_EXT_FLAG_EDIT_DISTANCE:
			ext->edit_distance = (uint32_t)v;
			break;
		default:
			ext->hamming_distance = (uint32_t)v;
			break;
		}
		while (*s == ' ')
			s++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '}' && s[1] == '\0')
			return 0;
		goto err_bad;
	}
err_bad:
	bw_why_set(why, why_len, "invalid pattern: bad extended parameters");
	return -EINVAL;
}

/* The flags of a pattern (hsbench, hscollider) and what each sets. */
static const struct {
	char letter;
	unsigned int flag; /* HS_FLAG_*; 0: taken, no effect */
} pattern_flags[] = {
	{'i', HS_FLAG_CASELESS},
	{'s', HS_FLAG_DOTALL},
	{'m', HS_FLAG_MULTILINE},
	{'H', HS_FLAG_SINGLEMATCH},
	{'V', HS_FLAG_ALLOWEMPTY},
	{'8', HS_FLAG_UTF8},
	{'W', HS_FLAG_UCP},
	{'L', HS_FLAG_SOM_LEFTMOST},
	{'C', HS_FLAG_COMBINATION},
	{'Q', HS_FLAG_QUIET},
	{'O', 0}, /* hscollider's ordering check: nothing here */
};
#define NB_PATTERN_FLAGS (sizeof(pattern_flags) / sizeof(pattern_flags[0]))

/* One "ID:/regex/flags{ext}" line (trimmed, NUL-terminated) into p. */
static int
parse_pline(char *s, struct pline *p)
{
	unsigned long long id = 0;
	char *slash, *f;
	size_t k;

	if (*s < '0' || *s > '9') {
		bw_why_set(p->why, sizeof(p->why), "invalid pattern: no ID");
		return -EINVAL;
	}
	while (*s >= '0' && *s <= '9') {
		id = id * 10 + (unsigned long long)(*s++ - '0');
		if (id > UINT32_MAX) {
			bw_why_set(p->why, sizeof(p->why),
				   "invalid pattern: ID above %u", UINT32_MAX);
			return -EINVAL;
		}
	}
	p->id = (uint32_t)id;
	p->has_id = 1;
	if (*s++ != ':' || *s != '/') {
		bw_why_set(p->why, sizeof(p->why),
			   "invalid pattern: not ID:/regex/flags");
		return -EINVAL;
	}
	s++;
	slash = strrchr(s, '/');
	if (slash == NULL) {
		bw_why_set(p->why, sizeof(p->why),
			   "invalid pattern: no closing '/'");
		return -EINVAL;
	}
	*slash = '\0';
	for (f = slash + 1; *f != '\0' && *f != '{'; f++) {
		for (k = 0; k < NB_PATTERN_FLAGS; k++)
			if (pattern_flags[k].letter == *f)
				break;
		if (k < NB_PATTERN_FLAGS) {
			p->flags |= pattern_flags[k].flag;
			continue;
		}
		if (*f == 'P')
			bw_why_set(p->why, sizeof(p->why),
				   "prefilter flag P refused (it matches more "
				   "than the regex)");
		else
			bw_why_set(p->why, sizeof(p->why),
				   "unsupported pattern flag %c",
				   *f > 0x20 && *f < 0x7f ? *f : '?');
		return -EINVAL;
	}
	if (*f == '{' && parse_ext(f, &p->ext, p->why, sizeof(p->why)))
		return -EINVAL;
	if ((p->flags & HS_FLAG_COMBINATION) && p->ext.flags) {
		bw_why_set(p->why, sizeof(p->why),
			   "invalid pattern: combination with extended "
			   "parameters");
		return -EINVAL;
	}
	p->expr = strdup(s);
	if (p->expr == NULL)
		return -ENOMEM;
	return 0;
}

/* The first line with ID id in by_id (sorted by ID, then line), or NULL. */
static struct pline *
pline_find(struct pline **by_id, size_t nb, uint32_t id)
{
	size_t lo = 0, hi = nb;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (by_id[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < nb && by_id[lo]->id == id; lo++) {
		if (by_id[lo]->has_id)
			return by_id[lo];
	}
	return NULL;
}

/* The IDs a combination names: each must be a good, plain expression. */
static int
check_combination(struct pline *p, struct pline **by_id, size_t nb)
{
	const char *s = p->expr;
	int nb_ids = 0;

	while (*s != '\0') {
		unsigned long long v = 0;
		struct pline *f;

		if (strchr("&|!() \t", *s) != NULL) {
			s++;
			continue;
		}
		if (*s < '0' || *s > '9') {
			bw_why_set(p->why, sizeof(p->why),
				   "invalid pattern: bad combination");
			return -EINVAL;
		}
		while (*s >= '0' && *s <= '9') {
			if (v <= UINT32_MAX)
				v = v * 10 + (unsigned long long)(*s - '0');
			s++;
		}
		f = v > UINT32_MAX ? NULL : pline_find(by_id, nb, (uint32_t)v);
		if (f == NULL || f->why[0] != '\0' ||
		    (f->flags & HS_FLAG_COMBINATION)) {
			bw_why_set(p->why, sizeof(p->why),
				   "combination refers to ID %llu: %s", v,
				   f == NULL	       ? "not in the file"
				   : f->why[0] != '\0' ? "skipped"
						       : "a combination");
			return -EINVAL;
		}
		nb_ids++;
	}
	if (nb_ids == 0) {
		bw_why_set(p->why, sizeof(p->why),
			   "invalid pattern: empty combination");
		return -EINVAL;
	}
	return 0;
}

static int
pattern_rule(struct ctl_rules *rs, const char *file, struct pline *p,
	     enum ctl_rule_action action)
{
	struct ctl_rule r;
	char msg[48], why[CTL_RULE_WHY_LEN];
	int ret;

	memset(&r, 0, sizeof(r));
	r.sid = p->id;
	r.action = action;
	r.proto = CTL_RULE_PROTO_IP;
	r.flags = CTL_RULE_PATTERN;
	r.file = file;
	r.line = p->line;
	snprintf(msg, sizeof(msg), "pattern %u", p->id);
	r.msg = strdup(msg);
	r.classtype = strdup("");
	r.m = calloc(1, sizeof(*r.m));
	if (r.msg == NULL || r.classtype == NULL || r.m == NULL)
		goto err_nomem;
	if (ctl_rule_addr_parse("any", NULL, &r.src, why, sizeof(why)) ||
	    ctl_rule_addr_parse("any", NULL, &r.dst, why, sizeof(why)) ||
	    ctl_rule_ports_parse("any", NULL, &r.sport, why, sizeof(why)) ||
	    ctl_rule_ports_parse("any", NULL, &r.dport, why, sizeof(why)))
		goto err_nomem;
	r.nb_m = 1;
	r.m[0].kind = CTL_MATCH_HSEXPR;
	r.m[0].data = (uint8_t *)p->expr;
	r.m[0].len = (uint32_t)strlen(p->expr);
	r.m[0].pcre = p->flags;
	r.m[0].hs_id = p->id;
	r.m[0].ext = p->ext;
	p->expr = NULL;
	ret = ctl_rules_add(rs, &r);
	return ret;

err_nomem:
	ctl_rule_free(&r);
	return -ENOMEM;
}

int
ctl_hsmap_load_patterns_buf(struct ctl_rules *rs, const char *name,
			    const char *buf, size_t len,
			    enum ctl_rule_action action,
			    struct ctl_rules_stats *st)
{
	const char *file, *p = buf, *end = buf + len, *s, *e;
	struct pline *pl = NULL, **by_id = NULL;
	struct ctl_rules_stats local;
	size_t nb = 0, cap = 0, i;
	uint32_t lineno = 0;
	int ret = 0;

	file = ctl_rules_load_start(rs, name, &st, &local);
	if (file == NULL)
		return -ENOMEM;
	while (ctl_rules_next_line(&p, end, &s, &e)) {
		struct pline *cur;
		char *text;

		lineno++;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s &&
		       (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (s == e || *s == '#')
			continue;
		if (nb == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct pline *npl = realloc(pl, ncap * sizeof(*npl));

			if (npl == NULL)
				goto err_nomem;
			pl = npl;
			cap = ncap;
		}
		cur = &pl[nb++];
		memset(cur, 0, sizeof(*cur));
		cur->line = lineno;
		if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
			bw_why_set(cur->why, sizeof(cur->why),
				   "invalid pattern: NUL byte");
			continue;
		}
		text = strndup(s, (size_t)(e - s));
		if (text == NULL)
			goto err_nomem;
		ret = parse_pline(text, cur);
		free(text);
		if (ret == -ENOMEM)
			goto err_nomem;
		ret = 0;
		if (cur->why[0] == '\0' &&
		    !(cur->flags & HS_FLAG_COMBINATION)) {
			hs_expr_ext_t x;

			memset(&x, 0, sizeof(x));
			x.flags = cur->ext.flags;
			x.min_offset = cur->ext.min_offset;
			x.max_offset = cur->ext.max_offset;
			x.min_length = cur->ext.min_length;
			x.edit_distance = cur->ext.edit_distance;
			x.hamming_distance = cur->ext.hamming_distance;
			unsigned int width = 1;

			if (ctl_hsexpr_check(cur->expr, cur->flags,
					     cur->ext.flags ? &x : NULL,
					     "pattern rejected by hyperscan",
					     &width, cur->why,
					     sizeof(cur->why)) == 0 &&
			    width == 0 && !(cur->flags & HS_FLAG_ALLOWEMPTY))
				bw_why_set(cur->why, sizeof(cur->why),
					   "pattern matches the empty buffer "
					   "(flag V allows it)");
		}
	}
	/* duplicate IDs: the first line keeps it */
	by_id = calloc(nb ? nb : 1, sizeof(*by_id));
	if (by_id == NULL)
		goto err_nomem;
	for (i = 0; i < nb; i++)
		by_id[i] = &pl[i];
	qsort(by_id, nb, sizeof(*by_id), pline_id_cmp);
	for (i = 1; i < nb; i++) {
		if (by_id[i]->has_id && by_id[i - 1]->has_id &&
		    by_id[i]->id == by_id[i - 1]->id &&
		    by_id[i]->why[0] == '\0')
			bw_why_set(by_id[i]->why, sizeof(by_id[i]->why),
				   "duplicate ID (first at line %u)",
				   by_id[i - 1]->line);
	}
	for (i = 0; i < nb; i++) {
		if (pl[i].why[0] == '\0' && (pl[i].flags & HS_FLAG_COMBINATION))
			check_combination(&pl[i], by_id, nb);
	}
	for (i = 0; i < nb; i++) {
		st->rules++;
		if (pl[i].why[0] != '\0') {
			st->skipped++;
			if (ctl_rules_add_skip(rs, file, pl[i].line, pl[i].id,
					       pl[i].why))
				goto err_nomem;
			rs->skips[rs->nb_skips - 1].action = (int)action;
			continue;
		}
		if (pattern_rule(rs, file, &pl[i], action))
			goto err_nomem;
		st->taken++;
	}
	goto out;

err_nomem:
	ret = -ENOMEM;
out:
	for (i = 0; i < nb; i++)
		free(pl[i].expr);
	free(pl);
	free(by_id);
	return ret;
}

/* ctl_hsmap_load_patterns_buf() as a ctl_rules_load_fn: arg the action. */
static int
load_patterns_buf(struct ctl_rules *rs, const char *name, const char *buf,
		  size_t len, const void *arg, struct ctl_rules_stats *st)
{
	const enum ctl_rule_action *action = arg;

	return ctl_hsmap_load_patterns_buf(rs, name, buf, len, *action, st);
}

int
ctl_hsmap_load_patterns(struct ctl_rules *rs, const char *path,
			enum ctl_rule_action action, struct ctl_rules_stats *st)
{
	return ctl_rules_load_path(rs, path, load_patterns_buf, &action, st);
}
