/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * eBPF object files for bulwarkctl: open an ELF object with libbpf (no
 * kernel involved: nothing is loaded, no map is created), pick one
 * program, take its instructions, and verify them with rte_bpf exactly as
 * the dataplane will load them (bw_bpf_load.h), so that the operator sees
 * the verifier's reason before anything is committed.
 */
#ifndef CTL_BPFOBJ_H
#define CTL_BPFOBJ_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"

/* Enough for every reason written here; longer ones are cut. */
#define CTL_BPFOBJ_WHY_LEN 768

/* One program read from an object. */
struct ctl_bpfobj_prog {
	char section[64];	     /* ELF section it came from */
	char func[64];		     /* its function name */
	uint32_t nb_insns;	     /* instructions */
	struct bw_image_insn *insns; /* malloc'd */
};

/*
 * Read the program of ELF section sec (NULL: the object's only program)
 * from the object file at path into *p. Refused: a file libbpf cannot
 * open as an eBPF object; an object with maps, or with global or static
 * data (libbpf turns .data, .rodata and .bss into maps); a section that
 * is not there (the reason lists the sections that are), or that holds
 * more than one program; no sec while the object holds several programs.
 * Returns 0 (free p with ctl_bpfobj_prog_free()) or a negative errno
 * with a one-line reason in why that starts with path ("x.o: maps are
 * not supported: counters"). CLI thread (libbpf's print callback is
 * process-wide).
 */
int ctl_bpfobj_read(const char *path, const char *sec,
		    struct ctl_bpfobj_prog *p, char *why, size_t why_len);

/*
 * Verify nb instructions with rte_bpf (stub helpers, native code
 * required where rte_bpf has a JIT) and free what that loaded. Returns 0
 * or a negative errno with the verifier's reason in why (without prefix).
 * CLI thread.
 */
int ctl_bpfobj_verify(const struct bw_image_insn *insns, uint32_t nb, char *why,
		      size_t why_len);

/*
 * ctl_bpfobj_read() then ctl_bpfobj_verify(); a rejection reads
 * "PATH: section SEC: verifier: REASON". Returns as ctl_bpfobj_read().
 */
int ctl_bpfobj_load(const char *path, const char *sec,
		    struct ctl_bpfobj_prog *p, char *why, size_t why_len);

/* Free what ctl_bpfobj_read() allocated; p is zeroed. */
void ctl_bpfobj_prog_free(struct ctl_bpfobj_prog *p);

#endif /* CTL_BPFOBJ_H */
