/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ABI of operator eBPF programs: what a program receives, what it may
 * call and what it returns. Program authors include this header and compile
 * with
 *
 *     clang -O2 -target bpf -ffreestanding -I include -c prog.c -o prog.o
 *
 * and load the object with `bulwarkctl bpf load NAME prog.o`. The dataplane
 * includes it too (it fills the context). libc types only.
 *
 * The context is a bounded copy. For each packet that reaches the eBPF
 * stage, the worker fills one struct bw_bpf_ctx: the decoder's metadata and
 * the first data_len bytes of the frame (at most BW_BPF_DATA_MAX). Bytes of
 * data[] at and past data_len are NOT cleared: they are whatever an earlier
 * packet left there. Every read stays inside the structure (rte_bpf's
 * verifier proves it against sizeof(struct bw_bpf_ctx)), so a program can
 * never read outside its context; but a program that does not compare its
 * offsets with data_len reads stale bytes and decides on them. Use
 * bw_bpf_has() before bw_bpf_u8() and friends.
 *
 * A complete program (examples/bpf/ has more, docs/bpf.md explains):
 *
 *     #include "bw_bpf.h"
 *
 *     // drop inbound UDP to port 1900 (SSDP) whose payload starts "M-SEARCH"
 *     BW_BPF_PROG(ssdp_probe)
 *     {
 *             uint32_t p = ctx->payload_off;
 *
 *             if (ctx->dir != BW_BPF_DIR_INBOUND ||
 *                 ctx->l4_proto != BW_IPPROTO_UDP ||
 *                 !(ctx->flags & BW_BPF_F_L4) || ctx->dport != 1900)
 *                     return BW_BPF_CONTINUE;
 *             if (!bw_bpf_has(ctx, p, 8))
 *                     return BW_BPF_CONTINUE;   // not all in the window
 *             if (bw_bpf_be32(ctx, p) == 0x4d2d5345 &&       // "M-SE"
 *                 bw_bpf_be32(ctx, p + 4) == 0x41524348)     // "ARCH"
 *                     return BW_BPF_DROP;
 *             return BW_BPF_CONTINUE;
 *     }
 *
 * Programs can only read: stores are allowed to their own stack (r10) and
 * nowhere else, which bulwarkctl and the dataplane check before rte_bpf
 * does. No maps, no global or static data, no calls between functions (use
 * static inline), no loops (rte_bpf refuses back edges), no kernel helpers:
 * the helpers below are all there is.
 */
#ifndef BW_BPF_H
#define BW_BPF_H

#include <stddef.h>
#include <stdint.h>

/* Version of this ABI: struct bw_bpf_ctx layout, verdicts, helpers. */
#define BW_BPF_ABI_VERSION 1
/*
 * Minor: fields taken from reserved (zero) bytes; a program written for an
 * older minor runs unchanged. 1: the tunnel fields (outer_l3_off, outer_l3,
 * tun_*), and the existing L3/L4 fields describe the innermost packet.
 */
#define BW_BPF_ABI_MINOR 1

/* ELF section bulwarkctl picks when an object holds several programs. */
#define BW_BPF_SEC "bulwark"

/* Bytes of the frame copied into the context; a power of two. */
#define BW_BPF_DATA_MAX	 512
#define BW_BPF_DATA_MASK (BW_BPF_DATA_MAX - 1)

/*
 * Verdicts: the program's return value. Anything else is counted as an
 * error of the program and treated as BW_BPF_CONTINUE. A division or
 * remainder by a register that holds zero is no verdict but a fault: the
 * program stops, the fault is counted, and the packet is dropped (reason
 * "bpf-fault") or goes on, as the program's `--on-fault` says (default
 * drop; docs/bpf.md, "Run-time faults").
 */
#define BW_BPF_CONTINUE 0 /* no decision: the next program, then the rest */
#define BW_BPF_PASS	1 /* forward now; later programs and stages skipped */
#define BW_BPF_DROP	2 /* drop, counted under the drop reason "bpf" */

/* bw_bpf_ctx.l3 */
#define BW_BPF_L3_NONE 0 /* not IP (ARP, LLDP, ...): only data[] is useful */
#define BW_BPF_L3_IPV4 4
#define BW_BPF_L3_IPV6 6

/* bw_bpf_ctx.dir: which port the frame arrived on */
#define BW_BPF_DIR_INBOUND  0 /* from the outside port (the uplink) */
#define BW_BPF_DIR_OUTBOUND 1 /* from the inside port */

/* bw_bpf_ctx.frag */
#define BW_BPF_FRAG_NONE  0
#define BW_BPF_FRAG_FIRST 1 /* offset 0, more fragments follow */
#define BW_BPF_FRAG_LATER 2 /* offset > 0: no L4 header in this packet */

