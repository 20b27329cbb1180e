/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane as a service (service.c): what runs before EAL (--version,
 * --help), signals, systemd notification and watchdog, the SIGUSR1 status
 * summary, link-fault propagation and the bypass hook. Main lcore only;
 * nothing here runs on a worker (but the test hook's stall, see below).
 */
#ifndef DP_SERVICE_H
#define DP_SERVICE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "dp.h"
#include "dp_status.h"

/*
 * Before rte_eal_init(): when argv holds --version or --help (before or
 * after "--"), print it and return 1 (exit 0, no EAL, no hugepages);
 * else 0.
 */
int dp_svc_early(int argc, char **argv);

/*
 * Before rte_eal_init(): SIGPIPE ignored; SIGINT and SIGTERM stop
 * (dp_stopping); SIGHUP bumps dp_hup_gen (the log file is reopened);
 * SIGUSR1 asks for a status summary in the log. Nothing of it stops the
 * process but SIGINT and SIGTERM.
 */
void dp_svc_signals(void);

/*
 * After the arguments, before the workers are launched: check the bypass
 * hook (cfg->bypass_hook), arm the stall test hook
 * (BULWARK_TEST_STALL_WORKER), read the systemd watchdog interval.
 * Returns 0, or -1 with why filled (do not start).
 */
int dp_svc_init(const struct dp_config *cfg, unsigned int nb_workers, char *why,
		size_t why_len);

/*
 * Once the workers are launched: port_ids (nb_ports, in (outside, inside)
 * order per pair) for link propagation and the summary; run the bypass
 * hook with "start"; tell systemd READY=1 with a STATUS= line.
 */
void dp_svc_ready(struct dp_status *st, const uint16_t *port_ids,
		  unsigned int nb_ports);

/* Every pass of the main loop: watchdog, status, signals, links. */
void dp_svc_tick(void);

/*
 * On the way out, workers still forwarding: STOPPING=1, the bypass hook
 * with "stop", links this process took down put back up.
 */
void dp_svc_stop(void);

/*
 * hook.c: open the bypass hook at path if it is trusted (a regular file,
 * no symbolic link, owned by root or this user, writable by its owner
 * only, in a directory likewise). Returns an O_PATH descriptor, or a
 * negative errno with why filled.
 */
int dp_hook_open(const char *path, char *why, size_t why_len);

/* A run of the bypass hook (hook.c). */
struct dp_hook_run {
	int pid; /* 0: none running */
	uint64_t start_ns;
	char path[PATH_MAX];
	char arg[8];
};

/*
 * hook.c: start the bypass hook: path arg, environment BULWARK_INSTANCE,
 * BULWARK_HOOK (= arg), BULWARK_PID, BULWARK_PORTS (ethdev names, space
 * separated) and PATH, in a process group of its own. Returns 0 (h
 * describes the run), or a negative errno (logged).
 */
int dp_hook_spawn(struct dp_hook_run *h, const char *path, const char *arg,
		  const char *instance, const char *ports);

/*
 * hook.c: has the run ended? 1: still running; 0: exited 0; a negative
 * errno: failed, or killed (with its process group) once 5 s are over or
 * at once with kill_now. Logs the outcome. Never blocks but to reap a
 * killed hook.
 */
int dp_hook_poll(struct dp_hook_run *h, int kill_now);

/* hook.c: spawn and wait (at most 5 s); dp_hook_poll()'s result. */
int dp_hook_run(const char *path, const char *arg, const char *instance,
		const char *ports);

/*
 * link.c: watch the ports (port_ids in (outside, inside) order per pair)
 * for --link-propagate (a kernel interface found administratively down
 * is put up: a run that died may have left it so); 0 or a negative
 * errno. dp_link_check() once per service period; dp_link_restore()
 * puts back up the links it took down.
 */
int dp_link_init(const uint16_t *port_ids, unsigned int nb_ports,
		 uint64_t now_ns);
void dp_link_check(uint64_t now_ns);
void dp_link_restore(void);

#endif /* DP_SERVICE_H */
