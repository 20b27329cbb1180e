/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `bulwarkctl lookup ADDRESS [--json]`: which lists contain an address,
 * which one decides for it as a packet's source and as its destination,
 * and the verdict, from the current generation in the state directory.
 * The decision rules are in ctl_lookup.h.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl_cmd.h"
#include "ctl_json.h"
#include "ctl_lookup.h"
#include "ctl_state.h"

#define LOOKUP_USAGE "lookup ADDRESS... [--json]"

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

/* A parsed `lookup` command line. */
struct lookup_req {
	int json;
};

static int
lookup_run(struct ctl_ctx *ctx, const struct ctl_args *a)
{
	int i, json = CTL_REQ(a, struct lookup_req)->json, hb;
	char why[CTL_PREFIX_WHY_LEN], addr_s[CTL_PREFIX_STR_LEN];
	struct ctl_lookup_side *src = NULL, *dst = NULL;
	int argc = a->argc, rc = CTL_EXIT_FAIL;
	char **argv = a->argv;
	struct ctl_ruleset rs;
	struct ctl_prefix p;
	const char *arg;

	for (i = 0; i < argc; i++) {
		arg = argv[i];
		if (strchr(arg, '/') != NULL)
			return ctl_usage_error(
				ctx, LOOKUP_USAGE,
				"'%s' is a prefix: give addresses", arg);
		if (ctl_prefix_parse_why(arg, strlen(arg), &p, &hb, why,
					 sizeof(why)) < 0)
			return ctl_usage_error(ctx, LOOKUP_USAGE, "%s", why);
	}

	if (ctl_state_current(ctx->state_dir, ctx->err, &rs, NULL) < 0)
		return CTL_EXIT_FAIL;
	src = malloc(sizeof(*src));
	dst = malloc(sizeof(*dst));
	if (src == NULL || dst == NULL) {
		fprintf(ctx->err, CTL_PROG ": out of memory\n");
		goto out;
	}
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
	rc = CTL_EXIT_OK;
out:
	free(src);
	free(dst);
	ctl_ruleset_free(&rs);
	return rc;
}

static const struct ctl_opt lookup_opts[] = {
	{.name = "json",
	 .type = CTL_OPT_FLAG,
	 .off = offsetof(struct lookup_req, json)},
	{.name = NULL},
};

const struct ctl_cmd ctl_cmd_lookup = {
	.name = "lookup",
	.summary = "which list decides for an address, and the verdict",
	.usage = LOOKUP_USAGE,
	.help = "Which lists of the current generation (the newest in the "
		"state\n"
		"directory) contain ADDRESS, which one decides for it as a "
		"packet's\n"
		"source and as its destination, and the verdict. Allow lists "
		"win\n"
		"over block lists; among lists of one action the longest "
		"prefix\n"
		"wins, then the lowest list id; a list counts only on the "
		"sides its\n"
		"--match covers. With --json, the top-level \"verdict\" is "
		"drop when\n"
		"the address is dropped as a source or as a destination; "
		"\"source\" and\n"
		"\"destination\" hold each side's verdict, deciding list and "
		"matches.\n"
		"Several addresses: one answer each (with --json, one object "
		"a line).\n",
	.run = lookup_run,
	.opts = lookup_opts,
	.args = {.min = 1,
		 .max = CTL_ARGS_ANY,
		 .missing = {"no address given"}},
	.req_size = sizeof(struct lookup_req),
};
