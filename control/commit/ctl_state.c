/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The state directory (ctl_state.h): generations as FULL image files
 * written atomically (pending file, fsync, rename, fsync of the directory),
 * the audit log, the commit lock and pruning.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bw_crc32c.h"
#include "bw_ctl.h"
#include "bw_roles.h"
#include "ctl.h"
#include "ctl_array.h"
#include "ctl_state.h"
#include "bw_image_view.h"

#define LOCK_POLL_US 50000
#define AUDIT_LINE_MAX                                                         \
	(BW_AUDIT_OP_LEN + BW_AUDIT_USER_LEN + BW_AUDIT_HOW_LEN + 128)

static void __attribute__((format(printf, 2, 3)))
warn(const struct ctl_state *st, const char *fmt, ...)
{
	FILE *f = st->warn != NULL ? st->warn : stderr;
	va_list ap;

	fputs(CTL_PROG ": ", f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/*
 * mkdir one directory with CTL_STATE_DIR_MODE whatever the umask, given to
 * the operators' group when it exists (failure to chown is not an error: a
 * user outside the group still gets a working directory of its own).
 */
static int
mkdir_one(const char *path, gid_t gid, int last)
{
	mode_t mode = CTL_STATE_DIR_MODE;
	int fd;

	if (mkdir(path, CTL_STATE_DIR_MODE) != 0)
		return -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (gid != (gid_t)-1 && fchown(fd, (uid_t)-1, gid) == 0 && last) {
		/* the operators commit here too (docs/security.md) */
		mode = CTL_STATE_DIR_OP_MODE;
	}
	if (fchmod(fd, mode) != 0) {
		/* the mkdir mode, less the umask, stays */
	}
	close(fd);
	return 0;
}

/* mkdir -p: every missing component of path. */
static int
mkdir_parents(const char *path)
{
	char buf[PATH_MAX];
	gid_t gid = bw_state_operator_gid();
	size_t i, n = strlen(path);
	int ret;

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (buf[i - 1] == '/')
			continue;
		buf[i] = '\0';
		ret = mkdir_one(buf, gid,
				path[i + strspn(path + i, "/")] == '\0');
		if (ret < 0 && ret != -EEXIST)
			return ret;
		buf[i] = path[i];
	}
	return 0;
}

static void file_group(const struct ctl_state *st, int fd);

/* Who may use a state directory, for a refused caller. */
static const char *
access_hint(void)
{
	switch (bw_role_of(getuid(), getgid())) {
	case BW_ROLE_READER:
		return "you are in group '" BW_READER_GROUP "' (read only): "
		       "commits and the state directory need root or group "
		       "'" BW_OPERATOR_GROUP "'";
	case BW_ROLE_OPERATOR:
		return "the directory is not its group's to write (mode "
		       "0770, group '" BW_OPERATOR_GROUP "' lets operators "
		       "commit: docs/security.md)";
	default:
		break;
	}
	if (bw_group_gid(BW_OPERATOR_GROUP) == (gid_t)-1)
		return "only root may use it: this machine has no group "
		       "'" BW_OPERATOR_GROUP "'";
	return "run as root or as a member of group '" BW_OPERATOR_GROUP "'";
}

/* flock() with a bounded wait; says once that it waits. */
static int
lock_wait(struct ctl_state *st, int fd, int op)
{
	unsigned int waited_ms = 0;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (waited_ms == 0)
			warn(st,
			     "waiting for %s/" BW_STATE_LOCK_FILE
			     " (another bulwarkctl is committing)",
			     st->dir);
		if (waited_ms >= CTL_STATE_LOCK_WAIT_MS)
			return -EWOULDBLOCK;
		usleep(LOCK_POLL_US);
		waited_ms += LOCK_POLL_US / 1000;
	}
}

/*
 * Open (exclusive: create) the lock file: never through a symbolic link,
 * never a FIFO or device (O_NONBLOCK: no open that blocks), created with
 * O_EXCL. Sets st->lock_fd; returns 0 or a negative errno (reported,
 * except -ENOENT and -EACCES of a reader).
 */
