/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl vars`: rule variables kept in the state directory.
 *
 *   vars set NAME VALUE   set (checked as an address or port expression)
 *   vars unset NAME       back to the built-in default
 *   vars show             every variable and where its value comes from
 *
 * The file is rewritten whole (tmp name, fsync, rename) under the state
 * directory's exclusive lock, so concurrent commands never see half of
 * it. A change applies to later `rules load`s; rules in force stay. The
 * row of the command is in table.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_state.h"
#include "ctl_vars.h"

/* Names vars show lists even when unset: the usual ones. */
static const char *const known[] = {
	"HOME_NET",    "EXTERNAL_NET",	"HTTP_SERVERS",	   "SMTP_SERVERS",
	"SQL_SERVERS", "DNS_SERVERS",	"TELNET_SERVERS",  "DNP3_SERVER",
	"DNP3_CLIENT", "MODBUS_SERVER", "MODBUS_CLIENT",   "ENIP_SERVER",
	"ENIP_CLIENT", "HTTP_PORTS",	"SHELLCODE_PORTS", "ORACLE_PORTS",
	"SSH_PORTS",   "DNP3_PORTS",	"MODBUS_PORTS",	   "FTP_PORTS",
};

static int
vars_path(const char *state_dir, char *buf, size_t len)
{
	if (snprintf(buf, len, "%s/%s", state_dir, CTL_VARS_FILE) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int
ctl_vars_load(const char *state_dir, struct ctl_rule_vars *vars, FILE *diag)
{
	char path[PATH_MAX], why[BW_STATE_WHY_LEN];
	gid_t op_gid = bw_state_operator_gid();
	int r, dfd, fd;

	r = vars_path(state_dir, path, sizeof(path));
	if (r < 0)
		return r;
	/* the file checked on its descriptor: no link, no FIFO, trusted */
	dfd = bw_state_dir_open(state_dir, geteuid(), op_gid, why, sizeof(why));
	if (dfd == -ENOENT)
		return 0;
	if (dfd < 0) {
		if (diag != NULL)
			fprintf(diag, CTL_PROG ": refusing %s: %s\n", state_dir,
				why);
		return dfd;
	}
	fd = bw_state_open_file(dfd, CTL_VARS_FILE, geteuid(), op_gid, why,
				sizeof(why));
	close(dfd);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0) {
		if (diag != NULL)
			fprintf(diag, CTL_PROG ": refusing %s: %s\n", path,
				why);
		return fd;
	}
	/* read what was checked, not whatever the name names now */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	r = ctl_rule_vars_load_file(vars, path, diag);
	close(fd);
	return r;
}

/* ctl_vars_load() for ctx, reporting a failure. Returns 0 or -1. */
static int
vars_read(struct ctl_ctx *ctx, struct ctl_rule_vars *vars)
{
	int r = ctl_vars_load(ctx->state_dir, vars, ctx->err);

	if (r < 0)
		fprintf(ctx->err, CTL_PROG ": cannot read %s/%s: %s\n",
			ctx->state_dir, CTL_VARS_FILE, strerror(-r));
	return r < 0 ? -1 : 0;
}

/* Write vars whole into the state directory's file. */
static int
vars_write(const struct ctl_state *st, const struct ctl_rule_vars *vars)
{
	char *text = NULL;
	size_t i, len = 0;
	FILE *f;
	int r;

	f = open_memstream(&text, &len);
	if (f == NULL)
		return -errno;
	fprintf(f, "# rule variables: bulwarkctl vars set NAME VALUE\n");
	for (i = 0; i < vars->n; i++)
		fprintf(f, "%s %s\n", vars->v[i].name, vars->v[i].value);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	/* a new file renamed over the name: a planted link is not followed */
	r = ctl_state_replace_file(st, CTL_VARS_FILE, text, len);
	free(text);
	return r;
}

/* vars without name (copied; name with or without '$'). */
static int
vars_without(const struct ctl_rule_vars *src, const char *name,
	     struct ctl_rule_vars *dst, int *found)
{
	char why[CTL_RULE_WHY_LEN];
	size_t i;
	int r;

	if (name[0] == '$')
		name++;
	*found = 0;
	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		if (strcmp(src->v[i].name, name) == 0) {
			*found = 1;
			continue;
		}
		r = ctl_rule_vars_set(dst, src->v[i].name, src->v[i].value, why,
				      sizeof(why));
		if (r < 0 && r != -EINVAL) {
			ctl_rule_vars_free(dst);
			return r;
		}
	}
	return 0;
}

/*
 * Warn when no rule in force uses name: a typo ("HOME_NTE") or a
 * variable of rules not loaded yet.
 */
static void
unused_warn(struct ctl_ctx *ctx, const char *name)
{
	char close_name[CTL_RULE_WHY_LEN];
	struct ctl_ruleset rs;
	int r;

	if (name[0] == '$')
		name++;
	if (ctl_state_current(ctx->state_dir, NULL, &rs, NULL) < 0)
		return;
	if (rs.rtab.nb_rules == 0) {
		fprintf(ctx->err,
			CTL_PROG ": warning: no rule in force uses $%s: no "
				 "rules are loaded\n",
			name);
	} else {
		r = ctl_vars_used_query(ctx->state_dir, &rs.rtab, name,
					close_name, sizeof(close_name));
		if (r == 0 && close_name[0] != '\0')
			fprintf(ctx->err,
				CTL_PROG ": warning: no rule in force "
					 "(generation %" PRIu64 ") uses $%s; "
					 "did you mean $%s?\n",
				rs.generation, name, close_name);
		else if (r == 0)
			fprintf(ctx->err,
				CTL_PROG ": warning: no rule in force "
					 "(generation %" PRIu64 ") uses $%s\n",
				rs.generation, name);
	}
	ctl_ruleset_free(&rs);
}

/* vars set NAME VALUE and vars unset NAME. */
static int
do_change(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct ctl_rule_vars vars = {0}, rest = {0};
	const char *name = a->argv[0], *value = a->argv[1];
	int r, found, rc = CTL_EXIT_FAIL, set = value != NULL;
	char why[CTL_RULE_WHY_LEN];
	struct ctl_state st;

	if (ctl_ctx_instance_check(ctx) < 0 ||
	    ctl_state_open(&st, ctx->state_dir, 1, ctx->err) < 0)
		return CTL_EXIT_FAIL;
	if (vars_read(ctx, &vars) < 0)
		goto out;
	if (set) {
		r = ctl_rule_vars_set(&vars, name, value, why, sizeof(why));
		if (r < 0) {
			fprintf(ctx->err, CTL_PROG ": %s: %s\n", name,
				r == -EINVAL ? why : strerror(-r));
			goto out;
		}
		r = vars_write(&st, &vars);
	} else {
		r = vars_without(&vars, name, &rest, &found);
		if (r == 0 && !found) {
			fprintf(ctx->err, CTL_PROG ": %s is not set\n", name);
			goto out;
		}
		if (r == 0)
			r = vars_write(&st, &rest);
	}
	if (r < 0) {
		fprintf(ctx->err, CTL_PROG ": cannot write %s/%s: %s\n",
			ctx->state_dir, CTL_VARS_FILE, strerror(-r));
		goto out;
	}
	fprintf(ctx->out, "%s %s (applies to the next 'rules load')\n", name,
		set ? "set" : "unset");
	rc = CTL_EXIT_OK;
out:
	ctl_rule_vars_free(&rest);
	ctl_rule_vars_free(&vars);
	ctl_state_close(&st);
	/* after the lock is released: the warning reads the directory */
	if (rc == CTL_EXIT_OK && set)
		unused_warn(ctx, name);
	return rc;
}

static const char *const json_word[] = {"json"};

/* vars show --json: {"variables": [{"name", "value", "source"}...]} */
static int
show_json(struct ctl_ctx *ctx, struct ctl_rule_vars *vars)
{
	struct ctl_json j;
	const char *v;
	size_t i, k;

	ctl_json_init(&j, ctx->out);
	ctl_json_object_begin(&j, NULL);
	ctl_json_array_begin(&j, "variables");
	for (i = 0; i < vars->n; i++) {
		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "name", vars->v[i].name);
		ctl_json_str(&j, "value", vars->v[i].value);
		ctl_json_str(&j, "source", "set");
		ctl_json_object_end(&j);
	}
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		for (i = 0; i < vars->n; i++)
			if (strcmp(vars->v[i].name, known[k]) == 0)
				break;
		v = ctl_rule_vars_get(NULL, known[k]);
		if (i < vars->n || v == NULL)
			continue;
		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "name", known[k]);
		ctl_json_str(&j, "value", v);
		ctl_json_str(&j, "source", "default");
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', ctx->out);
	ctl_rule_vars_free(vars);
	return CTL_EXIT_OK;
}

static int
do_show(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct ctl_rule_vars vars = {0};
	const char *v;
	size_t i, k;

	/* a verbatim command (a VALUE may start with '-'): --json by hand */
	if (a->argc > 0 && strcmp(a->argv[0], "--json") != 0)
		return ctl_usage_report(
			ctx, NULL, a->usage, "unexpected argument '%s'%s",
			a->argv[0],
			strncmp(a->argv[0], "--", 2) == 0 &&
					ctl_cli_suggest(a->argv[0] + 2,
							json_word, 1) == 0
				? "; did you mean '--json'?"
				: "");
	if (vars_read(ctx, &vars) < 0)
		return CTL_EXIT_FAIL;
	if (a->argc > 0)
		return show_json(ctx, &vars);
	for (i = 0; i < vars.n; i++)
		fprintf(ctx->out, "%s %s (set)\n", vars.v[i].name,
			vars.v[i].value);
	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		for (i = 0; i < vars.n; i++)
			if (strcmp(vars.v[i].name, known[k]) == 0)
				break;
		if (i < vars.n)
			continue;
		v = ctl_rule_vars_get(NULL, known[k]);
		if (v != NULL)
			fprintf(ctx->out, "%s %s (default)\n", known[k], v);
	}
	ctl_rule_vars_free(&vars);
	return CTL_EXIT_OK;
}

enum vars_sub { SUB_SET, SUB_UNSET, SUB_SHOW };

/* No options (a VALUE may start with '-'), the command's usage line. */
const struct ctl_sub ctl_cmd_vars_subs[] = {
	[SUB_SET] = {.name = "set",
		     .args = {.min = 2,
			      .max = 2,
			      .arity = "vars set takes NAME VALUE"},
		     .run = do_change},
	[SUB_UNSET] = {.name = "unset",
		       .args = {.min = 1,
				.max = 1,
				.arity = "vars unset takes NAME"},
		       .run = do_change},
	[SUB_SHOW] = {.name = "show", .args = {.max = 1}, .run = do_show},
	{.name = NULL},
};
