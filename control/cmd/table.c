/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl's command table: the global options, one row per command in
 * the order of the usage text (name, summary, usage line, help, handler,
 * batch handler, subcommands, options, operands), and `help`, the one
 * command that reads the table itself. A row names what its family file
 * defines (ctl_cmd.h); the help of an option or subcommand is on its own
 * row there, next to what it documents.
 */
#include <stddef.h>
#include <stdio.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_commit.h"
#include "ctl_state.h"
#include "ctl_txn.h"
#include "bw_ctl.h"
#include "bw_image.h"

/* The apply timeout in whole seconds, for the help text. */
#define TIMEOUT_S 30
_Static_assert(TIMEOUT_S * 1000 == CTL_COMMIT_TIMEOUT_MS,
	       "the help text says TIMEOUT_S");

/* The exit statuses, as the global help tells them. */
_Static_assert(CTL_EXIT_OK == 0 && CTL_EXIT_FAIL == 1 && CTL_EXIT_USAGE == 2,
	       "EXIT_NOTES says 0, 1, 2");
#define EXIT_NOTES                                                             \
	"Exit status: 0 done (status: running and healthy); 1 the command "    \
	"ran\n"                                                                \
	"and failed (refused, bad input, unknown instance, not running, a "    \
	"link\n"                                                               \
	"down); 2 bad command line.\n"

/* Numbers the help texts tell, as strings. */
#define S_TIMEOUT   CTL_STR(TIMEOUT_S)
#define S_DELTA_MAX CTL_STR(CTL_TXN_DELTA_MAX)
#define S_KEEP	    CTL_STR(CTL_STATE_KEEP)
#define S_BPF_MAX   CTL_STR(BW_BPF_MAX)
#define S_INSNS_MAX CTL_STR(BW_BPF_INSNS_MAX)
#define S_SNAP_MAX  CTL_STR(BW_CAP_SNAPLEN_MAX)

/* The options of a command whose one option is --json. */
static const struct ctl_opt json_opts[] = {
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct ctl_json_req, json),
	 .help = "JSON output"},
	CTL_OPTS_END(struct ctl_json_req),
};

const struct ctl_cmd ctl_cmd_status = {
	.name = "status",
	.summary = "is the dataplane running and healthy: state, workers, "
		   "ports",
	.usage = "status [--json]",
	.help = "Show whether the dataplane instance runs: state, pid, "
		"uptime,\n"
		"heartbeat, workers, ports, ruleset generation. Exits 0 only "
		"when\n"
		"it is running and healthy (heartbeat fresh, every port's link "
		"up),\n"
		"else 1 with one line on stderr for each problem.\n",
	.run = ctl_cmd_status_run,
	.opts = json_opts,
	.args = {.max = 0},
	.flags = CTL_CMD_IN_ORDER,
};

const struct ctl_cmd ctl_cmd_stats = {
	.name = "stats",
	.summary = "counters: totals, workers, ports, drops by reason "
		   "(--json, --watch)",
	.usage = "stats [--json] [--watch SECONDS [--count N]]",
	.help = "Counters of the dataplane: totals, per worker, per port, "
		"drops\n"
		"and passed anomalies by reason. Works on a stopped "
		"dataplane's\n"
		"final counters (with a warning).\n",
	.run = ctl_cmd_stats_run,
	.opts = ctl_cmd_stats_opts,
	.args = {.max = 0},
	.flags = CTL_CMD_IN_ORDER,
};

const struct ctl_cmd ctl_cmd_metrics = {
	.name = "metrics",
	.summary = "counters for Prometheus: print, --textfile PATH, "
		   "--listen ADDR:PORT",
	.usage = "metrics [--listen ADDR:PORT | --textfile PATH "
		 "[--interval SECONDS]]",
	.help = "The counters of the status region in the Prometheus text "
		"format\n"
		"(docs/metrics.md): printed once, written to a file for "
		"node_exporter's\n"
		"textfile collector, or served on /metrics over HTTP. Only the "
		"status\n"
		"region is read; an instance that is down reads bulwark_up "
		"0.\n",
	.run = ctl_cmd_metrics_run,
	.opts = ctl_cmd_metrics_opts,
	.args = {.max = 0},
	.flags = CTL_CMD_IN_ORDER,
};

