/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one way the dataplane's unit tests start and stop EAL: no
 * hugepages, no PCI, no shared config, no telemetry, one lcore, and a
 * runtime directory of their own (tests run in parallel).
 */
#ifndef BW_EAL_H
#define BW_EAL_H

#include <stddef.h>

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

#endif /* BW_EAL_H */
