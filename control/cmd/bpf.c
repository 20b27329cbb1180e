/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl bpf`: operator eBPF programs (include/bw_bpf.h,
 * docs/bpf.md).
 *
 *   bpf load NAME OBJECT.o [--section SEC] [--order N]   add or replace
 *            [--on-fault drop|continue]
 *   bpf unload NAME                                      remove
 *   bpf show [NAME] [--json]                             programs, counters
 *
 * load reads the object with libbpf and verifies the program with rte_bpf
 * before anything is committed (ctl_bpfobj.h). Each change is one
 * transaction (ctl_txn.h, run.c) and always a FULL image: programs never
 * travel in a delta. `batch` runs several changes in one. The row of the
 * command is in table.c.
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
#include "ctl_show.h"
#include "ctl_text.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

#define BPF_USAGE                                                              \
	"bpf load NAME OBJECT.o [--section SEC] [--order N]\n"                 \
	"                [--on-fault drop|continue]\n"                         \
	"       bpf unload NAME | bpf show [NAME] [--json]"
#define LOAD_USAGE                                                             \
	"bpf load NAME OBJECT.o [--section SEC] [--order N] "                  \
	"[--on-fault drop|continue]"
#define UNLOAD_USAGE "bpf unload NAME"
#define SHOW_USAGE   "bpf show [NAME] [--json]"

/* The gap a new program leaves after the last, for the help text. */
#define ORDER_STEP CTL_STR(CTL_PROG_ORDER_STEP)

enum bpf_sub { SUB_LOAD, SUB_UNLOAD, SUB_SHOW };

/* A parsed `bpf` command line: the options, then the operands. */
struct bpf_req {
	const char *section; /* NULL: the object's only program */
	uint64_t order;	     /* 0 .. UINT32_MAX */
	int has_order, json;
	int on_fault, has_on_fault; /* BW_IMAGE_BPF_ON_FAULT_* */
	enum bpf_sub sub;
	const char *usage;
	const char *name; /* NULL for show without NAME */
	const char *file;
};

int
ctl_cmd_bpf_prepare(struct ctl_txn *t, const struct ctl_args *a)
{
	struct bpf_req *r = a->req;

	r->sub = (enum bpf_sub)a->sub;
	r->usage = a->usage;
	if (a->argc == 0)
		return CTL_EXIT_OK; /* show */
	if (!ctl_cmd_name_ok(t, a, "program", BW_BPF_NAME_LEN))
		return CTL_EXIT_USAGE;
	r->name = a->argv[0];
	if (r->sub == SUB_LOAD)
		r->file = a->argv[1];
	return CTL_EXIT_OK;
}

static const struct ctl_opt_choice fault_words[] = {
	{"drop", BW_IMAGE_BPF_ON_FAULT_DROP},
	{"continue", BW_IMAGE_BPF_ON_FAULT_CONTINUE},
	{NULL, 0},
};

static const char *
fault_word(uint32_t on_fault)
{
	return on_fault == BW_IMAGE_BPF_ON_FAULT_CONTINUE ? "continue" : "drop";
}

static int
do_load(struct ctl_txn *t, const struct ctl_args *a)
{
	const struct bpf_req *r = a->req;
	char why[CTL_BPFOBJ_WHY_LEN];
	struct ctl_bpfobj_prog op;
	uint32_t order = (uint32_t)r->order;
	const struct ctl_prog *old;
	struct ctl_prog *now;
	uint32_t old_order = 0, old_crc = 0, old_nb = 0, old_fault = 0;
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
		old_fault = old->on_fault;
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
	/* a replaced program keeps its policy unless one is given */
	now->on_fault = r->has_on_fault ? (uint32_t)r->on_fault
			: existed	? old_fault
					: BW_IMAGE_BPF_ON_FAULT_DROP;
	if (!existed || old_order != now->order || old_nb != now->nb_insns ||
	    old_crc != ctl_prog_crc(now) || old_fault != now->on_fault) {
		t->structural = 1;
		ctl_txn_note(t,
			     "bpf load %s %s section %s: %" PRIu32
			     " insns, order %" PRIu32 ", on fault %s%s",
			     r->name, r->file, op.section, op.nb_insns,
			     now->order, fault_word(now->on_fault),
			     existed ? " (replaced)" : " (new)");
	}
	ctl_bpfobj_prog_free(&op);
	return CTL_EXIT_OK;
}

static int
do_unload(struct ctl_txn *t, const struct ctl_args *a)
{
	const struct bpf_req *r = a->req;

	if (ctl_ruleset_del_prog(&t->cur, r->name) < 0) {
		ctl_txn_error(t, "no program '%s'", r->name);
		return CTL_EXIT_FAIL;
	}
	t->structural = 1;
	ctl_txn_note(t, "bpf unload %s", r->name);
	return CTL_EXIT_OK;
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

/* bpf show --json: every program, or one. */
static int
show_json(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
	  const union ctl_show_hits *hits, const void *one)
{
	const struct ctl_bpf_hits *h = &hits->progs;
	char crc[16];
	struct ctl_json j;
	uint32_t i;
	int s;

	ctl_show_json_begin(&j, ctx, rs, hits);
	if (h->valid)
		ctl_json_bool(&j, "jit_enabled", h->jit != 0);
	else
		ctl_json_null(&j, "jit_enabled");
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
		ctl_json_str(&j, "on_fault", fault_word(p->on_fault));
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
			ctl_json_u64(&j, "faults", st->faults);
			ctl_json_u64(&j, "busy_tsc", st->busy_tsc);
			ctl_json_double(&j, "cycles_per_run", per_run(st), 1);
			ctl_json_object_end(&j);
		} else {
			ctl_json_null(&j, "running");
		}
		ctl_json_object_end(&j);
	}
	return ctl_show_json_end(&j);
}

static int
show_table(FILE *f, const struct ctl_ruleset *rs, const struct ctl_bpf_hits *h,
	   const struct ctl_prog *one)
{
	struct ctl_table *tb;
	uint32_t i;
	int s, k;

	tb = ctl_table_new(12, rs->nb_progs + 1, "lrrlllrrrrrr");
	if (tb == NULL)
		return -ENOMEM;
	ctl_table_header(tb, "NAME", "ORDER", "INSNS", "CRC32C", "ON-FAULT",
			 "JIT", "RUNS", "DROPS", "PASSES", "ERRORS", "FAULTS",
			 "CYCLES/RUN", NULL);
	for (i = 0; i < rs->nb_progs; i++) {
		const struct ctl_prog *p = &rs->progs[i];

		if (one != NULL && p != one)
			continue;
		ctl_table_row(tb);
		ctl_table_cell(tb, "%s", p->name);
		ctl_table_cell(tb, "%" PRIu32, p->order);
		ctl_table_cell(tb, "%" PRIu32, p->nb_insns);
		ctl_table_cell(tb, "%08" PRIx32, ctl_prog_crc(p));
		ctl_table_cell(tb, "%s", fault_word(p->on_fault));
		s = slot_of(h, p);
		if (s < 0) {
			/* not running: none of the seven columns after it */
			for (k = 0; k < 7; k++)
				ctl_table_cell(tb, "-");
			continue;
		}
		ctl_table_cell(tb, "%s", h->info[s].jit ? "yes" : "no");
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].runs);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].drops);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].passes);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].errors);
		ctl_table_cell(tb, "%" PRIu64, h->sum[s].faults);
		ctl_table_cell(tb, "%.1f", per_run(&h->sum[s]));
	}
	ctl_table_print(tb, f, 0);
	ctl_table_free(tb);
	return 0;
}

/* bpf show as text: the table of every program, or of one. */
static int
show_text(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
	  const union ctl_show_hits *hits, const void *one)
{
	const struct ctl_bpf_hits *h = &hits->progs;

	if (rs->nb_progs == 0)
		fprintf(ctx->out, "no programs (generation %" PRIu64 ")\n",
			rs->generation);
	else if (show_table(ctx->out, rs, h, one) < 0)
		return -ENOMEM;
	if (h->valid && !h->jit && rs->nb_progs > 0)
		fprintf(ctx->out, "(the dataplane runs programs in the "
				  "interpreter: --bpf-no-jit)\n");
	return 0;
}

static int
do_show(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	return ctl_cmd_show(ctx, a, CTL_SHOW_PROGS,
			    CTL_REQ(a, struct bpf_req)->json ? show_json
							     : show_text);
}

const char ctl_cmd_bpf_usage[] = BPF_USAGE;

const struct ctl_sub ctl_cmd_bpf_subs[] = {
	[SUB_LOAD] = {.name = "load",
		      .usage = LOAD_USAGE,
		      .args = {.min = 2,
			       .max = 2,
			       .missing = {"no program name given",
					   "no object file given"}},
		      .perform = do_load,
		      .help = "add program NAME, or replace its code, from an "
			      "ELF object built with clang -O2 -target bpf; it "
			      "is verified (rte_bpf) before anything is "
			      "committed"},
	[SUB_UNLOAD] = {.name = "unload",
			.usage = UNLOAD_USAGE,
			.args = {.min = 1,
				 .max = 1,
				 .missing = {"no program name given"}},
			.perform = do_unload,
			.help = "remove the program"},
	[SUB_SHOW] = {.name = "show",
		      .usage = SHOW_USAGE,
		      .args = {.max = 1},
		      .run = do_show,
		      .help = "programs with order, size, CRC32C and, from a "
			      "running dataplane, JIT or interpreter, runs, "
			      "drops, passes, errors, faults, cycles per run"},
	{.name = NULL},
};

const struct ctl_opt ctl_cmd_bpf_opts[] = {
	{.name = "section",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct bpf_req, section),
	 .subs = CTL_SUB(SUB_LOAD),
	 .min = 1,
	 .bad = "empty section name",
	 .value = "SEC",
	 .help = "the object's program to take (default: its only one)"},
	{.name = "order",
	 .type = CTL_OPT_UINT,
	 .off = offsetof(struct bpf_req, order),
	 .seen_off = CTL_FIELD1(struct bpf_req, has_order),
	 .subs = CTL_SUB(SUB_LOAD),
	 .min = 0,
	 .max = UINT32_MAX,
	 .bad = "%o '%a': not a number in %m..%M",
	 .value = "N",
	 .help = "run position, 0 to 4294967295, lower first (default: a "
		 "replaced program keeps its own, a new one goes " ORDER_STEP
		 " after the last); programs at N and after move one down to "
		 "make room"},
	{.name = "on-fault",
	 .type = CTL_OPT_KEYWORD,
	 .off = offsetof(struct bpf_req, on_fault),
	 .seen_off = CTL_FIELD1(struct bpf_req, has_on_fault),
	 .subs = CTL_SUB(SUB_LOAD),
	 .choices = fault_words,
	 .bad = "%o '%a': not drop or continue",
	 .value = "P",
	 .help = "what a run-time fault of the program (a division by zero) "
		 "does to the packet: drop it, counted under the reason "
		 "bpf-fault (default for a new program; a replaced one keeps "
		 "its own), or continue as if the program returned "
		 "BW_BPF_CONTINUE (fail open)"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct bpf_req, json),
	 .subs = CTL_SUB(SUB_SHOW),
	 .help = "JSON output"},
	CTL_OPTS_END(struct bpf_req),
};
