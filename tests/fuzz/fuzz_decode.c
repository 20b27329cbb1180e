/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for dp_decode(). Each input is decoded twice: whole
 * (data_len = pkt_len = size), with the output invariants checked, then with
 * only the first half readable from a heap buffer of exactly that size and
 * pkt_len = size, so that AddressSanitizer reports any read past data_len;
 * then whole again with UDP tunnel ports added (1, 2, 3 for VXLAN, GENEVE,
 * GTP-U) so that the fuzzer reaches those headers from few bytes, and
 * with the worker's two calls, whose tunnel mark is checked against the
 * tunnel definitions (mark_complete()). Tunnel levels (GRE, VXLAN, GENEVE,
 * GTP-U, MPLS, PPPoE, IP in IP) must keep their offsets inside the
 * readable bytes. Built and run by scripts/fuzz.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_reason.h"
#include "dp_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Traps unless *p is consistent with a frame of data_len/pkt_len bytes. */
static void
check(const struct dp_pkt *p, int r, uint32_t data_len, uint32_t pkt_len)
{
	unsigned int i;

	if (r != p->reason || p->reason >= BW_REASON_COUNT)
		__builtin_trap();
	if (p->depth > DP_TUN_MAX)
		__builtin_trap();
	for (i = 0; i < p->depth; i++) {
		/* the list stage reads outer addresses from the frame */
		if (p->tun[i] == DP_TUN_NONE || p->tun[i] >= DP_TUN_TYPES)
			__builtin_trap();
		if (p->outer_l3[i] == DP_L3_IPV4 &&
		    p->outer_l3_off[i] + 20u > data_len)
			__builtin_trap();
		if (p->outer_l3[i] == DP_L3_IPV6 &&
		    p->outer_l3_off[i] + 40u > data_len)
			__builtin_trap();
		if (p->outer_l3[i] != DP_L3_IPV4 &&
		    p->outer_l3[i] != DP_L3_IPV6 &&
		    p->outer_l3[i] != DP_L3_NONE)
			__builtin_trap();
	}
	if (p->reason != BW_REASON_NONE)
		return;
	if (p->l3_off > data_len || p->l4_off > data_len ||
	    p->payload_off > data_len)
		__builtin_trap();
	if ((uint64_t)p->payload_off + p->payload_len > pkt_len)
		__builtin_trap();
	if (p->l3 != DP_L3_NONE && (uint64_t)p->payload_off + p->payload_len >
					   (uint64_t)p->l3_off + p->l3_len)
		__builtin_trap();
	if (p->nb_vlan > DP_VLAN_MAX || p->nb_ext > DP_IP6_EXT_MAX)
		__builtin_trap();
}

/* Whether port is one of the n ports of list (0 is no port). */
static int
listed(const uint16_t *list, unsigned int n, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (port != 0 && list[i] == port)
			return 1;
	return 0;
}

/*
 * The worker decodes tunnels only for frames that dp_decode_outer() marked
 * (DP_PKT_TUN_MAYBE), so a frame that carries one and goes unmarked would
 * hide its inner packet from lists and rules. Checked against the tunnel
 * definitions themselves, not the bitmap the mark uses: an unmarked, well
 * formed outer decode is neither MPLS nor PPPoE, not IP in IP nor GRE, and
 * not UDP to a configured VXLAN, GENEVE or GTP-U port (fragments are never
 * decapsulated). Then the worker's two calls must give what
 * dp_decode_with() gave (*w, which returned r).
 */
static void
mark_complete(const uint8_t *data, uint32_t len,
	      const struct dp_decode_cfg *cfg, const struct dp_pkt *w, int r)
{
	struct dp_pkt s;
	int rs, udp_tun;

	memset(&s, 0xa5, sizeof(s));
	rs = dp_decode_outer(data, len, len, DP_DIR_INBOUND, cfg->port_bits,
			     &s);
	udp_tun = s.l4_proto == 17 && (s.flags & DP_PKT_L4) &&
		  (listed(cfg->vxlan, DP_TUN_PORTS, s.dport) ||
		   listed(cfg->geneve, DP_TUN_PORTS, s.dport) ||
		   listed(cfg->gtpu, DP_TUN_PORTS, s.dport));
	if (rs == BW_REASON_NONE && !(s.flags & DP_PKT_TUN_MAYBE) &&
	    (s.ethertype == 0x8847 || s.ethertype == 0x8848 ||
	     s.ethertype == 0x8864 ||
	     (s.l3 != DP_L3_NONE && s.frag == DP_FRAG_NONE &&
	      (s.l4_proto == 4 || s.l4_proto == 41 || s.l4_proto == 47 ||
	       udp_tun))))
		__builtin_trap();
	if (s.flags & DP_PKT_TUN_MAYBE)
		rs = dp_decode_tunnels(data, len, len, cfg, &s);
	if (rs != r || rs != s.reason ||
	    memcmp(&s, w, offsetof(struct dp_pkt, tun)) != 0 ||
	    memcmp(s.tun, w->tun, s.depth) != 0 ||
	    memcmp(s.outer_l3, w->outer_l3, s.depth) != 0 ||
	    memcmp(s.outer_l3_off, w->outer_l3_off,
		   s.depth * sizeof(s.outer_l3_off[0])) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dp_decode_cfg cfg = {
		.vxlan = {4789, 1},
		.geneve = {6081, 2},
		.gtpu = {2152, 3},
	};
	struct dp_pkt p;
	uint8_t *half;
	uint32_t len, half_len;
	int r;

	if (size > UINT16_MAX + 64u)
		return 0; /* larger than any frame the dataplane receives */
	len = (uint32_t)size;
	r = dp_decode(data, len, len, DP_DIR_INBOUND, &p);
	check(&p, r, len, len);
	if (cfg.port_bits == 0)
		dp_decode_cfg_finish(&cfg);
	r = dp_decode_with(data, len, len, DP_DIR_INBOUND, &cfg, &p);
	check(&p, r, len, len);
	mark_complete(data, len, &cfg, &p, r);

	half_len = len / 2;
	half = malloc(half_len > 0 ? half_len : 1);
	if (half == NULL)
		return 0;
	memcpy(half, data, half_len);
	r = dp_decode(half, half_len, len, DP_DIR_OUTBOUND, &p);
	check(&p, r, half_len, len);
	free(half);
	return 0;
}
