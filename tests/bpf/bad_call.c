/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: calls a function of its own object instead of inlining it. */
#include "bw_bpf.h"

static __attribute__((noinline)) int
is_telnet(const struct bw_bpf_ctx *ctx)
{
	return ctx->dport == 23;
}

BW_BPF_PROG(bad_call)
{
	return is_telnet(ctx) ? BW_BPF_DROP : BW_BPF_CONTINUE;
}
