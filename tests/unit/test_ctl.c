/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of bulwarkctl's status reader: real shm regions under a
 * per-process instance name, every verdict, the stats JSON (parsed with
 * jansson, checked by key) with exact numbers and rates between two
 * samples with injected timestamps.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

#include "bw_cunit.h"
#include "bw_json.h"
#include "bw_names.h"
#include "bw_status.h"
#include "ctl.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_region.h"
#include "ctl_sample.h"
#include "ctl_stats.h"

#define NS 1000000000ULL

static char g_instance[BW_NAME_LEN];
static char g_shm_name[64];
static uint8_t *g_map; /* writer's view of the test region */
static size_t g_map_size;
static struct ctl_region g_r; /* reader, closed by the teardown */
static struct ctl_sample *g_s[2];

/* --- fixtures ----------------------------------------------------------- */

static struct bw_status_hdr *
hdr(void)
{
	return (struct bw_status_hdr *)g_map;
}

static struct bw_worker_stats *
worker(uint32_t i)
{
	return (struct bw_worker_stats *)(g_map + hdr()->worker_off +
					  (size_t)i * hdr()->worker_size);
}

static struct bw_port_stats *
port(uint32_t i)
{
	return (struct bw_port_stats *)(g_map + hdr()->port_off +
					(size_t)i * hdr()->port_size);
}

static void
region_destroy(void)
{
	ctl_region_close(&g_r);
	if (g_map != NULL)
		munmap(g_map, g_map_size);
	g_map = NULL;
	g_map_size = 0;
	shm_unlink(g_shm_name);
}

/*
 * Create the test region: a healthy running dataplane (this process) with
 * nb_workers and nb_ports records; obj_size 0 means exactly region_size.
 */
static int
region_create(uint32_t nb_workers, uint32_t nb_ports, size_t obj_size)
{
	size_t size = bw_status_region_size(nb_workers, nb_ports);
	struct bw_status_hdr *h;
	uint32_t i;
	int fd;

	region_destroy();
	if (obj_size == 0)
		obj_size = size;
	fd = shm_open(g_shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)obj_size) < 0) {
		close(fd);
		return -errno;
	}
	/* Map at least the layout we fill in, even for a short object. */
	g_map_size = obj_size;
	g_map = mmap(NULL, obj_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (g_map == MAP_FAILED) {
		g_map = NULL;
		return -errno;
	}
	if (obj_size < size)
		return 0; /* too short to fill: the test writes what it needs */
	h = hdr();
	h->abi_major = BW_STATUS_ABI_MAJOR;
	h->abi_minor = BW_STATUS_ABI_MINOR;
	h->hdr_size = sizeof(*h);
	h->region_size = size;
	h->pid = getpid();
	h->state = BW_STATE_RUNNING;
	h->start_time_ns = 1700000000ULL * NS + 123456789;
	h->heartbeat_ns = ctl_now_mono_ns();
	h->tsc_hz = 2500000000ULL;
	h->applied_gen = 42;
	h->nb_workers = nb_workers;
	h->nb_ports = nb_ports;
	h->nb_reasons = BW_REASON_COUNT;
	h->worker_off = sizeof(*h);
	h->worker_size = sizeof(struct bw_worker_stats);
	h->port_off = sizeof(*h) + nb_workers * sizeof(struct bw_worker_stats);
	h->port_size = sizeof(struct bw_port_stats);
	snprintf(h->instance, sizeof(h->instance), "%s", g_instance);
	snprintf(h->version, sizeof(h->version), "9.8.7");
	for (i = 0; i < nb_workers; i++) {
		worker(i)->lcore_id = 2 + i;
		worker(i)->socket_id = i % 2;
	}
	for (i = 0; i < nb_ports; i++) {
		snprintf(port(i)->name, sizeof(port(i)->name), "net_memif%u",
			 i);
		port(i)->port_id = (uint16_t)(10 + i);
		port(i)->role = (uint16_t)(i % 2);
	}
	h->magic = BW_STATUS_MAGIC;
	return 0;
}

static int
suite_init(void)
{
	snprintf(g_instance, sizeof(g_instance), "ctltest%ld", (long)getpid());
	if (bw_name_status_shm(g_instance, g_shm_name, sizeof(g_shm_name)) < 0)
		return -1;
	shm_unlink(g_shm_name);
	g_s[0] = calloc(1, sizeof(*g_s[0]));
	g_s[1] = calloc(1, sizeof(*g_s[1]));
	return g_s[0] != NULL && g_s[1] != NULL ? 0 : -1;
}

static int
suite_clean(void)
{
	region_destroy();
	free(g_s[0]);
	free(g_s[1]);
	return 0;
}

static void
test_setup(void)
{
	memset(&g_r, 0, sizeof(g_r));
}

static void
test_teardown(void)
{
	region_destroy();
}

/* Open the test region; returns ctl_region_open()'s result. */
static int
reader_open(void)
{
	return ctl_region_open(&g_r, g_instance);
}

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

/* --- verdicts ----------------------------------------------------------- */

