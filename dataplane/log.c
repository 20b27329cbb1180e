/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's log type (DP_LOG), registered by an EAL constructor in
 * the library so that the unit tests that link it log as bulwark does,
 * and the stream every rte_log() line goes through (dp_log.h).
 *
 * rte_vlog() formats a message into the stream, then flushes it; glibc
 * holds the stream's lock across each of those, and calls stream_write()
 * under it, so the line buffer below has one writer at a time. Workers
 * log only when they start and stop (never per packet).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "dp.h"
#include "dp_log.h"

RTE_LOG_REGISTER_DEFAULT(dp_logtype, INFO);

#define DP_LOG_LINE 2048 /* longer lines are cut into pieces this long */

enum { DP_LOG_STDERR, DP_LOG_FILE, DP_LOG_SYSLOG };

static struct {
	FILE *stream;	     /* what rte_openlog_stream() got; NULL: none */
	int mode;	     /* DP_LOG_* */
	int fd;		     /* where lines are written (stderr, file) */
	char path[PATH_MAX]; /* --log-file */
	size_t len;	     /* bytes in line[] */
	char line[DP_LOG_LINE];
} lg = {.fd = STDERR_FILENO};

/* rte_log levels (RTE_LOG_EMERG = 1 ... RTE_LOG_DEBUG = 8) */
static const char *const level_name[] = {
	"info",	   "emerg",  "alert", "crit",  "error",
	"warning", "notice", "info",  "debug",
};

/* Write all of buf to fd; errors (a closed pipe: EPIPE) are dropped. */
static void
write_all(int fd, const char *buf, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

/* Send line[] as one line with its timestamp and level; empty it. */
static void
line_emit(void)
{
	char out[DP_LOG_LINE + 64];
	struct timespec ts;
	struct tm tm;
	int level = rte_log_cur_msg_loglevel();
	const int lo = RTE_LOG_EMERG, hi = RTE_LOG_DEBUG;
	size_t n;

	if (level < lo || level > hi)
		level = RTE_LOG_INFO;
	if (lg.mode == DP_LOG_SYSLOG) {
		/* syslog levels are rte_log's less one; it stamps the time */
		syslog(level - 1, "%.*s", (int)lg.len, lg.line);
		lg.len = 0;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%S", &tm);
	n += (size_t)snprintf(out + n, sizeof(out) - n, ".%03ldZ %s ",
			      ts.tv_nsec / 1000000, level_name[level]);
	memcpy(out + n, lg.line, lg.len);
	n += lg.len;
	out[n++] = '\n';
	write_all(lg.fd, out, n);
	lg.len = 0;
}

/* fopencookie write: cut what rte_vlog() wrote into lines. */
static ssize_t
stream_write(void *cookie, const char *buf, size_t size)
{
	size_t i;

	(void)cookie;
	for (i = 0; i < size; i++) {
		if (buf[i] == '\n') {
			line_emit();
			continue;
		}
		if (lg.len == sizeof(lg.line))
			line_emit();
		lg.line[lg.len++] = buf[i];
	}
	/* all taken, whatever became of it: a closed stderr is no error */
	return (ssize_t)size;
}

int
dp_log_init(void)
{
	static const cookie_io_functions_t io = {.write = stream_write};
	FILE *f;

	f = fopencookie(NULL, "w", io);
	if (f == NULL)
		return -1;
	lg.stream = f;
	rte_openlog_stream(f);
	return 0;
}

/*
 * Open the log file for appending: O_NOFOLLOW (a link planted at the
 * path is refused), O_NONBLOCK until it is known to be a regular file (a
 * FIFO would block the main lcore); a file of another user, with other
 * hard links or writable by others is refused too. Returns the
 * descriptor or -errno.
 */
static int
log_open(const char *path, char *why, size_t why_len)
{
	struct stat sb;
	int fd, ret;

	fd = open(path,
		  O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			  O_NOCTTY | O_CLOEXEC,
		  0640);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "%s: %s", path,
			 errno == ELOOP ? "a symbolic link" : strerror(errno));
		return ret;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(why, why_len, "%s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* a file another user made or linked there: not ours to append to */
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		snprintf(why, why_len, "%s: owned by uid %u, not root", path,
			 (unsigned int)sb.st_uid);
		close(fd);
		return -EPERM;
	}
	if (sb.st_nlink > 1) {
		snprintf(why, why_len, "%s: has %u hard links", path,
			 (unsigned int)sb.st_nlink);
		close(fd);
		return -EPERM;
	}
	if (sb.st_mode & S_IWOTH) {
		snprintf(why, why_len, "%s: writable by others (mode %04o)",
			 path, (unsigned int)(sb.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	fcntl(fd, F_SETFL, O_WRONLY | O_APPEND);
	return fd;
}

int
dp_log_configure(const char *path, int use_syslog, char *why, size_t why_len)
{
	int fd;

	if (lg.stream == NULL) {
		snprintf(why, why_len, "no log stream");
		return -EINVAL;
	}
	if (use_syslog) {
		openlog("bulwark", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		flockfile(lg.stream);
		lg.mode = DP_LOG_SYSLOG;
		funlockfile(lg.stream);
		return 0;
	}
	if (path == NULL || path[0] == '\0')
		return 0;
	fd = log_open(path, why, why_len);
	if (fd < 0)
		return fd;
	snprintf(lg.path, sizeof(lg.path), "%s", path);
	flockfile(lg.stream);
	lg.fd = fd;
	lg.mode = DP_LOG_FILE;
	funlockfile(lg.stream);
	return 0;
}

int
dp_log_reopen(void)
{
	char why[PATH_MAX + 64];
	int fd, old;

	if (lg.mode != DP_LOG_FILE)
		return 0;
	fd = log_open(lg.path, why, sizeof(why));
	if (fd < 0) {
		DP_LOG(ERR,
		       "log file not reopened, still writing the old one: "
		       "%s",
		       why);
		return fd;
	}
	flockfile(lg.stream);
	old = lg.fd;
	lg.fd = fd;
	funlockfile(lg.stream);
	close(old);
	return 0;
}
