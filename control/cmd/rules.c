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
 * A load parses every file (Suricata/Snort rules, and Hyperscan pattern
 * files with --patterns), reports each skipped rule as "FILE:LINE sid N:
 * REASON" and a summary by reason, compiles the databases (ctl_rtab.h)
 * and commits the result as one FULL generation (ctl_txn.h): rules never
 * travel in a delta. A parse, compile or size error leaves the ruleset in
 * force as it was. Variables come from the built-in defaults, the state
 * directory's vars file (`bulwarkctl vars`) and --vars, in that order.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_hsmap.h"
#include "ctl_json.h"
#include "ctl_region.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"
#include "ctl_state.h"
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
};

/*
 * The rule counters of a running dataplane (malloc'd, free() it), or NULL
 * when none runs or its region has no rule table.
 */
static struct ctl_rule_hits *
rules_hits_read(const struct ctl_ctx *ctx)
{
	struct ctl_rule_hits *h;
	struct ctl_region r;
	enum ctl_verdict v;

	if (ctl_region_open(&r, ctx->instance) != 0)
		return NULL;
	h = malloc(sizeof(*h));
	v = ctl_region_liveness(&r, ctl_now_mono_ns());
	if (h != NULL &&
	    (v == CTL_VERDICT_RUNNING || v == CTL_VERDICT_NOT_RESPONDING ||
	     v == CTL_VERDICT_STARTING || v == CTL_VERDICT_STOPPING))
		ctl_region_rule_hits(&r, h);
	else if (h != NULL)
		h->valid = 0;
	ctl_region_close(&r);
	return h;
}

/*
 * The request of a parsed command line a into r. Returns CTL_EXIT_OK, or
 * CTL_EXIT_USAGE after reporting.
 */
