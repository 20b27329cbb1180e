/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creation and upkeep of the status region. Main lcore only; workers write
 * their own records through the pointers handed out here.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "bw_names.h"
#include "bw_roles.h"
#include "dp.h"
#include "dp_status.h"

/* Group whose members may read the status region and send requests. */
#define DP_OPERATOR_GROUP "bulwark"

/* Nanoseconds on the given clock (CLOCK_REALTIME or CLOCK_MONOTONIC). */
uint64_t
dp_clock_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Refuse to take over a region whose owner is still alive: two dataplanes
 * with one instance name would overwrite each other's counters. Only a
 * region this user (or root) made is believed: one another user planted
 * (any pid in it, pid 1 included) is not a dataplane's and is replaced.
 * Returns 0 when the name is free (or stale, or planted), -EEXIST
 * otherwise.
 */
static int
check_previous(const char *name, const char *instance)
{
	struct bw_status_hdr hdr;
	struct stat st;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO planted under the name must not hang us */
	fd = shm_open(name, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & S_IWOTH) != 0) {
		DP_LOG(WARNING,
		       "status region %s was not made by a dataplane (owner "
		       "uid %u, mode %04o): replacing it",
		       name, (unsigned int)st.st_uid,
		       (unsigned int)(st.st_mode & 07777));
		close(fd);
		return 0;
	}
	n = pread(fd, &hdr, sizeof(hdr), 0);
	close(fd);
	if (n != (ssize_t)sizeof(hdr) || hdr.magic != BW_STATUS_MAGIC)
		return 0;
	if (hdr.state == BW_STATE_STOPPED || hdr.pid <= 0 ||
	    hdr.pid == getpid())
		return 0;
	if (kill(hdr.pid, 0) == 0 || errno == EPERM) {
		DP_LOG(ERR, "instance '%s' is already running as pid %d",
		       instance, (int)hdr.pid);
		return -EEXIST;
	}
	return 0;
}

/*
 * Create the region afresh under name: unlink whatever is there, then
 * O_EXCL, so that no object another user made is ever opened for writing.
 * A name taken again between the two (a user racing us) is retried a few
 * times. Returns an fd or a negative errno.
 */
static int
region_create(const char *name)
{
	int tries, fd = -1;

	for (tries = 0; tries < 8; tries++) {
		shm_unlink(name);
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW,
			      0660);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	return fd < 0 ? -errno : fd;
}

/*
 * Create (or replace a stale) status region for an instance, sized for
 * nb_workers and nb_ports records, mode 0660 and group DP_OPERATOR_GROUP
 * when that group exists. The magic is not written until
 * dp_status_publish(). Returns 0 or a negative errno. Main lcore.
 */
int
dp_status_create(struct dp_status *st, const char *instance,
		 uint32_t nb_workers, uint32_t nb_ports, uint64_t tsc_hz)
{
	struct bw_status_hdr *hdr;
	struct group *gr;
	size_t size;
	void *map;
	int fd, ret;

	memset(st, 0, sizeof(*st));
	if (nb_workers > BW_WORKER_MAX || nb_ports > BW_PORT_MAX)
		return -E2BIG;
	ret = bw_name_status_shm(instance, st->name, sizeof(st->name));
	if (ret != 0)
		return ret;
	ret = check_previous(st->name, instance);
	if (ret != 0)
		return ret;

	fd = region_create(st->name);
	if (fd < 0) {
		DP_LOG(ERR, "shm_open %s: %s", st->name, strerror(-fd));
		return fd;
	}
	/* shm_open's mode goes through the umask; the contract says 0660. */
	if (fchmod(fd, 0660) != 0) {
		ret = -errno;
		goto err_unlink;
	}
	gr = getgrnam(DP_OPERATOR_GROUP);
	if (gr != NULL && fchown(fd, (uid_t)-1, gr->gr_gid) != 0)
		DP_LOG(WARNING, "cannot give %s to group %s: %s", st->name,
		       DP_OPERATOR_GROUP, strerror(errno));
	/* the read-only role reads status and counters too (ACL) */
	ret = bw_grant_readers(fd);
	if (ret < 0 && ret != -ENOENT)
		DP_LOG(WARNING, "cannot let group %s read %s: %s",
		       BW_READER_GROUP, st->name, strerror(-ret));

	size = bw_status_region_size(nb_workers, nb_ports);
	if (ftruncate(fd, (off_t)size) != 0) {
		ret = -errno;
		goto err_unlink;
	}
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto err_unlink;
	}
	close(fd);

	hdr = map;
	hdr->abi_major = BW_STATUS_ABI_MAJOR;
	hdr->abi_minor = BW_STATUS_ABI_MINOR;
	hdr->hdr_size = sizeof(*hdr);
	hdr->region_size = size;
	hdr->pid = getpid();
	hdr->state = BW_STATE_STARTING;
	hdr->start_time_ns = dp_clock_ns(CLOCK_REALTIME);
	hdr->heartbeat_ns = dp_clock_ns(CLOCK_MONOTONIC);
	hdr->tsc_hz = tsc_hz;
	hdr->nb_workers = nb_workers;
	hdr->nb_ports = nb_ports;
	hdr->nb_reasons = BW_REASON_COUNT;
	hdr->worker_off = sizeof(*hdr);
	hdr->worker_size = sizeof(struct bw_worker_stats);
	hdr->port_off = (uint32_t)(sizeof(*hdr) +
				   nb_workers * sizeof(struct bw_worker_stats));
	hdr->port_size = sizeof(struct bw_port_stats);
	hdr->list_info_off = hdr->port_off + nb_ports * hdr->port_size;
	hdr->nb_list_slots = BW_LIST_SLOTS;
	hdr->list_stats_off = hdr->list_info_off +
			      BW_LIST_SLOTS * sizeof(struct bw_list_info);
	hdr->list_stats_size = BW_LIST_STATS_BLOCK;
	hdr->bpf_info_off =
		hdr->list_stats_off + nb_workers * hdr->list_stats_size;
	hdr->nb_bpf_slots = BW_BPF_SLOTS;
	hdr->bpf_stats_off =
		hdr->bpf_info_off + BW_BPF_SLOTS * sizeof(struct bw_bpf_info);
	hdr->bpf_stats_size = BW_BPF_STATS_BLOCK;
	hdr->rule_tab_off =
		hdr->bpf_stats_off + nb_workers * hdr->bpf_stats_size;
	hdr->nb_rule_slots = BW_RULE_SLOTS;
	hdr->rule_stats_off = hdr->rule_tab_off + sizeof(struct bw_rule_tab) +
			      BW_RULE_SLOTS * sizeof(struct bw_rule_info);
	hdr->rule_stats_size = BW_RULE_STATS_BLOCK;
	snprintf(hdr->instance, sizeof(hdr->instance), "%s", instance);
	snprintf(hdr->version, sizeof(hdr->version), "%s", BW_VERSION);
	st->hdr = hdr;
	st->size = size;
	return 0;

