/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The help texts of bulwarkctl, written from the command table
 * (ctl_cli.h): the global usage with the global options and the commands,
 * and COMMAND --help with its prose, its subcommands each followed by the
 * options that are its alone, its other options and its notes. A
 * subcommand or option is listed when its row has a help line; lines wrap
 * at HELP_COLS. So the option lists and the parser read the same rows.
 */
#include <stdio.h>
#include <string.h>

#include "ctl_cli.h"

#define HELP_COLS  79 /* the longest line a help text writes */
#define LABEL_LEN  80 /* "--name VALUE", "load NAME FILE" */
#define HELP_LABEL "-h, --help"
#define NESTED	   1 /* options of one subcommand, listed under it */
#define GENERAL	   0 /* options of several subcommands, or of every one */

/*
 * Write text from column at on, a word at a time, starting a new line
 * indented to col where a word would pass HELP_COLS; end the line.
 */
static void
wrap(FILE *f, size_t at, size_t col, const char *text)
{
	size_t n, start = at;

	while (*text != '\0') {
		n = strcspn(text, " ");
		if (at > start && at + 1 + n > HELP_COLS) {
			fprintf(f, "\n%*s", (int)col, "");
			at = start = col;
		} else if (at > start) {
			fputc(' ', f);
			at++;
		}
		fwrite(text, 1, n, f);
		at += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

/* "  label   help": label in a column of width at indent, help wrapped. */
static void
item(FILE *f, size_t indent, size_t width, const char *label, const char *help)
{
	fprintf(f, "%*s%-*s  ", (int)indent, "", (int)width, label);
	wrap(f, indent + width + 2, indent + width + 2, help);
}

/* NESTED when o is listed under its one subcommand, else GENERAL. */
static int
opt_nested(const struct ctl_opt *o)
{
	return o->subs != 0 && (o->subs & (o->subs - 1)) == 0 ? NESTED
							      : GENERAL;
}

static size_t
opt_label(const struct ctl_opt *o, char *buf, size_t len)
{
	snprintf(buf, len, "--%s%s%s", o->name, o->value != NULL ? " " : "",
		 o->value != NULL ? o->value : "");
	return strlen(buf);
}

/* The widest label of the options of cmd listed where says. */
static size_t
opts_width(const struct ctl_cmd *cmd, int where)
{
	char label[LABEL_LEN];
	const struct ctl_opt *o;
	size_t n, width = 0;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->help == NULL || opt_nested(o) != where)
			continue;
		n = opt_label(o, label, sizeof(label));
		if (n > width)
			width = n;
	}
	return width;
}

/* The options of subcommand sub (-1: the GENERAL ones) with their help. */
static void
opts_print(FILE *f, const struct ctl_cmd *cmd, int sub, size_t indent,
	   size_t width)
{
	char label[LABEL_LEN];
	const struct ctl_opt *o;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
		if (o->help == NULL || (sub < 0 ? opt_nested(o) != GENERAL
						: o->subs != CTL_SUB(sub)))
			continue;
		opt_label(o, label, sizeof(label));
		item(f, indent, width, label, o->help);
	}
}

/* A blank line, title and the GENERAL options of cmd, when it has any. */
static void
opts_section(FILE *f, const struct ctl_cmd *cmd, const char *title)
{
	size_t width = opts_width(cmd, GENERAL);

	if (width == 0)
		return;
	if (width < strlen(HELP_LABEL))
		width = strlen(HELP_LABEL);
	fprintf(f, "\n%s\n", title);
	opts_print(f, cmd, -1, 2, width);
	item(f, 2, width, HELP_LABEL, "show this help");
}

/*
 * The usage of s (which has help, so a usage line of its own) without its
 * command's name and options: "load FILE...".
 */
static size_t
sub_label(const struct ctl_sub *s, char *buf, size_t len)
{
	const char *u = strchr(s->usage, ' '), *end;

	u = u != NULL ? u + 1 : s->usage;
	end = strstr(u, " [-");
	snprintf(buf, len, "%.*s",
		 (int)(end != NULL ? (size_t)(end - u) : strlen(u)), u);
	return strlen(buf);
}

/* A blank line and the subcommands of cmd that have help, when any. */
static void
subs_print(FILE *f, const struct ctl_cmd *cmd)
{
	size_t n, width = 0, nested = opts_width(cmd, NESTED);
	char label[LABEL_LEN];
	int i;

	for (i = 0; cmd->subs != NULL && cmd->subs[i].name != NULL; i++) {
		if (cmd->subs[i].help == NULL)
			continue;
		n = sub_label(&cmd->subs[i], label, sizeof(label));
		if (n > width)
			width = n;
	}
	if (width == 0)
		return;
	/* their own options' help in the column of theirs, or further */
	if (nested + 2 < width)
		nested = width - 2;
	fputc('\n', f);
	for (i = 0; cmd->subs[i].name != NULL; i++) {
		if (cmd->subs[i].help == NULL)
			continue;
		sub_label(&cmd->subs[i], label, sizeof(label));
		item(f, 2, width, label, cmd->subs[i].help);
		opts_print(f, cmd, i, 4, nested);
	}
}

void
ctl_cli_usage(const struct ctl_cli *cli, FILE *f)
{
	size_t i;

	fputs(cli->usage_head, f);
	if (cli->global != NULL)
		opts_section(f, cli->global, "Global options:");
	fputs("\nCommands:\n", f);
	for (i = 0; i < cli->nb_cmds; i++)
		fprintf(f, "  %-15s  %s\n", cli->cmds[i]->name,
			cli->cmds[i]->summary);
	fprintf(f, "\nRun '" CTL_PROG " COMMAND --help' for its options.\n");
	if (cli->global != NULL && cli->global->notes != NULL)
		fprintf(f, "\n%s", cli->global->notes);
}

void
ctl_cli_help(const struct ctl_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: " CTL_PROG " [GLOBAL OPTIONS] %s\n",
		cmd->help_usage != NULL ? cmd->help_usage : cmd->usage);
	if (cmd->help != NULL)
		fprintf(f, "\n%s", cmd->help);
	subs_print(f, cmd);
	opts_section(f, cmd, "Options:");
	if (cmd->notes != NULL)
		fprintf(f, "\n%s", cmd->notes);
}
