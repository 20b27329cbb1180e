/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The keyword audit (issue #14 point 5): no keyword is parsed and then
 * ignored. Every option keyword the parser takes (ctl_rule_keyword()),
 * and each form of the ones with several (pcre flags, isdataat, dsize,
 * flow options), has a row: the rule with the keyword, a base rule
 * without it, and probes (a packet sequence and its payload) with what
 * each rule must do on it. At least one probe of a row must tell the two
 * rules apart (else the row would prove nothing); rows of keywords that
 * by design do not change matching (msg, sid, ...) must not. The rules
 * go the whole way a `rules load` takes them: parsed with the Hyperscan
 * check, mapped, compiled into scan groups, written into a FULL image,
 * validated and applied by the dataplane (dp_rsctl_apply()); the probes
 * go through dp_pipeline_run() of a worker with a flow table, so that
 * the dataplane's own header checks (addresses, flow, dsize, absolute
 * isdataat) and its stream feeding decide. The oracle is the table: each
 * expectation is written from Suricata's rule documentation, not from
 * this code. A rule matched when its hit counter moved and the content
 * rule drop counter with it.
 *
 * Keywords the parser does not take skip the rule with a reason: a row
 * below checks the ones that Suricata rules use around these (rawbytes,
 * byte_test, byte_jump, endswith, ...).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "bw_cunit.h"
#include "bw_eal.h"
#include "ctl_hsmap.h"
#include "ctl_image.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"
#include "dp.h"
#include "dp_flow.h"
#include "dp_ruleset.h"
#include "dp_status.h"

#define NB_MBUFS 256

/*
 * How a probe's payload reaches the dataplane. TCP probes open a new
 * connection 10.0.0.1:sport -> 10.0.0.2:80 each (sport counts up).
 */
enum ctx {
	U,  /* UDP 10.0.0.1:1024 -> 10.0.0.2:2048 */
	C,  /* TCP: handshake, then the payload from the client */
	S,  /* TCP: handshake, then the payload from the server */
	Y,  /* TCP: the client's SYN carries the payload */
	C2, /* TCP: handshake, the payload from the client cut at '~' */
	M,  /* TCP: no handshake, client data (mid-stream, passed) */
};

struct probe {
	enum ctx ctx;
	const char *pl; /* the payload, NUL-terminated (no NUL inside) */
	int want;	/* the rule matches */
	int want_base;	/* the base rule matches */
};

#define NB_PROBES 4

struct row {
	const char *kw;	  /* ctl_rule_keyword() name */
	const char *form; /* which form of it, for messages */
	const char *opts; /* the rule's options, sid added */
	const char *base; /* the base rule's options */
	int tcp;	  /* tcp rule, else udp */
	int noop;	  /* by design no effect on matching */
	struct probe p[NB_PROBES];
};

