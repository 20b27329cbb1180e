/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules to Hyperscan expressions, and Hyperscan pattern files.
 *
 * A rule's payload conditions are cut into terms. A term starts at a
 * content or pcre that is not relative (or is relative with no positive
 * match before it: then it counts from the start of the payload, as in
 * Suricata) and goes on with every positive relative content, pcre and
 * isdataat after it: one ordered chain, one regular expression. A negated
 * item ends in a term of its own: the chain so far, then the item. The
 * rule's expression is the one positive term, or the combination
 * "p1 & p2 & ... & EOD & !n1 & !n2" of them all (EOD only with a negated
 * term, see ctl_hsmap.h).
 *
 * Semantics: Suricata searches a chain with backtracking, i.e. the rule
 * matches when SOME positions of the items satisfy every constraint; a
 * regular expression "A gap B" matches under exactly that condition.
 * (Suricata bounds its backtracking; past that bound it misses matches
 * that the expression still finds. No ET rule comes near it.)
 *
 *  condition                    expression                        how
 *  ---------------------------  --------------------------------  ------
 *  content, nocase, |hex|       literal, HS_FLAG_CASELESS         exact
 *  offset o, depth d (len L)    min_offset o+L, max_offset o+d    exact
 *    (in a chain)               ^[\s\S]{o,o+d-L} before the head  exact
 *  startswith                   offset 0, depth L                 exact
 *  distance d >= 0, within w    A[\s\S]{d,d+w-L}B                 exact
 *  distance only / within only  A[\s\S]{d,}B / A[\s\S]{0,w-L}B    exact
 *  relative, no match before    offset d, depth d+w from start    exact
 *  pcre /X/ismxA                (?ismx:X), ^ for A                exact
 *  pcre /X/R after A            A[\s\S]*(?:X)                     exact
 *  pcre /^X/R (or A flag)       A(?:X)                            exact
 *  pcre /^X/Rm                  A(?m:X): X right after A only     fewer
 *  isdataat:N,relative          chain followed by [\s\S]{N}       exact
 *  isdataat:!N,relative         chain followed by [\s\S]{0,N-1}\z exact
 *  content:!X, pcre:!/X/        combination term !x               exact
 *  relative content:!X after A  !(A gap X): no A has X after it   fewer
 *  content:!X alone             skipped: "negated content only"
 *  distance < 0                 skipped: cannot express exactly
 *  anything relative to a pcre  skipped: its match end is not
 *                               fixed, "A gap B" would try every end
 *  content after a relative     skipped: the tail would need a
 *    isdataat in one chain      look-ahead
 *  ^ \A \b \B inside a relative skipped: they would see the bytes
 *    pcre (but a leading ^)     before the previous match
 *  pcre x flag with '#'         skipped: a comment would eat the
 *                               closing parenthesis of the wrapper
 *  pcre that matches empty      skipped: it would match any packet
 *  isdataat (absolute), dsize,  not in Hyperscan: the dataplane
 *    flow, addresses, ports     checks them on the packet
 *
 * "fewer" means the expression matches a subset of what Suricata matches:
 * a rule may miss, never fire where Suricata would not (no false drop).
 * In a stream database, absolute positions (offset, depth, ^, \z) count
 * from the start or the end of the stream, not of a packet.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_hsmap.h"

#define EOD_PATTERN   "[\\s\\S]\\z"
#define PATTERN_IDMAX UINT32_MAX

/* ---------------------------------------------------------------------
 * A growing string.
 */

struct sb {
	char *s;
	size_t n;
	size_t cap;
	int err; /* -ENOMEM once an append failed */
};

static void
sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *ns;

		while (cap < b->n + n + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (ns == NULL) {
			b->err = -ENOMEM;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void
sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* only short numeric pieces go through here */
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->err = -ENOMEM;
		return;
	}
	sb_putn(b, tmp, (size_t)n);
}

/* Bytes as a Hyperscan literal: [A-Za-z0-9] as is, the rest \xNN. */
static void
sb_bytes(struct sb *b, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = (char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			sb_putn(b, &c, 1);
		else
			sb_printf(b, "\\x%02x", p[i]);
	}
}

