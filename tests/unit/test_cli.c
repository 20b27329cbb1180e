/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of bulwarkctl's command table machinery (control/cli): option
 * types and their errors, subcommands, operands, help from the table and
 * the "did you mean" hints, on a table of its own and on the real one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_cunit.h"
#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"

/* --- a table of its own --------------------------------------------------- */

struct demo_req {
	int flag;
	const char *name;
	const char *files[2];
	unsigned int nb_files;
	uint64_t n;
	int has_n;
	double rate;
	int color;
};

enum { DEMO_GET, DEMO_PUT };

static const struct ctl_sub demo_subs[] = {
	[DEMO_GET] = {.name = "get",
		      .usage = "demo get KEY",
		      .args = {.min = 1,
			       .max = 1,
			       .missing = {"no key given"}}},
	[DEMO_PUT] = {.name = "put",
		      .usage = "demo put KEY VALUE",
		      .args = {.min = 2,
			       .max = 2,
			       .missing = {"no key given", "no value given"}}},
	{.name = NULL},
};

static const struct ctl_opt_choice colors[] = {
	{"red", 1},
	{"blue", 2},
	{NULL, 0},
};

static const struct ctl_opt demo_opts[] = {
	{.name = "flag",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct demo_req, flag)},
	{.name = "name",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct demo_req, name),
	 .min = 1},
	{.name = "file",
	 .type = CTL_OPT_STRS,
	 .off = offsetof(struct demo_req, files),
	 .count_off = CTL_FIELD1(struct demo_req, nb_files),
	 .max = 2},
	{.name = "n",
	 .type = CTL_OPT_UINT,
	 .off = offsetof(struct demo_req, n),
	 .seen_off = CTL_FIELD1(struct demo_req, has_n),
	 .subs = CTL_SUB(DEMO_PUT),
	 .min = 2,
	 .max = 5},
	{.name = "rate",
	 .type = CTL_OPT_REAL,
	 .off = offsetof(struct demo_req, rate),
	 .real_min = 0.5,
	 .real_max = 2,
	 .bad = "%o wants %m to %M, not '%a' (100%%)"},
	{.name = "color",
	 .type = CTL_OPT_KEYWORD,
	 .off = offsetof(struct demo_req, color),
	 .subs = CTL_SUB(DEMO_GET) | CTL_SUB(DEMO_PUT),
	 .choices = colors},
	CTL_OPTS_END(struct demo_req),
};

static const struct ctl_cmd demo_cmd = {
	.name = "demo",
	.usage = "demo get KEY | demo put KEY VALUE",
	.help = "A demo.\n",
	.subs = demo_subs,
	.opts = demo_opts,
};

#define ARGV_MAX 24

struct run_out {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
	struct ctl_args a;
	char words[256]; /* the command line, cut into argv */
	char *argv[ARGV_MAX];
};

/*
 * Run the command line s (words split at blanks): parsed against cmd, or
 * through the real table when cmd is NULL. The outputs go to o.
 */
static void
call(const struct ctl_cmd *cmd, const char *s, struct run_out *o)
{
	struct ctl_ctx ctx;
	int argc = 0;
	char *w;

	memset(o, 0, sizeof(*o));
	snprintf(o->words, sizeof(o->words), "%s", s);
	for (w = strtok(o->words, " "); w != NULL && argc < ARGV_MAX - 1;
	     w = strtok(NULL, " "))
		o->argv[argc++] = w;
	CU_ASSERT_EQUAL_FATAL(ctl_ctx_init(&ctx, "cli_test", "/nonexistent"),
			      0);
	ctx.out = open_memstream(&o->out, &o->out_len);
	ctx.err = open_memstream(&o->err, &o->err_len);
	CU_ASSERT_FATAL(ctx.out != NULL && ctx.err != NULL);
	if (cmd != NULL)
		o->rc = ctl_cli_parse(&ctx, NULL, cmd, argc, o->argv, &o->a);
	else
		o->rc = ctl_cli_run(&ctx, &ctl_cli_table, argc, o->argv);
	fclose(ctx.out);
	fclose(ctx.err);
}

static void
out_free(struct run_out *o)
{
	ctl_args_free(&o->a);
	free(o->out);
	free(o->err);
}

/* The first line of o's stderr, for exact comparisons. */
static const char *
err_line(struct run_out *o)
{
	char *nl = strchr(o->err, '\n');

	if (nl != NULL)
		*nl = '\0';
	return o->err;
}

