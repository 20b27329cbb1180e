/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ruleset image validator (include/bw_image.h). Pure C: no DPDK, no
 * allocation, no global state beyond bw_crc32c()'s table, so that the
 * dataplane, bulwarkctl, the unit tests and the fuzzer all run the same code.
 */
#ifndef BW_IMAGE_VIEW_H
#define BW_IMAGE_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "bw_image.h"

/* Enough for every reason bw_image_validate() writes; longer ones are cut. */
#define BW_IMAGE_WHY_LEN 256

/*
 * A validated image: pointers into the caller's buffer, valid for as long as
 * that buffer is. Sections absent from the image have a NULL pointer and a
 * zero count. FULL images set p4/p6 and leave d4/d6 NULL; DELTA images the
 * other way round.
 */
struct bw_image_view {
	const struct bw_image_hdr *hdr;
	const struct bw_image_list *lists; /* sorted by id */
	uint32_t nb_lists;
	const struct bw_image_prefix4 *p4; /* FULL */
	uint32_t nb_p4;
	const struct bw_image_prefix6 *p6; /* FULL */
	uint32_t nb_p6;
	const struct bw_image_prefix4 *d4; /* DELTA */
	uint32_t nb_d4;
	const struct bw_image_prefix6 *d6; /* DELTA */
	uint32_t nb_d6;
	const struct bw_image_bpf *progs; /* FULL: sorted by order */
	uint32_t nb_progs;
	const struct bw_image_insn *insns; /* FULL: all programs' code */
	uint32_t nb_insns;
	const struct bw_image_rule *rules; /* FULL: content rules */
	uint32_t nb_rules;
	const struct bw_image_raddr *raddrs; /* FULL: rules' addresses */
	uint32_t nb_raddrs;
	const struct bw_image_rport *rports; /* FULL: rules' ports */
	uint32_t nb_rports;
	const char *rstrings; /* FULL: rules' strings, ends with a NUL */
	uint32_t rstrings_len;
	const uint8_t *hsdb_block;  /* FULL: serialized block database */
	uint32_t hsdb_block_len;    /* bytes */
	const uint8_t *hsdb_stream; /* FULL: serialized stream database */
	uint32_t hsdb_stream_len;   /* bytes */
	const struct bw_image_hsgroup *hsgroups; /* FULL: scan groups */
	uint32_t nb_hsgroups;
	const struct bw_image_hsport *hsports; /* FULL: their port map */
	uint32_t nb_hsports;
	const uint8_t *hsdb_groups; /* FULL: the groups' databases */
	uint32_t hsdb_groups_len;   /* bytes */
};