/* [\s\S]{lo,hi}, {lo,} when open; nothing for {0,0}. */
static void
sb_gap(struct sb *b, uint32_t lo, uint32_t hi, int open)
{
	if (open) {
		if (lo == 0)
			sb_puts(b, "[\\s\\S]*");
		else
			sb_printf(b, "[\\s\\S]{%u,}", lo);
	} else if (hi == 0) {
		return;
	} else if (lo == hi) {
		sb_printf(b, "[\\s\\S]{%u}", lo);
	} else {
		sb_printf(b, "[\\s\\S]{%u,%u}", lo, hi);
	}
}

/* ---------------------------------------------------------------------
 * What a pcre body contains, outside character classes.
 */

struct rx_scan {
	int lead_caret;	 /* starts with '^' */
	int other_caret; /* a '^' elsewhere */
	int hash;	 /* a '#' (a comment under x) */
	int esc_anchor;	 /* \A, \b, \B or \G */
};

static void
rx_scan(const char *s, size_t n, struct rx_scan *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	if (n > 0 && s[0] == '^') {
		o->lead_caret = 1;
		i = 1;
	}
	for (; i < n; i++) {
		char c = s[i];

		if (c == '\\') {
			if (i + 1 >= n)
				break;
			c = s[++i];
			if (c == 'A' || c == 'b' || c == 'B' || c == 'G')
				o->esc_anchor = 1;
			if (c == 'Q') {
				/* quoted up to \E: nothing special inside */
				for (i++; i + 1 < n; i++) {
					if (s[i] == '\\' && s[i + 1] == 'E')
						break;
				}
				i++;
			}
			continue;
		}
		if (c == '[') {
			i++;
			if (i < n && s[i] == '^')
				i++;
			if (i < n && s[i] == ']')
				i++;
			for (; i < n && s[i] != ']'; i++) {
				if (s[i] == '\\')
					i++;
			}
			continue;
		}
		if (c == '^')
			o->other_caret = 1;
		else if (c == '#')
			o->hash = 1;
	}
}

/* ---------------------------------------------------------------------
 * Terms.
 */

struct piece {
	const struct ctl_rule_match *m;
	uint32_t gmin;	 /* gap from the previous piece's end: at least */
	uint32_t gmax;	 /* ... and at most, unless gopen */
	int gopen;	 /* no upper bound */
	int strip_caret; /* pcre: drop the leading '^' (the gap anchors) */
	int anchor;	 /* pcre head with the A flag: '^' before */
};

struct term {
	struct piece *p; /* nb_m entries allocated */
	uint32_t n;
	int negated;
	int win;       /* the head has a start window */
	uint32_t smin; /* head start: at least */
	uint32_t smax; /* ... and at most, unless sopen */
	int sopen;
	int tail;      /* a relative isdataat constrains the bytes after */
	uint32_t tmin; /* bytes after the last piece: at least */
	uint32_t tmax; /* ... and at most, unless topen */
	int topen;
};

struct terms {
	struct term *t;
	size_t n;
	size_t cap;
	uint32_t nb_m; /* pieces room per term */
};

static void
terms_free(struct terms *ts)
{
	size_t i;

	for (i = 0; i < ts->n; i++)
		free(ts->t[i].p);
	free(ts->t);
	memset(ts, 0, sizeof(*ts));
}

static struct term *
term_new(struct terms *ts)
{
	struct term *t;

	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 4;
		struct term *nt = realloc(ts->t, cap * sizeof(*nt));

		if (nt == NULL)
			return NULL;
		ts->t = nt;
		ts->cap = cap;
	}
	t = &ts->t[ts->n];
	memset(t, 0, sizeof(*t));
	t->p = calloc(ts->nb_m ? ts->nb_m : 1, sizeof(*t->p));
	if (t->p == NULL)
		return NULL;
	ts->n++;
	return t;
}

