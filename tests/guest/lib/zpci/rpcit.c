/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * REFRESH PCI TRANSLATIONS.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "zpci/rpcit.h"

int rpcit(uint32_t fh, uint64_t iova, uint64_t len, uint8_t *status)
{
    register uint64_t start asm("2") = iova;
    register uint64_t size asm("3") = len;
    uint64_t req = (uint64_t)fh << 32;
    int cc;

    asm volatile(".insn rre,0xb9d30000,%[req],%[start]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [req] "+d" (req)
                 : [start] "d" (start), "d" (size)
                 : "cc", "memory");
    if (status) {
        *status = req >> 24;
    }
    return cc;
}