/* A probe list ends at the first entry without a payload. */
static const struct row rows[] = {
	/* --- about the rule: no effect on matching, by design ------------ */
	{"msg",
	 "msg",
	 "msg:\"x\"; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"sid",
	 "sid",
	 "content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"rev",
	 "rev",
	 "rev:7; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"priority",
	 "priority",
	 "priority:3; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"classtype",
	 "classtype",
	 "classtype:trojan-activity; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"reference",
	 "reference",
	 "reference:url,example.org; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"metadata",
	 "metadata",
	 "metadata:created_at 2020_01_01; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"target",
	 "target",
	 "target:dest_ip; content:\"AB\";",
	 "content:\"AB\";",
	 0,
	 1,
	 {{U, "xABx", 1, 1}, {U, "xAx", 0, 0}}},
	{"fast_pattern",
	 "fast_pattern",
	 "content:\"AB\"; fast_pattern; content:\"CD\";",
	 "content:\"AB\"; content:\"CD\";",
	 0,
	 1,
	 {{U, "CDxAB", 1, 1}, {U, "xABx", 0, 0}, {U, "CDx", 0, 0}}},

	/* --- payload conditions ------------------------------------------ */
	{"content",
	 "content",
	 "content:\"AB\"; dsize:>0;",
	 "dsize:>0;",
	 0,
	 0,
	 {{U, "xABx", 1, 1}, {U, "xAxB", 0, 1}}},
	{"content",
	 "content |hex|",
	 "content:\"A|42 43|\"; dsize:>0;",
	 "dsize:>0;",
	 0,
	 0,
	 {{U, "xABCx", 1, 1}, {U, "xA|42 43|", 0, 1}}},
	{"content",
	 "content:!",
	 "content:\"AB\"; content:!\"CD\";",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABCD", 0, 1}, {U, "CDxAB", 0, 1}}},
	{"pcre",
	 "pcre",
	 "content:\"A\"; pcre:\"/B[0-9]C/\";",
	 "content:\"A\";",
	 0,
	 0,
	 {{U, "AxB7C", 1, 1}, {U, "AxBxC", 0, 1}}},
	{"pcre",
	 "pcre:!",
	 "content:\"A\"; pcre:!\"/B[0-9]C/\";",
	 "content:\"A\";",
	 0,
	 0,
	 {{U, "AxBxC", 1, 1}, {U, "AxB7C", 0, 1}}},
	{"pcre",
	 "flag i",
	 "pcre:\"/abc/i\";",
	 "pcre:\"/abc/\";",
	 0,
	 0,
	 {{U, "xABCx", 1, 0}, {U, "xabcx", 1, 1}, {U, "xabx", 0, 0}}},
	{"pcre",
	 "flag s",
	 "pcre:\"/a.c/s\";",
	 "pcre:\"/a.c/\";",
	 0,
	 0,
	 {{U, "xa\nc", 1, 0}, {U, "xabc", 1, 1}}},
	{"pcre",
	 "flag m",
	 "pcre:\"/^abc/m\";",
	 "pcre:\"/^abc/\";",
	 0,
	 0,
	 {{U, "x\nabc", 1, 0}, {U, "abc", 1, 1}, {U, "xabc", 0, 0}}},
	{"pcre",
	 "flag x",
	 "pcre:\"/a b c/x\";",
	 "pcre:\"/a b c/\";",
	 0,
	 0,
	 {{U, "xabcx", 1, 0}, {U, "xa b cx", 0, 1}}},
	{"pcre",
	 "flag A",
	 "pcre:\"/abc/A\";",
	 "pcre:\"/abc/\";",
	 0,
	 0,
	 {{U, "abcx", 1, 1}, {U, "xabc", 0, 1}}},
	{"pcre",
	 "flag R",
	 "content:\"AB\"; pcre:\"/CD/R\";",
	 "content:\"AB\"; pcre:\"/CD/\";",
	 0,
	 0,
	 {{U, "ABxCD", 1, 1}, {U, "CDxAB", 0, 1}}},
	/* G (ungreedy) and O (match limit) change no yes/no answer */
	{"pcre",
	 "flag G",
	 "pcre:\"/a.+c/G\";",
	 "pcre:\"/a.+c/\";",
	 0,
	 1,
	 {{U, "xabbcc", 1, 1}, {U, "xac", 0, 0}}},
	{"pcre",
	 "flag O",
	 "pcre:\"/a.+c/O\";",
	 "pcre:\"/a.+c/\";",
	 0,
	 1,
	 {{U, "xabbcc", 1, 1}, {U, "xac", 0, 0}}},
	/* isdataat:N: a byte at offset N, len > N (Suricata) */
	{"isdataat",
	 "isdataat:N",
	 "content:\"AB\"; isdataat:5;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxxxx", 1, 1}, {U, "ABxxx", 0, 1}, {U, "ABxx", 0, 1}}},
	{"isdataat",
	 "isdataat:!N",
	 "content:\"AB\"; isdataat:!5;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABxxx", 1, 1}, {U, "ABxxxx", 0, 1}}},
	{"isdataat",
	 "isdataat:N alone",
	 "isdataat:3;",
	 "dsize:>0;",
	 0,
	 0,
	 {{U, "abcd", 1, 1}, {U, "abc", 0, 1}}},
	/* and as in Suricata, a payload keyword never holds on no payload */
	{"isdataat",
	 "isdataat:!N empty",
	 "isdataat:!5;",
	 "dsize:<=5;",
	 0,
	 0,
	 {{U, "ab", 1, 1}, {U, "", 0, 1}}},
	{"isdataat",
	 "isdataat:N,!M",
	 "isdataat:2; isdataat:!4;",
	 "dsize:>0;",
	 0,
	 0,
	 {{U, "ab", 0, 1},
	  {U, "abc", 1, 1},
	  {U, "abcd", 1, 1},
	  {U, "abcde", 0, 1}}},
	{"isdataat",
	 "isdataat:N tcp",
	 "content:\"AB\"; isdataat:5;",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "ABxxxx", 1, 1}, {C, "ABxxx", 0, 1}}},
	{"isdataat",
	 "isdataat:!N tcp",
	 "content:\"AB\"; isdataat:!5;",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "ABxxx", 1, 1}, {C, "ABxxxx", 0, 1}}},
	{"isdataat",
	 "isdataat:N,relative",
	 "content:\"AB\"; isdataat:3,relative;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "xABxxx", 1, 1}, {U, "xABxx", 0, 1}}},
	{"isdataat",
	 "isdataat:!N,relative",
	 "content:\"AB\"; isdataat:!3,relative;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "xABxx", 1, 1}, {U, "xABxxx", 0, 1}}},

	/* --- content modifiers -------------------------------------------- */
	{"nocase",
	 "nocase",
	 "content:\"ab\"; nocase;",
	 "content:\"ab\";",
	 0,
	 0,
	 {{U, "xABx", 1, 0}, {U, "xabx", 1, 1}, {U, "xax", 0, 0}}},
	{"startswith",
	 "startswith",
	 "content:\"AB\"; startswith;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "xAB", 0, 1}}},
	{"depth",
	 "depth",
	 "content:\"AB\"; depth:3;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "xABxx", 1, 1}, {U, "xxAB", 0, 1}}},
	{"offset",
	 "offset",
	 "content:\"AB\"; offset:2;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "xxAB", 1, 1}, {U, "xABx", 0, 1}}},
	{"distance",
	 "distance",
	 "content:\"AB\"; content:\"CD\"; distance:2;",
	 "content:\"AB\"; content:\"CD\";",
	 0,
	 0,
	 {{U, "ABxxCD", 1, 1}, {U, "ABxCD", 0, 1}, {U, "CDxxAB", 0, 1}}},
	{"within",
	 "within",
	 "content:\"AB\"; content:\"CD\"; within:3;",
	 "content:\"AB\"; content:\"CD\";",
	 0,
	 0,
	 {{U, "ABxCD", 1, 1}, {U, "ABxxCD", 0, 1}}},

	/* --- packet and flow conditions ----------------------------------- */
	{"dsize",
	 "dsize:N",
	 "content:\"AB\"; dsize:4;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABx", 0, 1}, {U, "ABxxx", 0, 1}}},
	{"dsize",
	 "dsize:<N",
	 "content:\"AB\"; dsize:<4;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABx", 1, 1}, {U, "ABxx", 0, 1}}},
	{"dsize",
	 "dsize:>N",
	 "content:\"AB\"; dsize:>4;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxxx", 1, 1}, {U, "ABxx", 0, 1}}},
	{"dsize",
	 "dsize:<=N",
	 "content:\"AB\"; dsize:<=4;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABxxx", 0, 1}}},
	{"dsize",
	 "dsize:>=N",
	 "content:\"AB\"; dsize:>=4;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABx", 0, 1}}},
	{"dsize",
	 "dsize:!N",
	 "content:\"AB\"; dsize:!4;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABx", 1, 1}, {U, "ABxxx", 1, 1}, {U, "ABxx", 0, 1}}},
	/* A<>B and A-B are exclusive, as Suricata's */
	{"dsize",
	 "dsize:A<>B",
	 "content:\"AB\"; dsize:3<>5;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABx", 0, 1}, {U, "ABxxx", 0, 1}}},
	{"dsize",
	 "dsize:A-B",
	 "content:\"AB\"; dsize:3-5;",
	 "content:\"AB\";",
	 0,
	 0,
	 {{U, "ABxx", 1, 1}, {U, "ABx", 0, 1}, {U, "ABxxx", 0, 1}}},
	{"dsize",
	 "dsize tcp",
	 "content:\"AB\"; dsize:4;",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "ABxx", 1, 1}, {C, "ABxxx", 0, 1}}},
	{"flow",
	 "flow:to_server",
	 "flow:to_server; content:\"AB\";",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "xABx", 1, 1}, {S, "xABx", 0, 1}}},
	{"flow",
	 "flow:from_client",
	 "flow:from_client; content:\"AB\";",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "xABx", 1, 1}, {S, "xABx", 0, 1}}},
	{"flow",
	 "flow:to_client",
	 "flow:to_client; content:\"AB\";",
	 "content:\"AB\";",
	 1,
	 0,
	 {{S, "xABx", 1, 1}, {C, "xABx", 0, 1}}},
	{"flow",
	 "flow:from_server",
	 "flow:from_server; content:\"AB\";",
	 "content:\"AB\";",
	 1,
	 0,
	 {{S, "xABx", 1, 1}, {C, "xABx", 0, 1}}},
	{"flow",
	 "flow:established",
	 "flow:established; content:\"AB\";",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "xABx", 1, 1}, {Y, "xABx", 0, 1}}},
	/* the stream sees AB across two segments, a packet never does */
	{"flow",
	 "flow:no_stream",
	 "flow:no_stream; content:\"AB\";",
	 "content:\"AB\";",
	 1,
	 0,
	 {{C, "xABx", 1, 1}, {C2, "xA~Bx", 0, 1}}},
	{"flow",
	 "flow:only_stream",
	 "flow:only_stream; content:\"AB\";",
	 "flow:no_stream; content:\"AB\";",
	 1,
	 0,
	 {{C2, "xA~Bx", 1, 0}, {C, "xABx", 1, 1}}},
};

