/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * REFRESH PCI TRANSLATIONS.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_ZPCI_RPCIT_H
#define ZT_ZPCI_RPCIT_H

#include "libc.h"

/* Refresh [iova, iova + len); returns the cc, status byte in *status */
int rpcit(uint32_t fh, uint64_t iova, uint64_t len, uint8_t *status);

#endif
