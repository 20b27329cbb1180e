/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state directory's names and audit lines, for both programs (see
 * bw_statedir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bw_statedir.h"

static int
gen_cmp_asc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y ? 1 : 0;
}

int
bw_state_name_gen(const char *name, const char *prefix, uint64_t *gen)
{
	size_t pl = strlen(prefix), i;
	uint64_t g = 0;

	if (strncmp(name, prefix, pl) != 0 || strlen(name) != pl + 24 ||
	    strcmp(name + pl + 20, ".img") != 0)
		return 0;
	for (i = pl; i < pl + 20; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		if (g > (UINT64_MAX - (uint64_t)(name[i] - '0')) / 10)
			return 0;
		g = g * 10 + (uint64_t)(name[i] - '0');
	}
	*gen = g;
	return 1;
}

int
bw_state_gens(int dir_fd, const char *prefix, uint64_t **gens, size_t *n)
{
	uint64_t *v = NULL, *nv, g;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	*gens = NULL;
	*n = 0;
	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		if (!bw_state_name_gen(de->d_name, prefix, &g))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = g;
	}
	closedir(d);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), gen_cmp_asc);
	*gens = v;
	*n = cnt;
	return 0;
}

void
bw_audit_set_uid(struct bw_audit_rec *rec, uint32_t uid)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];

	rec->uid = uid;
	if (getpwuid_r((uid_t)uid, &pw, buf, sizeof(buf), &pwp) == 0 &&
	    pwp != NULL && strlen(pwp->pw_name) < sizeof(rec->user))
		snprintf(rec->user, sizeof(rec->user), "%s", pwp->pw_name);
	else
		snprintf(rec->user, sizeof(rec->user), "%u", (unsigned int)uid);
}

void
bw_audit_self(struct bw_audit_rec *rec)
{
	bw_audit_set_uid(rec, (uint32_t)getuid());
	rec->time_s = (uint64_t)time(NULL);
}

/* Append s with control characters (tab, newline...) as spaces. */
static size_t
put_clean(char *buf, size_t len, size_t at, const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i] != '\0' && at + 1 < len; i++)
		buf[at++] =
			(unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	return at;
}

int
bw_audit_format(const struct bw_audit_rec *rec, char *buf, size_t len)
{
	char when[32];
	struct tm tm;
	time_t t = (time_t)rec->time_s;
	size_t at;
	int n;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "1970-01-01T00:00:00Z");
	n = snprintf(buf, len, "%" PRIu64 "\t%" PRIu64 "\t%s\t%u\t", rec->gen,
		     rec->parent, when, (unsigned int)rec->uid);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	at = put_clean(buf, len, (size_t)n, rec->user, sizeof(rec->user));
	if (at + 1 < len)
		buf[at++] = '\t';
	at = put_clean(buf, len, at, rec->how, sizeof(rec->how));
	if (at + 1 < len)
		buf[at++] = '\t';
	at = put_clean(buf, len, at, rec->op, sizeof(rec->op));
	if (at + 2 > len)
		return -ENOSPC;
	buf[at++] = '\n';
	buf[at] = '\0';
	return 0;
}

/* A decimal uint64 of exactly the n bytes at s. */
static int
parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t r = 0;
	size_t i;

	if (n == 0 || n > 20)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		if (r > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		r = r * 10 + (uint64_t)(s[i] - '0');
	}
	*v = r;
	return 0;
}

static int
copy_field(char *dst, size_t dlen, const char *s, size_t n)
{
	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int
bw_audit_parse(const char *line, size_t n, struct bw_audit_rec *rec)
{
	const char *f[7];
	size_t fl[7], i, k = 0, start = 0;
	char when[21], extra;
	struct tm tm;
	uint64_t uid;
	time_t t;

	memset(rec, 0, sizeof(*rec));
	if (n > 0 && line[n - 1] == '\n')
		n--;
	for (i = 0; i <= n && k < 7; i++) {
		if (i == n || (line[i] == '\t' && k < 6)) {
			f[k] = line + start;
			fl[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	if (k != 7)
		return -EINVAL;
	if (parse_u64(f[0], fl[0], &rec->gen) < 0 ||
	    parse_u64(f[1], fl[1], &rec->parent) < 0 ||
	    parse_u64(f[3], fl[3], &uid) < 0 || uid > UINT32_MAX)
		return -EINVAL;
	rec->uid = (uint32_t)uid;
	memset(&tm, 0, sizeof(tm));
	if (fl[2] != 20)
		return -EINVAL;
	memcpy(when, f[2], 20);
	when[20] = '\0';
	if (sscanf(when, "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		   &extra) != 6)
		return -EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	rec->time_s = (uint64_t)t;
	copy_field(rec->user, sizeof(rec->user), f[4], fl[4]);
	copy_field(rec->how, sizeof(rec->how), f[5], fl[5]);
	copy_field(rec->op, sizeof(rec->op), f[6], fl[6]);
	return 0;
}
