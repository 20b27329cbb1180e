/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl bpf`: operator eBPF programs (include/bw_bpf.h,
 * docs/bpf.md).
 *
 *   bpf load NAME OBJECT.o [--section SEC] [--order N]   add or replace
 *   bpf unload NAME                                      remove
 *   bpf show [NAME] [--json]                             programs, counters
 *
 * load reads the object with libbpf and verifies the program with rte_bpf
 * before anything is committed (ctl_bpfobj.h). Each change is one
 * transaction (ctl_txn.h) and always a FULL image: programs never travel
 * in a delta. `batch` runs several changes in one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_bpfobj.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_region.h"
#include "ctl_state.h"
#include "ctl_text.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

#define BPF_USAGE                                                              \
	"bpf load NAME OBJECT.o [--section SEC] [--order N]\n"                 \
	"       bpf unload NAME | bpf show [NAME] [--json]"
#define LOAD_USAGE   "bpf load NAME OBJECT.o [--section SEC] [--order N]"
#define UNLOAD_USAGE "bpf unload NAME"
#define SHOW_USAGE   "bpf show [NAME] [--json]"

enum bpf_sub { SUB_LOAD, SUB_UNLOAD, SUB_SHOW };

/* A parsed `bpf` command line: the options, then the operands. */
struct bpf_req {
	const char *section; /* NULL: the object's only program */
	uint64_t order;	     /* 0 .. UINT32_MAX */
	int has_order, json;
	enum bpf_sub sub;
	const char *usage;
	const char *name; /* NULL for show without NAME */
	const char *file;
};

/* 1 when name is a valid program name; reports otherwise. */
static int
name_ok(const struct ctl_txn *t, const struct bpf_req *r, const char *name)
{
	if (bw_image_name_valid(name))
		return 1;
	ctl_txn_usage(t, r->usage,
		      "invalid program name '%s': use 1 to %d characters of "
		      "A-Z a-z 0-9 _ . -",
		      name, BW_BPF_NAME_LEN - 1);
	return 0;
}

/*
 * The request of a parsed command line a into r (names checked). Returns
 * CTL_EXIT_OK, or CTL_EXIT_USAGE after reporting.
 */
static int
req_from_args(const struct ctl_txn *t, const struct ctl_args *a,
	      struct bpf_req *r)
{
	*r = *CTL_REQ(a, struct bpf_req);
	r->sub = (enum bpf_sub)a->sub;
	r->usage = a->usage;
	if (a->argc == 0)
		return CTL_EXIT_OK; /* show */
	if (!name_ok(t, r, a->argv[0]))
		return CTL_EXIT_USAGE;
	r->name = a->argv[0];
	if (r->sub == SUB_LOAD)
		r->file = a->argv[1];
	return CTL_EXIT_OK;
}

static int
do_load(struct ctl_txn *t, const struct bpf_req *r)
{
	char why[CTL_BPFOBJ_WHY_LEN];
	struct ctl_bpfobj_prog op;
	uint32_t order = (uint32_t)r->order;
	const struct ctl_prog *old;
	struct ctl_prog *now;
	uint32_t old_order = 0, old_crc = 0, old_nb = 0;
	int ret, existed;

	ret = ctl_bpfobj_load(r->file, r->section, &op, why, sizeof(why));
	if (ret < 0) {
		ctl_txn_error(t, "%s; nothing committed", why);
		return CTL_EXIT_FAIL;
	}
	old = ctl_ruleset_find_prog(&t->cur, r->name);
	existed = old != NULL;
	if (existed) {
		old_order = old->order;
		old_crc = ctl_prog_crc(old);
		old_nb = old->nb_insns;
	}
	ret = ctl_ruleset_put_prog(&t->cur, r->name, op.insns, op.nb_insns,
				   r->has_order ? &order : NULL);
	if (ret == -ENOSPC)
		ctl_txn_error(t,
			      "cannot load program '%s': %d programs exist, "
			      "the most one ruleset holds",
			      r->name, BW_BPF_MAX);
	else if (ret == -ERANGE)
		ctl_txn_error(t,
			      "cannot load program '%s': no room for it "
			      "after order %" PRIu32 " (give --order)",
			      r->name, t->cur.progs[t->cur.nb_progs - 1].order);
	else if (ret < 0)
		ctl_txn_error(t, "cannot load program '%s': %s", r->name,
			      strerror(-ret));
	if (ret < 0) {
		ctl_bpfobj_prog_free(&op);
		return CTL_EXIT_FAIL;
	}
	now = ctl_ruleset_find_prog(&t->cur, r->name);
	if (!existed || old_order != now->order || old_nb != now->nb_insns ||
	    old_crc != ctl_prog_crc(now)) {
		t->structural = 1;
		ctl_txn_note(t,
			     "bpf load %s %s section %s: %" PRIu32
			     " insns, order %" PRIu32 "%s",
			     r->name, r->file, op.section, op.nb_insns,
			     now->order, existed ? " (replaced)" : " (new)");
	}
	ctl_bpfobj_prog_free(&op);
	return CTL_EXIT_OK;
}

static int
do_unload(struct ctl_txn *t, const struct bpf_req *r)
{
	if (ctl_ruleset_del_prog(&t->cur, r->name) < 0) {
		ctl_txn_error(t, "no program '%s'", r->name);
		return CTL_EXIT_FAIL;
	}
	t->structural = 1;
	ctl_txn_note(t, "bpf unload %s", r->name);
	return CTL_EXIT_OK;
}

static int
perform(struct ctl_txn *t, void *req)
{
	const struct bpf_req *r = req;
	switch (r->sub) {
	case SUB_LOAD:
		return do_load(t, r);
	case SUB_UNLOAD:
		return do_unload(t, r);
	case SUB_SHOW:
		break;
	}
	ctl_txn_error(t, "'bpf show' is not a change");
	return CTL_EXIT_USAGE;
}

static int
bpf_change(struct ctl_txn *t, const struct ctl_args *a)
{
	struct bpf_req r;
	int rc;

	rc = req_from_args(t, a, &r);
	if (rc == CTL_EXIT_OK && r.sub == SUB_SHOW) {
		ctl_txn_error(t, "'bpf show' is not a change: a batch holds "
				 "list and bpf changes and rollback");
		rc = CTL_EXIT_USAGE;
	}
	if (rc == CTL_EXIT_OK)
		rc = perform(t, &r);
	return rc;
}

/*
 * Counters of the programs of a running dataplane (h->valid stays 0 when
 * none runs or its region cannot be read).
 */
static void
hits_read(const struct ctl_ctx *ctx, struct ctl_bpf_hits *h)
{
	struct ctl_region r;
	enum ctl_verdict v;

	memset(h, 0, sizeof(*h));
	if (ctl_region_open(&r, ctx->instance) != 0)
		return;
	v = ctl_region_liveness(&r, ctl_now_mono_ns());
	if (v == CTL_VERDICT_RUNNING || v == CTL_VERDICT_NOT_RESPONDING ||
	    v == CTL_VERDICT_STARTING || v == CTL_VERDICT_STOPPING)
		ctl_region_bpf_hits(&r, h);
	ctl_region_close(&r);
}

/* The running slot of p (same name and code), or -1. */
static int
slot_of(const struct ctl_bpf_hits *h, const struct ctl_prog *p)
{
	uint32_t s, crc;

	if (!h->valid)
		return -1;
	crc = ctl_prog_crc(p);
	for (s = 0; s < BW_BPF_SLOTS; s++) {
		const struct bw_bpf_info *in = &h->info[s];

		if (strcmp(in->name, p->name) == 0 && in->crc32c == crc &&
		    in->nb_insns == p->nb_insns)
			return (int)s;
	}
	return -1;
}

static double
per_run(const struct bw_bpf_stats *s)
{
	return s->runs != 0 ? (double)s->busy_tsc / (double)s->runs : 0.0;
}

static void
show_json(FILE *f, const struct ctl_ctx *ctx, const struct ctl_ruleset *rs,
	  const struct ctl_bpf_hits *h, const struct ctl_prog *one)
{
	char crc[16];
	struct ctl_json j;
	uint32_t i;
	int s;

	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_u64(&j, "generation", rs->generation);
	ctl_json_str(&j, "state_dir", ctx->state_dir);
	ctl_json_object_begin(&j, "dataplane");
	ctl_json_bool(&j, "running", h->valid != 0);
	if (h->valid) {
		ctl_json_u64(&j, "applied_gen", h->applied_gen);
		ctl_json_bool(&j, "jit_enabled", h->jit != 0);
	} else {
		ctl_json_null(&j, "applied_gen");
		ctl_json_null(&j, "jit_enabled");
	}
	ctl_json_object_end(&j);
	ctl_json_array_begin(&j, "programs");
	for (i = 0; i < rs->nb_progs; i++) {
		const struct ctl_prog *p = &rs->progs[i];

		if (one != NULL && p != one)
			continue;
		snprintf(crc, sizeof(crc), "%08" PRIx32, ctl_prog_crc(p));
		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "name", p->name);
		ctl_json_u64(&j, "order", p->order);
		ctl_json_u64(&j, "nb_insns", p->nb_insns);
		ctl_json_str(&j, "crc32c", crc);
		s = slot_of(h, p);
		if (s >= 0) {
			const struct bw_bpf_stats *st = &h->sum[s];

			ctl_json_object_begin(&j, "running");
			ctl_json_bool(&j, "jit", h->info[s].jit != 0);
			ctl_json_u64(&j, "since_gen", h->info[s].since_gen);
			ctl_json_u64(&j, "runs", st->runs);
			ctl_json_u64(&j, "drops", st->drops);
			ctl_json_u64(&j, "passes", st->passes);
			ctl_json_u64(&j, "errors", st->errors);
			ctl_json_u64(&j, "busy_tsc", st->busy_tsc);
			ctl_json_double(&j, "cycles_per_run", per_run(st), 1);
			ctl_json_object_end(&j);
		} else {
			ctl_json_null(&j, "running");
		}
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', f);
}

static int
show_table(FILE *f, const struct ctl_ruleset *rs, const struct ctl_bpf_hits *h,
	   const struct ctl_prog *one)
{
	struct ctl_table *tb;
	uint32_t i;
	int s;

	tb = ctl_table_new(10, rs->nb_progs + 1, "lrrllrrrrr");
	if (tb == NULL)
		return -ENOMEM;
	ctl_table_header(tb, "NAME", "ORDER", "INSNS", "CRC32C", "JIT", "RUNS",
			 "DROPS", "PASSES", "ERRORS", "CYCLES/RUN", NULL);
	for (i = 0; i < rs->nb_progs; i++) {
		const struct ctl_prog *p = &rs->progs[i];

		if (one != NULL && p != one)
			continue;
		ctl_table_row(tb);
		ctl_table_cell(tb, "%s", p->name);
		ctl_table_cell(tb, "%" PRIu32, p->order);
		ctl_table_cell(tb, "%" PRIu32, p->nb_insns);
		ctl_table_cell(tb, "%08" PRIx32, ctl_prog_crc(p));
		s = slot_of(h, p);
		if (s < 0) {
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
			ctl_table_cell(tb, "-");
			continue;
		}
		ctl_table_cell(tb, "%s", h->info[s].jit ? "yes" : "no");
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].runs);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].drops);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].passes);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].errors);
		ctl_table_cell(tb, "%.1f", per_run(&h->sum[s]));
	}
	ctl_table_print(tb, f, 0);
	ctl_table_free(tb);
	return 0;
}

static int
do_show(struct ctl_ctx *ctx, const struct bpf_req *r)
{
	const struct ctl_prog *one = NULL;
	struct ctl_bpf_hits *h;
	struct ctl_ruleset rs;
	int rc = CTL_EXIT_FAIL;

	if (ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	h = malloc(sizeof(*h));
	if (h == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
	if (r->name != NULL) {
		one = ctl_ruleset_find_prog(&rs, r->name);
		if (one == NULL) {
			fprintf(ctx->err, CTL_PROG ": no program '%s'\n",
				r->name);
			goto out;
		}
	}
	hits_read(ctx, h);
	ctl_txn_warn_shown_gen(ctx, h->valid, h->applied_gen, rs.generation);
	if (r->json)
		show_json(ctx->out, ctx, &rs, h, one);
	else if (rs.nb_progs == 0)
		fprintf(ctx->out, "no programs (generation %" PRIu64 ")\n",
			rs.generation);
	else if (show_table(ctx->out, &rs, h, one) < 0) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
	if (!r->json && h->valid && !h->jit && rs.nb_progs > 0)
		fprintf(ctx->out, "(the dataplane runs programs in the "
				  "interpreter: --bpf-no-jit)\n");
	rc = CTL_EXIT_OK;
out:
	free(h);
	ctl_ruleset_free(&rs);
	return rc;
}

static int
bpf_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct bpf_req r;
	struct ctl_txn t;
	int rc;

	ctl_txn_init(&t, ctx);
	rc = req_from_args(&t, a, &r);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (r.sub == SUB_SHOW)
		return do_show(ctx, &r);
	return ctl_txn_run(&t, perform, &r);
}

static const struct ctl_sub bpf_subs[] = {
	[SUB_LOAD] = {"load",
		      LOAD_USAGE,
		      {.min = 2,
		       .max = 2,
		       .missing = {"no program name given",
				   "no object file given"}}},
	[SUB_UNLOAD] = {"unload",
			UNLOAD_USAGE,
			{.min = 1,
			 .max = 1,
			 .missing = {"no program name given"}}},
	[SUB_SHOW] = {"show", SHOW_USAGE, {.max = 1}},
	{NULL, NULL, {0}},
};

static const struct ctl_opt bpf_opts[] = {
	{.name = "section",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct bpf_req, section),
	 .subs = CTL_SUB(SUB_LOAD),
	 .min = 1,
	 .bad = "empty section name"},
	{.name = "order",
	 .type = CTL_OPT_UINT,
	 .off = offsetof(struct bpf_req, order),
	 .seen_off = CTL_FIELD1(struct bpf_req, has_order),
	 .subs = CTL_SUB(SUB_LOAD),
	 .min = 0,
	 .max = UINT32_MAX,
	 .bad = "%o '%a': not a number in %m..%M"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct bpf_req, json),
	 .subs = CTL_SUB(SUB_SHOW)},
	{.name = NULL},
};

const struct ctl_cmd ctl_cmd_bpf = {
	.name = "bpf",
	.summary = "eBPF programs: load (verified first), unload, show",
	.usage = BPF_USAGE,
	.help = "Operator eBPF programs, run by the dataplane after the block "
		"lists and\n"
		"before content rules, in ascending order, on every packet "
		"no earlier\n"
		"stage decided. A program returns continue (0), pass (1) or "
		"drop (2);\n"
		"include/bw_bpf.h is its ABI, docs/bpf.md the guide. Each "
		"change is one\n"
		"atomic commit of the whole ruleset (a new generation), "
		"staged in the\n"
		"state directory when the dataplane is not running.\n"
		"\n"
		"  load NAME OBJECT.o  add program NAME, or replace its code, "
		"from an ELF\n"
		"                      object built with clang -O2 -target "
		"bpf; it is\n"
		"                      verified (rte_bpf) before anything is "
		"committed\n"
		"    --section SEC       the object's program to take "
		"(default: its only\n"
		"                        one)\n"
		"    --order N           run position, 0 to 4294967295, "
		"lower first\n"
		"                        (default: a replaced program keeps "
		"its own, a\n"
		"                        new one goes " CTL_STR(
			CTL_PROG_ORDER_STEP) " after the last); "
					     "programs at N\n"
					     "                        and "
					     "after move one down to make "
					     "room\n"
					     "  unload NAME         remove the "
					     "program\n"
					     "  show [NAME]         programs "
					     "with order, size, CRC32C and, "
					     "from a\n"
					     "                      running "
					     "dataplane, JIT or interpreter, "
					     "runs, drops,\n"
					     "                      passes, "
					     "errors, cycles per run; --json "
					     "for JSON\n"
					     "\n"
					     "At most " CTL_STR(
						     BW_BPF_MAX) " programs of "
								 "at "
								 "most"
								 " " CTL_STR(
									 BW_BPF_INSNS_MAX) " instructions; no maps, no "
											   "global data,\n"
											   "no loops, no kernel helpers (docs/bpf.md says why).\n",
	.run = bpf_run,
	.change = bpf_change,
	.subs = bpf_subs,
	.opts = bpf_opts,
	.req_size = sizeof(struct bpf_req),
};
