/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the ruleset image's content rules: the rule, address, port
 * and string tables and the databases of four rules round trip through
 * the writer and the reader (both layouts), a change of rules plans a FULL
 * commit, and bw_image_validate() and the writer refuse each broken field,
 * missing database and DELTA image that carries rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "bw_cunit.h"
#include "ctl_txn.h"
#include "test_image_util.h"

static void
test_rules_roundtrip(void)
{
	struct ctl_ruleset rs, back, dup;
	struct ctl_image_meta m;
	struct bw_image_view v;
	const struct bw_image_rule *r;
	char why[BW_IMAGE_WHY_LEN];
	void *img;
	size_t len;

	rules_ruleset(&rs);
	CU_ASSERT(rs.rtab.nb_rules == 4);
	CU_ASSERT(rs.rtab.block_len > 0 && rs.rtab.nb_groups == 0);
	CU_ASSERT(rs.rtab.gdb_len == 0);
	CU_ASSERT(rs.rtab.stream_len > 0);
	r = rs.rtab.rules;
	CU_ASSERT(r[0].sid == 1001 && r[0].rev == 2 &&
		  r[0].action == BW_RULE_DROP &&
		  r[0].proto == BW_RULE_PROTO_TCP &&
		  r[0].scan == BW_RULE_SCAN_STREAM);
	CU_ASSERT(r[0].flags & BW_RULE_F_TO_SERVER);
	CU_ASSERT(r[0].flags & BW_RULE_F_ESTABLISHED);
	CU_ASSERT(r[0].flags & BW_RULE_F_CONTENT);
	CU_ASSERT(r[0].flags & BW_RULE_F_SRC_NOT); /* !$HOME_NET */
	CU_ASSERT(r[0].nb_dport == 1 &&
		  rs.rtab.ports[r[0].dport_first].lo == 2404);
	CU_ASSERT(strcmp(ctl_rtab_string(&rs.rtab, r[0].msg_off),
			 "iec104 startdt") == 0);
	CU_ASSERT(strcmp(ctl_rtab_string(&rs.rtab, r[0].classtype_off),
			 "attempted-admin") == 0);
	CU_ASSERT(r[1].flags & BW_RULE_F_BIDIR);
	CU_ASSERT(r[1].dsize_op == BW_DSIZE_IN && r[1].dsize_min == 21);
	CU_ASSERT(r[1].scan == BW_RULE_SCAN_PACKET);
	CU_ASSERT(r[1].nb_sport == 2);
	CU_ASSERT(r[2].action == BW_RULE_PASS &&
		  r[2].proto == BW_RULE_PROTO_IP);
	CU_ASSERT(!(r[3].flags & BW_RULE_F_CONTENT));
	CU_ASSERT(r[3].flags & BW_RULE_F_DPORT_NOT);
	/* $HOME_NET is shared by rules 0 (destination) and 2's any */
	CU_ASSERT(r[0].dst_first == r[0].dst_first);

	meta_init(&m, 7, 6, "rules");
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT(ctl_image_read(img, len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_rtab_equal(&rs.rtab, &back.rtab));
	CU_ASSERT(ctl_ruleset_dup(&dup, &back) == 0);
	CU_ASSERT(ctl_rtab_equal(&dup.rtab, &rs.rtab));
	/* rules changed: a FULL commit, never a delta */
	{
		struct ctl_delta_entry *d = NULL;
		size_t nb = 0;

		CU_ASSERT(ctl_txn_plan(&back, &dup, 0, 100, &d, &nb) ==
			  CTL_PLAN_NOOP);
		dup.rtab.rules[0].rev++;
		CU_ASSERT(ctl_txn_plan(&back, &dup, 0, 100, &d, &nb) ==
			  CTL_PLAN_FULL);
		free(d);
	}
	ctl_ruleset_free(&dup);
	ctl_ruleset_free(&back);
	free(img);
	ctl_ruleset_free(&rs);

	/* the default layout: scan groups, stream groups, no databases */
	rules_ruleset_layout(&rs, CTL_RTAB_GROUPS);
	CU_ASSERT(rs.rtab.block_len == 0 && rs.rtab.stream_len == 0);
	CU_ASSERT(rs.rtab.nb_groups > 0 && rs.rtab.gdb_len > 0);
	{
		uint32_t i, nb_stream = 0, nb_merged = 0, nb_tcp = 0;

		for (i = 0; i < rs.rtab.nb_groups; i++) {
			const struct bw_image_hsgroup *g = &rs.rtab.groups[i];

			nb_stream += g->mode == BW_HSMODE_STREAM;
			/* per packet, the stream rules are in PACKET groups */
			CU_ASSERT(g->mode == BW_HSMODE_STREAM ||
				  g->scope == BW_HSSCOPE_PACKET);
			if (g->mode == BW_HSMODE_BLOCK &&
			    g->lane == BW_HSLANE_TCP) {
				/*
				 * sid 1003 (ip) in the BASE; sid 1001's
				 * class, a stream rule alone, as the PACKET
				 * group of its class, with the BASE merged
				 */
				if (g->role == BW_HSROLE_BASE) {
					CU_ASSERT(g->nb_rules == 1 &&
						  g->flags ==
							  BW_HSGROUP_F_STREAM);
				} else {
					CU_ASSERT(
						g->role == BW_HSROLE_DST &&
						g->nb_rules == 2 &&
						g->flags ==
							(BW_HSGROUP_F_BASE |
							 BW_HSGROUP_F_STREAM));
				}
				nb_tcp++;
				continue;
			}
			if (!(g->flags & BW_HSGROUP_F_BASE)) {
				/* the packet scope's class groups all merge */
				CU_ASSERT(g->role == BW_HSROLE_BASE ||
					  g->mode == BW_HSMODE_STREAM);
				continue;
			}
			/* sid 1002's classes with sid 1003 of the UDP BASE */
			CU_ASSERT(g->lane == BW_HSLANE_UDP &&
				  g->role != BW_HSROLE_BASE &&
				  g->scope == BW_HSSCOPE_PACKET &&
				  g->mode == BW_HSMODE_BLOCK &&
				  g->nb_rules == 2);
			nb_merged++;
		}
		/* sid 1001 is a stream rule on port 2404: its class, in
		 * stream mode and (as a PACKET group) in block mode */
		CU_ASSERT(nb_stream > 0);
		CU_ASSERT(nb_tcp == 2);
		/* sid 1002 (<>) keys a source and a destination class */
		CU_ASSERT(nb_merged == 2);
	}
	CU_ASSERT_FATAL(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	CU_ASSERT(bw_image_validate(img, len, &v, why, sizeof(why)) == 0);
	CU_ASSERT(v.hsdb_stream == NULL && v.nb_hsgroups == rs.rtab.nb_groups);
	CU_ASSERT(ctl_image_read(img, len, &back, NULL, why, sizeof(why)) == 0);
	CU_ASSERT(ctl_rtab_equal(&rs.rtab, &back.rtab));
	ctl_ruleset_free(&back);
	free(img);
	ctl_ruleset_free(&rs);
}

#define RULE(i, f, v) TIMG_SET_AT(BW_SEC_RULES, struct bw_image_rule, i, f, v)
#define RADDR(i, f, v)                                                         \
	TIMG_SET_AT(BW_SEC_RADDRS, struct bw_image_raddr, i, f, v)
#define RPORT(i, f, v)                                                         \
	TIMG_SET_AT(BW_SEC_RPORTS, struct bw_image_rport, i, f, v)

/* One field of rule 0 (sid 1001) set to v. */
#define RCASE(f, v, kw) CASE(-EINVAL, (kw), RULE(0, f, v))

static const struct timg_case rule_cases[] = {
	RCASE(action, 0, "rule 0 (sid 1001): unknown action 0"),
	RCASE(action, 4, "unknown action 4"),
	RCASE(proto, 9, "unknown protocol 9"),
	RCASE(scan, 0, "unknown scan scope 0"),
	RCASE(proto, BW_RULE_PROTO_UDP, "stream scope for a non-tcp rule"),
	RCASE(dsize_op, 3, "unknown dsize op 3"),
	RCASE(dsize_min, 5, "dsize bounds without a dsize op"),
	RCASE(flags, 0x2000u | BW_RULE_F_CONTENT, "unknown flags 0x2000"),
	RCASE(flags,
	      BW_RULE_F_CONTENT | BW_RULE_F_TO_SERVER | BW_RULE_F_TO_CLIENT,
	      "flow to_server and to_client"),
	RCASE(priority, 256, "priority 256"),
	RCASE(data_min, 1, "isdataat bounds without the isdataat flag"),
	CASE(-EINVAL, "rule 0 (sid 1001): isdataat on a stream-scoped rule",
	     RULE(0, flags, BW_RULE_F_CONTENT | BW_RULE_F_DATAAT),
	     RULE(0, data_min, 1), RULE(0, data_max, 9)),
	CASE(-EINVAL, "rule 0 (sid 1001): isdataat min 5 above max 4",
	     RULE(0, flags, BW_RULE_F_CONTENT | BW_RULE_F_DATAAT),
	     RULE(0, scan, BW_RULE_SCAN_PACKET), RULE(0, data_min, 5),
	     RULE(0, data_max, 4)),
	RCASE(src_first, UINT32_MAX, "source addresses [4294967295"),
	RCASE(nb_dst, 1000, "past the raddrs section"),
	RCASE(dport_first, 10000, "past the rports section"),
	RCASE(msg_off, 1u << 20, "past the rstrings section"),
	RCASE(classtype_off, UINT32_MAX, "classtype offset 4294967295"),
	CASE(-EINVAL, "rule 1 (sid 1002): dsize min 21 above max 3",
	     RULE(1, dsize_max, 3)),
	/* address entries: host bits, family, length */
	CASE(-EINVAL, "raddr 0", RADDR(0, addr[3], 1)),
	CASE(-EINVAL, "unknown family", RADDR(0, family, 5)),
	CASE(-EINVAL, "prefix length over 32", RADDR(0, family, 4),
	     RADDR(0, len, 33)),
	/* a content rule needs the databases */
	CASE(-EINVAL, "unknown type 0", ENTRY(BW_SEC_HSDB_STREAM, type, 0)),
	/* rule sections without the rules section */
	CASE(-EINVAL, "duplicate type",
	     ENTRY(BW_SEC_RULES, type, BW_SEC_PREFIX4 + 0)),
};

static void
test_rules_refusals(void)
{
	struct timg t = timg_written(rules_ruleset, 3, "rules");
	const struct bw_image_rule *r = body_of(&t, BW_SEC_RULES);
	/* rule 1's source ports 53 and 5353; the string table's last byte */
	uint32_t sp = r[1].sport_first;
	uint32_t nul = sec_must(&t, BW_SEC_RSTRINGS)->count - 1;
	const struct timg_case cases[] = {
		CASE(-EINVAL, "lo 6000 above hi 53", RPORT(sp, lo, 6000)),
		CASE(-EINVAL, "ports not sorted and disjoint",
		     RPORT(sp, lo, 53), RPORT(sp + 1, lo, 50)),
		CASE(-EINVAL, "rstrings section does not end with a NUL",
		     TIMG_INIT(TIMG_SET, BW_SEC_RSTRINGS, nul, 0, 1, 'x')),
	};

	EXPECT_OK(&t);
	TIMG_CASES(&t, rule_cases);
	TIMG_CASES(&t, cases);
	timg_free(&t);
}

/* A model without databases for rules that need them cannot be written. */
static void
test_rules_writer_refuses(void)
{
	struct ctl_ruleset rs;
	struct ctl_image_meta m;
	void *img = NULL;
	size_t len = 0;

	rules_ruleset(&rs);
	meta_init(&m, 3, 2, "rules");
	free(rs.rtab.stream);
	rs.rtab.stream = NULL;
	rs.rtab.stream_len = 0;
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	CU_ASSERT(img == NULL);
	/* neither a block database nor scan groups, whichever was built */
	free(rs.rtab.block);
	rs.rtab.block = NULL;
	rs.rtab.block_len = 0;
	groups_clear(&rs.rtab);
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == -EINVAL);
	ctl_rtab_free(&rs.rtab);
	CU_ASSERT(ctl_image_write_full(&rs, &m, &img, &len) == 0);
	free(img);
	ctl_ruleset_free(&rs);
}

/*
 * A DELTA image may not carry rules: they stay as in force. The full
 * image's prefix sections would make it bad first: they become deltas.
 */
static const struct timg_case delta_rules_cases[] = {
	CASE(-EINVAL, "delta image has a rules section",
	     HDR(kind, BW_IMAGE_DELTA),
	     ENTRY(BW_SEC_PREFIX4, type, BW_SEC_DELTA4),
	     ENTRY(BW_SEC_PREFIX6, type, BW_SEC_DELTA6)),
};

static void
test_rules_delta_refused(void)
{
	struct timg t = timg_written(rules_ruleset, 3, "rules");

	TIMG_CASES(&t, delta_rules_cases);
	timg_free(&t);
}

static const struct bw_cunit_test tests[] = {
	{"rules round trip", test_rules_roundtrip},
	{"rules refusals", test_rules_refusals},
	{"rules writer refuses", test_rules_writer_refuses},
	{"rules in a delta refused", test_rules_delta_refused},
};

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(void)
{
	return BW_CUNIT_RUN("image_rules", tests);
}
