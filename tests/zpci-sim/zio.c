/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * zpci-sim: the zPCI I/O region: one request write = one legacy PCI
 * instruction, data passed by process address.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * As the 2021 kernel series implemented it (vfio_pci_zdev_io_rw() of
 * "vfio-pci/zdev: Introduce the zPCI I/O vfio region", never merged):
 * - reads are clipped at the region's end and may only touch the 16-byte
 *   header (else EFAULT); writes may only touch the 32-byte request area
 *   (else EFAULT), are copied into it (so the request persists between
 *   writes) and then perform the request it holds; at or after the end:
 *   EINVAL;
 * - every refusal of the request and every failure of the instruction
 *   is EIO;
 * - READ is __zpci_load() into the u64 at gaddr: all 8 bytes are
 *   written, the loaded bytes right-justified (s390 is big-endian), the
 *   rest zero; BLOCKW is __zpci_store_block() from gaddr.
 * Ours (profile extended): STORE, a PCI Store of the rightmost len bytes
 * of the big-endian u64 at gaddr, offered when hdr.flags has bit value 1;
 * hdr.flags bit value 2 says that the function does not support the MIO
 * instructions (a host without the bit, like the 2021 code, says nothing
 * about MIO; it used to be a BASE v3 flag, but Linux 7.3 owns BASE
 * version 3).
 * The simulator is stricter than the 2021 code where that code would
 * misread a request: unknown flag bits, two operations at once, non-zero
 * reserved fields, and a READ/STORE whose 8-byte gaddr word crosses a
 * page, are refused too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "zpci-sim.h"


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
    if (f->zio == SIM_ZIO_STORE) {
        h->flags = SIM_ZIO_HDR_STORE;
    }
    /*
     * NO_MIO is ours like STORE: a host with our additions (the extended
     * profile) reports it also where its region does not perform PCI
     * Store (region=present there); the 2021 code reports neither
     */
    if (f->host->zio == SIM_ZIO_STORE && !f->mio) {
        h->flags |= SIM_ZIO_HDR_NO_MIO;
    }
    h->max = f->maxstbl;
}

