/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the compile driver of content rules (ctl_rules_compile()): rule
 * and pattern files parsed into one rule set, every skip reported, the
 * scan groups built and the Hyperscan databases compiled into the rule
 * table of a ruleset image. `bulwarkctl rules load` and `rules check` run
 * it; they decide what happens to the table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ctl_hsmap.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"

/* Every skip as "FILE:LINE sid N: REASON", then counts by reason. */
static void
skips_report(FILE *f, const struct ctl_rules *rs)
{
	struct ctl_rules_reason *tally = NULL;
	char line[CTL_RULE_WHY_LEN + 512];
	long n, i;
	size_t k;

	for (k = 0; k < rs->nb_skips; k++) {
		ctl_rule_skip_format(&rs->skips[k], line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	n = ctl_rules_tally(rs, NULL, &tally);
	for (i = 0; i < n; i++)
		fprintf(f, "  skipped %zu: %s\n", tally[i].count,
			tally[i].reason);
	if (n > 0)
		ctl_rules_reasons_free(tally, (size_t)n);
}

/*
 * Load the rule files, then the pattern files of b into rs, the counts
 * added up in *total. Returns 0, or the error of the first file that
 * cannot be read with the reason in why.
 */
static int
load_all(const struct ctl_rules_build *b, struct ctl_rules *rs,
	 struct ctl_rules_stats *total, char *why, size_t why_len)
{
	const struct ctl_rules_opts o = {.vars = b->vars,
					 .check = ctl_hsmap_check};
	struct ctl_rules_stats st;
	const char *path;
	size_t i;
	int ret;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < b->nb_files + b->nb_patterns; i++) {
		if (i < b->nb_files) {
			path = b->files[i];
			ret = ctl_rules_load_file(rs, path, &o, &st);
		} else {
			path = b->patterns[i - b->nb_files];
			ret = ctl_hsmap_load_patterns(rs, path, b->action, &st);
		}
		if (ret < 0) {
			snprintf(why, why_len, "%s: %s", path, strerror(-ret));
			return ret;
		}
		total->rules += st.rules;
		total->taken += st.taken;
		total->skipped += st.skipped;
	}
	return 0;
}

/* What the compile made of the rules, for the operator. */
static void
info_report(FILE *f, const struct ctl_rtab_info *in, int single_db)
{
	fprintf(f,
		"compiled %" PRIu32 " content rules (%" PRIu32
		" stream, %" PRIu32 " expressions) in %.1f ms: ",
		in->nb_content, in->nb_stream, in->nb_exprs,
		(double)in->compile_ns / 1e6);
	if (single_db)
		fprintf(f,
			"one block database %" PRIu64 " bytes, stream "
			"database %" PRIu64 " bytes\n",
			in->block_db_bytes, in->stream_db_bytes);
	else
		fprintf(f,
			"%" PRIu32 " scan groups over %" PRIu32 " port "
			"classes, %" PRIu64 " bytes per packet and %" PRIu64
			" bytes in stream mode\n",
			in->nb_groups, in->nb_classes,
			in->groups_db_bytes - in->stream_db_bytes,
			in->stream_db_bytes);
}

int
ctl_rules_compile(const struct ctl_rules_build *b, FILE *out, FILE *diag,
		  struct ctl_rtab *tab, char *why, size_t why_len)
{
	struct ctl_rules_stats total;
	struct ctl_rtab_info info;
	struct ctl_rules rs;
	int ret;

	memset(tab, 0, sizeof(*tab));
	ctl_rules_init(&rs);
	ret = load_all(b, &rs, &total, why, why_len);
	if (ret < 0)
		goto out;
	skips_report(diag, &rs);
	fprintf(out, "rules: %zu read, %zu taken, %zu skipped\n", total.rules,
		total.taken, total.skipped);
	ret = -EINVAL;
	if (b->strict && total.skipped > 0) {
		snprintf(why, why_len, "%zu rule%s skipped with --strict",
			 total.skipped, total.skipped == 1 ? "" : "s");
		goto out;
	}
	if (total.taken == 0 && total.rules > 0) {
		/* an empty rule set comes from 'rules flush', not a typo */
		snprintf(why, why_len, "none of %zu rules taken", total.rules);
		goto out;
	}
	ret = ctl_rtab_build_layout(
		&rs, NULL, b->single_db ? CTL_RTAB_SINGLE : CTL_RTAB_GROUPS,
		tab, &info, why, why_len);
	if (ret == 0)
		info_report(out, &info, b->single_db);
out:
	ctl_rules_free(&rs);
	return ret;
}
