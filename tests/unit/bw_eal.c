/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL start and stop for the dataplane's unit tests (bw_eal.h).
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bw_eal.h"
#include "dp.h"
#include "dp_ruleset.h"
#include "dp_status.h"

#define ARGS_MAX 32
#define ARG_LEN	 64

/* rte_eal_init() may permute argv: copies it can write, never freed */
static char arg_buf[ARGS_MAX][ARG_LEN];

static const char *const base_args[] = {
	"--no-huge",	  "-m", NULL, "--no-pci",    "--no-shconf",
	"--no-telemetry", "-l", "0",  "--log-level", "error",
};

int
bw_ut_eal_init(const char *name, unsigned int mem_mb, const char *const *extra,
	       size_t nb_extra)
{
	char *argv[ARGS_MAX + 1];
	size_t n = 0, i;

	if (1 + RTE_DIM(base_args) + 2 + nb_extra > ARGS_MAX) {
		fprintf(stderr, "test_%s: too many EAL arguments\n", name);
		return -1;
	}
	snprintf(arg_buf[n++], ARG_LEN, "test_%s", name);
	for (i = 0; i < RTE_DIM(base_args); i++) {
		if (base_args[i] == NULL)
			snprintf(arg_buf[n++], ARG_LEN, "%u", mem_mb);
		else
			snprintf(arg_buf[n++], ARG_LEN, "%s", base_args[i]);
	}
	snprintf(arg_buf[n++], ARG_LEN, "--file-prefix");
	snprintf(arg_buf[n++], ARG_LEN, "bw-ut-%s-%d", name, (int)getpid());
	for (i = 0; i < nb_extra; i++)
		if (snprintf(arg_buf[n++], ARG_LEN, "%s", extra[i]) >=
		    ARG_LEN) {
			fprintf(stderr, "test_%s: EAL argument too long\n",
				name);
			return -1;
		}
	for (i = 0; i < n; i++)
		argv[i] = arg_buf[i];
	argv[n] = NULL;
	if (rte_eal_init((int)n, argv) < 0) {
		fprintf(stderr, "test_%s: EAL init failed\n", name);
		return -1;
	}
	return 0;
}

void
bw_ut_eal_fini(void)
{
	char rundir[PATH_MAX];

	/* EAL leaves its (empty, --no-shconf) runtime directory behind */
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	rmdir(rundir);
}

int
bw_ut_dp_setup(const char *name, unsigned int mem_mb, unsigned int nb_mbufs,
	       struct rte_mempool **pool, struct dp_status *status,
	       struct dp_rsctl *rsctl, struct dp_worker **w,
	       const uint8_t *malformed_drop)
{
	char instance[32];
	struct dp_worker *k;

	if (bw_ut_eal_init(name, mem_mb, NULL, 0) != 0)
		return -1;
	snprintf(instance, sizeof(instance), "ut-%.12s-%d", name,
		 (int)getpid());
	*pool = rte_pktmbuf_pool_create("ut_mbufs", nb_mbufs, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					rte_socket_id());
	k = rte_zmalloc("ut_worker", sizeof(*k), RTE_CACHE_LINE_SIZE);
	if (*pool == NULL || k == NULL ||
	    dp_status_create(status, instance, 1, 0, rte_get_tsc_hz()) != 0 ||
	    dp_rsctl_init(rsctl, 1, status) != 0) {
		fprintf(stderr, "test_%s: cannot set up\n", name);
		return -1;
	}
	k->st = dp_status_worker(status, 0);
	k->lst = dp_status_list_stats(status, 0);
	k->bst = dp_status_bpf_stats(status, 0);
	k->rst[0] = dp_status_rule_stats(status, 0, 0);
	k->rst[1] = dp_status_rule_stats(status, 0, 1);
	k->malformed_drop = malformed_drop;
	k->active = &rsctl->active;
	k->qsbr = rsctl->qsbr;
	*w = k;
	return 0;
}

void
bw_ut_dp_teardown(struct rte_mempool *pool, struct dp_status *status,
		  struct dp_rsctl *rsctl, struct dp_worker *w)
{
	dp_rsctl_fini(rsctl);
	shm_unlink(status->name);
	dp_status_close(status);
	rte_free(w);
	rte_mempool_free(pool);
	bw_ut_eal_fini();
}
