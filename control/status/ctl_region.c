/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Status region reader: open the shm object read-only, map it, validate the
 * header and every record extent once, judge liveness.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bw_names.h"
#include "bw_roles.h"
#include "bw_util.h"
#include "ctl_region.h"
#include "ctl_text.h"

/* One read of a shared field, never torn, never re-read by the compiler. */
#define LOAD_RELAXED(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* Where Linux keeps POSIX shm objects, to name the group of a denied one. */
#define SHM_DIR "/dev/shm"

static void region_fail(struct ctl_region *r, enum ctl_verdict v, int err,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
region_fail(struct ctl_region *r, enum ctl_verdict v, int err, const char *fmt,
	    ...)
{
	va_list ap;

	r->verdict = v;
	r->err = err;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
}

/*
 * True when nb records of size bytes starting at off end within limit;
 * *end receives the first byte after them. Overflow counts as outside.
 */
static int
extent_ok(uint64_t off, uint64_t nb, uint64_t size, uint64_t limit,
	  uint64_t *end)
{
	uint64_t bytes;

	if (__builtin_mul_overflow(nb, size, &bytes) ||
	    __builtin_add_overflow(off, bytes, end))
		return 0;
	return *end <= limit;
}

/* Copy a NUL-terminated string of the header; -1 when it is not one. */
static int
copy_name(char *dst, const char *src, size_t len)
{
	memcpy(dst, src, len);
	if (memchr(dst, '\0', len) == NULL) {
		dst[0] = '\0';
		return -1;
	}
	return 0;
}

/*
 * Validate the mapped header and copy its layout into r. Returns 0, or
 * -EPROTO (incompatible ABI) or -EBADMSG (corrupt) with r->what set.
 */
static int
region_validate(struct ctl_region *r)
{
	const struct bw_status_hdr *h = (const struct bw_status_hdr *)r->base;
	char name[BW_NAME_LEN];
	char shown[BW_NAME_LEN * 2];
	uint64_t magic, region_size, w_end, p_end;
	uint32_t hdr_size;

	/* Pairs with the dataplane writing magic last, once all is set. */
	magic = __atomic_load_n(&h->magic, __ATOMIC_ACQUIRE);
	if (magic == 0) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "not initialised (magic 0): the dataplane is "
			    "starting or died while starting");
		return -EBADMSG;
	}
	if (magic != BW_STATUS_MAGIC) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "bad magic 0x%016" PRIx64 " (expected 0x%016" PRIx64
			    ")",
			    magic, (uint64_t)BW_STATUS_MAGIC);
		return -EBADMSG;
	}
	r->abi_major = LOAD_RELAXED(h->abi_major);
	r->abi_minor = LOAD_RELAXED(h->abi_minor);
	if (r->abi_major != BW_STATUS_ABI_MAJOR) {
		region_fail(r, CTL_VERDICT_INCOMPATIBLE, 0,
			    "ABI %u.%u, this bulwarkctl reads %u.x",
			    r->abi_major, r->abi_minor, BW_STATUS_ABI_MAJOR);
		return -EPROTO;
	}
	hdr_size = LOAD_RELAXED(h->hdr_size);
	if (hdr_size < sizeof(struct bw_status_hdr)) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "header size %" PRIu32 " below %zu", hdr_size,
			    sizeof(struct bw_status_hdr));
		return -EBADMSG;
	}
	region_size = LOAD_RELAXED(h->region_size);
	if (region_size != r->size) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "region_size %" PRIu64 " but the object has %zu "
			    "bytes",
			    region_size, r->size);
		return -EBADMSG;
	}
	if (hdr_size > region_size) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "header size %" PRIu32
			    " beyond region size %" PRIu64,
			    hdr_size, region_size);
		return -EBADMSG;
	}

	r->nb_workers = LOAD_RELAXED(h->nb_workers);
	r->nb_ports = LOAD_RELAXED(h->nb_ports);
	r->nb_reasons = LOAD_RELAXED(h->nb_reasons);
	r->worker_off = LOAD_RELAXED(h->worker_off);
	r->worker_size = LOAD_RELAXED(h->worker_size);
	r->port_off = LOAD_RELAXED(h->port_off);
	r->port_size = LOAD_RELAXED(h->port_size);
	if (r->nb_workers > BW_WORKER_MAX) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "%" PRIu32 " workers, at most %d", r->nb_workers,
			    BW_WORKER_MAX);
		return -EBADMSG;
	}
	if (r->nb_ports > BW_PORT_MAX) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "%" PRIu32 " ports, at most %d", r->nb_ports,
			    BW_PORT_MAX);
		return -EBADMSG;
	}
	if (r->nb_reasons > BW_REASON_MAX) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "%" PRIu32 " reasons, at most %d", r->nb_reasons,
			    BW_REASON_MAX);
		return -EBADMSG;
	}
	if (r->worker_size < sizeof(struct bw_worker_stats)) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "worker record size %" PRIu32 " below %zu",
			    r->worker_size, sizeof(struct bw_worker_stats));
		return -EBADMSG;
	}
	if (r->port_size < sizeof(struct bw_port_stats)) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "port record size %" PRIu32 " below %zu",
			    r->port_size, sizeof(struct bw_port_stats));
		return -EBADMSG;
	}
	/* Records are whole cache lines (bw_status.h); atomics need it too. */
	if (r->worker_off % BW_CACHE_LINE != 0 ||
	    r->worker_size % BW_CACHE_LINE != 0 ||
	    r->port_off % BW_CACHE_LINE != 0 ||
	    r->port_size % BW_CACHE_LINE != 0) {
		region_fail(
			r, CTL_VERDICT_CORRUPT, 0,
			"records not aligned to %d bytes (workers at %" PRIu32
			" size %" PRIu32 ", ports at %" PRIu32 " size %" PRIu32
			")",
			BW_CACHE_LINE, r->worker_off, r->worker_size,
			r->port_off, r->port_size);
		return -EBADMSG;
	}
	if (r->worker_off < hdr_size ||
	    !extent_ok(r->worker_off, r->nb_workers, r->worker_size,
		       region_size, &w_end)) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "%" PRIu32 " worker records of %" PRIu32
			    " bytes at offset %" PRIu32
			    " outside the region (header %" PRIu32
			    ", size %" PRIu64 ")",
			    r->nb_workers, r->worker_size, r->worker_off,
			    hdr_size, region_size);
		return -EBADMSG;
	}
	if (r->port_off < hdr_size ||
	    !extent_ok(r->port_off, r->nb_ports, r->port_size, region_size,
		       &p_end)) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "%" PRIu32 " port records of %" PRIu32
			    " bytes at offset %" PRIu32
			    " outside the region (header %" PRIu32
			    ", size %" PRIu64 ")",
			    r->nb_ports, r->port_size, r->port_off, hdr_size,
			    region_size);
		return -EBADMSG;
	}
	if (r->nb_workers > 0 && r->nb_ports > 0 && w_end > r->port_off &&
	    p_end > r->worker_off) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "worker records [%" PRIu32 ", %" PRIu64
			    ") overlap port records [%" PRIu32 ", %" PRIu64 ")",
			    r->worker_off, w_end, r->port_off, p_end);
		return -EBADMSG;
	}

	if (copy_name(name, h->instance, sizeof(name)) < 0) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "instance name not NUL terminated");
		return -EBADMSG;
	}
	if (strcmp(name, r->instance) != 0) {
		ctl_fmt_printable(shown, sizeof(shown), name, sizeof(name));
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "region names instance '%s'", shown);
		return -EBADMSG;
	}
	if (copy_name(r->version, h->version, sizeof(r->version)) < 0) {
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "version string not NUL terminated");
		return -EBADMSG;
	}
	r->pid = LOAD_RELAXED(h->pid);
	if (r->pid <= 0) {
		/* kill(0 or negative, 0) would probe process groups. */
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "pid %" PRId32 " is not a process id", r->pid);
		return -EBADMSG;
	}
	r->start_time_ns = LOAD_RELAXED(h->start_time_ns);
	r->tsc_hz = LOAD_RELAXED(h->tsc_hz);
	return 0;
}