static struct rte_mempool *pool;
static struct dp_status status;
static struct dp_rsctl rsctl;
static struct dp_worker *w;
static uint8_t malformed_drop[BW_REASON_MAX]; /* every policy: pass */
static uint64_t gen;
static uint16_t next_sport = 20000;

/*
 * One rule (action drop, sid 1) with options opts, through the whole
 * load path into the dataplane. Returns 0, or -1 after a message (the
 * rule skipped: its reason).
 */
static int
apply_rule(int tcp, const char *opts)
{
	static struct ctl_ruleset rs;
	const struct ctl_rules_opts o = {.check = ctl_hsmap_check};
	struct ctl_image_meta m;
	struct bw_ctl_reply rep;
	struct ctl_rules rules;
	char text[512], err[512];
	void *img = NULL;
	size_t len = 0;
	int ret;

	snprintf(text, sizeof(text), "drop %s any any -> any any (%s sid:1;)\n",
		 tcp ? "tcp" : "udp", opts);
	memset(&rs, 0, sizeof(rs));
	ctl_rules_init(&rules);
	ret = ctl_rules_load_buf(&rules, "audit.rules", text, strlen(text), &o,
				 NULL);
	if (ret == 0 && rules.nb_rules != 1) {
		if (rules.nb_skips > 0)
			ctl_rule_skip_format(&rules.skips[0], err, sizeof(err));
		else
			snprintf(err, sizeof(err), "not taken");
		fprintf(stderr, "\n  %s: %s", text, err);
		ret = -1;
	}
	if (ret == 0)
		ret = ctl_rtab_build_layout(&rules, NULL, CTL_RTAB_GROUPS,
					    &rs.rtab, NULL, err, sizeof(err));
	ctl_rules_free(&rules);
	if (ret != 0)
		return -1;
	memset(&m, 0, sizeof(m));
	m.generation = gen + 1;
	m.parent_gen = gen;
	ret = ctl_image_write_full(&rs, &m, &img, &len);
	ctl_ruleset_free(&rs);
	if (ret != 0)
		return -1;
	memset(&rep, 0, sizeof(rep));
	ret = dp_rsctl_apply(&rsctl, img, len, 0, &rep);
	dp_rsctl_level(&rsctl);
	free(img);
	if (ret != 0) {
		fprintf(stderr, "\n  %s: the dataplane refused it: %s", text,
			rep.message);
		return -1;
	}
	gen++;
	return 0;
}

