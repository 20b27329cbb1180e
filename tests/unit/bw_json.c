/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * JSON assertions for the unit tests (bw_json.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_json.h"

#define KEY_MAX 128 /* longest path component */

/* path as the messages name it. */
static const char *
where(const char *path)
{
	return path[0] != '\0' ? path : "(root)";
}

/*
 * Return ok; when it is 0, first print "json: PATH: want WANT, found
 * VALUE" to stderr, WANT as fmt makes it.
 */
static int __attribute__((format(printf, 4, 5)))
holds(int ok, const char *path, json_t *found, const char *fmt, ...)
{
	char want[512]; /* WANT, cut short past this */
	char *txt = NULL;
	va_list ap;

	if (ok)
		return 1;
	va_start(ap, fmt);
	vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	if (found != NULL)
		txt = json_dumps(found, JSON_ENCODE_ANY | JSON_COMPACT);
	fprintf(stderr, "json: %s: want %s, found %s\n", where(path), want,
		found == NULL ? "nothing"
		: txt != NULL ? txt
			      : "?");
	free(txt);
	return 0;
}

/* Member k (NULL: none) is key, the `which` member of the object at path. */
static int
member_is(const char *path, const char *which, const char *k, const char *key)
{
	if (k != NULL && strcmp(k, key) == 0)
		return 1;
	fprintf(stderr, "json: %s: want %s member \"%s\", found %s\n",
		where(path), which, key, k != NULL ? k : "none");
	return 0;
}

json_t *
bw_json_line(const char *text, size_t flags)
{
	json_error_t err;
	const char *nl;
	json_t *v;

	if (text == NULL) {
		fprintf(stderr, "json: no text\n");
		return NULL;
	}
	nl = strchr(text, '\n');
	if (nl == NULL || nl[1] != '\0') {
		fprintf(stderr,
			"json: not one line ending in a newline: %.200s\n",
			text);
		return NULL;
	}
	v = json_loadb(text, (size_t)(nl - text),
		       flags | JSON_REJECT_DUPLICATES, &err);
	if (v == NULL)
		fprintf(stderr, "json: %s (column %d): %.200s\n", err.text,
			err.column, text);
	return v;
}

int
bw_json_lines(const char *text, json_t **v, int max)
{
	json_error_t err;
	const char *nl;
	int n = 0;

	while (text != NULL && *text != '\0') {
		nl = strchr(text, '\n');
		if (nl == NULL || n == max) {
			fprintf(stderr, "json: %s: %.200s\n",
				nl == NULL ? "last line has no newline"
					   : "too many lines",
				text);
			goto err_lines;
		}
		v[n] = json_loadb(text, (size_t)(nl - text),
				  JSON_REJECT_DUPLICATES, &err);
		if (v[n] == NULL) {
			fprintf(stderr, "json: line %d: %s (column %d)\n",
				n + 1, err.text, err.column);
			goto err_lines;
		}
		n++;
		text = nl + 1;
	}
	return n;

err_lines:
	while (n > 0)
		json_decref(v[--n]);
	return -1;
}

json_t *
bw_json_get(json_t *root, const char *path)
{
	char key[KEY_MAX];
	json_t *v = root;
	const char *p = path;
	size_t len;
	char *end;

	while (v != NULL && *p != '\0') {
		len = strcspn(p, ".[");
		if (len >= sizeof(key))
			return NULL;
		if (len > 0) {
			memcpy(key, p, len);
			key[len] = '\0';
			v = json_object_get(v, key);
			p += len;
		}
		while (v != NULL && *p == '[') {
			unsigned long i = strtoul(p + 1, &end, 10);

			if (end == p + 1 || *end != ']')
				return NULL;
			v = json_array_get(v, i);
			p = end + 1;
		}
		if (*p == '.')
			p++;
		else if (*p != '\0')
			return NULL;
	}
	return v;
}

int
bw_json_is_int(json_t *root, const char *path, json_int_t v)
{
	json_t *found = bw_json_get(root, path);

	return holds(json_is_integer(found) && json_integer_value(found) == v,
		     path, found, "integer %" JSON_INTEGER_FORMAT, v);
}

int
bw_json_is_real(json_t *root, const char *path, double v)
{
	json_t *found = bw_json_get(root, path);

	/* Exact: the writer prints decimals that strtod reads back as v. */
	return holds(json_is_real(found) && json_real_value(found) == v, path,
		     found, "real %.17g", v);
}

int
bw_json_is_strn(json_t *root, const char *path, const char *s, size_t len)
{
	json_t *found = bw_json_get(root, path);
	json_t *want;
	char *txt;

	if (json_is_string(found) && json_string_length(found) == len &&
	    memcmp(json_string_value(found), s, len) == 0)
		return 1;
	want = json_stringn_nocheck(s, len);
	txt = want != NULL ? json_dumps(want, JSON_ENCODE_ANY) : NULL;
	holds(0, path, found, "%s", txt != NULL ? txt : "a string (not UTF-8)");
	free(txt);
	json_decref(want);
	return 0;
}

int
bw_json_is_str(json_t *root, const char *path, const char *s)
{
	return bw_json_is_strn(root, path, s, strlen(s));
}

int
bw_json_is_bool(json_t *root, const char *path, int v)
{
	json_t *found = bw_json_get(root, path);

	return holds(v ? json_is_true(found) : json_is_false(found), path,
		     found, "%s", v ? "true" : "false");
}

int
bw_json_is_null(json_t *root, const char *path)
{
	json_t *found = bw_json_get(root, path);

	return holds(json_is_null(found), path, found, "null");
}

int
bw_json_absent(json_t *root, const char *path, const char *key)
{
	json_t *obj = bw_json_get(root, path);

	return holds(json_is_object(obj) && json_object_get(obj, key) == NULL,
		     path, obj, "an object without \"%s\"", key);
}

int
bw_json_nowhere(json_t *root, const char *key)
{
	size_t i;
	void *it;

	if (json_object_get(root, key) != NULL) {
		fprintf(stderr, "json: member \"%s\" present\n", key);
		return 0;
	}
	for (it = json_object_iter(root); it != NULL;
	     it = json_object_iter_next(root, it))
		if (!bw_json_nowhere(json_object_iter_value(it), key))
			return 0;
	for (i = 0; i < json_array_size(root); i++)
		if (!bw_json_nowhere(json_array_get(root, i), key))
			return 0;
	return 1;
}

int
bw_json_keys_run(json_t *root, const char *path, ...)
{
	json_t *obj = bw_json_get(root, path);
	const char *key;
	va_list ap;
	void *it;
	int ok;

	if (!holds(json_is_object(obj), path, obj, "an object"))
		return 0;
	va_start(ap, path);
	key = va_arg(ap, const char *);
	it = key != NULL ? json_object_iter_at(obj, key) : NULL;
	for (ok = 1; key != NULL; key = va_arg(ap, const char *)) {
		if (it == NULL || strcmp(json_object_iter_key(it), key) != 0) {
			fprintf(stderr,
				"json: %s: want \"%s\" next, found %s\n", path,
				key,
				it != NULL ? json_object_iter_key(it) : "end");
			ok = 0;
			break;
		}
		it = json_object_iter_next(obj, it);
	}
	va_end(ap);
	return ok;
}

int
bw_json_first_key(json_t *root, const char *path, const char *key)
{
	void *it = json_object_iter(bw_json_get(root, path));

	return member_is(path, "first",
			 it != NULL ? json_object_iter_key(it) : NULL, key);
}

int
bw_json_last_key(json_t *root, const char *path, const char *key)
{
	json_t *obj = bw_json_get(root, path);
	const char *last = NULL;
	void *it;

	for (it = json_object_iter(obj); it != NULL;
	     it = json_object_iter_next(obj, it))
		last = json_object_iter_key(it);
	return member_is(path, "last", last, key);
}