static void
test_missing(void)
{
	char expect[160];

	CU_ASSERT_EQUAL(reader_open(), -ENOENT);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_MISSING);
	CU_ASSERT_PTR_NULL(g_r.base);
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
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_CORRUPT);
	CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, "bad magic"));
	CU_ASSERT_PTR_NOT_NULL(
		strstr(report_of(g_r.verdict, 0), "corrupt status region"));
	CU_ASSERT_PTR_NULL(g_r.base);

	/* A region still being created says so. */
	hdr()->magic = 0;
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, "not initialised"));
}

static void
test_abi_major(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->abi_major = BW_STATUS_ABI_MAJOR + 1;
	CU_ASSERT_EQUAL(reader_open(), -EPROTO);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_INCOMPATIBLE);
	CU_ASSERT_STRING_EQUAL(g_r.what, "ABI 2.1, this bulwarkctl reads 1.x");

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
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_CORRUPT);
	CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, "region_size"));

	/* An object smaller than a header. */
	CU_ASSERT_FATAL(region_create(0, 0, 100) == 0);
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_CORRUPT);

	/* An empty object (created, not yet sized). */
	region_destroy();
	fd = shm_open(g_shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_CORRUPT);

	/* A header size below ours. */
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->hdr_size = 128;
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
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
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_EQUAL(g_r.verdict, CTL_VERDICT_CORRUPT);
	CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, "instance"));

	/* Another instance's region under our name. */
	snprintf(hdr()->instance, sizeof(hdr()->instance), "other");
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, "'other'"));

	snprintf(hdr()->instance, sizeof(hdr()->instance), "%s", g_instance);
	memset(hdr()->version, 'v', sizeof(hdr()->version));
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(g_r.what, "version"));
}

static void
test_bad_pid(void)
{
	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	hdr()->pid = 0;
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
	hdr()->pid = -1;
	CU_ASSERT_EQUAL(reader_open(), -EBADMSG);
}

static void
test_stale_pid(void)
{
	char expect[200];
	pid_t child;

	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0)
		_exit(0);
	CU_ASSERT_FATAL(waitpid(child, NULL, 0) == child);
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
	siginfo_t info;
	pid_t child;

	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0)
		_exit(0);
	/* Wait for the exit without reaping: the child is a zombie now. */
	memset(&info, 0, sizeof(info));
	CU_ASSERT_FATAL(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) ==
			0);
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
	pid_t child;

	CU_ASSERT_FATAL(region_create(1, 1, 0) == 0);
	/* Stopped wins over a gone process: it is a clean stop. */
	child = fork();
	CU_ASSERT_FATAL(child >= 0);
	if (child == 0)
		_exit(0);
	CU_ASSERT_FATAL(waitpid(child, NULL, 0) == child);
	hdr()->pid = child;
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
	CU_ASSERT_FATAL(region_create(1, 0, 0) == 0);
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	hdr()->state = BW_STATE_STARTING;
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
			CTL_VERDICT_STARTING);
	hdr()->state = BW_STATE_STOPPING;
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
			CTL_VERDICT_STOPPING);
	hdr()->state = 77;
	CU_ASSERT_EQUAL(ctl_region_liveness(&g_r, ctl_now_mono_ns()),
			CTL_VERDICT_UNKNOWN_STATE);
	CU_ASSERT_STRING_EQUAL(ctl_state_name(77), "unknown");
}

static void
test_replaced(void)
{
	CU_ASSERT_FATAL(region_create(1, 0, 0) == 0);
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	/* The dataplane restarts: unlink, create anew under the same name. */
	munmap(g_map, g_map_size);
	g_map = NULL;
	shm_unlink(g_shm_name);
	CU_ASSERT_EQUAL(ctl_region_replaced(&g_r), 0); /* absent */
	{
		struct ctl_region keep = g_r;

		memset(&g_r, 0, sizeof(g_r));
		CU_ASSERT_FATAL(region_create(1, 0, 0) == 0);
		g_r = keep;
	}
	CU_ASSERT_EQUAL(ctl_region_replaced(&g_r), 1);
}

/* --- samples and JSON --------------------------------------------------- */

/* Two workers and two ports with known counters. */
static void
fill_counters(void)
{
	struct bw_worker_stats *w0 = worker(0), *w1 = worker(1);

	w0->rx_pkts = 100;
	w0->rx_bytes = 6400;
	w0->tx_pkts = 90;
	w0->tx_bytes = 5760;
	w0->drop_pkts = 10;
	w0->drop_bytes = 640;
	w0->busy_tsc = 20000;
	w0->idle_tsc = 5000;
	w0->loops = 50;
	w0->ipv4_pkts = 80;
	w0->ipv6_pkts = 15;
	w0->nonip_pkts = 5;
	w0->frag_pkts = 2;
	w0->anomaly_pass_pkts = 3;
	w0->reason_drop_pkts[BW_REASON_IP4_TRUNC] = 4;
	w0->reason_drop_pkts[BW_REASON_TX_FULL] = 6;
	w0->reason_pass_pkts[BW_REASON_IP4_OPTIONS] = 3;

	w1->rx_pkts = 200;
	w1->rx_bytes = 25600;
	w1->tx_pkts = 190;
	w1->tx_bytes = 24320;
	w1->drop_pkts = 10;
	w1->drop_bytes = 1280;
	w1->busy_tsc = 70000;
	w1->idle_tsc = 1000;
	w1->loops = 70;
	w1->ipv4_pkts = 150;
	w1->ipv6_pkts = 50;
	w1->reason_drop_pkts[BW_REASON_IP4_TRUNC] = 1;
	w1->reason_drop_pkts[BW_REASON_UDP_LEN] = 9;

	port(0)->pair = 0;
	port(0)->link_up = 1;
	port(0)->link_speed_mbps = 25000;
	port(0)->nb_queues = 2;
	port(0)->ipackets = 1111;
	port(0)->opackets = 2222;
	port(0)->ibytes = 3333;
	port(0)->obytes = 4444;
	port(0)->imissed = 5;
	port(0)->ierrors = 6;
	port(0)->oerrors = 7;
	port(0)->rx_nombuf = 8;
	memcpy(port(0)->mac, "\x02\x00\x5e\xab\xcd\xef", 6);
	port(1)->pair = 0;
	port(1)->link_up = 0;
	/* A name that needs escaping in JSON. */
	snprintf(port(1)->name, sizeof(port(1)->name), "we\"ird\\\x01\xff");
}

