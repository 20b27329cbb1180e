/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bw-pcaptool: a test oracle for pcap files, independent of the dataplane.
 *
 * It links libpcap only and shares no code with dataplane/ or control/, so
 * that what it counts, compares or generates is a second opinion on what the
 * dataplane did. Used by integration tests (count, cmp), the fuzz seed
 * corpus (split) and scripts/bench (cat, gen-udp).
 *
 * Exit status: 0 on success, 1 on failure (or, for cmp, a difference),
 * 2 on a usage error. Errors go to stderr as "bw-pcaptool: file: reason".
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#define PROG "bw-pcaptool"

#define EXIT_USAGE 2

/* Output of cat and gen-udp: classic pcap, Ethernet, 64 KiB snap length. */
#define OUT_SNAPLEN_BYTES 65535

/* gen-udp frame sizes, without FCS: 60 is the classic "64 B" frame. */
#define GEN_FRAME_MIN_BYTES 60
#define GEN_FRAME_MAX_BYTES 1514
#define GEN_FLOWS_DEFAULT   1024
#define GEN_FLOWS_MAX	    (1u << 20)
#define GEN_COUNT_MAX	    100000000u

#define ETH_HDR_BYTES  14
#define IPV4_HDR_BYTES 20
#define UDP_HDR_BYTES  8

/* RFC 2544 benchmark range 198.18.0.0/15: sources in .18, destinations .19. */
#define GEN_SRC_NET 0xc6120000u /* 198.18.0.0 */
#define GEN_DST_NET 0xc6130000u /* 198.19.0.0 */
/* Host parts 1..65534 so that no address ends in .0.0 or .255.255. */
#define GEN_HOSTS   65534u
#define GEN_PORT_LO 1024u
#define GEN_PORTS   64512u /* 1024..65535 */

/* Fixed start time so that generated files are byte-for-byte reproducible. */
#define GEN_TS_SEC 1700000000

static void
usage(void)
{
	fprintf(stderr,
		"usage: " PROG " COMMAND ...\n"
		"  count FILE                       print the number of "
		"packets\n"
		"  cmp A B                          exit 0 if packet data are "
		"identical\n"
		"  split FILE DIR PREFIX            write DIR/PREFIX-NNNNN.bin "
		"per packet\n"
		"  cat OUT IN...                    concatenate into one pcap\n"
		"  gen-udp OUT COUNT FRAME_SIZE [FLOWS]\n"
		"                                   write IPv4/UDP frames "
		"(60..1514 B)\n"
		"  hex FILE                         print caplen and bytes per "
		"packet\n");
}

/*
 * Report an error as "bw-pcaptool: file: reason". libpcap messages often
 * start with the file name already; drop it so that it is not printed twice.
 */
static void
report(const char *file, const char *reason)
{
	size_t n = strlen(file);

	if (strncmp(reason, file, n) == 0 && strncmp(reason + n, ": ", 2) == 0)
		reason += n + 2;
	fprintf(stderr, PROG ": %s: %s\n", file, reason);
}

/* Open a capture for reading; returns NULL after reporting the error. */
static pcap_t *
open_in(const char *file)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;

	errbuf[0] = '\0';
	p = pcap_open_offline(file, errbuf);
	if (p == NULL)
		report(file, errbuf);
	return p;
}

/*
 * Read the next packet. Returns 1 with *hdr and *data set, 0 at the end of
 * the file, -EIO after reporting a read error.
 */
static int
read_next(pcap_t *p, const char *file, struct pcap_pkthdr **hdr,
	  const u_char **data)
{
	int rc = pcap_next_ex(p, hdr, data);

	if (rc == 1)
		return 1;
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	report(file, pcap_geterr(p));
	return -EIO;
}

/* Parse a decimal unsigned integer in [min, max]; returns 0 or -EINVAL. */
static int
parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* count FILE: print the number of packets. */
static int
cmd_count(int argc, char **argv)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	uint64_t nb_pkts = 0;
	pcap_t *p;
	int rc;

	if (argc != 1) {
		usage();
		return EXIT_USAGE;
	}
	p = open_in(argv[0]);
	if (p == NULL)
		return EXIT_FAILURE;
	while ((rc = read_next(p, argv[0], &hdr, &data)) == 1)
		nb_pkts++;
	pcap_close(p);
	if (rc < 0)
		return EXIT_FAILURE;
	printf("%" PRIu64 "\n", nb_pkts);
	return EXIT_SUCCESS;
}

