/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 decoder: Ethernet, 802.1Q/802.1ad tags, IPv4, IPv6 with its
 * extension-header chain, TCP, UDP, ICMP and ICMPv6, and the tunnels that
 * carry them, decapsulated up to DP_TUN_MAX levels: IPv4/IPv6 in IPv4/IPv6,
 * GRE, VXLAN, GENEVE, GTP-U, MPLS and PPPoE sessions. Pure C (no DPDK, no
 * allocation, no mutable global state): the unit tests and the fuzzer run
 * it as is.
 *
 * Two lengths bound every read. data_len is how many bytes are readable: a
 * header that needs more is "truncated" for its layer. pkt_len is the frame
 * on the wire: IP length fields are checked against it, since the payload may
 * lie in later mbuf segments. Multi-byte fields are read with rd_be16() and
 * rd_be32() only after the bytes they cover have been checked present.
 */
#include <stddef.h>
#include <string.h>

#include "dp_decode.h"

#define DP_ETH_HLEN	  14 /* destination, source, ethertype */
#define DP_ETH_TYPE_OFF	  12 /* ethertype (or first TPID) */
#define DP_VLAN_TAG_LEN	  4  /* TPID + TCI */
#define DP_ETH_P_IPV4	  0x0800
#define DP_ETH_P_IPV6	  0x86dd
#define DP_ETH_P_8021Q	  0x8100 /* customer tag (IEEE 802.1Q) */
#define DP_ETH_P_8021AD	  0x88a8 /* service tag (IEEE 802.1ad, QinQ) */
#define DP_ETH_P_QINQ_OLD 0x9100 /* pre-standard QinQ TPID */
#define DP_ETH_P_TEB	  0x6558 /* transparent Ethernet bridging (GRE) */
#define DP_ETH_P_PPP	  0x880b /* PPP (GRE, RFC 2637) */
#define DP_ETH_P_MPLS_UC  0x8847
#define DP_ETH_P_MPLS_MC  0x8848
#define DP_ETH_P_PPPOE_S  0x8864 /* PPPoE session stage */
#define DP_PPP_IPV4	  0x0021
#define DP_PPP_IPV6	  0x0057
#define DP_VLAN_VID_MASK  0x0fff

#define DP_IP4_HLEN_MIN	 20
#define DP_IP4_MF	 0x2000 /* more fragments */
#define DP_IP4_OFF_MASK	 0x1fff /* fragment offset, 8-byte units */
#define DP_IP4_OPT_EOL	 0
#define DP_IP4_OPT_NOP	 1
#define DP_IP_MAX_LEN	 65535 /* largest IP datagram (RFC 791, 8200) */
#define DP_IP6_HLEN	 40
#define DP_IP6_FRAG_HLEN 8
#define DP_IP6_OFF_MASK	 0xfff8 /* fragment offset, already in bytes */
#define DP_IP6_M	 0x0001 /* more fragments */

#define DP_IPPROTO_HOPOPTS  0
#define DP_IPPROTO_ICMP	    1
#define DP_IPPROTO_IPIP	    4 /* IPv4 encapsulation */
#define DP_IPPROTO_TCP	    6
#define DP_IPPROTO_IPV6	    41 /* IPv6 encapsulation */
#define DP_IPPROTO_GRE	    47
#define DP_IPPROTO_UDP	    17
#define DP_IPPROTO_ROUTING  43
#define DP_IPPROTO_FRAGMENT 44
#define DP_IPPROTO_ESP	    50
#define DP_IPPROTO_AH	    51
#define DP_IPPROTO_ICMPV6   58
#define DP_IPPROTO_NONE	    59
#define DP_IPPROTO_DSTOPTS  60
#define DP_IPPROTO_MH	    135
#define DP_IPPROTO_HIP	    139
#define DP_IPPROTO_SHIM6    140

#define DP_TCP_HLEN_MIN	 20
#define DP_UDP_HLEN	 8
#define DP_ICMP_HLEN	 8
#define DP_ICMP6_HLEN	 4
#define DP_IP6_EXT_FIXED 2 /* next header + length byte */

#define DP_GRE_HLEN	  4    /* flags, version, protocol */
#define DP_GRE_C	  0x80 /* checksum present */
#define DP_GRE_K	  0x20 /* key present */
#define DP_GRE_S	  0x10 /* sequence number present */
#define DP_GRE_V0_BAD	  0x4c /* RFC 2784 2.5: bits 1, 4, 5 must be 0 */
#define DP_GRE_A	  0x80 /* acknowledgment present (version 1) */
#define DP_GRE_VER	  0x07
#define DP_VXLAN_HLEN	  8
#define DP_VXLAN_I	  0x08 /* VNI valid: RFC 7348 section 5 */
#define DP_GENEVE_HLEN	  8
#define DP_GTPU_HLEN	  8
#define DP_GTPU_OPT_LEN	  4   /* sequence, N-PDU, next extension type */
#define DP_GTPU_EXT_MAX	  8   /* extension headers walked */
#define DP_GTPU_G_PDU	  255 /* message type of user data */
#define DP_MPLS_LEN	  4   /* one label stack entry */
#define DP_PPPOE_HLEN	  6   /* version/type, code, session, length */
#define DP_PPPOE_VERTYPE  0x11
#define DP_PPPOE_CODE_SES 0x00

