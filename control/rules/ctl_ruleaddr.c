/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns address and port sets: expressions with lists, negation, ranges
 * and $VARS parsed into exact sets, matched and written back as text.
 *
 * Address and port sets are computed exactly: every expression becomes a
 * union of disjoint intervals per family (IPv4 in [0, 2^32), IPv6 in
 * [0, 2^128), ports in [0, 65536)) with union, difference and complement,
 * then the shorter of the set and its complement is written as prefixes
 * or ranges. So "[$HOME_NET,!10.1.0.0/16]" or "![1:1023,!53]" mean what
 * Suricata means: a list is the union of its plain items minus the union
 * of its '!' items (everything minus them when it has only '!' items).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_rulelex.h"
#include "ctl_rules.h"
#include "ctl_rulevars.h"

#define VAR_DEPTH_MAX  16   /* $A -> $B -> ... */
#define VAR_EXPAND_MAX 4096 /* $VARs expanded in one expression */
#define NEST_DEPTH_MAX 32   /* [[[...]]] and !!! */
#define PORT_MAX       65535u

/* ---------------------------------------------------------------------
 * Interval sets: exact set algebra over addresses and ports.
 */

typedef unsigned __int128 u128;

struct ivl {
	u128 lo;
	u128 hi; /* inclusive */
};

struct ivset {
	struct ivl *v;
	size_t n;
	size_t cap;
};

/* One interval set per family: addresses use two, ports one. */
struct gset {
	struct ivset f[2];
};

enum set_kind {
	SET_ADDR,
	SET_PORT,
};

static u128
dom_max(enum set_kind k, int f)
{
	if (k == SET_PORT)
		return PORT_MAX;
	if (f == 0)
		return 0xffffffffu;
	return ~(u128)0;
}

static int
nb_fam(enum set_kind k)
{
	return k == SET_ADDR ? 2 : 1;
}

static void
ivset_free(struct ivset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static void
gset_free(struct gset *g)
{
	ivset_free(&g->f[0]);
	ivset_free(&g->f[1]);
}

static int
ivset_add(struct ivset *s, u128 lo, u128 hi)
{
	struct ivl *v = CTL_ARRAY_PUSH(s->v, s->n, s->cap, 8);

	if (v == NULL)
		return -ENOMEM;
	*v = (struct ivl){lo, hi};
	return 0;
}

static int
ivl_cmp(const void *a, const void *b)
{
	const struct ivl *x = a, *y = b;

	return CTL_CMP(x->lo, y->lo) ?: CTL_CMP(x->hi, y->hi);
}

/* Sort and merge overlapping or adjacent intervals. */
static void
ivset_norm(struct ivset *s)
{
	size_t i, o = 0;

	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof(s->v[0]), ivl_cmp);
	for (i = 1; i < s->n; i++) {
		struct ivl *last = &s->v[o];

		/* adjacent: last->hi + 1 == lo, without overflowing */
		if (s->v[i].lo <= last->hi ||
		    (last->hi != ~(u128)0 && s->v[i].lo == last->hi + 1)) {
			if (s->v[i].hi > last->hi)
				last->hi = s->v[i].hi;
		} else {
			s->v[++o] = s->v[i];
		}
	}
	s->n = o + 1;
}

/* out = [0, max] minus s (s normalised); out must be empty. */
static int
ivset_complement(const struct ivset *s, u128 max, struct ivset *out)
{
	u128 next = 0;
	int at_end = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].lo > next && ivset_add(out, next, s->v[i].lo - 1))
			return -ENOMEM;
		if (s->v[i].hi >= max) {
			at_end = 1;
			break;
		}
		next = s->v[i].hi + 1;
	}
	if (!at_end && ivset_add(out, next, max))
		return -ENOMEM;
	return 0;
}

