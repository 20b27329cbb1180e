/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef DP_SIG_H
#define DP_SIG_H

#include <stdint.h>

/*
 * Bumped by the SIGHUP handler (main.c). A component that writes files
 * (logs, events) keeps its own copy and reopens them when this moved:
 * logrotate renames the file, then sends SIGHUP.
 */
extern volatile uint32_t dp_hup_gen;

#endif /* DP_SIG_H */
