/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Suricata/Snort rule parser for bulwarkctl: rule files into the rule
 * model of ctl_rules.h, address and port expressions, rule variables.
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
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bw_util.h"
#include "ctl_rules.h"

#define VAR_DEPTH_MAX  16   /* $A -> $B -> ... */
#define VAR_EXPAND_MAX 4096 /* $VARs expanded in one expression */
#define NEST_DEPTH_MAX 32   /* [[[...]]] and !!! */
#define VAR_NAME_MAX   63
#define VARS_LINE_MAX  4096
#define EXCERPT_LEN    48
#define RULES_FILE_MAX ((size_t)1 << 30) /* bytes in one rule file */
#define PORT_MAX       65535u
#define NUM_MAX	       65535 /* offset, depth, within, isdataat */

/* Built-in variables, used for any name the caller's vars lack. */
static const struct {
	const char *name;
	const char *value;
} default_vars[] = {
	{"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7]"},
	{"EXTERNAL_NET", "!$HOME_NET"},
	{"HTTP_SERVERS", "$HOME_NET"},
	{"SMTP_SERVERS", "$HOME_NET"},
	{"SQL_SERVERS", "$HOME_NET"},
	{"DNS_SERVERS", "$HOME_NET"},
	{"TELNET_SERVERS", "$HOME_NET"},
	{"AIM_SERVERS", "$EXTERNAL_NET"},
	{"DC_SERVERS", "$HOME_NET"},
	{"DNP3_SERVER", "$HOME_NET"},
	{"DNP3_CLIENT", "$HOME_NET"},
	{"MODBUS_CLIENT", "$HOME_NET"},
	{"MODBUS_SERVER", "$HOME_NET"},
	{"ENIP_CLIENT", "$HOME_NET"},
	{"ENIP_SERVER", "$HOME_NET"},
	{"HTTP_PORTS", "80"},
	{"SHELLCODE_PORTS", "!80"},
	{"ORACLE_PORTS", "1521"},
	{"SSH_PORTS", "22"},
	{"DNP3_PORTS", "20000"},
	{"MODBUS_PORTS", "502"},
	{"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
	{"FTP_PORTS", "21"},
	{"GENEVE_PORTS", "6081"},
	{"VXLAN_PORTS", "4789"},
	{"TEREDO_PORTS", "3544"},
};

#define NB_DEFAULT_VARS (sizeof(default_vars) / sizeof(default_vars[0]))

/* ctl_prefix_excerpt() of at most EXCERPT_LEN characters. */
static void
excerpt(char *buf, size_t len, const char *s, size_t n)
{
	ctl_prefix_excerpt(buf, len < EXCERPT_LEN + 1 ? len : EXCERPT_LEN + 1,
			   s, n);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_';
}

/* Trim [*s, *s + *n) of blanks on both sides. */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_space((*s)[*n - 1]))
		(*n)--;
}

static int
token_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(s, word, n) == 0;
}

/*
 * Decimal integer in [lo, hi] from the n bytes at s (blanks around it
 * allowed, a leading '-' only when lo < 0). Returns 0 or -EINVAL.
 */
static int
parse_long(const char *s, size_t n, long lo, long hi, long *out)
{
	long v = 0;
	int neg = 0;
	size_t i;

	trim(&s, &n);
	if (n > 0 && s[0] == '-' && lo < 0) {
		neg = 1;
		s++;
		n--;
	} else if (n > 0 && s[0] == '+') {
		s++;
		n--;
	}
	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -EINVAL;
		if (v > (LONG_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (neg)
		v = -v;
	if (v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

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
	s->v = NULL;
	s->n = 0;
	s->cap = 0;
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
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct ivl *v = realloc(s->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].lo = lo;
	s->v[s->n].hi = hi;
	s->n++;
	return 0;
}

static int
ivl_cmp(const void *a, const void *b)
{
	const struct ivl *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	return 0;
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
	size_t i;

	for (i = 0; i < src->n; i++) {
		if (ivset_add(dst, src->v[i].lo, src->v[i].hi))
			return -ENOMEM;
	}
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
 * Variables.
 */

static int
var_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > VAR_NAME_MAX || is_digit(s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_word(s[i]))
			return 0;
	}
	return 1;
}

static const char *
var_lookup(const struct ctl_rule_vars *vars, const char *name, size_t n)
{
	size_t i;

	if (vars != NULL) {
		for (i = 0; i < vars->n; i++) {
			if (token_is(name, n, vars->v[i].name))
				return vars->v[i].value;
		}
	}
	for (i = 0; i < NB_DEFAULT_VARS; i++) {
		if (token_is(name, n, default_vars[i].name))
			return default_vars[i].value;
	}
	return NULL;
}

/* The value set in vars itself (no default), or NULL. */
static const char *
vars_find(const struct ctl_rule_vars *vars, const char *name)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		if (strcmp(vars->v[i].name, name) == 0)
			return vars->v[i].value;
	}
	return NULL;
}

const char *
ctl_rule_vars_get(const struct ctl_rule_vars *vars, const char *name)
{
	if (name[0] == '$')
		name++;
	return var_lookup(vars, name, strlen(name));
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
	char ex[EXCERPT_LEN + 8];
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
			excerpt(ex, sizeof(ex), s, n);
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
			excerpt(ex, sizeof(ex), s, n);
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
	char ex[EXCERPT_LEN + 8];
	const char *colon = memchr(s, ':', n);
	long lo, hi;

	if (colon == NULL) {
		if (parse_long(s, n, 0, PORT_MAX, &lo))
			goto err_bad;
		hi = lo;
	} else {
		size_t a = (size_t)(colon - s), b = n - a - 1;

		if (a == 0 && b == 0)
			goto err_bad;
		lo = 0;
		hi = PORT_MAX;
		if (a > 0 && parse_long(s, a, 0, PORT_MAX, &lo))
			goto err_bad;
		if (b > 0 && parse_long(colon + 1, b, 0, PORT_MAX, &hi))
			goto err_bad;
		if (lo > hi) {
			excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len,
				   "port range '%s' runs backwards", ex);
			return x_fail(x, -EINVAL);
		}
	}
	if (ivset_add(&out->f[0], (u128)lo, (u128)hi))
		return x_fail(x, -ENOMEM);
	return 0;

