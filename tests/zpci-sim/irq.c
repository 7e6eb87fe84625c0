/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: VFIO_DEVICE_SET_IRQS and interrupt delivery via the eventfds
 * QEMU registered.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

#include "zpci-sim.h"

static const char *const irq_names[SIM_NUM_IRQ_INDEX] = {
    "intx", "msi", "msix", "err", "req"
};

unsigned sim_irq_count(SimFunction *f, unsigned index)
{
    switch (index) {
    case VFIO_PCI_INTX_IRQ_INDEX:
        return f->cfg[0x3d] ? 1 : 0;
    case VFIO_PCI_MSI_IRQ_INDEX:
        return f->msi_vectors;
    case VFIO_PCI_MSIX_IRQ_INDEX:
        return f->msix_vectors;
    case VFIO_PCI_ERR_IRQ_INDEX:
    case VFIO_PCI_REQ_IRQ_INDEX:
        return 1;
    default:
        return 0;
    }
}

void sim_irq_reset(SimFunction *f)
{
    int i, j;

    for (i = 0; i < SIM_NUM_IRQ_INDEX; i++) {
        for (j = 0; j < SIM_MAX_VECTORS; j++) {
            f->irq_fd[i][j] = -1;
        }
    }
}

bool sim_irq_raise(SimFunction *f, unsigned index, unsigned vector)
{
    uint64_t one = 1;
    int fd = -1;
    bool ok = false;

    if (index < SIM_NUM_IRQ_INDEX && vector < SIM_MAX_VECTORS) {
        fd = f->irq_fd[index][vector];
    }
    if (fd >= 0) {
        ok = sim_real_write(fd, &one, sizeof(one)) == sizeof(one);
    }
    sim_log(f, "irq", "\"type\": \"%s\", \"vector\": %u, \"delivered\": %s",
            index < SIM_NUM_IRQ_INDEX ? irq_names[index] : "?", vector,
            ok ? "true" : "false");
    return ok;
}

static int popcount_ok(uint32_t v)
{
    return v && !(v & (v - 1));
}

int sim_set_irqs(SimFunction *f, void *arg)
{
    struct vfio_irq_set *s = arg;
    uint32_t data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    unsigned max, i;
    int32_t *fds = (int32_t *)s->data;
    uint8_t *bools = s->data;
    size_t need = sizeof(*s);

    if (s->argsz < sizeof(*s) || s->index >= SIM_NUM_IRQ_INDEX ||
        !popcount_ok(data) || !popcount_ok(action) ||
        (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
                      VFIO_IRQ_SET_ACTION_TYPE_MASK))) {
        sim_reject(f, "set_irqs", EINVAL, "malformed vfio_irq_set",
                   "\"index\": %u, \"flags\": %u", s->index, s->flags);
        return -EINVAL;
    }
    max = sim_irq_count(f, s->index);
    if (s->start > max || s->count > max - s->start ||
        (max == 0 && !(data == VFIO_IRQ_SET_DATA_NONE && s->count == 0))) {
        sim_reject(f, "set_irqs", EINVAL, "vector range beyond count",
                   "\"index\": %u, \"start\": %u, \"count\": %u",
                   s->index, s->start, s->count);
        return -EINVAL;
    }
    if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
        need += sizeof(int32_t) * s->count;
    } else if (data == VFIO_IRQ_SET_DATA_BOOL) {
        need += s->count;
    }
    if (s->argsz < need) {
        return -EINVAL;
    }

    if (action != VFIO_IRQ_SET_ACTION_TRIGGER) {
        /* Masking exists for INTx only, as in vfio-pci */
        if (s->index != VFIO_PCI_INTX_IRQ_INDEX) {
            sim_error("SET_IRQS %s on %s index %u not emulated",
                      action == VFIO_IRQ_SET_ACTION_MASK ? "MASK" : "UNMASK",
                      f->name, s->index);
            return -EINVAL;
        }
        sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"%s\", "
                "\"start\": %u, \"count\": %u", s->index,
                action == VFIO_IRQ_SET_ACTION_MASK ? "mask" : "unmask",
                s->start, s->count);
        return 0;
    }

    if (data == VFIO_IRQ_SET_DATA_NONE && s->count == 0) {
        for (i = 0; i < SIM_MAX_VECTORS; i++) {
            f->irq_fd[s->index][i] = -1;
        }
        sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"disable\"",
                s->index);
        return 0;
    }
    if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
        int n = 0;

        for (i = 0; i < s->count; i++) {
            f->irq_fd[s->index][s->start + i] = fds[i];
            n += fds[i] >= 0;
        }
        sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"eventfd\", "
                "\"start\": %u, \"count\": %u, \"assigned\": %d",
                s->index, s->start, s->count, n);
        return 0;
    }
    /* Loopback: userspace asks the "hardware" to fire the vectors */
    for (i = 0; i < s->count; i++) {
        if (data == VFIO_IRQ_SET_DATA_NONE || bools[i]) {
            sim_irq_raise(f, s->index, s->start + i);
        }
    }
    sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"loopback\", "
            "\"start\": %u, \"count\": %u", s->index, s->start, s->count);
    return 0;
}
