/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What `list show`, `bpf show` and `rules show` share (show.c): the newest
 * generation of the state directory, the list or program named on the
 * command line, the counters of a dataplane that is there to count, the
 * warning when it runs another generation than the one shown, and the
 * head of their JSON object. Each family prints the rest.
 */
#ifndef CTL_SHOW_H
#define CTL_SHOW_H

#include <stdint.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_json.h"
#include "ctl_model.h"
#include "ctl_region.h"

/* What a show is of: which counters it reads, what NAME names. */
enum ctl_show_kind {
	CTL_SHOW_LISTS, /* list show [NAME]: a list */
	CTL_SHOW_PROGS, /* bpf show [NAME]: a program */
	CTL_SHOW_RULES, /* rules show: no NAME */
};

/* The counters of a dataplane; valid 0 when none was read. */
union ctl_show_hits {
	struct {
		int valid;	      /* the first members of each below */
		uint64_t applied_gen; /* generation in force */
	} head;
	struct ctl_list_hits lists;
	struct ctl_bpf_hits progs;
	struct ctl_rule_hits rules;
};

/*
 * Print the show of rs on ctx->out: h the counters, one the list or
 * program named on the command line (NULL: none). Returns 0, or -ENOMEM
 * (reported by ctl_cmd_show()).
 */
typedef int (*ctl_show_fn)(struct ctl_ctx *ctx, struct ctl_ruleset *rs,
			   const union ctl_show_hits *h, const void *one);

/*
 * `X show [NAME]` for a's command line: read the newest generation, find
 * NAME in it ("no list 'NAME'" otherwise), read the counters of kind of
 * a dataplane that is running, starting, stopping or not responding, warn
 * when it runs another generation, then print. Returns CTL_EXIT_*.
 */
int ctl_cmd_show(struct ctl_ctx *ctx, const struct ctl_args *a,
		 enum ctl_show_kind kind, ctl_show_fn print);

/*
 * Start j on ctx->out with the JSON object of a show: "generation" and
 * "state_dir" of rs and ctx, then the object "dataplane" with "running"
 * and "applied_gen" of h, left open for the caller's members.
 */
void ctl_show_json_begin(struct ctl_json *j, const struct ctl_ctx *ctx,
			 const struct ctl_ruleset *rs,
			 const union ctl_show_hits *h);

/*
 * End the JSON of a show: close its array of items and its object, end
 * the line. Returns 0.
 */
int ctl_show_json_end(struct ctl_json *j);

#endif /* CTL_SHOW_H */
