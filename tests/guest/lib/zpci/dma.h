/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * A simple zPCI DMA address space: iova = pba + guest real address.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * Three-level translation (region table -> segment tables -> page tables,
 * 4 KiB pages) built in static memory.  Unused entries are marked invalid
 * (never zero: QEMU treats a zero entry as a translation error).
 */
#ifndef ZT_ZPCI_DMA_H
#define ZT_ZPCI_DMA_H

#include "libc.h"

struct zpci_dma_space {
    uint64_t pba;               /* first iova */
    uint64_t pal;               /* last iova */
    uint64_t *rt;               /* region table */
};

/* Set up an aperture of size bytes starting at sdma; nothing mapped */
void zpci_dma_init(struct zpci_dma_space *s, uint64_t sdma, uint64_t size);
/* I/O translation anchor to register with MPCIFC */
uint64_t zpci_dma_iota(struct zpci_dma_space *s);
/* Map [buf, buf + len) and return its iova in *iova; -1 if out of room */
int zpci_dma_map(struct zpci_dma_space *s, const void *buf, size_t len,
                 uint64_t *iova);

/*
 * Alias the whole table tree: every region table entry designates one
 * segment table, every segment table entry one page table, and that page
 * table's 256 entries are all invalid (frame == 0) or all map frame.  The
 * aperture's 4 TiB then reach one page table: what a hostile guest gives
 * RPCIT to walk.
 */
void zpci_dma_alias(struct zpci_dma_space *s, uint64_t frame);

#endif