/* Render a sample (and rates since prev) into a fresh string. */
static char *
render_json(const struct ctl_sample *cur, const struct ctl_sample *prev,
	    int with_rates)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	ctl_stats_json(f, cur, prev, with_rates);
	fclose(f);
	return buf;
}

static char *
render_text(const struct ctl_sample *cur, const struct ctl_sample *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	ctl_stats_text(f, cur, prev);
	fclose(f);
	return buf;
}

static const uint64_t t_mono = 5000 * NS;
static const uint64_t t_real = 1700000010ULL * NS + 123456789;

/* Name of the highest-numbered malformed reason of this build. */
static const char *
last_malformed(void)
{
	unsigned int r = BW_REASON_COUNT - 1;

	while (r > 0 && !bw_reason_is_malformed(r))
		r--;
	return bw_reason_name(r);
}

/* "prefix.key" for a key known at run time (a reason name), static. */
static const char *
path_of(const char *prefix, const char *key)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s.%s", prefix, key);
	return path;
}

struct int_member {
	const char *path;
	json_int_t v;
};

static void
test_json_totals(void)
{
	/* The counters of fill_counters(), summed over both workers. */
	static const struct int_member totals[] = {
		{"totals.rx_pkts", 300},
		{"totals.rx_bytes", 32000},
		{"totals.tx_pkts", 280},
		{"totals.tx_bytes", 30080},
		{"totals.drop_pkts", 20},
		{"totals.drop_bytes", 1920},
		{"totals.busy_tsc", 90000},
		{"totals.idle_tsc", 6000},
		{"totals.loops", 120},
		{"totals.ipv4_pkts", 230},
		{"totals.ipv6_pkts", 65},
		{"totals.nonip_pkts", 5},
		{"totals.frag_pkts", 2},
		{"totals.anomaly_pass_pkts", 3},
		{"totals.drops.l2-truncated", 0},
		{"totals.drops.ipv4-truncated", 5},
		{"totals.drops.udp-bad-length", 9},
		{"totals.drops.tx-full", 6},
		{"totals.anomalies_passed.l2-truncated", 0},
		{"totals.anomalies_passed.ipv4-bad-options", 3},
		{"totals.flows.new", 0},
		{"totals.flows.dropped_after_match", 0},
		{"workers[0].id", 0},
		{"workers[0].lcore", 2},
		{"workers[0].socket", 0},
		{"workers[0].rx_pkts", 100},
		{"workers[0].rx_bytes", 6400},
		{"workers[0].tx_pkts", 90},
		{"workers[1].id", 1},
		{"workers[1].lcore", 3},
		{"workers[1].socket", 1},
		{"workers[1].rx_pkts", 200},
		{"ports[0].id", 10},
		{"ports[0].pair", 0},
		{"ports[0].speed_mbps", 25000},
		{"ports[0].queues", 2},
		{"ports[0].ipackets", 1111},
		{"ports[0].opackets", 2222},
		{"ports[0].ibytes", 3333},
		{"ports[0].obytes", 4444},
		{"ports[0].imissed", 5},
		{"ports[0].ierrors", 6},
		{"ports[0].oerrors", 7},
		{"ports[0].rx_nombuf", 8},
		{"ports[1].id", 11},
		{"ports[1].pair", 0},
	};
	/* fill_counters()'s port name, U+FFFD for the invalid byte. */
	static const char name1[] = "we\"ird\\\x01\xef\xbf\xbd";
	const char *last = bw_reason_name(BW_REASON_COUNT - 1);
	char *txt;
	json_t *js;
	size_t i;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->heartbeat_ns = t_mono - 250000000ULL;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);
	CU_ASSERT_EQUAL(g_s[0]->total.rx_pkts, 300);
	CU_ASSERT_EQUAL(g_s[0]->total.reason_drop_pkts[BW_REASON_IP4_TRUNC], 5);
	CU_ASSERT_DOUBLE_EQUAL(ctl_cycles_per_pkt(&g_s[0]->total), 300.0, 1e-9);

	txt = render_json(g_s[0], NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	js = bw_json_line(txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);

	/* Top level, in the order of docs/stats-json.md. */
	CU_ASSERT(bw_json_first_key(js, "", "instance"));
	CU_ASSERT(bw_json_keys_run(
		js, "", "instance", "version", "pid", "state", "health",
		"running", "time", "start_time", "stop_time", "uptime_s",
		"heartbeat_age_s", "tsc_hz", "applied_generation", "totals",
		"workers", "ports", NULL));
	CU_ASSERT(bw_json_is_str(js, "instance", g_instance));
	CU_ASSERT(bw_json_is_str(js, "version", "9.8.7"));
	CU_ASSERT(bw_json_is_int(js, "pid", getpid()));
	CU_ASSERT(bw_json_is_str(js, "state", "running"));
	CU_ASSERT(bw_json_is_str(js, "health", "running"));
	CU_ASSERT(bw_json_is_bool(js, "running", 1));
	CU_ASSERT(bw_json_is_real(js, "time", 1700000010.123456789));
	CU_ASSERT(bw_json_is_real(js, "start_time", 1700000000.123456789));
	/*
	 * A double keeps 17 digits and these times have 19: the nanoseconds
	 * written without rounding are checked on the text.
	 */
	CU_ASSERT_PTR_NOT_NULL(strstr(txt,
				      "\"time\":1700000010.123456789,"
				      "\"start_time\":1700000000.123456789,"));
	CU_ASSERT(bw_json_is_null(js, "stop_time"));
	CU_ASSERT(bw_json_is_real(js, "uptime_s", 10.0));
	CU_ASSERT(bw_json_is_real(js, "heartbeat_age_s", 0.25));
	CU_ASSERT(bw_json_is_int(js, "tsc_hz", 2500000000LL));
	CU_ASSERT(bw_json_is_int(js, "applied_generation", 42));
	CU_ASSERT(bw_json_absent(js, "", "rates"));

	for (i = 0; i < sizeof(totals) / sizeof(totals[0]); i++)
		CU_ASSERT(bw_json_is_int(js, totals[i].path, totals[i].v));

	/* Totals: counters, then the reason tables, flows appended last. */
	CU_ASSERT(bw_json_first_key(js, "totals", "rx_pkts"));
	CU_ASSERT(bw_json_keys_run(
		js, "totals", "rx_pkts", "rx_bytes", "tx_pkts", "tx_bytes",
		"drop_pkts", "drop_bytes", "busy_tsc", "idle_tsc", "loops",
		"cycles_per_pkt", "ipv4_pkts", "ipv6_pkts", "nonip_pkts",
		"frag_pkts", "anomaly_pass_pkts", "drops", "anomalies_passed",
		"flows", NULL));
	CU_ASSERT(bw_json_last_key(js, "totals", "flows"));
	CU_ASSERT(bw_json_is_real(js, "totals.cycles_per_pkt", 300.0));
	/* Drops: every reason but "none", up to the last this build defines. */
	CU_ASSERT(bw_json_first_key(js, "totals.drops", "l2-truncated"));
	CU_ASSERT(bw_json_last_key(js, "totals.drops", last));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.drops", last), 0));
	CU_ASSERT(bw_json_nowhere(js, "none"));
	/* Passes: malformed reasons only, so no "tx-full" there. */
	CU_ASSERT(bw_json_first_key(js, "totals.anomalies_passed",
				    "l2-truncated"));
	CU_ASSERT(bw_json_last_key(js, "totals.anomalies_passed",
				   last_malformed()));
	CU_ASSERT(bw_json_is_int(
		js, path_of("totals.anomalies_passed", last_malformed()), 0));
	CU_ASSERT(bw_json_absent(js, "totals.anomalies_passed", "tx-full"));
	/* TCP stream counters. */
	CU_ASSERT(bw_json_first_key(js, "totals.flows", "new"));
	CU_ASSERT(bw_json_last_key(js, "totals.flows", "dropped_after_match"));

	/* Workers. */
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "workers")), 2);
	CU_ASSERT(bw_json_first_key(js, "workers[0]", "id"));
	CU_ASSERT(bw_json_keys_run(js, "workers[0]", "id", "lcore", "socket",
				   "rx_pkts", "rx_bytes", "tx_pkts", NULL));
	CU_ASSERT(bw_json_keys_run(js, "workers[1]", "id", "lcore", "socket",
				   "rx_pkts", NULL));
	CU_ASSERT(bw_json_is_real(js, "workers[0].cycles_per_pkt", 200.0));
	CU_ASSERT(bw_json_is_real(js, "workers[1].cycles_per_pkt", 350.0));

	/* Ports. */
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "ports")), 2);
	CU_ASSERT(bw_json_first_key(js, "ports[0]", "id"));
	CU_ASSERT(bw_json_keys_run(js, "ports[0]", "id", "name", "role", "pair",
				   "link_up", "speed_mbps", "queues",
				   "ipackets", "opackets", "ibytes", "obytes",
				   "imissed", "ierrors", "oerrors", "rx_nombuf",
				   "mac", NULL));
	CU_ASSERT(bw_json_last_key(js, "ports[0]", "mac"));
	CU_ASSERT(bw_json_is_str(js, "ports[0].name", "net_memif0"));
	CU_ASSERT(bw_json_is_str(js, "ports[0].role", "outside"));
	CU_ASSERT(bw_json_is_bool(js, "ports[0].link_up", 1));
	CU_ASSERT(bw_json_is_str(js, "ports[0].mac", "02:00:5e:ab:cd:ef"));
	CU_ASSERT(bw_json_first_key(js, "ports[1]", "id"));
	CU_ASSERT(bw_json_keys_run(js, "ports[1]", "id", "name", "role", "pair",
				   "link_up", NULL));
	CU_ASSERT(
		bw_json_is_strn(js, "ports[1].name", name1, sizeof(name1) - 1));
	CU_ASSERT(bw_json_is_str(js, "ports[1].role", "inside"));
	CU_ASSERT(bw_json_is_bool(js, "ports[1].link_up", 0));
	json_decref(js);
	free(txt);
}

