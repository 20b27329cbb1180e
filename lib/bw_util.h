/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small helpers both programs need once: reading a whole file, a clock in
 * nanoseconds, and writing a reason into a caller's buffer.
 */
#ifndef BW_UTIL_H
#define BW_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* bw_file_read() flags */
#define BW_FILE_REGULAR 0x1u /* refuse anything but a regular file */

/*
 * Read everything fd holds, until end of file, into a new buffer aligned
 * to align bytes (a power of two, at least sizeof(void *)); the buffer has
 * one byte more than *len, a NUL, so that text can be parsed in place.
 * More than max bytes: -EFBIG. The caller frees *buf with free(). Returns
 * 0 or a negative errno (-ENOMEM, the errno of read()). Any thread.
 */
int bw_file_read_fd(int fd, size_t max, size_t align, void **buf, size_t *len);

/*
 * Open path read-only and bw_file_read_fd() it. A directory is -EISDIR;
 * with BW_FILE_REGULAR, anything else that is not a regular file is
 * -EINVAL. Returns 0 or a negative errno (open(), fstat(), or as
 * bw_file_read_fd()). Any thread.
 */
int bw_file_read(const char *path, size_t max, size_t align, unsigned int flags,
		 void **buf, size_t *len);

/*
 * The whole of the open stream f (nothing read from it yet) as text:
 * bw_file_read_fd() on its descriptor, no size limit, the buffer
 * NUL-terminated. Returns 0 or a negative errno. Any thread.
 */
int bw_file_read_text(FILE *f, char **buf, size_t *len);

/* clock_gettime(clk) in nanoseconds. Any thread. */
uint64_t bw_clock_ns(clockid_t clk);

/*
 * The decimal value of environment variable name when it is set and lies
 * in min..max, else dflt (an operator's override of a built-in bound).
 */
unsigned long bw_env_ulong(const char *name, unsigned long min,
			   unsigned long max, unsigned long dflt);

/*
 * printf into why (len bytes, may be 0 or why NULL: nothing written). A
 * reason cut to the buffer is still a reason: it is only displayed.
 */
void bw_why_set(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* BW_UTIL_H */
