/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading one eBPF program with rte_bpf: the checks of our own that come
 * first, rte_bpf's verifier, its JIT. Shared by the dataplane (which runs
 * what it loads) and bulwarkctl (which loads to verify, with stub helpers,
 * so that an operator sees the verifier's reason before anything is
 * committed). Needs librte_bpf but no EAL. No DPDK type in this header.
 */
#ifndef BW_BPF_LOAD_H
#define BW_BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "bw_bpf.h"
#include "bw_image.h"

/* Enough for every reason this module writes; longer ones are cut. */
#define BW_BPF_WHY_LEN 256

/* An rte_bpf external function: five 64-bit arguments, one result. */
typedef uint64_t (*bw_bpf_helper_fn)(uint64_t, uint64_t, uint64_t, uint64_t,
				     uint64_t);

/*
 * Implementations of the helpers of bw_bpf.h, indexed by helper number
 * (entry 0 unused). A NULL entry, or a NULL table, is a stub that answers
 * as bw_bpf.h says the stub does.
 */
struct bw_bpf_helpers {
	bw_bpf_helper_fn fn[BW_BPF_HELPER_MAX + 1];
};

struct rte_bpf;

/*
 * What a loaded program returns when it faulted: a division or remainder
 * by a register that held zero (the only run-time fault of rte_bpf's
 * instruction set; a division by the constant 0 is refused at load). Not
 * a verdict of bw_bpf.h, and no 32-bit value, signed or not: a C program
 * returning int cannot produce it. bw_bpf_code_load() puts a guard before
 * each such division that ends the program with this value, instead of
 * letting rte_bpf's own check return 0 (BW_BPF_CONTINUE: a drop program
 * would fail open) and, in the interpreter, log a line per packet.
 */
#define BW_BPF_FAULT_RC 0xfa17ed0bfa17ed0bULL

/* A loaded program. */
struct bw_bpf_code {
	struct rte_bpf *bpf;	    /* rte_bpf handle: rte_bpf_exec() */
	uint64_t (*jit)(void *ctx); /* native code, NULL: interpreter only */
	size_t jit_size;	    /* bytes of native code */
	int guarded;		    /* 1: divisions by a register guarded */
};

/*
 * Check what rte_bpf does not, before it sees the program: 1 to
 * BW_BPF_INSNS_MAX instructions; calls only to helpers 1..BW_BPF_HELPER_MAX
 * (no call into another function of the object, no kernel function);
 * stores only to the stack (r10), so that a program cannot change its
 * context for the next program; no 64-bit load that refers to a map; no
 * division or remainder by the constant 0; no jset with an immediate from
 * -128 to 127 (rte_bpf 22.11's x86 JIT gives that instruction a one-byte
 * immediate it does not have: the native code that follows is garbage;
 * clang does not emit jset, hand-written code could).
 * Returns 0, or -EINVAL with a lowercase reason in why that names the
 * instruction ("insn 12: ..."). Pure; any thread.
 */
int bw_bpf_code_check(const struct bw_image_insn *insns, uint32_t nb_insns,
		      char *why, size_t why_len);

/*
 * bw_bpf_code_check(), then rte_bpf_load() with the helpers' table and a
 * context argument of sizeof(struct bw_bpf_ctx) bytes, then rte_bpf_get_jit().
 * want_jit: native code is required where rte_bpf has a JIT (x86-64,
 * arm64): a program it could not compile is refused; elsewhere, or with
 * want_jit 0, c->jit stays NULL and the interpreter runs the program.
 * rte_bpf's log lines are captured while it runs (rte_openlog_stream()) to
 * give the verifier's own words in why: "memory boundary violation at pc
 * 3", "loops detected; loop at pc:12 --> pc:6". A division by a
 * register gets a guard (BW_BPF_FAULT_RC): the verifier sees the program
 * as written first, so that its reasons name the operator's instruction
 * numbers, then the guarded code is loaded and run. Returns 0 (free with
 * bw_bpf_code_free()) or a negative errno with why set. Control thread of
 * the dataplane, or bulwarkctl; not thread-safe (the log stream is
 * process-wide).
 */
int bw_bpf_code_load(struct bw_bpf_code *c, const struct bw_image_insn *insns,
		     uint32_t nb_insns, const struct bw_bpf_helpers *helpers,
		     int want_jit, char *why, size_t why_len);

/* Run a loaded program on ctx with the interpreter. Any thread. */
uint64_t bw_bpf_code_interp(const struct bw_bpf_code *c,
			    struct bw_bpf_ctx *ctx);

/* Free what bw_bpf_code_load() made; c is zeroed. Safe on a zeroed c. */
void bw_bpf_code_free(struct bw_bpf_code *c);

/* 1 when this build of rte_bpf has a JIT for the machine it runs on. */
int bw_bpf_jit_supported(void);

#endif /* BW_BPF_LOAD_H */
