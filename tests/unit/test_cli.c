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

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

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
	[DEMO_GET] = {"get",
		      "demo get KEY",
		      {.min = 1, .max = 1, .missing = {"no key given"}}},
	[DEMO_PUT] = {"put",
		      "demo put KEY VALUE",
		      {.min = 2,
		       .max = 2,
		       .missing = {"no key given", "no value given"}}},
	{NULL, NULL, {0}},
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
	{.name = NULL},
};

static const struct ctl_cmd demo_cmd = {
	.name = "demo",
	.usage = "demo get KEY | demo put KEY VALUE",
	.help = "A demo.\n",
	.subs = demo_subs,
	.opts = demo_opts,
	.req_size = sizeof(struct demo_req),
};

struct run_out {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
	struct ctl_args a;
};

/* Parse argv (NULL terminated) against cmd, outputs in o. */
static void
parse(const struct ctl_cmd *cmd, char **argv, struct run_out *o)
{
	struct ctl_ctx ctx;
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	memset(o, 0, sizeof(*o));
	CU_ASSERT_EQUAL_FATAL(ctl_ctx_init(&ctx, "cli_test", "/nonexistent"),
			      0);
	ctx.out = open_memstream(&o->out, &o->out_len);
	ctx.err = open_memstream(&o->err, &o->err_len);
	CU_ASSERT_FATAL(ctx.out != NULL && ctx.err != NULL);
	o->rc = ctl_cli_parse(&ctx, NULL, cmd, argc, argv, &o->a);
	fclose(ctx.out);
	fclose(ctx.err);
}

