/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands of bulwarkctl: one row of the command table (ctl_cli.h)
 * per command, defined next to its handlers in control/cmd/<family>.c,
 * and the table that lists them (table.c).
 *
 * Add a command: write its file with its row (options, operands, usage,
 * help, handler, batch handler if it is a change), declare the row here,
 * list it in table.c and in meson.build.
 */
#ifndef CTL_CMD_H
#define CTL_CMD_H

#include "ctl.h"
#include "ctl_cli.h"

extern const struct ctl_cmd ctl_cmd_status;   /* status.c */
extern const struct ctl_cmd ctl_cmd_stats;    /* stats.c */
extern const struct ctl_cmd ctl_cmd_list;     /* list.c */
extern const struct ctl_cmd ctl_cmd_lookup;   /* lookup.c */
extern const struct ctl_cmd ctl_cmd_bpf;      /* bpf.c */
extern const struct ctl_cmd ctl_cmd_rules;    /* rules.c */
extern const struct ctl_cmd ctl_cmd_vars;     /* vars.c */
extern const struct ctl_cmd ctl_cmd_batch;    /* batch.c */
extern const struct ctl_cmd ctl_cmd_history;  /* history.c */
extern const struct ctl_cmd ctl_cmd_rollback; /* history.c */
extern const struct ctl_cmd ctl_cmd_check;    /* check.c */
extern const struct ctl_cmd ctl_cmd_help;     /* table.c */

/* Every command of bulwarkctl, in the order of its usage text. */
extern const struct ctl_cli ctl_cli_table;

/*
 * The global options of bulwarkctl, read into a struct ctl_global_opts
 * before the command (CTL_CMD_IN_ORDER).
 */
struct ctl_global_opts {
	const char *instance;
	const char *state_dir;
	int version;
};

extern const struct ctl_cmd ctl_cmd_global;

/*
 * --format F of list load and check: a CTL_OPT_PARSE function that fills
 * the struct ctl_list_parse_opts at field. Returns 0 or -EINVAL.
 */
int ctl_list_format_opt(const char *arg, void *field);

#endif /* CTL_CMD_H */
