/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eBPF stage (DESIGN.md section 2, step 4): the programs of a ruleset,
 * loaded and JIT-compiled by the control thread for each FULL generation,
 * run by the workers after the block lists and before content rules.
 */
#ifndef DP_BPF_H
#define DP_BPF_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"
#include "bw_bpf_load.h"
#include "bw_image_view.h"
#include "dp_status.h"

/* One program as workers run it. */
struct dp_bpf_prog {
	struct bw_bpf_code code;
	uint64_t (*jit)(void *ctx); /* native code, NULL: rte_bpf_exec() */
	uint32_t slot;		    /* its counters in the status region */
	uint32_t order;
	uint32_t nb_insns;
	uint32_t crc32c;	  /* of its instructions */
	uint32_t on_fault;	  /* BW_IMAGE_BPF_ON_FAULT_* */
	uint64_t since_gen;	  /* generation that loaded this code */
	struct bw_bpf_stats base; /* slot sums when the slot was taken */
	char name[BW_BPF_NAME_LEN];
};

/*
 * The programs of one FULL generation, in run order. Immutable once
 * published; shared by the rulesets of the DELTA generations that follow;
 * freed by the control thread one RCU grace period after the last ruleset
 * that points at it was replaced. No set (NULL) when a ruleset has no
 * program.
 */
struct dp_bpf_set {
	uint32_t nb; /* programs, 1..BW_BPF_MAX */
	struct dp_bpf_prog prog[BW_BPF_MAX];
};

/*
 * Load every program of the validated FULL image v into a new set *out
 * (NULL when v has none): our checks, rte_bpf's verifier, native code
 * when jit is set (bw_bpf.h, bw_bpf_load.h). A program keeps the counter
 * slot it has in cur (the set in force, may be NULL) when its name and
 * code are the same; any other takes a slot that cur does not use, and
 * its base counters are the slot's sums across nb_workers now (no worker
 * writes a slot that no program in force holds). gen is v's generation.
 * Returns 0, or a negative errno with "program 'NAME': reason" in why;
 * nothing is left allocated then. Control thread (or main lcore at boot).
 */
int dp_bpf_set_build(const struct bw_image_view *v,
		     const struct dp_bpf_set *cur, const struct dp_status *st,
		     uint32_t nb_workers, int jit, uint64_t gen,
		     struct dp_bpf_set **out, char *why, size_t why_len);

/*
 * Write the program info table of the status region for set s (NULL: no
 * program), under its sequence lock: the slots s holds, every other slot
 * cleared. Call once no worker can run the set s replaced. Control thread.
 */
void dp_bpf_set_publish(const struct dp_bpf_set *s, struct dp_status *st);

/*
 * The log of run-time faults (bw_bpf_load.h BW_BPF_FAULT_RC), which
 * workers only count: called by the main lcore every stats period, it
 * reads the status region's program table and counters, and logs one line
 * for a program whose fault count grew, at most once per
 * DP_BPF_FAULT_LOG_S seconds per program (the line sums what happened
 * since the last one). now_s: a monotonic clock in seconds. Main lcore.
 */
#define DP_BPF_FAULT_LOG_S 10
void dp_bpf_fault_report(const struct dp_status *st, uint32_t nb_workers,
			 uint64_t now_s);

/* Free a set and its programs' code. NULL is fine. Control thread. */
void dp_bpf_set_free(struct dp_bpf_set *s);

#endif /* DP_BPF_H */
