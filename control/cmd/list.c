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
 * Each change is one transaction (ctl_txn.h); `batch` runs several in one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_commit.h"
#include "ctl_json.h"
#include "ctl_listfile.h"
#include "ctl_lookup.h"
#include "ctl_region.h"
#include "ctl_state.h"
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

/* Seqlock read attempts of the status region's list table. */

enum list_sub { SUB_LOAD, SUB_ADD, SUB_DEL, SUB_FLUSH, SUB_DROP, SUB_SHOW };

/* A parsed `list` command line: the options, then the operands. */
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

static void
req_free(struct list_req *r)
{
	ctl_prefix_set_free(&r->cidrs);
}

/* 1 when name is a valid list name; reports otherwise. */
static int
name_ok(const struct ctl_txn *t, const struct list_req *r, const char *name)
{
	if (bw_image_name_valid(name))
		return 1;
	ctl_txn_usage(t, r->usage,
		      "invalid list name '%s': use 1 to %d characters of "
		      "A-Z a-z 0-9 _ . -",
		      name, BW_LIST_NAME_LEN - 1);
	return 0;
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

/*
 * The request of a parsed command line a into r (its operands checked:
 * names, prefixes). Returns CTL_EXIT_OK, or an exit status after
 * reporting; req_free(r) in both cases.
 */
static int
req_from_args(const struct ctl_txn *t, const struct ctl_args *a,
	      struct list_req *r)
{
	char **args = a->argv;
	int ret;

	*r = *CTL_REQ(a, struct list_req);
	r->sub = (enum list_sub)a->sub;
	r->usage = a->usage;
	if (!r->has_action)
		r->action = BW_ACTION_DROP;
	if (!r->has_match)
		r->match = BW_MATCH_ANY;
	r->popts.diag = t->ctx->err;
	if (a->argc == 0)
		return CTL_EXIT_OK; /* show */
	if (!name_ok(t, r, args[0]))
		return CTL_EXIT_USAGE;
	r->name = args[0];
	if (r->sub == SUB_LOAD)
		r->file = args[1];
	if (r->sub == SUB_ADD || r->sub == SUB_DEL) {
		ret = cidrs_parse(t, r, a->argc - 1, args + 1);
		if (ret != CTL_EXIT_OK)
			return ret;
	}
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
 * out = a + b (both sorted, unique), *added: entries of b not in a.
 * Linear, so that adding to a million-prefix list stays cheap.
 */
static int
set_union(const struct ctl_prefix_set *a, const struct ctl_prefix_set *b,
	  struct ctl_prefix_set *out, size_t *added)
{
	size_t i = 0, j = 0, k = 0;
	int c;

	memset(out, 0, sizeof(*out));
	*added = 0;
	if (a->n + b->n == 0)
		return 0;
	out->v = malloc((a->n + b->n) * sizeof(*out->v));
	if (out->v == NULL)
		return -ENOMEM;
	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = ctl_prefix_cmp(&a->v[i], &b->v[j]);
		if (c <= 0) {
			out->v[k++] = a->v[i++];
			if (c == 0)
				j++;
		} else {
			out->v[k++] = b->v[j++];
			(*added)++;
		}
	}
	out->n = k;
	out->cap = a->n + b->n;
	return 0;
}

/* out = a - b, where every entry of b is in a (both sorted, unique). */
static int
set_minus(const struct ctl_prefix_set *a, const struct ctl_prefix_set *b,
	  struct ctl_prefix_set *out)
{
	size_t i, j = 0, k = 0;

	memset(out, 0, sizeof(*out));
	if (a->n == 0)
		return 0;
	out->v = malloc(a->n * sizeof(*out->v));
	if (out->v == NULL)
		return -ENOMEM;
	for (i = 0; i < a->n; i++) {
		if (j < b->n && ctl_prefix_cmp(&a->v[i], &b->v[j]) == 0) {
			j++;
			continue;
		}
		out->v[k++] = a->v[i];
	}
	out->n = k;
	out->cap = a->n;
	return 0;
}

/* Count of entries of a not in b, both sorted and unique. */
static size_t
set_count_minus(const struct ctl_prefix_set *a, const struct ctl_prefix_set *b)
{
	size_t i = 0, j = 0, n = 0;
	int c;

	while (i < a->n) {
		c = j < b->n ? ctl_prefix_cmp(&a->v[i], &b->v[j]) : -1;
		if (c < 0) {
			n++;
			i++;
		} else if (c == 0) {
			i++;
			j++;
		} else {
			j++;
		}
	}
	return n;
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
do_load(struct ctl_txn *t, struct list_req *r)
{
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
	added = set_count_minus(&set, &l->set);
	removed = set_count_minus(&l->set, &set);
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

static int
do_add(struct ctl_txn *t, struct list_req *r)
{
	char p[CTL_PREFIX_STR_LEN], pfx[256];
	struct ctl_prefix_set out;
	struct ctl_list *l;
	size_t i, added;
	int created = 0;

	l = ctl_ruleset_find(&t->cur, r->name);
	if (l == NULL) {
		l = list_create(t, r->name, BW_ACTION_DROP, BW_MATCH_ANY);
		if (l == NULL)
			return CTL_EXIT_FAIL;
		created = 1;
	}
	for (i = 0; i < r->cidrs.n; i++) {
		if (ctl_prefix_set_find(&l->set, &r->cidrs.v[i]) < 0)
			continue;
		ctl_prefix_format(&r->cidrs.v[i], p, sizeof(p));
		ctl_txn_warn(t, "'%s' is already in list '%s'", p, r->name);
	}
	if (set_union(&l->set, &r->cidrs, &out, &added) < 0) {
		ctl_txn_error(t, "out of memory");
		if (created)
			ctl_ruleset_del_list(&t->cur, r->name);
		return CTL_EXIT_FAIL;
	}
	ctl_prefix_set_free(&l->set);
	l->set = out;
	if (added > 0 || created) {
		fmt_prefixes(pfx, sizeof(pfx), &r->cidrs);
		ctl_txn_note(t, "list add %s%s%s", r->name,
			     created ? " (new)" : "", pfx);
	}
	return CTL_EXIT_OK;
}

static int
do_del(struct ctl_txn *t, struct list_req *r)
{
	char p[CTL_PREFIX_STR_LEN], pfx[256];
	struct ctl_prefix_set out;
	struct ctl_list *l;
	size_t i, absent = 0;

	l = list_must(t, r->name);
	if (l == NULL)
		return CTL_EXIT_FAIL;
	for (i = 0; i < r->cidrs.n; i++) {
		if (ctl_prefix_set_find(&l->set, &r->cidrs.v[i]) >= 0)
			continue;
		ctl_prefix_format(&r->cidrs.v[i], p, sizeof(p));
		ctl_txn_error(t, "'%s' is not in list '%s'", p, r->name);
		absent++;
	}
	if (absent > 0)
		return CTL_EXIT_FAIL;
	if (set_minus(&l->set, &r->cidrs, &out) < 0) {
		ctl_txn_error(t, "out of memory");
		return CTL_EXIT_FAIL;
	}
	ctl_prefix_set_free(&l->set);
	l->set = out;
	fmt_prefixes(pfx, sizeof(pfx), &r->cidrs);
	ctl_txn_note(t, "list del %s%s", r->name, pfx);
	return CTL_EXIT_OK;
}

static int
do_flush(struct ctl_txn *t, struct list_req *r)
{
	struct ctl_list *l = list_must(t, r->name);
	size_t n;

	if (l == NULL)
		return CTL_EXIT_FAIL;
	n = l->set.n;
	if (n == 0)
		return CTL_EXIT_OK;
	ctl_prefix_set_free(&l->set);
	t->structural = 1;
	ctl_txn_note(t, "list flush %s (-%zu)", r->name, n);
	return CTL_EXIT_OK;
}

static int
do_drop(struct ctl_txn *t, struct list_req *r)
{
	struct ctl_list *l = list_must(t, r->name);
	size_t n;

	if (l == NULL)
		return CTL_EXIT_FAIL;
	n = l->set.n;
	ctl_ruleset_del_list(&t->cur, r->name);
	t->structural = 1;
	ctl_txn_note(t, "list drop %s (-%zu)", r->name, n);
	return CTL_EXIT_OK;
}

static int
perform(struct ctl_txn *t, void *req)
{
	struct list_req *r = req;
	switch (r->sub) {
	case SUB_LOAD:
		return do_load(t, r);
	case SUB_ADD:
		return do_add(t, r);
	case SUB_DEL:
		return do_del(t, r);
	case SUB_FLUSH:
		return do_flush(t, r);
	case SUB_DROP:
		return do_drop(t, r);
	case SUB_SHOW:
		break;
	}
	ctl_txn_error(t, "'list show' is not a change");
	return CTL_EXIT_USAGE;
}

static int
list_change(struct ctl_txn *t, const struct ctl_args *a)
{
	struct list_req r;
	int rc;

	rc = req_from_args(t, a, &r);
	if (rc == CTL_EXIT_OK && r.sub == SUB_SHOW) {
		ctl_txn_error(t, "'list show' is not a change: a batch holds "
				 "list load/add/del/flush/drop and rollback");
		rc = CTL_EXIT_USAGE;
	}
	if (rc == CTL_EXIT_OK)
		rc = perform(t, &r);
	req_free(&r);
	return rc;
}

/*
 * Hits of the lists of a running dataplane (h->valid stays 0 when none
 * runs or its region cannot be read).
 */
static void
hits_read(const struct ctl_ctx *ctx, struct ctl_list_hits *h)
{
	struct ctl_region r;
	enum ctl_verdict v;

	memset(h, 0, sizeof(*h));
	if (ctl_region_open(&r, ctx->instance) != 0)
		return;
	v = ctl_region_liveness(&r, ctl_now_mono_ns());
	if (v == CTL_VERDICT_RUNNING || v == CTL_VERDICT_NOT_RESPONDING ||
	    v == CTL_VERDICT_STARTING || v == CTL_VERDICT_STOPPING)
		ctl_region_list_hits(&r, h);
	ctl_region_close(&r);
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

static void
show_json(FILE *f, const struct ctl_ctx *ctx, const struct ctl_ruleset *rs,
	  const struct ctl_list_hits *h, const struct ctl_list *one)
{
	char p[CTL_PREFIX_STR_LEN];
	struct ctl_json j;
	uint64_t pk, by;
	uint32_t i;
	size_t k;

	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_u64(&j, "generation", rs->generation);
	ctl_json_str(&j, "state_dir", ctx->state_dir);
	ctl_json_object_begin(&j, "dataplane");
	ctl_json_bool(&j, "running", h->valid != 0);
	if (h->valid)
		ctl_json_u64(&j, "applied_gen", h->applied_gen);
	else
		ctl_json_null(&j, "applied_gen");
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
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', f);
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

static int
do_show(struct ctl_ctx *ctx, const struct list_req *r)
{
	const struct ctl_list *one = NULL;
	struct ctl_ruleset rs;
	struct ctl_list_hits *h;
	int rc = CTL_EXIT_FAIL;

	if (ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	h = malloc(sizeof(*h));
	if (h == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
	if (r->name != NULL) {
		one = ctl_ruleset_find(&rs, r->name);
		if (one == NULL) {
			fprintf(ctx->err, CTL_PROG ": no list '%s'\n", r->name);
			goto out;
		}
	}
	hits_read(ctx, h);
	ctl_txn_warn_shown_gen(ctx, h->valid, h->applied_gen, rs.generation);
	if (r->json)
		show_json(ctx->out, ctx, &rs, h, one);
	else if (one != NULL)
		show_one(ctx->out, one, h, rs.generation);
	else if (rs.nb_lists == 0)
		fprintf(ctx->out, "no lists (generation %" PRIu64 ")\n",
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
list_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct list_req r;
	struct ctl_txn t;
	int rc;

	ctl_txn_init(&t, ctx);
	rc = req_from_args(&t, a, &r);
	if (rc != CTL_EXIT_OK)
		goto out;
	if (r.sub == SUB_SHOW) {
		rc = do_show(ctx, &r);
		goto out;
	}
	rc = ctl_txn_run(&t, perform, &r);
out:
	req_free(&r);
	return rc;
}

int
ctl_list_format_opt(const char *arg, void *field)
{
	struct ctl_list_parse_opts *o = field;

	return ctl_list_format_parse(arg, &o->format, &o->csv_column);
}

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

static const struct ctl_sub list_subs[] = {
	[SUB_LOAD] = {"load",
		      LOAD_USAGE,
		      {.min = 2,
		       .max = 2,
		       .missing = {"no list name given", "no file given"}}},
	[SUB_ADD] = {"add",
		     ADD_USAGE,
		     {.min = 2,
		      .max = CTL_ARGS_ANY,
		      .missing = {"no list name given", "no prefix given"}}},
	[SUB_DEL] = {"del",
		     DEL_USAGE,
		     {.min = 2,
		      .max = CTL_ARGS_ANY,
		      .missing = {"no list name given", "no prefix given"}}},
	[SUB_FLUSH] = {"flush",
		       FLUSH_USAGE,
		       {.min = 1, .max = 1, .missing = {"no list name given"}}},
	[SUB_DROP] = {"drop",
		      DROP_USAGE,
		      {.min = 1, .max = 1, .missing = {"no list name given"}}},
	[SUB_SHOW] = {"show", SHOW_USAGE, {.max = 1}},
	{NULL, NULL, {0}},
};

static const struct ctl_opt list_opts[] = {
	{.name = "format",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct list_req, popts),
	 .subs = CTL_SUB(SUB_LOAD),
	 .parse = ctl_list_format_opt,
	 .bad = "unknown format '%a': auto, plain, spamhaus, ipsum, csv, "
		"csv:N, rules"},
	{.name = "action",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct list_req, action),
	 .seen_off = CTL_FIELD1(struct list_req, has_action),
	 .subs = CTL_SUB(SUB_LOAD),
	 .parse = action_opt,
	 .bad = "unknown action '%a': drop or allow"},
	{.name = "match",
	 .type = CTL_OPT_PARSE,
	 .off = offsetof(struct list_req, match),
	 .seen_off = CTL_FIELD1(struct list_req, has_match),
	 .subs = CTL_SUB(SUB_LOAD),
	 .parse = match_opt,
	 .bad = "unknown match '%a': src, dst or any"},
	{.name = "skip-invalid",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct list_req, popts.skip_invalid),
	 .subs = CTL_SUB(SUB_LOAD)},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct list_req, json),
	 .subs = CTL_SUB(SUB_SHOW)},
	{.name = NULL},
};

/* The apply timeout in whole seconds, for the help text. */
#define TIMEOUT_S 30
_Static_assert(TIMEOUT_S * 1000 == CTL_COMMIT_TIMEOUT_MS,
	       "the help text says TIMEOUT_S");

const struct ctl_cmd ctl_cmd_list = {
	.name = "list",
	.summary = "block and allow lists: load, add, del, flush, drop, show",
	.usage = LIST_USAGE,
	.help = "Block and allow lists of prefixes. Each change is one "
		"atomic commit: a new\n"
		"generation applied to the running dataplane, or staged in "
		"the state\n"
		"directory when it is not running. An address matches a "
		"list when one of its\n"
		"prefixes contains it; allow lists win over block lists.\n"
		"\n"
		"  load NAME FILE   replace NAME's prefixes with FILE's "
		"(creates NAME)\n"
		"    --format F       auto (default), plain, spamhaus, ipsum, "
		"csv, csv:N, rules\n"
		"    --action A       drop (block list, default for a new "
		"list) or allow\n"
		"    --match M        which address is looked up: src, dst, "
		"any (default:\n"
		"                     source or destination)\n"
		"    --skip-invalid   load the valid lines of FILE and count "
		"the others;\n"
		"                     by default one bad line loads nothing\n"
		"  add NAME CIDR... add prefixes (creates NAME: drop, any); "
		"sent as a delta\n"
		"  del NAME CIDR... remove prefixes; each must be in NAME\n"
		"  flush NAME       remove every prefix, keep the list\n"
		"  drop NAME        remove the list\n"
		"  show [NAME]      lists with sizes and hits (from a "
		"running dataplane);\n"
		"                   with NAME also its prefixes; --json for "
		"JSON\n"
		"\n"
		"Prefix changes (add, del, load of an existing list) reach "
		"the dataplane as a\n"
		"delta when there are at most " CTL_STR(
			CTL_TXN_DELTA_MAX) "; creating, dropping, "
					   "flushing or re-typing\n"
					   "a list sends the full ruleset. An "
					   "apply waits up to " CTL_STR(
						   TIMEOUT_S) " s "
							      "for the "
							      "dataplane\n"
							      "("
							      "$" CTL_COMMIT_TIMEOUT_ENV
							      " seconds). "
							      "Every "
							      "generation is "
							      "kept in the "
							      "state "
							      "directory\n"
							      "with an audit "
							      "line (the "
							      "newest " CTL_STR(
								      CTL_STATE_KEEP) " images; see 'history', "
										      "'rollback').\n",
	.run = list_run,
	.change = list_change,
	.subs = list_subs,
	.opts = list_opts,
	.req_size = sizeof(struct list_req),
};
