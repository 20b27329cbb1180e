/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scan groups (include/bw_image.h, docs/rules.md "Scan groups"): which
 * content rules go into which per-packet database, so that a packet is
 * scanned only with the rules its protocol and ports allow. Pure: works
 * on the rule and port tables of the image, compiles nothing (ctl_rtab.c
 * compiles one block database per group).
 */
#ifndef CTL_HSGROUP_H
#define CTL_HSGROUP_H

#include <stdint.h>

#include "bw_image.h"

/* A port set covering more than this many ports is treated as "any". */
#define CTL_HSGROUP_WIDE 32768u

struct ctl_hsgroup {
	uint8_t lane;	 /* BW_HSLANE_* */
	uint8_t role;	 /* BW_HSROLE_* */
	uint8_t scope;	 /* BW_HSSCOPE_* */
	uint16_t cls;	 /* 0 for BASE */
	uint32_t nb;	 /* rules */
	uint32_t *rules; /* rule indexes, ascending */
};

struct ctl_hsgroup_plan {
	uint32_t nb_groups;
	struct ctl_hsgroup *groups; /* by (lane, role, cls, scope) */
	uint32_t nb_hsports;
	struct bw_image_hsport *hsports; /* sorted by (lane, role, lo) */
	uint32_t nb_classes;		 /* ids 1..nb_classes */
};

/*
 * Plan the groups of the nb rules at rules (their port ranges in ports,
 * nb_ports entries, as in the image). Only rules with BW_RULE_F_CONTENT
 * take part. Returns 0, -E2BIG past BW_HSCLASS_MAX classes or
 * BW_HSGROUP_MAX groups, -EINVAL when a rule's port range lies outside
 * ports, or -ENOMEM; *p is left empty on failure. Control thread.
 */
int ctl_hsgroup_plan(const struct bw_image_rule *rules, uint32_t nb,
		     const struct bw_image_rport *ports, uint32_t nb_ports,
		     struct ctl_hsgroup_plan *p);

void ctl_hsgroup_plan_free(struct ctl_hsgroup_plan *p);

#endif /* CTL_HSGROUP_H */
