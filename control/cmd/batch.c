/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl batch [FILE|-]`: several changes committed together as one
 * generation. One command a line, with the syntax of the command line
 * minus "bulwarkctl" and the global options: list load, list add, list
 * del, list flush, list drop, bpf load, bpf unload, rollback. Blank lines and '#' comments (a
 * '#' that starts a word, outside quotes) are ignored; words are split at
 * blanks, '...' and "..." quote (with \" and \\ inside double quotes).
 *
 * Every line is checked and applied in order to the same transaction; a
 * bad line is reported as "FILE:LINE: error: ..." and the others are still
 * checked (a line that fails leaves the transaction as it was), then
 * nothing is committed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_txn.h"
#include "bw_util.h"

#define BATCH_USAGE "batch [FILE|-]"

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
 * Run one line of a batch (argv[0] a change command) inside t. Returns
 * CTL_EXIT_OK or the exit status of a line that was reported.
 */
static int
batch_line(struct ctl_txn *t, const struct ctl_cmd *cmd, int argc, char **argv)
{
	struct ctl_args a;
	int rc;

	rc = ctl_cli_parse(t->ctx, t->where, cmd, argc, argv, &a);
	if (rc == CTL_EXIT_OK && a.help) {
		/* the help still goes out, as it always has */
		ctl_cli_help(cmd, t->ctx->out);
		rc = ctl_txn_usage(t, cmd->usage, "--help in a batch");
	} else if (rc == CTL_EXIT_OK)
		rc = cmd->change(t, &a);
	ctl_args_free(&a);
	return rc;
}

static int
batch_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct bcmd *cmds = NULL, *nc;
	size_t ncmds = 0, cap = 0, lineno = 0, len, i, nbad = 0;
	const char *path = "-", *name, *why = NULL;
	char *buf = NULL, *line, *next, where[PATH_MAX + 32];
	const struct ctl_cmd *cmd;
	struct ctl_txn t;
	int ret, rc = CTL_EXIT_FAIL;
	FILE *f;

	if (a->argc == 1)
		path = a->argv[0];
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
	if (memchr(buf, '\0', len) != NULL) {
		fprintf(ctx->err, "%s: error: not a text file (NUL byte)\n",
			name);
		goto out;
	}

	/* split every line first: a syntax error anywhere commits nothing */
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		if (ncmds == cap) {
			cap = cap ? cap * 2 : 64;
			nc = realloc(cmds, cap * sizeof(*cmds));
			if (nc == NULL)
				goto oom;
			cmds = nc;
		}
		nc = &cmds[ncmds];
		nc->lineno = lineno;
		ret = split(line, nc, &why);
		if (ret == -ENOMEM)
			goto oom;
		if (ret < 0) {
			fprintf(ctx->err, "%s:%zu: error: %s\n", name, lineno,
				why);
			free(nc->argv);
			nbad++;
			continue;
		}
		if (nc->argc == 0) {
			free(nc->argv);
			continue;
		}
		cmd = ctl_cli_find(&ctl_cli_table, nc->argv[0]);
		if (cmd == NULL || cmd->change == NULL) {
			fprintf(ctx->err,
				"%s:%zu: error: '%s' is not a change: a batch "
				"holds list load/add/del/flush/drop, bpf "
				"load/unload, rules load/flush and rollback\n",
				name, lineno, nc->argv[0]);
			free(nc->argv);
			nbad++;
			continue;
		}
		ncmds++;
	}

	/* the good lines are still run, so that every bad one is reported */
	ctl_txn_init(&t, ctx);
	if (ctl_txn_begin(&t) < 0)
		goto out;
	for (i = 0; i < ncmds; i++) {
		snprintf(where, sizeof(where), "%s:%zu", name, cmds[i].lineno);
		t.where = where;
		cmd = ctl_cli_find(&ctl_cli_table, cmds[i].argv[0]);
		ret = batch_line(&t, cmd, cmds[i].argc, cmds[i].argv);
		if (ret != CTL_EXIT_OK)
			nbad++;
	}
	t.where = NULL;
	if (nbad == 0)
		rc = ctl_txn_commit(&t);
	ctl_txn_end(&t);
	if (nbad == 0)
		goto out;
	fprintf(ctx->err, CTL_PROG ": %s: %zu bad line%s; nothing committed\n",
		name, nbad, nbad == 1 ? "" : "s");
	rc = CTL_EXIT_FAIL;
	goto out;
oom:
	fprintf(ctx->err, CTL_PROG ": out of memory\n");
out:
	for (i = 0; i < ncmds; i++)
		free(cmds[i].argv);
	free(cmds);
	free(buf);
	return rc;
}

const struct ctl_cmd ctl_cmd_batch = {
	.name = "batch",
	.summary = "commit several list and program changes as one generation",
	.usage = BATCH_USAGE,
	.help = "Read changes from FILE (or standard input: '-' or no FILE), "
		"one a line,\n"
		"and commit them together as ONE generation. A line is a "
		"command as on\n"
		"the command line, without 'bulwarkctl' and global options:\n"
		"\n"
		"  list load NAME FILE [--format F] [--action A] [--match M] "
		"[--skip-invalid]\n"
		"  list add NAME CIDR...    list del NAME CIDR...\n"
		"  list flush NAME          list drop NAME\n"
		"  bpf load NAME OBJECT.o [--section SEC] [--order N]\n"
		"  bpf unload NAME\n"
		"  rollback [GENERATION]\n"
		"\n"
		"'#' starts a comment; blank lines are ignored; quote words "
		"with '...' or\n"
		"\"...\". Lines apply in order. Any bad line is reported as "
		"FILE:LINE and\n"
		"nothing is committed.\n",
	.run = batch_run,
	.args = {.max = 1},
	.flags = CTL_CMD_IN_ORDER,
};
