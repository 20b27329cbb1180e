/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl lookup ADDRESS [--json]`: which lists contain an address,
 * which one decides for it as a packet's source and as its destination,
 * and the verdict, from the current generation in the state directory.
 * The decision rules are in ctl_lookup.h; the row of the command is in
 * table.c.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_lookup.h"
#include "ctl_state.h"

static void
side_text(FILE *f, const struct ctl_ruleset *rs, const char *addr_s, int side,
	  const struct ctl_lookup_side *s)
{
	const char *side_name = side == CTL_SIDE_SRC ? "source" : "destination";
	char pfx[CTL_PREFIX_STR_LEN], line[256];
	const char *note;
	size_t n;
	const struct ctl_lookup_hit *h;
	const struct ctl_list *l;
	uint32_t i;

	fprintf(f, "%s as %s: %s", addr_s, side_name,
		s->drop ? "drop" : "pass");
	if (s->decider >= 0) {
		h = &s->hits[s->decider];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		fprintf(f, " (%s list '%s', %s)\n",
			l->action == BW_ACTION_ALLOW ? "allow" : "block",
			l->name, pfx);
	} else {
		fprintf(f, " (no list decides)\n");
	}
	for (i = 0; i < s->nb_hits; i++) {
		h = &s->hits[i];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		if ((int)i == s->decider)
			note = "decides";
		else if (!h->counts)
			note = side == CTL_SIDE_SRC
				       ? "ignored: matches destinations only"
				       : "ignored: matches sources only";
		else
			note = "";
		snprintf(line, sizeof(line),
			 "  %-20s id %-3" PRIu32 " %-5s %-3s %-20s %s", l->name,
			 l->id, ctl_action_name(l->action),
			 ctl_match_name(l->match), pfx, note);
		n = strlen(line);
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(f, "%s\n", line);
	}
}

static void
side_json(struct ctl_json *j, const char *key, const struct ctl_ruleset *rs,
	  const struct ctl_lookup_side *s)
{
	char pfx[CTL_PREFIX_STR_LEN];
	const struct ctl_lookup_hit *h;
	const struct ctl_list *l;
	uint32_t i;

	ctl_json_object_begin(j, key);
	ctl_json_str(j, "verdict", s->drop ? "drop" : "pass");
	if (s->decider >= 0) {
		h = &s->hits[s->decider];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		ctl_json_object_begin(j, "decided_by");
		ctl_json_str(j, "list", l->name);
		ctl_json_u64(j, "id", l->id);
		ctl_json_str(j, "action", ctl_action_name(l->action));
		ctl_json_str(j, "match", ctl_match_name(l->match));
		ctl_json_str(j, "prefix", pfx);
		ctl_json_object_end(j);
	} else {
		ctl_json_null(j, "decided_by");
	}
	ctl_json_array_begin(j, "lists");
	for (i = 0; i < s->nb_hits; i++) {
		h = &s->hits[i];
		l = &rs->lists[h->index];
		ctl_prefix_format(&h->match, pfx, sizeof(pfx));
		ctl_json_object_begin(j, NULL);
		ctl_json_str(j, "list", l->name);
		ctl_json_u64(j, "id", l->id);
		ctl_json_str(j, "action", ctl_action_name(l->action));
		ctl_json_str(j, "match", ctl_match_name(l->match));
		ctl_json_str(j, "prefix", pfx);
		ctl_json_bool(j, "counts", h->counts != 0);
		ctl_json_bool(j, "decides", (int)i == s->decider);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
	ctl_json_object_end(j);
}

int
ctl_cmd_lookup_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	int i, json = CTL_REQ(a, struct ctl_json_req)->json, hb;
	char why[CTL_PREFIX_WHY_LEN], addr_s[CTL_PREFIX_STR_LEN];
	struct ctl_lookup_side *sides, *src, *dst;
	int argc = a->argc;
	char **argv = a->argv;
	struct ctl_ruleset rs;
	struct ctl_prefix p;
	const char *arg;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (strchr(arg, '/') != NULL)
			return ctl_usage_report(
				ctx, NULL, a->usage,
				"'%s' is a prefix: give addresses", arg);
		if (ctl_prefix_parse_why(arg, strlen(arg), &p, &hb, why,
					 sizeof(why)) < 0)
			return ctl_usage_report(ctx, NULL, a->usage, "%s", why);
	}

	if (ctl_ctx_instance_check(ctx) < 0 ||
	    ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	sides = malloc(2 * sizeof(*sides));
	if (sides == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		ctl_ruleset_free(&rs);
		return CTL_EXIT_FAIL;
	}
	src = &sides[0];
	dst = &sides[1];
	if (!json) {
		if (rs.generation == 0)
			fprintf(ctx->out, "no generation in %s: no lists\n",
				ctx->state_dir);
		else
			fprintf(ctx->out, "generation %" PRIu64 "\n",
				rs.generation);
	}
	/* one answer per address: text blocks, or one JSON object a line */
	for (i = 0; i < argc; i++) {
		arg = argv[i];
		ctl_prefix_parse_why(arg, strlen(arg), &p, &hb, why,
				     sizeof(why));
		ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_SRC, src);
		ctl_lookup_side(&rs, p.family, p.addr, CTL_SIDE_DST, dst);
		/* the canonical spelling: "::ffff:1.2.3.4", not what was
		 * typed */
		ctl_prefix_format(&p, addr_s, sizeof(addr_s));
		*strchr(addr_s, '/') = '\0';
		if (json) {
			struct ctl_json j;

			ctl_json_init(&j, ctx->out);
			ctl_json_object_begin(&j, NULL);
			ctl_json_str(&j, "address", addr_s);
			ctl_json_u64(&j, "family", p.family);
			ctl_json_u64(&j, "generation", rs.generation);
			ctl_json_str(&j, "verdict",
				     src->drop || dst->drop ? "drop" : "pass");
			side_json(&j, "source", &rs, src);
			side_json(&j, "destination", &rs, dst);
			ctl_json_object_end(&j);
			fputc('\n', ctx->out);
		} else {
			side_text(ctx->out, &rs, addr_s, CTL_SIDE_SRC, src);
			side_text(ctx->out, &rs, addr_s, CTL_SIDE_DST, dst);
		}
	}
	free(sides);
	ctl_ruleset_free(&rs);
	return CTL_EXIT_OK;
}
