/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl top`: a full-screen live view of a status region, redrawn
 * in place with ANSI escapes every interval: rates per worker and port,
 * drops by reason, the lists and rules with most hits in the last
 * interval, busy share, cycles per packet, generation. It fits 80x24
 * (or the terminal, when smaller); `q` quits. The terminal is put in
 * non-canonical mode without echo and restored on exit and on SIGINT,
 * SIGTERM and SIGHUP. --once prints one frame (two samples an interval
 * apart) without escapes. The row of the command is in table.c.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_region.h"
#include "ctl_sample.h"
#include "ctl_text.h"
#include "bw_image.h"

#define TOP_COLS       80
#define TOP_ROWS       24
#define LINE_MAX_      (TOP_COLS + 1)
#define INTERVAL_MIN_S 0.1
#define INTERVAL_MAX_S 3600.0
#define WORKERS_SHOWN  4
#define PORTS_SHOWN    4
#define RANKED_MAX     16
#define REASON_LABEL   24

struct top_req {
	double interval_s;
	int interval;
	int once;
};

/* The lines of one frame, each at most cols characters. */
struct frame {
	unsigned int rows, cols, n;
	char line[TOP_ROWS][LINE_MAX_];
};

static void frame_add(struct frame *fr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
frame_add(struct frame *fr, const char *fmt, ...)
{
	va_list ap;

	if (fr->n >= fr->rows)
		return;
	va_start(ap, fmt);
	vsnprintf(fr->line[fr->n], fr->cols + 1, fmt, ap);
	va_end(ap);
	fr->n++;
}

static uint64_t
grow(uint64_t cur, uint64_t prev)
{
	return cur >= prev ? cur - prev : 0;
}

/* One row of a ranking: a name, its growth in the interval, its total. */
struct ranked {
	char name[40];
	uint64_t last;
	uint64_t total;
};

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->last != y->last)
		return x->last < y->last ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Keep the best RANKED_MAX of n candidates in v (sorted); returns how many. */
static unsigned int
rank(struct ranked *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), ranked_cmp);
	return n < RANKED_MAX ? n : RANKED_MAX;
}

static unsigned int
rank_reasons(const struct ctl_sample *p, const struct ctl_sample *c,
	     struct ranked *v)
{
	char buf[REASON_LABEL];
	unsigned int r, n = 0, nb = c->nb_reasons;

	if (nb > BW_REASON_MAX)
		nb = BW_REASON_MAX;
	for (r = 1; r < nb; r++) {
		if (c->total.reason_drop_pkts[r] == 0)
			continue;
		snprintf(v[n].name, sizeof(v[n].name), "%s",
			 ctl_reason_label(r, buf, sizeof(buf)));
		v[n].total = c->total.reason_drop_pkts[r];
		v[n].last = grow(c->total.reason_drop_pkts[r],
				 p->total.reason_drop_pkts[r]);
		n++;
	}
	return rank(v, n);
}

static unsigned int
rank_lists(const struct ctl_sample *p, const struct ctl_sample *c,
	   struct ranked *v)
{
	const struct ctl_list_hits *ch = &c->lists, *ph = &p->lists;
	unsigned int i, n = 0;
	int same;

	if (!ch->valid)
		return 0;
	for (i = 0; i < BW_LIST_SLOTS; i++) {
		if (ch->info[i].name[0] == '\0')
			continue;
		same = ph->valid &&
		       memcmp(ph->info[i].name, ch->info[i].name,
			      sizeof(ch->info[i].name)) == 0 &&
		       ph->info[i].since_gen == ch->info[i].since_gen;
		ctl_fmt_printable(v[n].name, sizeof(v[n].name),
				  ch->info[i].name, sizeof(ch->info[i].name));
		v[n].total = ch->pkts[i];
		v[n].last = same ? grow(ch->pkts[i], ph->pkts[i]) : ch->pkts[i];
		n++;
	}
	return rank(v, n);
}

static const char *
rule_action(uint8_t a)
{
	return a == BW_RULE_DROP   ? "drop"
	       : a == BW_RULE_PASS ? "pass"
				   : "alert";
}

static unsigned int
rank_rules(const struct ctl_sample *p, const struct ctl_sample *c,
	   struct ranked *v, unsigned int max)
{
	const struct ctl_rule_hits *ch = &c->rules, *ph = &p->rules;
	unsigned int i, n = 0;
	int same;

	if (!ch->valid)
		return 0;
	same = ph->valid && ph->since_gen == ch->since_gen &&
	       ph->nb_rules == ch->nb_rules;
	for (i = 0; i < ch->nb_rules && i < BW_RULE_SLOTS && n < max; i++) {
		if (ch->r[i].pkts == 0)
			continue;
		snprintf(v[n].name, sizeof(v[n].name), "%-10" PRIu32 " %-5s",
			 ch->r[i].sid, rule_action(ch->r[i].action));
		v[n].total = ch->r[i].pkts;
		v[n].last = same ? grow(ch->r[i].pkts, ph->r[i].pkts)
				 : ch->r[i].pkts;
		n++;
	}
	return rank(v, n);
}

static void
section(struct frame *fr, const char *title, const struct ranked *v,
	unsigned int n, unsigned int room)
{
	unsigned int i;

	frame_add(fr, "%-30s %14s %16s", title, "LAST INTERVAL", "TOTAL");
	for (i = 0; i < n && i < room; i++)
		frame_add(fr, "  %-28s %14" PRIu64 " %16" PRIu64, v[i].name,
			  v[i].last, v[i].total);
	if (n == 0 && room > 0)
		frame_add(fr, "  (none)");
}

static double
busy_pct(const struct ctl_counters *p, const struct ctl_counters *c)
{
	uint64_t b = grow(c->busy_tsc, p->busy_tsc);
	uint64_t i = grow(c->idle_tsc, p->idle_tsc);

	return b + i == 0 ? 0.0 : 100.0 * (double)b / (double)(b + i);
}

/*
 * Build the frame of the interval from p to c (same dataplane) into fr,
 * sized rows x cols.
 */
static void
frame_build(struct frame *fr, const struct ctl_sample *p,
	    const struct ctl_sample *c, unsigned int rows, unsigned int cols)
{
	struct ranked reasons[BW_REASON_MAX], lists[BW_LIST_SLOTS],
		*rules = NULL;
	struct ctl_rates rt;
	char up[32], a[16], b[16], d[16], e[16];
	unsigned int nr, nl, nu = 0, i, left, room, nw, np;
	double secs;
	int rates_ok;

	memset(fr, 0, sizeof(*fr));
	fr->rows = rows < TOP_ROWS ? rows : TOP_ROWS;
	/* the last column stays empty: no autowrap */
	fr->cols = (cols < TOP_COLS ? cols : TOP_COLS) - 1;
	if (fr->cols == 0)
		fr->cols = 1;
	rates_ok = ctl_rates_compute(p, c, &rt) == 0;
	if (!rates_ok)
		memset(&rt, 0, sizeof(rt));
	secs = rates_ok ? rt.interval_s : 0.0;
	ctl_fmt_duration(up, sizeof(up),
			 c->real_ns > c->start_time_ns
				 ? c->real_ns - c->start_time_ns
				 : 0);
	frame_add(fr, "bulwark top  %s  %s  gen %" PRIu64 "  up %s  hb %.2fs",
		  c->instance, ctl_verdict_name(c->verdict), c->applied_gen, up,
		  (double)c->heartbeat_age_ns / 1e9);
	ctl_fmt_si(a, sizeof(a), rt.total.rx_pps);
	ctl_fmt_si(b, sizeof(b), rt.total.rx_bps);
	ctl_fmt_si(d, sizeof(d), rt.total.tx_pps);
	ctl_fmt_si(e, sizeof(e), rt.total.drop_pps);
	frame_add(fr,
		  "interval %.1fs  rx %s pps %sbit/s  tx %s pps  drop %s pps  "
		  "busy %.1f%%",
		  secs, a, b, d, e, busy_pct(&p->total, &c->total));
	frame_add(fr,
		  "total  rx %" PRIu64 "  tx %" PRIu64 "  dropped %" PRIu64
		  "  cycles/pkt %.0f (interval) %.0f (all)",
		  c->total.rx_pkts, c->total.tx_pkts, c->total.drop_pkts,
		  rt.total.cycles_per_pkt, ctl_cycles_per_pkt(&c->total));
	nw = c->nb_workers < WORKERS_SHOWN ? c->nb_workers : WORKERS_SHOWN;
	frame_add(fr, "%-7s %5s %10s %10s %10s %6s %8s %16s", "WORKER", "LCORE",
		  "RX PPS", "TX PPS", "DROP PPS", "BUSY%", "CYC/PKT",
		  "RX TOTAL");
	for (i = 0; i < nw; i++) {
		ctl_fmt_si(a, sizeof(a), rt.workers[i].rx_pps);
		ctl_fmt_si(b, sizeof(b), rt.workers[i].tx_pps);
		ctl_fmt_si(d, sizeof(d), rt.workers[i].drop_pps);
		frame_add(fr,
			  "%-7u %5" PRIu32
			  " %10s %10s %10s %5.1f%% %8.0f %16" PRIu64,
			  i, c->workers[i].lcore_id, a, b, d,
			  busy_pct(&p->workers[i].c, &c->workers[i].c),
			  rt.workers[i].cycles_per_pkt,
			  c->workers[i].c.rx_pkts);
	}
	if (c->nb_workers > nw)
		frame_add(fr, "  (+%u workers not shown)", c->nb_workers - nw);
	np = c->nb_ports < PORTS_SHOWN ? c->nb_ports : PORTS_SHOWN;
	frame_add(fr, "%-12s %-7s %-4s %9s %9s %12s %12s %7s", "PORT", "ROLE",
		  "LINK", "RX PPS", "TX PPS", "RX TOTAL", "TX TOTAL", "MISSED");
	for (i = 0; i < np; i++) {
		ctl_fmt_si(a, sizeof(a),
			   secs > 0 ? (double)grow(c->ports[i].ipackets,
						   p->ports[i].ipackets) /
					      secs
				    : 0.0);
		ctl_fmt_si(b, sizeof(b),
			   secs > 0 ? (double)grow(c->ports[i].opackets,
						   p->ports[i].opackets) /
					      secs
				    : 0.0);
		frame_add(fr,
			  "%-12.12s %-7s %-4s %9s %9s %12" PRIu64 " %12" PRIu64
			  " %7" PRIu64,
			  c->ports[i].name, ctl_role_name(c->ports[i].role),
			  c->ports[i].link_up ? "up" : "down", a, b,
			  c->ports[i].ipackets, c->ports[i].opackets,
			  c->ports[i].imissed);
	}
	nr = rank_reasons(p, c, reasons);
	nl = rank_lists(p, c, lists);
	rules = malloc(sizeof(*rules) * BW_RULE_SLOTS);
	if (rules != NULL)
		nu = rank_rules(p, c, rules, BW_RULE_SLOTS);
	/* what is left, less the footer and three section titles */
	left = fr->rows > fr->n + 4 ? fr->rows - fr->n - 4 : 0;
	room = left / 3;
	section(fr, "DROPS BY REASON", reasons, nr,
		room + (left % 3 > 0 && nr > room));
	section(fr, "TOP LISTS (packets decided)", lists, nl, room);
	section(fr, "TOP RULES (sid, action)", rules, rules ? nu : 0,
		fr->rows > fr->n + 1 ? fr->rows - fr->n - 2 : 0);
	free(rules);
	if (fr->n < fr->rows)
		frame_add(fr, "q: quit");
}

static void
frame_print(FILE *f, const struct frame *fr, int ansi)
{
	unsigned int i;

	if (ansi)
		fputs("\033[H", f);
	for (i = 0; i < fr->n; i++) {
		fputs(fr->line[i], f);
		/* erase what an earlier frame left on the line */
		fputs(ansi ? "\033[K" : "", f);
		if (!ansi || i + 1 < fr->n)
			fputs(ansi ? "\r\n" : "\n", f);
	}
	if (ansi)
		fputs("\033[J", f);
	fflush(f);
}

static volatile sig_atomic_t top_stop;

static void
top_on_signal(int sig)
{
	(void)sig;
	top_stop = 1;
}

/* The size of the terminal on fd, else 80x24. */
static void
term_size(int fd, unsigned int *rows, unsigned int *cols)
{
	struct winsize ws;

	*rows = TOP_ROWS;
	*cols = TOP_COLS;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

static void
take(const struct ctl_region *r, struct ctl_sample *s)
{
	ctl_sample_take(r, s, ctl_now_mono_ns(), ctl_now_real_ns());
}

/*
 * Wait up to secs for a key on fd (interactive) or just sleep; returns 1
 * when 'q' was pressed.
 */
static int
wait_key(int fd, double secs)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	uint64_t end = ctl_now_mono_ns() + (uint64_t)(secs * 1e9), now;
	char ch;
	int ms;

	while (!top_stop && (now = ctl_now_mono_ns()) < end) {
		ms = (int)((end - now) / 1000000) + 1;
		if (fd < 0) {
			struct timespec ts = {.tv_sec = ms / 1000,
					      .tv_nsec =
						      (ms % 1000) * 1000000L};

			nanosleep(&ts, NULL);
			continue;
		}
		if (poll(&pfd, 1, ms) <= 0)
			continue;
		if (read(fd, &ch, 1) != 1) {
			/* the terminal went away */
			top_stop = 1;
			break;
		}
		if (ch == 'q' || ch == 'Q')
			return 1;
	}
	return 0;
}

static int
top_loop(struct ctl_ctx *ctx, const struct ctl_region *r,
	 struct ctl_sample *s[2], double interval)
{
	struct termios old, raw;
	struct sigaction sa, o_int, o_term, o_hup;
	struct frame *fr;
	unsigned int rows, cols, cur = 0;
	int in = STDIN_FILENO, have_tty;

	fr = malloc(sizeof(*fr));
	if (fr == NULL)
		return -ENOMEM;
	have_tty = isatty(in) && tcgetattr(in, &old) == 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = top_on_signal;
	sigemptyset(&sa.sa_mask);
	top_stop = 0;
	sigaction(SIGINT, &sa, &o_int);
	sigaction(SIGTERM, &sa, &o_term);
	sigaction(SIGHUP, &sa, &o_hup);
	if (have_tty) {
		raw = old;
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(in, TCSANOW, &raw);
	}
	/* alternate screen, cursor hidden */
	fputs("\033[?1049h\033[?25l\033[2J", ctx->out);
	take(r, s[cur]);
	while (!top_stop) {
		if (wait_key(have_tty ? in : -1, interval))
			break;
		if (top_stop)
			break;
		take(r, s[cur ^ 1]);
		term_size(STDOUT_FILENO, &rows, &cols);
		frame_build(fr, s[cur], s[cur ^ 1], rows, cols);
		frame_print(ctx->out, fr, 1);
		cur ^= 1;
		if (ferror(ctx->out))
			break;
	}
	fputs("\033[?25h\033[?1049l", ctx->out);
	fflush(ctx->out);
	if (have_tty)
		tcsetattr(in, TCSANOW, &old);
	sigaction(SIGINT, &o_int, NULL);
	sigaction(SIGTERM, &o_term, NULL);
	sigaction(SIGHUP, &o_hup, NULL);
	free(fr);
	return 0;
}

int
ctl_cmd_top_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	const struct top_req *q = CTL_REQ(a, struct top_req);
	double interval = q->interval ? q->interval_s : 1.0;
	struct ctl_sample *s[2] = {NULL, NULL};
	struct frame *fr = NULL;
	struct ctl_region r;
	int rc = CTL_EXIT_OK;

	if (!q->once && !isatty(STDOUT_FILENO)) {
		fprintf(ctx->err,
			CTL_PROG ": top needs a terminal; use --once to print "
				 "one frame\n");
		return CTL_EXIT_USAGE;
	}
	if (ctl_region_open(&r, ctx->instance) < 0) {
		ctl_region_report(ctx->err, &r, r.verdict, 0, "");
		return CTL_EXIT_FAIL;
	}
	s[0] = malloc(sizeof(*s[0]));
	s[1] = malloc(sizeof(*s[1]));
	fr = malloc(sizeof(*fr));
	if (s[0] == NULL || s[1] == NULL || fr == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		rc = CTL_EXIT_FAIL;
		goto out;
	}
	if (q->once) {
		take(&r, s[0]);
		ctl_region_report(ctx->err, &r, s[0]->verdict,
				  ctl_now_mono_ns(), "warning: ");
		wait_key(-1, interval);
		take(&r, s[1]);
		frame_build(fr, s[0], s[1], TOP_ROWS, TOP_COLS);
		frame_print(ctx->out, fr, 0);
	} else if (top_loop(ctx, &r, s, interval) < 0) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		rc = CTL_EXIT_FAIL;
	}
	if (ferror(ctx->out)) {
		fprintf(ctx->err, CTL_PROG ": cannot write the output\n");
		rc = CTL_EXIT_FAIL;
	}
out:
	free(s[0]);
	free(s[1]);
	free(fr);
	ctl_region_close(&r);
	return rc;
}

const struct ctl_opt ctl_cmd_top_opts[] = {
	{.name = "interval",
	 .type = CTL_OPT_REAL,
	 .off = offsetof(struct top_req, interval_s),
	 .seen_off = CTL_FIELD1(struct top_req, interval),
	 .real_min = INTERVAL_MIN_S,
	 .real_max = INTERVAL_MAX_S,
	 .bad = "%o needs seconds between %m and %M, not '%a'",
	 .value = "SECONDS",
	 .help = "seconds between frames (default 1)"},
	{.name = "once",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct top_req, once),
	 .help = "print one frame (two samples an interval apart), no "
		 "escapes, and exit"},
	CTL_OPTS_END(struct top_req),
};
