/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane as a service: what runs before EAL, signals, systemd
 * notification (sd_notify: READY=1, STATUS=, WATCHDOG=1, STOPPING=1) and
 * the SIGUSR1 summary. Main lcore only (see service.h).
 *
 * Watchdog: the main lcore sends WATCHDOG=1 (every half of $WATCHDOG_USEC)
 * only when every worker's poll loop counter (bw_worker_stats.loops, one
 * relaxed store per loop, status region) moved since the last ping. A
 * worker stuck in a loop, or the main lcore itself, stops the pings and
 * systemd restarts the process (WatchdogSec=).
 *
 * Test hook, not for production: BULWARK_TEST_STALL_WORKER=N=SECONDS
 * arms SIGUSR2 to stall worker N for SECONDS (a sleep in a signal handler
 * on that worker's thread). Unset, SIGUSR2 keeps its default and nothing
 * of the hook exists; set, the workers' loop is unchanged too.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_launch.h>

#include "dp.h"
#include "dp_log.h"
#include "dp_sig.h"
#include "service.h"

#define SVC_STUCK_CHECK_NS (1000ull * 1000 * 1000) /* without a watchdog */
#define SVC_STALL_MAX_S	   3600
#define SVC_TICK_NS	   (10ull * 1000 * 1000) /* main.c's loop */

static struct {
	const struct dp_config *cfg;
	struct dp_status *st;
	unsigned int nb_workers;
	unsigned int nb_ports;
	const uint16_t *port_ids;
	char port_names[512]; /* space separated: BULWARK_PORTS */
	uint64_t wd_ns;	      /* systemd watchdog interval, 0: none */
	uint64_t check_ns;    /* how often the workers' loops are compared */
	uint64_t next_check_ns;
	uint64_t last_loops[BW_WORKER_MAX];
	int stuck;		 /* a worker made no progress: pings withheld */
	uint64_t shown_gen;	 /* the generation of the last STATUS= */
	uint32_t hup_seen;	 /* dp_hup_gen handled */
	int ready;		 /* dp_svc_ready() ran */
	struct dp_hook_run hook; /* the start hook, while it runs */
} svc = {.stuck = -1, .shown_gen = UINT64_MAX};

static volatile sig_atomic_t usr1_pending;

/* the stall test hook */
static volatile sig_atomic_t stall_pending;
static volatile pid_t stall_tid; /* thread of the worker to stall */
static unsigned int stall_worker, stall_s;

int
dp_svc_early(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("bulwark %s\n", BW_VERSION);
			return 1;
		}
		if (strcmp(argv[i], "--help") == 0) {
			dp_args_usage("bulwark");
			printf("\nEAL options (before --): see the DPDK EAL "
			       "parameters guide; common ones:\n"
			       "  -l MAIN,WORKER...  -a PCI  --vdev DEV  "
			       "--file-prefix NAME  -m MB  --no-huge\n");
			return 1;
		}
	}
	return 0;
}

static void
on_stop(int sig)
{
	(void)sig;
	__atomic_store_n(&dp_stopping, 1, __ATOMIC_RELAXED);
}

static void
on_hup(int sig)
{
	(void)sig;
	__atomic_fetch_add(&dp_hup_gen, 1, __ATOMIC_RELAXED);
}

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_pending = 1;
}

/* SIGUSR2 with the stall hook armed: sleep on the worker, else forward. */
static void
on_usr2(int sig)
{
	struct timespec left = {.tv_sec = stall_s};
	int saved = errno;

	(void)sig;
	if ((pid_t)syscall(SYS_gettid) != stall_tid) {
		stall_pending = 1;
		return;
	}
	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
	errno = saved;
}