/*
 * cmp A B: same number of packets with identical captured bytes, in order.
 * Timestamps and wire lengths are ignored. Prints the first difference.
 */
static int
cmd_cmp(int argc, char **argv)
{
	const char *fa, *fb;
	struct pcap_pkthdr *ha, *hb;
	const u_char *da, *db;
	uint64_t idx = 0;
	pcap_t *pa, *pb;
	int ret = EXIT_FAILURE;
	int ra, rb;

	if (argc != 2) {
		usage();
		return EXIT_USAGE;
	}
	fa = argv[0];
	fb = argv[1];
	pa = open_in(fa);
	if (pa == NULL)
		return EXIT_FAILURE;
	pb = open_in(fb);
	if (pb == NULL)
		goto err_close_a;

	for (;; idx++) {
		bpf_u_int32 n, off;

		ra = read_next(pa, fa, &ha, &da);
		if (ra < 0)
			goto err_close_b;
		rb = read_next(pb, fb, &hb, &db);
		if (rb < 0)
			goto err_close_b;
		if (ra == 0 && rb == 0)
			break;
		if (ra == 0 || rb == 0) {
			printf("packet %" PRIu64 ": %s ends after %" PRIu64
			       " packets, %s has more\n",
			       idx, ra == 0 ? fa : fb, idx, ra == 0 ? fb : fa);
			goto err_close_b;
		}
		n = ha->caplen < hb->caplen ? ha->caplen : hb->caplen;
		for (off = 0; off < n && da[off] == db[off]; off++)
			;
		if (off < n || ha->caplen != hb->caplen) {
			printf("packet %" PRIu64 ": caplen %u vs %u, "
			       "first differing byte at offset %u\n",
			       idx, ha->caplen, hb->caplen, off);
			goto err_close_b;
		}
	}
	ret = EXIT_SUCCESS;

err_close_b:
	pcap_close(pb);
err_close_a:
	pcap_close(pa);
	return ret;
}

/*
 * Write len bytes to path, replacing it. Returns 0, or a negative errno
 * after reporting.
 */
static int
write_file(const char *path, const u_char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int err;

	if (f == NULL) {
		err = errno;
		report(path, strerror(err));
		return -err;
	}
	if (fwrite(data, 1, len, f) != len) {
		err = errno != 0 ? errno : EIO;
		report(path, strerror(err));
		fclose(f);
		return -err;
	}
	if (fclose(f) != 0) {
		err = errno;
		report(path, strerror(err));
		return -err;
	}
	return 0;
}

/* split FILE DIR PREFIX: one DIR/PREFIX-NNNNN.bin per packet; prints count. */
static int
cmd_split(int argc, char **argv)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	char path[PATH_MAX];
	uint64_t nb_pkts = 0;
	pcap_t *p;
	int rc;

	if (argc != 3) {
		usage();
		return EXIT_USAGE;
	}
	p = open_in(argv[0]);
	if (p == NULL)
		return EXIT_FAILURE;
	while ((rc = read_next(p, argv[0], &hdr, &data)) == 1) {
		if (snprintf(path, sizeof(path), "%s/%s-%05" PRIu64 ".bin",
			     argv[1], argv[2], nb_pkts) >= (int)sizeof(path)) {
			report(argv[1], "path too long");
			rc = -ENAMETOOLONG;
			break;
		}
		rc = write_file(path, data, hdr->caplen);
		if (rc < 0)
			break;
		nb_pkts++;
	}
	pcap_close(p);
	if (rc < 0)
		return EXIT_FAILURE;
	printf("%" PRIu64 "\n", nb_pkts);
	return EXIT_SUCCESS;
}

/*
 * Open OUT for writing as a classic Ethernet pcap. Returns the dumper, with
 * *dead set to the pcap_t that must be closed after it, or NULL after
 * reporting the error.
 */
static pcap_dumper_t *
open_out(const char *file, pcap_t **dead)
{
	pcap_dumper_t *d;

	*dead = pcap_open_dead(DLT_EN10MB, OUT_SNAPLEN_BYTES);
	if (*dead == NULL) {
		report(file, "pcap_open_dead failed");
		return NULL;
	}
	d = pcap_dump_open(*dead, file);
	if (d == NULL) {
		report(file, pcap_geterr(*dead));
		pcap_close(*dead);
	}
	return d;
}