int
ctl_region_open(struct ctl_region *r, const char *instance)
{
	struct stat st;
	void *base;
	int fd, rc;

	memset(r, 0, sizeof(*r));
	r->verdict = CTL_VERDICT_OPEN_ERROR;
	rc = bw_name_status_shm(instance, r->shm_name, sizeof(r->shm_name));
	if (rc < 0) {
		region_fail(r, CTL_VERDICT_OPEN_ERROR, -rc,
			    "invalid instance name");
		return rc;
	}
	/* bw_name_status_shm() accepted it: shorter than BW_NAME_LEN. */
	memcpy(r->instance, instance, strlen(instance) + 1);

	/* O_NONBLOCK: a FIFO planted under the name must not hang us */
	fd = shm_open(r->shm_name, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0) {
		rc = errno;
		if (rc == ENOENT)
			region_fail(r, CTL_VERDICT_MISSING, rc, "%s",
				    strerror(rc));
		else if (rc == EACCES || rc == EPERM)
			region_fail(r, CTL_VERDICT_DENIED, rc, "%s",
				    strerror(rc));
		else
			region_fail(r, CTL_VERDICT_OPEN_ERROR, rc,
				    "shm_open: %s", strerror(rc));
		return -rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = errno;
		region_fail(r, CTL_VERDICT_OPEN_ERROR, rc, "fstat: %s",
			    strerror(rc));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = EBADMSG;
		region_fail(r, CTL_VERDICT_CORRUPT, 0, "not a regular object");
		goto err_close;
	}
	/*
	 * Only root's dataplane (or one of our own) writes a region we
	 * believe: any user can create a name in /dev/shm first.
	 */
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & S_IWOTH) != 0) {
		rc = EBADMSG;
		region_fail(r, CTL_VERDICT_CORRUPT, 0,
			    "owned by uid %u with mode %04o, not made by a "
			    "dataplane of root's: not trusted",
			    (unsigned int)st.st_uid,
			    (unsigned int)(st.st_mode & 07777));
		goto err_close;
	}
	if (st.st_size < (off_t)sizeof(struct bw_status_hdr) ||
	    (uintmax_t)st.st_size > SIZE_MAX) {
		rc = EBADMSG;
		region_fail(
			r, CTL_VERDICT_CORRUPT, 0,
			"object of %jd bytes cannot hold the %zu-byte header",
			(intmax_t)st.st_size, sizeof(struct bw_status_hdr));
		goto err_close;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		rc = errno;
		region_fail(r, CTL_VERDICT_OPEN_ERROR, rc, "mmap: %s",
			    strerror(rc));
		goto err_close;
	}
	close(fd);
	r->base = base;
	r->size = (size_t)st.st_size;
	r->dev = st.st_dev;
	r->ino = st.st_ino;

	rc = region_validate(r);
	if (rc < 0) {
		ctl_region_close(r);
		return rc;
	}
	r->verdict = CTL_VERDICT_RUNNING;
	r->what[0] = '\0';
	return 0;