const struct ctl_cmd ctl_cmd_top = {
	.name = "top",
	.summary = "live view: rates, drops by reason, top lists and rules",
	.usage = "top [--interval SECONDS] [--once]",
	.help = "A full-screen view of the dataplane redrawn every interval "
		"(80x24):\n"
		"rates per worker and port, busy share, cycles per packet, "
		"drops by\n"
		"reason and the lists and rules with most hits in the last "
		"interval.\n"
		"q quits (so do SIGINT, SIGTERM and SIGHUP); --once prints one "
		"frame.\n",
	.run = ctl_cmd_top_run,
	.opts = ctl_cmd_top_opts,
	.args = {.max = 0},
	.flags = CTL_CMD_IN_ORDER,
};

const struct ctl_cmd ctl_cmd_explain = {
	.name = "explain",
	.summary = "which stage would decide for a packet, and why",
	.usage = "explain SRC DST [PROTO [SPORT DPORT]] [--payload-file F]",
	.help = "Walk the stages of the current generation (the newest in "
		"the state\n"
		"directory) for one packet: the lists with the deciding "
		"prefix, "
		"the eBPF\n"
		"programs that would run (not evaluated offline), the content "
		"rules whose\n"
		"header matches and whether the payload matches them (scanned "
		"with the\n"
		"rule set's own Hyperscan databases). The last line, "
		"\"decision: ...\",\n"
		"names the stage that decides (docs/metrics.md).\n",
	.run = ctl_cmd_explain_run,
	.opts = ctl_cmd_explain_opts,
	.args = {.min = 2,
		 .max = 5,
		 .missing = {"no source address given",
			     "no destination address given"}},
};

const struct ctl_cmd ctl_cmd_events = {
	.name = "events",
	.summary = "drops and alerts, one event each: read and filter "
		   "(--follow)",
	.usage = "events [--follow] [--json] [--sid N] [--list NAME] "
		 "[--src CIDR] [--type alert|drop|suppressed] [--reason R] "
		 "[--count N] [--file PATH]",
	.help = "The events the dataplane wrote (started with --events "
		"PATH): one per\n"
		"drop and per alert rule hit, with the packet's addresses, "
		"the deciding\n"
		"list and prefix, rule or program, and the generation "
		"(docs/events.md).\n"
		"Filters combine (all must hold). Text by default, the JSON "
		"lines as\n"
		"written with --json.\n",
	.run = ctl_cmd_events_run,
	.opts = ctl_cmd_events_opts,
	.args = {.max = 0},
	.flags = CTL_CMD_IN_ORDER,
};

const struct ctl_cmd ctl_cmd_capture = {
	.name = "capture",
	.summary = "dropped (or passed) packets into a pcapng file",
	.usage = "capture (--reason R | --sid N | --list NAME | --all-drops | "
		 "--passed) [--count N] [--snaplen B] -w FILE",
	.help = "Arm a capture in the running dataplane: the workers copy "
		"the packets\n"
		"it selects (drops for reason R, drops by content rule N or "
		"block list\n"
		"NAME, every drop, or forwarded packets), up to B bytes of "
		"each (default\n"
		"and at most " S_SNAP_MAX "), and the dataplane writes them as "
		"pcapng into FILE,\n"
		"which bulwarkctl opens (as you) and hands over; each packet's "
		"comment\n"
		"names its reason and rule or list. Ends after N packets, or "
		"on Ctrl-C.\n"
		"One capture at a time. Options: --reason R, --sid N, --list "
		"NAME,\n"
		"--all-drops, --passed, --count N, --snaplen B, -w FILE "
		"(docs/events.md).\n",
	.run = ctl_cmd_capture_run,
	.args = {.max = CTL_ARGS_ANY},
	.flags = CTL_CMD_VERBATIM,
};

