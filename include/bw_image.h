/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ruleset image: one self-contained, versioned, checksummed blob that
 * bulwarkctl writes (into its own POSIX shm object, and into the state
 * directory) and that the dataplane copies, validates as untrusted input and
 * only then builds tables from. libc types only; host byte order (both
 * processes run on the same host); offsets, never pointers.
 *
 * Layout:
 *   struct bw_image_hdr                       at 0
 *   struct bw_image_section[nb_sections]      at hdr.section_off
 *   section bodies                            at section.off, 8-aligned
 * The CRC32C (Castagnoli) covers bytes [hdr_size, size): everything after
 * the header. Sections may come in any order but must not overlap.
 *
 * A FULL image describes the whole ruleset. A DELTA image lists prefix
 * additions and removals against parent_gen, which must be the generation
 * in force, and carries the list table of the resulting ruleset; the eBPF
 * programs and the content rules in force stay (a DELTA image has none).
 */
#ifndef BW_IMAGE_H
#define BW_IMAGE_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#define BW_IMAGE_MAGIC	   0x31474d4957425742ULL /* "BWBWIMG1" little endian */
#define BW_IMAGE_ABI_MAJOR 1
/* 3: bw_image_hsgroup.flags; 4: bw_image_rule.data_min/data_max with
 * BW_RULE_F_DATAAT (absolute isdataat), and bw_image_bpf.on_fault; 5:
 * BW_HSGROUP_F_STREAM. An image of an older minor has zero there and no
 * such flag: read with the condition absent, faults dropping (on_fault
 * 0) and the stream rules' block groups scanned apart. */
#define BW_IMAGE_ABI_MINOR 5

#define BW_IMAGE_SIZE_MAX     (1ull << 30) /* bytes; larger images refused */
#define BW_IMAGE_SECTIONS_MAX 64
/*
 * Lists in one ruleset; ids 0..BW_LIST_MAX-1. 127 lets the dataplane encode
 * the deciding source-side and destination-side lists of a prefix, each as
 * id + 1 in 7 bits, in one 15-bit FIB next hop.
 */
#define BW_LIST_MAX	    127
#define BW_LIST_NAME_LEN    32		 /* NUL included; [A-Za-z0-9_.-] */
#define BW_PREFIX_MAX	    (1u << 24)	 /* prefixes per family in one image */
#define BW_COMMENT_LEN	    128		 /* change summary, NUL included */
#define BW_BPF_MAX	    16		 /* eBPF programs in one ruleset */
#define BW_BPF_NAME_LEN	    32		 /* NUL included; [A-Za-z0-9_.-] */
#define BW_BPF_INSNS_MAX    4096	 /* instructions of one program */
#define BW_RULE_MAX	    32768	 /* content rules in one image */
#define BW_RULE_ADDRS_MAX   (1u << 22)	 /* address table entries */
#define BW_RULE_PORTS_MAX   (1u << 22)	 /* port table entries */
#define BW_RULE_STRINGS_MAX (64u << 20)	 /* bytes of the string table */
#define BW_HSDB_MAX	    (256u << 20) /* bytes of one serialized database */
#define BW_HSGROUP_MAX	    4096	 /* scan groups in one image */
#define BW_HSCLASS_MAX	    2047	 /* port classes (ids 1..max) */
#define BW_HSPORTS_MAX	    (1u << 20)	 /* port map ranges */

/* bw_image_hdr.kind */
#define BW_IMAGE_FULL  1
#define BW_IMAGE_DELTA 2

