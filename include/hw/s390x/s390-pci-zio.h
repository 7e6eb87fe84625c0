/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * s390x zPCI: host interfaces for intercepted passthrough that no Linux
 * release provides (RFC)
 *
 * The zPCI I/O region and the relaxed alignment flag were proposed with a
 * Linux series in 2021 that was not merged; the region's PCI Store request
 * is an extension of that proposal, as is the region's report of a function without MIO
 * support.  They live here, not in linux-headers, until a kernel carries
 * them; update-linux-headers.sh must then replace them.
 *
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */

#ifndef HW_S390_PCI_ZIO_H
#define HW_S390_PCI_ZIO_H

#include <linux/vfio.h>

/* VFIO_DEVICE_INFO_CAP_ZPCI_GROUP flags: relaxed length and alignment */
#define S390_VFIO_ZPCI_GROUP_FLAG_RELAXED 2

/*
 * The zPCI I/O region: a device specific region, type
 * VFIO_REGION_TYPE_PCI_VENDOR_TYPE | PCI_VENDOR_ID_IBM, through which the
 * host performs one PCI Load, PCI Store or PCI Store Block of the function,
 * in the non-MIO form, per request.  The header at offset 0 is read-only.
 * One write of the whole request at its offset performs it; the data
 * travels through the buffer at gaddr, which is 8-byte aligned and does
 * not cross a page.  PCI Load stores, and PCI Store takes, the 8-byte
 * register of the instruction there, with the data right-justified.
 */
#define S390_VFIO_REGION_SUBTYPE_ZPCI_IO 2

struct s390_vfio_zpci_io_hdr {
    uint64_t flags;
#define S390_VFIO_ZPCI_IO_HDR_STORE 1   /* PCI Store requests work */
#define S390_VFIO_ZPCI_IO_HDR_NO_MIO 2  /* the function has no MIO support */
    uint16_t max;                       /* largest PCI Store Block */
    uint16_t reserved;
    uint32_t reserved2;
};

struct s390_vfio_zpci_io_req {
    uint64_t flags;
#define S390_VFIO_ZPCI_IO_READ 1        /* PCI Load */
#define S390_VFIO_ZPCI_IO_BLOCKW 2      /* PCI Store Block */
#define S390_VFIO_ZPCI_IO_STORE 4       /* PCI Store */
    uint64_t gaddr;                     /* address of the data buffer */
    uint64_t offset;                    /* offset in the address space */
    uint32_t reserved;
    uint16_t len;                       /* length in bytes */
    uint8_t pcias;                      /* PCI address space (BAR) */
    uint8_t reserved2;
};

struct s390_vfio_zpci_io {
    struct s390_vfio_zpci_io_hdr hdr;
    struct s390_vfio_zpci_io_req req;
};

#endif
