/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The context of a bulwarkctl run and the command-line error report that
 * every command shares.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "bw_names.h"
#include "ctl.h"
#include "ctl_cli.h"

#define KNOWN_MAX 64 /* instances listed when a name is unknown */
#define SHM_DIR	  "/dev/shm"

int
ctl_ctx_init(struct ctl_ctx *ctx, const char *instance, const char *state_dir)
{
	char shm_name[64];
	int n;

	memset(ctx, 0, sizeof(*ctx));
	ctx->out = stdout;
	ctx->err = stderr;
	if (instance == NULL) {
		instance = getenv(CTL_INSTANCE_ENV);
		if (instance == NULL || instance[0] == '\0')
			instance = CTL_INSTANCE_DEFAULT;
	}
	/* The rules of the dataplane: 1-31 bytes of [A-Za-z0-9_-]. */
	if (bw_name_status_shm(instance, shm_name, sizeof(shm_name)) < 0)
		return -EINVAL;
	memcpy(ctx->instance, instance, strlen(instance) + 1);

	if (state_dir == NULL)
		n = snprintf(ctx->state_dir, sizeof(ctx->state_dir), "%s/%s",
			     CTL_STATE_DIR_BASE, ctx->instance);
	else if (state_dir[0] == '\0')
		return -EINVAL;
	else
		n = snprintf(ctx->state_dir, sizeof(ctx->state_dir), "%s",
			     state_dir);
	if (n >= (int)sizeof(ctx->state_dir))
		return -ENAMETOOLONG;
	return 0;
}

int
ctl_usage_vreport(struct ctl_ctx *ctx, const char *where, const char *usage,
		  const char *fmt, va_list ap)
{
	FILE *f = ctx->err;

	if (where != NULL)
		fprintf(f, "%s: error: ", where);
	else
		fputs(CTL_PROG ": ", f);
	vfprintf(f, fmt, ap);
	if (where != NULL && strchr(usage, '\n') != NULL)
		fprintf(f, " (see '" CTL_PROG " help %.*s')\n",
			(int)strcspn(usage, " "), usage);
	else if (where != NULL)
		fprintf(f, " (usage: %s)\n", usage);
	else
		fprintf(f, "\nusage: " CTL_PROG " [GLOBAL OPTIONS] %s\n",
			usage);
	return CTL_EXIT_USAGE;
}

int
ctl_usage_report(struct ctl_ctx *ctx, const char *where, const char *usage,
		 const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = ctl_usage_vreport(ctx, where, usage, fmt, ap);
	va_end(ap);
	return rc;
}

/* The request socket of instance: in $BULWARK_RUN_DIR, else its run dir. */
static int
sock_exists(const char *instance)
{
	const char *env = getenv(BW_RUN_DIR_ENV);
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat sb;

	if (env != NULL && env[0] != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else if (bw_name_run_dir(instance, dir, sizeof(dir)) < 0)
		return 0;
	snprintf(path, sizeof(path), "%s/" BW_CTL_SOCK_FILE, dir);
	return lstat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/* Does a status region or request socket of instance exist? */
static int
dataplane_exists(const char *instance)
{
	char name[64], path[96];
	struct stat sb;

	if (bw_name_status_shm(instance, name, sizeof(name)) == 0) {
		snprintf(path, sizeof(path), SHM_DIR "%s", name);
		if (lstat(path, &sb) == 0)
			return 1;
	}
	return sock_exists(instance);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add a copy of the n bytes at name to names (no duplicates). */
static void
known_add(char **names, size_t *nb, const char *name, size_t n)
{
	char buf[BW_NAME_LEN];
	size_t i;

	if (n == 0 || n >= sizeof(buf) || *nb >= KNOWN_MAX)
		return;
	memcpy(buf, name, n);
	buf[n] = '\0';
	if (!bw_name_instance_valid(buf))
		return;
	for (i = 0; i < *nb; i++)
		if (strcmp(names[i], buf) == 0)
			return;
	names[*nb] = strdup(buf);
	if (names[*nb] != NULL)
		(*nb)++;
}

/*
 * The instances this machine knows: state directories under
 * CTL_STATE_DIR_BASE and status regions in /dev/shm, sorted.
 */
static size_t
known_instances(char **names)
{
	const char *p, *dot;
	struct dirent *de;
	struct stat sb;
	size_t nb = 0;
	DIR *d;

	d = opendir(CTL_STATE_DIR_BASE);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL)
			if (fstatat(dirfd(d), de->d_name, &sb,
				    AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(sb.st_mode))
				known_add(names, &nb, de->d_name,
					  strlen(de->d_name));
		closedir(d);
	}
	d = opendir(SHM_DIR);
	if (d != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, "bulwark.", 8) != 0)
				continue;
			p = de->d_name + 8;
			dot = strchr(p, '.');
			if (dot != NULL && strcmp(dot, ".status") == 0)
				known_add(names, &nb, p, (size_t)(dot - p));
		}
		closedir(d);
	}
	qsort(names, nb, sizeof(*names), cmp_names);
	return nb;
}

int
ctl_ctx_instance_check(struct ctl_ctx *ctx)
{
	char *names[KNOWN_MAX];
	struct stat sb;
	size_t nb, i;
	int k;

	/* a directory we may not look into is not said to be missing */
	if (ctx->state_dir_given || ctx->stage ||
	    lstat(ctx->state_dir, &sb) == 0 || errno != ENOENT ||
	    dataplane_exists(ctx->instance))
		return 0;
	fprintf(ctx->err,
		CTL_PROG ": unknown instance '%s': no dataplane runs under "
			 "that name and %s does not exist\n",
		ctx->instance, ctx->state_dir);
	nb = known_instances(names);
	if (nb == 0) {
		fprintf(ctx->err, CTL_PROG ": known instances: none\n");
	} else {
		fprintf(ctx->err, CTL_PROG ": known instances:");
		for (i = 0; i < nb; i++)
			fprintf(ctx->err, " %s", names[i]);
		fputc('\n', ctx->err);
		k = ctl_cli_suggest(ctx->instance, (const char *const *)names,
				    nb);
		if (k >= 0)
			fprintf(ctx->err,
				CTL_PROG ": did you mean '--instance %s'?\n",
				names[k]);
	}
	fprintf(ctx->err,
		CTL_PROG ": to stage changes for an instance not started yet, "
			 "add --stage\n");
	for (i = 0; i < nb; i++)
		free(names[i]);
	return -ENOENT;
}
