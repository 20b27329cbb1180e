/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet pipeline of DESIGN.md section 2, one burst at a time:
 * decode and malformed policy, then IP reassembly (fragments are held
 * until their datagram is whole, which then takes the completing
 * fragment's slot), then allow and block lists, then eBPF programs, then
 * content rules. The first decisive stage wins.
 * Worker lcores only: no allocation, locks, syscalls or logging here.
 */
#include <rte_branch_prediction.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dp.h"
#include "dp_capture.h"
#include "dp_events.h"
#include "dp_ruleset.h"

#define DP_PREFETCH_AHEAD 4

/*
 * Stage 1: decode every packet, apply the malformed-packet policy.
 * Returns the fragments among them.
 */
static uint64_t
decode_burst(struct dp_worker *w, uint8_t dir, struct rte_mbuf **pkts,
	     uint16_t n)
{
	struct bw_worker_stats *st = w->st;
	uint64_t rx_bytes = 0, nb_v4 = 0, nb_v6 = 0, nb_nonip = 0;
	uint64_t nb_frag = 0, nb_anomaly = 0;
	const struct dp_decode_cfg *dc =
		w->decode != NULL ? w->decode : &dp_decode_cfg_default;
	uint64_t port_bits = dc->port_bits;
	unsigned int tun = 0;
	uint16_t i;

	for (i = 0; i < n && i < DP_PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_pkt *pi = &w->info[i];
		int reason;

		if (i + DP_PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(
				pkts[i + DP_PREFETCH_AHEAD], void *));
		rx_bytes += m->pkt_len;
		reason = dp_decode_outer(rte_pktmbuf_mtod(m, const uint8_t *),
					 m->data_len, m->pkt_len, dir,
					 port_bits, pi);
		if (unlikely(pi->flags & DP_PKT_TUN_MAYBE)) {
			reason = dp_decode_tunnels(
				rte_pktmbuf_mtod(m, const uint8_t *),
				m->data_len, m->pkt_len, dc, pi);
			tun |= pi->depth;
		}
		nb_v4 += pi->l3 == DP_L3_IPV4;
		nb_v6 += pi->l3 == DP_L3_IPV6;
		nb_nonip += pi->l3 == DP_L3_NONE && reason == BW_REASON_NONE;
		nb_frag += pi->frag != DP_FRAG_NONE;
		w->verdict[i] = DP_VERDICT_PASS;
		if (unlikely(reason != BW_REASON_NONE)) {
			if (w->malformed_drop[reason]) {
				w->verdict[i] = (uint8_t)reason;
			} else {
				dp_cnt_add(&st->reason_pass_pkts[reason], 1);
				nb_anomaly++;
			}
		}
	}
	/* tunnels: one test per burst while there are none */
	if (unlikely(tun != 0))
		for (i = 0; i < n; i++)
			if (w->info[i].depth != 0)
				dp_tunnel_count(st, &w->info[i]);
	dp_cnt_add(&st->rx_pkts, n);
	dp_cnt_add(&st->rx_bytes, rx_bytes);
	dp_cnt_add(&st->ipv4_pkts, nb_v4);
	dp_cnt_add(&st->ipv6_pkts, nb_v6);
	dp_cnt_add(&st->nonip_pkts, nb_nonip);
	dp_cnt_add(&st->frag_pkts, nb_frag);
	if (nb_anomaly != 0)
		dp_cnt_add(&st->anomaly_pass_pkts, nb_anomaly);
	return nb_frag;
}

/*
 * The burst's final verdicts to the events ring and the armed capture
 * (before the fragments of a datagram take its verdict: a reassembled
 * datagram is one event, one captured packet).
 */
static void
observe(struct dp_worker *w, const struct dp_ruleset *rs,
	struct rte_mbuf **pkts, uint16_t n)
{
	uint8_t f = __atomic_load_n(&w->obs_flags, __ATOMIC_RELAXED);

	w->obs_gen = rs != NULL ? rs->generation : 0;
	if (f & DP_OBS_EVENTS)
		dp_events_burst(w, rs != NULL ? rs->generation : 0,
				rs != NULL ? rs->match : NULL, pkts, n);
	if (f & DP_OBS_CAPTURE)
		dp_capture_burst(w, rs, pkts, n);
}

/*
 * The verdicts to pass[] and drop[] (counted by reason); held fragments
 * are the table's. done: a datagram completed in this burst, whose slot
 * hands its verdict to its fragments; a constant at each call, so that
 * the common loop has no such test. Returns the bytes dropped.
 */
static inline __attribute__((always_inline)) uint64_t
sort_burst(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n, int done,
	   struct rte_mbuf **pass, uint16_t *np, struct rte_mbuf **drop,
	   uint16_t *nd)
{
	struct bw_worker_stats *st = w->st;
	uint64_t drop_bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint8_t v = w->verdict[i];

		if (done && w->frag.slot[i] != DP_FRAG_NONE_IDX) {
			/* a datagram: its verdict goes to its fragments */
			dp_frag_settle(w, pkts, i, v, pass, np, drop, nd);
			continue;
		}
		if (likely(v == DP_VERDICT_PASS || v == DP_VERDICT_ALLOW)) {
			pass[(*np)++] = pkts[i];
			continue;
		}
		if (v == DP_VERDICT_HELD)
			continue; /* the fragment table's now */
		dp_cnt_add(&st->reason_drop_pkts[v], 1);
		drop_bytes += pkts[i]->pkt_len;
		drop[(*nd)++] = pkts[i];
	}
	return drop_bytes;
}