/* a 6-bit hash that keeps DNS (53) apart from VXLAN (4789 % 64 = 53) */
#define PORT_HASH(p) (((p) ^ ((p) >> 6)) & 63)
#define PORT_BIT(p)  ((uint64_t)1 << PORT_HASH(p))

static inline uint16_t
rd_be16(const uint8_t *b)
{
	return (uint16_t)((unsigned int)b[0] << 8 | b[1]);
}

static inline uint32_t
rd_be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static inline uint32_t
min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static inline int
is_vlan_tpid(uint16_t type)
{
	return type == DP_ETH_P_8021Q || type == DP_ETH_P_8021AD ||
	       type == DP_ETH_P_QINQ_OLD;
}

/*
 * Decode the L4 header at p->l4_off, protocol p->l4_proto, of a datagram (or
 * fragment) that ends at l3_end; data_len bytes are readable. Sets ports,
 * ICMP type/code, payload_off/payload_len and DP_PKT_L4; returns a reason.
 * In a first fragment a header that does not fit in the fragment itself is
 * FRAG_TINY (RFC 1858 section 3.1 for IPv4, RFC 7112 for IPv6), even when
 * it would also be truncated in data_len.
 */
static int
decode_l4(const uint8_t *data, uint32_t data_len, uint32_t l3_end,
	  uint64_t port_bits, struct dp_pkt *p)
{
	uint32_t off = p->l4_off;
	uint32_t avail = min_u32(l3_end, data_len) - off; /* readable */
	uint32_t dgram = l3_end - off; /* L4 bytes of datagram or fragment */
	int first = p->frag == DP_FRAG_FIRST;
	const uint8_t *l4 = data + off;
	uint32_t hlen;
	uint16_t ulen;

	if (p->l4_proto == DP_IPPROTO_TCP) {
		/* RFC 9293 section 3.1: 20 fixed bytes, then options */
		if (first && dgram < DP_TCP_HLEN_MIN)
			return BW_REASON_FRAG_TINY;
		if (avail < DP_TCP_HLEN_MIN)
			return BW_REASON_TCP_TRUNC;
		hlen = (uint32_t)(l4[12] >> 4) * 4;
		if (hlen < DP_TCP_HLEN_MIN)
			return BW_REASON_TCP_HDRLEN;
		if (first && hlen > dgram)
			return BW_REASON_FRAG_TINY;
		if (hlen > avail)
			return BW_REASON_TCP_HDRLEN;
		p->sport = rd_be16(l4);
		p->dport = rd_be16(l4 + 2);
		p->tcp_flags = l4[13];
		p->payload_off = (uint16_t)(off + hlen);
		p->payload_len = dgram - hlen;
		p->flags |= DP_PKT_L4;
		return BW_REASON_NONE;
	}
	if (p->l4_proto == DP_IPPROTO_UDP) {
		if (first && dgram < DP_UDP_HLEN)
			return BW_REASON_FRAG_TINY;
		if (avail < DP_UDP_HLEN)
			return BW_REASON_UDP_TRUNC;
		ulen = rd_be16(l4 + 4);
		/*
		 * RFC 768: the length counts header and data, so it is at
		 * least 8 and cannot exceed the IP payload. A fragment's UDP
		 * length describes the reassembled datagram: not checked.
		 */
		p->sport = rd_be16(l4);
		p->dport = rd_be16(l4 + 2);
		p->payload_off = (uint16_t)(off + DP_UDP_HLEN);
		if (p->frag == DP_FRAG_NONE) {
			if (ulen < DP_UDP_HLEN || ulen > dgram)
				return BW_REASON_UDP_LEN;
			p->payload_len = (uint32_t)ulen - DP_UDP_HLEN;
			/*
			 * A tunnel port maybe (ip_tunnel() looks closer):
			 * without a branch, which costs plain UDP less.
			 */
			p->flags |=
				(uint8_t)(DP_PKT_TUN_MAYBE *
					  ((port_bits >> PORT_HASH(p->dport)) &
					   1));
		} else {
			p->payload_len = dgram - DP_UDP_HLEN;
		}
		p->flags |= DP_PKT_L4;
		return BW_REASON_NONE;
	}
	if ((p->l4_proto == DP_IPPROTO_ICMP && p->l3 == DP_L3_IPV4) ||
	    (p->l4_proto == DP_IPPROTO_ICMPV6 && p->l3 == DP_L3_IPV6)) {
		/*
		 * RFC 792: type, code, checksum, 4 bytes of rest-of-header;
		 * RFC 4443 section 2.1: type, code, checksum, then body.
		 */
		hlen = p->l3 == DP_L3_IPV4 ? DP_ICMP_HLEN : DP_ICMP6_HLEN;
		if (first && dgram < hlen)
			return BW_REASON_FRAG_TINY;
		if (avail < hlen)
			return p->l3 == DP_L3_IPV4 ? BW_REASON_ICMP_TRUNC
						   : BW_REASON_ICMP6_TRUNC;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		p->payload_off = (uint16_t)(off + hlen);
		p->payload_len = dgram - hlen;
		p->flags |= DP_PKT_L4;
		return BW_REASON_NONE;
	}
	/* Other protocols (ESP, GRE, ...): the payload is the whole rest. */
	p->payload_off = (uint16_t)off;
	p->payload_len = dgram;
	if (__builtin_expect(p->l4_proto == DP_IPPROTO_IPIP ||
				     p->l4_proto == DP_IPPROTO_IPV6 ||
				     p->l4_proto == DP_IPPROTO_GRE,
			     0) &&
	    p->frag == DP_FRAG_NONE)
		p->flags |= DP_PKT_TUN_MAYBE;
	return BW_REASON_NONE;
}

