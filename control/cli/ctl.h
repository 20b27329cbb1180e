/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl: the context every command receives, its exit statuses and
 * its command-line error report.
 *
 * A command is a row of the command table (ctl_cli.h, rows in
 * control/cmd): its handler gets the parsed options and operands, writes
 * results to ctx->out and errors to ctx->err, and returns an exit status.
 */
#ifndef CTL_H
#define CTL_H

#include <limits.h>
#include <stdio.h>

#include "bw_status.h"

#ifndef BW_VERSION
#define BW_VERSION "0.0.0-unknown" /* meson defines the real one */
#endif

#define CTL_PROG	     "bulwarkctl"
#define CTL_INSTANCE_DEFAULT "default"
#define CTL_INSTANCE_ENV     "BULWARK_INSTANCE"
#define CTL_STATE_DIR_BASE   "/var/lib/bulwark"

/* Exit statuses of bulwarkctl and of every command handler. */
#define CTL_EXIT_OK    0 /* done; for status: running and healthy */
#define CTL_EXIT_FAIL  1 /* the command ran and failed, or not healthy */
#define CTL_EXIT_USAGE 2 /* bad command line */

struct ctl_ctx {
	char instance[BW_NAME_LEN]; /* validated instance name */
	char state_dir[PATH_MAX];   /* lists, rules, history live here */
	FILE *out;		    /* results */
	FILE *err;		    /* errors and warnings */
};

/*
 * Fill ctx from the instance name (NULL: $BULWARK_INSTANCE, else "default")
 * and state directory (NULL: /var/lib/bulwark/<instance>). Output goes to
 * stdout and stderr. Returns 0, or -EINVAL when the instance name is not
 * 1-31 characters of [A-Za-z0-9_-], or -ENAMETOOLONG for the directory.
 */
int ctl_ctx_init(struct ctl_ctx *ctx, const char *instance,
		 const char *state_dir);

/*
 * Report a command-line error: "bulwarkctl: <message>" and the usage line
 * on ctx->err (ctl_usage_report() in ctl_cli.h for a batch line too).
 * Returns CTL_EXIT_USAGE.
 */
int ctl_usage_error(struct ctl_ctx *ctx, const char *usage, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

#endif /* CTL_H */