/*
 * Classify n packets received on a leg of direction dir under ruleset rs
 * (NULL before the first one exists). See dp.h.
 */
uint16_t
dp_pipeline_run(struct dp_worker *w, const struct dp_ruleset *rs, uint8_t dir,
		struct rte_mbuf **pkts, uint16_t n, struct rte_mbuf **pass,
		struct rte_mbuf **drop, uint16_t *n_drop)
{
	struct bw_worker_stats *st = w->st;
	uint64_t drop_bytes = 0, nb_frag;
	uint16_t i, np = 0, nd = 0;

	nb_frag = decode_burst(w, dir, pkts, n);
	/*
	 * reassembly: only a burst with fragments, or a table holding some
	 * (their timeouts), costs anything
	 */
	if (w->frag.on && (nb_frag != 0 || w->frag.tab.used != 0))
		dp_frag_stage(w, pkts, n);
	else
		w->frag.nb_done = 0;

	if (unlikely(rs == NULL)) {
		if (w->fail_closed)
			for (i = 0; i < n; i++)
				if (w->verdict[i] == DP_VERDICT_PASS)
					w->verdict[i] = BW_REASON_NO_RULESET;
	} else {
		dp_blocklist_classify(w, rs, pkts, n, w->verdict);
		if (rs->bpf != NULL)
			dp_bpf_classify(w, rs, pkts, n, w->verdict);
		if (rs->match != NULL)
			dp_match_classify(w, rs, pkts, n, w->verdict);
	}

	/* events and captures: one branch per burst while neither is on */
	if (unlikely(__atomic_load_n(&w->obs_flags, __ATOMIC_RELAXED) != 0))
		observe(w, rs, pkts, n);

	/* a burst that completed no datagram takes the loop without its test */
	if (unlikely(w->frag.nb_done != 0))
		drop_bytes = sort_burst(w, pkts, n, 1, pass, &np, drop, &nd);
	else
		drop_bytes = sort_burst(w, pkts, n, 0, pass, &np, drop, &nd);
	if (nd != 0) {
		dp_cnt_add(&st->drop_pkts, nd);
		dp_cnt_add(&st->drop_bytes, drop_bytes);
	}
	*n_drop = nd;
	return np;
}
