/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the worker's poll of one leg (dataplane/worker.c) under
 * EAL (--no-huge --no-pci, no shared config): packets go in on a net_ring port
 * (its tx ring is its rx ring), come out on a second one, and the
 * worker's counters must equal what the test itself sent. The second
 * port's tx function is wrapped through rte_eth_fp_ops after the port
 * started: the wrapper accepts what the driver accepts (or fewer, a full
 * queue) and then scribbles over the lengths of the mbufs it took, as a
 * driver may once it owns them (net_pcap frees them inside the call; the
 * pool may hand them out again).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bw_eal.h"
#include "bw_cunit.h"
#include "dp.h"
#include "dp_ruleset.h"

#define NB_MBUFS 1024
#define NB_DESC	 256

static struct rte_mempool *pool;
static uint16_t port_in, port_out;
static struct dp_worker *w;
static struct bw_worker_stats stats;
static uint8_t malformed_drop[BW_REASON_MAX];
static struct dp_ruleset *no_ruleset;

/* The wrapped tx function of port_out and what the wrapper does. */
static eth_tx_burst_t real_tx;
static uint16_t tx_accept_max = UINT16_MAX; /* packets accepted per call */

static uint16_t
tx_scribble(void *txq, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent, i;

	sent = real_tx(txq, pkts, RTE_MIN(n, tx_accept_max));
	/* the driver owns these now: what a freed, reused mbuf looks like */
	for (i = 0; i < sent; i++) {
		pkts[i]->pkt_len = 7;
		pkts[i]->data_len = 7;
	}
	return sent;
}

static int
port_start(uint16_t port)
{
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(port, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_socket_id(), NULL,
				   pool) != 0 ||
	    rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_socket_id(), NULL) !=
		    0 ||
	    rte_eth_dev_start(port) != 0)
		return -1;
	return 0;
}

/*
 * A UDP/IPv4 frame of len bytes (len >= 42) in a new mbuf: a valid packet
 * the decoder takes without complaint.
 */
static struct rte_mbuf *
udp_frame(uint16_t len, uint8_t tag)
{
	static const uint8_t hdr[42] = {
		/* Ethernet: dst, src, IPv4 */
		0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
		/* IPv4: 20 bytes, total length filled below, TTL 64, UDP */
		0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0,
		0, 2,
		/* UDP: 1024 -> 2048, length filled below, no checksum */
		0x04, 0x00, 0x08, 0x00, 0, 0, 0, 0};
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, tag, len);
	memcpy(p, hdr, sizeof(hdr));
	p[16] = (uint8_t)((len - 14) >> 8);
	p[17] = (uint8_t)(len - 14);
	p[38] = (uint8_t)((len - 34) >> 8);
	p[39] = (uint8_t)(len - 34);
	return m;
}

/* The length of the i-th frame of a burst: 60..1459 bytes, all differing. */
static uint16_t
frame_len(uint16_t i)
{
	return (uint16_t)(60 + (37 * i) % 1400);
}

/*
 * Put n frames of varied sizes on port_in's rx ring; returns their bytes
 * (the oracle), or 0 when that failed.
 */
static uint64_t
frames_inject(uint16_t n)
{
	struct rte_mbuf *m[DP_BURST];
	uint64_t bytes = 0;
	uint16_t i;

	for (i = 0; i < n; i++) {
		uint16_t len = frame_len(i);

		m[i] = udp_frame(len, (uint8_t)i);
		if (m[i] == NULL) {
			rte_pktmbuf_free_bulk(m, i);
			return 0;
		}
		bytes += len;
	}
	/* net_ring: what port_in sends, port_in receives */
	if (rte_eth_tx_burst(port_in, 0, m, n) != n)
		return 0;
	return bytes;
}

/* Free what port_out sent (it lands on its own rx ring); returns how many. */
static unsigned int
out_drain(void)
{
	struct rte_mbuf *m[DP_BURST];
	unsigned int total = 0;
	uint16_t k;

	while ((k = rte_eth_rx_burst(port_out, 0, m, DP_BURST)) != 0) {
		rte_pktmbuf_free_bulk(m, k);
		total += k;
	}
	return total;
}