/* A TCP segment's fields. */
struct seg {
	int from_client;
	uint8_t flags;
	uint32_t seq, ack;
	const char *pl;
	uint16_t n;
};

/*
 * An IPv4 frame 10.0.0.1:sport <-> 10.0.0.2:dport (swapped when not
 * from_client) with the n bytes at pl after a TCP or UDP header, its
 * checksums right.
 */
static struct rte_mbuf *
frame(int tcp, uint16_t sport, uint16_t dport, const struct seg *sg)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint16_t l4len = tcp ? 20 : 8;
	uint16_t len = (uint16_t)(14 + 20 + l4len + sg->n);
	struct rte_ipv4_hdr *ip;
	uint8_t *p, *l4;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, RTE_MAX(len, 60));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(p, 0, RTE_MAX(len, 60));
	p[0] = 0x02;
	p[5] = 2;
	p[6] = 0x02;
	p[11] = 1;
	p[12] = 0x08;
	ip = (struct rte_ipv4_hdr *)(p + 14);
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
	ip->time_to_live = 64;
	ip->next_proto_id = tcp ? 6 : 17;
	ip->src_addr =
		rte_cpu_to_be_32(sg->from_client ? 0x0a000001u : 0x0a000002u);
	ip->dst_addr =
		rte_cpu_to_be_32(sg->from_client ? 0x0a000002u : 0x0a000001u);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	l4 = p + 34;
	if (!sg->from_client) {
		uint16_t t = sport;

		sport = dport;
		dport = t;
	}
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	memcpy(l4 + l4len, sg->pl, sg->n);
	if (tcp) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)l4;

		th->sent_seq = rte_cpu_to_be_32(sg->seq);
		th->recv_ack = rte_cpu_to_be_32(sg->ack);
		th->data_off = 5 << 4;
		th->tcp_flags = sg->flags;
		th->rx_win = rte_cpu_to_be_16(65535);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	} else {
		l4[4] = (uint8_t)((8 + sg->n) >> 8);
		l4[5] = (uint8_t)(8 + sg->n);
	}
	return m;
}

