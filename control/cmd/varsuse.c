/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Which rule variables the rules in force use, for the warning of
 * `vars set` (ctl_vars.h). A rules load records, in the state directory's
 * CTL_VARS_USED_FILE, the names its rule files write as $NAME (comment
 * lines aside) and, through their values, the names those use, under a
 * fingerprint of the rule table it built. vars set finds the line of the
 * table in force by the same fingerprint (a rollback brings an earlier
 * table and so its line back). The file is a hint for a warning, never an
 * input of a commit: a missing or foreign line only means no warning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bw_crc32c.h"
#include "bw_statedir.h"
#include "ctl.h"
#include "ctl_cli.h"
#include "ctl_rules.h"
#include "ctl_state.h"
#include "ctl_vars.h"

#define LINES_KEPT   32		      /* rule tables remembered */
#define FILE_MAX     (256 * 1024)     /* bytes of the file read */
#define NAMES_MAX    256	      /* names recorded for one table */
#define NAME_MAX_LEN CTL_RULE_WHY_LEN /* bytes of one name */

uint32_t
ctl_vars_used_print(const struct ctl_rtab *tab)
{
	uint32_t c;

	c = bw_crc32c(0, &tab->nb_rules, sizeof(tab->nb_rules));
	if (tab->nb_rules > 0)
		c = bw_crc32c(c, tab->rules,
			      (size_t)tab->nb_rules * sizeof(*tab->rules));
	if (tab->strings_len > 0)
		c = bw_crc32c(c, tab->strings, tab->strings_len);
	return c;
}

static int
word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

struct names {
	char *v[NAMES_MAX];
	size_t n;
};

static void
names_add(struct names *s, const char *p, size_t len)
{
	size_t i;

	if (len == 0 || len >= NAME_MAX_LEN || s->n >= NAMES_MAX)
		return;
	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i]) == len && memcmp(s->v[i], p, len) == 0)
			return;
	s->v[s->n] = strndup(p, len);
	if (s->v[s->n] != NULL)
		s->n++;
}

static void
names_free(struct names *s)
{
	while (s->n > 0)
		free(s->v[--s->n]);
}

/* Every $NAME of the text, outside lines starting with '#'. */
static void
scan_text(struct names *s, const char *p, const char *end)
{
	const char *q, *eol;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		if (q < eol && *q == '#') {
			p = eol + 1;
			continue;
		}
		for (; q < eol; q++) {
			const char *w;

			if (*q != '$')
				continue;
			for (w = q + 1; w < eol && word_char(*w); w++)
				;
			names_add(s, q + 1, (size_t)(w - q - 1));
			q = w - 1;
		}
		p = eol + 1;
	}
}

/* Read the file at path and scan it; an unreadable file adds nothing. */
static void
scan_file(struct names *s, const char *path)
{
	size_t len;
	char *buf;

	if (ctl_rules_read_file(path, &buf, &len) < 0)
		return;
	scan_text(s, buf, buf + len);
	free(buf);
}

/*
 * The whole file of the state directory, or NULL (missing, untrusted or
 * too large: no hint).
 */
static char *
file_read(const char *state_dir)
{
	char why[BW_STATE_WHY_LEN];
	gid_t op_gid = bw_state_operator_gid();
	size_t len = 0;
	void *buf = NULL;
	int dfd, fd;

	dfd = bw_state_dir_open(state_dir, geteuid(), op_gid, why, sizeof(why));
	if (dfd < 0)
		return NULL;
	fd = bw_state_open_file(dfd, CTL_VARS_USED_FILE, geteuid(), op_gid, why,
				sizeof(why));
	close(dfd);
	if (fd < 0)
		return NULL;
	if (bw_state_read_fd(fd, FILE_MAX, 1, &buf, &len, why, sizeof(why)) <
	    0) {
		close(fd);
		return NULL;
	}
	close(fd);
	/* one more byte for the NUL */
	{
		char *t = realloc(buf, len + 1);

		if (t == NULL) {
			free(buf);
			return NULL;
		}
		t[len] = '\0';
		return t;
	}
}

int
ctl_vars_used_record(const struct ctl_state *st, const char *state_dir,
		     const struct ctl_rtab *tab, char *const *files,
		     size_t nb_files, const struct ctl_rule_vars *vars)
{
	struct names s = {.n = 0};
	char *old, *line, *next, *text = NULL;
	size_t i, len = 0, kept = 0, nb_old = 0;
	uint32_t fp = ctl_vars_used_print(tab);
	const char *v;
	FILE *f;
	int r;

	for (i = 0; i < nb_files; i++)
		scan_file(&s, files[i]);
	/* the names the values of used names use, until none is new */
	for (i = 0; i < s.n; i++) {
		v = ctl_rule_vars_get(vars, s.v[i]);
		if (v != NULL)
			scan_text(&s, v, v + strlen(v));
	}
	f = open_memstream(&text, &len);
	if (f == NULL) {
		names_free(&s);
		return -ENOMEM;
	}
	fprintf(f, "%08x", fp);
	for (i = 0; i < s.n; i++)
		fprintf(f, " %s", s.v[i]);
	fputc('\n', f);
	names_free(&s);
	/* the newest LINES_KEPT - 1 lines of other tables after it */
	old = file_read(state_dir);
	for (line = old; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		nb_old++;
	}
	for (line = old; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (nb_old-- > LINES_KEPT - 1 ||
		    strtoul(line, NULL, 16) == fp || next[-1] != '\n')
			continue;
		fwrite(line, 1, (size_t)(next - line), f);
		kept++;
	}
	free(old);
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	r = ctl_state_replace_file(st, CTL_VARS_USED_FILE, text, len);
	free(text);
	return r;
}

int
ctl_vars_used_query(const char *state_dir, const struct ctl_rtab *tab,
		    const char *name, char *close_name, size_t close_len)
{
	char fps[16], *text, *line, *next, *w;
	const char *names[NAMES_MAX];
	size_t nb = 0;
	int r = -ENOENT, k;

	close_name[0] = '\0';
	if (name[0] == '$')
		name++;
	text = file_read(state_dir);
	if (text == NULL)
		return -ENOENT;
	snprintf(fps, sizeof(fps), "%08x", ctl_vars_used_print(tab));
	for (line = text; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next == NULL)
			break;
		*next++ = '\0';
		if (strncmp(line, fps, 8) != 0 ||
		    (line[8] != ' ' && line[8] != '\0'))
			continue;
		r = 0;
		for (w = strtok(line + 8, " "); w != NULL && nb < NAMES_MAX;
		     w = strtok(NULL, " ")) {
			if (strcmp(w, name) == 0)
				r = 1;
			names[nb++] = w;
		}
		break;
	}
	if (r == 0) {
		k = ctl_cli_suggest(name, names, nb);
		if (k >= 0)
			snprintf(close_name, close_len, "%s", names[k]);
	}
	free(text);
	return r;
}
