/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit test of dp_decode() on every packet of the real captures under
 * tests/data/pcaps: each must decode well formed (or as its entry in
 * known_bad says) and keep the invariants. test_decode.c's DATA_DIR
 * argument says where the captures are.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <pcap/pcap.h>

#include "bw_reason.h"
#include "bw_testdata.h"
#include "test_decode_util.h"

/* A capture packet checked by hand and found truly malformed. */
struct known_bad {
	const char *file;  /* base name */
	unsigned long pkt; /* 1-based, as Wireshark numbers them */
	int reason;
};

/*
 * Every packet of the shipped captures was decoded and each one flagged
 * was looked at with tcpdump -xx. None is listed: all are well formed.
 */
static const struct known_bad known_bad[] = {
	{NULL, 0, BW_REASON_NONE},
};

static int
known_reason(const char *file, unsigned long pkt)
{
	const char *base = strrchr(file, '/');
	size_t i;

	base = base != NULL ? base + 1 : file;
	for (i = 0; i < sizeof(known_bad) / sizeof(known_bad[0]); i++) {
		if (known_bad[i].file != NULL &&
		    strcmp(known_bad[i].file, base) == 0 &&
		    known_bad[i].pkt == pkt)
			return known_bad[i].reason;
	}
	return BW_REASON_NONE;
}

struct pcap_totals {
	unsigned long files;
	unsigned long pkts;
	unsigned long ip4, ip6, l4, frags;
};

static void
decode_capture(const char *path, struct pcap_totals *t)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct dp_pkt p;
	unsigned long n = 0;
	pcap_t *pc;
	int rc, want;

	pc = pcap_open_offline(path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "\n  %s: %s", path, errbuf);
		CU_FAIL("capture does not open");
		return;
	}
	CU_ASSERT_EQUAL(pcap_datalink(pc), DLT_EN10MB);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		n++;
		want = known_reason(path, n);
		/* headers in what was captured, lengths against the wire */
		dp_decode(data, h->caplen, h->len, DP_DIR_INBOUND, &p);
		check_invariants(&p, h->caplen, h->len);
		if (p.reason != want)
			fprintf(stderr, "\n  %s packet %lu: %s, want %s", path,
				n, bw_reason_name(p.reason),
				bw_reason_name((unsigned int)want));
		CU_ASSERT_EQUAL(p.reason, want);
		t->ip4 += p.l3 == DP_L3_IPV4;
		t->ip6 += p.l3 == DP_L3_IPV6;
		t->l4 += (p.flags & DP_PKT_L4) != 0;
		t->frags += p.frag != DP_FRAG_NONE;
	}
	CU_ASSERT_EQUAL(rc, PCAP_ERROR_BREAK);
	CU_ASSERT(n > 0);
	t->pkts += n;
	t->files++;
	pcap_close(pc);
}

static void
decode_capture_at(const char *path, void *arg)
{
	decode_capture(path, arg);
}

void
test_real_captures(void)
{
	struct pcap_totals t = {0};
	char dir[PATH_MAX];

	if (bw_testdata_path("pcaps", dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "\n  no tests/data/pcaps: pass DATA_DIR or set "
				"BW_TEST_DATA");
		CU_FAIL_FATAL("test data not found");
	}
	bw_testdata_walk(dir, 1, decode_capture_at, &t);
	fprintf(stderr,
		"\n  %lu captures, %lu packets: %lu IPv4, %lu IPv6, %lu with "
		"L4, %lu fragments ",
		t.files, t.pkts, t.ip4, t.ip6, t.l4, t.frags);
	CU_ASSERT(t.files >= 1);
	CU_ASSERT(t.pkts > 0);
	/* the decode/ set has IPv4 and IPv6 fragments: they must be seen */
	CU_ASSERT(t.ip6 > 0);
	CU_ASSERT(t.frags > 0);
}
