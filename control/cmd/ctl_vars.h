/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule variables kept in the state directory ($HOME_NET, ...): the file
 * CTL_VARS_FILE holds "NAME VALUE" lines (ctl_rule_vars_load_file()
 * syntax) that `bulwarkctl vars set` writes and every later `rules load`
 * reads. Variables not set there keep their built-in defaults.
 */
#ifndef CTL_VARS_H
#define CTL_VARS_H

#include <stdint.h>
#include <stdio.h>

#include "ctl_model.h"
#include "ctl_rules.h"

struct ctl_state;

#define CTL_VARS_FILE	   "vars"	    /* in the state directory */
#define CTL_VARS_USED_FILE "rules.varsused" /* names the rules use */

/*
 * Read the state directory's variables into vars (added to what it
 * holds). A missing file or directory is no variable. Returns 0 or a
 * negative errno (bad lines reported on diag as "FILE:LINE: error: ...").
 */
int ctl_vars_load(const char *state_dir, struct ctl_rule_vars *vars,
		  FILE *diag);

/* The fingerprint of a rule table that CTL_VARS_USED_FILE is keyed by. */
uint32_t ctl_vars_used_print(const struct ctl_rtab *tab);

/*
 * Record in the state directory (st locked exclusive) which variables the
 * rule files of table tab use ($NAME in the files, and in the values vars
 * gives those names). Returns 0 or a negative errno.
 */
int ctl_vars_used_record(const struct ctl_state *st, const char *state_dir,
			 const struct ctl_rtab *tab, char *const *files,
			 size_t nb_files, const struct ctl_rule_vars *vars);

/*
 * Does the rule table tab use variable name (with or without '$')? 1 yes,
 * 0 no (close_name then gets the closest name it uses, or ""), -ENOENT
 * when no load recorded it (no hint).
 */
int ctl_vars_used_query(const char *state_dir, const struct ctl_rtab *tab,
			const char *name, char *close_name, size_t close_len);

#endif /* CTL_VARS_H */
