/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frame of `list show`, `bpf show` and `rules show` (ctl_show.h):
 * what the state directory holds, next to what a running dataplane
 * counts.
 */
#include <errno.h>
#include <stdlib.h>

#include "ctl_show.h"
#include "ctl_state.h"
#include "ctl_txn.h"

/*
 * Counters of kind of a dataplane that is there to count (h->head.valid
 * stays 0 when none is, or its region cannot be read).
 */
static void
hits_read(const struct ctl_ctx *ctx, enum ctl_show_kind kind,
	  union ctl_show_hits *h)
{
	struct ctl_region r;
	enum ctl_verdict v;

	if (ctl_region_open(&r, ctx->instance) != 0)
		return;
	v = ctl_region_liveness(&r, ctl_now_mono_ns());
	if (v == CTL_VERDICT_RUNNING || v == CTL_VERDICT_NOT_RESPONDING ||
	    v == CTL_VERDICT_STARTING || v == CTL_VERDICT_STOPPING) {
		if (kind == CTL_SHOW_LISTS)
			ctl_region_list_hits(&r, &h->lists);
		else if (kind == CTL_SHOW_PROGS)
			ctl_region_bpf_hits(&r, &h->progs);
		else
			ctl_region_rule_hits(&r, &h->rules);
	}
	ctl_region_close(&r);
}

/* The list or program of rs named name, or NULL. */
static const void *
find(struct ctl_ruleset *rs, enum ctl_show_kind kind, const char *name)
{
	if (kind == CTL_SHOW_LISTS)
		return ctl_ruleset_find(rs, name);
	return ctl_ruleset_find_prog(rs, name);
}

int
ctl_cmd_show(struct ctl_ctx *ctx, const struct ctl_args *a,
	     enum ctl_show_kind kind, ctl_show_fn print)
{
	union ctl_show_hits *h;
	const void *one = NULL;
	struct ctl_ruleset rs;
	int rc = CTL_EXIT_FAIL;

	if (ctl_ctx_instance_check(ctx) < 0 ||
	    ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	h = calloc(1, sizeof(*h));
	if (h == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
	if (a->argc > 0) {
		one = find(&rs, kind, a->argv[0]);
		if (one == NULL) {
			fprintf(ctx->err, CTL_PROG ": no %s '%s'\n",
				kind == CTL_SHOW_LISTS ? "list" : "program",
				a->argv[0]);
			goto out;
		}
	}
	hits_read(ctx, kind, h);
	ctl_txn_warn_shown_gen(ctx, h->head.valid, h->head.applied_gen,
			       rs.generation);
	if (print(ctx, &rs, h, one) < 0)
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
	else
		rc = CTL_EXIT_OK;
out:
	free(h);
	ctl_ruleset_free(&rs);
	return rc;
}

void
ctl_show_json_begin(struct ctl_json *j, const struct ctl_ctx *ctx,
		    const struct ctl_ruleset *rs, const union ctl_show_hits *h)
{
	ctl_json_init(j, ctx->out);
	ctl_json_object_begin(j, NULL);
	ctl_json_u64(j, "generation", rs->generation);
	ctl_json_str(j, "state_dir", ctx->state_dir);
	ctl_json_object_begin(j, "dataplane");
	ctl_json_bool(j, "running", h->head.valid != 0);
	if (h->head.valid)
		ctl_json_u64(j, "applied_gen", h->head.applied_gen);
	else
		ctl_json_null(j, "applied_gen");
}

int
ctl_show_json_end(struct ctl_json *j)
{
	ctl_json_array_end(j);
	ctl_json_object_end(j);
	fputc('\n', j->f);
	return 0;
}
