/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request channel's server side (include/bw_ctl.h): a control thread
 * that owns the instance's request socket, a file in a run directory only
 * root may write (docs/security.md). It learns who connects at
 * accept (SO_PEERCRED) and answers a non-operator at once; an operator's
 * connection waits in a small table, at most DP_CTL_PER_UID per uid and
 * DP_CTL_IDLE_MS long, so that no peer can hold the channel by staying
 * idle. Requests are served one at a time, which serializes commits.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
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
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "bw_ctlsock.h"
#include "bw_names.h"
#include "bw_roles.h"
#include "dp.h"
#include "dp_capture.h"
#include "dp_ruleset.h"
#include "dp_status.h"

#define DP_CTL_POLL_MS	  200
#define DP_GROUPS_MAX	  256
#define DP_CTL_CONN_MAX	  32   /* connections waiting for their request */
#define DP_CTL_PER_UID	  4    /* of them from one uid */
#define DP_CTL_IDLE_MS	  2000 /* to send the request after connecting */
#define DP_CTL_ACCEPT_MAX 64   /* accepts per poll round */
#define DP_CTL_FDS_MAX	  2    /* descriptors a request may pass */

/* A connection accepted from an operator, waiting for its request. */
struct ctl_conn {
	int fd; /* -1: free */
	uid_t uid;
	pid_t pid;
	enum bw_role role;    /* operator: any request; reader: ping only */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
};

static int listen_fd = -1;
static pthread_t srv_thread;
static int srv_running;
static volatile int srv_stop;
static struct ctl_conn conns[DP_CTL_CONN_MAX];
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static char made_dir[PATH_MAX];		/* the run directory, when we made it */
static uint64_t refused_quiet_until_ns; /* log refusals once a second */
static uint64_t refused_unlogged;

/* Copy the client's image object and apply it. */
static void
serve_apply(struct dp_rsctl *c, const struct bw_ctl_request *req,
	    struct bw_ctl_reply *rep)
{
	struct stat sb;
	int fd;

