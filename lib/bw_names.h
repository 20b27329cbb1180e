/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The names an instance is reached by, made and checked here for both
 * programs: the instance name itself, its status region, its request
 * socket and the shared-memory objects that carry images to it.
 */
#ifndef BW_NAMES_H
#define BW_NAMES_H

#include <stddef.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/types.h>

/*
 * Returns 1 when instance is 1 to BW_NAME_LEN - 1 characters of
 * [A-Za-z0-9_-], 0 otherwise.
 */
int bw_name_instance_valid(const char *instance);

/*
 * The POSIX shm name of an instance's status region ("/bulwark.I.status")
 * into buf. Returns 0, -EINVAL for an invalid instance name, or
 * -ENAMETOOLONG when buf is too small.
 */
int bw_name_status_shm(const char *instance, char *buf, size_t len);

/*
 * Abstract-namespace socket name of an instance into buf (leading NUL
 * included; *len gets the length to pass with offsetof(sun_path)).
 * Returns 0 or -EINVAL when the instance is invalid or buf too small.
 */
int bw_name_ctl_sock(const char *instance, char *buf, size_t size, size_t *len);

/*
 * The same name as a whole address for bind() or connect(): sa filled,
 * *salen its length. Returns 0 or -EINVAL for an invalid instance.
 */
int bw_name_ctl_sockaddr(const char *instance, struct sockaddr_un *sa,
			 socklen_t *salen);

/*
 * The shm name of the image bulwarkctl process pid hands to an instance
 * ("/bulwark.I.img.PID") into buf. Returns 0, -EINVAL or -ENAMETOOLONG.
 */
int bw_name_image_shm(const char *instance, pid_t pid, char *buf, size_t len);

/*
 * Returns 1 when the len bytes at name hold a NUL-terminated name that
 * bw_name_image_shm() makes (for any valid instance and pid), 0 otherwise.
 * The dataplane checks a request's object name with it before shm_open().
 */
int bw_name_image_shm_valid(const char *name, size_t len);

/*
 * The request socket is a file, BW_CTL_SOCK_FILE, in the instance's run
 * directory: BW_RUN_DIR_BASE/<instance> unless the dataplane's --run-dir
 * (bulwarkctl: $BW_RUN_DIR_ENV) names another. Only its owner (root) may
 * write the directory, so no other user can bind the name first.
 */
#define BW_RUN_DIR_BASE	 "/run/bulwark"
#define BW_RUN_DIR_ENV	 "BULWARK_RUN_DIR"
#define BW_CTL_SOCK_FILE "ctl.sock"

/*
 * The default run directory of an instance ("/run/bulwark/I") into buf.
 * Returns 0, -EINVAL for an invalid instance or -ENAMETOOLONG.
 */
int bw_name_run_dir(const char *instance, char *buf, size_t len);

/*
 * The request socket's address in run_dir (run_dir/ctl.sock) for bind()
 * or connect(): sa filled, *salen its length. Returns 0, -EINVAL for an
 * empty run_dir or -ENAMETOOLONG when the path does not fit sun_path.
 */
int bw_name_ctl_path(const char *run_dir, struct sockaddr_un *sa,
		     socklen_t *salen);

#endif /* BW_NAMES_H */
