/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * PCI LOAD, PCI STORE and PCI STORE BLOCK, and config-space helpers.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The wrappers return the condition code (0 ok, 1 error with status,
 * 2 busy, 3 invalid handle) and store the status byte that the
 * instruction leaves in bits 32-39 of its request register.  A program
 * interruption is not caught here: arm expect_pgm_int() around the call.
 *
 * Data on BAR spaces is handled as the instructions do it: the register
 * value is the big-endian image of the bytes at offset..offset+len-1.
 * PCI registers are little-endian; the *_le helpers swap.
 */
#ifndef ZT_ZPCI_PCI_H
#define ZT_ZPCI_PCI_H

#include "libc.h"

#define ZPCI_CFG_AS             15

/* status codes of PCILG/PCISTG/PCISTB (cc 1) */
#define ZPCI_ST_NOT_ENABLED     4
#define ZPCI_ST_FUNC_IN_ERR     8
#define ZPCI_ST_BLOCKED         12
#define ZPCI_ST_INSUF_RES       16
#define ZPCI_ST_INVAL_AS        20

int pcilg(uint64_t *data, uint32_t fh, uint8_t pcias, uint64_t offset,
          uint8_t len, uint8_t *status);
int pcistg(uint64_t data, uint32_t fh, uint8_t pcias, uint64_t offset,
           uint8_t len, uint8_t *status);
/* buf must be doubleword aligned for the strict rules */
int pcistb(const void *buf, uint32_t fh, uint8_t pcias, uint64_t offset,
           uint16_t len, uint8_t *status);

uint64_t bswap_len(uint64_t v, int len);

/* Config space (pcias 15), values in CPU order; return the cc */
int zpci_cfg_read(uint32_t fh, uint16_t off, int len, uint32_t *val);
int zpci_cfg_write(uint32_t fh, uint16_t off, int len, uint32_t val);
/* Find a capability in config space; 0 if absent */
uint8_t zpci_find_cap(uint32_t fh, uint8_t cap_id);

/* Little-endian register access in a BAR; return the cc */
int zpci_read_le(uint32_t fh, uint8_t bar, uint64_t off, int len,
                 uint64_t *val);
int zpci_write_le(uint32_t fh, uint8_t bar, uint64_t off, int len,
                  uint64_t val);

#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_COMMAND_MEMORY      0x0002
#define PCI_COMMAND_MASTER      0x0004
#define PCI_STATUS              0x06
#define PCI_STATUS_CAP_LIST     0x0010
#define PCI_CAPABILITY_LIST     0x34
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_MSIX         0x11

#endif
