/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ruleset model bulwarkctl edits (lists of prefixes, eBPF programs) and
 * its ruleset image (include/bw_image.h): writing FULL and DELTA images,
 * reading a FULL image back into the model, loading an image file. Every image written is
 * checked with bw_image_validate() before it is handed out, so bulwarkctl
 * never produces an image the dataplane would refuse.
 */
#ifndef CTL_IMAGE_H
#define CTL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"
#include "ctl_prefix.h"

/* Alignment of the buffers this module allocates for images. */
#define CTL_IMAGE_ALIGN 64

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

struct ctl_delta_entry {
	uint16_t list;	     /* list id */
	uint8_t op;	     /* BW_OP_ADD or BW_OP_DEL */
	struct ctl_prefix p; /* host bits zero */
};

struct ctl_image_meta {
	uint64_t generation; /* of the image, >= 1 */
	uint64_t parent_gen; /* < generation; DELTA: the generation in force */
	uint32_t creator_uid;
	uint64_t created_ns;	      /* CLOCK_REALTIME ns */
	char comment[BW_COMMENT_LEN]; /* NUL terminated */
};

/*
 * Write a FULL image of rs with header fields from m (rs->generation is not
 * used: m->generation is the image's). Each list's set must be sorted and
 * unique (ctl_prefix_set_sort_unique()) with host bits zero. Layout: header,
 * section table, LISTS, then PREFIX4, PREFIX6, BPF, BPF_INSNS and the
 * content rule sections (RULES, RADDRS, RPORTS, RSTRINGS, HSDB_BLOCK,
 * HSDB_STREAM, HSGROUPS, HSPORTS, HSDB_GROUPS) when not empty, each
 * 8-aligned; the CRC is filled last. rs->rtab carries either scan groups
 * (groups, hsports, gdb) or a block database, not both (the validator
 * refuses both). *img is allocated with aligned_alloc() (CTL_IMAGE_ALIGN)
 * and zero padded; the caller frees it. Returns 0,
 * -EINVAL when rs or m would make an invalid image, -E2BIG over a limit of
 * bw_image.h, -ENOMEM. Called by bulwarkctl (single-threaded).
 */
int ctl_image_write_full(const struct ctl_ruleset *rs,
			 const struct ctl_image_meta *m, void **img,
			 size_t *len);

/*
 * Write a DELTA image: the list table of result_lists (the ruleset after
 * the change; nb_v4 and nb_v6 are the sizes of its sets; its programs are
 * not written: a DELTA keeps those in force) and the nb changes
 * at d, which are copied and sorted by (list, family, addr, len); d itself
 * is not changed. Every entry must name a list of result_lists, and no
 * prefix may appear twice in one list (-EINVAL). Allocation, layout and
 * return values as ctl_image_write_full().
 */
int ctl_image_write_delta(const struct ctl_ruleset *result_lists,
			  const struct ctl_delta_entry *d, size_t nb,
			  const struct ctl_image_meta *m, void **img,
			  size_t *len);

/*
 * Validate len bytes at img (8-aligned) with bw_image_validate(), refuse a
 * DELTA image, and rebuild the model into *rs (overwritten, not freed) and,
 * when m is not NULL, the header fields into *m. rs->generation is the
 * image's. Returns 0 (the caller then owns rs and frees it with
 * ctl_ruleset_free()), -EINVAL or -E2BIG with a reason in why (why_len
 * bytes; BW_IMAGE_WHY_LEN is enough), or -ENOMEM; on failure *rs is empty.
 */
int ctl_image_read(const void *img, size_t len, struct ctl_ruleset *rs,
		   struct ctl_image_meta *m, char *why, size_t why_len);

/*
 * Read the whole file at path into a new buffer aligned to CTL_IMAGE_ALIGN
 * (*img, freed by the caller; *len its bytes). Returns 0, -E2BIG when the
 * file is larger than BW_IMAGE_SIZE_MAX, -EINVAL when it is not a regular
 * file, -ENOMEM or another -errno from open/fstat/read.
 */
int ctl_image_load_file(const char *path, void **img, size_t *len);

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

#endif /* CTL_IMAGE_H */