/* Run one frame through the pipeline; 1 when it was dropped. */
static int
run_one(struct rte_mbuf *m)
{
	struct rte_mbuf *pkts[1] = {m}, *pass[1], *drop[1];
	uint16_t np, nd = 0;

	np = dp_pipeline_run(w, rsctl.active, DP_DIR_INBOUND, pkts, 1, pass,
			     drop, &nd);
	CU_ASSERT_EQUAL(np + nd, 1);
	rte_pktmbuf_free_bulk(pass, np);
	rte_pktmbuf_free_bulk(drop, nd);
	return nd == 1;
}

/* The segments of probe pr into sg (at most 6); returns how many. */
static unsigned int
probe_segs(const struct probe *pr, struct seg *sg, char *buf, size_t buflen)
{
	const uint32_t cs = 1000, ss = 5000; /* initial sequence numbers */
	uint16_t n = (uint16_t)strlen(pr->pl);
	unsigned int k = 0;
	const char *cut;

	snprintf(buf, buflen, "%s", pr->pl);
	memset(sg, 0, 6 * sizeof(*sg));
	if (pr->ctx == Y) {
		sg[k++] = (struct seg){1, RTE_TCP_SYN_FLAG, cs, 0, buf, n};
		return k;
	}
	if (pr->ctx == M) {
		sg[k++] = (struct seg){
			1,	RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			cs + 1, ss + 1,
			buf,	n};
		return k;
	}
	sg[k++] = (struct seg){1, RTE_TCP_SYN_FLAG, cs, 0, "", 0};
	sg[k++] = (struct seg){
		0, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, ss, cs + 1, "", 0};
	sg[k++] = (struct seg){1, RTE_TCP_ACK_FLAG, cs + 1, ss + 1, "", 0};
	if (pr->ctx == S) {
		sg[k++] = (struct seg){
			0,	RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			ss + 1, cs + 1,
			buf,	n};
		return k;
	}
	cut = pr->ctx == C2 ? strchr(buf, '~') : NULL;
	if (cut == NULL) {
		sg[k++] = (struct seg){
			1,	RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			cs + 1, ss + 1,
			buf,	n};
		return k;
	}
	{
		uint16_t a = (uint16_t)(cut - buf), b = (uint16_t)(n - a - 1);

		sg[k++] = (struct seg){
			1,	RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			cs + 1, ss + 1,
			buf,	a};
		/* the server acknowledges the first part */
		sg[k++] = (struct seg){
			0, RTE_TCP_ACK_FLAG, ss + 1, cs + 1 + a, "", 0};
		sg[k++] = (struct seg){
			1,	    RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG,
			cs + 1 + a, ss + 1,
			cut + 1,    b};
	}
	return k;
}

