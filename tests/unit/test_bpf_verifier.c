/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the eBPF loader shared by bulwarkctl and the dataplane
 * (bw_bpf_load.h: our checks, rte_bpf's verifier, its JIT and interpreter)
 * on crafted code: what it refuses and why, what it accepts and how both
 * engines run it, and helper calls through the xsym table.
 *
 * Usage: test_bpf_verifier [DATA_DIR [BUILD_DIR]] (test_bpf_util.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "test_bpf_util.h"

/* Crafted code the loader refuses, with a word of its reason. */
static const struct reject_case {
	struct bw_image_insn ins[5];
	uint32_t nb;
	const char *keyword;
} rejects[] = {
	{{LDX_B(0, 1, 640), EXIT}, 2, "memory boundary violation"},
	{{LDX_B(0, 1, -1), EXIT}, 2, "memory boundary violation"},
	{{MOV_K(0, 0), ADD_K(0, 1), JLT_K(0, 10, -2), EXIT},
	 4,
	 "loops detected"},
	{{CALL(99), EXIT}, 2, "unknown helper 99"},
	{{CALL(0), EXIT}, 2, "unknown helper 0"},
	{{INS(0x85, 0, 1, 0, 1), EXIT}, 2, "call to another function"},
	{{ST_W(1, 8, 0), MOV_K(0, 0), EXIT}, 3, "store through r1"},
	{{INS(0xdb, 1, 2, 0, 0), MOV_K(0, 0), EXIT}, 3, "store through r1"},
	{{INS(0x18, 1, 1, 0, 3), INS(0, 0, 0, 0, 0), MOV_K(0, 0), EXIT},
	 4,
	 "map or global data"},
	/* the helper's 16 bytes would pass the end of the context */
	{{ADD_K(1, 630), MOV_K(2, 4), MOV_K(3, 1), CALL(1), EXIT},
	 5,
	 "memory boundary violation"},
	{{EXIT}, 1, "undefined return value"},
};

/* Refused with a reason that contains the case's keyword. */
static void
expect_reject(const struct reject_case *c)
{
	char why[BW_BPF_WHY_LEN] = "";
	struct prog p;
	int r = bpf_prog_load(&p, c->ins, c->nb, NULL, why, sizeof(why));
	int ok = r < 0 && strstr(why, c->keyword) != NULL;

	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\n  case %d: got %d '%s', want '%s'",
			(int)(c - rejects), r, why, c->keyword);
	if (r == 0)
		bw_bpf_code_free(&p.code);
}

static void
test_reject_crafted(void)
{
	struct bw_image_insn *many;
	char why[BW_BPF_WHY_LEN];
	struct prog p;
	uint32_t i;

	for (i = 0; i < NB(rejects); i++)
		expect_reject(&rejects[i]);
	CU_ASSERT(bpf_prog_load(&p, rejects[0].ins, 0, NULL, why,
				sizeof(why)) == -EINVAL);
	CU_ASSERT(strstr(why, "no instructions") != NULL);
	many = calloc(BW_BPF_INSNS_MAX + 1, sizeof(*many));
	CU_ASSERT_FATAL(many != NULL);
	for (i = 0; i < BW_BPF_INSNS_MAX; i++)
		many[i] = MOV_K(0, 0);
	many[BW_BPF_INSNS_MAX] = EXIT;
	CU_ASSERT(bpf_prog_load(&p, many, BW_BPF_INSNS_MAX + 1, NULL, why,
				sizeof(why)) == -EINVAL);
	CU_ASSERT(strstr(why, "at most 4096") != NULL);
	/* the largest program allowed loads */
	many[BW_BPF_INSNS_MAX - 1] = EXIT;
	CU_ASSERT(bpf_prog_load(&p, many, BW_BPF_INSNS_MAX, NULL, why,
				sizeof(why)) == 0);
	bw_bpf_code_free(&p.code);
	free(many);
}

/* A zeroed context; the test stops when there is no memory. */
static struct bw_bpf_ctx *
ctx_new(void)
{
	struct bw_bpf_ctx *ctx = calloc(1, sizeof(*ctx));

	CU_ASSERT_FATAL(ctx != NULL);
	return ctx;
}

/* Load code that must load, with helpers h. */
static void
load_ok(struct prog *p, const struct bw_image_insn *ins, uint32_t nb,
	const struct bw_bpf_helpers *h)
{
	char why[BW_BPF_WHY_LEN];

	CU_ASSERT_FATAL(bpf_prog_load(p, ins, nb, h, why, sizeof(why)) == 0);
}

static void
test_accept_crafted(void)
{
	/* stores to the stack are fine, loads of the last context byte too */
	const struct bw_image_insn ok[] = {ST_W(10, -8, 7), LDX_B(2, 1, 639),
					   LDX_B(0, 10, -8), EXIT};
	struct bw_bpf_ctx *ctx = ctx_new();
	char why[BW_BPF_WHY_LEN];
	struct prog p = {.name = "ok"};

	CU_ASSERT_FATAL(bpf_prog_load(&p, ok, NB(ok), NULL, why, sizeof(why)) ==
			0);
	CU_ASSERT(why[0] == '\0');
	CU_ASSERT(p.code.bpf != NULL);
	if (bw_bpf_jit_supported())
		CU_ASSERT_FATAL(p.code.jit != NULL);
	if (p.code.jit != NULL)
		CU_ASSERT(RUN(&p, ctx) == 7);
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == 7);
	bw_bpf_code_free(&p.code);
	CU_ASSERT(p.code.bpf == NULL && p.code.jit == NULL);
	/* want_jit 0: the interpreter only */
	CU_ASSERT_FATAL(bw_bpf_code_load(&p.code, ok, NB(ok), NULL, 0, why,
					 sizeof(why)) == 0);
	CU_ASSERT(p.code.jit == NULL);
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == 7);
	bw_bpf_code_free(&p.code);
	free(ctx);
}