	fd = shm_open(req->shm_name, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0) {
		rep->status = BW_CTL_BAD_REQUEST;
		rep->err = -errno;
		snprintf(rep->message, sizeof(rep->message), "%s: %s",
			 req->shm_name, strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size != req->image_size) {
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
reply_init(struct bw_ctl_reply *rep, const struct dp_rsctl *c)
{
	memset(rep, 0, sizeof(*rep));
	rep->magic = BW_CTL_MAGIC;
	rep->version = BW_CTL_VERSION;
	rep->applied_gen = c->model.generation;
}

/* Send a reply without waiting: the peer reads it or loses it. */
static void
reply_send(int fd, const struct bw_ctl_reply *rep, pid_t pid)
{
	if (send(fd, rep, sizeof(*rep), MSG_NOSIGNAL | MSG_DONTWAIT) !=
	    (ssize_t)sizeof(*rep))
		DP_LOG(WARNING, "reply to pid %d lost: %s", (int)pid,
		       strerror(errno));
}

/*
 * Receive a request and the descriptors it carries (SCM_RIGHTS,
 * close-on-exec): *nb_fds is how many came, the first DP_CTL_FDS_MAX of
 * them are in fds, the others closed here. Returns what recvmsg() does.
 */
static ssize_t
request_recv(int fd, struct bw_ctl_request *buf, int *fds, unsigned int *nb_fds)
{
	union {
		char b[CMSG_SPACE(DP_CTL_FDS_MAX * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(*buf)};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = cm.b,
			    .msg_controllen = sizeof(cm.b)};
	struct cmsghdr *ch;
	ssize_t n;

	*nb_fds = 0;
	/* MSG_TRUNC: n is the whole message's length, however long */
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	for (ch = CMSG_FIRSTHDR(&mh); ch != NULL; ch = CMSG_NXTHDR(&mh, ch)) {
		size_t k, nb;

		if (ch->cmsg_level != SOL_SOCKET || ch->cmsg_type != SCM_RIGHTS)
			continue;
		nb = (ch->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nb; k++) {
			int got;

			memcpy(&got, CMSG_DATA(ch) + k * sizeof(int),
			       sizeof(int));
			if (*nb_fds < DP_CTL_FDS_MAX)
				fds[*nb_fds] = got;
			else
				close(got);
			(*nb_fds)++;
		}
	}
	/* more than the buffer holds: the kernel closed the rest */
	if (mh.msg_flags & MSG_CTRUNC)
		*nb_fds = DP_CTL_FDS_MAX + 1;
	return n;
}

/* Read the request waiting on conn, serve it and reply. */
static void
serve(struct dp_rsctl *c, const struct ctl_conn *conn)
{
	struct bw_ctl_request req, buf;
	struct bw_ctl_reply rep;
	char why[sizeof(rep.message)];
	int fds[DP_CTL_FDS_MAX];
	unsigned int nb_fds, k;
	ssize_t n;

	n = request_recv(conn->fd, &buf, fds, &nb_fds);
	if (n <= 0) {
		for (k = 0; k < nb_fds && k < DP_CTL_FDS_MAX; k++)
			close(fds[k]);
		return; /* closed, or nothing after all: nobody to answer */
	}
	reply_init(&rep, c);
	if (bw_ctl_request_parse(&buf, (size_t)n, &req, why, sizeof(why)) !=
	    0) {
		rep.status = BW_CTL_BAD_REQUEST;
		snprintf(rep.message, sizeof(rep.message), "%s", why);
	} else if (req.op == BW_CTL_PING) {
		rep.status = BW_CTL_OK;
	} else if (conn->role != BW_ROLE_OPERATOR) {
		/* the read-only role: it may ask, never commit */
		rep.status = BW_CTL_DENIED;
		rep.err = -EPERM;
		snprintf(rep.message, sizeof(rep.message),
			 "uid %u is in group '%s' (read only): commits and "
			 "captures need "
			 "group '%s' or root",
			 (unsigned int)conn->uid, BW_READER_GROUP,
			 BW_OPERATOR_GROUP);
		DP_LOG(WARNING,
		       "refused %s request from uid %u pid %d: read only",
		       req.op == BW_CTL_CAPTURE || req.op == BW_CTL_CAPTURE_STOP
			       ? "capture"
			       : "apply",
		       (unsigned int)conn->uid, (int)conn->pid);
	} else if (req.op == BW_CTL_CAPTURE) {
		DP_LOG(INFO, "capture request from uid %u pid %d",
		       (unsigned int)conn->uid, (int)conn->pid);
		dp_capture_serve(&req, fds, nb_fds, &rep);
	} else if (req.op == BW_CTL_CAPTURE_STOP) {
		dp_capture_serve_stop(&rep);
	} else {
		DP_LOG(INFO, "apply request from uid %u pid %d",
		       (unsigned int)conn->uid, (int)conn->pid);
		serve_apply(c, &req, &rep);
	}
	/* what no request took (the capture takes its two) */
	for (k = 0; k < nb_fds && k < DP_CTL_FDS_MAX; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	rep.applied_gen = c->model.generation;
	reply_send(conn->fd, &rep, conn->pid);
}

/* Log a refusal, at most once a second with the count of those unsaid. */
static void
log_refusal(const char *what, const struct ucred *cred)
{
	uint64_t now = dp_clock_ns(CLOCK_MONOTONIC);

	if (now < refused_quiet_until_ns) {
		refused_unlogged++;
		return;
	}
	refused_quiet_until_ns = now + 1000000000ull;
	if (refused_unlogged != 0)
		DP_LOG(WARNING, "%" PRIu64 " more refusals in the last second",
		       refused_unlogged);
	refused_unlogged = 0;
	DP_LOG(WARNING, "refused request from uid %u pid %d: %s",
	       (unsigned int)cred->uid, (int)cred->pid, what);
}

/*
 * Take one new connection: refuse a non-operator or a uid over its share
 * at once, with a reply that says why; keep an operator's connection in
 * the table until its request arrives or its deadline passes.
 */
static void
admit(const struct dp_rsctl *c, int fd)
{
	struct bw_ctl_reply rep;
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	enum bw_role role;
	unsigned int i, same = 0, slot = DP_CTL_CONN_MAX;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0) {
		close(fd);
		return;
	}
	reply_init(&rep, c);
	role = bw_role_of(cred.uid, cred.gid);
	if (role == BW_ROLE_NONE) {
		rep.status = BW_CTL_DENIED;
		rep.err = -EPERM;
		snprintf(rep.message, sizeof(rep.message),
			 "uid %u is neither root nor in group '%s' or '%s'",
			 (unsigned int)cred.uid, BW_OPERATOR_GROUP,
			 BW_READER_GROUP);
		log_refusal("not an operator", &cred);
		reply_send(fd, &rep, cred.pid);
		close(fd);
		return;
	}
	for (i = 0; i < DP_CTL_CONN_MAX; i++) {
		if (conns[i].fd < 0) {
			if (slot == DP_CTL_CONN_MAX)
				slot = i;
		} else if (conns[i].uid == cred.uid) {
			same++;
		}
	}
	if (same >= DP_CTL_PER_UID || slot == DP_CTL_CONN_MAX) {
		rep.status = BW_CTL_BUSY;
		rep.err = -EBUSY;
		snprintf(rep.message, sizeof(rep.message),
			 "uid %u already has %u connections waiting (at most "
			 "%u, %u in all)",
			 (unsigned int)cred.uid, same, DP_CTL_PER_UID,
			 DP_CTL_CONN_MAX);
		log_refusal("too many connections", &cred);
		reply_send(fd, &rep, cred.pid);
		close(fd);
		return;
	}
	conns[slot].fd = fd;
	conns[slot].uid = cred.uid;
	conns[slot].pid = cred.pid;
	conns[slot].role = role;
	conns[slot].deadline_ns = dp_clock_ns(CLOCK_MONOTONIC) +
				  (uint64_t)DP_CTL_IDLE_MS * 1000000ull;
}

static void
conn_close(struct ctl_conn *conn)
{
	close(conn->fd);
	conn->fd = -1;
}

static void *
srv_main(void *arg)
{
	struct dp_rsctl *c = arg;
	struct pollfd pfd[DP_CTL_CONN_MAX + 1];
	unsigned int map[DP_CTL_CONN_MAX + 1];

	while (!__atomic_load_n(&srv_stop, __ATOMIC_RELAXED)) {
		unsigned int i, nfd = 1, served = 0;
		uint64_t now;

		pfd[0].fd = listen_fd;
		pfd[0].events = POLLIN;
		for (i = 0; i < DP_CTL_CONN_MAX; i++) {
			if (conns[i].fd < 0)
				continue;
			pfd[nfd].fd = conns[i].fd;
			pfd[nfd].events = POLLIN;
			pfd[nfd].revents = 0;
			map[nfd++] = i;
		}
		if (poll(pfd, nfd, DP_CTL_POLL_MS) < 0)
			continue;
		/* requests that arrived first: their peers waited longest */
		for (i = 1; i < nfd; i++) {
			struct ctl_conn *conn = &conns[map[i]];

			if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) ==
			    0)
				continue;
			if (pfd[i].revents & POLLIN) {
				serve(c, conn);
				served = 1;
			}
			conn_close(conn);
		}
		if (pfd[0].revents & POLLIN) {
			for (i = 0; i < DP_CTL_ACCEPT_MAX; i++) {
				int fd = accept4(listen_fd, NULL, NULL,
						 SOCK_CLOEXEC | SOCK_NONBLOCK);

				if (fd < 0)
					break;
				admit(c, fd);
			}
		}
		/* an idle peer loses its place; one that sent is served */
		now = dp_clock_ns(CLOCK_MONOTONIC);
		for (i = 0; i < DP_CTL_CONN_MAX; i++)
			if (conns[i].fd >= 0 && now >= conns[i].deadline_ns) {
				struct pollfd one = {.fd = conns[i].fd,
						     .events = POLLIN};

				if (poll(&one, 1, 0) == 1 &&
				    (one.revents & POLLIN)) {
					serve(c, &conns[i]);
					served = 1;
				}
				conn_close(&conns[i]);
			}
		/* off the operator's clock: bring the standby copy level */
		if (served)
			dp_rsctl_level(c);
	}
	for (unsigned int i = 0; i < DP_CTL_CONN_MAX; i++)
		if (conns[i].fd >= 0)
			conn_close(&conns[i]);
	return NULL;
}

/*
 * Open (making it if absent, mode mode) directory name under dirfd
 * (AT_FDCWD for an absolute name), refusing a symlink, a non-directory,
 * one owned by another user than root or us, or one others may write.
 * Returns an fd or a negative errno after logging why.
 */
static int
rundir_open(int dirfd, const char *name, const char *shown, mode_t mode,
	    int *made)
{
	char why[128];
	struct stat st;
	int fd;

	if (mkdirat(dirfd, name, mode) == 0) {
		*made = 1;
	} else if (errno != EEXIST) {
		DP_LOG(ERR, "run directory %s: %s", shown, strerror(errno));
		return -errno;
	}
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int ret = -errno;

		DP_LOG(ERR, "run directory %s: %s%s", shown, strerror(errno),
		       errno == ELOOP || errno == ENOTDIR
			       ? " (a symlink or not a directory: refused)"
			       : "");
		return ret;
	}
	if (*made && fchmod(fd, mode) != 0) {
		close(fd);
		return -errno;
	}
	if (fstat(fd, &st) != 0 ||
	    bw_rundir_check(&st, geteuid(), why, sizeof(why)) != 0) {
		DP_LOG(ERR, "run directory %s: %s: refused", shown, why);
		close(fd);
		return -EPERM;
	}
	return fd;
}

/*
 * Make and check the run directory dir (its parent too), then free the
 * socket name in it: a socket left by a dataplane that died is removed,
 * one that answers means another dataplane serves the instance
 * (-EADDRINUSE), anything else there is refused.
 */
static int
rundir_prepare(const char *dir, struct sockaddr_un *sa, socklen_t *salen)
{
	char parent[PATH_MAX], *slash;
	struct stat st;
	int pfd, dfd, made = 0, ret, probe;

	ret = bw_name_ctl_path(dir, sa, salen);
	if (ret != 0) {
		DP_LOG(ERR, "run directory %s: path too long", dir);
		return ret;
	}
	if (dir[0] != '/' || snprintf(parent, sizeof(parent), "%s", dir) >=
				     (int)sizeof(parent)) {
		DP_LOG(ERR, "run directory %s: not an absolute path", dir);
		return -EINVAL;
	}
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' &&
	       slash != parent)
		*slash = '\0';
	slash = strrchr(parent, '/');
	if (slash == NULL || slash[1] == '\0') {
		DP_LOG(ERR, "run directory %s: not a directory name", dir);
		return -EINVAL;
	}
	if (slash == parent) {
		pfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		*slash = '\0';
		/* the parent (/run/bulwark) is made if absent, never chmod'ed */
		pfd = rundir_open(AT_FDCWD, parent, parent, 0755, &made);
		made = 0;
	}
	if (pfd < 0)
		return pfd;
	dfd = rundir_open(pfd, slash + 1, dir, 0755, &made);
	close(pfd);
	if (dfd < 0)
		return dfd;
	if (made)
		snprintf(made_dir, sizeof(made_dir), "%s", dir);
	ret = 0;
	if (fstatat(dfd, BW_CTL_SOCK_FILE, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			DP_LOG(ERR, "%s: not a socket: refused", sa->sun_path);
			ret = -EEXIST;
		} else {
			probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC,
				       0);
			if (probe >= 0 &&
			    connect(probe, (struct sockaddr *)sa, *salen) == 0)
				ret = -EADDRINUSE;
			else if (unlinkat(dfd, BW_CTL_SOCK_FILE, 0) != 0)
				ret = -errno;
			if (probe >= 0)
				close(probe);
		}
	}
	close(dfd);
	return ret;
}

