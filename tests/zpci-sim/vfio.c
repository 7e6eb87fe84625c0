/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: VFIO container (/dev/vfio/vfio) and group (/dev/vfio/N) files.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/vfio.h>

#include "zpci-sim.h"

static void fd_register(int fd, SimFdKind kind, void *obj)
{
    SimFdObj *o = g_new0(SimFdObj, 1);

    o->kind = kind;
    o->obj = obj;
    g_hash_table_insert(sim.fds, GINT_TO_POINTER(fd), o);
}

static void *fd_lookup(int fd, SimFdKind kind)
{
    SimFdObj *o = g_hash_table_lookup(sim.fds, GINT_TO_POINTER(fd));

    return o && o->kind == kind ? o->obj : NULL;
}

int sim_open_container(void)
{
    SimContainer *c = g_new0(SimContainer, 1);

    c->fd = sim_new_fd();
    if (c->fd < 0) {
        g_free(c);
        return -1;
    }
    c->maps = g_array_new(FALSE, TRUE, sizeof(SimDmaMap));
    c->groups = g_ptr_array_new();
    c->dma_avail = sim.dma_limit;
    g_ptr_array_add(sim.containers, c);
    fd_register(c->fd, SIM_FD_CONTAINER, c);
    return c->fd;
}

int sim_open_group(int id)
{
    SimGroup *g = sim_group_find(id);

    if (!g) {
        sim_error("open(/dev/vfio/%d): no [function] has group=%d", id, id);
        errno = ENOENT;
        return -1;
    }
    if (g->fd >= 0) {
        /* The kernel allows a single open of a group file */
        errno = EBUSY;
        return -1;
    }
    g->fd = sim_new_fd();
    if (g->fd < 0) {
        return -1;
    }
    fd_register(g->fd, SIM_FD_GROUP, g);
    return g->fd;
}

/* Record a group- or container-level call on each function behind it */
static void log_behind(SimGroup *g, SimContainer *c, const char *op,
                       const char *detail)
{
    guint i;

    for (i = 0; i < sim.functions->len; i++) {
        SimFunction *f = g_ptr_array_index(sim.functions, i);

        if ((g && f->grp == g) || (c && f->grp && f->grp->container == c)) {
            sim_log(f, op, "%s", detail);
        }
    }
}

static bool iommu_type_ok(unsigned long type)
{
    return type == VFIO_TYPE1_IOMMU || type == VFIO_TYPE1v2_IOMMU;
}

int sim_container_ioctl(SimContainer *c, unsigned long req, void *arg)
{
    unsigned long type = (unsigned long)arg;

    switch (req) {
    case VFIO_GET_API_VERSION:
        return VFIO_API_VERSION;
    case VFIO_CHECK_EXTENSION:
        /* A query: anything but type1 (v1/v2) is simply not supported */
        return iommu_type_ok(type) ? 1 : 0;
    case VFIO_SET_IOMMU:
        if (c->groups->len == 0 || c->iommu_set) {
            return -EINVAL;
        }
        if (!iommu_type_ok(type)) {
            return -EINVAL;
        }
        c->iommu_set = true;
        c->iommu_type = type;
        log_behind(NULL, c, "set_iommu", type == VFIO_TYPE1v2_IOMMU ?
                   "\"type\": \"type1v2\"" : "\"type\": \"type1\"");
        return 0;
    case VFIO_IOMMU_GET_INFO:
        if (!c->iommu_set) {
            return -EINVAL;
        }
        sim_container_iommu_info(c, arg);
        log_behind(NULL, c, "iommu_info", "\"result\": 0");
        return 0;
    case VFIO_IOMMU_MAP_DMA:
        if (!c->iommu_set) {
            return -EINVAL;
        }
        return sim_dma_map(c, NULL, arg);
    case VFIO_IOMMU_UNMAP_DMA:
        if (!c->iommu_set) {
            return -EINVAL;
        }
        return sim_dma_unmap(c, arg);
    default:
        sim_error("ioctl(container fd %d, 0x%lx, %p): not emulated",
                  c->fd, req, arg);
        return -ENOTTY;
    }
}

static int group_get_device_fd(SimGroup *g, const char *arg)
{
    g_auto(GStrv) words = NULL;
    SimFunction *f;

    if (!g->container || !g->container->iommu_set) {
        return -EINVAL;
    }
    words = g_strsplit(arg, " ", -1);
    if (!words[0] || (words[1] && *words[1])) {
        sim_error("VFIO_GROUP_GET_DEVICE_FD \"%s\": options not emulated",
                  arg);
        return -EINVAL;
    }
    f = sim_function_by_name(words[0]);
    if (!f || f->group != g->id) {
        sim_error("VFIO_GROUP_GET_DEVICE_FD \"%s\": no such function in "
                  "group %d", arg, g->id);
        return -ENODEV;
    }
    if (f->device_fd >= 0) {
        return -EBUSY;
    }
    f->device_fd = sim_new_fd();
    if (f->device_fd < 0) {
        return -errno;
    }
    fd_register(f->device_fd, SIM_FD_DEVICE, f);
    /*
     * vfio_pci_core_enable() at every open: pci_enable_device(), then
     * vfio_config_init() copies the config space; no interrupts enabled;
     * the 2021 zPCI I/O region is allocated afresh.
     */
    sim_cfg_build(f);
    sim_irq_reset(f);
    memset(f->zio_req, 0, sizeof(f->zio_req));
    sim_log(f, "open_device", "\"group\": %d", g->id);
    sim_recovery_open(f);
    return f->device_fd;
}

int sim_group_ioctl(SimGroup *g, unsigned long req, void *arg)
{
    struct vfio_group_status *st = arg;
    SimContainer *c;
    int cfd;

    switch (req) {
    case VFIO_GROUP_GET_STATUS:
        if (st->argsz < sizeof(*st)) {
            return -EINVAL;
        }
        st->flags = VFIO_GROUP_FLAGS_VIABLE;
        if (g->container) {
            st->flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
        }
        log_behind(g, NULL, "group_status", "\"result\": 0");
        return 0;
    case VFIO_GROUP_SET_CONTAINER:
        cfd = *(int *)arg;
        c = fd_lookup(cfd, SIM_FD_CONTAINER);
        if (!c) {
            sim_error("VFIO_GROUP_SET_CONTAINER(group %d, fd %d): not a "
                      "simulated container", g->id, cfd);
            return -EINVAL;
        }
        if (g->container) {
            return -EINVAL;
        }
        g->container = c;
        g_ptr_array_add(c->groups, g);
        log_behind(g, NULL, "set_container", "\"result\": 0");
        return 0;
    case VFIO_GROUP_UNSET_CONTAINER:
        if (!g->container) {
            return -EINVAL;
        }
        log_behind(g, NULL, "unset_container", "\"result\": 0");
        g_ptr_array_remove(g->container->groups, g);
        if (g->container->groups->len == 0) {
            g->container->iommu_set = false;
            g_array_set_size(g->container->maps, 0);
            g->container->dma_avail = sim.dma_limit;
        }
        g->container = NULL;
        return 0;
    case VFIO_GROUP_GET_DEVICE_FD:
        return group_get_device_fd(g, arg);
    default:
        sim_error("ioctl(group %d fd %d, 0x%lx, %p): not emulated", g->id,
                  g->fd, req, arg);
        return -ENOTTY;
    }
}
