/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl: the context every command receives and its exit statuses.
 *
 * A command is a row of the command table (ctl_cli.h, rows in
 * control/cmd/table.c): its handler gets the parsed options and operands,
 * writes results to ctx->out and errors to ctx->err (a command-line error
 * with ctl_usage_report()), and returns an exit status.
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
	int state_dir_given;	    /* --state-dir named the directory */
	int stage;		    /* --stage: a future instance is meant */
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
 * Is the instance of ctx known: its state directory exists, or a
 * dataplane runs (or ran) under its name (status region or request
 * socket)? A state directory named with --state-dir, or --stage, makes
 * any instance acceptable. Returns 0, or -ENOENT after reporting on
 * ctx->err that the instance is unknown, with the known ones and the
 * closest to the name typed: a typo must not create a directory nor
 * answer for an instance that does not exist.
 */
int ctl_ctx_instance_check(struct ctl_ctx *ctx);

#endif /* CTL_H */