static int
is_pcre_piece(const struct piece *p)
{
	return p->m->kind == CTL_MATCH_PCRE;
}

/*
 * A content that is not relative, or relative to nothing: its start
 * window from offset/depth (or distance/within from position 0).
 */
static int
head_window(const struct ctl_rule_match *m, struct term *t, char *why,
	    size_t why_len)
{
	if (m->flags & (CTL_MATCH_DISTANCE | CTL_MATCH_WITHIN)) {
		int64_t lo = m->distance > 0 ? m->distance : 0;

		t->win = 1;
		t->smin = (uint32_t)lo;
		t->sopen = !(m->flags & CTL_MATCH_WITHIN);
		if (!t->sopen) {
			/* Suricata: the window ends at 0 + distance + within */
			int64_t end = (int64_t)m->distance + m->within;

			if (end - (int64_t)m->len < lo) {
				bw_why_set(
					why, why_len,
					"never matches: distance %d within %u "
					"from the start",
					m->distance, m->within);
				return -EINVAL;
			}
			t->smax = (uint32_t)(end - m->len);
		}
		return 0;
	}
	t->win = (m->flags & (CTL_MATCH_OFFSET | CTL_MATCH_DEPTH)) != 0;
	t->smin = m->offset;
	t->sopen = !(m->flags & CTL_MATCH_DEPTH);
	if (!t->sopen)
		t->smax = m->offset + m->depth - m->len;
	return 0;
}

/*
 * The gap before a relative item m placed after the chain t. Returns 0
 * or -EINVAL with a reason.
 */
static int
relative_gap(const struct ctl_rule_match *m, struct piece *p, char *why,
	     size_t why_len)
{
	struct rx_scan rx;

	if (m->kind == CTL_MATCH_CONTENT) {
		if (m->distance < 0) {
			bw_why_set(why, why_len,
				   "cannot express negative distance exactly");
			return -EINVAL;
		}
		p->gmin = (uint32_t)m->distance;
		p->gopen = !(m->flags & CTL_MATCH_WITHIN);
		if (!p->gopen)
			p->gmax = (uint32_t)m->distance + m->within - m->len;
		return 0;
	}
	rx_scan((const char *)m->data, m->len, &rx);
	if (rx.other_caret || rx.esc_anchor) {
		bw_why_set(
			why, why_len,
			"cannot express ^, \\A or \\b inside a relative pcre "
			"exactly");
		return -EINVAL;
	}
	if (rx.lead_caret || (m->pcre & CTL_PCRE_ANCHORED)) {
		/* right after the previous match */
		p->gmin = 0;
		p->gmax = 0;
		p->gopen = 0;
		p->strip_caret = rx.lead_caret;
	} else {
		p->gmin = 0;
		p->gopen = 1;
	}
	return 0;
}

/*
 * Cut the payload conditions of r into terms. Returns 0, -EINVAL with a
 * reason in why, or -ENOMEM.
 */
