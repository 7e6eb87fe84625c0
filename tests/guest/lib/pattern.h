/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * The data pattern the payloads store, which the host side recomputes.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Byte j of the pattern with number seed.  The e2e suites compute the same
 * bytes (e2elib.pattern()) and compare their digest with the digest the
 * host simulator logs for each store it received, so that the data is
 * checked where it arrives, not read back through the QEMU under test.
 * Neighbouring bytes, bytes 8 apart and bytes one page apart all differ,
 * so a shifted, reordered or byte-swapped block never matches.
 */
#ifndef ZT_PATTERN_H
#define ZT_PATTERN_H

#include "libc.h"

static inline uint8_t zt_pattern(unsigned seed, unsigned j)
{
    return (uint8_t)(0x5a ^ (seed * 0x1f) ^ (j * 7) ^ (j >> 8));
}

static inline void zt_pattern_fill(uint8_t *buf, unsigned seed, unsigned len)
{
    for (unsigned j = 0; j < len; j++) {
        buf[j] = zt_pattern(seed, j);
    }
}

#endif
