/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the rule parser (control/rules/), the Hyperscan
 * mapping (ctl_hsexpr.c, ctl_hsmap.c) and the pattern-file loader
 * (ctl_hspattern.c). The first input byte picks what the rest is:
 *   0  a rule file, parsed with ctl_hsmap_check() as the check, then
 *      mapped with ctl_hsmap_build(), which must succeed for what the
 *      check took, and every taken rule's sets formatted
 *   1  a Hyperscan pattern file, then mapped the same way
 *   2  an address expression and a port expression (split at the first
 *      newline), with a variable table that has a cycle in it
 * Invariants checked: taken + skipped == rules, every skip has a reason,
 * every rule maps. Compiling is left out (seconds per input).
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined
 *   -fno-sanitize-recover=all -D_GNU_SOURCE -Iinclude -Ilib -Icontrol/model
 *   -Icontrol/rules -isystem /usr/include/hs lib/util.c
 *   control/model/ctl_prefix.c
 *   control/rules/ctl_rule{addr,kw,lex,parse,set,vars}.c
 *   control/rules/ctl_hs{expr,map,pattern}.c tests/fuzz/fuzz_rules.c -lhs
 *   -o fuzz_rules
 * Seeds: one rule per file, a 0 byte first, e.g. from every rule file F
 *   of tests/data/rules: awk '/^(alert|drop|pass)/{f="seeds/" NR;
 *   printf "%c", 0 > f; print > f; close(f)}' F
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_hsmap.h"
#include "ctl_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_set(struct ctl_rules *rs, const struct ctl_rules_stats *st)
{
	struct ctl_hsmap map = {0};
	char err[512], buf[256];
	size_t i;
	int ret;

	if (st->taken + st->skipped != st->rules)
		__builtin_trap();
	if (rs->nb_rules != st->taken || rs->nb_skips != st->skipped)
		__builtin_trap();
	for (i = 0; i < rs->nb_skips; i++) {
		if (rs->skips[i].reason == NULL ||
		    rs->skips[i].reason[0] == '\0')
			__builtin_trap();
		ctl_rule_skip_format(&rs->skips[i], buf, sizeof(buf));
	}
	for (i = 0; i < rs->nb_rules; i++) {
		ctl_rule_addr_format(&rs->rules[i].src, buf, sizeof(buf));
		ctl_rule_ports_format(&rs->rules[i].dport, buf, sizeof(buf));
	}
	ret = ctl_hsmap_build(rs, &map, err, sizeof(err));
	if (ret != 0 && ret != -ENOMEM)
		__builtin_trap();
	ctl_hsmap_free(&map);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_rules_opts o = {NULL, ctl_hsmap_check, NULL};
	struct ctl_rules_stats st;
	struct ctl_rules rs;

	if (size < 1)
		return 0;
	ctl_rules_init(&rs);
	switch (data[0] % 3) {
	case 0:
		if (ctl_rules_load_buf(&rs, "f", (const char *)data + 1,
				       size - 1, &o, &st) == 0)
			check_set(&rs, &st);
		break;
	case 1:
		if (ctl_hsmap_load_patterns_buf(
			    &rs, "p", (const char *)data + 1, size - 1,
			    CTL_RULE_DROP, &st) == 0)
			check_set(&rs, &st);
		break;
	default: {
		struct ctl_rule_vars vars = {0};
		struct ctl_rule_addr a = {0};
		struct ctl_rule_ports p = {0};
		char *s = malloc(size), *nl, why[CTL_RULE_WHY_LEN];

		if (s == NULL)
			break;
		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		nl = strchr(s, '\n');
		if (nl != NULL)
			*nl = '\0';
		ctl_rule_vars_set(&vars, "A", "[10.0.0.0/8,!10.1.0.0/16]", why,
				  sizeof(why));
		ctl_rule_vars_set(&vars, "P", "[1:1024,!53]", why, sizeof(why));
		/* a cycle, which vars_set refuses, planted by hand */
		if (vars.n < vars.cap) {
			vars.v[vars.n].name = strdup("C");
			vars.v[vars.n].value = strdup("[$C,$A]");
			if (vars.v[vars.n].name != NULL &&
			    vars.v[vars.n].value != NULL)
				vars.n++;
			else {
				free(vars.v[vars.n].name);
				free(vars.v[vars.n].value);
			}
		}
		ctl_rule_addr_parse(s, &vars, &a, why, sizeof(why));
		ctl_rule_ports_parse(nl != NULL ? nl + 1 : s, &vars, &p, why,
				     sizeof(why));
		ctl_rule_addr_format(&a, why, sizeof(why));
		ctl_rule_ports_format(&p, why, sizeof(why));
		ctl_rule_addr_free(&a);
		ctl_rule_ports_free(&p);
		ctl_rule_vars_free(&vars);
		free(s);
		break;
	}
	}
	ctl_rules_free(&rs);
	return 0;
}
