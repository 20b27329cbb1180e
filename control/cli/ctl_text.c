/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text output helpers for bulwarkctl: tables sized to their cells, times,
 * durations, SI-scaled numbers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl_text.h"

struct ctl_table {
	unsigned int ncols;
	unsigned int rows_max;
	unsigned int nb_rows; /* rows started */
	unsigned int col;     /* next cell of the current row */
	char align[CTL_TABLE_COLS_MAX];
	char (*cells)[CTL_TABLE_CELL_LEN]; /* rows_max * ncols */
};

struct ctl_table *
ctl_table_new(unsigned int ncols, unsigned int rows_max, const char *align)
{
	struct ctl_table *t;
	unsigned int i;

	if (ncols == 0 || ncols > CTL_TABLE_COLS_MAX || rows_max == 0 ||
	    strlen(align) != ncols) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cells = calloc((size_t)rows_max * ncols, sizeof(*t->cells));
	if (t->cells == NULL) {
		free(t);
		return NULL;
	}
	t->ncols = ncols;
	t->rows_max = rows_max;
	for (i = 0; i < ncols; i++)
		t->align[i] = align[i];
	return t;
}

void
ctl_table_free(struct ctl_table *t)
{
	if (t == NULL)
		return;
	free(t->cells);
	free(t);
}

void
ctl_table_row(struct ctl_table *t)
{
	if (t->nb_rows == t->rows_max) {
		t->col = t->ncols; /* table full: the row's cells are dropped */
		return;
	}
	t->nb_rows++;
	t->col = 0;
}

void
ctl_table_cell(struct ctl_table *t, const char *fmt, ...)
{
	va_list ap;

	if (t->nb_rows == 0 || t->col >= t->ncols)
		return;
	va_start(ap, fmt);
	/* A cell longer than CTL_TABLE_CELL_LEN - 1 is cut: display only. */
	vsnprintf(t->cells[(size_t)(t->nb_rows - 1) * t->ncols + t->col],
		  CTL_TABLE_CELL_LEN, fmt, ap);
	va_end(ap);
	t->col++;
}

void
ctl_table_header(struct ctl_table *t, ...)
{
	const char *title;
	va_list ap;

	ctl_table_row(t);
	va_start(ap, t);
	while ((title = va_arg(ap, const char *)) != NULL)
		ctl_table_cell(t, "%s", title);
	va_end(ap);
}

void
ctl_table_print(const struct ctl_table *t, FILE *f, unsigned int indent)
{
	size_t width[CTL_TABLE_COLS_MAX] = {0};
	unsigned int row, col;

	for (row = 0; row < t->nb_rows; row++)
		for (col = 0; col < t->ncols; col++) {
			size_t w =
				strlen(t->cells[(size_t)row * t->ncols + col]);

			if (w > width[col])
				width[col] = w;
		}
	for (row = 0; row < t->nb_rows; row++) {
		fprintf(f, "%*s", (int)indent, "");
		for (col = 0; col < t->ncols; col++) {
			const char *c = t->cells[(size_t)row * t->ncols + col];
			int last = col + 1 == t->ncols;

			if (t->align[col] == 'r')
				fprintf(f, "%*s", (int)width[col], c);
			else if (last)
				fputs(c, f);
			else
				fprintf(f, "%-*s", (int)width[col], c);
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
}

void
ctl_fmt_time(char *buf, size_t len, uint64_t real_ns)
{
	time_t sec = (time_t)(real_ns / 1000000000u);
	struct tm tm;

	if (localtime_r(&sec, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(buf, len, "@%" PRIu64, real_ns / 1000000000u);
}

void
ctl_fmt_utc(char *buf, size_t len, uint64_t time_s)
{
	time_t t = (time_t)time_s;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

void
ctl_fmt_duration(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000u;
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d > 0)
		snprintf(buf, len,
			 "%" PRIu64 "d %02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 d, h, m, s % 60);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, h,
			 m, s % 60);
}

void
ctl_fmt_si(char *buf, size_t len, double v)
{
	static const char units[] = {'k', 'M', 'G', 'T', 'P'};
	unsigned int u;

	if (v < 1000.0) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	v /= 1000.0;
	for (u = 0; u + 1 < sizeof(units) && v >= 999.95; u++)
		v /= 1000.0;
	snprintf(buf, len,
		 v >= 99.95   ? "%.0f%c"
		 : v >= 9.995 ? "%.1f%c"
			      : "%.2f%c",
		 v, units[u]);
}

void
ctl_fmt_printable(char *buf, size_t buflen, const char *s, size_t len)
{
	size_t i, n = strnlen(s, len);

	if (buflen == 0)
		return;
	if (n > buflen - 1)
		n = buflen - 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[n] = '\0';
}
