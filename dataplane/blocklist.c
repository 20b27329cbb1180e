/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The list stage of the pipeline: allow lists, then block lists, by
 * longest-prefix match of source and destination addresses (rte_fib for
 * IPv4, rte_fib6 for IPv6). One bulk lookup per table and family for the
 * whole burst. Worker lcores only.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_ruleset.h"

static inline void
count_list(struct dp_worker *w, int id, const struct rte_mbuf *m)
{
	dp_cnt_add(&w->lst[id].pkts, 1);
	dp_cnt_add(&w->lst[id].bytes, m->pkt_len);
}

/*
 * The list that decides for a packet from its (source, destination)
 * lookups in one table: the source's, else the destination's; -1 none.
 */
static inline int
nh_list(const uint64_t *nh)
{
	int id = bw_nh_src(nh[0]);

	return id >= 0 ? id : bw_nh_dst(nh[1]);
}

/* Decide for packet idx from its (src, dst) lookups in allow and block. */
static inline void
decide(struct dp_worker *w, struct rte_mbuf *m, uint8_t *verdict,
       const uint64_t *allow_nh, const uint64_t *block_nh)
{
	int id;

	if (allow_nh != NULL) {
		id = nh_list(allow_nh);
		if (id >= 0) {
			count_list(w, id, m);
			*verdict = DP_VERDICT_ALLOW;
			return;
		}
	}
	if (block_nh != NULL) {
		id = nh_list(block_nh);
		if (id >= 0) {
			count_list(w, id, m);
			*verdict = BW_REASON_BLOCKLIST;
		}
	}
}

/*
 * Run the list stage over the packets of a burst whose verdict is still
 * DP_VERDICT_PASS; set DP_VERDICT_ALLOW or BW_REASON_BLOCKLIST.
 */
void
dp_blocklist_classify(struct dp_worker *w, const struct dp_ruleset *rs,
		      struct rte_mbuf **pkts, uint16_t n, uint8_t *verdict)
{
	struct rte_fib *ab4 = rs->fib4[BW_ACT_ALLOW],
		       *bb4 = rs->fib4[BW_ACT_BLOCK];
	struct rte_fib6 *ab6 = rs->fib6[BW_ACT_ALLOW],
			*bb6 = rs->fib6[BW_ACT_BLOCK];
	struct dp_list_scratch *ls = &w->list_scr;
	uint16_t idx4[DP_BURST], idx6[DP_BURST], n4 = 0, n6 = 0, i, k;

	for (i = 0; i < n; i++) {
		const struct dp_pkt *pi = &w->info[i];

		if (verdict[i] != DP_VERDICT_PASS)
			continue;
		if (pi->l3 == DP_L3_IPV4 && (ab4 != NULL || bb4 != NULL)) {
			ls->ip4[2 * n4] = rte_be_to_cpu_32(pi->src.a32[0]);
			ls->ip4[2 * n4 + 1] = rte_be_to_cpu_32(pi->dst.a32[0]);
			idx4[n4++] = i;
		} else if (pi->l3 == DP_L3_IPV6 &&
			   (ab6 != NULL || bb6 != NULL)) {
			memcpy(ls->ip6[2 * n6], pi->src.a8, 16);
			memcpy(ls->ip6[2 * n6 + 1], pi->dst.a8, 16);
			idx6[n6++] = i;
		}
	}
	if (n4 != 0) {
		if (ab4 != NULL)
			rte_fib_lookup_bulk(ab4, ls->ip4, ls->nh_allow, 2 * n4);
		if (bb4 != NULL)
			rte_fib_lookup_bulk(bb4, ls->ip4, ls->nh_block, 2 * n4);
		for (k = 0; k < n4; k++)
			decide(w, pkts[idx4[k]], &verdict[idx4[k]],
			       ab4 != NULL ? &ls->nh_allow[2 * k] : NULL,
			       bb4 != NULL ? &ls->nh_block[2 * k] : NULL);
	}
	if (n6 != 0) {
		if (ab6 != NULL)
			rte_fib6_lookup_bulk(ab6, ls->ip6, ls->nh_allow,
					     2 * n6);
		if (bb6 != NULL)
			rte_fib6_lookup_bulk(bb6, ls->ip6, ls->nh_block,
					     2 * n6);
		for (k = 0; k < n6; k++)
			decide(w, pkts[idx6[k]], &verdict[idx6[k]],
			       ab6 != NULL ? &ls->nh_allow[2 * k] : NULL,
			       bb6 != NULL ? &ls->nh_block[2 * k] : NULL);
	}
}