/* Worker i of rates.workers[]: its id, packet rates and cycles per packet. */
static void
check_worker_rate(json_t *js, unsigned int i, double rx, double tx, double drop,
		  double cycles)
{
	char path[64];

	snprintf(path, sizeof(path), "rates.workers[%u]", i);
	CU_ASSERT(bw_json_first_key(js, path, "id"));
	CU_ASSERT(bw_json_keys_run(js, path, "id", "rx_pps", "tx_pps",
				   "drop_pps", "cycles_per_pkt", NULL));
	CU_ASSERT(bw_json_last_key(js, path, "cycles_per_pkt"));
	CU_ASSERT(bw_json_is_int(js, path_of(path, "id"), i));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "rx_pps"), rx));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "tx_pps"), tx));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "drop_pps"), drop));
	CU_ASSERT(bw_json_is_real(js, path_of(path, "cycles_per_pkt"), cycles));
}

static void
test_json_rates(void)
{
	struct ctl_rates rates;
	char *txt;
	json_t *js;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->heartbeat_ns = t_mono;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);

	/* Two seconds later worker 0 moved, worker 1 did not. */
	worker(0)->rx_pkts += 1000;
	worker(0)->rx_bytes += 64000;
	worker(0)->tx_pkts += 900;
	worker(0)->tx_bytes += 57600;
	worker(0)->drop_pkts += 100;
	worker(0)->busy_tsc += 150000;
	ctl_sample_take(&g_r, g_s[1], t_mono + 2 * NS, t_real + 2 * NS);
	CU_ASSERT_EQUAL_FATAL(ctl_rates_compute(g_s[0], g_s[1], &rates), 0);
	CU_ASSERT_DOUBLE_EQUAL(rates.interval_s, 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.rx_pps, 500.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.rx_bps, 256000.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rates.workers[0].cycles_per_pkt, 150.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(rates.workers[1].rx_pps, 0.0, 1e-12);

	txt = render_json(g_s[1], g_s[0], 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	js = bw_json_line(txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_last_key(js, "", "rates"));
	CU_ASSERT(bw_json_first_key(js, "rates", "interval_s"));
	CU_ASSERT(bw_json_keys_run(js, "rates", "interval_s", "rx_pps",
				   "tx_pps", "drop_pps", "rx_bps", "tx_bps",
				   "cycles_per_pkt", "workers", NULL));
	CU_ASSERT(bw_json_last_key(js, "rates", "workers"));
	CU_ASSERT(bw_json_is_real(js, "rates.interval_s", 2.0));
	CU_ASSERT(bw_json_is_real(js, "rates.rx_pps", 500.0));
	CU_ASSERT(bw_json_is_real(js, "rates.tx_pps", 450.0));
	CU_ASSERT(bw_json_is_real(js, "rates.drop_pps", 50.0));
	CU_ASSERT(bw_json_is_real(js, "rates.rx_bps", 256000.0));
	CU_ASSERT(bw_json_is_real(js, "rates.tx_bps", 230400.0));
	CU_ASSERT(bw_json_is_real(js, "rates.cycles_per_pkt", 150.0));
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "rates.workers")), 2);
	check_worker_rate(js, 0, 500.0, 450.0, 50.0, 150.0);
	check_worker_rate(js, 1, 0.0, 0.0, 0.0, 0.0);
	json_decref(js);
	free(txt);

	/* First sample of a watch: the member is there, null. */
	txt = render_json(g_s[0], NULL, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	js = bw_json_line(txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_is_null(js, "rates"));
	CU_ASSERT(bw_json_last_key(js, "", "rates"));
	json_decref(js);
	free(txt);

	/* Not comparable: no time elapsed, another run of the dataplane. */
	CU_ASSERT_EQUAL(ctl_rates_compute(g_s[1], g_s[1], &rates), -EINVAL);
	g_s[1]->start_time_ns++;
	CU_ASSERT_EQUAL(ctl_rates_compute(g_s[0], g_s[1], &rates), -EINVAL);
	g_s[1]->start_time_ns--;

	/* A counter that went backwards is no change, not 2^64. */
	g_s[1]->total.rx_pkts = 0;
	CU_ASSERT_EQUAL(ctl_rates_compute(g_s[0], g_s[1], &rates), 0);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.rx_pps, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(rates.total.cycles_per_pkt, 0.0, 1e-12);
}

