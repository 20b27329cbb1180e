/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 decoder: Ethernet, 802.1Q/802.1ad tags, IPv4, IPv6 with its
 * extension-header chain, TCP, UDP, ICMP and ICMPv6. Pure C (no DPDK, no
 * allocation, no global state): the unit tests and the fuzzer run it as is.
 *
 * Two lengths bound every read. data_len is how many bytes are readable: a
 * header that needs more is "truncated" for its layer. pkt_len is the frame
 * on the wire: IP length fields are checked against it, since the payload may
 * lie in later mbuf segments. Multi-byte fields are read with rd_be16() and
 * rd_be32() only after the bytes they cover have been checked present.
 */
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
#define DP_IPPROTO_TCP	    6
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
	  struct dp_pkt *p)
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
		if (p->frag == DP_FRAG_NONE) {
			if (ulen < DP_UDP_HLEN || ulen > dgram)
				return BW_REASON_UDP_LEN;
			p->payload_len = (uint32_t)ulen - DP_UDP_HLEN;
		} else {
			p->payload_len = dgram - DP_UDP_HLEN;
		}
		p->sport = rd_be16(l4);
		p->dport = rd_be16(l4 + 2);
		p->payload_off = (uint16_t)(off + DP_UDP_HLEN);
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
static int
decode_ip4(const uint8_t *data, uint32_t data_len, uint32_t pkt_len,
	   struct dp_pkt *p)
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
	return decode_l4(data, data_len, off + tot_len, p);
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
	   struct dp_pkt *p)
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
	return decode_l4(data, data_len, l3_end, p);
}

/*
 * Decode one frame: Ethernet, up to DP_VLAN_MAX tags, IPv4 or IPv6 with
 * extension headers, then TCP, UDP, ICMP or ICMPv6.
 *
 * data/data_len: the contiguous bytes that hold the headers; pkt_len: the
 * whole frame (a pkt_len below data_len is taken as data_len = pkt_len).
 * Every header must lie within data_len, else the layer's *_TRUNC (or
 * *_HDRLEN) reason; IP length fields are checked against pkt_len. Reads no
 * byte at or past data + data_len.
 *
 * Fills *p (zeroed first, dir copied) and returns p->reason: BW_REASON_NONE
 * for a well-formed frame (non-IP ethertypes included, with l3 DP_L3_NONE),
 * otherwise the first malformation found; the fields of the layers decoded
 * before it stay set. Any thread; no allocation, no side effects.
 */
int
dp_decode(const uint8_t *data, uint32_t data_len, uint32_t pkt_len, uint8_t dir,
	  struct dp_pkt *p)
{
	uint32_t off = DP_ETH_TYPE_OFF;
	uint16_t type;
	int r;

	memset(p, 0, sizeof(*p));
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

	switch (type) {
	case DP_ETH_P_IPV4:
		p->l3 = DP_L3_IPV4;
		r = decode_ip4(data, data_len, pkt_len, p);
		break;
	case DP_ETH_P_IPV6:
		p->l3 = DP_L3_IPV6;
		r = decode_ip6(data, data_len, pkt_len, p);
		break;
	default:
		/* ARP, LLDP, 802.3 length/LLC, ...: passed untouched */
		r = BW_REASON_NONE;
		break;
	}
out:
	p->reason = (uint8_t)r;
	return r;
}
