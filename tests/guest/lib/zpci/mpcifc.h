/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * MODIFY and STORE PCI FUNCTION CONTROLS.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The wrappers return the condition code and store the status byte
 * (bits 32-39 of the request register) in *status.
 */
#ifndef ZT_ZPCI_MPCIFC_H
#define ZT_ZPCI_MPCIFC_H

#include "libc.h"

#define ZPCI_MOD_FC_REG_INT     2
#define ZPCI_MOD_FC_DEREG_INT   3
#define ZPCI_MOD_FC_REG_IOAT    4
#define ZPCI_MOD_FC_DEREG_IOAT  5
#define ZPCI_MOD_FC_RESET_ERROR 7

/* status of MPCIFC with cc 1: the function is not in the required state */
#define ZPCI_MOD_ST_SEQUENCE    24

#define ZPCI_IOTA_RTTO_FLAG     0x804ull  /* translation on, region table */

/* Function Information Block (80 bytes, doubleword aligned) */
struct zpci_fib {
    uint8_t fmt;
    uint8_t reserved1[7];
    uint8_t fc;
    uint8_t reserved2;
    uint16_t reserved3;
    uint32_t reserved4;
    uint64_t pba;
    uint64_t pal;
    uint64_t iota;
    uint32_t data;              /* isc:3 . noi:12 . aibvo:6 sum:1 aisbo:6 */
    uint32_t reserved5;
    uint64_t aibv;
    uint64_t aisb;
    uint64_t fmb_addr;
    uint32_t reserved6;
    uint32_t gd;
} PACKED ALIGNED(8);

#define FIB_DATA(isc, noi, aibvo, sum, aisbo) \
    ((uint32_t)(isc) << 28 | (uint32_t)(noi) << 16 | \
     (uint32_t)(aibvo) << 8 | (uint32_t)(sum) << 7 | (uint32_t)(aisbo))

int mpcifc(uint32_t fh, uint8_t oc, uint8_t dmaas, struct zpci_fib *fib,
           uint8_t *status);
int stpcifc(uint32_t fh, uint8_t dmaas, struct zpci_fib *fib,
            uint8_t *status);

/* Register I/O address translation for [pba, pal] with table iota */
int zpci_reg_ioat(uint32_t fh, uint64_t pba, uint64_t pal, uint64_t iota,
                  uint8_t *status);
int zpci_dereg_ioat(uint32_t fh, uint8_t *status);
/* Register adapter interruptions: summary bit aisbo at aisb, vector at aibv */
int zpci_reg_airq(uint32_t fh, uint8_t isc, uint16_t noi, void *aibv,
                  uint8_t aibvo, void *aisb, uint8_t aisbo, uint8_t *status);
int zpci_dereg_airq(uint32_t fh, uint8_t *status);

#endif