static void
test_unknown_reason(void)
{
	unsigned int r = BW_REASON_COUNT + 1;
	const char *last = bw_reason_name(BW_REASON_COUNT - 1);
	char unk0[32], unk1[32];
	char *txt;
	json_t *js;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->nb_reasons = BW_REASON_COUNT + 2;
	worker(1)->reason_drop_pkts[r] = 17;
	worker(1)->reason_pass_pkts[r] = 4;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);
	txt = render_json(g_s[0], NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	js = bw_json_line(txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	snprintf(unk0, sizeof(unk0), "reason-%u", r - 1);
	snprintf(unk1, sizeof(unk1), "reason-%u", r);
	CU_ASSERT(bw_json_keys_run(js, "totals.drops", last, unk0, unk1, NULL));
	CU_ASSERT(bw_json_last_key(js, "totals.drops", unk1));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.drops", last), 0));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.drops", unk0), 0));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.drops", unk1), 17));
	/* Unknown reasons may be malformed: listed among passes too. */
	CU_ASSERT(bw_json_keys_run(js, "totals.anomalies_passed",
				   last_malformed(), unk0, unk1, NULL));
	CU_ASSERT(bw_json_last_key(js, "totals.anomalies_passed", unk1));
	CU_ASSERT(bw_json_is_int(
		js, path_of("totals.anomalies_passed", last_malformed()), 0));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.anomalies_passed", unk0),
				 0));
	CU_ASSERT(bw_json_is_int(js, path_of("totals.anomalies_passed", unk1),
				 4));
	json_decref(js);
	free(txt);

	/* A dataplane defining fewer reasons: only its own are keys. */
	hdr()->nb_reasons = BW_REASON_TX_FULL;
	ctl_region_close(&g_r);
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);
	txt = render_json(g_s[0], NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	js = bw_json_line(txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_nowhere(js, "tx-full"));
	CU_ASSERT(bw_json_last_key(js, "totals.drops", "fragment-too-small"));
	CU_ASSERT(bw_json_is_int(js, "totals.drops.fragment-too-small", 0));
	CU_ASSERT(bw_json_last_key(js, "totals.anomalies_passed",
				   "fragment-too-small"));
	CU_ASSERT(bw_json_is_int(
		js, "totals.anomalies_passed.fragment-too-small", 0));
	json_decref(js);
	free(txt);
}

