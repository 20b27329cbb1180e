/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Request channel client (ctl_commit.h): one connection per request, a
 * bounded wait for the reply, and the image object's whole life (create,
 * fill, unlink) on the client's side.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bw_ctlsock.h"
#include "bw_names.h"
#include "bw_util.h"
#include "ctl_commit.h"
#include "ctl_region.h"

/*
 * The request socket's address: in $BULWARK_RUN_DIR when set, else in
 * /run/bulwark/<instance>.
 */
static int
sock_addr(const char *instance, struct sockaddr_un *sa, socklen_t *salen)
{
	const char *env = getenv(BW_RUN_DIR_ENV);
	char dir[sizeof(sa->sun_path)];
	int ret;

	if (!bw_name_instance_valid(instance))
		return -EINVAL;
	if (env != NULL && env[0] != '\0')
		return bw_name_ctl_path(env, sa, salen);
	ret = bw_name_run_dir(instance, dir, sizeof(dir));
	if (ret != 0)
		return ret;
	return bw_name_ctl_path(dir, sa, salen);
}

/*
 * Connect to the instance's socket and check who serves it. Returns an fd,
 * -ECONNREFUSED when nothing serves it, 1 when the peer is not trusted (rep
 * filled: status BW_CTL_UNTRUSTED), or another negative errno.
 */
static int
sock_connect(const char *instance, struct bw_ctl_reply *rep)
{
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t salen, clen = sizeof(cred);
	int fd, ret;

	ret = sock_addr(instance, &sa, &salen);
	if (ret != 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, salen) != 0) {
		ret = -errno;
		close(fd);
		/* no socket, or one its dataplane left behind */
		return ret == -ENOENT ? -ECONNREFUSED : ret;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* only root's dataplane (or one we run) is believed */
	if (cred.uid != 0 && cred.uid != geteuid()) {
		close(fd);
		rep->magic = BW_CTL_MAGIC;
		rep->version = BW_CTL_VERSION;
		rep->status = BW_CTL_UNTRUSTED;
		rep->err = -EPERM;
		snprintf(rep->message, sizeof(rep->message),
			 "%s is served by uid %u pid %d, not root: not a "
			 "dataplane of root's, nothing sent",
			 sa.sun_path, (unsigned int)cred.uid, (int)cred.pid);
		return 1;
	}
	return fd;
}

/* Send req on a new connection and wait for one reply. */
static int
request(const char *instance, const struct bw_ctl_request *req,
	unsigned int timeout_ms, struct bw_ctl_reply *rep)
{
	uint64_t deadline = ctl_now_mono_ns() + (uint64_t)timeout_ms * 1000000;
	struct bw_ctl_reply buf;
	struct pollfd pfd;
	ssize_t n;
	int fd, ret;

	memset(rep, 0, sizeof(*rep));
	fd = sock_connect(instance, rep);
	if (fd == 1)
		return 0;
	if (fd < 0)
		return fd;
	if (send(fd, req, sizeof(*req), MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(*req)) {
		ret = -errno;
		/* refused at accept: the reply that says why may be queued */
		if (ret != -EPIPE && ret != -ECONNRESET)
			goto out;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	for (;;) {
		uint64_t now = ctl_now_mono_ns();
		int wait_ms;

		if (now >= deadline) {
			ret = -ETIMEDOUT;
			goto out;
		}
		wait_ms = (int)((deadline - now + 999999) / 1000000);
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			ret = -errno;
			goto out;
		}
		if (ret > 0)
			break;
	}
	n = recv(fd, &buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	/*
	 * A peer that closed with our request unread (a refusal at accept)
	 * leaves ECONNRESET pending ahead of its queued reply: read on.
	 */
	if (n < 0 && errno == ECONNRESET)
		n = recv(fd, &buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	if (n < 0) {
		ret = errno == ECONNRESET || errno == EAGAIN ? -ECONNRESET
							     : -errno;
		goto out;
	}
	if (n == 0) {
		/* closed without a reply: the dataplane went away */
		ret = -ECONNRESET;
		goto out;
	}
	ret = bw_ctl_reply_parse(&buf, (size_t)n, rep);
out:
	close(fd);
	return ret;
}

static void
request_init(struct bw_ctl_request *req, uint16_t op)
{
	memset(req, 0, sizeof(*req));
	req->magic = BW_CTL_MAGIC;
	req->version = BW_CTL_VERSION;
	req->op = op;
}

int
ctl_commit_ping(const char *instance, unsigned int timeout_ms,
		struct bw_ctl_reply *rep)
{
	struct bw_ctl_request req;

	request_init(&req, BW_CTL_PING);
	return request(instance, &req, timeout_ms, rep);
}

/* Create the image object and copy the image into it. Returns an fd. */
static int
shm_fill(const char *name, const void *img, size_t len)
{
	void *map;
	int fd, ret;

	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 && errno == EEXIST) {
		/* left by a crashed bulwarkctl that had our pid */
		shm_unlink(name);
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
			      0640);
	}
	if (fd < 0)
		return -errno;
	/* the umask must not take the dataplane's group read away */
	if (fchmod(fd, 0640) != 0 || ftruncate(fd, (off_t)len) != 0) {
		ret = -errno;
		goto err_unlink;
	}
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto err_unlink;
	}
	memcpy(map, img, len);
	munmap(map, len);
	return fd;

err_unlink:
	close(fd);
	shm_unlink(name);
	return ret;
}

int
ctl_commit_apply(const char *instance, const void *img, size_t len,
		 unsigned int timeout_ms, struct bw_ctl_reply *rep)
{
	struct bw_ctl_request req;
	int fd, ret;

	memset(rep, 0, sizeof(*rep));
	if (len == 0)
		return -EINVAL;
	request_init(&req, BW_CTL_APPLY);
	req.image_size = len;
	ret = bw_name_image_shm(instance, getpid(), req.shm_name,
				sizeof(req.shm_name));
	if (ret < 0)
		return ret;
	fd = shm_fill(req.shm_name, img, len);
	if (fd < 0)
		return fd;
	ret = request(instance, &req,
		      ctl_commit_apply_timeout_ms(timeout_ms, len), rep);
	close(fd);
	shm_unlink(req.shm_name);
	return ret;
}

const char *
ctl_commit_status_name(uint16_t status)
{
	switch (status) {
	case BW_CTL_OK:
		return "ok";
	case BW_CTL_DENIED:
		return "denied";
	case BW_CTL_BAD_REQUEST:
		return "bad-request";
	case BW_CTL_REFUSED:
		return "refused";
	case BW_CTL_CONFLICT:
		return "conflict";
	case BW_CTL_BUSY:
		return "busy";
	case BW_CTL_UNTRUSTED:
		return "untrusted";
	default:
		return "unknown";
	}
}

unsigned int
ctl_commit_apply_timeout_ms(unsigned int base_ms, size_t len)
{
	uint64_t ms = (uint64_t)base_ms +
		      (uint64_t)(len >> 20) * CTL_COMMIT_MS_PER_MIB;

	return ms > CTL_COMMIT_TIMEOUT_MAX_MS ? CTL_COMMIT_TIMEOUT_MAX_MS
					      : (unsigned int)ms;
}

unsigned int
ctl_commit_timeout_ms(void)
{
	return (unsigned int)bw_env_ulong(CTL_COMMIT_TIMEOUT_ENV, 1, 3600,
					  CTL_COMMIT_TIMEOUT_MS / 1000) *
	       1000;
}
