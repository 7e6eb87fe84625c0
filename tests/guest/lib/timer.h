/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * TOD-clock based time keeping for bounded waits.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_TIMER_H
#define ZT_TIMER_H

#include "libc.h"

uint64_t get_tod(void);
uint64_t tod_to_us(uint64_t tod);
uint64_t time_us(void);
void udelay(uint64_t us);

#endif