const struct ctl_cmd ctl_cmd_preflight = {
	.name = "preflight",
	.summary = "before a start: hugepages, IOMMU, ports, lcores, "
		   "directories, groups",
	.usage = "preflight [CONF] [--json]",
	.help = "Check what the instance's dataplane needs from this machine "
		"before\n"
		"a start, and say what to fix: CONF (default "
		"/etc/bulwark/NAME.conf,\n"
		"parsed as bulwark-start parses it), hugepages, the IOMMU, "
		"each port's\n"
		"PCI device, driver, NUMA node, queues and MTU, the worker "
		"lcores\n"
		"(online, isolcpus, nohz_full), the state and run "
		"directories, the\n"
		"groups. One line per check: ok, warn or FAIL. Exits 0 when "
		"nothing\n"
		"FAILs. Read-only: any user may run it.\n",
	.run = ctl_cmd_preflight_run,
	.opts = json_opts,
	.args = {.max = 1},
};

const struct ctl_cmd ctl_cmd_list = {
	.name = "list",
	.summary = "block and allow lists: load, add, del, flush, drop, show",
	.usage = ctl_cmd_list_usage,
	.help = "Block and allow lists of prefixes. Each change is one atomic "
		"commit: a new\n"
		"generation applied to the running dataplane, or staged in the "
		"state\n"
		"directory when it is not running. An address matches a list "
		"when one of its\n"
		"prefixes contains it; allow lists win over block lists.\n",
	.notes =
		"Prefix changes (add, del, load of an existing list) reach "
		"the dataplane as a\n"
		"delta when there are at most " S_DELTA_MAX "; creating, "
		"dropping, flushing or re-typing\n"
		"a list sends the full ruleset. An apply waits up to " S_TIMEOUT
		" s for the dataplane\n"
		"($" CTL_COMMIT_TIMEOUT_ENV " seconds). Every generation is "
		"kept in the state directory\n"
		"with an audit line (the newest " S_KEEP " images; see "
		"'history', 'rollback').\n",
	.run = ctl_cmd_run,
	.change = ctl_cmd_change,
	.prepare = ctl_cmd_list_prepare,
	.release = ctl_cmd_list_release,
	.batch_hint = "a batch holds list load/add/del/flush/drop and rollback",
	.subs = ctl_cmd_list_subs,
	.opts = ctl_cmd_list_opts,
};

const struct ctl_cmd ctl_cmd_lookup = {
	.name = "lookup",
	.summary = "which list decides for an address, and the verdict",
	.usage = "lookup ADDRESS... [--json]",
	.help = "Which lists of the current generation (the newest in the "
		"state\n"
		"directory) contain ADDRESS, which one decides for it as a "
		"packet's\n"
		"source and as its destination, and the verdict. Allow lists "
		"win\n"
		"over block lists; among lists of one action the longest "
		"prefix\n"
		"wins, then the lowest list id; a list counts only on the "
		"sides its\n"
		"--match covers. With --json, the top-level \"verdict\" is "
		"drop when\n"
		"the address is dropped as a source or as a destination; "
		"\"source\" and\n"
		"\"destination\" hold each side's verdict, deciding list and "
		"matches.\n"
		"Several addresses: one answer each (with --json, one object "
		"a line).\n",
	.run = ctl_cmd_lookup_run,
	.opts = json_opts,
	.args = {.min = 1,
		 .max = CTL_ARGS_ANY,
		 .missing = {"no address given"}},
};

const struct ctl_cmd ctl_cmd_bpf = {
	.name = "bpf",
	.summary = "eBPF programs: load (verified first), unload, show",
	.usage = ctl_cmd_bpf_usage,
	.help = "Operator eBPF programs, run by the dataplane after the block "
		"lists and\n"
		"before content rules, in ascending order, on every packet no "
		"earlier\n"
		"stage decided. A program returns continue (0), pass (1) or "
		"drop (2);\n"
		"include/bw_bpf.h is its ABI, docs/bpf.md the guide. Each "
		"change is one\n"
		"atomic commit of the whole ruleset (a new generation), staged "
		"in the\n"
		"state directory when the dataplane is not running.\n",
	.notes = "At most " S_BPF_MAX " programs of at most " S_INSNS_MAX
		 " instructions; no maps, no global data,\n"
		 "no loops, no kernel helpers (docs/bpf.md says why).\n",
	.run = ctl_cmd_run,
	.change = ctl_cmd_change,
	.prepare = ctl_cmd_bpf_prepare,
	.batch_hint = "a batch holds list and bpf changes and rollback",
	.subs = ctl_cmd_bpf_subs,
	.opts = ctl_cmd_bpf_opts,
};

