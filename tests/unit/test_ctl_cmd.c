/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of bulwarkctl's status and stats commands run in-process
 * (ctl_cli_exec) against a real status region (test_ctl_fixture.h): exit
 * status, stdout and stderr for each state of the dataplane, bad options,
 * a --watch of two samples; and the context the commands start from.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "bw_json.h"
#include "ctl.h"
#include "ctl_cmd.h"
#include "test_ctl_fixture.h"

#define ARGV_MAX 8 /* words of a command line */

struct cmd_out {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
};

/* Run cmd on the words of args, capturing what it prints. */
static void
run_cmd(const struct ctl_cmd *cmd, const char *args, struct cmd_out *o)
{
	char line[128], *argv[ARGV_MAX + 1], *save, *word;
	struct ctl_ctx ctx;
	int argc = 0;

	snprintf(line, sizeof(line), "%s", args);
	for (word = strtok_r(line, " ", &save); word != NULL && argc < ARGV_MAX;
	     word = strtok_r(NULL, " ", &save))
		argv[argc++] = word;
	argv[argc] = NULL;
	memset(o, 0, sizeof(*o));
	CU_ASSERT_EQUAL_FATAL(ctl_ctx_init(&ctx, g_instance, NULL), 0);
	ctx.out = open_memstream(&o->out, &o->out_len);
	ctx.err = open_memstream(&o->err, &o->err_len);
	CU_ASSERT_FATAL(ctx.out != NULL && ctx.err != NULL);
	o->rc = ctl_cli_exec(&ctx, cmd, argc, argv);
	fclose(ctx.out);
	fclose(ctx.err);
}

static void
cmd_out_free(struct cmd_out *o)
{
	free(o->out);
	free(o->err);
}

#define NO_REGION (-1)

/*
 * One command line run against a region: none (NO_REGION), or two workers
 * and two ports of fill_counters() in the dataplane state `state`, stopped
 * a second after the start when BW_STATE_STOPPED. In out[] and err, ""
 * stands for "prints nothing", any other string for "prints this".
 */
struct cmd_case {
	const struct ctl_cmd *cmd;
	const char *args; /* argv, words separated by one space */
	int state;
	int rc;
	const char *out[6]; /* up to the first NULL */
	const char *err;    /* NULL: not checked */
	/* Not NULL: stdout is one JSON object, of this state and the totals. */
	const char *json_state;
	int links_up; /* port 1's link up too (fill_counters() sets it down) */
};

/* s is "" and text empty, or s is in text; else says so for args. */
static int
prints(const char *args, const char *text, const char *s)
{
	if (s[0] == '\0' ? text[0] == '\0' : strstr(text, s) != NULL)
		return 1;
	fprintf(stderr, "'%s': want \"%s\", found \"%s\"\n", args, s, text);
	return 0;
}

static void
check_json(const char *text, const char *state)
{
	json_t *js = bw_json_line(text, 0);

	CU_ASSERT_PTR_NOT_NULL(js);
	CU_ASSERT(bw_json_is_int(js, "totals.rx_pkts", 300));
	CU_ASSERT(bw_json_is_str(js, "state", state));
	json_decref(js);
}

static void
run_cases(const struct cmd_case *c, size_t n)
{
	struct cmd_out o;
	size_t i;

	for (; n > 0; c++, n--) {
		if (c->state == NO_REGION) {
			region_destroy();
		} else {
			CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
			fill_counters();
			hdr()->state = (uint32_t)c->state;
			if (c->links_up)
				port(1)->link_up = 1;
			if (c->state == BW_STATE_STOPPED)
				hdr()->stop_time_ns = hdr()->start_time_ns + NS;
		}
		run_cmd(c->cmd, c->args, &o);
		if (o.rc != c->rc)
			fprintf(stderr, "'%s': exit %d\n", c->args, o.rc);
		CU_ASSERT_EQUAL(o.rc, c->rc);
		for (i = 0; i < 6 && c->out[i] != NULL; i++)
			CU_ASSERT(prints(c->args, o.out, c->out[i]));
		if (c->err != NULL)
			CU_ASSERT(prints(c->args, o.err, c->err));
		if (c->json_state != NULL)
			check_json(o.out, c->json_state);
		cmd_out_free(&o);
	}
}

