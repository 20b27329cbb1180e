/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 decoder. Pure C: no DPDK, no allocation, no global state, so that the
 * unit tests and the fuzzer run it without EAL. Every header field it reads is
 * bounds checked against the bytes present; nothing here can read past
 * data + data_len.
 */
#ifndef DP_DECODE_H
#define DP_DECODE_H

#include <stdint.h>

#include "bw_reason.h"

#define DP_VLAN_MAX    2 /* tags accepted (802.1ad outer + 802.1Q inner) */
#define DP_IP6_EXT_MAX 8 /* IPv6 extension headers walked before giving up */
#define DP_TUN_MAX     3 /* encapsulation levels decapsulated; deeper: drop */
#define DP_MPLS_MAX    8 /* MPLS label stack entries walked */
#define DP_TUN_PORTS   4 /* UDP ports per UDP tunnel type */

/* struct dp_pkt.tun[]: the encapsulation of each level (bw_status.h too) */
#define DP_TUN_NONE   0
#define DP_TUN_IP     1 /* IPv4 or IPv6 in IPv4 or IPv6 (protocol 4, 41) */
#define DP_TUN_GRE    2 /* GRE (protocol 47), versions 0 and 1 (PPTP) */
#define DP_TUN_VXLAN  3 /* VXLAN, UDP (RFC 7348) */
#define DP_TUN_GENEVE 4 /* GENEVE, UDP (RFC 8926) */
#define DP_TUN_GTPU   5 /* GTP-U G-PDU, UDP (3GPP TS 29.281) */
#define DP_TUN_MPLS   6 /* MPLS label stack (RFC 3032) */
#define DP_TUN_PPPOE  7 /* PPPoE session (RFC 2516) */
#define DP_TUN_TYPES  8

/* struct dp_pkt.l3 */
#define DP_L3_NONE 0 /* not IP: ARP, LLDP, unknown ethertype */
#define DP_L3_IPV4 4
#define DP_L3_IPV6 6

/* struct dp_pkt.frag */
#define DP_FRAG_NONE  0
#define DP_FRAG_FIRST 1 /* offset 0, more fragments follow */
#define DP_FRAG_LATER 2 /* offset > 0: no L4 header in this packet */

/* struct dp_pkt.dir: which port the frame arrived on */
#define DP_DIR_INBOUND	0 /* from the outside port */
#define DP_DIR_OUTBOUND 1 /* from the inside port */

/* struct dp_pkt.flags */
#define DP_PKT_L4	   0x01 /* L4 header present and decoded (ports, ...) */
#define DP_PKT_IP4_OPTS	   0x02 /* IPv4 header carries options */
#define DP_PKT_IP6_FRAGHDR 0x04 /* IPv6 fragment header seen */
#define DP_PKT_IP6_ROUTING 0x08 /* IPv6 routing header seen */
#define DP_PKT_TUN_MAYBE   0x10 /* protocol or UDP port of a tunnel: looked at */

/*
 * Which UDP destination ports carry which tunnel (struct dp_decode_cfg):
 * up to DP_TUN_PORTS each, 0 marks an unused entry.
 */
struct dp_decode_cfg {
	uint16_t vxlan[DP_TUN_PORTS];
	uint16_t geneve[DP_TUN_PORTS];
	uint16_t gtpu[DP_TUN_PORTS];
	/*
	 * A bit per port above (a 6-bit hash): the one test a UDP datagram
	 * on no tunnel port pays. dp_decode_cfg_finish() sets it.
	 */
	uint64_t port_bits;
};

/* The standard ports: VXLAN 4789, GENEVE 6081, GTP-U 2152. */
extern const struct dp_decode_cfg dp_decode_cfg_default;

/* Set cfg->port_bits from its ports; call after changing them. */
void dp_decode_cfg_finish(struct dp_decode_cfg *cfg);

union dp_addr {
	uint8_t a8[16];
	uint32_t a32[4]; /* IPv4 in a32[0], network byte order */
};

