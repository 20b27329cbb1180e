/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the content-rule parser and compile on real rule files:
 * every ET rule file of tests/data/rules is either taken or skipped with
 * a reason, rule counts computed apart from the parser, and what is taken
 * compiles per packet and per stream; mutated files never crash the
 * parser; the ET IEC-104 rules match the STARTDT and TESTFR frames of the
 * IEC-104 captures. The crafted cases are test_rules_map.c (mapping),
 * test_rules_parse.c (parser) and test_rules_compile.c (compile).
 *
 * Usage: test_rules [DATA_DIR]
 *        test_rules --counts [DATA_DIR]   print the docs/rules.md tables
 * DATA_DIR (else $BW_TEST_DATA, else tests/data or ../tests/data from the
 * current folder, else tests/data in a folder above this executable or
 * this source) holds rules/ and pcaps/ics/.
 */
#include <dirent.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include <pcap/pcap.h>

#include "bw_cunit.h"
#include "bw_testdata.h"
#include "ctl_hsdb.h"
#include "ctl_hsmap.h"
#include "ctl_rules.h"
#include "test_rules_util.h"

/* Folder (or file) of the bundled test data, or NULL: bw_testdata.h. */
static const char *
data_dir_find(char *buf, size_t size)
{
	return bw_testdata_path("", buf, size);
}

/* ---------------------------------------------------------------------
 * The ET files.
 */

/*
 * Rules in a file counted apart from the parser: logical lines (a line
 * ending in '\' joins the next), not blank, not starting with '#'.
 */
static size_t
count_rules(const char *path)
{
	char line[1 << 16];
	size_t n = 0;
	int cont = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		const char *p = line;

		while (len > 0 && strchr(" \t\r\n", line[len - 1]) != NULL)
			line[--len] = '\0';
		if (!cont) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != '\0' && *p != '#')
				n++;
			else
				continue;
		}
		cont = len > 0 && line[len - 1] == '\\';
	}
	fclose(f);
	return n;
}

/* Sorted names of the *.rules files under dir/rules; count in *nb. */
static char **
rule_files(const char *dir, size_t *nb)
{
	char path[PATH_MAX], **names = NULL;
	struct dirent *de;
	DIR *d;

	*nb = 0;
	if (snprintf(path, sizeof(path), "%s/rules", dir) >= (int)sizeof(path))
		return NULL;
	d = opendir(path);
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (l < 7 || strcmp(de->d_name + l - 6, ".rules") != 0)
			continue;
		nn = realloc(names, (*nb + 1) * sizeof(*names));
		if (nn == NULL)
			break;
		names = nn;
		names[(*nb)++] = strdup(de->d_name);
	}
	closedir(d);
	for (size_t i = 1; i < *nb; i++) {
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0;
		     j--) {
			char *t = names[j];

			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	}
	return names;
}

static void
free_names(char **names, size_t nb)
{
	for (size_t i = 0; i < nb; i++)
		free(names[i]);
	free(names);
}

/*
 * Load every ET file into rs (with the check). Per file: rules counted
 * apart == rules seen == taken + skipped, every skip with a reason.
 */
static size_t
load_et(const char *dir, struct ctl_rules *rs)
{
	char path[PATH_MAX];
	size_t nb, i, total = 0;
	char **names = rule_files(dir, &nb);

	CU_ASSERT_FATAL(names != NULL && nb >= 5);
	for (i = 0; i < nb; i++) {
		struct ctl_rules_stats st;
		size_t want, k, nb_taken = 0, nb_skips = 0;
		const char *file;

		CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/rules/%s", dir,
					 names[i]) < (int)sizeof(path));
		want = count_rules(path);
		CU_ASSERT_EQUAL_FATAL(
			ctl_rules_load_file(rs, path, &rules_check_opts, &st),
			0);
		CU_ASSERT(want > 0);
		CU_ASSERT_EQUAL(st.rules, want);
		CU_ASSERT_EQUAL(st.taken + st.skipped, want);
		file = ctl_rules_intern(rs, path);
		for (k = 0; k < rs->nb_rules; k++)
			nb_taken += rs->rules[k].file == file;
		for (k = 0; k < rs->nb_skips; k++) {
			if (rs->skips[k].file != file)
				continue;
			nb_skips++;
			CU_ASSERT(rs->skips[k].reason[0] != '\0');
			CU_ASSERT(rs->skips[k].line > 0);
		}
		CU_ASSERT_EQUAL(nb_taken, st.taken);
		CU_ASSERT_EQUAL(nb_skips, st.skipped);
		total += want;
	}
	free_names(names, nb);
	return total;
}