static int
req_from_args(const struct ctl_txn *t, const struct ctl_args *a,
	      struct rules_req *r)
{
	*r = *CTL_REQ(a, struct rules_req);
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
	return CTL_EXIT_OK;
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

/* Every skip as "FILE:LINE sid N: REASON", then counts by reason. */
static void
skips_report(FILE *f, const struct ctl_rules *rs)
{
	struct ctl_rules_reason *tally = NULL;
	char line[CTL_RULE_WHY_LEN + 512];
	long n, i;
	size_t k;

	for (k = 0; k < rs->nb_skips; k++) {
		ctl_rule_skip_format(&rs->skips[k], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	n = ctl_rules_tally(rs, NULL, &tally);
	for (i = 0; i < n; i++)
		fprintf(f, "  skipped %zu: %s\n", tally[i].count,
			tally[i].reason);
	if (n > 0)
		ctl_rules_reasons_free(tally, (size_t)n);
}

/*
 * Parse, map and compile the files of r into *tab. Skipped rules are
 * reported on ctx->err, the summary on ctx->out. Returns CTL_EXIT_OK
 * (*tab then owned by the caller), or CTL_EXIT_FAIL after reporting why
 * (*tab empty).
 */
static int
rules_compile(struct ctl_txn *t, const struct rules_req *r,
	      struct ctl_rtab *tab)
{
	struct ctl_rules_stats st, total = {0};
	struct ctl_rule_vars vars = {0};
	struct ctl_rtab_info info;
	char err[CTL_HSDB_ERR_LEN];
	struct ctl_rules_opts o;
	struct ctl_rules rs;
	int ret, rc = CTL_EXIT_FAIL, i;
	unsigned int k;

	memset(tab, 0, sizeof(*tab));
	ctl_rules_init(&rs);
	if (vars_gather(t, r, &vars) < 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.vars = &vars;
	o.check = ctl_hsmap_check;
	for (i = 0; i < r->nb_files; i++) {
		ret = ctl_rules_load_file(&rs, r->files[i], &o, &st);
		if (ret < 0) {
			ctl_txn_error(t, "%s: %s; nothing committed",
				      r->files[i], strerror(-ret));
			goto out;
		}
		total.rules += st.rules;
		total.taken += st.taken;
		total.skipped += st.skipped;
	}
	for (k = 0; k < r->nb_patterns; k++) {
		ret = ctl_hsmap_load_patterns(&rs, r->patterns[k], r->action,
					      &st);
		if (ret < 0) {
			ctl_txn_error(t, "%s: %s; nothing committed",
				      r->patterns[k], strerror(-ret));
			goto out;
		}
		total.rules += st.rules;
		total.taken += st.taken;
		total.skipped += st.skipped;
	}
	skips_report(t->ctx->err, &rs);
	fprintf(t->ctx->out, "rules: %zu read, %zu taken, %zu skipped\n",
		total.rules, total.taken, total.skipped);
	if (r->strict && total.skipped > 0) {
		ctl_txn_error(t,
			      "%zu rule%s skipped with --strict; nothing "
			      "committed",
			      total.skipped, total.skipped == 1 ? "" : "s");
		goto out;
	}
	if (total.taken == 0 && total.rules > 0) {
		/* an empty rule set comes from 'rules flush', not a typo */
		ctl_txn_error(t, "none of %zu rules taken; nothing committed",
			      total.rules);
		goto out;
	}
	ret = ctl_rtab_build_layout(
		&rs, NULL, r->single_db ? CTL_RTAB_SINGLE : CTL_RTAB_GROUPS,
		tab, &info, err, sizeof(err));
	if (ret < 0) {
		ctl_txn_error(t, "%s; nothing committed", err);
		goto out;
	}
	if (r->single_db)
		fprintf(t->ctx->out,
			"compiled %" PRIu32 " content rules (%" PRIu32
			" stream, %" PRIu32 " expressions) in %.1f ms: one "
			"block database %" PRIu64 " bytes, stream database "
			"%" PRIu64 " bytes\n",
			info.nb_content, info.nb_stream, info.nb_exprs,
			(double)info.compile_ns / 1e6, info.block_db_bytes,
			info.stream_db_bytes);
	else
		fprintf(t->ctx->out,
			"compiled %" PRIu32 " content rules (%" PRIu32
			" stream, %" PRIu32 " expressions) in %.1f ms: %" PRIu32
			" scan groups over %" PRIu32 " port classes, "
			"%" PRIu64 " bytes per packet and %" PRIu64
			" bytes in stream mode\n",
			info.nb_content, info.nb_stream, info.nb_exprs,
			(double)info.compile_ns / 1e6, info.nb_groups,
			info.nb_classes,
			info.groups_db_bytes - info.stream_db_bytes,
			info.stream_db_bytes);
	rc = CTL_EXIT_OK;
out:
	ctl_rule_vars_free(&vars);
	ctl_rules_free(&rs);
	return rc;
}

static int
perform(struct ctl_txn *t, void *req)
{
	const struct rules_req *r = req;
	struct ctl_rtab tab;
	int rc;

	switch (r->sub) {
	case SUB_LOAD:
		rc = rules_compile(t, r, &tab);
		if (rc != CTL_EXIT_OK)
			return rc;
		ctl_rtab_free(&t->cur.rtab);
		t->cur.rtab = tab;
		t->structural = 1;
		ctl_txn_note(t, "rules load %s%s: %" PRIu32 " rules",
			     r->nb_files > 0 ? r->files[0] : r->patterns[0],
			     r->nb_files + (int)r->nb_patterns > 1 ? " ..."
								   : "",
			     tab.nb_rules);
		return CTL_EXIT_OK;
	case SUB_FLUSH:
		if (t->cur.rtab.nb_rules == 0)
			return CTL_EXIT_OK;
		ctl_txn_note(t, "rules flush: %" PRIu32 " rules",
			     t->cur.rtab.nb_rules);
		ctl_rtab_free(&t->cur.rtab);
		t->structural = 1;
		return CTL_EXIT_OK;
	case SUB_CHECK:
	case SUB_SHOW:
		break;
	}
	ctl_txn_error(t, "'rules %s' is not a change",
		      r->sub == SUB_CHECK ? "check" : "show");
	return CTL_EXIT_USAGE;
}

static int
rules_change(struct ctl_txn *t, const struct ctl_args *a)
{
	struct rules_req r;
	int rc;

	rc = req_from_args(t, a, &r);
	if (rc == CTL_EXIT_OK)
		rc = perform(t, &r);
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
	if (h == NULL || !h->valid || i >= h->nb_rules ||
	    h->r[i].sid != t->rules[i].sid || h->r[i].rev != t->rules[i].rev)
		return NULL;
	return &h->r[i];
}

static void
show_json(FILE *f, const struct ctl_ruleset *rs, const struct ctl_rule_hits *h)
{
	const struct ctl_rtab *t = &rs->rtab;
	const struct ctl_rule_hit *rh;
	struct ctl_json j;
	uint32_t i;

	ctl_json_init(&j, f);
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
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', f);
}

static int
show_table(FILE *f, const struct ctl_ruleset *rs, const struct ctl_rule_hits *h)
{
	const struct ctl_rtab *t = &rs->rtab;
	const struct ctl_rule_hit *rh;
	struct ctl_table *tb;
	uint32_t i;

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
do_show(struct ctl_ctx *ctx, const struct rules_req *r)
{
	struct ctl_rule_hits *h = NULL;
	struct ctl_ruleset rs;
	int rc = CTL_EXIT_FAIL;

	if (ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	h = rules_hits_read(ctx);
	ctl_txn_warn_shown_gen(ctx, h != NULL && h->valid,
			       h != NULL ? h->applied_gen : 0, rs.generation);
	if (r->json)
		show_json(ctx->out, &rs, h);
	else if (rs.rtab.nb_rules == 0)
		fprintf(ctx->out, "no rules (generation %" PRIu64 ")\n",
			rs.generation);
	else if (show_table(ctx->out, &rs, h) < 0) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
	rc = CTL_EXIT_OK;
out:
	free(h);
	ctl_ruleset_free(&rs);
	return rc;
}

static int
rules_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct ctl_rtab tab;
	struct rules_req r;
	struct ctl_txn t;
	int rc;

	ctl_txn_init(&t, ctx);
	rc = req_from_args(&t, a, &r);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (r.sub == SUB_SHOW)
		return do_show(ctx, &r);
	if (r.sub == SUB_CHECK) {
		rc = rules_compile(&t, &r, &tab);
		ctl_rtab_free(&tab);
		return rc;
	}
	return ctl_txn_run(&t, perform, &r);
}

static const struct ctl_sub rules_subs[] = {
	[SUB_LOAD] = {"load", LOAD_USAGE, {.max = CTL_ARGS_ANY}},
	[SUB_CHECK] = {"check", CHECK_USAGE, {.max = CTL_ARGS_ANY}},
	[SUB_FLUSH] = {"flush", FLUSH_USAGE, {.max = 0}},
	[SUB_SHOW] = {"show", SHOW_USAGE, {.max = 0}},
	{NULL, NULL, {0}},
};

static const struct ctl_opt_choice action_words[] = {
	{"drop", CTL_RULE_DROP},
	{"alert", CTL_RULE_ALERT},
	{"pass", CTL_RULE_PASS},
	{NULL, 0},
};

#define LOAD_CHECK (CTL_SUB(SUB_LOAD) | CTL_SUB(SUB_CHECK))

static const struct ctl_opt rules_opts[] = {
	{.name = "strict",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct rules_req, strict),
	 .subs = LOAD_CHECK},
	{.name = "vars",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct rules_req, vars_file),
	 .subs = LOAD_CHECK},
	{.name = "patterns",
	 .type = CTL_OPT_STRS,
	 .off = offsetof(struct rules_req, patterns),
	 .count_off = CTL_FIELD1(struct rules_req, nb_patterns),
	 .subs = LOAD_CHECK,
	 .max = PATTERNS_MAX,
	 .bad = "more than %M %o files"},
	{.name = "action",
	 .type = CTL_OPT_KEYWORD,
	 .off = offsetof(struct rules_req, action),
	 .seen_off = CTL_FIELD1(struct rules_req, has_action),
	 .subs = LOAD_CHECK,
	 .choices = action_words,
	 .bad = "%o '%a': not drop, alert or pass"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct rules_req, json),
	 .subs = CTL_SUB(SUB_SHOW)},
	{.name = "single-db",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct rules_req, single_db),
	 .subs = LOAD_CHECK},
	{.name = NULL},
};

const struct ctl_cmd ctl_cmd_rules = {
	.name = "rules",
	.summary = "content rules: load (Suricata/Snort, Hyperscan), check, "
		   "flush, show",
	.usage = RULES_USAGE,
	.help_usage = LOAD_USAGE
	"\n"
	"       " CTL_PROG " [GLOBAL OPTIONS] " CHECK_USAGE "\n"
	"       " CTL_PROG " [GLOBAL OPTIONS] " FLUSH_USAGE "\n"
	"       " CTL_PROG " [GLOBAL OPTIONS] " SHOW_USAGE,
	.help = "Content rules: Suricata/Snort rules and Hyperscan pattern\n"
		"files, matched by the dataplane (docs/rules.md).\n"
		"\n"
		"  load     replace the rule set with the rules of the files\n"
		"  check    parse and compile the files; commit nothing\n"
		"  flush    remove every rule\n"
		"  show     the rules in force with their hit counters\n"
		"\n"
		"Options:\n"
		"  --strict          fail when any rule is skipped\n"
		"  --vars FILE       variables (NAME VALUE lines) over those "
		"of\n"
		"                    '" CTL_PROG " vars'\n"
		"  --patterns FILE   a Hyperscan pattern file "
		"(ID:/regex/flags)\n"
		"  --action A        action of the pattern files: drop, alert\n"
		"                    (default) or pass\n"
		"  --single-db       one per-packet database for every packet\n"
		"                    instead of scan groups by protocol and\n"
		"                    port (for comparison; docs/rules.md)\n"
		"  --json            show: machine-readable output\n",
	.run = rules_run,
	.change = rules_change,
	.subs = rules_subs,
	.opts = rules_opts,
	.req_size = sizeof(struct rules_req),
};
