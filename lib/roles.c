/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Roles from group membership, and the ACL that lets the readers' group
 * read a file (bw_roles.h).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/xattr.h>

#include "bw_roles.h"

#define GROUPS_MAX 256 /* supplementary groups looked at */

gid_t
bw_group_gid(const char *name)
{
	struct group gr, *grp = NULL;
	char buf[4096];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &grp) != 0 || grp == NULL)
		return (gid_t)-1;
	return grp->gr_gid;
}

/* 1 when a process of uid with primary gid gid is in group g. */
static int
in_group(uid_t uid, gid_t gid, gid_t g)
{
	struct passwd pw, *pwp = NULL;
	gid_t groups[GROUPS_MAX];
	int n = GROUPS_MAX, i;
	char buf[4096];

	if (g == (gid_t)-1)
		return 0;
	if (gid == g)
		return 1;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp) != 0 || pwp == NULL)
		return 0;
	if (getgrouplist(pwp->pw_name, gid, groups, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (groups[i] == g)
			return 1;
	return 0;
}

enum bw_role
bw_role_of(uid_t uid, gid_t gid)
{
	if (uid == 0 || in_group(uid, gid, bw_group_gid(BW_OPERATOR_GROUP)))
		return BW_ROLE_OPERATOR;
	if (in_group(uid, gid, bw_group_gid(BW_READER_GROUP)))
		return BW_ROLE_READER;
	return BW_ROLE_NONE;
}

/*
 * The Linux xattr form of a POSIX ACL (system.posix_acl_access): a
 * version, then entries sorted by tag, each tag, permission bits, id.
 */
#define ACL_XATTR_VERSION 2
#define ACL_USER_OBJ	  0x01
#define ACL_GROUP_OBJ	  0x04
#define ACL_GROUP	  0x08
#define ACL_MASK	  0x10
#define ACL_OTHER	  0x20
#define ACL_UNDEFINED_ID  0xffffffffu

struct acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;
} __attribute__((packed));

struct acl_xattr {
	uint32_t version;
	struct acl_entry e[5];
} __attribute__((packed));

int
bw_grant_readers(int fd)
{
	gid_t ro = bw_group_gid(BW_READER_GROUP);
	struct acl_xattr a;
	struct stat sb;
	uint16_t g;

	if (ro == (gid_t)-1)
		return -ENOENT;
	if (fstat(fd, &sb) != 0)
		return -errno;
	g = (uint16_t)((sb.st_mode >> 3) & 7);
	memset(&a, 0, sizeof(a));
	a.version = ACL_XATTR_VERSION;
	a.e[0] = (struct acl_entry){ACL_USER_OBJ,
				    (uint16_t)((sb.st_mode >> 6) & 7),
				    ACL_UNDEFINED_ID};
	a.e[1] = (struct acl_entry){ACL_GROUP_OBJ, g, ACL_UNDEFINED_ID};
	a.e[2] = (struct acl_entry){ACL_GROUP, 4, (uint32_t)ro};
	/* the mask bounds the group class: the file group's bits and r */
	a.e[3] = (struct acl_entry){ACL_MASK, (uint16_t)(g | 4),
				    ACL_UNDEFINED_ID};
	a.e[4] = (struct acl_entry){ACL_OTHER, 0, ACL_UNDEFINED_ID};
	if (fsetxattr(fd, "system.posix_acl_access", &a, sizeof(a), 0) != 0)
		return -errno;
	return 0;
}
