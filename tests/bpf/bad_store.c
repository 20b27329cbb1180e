/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: writes its context (the next program would see the change). */
#include "bw_bpf.h"

BW_BPF_PROG(bad_store)
{
	((struct bw_bpf_ctx *)(uintptr_t)ctx)->dport = 0;
	return BW_BPF_CONTINUE;
}
