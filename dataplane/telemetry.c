/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /bulwark/... telemetry endpoints (dp_telemetry.h). Each answers from
 * the status region, the same counters `bulwarkctl stats` and `bulwarkctl
 * metrics` read:
 *   /bulwark/status      identity, state, heartbeat, generation
 *   /bulwark/totals      counters summed over the workers
 *   /bulwark/drops       drops by reason (all workers)
 *   /bulwark/workers     per worker: index -> its counters
 *   /bulwark/ports       per port: name -> its counters
 *   /bulwark/lists       per list: name -> hits, prefixes
 * (names as dict keys with every byte but [A-Za-z0-9_] turned into '_',
 * which is all DPDK 22.11 takes there: reason content-rule reads
 * content_rule)
 *   /bulwark/rules,N     the N (default 10, at most 64) rules with most hits
 *   /bulwark/generation  generations of the ruleset and of the rule set
 * The callbacks hold a mutex that only they and dp_telemetry_stop() take:
 * the workers never see it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "bw_image.h"
#include "bw_status.h"
#include "dp.h"
#include "dp_telemetry.h"

#define TOP_DEFAULT 10
#define TOP_MAX	    64
#define SEQ_TRIES   64

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct bw_status_hdr *tel_hdr; /* NULL: stopped */

#define LOAD(p) __atomic_load_n(&(p), __ATOMIC_RELAXED)

static const uint8_t *
base(void)
{
	return (const uint8_t *)tel_hdr;
}

static const struct bw_worker_stats *
worker(uint32_t i)
{
	return (const void *)(base() + tel_hdr->worker_off +
			      (size_t)i * tel_hdr->worker_size);
}

static const struct bw_port_stats *
port(uint32_t i)
{
	return (const void *)(base() + tel_hdr->port_off +
			      (size_t)i * tel_hdr->port_size);
}

/* A uint64_t counter of a worker record. */
struct wfield {
	const char *name;
	size_t off;
};

#define WF(f)                                                                  \
	{                                                                      \
#f, offsetof(struct bw_worker_stats, f)                        \
	}

static const struct wfield wfields[] = {
	WF(rx_pkts),   WF(rx_bytes),	      WF(tx_pkts),   WF(tx_bytes),
	WF(drop_pkts), WF(drop_bytes),	      WF(busy_tsc),  WF(idle_tsc),
	WF(loops),     WF(ipv4_pkts),	      WF(ipv6_pkts), WF(nonip_pkts),
	WF(frag_pkts), WF(anomaly_pass_pkts),
};
#define NB_WFIELDS (sizeof(wfields) / sizeof(wfields[0]))

static uint64_t
wload(const struct bw_worker_stats *w, size_t off)
{
	return __atomic_load_n(
		(const uint64_t *)(const void *)((const uint8_t *)w + off),
		__ATOMIC_RELAXED);
}

/*
 * A telemetry dict key from name: DPDK 22.11 takes only letters, digits,
 * '_' and '/' there, so every other byte becomes '_' (the exact name is
 * in the entry's "name" where it matters).
 */
static void
key_of(char *key, size_t len, const char *name)
{
	size_t i;
	char c;

	for (i = 0; i + 1 < len && name[i] != '\0'; i++) {
		c = name[i];
		key[i] = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
					 (c >= 'a' && c <= 'z') || c == '_'
				 ? c
				 : '_';
	}
	key[i] = '\0';
}

/* Take the lock; 0 with the region readable, -ESRCH when stopped. */
static int
enter(struct rte_tel_data *d)
{
	pthread_mutex_lock(&tel_lock);
	if (tel_hdr != NULL)
		return 0;
	pthread_mutex_unlock(&tel_lock);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state", "stopped");
	return -ESRCH;
}

