/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim model "msi-dev": MIO-capable, relaxed-alignment function with
 * MSI only (no MSI-X), a memory BAR and a doorbell.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * BAR 0 (64-bit, 64 KiB): plain memory, read back as written.
 * BAR 2 (32-bit, 4 KiB): 0x0 doorbell (LE u32: writing N raises MSI
 *   vector N), 0x8 doorbell count (LE u32, read-only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

#include "../zpci-sim.h"

#define MSID_BAR_MEM    0
#define MSID_BAR_REGS   2
#define MSID_MEM_SIZE   0x10000
#define MSID_DOORBELL   0x0
#define MSID_RINGS      0x8

typedef struct MsiDevState {
    uint8_t mem[MSID_MEM_SIZE];
    uint8_t regs[4096];
    unsigned rings;
    int last_vector;
} MsiDevState;

static void msid_defaults(SimFunction *f)
{
    f->vendor_id = 0x1014;
    f->device_id = 0x0f02;
    f->class_code = 0xff0000;
    f->pft = 0;
    f->mio = true;
    f->relaxed = true;
    f->maxstbl = 4096;
    f->msi_vectors = 4;
    f->msix_vectors = 0;
    f->bars[MSID_BAR_MEM] = (SimBar){ .size = MSID_MEM_SIZE, .mem64 = true };
    f->bars[MSID_BAR_REGS] = (SimBar){ .size = 4096 };
}

static void msid_realize(SimFunction *f)
{
    MsiDevState *s = g_new0(MsiDevState, 1);

    s->last_vector = -1;
    f->model_state = s;
}

static void msid_reset(SimFunction *f)
{
    MsiDevState *s = f->model_state;

    memset(s, 0, sizeof(*s));
    s->last_vector = -1;
}

static uint8_t *msid_space(MsiDevState *s, int bar)
{
    return bar == MSID_BAR_MEM ? s->mem : bar == MSID_BAR_REGS ? s->regs
                                                               : NULL;
}

static int msid_load(SimFunction *f, int bar, uint64_t off, void *buf,
                     unsigned len)
{
    MsiDevState *s = f->model_state;
    uint8_t *mem = msid_space(s, bar);

    if (!mem) {
        return -EINVAL;
    }
    sim_stl_le(&s->regs[MSID_RINGS], s->rings);
    memcpy(buf, mem + off, len);
    return 0;
}

static int msid_write(SimFunction *f, int bar, uint64_t off,
                      const void *buf, unsigned len)
{
    MsiDevState *s = f->model_state;
    uint8_t *mem = msid_space(s, bar);
    uint32_t vec;

    if (!mem) {
        return -EINVAL;
    }
    memcpy(mem + off, buf, len);
    if (bar == MSID_BAR_REGS && off < MSID_DOORBELL + 4) {
        vec = sim_ldl_le(&s->regs[MSID_DOORBELL]);
        s->rings++;
        s->last_vector = vec;
        if (vec >= f->msi_vectors) {
            sim_reject(f, "doorbell", EIO, "no such MSI vector",
                       "\"vector\": %u", vec);
        } else {
            sim_irq_raise(f, VFIO_PCI_MSI_IRQ_INDEX, vec);
        }
    }
    return 0;
}

static void msid_dump(SimFunction *f, GString *out)
{
    MsiDevState *s = f->model_state;
    int i;

    g_string_append_printf(out, "\"doorbells\": %u, \"last_vector\": %d, "
                           "\"mem_head\": \"", s->rings, s->last_vector);
    for (i = 0; i < 16; i++) {
        g_string_append_printf(out, "%02x", s->mem[i]);
    }
    g_string_append_c(out, '"');
}

const SimModel sim_model_msi_dev = {
    .name = "msi-dev",
    .defaults = msid_defaults,
    .realize = msid_realize,
    .load = msid_load,
    .store = msid_write,
    .block = msid_write,
    .reset = msid_reset,
    .dump_state = msid_dump,
};
