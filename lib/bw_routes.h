/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The block/allow list model kept by the dataplane's control thread, and
 * the FIB operations that turn one generation's tables into the next.
 * Pure C (no DPDK) so that it is unit-tested and fuzzed without EAL.
 *
 * For each action (block, allow) and family, the lists' prefixes are merged
 * into one sorted table of routes: one entry per distinct prefix, with the
 * set of lists holding it. An entry's FIB next hop names two lists: the one
 * that decides when the packet's SOURCE address falls under the prefix
 * (the lowest-id source-matching list at this prefix or, failing that, at
 * the nearest enclosing prefix) and likewise for the DESTINATION. A FIB
 * longest-prefix lookup then answers "which list decides for this source
 * (or destination)" in one step, even when lists with different --match
 * modes nest inside each other.
 */
#ifndef BW_ROUTES_H
#define BW_ROUTES_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"
#include "bw_image_view.h"

#define BW_ACT_BLOCK 0
#define BW_ACT_ALLOW 1
#define BW_ACT_COUNT 2
#define BW_FAM_V4    0
#define BW_FAM_V6    1
#define BW_FAM_COUNT 2

/* A 15-bit FIB next hop: (src list id + 1) | (dst list id + 1) << 7. */
#define BW_NH_NONE 0
static inline uint16_t
bw_nh_encode(int src_id, int dst_id)
{
	return (uint16_t)((unsigned int)(src_id + 1) |
			  (unsigned int)(dst_id + 1) << 7);
}
/* List id that decides for a source address, or -1. */
static inline int
bw_nh_src(uint64_t nh)
{
	return (int)(nh & 0x7f) - 1;
}
/* List id that decides for a destination address, or -1. */
static inline int
bw_nh_dst(uint64_t nh)
{
	return (int)((nh >> 7) & 0x7f) - 1;
}

struct bw_route {
	uint64_t member[2]; /* bit i: list id i holds this prefix */
	uint8_t addr[16];   /* network order; IPv4 in addr[0..3] */
	uint16_t nh;	    /* bw_nh_encode() */
	uint8_t len;	    /* prefix length */
	uint8_t pad[5];
};

struct bw_rtable {
	struct bw_route *r; /* sorted by (addr, len), unique */
	uint32_t n;
	uint32_t cap;
};

struct bw_list_meta {
	char name[BW_LIST_NAME_LEN];
	uint16_t action; /* BW_ACTION_*; 0: no list with this id */
	uint16_t match;	 /* BW_MATCH_* */
	uint32_t nb_v4;
	uint32_t nb_v6;
};

struct bw_model {
	uint64_t generation;
	uint32_t nb_lists;
	struct bw_list_meta lists[BW_LIST_MAX]; /* indexed by list id */
	struct bw_rtable tab[BW_ACT_COUNT][BW_FAM_COUNT];
};

/* One FIB change: add (or replace the next hop of) / delete a prefix. */
struct bw_route_op {
	uint8_t addr[16];
	uint8_t len;
	uint8_t del; /* 1: delete */
	uint16_t nh; /* for adds */
};

struct bw_opvec {
	struct bw_route_op *o;
	uint32_t n;
	uint32_t cap;
};

struct bw_ops {
	struct bw_opvec v[BW_ACT_COUNT][BW_FAM_COUNT];
};

int bw_model_from_full(const struct bw_image_view *v, struct bw_model *m);
int bw_model_diff(const struct bw_model *old, const struct bw_model *m,
		  struct bw_ops *ops);
int bw_model_apply_delta(struct bw_model *m, const struct bw_image_view *v,
			 struct bw_ops *ops, char *why, size_t why_len);
uint64_t bw_model_lookup(const struct bw_model *m, int act, int fam,
			 const uint8_t *addr);
void bw_model_free(struct bw_model *m);
void bw_ops_free(struct bw_ops *ops);
uint32_t bw_ops_count(const struct bw_ops *ops);

#endif /* BW_ROUTES_H */