/* a = a minus b (both normalised). */
static int
ivset_subtract(struct ivset *a, const struct ivset *b, u128 max)
{
	struct ivset nb = {0}, out = {0};
	size_t i, j = 0;

	if (b->n == 0)
		return 0;
	if (ivset_complement(b, max, &nb))
		goto err_nomem;
	/* intersect a with the complement of b: two sorted sweeps */
	for (i = 0; i < a->n; i++) {
		while (j < nb.n && nb.v[j].hi < a->v[i].lo)
			j++;
		for (size_t k = j; k < nb.n && nb.v[k].lo <= a->v[i].hi; k++) {
			u128 lo = a->v[i].lo > nb.v[k].lo ? a->v[i].lo
							  : nb.v[k].lo;
			u128 hi = a->v[i].hi < nb.v[k].hi ? a->v[i].hi
							  : nb.v[k].hi;

			if (ivset_add(&out, lo, hi))
				goto err_nomem;
		}
	}
	ivset_free(&nb);
	ivset_free(a);
	*a = out;
	return 0;

err_nomem:
	ivset_free(&out);
	ivset_free(&nb);
	return -ENOMEM;
}

/* Append the intervals of src to dst (normalise dst afterwards). */
static int
ivset_append(struct ivset *dst, const struct ivset *src)
{
	if (src->n == 0)
		return 0;
	if (ctl_array_reserve(&dst->v, &dst->cap, dst->n, src->n,
			      sizeof(*dst->v), 8) < 0)
		return -ENOMEM;
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	return 0;
}

static int
gset_full(struct gset *g, enum set_kind k)
{
	int f;

	for (f = 0; f < nb_fam(k); f++) {
		g->f[f].n = 0;
		if (ivset_add(&g->f[f], 0, dom_max(k, f)))
			return -ENOMEM;
	}
	return 0;
}

static int
gset_complement(struct gset *g, enum set_kind k)
{
	int f;

	for (f = 0; f < nb_fam(k); f++) {
		struct ivset c = {0};

		if (ivset_complement(&g->f[f], dom_max(k, f), &c)) {
			ivset_free(&c);
			return -ENOMEM;
		}
		ivset_free(&g->f[f]);
		g->f[f] = c;
	}
	return 0;
}

/* ---------------------------------------------------------------------
 * Address and port expressions.
 */

struct xparse {
	enum set_kind kind;
	const struct ctl_rule_vars *vars;
	char *why;
	size_t why_len;
	int err;		 /* first error: -EINVAL or -ENOMEM */
	unsigned int expansions; /* $VARs expanded so far */
};

static int parse_item(struct xparse *x, const char **p, const char *end,
		      int depth, int vdepth, struct gset *out);

static int
x_fail(struct xparse *x, int err)
{
	if (x->err == 0)
		x->err = err;
	return x->err;
}

/* One address atom: CIDR, address, or "a-b" range; into out. */
static int
parse_addr_atom(struct xparse *x, const char *s, size_t n, struct gset *out)
{
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];
	struct ctl_prefix p, q;
	const char *dash = memchr(s, '-', n);
	int f;

	if (dash != NULL) {
		size_t a = (size_t)(dash - s);
		u128 lo = 0, hi = 0;
		unsigned int i, nb;

		if (ctl_prefix_parse(s, a, &p, NULL) ||
		    ctl_prefix_parse(dash + 1, n - a - 1, &q, NULL) ||
		    p.family != q.family ||
		    p.len != (p.family == CTL_PREFIX_V4 ? 32 : 128) ||
		    q.len != p.len) {
			ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len, "bad address range '%s'",
				   ex);
			return x_fail(x, -EINVAL);
		}
		nb = p.family == CTL_PREFIX_V4 ? 4 : 16;
		for (i = 0; i < nb; i++) {
			lo = lo << 8 | p.addr[i];
			hi = hi << 8 | q.addr[i];
		}
		if (lo > hi) {
			ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len,
				   "address range '%s' runs backwards", ex);
			return x_fail(x, -EINVAL);
		}
		f = p.family == CTL_PREFIX_V4 ? 0 : 1;
		if (ivset_add(&out->f[f], lo, hi))
			return x_fail(x, -ENOMEM);
		return 0;
	}
	if (ctl_prefix_parse_why(s, n, &p, NULL, x->why, x->why_len))
		return x_fail(x, -EINVAL);
	{
		unsigned int i, nb = p.family == CTL_PREFIX_V4 ? 4 : 16;
		unsigned int bits = nb * 8;
		u128 lo = 0, span;

		for (i = 0; i < nb; i++)
			lo = lo << 8 | p.addr[i];
		/* hosts below the prefix: 2^(bits - len) - 1 */
		span = bits - p.len >= 128 ? ~(u128)0
					   : (((u128)1 << (bits - p.len)) - 1);
		f = p.family == CTL_PREFIX_V4 ? 0 : 1;
		if (ivset_add(&out->f[f], lo, lo + span))
			return x_fail(x, -ENOMEM);
	}
	return 0;
}

