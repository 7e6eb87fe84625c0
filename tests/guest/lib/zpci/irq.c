/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * I/O adapter interruptions for zPCI functions.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "zpci/irq.h"
#include "timer.h"

/* CR6 bits 32-39 enable ISC 0-7 */
#define CR6_ISC_MASK(isc)   (0x80000000ull >> (isc))
#define CR6_ALL_ISCS        0xff000000ull

int find_first_bit_inv(const volatile void *vec,  /* set asynchronously */
                       unsigned nbits)
{
    for (unsigned i = 0; i < nbits; i++) {
        if (test_bit_inv(vec, i)) {
            return i;
        }
    }
    return -1;
}

void airq_enable_isc(uint8_t isc)
{
    lctlg(6, stctg(6) | CR6_ISC_MASK(isc));
    psw_enable_io();
}

void airq_disable(void)
{
    psw_disable_io();
    lctlg(6, stctg(6) & ~CR6_ALL_ISCS);
}

uint32_t io_int_count(void)
{
    struct io_int_record rec;

    io_int_snapshot(&rec);
    return rec.count;
}

bool airq_wait(uint32_t since, uint64_t timeout_us,
               struct io_int_record *rec)
{
    uint64_t end = time_us() + timeout_us;

    do {
        io_int_snapshot(rec);
        if (rec->count != since) {
            return true;
        }
    } while (time_us() < end);
    return false;
}

bool io_int_is_adapter(uint32_t word, uint8_t isc)
{
    return (word & IO_INT_WORD_ADAPTER) && ((word >> 27) & 7) == isc;
}
