/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl list`: block and allow lists.
 *
 *   list load NAME FILE [--format F] [--action A] [--match M]
 *                       [--skip-invalid]       replace (or create) a list
 *   list add NAME CIDR...                      add prefixes (creates NAME)
 *   list del NAME CIDR...                      remove prefixes
 *   list flush NAME                            remove every prefix
 *   list drop NAME                             remove the list
 *   list show [NAME] [--json]                  lists, or one with entries
 *
 * Each change is one transaction (ctl_txn.h, run.c); `batch` runs several
 * in one. The row of the command is in table.c.
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
#include "ctl_listfile.h"
#include "ctl_lookup.h"
#include "ctl_show.h"
#include "ctl_text.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

#define LIST_USAGE                                                             \
	"list load NAME FILE [--format F] [--action drop|allow] "              \
	"[--match src|dst|any] [--skip-invalid]\n"                             \
	"       list add NAME CIDR... | list del NAME CIDR...\n"               \
	"       list flush NAME | list drop NAME | list show [NAME] [--json]"
#define LOAD_USAGE                                                             \
	"list load NAME FILE [--format F] [--action drop|allow] "              \
	"[--match src|dst|any] [--skip-invalid]"
#define ADD_USAGE   "list add NAME CIDR..."
#define DEL_USAGE   "list del NAME CIDR..."
#define FLUSH_USAGE "list flush NAME"
#define DROP_USAGE  "list drop NAME"
#define SHOW_USAGE  "list show [NAME] [--json]"

/* Prefixes named one by one in the audit summary; more are counted. */
#define NOTE_PREFIXES_MAX 4

enum list_sub { SUB_LOAD, SUB_ADD, SUB_DEL, SUB_FLUSH, SUB_DROP, SUB_SHOW };

/*
 * A parsed `list` command line: the options, then the operands
 * (ctl_cmd_list_prepare()).
 */
struct list_req {
	struct ctl_list_parse_opts popts; /* --format, --skip-invalid */
	uint16_t action, match;
	int has_action, has_match, json;
	enum list_sub sub;
	const char *usage;
	const char *name; /* NULL for show without NAME */
	const char *file;
	struct ctl_prefix_set cidrs; /* add, del: sorted, unique */
};

void
ctl_cmd_list_release(void *req)
{
	struct list_req *r = req;

	ctl_prefix_set_free(&r->cidrs);
}

/*
 * Parse the CIDR arguments into r->cidrs, reporting every bad one and
 * every one with host bits set (cleared, with a warning).
 */
static int
cidrs_parse(const struct ctl_txn *t, struct list_req *r, int n, char **v)
{
	char why[CTL_PREFIX_WHY_LEN], fixed[CTL_PREFIX_STR_LEN];
	struct ctl_prefix p;
	int i, hb, bad = 0;

	for (i = 0; i < n; i++) {
		if (ctl_prefix_parse_why(v[i], strlen(v[i]), &p, &hb, why,
					 sizeof(why)) < 0) {
			ctl_txn_error(t, "%s", why);
			bad++;
			continue;
		}
		if (hb) {
			ctl_prefix_format(&p, fixed, sizeof(fixed));
			ctl_txn_warn(t, "host bits set in '%s', using '%s'",
				     v[i], fixed);
		}
		if (ctl_prefix_set_add(&r->cidrs, &p) < 0) {
			ctl_txn_error(t, "out of memory");
			return CTL_EXIT_FAIL;
		}
	}
	if (bad > 0)
		return CTL_EXIT_USAGE;
	ctl_prefix_set_sort_unique(&r->cidrs);
	return CTL_EXIT_OK;
}

int
ctl_cmd_list_prepare(struct ctl_txn *t, const struct ctl_args *a)
{
	struct list_req *r = a->req;
	char **args = a->argv;

	r->sub = (enum list_sub)a->sub;
	r->usage = a->usage;
	if (!r->has_action)
		r->action = BW_ACTION_DROP;
	if (!r->has_match)
		r->match = BW_MATCH_ANY;
	r->popts.diag = t->ctx->err;
	if (a->argc == 0)
		return CTL_EXIT_OK; /* show */
	if (!ctl_cmd_name_ok(t, a, "list", BW_LIST_NAME_LEN))
		return CTL_EXIT_USAGE;
	r->name = args[0];
	if (r->sub == SUB_LOAD)
		r->file = args[1];
	if (r->sub == SUB_ADD || r->sub == SUB_DEL)
		return cidrs_parse(t, r, a->argc - 1, args + 1);
	return CTL_EXIT_OK;
}

/* " 1.2.3.0/24 5.6.7.8/32" or " 1234 prefixes", for the summary. */
static void
fmt_prefixes(char *buf, size_t len, const struct ctl_prefix_set *s)
{
	char p[CTL_PREFIX_STR_LEN];
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	if (s->n > NOTE_PREFIXES_MAX) {
		snprintf(buf, len, " %zu prefixes", s->n);
		return;
	}
	for (i = 0; i < s->n; i++) {
		ctl_prefix_format(&s->v[i], p, sizeof(p));
		n = snprintf(buf + used, len - used, " %s", p);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

/*
 * Walk a and b (both sorted, unique) side by side, in one pass so that a
 * million-prefix list stays cheap to change: *only_a and *only_b (either
 * may be NULL) count the entries of one set that the other lacks, and
 * out, when not NULL, receives a new array with a + b, or a - b when
 * minus. Returns 0 or -ENOMEM.
 */
static int
set_walk(const struct ctl_prefix_set *a, const struct ctl_prefix_set *b,
	 int minus, struct ctl_prefix_set *out, size_t *only_a, size_t *only_b)
{
	size_t i = 0, j = 0, na = 0, nb = 0;
	const struct ctl_prefix *take;
	int c;

	if (out != NULL) {
		memset(out, 0, sizeof(*out));
		out->cap = a->n + b->n;
		out->v = out->cap > 0 ? malloc(out->cap * sizeof(*out->v))
				      : NULL;
		if (out->cap > 0 && out->v == NULL)
			return -ENOMEM;
	}
	while (i < a->n || j < b->n) {
		c = i == a->n	? 1
		    : j == b->n ? -1
				: ctl_prefix_cmp(&a->v[i], &b->v[j]);
		if (c < 0) {
			take = &a->v[i++];
			na++;
		} else if (c > 0) {
			take = minus ? NULL : &b->v[j];
			j++;
			nb++;
		} else {
			take = minus ? NULL : &a->v[i];
			i++;
			j++;
		}
		if (out != NULL && take != NULL)
			out->v[out->n++] = *take;
	}
	if (only_a != NULL)
		*only_a = na;
	if (only_b != NULL)
		*only_b = nb;
	return 0;
}

/* Create list name in t->cur. Returns it or NULL after reporting. */
static struct ctl_list *
list_create(struct ctl_txn *t, const char *name, uint16_t action,
	    uint16_t match)
{
	struct ctl_list *l = NULL;
	int ret;

	ret = ctl_ruleset_add_list(&t->cur, name, action, match, &l);
	if (ret == -ENOSPC)
		ctl_txn_error(t,
			      "cannot create list '%s': %d lists exist, the "
			      "most one ruleset holds",
			      name, BW_LIST_MAX);
	else if (ret < 0)
		ctl_txn_error(t, "cannot create list '%s': %s", name,
			      strerror(-ret));
	if (ret < 0)
		return NULL;
	t->structural = 1;
	return l;
}

static struct ctl_list *
list_must(struct ctl_txn *t, const char *name)
{
	struct ctl_list *l = ctl_ruleset_find(&t->cur, name);

	if (l == NULL)
		ctl_txn_error(t, "no list '%s'", name);
	return l;
}

static int
do_load(struct ctl_txn *t, const struct ctl_args *a)
{
	struct list_req *r = a->req;
	struct ctl_list_parse_stats st;
	struct ctl_prefix_set set = {0};
	struct ctl_list *l;
	size_t added, removed;
	int ret, created = 0, retyped = 0;

	ret = ctl_list_parse_file(r->file, &r->popts, &set, &st);
	if (ret == -EINVAL) {
		ctl_txn_error(t,
			      "%s: %zu invalid line%s; nothing loaded "
			      "(--skip-invalid loads the valid lines)",
			      r->file, st.invalid, st.invalid == 1 ? "" : "s");
		return CTL_EXIT_FAIL;
	}
	if (ret < 0) {
		/* the parser said why, with the file name */
		ctl_txn_error(t, "%s: nothing loaded", r->file);
		return CTL_EXIT_FAIL;
	}
	if (st.invalid > 0)
		ctl_txn_warn(t, "%s: skipped %zu invalid line%s", r->file,
			     st.invalid, st.invalid == 1 ? "" : "s");
	l = ctl_ruleset_find(&t->cur, r->name);
	if (l == NULL) {
		l = list_create(t, r->name, r->action, r->match);
		if (l == NULL) {
			ctl_prefix_set_free(&set);
			return CTL_EXIT_FAIL;
		}
		created = 1;
	} else if ((r->has_action && r->action != l->action) ||
		   (r->has_match && r->match != l->match)) {
		if (r->has_action)
			l->action = r->action;
		if (r->has_match)
			l->match = r->match;
		t->structural = 1;
		retyped = 1;
	}
	set_walk(&set, &l->set, 0, NULL, &added, &removed);
	ctl_prefix_set_free(&l->set);
	l->set = set;
	if (created || retyped || added || removed)
		ctl_txn_note(t,
			     "list load %s %s%s: %zu IPv4 + %zu IPv6 (+%zu "
			     "-%zu)%s",
			     r->name, r->file,
			     created   ? " (new)"
			     : retyped ? " (re-typed)"
				       : "",
			     st.nb_v4, st.nb_v6, added, removed,
			     st.invalid ? " skipped invalid lines" : "");
	return CTL_EXIT_OK;
}

/*
 * add: put the prefixes in the list, created (drop, any) when missing, and
 * warn about those already there; del: take them out, each of which must
 * be there.
 */
static int
do_add_del(struct ctl_txn *t, const struct ctl_args *a)
{
	const struct list_req *r = a->req;
	char p[CTL_PREFIX_STR_LEN], pfx[256];
	int del = r->sub == SUB_DEL, created = 0;
	size_t i, added = 0, absent = 0;
	struct ctl_prefix_set out;
	struct ctl_list *l;

	l = del ? list_must(t, r->name) : ctl_ruleset_find(&t->cur, r->name);
	if (l == NULL && !del) {
		l = list_create(t, r->name, BW_ACTION_DROP, BW_MATCH_ANY);
		created = 1;
	}
	if (l == NULL)
		return CTL_EXIT_FAIL;
	for (i = 0; i < r->cidrs.n; i++) {
		/* add: report those in the list; del: those not in it */
		if ((ctl_prefix_set_find(&l->set, &r->cidrs.v[i]) >= 0) == del)
			continue;
		ctl_prefix_format(&r->cidrs.v[i], p, sizeof(p));
		if (del)
			ctl_txn_error(t, "'%s' is not in list '%s'", p,
				      r->name);
		else
			ctl_txn_warn(t, "'%s' is already in list '%s'", p,
				     r->name);
		absent += del;
	}
	if (absent > 0)
		return CTL_EXIT_FAIL;
	if (set_walk(&l->set, &r->cidrs, del, &out, NULL, &added) < 0) {
		ctl_txn_error(t, "out of memory");
		if (created)
			ctl_ruleset_del_list(&t->cur, r->name);
		return CTL_EXIT_FAIL;
	}
	ctl_prefix_set_free(&l->set);
	l->set = out;
	if (del || added > 0 || created) {
		fmt_prefixes(pfx, sizeof(pfx), &r->cidrs);
		ctl_txn_note(t, "list %s %s%s%s", del ? "del" : "add", r->name,
			     created ? " (new)" : "", pfx);
	}
	return CTL_EXIT_OK;
}

/* flush: remove every prefix of the list; drop: remove the list. */
static int
do_flush_drop(struct ctl_txn *t, const struct ctl_args *a)
{
	const struct list_req *r = a->req;
	struct ctl_list *l = list_must(t, r->name);
	int drop = r->sub == SUB_DROP;
	size_t n;

	if (l == NULL)
		return CTL_EXIT_FAIL;
	n = l->set.n;
	if (n == 0 && !drop)
		return CTL_EXIT_OK;
	if (drop)
		ctl_ruleset_del_list(&t->cur, r->name);
	else
		ctl_prefix_set_free(&l->set);
	t->structural = 1;
	ctl_txn_note(t, "list %s %s (-%zu)", drop ? "drop" : "flush", r->name,
		     n);
	return CTL_EXIT_OK;
}

/* 1 with the hits of l when the dataplane's slot l->id holds l. */
static int
hits_of(const struct ctl_list_hits *h, const struct ctl_list *l, uint64_t *pkts,
	uint64_t *bytes)
{
	if (!h->valid || l->id >= BW_LIST_SLOTS ||
	    strcmp(h->info[l->id].name, l->name) != 0)
		return 0;
	*pkts = h->pkts[l->id];
	*bytes = h->bytes[l->id];
	return 1;
}

/* list show --json: every list, or one with its entries. */
static int
show_json(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
	  const union ctl_show_hits *hits, const void *one)
{
	const struct ctl_list_hits *h = &hits->lists;
	char p[CTL_PREFIX_STR_LEN];
	struct ctl_json j;
	uint64_t pk, by;
	uint32_t i;
	size_t k;

	ctl_show_json_begin(&j, ctx, rs, hits);
	ctl_json_object_end(&j);
	ctl_json_array_begin(&j, "lists");
	for (i = 0; i < rs->nb_lists; i++) {
		const struct ctl_list *l = &rs->lists[i];

		if (one != NULL && l != one)
			continue;
		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "name", l->name);
		ctl_json_u64(&j, "id", l->id);
		ctl_json_str(&j, "action", ctl_action_name(l->action));
		ctl_json_str(&j, "match", ctl_match_name(l->match));
		ctl_json_u64(&j, "nb_v4",
			     ctl_prefix_set_count(&l->set, CTL_PREFIX_V4));
		ctl_json_u64(&j, "nb_v6",
			     ctl_prefix_set_count(&l->set, CTL_PREFIX_V6));
		if (hits_of(h, l, &pk, &by)) {
			ctl_json_object_begin(&j, "hits");
			ctl_json_u64(&j, "pkts", pk);
			ctl_json_u64(&j, "bytes", by);
			ctl_json_object_end(&j);
		} else {
			ctl_json_null(&j, "hits");
		}
		if (one != NULL) {
			ctl_json_array_begin(&j, "entries");
			for (k = 0; k < l->set.n; k++) {
				ctl_prefix_format(&l->set.v[k], p, sizeof(p));
				ctl_json_str(&j, NULL, p);
			}
			ctl_json_array_end(&j);
		}
		ctl_json_object_end(&j);
	}
	return ctl_show_json_end(&j);
}

static int
show_table(FILE *f, const struct ctl_ruleset *rs, const struct ctl_list_hits *h)
{
	struct ctl_table *tb;
	uint64_t pk, by;
	uint32_t i;

	tb = ctl_table_new(8, rs->nb_lists + 1, "lrllrrrr");
	if (tb == NULL)
		return -ENOMEM;
	ctl_table_header(tb, "NAME", "ID", "ACTION", "MATCH", "IPV4", "IPV6",
			 "HIT-PKTS", "HIT-BYTES", NULL);
	for (i = 0; i < rs->nb_lists; i++) {
		const struct ctl_list *l = &rs->lists[i];

		ctl_table_row(tb);
		ctl_table_cell(tb, "%s", l->name);
		ctl_table_cell(tb, "%" PRIu32, l->id);
		ctl_table_cell(tb, "%s", ctl_action_name(l->action));
		ctl_table_cell(tb, "%s", ctl_match_name(l->match));
		ctl_table_cell(tb, "%zu",
			       ctl_prefix_set_count(&l->set, CTL_PREFIX_V4));
		ctl_table_cell(tb, "%zu",
			       ctl_prefix_set_count(&l->set, CTL_PREFIX_V6));
		if (hits_of(h, l, &pk, &by)) {
			ctl_table_cell(tb, "%" PRIu64, pk);
			ctl_table_cell(tb, "%" PRIu64, by);
		} else {
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
		}
	}
	ctl_table_print(tb, f, 0);
	ctl_table_free(tb);
	return 0;
}

static void
show_one(FILE *f, const struct ctl_list *l, const struct ctl_list_hits *h,
	 uint64_t gen)
{
	char p[CTL_PREFIX_STR_LEN];
	uint64_t pk, by;
	size_t k;

	fprintf(f, "list        %s\n", l->name);
	fprintf(f, "id          %" PRIu32 "\n", l->id);
	fprintf(f, "action      %s\n", ctl_action_name(l->action));
	fprintf(f, "match       %s\n", ctl_match_name(l->match));
	fprintf(f, "entries     %zu IPv4, %zu IPv6\n",
		ctl_prefix_set_count(&l->set, CTL_PREFIX_V4),
		ctl_prefix_set_count(&l->set, CTL_PREFIX_V6));
	if (hits_of(h, l, &pk, &by))
		fprintf(f,
			"hits        %" PRIu64 " packets, %" PRIu64 " bytes\n",
			pk, by);
	else
		fprintf(f, "hits        - (%s)\n",
			h->valid ? "not in the running ruleset"
				 : "dataplane not running");
	fprintf(f, "generation  %" PRIu64 "\n", gen);
	if (l->set.n > 0)
		fputc('\n', f);
	for (k = 0; k < l->set.n; k++) {
		ctl_prefix_format(&l->set.v[k], p, sizeof(p));
		fprintf(f, "%s\n", p);
	}
}

/* list show as text: one list with its entries, or the table of all. */
static int
show_text(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
	  const union ctl_show_hits *hits, const void *one)
{
	if (one != NULL)
		show_one(ctx->out, one, &hits->lists, rs->generation);
	else if (rs->nb_lists == 0)
		fprintf(ctx->out, "no lists (generation %" PRIu64 ")\n",
			rs->generation);
	else
		return show_table(ctx->out, rs, &hits->lists);
	return 0;
}

static int
do_show(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	return ctl_cmd_show(ctx, a, CTL_SHOW_LISTS,
			    CTL_REQ(a, struct list_req)->json ? show_json
							      : show_text);
}

int
ctl_list_format_opt(const char *arg, void *field)
{
	struct ctl_list_parse_opts *o = field;

	return ctl_list_format_parse(arg, &o->format, &o->csv_column);
}

/* The words of --action, --match and --format, for the completion. */
static const struct ctl_opt_choice action_words[] = {
	{"drop", 0}, {"allow", 0}, {NULL, 0}};
static const struct ctl_opt_choice match_words[] = {
	{"src", 0}, {"dst", 0}, {"any", 0}, {NULL, 0}};
const struct ctl_opt_choice ctl_cmd_format_words[] = {
	{"auto", 0}, {"plain", 0}, {"spamhaus", 0}, {"ipsum", 0},
	{"csv", 0},  {"rules", 0}, {NULL, 0}};

static int
action_opt(const char *arg, void *field)
{
	return ctl_action_parse(arg, field);
}

static int
match_opt(const char *arg, void *field)
{
	return ctl_match_parse(arg, field);
}

const char ctl_cmd_list_usage[] = LIST_USAGE;

/* The first operand of every subcommand but show's. */
#define NO_NAME "no list name given"

const struct ctl_sub ctl_cmd_list_subs[] = {
	[SUB_LOAD] =
		{.name = "load",
		 .usage = LOAD_USAGE,
		 .args = {.min = 2,
			  .max = 2,
			  .missing = {NO_NAME, "no file given"}},
		 .perform = do_load,
		 .help = "replace NAME's prefixes with FILE's (creates NAME)"},
	[SUB_ADD] = {.name = "add",
		     .usage = ADD_USAGE,
		     .args = {.min = 2,
			      .max = CTL_ARGS_ANY,
			      .missing = {NO_NAME, "no prefix given"}},
		     .perform = do_add_del,
		     .help = "add prefixes (creates NAME: drop, any); sent as "
			     "a delta"},
	[SUB_DEL] = {.name = "del",
		     .usage = DEL_USAGE,
		     .args = {.min = 2,
			      .max = CTL_ARGS_ANY,
			      .missing = {NO_NAME, "no prefix given"}},
		     .perform = do_add_del,
		     .help = "remove prefixes; each must be in NAME"},
	[SUB_FLUSH] = {.name = "flush",
		       .usage = FLUSH_USAGE,
		       .args = {.min = 1, .max = 1, .missing = {NO_NAME}},
		       .perform = do_flush_drop,
		       .help = "remove every prefix, keep the list"},
	[SUB_DROP] = {.name = "drop",
		      .usage = DROP_USAGE,
		      .args = {.min = 1, .max = 1, .missing = {NO_NAME}},
		      .perform = do_flush_drop,
		      .help = "remove the list"},
	[SUB_SHOW] = {.name = "show",
		      .usage = SHOW_USAGE,
		      .args = {.max = 1},
		      .run = do_show,
		      .help = "lists with sizes and hits (from a running "
			      "dataplane); with NAME also its prefixes"},
	{.name = NULL},
};

const struct ctl_opt ctl_cmd_list_opts[] = {
	{.name = "format",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct list_req, popts),
	 .subs = CTL_SUB(SUB_LOAD),
	 .parse = ctl_list_format_opt,
	 .choices = ctl_cmd_format_words,
	 .bad = "unknown format '%a': auto, plain, spamhaus, ipsum, csv, "
		"csv:N, rules",
	 .value = "F",
	 .help = "auto (default), plain, spamhaus, ipsum, csv, csv:N, rules"},
	{.name = "action",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct list_req, action),
	 .seen_off = CTL_FIELD1(struct list_req, has_action),
	 .subs = CTL_SUB(SUB_LOAD),
	 .parse = action_opt,
	 .choices = action_words,
	 .bad = "unknown action '%a': drop or allow",
	 .value = "A",
	 .help = "drop (block list, default for a new list) or allow"},
	{.name = "match",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct list_req, match),
	 .seen_off = CTL_FIELD1(struct list_req, has_match),
	 .subs = CTL_SUB(SUB_LOAD),
	 .parse = match_opt,
	 .choices = match_words,
	 .bad = "unknown match '%a': src, dst or any",
	 .value = "M",
	 .help = "which address is looked up: src, dst, any (default: "
		 "source or destination)"},
	{.name = "skip-invalid",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct list_req, popts.skip_invalid),
	 .subs = CTL_SUB(SUB_LOAD),
	 .help = "load the valid lines of FILE and count the others; by "
		 "default one bad line loads nothing"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct list_req, json),
	 .subs = CTL_SUB(SUB_SHOW),
	 .help = "JSON output"},
	CTL_OPTS_END(struct list_req),
};
