/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32C (Castagnoli): the one implementation that ruleset images
 * (include/bw_image.h) and program fingerprints are checked with.
 */
#ifndef BW_CRC32C_H
#define BW_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC32C (reflected polynomial 0x82f63b78) of len bytes at buf, continuing
 * from crc (start with 0). Thread-safe: the lookup table is built once,
 * under pthread_once(), by whichever thread calls first.
 */
uint32_t bw_crc32c(uint32_t crc, const void *buf, size_t len);

#endif /* BW_CRC32C_H */
