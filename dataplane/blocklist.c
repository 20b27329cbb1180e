/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The list stage of the pipeline: allow lists, then block lists, by
 * longest-prefix match of source and destination addresses (rte_fib for
 * IPv4, rte_fib6 for IPv6). One bulk lookup per table and family for the
 * whole burst. Worker lcores only.
 *
 * A tunnelled packet (decoder depth != 0) is looked up at every IP header
 * it holds, outer ones and the innermost: a blocked address at any level
 * drops it; an allow list lets it through only when each of its IP
 * headers has an address that an allow list covers (docs/blocklists.md,
 * "Tunnels"). These lookups are per packet, apart from the bulk ones, so
 * that untunnelled traffic pays nothing for them.
 */
#include <string.h>

#include <rte_branch_prediction.h>
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
decide(struct dp_worker *w, struct rte_mbuf *m, uint16_t i, uint8_t *verdict,
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
			w->obj[i] = (uint32_t)id;
		}
	}
}

/*
 * The list of table act that decides for the (src, dst) pair of family
 * l3 (DP_L3_IPV4 or IPV6, addresses in network byte order), -1 none or no
 * table.
 */
static int
pair_list(const struct dp_ruleset *rs, int act, uint8_t l3, const uint8_t *src,
	  const uint8_t *dst)
{
	uint64_t nh[2] = {BW_NH_NONE, BW_NH_NONE};

	if (l3 == DP_L3_IPV4) {
		uint32_t ip[2];

		if (rs->fib4[act] == NULL)
			return -1;
		ip[0] = (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 |
			(uint32_t)src[2] << 8 | src[3];
		ip[1] = (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 |
			(uint32_t)dst[2] << 8 | dst[3];
		rte_fib_lookup_bulk(rs->fib4[act], ip, nh, 2);
	} else {
		uint8_t ip6[2][RTE_FIB6_IPV6_ADDR_SIZE];

		if (rs->fib6[act] == NULL)
			return -1;
		memcpy(ip6[0], src, sizeof(ip6[0]));
		memcpy(ip6[1], dst, sizeof(ip6[1]));
		rte_fib6_lookup_bulk(rs->fib6[act], ip6, nh, 2);
	}
	return nh_list(nh);
}

/*
 * Decide for a tunnelled packet from the lookups of every IP header: the
 * outer ones (their addresses read from the frame, where the decoder
 * checked them present) and the innermost (its decoded addresses).
 */
static void
decide_tunnel(struct dp_worker *w, const struct dp_ruleset *rs,
	      struct rte_mbuf *m, uint16_t i, const struct dp_pkt *pi,
	      uint8_t *verdict)
{
	const uint8_t *data = rte_pktmbuf_mtod(m, const uint8_t *);
	int allow_all = 1, allow_id = -1, block_id = -1, id;
	unsigned int lv, nb_ip = 0;
	const uint8_t *src, *dst;
	uint8_t l3;

	for (lv = 0; lv <= pi->depth && lv <= DP_TUN_MAX; lv++) {
		if (lv < pi->depth && lv < DP_TUN_MAX) {
			uint32_t off = pi->outer_l3_off[lv];

			l3 = pi->outer_l3[lv];
			src = data + off + (l3 == DP_L3_IPV4 ? 12 : 8);
			dst = data + off + (l3 == DP_L3_IPV4 ? 16 : 24);
		} else {
			l3 = pi->l3;
			src = pi->src.a8;
			dst = pi->dst.a8;
		}
		if (l3 != DP_L3_IPV4 && l3 != DP_L3_IPV6)
			continue;
		nb_ip++;
		id = pair_list(rs, BW_ACT_ALLOW, l3, src, dst);
		if (id < 0)
			allow_all = 0;
		else
			allow_id = id; /* the innermost's counts the hit */
		if (block_id < 0)
			block_id = pair_list(rs, BW_ACT_BLOCK, l3, src, dst);
	}
	if (nb_ip != 0 && allow_all) {
		count_list(w, allow_id, m);
		*verdict = DP_VERDICT_ALLOW;
	} else if (block_id >= 0) {
		count_list(w, block_id, m);
		*verdict = BW_REASON_BLOCKLIST;
		w->obj[i] = (uint32_t)block_id;
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
	uint16_t idxt[DP_BURST], nt = 0;

	for (i = 0; i < n; i++) {
		const struct dp_pkt *pi = &w->info[i];

		if (verdict[i] != DP_VERDICT_PASS)
			continue;
		if (unlikely(pi->depth != 0)) {
			idxt[nt++] = i;
			continue;
		}
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
			decide(w, pkts[idx4[k]], idx4[k], &verdict[idx4[k]],
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
			decide(w, pkts[idx6[k]], idx6[k], &verdict[idx6[k]],
			       ab6 != NULL ? &ls->nh_allow[2 * k] : NULL,
			       bb6 != NULL ? &ls->nh_block[2 * k] : NULL);
	}
	for (k = 0; k < nt; k++)
		decide_tunnel(w, rs, pkts[idxt[k]], idxt[k], &w->info[idxt[k]],
			      &verdict[idxt[k]]);
}

_Static_assert(DP_TUN_TYPES == BW_TUN_TYPES, "tunnel types");
_Static_assert(DP_TUN_MAX == BW_TUN_DEPTH_MAX, "tunnel depth");

/*
 * Count a decoded packet with tunnel levels: once in tun_pkts[0], once
 * under each type it crosses, once under its depth. Only tunnelled
 * packets come here (the caller tests depth), so plain traffic pays one
 * branch. Worker lcore only.
 */
void
dp_tunnel_count(struct bw_worker_stats *st, const struct dp_pkt *p)
{
	unsigned int i, seen = 0;

	dp_cnt_add(&st->tun_pkts[0], 1);
	for (i = 0; i < p->depth; i++) {
		if ((seen & (1u << p->tun[i])) != 0)
			continue;
		seen |= 1u << p->tun[i];
		dp_cnt_add(&st->tun_pkts[p->tun[i]], 1);
	}
	dp_cnt_add(&st->tun_depth_pkts[p->depth - 1], 1);
}
