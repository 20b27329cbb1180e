/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus exposition of a sample (control/status/ctl_metrics.c)
 * on synthetic samples whose values the tests set: label escaping of
 * hostile names, rules sharing a sid summed into one series, a HELP and
 * TYPE line before every family, and the output for an instance that
 * cannot be read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_cunit.h"
#include "ctl_metrics.h"

static char *
render(const struct ctl_sample *s, enum ctl_verdict v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(ctl_metrics_write(f, "in\"st", s, NULL, v), 0);
	fclose(f);
	return buf;
}

/* The output has this exact line. */
static int
has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *p = out;

	while ((p = strstr(p, line)) != NULL) {
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || !p[n]))
			return 1;
		p += n;
	}
	return 0;
}

static void
test_label_escape(void)
{
	char buf[64];

	ctl_metrics_label(buf, sizeof(buf), "a\"b\\c\nd");
	CU_ASSERT_STRING_EQUAL(buf, "a\\\"b\\\\c\\nd");
	ctl_metrics_label(buf, sizeof(buf), "x\x01y\x7fz\xff");
	CU_ASSERT_STRING_EQUAL(buf, "x?y?z?");
	/* truncation never leaves half an escape */
	ctl_metrics_label(buf, 4, "ab\"");
	CU_ASSERT_STRING_EQUAL(buf, "ab");
	ctl_metrics_label(buf, 1, "abc");
	CU_ASSERT_STRING_EQUAL(buf, "");
}

static struct ctl_sample *
sample(void)
{
	struct ctl_sample *s = calloc(1, sizeof(*s));

	CU_ASSERT_FATAL(s != NULL);
	snprintf(s->instance, sizeof(s->instance), "t");
	snprintf(s->version, sizeof(s->version), "9.9");
	s->state = BW_STATE_RUNNING;
	s->verdict = CTL_VERDICT_RUNNING;
	s->applied_gen = 42;
	s->nb_workers = 2;
	s->nb_ports = 1;
	s->nb_reasons = BW_REASON_COUNT;
	s->workers[0].c.rx_pkts = 5;
	s->workers[1].c.rx_pkts = 7;
	s->total.reason_drop_pkts[BW_REASON_BLOCKLIST] = 11;
	snprintf(s->ports[0].name, sizeof(s->ports[0].name), "evil\"port\\");
	s->ports[0].ipackets = 99;
	s->ports[0].link_up = 1;
	s->ports[0].link_speed_mbps = 10000;
	s->lists.valid = 1;
	snprintf(s->lists.info[3].name, sizeof(s->lists.info[3].name), "bad");
	s->lists.info[3].nb_v4 = 2;
	s->lists.pkts[3] = 13;
	s->rules.valid = 1;
	s->rules.nb_rules = 3;
	s->rules.r[0].sid = 5;
	s->rules.r[0].pkts = 10;
	s->rules.r[1].sid = 4;
	s->rules.r[1].pkts = 1;
	s->rules.r[2].sid = 5;
	s->rules.r[2].pkts = 20;
	return s;
}

static void
test_values(void)
{
	struct ctl_sample *s = sample();
	char *out = render(s, CTL_VERDICT_RUNNING);

	CU_ASSERT(has_line(out, "bulwark_up 1"));
	CU_ASSERT(has_line(out, "bulwark_generation 42"));
	CU_ASSERT(has_line(out, "bulwark_rx_packets_total{worker=\"0\"} 5"));
	CU_ASSERT(has_line(out, "bulwark_rx_packets_total{worker=\"1\"} 7"));
	CU_ASSERT(
		has_line(out, "bulwark_drops_total{reason=\"blocklist\"} 11"));
	CU_ASSERT(has_line(out, "bulwark_drops_total{reason=\"bpf\"} 0"));
	CU_ASSERT(has_line(out, "bulwark_port_rx_packets_total{port="
				"\"evil\\\"port\\\\\"} 99"));
	CU_ASSERT(has_line(out, "bulwark_port_link_speed_bytes_per_second{"
				"port=\"evil\\\"port\\\\\"} 1250000000"));
	CU_ASSERT(has_line(out, "bulwark_list_hits_total{list=\"bad\"} 13"));
	CU_ASSERT(has_line(out, "bulwark_list_prefixes{list=\"bad\","
				"family=\"ipv4\"} 2"));
	/* two rules of sid 5: one series, summed; sids in order */
	CU_ASSERT(has_line(out, "bulwark_rule_hits_total{sid=\"5\"} 30"));
	CU_ASSERT(has_line(out, "bulwark_rule_hits_total{sid=\"4\"} 1"));
	CU_ASSERT(strstr(out, "{sid=\"4\"}") < strstr(out, "{sid=\"5\"}"));
	CU_ASSERT(has_line(out, "bulwark_info{dataplane=\"in\\\"st\","
				"version=\"9.9\",state=\"running\","
				"verdict=\"running\"} 1"));
	free(out);
	free(s);
}

/* Every sample line's family was announced by HELP and TYPE before it. */
static void
test_help_type(void)
{
	struct ctl_sample *s = sample();
	char *out = render(s, CTL_VERDICT_RUNNING), *save = NULL, *line;
	char help[64][96], name[96];
	unsigned int nh = 0, i, samples = 0;
	int found;

	for (line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			CU_ASSERT_FATAL(nh < 64);
			sscanf(line + 7, "%95s", help[nh++]);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			sscanf(line + 7, "%95s", name);
			CU_ASSERT(nh > 0 && strcmp(help[nh - 1], name) == 0);
			continue;
		}
		sscanf(line, "%95[^{ ]", name);
		found = 0;
		for (i = 0; i < nh; i++)
			found |= strcmp(help[i], name) == 0;
		CU_ASSERT(found);
		samples++;
	}
	CU_ASSERT(samples > 20);
	free(out);
	free(s);
}

static void
test_unreadable(void)
{
	char *out = render(NULL, CTL_VERDICT_MISSING);

	CU_ASSERT(has_line(out, "bulwark_up 0"));
	CU_ASSERT(has_line(out,
			   "bulwark_info{dataplane=\"in\\\"st\","
			   "version=\"\",state=\"\",verdict=\"missing\"} 1"));
	CU_ASSERT(strstr(out, "bulwark_rx_packets_total") == NULL);
	free(out);
}

static const struct bw_cunit_test tests[] = {
	{"label escape", test_label_escape},
	{"values", test_values},
	{"help and type", test_help_type},
	{"unreadable instance", test_unreadable},
};

int
main(void)
{
	return BW_CUNIT_RUN("ctl_metrics", tests);
}
