/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up: queues, RSS with a symmetric key, promiscuous mode, MTU.
 * Main lcore only. A vdev that refuses an optional feature (ENOTSUP) gets
 * a warning: pcap and memif refuse MTU changes, for instance.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>

#include "dp.h"
#include "dp_port.h"
#include "dp_status.h"

/*
 * A Toeplitz key made of one repeated 16-bit word hashes (a, b) and (b, a)
 * to the same value, so both directions of a flow reach the same worker
 * (Woo and Park, "Scalable TCP Session Monitoring with Symmetric RSS").
 */
#define DP_RSS_KEY_WORD_HI 0x6d
#define DP_RSS_KEY_WORD_LO 0x5a
#define DP_RSS_KEY_MAX	   64

/*
 * Turn a port argument (decimal id or ethdev name) into a valid port id.
 * Returns 0 or -ENODEV.
 */
int
dp_port_resolve(const char *spec, uint16_t *port_id)
{
	char *end;
	unsigned long v;

	v = strtoul(spec, &end, 10);
	if (end != spec && *end == '\0') {
		if (v >= RTE_MAX_ETHPORTS ||
		    !rte_eth_dev_is_valid_port((uint16_t)v))
			return -ENODEV;
		*port_id = (uint16_t)v;
		return 0;
	}
	if (rte_eth_dev_get_port_by_name(spec, port_id) != 0)
		return -ENODEV;
	return 0;
}

static void
warn_unsupported(uint16_t port_id, const char *what, int ret)
{
	if (ret == -ENOTSUP)
		DP_LOG(WARNING, "port %u: %s not supported, continuing",
		       port_id, what);
	else
		DP_LOG(WARNING, "port %u: %s failed: %s, continuing", port_id,
		       what, strerror(-ret));
}

/*
 * Configure port_id with nb_queues rx and tx queues (queue q belongs to
 * worker q) drawing mbufs from mp. Returns 0 or a negative errno after
 * logging the cause.
 */
