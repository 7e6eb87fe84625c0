/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: VFIO device fd: info, zPCI capability chain, regions, irqs.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>
#include <linux/vfio_zdev.h>

#include "zpci-sim.h"

/*
 * The device info header as current kernels define it (with the trailing
 * pad); capabilities start right after it, 8-byte aligned.
 */
#define DEV_INFO_SIZE   24
#define CAP_ALIGN(x)    (((x) + 7) & ~(size_t)7)

/*
 * Base capability, version 3 as Linux 7.3 defines it
 * (include/uapi/linux/vfio_zdev.h): ccdf_err_length after fh
 */
struct sim_cap_zpci_base_v3 {
    struct vfio_info_cap_header header;
    uint64_t start_dma;
    uint64_t end_dma;
    uint16_t pchid;
    uint16_t vfn;
    uint16_t fmb_length;
    uint8_t pft;
    uint8_t gid;
    uint32_t fh;
    uint32_t ccdf_err_length;
};

_Static_assert(sizeof(struct sim_cap_zpci_base_v3) == SIM_BASE_CAP_SIZE,
               "BASE capability layout");

unsigned sim_num_regions(SimFunction *f)
{
    if (f->driver == SIM_DRV_VFIO_PCI && f->zio != SIM_ZIO_ABSENT) {
        return SIM_REGION_ZIO + 1;
    }
    return VFIO_PCI_NUM_REGIONS;
}

static unsigned region_shift(SimFunction *f)
{
    return f->driver == SIM_DRV_ISM_VFIO_PCI ? 48 : 40;
}

uint64_t sim_region_offset(SimFunction *f, unsigned index)
{
    return (uint64_t)index << region_shift(f);
}

/*
 * Build the zPCI capability chain at buf (NULL: just size it): BASE,
 * GROUP, UTIL (only when the function has a utility string), PFIP, each
 * 8-byte aligned, as vfio_pci_info_zdev_add_caps() chains them.
 */
static size_t build_caps(SimFunction *f, uint8_t *buf, size_t base)
{
    struct sim_cap_zpci_base_v3 bcap = { 0 }, *b = &bcap;
    struct vfio_device_info_cap_zpci_group *g;
    struct vfio_device_info_cap_zpci_util *u;
    struct vfio_device_info_cap_zpci_pfip *p;
    size_t off = base, b_off, g_off, u_off = 0, p_off;
    size_t b_size = f->base_cap_size ? f->base_cap_size : sizeof(*b);

    b_off = off;
    off = CAP_ALIGN(off + b_size);
    g_off = off;
    off = CAP_ALIGN(off + sizeof(*g));
    if (f->has_util) {
        u_off = off;
        off = CAP_ALIGN(off + sizeof(*u) + sizeof(f->util_str));
    }
    p_off = off;
    off = CAP_ALIGN(off + sizeof(*p) + sizeof(f->pfip));
    if (!buf) {
        return off;
    }
    memset(buf + base, 0, off - base);

    b->header.id = VFIO_DEVICE_INFO_CAP_ZPCI_BASE;
    b->header.version = f->base_cap_version;
    b->header.next = g_off;
    b->start_dma = f->start_dma;
    b->end_dma = f->end_dma;
    b->pchid = f->pchid;
    b->vfn = f->vfn;
    b->fmb_length = f->fmb_length;
    b->pft = f->pft;
    b->gid = f->gid;
    if (f->base_cap_version >= 2) {
        b->fh = f->fh;
    }
    if (f->base_cap_version >= 3) {
        /* zpci_base_cap(): sizeof(struct zpci_ccdf_err) */
        b->ccdf_err_length = SIM_CCDF_ERR_LEN;
    }
    /* base-cap-size (a fault, no kernel's layout) cuts the tail off */
    memcpy(buf + b_off, b, b_size);

    /*
     * GROUP: what the host reports (its profile, overridable) around the
     * function's facts; imaxstbl is always the function's real maxstbl.
     */
    g = (void *)(buf + g_off);
    g->header.id = VFIO_DEVICE_INFO_CAP_ZPCI_GROUP;
    g->header.version = 2;
    g->header.next = f->has_util ? u_off : p_off;
    g->dasm = f->dasm;
    g->msi_addr = f->msi_addr;
    g->flags = (f->refresh ? SIM_GROUP_FLAG_REFRESH : 0) |
               (f->report_relaxed && f->relaxed ? SIM_GROUP_FLAG_RELAXED
                                                : 0);
    g->mui = f->mui;
    g->noi = f->noi;
    g->maxstbl = f->group_maxstbl ? f->group_maxstbl : f->maxstbl;
    g->version = f->pci_version;
    g->imaxstbl = f->maxstbl;

    if (f->has_util) {
        u = (void *)(buf + u_off);
        u->header.id = VFIO_DEVICE_INFO_CAP_ZPCI_UTIL;
        u->header.version = 1;
        u->header.next = p_off;
        u->size = sizeof(f->util_str);
        memcpy(u->util_str, f->util_str, sizeof(f->util_str));
    }

    p = (void *)(buf + p_off);
    p->header.id = VFIO_DEVICE_INFO_CAP_ZPCI_PFIP;
    p->header.version = 1;
    p->header.next = 0;
    p->size = sizeof(f->pfip);
    memcpy(p->pfip, f->pfip, sizeof(f->pfip));
    return off;
}

