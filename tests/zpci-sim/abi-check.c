/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * zpci-sim: the "extended" host profile is the RFC kernel series of
 * kernel/, not an invention of ours.  kernel/check compiles this file
 * against the uapi headers that the patched Linux tree installs
 * (make headers_install): each constant and layout the simulator uses for
 * the series' interfaces must be the one the series defines, or the
 * compilation fails and names the pair.
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */

#include <stddef.h>
#include <linux/vfio.h>
#include <linux/vfio_zdev.h>

#include "zpci-sim.h"

#define SAME(sim, kernel) \
    _Static_assert((sim) == (kernel), #sim " is not " #kernel)

/* vfio_pci_zdev.c zpci_group_cap(): the relaxed flag (kernel/0002) */
SAME(SIM_GROUP_FLAG_RELAXED, VFIO_DEVICE_INFO_ZPCI_FLAG_RELAXED);
SAME(SIM_GROUP_FLAG_REFRESH, VFIO_DEVICE_INFO_ZPCI_FLAG_REFRESH);

/* The zPCI I/O region (kernel/0003): its type, header and request */
SAME(SIM_REGION_TYPE_IBM,
     VFIO_REGION_TYPE_PCI_VENDOR_TYPE | 0x1014 /* PCI_VENDOR_ID_IBM */);
SAME(SIM_REGION_SUBTYPE_ZPCI_IO, VFIO_REGION_SUBTYPE_IBM_ZPCI_IO);
SAME(SIM_ZIO_SIZE, sizeof(struct vfio_region_zpci_io));
SAME(SIM_ZIO_HDR_SIZE, offsetof(struct vfio_region_zpci_io, req));
SAME(SIM_ZIO_HDR_STORE, VFIO_ZPCI_IO_HDR_STORE);
SAME(SIM_ZIO_HDR_NO_MIO, VFIO_ZPCI_IO_HDR_NO_MIO);
SAME(SIM_ZIO_REQ_READ, VFIO_ZPCI_IO_READ);
SAME(SIM_ZIO_REQ_BLOCKW, VFIO_ZPCI_IO_BLOCKW);
SAME(SIM_ZIO_REQ_STORE, VFIO_ZPCI_IO_STORE);

#define FIELD(s, k, f) \
    SAME(offsetof(struct s, f), offsetof(struct k, f)); \
    SAME(sizeof(((struct s *)0)->f), sizeof(((struct k *)0)->f))

SAME(sizeof(struct sim_zio_hdr), sizeof(struct vfio_zpci_io_hdr));
FIELD(sim_zio_hdr, vfio_zpci_io_hdr, flags);
FIELD(sim_zio_hdr, vfio_zpci_io_hdr, max);
FIELD(sim_zio_hdr, vfio_zpci_io_hdr, reserved);
FIELD(sim_zio_hdr, vfio_zpci_io_hdr, reserved2);
SAME(sizeof(struct sim_zio_req), sizeof(struct vfio_zpci_io_req));
FIELD(sim_zio_req, vfio_zpci_io_req, flags);
FIELD(sim_zio_req, vfio_zpci_io_req, gaddr);
FIELD(sim_zio_req, vfio_zpci_io_req, offset);
FIELD(sim_zio_req, vfio_zpci_io_req, reserved);
FIELD(sim_zio_req, vfio_zpci_io_req, len);
FIELD(sim_zio_req, vfio_zpci_io_req, pcias);
FIELD(sim_zio_req, vfio_zpci_io_req, reserved2);

/* ism_vfio_pci's region-info capability (kernel/0004) */
SAME(SIM_REGION_INFO_CAP_ZPCI_STB, VFIO_REGION_INFO_CAP_ZPCI_STB);
SAME(sizeof(struct sim_zpci_stb_cap),
     sizeof(struct vfio_region_info_cap_zpci_stb));
SAME(offsetof(struct sim_zpci_stb_cap, id),
     offsetof(struct vfio_region_info_cap_zpci_stb, header.id));
SAME(offsetof(struct sim_zpci_stb_cap, version),
     offsetof(struct vfio_region_info_cap_zpci_stb, header.version));
SAME(offsetof(struct sim_zpci_stb_cap, next),
     offsetof(struct vfio_region_info_cap_zpci_stb, header.next));
FIELD(sim_zpci_stb_cap, vfio_region_info_cap_zpci_stb, flags);
FIELD(sim_zpci_stb_cap, vfio_region_info_cap_zpci_stb, max_len);
FIELD(sim_zpci_stb_cap, vfio_region_info_cap_zpci_stb, reserved);

int main(void)
{
    return 0;
}
