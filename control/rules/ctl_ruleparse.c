/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the loading of rule files: reading a file for a loader
 * (ctl_rules_load_path()), logical lines, the rule header
 * (action, protocol, addresses, ports, direction), splitting the options
 * for the keyword table (ctl_rulekw.c), the checks across options, and
 * adding each rule or its skip to the rule set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_rulekw.h"
#include "ctl_rulelex.h"
#include "ctl_rules.h"
#include "ctl_ruleset.h"

int
ctl_ruleparse_fail(struct ctl_ruleparse *rp, int err, const char *fmt, ...)
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

/*
 * Split the options text [s, end) (between the parentheses) at unescaped
 * ';' and call fn on each option. A keyword is [A-Za-z0-9_.-]+; cut to
 * 63 bytes for fn. Returns 0 or the first error of fn or of the syntax.
 */
static int
for_each_option(struct ctl_ruleparse *rp, const char *s, const char *end,
		ctl_rulekw_fn fn, int stop_on_error)
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
			char ex[CTL_RULELEX_EXCERPT_LEN + 8];

			if (!stop_on_error)
				return -EINVAL;
			ctl_rulelex_excerpt(ex, sizeof(ex), k,
					    (size_t)(end - k));
			return ctl_ruleparse_fail(
				rp, -EINVAL, "invalid rule: bad option at '%s'",
				ex);
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
sid_only(struct ctl_ruleparse *rp, const char *kw, const char *v, size_t n)
{
	long val;

	if (strcmp(kw, "sid") == 0 && v != NULL &&
	    ctl_rulelex_long(v, n, 1, (long)UINT32_MAX, &val) == 0 &&
	    rp->r.sid == 0)
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

static int
parse_header(struct ctl_ruleparse *rp, const char *line, const char *end,
	     const char **opts)
{
	static const char *const names[] = {"source", "source port",
					    "direction", "destination",
					    "destination port"};
	const char *p = line, *f[7];
	size_t fn[7];
	char ex[CTL_RULELEX_EXCERPT_LEN + 8], why[CTL_RULE_WHY_LEN];
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
			/* one of the three words above: no cut, no escape */
			return ctl_ruleparse_fail(rp, -EINVAL,
						  "unsupported action %.*s",
						  (int)fn[0], f[0]);
		} else {
			ctl_rulelex_excerpt(ex, sizeof(ex), f[0], fn[0]);
			return ctl_ruleparse_fail(
				rp, -EINVAL,
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
			ctl_rulelex_excerpt(ex, sizeof(ex), f[1], fn[1]);
			return ctl_ruleparse_fail(
				rp, -EINVAL, "unsupported protocol %s", ex);
		}
	}
	if (i < 7) {
		return ctl_ruleparse_fail(
			rp, -EINVAL,
			"invalid rule: header has %d of 7 fields "
			"(action proto src sport dir dst dport)",
			i);
	}
	if (token_is(f[4], fn[4], "<>"))
		rp->r.flags |= CTL_RULE_BIDIR;
	else if (!token_is(f[4], fn[4], "->")) {
		ctl_rulelex_excerpt(ex, sizeof(ex), f[4], fn[4]);
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid rule: bad direction '%s'", ex);
	}
	for (i = 2; i < 7; i++) {
		if (i == 4)
			continue;
		field = strndup(f[i], fn[i]);
		if (field == NULL)
			return ctl_ruleparse_fail(rp, -ENOMEM, "%s", "");
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
			return ctl_ruleparse_fail(rp, -ENOMEM, "%s", "");
		if (ret)
			return ctl_ruleparse_fail(rp, -EINVAL, "invalid %s: %s",
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

/* The largest L4 or IP payload: an IP packet holds at most 65535 bytes. */
#define PAYLOAD_MAX 65535u

/*
 * Fold the absolute isdataat conditions of r into r->dataat and make the
 * rule packet-scoped. Returns 0 or -EINVAL with the reason.
 */
static int
rule_dataat(struct ctl_ruleparse *rp)
{
	struct ctl_rule *r = &rp->r;
	struct ctl_rule_dataat *d = &r->dataat;
	uint32_t i;

	for (i = 0; i < r->nb_m; i++) {
		const struct ctl_rule_match *m = &r->m[i];

		if (m->kind != CTL_MATCH_ISDATAAT ||
		    (m->flags & CTL_MATCH_RELATIVE))
			continue;
		if (!d->set) {
			d->set = 1;
			d->min = 1; /* a payload keyword needs a payload */
			d->max = PAYLOAD_MAX;
		}
		if (m->flags & CTL_MATCH_NEGATED) {
			if (m->offset < d->max)
				d->max = m->offset;
		} else if (m->offset >= PAYLOAD_MAX) {
			return ctl_ruleparse_fail(
				rp, -EINVAL,
				"never matches: isdataat:%u past the largest "
				"payload (%u bytes)",
				m->offset, PAYLOAD_MAX);
		} else if (m->offset + 1 > d->min) {
			d->min = m->offset + 1;
		}
	}
	if (!d->set)
		return 0;
	if (d->min > d->max)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "never matches: contradicting "
					  "isdataat (%u to %u bytes)",
					  d->min, d->max);
	/* Suricata holds it to the stream chunk it inspects: not ours */
	if (r->flags & CTL_RULE_STREAM)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "cannot check absolute isdataat on "
					  "the stream (only_stream, "
					  "tcp-stream)");
	r->flags |= CTL_RULE_PACKET;
	return 0;
}

/* Checks across options, once all are read. */
static int
rule_finish(struct ctl_ruleparse *rp)
{
	struct ctl_rule *r = &rp->r;

	if (r->sid == 0)
		return ctl_ruleparse_fail(rp, -EINVAL, "invalid rule: no sid");
	/* an ip rule may name ports: packets without ports then never match */
	if (r->proto == CTL_RULE_PROTO_ICMP &&
	    (!ports_any(&r->sport) || !ports_any(&r->dport)))
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid rule: ports with protocol icmp");
	if (r->dsize.op != CTL_DSIZE_NONE)
		r->flags |= CTL_RULE_PACKET;
	if (rule_dataat(rp))
		return rp->err;
	if ((r->flags & CTL_RULE_PACKET) && (r->flags & CTL_RULE_STREAM))
		return ctl_ruleparse_fail(
			rp, -EINVAL,
			"invalid rule: both packet-only (dsize, "
			"no_stream, tcp-pkt) and stream-only");
	if ((r->flags & CTL_RULE_STREAM) && r->proto != CTL_RULE_PROTO_TCP)
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid rule: only_stream without tcp");
	if (r->msg == NULL)
		r->msg = strdup("");
	if (r->classtype == NULL)
		r->classtype = strdup("");
	if (r->msg == NULL || r->classtype == NULL)
		return ctl_ruleparse_fail(rp, -ENOMEM, "%s", "");
	return 0;
}

/*
 * Parse one logical rule (NUL-terminated, len bytes) into rp->r.
 * Returns 0, -EINVAL (rp->why says why; rp->r.sid may be set) or -ENOMEM.
 */
static int
parse_rule(struct ctl_ruleparse *rp, const char *line, size_t len)
{
	const char *end = line + len, *opts = NULL, *close;

	if (memchr(line, '\0', len) != NULL)
		return ctl_ruleparse_fail(rp, -EINVAL,
					  "invalid rule: NUL byte");
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
		return ctl_ruleparse_fail(
			rp, -EINVAL, "invalid rule: no (options) at the end");
	{
		uint32_t sid = rp->r.sid;

		rp->r.sid = 0;
		if (for_each_option(rp, opts + 1, close, ctl_rulekw_parse, 1)) {
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
	struct ctl_ruleparse rp;
	int ret;

	memset(&rp, 0, sizeof(rp));
	rp.o = o != NULL ? o : &no_opts;
	rp.last_content = -1;
	st->rules++;
	ret = parse_rule(&rp, line, len);
	if (ret == 0) {
		const struct ctl_rules_sid *dup =
			ctl_ruleset_sid_find(rs, rp.r.sid);

		if (dup != NULL) {
			ctl_ruleparse_fail(&rp, -EINVAL,
					   "duplicate sid (first at %s:%u)",
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
		rs->skips[rs->nb_skips - 1].action = (int)rp.r.action;
		ctl_rule_free(&rp.r);
		st->skipped++;
		return 0;
	}
	rp.r.file = file;
	rp.r.line = lineno;
	if (ctl_ruleset_sid_insert(rs, rp.r.sid, file, lineno))
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
	const char *file, *p = buf, *end = buf + len, *s, *e;
	struct ctl_rules_stats local;
	char *line = NULL;
	size_t cap = 0, n = 0;
	uint32_t lineno = 0, first = 0;
	int in_rule = 0, too_long = 0, ret = 0;

	file = ctl_rules_load_start(rs, name, &st, &local);
	if (file == NULL)
		return -ENOMEM;
	while (ctl_rules_next_line(&p, end, &s, &e)) {
		size_t pn;
		int cont;

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

const char *
ctl_rules_load_start(struct ctl_rules *rs, const char *name,
		     struct ctl_rules_stats **st, struct ctl_rules_stats *local)
{
	if (*st == NULL)
		*st = local;
	memset(*st, 0, sizeof(**st));
	return ctl_rules_intern(rs, name);
}

int
ctl_rules_next_line(const char **p, const char *end, const char **s,
		    const char **e)
{
	const char *nl;

	if (*p >= end)
		return 0;
	nl = memchr(*p, '\n', (size_t)(end - *p));
	*s = *p;
	*e = nl != NULL ? nl : end;
	*p = nl != NULL ? nl + 1 : end;
	return 1;
}

int
ctl_rules_load_path(struct ctl_rules *rs, const char *path,
		    ctl_rules_load_fn load, const void *arg,
		    struct ctl_rules_stats *st)
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
	ret = load(rs, path, buf, len, arg, st);
	free(buf);
	return ret;
}

/* ctl_rules_load_buf() as a ctl_rules_load_fn: arg is the options. */
static int
load_rules_buf(struct ctl_rules *rs, const char *name, const char *buf,
	       size_t len, const void *arg, struct ctl_rules_stats *st)
{
	return ctl_rules_load_buf(rs, name, buf, len, arg, st);
}

int
ctl_rules_load_file(struct ctl_rules *rs, const char *path,
		    const struct ctl_rules_opts *o, struct ctl_rules_stats *st)
{
	return ctl_rules_load_path(rs, path, load_rules_buf, o, st);
}
