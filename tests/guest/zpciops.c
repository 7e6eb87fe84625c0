/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 * Scripted PCI Load, PCI Store and PCI Store Block for the e2e suites.
 * Copyright (c) 2026 The qemu-s390x-ism authors
 *
 * The payload enables one function and performs a list of operations
 * taken from the parameter block, reporting what each one did; the
 * host-side suite decides what was right.  Parameters:
 *
 *   fid          function to enable (required)
 *   n            number of operations (at most 64)
 *   opN          lg, stg or stb (N = 0 .. n-1)
 *   barN         address space (0-5 BARs; any value is passed through)
 *   offN lenN    offset and length
 *   valN         stg: the register value
 *   misN         stb: the block starts misN bytes after a page boundary
 *                of the payload's buffer (8: aligned, 4: not doubleword
 *                aligned, ...)
 *   chkN         stb: after condition code 0, read the block back with
 *                naturally aligned PCILGs and compare it byte by byte
 *   disN         1: use the handle of the function with its enable bit
 *                cleared (the instruction must give condition code 3)
 *   fhN          use this function handle instead of the enabled
 *                function's (any value, e.g. another function's index)
 *
 *   opN ioat     register a DMA aperture of lenN bytes at the function's
 *                start of DMA (nothing mapped: every table entry invalid)
 *   opN alias    make every entry of that aperture's tables lead to one
 *                page table whose entries are all invalid (valN 0) or
 *                all map the page at guest address valN (zpci_dma_alias)
 *   opN rpcit    REFRESH PCI TRANSLATIONS of lenN bytes at offN bytes
 *                into that aperture; data is the instruction's duration
 *                in microseconds
 *   opN cquery   CLP QUERY PCI FUNCTION of the handle; data is the
 *                response code
 *   opN cenable  CLP SET PCI FUNCTION enable of the handle; data is
 *                response code << 32 | the handle returned (0 if none)
 *   opN clist    one CLP LIST PCI from resume token offN; data is
 *                response code << 32 | number of entries << 16 | the
 *                index part of the next resume token
 *   opN sei      CHSC store event information (PCI events) with a
 *                request block of lenN bytes (16 is the architected
 *                length); data is response code << 16 | notification
 *                type << 8 | the event's content code
 *
 * Every operation is bracketed by expect_pgm_int()/clear_pgm_int(), so a
 * program interruption is recorded instead of stopping the payload.  One
 * console line per operation, for the host to parse:
 *
 *   # rN op=OP cc=C status=S pgm=0xP data=0xD
 *   # vN ok | vN bad at=K got=0xG want=0xW | vN cc=C status=S pgm=0xP
 *
 * Block data: byte j of operation N is zt_pattern(N, j) (pattern.h); the
 * host side computes the same bytes and compares their digest with the
 * one the host simulator logs for what it received.
 *
 * Before the operations the payload prints what the function group says:
 *
 *   # group pfgid=G maxstbl=M flags=0xF
 */
#include "zpci.h"
#include "pattern.h"

#define MAX_OPS 64
#define AREA_SIZE (3 * 4096)

static uint8_t area[AREA_SIZE] ALIGNED(4096);
static uint8_t chsc_area[2 * 4096] ALIGNED(4096);
static struct zpci_dma_space dma;
static uint64_t sdma;

static uint64_t key_u64(const char *key, unsigned n, uint64_t def)
{
    char name[16];

    snprintf(name, sizeof(name), "%s%u", key, n);
    return param_u64(name, def);
}

/* Largest naturally aligned load of at most 8 bytes at off */
static unsigned piece(uint64_t off, unsigned left)
{
    unsigned size = 8;

    while (size > 1 && ((off & (size - 1)) || size > left)) {
        size >>= 1;
    }
    return size;
}

/* Read the block of operation n back and compare it with its pattern */
static void verify_block(unsigned n, uint32_t fh, uint8_t bar, uint64_t off,
                         const uint8_t *buf, unsigned len)
{
    uint64_t data, want;
    uint16_t pgm;
    uint8_t st = 0;
    unsigned pos, size, k;
    int cc;

    for (pos = 0; pos < len; pos += size) {
        size = piece(off + pos, len - pos);
        expect_pgm_int();
        cc = pcilg(&data, fh, bar, off + pos, size, &st);
        pgm = clear_pgm_int();
        if (cc || pgm) {
            report_info("v%u cc=%d status=%u pgm=0x%x at=%u", n, cc, st,
                        pgm, pos);
            return;
        }
        want = 0;
        for (k = 0; k < size; k++) {
            want = want << 8 | buf[pos + k];
        }
        if (data != want) {
            report_info("v%u bad at=%u got=0x%lx want=0x%lx", n, pos, data,
                        want);
            return;
        }
    }
    report_info("v%u ok", n);
}