/* Run argv (NULL terminated) through the real table, outputs in o. */
static void
run(char **argv, struct run_out *o)
{
	struct ctl_ctx ctx;
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	memset(o, 0, sizeof(*o));
	CU_ASSERT_EQUAL_FATAL(ctl_ctx_init(&ctx, "cli_test", "/nonexistent"),
			      0);
	ctx.out = open_memstream(&o->out, &o->out_len);
	ctx.err = open_memstream(&o->err, &o->err_len);
	CU_ASSERT_FATAL(ctx.out != NULL && ctx.err != NULL);
	o->rc = ctl_cli_run(&ctx, &ctl_cli_table, argc, argv);
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
	char a0[] = "demo", a1[] = "put", a2[] = "--flag", a3[] = "k",
	     a4[] = "--n=4", a5[] = "--file", a6[] = "f1", a7[] = "--fi",
	     a8[] = "f2", a10[] = "--rate", a11[] = "1.5", a12[] = "--color",
	     a13[] = "blue", a14[] = "--", a15[] = "--flag";
	char *argv[] = {a0, a1,	 a2,  a3,  a4,	a5,  a6,  a7,
			a8, a10, a11, a12, a13, a14, a15, NULL};
	const struct demo_req *r;
	struct run_out o;

	/* options between operands, a prefix, "--" before a VALUE */
	parse(&demo_cmd, argv, &o);
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

/* The first stderr line of demo ARGS, which must be a usage error. */
static void
expect_error(char **argv, const char *want)
{
	struct run_out o;

	parse(&demo_cmd, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	CU_ASSERT_PTR_NULL(o.a.req);
	CU_ASSERT_STRING_EQUAL(err_line(&o), want);
	out_free(&o);
}

static void
test_range_errors(void)
{
	char a0[] = "demo", put[] = "put", get[] = "get", k[] = "k", v[] = "v",
	     n[] = "--n", n6[] = "6", n1[] = "1", nx[] = "4x", n3[] = "3",
	     rate[] = "--rate=3", file[] = "--file", color[] = "--color",
	     green[] = "green", name[] = "--name=";
	char *argv[9] = {a0, put, k, v, n, n6, NULL};

	expect_error(argv, "bulwarkctl: option '--n' needs an integer in 2..5, "
			   "not '6'");
	argv[5] = n1;
	expect_error(argv, "bulwarkctl: option '--n' needs an integer in 2..5, "
			   "not '1'");
	argv[5] = nx;
	expect_error(argv, "bulwarkctl: option '--n' needs an integer in 2..5, "
			   "not '4x'");
	/* a template with every field */
	argv[4] = rate;
	argv[5] = NULL;
	expect_error(argv, "bulwarkctl: --rate wants 0.5 to 2, not '3' (100%)");
	argv[4] = color;
	argv[5] = green;
	expect_error(argv, "bulwarkctl: option '--color': unknown value "
			   "'green'");
	argv[4] = name;
	argv[5] = NULL;
	expect_error(argv, "bulwarkctl: option '--name' needs a non-empty "
			   "argument");
	argv[2] = file;
	argv[3] = k;
	argv[4] = file;
	argv[5] = k;
	argv[6] = file;
	argv[7] = k;
	expect_error(argv, "bulwarkctl: option '--file' given more than 2 "
			   "times");
	/* an option of another subcommand: its value is checked first */
	argv[1] = get;
	argv[2] = k;
	argv[3] = n;
	argv[4] = n6;
	argv[5] = NULL;
	expect_error(argv, "bulwarkctl: option '--n' needs an integer in 2..5, "
			   "not '6'");
	argv[4] = n3;
	expect_error(argv, "bulwarkctl: option '--n' applies to 'demo put' "
			   "only");
}

/* The first stderr line of ARGS through the real table: a usage error. */
static void
expect_run_error(char **argv, const char *want)
{
	struct run_out o;

	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(o.out, "");
	CU_ASSERT_STRING_EQUAL(err_line(&o), want);
	out_free(&o);
}

static void
test_command_range_errors(void)
{
	char s0[] = "stats", w[] = "--watch", w0[] = "0", w1[] = "86401",
	     c[] = "--count=0", b0[] = "bpf", load[] = "load", p[] = "p",
	     o[] = "p.o", ord[] = "--order", big[] = "4294967296", neg[] = "-1";
	char *argv[] = {s0, w, w0, NULL, NULL, NULL, NULL};

	expect_run_error(argv, "bulwarkctl: --watch needs seconds between "
			       "0.01 and 86400, not '0'");
	argv[2] = w1;
	expect_run_error(argv, "bulwarkctl: --watch needs seconds between "
			       "0.01 and 86400, not '86401'");
	argv[1] = c;
	argv[2] = NULL;
	expect_run_error(argv, "bulwarkctl: --count needs a positive integer, "
			       "not '0'");
	argv[0] = b0;
	argv[1] = load;
	argv[2] = p;
	argv[3] = o;
	argv[4] = ord;
	argv[5] = big;
	expect_run_error(argv, "bulwarkctl: --order '4294967296': not a "
			       "number in 0..4294967295");
	argv[5] = neg;
	expect_run_error(argv, "bulwarkctl: --order '-1': not a number in "
			       "0..4294967295");
}

static void
test_unknown_option(void)
{
	char a0[] = "demo", put[] = "put", k[] = "k", v[] = "v",
	     bogus[] = "--bogus=1", flg[] = "--flg", x[] = "-x",
	     eq[] = "--flag=1", n[] = "--n";
	char *argv[] = {a0, put, k, v, bogus, NULL};
	struct run_out o;

	expect_error(argv, "bulwarkctl: unknown option '--bogus=1'");
	argv[4] = flg;
	expect_error(argv, "bulwarkctl: unknown option '--flg'; did you mean "
			   "'--flag'?");
	argv[4] = x;
	expect_error(argv, "bulwarkctl: unknown option '-x'");
	argv[4] = eq;
	expect_error(argv, "bulwarkctl: option '--flag' takes no argument");
	argv[4] = n;
	expect_error(argv, "bulwarkctl: option '--n' needs an argument");

	/* the usage line of the subcommand follows the message */
	argv[4] = bogus;
	parse(&demo_cmd, argv, &o);
	CU_ASSERT_STRING_EQUAL(o.err,
			       "bulwarkctl: unknown option '--bogus=1'\n"
			       "usage: bulwarkctl [GLOBAL OPTIONS] demo put "
			       "KEY VALUE\n");
	out_free(&o);

	/* and through the real table */
	{
		char s0[] = "stats", s1[] = "--jsno", s2[] = "--zzzzzz";
		char *sv[] = {s0, s1, NULL};

		run(sv, &o);
		CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
		CU_ASSERT_STRING_EQUAL(err_line(&o),
				       "bulwarkctl: unknown option '--jsno'; "
				       "did you mean '--json'?");
		out_free(&o);
		sv[1] = s2;
		run(sv, &o);
		CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
		CU_ASSERT_STRING_EQUAL(err_line(&o),
				       "bulwarkctl: unknown option "
				       "'--zzzzzz'");
		out_free(&o);
	}
}

static void
test_operands(void)
{
	char a0[] = "demo", put[] = "put", get[] = "get", bad[] = "pt",
	     k[] = "k", v[] = "v";
	char *argv[] = {a0, put, k, NULL, NULL};

	expect_error(argv, "bulwarkctl: no value given");
	argv[1] = get;
	argv[2] = k;
	argv[3] = v;
	expect_error(argv, "bulwarkctl: unexpected argument 'v'");
	argv[1] = bad;
	expect_error(argv, "bulwarkctl: unknown demo command 'pt'");
	argv[1] = NULL;
	expect_error(argv, "bulwarkctl: no demo command given");
}

static void
test_help(void)
{
	char s0[] = "stats", s1[] = "--help", h0[] = "help", l0[] = "list",
	     lh[] = "-h", r0[] = "rules";
	char *argv[] = {s0, s1, NULL};
	char *want;
	struct run_out o;

	/* COMMAND --help and help COMMAND: the row's usage and help */
	if (asprintf(&want, "usage: bulwarkctl [GLOBAL OPTIONS] %s\n\n%s",
		     ctl_cmd_stats.usage, ctl_cmd_stats.help) < 0)
		CU_FAIL_FATAL("asprintf");
	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	CU_ASSERT_STRING_EQUAL(o.out, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "--watch SECONDS"));
	out_free(&o);
	argv[0] = h0;
	argv[1] = s0;
	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.out, want);
	out_free(&o);
	free(want);

	/* a family: -h right after its name */
	argv[0] = l0;
	argv[1] = lh;
	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "usage: bulwarkctl [GLOBAL "
					     "OPTIONS] list load NAME FILE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "at most 100000; creating"));
	out_free(&o);

	/* help_usage replaces the usage line in the help only */
	argv[0] = h0;
	argv[1] = r0;
	run(argv, &o);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n       bulwarkctl [GLOBAL "
					     "OPTIONS] rules flush\n"));
	out_free(&o);

	/* the global usage lists every row */
	argv[1] = NULL;
	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n  rollback         commit "));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "\n  help             this help"));
	out_free(&o);
}

