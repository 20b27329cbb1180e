/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's side of the status region (include/bw_status.h).
 */
#ifndef DP_STATUS_H
#define DP_STATUS_H

#include <stddef.h>
#include <stdint.h>

#include "bw_status.h"

struct dp_status {
	struct bw_status_hdr *hdr; /* the mapping; NULL when closed */
	size_t size;		   /* bytes mapped */
	char name[64];		   /* shm object name */
};

int dp_status_create(struct dp_status *st, const char *instance,
		     uint32_t nb_workers, uint32_t nb_ports, uint64_t tsc_hz);
void dp_status_publish(struct dp_status *st);
struct bw_worker_stats *dp_status_worker(const struct dp_status *st,
					 uint32_t i);
struct bw_port_stats *dp_status_port(const struct dp_status *st, uint32_t i);
struct bw_list_info *dp_status_list_info(const struct dp_status *st);
struct bw_list_stats *dp_status_list_stats(const struct dp_status *st,
					   uint32_t i);
struct bw_bpf_info *dp_status_bpf_info(const struct dp_status *st);
struct bw_bpf_stats *dp_status_bpf_stats(const struct dp_status *st,
					 uint32_t i);
struct bw_rule_tab *dp_status_rule_tab(const struct dp_status *st);
struct bw_rule_stats *dp_status_rule_stats(const struct dp_status *st,
					   uint32_t i, uint32_t b);
void dp_status_set_state(struct dp_status *st, uint32_t state);
void dp_status_heartbeat(struct dp_status *st);
void dp_status_close(struct dp_status *st);
uint64_t dp_clock_ns(int clock);

#endif /* DP_STATUS_H */
