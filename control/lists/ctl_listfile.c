/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Block-list parsers for bulwarkctl. The whole file is read into memory and
 * walked line by line without copying, so lines of any length work (ET
 * rules carry ~100 KB address lists). Entries go to a private set that is
 * merged into the caller's only when the whole file was acceptable.
 *
 * Common to every format: a line is cut at '\n', a '\r' before it is
 * dropped (CRLF files), blanks and tabs around it are trimmed, and empty
 * lines and lines starting with '#' or ';' are comments. Auto-detection
 * looks at the first line that is neither.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_listfile.h"

struct span {
	const char *p;
	size_t n;
};

/* State of one parse. */
struct list_parse {
	const char *name; /* file name in messages */
	FILE *diag;	  /* where messages go */
	enum ctl_list_format fmt;
	unsigned int csv_column; /* 1-based, 0 until detected */
	int seen_data;		 /* a non-comment line was seen */
	size_t lineno;		 /* 1-based, of the line being parsed */
	struct ctl_prefix_set tmp;
	struct ctl_list_parse_stats st;
};

static const char *const format_names[] = {
	[CTL_FMT_AUTO] = "auto",	 [CTL_FMT_PLAIN] = "plain",
	[CTL_FMT_SPAMHAUS] = "spamhaus", [CTL_FMT_IPSUM] = "ipsum",
	[CTL_FMT_CSV] = "csv",		 [CTL_FMT_RULES] = "rules",
};

#define NB_FORMATS (sizeof(format_names) / sizeof(format_names[0]))

const char *
ctl_list_format_name(enum ctl_list_format fmt)
{
	if ((unsigned int)fmt >= NB_FORMATS)
		return "?";
	return format_names[fmt];
}

