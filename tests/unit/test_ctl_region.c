/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of bulwarkctl's status region reader (ctl_region): which
 * regions it refuses to open and why, the liveness verdict of an open one
 * (stale, stopped, not responding, running) and the line it reports for
 * each, on real shm regions (test_ctl_fixture.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "test_ctl_fixture.h"

/* The line ctl_region_report() writes for verdict v, in a static buffer. */
static const char *
report_of(enum ctl_verdict v, uint64_t now_mono_ns)
{
	static char line[512];
	FILE *f;

	line[0] = '\0'; /* fmemopen writes no NUL when nothing is written */
	f = fmemopen(line, sizeof(line), "w");
	if (f == NULL)
		return "";
	ctl_region_report(f, &g_r, v, now_mono_ns, "");
	fclose(f);
	return line;
}

/*
 * ctl_region_open() refuses the region with err and verdict v, mapping
 * nothing; when what is not NULL, the reason it gives contains it.
 */
static void
expect_refused(int err, enum ctl_verdict v, const char *what)
{
	CU_ASSERT_EQUAL(reader_open(), err);
	CU_ASSERT_EQUAL(g_r.verdict, v);
	CU_ASSERT_PTR_NULL(g_r.base);
	if (what != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, what));
}

/* --- regions refused ---------------------------------------------------- */

static void
test_missing(void)
{
	char expect[160];

	expect_refused(-ENOENT, CTL_VERDICT_MISSING, NULL);
	snprintf(expect, sizeof(expect),
		 "bulwarkctl: instance '%s' is not running (no status "
		 "region %s)\n",
		 g_instance, g_shm_name);
	CU_ASSERT_STRING_EQUAL(report_of(g_r.verdict, 0), expect);
}

static void
test_bad_instance_name(void)
{
	CU_ASSERT_EQUAL(ctl_region_open(&g_r, "a/b"), -EINVAL);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_OPEN_ERROR);
	CU_ASSERT_EQUAL(ctl_region_open(&g_r, ""), -EINVAL);
}

static void
test_bad_magic(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->magic = 0x1122334455667788ULL;
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, "bad magic");
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report_of(g_r.verdict, 0), "corrupt status region"));

	/* A region still being created says so. */
	hdr()->magic = 0;
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, "not initialised");
}

#define BW_STR_(x) #x
#define BW_STR(x)  BW_STR_(x)

static void
test_abi_major(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->abi_major = BW_STATUS_ABI_MAJOR + 1;
	expect_refused(-EPROTO, CTL_VERDICT_INCOMPATIBLE, NULL);
	/* the minor is whatever this build writes: not the point here */
	CU_ASSERT_STRING_EQUAL(
		g_r.what,
		"ABI 2." BW_STR(
			BW_STATUS_ABI_MINOR) ", this bulwarkctl reads 1.x");

	/* A newer minor version is fine. */
	hdr()->abi_major = BW_STATUS_ABI_MAJOR;
	hdr()->abi_minor = BW_STATUS_ABI_MINOR + 3;
	CU_ASSERT_EQUAL(reader_open(), 0);
}

static void
test_region_too_small(void)
{
	size_t size = bw_status_region_size(2, 1);
	int fd;

	/* The object is one record shorter than region_size claims. */
	CU_ASSERT_FATAL(region_create(2, 1, 0) == 0);
	hdr()->region_size = size + sizeof(struct bw_port_stats);
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, "region_size");

	/* An object smaller than a header. */
	CU_ASSERT_FATAL(region_create(0, 0, 100) == 0);
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, NULL);

	/* An empty object (created, not yet sized). */
	region_destroy();
	fd = shm_open(g_shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, NULL);

	/* A header size below ours. */
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->hdr_size = 128;
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, NULL);
}

/* Set one layout field wrongly and expect CORRUPT. */
static void
expect_corrupt_layout(const char *label, uint32_t *field, uint32_t value)
{
	uint32_t saved = *field;

	*field = value;
	if (reader_open() != -EBADMSG || g_r.verdict != CTL_VERDICT_CORRUPT)
		fprintf(stderr, "layout case '%s' not refused\n", label);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_CORRUPT);
	CU_ASSERT_PTR_NULL(g_r.base);
	*field = saved;
	CU_ASSERT_EQUAL(reader_open(), 0);
	ctl_region_close(&g_r);
}

