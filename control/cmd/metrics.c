/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl metrics`: the counters of the status region in the
 * Prometheus text format (control/status/ctl_metrics.c), printed once,
 * written to a node_exporter textfile (atomic rename), or served on
 * /metrics over HTTP by libmicrohttpd. Every scrape maps and copies the
 * status region; nothing asks the dataplane, let alone its workers. The
 * row of the command is in table.c; docs/metrics.md documents it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_metrics.h"
#include "ctl_region.h"
#include "ctl_sample.h"

#define INTERVAL_MIN_S	 0.1
#define INTERVAL_MAX_S	 86400.0
#define HTTP_CONN_MAX	 32 /* connections at once */
#define HTTP_PER_IP_MAX	 8  /* from one address */
#define HTTP_TIMEOUT_S	 10 /* idle connection closed after */
#define HTTP_ADDR_LEN	 128
#define TEXTFILE_TMP_EXT ".XXXXXX"

struct metrics_req {
	const char *listen;
	const char *textfile;
	double interval_s;
	int interval;
};

/* The instance read by every scrape, reopened when it restarted. */
struct scraper {
	const char *instance;
	struct ctl_region r;
	int open;
	struct ctl_sample *s;
	struct ctl_bpf_hits *bpf;
	pthread_mutex_t lock; /* one scrape at a time */
};

/*
 * Write the metrics of the instance now to f. Returns the verdict on it
 * (RUNNING ... CORRUPT), or -EIO / -ENOMEM as a negative number.
 */
static int
scrape(struct scraper *sc, FILE *f)
{
	enum ctl_verdict v;
	uint64_t now;
	int ret;

	if (sc->open && ctl_region_replaced(&sc->r)) {
		ctl_region_close(&sc->r);
		sc->open = 0;
	}
	if (!sc->open && ctl_region_open(&sc->r, sc->instance) == 0)
		sc->open = 1;
	if (!sc->open)
		return ctl_metrics_write(f, sc->instance, NULL, NULL,
					 sc->r.verdict) < 0
			       ? -EIO
			       : (int)sc->r.verdict;
	now = ctl_now_mono_ns();
	ctl_sample_take(&sc->r, sc->s, now, ctl_now_real_ns());
	if (ctl_region_bpf_hits(&sc->r, sc->bpf) < 0)
		sc->bpf->valid = 0;
	v = sc->s->verdict;
	ret = ctl_metrics_write(f, sc->instance, sc->s, sc->bpf, v);
	return ret < 0 ? ret : (int)v;
}

/* The whole exposition in a malloc'd buffer; NULL when out of memory. */
static char *
scrape_buf(struct scraper *sc, size_t *len, int *verdict)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		return NULL;
	pthread_mutex_lock(&sc->lock);
	*verdict = scrape(sc, f);
	pthread_mutex_unlock(&sc->lock);
	if (fclose(f) != 0 || *verdict < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int code, const char *type, char *body,
      size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (resp == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
	   const char *method, const char *version, const char *upload,
	   size_t *upload_len, void **con_cls)
{
	static char index_page[] = "Bulwark metrics exporter: see /metrics\n";
	static char not_found[] = "not found: try /metrics\n";
	static char not_allowed[] = "only GET and HEAD\n";
	static char failed[] = "cannot read the status region\n";
	struct scraper *sc = cls;
	int verdict;
	size_t len;
	char *buf;

	(void)version;
	(void)upload;
	/* A request with a body is refused as soon as it comes. */
	if (*upload_len != 0)
		return MHD_NO;
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     not_allowed, strlen(not_allowed),
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/") == 0)
		return reply(c, MHD_HTTP_OK, "text/plain", index_page,
			     strlen(index_page), MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			     strlen(not_found), MHD_RESPMEM_PERSISTENT);
	buf = scrape_buf(sc, &len, &verdict);
	if (buf == NULL)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
			     failed, strlen(failed), MHD_RESPMEM_PERSISTENT);
	return reply(c, MHD_HTTP_OK, CTL_METRICS_CONTENT_TYPE, buf, len,
		     MHD_RESPMEM_MUST_FREE);
}

/*
 * ADDR:PORT, [ADDR6]:PORT or :PORT (every address) into *ss. Numeric
 * only: no name is resolved. Returns 0, or -EINVAL.
 */
static int
listen_parse(const char *arg, struct sockaddr_storage *ss, socklen_t *sslen)
{
	char host[HTTP_ADDR_LEN];
	const char *colon, *port;
	struct addrinfo hints, *res;
	uint64_t p;
	size_t n;

	colon = strrchr(arg, ':');
	if (colon == NULL)
		return -EINVAL;
	port = colon + 1;
	if (ctl_uint_parse(port, 0, 65535, &p) < 0)
		return -EINVAL;
	n = (size_t)(colon - arg);
	if (n >= 2 && arg[0] == '[' && arg[n - 1] == ']') {
		arg++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, arg, n);
	host[n] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(n == 0 ? NULL : host, port, &hints, &res) != 0)
		return -EINVAL;
	if (res->ai_addrlen > sizeof(*ss)) {
		freeaddrinfo(res);
		return -EINVAL;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

static int
serve(struct ctl_ctx *ctx, struct scraper *sc, const char *addr)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct MHD_Daemon *d;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	socklen_t sslen;
	sigset_t set, old;
	int sig;

	if (listen_parse(addr, &ss, &sslen) < 0) {
		fprintf(ctx->err,
			CTL_PROG ": --listen needs ADDR:PORT, [ADDR6]:PORT or "
				 ":PORT with a numeric address, not '%s'\n",
			addr);
		return CTL_EXIT_USAGE;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* The server's thread inherits the mask: only this one waits. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, sc, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)HTTP_CONN_MAX, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		(unsigned int)HTTP_PER_IP_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)HTTP_TIMEOUT_S, MHD_OPTION_END);
	if (d == NULL) {
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		fprintf(ctx->err, CTL_PROG ": cannot listen on %s\n", addr);
		return CTL_EXIT_FAIL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(ctx->out, "listening on %s (port %u): /metrics\n", addr,
		info != NULL ? (unsigned int)info->port : 0u);
	fflush(ctx->out);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return CTL_EXIT_OK;
}

/*
 * Write the metrics to path by a temporary file in its directory, made
 * readable by all (node_exporter runs as its own user) and renamed over
 * it. The temporary name is random and never ends in .prom, so the
 * collector never reads half a file. Returns the verdict, or -errno.
 */
static int
textfile_write(struct scraper *sc, const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd, verdict, err;

	if (snprintf(tmp, sizeof(tmp), "%s" TEXTFILE_TMP_EXT, path) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) < 0 || (f = fdopen(fd, "w")) == NULL) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	verdict = scrape(sc, f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		verdict = -errno;
	if (fclose(f) != 0 && verdict >= 0)
		verdict = -EIO;
	if (verdict >= 0 && rename(tmp, path) < 0)
		verdict = -errno;
	if (verdict < 0)
		unlink(tmp);
	return verdict;
}

static volatile sig_atomic_t metrics_stop;

static void
metrics_on_signal(int sig)
{
	(void)sig;
	metrics_stop = 1;
}

/* Sleep s seconds or until a signal. */
static void
nap(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s,
			      .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (!metrics_stop && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
textfile(struct ctl_ctx *ctx, struct scraper *sc, const struct metrics_req *q)
{
	struct sigaction sa, old_int, old_term;
	int v;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = metrics_on_signal;
	sigemptyset(&sa.sa_mask);
	metrics_stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	for (;;) {
		v = textfile_write(sc, q->textfile);
		if (v < 0) {
			fprintf(ctx->err, CTL_PROG ": cannot write %s: %s\n",
				q->textfile, strerror(-v));
			break;
		}
		if (!q->interval || metrics_stop)
			break;
		nap(q->interval_s);
		if (metrics_stop)
			break;
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (v < 0)
		return CTL_EXIT_FAIL;
	if (!q->interval && v != CTL_VERDICT_RUNNING &&
	    v != CTL_VERDICT_STOPPED) {
		ctl_region_report(ctx->err, &sc->r, (enum ctl_verdict)v,
				  ctl_now_mono_ns(), "");
		return CTL_EXIT_FAIL;
	}
	return CTL_EXIT_OK;
}

int
ctl_cmd_metrics_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct metrics_req *q = CTL_REQ(a, struct metrics_req);
	struct scraper sc;
	int rc, v;

	if (q->listen != NULL && q->textfile != NULL)
		return ctl_usage_report(ctx, NULL, a->usage,
					"--listen and --textfile exclude "
					"each other");
	if (q->interval && q->textfile == NULL)
		return ctl_usage_report(ctx, NULL, a->usage,
					"--interval needs --textfile");
	memset(&sc, 0, sizeof(sc));
	sc.instance = ctx->instance;
	pthread_mutex_init(&sc.lock, NULL);
	sc.s = malloc(sizeof(*sc.s));
	sc.bpf = malloc(sizeof(*sc.bpf));
	if (sc.s == NULL || sc.bpf == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		rc = CTL_EXIT_FAIL;
	} else if (q->listen != NULL) {
		rc = serve(ctx, &sc, q->listen);
	} else if (q->textfile != NULL) {
		rc = textfile(ctx, &sc, q);
	} else {
		v = scrape(&sc, ctx->out);
		rc = CTL_EXIT_OK;
		if (v < 0 || fflush(ctx->out) != 0) {
			fprintf(ctx->err,
				CTL_PROG ": cannot write the output\n");
			rc = CTL_EXIT_FAIL;
		} else if (v != CTL_VERDICT_RUNNING) {
			ctl_region_report(ctx->err, &sc.r, (enum ctl_verdict)v,
					  ctl_now_mono_ns(),
					  v == CTL_VERDICT_STOPPED ? "warning: "
								   : "");
			if (v != CTL_VERDICT_STOPPED)
				rc = CTL_EXIT_FAIL;
		}
	}
	if (sc.open)
		ctl_region_close(&sc.r);
	free(sc.s);
	free(sc.bpf);
	pthread_mutex_destroy(&sc.lock);
	return rc;
}

const struct ctl_opt ctl_cmd_metrics_opts[] = {
	{.name = "listen",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct metrics_req, listen),
	 .min = 1,
	 .bad = "%o needs ADDR:PORT",
	 .value = "ADDR:PORT",
	 .help = "serve /metrics over HTTP on ADDR:PORT ([ADDR6]:PORT; "
		 ":PORT for every address; port 0: any free one) until "
		 "SIGINT or SIGTERM"},
	{.name = "textfile",
	 .type = CTL_OPT_STR,
	 .off = offsetof(struct metrics_req, textfile),
	 .min = 1,
	 .bad = "%o needs a file name",
	 .value = "PATH",
	 .help = "write the metrics to PATH by an atomic rename (for "
		 "node_exporter's textfile collector)"},
	{.name = "interval",
	 .type = CTL_OPT_REAL,
	 .off = offsetof(struct metrics_req, interval_s),
	 .seen_off = CTL_FIELD1(struct metrics_req, interval),
	 .real_min = INTERVAL_MIN_S,
	 .real_max = INTERVAL_MAX_S,
	 .bad = "%o needs seconds between %m and %M, not '%a'",
	 .value = "SECONDS",
	 .help = "with --textfile: rewrite it every SECONDS until SIGINT or "
		 "SIGTERM"},
	CTL_OPTS_END(struct metrics_req),
};