/*
 * Walk the IPv4 options of header ip of hlen bytes (RFC 791 section 3.1):
 * EOL ends the list, NOP is one byte, every other option has a length byte
 * that counts type and length (so >= 2) and must end within the header.
 */
static int
ip4_options_check(const uint8_t *ip, uint32_t hlen)
{
	uint32_t i = DP_IP4_HLEN_MIN;
	uint32_t len;

	while (i < hlen) {
		if (ip[i] == DP_IP4_OPT_EOL)
			break;
		if (ip[i] == DP_IP4_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen)
			return BW_REASON_IP4_OPTIONS;
		len = ip[i + 1];
		if (len < 2 || len > hlen - i)
			return BW_REASON_IP4_OPTIONS;
		i += len;
	}
	return BW_REASON_NONE;
}

/* Decode the IPv4 header at p->l3_off and what it carries. */
static inline __attribute__((always_inline)) int
decode_ip4(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
	   uint64_t port_bits, struct dp_pkt *p)
{
	uint32_t off = p->l3_off;
	const uint8_t *ip = data + off;
	uint32_t hlen, tot_len, plen;
	uint16_t frag;
	int r;

	/* RFC 791 section 3.1: 20 fixed bytes, IHL in 32-bit words >= 5 */
	if (data_len - off < DP_IP4_HLEN_MIN)
		return BW_REASON_IP4_TRUNC;
	if (ip[0] >> 4 != 4)
		return BW_REASON_IP4_VERSION;
	hlen = (uint32_t)(ip[0] & 0x0f) * 4;
	if (hlen < DP_IP4_HLEN_MIN || hlen > data_len - off)
		return BW_REASON_IP4_HDRLEN;
	/* Total length covers header and data; bytes after it are padding. */
	tot_len = rd_be16(ip + 2);
	if (tot_len < hlen || tot_len > pkt_len - off)
		return BW_REASON_IP4_TOTLEN;

	p->l3_len = tot_len;
	p->ttl = ip[8];
	p->l4_proto = ip[9];
	p->frag_id = rd_be16(ip + 4);
	memcpy(&p->src.a32[0], ip + 12, 4);
	memcpy(&p->dst.a32[0], ip + 16, 4);

	if (hlen > DP_IP4_HLEN_MIN) {
		p->flags |= DP_PKT_IP4_OPTS;
		r = ip4_options_check(ip, hlen);
		if (r != BW_REASON_NONE)
			return r;
	}

	plen = tot_len - hlen;
	frag = rd_be16(ip + 6);
	if ((frag & (DP_IP4_MF | DP_IP4_OFF_MASK)) != 0) {
		p->frag_off = (uint16_t)((frag & DP_IP4_OFF_MASK) * 8);
		p->frag = p->frag_off != 0 ? DP_FRAG_LATER : DP_FRAG_FIRST;
		/*
		 * RFC 791: a fragment must not reach past the largest
		 * datagram, and every fragment but the last carries a
		 * multiple of 8 bytes (the offset unit).
		 */
		if ((uint32_t)p->frag_off + plen > DP_IP_MAX_LEN)
			return BW_REASON_IP4_FRAG;
		if ((frag & DP_IP4_MF) != 0 && plen % 8 != 0)
			return BW_REASON_IP4_FRAG;
	}

	p->l4_off = (uint16_t)(off + hlen);
	if (p->frag == DP_FRAG_LATER) {
		p->payload_off = p->l4_off;
		p->payload_len = plen;
		/*
		 * RFC 1858 section 4: a TCP fragment at offset 8 bytes can
		 * only serve to overwrite the flags of the first fragment.
		 */
		if (p->l4_proto == DP_IPPROTO_TCP && p->frag_off == 8)
			return BW_REASON_FRAG_TINY;
		return BW_REASON_NONE;
	}
	return decode_l4(data, data_len, off + tot_len, port_bits, p);
}

static inline int
is_ip6_ext(uint8_t nh)
{
	switch (nh) {
	case DP_IPPROTO_HOPOPTS:
	case DP_IPPROTO_ROUTING:
	case DP_IPPROTO_FRAGMENT:
	case DP_IPPROTO_DSTOPTS:
	case DP_IPPROTO_AH:
	case DP_IPPROTO_MH:
	case DP_IPPROTO_HIP:
	case DP_IPPROTO_SHIM6:
		return 1;
	default:
		return 0;
	}
}

/*
 * The IPv6 fragment header at hdr, which ends at ext_end in a datagram that
 * ends at l3_end (RFC 8200 section 4.5). Sets frag, frag_off, frag_id.
 * Returns a reason; *stop is set for a later fragment, which holds no
 * header to walk.
 */
static int
ip6_fragment_check(const uint8_t *hdr, uint32_t ext_end, uint32_t l3_end,
		   struct dp_pkt *p, int *stop)
{
	uint16_t field = rd_be16(hdr + 2);
	uint32_t frag_len = l3_end - ext_end; /* fragmentable part here */

