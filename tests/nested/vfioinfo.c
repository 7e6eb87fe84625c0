// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What L1's kernel tells a vfio user about a PCI function: the zPCI
 * capabilities of VFIO_DEVICE_GET_INFO, the ERR irq index and the zPCI
 * error feature.  A static s390x program in the nested test's L1
 * initramfs (tests/nested/l1-init runs it for every bound function
 * before the L2 QEMUs start), so that the suite sees the capability
 * chain the real host kernel gives the L2 fork.
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Usage: vfioinfo BDF...   one line per function on stdout:
 *
 *   @@ vfioinfo BDF driver=D iommu_group=N base=V pft=P fh=0x.. ccdf=N
 *      group=V maxstbl=N imaxstbl=N gflags=0x.. err_count=N
 *      err_flags=0x.. zpci_err_probe=ok|ERRNO zpci_err_get=ok|ERRNO
 *   @@ vfioinfo BDF fail: STEP: MESSAGE
 *
 * base/group are the versions of the BASE and GROUP capabilities (- when
 * absent), ccdf the BASE capability's ccdf_err_length (version 3 and
 * later, - before); err_count the count of VFIO_PCI_ERR_IRQ_INDEX (- when
 * VFIO_DEVICE_GET_IRQ_INFO refuses the index); zpci_err_probe the answer
 * to a PROBE of VFIO_DEVICE_FEATURE_ZPCI_ERROR with GET, zpci_err_get
 * that to a GET (ENOMSG: no error pending).
 *
 * Built with the system's cross headers (Linux 6.1 uapi): what later
 * kernels added (BASE version 3, the error feature) is defined here.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <linux/vfio_zdev.h>

/* include/uapi/linux/vfio.h of Linux 7.3 */
#define NESTED_VFIO_DEVICE_FEATURE_ZPCI_ERROR 13
struct nested_vfio_device_feature_zpci_err {
    __aligned_u64 data;
};

/*
 * include/uapi/linux/vfio_zdev.h of Linux 7.3: BASE version 3 appends
 * ccdf_err_length right after fh (the tail padding of version 2's struct,
 * so not at sizeof() of the 6.1 struct).
 */
#define ZPCI_BASE_CCDF_OFFSET \
    (offsetof(struct vfio_device_info_cap_zpci_base, fh) + sizeof(__u32))

/* Room for a pending error record (Linux 7.3: 32 bytes) */
#define CCDF_MAX 4096

static char line[1024];
static size_t used;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void put(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    used += vsnprintf(line + used, sizeof(line) - used, fmt, ap);
    va_end(ap);
    if (used >= sizeof(line)) {
        used = sizeof(line) - 1;
    }
}

static const char *err_name(int e)
{
    static char buf[16];

    switch (e) {
    case 0: return "ok";
    case ENOMSG: return "ENOMSG";
    case ENOTTY: return "ENOTTY";
    case EINVAL: return "EINVAL";
    case ENODEV: return "ENODEV";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EPERM: return "EPERM";
    default:
        snprintf(buf, sizeof(buf), "errno%d", e);
        return buf;
    }
}

static int fail(const char *bdf, const char *step)
{
    printf("@@ vfioinfo %s fail: %s: %s\n", bdf, step, strerror(errno));
    fflush(stdout);
    return 1;
}

static const char *link_base(const char *bdf, const char *name, char *buf,
                             size_t len)
{
    char path[256], target[256];
    ssize_t n;

    snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, name);
    n = readlink(path, target, sizeof(target) - 1);
    if (n < 0) {
        return NULL;
    }
    target[n] = 0;
    snprintf(buf, len, "%s", basename(target));
    return buf;
}

static struct vfio_device_info *device_info(int dev)
{
    struct vfio_device_info *info;
    size_t sz = sizeof(*info);

    for (;;) {
        info = calloc(1, sz);
        if (!info) {
            return NULL;
        }
        info->argsz = sz;
        if (ioctl(dev, VFIO_DEVICE_GET_INFO, info)) {
            free(info);
            return NULL;
        }
        if (info->argsz <= sz) {
            return info;
        }
        sz = info->argsz;
        free(info);
    }
}

static struct vfio_info_cap_header *find_cap(struct vfio_device_info *info,
                                             uint16_t id)
{
    uint32_t off;

    if (!(info->flags & VFIO_DEVICE_FLAGS_CAPS)) {
        return NULL;
    }
    for (off = info->cap_offset; off; ) {
        struct vfio_info_cap_header *h;

        if (off < sizeof(*info) || off + sizeof(*h) > info->argsz) {
            return NULL;
        }
        h = (void *)((char *)info + off);
        if (h->id == id) {
            return h;
        }
        if (h->next && h->next <= off) {
            return NULL;    /* a loop */
        }
        off = h->next;
    }
    return NULL;
}

