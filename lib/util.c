/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whole-file reading, clocks and reason buffers (see bw_util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bw_util.h"

#define READ_CHUNK 65536

/* size rounded up to a multiple of align (a power of two); 0 on overflow */
static size_t
round_up(size_t size, size_t align)
{
	if (size > SIZE_MAX - (align - 1))
		return 0;
	return (size + align - 1) & ~(align - 1);
}

/* A new aligned buffer of at least size bytes holding the n at old. */
static void *
grow(void *old, size_t n, size_t size, size_t align)
{
	size_t alloc = round_up(size, align);
	void *b;

	if (alloc == 0)
		return NULL;
	b = aligned_alloc(align, alloc);
	if (b != NULL && n != 0)
		memcpy(b, old, n);
	return b;
}

int
bw_file_read_fd(int fd, size_t max, size_t align, void **buf, size_t *len)
{
	size_t cap = READ_CHUNK, n = 0;
	struct stat st;
	uint8_t *b, *nb;
	ssize_t r;
	int ret;

	/* a regular file says its size: one buffer, and the final read of 0 */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	    (uint64_t)st.st_size < SIZE_MAX / 2 && (size_t)st.st_size >= cap)
		cap = (size_t)st.st_size + 1;
	b = grow(NULL, 0, cap, align);
	if (b == NULL)
		return -ENOMEM;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > SIZE_MAX / 2) {
				ret = -ENOMEM;
				goto err_free;
			}
			nb = grow(b, n, cap * 2, align);
			if (nb == NULL) {
				ret = -ENOMEM;
				goto err_free;
			}
			free(b);
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto err_free;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			ret = -EFBIG;
			goto err_free;
		}
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;

err_free:
	free(b);
	return ret;
}

int
bw_file_read(const char *path, size_t max, size_t align, unsigned int flags,
	     void **buf, size_t *len)
{
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	if (S_ISDIR(st.st_mode)) {
		ret = -EISDIR;
		goto out_close;
	}
	if ((flags & BW_FILE_REGULAR) && !S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out_close;
	}
	ret = bw_file_read_fd(fd, max, align, buf, len);
out_close:
	close(fd);
	return ret;
}

int
bw_file_read_text(FILE *f, char **buf, size_t *len)
{
	void *b;
	int ret;

	ret = bw_file_read_fd(fileno(f), SIZE_MAX, sizeof(void *), &b, len);
	if (ret == 0)
		*buf = b;
	return ret;
}

uint64_t
bw_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
bw_why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

unsigned long
bw_env_ulong(const char *name, unsigned long min, unsigned long max,
	     unsigned long dflt)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (s == NULL || s[0] < '0' || s[0] > '9')
		return dflt;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return dflt;
	return v;
}
