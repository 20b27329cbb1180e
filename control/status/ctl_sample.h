/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A sample: a private copy of a status region's identity and counters taken
 * at one instant, its totals over workers, and the rates between two samples.
 * Rendering (text, JSON) works on samples only, so it is testable without a
 * dataplane and never reads shared memory twice for one output.
 */
#ifndef CTL_SAMPLE_H
#define CTL_SAMPLE_H

#include <stdint.h>

#include "bw_status.h"
#include "ctl_region.h"

/* Counters of one worker, or their sum over all workers. */
struct ctl_counters {
	uint64_t rx_pkts;
	uint64_t rx_bytes;
	uint64_t tx_pkts;
	uint64_t tx_bytes;
	uint64_t drop_pkts;
	uint64_t drop_bytes;
	uint64_t busy_tsc;
	uint64_t idle_tsc;
	uint64_t loops;
	uint64_t ipv4_pkts;
	uint64_t ipv6_pkts;
	uint64_t nonip_pkts;
	uint64_t frag_pkts;
	uint64_t anomaly_pass_pkts;
	uint64_t flow[BW_FLOW_COUNTERS]; /* BW_FLOW_* */
	uint64_t frag[BW_FRAG_COUNTERS]; /* BW_FRAG_* (zero before minor 3) */
	uint64_t tun_pkts[BW_TUN_TYPES]; /* by tunnel type */
	uint64_t tun_depth_pkts[BW_TUN_DEPTH_MAX]; /* by levels crossed */
	uint64_t events;       /* queued for the writer (zero before minor 5) */
	uint64_t events_lost;  /* lost: ring full */
	uint64_t capture_pkts; /* copied for an armed capture */
	uint64_t capture_lost; /* lost by the capture ring */
	uint64_t reason_drop_pkts[BW_REASON_MAX];
	uint64_t reason_pass_pkts[BW_REASON_MAX];
};

struct ctl_worker_sample {
	uint32_t lcore_id;
	uint32_t socket_id;
	struct ctl_counters c;
};

struct ctl_port_sample {
	char name[BW_PORT_NAME_LEN]; /* NUL terminated copy */
	uint16_t port_id;
	uint16_t pair;
	uint16_t role;
	uint16_t link_up;
	uint32_t link_speed_mbps;
	uint32_t nb_queues;
	uint64_t ipackets;
	uint64_t opackets;
	uint64_t ibytes;
	uint64_t obytes;
	uint64_t imissed;
	uint64_t ierrors;
	uint64_t oerrors;
	uint64_t rx_nombuf;
	uint8_t mac[6];
};

struct ctl_sample {
	uint64_t mono_ns; /* CLOCK_MONOTONIC when taken */
	uint64_t real_ns; /* CLOCK_REALTIME when taken */
	enum ctl_verdict verdict;
	char instance[BW_NAME_LEN];
	char version[BW_NAME_LEN];
	int32_t pid;
	uint32_t state;
	uint64_t start_time_ns;	   /* CLOCK_REALTIME */
	uint64_t stop_time_ns;	   /* CLOCK_REALTIME, 0 while not stopped */
	uint64_t heartbeat_age_ns; /* at mono_ns */
	uint64_t tsc_hz;
	uint64_t applied_gen;
	uint32_t nb_workers;
	uint32_t nb_ports;
	uint32_t nb_reasons; /* reasons the dataplane defines */
	struct ctl_counters total;
	struct ctl_worker_sample workers[BW_WORKER_MAX];
	struct ctl_port_sample ports[BW_PORT_MAX];
	struct ctl_list_hits lists; /* list slots and their hits */
	struct ctl_rule_hits rules; /* content rules and their hits */
};

/* Rates of one worker, or of all, between two samples. */
struct ctl_rate {
	double rx_pps;
	double tx_pps;
	double drop_pps;
	double rx_bps; /* bit/s of frames without FCS */
	double tx_bps;
	double cycles_per_pkt; /* delta busy_tsc / delta rx_pkts */
};

struct ctl_rates {
	double interval_s;
	uint32_t nb_workers;
	struct ctl_rate total;
	struct ctl_rate workers[BW_WORKER_MAX];
};

/*
 * Copy an open region into s: counters with relaxed loads, state and
 * generation with acquire loads; sum the totals; judge liveness at
 * now_mono_ns. now_mono_ns and now_real_ns date the sample (tests inject
 * them). Called by the CLI thread.
 */
void ctl_sample_take(const struct ctl_region *r, struct ctl_sample *s,
		     uint64_t now_mono_ns, uint64_t now_real_ns);

/* busy_tsc / rx_pkts, 0 when no packet was received. */
double ctl_cycles_per_pkt(const struct ctl_counters *c);

/*
 * Rates between prev and cur (same region, cur taken later). Returns 0, or
 * -EINVAL when the samples are not comparable: no time elapsed, or other
 * worker counts. A counter that went backwards counts as no change.
 */
int ctl_rates_compute(const struct ctl_sample *prev,
		      const struct ctl_sample *cur, struct ctl_rates *rates);

/*
 * Name of reason r: the stable name when this build knows it, else
 * "reason-N" written into buf (a reason a newer dataplane defines).
 */
const char *ctl_reason_label(unsigned int r, char *buf, size_t len);

#endif /* CTL_SAMPLE_H */