static int
lock_open(struct ctl_state *st, int exclusive)
{
	int fl = (exclusive ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_NONBLOCK |
		 O_NOCTTY | O_CLOEXEC;
	struct stat sb;
	int fd, ret;

	fd = openat(st->dir_fd, BW_STATE_LOCK_FILE, fl);
	if (fd < 0 && errno == ENOENT && exclusive) {
		/* operators (the group) take it too */
		fd = openat(st->dir_fd, BW_STATE_LOCK_FILE,
			    fl | O_CREAT | O_EXCL, CTL_STATE_LOCK_MODE);
		if (fd >= 0) {
			file_group(st, fd);
			if (fchmod(fd, CTL_STATE_LOCK_MODE) != 0) {
				/* the umask's mode stays */
			}
		}
	}
	if (fd < 0) {
		ret = -errno;
		if (!exclusive && (ret == -ENOENT || ret == -EACCES))
			return ret;
		warn(st, "%s/" BW_STATE_LOCK_FILE ": %s", st->dir,
		     ret == -ELOOP ? "a symbolic link, not a regular file"
				   : strerror(-ret));
		return ret;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		warn(st, "%s/" BW_STATE_LOCK_FILE ": not a regular file",
		     st->dir);
		close(fd);
		return -EINVAL;
	}
	st->lock_fd = fd;
	return 0;
}

int
ctl_state_open(struct ctl_state *st, const char *dir, int exclusive,
	       FILE *warn_f)
{
	char why[BW_STATE_WHY_LEN];
	int ret;

	memset(st, 0, sizeof(*st));
	st->dir_fd = -1;
	st->lock_fd = -1;
	st->warn = warn_f;
	if (snprintf(st->dir, sizeof(st->dir), "%s", dir) >=
	    (int)sizeof(st->dir)) {
		warn(st, "state directory name too long");
		return -ENAMETOOLONG;
	}
	if (exclusive) {
		ret = mkdir_parents(dir);
		if (ret == -EACCES) {
			warn(st, "cannot create state directory %s: %s: %s",
			     dir, strerror(-ret), access_hint());
			return ret;
		}
		if (ret < 0) {
			warn(st, "cannot create state directory %s: %s", dir,
			     strerror(-ret));
			return ret;
		}
	}
	st->op_gid = bw_state_operator_gid();
	st->dir_fd =
		bw_state_dir_open(dir, geteuid(), st->op_gid, why, sizeof(why));
	if (st->dir_fd < 0) {
		ret = st->dir_fd;
		st->dir_fd = -1;
		if (!exclusive && ret == -ENOENT)
			return 0;
		if (ret == -EPERM || ret == -EINVAL)
			warn(st, "refusing state directory %s: %s", dir, why);
		else if (ret == -EACCES)
			warn(st, "state directory %s: %s: %s", dir, why,
			     access_hint());
		else
			warn(st, "state directory %s: %s", dir, why);
		return ret;
	}
	ret = lock_open(st, exclusive);
	if (ret < 0) {
		/* a reader of a directory never committed to needs no lock */
		if (!exclusive && (ret == -ENOENT || ret == -EACCES))
			return 0;
		goto err_close;
	}
	ret = lock_wait(st, st->lock_fd, exclusive ? LOCK_EX : LOCK_SH);
	if (ret < 0) {
		if (ret == -EWOULDBLOCK)
			warn(st,
			     "%s is still locked after %u s; is another "
			     "bulwarkctl stuck?",
			     dir, CTL_STATE_LOCK_WAIT_MS / 1000);
		else
			warn(st, "cannot lock %s/" BW_STATE_LOCK_FILE ": %s",
			     dir, strerror(-ret));
		goto err_close;
	}
	return 0;

err_close:
	ctl_state_close(st);
	return ret;
}

void
ctl_state_close(struct ctl_state *st)
{
	if (st->lock_fd >= 0)
		close(st->lock_fd); /* releases the flock */
	if (st->dir_fd >= 0)
		close(st->dir_fd);
	st->lock_fd = -1;
	st->dir_fd = -1;
}

int
ctl_state_path(const struct ctl_state *st, uint64_t gen, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/" BW_STATE_IMAGE_FMT, st->dir, gen) >=
	    (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int
ctl_state_gens(const struct ctl_state *st, uint64_t **gens, size_t *n)
{
	*gens = NULL;
	*n = 0;
	if (st->dir_fd < 0)
		return 0;
	return bw_state_gens(st->dir_fd, BW_STATE_IMAGE_PREFIX, gens, n);
}

int
ctl_state_pending(const struct ctl_state *st, uint64_t **gens, size_t *n)
{
	*gens = NULL;
	*n = 0;
	if (st->dir_fd < 0)
		return 0;
	return bw_state_gens(st->dir_fd, BW_STATE_PENDING_PREFIX, gens, n);
}

struct bad_arg {
	const struct ctl_state *st;
	int quiet;
};

static void
audit_bad(void *arg, size_t lineno)
{
	const struct bad_arg *b = arg;

	if (!b->quiet)
		warn(b->st,
		     "warning: %s/" BW_STATE_AUDIT_FILE
		     ":%zu: malformed line skipped",
		     b->st->dir, lineno);
}

/* The audit log, quietly (its own warnings come from audit_read). */
static int
audit_load(const struct ctl_state *st, struct bw_audit_rec **recs, size_t *n,
	   int quiet, char *why, size_t why_len)
{
	struct bad_arg b = {st, quiet};

	*recs = NULL;
	*n = 0;
	if (st->dir_fd < 0)
		return 0;
	return bw_state_audit_load(st->dir_fd, geteuid(), st->op_gid, recs, n,
				   audit_bad, &b, why, why_len);
}

/* ctl_state_read() with the audit log already read. */
static int
read_with(const struct ctl_state *st, uint64_t gen,
	  const struct bw_audit_rec *recs, size_t nrecs, struct ctl_ruleset *rs,
	  struct ctl_image_meta *m, char *why, size_t why_len)
{
	size_t len;
	void *img;
	int ret;

	memset(rs, 0, sizeof(*rs));
	if (why_len > 0)
		why[0] = '\0';
	if (st->dir_fd < 0) {
		snprintf(why, why_len, "%s", strerror(ENOENT));
		return -ENOENT;
	}
	ret = bw_state_load_gen(st->dir_fd, gen, recs, nrecs, geteuid(),
				st->op_gid, &img, &len, why, why_len);
	if (ret < 0)
		return ret;
	ret = ctl_image_read(img, len, rs, m, why, why_len);
	free(img);
	return ret;
}

int
ctl_state_read(const struct ctl_state *st, uint64_t gen, struct ctl_ruleset *rs,
	       struct ctl_image_meta *m, char *why, size_t why_len)
{
	struct bw_audit_rec *recs;
	size_t n;
	int ret;

	memset(rs, 0, sizeof(*rs));
	ret = audit_load(st, &recs, &n, 1, why, why_len);
	if (ret < 0)
		return ret;
	ret = read_with(st, gen, recs, n, rs, m, why, why_len);
	free(recs);
	return ret;
}

int
ctl_state_newest(const struct ctl_state *st, struct ctl_ruleset *rs,
		 struct ctl_image_meta *m, uint64_t *max_gen)
{
	char why[BW_IMAGE_WHY_LEN], path[PATH_MAX];
	struct bw_audit_rec *recs;
	uint64_t *gens;
	size_t n, i, nrecs;
	int ret;

	memset(rs, 0, sizeof(*rs));
	if (m != NULL)
		memset(m, 0, sizeof(*m));
	if (max_gen != NULL)
		*max_gen = 0;
	ret = ctl_state_gens(st, &gens, &n);
	if (ret < 0) {
		warn(st, "cannot read state directory %s: %s", st->dir,
		     strerror(-ret));
		return ret;
	}
	if (n > 0 && max_gen != NULL)
		*max_gen = gens[n - 1];
	ret = audit_load(st, &recs, &nrecs, 1, why, sizeof(why));
	if (ret < 0) {
		free(gens);
		warn(st, "cannot read %s/" BW_STATE_AUDIT_FILE ": %s", st->dir,
		     why);
		return ret;
	}
	for (i = n; i-- > 0;) {
		ret = read_with(st, gens[i], recs, nrecs, rs, m, why,
				sizeof(why));
		if (ret == 0)
			break;
		if (ret == -ENOMEM) {
			free(gens);
			free(recs);
			warn(st, "out of memory");
			return ret;
		}
		if (ctl_state_path(st, gens[i], path, sizeof(path)) < 0)
			path[0] = '\0';
		warn(st, "warning: skipping %s: %s", path, why);
	}
	free(gens);
	free(recs);
	return 0;
}

int
ctl_state_current(const char *dir, FILE *warn_f, struct ctl_ruleset *rs,
		  struct ctl_image_meta *m)
{
	struct ctl_state st;
	int ret;

	memset(rs, 0, sizeof(*rs));
	ret = ctl_state_open(&st, dir, 0, warn_f);
	if (ret < 0)
		return ret;
	ret = ctl_state_newest(&st, rs, m, NULL);
	ctl_state_close(&st);
	return ret;
}

static int
pending_name(char *buf, size_t len, uint64_t gen)
{
	if (snprintf(buf, len, BW_STATE_PENDING_FMT, gen) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* pending_name() of a file in st's directory: -EBADF when it has none. */
static int
pending_at(const struct ctl_state *st, char *buf, size_t len, uint64_t gen)
{
	if (st->dir_fd < 0)
		return -EBADF;
	return pending_name(buf, len, gen);
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Give a new file the directory's group, so that operators who may read
 * the directory may read the file (ignored when not permitted).
 */
static void
file_group(const struct ctl_state *st, int fd)
{
	struct stat ds, fs;

	if (fstat(st->dir_fd, &ds) != 0 || fstat(fd, &fs) != 0 ||
	    ds.st_gid == fs.st_gid)
		return;
	if (fchown(fd, (uid_t)-1, ds.st_gid) != 0) {
		/* not a member of that group: the file keeps ours */
	}
}

int
ctl_state_prepare(const struct ctl_state *st, const void *img, size_t len,
		  uint64_t gen)
{
	char name[64];
	int ret;

	ret = pending_at(st, name, sizeof(name), gen);
	if (ret < 0)
		return ret;
	return ctl_state_replace_file(st, name, img, len);
}

int
ctl_state_replace_file(const struct ctl_state *st, const char *name,
		       const void *data, size_t len)
{
	char tmp[BW_STATE_TMP_LEN];
	int fd, ret;

	if (st->dir_fd < 0)
		return -EBADF;
	fd = bw_state_tmp_create(st->dir_fd, CTL_STATE_FILE_MODE, tmp);
	if (fd < 0)
		return fd;
	file_group(st, fd);
	if (fchmod(fd, CTL_STATE_FILE_MODE) != 0) {
		ret = -errno;
		goto err_unlink;
	}
	ret = write_all(fd, data, len);
	if (ret == 0 && fsync(fd) != 0)
		ret = -errno;
	if (ret < 0)
		goto err_unlink;
	if (close(fd) != 0) {
		ret = -errno;
		unlinkat(st->dir_fd, tmp, 0);
		return ret;
	}
	/* rename() replaces a planted link or file, never follows it */
	if (renameat(st->dir_fd, tmp, st->dir_fd, name) != 0) {
		ret = -errno;
		unlinkat(st->dir_fd, tmp, 0);
		return ret;
	}
	return 0;

err_unlink:
	close(fd);
	unlinkat(st->dir_fd, tmp, 0);
	return ret;
}

int
ctl_state_publish(const struct ctl_state *st, uint64_t gen)
{
	char from[64], to[64];
	int ret;

	ret = pending_at(st, from, sizeof(from), gen);
	if (ret < 0)
		return ret;
	if (snprintf(to, sizeof(to), BW_STATE_IMAGE_FMT, gen) >=
	    (int)sizeof(to))
		return -ENAMETOOLONG;
	if (renameat(st->dir_fd, from, st->dir_fd, to) != 0)
		return -errno;
	/* the rename itself must survive a crash */
	if (fsync(st->dir_fd) != 0)
		return -errno;
	return 0;
}

int
ctl_state_discard(const struct ctl_state *st, uint64_t gen)
{
	char name[64];
	int ret;

	ret = pending_at(st, name, sizeof(name), gen);
	if (ret < 0)
		return ret;
	if (unlinkat(st->dir_fd, name, 0) != 0)
		return -errno;
	return 0;
}

int
ctl_state_write(const struct ctl_state *st, const void *img, size_t len,
		uint64_t gen)
{
	struct bw_audit_rec rec;
	int ret = ctl_state_prepare(st, img, len, gen);

	if (ret < 0)
		return ret;
	ret = ctl_state_publish(st, gen);
	if (ret < 0) {
		ctl_state_discard(st, gen);
		return ret;
	}
	memset(&rec, 0, sizeof(rec));
	bw_audit_self(&rec);
	rec.gen = gen;
	rec.parent = gen - 1;
	snprintf(rec.how, sizeof(rec.how), "%s", BW_HOW_STAGED);
	rec.has_sum = 1;
	rec.sum = bw_crc32c(0, img, len);
	return ctl_state_audit_append(st, &rec);
}

int
ctl_state_pending_load(const struct ctl_state *st, uint64_t gen, void **img,
		       size_t *len)
{
	char name[64], why[BW_STATE_WHY_LEN];
	int fd, ret;

	ret = pending_at(st, name, sizeof(name), gen);
	if (ret < 0)
		return ret;
	fd = bw_state_open_file(st->dir_fd, name, geteuid(), st->op_gid, why,
				sizeof(why));
	if (fd < 0)
		return fd;
	ret = bw_state_read_fd(fd, BW_IMAGE_SIZE_MAX, CTL_IMAGE_ALIGN, img, len,
			       why, sizeof(why));
	close(fd);
	return ret;
}

int
ctl_state_prune(const struct ctl_state *st, size_t keep)
{
	char name[64];
	uint64_t *gens;
	size_t n, i;
	int ret, removed = 0;

	if (keep < 1)
		keep = 1;
	ret = ctl_state_gens(st, &gens, &n);
	if (ret < 0)
		return ret;
	for (i = 0; i + keep < n; i++) {
		snprintf(name, sizeof(name), BW_STATE_IMAGE_FMT, gens[i]);
		if (unlinkat(st->dir_fd, name, 0) == 0)
			removed++;
		else if (errno != ENOENT)
			warn(st, "warning: cannot remove %s/%s: %s", st->dir,
			     name, strerror(errno));
	}
	free(gens);
	if (removed > 0 && fsync(st->dir_fd) != 0)
		return -errno;
	return removed;
}

int
ctl_state_audit_append(const struct ctl_state *st,
		       const struct bw_audit_rec *rec)
{
	struct stat sb;
	char *line;
	int fd, ret, created = 0;

	if (st->dir_fd < 0)
		return -EBADF;
	line = malloc(AUDIT_LINE_MAX);
	if (line == NULL)
		return -ENOMEM;
	ret = bw_audit_format(rec, line, AUDIT_LINE_MAX);
	if (ret < 0)
		goto out;
	fd = openat(st->dir_fd, BW_STATE_AUDIT_FILE,
		    O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK |
			    O_NOCTTY);
	if (fd < 0 && errno == ENOENT) {
		fd = openat(st->dir_fd, BW_STATE_AUDIT_FILE,
			    O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC |
				    O_NOFOLLOW,
			    CTL_STATE_LOCK_MODE);
		created = 1;
	}
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		ret = -EINVAL;
		goto out;
	}
	if (created) {
		/* every operator appends to it: the group writes */
		file_group(st, fd);
		if (fchmod(fd, CTL_STATE_LOCK_MODE) != 0) {
			/* the umask's mode stays */
		}
	}
	/* one write(): an O_APPEND line is never interleaved */
	ret = write_all(fd, line, strlen(line));
	if (ret == 0 && fsync(fd) != 0)
		ret = -errno;
	if (close(fd) != 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && created && fsync(st->dir_fd) != 0)
		ret = -errno;
out:
	free(line);
	return ret;
}

int
ctl_state_audit_read(const struct ctl_state *st, struct bw_audit_rec **recs,
		     size_t *n)
{
	char why[BW_STATE_WHY_LEN];
	int ret;

	ret = audit_load(st, recs, n, 0, why, sizeof(why));
	if (ret < 0)
		warn(st, "cannot read %s/" BW_STATE_AUDIT_FILE ": %s", st->dir,
		     why);
	return ret;
}
