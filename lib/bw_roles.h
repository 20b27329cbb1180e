/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Who may do what (docs/security.md, "Roles"), decided here for both
 * programs: root and the members of the operators' group commit and read;
 * the members of the readers' group read the status region (status,
 * stats) and may ask the dataplane for its generation, never commit;
 * anyone else gets nothing.
 */
#ifndef BW_ROLES_H
#define BW_ROLES_H

#include <sys/types.h>

#include "bw_ctl.h"

#define BW_READER_GROUP "bulwark-ro" /* read-only role */

enum bw_role {
	BW_ROLE_NONE = 0, /* neither root nor in either group */
	BW_ROLE_READER,	  /* in BW_READER_GROUP: read, not commit */
	BW_ROLE_OPERATOR, /* root, or in BW_OPERATOR_GROUP: commit */
};

/*
 * The role of a process of uid, primary gid gid (its supplementary
 * groups are those of its user in the group database). Any thread.
 */
enum bw_role bw_role_of(uid_t uid, gid_t gid);

/* The gid of group name, or (gid_t)-1 when it does not exist. */
gid_t bw_group_gid(const char *name);

/*
 * Give the readers' group read access to the open file fd (a POSIX
 * access ACL entry, group BW_READER_GROUP r--; the owner's and the file
 * group's permissions stay as the mode says, others get none). Returns 0,
 * -ENOENT when the group does not exist, or the negative errno of
 * fsetxattr (-EOPNOTSUPP: the file system has no ACLs).
 */
int bw_grant_readers(int fd);

#endif /* BW_ROLES_H */
