/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * MSI-X and MSI capability programming through zPCI config/BAR access.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "zpci/msix.h"
#include "zpci/pci.h"

int zpci_msix_probe(uint32_t fh, struct zpci_msix *m)
{
    uint32_t ctrl, table, pba;
    int cc;

    memset(m, 0, sizeof(*m));
    m->cap = zpci_find_cap(fh, PCI_CAP_ID_MSIX);
    if (!m->cap) {
        return -1;
    }
    cc = zpci_cfg_read(fh, m->cap + PCI_MSIX_FLAGS, 2, &ctrl);
    cc = cc ? cc : zpci_cfg_read(fh, m->cap + PCI_MSIX_TABLE, 4, &table);
    cc = cc ? cc : zpci_cfg_read(fh, m->cap + PCI_MSIX_PBA, 4, &pba);
    if (cc) {
        return cc;
    }
    m->entries = (ctrl & 0x7ff) + 1;
    m->table_bar = table & 7;
    m->table_off = table & ~7u;
    m->pba_bar = pba & 7;
    m->pba_off = pba & ~7u;
    return 0;
}

int zpci_msix_set_entry(uint32_t fh, const struct zpci_msix *m,
                        unsigned vec, uint64_t addr, uint32_t data,
                        bool masked)
{
    uint64_t e = m->table_off + 16ull * vec;
    int cc;

    cc = zpci_write_le(fh, m->table_bar, e + 0, 4, (uint32_t)addr);
    cc = cc ? cc : zpci_write_le(fh, m->table_bar, e + 4, 4, addr >> 32);
    cc = cc ? cc : zpci_write_le(fh, m->table_bar, e + 8, 4, data);
    cc = cc ? cc : zpci_write_le(fh, m->table_bar, e + 12, 4, masked);
    return cc;
}

int zpci_msix_enable(uint32_t fh, const struct zpci_msix *m, bool enable)
{
    uint32_t ctrl;
    int cc = zpci_cfg_read(fh, m->cap + PCI_MSIX_FLAGS, 2, &ctrl);

    if (cc) {
        return cc;
    }
    ctrl &= ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    if (enable) {
        ctrl |= PCI_MSIX_FLAGS_ENABLE;
    }
    return zpci_cfg_write(fh, m->cap + PCI_MSIX_FLAGS, 2, ctrl);
}

int zpci_msi_enable_vectors(uint32_t fh, uint8_t cap, uint64_t addr,
                            uint16_t data, unsigned log2_vectors)
{
    uint32_t ctrl;
    int cc = zpci_cfg_read(fh, cap + PCI_MSI_FLAGS, 2, &ctrl);

    if (cc) {
        return cc;
    }
    if (log2_vectors > ((ctrl & PCI_MSI_FLAGS_QMASK) >> 1)) {
        return -1;              /* more than the function can send */
    }
    cc = zpci_cfg_write(fh, cap + 4, 4, (uint32_t)addr);
    if (ctrl & PCI_MSI_FLAGS_64BIT) {
        cc = cc ? cc : zpci_cfg_write(fh, cap + 8, 4, addr >> 32);
        cc = cc ? cc : zpci_cfg_write(fh, cap + 12, 2, data);
    } else {
        cc = cc ? cc : zpci_cfg_write(fh, cap + 8, 2, data);
    }
    /* multiple message enable (bits 6-4) = log2 of the vectors, enabled */
    ctrl = (ctrl & ~PCI_MSI_FLAGS_QSIZE) | log2_vectors << 4 |
           PCI_MSI_FLAGS_ENABLE;
    return cc ? cc : zpci_cfg_write(fh, cap + PCI_MSI_FLAGS, 2, ctrl);
}

int zpci_msi_enable(uint32_t fh, uint8_t cap, uint64_t addr, uint16_t data)
{
    return zpci_msi_enable_vectors(fh, cap, addr, data, 0);
}
