/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim model "msix-nic": MIO-capable, strict-alignment function with
 * MSI-X, a mailbox and a doorbell.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * BAR 0 (64-bit, 4 KiB): 0x000-0x7ff mailbox RAM (read back as written),
 *   0x800 doorbell (LE u32: writing N raises MSI-X vector N),
 *   0x808 doorbell count (LE u32, read-only).
 * BAR 4 (64-bit, 4 KiB): MSI-X table at 0x000, PBA at 0x800.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

#include "../zpci-sim.h"

#define NIC_BAR_MBOX    0
#define NIC_BAR_MSIX    4
#define NIC_DOORBELL    0x800
#define NIC_RINGS       0x808
#define NIC_MBOX_SIZE   0x800

typedef struct NicState {
    uint8_t bar0[4096];
    uint8_t msix[4096];
    unsigned rings;
    int last_vector;
} NicState;

static void nic_defaults(SimFunction *f)
{
    f->vendor_id = 0x1014;
    f->device_id = 0x0f01;
    f->class_code = 0x020000;
    f->pft = 0;
    f->mio = true;
    f->relaxed = false;
    f->maxstbl = 128;
    f->msi_vectors = 0;
    f->msix_vectors = 8;
    f->bars[NIC_BAR_MBOX] = (SimBar){ .size = 4096, .mem64 = true };
    f->bars[NIC_BAR_MSIX] = (SimBar){ .size = 4096, .mem64 = true };
    f->msix_table_bar = NIC_BAR_MSIX;
    f->msix_table_off = 0;
    f->msix_pba_bar = NIC_BAR_MSIX;
    f->msix_pba_off = 0x800;
}

static void nic_realize(SimFunction *f)
{
    NicState *s = g_new0(NicState, 1);

    s->last_vector = -1;
    f->model_state = s;
}

static void nic_reset(SimFunction *f)
{
    NicState *s = f->model_state;

    memset(s, 0, sizeof(*s));
    s->last_vector = -1;
}

static uint8_t *nic_space(NicState *s, int bar)
{
    return bar == NIC_BAR_MBOX ? s->bar0 : bar == NIC_BAR_MSIX ? s->msix
                                                                : NULL;
}

static int nic_load(SimFunction *f, int bar, uint64_t off, void *buf,
                    unsigned len)
{
    NicState *s = f->model_state;
    uint8_t *mem = nic_space(s, bar);

    if (!mem) {
        return -EINVAL;
    }
    sim_stl_le(&s->bar0[NIC_RINGS], s->rings);
    memcpy(buf, mem + off, len);
    return 0;
}

static int nic_write(SimFunction *f, int bar, uint64_t off, const void *buf,
                     unsigned len)
{
    NicState *s = f->model_state;
    uint8_t *mem = nic_space(s, bar);
    uint32_t vec;

    if (!mem) {
        return -EINVAL;
    }
    /* The PBA: one bit per vector, in doublewords */
    if (bar == NIC_BAR_MSIX && off + len > f->msix_pba_off &&
        off < f->msix_pba_off + (f->msix_vectors + 63) / 64 * 8) {
        sim_reject(f, "msix_pba_write", EIO, "PBA is read-only",
                   "\"bar\": %d, \"offset\": %llu, \"len\": %u", bar,
                   (unsigned long long)off, len);
        return -EIO;
    }
    memcpy(mem + off, buf, len);
    if (bar == NIC_BAR_MBOX && off < NIC_DOORBELL + 4 &&
        off + len > NIC_DOORBELL) {
        vec = sim_ldl_le(&s->bar0[NIC_DOORBELL]);
        s->rings++;
        s->last_vector = vec;
        if (vec >= f->msix_vectors) {
            sim_reject(f, "doorbell", EIO, "no such MSI-X vector",
                       "\"vector\": %u", vec);
        } else {
            sim_irq_raise(f, VFIO_PCI_MSIX_IRQ_INDEX, vec);
        }
    }
    return 0;
}

static void nic_dump(SimFunction *f, GString *out)
{
    NicState *s = f->model_state;
    int i;

    g_string_append_printf(out, "\"doorbells\": %u, \"last_vector\": %d, "
                           "\"mailbox_head\": \"", s->rings,
                           s->last_vector);
    for (i = 0; i < 16; i++) {
        g_string_append_printf(out, "%02x", s->bar0[i]);
    }
    g_string_append_c(out, '"');
}

const SimModel sim_model_msix_nic = {
    .name = "msix-nic",
    .defaults = nic_defaults,
    .realize = nic_realize,
    .load = nic_load,
    .store = nic_write,
    .block = nic_write,
    .reset = nic_reset,
    .dump_state = nic_dump,
};
