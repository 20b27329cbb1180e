/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one way the dataplane's unit tests start and stop EAL: no
 * hugepages, no PCI, no shared config, no telemetry, one lcore, and a
 * runtime directory of their own (tests run in parallel); and the
 * one-worker dataplane the stage tests share.
 */
#ifndef BW_EAL_H
#define BW_EAL_H

#include <stddef.h>
#include <stdint.h>

struct dp_rsctl;
struct dp_status;
struct dp_worker;
struct rte_mempool;

/*
 * rte_eal_init() with "--no-huge -m MEM_MB --no-pci --no-shconf
 * --no-telemetry -l 0 --log-level error --file-prefix bw-ut-NAME-PID" and
 * then the nb_extra arguments of extra (such as "--vdev", "net_ring0").
 * Returns 0, or -1 after a message on stderr.
 */
int bw_ut_eal_init(const char *name, unsigned int mem_mb,
		   const char *const *extra, size_t nb_extra);

/* rte_eal_cleanup(), then remove the runtime directory EAL leaves. */
void bw_ut_eal_fini(void);

/*
 * A dataplane of one worker without ports, for the stage tests: EAL
 * (bw_ut_eal_init(name, mem_mb)), an mbuf pool of nb_mbufs, a status
 * region for instance "ut-NAME-PID", a ruleset control with no ruleset,
 * and a worker wired to them and to malformed_drop. Returns 0 or -1 after
 * a message.
 */
int bw_ut_dp_setup(const char *name, unsigned int mem_mb, unsigned int nb_mbufs,
		   struct rte_mempool **pool, struct dp_status *status,
		   struct dp_rsctl *rsctl, struct dp_worker **w,
		   const uint8_t *malformed_drop);

/* Undo bw_ut_dp_setup(), EAL included. */
void bw_ut_dp_teardown(struct rte_mempool *pool, struct dp_status *status,
		       struct dp_rsctl *rsctl, struct dp_worker *w);

#endif /* BW_EAL_H */
