/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one run and batch path of the commands whose rows name what their
 * subcommands do (list, bpf, rules, vars) or the change they make
 * (rollback): read the operands into the request (the row's prepare),
 * then run a query, or perform a change in its own transaction (begin,
 * perform, commit, end) or in a batch's, and release the request; and
 * the check of a NAME their prepare functions share.
 */
#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_txn.h"
#include "bw_image_view.h"

/* The change a names: its subcommand's, else its command's; or NULL. */
static ctl_change_fn
perform_of(const struct ctl_args *a)
{
	return a->sub >= 0 ? a->cmd->subs[a->sub].perform : a->cmd->perform;
}

static int
prepare(struct ctl_txn *t, const struct ctl_args *a)
{
	return a->cmd->prepare != NULL ? a->cmd->prepare(t, a) : CTL_EXIT_OK;
}

static void
release(const struct ctl_args *a)
{
	if (a->cmd->release != NULL)
		a->cmd->release(a->req);
}

/* ctl_txn_run()'s perform: the change of the command line at args. */
static int
perform_args(struct ctl_txn *t, void *args)
{
	const struct ctl_args *a = args;

	return perform_of(a)(t, a);
}

int
ctl_cmd_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	struct ctl_args own = *a;
	struct ctl_txn t;
	int rc;

	ctl_txn_init(&t, ctx);
	rc = prepare(&t, a);
	if (rc == CTL_EXIT_OK && perform_of(a) != NULL) {
		t.replace_ok = (a->cmd->flags & CTL_CMD_REPLACES) != 0;
		rc = ctl_txn_run(&t, perform_args, &own);
	} else if (rc == CTL_EXIT_OK) {
		rc = a->cmd->subs[a->sub].run(ctx, a);
	}
	release(a);
	return rc;
}

int
ctl_cmd_change(struct ctl_txn *t, const struct ctl_args *a)
{
	const char *hint = a->cmd->batch_hint;
	int rc;

	rc = prepare(t, a);
	if (rc == CTL_EXIT_OK && perform_of(a) == NULL) {
		ctl_txn_error(t, "'%s %s' is not a change%s%s", a->cmd->name,
			      a->cmd->subs[a->sub].name,
			      hint != NULL ? ": " : "",
			      hint != NULL ? hint : "");
		rc = CTL_EXIT_USAGE;
	} else if (rc == CTL_EXIT_OK) {
		rc = perform_of(a)(t, a);
	}
	release(a);
	return rc;
}

int
ctl_cmd_name_ok(const struct ctl_txn *t, const struct ctl_args *a,
		const char *what, int len)
{
	if (bw_image_name_valid(a->argv[0]))
		return 1;
	ctl_txn_usage(t, a->usage,
		      "invalid %s name '%s': use 1 to %d characters of A-Z "
		      "a-z 0-9 _ . -",
		      what, a->argv[0], len - 1);
	return 0;
}
