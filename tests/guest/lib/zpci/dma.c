/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * A simple zPCI DMA address space: iova = pba + guest real address.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#include "zpci/dma.h"
#include "zpci/mpcifc.h"

#define RT_ENTRIES      2048
#define ST_ENTRIES      2048
#define PT_ENTRIES      256

#define ENTRY_INVALID   0x20ull     /* region and segment table entries */
#define RTE_TYPE_RTX    0x04ull
#define RTE_LEN_RTX     0x03ull
#define PTE_INVALID     0x400ull

#define N_ST            4
#define N_PT            128

static uint64_t rt_mem[RT_ENTRIES] ALIGNED(16384);
static uint64_t st_pool[N_ST][ST_ENTRIES] ALIGNED(16384);
static uint64_t pt_pool[N_PT][PT_ENTRIES] ALIGNED(2048);
static int st_used, pt_used;

void zpci_dma_init(struct zpci_dma_space *s, uint64_t sdma, uint64_t size)
{
    s->pba = sdma & ~0xfffull;
    s->pal = s->pba + size - 1;
    s->rt = rt_mem;
    for (int i = 0; i < RT_ENTRIES; i++) {
        rt_mem[i] = ENTRY_INVALID;
    }
    st_used = 0;
    pt_used = 0;
}

uint64_t zpci_dma_iota(struct zpci_dma_space *s)
{
    return (uintptr_t)s->rt | ZPCI_IOTA_RTTO_FLAG;
}

static uint64_t *next_table(uint64_t *entry, bool segment)
{
    uint64_t *t;

    if (!(*entry & ENTRY_INVALID)) {
        return (uint64_t *)(uintptr_t)(*entry & (segment ? ~0x3fffull :
                                                 ~0x7ffull));
    }
    if (segment) {
        if (st_used == N_ST) {
            return NULL;
        }
        t = st_pool[st_used++];
        for (int i = 0; i < ST_ENTRIES; i++) {
            t[i] = ENTRY_INVALID;
        }
        *entry = (uintptr_t)t | RTE_TYPE_RTX | RTE_LEN_RTX;
    } else {
        if (pt_used == N_PT) {
            return NULL;
        }
        t = pt_pool[pt_used++];
        for (int i = 0; i < PT_ENTRIES; i++) {
            t[i] = PTE_INVALID;
        }
        *entry = (uintptr_t)t;
    }
    return t;
}

int zpci_dma_map(struct zpci_dma_space *s, const void *buf, size_t len,
                 uint64_t *iova)
{
    uint64_t phys = (uintptr_t)buf & ~0xfffull;
    uint64_t end = (uintptr_t)buf + len;

    if (s->pba + end - 1 > s->pal) {
        return -1;
    }
    for (; phys < end; phys += 4096) {
        uint64_t io = s->pba + phys;
        uint64_t *st, *pt;

        st = next_table(&s->rt[(io >> 31) & 0x7ff], true);
        if (!st) {
            return -1;
        }
        pt = next_table(&st[(io >> 20) & 0x7ff], false);
        if (!pt) {
            return -1;
        }
        pt[(io >> 12) & 0xff] = phys;
    }
    *iova = s->pba + (uintptr_t)buf;
    return 0;
}

void zpci_dma_alias(struct zpci_dma_space *s, uint64_t frame)
{
    uint64_t *st = st_pool[0], *pt = pt_pool[0];

    for (int i = 0; i < PT_ENTRIES; i++) {
        pt[i] = frame ? (frame & ~0xfffull) : PTE_INVALID;
    }
    for (int i = 0; i < ST_ENTRIES; i++) {
        st[i] = (uintptr_t)pt;
    }
    for (int i = 0; i < RT_ENTRIES; i++) {
        s->rt[i] = (uintptr_t)st | RTE_TYPE_RTX | RTE_LEN_RTX;
    }
    st_used = N_ST;
    pt_used = N_PT;
}