/* bw_image_section.type */
#define BW_SEC_LISTS	   1  /* struct bw_image_list[count] */
#define BW_SEC_PREFIX4	   2  /* struct bw_image_prefix4[count] (FULL) */
#define BW_SEC_PREFIX6	   3  /* struct bw_image_prefix6[count] (FULL) */
#define BW_SEC_DELTA4	   4  /* struct bw_image_prefix4[count] (DELTA) */
#define BW_SEC_DELTA6	   5  /* struct bw_image_prefix6[count] (DELTA) */
#define BW_SEC_BPF	   6  /* struct bw_image_bpf[count] (FULL) */
#define BW_SEC_BPF_INSNS   7  /* struct bw_image_insn[count] (FULL) */
#define BW_SEC_RULES	   8  /* struct bw_image_rule[count] (FULL) */
#define BW_SEC_RADDRS	   9  /* struct bw_image_raddr[count] (FULL) */
#define BW_SEC_RPORTS	   10 /* struct bw_image_rport[count] (FULL) */
#define BW_SEC_RSTRINGS	   11 /* char[count]: NUL-terminated strings (FULL) */
#define BW_SEC_HSDB_BLOCK  12 /* uint8_t[count]: serialized block db (FULL) */
#define BW_SEC_HSDB_STREAM 13 /* uint8_t[count]: serialized stream db (FULL) */
#define BW_SEC_HSGROUPS	   14 /* struct bw_image_hsgroup[count] (FULL) */
#define BW_SEC_HSPORTS	   15 /* struct bw_image_hsport[count] (FULL) */
#define BW_SEC_HSDB_GROUPS 16 /* uint8_t[count]: group databases (FULL) */

/* bw_image_list.action */
#define BW_ACTION_DROP	1 /* block list */
#define BW_ACTION_ALLOW 2 /* allow list: wins over every block list */

/* bw_image_list.match: which address of a packet is looked up */
#define BW_MATCH_SRC 1
#define BW_MATCH_DST 2
#define BW_MATCH_ANY 3 /* source or destination */

/* bw_image_prefix4.op and bw_image_prefix6.op */
#define BW_OP_PRESENT 0 /* FULL images: the prefix is in the list */
#define BW_OP_ADD     1 /* DELTA images */
#define BW_OP_DEL     2 /* DELTA images */

struct bw_image_hdr {
	uint64_t magic;		      /* BW_IMAGE_MAGIC */
	uint16_t abi_major;	      /* BW_IMAGE_ABI_MAJOR */
	uint16_t abi_minor;	      /* BW_IMAGE_ABI_MINOR */
	uint32_t hdr_size;	      /* bytes: sizeof(struct bw_image_hdr) */
	uint64_t size;		      /* bytes: the whole image */
	uint32_t crc32c;	      /* CRC32C of bytes [hdr_size, size) */
	uint32_t kind;		      /* BW_IMAGE_FULL or BW_IMAGE_DELTA */
	uint64_t generation;	      /* this ruleset's generation, >= 1 */
	uint64_t parent_gen;	      /* generation it was made against */
	uint64_t created_ns;	      /* CLOCK_REALTIME ns of creation */
	uint32_t creator_uid;	      /* uid of the operator who made it */
	uint32_t nb_sections;	      /* entries of the section table */
	uint32_t section_off;	      /* bytes from image start, 8-aligned */
	uint32_t reserved0;	      /* zero */
	char comment[BW_COMMENT_LEN]; /* what changed, NUL terminated */
	uint8_t reserved[56];	      /* zero */
};

_Static_assert(sizeof(struct bw_image_hdr) == 256, "image header size");
_Static_assert(offsetof(struct bw_image_hdr, crc32c) == 24, "crc offset");
_Static_assert(offsetof(struct bw_image_hdr, comment) == 72, "comment offset");

struct bw_image_section {
	uint32_t type;	    /* BW_SEC_* */
	uint32_t elem_size; /* bytes per element */
	uint64_t off;	    /* bytes from image start, 8-aligned */
	uint64_t len;	    /* bytes: count * elem_size */
	uint32_t count;	    /* elements */
	uint32_t reserved;  /* zero */
};

_Static_assert(sizeof(struct bw_image_section) == 32, "section size");

/*
 * One list. Lists are sorted by id, ids unique and < BW_LIST_MAX; an id is
 * also the list's counter slot in the status region, so bulwarkctl keeps a
 * list's id for as long as the list exists. In a FULL image the list's
 * prefixes are entries [v4_first, v4_first + nb_v4) of BW_SEC_PREFIX4 (and
 * likewise for IPv6); lists' ranges follow each other in id order.
 */