static void
leave(void)
{
	pthread_mutex_unlock(&tel_lock);
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static const char *
state_name(uint32_t s)
{
	switch (s) {
	case BW_STATE_STARTING:
		return "starting";
	case BW_STATE_RUNNING:
		return "running";
	case BW_STATE_STOPPING:
		return "stopping";
	case BW_STATE_STOPPED:
		return "stopped";
	default:
		return "unknown";
	}
}

static int
tel_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct bw_status_hdr *h;
	uint64_t hb, now;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	h = tel_hdr;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "instance", h->instance);
	rte_tel_data_add_dict_string(d, "version", h->version);
	rte_tel_data_add_dict_string(
		d, "state",
		state_name(__atomic_load_n(&h->state, __ATOMIC_ACQUIRE)));
	rte_tel_data_add_dict_int(d, "pid", h->pid);
	rte_tel_data_add_dict_u64(d, "start_time_ns", h->start_time_ns);
	hb = LOAD(h->heartbeat_ns);
	now = mono_ns();
	rte_tel_data_add_dict_u64(d, "heartbeat_age_ns",
				  now > hb ? now - hb : 0);
	rte_tel_data_add_dict_u64(
		d, "applied_gen",
		__atomic_load_n(&h->applied_gen, __ATOMIC_ACQUIRE));
	rte_tel_data_add_dict_u64(d, "tsc_hz", h->tsc_hz);
	rte_tel_data_add_dict_u64(d, "nb_workers", h->nb_workers);
	rte_tel_data_add_dict_u64(d, "nb_ports", h->nb_ports);
	rte_tel_data_add_dict_u64(d, "fail_closed", LOAD(h->fail_closed));
	leave();
	return 0;
}

static int
tel_totals(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t sum[NB_WFIELDS];
	uint32_t i;
	size_t k;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	memset(sum, 0, sizeof(sum));
	for (i = 0; i < tel_hdr->nb_workers; i++)
		for (k = 0; k < NB_WFIELDS; k++)
			sum[k] += wload(worker(i), wfields[k].off);
	rte_tel_data_start_dict(d);
	for (k = 0; k < NB_WFIELDS; k++)
		rte_tel_data_add_dict_u64(d, wfields[k].name, sum[k]);
	leave();
	return 0;
}

static int
tel_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t sum;
	uint32_t i;
	unsigned int r;
	char label[24], key[32];
	const char *name;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	rte_tel_data_start_dict(d);
	for (r = 1; r < BW_REASON_COUNT; r++) {
		sum = 0;
		for (i = 0; i < tel_hdr->nb_workers; i++)
			sum += LOAD(worker(i)->reason_drop_pkts[r]);
		name = bw_reason_name(r);
		if (name == NULL) {
			snprintf(label, sizeof(label), "reason-%u", r);
			name = label;
		}
		key_of(key, sizeof(key), name);
		rte_tel_data_add_dict_u64(d, key, sum);
	}
	leave();
	return 0;
}

static int
tel_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct rte_tel_data *c;
	char key[16];
	uint32_t i;
	size_t k;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	rte_tel_data_start_dict(d);
	for (i = 0; i < tel_hdr->nb_workers; i++) {
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "lcore_id",
					  LOAD(worker(i)->lcore_id));
		for (k = 0; k < NB_WFIELDS; k++)
			rte_tel_data_add_dict_u64(
				c, wfields[k].name,
				wload(worker(i), wfields[k].off));
		snprintf(key, sizeof(key), "%u", (unsigned int)i);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	leave();
	return 0;
}