/* bw_bpf_ctx.flags */
#define BW_BPF_F_L4	     0x01 /* L4 header decoded: ports, flags, payload */
#define BW_BPF_F_IP4_OPTS    0x02 /* IPv4 header carries options */
#define BW_BPF_F_IP6_FRAGHDR 0x04 /* IPv6 fragment header seen */
#define BW_BPF_F_IP6_ROUTING 0x08 /* IPv6 routing header seen */

/* bw_bpf_ctx.tun_type[]: the encapsulation of each tunnel level */
#define BW_BPF_TUN_IP	  1 /* IPv4/IPv6 in IPv4/IPv6 */
#define BW_BPF_TUN_GRE	  2
#define BW_BPF_TUN_VXLAN  3
#define BW_BPF_TUN_GENEVE 4
#define BW_BPF_TUN_GTPU	  5
#define BW_BPF_TUN_MPLS	  6
#define BW_BPF_TUN_PPPOE  7
#define BW_BPF_TUN_MAX	  3 /* levels decapsulated at most */

/* bw_bpf_ctx.l4_proto values programs test most */
#define BW_IPPROTO_ICMP	  1
#define BW_IPPROTO_TCP	  6
#define BW_IPPROTO_UDP	  17
#define BW_IPPROTO_ICMPV6 58

/* bw_bpf_ctx.tcp_flags (RFC 9293, RFC 3168) */
#define BW_TCP_FIN 0x01
#define BW_TCP_SYN 0x02
#define BW_TCP_RST 0x04
#define BW_TCP_PSH 0x08
#define BW_TCP_ACK 0x10
#define BW_TCP_URG 0x20
#define BW_TCP_ECE 0x40
#define BW_TCP_CWR 0x80

/*
 * The context: argument 1 (r1) of every program, read-only. Offsets are
 * bytes from the start of the frame (data[0]); ports and lengths are in
 * host byte order, addresses in network byte order. Fields of layers the
 * decoder did not reach are zero (a non-IP frame has l3 0 and every L3/L4
 * field 0; a later fragment has no ports: BW_BPF_F_L4 is clear).
 *
 * Tunnels (ABI minor 1): l3_off ... dst describe the INNERMOST packet, the
 * one the tunnel delivers. tun_depth levels were crossed to reach it;
 * level i (0 outermost) is a tun_type[i] encapsulation carried by the IP
 * header at tun_l3_off[i] of family tun_l3[i] (0 for MPLS and PPPoE,
 * which Ethernet carries). outer_l3_off / outer_l3 name the frame's first
 * IP header: the same as l3_off / l3 when nothing is tunnelled.
 */
struct bw_bpf_ctx {
	uint32_t pkt_len;      /* bytes: the whole frame, without FCS */
	uint32_t data_len;     /* bytes of the frame in data[]: <= 512 */
	uint16_t l3_off;       /* start of the IP header (after VLAN tags) */
	uint16_t l4_off;       /* start of the L4 header (after IPv6 exts) */
	uint16_t payload_off;  /* start of the L4 payload */
	uint16_t ethertype;    /* innermost ethertype */
	uint32_t l3_len;       /* bytes: IP datagram as its header claims */
	uint32_t payload_len;  /* bytes: L4 payload (may pass data_len) */
	uint8_t l3;	       /* BW_BPF_L3_* */
	uint8_t l4_proto;      /* IP protocol, or last IPv6 next header */
	uint8_t dir;	       /* BW_BPF_DIR_* */
	uint8_t frag;	       /* BW_BPF_FRAG_* */
	uint8_t tcp_flags;     /* BW_TCP_*: the TCP flags byte */
	uint8_t ttl;	       /* IPv4 TTL or IPv6 hop limit */
	uint8_t icmp_type;     /* ICMP or ICMPv6 type */
	uint8_t icmp_code;     /* ICMP or ICMPv6 code */
	uint8_t nb_vlan;       /* VLAN tags (0..2) */
	uint8_t flags;	       /* BW_BPF_F_* */
	uint8_t anomaly;       /* reason passed by policy, 0: well formed */
	uint8_t reserved0;     /* zero */
	uint16_t vlan[2];      /* VLAN ids, outermost first */
	uint16_t sport;	       /* TCP/UDP source port */
	uint16_t dport;	       /* TCP/UDP destination port */
	uint16_t frag_off;     /* bytes: fragment offset */
	uint16_t reserved1;    /* zero */
	uint32_t frag_id;      /* IPv4 id or IPv6 fragment identification */
	uint16_t outer_l3_off; /* the first IP header of the frame */
	uint8_t outer_l3;      /* BW_BPF_L3_* of that header */
	uint8_t tun_depth;     /* tunnel levels crossed, 0..3 */
	uint8_t tun_type[BW_BPF_TUN_MAX]; /* BW_BPF_TUN_*, outermost first */
	uint8_t reserved2[5];		  /* zero */
	uint8_t src[16]; /* source address; IPv4 in src[0..3] */
	uint8_t dst[16]; /* destination address; IPv4 in dst[0..3] */
	uint8_t tun_l3[BW_BPF_TUN_MAX];	     /* BW_BPF_L3_* carrying level i */
	uint8_t reserved3a;		     /* zero */
	uint16_t tun_l3_off[BW_BPF_TUN_MAX]; /* that IP header's offset */
	uint8_t reserved3[22];		     /* zero */
	uint8_t data[BW_BPF_DATA_MAX];	     /* frame bytes [0, data_len) */
};