/* One port atom: N, A:B, A:, :B. */
static int
parse_port_atom(struct xparse *x, const char *s, size_t n, struct gset *out)
{
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];
	const char *colon = memchr(s, ':', n);
	long lo, hi;

	if (colon == NULL) {
		if (ctl_rulelex_long(s, n, 0, PORT_MAX, &lo))
			goto err_bad;
		hi = lo;
	} else {
		size_t a = (size_t)(colon - s), b = n - a - 1;

		if (a == 0 && b == 0)
			goto err_bad;
		lo = 0;
		hi = PORT_MAX;
		if (a > 0 && ctl_rulelex_long(s, a, 0, PORT_MAX, &lo))
			goto err_bad;
		if (b > 0 && ctl_rulelex_long(colon + 1, b, 0, PORT_MAX, &hi))
			goto err_bad;
		if (lo > hi) {
			ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len,
				   "port range '%s' runs backwards", ex);
			return x_fail(x, -EINVAL);
		}
	}
	if (ivset_add(&out->f[0], (u128)lo, (u128)hi))
		return x_fail(x, -ENOMEM);
	return 0;

err_bad:
	ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
	bw_why_set(x->why, x->why_len, "bad port '%s'", ex);
	return x_fail(x, -EINVAL);
}

static void
skip_blanks(const char **p, const char *end)
{
	while (*p < end && is_space(**p))
		(*p)++;
}

/* [item, item, !item, ...] after the '['; *p ends after the ']'. */
static int
parse_list(struct xparse *x, const char **p, const char *end, int depth,
	   int vdepth, struct gset *out)
{
	struct gset pos = {0}, neg = {0}, item = {0};
	int f, nb_pos = 0, nb_items = 0;

	for (;;) {
		int negated = 0;

		skip_blanks(p, end);
		if (*p < end && **p == ']' && nb_items == 0) {
			bw_why_set(x->why, x->why_len, "empty list '[]'");
			x_fail(x, -EINVAL);
			goto out;
		}
		if (*p < end && **p == '!') {
			negated = 1;
			(*p)++;
		}
		if (parse_item(x, p, end, depth + 1, vdepth, &item))
			goto out;
		nb_items++;
		/* gather now, normalise once: lists of thousands stay fast */
		for (f = 0; f < nb_fam(x->kind); f++) {
			if (ivset_append(negated ? &neg.f[f] : &pos.f[f],
					 &item.f[f])) {
				x_fail(x, -ENOMEM);
				goto out;
			}
		}
		gset_free(&item);
		nb_pos += !negated;
		skip_blanks(p, end);
		if (*p < end && **p == ',') {
			(*p)++;
			continue;
		}
		if (*p < end && **p == ']') {
			(*p)++;
			break;
		}
		bw_why_set(x->why, x->why_len, "missing ']' in list");
		x_fail(x, -EINVAL);
		goto out;
	}
	if (nb_pos == 0 && gset_full(&pos, x->kind)) {
		x_fail(x, -ENOMEM);
		goto out;
	}
	for (f = 0; f < nb_fam(x->kind); f++) {
		ivset_norm(&pos.f[f]);
		ivset_norm(&neg.f[f]);
		if (ivset_subtract(&pos.f[f], &neg.f[f], dom_max(x->kind, f))) {
			x_fail(x, -ENOMEM);
			goto out;
		}
	}
	gset_free(out);
	*out = pos;
	memset(&pos, 0, sizeof(pos));
out:
	gset_free(&item);
	gset_free(&neg);
	gset_free(&pos);
	return x->err;
}

