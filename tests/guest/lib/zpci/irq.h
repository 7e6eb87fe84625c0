/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * I/O adapter interruptions for zPCI functions.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * A function raises an MSI/MSI-X by writing its vector number to the MSI
 * address of its group; the machine then sets bit (aibvo + vector) in the
 * adapter interruption bit vector, sets the summary bit, and, if the
 * summary bit was clear, makes an adapter I/O interruption pending for the
 * registered ISC.  Bit numbers count from the most significant bit.
 */
#ifndef ZT_ZPCI_IRQ_H
#define ZT_ZPCI_IRQ_H

#include "libc.h"
#include "interrupt.h"

#define IO_INT_WORD_ADAPTER 0x80000000u

/* the vectors are volatile: the machine sets bits asynchronously */
static inline bool test_bit_inv(const volatile void *vec, unsigned nr)
{
    const volatile uint8_t *b = vec;    /* see above */

    return b[nr / 8] & (0x80 >> (nr % 8));
}

/* volatile: the machine sets bits asynchronously */
static inline void clear_bit_inv(volatile void *vec, unsigned nr)
{
    volatile uint8_t *b = vec;          /* set asynchronously */

    b[nr / 8] &= ~(0x80 >> (nr % 8));
}

/* Number of the lowest set bit in nbits bits (MSB first), or -1 */
int find_first_bit_inv(const volatile void *vec,  /* set asynchronously */
                       unsigned nbits);

/* Allow adapter interruptions for isc: CR6 mask bit and PSW I/O mask */
void airq_enable_isc(uint8_t isc);
/* Disable I/O interruptions and clear all ISC mask bits */
void airq_disable(void);
uint32_t io_int_count(void);

/*
 * Wait up to timeout_us for an I/O interruption taken after the count
 * 'since'.  Returns true if one arrived; *rec then holds the record of the
 * last one.  The caller checks that it is an adapter interruption for the
 * right ISC and inspects the summary and vector bits.
 */
bool airq_wait(uint32_t since, uint64_t timeout_us,
               struct io_int_record *rec);
/* True if word is an adapter interruption for isc */
bool io_int_is_adapter(uint32_t word, uint8_t isc);

#endif
