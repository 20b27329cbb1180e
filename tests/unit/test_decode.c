/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runs the unit tests of dp_decode() as one CUnit suite: frames built byte
 * by byte for every header and every malformation it names, truncation at
 * every byte, and every packet of the real captures under tests/data/pcaps.
 * The tests live in test_decode_<concept>.c, one file a layer or concern.
 *
 * Usage: test_decode [DATA_DIR]. DATA_DIR (else $BW_TEST_DATA, else
 * ../tests/data, tests/data or the data folder beside this source) holds
 * pcaps/.
 */
#include <stddef.h>

#include "bw_cunit.h"
#include "bw_testdata.h"
#include "test_decode_util.h"

static const struct bw_cunit_test tests[] = {
	{"eth ipv4 tcp fields", test_eth_ip4_tcp},
	{"eth short", test_eth_short},
	{"vlan single", test_vlan_single},
	{"vlan qinq", test_vlan_qinq},
	{"vlan third tag", test_vlan_depth},
	{"vlan truncated", test_vlan_trunc},
	{"non-ip ethertypes", test_non_ip},
	{"data beyond the frame", test_data_beyond_frame},
	{"truncation qinq ipv4 tcp", test_trunc_qinq_ip4_tcp},
	{"truncation ipv4 options", test_trunc_ip4_options},
	{"truncation ipv6 hbh dstopts udp", test_trunc_ip6_hbh_dst_udp},
	{"ipv4 version", test_ip4_version},
	{"ipv4 ihl", test_ip4_ihl},
	{"ipv4 total length", test_ip4_total_length},
	{"ipv4 ethernet padding", test_ip4_padding},
	{"ipv4 options", test_ip4_options},
	{"ipv4 first fragment", test_ip4_frag_first},
	{"ipv4 tiny first fragment", test_ip4_frag_tiny},
	{"ipv4 later fragment", test_ip4_frag_later},
	{"ipv4 oversize fragment", test_ip4_frag_oversize},
	{"ipv4 fragment mf length", test_ip4_frag_mf_length},
	{"tcp data offset", test_tcp_doff},
	{"udp length", test_udp_length},
	{"icmp", test_icmp},
	{"ipv4 other protocol", test_ip4_other_proto},
	{"ipv6 tcp fields", test_ip6_tcp},
	{"ipv6 header", test_ip6_header},
	{"ipv6 icmpv6", test_ip6_icmp6},
	{"ipv6 esp and no next header", test_ip6_esp_nonext},
	{"ipv6 extension chain", test_ip6_ext_chain},
	{"ipv6 extension errors", test_ip6_ext_errors},
	{"ipv6 atomic fragment", test_ip6_frag_atomic},
	{"ipv6 first fragment", test_ip6_frag_first},
	{"ipv6 later fragment", test_ip6_frag_later},
	{"real captures", test_real_captures},
	{"tunnel ip in ip", test_tun_ip_in_ip},
	{"tunnel gre", test_tun_gre},
	{"tunnel gre errors", test_tun_gre_errors},
	{"tunnel vxlan", test_tun_vxlan},
	{"tunnel geneve", test_tun_geneve},
	{"tunnel gtp-u", test_tun_gtpu},
	{"tunnel mpls", test_tun_mpls},
	{"tunnel pppoe", test_tun_pppoe},
	{"tunnel nested", test_tun_nested},
	{"tunnel depth limit", test_tun_depth},
	{"tunnel configured ports", test_tun_ports},
	{"tunnel inner malformed", test_tun_inner_errors},
	{"tunnel truncation", test_tun_truncation},
	{"tunnel eBPF context", test_tun_bpf_ctx},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	bw_testdata_set(argc > 1 ? argv[1] : NULL);
	return BW_CUNIT_RUN("decode", tests);
}
