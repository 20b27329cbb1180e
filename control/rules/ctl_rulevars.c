/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Owns the rule variables ($HOME_NET, ...): the built-in defaults, set,
 * get and the vars file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bw_util.h"
#include "ctl_array.h"
#include "ctl_rulelex.h"
#include "ctl_rules.h"
#include "ctl_rulevars.h"

#define VARS_LINE_MAX 4096

/* Built-in variables, used for any name the caller's vars lack. */
static const struct {
	const char *name;
	const char *value;
} default_vars[] = {
	{"HOME_NET", "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12,fc00::/7]"},
	{"EXTERNAL_NET", "!$HOME_NET"},
	{"HTTP_SERVERS", "$HOME_NET"},
	{"SMTP_SERVERS", "$HOME_NET"},
	{"SQL_SERVERS", "$HOME_NET"},
	{"DNS_SERVERS", "$HOME_NET"},
	{"TELNET_SERVERS", "$HOME_NET"},
	{"AIM_SERVERS", "$EXTERNAL_NET"},
	{"DC_SERVERS", "$HOME_NET"},
	{"DNP3_SERVER", "$HOME_NET"},
	{"DNP3_CLIENT", "$HOME_NET"},
	{"MODBUS_CLIENT", "$HOME_NET"},
	{"MODBUS_SERVER", "$HOME_NET"},
	{"ENIP_CLIENT", "$HOME_NET"},
	{"ENIP_SERVER", "$HOME_NET"},
	{"HTTP_PORTS", "80"},
	{"SHELLCODE_PORTS", "!80"},
	{"ORACLE_PORTS", "1521"},
	{"SSH_PORTS", "22"},
	{"DNP3_PORTS", "20000"},
	{"MODBUS_PORTS", "502"},
	{"FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]"},
	{"FTP_PORTS", "21"},
	{"GENEVE_PORTS", "6081"},
	{"VXLAN_PORTS", "4789"},
	{"TEREDO_PORTS", "3544"},
};

#define NB_DEFAULT_VARS (sizeof(default_vars) / sizeof(default_vars[0]))

int
ctl_rulevars_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > CTL_RULEVARS_NAME_MAX || is_digit(s[0]))
		return 0;
	for (i = 0; i < n; i++) {
		if (!is_word(s[i]))
			return 0;
	}
	return 1;
}

const char *
ctl_rulevars_lookup(const struct ctl_rule_vars *vars, const char *name,
		    size_t n)
{
	size_t i;

	if (vars != NULL) {
		for (i = 0; i < vars->n; i++) {
			if (token_is(name, n, vars->v[i].name))
				return vars->v[i].value;
		}
	}
	for (i = 0; i < NB_DEFAULT_VARS; i++) {
		if (token_is(name, n, default_vars[i].name))
			return default_vars[i].value;
	}
	return NULL;
}

/* The value set in vars itself (no default), or NULL. */
static const char *
vars_find(const struct ctl_rule_vars *vars, const char *name)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		if (strcmp(vars->v[i].name, name) == 0)
			return vars->v[i].value;
	}
	return NULL;
}

const char *
ctl_rule_vars_get(const struct ctl_rule_vars *vars, const char *name)
{
	if (name[0] == '$')
		name++;
	return ctl_rulevars_lookup(vars, name, strlen(name));
}

/* ---------------------------------------------------------------------
 * Variables: set, defaults, file.
 */

/* 0 when value parses as an address or a port expression with vars. */
static int
var_value_check(const struct ctl_rule_vars *vars, const char *value, char *why,
		size_t why_len)
{
	char awhy[CTL_RULE_WHY_LEN], pwhy[CTL_RULE_WHY_LEN];
	struct ctl_rule_addr a = {0};
	struct ctl_rule_ports p = {0};
	int ra, rp;

	ra = ctl_rule_addr_parse(value, vars, &a, awhy, sizeof(awhy));
	ctl_rule_addr_free(&a);
	if (ra == 0)
		return 0;
	rp = ctl_rule_ports_parse(value, vars, &p, pwhy, sizeof(pwhy));
	ctl_rule_ports_free(&p);
	if (rp == 0)
		return 0;
	if (ra == -ENOMEM || rp == -ENOMEM)
		return -ENOMEM;
	/* name the reason of the reading that got further */
	bw_why_set(why, why_len, "neither addresses (%s) nor ports (%s)", awhy,
		   pwhy);
	return -EINVAL;
}

/* Set without checking the value; name validated by the caller. */
static int
vars_put(struct ctl_rule_vars *vars, const char *name, const char *value)
{
	char *v = strdup(value), *nm;
	size_t i;

	if (v == NULL)
		return -ENOMEM;
	for (i = 0; i < vars->n; i++) {
		if (strcmp(vars->v[i].name, name) == 0) {
			free(vars->v[i].value);
			vars->v[i].value = v;
			return 0;
		}
	}
	if (CTL_ARRAY_GROW(vars->v, vars->n, vars->cap, 32) < 0)
		goto err_free_value;
	nm = strdup(name);
	if (nm == NULL)
		goto err_free_value;
	vars->v[vars->n].name = nm;
	vars->v[vars->n].value = v;
	vars->n++;
	return 0;

err_free_value:
	free(v);
	return -ENOMEM;
}

