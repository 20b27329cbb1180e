/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the events writer (dataplane/events.c) under EAL: a
 * worker's ring that overflows loses and counts, never blocks; the lines
 * are JSON objects with the packet's fields; the rate limit writes N a
 * second and one summary with the rest; the file is reopened when the
 * SIGHUP generation moves (logrotate renamed it); a rule's message is
 * escaped. The expected values are the packets this test builds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "bw_cunit.h"
#include "bw_eal.h"
#include "dp.h"
#include "dp_events.h"
#include "dp_match.h"

static struct rte_mempool *pool;
static struct dp_worker *w;
static struct bw_worker_stats stats;
static char dir[64];
static volatile uint32_t hup;

/* n packets 10.0.0.1:1000+i -> 192.0.2.9:80 TCP, dropped for reason. */
static void
burst(uint16_t n, uint8_t reason)
{
	struct rte_mbuf *m[DP_BURST];
	uint16_t i;

	for (i = 0; i < n; i++) {
		struct dp_pkt *pi = &w->info[i];

		m[i] = rte_pktmbuf_alloc(pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m[i]);
		rte_pktmbuf_append(m[i], 60 + i);
		m[i]->port = 3;
		memset(pi, 0, sizeof(*pi));
		pi->l3 = DP_L3_IPV4;
		pi->l4_proto = 6;
		pi->flags = DP_PKT_L4;
		pi->sport = (uint16_t)(1000 + i);
		pi->dport = 80;
		pi->dir = DP_DIR_OUTBOUND;
		memcpy(pi->src.a8, "\x0a\x00\x00\x01", 4);
		memcpy(pi->dst.a8, "\xc0\x00\x02\x09", 4);
		w->verdict[i] = reason;
	}
	dp_events_burst(w, 7, NULL, m, n);
	for (i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static unsigned int
lines_of(const char *path)
{
	FILE *f = fopen(path, "r");
	unsigned int n = 0;
	int c;

	if (f == NULL)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

/* Wait up to 3 s for path to hold n lines. */
static unsigned int
wait_lines(const char *path, unsigned int n)
{
	struct timespec t = {0, 10000000};
	int k;

	for (k = 0; k < 300 && lines_of(path) < n; k++)
		nanosleep(&t, NULL);
	return lines_of(path);
}

static void
cfg_of(struct dp_events_cfg *c, const char *name, uint32_t rate, uint32_t ring)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s/%s", dir, name);
	c->rate = rate;
	c->rate_alert = rate;
	c->ring = ring;
}

static void
test_ring_overflow_counted(void)
{
	struct dp_events_cfg c;
	json_error_t err;
	json_t *j;
	FILE *f;
	char line[2048];
	int k = 0;

	memset(&stats, 0, sizeof(stats));
	cfg_of(&c, "over.json", 0, 8);
	CU_ASSERT_EQUAL_FATAL(dp_events_init(&c, NULL, NULL, w, 1), 0);
	CU_ASSERT(w->obs_flags & DP_OBS_EVENTS);
	/* no writer yet: the ring takes 8, loses 2 */
	burst(10, BW_REASON_IP4_TRUNC);
	CU_ASSERT_EQUAL(stats.events, 8);
	CU_ASSERT_EQUAL(stats.events_lost, 2);
	CU_ASSERT_EQUAL_FATAL(dp_events_start("ut", dir, &hup), 0);
	CU_ASSERT_EQUAL(wait_lines(c.path, 8), 8);
	dp_events_stop();
	CU_ASSERT_EQUAL(lines_of(c.path), 8);
	f = fopen(c.path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		j = json_loads(line, 0, &err);
		CU_ASSERT_FATAL(json_is_object(j));
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(j, "event_type")),
			"drop");
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(j, "src_ip")),
			"10.0.0.1");
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(j, "dest_ip")),
			"192.0.2.9");
		CU_ASSERT_EQUAL(
			json_integer_value(json_object_get(j, "src_port")),
			1000 + k);
		CU_ASSERT_EQUAL(
			json_integer_value(json_object_get(j, "dest_port")),
			80);
		CU_ASSERT_EQUAL(
			json_integer_value(json_object_get(j, "pkt_len")),
			60 + k);
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(j, "port")),
				3);
		CU_ASSERT_EQUAL(
			json_integer_value(json_object_get(j, "generation")),
			7);
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(j, "proto")), "TCP");
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(j, "direction")),
			"outbound");
		CU_ASSERT_STRING_EQUAL(
			json_string_value(json_object_get(j, "reason")),
			"ipv4-truncated");
		json_decref(j);
		k++;
	}
	fclose(f);
	/* off again: the workers' flag too is the caller's to keep */
	__atomic_store_n(&w->obs_flags, 0, __ATOMIC_RELAXED);
}

