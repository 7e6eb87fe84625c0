/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: the zPCI I/O region: one 32-byte request write = one legacy
 * PCI instruction, data passed by process address.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "zpci-sim.h"

struct sim_zio_hdr {
    uint64_t flags;
    uint16_t max;
    uint16_t reserved;
    uint32_t reserved2;
};

struct sim_zio_req {
    uint64_t flags;
    uint64_t gaddr;
    uint64_t offset;
    uint32_t reserved;
    uint16_t len;
    uint8_t pcias;
    uint8_t reserved2;
};

G_STATIC_ASSERT(sizeof(struct sim_zio_hdr) == SIM_ZIO_HDR_SIZE);
G_STATIC_ASSERT(sizeof(struct sim_zio_req) == SIM_ZIO_REQ_SIZE);

static void req_reject(SimFunction *f, const char *op, int err,
                       const char *why, const struct sim_zio_req *r)
{
    sim_reject(f, op, err, why, "\"flags\": %llu, \"pcias\": %u, "
               "\"offset\": %llu, \"len\": %u, \"gaddr\": %llu",
               (unsigned long long)r->flags, r->pcias,
               (unsigned long long)r->offset, r->len,
               (unsigned long long)r->gaddr);
}

static void zio_header(SimFunction *f, struct sim_zio_hdr *h)
{
    memset(h, 0, sizeof(*h));
    h->flags = f->zio == SIM_ZIO_STORE ? SIM_ZIO_HDR_STORE : 0;
    h->max = f->maxstbl;
}

ssize_t sim_zio_pread(SimFunction *f, void *buf, size_t n, uint64_t off)
{
    struct sim_zio_hdr h;

    if (off >= SIM_ZIO_HDR_SIZE || n > SIM_ZIO_HDR_SIZE - off) {
        sim_reject(f, "zio_read", EINVAL, "only the header is readable",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EINVAL;
    }
    zio_header(f, &h);
    memcpy(buf, (char *)&h + off, n);
    sim_log(f, "zio_hdr_read", "\"offset\": %llu, \"len\": %zu, "
            "\"result\": 0", (unsigned long long)off, n);
    return n;
}

static bool user_buf_ok(uint64_t gaddr)
{
    unsigned char vec;

    return mincore((void *)(uintptr_t)(gaddr & ~(SIM_PAGE_SIZE - 1)),
                   SIM_PAGE_SIZE, &vec) == 0;
}

static const char *op_of(uint64_t flags)
{
    switch (flags) {
    case SIM_ZIO_REQ_READ:
        return "zio_load";
    case SIM_ZIO_REQ_BLOCKW:
        return "zio_block";
    case SIM_ZIO_REQ_STORE:
        return "zio_store";
    default:
        return "zio_request";
    }
}

/* Host-side checks of a request; NULL when it may be performed */
static const char *req_invalid(SimFunction *f, const struct sim_zio_req *r)
{
    uint64_t known = SIM_ZIO_REQ_READ | SIM_ZIO_REQ_BLOCKW |
                     SIM_ZIO_REQ_STORE;

    if (r->flags & ~known) {
        return "unknown request flag bits";
    }
    if (r->flags != SIM_ZIO_REQ_READ && r->flags != SIM_ZIO_REQ_BLOCKW &&
        r->flags != SIM_ZIO_REQ_STORE) {
        return "request must name exactly one operation";
    }
    if (r->flags == SIM_ZIO_REQ_STORE && f->zio != SIM_ZIO_STORE) {
        return "STORE not offered by this host (header STORE bit clear)";
    }
    if (r->reserved || r->reserved2) {
        return "reserved request fields not zero";
    }
    if (r->pcias >= SIM_NUM_BARS || !f->bars[r->pcias].size) {
        return "pcias is not an implemented BAR";
    }
    if (r->len == 0) {
        return "zero length";
    }
    if (r->flags != SIM_ZIO_REQ_BLOCKW &&
        (r->len > 8 || (r->offset % 8) + r->len > 8)) {
        return "load/store length 1..8 within a doubleword";
    }
    if (r->flags == SIM_ZIO_REQ_BLOCKW && r->len > f->maxstbl) {
        return "BLOCKW longer than hdr.max";
    }
    if (r->flags == SIM_ZIO_REQ_BLOCKW &&
        (r->offset % SIM_PAGE_SIZE) + r->len > SIM_PAGE_SIZE) {
        return "BLOCKW crosses a 4 KiB boundary";
    }
    if (r->gaddr % 8) {
        return "gaddr not 8-byte aligned";
    }
    if ((r->gaddr % SIM_PAGE_SIZE) + r->len > SIM_PAGE_SIZE) {
        return "gaddr buffer crosses a page";
    }
    return NULL;
}

ssize_t sim_zio_pwrite(SimFunction *f, const void *buf, size_t n,
                       uint64_t off)
{
    struct sim_zio_req r;
    uint8_t data[4096];
    const char *why, *op;
    int ret;

    if (off < SIM_ZIO_HDR_SIZE) {
        sim_reject(f, "zio_request", EINVAL, "write below offset 16",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EINVAL;
    }
    if (off != SIM_ZIO_HDR_SIZE || n != SIM_ZIO_REQ_SIZE) {
        sim_reject(f, "zio_request", EINVAL,
                   "request must be one 32-byte write at offset 16",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EINVAL;
    }
    memcpy(&r, buf, sizeof(r));
    op = op_of(r.flags);
    f->region_requests++;
    if (f->fail_region_request &&
        f->region_requests == f->fail_region_request) {
        req_reject(f, op, EIO, "injected: fail-region-request", &r);
        return -EIO;
    }
    why = req_invalid(f, &r);
    if (why) {
        req_reject(f, op, EINVAL, why, &r);
        return -EINVAL;
    }
    /*
     * backing=memfd: the one system call that carries the request copies
     * from (or, for READ, to) the buffer at gaddr, and so finds an
     * unmapped buffer as the kernel's user copy would; without it, ask
     * mincore().
     */
    if (f->backing != SIM_BACKING_NONE) {
        ret = sim_backing_io(f, r.flags != SIM_ZIO_REQ_READ,
                             (void *)(uintptr_t)r.gaddr, r.len, r.pcias,
                             r.offset);
    } else {
        ret = user_buf_ok(r.gaddr) ? 0 : -EFAULT;
    }
    if (ret) {
        req_reject(f, op, EFAULT, "gaddr not mapped in the process", &r);
        return -EFAULT;
    }
    switch (r.flags) {
    case SIM_ZIO_REQ_READ:
        ret = sim_insn_load(f, op, r.pcias, r.offset, data, r.len, false);
        if (ret == 0) {
            memcpy((void *)(uintptr_t)r.gaddr, data, r.len);
        }
        break;
    case SIM_ZIO_REQ_STORE:
        memcpy(data, (void *)(uintptr_t)r.gaddr, r.len);
        ret = sim_insn_store(f, op, r.pcias, r.offset, data, r.len, false);
        break;
    default:
        memcpy(data, (void *)(uintptr_t)r.gaddr, r.len);
        ret = sim_insn_block(f, op, r.pcias, r.offset, data, r.len);
        break;
    }
    return ret ? ret : (ssize_t)n;
}
