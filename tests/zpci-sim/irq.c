/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: VFIO_DEVICE_SET_IRQS and interrupt delivery via the eventfds
 * QEMU registered.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The rules are those of vfio-pci (drivers/vfio/vfio_main.c
 * vfio_set_irqs_validate_and_prepare(), drivers/vfio/pci/vfio_pci_core.c
 * vfio_pci_get_irq_count(), drivers/vfio/pci/vfio_pci_intrs.c
 * vfio_pci_set_irqs_ioctl() and its handlers):
 * - the header is validated first: known flag bits, exactly one data
 *   type, start < count of the index, start + count <= that count, data
 *   present for count entries;
 * - only TRIGGER exists for MSI, MSI-X, ERR and REQ (else ENOTTY); ERR
 *   only for a PCI Express function in Linux 7.2, for every function in
 *   7.3 (err_irq_all); zPCI functions have no INTx pin, so
 *   the INTx index has count 0;
 * - INTx, MSI and MSI-X exclude each other (vdev->irq_type): eventfds
 *   for MSI while MSI-X is enabled are EINVAL; eventfds enable the index
 *   with start + count vectors; DATA_NONE with count 0 disables the
 *   enabled index; loopback (DATA_NONE / DATA_BOOL with a count) only on
 *   the enabled index;
 * - an eventfd that is not one is EBADF/EINVAL; -1 tears a vector down.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/vfio.h>

#include "zpci-sim.h"

static const char *const irq_names[SIM_NUM_IRQ_INDEX] = {
    "intx", "msi", "msix", "err", "req"
};

/* vfio_pci_get_irq_count(): from the function's config space */
unsigned sim_irq_count(SimFunction *f, unsigned index)
{
    unsigned pos = f->cfg[0x34];
    uint16_t flags;
    int guard = 0;

    switch (index) {
    case VFIO_PCI_INTX_IRQ_INDEX:
        return f->cfg[0x3d] ? 1 : 0;
    case VFIO_PCI_MSI_IRQ_INDEX:
    case VFIO_PCI_MSIX_IRQ_INDEX:
        while (pos && guard++ < 48) {
            flags = f->cfg[pos + 2] | f->cfg[pos + 3] << 8;
            if (index == VFIO_PCI_MSI_IRQ_INDEX && f->cfg[pos] == 0x05) {
                return 1U << ((flags & 0x000e) >> 1);
            }
            if (index == VFIO_PCI_MSIX_IRQ_INDEX && f->cfg[pos] == 0x11) {
                return (flags & 0x07ff) + 1;
            }
            pos = f->cfg[pos + 1];
        }
        return 0;
    case VFIO_PCI_ERR_IRQ_INDEX:
        /* 7.2: if (pci_is_pcie(vdev->pdev)) return 1; 7.3: return 1 */
        return SIM_CHECK("irq-err-pcie", !f->pcie && !f->err_irq_all) ? 0
                                                                      : 1;
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
    f->irq_type = SIM_IRQ_NONE;
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

static int set_reject(SimFunction *f, const struct vfio_irq_set *s, int err,
                      const char *why)
{
    sim_reject(f, "set_irqs", err, why, "\"index\": %u, \"flags\": %u, "
               "\"start\": %u, \"count\": %u", s->index, s->flags,
               s->start, s->count);
    return -err;
}

/* eventfd_ctx_fdget(): EBADF for no such descriptor, EINVAL for another */
static int eventfd_check(int fd)
{
    char path[64], link[64];
    ssize_t n;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    n = readlink(path, link, sizeof(link) - 1);
    if (n < 0) {
        return -EBADF;
    }
    link[n] = 0;
    return strcmp(link, "anon_inode:[eventfd]") == 0 ? 0 : -EINVAL;
}

/* vfio_msi_set_block(): on failure the vectors set so far are undone */
static int set_block(SimFunction *f, unsigned index, unsigned start,
                     unsigned count, const int32_t *fds)
{
    unsigned i;
    int ret;

    for (i = 0; i < count; i++) {
        ret = fds[i] >= 0 ? eventfd_check(fds[i]) : 0;
        if (SIM_CHECK("irq-eventfd", ret != 0)) {
            while (i--) {
                f->irq_fd[index][start + i] = -1;
            }
            return ret;
        }
        f->irq_fd[index][start + i] = fds[i] >= 0 ? fds[i] : -1;
    }
    return 0;
}

static void disable(SimFunction *f, unsigned index)
{
    int i;

    for (i = 0; i < SIM_MAX_VECTORS; i++) {
        f->irq_fd[index][i] = -1;
    }
}

static int loopback(SimFunction *f, const struct vfio_irq_set *s,
                    uint32_t data)
{
    unsigned i;

    for (i = 0; i < s->count; i++) {
        if (f->irq_fd[s->index][s->start + i] >= 0 &&
            (data == VFIO_IRQ_SET_DATA_NONE || s->data[i])) {
            sim_irq_raise(f, s->index, s->start + i);
        }
    }
    sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"loopback\", "
            "\"start\": %u, \"count\": %u", s->index, s->start, s->count);
    return 0;
}

/* vfio_pci_set_msi_trigger() */
static int msi_trigger(SimFunction *f, const struct vfio_irq_set *s,
                       uint32_t data)
{
    const int32_t *fds = (const int32_t *)s->data;
    int type = f->irq_type;
    int ret;

    if (type == (int)s->index && !s->count &&
        data == VFIO_IRQ_SET_DATA_NONE) {
        disable(f, s->index);
        f->irq_type = SIM_IRQ_NONE;
        sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"disable\"",
                s->index);
        return 0;
    }
    if (SIM_CHECK("irq-exclusive", type != (int)s->index &&
                                   type != SIM_IRQ_NONE)) {
        return set_reject(f, s, EINVAL, "another interrupt type is "
                          "enabled (INTx, MSI, MSI-X exclude each other)");
    }
    if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
        if (type != (int)s->index) {
            /* vfio_msi_enable(): pci_alloc_irq_vectors(1, start + count) */
            if (s->start + s->count == 0) {
                return set_reject(f, s, ERANGE, "enabling with no vector");
            }
            f->irq_type = s->index;
        }
        ret = set_block(f, s->index, s->start, s->count, fds);
        if (ret) {
            if (type != (int)s->index) {
                disable(f, s->index);
                f->irq_type = SIM_IRQ_NONE;
            }
            return set_reject(f, s, -ret, "not an eventfd");
        }
        sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"eventfd\", "
                "\"start\": %u, \"count\": %u", s->index, s->start,
                s->count);
        return 0;
    }
    if (SIM_CHECK("irq-loopback-enabled", type != (int)s->index)) {
        return set_reject(f, s, EINVAL, "loopback or disable of an index "
                          "that is not enabled");
    }
    return loopback(f, s, data);
}

