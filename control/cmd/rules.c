/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl rules`: content rules (docs/rules.md).
 *
 *   rules load FILE... [--strict] [--vars FILE]
 *              [--patterns FILE]... [--action drop|alert|pass]
 *                                     replace the rule set
 *   rules check FILE... [same options] parse, map, compile; commit nothing
 *   rules flush                        remove every rule
 *   rules show [--json]                the rules in force, with hits
 *
 * A load compiles every file (Suricata/Snort rules, and Hyperscan pattern
 * files with --patterns) with ctl_rules_compile(), which reports each
 * skipped rule as "FILE:LINE sid N: REASON" and a summary by reason, and
 * commits the result as one FULL generation (ctl_txn.h, run.c): rules
 * never travel in a delta. A parse, compile or size error leaves the
 * ruleset in force as it was. Variables come from the built-in defaults,
 * the state directory's vars file (`bulwarkctl vars`) and --vars, in that
 * order. The row of the command is in table.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"
#include "ctl_show.h"
#include "ctl_text.h"
#include "ctl_txn.h"
#include "ctl_vars.h"

#define RULES_USAGE                                                            \
	"rules load|check FILE... [--strict] [--vars FILE] [--patterns FILE] " \
	"[--action A] [--single-db] | rules flush | rules show [--json]"
#define LOAD_USAGE                                                             \
	"rules load FILE... [--strict] [--vars FILE] [--patterns FILE]... "    \
	"[--action drop|alert|pass] [--single-db]"
#define CHECK_USAGE                                                            \
	"rules check FILE... [--strict] [--vars FILE] [--patterns FILE]... "   \
	"[--action drop|alert|pass] [--single-db]"
#define FLUSH_USAGE "rules flush"
#define SHOW_USAGE  "rules show [--json]"

#define PATTERNS_MAX 16 /* --patterns files in one load */

enum rules_sub { SUB_LOAD, SUB_CHECK, SUB_FLUSH, SUB_SHOW };

/* A parsed `rules` command line: the options, then the operands. */
struct rules_req {
	int strict;
	int single_db;
	int json;
	const char *vars_file;
	const char *patterns[PATTERNS_MAX];
	unsigned int nb_patterns;
	int action; /* enum ctl_rule_action of the pattern files */
	int has_action;
	enum rules_sub sub;
	const char *usage;
	char **files;
	int nb_files;
	/*
	 * A load outside a batch compiles in prepare, before the state
	 * directory is locked: a compile that takes long (or is refused)
	 * holds no other command up. pre_vars are the variables it used.
	 */
	int has_pre;
	struct ctl_rtab pre;
	struct ctl_rule_vars pre_vars;
};

static int compile(struct ctl_txn *t, const struct rules_req *r,
		   struct ctl_rtab *tab, struct ctl_rule_vars *used,
		   size_t *drop_skipped);

/* Warn that n drop rules were skipped (a load takes the rest). */
static void
drop_skips_warn(struct ctl_txn *t, size_t n)
{
	if (n > 0)
		ctl_txn_warn(t,
			     "%zu drop rule%s skipped: the traffic %s "
			     "would pass",
			     n, n == 1 ? "" : "s",
			     n == 1 ? "it names" : "they name");
}

int
ctl_cmd_rules_prepare(struct ctl_txn *t, const struct ctl_args *a)
{
	struct rules_req *r = a->req;

	r->sub = (enum rules_sub)a->sub;
	r->usage = a->usage;
	if (!r->has_action)
		r->action = CTL_RULE_ALERT;
	r->files = a->argv;
	r->nb_files = a->argc;
	if (r->has_action && r->nb_patterns == 0)
		return ctl_txn_usage(t, r->usage,
				     "--action applies to --patterns files");
	if ((r->sub == SUB_LOAD || r->sub == SUB_CHECK) && r->nb_files == 0 &&
	    r->nb_patterns == 0)
		return ctl_txn_usage(t, r->usage, "no rule file given");
	if (r->sub == SUB_LOAD && !t->begun) {
		/* not in a batch: compile now, unlocked */
		size_t drops = 0;
		int rc = compile(t, r, &r->pre, &r->pre_vars, &drops);

		if (rc != CTL_EXIT_OK)
			return rc;
		drop_skips_warn(t, drops);
		r->has_pre = 1;
	}
	return CTL_EXIT_OK;
}

/* 1 when a and b set the same variables to the same values, in order. */
static int
vars_equal(const struct ctl_rule_vars *a, const struct ctl_rule_vars *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].name, b->v[i].name) != 0 ||
		    strcmp(a->v[i].value, b->v[i].value) != 0)
			return 0;
	return 1;
}

/* The variables of a load: state directory's file, then --vars. */
static int
vars_gather(const struct ctl_txn *t, const struct rules_req *r,
	    struct ctl_rule_vars *vars)
{
	int ret;

	ret = ctl_vars_load(t->ctx->state_dir, vars, t->ctx->err);
	if (ret < 0) {
		ctl_txn_error(t, "cannot read the variables of %s: %s",
			      t->ctx->state_dir, strerror(-ret));
		return ret;
	}
	if (r->vars_file == NULL)
		return 0;
	ret = ctl_rule_vars_load_file(vars, r->vars_file, t->ctx->err);
	if (ret < 0)
		ctl_txn_error(t, "%s: %s", r->vars_file,
			      ret == -EINVAL ? "bad variables"
					     : strerror(-ret));
	return ret;
}

/*
 * Compile the files of r into *tab (ctl_rules_compile()). Returns
 * CTL_EXIT_OK (*tab then owned by the caller), or CTL_EXIT_FAIL after
 * reporting why (*tab empty).
 */
static int
compile(struct ctl_txn *t, const struct rules_req *r, struct ctl_rtab *tab,
	struct ctl_rule_vars *used, size_t *drop_skipped)
{
	struct ctl_rule_vars vars = {0};
	const struct ctl_rules_build b = {
		.files = r->files,
		.nb_files = (size_t)r->nb_files,
		.patterns = r->patterns,
		.nb_patterns = r->nb_patterns,
		.action = (enum ctl_rule_action)r->action,
		.vars = &vars,
		.strict = r->strict,
		.single_db = r->single_db,
		.drop_skipped = drop_skipped,
	};
	char why[CTL_RULES_COMPILE_WHY_LEN];
	int rc = CTL_EXIT_FAIL;

	memset(tab, 0, sizeof(*tab));
	if (vars_gather(t, r, &vars) < 0)
		goto out;
	if (ctl_rules_compile(&b, t->ctx->out, t->ctx->err, tab, why,
			      sizeof(why)) < 0) {
		ctl_txn_error(t, "%s; nothing committed", why);
		goto out;
	}
	rc = CTL_EXIT_OK;
	if (used != NULL) {
		*used = vars;
		return rc;
	}
out:
	ctl_rule_vars_free(&vars);
	return rc;
}

/*
 * The table of a load: the one prepare compiled when the variables it used
 * are still those of the state directory (now locked), else compiled again.
 */
static int
load_table(struct ctl_txn *t, struct rules_req *r, struct ctl_rtab *tab)
{
	struct ctl_rule_vars now = {0};
	int same;

	if (!r->has_pre)
		return compile(t, r, tab, NULL, NULL);
	r->has_pre = 0;
	same = vars_gather(t, r, &now) == 0 && vars_equal(&now, &r->pre_vars);
	ctl_rule_vars_free(&now);
	ctl_rule_vars_free(&r->pre_vars);
	if (same) {
		*tab = r->pre;
		memset(&r->pre, 0, sizeof(r->pre));
		return CTL_EXIT_OK;
	}
	ctl_rtab_free(&r->pre);
	ctl_txn_warn(t, "the variables changed during the compile: compiling "
			"again");
	return compile(t, r, tab, NULL, NULL);
}

/* Which variables the new table uses, for the hint of 'vars set'. */
static void
vars_used_record(struct ctl_txn *t, const struct rules_req *r)
{
	struct ctl_rule_vars vars = {0};
	int ret;

	if (vars_gather(t, r, &vars) < 0)
		return;
	ret = ctl_vars_used_record(&t->st, t->ctx->state_dir, &t->cur.rtab,
				   r->files, (size_t)r->nb_files, &vars);
	if (ret < 0)
		ctl_txn_warn(t, "cannot record the variables the rules use: %s",
			     strerror(-ret));
	ctl_rule_vars_free(&vars);
}

static int
do_load(struct ctl_txn *t, const struct ctl_args *a)
{
	struct rules_req *r = a->req;
	struct ctl_rtab tab;
	int rc;

	rc = load_table(t, r, &tab);
	if (rc != CTL_EXIT_OK)
		return rc;
	ctl_rtab_free(&t->cur.rtab);
	t->cur.rtab = tab;
	t->structural = 1;
	vars_used_record(t, r);
	ctl_txn_note(t, "rules load %s%s: %" PRIu32 " rules",
		     r->nb_files > 0 ? r->files[0] : r->patterns[0],
		     r->nb_files + (int)r->nb_patterns > 1 ? " ..." : "",
		     tab.nb_rules);
	return CTL_EXIT_OK;
}

static int
do_flush(struct ctl_txn *t, const struct ctl_args *a)
{
	(void)a;
	if (t->cur.rtab.nb_rules == 0)
		return CTL_EXIT_OK;
	ctl_txn_note(t, "rules flush: %" PRIu32 " rules", t->cur.rtab.nb_rules);
	ctl_rtab_free(&t->cur.rtab);
	t->structural = 1;
	return CTL_EXIT_OK;
}

/* rules check: compile, commit nothing. */
static int
do_check(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct ctl_rtab tab;
	size_t drops = 0;
	struct ctl_txn t;
	int rc;

	ctl_txn_init(&t, ctx);
	rc = compile(&t, a->req, &tab, NULL, &drops);
	ctl_rtab_free(&tab);
	/* a skipped drop rule lets through what it names: not fine */
	if (rc == CTL_EXIT_OK && drops > 0) {
		fprintf(ctx->err,
			CTL_PROG ": %zu drop rule%s skipped: the traffic %s "
				 "would pass\n",
			drops, drops == 1 ? "" : "s",
			drops == 1 ? "it names" : "they name");
		rc = CTL_EXIT_FAIL;
	}
	return rc;
}

static const char *
proto_name(uint8_t p)
{
	switch (p) {
	case BW_RULE_PROTO_IP:
		return "ip";
	case BW_RULE_PROTO_TCP:
		return "tcp";
	case BW_RULE_PROTO_UDP:
		return "udp";
	case BW_RULE_PROTO_ICMP:
		return "icmp";
	}
	return "?";
}

static const char *
scan_name(const struct bw_image_rule *r)
{
	if (!(r->flags & BW_RULE_F_CONTENT))
		return "header";
	return r->scan == BW_RULE_SCAN_STREAM ? "stream" : "packet";
}

/*
 * Hits of rule i from a running dataplane that runs this rule table (same
 * sid and rev in that slot), or NULL.
 */
static const struct ctl_rule_hit *
hits_of(const struct ctl_rule_hits *h, const struct ctl_rtab *t, uint32_t i)
{
	if (!h->valid || i >= h->nb_rules || h->r[i].sid != t->rules[i].sid ||
	    h->r[i].rev != t->rules[i].rev)
		return NULL;
	return &h->r[i];
}

/* rules show --json: the databases and every rule. */
static int
show_json(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
	  const union ctl_show_hits *hits, const void *one)
{
	const struct ctl_rule_hits *h = &hits->rules;
	const struct ctl_rtab *t = &rs->rtab;
	const struct ctl_rule_hit *rh;
	struct ctl_json j;
	uint32_t i;

	(void)one;
	ctl_json_init(&j, ctx->out);
	ctl_json_object_begin(&j, NULL);
	ctl_json_u64(&j, "generation", rs->generation);
	ctl_json_u64(&j, "block_db_bytes", t->block_len);
	ctl_json_u64(&j, "scan_groups", t->nb_groups);
	ctl_json_u64(&j, "groups_db_bytes", t->gdb_len);
	ctl_json_u64(&j, "stream_db_bytes", t->stream_len);
	ctl_json_array_begin(&j, "rules");
	for (i = 0; i < t->nb_rules; i++) {
		const struct bw_image_rule *r = &t->rules[i];

		rh = hits_of(h, t, i);
		ctl_json_object_begin(&j, NULL);
		ctl_json_u64(&j, "sid", r->sid);
		ctl_json_u64(&j, "rev", r->rev);
		ctl_json_str(&j, "action", ctl_rtab_action_name(r->action));
		ctl_json_str(&j, "proto", proto_name(r->proto));
		ctl_json_str(&j, "scan", scan_name(r));
		ctl_json_str(&j, "msg", ctl_rtab_string(t, r->msg_off));
		ctl_json_str(&j, "classtype",
			     ctl_rtab_string(t, r->classtype_off));
		if (rh != NULL) {
			ctl_json_u64(&j, "hits_pkts", rh->pkts);
			ctl_json_u64(&j, "hits_bytes", rh->bytes);
			ctl_json_ns_as_s_or_null(&j, "last_hit", rh->last_ns);
		} else {
			ctl_json_null(&j, "hits_pkts");
			ctl_json_null(&j, "hits_bytes");
			ctl_json_null(&j, "last_hit");
		}
		ctl_json_object_end(&j);
	}
	return ctl_show_json_end(&j);
}

/* rules show as text: the databases, then a table of every rule. */
static int
show_text(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
	  const union ctl_show_hits *hits, const void *one)
{
	const struct ctl_rule_hits *h = &hits->rules;
	const struct ctl_rtab *t = &rs->rtab;
	const struct ctl_rule_hit *rh;
	struct ctl_table *tb;
	FILE *f = ctx->out;
	uint32_t i;

	(void)one;
	if (t->nb_rules == 0) {
		fprintf(f, "no rules (generation %" PRIu64 ")\n",
			rs->generation);
		return 0;
	}
	tb = ctl_table_new(8, t->nb_rules + 1, "rrllrrll");
	if (tb == NULL)
		return -ENOMEM;
	ctl_table_header(tb, "SID", "REV", "ACTION", "SCAN", "PKTS", "BYTES",
			 "LAST HIT", "MSG", NULL);
	for (i = 0; i < t->nb_rules; i++) {
		const struct bw_image_rule *r = &t->rules[i];

		rh = hits_of(h, t, i);
		ctl_table_row(tb);
		ctl_table_cell(tb, "%" PRIu32, r->sid);
		ctl_table_cell(tb, "%" PRIu32, r->rev);
		ctl_table_cell(tb, "%s", ctl_rtab_action_name(r->action));
		ctl_table_cell(tb, "%s/%s", proto_name(r->proto), scan_name(r));
		if (rh != NULL) {
			ctl_table_cell(tb, "%" PRIu64, rh->pkts);
			ctl_table_cell(tb, "%" PRIu64, rh->bytes);
			if (rh->last_ns != 0)
				ctl_table_cell(tb, "%.1fs ago",
					       (double)(ctl_now_real_ns() -
							rh->last_ns) /
						       1e9);
			else
				ctl_table_cell(tb, "never");
		} else {
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
		}
		ctl_table_cell(tb, "%s", ctl_rtab_string(t, r->msg_off));
	}
	fprintf(f,
		"%" PRIu32 " rules (generation %" PRIu64 "), block database "
		"%" PRIu32 " bytes, stream database %" PRIu32 " bytes\n",
		t->nb_rules, rs->generation, t->block_len, t->stream_len);
	ctl_table_print(tb, f, 0);
	ctl_table_free(tb);
	return 0;
}

static int
do_show(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	return ctl_cmd_show(ctx, a, CTL_SHOW_RULES,
			    CTL_REQ(a, struct rules_req)->json ? show_json
							       : show_text);
}

const char ctl_cmd_rules_usage[] = RULES_USAGE;

const char ctl_cmd_rules_help_usage[] =
	LOAD_USAGE "\n"
		   "       " CTL_PROG " [GLOBAL OPTIONS] " CHECK_USAGE "\n"
		   "       " CTL_PROG " [GLOBAL OPTIONS] " FLUSH_USAGE "\n"
		   "       " CTL_PROG " [GLOBAL OPTIONS] " SHOW_USAGE;

const struct ctl_sub ctl_cmd_rules_subs[] = {
	[SUB_LOAD] = {.name = "load",
		      .usage = LOAD_USAGE,
		      .args = {.max = CTL_ARGS_ANY},
		      .perform = do_load,
		      .help = "replace the rule set with the rules of the "
			      "files"},
	[SUB_CHECK] = {.name = "check",
		       .usage = CHECK_USAGE,
		       .args = {.max = CTL_ARGS_ANY},
		       .run = do_check,
		       .help = "parse and compile the files; commit nothing; "
			       "exit 1 when a drop rule (--strict: any rule) "
			       "is skipped"},
	[SUB_FLUSH] = {.name = "flush",
		       .usage = FLUSH_USAGE,
		       .args = {.max = 0},
		       .perform = do_flush,
		       .help = "remove every rule"},
	[SUB_SHOW] = {.name = "show",
		      .usage = SHOW_USAGE,
		      .args = {.max = 0},
		      .run = do_show,
		      .help = "the rules in force with their hit counters"},
	{.name = NULL},
};

static const struct ctl_opt_choice action_words[] = {
	{"drop", CTL_RULE_DROP},
	{"alert", CTL_RULE_ALERT},
	{"pass", CTL_RULE_PASS},
	{NULL, 0},
};

#define LOAD_CHECK (CTL_SUB(SUB_LOAD) | CTL_SUB(SUB_CHECK))

const struct ctl_opt ctl_cmd_rules_opts[] = {
	{.name = "strict",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct rules_req, strict),
	 .subs = LOAD_CHECK,
	 .help = "fail when any rule is skipped"},
	{.name = "vars",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct rules_req, vars_file),
	 .subs = LOAD_CHECK,
	 .value = "FILE",
	 .help = "variables (NAME VALUE lines) over those of '" CTL_PROG
		 " vars'"},
	{.name = "patterns",
	 .type = CTL_OPT_STRS,
	 .off = offsetof(struct rules_req, patterns),
	 .count_off = CTL_FIELD1(struct rules_req, nb_patterns),
	 .subs = LOAD_CHECK,
	 .max = PATTERNS_MAX,
	 .bad = "more than %M %o files",
	 .value = "FILE",
	 .help = "a Hyperscan pattern file (ID:/regex/flags)"},
	{.name = "action",
	 .type = CTL_OPT_KEYWORD,
	 .off = offsetof(struct rules_req, action),
	 .seen_off = CTL_FIELD1(struct rules_req, has_action),
	 .subs = LOAD_CHECK,
	 .choices = action_words,
	 .bad = "%o '%a': not drop, alert or pass",
	 .value = "A",
	 .help = "action of the pattern files: drop, alert (default) or "
		 "pass"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct rules_req, json),
	 .subs = CTL_SUB(SUB_SHOW),
	 .help = "machine-readable output"},
	{.name = "single-db",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct rules_req, single_db),
	 .subs = LOAD_CHECK,
	 .help = "one per-packet database for every packet instead of scan "
		 "groups by protocol and port (for comparison; docs/rules.md)"},
	CTL_OPTS_END(struct rules_req),
};
