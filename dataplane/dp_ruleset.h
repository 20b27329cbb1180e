/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rulesets: what workers enforce, and how the control thread builds and
 * swaps them (DESIGN.md sections 3 and 4).
 */
#ifndef DP_RULESET_H
#define DP_RULESET_H

#include <stddef.h>
#include <stdint.h>

#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_rcu_qsbr.h>

#include "bw_ctl.h"
#include "dp_bpf.h"
#include "dp_match.h"
#include "bw_routes.h"
#include "dp_status.h"

/*
 * One generation as workers see it. Immutable once published; freed by the
 * control thread one RCU grace period after it was replaced.
 */
struct dp_ruleset {
	uint64_t generation;
	struct rte_fib *fib4[BW_ACT_COUNT];  /* NULL: no such prefixes */
	struct rte_fib6 *fib6[BW_ACT_COUNT]; /* NULL: no such prefixes */
	const struct dp_bpf_set *bpf;	     /* NULL: no eBPF program */
	const struct dp_match_set *match;    /* NULL: no content rule */
};

/* One copy of the FIBs. Two exist: the active one and the standby. */
struct dp_tables {
	struct rte_fib *fib4[BW_ACT_COUNT];
	struct rte_fib6 *fib6[BW_ACT_COUNT];
	uint32_t tbl8[BW_ACT_COUNT][BW_FAM_COUNT];   /* tbl8 groups sized for */
	uint32_t routes[BW_ACT_COUNT][BW_FAM_COUNT]; /* max routes sized for */
	int dirty; /* content unknown: rebuild from the model before use */
};

/* The control thread's ruleset state. */
struct dp_rsctl {
	struct dp_ruleset *active; /* workers: acquire load once per burst */
	struct rte_rcu_qsbr *qsbr; /* workers report quiescent once per loop */
	struct dp_tables copy[2];
	int cur;	       /* copy that active uses */
	struct bw_model model; /* content of copy[cur] */
	int model_broken;      /* a delta failed half-way: FULL needed */
	struct bw_ops pending; /* FIB operations copy[1 - cur] still needs */
	int level_pending;     /* pending not applied yet */
	struct dp_status *status;
	uint32_t nb_workers;
	uint32_t fib_seq;	    /* unique FIB names */
	struct dp_bpf_set *bpf;	    /* programs of the generation in force */
	struct dp_match_set *match; /* content rules in force */
	uint32_t nb_flows;	    /* flow slots per worker (streams) */
	int bpf_jit;	   /* JIT-compile programs (else interpreter) */
	uint64_t fib_need; /* bytes the last FIB that could not be created
			      needed, about; 0: none failed */
};

int dp_rsctl_init(struct dp_rsctl *c, uint32_t nb_workers,
		  struct dp_status *status);
int dp_rsctl_apply(struct dp_rsctl *c, const void *img, size_t len, int boot,
		   struct bw_ctl_reply *rep);
int dp_rsctl_apply_fd(struct dp_rsctl *c, int fd, size_t size,
		      struct bw_ctl_reply *rep);
void dp_rsctl_level(struct dp_rsctl *c);
int dp_rsctl_load_state(struct dp_rsctl *c, const char *dir,
			uint64_t *failed_gen, char *why, size_t why_len);
void dp_rsctl_fini(struct dp_rsctl *c);

/* ctlsrv.c */
int dp_ctlsrv_start(struct dp_rsctl *c, const char *instance,
		    const char *run_dir);
void dp_ctlsrv_stop(void);

#endif /* DP_RULESET_H */
