/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A parsed rule set (ctl_rules.h) to the content rule tables of the
 * ruleset image (struct ctl_rtab, ctl_image.h): map every rule to
 * Hyperscan expressions (ctl_hsmap.h), compile the per-packet databases
 * (by default one per scan group, ctl_hsgroup.h; or one block database
 * with every rule that has a payload condition) and the stream database
 * (TCP rules scanned on the byte stream), serialize them, and lay out the rule, address, port and string
 * tables of include/bw_image.h with rule index = expression id.
 */
#ifndef CTL_RTAB_H
#define CTL_RTAB_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_hsdb.h"
#include "ctl_model.h"
#include "ctl_rules.h"

/* What one build produced, for the operator. */
struct ctl_rtab_info {
	uint32_t nb_rules;	  /* rules in the table */
	uint32_t nb_content;	  /* rules with a payload condition */
	uint32_t nb_stream;	  /* of those, scanned on the TCP stream */
	uint32_t nb_exprs;	  /* expressions in the per-packet databases */
	uint64_t compile_ns;	  /* every compilation, wall time */
	uint64_t block_db_bytes;  /* serialized single block database */
	uint64_t stream_db_bytes; /* serialized stream database */
	uint32_t nb_groups;	  /* scan groups (0 with a single database) */
	uint32_t nb_classes;	  /* port classes of the scan groups */
	uint64_t groups_db_bytes; /* serialized group databases, padded */
};

/* How the per-packet rules are laid out (include/bw_image.h). */
enum ctl_rtab_layout {
	CTL_RTAB_GROUPS = 0, /* scan groups by protocol and port (default) */
	CTL_RTAB_SINGLE,     /* one block database for every packet */
};

/*
 * Build *t from the taken rules of rs (t is overwritten: it must be empty
 * or freed) with the database limits in lim (NULL: the defaults). More
 * than BW_RULE_MAX rules is -E2BIG. Returns 0; -E2BIG, -EINVAL (a rule
 * Hyperscan refuses, named in err as "FILE:LINE sid N: ...") or -ENOMEM
 * with a reason in err (CTL_HSDB_ERR_LEN bytes are enough); on failure *t
 * is left empty. info may be NULL. Control thread.
 */
int ctl_rtab_build(const struct ctl_rules *rs,
		   const struct ctl_hsdb_limits *lim, struct ctl_rtab *t,
		   struct ctl_rtab_info *info, char *err, size_t err_len);

/* The same with the per-packet layout chosen. */
int ctl_rtab_build_layout(const struct ctl_rules *rs,
			  const struct ctl_hsdb_limits *lim,
			  enum ctl_rtab_layout layout, struct ctl_rtab *t,
			  struct ctl_rtab_info *info, char *err,
			  size_t err_len);

/* The NUL-terminated string at off of t's string table ("" when bad). */
const char *ctl_rtab_string(const struct ctl_rtab *t, uint32_t off);

/* "alert", "drop", "pass" for a BW_RULE_* action; "?" when bad. */
const char *ctl_rtab_action_name(uint8_t action);

#endif /* CTL_RTAB_H */