	p->flags |= DP_PKT_IP6_FRAGHDR;
	p->frag_id = rd_be32(hdr + 4);
	p->frag_off = field & DP_IP6_OFF_MASK;
	if (p->frag_off == 0 && (field & DP_IP6_M) == 0)
		return BW_REASON_NONE; /* atomic fragment, RFC 6946 */
	if ((uint32_t)p->frag_off + frag_len > DP_IP_MAX_LEN)
		return BW_REASON_IP6_FRAG;
	if ((field & DP_IP6_M) != 0 && frag_len % 8 != 0)
		return BW_REASON_IP6_FRAG;
	if (p->frag_off == 0) {
		p->frag = DP_FRAG_FIRST;
		return BW_REASON_NONE;
	}
	p->frag = DP_FRAG_LATER;
	p->l4_proto = hdr[0];
	p->l4_off = (uint16_t)ext_end;
	p->payload_off = (uint16_t)ext_end;
	p->payload_len = frag_len;
	*stop = 1;
	return BW_REASON_NONE;
}

/* Decode the IPv6 header at p->l3_off, its extension chain and the L4. */
static int
decode_ip6(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
	   uint64_t port_bits, struct dp_pkt *p)
{
	uint32_t off = p->l3_off;
	const uint8_t *ip = data + off;
	uint32_t l3_end, ext_lim, ext_len;
	uint16_t pay_len;
	uint8_t nh;
	int stop = 0;
	int r;

	/* RFC 8200 section 3: fixed 40-byte header */
	if (data_len - off < DP_IP6_HLEN)
		return BW_REASON_IP6_TRUNC;
	if (ip[0] >> 4 != 6)
		return BW_REASON_IP6_VERSION;
	pay_len = rd_be16(ip + 4);
	nh = ip[6];
	/*
	 * Payload length 0 means a jumbogram (RFC 2675), not supported, unless
	 * nothing follows the header at all (next header 59).
	 */
	if ((pay_len == 0 && nh != DP_IPPROTO_NONE) ||
	    DP_IP6_HLEN + (uint32_t)pay_len > pkt_len - off)
		return BW_REASON_IP6_PAYLEN;

	p->l3_len = DP_IP6_HLEN + (uint32_t)pay_len;
	p->ttl = ip[7];
	memcpy(p->src.a8, ip + 8, 16);
	memcpy(p->dst.a8, ip + 24, 16);

	l3_end = off + p->l3_len;
	ext_lim = min_u32(l3_end, data_len); /* an extension must end here */
	off += DP_IP6_HLEN;
	while (is_ip6_ext(nh)) {
		/* RFC 8200 section 4.3: hop-by-hop only right after IPv6 */
		if (nh == DP_IPPROTO_HOPOPTS && p->nb_ext != 0)
			return BW_REASON_IP6_HBH_POS;
		if (p->nb_ext == DP_IP6_EXT_MAX)
			return BW_REASON_IP6_EXT_CHAIN;
		p->nb_ext++;
		if (ext_lim - off < DP_IP6_EXT_FIXED)
			return BW_REASON_IP6_EXT_TRUNC;
		if (nh == DP_IPPROTO_FRAGMENT)
			ext_len = DP_IP6_FRAG_HLEN;
		else if (nh == DP_IPPROTO_AH)
			ext_len = ((uint32_t)data[off + 1] + 2) *
				  4; /* RFC 4302 */
		else
			ext_len = ((uint32_t)data[off + 1] + 1) * 8;
		if (ext_lim - off < ext_len)
			return BW_REASON_IP6_EXT_TRUNC;

		if (nh == DP_IPPROTO_ROUTING)
			p->flags |= DP_PKT_IP6_ROUTING;
		if (nh == DP_IPPROTO_FRAGMENT) {
			r = ip6_fragment_check(data + off, off + ext_len,
					       l3_end, p, &stop);
			if (r != BW_REASON_NONE || stop)
				return r;
		}
		nh = data[off];
		off += ext_len;
	}

	/* ESP (50) and no next header (59) end the chain like an L4 would. */
	p->l4_proto = nh;
	p->l4_off = (uint16_t)off;
	return decode_l4(data, data_len, l3_end, port_bits, p);
}

const struct dp_decode_cfg dp_decode_cfg_default = {
	.vxlan = {4789},
	.geneve = {6081},
	.gtpu = {2152},
	.port_bits = PORT_BIT(4789) | PORT_BIT(6081) | PORT_BIT(2152),
};

void
dp_decode_cfg_finish(struct dp_decode_cfg *cfg)
{
	unsigned int i;

	cfg->port_bits = 0;
	for (i = 0; i < DP_TUN_PORTS; i++) {
		if (cfg->vxlan[i] != 0)
			cfg->port_bits |= PORT_BIT(cfg->vxlan[i]);
		if (cfg->geneve[i] != 0)
			cfg->port_bits |= PORT_BIT(cfg->geneve[i]);
		if (cfg->gtpu[i] != 0)
			cfg->port_bits |= PORT_BIT(cfg->gtpu[i]);
	}
}

static inline int
port_in(const uint16_t *ports, uint16_t port)
{
	unsigned int i;

	for (i = 0; i < DP_TUN_PORTS; i++)
		if (ports[i] == port && port != 0)
			return 1;
	return 0;
}

/*
 * Walk the Ethernet header at off (its ethertype at off + 12) and its
 * tags, within lim readable bytes. Records the tags in p only when record
 * (the outermost header). Sets *type and *l3 (where the ethertype's
 * payload starts).
 */
static int
decode_eth(const uint8_t *data, uint32_t lim, uint32_t off, int record,
	   struct dp_pkt *p, uint16_t *type, uint32_t *l3)
{
	unsigned int nb = 0;
	uint16_t t;