static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct bw_port_stats *p;
	struct rte_tel_data *c;
	char name[BW_PORT_NAME_LEN], key[BW_PORT_NAME_LEN];
	uint32_t i;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	rte_tel_data_start_dict(d);
	for (i = 0; i < tel_hdr->nb_ports; i++) {
		p = port(i);
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		memcpy(name, p->name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", name);
		rte_tel_data_add_dict_u64(c, "port_id", p->port_id);
		rte_tel_data_add_dict_string(
			c, "role",
			p->role == BW_ROLE_OUTSIDE ? "outside" : "inside");
		rte_tel_data_add_dict_u64(c, "link_up", LOAD(p->link_up));
		rte_tel_data_add_dict_u64(c, "ipackets", LOAD(p->ipackets));
		rte_tel_data_add_dict_u64(c, "opackets", LOAD(p->opackets));
		rte_tel_data_add_dict_u64(c, "ibytes", LOAD(p->ibytes));
		rte_tel_data_add_dict_u64(c, "obytes", LOAD(p->obytes));
		rte_tel_data_add_dict_u64(c, "imissed", LOAD(p->imissed));
		rte_tel_data_add_dict_u64(c, "ierrors", LOAD(p->ierrors));
		rte_tel_data_add_dict_u64(c, "oerrors", LOAD(p->oerrors));
		rte_tel_data_add_dict_u64(c, "rx_nombuf", LOAD(p->rx_nombuf));
		key_of(key, sizeof(key), name);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	leave();
	return 0;
}

/*
 * Copy n bytes at src guarded by the sequence word seq into dst; 0, or
 * -EAGAIN when it was rewritten on every try.
 */
static int
seq_copy(const uint32_t *seq, void *dst, const void *src, size_t n)
{
	uint32_t s1, s2;
	int t;

	for (t = 0; t < SEQ_TRIES; t++) {
		s1 = __atomic_load_n(seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		memcpy(dst, src, n);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return 0;
	}
	return -EAGAIN;
}

static int
tel_lists(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct bw_list_info info[BW_LIST_SLOTS]; /* under tel_lock */
	const struct bw_list_stats *ls;
	struct rte_tel_data *c;
	char name[sizeof(info[0].name) + 1], key[sizeof(name)];
	uint64_t pkts, bytes;
	uint32_t i, w;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	rte_tel_data_start_dict(d);
	if (seq_copy(&tel_hdr->list_seq, info, base() + tel_hdr->list_info_off,
		     sizeof(info)) < 0) {
		leave();
		return -EAGAIN;
	}
	for (i = 0; i < BW_LIST_SLOTS; i++) {
		if (info[i].name[0] == '\0')
			continue;
		pkts = 0;
		bytes = 0;
		for (w = 0; w < tel_hdr->nb_workers; w++) {
			ls = (const void *)(base() + tel_hdr->list_stats_off +
					    (size_t)w *
						    tel_hdr->list_stats_size);
			pkts += LOAD(ls[i].pkts);
			bytes += LOAD(ls[i].bytes);
		}
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		memcpy(name, info[i].name, sizeof(info[i].name));
		name[sizeof(name) - 1] = '\0';
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_string(c, "name", name);
		rte_tel_data_add_dict_string(
			c, "action",
			info[i].action == BW_ACTION_ALLOW ? "allow" : "drop");
		rte_tel_data_add_dict_u64(c, "hits_pkts",
					  pkts - info[i].base_pkts);
		rte_tel_data_add_dict_u64(c, "hits_bytes",
					  bytes - info[i].base_bytes);
		rte_tel_data_add_dict_u64(c, "prefixes_v4", info[i].nb_v4);
		rte_tel_data_add_dict_u64(c, "prefixes_v6", info[i].nb_v6);
		rte_tel_data_add_dict_u64(c, "since_gen", info[i].since_gen);
		key_of(key, sizeof(key), name);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	leave();
	return 0;
}

/* One rule among the top N. */
struct top {
	uint32_t sid, rev;
	uint8_t action;
	uint64_t pkts, bytes;
};

static const char *
rule_action(uint8_t a)
{
	return a == BW_RULE_DROP   ? "drop"
	       : a == BW_RULE_PASS ? "pass"
				   : "alert";
}

static int
tel_rules(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static struct bw_rule_info info[BW_RULE_SLOTS]; /* under tel_lock */
	const struct bw_rule_tab *tab;
	const struct bw_rule_stats *rs;
	struct top top[TOP_MAX], cand;
	struct rte_tel_data *c;
	struct bw_rule_tab t;
	unsigned long want = TOP_DEFAULT;
	unsigned int nb = 0, j;
	char key[16], *end;
	uint32_t i, w, s1, s2;
	int tries;

	(void)cmd;
	if (params != NULL && *params != '\0') {
		errno = 0;
		want = strtoul(params, &end, 10);
		if (errno != 0 || *end != '\0' || want == 0 || want > TOP_MAX)
			return -EINVAL;
	}
	if (enter(d) < 0)
		return 0;
	tab = (const void *)(base() + tel_hdr->rule_tab_off);
	for (tries = 0; tries < SEQ_TRIES; tries++) {
		s1 = __atomic_load_n(&tab->seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		memcpy(&t, tab, sizeof(t));
		if (t.nb_rules > BW_RULE_SLOTS)
			t.nb_rules = BW_RULE_SLOTS;
		memcpy(info, tab + 1, t.nb_rules * sizeof(info[0]));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&tab->seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			break;
	}
	if (tries == SEQ_TRIES) {
		leave();
		return -EAGAIN;
	}
	for (i = 0; i < t.nb_rules; i++) {
		memset(&cand, 0, sizeof(cand));
		cand.sid = info[i].sid;
		cand.rev = info[i].rev;
		cand.action = info[i].action;
		for (w = 0; w < tel_hdr->nb_workers; w++) {
			rs = (const void *)(base() + tel_hdr->rule_stats_off +
					    (size_t)w *
						    tel_hdr->rule_stats_size);
			rs += (size_t)(t.bank & 1) * BW_RULE_SLOTS + i;
			cand.pkts += LOAD(rs->pkts);
			cand.bytes += LOAD(rs->bytes);
		}
		if (cand.pkts == 0)
			continue;
		/* insert into top[], most hits first, at most want */
		if (nb == want && top[nb - 1].pkts >= cand.pkts)
			continue;
		j = nb < want ? nb++ : nb - 1;
		for (; j > 0 && top[j - 1].pkts < cand.pkts; j--)
			top[j] = top[j - 1];
		top[j] = cand;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "since_gen", t.generation);
	rte_tel_data_add_dict_u64(d, "nb_rules", t.nb_rules);
	for (j = 0; j < nb; j++) {
		c = rte_tel_data_alloc();
		if (c == NULL)
			break;
		rte_tel_data_start_dict(c);
		rte_tel_data_add_dict_u64(c, "sid", top[j].sid);
		rte_tel_data_add_dict_u64(c, "rev", top[j].rev);
		rte_tel_data_add_dict_string(c, "action",
					     rule_action(top[j].action));
		rte_tel_data_add_dict_u64(c, "hits_pkts", top[j].pkts);
		rte_tel_data_add_dict_u64(c, "hits_bytes", top[j].bytes);
		snprintf(key, sizeof(key), "top%u", j + 1);
		rte_tel_data_add_dict_container(d, key, c, 0);
	}
	leave();
	return 0;
}

static int
tel_generation(const char *cmd, const char *params, struct rte_tel_data *d)
{
	const struct bw_rule_tab *tab;

	(void)cmd;
	(void)params;
	if (enter(d) < 0)
		return 0;
	tab = (const void *)(base() + tel_hdr->rule_tab_off);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(
		d, "applied_gen",
		__atomic_load_n(&tel_hdr->applied_gen, __ATOMIC_ACQUIRE));
	rte_tel_data_add_dict_u64(d, "applied_ns", LOAD(tel_hdr->applied_ns));
	rte_tel_data_add_dict_u64(d, "rules_gen", LOAD(tab->generation));
	rte_tel_data_add_dict_u64(d, "restore_gen", LOAD(tel_hdr->restore_gen));
	leave();
	return 0;
}

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} endpoints[] = {
	{"/bulwark/status", tel_status,
	 "Bulwark: instance, state, heartbeat age, generation. No parameters"},
	{"/bulwark/totals", tel_totals,
	 "Bulwark: counters summed over the workers. No parameters"},
	{"/bulwark/drops", tel_drops,
	 "Bulwark: packets dropped by reason. No parameters"},
	{"/bulwark/workers", tel_workers,
	 "Bulwark: counters of each worker. No parameters"},
	{"/bulwark/ports", tel_ports,
	 "Bulwark: counters of each port. No parameters"},
	{"/bulwark/lists", tel_lists,
	 "Bulwark: hits and prefixes of each list. No parameters"},
	{"/bulwark/rules", tel_rules,
	 "Bulwark: the content rules with most hits. Parameters: int N "
	 "(1-64, default 10)"},
	{"/bulwark/generation", tel_generation,
	 "Bulwark: ruleset and rule set generations. No parameters"},
};

int
dp_telemetry_init(const struct dp_status *st)
{
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&tel_lock);
	tel_hdr = st->hdr;
	pthread_mutex_unlock(&tel_lock);
	for (i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
		if (rte_telemetry_register_cmd(endpoints[i].cmd,
					       endpoints[i].fn,
					       endpoints[i].help) != 0) {
			DP_LOG(WARNING, "telemetry: cannot register %s",
			       endpoints[i].cmd);
			ret = -EINVAL;
		}
	return ret;
}

void
dp_telemetry_stop(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_hdr = NULL;
	pthread_mutex_unlock(&tel_lock);
}
