/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The command table at work (ctl_cli.h): find a command, read its command
 * line (subcommand, options, operands), run it or show its help, and a
 * hint for a mistyped command. The help texts are ctl_help.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_cli.h"
#include "ctl_text.h"

#define WHY_LEN	     256 /* one option error */
#define NAME_LEN     32	 /* longest name ctl_cli_suggest() compares */
#define NB_NAMES_MAX 64	 /* commands of a program */

void
ctl_args_free(struct ctl_args *a)
{
	free(a->req);
	free(a->argv);
	a->req = NULL;
	a->argv = NULL;
	a->argc = 0;
}

/* The size of the request of cmd, from the end of its option table. */
static size_t
req_size(const struct ctl_cmd *cmd)
{
	const struct ctl_opt *o = cmd->opts;

	while (o != NULL && o->name != NULL)
		o++;
	return o != NULL && o->off > 0 ? o->off : 1;
}

/* Report a wrong number of operands; CTL_EXIT_OK when they fit. */
static int
operands_check(struct ctl_ctx *ctx, const char *where, const char *usage,
	       const struct ctl_operands *ops, const struct ctl_args *a)
{
	int k;

	if (a->argc < ops->min) {
		k = a->argc < CTL_ARGS_NAMED_MAX ? a->argc
						 : CTL_ARGS_NAMED_MAX - 1;
		return ctl_usage_report(ctx, where, usage, "%s",
					ops->arity != NULL ? ops->arity
							   : ops->missing[k]);
	}
	if (ops->max != CTL_ARGS_ANY && a->argc > ops->max) {
		if (ops->arity != NULL)
			return ctl_usage_report(ctx, where, usage, "%s",
						ops->arity);
		return ctl_usage_report(ctx, where, usage,
					"unexpected argument '%s'",
					a->argv[ops->max]);
	}
	return CTL_EXIT_OK;
}

/* "unknown list command 'ad'; did you mean 'add'?" */
static int
sub_unknown(struct ctl_ctx *ctx, const char *where, const struct ctl_cmd *cmd,
	    const char *typed)
{
	const char *names[NB_NAMES_MAX];
	char shown[2 * NAME_LEN];
	size_t nb = 0;
	int k;

	while (nb < NB_NAMES_MAX && cmd->subs[nb].name != NULL) {
		names[nb] = cmd->subs[nb].name;
		nb++;
	}
	ctl_fmt_printable(shown, sizeof(shown), typed, sizeof(shown));
	k = ctl_cli_suggest(typed, names, nb);
	if (k >= 0)
		return ctl_usage_report(ctx, where, cmd->usage,
					"unknown %s command '%s'; did you "
					"mean '%s'?",
					cmd->name, shown, names[k]);
	return ctl_usage_report(ctx, where, cmd->usage,
				"unknown %s command '%s'", cmd->name, shown);
}

int
ctl_cli_parse(struct ctl_ctx *ctx, const char *where, const struct ctl_cmd *cmd,
	      int argc, char **argv, struct ctl_args *a)
{
	const struct ctl_operands *ops = &cmd->args;
	const char *usage = cmd->usage;
	char why[WHY_LEN];
	int first = 1, ret, i, rc;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	a->sub = -1;
	a->usage = usage;
	if (cmd->subs != NULL) {
		if (argc < 2)
			return ctl_usage_report(ctx, where, usage,
						"no %s command given",
						cmd->name);
		if (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0) {
			a->help = 1;
			return CTL_EXIT_OK;
		}
		for (i = 0; cmd->subs[i].name != NULL; i++)
			if (strcmp(argv[1], cmd->subs[i].name) == 0)
				break;
		if (cmd->subs[i].name == NULL)
			return sub_unknown(ctx, where, cmd, argv[1]);
		a->sub = i;
		if (cmd->subs[i].usage != NULL)
			usage = cmd->subs[i].usage;
		a->usage = usage;
		ops = &cmd->subs[i].args;
		first = 2;
	}
	a->req = calloc(1, req_size(cmd));
	a->argv = calloc((size_t)argc + 1, sizeof(*a->argv));
	if (a->req == NULL || a->argv == NULL) {
		ctl_args_free(a);
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		return CTL_EXIT_FAIL;
	}
	ret = ctl_opts_parse(cmd, a->sub, argc - first, argv + first, a->req,
			     a->argv, &a->argc, why, sizeof(why));
	if (ret == 1) {
		a->help = 1;
		return CTL_EXIT_OK;
	}
	rc = ret < 0 ? ctl_usage_report(ctx, where, usage, "%s", why)
		     : operands_check(ctx, where, usage, ops, a);
	if (rc != CTL_EXIT_OK)
		ctl_args_free(a);
	return rc;
}

