/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands of bulwarkctl: the command table (table.c, one row per
 * command, in the order of the usage text), what each family file of
 * control/cmd gives its rows (handlers, subcommands, options, usage
 * lines), and the one run and batch path of the rows whose subcommands
 * name their functions (run.c).
 *
 * Add a command: write its family file (its handlers, or its subcommands
 * and the request they read, and its options), declare here what its row
 * needs, and add the row to table.c and the file to meson.build.
 */
#ifndef CTL_CMD_H
#define CTL_CMD_H

#include "ctl.h"
#include "ctl_cli.h"

/* Every command of bulwarkctl, in the order of its usage text. */
extern const struct ctl_cli ctl_cli_table;

/* The rows of ctl_cli_table (table.c). */
extern const struct ctl_cmd ctl_cmd_status, ctl_cmd_stats, ctl_cmd_list,
	ctl_cmd_lookup, ctl_cmd_bpf, ctl_cmd_rules, ctl_cmd_vars, ctl_cmd_batch,
	ctl_cmd_history, ctl_cmd_rollback, ctl_cmd_check, ctl_cmd_help,
	ctl_cmd_events, ctl_cmd_capture;

/*
 * The global options of bulwarkctl, read into a struct ctl_global_opts
 * before the command (CTL_CMD_IN_ORDER).
 */
struct ctl_global_opts {
	const char *instance;
	const char *state_dir;
	int version;
	int stage;
};

extern const struct ctl_cmd ctl_cmd_global;

/* The words of a list file's --format (list load, check), to complete. */
extern const struct ctl_opt_choice ctl_cmd_format_words[];

/*
 * The types of a command's handler (what a ctl_run_fn points at) and of a
 * step of a change (ctl_change_fn), to declare them by.
 */
typedef int ctl_cmd_handler(struct ctl_ctx *ctx, const struct ctl_args *a);
typedef int ctl_cmd_step(struct ctl_txn *t, const struct ctl_args *a);

/*
 * The handlers of the rows that name what their subcommands do, or the
 * change the command makes (run.c). ctl_cmd_run(): the row's prepare,
 * then the subcommand's run, or its (or the command's) perform in a
 * transaction of its own, committed when it succeeds. ctl_cmd_change():
 * prepare and perform in the batch's transaction t; a subcommand that is
 * no change is refused ("'X show' is not a change"). Both release the
 * request. Return CTL_EXIT_*.
 */
ctl_cmd_handler ctl_cmd_run;
ctl_cmd_step ctl_cmd_change;

/*
 * 1 when the NAME of a (its first operand) is a valid list or program
 * name (what), of at most len - 1 characters; else 0 after reporting.
 */
int ctl_cmd_name_ok(const struct ctl_txn *t, const struct ctl_args *a,
		    const char *what, int len);

/* The request of a command whose one option is --json (table.c). */
struct ctl_json_req {
	int json;
};

/* status.c, stats.c, lookup.c, batch.c, history.c, check.c. */
ctl_cmd_handler ctl_cmd_status_run, ctl_cmd_stats_run, ctl_cmd_lookup_run,
	ctl_cmd_batch_run, ctl_cmd_history_run, ctl_cmd_check_run;
extern const struct ctl_opt ctl_cmd_stats_opts[], ctl_cmd_check_opts[];

/* events.c: read and filter the events file (docs/events.md). */
ctl_cmd_handler ctl_cmd_events_run;

/* capture.c: arm a capture, pcapng into -w FILE (docs/events.md). */
ctl_cmd_handler ctl_cmd_capture_run;
extern const struct ctl_opt ctl_cmd_events_opts[];

/* history.c: rollback [GENERATION], a change of the whole ruleset. */
ctl_cmd_step ctl_cmd_rollback_prepare, ctl_cmd_rollback_perform;

/* list.c, bpf.c, rules.c, vars.c: families of subcommands. */
extern const char ctl_cmd_list_usage[], ctl_cmd_bpf_usage[],
	ctl_cmd_rules_usage[], ctl_cmd_rules_help_usage[];
extern const struct ctl_sub ctl_cmd_list_subs[], ctl_cmd_bpf_subs[],
	ctl_cmd_rules_subs[], ctl_cmd_vars_subs[];
extern const struct ctl_opt ctl_cmd_list_opts[], ctl_cmd_bpf_opts[],
	ctl_cmd_rules_opts[];
ctl_cmd_step ctl_cmd_list_prepare, ctl_cmd_bpf_prepare, ctl_cmd_rules_prepare;
void ctl_cmd_list_release(void *req);

/*
 * --format F of list load and check: a CTL_OPT_PARSE function that fills
 * the struct ctl_list_parse_opts at field. Returns 0 or -EINVAL.
 */
int ctl_list_format_opt(const char *arg, void *field);

/* metrics.c: bulwarkctl metrics (Prometheus text format). */
extern const struct ctl_cmd ctl_cmd_metrics;
ctl_cmd_handler ctl_cmd_metrics_run;
extern const struct ctl_opt ctl_cmd_metrics_opts[];

/* top.c: bulwarkctl top (live view). */
extern const struct ctl_cmd ctl_cmd_top;
ctl_cmd_handler ctl_cmd_top_run;
extern const struct ctl_opt ctl_cmd_top_opts[];

/* explain.c: bulwarkctl explain (which stage decides for a packet). */
extern const struct ctl_cmd ctl_cmd_explain;
ctl_cmd_handler ctl_cmd_explain_run;
extern const struct ctl_opt ctl_cmd_explain_opts[];

/* preflight.c: bulwarkctl preflight (what a start needs, and the fixes). */
extern const struct ctl_cmd ctl_cmd_preflight;
ctl_cmd_handler ctl_cmd_preflight_run;

#endif /* CTL_CMD_H */