static void run_op(unsigned n, uint32_t fh)
{
    char opbuf[8];
    const char *op;
    uint8_t bar = key_u64("bar", n, 0);
    uint64_t off = key_u64("off", n, 0);
    uint64_t len64 = key_u64("len", n, 8);    /* ioat, rpcit: bytes */
    unsigned len = len64;
    uint64_t val = key_u64("val", n, 0);
    unsigned mis = key_u64("mis", n, 8);
    uint8_t *buf;
    uint64_t data = 0;
    uint16_t pgm;
    uint8_t st = 0;
    char key[16];
    int cc = -1;

    snprintf(key, sizeof(key), "op%u", n);
    op = param_str(key, opbuf, sizeof(opbuf), "");
    if (key_u64("dis", n, 0)) {
        fh &= ~CLP_FH_ENABLED;
    }
    fh = key_u64("fh", n, fh);

    if (!strcmp(op, "lg")) {
        expect_pgm_int();
        cc = pcilg(&data, fh, bar, off, len, &st);
        pgm = clear_pgm_int();
    } else if (!strcmp(op, "stg")) {
        expect_pgm_int();
        cc = pcistg(val, fh, bar, off, len, &st);
        pgm = clear_pgm_int();
    } else if (!strcmp(op, "stb")) {
        if (mis + len > AREA_SIZE) {
            report(false, "ops-args", "op %u: len %u + mis %u too large", n,
                   len, mis);
            return;
        }
        buf = area + mis;
        zt_pattern_fill(buf, n, len);
        expect_pgm_int();
        cc = pcistb(buf, fh, bar, off, len, &st);
        pgm = clear_pgm_int();
        report_info("r%u op=stb cc=%d status=%u pgm=0x%x data=0x0", n, cc,
                    st, pgm);
        if (key_u64("chk", n, 0) && cc == 0 && !pgm) {
            verify_block(n, fh, bar, off, buf, len);
        }
        return;
    } else if (!strcmp(op, "ioat")) {
        zpci_dma_init(&dma, sdma, len64);
        expect_pgm_int();
        cc = zpci_reg_ioat(fh, dma.pba, dma.pal, zpci_dma_iota(&dma), &st);
        pgm = clear_pgm_int();
    } else if (!strcmp(op, "alias")) {
        zpci_dma_alias(&dma, val);
        cc = 0;
        pgm = 0;
    } else if (!strcmp(op, "rpcit")) {
        uint64_t t0 = time_us();

        expect_pgm_int();
        cc = rpcit(fh, dma.pba + off, len64, &st);
        pgm = clear_pgm_int();
        data = time_us() - t0;
    } else if (!strcmp(op, "cquery")) {
        static struct clp_query_pci q;
        uint16_t rsp = 0;

        expect_pgm_int();
        cc = clp_query_pci(fh, &q, &rsp);
        pgm = clear_pgm_int();
        data = rsp;
    } else if (!strcmp(op, "cenable")) {
        uint32_t new_fh = 0;
        uint16_t rsp = 0;

        expect_pgm_int();
        cc = clp_enable(fh, &new_fh, &rsp);
        pgm = clear_pgm_int();
        data = (uint64_t)rsp << 32 | new_fh;
    } else if (!strcmp(op, "clist")) {
        static struct clp_fh_entry list[16];
        uint64_t next = 0;
        uint16_t rsp = 0;
        int got = 0;

        expect_pgm_int();
        cc = clp_list_pci_once(off, list, ARRAY_SIZE(list), &got, &next,
                               &rsp);
        pgm = clear_pgm_int();
        data = (uint64_t)rsp << 32 | (uint64_t)got << 16 | (next & 0xffff);
    } else if (!strcmp(op, "sei")) {
        uint16_t rsp_code = 0;

        if (len > 4096 - 8) {
            report(false, "ops-args", "op %u: request of %u bytes", n, len);
            return;
        }
        memset(chsc_area, 0, sizeof(chsc_area));
        expect_pgm_int();
        cc = chsc_sei(chsc_area, len, &rsp_code);
        pgm = clear_pgm_int();
        /* the response: code, then notification type and content code */
        data = (uint64_t)rsp_code << 16 | chsc_area[len + 7] << 8 |
               chsc_area[len + 11];
    } else {
        report(false, "ops-args", "op %u: unknown operation '%s'", n, op);
        return;
    }
    report_info("r%u op=%s cc=%d status=%u pgm=0x%x data=0x%lx", n, op, cc,
                st, pgm, data);
}

int main(void)
{
    unsigned n = param_u64("n", 0);
    uint32_t fid = param_u64("fid", ~0u);
    struct clp_fh_entry fn;
    struct clp_query_pci q;
    struct clp_query_pci_grp g;
    uint32_t fh;
    uint16_t rsp;
    int cc;

    if (!report(fid != ~0u && clp_find(fid, 0, 0, &fn), "clp-list",
                "fid 0x%x not listed", fid)) {
        return 1;
    }
    cc = clp_query_pci(fn.fh, &q, &rsp);
    cc = cc ? cc : clp_query_pci_grp(q.pfgid, &g, &rsp);
    if (!report(cc == 0 && rsp == CLP_RC_OK, "clp-query-group",
                "cc %d rsp 0x%x", cc, rsp)) {
        return 1;
    }
    sdma = q.sdma;
    report_info("group pfgid=%u maxstbl=%u flags=0x%02x", q.pfgid,
                g.maxstbl, g.flags);
    if (!zpci_setup_enable(fn.fh, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER,
                           &fh)) {
        return 1;
    }

    if (!report(n <= MAX_OPS, "ops-args", "%u operations, at most %u", n,
                MAX_OPS)) {
        return 1;
    }
    for (unsigned i = 0; i < n; i++) {
        run_op(i, fh);
    }
    report(true, "ops-ran", "%u operations", n);

    cc = clp_disable(fh, &fh, &rsp);
    report(cc == 0 && rsp == CLP_RC_OK, "clp-disable", "cc %d rsp 0x%x", cc,
           rsp);
    return 0;
}
