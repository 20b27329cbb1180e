/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text output helpers: aligned tables whose column widths fit their cells,
 * local times, durations and SI-scaled rates.
 */
#ifndef CTL_TEXT_H
#define CTL_TEXT_H

#include <stdint.h>
#include <stdio.h>

#define CTL_TABLE_COLS_MAX 16
#define CTL_TABLE_CELL_LEN 40 /* bytes per cell, NUL included */

struct ctl_table;

/*
 * A table of at most rows_max rows (header row included) and ncols columns.
 * align is one character per column: 'l' left, 'r' right. Returns NULL and
 * sets errno on failure.
 */
struct ctl_table *ctl_table_new(unsigned int ncols, unsigned int rows_max,
				const char *align);
void ctl_table_free(struct ctl_table *t);

/* Start a new row; cells are then added left to right. */
void ctl_table_row(struct ctl_table *t);

/* Add one cell to the current row (printf format, truncated to the cell). */
void ctl_table_cell(struct ctl_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Start a row of titles: the NULL-terminated strings after t, one cell each. */
void ctl_table_header(struct ctl_table *t, ...) __attribute__((sentinel));

/* Print every row, columns separated by two spaces, indented by indent. */
void ctl_table_print(const struct ctl_table *t, FILE *f, unsigned int indent);

/* Local time "YYYY-MM-DD HH:MM:SS +ZZZZ" of a CLOCK_REALTIME ns value. */
void ctl_fmt_time(char *buf, size_t len, uint64_t real_ns);

/* UTC time "YYYY-MM-DDTHH:MM:SSZ" of seconds since the epoch; "?" if none. */
void ctl_fmt_utc(char *buf, size_t len, uint64_t time_s);

/* Duration like "3d 04:05:06" or "04:05:06". */
void ctl_fmt_duration(char *buf, size_t len, uint64_t ns);

/* A rate scaled with k, M, G, T: "950", "1.23k", "14.9M". */
void ctl_fmt_si(char *buf, size_t len, double v);

/* Copy at most len bytes of s into buf, replacing non-printable bytes. */
void ctl_fmt_printable(char *buf, size_t buflen, const char *s, size_t len);

#endif /* CTL_TEXT_H */
