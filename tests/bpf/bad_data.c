/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: global data (libbpf makes .bss a map). */
#include "bw_bpf.h"

volatile uint64_t hits;

BW_BPF_PROG(bad_data)
{
	hits += ctx->dport;
	return BW_BPF_CONTINUE;
}