static void
test_records_out_of_bounds(void)
{
	struct bw_status_hdr *h;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	h = hdr();
	CU_ASSERT_EQUAL(reader_open(), 0);
	ctl_region_close(&g_r);

	/* Port records past the end. */
	expect_corrupt_layout("port_off past end", &h->port_off,
			      (uint32_t)h->region_size - BW_CACHE_LINE);
	/* Worker records past the end. */
	expect_corrupt_layout("worker_off past end", &h->worker_off,
			      h->port_off + BW_CACHE_LINE);
	/* Offsets that wrap 32 bits when added naively. */
	expect_corrupt_layout("worker_off wraps", &h->worker_off,
			      UINT32_MAX - 63);
	expect_corrupt_layout("worker_size huge", &h->worker_size,
			      UINT32_MAX - 63);
	expect_corrupt_layout("port_size huge", &h->port_size, UINT32_MAX - 63);
	/* Counts over the ABI maxima. */
	expect_corrupt_layout("nb_workers", &h->nb_workers, BW_WORKER_MAX + 1);
	expect_corrupt_layout("nb_ports", &h->nb_ports, BW_PORT_MAX + 1);
	expect_corrupt_layout("nb_reasons", &h->nb_reasons, BW_REASON_MAX + 1);
	/* Records smaller than this build's structs. */
	expect_corrupt_layout("worker_size", &h->worker_size,
			      sizeof(struct bw_worker_stats) - BW_CACHE_LINE);
	expect_corrupt_layout("port_size", &h->port_size,
			      sizeof(struct bw_port_stats) - BW_CACHE_LINE);
	/* Misaligned, inside the header, overlapping. */
	expect_corrupt_layout("worker_off misaligned", &h->worker_off,
			      h->worker_off + 8);
	expect_corrupt_layout("worker_off in header", &h->worker_off, 0);
	expect_corrupt_layout("ports overlap workers", &h->port_off,
			      h->worker_off + BW_CACHE_LINE);
}

static void
test_unterminated_strings(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	memset(hdr()->instance, 'a', sizeof(hdr()->instance));
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, "instance");

	/* Another instance's region under our name. */
	snprintf(hdr()->instance, sizeof(hdr()->instance), "other");
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, "'other'");

	snprintf(hdr()->instance, sizeof(hdr()->instance), "%s", g_instance);
	memset(hdr()->version, 'v', sizeof(hdr()->version));
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, "version");
}

static void
test_bad_pid(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->pid = 0;
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, NULL);
	hdr()->pid = -1;
	expect_refused(-EBADMSG, CTL_VERDICT_CORRUPT, NULL);
}

/* --- liveness of an open region ----------------------------------------- */

/*
 * A child that has exited at once: reaped, or left a zombie (its exit
 * waited for without reaping) when reap is 0.
 */
static pid_t
exited_child(int reap)
{
	siginfo_t info;
	pid_t child;

	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0)
		_exit(0);
	memset(&info, 0, sizeof(info));
	if (reap) {
		CU_ASSERT_FATAL(waitpid(child, NULL, 0) == child);
	} else {
		CU_ASSERT_FATAL(waitid(P_PID, (id_t)child, &info,
				       WEXITED | WNOWAIT) == 0);
	}
	return child;
}

static void
test_stale_pid(void)
{
	char expect[200];
	pid_t child;

	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	child = exited_child(1);
	hdr()->pid = child;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
			CTL_VERDICT_STALE);
	snprintf(expect, sizeof(expect),
		 "bulwarkctl: instance '%s' is not running: stale status "
		 "region of pid %ld (process gone)\n",
		 g_instance, (long)child);
	CU_ASSERT_STRING_EQUAL(report_of(CTL_VERDICT_STALE, 0), expect);
}

static void
test_zombie_pid(void)
{
	pid_t child = exited_child(0);

	CU_ASSERT_EQUAL(kill(child, 0), 0);
	CU_ASSERT_EQUAL(ctl_pid_alive(child), 0);
	waitpid(child, NULL, 0);
	CU_ASSERT_EQUAL(ctl_pid_alive(getpid()), 1);
	CU_ASSERT_EQUAL(ctl_pid_alive(0), 0);
	CU_ASSERT_EQUAL(ctl_pid_alive(-1), 0);
}

