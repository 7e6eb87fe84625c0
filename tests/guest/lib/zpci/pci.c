/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * PCI LOAD, PCI STORE and PCI STORE BLOCK, and config-space helpers.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "zpci/pci.h"

/* request register: fh in bits 0-31, pcias in 44-47, length in 60-63 */
static uint64_t ls_req(uint32_t fh, uint8_t pcias, uint16_t len)
{
    return (uint64_t)fh << 32 | (uint64_t)(pcias & 0xf) << 16 | len;
}

int pcilg(uint64_t *data, uint32_t fh, uint8_t pcias, uint64_t offset,
          uint8_t len, uint8_t *status)
{
    register uint64_t req asm("2") = ls_req(fh, pcias, len & 0xf);
    register uint64_t off asm("3") = offset;
    uint64_t val = 0;
    int cc;

    asm volatile(".insn rre,0xb9d20000,%[val],%[req]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [val] "+d" (val), [req] "+d" (req)
                 : "d" (off)
                 : "cc", "memory");
    *data = val;
    if (status) {
        *status = req >> 24;
    }
    return cc;
}

int pcistg(uint64_t data, uint32_t fh, uint8_t pcias, uint64_t offset,
           uint8_t len, uint8_t *status)
{
    register uint64_t req asm("2") = ls_req(fh, pcias, len & 0xf);
    register uint64_t off asm("3") = offset;
    int cc;

    asm volatile(".insn rre,0xb9d00000,%[val],%[req]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [req] "+d" (req)
                 : [val] "d" (data), "d" (off)
                 : "cc", "memory");
    if (status) {
        *status = req >> 24;
    }
    return cc;
}

int pcistb(const void *buf, uint32_t fh, uint8_t pcias, uint64_t offset,
           uint16_t len, uint8_t *status)
{
    uint64_t req = ls_req(fh, pcias, len & 0x1fff);
    int cc;

    asm volatile(".insn rsy,0xeb00000000d0,%[req],%[off],%[buf]\n"
                 "ipm %[cc]\n"
                 "srl %[cc],28\n"
                 : [cc] "=d" (cc), [req] "+d" (req)
                 : [off] "d" (offset), [buf] "QS" (*(const char *)buf)
                 : "cc", "memory");
    if (status) {
        *status = req >> 24;
    }
    return cc;
}

uint64_t bswap_len(uint64_t v, int len)
{
    uint64_t r = 0;

    for (int i = 0; i < len; i++) {
        r = r << 8 | (v & 0xff);
        v >>= 8;
    }
    return r;
}

int zpci_cfg_read(uint32_t fh, uint16_t off, int len, uint32_t *val)
{
    uint64_t data;
    int cc = pcilg(&data, fh, ZPCI_CFG_AS, off, len, NULL);

    *val = cc ? ~0u : (uint32_t)bswap_len(data, len);
    return cc;
}

int zpci_cfg_write(uint32_t fh, uint16_t off, int len, uint32_t val)
{
    return pcistg(bswap_len(val, len), fh, ZPCI_CFG_AS, off, len, NULL);
}

uint8_t zpci_find_cap(uint32_t fh, uint8_t cap_id)
{
    uint32_t v;
    uint8_t pos;

    if (zpci_cfg_read(fh, PCI_STATUS, 2, &v) ||
        !(v & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    if (zpci_cfg_read(fh, PCI_CAPABILITY_LIST, 1, &v)) {
        return 0;
    }
    pos = v & 0xfc;
    for (int guard = 0; pos && guard < 48; guard++) {
        if (zpci_cfg_read(fh, pos, 2, &v)) {
            return 0;
        }
        if ((v & 0xff) == cap_id) {
            return pos;
        }
        pos = (v >> 8) & 0xfc;
    }
    return 0;
}

int zpci_read_le(uint32_t fh, uint8_t bar, uint64_t off, int len,
                 uint64_t *val)
{
    uint64_t data;
    int cc = pcilg(&data, fh, bar, off, len, NULL);

    *val = bswap_len(data, len);
    return cc;
}

int zpci_write_le(uint32_t fh, uint8_t bar, uint64_t off, int len,
                  uint64_t val)
{
    return pcistg(bswap_len(val, len), fh, bar, off, len, NULL);
}