static void
test_json_stopped(void)
{
	char *txt;
	json_t *js;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->state = BW_STATE_STOPPED;
	hdr()->stop_time_ns = hdr()->start_time_ns + 90 * NS + 500000000ULL;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);
	txt = render_json(g_s[0], NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	js = bw_json_line(txt, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_keys_run(js, "", "state", "health", "running", NULL));
	CU_ASSERT(bw_json_is_str(js, "state", "stopped"));
	CU_ASSERT(bw_json_is_str(js, "health", "stopped"));
	CU_ASSERT(bw_json_is_bool(js, "running", 0));
	CU_ASSERT(bw_json_keys_run(js, "", "stop_time", "uptime_s", NULL));
	CU_ASSERT(bw_json_is_real(js, "stop_time", 1700000090.623456789));
	/* 19 digits: the exact nanoseconds on the text (test_json_totals). */
	CU_ASSERT_PTR_NOT_NULL(
		strstr(txt, "\"stop_time\":1700000090.623456789,"));
	CU_ASSERT(bw_json_is_real(js, "uptime_s", 90.5));
	json_decref(js);
	free(txt);
}

static void
test_json_escape(void)
{
	static const char valid[] = "a\"b\\c\n\t\x1f\x7f"
				    "\xc3\xa9"		/* é */
				    "\xe2\x82\xac"	/* € */
				    "\xf0\x9f\x98\x80"; /* emoji */
	static const char invalid[] = "\xc0\xaf"	/* overlong '/' */
				      "\xed\xa0\x80"	/* surrogate */
				      "\xe2\x82";	/* truncated */
	/* Each of the 7 invalid bytes reads back as U+FFFD. */
	static const char fffd[] = "\xef\xbf\xbd";
	char in[sizeof(valid) - 1 + sizeof(invalid)];
	char expect[sizeof(valid) - 1 + 7 * (sizeof(fffd) - 1)];
	char *buf = NULL;
	size_t len = 0, n;
	json_t *js;
	FILE *f;

	memcpy(in, valid, sizeof(valid) - 1);
	memcpy(in + sizeof(valid) - 1, invalid, sizeof(invalid));
	memcpy(expect, valid, sizeof(valid) - 1);
	for (n = 0; n < 7; n++)
		memcpy(expect + sizeof(valid) - 1 + n * (sizeof(fffd) - 1),
		       fffd, sizeof(fffd) - 1);

	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ctl_json_write_string(f, in, sizeof(in));
	fputc('\n', f);
	fclose(f);
	/* The escapes themselves: \u for controls and DEL, UTF-8 as is. */
	CU_ASSERT_STRING_EQUAL(
		buf, "\"a\\\"b\\\\c\\n\\t\\u001f\\u007f\xc3\xa9\xe2\x82\xac"
		     "\xf0\x9f\x98\x80\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
		     "\\ufffd\\ufffd\"\n");
	/* What a JSON reader gets back: the bytes, invalid ones replaced. */
	js = bw_json_line(buf, JSON_DECODE_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_is_strn(js, "", expect, sizeof(expect)));
	json_decref(js);
	free(buf);

	/* Length bounds the read: no NUL needed. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ctl_json_write_string(f, "abcdef", 3);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf, "\"abc\"\n");
	js = bw_json_line(buf, JSON_DECODE_ANY);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_is_str(js, "", "abc"));
	json_decref(js);
	free(buf);
}

static void
test_json_writer(void)
{
	struct ctl_json j;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *js;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_u64(&j, "max", UINT64_MAX);
	ctl_json_i64(&j, "neg", -5);
	ctl_json_double(&j, "nan", NAN, 2);
	ctl_json_double(&j, "negzero", -0.0, 1);
	ctl_json_ns_as_s(&j, "t", 5);
	ctl_json_array_begin(&j, "a");
	ctl_json_bool(&j, NULL, true);
	ctl_json_null(&j, NULL);
	ctl_json_object_begin(&j, NULL);
	ctl_json_object_end(&j);
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', f);
	fclose(f);
	CU_ASSERT_STRING_EQUAL(buf,
			       "{\"max\":18446744073709551615,\"neg\":-5,"
			       "\"nan\":null,\"negzero\":0.0,"
			       "\"t\":0.000000005,\"a\":[true,null,{}]}\n");
	/* jansson's integers are int64_t: UINT64_MAX reads as a real. */
	js = bw_json_line(buf, JSON_DECODE_INT_AS_REAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(js);
	CU_ASSERT(bw_json_keys_run(js, "", "max", "neg", "nan", "negzero", "t",
				   "a", NULL));
	CU_ASSERT(bw_json_is_real(js, "max", (double)UINT64_MAX));
	CU_ASSERT(bw_json_is_real(js, "neg", -5.0));
	CU_ASSERT(bw_json_is_null(js, "nan"));
	CU_ASSERT(bw_json_is_real(js, "negzero", 0.0));
	CU_ASSERT(!signbit(json_real_value(bw_json_get(js, "negzero"))));
	CU_ASSERT(bw_json_is_real(js, "t", 5e-9));
	CU_ASSERT_EQUAL(json_array_size(bw_json_get(js, "a")), 3);
	CU_ASSERT(bw_json_is_bool(js, "a[0]", 1));
	CU_ASSERT(bw_json_is_null(js, "a[1]"));
	CU_ASSERT(json_is_object(bw_json_get(js, "a[2]")));
	CU_ASSERT_EQUAL(json_object_size(bw_json_get(js, "a[2]")), 0);
	json_decref(js);
	free(buf);
}

static void
test_text(void)
{
	char *txt;

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->heartbeat_ns = t_mono;
	CU_ASSERT_EQUAL_FATAL(reader_open(), 0);
	ctl_sample_take(&g_r, g_s[0], t_mono, t_real);
	worker(0)->rx_pkts += 1000;
	worker(0)->busy_tsc += 150000;
	ctl_sample_take(&g_r, g_s[1], t_mono + NS, t_real + NS);
	txt = render_text(g_s[1], g_s[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(txt);
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "ruleset generation 42"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "ipv4-truncated"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "udp-bad-length"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "ipv4-bad-options"));
	/* Zero reasons are left out of text. */
	CU_ASSERT_PTR_NULL(strstr(txt, "l2-truncated"));
	CU_ASSERT_PTR_NULL(strstr(txt, "no-ruleset"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "rates over 1.00 s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(txt, "net_memif0"));
	/* Control bytes of a port name never reach the terminal. */
	CU_ASSERT_PTR_NULL(strchr(txt, '\x01'));
	free(txt);
}

/* --- commands ----------------------------------------------------------- */

struct cmd_out {
	char *out, *err;
	size_t out_len, err_len;
	int rc;
};

static void
run_cmd(const struct ctl_cmd *cmd, int argc, char **argv, struct cmd_out *o)
{
	struct ctl_ctx ctx;

	memset(o, 0, sizeof(*o));
	CU_ASSERT_EQUAL_FATAL(ctl_ctx_init(&ctx, g_instance, NULL), 0);
	ctx.out = open_memstream(&o->out, &o->out_len);
	ctx.err = open_memstream(&o->err, &o->err_len);
	CU_ASSERT_FATAL(ctx.out != NULL && ctx.err != NULL);
	o->rc = ctl_cli_exec(&ctx, cmd, argc, argv);
	fclose(ctx.out);
	fclose(ctx.err);
}

static void
cmd_out_free(struct cmd_out *o)
{
	free(o->out);
	free(o->err);
}

static void
test_cmd_status(void)
{
	char a0[] = "status", a1[] = "--bogus";
	char *argv[] = {a0, NULL, NULL};
	struct cmd_out o;

	run_cmd(&ctl_cmd_status, 1, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "is not running (no status"));
	cmd_out_free(&o);

	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	worker(1)->lcore_id = 3;
	run_cmd(&ctl_cmd_status, 1, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "state      running\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "workers    2 (lcores 2-3)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "ruleset    generation 42\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "25 Gbit/s"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "02:00:5e:ab:cd:ef"));
	cmd_out_free(&o);

	hdr()->state = BW_STATE_STOPPED;
	hdr()->stop_time_ns = hdr()->start_time_ns + NS;
	run_cmd(&ctl_cmd_status, 1, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_FAIL);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "' stopped at "));
	CU_ASSERT_PTR_NOT_NULL(strstr(o.out, "state      stopped\n"));
	cmd_out_free(&o);

	argv[1] = a1;
	run_cmd(&ctl_cmd_status, 2, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "unknown option '--bogus'"));
	cmd_out_free(&o);
}

