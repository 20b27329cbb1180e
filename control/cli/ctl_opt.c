/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The options of a command line, read against a command's option table
 * (ctl_cli.h) with getopt_long()'s rules and wording: --name VALUE,
 * --name=VALUE, a unique prefix of a name, -h, "--" to end the options;
 * options may follow operands unless the command says CTL_CMD_IN_ORDER.
 * Each value is checked against its type as it is read.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cli.h"

#define NAMES_MAX 64 /* options of one command, for the hint */

/* "help" is every command's option; the tables leave it out. */
static const char help_name[] = "help";

static int
takes_arg(const struct ctl_opt *o)
{
	return o->type != CTL_OPT_FLAG && o->type != CTL_OPT_LAST;
}

/*
 * The option that name (len bytes, without "--") stands for: an exact
 * name, else the one name it is a prefix of. *help set for --help.
 * Returns NULL when unknown or ambiguous.
 */
static const struct ctl_opt *
opt_find(const struct ctl_cmd *cmd, const char *name, size_t len, int *help)
{
	const struct ctl_opt *o, *prefix = NULL;
	int nb_prefix = 0;

	*help = 0;
	if (len == 0)
		return NULL;
	if (len == strlen(help_name) && memcmp(name, help_name, len) == 0) {
		*help = 1;
		return NULL;
	}
	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o;
		prefix = o;
		nb_prefix++;
	}
	if (len > 0 && strncmp(help_name, name, len) == 0) {
		if (nb_prefix == 0) {
			*help = 1;
			return NULL;
		}
		nb_prefix++;
	}
	return nb_prefix == 1 ? prefix : NULL;
}

/* Append to buf (NUL terminated, len bytes) what fmt says; cut at len. */
static void __attribute__((format(printf, 3, 4)))
append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static const char *
default_bad(enum ctl_opt_type type)
{
	switch (type) {
	case CTL_OPT_STR:
		return "option '%o' needs a non-empty argument";
	case CTL_OPT_STRS:
		return "option '%o' given more than %M times";
	case CTL_OPT_UINT:
		return "option '%o' needs an integer in %m..%M, not '%a'";
	case CTL_OPT_REAL:
		return "option '%o' needs a number from %m to %M, not '%a'";
	case CTL_OPT_KEYWORD:
		return "option '%o': unknown value '%a'";
	default:
		return "option '%o': bad value '%a'";
	}
}

/* The message of a bad value of o: o->bad with its % fields filled. */
static void
bad_message(const struct ctl_opt *o, const char *arg, char *buf, size_t len)
{
	const char *t = o->bad != NULL ? o->bad : default_bad(o->type);
	int real = o->type == CTL_OPT_REAL;

	buf[0] = '\0';
	for (; *t != '\0'; t++) {
		if (*t != '%' || t[1] == '\0') {
			append(buf, len, "%c", *t);
			continue;
		}
		switch (*++t) {
		case 'o':
			append(buf, len, "--%s", o->name);
			break;
		case 'a':
			append(buf, len, "%s", arg);
			break;
		case 'm':
		case 'M':
			if (real)
				append(buf, len, "%g",
				       *t == 'm' ? o->real_min : o->real_max);
			else
				append(buf, len, "%" PRIu64,
				       *t == 'm' ? o->min : o->max);
			break;
		default:
			append(buf, len, "%c", *t);
			break;
		}
	}
}