struct bw_image_list {
	char name[BW_LIST_NAME_LEN]; /* NUL terminated, unique */
	uint32_t id;		     /* < BW_LIST_MAX */
	uint16_t action;	     /* BW_ACTION_* */
	uint16_t match;		     /* BW_MATCH_* */
	uint32_t v4_first;	     /* FULL: first IPv4 entry */
	uint32_t nb_v4;		     /* IPv4 prefixes in the list */
	uint32_t v6_first;	     /* FULL: first IPv6 entry */
	uint32_t nb_v6;		     /* IPv6 prefixes in the list */
	uint64_t reserved;	     /* zero */
};

_Static_assert(sizeof(struct bw_image_list) == 64, "list entry size");

/*
 * An IPv4 prefix. Within a list (FULL) entries are sorted by (addr, len)
 * and unique; host bits are zero. In a DELTA section entries are sorted
 * by (list, addr, len), unique.
 */
struct bw_image_prefix4 {
	uint32_t addr; /* host byte order, host bits zero */
	uint8_t len;   /* 0..32 */
	uint8_t op;    /* BW_OP_* */
	uint16_t list; /* list id */
};

_Static_assert(sizeof(struct bw_image_prefix4) == 8, "prefix4 size");

struct bw_image_prefix6 {
	uint8_t addr[16];  /* network byte order, host bits zero */
	uint8_t len;	   /* 0..128 */
	uint8_t op;	   /* BW_OP_* */
	uint16_t list;	   /* list id */
	uint32_t reserved; /* zero */
};

_Static_assert(sizeof(struct bw_image_prefix6) == 24, "prefix6 size");

/*
 * One eBPF program (include/bw_bpf.h). Entries are sorted by order,
 * strictly ascending: the order programs run in. A program's instructions
 * are entries [insn_first, insn_first + nb_insns) of BW_SEC_BPF_INSNS;
 * programs' ranges follow each other in table order from 0 and cover that
 * section exactly.
 */
struct bw_image_bpf {
	char name[BW_BPF_NAME_LEN]; /* NUL terminated, unique */
	uint32_t order;		    /* run order, strictly ascending */
	uint32_t nb_insns;	    /* 1..BW_BPF_INSNS_MAX */
	uint32_t insn_first;	    /* first entry of BW_SEC_BPF_INSNS */
	uint32_t ctx_size;	    /* bytes: sizeof(struct bw_bpf_ctx) it was
				       verified against */
	uint8_t on_fault;	    /* BW_IMAGE_BPF_ON_FAULT_*: what a fault
				       does to the packet */
	uint8_t reserved[15];	    /* zero */
};

/*
 * bw_image_bpf.on_fault: what happens to a packet on which the program
 * faults (a division by zero, bw_bpf_load.h). 0, what images written
 * before the field read as, is the default: fail closed.
 */
#define BW_IMAGE_BPF_ON_FAULT_DROP     0 /* dropped, reason "bpf-fault" */
#define BW_IMAGE_BPF_ON_FAULT_CONTINUE 1 /* as if it returned CONTINUE */

_Static_assert(sizeof(struct bw_image_bpf) == 64, "bpf entry size");

/*
 * One eBPF instruction as clang emits it (struct bpf_insn of the kernel,
 * struct ebpf_insn of DPDK): regs holds dst_reg in its low nibble and
 * src_reg in its high nibble.
 */
struct bw_image_insn {
	uint8_t code; /* opcode */
	uint8_t regs; /* dst_reg | src_reg << 4 */
	int16_t off;  /* signed offset */
	int32_t imm;  /* signed immediate */
};

_Static_assert(sizeof(struct bw_image_insn) == 8, "insn size");

/* bw_image_rule.action: pass wins over drop, drop over alert */
#define BW_RULE_ALERT 1 /* count the hit, forward */
#define BW_RULE_DROP  2 /* count the hit, drop */
#define BW_RULE_PASS  3 /* forward, no further content rule applies */

/* bw_image_rule.proto */
#define BW_RULE_PROTO_IP   1 /* any IP packet: the IP payload */
#define BW_RULE_PROTO_TCP  2
#define BW_RULE_PROTO_UDP  3
#define BW_RULE_PROTO_ICMP 4 /* ICMP and ICMPv6 */

