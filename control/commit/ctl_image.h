/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ruleset image (include/bw_image.h) of the model (ctl_model.h):
 * writing FULL and DELTA images, reading a FULL image back into the
 * model, loading an image file. Every image written is checked with
 * bw_image_validate() before it is handed out, so bulwarkctl never
 * produces an image the dataplane would refuse.
 */
#ifndef CTL_IMAGE_H
#define CTL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"
#include "ctl_model.h"

/* Alignment of the buffers this module allocates for images. */
#define CTL_IMAGE_ALIGN 64

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

#endif /* CTL_IMAGE_H */
