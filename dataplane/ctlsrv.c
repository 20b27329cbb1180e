/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request channel's server side (include/bw_ctl.h): a control thread
 * that accepts one connection at a time on the instance's abstract Unix
 * socket, checks who asks, and applies rulesets. Serving requests one at a
 * time is what serializes commits.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "bw_names.h"
#include "dp.h"
#include "dp_ruleset.h"

#define DP_CTL_POLL_MS	      200
#define DP_CTL_RECV_TIMEOUT_S 5
#define DP_GROUPS_MAX	      256

static int listen_fd = -1;
static pthread_t srv_thread;
static int srv_running;
static volatile int srv_stop;

/*
 * 1 when uid may commit: root, or a member (primary or supplementary) of
 * BW_OPERATOR_GROUP.
 */
static int
is_operator(uid_t uid, gid_t gid)
{
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	gid_t groups[DP_GROUPS_MAX];
	char buf[4096];
	int n = DP_GROUPS_MAX, i;

	if (uid == 0)
		return 1;
	if (getgrnam_r(BW_OPERATOR_GROUP, &gr, buf, sizeof(buf), &grp) != 0 ||
	    grp == NULL)
		return 0;
	if (gid == grp->gr_gid)
		return 1;
	{
		gid_t op_gid = grp->gr_gid;

		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) != 0 ||
		    pwp == NULL)
			return 0;
		if (getgrouplist(pwp->pw_name, gid, groups, &n) < 0)
			return 0;
		for (i = 0; i < n; i++)
			if (groups[i] == op_gid)
				return 1;
	}
	return 0;
}

/* Copy the client's image object and apply it. */
static void
serve_apply(struct dp_rsctl *c, const struct bw_ctl_request *req,
	    struct bw_ctl_reply *rep)
{
	struct stat sb;
	int fd;

	if (!bw_name_image_shm_valid(req->shm_name, sizeof(req->shm_name))) {
		rep->status = BW_CTL_BAD_REQUEST;
		snprintf(rep->message, sizeof(rep->message),
			 "bad image object name");
		return;
	}
	fd = shm_open(req->shm_name, O_RDONLY, 0);
	if (fd < 0) {
		rep->status = BW_CTL_BAD_REQUEST;
		rep->err = -errno;
		snprintf(rep->message, sizeof(rep->message), "%s: %s",
			 req->shm_name, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0 || (uint64_t)sb.st_size != req->image_size ||
	    sb.st_size == 0 || req->image_size > BW_IMAGE_SIZE_MAX) {
		close(fd);
		rep->status = BW_CTL_BAD_REQUEST;
		snprintf(rep->message, sizeof(rep->message),
			 "image object size differs from the request");
		return;
	}
	/* copied with pread(), never mapped: a shrinking object is refused */
	dp_rsctl_apply_fd(c, fd, (size_t)sb.st_size, rep);
	close(fd);
}

static void
serve(struct dp_rsctl *c, int fd)
{
	struct timeval tv = {.tv_sec = DP_CTL_RECV_TIMEOUT_S};
	struct bw_ctl_request req;
	struct bw_ctl_reply rep;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	ssize_t n;

	memset(&rep, 0, sizeof(rep));
	rep.magic = BW_CTL_MAGIC;
	rep.version = BW_CTL_VERSION;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0)
		return;
	n = recv(fd, &req, sizeof(req), 0);
	if (n != (ssize_t)sizeof(req) || req.magic != BW_CTL_MAGIC ||
	    req.version != BW_CTL_VERSION) {
		rep.status = BW_CTL_BAD_REQUEST;
		snprintf(rep.message, sizeof(rep.message),
			 "malformed request (%zd bytes)", n);
	} else if (!is_operator(cred.uid, cred.gid)) {
		rep.status = BW_CTL_DENIED;
		rep.err = -EPERM;
		snprintf(rep.message, sizeof(rep.message),
			 "uid %u is neither root nor in group '%s'",
			 (unsigned int)cred.uid, BW_OPERATOR_GROUP);
		DP_LOG(WARNING, "refused request from uid %u pid %d",
		       (unsigned int)cred.uid, (int)cred.pid);
	} else if (req.op == BW_CTL_PING) {
		rep.status = BW_CTL_OK;
	} else if (req.op == BW_CTL_APPLY) {
		DP_LOG(INFO, "apply request from uid %u pid %d",
		       (unsigned int)cred.uid, (int)cred.pid);
		serve_apply(c, &req, &rep);
	} else {
		rep.status = BW_CTL_BAD_REQUEST;
		snprintf(rep.message, sizeof(rep.message), "unknown op %u",
			 req.op);
	}
	rep.applied_gen = c->model.generation;
	if (send(fd, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep))
		DP_LOG(WARNING, "reply to pid %d lost: %s", (int)cred.pid,
		       strerror(errno));
}

static void *
srv_main(void *arg)
{
	struct dp_rsctl *c = arg;
	struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};

	while (!__atomic_load_n(&srv_stop, __ATOMIC_RELAXED)) {
		int fd;

		if (poll(&pfd, 1, DP_CTL_POLL_MS) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve(c, fd);
		close(fd);
		/* off the operator's clock: bring the standby copy level */
		dp_rsctl_level(c);
	}
	return NULL;
}

/*
 * Bind the instance's request socket and start the control thread.
 * Returns 0 or a negative errno (-EADDRINUSE: another dataplane serves
 * this instance). Main lcore.
 */
int
dp_ctlsrv_start(struct dp_rsctl *c, const char *instance)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int ret;

	if (bw_name_ctl_sockaddr(instance, &sa, &salen) != 0)
		return -EINVAL;
	listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return -errno;
	if (bind(listen_fd, (struct sockaddr *)&sa, salen) != 0 ||
	    listen(listen_fd, 8) != 0) {
		ret = -errno;
		close(listen_fd);
		listen_fd = -1;
		return ret;
	}
	ret = rte_ctrl_thread_create(&srv_thread, "bw-ctl", NULL, srv_main, c);
	if (ret != 0) {
		close(listen_fd);
		listen_fd = -1;
		return -ret;
	}
	srv_running = 1;
	return 0;
}

/* Stop the control thread (after the request in progress) and unbind. */
void
dp_ctlsrv_stop(void)
{
	if (srv_running) {
		__atomic_store_n(&srv_stop, 1, __ATOMIC_RELAXED);
		pthread_join(srv_thread, NULL);
		srv_running = 0;
	}
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
}
