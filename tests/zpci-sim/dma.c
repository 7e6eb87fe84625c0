/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: type1 IOMMU: DMA map table (iova -> QEMU vaddr) and its limit.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/vfio.h>

#include "zpci-sim.h"

/* Functions whose group is attached to container c */
static GPtrArray *container_functions(SimContainer *c)
{
    GPtrArray *list = g_ptr_array_new();
    guint i;

    for (i = 0; i < sim.functions->len; i++) {
        SimFunction *f = g_ptr_array_index(sim.functions, i);

        if (f->grp && f->grp->container == c) {
            g_ptr_array_add(list, f);
        }
    }
    return list;
}

static void aperture(SimContainer *c, uint64_t *start, uint64_t *end)
{
    GPtrArray *fns = container_functions(c);
    guint i;

    *start = 0;
    *end = UINT64_MAX;
    /* The usable window is what every function in the container allows */
    for (i = 0; i < fns->len; i++) {
        SimFunction *f = g_ptr_array_index(fns, i);

        *start = MAX(*start, f->start_dma);
        *end = MIN(*end, f->end_dma);
    }
    g_ptr_array_free(fns, TRUE);
}

void sim_container_iommu_info(SimContainer *c, void *arg)
{
    struct vfio_iommu_type1_info *info = arg;
    struct vfio_iommu_type1_info_cap_iova_range *range;
    struct vfio_iommu_type1_info_dma_avail *avail;
    size_t base = sizeof(*info);
    size_t range_sz = sizeof(*range) + sizeof(struct vfio_iova_range);
    size_t avail_off = base + ((range_sz + 7) & ~7UL);
    size_t total = avail_off + sizeof(*avail);
    uint32_t argsz = info->argsz;
    uint64_t start, end;

    info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
    info->iova_pgsizes = SIM_PAGE_SIZE;
    if (argsz < total) {
        info->argsz = total;
        info->cap_offset = 0;
        return;
    }
    aperture(c, &start, &end);
    memset((char *)info + base, 0, total - base);
    info->cap_offset = base;
    range = (void *)((char *)info + base);
    range->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
    range->header.version = 1;
    range->header.next = avail_off;
    range->nr_iovas = 1;
    range->iova_ranges[0].start = start;
    range->iova_ranges[0].end = end;
    avail = (void *)((char *)info + avail_off);
    avail->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
    avail->header.version = 1;
    avail->header.next = 0;
    avail->avail = c->dma_avail;
}

/* Log a container-level op on every function of the container */
static void log_all(SimContainer *c, const char *op, int err,
                    const char *reason, uint64_t iova, uint64_t size)
{
    GPtrArray *fns = container_functions(c);
    guint i;

    for (i = 0; i < fns->len; i++) {
        SimFunction *f = g_ptr_array_index(fns, i);

        if (err) {
            sim_reject(f, op, err, reason,
                       "\"iova\": %llu, \"len\": %llu",
                       (unsigned long long)iova, (unsigned long long)size);
        } else {
            sim_log(f, op, "\"iova\": %llu, \"len\": %llu, \"result\": 0",
                    (unsigned long long)iova, (unsigned long long)size);
        }
    }
    g_ptr_array_free(fns, TRUE);
}

static bool vaddr_mapped(uint64_t vaddr, uint64_t size)
{
    unsigned char vec;

    /* mincore fails with ENOMEM on an unmapped page: probe both ends */
    if (mincore((void *)vaddr, SIM_PAGE_SIZE, &vec) != 0) {
        return false;
    }
    return mincore((void *)(vaddr + size - SIM_PAGE_SIZE), SIM_PAGE_SIZE,
                   &vec) == 0;
}

int sim_dma_map(SimContainer *c, SimFunction *unused, void *arg)
{
    struct vfio_iommu_type1_dma_map *map = arg;
    uint32_t known = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    uint64_t start, end;
    GPtrArray *fns;
    SimDmaMap m;
    guint i;
    bool inject = false;

    if (map->argsz < sizeof(*map)) {
        return -EINVAL;
    }
    if (map->flags & ~known) {
        sim_error("VFIO_IOMMU_MAP_DMA flags 0x%x not emulated", map->flags);
        return -EINVAL;
    }
    c->map_requests++;
    fns = container_functions(c);
    for (i = 0; i < fns->len; i++) {
        SimFunction *f = g_ptr_array_index(fns, i);

        if (f->refuse_dma_map && f->refuse_dma_map == c->map_requests) {
            inject = true;
        }
    }
    g_ptr_array_free(fns, TRUE);
    if (inject) {
        log_all(c, "dma_map", ENOMEM, "injected: refuse-dma-map",
                map->iova, map->size);
        return -ENOMEM;
    }
    if (SIM_CHECK("dma-align", !map->size ||
                               (map->size | map->iova | map->vaddr) %
                               SIM_PAGE_SIZE ||
                               map->iova + map->size - 1 < map->iova)) {
        log_all(c, "dma_map", EINVAL, "size/iova/vaddr not page aligned",
                map->iova, map->size);
        return -EINVAL;
    }
    aperture(c, &start, &end);
    if (SIM_CHECK("dma-aperture", map->iova < start ||
                                  map->iova + map->size - 1 > end)) {
        log_all(c, "dma_map", EINVAL, "iova outside the DMA aperture",
                map->iova, map->size);
        return -EINVAL;
    }
    for (i = 0; i < c->maps->len; i++) {
        SimDmaMap *o = &g_array_index(c->maps, SimDmaMap, i);

        if (SIM_CHECK("dma-overlap", map->iova < o->iova + o->size &&
                                     o->iova < map->iova + map->size)) {
            log_all(c, "dma_map", EEXIST, "overlaps an existing mapping",
                    map->iova, map->size);
            return -EEXIST;
        }
    }
    if (SIM_CHECK("dma-limit", c->dma_avail == 0)) {
        log_all(c, "dma_map", ENOSPC, "DMA mapping limit reached",
                map->iova, map->size);
        return -ENOSPC;
    }
    if (!vaddr_mapped(map->vaddr, map->size)) {
        log_all(c, "dma_map", EFAULT, "vaddr not mapped in the process",
                map->iova, map->size);
        return -EFAULT;
    }
    m.iova = map->iova;
    m.size = map->size;
    m.vaddr = map->vaddr;
    m.flags = map->flags;
    g_array_append_val(c->maps, m);
    c->dma_avail--;
    log_all(c, "dma_map", 0, NULL, map->iova, map->size);
    return 0;
}

