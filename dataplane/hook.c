/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bypass hook (--bypass-hook PATH): an executable the dataplane runs
 * with "start" once it forwards and with "stop" on a clean stop, for an
 * external bypass switch or NIC. It runs as root, so it is trusted only
 * as the state directory's files are (lib/statedir.c): a regular file,
 * no symbolic link, owned by root (or the user the dataplane runs as),
 * writable by its owner only, in a directory of that owner writable by
 * its owner only. The file opened and checked is the one executed
 * (fexecve), so a rename between the check and the run changes nothing.
 * Main lcore only.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dp.h"
#include "service.h"

#define HOOK_TIMEOUT_MS 5000 /* then it is killed */
#define HOOK_ENV_MAX	8

static uint64_t
hook_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Is sb (the hook, or dir: its directory) trusted? 0 or -EPERM, why. */
static int
hook_trusted(const struct stat *sb, int dir, char *why, size_t why_len)
{
	uid_t euid = geteuid();
	const char *what = dir ? "its directory" : "it";

	if (!dir && !S_ISREG(sb->st_mode)) {
		snprintf(why, why_len, "not a regular file");
		return -EPERM;
	}
	if (sb->st_uid != 0 && sb->st_uid != euid) {
		snprintf(why, why_len, "%s is owned by uid %u, not root", what,
			 (unsigned int)sb->st_uid);
		return -EPERM;
	}
	if (sb->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, why_len,
			 "%s is writable by %s (mode %04o): only its owner "
			 "may write it",
			 what, sb->st_mode & S_IWOTH ? "others" : "its group",
			 (unsigned int)(sb->st_mode & 07777));
		return -EPERM;
	}
	if (!dir && !(sb->st_mode & S_IXUSR)) {
		snprintf(why, why_len, "not executable by its owner");
		return -EPERM;
	}
	return 0;
}

int
dp_hook_open(const char *path, char *why, size_t why_len)
{
	char dcopy[PATH_MAX], bcopy[PATH_MAX], msg[160];
	struct stat sb;
	int dfd, fd, ret;

	if (snprintf(dcopy, sizeof(dcopy), "%s", path) >= (int)sizeof(dcopy))
		return -ENAMETOOLONG;
	snprintf(bcopy, sizeof(bcopy), "%s", path);
	dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		ret = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(dfd, &sb) != 0) {
		ret = -errno;
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		goto err_dir;
	}
	ret = hook_trusted(&sb, 1, msg, sizeof(msg));
	if (ret < 0) {
		snprintf(why, why_len, "%s: %s", path, msg);
		goto err_dir;
	}
	fd = openat(dfd, basename(bcopy), O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, why_len, "%s: %s", path,
			 errno == ELOOP ? "a symbolic link, not a regular file"
					: strerror(errno));
		goto err_dir;
	}
	/* O_PATH | O_NOFOLLOW on a link opens the link itself */
	if (fstat(fd, &sb) != 0 || S_ISLNK(sb.st_mode)) {
		snprintf(why, why_len,
			 "%s: a symbolic link, not a regular file", path);
		ret = -EPERM;
		goto err_file;
	}
	ret = hook_trusted(&sb, 0, msg, sizeof(msg));
	if (ret < 0) {
		snprintf(why, why_len, "%s: %s", path, msg);
		goto err_file;
	}
	close(dfd);
	return fd;

err_file:
	close(fd);
err_dir:
	close(dfd);
	return ret;
}