static void
test_values(void)
{
	const struct demo_req *r;
	struct run_out o;

	/* options between operands, a prefix, "--" before a VALUE */
	call(&demo_cmd,
	     "demo put --flag k --n=4 --file f1 --fi f2 --rate 1.5 --color "
	     "blue -- --flag",
	     &o);
	CU_ASSERT_EQUAL_FATAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	CU_ASSERT_EQUAL(o.a.sub, DEMO_PUT);
	CU_ASSERT_STRING_EQUAL(o.a.usage, "demo put KEY VALUE");
	r = CTL_REQ(&o.a, struct demo_req);
	CU_ASSERT_EQUAL(r->flag, 1);
	CU_ASSERT_EQUAL(r->n, 4);
	CU_ASSERT_EQUAL(r->has_n, 1);
	CU_ASSERT_EQUAL(r->nb_files, 2);
	CU_ASSERT_STRING_EQUAL(r->files[1], "f2");
	CU_ASSERT_EQUAL(r->rate, 1.5);
	CU_ASSERT_EQUAL(r->color, 2);
	CU_ASSERT_EQUAL_FATAL(o.a.argc, 2);
	CU_ASSERT_STRING_EQUAL(o.a.argv[0], "k");
	CU_ASSERT_STRING_EQUAL(o.a.argv[1], "--flag");
	CU_ASSERT_PTR_NULL(o.a.argv[2]);
	out_free(&o);
}

/* A command line that is a usage error, and the first line it reports. */
struct bad_line {
	const char *args;
	const char *want;
};

/*
 * Each of the nb command lines, parsed against cmd or run through the
 * real table (cmd NULL), must be a usage error that reports want first
 * (and, through the table, writes nothing on stdout).
 */
static void
expect_errors(const struct ctl_cmd *cmd, const struct bad_line *v, size_t nb)
{
	struct run_out o;
	size_t i;

	for (i = 0; i < nb; i++) {
		call(cmd, v[i].args, &o);
		CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
		if (cmd != NULL) {
			CU_ASSERT_PTR_NULL(o.a.req);
		} else {
			CU_ASSERT_STRING_EQUAL(o.out, "");
		}
		CU_ASSERT_STRING_EQUAL(err_line(&o), v[i].want);
		out_free(&o);
	}
}

#define EXPECT_ERRORS(cmd, v)                                                  \
	expect_errors((cmd), (v), sizeof(v) / sizeof(v[0]))

static void
test_range_errors(void)
{
	static const struct bad_line v[] = {
		{"demo put k v --n 6",
		 "bulwarkctl: option '--n' needs an integer in 2..5, not '6'"},
		{"demo put k v --n 1",
		 "bulwarkctl: option '--n' needs an integer in 2..5, not '1'"},
		{"demo put k v --n 4x",
		 "bulwarkctl: option '--n' needs an integer in 2..5, not '4x'"},
		/* a template with every field */
		{"demo put k v --rate=3",
		 "bulwarkctl: --rate wants 0.5 to 2, not '3' (100%)"},
		{"demo put k v --color green",
		 "bulwarkctl: option '--color': unknown value 'green'"},
		{"demo put k v --name=",
		 "bulwarkctl: option '--name' needs a non-empty argument"},
		{"demo put --file k --file k --file k",
		 "bulwarkctl: option '--file' given more than 2 times"},
		/* an option of another subcommand: its value is checked first */
		{"demo get k --n 6",
		 "bulwarkctl: option '--n' needs an integer in 2..5, not '6'"},
		{"demo get k --n 3",
		 "bulwarkctl: option '--n' applies to 'demo put' only"},
	};

	EXPECT_ERRORS(&demo_cmd, v);
}

static void
test_command_range_errors(void)
{
	static const struct bad_line v[] = {
		{"stats --watch 0", "bulwarkctl: --watch needs seconds between "
				    "0.01 and 86400, not '0'"},
		{"stats --watch 86401",
		 "bulwarkctl: --watch needs seconds between 0.01 and 86400, "
		 "not '86401'"},
		{"stats --count=0",
		 "bulwarkctl: --count needs a positive integer, not '0'"},
		{"bpf load p p.o --order 4294967296",
		 "bulwarkctl: --order '4294967296': not a number in "
		 "0..4294967295"},
		{"bpf load p p.o --order -1",
		 "bulwarkctl: --order '-1': not a number in 0..4294967295"},
	};

	EXPECT_ERRORS(NULL, v);
}

