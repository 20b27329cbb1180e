/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state directory's names and audit lines, for both programs (see
 * bw_statedir.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "bw_crc32c.h"
#include "bw_ctl.h"
#include "bw_image.h"
#include "bw_image_view.h"
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
	if (rec->has_sum) {
		n = snprintf(buf + at, len - at, "crc32c:%08x\t",
			     (unsigned int)rec->sum);
		if (n < 0 || (size_t)n >= len - at)
			return -ENOSPC;
		at += (size_t)n;
	}
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
	/* "crc32c:" 8 hex digits and a tab: the checksum, then op */
	if (fl[6] >= 16 && memcmp(f[6], "crc32c:", 7) == 0 &&
	    f[6][15] == '\t') {
		uint32_t sum = 0;

		for (i = 7; i < 15; i++) {
			char ch = f[6][i];

			if (ch >= '0' && ch <= '9')
				sum = sum << 4 | (uint32_t)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				sum = sum << 4 | (uint32_t)(ch - 'a' + 10);
			else
				return -EINVAL;
		}
		rec->sum = sum;
		rec->has_sum = 1;
		f[6] += 16;
		fl[6] -= 16;
	}
	copy_field(rec->op, sizeof(rec->op), f[6], fl[6]);
	return 0;
}

gid_t
bw_state_operator_gid(void)
{
	struct group gr, *grp = NULL;
	char buf[4096];

	if (getgrnam_r(BW_OPERATOR_GROUP, &gr, buf, sizeof(buf), &grp) != 0 ||
	    grp == NULL)
		return (gid_t)-1;
	return grp->gr_gid;
}

static const char *
file_kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "a regular file";
}

int
bw_state_trusted(const struct stat *sb, int dir, uid_t euid, gid_t op_gid,
		 char *why, size_t why_len)
{
	int op_group = op_gid != (gid_t)-1 && sb->st_gid == op_gid;
	unsigned int mode = (unsigned int)(sb->st_mode & 07777);

	if (dir ? !S_ISDIR(sb->st_mode) : !S_ISREG(sb->st_mode)) {
		snprintf(why, why_len, "%s, not %s", file_kind(sb->st_mode),
			 dir ? "a directory" : "a regular file");
		return -EINVAL;
	}
	if (sb->st_uid != 0 && sb->st_uid != euid && !op_group) {
		snprintf(why, why_len,
			 "owned by uid %u and group %u: neither root nor "
			 "group '%s'",
			 (unsigned int)sb->st_uid, (unsigned int)sb->st_gid,
			 BW_OPERATOR_GROUP);
		return -EPERM;
	}
	if (sb->st_mode & S_IWOTH) {
		snprintf(why, why_len, "writable by others (mode %04o)", mode);
		return -EPERM;
	}
	if ((sb->st_mode & S_IWGRP) && !op_group && sb->st_gid != 0) {
		snprintf(why, why_len,
			 "writable by group %u, not group '%s' (mode %04o)",
			 (unsigned int)sb->st_gid, BW_OPERATOR_GROUP, mode);
		return -EPERM;
	}
	return 0;
}

int
bw_state_dir_open(const char *dir, uid_t euid, gid_t op_gid, char *why,
		  size_t why_len)
{
	struct stat sb;
	int fd, ret;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "%s", strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) != 0) {
		ret = -errno;
		snprintf(why, why_len, "%s", strerror(errno));
		close(fd);
		return ret;
	}
	ret = bw_state_trusted(&sb, 1, euid, op_gid, why, why_len);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int
bw_state_open_file(int dir_fd, const char *name, uid_t euid, gid_t op_gid,
		   char *why, size_t why_len)
{
	struct stat sb;
	int fd, ret, fl;

	fd = openat(dir_fd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		if (errno == ELOOP)
			snprintf(why, why_len,
				 "a symbolic link, not a regular file");
		else
			snprintf(why, why_len, "%s", strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) != 0) {
		ret = -errno;
		snprintf(why, why_len, "%s", strerror(errno));
		goto err_close;
	}
	ret = bw_state_trusted(&sb, 0, euid, op_gid, why, why_len);
	if (ret < 0)
		goto err_close;
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;

err_close:
	close(fd);
	return ret;
}

int
bw_state_read_fd(int fd, size_t max, size_t align, void **buf, size_t *len,
		 char *why, size_t why_len)
{
	struct stat sb;
	size_t size, got = 0, cap;
	uint8_t *b;
	ssize_t r;

	*buf = NULL;
	*len = 0;
	if (fstat(fd, &sb) != 0) {
		snprintf(why, why_len, "%s", strerror(errno));
		return -errno;
	}
	if (sb.st_size <= 0 || (uint64_t)sb.st_size > max) {
		snprintf(why, why_len, "size %lld is not between 1 and %zu",
			 (long long)sb.st_size, max);
		return -EINVAL;
	}
	size = (size_t)sb.st_size;
	cap = (size + 1 + align - 1) / align * align;
	b = aligned_alloc(align, cap);
	if (b == NULL) {
		snprintf(why, why_len, "out of memory");
		return -ENOMEM;
	}
	while (got < size) {
		r = pread(fd, b + got, size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, why_len, "%s", strerror(errno));
			free(b);
			return -EIO;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got != size || fstat(fd, &sb) != 0 ||
	    (uint64_t)sb.st_size != size) {
		snprintf(why, why_len,
			 "changed size while being read (%zu bytes, then %zu)",
			 size, got != size ? got : (size_t)sb.st_size);
		free(b);
		return -EINVAL;
	}
	b[size] = 0;
	*buf = b;
	*len = size;
	return 0;
}

