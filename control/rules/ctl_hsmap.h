/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rules to Hyperscan expressions for bulwarkctl, and the Hyperscan pattern
 * files of hsbench/hscollider ("ID:/regex/flags"). ctl_hsdb.h compiles
 * what this produces.
 *
 * Each taken rule with payload conditions becomes one reporting
 * expression whose id is the rule's index in the rule set: either a single
 * expression, or a logical combination (HS_FLAG_COMBINATION, "a & b & !c")
 * of quiet sub-expressions whose ids lie above the rule indexes. Every
 * mapping is exact or can only match less than Suricata (a rule that
 * cannot be mapped so is skipped with a reason): the table and the
 * argument are at the top of ctl_hsexpr.c and in docs/rules.md. The
 * map is built in ctl_hsmap.c, pattern files are read in ctl_hspattern.c.
 */
#ifndef CTL_HSMAP_H
#define CTL_HSMAP_H

#include <stddef.h>
#include <stdint.h>

#include <hs.h>

#include "ctl_rules.h"

/* One expression for hs_compile_ext_multi(). */
struct ctl_hsexpr {
	char *pattern;	    /* NUL-terminated Hyperscan syntax */
	unsigned int flags; /* HS_FLAG_* */
	unsigned int id;    /* rule index, or a sub-expression id */
	uint32_t rule;	    /* index of the rule it belongs to */
	int has_ext;	    /* ext is used */
	hs_expr_ext_t ext;  /* min_offset/max_offset/... when has_ext */
};

/*
 * The expressions of a whole rule set, rule by rule: rule i owns
 * e[first[i]] .. e[first[i] + count[i] - 1] (count 0: the rule has no
 * payload condition, only header ones). A rule's reporting expression
 * (id i) is its last one. A combination with a negated term also needs
 * the shared end-of-data expression e[eod] (needs_eod[i] != 0): Hyperscan
 * evaluates "!x" at the offset of each sub-expression match ("x has not
 * matched yet"), so such a combination includes "[\s\S]\z" and can only
 * become true at the end of the data, when every "!x" is final.
 */
struct ctl_hsmap {
	struct ctl_hsexpr *e;
	size_t nb_e;
	size_t cap_e;
	uint32_t *first;
	uint32_t *count;
	uint8_t *needs_eod;
	size_t nb_rules;
	size_t eod; /* index in e of the end-of-data expression */
};

/*
 * Map every rule of rs into map (emptied first). Sub-expression ids start
 * at rs->nb_rules. Returns 0; -EINVAL when a rule cannot be mapped (only
 * when it was not checked by ctl_hsmap_check() at load), with
 * "FILE:LINE sid N: REASON" in err (err_len bytes); -ENOMEM; or -E2BIG
 * when the ids do not fit in an unsigned int. Control thread.
 */
int ctl_hsmap_build(const struct ctl_rules *rs, struct ctl_hsmap *map,
		    char *err, size_t err_len);

/* Release what map holds; it is left empty and reusable. */
void ctl_hsmap_free(struct ctl_hsmap *map);

/*
 * A ctl_rule_check_fn for ctl_rules_load_file(): 0 when r maps exactly or
 * safely and Hyperscan accepts every expression (hs_expression_ext_info),
 * else non-zero with a reason in why ("cannot express negative distance
 * exactly", "pcre rejected by hyperscan: ...", "negated content only",
 * ...). arg is unused.
 */
int ctl_hsmap_check(const struct ctl_rule *r, char *why, size_t why_len,
		    void *arg);

/*
 * Load a Hyperscan pattern file (hsbench/hscollider format): per line
 * "ID:/regex/flags" with optional "{min_offset=N,max_offset=N,
 * min_length=N,edit_distance=N,hamming_distance=N}" after the flags;
 * '#' comment lines and blank lines ignored. Flags: i s m H V 8 W L C Q
 * (O is ignored); P (prefilter) is refused, as it matches more than the
 * regex. C marks a logical combination of other IDs of the same file.
 * Every expression becomes a rule of rs with the given action, protocol
 * ip, any address and port, sid = ID and CTL_RULE_PATTERN; a bad line is
 * skipped with its reason like a rule. Returns as ctl_rules_load_file().
 */
int ctl_hsmap_load_patterns(struct ctl_rules *rs, const char *path,
			    enum ctl_rule_action action,
			    struct ctl_rules_stats *st);

/* ctl_hsmap_load_patterns() on the len bytes at buf, named name. */
int ctl_hsmap_load_patterns_buf(struct ctl_rules *rs, const char *name,
				const char *buf, size_t len,
				enum ctl_rule_action action,
				struct ctl_rules_stats *st);

#endif /* CTL_HSMAP_H */
