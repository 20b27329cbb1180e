/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll loop of a worker lcore, and nothing else.
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dp.h"
#include "dp_ruleset.h"

volatile int dp_stopping;

/*
 * Receive a burst on one leg, classify it, forward what passes and free the
 * rest. Returns the number of packets received. Worker lcore.
 */
static inline uint16_t
leg_poll(struct dp_worker *w, const struct dp_leg *leg)
{
	struct rte_mbuf *pkts[DP_BURST];
	struct rte_mbuf **pass = w->out_pass, **drop = w->out_drop;
	struct bw_worker_stats *st = w->st;
	const struct dp_ruleset *rs;
	uint16_t nb_rx, n_pass, n_drop, nb_tx, i;
	uint64_t pass_bytes = 0, unsent_bytes = 0;

	nb_rx = rte_eth_rx_burst(leg->rx_port, w->queue, pkts, DP_BURST);
	if (nb_rx == 0)
		return 0;
	/* valid until this worker's next quiescent report; pairs with the
	 * release store in ruleset.c dp_rsctl_apply() */
	rs = __atomic_load_n(w->active, __ATOMIC_ACQUIRE);
	n_pass = dp_pipeline_run(w, rs, leg->dir, pkts, nb_rx, pass, drop,
				 &n_drop);
	/*
	 * Count before sending: the mbufs the driver accepts are its own
	 * from then on (net_pcap frees them inside the call, and the pool
	 * may hand them out again). Those it did not accept are still ours.
	 */
	for (i = 0; i < n_pass; i++)
		pass_bytes += pass[i]->pkt_len;
	nb_tx = n_pass == 0 ? 0
			    : rte_eth_tx_burst(leg->tx_port, w->queue, pass,
					       n_pass);
	if (unlikely(nb_tx < n_pass)) {
		uint16_t unsent = n_pass - nb_tx;

		for (i = nb_tx; i < n_pass; i++)
			unsent_bytes += pass[i]->pkt_len;
		dp_cnt_add(&st->reason_drop_pkts[BW_REASON_TX_FULL], unsent);
		dp_cnt_add(&st->drop_pkts, unsent);
		dp_cnt_add(&st->drop_bytes, unsent_bytes);
		rte_pktmbuf_free_bulk(&pass[nb_tx], unsent);
	}
	dp_cnt_add(&st->tx_pkts, nb_tx);
	dp_cnt_add(&st->tx_bytes, pass_bytes - unsent_bytes);
	if (n_drop != 0)
		rte_pktmbuf_free_bulk(drop, n_drop);
	return nb_rx;
}

/* See dp.h: leg_poll() for callers outside this file (the unit tests). */
uint16_t
dp_worker_leg_poll(struct dp_worker *w, const struct dp_leg *leg)
{
	return leg_poll(w, leg);
}

/*
 * Worker lcore entry point (rte_eal_remote_launch). Polls every leg until
 * dp_stopping is set, then drains what the rx queues still hold so that no
 * received packet is left unaccounted. Busy and idle TSC are counted per
 * loop: a loop that received anything is busy. Returns 0.
 */
int
dp_worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct bw_worker_stats *st = w->st;
	uint64_t t0, t1;
	unsigned int l, round;
	uint32_t got;

	DP_LOG(INFO, "worker %u on lcore %u: %u legs, queue %u", w->id,
	       w->lcore_id, w->nb_legs, w->queue);
	rte_rcu_qsbr_thread_register(w->qsbr, w->id);
	rte_rcu_qsbr_thread_online(w->qsbr, w->id);
	t0 = rte_rdtsc();
	while (likely(!__atomic_load_n(&dp_stopping, __ATOMIC_RELAXED))) {
		/* no ruleset pointer survives past this point */
		rte_rcu_qsbr_quiescent(w->qsbr, w->id);
		got = 0;
		for (l = 0; l < w->nb_legs; l++)
			got += leg_poll(w, &w->legs[l]);
		t1 = rte_rdtsc();
		if (got != 0) {
			dp_cnt_add(&st->busy_tsc, t1 - t0);
		} else {
			/* held fragments time out when nothing arrives too */
			dp_frag_expire(w, t1, 0);
			dp_cnt_add(&st->idle_tsc, t1 - t0);
		}
		dp_cnt_add(&st->loops, 1);
		t0 = t1;
	}

	for (round = 0; round < DP_DRAIN_ROUNDS; round++) {
		got = 0;
		for (l = 0; l < w->nb_legs; l++)
			got += leg_poll(w, &w->legs[l]);
		if (got == 0)
			break;
	}
	/* what is still held cannot complete any more */
	dp_frag_expire(w, 0, 1);
	rte_rcu_qsbr_thread_offline(w->qsbr, w->id);
	rte_rcu_qsbr_thread_unregister(w->qsbr, w->id);
	DP_LOG(INFO, "worker %u stopped", w->id);
	return 0;
}
