/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON assertions for the unit tests: bulwarkctl's output parsed with
 * jansson, values looked up by key path and compared with their type.
 *
 * A path is keys separated by '.', each optionally followed by array
 * indexes: "totals.drops.tx-full", "workers[1].lcore", "rates.workers[0]".
 * "" is the root. Every check returns 1 when it holds and 0 otherwise,
 * after printing what it found to stderr, so that the test's CU_ASSERT
 * names the line and the log names the value.
 */
#ifndef BW_JSON_H
#define BW_JSON_H

#include <stddef.h>

#include <jansson.h>

/*
 * Parse text as one JSON value on one line ending in '\n', as bulwarkctl
 * prints it (jansson flags, JSON_REJECT_DUPLICATES always added). Returns
 * a new reference, NULL when text is not exactly that.
 */
json_t *bw_json_line(const char *text, size_t flags);

/*
 * Parse text as JSON Lines into v[0..max): every line one JSON object.
 * Returns the number of lines, -1 when a line does not parse or there are
 * more than max (v holds no reference then).
 */
int bw_json_lines(const char *text, json_t **v, int max);

/* The value at path, a borrowed reference; NULL when there is none. */
json_t *bw_json_get(json_t *root, const char *path);

/* path holds an integer (not a real) equal to v. */
int bw_json_is_int(json_t *root, const char *path, json_int_t v);
/* path holds a real (written with a '.' or an exponent) equal to v. */
int bw_json_is_real(json_t *root, const char *path, double v);
/* path holds a string of exactly the len bytes s. */
int bw_json_is_strn(json_t *root, const char *path, const char *s, size_t len);
/* path holds the string s (NUL-terminated). */
int bw_json_is_str(json_t *root, const char *path, const char *s);
/* path holds true or false as v is non-zero or zero. */
int bw_json_is_bool(json_t *root, const char *path, int v);
/* path holds null (present, not absent). */
int bw_json_is_null(json_t *root, const char *path);
/* The object at path exists and has no member key. */
int bw_json_absent(json_t *root, const char *path, const char *key);
/* No object anywhere under root has a member named key. */
int bw_json_nowhere(json_t *root, const char *key);

/*
 * The object at path has the members named by the NULL-terminated list
 * next to each other, in that order (jansson iterates members in the order
 * they were read, since 2.8).
 */
int bw_json_keys_run(json_t *root, const char *path, ...)
	__attribute__((sentinel));
/* The first member of the object at path is key. */
int bw_json_first_key(json_t *root, const char *path, const char *key);
/* The last member of the object at path is key. */
int bw_json_last_key(json_t *root, const char *path, const char *key);

#endif /* BW_JSON_H */
