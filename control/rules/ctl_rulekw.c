/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the option keywords of a rule: the keyword table (ctl_rulekw.h)
 * and one parse function per keyword, which fill the rule model.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_rulekw.h"
#include "ctl_rulelex.h"
#include "ctl_rules.h"

#define NUM_MAX	  65535	 /* offset, depth, within, isdataat */
#define DSIZE_MAX 65535u /* bytes of payload */

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
content_bytes(struct ctl_ruleparse *rp, const char *s, size_t n, uint8_t **out,
	      uint32_t *len)
{
	uint8_t *b = malloc(n + 1);
	size_t i, o = 0;
	int hex = 0, hi = -1;

	if (b == NULL)
		return ctl_ruleparse_fail(rp, -ENOMEM, "%s", "");
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '|') {
			if (hex && hi >= 0) {
				ctl_ruleparse_fail(
					rp, -EINVAL,
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
				ctl_ruleparse_fail(
					rp, -EINVAL,
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
				ctl_ruleparse_fail(
					rp, -EINVAL,
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
		ctl_ruleparse_fail(rp, -EINVAL,
				   "invalid content: unterminated hex block");
		goto err_free;
	}
	if (o == 0) {
		ctl_ruleparse_fail(rp, -EINVAL, "invalid content: empty");
		goto err_free;
	}
	if (o > CTL_RULE_CONTENT_MAX) {
		ctl_ruleparse_fail(rp, -EINVAL,
				   "invalid content: longer than %u bytes",
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
match_new(struct ctl_ruleparse *rp, enum ctl_match_kind kind)
{
	struct ctl_rule_match *m;

	if (rp->r.nb_m >= CTL_RULE_MATCH_MAX) {
		ctl_ruleparse_fail(
			rp, -EINVAL,
			"invalid rule: more than %d content/pcre/isdataat",
			CTL_RULE_MATCH_MAX);
		return NULL;
	}
	m = realloc(rp->r.m, (rp->r.nb_m + 1) * sizeof(*m));
	if (m == NULL) {
		ctl_ruleparse_fail(rp, -ENOMEM, "%s", "");
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
kw_content(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m;
	int neg = negation(&v, &n);
	uint8_t *bytes = NULL;
	uint32_t len = 0;

	(void)kw;
	if (unquote(&v, &n))
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid content: not a quoted string");
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

/* The content a modifier applies to (the dispatcher checked there is one). */
static struct ctl_rule_match *
last_content(struct ctl_ruleparse *rp)
{
	return &rp->r.m[rp->last_content];
}

static int
kw_nocase(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m = last_content(rp);

	(void)kw;
	(void)v;
	(void)n;
	if (m->flags & CTL_MATCH_NOCASE)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: nocase twice");
	m->flags |= CTL_MATCH_NOCASE;
	return 0;
}

/* startswith is offset:0; depth:len */
static int
kw_startswith(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m = last_content(rp);

	(void)kw;
	(void)v;
	(void)n;
	if (m->flags & (CTL_MATCH_OFFSET | CTL_MATCH_DEPTH |
			CTL_MATCH_DISTANCE | CTL_MATCH_WITHIN))
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: startswith with "
					  "offset, depth, distance or within");
	m->flags |= CTL_MATCH_OFFSET | CTL_MATCH_DEPTH;
	m->offset = 0;
	m->depth = m->len;
	return 0;
}

/*
 * depth, offset, distance or within (kw, its bit CTL_MATCH_*) of the last
 * content, with Suricata's consistency checks.
 */
static int
kw_position(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m = last_content(rp);
	uint32_t bit = kw[0] == 'o'   ? CTL_MATCH_OFFSET
		       : kw[0] == 'w' ? CTL_MATCH_WITHIN
		       : kw[1] == 'e' ? CTL_MATCH_DEPTH
				      : CTL_MATCH_DISTANCE;
	long val = 0;

	if (bit == CTL_MATCH_DISTANCE) {
		if (ctl_rulelex_long(v, n, -NUM_MAX, NUM_MAX, &val))
			goto err_value;
	} else {
		if (ctl_rulelex_long(v, n, 0, NUM_MAX, &val))
			goto err_value;
	}
	if (m->flags & bit)
		return ctl_ruleparse_fail(rp, -EINVAL, "invalid rule: %s twice",
					  kw);
	m->flags |= bit;
	if ((m->flags & (CTL_MATCH_OFFSET | CTL_MATCH_DEPTH)) &&
	    (m->flags & (CTL_MATCH_DISTANCE | CTL_MATCH_WITHIN)))
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: content mixes "
					  "depth/offset with distance/within");
	switch (bit) {
	case CTL_MATCH_DEPTH:
		if ((uint32_t)val < m->len)
			return ctl_ruleparse_fail(
				rp, -EINVAL,
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
			return ctl_ruleparse_fail(
				rp, -EINVAL,
				"invalid rule: within %ld is smaller "
				"than the content (%u bytes)",
				val, m->len);
		m->within = (uint32_t)val;
		m->flags |= CTL_MATCH_RELATIVE;
		break;
	}
	return 0;

err_value : {
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];

	ctl_rulelex_excerpt(ex, sizeof(ex), v, n);
	return ctl_ruleparse_fail(rp, -EINVAL, "invalid rule: bad %s '%s'", kw,
				  ex);
}
}

static int
kw_pcre(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m;
	int neg = negation(&v, &n);
	const char *slash;
	uint32_t pf = 0, mf = 0;
	size_t i, blen;

	(void)kw;
	if (unquote(&v, &n) || n < 2 || v[0] != '/')
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid pcre: not a quoted /regex/flags");
	for (slash = v + n - 1; slash > v && *slash != '/'; slash--)
		;
	if (slash == v)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid pcre: no closing '/'");
	blen = (size_t)(slash - v - 1);
	if (blen == 0)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid pcre: empty regex");
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
				return ctl_ruleparse_fail(
					rp, -EINVAL, "unsupported pcre flag %c",
					v[i]);
			return ctl_ruleparse_fail(
				rp, -EINVAL, "invalid pcre: bad flag byte");
		}
	}
	m = match_new(rp, CTL_MATCH_PCRE);
	if (m == NULL)
		return rp->err;
	m->data = malloc(blen + 1);
	if (m->data == NULL)
		return ctl_ruleparse_fail(rp, -ENOMEM, "%s", "");
	memcpy(m->data, v + 1, blen);
	m->data[blen] = '\0';
	m->len = (uint32_t)blen;
	m->pcre = pf;
	m->flags = mf | (neg ? CTL_MATCH_NEGATED : 0);
	return 0;
}

static int
kw_isdataat(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_match *m;
	const char *comma;
	int neg = negation(&v, &n);
	uint32_t flags = neg ? CTL_MATCH_NEGATED : 0;
	size_t a;
	long val;

	(void)kw;
	comma = memchr(v, ',', n);
	a = comma != NULL ? (size_t)(comma - v) : n;
	if (ctl_rulelex_long(v, a, 0, NUM_MAX, &val))
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: bad isdataat");
	while (comma != NULL) {
		const char *w = comma + 1, *next;
		size_t wn;

		next = memchr(w, ',', n - (size_t)(w - v));
		wn = next != NULL ? (size_t)(next - w) : n - (size_t)(w - v);
		trim(&w, &wn);
		if (token_is(w, wn, "relative"))
			flags |= CTL_MATCH_RELATIVE;
		else if (token_is(w, wn, "rawbytes"))
			return ctl_ruleparse_fail(
				rp, -EINVAL,
				"unsupported keyword isdataat "
				"rawbytes");
		else
			return ctl_ruleparse_fail(
				rp, -EINVAL,
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
kw_dsize(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	struct ctl_rule_dsize *d = &rp->r.dsize;
	const char *sep;
	long a, b;

	(void)kw;
	trim(&v, &n);
	d->op = CTL_DSIZE_IN;
	if (n >= 2 && (v[0] == '<' || v[0] == '>') && v[1] == '=') {
		if (ctl_rulelex_long(v + 2, n - 2, 0, DSIZE_MAX, &a))
			goto err_bad;
		d->min = v[0] == '<' ? 0 : (uint32_t)a;
		d->max = v[0] == '<' ? (uint32_t)a : DSIZE_MAX;
	} else if (n >= 1 && (v[0] == '<' || v[0] == '>')) {
		if (ctl_rulelex_long(v + 1, n - 1, 0, DSIZE_MAX, &a))
			goto err_bad;
		if ((v[0] == '<' && a == 0) || (v[0] == '>' && a == DSIZE_MAX))
			goto err_never;
		d->min = v[0] == '<' ? 0 : (uint32_t)a + 1;
		d->max = v[0] == '<' ? (uint32_t)a - 1 : DSIZE_MAX;
	} else if (n >= 1 && v[0] == '!') {
		if (ctl_rulelex_long(v + 1, n - 1, 0, DSIZE_MAX, &a))
			goto err_bad;
		d->op = CTL_DSIZE_OUT;
		d->min = d->max = (uint32_t)a;
	} else if ((sep = strstr(v, "<>")) != NULL && sep < v + n) {
		if (ctl_rulelex_long(v, (size_t)(sep - v), 0, DSIZE_MAX, &a) ||
		    ctl_rulelex_long(sep + 2, n - (size_t)(sep - v) - 2, 0,
				     DSIZE_MAX, &b))
			goto err_bad;
		goto range;
	} else if ((sep = memchr(v + 1, '-', n > 1 ? n - 1 : 0)) != NULL) {
		if (ctl_rulelex_long(v, (size_t)(sep - v), 0, DSIZE_MAX, &a) ||
		    ctl_rulelex_long(sep + 1, n - (size_t)(sep - v) - 1, 0,
				     DSIZE_MAX, &b))
			goto err_bad;
		goto range;
	} else {
		if (ctl_rulelex_long(v, n, 0, DSIZE_MAX, &a))
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
	return ctl_ruleparse_fail(rp, -EINVAL,
				  "invalid rule: dsize matches nothing");
err_bad : {
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];

	ctl_rulelex_excerpt(ex, sizeof(ex), v, n);
	return ctl_ruleparse_fail(rp, -EINVAL, "invalid rule: bad dsize '%s'",
				  ex);
}
}

static int
kw_flow(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	const char *end = v + n;

	(void)kw;
	while (v < end) {
		const char *comma = memchr(v, ',', (size_t)(end - v));
		const char *w = v;
		size_t wn = (size_t)((comma != NULL ? comma : end) - v);
		char ex[CTL_RULELEX_EXCERPT_LEN + 8];

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
			ctl_rulelex_excerpt(ex, sizeof(ex), w, wn);
			return ctl_ruleparse_fail(
				rp, -EINVAL, "unsupported flow option %s", ex);
		}
	}
	if ((rp->r.flags & CTL_RULE_FLOW_TO_SERVER) &&
	    (rp->r.flags & CTL_RULE_FLOW_TO_CLIENT))
		return ctl_ruleparse_fail(
			rp, -EINVAL,
			"invalid rule: flow both to_server and "
			"to_client");
	return 0;
}

static int
kw_msg(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	(void)kw;
	trim(&v, &n);
	if (n >= 2 && v[0] == '"' && unquote(&v, &n))
		return ctl_ruleparse_fail(rp, -EINVAL, "invalid rule: bad msg");
	free(rp->r.msg);
	rp->r.msg = unescape_text(v, n);
	return rp->r.msg == NULL ? ctl_ruleparse_fail(rp, -ENOMEM, "%s", "")
				 : 0;
}

/* sid, rev and priority: a missing value is a bad one. */
static int
kw_number(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	int is_sid = kw[0] == 's', is_rev = kw[0] == 'r';
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];
	long val;

	if (v == NULL ||
	    ctl_rulelex_long(v, n, is_rev ? 0 : 1,
			     is_sid || is_rev ? (long)UINT32_MAX : 255, &val)) {
		ctl_rulelex_excerpt(ex, sizeof(ex), v != NULL ? v : "",
				    v ? n : 0);
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: bad %s '%s'", kw, ex);
	}
	if (is_sid)
		rp->r.sid = (uint32_t)val;
	else if (is_rev)
		rp->r.rev = (uint32_t)val;
	else
		rp->r.priority = (int32_t)val;
	return 0;
}

/* classtype: a missing value is a bad one. */
static int
kw_classtype(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	size_t i;

	(void)kw;
	if (v != NULL)
		trim(&v, &n);
	if (v == NULL || n == 0)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: bad classtype");
	for (i = 0; i < n; i++) {
		if (!is_word(v[i]) && v[i] != '-')
			return ctl_ruleparse_fail(
				rp, -EINVAL, "invalid rule: bad classtype");
	}
	free(rp->r.classtype);
	rp->r.classtype = strndup(v, n);
	return rp->r.classtype == NULL
		       ? ctl_ruleparse_fail(rp, -ENOMEM, "%s", "")
		       : 0;
}

/*
 * Every keyword the parser takes; any other skips the rule. A row's
 * index is its bit in struct ctl_ruleparse.seen. sid, rev, priority and
 * classtype have no VALUE flag: their parse functions name a missing
 * value a bad one ("invalid rule: bad sid ''"), after the repeat check.
 */
static const struct ctl_rulekw keywords[] = {
	/* about the rule: no effect on matching */
	{"msg", kw_msg, CTL_RULEKW_VALUE | CTL_RULEKW_ONCE,
	 "invalid rule: bad msg"},
	{"sid", kw_number, CTL_RULEKW_ONCE, NULL},
	{"rev", kw_number, CTL_RULEKW_ONCE, NULL},
	{"priority", kw_number, CTL_RULEKW_ONCE, NULL},
	{"classtype", kw_classtype, CTL_RULEKW_ONCE, NULL},
	{"reference", NULL, 0, NULL},
	{"metadata", NULL, 0, NULL},
	{"target", NULL, 0, NULL},
	/* payload conditions */
	{"content", kw_content, CTL_RULEKW_VALUE, "invalid content: no value"},
	{"pcre", kw_pcre, CTL_RULEKW_VALUE, "invalid pcre: no value"},
	{"isdataat", kw_isdataat, CTL_RULEKW_VALUE,
	 "invalid rule: bad isdataat"},
	/* content modifiers */
	{"nocase", kw_nocase, CTL_RULEKW_MODIFIER | CTL_RULEKW_NOVALUE, NULL},
	{"startswith", kw_startswith, CTL_RULEKW_MODIFIER | CTL_RULEKW_NOVALUE,
	 NULL},
	{"depth", kw_position, CTL_RULEKW_MODIFIER | CTL_RULEKW_VALUE, NULL},
	{"offset", kw_position, CTL_RULEKW_MODIFIER | CTL_RULEKW_VALUE, NULL},
	{"distance", kw_position, CTL_RULEKW_MODIFIER | CTL_RULEKW_VALUE, NULL},
	{"within", kw_position, CTL_RULEKW_MODIFIER | CTL_RULEKW_VALUE, NULL},
	/* a prefilter hint: Hyperscan needs none */
	{"fast_pattern", NULL, CTL_RULEKW_MODIFIER, NULL},
	/* packet and flow conditions */
	{"dsize", kw_dsize, CTL_RULEKW_VALUE | CTL_RULEKW_ONCE,
	 "invalid rule: bad dsize"},
	{"flow", kw_flow, CTL_RULEKW_VALUE | CTL_RULEKW_ONCE,
	 "invalid rule: bad flow"},
};

#define NB_KEYWORDS (sizeof(keywords) / sizeof(keywords[0]))

static_assert(NB_KEYWORDS <= 32, "struct ctl_ruleparse.seen has 32 bits");

const struct ctl_rulekw *
ctl_rulekw_find(const char *name)
{
	size_t i;

	for (i = 0; i < NB_KEYWORDS; i++) {
		if (strcmp(name, keywords[i].name) == 0)
			return &keywords[i];
	}
	return NULL;
}

const char *
ctl_rule_keyword(size_t i)
{
	return i < NB_KEYWORDS ? keywords[i].name : NULL;
}

/*
 * Keywords of Suricata and Snort rules that Bulwark does not take: a rule
 * with one is skipped as "unsupported keyword K". A keyword in neither
 * this list nor the table is taken for a typo ("unknown keyword").
 */
static const char *const foreign[] = {
	"activated_by",
	"activates",
	"app-layer-event",
	"app-layer-protocol",
	"asn1",
	"base64_data",
	"base64_decode",
	"bsize",
	"byte_extract",
	"byte_jump",
	"byte_math",
	"byte_test",
	"cip_service",
	"count",
	"datarep",
	"dataset",
	"dce_iface",
	"dce_opnum",
	"dce_stub_data",
	"decode-event",
	"detection_filter",
	"dnp3_data",
	"dnp3_func",
	"dnp3_ind",
	"dnp3_obj",
	"dns.query",
	"dns_query",
	"endswith",
	"enip_command",
	"file.data",
	"file_data",
	"fileext",
	"filemagic",
	"filemd5",
	"filename",
	"filesha1",
	"filesha256",
	"filesize",
	"filestore",
	"flags",
	"flow.age",
	"flowbits",
	"flowint",
	"fragbits",
	"fragoffset",
	"ftpbounce",
	"geoip",
	"gid",
	"http.accept",
	"http.connection",
	"http.content_type",
	"http.cookie",
	"http.header",
	"http.header_names",
	"http.host",
	"http.method",
	"http.protocol",
	"http.referer",
	"http.request_body",
	"http.request_line",
	"http.response_body",
	"http.response_line",
	"http.server",
	"http.start",
	"http.stat_code",
	"http.stat_msg",
	"http.uri",
	"http.uri.raw",
	"http.user_agent",
	"http_client_body",
	"http_cookie",
	"http_header",
	"http_host",
	"http_method",
	"http_raw_header",
	"http_raw_uri",
	"http_server_body",
	"http_stat_code",
	"http_stat_msg",
	"http_uri",
	"http_user_agent",
	"icmp_id",
	"icmp_seq",
	"icode",
	"id",
	"ip_proto",
	"ipopts",
	"iprep",
	"itype",
	"ja3.hash",
	"ja3.string",
	"ja3_hash",
	"ja3s.hash",
	"krb5_msg_type",
	"logto",
	"lua",
	"luajit",
	"modbus",
	"noalert",
	"pkt_data",
	"rawbytes",
	"react",
	"replace",
	"resp",
	"sameip",
	"seq",
	"ack",
	"session",
	"ssh.proto",
	"ssh.software",
	"ssh_proto",
	"stream-event",
	"stream_size",
	"tag",
	"threshold",
	"tls.cert_issuer",
	"tls.cert_subject",
	"tls.fingerprint",
	"tls.sni",
	"tls.version",
	"tls_sni",
	"tos",
	"ttl",
	"uricontent",
	"urilen",
	"window",
	"xbits",
};

#define NB_FOREIGN (sizeof(foreign) / sizeof(foreign[0]))
#define KW_LEN_MAX 32 /* longest keyword the typo hint compares */

/*
 * Edits (insert, delete, replace, swap of neighbours) from a to b, or
 * KW_LEN_MAX + 1 when one is longer than KW_LEN_MAX.
 */
static size_t
kw_distance(const char *a, const char *b)
{
	size_t d[KW_LEN_MAX + 1][KW_LEN_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, v;

	if (la > KW_LEN_MAX || lb > KW_LEN_MAX)
		return KW_LEN_MAX + 1;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* Skip a rule for keyword kw, which the table does not hold. */
static int
unknown_keyword(struct ctl_ruleparse *rp, const char *kw)
{
	size_t i, d, best_d = SIZE_MAX, limit = strlen(kw) <= 4 ? 1 : 2;
	const char *best = NULL, *name;

	for (i = 0; i < NB_FOREIGN; i++)
		if (strcmp(kw, foreign[i]) == 0)
			return ctl_ruleparse_fail(rp, -EINVAL,
						  "unsupported keyword %s", kw);
	for (i = 0; i < NB_KEYWORDS + NB_FOREIGN; i++) {
		name = i < NB_KEYWORDS ? keywords[i].name
				       : foreign[i - NB_KEYWORDS];
		d = kw_distance(kw, name);
		if (d < best_d) {
			best_d = d;
			best = name;
		}
	}
	if (best != NULL && best_d <= limit)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "unknown keyword %s (a typo of "
					  "%s?)",
					  kw, best);
	return ctl_ruleparse_fail(rp, -EINVAL,
				  "unknown keyword %s (not a Suricata or "
				  "Snort keyword Bulwark knows)",
				  kw);
}

int
ctl_rulekw_parse(struct ctl_ruleparse *rp, const char *kw, const char *v,
		 size_t n)
{
	const struct ctl_rulekw *k = ctl_rulekw_find(kw);
	uint32_t bit;

	if (k == NULL)
		return unknown_keyword(rp, kw);
	bit = 1u << (k - keywords);
	if ((k->flags & CTL_RULEKW_MODIFIER) && rp->last_content < 0)
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid rule: %s without a content", kw);
	if (k->parse == NULL)
		return 0;
	if ((k->flags & CTL_RULEKW_NOVALUE) && v != NULL)
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid rule: %s takes no value", kw);
	if ((k->flags & CTL_RULEKW_VALUE) && v == NULL) {
		if (k->no_value != NULL)
			return ctl_ruleparse_fail(rp, -EINVAL, "%s",
						  k->no_value);
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: %s needs a value", kw);
	}
	if (k->flags & CTL_RULEKW_ONCE) {
		if (rp->seen & bit)
			return ctl_ruleparse_fail(rp, -EINVAL,
						  "invalid rule: %s twice", kw);
		rp->seen |= bit;
	}
	return k->parse(rp, kw, v, n);
}
