/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: PCI config space of a simulated function (with MSI / MSI-X
 * capabilities), emulated as vfio-pci does: BAR sizing, RO bits ignored.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "zpci-sim.h"

#define CFG_CAP_START   0x40
#define PCI_CMD_MEMORY  0x0002

static void put16(SimFunction *f, unsigned off, uint16_t v, uint16_t wmask)
{
    sim_stw_le(&f->cfg[off], v);
    sim_stw_le(&f->cfg_wmask[off], wmask);
}

static void put32(SimFunction *f, unsigned off, uint32_t v, uint32_t wmask)
{
    sim_stl_le(&f->cfg[off], v);
    sim_stl_le(&f->cfg_wmask[off], wmask);
}

static unsigned log2u(unsigned v)
{
    unsigned r = 0;

    while (v > 1) {
        v >>= 1;
        r++;
    }
    return r;
}

/*
 * Config space as vfio-pci has it right after opening the device
 * (vfio_pci_core_enable(): pci_enable_device() sets memory decode for the
 * memory BARs, then vfio_config_init() copies the config space into the
 * virtual one).
 */
void sim_cfg_build(SimFunction *f)
{
    unsigned pos = CFG_CAP_START, prev_next = 0x34;
    int i;

    f->cfg_size = f->pcie ? SIM_CFG_SIZE_PCIE : SIM_CFG_SIZE;
    memset(f->cfg, 0, sizeof(f->cfg));
    memset(f->cfg_wmask, 0, sizeof(f->cfg_wmask));

    put16(f, 0x00, f->vendor_id, 0);
    put16(f, 0x02, f->device_id, 0);
    /*
     * command: I/O, memory, bus master, parity, SERR, INTx disable are
     * writable; memory decode on (pci_enable_device()).
     */
    put16(f, 0x04, PCI_CMD_MEMORY, 0x0547);
    f->mem_enabled = true;
    put16(f, 0x06, 0, 0);
    f->cfg[0x08] = f->revision;
    f->cfg[0x09] = f->class_code & 0xff;
    f->cfg[0x0a] = (f->class_code >> 8) & 0xff;
    f->cfg[0x0b] = (f->class_code >> 16) & 0xff;
    f->cfg[0x0e] = 0;

    for (i = 0; i < SIM_NUM_BARS; i++) {
        SimBar *b = &f->bars[i];
        uint64_t mask;
        uint32_t type;

        if (!b->size) {
            continue;
        }
        mask = ~(b->size - 1);
        type = (b->mem64 ? 0x4 : 0) | (b->prefetch ? 0x8 : 0);
        put32(f, 0x10 + 4 * i, type, (uint32_t)mask & ~0xfU);
        if (b->mem64 && i + 1 < SIM_NUM_BARS) {
            put32(f, 0x10 + 4 * (i + 1), 0, (uint32_t)(mask >> 32));
        }
    }
    put16(f, 0x2c, f->subsys_vendor_id, 0);
    put16(f, 0x2e, f->subsys_id, 0);
    f->cfg[0x3c] = 0;
    f->cfg_wmask[0x3c] = 0xff;
    f->cfg[0x3d] = 0;           /* zPCI functions have no INTx pin */

    if (f->msi_vectors) {
        f->cfg[prev_next] = pos;
        f->cfg[pos] = 0x05;
        /* 64-bit address capable, multiple message capable */
        put16(f, pos + 2, 0x80 | log2u(f->msi_vectors) << 1, 0x0071);
        put32(f, pos + 4, 0, 0xfffffffc);
        put32(f, pos + 8, 0, 0xffffffff);
        put16(f, pos + 12, 0, 0xffff);
        prev_next = pos + 1;
        pos += 0x10;
    }
    if (f->msix_vectors) {
        f->cfg[prev_next] = pos;
        f->cfg[pos] = 0x11;
        put16(f, pos + 2, f->msix_vectors - 1, 0xc000);
        put32(f, pos + 4, f->msix_table_off | f->msix_table_bar, 0);
        put32(f, pos + 8, f->msix_pba_off | f->msix_pba_bar, 0);
        prev_next = pos + 1;
        pos += 0x10;
    }
    if (f->pcie) {
        /* PCI Express capability, version 2, endpoint; all else zero */
        f->cfg[prev_next] = pos;
        f->cfg[pos] = 0x10;
        put16(f, pos + 2, 0x0002, 0);
        prev_next = pos + 1;
        pos += 0x3c;
    }
    if (pos != CFG_CAP_START) {
        put16(f, 0x06, 0x0010, 0);      /* status: capability list */
    }
}

/*
 * VFIO_DEVICE_RESET resets the function, not vfio-pci's virtual state:
 * the memory enable bit saved by the last command register write
 * (vfio_basic_config_write()) stays what it was.
 */
void sim_cfg_reset(SimFunction *f)
{
    bool mem = f->mem_enabled;

    sim_cfg_build(f);
    sim_stw_le(&f->cfg[0x04], 0);
    f->mem_enabled = mem;
}

/* vfio_pci_config_rw_single(): outside cfg_size is EFAULT */
static bool cfg_range_ok(SimFunction *f, const char *op, size_t n,
                         uint64_t off)
{
    if (SIM_CHECK("cfg-range", off >= f->cfg_size ||
                               n > f->cfg_size - off)) {
        sim_reject(f, op, EFAULT, "beyond config space",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return false;
    }
    return true;
}

ssize_t sim_cfg_pread(SimFunction *f, void *buf, size_t n, uint64_t off)
{
    if (n == 0) {
        return 0;               /* vfio_pci_config_rw() loops over count */
    }
    if (!cfg_range_ok(f, "cfg_read", n, off)) {
        return -EFAULT;
    }
    memcpy(buf, &f->cfg[off], n);
    sim_log(f, "cfg_read", "\"offset\": %llu, \"len\": %zu, \"result\": 0",
            (unsigned long long)off, n);
    return n;
}

ssize_t sim_cfg_pwrite(SimFunction *f, const void *buf, size_t n,
                       uint64_t off)
{
    const uint8_t *src = buf;
    size_t i;

    if (n == 0) {
        return 0;
    }

    if (!cfg_range_ok(f, "cfg_write", n, off)) {
        return -EFAULT;
    }
    for (i = 0; i < n; i++) {
        uint8_t m = f->cfg_wmask[off + i];

        f->cfg[off + i] = (f->cfg[off + i] & ~m) | (src[i] & m);
    }
    /* A write of the command register saves its memory enable bit */
    if (off <= 0x04 && off + n > 0x04) {
        f->mem_enabled = f->cfg[0x04] & PCI_CMD_MEMORY;
    }
    sim_log(f, "cfg_write", "\"offset\": %llu, \"len\": %zu, \"result\": 0",
            (unsigned long long)off, n);
    return n;
}
