/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Events (docs/events.md): a fixed-size record per drop decision and per
 * alert rule hit, pushed by the worker into its own single-producer,
 * single-consumer ring, and a writer thread off the workers that turns
 * them into EVE-style JSON lines in a file and/or syslog.
 */
#ifndef DP_EVENTS_H
#define DP_EVENTS_H

#include <limits.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "bw_image_view.h"
#include "bw_routes.h"
#include "dp_status.h"

/* dp_event.type */
#define DP_EV_DROP  1
#define DP_EV_ALERT 2

/* dp_event.flags */
#define DP_EV_F_L4   0x01 /* sport, dport, proto hold */
#define DP_EV_F_VLAN 0x02 /* vlan holds the outermost tag */

/* dp_event.obj when no object decided (a reason alone) */
#define DP_EV_OBJ_NONE UINT32_MAX

/* dp_worker.obs_flags: what the burst's observer does (0: nothing) */
#define DP_OBS_EVENTS  0x01
#define DP_OBS_CAPTURE 0x02

/*
 * One event, copied by value into the worker's ring. obj is the deciding
 * object: a list id (reason blocklist), a content rule index of the set
 * that loaded at rules_gen (content-rule, alerts), a program slot of the
 * status region (bpf, bpf-fault).
 */
struct dp_event {
	uint64_t tsc;	     /* worker TSC when classified */
	uint64_t generation; /* ruleset generation that decided */
	uint64_t rules_gen;  /* the content rule set's since_gen */
	uint8_t src[16];     /* network order; IPv4 in src[0..3] */
	uint8_t dst[16];
	uint32_t pkt_len; /* frame bytes */
	uint32_t obj;
	uint32_t sid; /* content rule: signature id, revision */
	uint32_t rev;
	uint16_t sport;
	uint16_t dport;
	uint16_t port; /* ethdev port id it arrived on */
	uint16_t vlan;
	uint8_t type;	/* DP_EV_* */
	uint8_t reason; /* BW_REASON_* (alerts: none) */
	uint8_t dir;	/* DP_DIR_* */
	uint8_t l3;	/* DP_L3_* */
	uint8_t proto;
	uint8_t flags;	/* DP_EV_F_* */
	uint8_t action; /* content rule: BW_RULE_* */
	uint8_t worker;
	uint8_t pad[8];
};

_Static_assert(sizeof(struct dp_event) == 96, "event record size");

/* Options (args.c): what --events, --events-syslog ... set. */
struct dp_events_cfg {
	char path[PATH_MAX]; /* "": no file */
	uint8_t syslog;	     /* 1: every event to syslog too */
	uint32_t rate;	     /* drops per key and second; 0: no limit */
	uint32_t rate_alert; /* alerts per key and second; 0: no limit */
	uint32_t ring;	     /* records per worker ring */
};

#define DP_EVENTS_RATE_DEFAULT 1000
#define DP_EVENTS_RING_DEFAULT 16384
#define DP_EVENTS_RING_MIN     4
#define DP_EVENTS_RING_MAX     (1u << 22)

struct dp_worker;
struct dp_pkt;
struct dp_match_set;

/*
 * When events are on (a file or syslog): give each of the nb_workers
 * workers its ring and turn its DP_OBS_EVENTS on, and remember where
 * names come from. Returns 0 (also when
 * events are off) or a negative errno. Main lcore, before launch.
 */
int dp_events_init(const struct dp_events_cfg *cfg, struct dp_status *st,
		   const struct bw_model *model, struct dp_worker *workers,
		   unsigned int nb_workers);

/*
 * Start the writer thread, and publish the events file's path as
 * run_dir/events.path for bulwarkctl. The writer reopens the file when
 * *hup (dp_hup_gen of dp_sig.h, which SIGHUP bumps) moves. Returns 0 or
 * a negative errno. Main lcore, after the workers' rings exist.
 */
int dp_events_start(const char *instance, const char *run_dir,
		    const volatile uint32_t *hup);

/*
 * Stop the writer once the workers stopped: it drains what the rings
 * hold, writes the pending summaries and closes the file. Main lcore.
 */
void dp_events_stop(void);

/*
 * Events of one classified burst: a drop event for each packet whose
 * verdict is a drop (w->obj[i] names the deciding object). Worker lcore.
 */
void dp_events_burst(struct dp_worker *w, uint64_t generation,
		     const struct dp_match_set *ms, struct rte_mbuf **pkts,
		     uint16_t n);

/*
 * The drop event of a datagram the fragment table drops whole (reason
 * ip-frag-timeout or ip-frag-limit), from m, one of its held fragments,
 * before it is freed: one event a datagram, as for a reassembled one.
 * Worker lcore.
 */
void dp_events_frag_drop(struct dp_worker *w, const struct rte_mbuf *m,
			 uint8_t reason);

/*
 * Alert events of one packet: each id of ids[0, nb) whose rule is an
 * alert rule. Worker lcore.
 */
void dp_events_alerts(struct dp_worker *w, uint64_t generation,
		      const struct dp_match_set *ms, const struct dp_pkt *pi,
		      const struct rte_mbuf *m, const uint32_t *ids,
		      uint32_t nb);

/*
 * A content rule set goes into service: keep its messages so that the
 * writer names the rules of its events after the set is gone. Control
 * thread (or main lcore at boot); nothing when events are off.
 */
void dp_events_rules_note(const struct bw_image_view *v, uint64_t since_gen);

/*
 * The list model (dp_rsctl.model) changes between these two: the writer
 * reads it to name the prefix a list event matched. Control thread.
 */
void dp_events_model_lock(void);
void dp_events_model_unlock(void);

/* Writer-side tests: format one event as a JSON line into buf. */
int dp_events_format(const struct dp_event *ev, char *buf, size_t len);

#endif /* DP_EVENTS_H */
