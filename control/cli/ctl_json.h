/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small streaming JSON writer: compact output on one line, commas placed
 * by the writer, strings escaped so that the output is valid JSON (UTF-8)
 * whatever bytes the status region holds.
 */
#ifndef CTL_JSON_H
#define CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CTL_JSON_DEPTH_MAX 16

struct ctl_json {
	FILE *f;
	unsigned int depth;		    /* open objects and arrays */
	bool first[CTL_JSON_DEPTH_MAX + 1]; /* no member written yet */
	unsigned int overflow;		    /* levels opened past the max */
};

/* Start a writer on f. */
void ctl_json_init(struct ctl_json *j, FILE *f);

/*
 * Values. key is the member name inside an object, NULL inside an array or
 * at the top level.
 */
/* Open an object (c '{') or an array ('['); close it ('}', ']'). */
void ctl_json_open(struct ctl_json *j, const char *key, char c);
void ctl_json_close(struct ctl_json *j, char c);
#define ctl_json_object_begin(j, key) ctl_json_open((j), (key), '{')
#define ctl_json_object_end(j)	      ctl_json_close((j), '}')
#define ctl_json_array_begin(j, key)  ctl_json_open((j), (key), '[')
#define ctl_json_array_end(j)	      ctl_json_close((j), ']')
void ctl_json_u64(struct ctl_json *j, const char *key, uint64_t v);
void ctl_json_i64(struct ctl_json *j, const char *key, int64_t v);
void ctl_json_bool(struct ctl_json *j, const char *key, bool v);
void ctl_json_null(struct ctl_json *j, const char *key);
/* A number with prec decimals; null when v is not finite. */
void ctl_json_double(struct ctl_json *j, const char *key, double v, int prec);
/* Nanoseconds as seconds with 9 exact decimals (no rounding through double). */
void ctl_json_ns_as_s(struct ctl_json *j, const char *key, uint64_t ns);
/* The same, or null when ns is 0 (a time that has not come: never). */
void ctl_json_ns_as_s_or_null(struct ctl_json *j, const char *key, uint64_t ns);
/* A string of at most len bytes (stops at a NUL). */
void ctl_json_strn(struct ctl_json *j, const char *key, const char *s,
		   size_t len);
void ctl_json_str(struct ctl_json *j, const char *key, const char *s);

/*
 * Write s (at most len bytes, stops at a NUL) as a quoted JSON string:
 * '"' and '\\' escaped, control characters as \uXXXX, valid UTF-8 copied,
 * each byte of invalid UTF-8 replaced by U+FFFD.
 */
void ctl_json_write_string(FILE *f, const char *s, size_t len);

#endif /* CTL_JSON_H */
