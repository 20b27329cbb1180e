/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small streaming JSON writer for bulwarkctl. Numbers are written with the
 * C locale's '.' (bulwarkctl never calls setlocale for LC_NUMERIC).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ctl_json.h"

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when the
 * bytes there are not one (overlong forms and surrogates are invalid,
 * RFC 3629 section 4).
 */
static size_t
utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

void
ctl_json_write_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strnlen(s, len);
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char c = p[i];
		size_t sl;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			i++;
			continue;
		case '\\':
			fputs("\\\\", f);
			i++;
			continue;
		case '\n':
			fputs("\\n", f);
			i++;
			continue;
		case '\r':
			fputs("\\r", f);
			i++;
			continue;
		case '\t':
			fputs("\\t", f);
			i++;
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		sl = utf8_seq_len(p + i, n - i);
		if (sl == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(p + i, 1, sl, f);
		i += sl;
	}
	fputc('"', f);
}

void
ctl_json_init(struct ctl_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->first[0] = true;
}

/* Comma and key before a value. */
static void
json_member(struct ctl_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key != NULL) {
		ctl_json_write_string(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

void
ctl_json_open(struct ctl_json *j, const char *key, char c)
{
	json_member(j, key);
	fputc(c, j->f);
	if (j->depth >= CTL_JSON_DEPTH_MAX) {
		j->overflow++;
		return;
	}
	j->depth++;
	j->first[j->depth] = true;
}

void
ctl_json_close(struct ctl_json *j, char c)
{
	fputc(c, j->f);
	if (j->overflow > 0)
		j->overflow--;
	else if (j->depth > 0)
		j->depth--;
}

void
ctl_json_u64(struct ctl_json *j, const char *key, uint64_t v)
{
	json_member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void
ctl_json_i64(struct ctl_json *j, const char *key, int64_t v)
{
	json_member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void
ctl_json_bool(struct ctl_json *j, const char *key, bool v)
{
	json_member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void
ctl_json_null(struct ctl_json *j, const char *key)
{
	json_member(j, key);
	fputs("null", j->f);
}

void
ctl_json_double(struct ctl_json *j, const char *key, double v, int prec)
{
	json_member(j, key);
	if (!isfinite(v)) {
		fputs("null", j->f);
		return;
	}
	/* "-0.000" is valid JSON but reads oddly; rates are never negative. */
	if (v == 0.0)
		v = 0.0;
	fprintf(j->f, "%.*f", prec, v);
}

void
ctl_json_ns_as_s(struct ctl_json *j, const char *key, uint64_t ns)
{
	json_member(j, key);
	fprintf(j->f, "%" PRIu64 ".%09" PRIu64, ns / 1000000000u,
		ns % 1000000000u);
}

void
ctl_json_ns_as_s_or_null(struct ctl_json *j, const char *key, uint64_t ns)
{
	if (ns != 0)
		ctl_json_ns_as_s(j, key, ns);
	else
		ctl_json_null(j, key);
}

void
ctl_json_strn(struct ctl_json *j, const char *key, const char *s, size_t len)
{
	json_member(j, key);
	ctl_json_write_string(j->f, s, len);
}

void
ctl_json_str(struct ctl_json *j, const char *key, const char *s)
{
	ctl_json_strn(j, key, s, strlen(s));
}