	if (lim - off < DP_ETH_HLEN)
		return BW_REASON_L2_TRUNC;
	off += DP_ETH_TYPE_OFF;
	t = rd_be16(data + off);
	while (is_vlan_tpid(t)) {
		if (nb == DP_VLAN_MAX)
			return BW_REASON_VLAN_DEPTH;
		/* the tag (TPID, TCI) and the ethertype after it */
		if (lim - off < DP_VLAN_TAG_LEN + 2)
			return BW_REASON_VLAN_TRUNC;
		if (record)
			p->vlan[p->nb_vlan++] =
				rd_be16(data + off + 2) & DP_VLAN_VID_MASK;
		nb++;
		off += DP_VLAN_TAG_LEN;
		t = rd_be16(data + off);
	}
	*type = t;
	*l3 = off + 2;
	return BW_REASON_NONE;
}

/*
 * Enter one more encapsulation level of type tun. via_ip: the IP header
 * at p->l3_off carries it (else Ethernet does: MPLS, PPPoE). Records the
 * level, then clears the fields that will describe the inner packet.
 */
static int
push_level(struct dp_pkt *p, uint8_t tun, int via_ip)
{
	if (p->depth == DP_TUN_MAX)
		return BW_REASON_TUN_DEPTH;
	p->tun[p->depth] = tun;
	p->outer_l3[p->depth] = via_ip ? p->l3 : DP_L3_NONE;
	p->outer_l3_off[p->depth] = via_ip ? p->l3_off : 0;
	p->depth++;

	p->l4_off = 0;
	p->payload_off = 0;
	p->l3_len = 0;
	p->payload_len = 0;
	p->sport = 0;
	p->dport = 0;
	p->frag_off = 0;
	p->l3 = DP_L3_NONE;
	p->l4_proto = 0;
	p->frag = DP_FRAG_NONE;
	p->tcp_flags = 0;
	p->icmp_type = 0;
	p->icmp_code = 0;
	p->ttl = 0;
	p->nb_ext = 0;
	p->flags = 0;
	p->frag_id = 0;
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	return BW_REASON_NONE;
}

/* Ethertype of an IP packet at off by its version nibble, else 0. */
static inline uint16_t
ip_by_version(const uint8_t *data, uint32_t lim, uint32_t off)
{
	if (off >= lim)
		return 0;
	if (data[off] >> 4 == 4)
		return DP_ETH_P_IPV4;
	if (data[off] >> 4 == 6)
		return DP_ETH_P_IPV6;
	return 0;
}

/*
 * The PPP protocol field at *off (RFC 1661; the address and control bytes
 * FF 03 and protocol-field compression allowed, as PPTP peers send them).
 * Sets *type to the ethertype of an IPv4 or IPv6 payload, else 0; returns
 * bad when the field is cut.
 */
static int
ppp_proto(const uint8_t *data, uint32_t lim, uint32_t *off, uint16_t *type,
	  int bad)
{
	uint32_t o = *off;
	uint16_t proto;

	if (lim - o >= 2 && data[o] == 0xff && data[o + 1] == 0x03)
		o += 2;
	if (lim - o < 1)
		return bad;
	if ((data[o] & 1) != 0) {
		proto = data[o];
		o += 1;
	} else {
		if (lim - o < 2)
			return bad;
		proto = rd_be16(data + o);
		o += 2;
	}
	*type = proto == DP_PPP_IPV4   ? DP_ETH_P_IPV4
		: proto == DP_PPP_IPV6 ? DP_ETH_P_IPV6
				       : 0;
	*off = o;
	return BW_REASON_NONE;
}

/*
 * GRE at *off (RFC 2784, RFC 2890: checksum, key and sequence number;
 * RFC 2637: version 1, enhanced GRE of PPTP, carrying PPP). The checksum is
 * not verified: the endpoint drops a packet whose checksum is wrong, so
 * such a packet cannot deliver an attack; only the header length counts.
 * Sets *type to what follows (0: a protocol not decapsulated).
 */
static int
tun_gre(const uint8_t *data, uint32_t lim, uint32_t *off, uint16_t *type)
{
	uint32_t o = *off, hlen;
	uint8_t f0, f1;
	uint16_t proto;

	if (lim - o < DP_GRE_HLEN)
		return BW_REASON_GRE_HDR;
	f0 = data[o];
	f1 = data[o + 1];
	proto = rd_be16(data + o + 2);
	if ((f1 & DP_GRE_VER) == 0) {
		if ((f0 & DP_GRE_V0_BAD) != 0)
			return BW_REASON_GRE_HDR; /* routing, strict, recur */
		hlen = DP_GRE_HLEN + ((f0 & DP_GRE_C) ? 4 : 0) +
		       ((f0 & DP_GRE_K) ? 4 : 0) + ((f0 & DP_GRE_S) ? 4 : 0);
	} else if ((f1 & DP_GRE_VER) == 1) {
		/* RFC 2637 4.1: K set, C R s recur flags zero, PPP */
		if ((f0 & (uint8_t)~DP_GRE_S) != DP_GRE_K || (f1 & 0x78) != 0 ||
		    proto != DP_ETH_P_PPP)
			return BW_REASON_GRE_HDR;
		hlen = DP_GRE_HLEN + 4 + ((f0 & DP_GRE_S) ? 4 : 0) +
		       ((f1 & DP_GRE_A) ? 4 : 0);
	} else {
		return BW_REASON_GRE_HDR;
	}
	if (lim - o < hlen)
		return BW_REASON_GRE_HDR;
	o += hlen;
	*off = o;
	switch (proto) {
	case DP_ETH_P_IPV4:
	case DP_ETH_P_IPV6:
	case DP_ETH_P_TEB:
	case DP_ETH_P_MPLS_UC:
	case DP_ETH_P_MPLS_MC:
		*type = proto;
		return BW_REASON_NONE;
	case DP_ETH_P_PPP:
		return ppp_proto(data, lim, off, type, BW_REASON_GRE_HDR);
	default:
		*type = 0;
		return BW_REASON_NONE;
	}
}

