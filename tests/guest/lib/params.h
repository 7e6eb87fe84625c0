/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Scenario parameters that the runner places in guest memory.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The runner loads a text block with "-device loader,file=F,addr=0x18000
 * ,force-raw=on".  It starts with the line "ZPCITEST-PARAMS" followed by
 * "key=value" lines (numbers in decimal or 0x hex) and ends with a NUL
 * byte.  Without the block every lookup returns its default.
 */
#ifndef ZT_PARAMS_H
#define ZT_PARAMS_H

#include "libc.h"

#define PARAMS_ADDR 0x18000
#define PARAMS_MAGIC "ZPCITEST-PARAMS\n"
#define PARAMS_MAX 4096

/* True if the runner supplied a parameter block */
bool params_present(void);
/* Number value of key, or def if absent */
uint64_t param_u64(const char *key, uint64_t def);
/* String value of key copied to buf (NUL terminated), or def */
const char *param_str(const char *key, char *buf, size_t size,
                      const char *def);
/*
 * A list: count_key gives its length (at most max), its elements are
 * prefix0, prefix1, ... (~0 if absent); returns the length
 */
unsigned param_list(const char *count_key, const char *prefix,
                    uint32_t *out, unsigned max);

#endif
