/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for bw_image_validate(). The first input byte is a mode,
 * the rest an image, copied into a heap block of exactly its length (malloc
 * returns 16-aligned memory) so that AddressSanitizer reports any read past
 * the end. Mode bits:
 *   0x01  write the right size into the header first
 *   0x02  write the right CRC32C into the header first (after the size)
 * so that the fuzzer gets past the two checks it cannot guess and reaches
 * the section table, lists and prefixes. An accepted image is walked
 * entry by entry and its view checked against the buffer's bounds.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined
 *   -fno-sanitize-recover=all -Iinclude -Idataplane lib/image.c
 *   tests/fuzz/fuzz_image.c -o fuzz_image
 * Seeds: BW_WRITE_SEEDS=DIR test_image (mode byte 0x03, then an image).
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bw_crc32c.h"
#include "bw_image_view.h"

#define MODE_FIX_SIZE 0x01
#define MODE_FIX_CRC  0x02

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Traps unless [p, p + n * elem) lies in [b, b + len). */
static void
check_range(const uint8_t *b, size_t len, const void *p, uint32_t n,
	    size_t elem)
{
	const uint8_t *q = p;

	if (n == 0)
		return;
	if (q < b || q > b + len || (size_t)n * elem > (size_t)(b + len - q))
		__builtin_trap();
}

/* Every promise of an accepted view; reads every entry (ASan checks). */
static void
check_view(const uint8_t *b, size_t len, const struct bw_image_view *v)
{
	uint64_t sum4 = 0, sum6 = 0, acc = 0;
	uint32_t i;

	if ((const void *)v->hdr != b || v->hdr->size != len)
		__builtin_trap();
	check_range(b, len, v->lists, v->nb_lists, sizeof(*v->lists));
	check_range(b, len, v->p4, v->nb_p4, sizeof(*v->p4));
	check_range(b, len, v->p6, v->nb_p6, sizeof(*v->p6));
	check_range(b, len, v->d4, v->nb_d4, sizeof(*v->d4));
	check_range(b, len, v->d6, v->nb_d6, sizeof(*v->d6));
	if (v->nb_lists > BW_LIST_MAX)
		__builtin_trap();
	for (i = 0; i < v->nb_lists; i++) {
		if (v->lists[i].id >= BW_LIST_MAX ||
		    strnlen(v->lists[i].name, BW_LIST_NAME_LEN) == 0 ||
		    strnlen(v->lists[i].name, BW_LIST_NAME_LEN) ==
			    BW_LIST_NAME_LEN)
			__builtin_trap();
		if (v->hdr->kind == BW_IMAGE_FULL &&
		    (v->lists[i].v4_first != sum4 ||
		     v->lists[i].v6_first != sum6))
			__builtin_trap();
		sum4 += v->lists[i].nb_v4;
		sum6 += v->lists[i].nb_v6;
	}
	if (v->hdr->kind == BW_IMAGE_FULL) {
		if (sum4 != v->nb_p4 || sum6 != v->nb_p6 || v->nb_d4 != 0 ||
		    v->nb_d6 != 0)
			__builtin_trap();
	} else if (v->hdr->kind != BW_IMAGE_DELTA || v->nb_p4 != 0 ||
		   v->nb_p6 != 0) {
		__builtin_trap();
	}
	for (i = 0; i < v->nb_p4; i++)
		acc += v->p4[i].addr + v->p4[i].len;
	for (i = 0; i < v->nb_p6; i++)
		acc += v->p6[i].addr[15] + v->p6[i].len;
	for (i = 0; i < v->nb_d4; i++)
		acc += v->d4[i].addr + v->d4[i].op;
	for (i = 0; i < v->nb_d6; i++)
		acc += v->d6[i].addr[15] + v->d6[i].op;
	/* keep the reads */
	__asm__ volatile("" : : "r"(acc));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[BW_IMAGE_WHY_LEN];
	struct bw_image_hdr *h;
	struct bw_image_view v;
	uint8_t mode, *b;
	size_t len;
	int r;

	if (size == 0)
		return 0;
	mode = data[0];
	len = size - 1;
	b = malloc(len > 0 ? len : 1);
	if (b == NULL)
		return 0;
	memcpy(b, data + 1, len);
	if (len >= sizeof(*h)) {
		h = (struct bw_image_hdr *)b;
		if (mode & MODE_FIX_SIZE)
			h->size = len;
		if ((mode & MODE_FIX_CRC) && h->hdr_size <= len)
			h->crc32c = bw_crc32c(0, b + h->hdr_size,
					      len - h->hdr_size);
	}
	r = bw_image_validate(b, len, &v, why, sizeof(why));
	if (r == 0) {
		if (why[0] != '\0')
			__builtin_trap();
		check_view(b, len, &v);
	} else if ((r != -EINVAL && r != -E2BIG) || why[0] == '\0' ||
		   memchr(why, '\0', sizeof(why)) == NULL || v.hdr != NULL) {
		__builtin_trap();
	}
	free(b);
	return 0;
}