static int
rule_terms(const struct ctl_rule *r, struct terms *ts, char *why,
	   size_t why_len)
{
	long cur = -1; /* the term of the last positive content/pcre */
	uint32_t i;

	ts->nb_m = r->nb_m;
	for (i = 0; i < r->nb_m; i++) {
		const struct ctl_rule_match *m = &r->m[i];
		int neg = (m->flags & CTL_MATCH_NEGATED) != 0;
		int rel = (m->flags & CTL_MATCH_RELATIVE) != 0;
		struct term *t, *c;
		struct piece pc;

		if (m->kind == CTL_MATCH_PCRE) {
			struct rx_scan rx;

			rx_scan((const char *)m->data, m->len, &rx);
			if ((m->pcre & CTL_PCRE_EXTENDED) && rx.hash) {
				bw_why_set(why, why_len,
					   "cannot wrap a pcre with the x flag "
					   "and '#'");
				return -EINVAL;
			}
		}
		if (m->kind == CTL_MATCH_HSEXPR) {
			bw_why_set(why, why_len,
				   "pattern expression in a rule");
			return -EINVAL;
		}
		if (m->kind == CTL_MATCH_ISDATAAT) {
			if (!rel)
				continue; /* the dataplane checks the length */
			if (cur < 0) {
				bw_why_set(why, why_len,
					   "cannot express relative isdataat "
					   "without a match before it");
				return -EINVAL;
			}
			c = &ts->t[cur];
			if (is_pcre_piece(&c->p[c->n - 1])) {
				bw_why_set(
					why, why_len,
					"cannot express isdataat relative to "
					"a pcre match exactly");
				return -EINVAL;
			}
			if (!c->tail) {
				c->tail = 1;
				c->tmin = 0;
				c->topen = 1;
			}
			if (neg) {
				if (m->offset == 0) {
					bw_why_set(why, why_len,
						   "never matches: "
						   "isdataat:!0,relative");
					return -EINVAL;
				}
				if (c->topen || m->offset - 1 < c->tmax) {
					c->tmax = m->offset - 1;
					c->topen = 0;
				}
			} else if (m->offset > c->tmin) {
				c->tmin = m->offset;
			}
			if (!c->topen && c->tmin > c->tmax) {
				bw_why_set(why, why_len,
					   "never matches: contradicting "
					   "isdataat");
				return -EINVAL;
			}
			continue;
		}
		memset(&pc, 0, sizeof(pc));
		pc.m = m;
		if (!rel || cur < 0) {
			t = term_new(ts);
			if (t == NULL)
				return -ENOMEM;
			t->negated = neg;
			if (m->kind == CTL_MATCH_CONTENT &&
			    head_window(m, t, why, why_len))
				return -EINVAL;
			if (m->kind == CTL_MATCH_PCRE)
				pc.anchor = (m->pcre & CTL_PCRE_ANCHORED) != 0;
			t->p[t->n++] = pc;
			if (!neg)
				cur = (long)(ts->n - 1);
			continue;
		}
		c = &ts->t[cur];
		if (is_pcre_piece(&c->p[c->n - 1])) {
			bw_why_set(why, why_len,
				   "cannot express %s relative to a pcre match "
				   "exactly",
				   m->kind == CTL_MATCH_PCRE ? "pcre"
							     : "content");
			return -EINVAL;
		}
		if (!neg && c->tail) {
			bw_why_set(why, why_len,
				   "cannot express a match after a relative "
				   "isdataat exactly");
			return -EINVAL;
		}
		if (relative_gap(m, &pc, why, why_len))
			return -EINVAL;
		if (!neg) {
			c->p[c->n++] = pc;
			continue;
		}
		t = term_new(ts);
		if (t == NULL)
			return -ENOMEM;
		c = &ts->t[cur]; /* term_new may have moved the array */
		memcpy(t->p, c->p, c->n * sizeof(*t->p));
		t->n = c->n;
		t->win = c->win;
		t->smin = c->smin;
		t->smax = c->smax;
		t->sopen = c->sopen;
		t->negated = 1;
		t->p[t->n++] = pc;
	}
	return 0;
}

/* "(?ismx:X)" for a pcre piece. */
static void
sb_pcre(struct sb *b, const struct piece *p)
{
	const struct ctl_rule_match *m = p->m;
	const char *body = (const char *)m->data;
	size_t n = m->len;

	if (p->anchor)
		sb_puts(b, "^");
	sb_puts(b, "(?");
	if (m->pcre & CTL_PCRE_CASELESS)
		sb_puts(b, "i");
	if (m->pcre & CTL_PCRE_DOTALL)
		sb_puts(b, "s");
	if (m->pcre & CTL_PCRE_MULTILINE)
		sb_puts(b, "m");
	if (m->pcre & CTL_PCRE_EXTENDED)
		sb_puts(b, "x");
	sb_puts(b, ":");
	if (p->strip_caret) {
		body++;
		n--;
	}
	sb_putn(b, body, n);
	sb_puts(b, ")");
}

/*
 * The expression of one term into e (pattern malloc'd, flags, ext).
 * Returns 0 or -ENOMEM.
 */
