/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The status region the bulwarkctl unit tests read: a real shm object under
 * a per-process instance name, written as the dataplane would through
 * hdr(), worker() and port(), read back through g_r.
 *
 * Each test starts with g_r cleared and ends with the region removed
 * (CTL_FIXTURE_RUN), so a test creates the region it needs.
 */
#ifndef TEST_CTL_FIXTURE_H
#define TEST_CTL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "bw_cunit.h"
#include "bw_names.h"
#include "bw_status.h"
#include "ctl_region.h"
#include "ctl_sample.h"

#define NS 1000000000ULL

/* Where a counter of struct bw_worker_stats is, for tables of them. */
#define WORKER_AT(field) offsetof(struct bw_worker_stats, field)

extern char g_instance[BW_NAME_LEN]; /* "ctltest<pid>" */
extern char g_shm_name[64];	     /* its status region's shm name */
extern struct ctl_region g_r;	     /* the reader, closed after each test */
extern struct ctl_sample *g_s[2];    /* two samples, for rates */

/* The writer's view of the header and of record i. */
struct bw_status_hdr *hdr(void);
struct bw_worker_stats *worker(uint32_t i);
struct bw_port_stats *port(uint32_t i);

/*
 * Create the test region anew: a healthy running dataplane (this process,
 * generation 42, version "9.8.7") with nb_workers and nb_ports records;
 * obj_size 0 means exactly the region size, a smaller one leaves the
 * object unfilled. Returns 0 or a negative errno.
 */
int region_create(uint32_t nb_workers, uint32_t nb_ports, size_t obj_size);
/* Close g_r, unmap and unlink the region. */
void region_destroy(void);
/* ctl_region_open() of the test instance into g_r. */
int reader_open(void);
/*
 * Known counters in a region of two workers and two ports (the sums the
 * stats tests expect); port 1 gets a name that needs escaping in JSON.
 */
void fill_counters(void);

/* Run tests[0..n) as suite name under the fixture; the exit status. */
int ctl_fixture_run(const char *name, const struct bw_cunit_test *tests,
		    size_t n);

#define CTL_FIXTURE_RUN(name, tests)                                           \
	ctl_fixture_run((name), (tests), sizeof(tests) / sizeof((tests)[0]))

#endif /* TEST_CTL_FIXTURE_H */