/* A helper of our own: records what the program passed. */
static uint64_t seen_addr, seen_family, seen_how, seen_calls;

static uint64_t
spy_lookup(uint64_t addr, uint64_t family, uint64_t how, uint64_t a4,
	   uint64_t a5)
{
	(void)a4;
	(void)a5;
	seen_addr = addr;
	seen_family = family;
	seen_how = how;
	seen_calls++;
	return 42;
}

static void
test_helper_call(void)
{
	/* bw_list_lookup(ctx->dst, 6, SRC | DST) */
	const struct bw_image_insn call[] = {
		ADD_K(1, (int32_t)offsetof(struct bw_bpf_ctx, dst)),
		MOV_K(2, 6), MOV_K(3, 3), CALL(BW_BPF_HELPER_LIST_LOOKUP),
		EXIT};
	struct bw_bpf_helpers h = {
		.fn = {[BW_BPF_HELPER_LIST_LOOKUP] = spy_lookup}};
	struct bw_bpf_ctx *ctx = ctx_new();
	struct prog p = {.name = "call"};

	/* with the stub (bulwarkctl's verifier): no list */
	load_ok(&p, call, NB(call), NULL);
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == (uint64_t)-1);
	if (p.code.jit != NULL)
		CU_ASSERT(RUN(&p, ctx) == (uint64_t)-1);
	bw_bpf_code_free(&p.code);
	/* with an implementation: the arguments arrive as the ABI says */
	load_ok(&p, call, NB(call), &h);
	seen_calls = 0;
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == 42);
	CU_ASSERT(seen_calls == 1);
	CU_ASSERT(seen_addr == (uintptr_t)ctx->dst);
	CU_ASSERT(seen_family == 6 && seen_how == 3);
	if (p.code.jit != NULL) {
		seen_addr = 0;
		CU_ASSERT(RUN(&p, ctx) == 42);
		CU_ASSERT(seen_calls == 3);
		CU_ASSERT(seen_addr == (uintptr_t)ctx->dst);
	}
	bw_bpf_code_free(&p.code);
	free(ctx);
}

/* The tests main runs (test_bpf_util.h). */
const struct bw_cunit_test bpf_tests[] = {
	{"verifier rejects crafted code", test_reject_crafted},
	{"verifier accepts, both engines run", test_accept_crafted},
	{"helper call through the xsym table", test_helper_call},
	{NULL, NULL},
};
