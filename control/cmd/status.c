/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl status`: is the dataplane running and healthy, and with which
 * workers, ports and ruleset. Exit 0 only for a running, healthy dataplane.
 * The row of the command is in table.c.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_region.h"
#include "ctl_sample.h"
#include "ctl_stats.h"
#include "ctl_text.h"
#include "ctl_txn.h"

/* "1-4,7,9-10": lcore ids of the workers in record order, ranges merged. */
static void
fmt_lcores(char *buf, size_t len, const struct ctl_sample *s)
{
	size_t used = 0;
	uint32_t i = 0, j;
	int n;

	buf[0] = '\0';
	while (i < s->nb_workers) {
		uint32_t first = s->workers[i].lcore_id;

		for (j = i + 1; j < s->nb_workers &&
				s->workers[j].lcore_id == first + (j - i);
		     j++)
			;
		if (j - i > 1)
			n = snprintf(buf + used, len - used,
				     "%s%" PRIu32 "-%" PRIu32, i ? "," : "",
				     first, s->workers[j - 1].lcore_id);
		else
			n = snprintf(buf + used, len - used, "%s%" PRIu32,
				     i ? "," : "", first);
		if (n < 0 || (size_t)n >= len - used) {
			/* Cut: end with "..." where it still fits. */
			if (len >= 4)
				memcpy(buf + len - 4, "...", 4);
			return;
		}
		used += (size_t)n;
		i = j;
	}
}

static void
fmt_speed(char *buf, size_t len, uint32_t mbps)
{
	if (mbps == 0)
		snprintf(buf, len, "unknown");
	else if (mbps % 1000 == 0)
		snprintf(buf, len, "%" PRIu32 " Gbit/s", mbps / 1000);
	else if (mbps > 1000)
		snprintf(buf, len, "%.1f Gbit/s", mbps / 1000.0);
	else
		snprintf(buf, len, "%" PRIu32 " Mbit/s", mbps);
}

static int
status_ports(FILE *f, const struct ctl_sample *s)
{
	char speed[32];
	struct ctl_table *t;
	uint32_t i;

	t = ctl_table_new(8, s->nb_ports + 1, "rllrlrrl");
	if (t == NULL)
		return -1;
	ctl_table_header(t, "PORT", "NAME", "ROLE", "PAIR", "LINK", "SPEED",
			 "QUEUES", "MAC", NULL);
	for (i = 0; i < s->nb_ports; i++) {
		const struct ctl_port_sample *p = &s->ports[i];

		fmt_speed(speed, sizeof(speed), p->link_speed_mbps);
		ctl_table_row(t);
		ctl_stats_port_cells(t, p);
		ctl_table_cell(t, "%s", speed);
		ctl_table_cell(t, "%" PRIu32, p->nb_queues);
		ctl_table_cell(t, "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0],
			       p->mac[1], p->mac[2], p->mac[3], p->mac[4],
			       p->mac[5]);
	}
	ctl_table_print(t, f, 2);
	ctl_table_free(t);
	return 0;
}

/* The status of a valid region, whatever its liveness. */
static void
status_print(FILE *f, const struct ctl_sample *s)
{
	char buf[512];
	uint64_t end_ns, rgen;
	int32_t rerr;

	fprintf(f, "instance   %s\n", s->instance);
	fprintf(f, "version    %s\n", s->version);
	fprintf(f, "state      %s", ctl_state_name(s->state));
	if (s->verdict != CTL_VERDICT_RUNNING &&
	    strcmp(ctl_verdict_name(s->verdict), ctl_state_name(s->state)))
		fprintf(f, " (%s)", ctl_verdict_name(s->verdict));
	fputc('\n', f);
	fprintf(f, "pid        %" PRId32 "\n", s->pid);
	ctl_fmt_time(buf, sizeof(buf), s->start_time_ns);
	fprintf(f, "started    %s\n", buf);
	end_ns = s->real_ns;
	if (s->state == BW_STATE_STOPPED && s->stop_time_ns != 0) {
		ctl_fmt_time(buf, sizeof(buf), s->stop_time_ns);
		fprintf(f, "stopped    %s\n", buf);
		end_ns = s->stop_time_ns;
	}
	ctl_fmt_duration(buf, sizeof(buf),
			 end_ns > s->start_time_ns ? end_ns - s->start_time_ns
						   : 0);
	fprintf(f, "uptime     %s\n", buf);
	fprintf(f, "heartbeat  %.1f s ago\n",
		(double)s->heartbeat_age_ns / 1e9);
	if (s->applied_gen != 0)
		fprintf(f, "ruleset    generation %" PRIu64 "\n",
			s->applied_gen);
	else if (ctl_txn_restore_failed(s->instance, &rgen, &rerr))
		fprintf(f,
			"ruleset    none applied, dropping everything: "
			"generation %" PRIu64 ", the newest valid one, could "
			"not be applied at start (%s); a commit replaces it\n",
			rgen, strerror(-rerr));
	else
		fprintf(f, "ruleset    none applied\n");
	fmt_lcores(buf, sizeof(buf), s);
	fprintf(f, "workers    %" PRIu32 "%s%s%s\n", s->nb_workers,
		s->nb_workers ? " (lcores " : "", buf,
		s->nb_workers ? ")" : "");
	fprintf(f, "ports      %" PRIu32 "\n", s->nb_ports);
	if (s->nb_ports > 0 && status_ports(f, s) < 0)
		fputs("  (out of memory)\n", f);
}

/*
 * One line on stderr for each port whose link is down: a running
 * dataplane that forwards nothing there is not healthy. Returns how many.
 */
static uint32_t
links_down_report(struct ctl_ctx *ctx, const struct ctl_sample *s)
{
	char name[BW_PORT_NAME_LEN];
	uint32_t i, n = 0;

	for (i = 0; i < s->nb_ports; i++) {
		const struct ctl_port_sample *p = &s->ports[i];

		if (p->link_up)
			continue;
		ctl_fmt_printable(name, sizeof(name), p->name, sizeof(p->name));
		fprintf(ctx->err,
			CTL_PROG ": instance '%s' is running, but the link of "
				 "port %u (%s, %s) is down\n",
			ctx->instance, p->port_id, name,
			ctl_role_name(p->role));
		n++;
	}
	return n;
}

/*
 * status --json: one object. Without a region only instance, running
 * (false) and verdict; the line on stderr says why, as without --json.
 */
static void
status_json(FILE *f, const char *instance, enum ctl_verdict v,
	    const struct ctl_sample *s)
{
	char mac[18], name[BW_PORT_NAME_LEN];
	uint64_t end_ns, rgen;
	struct ctl_json j;
	int32_t rerr;
	uint32_t i;

	ctl_json_init(&j, f);
	ctl_json_object_begin(&j, NULL);
	ctl_json_str(&j, "instance", instance);
	ctl_json_bool(&j, "running", v == CTL_VERDICT_RUNNING);
	if (s != NULL) {
		for (i = 0; i < s->nb_ports && s->ports[i].link_up; i++)
			;
		ctl_json_bool(&j, "healthy",
			      v == CTL_VERDICT_RUNNING && i == s->nb_ports);
	} else {
		ctl_json_bool(&j, "healthy", false);
	}
	ctl_json_str(&j, "verdict", ctl_verdict_name(v));
	if (s != NULL) {
		ctl_json_str(&j, "state", ctl_state_name(s->state));
		ctl_json_strn(&j, "version", s->version, sizeof(s->version));
		ctl_json_i64(&j, "pid", s->pid);
		ctl_json_ns_as_s(&j, "started", s->start_time_ns);
		end_ns = s->real_ns;
		if (s->state == BW_STATE_STOPPED && s->stop_time_ns != 0)
			end_ns = s->stop_time_ns;
		ctl_json_ns_as_s_or_null(
			&j, "stopped",
			s->state == BW_STATE_STOPPED ? s->stop_time_ns : 0);
		ctl_json_ns_as_s(&j, "uptime_s",
				 end_ns > s->start_time_ns
					 ? end_ns - s->start_time_ns
					 : 0);
		ctl_json_ns_as_s(&j, "heartbeat_age_s", s->heartbeat_age_ns);
		ctl_json_u64(&j, "applied_generation", s->applied_gen);
		ctl_json_bool(&j, "restore_failed",
			      s->applied_gen == 0 &&
				      ctl_txn_restore_failed(s->instance, &rgen,
							     &rerr));
		ctl_json_array_begin(&j, "worker_lcores");
		for (i = 0; i < s->nb_workers; i++)
			ctl_json_u64(&j, NULL, s->workers[i].lcore_id);
		ctl_json_array_end(&j);
		ctl_json_array_begin(&j, "ports");
		for (i = 0; i < s->nb_ports; i++) {
			const struct ctl_port_sample *p = &s->ports[i];

			ctl_fmt_printable(name, sizeof(name), p->name,
					  sizeof(p->name));
			snprintf(mac, sizeof(mac),
				 "%02x:%02x:%02x:%02x:%02x:%02x", p->mac[0],
				 p->mac[1], p->mac[2], p->mac[3], p->mac[4],
				 p->mac[5]);
			ctl_json_object_begin(&j, NULL);
			ctl_json_u64(&j, "port", p->port_id);
			ctl_json_str(&j, "name", name);
			ctl_json_str(&j, "role", ctl_role_name(p->role));
			ctl_json_u64(&j, "pair", p->pair);
			ctl_json_bool(&j, "link_up", p->link_up != 0);
			ctl_json_u64(&j, "speed_mbps", p->link_speed_mbps);
			ctl_json_u64(&j, "queues", p->nb_queues);
			ctl_json_str(&j, "mac", mac);
			ctl_json_object_end(&j);
		}
		ctl_json_array_end(&j);
	}
	ctl_json_object_end(&j);
	fputc('\n', f);
}

int
ctl_cmd_status_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	int json = CTL_REQ(a, struct ctl_json_req)->json;
	struct ctl_sample *s;
	struct ctl_region r;
	enum ctl_verdict v;
	uint32_t down;
	uint64_t now;

	if (ctl_region_open(&r, ctx->instance) < 0) {
		if (json)
			status_json(ctx->out, ctx->instance, r.verdict, NULL);
		ctl_region_report(ctx->err, &r, r.verdict, 0, "");
		return CTL_EXIT_FAIL;
	}
	s = malloc(sizeof(*s));
	if (s == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		ctl_region_close(&r);
		return CTL_EXIT_FAIL;
	}
	now = ctl_now_mono_ns();
	ctl_sample_take(&r, s, now, ctl_now_real_ns());
	v = s->verdict;
	if (json)
		status_json(ctx->out, ctx->instance, v, s);
	else
		status_print(ctx->out, s);
	fflush(ctx->out);
	ctl_region_report(ctx->err, &r, v, now, "");
	down = v == CTL_VERDICT_RUNNING ? links_down_report(ctx, s) : 0;
	free(s);
	ctl_region_close(&r);
	return v == CTL_VERDICT_RUNNING && down == 0 ? CTL_EXIT_OK
						     : CTL_EXIT_FAIL;
}
