/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop DNP3 cold and warm restart requests from outside: application
 * function codes 13 (cold restart) and 14 (warm restart) sent to an
 * outstation on port 20000, over TCP or UDP (IEEE 1815-2012). A restart
 * takes the outstation off line; nobody on the uplink has reason to ask
 * for one.
 *
 * A DNP3 frame starts with the 10-byte link header: 0x05 0x64, length,
 * control, destination (2), source (2), CRC (2). User data then come in
 * blocks of up to 16 bytes, each followed by its own 2-byte CRC, so the
 * first block holds the transport header (1 byte) and the application
 * header (control, function code): the function code is at byte 12 of
 * the frame. It is only there when the link frame carries user data (a
 * primary frame, link function 3 or 4), the length field covers it
 * (5 + 3 bytes) and the transport segment is the first of its message
 * (FIR). Only the first frame of a segment or datagram is looked at.
 *
 *   bulwarkctl bpf load dnp3-restart dnp3_restart.o
 */
#include "bw_bpf.h"

#define DNP3_PORT		   20000
#define DNP3_START0		   0x05
#define DNP3_START1		   0x64
#define DNP3_LEN		   2 /* link length: control .. user data, no CRCs */
#define DNP3_CTRL		   3 /* link control */
#define DNP3_TRANSPORT		   10 /* first user data byte: transport header */
#define DNP3_FC			   12 /* transport, application control, function */
#define DNP3_LEN_MIN		   8	/* 5 header bytes + the 3 above */
#define DNP3_CTRL_PRM		   0x40 /* primary (initiating) frame */
#define DNP3_CTRL_FUNC		   0x0f /* link function */
#define DNP3_LINK_CONFIRMED_DATA   3
#define DNP3_LINK_UNCONFIRMED_DATA 4
#define DNP3_TRANSPORT_FIR	   0x40 /* first segment of a message */
#define DNP3_FC_COLD_RESTART	   13
#define DNP3_FC_WARM_RESTART	   14

BW_BPF_PROG(dnp3_restart)
{
	uint32_t p = ctx->payload_off;
	uint8_t ctrl, fc;

	if (ctx->dir != BW_BPF_DIR_INBOUND || !(ctx->flags & BW_BPF_F_L4) ||
	    ctx->dport != DNP3_PORT ||
	    (ctx->l4_proto != BW_IPPROTO_TCP &&
	     ctx->l4_proto != BW_IPPROTO_UDP))
		return BW_BPF_CONTINUE;
	if (ctx->payload_len < DNP3_FC + 1 || !bw_bpf_has(ctx, p, DNP3_FC + 1))
		return BW_BPF_CONTINUE;
	if (bw_bpf_u8(ctx, p) != DNP3_START0 ||
	    bw_bpf_u8(ctx, p + 1) != DNP3_START1 ||
	    bw_bpf_u8(ctx, p + DNP3_LEN) < DNP3_LEN_MIN)
		return BW_BPF_CONTINUE;
	ctrl = bw_bpf_u8(ctx, p + DNP3_CTRL);
	if (!(ctrl & DNP3_CTRL_PRM) ||
	    ((ctrl & DNP3_CTRL_FUNC) != DNP3_LINK_CONFIRMED_DATA &&
	     (ctrl & DNP3_CTRL_FUNC) != DNP3_LINK_UNCONFIRMED_DATA))
		return BW_BPF_CONTINUE;
	if (!(bw_bpf_u8(ctx, p + DNP3_TRANSPORT) & DNP3_TRANSPORT_FIR))
		return BW_BPF_CONTINUE;
	fc = bw_bpf_u8(ctx, p + DNP3_FC);
	if (fc == DNP3_FC_COLD_RESTART || fc == DNP3_FC_WARM_RESTART)
		return BW_BPF_DROP;
	return BW_BPF_CONTINUE;
}