int
ctl_list_format_parse(const char *s, enum ctl_list_format *fmt,
		      unsigned int *csv_column)
{
	unsigned long v;
	unsigned int i;
	char *end;

	for (i = 0; i < NB_FORMATS; i++) {
		if (strcmp(s, format_names[i]) == 0) {
			*fmt = (enum ctl_list_format)i;
			*csv_column = 0;
			return 0;
		}
	}
	if (strncmp(s, "csv:", 4) != 0 || s[4] < '1' || s[4] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s + 4, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return -EINVAL;
	*fmt = CTL_FMT_CSV;
	*csv_column = (unsigned int)v;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static struct span
span_trim(struct span s)
{
	while (s.n > 0 && is_blank(s.p[0])) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && is_blank(s.p[s.n - 1]))
		s.n--;
	return s;
}

/* Skip blanks at the front of *s. */
static void
span_skip_blanks(struct span *s)
{
	while (s->n > 0 && is_blank(s->p[0])) {
		s->p++;
		s->n--;
	}
}

/* Cut from *s the bytes up to the first blank or one of stop (may be ""). */
static struct span
span_take_token(struct span *s, const char *stop)
{
	struct span t = {s->p, 0};

	while (t.n < s->n && !is_blank(s->p[t.n]) &&
	       (s->p[t.n] == '\0' || strchr(stop, s->p[t.n]) == NULL))
		t.n++;
	s->p += t.n;
	s->n -= t.n;
	return t;
}

static int
span_eq(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* Report "NAME:LINE: error: ..." to diag. */
static void __attribute__((format(printf, 2, 3)))
line_error(struct list_parse *lp, const char *fmt, ...)
{
	va_list ap;

	fprintf(lp->diag, "%s:%zu: error: ", lp->name, lp->lineno);
	va_start(ap, fmt);
	vfprintf(lp->diag, fmt, ap);
	va_end(ap);
	fputc('\n', lp->diag);
}

/*
 * Parse one entry and, when add is set, put it in lp->tmp and warn about
 * host bits. Returns 0, -EINVAL (why says why; nothing reported yet) or
 * -ENOMEM.
 */
static int
entry_take(struct list_parse *lp, struct span e, int add, char *why,
	   size_t why_len)
{
	char text[CTL_PREFIX_EXCERPT_LEN + 8], fixed[CTL_PREFIX_STR_LEN];
	struct ctl_prefix p;
	int hb, ret;

	ret = ctl_prefix_parse_why(e.p, e.n, &p, &hb, why, why_len);
	if (ret < 0)
		return -EINVAL;
	if (!add)
		return 0;
	if (hb) {
		ctl_prefix_excerpt(text, sizeof(text), e.p, e.n);
		ctl_prefix_format(&p, fixed, sizeof(fixed));
		fprintf(lp->diag,
			"%s:%zu: warning: host bits set in '%s', using '%s'\n",
			lp->name, lp->lineno, text, fixed);
		lp->st.host_bits_fixed++;
	}
	return ctl_prefix_set_add(&lp->tmp, &p);
}

/* Take one entry and report why it is bad, if it is. */
static int
entry_add(struct list_parse *lp, struct span e)
{
	char why[CTL_PREFIX_WHY_LEN];
	int ret;

	ret = entry_take(lp, e, 1, why, sizeof(why));
	if (ret == -EINVAL)
		line_error(lp, "%s", why);
	return ret;
}

/* Report what follows an entry when it is not a comment. */
static int
check_rest(struct list_parse *lp, struct span rest, struct span entry)
{
	char junk[CTL_PREFIX_EXCERPT_LEN + 8], text[CTL_PREFIX_EXCERPT_LEN + 8];

	span_skip_blanks(&rest);
	if (rest.n == 0 || rest.p[0] == '#' || rest.p[0] == ';')
		return 0;
	ctl_prefix_excerpt(junk, sizeof(junk), rest.p, rest.n);
	ctl_prefix_excerpt(text, sizeof(text), entry.p, entry.n);
	line_error(lp, "trailing junk '%s' after '%s'", junk, text);
	return -EINVAL;
}

/*
 * Plain and Spamhaus: ENTRY, then nothing or a comment from '#' or ';'
 * (Spamhaus' "; SBLnnn" is such a comment).
 */
static int
line_plain(struct list_parse *lp, struct span l)
{
	char why[CTL_PREFIX_WHY_LEN];
	struct span e = span_take_token(&l, "#;");
	int ret;

	ret = entry_take(lp, e, 0, why, sizeof(why));
	if (ret < 0) {
		line_error(lp, "%s", why);
		return ret;
	}
	ret = check_rest(lp, l, e);
	if (ret < 0)
		return ret;
	return entry_add(lp, e);
}

/* ipsum: ADDRESS, blanks, COUNT (digits), then nothing or a comment. */
static int
line_ipsum(struct list_parse *lp, struct span l)
{
	char why[CTL_PREFIX_WHY_LEN], text[CTL_PREFIX_EXCERPT_LEN + 8];
	char cnt[CTL_PREFIX_EXCERPT_LEN + 8];
	struct span e = span_take_token(&l, "");
	struct span c;
	size_t i;
	int ret;

	ret = entry_take(lp, e, 0, why, sizeof(why));
	if (ret < 0) {
		line_error(lp, "%s", why);
		return ret;
	}
	ctl_prefix_excerpt(text, sizeof(text), e.p, e.n);
	span_skip_blanks(&l);
	c = span_take_token(&l, "#");
	if (c.n == 0) {
		line_error(lp, "missing count after '%s'", text);
		return -EINVAL;
	}
	for (i = 0; i < c.n; i++) {
		if (!is_digit(c.p[i])) {
			ctl_prefix_excerpt(cnt, sizeof(cnt), c.p, c.n);
			line_error(lp, "bad count '%s' after '%s'", cnt, text);
			return -EINVAL;
		}
	}
	ret = check_rest(lp, l, c);
	if (ret < 0)
		return ret;
	return entry_add(lp, e);
}

/*
 * Next CSV field of *l into *val: blanks around it trimmed, "..." quotes
 * removed ("" inside is left as is: no address contains a quote).
 * Returns 1 with a field, 0 after the last one, -EINVAL on bad quoting
 * with *why set to a static reason.
 */
static int
csv_next(struct span *l, int *done, struct span *val, const char **why)
{
	if (*done)
		return 0;
	span_skip_blanks(l);
	if (l->n > 0 && l->p[0] == '"') {
		size_t i = 1;

		for (;;) {
			if (i >= l->n) {
				*why = "unterminated quoted field";
				return -EINVAL;
			}
			if (l->p[i] == '"') {
				if (i + 1 < l->n && l->p[i + 1] == '"') {
					i += 2;
					continue;
				}
				break;
			}
			i++;
		}
		val->p = l->p + 1;
		val->n = i - 1;
		l->p += i + 1;
		l->n -= i + 1;
		span_skip_blanks(l);
		if (l->n > 0 && l->p[0] != ',') {
			*why = "junk after quoted field";
			return -EINVAL;
		}
	} else {
		const char *comma = memchr(l->p, ',', l->n);
		size_t n = comma != NULL ? (size_t)(comma - l->p) : l->n;

		val->p = l->p;
		val->n = n;
		*val = span_trim(*val);
		l->p += n;
		l->n -= n;
	}
	if (l->n == 0) {
		*done = 1;
	} else {
		l->p++; /* the ',' */
		l->n--;
	}
	return 1;
}

/*
 * Column (1-based) of the first field of l that is an address into *col,
 * 0 when none. Returns 0, or -EINVAL on bad quoting (reported).
 */
static int
csv_find_address(struct list_parse *lp, struct span l, unsigned int *col)
{
	const char *bad = NULL;
	struct ctl_prefix p;
	unsigned int k = 0;
	struct span v;
	int done = 0, ret;

	*col = 0;
	while ((ret = csv_next(&l, &done, &v, &bad)) > 0) {
		k++;
		if (ctl_prefix_parse(v.p, v.n, &p, NULL) == 0) {
			*col = k;
			return 0;
		}
	}
	if (ret < 0) {
		line_error(lp, "%s in column %u", bad, k + 1);
		return ret;
	}
	return 0;
}

/*
 * CSV: the address is in lp->csv_column, or in the first column that holds
 * one on the first data line when that is 0. The first non-comment line of
 * the file is a header, and skipped, when none of its fields is an address.
 */
static int
line_csv(struct list_parse *lp, struct span l, int first)
{
	char why[CTL_PREFIX_WHY_LEN];
	const char *bad = NULL;
	unsigned int col, k = 0;
	struct span v;
	int done = 0, ret;

	if (lp->csv_column == 0 || first) {
		ret = csv_find_address(lp, l, &col);
		if (ret < 0)
			return ret;
		if (col == 0 && first)
			return 0; /* header */
		if (col == 0) {
			line_error(lp, "no field is an address");
			return -EINVAL;
		}
		if (lp->csv_column == 0) {
			lp->csv_column = col;
			lp->st.csv_column = col;
		}
	}
	while ((ret = csv_next(&l, &done, &v, &bad)) > 0) {
		if (++k == lp->csv_column)
			break;
	}
	if (ret < 0) {
		line_error(lp, "%s in column %u", bad, k + 1);
		return ret;
	}
	if (ret == 0) {
		line_error(lp, "no column %u (line has %u field%s)",
			   lp->csv_column, k, k == 1 ? "" : "s");
		return -EINVAL;
	}
	ret = entry_take(lp, v, 1, why, sizeof(why));
	if (ret == -EINVAL)
		line_error(lp, "%s in column %u", why, lp->csv_column);
	return ret;
}

/*
 * Next token of a rule header: a run of non-blanks where a '[' opens a
 * group that runs, blanks included, to its matching ']'. Returns 0, or
 * -EINVAL for an unterminated group.
 */
static int
rule_token(struct span *l, struct span *tok)
{
	size_t i = 0;
	int depth = 0;

	span_skip_blanks(l);
	tok->p = l->p;
	while (i < l->n && (depth > 0 || !is_blank(l->p[i]))) {
		if (l->p[i] == '[')
			depth++;
		else if (l->p[i] == ']' && depth > 0)
			depth--;
		i++;
	}
	tok->n = i;
	l->p += i;
	l->n -= i;
	return depth > 0 ? -EINVAL : 0;
}

/* "any" or a variable: a side of the rule that names no addresses. */
static int
rule_side_is_var(struct span s)
{
	return span_eq(s, "any") || (s.n > 0 && s.p[0] == '$');
}

/*
 * Walk the address list tok ("[a,b/nn,...]" or one address), checking
 * every entry; with add set, take them too (only after a clean check, so
 * that a bad line adds nothing and warns about nothing).
 */
static int
rule_list_walk(struct list_parse *lp, struct span tok, int add)
{
	char why[CTL_PREFIX_WHY_LEN], text[CTL_PREFIX_EXCERPT_LEN + 8];
	struct span body = tok, e;
	const char *comma;
	int ret;

	if (tok.p[0] == '!') {
		line_error(lp, "negated address not supported in a list");
		return -EINVAL;
	}
	if (tok.p[0] == '[') {
		if (tok.p[tok.n - 1] != ']') {
			ctl_prefix_excerpt(text, sizeof(text), tok.p, tok.n);
			line_error(lp, "junk after address list '%s'", text);
			return -EINVAL;
		}
		body.p = tok.p + 1;
		body.n = tok.n - 2;
	}
	for (;;) {
		comma = memchr(body.p, ',', body.n);
		e.p = body.p;
		e.n = comma != NULL ? (size_t)(comma - body.p) : body.n;
		e = span_trim(e);
		if (e.n == 0) {
			line_error(lp, "empty entry in address list");
			return -EINVAL;
		}
		if (e.p[0] == '!') {
			line_error(lp,
				   "negated address not supported in a list");
			return -EINVAL;
		}
		if (e.p[0] == '[') {
			line_error(lp, "nested address group not supported");
			return -EINVAL;
		}
		if (e.p[0] == '$') {
			ctl_prefix_excerpt(text, sizeof(text), e.p, e.n);
			line_error(lp,
				   "address variable '%s' not supported in a "
				   "list",
				   text);
			return -EINVAL;
		}
		ret = entry_take(lp, e, add, why, sizeof(why));
		if (ret == -EINVAL)
			line_error(lp, "%s", why);
		if (ret < 0)
			return ret;
		if (comma == NULL)
			return 0;
		body.n -= (size_t)(comma + 1 - body.p);
		body.p = comma + 1;
	}
}

/*
 * Suricata/Snort rule "ACTION PROTO SRC SPORT DIR DST DPORT (options)".
 * An IP-reputation rule lists the addresses on one side and leaves the
 * other to a variable. We take SRC when it is a literal (an address or
 * "[...]"), else DST when that is a literal: ET writes both inbound
 * ("[list] any -> $HOME_NET any") and outbound ("$HOME_NET any -> [list]
 * any") rules. A rule with literals on both sides names one flow, not a
 * reputation list; SRC is taken then. The options are not read. A "pass"
 * rule is refused: its addresses are to be let through, not blocked.
 */
static int
line_rule(struct list_parse *lp, struct span l)
{
	static const char *const actions[] = {"alert",	   "drop",
					      "reject",	   "rejectsrc",
					      "rejectdst", "rejectboth"};
	struct span tok[7], list;
	char text[CTL_PREFIX_EXCERPT_LEN + 8];
	unsigned int i;
	int ret;

	for (i = 0; i < 7; i++) {
		if (rule_token(&l, &tok[i]) < 0) {
			line_error(lp, "unterminated address list");
			return -EINVAL;
		}
		if (tok[i].n == 0 || tok[i].p[0] == '(') {
			line_error(lp, "truncated rule header");
			return -EINVAL;
		}
	}
	if (span_eq(tok[0], "pass")) {
		line_error(lp, "pass rule: its addresses are let through, "
			       "not blocked");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (span_eq(tok[0], actions[i]))
			break;
	}
	if (i == sizeof(actions) / sizeof(actions[0])) {
		ctl_prefix_excerpt(text, sizeof(text), tok[0].p, tok[0].n);
		line_error(lp, "not a rule: unknown action '%s'", text);
		return -EINVAL;
	}
	if (!span_eq(tok[4], "->") && !span_eq(tok[4], "<>")) {
		ctl_prefix_excerpt(text, sizeof(text), tok[4].p, tok[4].n);
		line_error(lp, "bad rule direction '%s'", text);
		return -EINVAL;
	}
	span_skip_blanks(&l);
	if (l.n > 0 && l.p[0] != '(') {
		ctl_prefix_excerpt(text, sizeof(text), l.p, l.n);
		line_error(lp, "trailing junk '%s' after the rule header",
			   text);
		return -EINVAL;
	}
	if (!rule_side_is_var(tok[2])) {
		list = tok[2];
	} else if (!rule_side_is_var(tok[5])) {
		list = tok[5];
	} else {
		line_error(lp, "rule has no address list");
		return -EINVAL;
	}
	ret = rule_list_walk(lp, list, 0);
	if (ret < 0)
		return ret;
	return rule_list_walk(lp, list, 1);
}

/* Does l start with a rule action and a protocol? */
static int
looks_like_rule(struct span l)
{
	static const char *const actions[] = {"alert", "drop", "pass",
					      "reject"};
	struct span a = span_take_token(&l, ""), proto;
	unsigned int i;
	size_t j;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (span_eq(a, actions[i]))
			break;
	}
	if (i == sizeof(actions) / sizeof(actions[0]) || l.n == 0)
		return 0;
	span_skip_blanks(&l);
	proto = span_take_token(&l, "");
	if (proto.n == 0 || l.n == 0)
		return 0;
	for (j = 0; j < proto.n; j++) {
		char c = proto.p[j];

		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !is_digit(c) && c != '-' && c != '_')
			return 0;
	}
	return 1;
}