static void
test_et_files(void)
{
	struct ctl_hsdb_opts ob = {CTL_HSDB_BLOCK, 0, 0, NULL, NULL};
	struct ctl_hsdb_opts os = {CTL_HSDB_STREAM, 0, 0, NULL, NULL};
	char dir[PATH_MAX], err[CTL_HSDB_ERR_LEN];
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb blk = {0}, str = {0};
	struct ctl_rules_reason *t;
	size_t total;
	long n;

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	ctl_rules_init(&rs);
	total = load_et(dir, &rs);
	CU_ASSERT_EQUAL(total, rs.nb_rules + rs.nb_skips);
	CU_ASSERT(rs.nb_rules > 200);
	/* reasons are counted, none empty */
	n = ctl_rules_tally(&rs, NULL, &t);
	CU_ASSERT_FATAL(n > 0);
	{
		size_t sum = 0;

		for (long i = 0; i < n; i++) {
			sum += t[i].count;
			CU_ASSERT(t[i].reason[0] != '\0');
		}
		CU_ASSERT_EQUAL(sum, rs.nb_skips);
	}
	ctl_rules_reasons_free(t, (size_t)n);
	/* everything taken maps and compiles, per packet and per stream */
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	if (ctl_hsdb_compile(&rs, &map, &ob, &blk, err, sizeof(err)) ||
	    ctl_hsdb_compile(&rs, &map, &os, &str, err, sizeof(err))) {
		fprintf(stderr, "\n  %s", err);
		CU_FAIL("ET compile");
	}
	CU_ASSERT(blk.nb_rules > 0 && str.nb_rules > 0);
	CU_ASSERT(blk.nb_rules + str.nb_rules <= rs.nb_rules);
	ctl_hsdb_free(&blk);
	ctl_hsdb_free(&str);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

/* A file never crashes the parser: mutated ET lines (deterministic). */
static void
test_et_mutations(void)
{
	char dir[PATH_MAX], path[PATH_MAX], *buf;
	struct ctl_rules rs;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t len, i, round;

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	CU_ASSERT_FATAL(snprintf(path, sizeof(path),
				 "%s/rules/emerging-scada.rules",
				 dir) < (int)sizeof(path));
	CU_ASSERT_EQUAL_FATAL(ctl_rules_read_file(path, &buf, &len), 0);
	for (round = 0; round < 40; round++) {
		struct ctl_rules_stats st;
		char *m = malloc(len);

		CU_ASSERT_FATAL(m != NULL);
		memcpy(m, buf, len);
		for (i = 0; i < 200; i++) {
			bw_test_rnd(&x);
			m[x % len] = "\\|;:\"!()[],$ -x0\n\0"[(x >> 32) % 18];
		}
		ctl_rules_init(&rs);
		CU_ASSERT_EQUAL(ctl_rules_load_buf(&rs, "m", m, len,
						   &rules_check_opts, &st),
				0);
		CU_ASSERT_EQUAL(st.taken + st.skipped, st.rules);
		CU_ASSERT_EQUAL(rs.nb_skips, st.skipped);
		ctl_rules_free(&rs);
		free(m);
	}
	free(buf);
}

/* ---------------------------------------------------------------------
 * IEC-104: the ET SCADA rules on real captures.
 */

/*
 * The TCP payload of an Ethernet/IPv4 frame to or from port into *p and
 * *n, sized by the IP total length (not the captured length: frames are
 * padded to 60 bytes). Returns 0 when there is one.
 */
static int
tcp_payload(const uint8_t *f, size_t caplen, uint16_t port, const uint8_t **p,
	    size_t *n, uint16_t *dport)
{
	size_t off = 14, ihl, thl, tot;
	uint16_t type = (uint16_t)(f[12] << 8 | f[13]), sp, dp;

	if (caplen < 14)
		return -1;
	while (type == 0x8100 || type == 0x88a8) {
		if (caplen < off + 4)
			return -1;
		type = (uint16_t)(f[off + 2] << 8 | f[off + 3]);
		off += 4;
	}
	if (type != 0x0800 || caplen < off + 20 || (f[off] >> 4) != 4 ||
	    f[off + 9] != 6)
		return -1;
	ihl = (size_t)(f[off] & 0xf) * 4;
	tot = (size_t)(f[off + 2] << 8 | f[off + 3]);
	if (ihl < 20 || tot < ihl + 20 || caplen < off + tot)
		return -1;
	thl = (size_t)(f[off + ihl + 12] >> 4) * 4;
	if (thl < 20 || tot < ihl + thl)
		return -1;
	sp = (uint16_t)(f[off + ihl] << 8 | f[off + ihl + 1]);
	dp = (uint16_t)(f[off + ihl + 2] << 8 | f[off + ihl + 3]);
	if (sp != port && dp != port)
		return -1;
	*p = f + off + ihl + thl;
	*n = tot - ihl - thl;
	*dport = dp;
	return *n > 0 ? 0 : -1;
}

static void
test_iec104(void)
{
	static const char *const pcaps[] = {"090813_diverse.pcap",
					    "JavaRMI_and_IEC_Misc.pcap",
					    "TestDissectIec104.pcap"};
	/* TESTFR act, TESTFR con, STARTDT act, STARTDT con */
	static const uint32_t want[] = {2046158, 2046159, 2046160, 2046161};
	struct ctl_hsdb_opts o = {CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL, 0, NULL,
				  NULL};
	char dir[PATH_MAX], path[PATH_MAX], err[CTL_HSDB_ERR_LEN];
	char ebuf[PCAP_ERRBUF_SIZE];
	size_t seen[4] = {0, 0, 0, 0}, i, nb_payloads = 0;
	struct ctl_rules rs;
	struct ctl_hsmap map = {0};
	struct ctl_hsdb db = {0};

	if (data_dir_find(dir, sizeof(dir)) == NULL)
		CU_FAIL_FATAL("test data not found");
	CU_ASSERT_FATAL(snprintf(path, sizeof(path),
				 "%s/rules/emerging-scada.rules",
				 dir) < (int)sizeof(path));
	ctl_rules_init(&rs);
	CU_ASSERT_EQUAL_FATAL(
		ctl_rules_load_file(&rs, path, &rules_check_opts, NULL), 0);
	for (i = 0; i < 5; i++) {
		size_t k;
		int taken = 0;

		for (k = 0; k < rs.nb_rules; k++)
			taken |= rs.rules[k].sid == 2046158 + i;
		if (!taken)
			fprintf(stderr, "\n  sid %zu not taken", 2046158 + i);
		CU_ASSERT(taken);
	}
	CU_ASSERT_EQUAL_FATAL(ctl_hsmap_build(&rs, &map, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(
		ctl_hsdb_compile(&rs, &map, &o, &db, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(pcaps) / sizeof(pcaps[0]); i++) {
		struct pcap_pkthdr *h;
		const u_char *f;
		pcap_t *pc;

		CU_ASSERT_FATAL(snprintf(path, sizeof(path), "%s/pcaps/ics/%s",
					 dir, pcaps[i]) < (int)sizeof(path));
		pc = pcap_open_offline(path, ebuf);
		if (pc == NULL)
			fprintf(stderr, "\n  %s", ebuf);
		CU_ASSERT_FATAL(pc != NULL);
		CU_ASSERT_EQUAL_FATAL(pcap_datalink(pc), DLT_EN10MB);
		while (pcap_next_ex(pc, &h, &f) == 1) {
			const uint8_t *p;
			uint32_t ids[16];
			size_t n, nb, k;
			uint16_t dport;

			if (tcp_payload(f, h->caplen, 2404, &p, &n, &dport))
				continue;
			nb_payloads++;
			CU_ASSERT_EQUAL_FATAL(
				ctl_hsdb_scan(&db, p, n, ids, 16, &nb), 0);
			for (k = 0; k < nb && k < 16; k++) {
				const struct ctl_rule *r = &rs.rules[ids[k]];
				size_t w;

				for (w = 0; w < 4; w++) {
					if (r->sid != want[w])
						continue;
					seen[w]++;
					/* and the dataplane's half holds */
					CU_ASSERT_EQUAL(n, 6);
					CU_ASSERT(r->dsize.min == 6 &&
						  r->dsize.max == 6);
					CU_ASSERT(ctl_rule_ports_match(
							  &r->dport, dport) ||
						  ctl_rule_ports_match(
							  &r->sport, 2404));
				}
			}
		}
		pcap_close(pc);
	}
	CU_ASSERT(nb_payloads > 50);
	for (i = 0; i < 4; i++) {
		if (seen[i] == 0)
			fprintf(stderr, "\n  sid %u never matched", want[i]);
		CU_ASSERT(seen[i] > 0);
	}
	ctl_hsdb_free(&db);
	ctl_hsmap_free(&map);
	ctl_rules_free(&rs);
}

/* ---------------------------------------------------------------------
 * --counts: the tables of docs/rules.md.
 */

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One row of the database table. Returns 0, or 1 when it did not compile. */
static int
print_db(const char *what, const struct ctl_rules *rs,
	 const struct ctl_hsmap *map, struct ctl_hsdb_opts *o)
{
	char err[CTL_HSDB_ERR_LEN], *ser = NULL;
	struct ctl_hsdb db = {0};
	size_t ser_len = 0;

	if (ctl_hsdb_compile(rs, map, o, &db, err, sizeof(err)) != 0) {
		printf("| %s | error: %s | | | |\n", what, err);
		fprintf(stderr, "test_rules: %s: %s\n", what, err);
		return 1;
	}
	if (db.db != NULL)
		ctl_hsdb_serialize(&db, &ser, &ser_len);
	printf("| %s | %u | %u | %.0f | %zu |\n", what, db.nb_rules,
	       db.nb_exprs, (double)db.compile_ns / 1e6, ser_len);
	free(ser);
	ctl_hsdb_free(&db);
	return 0;
}

/* Returns 0, or 1 when a file or database failed (the tables say which). */
static int
print_counts(void)
{
	char dir[PATH_MAX], path[PATH_MAX], err[CTL_HSDB_ERR_LEN];
	struct ctl_rules all;
	struct ctl_hsmap map = {0};
	struct timespec t0;
	size_t nb, i;
	char **names;
	int bad = 0;

	if (data_dir_find(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "test_rules: test data not found\n");
		return 1;
	}
	names = rule_files(dir, &nb);
	if (names == NULL)
		return 1;
	printf("| file | rules | taken | skipped | skipped by reason |\n");
	printf("| --- | ---: | ---: | ---: | --- |\n");
	ctl_rules_init(&all);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < nb; i++) {
		struct ctl_rules_stats st;
		struct ctl_rules_reason *t;
		const char *file;
		long n, k;

		if (snprintf(path, sizeof(path), "%s/rules/%s", dir,
			     names[i]) >= (int)sizeof(path) ||
		    ctl_rules_load_file(&all, path, &rules_check_opts, &st))
			return 1;
		file = ctl_rules_intern(&all, path);
		printf("| %s | %zu | %zu | %zu | ", names[i], st.rules,
		       st.taken, st.skipped);
		n = ctl_rules_tally(&all, file, &t);
		for (k = 0; k < n; k++)
			printf("%s%s %zu", k ? ", " : "", t[k].reason,
			       t[k].count);
		printf(" |\n");
		ctl_rules_reasons_free(t, n > 0 ? (size_t)n : 0);
	}
	printf("\nparse and check of all files: %.0f ms\n\n", ms_since(&t0));
	{
		struct ctl_rules_reason *t;
		long n = ctl_rules_tally(&all, NULL, &t), k;

		printf("| reason (all files) | rules |\n| --- | ---: |\n");
		for (k = 0; k < n; k++)
			printf("| %s | %zu |\n", t[k].reason, t[k].count);
		ctl_rules_reasons_free(t, n > 0 ? (size_t)n : 0);
	}
	if (ctl_hsmap_build(&all, &map, err, sizeof(err)) != 0) {
		fprintf(stderr, "test_rules: %s\n", err);
		return 1;
	}
	printf("\n| database | rules | expressions | compile ms | "
	       "serialized bytes |\n| --- | ---: | ---: | ---: | ---: |\n");
	{
		struct ctl_hsdb_opts o = {CTL_HSDB_BLOCK, CTL_HSDB_SCOPE_ALL, 0,
					  NULL, NULL};

		bad |= print_db("block, every rule (one database)", &all, &map,
				&o);
		o.scopes = 0;
		bad |= print_db("block, packet-scoped rules", &all, &map, &o);
		o.mode = CTL_HSDB_STREAM;
		bad |= print_db("stream, TCP stream rules", &all, &map, &o);
		o.mode = CTL_HSDB_BLOCK;
		o.protos = 1u << CTL_RULE_PROTO_UDP;
		bad |= print_db("block, packet-scoped udp", &all, &map, &o);
		o.protos = 1u << CTL_RULE_PROTO_TCP;
		bad |= print_db("block, packet-scoped tcp", &all, &map, &o);
		o.protos = 1u << CTL_RULE_PROTO_IP | 1u << CTL_RULE_PROTO_ICMP;
		bad |= print_db("block, packet-scoped ip+icmp", &all, &map, &o);
	}
	ctl_hsmap_free(&map);
	ctl_rules_free(&all);
	free_names(names, nb);
	return bad;
}

static const struct bw_cunit_test tests[] = {
	{"et files", test_et_files},
	{"et mutations", test_et_mutations},
	{"iec-104 captures", test_iec104},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--counts") == 0) {
		if (argc > 2)
			bw_testdata_set(argv[2]);
		return print_counts();
	}
	if (argc > 1)
		bw_testdata_set(argv[1]);
	return BW_CUNIT_RUN("rules", tests);
}
