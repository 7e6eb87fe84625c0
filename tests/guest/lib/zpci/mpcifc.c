/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * MODIFY and STORE PCI FUNCTION CONTROLS.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "zpci/mpcifc.h"

int mpcifc(uint32_t fh, uint8_t oc, uint8_t dmaas, struct zpci_fib *fib,
           uint8_t *status)
{
    uint64_t req = (uint64_t)fh << 32 | (uint64_t)dmaas << 16 | oc;
    int cc;

    asm volatile(".insn rxy,0xe300000000d0,%[req],%[fib]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [req] "+d" (req)
                 : [fib] "T" (*fib)
                 : "cc", "memory");
    if (status) {
        *status = req >> 24;
    }
    return cc;
}

int stpcifc(uint32_t fh, uint8_t dmaas, struct zpci_fib *fib,
            uint8_t *status)
{
    uint64_t req = (uint64_t)fh << 32 | (uint64_t)dmaas << 16;
    int cc;

    asm volatile(".insn rxy,0xe300000000d4,%[req],%[fib]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [req] "+d" (req), [fib] "=T" (*fib)
                 :
                 : "cc", "memory");
    if (status) {
        *status = req >> 24;
    }
    return cc;
}

int zpci_reg_ioat(uint32_t fh, uint64_t pba, uint64_t pal, uint64_t iota,
                  uint8_t *status)
{
    struct zpci_fib fib;

    memset(&fib, 0, sizeof(fib));
    fib.pba = pba;
    fib.pal = pal;
    fib.iota = iota;
    return mpcifc(fh, ZPCI_MOD_FC_REG_IOAT, 0, &fib, status);
}

int zpci_dereg_ioat(uint32_t fh, uint8_t *status)
{
    struct zpci_fib fib;

    memset(&fib, 0, sizeof(fib));
    return mpcifc(fh, ZPCI_MOD_FC_DEREG_IOAT, 0, &fib, status);
}

int zpci_reg_airq(uint32_t fh, uint8_t isc, uint16_t noi, void *aibv,
                  uint8_t aibvo, void *aisb, uint8_t aisbo, uint8_t *status)
{
    struct zpci_fib fib;

    memset(&fib, 0, sizeof(fib));
    fib.data = FIB_DATA(isc, noi, aibvo, 1, aisbo);
    fib.aibv = (uintptr_t)aibv;
    fib.aisb = (uintptr_t)aisb;
    return mpcifc(fh, ZPCI_MOD_FC_REG_INT, 0, &fib, status);
}

int zpci_dereg_airq(uint32_t fh, uint8_t *status)
{
    struct zpci_fib fib;

    memset(&fib, 0, sizeof(fib));
    return mpcifc(fh, ZPCI_MOD_FC_DEREG_INT, 0, &fib, status);
}
