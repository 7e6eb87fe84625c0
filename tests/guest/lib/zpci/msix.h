/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * MSI-X and MSI capability programming through zPCI config/BAR access.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#ifndef ZT_ZPCI_MSIX_H
#define ZT_ZPCI_MSIX_H

#include "libc.h"

struct zpci_msix {
    uint8_t cap;                /* config-space offset of the capability */
    uint16_t entries;
    uint8_t table_bar;
    uint32_t table_off;
    uint8_t pba_bar;
    uint32_t pba_off;
};

/* Read the MSI-X capability; returns the cc, or -1 if there is none */
int zpci_msix_probe(uint32_t fh, struct zpci_msix *m);
/* Program table entry vec (PCISTG to the table BAR); returns the cc */
int zpci_msix_set_entry(uint32_t fh, const struct zpci_msix *m,
                        unsigned vec, uint64_t addr, uint32_t data,
                        bool masked);
/* Set MSI-X enable, clear the function mask; returns the cc */
int zpci_msix_enable(uint32_t fh, const struct zpci_msix *m, bool enable);

/* MSI: program address/data of the capability at cap and enable it */
int zpci_msi_enable(uint32_t fh, uint8_t cap, uint64_t addr, uint16_t data);
/*
 * The same with 2^log2_vectors messages: the function then signals vector
 * v with data | v.  Returns -1 if the function cannot send that many.
 */
int zpci_msi_enable_vectors(uint32_t fh, uint8_t cap, uint64_t addr,
                            uint16_t data, unsigned log2_vectors);

#define PCI_MSIX_FLAGS          2
#define PCI_MSIX_FLAGS_ENABLE   0x8000
#define PCI_MSIX_FLAGS_MASKALL  0x4000
#define PCI_MSIX_TABLE          4
#define PCI_MSIX_PBA            8
#define PCI_MSI_FLAGS           2
#define PCI_MSI_FLAGS_ENABLE    0x0001
#define PCI_MSI_FLAGS_64BIT     0x0080
#define PCI_MSI_FLAGS_QMASK     0x000e  /* multiple message capable */
#define PCI_MSI_FLAGS_QSIZE     0x0070  /* multiple message enable */

#endif