/*
 * Send probe pr under the rule in force: 1 when the rule matched (its
 * hit counter moved, and a content rule drop with it), else 0.
 */
static int
probe_run(const struct probe *pr, int tcp)
{
	const struct dp_match_set *s = rsctl.match;
	struct bw_rule_stats *rst = w->rst[s->bank & 1];
	uint64_t hits0 = rst[0].pkts;
	uint64_t drops0 = w->st->reason_drop_pkts[BW_REASON_RULE];
	uint16_t sport = next_sport++;
	struct seg sg[6];
	char buf[128];
	unsigned int k, nb;
	int hit;

	CU_ASSERT_FATAL(s->nb_rules == 1);
	if (!tcp) {
		struct seg u = {1, 0, 0, 0, pr->pl, (uint16_t)strlen(pr->pl)};

		run_one(frame(0, 1024, 2048, &u));
	} else {
		nb = probe_segs(pr, sg, buf, sizeof(buf));
		for (k = 0; k < nb; k++) {
			struct rte_mbuf *m = frame(1, sport, 80, &sg[k]);

			CU_ASSERT_PTR_NOT_NULL_FATAL(m);
			run_one(m);
		}
	}
	hit = rst[0].pkts != hits0;
	/* a drop rule that hit dropped, and only then */
	CU_ASSERT_EQUAL(hit, w->st->reason_drop_pkts[BW_REASON_RULE] != drops0);
	return hit;
}

static const char *const ctx_names[] = {
	"udp",	   "tcp client",	"tcp server",
	"tcp syn", "tcp client in two", "tcp mid-stream"};

static int failures;

/* Every probe of row r under its rule and under its base rule. */
static void
row_check(const struct row *r)
{
	int got[NB_PROBES], got_base[NB_PROBES], differ = 0;
	unsigned int i, nb = 0;

	while (nb < NB_PROBES && r->p[nb].pl != NULL)
		nb++;
	CU_ASSERT_FATAL(nb > 0);
	for (i = 0; i < nb; i++)
		differ |= r->p[i].want != r->p[i].want_base;
	/* the table itself: a row proves something, a no-op row nothing */
	CU_ASSERT(r->noop ? !differ : differ);
	if (apply_rule(r->tcp, r->opts) != 0) {
		CU_FAIL("rule not taken");
		failures++;
		return;
	}
	for (i = 0; i < nb; i++)
		got[i] = probe_run(&r->p[i], r->tcp);
	if (apply_rule(r->tcp, r->base) != 0) {
		CU_FAIL("base rule not taken");
		failures++;
		return;
	}
	for (i = 0; i < nb; i++)
		got_base[i] = probe_run(&r->p[i], r->tcp);
	for (i = 0; i < nb; i++) {
		if (got[i] == r->p[i].want && got_base[i] == r->p[i].want_base)
			continue;
		fprintf(stderr,
			"\n  %s (%s): %s \"%s\": rule %s (want %s), base %s "
			"(want %s)",
			r->kw, r->form, ctx_names[r->p[i].ctx], r->p[i].pl,
			got[i] ? "hit" : "no hit",
			r->p[i].want ? "hit" : "no hit",
			got_base[i] ? "hit" : "no hit",
			r->p[i].want_base ? "hit" : "no hit");
		CU_FAIL("probe");
		failures++;
	}
}

static void
test_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		row_check(&rows[i]);
	CU_ASSERT_EQUAL(failures, 0);
}

/* Every keyword of the parser's table has at least one row. */
static void
test_every_keyword(void)
{
	const char *kw;
	size_t i, k, nb = 0;

	for (i = 0; (kw = ctl_rule_keyword(i)) != NULL; i++) {
		int found = 0;

		for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++)
			found |= strcmp(rows[k].kw, kw) == 0;
		if (!found)
			fprintf(stderr, "\n  keyword %s has no audit row", kw);
		CU_ASSERT(found);
		nb++;
	}
	CU_ASSERT(nb >= 20);
	/* and no row names a keyword the parser does not take */
	for (k = 0; k < sizeof(rows) / sizeof(rows[0]); k++) {
		int found = 0;

		for (i = 0; (kw = ctl_rule_keyword(i)) != NULL; i++)
			found |= strcmp(rows[k].kw, kw) == 0;
		CU_ASSERT(found);
	}
}

