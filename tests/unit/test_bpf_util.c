/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The helpers the eBPF unit tests share (test_bpf_util.h): object paths,
 * loading and running code both ways, the examples, and main.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <CUnit/Basic.h>

#include "bw_testdata.h"
#include "ctl_bpfobj.h"
#include "test_bpf_util.h"

static const char *build_dir_arg; /* argv[2] */

void
bpf_check_at(const char *file, int line, int cond, const char *what)
{
	CU_assertImplementation(cond ? CU_TRUE : CU_FALSE, (unsigned int)line,
				what, file, "", CU_FALSE);
}

static const char *
build_dir(void)
{
	if (build_dir_arg != NULL)
		return build_dir_arg;
	return getenv("BW_BUILD");
}

const char *
bpf_obj_path(char *buf, size_t size, const char *sub, const char *name)
{
	const char *b = build_dir();
	struct stat st;

	if (b == NULL ||
	    snprintf(buf, size, "%s/%s/%s.o", b, sub, name) >= (int)size ||
	    stat(buf, &st) != 0)
		return NULL;
	return buf;
}

const char *
bpf_pcaps_dir(char *buf, size_t size)
{
	return bw_testdata_path("pcaps", buf, size);
}

int
bpf_missing(const char *why)
{
	fprintf(stderr,
		"\n  missing: %s (built by clang -target bpf, see "
		"examples/bpf/meson.build) ",
		why);
	CU_FAIL("eBPF test object missing");
	return 1;
}

/* ------------------------------------------------------------ code */

int
bpf_prog_load(struct prog *p, const struct bw_image_insn *ins, uint32_t nb,
	      const struct bw_bpf_helpers *h, char *why, size_t why_len)
{
	return bw_bpf_code_load(&p->code, ins, nb, h, 1, why, why_len);
}

uint64_t
bpf_run_both_at(const char *file, int line, const struct prog *p,
		struct bw_bpf_ctx *ctx)
{
	uint64_t a, b;

	a = p->code.jit(ctx);
	b = bw_bpf_code_interp(&p->code, ctx);
	bpf_check_at(file, line, a == b, "JIT and interpreter agree");
	if (a != b)
		fprintf(stderr, "\n  line %d: %s: JIT %llu, interpreter %llu",
			line, p->name, (unsigned long long)a,
			(unsigned long long)b);
	return a;
}

/* ------------------------------------------------------------ examples */

const char *const bpf_ex_names[NB_EXAMPLES] = {"modbus_write", "dnp3_restart",
					       "tcp_flags"};
struct prog bpf_ex[NB_EXAMPLES];
static int ex_loaded;

/* Load example i from its object; 0 on success. */
static int
example_load(int i)
{
	char path[PATH_MAX], why[CTL_BPFOBJ_WHY_LEN];
	struct ctl_bpfobj_prog op;
	int r;

	if (bpf_obj_path(path, sizeof(path), "examples/bpf", bpf_ex_names[i]) ==
	    NULL)
		return -ENOENT;
	if (ctl_bpfobj_load(path, NULL, &op, why, sizeof(why)) != 0) {
		fprintf(stderr, "\n  %s", why);
		CU_FAIL("example does not load");
		return -EINVAL;
	}
	snprintf(bpf_ex[i].name, sizeof(bpf_ex[i].name), "%s", bpf_ex_names[i]);
	r = bpf_prog_load(&bpf_ex[i], op.insns, op.nb_insns, NULL, why,
			  sizeof(why));
	ctl_bpfobj_prog_free(&op);
	if (r != 0) {
		fprintf(stderr, "\n  %s: %s", bpf_ex_names[i], why);
		CU_FAIL("example does not load");
		return r;
	}
	if (bw_bpf_jit_supported() && bpf_ex[i].code.jit == NULL) {
		CU_FAIL("example not JIT-compiled");
		return -ENOTSUP;
	}
	return 0;
}

int
bpf_examples_load(void)
{
	int i;

	if (ex_loaded)
		return ex_loaded > 0;
	ex_loaded = -1;
	for (i = 0; i < NB_EXAMPLES; i++)
		if (example_load(i) != 0)
			return 0;
	ex_loaded = 1;
	return 1;
}

static void
examples_free(void)
{
	int i;

	for (i = 0; i < NB_EXAMPLES; i++)
		bw_bpf_code_free(&bpf_ex[i].code);
	ex_loaded = 0;
}

/* Returns 0 when every assertion passed, 1 otherwise (CUnit error too). */
int
main(int argc, char **argv)
{
	size_t n = 0;
	int rc;

	if (argc > 1)
		bw_testdata_set(argv[1]);
	if (argc > 2)
		build_dir_arg = argv[2];
	while (bpf_tests[n].fn != NULL)
		n++;
	rc = bw_cunit_run("bpf", bpf_tests, n);
	examples_free();
	return rc;
}