static void
test_unknown_command(void)
{
	static const char *const names[] = {"status", "stats", "list",
					    "history"};
	char c0[] = "stat", c1[] = "xyzzy", h0[] = "help", c2[] = "lsit";
	char *argv[] = {c0, NULL, NULL};
	struct run_out o;

	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(o.out, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "\nCommands:\n"));
	CU_ASSERT_STRING_EQUAL(err_line(&o), "bulwarkctl: unknown command "
					     "'stat'; did you mean 'stats'?");
	out_free(&o);
	argv[0] = c1;
	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(err_line(&o),
			       "bulwarkctl: unknown command 'xyzzy'");
	out_free(&o);
	argv[0] = h0;
	argv[1] = c2;
	run(argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(err_line(&o), "bulwarkctl: unknown command "
					     "'lsit'; did you mean 'list'?");
	out_free(&o);

	CU_ASSERT_EQUAL(ctl_cli_suggest("stauts", names, 4), 0);
	CU_ASSERT_EQUAL(ctl_cli_suggest("stat", names, 4), 1);
	CU_ASSERT_EQUAL(ctl_cli_suggest("hist", names, 4), 3);
	CU_ASSERT_EQUAL(ctl_cli_suggest("lst", names, 4), 2);
	CU_ASSERT_EQUAL(ctl_cli_suggest("zzz", names, 4), -1);
	CU_ASSERT_EQUAL(ctl_cli_suggest("-list", names, 4), -1);
	CU_ASSERT_EQUAL(ctl_cli_suggest("", names, 4), -1);
}

int
main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		{"option values", test_values},
		{"typed option range errors", test_range_errors},
		{"range errors of commands", test_command_range_errors},
		{"unknown option", test_unknown_option},
		{"operands and subcommands", test_operands},
		{"help from the table", test_help},
		{"unknown command, did you mean", test_unknown_command},
	};
	unsigned int failures, i;
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("cli", NULL, NULL);
	if (suite == NULL)
		goto err_registry;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto err_registry;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (CU_basic_run_tests() != CUE_SUCCESS)
		goto err_registry;
	failures =
		CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failures != 0;

err_registry:
	fprintf(stderr, "test_cli: CUnit: %s\n", CU_get_error_msg());
	CU_cleanup_registry();
	return 1;
}