ssize_t sim_zio_pread(SimFunction *f, void *buf, size_t n, uint64_t off)
{
    struct sim_zio_hdr h;

    if (SIM_CHECK("zio-region-end", off >= SIM_ZIO_SIZE)) {
        sim_reject(f, "zio_read", EINVAL, "at or after the region's end",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EINVAL;
    }
    n = off < SIM_ZIO_SIZE ? MIN(n, SIM_ZIO_SIZE - off) : 0;
    if (SIM_CHECK("zio-hdr-only", off + n > SIM_ZIO_HDR_SIZE)) {
        sim_reject(f, "zio_read", EFAULT, "only the header is readable",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EFAULT;
    }
    zio_header(f, &h);
    /* (a mutant without the header check reads zeros past it) */
    memset(buf, 0, n);
    memcpy(buf, (char *)&h + MIN(off, SIM_ZIO_HDR_SIZE),
           MIN(n, SIM_ZIO_HDR_SIZE - MIN(off, SIM_ZIO_HDR_SIZE)));
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
    bool word = !(r->flags & SIM_ZIO_REQ_BLOCKW) ||
                (r->flags & SIM_ZIO_REQ_READ);
    unsigned need = word ? 8 : r->len;

    if (SIM_CHECK("zio-op-flags", r->flags & ~known)) {
        return "unknown request flag bits";
    }
    if (!(r->flags & known)) {
        return "no operation";
    }
    if (SIM_CHECK("zio-op-flags", r->flags != SIM_ZIO_REQ_READ &&
                                  r->flags != SIM_ZIO_REQ_BLOCKW &&
                                  r->flags != SIM_ZIO_REQ_STORE)) {
        return "request must name exactly one operation";
    }
    if (SIM_CHECK("zio-store-bit", (r->flags & SIM_ZIO_REQ_STORE) &&
                                   f->zio != SIM_ZIO_STORE)) {
        return "STORE not offered by this host (header STORE bit clear)";
    }
    if (SIM_CHECK("zio-reserved", r->reserved || r->reserved2)) {
        return "reserved request fields not zero";
    }
    if (SIM_CHECK("insn-ldst-len", word && r->len > 8)) {
        return "READ/STORE longer than 8 bytes";
    }
    if (SIM_CHECK("pcistb-maxstbl", !word && r->len > f->maxstbl)) {
        return "BLOCKW longer than hdr.max";
    }
    if (SIM_CHECK("zio-gaddr-align", r->gaddr % 8)) {
        return "gaddr not 8-byte aligned";
    }
    if (SIM_CHECK("zio-gaddr-page",
                  (r->gaddr % SIM_PAGE_SIZE) + need > SIM_PAGE_SIZE)) {
        return word ? "gaddr word crosses a page" :
                      "gaddr buffer crosses a page";
    }
    return NULL;
}

ssize_t sim_zio_pwrite(SimFunction *f, const void *buf, size_t n,
                       uint64_t off)
{
    struct sim_zio_req r;
    uint8_t data[SIM_PAGE_SIZE + 8], word[8];
    uint64_t ga;
    const char *why, *op;
    unsigned need, len;
    uint64_t kind;
    int ret;

    if (SIM_CHECK("zio-region-end", off >= SIM_ZIO_SIZE)) {
        sim_reject(f, "zio_request", EINVAL, "at or after the region's end",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EINVAL;
    }
    n = off < SIM_ZIO_SIZE ? MIN(n, SIM_ZIO_SIZE - off) : 0;
    if (SIM_CHECK("zio-req-only", off < SIM_ZIO_HDR_SIZE)) {
        sim_reject(f, "zio_request", EFAULT, "write below offset 16",
                   "\"offset\": %llu, \"len\": %zu",
                   (unsigned long long)off, n);
        return -EFAULT;
    }
    if (off >= SIM_ZIO_HDR_SIZE) {
        memcpy(f->zio_req + (off - SIM_ZIO_HDR_SIZE), buf, n);
    }
    if (off != SIM_ZIO_HDR_SIZE || n != SIM_ZIO_REQ_SIZE) {
        /* Performs what the request area now holds, as the kernel does */
        sim_log(f, "zio_partial_write", "\"offset\": %llu, \"len\": %zu",
                (unsigned long long)off, n);
    }
    memcpy(&r, f->zio_req, sizeof(r));
    op = op_of(r.flags);
    f->region_requests++;
    if (f->fail_region_request &&
        f->region_requests == f->fail_region_request) {
        req_reject(f, op, EIO, "injected: fail-region-request", &r);
        return -EIO;
    }
    why = req_invalid(f, &r);
    if (why) {
        req_reject(f, op, EIO, why, &r);
        return -EIO;
    }
    ga = r.gaddr;
    len = MIN(r.len, SIM_PAGE_SIZE);
    /* As the 2021 code tests them: READ first, then BLOCKW (then ours) */
    kind = r.flags & SIM_ZIO_REQ_READ ? SIM_ZIO_REQ_READ :
           r.flags & SIM_ZIO_REQ_BLOCKW ? SIM_ZIO_REQ_BLOCKW :
           SIM_ZIO_REQ_STORE;
    need = kind == SIM_ZIO_REQ_BLOCKW ? len : 8;
    /*
     * The kernel pins the page at gaddr (get_user_pages_fast(); failure
     * is EIO).  backing=memfd: the one system call that carries the
     * request copies from (or, for READ, to) the buffer at gaddr, and so
     * finds an unmapped buffer as a user copy would; else ask mincore().
     */
    if (f->backing != SIM_BACKING_NONE) {
        ret = sim_backing_io(f, kind != SIM_ZIO_REQ_READ,
                             (void *)(uintptr_t)ga, need, r.pcias,
                             r.offset);
    } else {
        ret = user_buf_ok(ga) ? 0 : -EFAULT;
    }
    if (ret) {
        req_reject(f, op, EIO, "gaddr not mapped in the process", &r);
        return -EIO;
    }
    switch (kind) {
    case SIM_ZIO_REQ_READ:
        ret = sim_insn_load(f, op, r.pcias, r.offset, data, len, false);
        if (ret == 0) {
            /* The u64 the load returns, stored big-endian at gaddr */
            memset(word, 0, sizeof(word));
            if (len <= 8) {
                memcpy(word + 8 - len, data, len);
            } else {
                memcpy(word, data, 8);          /* (mutants only) */
            }
            memcpy((void *)(uintptr_t)ga, word, sizeof(word));
        }
        break;
    case SIM_ZIO_REQ_STORE:
        /* The rightmost len bytes of the big-endian u64 at gaddr */
        memcpy(word, (void *)(uintptr_t)ga, sizeof(word));
        memset(data, 0, 16);
        memcpy(data, word + 8 - MIN(len, 8), MIN(len, 8));
        ret = sim_insn_store(f, op, r.pcias, r.offset, data, len, false);
        break;
    default:
        memcpy(data, (void *)(uintptr_t)ga, len);
        ret = sim_insn_block(f, op, r.pcias, r.offset, data, len);
        break;
    }
    /* "if (ret < 0) count = -EIO" */
    return ret ? -EIO : (ssize_t)n;
}
