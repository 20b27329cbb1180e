/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The status region fixture of the bulwarkctl unit tests
 * (test_ctl_fixture.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "test_ctl_fixture.h"
#include "ctl_sample.h"

char g_instance[BW_NAME_LEN];
char g_shm_name[64];
struct ctl_region g_r;
struct ctl_sample *g_s[2];

static uint8_t *g_map; /* writer's view of the test region */
static size_t g_map_size;

/* fill_counters()'s worker counters: where, worker 0's, worker 1's. */
static const struct {
	size_t off;
	uint64_t v[2];
} worker_counters[] = {
	{WORKER_AT(rx_pkts), {100, 200}},
	{WORKER_AT(rx_bytes), {6400, 25600}},
	{WORKER_AT(tx_pkts), {90, 190}},
	{WORKER_AT(tx_bytes), {5760, 24320}},
	{WORKER_AT(drop_pkts), {10, 10}},
	{WORKER_AT(drop_bytes), {640, 1280}},
	{WORKER_AT(busy_tsc), {20000, 70000}},
	{WORKER_AT(idle_tsc), {5000, 1000}},
	{WORKER_AT(loops), {50, 70}},
	{WORKER_AT(ipv4_pkts), {80, 150}},
	{WORKER_AT(ipv6_pkts), {15, 50}},
	{WORKER_AT(nonip_pkts), {5, 0}},
	{WORKER_AT(frag_pkts), {2, 0}},
	{WORKER_AT(anomaly_pass_pkts), {3, 0}},
	{WORKER_AT(reason_drop_pkts[BW_REASON_IP4_TRUNC]), {4, 1}},
	{WORKER_AT(reason_drop_pkts[BW_REASON_TX_FULL]), {6, 0}},
	{WORKER_AT(reason_drop_pkts[BW_REASON_UDP_LEN]), {0, 9}},
	{WORKER_AT(reason_pass_pkts[BW_REASON_IP4_OPTIONS]), {3, 0}},
	{WORKER_AT(tun_pkts[0]), {7, 4}},
	{WORKER_AT(tun_pkts[2]), {5, 0}},	/* gre */
	{WORKER_AT(tun_pkts[3]), {2, 4}},	/* vxlan */
	{WORKER_AT(tun_depth_pkts[0]), {5, 4}}, /* one level */
	{WORKER_AT(tun_depth_pkts[1]), {2, 0}}, /* two */
	{WORKER_AT(events), {8, 1}},
	{WORKER_AT(events_lost), {0, 3}},
	{WORKER_AT(capture_pkts), {2, 5}},
	{WORKER_AT(capture_lost), {1, 0}},
};

/* fill_counters()'s port 0: up, every ethdev counter distinct. */
static const struct bw_port_stats port0 = {
	.name = "net_memif0",
	.port_id = 10,
	.pair = 0,
	.role = 0,
	.link_up = 1,
	.link_speed_mbps = 25000,
	.nb_queues = 2,
	.ipackets = 1111,
	.opackets = 2222,
	.ibytes = 3333,
	.obytes = 4444,
	.imissed = 5,
	.ierrors = 6,
	.oerrors = 7,
	.rx_nombuf = 8,
	.mac = {0x02, 0x00, 0x5e, 0xab, 0xcd, 0xef},
};

struct bw_status_hdr *
hdr(void)
{
	return (struct bw_status_hdr *)g_map;
}

struct bw_worker_stats *
worker(uint32_t i)
{
	return (struct bw_worker_stats *)(g_map + hdr()->worker_off +
					  (size_t)i * hdr()->worker_size);
}

struct bw_port_stats *
port(uint32_t i)
{
	return (struct bw_port_stats *)(g_map + hdr()->port_off +
					(size_t)i * hdr()->port_size);
}

void
region_destroy(void)
{
	ctl_region_close(&g_r);
	if (g_map != NULL)
		munmap(g_map, g_map_size);
	g_map = NULL;
	g_map_size = 0;
	shm_unlink(g_shm_name);
}

/* Map a new object of obj_size bytes under g_shm_name. */
static int
region_map(size_t obj_size)
{
	int fd;

	fd = shm_open(g_shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)obj_size) < 0) {
		close(fd);
		return -errno;
	}
	g_map_size = obj_size;
	g_map = mmap(NULL, obj_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (g_map == MAP_FAILED) {
		g_map = NULL;
		return -errno;
	}
	return 0;
}

int
region_create(uint32_t nb_workers, uint32_t nb_ports, size_t obj_size)
{
	size_t size = bw_status_region_size(nb_workers, nb_ports);
	struct bw_status_hdr *h;
	uint32_t i;
	int ret;

	region_destroy();
	ret = region_map(obj_size != 0 ? obj_size : size);
	if (ret < 0 || g_map_size < size)
		return ret; /* too short to fill: the test writes what it needs */
	h = hdr();
	*h = (struct bw_status_hdr){
		.abi_major = BW_STATUS_ABI_MAJOR,
		.abi_minor = BW_STATUS_ABI_MINOR,
		.hdr_size = sizeof(*h),
		.region_size = size,
		.pid = getpid(),
		.state = BW_STATE_RUNNING,
		.start_time_ns = 1700000000ULL * NS + 123456789,
		.heartbeat_ns = ctl_now_mono_ns(),
		.tsc_hz = 2500000000ULL,
		.applied_gen = 42,
		.nb_workers = nb_workers,
		.nb_ports = nb_ports,
		.nb_reasons = BW_REASON_COUNT,
		.worker_off = sizeof(*h),
		.worker_size = sizeof(struct bw_worker_stats),
		.port_off =
			(uint32_t)(sizeof(*h) +
				   nb_workers * sizeof(struct bw_worker_stats)),
		.port_size = sizeof(struct bw_port_stats),
	};
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
	h->magic = BW_STATUS_MAGIC; /* last, as the dataplane writes it */
	return 0;
}

int
reader_open(void)
{
	return ctl_region_open(&g_r, g_instance);
}

void
fill_counters(void)
{
	size_t c;
	int i;

	for (c = 0; c < sizeof(worker_counters) / sizeof(worker_counters[0]);
	     c++)
		for (i = 0; i < 2; i++)
			memcpy((uint8_t *)worker(i) + worker_counters[c].off,
			       &worker_counters[c].v[i], sizeof(uint64_t));
	*port(0) = port0;
	port(1)->pair = 0;
	port(1)->link_up = 0;
	/* A name that needs escaping in JSON. */
	snprintf(port(1)->name, sizeof(port(1)->name), "we\"ird\\\x01\xff");
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

int
ctl_fixture_run(const char *name, const struct bw_cunit_test *tests, size_t n)
{
	const struct bw_cunit_suite suite = {
		.name = name,
		.init = suite_init,
		.clean = suite_clean,
		.setup = test_setup,
		.teardown = region_destroy,
	};

	return bw_cunit_run_suite(&suite, tests, n);
}
