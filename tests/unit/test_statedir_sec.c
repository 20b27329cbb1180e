/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the state directory's trust rule, link-safe opens and the
 * audit line's checksum field (lib/statedir.c; docs/security.md). The
 * expected answers are written out here from the rule as documented.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "bw_cunit.h"
#include "bw_statedir.h"

static char tmpdir[] = "/tmp/bw-test-statedir-XXXXXX";

/* A stat of type and mode (e.g. S_IFDIR | 01777), owner and group. */
static struct stat
st_of(mode_t mode, uid_t uid, gid_t gid)
{
	struct stat sb;

	memset(&sb, 0, sizeof(sb));
	sb.st_mode = mode;
	sb.st_uid = uid;
	sb.st_gid = gid;
	return sb;
}

/* bw_state_trusted() as (dir, euid 4242, operators' gid 500); 0 or errno */
static int
trust(mode_t mode, uid_t uid, gid_t gid, int dir, char *why)
{
	struct stat sb = st_of(mode, uid, gid);

	why[0] = '\0';
	return bw_state_trusted(&sb, dir, 4242, 500, why, BW_STATE_WHY_LEN);
}

static void
test_trust(void)
{
	char why[BW_STATE_WHY_LEN];

	/* root's 0750 directory, an operator's 0660 file: trusted */
	CU_ASSERT_EQUAL(trust(S_IFDIR | 0750, 0, 0, 1, why), 0);
	CU_ASSERT_EQUAL(trust(S_IFDIR | 0770, 0, 500, 1, why), 0);
	CU_ASSERT_EQUAL(trust(S_IFREG | 0660, 1234, 500, 0, why), 0);
	/* the caller's own file */
	CU_ASSERT_EQUAL(trust(S_IFREG | 0640, 4242, 4242, 0, why), 0);
	/* root's group may write */
	CU_ASSERT_EQUAL(trust(S_IFDIR | 0770, 0, 0, 1, why), 0);

	/* a tmpfs mount point */
	CU_ASSERT_EQUAL(trust(S_IFDIR | 01777, 0, 0, 1, why), -EPERM);
	CU_ASSERT_STRING_EQUAL(why, "writable by others (mode 1777)");
	/* another user's file, another group */
	CU_ASSERT_EQUAL(trust(S_IFREG | 0640, 1234, 777, 0, why), -EPERM);
	CU_ASSERT_STRING_EQUAL(why, "owned by uid 1234 and group 777: neither "
				    "root nor group 'bulwark'");
	/* root's file, group-writable by a group not the operators' */
	CU_ASSERT_EQUAL(trust(S_IFREG | 0660, 0, 77, 0, why), -EPERM);
	CU_ASSERT_STRING_EQUAL(why, "writable by group 77, not group "
				    "'bulwark' (mode 0660)");
	/* an operator's file others may write */
	CU_ASSERT_EQUAL(trust(S_IFREG | 0662, 1234, 500, 0, why), -EPERM);
	/* types */
	CU_ASSERT_EQUAL(trust(S_IFIFO | 0640, 0, 0, 0, why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "a FIFO, not a regular file");
	CU_ASSERT_EQUAL(trust(S_IFCHR | 0640, 0, 0, 0, why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "a character device, not a regular file");
	CU_ASSERT_EQUAL(trust(S_IFREG | 0640, 0, 0, 1, why), -EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "a regular file, not a directory");
	/* no operators' group: gid -1 matches nothing */
	{
		struct stat sb = st_of(S_IFREG | 0660, 1234, (gid_t)-1);

		CU_ASSERT_EQUAL(bw_state_trusted(&sb, 0, 4242, (gid_t)-1, why,
						 sizeof(why)),
				-EPERM);
	}
}

static void
test_open_file(void)
{
	char why[BW_STATE_WHY_LEN], name[BW_STATE_TMP_LEN];
	int dfd, fd;

	dfd = bw_state_dir_open(tmpdir, geteuid(), (gid_t)-1, why, sizeof(why));
	CU_ASSERT_FATAL(dfd >= 0);
	/* a regular file of ours */
	fd = bw_state_tmp_create(dfd, 0640, name);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(strncmp(name, ".tmp-", 5) == 0 && strlen(name) == 21);
	CU_ASSERT_EQUAL(write(fd, "abc", 3), 3);
	close(fd);
	fd = bw_state_open_file(dfd, name, geteuid(), (gid_t)-1, why,
				sizeof(why));
	CU_ASSERT(fd >= 0);
	if (fd >= 0) {
		void *buf;
		size_t len;

		CU_ASSERT_EQUAL(bw_state_read_fd(fd, 1024, 8, &buf, &len, why,
						 sizeof(why)),
				0);
		CU_ASSERT(len == 3 && memcmp(buf, "abc", 3) == 0);
		free(buf);
		/* more than max: refused, not cut */
		CU_ASSERT_EQUAL(bw_state_read_fd(fd, 2, 8, &buf, &len, why,
						 sizeof(why)),
				-EINVAL);
		close(fd);
	}
	/* a link to it: refused, not followed */
	CU_ASSERT_FATAL(symlinkat(name, dfd, "link") == 0);
	CU_ASSERT_EQUAL(bw_state_open_file(dfd, "link", geteuid(), (gid_t)-1,
					   why, sizeof(why)),
			-ELOOP);
	CU_ASSERT_STRING_EQUAL(why, "a symbolic link, not a regular file");
	/* a FIFO: refused at once, the open does not wait for a writer */
	CU_ASSERT_FATAL(mkfifoat(dfd, "fifo", 0600) == 0);
	CU_ASSERT_EQUAL(bw_state_open_file(dfd, "fifo", geteuid(), (gid_t)-1,
					   why, sizeof(why)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "a FIFO, not a regular file");
	/* a missing file: its errno, for the caller to tell apart */
	CU_ASSERT_EQUAL(bw_state_open_file(dfd, "absent", geteuid(), (gid_t)-1,
					   why, sizeof(why)),
			-ENOENT);
	unlinkat(dfd, name, 0);
	unlinkat(dfd, "link", 0);
	unlinkat(dfd, "fifo", 0);
	close(dfd);
}

static void
test_audit_sum(void)
{
	struct bw_audit_rec r, back;
	char line[2048];
	const char *legacy = "3\t2\t2025-01-17T10:22:33Z\t0\troot\tstaged\top";
	const char *bad = "3\t2\t2025-01-17T10:22:33Z\t0\troot\tstaged\tcrc32c:"
			  "0000zz00\top";

	memset(&r, 0, sizeof(r));
	r.gen = 3;
	r.parent = 2;
	r.time_s = 1737109353; /* 2025-01-17T10:22:33Z */
	snprintf(r.user, sizeof(r.user), "root");
	snprintf(r.how, sizeof(r.how), "staged");
	snprintf(r.op, sizeof(r.op), "list add blk 192.0.2.66/32");
	r.has_sum = 1;
	r.sum = 0xabcd;
	CU_ASSERT_EQUAL(bw_audit_format(&r, line, sizeof(line)), 0);
	CU_ASSERT_STRING_EQUAL(line, "3\t2\t2025-01-17T10:22:33Z\t0\troot\t"
				     "staged\tcrc32c:0000abcd\tlist add blk "
				     "192.0.2.66/32\n");
	CU_ASSERT_EQUAL(bw_audit_parse(line, strlen(line), &back), 0);
	CU_ASSERT(back.has_sum == 1 && back.sum == 0xabcd);
	CU_ASSERT_STRING_EQUAL(back.op, "list add blk 192.0.2.66/32");
	/* a line from before the checksum */
	CU_ASSERT_EQUAL(bw_audit_parse(legacy, strlen(legacy), &back), 0);
	CU_ASSERT(back.has_sum == 0);
	CU_ASSERT_STRING_EQUAL(back.op, "op");
	/* a checksum that is not hex */
	CU_ASSERT_EQUAL(bw_audit_parse(bad, strlen(bad), &back), -EINVAL);
}

static int
clean(void)
{
	return rmdir(tmpdir) == 0 ? 0 : -1;
}

static int
init(void)
{
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static const struct bw_cunit_test tests[] = {
	{"trust rule", test_trust},
	{"link-safe opens and guarded reads", test_open_file},
	{"audit line checksum", test_audit_sum},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	static const struct bw_cunit_suite suite = {
		.name = "statedir_sec",
		.init = init,
		.clean = clean,
	};

	return bw_cunit_run_suite(&suite, tests,
				  sizeof(tests) / sizeof(tests[0]));
}