/*
 * Validate len bytes at buf as an untrusted ruleset image and, only when
 * every check passed, fill *v with pointers into buf. Nothing outside
 * [buf, buf + len) is read, whatever the image claims; buf must be 8-byte
 * aligned (the caller copies the image into its own memory first, so that a
 * writer cannot change it between validation and use).
 *
 * Checked, in this order (the first failure is reported):
 * - header: len >= sizeof(struct bw_image_hdr); magic; abi_major equal to
 *   BW_IMAGE_ABI_MAJOR (any abi_minor); hdr_size == sizeof(hdr), or bigger
 *   only when abi_minor > BW_IMAGE_ABI_MINOR, 8-aligned and <= len (the
 *   bytes past our header belong to that later minor and are skipped);
 *   size == len; size <= BW_IMAGE_SIZE_MAX (-E2BIG); kind FULL or DELTA;
 *   generation >= 1; parent_gen < generation; reserved0 and reserved[]
 *   zero; comment NUL terminated with zero bytes after the NUL;
 *   nb_sections <= BW_IMAGE_SECTIONS_MAX; section table 8-aligned, after
 *   the header and inside the image;
 * - CRC32C of bytes [hdr_size, size) equal to hdr.crc32c;
 * - each section: known type (an unknown type is refused: a later minor
 *   that adds one is not understood here), no type twice, elem_size the
 *   size of its struct, reserved zero, len == count * elem_size in 64-bit
 *   arithmetic, count within the type's limit (-E2BIG: BW_LIST_MAX,
 *   BW_PREFIX_MAX, BW_BPF_MAX, BW_BPF_MAX * BW_BPF_INSNS_MAX, BW_RULE_MAX,
 *   BW_RULE_ADDRS_MAX, BW_RULE_PORTS_MAX, BW_RULE_STRINGS_MAX, BW_HSDB_MAX
 *   for HSDB_BLOCK and HSDB_STREAM, BW_HSGROUP_MAX, BW_HSPORTS_MAX, and
 *   BW_IMAGE_SIZE_MAX bytes for HSDB_GROUPS), off 8-aligned, [off, off +
 *   len) inside the image after the header, not overlapping the section
 *   table or another non-empty section;
 * - sections allowed by kind: FULL needs LISTS, may have PREFIX4,
 *   PREFIX6, BPF, BPF_INSNS and the content rule sections (absent means
 *   no entries), no DELTA4/DELTA6; DELTA needs LISTS, may have DELTA4 and
 *   DELTA6, no PREFIX4/PREFIX6/BPF/BPF_INSNS and no content rule section
 *   (RULES, RADDRS, RPORTS, RSTRINGS, HSDB_BLOCK, HSDB_STREAM, HSGROUPS,
 *   HSPORTS, HSDB_GROUPS);
 * - lists: ids strictly ascending and < BW_LIST_MAX; names non-empty, NUL
 *   terminated within BW_LIST_NAME_LEN, zero after the NUL, of
 *   [A-Za-z0-9_.-] and unique; known action and match; reserved zero.
 *   FULL: v4_first/nb_v4 ranges follow each other in id order from 0 and
 *   cover the PREFIX4 section exactly (likewise IPv6). DELTA: v4_first and
 *   v6_first zero, nb_v4 and nb_v6 (the resulting list sizes) each summing
 *   to at most BW_PREFIX_MAX (-E2BIG);
 * - programs (FULL only; BPF and BPF_INSNS sections absent means none):
 *   names as list names and unique among programs; order strictly
 *   ascending; nb_insns 1..BW_BPF_INSNS_MAX; insn_first ranges follow
 *   each other in table order from 0 and cover BPF_INSNS exactly;
 *   ctx_size equal to sizeof(struct bw_bpf_ctx) of this build; on_fault
 *   a BW_IMAGE_BPF_ON_FAULT_*; reserved zero. The instructions themselves are checked when they are loaded
 *   (bw_bpf_load.h), not here;
 * - content rules (FULL only; RULES absent means none, and then RADDRS,
 *   RPORTS, RSTRINGS, HSDB_BLOCK, HSDB_STREAM, HSGROUPS, HSPORTS and
 *   HSDB_GROUPS must be absent too): RSTRINGS present and ending with a
 *   NUL; the per-packet layout: HSGROUPS and HSDB_GROUPS both present or
 *   both absent, HSPORTS only with HSGROUPS, HSDB_BLOCK not with HSGROUPS
 *   ("both a block database and scan groups"); then each rule: known
 *   action, protocol, scan scope (stream only for tcp), dsize op with
 *   min <= max (both zero without one), known flags, not both to_server
 *   and to_client, priority 0..255, reserved zero; a content rule needs
 *   HSDB_BLOCK or HSGROUPS, a stream content rule HSDB_STREAM too;
 *   address and port ranges inside their sections, each range's
 *   addresses valid (family 4 or 6, length, host bits, reserved zero) and
 *   sorted unique, its ports lo <= hi, sorted and disjoint; msg and
 *   classtype offsets inside RSTRINGS;
 * - scan groups (FULL, with RULES), each in table order: lane
 *   1..BW_HSLANE_MAX, role BASE/DST/SRC, scope PACKET/STREAM; cls 0 for
 *   role BASE; role DST or SRC only on lane TCP or UDP, with cls
 *   1..BW_HSCLASS_MAX; scope STREAM only on lane TCP; db_off 8-aligned,
 *   db_len > 0 and <= BW_HSDB_MAX (-E2BIG), [db_off, db_off + db_len)
 *   inside HSDB_GROUPS (64-bit sum); nb_rules <= the rules of the image;
 *   reserved0 and reserved zero; a class on one (lane, role) over all its
 *   groups; (lane, role, cls, scope) unique. Group ranges may overlap
 *   and need not cover HSDB_GROUPS;
 * - scan group ports (HSPORTS), each in table order: lane TCP or UDP,
 *   role DST or SRC, lo <= hi, cls 1..BW_HSCLASS_MAX with a group of the
 *   same (lane, role, cls); sorted by (lane, role, lo), and lo above the
 *   previous hi within one (lane, role). The databases (HSDB_BLOCK,
 *   HSDB_STREAM, each group's bytes) are opaque here: Hyperscan checks
 *   them when the dataplane deserializes them;
 * - FULL prefixes: len <= 32 (128), host bits zero, op BW_OP_PRESENT, list
 *   the owning list's id, strictly ascending by (addr, len) within a list,
 *   reserved zero;
 * - DELTA prefixes: op BW_OP_ADD or BW_OP_DEL, list the id of a list of
 *   the LISTS section, len and host bits as above, strictly ascending by
 *   (list, addr, len), reserved zero.
 * Prefix indexes in reasons count from the start of their section.
 *
 * Returns 0, -EINVAL, or -E2BIG when a size or count limit is exceeded.
 * On failure *v is zeroed and why (when why_len > 0) holds a lowercase
 * reason without trailing period, cut to why_len - 1 characters; on success
 * why holds "". Called by the dataplane main lcore and by bulwarkctl;
 * thread-safe.
 */
int bw_image_validate(const void *buf, size_t len, struct bw_image_view *v,
		      char *why, size_t why_len);

/*
 * Returns 1 when name is a valid list name: 1 to BW_LIST_NAME_LEN - 1
 * characters of [A-Za-z0-9_.-], NUL terminated; 0 otherwise.
 */
int bw_image_name_valid(const char *name);

#endif /* BW_IMAGE_VIEW_H */
