/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop and anomaly reasons shared by the dataplane (which counts them) and
 * bulwarkctl (which names them). Numbers are ABI: append only within a major
 * version of the status region; never renumber or reuse one.
 */
#ifndef BW_REASON_H
#define BW_REASON_H

#include <stdint.h>

/* Slots reserved in every per-reason counter array of the status region. */
#define BW_REASON_MAX 64

/*
 * X(constant suffix, number, stable name used in JSON and logs, policy
 * class). Class 1 (BW_POLICY_MALFORMED): a decode verdict whose policy
 * (drop or pass, --malformed) the operator may choose; class 2
 * (BW_POLICY_TCP): a TCP segment the stream normalizer refuses (policy
 * --tcp-invalid, docs/rules.md "TCP normalization"); class 0: always a
 * drop.
 */
#define BW_POLICY_MALFORMED 1
#define BW_POLICY_TCP	    2

#define BW_REASONS(X)                                                          \
	X(NONE, 0, "none", 0)                                                  \
	X(L2_TRUNC, 1, "l2-truncated", 1)                                      \
	X(VLAN_TRUNC, 2, "vlan-truncated", 1)                                  \
	X(VLAN_DEPTH, 3, "vlan-too-many-tags", 1)                              \
	X(IP4_TRUNC, 4, "ipv4-truncated", 1)                                   \
	X(IP4_VERSION, 5, "ipv4-bad-version", 1)                               \
	X(IP4_HDRLEN, 6, "ipv4-bad-header-length", 1)                          \
	X(IP4_TOTLEN, 7, "ipv4-bad-total-length", 1)                           \
	X(IP4_OPTIONS, 8, "ipv4-bad-options", 1)                               \
	X(IP4_FRAG, 9, "ipv4-bad-fragment", 1)                                 \
	X(IP6_TRUNC, 10, "ipv6-truncated", 1)                                  \
	X(IP6_VERSION, 11, "ipv6-bad-version", 1)                              \
	X(IP6_PAYLEN, 12, "ipv6-bad-payload-length", 1)                        \
	X(IP6_EXT_TRUNC, 13, "ipv6-ext-truncated", 1)                          \
	X(IP6_EXT_CHAIN, 14, "ipv6-ext-chain-too-long", 1)                     \
	X(IP6_HBH_POS, 15, "ipv6-hop-by-hop-not-first", 1)                     \
	X(IP6_FRAG, 16, "ipv6-bad-fragment", 1)                                \
	X(TCP_TRUNC, 17, "tcp-truncated", 1)                                   \
	X(TCP_HDRLEN, 18, "tcp-bad-data-offset", 1)                            \
	X(UDP_TRUNC, 19, "udp-truncated", 1)                                   \
	X(UDP_LEN, 20, "udp-bad-length", 1)                                    \
	X(ICMP_TRUNC, 21, "icmp-truncated", 1)                                 \
	X(ICMP6_TRUNC, 22, "icmpv6-truncated", 1)                              \
	X(FRAG_TINY, 23, "fragment-too-small", 1)                              \
	X(TX_FULL, 24, "tx-full", 0)                                           \
	X(NO_RULESET, 25, "no-ruleset", 0)                                     \
	X(BLOCKLIST, 26, "blocklist", 0)                                       \
	X(BPF, 27, "bpf", 0)                                                   \
	X(RULE, 28, "content-rule", 0)                                         \
	X(TCP_CKSUM, 29, "tcp-bad-checksum", 2)                                \
	X(TCP_OOO, 30, "tcp-out-of-order", 2)                                  \
	X(TCP_SYN, 31, "tcp-invalid-syn", 2)                                   \
	X(TCP_RST, 32, "tcp-invalid-rst", 2)                                   \
	X(TCP_FIN, 33, "tcp-invalid-fin", 2)                                   \
	X(TCP_URG, 34, "tcp-urgent-data", 2)                                   \
	X(TCP_OVERLAP, 35, "tcp-overlap-different-data", 2)                    \
	X(TCP_UNVERIFIED, 36, "tcp-retrans-unverified", 2)                     \
	X(TCP_MIDSTREAM, 37, "tcp-midstream", 2)                               \
	X(TCP_FLOW_FULL, 38, "tcp-flow-table-full", 2)                         \
	X(TCP_NOACK, 39, "tcp-missing-ack", 2)                                 \
	X(IP_FRAG_OVERLAP, 40, "ip-frag-overlap", 0)                           \
	X(IP_FRAG_TIMEOUT, 41, "ip-frag-timeout", 0)                           \
	X(IP_FRAG_LIMIT, 42, "ip-frag-limit", 0)                               \
	X(IP_FRAG_DUP, 43, "ip-frag-duplicate", 0)                             \
	X(TUN_DEPTH, 44, "tunnel-too-deep", 1)                                 \
	X(GRE_HDR, 45, "gre-bad-header", 1)                                    \
	X(VXLAN_HDR, 46, "vxlan-bad-header", 1)                                \
	X(GENEVE_HDR, 47, "geneve-bad-header", 1)                              \
	X(GTPU_HDR, 48, "gtpu-bad-header", 1)                                  \
	X(MPLS_HDR, 49, "mpls-bad-label-stack", 1)                             \
	X(PPPOE_HDR, 50, "pppoe-bad-header", 1)                                \
	X(TUN_FRAG, 51, "tunnel-inner-fragment", 1)                            \
	X(BPF_FAULT, 52, "bpf-fault", 0)

enum bw_reason {
#define BW_REASON_ENUM(sym, num, name, mal) BW_REASON_##sym = num,
	BW_REASONS(BW_REASON_ENUM)
#undef BW_REASON_ENUM
		BW_REASON_COUNT /* reasons this build defines */
};

_Static_assert(BW_REASON_COUNT <= BW_REASON_MAX, "reason table full");

/* Stable name of a reason, or NULL when the number is not defined. */
static inline const char *
bw_reason_name(unsigned int r)
{
	static const char *const names[BW_REASON_COUNT] = {
#define BW_REASON_NAME(sym, num, name, mal) [num] = name,
		BW_REASONS(BW_REASON_NAME)
#undef BW_REASON_NAME
	};

	return r < BW_REASON_COUNT ? names[r] : (const char *)0;
}

/*
 * The policy class of a reason: 0 (always a drop), BW_POLICY_MALFORMED or
 * BW_POLICY_TCP; the operator may choose pass or drop for the last two.
 */
static inline int
bw_reason_policy(unsigned int r)
{
	static const uint8_t cls[BW_REASON_COUNT] = {
#define BW_REASON_CLS(sym, num, name, c) [num] = c,
		BW_REASONS(BW_REASON_CLS)
#undef BW_REASON_CLS
	};

	return r < BW_REASON_COUNT ? cls[r] : 0;
}

/* Non-zero for a malformed-packet reason (decode; --malformed). */
static inline int
bw_reason_is_malformed(unsigned int r)
{
	return bw_reason_policy(r) == BW_POLICY_MALFORMED;
}

#endif /* BW_REASON_H */