/* vfio_pci_set_ctx_trigger_single() for ERR and REQ */
static int single_trigger(SimFunction *f, const struct vfio_irq_set *s,
                          uint32_t data)
{
    int *slot = &f->irq_fd[s->index][0];
    int32_t fd;
    int ret;

    if (data == VFIO_IRQ_SET_DATA_NONE) {
        if (SIM_CHECK("irq-single-unset", *slot < 0)) {
            return set_reject(f, s, EINVAL, "no eventfd registered");
        }
        if (s->count) {
            return loopback(f, s, data);
        }
        *slot = -1;
        sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"disable\"",
                s->index);
        return 0;
    }
    if (!s->count) {
        return set_reject(f, s, EINVAL, "count 0 with data");
    }
    if (data == VFIO_IRQ_SET_DATA_BOOL) {
        return loopback(f, s, data);
    }
    memcpy(&fd, s->data, sizeof(fd));
    if (fd < -1) {
        return set_reject(f, s, EINVAL, "eventfd below -1");
    }
    ret = fd >= 0 ? eventfd_check(fd) : 0;
    if (SIM_CHECK("irq-eventfd", ret != 0)) {
        return set_reject(f, s, -ret, "not an eventfd");
    }
    *slot = fd;
    sim_log(f, "set_irqs", "\"index\": %u, \"action\": \"eventfd\", "
            "\"start\": %u, \"count\": %u, \"assigned\": %d", s->index,
            s->start, s->count, fd >= 0);
    return 0;
}

int sim_set_irqs(SimFunction *f, void *arg)
{
    struct vfio_irq_set *s = arg;
    uint32_t data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
    uint32_t action = s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;
    size_t minsz = offsetof(struct vfio_irq_set, data), size;
    unsigned max;

    if (SIM_CHECK("irq-validate-flags",
                  s->argsz < minsz || s->index >= SIM_NUM_IRQ_INDEX ||
                  s->count >= UINT32_MAX - s->start ||
                  (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
                                VFIO_IRQ_SET_ACTION_TYPE_MASK)))) {
        return set_reject(f, s, EINVAL, "malformed vfio_irq_set");
    }
    max = sim_irq_count(f, s->index);
    if (SIM_CHECK("irq-validate-range",
                  s->start >= max || s->start + s->count > max)) {
        return set_reject(f, s, EINVAL, "vector range beyond count");
    }
    switch (data) {
    case VFIO_IRQ_SET_DATA_NONE:
        size = 0;
        break;
    case VFIO_IRQ_SET_DATA_BOOL:
        size = 1;
        break;
    case VFIO_IRQ_SET_DATA_EVENTFD:
        size = sizeof(int32_t);
        break;
    default:
        if (SIM_CHECK("irq-validate-flags", true)) {
            return set_reject(f, s, EINVAL, "not exactly one data type");
        }
        /* (mutants: the kernel's handlers test the bits one by one) */
        data = data & VFIO_IRQ_SET_DATA_NONE ? VFIO_IRQ_SET_DATA_NONE :
               VFIO_IRQ_SET_DATA_BOOL;
        size = data == VFIO_IRQ_SET_DATA_NONE ? 0 : 1;
        break;
    }
    if (size && s->argsz - minsz < (size_t)s->count * size) {
        return set_reject(f, s, EINVAL, "argsz too small for the data");
    }

    switch (s->index) {
    case VFIO_PCI_MSI_IRQ_INDEX:
    case VFIO_PCI_MSIX_IRQ_INDEX:
        if (SIM_CHECK("irq-trigger-only",
                      action != VFIO_IRQ_SET_ACTION_TRIGGER)) {
            return set_reject(f, s, ENOTTY, "only TRIGGER exists for "
                              "MSI and MSI-X");
        }
        return msi_trigger(f, s, data);
    case VFIO_PCI_ERR_IRQ_INDEX:
    case VFIO_PCI_REQ_IRQ_INDEX:
        if (SIM_CHECK("irq-trigger-only",
                      action != VFIO_IRQ_SET_ACTION_TRIGGER)) {
            return set_reject(f, s, ENOTTY, "only TRIGGER exists for "
                              "ERR and REQ");
        }
        return single_trigger(f, s, data);
    default:
        /* INTx: unreachable, the count of a zPCI function is 0 */
        return set_reject(f, s, ENOTTY, "INTx not emulated");
    }
}