static void
test_stopped(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	/* Stopped wins over a gone process: it is a clean stop. */
	hdr()->pid = exited_child(1);
	hdr()->state = BW_STATE_STOPPED;
	hdr()->stop_time_ns = hdr()->start_time_ns + 60 * NS;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
			CTL_VERDICT_STOPPED);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report_of(CTL_VERDICT_STOPPED, 0), "' stopped at "));
}

static void
test_old_heartbeat(void)
{
	uint64_t hb = 1000 * NS;
	char expect[200];

	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->heartbeat_ns = hb;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, hb + 5200000000ULL),
			CTL_VERDICT_NOT_RESPONDING);
	snprintf(expect, sizeof(expect),
		 "bulwarkctl: instance '%s' is not responding: heartbeat "
		 "5.2 s old (pid %ld)\n",
		 g_instance, (long)getpid());
	CU_ASSERT_STRING_EQUAL(
		report_of(CTL_VERDICT_NOT_RESPONDING, hb + 5200000000ULL),
		expect);
	/* The limit itself is still healthy; a heartbeat ahead is age 0. */
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, hb + CTL_HEARTBEAT_MAX_NS),
			CTL_VERDICT_RUNNING);
	CU_ASSERT_EQUAL(ctl_region_heartbeat_age_ns(&g_r, hb - 1), 0);
}

static void
test_healthy(void)
{
	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
			CTL_VERDICT_RUNNING);
	CU_ASSERT_EQUAL(g_r.nb_workers, 2);
	CU_ASSERT_EQUAL(g_r.nb_ports, 2);
	CU_ASSERT_STRING_EQUAL(g_r.version, "9.8.7");
	CU_ASSERT_STRING_EQUAL(report_of(CTL_VERDICT_RUNNING, 0), "");
	CU_ASSERT_EQUAL(ctl_region_replaced(&g_r), 0);
}

static void
test_other_states(void)
{
	static const struct {
		uint32_t state;
		enum ctl_verdict verdict;
	} cases[] = {
		{BW_STATE_STARTING, CTL_VERDICT_STARTING},
		{BW_STATE_STOPPING, CTL_VERDICT_STOPPING},
		{77, CTL_VERDICT_UNKNOWN_STATE},
	};
	size_t i;

	CU_ASSERT_FATAL(region_create(1, 0, 0) == 0);
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hdr()->state = cases[i].state;
		CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
				cases[i].verdict);
	}
	CU_ASSERT_STRING_EQUAL(ctl_state_name(77), "unknown");
}

static void
test_replaced(void)
{
	struct ctl_region keep;

	CU_ASSERT_FATAL(region_create(1, 0, 0) == 0);
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	/* The dataplane restarts: unlink, create anew under the same name. */
	keep = g_r;
	memset(&g_r, 0, sizeof(g_r)); /* region_destroy() closes g_r */
	region_destroy();
	CU_ASSERT_EQUAL(ctl_region_replaced(&keep), 0); /* absent */
	CU_ASSERT_FATAL(region_create(1, 0, 0) == 0);
	g_r = keep;
	CU_ASSERT_EQUAL(ctl_region_replaced(&g_r), 1);
}

static const struct bw_cunit_test tests[] = {
	{"missing region", test_missing},
	{"invalid instance name", test_bad_instance_name},
	{"bad magic", test_bad_magic},
	{"ABI major mismatch", test_abi_major},
	{"region smaller than region_size", test_region_too_small},
	{"records out of bounds", test_records_out_of_bounds},
	{"unterminated strings", test_unterminated_strings},
	{"bad pid", test_bad_pid},
	{"stale pid", test_stale_pid},
	{"zombie pid", test_zombie_pid},
	{"stopped", test_stopped},
	{"old heartbeat", test_old_heartbeat},
	{"healthy running", test_healthy},
	{"starting, stopping, unknown", test_other_states},
	{"replaced region", test_replaced},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return CTL_FIXTURE_RUN("ctl_region", tests);
}