/* VXLAN at *off (RFC 7348 section 5): the I flag set, Ethernet inside. */
static int
tun_vxlan(const uint8_t *data, uint32_t lim, uint32_t *off, uint16_t *type)
{
	if (lim - *off < DP_VXLAN_HLEN || (data[*off] & DP_VXLAN_I) == 0)
		return BW_REASON_VXLAN_HDR;
	*off += DP_VXLAN_HLEN;
	*type = DP_ETH_P_TEB;
	return BW_REASON_NONE;
}

/*
 * GENEVE at *off (RFC 8926 section 3.4): version 0, options of the
 * length the header says, then the protocol it names (Ethernet, IPv4,
 * IPv6; anything else is not decapsulated).
 */
static int
tun_geneve(const uint8_t *data, uint32_t lim, uint32_t *off, uint16_t *type)
{
	uint32_t o = *off, hlen;
	uint16_t proto;

	if (lim - o < DP_GENEVE_HLEN || (data[o] >> 6) != 0)
		return BW_REASON_GENEVE_HDR;
	hlen = DP_GENEVE_HLEN + (uint32_t)(data[o] & 0x3f) * 4;
	if (lim - o < hlen)
		return BW_REASON_GENEVE_HDR;
	proto = rd_be16(data + o + 2);
	*off = o + hlen;
	*type = (proto == DP_ETH_P_TEB || proto == DP_ETH_P_IPV4 ||
		 proto == DP_ETH_P_IPV6)
			? proto
			: 0;
	return BW_REASON_NONE;
}

/*
 * GTP-U at *off (3GPP TS 29.281 section 5): version 1, protocol type 1,
 * the optional sequence / N-PDU / next-extension word when E, S or PN is
 * set, extension headers while the next type is not 0, and a length that
 * fits the UDP payload ending at end. Only a G-PDU carries user IP; other
 * messages (echo, error indication, end marker) are not decapsulated.
 */
static int
tun_gtpu(const uint8_t *data, uint32_t lim, uint32_t end, uint32_t *off,
	 uint32_t *inner_end, uint16_t *type)
{
	uint32_t o = *off, hlen = DP_GTPU_HLEN, elen, gend;
	unsigned int nb = 0;
	uint8_t next;

	if (lim - o < DP_GTPU_HLEN || (data[o] >> 5) != 1 ||
	    (data[o] & 0x10) == 0)
		return BW_REASON_GTPU_HDR;
	gend = o + DP_GTPU_HLEN + rd_be16(data + o + 2);
	if (gend > end)
		return BW_REASON_GTPU_HDR;
	if ((data[o] & 0x07) != 0) {
		hlen += DP_GTPU_OPT_LEN;
		if (lim - o < hlen || o + hlen > gend)
			return BW_REASON_GTPU_HDR;
		next = (data[o] & 0x04) ? data[o + hlen - 1] : 0;
		while (next != 0) {
			if (nb++ == DP_GTPU_EXT_MAX || lim - o <= hlen)
				return BW_REASON_GTPU_HDR;
			elen = (uint32_t)data[o + hlen] * 4;
			if (elen == 0 || lim - o - hlen < elen ||
			    o + hlen + elen > gend)
				return BW_REASON_GTPU_HDR;
			next = data[o + hlen + elen - 1];
			hlen += elen;
		}
	}
	*off = o + hlen;
	*inner_end = gend;
	*type = data[o + 1] == DP_GTPU_G_PDU
			? ip_by_version(data, lim < gend ? lim : gend, *off)
			: 0;
	return BW_REASON_NONE;
}

/*
 * After the IP packet at p->l3_off decoded: when it carries a tunnel that
 * is decapsulated, enter the level and set *off, *end and *type to the
 * inner packet; else *type 0. A fragment is never decapsulated (its inner
 * packet is incomplete).
 */
