/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bulwark: EAL, ports, status region, worker launch and the main lcore's
 * service loop. The only file that may call rte_exit.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_pdump.h>

#include "dp.h"
#include "dp_capture.h"
#include "dp_events.h"
#include "dp_log.h"
#include "dp_port.h"
#include "dp_ruleset.h"
#include "dp_sig.h"
#include "dp_status.h"
#include "dp_telemetry.h"
#include "service.h"

#define DP_MBUF_CACHE	     256
#define DP_SERVICE_PERIOD_US 10000 /* main loop tick */
#define DP_STATS_PERIOD_MS   100   /* heartbeat and port counters */

/* One port in use: its id, role and status slot. */
struct dp_port_slot {
	uint16_t port_id;
	uint16_t pair;
	uint16_t role; /* BW_ROLE_* */
};

static struct dp_config cfg;
static struct dp_port_slot port_slots[DP_PORT_MAX];
static unsigned int nb_port_slots;
static struct dp_status status;
static struct dp_rsctl rsctl;

volatile uint32_t dp_hup_gen;

/* Resolve the --pair arguments into port slots; exits on error. */
static void
resolve_pairs(void)
{
	unsigned int p, s;

	for (p = 0; p < cfg.nb_pairs; p++) {
		const char *names[2] = {cfg.pair_args[p].outside,
					cfg.pair_args[p].inside};
		unsigned int side;

		for (side = 0; side < 2; side++) {
			uint16_t id;

			if (dp_port_resolve(names[side], &id) != 0)
				rte_exit(EXIT_FAILURE,
					 "--pair %s:%s: no port '%s' (%u ports "
					 "available; add --vdev or a NIC)\n",
					 cfg.pair_args[p].outside,
					 cfg.pair_args[p].inside, names[side],
					 rte_eth_dev_count_avail());
			for (s = 0; s < nb_port_slots; s++)
				if (port_slots[s].port_id == id)
					rte_exit(EXIT_FAILURE,
						 "port %u appears in more than "
						 "one --pair side\n",
						 id);
			port_slots[nb_port_slots].port_id = id;
			port_slots[nb_port_slots].pair = (uint16_t)p;
			port_slots[nb_port_slots].role =
				side == 0 ? BW_ROLE_OUTSIDE : BW_ROLE_INSIDE;
			nb_port_slots++;
		}
	}
}

/*
 * Mbufs for every rx and tx ring, every worker's burst arrays and the
 * per-lcore caches, with headroom.
 */
static unsigned int
mbuf_count(unsigned int nb_workers)
{
	unsigned int n;

	n = nb_port_slots * nb_workers * (cfg.nb_rxd + cfg.nb_txd);
	n += nb_workers * (3 * DP_BURST + DP_MBUF_CACHE);
	/* the fragments each worker may hold for reassembly */
	n += nb_workers * cfg.frag_dgrams * cfg.frag_per;
	n += 2048;
	return n > cfg.nb_mbufs ? n : cfg.nb_mbufs;
}

/* Fill the identity fields of the port records. */
static void
status_ports_init(void)
{
	unsigned int s;

	for (s = 0; s < nb_port_slots; s++) {
		struct bw_port_stats *ps = dp_status_port(&status, s);
		struct rte_ether_addr mac;

		rte_eth_dev_get_name_by_port(port_slots[s].port_id, ps->name);
		ps->port_id = port_slots[s].port_id;
		ps->pair = port_slots[s].pair;
		ps->role = port_slots[s].role;
		ps->nb_queues = rte_lcore_count() - 1;
		if (rte_eth_macaddr_get(port_slots[s].port_id, &mac) == 0)
			memcpy(ps->mac, mac.addr_bytes, sizeof(ps->mac));
	}
}

