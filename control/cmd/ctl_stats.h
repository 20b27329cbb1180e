/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rendering of samples for `bulwarkctl stats`: the JSON object described in
 * docs/stats-json.md and the text tables (and the port cells `status`
 * shares).
 */
#ifndef CTL_STATS_H
#define CTL_STATS_H

#include <stdio.h>

#include "ctl_sample.h"
#include "ctl_text.h"

/*
 * Write cur as one JSON object and a newline. When with_rates is non-zero
 * the object has a "rates" member: the rates since prev, or null when prev
 * is NULL or not comparable (first sample, dataplane restarted).
 */
void ctl_stats_json(FILE *f, const struct ctl_sample *cur,
		    const struct ctl_sample *prev, int with_rates);

/* Write cur as text tables; with rates since prev when prev is not NULL. */
void ctl_stats_text(FILE *f, const struct ctl_sample *cur,
		    const struct ctl_sample *prev);

/*
 * The cells of a port's identity in a table row, as stats and status show
 * it: PORT, NAME (printable), ROLE, PAIR, LINK.
 */
void ctl_stats_port_cells(struct ctl_table *t, const struct ctl_port_sample *p);

#endif /* CTL_STATS_H */