int
dp_port_setup(uint16_t port_id, uint16_t nb_queues, struct rte_mempool *mp,
	      const struct dp_config *cfg)
{
	uint8_t rss_key[DP_RSS_KEY_MAX];
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	struct rte_eth_txconf txconf;
	uint16_t nb_rxd = cfg->nb_rxd, nb_txd = cfg->nb_txd, q;
	int socket, ret;
	unsigned int i;

	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0) {
		DP_LOG(ERR, "port %u: cannot get device info: %s", port_id,
		       strerror(-ret));
		return ret;
	}
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues) {
		DP_LOG(ERR,
		       "port %u (%s): %u workers need %u queue pairs, the "
		       "device has at most %u rx / %u tx",
		       port_id, info.driver_name, nb_queues, nb_queues,
		       info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}

	memset(&conf, 0, sizeof(conf));
	if (nb_queues > 1 && info.flow_type_rss_offloads != 0) {
		uint8_t key_len = info.hash_key_size;

		if (key_len == 0 || key_len > sizeof(rss_key))
			key_len = 40;
		for (i = 0; i < key_len; i += 2) {
			rss_key[i] = DP_RSS_KEY_WORD_HI;
			rss_key[i + 1] = DP_RSS_KEY_WORD_LO;
		}
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = key_len;
		/*
		 * RTE_ETH_RSS_IP holds FRAG_IPV4 and FRAG_IPV6: fragments
		 * hash on their addresses, and so must the first fragment,
		 * which the NIC's parser has to classify as a fragment (MF
		 * set) rather than as TCP or UDP with ports, for the whole
		 * datagram to reach one worker. --rss-l3 hashes everything
		 * on addresses only, for ports that do not (docs/
		 * architecture.md, "IP fragments").
		 */
		conf.rx_adv_conf.rss_conf.rss_hf =
			(cfg->rss_l3 ? RTE_ETH_RSS_IP
				     : RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
					       RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	} else if (nb_queues > 1) {
		DP_LOG(WARNING,
		       "port %u (%s): no RSS; flows may reach any worker",
		       port_id, info.driver_name);
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	/* the stream engine takes the port's TCP checksum verdict */
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TCP_CKSUM;

	ret = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (ret != 0) {
		DP_LOG(ERR, "port %u: configure: %s", port_id, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (ret != 0) {
		DP_LOG(ERR, "port %u: descriptors: %s", port_id,
		       strerror(-ret));
		return ret;
	}
	if (cfg->mtu != 0) {
		ret = rte_eth_dev_set_mtu(port_id, cfg->mtu);
		if (ret != 0)
			warn_unsupported(port_id, "MTU change", ret);
	}

	socket = rte_eth_dev_socket_id(port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (q = 0; q < nb_queues; q++) {
		ret = rte_eth_rx_queue_setup(port_id, q, nb_rxd,
					     (unsigned int)socket, NULL, mp);
		if (ret != 0) {
			DP_LOG(ERR, "port %u: rx queue %u: %s", port_id, q,
			       strerror(-ret));
			return ret;
		}
		ret = rte_eth_tx_queue_setup(port_id, q, nb_txd,
					     (unsigned int)socket, &txconf);
		if (ret != 0) {
			DP_LOG(ERR, "port %u: tx queue %u: %s", port_id, q,
			       strerror(-ret));
			return ret;
		}
	}
	DP_LOG(INFO, "port %u (%s): %u queue pairs, %u/%u descriptors%s%s",
	       port_id, info.driver_name, nb_queues, nb_rxd, nb_txd,
	       conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? ", symmetric RSS"
							: "",
	       (conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_TCP_CKSUM)
		       ? ", rx TCP checksum"
		       : "");
	return 0;
}

/*
 * Start a configured port in promiscuous mode (a bump in the wire forwards
 * frames for any address) and log its link. Returns 0 or a negative errno.
 */
int
dp_port_start(uint16_t port_id)
{
	struct rte_eth_link link;
	int ret;

	ret = rte_eth_dev_start(port_id);
	if (ret != 0) {
		DP_LOG(ERR, "port %u: start: %s", port_id, strerror(-ret));
		return ret;
	}
	ret = rte_eth_promiscuous_enable(port_id);
	if (ret != 0)
		warn_unsupported(port_id, "promiscuous mode", ret);
	if (rte_eth_link_get_nowait(port_id, &link) == 0)
		DP_LOG(INFO, "port %u: link %s, %u Mbit/s, %s duplex", port_id,
		       link.link_status ? "up" : "down",
		       link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN
			       ? 0
			       : link.link_speed,
		       link.link_duplex ? "full" : "half");
	return 0;
}

/*
 * Copy the port's ethdev counters and link into its status record with
 * relaxed stores. Main lcore.
 */
void
dp_port_stats_copy(uint16_t port_id, struct bw_port_stats *ps)
{
	struct rte_eth_stats s;
	struct rte_eth_link link;

	if (rte_eth_stats_get(port_id, &s) == 0) {
		__atomic_store_n(&ps->ipackets, s.ipackets, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->opackets, s.opackets, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->ibytes, s.ibytes, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->obytes, s.obytes, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->imissed, s.imissed, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->ierrors, s.ierrors, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->oerrors, s.oerrors, __ATOMIC_RELAXED);
		__atomic_store_n(&ps->rx_nombuf, s.rx_nombuf, __ATOMIC_RELAXED);
	}
	if (rte_eth_link_get_nowait(port_id, &link) == 0) {
		/* dp_port_start() logged the first state; log changes */
		if (ps->updated_ns != 0 && ps->link_up != link.link_status)
			DP_LOG(INFO, "port %u: link %s", port_id,
			       link.link_status ? "up" : "down");
		__atomic_store_n(&ps->link_up, (uint16_t)link.link_status,
				 __ATOMIC_RELAXED);
		__atomic_store_n(&ps->link_speed_mbps,
				 link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN
					 ? 0
					 : link.link_speed,
				 __ATOMIC_RELAXED);
	}
	__atomic_store_n(&ps->updated_ns, dp_clock_ns(CLOCK_MONOTONIC),
			 __ATOMIC_RELAXED);
}

/* Stop and close a port; net_pcap flushes its output file on close. */
void
dp_port_stop(uint16_t port_id)
{
	int ret;

	ret = rte_eth_dev_stop(port_id);
	if (ret != 0)
		DP_LOG(WARNING, "port %u: stop: %s", port_id, strerror(-ret));
	ret = rte_eth_dev_close(port_id);
	if (ret != 0)
		DP_LOG(WARNING, "port %u: close: %s", port_id, strerror(-ret));
}
