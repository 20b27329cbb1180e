/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The context of a bulwarkctl run and the command-line error reports that
 * every command shares.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

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
	if (bw_status_shm_name(instance, shm_name, sizeof(shm_name)) < 0)
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
ctl_usage_error(struct ctl_ctx *ctx, const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs(CTL_PROG ": ", ctx->err);
	va_start(ap, fmt);
	vfprintf(ctx->err, fmt, ap);
	va_end(ap);
	fprintf(ctx->err, "\nusage: " CTL_PROG " [GLOBAL OPTIONS] %s\n", usage);
	return CTL_EXIT_USAGE;
}

/* The message of a getopt_long() error, into buf. */
static void
getopt_message(char *buf, size_t len, int c, char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	const char *eq;

	if (c == ':') {
		snprintf(buf, len, "option '%s' needs an argument", arg);
		return;
	}
	if (arg[0] != '-' || arg[1] != '-') {
		/* A short option, maybe inside a cluster such as -hx. */
		snprintf(buf, len, "unknown option '-%c'", optopt);
		return;
	}
	eq = strchr(arg, '=');
	/* glibc sets optopt to the option's value when it takes no argument. */
	if (optopt != 0 && eq != NULL)
		snprintf(buf, len, "option '%.*s' takes no argument",
			 (int)(eq - arg), arg);
	else
		snprintf(buf, len, "unknown option '%s'", arg);
}

int
ctl_getopt_error(struct ctl_ctx *ctx, const char *usage, int c, char **argv)
{
	char msg[160];

	getopt_message(msg, sizeof(msg), c, argv);
	return ctl_usage_error(ctx, usage, "%s", msg);
}

void
ctl_getopt_report(FILE *f, int c, char **argv)
{
	char msg[160];

	getopt_message(msg, sizeof(msg), c, argv);
	fprintf(f, CTL_PROG ": %s\n", msg);
}
