/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A program that divides by a byte of the packet, to make it fault
 * (tests/integration/bpf_fault.sh): for inbound UDP to port 9999 whose
 * payload has two bytes d and n, it drops the packet when n / d is 3 and
 * otherwise lets it go on; d == 0 is a division by zero. Built twice:
 * div_byte.o divides with 64-bit arithmetic; div_byte32.o (-DDIV32) with
 * the 32-bit instruction `w /= w`, its divisor register holding d in the
 * low half and 0x100 in the high half: the 32-bit division faults on the
 * low half alone, where a 64-bit test of the register would see no zero.
 * (The instruction is written in assembly: rte_bpf's verifier refuses
 * what clang's alu32 mode makes of the rest of the program.)
 */
#include "bw_bpf.h"

BW_BPF_PROG(div_byte)
{
	uint32_t p = ctx->payload_off;
	uint64_t d, n;

	if (ctx->dir != BW_BPF_DIR_INBOUND || ctx->l4_proto != BW_IPPROTO_UDP ||
	    !(ctx->flags & BW_BPF_F_L4) || ctx->dport != 9999 ||
	    ctx->payload_len < 2 || !bw_bpf_has(ctx, p, 2))
		return BW_BPF_CONTINUE;
	d = bw_bpf_u8(ctx, p);
	n = bw_bpf_u8(ctx, p + 1);
#ifdef DIV32
	{
		register uint64_t q asm("r3") = n;
		register uint64_t v asm("r4") = d | (uint64_t)0x100 << 32;

		asm volatile("w3 /= w4" : "+r"(q) : "r"(v));
		n = q;
	}
	if (n == 3)
		return BW_BPF_DROP;
#else
	if (n / d == 3)
		return BW_BPF_DROP;
#endif
	return BW_BPF_CONTINUE;
}