/* A whole expression (a variable's value) into out. */
static int
parse_expr(struct xparse *x, const char *s, int depth, int vdepth,
	   struct gset *out)
{
	const char *p = s, *end = s + strlen(s);
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];
	int f;

	if (parse_item(x, &p, end, depth, vdepth, out))
		return x->err;
	skip_blanks(&p, end);
	if (p != end) {
		ctl_rulelex_excerpt(ex, sizeof(ex), p, (size_t)(end - p));
		bw_why_set(x->why, x->why_len, "unexpected '%s'", ex);
		return x_fail(x, -EINVAL);
	}
	for (f = 0; f < nb_fam(x->kind); f++)
		ivset_norm(&out->f[f]);
	return 0;
}

/*
 * One item at *p: !item, [list], $VAR, any, or an atom (ends at ',', ']'
 * or a blank). out is empty on entry; *p is moved past the item.
 */
static int
parse_item(struct xparse *x, const char **p, const char *end, int depth,
	   int vdepth, struct gset *out)
{
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];
	const char *s;
	size_t n;

	if (depth > NEST_DEPTH_MAX) {
		bw_why_set(x->why, x->why_len, "nested deeper than %d",
			   NEST_DEPTH_MAX);
		return x_fail(x, -EINVAL);
	}
	skip_blanks(p, end);
	if (*p >= end) {
		bw_why_set(x->why, x->why_len, "empty %s",
			   x->kind == SET_ADDR ? "address" : "port");
		return x_fail(x, -EINVAL);
	}
	if (**p == '!') {
		(*p)++;
		if (parse_item(x, p, end, depth + 1, vdepth, out))
			return x->err;
		for (int f = 0; f < nb_fam(x->kind); f++)
			ivset_norm(&out->f[f]);
		if (gset_complement(out, x->kind))
			return x_fail(x, -ENOMEM);
		return 0;
	}
	if (**p == '[') {
		(*p)++;
		return parse_list(x, p, end, depth, vdepth, out);
	}
	s = *p;
	while (*p < end && **p != ',' && **p != ']' && **p != '[' &&
	       !is_space(**p))
		(*p)++;
	n = (size_t)(*p - s);
	if (n == 0) {
		ctl_rulelex_excerpt(ex, sizeof(ex), s, (size_t)(end - s));
		bw_why_set(x->why, x->why_len, "unexpected '%s'", ex);
		return x_fail(x, -EINVAL);
	}
	if (s[0] == '$') {
		const char *value;

		if (!ctl_rulevars_name_ok(s + 1, n - 1)) {
			ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len, "bad variable name '%s'",
				   ex);
			return x_fail(x, -EINVAL);
		}
		value = ctl_rulevars_lookup(x->vars, s + 1, n - 1);
		if (value == NULL) {
			ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len, "unknown variable %s",
				   ex);
			return x_fail(x, -EINVAL);
		}
		if (++x->expansions > VAR_EXPAND_MAX) {
			bw_why_set(x->why, x->why_len,
				   "more than %d variables expanded",
				   VAR_EXPAND_MAX);
			return x_fail(x, -EINVAL);
		}
		if (vdepth >= VAR_DEPTH_MAX) {
			ctl_rulelex_excerpt(ex, sizeof(ex), s, n);
			bw_why_set(
				x->why, x->why_len,
				"variable %s nests deeper than %d (a cycle?)",
				ex, VAR_DEPTH_MAX);
			return x_fail(x, -EINVAL);
		}
		return parse_expr(x, value, depth + 1, vdepth + 1, out);
	}
	if (token_is(s, n, "any"))
		return gset_full(out, x->kind) ? x_fail(x, -ENOMEM) : 0;
	if (x->kind == SET_ADDR)
		return parse_addr_atom(x, s, n, out);
	return parse_port_atom(x, s, n, out);
}

/*
 * Cover [lo, hi] of a bits-wide space with the fewest prefixes, largest
 * first; emit (may be NULL) gets each. Returns how many; *err is set to
 * -ENOMEM when emit failed.
 */
