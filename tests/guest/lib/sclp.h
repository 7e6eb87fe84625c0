/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Console output through the SCLP ASCII console event.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_SCLP_H
#define ZT_SCLP_H

#include "libc.h"

/* Write len bytes to the SCLP console; returns the SCLP response code */
int sclp_write(const char *buf, size_t len);

#endif