err_unlink:
	DP_LOG(ERR, "status region %s: %s", st->name, strerror(-ret));
	close(fd);
	shm_unlink(st->name);
	return ret;
}

/*
 * Make the region valid for readers: the magic goes last, with release
 * order, so that a reader that sees it (acquire, ctl_region_open) sees a
 * complete header.
 */
void
dp_status_publish(struct dp_status *st)
{
	__atomic_store_n(&st->hdr->magic, BW_STATUS_MAGIC, __ATOMIC_RELEASE);
}

/* The region's record i of size bytes of the table at off. */
static inline void *
region_at(const struct dp_status *st, uint64_t off, uint32_t i, uint64_t size)
{
	return (uint8_t *)st->hdr + off + (size_t)i * size;
}

/* Record of worker i. */
struct bw_worker_stats *
dp_status_worker(const struct dp_status *st, uint32_t i)
{
	return region_at(st, st->hdr->worker_off, i, st->hdr->worker_size);
}

/* List info table (BW_LIST_SLOTS entries). */
struct bw_list_info *
dp_status_list_info(const struct dp_status *st)
{
	return region_at(st, st->hdr->list_info_off, 0, 0);
}

/* Worker i's list counters (BW_LIST_SLOTS entries). */
struct bw_list_stats *
dp_status_list_stats(const struct dp_status *st, uint32_t i)
{
	return region_at(st, st->hdr->list_stats_off, i,
			 st->hdr->list_stats_size);
}

/* Content rule table header; its bw_rule_info entries follow it. */
struct bw_rule_tab *
dp_status_rule_tab(const struct dp_status *st)
{
	return region_at(st, st->hdr->rule_tab_off, 0, 0);
}

/* Worker i's rule counters: bank b, BW_RULE_SLOTS entries. */
struct bw_rule_stats *
dp_status_rule_stats(const struct dp_status *st, uint32_t i, uint32_t b)
{
	struct bw_rule_stats *w = region_at(st, st->hdr->rule_stats_off, i,
					    st->hdr->rule_stats_size);

	return w + (size_t)b * BW_RULE_SLOTS;
}

/* Program info table (BW_BPF_SLOTS entries). */
struct bw_bpf_info *
dp_status_bpf_info(const struct dp_status *st)
{
	return region_at(st, st->hdr->bpf_info_off, 0, 0);
}

/* Worker i's program counters (BW_BPF_SLOTS entries). */
struct bw_bpf_stats *
dp_status_bpf_stats(const struct dp_status *st, uint32_t i)
{
	return region_at(st, st->hdr->bpf_stats_off, i,
			 st->hdr->bpf_stats_size);
}

/* Record of port slot i (not the DPDK port id). */
struct bw_port_stats *
dp_status_port(const struct dp_status *st, uint32_t i)
{
	return region_at(st, st->hdr->port_off, i, st->hdr->port_size);
}

/*
 * Set the lifecycle state; release order pairs with the acquire load in
 * bulwarkctl (ctl_region.c) so counters written before are visible.
 */
void
dp_status_set_state(struct dp_status *st, uint32_t state)
{
	if (state == BW_STATE_STOPPED)
		__atomic_store_n(&st->hdr->stop_time_ns,
				 dp_clock_ns(CLOCK_REALTIME), __ATOMIC_RELAXED);
	__atomic_store_n(&st->hdr->state, state, __ATOMIC_RELEASE);
}

/* Prove the main lcore is alive. */
void
dp_status_heartbeat(struct dp_status *st)
{
	__atomic_store_n(&st->hdr->heartbeat_ns, dp_clock_ns(CLOCK_MONOTONIC),
			 __ATOMIC_RELAXED);
}

/*
 * Unmap the region. The object stays so that the final counters of a
 * stopped dataplane can still be read; the next start replaces it.
 */
void
dp_status_close(struct dp_status *st)
{
	if (st->hdr != NULL)
		munmap(st->hdr, st->size);
	st->hdr = NULL;
}
