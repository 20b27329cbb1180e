/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl events [--follow] [--json] [--sid N] [--list NAME]
 * [--src CIDR] [--type alert|drop|suppressed] [--reason R] [--count N]
 * [--file PATH]`: read the events file of an instance (docs/events.md),
 * keep the events that pass every filter given, print them as text (one
 * line each) or as the JSON lines they are. The file is the one the
 * dataplane published in its run directory (events.path), unless --file
 * names one. --follow waits for more at the end, and goes on in the new
 * file when logrotate moved the old one (the dataplane reopens its path
 * on SIGHUP). The row of the command is in table.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "bw_names.h"

#define LINE_MAX_BYTES 65536 /* longer lines are skipped: not ours */
#define FOLLOW_POLL_MS 200

struct events_req {
	int follow;
	int json;
	uint64_t sid;
	int sid_seen;
	const char *list;
	const char *src;
	const char *type;
	const char *reason;
	const char *file;
	uint64_t count;
	int count_seen;
};

/* A parsed --src. */
struct cidr {
	int set;
	int af;
	uint8_t addr[16];
	unsigned int len;
};

static volatile sig_atomic_t stop_now;

static void
on_stop(int sig)
{
	(void)sig;
	stop_now = 1;
}

/* "ADDR[/LEN]" into c; 0 or -EINVAL. */
static int
cidr_parse(const char *s, struct cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	unsigned int max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash != NULL)
		*slash = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->af = AF_INET;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->af = AF_INET6;
	else
		return -EINVAL;
	max = c->af == AF_INET ? 32 : 128;
	len = max;
	if (slash != NULL) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' || len > max)
			return -EINVAL;
	}
	c->len = (unsigned int)len;
	c->set = 1;
	return 0;
}

static int
cidr_has(const struct cidr *c, const char *ip)
{
	uint8_t a[16];
	unsigned int i, full = c->len / 8, rest = c->len % 8;

	if (inet_pton(c->af, ip, a) != 1)
		return 0;
	for (i = 0; i < full; i++)
		if (a[i] != c->addr[i])
			return 0;
	if (rest != 0) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));

		if ((a[full] & m) != (c->addr[full] & m))
			return 0;
	}
	return 1;
}

static const char *
str_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Whether event e passes every filter of r. */
static int
keep(const struct events_req *r, const struct cidr *src, const json_t *e)
{
	const json_t *alert = json_object_get(e, "alert");

	if (r->type != NULL && strcmp(str_of(e, "event_type"), r->type) != 0)
		return 0;
	if (r->reason != NULL && strcmp(str_of(e, "reason"), r->reason) != 0)
		return 0;
	if (r->list != NULL && strcmp(str_of(e, "list"), r->list) != 0)
		return 0;
	if (r->sid_seen &&
	    (!json_is_integer(json_object_get(alert, "signature_id")) ||
	     (uint64_t)json_integer_value(
		     json_object_get(alert, "signature_id")) != r->sid))
		return 0;
	if (src->set && !cidr_has(src, str_of(e, "src_ip")))
		return 0;
	return 1;
}

/* "ip:port" or "ip" (IPv6 in brackets with a port). */
static void
endpoint(char *out, size_t len, const json_t *e, const char *ip_key,
	 const char *port_key)
{
	const char *ip = str_of(e, ip_key);
	const json_t *port = json_object_get(e, port_key);

	if (!json_is_integer(port))
		snprintf(out, len, "%s", ip[0] != '\0' ? ip : "-");
	else if (strchr(ip, ':') != NULL)
		snprintf(out, len, "[%s]:%" JSON_INTEGER_FORMAT, ip,
			 json_integer_value(port));
	else
		snprintf(out, len, "%s:%" JSON_INTEGER_FORMAT, ip,
			 json_integer_value(port));
}

/* One line of text for event e. */
static void
print_text(FILE *f, const json_t *e)
{
	const json_t *alert = json_object_get(e, "alert");
	const json_t *supp = json_object_get(e, "suppressed");
	char a[80], b[80];
	const char *type = str_of(e, "event_type");

	endpoint(a, sizeof(a), e, "src_ip", "src_port");
	endpoint(b, sizeof(b), e, "dest_ip", "dest_port");
	fprintf(f, "%s %s", str_of(e, "timestamp"), type);
	if (supp != NULL)
		fprintf(f, " %" JSON_INTEGER_FORMAT " %s events",
			json_integer_value(json_object_get(supp, "count")),
			str_of(supp, "event_type"));
	if (json_object_get(e, "reason") != NULL)
		fprintf(f, " %s", str_of(e, "reason"));
	fprintf(f, " %s -> %s %s", a, b, str_of(e, "proto"));
	if (json_object_get(e, "list") != NULL)
		fprintf(f, " list %s%s%s", str_of(e, "list"),
			json_object_get(e, "prefix") != NULL ? " " : "",
			str_of(e, "prefix"));
	if (json_object_get(e, "program") != NULL)
		fprintf(f, " program %s", str_of(e, "program"));
	if (alert != NULL)
		fprintf(f,
			" sid %" JSON_INTEGER_FORMAT ":%" JSON_INTEGER_FORMAT
			" %s \"%s\"",
			json_integer_value(
				json_object_get(alert, "signature_id")),
			json_integer_value(json_object_get(alert, "rev")),
			str_of(alert, "action"), str_of(alert, "signature"));
	fprintf(f,
		" [%s port %" JSON_INTEGER_FORMAT
		" worker %" JSON_INTEGER_FORMAT " len %" JSON_INTEGER_FORMAT
		" gen %" JSON_INTEGER_FORMAT "]\n",
		str_of(e, "direction"),
		json_integer_value(json_object_get(e, "port")),
		json_integer_value(json_object_get(e, "worker")),
		json_integer_value(json_object_get(e, "pkt_len")),
		json_integer_value(json_object_get(e, "generation")));
}

/* The events file: --file, else what the dataplane published. */
static int
events_path(struct ctl_ctx *ctx, const struct events_req *r, char *out,
	    size_t len)
{
	char dir[PATH_MAX], pub[PATH_MAX + 16];
	const char *env = getenv(BW_RUN_DIR_ENV);
	FILE *f;
	size_t n;

	if (r->file != NULL) {
		if (snprintf(out, len, "%s", r->file) >= (int)len)
			return -ENAMETOOLONG;
		return 0;
	}
	if (env != NULL && env[0] != '\0')
		snprintf(dir, sizeof(dir), "%s", env);
	else if (bw_name_run_dir(ctx->instance, dir, sizeof(dir)) != 0)
		return -EINVAL;
	snprintf(pub, sizeof(pub), "%s/events.path", dir);
	f = fopen(pub, "re");
	if (f == NULL) {
		fprintf(ctx->err,
			CTL_PROG ": instance '%s' published no events file "
				 "(%s: %s): start the dataplane with --events "
				 "PATH, or give --file\n",
			ctx->instance, pub, strerror(errno));
		return -ENOENT;
	}
	if (fgets(out, (int)len, f) == NULL) {
		fclose(f);
		fprintf(ctx->err, CTL_PROG ": %s: empty\n", pub);
		return -EINVAL;
	}
	fclose(f);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return n > 0 ? 0 : -EINVAL;
}

/* Open path for reading: a regular file only (not a FIFO, a device). */
static FILE *
open_events(struct ctl_ctx *ctx, const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	FILE *f;

	if (fd < 0) {
		fprintf(ctx->err, CTL_PROG ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		fprintf(ctx->err, CTL_PROG ": %s: not a regular file\n", path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (f == NULL)
		close(fd);
	return f;
}

int
ctl_cmd_events_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct events_req *r = CTL_REQ(a, struct events_req);
	struct timespec poll = {0, FOLLOW_POLL_MS * 1000000L};
	char path[PATH_MAX], *line = NULL;
	struct sigaction sa;
	struct stat st, now;
	struct cidr src;
	uint64_t shown = 0;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	if (r->src != NULL && cidr_parse(r->src, &src) != 0) {
		fprintf(ctx->err,
			CTL_PROG ": --src '%s': not an address or prefix\n",
			r->src);
		return CTL_EXIT_USAGE;
	}
	if (r->src == NULL)
		src.set = 0;
	if (r->type != NULL && strcmp(r->type, "alert") != 0 &&
	    strcmp(r->type, "drop") != 0 &&
	    strcmp(r->type, "suppressed") != 0) {
		fprintf(ctx->err,
			CTL_PROG ": --type '%s': use alert, drop or "
				 "suppressed\n",
			r->type);
		return CTL_EXIT_USAGE;
	}
	if (events_path(ctx, r, path, sizeof(path)) != 0)
		return CTL_EXIT_FAIL;
	f = open_events(ctx, path, &st);
	if (f == NULL)
		return CTL_EXIT_FAIL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!stop_now && !(r->count_seen && shown >= r->count)) {
		json_t *e;
		json_error_t jerr;

		n = getline(&line, &cap, f);
		if (n <= 0) {
			clearerr(f);
			if (!r->follow)
				break;
			/* logrotate moved it: the rest of this one is read */
			if (stat(path, &now) == 0 &&
			    (now.st_ino != st.st_ino ||
			     now.st_dev != st.st_dev)) {
				FILE *g = open_events(ctx, path, &now);

				if (g != NULL) {
					fclose(f);
					f = g;
					st = now;
					continue;
				}
			}
			fflush(ctx->out);
			nanosleep(&poll, NULL);
			continue;
		}
		if (line[n - 1] != '\n') {
			/* a line being written: read it whole later */
			if (r->follow && (size_t)n < LINE_MAX_BYTES) {
				fseeko(f, -(off_t)n, SEEK_CUR);
				nanosleep(&poll, NULL);
				continue;
			}
		}
		if ((size_t)n > LINE_MAX_BYTES)
			continue;
		e = json_loadb(line, (size_t)n, 0, &jerr);
		if (!json_is_object(e)) {
			json_decref(e);
			continue; /* not an event */
		}
		if (keep(r, &src, e)) {
			shown++;
			if (r->json)
				fwrite(line, 1, (size_t)n, ctx->out);
			else
				print_text(ctx->out, e);
			if (r->json && line[n - 1] != '\n')
				fputc('\n', ctx->out);
		}
		json_decref(e);
	}
	free(line);
	fclose(f);
	return fflush(ctx->out) == 0 ? CTL_EXIT_OK : CTL_EXIT_FAIL;
}

const struct ctl_opt ctl_cmd_events_opts[] = {
	{.name = "follow",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct events_req, follow),
	 .help = "wait for more at the end of the file (Ctrl-C stops)"},
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct events_req, json),
	 .help = "the JSON lines as written (docs/events.md)"},
	{.name = "sid",
	 .type = CTL_OPT_UINT,
	 .off = offsetof(struct events_req, sid),
	 .seen_off = CTL_FIELD1(struct events_req, sid_seen),
	 .min = 1,
	 .max = UINT32_MAX,
	 .bad = "%o needs a signature id, not '%a'",
	 .value = "N",
	 .help = "only the events of content rule N"},
	{.name = "list",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct events_req, list),
	 .min = 1,
	 .value = "NAME",
	 .help = "only the drops of list NAME"},
	{.name = "src",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct events_req, src),
	 .min = 1,
	 .value = "CIDR",
	 .help = "only packets from an address in CIDR"},
	{.name = "type",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct events_req, type),
	 .min = 1,
	 .value = "TYPE",
	 .help = "only alert, drop or suppressed (rate limit summaries)"},
	{.name = "reason",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct events_req, reason),
	 .min = 1,
	 .value = "R",
	 .help = "only drops for reason R (blocklist, content-rule, ...)"},
	{.name = "count",
	 .type = CTL_OPT_UINT,
	 .off = offsetof(struct events_req, count),
	 .seen_off = CTL_FIELD1(struct events_req, count_seen),
	 .min = 1,
	 .max = UINT64_MAX,
	 .bad = "%o needs a positive integer, not '%a'",
	 .value = "N",
	 .help = "stop after N events shown"},
	{.name = "file",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct events_req, file),
	 .min = 1,
	 .value = "PATH",
	 .help = "read PATH (default: the file the dataplane published "
		 "in its run directory)"},
	CTL_OPTS_END(struct events_req),
};