int sim_dma_unmap(SimContainer *c, void *arg)
{
    struct vfio_iommu_type1_dma_unmap *um = arg;
    uint64_t first, last, done = 0;
    guint i;

    if (um->argsz < sizeof(*um)) {
        return -EINVAL;
    }
    if (um->flags & ~VFIO_DMA_UNMAP_FLAG_ALL) {
        sim_error("VFIO_IOMMU_UNMAP_DMA flags 0x%x not emulated", um->flags);
        return -EINVAL;
    }
    if (um->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
        if (um->iova || um->size) {
            return -EINVAL;
        }
        first = 0;
        last = UINT64_MAX;
    } else {
        if (!um->size || (um->iova | um->size) % SIM_PAGE_SIZE) {
            log_all(c, "dma_unmap", EINVAL, "not page aligned", um->iova,
                    um->size);
            return -EINVAL;
        }
        first = um->iova;
        last = um->iova + um->size - 1;
    }
    /* type1v2: a range that bisects a mapping is refused */
    for (i = 0; i < c->maps->len; i++) {
        SimDmaMap *m = &g_array_index(c->maps, SimDmaMap, i);
        uint64_t mlast = m->iova + m->size - 1;

        if (SIM_CHECK("dma-unmap-bisect", m->iova <= last &&
                      first <= mlast && (m->iova < first || mlast > last))) {
            log_all(c, "dma_unmap", EINVAL, "range bisects a mapping",
                    um->iova, um->size);
            return -EINVAL;
        }
    }
    for (i = 0; i < c->maps->len;) {
        SimDmaMap *m = &g_array_index(c->maps, SimDmaMap, i);

        if (m->iova >= first && m->iova + m->size - 1 <= last) {
            done += m->size;
            g_array_remove_index_fast(c->maps, i);
            c->dma_avail++;
        } else {
            i++;
        }
    }
    um->size = done;
    log_all(c, "dma_unmap", 0, NULL, um->iova, done);
    return 0;
}

static SimDmaMap *find_map(SimContainer *c, uint64_t iova)
{
    guint i;

    for (i = 0; i < c->maps->len; i++) {
        SimDmaMap *m = &g_array_index(c->maps, SimDmaMap, i);

        if (iova >= m->iova && iova - m->iova < m->size) {
            return m;
        }
    }
    return NULL;
}

/* QEMU address of iova..iova+len-1 if one mapping covers it all */
void *sim_dma_ptr(SimFunction *f, uint64_t iova, uint64_t len)
{
    SimContainer *c = f->grp ? f->grp->container : NULL;
    SimDmaMap *m;

    if (!c || !len) {
        return NULL;
    }
    m = find_map(c, iova);
    if (!m || len > m->size - (iova - m->iova)) {
        return NULL;
    }
    return (void *)(uintptr_t)(m->vaddr + (iova - m->iova));
}

/*
 * Device DMA of len bytes at iova, split at mapping boundaries.  Fails
 * (without a partial transfer) when any byte is unmapped or lacks the
 * permission; that is an error the device reports, not a host crash.
 */
bool sim_dma_check(SimFunction *f, uint64_t iova, uint64_t len, bool write)
{
    SimContainer *c = f->grp ? f->grp->container : NULL;
    uint32_t need = write ? VFIO_DMA_MAP_FLAG_WRITE : VFIO_DMA_MAP_FLAG_READ;
    uint64_t pos, chunk;
    SimDmaMap *m;

    if (!c || !len || iova + len - 1 < iova) {
        return false;
    }
    for (pos = 0; pos < len; pos += chunk) {
        m = find_map(c, iova + pos);
        if (!m || !(m->flags & need)) {
            return false;
        }
        chunk = MIN(len - pos, m->size - (iova + pos - m->iova));
    }
    return true;
}

bool sim_dma_rw(SimFunction *f, uint64_t iova, void *buf, uint64_t len,
                bool write)
{
    SimContainer *c = f->grp ? f->grp->container : NULL;
    uint64_t pos, chunk;
    SimDmaMap *m;

    if (!sim_dma_check(f, iova, len, write)) {
        return false;
    }
    for (pos = 0; pos < len; pos += chunk) {
        void *p;

        m = find_map(c, iova + pos);
        chunk = MIN(len - pos, m->size - (iova + pos - m->iova));
        p = (void *)(uintptr_t)(m->vaddr + (iova + pos - m->iova));
        if (write) {
            memcpy(p, (char *)buf + pos, chunk);
        } else {
            memcpy((char *)buf + pos, p, chunk);
        }
    }
    return true;
}
