/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop Modbus/TCP requests from outside that write to the field device:
 * function codes 5 (write single coil), 6 (write single register), 15
 * (write multiple coils), 16 (write multiple registers), 22 (mask write
 * register) and 23 (read/write multiple registers: it writes too).
 * Reading stays allowed; so does every write from the inside.
 *
 * A request is a TCP segment to port 502 whose payload starts with the
 * 7-byte MBAP header (transaction id, protocol id 0, length, unit id) and
 * then the function code (Modbus Messaging on TCP/IP Implementation
 * Guide V1.0b, section 3.1.3). Only the first request of a segment is
 * looked at; a segment whose first 8 payload bytes are not in the
 * program's window is let through (the window is the first 512 bytes of
 * the frame, which a Modbus request header never passes).
 *
 *   clang -O2 -target bpf -ffreestanding -I include \
 *         -c examples/bpf/modbus_write.c -o modbus_write.o
 *   bulwarkctl bpf load modbus-write modbus_write.o
 */
#include "bw_bpf.h"

#define MODBUS_PORT  502
#define MBAP_LEN     7 /* transaction 2, protocol 2, length 2, unit 1 */
#define MBAP_PROTO   2 /* offset of the protocol identifier */
#define MODBUS_PROTO 0 /* the only protocol identifier Modbus uses */

BW_BPF_INLINE int
is_write(uint8_t fc)
{
	return fc == 5 || fc == 6 || fc == 15 || fc == 16 || fc == 22 ||
	       fc == 23;
}

BW_BPF_PROG(modbus_write)
{
	uint32_t p = ctx->payload_off;

	if (ctx->dir != BW_BPF_DIR_INBOUND || ctx->l4_proto != BW_IPPROTO_TCP ||
	    !(ctx->flags & BW_BPF_F_L4) || ctx->dport != MODBUS_PORT)
		return BW_BPF_CONTINUE;
	if (ctx->payload_len < MBAP_LEN + 1 ||
	    !bw_bpf_has(ctx, p, MBAP_LEN + 1))
		return BW_BPF_CONTINUE;
	if (bw_bpf_be16(ctx, p + MBAP_PROTO) != MODBUS_PROTO)
		return BW_BPF_CONTINUE;
	if (is_write(bw_bpf_u8(ctx, p + MBAP_LEN)))
		return BW_BPF_DROP;
	return BW_BPF_CONTINUE;
}