/*
 * Result of dp_decode(). Offsets are bytes from the start of the frame and
 * are only meaningful up to the layer that decoded; ports and lengths are in
 * host byte order, addresses in network byte order.
 *
 * Tunnels: every field from l3_off to dst describes the INNERMOST packet
 * (what the tunnel endpoint delivers, what content rules and flows see).
 * The levels crossed to reach it are tun[0..depth), outermost first (the
 * entries from depth on are not cleared: stale): the
 * encapsulation type of each and the IP header that carried it
 * (outer_l3[i] DP_L3_IPV4/IPV6 at outer_l3_off[i]; DP_L3_NONE for MPLS and
 * PPPoE carried directly in Ethernet). The addresses of an outer IP header
 * are read from the frame at its offset (the decoder checked it present).
 * vlan[] and nb_vlan are the outermost Ethernet header's tags.
 */
struct dp_pkt {
	uint16_t l3_off;      /* start of the IP header (after tags) */
	uint16_t l4_off;      /* start of the L4 header (after IPv6 exts) */
	uint16_t payload_off; /* start of the L4 payload */
	uint16_t ethertype;   /* innermost ethertype */
	uint32_t l3_len;      /* IP datagram bytes claimed by the header */
	uint32_t payload_len; /* L4 payload bytes, bounded by l3_len */
	uint16_t vlan[DP_VLAN_MAX]; /* VLAN ids, outermost first */
	uint16_t sport;		    /* TCP/UDP source port */
	uint16_t dport;		    /* TCP/UDP destination port */
	uint16_t frag_off;	    /* fragment offset in bytes */
	uint8_t nb_vlan;	    /* tags seen */
	uint8_t l3;		    /* DP_L3_* */
	uint8_t l4_proto;	    /* IP protocol / last next header */
	uint8_t frag;		    /* DP_FRAG_* */
	uint8_t tcp_flags;	    /* TCP flags byte (FIN 0x01 ... CWR 0x80) */
	uint8_t icmp_type;	    /* ICMP or ICMPv6 type */
	uint8_t icmp_code;	    /* ICMP or ICMPv6 code */
	uint8_t ttl;		    /* TTL or hop limit */
	uint8_t nb_ext;		    /* IPv6 extension headers walked */
	uint8_t flags;		    /* DP_PKT_* */
	uint8_t dir;		    /* DP_DIR_* */
	uint8_t reason;		    /* BW_REASON_*; NONE when well formed */
	uint8_t depth;		    /* tunnel levels crossed, 0..DP_TUN_MAX */
	uint32_t frag_id; /* IPv4 id or IPv6 fragment identification */
	union dp_addr src;
	union dp_addr dst;
	/*
	 * Per tunnel level, outermost first; only [0, depth) is written:
	 * dp_decode() zeroes the fields above and not these, which keeps
	 * its clearing of the structure as cheap as before tunnels.
	 */
	uint8_t tun[DP_TUN_MAX];      /* DP_TUN_* of the level */
	uint8_t outer_l3[DP_TUN_MAX]; /* DP_L3_* of the IP header carrying it */
	uint16_t outer_l3_off[DP_TUN_MAX]; /* offset of that IP header */
};

/*
 * Decode one frame. data/data_len: the contiguous bytes that hold the headers
 * (first segment); pkt_len: the whole frame length (>= data_len). dir is
 * copied into p->dir. Fills *p and returns p->reason: BW_REASON_NONE for a
 * well-formed frame, otherwise the first malformation found (the fields of
 * the layers before it stay valid). Any thread; no side effects.
 */
int dp_decode(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
	      uint8_t dir, struct dp_pkt *p);

/*
 * dp_decode() with the UDP tunnel ports of cfg (NULL: the defaults), which
 * dp_decode() uses.
 */
int dp_decode_with(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
		   uint8_t dir, const struct dp_decode_cfg *cfg,
		   struct dp_pkt *p);

/*
 * dp_decode_with() in two calls, for the worker's loop: dp_decode_outer()
 * decodes the outermost layers and may leave DP_PKT_TUN_MAYBE set (port_bits:
 * cfg->port_bits), then dp_decode_tunnels() finishes such a frame with cfg
 * (NULL: the defaults) and returns p->reason; a frame without the flag
 * needs no second call. Together they fill *p exactly as dp_decode_with().
 */
int dp_decode_outer(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
		    uint8_t dir, uint64_t port_bits, struct dp_pkt *p);
int dp_decode_tunnels(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
		      const struct dp_decode_cfg *cfg, struct dp_pkt *p);

#endif /* DP_DECODE_H */