/* bw_image_rule.scan: where the rule's expression is scanned */
#define BW_RULE_SCAN_PACKET 1 /* each packet's payload on its own */
#define BW_RULE_SCAN_STREAM 2 /* the TCP byte stream of a flow direction */

/* bw_image_rule.dsize_op */
#define BW_DSIZE_NONE 0 /* no dsize condition */
#define BW_DSIZE_IN   1 /* payload bytes in [dsize_min, dsize_max] */
#define BW_DSIZE_OUT  2 /* payload bytes outside [dsize_min, dsize_max] */

/* bw_image_rule.flags */
#define BW_RULE_F_BIDIR	      0x0001 /* <>: either direction matches */
#define BW_RULE_F_ESTABLISHED 0x0002 /* flow:established */
#define BW_RULE_F_TO_SERVER   0x0004 /* flow:to_server */
#define BW_RULE_F_TO_CLIENT   0x0008 /* flow:to_client */
#define BW_RULE_F_PACKET      0x0010 /* packet-only (tcp-pkt, dsize) */
#define BW_RULE_F_STREAM      0x0020 /* stream-only (only_stream) */
#define BW_RULE_F_PATTERN     0x0040 /* from a Hyperscan pattern file */
#define BW_RULE_F_CONTENT                                                      \
	0x0080			   /* has a Hyperscan expression, id =
					 the rule's index */
#define BW_RULE_F_SRC_NOT   0x0100 /* source address set negated */
#define BW_RULE_F_DST_NOT   0x0200 /* destination address set negated */
#define BW_RULE_F_SPORT_NOT 0x0400 /* source port set negated */
#define BW_RULE_F_DPORT_NOT 0x0800 /* destination port set negated */
#define BW_RULE_F_DATAAT    0x1000 /* data_min/data_max hold (minor 4) */
#define BW_RULE_F_ALL	    0x1fff /* every defined flag */

/*
 * One content rule (docs/rules.md). A rule's index in BW_SEC_RULES is its
 * Hyperscan expression id in both databases and its counter slot in the
 * status region. Address and port conditions are entries [first, first +
 * nb) of BW_SEC_RADDRS / BW_SEC_RPORTS; rules may share entries. A packet
 * address matches when it lies in one of the prefixes, or in none when
 * the NOT flag is set: "any" is nb 0 with the NOT flag. Ports likewise.
 * msg_off and classtype_off index NUL-terminated strings in
 * BW_SEC_RSTRINGS. A rule with BW_RULE_F_CONTENT matches only where a
 * database reports its id: the scan groups (or the single block database)
 * per packet, the stream database (rules with scan BW_RULE_SCAN_STREAM)
 * on the TCP byte stream. With BW_RULE_F_DATAAT (absolute isdataat, on
 * packet-scoped rules only) the payload has data_min..data_max bytes,
 * inclusive: isdataat:N gives data_min N + 1, isdataat:!N data_max N;
 * without the flag both are zero.
 */
struct bw_image_rule {
	uint32_t sid;		/* signature id (pattern files: the ID) */
	uint32_t rev;		/* revision, 0 when absent */
	uint8_t action;		/* BW_RULE_ALERT/DROP/PASS */
	uint8_t proto;		/* BW_RULE_PROTO_* */
	uint8_t scan;		/* BW_RULE_SCAN_* */
	uint8_t dsize_op;	/* BW_DSIZE_* */
	uint32_t flags;		/* BW_RULE_F_* */
	uint32_t dsize_min;	/* bytes */
	uint32_t dsize_max;	/* bytes, >= dsize_min */
	uint32_t src_first;	/* first BW_SEC_RADDRS entry */
	uint32_t nb_src;	/* entries */
	uint32_t dst_first;	/* first BW_SEC_RADDRS entry */
	uint32_t nb_dst;	/* entries */
	uint32_t sport_first;	/* first BW_SEC_RPORTS entry */
	uint32_t nb_sport;	/* entries */
	uint32_t dport_first;	/* first BW_SEC_RPORTS entry */
	uint32_t nb_dport;	/* entries */
	uint32_t msg_off;	/* bytes into BW_SEC_RSTRINGS */
	uint32_t classtype_off; /* bytes into BW_SEC_RSTRINGS */
	int32_t priority;	/* 1..255, 0 when absent */
	uint16_t data_min;	/* BW_RULE_F_DATAAT: payload bytes, at least */
	uint16_t data_max;	/* ... and at most, >= data_min */
};

