/* SPDX-License-Identifier: BSD-3-Clause */
/* Rejected: a map (BTF-defined, as libbpf wants them; built with -g). */
#include "bw_bpf.h"

struct {
	int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
	int (*max_entries)[16];
} seen __attribute__((section(".maps"), used));

BW_BPF_PROG(bad_maps)
{
	return ctx->dport == 23 ? BW_BPF_DROP : BW_BPF_CONTINUE;
}
