/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ethdev set-up and statistics for the dataplane's ports.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdint.h>

#include <rte_mempool.h>

#include "bw_status.h"
#include "dp.h"

int dp_port_resolve(const char *spec, uint16_t *port_id);
int dp_port_setup(uint16_t port_id, uint16_t nb_queues, struct rte_mempool *mp,
		  const struct dp_config *cfg);
int dp_port_start(uint16_t port_id);
void dp_port_stats_copy(uint16_t port_id, struct bw_port_stats *ps);
void dp_port_stop(uint16_t port_id);

#endif /* DP_PORT_H */