static int
ip_tunnel(const uint8_t *data, uint32_t data_len,
	  const struct dp_decode_cfg *cfg, struct dp_pkt *p, uint32_t *off,
	  uint32_t *end, uint16_t *type)
{
	uint32_t o = p->payload_off, e = p->payload_off + p->payload_len;
	uint32_t lim = min_u32(data_len, e);
	uint8_t tun;
	int r;

	*type = 0;
	if (p->frag != DP_FRAG_NONE)
		return BW_REASON_NONE;
	switch (p->l4_proto) {
	case DP_IPPROTO_IPIP:
		tun = DP_TUN_IP;
		*type = DP_ETH_P_IPV4;
		r = BW_REASON_NONE;
		break;
	case DP_IPPROTO_IPV6:
		tun = DP_TUN_IP;
		*type = DP_ETH_P_IPV6;
		r = BW_REASON_NONE;
		break;
	case DP_IPPROTO_GRE:
		tun = DP_TUN_GRE;
		r = tun_gre(data, lim, &o, type);
		break;
	case DP_IPPROTO_UDP:
		if ((p->flags & DP_PKT_L4) == 0)
			return BW_REASON_NONE;
		if (port_in(cfg->vxlan, p->dport)) {
			tun = DP_TUN_VXLAN;
			r = tun_vxlan(data, lim, &o, type);
		} else if (port_in(cfg->geneve, p->dport)) {
			tun = DP_TUN_GENEVE;
			r = tun_geneve(data, lim, &o, type);
		} else if (port_in(cfg->gtpu, p->dport)) {
			tun = DP_TUN_GTPU;
			r = tun_gtpu(data, lim, e, &o, &e, type);
		} else {
			return BW_REASON_NONE;
		}
		break;
	default:
		return BW_REASON_NONE;
	}
	if (r != BW_REASON_NONE || *type == 0)
		return r;
	*off = o;
	*end = e;
	return push_level(p, tun, 1);
}

/*
 * The MPLS label stack at *off (RFC 3032): entries until the one with the
 * bottom-of-stack bit, at most DP_MPLS_MAX; then IPv4 or IPv6 by the
 * version nibble, anything else (pseudowires) not decoded: *type 0.
 */
static int
tun_mpls(const uint8_t *data, uint32_t lim, uint32_t *off, uint16_t *type)
{
	uint32_t o = *off;
	unsigned int nb = 0;

	for (;;) {
		if (nb++ == DP_MPLS_MAX || lim - o < DP_MPLS_LEN)
			return BW_REASON_MPLS_HDR;
		o += DP_MPLS_LEN;
		if ((data[o - 2] & 0x01) != 0)
			break;
	}
	*off = o;
	*type = ip_by_version(data, lim, o);
	return BW_REASON_NONE;
}

/*
 * A PPPoE session header at *off (RFC 2516 section 4): version and type
 * 1, code 0, a length within the frame that covers the PPP protocol; IPv4
 * and IPv6 payloads are decoded, others (LCP, IPCP...) are not (*type 0).
 */
static int
tun_pppoe(const uint8_t *data, uint32_t lim, uint32_t *off, uint32_t *end,
	  uint16_t *type)
{
	uint32_t o = *off, len;
	uint16_t proto;

	if (lim - o < DP_PPPOE_HLEN + 2 || data[o] != DP_PPPOE_VERTYPE ||
	    data[o + 1] != DP_PPPOE_CODE_SES)
		return BW_REASON_PPPOE_HDR;
	len = rd_be16(data + o + 4);
	if (len < 2 || len > *end - o - DP_PPPOE_HLEN)
		return BW_REASON_PPPOE_HDR;
	proto = rd_be16(data + o + DP_PPPOE_HLEN);
	*end = o + DP_PPPOE_HLEN + len;
	*off = o + DP_PPPOE_HLEN + 2;
	*type = proto == DP_PPP_IPV4   ? DP_ETH_P_IPV4
		: proto == DP_PPP_IPV6 ? DP_ETH_P_IPV6
				       : 0;
	return BW_REASON_NONE;
}

/*
 * The tunnel levels, out of the fast path. in_ip: the IP packet at
 * p->l3_off is decoded already and may carry a tunnel; else the layer at
 * off (ethertype type, an MPLS or PPPoE header) is next. end: where the
 * payload that holds it ends. Each turn decodes one layer and either ends
 * or enters a level; levels count against DP_TUN_MAX, so the loop ends.
 */
static __attribute__((noinline)) int
decode_tunnels(const uint8_t *data, uint32_t data_len, uint32_t end,
	       const struct dp_decode_cfg *cfg, struct dp_pkt *p, uint32_t off,
	       uint16_t type, int in_ip)
{
	int r;

	for (;;) {
		if (!in_ip) {
			p->ethertype = type;
			p->l3_off = (uint16_t)off;
			switch (type) {
			case DP_ETH_P_IPV4:
				p->l3 = DP_L3_IPV4;
				r = decode_ip4(data, data_len, end,
					       cfg->port_bits, p);
				break;
			case DP_ETH_P_IPV6:
				p->l3 = DP_L3_IPV6;
				r = decode_ip6(data, data_len, end,
					       cfg->port_bits, p);
				break;
			case DP_ETH_P_MPLS_UC:
			case DP_ETH_P_MPLS_MC:
				r = tun_mpls(data, min_u32(data_len, end), &off,
					     &type);
				if (r == BW_REASON_NONE)
					r = push_level(p, DP_TUN_MPLS, 0);
				if (r != BW_REASON_NONE || type == 0)
					return r;
				continue;
			case DP_ETH_P_PPPOE_S:
				r = tun_pppoe(data, min_u32(data_len, end),
					      &off, &end, &type);
				if (r == BW_REASON_NONE)
					r = push_level(p, DP_TUN_PPPOE, 0);
				if (r != BW_REASON_NONE || type == 0)
					return r;
				continue;
			default:
				return BW_REASON_NONE; /* not IP */
			}
			if (r != BW_REASON_NONE)
				return r;
		}
		in_ip = 0;
		r = ip_tunnel(data, data_len, cfg, p, &off, &end, &type);
		if (r != BW_REASON_NONE || type == 0)
			return r;
		/*
		 * An Ethernet frame inside a tunnel. Only here: the
		 * ethertype 0x6558 elsewhere is an unknown, non-IP one, so
		 * that every turn of the loop enters a level.
		 */
		if (type == DP_ETH_P_TEB) {
			r = decode_eth(data, min_u32(data_len, end), off, 0, p,
				       &type, &off);
			if (r != BW_REASON_NONE)
				return r;
		}
	}
}