/*
 * vfio_pci_ioctl_get_info(): argsz must cover up to num_irqs; the header
 * is copied back for at most argsz bytes; a buffer too small for the
 * chain gets the size it needs in argsz and cap_offset 0.
 */
static int get_info(SimFunction *f, struct vfio_device_info *uinfo)
{
    /* The 7.2 layout: Debian 12's header lacks the trailing pad */
    struct {
        uint32_t argsz, flags, num_regions, num_irqs, cap_offset, pad;
    } info;
    size_t total = f->zdev_caps ? build_caps(f, NULL, DEV_INFO_SIZE)
                                : DEV_INFO_SIZE;
    size_t minsz = offsetof(struct vfio_device_info, cap_offset);

    G_STATIC_ASSERT(sizeof(info) == DEV_INFO_SIZE);
    if (uinfo->argsz < minsz) {
        return -EINVAL;
    }
    memset(&info, 0, sizeof(info));
    info.argsz = uinfo->argsz;
    /* vfio_pci_ioctl_get_info() sets FLAGS_CAPS only with a chain */
    info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET |
                 (f->zdev_caps ? VFIO_DEVICE_FLAGS_CAPS : 0);
    info.num_regions = sim_num_regions(f);
    info.num_irqs = SIM_NUM_IRQ_INDEX;
    if (!f->zdev_caps) {
        /* no chain: argsz and cap_offset as the caller gave them, 0 */
    } else if (info.argsz < total) {
        info.argsz = total;
    } else {
        build_caps(f, (uint8_t *)uinfo, DEV_INFO_SIZE);
        info.cap_offset = DEV_INFO_SIZE;
    }
    memcpy(uinfo, &info, MIN(uinfo->argsz, sizeof(info)));
    sim_log(f, "get_info", "\"argsz\": %u", info.argsz);
    return 0;
}

/*
 * vfio_device_get_region_info() with vfio_pci_ioctl_get_region_info() or
 * ism_vfio_pci_ioctl_get_region_info(): on failure nothing is copied
 * back.  BARs are never reported mmap-able (docs/zpci-sim.rst, Limits).
 */
