/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl: the operator's command line for the Bulwark dataplane.
 * Global options, then a command from the table below; each command lives
 * in its own ctl_<name>.c and returns the exit status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cmd.h"
#include "ctl_text.h"

static int cmd_help(struct ctl_ctx *ctx, int argc, char **argv);

/* Add a command: write ctl_<name>.c, declare its handler in ctl.h, add a row. */
static const struct ctl_cmd cmds[] = {
	{"status", ctl_cmd_status,
	 "is the dataplane running and healthy: state, workers, ports"},
	{"stats", ctl_cmd_stats,
	 "counters: totals, workers, ports, drops by reason (--json, --watch)"},
	{"list", ctl_cmd_list,
	 "block and allow lists: load, add, del, flush, drop, show"},
	{"lookup", ctl_cmd_lookup,
	 "which list decides for an address, and the verdict"},
	{"bpf", ctl_cmd_bpf,
	 "eBPF programs: load (verified first), unload, show"},
	{"rules", ctl_cmd_rules,
	 "content rules: load (Suricata/Snort, Hyperscan), check, flush, show"},
	{"vars", ctl_cmd_vars,
	 "rule variables ($HOME_NET, ...): set, unset, show"},
	{"batch", ctl_cmd_batch,
	 "commit several list and program changes as one generation"},
	{"history", ctl_cmd_history,
	 "committed generations, who made them, which is in force"},
	{"rollback", ctl_cmd_rollback,
	 "commit an earlier generation's content as a new one"},
	{"check", ctl_cmd_check,
	 "validate list files and ruleset images, commit nothing"},
	{"help", cmd_help, "this help, or a command's: help COMMAND"},
};

#define NB_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: " CTL_PROG
		   " [--instance NAME] [--state-dir DIR] COMMAND [ARGS]\n"
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
		   "\n"
		   "Commands:\n");
	for (i = 0; i < NB_CMDS; i++)
		fprintf(f, "  %-15s  %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\nRun '" CTL_PROG " COMMAND --help' for its options.\n");
}

static const struct ctl_cmd *
cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < NB_CMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

/* "help [COMMAND]": the global usage, or COMMAND --help. */
static int
cmd_help(struct ctl_ctx *ctx, int argc, char **argv)
{
	static char help_opt[] = "--help";
	char *sub_argv[3];
	const struct ctl_cmd *cmd;

	if (argc < 2) {
		usage(ctx->out);
		return CTL_EXIT_OK;
	}
	if (argc > 2)
		return ctl_usage_error(ctx, "help [COMMAND]",
				       "unexpected argument '%s'", argv[2]);
	cmd = cmd_find(argv[1]);
	if (cmd == NULL || cmd->run == cmd_help) {
		if (cmd != NULL) {
			usage(ctx->out);
			return CTL_EXIT_OK;
		}
		fprintf(ctx->err, CTL_PROG ": unknown command '%s'\n", argv[1]);
		usage(ctx->err);
		return CTL_EXIT_USAGE;
	}
	sub_argv[0] = argv[1];
	sub_argv[1] = help_opt;
	sub_argv[2] = NULL;
	return cmd->run(ctx, 2, sub_argv);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"state-dir", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *instance = NULL, *state_dir = NULL;
	const struct ctl_cmd *cmd;
	char shown[2 * BW_NAME_LEN];
	struct ctl_ctx ctx;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			instance = optarg;
			break;
		case 's':
			state_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return CTL_EXIT_OK;
		case 'V':
			printf(CTL_PROG " %s (status region ABI %d.%d)\n",
			       BW_VERSION, BW_STATUS_ABI_MAJOR,
			       BW_STATUS_ABI_MINOR);
			return CTL_EXIT_OK;
		default:
			ctl_getopt_report(stderr, c, argv);
			usage(stderr);
			return CTL_EXIT_USAGE;
		}
	}
	if (state_dir != NULL && state_dir[0] == '\0') {
		fprintf(stderr, CTL_PROG ": --state-dir needs a directory\n");
		return CTL_EXIT_USAGE;
	}
	rc = ctl_ctx_init(&ctx, instance, state_dir);
	if (rc == -EINVAL) {
		if (instance == NULL)
			instance = getenv(CTL_INSTANCE_ENV);
		ctl_fmt_printable(shown, sizeof(shown),
				  instance != NULL ? instance : "",
				  sizeof(shown));
		fprintf(stderr,
			CTL_PROG ": invalid instance name '%s': use 1 to %d "
				 "characters of A-Z a-z 0-9 _ -\n",
			shown, BW_NAME_LEN - 1);
		return CTL_EXIT_USAGE;
	}
	if (rc < 0) {
		fprintf(stderr, CTL_PROG ": --state-dir: %s\n", strerror(-rc));
		return CTL_EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, CTL_PROG ": no command given\n");
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	cmd = cmd_find(argv[optind]);
	if (cmd == NULL) {
		ctl_fmt_printable(shown, sizeof(shown), argv[optind],
				  sizeof(shown));
		fprintf(stderr, CTL_PROG ": unknown command '%s'\n", shown);
		usage(stderr);
		return CTL_EXIT_USAGE;
	}
	rc = cmd->run(&ctx, argc - optind, argv + optind);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, CTL_PROG ": cannot write the output: %s\n",
			strerror(errno));
		return CTL_EXIT_FAIL;
	}
	return rc;
}
