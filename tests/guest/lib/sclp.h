/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * SCLP: console output through the ASCII console event, and the
 * (de)configuration of I/O adapters (PCI functions).
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_SCLP_H
#define ZT_SCLP_H

#include "libc.h"

/* Write len bytes to the SCLP console; returns the SCLP response code */
int sclp_write(const char *buf, size_t len);

/*
 * SCLP CONFIGURE (configure true) or DECONFIGURE I/O ADAPTER of the PCI
 * function fid; returns the SCLP response code, 0 if the command was not
 * accepted (condition code not 0)
 */
unsigned sclp_ioa(uint32_t fid, bool configure);

#endif