/*
 * Flush and close OUT; returns 0, or -EIO after reporting a write error.
 * pcap_dump() itself reports nothing, so stdio's error flag is the check.
 */
static int
close_out(const char *file, pcap_dumper_t *d, pcap_t *dead)
{
	int rc = 0;

	if (pcap_dump_flush(d) != 0 || ferror(pcap_dump_file(d))) {
		report(file, "write error");
		rc = -EIO;
	}
	pcap_dump_close(d);
	pcap_close(dead);
	return rc;
}

/*
 * Copy every packet of one input to d. Packets longer than the output snap
 * length are truncated (caplen lowered, wire length kept) and counted.
 * Returns 0, or a negative errno after reporting.
 */
static int
cat_one(pcap_dumper_t *d, const char *file, uint64_t *nb_truncated)
{
	struct pcap_pkthdr *hdr;
	struct pcap_pkthdr out;
	const u_char *data;
	pcap_t *p;
	int rc;

	p = open_in(file);
	if (p == NULL)
		return -EIO;
	if (pcap_datalink(p) != DLT_EN10MB) {
		report(file, "link type is not Ethernet (DLT_EN10MB)");
		pcap_close(p);
		return -EINVAL;
	}
	while ((rc = read_next(p, file, &hdr, &data)) == 1) {
		out = *hdr;
		if (out.caplen > OUT_SNAPLEN_BYTES) {
			out.caplen = OUT_SNAPLEN_BYTES;
			(*nb_truncated)++;
		}
		pcap_dump((u_char *)d, &out, data);
	}
	pcap_close(p);
	return rc < 0 ? rc : 0;
}

/* cat OUT IN...: all packets of all inputs, in order, timestamps kept. */
static int
cmd_cat(int argc, char **argv)
{
	uint64_t nb_truncated = 0;
	pcap_dumper_t *d;
	pcap_t *dead;
	int rc = 0;
	int i;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	d = open_out(argv[0], &dead);
	if (d == NULL)
		return EXIT_FAILURE;
	for (i = 1; i < argc && rc == 0; i++)
		rc = cat_one(d, argv[i], &nb_truncated);
	if (close_out(argv[0], d, dead) < 0)
		rc = -EIO;
	if (rc < 0) {
		remove(argv[0]);
		return EXIT_FAILURE;
	}
	if (nb_truncated > 0)
		fprintf(stderr,
			PROG ": %s: %" PRIu64
			     " packets truncated to %d bytes\n",
			argv[0], nb_truncated, OUT_SNAPLEN_BYTES);
	return EXIT_SUCCESS;
}

static void
put_be16(u_char *p, uint16_t v)
{
	p[0] = (u_char)(v >> 8);
	p[1] = (u_char)v;
}

