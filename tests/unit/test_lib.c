/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/ pieces that both programs share: the state
 * directory's names, instance and object names, CRC32C, whole-file reads
 * and reason buffers (audit lines: test_state.c). The oracles are
 * written out here by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "bw_crc32c.h"
#include "bw_cunit.h"
#include "bw_names.h"
#include "bw_statedir.h"
#include "bw_util.h"

static char tmpdir[] = "/tmp/bw-test-lib-XXXXXX";
static int tmpdir_made; /* mkdtemp() filled tmpdir */

static int
touch(const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Both programs read generations off names with this one parser. */
static void
test_state_names(void)
{
	uint64_t g = 0;

	CU_ASSERT(bw_state_name_gen("gen-00000000000000000007.img", "gen-",
				    &g) == 1);
	CU_ASSERT_EQUAL(g, 7);
	CU_ASSERT(bw_state_name_gen("gen-18446744073709551615.img", "gen-",
				    &g) == 1);
	CU_ASSERT_EQUAL(g, UINT64_MAX);
	/* what sscanf("gen-%lu.%7s") took and the CLI did not */
	CU_ASSERT(bw_state_name_gen("gen-7.img", "gen-", &g) == 0);
	CU_ASSERT(bw_state_name_gen("gen-+0000000000000000007.img", "gen-",
				    &g) == 0);
	CU_ASSERT(bw_state_name_gen("gen-18446744073709551616.img", "gen-",
				    &g) == 0);
	CU_ASSERT(bw_state_name_gen("gen-00000000000000000007.img.bak", "gen-",
				    &g) == 0);
	CU_ASSERT(bw_state_name_gen("gen-00000000000000000007.imgx", "gen-",
				    &g) == 0);
	CU_ASSERT(bw_state_name_gen("gen-0000000000000000000a.img", "gen-",
				    &g) == 0);
	CU_ASSERT(bw_state_name_gen(".pending-gen-00000000000000000007.img",
				    "gen-", &g) == 0);
	CU_ASSERT(bw_state_name_gen(".pending-gen-00000000000000000009.img",
				    BW_STATE_PENDING_PREFIX, &g) == 1);
	CU_ASSERT_EQUAL(g, 9);
}

static void
test_state_gens(void)
{
	uint64_t *gens = NULL;
	size_t n = 0;
	char name[64];
	int fd;

	CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
	tmpdir_made = 1;
	snprintf(name, sizeof(name), BW_STATE_IMAGE_FMT, (uint64_t)12);
	CU_ASSERT_FATAL(touch(name) == 0);
	snprintf(name, sizeof(name), BW_STATE_IMAGE_FMT, (uint64_t)3);
	CU_ASSERT_FATAL(touch(name) == 0);
	snprintf(name, sizeof(name), BW_STATE_PENDING_FMT, (uint64_t)13);
	CU_ASSERT_FATAL(touch(name) == 0);
	CU_ASSERT_FATAL(touch("gen-7.img") == 0);
	CU_ASSERT_FATAL(touch("gen-99.img") == 0);
	CU_ASSERT_FATAL(touch(BW_STATE_AUDIT_FILE) == 0);
	fd = open(tmpdir, O_RDONLY | O_DIRECTORY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(bw_state_gens(fd, BW_STATE_IMAGE_PREFIX, &gens, &n), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(gens[0], 3);
	CU_ASSERT_EQUAL(gens[1], 12);
	free(gens);
	CU_ASSERT_EQUAL(bw_state_gens(fd, BW_STATE_PENDING_PREFIX, &gens, &n),
			0);
	CU_ASSERT_EQUAL_FATAL(n, 1);
	CU_ASSERT_EQUAL(gens[0], 13);
	free(gens);
	close(fd);
}

static void
test_names(void)
{
	char buf[128], small[8];
	struct sockaddr_un sa;
	socklen_t salen = 0;
	size_t len = 0;

	CU_ASSERT(bw_name_instance_valid("edge-1_a"));
	CU_ASSERT(!bw_name_instance_valid(""));
	CU_ASSERT(!bw_name_instance_valid("a.b"));
	CU_ASSERT(!bw_name_instance_valid("a/b"));
	CU_ASSERT(!bw_name_instance_valid("0123456789012345678901234567890"
					  "1"));
	CU_ASSERT(bw_name_instance_valid("0123456789012345678901234567890"));
	CU_ASSERT_EQUAL(bw_name_status_shm("edge", buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/bulwark.edge.status");
	CU_ASSERT_EQUAL(bw_name_status_shm("a b", buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(bw_name_status_shm("edge", small, sizeof(small)),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(bw_name_ctl_sock("edge", buf, sizeof(buf), &len), 0);
	CU_ASSERT_EQUAL(buf[0], '\0');
	CU_ASSERT_STRING_EQUAL(buf + 1, "bulwark.edge.ctl");
	CU_ASSERT_EQUAL(len, 1 + strlen("bulwark.edge.ctl"));
	/* the whole address both programs bind and connect to */
	memset(&sa, 0xa5, sizeof(sa));
	CU_ASSERT_EQUAL(bw_name_ctl_sockaddr("edge", &sa, &salen), 0);
	CU_ASSERT_EQUAL(sa.sun_family, AF_UNIX);
	CU_ASSERT_EQUAL(sa.sun_path[0], '\0');
	CU_ASSERT_EQUAL(memcmp(sa.sun_path + 1, "bulwark.edge.ctl", 16), 0);
	CU_ASSERT_EQUAL(salen, sizeof(sa.sun_family) + 1 + 16);
	CU_ASSERT_EQUAL(bw_name_ctl_sockaddr("a/b", &sa, &salen), -EINVAL);

	/* what the CLI makes, the dataplane takes; nothing else */
	CU_ASSERT_EQUAL(bw_name_image_shm("edge", 4242, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "/bulwark.edge.img.4242");
	CU_ASSERT(bw_name_image_shm_valid(buf, sizeof(buf)));
	CU_ASSERT_EQUAL(bw_name_image_shm("edge", 0, buf, sizeof(buf)),
			-EINVAL);
	CU_ASSERT(!bw_name_image_shm_valid("/bulwark.edge.status", 32));
	CU_ASSERT(!bw_name_image_shm_valid("/bulwark.edge.img.", 32));
	CU_ASSERT(!bw_name_image_shm_valid("/bulwark.edge.img.12a", 32));
	CU_ASSERT(!bw_name_image_shm_valid("/bulwark.edge.img.012", 32));
	CU_ASSERT(!bw_name_image_shm_valid("/bulwark..img.12", 32));
	CU_ASSERT(!bw_name_image_shm_valid("/bulwark.a/b.img.12", 32));
	CU_ASSERT(!bw_name_image_shm_valid("/other.edge.img.12", 32));
	CU_ASSERT(!bw_name_image_shm_valid("bulwark.edge.img.12", 32));
	/* not terminated within the field */
	memset(buf, 'a', sizeof(buf));
	memcpy(buf, "/bulwark.edge.img.1", 19);
	CU_ASSERT(!bw_name_image_shm_valid(buf, sizeof(buf)));
}

struct crc_job {
	const uint8_t *buf;
	size_t len;
	uint32_t crc;
};

static void *
crc_thread(void *arg)
{
	struct crc_job *j = arg;

	j->crc = bw_crc32c(0, j->buf, j->len);
	return NULL;
}

/* Bitwise CRC32C, the oracle: no table. */
static uint32_t
crc_bitwise(const uint8_t *p, size_t len)
{
	uint32_t c = ~0u;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
	}
	return ~c;
}

/* Known vectors (RFC 3720 B.4), the bitwise oracle, and first calls racing. */
static void
test_crc32c(void)
{
	static const uint8_t zeros[32], ones[32] = {
						[0 ... 31] = 0xff,
					};
	struct crc_job jobs[4];
	pthread_t th[4];
	uint8_t *big;
	size_t i;

	big = malloc(1 << 20);
	CU_ASSERT_FATAL(big != NULL);
	for (i = 0; i < (1u << 20); i++)
		big[i] = (uint8_t)(i * 2654435761u >> 13);
	for (i = 0; i < 4; i++) {
		jobs[i].buf = big;
		jobs[i].len = (1u << 20) - i;
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, crc_thread,
					       &jobs[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(jobs[i].crc, crc_bitwise(big, jobs[i].len));
	}
	CU_ASSERT_EQUAL(bw_crc32c(0, "123456789", 9), 0xe3069283u);
	CU_ASSERT_EQUAL(bw_crc32c(0, zeros, sizeof(zeros)), 0x8a9136aau);
	CU_ASSERT_EQUAL(bw_crc32c(0, ones, sizeof(ones)), 0x62a8ab43u);
	/* continuing from a previous crc equals one pass */
	CU_ASSERT_EQUAL(bw_crc32c(bw_crc32c(0, big, 1000), big + 1000, 7777),
			bw_crc32c(0, big, 8777));
	free(big);
}

static void
test_file_read(void)
{
	char path[512];
	void *buf = NULL;
	size_t len = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/text", tmpdir);
	f = fopen(path, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs("drop 192.0.2.0/24\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(bw_file_read(path, 1024, 64, 0, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 18);
	CU_ASSERT(((uintptr_t)buf & 63) == 0);
	CU_ASSERT_EQUAL(((char *)buf)[len], '\0');
	CU_ASSERT(memcmp(buf, "drop 192.0.2.0/24\n", 18) == 0);
	free(buf);
	CU_ASSERT_EQUAL(bw_file_read(path, 17, 8, 0, &buf, &len), -EFBIG);
	CU_ASSERT_EQUAL(bw_file_read(path, 18, 8, 0, &buf, &len), 0);
	free(buf);
	CU_ASSERT_EQUAL(bw_file_read(tmpdir, 1024, 8, 0, &buf, &len), -EISDIR);
	CU_ASSERT_EQUAL(
		bw_file_read("/dev/null", 1024, 8, BW_FILE_REGULAR, &buf, &len),
		-EINVAL);
	CU_ASSERT_EQUAL(bw_file_read("/dev/null", 1024, 8, 0, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	free(buf);
	CU_ASSERT_EQUAL(bw_file_read("/nonexistent/bw", 1024, 8, 0, &buf, &len),
			-ENOENT);
}

/* A file larger than one read chunk, through a pipe (no size known). */
static void
test_file_read_pipe(void)
{
	static uint8_t data[300000];
	void *buf = NULL;
	size_t len = 0, i, off = 0;
	int p[2];
	pid_t pid;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_FATAL(pipe(p) == 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		while (off < sizeof(data)) {
			ssize_t n = write(p[1], data + off, sizeof(data) - off);

			if (n <= 0)
				_exit(1);
			off += (size_t)n;
		}
		_exit(0);
	}
	close(p[1]);
	CU_ASSERT_EQUAL(bw_file_read_fd(p[0], sizeof(data), 16, &buf, &len), 0);
	close(p[0]);
	waitpid(pid, NULL, 0);
	CU_ASSERT_EQUAL_FATAL(len, sizeof(data));
	CU_ASSERT(memcmp(buf, data, len) == 0);
	free(buf);
}

static void
test_why(void)
{
	char why[8];

	bw_why_set(why, sizeof(why), "line %d: %s", 12, "bad");
	CU_ASSERT_STRING_EQUAL(why, "line 12");
	bw_why_set(NULL, 10, "x");
	why[0] = 'z';
	bw_why_set(why, 0, "x");
	CU_ASSERT_EQUAL(why[0], 'z');
}

static int
clean(void)
{
	char cmd[600];

	if (!tmpdir_made)
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : 1;
}

static const struct bw_cunit_test tests[] = {
	{"state directory names", test_state_names},
	{"state directory generations", test_state_gens},
	{"instance and object names", test_names},
	{"crc32c", test_crc32c},
	{"whole-file read", test_file_read},
	{"whole-file read from a pipe", test_file_read_pipe},
	{"reason buffer", test_why},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	static const struct bw_cunit_suite suite = {
		.name = "lib",
		.clean = clean,
	};

	return bw_cunit_run_suite(&suite, tests,
				  sizeof(tests) / sizeof(tests[0]));
}