static size_t
ivl_prefixes(u128 lo, u128 hi, unsigned int bits,
	     int (*emit)(void *arg, u128 lo, unsigned int len), void *arg,
	     int *err)
{
	u128 max = bits == 128 ? ~(u128)0 : (((u128)1 << bits) - 1);
	size_t count = 0;

	for (;;) {
		unsigned int k = 0;
		u128 last;

		/* the largest block of 2^k addresses aligned at lo in [lo, hi] */
		while (k < bits && ((lo >> k) & 1) == 0) {
			if (k + 1 >= 128) {
				if (lo == 0 && hi == max)
					k = 128;
				break;
			}
			if (lo + (((u128)1 << (k + 1)) - 1) > hi)
				break;
			k++;
		}
		count++;
		if (emit != NULL && emit(arg, lo, bits - k))
			*err = -ENOMEM;
		if (k >= bits)
			break;
		last = lo + (((u128)1 << k) - 1);
		if (last >= hi)
			break;
		lo = last + 1;
	}
	return count;
}

struct emit_ctx {
	struct ctl_prefix_set *set;
	int family;
};

static int
emit_prefix(void *arg, u128 lo, unsigned int len)
{
	struct emit_ctx *e = arg;
	struct ctl_prefix p;
	int i, nb = e->family == CTL_PREFIX_V4 ? 4 : 16;

	memset(&p, 0, sizeof(p));
	p.family = (uint8_t)e->family;
	p.len = (uint8_t)len;
	for (i = nb - 1; i >= 0; i--) {
		p.addr[i] = (uint8_t)(lo & 0xff);
		lo >>= 8;
	}
	return ctl_prefix_set_add(e->set, &p);
}

static size_t
gset_count_prefixes(const struct gset *g)
{
	size_t i, count = 0;
	int f, err = 0;

	for (f = 0; f < 2; f++) {
		for (i = 0; i < g->f[f].n; i++)
			count += ivl_prefixes(g->f[f].v[i].lo, g->f[f].v[i].hi,
					      f == 0 ? 32 : 128, NULL, NULL,
					      &err);
	}
	return count;
}

static int
gset_to_prefixes(const struct gset *g, struct ctl_prefix_set *out)
{
	size_t i;
	int f, err = 0;

	for (f = 0; f < 2; f++) {
		struct emit_ctx e = {out,
				     f == 0 ? CTL_PREFIX_V4 : CTL_PREFIX_V6};

		for (i = 0; i < g->f[f].n; i++)
			ivl_prefixes(g->f[f].v[i].lo, g->f[f].v[i].hi,
				     f == 0 ? 32 : 128, emit_prefix, &e, &err);
	}
	return err;
}

void
ctl_rule_addr_free(struct ctl_rule_addr *a)
{
	ctl_prefix_set_free(&a->pfx);
	a->negated = 0;
}

void
ctl_rule_ports_free(struct ctl_rule_ports *p)
{
	free(p->r);
	memset(p, 0, sizeof(*p));
}

int
ctl_rule_addr_parse(const char *s, const struct ctl_rule_vars *vars,
		    struct ctl_rule_addr *out, char *why, size_t why_len)
{
	struct xparse x = {SET_ADDR, vars, why, why_len, 0, 0};
	struct gset g = {0}, c = {0};
	size_t n_pos, n_neg;
	int ret, f;

	ctl_rule_addr_free(out);
	ret = parse_expr(&x, s, 0, 0, &g);
	if (ret)
		goto out;
	if (g.f[0].n == 0 && g.f[1].n == 0) {
		bw_why_set(why, why_len, "address set '%s' matches nothing", s);
		ret = -EINVAL;
		goto out;
	}
	for (f = 0; f < 2; f++) {
		if (ivset_complement(&g.f[f], dom_max(SET_ADDR, f), &c.f[f])) {
			ret = -ENOMEM;
			goto out;
		}
	}
	n_pos = gset_count_prefixes(&g);
	n_neg = gset_count_prefixes(&c);
	out->negated = n_neg < n_pos;
	ret = gset_to_prefixes(out->negated ? &c : &g, &out->pfx);
	if (ret)
		ctl_rule_addr_free(out);
out:
	gset_free(&c);
	gset_free(&g);
	return ret;
}

static int
ports_from(const struct ivset *s, struct ctl_rule_ports *out)
{
	size_t i;

	if (s->n == 0)
		return 0;
	out->r = calloc(s->n, sizeof(*out->r));
	if (out->r == NULL)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		out->r[i].lo = (uint16_t)s->v[i].lo;
		out->r[i].hi = (uint16_t)s->v[i].hi;
	}
	out->n = s->n;
	return 0;
}

