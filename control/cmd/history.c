/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl history` and `rollback`:
 *
 *   history [--json]        generations from the audit log, which are still
 *                           in the state directory, which one is in force
 *   rollback [GENERATION]   commit the content of an earlier generation as
 *                           a new one (default: the newest one before the
 *                           current generation that is still on disk)
 *
 * rollback is a change of the whole ruleset (run.c); the rows of both
 * commands are in table.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_commit.h"
#include "ctl_json.h"
#include "ctl_state.h"
#include "ctl_text.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

static int
gen_present(const uint64_t *gens, size_t n, uint64_t g)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gens[mid] == g)
			return 1;
		if (gens[mid] < g)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

int
ctl_cmd_history_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	int json = CTL_REQ(a, struct ctl_json_req)->json;
	struct bw_audit_rec *recs = NULL;
	struct bw_ctl_reply rep;
	struct ctl_ruleset rs;
	struct ctl_state st;
	uint64_t *gens = NULL, current = 0, in_force = 0, rgen = 0;
	int32_t rerr = 0;
	size_t n = 0, ng = 0, i;
	int running, rc = CTL_EXIT_FAIL;
	char when[32];

	if (ctl_ctx_instance_check(ctx) < 0 ||
	    ctl_state_open(&st, ctx->state_dir, 0, ctx->err) < 0)
		return CTL_EXIT_FAIL;
	if (ctl_state_newest(&st, &rs, NULL, NULL) < 0)
		goto out;
	current = rs.generation;
	ctl_ruleset_free(&rs);
	if (ctl_state_gens(&st, &gens, &ng) < 0 ||
	    ctl_state_audit_read(&st, &recs, &n) < 0) {
		fprintf(ctx->err, CTL_PROG ": cannot read %s\n",
			ctx->state_dir);
		goto out;
	}
	running = ctl_commit_ping(ctx->instance, CTL_PING_TIMEOUT_MS, &rep) ==
			  0 &&
		  rep.status == BW_CTL_OK;
	in_force = running ? rep.applied_gen : current;
	if (!running || rep.applied_gen != 0 ||
	    !ctl_txn_restore_failed(ctx->instance, &rgen, &rerr))
		rgen = 0;
	if (json) {
		struct ctl_json j;

		ctl_json_init(&j, ctx->out);
		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "state_dir", ctx->state_dir);
		ctl_json_u64(&j, "current", current);
		ctl_json_bool(&j, "running", running != 0);
		if (running)
			ctl_json_u64(&j, "applied_gen", rep.applied_gen);
		else
			ctl_json_null(&j, "applied_gen");
		if (rgen != 0)
			ctl_json_u64(&j, "restore_failed_gen", rgen);
		ctl_json_array_begin(&j, "generations");
		for (i = 0; i < n; i++) {
			ctl_fmt_utc(when, sizeof(when), recs[i].time_s);
			ctl_json_object_begin(&j, NULL);
			ctl_json_u64(&j, "generation", recs[i].gen);
			ctl_json_u64(&j, "parent", recs[i].parent);
			ctl_json_str(&j, "time", when);
			ctl_json_u64(&j, "uid", recs[i].uid);
			ctl_json_str(&j, "user", recs[i].user);
			ctl_json_str(&j, "how", recs[i].how);
			ctl_json_str(&j, "change", recs[i].op);
			ctl_json_bool(&j, "on_disk",
				      gen_present(gens, ng, recs[i].gen));
			ctl_json_bool(&j, "in_force", recs[i].gen == in_force);
			ctl_json_object_end(&j);
		}
		ctl_json_array_end(&j);
		ctl_json_object_end(&j);
		fputc('\n', ctx->out);
	} else if (n == 0) {
		fprintf(ctx->out, "no generation committed in %s\n",
			ctx->state_dir);
	} else {
		fprintf(ctx->out, "   %-6s %-6s %-20s %-12s %-13s %-7s %s\n",
			"GEN", "PARENT", "TIME", "USER", "HOW", "ON-DISK",
			"CHANGE");
		for (i = 0; i < n; i++) {
			ctl_fmt_utc(when, sizeof(when), recs[i].time_s);
			fprintf(ctx->out,
				" %c %-6" PRIu64 " %-6" PRIu64
				" %-20s %-12s %-13s %-7s %s\n",
				recs[i].gen == in_force ? '*' : ' ',
				recs[i].gen, recs[i].parent, when, recs[i].user,
				recs[i].how,
				gen_present(gens, ng, recs[i].gen) ? "yes"
								   : "no",
				recs[i].op);
		}
		if (running && rgen != 0)
			fprintf(ctx->out,
				"dataplane instance '%s' runs no generation, "
				"dropping everything: generation %" PRIu64
				", the newest valid one, could not be applied "
				"at its start (%s)\n",
				ctx->instance, rgen, strerror(-rerr));
		else if (running)
			fprintf(ctx->out,
				"dataplane instance '%s' runs generation "
				"%" PRIu64 "\n",
				ctx->instance, rep.applied_gen);
		else
			fprintf(ctx->out,
				"dataplane instance '%s' is not running; it "
				"starts with generation %" PRIu64 "\n",
				ctx->instance, current);
	}
	rc = CTL_EXIT_OK;
out:
	free(recs);
	free(gens);
	ctl_state_close(&st);
	return rc;
}

/*
 * GENERATION of rollback into *target: a decimal number from 1, or 0 (the
 * default) when not given. Returns 0 or -EINVAL.
 */
static int
rollback_target(const struct ctl_args *a, uint64_t *target)
{
	*target = 0;
	return a->argc == 0 ? 0
			    : ctl_uint_parse(a->argv[0], 1, UINT64_MAX, target);
}

int
ctl_cmd_rollback_prepare(struct ctl_txn *t, const struct ctl_args *a)
{
	uint64_t target;

	if (rollback_target(a, &target) < 0)
		return ctl_txn_usage(t, a->usage,
				     "bad generation '%s': a number from 1",
				     a->argv[0]);
	return CTL_EXIT_OK;
}

/*
 * Roll t->cur back to GENERATION (checked by ctl_cmd_rollback_prepare()),
 * by default the newest valid one before the current.
 */
int
ctl_cmd_rollback_perform(struct ctl_txn *t, const struct ctl_args *a)
{
	char why[BW_IMAGE_WHY_LEN];
	uint64_t *gens, cur = t->parent_gen; /* what runs, or will */
	struct ctl_ruleset rs;
	uint64_t target;
	size_t n, i;
	int ret;

	rollback_target(a, &target);
	if (target == 0) {
		ret = ctl_state_gens(&t->st, &gens, &n);
		if (ret < 0) {
			ctl_txn_error(t, "cannot read %s: %s", t->st.dir,
				      strerror(-ret));
			return CTL_EXIT_FAIL;
		}
		for (i = n; i-- > 0;) {
			if (gens[i] >= cur)
				continue;
			if (ctl_state_read(&t->st, gens[i], &rs, NULL, why,
					   sizeof(why)) == 0) {
				target = gens[i];
				break;
			}
			ctl_txn_warn(t, "skipping generation %" PRIu64 ": %s",
				     gens[i], why);
		}
		free(gens);
		if (target == 0) {
			if (cur == 0)
				ctl_txn_error(t,
					      "nothing to roll back: no "
					      "generation in %s",
					      t->st.dir);
			else
				ctl_txn_error(t,
					      "no generation before %" PRIu64
					      " is left in %s",
					      cur, t->st.dir);
			return CTL_EXIT_FAIL;
		}
	} else {
		if (target == cur) {
			ctl_txn_error(t,
				      "generation %" PRIu64 " is the current "
				      "one; nothing to roll back to",
				      target);
			return CTL_EXIT_FAIL;
		}
		ret = ctl_state_read(&t->st, target, &rs, NULL, why,
				     sizeof(why));
		if (ret == -ENOENT && target > t->max_gen) {
			ctl_txn_error(t,
				      "no generation %" PRIu64 " was ever "
				      "committed (the newest is %" PRIu64 ")",
				      target, t->max_gen);
			return CTL_EXIT_FAIL;
		}
		if (ret == -ENOENT) {
			ctl_txn_error(t,
				      "generation %" PRIu64 " is not in %s "
				      "(the newest %d are kept; see "
				      "'history')",
				      target, t->st.dir, CTL_STATE_KEEP);
			return CTL_EXIT_FAIL;
		}
		if (ret < 0) {
			ctl_txn_error(t,
				      "generation %" PRIu64 " is unusable: %s",
				      target, why);
			return CTL_EXIT_FAIL;
		}
	}
	rs.generation = cur;
	ctl_txn_replace(t, &rs);
	ctl_txn_note(t, "rollback to %" PRIu64, target);
	return CTL_EXIT_OK;
}
