/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the mapping of one rule's payload conditions to Hyperscan
 * expressions, and checking them with Hyperscan (ctl_hsmap_check()).
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
 *    flow, addresses, ports     checks them on the packet (absolute
 *                               isdataat and dsize make the rule
 *                               packet-scoped: ctl_ruleparse.c)
 *
 * "fewer" means the expression matches a subset of what Suricata matches:
 * a rule may miss, never fire where Suricata would not (no false drop).
 * In a stream database, absolute positions (offset, depth, ^, \z) count
 * from the start or the end of the stream, not of a packet.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_hsexpr.h"
#include "ctl_hsmap.h"

/* ---------------------------------------------------------------------
 * A growing string.
 */

void
ctl_hsstr_putn(struct ctl_hsstr *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (ctl_array_reserve(&b->s, &b->cap, b->n, n + 1, 1, 64) < 0) {
		b->err = -ENOMEM;
		return;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = '\0';
}

void
ctl_hsstr_puts(struct ctl_hsstr *b, const char *s)
{
	ctl_hsstr_putn(b, s, strlen(s));
}

void
ctl_hsstr_printf(struct ctl_hsstr *b, const char *fmt, ...)
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
	ctl_hsstr_putn(b, tmp, (size_t)n);
}

/* Bytes as a Hyperscan literal: [A-Za-z0-9] as is, the rest \xNN. */
static void
sb_bytes(struct ctl_hsstr *b, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = (char)p[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9'))
			ctl_hsstr_putn(b, &c, 1);
		else
			ctl_hsstr_printf(b, "\\x%02x", p[i]);
	}
}