static int
term_expr(const struct term *t, struct ctl_hsexpr *e)
{
	const struct piece *h = &t->p[0];
	struct sb b = {0};
	uint32_t i;

	memset(e, 0, sizeof(*e));
	if (t->n == 1 && !t->tail && h->m->kind == CTL_MATCH_CONTENT) {
		/* one literal: offsets as extended parameters */
		sb_bytes(&b, h->m->data, h->m->len);
		if (h->m->flags & CTL_MATCH_NOCASE)
			e->flags |= HS_FLAG_CASELESS;
		if (t->win && t->smin > 0) {
			e->has_ext = 1;
			e->ext.flags |= HS_EXT_FLAG_MIN_OFFSET;
			e->ext.min_offset =
				(unsigned long long)t->smin + h->m->len;
		}
		if (t->win && !t->sopen) {
			e->has_ext = 1;
			e->ext.flags |= HS_EXT_FLAG_MAX_OFFSET;
			e->ext.max_offset =
				(unsigned long long)t->smax + h->m->len;
		}
		goto out;
	}
	if (t->win && !(t->sopen && t->smin == 0)) {
		sb_puts(&b, "^");
		sb_gap(&b, t->smin, t->smax, t->sopen);
	}
	for (i = 0; i < t->n; i++) {
		const struct piece *p = &t->p[i];

		if (i > 0)
			sb_gap(&b, p->gmin, p->gmax, p->gopen);
		if (p->m->kind == CTL_MATCH_PCRE) {
			sb_pcre(&b, p);
		} else if (p->m->flags & CTL_MATCH_NOCASE) {
			sb_puts(&b, "(?i:");
			sb_bytes(&b, p->m->data, p->m->len);
			sb_puts(&b, ")");
		} else {
			sb_bytes(&b, p->m->data, p->m->len);
		}
	}
	if (t->tail && t->topen) {
		/* "at least N bytes follow" holds iff exactly N can follow:
		 * [\s\S]{N} compiles far faster than [\s\S]{N,} */
		sb_gap(&b, t->tmin, t->tmin, 0);
	} else if (t->tail) {
		sb_gap(&b, t->tmin, t->tmax, 0);
		sb_puts(&b, "\\z");
	}
out:
	if (b.err) {
		free(b.s);
		return -ENOMEM;
	}
	e->pattern = b.s;
	return 0;
}

/*
 * hs_expression_ext_info() of e: 0, or -EINVAL with "PREFIX: message" in
 * why; *min_width is set.
 */