/*
 * Format of a file from its first data line (trimmed, not a comment), by
 * shape rather than by a successful parse so that a bad first line is
 * reported in the file's own format.
 */
static enum ctl_list_format
detect(struct span l)
{
	struct span rest = l, tok;
	size_t i;

	if (looks_like_rule(l))
		return CTL_FMT_RULES;
	if (memmem(l.p, l.n, " ; SBL", 6) != NULL)
		return CTL_FMT_SPAMHAUS;
	tok = span_take_token(&rest, ",;#");
	if (tok.n > 0 && rest.n > 0 && rest.p[0] == '\t') {
		/* TOKEN<TAB>digits */
		struct span cnt = span_trim(rest);

		for (i = 0; i < cnt.n && is_digit(cnt.p[i]); i++)
			;
		if (cnt.n > 0 && i == cnt.n)
			return CTL_FMT_IPSUM;
	}
	span_skip_blanks(&rest);
	if (tok.n > 0 && rest.n > 0 && rest.p[0] == ';') {
		/* CIDR ; token */
		rest.p++;
		rest.n--;
		span_skip_blanks(&rest);
		if (rest.n > 0)
			return CTL_FMT_SPAMHAUS;
	}
	if (tok.n > 0 && (rest.n == 0 || rest.p[0] == '#' || rest.p[0] == ';'))
		return CTL_FMT_PLAIN;
	if (memchr(l.p, ',', l.n) != NULL)
		return CTL_FMT_CSV;
	return CTL_FMT_PLAIN;
}

