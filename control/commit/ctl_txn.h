/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A transaction on an instance's ruleset: every change command (list load,
 * add, del, flush, drop, bpf load, unload, rollback, and a whole batch of
 * them) is one.
 *
 *   ctl_txn_init()    no I/O: error reporting works from here on
 *   ctl_txn_begin()   lock the state directory, read the newest generation
 *                     (the base), ask the dataplane which generation it
 *                     runs and refuse to go on when the two differ
 *   change cur        the commands edit t->cur (a copy of the base)
 *   ctl_txn_commit()  one new generation: DELTA or FULL image to a running
 *                     dataplane, then the FULL image and an audit line into
 *                     the state directory; or, with no dataplane running,
 *                     straight into the state directory (staged)
 *   ctl_txn_end()     free, unlock
 *
 * CLI thread only.
 */
#ifndef CTL_TXN_H
#define CTL_TXN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl.h"
#include "ctl_image.h"
#include "ctl_state.h"

/* Most prefix changes sent as a DELTA image; more go as a FULL image. */
#define CTL_TXN_DELTA_MAX 100000

/* What a commit sends, from ctl_txn_plan(). */
#define CTL_PLAN_NOOP  0 /* nothing changed */
#define CTL_PLAN_DELTA 1 /* prefix additions and removals only */
#define CTL_PLAN_FULL  2 /* the whole ruleset */

struct ctl_txn {
	struct ctl_ctx *ctx;
	const char *where;	 /* "FILE:LINE" of a batch line, or NULL */
	struct ctl_state st;	 /* locked exclusively between begin and end */
	int begun;		 /* ctl_txn_begin() succeeded */
	struct ctl_ruleset base; /* newest valid generation (0: none) */
	struct ctl_ruleset cur;	 /* the base with the changes so far */
	uint64_t max_gen;	 /* highest generation number ever seen */
	int structural;		 /* a list was created, dropped, flushed,
				    re-typed, or the ruleset replaced */
	int running;		 /* the dataplane answered at begin */
	uint64_t dp_gen;	 /* its generation in force */
	unsigned int timeout_ms; /* reply wait of the apply request */
	int replace_ok;		 /* set before begin: the change replaces
				    the whole ruleset (rollback), so it may
				    go on when the dataplane runs another
				    generation than the base */
	uint64_t parent_gen;	 /* the new generation's parent: the base,
				    or what the dataplane runs (replace_ok) */
	char summary[BW_AUDIT_OP_LEN]; /* "op; op; ...", for the audit */
	unsigned int nb_ops;	       /* changes noted in summary */
};

/*
 * The generation instance's running dataplane could not apply at its
 * start (--restore-fail-closed: it runs none, dropping everything), from
 * its status region: 1 with *gen and *err (a negative errno) set, or 0
 * when there is none (or no region).
 */
int ctl_txn_restore_failed(const char *instance, uint64_t *gen, int32_t *err);

/* Set t up for ctx with no I/O. */
void ctl_txn_init(struct ctl_txn *t, struct ctl_ctx *ctx);

/*
 * Lock the state directory (created if missing), read the base, adopt a
 * generation whose apply timed out but that the dataplane now runs, and
 * check that a running dataplane runs the base (with t->replace_ok, warn
 * and go on instead). Returns 0, or a negative errno after reporting why
 * on ctx->err.
 */
int ctl_txn_begin(struct ctl_txn *t);

/*
 * Commit t->cur as one generation (or nothing when it equals the base) and
 * write the one-line result to ctx->out. Returns CTL_EXIT_OK or
 * CTL_EXIT_FAIL (reported on ctx->err); on failure the state directory
 * holds what it held before.
 */
int ctl_txn_commit(struct ctl_txn *t);

/* Free both rulesets and release the lock. Safe after any step. */
void ctl_txn_end(struct ctl_txn *t);

/* Replace t->cur with *rs, which t then owns; marks the change structural. */
void ctl_txn_replace(struct ctl_txn *t, struct ctl_ruleset *rs);

/* Append "op" to the summary of changes (joined with "; ", cut at "..."). */
void ctl_txn_note(struct ctl_txn *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Errors and warnings of a change command: "FILE:LINE: error: ..." inside a
 * batch, "bulwarkctl: ..." otherwise (warnings: "bulwarkctl: warning: ...").
 */
void ctl_txn_error(const struct ctl_txn *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ctl_txn_warn(const struct ctl_txn *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A command-line error of a change command, with its usage line outside a
 * batch. Returns CTL_EXIT_USAGE.
 */
int ctl_txn_usage(const struct ctl_txn *t, const char *usage, const char *fmt,
		  ...) __attribute__((format(printf, 3, 4)));

/*
 * Run one change: begin, perform(t, req), commit when it succeeded, end.
 * Returns the first failing exit status, or CTL_EXIT_OK.
 */
int ctl_txn_run(struct ctl_txn *t, int (*perform)(struct ctl_txn *t, void *req),
		void *req);

/*
 * Warn on ctx->err, before a show, when a running dataplane (applied_gen
 * valid) runs another generation than the state directory's shown_gen.
 */
void ctl_txn_warn_shown_gen(const struct ctl_ctx *ctx, int valid,
			    uint64_t applied_gen, uint64_t shown_gen);

/*
 * Decide what turns base into cur: CTL_PLAN_NOOP when they are equal;
 * CTL_PLAN_DELTA when the list tables (name, id, action, match) and the
 * programs are equal, structural is 0 and at most delta_max prefixes were
 * added or removed,
 * with those changes in *d (malloc'd, the caller frees it; *nb entries);
 * CTL_PLAN_FULL otherwise (*d NULL). Both rulesets' sets must be sorted and
 * unique. Returns the plan or -ENOMEM. Pure.
 */
int ctl_txn_plan(const struct ctl_ruleset *base, const struct ctl_ruleset *cur,
		 int structural, size_t delta_max, struct ctl_delta_entry **d,
		 size_t *nb);

#endif /* CTL_TXN_H */