_Static_assert(sizeof(struct bw_bpf_ctx) == 640, "bpf context size");
_Static_assert(offsetof(struct bw_bpf_ctx, l3) == 24, "bpf context l3");
_Static_assert(offsetof(struct bw_bpf_ctx, vlan) == 36, "bpf context vlan");
_Static_assert(offsetof(struct bw_bpf_ctx, src) == 64, "bpf context src");
_Static_assert(offsetof(struct bw_bpf_ctx, data) == 128, "bpf context data");
_Static_assert(offsetof(struct bw_bpf_ctx, outer_l3_off) == 52,
	       "bpf context outer_l3_off");
_Static_assert(offsetof(struct bw_bpf_ctx, tun_type) == 56,
	       "bpf context tun_type");
_Static_assert(offsetof(struct bw_bpf_ctx, tun_l3) == 96, "bpf context tun_l3");
_Static_assert(offsetof(struct bw_bpf_ctx, tun_l3_off) == 100,
	       "bpf context tun_l3_off");

/*
 * Helpers. A program calls helper N with the instruction "call N"; N is an
 * index into the table of external functions the dataplane gives rte_bpf.
 * Numbers are ABI: never renumbered, never reused. 0 is not a helper.
 *
 * 1 bw_list_lookup(const void *addr, uint64_t family, uint64_t how)
 *   addr: 16 readable bytes (context or stack) holding an address in
 *   network byte order, IPv4 in the first 4; family: 4 or 6; how: a mix of
 *   BW_BPF_LOOKUP_*. Answers what the list stage would answer for that
 *   address in the ruleset the packet is classified under: the id of the
 *   block list (allow list with BW_BPF_LOOKUP_ALLOW) that decides for it as
 *   a source (BW_BPF_LOOKUP_SRC), else as a destination
 *   (BW_BPF_LOOKUP_DST); -1 when no list decides, or for a bad family or
 *   how. List ids are shown by `bulwarkctl list show`. bulwarkctl's
 *   verifier and the unit tests run with a stub that always answers -1.
 */
#define BW_BPF_HELPER_LIST_LOOKUP 1
#define BW_BPF_HELPER_MAX	  1 /* highest helper number */

/* bw_list_lookup() how */
#define BW_BPF_LOOKUP_SRC   0x1 /* as a source address */
#define BW_BPF_LOOKUP_DST   0x2 /* as a destination address */
#define BW_BPF_LOOKUP_ALLOW 0x4 /* allow lists instead of block lists */

#ifdef __bpf__
/* What follows is for programs only (clang -target bpf). */

#define BW_BPF_INLINE static inline __attribute__((always_inline))

/* Define the program NAME in section BW_BPF_SEC. */
#define BW_BPF_PROG(name)                                                      \
	__attribute__((section(BW_BPF_SEC), used)) int name(                   \
		const struct bw_bpf_ctx *ctx)

/* Old-style helper declarations: the pointer's value is the number. */
static long (*bw_list_lookup)(const void *addr, uint64_t family, uint64_t how)
	__attribute__((unused)) = (void *)BW_BPF_HELPER_LIST_LOOKUP;

/* 1 when the n bytes at off are all in the window: [off, off+n) in data. */
BW_BPF_INLINE int
bw_bpf_has(const struct bw_bpf_ctx *ctx, uint32_t off, uint32_t n)
{
	return off <= ctx->data_len && n <= ctx->data_len - off;
}

/*
 * Bytes of the window. The mask keeps every read inside data[] whatever
 * off is, which is what lets the verifier accept a variable offset; check
 * bw_bpf_has() first, or the byte may be stale.
 */
BW_BPF_INLINE uint8_t
bw_bpf_u8(const struct bw_bpf_ctx *ctx, uint32_t off)
{
	return ctx->data[off & BW_BPF_DATA_MASK];
}

/* Big-endian (network order) 16 and 32-bit fields of the window. */
BW_BPF_INLINE uint16_t
bw_bpf_be16(const struct bw_bpf_ctx *ctx, uint32_t off)
{
	return (uint16_t)((uint32_t)bw_bpf_u8(ctx, off) << 8 |
			  bw_bpf_u8(ctx, off + 1));
}

BW_BPF_INLINE uint32_t
bw_bpf_be32(const struct bw_bpf_ctx *ctx, uint32_t off)
{
	return (uint32_t)bw_bpf_be16(ctx, off) << 16 |
	       bw_bpf_be16(ctx, off + 2);
}
#endif /* __bpf__ */

#endif /* BW_BPF_H */
