/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run-time faults of eBPF programs (bw_bpf_load.h BW_BPF_FAULT_RC): a
 * division or remainder by a register that holds zero ends the program
 * with the fault value, in the interpreter and in the JIT alike; any
 * other divisor divides as the instruction set says (the expected values
 * are computed here in C, apart from the loader), the divisor register
 * comes out unchanged, and jumps over or onto a guarded division still
 * land where the program meant.
 */
#include <stdlib.h>
#include <string.h>

#include "test_bpf_util.h"

#define LDDW(d, v)                                                             \
	INS(0x18, d, 0, 0, (int32_t)(uint32_t)(v)),                            \
		INS(0, 0, 0, 0, (int32_t)(uint32_t)((uint64_t)(v) >> 32))
#define MOV_X(d, s)	INS(0xbf, d, s, 0, 0) /* dst = src */
#define DIV_X(d, s)	INS(0x3f, d, s, 0, 0) /* dst /= src (64) */
#define MOD_X(d, s)	INS(0x9f, d, s, 0, 0) /* dst %= src (64) */
#define DIV32_X(d, s)	INS(0x3c, d, s, 0, 0) /* dst = (u32)dst / (u32)src */
#define MOD32_X(d, s)	INS(0x9c, d, s, 0, 0)
#define DIV_K(d, k)	INS(0x37, d, 0, 0, k)
#define JA(o)		INS(0x05, 0, 0, o, 0)
#define LDX_DW(d, s, o) INS(0x79, d, s, o, 0)

static struct bw_bpf_ctx *
ctx_new(void)
{
	struct bw_bpf_ctx *c = calloc(1, sizeof(*c));

	CU_ASSERT_FATAL(c != NULL);
	return c;
}

static void
load_ok(struct prog *p, const struct bw_image_insn *ins, uint32_t nb)
{
	char why[BW_BPF_WHY_LEN] = "";
	int r = bpf_prog_load(p, ins, nb, NULL, why, sizeof(why));

	if (r != 0)
		fprintf(stderr, "load: %s\n", why);
	CU_ASSERT_FATAL(r == 0);
	CU_ASSERT(p->code.guarded == 1);
}

/*
 * r0 = a OP b where a, b are the context's first two 64-bit words of
 * data[]: OP is code (a division or remainder by r2). With tail set, the
 * program then returns r2 instead: the divisor as the division left it.
 */
static void
run_op(uint8_t code, uint64_t a, uint64_t b, uint64_t want, int tail)
{
	const int16_t d = (int16_t)offsetof(struct bw_bpf_ctx, data);
	const struct bw_image_insn ins[] = {LDX_DW(3, 1, d),
					    LDX_DW(2, 1, d + 8),
					    MOV_X(0, 3),
					    INS(code, 0, 2, 0, 0),
					    tail ? MOV_X(0, 2) : MOV_X(0, 0),
					    EXIT};
	struct bw_bpf_ctx *ctx = ctx_new();
	struct prog p = {.name = "op"};

	memcpy(ctx->data, &a, 8);
	memcpy(ctx->data + 8, &b, 8);
	load_ok(&p, ins, NB(ins));
	CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == want);
	if (p.code.jit != NULL)
		CU_ASSERT(RUN(&p, ctx) == want);
	bw_bpf_code_free(&p.code);
	free(ctx);
}

static void
test_div64(void)
{
	run_op(0x3f, 1000, 7, 1000 / 7, 0);
	run_op(0x9f, 1000, 7, 1000 % 7, 0);
	run_op(0x3f, 1000, 0, BW_BPF_FAULT_RC, 0);
	run_op(0x9f, 1000, 0, BW_BPF_FAULT_RC, 0);
	/* only the high half set: a 64-bit divisor that is not zero */
	run_op(0x3f, 1ULL << 40, 1ULL << 32, 256, 0);
	run_op(0x3f, 5, 1ULL << 32, 0, 0);
	run_op(0x3f, 5, 1ULL << 32, 1ULL << 32, 1); /* divisor unchanged */
}

