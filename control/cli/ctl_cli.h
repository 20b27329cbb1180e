/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwarkctl's command table and the machinery that reads it.
 *
 * A command is one struct ctl_cmd: its name, one-line summary, usage line,
 * help text, handler, batch handler, subcommands, options and operands.
 * The options are declared with their type (flag, string, repeatable
 * string, unsigned integer or real in a range, keyword, or a parse
 * function), the offset of the field of the command's request that
 * receives the value, and the line --help shows for them. A subcommand
 * names the function that runs it: a query, or a change of the ruleset
 * that control/cmd performs in a transaction (ctl_cmd.h). ctl_cli_parse()
 * reads a command line against a row; dispatch, batch lines, --help (the
 * option lists included), help COMMAND, "unknown option", "unknown
 * command" and the "did you mean" hints all come from the table.
 *
 * This folder knows no command: control/cmd defines the rows and the
 * table (ctl_cli_table). CLI thread only.
 */
#ifndef CTL_CLI_H
#define CTL_CLI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl.h"

struct ctl_txn; /* commit/ctl_txn.h: the table only passes it on */
struct ctl_args;

/* The type of an option's value, and of the request field it fills. */
enum ctl_opt_type {
	CTL_OPT_FLAG,	 /* no argument; int set to 1 */
	CTL_OPT_STR,	 /* const char *; min 1: must not be empty */
	CTL_OPT_STRS,	 /* repeatable; const char *[max], count in count_off */
	CTL_OPT_UINT,	 /* uint64_t in [min, max], decimal digits only */
	CTL_OPT_REAL,	 /* double in [real_min, real_max], finite */
	CTL_OPT_KEYWORD, /* int: the value of the choice named */
	CTL_OPT_PARSE,	 /* parse(argument, field) */
	CTL_OPT_LAST,	 /* no argument; int set to 1, then stop (--version) */
};

/* One word a CTL_OPT_KEYWORD option takes, and the value it stands for. */
struct ctl_opt_choice {
	const char *word;
	int value;
};

/* The subcommand bit of CTL_OPT_*'s subs: bit i is cmd->subs[i]. */
#define CTL_SUB(i) (1u << (i))

/*
 * The offset of field in the request type, plus one, for seen_off and
 * count_off (0 there means "none").
 */
#define CTL_FIELD1(type, field) (offsetof(type, field) + 1)

/*
 * A long option, --name or --name=VALUE. Tables end with CTL_OPTS_END().
 * bad is the message of a bad value (for CTL_OPT_STRS: of one too many),
 * where %o stands for --name, %a for the argument, %m and %M for the
 * range and %% for %; it is a template, not a printf format. --help lists
 * the option as "--name VALUE  help" (ctl_cli_help()).
 */
struct ctl_opt {
	const char *name;	/* without "--" */
	enum ctl_opt_type type; /* of the value */
	size_t off;		/* of the value in the command's request */
	size_t seen_off;	/* CTL_FIELD1() of an int set to 1, or 0 */
	size_t count_off;  /* CTL_OPT_STRS: CTL_FIELD1() of an unsigned int */
	uint32_t subs;	   /* CTL_SUB()s it applies to; 0: every one */
	uint64_t min, max; /* CTL_OPT_UINT range; STR, STRS: see above */
	double real_min, real_max; /* CTL_OPT_REAL range */
	/* ends with a NULL word; CTL_OPT_PARSE: words completion offers */
	const struct ctl_opt_choice *choices;
	int (*parse)(const char *arg, void *field); /* 0 or -EINVAL */
	const char *bad;			    /* message template */
	const char *value; /* its argument in --help: "FILE"; NULL for flags */
	const char *help;  /* one line for --help (wrapped there) */
};

/*
 * The end of an option table (a NULL name), which names the request its
 * options fill in off: ctl_cli_parse() allocates one of sizeof(type)
 * bytes, zeroed.
 */
