/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule variables kept in the state directory ($HOME_NET, ...): the file
 * CTL_VARS_FILE holds "NAME VALUE" lines (ctl_rule_vars_load_file()
 * syntax) that `bulwarkctl vars set` writes and every later `rules load`
 * reads. Variables not set there keep their built-in defaults.
 */
#ifndef CTL_VARS_H
#define CTL_VARS_H

#include <stdio.h>

#include "ctl_rules.h"

#define CTL_VARS_FILE "vars" /* in the state directory */

/*
 * Read the state directory's variables into vars (added to what it
 * holds). A missing file or directory is no variable. Returns 0 or a
 * negative errno (bad lines reported on diag as "FILE:LINE: error: ...").
 */
int ctl_vars_load(const char *state_dir, struct ctl_rule_vars *vars,
		  FILE *diag);

#endif /* CTL_VARS_H */