int
bw_state_audit_load(int dir_fd, uid_t euid, gid_t op_gid,
		    struct bw_audit_rec **recs, size_t *n,
		    void (*bad)(void *arg, size_t lineno), void *arg, char *why,
		    size_t why_len)
{
	struct bw_audit_rec *v = NULL, *nv;
	size_t cnt = 0, cap = 0, lineno = 0, len, at, end;
	char *text;
	void *buf;
	int fd, ret;

	*recs = NULL;
	*n = 0;
	fd = bw_state_open_file(dir_fd, BW_STATE_AUDIT_FILE, euid, op_gid, why,
				why_len);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	ret = bw_state_read_fd(fd, SIZE_MAX / 4, 8, &buf, &len, why, why_len);
	close(fd);
	if (ret == -EINVAL && len == 0 && buf == NULL &&
	    strncmp(why, "size 0 ", 7) == 0)
		return 0; /* an empty log */
	if (ret < 0)
		return ret;
	text = buf;
	for (at = 0; at < len; at = end + 1) {
		lineno++;
		for (end = at; end < len && text[end] != '\n'; end++)
			;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				free(buf);
				snprintf(why, why_len, "out of memory");
				return -ENOMEM;
			}
			v = nv;
		}
		if (bw_audit_parse(text + at, end - at, &v[cnt]) < 0) {
			if (bad != NULL)
				bad(arg, lineno);
			continue;
		}
		cnt++;
	}
	free(buf);
	*recs = v;
	*n = cnt;
	return 0;
}

int
bw_state_load_gen(int dir_fd, uint64_t gen, const struct bw_audit_rec *recs,
		  size_t n, uid_t euid, gid_t op_gid, void **img, size_t *len,
		  char *why, size_t why_len)
{
	const struct bw_audit_rec *rec = NULL;
	struct bw_image_view v;
	char name[64];
	uint32_t sum;
	size_t i;
	int fd, ret;

	*img = NULL;
	*len = 0;
	snprintf(name, sizeof(name), BW_STATE_IMAGE_FMT, gen);
	fd = bw_state_open_file(dir_fd, name, euid, op_gid, why, why_len);
	if (fd < 0)
		return fd;
	ret = bw_state_read_fd(fd, BW_IMAGE_SIZE_MAX, 64, img, len, why,
			       why_len);
	close(fd);
	if (ret < 0)
		return ret;
	ret = bw_image_validate(*img, *len, &v, why, why_len);
	if (ret < 0)
		goto err_free;
	if (v.hdr->kind != BW_IMAGE_FULL) {
		snprintf(why, why_len, "a DELTA image, not a FULL one");
		ret = -EINVAL;
		goto err_free;
	}
	if (v.hdr->generation != gen) {
		snprintf(why, why_len,
			 "the file name says generation %" PRIu64
			 ", its header %" PRIu64,
			 gen, v.hdr->generation);
		ret = -EINVAL;
		goto err_free;
	}
	for (i = n; i-- > 0;)
		if (recs[i].gen == gen) {
			rec = &recs[i];
			break;
		}
	if (rec == NULL) {
		snprintf(why, why_len,
			 "no line of " BW_STATE_AUDIT_FILE
			 " records generation %" PRIu64,
			 gen);
		ret = -EINVAL;
		goto err_free;
	}
	if (!rec->has_sum) {
		snprintf(why, why_len,
			 "its line in " BW_STATE_AUDIT_FILE
			 " has no image checksum (written before checksums "
			 "were recorded)");
		ret = -EINVAL;
		goto err_free;
	}
	sum = bw_crc32c(0, *img, *len);
	if (sum != rec->sum) {
		snprintf(why, why_len,
			 "its line in " BW_STATE_AUDIT_FILE
			 " records checksum %08x, the file's is %08x: not the "
			 "image committed as generation %" PRIu64,
			 (unsigned int)rec->sum, (unsigned int)sum, gen);
		ret = -EINVAL;
		goto err_free;
	}
	return 0;

err_free:
	free(*img);
	*img = NULL;
	*len = 0;
	return ret;
}

int
bw_state_tmp_create(int dir_fd, mode_t mode, char *name)
{
	uint64_t r;
	int i, fd;

	for (i = 0; i < 16; i++) {
		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint64_t)time(NULL) * 2654435761u ^
			    (uint64_t)getpid() << 20 ^ (uint64_t)i;
		snprintf(name, BW_STATE_TMP_LEN,
			 BW_STATE_TMP_PREFIX "%016" PRIx64, r);
		fd = openat(dir_fd, name,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC,
			    mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}
