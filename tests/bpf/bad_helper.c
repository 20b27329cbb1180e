/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: calls helper 6, bpf_trace_printk in Linux, unknown here. */
#include "bw_bpf.h"

static long (*kernel_helper)(uint64_t) = (void *)6;

BW_BPF_PROG(bad_helper)
{
	return kernel_helper(ctx->dport) ? BW_BPF_DROP : BW_BPF_CONTINUE;
}