/*
 * The outermost Ethernet and IP layers and what the IP packet carries, with
 * the path they had before tunnels existed: a frame that may hold one (an
 * MPLS or PPPoE ethertype, or DP_PKT_TUN_MAYBE set by decode_l4()) is left
 * to dp_decode_tunnels(). Fills *p and p->reason.
 */
int
dp_decode_outer(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
		uint8_t dir, uint64_t port_bits, struct dp_pkt *p)
{
	uint32_t off = DP_ETH_TYPE_OFF;
	uint16_t type;
	int r;

	/* the per-level arrays at the end are only valid below depth */
	memset(p, 0, offsetof(struct dp_pkt, tun));
	p->dir = dir;
	if (data_len > pkt_len)
		data_len = pkt_len;

	if (data_len < DP_ETH_HLEN) {
		r = BW_REASON_L2_TRUNC;
		goto out;
	}
	type = rd_be16(data + off);
	while (is_vlan_tpid(type)) {
		if (p->nb_vlan == DP_VLAN_MAX) {
			r = BW_REASON_VLAN_DEPTH;
			goto out;
		}
		/* the tag (TPID, TCI) and the ethertype after it */
		if (data_len - off < DP_VLAN_TAG_LEN + 2) {
			r = BW_REASON_VLAN_TRUNC;
			goto out;
		}
		p->vlan[p->nb_vlan++] =
			rd_be16(data + off + 2) & DP_VLAN_VID_MASK;
		off += DP_VLAN_TAG_LEN;
		type = rd_be16(data + off);
	}
	p->ethertype = type;
	p->l3_off = (uint16_t)(off + 2);

	/* IPv4 and IPv6 first: the rest is rare and costs them nothing */
	if (__builtin_expect(type == DP_ETH_P_IPV4, 1)) {
		p->l3 = DP_L3_IPV4;
		r = decode_ip4(data, data_len, pkt_len, port_bits, p);
	} else if (type == DP_ETH_P_IPV6) {
		p->l3 = DP_L3_IPV6;
		r = decode_ip6(data, data_len, pkt_len, port_bits, p);
	} else {
		/*
		 * MPLS and PPPoE sessions: dp_decode_tunnels(). ARP, LLDP,
		 * 802.3 length/LLC, ...: passed untouched.
		 */
		if (type == DP_ETH_P_MPLS_UC || type == DP_ETH_P_MPLS_MC ||
		    type == DP_ETH_P_PPPOE_S)
			p->flags |= DP_PKT_TUN_MAYBE;
		r = BW_REASON_NONE;
	}
out:
	p->reason = (uint8_t)r;
	return r;
}

int
dp_decode_tunnels(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
		  const struct dp_decode_cfg *cfg, struct dp_pkt *p)
{
	int r;

	if ((p->flags & DP_PKT_TUN_MAYBE) == 0 || p->reason != BW_REASON_NONE)
		return p->reason;
	if (data_len > pkt_len)
		data_len = pkt_len;
	if (cfg == NULL)
		cfg = &dp_decode_cfg_default;
	/* an IP header decoded (in_ip), or the MPLS or PPPoE ethertype */
	r = decode_tunnels(data, data_len, pkt_len, cfg, p, p->l3_off,
			   p->ethertype, p->l3 != DP_L3_NONE);
	p->reason = (uint8_t)r;
	return r;
}

/*
 * Decode one frame: Ethernet, up to DP_VLAN_MAX tags, IPv4 or IPv6 with
 * extension headers, then TCP, UDP, ICMP or ICMPv6; and through tunnels,
 * up to DP_TUN_MAX levels (dp_decode.h, struct dp_pkt).
 *
 * data/data_len: the contiguous bytes that hold the headers; pkt_len: the
 * whole frame (a pkt_len below data_len is taken as data_len = pkt_len).
 * Every header must lie within data_len, else the layer's *_TRUNC (or
 * *_HDRLEN, or the tunnel's) reason; IP length fields are checked against
 * pkt_len, and an inner packet's against the end of its outer payload.
 * Reads no byte at or past data + data_len.
 *
 * Fills *p (zeroed first, dir copied) and returns p->reason: BW_REASON_NONE
 * for a well-formed frame (non-IP ethertypes included, with l3 DP_L3_NONE),
 * otherwise the first malformation found; the fields of the layers decoded
 * before it stay set. Any thread; no allocation, no side effects.
 */
int
dp_decode_with(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
	       uint8_t dir, const struct dp_decode_cfg *cfg, struct dp_pkt *p)
{
	if (cfg == NULL)
		cfg = &dp_decode_cfg_default;
	dp_decode_outer(data, data_len, pkt_len, dir, cfg->port_bits, p);
	return dp_decode_tunnels(data, data_len, pkt_len, cfg, p);
}

int
dp_decode(const uint8_t *data, uint32_t data_len, uint32_t pkt_len, uint8_t dir,
	  struct dp_pkt *p)
{
	return dp_decode_with(data, data_len, pkt_len, dir, NULL, p);
}
