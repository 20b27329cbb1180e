/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane-wide definitions: configuration, worker context, logging.
 */
#ifndef DP_H
#define DP_H

#include <limits.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ip_frag.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "bw_bpf.h"
#include "bw_status.h"
#include "dp_decode.h"
#include "dp_events.h"
#include "dp_flow.h"
#include "dp_frag.h"

#define DP_BURST	64 /* packets per rx burst (one bulk flow lookup) */
#define DP_PAIR_MAX	16 /* --pair options */
#define DP_LEG_MAX	(2 * DP_PAIR_MAX)
#define DP_PORT_MAX	BW_PORT_MAX
#define DP_RXD_DEFAULT	1024 /* rx descriptors per queue */
#define DP_TXD_DEFAULT	1024 /* tx descriptors per queue */
#define DP_DRAIN_ROUNDS 64   /* rx polls per leg after stop, to drain */
#define DP_MATCH_IDS	64   /* rule ids listed per scan (more: bitmap) */

extern int dp_logtype;
#define DP_LOG(level, fmt, ...)                                                \
	rte_log(RTE_LOG_##level, dp_logtype, "bulwark: " fmt "\n",             \
		##__VA_ARGS__)

/* One --pair: ports named by id or ethdev name, resolved after EAL init. */
struct dp_pair_arg {
	char outside[BW_PORT_NAME_LEN];
	char inside[BW_PORT_NAME_LEN];
};

struct dp_config {
	char instance[BW_NAME_LEN];
	char state_dir[PATH_MAX];
	struct dp_pair_arg pair_args[DP_PAIR_MAX];
	unsigned int nb_pairs;
	uint16_t nb_rxd;
	uint16_t nb_txd;
	uint16_t mtu;	   /* 0: leave the port's MTU alone */
	uint32_t nb_mbufs; /* pool size floor; 0: computed */
	/*
	 * policy per reason with a policy class (malformed packets, TCP
	 * normalization): 1 drop, 0 pass (counted either way)
	 */
	uint8_t malformed_drop[BW_REASON_MAX];
	uint8_t fail_closed; /* drop everything until a ruleset exists */
	uint8_t bpf_no_jit;  /* run eBPF programs in the interpreter */
	uint8_t restore_fail_closed; /* newest generation fails at start:
					run none, fail-closed (not exit) */
	uint32_t nb_flows;	     /* TCP flows tracked per worker, 0: none */
	uint32_t flow_idle_s;  /* an established flow idle this long goes */
	uint32_t stream_mib;   /* held-byte chunks per worker, MiB */
	uint32_t hold_kib;     /* scanned bytes held per flow direction */
	uint32_t ahead_kib;    /* bytes held ahead of a gap per direction */
	char run_dir[108];     /* --run-dir, "": /run/bulwark/<instance> */
	uint8_t tcp_midstream; /* pick up flows without a handshake */
	uint8_t rss_l3;	       /* hash on addresses only (--rss-l3) */
	uint32_t frag_dgrams;  /* datagrams under reassembly per worker,
				  0: no reassembly */
	uint32_t frag_per;     /* fragments per datagram, at most */
	uint32_t frag_ms;      /* time a datagram has to complete */
	struct dp_decode_cfg decode; /* UDP tunnel ports (--vxlan-port...) */
	/* running as a service (service.c, log.c) */
	char log_file[PATH_MAX];     /* --log-file, "": stderr */
	uint8_t log_syslog;	     /* --syslog */
	uint8_t link_propagate;	     /* --link-propagate */
	char bypass_hook[PATH_MAX];  /* --bypass-hook, "": none */
	struct dp_events_cfg events; /* --events... (dp_events.h) */
};

#define DP_FRAG_DGRAMS_DEFAULT 256  /* --frag-datagrams */
#define DP_FRAG_PER_DEFAULT    16   /* --frag-per-datagram */
#define DP_FRAG_MS_DEFAULT     2000 /* --frag-timeout */
#define DP_FRAG_MS_MAX	       60000
/* a reassembled datagram is built in segments of this many data bytes */
#define DP_FRAG_SEG 16384
/* segments of one datagram, at most: headers plus 65535 bytes */
#define DP_FRAG_SEGS_MAX 5
/*
 * Fragments rte_ip_frag takes per datagram (RTE_LIBRTE_IP_FRAG_MAX_FRAG
 * of the DPDK build; frag_stage.c checks): copies of at most this many
 * runs of held fragments are handed to it, a segment each for headers
 */
#define DP_FRAG_RUNS 8
/*
 * the reassembly pool of a worker: every slot of a burst completing, the
 * copies of one rebuild, and of one more left in rte_ip_frag's table if it
 * ever disagreed
 */
#define DP_FRAG_POOL                                                           \
	(DP_BURST * DP_FRAG_SEGS_MAX + 2 * (DP_FRAG_SEGS_MAX + DP_FRAG_RUNS))

/*
 * Per-packet verdict inside a burst: a BW_REASON_* to drop for, or one of
 * these (above every reason number).
 */
#define DP_VERDICT_PASS BW_REASON_NONE /* no stage decided yet: forward */
#define DP_VERDICT_ALLOW                                                       \
	255 /* an allow list matched: forward,
					* skip the later stages */
/* a fragment the reassembly stage holds: not the burst's any more */
#define DP_VERDICT_HELD 254

/*
 * A leg is one direction of a pair as seen by a worker: receive on rx_port
 * queue w->queue, send on tx_port queue w->queue.
 */
struct dp_leg {
	uint16_t rx_port;
	uint16_t tx_port;
	uint8_t dir; /* DP_DIR_*: which side rx_port faces */
};

struct dp_ruleset;
struct rte_rcu_qsbr;
struct rte_ring;
struct dp_capture;

/*
 * The per-burst scratch of each stage, one of each per worker (in struct
 * dp_worker, so reaching it costs no indirection), written and read by
 * that worker alone while it classifies a burst.
 */

/* List stage: (src, dst) pairs of the burst and their next hops. */
struct dp_list_scratch {
	uint32_t ip4[2 * DP_BURST];
	uint8_t ip6[2 * DP_BURST][16];
	uint64_t nh_allow[2 * DP_BURST];
	uint64_t nh_block[2 * DP_BURST];
};

/* eBPF stage: the contexts of the burst's undecided packets. */
struct dp_bpf_scratch {
	struct bw_bpf_ctx ctx[DP_BURST];
};

/* Content rule stage: the rule ids of the current scan. */
struct dp_match_scratch {
	uint32_t nb_ids; /* ids reported, may exceed DP_MATCH_IDS */
	uint32_t ids[DP_MATCH_IDS];
	uint64_t seen[BW_RULE_SLOTS / 64]; /* bit per rule id */
	uint32_t nb_stream_ids;		   /* ids the stream scan reported */
	uint32_t stream_ids[DP_MATCH_IDS];
	/* stream_ids from here on: the other direction's end (a RST) */
	uint32_t stream_other; /* else UINT32_MAX */
};

/* The largest frame whose payload the content rules scan whole. */
#define DP_LINEAR_MAX 65536

/* Flow stage: the burst's flow keys, bulk looked up before the scans. */
struct dp_flow_scratch {
	struct dp_flow_key key[DP_BURST];
	int32_t pos[DP_BURST];
	uint8_t dir[DP_BURST];
	uint8_t track[DP_BURST]; /* DP_FT_*: what the flow table does */
};

/*
 * Reassembly stage (frag_stage.c): the worker's fragment table and the
 * pool its reassembled datagrams are built from. on is 0 without
 * reassembly (--frag-datagrams 0, or a unit test's bare worker).
 */
struct dp_frag_state {
	struct dp_frag_tab tab;
	struct rte_mempool *pool;
	void *mem;
	struct rte_ip_frag_tbl *rte_tbl;     /* rebuilds, one at a time */
	struct rte_ip_frag_death_row *death; /* what rte_ip_frag refused */
	uint64_t gen;			     /* its clock: 2 per rebuild */
	uint64_t timeout_tsc;
	uint8_t on;
	uint16_t nb_done;	 /* slots of the burst holding a datagram */
	uint32_t slot[DP_BURST]; /* its table entry, or DP_FRAG_NONE_IDX */
};

/* Packets one burst may forward or free: every slot a whole datagram. */
#define DP_OUT_MAX (DP_BURST * DP_FRAG_PER_DGRAM_MAX)

/*
 * Per-worker context: written by the main lcore before launch, then owned by
 * the worker lcore alone.
 */
struct dp_worker {
	unsigned int id;       /* worker index, = queue index on ports */
	unsigned int lcore_id; /* EAL lcore it runs on */
	uint16_t queue;	       /* rx and tx queue on every port */
	uint16_t nb_legs;      /* entries used in legs[] */
	struct dp_leg legs[DP_LEG_MAX];
	struct bw_worker_stats *st;    /* its record in the status region */
	struct bw_list_stats *lst;     /* its list counters (status region) */
	struct bw_bpf_stats *bst;      /* its program counters (status) */
	const uint8_t *malformed_drop; /* dp_config.malformed_drop */
	uint8_t fail_closed;
	uint8_t tcp_midstream;		    /* dp_config.tcp_midstream */
	const struct dp_decode_cfg *decode; /* dp_config.decode */
	struct dp_ruleset *const *active;   /* dp_rsctl.active */
	struct rte_rcu_qsbr *qsbr;
	struct dp_pkt info[DP_BURST]; /* decode results of the burst */
	uint8_t verdict[DP_BURST];
	/* each stage's scratch for the burst in hand, and its state */
	struct dp_list_scratch list_scr;
	struct dp_bpf_scratch bpf_scr __rte_cache_aligned;
	struct bw_rule_stats *rst[2]; /* content rule counters per bank */
	struct dp_match_scratch match_scr;
	struct dp_flow_table flows; /* TCP flows (stream matching) */
	struct dp_flow_scratch flow_scr __rte_cache_aligned;
	struct dp_frag_state frag; /* IP reassembly (frag_stage.c) */
	struct rte_mbuf *out_pass[DP_OUT_MAX]; /* leg_poll(): to send */
	struct rte_mbuf *out_drop[DP_OUT_MAX]; /* leg_poll(): to free */
	/*
	 * events and captures (events.c, capture.c): obs_flags DP_OBS_*,
	 * tested once per burst (main lcore at start, control thread when a
	 * capture is armed: atomic); obj[i] the object that decided packet
	 * i's drop (list id, rule index, program slot), written by the stage
	 */
	uint8_t obs_flags;
	uint64_t obs_gen; /* generation of the last burst observed */
	struct rte_ring *ev_ring;
	struct dp_capture *cap;
	uint32_t obj[DP_BURST];
	/* a payload that spans mbuf segments, copied whole (match.c) */
	uint8_t linear[DP_LINEAR_MAX] __rte_cache_aligned;
} __rte_cache_aligned;

/* dp_flow_scratch.track[]: a burst packet and the TCP flow table */
#define DP_FT_NONE  0 /* not a tracked TCP segment */
#define DP_FT_KEYED 1 /* keyed and looked up in bulk */

/* Set by the signal handler; workers and the main loop poll it. */
extern volatile int dp_stopping;

/*
 * Add n to a counter of the status region. Only the record's writer calls
 * this, so the plain read is its own last store; the relaxed store keeps
 * readers from seeing a torn value.
 */
static inline void
dp_cnt_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

/* args.c */
int dp_args_parse(int argc, char **argv, struct dp_config *cfg);
void dp_args_usage(const char *prog);

/* worker.c: lcore entry point, arg is a struct dp_worker. Returns 0. */
int dp_worker_main(void *arg);

/*
 * worker.c: one poll of leg: receive a burst on leg->rx_port, classify it
 * under the ruleset in force, send what passes on leg->tx_port, free the
 * rest and count it all in w->st. Returns the number of packets received.
 * The lcore that owns w (the worker; a unit test).
 */
uint16_t dp_worker_leg_poll(struct dp_worker *w, const struct dp_leg *leg);

/*
 * pipeline.c: classify a burst received on one leg. Fills pass[] with the
 * packets to forward and drop[] with those to free, counts every drop by
 * reason in w->st, and returns the number in pass[] (*n_drop gets the rest).
 * Worker lcore only.
 */
uint16_t dp_pipeline_run(struct dp_worker *w, const struct dp_ruleset *rs,
			 uint8_t dir, struct rte_mbuf **pkts, uint16_t n,
			 struct rte_mbuf **pass, struct rte_mbuf **drop,
			 uint16_t *n_drop);

/*
 * frag_stage.c: set up w->frag for cfg (no reassembly when
 * cfg->frag_dgrams is 0) on NUMA socket; 0 or -1 out of memory. Main
 * lcore, before launch. dp_frag_fini() frees it, and what it holds.
 */
int dp_frag_init(struct dp_worker *w, const struct dp_config *cfg, int socket);
void dp_frag_fini(struct dp_worker *w);

/*
 * frag_stage.c: the reassembly stage, after decode. Takes the burst's
 * fragments into the table (verdict DP_VERDICT_HELD), drops those it
 * refuses, and puts each datagram a fragment completes, decoded, in that
 * fragment's slot of pkts[] and w->info[] for the later stages.
 * Worker lcore only.
 */
void dp_frag_stage(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t n);

/*
 * frag_stage.c: slot i holds a reassembled datagram with verdict v: append
 * its original fragments to pass[] (forwarded, arrival order) or drop[]
 * (counted as drops for v), free the datagram. Worker lcore only.
 */
void dp_frag_settle(struct dp_worker *w, struct rte_mbuf **pkts, uint16_t i,
		    uint8_t v, struct rte_mbuf **pass, uint16_t *np,
		    struct rte_mbuf **drop, uint16_t *nd);

/*
 * frag_stage.c: drop the datagrams whose time is up at TSC now (all of
 * them when all is set, at stop). Worker lcore only.
 */
void dp_frag_expire(struct dp_worker *w, uint64_t now, int all);

/* blocklist.c: the list stage (see there). Worker lcore only. */
void dp_blocklist_classify(struct dp_worker *w, const struct dp_ruleset *rs,
			   struct rte_mbuf **pkts, uint16_t n,
			   uint8_t *verdict);

/*
 * blocklist.c: count the tunnel levels of a decoded packet (depth != 0)
 * in st->tun_pkts and st->tun_depth_pkts. Worker lcore only.
 */
void dp_tunnel_count(struct bw_worker_stats *st, const struct dp_pkt *p);

/* bpf.c: the eBPF stage (see there); rs->bpf not NULL. Worker lcore only. */
void dp_bpf_classify(struct dp_worker *w, const struct dp_ruleset *rs,
		     struct rte_mbuf **pkts, uint16_t n, uint8_t *verdict);

/*
 * match.c: the content rule stage (see there); rs->match not NULL.
 * Worker lcore only.
 */
void dp_match_classify(struct dp_worker *w, const struct dp_ruleset *rs,
		       struct rte_mbuf **pkts, uint16_t n, uint8_t *verdict);

#endif /* DP_H */