_Static_assert(sizeof(struct bw_image_rule) == 72, "rule entry size");
_Static_assert(offsetof(struct bw_image_rule, src_first) == 24,
	       "rule src_first offset");

/*
 * One address prefix of a rule. Within one rule's range entries are
 * sorted by (family, addr, len) and unique; host bits zero.
 */
struct bw_image_raddr {
	uint8_t addr[16];   /* network byte order; IPv4 in addr[0..3], rest 0 */
	uint8_t family;	    /* 4 or 6 */
	uint8_t len;	    /* 0..32 or 0..128 */
	uint16_t reserved0; /* zero */
	uint32_t reserved;  /* zero */
};

_Static_assert(sizeof(struct bw_image_raddr) == 24, "raddr size");

/* <0, 0, >0 as a sorts before, with, after b: (family, addr, len). */
static inline int
bw_raddr_cmp(const struct bw_image_raddr *a, const struct bw_image_raddr *b)
{
	size_t i;

	if (a->family != b->family)
		return (int)a->family - (int)b->family;
	for (i = 0; i < sizeof(a->addr); i++)
		if (a->addr[i] != b->addr[i])
			return (int)a->addr[i] - (int)b->addr[i];
	return (int)a->len - (int)b->len;
}

/*
 * One port range of a rule, inclusive, host byte order. Within one rule's
 * range entries are sorted and disjoint (lo > the previous hi).
 */
struct bw_image_rport {
	uint16_t lo; /* first port */
	uint16_t hi; /* last port, >= lo */
};

_Static_assert(sizeof(struct bw_image_rport) == 4, "rport size");

/*
 * Scan groups (docs/rules.md, "Scan groups"): the per-packet scan is cut
 * by what a packet's header allows, so that a packet is scanned only with
 * the rules that could apply to it. Lanes by protocol:
 *   TCP    TCP packets with a decoded header: tcp and ip rules
 *   UDP    UDP likewise: udp and ip rules
 *   ICMP   ICMP and ICMPv6: icmp rules, ip rules whose ports are "any"
 *   OTHER  every other IP packet (other protocols, later fragments): ip
 *          rules whose ports are "any"
 * Within the TCP and UDP lanes a rule whose narrower port condition (dport
 * or sport, "any" counting as all 65,536 ports) holds for at most 32,768
 * ports is keyed on that condition's ports: by the destination port (role
 * DST) or the source port (role SRC) of a packet; a bidirectional (<>)
 * rule in both roles. Every other rule of the lane is in the lane's BASE.
 * Ports with the same keyed rules form one class (ids 1..BW_HSCLASS_MAX,
 * unique over the image). A packet is scanned with the BASE group of its
 * lane, the group of the class of its destination port (role DST) and
 * the group of the class of its source port (role SRC), each where it
 * exists; but not with the BASE group of a scope where one of its class
 * groups carries BW_HSGROUP_F_BASE (it holds the BASE rules too, so one
 * hs_scan call does the work of two). Scope: PACKET groups hold the rules
 * scanned per packet; the
 * STREAM groups (TCP lane only) hold the stream rules. A TCP segment is
 * scanned per packet with both scopes (Suricata's pkt_stream): a TCP
 * PACKET group marked BW_HSGROUP_F_STREAM holds its key's stream rules
 * too, and that key's STREAM block group (if any) is then not scanned.
 * A rule may sit in several groups; its header
 * conditions are checked on each hit, so a group can only narrow what is
 * scanned, never widen what matches.
 *
 * The STREAM groups come in stream mode (BW_HSMODE_STREAM), and in block
 * mode only where no F_STREAM group stands for them (images of ABI minor
 * 4 and before have them all): the bytes a flow direction feeds in
 * order go to a stream of its lane's BASE stream group and to one of
 * each of its ports' class stream groups, so a segment meets only the
 * stream rules its ports allow too.
 *
 * An image with content rules carries either HSGROUPS + HSPORTS +
 * HSDB_GROUPS (and no HSDB_STREAM: the stream groups replace it), or one
 * HSDB_BLOCK holding every content rule for every packet and one
 * HSDB_STREAM of every stream rule (`bulwarkctl rules load
 * --single-db`).
 */