static int get_region_info(SimFunction *f, struct vfio_region_info *uri)
{
    struct vfio_region_info info, *ri = &info;
    struct vfio_region_info_cap_type *ct;
    uint32_t rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
    size_t total = sizeof(*ri);
    unsigned idx;

    if (uri->argsz < sizeof(*ri)) {
        return -EINVAL;
    }
    memcpy(ri, uri, sizeof(*ri));
    idx = ri->index;
    ri->cap_offset = 0;
    ri->flags = 0;
    ri->size = 0;
    if (idx < SIM_NUM_BARS) {
        ri->size = f->bars[idx].size;
        ri->flags = ri->size ? rw : 0;
        if (ri->size && f->driver == SIM_DRV_ISM_VFIO_PCI &&
            f->ism_stb_cap) {
            /* kernel/0004: ism_vfio_pci_add_stb_cap() on each BAR */
            struct sim_zpci_stb_cap cap = {
                .id = SIM_REGION_INFO_CAP_ZPCI_STB, .version = 1,
                .max_len = f->maxstbl,
            };

            total = CAP_ALIGN(sizeof(*ri)) + sizeof(cap);
            ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
            if (ri->argsz < total) {
                ri->argsz = total;
            } else {
                memcpy((char *)uri + CAP_ALIGN(sizeof(*ri)), &cap,
                       sizeof(cap));
                ri->cap_offset = CAP_ALIGN(sizeof(*ri));
            }
        }
    } else if (idx == SIM_REGION_CONFIG) {
        ri->size = f->cfg_size;
        ri->flags = rw;
    } else if (SIM_CHECK("ismvp-region-info",
                         f->driver == SIM_DRV_ISM_VFIO_PCI)) {
        /* The ISM variant driver only knows config space and BARs */
        sim_log(f, "get_region_info", "\"index\": %u, \"result\": "
                "\"EINVAL\", \"reason\": \"ism_vfio_pci: no such region\"",
                idx);
        return -EINVAL;
    } else if (idx == SIM_REGION_ROM) {
        /* No option ROM: size 0 */
    } else if (idx == SIM_REGION_ZIO && f->zio != SIM_ZIO_ABSENT &&
               f->driver == SIM_DRV_VFIO_PCI) {
        total = CAP_ALIGN(sizeof(*ri)) + sizeof(*ct);
        ri->size = SIM_ZIO_SIZE;
        ri->flags = rw | VFIO_REGION_INFO_FLAG_CAPS;
        if (ri->argsz < total) {
            ri->argsz = total;
        } else {
            ct = (void *)((char *)uri + CAP_ALIGN(sizeof(*ri)));
            ct->header.id = VFIO_REGION_INFO_CAP_TYPE;
            ct->header.version = 1;
            ct->header.next = 0;
            ct->type = SIM_REGION_TYPE_IBM;
            ct->subtype = SIM_REGION_SUBTYPE_ZPCI_IO;
            ri->cap_offset = CAP_ALIGN(sizeof(*ri));
        }
    } else {
        /*
         * VGA (no legacy VGA here) and indexes past num_regions: a query
         * answered "no", as the kernel does, not a refused operation.
         */
        sim_log(f, "get_region_info", "\"index\": %u, \"result\": "
                "\"EINVAL\", \"reason\": \"no such region\"", idx);
        return -EINVAL;
    }
    ri->offset = sim_region_offset(f, idx);
    memcpy(uri, ri, sizeof(*ri));
    sim_log(f, "get_region_info", "\"index\": %u, \"size\": %llu, "
            "\"result\": 0", idx, (unsigned long long)ri->size);
    return 0;
}

/*
 * vfio_pci_ioctl_get_irq_info(): in Linux 7.2 the ERR index exists for
 * PCI Express functions only, in 7.3 for every function (err_irq_all);
 * every index but INTx is NORESIZE (s390's MSI domain cannot allocate
 * MSI-X vectors dynamically, so has_dyn_msix is false).
 */
static int get_irq_info(SimFunction *f, struct vfio_irq_info *ii)
{
    if (ii->argsz < sizeof(*ii) || ii->index >= SIM_NUM_IRQ_INDEX) {
        return -EINVAL;
    }
    if (SIM_CHECK("irq-err-pcie", ii->index == VFIO_PCI_ERR_IRQ_INDEX &&
                                  !f->pcie && !f->err_irq_all)) {
        sim_log(f, "get_irq_info", "\"index\": %u, \"result\": "
                "\"EINVAL\", \"reason\": \"no ERR index: not a PCI "
                "Express function\"", ii->index);
        return -EINVAL;
    }
    ii->flags = VFIO_IRQ_INFO_EVENTFD;
    if (ii->index == VFIO_PCI_INTX_IRQ_INDEX) {
        ii->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
    } else {
        ii->flags |= VFIO_IRQ_INFO_NORESIZE;
    }
    ii->count = sim_irq_count(f, ii->index);
    sim_log(f, "get_irq_info", "\"index\": %u, \"count\": %u", ii->index,
            ii->count);
    return 0;
}