err_bad:
	excerpt(ex, sizeof(ex), s, n);
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
	char ex[EXCERPT_LEN + 8];
	int f;

	if (parse_item(x, &p, end, depth, vdepth, out))
		return x->err;
	skip_blanks(&p, end);
	if (p != end) {
		excerpt(ex, sizeof(ex), p, (size_t)(end - p));
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
	char ex[EXCERPT_LEN + 8];
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
		excerpt(ex, sizeof(ex), s, (size_t)(end - s));
		bw_why_set(x->why, x->why_len, "unexpected '%s'", ex);
		return x_fail(x, -EINVAL);
	}
	if (s[0] == '$') {
		const char *value;

		if (!var_name_ok(s + 1, n - 1)) {
			excerpt(ex, sizeof(ex), s, n);
			bw_why_set(x->why, x->why_len, "bad variable name '%s'",
				   ex);
			return x_fail(x, -EINVAL);
		}
		value = var_lookup(x->vars, s + 1, n - 1);
		if (value == NULL) {
			excerpt(ex, sizeof(ex), s, n);
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
			excerpt(ex, sizeof(ex), s, n);
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
	p->r = NULL;
	p->n = 0;
	p->negated = 0;
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

/* ---------------------------------------------------------------------
 * Variables: set, defaults, file.
 */

/* 0 when value parses as an address or a port expression with vars. */
static int
var_value_check(const struct ctl_rule_vars *vars, const char *value, char *why,
		size_t why_len)
{
	char awhy[CTL_RULE_WHY_LEN], pwhy[CTL_RULE_WHY_LEN];
	struct ctl_rule_addr a = {0};
	struct ctl_rule_ports p = {0};
	int ra, rp;

	ra = ctl_rule_addr_parse(value, vars, &a, awhy, sizeof(awhy));
	ctl_rule_addr_free(&a);
	if (ra == 0)
		return 0;
	rp = ctl_rule_ports_parse(value, vars, &p, pwhy, sizeof(pwhy));
	ctl_rule_ports_free(&p);
	if (rp == 0)
		return 0;
	if (ra == -ENOMEM || rp == -ENOMEM)
		return -ENOMEM;
	/* name the reason of the reading that got further */
	bw_why_set(why, why_len, "neither addresses (%s) nor ports (%s)", awhy,
		   pwhy);
	return -EINVAL;
}

/* Set without checking the value; name validated by the caller. */
static int
vars_put(struct ctl_rule_vars *vars, const char *name, const char *value)
{
	char *v = strdup(value), *nm;
	size_t i;

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < vars->n; i++) {
		if (strcmp(vars->v[i].name, name) == 0) {
			free(vars->v[i].value);
			vars->v[i].value = v;
			return 0;
		}
	}
	if (vars->n == vars->cap) {
		size_t cap = vars->cap ? vars->cap * 2 : 32;
		struct ctl_rule_var *nv = realloc(vars->v, cap * sizeof(*nv));

		if (nv == NULL)
			goto err_free_value;
		vars->v = nv;
		vars->cap = cap;
	}
	nm = strdup(name);
	if (nm == NULL)
		goto err_free_value;
	vars->v[vars->n].name = nm;
	vars->v[vars->n].value = v;
	vars->n++;
	return 0;

err_free_value:
	free(v);
	return -ENOMEM;
}

int
ctl_rule_vars_defaults(struct ctl_rule_vars *vars)
{
	size_t i, n0 = vars->n;

	for (i = 0; i < NB_DEFAULT_VARS; i++) {
		if (vars_find(vars, default_vars[i].name) != NULL)
			continue;
		if (vars_put(vars, default_vars[i].name,
			     default_vars[i].value)) {
			while (vars->n > n0) {
				vars->n--;
				free(vars->v[vars->n].name);
				free(vars->v[vars->n].value);
			}
			return -ENOMEM;
		}
	}
	return 0;
}

/* Copy of vars (deep), for set-then-check-then-keep. */
static int
vars_copy(const struct ctl_rule_vars *src, struct ctl_rule_vars *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		if (vars_put(dst, src->v[i].name, src->v[i].value)) {
			ctl_rule_vars_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

int
ctl_rule_vars_set(struct ctl_rule_vars *vars, const char *name,
		  const char *value, char *why, size_t why_len)
{
	char ex[EXCERPT_LEN + 8];
	struct ctl_rule_vars next;
	int ret;

	if (name[0] == '$')
		name++;
	if (!var_name_ok(name, strlen(name))) {
		excerpt(ex, sizeof(ex), name, strlen(name));
		bw_why_set(why, why_len,
			   "bad variable name '%s' (1-%d of A-Z a-z 0-9 _, not "
			   "starting with a digit)",
			   ex, VAR_NAME_MAX);
		return -EINVAL;
	}
	if (vars_copy(vars, &next) || vars_put(&next, name, value)) {
		ctl_rule_vars_free(&next);
		return -ENOMEM;
	}
	ret = var_value_check(&next, value, why, why_len);
	if (ret) {
		ctl_rule_vars_free(&next);
		return ret;
	}
	ctl_rule_vars_free(vars);
	*vars = next;
	return 0;
}

void
ctl_rule_vars_free(struct ctl_rule_vars *vars)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	free(vars->v);
	memset(vars, 0, sizeof(*vars));
}

int
ctl_rules_read_file(const char *path, char **buf, size_t *len)
{
	void *b;
	int ret;

	ret = bw_file_read(path, RULES_FILE_MAX, sizeof(void *), 0, &b, len);
	if (ret == 0)
		*buf = b;
	return ret;
}

int
ctl_rule_vars_load_file(struct ctl_rule_vars *vars, const char *path,
			FILE *diag)
{
	char why[CTL_RULE_WHY_LEN], name[VAR_NAME_MAX + 2];
	struct ctl_rule_vars next;
	const char *p, *end;
	unsigned int lineno = 0;
	size_t len, i;
	char *buf, *value;
	int ret, bad = 0;

	if (diag == NULL)
		diag = stderr;
	ret = ctl_rules_read_file(path, &buf, &len);
	if (ret) {
		fprintf(diag, "%s: error: %s\n", path, strerror(-ret));
		return ret;
	}
	if (vars_copy(vars, &next)) {
		free(buf);
		return -ENOMEM;
	}
	for (p = buf, end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl != NULL ? nl : end, *k;
		size_t n, kn;

		p = nl != NULL ? nl + 1 : end;
		lineno++;
		n = (size_t)(e - s);
		trim(&s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		if (memchr(s, '\0', n) != NULL || n > VARS_LINE_MAX) {
			fprintf(diag, "%s:%u: error: %s\n", path, lineno,
				n > VARS_LINE_MAX ? "line too long"
						  : "NUL byte in line");
			bad = 1;
			continue;
		}
		k = s;
		while (n > 0 && !is_space(*s)) {
			s++;
			n--;
		}
		kn = (size_t)(s - k);
		trim(&s, &n);
		if (kn > 0 && k[0] == '$') {
			k++;
			kn--;
		}
		if (!var_name_ok(k, kn) || n == 0) {
			fprintf(diag, "%s:%u: error: %s\n", path, lineno,
				n == 0 ? "missing value"
				       : "bad variable name (1-63 of A-Z a-z "
					 "0-9 _, not starting with a digit)");
			bad = 1;
			continue;
		}
		memcpy(name, k, kn);
		name[kn] = '\0';
		value = strndup(s, n);
		if (value == NULL || vars_put(&next, name, value)) {
			free(value);
			goto err_nomem;
		}
		free(value);
	}
	/* check every value once all names are known */
	for (i = 0; i < next.n; i++) {
		ret = var_value_check(&next, next.v[i].value, why, sizeof(why));
		if (ret == -ENOMEM)
			goto err_nomem;
		if (ret) {
			fprintf(diag, "%s: error: variable %s: %s\n", path,
				next.v[i].name, why);
			bad = 1;
		}
	}
	free(buf);
	if (bad) {
		ctl_rule_vars_free(&next);
		return -EINVAL;
	}
	ctl_rule_vars_free(vars);
	*vars = next;
	return 0;

err_nomem:
	free(buf);
	ctl_rule_vars_free(&next);
	return -ENOMEM;
}

/* ---------------------------------------------------------------------
 * The rule set.
 */

struct ctl_rules_sid {
	uint32_t sid; /* 0: free slot */
	uint32_t line;
	const char *file;
};

void
ctl_rules_init(struct ctl_rules *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void
match_free(struct ctl_rule_match *m)
{
	free(m->data);
	m->data = NULL;
}

void
ctl_rule_free(struct ctl_rule *r)
{
	uint32_t i;

	free(r->msg);
	free(r->classtype);
	ctl_rule_addr_free(&r->src);
	ctl_rule_addr_free(&r->dst);
	ctl_rule_ports_free(&r->sport);
	ctl_rule_ports_free(&r->dport);
	for (i = 0; i < r->nb_m; i++)
		match_free(&r->m[i]);
	free(r->m);
	memset(r, 0, sizeof(*r));
}

void
ctl_rules_free(struct ctl_rules *rs)
{
	size_t i;

	for (i = 0; i < rs->nb_rules; i++)
		ctl_rule_free(&rs->rules[i]);
	free(rs->rules);
	for (i = 0; i < rs->nb_skips; i++)
		free(rs->skips[i].reason);
	free(rs->skips);
	for (i = 0; i < rs->nb_files; i++)
		free(rs->files[i]);
	free(rs->files);
	free(rs->sids);
	memset(rs, 0, sizeof(*rs));
}

const char *
ctl_rules_intern(struct ctl_rules *rs, const char *name)
{
	size_t i;
	char *c;

	for (i = 0; i < rs->nb_files; i++) {
		if (strcmp(rs->files[i], name) == 0)
			return rs->files[i];
	}
	if (rs->nb_files == rs->cap_files) {
		size_t cap = rs->cap_files ? rs->cap_files * 2 : 8;
		char **f = realloc(rs->files, cap * sizeof(*f));

		if (f == NULL)
			return NULL;
		rs->files = f;
		rs->cap_files = cap;
	}
	c = strdup(name);
	if (c == NULL)
		return NULL;
	rs->files[rs->nb_files++] = c;
	return c;
}

static size_t
sid_slot(uint32_t sid, size_t cap)
{
	/* Fibonacci hashing; cap is a power of two */
	return (size_t)((sid * 2654435769u) & (cap - 1));
}

/* The first rule with sid, or NULL. */
static const struct ctl_rules_sid *
sid_find(const struct ctl_rules *rs, uint32_t sid)
{
	size_t i;

	if (rs->cap_sids == 0 || sid == 0)
		return NULL;
	for (i = sid_slot(sid, rs->cap_sids); rs->sids[i].sid != 0;
	     i = (i + 1) & (rs->cap_sids - 1)) {
		if (rs->sids[i].sid == sid)
			return &rs->sids[i];
	}
	return NULL;
}

static int
sid_insert(struct ctl_rules *rs, uint32_t sid, const char *file, uint32_t line)
{
	size_t i;

	if ((rs->nb_sids + 1) * 2 > rs->cap_sids) {
		size_t cap = rs->cap_sids ? rs->cap_sids * 2 : 1024;
		struct ctl_rules_sid *t = calloc(cap, sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		for (i = 0; i < rs->cap_sids; i++) {
			size_t j;

			if (rs->sids[i].sid == 0)
				continue;
			for (j = sid_slot(rs->sids[i].sid, cap); t[j].sid != 0;
			     j = (j + 1) & (cap - 1))
				;
			t[j] = rs->sids[i];
		}
		free(rs->sids);
		rs->sids = t;
		rs->cap_sids = cap;
	}
	for (i = sid_slot(sid, rs->cap_sids); rs->sids[i].sid != 0;
	     i = (i + 1) & (rs->cap_sids - 1))
		;
	rs->sids[i].sid = sid;
	rs->sids[i].file = file;
	rs->sids[i].line = line;
	rs->nb_sids++;
	return 0;
}

int
ctl_rules_add(struct ctl_rules *rs, struct ctl_rule *r)
{
	if (rs->nb_rules == rs->cap_rules) {
		size_t cap = rs->cap_rules ? rs->cap_rules * 2 : 256;
		struct ctl_rule *v = realloc(rs->rules, cap * sizeof(*v));

		if (v == NULL) {
			ctl_rule_free(r);
			return -ENOMEM;
		}
		rs->rules = v;
		rs->cap_rules = cap;
	}
	rs->rules[rs->nb_rules++] = *r;
	memset(r, 0, sizeof(*r));
	return 0;
}

int
ctl_rules_add_skip(struct ctl_rules *rs, const char *file, uint32_t line,
		   uint32_t sid, const char *reason)
{
	char *why;

	if (rs->nb_skips == rs->cap_skips) {
		size_t cap = rs->cap_skips ? rs->cap_skips * 2 : 256;
		struct ctl_rule_skip *v = realloc(rs->skips, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		rs->skips = v;
		rs->cap_skips = cap;
	}
	why = strdup(reason);
	if (why == NULL)
		return -ENOMEM;
	rs->skips[rs->nb_skips].file = file;
	rs->skips[rs->nb_skips].line = line;
	rs->skips[rs->nb_skips].sid = sid;
	rs->skips[rs->nb_skips].reason = why;
	rs->nb_skips++;
	return 0;
}

int
ctl_rule_skip_format(const struct ctl_rule_skip *s, char *buf, size_t len)
{
	if (s->sid != 0)
		return snprintf(buf, len, "%s:%u sid %u: %s", s->file, s->line,
				s->sid, s->reason);
	return snprintf(buf, len, "%s:%u: %s", s->file, s->line, s->reason);
}

/* Length of the part of a reason that is counted. */
static size_t
reason_key_len(const char *r)
{
	const char *a = strstr(r, ": "), *b = strstr(r, " (");
	size_t n = strlen(r);

	if (a != NULL && (size_t)(a - r) < n)
		n = (size_t)(a - r);
	if (b != NULL && (size_t)(b - r) < n)
		n = (size_t)(b - r);
	return n;
}

static int
tally_cmp(const void *a, const void *b)
{
	const struct ctl_rules_reason *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->reason, y->reason);
}

long
ctl_rules_tally(const struct ctl_rules *rs, const char *file,
		struct ctl_rules_reason **out)
{
	struct ctl_rules_reason *t = NULL;
	size_t i, j, n = 0;

	*out = NULL;
	for (i = 0; i < rs->nb_skips; i++) {
		const struct ctl_rule_skip *s = &rs->skips[i];
		size_t kl = reason_key_len(s->reason);

		if (file != NULL && strcmp(s->file, file) != 0)
			continue;
		for (j = 0; j < n; j++) {
			if (strlen(t[j].reason) == kl &&
			    memcmp(t[j].reason, s->reason, kl) == 0)
				break;
		}
		if (j == n) {
			struct ctl_rules_reason *nt =
				realloc(t, (n + 1) * sizeof(*t));

			if (nt == NULL)
				goto err_nomem;
			t = nt;
			t[n].reason = strndup(s->reason, kl);
			if (t[n].reason == NULL)
				goto err_nomem;
			t[n].count = 0;
			n++;
		}
		t[j].count++;
	}
	if (n > 0)
		qsort(t, n, sizeof(*t), tally_cmp);
	*out = t;
	return (long)n;

err_nomem:
	ctl_rules_reasons_free(t, n);
	return -ENOMEM;
}

void
ctl_rules_reasons_free(struct ctl_rules_reason *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].reason);
	free(t);
}

enum ctl_rule_scan
ctl_rule_scan(const struct ctl_rule *r)
{
	if (r->proto != CTL_RULE_PROTO_TCP || (r->flags & CTL_RULE_PACKET))
		return CTL_RULE_SCAN_PACKET;
	return CTL_RULE_SCAN_STREAM;
}

const char *
ctl_rule_action_name(enum ctl_rule_action a)
{
	switch (a) {
	case CTL_RULE_ALERT:
		return "alert";
	case CTL_RULE_DROP:
		return "drop";
	case CTL_RULE_PASS:
		return "pass";
	}
	return "?";
}

const char *
ctl_rule_proto_name(enum ctl_rule_proto p)
{
	switch (p) {
	case CTL_RULE_PROTO_IP:
		return "ip";
	case CTL_RULE_PROTO_TCP:
		return "tcp";
	case CTL_RULE_PROTO_UDP:
		return "udp";
	case CTL_RULE_PROTO_ICMP:
		return "icmp";
	}
	return "?";
}

/* ---------------------------------------------------------------------
 * One rule.
 */

/* The state of one rule being parsed. */
struct rparse {
	const struct ctl_rules_opts *o;
	struct ctl_rule r;
	char why[CTL_RULE_WHY_LEN];
	int err;	  /* 0, -EINVAL (skip) or -ENOMEM */
	int last_content; /* index in r.m of the last content, -1 */
	uint32_t seen;	  /* options seen once only (OPT_*) */
};

#define OPT_SID	      0x01
#define OPT_REV	      0x02
#define OPT_MSG	      0x04
#define OPT_CLASSTYPE 0x08
#define OPT_PRIORITY  0x10
#define OPT_DSIZE     0x20
#define OPT_FLOW      0x40

static int __attribute__((format(printf, 3, 4)))
rp_fail(struct rparse *rp, int err, const char *fmt, ...)
{
	va_list ap;

	if (rp->err != 0)
		return rp->err;
	rp->err = err;
	if (err == -ENOMEM)
		snprintf(rp->why, sizeof(rp->why), "out of memory");
	else {
		va_start(ap, fmt);
		vsnprintf(rp->why, sizeof(rp->why), fmt, ap);
		va_end(ap);
	}
	return err;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The body of a "..." value (blanks around the quotes allowed): *s and *n
 * are set to what lies between the quotes. An unescaped '"' inside is an
 * error. Returns 0 or -EINVAL.
 */
static int
unquote(const char **s, size_t *n)
{
	size_t i;

	trim(s, n);
	if (*n < 2 || (*s)[0] != '"' || (*s)[*n - 1] != '"')
		return -EINVAL;
	for (i = 1; i + 1 < *n; i++) {
		if ((*s)[i] == '\\') {
			i++;
			/* a '\' escaping the closing quote leaves none */
			if (i + 1 >= *n)
				return -EINVAL;
		} else if ((*s)[i] == '"') {
			return -EINVAL;
		}
	}
	(*s)++;
	*n -= 2;
	return 0;
}

/* msg/classtype text: \x -> x for any x. Returns a malloc'd string. */
static char *
unescape_text(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

/*
 * Content bytes of the n bytes at s (between the quotes): |hex| blocks,
 * escapes \" \\ \; \: only (as Suricata). Into a malloc'd buffer.
 */
static int
content_bytes(struct rparse *rp, const char *s, size_t n, uint8_t **out,
	      uint32_t *len)
{
	uint8_t *b = malloc(n + 1);
	size_t i, o = 0;
	int hex = 0, hi = -1;

	if (b == NULL)
		return rp_fail(rp, -ENOMEM, "%s", "");
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '|') {
			if (hex && hi >= 0) {
				rp_fail(rp, -EINVAL,
					"invalid content: odd number of hex "
					"digits");
				goto err_free;
			}
			hex = !hex;
			continue;
		}
		if (hex) {
			int v = hexval(c);

			if (c == ' ')
				continue;
			if (v < 0) {
				rp_fail(rp, -EINVAL,
					"invalid content: '%c' in a hex block",
					c >= 0x20 && c < 0x7f ? c : '?');
				goto err_free;
			}
			if (hi < 0) {
				hi = v;
			} else {
				b[o++] = (uint8_t)(hi << 4 | v);
				hi = -1;
			}
			continue;
		}
		if (c == '\\') {
			if (i + 1 >= n || strchr("\\\";:", s[i + 1]) == NULL) {
				rp_fail(rp, -EINVAL,
					"invalid content: bad escape '\\%c'",
					i + 1 < n && s[i + 1] >= 0x20 &&
							s[i + 1] < 0x7f
						? s[i + 1]
						: '?');
				goto err_free;
			}
			c = s[++i];
		}
		b[o++] = (uint8_t)c;
	}
	if (hex) {
		rp_fail(rp, -EINVAL, "invalid content: unterminated hex block");
		goto err_free;
	}
	if (o == 0) {
		rp_fail(rp, -EINVAL, "invalid content: empty");
		goto err_free;
	}
	if (o > CTL_RULE_CONTENT_MAX) {
		rp_fail(rp, -EINVAL, "invalid content: longer than %u bytes",
			CTL_RULE_CONTENT_MAX);
		goto err_free;
	}
	b[o] = '\0';
	*out = b;
	*len = (uint32_t)o;
	return 0;

err_free:
	free(b);
	return rp->err;
}

static struct ctl_rule_match *
match_new(struct rparse *rp, enum ctl_match_kind kind)
{
	struct ctl_rule_match *m;

	if (rp->r.nb_m >= CTL_RULE_MATCH_MAX) {
		rp_fail(rp, -EINVAL,
			"invalid rule: more than %d content/pcre/isdataat",
			CTL_RULE_MATCH_MAX);
		return NULL;
	}
	m = realloc(rp->r.m, (rp->r.nb_m + 1) * sizeof(*m));
	if (m == NULL) {
		rp_fail(rp, -ENOMEM, "%s", "");
		return NULL;
	}
	rp->r.m = m;
	m = &rp->r.m[rp->r.nb_m++];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	return m;
}

/* [!]"..." : split off the '!'. */
static int
negation(const char **s, size_t *n)
{
	trim(s, n);
	if (*n > 0 && **s == '!') {
		(*s)++;
		(*n)--;
		return 1;
	}
	return 0;
}

static int
opt_content(struct rparse *rp, const char *v, size_t n)
{
	struct ctl_rule_match *m;
	int neg = negation(&v, &n);
	uint8_t *bytes = NULL;
	uint32_t len = 0;

	if (unquote(&v, &n))
		return rp_fail(rp, -EINVAL,
			       "invalid content: not a quoted string");
	if (content_bytes(rp, v, n, &bytes, &len))
		return rp->err;
	m = match_new(rp, CTL_MATCH_CONTENT);
	if (m == NULL) {
		free(bytes);
		return rp->err;
	}
	m->data = bytes;
	m->len = len;
	m->flags = neg ? CTL_MATCH_NEGATED : 0;
	rp->last_content = (int)rp->r.nb_m - 1;
	return 0;
}

/* The content a modifier applies to, or NULL after an error. */
static struct ctl_rule_match *
last_content(struct rparse *rp, const char *kw)
{
	if (rp->last_content < 0) {
		rp_fail(rp, -EINVAL, "invalid rule: %s without a content", kw);
		return NULL;
	}
	return &rp->r.m[rp->last_content];
}

/*
 * depth, offset, distance, within, nocase, startswith, fast_pattern on
 * the last content, with Suricata's consistency checks.
 */
static int
opt_modifier(struct rparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m = last_content(rp, kw);
	uint32_t bit = 0;
	long val = 0;

	if (m == NULL)
		return rp->err;
	if (strcmp(kw, "fast_pattern") == 0)
		return 0; /* a prefilter hint: Hyperscan needs none */
	if (strcmp(kw, "nocase") == 0 || strcmp(kw, "startswith") == 0) {
		if (v != NULL)
			return rp_fail(rp, -EINVAL,
				       "invalid rule: %s takes no value", kw);
		if (kw[0] == 'n') {
			if (m->flags & CTL_MATCH_NOCASE)
				return rp_fail(rp, -EINVAL,
					       "invalid rule: nocase twice");
			m->flags |= CTL_MATCH_NOCASE;
			return 0;
		}
		/* startswith is offset:0; depth:len */
		if (m->flags & (CTL_MATCH_OFFSET | CTL_MATCH_DEPTH |
				CTL_MATCH_DISTANCE | CTL_MATCH_WITHIN))
			return rp_fail(rp, -EINVAL,
				       "invalid rule: startswith with "
				       "offset, depth, distance or within");
		m->flags |= CTL_MATCH_OFFSET | CTL_MATCH_DEPTH;
		m->offset = 0;
		m->depth = m->len;
		return 0;
	}
	if (v == NULL)
		return rp_fail(rp, -EINVAL, "invalid rule: %s needs a value",
			       kw);
	if (strcmp(kw, "distance") == 0) {
		if (parse_long(v, n, -NUM_MAX, NUM_MAX, &val))
			goto err_value;
		bit = CTL_MATCH_DISTANCE;
	} else {
		if (parse_long(v, n, 0, NUM_MAX, &val))
			goto err_value;
		bit = strcmp(kw, "depth") == 0	  ? CTL_MATCH_DEPTH
		      : strcmp(kw, "offset") == 0 ? CTL_MATCH_OFFSET
						  : CTL_MATCH_WITHIN;
	}
	if (m->flags & bit)
		return rp_fail(rp, -EINVAL, "invalid rule: %s twice", kw);
	m->flags |= bit;
	if ((m->flags & (CTL_MATCH_OFFSET | CTL_MATCH_DEPTH)) &&
	    (m->flags & (CTL_MATCH_DISTANCE | CTL_MATCH_WITHIN)))
		return rp_fail(rp, -EINVAL,
			       "invalid rule: content mixes depth/offset "
			       "with distance/within");
	switch (bit) {
	case CTL_MATCH_DEPTH:
		if ((uint32_t)val < m->len)
			return rp_fail(rp, -EINVAL,
				       "invalid rule: depth %ld is smaller "
				       "than the content (%u bytes)",
				       val, m->len);
		m->depth = (uint32_t)val;
		break;
	case CTL_MATCH_OFFSET:
		m->offset = (uint32_t)val;
		break;
	case CTL_MATCH_DISTANCE:
		m->distance = (int32_t)val;
		m->flags |= CTL_MATCH_RELATIVE;
		break;
	default:
		if ((uint32_t)val < m->len)
			return rp_fail(rp, -EINVAL,
				       "invalid rule: within %ld is smaller "
				       "than the content (%u bytes)",
				       val, m->len);
		m->within = (uint32_t)val;
		m->flags |= CTL_MATCH_RELATIVE;
		break;
	}
	return 0;

err_value : {
	char ex[EXCERPT_LEN + 8];

	excerpt(ex, sizeof(ex), v, n);
	return rp_fail(rp, -EINVAL, "invalid rule: bad %s '%s'", kw, ex);
}
}

static int
opt_pcre(struct rparse *rp, const char *v, size_t n)
{
	struct ctl_rule_match *m;
	int neg = negation(&v, &n);
	const char *slash;
	uint32_t pf = 0, mf = 0;
	size_t i, blen;

	if (unquote(&v, &n) || n < 2 || v[0] != '/')
		return rp_fail(rp, -EINVAL,
			       "invalid pcre: not a quoted /regex/flags");
	for (slash = v + n - 1; slash > v && *slash != '/'; slash--)
		;
	if (slash == v)
		return rp_fail(rp, -EINVAL, "invalid pcre: no closing '/'");
	blen = (size_t)(slash - v - 1);
	if (blen == 0)
		return rp_fail(rp, -EINVAL, "invalid pcre: empty regex");
	for (i = (size_t)(slash - v) + 1; i < n; i++) {
		switch (v[i]) {
		case 'i':
			pf |= CTL_PCRE_CASELESS;
			break;
		case 's':
			pf |= CTL_PCRE_DOTALL;
			break;
		case 'm':
			pf |= CTL_PCRE_MULTILINE;
			break;
		case 'x':
			pf |= CTL_PCRE_EXTENDED;
			break;
		case 'A':
			pf |= CTL_PCRE_ANCHORED;
			break;
		case 'R':
			mf |= CTL_MATCH_RELATIVE;
			break;
		case 'G': /* ungreedy: changes no yes/no answer */
		case 'O': /* Suricata's match-limit override: none here */
			break;
		default:
			if (v[i] >= 0x20 && v[i] < 0x7f)
				return rp_fail(rp, -EINVAL,
					       "unsupported pcre flag %c",
					       v[i]);
			return rp_fail(rp, -EINVAL,
				       "invalid pcre: bad flag byte");
		}
	}
	m = match_new(rp, CTL_MATCH_PCRE);
	if (m == NULL)
		return rp->err;
	m->data = malloc(blen + 1);
	if (m->data == NULL)
		return rp_fail(rp, -ENOMEM, "%s", "");
	memcpy(m->data, v + 1, blen);
	m->data[blen] = '\0';
	m->len = (uint32_t)blen;
	m->pcre = pf;
	m->flags = mf | (neg ? CTL_MATCH_NEGATED : 0);
	return 0;
}

static int
opt_isdataat(struct rparse *rp, const char *v, size_t n)
{
	struct ctl_rule_match *m;
	const char *comma;
	int neg = negation(&v, &n);
	uint32_t flags = neg ? CTL_MATCH_NEGATED : 0;
	size_t a;
	long val;

	comma = memchr(v, ',', n);
	a = comma != NULL ? (size_t)(comma - v) : n;
	if (parse_long(v, a, 0, NUM_MAX, &val))
		return rp_fail(rp, -EINVAL, "invalid rule: bad isdataat");
	while (comma != NULL) {
		const char *w = comma + 1, *next;
		size_t wn;

		next = memchr(w, ',', n - (size_t)(w - v));
		wn = next != NULL ? (size_t)(next - w) : n - (size_t)(w - v);
		trim(&w, &wn);
		if (token_is(w, wn, "relative"))
			flags |= CTL_MATCH_RELATIVE;
		else if (token_is(w, wn, "rawbytes"))
			return rp_fail(rp, -EINVAL,
				       "unsupported keyword isdataat "
				       "rawbytes");
		else
			return rp_fail(rp, -EINVAL,
				       "invalid rule: bad isdataat option");
		comma = next;
	}
	m = match_new(rp, CTL_MATCH_ISDATAAT);
	if (m == NULL)
		return rp->err;
	m->flags = flags;
	m->offset = (uint32_t)val;
	return 0;
}

/*
 * dsize: N, <N, >N, <=N, >=N, !N, A<>B (exclusive: A < len < B, as
 * Suricata), A-B (the same). Stored as an inclusive [min, max].
 */
static int
opt_dsize(struct rparse *rp, const char *v, size_t n)
{
	struct ctl_rule_dsize *d = &rp->r.dsize;
	const char *sep;
	long a, b;

	trim(&v, &n);
	if (rp->seen & OPT_DSIZE)
		return rp_fail(rp, -EINVAL, "invalid rule: dsize twice");
	rp->seen |= OPT_DSIZE;
	d->op = CTL_DSIZE_IN;
	if (n >= 2 && (v[0] == '<' || v[0] == '>') && v[1] == '=') {
		if (parse_long(v + 2, n - 2, 0, PORT_MAX, &a))
			goto err_bad;
		d->min = v[0] == '<' ? 0 : (uint32_t)a;
		d->max = v[0] == '<' ? (uint32_t)a : PORT_MAX;
	} else if (n >= 1 && (v[0] == '<' || v[0] == '>')) {
		if (parse_long(v + 1, n - 1, 0, PORT_MAX, &a))
			goto err_bad;
		if ((v[0] == '<' && a == 0) || (v[0] == '>' && a == PORT_MAX))
			goto err_never;
		d->min = v[0] == '<' ? 0 : (uint32_t)a + 1;
		d->max = v[0] == '<' ? (uint32_t)a - 1 : PORT_MAX;
	} else if (n >= 1 && v[0] == '!') {
		if (parse_long(v + 1, n - 1, 0, PORT_MAX, &a))
			goto err_bad;
		d->op = CTL_DSIZE_OUT;
		d->min = d->max = (uint32_t)a;
	} else if ((sep = strstr(v, "<>")) != NULL && sep < v + n) {
		if (parse_long(v, (size_t)(sep - v), 0, PORT_MAX, &a) ||
		    parse_long(sep + 2, n - (size_t)(sep - v) - 2, 0, PORT_MAX,
			       &b))
			goto err_bad;
		goto range;
	} else if ((sep = memchr(v + 1, '-', n > 1 ? n - 1 : 0)) != NULL) {
		if (parse_long(v, (size_t)(sep - v), 0, PORT_MAX, &a) ||
		    parse_long(sep + 1, n - (size_t)(sep - v) - 1, 0, PORT_MAX,
			       &b))
			goto err_bad;
		goto range;
	} else {
		if (parse_long(v, n, 0, PORT_MAX, &a))
			goto err_bad;
		d->min = d->max = (uint32_t)a;
	}
	return 0;

range:
	if (b <= a + 1)
		goto err_never;
	d->min = (uint32_t)a + 1;
	d->max = (uint32_t)b - 1;
	return 0;

err_never:
	return rp_fail(rp, -EINVAL, "invalid rule: dsize matches nothing");
err_bad : {
	char ex[EXCERPT_LEN + 8];

	excerpt(ex, sizeof(ex), v, n);
	return rp_fail(rp, -EINVAL, "invalid rule: bad dsize '%s'", ex);
}
}

static int
opt_flow(struct rparse *rp, const char *v, size_t n)
{
	const char *end = v + n;

	if (rp->seen & OPT_FLOW)
		return rp_fail(rp, -EINVAL, "invalid rule: flow twice");
	rp->seen |= OPT_FLOW;
	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *w = v;
		size_t wn = (size_t)((comma != NULL ? comma : end) - v);
		char ex[EXCERPT_LEN + 8];

		v = comma != NULL ? comma + 1 : end;
		trim(&w, &wn);
		if (token_is(w, wn, "to_server") ||
		    token_is(w, wn, "from_client"))
			rp->r.flags |= CTL_RULE_FLOW_TO_SERVER;
		else if (token_is(w, wn, "to_client") ||
			 token_is(w, wn, "from_server"))
			rp->r.flags |= CTL_RULE_FLOW_TO_CLIENT;
		else if (token_is(w, wn, "established"))
			rp->r.flags |= CTL_RULE_FLOW_ESTABLISHED;
		else if (token_is(w, wn, "no_stream"))
			rp->r.flags |= CTL_RULE_PACKET;
		else if (token_is(w, wn, "only_stream"))
			rp->r.flags |= CTL_RULE_STREAM;
		else {
			excerpt(ex, sizeof(ex), w, wn);
			return rp_fail(rp, -EINVAL,
				       "unsupported flow option %s", ex);
		}
	}
	if ((rp->r.flags & CTL_RULE_FLOW_TO_SERVER) &&
	    (rp->r.flags & CTL_RULE_FLOW_TO_CLIENT))
		return rp_fail(rp, -EINVAL,
			       "invalid rule: flow both to_server and "
			       "to_client");
	return 0;
}

static int
opt_once(struct rparse *rp, uint32_t bit, const char *kw)
{
	if (rp->seen & bit)
		return rp_fail(rp, -EINVAL, "invalid rule: %s twice", kw);
	rp->seen |= bit;
	return 0;
}

/* Keywords that change nothing in matching, taken and ignored. */
static const char *const ignored_kw[] = {"reference", "metadata", "target"};

/* One option: keyword kw (NUL-terminated), value v/n or NULL. */
static int
parse_option(struct rparse *rp, const char *kw, const char *v, size_t n)
{
	char ex[EXCERPT_LEN + 8];
	long val;
	size_t i;

	for (i = 0; i < sizeof(ignored_kw) / sizeof(ignored_kw[0]); i++) {
		if (strcmp(kw, ignored_kw[i]) == 0)
			return 0;
	}
	if (strcmp(kw, "msg") == 0) {
		if (v == NULL || opt_once(rp, OPT_MSG, kw))
			return rp_fail(rp, -EINVAL, "invalid rule: bad msg");
		trim(&v, &n);
		if (n >= 2 && v[0] == '"' && unquote(&v, &n))
			return rp_fail(rp, -EINVAL, "invalid rule: bad msg");
		free(rp->r.msg);
		rp->r.msg = unescape_text(v, n);
		return rp->r.msg == NULL ? rp_fail(rp, -ENOMEM, "%s", "") : 0;
	}
	if (strcmp(kw, "sid") == 0 || strcmp(kw, "rev") == 0 ||
	    strcmp(kw, "priority") == 0) {
		int is_sid = kw[0] == 's', is_rev = kw[0] == 'r';

		if (opt_once(rp,
			     is_sid   ? OPT_SID
			     : is_rev ? OPT_REV
				      : OPT_PRIORITY,
			     kw))
			return rp->err;
		if (v == NULL ||
		    parse_long(v, n, is_rev ? 0 : 1,
			       is_sid || is_rev ? (long)UINT32_MAX : 255,
			       &val)) {
			excerpt(ex, sizeof(ex), v != NULL ? v : "", v ? n : 0);
			return rp_fail(rp, -EINVAL, "invalid rule: bad %s '%s'",
				       kw, ex);
		}
		if (is_sid)
			rp->r.sid = (uint32_t)val;
		else if (is_rev)
			rp->r.rev = (uint32_t)val;
		else
			rp->r.priority = (int32_t)val;
		return 0;
	}
	if (strcmp(kw, "classtype") == 0) {
		if (opt_once(rp, OPT_CLASSTYPE, kw))
			return rp->err;
		if (v != NULL)
			trim(&v, &n);
		if (v == NULL || n == 0)
			return rp_fail(rp, -EINVAL,
				       "invalid rule: bad classtype");
		for (i = 0; i < n; i++) {
			if (!is_word(v[i]) && v[i] != '-')
				return rp_fail(rp, -EINVAL,
					       "invalid rule: bad classtype");
		}
		free(rp->r.classtype);
		rp->r.classtype = strndup(v, n);
		return rp->r.classtype == NULL ? rp_fail(rp, -ENOMEM, "%s", "")
					       : 0;
	}
	if (strcmp(kw, "content") == 0) {
		if (v == NULL)
			return rp_fail(rp, -EINVAL,
				       "invalid content: no value");
		return opt_content(rp, v, n);
	}
	if (strcmp(kw, "nocase") == 0 || strcmp(kw, "depth") == 0 ||
	    strcmp(kw, "offset") == 0 || strcmp(kw, "distance") == 0 ||
	    strcmp(kw, "within") == 0 || strcmp(kw, "startswith") == 0 ||
	    strcmp(kw, "fast_pattern") == 0)
		return opt_modifier(rp, kw, v, n);
	if (strcmp(kw, "pcre") == 0) {
		if (v == NULL)
			return rp_fail(rp, -EINVAL, "invalid pcre: no value");
		return opt_pcre(rp, v, n);
	}
	if (strcmp(kw, "isdataat") == 0) {
		if (v == NULL)
			return rp_fail(rp, -EINVAL,
				       "invalid rule: bad isdataat");
		return opt_isdataat(rp, v, n);
	}
	if (strcmp(kw, "dsize") == 0) {
		if (v == NULL)
			return rp_fail(rp, -EINVAL, "invalid rule: bad dsize");
		return opt_dsize(rp, v, n);
	}
	if (strcmp(kw, "flow") == 0) {
		if (v == NULL)
			return rp_fail(rp, -EINVAL, "invalid rule: bad flow");
		return opt_flow(rp, v, n);
	}
	return rp_fail(rp, -EINVAL, "unsupported keyword %s", kw);
}

/*
 * Split the options text [s, end) (between the parentheses) at unescaped
 * ';' and call fn on each option. A keyword is [A-Za-z0-9_.-]+; cut to
 * 63 bytes for fn. Returns 0 or the first error of fn or of the syntax.
 */
typedef int (*option_fn)(struct rparse *rp, const char *kw, const char *v,
			 size_t n);

static int
for_each_option(struct rparse *rp, const char *s, const char *end, option_fn fn,
		int stop_on_error)
{
	while (s < end) {
		const char *k, *v = NULL, *e;
		char kw[64];
		size_t kn, vn = 0;

		while (s < end && is_space(*s))
			s++;
		if (s >= end)
			break;
		k = s;
		while (s < end && (is_word(*s) || *s == '.' || *s == '-'))
			s++;
		kn = (size_t)(s - k);
		while (s < end && is_space(*s))
			s++;
		if (kn == 0 || (s < end && *s != ':' && *s != ';')) {
			char ex[EXCERPT_LEN + 8];

			if (!stop_on_error)
				return -EINVAL;
			excerpt(ex, sizeof(ex), k, (size_t)(end - k));
			return rp_fail(rp, -EINVAL,
				       "invalid rule: bad option at '%s'", ex);
		}
		if (s < end && *s == ':') {
			v = ++s;
			for (e = s; e < end && *e != ';'; e++) {
				if (*e == '\\' && e + 1 < end)
					e++;
			}
			vn = (size_t)(e - v);
			s = e;
		}
		if (s < end)
			s++; /* the ';' */
		memcpy(kw, k, kn < sizeof(kw) ? kn : sizeof(kw) - 1);
		kw[kn < sizeof(kw) ? kn : sizeof(kw) - 1] = '\0';
		if (fn(rp, kw, v, vn) && stop_on_error)
			return rp->err;
	}
	return rp->err;
}

/* Only the sid, for the message of a skipped rule. */
static int
sid_only(struct rparse *rp, const char *kw, const char *v, size_t n)
{
	long val;

	if (strcmp(kw, "sid") == 0 && v != NULL &&
	    parse_long(v, n, 1, (long)UINT32_MAX, &val) == 0 && rp->r.sid == 0)
		rp->r.sid = (uint32_t)val;
	return 0;
}

/*
 * Next header field at *p: up to a blank outside brackets. Returns its
 * length (0 at the end or at the '(' of the options).
 */
static size_t
header_field(const char **p, const char *end, const char **start)
{
	int depth = 0;
	const char *s;

	while (*p < end && is_space(**p))
		(*p)++;
	s = *start = *p;
	if (*p < end && **p == '(')
		return 0;
	while (*p < end) {
		char c = **p;

		if (c == '[')
			depth++;
		else if (c == ']' && depth > 0)
			depth--;
		else if (depth == 0 && (is_space(c) || c == '('))
			break;
		(*p)++;
	}
	return (size_t)(*p - s);
}

/* Copy [s, s+n) into a NUL-terminated buffer of len bytes (cut). */
static void
copy_field(char *buf, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

static int
parse_header(struct rparse *rp, const char *line, const char *end,
	     const char **opts)
{
	static const char *const names[] = {"source", "source port",
					    "direction", "destination",
					    "destination port"};
	const char *p = line, *f[7];
	size_t fn[7];
	char ex[EXCERPT_LEN + 8], why[CTL_RULE_WHY_LEN];
	char *field;
	int i, ret;

	for (i = 0; i < 7; i++) {
		fn[i] = header_field(&p, end, &f[i]);
		if (fn[i] == 0)
			break;
	}
	/* action and protocol first: they decide what the rule is */
	if (i >= 1) {
		if (token_is(f[0], fn[0], "alert"))
			rp->r.action = CTL_RULE_ALERT;
		else if (token_is(f[0], fn[0], "drop"))
			rp->r.action = CTL_RULE_DROP;
		else if (token_is(f[0], fn[0], "pass"))
			rp->r.action = CTL_RULE_PASS;
		else if (token_is(f[0], fn[0], "reject") ||
			 token_is(f[0], fn[0], "rejectsrc") ||
			 token_is(f[0], fn[0], "rejectdst") ||
			 token_is(f[0], fn[0], "rejectboth")) {
			copy_field(ex, sizeof(ex), f[0], fn[0]);
			return rp_fail(rp, -EINVAL, "unsupported action %s",
				       ex);
		} else {
			excerpt(ex, sizeof(ex), f[0], fn[0]);
			return rp_fail(rp, -EINVAL,
				       "invalid rule: unknown action '%s'", ex);
		}
	}
	if (i >= 2) {
		if (token_is(f[1], fn[1], "tcp"))
			rp->r.proto = CTL_RULE_PROTO_TCP;
		else if (token_is(f[1], fn[1], "tcp-pkt")) {
			rp->r.proto = CTL_RULE_PROTO_TCP;
			rp->r.flags |= CTL_RULE_PACKET;
		} else if (token_is(f[1], fn[1], "tcp-stream")) {
			rp->r.proto = CTL_RULE_PROTO_TCP;
			rp->r.flags |= CTL_RULE_STREAM;
		} else if (token_is(f[1], fn[1], "udp"))
			rp->r.proto = CTL_RULE_PROTO_UDP;
		else if (token_is(f[1], fn[1], "icmp"))
			rp->r.proto = CTL_RULE_PROTO_ICMP;
		else if (token_is(f[1], fn[1], "ip"))
			rp->r.proto = CTL_RULE_PROTO_IP;
		else {
			excerpt(ex, sizeof(ex), f[1], fn[1]);
			return rp_fail(rp, -EINVAL, "unsupported protocol %s",
				       ex);
		}
	}
	if (i < 7) {
		return rp_fail(rp, -EINVAL,
			       "invalid rule: header has %d of 7 fields "
			       "(action proto src sport dir dst dport)",
			       i);
	}
	if (token_is(f[4], fn[4], "<>"))
		rp->r.flags |= CTL_RULE_BIDIR;
	else if (!token_is(f[4], fn[4], "->")) {
		excerpt(ex, sizeof(ex), f[4], fn[4]);
		return rp_fail(rp, -EINVAL, "invalid rule: bad direction '%s'",
			       ex);
	}
	for (i = 2; i < 7; i++) {
		if (i == 4)
			continue;
		field = strndup(f[i], fn[i]);
		if (field == NULL)
			return rp_fail(rp, -ENOMEM, "%s", "");
		switch (i) {
		case 2:
			ret = ctl_rule_addr_parse(field, rp->o->vars,
						  &rp->r.src, why, sizeof(why));
			break;
		case 3:
			ret = ctl_rule_ports_parse(field, rp->o->vars,
						   &rp->r.sport, why,
						   sizeof(why));
			break;
		case 5:
			ret = ctl_rule_addr_parse(field, rp->o->vars,
						  &rp->r.dst, why, sizeof(why));
			break;
		default:
			ret = ctl_rule_ports_parse(field, rp->o->vars,
						   &rp->r.dport, why,
						   sizeof(why));
			break;
		}
		free(field);
		if (ret == -ENOMEM)
			return rp_fail(rp, -ENOMEM, "%s", "");
		if (ret)
			return rp_fail(rp, -EINVAL, "invalid %s: %s",
				       names[i - 2], why);
	}
	*opts = p;
	return 0;
}

static int
ports_any(const struct ctl_rule_ports *p)
{
	return p->negated && p->n == 0;
}

/* Checks across options, once all are read. */
static int
rule_finish(struct rparse *rp)
{
	struct ctl_rule *r = &rp->r;

	if (r->sid == 0)
		return rp_fail(rp, -EINVAL, "invalid rule: no sid");
	/* an ip rule may name ports: packets without ports then never match */
	if (r->proto == CTL_RULE_PROTO_ICMP &&
	    (!ports_any(&r->sport) || !ports_any(&r->dport)))
		return rp_fail(rp, -EINVAL,
			       "invalid rule: ports with protocol icmp");
	if (r->dsize.op != CTL_DSIZE_NONE)
		r->flags |= CTL_RULE_PACKET;
	if ((r->flags & CTL_RULE_PACKET) && (r->flags & CTL_RULE_STREAM))
		return rp_fail(rp, -EINVAL,
			       "invalid rule: both packet-only (dsize, "
			       "no_stream, tcp-pkt) and stream-only");
	if ((r->flags & CTL_RULE_STREAM) && r->proto != CTL_RULE_PROTO_TCP)
		return rp_fail(rp, -EINVAL,
			       "invalid rule: only_stream without tcp");
	if (r->msg == NULL)
		r->msg = strdup("");
	if (r->classtype == NULL)
		r->classtype = strdup("");
	if (r->msg == NULL || r->classtype == NULL)
		return rp_fail(rp, -ENOMEM, "%s", "");
	return 0;
}

/*
 * Parse one logical rule (NUL-terminated, len bytes) into rp->r.
 * Returns 0, -EINVAL (rp->why says why; rp->r.sid may be set) or -ENOMEM.
 */
static int
parse_rule(struct rparse *rp, const char *line, size_t len)
{
	const char *end = line + len, *opts = NULL, *close;

	if (memchr(line, '\0', len) != NULL)
		return rp_fail(rp, -EINVAL, "invalid rule: NUL byte");
	/* the options are the text between the first '(' and the last ')' */
	while (end > line && is_space(end[-1]))
		end--;
	close = end > line && end[-1] == ')' ? end - 1 : NULL;
	{
		const char *open = memchr(line, '(', len);

		/* the sid names the rule in a skip, even a malformed one */
		if (open != NULL)
			for_each_option(rp, open + 1,
					close != NULL && open < close ? close
								      : end,
					sid_only, 0);
	}
	if (parse_header(rp, line, end, &opts))
		return rp->err;
	while (opts < end && is_space(*opts))
		opts++;
	if (opts >= end || *opts != '(' || close == NULL || close < opts)
		return rp_fail(rp, -EINVAL,
			       "invalid rule: no (options) at the end");
	{
		uint32_t sid = rp->r.sid;

		rp->r.sid = 0;
		if (for_each_option(rp, opts + 1, close, parse_option, 1)) {
			if (rp->r.sid == 0)
				rp->r.sid = sid;
			return rp->err;
		}
	}
	return rule_finish(rp);
}

/* Parse one logical rule and add it, or its skip, to rs. */
static int
load_rule(struct ctl_rules *rs, const char *file, uint32_t lineno,
	  const char *line, size_t len, const struct ctl_rules_opts *o,
	  struct ctl_rules_stats *st)
{
	static const struct ctl_rules_opts no_opts = {NULL, NULL, NULL};
	struct rparse rp;
	int ret;

	memset(&rp, 0, sizeof(rp));
	rp.o = o != NULL ? o : &no_opts;
	rp.last_content = -1;
	st->rules++;
	ret = parse_rule(&rp, line, len);
	if (ret == 0) {
		const struct ctl_rules_sid *dup = sid_find(rs, rp.r.sid);

		if (dup != NULL) {
			rp_fail(&rp, -EINVAL, "duplicate sid (first at %s:%u)",
				dup->file, dup->line);
			ret = -EINVAL;
		}
	}
	if (ret == 0 && rp.o->check != NULL) {
		int c = rp.o->check(&rp.r, rp.why, sizeof(rp.why),
				    rp.o->check_arg);

		if (c == -ENOMEM)
			ret = -ENOMEM;
		else if (c != 0)
			ret = -EINVAL;
		if (c != 0 && rp.why[0] == '\0')
			snprintf(rp.why, sizeof(rp.why), "refused by check");
	}
	if (ret == -ENOMEM)
		goto err_nomem;
	if (ret) {
		if (ctl_rules_add_skip(rs, file, lineno, rp.r.sid, rp.why))
			goto err_nomem;
		ctl_rule_free(&rp.r);
		st->skipped++;
		return 0;
	}
	rp.r.file = file;
	rp.r.line = lineno;
	if (sid_insert(rs, rp.r.sid, file, lineno))
		goto err_nomem;
	if (ctl_rules_add(rs, &rp.r))
		return -ENOMEM;
	st->taken++;
	return 0;

err_nomem:
	ctl_rule_free(&rp.r);
	return -ENOMEM;
}

int
ctl_rules_load_buf(struct ctl_rules *rs, const char *name, const char *buf,
		   size_t len, const struct ctl_rules_opts *o,
		   struct ctl_rules_stats *st)
{
	struct ctl_rules_stats local;
	const char *file, *p = buf, *end = buf + len;
	char *line = NULL;
	size_t cap = 0, n = 0;
	uint32_t lineno = 0, first = 0;
	int in_rule = 0, too_long = 0, ret = 0;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	file = ctl_rules_intern(rs, name);
	if (file == NULL)
		return -ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl != NULL ? nl : end, *s = p;
		size_t pn;
		int cont;

		p = nl != NULL ? nl + 1 : end;
		lineno++;
		while (e > s && is_space(e[-1]))
			e--;
		pn = (size_t)(e - s);
		if (!in_rule) {
			const char *t = s;

			while (t < e && is_space(*t))
				t++;
			if (t == e || *t == '#')
				continue;
			in_rule = 1;
			first = lineno;
			n = 0;
			too_long = 0;
		}
		cont = pn > 0 && s[pn - 1] == '\\';
		if (cont)
			pn--;
		if (n + pn + 1 > CTL_RULE_LEN_MAX) {
			too_long = 1;
		} else {
			if (n + pn + 1 > cap) {
				size_t ncap = cap ? cap : 4096;
				char *nb;

				while (ncap < n + pn + 1)
					ncap *= 2;
				nb = realloc(line, ncap);
				if (nb == NULL) {
					ret = -ENOMEM;
					goto out;
				}
				line = nb;
				cap = ncap;
			}
			memcpy(line + n, s, pn);
			n += pn;
			line[n] = '\0';
		}
		if (cont && p < end)
			continue;
		in_rule = 0;
		if (too_long) {
			char why[64];

			snprintf(why, sizeof(why),
				 "invalid rule: longer than %d bytes",
				 CTL_RULE_LEN_MAX);
			st->rules++;
			st->skipped++;
			if (ctl_rules_add_skip(rs, file, first, 0, why)) {
				ret = -ENOMEM;
				goto out;
			}
			continue;
		}
		ret = load_rule(rs, file, first, line, n, o, st);
		if (ret)
			goto out;
	}
out:
	free(line);
	return ret;
}

int
ctl_rules_load_file(struct ctl_rules *rs, const char *path,
		    const struct ctl_rules_opts *o, struct ctl_rules_stats *st)
{
	char *buf;
	size_t len;
	int ret;

	ret = ctl_rules_read_file(path, &buf, &len);
	if (ret) {
		if (st != NULL)
			memset(st, 0, sizeof(*st));
		return ret;
	}
	ret = ctl_rules_load_buf(rs, path, buf, len, o, st);
	free(buf);
	return ret;
}
