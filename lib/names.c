/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Instance, status region, socket and image object names (see bw_names.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bw_names.h"
#include "bw_status.h"

#define IMG_SHM_PREFIX "/bulwark."
#define IMG_SHM_MID    ".img."

/* Characters of an instance name. */
static int
instance_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int
bw_name_instance_valid(const char *instance)
{
	size_t i;

	if (instance == NULL || instance[0] == '\0')
		return 0;
	for (i = 0; instance[i] != '\0'; i++)
		if (i >= BW_NAME_LEN - 1 || !instance_char(instance[i]))
			return 0;
	return 1;
}

int
bw_name_status_shm(const char *instance, char *buf, size_t len)
{
	if (!bw_name_instance_valid(instance))
		return -EINVAL;
	if (snprintf(buf, len, "/bulwark.%s.status", instance) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int
bw_name_ctl_sock(const char *instance, char *buf, size_t size, size_t *len)
{
	int n;

	if (size < 2 || !bw_name_instance_valid(instance))
		return -EINVAL;
	buf[0] = '\0';
	n = snprintf(buf + 1, size - 1, "bulwark.%s.ctl", instance);
	if (n < 0 || (size_t)n >= size - 1)
		return -EINVAL;
	*len = (size_t)n + 1;
	return 0;
}

int
bw_name_ctl_sockaddr(const char *instance, struct sockaddr_un *sa,
		     socklen_t *salen)
{
	size_t nlen;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (bw_name_ctl_sock(instance, sa->sun_path, sizeof(sa->sun_path),
			     &nlen) != 0)
		return -EINVAL;
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + nlen);
	return 0;
}

int
bw_name_image_shm(const char *instance, pid_t pid, char *buf, size_t len)
{
	if (!bw_name_instance_valid(instance) || pid <= 0)
		return -EINVAL;
	if (snprintf(buf, len, IMG_SHM_PREFIX "%s" IMG_SHM_MID "%ld", instance,
		     (long)pid) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int
bw_name_image_shm_valid(const char *name, size_t len)
{
	const char *end, *p, *mid;
	size_t n;

	end = memchr(name, '\0', len);
	if (end == NULL)
		return 0;
	n = sizeof(IMG_SHM_PREFIX) - 1;
	if ((size_t)(end - name) <= n || memcmp(name, IMG_SHM_PREFIX, n) != 0)
		return 0;
	/* the instance may not hold ".img.": its characters exclude '.' */
	mid = strstr(name + n, IMG_SHM_MID);
	if (mid == NULL || mid == name + n ||
	    (size_t)(mid - (name + n)) >= BW_NAME_LEN)
		return 0;
	for (p = name + n; p < mid; p++)
		if (!instance_char(*p))
			return 0;
	p = mid + sizeof(IMG_SHM_MID) - 1;
	if (p == end || *p == '0' || end - p > 10)
		return 0;
	for (; p < end; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

int
bw_name_run_dir(const char *instance, char *buf, size_t len)
{
	if (!bw_name_instance_valid(instance))
		return -EINVAL;
	if (snprintf(buf, len, BW_RUN_DIR_BASE "/%s", instance) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int
bw_name_ctl_path(const char *run_dir, struct sockaddr_un *sa, socklen_t *salen)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (run_dir == NULL || run_dir[0] == '\0')
		return -EINVAL;
	n = snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/" BW_CTL_SOCK_FILE,
		     run_dir);
	if (n < 0 || (size_t)n >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	*salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
			     (size_t)n + 1);
	return 0;
}