/* Give each worker its queue, legs and status record. */
static struct dp_worker *
workers_init(unsigned int nb_workers)
{
	const struct dp_flow_params fp = {
		.nb = cfg.nb_flows,
		.idle_s = cfg.flow_idle_s,
		.pool_mib = cfg.stream_mib,
		.hold_kib = cfg.hold_kib,
		.ahead_kib = cfg.ahead_kib,
	};
	struct dp_worker *workers;
	unsigned int lcore, i = 0, s;

	workers = rte_zmalloc("bw_workers", nb_workers * sizeof(*workers),
			      RTE_CACHE_LINE_SIZE);
	if (workers == NULL)
		return NULL;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		struct dp_worker *w = &workers[i];

		w->id = i;
		w->lcore_id = lcore;
		w->queue = (uint16_t)i;
		w->st = dp_status_worker(&status, i);
		w->st->lcore_id = lcore;
		w->st->socket_id = rte_lcore_to_socket_id(lcore);
		w->lst = dp_status_list_stats(&status, i);
		w->bst = dp_status_bpf_stats(&status, i);
		w->rst[0] = dp_status_rule_stats(&status, i, 0);
		w->rst[1] = dp_status_rule_stats(&status, i, 1);
		if (dp_flow_table_init(&w->flows, i, &fp,
				       (int)rte_lcore_to_socket_id(lcore)) != 0)
			rte_exit(EXIT_FAILURE,
				 "worker %u: no memory for %u flows "
				 "(--flows) and %u MiB of held bytes "
				 "(--stream-memory)\n",
				 i, cfg.nb_flows, cfg.stream_mib);
		if (dp_frag_init(w, &cfg, (int)rte_lcore_to_socket_id(lcore)) !=
		    0)
			rte_exit(EXIT_FAILURE,
				 "worker %u: no memory for %u datagrams of "
				 "%u fragments (--frag-datagrams, "
				 "--frag-per-datagram)\n",
				 i, cfg.frag_dgrams, cfg.frag_per);
		w->malformed_drop = cfg.malformed_drop;
		w->tcp_midstream = cfg.tcp_midstream;
		w->decode = &cfg.decode;
		w->fail_closed = cfg.fail_closed;
		w->active = &rsctl.active;
		w->qsbr = rsctl.qsbr;
		/* slots come in (outside, inside) order per pair */
		for (s = 0; s + 1 < nb_port_slots; s += 2) {
			uint16_t out = port_slots[s].port_id;
			uint16_t in = port_slots[s + 1].port_id;

			w->legs[w->nb_legs++] =
				(struct dp_leg){.rx_port = out,
						.tx_port = in,
						.dir = DP_DIR_INBOUND};
			w->legs[w->nb_legs++] =
				(struct dp_leg){.rx_port = in,
						.tx_port = out,
						.dir = DP_DIR_OUTBOUND};
		}
		i++;
	}
	return workers;
}

/* Refresh heartbeat and port counters. */
static void
status_refresh(void)
{
	unsigned int s;

	for (s = 0; s < nb_port_slots; s++)
		dp_port_stats_copy(port_slots[s].port_id,
				   dp_status_port(&status, s));
	dp_status_heartbeat(&status);
}