/*
 * Keywords and forms that cannot be enforced exactly skip the rule with
 * the reason, whatever else the rule says.
 */
static void
test_skipped(void)
{
	static const struct {
		const char *opts;
		const char *reason; /* the start of it */
	} cases[] = {
		{"content:\"AB\"; rawbytes;", "unsupported keyword rawbytes"},
		{"content:\"AB\"; byte_test:1,>,3,0;",
		 "unsupported keyword byte_test"},
		{"content:\"AB\"; byte_jump:1,0;",
		 "unsupported keyword byte_jump"},
		{"content:\"AB\"; endswith;", "unsupported keyword endswith"},
		{"content:\"AB\"; isdataat:3,rawbytes;",
		 "unsupported keyword isdataat rawbytes"},
		{"pcre:\"/AB/U\";", "unsupported pcre flag U"},
		{"flow:stateless; content:\"AB\";",
		 "unsupported flow option stateless"},
		{"flow:only_stream; content:\"AB\"; isdataat:3;",
		 "cannot check absolute isdataat on the stream"},
		{"content:\"AB\"; isdataat:65535;",
		 "never matches: isdataat:65535 past the largest payload"},
		{"content:\"AB\"; isdataat:5; isdataat:!4;",
		 "never matches: contradicting isdataat"},
		{"content:\"AB\"; threshold:type limit,track by_src,count 1,"
		 "seconds 60;",
		 "unsupported keyword threshold"},
	};
	char text[256], why[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct ctl_rules_opts o = {.check = ctl_hsmap_check};
		struct ctl_rules rs;

		snprintf(text, sizeof(text),
			 "drop tcp any any -> any any (%s sid:9;)\n",
			 cases[i].opts);
		ctl_rules_init(&rs);
		CU_ASSERT_EQUAL(ctl_rules_load_buf(&rs, "s.rules", text,
						   strlen(text), &o, NULL),
				0);
		CU_ASSERT_EQUAL(rs.nb_rules, 0);
		CU_ASSERT_EQUAL_FATAL(rs.nb_skips, 1);
		ctl_rule_skip_format(&rs.skips[0], why, sizeof(why));
		if (strstr(why, cases[i].reason) == NULL)
			fprintf(stderr, "\n  %s: %s", cases[i].opts, why);
		CU_ASSERT(strstr(why, cases[i].reason) != NULL);
		ctl_rules_free(&rs);
	}
}

static void
test_no_mbuf_leaked(void)
{
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static const struct bw_cunit_test tests[] = {
	{"every keyword of the parser has an audit row", test_every_keyword},
	{"each keyword and form is enforced by the dataplane", test_rows},
	{"what cannot be enforced exactly skips the rule", test_skipped},
	{"every mbuf back in the pool", test_no_mbuf_leaked},
};

/* One worker without ports (bw_eal.h), with a flow table. */
int
main(void)
{
	const struct dp_flow_params fp = {.nb = 1024,
					  .idle_s = 3600,
					  .pool_mib = 4,
					  .hold_kib = 16,
					  .ahead_kib = 16};
	int ret;

	if (bw_ut_dp_setup("rules_audit", 256, NB_MBUFS, &pool, &status, &rsctl,
			   &w, malformed_drop) != 0)
		return 1;
	if (dp_flow_table_init(&w->flows, 0, &fp, SOCKET_ID_ANY) != 0) {
		fprintf(stderr, "test_rules_audit: no flow table\n");
		bw_ut_dp_teardown(pool, &status, &rsctl, w);
		return 1;
	}
	rsctl.nb_flows = w->flows.nb; /* stream databases, as main.c */
	ret = BW_CUNIT_RUN("rules_audit", tests);
	dp_flow_table_fini(&w->flows);
	bw_ut_dp_teardown(pool, &status, &rsctl, w);
	return ret;
}
