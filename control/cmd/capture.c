/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl capture (--reason R | --sid N | --list NAME | --all-drops |
 * --passed) [--count N] [--snaplen B] -w FILE`: open FILE (as the
 * caller, who must be allowed to write it), pass it and the write end of
 * a pipe to the dataplane with a BW_CTL_CAPTURE request (include/bw_ctl.h);
 * the dataplane writes pcapng into FILE and closes the pipe when the
 * capture ends (after N packets, or on BW_CTL_CAPTURE_STOP, which Ctrl-C
 * sends). The row of the command is in table.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "bw_ctl.h"
#include "bw_ctlsock.h"
#include "bw_image_view.h"
#include "bw_names.h"
#include "bw_reason.h"

#define REPLY_TIMEOUT_MS 5000
#define STOP_WAIT_MS	 10000

static volatile sig_atomic_t interrupted;

static void
on_int(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Connect to the instance's request socket; an fd or a negative errno. */
static int
ctl_connect(const char *instance, FILE *err)
{
	const char *env = getenv(BW_RUN_DIR_ENV);
	char dir[PATH_MAX];
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t salen, clen = sizeof(cred);
	int fd, ret;

	if (env != NULL && env[0] != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else if ((ret = bw_name_run_dir(instance, dir, sizeof(dir))) != 0)
		return ret;
	ret = bw_name_ctl_path(dir, &sa, &salen);
	if (ret != 0)
		return ret;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, salen) != 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* only root's dataplane (or one we run) gets our file */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		fprintf(err,
			CTL_PROG ": %s is not served by root: nothing sent\n",
			sa.sun_path);
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Send req with fds (nb_fds may be 0) and read the reply. */
static int
exchange(const char *instance, const struct bw_ctl_request *req, const int *fds,
	 unsigned int nb_fds, struct bw_ctl_reply *rep, FILE *err)
{
	union {
		char b[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = {.iov_base = (void *)(uintptr_t)req,
			    .iov_len = sizeof(*req)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	struct pollfd pfd;
	struct bw_ctl_reply buf;
	struct cmsghdr *ch;
	ssize_t n;
	int fd, ret;

	fd = ctl_connect(instance, err);
	if (fd < 0)
		return fd;
	if (nb_fds != 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.b;
		mh.msg_controllen = CMSG_SPACE(nb_fds * sizeof(int));
		ch = CMSG_FIRSTHDR(&mh);
		ch->cmsg_level = SOL_SOCKET;
		ch->cmsg_type = SCM_RIGHTS;
		ch->cmsg_len = CMSG_LEN(nb_fds * sizeof(int));
		memcpy(CMSG_DATA(ch), fds, nb_fds * sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(*req) &&
	    errno != EPIPE && errno != ECONNRESET) {
		ret = -errno;
		close(fd);
		return ret;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	do
		ret = poll(&pfd, 1, REPLY_TIMEOUT_MS);
	while (ret < 0 && errno == EINTR);
	if (ret <= 0) {
		close(fd);
		return ret == 0 ? -ETIMEDOUT : -errno;
	}
	n = recv(fd, &buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT);
	close(fd);
	if (n <= 0)
		return -ECONNRESET;
	return bw_ctl_reply_parse(&buf, (size_t)n, rep);
}

static int
reason_of(const char *name)
{
	unsigned int r;

	for (r = 1; r < BW_REASON_COUNT; r++)
		if (strcmp(bw_reason_name(r), name) == 0)
			return (int)r;
	return -1;
}

static int
number(const char *s, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

#define USAGE                                                                  \
	"capture (--reason R | --sid N | --list NAME | --all-drops | "         \
	"--passed) [--count N] [--snaplen B] -w FILE"

static int
usage_err(struct ctl_ctx *ctx, const char *fmt, const char *arg)
{
	fprintf(ctx->err, CTL_PROG " capture: ");
	fprintf(ctx->err, "%s", fmt);
	if (arg != NULL)
		fprintf(ctx->err, " '%s'", arg);
	fprintf(ctx->err, "\nusage: " CTL_PROG " " USAGE "\n");
	return CTL_EXIT_USAGE;
}

int
ctl_cmd_capture_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct bw_ctl_capture cp = {.snaplen = BW_CAP_SNAPLEN_MAX};
	struct bw_ctl_request req;
	struct bw_ctl_reply rep;
	struct sigaction sa;
	const char *file = NULL;
	int fds[2], pipefd[2], i, ret, r, stopped = 0;
	uint64_t written = 0;
	ssize_t n;

	if (a->argc == 1 && (strcmp(a->argv[0], "--help") == 0 ||
			     strcmp(a->argv[0], "-h") == 0)) {
		ctl_cli_help(a->cmd, ctx->out);
		return CTL_EXIT_OK;
	}
	for (i = 0; i < a->argc; i++) {
		const char *o = a->argv[i];
		const char *v = i + 1 < a->argc ? a->argv[i + 1] : NULL;
		int what = 0;

		if (strcmp(o, "--all-drops") == 0) {
			what = BW_CAP_ALL_DROPS;
		} else if (strcmp(o, "--passed") == 0) {
			what = BW_CAP_PASSED;
		} else if (v == NULL) {
			return usage_err(ctx, "unknown option or no value:", o);
		} else if (strcmp(o, "--reason") == 0) {
			what = BW_CAP_REASON;
			r = reason_of(v);
			if (r < 0)
				return usage_err(ctx, "--reason: no reason", v);
			cp.reason = (uint8_t)r;
			i++;
		} else if (strcmp(o, "--sid") == 0) {
			what = BW_CAP_SID;
			if (number(v, UINT32_MAX, &cp.sid) != 0 || cp.sid == 0)
				return usage_err(ctx, "--sid: not a sid", v);
			i++;
		} else if (strcmp(o, "--list") == 0) {
			what = BW_CAP_LIST;
			if (!bw_image_name_valid(v))
				return usage_err(ctx, "--list: bad name", v);
			snprintf(cp.list, sizeof(cp.list), "%s", v);
			i++;
		} else if (strcmp(o, "--count") == 0) {
			if (number(v, UINT32_MAX, &cp.count) != 0 ||
			    cp.count == 0)
				return usage_err(ctx, "--count: not a count",
						 v);
			i++;
			continue;
		} else if (strcmp(o, "--snaplen") == 0) {
			if (number(v, BW_CAP_SNAPLEN_MAX, &cp.snaplen) != 0 ||
			    cp.snaplen == 0)
				return usage_err(ctx,
						 "--snaplen: not 1-" CTL_STR(
							 BW_CAP_SNAPLEN_MAX),
						 v);
			i++;
			continue;
		} else if (strcmp(o, "-w") == 0 || strcmp(o, "--write") == 0) {
			file = v;
			i++;
			continue;
		} else {
			return usage_err(ctx, "unknown option", o);
		}
		if (cp.what != 0)
			return usage_err(ctx,
					 "one of --reason, --sid, --list, "
					 "--all-drops, --passed, not two:",
					 o);
		cp.what = (uint8_t)what;
	}
	if (cp.what == 0)
		return usage_err(ctx,
				 "say what to capture (--reason, --sid, "
				 "--list, --all-drops or --passed)",
				 NULL);
	if (file == NULL)
		return usage_err(ctx, "-w FILE is needed", NULL);

	fds[0] = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fds[0] < 0) {
		fprintf(ctx->err, CTL_PROG ": %s: %s\n", file, strerror(errno));
		return CTL_EXIT_FAIL;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		close(fds[0]);
		return CTL_EXIT_FAIL;
	}
	fds[1] = pipefd[1];
	memset(&req, 0, sizeof(req));
	req.magic = BW_CTL_MAGIC;
	req.version = BW_CTL_VERSION;
	req.op = BW_CTL_CAPTURE;
	memcpy(req.shm_name, &cp, sizeof(cp));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_int;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = exchange(ctx->instance, &req, fds, 2, &rep, ctx->err);
	close(fds[0]);
	close(pipefd[1]);
	if (ret != 0 || rep.status != BW_CTL_OK) {
		fprintf(ctx->err, CTL_PROG ": capture: %s\n",
			ret != 0 ? strerror(-ret) : rep.message);
		close(pipefd[0]);
		return CTL_EXIT_FAIL;
	}
	/* the dataplane closes the pipe when the capture ends */
	for (;;) {
		struct pollfd pfd = {.fd = pipefd[0], .events = POLLIN};

		ret = poll(&pfd, 1, 200);
		if (ret > 0) {
			n = read(pipefd[0], &written, sizeof(written));
			if (n == (ssize_t)sizeof(written) || n <= 0)
				break;
		}
		if (interrupted && !stopped) {
			memset(&req, 0, sizeof(req));
			req.magic = BW_CTL_MAGIC;
			req.version = BW_CTL_VERSION;
			req.op = BW_CTL_CAPTURE_STOP;
			exchange(ctx->instance, &req, NULL, 0, &rep, ctx->err);
			stopped = 1;
		}
	}
	close(pipefd[0]);
	fprintf(ctx->err, "%" PRIu64 " packets written to %s\n", written, file);
	return CTL_EXIT_OK;
}
