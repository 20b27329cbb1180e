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
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bw_util.h"
#include "ctl_hsexpr.h"
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

/*
 * Refuse a rule set whose expressions together cost more than
 * CTL_RULES_COST_MAX to compile (ctl_hsexpr_cost()), naming the rule that
 * passes the budget: each rule passed ctl_hsexpr_check() alone, but 200
 * of them at 4096 would still compile for minutes. Returns 0, -E2BIG or
 * -ENOMEM with why.
 */
static int
cost_check(const struct ctl_rules *rs, char *why, size_t why_len)
{
	struct ctl_hsmap map;
	size_t i, total = 0;
	int ret;

	memset(&map, 0, sizeof(map));
	ret = ctl_hsmap_build(rs, &map, why, why_len);
	if (ret < 0)
		return ret;
	for (i = 0; i < map.nb_e; i++) {
		const struct ctl_hsexpr *e = &map.e[i];
		size_t c = ctl_hsexpr_cost(e->pattern);

		total = c > SIZE_MAX - total ? SIZE_MAX : total + c;
		if (total <= CTL_RULES_COST_MAX)
			continue;
		if (e->rule < rs->nb_rules) {
			const struct ctl_rule *r = &rs->rules[e->rule];

			bw_why_set(why, why_len,
				   "%s:%u sid %u: the rule set's bounded "
				   "repeats pass %u positions with this rule "
				   "(too costly to compile; shorten the "
				   "windows or split the set)",
				   r->file, r->line, r->sid,
				   CTL_RULES_COST_MAX);
		} else {
			bw_why_set(why, why_len,
				   "the rule set's bounded repeats pass %u "
				   "positions (too costly to compile)",
				   CTL_RULES_COST_MAX);
		}
		ret = -E2BIG;
		break;
	}
	ctl_hsmap_free(&map);
	return ret;
}

/*
 * The last bound of a compile: whatever the rules, it ends within its
 * time or the process does. Hyperscan cannot be interrupted, so past the
 * deadline a watchdog thread says so and exits; the compile runs before
 * anything is staged and (for `rules load`) before the state directory is
 * locked, and an exit releases a lock anyway, so nothing is left behind.
 */
struct watchdog {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
	unsigned int secs;
	FILE *diag;
};

static void *
watchdog_main(void *arg)
{
	struct watchdog *w = arg;
	struct timespec dl;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += (time_t)w->secs;
	pthread_mutex_lock(&w->mu);
	while (!w->done)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &dl) == ETIMEDOUT &&
		    !w->done) {
			fprintf(w->diag,
				"bulwarkctl: compiling the rules took more "
				"than "
				"%u s (" CTL_RULES_COMPILE_TIMEOUT_ENV
				"): refused; nothing committed\n",
				w->secs);
			fflush(w->diag);
			_exit(1);
		}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* CTL_RULES_COMPILE_TIMEOUT_S, or $BULWARK_COMPILE_TIMEOUT when valid. */
static unsigned int
watchdog_secs(void)
{
	return (unsigned int)bw_env_ulong(CTL_RULES_COMPILE_TIMEOUT_ENV, 1,
					  86400, CTL_RULES_COMPILE_TIMEOUT_S);
}

/* Start the watchdog; 0, or -1 when no thread (then no time bound). */
static int
watchdog_start(struct watchdog *w, FILE *diag)
{
	memset(w, 0, sizeof(*w));
	w->secs = watchdog_secs();
	w->diag = diag;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	if (pthread_create(&w->th, NULL, watchdog_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return -1;
	}
	return 0;
}

static void
watchdog_stop(struct watchdog *w)
{
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

/* CTL_RULES_COMPILE_MEM, or $BULWARK_COMPILE_MEMORY MiB when valid. */
static uint64_t
compile_mem(void)
{
	return (uint64_t)bw_env_ulong(CTL_RULES_COMPILE_MEM_ENV, 1, 1048576,
				      CTL_RULES_COMPILE_MEM >> 20)
	       << 20;
}

/*
 * Bound the address space to what the process has plus
 * CTL_RULES_COMPILE_MEM for the compile (Hyperscan then fails an
 * allocation and the set is refused); *old gets the limit to restore.
 * Returns 0, or -1 when it could not be set (then no memory bound).
 */
static int
mem_bound(struct rlimit *old)
{
	unsigned long long pages = 0;
	struct rlimit lim;
	uint64_t want;
	FILE *f;

	if (getrlimit(RLIMIT_AS, old) != 0)
		return -1;
	f = fopen("/proc/self/statm", "r");
	if (f == NULL)
		return -1;
	if (fscanf(f, "%llu", &pages) != 1)
		pages = 0;
	fclose(f);
	if (pages == 0)
		return -1;
	want = (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE) +
	       compile_mem();
	lim = *old;
	if (old->rlim_cur != RLIM_INFINITY && old->rlim_cur <= want)
		return -1; /* already tighter */
	lim.rlim_cur = (rlim_t)want;
	return setrlimit(RLIMIT_AS, &lim) == 0 ? 0 : -1;
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
	struct watchdog wd;
	struct rlimit old_as;
	int ret, wd_ok, mem_ok;

	memset(tab, 0, sizeof(*tab));
	ctl_rules_init(&rs);
	ret = load_all(b, &rs, &total, why, why_len);
	if (ret < 0)
		goto out;
	skips_report(diag, &rs);
	if (b->drop_skipped != NULL) {
		size_t k;

		*b->drop_skipped = 0;
		for (k = 0; k < rs.nb_skips; k++)
			if (rs.skips[k].action == CTL_RULE_DROP)
				(*b->drop_skipped)++;
	}
	ret = -EINVAL;
	if (b->strict && total.skipped > 0) {
		snprintf(why, why_len, "%zu rule%s skipped with --strict",
			 total.skipped, total.skipped == 1 ? "" : "s");
		goto summary;
	}
	if (total.taken == 0 && total.rules > 0) {
		/* an empty rule set comes from 'rules flush', not a typo */
		snprintf(why, why_len, "none of %zu rules taken", total.rules);
		goto summary;
	}
	ret = cost_check(&rs, why, why_len);
	if (ret < 0)
		goto summary;
	wd_ok = watchdog_start(&wd, diag) == 0;
	mem_ok = mem_bound(&old_as) == 0;
	ret = ctl_rtab_build_layout(
		&rs, NULL, b->single_db ? CTL_RTAB_SINGLE : CTL_RTAB_GROUPS,
		tab, &info, why, why_len);
	if (mem_ok)
		setrlimit(RLIMIT_AS, &old_as);
	if (wd_ok)
		watchdog_stop(&wd);
summary:
	/* a refused set takes nothing, whatever its rules were */
	if (ret == 0)
		fprintf(out, "rules: %zu read, %zu taken, %zu skipped\n",
			total.rules, total.taken, total.skipped);
	else if (total.taken == 0)
		fprintf(out, "rules: %zu read, 0 taken, %zu skipped\n",
			total.rules, total.skipped);
	else
		fprintf(out,
			"rules: %zu read, 0 taken, %zu skipped; %zu parsed but "
			"refused with the whole set: %s\n",
			total.rules, total.skipped, total.taken, why);
	if (ret == 0)
		info_report(out, &info, b->single_db);
out:
	ctl_rules_free(&rs);
	return ret;
}