/* Parse one data line in lp->fmt. Returns 0, -EINVAL (reported), -ENOMEM. */
static int
line_parse(struct list_parse *lp, struct span l, int first)
{
	switch (lp->fmt) {
	case CTL_FMT_IPSUM:
		return line_ipsum(lp, l);
	case CTL_FMT_CSV:
		return line_csv(lp, l, first);
	case CTL_FMT_RULES:
		return line_rule(lp, l);
	case CTL_FMT_AUTO:
	case CTL_FMT_PLAIN:
	case CTL_FMT_SPAMHAUS:
	default:
		return line_plain(lp, l);
	}
}

/*
 * Walk every line of buf. Returns 0 (bad lines counted in lp->st.invalid)
 * or -ENOMEM.
 */
static int
parse_lines(struct list_parse *lp, const char *buf, size_t len)
{
	size_t off = 0;
	int ret;

	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t n = nl != NULL ? (size_t)(nl - (buf + off)) : len - off;
		struct span l = {buf + off, n};
		int first;

		off += n + (nl != NULL);
		lp->lineno++;
		if (l.n > 0 && l.p[l.n - 1] == '\r')
			l.n--;
		l = span_trim(l);
		if (l.n == 0 || l.p[0] == '#' || l.p[0] == ';')
			continue;
		if (lp->fmt == CTL_FMT_AUTO)
			lp->fmt = detect(l);
		first = !lp->seen_data;
		lp->seen_data = 1;
		ret = line_parse(lp, l, first);
		if (ret == -ENOMEM)
			return ret;
		if (ret < 0)
			lp->st.invalid++;
	}
	return 0;
}

