/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl: the operator's command line for the Bulwark dataplane.
 * Global options, then a command of the table (control/cmd/table.c); the
 * table's machinery (control/cli) reads the rest and runs the command,
 * whose exit status is ours.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_text.h"

int
main(int argc, char **argv)
{
	struct ctl_global_opts g;
	char shown[2 * BW_NAME_LEN], why[256];
	const char *instance;
	struct ctl_ctx ctx;
	char **rest;
	int nb, rc;

	memset(&g, 0, sizeof(g));
	rest = calloc((size_t)argc + 1, sizeof(*rest));
	if (rest == NULL) {
		fprintf(stderr, CTL_PROG ": out of memory\n");
		return CTL_EXIT_FAIL;
	}
	rc = ctl_opts_parse(&ctl_cmd_global, -1, argc - 1, argv + 1, &g, rest,
			    &nb, why, sizeof(why));
	if (rc == 1) {
		ctl_cli_usage(&ctl_cli_table, stdout);
		rc = CTL_EXIT_OK;
		goto out;
	}
	if (rc < 0) {
		fprintf(stderr, CTL_PROG ": %s\n", why);
		ctl_cli_usage(&ctl_cli_table, stderr);
		rc = CTL_EXIT_USAGE;
		goto out;
	}
	if (g.version) {
		printf(CTL_PROG " %s (status region ABI %d.%d)\n", BW_VERSION,
		       BW_STATUS_ABI_MAJOR, BW_STATUS_ABI_MINOR);
		rc = CTL_EXIT_OK;
		goto out;
	}
	if (nb == 1 && strcmp(rest[0], CTL_CLI_COMPLETION_CMD) == 0) {
		ctl_cli_bash_completion(&ctl_cli_table, stdout);
		rc = fflush(stdout) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
		goto out;
	}
	rc = CTL_EXIT_USAGE;
	if (g.state_dir != NULL && g.state_dir[0] == '\0') {
		fprintf(stderr, CTL_PROG ": --state-dir needs a directory\n");
		goto out;
	}
	rc = ctl_ctx_init(&ctx, g.instance, g.state_dir);
	if (rc == -EINVAL) {
		instance = g.instance != NULL ? g.instance
					      : getenv(CTL_INSTANCE_ENV);
		ctl_fmt_printable(shown, sizeof(shown),
				  instance != NULL ? instance : "",
				  sizeof(shown));
		fprintf(stderr,
			CTL_PROG ": invalid instance name '%s': use 1 to %d "
				 "characters of A-Z a-z 0-9 _ -\n",
			shown, BW_NAME_LEN - 1);
	} else if (rc < 0) {
		fprintf(stderr, CTL_PROG ": --state-dir: %s\n", strerror(-rc));
	}
	if (rc < 0) {
		rc = CTL_EXIT_USAGE;
		goto out;
	}
	ctx.state_dir_given = g.state_dir != NULL;
	ctx.stage = g.stage;
	rc = CTL_EXIT_USAGE;
	if (nb == 0) {
		fprintf(stderr, CTL_PROG ": no command given\n");
		ctl_cli_usage(&ctl_cli_table, stderr);
		goto out;
	}
	rc = ctl_cli_run(&ctx, &ctl_cli_table, nb, rest);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, CTL_PROG ": cannot write the output: %s\n",
			strerror(errno));
		rc = CTL_EXIT_FAIL;
	}
out:
	free(rest);
	return rc;
}
