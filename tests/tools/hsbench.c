/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bw-hsbench: the matching ceiling of docs/benchmarks.md. Compiles rule
 * files with bulwarkctl's own code into the block database the ruleset
 * image carries (every rule with a payload condition, ctl_rtab.h), then
 * scans the TCP/UDP payloads of a capture with hs_scan in a loop on one
 * core, as the dataplane's per-packet stage would, and prints one JSON
 * line: payloads, payload bytes, scans per second, payload Gbit/s, ns
 * per scan, matches per pass.
 *
 * With --groups, the rules are compiled as the image carries them by
 * default (scan groups by protocol and port, ctl_hsgroup.h) and each
 * payload is scanned with the groups the dataplane picks for its packet:
 * the BASE of its lane and the groups of its ports' classes, in the
 * PACKET scope, or in both scopes with --untracked. The dataplane scans
 * every TCP segment with both (Suricata's pkt_stream); since image ABI
 * minor 5 the TCP PACKET groups hold the stream rules too
 * (BW_HSGROUP_F_STREAM) and there is no STREAM group in block mode, so
 * the PACKET scope is what the dataplane scans and --untracked adds
 * nothing. A
 * "scan" is then one payload, with all its groups. With --streams (not
 * with --untracked), each TCP payload is also written, in capture order,
 * to its flow direction's streams, as the flow table feeds them: of the
 * stream-mode groups (the lane's BASE and its ports' classes), or of the
 * single stream database without --groups. The streams start again at
 * each pass (the capture's connections open and close in it).
 *
 * usage: bw-hsbench [--seconds S] [--vars FILE]
 *                   [--groups [--untracked]] [--streams] --pcap FILE RULES...
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hs.h>
#include <pcap/pcap.h>

#include "ctl_hsdb.h"
#include "ctl_hsgroup.h"
#include "ctl_hsmap.h"
#include "ctl_region.h"
#include "ctl_rtab.h"
#include "ctl_rules.h"

#define PAYLOADS_MAX (1u << 20)
#define GROUPS_MAX   6 /* per payload: 3 per scope */
#define STREAMS_MAX  3 /* per payload: BASE and two classes */
#define FLOWDIRS_MAX 65536

struct payload {
	const uint8_t *p;
	uint32_t len;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t addrs[32]; /* source, destination (IPv4: first 4 bytes) */
	uint8_t nb_db;
	hs_database_t *db[GROUPS_MAX];
	uint8_t nb_st;
	hs_stream_t *st[STREAMS_MAX]; /* its flow direction's streams */
};

/* A flow direction and its streams, one per stream-mode group. */
struct flowdir {
	uint8_t addrs[32];
	uint16_t sport, dport;
	hs_stream_t *st[STREAMS_MAX];
	hs_database_t *db[STREAMS_MAX];
	uint8_t nb;
};

/* The TCP or UDP payload of an Ethernet frame (own parser: an oracle). */
static int
payload_of(const uint8_t *b, uint32_t len, struct payload *out)
{
	uint32_t off = 14, l4, end, hl;
	uint16_t et;
	uint8_t proto;

	if (len < 14)
		return -1;
	et = (uint16_t)(b[12] << 8 | b[13]);
	while ((et == 0x8100 || et == 0x88a8) && off + 4 <= len) {
		et = (uint16_t)(b[off + 2] << 8 | b[off + 3]);
		off += 4;
	}
	if (et == 0x0800 && off + 20 <= len) {
		if (((b[off + 6] << 8 | b[off + 7]) & 0x1fff) != 0)
			return -1;
		proto = b[off + 9];
		memset(out->addrs, 0, sizeof(out->addrs));
		memcpy(out->addrs, b + off + 12, 4);
		memcpy(out->addrs + 16, b + off + 16, 4);
		end = off + (uint32_t)(b[off + 2] << 8 | b[off + 3]);
		l4 = off + (uint32_t)(b[off] & 15) * 4;
	} else if (et == 0x86dd && off + 40 <= len) {
		proto = b[off + 6];
		memcpy(out->addrs, b + off + 8, 32);
		end = off + 40 + (uint32_t)(b[off + 4] << 8 | b[off + 5]);
		l4 = off + 40;
	} else {
		return -1;
	}
	if (end > len)
		end = len;
	if (proto == 6 && l4 + 20 <= end)
		hl = (uint32_t)(b[l4 + 12] >> 4) * 4;
	else if (proto == 17 && l4 + 8 <= end)
		hl = 8;
	else
		return -1;
	if (l4 + hl >= end)
		return -1;
	out->proto = proto;
	out->sport = (uint16_t)(b[l4] << 8 | b[l4 + 1]);
	out->dport = (uint16_t)(b[l4 + 2] << 8 | b[l4 + 3]);
	out->p = b + l4 + hl;
	out->len = end - l4 - hl;
	return 0;
}

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to,
	 unsigned int flags, void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	(*(uint64_t *)ctx)++;
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: bw-hsbench [--seconds S] [--vars FILE] [--groups "
		   "[--untracked]] [--streams] --pcap FILE RULES...\n");
}

/* The groups of the image layout, deserialized. */
struct groups {
	struct ctl_rtab t;
	hs_database_t **db; /* t.nb_groups */
	size_t bytes;
};

static int
groups_build(const struct ctl_rules *rs, struct groups *g, char *err,
	     size_t err_len)
{
	struct ctl_rtab_info info;
	uint32_t i;

	if (ctl_rtab_build(rs, NULL, &g->t, &info, err, err_len) < 0)
		return -1;
	g->db = calloc(g->t.nb_groups ? g->t.nb_groups : 1, sizeof(*g->db));
	if (g->db == NULL)
		return -1;
	for (i = 0; i < g->t.nb_groups; i++) {
		const struct bw_image_hsgroup *h = &g->t.groups[i];

		if (hs_deserialize_database((const char *)g->t.gdb + h->db_off,
					    h->db_len,
					    &g->db[i]) != HS_SUCCESS) {
			snprintf(err, err_len, "cannot deserialize group %u",
				 i);
			return -1;
		}
		g->bytes += h->db_len;
	}
	return 0;
}

/*
 * The group database of (lane, role, cls, scope, mode), NULL if none;
 * *flags (when not NULL) its BW_HSGROUP_F_* flags, 0 if none.
 */
static hs_database_t *
group_of_mode(const struct groups *g, uint8_t lane, uint8_t role, uint16_t cls,
	      uint8_t scope, uint8_t mode, uint16_t *flags)
{
	uint32_t i;

	if (flags != NULL)
		*flags = 0;
	for (i = 0; i < g->t.nb_groups; i++) {
		const struct bw_image_hsgroup *h = &g->t.groups[i];

		if (h->lane == lane && h->role == role && h->cls == cls &&
		    h->scope == scope && h->mode == mode) {
			if (flags != NULL)
				*flags = h->flags;
			return g->db[i];
		}
	}
	return NULL;
}

static hs_database_t *
group_of(const struct groups *g, uint8_t lane, uint8_t role, uint16_t cls,
	 uint8_t scope, uint16_t *flags)
{
	return group_of_mode(g, lane, role, cls, scope, BW_HSMODE_BLOCK, flags);
}

static uint16_t
class_of(const struct groups *g, uint8_t lane, uint8_t role, uint16_t port)
{
	uint32_t i;

	for (i = 0; i < g->t.nb_hsports; i++) {
		const struct bw_image_hsport *h = &g->t.hsports[i];

		if (h->lane == lane && h->role == role && port >= h->lo &&
		    port <= h->hi)
			return h->cls;
	}
	return 0;
}

/*
 * The streams of TCP payload p's flow direction (entered in fd, nb_fd
 * of them, when new), as the dataplane feeds it.
 */
static int
streams_pick(const struct groups *g, hs_database_t *single, struct payload *p,
	     struct flowdir *fd, size_t *nb_fd)
{
	struct flowdir *f = NULL;
	hs_database_t *db;
	uint16_t c[2];
	uint8_t r;
	size_t i;

	p->nb_st = 0;
	if (p->proto != 6)
		return 0;
	for (i = 0; i < *nb_fd && f == NULL; i++)
		if (fd[i].sport == p->sport && fd[i].dport == p->dport &&
		    memcmp(fd[i].addrs, p->addrs, sizeof(p->addrs)) == 0)
			f = &fd[i];
	if (f == NULL) {
		if (*nb_fd == FLOWDIRS_MAX)
			return -1;
		f = &fd[(*nb_fd)++];
		memset(f, 0, sizeof(*f));
		memcpy(f->addrs, p->addrs, sizeof(p->addrs));
		f->sport = p->sport;
		f->dport = p->dport;
		db = single != NULL
			     ? single
			     : group_of_mode(g, BW_HSLANE_TCP, BW_HSROLE_BASE,
					     0, BW_HSSCOPE_STREAM,
					     BW_HSMODE_STREAM, NULL);
		if (db != NULL)
			f->db[f->nb++] = db;
		c[0] = class_of(g, BW_HSLANE_TCP, BW_HSROLE_DST, p->dport);
		c[1] = class_of(g, BW_HSLANE_TCP, BW_HSROLE_SRC, p->sport);
		for (r = 0; r < 2; r++) {
			if (c[r] == 0 || single != NULL)
				continue;
			db = group_of_mode(
				g, BW_HSLANE_TCP,
				r == 0 ? BW_HSROLE_DST : BW_HSROLE_SRC, c[r],
				BW_HSSCOPE_STREAM, BW_HSMODE_STREAM, NULL);
			if (db != NULL)
				f->db[f->nb++] = db;
		}
		for (i = 0; i < f->nb; i++)
			if (hs_open_stream(f->db[i], 0, &f->st[i]) !=
			    HS_SUCCESS)
				return -1;
	}
	p->nb_st = f->nb;
	memcpy(p->st, f->st, sizeof(p->st));
	return 0;
}

/* Every flow direction's streams back to their start. */
static void
streams_reset(struct flowdir *fd, size_t nb_fd, hs_scratch_t *scr,
	      uint64_t *matches)
{
	size_t i, k;

	for (i = 0; i < nb_fd; i++)
		for (k = 0; k < fd[i].nb; k++)
			hs_reset_stream(fd[i].st[k], 0, scr, on_match, matches);
}

/* What the dataplane scans for payload p (dataplane/match.c). */
static void
groups_pick(const struct groups *g, struct payload *p, int untracked)
{
	uint8_t lane = bw_hslane(p->proto), sc;
	uint16_t cd = 0, cs = 0;
	hs_database_t *db;

	if (lane == BW_HSLANE_TCP || lane == BW_HSLANE_UDP) {
		cd = class_of(g, lane, BW_HSROLE_DST, p->dport);
		cs = class_of(g, lane, BW_HSROLE_SRC, p->sport);
	}
	p->nb_db = 0;
	for (sc = 0; sc <= (untracked ? 1 : 0); sc++) {
		hs_database_t *dd = NULL, *ds = NULL;
		uint16_t fd = 0, fs = 0;

		if (cd != 0)
			dd = group_of(g, lane, BW_HSROLE_DST, cd, sc, &fd);
		if (cs != 0)
			ds = group_of(g, lane, BW_HSROLE_SRC, cs, sc, &fs);
		/* a class group holding the BASE rules stands for BASE */
		db = group_of(g, lane, BW_HSROLE_BASE, 0, sc, NULL);
		if (db != NULL && !(dd != NULL && (fd & BW_HSGROUP_F_BASE)) &&
		    !(ds != NULL && (fs & BW_HSGROUP_F_BASE)))
			p->db[p->nb_db++] = db;
		if (dd != NULL)
			p->db[p->nb_db++] = dd;
		if (ds != NULL)
			p->db[p->nb_db++] = ds;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"seconds", required_argument, NULL, 's'},
		{"vars", required_argument, NULL, 'v'},
		{"pcap", required_argument, NULL, 'p'},
		{"groups", no_argument, NULL, 'g'},
		{"untracked", no_argument, NULL, 'u'},
		{"streams", no_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct ctl_hsdb_opts o = {.mode = CTL_HSDB_BLOCK,
				  .scopes = CTL_HSDB_SCOPE_ALL};
	char errbuf[PCAP_ERRBUF_SIZE], err[CTL_HSDB_ERR_LEN];
	struct ctl_rule_vars vars = {0};
	struct ctl_rules_opts ro = {0};
	struct ctl_hsmap map = {0};
	struct ctl_hsdb db = {0}, sdb = {0};
	struct ctl_rules rs;
	struct payload *pl;
	const char *pcap_path = NULL;
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t bytes = 0, scans = 0, matches = 0, t0, t1, pass_matches = 0;
	double seconds = 3, el;
	size_t nb = 0, nb_frames = 0, nb_dbs = 0, i;
	struct groups grp = {0};
	int use_groups = 0, untracked = 0, use_streams = 0;
	struct flowdir *fd = NULL;
	size_t nb_fd = 0;
	unsigned int dbi;
	pcap_t *pc;
	int c, k;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = atof(optarg);
			break;
		case 'v':
			if (ctl_rule_vars_load_file(&vars, optarg, stderr) < 0)
				return 1;
			break;
		case 'p':
			pcap_path = optarg;
			break;
		case 'g':
			use_groups = 1;
			break;
		case 'u':
			untracked = 1;
			break;
		case 't':
			use_streams = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (pcap_path == NULL || optind >= argc || seconds <= 0 ||
	    (use_streams && untracked)) {
		usage(stderr);
		return 2;
	}
	ctl_rules_init(&rs);
	ro.vars = &vars;
	ro.check = ctl_hsmap_check;
	for (k = optind; k < argc; k++) {
		if (ctl_rules_load_file(&rs, argv[k], &ro, NULL) < 0) {
			fprintf(stderr, "bw-hsbench: %s: cannot read\n",
				argv[k]);
			return 1;
		}
	}
	if (ctl_hsmap_build(&rs, &map, err, sizeof(err)) < 0 ||
	    ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)) < 0) {
		fprintf(stderr, "bw-hsbench: %s\n", err);
		return 1;
	}
	if (db.db == NULL) {
		fprintf(stderr,
			"bw-hsbench: no rule with a payload condition\n");
		return 1;
	}
	if (hs_alloc_scratch(db.db, &db.scratch) != HS_SUCCESS)
		return 1;
	if (use_groups) {
		if (groups_build(&rs, &grp, err, sizeof(err)) < 0) {
			fprintf(stderr, "bw-hsbench: %s\n", err);
			return 1;
		}
		for (dbi = 0; dbi < grp.t.nb_groups; dbi++)
			if (hs_alloc_scratch(grp.db[dbi], &db.scratch) !=
			    HS_SUCCESS)
				return 1;
	}
	if (use_streams && !use_groups) {
		/* the single stream database of --single-db */
		struct ctl_hsdb_opts so = {.mode = CTL_HSDB_STREAM,
					   .scopes = CTL_HSDB_SCOPE_STREAM};

		if (ctl_hsdb_compile(&rs, &map, &so, &sdb, err, sizeof(err)) <
			    0 ||
		    (sdb.db != NULL &&
		     hs_alloc_scratch(sdb.db, &db.scratch) != HS_SUCCESS)) {
			fprintf(stderr, "bw-hsbench: %s\n", err);
			return 1;
		}
	}
	if (use_streams) {
		fd = calloc(FLOWDIRS_MAX, sizeof(*fd));
		if (fd == NULL)
			return 1;
	}
	pc = pcap_open_offline(pcap_path, errbuf);
	if (pc == NULL) {
		fprintf(stderr, "bw-hsbench: %s\n", errbuf);
		return 1;
	}
	pl = calloc(PAYLOADS_MAX, sizeof(*pl));
	if (pl == NULL)
		return 1;
	while (nb < PAYLOADS_MAX && pcap_next_ex(pc, &h, &data) == 1) {
		uint8_t *copy = malloc(h->caplen);

		if (copy == NULL)
			return 1;
		nb_frames++;
		memcpy(copy, data, h->caplen);
		if (payload_of(copy, h->caplen, &pl[nb]) == 0) {
			if (use_groups) {
				groups_pick(&grp, &pl[nb], untracked);
			} else {
				pl[nb].nb_db = 1;
				pl[nb].db[0] = db.db;
			}
			if (use_streams && streams_pick(&grp, sdb.db, &pl[nb],
							fd, &nb_fd) < 0) {
				fprintf(stderr, "bw-hsbench: too many flows\n");
				return 1;
			}
			bytes += pl[nb].len;
			nb_dbs += pl[nb].nb_db;
			nb++;
		} else {
			free(copy);
		}
	}
	pcap_close(pc);
	if (nb == 0) {
		fprintf(stderr, "bw-hsbench: no TCP or UDP payload in %s\n",
			pcap_path);
		return 1;
	}
	/* one warm-up pass, which also counts matches per pass */
	for (i = 0; i < nb; i++) {
		for (dbi = 0; dbi < pl[i].nb_db; dbi++)
			hs_scan(pl[i].db[dbi], (const char *)pl[i].p, pl[i].len,
				0, db.scratch, on_match, &pass_matches);
		for (dbi = 0; dbi < pl[i].nb_st; dbi++)
			hs_scan_stream(pl[i].st[dbi], (const char *)pl[i].p,
				       pl[i].len, 0, db.scratch, on_match,
				       &pass_matches);
	}
	streams_reset(fd, nb_fd, db.scratch, &pass_matches);
	t0 = ctl_now_mono_ns();
	do {
		for (i = 0; i < nb; i++) {
			for (dbi = 0; dbi < pl[i].nb_db; dbi++)
				hs_scan(pl[i].db[dbi], (const char *)pl[i].p,
					pl[i].len, 0, db.scratch, on_match,
					&matches);
			for (dbi = 0; dbi < pl[i].nb_st; dbi++)
				hs_scan_stream(pl[i].st[dbi],
					       (const char *)pl[i].p, pl[i].len,
					       0, db.scratch, on_match,
					       &matches);
		}
		streams_reset(fd, nb_fd, db.scratch, &matches);
		scans += nb;
		t1 = ctl_now_mono_ns();
	} while ((double)(t1 - t0) < seconds * 1e9);
	el = (double)(t1 - t0) / 1e9;
	printf("{\"rules\":%zu,\"content_rules\":%" PRIu32
	       ",\"expressions\":%" PRIu32
	       ",\"db_bytes\":%zu,\"layout\":\"%s\",\"groups\":%" PRIu32
	       ",\"frames\":%zu,\"payloads\":%zu,"
	       "\"avg_payload\":%.1f,\"dbs_per_payload\":%.2f,"
	       "\"matches_per_pass\":%" PRIu64
	       ",\"scans_per_s\":%.0f,\"ns_per_scan\":%.1f,\"gbps\":%.3f}\n",
	       rs.nb_rules, db.nb_rules, db.nb_exprs,
	       use_groups ? grp.bytes : db.db_bytes,
	       !use_groups   ? (use_streams ? "single-streams" : "single")
	       : untracked   ? "groups-untracked"
	       : use_streams ? "groups-streams"
			     : "groups",
	       grp.t.nb_groups, nb_frames, nb, (double)bytes / (double)nb,
	       (double)nb_dbs / (double)nb, pass_matches, (double)scans / el,
	       el * 1e9 / (double)scans,
	       (double)bytes * (double)(scans / nb) * 8 / el / 1e9);
	for (i = 0; i < nb_fd; i++)
		for (dbi = 0; dbi < fd[i].nb; dbi++)
			hs_close_stream(fd[i].st[dbi], NULL, NULL, NULL);
	free(fd);
	for (dbi = 0; dbi < grp.t.nb_groups; dbi++)
		hs_free_database(grp.db[dbi]);
	free(grp.db);
	ctl_rtab_free(&grp.t);
	ctl_hsdb_free(&sdb);
	ctl_hsdb_free(&db);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
	ctl_rule_vars_free(&vars);
	return 0;
}