static void
test_unknown_option(void)
{
	static const struct bad_line v[] = {
		{"demo put k v --bogus=1",
		 "bulwarkctl: unknown option '--bogus=1'"},
		{"demo put k v --flg",
		 "bulwarkctl: unknown option '--flg'; did you mean '--flag'?"},
		{"demo put k v -x", "bulwarkctl: unknown option '-x'"},
		{"demo put k v --flag=1",
		 "bulwarkctl: option '--flag' takes no argument"},
		{"demo put k v --n",
		 "bulwarkctl: option '--n' needs an argument"},
	};
	/* and through the real table */
	static const struct bad_line real[] = {
		{"stats --jsno",
		 "bulwarkctl: unknown option '--jsno'; did you mean '--json'?"},
		{"stats --zzzzzz", "bulwarkctl: unknown option '--zzzzzz'"},
	};
	struct run_out o;

	EXPECT_ERRORS(&demo_cmd, v);
	EXPECT_ERRORS(NULL, real);

	/* the usage line of the subcommand follows the message */
	call(&demo_cmd, v[0].args, &o);
	CU_ASSERT_STRING_EQUAL(o.err,
			       "bulwarkctl: unknown option '--bogus=1'\n"
			       "usage: bulwarkctl [GLOBAL OPTIONS] demo put "
			       "KEY VALUE\n");
	out_free(&o);
}

static void
test_operands(void)
{
	static const struct bad_line v[] = {
		{"demo put k", "bulwarkctl: no value given"},
		{"demo get k v", "bulwarkctl: unexpected argument 'v'"},
		{"demo pt k v",
		 "bulwarkctl: unknown demo command 'pt'; did you mean 'put'?"},
		{"demo xyzzy k v", "bulwarkctl: unknown demo command 'xyzzy'"},
		{"demo", "bulwarkctl: no demo command given"},
	};

	EXPECT_ERRORS(&demo_cmd, v);
}

static void
test_help(void)
{
	struct run_out o, h;
	char *want;

	/*
	 * COMMAND --help and help COMMAND: the row's usage and help, then
	 * the options from the option rows
	 */
	if (asprintf(&want, "usage: bulwarkctl [GLOBAL OPTIONS] %s\n\n%s\n",
		     ctl_cmd_stats.usage, ctl_cmd_stats.help) < 0)
		CU_FAIL_FATAL("asprintf");
	call(NULL, "stats --help", &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	CU_ASSERT_EQUAL(strncmp(o.out, want, strlen(want)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n  --watch SECONDS  print every "
					     "SECONDS (0.01-86400) until"));
	call(NULL, "help stats", &h);
	CU_ASSERT_EQUAL(h.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(h.out, o.out);
	out_free(&h);
	out_free(&o);
	free(want);

	/* a family: -h right after its name; a subcommand's own options */
	call(NULL, "list -h", &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "usage: bulwarkctl [GLOBAL "
					     "OPTIONS] list load NAME FILE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "at most 100000; creating"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out,
				      "\n  load NAME FILE    replace "
				      "NAME's prefixes with FILE's "
				      "(creates NAME)\n    --format F "));
	out_free(&o);

	/* help_usage replaces the usage line in the help only */
	call(NULL, "help rules", &o);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n       bulwarkctl [GLOBAL "
					     "OPTIONS] rules flush\n"));
	out_free(&o);

	/* the global usage lists every row and the global options */
	call(NULL, "help", &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n  rollback         commit "));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n  help             this help"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\nGlobal options:\n  --instance "
					     "NAME  dataplane instance"));
	out_free(&o);
}

static void
test_unknown_command(void)
{
	static const char *const names[] = {"status", "stats", "list",
					    "history"};
	static const struct bad_line v[] = {
		{"stat",
		 "bulwarkctl: unknown command 'stat'; did you mean 'stats'?"},
		{"xyzzy", "bulwarkctl: unknown command 'xyzzy'"},
		{"help lsit",
		 "bulwarkctl: unknown command 'lsit'; did you mean 'list'?"},
	};
	static const struct {
		const char *typed;
		int want;
	} hints[] = {
		{"stauts", 0}, {"stat", 1},   {"hist", 3}, {"lst", 2},
		{"zzz", -1},   {"-list", -1}, {"", -1},
	};
	struct run_out o;
	size_t i;

	EXPECT_ERRORS(NULL, v);
	call(NULL, v[0].args, &o);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "\nCommands:\n"));
	out_free(&o);

	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		CU_ASSERT_EQUAL(ctl_cli_suggest(hints[i].typed, names, 4),
				hints[i].want);
}

static const struct bw_cunit_test tests[] = {
	{"option values", test_values},
	{"typed option range errors", test_range_errors},
	{"range errors of commands", test_command_range_errors},
	{"unknown option", test_unknown_option},
	{"operands and subcommands", test_operands},
	{"help from the table", test_help},
	{"unknown command, did you mean", test_unknown_command},
};

int
main(void)
{
	return BW_CUNIT_RUN("cli", tests);
}