const struct ctl_cmd *
ctl_cli_find(const struct ctl_cli *cli, const char *name)
{
	size_t i;

	for (i = 0; i < cli->nb_cmds; i++)
		if (strcmp(cli->cmds[i]->name, name) == 0)
			return cli->cmds[i];
	return NULL;
}

int
ctl_cli_unknown(const struct ctl_cli *cli, FILE *f, const char *name)
{
	const char *names[NB_NAMES_MAX];
	char shown[2 * NAME_LEN];
	size_t i, nb = 0;
	int k;

	for (i = 0; i < cli->nb_cmds && nb < NB_NAMES_MAX; i++)
		names[nb++] = cli->cmds[i]->name;
	ctl_fmt_printable(shown, sizeof(shown), name, sizeof(shown));
	k = ctl_cli_suggest(name, names, nb);
	if (k >= 0)
		fprintf(f,
			CTL_PROG ": unknown command '%s'; did you mean '%s'?\n",
			shown, names[k]);
	else
		fprintf(f, CTL_PROG ": unknown command '%s'\n", shown);
	ctl_cli_usage(cli, f);
	return CTL_EXIT_USAGE;
}

int
ctl_cli_run(struct ctl_ctx *ctx, const struct ctl_cli *cli, int argc,
	    char **argv)
{
	const struct ctl_cmd *cmd;

	cmd = ctl_cli_find(cli, argv[0]);
	if (cmd == NULL)
		return ctl_cli_unknown(cli, ctx->err, argv[0]);
	return ctl_cli_exec(ctx, cmd, argc, argv);
}

int
ctl_cli_exec(struct ctl_ctx *ctx, const struct ctl_cmd *cmd, int argc,
	     char **argv)
{
	struct ctl_args a;
	int rc;

	rc = ctl_cli_parse(ctx, NULL, cmd, argc, argv, &a);
	if (rc == CTL_EXIT_OK && a.help)
		ctl_cli_help(cmd, ctx->out);
	else if (rc == CTL_EXIT_OK)
		rc = cmd->run(ctx, &a);
	ctl_args_free(&a);
	return rc;
}

/*
 * The optimal string alignment distance of a and b: insertions,
 * deletions, substitutions and swaps of two neighbours each cost one
 * ("stauts" is one from "status"). SIZE_MAX when one is too long.
 */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t d[NAME_LEN + 1][NAME_LEN + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, v;

	if (la > NAME_LEN || lb > NAME_LEN)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

int
ctl_cli_suggest(const char *typed, const char *const *names, size_t nb)
{
	size_t i, d, best_d = SIZE_MAX, len = strlen(typed), nb_prefix = 0;
	/* one slip in a short word, two in a longer one */
	size_t limit = len <= 4 ? 1 : 2;
	int best = -1, prefix = -1;

	/* an option typed where a name goes gets no hint */
	if (len == 0 || typed[0] == '-')
		return -1;
	for (i = 0; i < nb; i++) {
		d = edit_distance(typed, names[i]);
		if (d < best_d) {
			best_d = d;
			best = (int)i;
		}
		if (len >= 2 && strncmp(names[i], typed, len) == 0) {
			prefix = (int)i;
			nb_prefix++;
		}
	}
	/* "hist" means history more likely than list */
	if (nb_prefix == 1)
		return prefix;
	if (best >= 0 && best_d > 0 && best_d <= limit)
		return best;
	return -1;
}