#define CTL_OPTS_END(type)                                                     \
	{                                                                      \
		.name = NULL, .off = sizeof(type)                              \
	}

/*
 * How many operands a command or subcommand takes. Fewer than min:
 * missing[n] for n given (or arity); more than max: arity, or
 * "unexpected argument 'X'".
 */
#define CTL_ARGS_ANY	   (-1) /* max: no limit */
#define CTL_ARGS_NAMED_MAX 3

struct ctl_operands {
	int min, max;
	const char *missing[CTL_ARGS_NAMED_MAX];
	const char *arity;
};

typedef int (*ctl_run_fn)(struct ctl_ctx *ctx, const struct ctl_args *a);

/*
 * A step of a change in transaction t (commit/ctl_txn.h): read the command
 * line into the request (prepare), edit t->cur (perform), or the whole of
 * a batch line. Returns CTL_EXIT_*, after reporting through t.
 */
typedef int (*ctl_change_fn)(struct ctl_txn *t, const struct ctl_args *a);

/*
 * A subcommand: a change (perform: inside a transaction, also as a batch
 * line) or anything else (run: on its own, never in a batch).
 */
struct ctl_sub {
	const char *name;  /* "load" */
	const char *usage; /* its usage line, for its errors; NULL: the
			      command's */
	struct ctl_operands args;
	ctl_run_fn run;	       /* a query, or a change of something else */
	ctl_change_fn perform; /* a change of the ruleset */
	const char *help;      /* one line for --help, after the usage up
				   to its first option; NULL: not listed */
};

/* A command line read against a row by ctl_cli_parse(). */
struct ctl_args {
	const struct ctl_cmd *cmd;
	int sub;	   /* index in cmd->subs, or -1 */
	const char *usage; /* the subcommand's usage, else the command's */
	void *req;	   /* the request (CTL_OPTS_END()): option values */
	int argc;	   /* the operands, in order */
	char **argv;	   /* NULL terminated */
	int help;	   /* --help or -h: nothing else is set */
};

/* Options stop at the first operand (getopt's "+"); else they may follow. */
#define CTL_CMD_IN_ORDER 0x1
/* No options: every word is an operand (a value may start with '-'). */
#define CTL_CMD_VERBATIM 0x2
/* Its change replaces the whole ruleset (ctl_txn.replace_ok on its own). */
#define CTL_CMD_REPLACES 0x4

/*
 * A command. Its --help: the usage line, help, the subcommands and their
 * own options, the options of several or every subcommand, then notes,
 * each part after a blank line. prepare, perform and release serve the
 * generic handlers of control/cmd (ctl_cmd_run(), ctl_cmd_change()).
 */
struct ctl_cmd {
	const char *name;	/* first word after the global options */
	const char *summary;	/* one line for the global usage */
	const char *usage;	/* for errors: after "usage: bulwarkctl ..." */
	const char *help_usage; /* on the first line of --help; NULL: usage */
	const char *help;	/* the prose of --help */
	const char *notes;	/* closing prose of --help, or NULL */
	ctl_run_fn run;		/* returns CTL_EXIT_* */
	ctl_change_fn change;	/* in a batch; NULL: not a change */
	ctl_change_fn prepare;	/* operands into the request, or NULL */
	ctl_change_fn perform;	/* the change of a command without subs */
	void (*release)(void *req); /* what prepare left in the request */
	const char *batch_hint;	    /* after "'X show' is not a change: " */
	const struct ctl_sub *subs; /* NULL, or ends with a NULL name */
	const struct ctl_opt *opts; /* NULL, or ends with CTL_OPTS_END() */
	struct ctl_operands args;   /* without subcommands */
	unsigned int flags;	    /* CTL_CMD_* */
};

/* Every command of the program, in the order of the global usage. */
struct ctl_cli {
	const char *usage_head;	      /* global usage up to its options */
	const struct ctl_cmd *global; /* the global options */
	const struct ctl_cmd *const *cmds;
	size_t nb_cmds;
};

