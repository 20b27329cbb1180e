/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bw-decodebench: the decoder alone on one plain frame (Ethernet, IPv4,
 * UDP, 60 bytes), the figure behind docs/architecture.md's "a plain frame
 * costs about N ns more to decode". Decodes ROUNDS x 10M times, the
 * destination address's last byte changing every call, and prints the best
 * round in ns per decode. Only dp_decode() is used, so the same file builds
 * against an older tree's decoder for a comparison in one run:
 *   cc -O2 -I OLD/dataplane -I OLD/include tests/tools/decodebench.c \
 *      OLD/build/dataplane/libdp_decode.a -o /tmp/decodebench-old
 * usage: bw-decodebench [ROUNDS]   (default 7; pin it: taskset -c 1)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dp_decode.h"

#define CALLS 10000000L

static const uint8_t frame[60] = {
	0x02, 0,    0,	  0,	0,  0x02, 0x02, 0, 0,  0,  0, 0x01,
	0x08, 0x00,						 /* eth */
	0x45, 0,    0,	  46,	0,  1,	  0x40, 0, 64, 17, 0, 0, /* IPv4, UDP */
	10,   0,    0,	  1,	10, 0,	  0,	2,		 /* addresses */
	0x13, 0x88, 0x00, 0x35, 0,  26,	  0,	0, /* UDP 5000 -> 53 */
};

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7, r;
	double best = 0;
	uint8_t f[sizeof(frame)];
	struct dp_pkt p;
	long sink = 0, i;

	if (rounds < 1) {
		fprintf(stderr, "usage: bw-decodebench [ROUNDS]\n");
		return 2;
	}
	for (i = 0; i < (long)sizeof(f); i++)
		f[i] = frame[i];
	for (r = 0; r < rounds; r++) {
		double t0 = now_ns(), t;

		for (i = 0; i < CALLS; i++) {
			f[33] = (uint8_t)i;
			sink += dp_decode(f, sizeof(f), sizeof(f), 0, &p);
			sink += p.dport;
		}
		t = (now_ns() - t0) / CALLS;
		if (r == 0 || t < best)
			best = t;
	}
	printf("%.2f ns per decode, best of %d rounds of %ld (%ld)\n", best,
	       rounds, CALLS, sink);
	return 0;
}