int
ctl_rule_ports_parse(const char *s, const struct ctl_rule_vars *vars,
		     struct ctl_rule_ports *out, char *why, size_t why_len)
{
	struct xparse x = {SET_PORT, vars, why, why_len, 0, 0};
	struct gset g = {0};
	struct ivset c = {0};
	int ret;

	ctl_rule_ports_free(out);
	ret = parse_expr(&x, s, 0, 0, &g);
	if (ret)
		goto out;
	if (g.f[0].n == 0) {
		bw_why_set(why, why_len, "port set '%s' matches nothing", s);
		ret = -EINVAL;
		goto out;
	}
	if (ivset_complement(&g.f[0], PORT_MAX, &c)) {
		ret = -ENOMEM;
		goto out;
	}
	out->negated = c.n < g.f[0].n;
	ret = ports_from(out->negated ? &c : &g.f[0], out);
out:
	ivset_free(&c);
	gset_free(&g);
	return ret;
}

int
ctl_rule_addr_match(const struct ctl_rule_addr *a, int family,
		    const uint8_t *addr)
{
	size_t i;

	for (i = 0; i < a->pfx.n; i++) {
		if (ctl_prefix_contains(&a->pfx.v[i], family, addr))
			return !a->negated;
	}
	return a->negated;
}

int
ctl_rule_ports_match(const struct ctl_rule_ports *p, uint16_t port)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		if (port >= p->r[i].lo && port <= p->r[i].hi)
			return !p->negated;
	}
	return p->negated;
}

/* Append text to buf at *o; -ENOSPC (and "..." at the end) when full. */
static int
buf_put(char *buf, size_t len, size_t *o, const char *text)
{
	size_t n = strlen(text);

	if (*o + n + 1 > len) {
		if (len >= 4) {
			size_t at = *o + 4 <= len ? *o : len - 4;

			memcpy(buf + at, "...", 4);
		} else if (len > 0) {
			buf[0] = '\0';
		}
		return -ENOSPC;
	}
	memcpy(buf + *o, text, n + 1);
	*o += n;
	return 0;
}

int
ctl_rule_addr_format(const struct ctl_rule_addr *a, char *buf, size_t len)
{
	char p[CTL_PREFIX_STR_LEN];
	size_t i, o = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (a->negated && a->pfx.n == 0)
		return buf_put(buf, len, &o, "any");
	if (a->negated && buf_put(buf, len, &o, "!"))
		return -ENOSPC;
	if (a->pfx.n > 1 && buf_put(buf, len, &o, "["))
		return -ENOSPC;
	for (i = 0; i < a->pfx.n; i++) {
		if (ctl_prefix_format(&a->pfx.v[i], p, sizeof(p)))
			return -ENOSPC;
		if ((i > 0 && buf_put(buf, len, &o, ",")) ||
		    buf_put(buf, len, &o, p))
			return -ENOSPC;
	}
	if (a->pfx.n > 1 && buf_put(buf, len, &o, "]"))
		return -ENOSPC;
	return 0;
}

int
ctl_rule_ports_format(const struct ctl_rule_ports *p, char *buf, size_t len)
{
	char r[16];
	size_t i, o = 0;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (p->negated && p->n == 0)
		return buf_put(buf, len, &o, "any");
	if (p->negated && buf_put(buf, len, &o, "!"))
		return -ENOSPC;
	if (p->n > 1 && buf_put(buf, len, &o, "["))
		return -ENOSPC;
	for (i = 0; i < p->n; i++) {
		if (p->r[i].lo == p->r[i].hi)
			snprintf(r, sizeof(r), "%u", p->r[i].lo);
		else
			snprintf(r, sizeof(r), "%u:%u", p->r[i].lo, p->r[i].hi);
		if ((i > 0 && buf_put(buf, len, &o, ",")) ||
		    buf_put(buf, len, &o, r))
			return -ENOSPC;
	}
	if (p->n > 1 && buf_put(buf, len, &o, "]"))
		return -ENOSPC;
	return 0;
}
