/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of bulwarkctl's eBPF object reader (ctl_bpfobj.h) on the
 * objects of examples/bpf and tests/bpf: which load, which are refused and
 * with what message, how a section is chosen, and files that are not
 * objects at all.
 *
 * Usage: test_bpf_objects [DATA_DIR [BUILD_DIR]] (test_bpf_util.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "ctl_bpfobj.h"
#include "test_bpf_util.h"

/*
 * An object of BUILD_DIR (EX: examples/bpf, T: tests/bpf), loaded from
 * section sec (NULL: the only one): 0, or the error and a part of the
 * message after the path.
 */
#define EX(name)  "examples/bpf", name
#define T(name)	  "tests/bpf", name
#define VERIFIER  ": section bulwark: verifier: "
#define NO_MAPS	  ": maps are not supported: "
#define SECTIONS3 "(sections: bulwark, drop_all, lookup)"
static const struct obj_case {
	const char *sub, *name, *sec;
	int err;
	const char *keyword;
} objects[] = {
	{EX("modbus_write"), NULL, 0, ""},
	{EX("dnp3_restart"), "bulwark", 0, ""},
	{EX("tcp_flags"), NULL, 0, ""},
	{EX("tcp_flags"), "other", -ENOENT,
	 ": no program in section 'other' (sections: bulwark)"},
	{T("bad_oob"), NULL, -EINVAL, VERIFIER "memory boundary violation"},
	{T("bad_loop"), NULL, -EINVAL, VERIFIER "loops detected"},
	{T("bad_helper"), NULL, -EINVAL,
	 VERIFIER "insn 1: call to unknown helper 6"},
	{T("bad_store"), NULL, -EINVAL, "verifier: insn 1: store through r1"},
	{T("bad_call"), NULL, -EINVAL,
	 "call to another function of the object"},
	{T("bad_maps"), NULL, -ENOTSUP, NO_MAPS "seen"},
	{T("bad_data"), NULL, -ENOTSUP,
	 NO_MAPS "bad_data.bss (global or static data)"},
	{T("two_progs"), NULL, -EINVAL,
	 ": 3 programs " SECTIONS3 ": choose one with --section"},
	{T("two_progs"), "drop_all", 0, ""},
	{T("two_progs"), "lookup", 0, ""},
	{T("two_progs"), "nope", -ENOENT,
	 "no program in section 'nope' " SECTIONS3},
};
#undef SECTIONS3
#undef NO_MAPS
#undef VERIFIER
#undef T
#undef EX

static void
expect_obj(const struct obj_case *c)
{
	char path[PATH_MAX], why[CTL_BPFOBJ_WHY_LEN] = "";
	struct ctl_bpfobj_prog p;
	int r, ok;

	if (bpf_obj_path(path, sizeof(path), c->sub, c->name) == NULL) {
		bpf_missing(c->name);
		return;
	}
	r = ctl_bpfobj_load(path, c->sec, &p, why, sizeof(why));
	ok = c->err == 0 ? r == 0
			 : (r == c->err && strstr(why, c->keyword) != NULL &&
			    strncmp(why, path, strlen(path)) == 0);
	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\n  %s: got %d '%s', want %d '%s'", c->name, r,
			why, c->err, c->keyword);
	if (r == 0) {
		CU_ASSERT(p.nb_insns > 0 && p.insns != NULL);
		ctl_bpfobj_prog_free(&p);
	}
}

static void
test_objects(void)
{
	char path[PATH_MAX], why[CTL_BPFOBJ_WHY_LEN];
	struct ctl_bpfobj_prog p;
	uint32_t i;

	for (i = 0; i < NB(objects); i++)
		expect_obj(&objects[i]);

	/* not objects at all */
	CU_ASSERT(ctl_bpfobj_read("/nonexistent/x.o", NULL, &p, why,
				  sizeof(why)) == -ENOENT);
	CU_ASSERT(strstr(why, "/nonexistent/x.o: No such file") != NULL);
	if (bpf_pcaps_dir(path, sizeof(path)) != NULL &&
	    strlen(path) + 32 < sizeof(path)) {
		strcat(path, "/ics/modbus_test.pcap");
		CU_ASSERT(ctl_bpfobj_read(path, NULL, &p, why, sizeof(why)) ==
			  -EINVAL);
		CU_ASSERT(strstr(why, "not an eBPF object") != NULL);
	}
}

/* The tests main runs (test_bpf_util.h). */
const struct bw_cunit_test bpf_tests[] = {
	{"object files: load, reject, sections", test_objects},
	{NULL, NULL},
};