int
main(int argc, char **argv)
{
	struct dp_worker *workers;
	struct rte_mempool *mp;
	unsigned int nb_workers, s, lcore, i, ticks = 0;
	char why[PATH_MAX + 384];
	uint16_t port_ids[DP_PORT_MAX];
	uint64_t failed_gen;
	int ret;

	/* --version, --help: no EAL, no hugepages */
	if (dp_svc_early(argc, argv))
		return 0;
	dp_log_init();
	dp_svc_signals();
	ret = rte_eal_init(argc, argv);
	if (ret < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n",
			 rte_strerror(rte_errno));
	argc -= ret;
	argv += ret;
	/* dpdk-dumpcap and dpdk-pdump attach as secondary processes */
	if (rte_pdump_init() != 0)
		DP_LOG(WARNING, "packet capture server (rte_pdump): %s",
		       rte_strerror(rte_errno));
	argv[0] = (char *)(uintptr_t) "bulwark";

	ret = dp_args_parse(argc, argv, &cfg);
	if (ret == 1) {
		rte_eal_cleanup();
		return 0;
	}
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "bad arguments\n");
	if (dp_log_configure(cfg.log_file, cfg.log_syslog, why, sizeof(why)))
		rte_exit(EXIT_FAILURE, "--log-file %s\n", why);

	nb_workers = rte_lcore_count() - 1;
	if (nb_workers == 0)
		rte_exit(EXIT_FAILURE,
			 "no worker lcore: give EAL at least two lcores "
			 "(-l MAIN,WORKER...); the main lcore never polls\n");
	if (nb_workers > BW_WORKER_MAX)
		rte_exit(EXIT_FAILURE, "at most %d workers\n", BW_WORKER_MAX);
	resolve_pairs();
	if (dp_svc_init(&cfg, nb_workers, why, sizeof(why)) != 0)
		rte_exit(EXIT_FAILURE, "%s\n", why);

	ret = dp_status_create(&status, cfg.instance, nb_workers, nb_port_slots,
			       rte_get_tsc_hz());
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "status region: %s\n", strerror(-ret));
	status_ports_init();

	mp = rte_pktmbuf_pool_create(
		"bw_mbufs", mbuf_count(nb_workers), DP_MBUF_CACHE, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL)
		rte_exit(EXIT_FAILURE, "mbuf pool of %u: %s\n",
			 mbuf_count(nb_workers), rte_strerror(rte_errno));

	for (s = 0; s < nb_port_slots; s++)
		if (dp_port_setup(port_slots[s].port_id, (uint16_t)nb_workers,
				  mp, &cfg) != 0)
			rte_exit(EXIT_FAILURE, "port %u set-up failed\n",
				 port_slots[s].port_id);

	status.hdr->fail_closed = cfg.fail_closed;
	status.hdr->bpf_jit = !cfg.bpf_no_jit;
	ret = dp_rsctl_init(&rsctl, nb_workers, &status);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "RCU set-up: %s\n", strerror(-ret));
	rsctl.bpf_jit = !cfg.bpf_no_jit;
	workers = workers_init(nb_workers);
	if (workers == NULL)
		rte_exit(EXIT_FAILURE, "out of memory for workers\n");
	if (dp_events_init(&cfg.events, &status, &rsctl.model, workers,
			   nb_workers) != 0)
		rte_exit(EXIT_FAILURE, "out of memory for the event rings\n");
	dp_capture_init(&status, workers, nb_workers);
	/* every worker's table has the same capacity: the stream slots */
	rsctl.nb_flows = nb_workers > 0 ? workers[0].flows.nb : 0;
	/* the newest committed ruleset is in force before the first packet */
	ret = dp_rsctl_load_state(&rsctl, cfg.state_dir, &failed_gen, why,
				  sizeof(why));
	if (ret == -ENOMEM && !cfg.restore_fail_closed)
		rte_exit(EXIT_FAILURE,
			 "generation %" PRIu64 ", the newest valid one in %s, "
			 "cannot be applied: %s; not running an older one "
			 "instead: give the dataplane more memory (EAL -m, "
			 "hugepages), or start it with --restore-fail-closed "
			 "to run none and drop everything until a commit\n",
			 failed_gen, cfg.state_dir, why);
	if (ret == -ENOMEM) {
		status.hdr->restore_gen = failed_gen;
		status.hdr->restore_err = -ENOMEM;
		status.hdr->fail_closed = 1;
		for (s = 0; s < nb_workers; s++)
			workers[s].fail_closed = 1;
		DP_LOG(ERR,
		       "generation %" PRIu64 ", the newest valid one in %s, "
		       "cannot be applied: %s; running none, dropping "
		       "everything (--restore-fail-closed)",
		       failed_gen, cfg.state_dir, why);
	} else if (ret == -EPERM)
		rte_exit(EXIT_FAILURE,
			 "state directory %s is not trusted (see above); "
			 "not starting\n",
			 cfg.state_dir);
	else if (ret != 0)
		DP_LOG(WARNING, "no generation in %s could be applied; %s",
		       cfg.state_dir,
		       cfg.fail_closed ? "dropping everything (fail-closed)"
				       : "forwarding (fail-open)");

	for (s = 0; s < nb_port_slots; s++)
		if (dp_port_start(port_slots[s].port_id) != 0)
			rte_exit(EXIT_FAILURE, "port %u start failed\n",
				 port_slots[s].port_id);

	/* the socket answers before `status` says running */
	ret = dp_ctlsrv_start(&rsctl, cfg.instance, cfg.run_dir);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "request socket of instance '%s': %s\n",
			 cfg.instance, strerror(-ret));
	ret = dp_events_start(cfg.instance, cfg.run_dir, &dp_hup_gen);
	if (ret != 0)
		rte_exit(EXIT_FAILURE, "--events %s: %s\n", cfg.events.path,
			 strerror(-ret));

	status_refresh();
	dp_status_publish(&status);
	dp_telemetry_init(&status); /* /bulwark/... endpoints */
	dp_status_set_state(&status, BW_STATE_RUNNING);
	DP_LOG(INFO, "instance '%s': %u workers, %u pairs, running",
	       cfg.instance, nb_workers, cfg.nb_pairs);

	i = 0;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		rte_eal_remote_launch(dp_worker_main, &workers[i], lcore);
		i++;
	}
	for (s = 0; s < nb_port_slots; s++)
		port_ids[s] = port_slots[s].port_id;
	dp_svc_ready(&status, port_ids, nb_port_slots);

	while (!__atomic_load_n(&dp_stopping, __ATOMIC_RELAXED)) {
		usleep(DP_SERVICE_PERIOD_US);
		dp_svc_tick();
		if (++ticks * DP_SERVICE_PERIOD_US >=
		    DP_STATS_PERIOD_MS * 1000) {
			ticks = 0;
			status_refresh();
			dp_bpf_fault_report(&status, nb_workers,
					    rte_get_timer_cycles() /
						    rte_get_timer_hz());
		}
	}

	dp_svc_stop();
	DP_LOG(INFO, "stopping: draining workers");
	dp_status_set_state(&status, BW_STATE_STOPPING);
	dp_ctlsrv_stop();
	rte_eal_mp_wait_lcore();
	dp_events_stop();
	dp_capture_fini();
	status_refresh();
	/* what the last period did not log yet */
	dp_bpf_fault_report(&status, nb_workers, UINT64_MAX);
	for (s = 0; s < nb_port_slots; s++)
		dp_port_stop(port_slots[s].port_id);
	dp_status_set_state(&status, BW_STATE_STOPPED);
	dp_telemetry_stop();
	dp_status_close(&status);
	dp_rsctl_fini(&rsctl);
	for (i = 0; i < nb_workers; i++) {
		dp_flow_table_fini(&workers[i].flows);
		dp_frag_fini(&workers[i]);
	}
	rte_free(workers);
	rte_mempool_free(mp);
	DP_LOG(INFO, "stopped");
	rte_eal_cleanup();
	return 0;
}