int sim_device_ioctl(SimFunction *f, unsigned long req, void *arg)
{
    bool cleared;

    switch (req) {
    case VFIO_DEVICE_GET_INFO:
        return get_info(f, arg);
    case VFIO_DEVICE_GET_REGION_INFO:
        return get_region_info(f, arg);
    case VFIO_DEVICE_GET_IRQ_INFO:
        return get_irq_info(f, arg);
    case VFIO_DEVICE_SET_IRQS:
        return sim_set_irqs(f, arg);
    case VFIO_DEVICE_RESET:
        sim_cfg_reset(f);
        if (f->model->reset) {
            f->model->reset(f);
        }
        cleared = f->err_blocked;
        sim_recovery_reset(f);
        sim_log(f, "reset", "\"result\": 0, \"error_state_cleared\": %s, "
                "\"pending\": %u", cleared ? "true" : "false",
                g_queue_get_length(f->pending_errs));
        return 0;
    case VFIO_DEVICE_FEATURE:
        return sim_device_feature(f, arg);
    default:
        sim_error("ioctl(device %s fd %d, 0x%lx, %p): not emulated",
                  f->name, f->device_fd, req, arg);
        return -ENOTTY;
    }
}

/* Split a device fd offset into region index and offset in the region */
static bool decode(SimFunction *f, uint64_t off, unsigned *idx,
                   uint64_t *roff)
{
    unsigned shift = region_shift(f);

    *idx = off >> shift;
    *roff = off & ((1ULL << shift) - 1);
    return *idx < sim_num_regions(f);
}

ssize_t sim_device_pread(SimFunction *f, void *buf, size_t n, off_t off)
{
    unsigned idx;
    uint64_t roff;

    /* ism_vfio_pci_rw(): nothing to do is done before any check */
    if (f->driver == SIM_DRV_ISM_VFIO_PCI && n == 0) {
        return 0;
    }
    if (off < 0 || !decode(f, off, &idx, &roff)) {
        sim_reject(f, "pread", EINVAL, "offset decodes to no region",
                   "\"offset\": %lld, \"len\": %zu", (long long)off, n);
        return -EINVAL;
    }
    if (idx < SIM_NUM_BARS) {
        return sim_bar_pread(f, idx, buf, n, roff);
    }
    if (idx == SIM_REGION_CONFIG) {
        return sim_cfg_pread(f, buf, n, roff);
    }
    if (idx == SIM_REGION_ZIO && f->driver == SIM_DRV_VFIO_PCI) {
        return sim_zio_pread(f, buf, n, roff);
    }
    sim_reject(f, "pread", EINVAL, "region not readable",
               "\"index\": %u, \"offset\": %llu, \"len\": %zu", idx,
               (unsigned long long)roff, n);
    return -EINVAL;
}

ssize_t sim_device_pwrite(SimFunction *f, const void *buf, size_t n,
                          off_t off)
{
    unsigned idx;
    uint64_t roff;

    if (f->driver == SIM_DRV_ISM_VFIO_PCI && n == 0) {
        return 0;
    }
    if (off < 0 || !decode(f, off, &idx, &roff)) {
        sim_reject(f, "pwrite", EINVAL, "offset decodes to no region",
                   "\"offset\": %lld, \"len\": %zu", (long long)off, n);
        return -EINVAL;
    }
    if (idx < SIM_NUM_BARS) {
        return sim_bar_pwrite(f, idx, buf, n, roff);
    }
    if (idx == SIM_REGION_CONFIG) {
        return sim_cfg_pwrite(f, buf, n, roff);
    }
    if (idx == SIM_REGION_ZIO && f->driver == SIM_DRV_VFIO_PCI) {
        return sim_zio_pwrite(f, buf, n, roff);
    }
    sim_reject(f, "pwrite", EINVAL, "region not writable",
               "\"index\": %u, \"offset\": %llu, \"len\": %zu", idx,
               (unsigned long long)roff, n);
    return -EINVAL;
}
