/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl batch [FILE|-]`: several changes committed together as one
 * generation. One command a line, with the syntax of the command line
 * minus "bulwarkctl" and the global options: the changes of the command
 * table (list load, add, del, flush, drop, bpf load, unload, rules load,
 * flush, rollback). Blank lines and '#' comments (a '#' that starts a
 * word, outside quotes) are ignored; words are split at blanks, '...' and
 * "..." quote (with \" and \\ inside double quotes).
 *
 * Every line is read and prepared (a rules load compiled) before the state
 * directory is locked, then applied in order to the same transaction; a
 * bad line is reported as "FILE:LINE: error: ..." and the others are still
 * checked (a line that fails leaves the transaction as it was), then
 * nothing is committed. The row of the command is in table.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_txn.h"
#include "bw_util.h"

struct bcmd {
	size_t lineno;
	int argc;
	char **argv; /* NULL terminated, words point into the buffer */
};

static int
argv_push(struct bcmd *c, size_t *cap, char *w)
{
	char **nv;

	if ((size_t)c->argc + 2 > *cap) {
		*cap = *cap ? *cap * 2 : 16;
		nv = realloc(c->argv, *cap * sizeof(*nv));
		if (nv == NULL)
			return -ENOMEM;
		c->argv = nv;
	}
	c->argv[c->argc++] = w;
	c->argv[c->argc] = NULL;
	return 0;
}

/*
 * Split the line s (NUL-terminated, changed in place) into words. Returns
 * 0, -ENOMEM, or -EINVAL with *why set (an unterminated quote).
 */
static int
split(char *s, struct bcmd *c, const char **why)
{
	size_t cap = 0;
	char *o, q;

	c->argc = 0;
	c->argv = NULL;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s == '\0' || *s == '#')
			return 0;
		if (argv_push(c, &cap, s) < 0)
			return -ENOMEM;
		/* copy the word onto itself without its quotes */
		o = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\r') {
			if (*s != '"' && *s != '\'') {
				*o++ = *s++;
				continue;
			}
			q = *s++;
			while (*s != '\0' && *s != q) {
				if (q == '"' && *s == '\\' &&
				    (s[1] == '"' || s[1] == '\\'))
					s++;
				*o++ = *s++;
			}
			if (*s != q) {
				*why = q == '"' ? "unterminated \"...\""
						: "unterminated '...'";
				return -EINVAL;
			}
			s++;
		}
		if (*s != '\0')
			s++;
		*o = '\0';
	}
}

/*
 * Read one line of a batch (argv[0] a change command) into *a and prepare
 * it (the row's prepare: operands checked, a rules load compiled), before
 * t is begun. Returns CTL_EXIT_OK or the exit status of a line that was
 * reported; *a is freed by the caller (ctl_args_free()) either way.
 */
static int
batch_prepare(struct ctl_txn *t, const struct ctl_cmd *cmd, int argc,
	      char **argv, struct ctl_args *a)
{
	int rc;

	rc = ctl_cli_parse(t->ctx, t->where, cmd, argc, argv, a);
	if (rc == CTL_EXIT_OK && a->help) {
		/* the help still goes out, as it always has */
		ctl_cli_help(cmd, t->ctx->out);
		rc = ctl_txn_usage(t, cmd->usage, "--help in a batch");
	} else if (rc == CTL_EXIT_OK && cmd->prepare != NULL) {
		rc = cmd->prepare(t, a);
	}
	return rc;
}

/* Apply a prepared line to the begun t, as ctl_cmd_change() would. */
static int
batch_perform(struct ctl_txn *t, const struct ctl_args *a)
{
	const char *hint = a->cmd->batch_hint;
	ctl_change_fn perform =
		a->sub >= 0 ? a->cmd->subs[a->sub].perform : a->cmd->perform;

	if (perform == NULL) {
		ctl_txn_error(t, "'%s %s' is not a change%s%s", a->cmd->name,
			      a->cmd->subs[a->sub].name,
			      hint != NULL ? ": " : "",
			      hint != NULL ? hint : "");
		return CTL_EXIT_USAGE;
	}
	return perform(t, a);
}

/*
 * "list load/add/del/flush/drop, bpf load/unload, rules load/flush and
 * rollback": the changes of the table, for the error of a line that is
 * none.
 */
static void
changes_format(char *buf, size_t len)
{
	const struct ctl_cmd *cmd;
	size_t i, nb = 0, left = 0, used;
	int k, sep;

	for (i = 0; i < ctl_cli_table.nb_cmds; i++)
		left += ctl_cli_table.cmds[i]->change != NULL;
	buf[0] = '\0';
	for (i = 0; i < ctl_cli_table.nb_cmds; i++) {
		cmd = ctl_cli_table.cmds[i];
		if (cmd->change == NULL)
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s",
			 nb == 0     ? ""
			 : left == 1 ? " and "
				     : ", ",
			 cmd->name);
		for (k = 0, sep = ' ';
		     cmd->subs != NULL && cmd->subs[k].name != NULL; k++) {
			if (cmd->subs[k].perform == NULL)
				continue;
			used = strlen(buf);
			snprintf(buf + used, len - used, "%c%s", sep,
				 cmd->subs[k].name);
			sep = '/';
		}
		nb++;
		left--;
	}
}

/*
 * Split buf (NUL terminated, changed in place) into the commands of its
 * lines, each a change of the table, into *cmds (*nb of them). A line
 * that is not is reported as "NAME:LINE: error: ..." and counted in
 * *nb_bad. Returns 0 or -ENOMEM.
 */
static int
lines_split(const char *name, char *buf, FILE *err, struct bcmd **cmds,
	    size_t *nb, size_t *nb_bad)
{
	char *line, *next, changes[256];
	const struct ctl_cmd *cmd;
	size_t cap = 0, lineno = 0;
	const char *why = NULL;
	struct bcmd *nc;
	int ret;

	changes_format(changes, sizeof(changes));
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (*nb == cap) {
			cap = cap ? cap * 2 : 64;
			nc = realloc(*cmds, cap * sizeof(**cmds));
			if (nc == NULL)
				return -ENOMEM;
			*cmds = nc;
		}
		nc = &(*cmds)[*nb];
		nc->lineno = lineno;
		ret = split(line, nc, &why);
		if (ret == -ENOMEM)
			return ret;
		if (ret == 0 && nc->argc == 0) {
			free(nc->argv);
			continue;
		}
		cmd = ret == 0 ? ctl_cli_find(&ctl_cli_table, nc->argv[0])
			       : NULL;
		if (cmd != NULL && cmd->change != NULL) {
			(*nb)++;
			continue;
		}
		if (ret < 0)
			fprintf(err, "%s:%zu: error: %s\n", name, lineno, why);
		else
			fprintf(err,
				"%s:%zu: error: '%s' is not a change: a batch "
				"holds %s\n",
				name, lineno, nc->argv[0], changes);
		(*nb_bad)++;
		free(nc->argv);
	}
	return 0;
}

/*
 * Run the nb commands of the batch name in one transaction, committed
 * when none of them and no line before (nb_bad) was bad. Every line is
 * read and prepared first, before the state directory is locked: a rules
 * load compiles then, as it does alone, so that a slow compile holds no
 * other command up (issue #15 point 7); then the lock is taken and the
 * lines are applied in order.
 */
static int
lines_run(struct ctl_ctx *ctx, const char *name, struct bcmd *cmds, size_t nb,
	  size_t nb_bad)
{
	char where[PATH_MAX + 32];
	const struct ctl_cmd *cmd;
	struct ctl_args *args;
	uint8_t *ready;
	struct ctl_txn t;
	int rc = CTL_EXIT_FAIL;
	size_t i;

	args = calloc(nb + 1, sizeof(*args));
	ready = calloc(nb + 1, 1);
	if (args == NULL || ready == NULL) {
		free(args);
		free(ready);
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		return CTL_EXIT_FAIL;
	}
	/* the good lines are still run, so that every bad one is reported */
	ctl_txn_init(&t, ctx);
	for (i = 0; i < nb; i++) {
		snprintf(where, sizeof(where), "%s:%zu", name, cmds[i].lineno);
		t.where = where;
		cmd = ctl_cli_find(&ctl_cli_table, cmds[i].argv[0]);
		if (batch_prepare(&t, cmd, cmds[i].argc, cmds[i].argv,
				  &args[i]) == CTL_EXIT_OK)
			ready[i] = 1;
		else
			nb_bad++;
	}
	t.where = NULL;
	if (ctl_txn_begin(&t) < 0)
		goto out;
	for (i = 0; i < nb; i++) {
		if (!ready[i])
			continue;
		snprintf(where, sizeof(where), "%s:%zu", name, cmds[i].lineno);
		t.where = where;
		if (batch_perform(&t, &args[i]) != CTL_EXIT_OK)
			nb_bad++;
	}
	t.where = NULL;
	if (nb_bad == 0)
		rc = ctl_txn_commit(&t);
	ctl_txn_end(&t);
	if (nb_bad != 0) {
		fprintf(ctx->err,
			CTL_PROG ": %s: %zu bad line%s; nothing committed\n",
			name, nb_bad, nb_bad == 1 ? "" : "s");
		rc = CTL_EXIT_FAIL;
	}
out:
	for (i = 0; i < nb; i++) {
		if (args[i].cmd != NULL && args[i].cmd->release != NULL &&
		    args[i].req != NULL)
			args[i].cmd->release(args[i].req);
		ctl_args_free(&args[i]);
	}
	free(args);
	free(ready);
	return rc;
}

int
ctl_cmd_batch_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const char *path = a->argc == 1 ? a->argv[0] : "-", *name;
	size_t nb = 0, len, i, nb_bad = 0;
	struct bcmd *cmds = NULL;
	int ret, rc = CTL_EXIT_FAIL;
	char *buf = NULL;
	FILE *f;

	name = strcmp(path, "-") == 0 ? "stdin" : path;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(ctx->err, "%s: error: %s\n", path, strerror(errno));
		return CTL_EXIT_FAIL;
	}
	ret = bw_file_read_text(f, &buf, &len);
	if (f != stdin)
		fclose(f);
	if (ret < 0) {
		fprintf(ctx->err, "%s: error: %s\n", name, strerror(-ret));
		return CTL_EXIT_FAIL;
	}
	/* split every line first: a syntax error anywhere commits nothing */
	if (memchr(buf, '\0', len) != NULL)
		fprintf(ctx->err, "%s: error: not a text file (NUL byte)\n",
			name);
	else if (lines_split(name, buf, ctx->err, &cmds, &nb, &nb_bad) < 0)
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
	else
		rc = lines_run(ctx, name, cmds, nb, nb_bad);
	for (i = 0; i < nb; i++)
		free(cmds[i].argv);
	free(cmds);
	free(buf);
	return rc;
}
