/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bulwark's endpoints in DPDK telemetry (/bulwark/...), so that
 * dpdk-telemetry.py and every tool that speaks the telemetry socket show
 * the dataplane's counters (docs/metrics.md lists them). The callbacks
 * run on DPDK's telemetry thread and read the status region as
 * bulwarkctl does: relaxed loads of the counters, the sequence locks of
 * the list and rule tables. They never touch a worker or wait for one.
 */
#ifndef DP_TELEMETRY_H
#define DP_TELEMETRY_H

#include "dp_status.h"

/*
 * Register the endpoints over the region st (published). Returns 0, or a
 * negative errno when a command could not be registered (telemetry off:
 * the endpoints are then missing, nothing else changes). Main lcore.
 */
int dp_telemetry_init(const struct dp_status *st);

/*
 * Make the endpoints answer "stopped" from now on, after waiting for a
 * callback that is reading the region; call before the region is
 * unmapped. Main lcore.
 */
void dp_telemetry_stop(void);

#endif /* DP_TELEMETRY_H */