static void
put_be32(u_char *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

/* RFC 1071 Internet checksum over len bytes (len even), in host order. */
static uint16_t
inet_csum(const u_char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Build frame number idx of flow flow into buf (frame_bytes long).
 * Each of the four tuple fields is a different function of the flow index,
 * so that RSS and flow tables see FLOWS distinct tuples (up to 2^20).
 */
static void
gen_frame(u_char *buf, uint32_t frame_bytes, uint32_t idx, uint32_t flow)
{
	static const u_char dst_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
	static const u_char src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	u_char *ip = buf + ETH_HDR_BYTES;
	u_char *udp = ip + IPV4_HDR_BYTES;
	uint32_t ip_bytes = frame_bytes - ETH_HDR_BYTES;
	uint32_t udp_bytes = ip_bytes - IPV4_HDR_BYTES;
	uint32_t i;

	memcpy(buf, dst_mac, 6);
	memcpy(buf + 6, src_mac, 6);
	put_be16(buf + 12, 0x0800);

	ip[0] = 0x45; /* version 4, IHL 5 */
	ip[1] = 0;    /* DSCP/ECN */
	put_be16(ip + 2, (uint16_t)ip_bytes);
	put_be16(ip + 4, (uint16_t)idx); /* identification */
	put_be16(ip + 6, 0x4000);	 /* DF, offset 0 */
	ip[8] = 64;			 /* TTL */
	ip[9] = 17;			 /* UDP */
	put_be16(ip + 10, 0);
	put_be32(ip + 12, GEN_SRC_NET | (1 + flow % GEN_HOSTS));
	put_be32(ip + 16, GEN_DST_NET | (1 + (flow * 31u) % GEN_HOSTS));
	put_be16(ip + 10, inet_csum(ip, IPV4_HDR_BYTES));

	put_be16(udp, (uint16_t)(GEN_PORT_LO + flow % GEN_PORTS));
	put_be16(udp + 2, (uint16_t)(GEN_PORT_LO + (flow * 7u) % GEN_PORTS));
	put_be16(udp + 4, (uint16_t)udp_bytes);
	put_be16(udp + 6, 0); /* no checksum (RFC 768) */

	for (i = UDP_HDR_BYTES; i < udp_bytes; i++)
		udp[i] = (u_char)(idx + i);
}

/* gen-udp OUT COUNT FRAME_SIZE [FLOWS]: synthetic Ethernet/IPv4/UDP. */
static int
cmd_gen_udp(int argc, char **argv)
{
	u_char buf[GEN_FRAME_MAX_BYTES];
	uint32_t nb_pkts, frame_bytes, nb_flows = GEN_FLOWS_DEFAULT;
	struct pcap_pkthdr hdr;
	pcap_dumper_t *d;
	pcap_t *dead;
	uint32_t i;

	if (argc != 3 && argc != 4) {
		usage();
		return EXIT_USAGE;
	}
	if (parse_u32(argv[1], 1, GEN_COUNT_MAX, &nb_pkts) < 0) {
		fprintf(stderr, PROG ": COUNT must be 1..%u\n", GEN_COUNT_MAX);
		return EXIT_USAGE;
	}
	if (parse_u32(argv[2], GEN_FRAME_MIN_BYTES, GEN_FRAME_MAX_BYTES,
		      &frame_bytes) < 0) {
		fprintf(stderr, PROG ": FRAME_SIZE must be %d..%d\n",
			GEN_FRAME_MIN_BYTES, GEN_FRAME_MAX_BYTES);
		return EXIT_USAGE;
	}
	if (argc == 4 && parse_u32(argv[3], 1, GEN_FLOWS_MAX, &nb_flows) < 0) {
		fprintf(stderr, PROG ": FLOWS must be 1..%u\n", GEN_FLOWS_MAX);
		return EXIT_USAGE;
	}

	d = open_out(argv[0], &dead);
	if (d == NULL)
		return EXIT_FAILURE;
	memset(&hdr, 0, sizeof(hdr));
	hdr.caplen = frame_bytes;
	hdr.len = frame_bytes;
	for (i = 0; i < nb_pkts; i++) {
		hdr.ts.tv_sec = GEN_TS_SEC + i / 1000000;
		hdr.ts.tv_usec = i % 1000000;
		gen_frame(buf, frame_bytes, i, i % nb_flows);
		pcap_dump((u_char *)d, &hdr, buf);
	}
	if (close_out(argv[0], d, dead) < 0) {
		remove(argv[0]);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* hex FILE: "caplen hexbytes" per packet. */
static int
cmd_hex(int argc, char **argv)
{
	struct pcap_pkthdr *hdr;
	const u_char *data;
	bpf_u_int32 i;
	pcap_t *p;
	int rc;

	if (argc != 1) {
		usage();
		return EXIT_USAGE;
	}
	p = open_in(argv[0]);
	if (p == NULL)
		return EXIT_FAILURE;
	while ((rc = read_next(p, argv[0], &hdr, &data)) == 1) {
		printf("%u ", hdr->caplen);
		for (i = 0; i < hdr->caplen; i++)
			printf("%02x", data[i]);
		putchar('\n');
	}
	pcap_close(p);
	if (rc < 0)
		return EXIT_FAILURE;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		report("stdout", "write error");
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{"count", cmd_count},	  {"cmp", cmd_cmp},
		{"split", cmd_split},	  {"cat", cmd_cat},
		{"gen-udp", cmd_gen_udp}, {"hex", cmd_hex},
	};
	size_t i;

	if (argc < 2) {
		usage();
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 2, argv + 2);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage();
		return EXIT_SUCCESS;
	}
	fprintf(stderr, PROG ": unknown command '%s'\n", argv[1]);
	usage();
	return EXIT_USAGE;
}
