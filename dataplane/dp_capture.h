/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Captures (docs/events.md, "Captures"): while one is armed, workers copy
 * the packets it selects (up to its snap length) into their own bounded
 * single-producer, single-consumer ring; a capture thread writes them as
 * pcapng to the file the requester opened and passed over the request
 * socket, with the reason, rule or list in each packet's comment.
 */
#ifndef DP_CAPTURE_H
#define DP_CAPTURE_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "bw_ctl.h"
#include "dp_status.h"

#define DP_CAP_SLOTS 512 /* packets per worker ring */

struct dp_worker;
struct dp_ruleset;

/*
 * Remember the workers and the status region (list names). Main lcore,
 * before launch. The rings are made at the first capture.
 */
void dp_capture_init(struct dp_status *st, struct dp_worker *workers,
		     unsigned int nb_workers);

/*
 * Serve BW_CTL_CAPTURE: nb_fds descriptors came with it (fds holds the
 * first two); with exactly two, a regular file (pcapng) and a pipe's end,
 * take them (set to -1 in fds), arm the capture and start its thread;
 * else leave them to the caller. Fills *rep. Control thread.
 */
void dp_capture_serve(const struct bw_ctl_request *req, int *fds,
		      unsigned int nb_fds, struct bw_ctl_reply *rep);

/* Serve BW_CTL_CAPTURE_STOP: end the capture in progress. Control thread. */
void dp_capture_serve_stop(struct bw_ctl_reply *rep);

/* End the capture in progress, if any, and free the rings. Main lcore. */
void dp_capture_fini(void);

/*
 * Copy the burst's packets the armed capture selects into w's ring.
 * Worker lcore; only called while DP_OBS_CAPTURE is set.
 */
void dp_capture_burst(struct dp_worker *w, const struct dp_ruleset *rs,
		      struct rte_mbuf **pkts, uint16_t n);

#endif /* DP_CAPTURE_H */
