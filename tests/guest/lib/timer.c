/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * TOD-clock based time keeping for bounded waits.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "timer.h"

uint64_t get_tod(void)
{
    uint64_t tod;

    asm volatile("stck %0" : "=Q" (tod) : : "cc");
    return tod;
}

uint64_t tod_to_us(uint64_t tod)
{
    /* bit 51 of the TOD clock is one microsecond */
    return tod >> 12;
}

uint64_t time_us(void)
{
    return tod_to_us(get_tod());
}

void udelay(uint64_t us)
{
    uint64_t end = time_us() + us;

    while (time_us() < end) {
        barrier();
    }
}
