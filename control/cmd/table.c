/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl's command table: the global options, every command in the
 * order of the usage text, and `help`, the one command that reads the
 * table itself.
 */
#include <stddef.h>
#include <stdio.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"

#define HELP_USAGE "help [COMMAND]"

/* "help [COMMAND]": the global usage, or COMMAND --help. */
static int
help_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct ctl_cmd *cmd;

	if (a->argc == 0) {
		ctl_cli_usage(&ctl_cli_table, ctx->out);
		return CTL_EXIT_OK;
	}
	cmd = ctl_cli_find(&ctl_cli_table, a->argv[0]);
	if (cmd == NULL)
		return ctl_cli_unknown(&ctl_cli_table, ctx->err, a->argv[0]);
	if (cmd == &ctl_cmd_help)
		ctl_cli_usage(&ctl_cli_table, ctx->out);
	else
		ctl_cli_help(cmd, ctx->out);
	return CTL_EXIT_OK;
}

const struct ctl_cmd ctl_cmd_help = {
	.name = "help",
	.summary = "this help, or a command's: help COMMAND",
	.usage = HELP_USAGE,
	.run = help_run,
	.args = {.max = 1},
	.flags = CTL_CMD_VERBATIM,
};

static const struct ctl_cmd *const cmds[] = {
	&ctl_cmd_status,  &ctl_cmd_stats,    &ctl_cmd_list,  &ctl_cmd_lookup,
	&ctl_cmd_bpf,	  &ctl_cmd_rules,    &ctl_cmd_vars,  &ctl_cmd_batch,
	&ctl_cmd_history, &ctl_cmd_rollback, &ctl_cmd_check, &ctl_cmd_help,
};

const struct ctl_cli ctl_cli_table = {
	.usage_head = "usage: " CTL_PROG " [--instance NAME] [--state-dir DIR] "
		      "COMMAND [ARGS]\n"
		      "       " CTL_PROG " -h | --help | --version\n"
		      "\n"
		      "Global options:\n"
		      "  --instance NAME  dataplane instance (default: "
		      "$" CTL_INSTANCE_ENV " or\n"
		      "                   \"" CTL_INSTANCE_DEFAULT "\")\n"
		      "  --state-dir DIR  state directory "
		      "(default: " CTL_STATE_DIR_BASE "/NAME)\n"
		      "  -h, --help       show this help\n"
		      "  --version        show the version\n"
		      "\n",
	.cmds = cmds,
	.nb_cmds = sizeof(cmds) / sizeof(cmds[0]),
};

static const struct ctl_opt global_opts[] = {
	{.name = "instance",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct ctl_global_opts, instance)},
	{.name = "state-dir",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct ctl_global_opts, state_dir)},
	{.name = "version",
	 .type = CTL_OPT_LAST,
	 .off = offsetof(struct ctl_global_opts, version)},
	{.name = NULL},
};

const struct ctl_cmd ctl_cmd_global = {
	.name = CTL_PROG,
	.usage = "COMMAND [ARGS]",
	.opts = global_opts,
	.args = {.max = CTL_ARGS_ANY},
	.req_size = sizeof(struct ctl_global_opts),
	.flags = CTL_CMD_IN_ORDER,
};
