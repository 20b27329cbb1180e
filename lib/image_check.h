/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The image validator's state and helpers, shared by its two files:
 * image.c (header, sections, lists, prefixes) and image_match.c (eBPF
 * programs, content rules, scan groups). Private to lib/.
 */
#ifndef IMAGE_CHECK_H
#define IMAGE_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"

#define SEC_TYPE_MAX BW_SEC_HSDB_GROUPS /* highest section type of this minor */
#define SEC_ALIGN    8u			/* bytes: table and section offsets */
#define ADDR_STR_LEN 64			/* "a.b.c.d" or RFC 5952 text */
#define INSNS_MAX    (BW_BPF_MAX * BW_BPF_INSNS_MAX) /* in one image */
/* Up to BW_HSGROUP_MAX databases of BW_HSDB_MAX each: the image bounds it. */
#define HSDB_GROUPS_MAX ((uint32_t)BW_IMAGE_SIZE_MAX)

struct sec_info {
	const char *name;   /* in reasons */
	uint32_t elem_size; /* bytes */
	uint32_t count_max; /* entries */
};

extern const struct sec_info img_sec_infos[SEC_TYPE_MAX + 1];

/* grp_of_cls and grp_of_base hold 1 + a group index in 16 bits. */
_Static_assert(BW_HSGROUP_MAX < UINT16_MAX, "group index fits 16 bits");

/* Validation in progress: what has been established so far. */
struct val {
	const uint8_t *base;
	uint64_t size;			    /* bytes, == len */
	const struct bw_image_hdr *hdr;	    /* header checked */
	const struct bw_image_section *tab; /* section table */
	/* Per section type: the table entry and its index, NULL if absent. */
	const struct bw_image_section *sec[SEC_TYPE_MAX + 1];
	uint32_t sec_idx[SEC_TYPE_MAX + 1];
	const struct bw_image_list *lists;
	uint32_t nb_lists;
	/* For list ids: 1 + index in the LISTS section, 0 if no such list. */
	uint8_t list_of_id[BW_LIST_MAX];
	/*
	 * Scan groups seen so far, as 1 + index in HSGROUPS (0: none): per
	 * (class, scope), and per (lane, scope) for the BASE groups. A class
	 * names its (lane, role) through any of its groups.
	 */
	uint16_t grp_of_cls[BW_HSCLASS_MAX + 1][3];
	uint16_t grp_of_base[BW_HSLANE_MAX + 1][3];
	uint32_t nb_stream_groups; /* groups in stream mode */
	char *why;
	size_t why_len;
};

/* Write the reason into c->why and return err (a negative errno). */
int img_refuse(struct val *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The image's bytes at off (checked by the caller). */
const void *img_at(const struct val *c, uint64_t off);

/* Entries (bytes for byte sections) of section type, 0 when absent. */
uint32_t img_sec_count(const struct val *c, uint32_t type);

/* Returns 1 when bits past len of the address are set. */
int img_host_bits4(uint32_t addr, uint8_t len);
int img_host_bits6(const uint8_t addr[16], uint8_t len);

/* A character of list and program names: [A-Za-z0-9_.-]. */
int img_name_char_ok(char ch);
/*
 * Refuses item i of kind ("list 3: empty name") unless its name field of
 * size bytes is NUL terminated, not empty, of that charset, zero after.
 */
int img_check_name(struct val *c, const char *kind, uint32_t i,
		   const char *name, size_t size);

/* FULL: the program table against the instruction section. */
int img_check_bpf(struct val *c);

/* FULL: content rules, their address and port sets, scan groups. */
int img_check_rules(struct val *c);

#endif /* IMAGE_CHECK_H */