/* [\s\S]{lo,hi}, {lo,} when open; nothing for {0,0}. */
static void
sb_gap(struct ctl_hsstr *b, uint32_t lo, uint32_t hi, int open)
{
	if (open) {
		if (lo == 0)
			ctl_hsstr_puts(b, "[\\s\\S]*");
		else
			ctl_hsstr_printf(b, "[\\s\\S]{%u,}", lo);
	} else if (hi == 0) {
		return;
	} else if (lo == hi) {
		ctl_hsstr_printf(b, "[\\s\\S]{%u}", lo);
	} else {
		ctl_hsstr_printf(b, "[\\s\\S]{%u,%u}", lo, hi);
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
	CTL_ARRAY_FREE(ts->t, ts->n, p);
	memset(ts, 0, sizeof(*ts));
}

static struct term *
term_new(struct terms *ts)
{
	struct term *t = CTL_ARRAY_PUSH(ts->t, ts->n, ts->cap, 4);

	if (t == NULL)
		return NULL;
	t->p = calloc(ts->nb_m ? ts->nb_m : 1, sizeof(*t->p));
	if (t->p == NULL) {
		ts->n--;
		return NULL;
	}
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
sb_pcre(struct ctl_hsstr *b, const struct piece *p)
{
	const struct ctl_rule_match *m = p->m;
	const char *body = (const char *)m->data;
	size_t n = m->len;

	if (p->anchor)
		ctl_hsstr_puts(b, "^");
	ctl_hsstr_puts(b, "(?");
	if (m->pcre & CTL_PCRE_CASELESS)
		ctl_hsstr_puts(b, "i");
	if (m->pcre & CTL_PCRE_DOTALL)
		ctl_hsstr_puts(b, "s");
	if (m->pcre & CTL_PCRE_MULTILINE)
		ctl_hsstr_puts(b, "m");
	if (m->pcre & CTL_PCRE_EXTENDED)
		ctl_hsstr_puts(b, "x");
	ctl_hsstr_puts(b, ":");
	if (p->strip_caret) {
		body++;
		n--;
	}
	ctl_hsstr_putn(b, body, n);
	ctl_hsstr_puts(b, ")");
}

/*
 * The expression of one term into e (pattern malloc'd, flags, ext).
 * Returns 0 or -ENOMEM.
 */
static int
term_expr(const struct term *t, struct ctl_hsexpr *e)
{
	const struct piece *h = &t->p[0];
	struct ctl_hsstr b = {0};
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
		ctl_hsstr_puts(&b, "^");
		sb_gap(&b, t->smin, t->smax, t->sopen);
	}
	for (i = 0; i < t->n; i++) {
		const struct piece *p = &t->p[i];

		if (i > 0)
			sb_gap(&b, p->gmin, p->gmax, p->gopen);
		if (p->m->kind == CTL_MATCH_PCRE) {
			sb_pcre(&b, p);
		} else if (p->m->flags & CTL_MATCH_NOCASE) {
			ctl_hsstr_puts(&b, "(?i:");
			sb_bytes(&b, p->m->data, p->m->len);
			ctl_hsstr_puts(&b, ")");
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
		ctl_hsstr_puts(&b, "\\z");
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
 * The cost of compiling an expression: how many positions its bounded
 * repeats unroll to. Hyperscan builds a state per repeated position of
 * X{n,m} (a window of 30,000 bytes took 7 s and 90 MB for one rule), so
 * the count is what bounds its time and memory. An item (atom or group of
 * s positions) repeated {n,m} costs m * s (n * s when open: {n,}); nested
 * repeats multiply; a class, '.' or class escape not repeated costs 1
 * (written out, 4000 of them compile as slowly as [a-z]{4000}); literals,
 * *, + and ? cost nothing. Saturates at SIZE_MAX. Escapes and classes
 * are stepped over, not interpreted.
 */
#define COST_DEPTH 32

static size_t
cost_mul(size_t a, size_t b)
{
	return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static size_t
cost_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* At p a quantifier {n}, {n,} or {n,m}: its bound and length, else 0. */
static size_t
quant_brace(const char *p, size_t *bound)
{
	unsigned long long lo = 0, hi = 0;
	const char *q = p + 1;
	int digits = 0, comma = 0, hidigits = 0;

	if (*p != '{')
		return 0;
	for (; *q >= '0' && *q <= '9'; q++, digits++)
		lo = lo < 100000000ull ? lo * 10 + (unsigned)(*q - '0') : lo;
	if (*q == ',') {
		comma = 1;
		for (q++; *q >= '0' && *q <= '9'; q++, hidigits++)
			hi = hi < 100000000ull ? hi * 10 + (unsigned)(*q - '0')
					       : hi;
	}
	if (*q != '}' || digits == 0)
		return 0; /* a literal '{' */
	*bound = (size_t)(comma && hidigits ? hi : lo);
	if (*bound == 0)
		*bound = 1;
	return (size_t)(q + 1 - p);
}

size_t
ctl_hsexpr_cost(const char *pat)
{
	/* per group level: positions, and positions unrolled by repeats */
	size_t size[COST_DEPTH + 1], cost[COST_DEPTH + 1];
	size_t last_size = 0, last_cost = 0, bound, k;
	unsigned int depth = 0, over = 0;
	const char *p = pat;

	size[0] = cost[0] = 0;
	while (*p != '\0') {
		size_t atom_size = 1, atom_cost = 0;

		if (*p == '(') {
			if (depth < COST_DEPTH) {
				depth++;
				size[depth] = cost[depth] = 0;
			} else {
				over++;
			}
			p++;
			/* (?:, (?i:, (?=, (?<! ...: the prefix is no position */
			if (*p == '?') {
				p++;
				if (*p == '<' && (p[1] == '=' || p[1] == '!'))
					p++;
				while ((*p >= 'a' && *p <= 'z') ||
				       (*p >= 'A' && *p <= 'Z') || *p == '-')
					p++;
				if (*p == ':' || *p == '=' || *p == '!')
					p++;
			}
			last_size = last_cost = 0;
			continue;
		}
		if (*p == ')') {
			if (over > 0) {
				over--;
			} else if (depth > 0) {
				atom_size = size[depth];
				atom_cost = cost[depth];
				depth--;
			}
			p++;
		} else if (*p == '\\') {
			/* a class escape is a state; a literal one is not */
			if (p[1] != '\0' && strchr("dDwWsShHvVNpPR", p[1]))
				atom_cost = 1;
			p += p[1] != '\0' ? 2 : 1;
		} else if (*p == '.') {
			atom_cost = 1;
			p++;
		} else if (*p == '[') {
			atom_cost = 1;
			/* a class: ']' first is a member, escapes skipped */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']')
				p += p[0] == '\\' && p[1] != '\0' ? 2 : 1;
			if (*p == ']')
				p++;
		} else if (strchr("|^$*+?", *p) != NULL) {
			p++;
			continue;
		} else if ((k = quant_brace(p, &bound)) != 0) {
			/* the item before, counted once already, now m times */
			size[depth] -= last_size;
			cost[depth] -= last_cost;
			last_size = cost_mul(last_size, bound);
			last_cost = last_size;
			size[depth] = cost_add(size[depth], last_size);
			cost[depth] = cost_add(cost[depth], last_cost);
			p += k;
			continue;
		} else {
			p++;
		}
		last_size = atom_size;
		last_cost = atom_cost;
		size[depth] = cost_add(size[depth], atom_size);
		cost[depth] = cost_add(cost[depth], atom_cost);
	}
	while (depth > 0) {
		cost[depth - 1] = cost_add(cost[depth - 1], cost[depth]);
		depth--;
	}
	return cost[0];
}

/*
 * hs_expression_ext_info() of e: 0, or -EINVAL with "PREFIX: message" in
 * why; *min_width is set.
 */
int
ctl_hsexpr_check(const char *pattern, unsigned int flags,
		 const hs_expr_ext_t *ext, const char *prefix,
		 unsigned int *min_width, char *why, size_t why_len)
{
	hs_compile_error_t *cerr = NULL;
	hs_expr_info_t *info = NULL;
	size_t cost;

	flags &= ~(HS_FLAG_SINGLEMATCH | HS_FLAG_QUIET);
	/* first: hs_expression_ext_info() itself takes seconds on a bomb */
	cost = ctl_hsexpr_cost(pattern);
	if (cost > CTL_HSEXPR_COST_MAX) {
		bw_why_set(why, why_len,
			   "%s: too costly to compile: its bounded repeats "
			   "unroll to %zu positions, more than %u",
			   prefix, cost, CTL_HSEXPR_COST_MAX);
		return -EINVAL;
	}
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

void
ctl_hsexpr_rule_free(struct ctl_hsexpr_rule *x)
{
	CTL_ARRAY_FREE(x->e, x->n, pattern);
	memset(x, 0, sizeof(*x));
}

/*
 * The terms of r as expressions (no ids yet). With check, each pcre and
 * each expression goes through hs_expression_ext_info(). Returns 0,
 * -EINVAL with a reason, or -ENOMEM. Any thread.
 */
int
ctl_hsexpr_rule_make(const struct ctl_rule *r, int check,
		     struct ctl_hsexpr_rule *x, char *why, size_t why_len)
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
			struct ctl_hsstr b = {0};

			if (r->m[i].kind != CTL_MATCH_PCRE)
				continue;
			sb_pcre(&b, &p);
			ret = b.err ? -ENOMEM
				    : ctl_hsexpr_check(
					      b.s, 0, NULL,
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
		ret = ctl_hsexpr_check(
			x->e[i].pattern, x->e[i].flags,
			x->e[i].has_ext ? &x->e[i].ext : NULL,
			"hyperscan rejects the mapped expression", &width, why,
			why_len);
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
		ctl_hsexpr_rule_free(x);
	return ret;
}

int
ctl_hsmap_check(const struct ctl_rule *r, char *why, size_t why_len, void *arg)
{
	struct ctl_hsexpr_rule x;
	int ret;

	(void)arg;
	ret = ctl_hsexpr_rule_make(r, 1, &x, why, why_len);
	if (ret == -ENOMEM)
		bw_why_set(why, why_len, "out of memory");
	ctl_hsexpr_rule_free(&x);
	return ret;
}