int
ctl_uint_parse(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int
real_parse(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v) || v < min ||
	    v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Store arg (NULL for a flag) as o's value in req. */
static int
opt_set(const struct ctl_opt *o, const char *arg, char *req, char *why,
	size_t len)
{
	const struct ctl_opt_choice *c;
	void *field = req + o->off;
	unsigned int *count;
	uint64_t u;
	double d;

	switch (o->type) {
	case CTL_OPT_FLAG:
	case CTL_OPT_LAST:
		*(int *)field = 1;
		break;
	case CTL_OPT_STR:
		if (o->min > 0 && arg[0] == '\0')
			goto bad;
		*(const char **)field = arg;
		break;
	case CTL_OPT_STRS:
		count = (unsigned int *)(req + o->count_off - 1);
		if (*count >= o->max)
			goto bad;
		((const char **)field)[(*count)++] = arg;
		break;
	case CTL_OPT_UINT:
		if (ctl_uint_parse(arg, o->min, o->max, &u) < 0)
			goto bad;
		*(uint64_t *)field = u;
		break;
	case CTL_OPT_REAL:
		if (real_parse(arg, o->real_min, o->real_max, &d) < 0)
			goto bad;
		*(double *)field = d;
		break;
	case CTL_OPT_KEYWORD:
		for (c = o->choices; c->word != NULL; c++)
			if (strcmp(c->word, arg) == 0)
				break;
		if (c->word == NULL)
			goto bad;
		*(int *)field = c->value;
		break;
	case CTL_OPT_PARSE:
		if (o->parse(arg, field) < 0)
			goto bad;
		break;
	}
	if (o->seen_off != 0)
		*(int *)(req + o->seen_off - 1) = 1;
	return 0;
bad:
	bad_message(o, arg, why, len);
	return -EINVAL;
}

/* "option '--x' applies to 'cmd a' and 'cmd b' only". */
static void
applies_message(const struct ctl_cmd *cmd, const struct ctl_opt *o, char *why,
		size_t len)
{
	int i, nb = 0, left = __builtin_popcount(o->subs);

	snprintf(why, len, "option '--%s' applies to ", o->name);
	for (i = 0; cmd->subs[i].name != NULL; i++) {
		if (!(o->subs & CTL_SUB(i)))
			continue;
		append(why, len, "%s'%s %s'",
		       nb == 0	  ? ""
		       : left > 1 ? ", "
				  : " and ",
		       cmd->name, cmd->subs[i].name);
		nb++;
		left--;
	}
	append(why, len, " only");
}

/* "unknown option '--x'", with a hint when a name is close. */
static void
unknown_message(const struct ctl_cmd *cmd, const char *word, size_t name_len,
		char *why, size_t len)
{
	const char *names[NAMES_MAX];
	char typed[64];
	size_t nb = 0;
	const struct ctl_opt *o;
	int k;

	snprintf(why, len, "unknown option '%s'", word);
	for (o = cmd->opts; o != NULL && o->name != NULL && nb + 1 < NAMES_MAX;
	     o++)
		names[nb++] = o->name;
	names[nb++] = help_name;
	if (name_len >= sizeof(typed))
		return;
	memcpy(typed, word + 2, name_len);
	typed[name_len] = '\0';
	k = ctl_cli_suggest(typed, names, nb);
	if (k >= 0)
		append(why, len, "; did you mean '--%s'?", names[k]);
}

int
ctl_opts_parse(const struct ctl_cmd *cmd, int sub, int argc, char **argv,
	       void *req, char **operands, int *nb, char *why, size_t len)
{
	const struct ctl_opt *o;
	const char *arg, *eq;
	size_t name_len;
	int i, help;
	char *w;

	*nb = 0;
	operands[0] = NULL;
	for (i = 0; i < argc; i++) {
		w = argv[i];
		if ((cmd->flags & CTL_CMD_VERBATIM) || w[0] != '-' ||
		    w[1] == '\0') {
			operands[(*nb)++] = w;
			if (cmd->flags & CTL_CMD_IN_ORDER)
				break;
			continue;
		}
		if (strcmp(w, "--") == 0)
			break;
		if (w[1] != '-') {
			/* -h, maybe first of a cluster: getopt's "h" */
			if (w[1] == 'h')
				return 1;
			snprintf(why, len, "unknown option '-%c'", w[1]);
			return -EINVAL;
		}
		eq = strchr(w + 2, '=');
		name_len = eq != NULL ? (size_t)(eq - w - 2) : strlen(w + 2);
		o = opt_find(cmd, w + 2, name_len, &help);
		if (o == NULL && !help) {
			unknown_message(cmd, w, name_len, why, len);
			return -EINVAL;
		}
		if ((help || !takes_arg(o)) && eq != NULL) {
			snprintf(why, len, "option '%.*s' takes no argument",
				 (int)(eq - w), w);
			return -EINVAL;
		}
		if (help)
			return 1;
		arg = NULL;
		if (takes_arg(o) && eq != NULL) {
			arg = eq + 1;
		} else if (takes_arg(o)) {
			if (i + 1 >= argc) {
				snprintf(why, len,
					 "option '%s' needs an argument", w);
				return -EINVAL;
			}
			arg = argv[++i];
		}
		if (opt_set(o, arg, req, why, len) < 0)
			return -EINVAL;
		if (o->subs != 0 && (sub < 0 || !(o->subs & CTL_SUB(sub)))) {
			applies_message(cmd, o, why, len);
			return -EINVAL;
		}
		if (o->type == CTL_OPT_LAST)
			return 0;
	}
	/* what is left after "--" or, in order, the first operand */
	for (i++; i < argc; i++)
		operands[(*nb)++] = argv[i];
	operands[*nb] = NULL;
	return 0;
}