static void report_caps(struct vfio_device_info *info)
{
    struct vfio_info_cap_header *h;

    h = find_cap(info, VFIO_DEVICE_INFO_CAP_ZPCI_BASE);
    if (h) {
        struct vfio_device_info_cap_zpci_base *b = (void *)h;
        char *ccdf = (char *)h + ZPCI_BASE_CCDF_OFFSET;
        __u32 len;

        put(" base=%u pft=%u", h->version, b->pft);
        if (h->version >= 2) {
            put(" fh=0x%x", b->fh);
        }
        if (h->version >= 3 &&
            ccdf + sizeof(len) <= (char *)info + info->argsz) {
            memcpy(&len, ccdf, sizeof(len));
            put(" ccdf=%u", len);
        } else {
            put(" ccdf=-");
        }
    } else {
        put(" base=-");
    }
    h = find_cap(info, VFIO_DEVICE_INFO_CAP_ZPCI_GROUP);
    if (h) {
        struct vfio_device_info_cap_zpci_group *g = (void *)h;

        put(" group=%u maxstbl=%u imaxstbl=%u gflags=0x%llx", h->version,
            g->maxstbl, h->version >= 2 ? g->imaxstbl : 0,
            (unsigned long long)g->flags);
    } else {
        put(" group=-");
    }
}

static int feature_err(int dev, uint32_t flags, void *ccdf)
{
    char buf[sizeof(struct vfio_device_feature) +
             sizeof(struct nested_vfio_device_feature_zpci_err)]
        __attribute__((aligned(8)));
    struct vfio_device_feature *f = (void *)buf;
    struct nested_vfio_device_feature_zpci_err *e = (void *)f->data;

    memset(buf, 0, sizeof(buf));
    f->argsz = sizeof(buf);
    f->flags = flags | NESTED_VFIO_DEVICE_FEATURE_ZPCI_ERROR;
    e->data = (uintptr_t)ccdf;
    return ioctl(dev, VFIO_DEVICE_FEATURE, f) ? errno : 0;
}

static int one(int container, const char *bdf)
{
    char drv[64], grp[64], path[96];
    struct vfio_group_status st = { .argsz = sizeof(st) };
    struct vfio_irq_info irq = { .argsz = sizeof(irq) };
    struct vfio_device_info *info;
    static unsigned char ccdf[CCDF_MAX];
    int group, dev;

    used = 0;
    if (!link_base(bdf, "iommu_group", grp, sizeof(grp))) {
        return fail(bdf, "iommu_group link");
    }
    put("@@ vfioinfo %s driver=%s iommu_group=%s", bdf,
        link_base(bdf, "driver", drv, sizeof(drv)) ? drv : "-", grp);
    snprintf(path, sizeof(path), "/dev/vfio/%s", grp);
    group = open(path, O_RDWR);
    if (group < 0) {
        return fail(bdf, path);
    }
    if (ioctl(group, VFIO_GROUP_GET_STATUS, &st) ||
        !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
        close(group);
        return fail(bdf, "group not viable");
    }
    if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
        close(group);
        return fail(bdf, "VFIO_GROUP_SET_CONTAINER");
    }
    /* The container's IOMMU can be set once its group is in */
    if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
        ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU)) {
        ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
        close(group);
        return fail(bdf, "VFIO_SET_IOMMU");
    }
    dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
    if (dev < 0) {
        ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
        close(group);
        return fail(bdf, "VFIO_GROUP_GET_DEVICE_FD");
    }
    info = device_info(dev);
    if (!info) {
        close(dev);
        ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
        close(group);
        return fail(bdf, "VFIO_DEVICE_GET_INFO");
    }
    report_caps(info);
    free(info);
    irq.index = VFIO_PCI_ERR_IRQ_INDEX;
    if (ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &irq)) {
        put(" err_count=- err_info=%s", err_name(errno));
    } else {
        put(" err_count=%u err_flags=0x%x", irq.count, irq.flags);
    }
    put(" zpci_err_probe=%s", err_name(feature_err(
        dev, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET, NULL)));
    put(" zpci_err_get=%s", err_name(feature_err(
        dev, VFIO_DEVICE_FEATURE_GET, ccdf)));
    close(dev);
    ioctl(group, VFIO_GROUP_UNSET_CONTAINER);
    close(group);
    printf("%s\n", line);
    fflush(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    int i, rc = 0;

    for (i = 1; i < argc; i++) {
        /* One container per function: each is its own IOMMU group */
        int container = open("/dev/vfio/vfio", O_RDWR);

        if (container < 0) {
            rc |= fail(argv[i], "/dev/vfio/vfio");
            continue;
        }
        if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
            errno = EPROTO;
            rc |= fail(argv[i], "VFIO_GET_API_VERSION");
        } else {
            rc |= one(container, argv[i]);
        }
        close(container);
    }
    return rc;
}
