/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The commands of bulwarkctl, one file per family in control/cmd.
 */
#ifndef CTL_CMD_H
#define CTL_CMD_H

#include "ctl.h"
#include "ctl_txn.h"

/* Command handlers: argv[0] is the command name; they return CTL_EXIT_*. */
int ctl_cmd_status(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_stats(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_list(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_bpf(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_lookup(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_history(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_rollback(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_check(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_batch(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_rules(struct ctl_ctx *ctx, int argc, char **argv);
int ctl_cmd_vars(struct ctl_ctx *ctx, int argc, char **argv);

/*
 * The change commands, run inside an open transaction by their own
 * handler or by `batch`: argv[0] is "list", "bpf" or "rollback", as
 * typed ("rules" too). They change t->cur only when they succeed and return CTL_EXIT_*.
 */
int ctl_list_change(struct ctl_txn *t, int argc, char **argv);
int ctl_bpf_change(struct ctl_txn *t, int argc, char **argv);
int ctl_rules_change(struct ctl_txn *t, int argc, char **argv);
int ctl_rollback_change(struct ctl_txn *t, int argc, char **argv);

#endif /* CTL_CMD_H */