static void
handle(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
dp_svc_signals(void)
{
	/* a reader of stdout that went away must not kill the dataplane */
	handle(SIGPIPE, SIG_IGN);
	handle(SIGINT, on_stop);
	handle(SIGTERM, on_stop);
	handle(SIGHUP, on_hup);
	handle(SIGUSR1, on_usr1);
}

static int
tid_get(void *arg)
{
	*(volatile pid_t *)arg = (pid_t)syscall(SYS_gettid);
	return 0;
}

/* Parse BULWARK_TEST_STALL_WORKER and find the worker's thread. */
static int
stall_arm(const char *v, char *why, size_t why_len)
{
	unsigned int lcore, i = 0;
	char *end;
	unsigned long n, s;

	n = strtoul(v, &end, 10);
	if (end == v || *end != '=')
		goto bad;
	s = strtoul(end + 1, &end, 10);
	if (*end != '\0' || n >= svc.nb_workers || s == 0 ||
	    s > SVC_STALL_MAX_S)
		goto bad;
	stall_worker = (unsigned int)n;
	stall_s = (unsigned int)s;
	RTE_LCORE_FOREACH_WORKER (lcore) {
		if (i++ != stall_worker)
			continue;
		if (rte_eal_remote_launch(
			    tid_get, (void *)(uintptr_t)&stall_tid, lcore) != 0)
			goto bad;
		rte_eal_wait_lcore(lcore);
	}
	handle(SIGUSR2, on_usr2);
	DP_LOG(WARNING,
	       "test hook armed: SIGUSR2 stalls worker %u for %u s "
	       "(BULWARK_TEST_STALL_WORKER)",
	       stall_worker, stall_s);
	return 0;
bad:
	snprintf(why, why_len,
		 "BULWARK_TEST_STALL_WORKER='%s': use N=SECONDS, N a worker "
		 "(0-%u), SECONDS 1-%d",
		 v, svc.nb_workers - 1, SVC_STALL_MAX_S);
	return -1;
}

int
dp_svc_init(const struct dp_config *cfg, unsigned int nb_workers, char *why,
	    size_t why_len)
{
	const char *stall = getenv("BULWARK_TEST_STALL_WORKER");
	uint64_t usec = 0;
	int fd;

	svc.cfg = cfg;
	svc.nb_workers = nb_workers;
	if (cfg->bypass_hook[0] != '\0') {
		fd = dp_hook_open(cfg->bypass_hook, why, why_len);
		if (fd < 0)
			return -1;
		close(fd);
	}
	if (stall != NULL && stall[0] != '\0' &&
	    stall_arm(stall, why, why_len) != 0)
		return -1;
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
		svc.wd_ns = usec * 1000;
	svc.check_ns = svc.wd_ns != 0 ? svc.wd_ns / 2 : SVC_STUCK_CHECK_NS;
	if (svc.check_ns < SVC_TICK_NS)
		svc.check_ns = SVC_TICK_NS;
	return 0;
}

/* Tell systemd what runs (STATUS=), when it changed. */
static void
status_notify(void)
{
	uint64_t gen =
		__atomic_load_n(&svc.st->hdr->applied_gen, __ATOMIC_ACQUIRE);

	if (gen == svc.shown_gen)
		return;
	svc.shown_gen = gen;
	if (gen != 0)
		sd_notifyf(0,
			   "STATUS=running: generation %" PRIu64
			   ", %u workers, %u ports",
			   gen, svc.nb_workers, svc.nb_ports);
	else
		sd_notifyf(0,
			   "STATUS=running: no generation (%s), %u workers, "
			   "%u ports",
			   svc.st->hdr->fail_closed ? "dropping everything"
						    : "forwarding everything",
			   svc.nb_workers, svc.nb_ports);
}

void
dp_svc_ready(struct dp_status *st, const uint16_t *port_ids,
	     unsigned int nb_ports)
{
	unsigned int i;
	size_t off = 0;
	int ret;

	svc.st = st;
	svc.port_ids = port_ids;
	svc.nb_ports = nb_ports;
	for (i = 0; i < nb_ports; i++) {
		char name[RTE_ETH_NAME_MAX_LEN];

		if (rte_eth_dev_get_name_by_port(port_ids[i], name) != 0)
			snprintf(name, sizeof(name), "%u", port_ids[i]);
		ret = snprintf(svc.port_names + off,
			       sizeof(svc.port_names) - off, "%s%s",
			       i ? " " : "", name);
		if (ret < 0 || (size_t)ret >= sizeof(svc.port_names) - off)
			break;
		off += (size_t)ret;
	}
	for (i = 0; i < svc.nb_workers; i++)
		svc.last_loops[i] = __atomic_load_n(
			&dp_status_worker(st, i)->loops, __ATOMIC_RELAXED);
	svc.next_check_ns = dp_clock_ns(CLOCK_MONOTONIC) + svc.check_ns;
	if (svc.cfg->link_propagate) {
		ret = dp_link_init(port_ids, nb_ports,
				   dp_clock_ns(CLOCK_MONOTONIC));
		if (ret != 0)
			DP_LOG(ERR, "--link-propagate: %s; links not watched",
			       strerror(-ret));
		else
			dp_link_check(dp_clock_ns(CLOCK_MONOTONIC));
	}
	/* not waited for here: the main loop goes on meanwhile */
	if (svc.cfg->bypass_hook[0] != '\0')
		dp_hook_spawn(&svc.hook, svc.cfg->bypass_hook, "start",
			      svc.cfg->instance, svc.port_names);
	svc.ready = 1;
	status_notify();
	sd_notify(0, "READY=1");
	if (svc.wd_ns != 0)
		DP_LOG(INFO,
		       "systemd watchdog: %" PRIu64 " ms, pinged while every "
		       "worker makes progress",
		       svc.wd_ns / 1000000);
}

/* The workers' loops moved since the last check? Ping, or withhold. */
static void
watchdog_check(uint64_t now)
{
	unsigned int i;
	int stuck = -1;

	if (now < svc.next_check_ns)
		return;
	svc.next_check_ns = now + svc.check_ns;
	for (i = 0; i < svc.nb_workers; i++) {
		uint64_t l = __atomic_load_n(
			&dp_status_worker(svc.st, i)->loops, __ATOMIC_RELAXED);

		if (l == svc.last_loops[i] && stuck < 0)
			stuck = (int)i;
		svc.last_loops[i] = l;
	}
	if (stuck < 0) {
		if (svc.wd_ns != 0)
			sd_notify(0, "WATCHDOG=1");
		if (svc.stuck >= 0) {
			DP_LOG(WARNING, "worker %d makes progress again",
			       svc.stuck);
			svc.stuck = -1;
			svc.shown_gen = UINT64_MAX; /* STATUS= again */
		}
		return;
	}
	if (svc.stuck == stuck)
		return;
	svc.stuck = stuck;
	DP_LOG(ERR,
	       "worker %d (lcore %u) made no progress for %" PRIu64 " ms%s",
	       stuck, dp_status_worker(svc.st, (uint32_t)stuck)->lcore_id,
	       svc.check_ns / 1000000,
	       svc.wd_ns != 0 ? ": watchdog pings withheld, systemd will "
				"restart the dataplane"
			      : "");
	sd_notifyf(0, "STATUS=stalled: worker %d made no progress", stuck);
}

/* SIGUSR1: one summary of the status region in the log. */
static void
summary_log(void)
{
	const struct bw_status_hdr *h = svc.st->hdr;
	uint64_t rx = 0, tx = 0, drop = 0;
	unsigned int i;

	for (i = 0; i < svc.nb_workers; i++) {
		const struct bw_worker_stats *w = dp_status_worker(svc.st, i);

		rx += __atomic_load_n(&w->rx_pkts, __ATOMIC_RELAXED);
		tx += __atomic_load_n(&w->tx_pkts, __ATOMIC_RELAXED);
		drop += __atomic_load_n(&w->drop_pkts, __ATOMIC_RELAXED);
	}
	DP_LOG(INFO,
	       "status: instance %s, generation %" PRIu64 ", %s, %u workers"
	       "%s, rx %" PRIu64 " tx %" PRIu64 " drop %" PRIu64 " packets",
	       h->instance, __atomic_load_n(&h->applied_gen, __ATOMIC_ACQUIRE),
	       h->fail_closed ? "fail-closed" : "fail-open", svc.nb_workers,
	       svc.stuck >= 0 ? " (one stalled)" : "", rx, tx, drop);
	for (i = 0; i < svc.nb_ports; i++) {
		const struct bw_port_stats *p = dp_status_port(svc.st, i);

		DP_LOG(INFO,
		       "status: port %s (%s of pair %u): link %s, in %" PRIu64
		       " out %" PRIu64 " missed %" PRIu64 " packets",
		       p->name,
		       p->role == BW_ROLE_OUTSIDE ? "outside" : "inside",
		       p->pair, p->link_up ? "up" : "down", p->ipackets,
		       p->opackets, p->imissed);
	}
}

void
dp_svc_tick(void)
{
	uint64_t now = dp_clock_ns(CLOCK_MONOTONIC);
	uint32_t hup = __atomic_load_n(&dp_hup_gen, __ATOMIC_RELAXED);

	if (!svc.ready)
		return;
	if (hup != svc.hup_seen) {
		svc.hup_seen = hup;
		if (dp_log_reopen() == 0)
			DP_LOG(INFO, "SIGHUP: log reopened");
	}
	if (usr1_pending) {
		usr1_pending = 0;
		summary_log();
	}
	if (stall_pending) {
		stall_pending = 0;
		DP_LOG(WARNING, "test hook: stalling worker %u for %u s",
		       stall_worker, stall_s);
		syscall(SYS_tgkill, getpid(), stall_tid, SIGUSR2);
	}
	if (svc.hook.pid > 0)
		dp_hook_poll(&svc.hook, 0);
	watchdog_check(now);
	status_notify();
	if (svc.cfg->link_propagate)
		dp_link_check(now);
}

void
dp_svc_stop(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	if (!svc.ready)
		return;
	if (svc.hook.pid > 0)
		dp_hook_poll(&svc.hook, 1);
	if (svc.cfg->bypass_hook[0] != '\0')
		dp_hook_run(svc.cfg->bypass_hook, "stop", svc.cfg->instance,
			    svc.port_names);
	if (svc.cfg->link_propagate)
		dp_link_restore();
}