/*
 * Make the run directory, bind the instance's request socket in it and
 * start the control thread. run_dir NULL or "": BW_RUN_DIR_BASE/instance.
 * Returns 0 or a negative errno (-EADDRINUSE: another dataplane serves
 * this instance; -EPERM: the directory is not safe). Main lcore.
 */
int
dp_ctlsrv_start(struct dp_rsctl *c, const char *instance, const char *run_dir)
{
	char dflt[PATH_MAX];
	struct sockaddr_un sa;
	socklen_t salen;
	unsigned int i;
	int ret;

	for (i = 0; i < DP_CTL_CONN_MAX; i++)
		conns[i].fd = -1;
	if (run_dir == NULL || run_dir[0] == '\0') {
		ret = bw_name_run_dir(instance, dflt, sizeof(dflt));
		if (ret != 0)
			return ret;
		run_dir = dflt;
	}
	ret = rundir_prepare(run_dir, &sa, &salen);
	if (ret != 0)
		return ret;
	listen_fd = socket(AF_UNIX,
			   SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (listen_fd < 0)
		return -errno;
	if (bind(listen_fd, (struct sockaddr *)&sa, salen) != 0) {
		ret = -errno;
		goto err_close;
	}
	memcpy(sock_path, sa.sun_path, sizeof(sock_path));
	/*
	 * Anyone may connect: the dataplane decides who may ask, from
	 * SO_PEERCRED, and tells a refused user why.
	 */
	if (chmod(sock_path, 0666) != 0 || listen(listen_fd, 64) != 0) {
		ret = -errno;
		goto err_unlink;
	}
	ret = rte_ctrl_thread_create(&srv_thread, "bw-ctl", NULL, srv_main, c);
	if (ret != 0) {
		ret = -ret;
		goto err_unlink;
	}
	srv_running = 1;
	DP_LOG(INFO, "request socket %s", sock_path);
	return 0;

err_unlink:
	unlink(sock_path);
	sock_path[0] = '\0';
err_close:
	close(listen_fd);
	listen_fd = -1;
	return ret;
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
	if (listen_fd >= 0) {
		close(listen_fd);
		if (sock_path[0] != '\0')
			unlink(sock_path);
	}
	/* the next start makes (and checks) it again */
	if (made_dir[0] != '\0')
		rmdir(made_dir);
	made_dir[0] = '\0';
	sock_path[0] = '\0';
	listen_fd = -1;
}