/* One leg poll of n frames; tx accepts at most accept of them. */
static void
poll_once(uint16_t n, uint16_t accept, uint64_t *bytes)
{
	struct dp_leg leg = {.rx_port = port_in, .tx_port = port_out, .dir = 0};

	memset(&stats, 0, sizeof(stats));
	*bytes = frames_inject(n);
	CU_ASSERT_FATAL(*bytes != 0);
	tx_accept_max = accept;
	CU_ASSERT_EQUAL(dp_worker_leg_poll(w, &leg), n);
	tx_accept_max = UINT16_MAX;
}

static void
test_tx_bytes_counted_before_send(void)
{
	uint64_t bytes;

	poll_once(DP_BURST, UINT16_MAX, &bytes);
	CU_ASSERT_EQUAL(stats.rx_pkts, DP_BURST);
	CU_ASSERT_EQUAL(stats.rx_bytes, bytes);
	CU_ASSERT_EQUAL(stats.tx_pkts, DP_BURST);
	CU_ASSERT_EQUAL(stats.tx_bytes, bytes);
	CU_ASSERT_EQUAL(stats.drop_pkts, 0);
	CU_ASSERT_EQUAL(out_drain(), DP_BURST);
}

static void
test_tx_full_splits_bytes(void)
{
	struct dp_leg leg = {.rx_port = port_in, .tx_port = port_out, .dir = 0};
	uint64_t bytes, sent_bytes = 0;
	uint16_t i, n = 20, accept = 8;

	/* the first accept frames go out, the rest are dropped TX_FULL */
	for (i = 0; i < accept; i++)
		sent_bytes += frame_len(i);
	poll_once(n, accept, &bytes);
	CU_ASSERT_EQUAL(stats.tx_pkts, accept);
	CU_ASSERT_EQUAL(stats.tx_bytes, sent_bytes);
	CU_ASSERT_EQUAL(stats.drop_pkts, n - accept);
	CU_ASSERT_EQUAL(stats.drop_bytes, bytes - sent_bytes);
	CU_ASSERT_EQUAL(stats.reason_drop_pkts[BW_REASON_TX_FULL], n - accept);
	CU_ASSERT_EQUAL(out_drain(), accept);
	/* nothing left behind: an empty poll receives nothing */
	CU_ASSERT_EQUAL(dp_worker_leg_poll(w, &leg), 0);
}

static void
test_no_mbuf_leaked(void)
{
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static const struct bw_cunit_test tests[] = {
	{"tx bytes are counted before the driver owns the mbufs",
	 test_tx_bytes_counted_before_send},
	{"a full tx queue splits the bytes into sent and dropped",
	 test_tx_full_splits_bytes},
	{"every mbuf back in the pool", test_no_mbuf_leaked},
};

/* EAL arguments: memory without hugepages, the two ring ports. */
static const char *const eal_vdevs[] = {
	"--vdev",
	"net_ring0",
	"--vdev",
	"net_ring1",
};

int
main(void)
{
	int ret;

	if (bw_ut_eal_init("worker", 128, eal_vdevs, RTE_DIM(eal_vdevs)) != 0)
		return 1;
	pool = rte_pktmbuf_pool_create("ut_mbufs", NB_MBUFS, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	if (pool == NULL ||
	    rte_eth_dev_get_port_by_name("net_ring0", &port_in) != 0 ||
	    rte_eth_dev_get_port_by_name("net_ring1", &port_out) != 0 ||
	    port_start(port_in) != 0 || port_start(port_out) != 0) {
		fprintf(stderr, "test_worker: cannot set up the ports\n");
		return 1;
	}
	/* after rte_eth_dev_start(): starting resets the fast-path ops */
	real_tx = rte_eth_fp_ops[port_out].tx_pkt_burst;
	rte_eth_fp_ops[port_out].tx_pkt_burst = tx_scribble;

	w = rte_zmalloc("ut_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (w == NULL)
		return 1;
	w->st = &stats;
	w->malformed_drop = malformed_drop;
	w->active = &no_ruleset; /* no ruleset, fail open: all pass */
	w->queue = 0;

	ret = BW_CUNIT_RUN("worker", tests);
	rte_eth_fp_ops[port_out].tx_pkt_burst = real_tx;
	rte_free(w);
	rte_eth_dev_stop(port_in);
	rte_eth_dev_stop(port_out);
	rte_mempool_free(pool);
	bw_ut_eal_fini();
	return ret;
}