const struct ctl_cmd ctl_cmd_rules = {
	.name = "rules",
	.summary = "content rules: load (Suricata/Snort, Hyperscan), check, "
		   "flush, show",
	.usage = ctl_cmd_rules_usage,
	.help_usage = ctl_cmd_rules_help_usage,
	.help = "Content rules: Suricata/Snort rules and Hyperscan pattern\n"
		"files, matched by the dataplane (docs/rules.md).\n",
	.run = ctl_cmd_run,
	.change = ctl_cmd_change,
	.prepare = ctl_cmd_rules_prepare,
	.subs = ctl_cmd_rules_subs,
	.opts = ctl_cmd_rules_opts,
};

const struct ctl_cmd ctl_cmd_vars = {
	.name = "vars",
	.summary = "rule variables ($HOME_NET, ...): set, unset, show",
	.usage = "vars set NAME VALUE | vars unset NAME | vars show [--json]",
	.help = "Rule variables ($HOME_NET, $HTTP_PORTS, ...) used by later "
		"'rules load'\n"
		"commands; unset ones keep their defaults (docs/rules.md).\n",
	.run = ctl_cmd_run,
	.subs = ctl_cmd_vars_subs,
	.flags = CTL_CMD_VERBATIM,
};

const struct ctl_cmd ctl_cmd_batch = {
	.name = "batch",
	.summary = "commit several list and program changes as one generation",
	.usage = "batch [FILE|-]",
	.help = "Read changes from FILE (or standard input: '-' or no FILE), "
		"one a line,\n"
		"and commit them together as ONE generation. A line is a "
		"command as on\n"
		"the command line, without 'bulwarkctl' and global options:\n"
		"\n"
		"  list load NAME FILE [--format F] [--action A] [--match M] "
		"[--skip-invalid]\n"
		"  list add NAME CIDR...    list del NAME CIDR...\n"
		"  list flush NAME          list drop NAME\n"
		"  bpf load NAME OBJECT.o [--section SEC] [--order N]\n"
		"  bpf unload NAME\n"
		"  rollback [GENERATION]\n"
		"\n"
		"'#' starts a comment; blank lines are ignored; quote words "
		"with '...' or\n"
		"\"...\". Lines apply in order. Any bad line is reported as "
		"FILE:LINE and\n"
		"nothing is committed.\n",
	.run = ctl_cmd_batch_run,
	.args = {.max = 1},
	.flags = CTL_CMD_IN_ORDER,
};

const struct ctl_cmd ctl_cmd_history = {
	.name = "history",
	.summary = "committed generations, who made them, which is in force",
	.usage = "history [--json]",
	.help = "Every committed generation from the audit log of the state "
		"directory,\n"
		"oldest first: parent, time (UTC), user, how it was committed "
		"and\n"
		"what changed. ON-DISK says whether its image is still kept "
		"(the\n"
		"newest " S_KEEP
		" are); '*' marks the generation in force (the "
		"running\n"
		"dataplane's, else the newest valid one, which it starts "
		"with).\n",
	.run = ctl_cmd_history_run,
	.opts = json_opts,
	.args = {.max = 0},
};

const struct ctl_cmd ctl_cmd_rollback = {
	.name = "rollback",
	.summary = "commit an earlier generation's content as a new one",
	.usage = "rollback [GENERATION]",
	.help = "Commit the content of an earlier generation as a new "
		"generation (the\n"
		"earlier one is not changed). GENERATION must still be in the "
		"state\n"
		"directory (see 'history'); by default, the newest one before "
		"the\n"
		"current generation. Rolling back twice returns to where it "
		"started.\n",
	.run = ctl_cmd_run,
	.change = ctl_cmd_change,
	.prepare = ctl_cmd_rollback_prepare,
	.perform = ctl_cmd_rollback_perform,
	.args = {.max = 1},
	.flags = CTL_CMD_REPLACES,
};

