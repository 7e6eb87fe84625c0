/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * CALL LOGICAL PROCESSOR (CLP) commands for PCI functions.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Every wrapper returns the instruction's condition code and leaves the
 * CLP response code (CLP_RC_*) in *rsp.  Layouts are the architected CLP
 * request/response blocks; all fields are big-endian like the CPU.
 */
#ifndef ZT_ZPCI_CLP_H
#define ZT_ZPCI_CLP_H

#include "libc.h"

#define CLP_RC_OK               0x0010
#define CLP_RC_CMD              0x0020
#define CLP_RC_SETPCIFN_FH      0x0101
#define CLP_RC_SETPCIFN_FHOP    0x0102
#define CLP_RC_LISTPCI_BADRT    0x010a
#define CLP_RC_QUERYPCIFG_PFGID 0x010b

#define CLP_FH_ENABLED          0x80000000u
#define CLP_CONFIG_CONFIGURED   0x80000000u

#define ZPCI_PFT_ISM            5

struct clp_fh_entry {
    uint16_t device_id;
    uint16_t vendor_id;
    uint32_t config;
    uint32_t fid;
    uint32_t fh;
} PACKED;

struct clp_query_pci {
    uint16_t len;
    uint16_t rsp;
    uint32_t fmt;
    uint64_t reserved1;
    uint16_t vfn;
    uint8_t flags;
    uint8_t pfgid;
    uint32_t fid;
    uint8_t bar_size[6];        /* log2 of the BAR size, 0 = no BAR */
    uint16_t pchid;
    uint32_t bar[6];            /* little-endian, as in config space */
    uint8_t pfip[4];
    uint16_t reserved2;
    uint8_t fmbl;
    uint8_t pft;
    uint64_t sdma;
    uint64_t edma;
    uint32_t reserved3[11];
    uint32_t uid;
    uint8_t util_str[64];
} PACKED;

struct clp_query_pci_grp {
    uint16_t len;
    uint16_t rsp;
    uint32_t fmt;
    uint64_t reserved1;
    uint16_t noi;               /* low 12 bits: number of interrupts */
    uint8_t version;
    uint8_t flags;              /* 0x20 rtr, 0x08 relaxed, 0x02 frame,
                                   0x01 refresh */
    uint16_t maxstbl;
    uint16_t mui;
    uint8_t dtsm;
    uint8_t reserved3[7];
    uint64_t dasm;
    uint64_t msia;              /* MSI address */
    uint64_t reserved4;
    uint64_t reserved5;
} PACKED;

/* List up to max functions; *n is the number stored */
int clp_list_pci(struct clp_fh_entry *list, int max, int *n, uint16_t *rsp);
/*
 * One LIST PCI from resume token token: up to max entries, *n the number
 * stored, *next the response's resume token
 */
int clp_list_pci_once(uint64_t token, struct clp_fh_entry *list, int max,
                      int *n, uint64_t *next, uint16_t *rsp);
int clp_query_pci(uint32_t fh, struct clp_query_pci *out, uint16_t *rsp);
/* Group flag: PCISTB with relaxed length and alignment */
#define CLP_QPCIG_RELAXED 0x08

int clp_query_pci_grp(uint8_t pfgid, struct clp_query_pci_grp *out,
                      uint16_t *rsp);
/* SET PCI FUNCTION; oc 0 enables (ndas DMA spaces), 1 disables */
int clp_set_pci(uint32_t fh, uint8_t oc, uint8_t ndas, uint32_t *new_fh,
                uint16_t *rsp);
int clp_enable(uint32_t fh, uint32_t *new_fh, uint16_t *rsp);
int clp_disable(uint32_t fh, uint32_t *new_fh, uint16_t *rsp);

/* Find a listed function by fid, or by vendor/device if fid == ~0 */
bool clp_find(uint32_t fid, uint16_t vendor, uint16_t device,
              struct clp_fh_entry *out);

#endif
