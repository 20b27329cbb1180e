/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two programs, two sections: loading needs --section. "bulwark" passes
 * everything from 192.0.2.0/24 (BW_BPF_PASS), "drop_all" drops all, and
 * "lookup" drops a packet whose source a block list would decide for as
 * a destination (exercises bw_list_lookup()).
 */
#include "bw_bpf.h"

BW_BPF_PROG(pass_doc)
{
	if (ctx->l3 == BW_BPF_L3_IPV4 && ctx->src[0] == 192 &&
	    ctx->src[1] == 0 && ctx->src[2] == 2)
		return BW_BPF_PASS;
	return BW_BPF_CONTINUE;
}

__attribute__((section("drop_all"), used)) int
prog_drop_all(const struct bw_bpf_ctx *ctx)
{
	(void)ctx;
	return BW_BPF_DROP;
}

__attribute__((section("lookup"), used)) int
prog_lookup(const struct bw_bpf_ctx *ctx)
{
	if (ctx->l3 != BW_BPF_L3_IPV4 && ctx->l3 != BW_BPF_L3_IPV6)
		return BW_BPF_CONTINUE;
	if (bw_list_lookup(ctx->src, ctx->l3, BW_BPF_LOOKUP_DST) >= 0)
		return BW_BPF_DROP;
	return BW_BPF_CONTINUE;
}
