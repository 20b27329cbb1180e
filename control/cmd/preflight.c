/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl preflight [CONF] [--json]`: before a start, check what the
 * dataplane of an instance needs from this machine and say what to fix:
 * the configuration file itself (parsed by the rules of bulwark-start,
 * bulwark.conf(5)), hugepages, the IOMMU, each port's PCI device, driver,
 * NUMA node, queues and MTU, the worker lcores (present, online,
 * isolated), the state and run directories, the groups, and whether the
 * instance runs already. One line per check: ok, warn or FAIL, its name,
 * what was found and, for warn and FAIL, the fix. Exit 0 when nothing
 * FAILs, 1 otherwise.
 *
 * Read-only: it opens files for reading and changes nothing, so any user
 * may run it (what it cannot read it says). Every /sys, /proc and /dev
 * path is read under $BULWARK_PREFLIGHT_ROOT when that is set, a test
 * hook for a made-up machine; the configuration and the state directory
 * are read where they are named. The row of the command is in table.c.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_region.h"
#include "ctl_sample.h"
#include "bw_roles.h"
#include "bw_statedir.h"

#define PF_ROOT_ENV	"BULWARK_PREFLIGHT_ROOT"
#define PF_CONF_DIR	"/etc/bulwark"
#define PF_RUN_DIR	"/run/bulwark"
#define PF_CPUS_MAX	1024 /* cpu numbers looked at */
#define PF_NODES_MAX	64   /* NUMA nodes looked at */
#define PF_PORTS_MAX	32
#define PF_VDEVS_MAX	32
#define PF_CONF_MAX	(64u << 10) /* bytes of configuration read */
#define PF_LINE_MAX	4096
#define PF_OPERATOR_GID "bulwark"

enum pf_result { PF_OK, PF_WARN, PF_FAIL };

static const char *const result_text[] = {"ok", "warn", "FAIL"};
static const char *const result_json[] = {"ok", "warn", "fail"};

struct pf_check {
	char *name;
	char *found;
	char *fix; /* NULL: nothing to do */
	enum pf_result result;
};

/* The configuration's keys, as bulwark-start takes them. */
enum { K_LCORES, K_WORKERS, K_PORTS, K_EAL, K_OPTIONS, K_NB };
static const char *const key_names[K_NB] = {"LCORES", "WORKERS", "PORTS",
					    "EAL_OPTIONS", "OPTIONS"};

struct cpuset {
	uint64_t bits[PF_CPUS_MAX / 64];
};

struct pf {
	struct ctl_ctx *ctx;
	const char *root; /* prefix of /sys, /proc, /dev; "" for none */
	struct pf_check *checks;
	size_t nb, cap;
	int oom;
	/* the configuration */
	char conf[PATH_MAX];
	int conf_read;		   /* read and every line taken */
	char *val[K_NB];	   /* NULL: not given */
	int at[K_NB];		   /* line of each key */
	struct cpuset lcores;	   /* LCORES */
	int lcores_ok;		   /* LCORES parsed into lcores */
	int main_lcore;		   /* the EAL's main lcore */
	struct cpuset workers;	   /* lcores but the main one */
	long nb_workers;	   /* of workers */
	char *ports[PF_PORTS_MAX]; /* PCI addresses, domain added, lower */
	int nb_ports;
	char *vdevs[PF_VDEVS_MAX];
	int nb_vdevs;
	int no_huge;
	char eal_lcores[32]; /* an lcore option in EAL_OPTIONS, or "" */
	long mem_mb;	     /* -m or the sum of --socket-mem; -1: none */
	long socket_mb[PF_NODES_MAX]; /* --socket-mem per NUMA node, MB */
	int nb_sockets;		      /* of socket_mb given */
	long mtu;		      /* --mtu; -1: none */
	char *state_dir;	      /* --state-dir of OPTIONS, or NULL */
};

/* --- the list of checks ----------------------------------------------- */

static char *__attribute__((format(printf, 2, 0)))
pf_vfmt(struct pf *pf, const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0) {
		pf->oom = 1;
		return NULL;
	}
	return s;
}

/* Add a check; found is formatted. Returns it (NULL when out of memory). */
static struct pf_check *pf_add(struct pf *pf, enum pf_result res,
			       const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct pf_check *
pf_add(struct pf *pf, enum pf_result res, const char *name, const char *fmt,
       ...)
{
	struct pf_check *c;
	va_list ap;

	if (pf->nb == pf->cap) {
		size_t cap = pf->cap ? 2 * pf->cap : 32;
		struct pf_check *v = realloc(pf->checks, cap * sizeof(*v));

		if (v == NULL) {
			pf->oom = 1;
			return NULL;
		}
		pf->checks = v;
		pf->cap = cap;
	}
	c = &pf->checks[pf->nb];
	memset(c, 0, sizeof(*c));
	c->result = res;
	c->name = strdup(name);
	va_start(ap, fmt);
	c->found = pf_vfmt(pf, fmt, ap);
	va_end(ap);
	if (c->name == NULL || c->found == NULL) {
		free(c->name);
		free(c->found);
		pf->oom = 1;
		return NULL;
	}
	pf->nb++;
	return c;
}

/* Set the fix of check c (may be NULL: then nothing happens). */
static void pf_fix(struct pf *pf, struct pf_check *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
pf_fix(struct pf *pf, struct pf_check *c, const char *fmt, ...)
{
	va_list ap;

	if (c == NULL)
		return;
	va_start(ap, fmt);
	free(c->fix);
	c->fix = pf_vfmt(pf, fmt, ap);
	va_end(ap);
}

/* --- reading the machine ---------------------------------------------- */

/* The path of a /sys, /proc or /dev file under the root prefix. */
static int pf_path(const struct pf *pf, char *buf, size_t len, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));
static int
pf_path(const struct pf *pf, char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(pf->root);
	va_list ap;
	int m;

	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(buf, pf->root, n);
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	if (m < 0 || (size_t)m >= len - n)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Read the small file path into buf (at most len - 1 bytes, NUL ended,
 * blanks at the end cut). Returns the length or a negative errno.
 */
static int
read_small(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		n--;
	buf[n] = '\0';
	return (int)n;
}

/*
 * A /sys or /proc file (named by fmt, under the root prefix) as a number.
 * Returns 0 or a negative errno.
 */
static int read_long(const struct pf *pf, long *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int
read_long(const struct pf *pf, long *v, const char *fmt, ...)
{
	char rel[PATH_MAX], path[PATH_MAX], buf[64], *end;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (rc < 0 || (size_t)rc >= sizeof(rel) ||
	    pf_path(pf, path, sizeof(path), "%s", rel) < 0)
		return -ENAMETOOLONG;
	rc = read_small(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0')
		return -EINVAL;
	return 0;
}

/* --- cpu lists -------------------------------------------------------- */

static void
cpu_set(struct cpuset *s, long c)
{
	s->bits[c / 64] |= UINT64_C(1) << (c % 64);
}

static int
cpu_isset(const struct cpuset *s, long c)
{
	return c >= 0 && c < PF_CPUS_MAX &&
	       (s->bits[c / 64] >> (c % 64) & 1) != 0;
}

/* out = a without the cpus of b (out may be a). */
static void
cpu_minus(struct cpuset *out, const struct cpuset *a, const struct cpuset *b)
{
	size_t k;

	for (k = 0; k < sizeof(a->bits) / sizeof(a->bits[0]); k++)
		out->bits[k] = a->bits[k] & ~b->bits[k];
}

/* out = a and b (out may be either). */
static void
cpu_and(struct cpuset *out, const struct cpuset *a, const struct cpuset *b)
{
	size_t k;

	for (k = 0; k < sizeof(a->bits) / sizeof(a->bits[0]); k++)
		out->bits[k] = a->bits[k] & b->bits[k];
}

static int
cpu_count(const struct cpuset *s)
{
	int n = 0, i;

	for (i = 0; i < PF_CPUS_MAX; i++)
		n += cpu_isset(s, i);
	return n;
}

/*
 * Parse a list like "0-3,5,7-8" (the kernel's cpulist and DPDK's -l):
 * an empty string is the empty set. Returns 0, or -EINVAL (not such a
 * list), -ERANGE (a number past PF_CPUS_MAX) or -EDOM (a backward range).
 */
static int
cpu_list_parse(const char *s, struct cpuset *out)
{
	char *end;
	long a, b, c;

	memset(out, 0, sizeof(*out));
	while (*s != '\0') {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		a = strtol(s, &end, 10);
		b = a;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			b = strtol(s, &end, 10);
			s = end;
		}
		if (errno != 0 || a >= PF_CPUS_MAX || b >= PF_CPUS_MAX)
			return -ERANGE;
		if (b < a)
			return -EDOM;
		for (c = a; c <= b; c++)
			cpu_set(out, c);
		if (*s == ',' && s[1] != '\0')
			s++;
		else if (*s != '\0')
			return -EINVAL;
	}
	return 0;
}

/* s as a list like "1-2,5" into buf. */
static void
cpu_list_fmt(const struct cpuset *s, char *buf, size_t len)
{
	size_t used = 0;
	int i = 0, j, n;

	buf[0] = '\0';
	while (i < PF_CPUS_MAX) {
		if (!cpu_isset(s, i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 < PF_CPUS_MAX && cpu_isset(s, j + 1); j++)
			;
		n = j > i ? snprintf(buf + used, len - used, "%s%d-%d",
				     used ? "," : "", i, j)
			  : snprintf(buf + used, len - used, "%s%d",
				     used ? "," : "", i);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
		i = j + 1;
	}
	if (used == 0)
		snprintf(buf, len, "none");
}

/* Read a cpu list file; a missing file is the empty set when opt. */
static int
cpu_list_read(const struct pf *pf, const char *file, int opt,
	      struct cpuset *out)
{
	char path[PATH_MAX], buf[PF_LINE_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	if (pf_path(pf, path, sizeof(path), "%s", file) < 0)
		return -ENAMETOOLONG;
	rc = read_small(path, buf, sizeof(buf));
	if (rc == -ENOENT && opt)
		return 0;
	if (rc < 0)
		return rc;
	return cpu_list_parse(buf, out);
}

/* --- the configuration (bulwark-start's rules) ------------------------ */

static void conf_error(struct pf *pf, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void
conf_error(struct pf *pf, int line, const char *fmt, ...)
{
	struct pf_check *c;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	msg = pf_vfmt(pf, fmt, ap);
	va_end(ap);
	if (msg == NULL)
		return;
	if (line > 0)
		c = pf_add(pf, PF_FAIL, "conf", "%s:%d: %s", pf->conf, line,
			   msg);
	else
		c = pf_add(pf, PF_FAIL, "conf", "%s: %s", pf->conf, msg);
	free(msg);
	pf_fix(pf, c,
	       "correct the file (bulwark.conf(5)); bulwark-start "
	       "refuses it as it is");
	pf->conf_read = 0;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' ||
	       ch == '\f' || ch == '\r';
}

/* One line of the file: what bulwark-start's loop does with it. */
static void
conf_line(struct pf *pf, char *line, int lineno)
{
	char *end = line + strlen(line), *eq, *v;
	size_t vlen;
	int k;

	while (*line != '\0' && is_blank(*line))
		line++;
	while (end > line && is_blank(end[-1]))
		*--end = '\0';
	if (*line == '\0' || *line == '#')
		return;
	for (eq = line; (*eq >= 'A' && *eq <= 'Z') || *eq == '_'; eq++)
		;
	if (eq == line || *eq != '=') {
		conf_error(pf, lineno, "not KEY=VALUE: '%s'", line);
		return;
	}
	*eq = '\0';
	v = eq + 1;
	for (k = 0; k < K_NB; k++)
		if (strcmp(line, key_names[k]) == 0)
			break;
	if (k == K_NB) {
		conf_error(pf, lineno,
			   "unknown key '%s' (LCORES, WORKERS, PORTS, "
			   "EAL_OPTIONS, OPTIONS)",
			   line);
		return;
	}
	if (pf->val[k] != NULL) {
		conf_error(pf, lineno, "%s given twice (first on line %d)",
			   line, pf->at[k]);
		return;
	}
	vlen = strlen(v);
	if (vlen >= 2 && (v[0] == '\'' || v[0] == '"') && v[vlen - 1] == v[0]) {
		v[vlen - 1] = '\0';
		v++;
	}
	if (strpbrk(v, "'\"") != NULL) {
		conf_error(pf, lineno, "%s: quote the whole value, once", line);
		return;
	}
	pf->val[k] = strdup(v);
	if (pf->val[k] == NULL)
		pf->oom = 1;
	pf->at[k] = lineno;
}

/* The blank-separated words of s (modified), at most max, into w. */
static int
words(char *s, char **w, int max)
{
	int n = 0;

	while (n < max) {
		while (*s != '\0' && is_blank(*s))
			s++;
		if (*s == '\0')
			break;
		w[n++] = s;
		while (*s != '\0' && !is_blank(*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	return n;
}

/* A PCI address as bulwark-start takes it: [DDDD:]BB:DD.F, hex. */
static int
pci_addr_ok(const char *p)
{
	size_t n = strlen(p), i;
	const char *shape = n == 12 ? "xxxx:xx:xx.f" : "xx:xx.f";

	if (n != 12 && n != 7)
		return 0;
	for (i = 0; i < n; i++) {
		char s = shape[i], ch = p[i];

		if (s == 'x' && !isxdigit((unsigned char)ch))
			return 0;
		if (s == 'f' && (ch < '0' || ch > '7'))
			return 0;
		if ((s == ':' || s == '.') && ch != s)
			return 0;
	}
	return 1;
}

static void
add_port(struct pf *pf, const char *p)
{
	char buf[16];
	size_t i;

	if (pf->nb_ports == PF_PORTS_MAX)
		return;
	snprintf(buf, sizeof(buf), "%s%s", strlen(p) == 7 ? "0000:" : "", p);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)tolower((unsigned char)buf[i]);
	pf->ports[pf->nb_ports] = strdup(buf);
	if (pf->ports[pf->nb_ports] == NULL)
		pf->oom = 1;
	else
		pf->nb_ports++;
}

/*
 * The value of option name in w[*i] ("--name V", "--name=V", or for a
 * one-letter name "-nV"), moving *i past it; NULL when w[*i] is not it.
 */
static const char *
opt_value(char **w, int n, int *i, const char *name)
{
	size_t len = strlen(name);
	const char *s = w[*i];

	if (strncmp(s, name, len) != 0)
		return NULL;
	if (s[len] == '\0') {
		if (*i + 1 >= n)
			return "";
		return w[++*i];
	}
	if (s[len] == '=' && name[1] == '-')
		return s + len + 1;
	if (name[1] != '-')
		return s + len;
	return NULL;
}

/* What the rest of the checks need from EAL_OPTIONS and OPTIONS. */
static void
conf_options(struct pf *pf)
{
	char *w[256], *copy;
	const char *v;
	int n, i;

	if (pf->val[K_EAL] != NULL && (copy = strdup(pf->val[K_EAL])) != NULL) {
		n = words(copy, w, 256);
		for (i = 0; i < n; i++) {
			if (strcmp(w[i], "--no-huge") == 0) {
				pf->no_huge = 1;
			} else if ((v = opt_value(w, n, &i, "--socket-mem"))) {
				char *e;
				long sum = 0;

				pf->nb_sockets = 0;
				while (*v != '\0') {
					long mb = strtol(v, &e, 10);

					if (e == v)
						break;
					sum += mb;
					if (pf->nb_sockets < PF_NODES_MAX)
						pf->socket_mb
							[pf->nb_sockets++] = mb;
					v = *e == ',' ? e + 1 : e;
				}
				pf->mem_mb = sum;
			} else if ((v = opt_value(w, n, &i, "-m"))) {
				pf->mem_mb = strtol(v, NULL, 10);
			} else if ((v = opt_value(w, n, &i, "--vdev"))) {
				if (pf->nb_vdevs < PF_VDEVS_MAX)
					pf->vdevs[pf->nb_vdevs++] =
						strndup(v, strcspn(v, ","));
			} else if ((v = opt_value(w, n, &i, "--allow")) ||
				   (v = opt_value(w, n, &i, "-a"))) {
				char addr[16];

				snprintf(addr, sizeof(addr), "%.*s",
					 (int)strcspn(v, ","), v);
				if (pci_addr_ok(addr))
					add_port(pf, addr);
			} else if (strcmp(w[i], "-l") == 0 ||
				   strcmp(w[i], "-c") == 0 ||
				   strncmp(w[i], "--lcores", 8) == 0) {
				snprintf(pf->eal_lcores, sizeof(pf->eal_lcores),
					 "%.31s", w[i]);
			} else if ((v = opt_value(w, n, &i, "--main-lcore"))) {
				pf->main_lcore = (int)strtol(v, NULL, 10);
			}
		}
		free(copy);
	}
	if (pf->val[K_OPTIONS] != NULL &&
	    (copy = strdup(pf->val[K_OPTIONS])) != NULL) {
		n = words(copy, w, 256);
		for (i = 0; i < n; i++) {
			if ((v = opt_value(w, n, &i, "--state-dir"))) {
				free(pf->state_dir);
				pf->state_dir = strdup(v);
			} else if ((v = opt_value(w, n, &i, "--mtu"))) {
				char *e;

				pf->mtu = strtol(v, &e, 10);
				if (e == v || *e != '\0')
					pf->mtu = 0;
			}
		}
		free(copy);
	}
}

/*
 * The lcores a list names as bulwark-start counts them: a range a-b is
 * b - a + 1, a number 1, repeats included (EAL then refuses those).
 */
static long
lcores_words(const char *s)
{
	long n = 0, a, b;
	char *end;

	while (*s != '\0') {
		a = strtol(s, &end, 10);
		b = *end == '-' ? strtol(end + 1, &end, 10) : a;
		n += b - a + 1;
		s = *end == ',' ? end + 1 : end;
		if (end == s && *s != '\0')
			break;
	}
	return n;
}

/* Name the first range of LCORES that runs backwards, as bulwark-start. */
static void
backward_range(struct pf *pf)
{
	const char *s = pf->val[K_LCORES];
	long a, b;
	char *end;
	size_t len;

	while (*s != '\0') {
		len = strcspn(s, ",");
		a = strtol(s, &end, 10);
		if (*end == '-') {
			b = strtol(end + 1, NULL, 10);
			if (b < a) {
				conf_error(pf, pf->at[K_LCORES],
					   "LCORES range '%.*s' runs backwards",
					   (int)len, s);
				return;
			}
		}
		s += len;
		if (*s == ',')
			s++;
	}
}

/*
 * Read and judge the configuration as bulwark-start does: every line it
 * refuses is a FAIL with FILE:LINE. Fills the parsed fields of pf.
 */
static void
conf_read(struct pf *pf)
{
	char line[PF_LINE_MAX + 1], *buf, *p, *nl, *copy, *w[PF_PORTS_MAX * 4];
	struct stat sb;
	ssize_t n;
	size_t got = 0;
	int fd, lineno = 0, i, nw;

	fd = open(pf->conf, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;
		struct pf_check *c = pf_add(pf, PF_FAIL, "conf", "%s: %s",
					    pf->conf, strerror(err));

		if (err == ENOENT)
			pf_fix(pf, c,
			       "cp " PF_CONF_DIR "/example.conf %s and set "
			       "LCORES, PORTS, OPTIONS (bulwark.conf(5))",
			       pf->conf);
		else
			pf_fix(pf, c,
			       "run as root, or name a file you may read");
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		conf_error(pf, 0, "not a regular file (see bulwark.conf(5))");
		return;
	}
	buf = malloc(PF_CONF_MAX + 1);
	if (buf == NULL) {
		close(fd);
		pf->oom = 1;
		return;
	}
	while (got < PF_CONF_MAX &&
	       (n = read(fd, buf + got, PF_CONF_MAX - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	pf->conf_read = 1;
	for (p = buf; p < buf + got; p = nl + 1) {
		size_t len;

		nl = memchr(p, '\n', (size_t)(buf + got - p));
		if (nl == NULL)
			nl = buf + got;
		len = (size_t)(nl - p);
		lineno++;
		if (len > PF_LINE_MAX)
			len = PF_LINE_MAX;
		memcpy(line, p, len);
		line[len] = '\0';
		/* bash drops NUL bytes: a line stops at its first here */
		conf_line(pf, line, lineno);
	}
	free(buf);

	/* what bulwark-start checks after the loop, in its order */
	if (pf->val[K_LCORES] == NULL || pf->val[K_LCORES][0] == '\0') {
		conf_error(pf, 0,
			   "LCORES is required (the EAL lcore list, "
			   "e.g. 0-4)");
	} else {
		int rc = cpu_list_parse(pf->val[K_LCORES], &pf->lcores);

		if (rc == -EINVAL)
			conf_error(pf, pf->at[K_LCORES],
				   "LCORES '%s': not a list like 0-4 or "
				   "0,2,4-7",
				   pf->val[K_LCORES]);
		else if (rc == -EDOM && pf->val[K_WORKERS] != NULL &&
			 pf->val[K_WORKERS][0] != '\0')
			backward_range(pf);
		pf->lcores_ok = rc == 0;
	}
	pf->nb_workers = -1;
	if (pf->val[K_WORKERS] != NULL && pf->val[K_WORKERS][0] != '\0') {
		const char *v = pf->val[K_WORKERS];

		if (strspn(v, "0123456789") != strlen(v))
			conf_error(pf, pf->at[K_WORKERS],
				   "WORKERS '%s': not a number", v);
		else
			pf->nb_workers = strtol(v, NULL, 10);
	}
	if (pf->lcores_ok && pf->nb_workers >= 0 &&
	    lcores_words(pf->val[K_LCORES]) - 1 != pf->nb_workers)
		conf_error(pf, pf->at[K_WORKERS],
			   "WORKERS=%ld, but LCORES=%s gives %ld (one lcore is "
			   "the main one)",
			   pf->nb_workers, pf->val[K_LCORES],
			   lcores_words(pf->val[K_LCORES]) - 1);
	if (pf->val[K_PORTS] != NULL &&
	    (copy = strdup(pf->val[K_PORTS])) != NULL) {
		nw = words(copy, w, PF_PORTS_MAX * 4);
		for (i = 0; i < nw; i++) {
			if (!pci_addr_ok(w[i]))
				conf_error(pf, pf->at[K_PORTS],
					   "PORTS: '%s' is not a PCI address "
					   "(0000:03:00.0)",
					   w[i]);
			else
				add_port(pf, w[i]);
		}
		free(copy);
	}
	if (pf->val[K_OPTIONS] != NULL &&
	    (copy = strdup(pf->val[K_OPTIONS])) != NULL) {
		nw = words(copy, w, PF_PORTS_MAX * 4);
		for (i = 0; i < nw; i++)
			if (strcmp(w[i], "--instance") == 0 ||
			    strncmp(w[i], "--instance=", 11) == 0)
				conf_error(pf, pf->at[K_OPTIONS],
					   "OPTIONS: --instance is the unit's "
					   "name (%s); leave it out",
					   pf->ctx->instance);
		free(copy);
	}
	conf_options(pf);
	if (pf->conf_read)
		pf_add(pf, PF_OK, "conf",
		       "%s: LCORES=%s, %d PCI port(s), %d virtual", pf->conf,
		       pf->val[K_LCORES], pf->nb_ports, pf->nb_vdevs);
}

/* --- hugepages -------------------------------------------------------- */

/* Is a hugetlbfs mounted? Its mount point into dir. */
static int
hugetlbfs_mounted(const struct pf *pf, char *dir, size_t len)
{
	char path[PATH_MAX], line[PF_LINE_MAX], dev[256], mnt[PATH_MAX],
		type[64];
	FILE *f;
	int found = 0;

	if (pf_path(pf, path, sizeof(path), "/proc/mounts") < 0)
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%255s %4095s %63s", dev, mnt, type) == 3 &&
		    strcmp(type, "hugetlbfs") == 0) {
			snprintf(dir, len, "%s", mnt);
			found = 1;
		}
	fclose(f);
	return found;
}

/*
 * --socket-mem asks each NUMA node for its share: is a node short of free
 * hugepages (from /sys/devices/system/node/nodeN/hugepages)? Returns 1
 * with the first such node told in found (appended), else 0. A node whose
 * hugepages sysfs cannot tell is taken as enough.
 */
static int
node_short(struct pf *pf, char *found, size_t len)
{
	char path[PATH_MAX], file[512];
	struct dirent *de;
	long kb, fr, free_mb;
	size_t used;
	DIR *d;
	int n;

	for (n = 0; n < pf->nb_sockets; n++) {
		if (pf->socket_mb[n] <= 0)
			continue;
		if (pf_path(pf, path, sizeof(path),
			    "/sys/devices/system/node/node%d/hugepages",
			    n) < 0 ||
		    (d = opendir(path)) == NULL)
			continue;
		free_mb = 0;
		while ((de = readdir(d)) != NULL) {
			if (sscanf(de->d_name, "hugepages-%ldkB", &kb) != 1 ||
			    kb <= 0)
				continue;
			snprintf(file, sizeof(file),
				 "/sys/devices/system/node/node%d/hugepages/"
				 "%.64s/free_hugepages",
				 n, de->d_name);
			if (read_long(pf, &fr, "%s", file) == 0)
				free_mb += fr * kb / 1024;
		}
		closedir(d);
		if (free_mb >= pf->socket_mb[n])
			continue;
		used = strlen(found);
		snprintf(
			found + used, len - used,
			": --socket-mem asks node %d for %ld MB, it has %ld MB "
			"free",
			n, pf->socket_mb[n], free_mb);
		return 1;
	}
	return 0;
}

static void
check_hugepages(struct pf *pf)
{
	char path[PATH_MAX], found[1024], mnt[PATH_MAX];
	struct dirent *de;
	struct pf_check *c;
	size_t used = 0;
	long nr, fr, kb, total_mb = 0, free_mb = 0;
	DIR *d;
	int rc;

	found[0] = '\0';
	if (pf_path(pf, path, sizeof(path), "/sys/kernel/mm/hugepages") < 0 ||
	    (d = opendir(path)) == NULL) {
		c = pf_add(pf, pf->no_huge ? PF_OK : PF_FAIL, "hugepages",
			   "%s: %s%s", path, strerror(errno),
			   pf->no_huge ? " (not used: --no-huge in EAL_OPTIONS)"
				       : "");
		if (!pf->no_huge)
			pf_fix(pf, c, "a kernel with CONFIG_HUGETLBFS");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char size[64];
		int n;

		if (sscanf(de->d_name, "hugepages-%ldkB", &kb) != 1 || kb <= 0)
			continue;
		snprintf(size, sizeof(size), "%.63s", de->d_name);
		if (read_long(pf, &nr,
			      "/sys/kernel/mm/hugepages/%s/nr_hugepages",
			      size) < 0 ||
		    read_long(pf, &fr,
			      "/sys/kernel/mm/hugepages/%s/free_hugepages",
			      size) < 0)
			continue;
		n = snprintf(found + used, sizeof(found) - used,
			     "%s%ldkB pages: %ld reserved, %ld free",
			     used ? "; " : "", kb, nr, fr);
		if (n > 0 && (size_t)n < sizeof(found) - used)
			used += (size_t)n;
		total_mb += nr * kb / 1024;
		free_mb += fr * kb / 1024;
	}
	closedir(d);
	if (used == 0)
		snprintf(found, sizeof(found), "no hugepage sizes in %.900s",
			 path);
	rc = hugetlbfs_mounted(pf, mnt, sizeof(mnt));
	if (pf->no_huge) {
		pf_add(pf, PF_OK, "hugepages",
		       "%s (not used: --no-huge in EAL_OPTIONS, memory is "
		       "not pinned: for tests, not for a line rate)",
		       found);
		return;
	}
	if (total_mb == 0 || free_mb == 0) {
		c = pf_add(pf, PF_FAIL, "hugepages", "%s: %s", found,
			   total_mb == 0 ? "none reserved" : "none free");
		pf_fix(pf, c,
		       "echo 1024 > /sys/kernel/mm/hugepages/hugepages-2048kB/"
		       "nr_hugepages (or hugepages=1024 on the kernel command "
		       "line, or dpdk-hugepages.py --setup 2G)");
	} else if (pf->mem_mb > free_mb) {
		c = pf_add(pf, PF_FAIL, "hugepages",
			   "%s: EAL_OPTIONS asks for %ld MB, %ld MB free",
			   found, pf->mem_mb, free_mb);
		pf_fix(pf, c,
		       "reserve more (nr_hugepages of the size, or "
		       "hugepages= on the kernel command line) or lower "
		       "--socket-mem/-m");
	} else if (node_short(pf, found, sizeof(found))) {
		c = pf_add(pf, PF_FAIL, "hugepages", "%s", found);
		pf_fix(pf, c,
		       "reserve them on that node: echo N > /sys/devices/"
		       "system/node/nodeX/hugepages/hugepages-2048kB/"
		       "nr_hugepages, or move --socket-mem to the nodes that "
		       "have them");
	} else if (rc <= 0) {
		c = pf_add(pf, PF_FAIL, "hugepages",
			   "%s; no hugetlbfs mounted (%s)", found,
			   rc < 0 ? strerror(-rc) : "none in /proc/mounts");
		pf_fix(pf, c,
		       "mkdir -p /dev/hugepages && mount -t hugetlbfs nodev "
		       "/dev/hugepages");
	} else if (pf->mem_mb > 0) {
		pf_add(pf, PF_OK, "hugepages",
		       "%s; hugetlbfs on %s; %ld MB asked, %ld MB free", found,
		       mnt, pf->mem_mb, free_mb);
	} else {
		pf_add(pf, PF_OK, "hugepages",
		       "%s; hugetlbfs on %s; %ld MB free", found, mnt, free_mb);
	}
}

/* --- IOMMU ------------------------------------------------------------ */

/* Entries of a directory but . and ..; a negative errno. */
static int
dir_count(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
check_iommu(struct pf *pf)
{
	char path[PATH_MAX], noiommu[8] = "";
	struct pf_check *c;
	int n;

	if (pf_path(pf, path, sizeof(path), "/sys/kernel/iommu_groups") < 0)
		return;
	n = dir_count(path);
	if (n > 0) {
		pf_add(pf, PF_OK, "iommu", "%d IOMMU groups", n);
		return;
	}
	if (pf_path(pf, path, sizeof(path),
		    "/sys/module/vfio/parameters/enable_unsafe_noiommu_mode") ==
	    0)
		read_small(path, noiommu, sizeof(noiommu));
	if (noiommu[0] == 'Y' || noiommu[0] == '1') {
		c = pf_add(pf, PF_WARN, "iommu",
			   "no IOMMU groups; vfio's unsafe no-IOMMU mode is on "
			   "(a port can DMA anywhere in memory)");
		pf_fix(pf, c,
		       "turn the IOMMU on: VT-d/AMD-Vi in the firmware, "
		       "intel_iommu=on iommu=pt (or amd_iommu=on) on the "
		       "kernel command line");
		return;
	}
	c = pf_add(pf, pf->nb_ports > 0 ? PF_FAIL : PF_OK, "iommu",
		   "no IOMMU groups in /sys/kernel/iommu_groups%s",
		   pf->nb_ports > 0 ? ": vfio-pci cannot take the ports"
				    : " (no PCI ports: not needed)");
	if (pf->nb_ports > 0)
		pf_fix(pf, c,
		       "VT-d/AMD-Vi on in the firmware and intel_iommu=on "
		       "iommu=pt (or amd_iommu=on) on the kernel command "
		       "line, then reboot");
}

/* --- ports ------------------------------------------------------------ */

/* The NUMA node of each cpu (-1: none known), from node*'s cpulist. */
static void
cpu_nodes(const struct pf *pf, int *node_of)
{
	struct cpuset s;
	char file[64];
	int n, c;

	for (c = 0; c < PF_CPUS_MAX; c++)
		node_of[c] = -1;
	for (n = 0; n < PF_NODES_MAX; n++) {
		snprintf(file, sizeof(file),
			 "/sys/devices/system/node/node%d/cpulist", n);
		if (cpu_list_read(pf, file, 0, &s) < 0)
			continue;
		for (c = 0; c < PF_CPUS_MAX; c++)
			if (cpu_isset(&s, c))
				node_of[c] = n;
	}
}

/* The interface name of a kernel-bound port into ifname, or "". */
static void
port_ifname(const struct pf *pf, const char *addr, char *ifname, size_t len)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	ifname[0] = '\0';
	if (pf_path(pf, path, sizeof(path), "/sys/bus/pci/devices/%s/net",
		    addr) < 0 ||
	    (d = opendir(path)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			snprintf(ifname, len, "%.63s", de->d_name);
			break;
		}
	closedir(d);
}

/*
 * The MSI-X table size of a PCI device from its configuration space
 * (capability 0x11), or a negative errno: -EACCES when the part of the
 * space holding the capability is not readable by this user.
 */
static int
port_msix(const struct pf *pf, const char *addr)
{
	char path[PATH_MAX];
	uint8_t cfg[256];
	ssize_t n;
	int fd, ptr, hops;

	if (pf_path(pf, path, sizeof(path), "/sys/bus/pci/devices/%s/config",
		    addr) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (n < 0x40)
		return -EIO;
	if (!(cfg[0x06] & 0x10)) /* status: no capability list */
		return -ENOENT;
	ptr = cfg[0x34] & 0xfc;
	for (hops = 0; ptr >= 0x40 && hops < 48; hops++) {
		if (ptr + 4 > n)
			return -EACCES; /* only root reads past 64 bytes */
		if (cfg[ptr] == 0x11)
			return ((cfg[ptr + 2] | cfg[ptr + 3] << 8) & 0x7ff) + 1;
		ptr = cfg[ptr + 1] & 0xfc;
	}
	return -ENOENT;
}

static void
check_port(struct pf *pf, const char *addr, const int *node_of)
{
	char path[PATH_MAX], link[PATH_MAX], name[64], ifname[64], lst[256];
	const char *drv;
	struct pf_check *c;
	struct stat sb;
	ssize_t n;
	long node = -1, q = -1;
	int c2, off = 0, msix;

	snprintf(name, sizeof(name), "port %s", addr);
	if (pf_path(pf, path, sizeof(path), "/sys/bus/pci/devices/%s", addr) <
		    0 ||
	    stat(path, &sb) != 0) {
		c = pf_add(pf, PF_FAIL, name,
			   "no PCI device %s on this machine", addr);
		pf_fix(pf, c,
		       "name a port that exists in PORTS (lspci -D, "
		       "dpdk-devbind.py --status)");
		return;
	}
	port_ifname(pf, addr, ifname, sizeof(ifname));
	if (pf_path(pf, path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
		    addr) < 0)
		return;
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = '\0';
	drv = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (n <= 0) {
		c = pf_add(pf, PF_FAIL, name, "bound to no driver");
		pf_fix(pf, c, "dpdk-devbind.py --bind=vfio-pci %s", addr);
	} else if (strcmp(drv, "vfio-pci") == 0) {
		pf_add(pf, PF_OK, name, "bound to vfio-pci");
	} else if (strcmp(drv, "uio_pci_generic") == 0 ||
		   strcmp(drv, "igb_uio") == 0) {
		c = pf_add(pf, PF_WARN, name,
			   "bound to %s: works, but without IOMMU protection",
			   drv);
		pf_fix(pf, c, "dpdk-devbind.py --bind=vfio-pci %s", addr);
	} else if (strncmp(drv, "mlx", 3) == 0) {
		pf_add(pf, PF_OK, name,
		       "bound to %s: DPDK's mlx PMDs work beside the kernel "
		       "driver (no vfio-pci)",
		       drv);
	} else {
		c = pf_add(pf, PF_FAIL, name,
			   "bound to the kernel driver %s%s%s: DPDK cannot "
			   "take it",
			   drv, ifname[0] ? ", interface " : "", ifname);
		if (ifname[0])
			pf_fix(pf, c,
			       "ip link set %s down; modprobe vfio-pci; "
			       "dpdk-devbind.py --bind=vfio-pci %s",
			       ifname, addr);
		else
			pf_fix(pf, c,
			       "modprobe vfio-pci; dpdk-devbind.py "
			       "--bind=vfio-pci %s",
			       addr);
	}

	/* NUMA: the port's node against the workers' */
	snprintf(name, sizeof(name), "numa %s", addr);
	if (read_long(pf, &node, "/sys/bus/pci/devices/%s/numa_node", addr) <
		    0 ||
	    node < 0) {
		pf_add(pf, PF_OK, name, "no NUMA node given (one node)");
	} else if (!pf->lcores_ok) {
		pf_add(pf, PF_WARN, name,
		       "node %ld; the worker lcores are not known", node);
	} else {
		struct cpuset far;

		memset(&far, 0, sizeof(far));
		for (c2 = 0; c2 < PF_CPUS_MAX; c2++)
			if (cpu_isset(&pf->workers, c2) && node_of[c2] >= 0 &&
			    node_of[c2] != node) {
				cpu_set(&far, c2);
				off++;
			}
		if (off == 0) {
			pf_add(pf, PF_OK, name,
			       "node %ld, as every worker lcore", node);
		} else {
			cpu_list_fmt(&far, lst, sizeof(lst));
			c = pf_add(pf, PF_WARN, name,
				   "node %ld, but worker cpus %s are on "
				   "another node: every packet crosses the "
				   "interconnect",
				   node, lst);
			pf_fix(pf, c,
			       "workers on the cpus of node %ld "
			       "(/sys/devices/system/node/node%ld/cpulist) "
			       "in LCORES, or the card in a slot of their node",
			       node, node);
		}
	}

	/* queues: one rx and one tx queue per worker */
	snprintf(name, sizeof(name), "queues %s", addr);
	if (ifname[0] && pf_path(pf, path, sizeof(path),
				 "/sys/class/net/%s/queues", ifname) == 0) {
		struct dirent *de;
		DIR *d = opendir(path);

		if (d != NULL) {
			q = 0;
			while ((de = readdir(d)) != NULL)
				q += strncmp(de->d_name, "rx-", 3) == 0;
			closedir(d);
		}
	}
	if (q >= 0) {
		c = pf_add(pf, q >= pf->nb_workers ? PF_OK : PF_WARN, name,
			   "%ld rx queues under the kernel driver, %ld "
			   "workers",
			   q, pf->nb_workers);
		if (q < pf->nb_workers)
			pf_fix(pf, c,
			       "ethtool -l %s (maximum channels): "
			       "DPDK sets its own count, but fewer "
			       "than workers refuses the start",
			       ifname);
		return;
	}
	msix = port_msix(pf, addr);
	if (msix > 0 && msix - 1 >= pf->nb_workers) {
		pf_add(pf, PF_OK, name,
		       "%d MSI-X vectors: room for %ld queue pairs, most "
		       "likely (DPDK tells at the start)",
		       msix, pf->nb_workers);
	} else if (msix > 0) {
		c = pf_add(pf, PF_WARN, name,
			   "%d MSI-X vectors for %ld workers: the port may "
			   "have fewer queue pairs than workers",
			   msix, pf->nb_workers);
		pf_fix(pf, c,
		       "fewer workers (LCORES), or a port with more "
		       "queues");
	} else {
		c = pf_add(pf, PF_WARN, name,
			   "cannot tell before DPDK takes the port (%s)",
			   msix == -EACCES ? "its configuration space is "
					     "root's to read"
					   : "no MSI-X capability seen");
		pf_fix(pf, c,
		       "run as root, or see the port's queue count "
		       "in bulwarkctl status once it runs");
	}
}

static void
check_mtu(struct pf *pf)
{
	char ifname[64], lst[512];
	struct pf_check *c;
	size_t used = 0;
	long m;
	int i, n;

	lst[0] = '\0';
	for (i = 0; i < pf->nb_ports; i++) {
		port_ifname(pf, pf->ports[i], ifname, sizeof(ifname));
		if (ifname[0] == '\0' ||
		    read_long(pf, &m, "/sys/class/net/%s/mtu", ifname) < 0)
			continue;
		n = snprintf(lst + used, sizeof(lst) - used,
			     "; kernel MTU of %s (%s): %ld", ifname,
			     pf->ports[i], m);
		if (n > 0 && (size_t)n < sizeof(lst) - used)
			used += (size_t)n;
	}
	if (pf->mtu < 0) {
		pf_add(pf, PF_OK, "mtu",
		       "no --mtu in OPTIONS: each port keeps the MTU DPDK "
		       "finds%s",
		       lst);
	} else if (pf->mtu < 68 || pf->mtu > 65535) {
		c = pf_add(pf, PF_FAIL, "mtu",
			   "--mtu in OPTIONS is not 68 to 65535: bulwark "
			   "refuses to start%s",
			   lst);
		pf_fix(pf, c,
		       "--mtu N with N from 68 to 65535 (1500 "
		       "unless the links carry jumbo frames)");
	} else {
		pf_add(pf, PF_OK, "mtu",
		       "--mtu %ld set on every port at the start (a port "
		       "that refuses it gets a warning in the log)%s",
		       pf->mtu, lst);
	}
}

/* --- lcores ----------------------------------------------------------- */

/* The lcores of LCORES exist and are online. */
static void
check_lcores_exist(struct pf *pf)
{
	struct cpuset present, online, bad;
	char lst[256], all[256];
	struct pf_check *c;

	if (cpu_list_read(pf, "/sys/devices/system/cpu/present", 0, &present) <
		    0 ||
	    cpu_list_read(pf, "/sys/devices/system/cpu/online", 0, &online) <
		    0) {
		pf_add(pf, PF_WARN, "lcores",
		       "cannot read /sys/devices/system/cpu/present and "
		       "online");
		return;
	}
	cpu_minus(&bad, &pf->lcores, &present);
	if (cpu_count(&bad) > 0) {
		cpu_list_fmt(&present, all, sizeof(all));
		cpu_list_fmt(&bad, lst, sizeof(lst));
		c = pf_add(pf, PF_FAIL, "lcores",
			   "cpus %s of LCORES=%s do not exist (this machine: "
			   "cpus %s)",
			   lst, pf->val[K_LCORES], all);
		pf_fix(pf, c, "LCORES within cpus %s", all);
		return;
	}
	cpu_minus(&bad, &pf->lcores, &online);
	if (cpu_count(&bad) > 0) {
		cpu_list_fmt(&bad, lst, sizeof(lst));
		c = pf_add(pf, PF_FAIL, "lcores",
			   "cpus %s of LCORES=%s are offline", lst,
			   pf->val[K_LCORES]);
		pf_fix(pf, c,
		       "echo 1 > /sys/devices/system/cpu/cpuN/online for "
		       "each");
		return;
	}
	cpu_list_fmt(&pf->workers, lst, sizeof(lst));
	pf_add(pf, PF_OK, "lcores",
	       "main lcore %d, workers on cpus %s, all online", pf->main_lcore,
	       lst);
}

static void
check_lcores(struct pf *pf)
{
	struct cpuset isol, nohz, bad;
	char lst[256], all[256];
	struct pf_check *c;
	int i, nb = 0;

	if (pf->val[K_LCORES] == NULL)
		return; /* the conf check said so */
	if (!pf->lcores_ok) {
		c = pf_add(pf, PF_FAIL, "lcores",
			   "LCORES %s: cannot tell the worker cpus",
			   pf->val[K_LCORES]);
		pf_fix(pf, c,
		       "LCORES=0-2 (the main lcore, then the workers), "
		       "cpu numbers below " CTL_STR(PF_CPUS_MAX));
		return;
	}
	if (pf->main_lcore < 0)
		for (i = 0; i < PF_CPUS_MAX && pf->main_lcore < 0; i++)
			if (cpu_isset(&pf->lcores, i))
				pf->main_lcore = i;
	pf->workers = pf->lcores;
	if (pf->main_lcore >= 0 && pf->main_lcore < PF_CPUS_MAX)
		pf->workers.bits[pf->main_lcore / 64] &=
			~(UINT64_C(1) << (pf->main_lcore % 64));
	nb = cpu_count(&pf->workers);
	if (pf->nb_workers < 0)
		pf->nb_workers = nb;

	check_lcores_exist(pf);

	if (pf->eal_lcores[0] != '\0') {
		c = pf_add(pf, PF_WARN, "lcores",
			   "EAL_OPTIONS has %s too: the EAL takes the last "
			   "lcore option, these checks read LCORES",
			   pf->eal_lcores);
		pf_fix(pf, c, "name the lcores in LCORES only");
	}

	/* workers: the count WORKERS promises */
	cpu_list_fmt(&pf->workers, lst, sizeof(lst));
	if (pf->val[K_WORKERS] == NULL || pf->val[K_WORKERS][0] == '\0') {
		pf_add(pf, nb > 0 ? PF_OK : PF_FAIL, "workers",
		       "%d (LCORES=%s; WORKERS not set)", nb,
		       pf->val[K_LCORES]);
	} else if (lcores_words(pf->val[K_LCORES]) - 1 != pf->nb_workers ||
		   nb != pf->nb_workers) {
		c = pf_add(pf, PF_FAIL, "workers",
			   "WORKERS=%s, but LCORES=%s gives %d workers (cpus "
			   "%s)",
			   pf->val[K_WORKERS], pf->val[K_LCORES], nb, lst);
		pf_fix(pf, c,
		       "WORKERS=%d, or one more lcore per worker in "
		       "LCORES",
		       nb);
	} else {
		pf_add(pf, PF_OK, "workers", "%d, on cpus %s", nb, lst);
	}

	/* isolation of the worker cpus from the scheduler and the tick */
	if (nb == 0)
		return;
	if (cpu_list_read(pf, "/sys/devices/system/cpu/isolated", 1, &isol) <
		    0 ||
	    cpu_list_read(pf, "/sys/devices/system/cpu/nohz_full", 1, &nohz) <
		    0) {
		memset(&isol, 0, sizeof(isol));
		memset(&nohz, 0, sizeof(nohz));
	}
	cpu_and(&isol, &isol, &nohz);
	cpu_minus(&bad, &pf->workers, &isol);
	if (cpu_count(&bad) == 0) {
		pf_add(pf, PF_OK, "isolation",
		       "worker cpus %s are isolated and nohz_full", lst);
		return;
	}
	cpu_list_fmt(&bad, all, sizeof(all));
	c = pf_add(pf, PF_WARN, "isolation",
		   "worker cpus %s are not all in isolcpus and nohz_full "
		   "(other tasks and the timer tick interrupt the poll loop)",
		   all);
	pf_fix(pf, c,
	       "add isolcpus=%s nohz_full=%s rcu_nocbs=%s to the kernel "
	       "command line and reboot",
	       lst, lst, lst);
}

/* --- directories, groups, the instance -------------------------------- */

static void
check_state_dir(struct pf *pf)
{
	const char *dir = pf->state_dir;
	char why[BW_STATE_WHY_LEN], target[PATH_MAX];
	gid_t op = bw_group_gid(PF_OPERATOR_GID);
	struct pf_check *c;
	struct stat sb;
	ssize_t n;

	if (pf->ctx->state_dir_given || dir == NULL || dir[0] == '\0')
		dir = pf->ctx->state_dir;
	if (lstat(dir, &sb) != 0) {
		int err = errno;

		if (err == ENOENT && !pf->ctx->state_dir_given &&
		    pf->state_dir == NULL) {
			pf_add(pf, PF_OK, "state-dir",
			       "%s: missing; bulwark-start makes it 0770 "
			       "root:bulwark",
			       dir);
			return;
		}
		/* ENOENT: made later; EACCES: this user cannot look */
		c = pf_add(pf,
			   err == ENOENT || err == EACCES ? PF_WARN : PF_FAIL,
			   "state-dir", "%s: %s", dir, strerror(err));
		if (err == ENOENT)
			pf_fix(pf, c,
			       "install -d -m 0770 -o root -g bulwark %s (the "
			       "first commit makes it too)",
			       dir);
		else
			pf_fix(pf, c,
			       "run as root or as a member of group "
			       "'bulwark' to see it");
		return;
	}
	if (S_ISLNK(sb.st_mode)) {
		n = readlink(dir, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		c = pf_add(pf, PF_FAIL, "state-dir",
			   "%s: a symbolic link (to %s): whoever may change "
			   "the link decides where root commits",
			   dir, target);
		pf_fix(pf, c,
		       "make %s a real directory (install -d -m 0770 -o root "
		       "-g bulwark), or name the target with --state-dir",
		       dir);
		return;
	}
	/* the dataplane runs as root: the trust rule for euid 0 */
	if (bw_state_trusted(&sb, 1, 0, op, why, sizeof(why)) < 0) {
		c = pf_add(pf, PF_FAIL, "state-dir",
			   "%s: %s: bulwark refuses it", dir, why);
		pf_fix(pf, c, "chown root:bulwark %s; chmod 0770 %s", dir, dir);
		return;
	}
	if (sb.st_uid != 0 || op == (gid_t)-1 || sb.st_gid != op ||
	    (sb.st_mode & 07777) != 0770) {
		struct group *gr = getgrgid(sb.st_gid);

		c = pf_add(pf, PF_WARN, "state-dir",
			   "%s: mode %04o, uid %u, group %s: trusted, but not "
			   "0770 root:bulwark (operators of group bulwark "
			   "commit there)",
			   dir, (unsigned int)(sb.st_mode & 07777),
			   (unsigned int)sb.st_uid,
			   gr != NULL ? gr->gr_name : "?");
		pf_fix(pf, c, "chown root:bulwark %s; chmod 0770 %s", dir, dir);
		return;
	}
	pf_add(pf, PF_OK, "state-dir", "%s: 0770 root:bulwark", dir);
}

static void
check_run_dir(struct pf *pf)
{
	struct pf_check *c;
	struct stat sb;

	if (lstat(PF_RUN_DIR, &sb) != 0) {
		if (errno == ENOENT)
			pf_add(pf, PF_OK, "run-dir",
			       PF_RUN_DIR ": missing; the dataplane makes it "
					  "0755 root");
		else
			pf_add(pf, PF_WARN, "run-dir", PF_RUN_DIR ": %s",
			       strerror(errno));
		return;
	}
	if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 || (sb.st_mode & 022) != 0) {
		c = pf_add(pf, PF_FAIL, "run-dir",
			   PF_RUN_DIR ": %s, uid %u, mode %04o: the dataplane "
				      "refuses it (docs/security.md)",
			   S_ISLNK(sb.st_mode)	 ? "a symbolic link"
			   : S_ISDIR(sb.st_mode) ? "a directory"
						 : "not a directory",
			   (unsigned int)sb.st_uid,
			   (unsigned int)(sb.st_mode & 07777));
		pf_fix(pf, c,
		       "rm it and let systemd-tmpfiles --create (or the "
		       "dataplane) make it 0755 root:root");
		return;
	}
	pf_add(pf, PF_OK, "run-dir",
	       PF_RUN_DIR ": a directory, root's, mode %04o",
	       (unsigned int)(sb.st_mode & 07777));
}

static void
check_groups(struct pf *pf)
{
	gid_t op = bw_group_gid(PF_OPERATOR_GID),
	      ro = bw_group_gid(BW_READER_GROUP);
	struct pf_check *c;

	if (op != (gid_t)-1 && ro != (gid_t)-1) {
		pf_add(pf, PF_OK, "groups",
		       "bulwark (gid %u), bulwark-ro (gid %u)",
		       (unsigned int)op, (unsigned int)ro);
		return;
	}
	c = pf_add(pf, op == (gid_t)-1 ? PF_FAIL : PF_WARN, "groups",
		   "%s%s%s missing: %s", op == (gid_t)-1 ? "bulwark" : "",
		   op == (gid_t)-1 && ro == (gid_t)-1 ? " and " : "",
		   ro == (gid_t)-1 ? "bulwark-ro" : "",
		   op == (gid_t)-1 ? "only root may commit and read the "
				     "status region"
				   : "no read-only role");
	pf_fix(pf, c,
	       "systemd-sysusers (the package's sysusers.d entry), or "
	       "groupadd --system bulwark; groupadd --system "
	       "bulwark-ro");
}

static void
check_running(struct pf *pf)
{
	struct ctl_sample *s;
	struct ctl_region r;

	if (ctl_region_open(&r, pf->ctx->instance) < 0) {
		pf_add(pf, PF_OK, "instance", "%s: %s", pf->ctx->instance,
		       r.verdict == CTL_VERDICT_MISSING
			       ? "not running"
			       : ctl_verdict_name(r.verdict));
		return;
	}
	s = malloc(sizeof(*s));
	if (s == NULL) {
		pf->oom = 1;
		ctl_region_close(&r);
		return;
	}
	ctl_sample_take(&r, s, ctl_now_mono_ns(), ctl_now_real_ns());
	pf_add(pf, PF_OK, "instance",
	       "%s: %s (pid %d): what it holds (ports, hugepages) is not "
	       "free for a second start",
	       pf->ctx->instance, ctl_verdict_name(s->verdict), (int)r.pid);
	free(s);
	ctl_region_close(&r);
}

/* --- output ----------------------------------------------------------- */

/*
 * Write s with its bytes outside printable ASCII as '?': a configuration
 * line or a path echoed back must not drive the terminal.
 */
static void
put_printable(FILE *f, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f
			      ? *s
			      : '?',
		      f);
}

static void
pf_print(const struct pf *pf, FILE *f)
{
	size_t i, w = 0;

	for (i = 0; i < pf->nb; i++)
		if (strlen(pf->checks[i].name) > w)
			w = strlen(pf->checks[i].name);
	for (i = 0; i < pf->nb; i++) {
		const struct pf_check *c = &pf->checks[i];

		fprintf(f, "%-4s ", result_text[c->result]);
		put_printable(f, c->name);
		fprintf(f, "%*s", (int)(w - strlen(c->name) + 2), "");
		put_printable(f, c->found);
		if (c->fix != NULL) {
			fputs("; fix: ", f);
			put_printable(f, c->fix);
		}
		fputc('\n', f);
	}
}

static void
pf_json(const struct pf *pf, FILE *f, int ok)
{
	struct ctl_json j;
	size_t i;

	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_str(&j, "conf", pf->conf);
	ctl_json_str(&j, "instance", pf->ctx->instance);
	ctl_json_bool(&j, "ok", ok);
	ctl_json_array_begin(&j, "checks");
	for (i = 0; i < pf->nb; i++) {
		const struct pf_check *c = &pf->checks[i];

		ctl_json_object_begin(&j, NULL);
		ctl_json_str(&j, "name", c->name);
		ctl_json_str(&j, "result", result_json[c->result]);
		ctl_json_str(&j, "found", c->found);
		if (c->fix != NULL)
			ctl_json_str(&j, "fix", c->fix);
		else
			ctl_json_null(&j, "fix");
		ctl_json_object_end(&j);
	}
	ctl_json_array_end(&j);
	ctl_json_object_end(&j);
	fputc('\n', f);
}

static void
pf_free(struct pf *pf)
{
	size_t i;
	int k;

	for (i = 0; i < pf->nb; i++) {
		free(pf->checks[i].name);
		free(pf->checks[i].found);
		free(pf->checks[i].fix);
	}
	free(pf->checks);
	for (k = 0; k < K_NB; k++)
		free(pf->val[k]);
	for (k = 0; k < pf->nb_ports; k++)
		free(pf->ports[k]);
	for (k = 0; k < pf->nb_vdevs; k++)
		free(pf->vdevs[k]);
	free(pf->state_dir);
}

int
ctl_cmd_preflight_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	int json = CTL_REQ(a, struct ctl_json_req)->json;
	static int node_of[PF_CPUS_MAX];
	const char *root = getenv(PF_ROOT_ENV);
	struct pf pf;
	size_t i;
	int ok = 1, k;

	memset(&pf, 0, sizeof(pf));
	pf.ctx = ctx;
	pf.root = root != NULL ? root : "";
	pf.main_lcore = -1;
	pf.mem_mb = -1;
	pf.mtu = -1;
	if (a->argc > 0)
		snprintf(pf.conf, sizeof(pf.conf), "%s", a->argv[0]);
	else
		snprintf(pf.conf, sizeof(pf.conf), PF_CONF_DIR "/%s.conf",
			 ctx->instance);

	conf_read(&pf);
	check_hugepages(&pf);
	check_iommu(&pf);
	check_lcores(&pf);
	cpu_nodes(&pf, node_of);
	for (k = 0; k < pf.nb_ports; k++)
		check_port(&pf, pf.ports[k], node_of);
	for (k = 0; k < pf.nb_vdevs; k++) {
		char name[80];

		snprintf(name, sizeof(name), "vdev %s", pf.vdevs[k]);
		pf_add(&pf, PF_OK, name,
		       "a virtual port (--vdev): no PCI device to check");
	}
	if (pf.nb_ports + pf.nb_vdevs == 0 && pf.conf_read) {
		struct pf_check *c = pf_add(&pf, PF_FAIL, "ports",
					    "no PORTS and no --vdev: nothing "
					    "to forward between");
		pf_fix(&pf, c,
		       "PORTS=\"0000:03:00.0 0000:03:00.1\" (lspci -D)");
	}
	check_mtu(&pf);
	check_state_dir(&pf);
	check_run_dir(&pf);
	check_groups(&pf);
	check_running(&pf);

	if (pf.oom) {
		fprintf(ctx->err, CTL_PROG ": preflight: out of memory\n");
		pf_free(&pf);
		return CTL_EXIT_FAIL;
	}
	for (i = 0; i < pf.nb; i++)
		if (pf.checks[i].result == PF_FAIL)
			ok = 0;
	if (json)
		pf_json(&pf, ctx->out, ok);
	else
		pf_print(&pf, ctx->out);
	pf_free(&pf);
	return ok ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}