static void
test_cmd_status(void)
{
	static const struct cmd_case cases[] = {
		{&ctl_cmd_status, "status", NO_REGION, CTL_EXIT_FAIL,
		 .err = "is not running (no status"},
		{&ctl_cmd_status, "status", BW_STATE_RUNNING, CTL_EXIT_OK,
		 .out = {"state      running\n", "workers    2 (lcores 2-3)\n",
			 "ruleset    generation 42\n", "25 Gbit/s",
			 "02:00:5e:ab:cd:ef"},
		 .err = "", .links_up = 1},
		/* running, but a link is down: not healthy */
		{&ctl_cmd_status, "status", BW_STATE_RUNNING, CTL_EXIT_FAIL,
		 .out = {"state      running\n"},
		 .err = "is running, but the link of port 11 ("},
		{&ctl_cmd_status, "status", BW_STATE_STOPPED, CTL_EXIT_FAIL,
		 .out = {"state      stopped\n"}, .err = "' stopped at "},
		{&ctl_cmd_status, "status --bogus", BW_STATE_STOPPED,
		 CTL_EXIT_USAGE, .err = "unknown option '--bogus'"},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_cmd_stats(void)
{
	static const struct cmd_case cases[] = {
		{&ctl_cmd_stats, "stats --json", NO_REGION, CTL_EXIT_FAIL,
		 .out = {""}},
		/* A stopped dataplane: final counters, a warning, exit 0. */
		{&ctl_cmd_stats, "stats --json", BW_STATE_STOPPED, CTL_EXIT_OK,
		 .err = "bulwarkctl: warning: ", .json_state = "stopped"},
		/* Bad --watch values are usage errors. */
		{&ctl_cmd_stats, "stats --json --watch 0", BW_STATE_STOPPED,
		 .rc = CTL_EXIT_USAGE},
		{&ctl_cmd_stats, "stats --json --count 0", BW_STATE_STOPPED,
		 .rc = CTL_EXIT_USAGE},
	};

	run_cases(cases, sizeof(cases) / sizeof(cases[0]));
}

static void
test_cmd_stats_watch(void)
{
	struct cmd_out o;
	json_t *js[3];

	/* The one test that sleeps: two samples 10 ms apart. */
	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	run_cmd(&ctl_cmd_stats, "stats --json --watch 0.01 --count 2", &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	/* JSON Lines: exactly two objects, each on its own line. */
	CU_ASSERT_EQUAL_FATAL(bw_json_lines(o.out, js, 3), 2);
	CU_ASSERT(bw_json_is_null(js[0], "rates"));
	CU_ASSERT(bw_json_last_key(js[0], "", "rates"));
	CU_ASSERT(bw_json_last_key(js[1], "", "rates"));
	CU_ASSERT(bw_json_first_key(js[1], "rates", "interval_s"));
	CU_ASSERT(json_is_real(bw_json_get(js[1], "rates.interval_s")));
	CU_ASSERT(json_real_value(bw_json_get(js[1], "rates.interval_s")) >
		  0.0);
	json_decref(js[0]);
	json_decref(js[1]);
	cmd_out_free(&o);
}

static void
test_ctx_init(void)
{
	char long_dir[PATH_MAX + 8];
	struct ctl_ctx ctx;

	unsetenv(CTL_INSTANCE_ENV);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(ctx.instance, "default");
	CU_ASSERT_STRING_EQUAL(ctx.state_dir, "/var/lib/bulwark/default");
	setenv(CTL_INSTANCE_ENV, "blue", 1);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, NULL, "/tmp/x"), 0);
	CU_ASSERT_STRING_EQUAL(ctx.instance, "blue");
	CU_ASSERT_STRING_EQUAL(ctx.state_dir, "/tmp/x");
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "red", NULL), 0);
	CU_ASSERT_STRING_EQUAL(ctx.instance, "red");
	unsetenv(CTL_INSTANCE_ENV);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "no/slash", NULL), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "", NULL), -EINVAL);
	CU_ASSERT_EQUAL(
		ctl_ctx_init(&ctx, "a23456789012345678901234567890123", NULL),
		-EINVAL);
	memset(long_dir, 'd', sizeof(long_dir) - 1);
	long_dir[sizeof(long_dir) - 1] = '\0';
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "red", long_dir), -ENAMETOOLONG);
}

static const struct bw_cunit_test tests[] = {
	{"status command", test_cmd_status},
	{"stats command", test_cmd_stats},
	{"stats --watch", test_cmd_stats_watch},
	{"context", test_ctx_init},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return CTL_FIXTURE_RUN("ctl_cmd", tests);
}
