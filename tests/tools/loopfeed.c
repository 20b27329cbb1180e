/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bw-loopfeed: the zero-copy traffic source of scripts/bench-rules
 * (--io ring). A net_ring vdev created with no arguments transmits into
 * the ring it receives from; a forwarder (bulwark, dpdk-testpmd io) with
 * two such ports therefore keeps whatever packets it holds going round,
 * from one port to the other and back, and no generator and no copy sit
 * on its path: its busy cycles per packet are its own, as with a NIC that
 * writes frames into memory by DMA (the pcap vdev's infinite_rx, in
 * contrast, allocates an mbuf and copies the frame on every receive).
 *
 * This DPDK secondary process attaches to the running primary, takes
 * mbufs from the primary's pool (no per-lcore cache: the primary's lcore
 * ids are not ours), copies the first frames of a capture into them and
 * puts them into one ring in a single bulk enqueue, then exits. The ring
 * PMD's rings are single-producer: that one enqueue is the only time this
 * process produces, and the forwarder cannot send into that ring before
 * it has received what the enqueue published. At most the ring's capacity
 * is fed, so that neither ring of the loop can ever be full.
 *
 * Prints one JSON line: frames fed, bytes, frames of the capture skipped
 * (longer than an mbuf holds).
 *
 * usage: bw-loopfeed EAL-ARGS -- --pcap FILE --ring NAME --pool NAME
 *                                [--count N]
 * e.g.   bw-loopfeed --proc-type=secondary --file-prefix P -l 0 --no-pci
 *        -- --pcap mix.pcap --ring ETH_RXTX0_net_ring0 --pool bw_mbufs
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#define PROG "bw-loopfeed"

/* More than a net_ring ring holds (1023). */
#define FEED_MAX 4096u

static struct rte_mbuf *objs[FEED_MAX];

static int
usage(void)
{
	fprintf(stderr, "usage: " PROG " EAL-ARGS -- --pcap FILE --ring NAME "
			"--pool NAME [--count N]\n");
	return 2;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pcap", required_argument, NULL, 'p'},
		{"ring", required_argument, NULL, 'r'},
		{"pool", required_argument, NULL, 'm'},
		{"count", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	const char *pcap_path = NULL, *ring_name = NULL, *pool_name = NULL;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct rte_mempool *mp;
	struct rte_ring *ring;
	unsigned long count = FEED_MAX;
	uint64_t bytes = 0;
	uint32_t n = 0, skipped = 0, room;
	pcap_t *pc;
	char *end;
	int ret, c;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, PROG ": EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			pcap_path = optarg;
			break;
		case 'r':
			ring_name = optarg;
			break;
		case 'm':
			pool_name = optarg;
			break;
		case 'n':
			errno = 0;
			count = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || count == 0) {
				fprintf(stderr, PROG ": --count: %s\n", optarg);
				return 2;
			}
			break;
		default:
			return usage();
		}
	}
	if (pcap_path == NULL || ring_name == NULL || pool_name == NULL ||
	    optind != argc)
		return usage();
	if (rte_eal_process_type() != RTE_PROC_SECONDARY) {
		fprintf(stderr, PROG ": run as a secondary process "
				     "(--proc-type=secondary)\n");
		return 2;
	}
	ring = rte_ring_lookup(ring_name);
	if (ring == NULL) {
		fprintf(stderr, PROG ": no ring %s in the primary\n",
			ring_name);
		return 1;
	}
	mp = rte_mempool_lookup(pool_name);
	if (mp == NULL) {
		fprintf(stderr, PROG ": no mempool %s in the primary\n",
			pool_name);
		return 1;
	}
	room = rte_ring_free_count(ring);
	if (count > room)
		count = room;
	if (count > FEED_MAX)
		count = FEED_MAX;

	pc = pcap_open_offline(pcap_path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", pcap_path, errbuf);
		return 1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, PROG ": %s: not an Ethernet capture\n",
			pcap_path);
		pcap_close(pc);
		return 1;
	}
	if (rte_mempool_generic_get(mp, (void **)objs, (unsigned int)count,
				    NULL) != 0) {
		fprintf(stderr, PROG ": cannot take %lu mbufs from %s\n", count,
			pool_name);
		pcap_close(pc);
		return 1;
	}
	while (n < count && (ret = pcap_next_ex(pc, &h, &data)) == 1) {
		struct rte_mbuf *m = objs[n];

		rte_pktmbuf_reset(m);
		if (h->caplen != h->len ||
		    h->caplen > rte_pktmbuf_tailroom(m)) {
			skipped++;
			continue;
		}
		memcpy(rte_pktmbuf_mtod(m, void *), data, h->caplen);
		m->data_len = (uint16_t)h->caplen;
		m->pkt_len = h->caplen;
		bytes += h->caplen;
		n++;
	}
	if (ret == PCAP_ERROR) {
		fprintf(stderr, PROG ": %s: %s\n", pcap_path, pcap_geterr(pc));
		n = 0;
	}
	pcap_close(pc);
	/* what is not fed goes back */
	if (n < count)
		rte_mempool_generic_put(mp, (void **)&objs[n],
					(unsigned int)(count - n), NULL);
	if (n == 0) {
		fprintf(stderr, PROG ": %s: no frame to feed\n", pcap_path);
		return 1;
	}
	if (rte_ring_enqueue_bulk(ring, (void **)objs, n, NULL) != n) {
		fprintf(stderr, PROG ": ring %s took no room for %u frames\n",
			ring_name, n);
		rte_mempool_generic_put(mp, (void **)objs, n, NULL);
		return 1;
	}
	printf("{\"frames\":%u,\"bytes\":%" PRIu64 ",\"skipped\":%u}\n", n,
	       bytes, skipped);
	rte_eal_cleanup();
	return 0;
}