int
ctl_rule_vars_defaults(struct ctl_rule_vars *vars)
{
	size_t i, n0 = vars->n;

	for (i = 0; i < NB_DEFAULT_VARS; i++) {
		if (vars_find(vars, default_vars[i].name) != NULL)
			continue;
		if (vars_put(vars, default_vars[i].name,
			     default_vars[i].value)) {
			while (vars->n > n0) {
				vars->n--;
				free(vars->v[vars->n].name);
				free(vars->v[vars->n].value);
			}
			return -ENOMEM;
		}
	}
	return 0;
}

/* Copy of vars (deep), for set-then-check-then-keep. */
static int
vars_copy(const struct ctl_rule_vars *src, struct ctl_rule_vars *dst)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		if (vars_put(dst, src->v[i].name, src->v[i].value)) {
			ctl_rule_vars_free(dst);
			return -ENOMEM;
		}
	}
	return 0;
}

int
ctl_rule_vars_set(struct ctl_rule_vars *vars, const char *name,
		  const char *value, char *why, size_t why_len)
{
	char ex[CTL_RULELEX_EXCERPT_LEN + 8];
	struct ctl_rule_vars next;
	int ret;

	if (name[0] == '$')
		name++;
	if (!ctl_rulevars_name_ok(name, strlen(name))) {
		ctl_rulelex_excerpt(ex, sizeof(ex), name, strlen(name));
		bw_why_set(why, why_len,
			   "bad variable name '%s' (1-%d of A-Z a-z 0-9 _, not "
			   "starting with a digit)",
			   ex, CTL_RULEVARS_NAME_MAX);
		return -EINVAL;
	}
	if (vars_copy(vars, &next) || vars_put(&next, name, value)) {
		ctl_rule_vars_free(&next);
		return -ENOMEM;
	}
	ret = var_value_check(&next, value, why, why_len);
	if (ret) {
		ctl_rule_vars_free(&next);
		return ret;
	}
	ctl_rule_vars_free(vars);
	*vars = next;
	return 0;
}

void
ctl_rule_vars_free(struct ctl_rule_vars *vars)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	free(vars->v);
	memset(vars, 0, sizeof(*vars));
}

int
ctl_rule_vars_load_file(struct ctl_rule_vars *vars, const char *path,
			FILE *diag)
{
	char why[CTL_RULE_WHY_LEN], name[CTL_RULEVARS_NAME_MAX + 2];
	struct ctl_rule_vars next;
	const char *p, *end;
	unsigned int lineno = 0;
	size_t len, i;
	char *buf, *value;
	int ret, bad = 0;

	if (diag == NULL)
		diag = stderr;
	ret = ctl_rules_read_file(path, &buf, &len);
	if (ret) {
		fprintf(diag, "%s: error: %s\n", path, strerror(-ret));
		return ret;
	}
	if (vars_copy(vars, &next)) {
		free(buf);
		return -ENOMEM;
	}
	for (p = buf, end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = nl != NULL ? nl : end, *k;
		size_t n, kn;

		p = nl != NULL ? nl + 1 : end;
		lineno++;
		n = (size_t)(e - s);
		trim(&s, &n);
		if (n == 0 || s[0] == '#')
			continue;
		if (memchr(s, '\0', n) != NULL || n > VARS_LINE_MAX) {
			fprintf(diag, "%s:%u: error: %s\n", path, lineno,
				n > VARS_LINE_MAX ? "line too long"
						  : "NUL byte in line");
			bad = 1;
			continue;
		}
		k = s;
		while (n > 0 && !is_space(*s)) {
			s++;
			n--;
		}
		kn = (size_t)(s - k);
		trim(&s, &n);
		if (kn > 0 && k[0] == '$') {
			k++;
			kn--;
		}
		if (!ctl_rulevars_name_ok(k, kn) || n == 0) {
			fprintf(diag, "%s:%u: error: %s\n", path, lineno,
				n == 0 ? "missing value"
				       : "bad variable name (1-63 of A-Z a-z "
					 "0-9 _, not starting with a digit)");
			bad = 1;
			continue;
		}
		memcpy(name, k, kn);
		name[kn] = '\0';
		value = strndup(s, n);
		if (value == NULL || vars_put(&next, name, value)) {
			free(value);
			goto err_nomem;
		}
		free(value);
	}
	/* check every value once all names are known */
	for (i = 0; i < next.n; i++) {
		ret = var_value_check(&next, next.v[i].value, why, sizeof(why));
		if (ret == -ENOMEM)
			goto err_nomem;
		if (ret) {
			fprintf(diag, "%s: error: variable %s: %s\n", path,
				next.v[i].name, why);
			bad = 1;
		}
	}
	free(buf);
	if (bad) {
		ctl_rule_vars_free(&next);
		return -EINVAL;
	}
	ctl_rule_vars_free(vars);
	*vars = next;
	return 0;

err_nomem:
	free(buf);
	ctl_rule_vars_free(&next);
	return -ENOMEM;
}
