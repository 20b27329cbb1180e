/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The context of a bulwarkctl run and the command-line error report that
 * every command shares.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bw_names.h"
#include "ctl.h"
#include "ctl_cli.h"

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
