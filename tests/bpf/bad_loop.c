/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: a loop (rte_bpf refuses every backward jump). */
#include "bw_bpf.h"

BW_BPF_PROG(bad_loop)
{
	uint32_t i, sum = 0;

#pragma clang loop unroll(disable)
	for (i = 0; i < ctx->payload_len && i < 64; i++)
		sum += bw_bpf_u8(ctx, ctx->payload_off + i);
	return sum > 1000 ? BW_BPF_DROP : BW_BPF_CONTINUE;
}