err_close:
	close(fd);
	return -rc;
}

void
ctl_region_close(struct ctl_region *r)
{
	if (r->base != NULL)
		munmap((void *)(uintptr_t)r->base, r->size);
	r->base = NULL;
	r->size = 0;
}

int
ctl_region_replaced(const struct ctl_region *r)
{
	struct stat st;
	int fd, rc;

	fd = shm_open(r->shm_name, O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	rc = fstat(fd, &st);
	close(fd);
	if (rc < 0)
		return 0;
	return st.st_dev != r->dev || st.st_ino != r->ino;
}

const struct bw_status_hdr *
ctl_region_hdr(const struct ctl_region *r)
{
	return (const struct bw_status_hdr *)r->base;
}

const struct bw_worker_stats *
ctl_region_worker(const struct ctl_region *r, uint32_t i)
{
	return (const struct bw_worker_stats *)(r->base + r->worker_off +
						(size_t)i * r->worker_size);
}

const struct bw_port_stats *
ctl_region_port(const struct ctl_region *r, uint32_t i)
{
	return (const struct bw_port_stats *)(r->base + r->port_off +
					      (size_t)i * r->port_size);
}

uint32_t
ctl_region_state(const struct ctl_region *r)
{
	/* Pairs with the main lcore's release store of state. */
	return __atomic_load_n(&ctl_region_hdr(r)->state, __ATOMIC_ACQUIRE);
}

uint64_t
ctl_region_heartbeat_age_ns(const struct ctl_region *r, uint64_t now_mono_ns)
{
	uint64_t hb = LOAD_RELAXED(ctl_region_hdr(r)->heartbeat_ns);

	return now_mono_ns > hb ? now_mono_ns - hb : 0;
}

int
ctl_pid_alive(int32_t pid)
{
	char path[64], buf[512];
	const char *paren;
	ssize_t n;
	int fd;

	if (pid <= 0)
		return 0;
	/* EPERM: the process exists but belongs to someone else. */
	if (kill(pid, 0) < 0 && errno != EPERM)
		return 0;
	/* kill() succeeds on a zombie; /proc tells them apart when mounted. */
	snprintf(path, sizeof(path), "/proc/%" PRId32 "/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold ')', the state follows the last. */
	paren = strrchr(buf, ')');
	if (paren != NULL && paren[1] == ' ' && paren[2] == 'Z')
		return 0;
	return 1;
}

enum ctl_verdict
ctl_region_liveness(const struct ctl_region *r, uint64_t now_mono_ns)
{
	uint32_t state = ctl_region_state(r);

	if (state == BW_STATE_STOPPED)
		return CTL_VERDICT_STOPPED;
	if (!ctl_pid_alive(r->pid))
		return CTL_VERDICT_STALE;
	switch (state) {
	case BW_STATE_RUNNING:
		if (ctl_region_heartbeat_age_ns(r, now_mono_ns) >
		    CTL_HEARTBEAT_MAX_NS)
			return CTL_VERDICT_NOT_RESPONDING;
		return CTL_VERDICT_RUNNING;
	case BW_STATE_STARTING:
		return CTL_VERDICT_STARTING;
	case BW_STATE_STOPPING:
		return CTL_VERDICT_STOPPING;
	default:
		return CTL_VERDICT_UNKNOWN_STATE;
	}
}

const char *
ctl_verdict_name(enum ctl_verdict v)
{
	switch (v) {
	case CTL_VERDICT_RUNNING:
		return "running";
	case CTL_VERDICT_STARTING:
		return "starting";
	case CTL_VERDICT_STOPPING:
		return "stopping";
	case CTL_VERDICT_STOPPED:
		return "stopped";
	case CTL_VERDICT_UNKNOWN_STATE:
		return "unknown-state";
	case CTL_VERDICT_STALE:
		return "stale";
	case CTL_VERDICT_NOT_RESPONDING:
		return "not-responding";
	case CTL_VERDICT_MISSING:
		return "missing";
	case CTL_VERDICT_DENIED:
		return "denied";
	case CTL_VERDICT_OPEN_ERROR:
		return "open-error";
	case CTL_VERDICT_INCOMPATIBLE:
		return "incompatible";
	case CTL_VERDICT_CORRUPT:
		return "corrupt";
	}
	return "unknown";
}

const char *
ctl_state_name(uint32_t state)
{
	switch (state) {
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

const char *
ctl_role_name(uint16_t role)
{
	switch (role) {
	case BW_ROLE_OUTSIDE:
		return "outside";
	case BW_ROLE_INSIDE:
		return "inside";
	default:
		return "unknown";
	}
}

/* Explain a denied open: who may read the object, when /dev/shm says. */
static void
report_denied(FILE *f, const struct ctl_region *r, const char *prefix)
{
	char path[sizeof(SHM_DIR) + sizeof(r->shm_name)];
	const struct group *gr = NULL;
	struct stat st;

	if (snprintf(path, sizeof(path), SHM_DIR "%s", r->shm_name) <
		    (int)sizeof(path) &&
	    stat(path, &st) == 0)
		gr = getgrgid(st.st_gid);
	if (gr != NULL && strcmp(gr->gr_name, BW_OPERATOR_GROUP) == 0)
		fprintf(f,
			"bulwarkctl: %sinstance '%s': permission denied "
			"reading status region %s: run as root or as a "
			"member of group '%s' (commit and read) or '%s' "
			"(read only)\n",
			prefix, r->instance, r->shm_name, BW_OPERATOR_GROUP,
			BW_READER_GROUP);
	else if (bw_group_gid(BW_OPERATOR_GROUP) == (gid_t)-1)
		fprintf(f,
			"bulwarkctl: %sinstance '%s': permission denied "
			"reading status region %s: only root may read it: "
			"this machine has no group '%s' (create the groups "
			"'%s' and '%s', or install the package, then restart "
			"the dataplane)\n",
			prefix, r->instance, r->shm_name, BW_OPERATOR_GROUP,
			BW_OPERATOR_GROUP, BW_READER_GROUP);
	else
		fprintf(f,
			"bulwarkctl: %sinstance '%s': permission denied "
			"reading status region %s: it belongs to group '%s', "
			"not '%s': the dataplane started before that group "
			"existed; restart it\n",
			prefix, r->instance, r->shm_name,
			gr != NULL ? gr->gr_name : "?", BW_OPERATOR_GROUP);
}

void
ctl_region_report(FILE *f, const struct ctl_region *r, enum ctl_verdict v,
		  uint64_t now_mono_ns, const char *prefix)
{
	char when[64];
	uint64_t age_ns, stop_ns;

	switch (v) {
	case CTL_VERDICT_RUNNING:
		return;
	case CTL_VERDICT_STARTING:
	case CTL_VERDICT_STOPPING:
		fprintf(f,
			"bulwarkctl: %sinstance '%s' is %s (pid %" PRId32 ")\n",
			prefix, r->instance, ctl_verdict_name(v), r->pid);
		return;
	case CTL_VERDICT_UNKNOWN_STATE:
		fprintf(f,
			"bulwarkctl: %sinstance '%s' is in unknown state "
			"%" PRIu32 " (pid %" PRId32 ")\n",
			prefix, r->instance, ctl_region_state(r), r->pid);
		return;
	case CTL_VERDICT_STOPPED:
		stop_ns = LOAD_RELAXED(ctl_region_hdr(r)->stop_time_ns);
		if (stop_ns == 0) {
			fprintf(f,
				"bulwarkctl: %sinstance '%s' stopped (pid "
				"%" PRId32 ")\n",
				prefix, r->instance, r->pid);
			return;
		}
		ctl_fmt_time(when, sizeof(when), stop_ns);
		fprintf(f,
			"bulwarkctl: %sinstance '%s' stopped at %s (pid "
			"%" PRId32 ")\n",
			prefix, r->instance, when, r->pid);
		return;
	case CTL_VERDICT_STALE:
		fprintf(f,
			"bulwarkctl: %sinstance '%s' is not running: stale "
			"status region of pid %" PRId32 " (process gone)\n",
			prefix, r->instance, r->pid);
		return;
	case CTL_VERDICT_NOT_RESPONDING:
		age_ns = ctl_region_heartbeat_age_ns(r, now_mono_ns);
		fprintf(f,
			"bulwarkctl: %sinstance '%s' is not responding: "
			"heartbeat %.1f s old (pid %" PRId32 ")\n",
			prefix, r->instance, (double)age_ns / 1e9, r->pid);
		return;
	case CTL_VERDICT_MISSING:
		fprintf(f,
			"bulwarkctl: %sinstance '%s' is not running (no "
			"status region %s)\n",
			prefix, r->instance, r->shm_name);
		return;
	case CTL_VERDICT_DENIED:
		report_denied(f, r, prefix);
		return;
	case CTL_VERDICT_OPEN_ERROR:
		fprintf(f,
			"bulwarkctl: %sinstance '%s': cannot read status "
			"region %s: %s\n",
			prefix, r->instance, r->shm_name, r->what);
		return;
	case CTL_VERDICT_INCOMPATIBLE:
		fprintf(f,
			"bulwarkctl: %sinstance '%s': incompatible status "
			"region %s: %s\n",
			prefix, r->instance, r->shm_name, r->what);
		return;
	case CTL_VERDICT_CORRUPT:
		fprintf(f,
			"bulwarkctl: %sinstance '%s': corrupt status region "
			"%s: %s\n",
			prefix, r->instance, r->shm_name, r->what);
		return;
	}
}

uint64_t
ctl_now_mono_ns(void)
{
	return bw_clock_ns(CLOCK_MONOTONIC);
}

uint64_t
ctl_now_real_ns(void)
{
	return bw_clock_ns(CLOCK_REALTIME);
}

#define LIST_READ_TRIES 1000

/*
 * Copy the list table under its sequence lock (pairs with the release
 * stores of list_seq in the dataplane's status_publish()).
 */
static int
list_info_copy(const struct bw_status_hdr *hdr, const struct bw_list_info *src,
	       uint32_t nslots, struct bw_list_info *dst)
{
	uint32_t s1, s2;
	int tries;

	for (tries = 0; tries < LIST_READ_TRIES; tries++) {
		s1 = __atomic_load_n(&hdr->list_seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		memcpy(dst, src, nslots * sizeof(*dst));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&hdr->list_seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return 0;
	}
	return -EAGAIN;
}

int
ctl_region_list_hits(const struct ctl_region *r, struct ctl_list_hits *h)
{
	const struct bw_status_hdr *hdr = ctl_region_hdr(r);
	const struct bw_list_stats *ls;
	uint64_t info_off, stats_off, stats_size, nslots, sum_p, sum_b;
	uint32_t id, w;
	int ret;

	memset(h, 0, sizeof(*h));
	/* read each layout field once, then check it against the mapping */
	info_off = __atomic_load_n(&hdr->list_info_off, __ATOMIC_RELAXED);
	stats_off = __atomic_load_n(&hdr->list_stats_off, __ATOMIC_RELAXED);
	stats_size = __atomic_load_n(&hdr->list_stats_size, __ATOMIC_RELAXED);
	nslots = __atomic_load_n(&hdr->nb_list_slots, __ATOMIC_RELAXED);
	if (nslots > BW_LIST_SLOTS)
		nslots = BW_LIST_SLOTS;
	if (info_off == 0 || nslots == 0 || info_off % 8 != 0 ||
	    stats_off % 8 != 0 ||
	    info_off + nslots * sizeof(struct bw_list_info) > r->size ||
	    stats_size < nslots * sizeof(struct bw_list_stats) ||
	    stats_off + (uint64_t)r->nb_workers * stats_size > r->size)
		return -EINVAL;
	ret = list_info_copy(hdr,
			     (const struct bw_list_info *)(r->base + info_off),
			     (uint32_t)nslots, h->info);
	if (ret != 0)
		return ret;
	for (id = 0; id < nslots; id++) {
		if (h->info[id].name[0] == '\0')
			continue;
		h->info[id].name[sizeof(h->info[id].name) - 1] = '\0';
		sum_p = 0;
		sum_b = 0;
		for (w = 0; w < r->nb_workers; w++) {
			ls = (const struct bw_list_stats *)(r->base +
							    stats_off +
							    w * stats_size);
			sum_p +=
				__atomic_load_n(&ls[id].pkts, __ATOMIC_RELAXED);
			sum_b += __atomic_load_n(&ls[id].bytes,
						 __ATOMIC_RELAXED);
		}
		h->pkts[id] = sum_p >= h->info[id].base_pkts
				      ? sum_p - h->info[id].base_pkts
				      : 0;
		h->bytes[id] = sum_b >= h->info[id].base_bytes
				       ? sum_b - h->info[id].base_bytes
				       : 0;
	}
	/* pairs with the release store in the dataplane's status_publish() */
	h->applied_gen = __atomic_load_n(&hdr->applied_gen, __ATOMIC_ACQUIRE);
	h->valid = 1;
	return 0;
}

/* Copy the program table under its sequence lock (see list_info_copy()). */
static int
bpf_info_copy(const struct bw_status_hdr *hdr, const struct bw_bpf_info *src,
	      uint32_t nslots, struct bw_bpf_info *dst)
{
	uint32_t s1, s2;
	int tries;

	for (tries = 0; tries < LIST_READ_TRIES; tries++) {
		/* pairs with the release stores in dp_bpf_set_publish() */
		s1 = __atomic_load_n(&hdr->bpf_seq, __ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		memcpy(dst, src, nslots * sizeof(*dst));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&hdr->bpf_seq, __ATOMIC_RELAXED);
		if (s1 == s2)
			return 0;
	}
	return -EAGAIN;
}

static uint64_t
since(uint64_t sum, uint64_t base)
{
	return sum >= base ? sum - base : 0;
}

int
ctl_region_bpf_hits(const struct ctl_region *r, struct ctl_bpf_hits *h)
{
	const struct bw_status_hdr *hdr = ctl_region_hdr(r);
	const struct bw_bpf_stats *bs;
	struct bw_bpf_stats sum;
	uint64_t info_off, stats_off, stats_size, nslots;
	uint32_t s, w;
	int ret;

	memset(h, 0, sizeof(*h));
	/* read each layout field once, then check it against the mapping */
	info_off = __atomic_load_n(&hdr->bpf_info_off, __ATOMIC_RELAXED);
	stats_off = __atomic_load_n(&hdr->bpf_stats_off, __ATOMIC_RELAXED);
	stats_size = __atomic_load_n(&hdr->bpf_stats_size, __ATOMIC_RELAXED);
	nslots = __atomic_load_n(&hdr->nb_bpf_slots, __ATOMIC_RELAXED);
	if (nslots > BW_BPF_SLOTS)
		nslots = BW_BPF_SLOTS;
	if (info_off == 0 || nslots == 0 || info_off % 8 != 0 ||
	    stats_off % 8 != 0 ||
	    info_off + nslots * sizeof(struct bw_bpf_info) > r->size ||
	    stats_size < nslots * sizeof(struct bw_bpf_stats) ||
	    stats_off + (uint64_t)r->nb_workers * stats_size > r->size)
		return -EINVAL;
	ret = bpf_info_copy(hdr,
			    (const struct bw_bpf_info *)(r->base + info_off),
			    (uint32_t)nslots, h->info);
	if (ret != 0)
		return ret;
	for (s = 0; s < nslots; s++) {
		struct bw_bpf_info *in = &h->info[s];

		if (in->name[0] == '\0')
			continue;
		in->name[sizeof(in->name) - 1] = '\0';
		memset(&sum, 0, sizeof(sum));
		for (w = 0; w < r->nb_workers; w++) {
			bs = (const struct bw_bpf_stats *)(r->base + stats_off +
							   w * stats_size) +
			     s;
			sum.runs += LOAD_RELAXED(bs->runs);
			sum.drops += LOAD_RELAXED(bs->drops);
			sum.passes += LOAD_RELAXED(bs->passes);
			sum.errors += LOAD_RELAXED(bs->errors);
			sum.faults += LOAD_RELAXED(bs->faults);
			sum.busy_tsc += LOAD_RELAXED(bs->busy_tsc);
		}
		h->sum[s].runs = since(sum.runs, in->base_runs);
		h->sum[s].drops = since(sum.drops, in->base_drops);
		h->sum[s].passes = since(sum.passes, in->base_passes);
		h->sum[s].errors = since(sum.errors, in->base_errors);
		h->sum[s].faults = since(sum.faults, in->base_faults);
		h->sum[s].busy_tsc = since(sum.busy_tsc, in->base_tsc);
	}
	h->jit = LOAD_RELAXED(hdr->bpf_jit);
	/* pairs with the release store in the dataplane's status_publish() */
	h->applied_gen = __atomic_load_n(&hdr->applied_gen, __ATOMIC_ACQUIRE);
	h->valid = 1;
	return 0;
}

/* One try of ctl_region_rule_hits(): 0, or -EAGAIN when torn. */
static int
rule_hits_try(const struct ctl_region *r, uint64_t tab_off, uint64_t stats_off,
	      uint64_t stats_size, struct ctl_rule_hits *h)
{
	const struct bw_status_hdr *hdr = ctl_region_hdr(r);
	const struct bw_rule_tab *tab =
		(const struct bw_rule_tab *)(r->base + tab_off);
	const struct bw_rule_info *info =
		(const struct bw_rule_info *)(tab + 1);
	const struct bw_rule_stats *bs;
	uint64_t tsc_hz, tsc_ref, ref_ns, last;
	uint32_t s1, s2, nb, bank, i, w;

	/* pairs with the release stores in dp_match_set_publish() */
	s1 = __atomic_load_n(&tab->seq, __ATOMIC_ACQUIRE);
	if (s1 & 1)
		return -EAGAIN;
	nb = LOAD_RELAXED(tab->nb_rules);
	bank = LOAD_RELAXED(tab->bank) & 1;
	if (nb > BW_RULE_SLOTS)
		nb = BW_RULE_SLOTS;
	h->since_gen = LOAD_RELAXED(tab->generation);
	tsc_ref = LOAD_RELAXED(tab->tsc_ref);
	ref_ns = LOAD_RELAXED(tab->tsc_ref_ns);
	tsc_hz = LOAD_RELAXED(hdr->tsc_hz);
	for (i = 0; i < nb; i++) {
		struct ctl_rule_hit *o = &h->r[i];

		o->sid = LOAD_RELAXED(info[i].sid);
		o->rev = LOAD_RELAXED(info[i].rev);
		o->action = LOAD_RELAXED(info[i].action);
		o->proto = LOAD_RELAXED(info[i].proto);
		o->pkts = o->bytes = o->last_ns = 0;
		last = 0;
		for (w = 0; w < r->nb_workers; w++) {
			bs = (const struct bw_rule_stats *)(r->base +
							    stats_off +
							    w * stats_size) +
			     (size_t)bank * BW_RULE_SLOTS + i;
			o->pkts += LOAD_RELAXED(bs->pkts);
			o->bytes += LOAD_RELAXED(bs->bytes);
			if (LOAD_RELAXED(bs->last_tsc) > last)
				last = LOAD_RELAXED(bs->last_tsc);
		}
		if (last != 0 && tsc_hz != 0) {
			double d = ((double)last - (double)tsc_ref) * 1e9 /
				   (double)tsc_hz;

			o->last_ns = (uint64_t)((double)ref_ns + d);
		}
	}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	s2 = __atomic_load_n(&tab->seq, __ATOMIC_RELAXED);
	if (s1 != s2)
		return -EAGAIN;
	h->nb_rules = nb;
	return 0;
}

int
ctl_region_rule_hits(const struct ctl_region *r, struct ctl_rule_hits *h)
{
	const struct bw_status_hdr *hdr = ctl_region_hdr(r);
	uint64_t tab_off, stats_off, stats_size, nslots;
	int tries, ret = -EAGAIN;

	h->valid = 0;
	h->nb_rules = 0;
	h->applied_gen = 0;
	h->since_gen = 0;
	if (LOAD_RELAXED(hdr->abi_minor) < 1)
		return -EINVAL;
	tab_off = __atomic_load_n(&hdr->rule_tab_off, __ATOMIC_RELAXED);
	stats_off = __atomic_load_n(&hdr->rule_stats_off, __ATOMIC_RELAXED);
	stats_size = __atomic_load_n(&hdr->rule_stats_size, __ATOMIC_RELAXED);
	nslots = __atomic_load_n(&hdr->nb_rule_slots, __ATOMIC_RELAXED);
	if (tab_off == 0 || nslots != BW_RULE_SLOTS || tab_off % 8 != 0 ||
	    stats_off % 8 != 0 ||
	    tab_off + sizeof(struct bw_rule_tab) +
			    nslots * sizeof(struct bw_rule_info) >
		    r->size ||
	    stats_size < 2 * nslots * sizeof(struct bw_rule_stats) ||
	    stats_off + (uint64_t)r->nb_workers * stats_size > r->size)
		return -EINVAL;
	for (tries = 0; tries < LIST_READ_TRIES && ret == -EAGAIN; tries++)
		ret = rule_hits_try(r, tab_off, stats_off, stats_size, h);
	if (ret != 0)
		return ret;
	/* pairs with the release store in the dataplane's status_publish() */
	h->applied_gen = __atomic_load_n(&hdr->applied_gen, __ATOMIC_ACQUIRE);
	h->valid = 1;
	return 0;
}
