/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ruleset model bulwarkctl edits: lists of prefixes, eBPF programs
 * and the content rule tables, as struct ctl_ruleset. Pure memory: images
 * of it are written and read by commit/ (ctl_image.h).
 */
#ifndef CTL_MODEL_H
#define CTL_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"
#include "ctl_prefix.h"

struct ctl_list {
	char name[BW_LIST_NAME_LEN]; /* NUL terminated, [A-Za-z0-9_.-] */
	uint32_t id;		     /* < BW_LIST_MAX, kept for life */
	uint16_t action;	     /* BW_ACTION_* */
	uint16_t match;		     /* BW_MATCH_* */
	struct ctl_prefix_set set;   /* sorted, unique */
};

/* One eBPF program: its code as bulwarkctl verified it (ctl_bpfobj.h). */
struct ctl_prog {
	char name[BW_BPF_NAME_LEN];  /* NUL terminated, [A-Za-z0-9_.-] */
	uint32_t order;		     /* run order, unique in a ruleset */
	uint32_t nb_insns;	     /* 1..BW_BPF_INSNS_MAX */
	struct bw_image_insn *insns; /* malloc'd, nb_insns entries */
	uint32_t on_fault;	     /* BW_IMAGE_BPF_ON_FAULT_* */
};

/*
 * The content rules of a ruleset as they travel in the image: the tables
 * of include/bw_image.h, built by ctl_rtab_build() (ctl_rtab.h) from a
 * parsed rule set and its compiled databases, or copied back from an
 * image. Every pointer is malloc'd (NULL when its count is 0).
 */
struct ctl_rtab {
	uint32_t nb_rules;
	struct bw_image_rule *rules;
	uint32_t nb_addrs;
	struct bw_image_raddr *addrs;
	uint32_t nb_ports;
	struct bw_image_rport *ports;
	uint32_t strings_len; /* bytes, the last one a NUL */
	char *strings;
	uint32_t block_len; /* bytes of the serialized block database */
	uint8_t *block;
	uint32_t stream_len; /* bytes of the serialized stream database */
	uint8_t *stream;
	uint32_t nb_groups; /* scan groups (bw_image.h), 0 with block */
	struct bw_image_hsgroup *groups;
	uint32_t nb_hsports; /* port map ranges of the scan groups */
	struct bw_image_hsport *hsports;
	uint32_t gdb_len; /* bytes of the groups' databases, 8-aligned each */
	uint8_t *gdb;
};

struct ctl_ruleset {
	uint64_t generation; /* generation this model was read at, or 0 */
	uint32_t nb_lists;
	struct ctl_list lists[BW_LIST_MAX]; /* sorted by id */
	uint32_t nb_progs;
	struct ctl_prog progs[BW_BPF_MAX]; /* sorted by order */
	struct ctl_rtab rtab;		   /* content rules */
};

/* Free every list's set; rs is left an empty ruleset. */
void ctl_ruleset_free(struct ctl_ruleset *rs);

/* The list called name, or NULL. */
struct ctl_list *ctl_ruleset_find(struct ctl_ruleset *rs, const char *name);

/*
 * Add an empty list with the smallest id no list holds, keeping rs sorted
 * by id; *out (may be NULL) points at it until rs next changes. Returns 0,
 * -EINVAL for a bad name (bw_image_name_valid()), action or match,
 * -EEXIST when the name is taken, -ENOSPC when rs holds BW_LIST_MAX lists.
 */
int ctl_ruleset_add_list(struct ctl_ruleset *rs, const char *name,
			 uint16_t action, uint16_t match,
			 struct ctl_list **out);

/* Remove the list called name and free its set. Returns 0 or -ENOENT. */
int ctl_ruleset_del_list(struct ctl_ruleset *rs, const char *name);

/* Order a new program gets without --order: 10 past the last one's. */
#define CTL_PROG_ORDER_STEP 10

/* The program called name, or NULL. */
struct ctl_prog *ctl_ruleset_find_prog(struct ctl_ruleset *rs,
				       const char *name);

/*
 * Add program name with a copy of the nb instructions at insns, or
 * replace the code of the program of that name. order: the run order
 * wanted, or NULL to keep a replaced program's order and to put a new
 * one CTL_PROG_ORDER_STEP after the last (CTL_PROG_ORDER_STEP when it is
 * the first). When another program holds the order wanted, it and every
 * program after it move one down (order + 1) to make room. rs stays
 * sorted by order. Returns 0, -EINVAL for a bad name (bw_image_name_valid())
 * or instruction count, -ENOSPC when rs holds BW_BPF_MAX other programs,
 * -ERANGE when an order would pass UINT32_MAX, -ENOMEM; rs is unchanged
 * on failure.
 */
int ctl_ruleset_put_prog(struct ctl_ruleset *rs, const char *name,
			 const struct bw_image_insn *insns, uint32_t nb,
			 const uint32_t *order);

/* Remove the program called name. Returns 0 or -ENOENT. */
int ctl_ruleset_del_prog(struct ctl_ruleset *rs, const char *name);

/* CRC32C of a program's instructions, as the dataplane reports it. */
uint32_t ctl_prog_crc(const struct ctl_prog *p);

/* Free what t holds; it is left empty. */
void ctl_rtab_free(struct ctl_rtab *t);

/* A deep copy of src into *dst. Returns 0 or -ENOMEM (dst then empty). */
int ctl_rtab_dup(struct ctl_rtab *dst, const struct ctl_rtab *src);

/* 1 when a and b hold the same rule tables and databases, byte for byte. */
int ctl_rtab_equal(const struct ctl_rtab *a, const struct ctl_rtab *b);

/* 1 when a and b hold the same programs (name, order, code), in order. */
int ctl_ruleset_progs_equal(const struct ctl_ruleset *a,
			    const struct ctl_ruleset *b);

/* A deep copy of src into *dst. Returns 0 or -ENOMEM (dst then empty). */
int ctl_ruleset_dup(struct ctl_ruleset *dst, const struct ctl_ruleset *src);

#endif /* CTL_MODEL_H */