static void
test_rate_limit_summary(void)
{
	struct dp_events_cfg c;
	char *buf;
	FILE *f;
	long n;

	memset(&stats, 0, sizeof(stats));
	cfg_of(&c, "rate.json", 2, 64);
	CU_ASSERT_EQUAL_FATAL(dp_events_init(&c, NULL, NULL, w, 1), 0);
	CU_ASSERT_EQUAL_FATAL(dp_events_start("ut", dir, &hup), 0);
	/* one burst: one TSC, one second, one key; another key beside */
	burst(5, BW_REASON_UDP_LEN);
	burst(1, BW_REASON_TCP_TRUNC);
	dp_events_stop();
	__atomic_store_n(&w->obs_flags, 0, __ATOMIC_RELAXED);
	f = fopen(c.path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	buf = calloc(1, 65536);
	n = (long)fread(buf, 1, 65535, f);
	fclose(f);
	CU_ASSERT(n > 0);
	CU_ASSERT_EQUAL(lines_of(c.path), 4); /* 2 + 1 summary + 1 */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(buf, "\"event_type\":\"suppressed\",\"suppressed\":"
			    "{\"event_type\":\"drop\",\"count\":3}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"reason\":\"tcp-truncated\""));
	free(buf);
}

static void
test_rate_per_type(void)
{
	struct bw_image_rule rule = {.sid = 5, .rev = 1, .action = 1};
	struct dp_match_set ms = {
		.nb_rules = 1, .rules = &rule, .since_gen = 3};
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct dp_events_cfg c;
	uint32_t id = 0;
	int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	rte_pktmbuf_append(m, 64);
	cfg_of(&c, "type.json", 1, 64);
	c.rate_alert = 0; /* alerts without a limit, drops one a second */
	CU_ASSERT_EQUAL_FATAL(dp_events_init(&c, NULL, NULL, w, 1), 0);
	CU_ASSERT_EQUAL_FATAL(dp_events_start("ut", dir, &hup), 0);
	burst(3, BW_REASON_UDP_LEN);
	for (k = 0; k < 3; k++)
		dp_events_alerts(w, 3, &ms, &w->info[0], m, &id, 1);
	dp_events_stop();
	__atomic_store_n(&w->obs_flags, 0, __ATOMIC_RELAXED);
	rte_pktmbuf_free(m);
	/* 1 drop, its summary of 2, 3 alerts */
	CU_ASSERT_EQUAL(lines_of(c.path), 5);
}

static void
test_reopen_on_hup(void)
{
	struct dp_events_cfg c;
	char old[PATH_MAX + 8];
	struct timespec t = {0, 10000000};
	int k;

	cfg_of(&c, "hup.json", 0, 64);
	snprintf(old, sizeof(old), "%s.1", c.path);
	CU_ASSERT_EQUAL_FATAL(dp_events_init(&c, NULL, NULL, w, 1), 0);
	CU_ASSERT_EQUAL_FATAL(dp_events_start("ut", dir, &hup), 0);
	burst(3, BW_REASON_IP4_TRUNC);
	CU_ASSERT_EQUAL(wait_lines(c.path, 3), 3);
	/* logrotate: rename, then SIGHUP (which bumps the generation) */
	CU_ASSERT_EQUAL_FATAL(rename(c.path, old), 0);
	burst(2, BW_REASON_IP4_TRUNC);
	CU_ASSERT_EQUAL(wait_lines(old, 5), 5); /* still the old file */
	__atomic_fetch_add(&hup, 1, __ATOMIC_RELAXED);
	for (k = 0; k < 300 && access(c.path, F_OK) != 0; k++)
		nanosleep(&t, NULL);
	CU_ASSERT_EQUAL(access(c.path, F_OK), 0);
	burst(4, BW_REASON_IP4_TRUNC);
	dp_events_stop();
	__atomic_store_n(&w->obs_flags, 0, __ATOMIC_RELAXED);
	CU_ASSERT_EQUAL(lines_of(old), 5);
	CU_ASSERT_EQUAL(lines_of(c.path), 4);
}