/*
 * Read argv (argv[0] the command's name) against cmd into *a. where is a
 * batch line ("FILE:LINE") or NULL, for the shape of the error message.
 * Returns CTL_EXIT_OK with *a filled (a->help: --help asked for), or
 * CTL_EXIT_USAGE / CTL_EXIT_FAIL after reporting on ctx->err, *a then
 * empty. ctl_args_free() in both cases.
 */
int ctl_cli_parse(struct ctl_ctx *ctx, const char *where,
		  const struct ctl_cmd *cmd, int argc, char **argv,
		  struct ctl_args *a);
void ctl_args_free(struct ctl_args *a);

/*
 * The option part of ctl_cli_parse(), for the options of subcommand sub
 * (-1: none) of cmd: read argv[0..argc) into req, the operands into
 * operands (room for argc + 1, NULL terminated) and their number into
 * *nb. Returns 0, 1 after --help or -h (the rest not read), or -EINVAL
 * with the message in why.
 */
int ctl_opts_parse(const struct ctl_cmd *cmd, int sub, int argc, char **argv,
		   void *req, char **operands, int *nb, char *why, size_t len);

/*
 * s as a number in [min, max] of decimal digits only (no sign, no blank),
 * as CTL_OPT_UINT reads it. Returns 0 with *out set, or -EINVAL.
 */
int ctl_uint_parse(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/* A macro's value as a string, for help texts: CTL_STR(CTL_STATE_KEEP). */
#define CTL_STR(x)  CTL_STR_(x)
#define CTL_STR_(x) #x

/* The request of a, as the command's own type. */
#define CTL_REQ(a, type) ((const type *)(a)->req)

/*
 * Run the command argv[0] of cli: parse, --help, or its handler. An
 * unknown command is reported with a hint and the global usage. Returns
 * CTL_EXIT_*.
 */
int ctl_cli_run(struct ctl_ctx *ctx, const struct ctl_cli *cli, int argc,
		char **argv);

/* The part of ctl_cli_run() after cmd was found. */
int ctl_cli_exec(struct ctl_ctx *ctx, const struct ctl_cmd *cmd, int argc,
		 char **argv);

/* The command named name, or NULL. */
const struct ctl_cmd *ctl_cli_find(const struct ctl_cli *cli, const char *name);

/* Report "bulwarkctl: unknown command 'X'" (with a hint) and the usage. */
int ctl_cli_unknown(const struct ctl_cli *cli, FILE *f, const char *name);

/*
 * The global usage: usage_head, the global options, then the commands
 * with their summaries.
 */
void ctl_cli_usage(const struct ctl_cli *cli, FILE *f);

/*
 * COMMAND --help: its usage line, then after a blank line each its help,
 * its subcommands with their options, its other options and its notes.
 */
void ctl_cli_help(const struct ctl_cmd *cmd, FILE *f);

/*
 * The index of the name among the nb names that typed most likely meant
 * (the one it is a prefix of, else one a slip or two away), or -1 when
 * none is close or typed starts with '-'.
 */
int ctl_cli_suggest(const char *typed, const char *const *names, size_t nb);

/*
 * A command-line error: "bulwarkctl: MESSAGE" and the usage line, or in a
 * batch (where set) "WHERE: error: MESSAGE (usage: ...)" or, for a usage
 * of several lines, "(see 'bulwarkctl help CMD')". Returns CTL_EXIT_USAGE.
 */
int ctl_usage_report(struct ctl_ctx *ctx, const char *where, const char *usage,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int ctl_usage_vreport(struct ctl_ctx *ctx, const char *where, const char *usage,
		      const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/*
 * A bash completion script for the program of cli, from its table: the
 * commands, their subcommands and options, keyword values, files.
 */
void ctl_cli_bash_completion(const struct ctl_cli *cli, FILE *f);

/* The hidden command that writes it (the build runs it). */
#define CTL_CLI_COMPLETION_CMD "__bash-completion"

#endif /* CTL_CLI_H */
