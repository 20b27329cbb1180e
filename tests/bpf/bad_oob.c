/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: reads at an offset nothing bounds (no mask, no check). */
#include "bw_bpf.h"

BW_BPF_PROG(bad_oob)
{
	return ctx->data[ctx->data_len] == 0xff ? BW_BPF_DROP : BW_BPF_CONTINUE;
}
