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

/* Wait for pid at most HOOK_TIMEOUT_MS; its wait status, or -1 killed. */
static int
hook_wait(pid_t pid)
{
	const struct timespec tick = {.tv_nsec = 10 * 1000 * 1000};
	unsigned int ms;
	int wst;

	for (ms = 0; ms < HOOK_TIMEOUT_MS; ms += 10) {
		pid_t r = waitpid(pid, &wst, WNOHANG);

		if (r == pid)
			return wst;
		if (r < 0 && errno != EINTR)
			return -1;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int
dp_hook_run(const char *path, const char *arg, const char *instance,
	    const char *ports)
{
	char e_inst[64 + BW_NAME_LEN], e_arg[32], e_pid[32], e_ports[512];
	char *envp[HOOK_ENV_MAX], *argv[3];
	char why[PATH_MAX + 160];
	unsigned int n = 0;
	int fd, wst;
	pid_t pid;

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

	pid = fork();
	if (pid < 0) {
		DP_LOG(ERR, "bypass hook %s %s: fork: %s", path, arg,
		       strerror(errno));
		close(fd);
		return -errno;
	}
	if (pid == 0) {
		/*
		 * Async-signal-safe calls only. The hook gets descriptors 0-2
		 * and its own file as 3 (a script's interpreter opens
		 * /dev/fd/3), none of the ports' or the status region's, and
		 * SIGPIPE back to its default.
		 */
		signal(SIGPIPE, SIG_DFL);
		/* dup2() onto itself would keep close-on-exec */
		if (fd == 3 ? fcntl(3, F_SETFD, 0) < 0 : dup2(fd, 3) < 0)
			_exit(126);
		close_range(4, ~0U, 0);
		fexecve(3, argv, envp);
		_exit(127);
	}
	close(fd);
	wst = hook_wait(pid);
	if (wst < 0) {
		DP_LOG(ERR, "bypass hook %s %s: killed after %d ms", path, arg,
		       HOOK_TIMEOUT_MS);
		return -ETIMEDOUT;
	}
	if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0) {
		DP_LOG(INFO, "bypass hook %s %s: done", path, arg);
		return 0;
	}
	if (WIFEXITED(wst))
		DP_LOG(ERR, "bypass hook %s %s: exit status %d", path, arg,
		       WEXITSTATUS(wst));
	else
		DP_LOG(ERR, "bypass hook %s %s: killed by signal %d", path, arg,
		       WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
	return -EIO;
}