static int
hs_check(const char *pattern, unsigned int flags, const hs_expr_ext_t *ext,
	 const char *prefix, unsigned int *min_width, char *why, size_t why_len)
{
	hs_compile_error_t *cerr = NULL;
	hs_expr_info_t *info = NULL;

	flags &= ~(HS_FLAG_SINGLEMATCH | HS_FLAG_QUIET);
	if (hs_expression_ext_info(pattern, flags, ext, &info, &cerr) !=
	    HS_SUCCESS) {
		bw_why_set(why, why_len, "%s: %s", prefix,
			   cerr != NULL ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		return -EINVAL;
	}
	if (min_width != NULL)
		*min_width = info->min_width;
	free(info);
	return 0;
}

/* Expressions of one rule, before ids are given. */
struct rule_exprs {
	struct ctl_hsexpr *e;
	size_t n;
	int negated[CTL_RULE_MATCH_MAX];
	int needs_eod;
};

static void
rule_exprs_free(struct rule_exprs *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		free(x->e[i].pattern);
	free(x->e);
	memset(x, 0, sizeof(*x));
}

/*
 * The terms of r as expressions (no ids yet). With check, each pcre and
 * each expression goes through hs_expression_ext_info(). Returns 0,
 * -EINVAL with a reason, or -ENOMEM. Any thread.
 */
static int
rule_exprs(const struct ctl_rule *r, int check, struct rule_exprs *x, char *why,
	   size_t why_len)
{
	struct terms ts = {0};
	size_t i, nb_pos = 0;
	int ret;

	memset(x, 0, sizeof(*x));
	ret = rule_terms(r, &ts, why, why_len);
	if (ret)
		goto out;
	for (i = 0; i < ts.n; i++)
		nb_pos += !ts.t[i].negated;
	if (ts.n > 0 && nb_pos == 0) {
		bw_why_set(why, why_len, "negated content only");
		ret = -EINVAL;
		goto out;
	}
	if (check) {
		/* each pcre alone first, for a reason that names it */
		for (i = 0; i < r->nb_m; i++) {
			struct piece p = {&r->m[i], 0, 0, 0, 0, 0};
			struct sb b = {0};

			if (r->m[i].kind != CTL_MATCH_PCRE)
				continue;
			sb_pcre(&b, &p);
			ret = b.err ? -ENOMEM
				    : hs_check(b.s, 0, NULL,
					       "pcre rejected by hyperscan",
					       NULL, why, why_len);
			free(b.s);
			if (ret)
				goto out;
		}
	}
	x->e = calloc(ts.n ? ts.n : 1, sizeof(*x->e));
	if (x->e == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ts.n; i++) {
		unsigned int width = 1;

		ret = term_expr(&ts.t[i], &x->e[i]);
		if (ret)
			goto out;
		x->n++;
		x->negated[i] = ts.t[i].negated;
		if (ts.t[i].negated)
			x->needs_eod = 1;
		if (!check)
			continue;
		ret = hs_check(x->e[i].pattern, x->e[i].flags,
			       x->e[i].has_ext ? &x->e[i].ext : NULL,
			       "hyperscan rejects the mapped expression",
			       &width, why, why_len);
		if (ret)
			goto out;
		if (width == 0) {
			bw_why_set(why, why_len,
				   ts.t[i].negated ? "never matches: a negated "
						     "pcre matches the empty "
						     "payload"
						   : "pcre can match an empty "
						     "payload");
			ret = -EINVAL;
			goto out;
		}
	}
out:
	terms_free(&ts);
	if (ret)
		rule_exprs_free(x);
	return ret;
}

int
ctl_hsmap_check(const struct ctl_rule *r, char *why, size_t why_len, void *arg)
{
	struct rule_exprs x;
	int ret;

	(void)arg;
	ret = rule_exprs(r, 1, &x, why, why_len);
	if (ret == -ENOMEM)
		bw_why_set(why, why_len, "out of memory");
	rule_exprs_free(&x);
	return ret;
}

/* ---------------------------------------------------------------------
 * The map of a rule set.
 */

void
ctl_hsmap_free(struct ctl_hsmap *map)
{
	size_t i;

	for (i = 0; i < map->nb_e; i++)
		free(map->e[i].pattern);
	free(map->e);
	free(map->first);
	free(map->count);
	free(map->needs_eod);
	memset(map, 0, sizeof(*map));
}

static struct ctl_hsexpr *
map_push(struct ctl_hsmap *map)
{
	struct ctl_hsexpr *e;

	if (map->nb_e == map->cap_e) {
		size_t cap = map->cap_e ? map->cap_e * 2 : 256;

		e = realloc(map->e, cap * sizeof(*e));
		if (e == NULL)
			return NULL;
		map->e = e;
		map->cap_e = cap;
	}
	e = &map->e[map->nb_e++];
	memset(e, 0, sizeof(*e));
	return e;
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

	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
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
	struct sb b = {0};

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
			sb_printf(&b, "%u", f->rule);
		} else {
			sb_putn(&b, s, 1);
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
		struct rule_exprs x;
		struct ctl_hsexpr *e;
		struct sb comb = {0};
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
		ret = rule_exprs(r, 0, &x, why, sizeof(why));
		if (ret == -ENOMEM)
			goto err_nomem;
		if (ret)
			goto err_rule;
		if (x.n == 0) {
			rule_exprs_free(&x);
			continue;
		}
		if (x.n == 1 && !x.needs_eod) {
			e = map_push(map);
			if (e == NULL) {
				rule_exprs_free(&x);
				goto err_nomem;
			}
			*e = x.e[0];
			x.e[0].pattern = NULL;
			e->flags |= HS_FLAG_SINGLEMATCH;
			e->id = (unsigned int)i;
			e->rule = (uint32_t)i;
			map->count[i] = 1;
			rule_exprs_free(&x);
			continue;
		}
		if (next_id + x.n > UINT32_MAX) {
			rule_exprs_free(&x);
			bw_why_set(err, err_len,
				   "too many expressions for hyperscan ids");
			ret = -E2BIG;
			goto err_free;
		}
		for (k = 0; k < x.n; k++) {
			e = map_push(map);
			if (e == NULL) {
				rule_exprs_free(&x);
				goto err_nomem;
			}
			*e = x.e[k];
			x.e[k].pattern = NULL;
			e->flags |= HS_FLAG_QUIET;
			e->id = (unsigned int)next_id++;
			e->rule = (uint32_t)i;
			if (k > 0)
				sb_puts(&comb, " & ");
			sb_printf(&comb, "%s%u", x.negated[k] ? "!" : "",
				  e->id);
		}
		if (x.needs_eod) {
			sb_printf(&comb, " & %u", map->e[map->eod].id);
			map->needs_eod[i] = 1;
		}
		rule_exprs_free(&x);
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

/* ---------------------------------------------------------------------
 * Pattern files.
 */

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

/* One "ID:/regex/flags{ext}" line (trimmed, NUL-terminated) into p. */
static int
parse_pline(char *s, struct pline *p)
{
	unsigned long long id = 0;
	char *slash, *f;

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
		switch (*f) {
		case 'i':
			p->flags |= HS_FLAG_CASELESS;
			break;
		case 's':
			p->flags |= HS_FLAG_DOTALL;
			break;
		case 'm':
			p->flags |= HS_FLAG_MULTILINE;
			break;
		case 'H':
			p->flags |= HS_FLAG_SINGLEMATCH;
			break;
		case 'V':
			p->flags |= HS_FLAG_ALLOWEMPTY;
			break;
		case '8':
			p->flags |= HS_FLAG_UTF8;
			break;
		case 'W':
			p->flags |= HS_FLAG_UCP;
			break;
		case 'L':
			p->flags |= HS_FLAG_SOM_LEFTMOST;
			break;
		case 'C':
			p->flags |= HS_FLAG_COMBINATION;
			break;
		case 'Q':
			p->flags |= HS_FLAG_QUIET;
			break;
		case 'O': /* hscollider's ordering check: nothing here */
			break;
		case 'P':
			bw_why_set(p->why, sizeof(p->why),
				   "prefilter flag P refused (it matches more "
				   "than the regex)");
			return -EINVAL;
		default:
			bw_why_set(p->why, sizeof(p->why),
				   "unsupported pattern flag %c",
				   *f > 0x20 && *f < 0x7f ? *f : '?');
			return -EINVAL;
		}
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
	struct ctl_rules_stats local;
	struct pline *pl = NULL, **by_id = NULL;
	const char *file, *p = buf, *end = buf + len;
	size_t nb = 0, cap = 0, i;
	uint32_t lineno = 0;
	int ret = 0;

	if (st == NULL)
		st = &local;
	memset(st, 0, sizeof(*st));
	file = ctl_rules_intern(rs, name);
	if (file == NULL)
		return -ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl != NULL ? nl : end;
		struct pline *cur;
		char *text;

		p = nl != NULL ? nl + 1 : end;
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

			if (hs_check(cur->expr, cur->flags,
				     cur->ext.flags ? &x : NULL,
				     "pattern rejected by hyperscan", &width,
				     cur->why, sizeof(cur->why)) == 0 &&
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

int
ctl_hsmap_load_patterns(struct ctl_rules *rs, const char *path,
			enum ctl_rule_action action, struct ctl_rules_stats *st)
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
	ret = ctl_hsmap_load_patterns_buf(rs, path, buf, len, action, st);
	free(buf);
	return ret;
}