int
dp_hook_spawn(struct dp_hook_run *h, const char *path, const char *arg,
	      const char *instance, const char *ports)
{
	char e_inst[64 + BW_NAME_LEN], e_arg[32], e_pid[32], e_ports[512];
	char *envp[HOOK_ENV_MAX], *argv[3];
	char why[PATH_MAX + 160];
	unsigned int n = 0;
	int fd, ret;

	memset(h, 0, sizeof(*h));
	snprintf(h->path, sizeof(h->path), "%s", path);
	snprintf(h->arg, sizeof(h->arg), "%s", arg);
	/* opened again: what runs is what is there now, checked again */
	fd = dp_hook_open(path, why, sizeof(why));
	if (fd < 0) {
		DP_LOG(ERR, "bypass hook not run (%s): %s", arg, why);
		return fd;
	}
	snprintf(e_inst, sizeof(e_inst), "BULWARK_INSTANCE=%s", instance);
	snprintf(e_arg, sizeof(e_arg), "BULWARK_HOOK=%s", arg);
	snprintf(e_pid, sizeof(e_pid), "BULWARK_PID=%d", (int)getpid());
	snprintf(e_ports, sizeof(e_ports), "BULWARK_PORTS=%s", ports);
	envp[n++] = e_inst;
	envp[n++] = e_arg;
	envp[n++] = e_pid;
	envp[n++] = e_ports;
	envp[n++] = (char *)(uintptr_t) "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	envp[n] = NULL;
	argv[0] = (char *)(uintptr_t)path;
	argv[1] = (char *)(uintptr_t)arg;
	argv[2] = NULL;

	h->pid = fork();
	if (h->pid < 0) {
		ret = -errno;
		DP_LOG(ERR, "bypass hook %s %s: fork: %s", path, arg,
		       strerror(errno));
		h->pid = 0;
		close(fd);
		return ret;
	}
	if (h->pid == 0) {
		/*
		 * Async-signal-safe calls only. The hook gets descriptors 0-2
		 * and its own file as 3 (a script's interpreter opens
		 * /dev/fd/3), none of the ports' or the status region's,
		 * SIGPIPE back to its default, and a process group of its
		 * own (killed whole on a timeout).
		 */
		signal(SIGPIPE, SIG_DFL);
		setpgid(0, 0);
		/* dup2() onto itself would keep close-on-exec */
		if (fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(fd, 3) < 0)
			_exit(126);
		close_range(4, ~0U, 0);
		fexecve(3, argv, envp);
		_exit(127);
	}
	close(fd);
	h->start_ns = hook_now_ns();
	return 0;
}

/* Log how the hook ended (wait status wst). */
static int
hook_report(const struct dp_hook_run *h, int wst)
{
	if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0) {
		DP_LOG(INFO, "bypass hook %s %s: done", h->path, h->arg);
		return 0;
	}
	if (WIFEXITED(wst))
		DP_LOG(ERR, "bypass hook %s %s: exit status %d", h->path,
		       h->arg, WEXITSTATUS(wst));
	else
		DP_LOG(ERR, "bypass hook %s %s: killed by signal %d", h->path,
		       h->arg, WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
	return -EIO;
}

int
dp_hook_poll(struct dp_hook_run *h, int kill_now)
{
	pid_t r;
	int wst;

	if (h->pid <= 0)
		return 0;
	r = waitpid(h->pid, &wst, WNOHANG);
	if (r == h->pid) {
		h->pid = 0;
		return hook_report(h, wst) == 0 ? 0 : -EIO;
	}
	if (!kill_now &&
	    hook_now_ns() - h->start_ns < (uint64_t)HOOK_TIMEOUT_MS * 1000000)
		return 1;
	/* its process group: what a script started goes with it */
	kill(-h->pid, SIGKILL);
	while (waitpid(h->pid, &wst, 0) < 0 && errno == EINTR)
		;
	if (kill_now)
		DP_LOG(ERR, "bypass hook %s %s: still running, killed", h->path,
		       h->arg);
	else
		DP_LOG(ERR, "bypass hook %s %s: killed after %d ms", h->path,
		       h->arg, HOOK_TIMEOUT_MS);
	h->pid = 0;
	return -ETIMEDOUT;
}

int
dp_hook_run(const char *path, const char *arg, const char *instance,
	    const char *ports)
{
	const struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};
	struct dp_hook_run h;
	int ret;

	ret = dp_hook_spawn(&h, path, arg, instance, ports);
	if (ret != 0)
		return ret;
	while ((ret = dp_hook_poll(&h, 0)) == 1)
		nanosleep(&tick, NULL);
	return ret;
}
