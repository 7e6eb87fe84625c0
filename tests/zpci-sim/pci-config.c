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

void sim_cfg_build(SimFunction *f)
{
    unsigned pos = CFG_CAP_START, prev_next = 0x34;
    int i;

    memset(f->cfg, 0, sizeof(f->cfg));
    memset(f->cfg_wmask, 0, sizeof(f->cfg_wmask));

    put16(f, 0x00, f->vendor_id, 0);
    put16(f, 0x02, f->device_id, 0);
    /* command: I/O, memory, bus master, parity, SERR, INTx disable */
    put16(f, 0x04, 0, 0x0547);
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
    if (pos != CFG_CAP_START) {
        put16(f, 0x06, 0x0010, 0);      /* status: capability list */
    }
}

static bool cfg_range_ok(SimFunction *f, const char *op, size_t n,
                         uint64_t off)
{
    if (off >= SIM_CFG_SIZE || n > SIM_CFG_SIZE - off) {
        sim_reject(f, op, EINVAL, "beyond config space",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return false;
    }
    return true;
}

ssize_t sim_cfg_pread(SimFunction *f, void *buf, size_t n, uint64_t off)
{
    if (!cfg_range_ok(f, "cfg_read", n, off)) {
        return -EINVAL;
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

    if (!cfg_range_ok(f, "cfg_write", n, off)) {
        return -EINVAL;
    }
    for (i = 0; i < n; i++) {
        uint8_t m = f->cfg_wmask[off + i];

        f->cfg[off + i] = (f->cfg[off + i] & ~m) | (src[i] & m);
    }
    sim_log(f, "cfg_write", "\"offset\": %llu, \"len\": %zu, \"result\": 0",
            (unsigned long long)off, n);
    return n;
}