static void
test_div32(void)
{
	/* the low half decides: 1<<32 is zero to a 32-bit division */
	run_op(0x3c, 1000, 1ULL << 32, BW_BPF_FAULT_RC, 0);
	run_op(0x9c, 1000, 1ULL << 32, BW_BPF_FAULT_RC, 0);
	run_op(0x3c, 1000, 0, BW_BPF_FAULT_RC, 0);
	run_op(0x3c, 1000, 0xffffffff00000000ULL, BW_BPF_FAULT_RC, 0);
	run_op(0x3c, 1000, 7, 1000 / 7, 0);
	run_op(0x9c, 1000, 7, 1000 % 7, 0);
	/* bit 31 alone: not zero; the shift trick must restore it */
	run_op(0x3c, 0xffffffffULL, 0x180000000ULL, 1, 0);
	run_op(0x3c, 0xffffffffULL, 0x180000000ULL, 0x180000000ULL, 1);
	run_op(0x9c, 0xffffffffULL, 0x80000000ULL, 0x7fffffffULL, 0);
	run_op(0x3c, 0x123456789ULL, 0x5a00000003ULL, 0x23456789U / 3, 0);
	run_op(0x3c, 1, 0x5a00000003ULL, 0x5a00000003ULL, 1);
}

/* Jumps across a guard and onto the guarded division. */
static void
test_jumps(void)
{
	/*
	 * 0 r0 = 10        1 r2 = ctx->data[0]   2 if r2 < 5 goto 4(+1)
	 * 3 goto 5 (+1)    4 r0 /= r2            5 exit
	 * r2 >= 5 skips the division (r0 10); r2 1..4 divides; r2 0 faults.
	 */
	const int16_t d = (int16_t)offsetof(struct bw_bpf_ctx, data);
	const struct bw_image_insn ins[] = {MOV_K(0, 10),   LDX_B(2, 1, d),
					    JLT_K(2, 5, 1), JA(1),
					    DIV_X(0, 2),    EXIT};
	struct bw_bpf_ctx *ctx = ctx_new();
	struct prog p = {.name = "jumps"};
	const struct {
		uint8_t b;
		uint64_t want;
	} cases[] = {{9, 10}, {5, 10}, {4, 2}, {1, 10}, {0, BW_BPF_FAULT_RC}};
	size_t i;

	load_ok(&p, ins, NB(ins));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ctx->data[0] = cases[i].b;
		CU_ASSERT(bw_bpf_code_interp(&p.code, ctx) == cases[i].want);
		if (p.code.jit != NULL)
			CU_ASSERT(RUN(&p, ctx) == cases[i].want);
	}
	bw_bpf_code_free(&p.code);
	free(ctx);
}

/*
 * A division by the constant 0 is refused at load, so is a jset with a
 * one-byte immediate (the JIT miscompiles it), and the verifier's
 * reasons name the program's own instruction numbers, not the guarded
 * code's: the out-of-bounds read is insn 3 as written (5 guarded).
 */
static void
test_refusals(void)
{
	const struct bw_image_insn zero[] = {MOV_K(0, 1), DIV_K(0, 0), EXIT};
	const struct bw_image_insn jset[] = {MOV_K(0, 0), INS(0x45, 1, 0, 1, 1),
					     EXIT, MOV_K(0, 2), EXIT};
	const struct bw_image_insn oob[] = {
		MOV_K(2, 3), MOV_K(0, 9), DIV_X(0, 2),
		LDX_B(0, 1, (int16_t)sizeof(struct bw_bpf_ctx)), EXIT};
	char why[BW_BPF_WHY_LEN] = "";
	struct prog p = {.name = "bad"};

	CU_ASSERT(bpf_prog_load(&p, zero, NB(zero), NULL, why, sizeof(why)) ==
		  -EINVAL);
	CU_ASSERT(strstr(why, "insn 1: division by the constant 0") != NULL);
	/* jset r1, 1 would be miscompiled by the JIT: refused either way */
	why[0] = '\0';
	CU_ASSERT(bpf_prog_load(&p, jset, NB(jset), NULL, why, sizeof(why)) ==
		  -EINVAL);
	CU_ASSERT(strstr(why, "insn 1: jset with the immediate 1") != NULL);
	why[0] = '\0';
	CU_ASSERT(bpf_prog_load(&p, oob, NB(oob), NULL, why, sizeof(why)) < 0);
	CU_ASSERT(strstr(why, "pc: 3") != NULL || strstr(why, "pc 3") != NULL);
	if (strstr(why, "3") == NULL)
		fprintf(stderr, "reason: %s\n", why);
}

/* The tests main runs (test_bpf_util.h). */
const struct bw_cunit_test bpf_tests[] = {
	{"64-bit division by zero faults, others divide", test_div64},
	{"32-bit division: the low half decides", test_div32},
	{"jumps over and onto a guarded division", test_jumps},
	{"division by 0 and small jset refused, reasons as written",
	 test_refusals},
	{NULL, NULL},
};