static void
test_cmd_stats(void)
{
	char a0[] = "stats", a1[] = "--json", a2[] = "--watch", a3[] = "0",
	     a4[] = "--count";
	char *argv[] = {a0, a1, NULL, NULL, NULL};
	struct cmd_out o;
	json_t *js;

	run_cmd(&ctl_cmd_stats, 2, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_FAIL);
	CU_ASSERT_STRING_EQUAL(o.out, "");
	cmd_out_free(&o);

	/* A stopped dataplane: final counters, a warning, exit 0. */
	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	hdr()->state = BW_STATE_STOPPED;
	run_cmd(&ctl_cmd_stats, 2, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	js = bw_json_line(o.out, 0);
	CU_ASSERT_PTR_NOT_NULL(js);
	CU_ASSERT(bw_json_is_int(js, "totals.rx_pkts", 300));
	CU_ASSERT(bw_json_is_str(js, "state", "stopped"));
	json_decref(js);
	CU_ASSERT_PTR_NOT_NULL(strstr(o.err, "bulwarkctl: warning: "));
	cmd_out_free(&o);

	/* Bad --watch values are usage errors. */
	argv[2] = a2;
	argv[3] = a3;
	run_cmd(&ctl_cmd_stats, 4, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	cmd_out_free(&o);
	argv[2] = a4;
	argv[3] = a3;
	run_cmd(&ctl_cmd_stats, 4, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_USAGE);
	cmd_out_free(&o);
}

static void
test_cmd_stats_watch(void)
{
	char a0[] = "stats", a1[] = "--json", a2[] = "--watch", a3[] = "0.01",
	     a4[] = "--count", a5[] = "2";
	char *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
	struct cmd_out o;
	json_t *js[3];

	/* The one test that sleeps: two samples 10 ms apart. */
	CU_ASSERT_FATAL(region_create(2, 2, 0) == 0);
	fill_counters();
	run_cmd(&ctl_cmd_stats, 6, argv, &o);
	CU_ASSERT_EQUAL(o.rc, CTL_EXIT_OK);
	CU_ASSERT_STRING_EQUAL(o.err, "");
	/* JSON Lines: exactly two objects, each on its own line. */
	CU_ASSERT_EQUAL_FATAL(bw_json_lines(o.out, js, 3), 2);
	CU_ASSERT(bw_json_is_null(js[0], "rates"));
	CU_ASSERT(bw_json_last_key(js[0], "", "rates"));
	CU_ASSERT(bw_json_last_key(js[1], "", "rates"));
	CU_ASSERT(bw_json_first_key(js[1], "rates", "interval_s"));
	CU_ASSERT(json_is_real(bw_json_get(js[1], "rates.interval_s")));
	CU_ASSERT(json_real_value(bw_json_get(js[1], "rates.interval_s")) >
		  0.0);
	json_decref(js[0]);
	json_decref(js[1]);
	cmd_out_free(&o);
}

static void
test_ctx_init(void)
{
	char long_dir[PATH_MAX + 8];
	struct ctl_ctx ctx;

	unsetenv(CTL_INSTANCE_ENV);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(ctx.instance, "default");
	CU_ASSERT_STRING_EQUAL(ctx.state_dir, "/var/lib/bulwark/default");
	setenv(CTL_INSTANCE_ENV, "blue", 1);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, NULL, "/tmp/x"), 0);
	CU_ASSERT_STRING_EQUAL(ctx.instance, "blue");
	CU_ASSERT_STRING_EQUAL(ctx.state_dir, "/tmp/x");
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "red", NULL), 0);
	CU_ASSERT_STRING_EQUAL(ctx.instance, "red");
	unsetenv(CTL_INSTANCE_ENV);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "no/slash", NULL), -EINVAL);
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "", NULL), -EINVAL);
	CU_ASSERT_EQUAL(
		ctl_ctx_init(&ctx, "a23456789012345678901234567890123", NULL),
		-EINVAL);
	memset(long_dir, 'd', sizeof(long_dir) - 1);
	long_dir[sizeof(long_dir) - 1] = '\0';
	CU_ASSERT_EQUAL(ctl_ctx_init(&ctx, "red", long_dir), -ENAMETOOLONG);
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
	{"json totals, workers, ports", test_json_totals},
	{"json rates", test_json_rates},
	{"json unknown reasons", test_unknown_reason},
	{"json stopped", test_json_stopped},
	{"json string escaping", test_json_escape},
	{"json writer", test_json_writer},
	{"text output", test_text},
	{"status command", test_cmd_status},
	{"stats command", test_cmd_stats},
	{"stats --watch", test_cmd_stats_watch},
	{"context", test_ctx_init},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	static const struct bw_cunit_suite suite = {
		.name = "ctl",
		.init = suite_init,
		.clean = suite_clean,
		.setup = test_setup,
		.teardown = test_teardown,
	};

	return bw_cunit_run_suite(&suite, tests,
				  sizeof(tests) / sizeof(tests[0]));
}