int
ctl_list_parse_buf(const char *name, const char *buf, size_t len,
		   const struct ctl_list_parse_opts *o,
		   struct ctl_prefix_set *out, struct ctl_list_parse_stats *st)
{
	struct list_parse lp;
	size_t n_read;
	int ret;

	memset(&lp, 0, sizeof(lp));
	lp.name = name;
	lp.diag = o != NULL && o->diag != NULL ? o->diag : stderr;
	lp.fmt = o != NULL ? o->format : CTL_FMT_AUTO;
	/* a column given with "auto" applies when CSV is detected */
	lp.csv_column = o != NULL ? o->csv_column : 0;
	lp.st.csv_column = lp.csv_column;

	ret = parse_lines(&lp, buf, len);
	lp.st.lines = lp.lineno;
	lp.st.format = lp.fmt == CTL_FMT_AUTO ? CTL_FMT_PLAIN : lp.fmt;
	if (lp.st.format != CTL_FMT_CSV)
		lp.st.csv_column = 0;
	if (ret < 0)
		goto err_report;
	n_read = lp.tmp.n;
	ctl_prefix_set_sort_unique(&lp.tmp);
	lp.st.duplicates = n_read - lp.tmp.n;
	lp.st.nb_v4 = ctl_prefix_set_count(&lp.tmp, CTL_PREFIX_V4);
	lp.st.nb_v6 = ctl_prefix_set_count(&lp.tmp, CTL_PREFIX_V6);
	lp.st.entries = lp.tmp.n;
	if (lp.st.invalid > 0 && (o == NULL || !o->skip_invalid)) {
		ret = -EINVAL;
		goto out_free;
	}
	if (out->n == 0) {
		/* nothing to merge with: hand the sorted set over */
		ctl_prefix_set_free(out);
		*out = lp.tmp;
		memset(&lp.tmp, 0, sizeof(lp.tmp));
	} else {
		ret = ctl_prefix_set_merge(out, &lp.tmp);
		if (ret < 0)
			goto err_report;
		ctl_prefix_set_sort_unique(out);
	}
	ret = 0;
	goto out_free;

err_report:
	fprintf(lp.diag, "%s: error: %s\n", name, strerror(-ret));
out_free:
	ctl_prefix_set_free(&lp.tmp);
	if (st != NULL)
		*st = lp.st;
	return ret;
}

int
ctl_list_parse_file(const char *path, const struct ctl_list_parse_opts *o,
		    struct ctl_prefix_set *out, struct ctl_list_parse_stats *st)
{
	FILE *diag = o != NULL && o->diag != NULL ? o->diag : stderr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int ret;

	if (st != NULL)
		memset(st, 0, sizeof(*st));
	f = fopen(path, "r");
	if (f == NULL) {
		ret = -errno;
		goto err_report;
	}
	errno = 0;
	ret = bw_file_read_text(f, &buf, &len);
	fclose(f);
	if (ret < 0)
		goto err_report;
	ret = ctl_list_parse_buf(path, buf, len, o, out, st);
	free(buf);
	return ret;

err_report:
	fprintf(diag, "%s: error: %s\n", path, strerror(-ret));
	return ret;
}
