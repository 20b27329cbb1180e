/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Application arguments (the part after EAL's "--"). String work only: port
 * names are resolved by main.c once ethdevs exist.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_names.h"
#include "dp.h"

enum {
	OPT_INSTANCE = 256,
	OPT_STATE_DIR,
	OPT_PAIR,
	OPT_MALFORMED,
	OPT_TCP_INVALID,
	OPT_RXD,
	OPT_TXD,
	OPT_MTU,
	OPT_MBUFS,
	OPT_FLOWS,
	OPT_FLOW_IDLE,
	OPT_FLOW_FULL,
	OPT_TCP_MIDSTREAM,
	OPT_STREAM_MEMORY,
	OPT_STREAM_HOLD,
	OPT_STREAM_AHEAD,
	OPT_FAIL_OPEN,
	OPT_FAIL_CLOSED,
	OPT_BPF_NO_JIT,
	OPT_RESTORE_FAIL_CLOSED,
	OPT_FRAG_DGRAMS,
	OPT_FRAG_PER,
	OPT_FRAG_TIMEOUT,
	OPT_RSS_L3,
	OPT_VXLAN_PORT,
	OPT_GENEVE_PORT,
	OPT_GTPU_PORT,
	OPT_RUN_DIR,
	OPT_LOG_FILE,
	OPT_SYSLOG,
	OPT_LINK_PROPAGATE,
	OPT_BYPASS_HOOK,
	OPT_VERSION,
	OPT_EVENTS,
	OPT_EVENTS_SYSLOG,
	OPT_EVENTS_RATE,
	OPT_EVENTS_RING,
	OPT_HELP,
};

static const struct option long_opts[] = {
	{"instance", required_argument, NULL, OPT_INSTANCE},
	{"state-dir", required_argument, NULL, OPT_STATE_DIR},
	{"pair", required_argument, NULL, OPT_PAIR},
	{"malformed", required_argument, NULL, OPT_MALFORMED},
	{"tcp-invalid", required_argument, NULL, OPT_TCP_INVALID},
	{"rxd", required_argument, NULL, OPT_RXD},
	{"txd", required_argument, NULL, OPT_TXD},
	{"mtu", required_argument, NULL, OPT_MTU},
	{"mbufs", required_argument, NULL, OPT_MBUFS},
	{"flows", required_argument, NULL, OPT_FLOWS},
	{"flow-idle", required_argument, NULL, OPT_FLOW_IDLE},
	{"flow-full", required_argument, NULL, OPT_FLOW_FULL},
	{"tcp-midstream", required_argument, NULL, OPT_TCP_MIDSTREAM},
	{"stream-memory", required_argument, NULL, OPT_STREAM_MEMORY},
	{"stream-hold", required_argument, NULL, OPT_STREAM_HOLD},
	{"stream-ahead", required_argument, NULL, OPT_STREAM_AHEAD},
	{"fail-open", no_argument, NULL, OPT_FAIL_OPEN},
	{"fail-closed", no_argument, NULL, OPT_FAIL_CLOSED},
	{"bpf-no-jit", no_argument, NULL, OPT_BPF_NO_JIT},
	{"restore-fail-closed", no_argument, NULL, OPT_RESTORE_FAIL_CLOSED},
	{"frag-datagrams", required_argument, NULL, OPT_FRAG_DGRAMS},
	{"frag-per-datagram", required_argument, NULL, OPT_FRAG_PER},
	{"frag-timeout", required_argument, NULL, OPT_FRAG_TIMEOUT},
	{"rss-l3", no_argument, NULL, OPT_RSS_L3},
	{"vxlan-port", required_argument, NULL, OPT_VXLAN_PORT},
	{"geneve-port", required_argument, NULL, OPT_GENEVE_PORT},
	{"gtpu-port", required_argument, NULL, OPT_GTPU_PORT},
	{"run-dir", required_argument, NULL, OPT_RUN_DIR},
	{"log-file", required_argument, NULL, OPT_LOG_FILE},
	{"syslog", no_argument, NULL, OPT_SYSLOG},
	{"link-propagate", no_argument, NULL, OPT_LINK_PROPAGATE},
	{"bypass-hook", required_argument, NULL, OPT_BYPASS_HOOK},
	{"version", no_argument, NULL, OPT_VERSION},
	{"events", required_argument, NULL, OPT_EVENTS},
	{"events-syslog", no_argument, NULL, OPT_EVENTS_SYSLOG},
	{"events-rate", required_argument, NULL, OPT_EVENTS_RATE},
	{"events-ring", required_argument, NULL, OPT_EVENTS_RING},
	{"help", no_argument, NULL, OPT_HELP},
	{NULL, 0, NULL, 0},
};

/* The names of the reasons of policy class cls, four a line. */
static void
reasons_print(int cls)
{
	unsigned int r, k = 0;

	for (r = 1; r < BW_REASON_COUNT; r++)
		if (bw_reason_policy(r) == cls)
			printf("%s %s", k++ % 4 == 0 ? "\n " : "",
			       bw_reason_name(r));
}

/* Print the application usage to stdout. Main lcore. */
void
dp_args_usage(const char *prog)
{
	printf("usage: %s [EAL options] -- [options]\n"
	       "\n"
	       "Bulwark dataplane: forwards between the ports of each pair, "
	       "outside\n"
	       "to inside and back, and drops what the ruleset and the "
	       "malformed-\n"
	       "packet policy say. Every EAL lcore but the main one is a "
	       "worker;\n"
	       "each worker owns one rx and one tx queue on every port.\n"
	       "\n"
	       "options:\n"
	       "  --instance NAME         instance name, [A-Za-z0-9_-], at "
	       "most %d\n"
	       "                          characters (default: default); names "
	       "the\n"
	       "                          status region "
	       "/dev/shm/bulwark.NAME.status\n"
	       "  --state-dir DIR         where committed rulesets are kept; "
	       "the newest\n"
	       "                          valid one is applied before the "
	       "first packet\n"
	       "                          is forwarded (default: "
	       "/var/lib/bulwark/NAME)\n"
	       "  --run-dir DIR           where the request socket ctl.sock "
	       "is made;\n"
	       "                          owned by root, writable by root "
	       "only\n"
	       "                          (default: /run/bulwark/NAME; "
	       "bulwarkctl:\n"
	       "                          $BULWARK_RUN_DIR)\n"
	       "  --events PATH           write an event per drop and alert "
	       "hit to PATH\n"
	       "                          (JSON lines, docs/events.md; "
	       "reopened on\n"
	       "                          SIGHUP); default: no events\n"
	       "  --events-syslog         the events to syslog too (or only)\n"
	       "  --events-rate [TYPE=]N  events per second and rule, list, "
	       "program or\n"
	       "                          reason, then one summary; TYPE "
	       "drop or alert\n"
	       "                          (default: both; 1000 each; 0: no "
	       "limit)\n"
	       "  --events-ring N         events each worker may queue "
	       "(default: 16384);\n"
	       "                          more are lost and counted\n"
	       "  --pair OUTSIDE:INSIDE   a port pair, by port id or ethdev "
	       "name;\n"
	       "                          repeat for more pairs (default: "
	       "0:1)\n"
	       "  --malformed REASON=drop|pass\n"
	       "                          policy for one malformed-packet "
	       "reason, or\n"
	       "                          'all'; repeat as needed (default: "
	       "drop)\n"
	       "  --tcp-invalid REASON=drop|pass\n"
	       "                          policy for one TCP normalization "
	       "reason of\n"
	       "                          tracked flows, or 'all' (default: "
	       "drop; pass:\n"
	       "                          forwarded, counted, ignored for "
	       "stream state)\n"
	       "  --rxd N, --txd N        descriptors per rx / tx queue "
	       "(default %d)\n"
	       "  --mtu N                 set this MTU on every port (default: "
	       "leave\n"
	       "                          as is); a port that refuses gets a "
	       "warning\n"
	       "  --flows N               TCP flows tracked per worker for "
	       "stream\n"
	       "                          matching (default 16384; 0: "
	       "per packet only)\n"
	       "  --flow-idle S           age out an established flow after S "
	       "seconds\n"
	       "                          without a packet (default 3600, "
	       "1..86400);\n"
	       "                          others after at most 30\n"
	       "  --flow-full drop|pass   a new TCP flow the full table has no "
	       "entry\n"
	       "                          for: dropped (default), or passed "
	       "scanned\n"
	       "                          per packet (tcp-flow-table-full)\n"
	       "  --tcp-midstream drop|pass|pickup\n"
	       "                          data of a flow whose SYN was not "
	       "seen:\n"
	       "                          dropped (default), passed scanned "
	       "per\n"
	       "                          packet, or tracked from that byte\n"
	       "  --stream-memory MIB     held TCP bytes per worker (default "
	       "96)\n"
	       "  --stream-hold KIB       scanned bytes held per flow "
	       "direction to\n"
	       "                          compare retransmissions with "
	       "(default 256)\n"
	       "  --stream-ahead KIB      bytes held ahead of a gap per flow "
	       "direction\n"
	       "                          (default 64)\n"
	       "  --mbufs N               at least N mbufs in the pool "
	       "(default: what\n"
	       "                          the rings, bursts and caches need); "
	       "a pcap\n"
	       "                          vdev with infinite_rx=1 needs one "
	       "per packet\n"
	       "  --fail-open             before the first ruleset exists, "
	       "forward\n"
	       "                          (default)\n"
	       "  --fail-closed           before the first ruleset exists, "
	       "drop every\n"
	       "                          packet (counted as no-ruleset)\n"
	       "  --bpf-no-jit            run eBPF programs in rte_bpf's "
	       "interpreter,\n"
	       "                          not as native code (for "
	       "comparisons)\n"
	       "  --restore-fail-closed   when the newest valid generation "
	       "cannot be\n"
	       "                          applied at start (memory), run "
	       "none and\n"
	       "                          drop everything instead of "
	       "exiting\n"
	       "  --frag-datagrams N      IP datagrams under reassembly per "
	       "worker\n"
	       "                          (default %d; 0: no reassembly, "
	       "later\n"
	       "                          fragments pass on addresses "
	       "only)\n"
	       "  --frag-per-datagram N   fragments a datagram may have, "
	       "1..%d\n"
	       "                          (default %d; more: dropped, "
	       "ip-frag-limit)\n"
	       "  --frag-timeout MS       time a datagram has to complete "
	       "(default\n"
	       "                          %d, 1..%d); then its fragments are "
	       "dropped\n"
	       "  --rss-l3                RSS on addresses only, for NICs "
	       "that hash\n"
	       "                          a first fragment with its ports\n"
	       "  --vxlan-port N          UDP destination port decapsulated "
	       "as VXLAN;\n"
	       "                          the first replaces the default "
	       "4789, repeat\n"
	       "                          for up to 4; 0: none\n"
	       "  --geneve-port N         likewise GENEVE (default 6081)\n"
	       "  --gtpu-port N           likewise GTP-U (default 2152)\n"
	       "  --log-file PATH         append log lines to PATH instead of "
	       "stderr;\n"
	       "                          reopened on SIGHUP (log rotation)\n"
	       "  --syslog                log to syslog (facility daemon) "
	       "instead of\n"
	       "                          stderr\n"
	       "  --link-propagate        when a port of a pair loses its "
	       "link, take\n"
	       "                          the other port's link down, and "
	       "back up\n"
	       "                          when it returns\n"
	       "  --bypass-hook PATH      run PATH start once running, "
	       "PATH stop on a\n"
	       "                          clean stop (owned by root, "
	       "writable by its\n"
	       "                          owner only; see "
	       "docs/operator-guide.md)\n"
	       "  --version               the version, then exit\n"
	       "  --help                  this text\n"
	       "\n"
	       "malformed reasons:",
	       prog, BW_NAME_LEN - 1, DP_RXD_DEFAULT, DP_FRAG_DGRAMS_DEFAULT,
	       DP_FRAG_PER_DGRAM_MAX, DP_FRAG_PER_DEFAULT, DP_FRAG_MS_DEFAULT,
	       DP_FRAG_MS_MAX);
	reasons_print(BW_POLICY_MALFORMED);
	printf("\n\nTCP normalization reasons:");
	reasons_print(BW_POLICY_TCP);
	printf("\n\nexample:\n"
	       "  %s --no-huge -m 1024 --no-pci -l 0,1 \\\n"
	       "      --vdev net_pcap0,rx_pcap=in.pcap,tx_pcap=out0.pcap \\\n"
	       "      --vdev net_pcap1,rx_pcap=empty.pcap,tx_pcap=out1.pcap "
	       "\\\n"
	       "      -- --instance demo --pair 0:1\n",
	       prog);
}

/* s as a number in min..max into *out; -EINVAL, said on stderr, if not. */
static int
parse_u32(const char *opt, const char *s, unsigned long min, unsigned long max,
	  uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		fprintf(stderr,
			"bulwark: --%s: '%s' is not a number in %lu..%lu\n",
			opt, s, min, max);
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

/* --events-rate N, drop=N or alert=N. */
static int
parse_events_rate(const char *s, struct dp_events_cfg *ev)
{
	uint32_t v;
	int ret;

	if (strncmp(s, "drop=", 5) == 0)
		return parse_u32("events-rate drop", s + 5, 0, 1000000000,
				 &ev->rate);
	if (strncmp(s, "alert=", 6) == 0)
		return parse_u32("events-rate alert", s + 6, 0, 1000000000,
				 &ev->rate_alert);
	ret = parse_u32("events-rate", s, 0, 1000000000, &v);
	if (ret == 0)
		ev->rate = ev->rate_alert = v;
	return ret;
}

static int
parse_u16(const char *opt, const char *s, unsigned long min, unsigned long max,
	  uint16_t *out)
{
	uint32_t v;
	int ret = parse_u32(opt, s, min, max, &v);

	if (ret == 0)
		*out = (uint16_t)v;
	return ret;
}

static int
parse_pair(const char *s, struct dp_pair_arg *pa)
{
	const char *colon = strchr(s, ':');
	size_t lo, li;

	if (colon == NULL || colon == s || colon[1] == '\0' ||
	    strchr(colon + 1, ':') != NULL) {
		fprintf(stderr,
			"bulwark: --pair '%s': expected OUTSIDE:INSIDE\n", s);
		return -EINVAL;
	}
	lo = (size_t)(colon - s);
	li = strlen(colon + 1);
	if (lo >= sizeof(pa->outside) || li >= sizeof(pa->inside)) {
		fprintf(stderr, "bulwark: --pair '%s': port name too long\n",
			s);
		return -EINVAL;
	}
	memcpy(pa->outside, s, lo);
	pa->outside[lo] = '\0';
	memcpy(pa->inside, colon + 1, li + 1);
	return 0;
}

/* "drop" or "pass" of option opt into policy[reason]. */
static int
parse_one_policy(const char *opt, unsigned int reason, const char *s,
		 uint8_t *policy)
{
	if (strcmp(s, "drop") != 0 && strcmp(s, "pass") != 0) {
		fprintf(stderr, "bulwark: --%s '%s': expected %s\n", opt, s,
			reason == BW_REASON_TCP_MIDSTREAM ? "drop|pass|pickup"
							  : "drop|pass");
		return -EINVAL;
	}
	policy[reason] = s[0] == 'd';
	return 0;
}

/*
 * "REASON=drop|pass" or "all=drop|pass" of option opt (--malformed,
 * --tcp-invalid) for the reasons of policy class cls into policy[].
 */
static int
parse_policy(const char *opt, int cls, const char *s, uint8_t *policy)
{
	const char *eq = strchr(s, '=');
	size_t n;
	unsigned int r;
	int drop;

	if (eq == NULL) {
		fprintf(stderr,
			"bulwark: --%s '%s': expected REASON=drop|pass\n", opt,
			s);
		return -EINVAL;
	}
	if (strcmp(eq + 1, "drop") == 0) {
		drop = 1;
	} else if (strcmp(eq + 1, "pass") == 0) {
		drop = 0;
	} else {
		fprintf(stderr,
			"bulwark: --%s '%s': action must be drop or pass\n",
			opt, s);
		return -EINVAL;
	}
	n = (size_t)(eq - s);
	if (n == 3 && strncmp(s, "all", 3) == 0) {
		for (r = 0; r < BW_REASON_COUNT; r++)
			if (bw_reason_policy(r) == cls)
				policy[r] = (uint8_t)drop;
		return 0;
	}
	for (r = 0; r < BW_REASON_COUNT; r++) {
		const char *name = bw_reason_name(r);

		if (bw_reason_policy(r) == cls && strlen(name) == n &&
		    strncmp(s, name, n) == 0) {
			policy[r] = (uint8_t)drop;
			return 0;
		}
	}
	fprintf(stderr, "bulwark: --%s '%s': unknown reason (see --help)\n",
		opt, s);
	return -EINVAL;
}

/*
 * --vxlan-port, --geneve-port, --gtpu-port: type 0, 1, 2. The first use of
 * an option replaces its default port (nb[type] counts uses); 0 leaves the
 * list empty. A port may serve one tunnel type only, once (so moving a
 * default port to another type needs that type's option first).
 */
static int
parse_tun_port(int type, const char *s, struct dp_decode_cfg *dc,
	       unsigned int *nb)
{
	static const char *const opt[3] = {"vxlan-port", "geneve-port",
					   "gtpu-port"};
	uint16_t *lists[3] = {dc->vxlan, dc->geneve, dc->gtpu};
	uint16_t *list = lists[type];
	uint16_t port;
	unsigned int t, i;
	int ret;

	ret = parse_u16(opt[type], s, 0, 65535, &port);
	if (ret != 0)
		return ret;
	if (nb[type]++ == 0)
		memset(list, 0, DP_TUN_PORTS * sizeof(*list));
	if (port == 0)
		return 0;
	for (t = 0; t < 3; t++)
		for (i = 0; i < DP_TUN_PORTS; i++)
			if (lists[t][i] == port) {
				fprintf(stderr,
					"bulwark: --%s %u: already a --%s\n",
					opt[type], port, opt[t]);
				return -EINVAL;
			}
	for (i = 0; i < DP_TUN_PORTS; i++)
		if (list[i] == 0) {
			list[i] = port;
			return 0;
		}
	fprintf(stderr, "bulwark: at most %d --%s options\n", DP_TUN_PORTS,
		opt[type]);
	return -EINVAL;
}

/*
 * Parse the application arguments into cfg (defaults first). Returns 0,
 * 1 when --help or --version was printed, or -EINVAL after printing the
 * problem. Main lcore, before ports exist (or before EAL: --help, --version).
 */
int
dp_args_parse(int argc, char **argv, struct dp_config *cfg)
{
	char shm_name[64];
	unsigned int r, nb_tun_ports[3] = {0, 0, 0};
	int opt, ret;

	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->instance, "default");
	cfg->nb_rxd = DP_RXD_DEFAULT;
	cfg->nb_txd = DP_TXD_DEFAULT;
	cfg->nb_flows = DP_FLOWS_DEFAULT;
	cfg->flow_idle_s = DP_FLOW_IDLE_S;
	cfg->stream_mib = DP_RPOOL_MIB_DEFAULT;
	cfg->hold_kib = DP_RHOLD_KIB_DEFAULT;
	cfg->ahead_kib = DP_RAHEAD_KIB_DEFAULT;
	cfg->frag_dgrams = DP_FRAG_DGRAMS_DEFAULT;
	cfg->frag_per = DP_FRAG_PER_DEFAULT;
	cfg->frag_ms = DP_FRAG_MS_DEFAULT;
	for (r = 0; r < BW_REASON_COUNT; r++)
		cfg->malformed_drop[r] = bw_reason_policy(r) != 0;
	cfg->decode = dp_decode_cfg_default;
	cfg->events.rate = DP_EVENTS_RATE_DEFAULT;
	cfg->events.rate_alert = DP_EVENTS_RATE_DEFAULT;
	cfg->events.ring = DP_EVENTS_RING_DEFAULT;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		ret = 0;
		switch (opt) {
		case OPT_INSTANCE:
			if (bw_name_status_shm(optarg, shm_name,
					       sizeof(shm_name)) != 0) {
				fprintf(stderr,
					"bulwark: --instance '%s': use 1-%d of "
					"[A-Za-z0-9_-]\n",
					optarg, BW_NAME_LEN - 1);
				return -EINVAL;
			}
			strcpy(cfg->instance, optarg);
			break;
		case OPT_STATE_DIR:
			if (optarg[0] == '\0' ||
			    strlen(optarg) >= sizeof(cfg->state_dir)) {
				fprintf(stderr,
					"bulwark: --state-dir: bad path\n");
				return -EINVAL;
			}
			strcpy(cfg->state_dir, optarg);
			break;
		case OPT_PAIR:
			if (cfg->nb_pairs == DP_PAIR_MAX) {
				fprintf(stderr,
					"bulwark: at most %d --pair options\n",
					DP_PAIR_MAX);
				return -EINVAL;
			}
			ret = parse_pair(optarg,
					 &cfg->pair_args[cfg->nb_pairs++]);
			break;
		case OPT_MALFORMED:
			ret = parse_policy("malformed", BW_POLICY_MALFORMED,
					   optarg, cfg->malformed_drop);
			break;
		case OPT_TCP_INVALID:
			ret = parse_policy("tcp-invalid", BW_POLICY_TCP, optarg,
					   cfg->malformed_drop);
			break;
		case OPT_RXD:
			ret = parse_u16("rxd", optarg, 64, 32768, &cfg->nb_rxd);
			break;
		case OPT_TXD:
			ret = parse_u16("txd", optarg, 64, 32768, &cfg->nb_txd);
			break;
		case OPT_MTU:
			ret = parse_u16("mtu", optarg, 68, 65535, &cfg->mtu);
			break;
		case OPT_MBUFS:
			ret = parse_u32("mbufs", optarg, 1, 1ul << 26,
					&cfg->nb_mbufs);
			break;
		case OPT_FLOWS:
			ret = parse_u32("flows", optarg, 0, DP_FLOWS_MAX,
					&cfg->nb_flows);
			break;
		case OPT_FLOW_IDLE:
			ret = parse_u32("flow-idle", optarg, 1,
					DP_FLOW_IDLE_MAX, &cfg->flow_idle_s);
			break;
		case OPT_FLOW_FULL:
			ret = parse_one_policy("flow-full",
					       BW_REASON_TCP_FLOW_FULL, optarg,
					       cfg->malformed_drop);
			break;
		case OPT_TCP_MIDSTREAM:
			cfg->tcp_midstream = strcmp(optarg, "pickup") == 0;
			if (!cfg->tcp_midstream)
				ret = parse_one_policy("tcp-midstream",
						       BW_REASON_TCP_MIDSTREAM,
						       optarg,
						       cfg->malformed_drop);
			break;
		case OPT_STREAM_MEMORY:
			ret = parse_u32("stream-memory", optarg, 1,
					DP_RPOOL_MIB_MAX, &cfg->stream_mib);
			break;
		case OPT_STREAM_HOLD:
			ret = parse_u32("stream-hold", optarg, 2,
					DP_RDIR_KIB_MAX, &cfg->hold_kib);
			break;
		case OPT_STREAM_AHEAD:
			ret = parse_u32("stream-ahead", optarg, 2,
					DP_RDIR_KIB_MAX, &cfg->ahead_kib);
			break;
		case OPT_FAIL_OPEN:
			cfg->fail_closed = 0;
			break;
		case OPT_FAIL_CLOSED:
			cfg->fail_closed = 1;
			break;
		case OPT_RUN_DIR:
			if (optarg[0] != '/' ||
			    strlen(optarg) >= sizeof(cfg->run_dir)) {
				fprintf(stderr, "bulwark: --run-dir: use an "
						"absolute path\n");
				return -EINVAL;
			}
			strcpy(cfg->run_dir, optarg);
			break;
		case OPT_LOG_FILE:
		case OPT_BYPASS_HOOK:
			if (optarg[0] != '/' || strlen(optarg) >= PATH_MAX) {
				fprintf(stderr,
					"bulwark: --%s: use an absolute "
					"path\n",
					opt == OPT_LOG_FILE ? "log-file"
							    : "bypass-hook");
				return -EINVAL;
			}
			strcpy(opt == OPT_LOG_FILE ? cfg->log_file
						   : cfg->bypass_hook,
			       optarg);
			break;
		case OPT_SYSLOG:
			cfg->log_syslog = 1;
			break;
		case OPT_LINK_PROPAGATE:
			cfg->link_propagate = 1;
			break;
		case OPT_VERSION:
			printf("bulwark %s\n", BW_VERSION);
			return 1;
		case OPT_BPF_NO_JIT:
			cfg->bpf_no_jit = 1;
			break;
		case OPT_RESTORE_FAIL_CLOSED:
			cfg->restore_fail_closed = 1;
			break;
		case OPT_FRAG_DGRAMS:
			ret = parse_u32("frag-datagrams", optarg, 0,
					DP_FRAG_DGRAMS_MAX, &cfg->frag_dgrams);
			break;
		case OPT_FRAG_PER:
			ret = parse_u32("frag-per-datagram", optarg, 1,
					DP_FRAG_PER_DGRAM_MAX, &cfg->frag_per);
			break;
		case OPT_FRAG_TIMEOUT:
			ret = parse_u32("frag-timeout", optarg, 1,
					DP_FRAG_MS_MAX, &cfg->frag_ms);
			break;
		case OPT_RSS_L3:
			cfg->rss_l3 = 1;
			break;
		case OPT_VXLAN_PORT:
		case OPT_GENEVE_PORT:
		case OPT_GTPU_PORT:
			ret = parse_tun_port(opt - OPT_VXLAN_PORT, optarg,
					     &cfg->decode, nb_tun_ports);
			break;
		case OPT_EVENTS:
			if (optarg[0] == '\0' ||
			    strlen(optarg) >= sizeof(cfg->events.path)) {
				fprintf(stderr,
					"bulwark: --events: bad path\n");
				return -EINVAL;
			}
			strcpy(cfg->events.path, optarg);
			break;
		case OPT_EVENTS_SYSLOG:
			cfg->events.syslog = 1;
			break;
		case OPT_EVENTS_RATE:
			ret = parse_events_rate(optarg, &cfg->events);
			break;
		case OPT_EVENTS_RING:
			ret = parse_u32("events-ring", optarg,
					DP_EVENTS_RING_MIN, DP_EVENTS_RING_MAX,
					&cfg->events.ring);
			break;
		case OPT_HELP:
			dp_args_usage(argv[0]);
			return 1;
		default:
			fprintf(stderr, "bulwark: see --help\n");
			return -EINVAL;
		}
		if (ret != 0)
			return ret;
	}
	if (optind < argc) {
		fprintf(stderr, "bulwark: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (cfg->log_syslog && cfg->log_file[0] != '\0') {
		fprintf(stderr, "bulwark: --syslog and --log-file: choose "
				"one\n");
		return -EINVAL;
	}
	dp_decode_cfg_finish(&cfg->decode);
	if (cfg->nb_pairs == 0) {
		strcpy(cfg->pair_args[0].outside, "0");
		strcpy(cfg->pair_args[0].inside, "1");
		cfg->nb_pairs = 1;
	}
	if (cfg->state_dir[0] == '\0' &&
	    snprintf(cfg->state_dir, sizeof(cfg->state_dir),
		     "/var/lib/bulwark/%s",
		     cfg->instance) >= (int)sizeof(cfg->state_dir))
		return -EINVAL;
	return 0;
}
