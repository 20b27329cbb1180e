/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where the dataplane's log lines go (log.c). Every line that DPDK's
 * rte_log() writes, DP_LOG and EAL's own, passes through one stream that
 * puts an ISO-8601 UTC timestamp and the level in front of each line and
 * sends it to stderr (journald picks that up), to a file (--log-file) or
 * to syslog (--syslog).
 */
#ifndef DP_LOG_H
#define DP_LOG_H

#include <stddef.h>

/*
 * Install the timestamping stream, writing to stderr. Main thread,
 * before rte_eal_init() (so that EAL's lines get it too). Returns 0 or -1
 * (then DPDK's default stream stays).
 */
int dp_log_init(void);

/*
 * Send the lines to the file path (appended, created 0640, no symbolic
 * link followed, a regular file only) or, with use_syslog, to syslog;
 * neither: stderr. Returns 0, or a negative errno with why filled.
 * Main lcore, after the arguments are parsed.
 */
int dp_log_configure(const char *path, int use_syslog, char *why,
		     size_t why_len);

/*
 * Reopen the log file by its name (after logrotate renamed it: SIGHUP).
 * Nothing without --log-file. Returns 0 or a negative errno (the old file
 * stays in use). Main lcore.
 */
int dp_log_reopen(void);

#endif /* DP_LOG_H */