#define BW_HSLANE_TCP	1
#define BW_HSLANE_UDP	2
#define BW_HSLANE_ICMP	3
#define BW_HSLANE_OTHER 4
#define BW_HSLANE_MAX	4

/*
 * The lane of a packet: l4 its IP protocol number, -1 when its L4 header
 * was not decoded (a later fragment).
 */
static inline uint8_t
bw_hslane(int l4)
{
	switch (l4) {
	case 6:
		return BW_HSLANE_TCP;
	case 17:
		return BW_HSLANE_UDP;
	case 1:
	case 58:
		return BW_HSLANE_ICMP;
	default:
		return BW_HSLANE_OTHER;
	}
}

#define BW_HSROLE_BASE 0
#define BW_HSROLE_DST  1
#define BW_HSROLE_SRC  2

#define BW_HSSCOPE_PACKET 0
#define BW_HSSCOPE_STREAM 1

#define BW_HSMODE_BLOCK	 0 /* per packet (hs_scan) */
#define BW_HSMODE_STREAM 1 /* on a flow direction's bytes (hs_scan_stream) */

/*
 * bw_image_hsgroup.flags. F_BASE: a class group in block mode whose
 * database also holds every rule of its lane's BASE group of the same
 * scope; a packet scanned with it is not scanned with that BASE group.
 * F_STREAM: a TCP-lane group of the PACKET scope in block mode whose
 * database also holds the stream rules of its (lane, role, class) (a
 * TCP segment is scanned with both, Suricata's pkt_stream): a packet
 * scanned with it is not scanned with that key's STREAM block group. A
 * class group with F_STREAM and F_BASE holds its BASE group's PACKET
 * rules, not the BASE stream rules (they stay in the BASE STREAM block
 * group, scanned for such a packet).
 */
#define BW_HSGROUP_F_BASE   0x0001u
#define BW_HSGROUP_F_STREAM 0x0002u
#define BW_HSGROUP_F_ALL    (BW_HSGROUP_F_BASE | BW_HSGROUP_F_STREAM)

/*
 * One scan group: a serialized database, bytes [db_off, db_off + db_len)
 * of BW_SEC_HSDB_GROUPS. (lane, role, cls, scope, mode) is unique; cls
 * is 0 for role BASE, else 1..BW_HSCLASS_MAX and the class belongs to
 * one (lane, role) only.
 */
struct bw_image_hsgroup {
	uint32_t db_off;   /* bytes into BW_SEC_HSDB_GROUPS, 8-aligned */
	uint32_t db_len;   /* bytes, > 0 */
	uint32_t nb_rules; /* rules in the database (for the operator) */
	uint16_t cls;	   /* port class, 0 for BASE */
	uint8_t lane;	   /* BW_HSLANE_* */
	uint8_t role;	   /* BW_HSROLE_* */
	uint8_t scope;	   /* BW_HSSCOPE_* */
	uint8_t mode;	   /* BW_HSMODE_*: STREAM only in scope STREAM */
	uint16_t flags;	   /* BW_HSGROUP_F_* */
};

_Static_assert(sizeof(struct bw_image_hsgroup) == 20, "hsgroup size");

/*
 * Ports [lo, hi] of (lane, role) are in class cls. Sorted by (lane, role,
 * lo), disjoint; a port in no range has no class (no keyed rule).
 */
struct bw_image_hsport {
	uint16_t lo;  /* first port */
	uint16_t hi;  /* last port, >= lo */
	uint16_t cls; /* 1..BW_HSCLASS_MAX, a class with a group */
	uint8_t lane; /* BW_HSLANE_TCP or BW_HSLANE_UDP */
	uint8_t role; /* BW_HSROLE_DST or BW_HSROLE_SRC */
};

_Static_assert(sizeof(struct bw_image_hsport) == 8, "hsport size");

#endif /* BW_IMAGE_H */
