/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bash completion of a program, written from its command table
 * (ctl_cli.h): commands, subcommands, the options each takes, and the
 * values of keyword, file and directory options. The build runs
 * `bulwarkctl __bash-completion` to make the installed script, so a
 * command added to the table completes without another edit.
 */
#include <string.h>

#include "ctl_cli.h"

/* Every option of cmd that subcommand sub (-1: none) takes. */
static void
opts_words(FILE *f, const struct ctl_cmd *cmd, int sub)
{
	const struct ctl_opt *o;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (sub < 0 || o->subs == 0 || (o->subs & CTL_SUB(sub)))
			fprintf(f, " --%s", o->name);
	fputs(" --help", f);
}

/* The case arm completing the value of option o after "$prev". */
static void
value_arm(FILE *f, const struct ctl_opt *o)
{
	const struct ctl_opt_choice *c;
	const char *v = o->value;

	if (o->type == CTL_OPT_FLAG || o->type == CTL_OPT_LAST)
		return;
	fprintf(f, "\t--%s)\n", o->name);
	if (o->choices != NULL) {
		fputs("\t\tCOMPREPLY=($(compgen -W \"", f);
		for (c = o->choices; c->word != NULL; c++)
			fprintf(f, "%s%s", c == o->choices ? "" : " ", c->word);
		fputs("\" -- \"$cur\"))\n", f);
	} else if (v != NULL && strcmp(v, "DIR") == 0) {
		fputs("\t\tCOMPREPLY=($(compgen -d -- \"$cur\"))\n", f);
	} else if (v != NULL && strcmp(v, "NAME") == 0 &&
		   strcmp(o->name, "instance") == 0) {
		fputs("\t\tCOMPREPLY=($(compgen -W "
		      "\"$(_bulwarkctl_instances)\" "
		      "-- \"$cur\"))\n",
		      f);
	} else if (v != NULL && strstr(v, "FILE") != NULL) {
		fputs("\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n", f);
	} else {
		fputs("\t\tCOMPREPLY=()\n", f);
	}
	fputs("\t\treturn\n\t\t;;\n", f);
}

void
ctl_cli_bash_completion(const struct ctl_cli *cli, FILE *f)
{
	const struct ctl_opt *o;
	const struct ctl_cmd *cmd;
	size_t i;
	int s;

	fprintf(f,
		"# bash completion for %s, generated from its command "
		"table\n",
		cli->global->name);
	fputs("_bulwarkctl_instances() {\n"
	      "\tlocal d\n"
	      "\tfor d in " CTL_STATE_DIR_BASE "/*/; do\n"
	      "\t\t[ -d \"$d\" ] && basename \"$d\"\n"
	      "\tdone 2>/dev/null\n"
	      "}\n\n",
	      f);
	fputs("_bulwarkctl() {\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} "
	      "prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
	      "\tlocal i w cmd= sub= skip=\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\tif [ -n \"$skip\" ]; then skip=; continue; fi\n"
	      "\t\tcase $w in\n",
	      f);
	/* options that take a value: their value is not a word to count */
	fputs("\t\t--*=*) continue ;;\n", f);
	for (i = 0; i <= cli->nb_cmds; i++) {
		cmd = i < cli->nb_cmds ? cli->cmds[i] : cli->global;
		for (o = cmd->opts; o != NULL && o->name != NULL; o++)
			if (o->type != CTL_OPT_FLAG && o->type != CTL_OPT_LAST)
				fprintf(f, "\t\t--%s) skip=1; continue ;;\n",
					o->name);
	}
	fputs("\t\t-*) continue ;;\n"
	      "\t\tesac\n"
	      "\t\tif [ -z \"$cmd\" ]; then cmd=$w\n"
	      "\t\telif [ -z \"$sub\" ]; then sub=$w\n"
	      "\t\tfi\n"
	      "\tdone\n",
	      f);
	/* the value of an option */
	fputs("\tcase $prev in\n", f);
	for (o = cli->global->opts; o != NULL && o->name != NULL; o++)
		value_arm(f, o);
	fputs("\tesac\n", f);
	fputs("\tif [ -n \"$cmd\" ]; then\n\t\tcase \"$cmd $prev\" in\n", f);
	for (i = 0; i < cli->nb_cmds; i++) {
		cmd = cli->cmds[i];
		for (o = cmd->opts; o != NULL && o->name != NULL; o++) {
			if (o->type == CTL_OPT_FLAG || o->type == CTL_OPT_LAST)
				continue;
			fprintf(f, "\t\t\"%s --%s\")\n", cmd->name, o->name);
			fputs("\t\t\tcase $prev in\n", f);
			value_arm(f, o);
			fputs("\t\t\tesac\n\t\t\t;;\n", f);
		}
	}
	fputs("\t\tesac\n\tfi\n", f);
	/* the command, the subcommand, then options and files */
	fputs("\tif [ -z \"$cmd\" ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"",
	      f);
	for (i = 0; i < cli->nb_cmds; i++)
		fprintf(f, "%s ", cli->cmds[i]->name);
	for (o = cli->global->opts; o != NULL && o->name != NULL; o++)
		fprintf(f, "--%s ", o->name);
	fputs("--help\" -- \"$cur\"))\n\t\treturn\n\tfi\n", f);
	fputs("\tcase $cmd in\n", f);
	for (i = 0; i < cli->nb_cmds; i++) {
		cmd = cli->cmds[i];
		fprintf(f, "\t%s)\n", cmd->name);
		if (strcmp(cmd->name, "help") == 0) {
			fputs("\t\tCOMPREPLY=($(compgen -W \"", f);
			for (s = 0; (size_t)s < cli->nb_cmds; s++)
				fprintf(f, "%s ", cli->cmds[s]->name);
			fputs("\" -- \"$cur\"))\n\t\t;;\n", f);
			continue;
		}
		if (cmd->subs == NULL) {
			fputs("\t\tif [[ $cur == -* ]]; then\n"
			      "\t\t\tCOMPREPLY=($(compgen -W \"",
			      f);
			opts_words(f, cmd, -1);
			fputs("\" -- \"$cur\"))\n\t\telse\n"
			      "\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
			      "\t\tfi\n\t\t;;\n",
			      f);
			continue;
		}
		fputs("\t\tcase $sub in\n\t\t'')\n"
		      "\t\t\tCOMPREPLY=($(compgen -W \"",
		      f);
		for (s = 0; cmd->subs[s].name != NULL; s++)
			fprintf(f, "%s ", cmd->subs[s].name);
		fputs("--help\" -- \"$cur\"))\n\t\t\t;;\n", f);
		for (s = 0; cmd->subs[s].name != NULL; s++) {
			fprintf(f,
				"\t\t%s)\n\t\t\tif [[ $cur == -* ]]; then\n"
				"\t\t\t\tCOMPREPLY=($(compgen -W \"",
				cmd->subs[s].name);
			if (cmd->flags & CTL_CMD_VERBATIM)
				fputs("--json --help", f);
			else
				opts_words(f, cmd, s);
			fputs("\" -- \"$cur\"))\n\t\t\telse\n"
			      "\t\t\t\tCOMPREPLY=($(compgen -f -- "
			      "\"$cur\"))\n\t\t\tfi\n\t\t\t;;\n",
			      f);
		}
		fputs("\t\tesac\n\t\t;;\n", f);
	}
	fputs("\tesac\n}\n", f);
	fprintf(f, "complete -F _bulwarkctl %s\n", cli->global->name);
}
