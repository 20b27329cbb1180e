/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop TCP segments whose flags no TCP stack sends (RFC 9293), in either
 * direction: they are scanner probes (nmap -sN, -sX, ...) or evasion
 * attempts, and some embedded stacks answer or crash on them.
 *
 *   SYN+FIN   open and close at once
 *   NULL      none of FIN, SYN, RST, PSH, ACK, URG
 *   XMAS      FIN+PSH+URG together
 *
 * Later fragments carry no TCP header (BW_BPF_F_L4 clear) and pass on.
 *
 *   bulwarkctl bpf load tcp-flags tcp_flags.o
 */
#include "bw_bpf.h"

#define FLAGS_CLASSIC                                                          \
	(BW_TCP_FIN | BW_TCP_SYN | BW_TCP_RST | BW_TCP_PSH | BW_TCP_ACK |      \
	 BW_TCP_URG)
#define FLAGS_XMAS (BW_TCP_FIN | BW_TCP_PSH | BW_TCP_URG)

BW_BPF_PROG(tcp_flags)
{
	uint8_t f = ctx->tcp_flags;

	if (ctx->l4_proto != BW_IPPROTO_TCP || !(ctx->flags & BW_BPF_F_L4))
		return BW_BPF_CONTINUE;
	if ((f & (BW_TCP_SYN | BW_TCP_FIN)) == (BW_TCP_SYN | BW_TCP_FIN))
		return BW_BPF_DROP;
	if ((f & FLAGS_CLASSIC) == 0)
		return BW_BPF_DROP;
	if ((f & FLAGS_XMAS) == FLAGS_XMAS)
		return BW_BPF_DROP;
	return BW_BPF_CONTINUE;
}