static void
test_published_path(void)
{
	char pub[128], line[PATH_MAX + 2], want[PATH_MAX + 2];
	FILE *f;

	snprintf(pub, sizeof(pub), "%s/events.path", dir);
	f = fopen(pub, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), f));
	fclose(f);
	snprintf(want, sizeof(want), "%s/hup.json\n", dir);
	CU_ASSERT_STRING_EQUAL(line, want);
}

static void
test_message_escaped(void)
{
	static const char strings[] = "say \"hi\"\\\n\x01";
	struct bw_image_rule rule = {.sid = 42, .rev = 3, .action = 1};
	struct bw_image_view v = {.rules = &rule,
				  .nb_rules = 1,
				  .rstrings = strings,
				  .rstrings_len = sizeof(strings)};
	struct dp_events_cfg c;
	struct dp_event e = {.type = DP_EV_ALERT,
			     .l3 = DP_L3_IPV4,
			     .obj = 0,
			     .sid = 42,
			     .rev = 3,
			     .action = 1,
			     .rules_gen = 9};
	char line[2048];

	cfg_of(&c, "msg.json", 0, 8);
	CU_ASSERT_EQUAL_FATAL(dp_events_init(&c, NULL, NULL, w, 1), 0);
	dp_events_rules_note(&v, 9);
	CU_ASSERT(dp_events_format(&e, line, sizeof(line)) > 0);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(line, "\"alert\":{\"action\":\"allowed\",\"gid\":1,"
			     "\"signature_id\":42,\"rev\":3,\"signature\":"
			     "\"say \\\"hi\\\"\\\\\\u000a\\u0001\"}"));
	/* a rule of another set (generation) is not named after this one */
	e.rules_gen = 10;
	CU_ASSERT(dp_events_format(&e, line, sizeof(line)) > 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"signature\":\"\"}"));
	CU_ASSERT_EQUAL_FATAL(dp_events_start("ut", dir, &hup), 0);
	dp_events_stop();
	__atomic_store_n(&w->obs_flags, 0, __ATOMIC_RELAXED);
}

static const struct bw_cunit_test tests[] = {
	{"a full ring loses and counts, the writer writes the rest",
	 test_ring_overflow_counted},
	{"the rate limit writes N a second and one summary",
	 test_rate_limit_summary},
	{"the rate is set per event type", test_rate_per_type},
	{"SIGHUP's generation reopens the renamed file", test_reopen_on_hup},
	{"the file's path is published in the run directory",
	 test_published_path},
	{"a rule's message is escaped, from its own set only",
	 test_message_escaped},
};

int
main(void)
{
	int ret;

	if (bw_ut_eal_init("events", 128, NULL, 0) != 0)
		return 1;
	snprintf(dir, sizeof(dir), "/tmp/bw-ut-events.XXXXXX");
	pool = rte_pktmbuf_pool_create("ut_ev_mbufs", 256, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       rte_socket_id());
	w = rte_zmalloc("ut_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (mkdtemp(dir) == NULL || pool == NULL || w == NULL)
		return 1;
	w->st = &stats;
	ret = BW_CUNIT_RUN("events", tests);
	rte_free(w);
	rte_mempool_free(pool);
	bw_ut_eal_fini();
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			ret = 1;
	}
	return ret;
}