const struct ctl_cmd ctl_cmd_check = {
	.name = "check",
	.summary = "validate list files and ruleset images, commit nothing",
	.usage = "check [--format F] [--json] FILE...",
	.help = "Check files without committing anything. A ruleset image (a "
		"file of\n"
		"the state directory) is validated as the dataplane would and\n"
		"summarized; any other file is parsed as a block list (format\n"
		"detected, or --format) and its counts, warnings and errors "
		"shown.\n"
		"Exits 1 when any file is bad.\n",
	.run = ctl_cmd_check_run,
	.opts = ctl_cmd_check_opts,
	.args = {.min = 1, .max = CTL_ARGS_ANY, .missing = {"no file given"}},
};

/* "help [COMMAND]": the global usage, or COMMAND --help. */
static int
help_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct ctl_cmd *cmd;

	if (a->argc == 0) {
		ctl_cli_usage(&ctl_cli_table, ctx->out);
		return CTL_EXIT_OK;
	}
	cmd = ctl_cli_find(&ctl_cli_table, a->argv[0]);
	if (cmd == NULL)
		return ctl_cli_unknown(&ctl_cli_table, ctx->err, a->argv[0]);
	if (cmd == &ctl_cmd_help)
		ctl_cli_usage(&ctl_cli_table, ctx->out);
	else
		ctl_cli_help(cmd, ctx->out);
	return CTL_EXIT_OK;
}

const struct ctl_cmd ctl_cmd_help = {
	.name = "help",
	.summary = "this help, or a command's: help COMMAND",
	.usage = "help [COMMAND]",
	.run = help_run,
	.args = {.max = 1},
	.flags = CTL_CMD_VERBATIM,
};

static const struct ctl_opt global_opts[] = {
	{.name = "instance",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct ctl_global_opts, instance),
	 .value = "NAME",
	 .help = "dataplane instance (default: $" CTL_INSTANCE_ENV
		 " or \"" CTL_INSTANCE_DEFAULT "\")"},
	{.name = "state-dir",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct ctl_global_opts, state_dir),
	 .value = "DIR",
	 .help = "state directory (default: " CTL_STATE_DIR_BASE "/NAME)"},
	{.name = "stage",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct ctl_global_opts, stage),
	 .help = "stage changes for an instance not started yet (else "
		 "an unknown instance is refused as a typo)"},
	{.name = "version",
	 .type = CTL_OPT_LAST,
	 .off = offsetof(struct ctl_global_opts, version),
	 .help = "show the version"},
	CTL_OPTS_END(struct ctl_global_opts),
};

const struct ctl_cmd ctl_cmd_global = {
	.name = CTL_PROG,
	.usage = "COMMAND [ARGS]",
	.notes = EXIT_NOTES,
	.opts = global_opts,
	.args = {.max = CTL_ARGS_ANY},
	.flags = CTL_CMD_IN_ORDER,
};

static const struct ctl_cmd *const cmds[] = {
	&ctl_cmd_status,  &ctl_cmd_stats,     &ctl_cmd_list,	&ctl_cmd_lookup,
	&ctl_cmd_bpf,	  &ctl_cmd_rules,     &ctl_cmd_vars,	&ctl_cmd_batch,
	&ctl_cmd_history, &ctl_cmd_rollback,  &ctl_cmd_check,	&ctl_cmd_help,
	&ctl_cmd_metrics, &ctl_cmd_top,	      &ctl_cmd_explain, &ctl_cmd_events,
	&ctl_cmd_capture, &ctl_cmd_preflight,
};

const struct ctl_cli ctl_cli_table = {
	.usage_head = "usage: " CTL_PROG " [--instance NAME] [--state-dir DIR] "
		      "[--stage] COMMAND [ARGS]\n"
		      "       " CTL_PROG " -h | --help | --version\n",
	.global = &ctl_cmd_global,
	.cmds = cmds,
	.nb_cmds = sizeof(cmds) / sizeof(cmds[0]),
};
