/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filling the context of eBPF programs (include/bw_bpf.h) from a frame and
 * its decode result. Pure C, so that the unit tests fill it exactly as the
 * workers do.
 */
#ifndef DP_BPF_CTX_H
#define DP_BPF_CTX_H

#include <stdint.h>
#include <string.h>

#include "bw_bpf.h"
#include "dp_decode.h"

/*
 * Fill c for the frame of pkt_len bytes whose first data_len bytes are at
 * data, decoded into *p. Copies min(data_len, BW_BPF_DATA_MAX) bytes and
 * leaves the rest of c->data as it was (bw_bpf.h: programs check
 * data_len). The reserved fields are written zero each time, so a reused
 * context needs no clearing. Worker lcores (per packet), tests.
 */
static inline void
dp_bpf_ctx_fill(struct bw_bpf_ctx *c, const uint8_t *data, uint32_t data_len,
		uint32_t pkt_len, const struct dp_pkt *p)
{
	uint32_t n = data_len < BW_BPF_DATA_MAX ? data_len : BW_BPF_DATA_MAX;
	unsigned int i;

	c->pkt_len = pkt_len;
	c->data_len = n;
	c->l3_off = p->l3_off;
	c->l4_off = p->l4_off;
	c->payload_off = p->payload_off;
	c->ethertype = p->ethertype;
	c->l3_len = p->l3_len;
	c->payload_len = p->payload_len;
	c->l3 = p->l3;
	c->l4_proto = p->l4_proto;
	c->dir = p->dir;
	c->frag = p->frag;
	c->tcp_flags = p->tcp_flags;
	c->ttl = p->ttl;
	c->icmp_type = p->icmp_type;
	c->icmp_code = p->icmp_code;
	c->nb_vlan = p->nb_vlan;
	c->flags = p->flags;
	c->anomaly = p->reason;
	c->reserved0 = 0;
	c->vlan[0] = p->vlan[0];
	c->vlan[1] = p->vlan[1];
	c->sport = p->sport;
	c->dport = p->dport;
	c->frag_off = p->frag_off;
	c->reserved1 = 0;
	c->frag_id = p->frag_id;
	c->outer_l3_off = p->l3_off;
	c->outer_l3 = p->l3;
	c->tun_depth = p->depth;
	for (i = 0; i < BW_BPF_TUN_MAX; i++) {
		/* the decoder leaves the entries from depth on stale */
		int set = i < p->depth;

		c->tun_type[i] = set ? p->tun[i] : 0;
		c->tun_l3[i] = set ? p->outer_l3[i] : 0;
		c->tun_l3_off[i] = set ? p->outer_l3_off[i] : 0;
	}
	/* the first IP header: the outermost level an IP header carries */
	for (i = p->depth; i-- > 0;)
		if (p->outer_l3[i] != DP_L3_NONE) {
			c->outer_l3_off = p->outer_l3_off[i];
			c->outer_l3 = p->outer_l3[i];
		}
	memset(c->reserved2, 0, sizeof(c->reserved2));
	memcpy(c->src, p->src.a8, sizeof(c->src));
	memcpy(c->dst, p->dst.a8, sizeof(c->dst));
	c->reserved3a = 0;
	memset(c->reserved3, 0, sizeof(c->reserved3));
	memcpy(c->data, data, n);
}

/* The decoder's flags are the ABI's flags: keep them in step. */
_Static_assert(DP_PKT_L4 == BW_BPF_F_L4, "flag L4");
_Static_assert(DP_PKT_IP4_OPTS == BW_BPF_F_IP4_OPTS, "flag IP4_OPTS");
_Static_assert(DP_PKT_IP6_FRAGHDR == BW_BPF_F_IP6_FRAGHDR, "flag FRAGHDR");
_Static_assert(DP_PKT_IP6_ROUTING == BW_BPF_F_IP6_ROUTING, "flag ROUTING");
_Static_assert(DP_DIR_INBOUND == BW_BPF_DIR_INBOUND, "dir inbound");
_Static_assert(DP_DIR_OUTBOUND == BW_BPF_DIR_OUTBOUND, "dir outbound");
_Static_assert(DP_FRAG_FIRST == BW_BPF_FRAG_FIRST, "frag first");
_Static_assert(DP_FRAG_LATER == BW_BPF_FRAG_LATER, "frag later");
_Static_assert(DP_L3_IPV4 == BW_BPF_L3_IPV4, "l3 ipv4");
_Static_assert(DP_L3_IPV6 == BW_BPF_L3_IPV6, "l3 ipv6");
_Static_assert(DP_VLAN_MAX == 2, "two VLAN ids in the context");
_Static_assert(DP_TUN_MAX == BW_BPF_TUN_MAX, "tunnel levels");
_Static_assert(DP_TUN_IP == BW_BPF_TUN_IP && DP_TUN_GRE == BW_BPF_TUN_GRE &&
		       DP_TUN_VXLAN == BW_BPF_TUN_VXLAN &&
		       DP_TUN_GENEVE == BW_BPF_TUN_GENEVE &&
		       DP_TUN_GTPU == BW_BPF_TUN_GTPU &&
		       DP_TUN_MPLS == BW_BPF_TUN_MPLS &&
		       DP_TUN_PPPOE == BW_BPF_TUN_PPPOE,
	       "tunnel types");

#endif /* DP_BPF_CTX_H */
